// The affine recursions I(δ; GD(x)) = M·I(δ; x) + R hold exactly in rationals (docs/formulas.md §3).
#include "fixtures.hpp"

#include <catch2/catch.hpp>

using namespace gdcert;
using namespace gdcert::test;

namespace {
template <class Problem, class Certificate, class Sampler>
void check_recursion(Sampler sample, std::uint64_t stream) {
  auto rng = generator(stream);
  for (int i = 0; i < exact_points; ++i) {
    const Problem problem = sample(rng);
    const Certificate certificate(problem);
    const double delta = random_dyadic(rng, 0, 2);
    const auto x = random_state<rational>(problem, rng);
    INFO("point " << i << ", eta = " << problem.step_size() << ", delta = " << delta);
    REQUIRE(certificate(delta, problem.step(x)) ==
            certificate.multiplier(delta, x) * certificate(delta, x) +
                certificate.remainder(delta, x));
  }
}
} // namespace

TEST_CASE("scalar recursion (12-13) is exact, any target sigma", "[certificates][exact]") {
  check_recursion<scalar_factorization, scalar_certificate>(sample_scalar, 101);
}
TEST_CASE("scalar-vector recursion (47) is exact", "[certificates][exact]") {
  check_recursion<scalar_vector_factorization, scalar_vector_certificate>(sample_scalar_vector,
                                                                          102);
}
TEST_CASE("rank-1 factorization recursion (59-61) is exact", "[certificates][exact]") {
  check_recursion<rank1_factorization, factorization_certificate>(sample_factorization, 103);
}
TEST_CASE("rank-1 approximation recursion (81-83) is exact", "[certificates][exact]") {
  check_recursion<rank1_approximation, approximation_certificate>(sample_approximation, 104);
  check_recursion<rank1_approximation, approximation_certificate>(
      [](std::mt19937_64& rng) { return rank1_approximation(random_dyadic(rng, 0, 2), 4); }, 105);
}

TEST_CASE("the multiplier completes a square (62): M = eta^2 D + eta^2 (L - delta/(2 eta))^2 + 1 - "
          "delta^2/4",
          "[certificates][exact]") {
  auto rng = generator(106);
  for (int i = 0; i < exact_points; ++i) {
    const rank1_factorization problem(random_dyadic(rng, 0, 2));
    const factorization_certificate certificate(problem);
    const double delta = random_dyadic(rng, 0, 2);
    const auto x = random_state<rational>(problem, rng);
    REQUIRE(certificate.multiplier(delta, x) == certificate.multiplier_completed_square(delta, x));
    REQUIRE(certificate.multiplier(delta, x) >= 0);
  }
}

TEST_CASE("the regrouped remainder (87) equals (81-83)", "[certificates][exact]") {
  auto rng = generator(107);
  for (int i = 0; i < exact_points; ++i) {
    const rank1_approximation problem(random_dyadic(rng, 0, 2), 1 + i % 4);
    const approximation_certificate certificate(problem);
    const double delta = random_dyadic(rng, 0, 2);
    const auto x = random_state<rational>(problem, rng);
    REQUIRE(certificate.remainder(delta, x) == certificate.remainder_regrouped(delta, x));
  }
}

TEST_CASE("approximation certificate with k = 1 is the factorization certificate (17, 22)",
          "[certificates][exact]") {
  auto rng = generator(108);
  for (int i = 0; i < exact_points; ++i) {
    const double eta = random_dyadic(rng, 0, 2), delta = random_dyadic(rng, 0, 2);
    const rank1_factorization factorization(eta);
    const rank1_approximation approximation(eta, 1);
    const auto x = random_state<rational>(factorization, rng);
    const rank1_approximation::state<rational> y{vector<rational>::Constant(1, x.a),
                                                 vector<rational>::Constant(1, x.b), x.u, x.v};
    const factorization_certificate fac(factorization);
    const approximation_certificate apx(approximation);
    REQUIRE(apx(delta, y) == fac(delta, x));
    REQUIRE(apx.multiplier(delta, y) == fac.multiplier(delta, x));
    REQUIRE(apx.remainder(delta, y) == fac.remainder(delta, x));
  }
}

TEST_CASE("R vanishes at minimizers of rank-1 factorization (Prop 2 equality case)",
          "[certificates][exact]") {
  auto rng = generator(109);
  for (int i = 0; i < exact_points; ++i) {
    const rank1_factorization problem(random_dyadic(rng, 0, 2));
    const factorization_certificate certificate(problem);
    rational a = random_rational(rng);
    if (a == 0)
      a = 1;
    const rank1_state<rational> minimizer{a, 1 / a, 0, 0};
    REQUIRE(certificate.remainder(random_dyadic(rng, 0, 2), minimizer) == 0);
  }
}
