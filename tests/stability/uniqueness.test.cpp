// Theorem 4 (App. H, eqs. 270-304) and the block forms of App. I (310-357): the Lagrange condition recovers P(δ), (318) and (341-344).
#include "fixtures.hpp"

#include <gdcert/stability/uniqueness.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

using namespace gdcert;
using namespace gdcert::test;

namespace {

using extended = long double;

/// 200 values of a* on [0.2, 5] with |a*² − 1| >= 1e-3, plus near-balanced ones just outside
/// that band (the grid itself comes no closer than |a*² − 1| ≈ 8e-3).
std::vector<double> signal_points() {
  std::vector<double> points;
  for (int k = 0; k < 200; ++k) {
    const double a = 0.2 + 4.8 * k / 199;
    if (std::abs(a * a - 1) >= 1e-3)
      points.push_back(a);
  }
  for (double gap : {1.001e-3, -1.001e-3, 3e-3, -3e-3, 1e-2, -1e-2})
    points.push_back(std::sqrt(1 + gap));
  points.push_back(-2.5); // the minimizers (a*, 1/a*) with a* < 0 give the same P
  return points;
}

/// 200 values of u* on [0.2√σ, 5√σ] with |u*² − σ| >= 1e-3 σ: the noise slice is the signal
/// problem rescaled by √σ.
std::vector<double> noise_points(double sigma) {
  std::vector<double> points;
  for (int k = 0; k < 200; ++k) {
    const double u = std::sqrt(sigma) * (0.2 + 4.8 * k / 199);
    if (std::abs(u * u - sigma) >= 1e-3 * sigma)
      points.push_back(u);
  }
  points.push_back(std::sqrt(sigma * (1 + 1.001e-3)));
  points.push_back(std::sqrt(sigma * (1 - 1.001e-3)));
  return points;
}

template <class Real>
Real relative_error(Real value, extended reference) {
  return Real(std::abs((extended(value) - reference) / reference));
}

/// The relative accuracy of P(κ) = [[κ, −κ²s/2], [−κ²s/2, κ]]/(4 − κ²s²) evaluated in double
/// from a rounded κ: 4 − κ²s² = (2 − κs)(2 + κs) loses ~ε/(2 − κs) to cancellation, so the
/// reference itself carries that error near the balanced point (2 − κs → 0).
double normal_form_tolerance(double two_minus_scaled) {
  return 1e-12 + 32 * std::numeric_limits<double>::epsilon() / two_minus_scaled;
}

/// The eigenvalues of [[c, d], [d, c]] are c ± d.
template <class Real>
bool positive_definite(const Eigen::Matrix<Real, 2, 2>& m) {
  return m(0, 0) + m(0, 1) > 0 && m(0, 0) - m(0, 1) > 0;
}

rank1_state<double> random_point(std::mt19937_64& rng) {
  return {uniform(rng, -2, 2), uniform(rng, -2, 2), uniform(rng, -2, 2), uniform(rng, -2, 2)};
}

double quadratic_form(const Eigen::Matrix4d& p, const rank1_state<double>& x) {
  const Eigen::Vector4d y(x.a, x.b, x.u, x.v);
  return y.dot(p * y);
}

} // namespace

TEMPLATE_TEST_CASE("(289)-(294): Case 2, P x* || (a*^2, -1) with x*^T P x* = 1 (276), recovers "
                   "c = a*^2(a*^4+1)/(a*^4-1)^2, d = -2a*^4/(a*^4-1)^2",
                   "[stability][uniqueness]", double, long double) {
  using Real = TestType;
  for (double point : signal_points()) {
    const Real a = Real(point);
    INFO("a* = " << point);
    const auto solution = recover_signal_block(a);
    const auto reference = signal_coefficients(extended(a));
    CHECK(solution.rank == 3);
    CHECK(solution.relative_residual <= Real(1e-14));
    CHECK(relative_error(solution.diagonal, reference.diagonal) <= Real(1e-12));
    CHECK(relative_error(solution.off_diagonal, reference.off_diagonal) <= Real(1e-12));
    CHECK(relative_error(solution.multiplier, lagrange_proportionality(extended(a), 1.0L)) <=
          Real(1e-12));
    CHECK(solution.positive_definite);
    CHECK(positive_definite(solution.matrix));
    CHECK(solution.matrix(0, 0) == solution.diagonal);
    CHECK(solution.matrix(1, 0) == solution.off_diagonal);
    // (289) and (276) hold for the returned matrix, up to the size of c, d (~ 1/(a*² − 1)²).
    const Eigen::Matrix<Real, 2, 1> x(a, 1 / a);
    const Eigen::Matrix<Real, 2, 1> px = solution.matrix * x;
    const Real size = solution.matrix.cwiseAbs().maxCoeff() * x.squaredNorm();
    CHECK((px - solution.multiplier * scalar_minimizer_kernel(a)).norm() <= Real(1e-13) * size);
    CHECK(std::abs(x.dot(px) - 1) <= Real(1e-13) * size);
    // The eigen-coordinates the solver uses are perfectly conditioned (componentwise); the
    // paper's unknowns (c, d, t) degrade like ((a*² + 1)/(a*² − 1))² near the balanced point.
    CHECK(solution.scaled_condition_number <= Real(2.5));
    const Real ratio = (a * a + 1) / (a * a - 1);
    CHECK(solution.coefficient_condition_number >= ratio * ratio / 4);
  }
}

TEST_CASE("(295)-(296), (300): delta = 4a*^2/(a*^4+1) lies in (0, 2) and the recovered P equals "
          "scalar_certificate::normal_form_matrix(delta)",
          "[stability][uniqueness]") {
  for (double a : signal_points()) {
    INFO("a* = " << a);
    const auto solution = recover_signal_block(a);
    const double delta = solution.state_parameter;
    CHECK(delta == signal_state_parameter(a));
    CHECK(delta > 0);
    CHECK(delta < 2);
    const double two_minus_delta = 2 * (a * a - 1) * (a * a - 1) / (a * a * a * a + 1); // (296)
    CHECK(std::abs((2 - delta) - two_minus_delta) <= 2e-15);
    const Eigen::Matrix2d expected = scalar_certificate::normal_form_matrix(delta);
    const double tolerance = normal_form_tolerance(two_minus_delta);
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j)
        CHECK(std::abs(solution.matrix(i, j) - expected(i, j)) <=
              tolerance * std::abs(expected(i, j)));
    // δ read back from the matrix: d/c = −δ/2 (298-299).
    CHECK(std::abs(-2 * solution.off_diagonal / solution.diagonal - delta) <= 1e-13 * delta);
  }
  // 1e-12 with the plain reference wherever 2 − δ >= 1e-3, i.e. away from a*² = 1.
  int plain = 0;
  for (double a : signal_points()) {
    const double delta = signal_state_parameter(a);
    if (2 - delta < 1e-3)
      continue;
    ++plain;
    const Eigen::Matrix2d expected = scalar_certificate::normal_form_matrix(delta);
    CHECK((recover_signal_block(a).matrix - expected).cwiseAbs().maxCoeff() <=
          1e-12 * expected.cwiseAbs().maxCoeff());
  }
  CHECK(plain > 150);
}

TEMPLATE_TEST_CASE("(283)-(288): the Case-1 candidate P x* || (1, a*^2) is [[0, 1/2], [1/2, 0]], "
                   "not positive definite",
                   "[stability][uniqueness]", double, long double) {
  using Real = TestType;
  for (double point : signal_points()) {
    INFO("a* = " << point);
    const auto solution = recover_signal_block(Real(point));
    CHECK_FALSE(solution.case1_positive_definite);
    CHECK_FALSE(positive_definite(solution.case1_candidate));
    CHECK(std::abs(solution.case1_candidate(0, 0)) <= Real(1e-13));
    CHECK(std::abs(solution.case1_candidate(1, 1)) <= Real(1e-13));
    CHECK(std::abs(solution.case1_candidate(0, 1) - Real(0.5)) <= Real(1e-13));
    CHECK(std::abs(solution.case1_candidate(1, 0) - Real(0.5)) <= Real(1e-13));
  }
}

TEST_CASE("(292), (294), (296)-(299): the Case-2 solution and its reparametrization by delta "
          "are rational identities in a* (exact)",
          "[stability][uniqueness][exact]") {
  auto rng = generator(1401);
  int checked = 0;
  while (checked < exact_points) {
    const rational a = random_rational(rng);
    const rational a2 = a * a, a4 = a2 * a2;
    if (a == 0 || a2 == 1)
      continue;
    ++checked;
    const auto [c, d] = signal_coefficients(a);
    // (294) solves (292) and the normalization (276) at x* = (a*, 1/a*).
    REQUIRE(2 * c * a2 + d * (1 + a4) == 0);
    REQUIRE(c * (a2 + 1 / a2) + 2 * d == 1);
    // (289): P x* = t (a*², −1), t = a*/(a*⁴ − 1).
    const rational t = lagrange_proportionality(a, rational(1));
    REQUIRE(c * a + d / a == t * a2);
    REQUIRE(d * a + c / a == -t);
    // (295)-(297).
    const rational delta = signal_state_parameter(a);
    REQUIRE(delta == 4 * a2 / (a4 + 1));
    REQUIRE(2 - delta == 2 * (a2 - 1) * (a2 - 1) / (a4 + 1));
    REQUIRE(4 - delta * delta == 4 * (a4 - 1) * (a4 - 1) / ((a4 + 1) * (a4 + 1)));
    REQUIRE(delta > 0);
    REQUIRE(delta < 2);
    // (298), (299): δ/(4 − δ²) = c, −δ²/(2(4 − δ²)) = d.
    const auto normal = normal_form_coefficients(delta, rational(1));
    REQUIRE(normal.diagonal == c);
    REQUIRE(normal.off_diagonal == d);
    REQUIRE(delta / (4 - delta * delta) == c);
    REQUIRE(-delta * delta / (2 * (4 - delta * delta)) == d);
    // (285)-(288): Case 1 forces c = 0, d = 1/2, and det = −1/4 < 0.
    const rational t1 = 1 / (2 * a);
    REQUIRE(rational(0) * a + rational(1, 2) / a == t1);
    REQUIRE(rational(1, 2) * a + rational(0) / a == t1 * a2);
    REQUIRE(2 * rational(1, 2) * a * (1 / a) == 1);
  }
}

TEMPLATE_TEST_CASE("(343)-(344), (353)-(356): the noise block recovered at (u*, sigma/u*) is "
                   "[[xi, -xi^2 sigma/2], [-xi^2 sigma/2, xi]]/(4 - xi^2 sigma^2), "
                   "xi = 4u*^2/(u*^4 + sigma^2)",
                   "[stability][uniqueness][block]", double, long double) {
  using Real = TestType;
  for (double sigma_value : {0.2, 0.5, 0.9}) {
    const Real sigma = Real(sigma_value);
    for (double point : noise_points(sigma_value)) {
      const Real u = Real(point);
      INFO("sigma = " << sigma_value << ", u* = " << point);
      const auto solution = recover_noise_block(u, sigma);
      const auto reference = noise_coefficients(extended(u), extended(sigma));
      CHECK(solution.rank == 3);
      CHECK(relative_error(solution.diagonal, reference.diagonal) <= Real(1e-12));
      CHECK(relative_error(solution.off_diagonal, reference.off_diagonal) <= Real(1e-12));
      CHECK(relative_error(solution.multiplier,
                           lagrange_proportionality(extended(u), extended(sigma))) <= Real(1e-12));
      CHECK(solution.positive_definite);
      // ξ ∈ (0, 2/σ): 2 − σξ = 2(u*² − σ)²/(u*⁴ + σ²) > 0.
      const Real xi = solution.state_parameter;
      CHECK(xi == noise_state_parameter(u, sigma));
      CHECK(xi > 0);
      CHECK(xi < 2 / sigma);
      // The closed form (343) through ξ, to the accuracy it has in floating point.
      const Real two_minus =
          2 * (u * u - sigma) * (u * u - sigma) / (u * u * u * u + sigma * sigma);
      const auto closed = normal_form_coefficients(xi, sigma);
      const Real tolerance = Real(1e-12) + 32 * std::numeric_limits<Real>::epsilon() / two_minus;
      CHECK(relative_error(solution.diagonal, extended(closed.diagonal)) <= tolerance);
      CHECK(relative_error(solution.off_diagonal, extended(closed.off_diagonal)) <= tolerance);
      // Case 1 on the slice: [[0, 1/(2σ)], [1/(2σ), 0]], indefinite.
      CHECK_FALSE(solution.case1_positive_definite);
      CHECK(std::abs(solution.case1_candidate(0, 0)) * sigma <= Real(1e-13));
      CHECK(std::abs(solution.case1_candidate(0, 1) * 2 * sigma - 1) <= Real(1e-13));
    }
  }
}

TEST_CASE("(343)-(344): xi in (0, 2/sigma) and the noise block equals its u* form, as rational "
          "identities (exact)",
          "[stability][uniqueness][block][exact]") {
  auto rng = generator(1402);
  int checked = 0;
  while (checked < exact_points) {
    const rational u = random_rational(rng);
    const rational sigma = rational(std::uniform_int_distribution<int>(1, 96)(rng), 97);
    const rational u2 = u * u, u4 = u2 * u2, s2 = sigma * sigma;
    if (u == 0 || u2 == sigma)
      continue;
    ++checked;
    const rational xi = noise_state_parameter(u, sigma);
    REQUIRE(xi == 4 * u2 / (u4 + s2));
    REQUIRE(2 - sigma * xi == 2 * (u2 - sigma) * (u2 - sigma) / (u4 + s2));
    REQUIRE(4 - xi * xi * s2 == 4 * (u4 - s2) * (u4 - s2) / ((u4 + s2) * (u4 + s2)));
    REQUIRE(xi > 0);
    REQUIRE(sigma * xi < 2);
    const auto [c2, f] = noise_coefficients(u, sigma);
    const auto normal = normal_form_coefficients(xi, sigma);
    REQUIRE(normal.diagonal == c2);
    REQUIRE(normal.off_diagonal == f);
    REQUIRE(c2 == xi / (4 - xi * xi * s2));
    REQUIRE(f == -xi * xi * sigma / (2 * (4 - xi * xi * s2)));
    // The slice Lagrange condition: Q z* = t (u*², −σ) and z*ᵀQz* = 1 at z* = (u*, σ/u*).
    const rational v = sigma / u, t = lagrange_proportionality(u, sigma);
    REQUIRE(c2 * u + f * v == t * u2);
    REQUIRE(f * u + c2 * v == -t * sigma);
    REQUIRE(c2 * (u2 + v * v) + 2 * f * u * v == 1);
  }
}

TEMPLATE_TEST_CASE("(341), (345), (349)-(351): Prop 15's 4x4 form is block diagonal, satisfies "
                   "the Lagrange condition at x* and z*, and is the matrix of I(delta, xi) (30)",
                   "[stability][uniqueness][block]", double, long double) {
  using Real = TestType;
  auto rng = generator(1403);
  for (double sigma_value : {0.2, 0.5, 0.9}) {
    const diagonal_approximation problem(0.3, sigma_value);
    const two_parameter_certificate<> certificate(problem);
    const Real sigma = Real(sigma_value);
    for (double a_value : {0.3, 0.7, 1.4, 2.0, 4.5}) {
      for (double u_scale : {0.3, 0.8, 1.6, 3.0}) {
        const Real a = Real(a_value), u = Real(u_scale * std::sqrt(sigma_value));
        INFO("sigma = " << sigma_value << ", a* = " << a_value << ", u* = " << double(u));
        const auto form = recover_two_parameter_form(a, u, sigma);
        // (351): the coupling system has full rank, so e₁ = e₂ = 0.
        CHECK(form.coupling_rank == 2);
        CHECK(form.coupling == Eigen::Matrix<Real, 2, 1>::Zero());
        CHECK(form.matrix.template topRightCorner<2, 2>() == Eigen::Matrix<Real, 2, 2>::Zero());
        CHECK(form.matrix.template bottomLeftCorner<2, 2>() == Eigen::Matrix<Real, 2, 2>::Zero());
        CHECK(form.matrix.template topLeftCorner<2, 2>() == form.signal.matrix);
        CHECK(form.matrix.template bottomRightCorner<2, 2>() == form.noise.matrix);
        // (347), (349): spectra {0, S} and the roots of λ² − Sλ + 1 − σ², S = a*² + b*²; the
        // gap is the smaller root 2(1 − σ²)/(S + √(S² − 4(1 − σ²))) > 0.
        const Real s = a * a + 1 / (a * a);
        const Real smaller_root =
            2 * (1 - sigma * sigma) / (s + std::sqrt(s * s - 4 * (1 - sigma * sigma)));
        CHECK(form.spectral_separation > 0);
        CHECK(std::abs(form.spectral_separation - smaller_root) <= Real(1e-13) * s);
        // The Lagrange condition (314) at both points, the levels (276), (355).
        CHECK(form.signal_point_residual <= Real(1e-13));
        CHECK(form.noise_point_residual <= Real(1e-13));
        CHECK(std::abs(form.signal_point_level - 1) <= Real(1e-13));
        CHECK(std::abs(form.noise_point_level - 1) <= Real(1e-13));
        // (341)-(344) in closed form.
        const Real size = form.closed_form_matrix.cwiseAbs().maxCoeff();
        CHECK((form.matrix - form.closed_form_matrix).cwiseAbs().maxCoeff() <= Real(1e-12) * size);

        // Independent check with the problem's own Hessian (402): P x*, P z* lie in its kernel.
        const Eigen::Matrix4d p = form.matrix.template cast<double>();
        const rank1_state<double> x_star{a_value, 1 / a_value, 0, 0};
        const rank1_state<double> z_star{0, 0, double(u), sigma_value / double(u)};
        const Eigen::Matrix4d hessian_x = problem.hessian(x_star),
                              hessian_z = problem.hessian(z_star);
        const Eigen::Vector4d x(x_star.a, x_star.b, 0, 0), z(0, 0, z_star.u, z_star.v);
        CHECK((hessian_x * (p * x)).norm() <= 1e-12 * hessian_x.norm() * (p * x).norm());
        CHECK((hessian_z * (p * z)).norm() <= 1e-12 * hessian_z.norm() * (p * z).norm());

        // (357): xᵀPx − 1 = I(δ, ξ; x) of the two-parameter certificate (30).
        const double delta = double(form.signal.state_parameter);
        const double xi = double(form.noise.state_parameter);
        for (int i = 0; i < 20; ++i) {
          const auto point = random_point(rng);
          const double value = quadratic_form(p, point) - 1;
          const double expected = certificate(delta, xi, point);
          CHECK(std::abs(value - expected) <= 1e-11 * (1 + p.cwiseAbs().maxCoeff() * 16));
        }
      }
    }
  }
}

TEST_CASE("(318)-(331): for X = diag(1, 0) the signal block is P(delta) and the noise block c2 I "
          "is left free, c2 = delta/(4 - delta^2) gives I_fac/(4 - delta^2) (17)",
          "[stability][uniqueness][block]") {
  auto rng = generator(1404);
  const rank1_factorization problem(0.3);
  const factorization_certificate fac(problem);
  for (double a : {0.3, 0.7, 1.4, 2.0, 4.5}) {
    const double delta = signal_state_parameter(a);
    for (double c2 : {0.01, 0.5, 3.0, delta / (4 - delta * delta)}) {
      INFO("a* = " << a << ", c2 = " << c2);
      const auto form = recover_factorization_form(a, c2);
      CHECK(form.coupling_rank == 2);
      CHECK(form.coupling == Eigen::Vector2d::Zero());
      // (326)-(327): {0, a*² + b*²} and {a*², b*²} are disjoint, at distance min(a*², b*²).
      CHECK(std::abs(form.spectral_separation - std::min(a * a, 1 / (a * a))) <=
            1e-13 * (a * a + 1 / (a * a)));
      CHECK(form.signal_point_residual <= 1e-13); // for every c₂: the local analysis misses it
      CHECK(std::abs(form.signal_point_level - 1) <= 1e-13);
      CHECK(form.matrix(2, 2) == c2);
      CHECK(form.matrix(3, 3) == c2);
      CHECK(form.matrix(2, 3) == 0); // f = 0 (330)
      const Eigen::Matrix4d hessian = problem.hessian(rank1_state<double>{a, 1 / a, 0, 0});
      const Eigen::Vector4d x(a, 1 / a, 0, 0);
      CHECK((hessian * (form.matrix * x)).norm() <=
            1e-12 * hessian.norm() * (form.matrix * x).norm());
    }
    const auto form = recover_factorization_form(a, delta / (4 - delta * delta));
    for (int i = 0; i < 20; ++i) {
      const auto point = random_point(rng);
      CHECK(std::abs(quadratic_form(form.matrix, point) - 1 -
                     fac(delta, point) / (4 - delta * delta)) <=
            1e-11 * (1 + 16 * form.matrix.cwiseAbs().maxCoeff()));
    }
  }
}

TEST_CASE("Theorem 4 / Prop 15 input validation: a*^2 = 1, a* = 0, NaN, sigma outside (0, 1), "
          "u*^2 = sigma throw invalid_parameter",
          "[stability][uniqueness][validation]") {
  using Catch::Matchers::Contains;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double a : {1.0, -1.0, 0.0, nan, inf, -inf, std::sqrt(1 + 1e-12), 1e200}) {
    INFO("a* = " << a);
    REQUIRE_THROWS_AS(recover_signal_block(a), invalid_parameter);
    REQUIRE_THROWS_WITH(recover_signal_block(a), Contains("a_star"));
    REQUIRE_THROWS_WITH(recover_two_parameter_form(a, 0.3, 0.5), Contains("a_star"));
    REQUIRE_THROWS_WITH(recover_factorization_form(a, 1.0), Contains("a_star"));
  }
  REQUIRE_THROWS_AS(recover_signal_block(1.0L), invalid_parameter);
  for (double sigma : {0.0, 1.0, -0.5, 1.5, nan, inf}) {
    INFO("sigma = " << sigma);
    REQUIRE_THROWS_WITH(recover_noise_block(0.3, sigma), Contains("sigma"));
    REQUIRE_THROWS_WITH(recover_two_parameter_form(2.0, 0.3, sigma), Contains("sigma"));
  }
  for (double u : {0.5, -0.5, 0.0, nan, inf}) { // 0.5² = σ = 0.25: balanced noise point
    INFO("u* = " << u);
    REQUIRE_THROWS_WITH(recover_noise_block(u, 0.25), Contains("u_star"));
    REQUIRE_THROWS_WITH(recover_two_parameter_form(2.0, u, 0.25), Contains("u_star"));
  }
  for (double c2 : {0.0, -1.0, nan, inf}) {
    INFO("c2 = " << c2);
    REQUIRE_THROWS_WITH(recover_factorization_form(2.0, c2), Contains("c2"));
  }
  // Just outside the √ε band the recovery is accepted.
  REQUIRE_NOTHROW(recover_signal_block(std::sqrt(1 + 1e-6)));
  REQUIRE_NOTHROW(recover_noise_block(std::sqrt(0.25 * (1 + 1e-6)), 0.25));
}
