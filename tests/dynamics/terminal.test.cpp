// Terminal dynamics of App. F (docs/formulas.md §5): (176), the 2-cycle, μ_η, sharpness, conjugacy, Prop 9, the 2-D slice.
#include "fixtures.hpp"

#include <gdcert/dynamics/terminal.hpp>

#include <Eigen/Eigenvalues>

#include <catch2/catch.hpp>

using namespace gdcert;
using namespace gdcert::test;

TEST_CASE("g(g(L)) - L = eta L (L-1)(eta L + 2) P_eta(L) Q_eta(L) (176)", "[dynamics][exact]") {
  auto rng = generator(171);
  for (int i = 0; i < exact_points; ++i) {
    const double eta = random_dyadic(rng, 0, 2);
    const rational e = eta, l = random_rational(rng);
    const rational twice = balanced_residual_map(eta, balanced_residual_map(eta, l));
    REQUIRE(twice - l ==
            e * l * (l - 1) * (e * l + 2) * two_cycle_factor(eta, l) * two_cycle_cofactor(eta, l));
  }
}

TEST_CASE("the conjugacy x = eta(1-L)/(1+eta) maps g_eta to h(x) = (1+eta)^2 x(1-x)^2 (190-194)",
          "[dynamics][exact]") {
  auto rng = generator(172);
  for (int i = 0; i < exact_points; ++i) {
    const double eta = random_dyadic(rng, 0, 2);
    const rational l = random_rational(rng);
    REQUIRE(conjugate_map(eta, conjugacy_coordinate(eta, l)) ==
            conjugacy_coordinate(eta, balanced_residual_map(eta, l)));
  }
}

TEST_CASE("g_eta' is the derivative of g_eta, fixed and critical points (172)",
          "[dynamics][exact]") {
  auto rng = generator(173);
  for (int i = 0; i < exact_points; ++i) {
    const double eta = random_dyadic(rng, 0, 2);
    const rational e = eta;
    for (const rational& fixed : {rational(0), rational(1), rational(-2 / e)})
      REQUIRE(balanced_residual_map(eta, fixed) == fixed);
    for (const rational& critical : {rational(-1 / e), rational((2 * e - 1) / (3 * e))})
      REQUIRE(balanced_residual_derivative(eta, critical) == 0);
    // The double helpers return the same points, rounded.
    REQUIRE(balanced_fixed_points(eta)[2] == Approx(static_cast<double>(-2 / e)));
    REQUIRE(balanced_critical_points(eta)[1] ==
            Approx(static_cast<double>((2 * e - 1) / (3 * e))).margin(1e-15));
    // Exact derivative: (g(L + h) − g(L − h))/(2h) = g'(L) + η²h² for the cubic g.
    const rational l = random_rational(rng), h = rational(1, 7);
    REQUIRE((balanced_residual_map(eta, rational(l + h)) -
             balanced_residual_map(eta, rational(l - h))) /
                (2 * h) ==
            balanced_residual_derivative(eta, l) + e * e * h * h);
  }
}

TEST_CASE("g_eta maps [-1, 1] into [-1, 1] for eta in (0, 2) (Prop 9)", "[dynamics]") {
  for (int k = 1; k < 400; ++k) {
    const double eta = 2.0 * k / 400;
    double low = 1, high = -1;
    for (int j = 0; j <= 4000; ++j) {
      const double value = balanced_residual_map(eta, -1 + 2.0 * j / 4000);
      low = std::min(low, value);
      high = std::max(high, value);
    }
    INFO("eta = " << eta);
    REQUIRE(low >= -1 - 1e-15);
    REQUIRE(high <= 1 + 1e-15);
  }
}

TEST_CASE("2-cycle: g(L-) = L+, g(L+) = L-, g'(L-) g'(L+) = 7 - 4 eta - 2 eta^2 (182-184)",
          "[dynamics]") {
  for (int k = 1; k < 200; ++k) {
    const double eta = 1 + k / 200.0;
    const two_cycle cycle = balanced_two_cycle(eta);
    INFO("eta = " << eta);
    REQUIRE(std::abs(balanced_residual_map(eta, cycle.lower) - cycle.upper) <= 1e-14);
    REQUIRE(std::abs(balanced_residual_map(eta, cycle.upper) - cycle.lower) <= 1e-14);
    REQUIRE(std::abs(two_cycle_factor(eta, cycle.lower)) <= 1e-14);
    const double product = balanced_residual_derivative(eta, cycle.lower) *
                           balanced_residual_derivative(eta, cycle.upper);
    REQUIRE(std::abs(product - two_cycle_multiplier(eta)) <= 1e-14);
    REQUIRE((std::abs(two_cycle_multiplier(eta)) < 1) == two_cycle_attracting(eta));
  }
}

namespace {
/// p + q√5 with rational p, q: exact arithmetic in ℚ(√5), enough to evaluate μ at √5 − 1.
struct root_five {
  rational p, q;
  explicit root_five(double value) : p(value), q(0) {}
  root_five(rational p_, rational q_) : p(std::move(p_)), q(std::move(q_)) {}
  friend root_five operator+(const root_five& x, const root_five& y) {
    return {x.p + y.p, x.q + y.q};
  }
  friend root_five operator-(const root_five& x, const root_five& y) {
    return {x.p - y.p, x.q - y.q};
  }
  friend root_five operator*(const root_five& x, const root_five& y) {
    return {x.p * y.p + 5 * x.q * y.q, x.p * y.q + x.q * y.p};
  }
};
} // namespace

TEST_CASE("the 2-cycle attracts exactly for 1 < eta < sqrt(5) - 1 (182-184)", "[dynamics][exact]") {
  // μ_η = 7 − 4η − 2η² decreases on (1, 2) (μ' = −4 − 4η); |μ| < 1 ⇔ η ∈ (1, √5 − 1) because
  // μ(1) = 1 and μ(√5 − 1) = −1, both exactly.
  REQUIRE(two_cycle_multiplier_polynomial(rational(1)) == 1);
  const root_five at_edge = two_cycle_multiplier_polynomial(root_five(rational(-1), rational(1)));
  REQUIRE(at_edge.p == -1);
  REQUIRE(at_edge.q == 0);
  REQUIRE(two_cycle_attracting(1.0001));
  REQUIRE(two_cycle_attracting(std::sqrt(5.0) - 1 - 1e-9));
  REQUIRE_FALSE(two_cycle_attracting(std::sqrt(5.0) - 1 + 1e-9));
  REQUIRE_FALSE(two_cycle_attracting(1.0));
  // And dynamically: the critical orbit of g_η settles on {L₋, L₊} inside the window only.
  for (double eta : {1.05, 1.15, 1.23}) {
    double l = balanced_critical_points(eta)[1];
    for (int t = 0; t < 20000; ++t)
      l = balanced_residual_map(eta, l);
    const two_cycle cycle = balanced_two_cycle(eta);
    REQUIRE(std::min(std::abs(l - cycle.lower), std::abs(l - cycle.upper)) <= 1e-10);
  }
}

TEST_CASE("sharpness on the 2-cycle: S+ < 2/eta < S-, (S+ + S-)/2 = (eta+3)/(2 eta) (185-189)",
          "[dynamics]") {
  for (int k = 1; k < 200; ++k) {
    const double eta = 1 + k / 200.0;
    const two_cycle_sharpness s = balanced_two_cycle_sharpness(eta);
    REQUIRE(s.at_upper < 2 / eta);
    REQUIRE(2 / eta < s.at_lower);
    REQUIRE((s.at_upper + s.at_lower) / 2 == Approx((eta + 3) / (2 * eta)).epsilon(1e-14));
    // The Hessian of the scalar loss at a balanced point has eigenvalues L and 2 − 3L (185).
    const double l = balanced_two_cycle(eta).upper, a = std::sqrt(1 - l);
    const Eigen::Vector2d values =
        Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d>(
            scalar_factorization(eta).hessian(scalar_factorization::state<double>{a, a}))
            .eigenvalues();
    REQUIRE(values(0) == Approx(std::min(l, 2 - 3 * l)).margin(1e-14));
    REQUIRE(values(1) == Approx(std::max(l, 2 - 3 * l)).margin(1e-14));
  }
}

TEST_CASE("the Schwarzian of h is negative on [0, 1] away from its poles (194)", "[dynamics]") {
  for (int j = 0; j <= 1000; ++j) {
    const double x = j / 1000.0, pole = 1 - 4 * x + 3 * x * x;
    if (std::abs(pole) < 1e-6)
      continue;
    REQUIRE(conjugate_schwarzian(x) < 0);
  }
}

TEST_CASE("balanced slice of diag(1, sigma) (392-396) is the full map restricted to a = b, u = v",
          "[dynamics][exact]") {
  auto rng = generator(174);
  for (int i = 0; i < exact_points; ++i) {
    const diagonal_approximation problem = sample_diagonal(rng);
    const rational a = random_rational(rng), u = random_rational(rng);
    const auto full = problem.step(rank1_state<rational>{a, a, u, u});
    const auto slice = balanced_slice_step(problem, balanced_slice_state<rational>{a, u});
    REQUIRE(full.a == slice.a);
    REQUIRE(full.b == slice.a);
    REQUIRE(full.u == slice.u);
    REQUIRE(full.v == slice.u);
  }
}

TEST_CASE("terminal dynamics reject step sizes outside their range", "[dynamics][errors]") {
  REQUIRE_THROWS_WITH(balanced_two_cycle(0.9), Catch::Matchers::Contains("step size eta") &&
                                                   Catch::Matchers::Contains("(1, 2)"));
  REQUIRE_THROWS_AS(two_cycle_multiplier(2.5), invalid_parameter);
  REQUIRE_THROWS_AS(balanced_fixed_points(0.0), invalid_parameter);
}
