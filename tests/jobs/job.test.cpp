// Jobs and checkpoints (jobs/job.hpp, io/checkpoint.hpp, jobs/verification_job.hpp; docs/jobs.md):
// same bytes for any thread count, resume after cancellation and kill -9, refusal of other jobs'
// and damaged checkpoints.
#include <gdcert/certificates/scalar.hpp>
#include <gdcert/jobs/job.hpp>
#include <gdcert/jobs/verification_job.hpp>
#include <gdcert/problems/quartic.hpp>
#include <gdcert/problems/scalar.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

/// Items with deterministic bytes of varying length; optionally slow, optionally cancelling the
/// run after `cancel_after` items.
struct counting_job {
  std::size_t count = 40;
  std::string tag = "a";
  std::chrono::milliseconds pause{0};
  std::atomic<bool>* cancel = nullptr;
  std::size_t cancel_after = 0;
  mutable std::atomic<std::size_t> ran{0};

  [[nodiscard]] std::size_t items() const { return count; }
  [[nodiscard]] std::string description() const {
    return "counting job\ntag " + tag + "\nitems " + std::to_string(count);
  }
  [[nodiscard]] gdcert::item_bytes run_item(std::size_t i) const {
    std::this_thread::sleep_for(pause);
    if (cancel && ++ran >= cancel_after)
      *cancel = true;
    gdcert::byte_writer out;
    out.put<std::uint64_t>(i * i + 7).put(std::vector<double>(i % 5, std::sqrt(double(i))));
    return std::move(out).take();
  }
};

fs::path fresh_file(const std::string& name) {
  const fs::path folder = fs::temp_directory_path() / "gdcert_job_tests";
  fs::create_directories(folder);
  const fs::path file = folder / (name + "." + std::to_string(::getpid()));
  fs::remove(file);
  return file;
}

gdcert::job_options with(const fs::path& checkpoint, unsigned threads) {
  gdcert::job_options o;
  o.checkpoint = checkpoint;
  o.threads = threads;
  return o;
}

std::vector<gdcert::item_bytes> reference_results() {
  const counting_job job;
  return gdcert::run_job(job, with({}, 1)).results;
}

using quartic_level =
    decltype(gdcert::certificate_level(std::declval<gdcert::scalar_certificate>(), 1.0));
using quartic_job = gdcert::verification_job<gdcert::quartic_factorization, quartic_level>;

/// App. M's quartic family at η = 0.4, μ = 1/16: δ = 1.0, 1.5 proved, δ = 0.5 refuted (the
/// rigorous_admissibility example, (c)).
quartic_job quartic_cells(const gdcert::rigorous_options& options = {}) {
  const double eta = 0.4, mu = 1.0 / 16;
  const gdcert::quartic_factorization problem(eta, mu);
  const gdcert::scalar_certificate certificate{gdcert::scalar_factorization(eta)};
  quartic_job job(options);
  for (const double delta : {1.0, 0.5, 1.5})
    job.add("quartic mu = 1/16, delta = " + std::to_string(delta), problem,
            gdcert::certificate_level(certificate, delta));
  return job;
}

void require_same(const gdcert::inwardness_result& a, const gdcert::inwardness_result& b) {
  REQUIRE(a.status == b.status);
  REQUIRE(a.boxes == b.boxes);
  REQUIRE(a.proved_boxes == b.proved_boxes);
  REQUIRE(a.excluded_boxes == b.excluded_boxes);
  REQUIRE(a.undecided_boxes == b.undecided_boxes);
  REQUIRE(a.max_depth == b.max_depth);
  REQUIRE(a.certified_bound == b.certified_bound); // bit for bit: same boxes, same order
  REQUIRE(a.excluded_bound == b.excluded_bound);
  REQUIRE(a.remaining.size() == b.remaining.size());
  REQUIRE(a.counterexample.has_value() == b.counterexample.has_value());
  if (a.counterexample) {
    REQUIRE(a.counterexample->direction == b.counterexample->direction);
    REQUIRE(a.counterexample->image_value == b.counterexample->image_value);
    REQUIRE(a.counterexample->inside_value == b.counterexample->inside_value);
    REQUIRE(a.counterexample->exact_check);
  }
}

} // namespace

TEST_CASE("run_job gives the same bytes for every thread count", "[job]") {
  const auto reference = reference_results();
  REQUIRE(reference.size() == 40);
  for (const unsigned threads : {2u, 3u, 8u}) {
    const counting_job job;
    const auto run = gdcert::run_job(job, with({}, threads));
    REQUIRE(run.results == reference);
    REQUIRE(run.recovered_items == 0);
    for (const int rank : run.ranks)
      REQUIRE(rank == 0);
  }
}

TEST_CASE("a cancelled job resumes from its checkpoint to the uninterrupted bytes, computing only "
          "the missing items",
          "[job][checkpoint]") {
  const fs::path file = fresh_file("cancel");
  std::atomic<bool> stop{false};
  counting_job first;
  first.pause = std::chrono::milliseconds(5); // slow enough that the stop lands mid-run
  first.cancel = &stop;
  first.cancel_after = 15;
  gdcert::job_options options = with(file, 2);
  options.cancel = &stop;
  REQUIRE_THROWS_AS(gdcert::run_job(first, options), gdcert::cancelled);
  const counting_job second;
  const auto resumed = gdcert::run_job(second, with(file, 3));
  REQUIRE(resumed.recovered_items >= 15);
  REQUIRE(resumed.recovered_items < 40);
  REQUIRE(resumed.results == reference_results());
  // A third run computes nothing: every item is in the checkpoint.
  const auto again = gdcert::run_job(second, with(file, 1));
  REQUIRE(again.recovered_items == 40);
  REQUIRE(again.results == resumed.results);
  fs::remove(file);
}

TEST_CASE("a job killed with SIGKILL part-way resumes to the uninterrupted bytes",
          "[job][checkpoint]") {
  const fs::path file = fresh_file("kill");
  const ::pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) { // slow items: 40 × 20 ms on one thread
    counting_job slow;
    slow.pause = std::chrono::milliseconds(20);
    (void)gdcert::run_job(slow, with(file, 1));
    ::_exit(0);
  }
  // Kill once the file holds at least 5 records (header < 100 bytes, records <= 84 bytes).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline &&
         !(fs::exists(file) && fs::file_size(file) > 100 + 5 * 84))
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  REQUIRE(::kill(child, SIGKILL) == 0);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status)); // killed, not finished
  const counting_job job;
  const auto resumed = gdcert::run_job(job, with(file, 2));
  REQUIRE(resumed.recovered_items >= 5);
  REQUIRE(resumed.recovered_items < 40);
  REQUIRE(resumed.results == reference_results());
  fs::remove(file);
}

TEST_CASE("a checkpoint of another job is refused, naming the first line that differs",
          "[job][checkpoint]") {
  const fs::path file = fresh_file("mismatch");
  const counting_job a;
  (void)gdcert::run_job(a, with(file, 1));
  counting_job b;
  b.tag = "b";
  REQUIRE_THROWS_WITH(gdcert::run_job(b, with(file, 1)), Catch::Contains("another job") &&
                                                             Catch::Contains("\"tag a\"") &&
                                                             Catch::Contains("\"tag b\""));
  counting_job c;
  c.count = 41;
  REQUIRE_THROWS_AS(gdcert::run_job(c, with(file, 1)), gdcert::checkpoint_error);
  // The refused file is left as it was.
  REQUIRE(gdcert::run_job(a, with(file, 1)).recovered_items == 40);
  fs::remove(file);
}

TEST_CASE("a damaged checkpoint is refused, a record cut short at the end is dropped",
          "[job][checkpoint]") {
  const fs::path file = fresh_file("damage");
  const counting_job job;
  (void)gdcert::run_job(job, with(file, 1));
  std::string bytes;
  {
    std::ifstream in(file, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto write = [&](const std::string& content) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << content;
  };
  SECTION("a flipped payload byte fails its record's checksum") {
    std::string damaged = bytes;
    damaged[damaged.size() - 10] ^= 0x40;
    write(damaged);
    REQUIRE_THROWS_WITH(gdcert::run_job(job, with(file, 1)),
                        Catch::Contains("damaged") && Catch::Contains("checksum"));
  }
  SECTION("a header without the magic line") {
    write("not a checkpoint\n" + bytes);
    REQUIRE_THROWS_AS(gdcert::run_job(job, with(file, 1)), gdcert::checkpoint_error);
  }
  SECTION("the last record cut short (a write interrupted) is dropped and recomputed") {
    write(bytes.substr(0, bytes.size() - 7));
    const auto run = gdcert::run_job(job, with(file, 2));
    REQUIRE(run.dropped_bytes > 0);
    REQUIRE(run.recovered_items == 39);
    REQUIRE(run.results == reference_results());
    REQUIRE(gdcert::run_job(job, with(file, 1)).recovered_items == 40); // the file is whole again
  }
  fs::remove(file);
}

TEST_CASE("job_options.threads is validated", "[job]") {
  gdcert::job_options o;
  o.threads = gdcert::execution_policy::max_threads + 1;
  REQUIRE_THROWS_WITH(gdcert::run_job(counting_job{}, o), Catch::Contains("job_options.threads"));
}

TEST_CASE("verification_job: each cell merged from its root boxes equals inwardness_verifier::run "
          "(App. M quartic cells, proved and refuted exactly)",
          "[job][rigorous]") {
  const quartic_job job = quartic_cells();
  REQUIRE(job.cells() == 3);
  REQUIRE(job.items() == job.root_count(0) * 3);
  const auto run = gdcert::run_job(job, with({}, 2));
  const auto cells = job.assemble(run);
  REQUIRE(cells[0].status == gdcert::rigorous_status::proved);
  REQUIRE(cells[1].status == gdcert::rigorous_status::counterexample);
  REQUIRE(cells[2].status == gdcert::rigorous_status::proved);
  for (std::size_t c = 0; c < 3; ++c) {
    gdcert::execution_policy one;
    one.threads = 1;
    require_same(cells[c], job.verifier(c).run(one));
    REQUIRE(cells[c].seconds > 0);
  }
  // Item costs sum to the cells' costs; one thread gives the same bytes.
  REQUIRE(gdcert::run_job(job, with({}, 1)).results == run.results);
}

TEST_CASE("verification_job validates its items and refuses bytes of another job",
          "[job][rigorous]") {
  const quartic_job job = quartic_cells();
  REQUIRE_THROWS_WITH(job.run_item(job.items()), Catch::Contains("work item"));
  gdcert::job_run wrong;
  wrong.results.resize(2);
  REQUIRE_THROWS_WITH(job.assemble(wrong), Catch::Contains("job_run items"));
  REQUIRE_THROWS_AS(job.verifier(0).run_root(job.root_count(0), 10), gdcert::invalid_parameter);
}
