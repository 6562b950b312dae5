// Minimizer and stationary sets (15-16, 20-21, 337, [LM]): gradients vanish on them, distances are Euclidean.
#include "fixtures.hpp"

#include <catch2/catch.hpp>

using namespace gdcert;
using namespace gdcert::test;

namespace {
/// Brute-force distance to {ab = c} by dense sampling of both branches (a reference, not a method).
double sampled_distance_to_hyperbola(double a, double b, double c) {
  double best = 1e300;
  for (int i = -200000; i <= 200000; ++i) {
    const double t = std::sinh(i * 6e-5) * 3; // dense near 0 and far out
    if (t == 0)
      continue;
    best = std::min(best, std::hypot(a - t, b - c / t));
  }
  return best;
}
} // namespace

TEST_CASE("distance to the hyperbola {ab = c} matches a dense sampled reference",
          "[problems][stationary]") {
  auto rng = generator(51);
  for (int i = 0; i < 20; ++i) {
    const double a = uniform(rng, -3, 3), b = uniform(rng, -3, 3), c = uniform(rng, 0.2, 2);
    const scalar_factorization problem(0.5, c);
    INFO("a = " << a << ", b = " << b << ", c = " << c);
    REQUIRE(problem.distance_to_minimizers(scalar_factorization::state<double>{a, b}) ==
            Approx(sampled_distance_to_hyperbola(a, b, c)).epsilon(1e-6).margin(1e-6));
  }
}

TEST_CASE("minimizers (15) and the saddle branch (16) of rank-1 factorization are stationary",
          "[problems][stationary]") {
  const rank1_factorization problem(0.5);
  auto rng = generator(52);
  for (int i = 0; i < 100; ++i) {
    const double a = uniform(rng, 0.2, 3) * (i % 2 ? 1 : -1), rho = uniform(rng, -2, 2);
    const rank1_state<double> minimizer{a, 1 / a, 0, 0}, saddle{0, 0, rho, 0};
    REQUIRE(problem.coordinates(problem.gradient(minimizer)).norm() <= 1e-14);
    REQUIRE(problem.coordinates(problem.gradient(saddle)).norm() == 0);
    REQUIRE(problem.distance_to_minimizers(minimizer) <= 1e-12);
    REQUIRE(problem.is_minimizer(minimizer, 1e-12));
    REQUIRE(problem.is_stationary(saddle, 0.0));
    REQUIRE_FALSE(problem.is_minimizer(saddle, 0.1));
    // The map fixes both.
    REQUIRE(
        (problem.coordinates(problem.step(minimizer)) - problem.coordinates(minimizer)).norm() <=
        1e-14);
  }
  // A point off S: distance is the smaller of the two branch distances.
  const rank1_state<double> x{0.1, 0.2, 0.3, 0.05};
  REQUIRE(problem.distance_to_stationary(x) == Approx(std::hypot(0.1, 0.2, 0.05)));
}

TEST_CASE("diag(1, sigma) stationary set includes {a = b = 0, uv = sigma} (337)",
          "[problems][stationary]") {
  const diagonal_approximation problem(0.3, 0.4);
  const rank1_state<double> x{0, 0, 2.0, 0.2};
  REQUIRE(problem.coordinates(problem.gradient(x)).norm() <= 1e-15);
  REQUIRE(problem.distance_to_stationary(x) <= 1e-12);
  REQUIRE(problem.distance_to_minimizers(x) > 0.5);
}

TEST_CASE("rank-1 approximation minimizers {a || b, <a,b> = 1, u = v = 0} (20)",
          "[problems][stationary]") {
  const rank1_approximation problem(0.4, 3);
  auto rng = generator(53);
  for (int i = 0; i < 30; ++i) {
    Eigen::Vector3d e(uniform(rng, -1, 1), uniform(rng, -1, 1), uniform(rng, -1, 1));
    e.normalize();
    const double t = uniform(rng, 0.3, 3);
    const rank1_approximation::state<double> on{t * e, e / t, 0, 0};
    REQUIRE(problem.coordinates(problem.gradient(on)).norm() <= 1e-13);
    REQUIRE(problem.distance_to_minimizers(on) <= 1e-7);
    // Moving off along u by 0.3 gives distance 0.3 exactly.
    rank1_approximation::state<double> off = on;
    off.u = 0.3;
    REQUIRE(problem.distance_to_minimizers(off) == Approx(0.3).epsilon(1e-6));
  }
  const rank1_approximation general(0.4, Eigen::Vector2d(2, 1), 0.0);
  REQUIRE_THROWS_AS(general.distance_to_minimizers(rank1_approximation::state<double>{
                        Eigen::Vector2d(1, 1), Eigen::Vector2d(1, 1), 0, 0}),
                    std::domain_error);
}

TEST_CASE("regularized minimizers {u = sgn(y) v, |u|^2 = |y| - lambda} are fixed points [LM]",
          "[problems][stationary]") {
  for (double y : {0.5, -0.7}) {
    const regularized_factorization problem(0.8, 3, y, 0.2);
    Eigen::Vector3d u(0.3, -0.5, 0.8);
    u *= std::sqrt(std::abs(y) - 0.2) / u.norm();
    const regularized_factorization::state<double> x{u, (y > 0 ? 1.0 : -1.0) * u};
    REQUIRE(problem.coordinates(problem.gradient(x)).norm() <= 1e-15);
    REQUIRE(problem.distance_to_minimizers(x) <= 1e-7);
    regularized_factorization::state<double> moved = x;
    moved.u *= 1.5;
    REQUIRE(problem.distance_to_minimizers(moved) > 0.1);
  }
}

TEST_CASE("quartic stationary set gains ab = 1 +- 1/(2 sqrt(-mu)) for mu < 0",
          "[problems][stationary]") {
  const quartic_factorization problem(0.3, -0.25);
  const double c = 1 + 1 / (2 * std::sqrt(0.25)); // ab = 2
  const quartic_factorization::state<double> x{2.0, c / 2.0};
  REQUIRE(problem.coordinates(problem.gradient(x)).norm() <= 1e-15);
  REQUIRE(problem.distance_to_stationary(x) <= 1e-9);
  REQUIRE(problem.distance_to_minimizers(x) > 0.1);
}

TEST_CASE("matrix problem: Eckart-Young minimum loss and optimality gap",
          "[problems][stationary]") {
  Eigen::MatrixXd target = Eigen::MatrixXd::Zero(3, 3);
  target.diagonal() << 3, 2, 1;
  const matrix_factorization problem(0.1, target, 1);
  REQUIRE(problem.minimum_loss() == Approx(0.5 * (4 + 1)));
  matrix_factorization::state<double> best{Eigen::MatrixXd::Zero(3, 1),
                                           Eigen::MatrixXd::Zero(3, 1)};
  best.A(0, 0) = std::sqrt(3.0);
  best.B(0, 0) = std::sqrt(3.0);
  REQUIRE(problem.optimality_gap(best) == Approx(0).margin(1e-14));
  REQUIRE(problem.is_minimizer(best, 1e-12));
  REQUIRE(problem.is_stationary(best, 1e-12));
  const matrix_factorization ridge(0.1, target, 1, 0.5);
  best.A(0, 0) = best.B(0, 0) = std::sqrt(2.5);
  REQUIRE(ridge.minimum_loss() == Approx(0.5 * 3 - 0.125 + 2.5));
  REQUIRE(ridge.optimality_gap(best) == Approx(0).margin(1e-13));
}

TEST_CASE("distance to {ab = c} is accurate next to the set, far along its asymptotes and next "
          "to the balanced lines a = +-b (Newton on the Lagrange multiplier)",
          "[problems][stationary]") {
  auto rng = generator(52);
  for (int i = 0; i < 40; ++i) {
    const double c = uniform(rng, 0.2, 2), a = std::exp(uniform(rng, -2, 2));
    const scalar_factorization problem(0.5, c);
    using state = scalar_factorization::state<double>;
    // Just off the set along its unit normal (b, a)/|(a, b)| at (a, c/a): distance = |offset|.
    const double b = c / a, norm = std::hypot(a, b);
    for (const double offset : {1e-9, -1e-7, 1e-4}) {
      const state x{a + offset * b / norm, b + offset * a / norm};
      REQUIRE(problem.distance_to_minimizers(x) ==
              Approx(std::abs(offset)).epsilon(1e-6).margin(1e-15));
    }
    // Next to the balanced lines (a ≈ ±b), where the multiplier approaches ±1.
    const double t = uniform(rng, -3, 3);
    for (const state x : {state{t, t + 1e-9}, state{t, -t + 1e-9}})
      REQUIRE(problem.distance_to_minimizers(x) ==
              Approx(sampled_distance_to_hyperbola(x.a, x.b, c)).epsilon(1e-6).margin(1e-6));
  }
  // c = 0: the axes; c < 0: the mirror image b -> -b of c > 0.
  for (int i = 0; i < 100; ++i) {
    const double a = uniform(rng, -3, 3), b = uniform(rng, -3, 3);
    REQUIRE(detail::distance_to_hyperbola(a, b, 0.0) ==
            Approx(std::min(std::abs(a), std::abs(b))).margin(1e-14));
    REQUIRE(detail::distance_to_hyperbola(a, b, -0.7) == detail::distance_to_hyperbola(a, -b, 0.7));
  }
}

TEST_CASE("distance to {ab = c} at degenerate points a = +-b (origin, balanced line)",
          "[problems][stationary]") {
  const scalar_factorization problem(0.5);
  using state = scalar_factorization::state<double>;
  REQUIRE(problem.distance_to_minimizers(state{0, 0}) == Approx(std::sqrt(2.0)));
  REQUIRE(problem.distance_to_minimizers(state{3, 3}) ==
          Approx(std::sqrt(7.0))); // feet ((3 ± √5)/2, (3 ∓ √5)/2)
  REQUIRE(problem.distance_to_minimizers(state{1, -1}) ==
          Approx(sampled_distance_to_hyperbola(1, -1, 1)).epsilon(1e-6));
  REQUIRE(problem.distance_to_minimizers(state{0.5, 0.5}) ==
          Approx(sampled_distance_to_hyperbola(0.5, 0.5, 1)).epsilon(1e-6));
}
