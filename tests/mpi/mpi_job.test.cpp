// gdcert::mpi (gdcert/jobs/mpi.hpp; docs/jobs.md): run under mpiexec -n 1, 2 and 3 by CTest.
// Every rank runs every test case in the same order (the jobs are collective);
// rank 0 compares the gathered results with the one-process engines bit for bit.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <gdcert/analysis/directions.hpp>
#include <gdcert/certificates/factorization.hpp>
#include <gdcert/certificates/scalar.hpp>
#include <gdcert/jobs/mpi.hpp>
#include <gdcert/jobs/pass_fail_job.hpp>
#include <gdcert/jobs/sweep_job.hpp>
#include <gdcert/jobs/verification_job.hpp>
#include <gdcert/problems/diagonal_approximation.hpp>
#include <gdcert/problems/quartic.hpp>
#include <gdcert/problems/rank1_factorization.hpp>
#include <gdcert/problems/scalar.hpp>

#include <cmath>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

namespace fs = std::filesystem;

int rank() {
  return gdcert::mpi::environment::rank();
}
int ranks() {
  return gdcert::mpi::environment::size();
}

/// Items of deterministic bytes and uneven cost (item i spins ~i² work units).
struct uneven_job {
  std::size_t count = 60;
  std::string tag = "a";
  [[nodiscard]] std::size_t items() const { return count; }
  [[nodiscard]] std::string description() const {
    return "uneven job\ntag " + tag + "\nitems " + std::to_string(count);
  }
  [[nodiscard]] gdcert::item_bytes run_item(std::size_t i) const {
    double x = 1.0 + double(i);
    for (std::size_t k = 0; k < 2000 * (i % 7) * (i % 7); ++k)
      x = std::sqrt(x + 1.0);
    gdcert::byte_writer out;
    out.put<double>(x).put(std::vector<std::uint64_t>(i % 4, i));
    return std::move(out).take();
  }
};

gdcert::job_options threads(unsigned n, fs::path checkpoint = {}) {
  gdcert::job_options o;
  o.threads = n;
  o.checkpoint = std::move(checkpoint);
  return o;
}

/// A checkpoint path rank 0 chooses (its process id), the same on every rank.
fs::path shared_path(const std::string& name) {
  long id = rank() == 0 ? static_cast<long>(::getpid()) : 0;
  MPI_Bcast(&id, 1, MPI_LONG, 0, MPI_COMM_WORLD);
  const fs::path folder = fs::temp_directory_path() / "gdcert_mpi_tests";
  if (rank() == 0)
    fs::create_directories(folder);
  MPI_Barrier(MPI_COMM_WORLD);
  return folder / (name + "." + std::to_string(ranks()) + "." + std::to_string(id));
}

using quartic_level =
    decltype(gdcert::certificate_level(std::declval<gdcert::scalar_certificate>(), 1.0));

} // namespace

TEST_CASE("mpi::run_job gathers on rank 0 the bytes of the one-process run_job", "[mpi]") {
  const uneven_job job;
  for (const unsigned t : {1u, 2u}) {
    const auto run = gdcert::mpi::run_job(job, threads(t));
    REQUIRE(run.processes == ranks());
    if (rank() == 0) {
      REQUIRE(run.root);
      REQUIRE(run.results == gdcert::run_job(job, threads(1)).results);
      for (const int r : run.ranks)
        REQUIRE((r >= 0 && r < ranks()));
    } else {
      REQUIRE_FALSE(run.root);
      REQUIRE(run.results.empty());
    }
  }
}

TEST_CASE("mpi::broadcast gives every rank rank 0's results", "[mpi]") {
  const uneven_job job;
  auto run = gdcert::mpi::run_job(job, threads(1));
  gdcert::mpi::broadcast(run);
  REQUIRE(run.results == gdcert::run_job(job, threads(1)).results);
}

TEST_CASE("verification_job across ranks: every cell equals inwardness_verifier::run (App. M "
          "quartic cells proved and refuted, Prop. 2 cell proved)",
          "[mpi][rigorous]") {
  const double eta = 0.4;
  const gdcert::quartic_factorization quartic(eta, 1.0 / 16);
  const gdcert::scalar_certificate scalar{gdcert::scalar_factorization(eta)};
  gdcert::verification_job<gdcert::quartic_factorization, quartic_level> job;
  for (const double delta : {0.5, 1.2, 1.9})
    job.add("quartic mu = 1/16, delta = " + gdcert::detail::to_text(delta), quartic,
            gdcert::certificate_level(scalar, delta));
  const auto run = gdcert::mpi::run_job(job, threads(1));
  if (rank() == 0) {
    const auto cells = job.assemble(run);
    gdcert::execution_policy one;
    one.threads = 1;
    for (std::size_t c = 0; c < job.cells(); ++c) {
      const auto direct = job.verifier(c).run(one);
      REQUIRE(cells[c].status == direct.status);
      REQUIRE(cells[c].boxes == direct.boxes);
      REQUIRE(cells[c].certified_bound == direct.certified_bound);
      REQUIRE(cells[c].excluded_bound == direct.excluded_bound);
      REQUIRE(cells[c].max_depth == direct.max_depth);
      if (direct.counterexample)
        REQUIRE(cells[c].counterexample->image_value == direct.counterexample->image_value);
    }
    REQUIRE(cells[0].status == gdcert::rigorous_status::counterexample);
    REQUIRE(cells[2].status == gdcert::rigorous_status::proved);
  }
}

TEST_CASE("two_parameter_pass_fail_job across ranks equals two_parameter_pass_fail_map (App. L, "
          "sigma = 0.6, eta = 0.2, 7^4 directions)",
          "[mpi][pass-fail]") {
  const gdcert::diagonal_approximation problem(0.2, 0.6);
  const auto cube = gdcert::tabulate(gdcert::cube_boundary_directions(4, 7));
  const std::vector<double> deltas = gdcert::twentieths(2, 38);
  const std::vector<double> xis = gdcert::twentieths(1, 40);
  gdcert::pass_fail_options options;
  options.refine_passing = true;
  options.refinement.max_evaluations = 200;
  const auto job = gdcert::two_parameter_pass_fail_job(problem, deltas, xis, cube, options);
  const auto run = gdcert::mpi::run_job(job, threads(1));
  if (rank() == 0) {
    const auto map = job.assemble(run);
    const auto direct = gdcert::two_parameter_pass_fail_map(problem, deltas, xis, cube, options);
    REQUIRE(map.worst == direct.worst);
    REQUIRE(map.passed == direct.passed);
    REQUIRE(map.worst_index == direct.worst_index);
    REQUIRE(map.scanned == direct.scanned);
    REQUIRE(map.tolerance == direct.tolerance);
    REQUIRE(map.refined_worst.size() == direct.refined_worst.size());
    for (std::size_t i = 0; i < map.refined_worst.size(); ++i)
      REQUIRE((map.refined_worst[i] == direct.refined_worst[i] ||
               (std::isnan(map.refined_worst[i]) && std::isnan(direct.refined_worst[i]))));
    REQUIRE(map.rows == direct.rows);
    REQUIRE(map.columns == direct.columns);
    REQUIRE(map.directions == direct.directions);
  }
}

TEST_CASE("quartic_pass_fail_job across ranks equals quartic_pass_fail_map (App. M, mu = 1/16)",
          "[mpi][pass-fail]") {
  const auto square = gdcert::tabulate(gdcert::cube_boundary_directions(2, 101));
  const auto axis = gdcert::published_delta_axis();
  const auto job = gdcert::quartic_pass_fail_job(1.0 / 16, axis, axis, square);
  const auto run = gdcert::mpi::run_job(job, threads(2));
  if (rank() == 0) {
    const auto map = job.assemble(run);
    const auto direct = gdcert::quartic_pass_fail_map(1.0 / 16, axis, axis, square);
    REQUIRE(map.worst == direct.worst);
    REQUIRE(map.passed == direct.passed);
    REQUIRE(map.worst_index == direct.worst_index);
    REQUIRE(map.row_name == direct.row_name);
    REQUIRE(map.column_name == direct.column_name);
  }
}

TEST_CASE("sweep_job across ranks equals sweep() point for point (rank-1 factorization, "
          "certified, delta tracked)",
          "[mpi][sweep]") {
  const gdcert::rank1_factorization problem(0.9);
  const gdcert::factorization_certificate certificate(problem);
  const gdcert::rank1_state<double> base{0.0, 0.0, 0.1, -0.2};
  const auto plane =
      gdcert::coordinate_plane(problem, base, 0, {-2.5, 2.5, 96}, 1, {-2.5, 2.5, 80});
  gdcert::sweep_options options;
  options.criteria.max_steps = 2000;
  options.track_state_parameter = true;
  options.keep_final_states = true;
  gdcert::execution_policy policy;
  policy.tile = 128;
  const gdcert::sweep_job<4, gdcert::rank1_factorization, gdcert::factorization_certificate> job(
      "rank1_factorization", problem, plane, options, policy, certificate, {}, 3);
  const auto run = gdcert::mpi::run_job(job, threads(1));
  if (rank() == 0) {
    const auto full = job.assemble(run);
    const auto direct = gdcert::sweep<4>(problem, plane, options, policy, certificate);
    REQUIRE(full.outcomes == direct.outcomes);
    REQUIRE(full.decision_steps == direct.decision_steps);
    REQUIRE(full.periods == direct.periods);
    REQUIRE(full.finished == direct.finished);
    REQUIRE(full.useful_steps == direct.useful_steps);
    REQUIRE(full.executed_lane_steps == direct.executed_lane_steps);
    auto same = [](const std::vector<double>& a, const std::vector<double>& b) {
      if (a.size() != b.size())
        return false;
      for (std::size_t i = 0; i < a.size(); ++i)
        if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i]))))
          return false;
      return true;
    };
    REQUIRE(same(full.final_loss, direct.final_loss));
    REQUIRE(same(full.final_state_parameter, direct.final_state_parameter));
    REQUIRE(same(full.final_sharpness, direct.final_sharpness));
    REQUIRE(same(full.overlay, direct.overlay));
    REQUIRE(same(full.final_states, direct.final_states));
    REQUIRE(same(full.state_parameter_drop, direct.state_parameter_drop));
  }
}

TEST_CASE("an MPI run resumes a checkpoint holding part of the items to the same bytes",
          "[mpi][checkpoint]") {
  const fs::path file = shared_path("resume");
  const uneven_job job;
  if (rank() == 0) { // items 0..19 finished before "the machine went down"
    fs::remove(file);
    gdcert::checkpoint_log log(file, job.description(), job.items());
    for (std::size_t i = 0; i < 20; ++i) {
      gdcert::item_record r;
      r.index = i;
      r.bytes = job.run_item(i);
      log.append(r);
    }
  }
  MPI_Barrier(MPI_COMM_WORLD);
  const auto run = gdcert::mpi::run_job(job, threads(1, file));
  if (rank() == 0) {
    REQUIRE(run.recovered_items == 20);
    REQUIRE(run.results == gdcert::run_job(job, threads(1)).results);
    // The checkpoint now holds every item: a one-process run computes nothing.
    REQUIRE(gdcert::run_job(job, threads(1, file)).recovered_items == job.items());
    fs::remove(file);
  }
}

TEST_CASE("a checkpoint of another job is refused on every rank", "[mpi][checkpoint]") {
  const fs::path file = shared_path("mismatch");
  const uneven_job a;
  if (rank() == 0) {
    fs::remove(file);
    (void)gdcert::run_job(a, threads(1, file));
  }
  MPI_Barrier(MPI_COMM_WORLD);
  uneven_job b;
  b.tag = "b";
  REQUIRE_THROWS_AS(gdcert::mpi::run_job(b, threads(1, file)), gdcert::checkpoint_error);
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank() == 0)
    fs::remove(file);
}

int main(int argc, char** argv) {
  gdcert::mpi::environment mpi(argc, argv);
  return Catch::Session().run(argc, argv);
}
