// Option structs and execution policies at the boundary (issue #14): out-of-range fields are
// named errors, extreme tile sizes cannot overflow, non-finite scan values never pass.
#include "fixtures.hpp"

#include <gdcert/analysis/boundary_scan.hpp>
#include <gdcert/problems/loss_problem.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace {
using Catch::Matchers::Contains;
constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

gdcert::execution_policy tiles_of(std::size_t tile) {
  gdcert::execution_policy policy;
  policy.tile = tile;
  policy.progress = false;
  return policy;
}
} // namespace

TEST_CASE("orbit_options fields out of range are rejected by name before any Newton step",
          "[robustness][orbit]") {
  const gdcert::rank1_factorization problem(0.5);
  const gdcert::rank1_factorization::state<double> x{1, 1, 0, 0};
  const auto rejects = [&](gdcert::orbit_options options, const char* name) {
    REQUIRE_THROWS_WITH(gdcert::find_fixed_point(problem, x, options), Contains(name));
  };
  gdcert::orbit_options o;
  o.max_iterations = -1;
  rejects(o, "orbit_options.max_iterations");
  o = {};
  o.tolerance = not_a_number;
  rejects(o, "orbit_options.tolerance");
  o = {};
  o.step_tolerance = 0;
  rejects(o, "orbit_options.step_tolerance");
  o = {};
  o.rank_threshold = 1;
  rejects(o, "orbit_options.rank_threshold");
  o = {};
  o.escape_norm = -1;
  rejects(o, "orbit_options.escape_norm");
  o = {};
  o.hyperbolicity_margin = -1e-3;
  rejects(o, "orbit_options.hyperbolicity_margin");
  REQUIRE(gdcert::find_fixed_point(problem, x).converged());
}

TEST_CASE("state_parameter_options: bits outside [1, digits] and zero iterations are rejected "
          "(a bracket 0.2 wide was reported converged)",
          "[robustness][state_parameter]") {
  const auto family = [](double delta) { return delta - 1; };
  for (const int bits : {0, -5, 54, 1000})
    REQUIRE_THROWS_WITH(gdcert::solve_state_parameter(family, 0.0, 2.0, {.bits = bits}),
                        Contains("state_parameter_options.bits"));
  REQUIRE_THROWS_WITH(gdcert::solve_state_parameter(family, 0.0, 2.0, {.max_iterations = 0}),
                      Contains("state_parameter_options.max_iterations"));
  const auto root = gdcert::solve_state_parameter(family, 0.0, 2.0, {.bits = 53});
  REQUIRE(root.status == gdcert::state_parameter_status::converged);
  REQUIRE(root.value == Approx(1).margin(1e-15));
}

TEST_CASE("sweep options: check intervals beyond 2^32 (which hung) and escape norms whose square "
          "overflows are rejected by name",
          "[robustness][sweep]") {
  const gdcert::scalar_factorization problem(0.5);
  const auto plane = gdcert::coordinate_plane(problem, gdcert::scalar_state<double>{0, 0}, 0,
                                              {-1, 1, 3}, 1, {-1, 1, 3});
  gdcert::sweep_options options;
  options.check_interval = std::size_t{1} << 62;
  REQUIRE_THROWS_WITH(gdcert::sweep(problem, plane, options), Contains("check_interval"));
  options = {};
  options.first_check = 0;
  REQUIRE_THROWS_WITH(gdcert::sweep(problem, plane, options), Contains("first_check"));
  options = {};
  options.criteria.escape_norm = 1e200;
  REQUIRE_THROWS_WITH(gdcert::sweep(problem, plane, options), Contains("criteria.escape_norm"));
  REQUIRE_THROWS_WITH(
      gdcert::classify(problem, gdcert::scalar_state<double>{1, 1}, options.criteria),
      Contains("criteria.escape_norm"));
}

TEST_CASE("a tile of SIZE_MAX is one tile: every item runs once and scans and sweeps equal those "
          "with the default tile (it gave SIGFPE and empty runs)",
          "[robustness][execution]") {
  std::vector<int> seen(10, 0);
  gdcert::for_each_tile(seen.size(), tiles_of(SIZE_MAX), [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i)
      ++seen[i];
  });
  REQUIRE(seen == std::vector<int>(10, 1));

  const gdcert::scalar_factorization scalar(0.5);
  const auto plane = gdcert::coordinate_plane(scalar, gdcert::scalar_state<double>{0, 0}, 0,
                                              {-2, 2, 9}, 1, {-2, 2, 7});
  const auto whole = gdcert::sweep(scalar, plane, {}, tiles_of(SIZE_MAX));
  const auto tiled = gdcert::sweep(scalar, plane, {}, tiles_of(5));
  REQUIRE(whole.outcomes == tiled.outcomes);
  REQUIRE(gdcert::test::same_bits(whole.final_loss, tiled.final_loss));

  const gdcert::diagonal_approximation problem(0.2, 0.5);
  const auto directions = gdcert::tabulate(gdcert::cube_boundary_directions(4, 5));
  const gdcert::two_parameter_form form(0.5);
  const Eigen::MatrixXd p = form.matrix({1.2, 0.3});
  const auto direct_whole =
      gdcert::boundary_scan_direct(problem, p, directions, {}, tiles_of(SIZE_MAX));
  const auto direct_tiled = gdcert::boundary_scan_direct(problem, p, directions, {}, tiles_of(7));
  REQUIRE(direct_whole.worst == direct_tiled.worst);
  const gdcert::boundary_scanner<gdcert::diagonal_approximation> scanner(problem, directions,
                                                                         tiles_of(SIZE_MAX));
  const gdcert::boundary_scanner<gdcert::diagonal_approximation> reference(problem, directions,
                                                                           tiles_of(64));
  REQUIRE(scanner.scan({1.2, 0.3}, {}, tiles_of(SIZE_MAX)).worst ==
          reference.scan({1.2, 0.3}, {}, tiles_of(64)).worst);
}

TEST_CASE("a boundary scan whose every value is NaN fails with worst = +inf (it passed with "
          "worst = -inf)",
          "[robustness][boundary_scan]") {
  const auto problem = gdcert::from_loss<2>(
      0.1, [](const auto& x) { return x[0] * x[1] * std::numeric_limits<double>::quiet_NaN(); });
  const auto directions = gdcert::tabulate(gdcert::cube_boundary_directions(2, 9));
  const auto scan =
      gdcert::boundary_scan_direct(problem, Eigen::MatrixXd::Identity(2, 2), directions);
  REQUIRE_FALSE(scan.passed);
  REQUIRE(scan.worst == std::numeric_limits<double>::infinity());
}
