// Execution policy for the engines: threads, tiles, progress bar with ETA, cancellation; results independent of thread count.
#pragma once

#include <gdcert/core/error.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <unistd.h> // isatty

namespace gdcert {

/// What an engine does when execution_policy::cancel is set before its work is done.
enum class on_cancel {
  throw_exception, ///< throw gdcert::cancelled (every engine)
  return_partial,  ///< sweep: return what finished, marked in sweep_result (partial, finished);
                   ///< engines without a partial result form throw gdcert::cancelled
};

/// How an engine runs: the maps stay serial; the engine splits its work into tiles of `tile`
/// items, which `threads` workers take in turn. Each tile writes only its own slots of the result,
/// so results are bit-identical for any thread count.
struct execution_policy {
  /// The most worker threads a policy may ask for: far above any machine this runs on, and a
  /// bound that keeps a mistyped count from trying to start millions of threads.
  static constexpr unsigned max_threads = 4096;
  /// The default memory_limit: 8 GiB.
  static constexpr std::uint64_t default_memory_limit = std::uint64_t{8} << 30;

  unsigned threads = 0;        ///< 0: std::thread::hardware_concurrency(); at most max_threads
  std::size_t tile = 256;      ///< items per tile (grid points, directions); >= 1
  bool progress = true;        ///< progress bar with ETA on stderr, only on a terminal
  double progress_after = 2.0; ///< seconds before the bar appears (short runs stay quiet); >= 0
  /// Set to true to stop: sweeps stop within one check interval of a point, other engines after
  /// the tiles in flight.
  const std::atomic<bool>* cancel = nullptr;
  enum on_cancel when_cancelled = on_cancel::throw_exception;
  /// Bytes an engine may allocate for its result and bookkeeping: each engine estimates them
  /// from its sizes before allocating anything and throws gdcert::invalid_parameter naming its
  /// estimate when it is above this limit (docs/errors.md, "Memory"). Raise it for larger runs.
  std::uint64_t memory_limit = default_memory_limit;

  /// Throws gdcert::invalid_parameter naming the field unless every field is in range.
  void validate() const {
    if (tile == 0)
      throw invalid_parameter("execution_policy.tile", "0", ">= 1");
    if (threads > max_threads)
      throw invalid_parameter("execution_policy.threads", std::to_string(threads),
                              "[0, " + std::to_string(max_threads) + "] (0: one per core)");
    if (!(progress_after >= 0) || !std::isfinite(progress_after))
      throw invalid_parameter("execution_policy.progress_after", detail::to_text(progress_after),
                              ">= 0 seconds (finite)");
    if (when_cancelled != on_cancel::throw_exception && when_cancelled != on_cancel::return_partial)
      throw invalid_parameter("execution_policy.when_cancelled",
                              std::to_string(static_cast<int>(when_cancelled)),
                              "on_cancel::throw_exception or on_cancel::return_partial");
  }
};

/// Thrown by an engine whose run was cancelled through execution_policy::cancel; what() and
/// finished_items() say how much of the work had finished.
class cancelled : public std::runtime_error {
public:
  cancelled() : cancelled(0, 0) {}
  cancelled(std::size_t finished_items, std::size_t total_items)
      : std::runtime_error("gdcert: run cancelled after " + std::to_string(finished_items) +
                           " of " + std::to_string(total_items) + " work items"),
        finished_(finished_items), total_(total_items) {}
  [[nodiscard]] std::size_t finished_items() const noexcept { return finished_; }
  [[nodiscard]] std::size_t total_items() const noexcept { return total_; }

private:
  std::size_t finished_ = 0, total_ = 0;
};

/// Thrown when the operating system refuses a worker thread (std::thread's std::system_error):
/// the threads already started are stopped and joined first, so nothing runs on after it.
class thread_start_error : public std::runtime_error {
public:
  thread_start_error(unsigned index, unsigned requested, const std::string& reason)
      : std::runtime_error("gdcert: could not start worker thread " + std::to_string(index) +
                           " of " + std::to_string(requested) + " (" + reason +
                           "); lower execution_policy.threads") {}
};

/// Which tiles of a for_each_tile run finished. A tile finishes when its work returned; one
/// interrupted by cancellation (detail::tile_interrupted) or never started does not.
struct tile_completion {
  std::size_t items = 0, tile = 1;
  std::vector<std::uint8_t> finished; ///< per tile: 1 when it ran to its end

  [[nodiscard]] bool complete() const noexcept {
    return std::all_of(finished.begin(), finished.end(), [](std::uint8_t f) { return f != 0; });
  }
  [[nodiscard]] std::size_t finished_items() const noexcept {
    std::size_t n = 0;
    for (std::size_t t = 0; t < finished.size(); ++t)
      if (finished[t])
        n += std::min(tile, items - t * tile);
    return n;
  }
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

/// Whether the policy's cancellation flag is set (engines poll it at their check boundaries).
[[nodiscard]] inline bool cancel_requested(const execution_policy& policy) noexcept {
  return policy.cancel != nullptr && policy.cancel->load(std::memory_order_relaxed);
}

/// Thrown by a tile's work when it sees the cancellation flag part-way: for_each_tile records
/// the tile as unfinished (its finished items stay in the result) and hands out no more tiles.
struct tile_interrupted {};

/// a·b + c in 64 bits, or nullopt-like max on overflow (sizes of memory estimates).
[[nodiscard]] constexpr std::uint64_t saturating_multiply_add(std::uint64_t a, std::uint64_t b,
                                                              std::uint64_t c) noexcept {
  constexpr std::uint64_t top = std::numeric_limits<std::uint64_t>::max();
  if (a != 0 && b > (top - c) / a)
    return top;
  return a * b + c;
}

/// Throws gdcert::invalid_parameter unless `items` × `bytes_per_item` + `fixed_bytes` (computed
/// without overflow) is within policy.memory_limit. Engines call it before allocating. An estimate
/// of 2^64 bytes or more is refused even under memory_limit = UINT64_MAX: the engines' size
/// products would wrap, and a wrapped size allocates less than the loops then write.
inline void require_memory(std::string_view engine, std::uint64_t items,
                           std::uint64_t bytes_per_item, std::uint64_t fixed_bytes,
                           const execution_policy& policy) {
  const std::uint64_t bytes = saturating_multiply_add(items, bytes_per_item, fixed_bytes);
  if (bytes > policy.memory_limit || bytes == std::numeric_limits<std::uint64_t>::max())
    throw invalid_parameter(
        std::string(engine) + " memory estimate",
        (bytes == std::numeric_limits<std::uint64_t>::max() ? std::string("more than 2^64")
                                                            : std::to_string(bytes)) +
            " bytes (" + std::to_string(items) + " items x " + std::to_string(bytes_per_item) +
            " bytes + " + std::to_string(fixed_bytes) + ")",
        "<= execution_policy.memory_limit = " + std::to_string(policy.memory_limit) +
            " bytes (raise the limit to allow the run)");
}

} // namespace detail

/// Runs `work(begin, end)` over [0, count) in tiles on the policy's threads. Tiles are handed out
/// in order through an atomic counter; each call must write only results indexed in [begin, end).
/// Exceptions from `work` are rethrown on the calling thread (the first one; no new tiles start
/// after it). Cancellation: no tile starts once the flag is set, and a tile's work may stop
/// part-way by throwing detail::tile_interrupted. A run whose every tile finished is complete
/// even if the flag was set meanwhile. An incomplete run throws gdcert::cancelled, or returns its
/// tile_completion when `partial_allowed` (the caller then marks its result partial).
/// A thread the system refuses stops the run with gdcert::thread_start_error.
template <class Work>
tile_completion for_each_tile(std::size_t count, const execution_policy& policy, Work&& work,
                              bool partial_allowed = false) {
  policy.validate();
  const std::size_t tiles = detail::tile_count(count, policy.tile);
  tile_completion completion{count, policy.tile, std::vector<std::uint8_t>(tiles, 0)};
  unsigned threads =
      policy.threads ? policy.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(tiles, 1)));
  std::atomic<std::size_t> next{0}, done{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  detail::progress_bar bar(count, policy);
  auto worker = [&] {
    for (std::size_t t; !detail::cancel_requested(policy) && (t = next.fetch_add(1)) < tiles;) {
      const std::size_t begin = t * policy.tile, end = begin + std::min(policy.tile, count - begin);
      try {
        work(begin, end);
      } catch (const detail::tile_interrupted&) {
        return; // the flag is set: the other workers stop at their next tile
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure)
          failure = std::current_exception();
        next = tiles; // stop handing out tiles
        return;
      }
      completion.finished[t] = 1; // each tile's flag is written by the one worker that ran it
      bar.advance(done += end - begin);
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (unsigned i = 1; i < threads; ++i) {
    try {
      pool.emplace_back(worker);
    } catch (const std::system_error& refused) {
      next = tiles; // the started workers finish their current tile and stop
      for (auto& thread : pool)
        thread.join();
      throw thread_start_error(i, threads, refused.what());
    }
  }
  worker();
  for (auto& thread : pool)
    thread.join();
  if (failure)
    std::rethrow_exception(failure);
  if (!completion.complete() && !partial_allowed)
    throw cancelled(completion.finished_items(), count);
  return completion;
}

} // namespace gdcert
