// The balanced residual map g_η (172) and the residual recursions (217, 223, 230), exactly.
#include "fixtures.hpp"

#include <catch2/catch.hpp>

using namespace gdcert;
using namespace gdcert::test;

TEST_CASE("g_eta(L) = (1-2 eta)L + (2 eta - eta^2)L^2 + eta^2 L^3 (172)", "[dynamics][exact]") {
  auto rng = generator(161);
  for (int i = 0; i < exact_points; ++i) {
    const double eta = random_dyadic(rng, 0, 2);
    const rational e = eta, l = random_rational(rng);
    REQUIRE(balanced_residual_map(eta, l) ==
            (1 - 2 * e) * l + (2 * e - e * e) * l * l + e * e * l * l * l);
    // On the balanced line a = b the scalar residual follows g exactly.
    const scalar_factorization problem(eta);
    const rational a = random_rational(rng);
    const auto next = problem.step(scalar_factorization::state<rational>{a, a});
    REQUIRE(1 - next.a * next.b == balanced_residual_map(eta, 1 - a * a));
  }
}

TEST_CASE("scalar residual recursion (217): L' = g(L) - eta L (a-b)^2", "[dynamics][exact]") {
  auto rng = generator(162);
  for (int i = 0; i < exact_points; ++i) {
    const scalar_factorization problem = sample_scalar(rng);
    const auto x = random_state<rational>(problem, rng);
    const scalar_certificate certificate(problem);
    REQUIRE(certificate.residual(problem.step(x)) == residual_recursion(problem, x));
  }
}

TEST_CASE("factorization residual recursion (223)", "[dynamics][exact]") {
  auto rng = generator(163);
  for (int i = 0; i < exact_points; ++i) {
    const rank1_factorization problem = sample_factorization(rng);
    const auto x = random_state<rational>(problem, rng);
    REQUIRE(factorization_certificate::residual(problem.step(x)) == residual_recursion(problem, x));
  }
}

TEST_CASE("approximation residual recursion (230)", "[dynamics][exact]") {
  auto rng = generator(164);
  for (int i = 0; i < exact_points; ++i) {
    const rank1_approximation problem(random_dyadic(rng, 0, 2), 1 + i % 3);
    const auto x = random_state<rational>(problem, rng);
    REQUIRE(approximation_certificate::residual(problem.step(x)) == residual_recursion(problem, x));
  }
}
