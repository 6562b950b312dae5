// Proposition 13 (App. G, eqs. 259-269): the fixed-quadratic obstruction at scalar minimizers.
#include "fixtures.hpp"

#include <gdcert/stability/fixed_quadratic.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using namespace gdcert;
using namespace gdcert::test;

namespace {

template <class Real>
using vec2 = Eigen::Matrix<Real, 2, 1>;
template <class Real>
using mat2 = Eigen::Matrix<Real, 2, 2>;

template <class Real>
vec2<Real> minimizer(Real a) {
  return vec2<Real>(a, 1 / a);
}

/// A random symmetric positive-definite matrix L Lᵀ + I/10.
mat2<double> random_spd(std::mt19937_64& rng) {
  mat2<double> l;
  l << uniform(rng, 0.2, 2), 0, uniform(rng, -2, 2), uniform(rng, 0.2, 2);
  return l * l.transpose() + 0.1 * mat2<double>::Identity();
}

/// V(x) − V(x*) for V(x) = (x − x_c)ᵀP(x − x_c) (260).
double lyapunov_excess(const mat2<double>& p, const vec2<double>& center, const vec2<double>& x,
                       const vec2<double>& x_star) {
  return (x - center).dot(p * (x - center)) - (x_star - center).dot(p * (x_star - center));
}

/// H v by explicit loops (Eigen's products do not instantiate for Boost rationals).
Eigen::Matrix<rational, 2, 1> apply(const Eigen::Matrix<rational, 2, 2>& h,
                                    const Eigen::Matrix<rational, 2, 1>& v) {
  return Eigen::Matrix<rational, 2, 1>(h(0, 0) * v(0) + h(0, 1) * v(1),
                                       h(1, 0) * v(0) + h(1, 1) * v(1));
}

} // namespace

TEMPLATE_TEST_CASE("Prop 13 (262): one fixed P is aligned at (1, 1) but obstructed at (2, 1/2) "
                   "and (1/2, 2)",
                   "[stability][fixed_quadratic]", double, long double) {
  using Real = TestType;
  const Real eps = std::numeric_limits<Real>::epsilon();

  SECTION("P = I, x_c = 0: w = x* lies in the image direction (1, 1) at (1, 1), lambda = 2") {
    const mat2<Real> p = mat2<Real>::Identity();
    const vec2<Real> center = vec2<Real>::Zero();
    const auto at_balanced = fixed_quadratic_obstruction(p, center, minimizer(Real(1)));
    CHECK(at_balanced.eigenvector);
    CHECK(at_balanced.in_image);
    CHECK_FALSE(at_balanced.in_kernel);
    CHECK(at_balanced.locally_monotone_possible);
    CHECK(std::abs(at_balanced.eigenvalue - 2) <= 8 * eps);
    CHECK(monotonicity_defect(p, center, minimizer(Real(1))) >= -8 * eps);

    for (Real a : {Real(2), Real(0.5)}) {
      const auto r = fixed_quadratic_obstruction(p, center, minimizer(a));
      CHECK_FALSE(r.eigenvector);
      CHECK(r.obstructed());
      CHECK(monotonicity_defect(p, center, minimizer(a)) < -Real(0.1));
    }
  }

  SECTION("general P, x_c = x* - P^-1 (1, -1): w in the kernel at (1, 1), not aligned elsewhere") {
    mat2<Real> p;
    p << 2, Real(0.5), Real(0.5), 1;
    const vec2<Real> center = minimizer(Real(1)) - p.inverse() * vec2<Real>(1, -1);
    const auto at_balanced = fixed_quadratic_obstruction(p, center, minimizer(Real(1)));
    CHECK(at_balanced.in_kernel);
    CHECK(at_balanced.locally_monotone_possible);
    CHECK(std::abs(at_balanced.eigenvalue) <= 16 * eps);
    // At (2, 1/2): w = P(1, -1/2) + (1, -1) = (11/4, -1), H*w = (-5/16, -5/4), not parallel.
    const auto r = fixed_quadratic_obstruction(p, center, minimizer(Real(2)));
    CHECK(std::abs(r.w(0) - Real(2.75)) <= 16 * eps);
    CHECK(std::abs(r.w(1) + 1) <= 16 * eps);
    CHECK(std::abs(r.hessian_times_w(0) + Real(0.3125)) <= 16 * eps);
    CHECK(std::abs(r.hessian_times_w(1) + Real(1.25)) <= 16 * eps);
    CHECK(r.obstructed());
    CHECK(fixed_quadratic_obstruction(p, center, minimizer(Real(0.5))).obstructed());
  }

  SECTION("P = I, x_c = 0 is aligned only where a*^4 = 1: w x H*w = 2(a*^2 - a*^-2)") {
    for (int k = 0; k < 200; ++k) {
      const Real a = Real(0.2) + Real(4.8) * Real(k) / 199;
      if (std::abs(a * a - 1) < Real(1e-3))
        continue;
      const auto r =
          fixed_quadratic_obstruction(mat2<Real>::Identity(), vec2<Real>::Zero(), minimizer(a));
      const Real cross = r.w(0) * r.hessian_times_w(1) - r.w(1) * r.hessian_times_w(0);
      CHECK(std::abs(cross - 2 * (a * a - 1 / (a * a))) <= 64 * eps * (a * a + 1 / (a * a)));
      CHECK(r.obstructed());
    }
    CHECK_FALSE(
        fixed_quadratic_obstruction(mat2<Real>::Identity(), vec2<Real>::Zero(), minimizer(Real(-1)))
            .obstructed());
  }
}

TEST_CASE("(263), (269): H* = [[b*^2, 1], [1, a*^2]] has kernel (a*^2, -1) and image (1, a*^2) "
          "(exact)",
          "[stability][fixed_quadratic][exact]") {
  auto rng = generator(1301);
  int checked = 0;
  while (checked < exact_points) {
    const rational a = random_rational(rng);
    if (a == 0)
      continue;
    ++checked;
    const rational b = 1 / a;
    const auto h = scalar_minimizer_hessian(a, b);
    REQUIRE(h(0, 1) == 1);
    REQUIRE(h(1, 0) == 1);
    REQUIRE(h(0, 0) * h(1, 1) - h(0, 1) * h(1, 0) == 0); // det H* = a*²b*² − 1 = 0
    const auto kernel = scalar_minimizer_kernel(a);
    const auto image = scalar_minimizer_image(a);
    REQUIRE(apply(h, kernel) == Eigen::Matrix<rational, 2, 1>::Zero());
    const rational positive = a * a + b * b; // the other eigenvalue (281)
    REQUIRE(apply(h, image) ==
            Eigen::Matrix<rational, 2, 1>(positive * image(0), positive * image(1)));
    REQUIRE(kernel(0) * image(0) + kernel(1) * image(1) == 0); // orthogonal eigenvectors
  }
}

TEMPLATE_TEST_CASE("(262), (269): w in the kernel, in the image, or w = 0 passes Prop 13, "
                   "lambda = 0, a*^2 + b*^2, 0",
                   "[stability][fixed_quadratic]", double, long double) {
  using Real = TestType;
  auto rng = generator(1302);
  for (int i = 0; i < 300; ++i) {
    const mat2<Real> p = random_spd(rng).cast<Real>();
    Real a = Real(uniform(rng, 0.2, 5));
    if (i % 2)
      a = -a;
    const vec2<Real> x_star = minimizer(a);
    const Real scale = Real(uniform(rng, 0.2, 3)) * (i % 3 ? 1 : -1);

    const vec2<Real> kernel_center = x_star - p.inverse() * (scale * scalar_minimizer_kernel(a));
    const auto in_kernel = fixed_quadratic_obstruction(p, kernel_center, x_star);
    CHECK(in_kernel.in_kernel);
    CHECK(in_kernel.locally_monotone_possible);
    CHECK(std::abs(in_kernel.eigenvalue) <= Real(1e-9) * in_kernel.hessian.norm());

    const vec2<Real> image_center = x_star - p.inverse() * (scale * scalar_minimizer_image(a));
    const auto in_image = fixed_quadratic_obstruction(p, image_center, x_star);
    CHECK(in_image.in_image);
    CHECK(in_image.locally_monotone_possible);
    const Real positive = a * a + 1 / (a * a);
    CHECK(std::abs(in_image.eigenvalue - positive) <= Real(1e-9) * positive);

    const auto at_center = fixed_quadratic_obstruction(p, x_star, x_star);
    CHECK(at_center.w_vanishes);
    CHECK(at_center.locally_monotone_possible);
    CHECK(monotonicity_defect(p, x_star, x_star, 64) == 0);
  }
}

TEMPLATE_TEST_CASE("(268): the sampled defect min_z (z.w)(z.H*w) is negative exactly when the "
                   "obstruction fires, up to the sampling resolution",
                   "[stability][fixed_quadratic]", double, long double) {
  using Real = TestType;
  auto rng = generator(1303);
  const long directions = 2048;
  const Real pi = std::numbers::pi_v<Real>;
  int obstructed = 0, aligned = 0;
  for (int i = 0; i < 600; ++i) {
    const mat2<Real> p = random_spd(rng).cast<Real>();
    const Real a = Real(uniform(rng, 0.2, 5));
    const vec2<Real> x_star = minimizer(a);
    vec2<Real> center(Real(uniform(rng, -3, 3)), Real(uniform(rng, -3, 3)));
    if (i % 3 == 1) // aligned on purpose: w along the kernel or the image of H*
      center =
          x_star - p.inverse() * (i % 2 ? scalar_minimizer_kernel(a) : scalar_minimizer_image(a));
    const auto r = fixed_quadratic_obstruction(p, center, x_star);
    vec2<Real> worst;
    const Real sampled = monotonicity_defect(p, center, x_star, directions, &worst);
    const Real exact = exact_monotonicity_defect(p, center, x_star);
    const Real scale = r.w.squaredNorm() * r.hessian.norm();
    const Real tolerance = std::sqrt(std::numeric_limits<Real>::epsilon());
    const Real cross = r.w(0) * r.hessian_times_w(1) - r.w(1) * r.hessian_times_w(0);
    const Real angle = std::atan2(std::abs(cross), r.w.dot(r.hessian_times_w)); // γ, w to H*w
    INFO("case " << i << ": a* = " << double(a) << ", angle " << double(angle));
    // The exact minimum sees every misalignment: the obstruction fires when ‖H*w − λw‖ >
    // tol·‖H*‖‖w‖, i.e. ρ sin γ > tol with ρ = ‖H*w‖/(‖H*‖‖w‖) <= 1, and then
    // exact = −ρ sin²(γ/2)·scale < −tol²/4·scale. Aligned: rounding-small (H*w is noise in ker H*).
    CHECK(exact <= 0);
    if (r.obstructed())
      CHECK(exact < -tolerance * tolerance / 8 * scale);
    else
      CHECK(exact >= -Real(1e-12) * scale);
    // The sample: negative ⇒ obstruction; obstruction resolved by the sample ⇒ negative.
    if (sampled < -Real(1e-12) * scale)
      CHECK(r.obstructed());
    if (r.obstructed() && angle >= 2 * pi / directions)
      CHECK(sampled < 0);
    if (!r.obstructed())
      CHECK(sampled >= -Real(1e-12) * scale);
    CHECK(sampled >= exact - Real(1e-12) * scale);
    CHECK(sampled - exact <=
          pi * pi / (directions * directions) / 4 * r.w.norm() * r.hessian_times_w.norm() +
              Real(1e-12) * scale);
    CHECK(std::abs(worst.norm() - 1) <= Real(1e-12));
    (r.obstructed() ? obstructed : aligned) += 1;
  }
  CHECK(obstructed > 300);
  CHECK(aligned >= 200);
}

TEST_CASE("(261), (264)-(267): along the worst direction one GD step moves V away faster than "
          "x* + tz does",
          "[stability][fixed_quadratic]") {
  const scalar_factorization problem(0.1);
  const double eta = problem.step_size();
  struct configuration {
    mat2<double> p;
    vec2<double> center;
    double a;
  };
  mat2<double> general;
  general << 2, 0.5, 0.5, 1;
  for (const auto& [p, center, a] :
       {configuration{mat2<double>::Identity(), vec2<double>::Zero(), 2.0},
        configuration{mat2<double>::Identity(), vec2<double>::Zero(), 0.5},
        configuration{general, vec2<double>(0.3, -1.2), 3.0}}) {
    const vec2<double> x_star = minimizer(a);
    vec2<double> z;
    const double defect = monotonicity_defect(p, center, x_star, 4096, &z);
    REQUIRE(defect < 0);
    const vec2<double> w = p * (x_star - center);
    for (double t : {1e-4, 1e-5, 1e-6}) {
      const double signed_t = z.dot(w) > 0 ? t : -t; // D(tz) ≈ 2t zᵀw > 0 (264)
      const vec2<double> x = x_star + signed_t * z;
      const auto next = problem.step(scalar_state<double>{x(0), x(1)});
      const double before = lyapunov_excess(p, center, x, x_star);
      const double after = lyapunov_excess(p, center, vec2<double>(next.a, next.b), x_star);
      REQUIRE(before > 0);
      CHECK(after / before > 1); // (261) fails in every neighbourhood of x*
      // (266): N − D = −2η t zᵀH*w + O(t²).
      const double predicted =
          -2 * eta * signed_t * z.dot(scalar_minimizer_hessian(x_star(0), x_star(1)) * w);
      CHECK((after - before) == Approx(predicted).epsilon(1e-2 + 1e2 * t));
    }
  }
}

TEST_CASE("Prop 13 input validation: P symmetric positive definite, a* b* = 1, finite, 2x2",
          "[stability][fixed_quadratic][validation]") {
  const mat2<double> identity = mat2<double>::Identity();
  const vec2<double> zero = vec2<double>::Zero(), x_star(2, 0.5);
  mat2<double> skew, indefinite, singular;
  skew << 1, 0.5, 0.4, 1;
  indefinite << 1, 2, 2, 1;
  singular << 1, 1, 1, 1;
  using Catch::Matchers::Contains;
  REQUIRE_THROWS_AS(fixed_quadratic_obstruction(skew, zero, x_star), invalid_parameter);
  REQUIRE_THROWS_WITH(fixed_quadratic_obstruction(skew, zero, x_star), Contains("quadratic P"));
  REQUIRE_THROWS_WITH(fixed_quadratic_obstruction(indefinite, zero, x_star),
                      Contains("positive definite"));
  REQUIRE_THROWS_WITH(fixed_quadratic_obstruction(singular, zero, x_star),
                      Contains("positive definite"));
  REQUIRE_THROWS_WITH(fixed_quadratic_obstruction(-identity, zero, x_star),
                      Contains("positive definite"));
  REQUIRE_THROWS_WITH(fixed_quadratic_obstruction(identity, zero, vec2<double>(2, 0.6)),
                      Contains("minimizer x*"));
  REQUIRE_THROWS_WITH(fixed_quadratic_obstruction(identity, zero, vec2<double>(0, 0)),
                      Contains("minimizer x*"));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  REQUIRE_THROWS_WITH(fixed_quadratic_obstruction(identity, vec2<double>(nan, 0), x_star),
                      Contains("centre x_c"));
  REQUIRE_THROWS_WITH(fixed_quadratic_obstruction(identity, zero, vec2<double>(nan, nan)),
                      Contains("minimizer x*"));
  mat2<double> with_nan = identity;
  with_nan(1, 1) = nan;
  REQUIRE_THROWS_WITH(fixed_quadratic_obstruction(with_nan, zero, x_star), Contains("quadratic P"));
  REQUIRE_THROWS_WITH(fixed_quadratic_obstruction(Eigen::MatrixXd::Identity(3, 3), zero, x_star),
                      Contains("quadratic P"));
  REQUIRE_THROWS_WITH(fixed_quadratic_obstruction(identity, zero, x_star, 0.0),
                      Contains("relative tolerance"));
  REQUIRE_THROWS_WITH(fixed_quadratic_obstruction(identity, zero, x_star, nan),
                      Contains("relative tolerance"));
  REQUIRE_THROWS_WITH(monotonicity_defect(identity, zero, x_star, 1), Contains("directions"));
  // Within the tolerance a*b* = 1 is accepted, and a dynamic-size 2x2 argument is fine.
  REQUIRE_NOTHROW(fixed_quadratic_obstruction(identity, zero, vec2<double>(2, 0.5 + 1e-12)));
  REQUIRE_NOTHROW(fixed_quadratic_obstruction(Eigen::MatrixXd::Identity(2, 2),
                                              Eigen::VectorXd::Zero(2), x_star));
}
