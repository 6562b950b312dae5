// Critical step sizes: Liang–Montúfar's η*(u, v) [LM eq. 3] and Wang et al.'s balancing bound [W Thm 3.1-3.2] (docs/formulas.md §6).
#include "fixtures.hpp"

#include <gdcert/dynamics/quotient_map.hpp>
#include <gdcert/stability/critical_step.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <limits>

using namespace gdcert;
using namespace gdcert::test;
using Catch::Matchers::Contains;

namespace {

using state = regularized_factorization::state<double>;

state random_initialization(std::mt19937_64& rng, Eigen::Index d, double scale) {
  std::normal_distribution<double> normal(0, 1);
  state x{vector<double>(d), vector<double>(d)};
  for (Eigen::Index k = 0; k < d; ++k) {
    x.u(k) = scale * normal(rng);
    x.v(k) = scale * normal(rng);
  }
  return x;
}

/// GD on ½(⟨u,v⟩ − y)² with step η converges when |⟨u,v⟩ − y| < 1e-8 within 20000 steps (the
/// criterion of the brief); a run whose norms pass 1e10 is stopped early as divergent.
bool converges(double eta, double y, state x) {
  const regularized_factorization problem(eta, x.u.size(), y, 0.0);
  for (int t = 0; t < 20000; ++t) {
    const double residual = dot(x.u, x.v) - y;
    if (std::abs(residual) < 1e-8)
      return true;
    if (!(squared_norm(x.u) + squared_norm(x.v) < 1e10))
      return false;
    x = problem.step(x);
  }
  return false;
}

} // namespace

TEST_CASE("critical step eta*(u,v) = min{1/|y|, 8/(|u|^2+|v|^2+sqrt(...))} is where GD stops "
          "converging ([LM eq. 3], docs/formulas.md §6)",
          "[stability][critical_step][simulation]") {
  auto rng = generator(801);
  const double y = 1.0;
  int compared = 0, agreeing = 0, second_branch = 0;
  for (int i = 0; i < 50; ++i) {
    const state x = random_initialization(rng, 3, uniform(rng, 0.5, 2.5));
    const double critical = liang_montufar_critical_step(y, x.u, x.v);
    second_branch += critical < 1 / std::abs(y);
    // Sharpness: along eight steps spread over [η*/2, 2η*] the outcome must switch exactly once
    // (converge, then fail). Otherwise the region boundary is not sharp here (a null set of
    // exceptional basins, or too slow a run) and the point is skipped.
    std::array<bool, 8> outcome{};
    for (int k = 0; k < 8; ++k)
      outcome[k] = converges(critical * (0.5 + 1.5 * k / 7.0), y, x);
    int switches = 0;
    for (int k = 1; k < 8; ++k)
      switches += outcome[k] != outcome[k - 1];
    if (!(outcome.front() && !outcome.back() && switches == 1))
      continue;
    double low = critical * 0.5, high = critical * 2;
    while (high - low > 1e-4 * low) {
      const double middle = 0.5 * (low + high);
      (converges(middle, y, x) ? low : high) = middle;
    }
    const double measured = 0.5 * (low + high);
    ++compared;
    agreeing += std::abs(measured - critical) <= 1e-3 * critical;
    INFO("point " << i << ": eta* = " << critical << ", bisection = " << measured);
    CHECK(measured == Approx(critical).epsilon(1e-2));
  }
  INFO("compared " << compared << ", agreeing " << agreeing << ", 8/Q branch " << second_branch);
  REQUIRE(compared >= 40);
  REQUIRE(agreeing >= 40); // at least 80% of the 50 points
  REQUIRE(second_branch >= 10);
}

TEST_CASE("critical step equals 8/Q with Q the quotient function of [LM App. D] "
          "(docs/formulas.md §6-7)",
          "[stability][critical_step]") {
  auto rng = generator(802);
  for (int i = 0; i < exact_points; ++i) {
    const double y = random_dyadic(rng, -2, 2);
    if (y == 0)
      continue;
    const state x = random_initialization(rng, 1 + i % 5, uniform(rng, 0.2, 3));
    // Any η gives the same T and Q; only the parameters y, λ = 0 matter.
    const quotient_map f(regularized_factorization(0.5, x.u.size(), y, 0.0));
    const double q = f.lyapunov_function(f.quotient(x));
    const double expected = std::min(1 / std::abs(y), 8 / q);
    REQUIRE(liang_montufar_critical_step(y, x.u, x.v) == Approx(expected).epsilon(1e-14));
  }
}

TEST_CASE("critical step takes the 1/|y| branch for small initializations ([LM eq. 3]): minimizers "
          "(|u|^2+|v|^2 >= 2|y|) all lose stability at eta = 1/|y|",
          "[stability][critical_step]") {
  auto rng = generator(803);
  for (int i = 0; i < exact_points; ++i) {
    const double y = random_dyadic(rng, 0.25, 2) * (i % 2 == 0 ? 1 : -1);
    // Q <= 8|y| ⇔ 8/Q >= 1/|y|: true at the origin (Q = 4|y|) and for small enough (u, v).
    const state x = random_initialization(rng, 3, 0.05 * std::sqrt(std::abs(y)));
    REQUIRE(liang_montufar_critical_step(y, x.u, x.v) == 1 / std::abs(y));
  }
  const vector<double> zero = vector<double>::Zero(3);
  REQUIRE(liang_montufar_critical_step(2.0, zero, zero) == 0.5);
  // GD from a small start converges below 1/|y| and not above it.
  const state x = random_initialization(rng, 3, 0.3);
  REQUIRE(liang_montufar_critical_step(1.0, x.u, x.v) == 1.0);
  CHECK(converges(0.9, 1.0, x));
  CHECK_FALSE(converges(1.1, 1.0, x));
}

TEST_CASE("critical step accepts long double vectors and mixed precision agrees ([LM eq. 3])",
          "[stability][critical_step]") {
  auto rng = generator(804);
  const state x = random_initialization(rng, 4, 1.5);
  const vector<long double> u = x.u.cast<long double>(), v = x.v.cast<long double>();
  const long double wide = liang_montufar_critical_step(0.75, u, v);
  const double narrow = liang_montufar_critical_step(0.75, x.u, x.v);
  REQUIRE(static_cast<double>(wide) == Approx(narrow).epsilon(1e-14));
}

TEST_CASE("critical step and balancing bound reject bad input naming the parameter "
          "(docs/formulas.md §6)",
          "[stability][critical_step][errors]") {
  const vector<double> u = vector<double>::Ones(3), v = vector<double>::Ones(3);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  REQUIRE_THROWS_AS(liang_montufar_critical_step(0.0, u, v), invalid_parameter);
  REQUIRE_THROWS_WITH(liang_montufar_critical_step(0.0, u, v),
                      Contains("target y") && Contains("y != 0"));
  REQUIRE_THROWS_WITH(liang_montufar_critical_step(nan, u, v), Contains("target y"));
  vector<double> bad = u;
  bad(1) = nan;
  REQUIRE_THROWS_AS(liang_montufar_critical_step(1.0, bad, v), invalid_parameter);
  REQUIRE_THROWS_WITH(liang_montufar_critical_step(1.0, bad, v), Contains("u(1)"));
  REQUIRE_THROWS_WITH(liang_montufar_critical_step(1.0, u, bad), Contains("v(1)"));
  REQUIRE_THROWS_WITH(liang_montufar_critical_step(1.0, u, vector<double>(vector<double>::Ones(2))),
                      Contains("v.size()"));

  REQUIRE_THROWS_AS(balancing_step_bound(u, v, 0.0), invalid_parameter);
  REQUIRE_THROWS_WITH(balancing_step_bound(u, v, 0.0), Contains("target mu") && Contains("mu > 0"));
  REQUIRE_THROWS_WITH(balancing_step_bound(u, v, -1.0), Contains("target mu"));
  REQUIRE_THROWS_WITH(balancing_step_bound(u, v, nan), Contains("target mu"));
  REQUIRE_THROWS_WITH(balancing_step_bound(bad, v, 1.0), Contains("x0(1)"));
  REQUIRE_THROWS_WITH(balancing_step_bound(u, bad, 1.0), Contains("y0(1)"));
}

TEST_CASE("balancing bound h = min{4/(|x0|^2+|y0|^2+4 mu), 1/(3 mu)} "
          "([W Thm 3.1], docs/formulas.md §6)",
          "[stability][critical_step]") {
  auto rng = generator(805);
  for (int i = 0; i < exact_points; ++i) {
    const double mu = uniform(rng, 0.1, 3);
    const state x = random_initialization(rng, 1 + i % 6, uniform(rng, 0.1, 4));
    const double total = squared_norm(x.u) + squared_norm(x.v);
    const double h = balancing_step_bound(x.u, x.v, mu);
    REQUIRE(h == Approx(std::min(4 / (total + 4 * mu), 1 / (3 * mu))).epsilon(1e-14));
    // The first term is active exactly when ‖x₀‖² + ‖y₀‖² >= 8μ (proof of Thm 3.1, App. G).
    if (total > 8 * mu)
      REQUIRE(h == Approx(4 / (total + 4 * mu)).epsilon(1e-14));
    else
      REQUIRE(h == Approx(1 / (3 * mu)).epsilon(1e-14));
  }
}

TEST_CASE("GD at Wang et al.'s step converges to a minimizer with |x|^2+|y|^2 <= 2/h and "
          "|x-y|^2 <= 2/h - 2 mu ([W Thm 3.1-3.2], docs/formulas.md §6)",
          "[stability][critical_step][simulation]") {
  // Their problem (3), min ½(μ − xᵀy)² over x, y ∈ ℝ^d with GD x' = x + h(μ − xᵀy)y,
  // y' = y + h(μ − xᵀy)x, is gdcert's regularized_factorization(h, d, μ, 0).
  auto rng = generator(806);
  for (int i = 0; i < 100; ++i) {
    const Eigen::Index d = 1 + i % 10;
    const double mu = uniform(rng, 0.1, 3);
    state x = random_initialization(rng, d, std::sqrt(mu) * std::exp(uniform(rng, -1, 2)));
    if (i % 4 == 0) {
      // Near an unbalanced minimizer, as in their Corollary 3.3 and Fig. 2: ⟨x₀,y₀⟩ ≈ μ,
      // ‖x₀‖ ≫ ‖y₀‖.
      const double ratio = std::exp(uniform(rng, 1, 4));
      x.v = x.u * (mu / squared_norm(x.u) * (1 + uniform(rng, -0.1, 0.1)));
      x.u *= ratio;
      x.v /= ratio;
      x.v(0) += 1e-3; // off the exactly aligned (non-generic) line
    }
    const double h = balancing_step_bound(x.u, x.v, mu);
    const regularized_factorization problem(h, d, mu, 0.0);
    int t = 0;
    for (; t < 200000 && !(std::abs(dot(x.u, x.v) - mu) < 1e-12 * mu); ++t)
      x = problem.step(x);
    const double total = squared_norm(x.u) + squared_norm(x.v);
    const double gap = squared_norm(vector<double>(x.u - x.v));
    INFO("d = " << d << ", mu = " << mu << ", h = " << h << ", steps = " << t);
    REQUIRE(t < 200000);
    REQUIRE(problem.distance_to_minimizers(x) < 1e-9);
    REQUIRE(total <= 2 / h * (1 + 1e-9));
    REQUIRE(gap <= (2 / h - 2 * mu) * (1 + 1e-9) + 1e-9);
  }
}
