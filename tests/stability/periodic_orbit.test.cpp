// Fixed points and periodic orbits with their spectra (docs/formulas.md §6): saddles (129-132), minimizers (140-143), the 2-cycle on K₂.
#include "fixtures.hpp"

#include <gdcert/dynamics/terminal.hpp>
#include <gdcert/stability/periodic_orbit.hpp>
#include <gdcert/stability/rank1_spectra.hpp>

#include <catch2/catch.hpp>

using namespace gdcert;
using namespace gdcert::test;

namespace {
Eigen::Vector2d signal_block_eigenvalues(const rank1_factorization& problem,
                                         const rank1_state<double>& x) {
  const Eigen::Matrix2d block = problem.jacobian(x).topLeftCorner(2, 2);
  return Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d>(block).eigenvalues();
}
} // namespace

TEST_CASE(
    "non-minimizing points on the limiting boundary are fixed and have an eigenvalue > 1 (129-132)",
    "[stability]") {
  auto rng = generator(181);
  for (int i = 0; i < 100; ++i) {
    const double delta_star = uniform(rng, 0.05, 1.95), eta = uniform(rng, 0.05, 1.9);
    const rank1_factorization problem(eta);
    const factorization_certificate certificate(problem);
    const double rho = limiting_saddle_radius(delta_star);
    for (const rank1_state<double>& saddle : limiting_saddles(delta_star)) {
      REQUIRE(std::abs(certificate(delta_star, saddle)) <= 1e-12); // on {I_fac(δ*) = 0}
      // The solver finds the point again from a nearby start.
      const rank1_state<double> start{1e-7, -2e-7, saddle.u + 1e-7, saddle.v};
      const auto orbit = find_fixed_point(problem, start);
      REQUIRE(orbit.converged());
      const auto& found_point = orbit.points[0];
      REQUIRE(problem.distance_to_stationary(found_point) <= 1e-12);
      REQUIRE(std::hypot(found_point.u - saddle.u, found_point.v - saddle.v) <= 1e-6);
      // Its signal block has the eigenvalues of (130-132), the larger one above 1.
      const auto expected = saddle_signal_eigenvalues(eta, rho);
      const Eigen::Vector2d found = signal_block_eigenvalues(problem, saddle);
      REQUIRE(found(0) == Approx(expected[0]).margin(1e-12));
      REQUIRE(found(1) == Approx(expected[1]).margin(1e-12));
      REQUIRE(expected[1] > 1);
      REQUIRE(spectrum_of(problem.jacobian(saddle)).spectral_radius > 1);
    }
  }
}

TEST_CASE("minimizers: signal eigenvalues {1, 1 - eta(a^2+b^2)}, unstable for eta > 1, stable for "
          "eta < 2/(a^2+b^2) (140-143)",
          "[stability]") {
  auto rng = generator(182);
  for (int i = 0; i < 200; ++i) {
    const double eta = uniform(rng, 0.05, 1.95), a = uniform(rng, 0.3, 3) * (i % 2 ? 1 : -1);
    const rank1_factorization problem(eta);
    const rank1_state<double> minimizer{a, 1 / a, 0, 0};
    const auto expected = minimizer_signal_eigenvalues(eta, a);
    const Eigen::Vector2d found = signal_block_eigenvalues(problem, minimizer);
    REQUIRE(std::min(found(0), found(1)) ==
            Approx(std::min(expected[0], expected[1])).margin(1e-12));
    REQUIRE(std::max(found(0), found(1)) ==
            Approx(std::max(expected[0], expected[1])).margin(1e-12));
    const double total = a * a + 1 / (a * a);
    REQUIRE(minimizer_stable_in_signal_block(eta, a) == (eta < 2 / total));
    const auto spectrum = spectrum_of(problem.jacobian(minimizer));
    if (eta > 1)
      REQUIRE(spectrum.spectral_radius > 1); // a² + b² >= 2 ⇒ 1 − η(a² + b²) < −1
    // The minimizer curve is a manifold of fixed points: eigenvalue 1, never hyperbolic.
    REQUIRE(spectrum.stability != orbit_stability::attracting);
    const auto orbit = find_fixed_point(problem, rank1_state<double>{a + 1e-4, 1 / a, 1e-4, 0});
    REQUIRE(orbit.converged());
    REQUIRE(problem.distance_to_minimizers(orbit.points[0]) <= 1e-9);
  }
}

TEST_CASE("the full 4-D map has a 2-cycle on K2 whose balanced multiplier is mu_eta (182-184)",
          "[stability]") {
  for (double eta : {1.02, 1.05, 1.15, 1.23, 1.3, 1.5}) {
    const rank1_factorization problem(eta);
    const two_cycle cycle = balanced_two_cycle(eta);
    const double a = std::sqrt(1 - cycle.lower) + 1e-3; // near (a, a, 0, 0) with 1 − a² = L₋
    const auto orbit =
        find_periodic_orbit(problem, rank1_state<double>{a, a - 2e-3, 1e-3, -1e-3}, 2);
    INFO("eta = " << eta << ", status " << to_string(orbit.status));
    REQUIRE(orbit.converged());
    REQUIRE(orbit.minimal_period == 2);
    const factorization_certificate certificate(problem);
    double residuals[2];
    for (int i = 0; i < 2; ++i) {
      REQUIRE(certificate.distance_to_terminal_set(orbit.points[i]) <= 1e-10); // on K₂^fac
      residuals[i] = factorization_certificate::residual(orbit.points[i]);
    }
    REQUIRE(std::min(residuals[0], residuals[1]) == Approx(cycle.lower).margin(1e-12));
    REQUIRE(std::max(residuals[0], residuals[1]) == Approx(cycle.upper).margin(1e-12));
    const double balanced =
        directional_multiplier<double>(orbit.monodromy, Eigen::Vector4d(1, 1, 0, 0));
    REQUIRE(balanced == Approx(two_cycle_multiplier(eta)).margin(1e-10));
    // Attracting in all four directions exactly inside the window (1, √5 − 1).
    REQUIRE((orbit.spectrum.stability == orbit_stability::attracting) == two_cycle_attracting(eta));
  }
}

TEST_CASE("orbit solver: period validation, iteration limit, scalar period-2 orbit",
          "[stability]") {
  const scalar_factorization problem(1.15);
  const scalar_factorization::state<double> start{0.5, 0.6};
  REQUIRE_THROWS_WITH(find_periodic_orbit(problem, start, 0),
                      Catch::Matchers::Contains("period p"));
  REQUIRE_THROWS_WITH(find_periodic_orbit(problem, start, 9),
                      Catch::Matchers::Contains("1 <= p <= 8"));
  const scalar_factorization::state<double> broken{std::nan(""), 0};
  REQUIRE_THROWS_AS(find_periodic_orbit(problem, broken, 2), invalid_parameter);
  orbit_options none;
  none.max_iterations = 0;
  REQUIRE(find_periodic_orbit(problem, start, 2, none).status == orbit_status::iteration_limit);
  // The scalar problem's balanced 2-cycle: a = b with 1 − a² = L±.
  const two_cycle cycle = balanced_two_cycle(1.15);
  const double a = std::sqrt(1 - cycle.upper);
  const auto orbit =
      find_periodic_orbit(problem, scalar_factorization::state<double>{a + 1e-3, a}, 2);
  REQUIRE(orbit.converged());
  REQUIRE(orbit.minimal_period == 2);
  REQUIRE(orbit.spectrum.stability == orbit_stability::attracting);
  // Period 4 finds the same orbit, with minimal period 2.
  const auto again = find_periodic_orbit(problem, orbit.points[0], 4);
  REQUIRE(again.converged());
  REQUIRE(again.minimal_period == 2);
  REQUIRE(to_string(orbit_stability::saddle) == "saddle");
}

TEST_CASE("the Newton step of the orbit solver is the minimum-norm solution of a rank-deficient "
          "system (x = A⁺b for b in the range of A)",
          "[stability]") {
  auto rng = generator(907);
  for (int trial = 0; trial < 50; ++trial) {
    const Eigen::Index n = 3 + trial % 4, rank = 1 + trial % (n - 1);
    matrix<double> left(n, rank), right(rank, n);
    for (Eigen::Index i = 0; i < n; ++i)
      for (Eigen::Index j = 0; j < rank; ++j) {
        left(i, j) = uniform(rng, -1, 1);
        right(j, i) = uniform(rng, -1, 1);
      }
    const matrix<double> a = left * right; // rank `rank` with probability 1
    vector<double> y(n);
    for (Eigen::Index i = 0; i < n; ++i)
      y(i) = uniform(rng, -1, 1);
    const vector<double> b = a * y; // in the range of a
    Eigen::Index found_rank = -1;
    const vector<double> x = detail::minimum_norm_solution(a, b, 1e-10, found_rank);
    REQUIRE(found_rank == rank);
    REQUIRE((a * x - b).norm() <= 1e-10 * (1 + b.norm()));
    // Minimum norm: x ⟂ ker a, i.e. x lies in range(aᵀ) = range(rightᵀ) (left has full column
    // rank), the one solution there being A⁺b. Projection onto range(rightᵀ):
    // rightᵀ(right·rightᵀ)⁻¹right.
    const matrix<double> gram = right * right.transpose();
    const vector<double> projected =
        right.transpose() * Eigen::FullPivLU<matrix<double>>(gram).solve(vector<double>(right * x));
    REQUIRE((x - projected).norm() <= 1e-9 * (1 + x.norm()));
    REQUIRE(x.norm() <= y.norm() + 1e-9); // y solves it too, so it is no shorter
  }
}
