// Execution policy for the engines: threads, tiles, progress bar with ETA, cancellation; results independent of thread count.
#pragma once

#include <gdcert/core/error.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include <unistd.h> // isatty

namespace gdcert {

/// How an engine runs: the maps stay serial; the engine splits its work into tiles of `tile`
/// items, which `threads` workers take in turn. Each tile writes only its own slots of the result,
/// so results are bit-identical for any thread count.
struct execution_policy {
  unsigned threads = 0;        ///< 0: std::thread::hardware_concurrency()
  std::size_t tile = 256;      ///< items per tile (grid points, directions)
  bool progress = true;        ///< progress bar with ETA on stderr, only on a terminal
  double progress_after = 2.0; ///< seconds before the bar appears (short runs stay quiet)
  const std::atomic<bool>* cancel = nullptr; ///< set to true to stop after the tiles in flight
};

/// Thrown by an engine whose run was cancelled through execution_policy::cancel.
struct cancelled : std::runtime_error {
  cancelled() : std::runtime_error("gdcert: run cancelled") {}
};

namespace detail {

/// A one-line progress bar with rate and ETA, drawn on stderr only when it is a terminal.
class progress_bar {
public:
  progress_bar(std::size_t total, const execution_policy& policy)
      : total_(total), enabled_(policy.progress && isatty(STDERR_FILENO) != 0),
        after_(policy.progress_after), start_(std::chrono::steady_clock::now()) {}
  ~progress_bar() {
    if (drawn_)
      std::fputc('\n', stderr);
  }
  progress_bar(const progress_bar&) = delete;
  progress_bar& operator=(const progress_bar&) = delete;

  void advance(std::size_t done) {
    if (!enabled_)
      return;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (elapsed < after_ || elapsed - last_ < 0.2)
      return;
    std::lock_guard<std::mutex> lock(mutex_);
    last_ = elapsed;
    const double fraction = total_ ? double(done) / double(total_) : 1.0;
    const double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
    constexpr int width = 30;
    const int filled = static_cast<int>(fraction * width);
    std::fprintf(stderr, "\r[%.*s%*s] %5.1f%%  %.0f s elapsed, ETA %.0f s ", filled,
                 "##############################", width - filled, "", 100 * fraction, elapsed,
                 eta);
    drawn_ = true;
  }

private:
  std::size_t total_;
  bool enabled_;
  double after_, last_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  bool drawn_ = false;
};

/// ⌈count / tile⌉ without the overflow of (count + tile − 1) / tile (a tile of SIZE_MAX is one
/// tile, not zero); tile >= 1.
[[nodiscard]] constexpr std::size_t tile_count(std::size_t count, std::size_t tile) noexcept {
  return count / tile + (count % tile != 0 ? 1 : 0);
}

} // namespace detail

/// Runs `work(begin, end)` over [0, count) in tiles on the policy's threads. Tiles are handed out
/// in order through an atomic counter; each call must write only results indexed in [begin, end).
/// Exceptions from `work` are rethrown on the calling thread; cancellation throws gdcert::cancelled.
template <class Work>
void for_each_tile(std::size_t count, const execution_policy& policy, Work&& work) {
  if (policy.tile == 0)
    throw invalid_parameter("execution_policy.tile", "0", ">= 1");
  const std::size_t tiles = detail::tile_count(count, policy.tile);
  unsigned threads =
      policy.threads ? policy.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(tiles, 1)));
  std::atomic<std::size_t> next{0}, done{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  detail::progress_bar bar(count, policy);
  auto worker = [&] {
    for (std::size_t t; (t = next.fetch_add(1)) < tiles;) {
      if (policy.cancel && policy.cancel->load())
        return;
      const std::size_t begin = t * policy.tile, end = begin + std::min(policy.tile, count - begin);
      try {
        work(begin, end);
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure)
          failure = std::current_exception();
        next = tiles; // stop handing out tiles
        return;
      }
      bar.advance(done += end - begin);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i)
    pool.emplace_back(worker);
  worker();
  for (auto& thread : pool)
    thread.join();
  if (failure)
    std::rethrow_exception(failure);
  if (policy.cancel && policy.cancel->load())
    throw cancelled();
}

} // namespace gdcert
