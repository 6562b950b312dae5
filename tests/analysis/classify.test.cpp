// Outcome classifier (analysis/classify.hpp): minimizers, saddles, period-2 orbits on K2, divergence, undecided, the δ_t trace.
#include "fixtures.hpp"

#include <gdcert/analysis/classify.hpp>

#include <catch2/catch.hpp>

#include <cmath>

using namespace gdcert;
using namespace gdcert::test;

TEST_CASE("certified scalar trajectories converge to a minimizer with delta_t increasing to "
          "4/(a^2+b^2) (docs/formulas.md §4, LM Thm 1)",
          "[analysis][classify]") {
  auto rng = generator(411);
  int certified = 0;
  for (int i = 0; i < 300 && certified < 60; ++i) {
    const double eta = uniform(rng, 0.1, 0.9);
    const scalar_factorization problem(eta);
    const scalar_certificate certificate(problem);
    const scalar_state<double> x0{uniform(rng, -2, 2), uniform(rng, -2, 2)};
    if (!(certificate(eta, x0) < -1e-3))
      continue;
    ++certified;
    const auto result = classify_certified(problem, x0, certificate);
    INFO("eta = " << eta << ", x0 = (" << x0.a << ", " << x0.b << ")");
    REQUIRE(result.label == outcome::minimizer);
    REQUIRE(result.period == 1);
    REQUIRE(result.decision_step + outcome_criteria{}.confirmation_steps == result.steps);
    REQUIRE(result.distance_to_minimizers <= 1e-6);
    REQUIRE(result.final_step <= 1e-10);
    REQUIRE(std::abs(result.final_loss) <= 1e-12);
    const double total = square(result.final_state.a) + square(result.final_state.b);
    REQUIRE(result.final_norm == Approx(std::sqrt(total)));
    // Hessian eigenvalues at a minimizer are 0 and a² + b² (140-143): attracting iff <= 2/η.
    REQUIRE(result.sharpness == Approx(total).margin(1e-6));
    REQUIRE(result.sharpness_ratio <= 1 + 1e-6);
    REQUIRE(result.residual.has_value());
    REQUIRE(std::abs(*result.residual) <= 1e-6);
    REQUIRE(result.imbalance.has_value());
    REQUIRE(*result.imbalance ==
            Approx(square(result.final_state.b) - square(result.final_state.a)));
    REQUIRE(result.certificate.has_value());
    const auto& trace = *result.certificate;
    REQUIRE(trace.certified);
    REQUIRE(trace.monotone);
    REQUIRE(trace.first_violation_step == 0);
    REQUIRE(trace.initial > eta);
    REQUIRE(trace.final >= trace.initial);
    REQUIRE(trace.final == Approx(4 / total).margin(1e-6)); // δ = 4/S on M* (L = 0)
  }
  REQUIRE(certified >= 60);
}

TEST_CASE("period-2 detection on the terminal map: rank-1 factorization at eta = 1.15 from a "
          "certified point locks onto {L-, L+} (182-184)",
          "[analysis][classify]") {
  const double eta = 1.15;
  const rank1_factorization problem(eta);
  const factorization_certificate certificate(problem);
  for (const rank1_state<double>& x0 :
       {rank1_state<double>{0.9, 0.8, 0.1, 0.05}, rank1_state<double>{0.5, 1.1, -0.2, 0.3},
        rank1_state<double>{-0.7, -0.9, 0.05, 0.0}}) {
    REQUIRE(certificate(eta, x0) < 0);
    const auto result = classify_certified(problem, x0, certificate, {}, orbit_refinement{});
    REQUIRE(result.label == outcome::periodic);
    REQUIRE(result.period == 2);
    REQUIRE(result.orbit.size() == 2);
    REQUIRE(result.orbit_confirmed);
    REQUIRE(result.refined_orbit->minimal_period == 2);
    // μ_η = 7 − 4η − 2η² ∈ (−1, 1): the cycle attracts (182-184).
    REQUIRE(result.refined_orbit->spectrum.spectral_radius < 1 + 1e-9);
    const two_cycle cycle = balanced_two_cycle(eta);
    double low = 1, high = -1;
    for (const auto& point : result.orbit) {
      REQUIRE(std::abs(point.a - point.b) <= 1e-8);  // balanced
      REQUIRE(std::hypot(point.u, point.v) <= 1e-8); // u = v = 0: on K₂
      const double l = 1 - point.a * point.b;
      low = std::min(low, l);
      high = std::max(high, l);
    }
    REQUIRE(low == Approx(cycle.lower).margin(1e-8));
    REQUIRE(high == Approx(cycle.upper).margin(1e-8));
    // Sharpness on the cycle (185-189): one of S± = 2 − 3L±, straddling 2/η.
    const auto s = balanced_two_cycle_sharpness(eta);
    REQUIRE((std::abs(result.sharpness - s.at_lower) <= 1e-6 ||
             std::abs(result.sharpness - s.at_upper) <= 1e-6));
    // δ_t increases to δ* = 2: the trajectory approaches K₂ (docs/formulas.md §4).
    REQUIRE(result.certificate->monotone);
    REQUIRE(result.certificate->final == Approx(2).margin(1e-8));
  }
}

TEST_CASE("classify without orbit_refinement reports the period-2 orbit points but no Newton "
          "refinement (182-184)",
          "[analysis][classify]") {
  const rank1_factorization problem(1.15);
  const rank1_state<double> x0{0.9, 0.8, 0.1, 0.05};
  const auto plain = classify(problem, x0);
  const auto refined = classify(problem, x0, {}, orbit_refinement{});
  REQUIRE(plain.label == outcome::periodic);
  REQUIRE(plain.period == 2);
  REQUIRE(plain.orbit.size() == 2);
  REQUIRE_FALSE(plain.refined_orbit.has_value());
  REQUIRE_FALSE(plain.orbit_confirmed);
  // The refinement changes nothing else: same label, decision step and orbit points.
  REQUIRE(refined.label == plain.label);
  REQUIRE(refined.decision_step == plain.decision_step);
  REQUIRE(refined.orbit.front().a == plain.orbit.front().a);
  REQUIRE(refined.orbit_confirmed);
  // Newton options travel with the refinement: no iterations allowed, no confirmation.
  orbit_refinement none;
  none.options.max_iterations = 0;
  none.options.tolerance = 1e-300;
  REQUIRE_FALSE(classify(problem, x0, {}, none).orbit_confirmed);
}

TEST_CASE(
    "saddle: trajectories converging to S outside M* (the origin, the branch a = b = 0, uv = 0 "
    "of (16))",
    "[analysis][classify]") {
  // Scalar problem on the anti-diagonal b = −a: a' = a(1 − ηa² − η), exactly symmetric.
  const scalar_factorization scalar(0.5);
  const auto origin = classify(scalar, scalar_state<double>{0.5, -0.5});
  REQUIRE(origin.label == outcome::saddle);
  REQUIRE(std::hypot(origin.final_state.a, origin.final_state.b) <= 1e-6);
  // Rank-1 factorization: (0, 0, u, 0) is a fixed point on the saddle branch.
  const rank1_factorization rank1(0.5);
  const auto branch = classify(rank1, rank1_state<double>{0, 0, 0.5, 0});
  REQUIRE(branch.label == outcome::saddle);
  REQUIRE(branch.decision_step == 1); // x₁ = x₀: stationary at the first check
  REQUIRE(branch.steps == 1 + outcome_criteria{}.confirmation_steps);
  REQUIRE(branch.distance_to_minimizers > 0.5);
}

TEST_CASE("divergence: the escape step is the first t with ||x_t|| > escape_norm",
          "[analysis][classify]") {
  const scalar_factorization problem(0.5);
  for (const scalar_state<double>& x0 :
       {scalar_state<double>{3, 3}, scalar_state<double>{-4, 2.5}, scalar_state<double>{10, 0.1}}) {
    // Outside {Q < 8/η} (LM Thm 1).
    REQUIRE(liang_montufar_q(1.0, x0.a, x0.b) > 8 / problem.step_size());
    outcome_criteria criteria;
    criteria.escape_norm = 1e6;
    const auto result = classify(problem, x0, criteria);
    REQUIRE(result.label == outcome::diverged);
    auto x = x0;
    const std::size_t escape = run_until(
        problem, x, [](const auto& y, std::size_t) { return !(std::hypot(y.a, y.b) <= 1e6); },
        1000);
    REQUIRE(result.decision_step == escape);
    REQUIRE(result.steps == escape);
    REQUIRE(result.final_norm > 1e6);
    REQUIRE(result.final_state.a == x.a);
  }
}

TEST_CASE("undecided at the step limit, decided at max_steps", "[analysis][classify]") {
  const rank1_factorization problem(1.3); // beyond √5 − 1: no attracting 2-cycle on K₂
  outcome_criteria criteria;
  criteria.max_steps = 50;
  const auto result = classify(problem, rank1_state<double>{0.9, 0.8, 0.1, 0.05}, criteria);
  REQUIRE(result.label == outcome::undecided);
  REQUIRE(result.decision_step == 50);
  REQUIRE(result.steps == 50);
  REQUIRE(result.orbit.empty());
}

TEST_CASE("long double trajectories are classified like double ones", "[analysis][classify]") {
  const rank1_factorization problem(1.15);
  const auto in_double = classify(problem, rank1_state<double>{0.9, 0.8, 0.1, 0.05});
  const auto in_long =
      classify(problem, rank1_state<long double>{0.9L, 0.8L, 0.1L, 0.05L}, {}, orbit_refinement{});
  REQUIRE(in_long.label == in_double.label);
  REQUIRE(in_long.period == in_double.period);
  REQUIRE(in_long.orbit_confirmed);
  REQUIRE(std::abs(double(in_long.final_state.a * in_long.final_state.b) -
                   in_double.final_state.a * in_double.final_state.b) <= 1e-6);
  const scalar_factorization scalar(0.5);
  REQUIRE(classify(scalar, scalar_state<long double>{0.3L, 1.7L}).label == outcome::minimizer);
}

TEST_CASE("problems without distance functions are labelled through is_minimizer (matrix problem)",
          "[analysis][classify]") {
  matrix<double> target = matrix<double>::Zero(3, 3);
  target(0, 0) = 1;
  const matrix_factorization problem(0.3, target, 1);
  matrix<double> a(3, 1), b(3, 1);
  a << 0.9, 0.1, 0.1;
  b << 0.7, -0.1, 0.05;
  const auto result = classify(problem, matrix_factorization::state<double>{a, b});
  REQUIRE(result.label == outcome::minimizer);
  REQUIRE(std::isnan(result.distance_to_minimizers));
  REQUIRE(!result.residual.has_value());
}

TEST_CASE("invalid criteria and initial states are rejected naming the parameter",
          "[analysis][classify]") {
  const scalar_factorization problem(0.5);
  const scalar_state<double> x0{0.3, 0.2};
  auto rejects = [&](outcome_criteria criteria, const std::string& name) {
    try {
      (void)classify(problem, x0, criteria);
      FAIL("accepted " << name);
    } catch (const invalid_parameter& e) {
      REQUIRE(e.parameter() == name);
    }
  };
  outcome_criteria c;
  c.max_steps = 0;
  rejects(c, "criteria.max_steps");
  c = {};
  c.max_period = 9;
  rejects(c, "criteria.max_period");
  c = {};
  c.step_tolerance = std::nan("");
  rejects(c, "criteria.step_tolerance");
  c = {};
  c.escape_norm = -1;
  rejects(c, "criteria.escape_norm");
  try {
    (void)classify(problem, scalar_state<double>{std::nan(""), 0});
    FAIL("accepted a NaN state");
  } catch (const invalid_parameter& e) {
    REQUIRE(e.parameter() == "state coordinate 0");
  }
}
