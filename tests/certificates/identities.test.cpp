// Exact algebraic identities behind the certificates: (29), (72), Prop 5, (53), limit forms, diagonal form.
#include "fixtures.hpp"

#include <catch2/catch.hpp>

using namespace gdcert;
using namespace gdcert::test;

TEST_CASE("normal form (29): x^T P(delta) x - 1 = I_sc/(4 - delta^2)", "[certificates][exact]") {
  auto rng = generator(111);
  for (int i = 0; i < exact_points; ++i) {
    const scalar_factorization problem = sample_scalar(rng);
    const scalar_certificate certificate(problem);
    const double delta = random_dyadic(rng, 0, 2);
    const auto x = random_state<rational>(problem, rng);
    const rational d = delta;
    REQUIRE(certificate.normal_form(delta, x) == certificate(delta, x) / (4 - d * d));
  }
  // The matrix P(δ) of (29) reproduces the same quadratic form.
  const scalar_certificate unit(scalar_factorization(0.3));
  const Eigen::Matrix2d p = scalar_certificate::normal_form_matrix(1.25);
  const Eigen::Vector2d x(0.75, -1.5);
  REQUIRE(x.dot(p * x) - 1 ==
          Approx(unit.normal_form(1.25, scalar_factorization::state<double>{0.75, -1.5})));
}

TEST_CASE("perfect square identity (72) behind R < 0", "[certificates][exact]") {
  auto rng = generator(112);
  for (int i = 0; i < exact_points; ++i) {
    rational delta = random_rational(rng, 2);
    if (delta == 0)
      delta = rational(1, 3);
    const rational gamma = random_rational(rng, 5);
    const rational lhs =
        delta * (1 + gamma * gamma - delta * gamma) *
            (delta * gamma * gamma + (delta * delta - 8) * gamma + 16 / delta - 3 * delta) -
        (4 - delta * delta) * (delta * gamma - 2) * (delta * gamma - 2);
    const rational root = delta * gamma * gamma - 4 * gamma + delta;
    REQUIRE(lhs == root * root);
  }
}

TEST_CASE("ellipse core identity (Prop 5): delta^2(G^2 + 4(1-L)^2) - (4 - delta^2 L)^2 = "
          "delta^2(4-delta^2) E_sc",
          "[certificates][exact]") {
  auto rng = generator(113);
  for (int i = 0; i < exact_points; ++i) {
    const double delta = random_dyadic(rng, 0, 2);
    const rational d = delta, l = random_rational(rng), g = random_rational(rng);
    REQUIRE(d * d * (g * g + 4 * (1 - l) * (1 - l)) - (4 - d * d * l) * (4 - d * d * l) ==
            d * d * (4 - d * d) * scalar_ellipse(delta, l, g));
  }
}

TEST_CASE("shifted ellipse identity (53): delta^2(4(1-L)^2 + G^2) - (4 - delta^2 L - delta N)^2 = "
          "delta^2 Delta E",
          "[certificates][exact]") {
  auto rng = generator(114);
  for (int i = 0; i < exact_points; ++i) {
    const double delta = random_dyadic(rng, 0, 2);
    const rational d = delta, l = random_rational(rng), g = random_rational(rng);
    const rational n = abs(random_rational(rng));
    const rational rhs = 4 - d * d * l - d * n;
    REQUIRE(d * d * (4 * (1 - l) * (1 - l) + g * g) - rhs * rhs ==
            d * d * (4 - d * d) * shifted_ellipse(delta, l, g, n));
  }
}

TEST_CASE("Prop 5 and Prop 6: the ellipses have the sign of the certificates", "[certificates]") {
  auto rng = generator(115);
  const rank1_factorization problem(0.5);
  const factorization_certificate fac(problem);
  const scalar_certificate sc(scalar_factorization(0.5));
  for (int i = 0; i < 2000; ++i) {
    const double delta = uniform(rng, 0.05, 1.95);
    const rank1_state<double> x{uniform(rng, -3, 3), uniform(rng, -3, 3), uniform(rng, -1, 1),
                                uniform(rng, -1, 1)};
    const scalar_factorization::state<double> y{x.a, x.b};
    const double value = sc(delta, y),
                 ellipse = scalar_ellipse(delta, sc.residual(y), sc.imbalance(y));
    if (std::abs(value) > 1e-9)
      REQUIRE((value < 0) == (ellipse < 0));
    // Prop 6: I_fac <= 0 iff inside the shifted ellipse and on the valid side.
    const double l = fac.residual(x), g = fac.imbalance(x), n = fac.off_signal_norm(x);
    const bool inside =
        shifted_ellipse(delta, l, g, n) <= 0 && shifted_ellipse_side(delta, l, n) >= 0;
    if (std::abs(fac(delta, x)) > 1e-9)
      REQUIRE((fac(delta, x) <= 0) == inside);
  }
}

TEST_CASE("sgn I_sc(delta) = sgn(Q - 8 sigma/delta) and delta(x) = 8 sigma / Q [LM 9]",
          "[certificates]") {
  auto rng = generator(116);
  for (int i = 0; i < 2000; ++i) {
    const double sigma = uniform(rng, 0.2, 3), delta = uniform(rng, 0.05, 1.95);
    const scalar_certificate certificate(scalar_factorization(0.5, sigma));
    const scalar_factorization::state<double> x{uniform(rng, -3, 3), uniform(rng, -3, 3)};
    const double q = liang_montufar_q(sigma, x.a, x.b), value = certificate(delta, x);
    if (std::abs(value) > 1e-9)
      REQUIRE((value < 0) == (q < 8 * sigma / delta));
    REQUIRE(certificate.state_parameter(x) == Approx(8 * sigma / q).epsilon(1e-14));
  }
}

TEST_CASE("limit forms: I_sc(2) = 2(a-b)^2 (10), I_fac(2) = 2(a-b)^2 + 2(u^2+v^2) (17)",
          "[certificates][exact]") {
  auto rng = generator(117);
  const rank1_factorization problem(0.5);
  const factorization_certificate fac(problem);
  const scalar_certificate sc(scalar_factorization(0.5));
  for (int i = 0; i < exact_points; ++i) {
    const auto x = random_state<rational>(problem, rng);
    // The polynomial I(δ; x) = Lδ² + Sδ − 4 evaluated at δ = 2.
    REQUIRE(fac.limit_form(x) == 4 * fac.residual(x) + 2 * fac.total_norm(x) - 4);
    const scalar_factorization::state<rational> y{x.a, x.b};
    REQUIRE(sc.limit_form(y) == 4 * sc.residual(y) + 2 * sc.total_norm(y) - 4);
  }
}

TEST_CASE("scalar GD in (L, G) coordinates (49-50) matches the map (8)", "[certificates]") {
  auto rng = generator(118);
  for (int i = 0; i < 500; ++i) {
    const double eta = uniform(rng, 0.05, 1.5);
    const scalar_factorization problem(eta);
    const scalar_certificate certificate(problem);
    // (50) takes the positive root a² + b² = √(4(1−L)² + G²), valid where ab >= 0.
    scalar_factorization::state<double> x{uniform(rng, 0.1, 2), uniform(rng, 0.1, 2)};
    double l = certificate.residual(x), g = certificate.imbalance(x);
    scalar_step_in_residual_imbalance(eta, l, g);
    const auto next = problem.step(x);
    REQUIRE(l == Approx(certificate.residual(next)).margin(1e-12));
    REQUIRE(g == Approx(certificate.imbalance(next)).margin(1e-12));
  }
}
