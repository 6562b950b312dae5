// Proposition 2 (and its scalar case): R < 0 on {I(δ) = 0} \ S, R = 0 on S, δ_t strictly increasing.
#include "fixtures.hpp"

#include <catch2/catch.hpp>

using namespace gdcert;
using namespace gdcert::test;

TEST_CASE("R < 0 on the level set {I_fac(delta) = 0} away from S for 0 < eta < delta < 2 (Prop 2)",
          "[certificates][monotonicity]") {
  auto rng = generator(131);
  int checked = 0;
  for (int i = 0; i < 20000; ++i) {
    const double delta = uniform(rng, 0.05, 1.95), eta = uniform(rng, 0.01, 1) * delta;
    const rank1_factorization problem(eta);
    const factorization_certificate certificate(problem);
    // Scale a random direction onto the level set: I(δ; t·d) = t²(δ|d|² − δ²d_a d_b) + δ² − 4.
    const rank1_state<double> d{uniform(rng, -1, 1), uniform(rng, -1, 1), uniform(rng, -1, 1),
                                uniform(rng, -1, 1)};
    const double quadratic = certificate(delta, d) + 4 - delta * delta;
    const double t = std::sqrt((4 - delta * delta) / quadratic);
    const rank1_state<double> x{t * d.a, t * d.b, t * d.u, t * d.v};
    REQUIRE(std::abs(certificate(delta, x)) <= 1e-12);
    if (problem.distance_to_stationary(x) < 1e-3)
      continue;
    ++checked;
    INFO("eta = " << eta << ", delta = " << delta);
    REQUIRE(certificate.remainder(delta, x) < 0);
  }
  REQUIRE(checked > 19000);
}

TEST_CASE("R = 0 on S intersected with the level set (equality case of Prop 2)",
          "[certificates][monotonicity]") {
  auto rng = generator(132);
  for (int i = 0; i < 1000; ++i) {
    const double delta = uniform(rng, 0.05, 1.95), eta = uniform(rng, 0.01, 1) * delta;
    const factorization_certificate certificate{rank1_factorization(eta)};
    // Saddle branch (0, 0, ρ, 0) with δρ² = 4 − δ² (129) and a minimizer a² + a⁻² = 4/δ.
    const double rho = std::sqrt((4 - delta * delta) / delta);
    const double a = std::sqrt((2 + std::sqrt(4 - delta * delta)) / delta);
    for (const rank1_state<double>& x :
         {rank1_state<double>{0, 0, rho, 0}, rank1_state<double>{0, 0, 0, rho},
          rank1_state<double>{a, 1 / a, 0, 0}}) {
      REQUIRE(std::abs(certificate(delta, x)) <= 1e-13);
      REQUIRE(std::abs(certificate.remainder(delta, x)) <= 1e-13);
    }
  }
}

TEST_CASE("R < 0 for the scalar certificate whenever L != 0 and eta < delta (12-13)",
          "[certificates][monotonicity]") {
  auto rng = generator(133);
  for (int i = 0; i < exact_points; ++i) {
    const scalar_factorization problem(random_dyadic(rng, 0, 1.9));
    const scalar_certificate certificate(problem);
    const double delta = random_dyadic(rng, problem.step_size(), 2);
    const auto x = random_state<rational>(problem, rng);
    if (certificate.residual(x) == 0)
      REQUIRE(certificate.remainder(delta, x) == 0);
    else
      REQUIRE(certificate.remainder(delta, x) < 0);
  }
}

TEST_CASE("delta_t is strictly increasing along 1000 random certified trajectories (Prop 2)",
          "[certificates][monotonicity]") {
  auto rng = generator(134);
  int trajectories = 0;
  long strict_steps = 0;
  while (trajectories < 1000) {
    const double eta = uniform(rng, 0.05, 1.9);
    const rank1_factorization problem(eta);
    const factorization_certificate certificate(problem);
    rank1_state<double> x = random_state<double>(problem, rng, 2);
    double delta = certificate.state_parameter(x);
    if (!(delta > eta && delta < 2))
      continue; // certified: 0 < η < δ₀ < 2
    ++trajectories;
    for (int t = 0; t < 300; ++t) {
      const rank1_state<double> next = problem.step(x);
      const double next_delta = certificate.state_parameter(next);
      INFO("trajectory " << trajectories << ", eta = " << eta << ", step " << t);
      // Strictly increasing while the step is resolvable in double precision: away from S
      // (where R = 0) and from K₂ (where δ → 2); never decreasing beyond rounding anywhere.
      if (problem.distance_to_stationary(x) > 1e-3 &&
          certificate.distance_to_terminal_set(x) > 1e-3) {
        REQUIRE(next_delta > delta);
        ++strict_steps;
      } else {
        REQUIRE(next_delta >= delta - 1e-14);
      }
      x = next;
      delta = next_delta;
    }
    REQUIRE(delta <=
            2 * (1 + 4 * std::numeric_limits<double>::epsilon())); // δ* <= 2 up to rounding
  }
  REQUIRE(strict_steps > 10000);
}
