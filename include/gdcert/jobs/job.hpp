// Jobs: an engine's work split into independent items, run on threads with an optional checkpoint (resume after kill -9), in one process or across MPI ranks (gdcert/jobs/mpi.hpp) with the same bytes (docs/jobs.md).
#pragma once

#include <gdcert/analysis/execution.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/io/checkpoint.hpp>
#include <gdcert/io/io_error.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <concepts>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace gdcert {

/// A job: a fixed list of independent work items whose results are bytes.
///
/// | expression            | type                      | meaning                                   |
/// |-----------------------|---------------------------|-------------------------------------------|
/// | `job.items()`         | convertible to size_t     | number of items (fixed for the job)       |
/// | `job.description()`   | convertible to string     | every parameter that determines results, the item count and the gdcert version: a checkpoint must match it |
/// | `job.run_item(i)`     | item_bytes                | item i's result; deterministic, thread-safe on a const job, single-threaded (the runner runs items side by side) |
///
/// The runners (run_job here, mpi::run_job) hand out items dynamically; because an item's bytes
/// depend only on i, the results are bit-identical for any number of threads, processes or
/// restarts. Each job type also has `assemble(const job_run&)`, which decodes the bytes into the
/// engine's own result (verification_job, pass_fail_map_job, sweep_job).
template <class J>
concept work_job = requires(const J& job, std::size_t i) {
  { job.items() } -> std::convertible_to<std::size_t>;
  { job.description() } -> std::convertible_to<std::string>;
  { job.run_item(i) } -> std::same_as<item_bytes>;
};

/// Appends trivially copyable values and vectors of them to an item's bytes (native byte order:
/// checkpoints and MPI messages stay on machines of one architecture, which the description's
/// version line does not check; a cluster of mixed byte orders is not supported).
class byte_writer {
public:
  template <class T>
  requires std::is_trivially_copyable_v<T> byte_writer& put(const T& value) {
    append(&value, sizeof(T));
    return *this;
  }
  template <class T>
  requires std::is_trivially_copyable_v<T> byte_writer& put(const std::vector<T>& values) {
    put<std::uint64_t>(values.size());
    if (!values.empty()) // data() may be null for an empty vector
      append(values.data(), values.size() * sizeof(T));
    return *this;
  }
  [[nodiscard]] item_bytes take() && { return std::move(bytes_); }

private:
  void append(const void* data, std::size_t size) {
    const std::size_t at = bytes_.size();
    bytes_.resize(at + size);
    std::memcpy(bytes_.data() + at, data, size);
  }
  item_bytes bytes_;
};

/// Reads what byte_writer wrote, in the same order. Throws gdcert::io_error when the bytes end
/// early (a result of another job or format).
class byte_reader {
public:
  explicit byte_reader(const item_bytes& bytes) : bytes_(bytes) {}
  template <class T>
  requires std::is_trivially_copyable_v<T>
  [[nodiscard]] T get() {
    need(sizeof(T));
    T value;
    std::memcpy(&value, bytes_.data() + at_, sizeof(T));
    at_ += sizeof(T);
    return value;
  }
  template <class T>
  requires std::is_trivially_copyable_v<T>
  [[nodiscard]] std::vector<T> get_vector() {
    const auto count = get<std::uint64_t>();
    if (count > (bytes_.size() - at_) / std::max<std::size_t>(sizeof(T), 1))
      short_read();
    std::vector<T> values(static_cast<std::size_t>(count));
    need(values.size() * sizeof(T));
    if (!values.empty())
      std::memcpy(values.data(), bytes_.data() + at_, values.size() * sizeof(T));
    at_ += values.size() * sizeof(T);
    return values;
  }
  [[nodiscard]] bool done() const noexcept { return at_ == bytes_.size(); }

private:
  void need(std::size_t size) const {
    if (size > bytes_.size() - at_)
      short_read();
  }
  [[noreturn]] static void short_read() {
    throw io_error("gdcert: a work item's result ends early (bytes of another job or format)");
  }
  const item_bytes& bytes_;
  std::size_t at_ = 0;
};

/// How a job runs in this process (with MPI: in each rank).
struct job_options {
  /// The checkpoint log (io/checkpoint.hpp); empty: none. With MPI only rank 0 writes it.
  std::filesystem::path checkpoint;
  /// Items run side by side in this process (0: one per core; with mpi::run_job, one per core
  /// divided by the ranks on the node). At most execution_policy::max_threads.
  unsigned threads = 0;
  /// Set to stop: no item starts after it; the finished ones are in the checkpoint, and run_job
  /// throws gdcert::cancelled.
  const std::atomic<bool>* cancel = nullptr;

  void validate() const {
    if (threads > execution_policy::max_threads)
      throw invalid_parameter("job_options.threads", std::to_string(threads),
                              "[0, " + std::to_string(execution_policy::max_threads) +
                                  "] (0: one per core)");
  }
};

/// What a run of a job produced. On rank 0 (and without MPI) every item's result is there; on the
/// other ranks of an MPI run `root` is false and the vectors are empty (mpi::broadcast fills them).
struct job_run {
  std::vector<item_bytes> results;     ///< item i's bytes
  std::vector<double> seconds;         ///< item i's cost: wall time on one thread, when computed
  std::vector<int> ranks;              ///< the rank that computed item i
  std::vector<std::uint8_t> recovered; ///< 1: read from the checkpoint, not computed in this run
  std::size_t recovered_items = 0;
  std::size_t dropped_bytes = 0; ///< an incomplete last checkpoint record, dropped on resume
  double wall_seconds = 0;       ///< of this run (from start to the last result)
  int processes = 1;             ///< MPI ranks (1 without MPI)
  unsigned threads = 1;          ///< items side by side in each process
  bool root = true;

  [[nodiscard]] std::size_t items() const noexcept { return results.size(); }
  /// Σ of the item costs: the job's work in thread-seconds.
  [[nodiscard]] double item_seconds() const {
    double total = 0;
    for (const double s : seconds)
      total += s;
    return total;
  }
};

namespace detail {

/// The items waiting to run, shared by this process's workers (and, on MPI rank 0, handed to
/// other ranks). take() blocks until an item arrives or the queue is closed.
class item_queue {
public:
  void push(const std::vector<std::size_t>& items) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      waiting_.insert(waiting_.end(), items.begin(), items.end());
    }
    ready_.notify_all();
  }
  /// Stops the workers once the waiting items are gone; with `drop`, at once.
  void close(bool drop = false) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closed_ = true;
      if (drop)
        waiting_.clear();
    }
    ready_.notify_all();
  }
  [[nodiscard]] std::optional<std::size_t> take() {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [&] { return closed_ || !waiting_.empty(); });
    return pop();
  }
  [[nodiscard]] std::optional<std::size_t> try_take() {
    std::lock_guard<std::mutex> lock(mutex_);
    return pop();
  }

private:
  std::optional<std::size_t> pop() {
    if (waiting_.empty())
      return std::nullopt;
    const std::size_t i = waiting_.front();
    waiting_.pop_front();
    return i;
  }
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::size_t> waiting_;
  bool closed_ = false;
};

/// Finished items waiting for the coordinating thread (the only one that writes the checkpoint
/// and, with MPI, calls MPI), and the first failure of a worker.
class completion_queue {
public:
  void push(item_record record) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_.push_back(std::move(record));
    }
    changed_.notify_all();
  }
  void fail(std::exception_ptr error, std::size_t item) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!failure_) {
        failure_ = std::move(error);
        failed_item_ = item;
      }
    }
    changed_.notify_all();
  }
  /// What finished, waiting up to `wait` for something when nothing has.
  [[nodiscard]] std::vector<item_record> drain(std::chrono::microseconds wait) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_for(lock, wait, [&] { return !done_.empty() || failure_; });
    return std::exchange(done_, {});
  }
  [[nodiscard]] std::exception_ptr failure() {
    std::lock_guard<std::mutex> lock(mutex_);
    return failure_;
  }
  [[nodiscard]] std::size_t failed_item() {
    std::lock_guard<std::mutex> lock(mutex_);
    return failed_item_;
  }

private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<item_record> done_;
  std::exception_ptr failure_;
  std::size_t failed_item_ = 0;
};

/// `count` threads running the items of `queue` and reporting to `done`; joined on destruction
/// (after the queue is closed).
template <class Job>
class item_workers {
public:
  item_workers(const Job& job, unsigned count, int rank, item_queue& queue,
               completion_queue& done) {
    threads_.reserve(count);
    for (unsigned t = 0; t < count; ++t) {
      try {
        threads_.emplace_back([&job, rank, &queue, &done] {
          while (const auto i = queue.take()) {
            try {
              const auto start = std::chrono::steady_clock::now();
              item_record r;
              r.index = *i;
              r.rank = rank;
              r.bytes = job.run_item(*i);
              r.seconds =
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
              done.push(std::move(r));
            } catch (...) {
              done.fail(std::current_exception(), *i);
              queue.close(true);
              return;
            }
          }
        });
      } catch (const std::system_error& refused) {
        queue.close(true);
        join();
        throw thread_start_error(t, count, refused.what());
      }
    }
  }
  item_workers(const item_workers&) = delete;
  item_workers& operator=(const item_workers&) = delete;
  ~item_workers() { join(); }
  void join() {
    for (auto& t : threads_)
      if (t.joinable())
        t.join();
  }

private:
  std::vector<std::thread> threads_;
};

[[nodiscard]] inline unsigned job_threads(unsigned requested, unsigned processes_per_node = 1) {
  if (requested)
    return requested;
  return std::max(1u, std::thread::hardware_concurrency() / std::max(1u, processes_per_node));
}

/// The result slots of a job and its checkpoint (rank 0's side of a run): records arrive here,
/// are appended to the log in batches (one fsync each) and stored.
class job_ledger {
public:
  job_ledger(std::size_t items, const std::filesystem::path& checkpoint, const std::string& text) {
    run_.results.resize(items);
    run_.seconds.assign(items, 0.0);
    run_.ranks.assign(items, -1);
    run_.recovered.assign(items, 0);
    if (checkpoint.empty())
      return;
    log_ = std::make_unique<checkpoint_log>(checkpoint, text, items);
    run_.dropped_bytes = log_->dropped_bytes();
    for (const item_record& r : log_->recovered()) {
      store(r);
      run_.recovered[r.index] = 1;
      ++run_.recovered_items;
    }
  }
  /// The items still to run, in index order.
  [[nodiscard]] std::vector<std::size_t> missing() const {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < run_.results.size(); ++i)
      if (run_.ranks[i] < 0)
        out.push_back(i);
    return out;
  }
  void record(const std::vector<item_record>& batch) {
    if (batch.empty())
      return;
    if (log_) {
      std::vector<const item_record*> pointers;
      for (const auto& r : batch)
        pointers.push_back(&r);
      log_->append(pointers);
    }
    for (const auto& r : batch)
      store(r);
    finished_ += batch.size();
  }
  [[nodiscard]] std::size_t finished() const noexcept { return finished_; }
  [[nodiscard]] job_run take() && { return std::move(run_); }

private:
  void store(const item_record& r) {
    run_.results[r.index] = r.bytes;
    run_.seconds[r.index] = r.seconds;
    run_.ranks[r.index] = r.rank;
  }
  job_run run_;
  std::unique_ptr<checkpoint_log> log_;
  std::size_t finished_ = 0;
};

} // namespace detail

/// Runs every item of `job` in this process on options.threads threads, skipping the items the
/// checkpoint already holds and appending each finished one to it. The result is the same bytes
/// for any thread count and after any number of interruptions. Throws gdcert::invalid_parameter
/// for bad options, checkpoint_error for a checkpoint of another job or a damaged one, io_error
/// when the checkpoint cannot be written, gdcert::cancelled when options.cancel stops the run
/// (finished items are in the checkpoint), or the first exception of an item.
template <work_job Job>
[[nodiscard]] job_run run_job(const Job& job, const job_options& options = {}) {
  options.validate();
  const auto start = std::chrono::steady_clock::now();
  const std::size_t items = job.items();
  detail::job_ledger ledger(items, options.checkpoint, job.description());
  const std::vector<std::size_t> missing = ledger.missing();
  const unsigned threads = detail::job_threads(options.threads);
  if (!missing.empty()) {
    detail::item_queue queue;
    detail::completion_queue done;
    queue.push(missing);
    queue.close();
    detail::item_workers<Job> workers(job, std::min<std::size_t>(threads, missing.size()), 0, queue,
                                      done);
    while (ledger.finished() < missing.size()) {
      ledger.record(done.drain(std::chrono::milliseconds(50)));
      if (done.failure())
        break;
      if (options.cancel && options.cancel->load()) {
        queue.close(true); // the items in flight finish and are kept
        break;
      }
    }
    workers.join();
    ledger.record(done.drain(std::chrono::microseconds(0)));
    if (const auto failure = done.failure())
      std::rethrow_exception(failure);
    if (ledger.finished() < missing.size())
      throw cancelled(items - missing.size() + ledger.finished(), items);
  }
  job_run run = std::move(ledger).take();
  run.threads = threads;
  run.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

} // namespace gdcert
