// A persistent team of threads for kernels that split one call (a GD step at matrix scale) into parts: no thread start per call.
#pragma once

#include <gdcert/core/error.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace gdcert {

/// `size()` workers, the caller included: `run(part)` calls part(k) once for every k in
/// [0, size()) — k = 0 on the calling thread — and returns when all have returned. Between calls
/// the helpers look for the next call for a moment (about 0.1-0.5 ms of CPU pauses) and then
/// sleep on an atomic wait, so a team costs nothing while its owner is idle, and a call costs a
/// wake-up at most, not a thread start. A part must not throw.
/// Movable, not copyable; destroying it stops and joins its threads.
class worker_team {
public:
  /// The most threads a team may ask for (as execution_policy::max_threads).
  static constexpr unsigned max_threads = 4096;

  /// `threads` workers in all (0: std::thread::hardware_concurrency()); throws
  /// gdcert::invalid_parameter above max_threads, std::system_error if a thread cannot start.
  explicit worker_team(unsigned threads = 0) {
    if (threads > max_threads)
      throw invalid_parameter("threads", std::to_string(threads),
                              "<= " + std::to_string(max_threads) + " (0: all cores)");
    if (threads == 0)
      threads = std::max(1u, std::thread::hardware_concurrency());
    shared_ = std::make_unique<shared>();
    shared_->size = threads;
    helpers_.reserve(threads - 1);
    try {
      for (unsigned k = 1; k < threads; ++k)
        helpers_.emplace_back([state = shared_.get(), k] { work(*state, k); });
    } catch (...) {
      stop();
      throw;
    }
  }
  worker_team(worker_team&&) noexcept = default;
  worker_team& operator=(worker_team&& other) noexcept {
    if (this != &other) {
      stop();
      shared_ = std::move(other.shared_);
      helpers_ = std::move(other.helpers_);
    }
    return *this;
  }
  worker_team(const worker_team&) = delete;
  worker_team& operator=(const worker_team&) = delete;
  ~worker_team() { stop(); }

  [[nodiscard]] unsigned size() const noexcept { return shared_ ? shared_->size : 0; }

  /// Calls part(k) for k = 0, …, size() − 1 on the team's threads and waits for all of them.
  template <class Part>
  void run(Part&& part) {
    if (size() <= 1) {
      part(0u);
      return;
    }
    shared& s = *shared_;
    s.context = const_cast<void*>(static_cast<const void*>(std::addressof(part)));
    s.call = [](void* context, unsigned k) {
      (*static_cast<std::remove_reference_t<Part>*>(context))(k);
    };
    s.pending.store(s.size - 1, std::memory_order_relaxed);
    s.generation.fetch_add(1, std::memory_order_release);
    s.generation.notify_all();
    part(0u);
    spin_until([&] { return s.pending.load(std::memory_order_acquire) == 0; });
    for (unsigned left = s.pending.load(std::memory_order_acquire); left != 0;
         left = s.pending.load(std::memory_order_acquire))
      s.pending.wait(left, std::memory_order_acquire);
  }

private:
  struct shared {
    unsigned size = 1;
    std::atomic<std::uint32_t> generation{0};
    std::atomic<unsigned> pending{0};
    std::atomic<bool> stopping{false};
    void* context = nullptr;
    void (*call)(void*, unsigned) = nullptr;
  };

  /// Spins (with a CPU pause) for up to `rounds` checks until `ready()`: a GD step calls the team
  /// again within microseconds, sooner than a sleeping thread wakes up (tens of microseconds in a
  /// virtual machine), so a worker looks for the next call for a moment before it sleeps.
  template <class Ready>
  static bool spin_until(Ready&& ready, int rounds = 1 << 14) {
    for (int i = 0; i < rounds; ++i) {
      if (ready())
        return true;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    return ready();
  }

  static void work(shared& s, unsigned k) {
    std::uint32_t seen = 0;
    for (;;) {
      spin_until([&] { return s.generation.load(std::memory_order_acquire) != seen; });
      s.generation.wait(seen, std::memory_order_acquire);
      seen = s.generation.load(std::memory_order_acquire);
      if (s.stopping.load(std::memory_order_acquire))
        return;
      s.call(s.context, k);
      if (s.pending.fetch_sub(1, std::memory_order_acq_rel) == 1)
        s.pending.notify_one();
    }
  }

  void stop() noexcept {
    if (!shared_)
      return;
    shared_->stopping.store(true, std::memory_order_release);
    shared_->generation.fetch_add(1, std::memory_order_release);
    shared_->generation.notify_all();
    for (std::thread& t : helpers_)
      if (t.joinable())
        t.join();
    helpers_.clear();
  }

  std::unique_ptr<shared> shared_;
  std::vector<std::thread> helpers_;
};

} // namespace gdcert
