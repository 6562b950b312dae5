// gdcert::mpi: a job's work items (jobs/job.hpp) across MPI ranks with dynamic load balancing; results gathered on rank 0, bit-identical to one process (docs/jobs.md).
//
// Optional: needs an MPI implementation (Debian: libopenmpi-dev, openmpi-bin) and the CMake
// target gdcert::mpi, which exists only when CMake finds MPI. Nothing else in gdcert includes it.
#pragma once

#include <gdcert/analysis/execution.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/io/checkpoint.hpp>
#include <gdcert/jobs/job.hpp>

#include <mpi.h>

#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace gdcert::mpi {

/// MPI for the lifetime of the object: MPI_Init_thread with MPI_THREAD_FUNNELED (the runner's
/// worker threads never call MPI; only the thread that called run_job does) and MPI_Finalize.
/// When MPI is already initialized it does neither. Throws std::runtime_error when the library
/// cannot give funneled threads.
class environment {
public:
  environment(int& argc, char**& argv) {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (initialized)
      return;
    int provided = MPI_THREAD_SINGLE;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    owner_ = true;
    if (provided < MPI_THREAD_FUNNELED)
      throw std::runtime_error("gdcert::mpi: the MPI library does not support "
                               "MPI_THREAD_FUNNELED, which the job runner needs");
  }
  environment(const environment&) = delete;
  environment& operator=(const environment&) = delete;
  ~environment() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (owner_ && !finalized)
      MPI_Finalize();
  }
  [[nodiscard]] static int rank(MPI_Comm comm = MPI_COMM_WORLD) {
    int r = 0;
    MPI_Comm_rank(comm, &r);
    return r;
  }
  [[nodiscard]] static int size(MPI_Comm comm = MPI_COMM_WORLD) {
    int s = 1;
    MPI_Comm_size(comm, &s);
    return s;
  }

private:
  bool owner_ = false;
};

namespace detail {

enum tag : int { request = 1, result = 2, failure = 3, assign = 4, stop = 5 };

/// The ranks of `comm` on this node (MPI_COMM_TYPE_SHARED): the default thread count divides the
/// node's cores among them.
[[nodiscard]] inline unsigned ranks_on_node(MPI_Comm comm) {
  MPI_Comm node;
  MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
  int size = 1;
  MPI_Comm_size(node, &size);
  MPI_Comm_free(&node);
  return static_cast<unsigned>(size);
}

/// A job cannot go on on some rank (a failed item): every rank is stopped, since the others wait
/// in MPI calls. The finished items are in the checkpoint.
[[noreturn]] inline void abort_job(MPI_Comm comm, const std::string& message) {
  std::fprintf(stderr,
               "gdcert::mpi: %s; stopping every rank (finished items are in the "
               "checkpoint, if any)\n",
               message.c_str());
  std::fflush(stderr);
  MPI_Abort(comm, 3);
  std::abort();
}

[[nodiscard]] inline std::string what_of(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

/// Bytes of a received message (MPI_BYTE counts are ints: messages above 2 GiB are refused).
[[nodiscard]] inline std::vector<std::uint8_t> receive(MPI_Comm comm, const MPI_Status& status) {
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(count));
  MPI_Recv(bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, comm,
           MPI_STATUS_IGNORE);
  return bytes;
}

inline void send(MPI_Comm comm, int to, int tag, const std::vector<std::uint8_t>& bytes) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX))
    abort_job(comm, "a work item's result of " + std::to_string(bytes.size()) +
                        " bytes exceeds one MPI message (2 GiB); use smaller items");
  MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, to, tag, comm);
}

inline void send_indices(MPI_Comm comm, int to, const std::vector<std::uint64_t>& items) {
  MPI_Send(items.data(), static_cast<int>(items.size()), MPI_UINT64_T, to, assign, comm);
}

/// Every rank must run the same job: the descriptions' checksums are compared.
inline void require_same_job(MPI_Comm comm, const std::string& description, std::size_t items) {
  boost::crc_32_type sum;
  sum.process_bytes(description.data(), description.size());
  const std::uint64_t mine[2] = {sum.checksum(), items};
  std::uint64_t low[2], high[2];
  MPI_Allreduce(mine, low, 2, MPI_UINT64_T, MPI_MIN, comm);
  MPI_Allreduce(mine, high, 2, MPI_UINT64_T, MPI_MAX, comm);
  if (low[0] != high[0] || low[1] != high[1])
    throw invalid_parameter("job description on the ranks", "different on some ranks",
                            "the same job (same arguments) on every rank");
}

/// Rank 0 opens the checkpoint; its error (another job, damaged) is raised on every rank.
inline void share_error(MPI_Comm comm, std::string message) {
  std::uint64_t size = message.size();
  MPI_Bcast(&size, 1, MPI_UINT64_T, 0, comm);
  message.resize(static_cast<std::size_t>(size));
  MPI_Bcast(message.data(), static_cast<int>(size), MPI_CHAR, 0, comm);
  if (!message.empty())
    throw checkpoint_error(message);
}

} // namespace detail

/// Runs every item of `job` on all ranks of `comm` (every rank calls it, with the same job):
/// rank 0 coordinates and computes too; each rank runs options.threads items side by side (by
/// default the node's cores divided by its ranks) and asks rank 0 for a new item whenever one of
/// its own finishes, so fast and slow items (costs differ by 100×) balance themselves. Rank 0
/// writes the checkpoint (the same file as gdcert::run_job: a job started with MPI can resume
/// without it, and the other way round) and returns every result, bit-identical to
/// gdcert::run_job; the other ranks return `root = false` and no results (see broadcast).
/// Throws on every rank: invalid_parameter for bad options or different jobs on the ranks,
/// checkpoint_error when rank 0 refuses the checkpoint, gdcert::cancelled when rank 0's
/// options.cancel stops the run (after the items in flight finish and are recorded). A failed
/// item ends the job on every rank through MPI_Abort (the others would wait forever), after the
/// message is printed.
template <work_job Job>
[[nodiscard]] job_run run_job(const Job& job, const job_options& options = {},
                              MPI_Comm comm = MPI_COMM_WORLD) {
  options.validate();
  MPI_Comm world;
  MPI_Comm_dup(comm, &world); // the job's messages never meet the caller's
  struct freed {
    MPI_Comm& c;
    ~freed() { MPI_Comm_free(&c); }
  } free_world{world};
  const int rank = environment::rank(world), size = environment::size(world);
  const std::size_t items = job.items();
  const std::string description = job.description();
  detail::require_same_job(world, description, items);
  const unsigned threads =
      gdcert::detail::job_threads(options.threads, detail::ranks_on_node(world));
  const auto start = std::chrono::steady_clock::now();
  gdcert::detail::item_queue queue;
  gdcert::detail::completion_queue done;
  const auto poll = std::chrono::milliseconds(1);

  if (rank != 0) {
    detail::share_error(world, {});
    gdcert::detail::item_workers<Job> workers(job, threads, rank, queue, done);
    const std::uint64_t want = threads;
    MPI_Send(&want, 1, MPI_UINT64_T, 0, detail::request, world);
    bool cancelled = false;
    std::size_t finished_here = 0;
    for (bool running = true; running;) {
      for (const item_record& r : done.drain(poll)) {
        ++finished_here;
        item_bytes bytes(16 + r.bytes.size());
        const std::uint64_t index = r.index;
        std::memcpy(bytes.data(), &index, 8);
        std::memcpy(bytes.data() + 8, &r.seconds, 8);
        if (!r.bytes.empty())
          std::memcpy(bytes.data() + 16, r.bytes.data(), r.bytes.size());
        detail::send(world, 0, detail::result, bytes);
      }
      if (const auto failure = done.failure()) {
        const std::string text = "item " + std::to_string(done.failed_item()) + " failed on rank " +
                                 std::to_string(rank) + ": " + detail::what_of(failure);
        MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, 0, detail::failure, world);
        running = false; // rank 0 aborts the job
        continue;
      }
      int flag = 0;
      MPI_Status status;
      while (running && (MPI_Iprobe(0, MPI_ANY_TAG, world, &flag, &status), flag)) {
        if (status.MPI_TAG == detail::assign) {
          int count = 0;
          MPI_Get_count(&status, MPI_UINT64_T, &count);
          std::vector<std::uint64_t> given(static_cast<std::size_t>(count));
          MPI_Recv(given.data(), count, MPI_UINT64_T, 0, detail::assign, world, MPI_STATUS_IGNORE);
          queue.push(std::vector<std::size_t>(given.begin(), given.end()));
        } else { // stop: every item is recorded (or the run was cancelled)
          std::uint8_t was_cancelled = 0;
          MPI_Recv(&was_cancelled, 1, MPI_UINT8_T, 0, detail::stop, world, MPI_STATUS_IGNORE);
          cancelled = was_cancelled != 0;
          running = false;
        }
      }
    }
    if (done.failure()) { // wait for rank 0's MPI_Abort
      for (;;)
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    queue.close();
    workers.join();
    if (cancelled)
      throw gdcert::cancelled(finished_here, items);
    job_run run;
    run.root = false;
    run.processes = size;
    run.threads = threads;
    run.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return run;
  }

  std::optional<gdcert::detail::job_ledger> ledger;
  std::string refused;
  try {
    ledger.emplace(items, options.checkpoint, description);
  } catch (const std::exception& e) {
    refused = e.what();
  }
  detail::share_error(world, refused);
  const std::vector<std::size_t> missing = ledger->missing();
  queue.push(missing);
  gdcert::detail::item_workers<Job> workers(job, threads, 0, queue, done);
  std::vector<std::size_t> outstanding(static_cast<std::size_t>(size), 0); // items on each rank
  std::size_t remote = 0; // items handed to other ranks and not yet back
  std::vector<std::uint8_t> asked(static_cast<std::size_t>(size), 0); // first request received
  bool cancelled = false;
  auto hand_out = [&](int to, std::uint64_t wanted) {
    std::vector<std::uint64_t> given;
    while (!cancelled && given.size() < wanted)
      if (const auto i = queue.try_take())
        given.push_back(*i);
      else
        break;
    if (!given.empty()) {
      detail::send_indices(world, to, given);
      outstanding[static_cast<std::size_t>(to)] += given.size();
      remote += given.size();
    }
  };
  while (ledger->finished() < missing.size()) {
    ledger->record(done.drain(poll));
    if (const auto failure = done.failure())
      detail::abort_job(world, "item " + std::to_string(done.failed_item()) +
                                   " failed on rank 0: " + detail::what_of(failure));
    int flag = 0;
    MPI_Status status;
    while ((MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, world, &flag, &status), flag)) {
      const int from = status.MPI_SOURCE;
      if (status.MPI_TAG == detail::request) {
        std::uint64_t wanted = 0;
        MPI_Recv(&wanted, 1, MPI_UINT64_T, from, detail::request, world, MPI_STATUS_IGNORE);
        asked[static_cast<std::size_t>(from)] = 1;
        hand_out(from, wanted);
      } else if (status.MPI_TAG == detail::result) {
        const std::vector<std::uint8_t> bytes = detail::receive(world, status);
        byte_reader header(bytes);
        item_record r;
        r.index = static_cast<std::size_t>(header.get<std::uint64_t>());
        r.seconds = header.get<double>();
        r.rank = from;
        r.bytes.assign(bytes.begin() + 16, bytes.end());
        ledger->record({std::move(r)});
        --outstanding[static_cast<std::size_t>(from)];
        --remote;
        hand_out(from, 1);
      } else { // failure
        const std::vector<std::uint8_t> text = detail::receive(world, status);
        detail::abort_job(world, std::string(text.begin(), text.end()));
      }
    }
    if (!cancelled && options.cancel && options.cancel->load()) {
      cancelled = true;
      queue.close(true); // rank 0's items in flight finish; nothing more is handed out
    }
    if (cancelled && remote == 0) {
      workers.join();
      ledger->record(done.drain(std::chrono::microseconds(0)));
      break;
    }
  }
  queue.close();
  workers.join();
  for (int r = 1; r < size; ++r) // a rank whose first request came after the last item
    if (!asked[static_cast<std::size_t>(r)]) {
      std::uint64_t wanted = 0;
      MPI_Recv(&wanted, 1, MPI_UINT64_T, r, detail::request, world, MPI_STATUS_IGNORE);
    }
  const std::uint8_t stop_flag = cancelled ? 1 : 0;
  for (int r = 1; r < size; ++r)
    MPI_Send(&stop_flag, 1, MPI_UINT8_T, r, detail::stop, world);
  if (cancelled)
    throw gdcert::cancelled(items - missing.size() + ledger->finished(), items);
  job_run run = std::move(*ledger).take();
  run.processes = size;
  run.threads = threads;
  run.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

/// Copies rank 0's results to every rank of `comm` (every rank calls it): for a second job whose
/// items depend on the first's results. Collective; results travel in pieces of at most 1 GiB.
inline void broadcast(job_run& run, MPI_Comm comm = MPI_COMM_WORLD) {
  const int rank = environment::rank(comm);
  std::vector<std::uint8_t> packed;
  if (rank == 0) {
    byte_writer out;
    out.put<std::uint64_t>(run.results.size());
    for (std::size_t i = 0; i < run.results.size(); ++i)
      out.put(run.results[i]).put<double>(run.seconds[i]).put<int>(run.ranks[i]);
    packed = std::move(out).take();
  }
  std::uint64_t size = packed.size();
  MPI_Bcast(&size, 1, MPI_UINT64_T, 0, comm);
  packed.resize(static_cast<std::size_t>(size));
  constexpr std::size_t piece = std::size_t{1} << 30;
  for (std::size_t at = 0; at < packed.size(); at += piece)
    MPI_Bcast(packed.data() + at, static_cast<int>(std::min(piece, packed.size() - at)), MPI_BYTE,
              0, comm);
  if (rank == 0)
    return;
  byte_reader in(packed);
  const auto items = static_cast<std::size_t>(in.get<std::uint64_t>());
  run.results.resize(items);
  run.seconds.resize(items);
  run.ranks.resize(items);
  run.recovered.assign(items, 0);
  for (std::size_t i = 0; i < items; ++i) {
    run.results[i] = in.get_vector<std::uint8_t>();
    run.seconds[i] = in.get<double>();
    run.ranks[i] = in.get<int>();
  }
  run.root = false;
}

} // namespace gdcert::mpi
