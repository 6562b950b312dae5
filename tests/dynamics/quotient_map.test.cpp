// Liang–Montúfar's quotient map F (docs/formulas.md §7, [LM App. D]): semi-conjugacy, edges, Jacobian, regions.
#include "fixtures.hpp"

#include <gdcert/dynamics/quotient_map.hpp>

#include <catch2/catch.hpp>

#include <cmath>

using namespace gdcert;
using namespace gdcert::test;

namespace {

/// A problem with dyadic (η, y, λ), so that every parameter is an exact rational; every fourth one
/// is unregularized (λ = 0), the case of [LM Thm 1].
regularized_factorization sample_quotient_problem(std::mt19937_64& rng, Eigen::Index d, int i) {
  const double lambda = i % 4 == 0 ? 0.0 : random_dyadic(rng, 0, 1);
  return regularized_factorization(random_dyadic(rng, 0, 2), d, random_dyadic(rng, -2, 2), lambda);
}

quotient_point<rational> random_quotient_point(std::mt19937_64& rng) {
  return {random_rational(rng), random_rational(rng, 6)};
}

} // namespace

TEST_CASE("quotient semi-conjugacy T(GD(u,v)) = F(T(u,v)) (docs/formulas.md §7, [LM Prop. 9])",
          "[dynamics][quotient][exact]") {
  auto rng = generator(701);
  for (const Eigen::Index d : {1, 3, 7}) {
    for (int i = 0; i < exact_points; ++i) {
      const auto problem = sample_quotient_problem(rng, d, i);
      const quotient_map f(problem);
      const auto x = random_state<rational>(problem, rng);
      const auto image = f(f.quotient(x));
      const auto next = f.quotient(problem.step(x));
      REQUIRE(image.z == next.z);
      REQUIRE(image.w == next.w);
      // T lands in the cone w >= 2|z + y| and F keeps it there.
      REQUIRE(f.in_state_space(f.quotient(x)));
      REQUIRE(f.in_state_space(image));
    }
  }
}

TEST_CASE("quotient coordinates z' and w' match the polynomials of docs/formulas.md §7 "
          "term by term",
          "[dynamics][quotient][exact]") {
  auto rng = generator(702);
  for (int i = 0; i < exact_points; ++i) {
    const auto problem = sample_quotient_problem(rng, 2, i);
    const quotient_map f(problem);
    const rational eta = problem.step_size(), y = problem.target(), l = problem.regularization();
    const auto x = random_quotient_point(rng);
    const auto next = f(x);
    const rational z = x.z, w = x.w;
    REQUIRE(next.z == eta * eta * z * z * z + eta * eta * y * z * z +
                          ((1 - eta * l) * (1 - eta * l) - eta * w + eta * eta * l * w) * z +
                          y * (eta * eta * l * l - 2 * eta * l));
    REQUIRE(next.w == ((1 - eta * l) * (1 - eta * l) + eta * eta * z * z) * w -
                          4 * eta * z * (1 - eta * l) * (z + y));
  }
}

TEST_CASE("invariant edges: w'-2(z'+y) = (w-2(z+y))(1+eta z-eta lambda)^2 and "
          "w'+2(z'+y) = (w+2(z+y))(1-eta z-eta lambda)^2 (docs/formulas.md §7, [LM (10)])",
          "[dynamics][quotient][exact]") {
  auto rng = generator(703);
  for (int i = 0; i < exact_points; ++i) {
    const auto problem = sample_quotient_problem(rng, 3, i);
    const quotient_map f(problem);
    const rational eta = problem.step_size(), y = problem.target(), l = problem.regularization();
    // The identities are polynomial: check them on the whole plane, not only on the cone.
    const auto x =
        i % 2 == 0 ? random_quotient_point(rng) : f.quotient(random_state<rational>(problem, rng));
    const auto next = f(x);
    const rational plus = 1 + eta * x.z - eta * l, minus = 1 - eta * x.z - eta * l;
    REQUIRE(next.w - 2 * (next.z + y) == (x.w - 2 * (x.z + y)) * plus * plus);
    REQUIRE(next.w + 2 * (next.z + y) == (x.w + 2 * (x.z + y)) * minus * minus);
    REQUIRE(f.edge_plus(next) == f.edge_plus(x) * f.edge_plus_multiplier(x));
    REQUIRE(f.edge_minus(next) == f.edge_minus(x) * f.edge_minus_multiplier(x));
    // A point on an edge stays on it: ‖u − v‖² = 0 or ‖u + v‖² = 0 is preserved by GD.
    const quotient_point<rational> on_plus{x.z, 2 * (x.z + y)}, on_minus{x.z, -2 * (x.z + y)};
    REQUIRE(f.edge_plus(f(on_plus)) == 0);
    REQUIRE(f.edge_minus(f(on_minus)) == 0);
  }
}

TEST_CASE("rescaled form: (eta z', eta w') = F_{eta y, eta lambda}(eta z, eta w) "
          "(docs/formulas.md §7, [LM (8)])",
          "[dynamics][quotient][exact]") {
  auto rng = generator(704);
  for (int i = 0; i < exact_points; ++i) {
    const auto problem = sample_quotient_problem(rng, 3, i);
    const quotient_map f(problem);
    const rational eta = problem.step_size();
    const auto x = random_quotient_point(rng);
    const auto expected = f.rescale(f(x));
    REQUIRE(expected.z == eta * f(x).z);
    REQUIRE(expected.w == eta * f(x).w);
    // The member and the free two-parameter function agree; dyadic η·y, η·λ are exact doubles.
    const auto parameters = f.rescaled_parameters();
    REQUIRE(rational(parameters.target) == eta * rational(problem.target()));
    REQUIRE(rational(parameters.regularization) == eta * rational(problem.regularization()));
    const auto through_member = f.rescaled(f.rescale(x));
    const auto through_function =
        rescaled_quotient_map(parameters.target, parameters.regularization, f.rescale(x));
    REQUIRE(through_member.z == expected.z);
    REQUIRE(through_member.w == expected.w);
    REQUIRE(through_function.z == expected.z);
    REQUIRE(through_function.w == expected.w);
  }
}

TEST_CASE("rescaled form depends on (eta, y, lambda) only through (eta y, eta lambda) "
          "(docs/formulas.md §7)",
          "[dynamics][quotient][exact]") {
  auto rng = generator(705);
  for (int i = 0; i < exact_points; ++i) {
    // Two problems with the same (ηy, ηλ) but different η: rescaled maps coincide.
    const double eta = random_dyadic(rng, 0, 2, 6), y = random_dyadic(rng, -2, 2, 6);
    const double lambda = random_dyadic(rng, 0, 1, 6);
    const quotient_map f(regularized_factorization(eta, 2, y, lambda));
    const quotient_map g(regularized_factorization(2 * eta, 2, y / 2, lambda / 2));
    const auto x = random_quotient_point(rng);
    REQUIRE(f.rescaled(x).z == g.rescaled(x).z);
    REQUIRE(f.rescaled(x).w == g.rescaled(x).w);
    // F itself does depend on η: rescaling back recovers each map.
    const auto fx = f(x), gx = g(x);
    const auto xf = f.rescale(x), xg = g.rescale(x);
    REQUIRE(f.rescale(fx).z == f.rescaled(xf).z);
    REQUIRE(g.rescale(gx).w == g.rescaled(xg).w);
  }
}

TEST_CASE("det DF = (1+eta z-eta lambda)(1-eta z-eta lambda)((1-eta lambda)^2 - "
          "eta(1-eta lambda)w - 2 eta^2 y z - 3 eta^2 z^2) = det of the analytic Jacobian "
          "(docs/formulas.md §7)",
          "[dynamics][quotient][exact]") {
  auto rng = generator(706);
  for (int i = 0; i < exact_points; ++i) {
    const auto problem = sample_quotient_problem(rng, 3, i);
    const quotient_map f(problem);
    const auto x = random_quotient_point(rng);
    const auto j = f.jacobian(x);
    REQUIRE(f.jacobian_determinant(x) == j(0, 0) * j(1, 1) - j(0, 1) * j(1, 0));
  }
}

TEST_CASE("analytic Jacobian DF and det DF match central differences (docs/formulas.md §6-7)",
          "[dynamics][quotient][numeric]") {
  auto rng = generator(707);
  for (int i = 0; i < exact_points; ++i) {
    const auto problem = sample_quotient_problem(rng, 3, i);
    const quotient_map f(problem);
    const quotient_point<long double> x{static_cast<long double>(uniform(rng, -3, 3)),
                                        static_cast<long double>(uniform(rng, 0, 6))};
    const auto j = f.jacobian(x);
    const long double h = 1e-6L;
    const auto dz_plus = f(quotient_point<long double>{x.z + h, x.w});
    const auto dz_minus = f(quotient_point<long double>{x.z - h, x.w});
    const auto dw_plus = f(quotient_point<long double>{x.z, x.w + h});
    const auto dw_minus = f(quotient_point<long double>{x.z, x.w - h});
    Eigen::Matrix<long double, 2, 2> numeric;
    numeric << (dz_plus.z - dz_minus.z) / (2 * h), (dw_plus.z - dw_minus.z) / (2 * h),
        (dz_plus.w - dz_minus.w) / (2 * h), (dw_plus.w - dw_minus.w) / (2 * h);
    const long double scale = 1 + j.cwiseAbs().maxCoeff();
    for (int r = 0; r < 2; ++r)
      for (int c = 0; c < 2; ++c)
        REQUIRE(std::abs(static_cast<double>(j(r, c) - numeric(r, c))) <=
                1e-7 * static_cast<double>(scale));
    const long double det_numeric = numeric(0, 0) * numeric(1, 1) - numeric(0, 1) * numeric(1, 0);
    REQUIRE(std::abs(static_cast<double>(f.jacobian_determinant(x) - det_numeric)) <=
            1e-6 * static_cast<double>(scale * scale));
  }
}

TEST_CASE("origin image (-y, 0) is a fixed point of F for every (eta, y, lambda) "
          "(docs/formulas.md §7, [LM Prop. 9])",
          "[dynamics][quotient][exact][special]") {
  // F(−y, 0): z' = −y(1 − ηλ)² + y(η²λ² − 2ηλ) = −y and w' = −4η(−y)(1 − ηλ)·0 = 0. The origin is
  // stationary for GD, so its image must be fixed.
  auto rng = generator(708);
  for (int i = 0; i < exact_points; ++i) {
    const auto problem = sample_quotient_problem(rng, 3, i);
    const quotient_map f(problem);
    const auto o = f.origin_image();
    const quotient_point<rational> x{o.z, o.w};
    REQUIRE(x.z == -rational(problem.target()));
    REQUIRE(x.w == 0);
    const auto zero = regularized_factorization::state<rational>{vector<rational>::Zero(3),
                                                                 vector<rational>::Zero(3)};
    REQUIRE(f.quotient(zero).z == x.z);
    REQUIRE(f.quotient(zero).w == x.w);
    REQUIRE(f(x).z == x.z);
    REQUIRE(f(x).w == x.w);
  }
}

TEST_CASE("minimizer image (-sgn(y) lambda, 2(|y|-lambda)) is T(M) and a fixed point of F "
          "(docs/formulas.md §1, §7)",
          "[dynamics][quotient][exact][special]") {
  auto rng = generator(709);
  for (int i = 0; i < exact_points; ++i) {
    // Build an explicit minimizer: u = r e, v = sgn(y) r e with r² = |y| − λ, r and λ dyadic.
    const double r = random_dyadic(rng, 0, 1.5, 6), lambda = random_dyadic(rng, 0, 1, 6);
    const double sign = i % 2 == 0 ? 1.0 : -1.0, y = sign * (r * r + lambda);
    const Eigen::Index d = 1 + i % 4;
    const regularized_factorization problem(random_dyadic(rng, 0, 2), d, y, lambda);
    const quotient_map f(problem);
    vector<rational> e = vector<rational>::Zero(d);
    e(i % d) = r;
    const regularized_factorization::state<rational> minimizer{e, e * rational(sign)};
    const auto next = problem.step(minimizer);
    REQUIRE(next.u == minimizer.u);
    REQUIRE(next.v == minimizer.v);
    const auto m = f.minimizer_image();
    const quotient_point<rational> x{m.z, m.w};
    REQUIRE(x.z == -rational(sign) * rational(lambda));
    REQUIRE(x.w == 2 * (rational(std::abs(y)) - rational(lambda)));
    REQUIRE(f.quotient(minimizer).z == x.z);
    REQUIRE(f.quotient(minimizer).w == x.w);
    REQUIRE(f(x).z == x.z);
    REQUIRE(f(x).w == x.w);
    // The minimizer image lies on the edge w = 2 sgn(y)(z + y): ‖u − sgn(y) v‖ = 0.
    REQUIRE((sign > 0 ? f.edge_plus(x) : f.edge_minus(x)) == 0);
  }
}

TEST_CASE("unregularized minimizers: the ray {z = 0, w >= 2|y|} is fixed by F "
          "(docs/formulas.md §1, §7)",
          "[dynamics][quotient][exact][special]") {
  auto rng = generator(710);
  for (int i = 0; i < exact_points; ++i) {
    const regularized_factorization problem(random_dyadic(rng, 0, 2), 3, random_dyadic(rng, -2, 2),
                                            0.0);
    const quotient_map f(problem);
    const rational y = problem.target();
    const quotient_point<rational> x{0, 2 * abs(y) + abs(random_rational(rng))};
    REQUIRE(f(x).z == 0);
    REQUIRE(f(x).w == x.w);
    const auto tip = f.minimizer_image();
    REQUIRE(rational(tip.z) == 0);
    REQUIRE(rational(tip.w) == 2 * abs(y));
  }
}

TEST_CASE("for lambda >= |y| the minimizer image is the origin's image (docs/formulas.md §1)",
          "[dynamics][quotient][special]") {
  const quotient_map f(regularized_factorization(0.5, 3, 0.25, 0.5));
  REQUIRE(f.minimizer_image().z == f.origin_image().z);
  REQUIRE(f.minimizer_image().w == f.origin_image().w);
}

TEST_CASE("F over lane packs equals F over double lane by lane (docs/formulas.md §7)",
          "[dynamics][quotient][lanes]") {
  auto rng = generator(711);
  for (int i = 0; i < exact_points; ++i) {
    const auto problem = sample_quotient_problem(rng, 3, i);
    const quotient_map f(problem);
    quotient_point<lanes<4>> pack;
    for (int k = 0; k < 4; ++k) {
      pack.z(k) = uniform(rng, -3, 3);
      pack.w(k) = uniform(rng, 0, 6);
    }
    const auto next = f(pack);
    const auto det = f.jacobian_determinant(pack);
    const auto q = f.lyapunov_function(pack);
    for (int k = 0; k < 4; ++k) {
      const quotient_point<double> x{pack.z(k), pack.w(k)};
      REQUIRE(next.z(k) == f(x).z);
      REQUIRE(next.w(k) == f(x).w);
      REQUIRE(det(k) == f.jacobian_determinant(x));
      REQUIRE(q(k) == f.lyapunov_function(x));
    }
  }
}

TEST_CASE("quotient Lyapunov-like function Q(z,w) = w + sqrt(w^2 - 16yz) equals Q(y, a, b) of "
          "(9) on d = 1 states (docs/formulas.md §2, §7)",
          "[dynamics][quotient][numeric]") {
  auto rng = generator(712);
  for (int i = 0; i < exact_points; ++i) {
    const double y = random_dyadic(rng, 0, 2);
    const quotient_map f(regularized_factorization(random_dyadic(rng, 0, 2), 1, y, 0.0));
    const double a = uniform(rng, -3, 3), b = uniform(rng, -3, 3);
    vector<double> u(1), v(1);
    u << a;
    v << b;
    const double q = f.lyapunov_function(f.quotient(u, v));
    REQUIRE(q == Approx(liang_montufar_q(y, a, b)).epsilon(1e-12).margin(1e-12));
  }
}

TEST_CASE("converges_by_region (Q < 8/eta) predicts GD convergence for lambda = 0, eta|y| < 1 "
          "([LM Thm 1], docs/formulas.md §7)",
          "[dynamics][quotient][simulation]") {
  auto rng = generator(713);
  std::normal_distribution<double> normal(0, 1);
  int compared = 0, inside = 0, undecided = 0;
  for (int i = 0; i < 1000; ++i) {
    const double y = random_dyadic(rng, -2, 2);
    if (y == 0)
      continue;
    const double eta = uniform(rng, 0.01, 0.95) / std::abs(y);
    const regularized_factorization problem(eta, 3, y, 0.0);
    const quotient_map f(problem);
    // Scale the initialization so that Q straddles 8/η (‖u‖² + ‖v‖² ≈ 6 scale² ≈ 4/η·e^{±}).
    const double scale = std::sqrt(4 / eta) * std::exp(uniform(rng, -1, 0.5)) / 2.4;
    regularized_factorization::state<double> x{vector<double>(3), vector<double>(3)};
    for (int k = 0; k < 3; ++k) {
      x.u(k) = scale * normal(rng);
      x.v(k) = scale * normal(rng);
    }
    const auto point = f.quotient(x);
    const double q = f.lyapunov_function(point), threshold = 8 / eta;
    // Too close to the boundary for a finite simulation to decide.
    if (std::abs(q - threshold) < 1e-3 * threshold)
      continue;
    int outcome = 0; // 1 converged, -1 diverged, 0 undecided within the budget
    for (int t = 0; t < 20000 && outcome == 0; ++t) {
      const auto z = f.quotient(x);
      if (std::abs(z.z) < 1e-8)
        outcome = 1;
      else if (!(z.w < 1e10))
        outcome = -1;
      else
        x = problem.step(x);
    }
    if (outcome == 0) {
      ++undecided;
      continue;
    }
    ++compared;
    inside += f.converges_by_region(point);
    INFO("eta = " << eta << ", y = " << y << ", eta Q / 8 = " << eta * q / 8);
    REQUIRE(f.converges_by_region(point) == (outcome == 1));
  }
  INFO("compared " << compared << ", inside " << inside << ", undecided " << undecided);
  REQUIRE(compared >= 900);
  REQUIRE(inside >= 100);
  REQUIRE(compared - inside >= 100);
  REQUIRE(undecided <= 10);
}

TEST_CASE("converges_by_region rejects lambda != 0 and eta|y| >= 1 naming the parameter "
          "([LM Thm 1])",
          "[dynamics][quotient][errors]") {
  const quotient_point<double> x{0.0, 3.0};
  const quotient_map regularized(regularized_factorization(0.5, 3, 1.0, 0.25));
  REQUIRE_THROWS_AS(regularized.converges_by_region(x), invalid_parameter);
  REQUIRE_THROWS_WITH(regularized.converges_by_region(x),
                      Catch::Matchers::Contains("regularization lambda"));
  const quotient_map large(regularized_factorization(1.5, 3, 1.0, 0.0));
  REQUIRE_THROWS_AS(large.converges_by_region(x), invalid_parameter);
  REQUIRE_THROWS_WITH(large.converges_by_region(x), Catch::Matchers::Contains("eta*|y|"));
}
