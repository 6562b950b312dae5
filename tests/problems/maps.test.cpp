// Each GD map equals x − η∇R(x) exactly, in rationals (docs/formulas.md §1).
#include "fixtures.hpp"

#include <catch2/catch.hpp>

using namespace gdcert;
using namespace gdcert::test;

namespace {
template <class Sampler>
void check_map_is_gradient_step(Sampler sample, std::uint64_t stream) {
  auto rng = generator(stream);
  for (int i = 0; i < exact_points; ++i) {
    const auto problem = sample(rng);
    const auto x = random_state<rational>(problem, rng);
    INFO("point " << i);
    REQUIRE(problem.coordinates(problem.step(x)) == problem.coordinates(problem.gradient_step(x)));
  }
}
} // namespace

TEST_CASE("scalar map (8) equals x - eta grad R exactly", "[problems][exact]") {
  check_map_is_gradient_step(sample_scalar, 1);
}
TEST_CASE("scalar-vector map (45) equals x - eta grad R exactly", "[problems][exact]") {
  check_map_is_gradient_step(sample_scalar_vector, 2);
}
TEST_CASE("regularized map [LM 4] equals x - eta grad R exactly", "[problems][exact]") {
  check_map_is_gradient_step(sample_regularized, 3);
}
TEST_CASE("rank-1 factorization map (14) equals x - eta grad R exactly", "[problems][exact]") {
  check_map_is_gradient_step(sample_factorization, 4);
}
TEST_CASE("rank-1 approximation map (76) equals x - eta grad R exactly", "[problems][exact]") {
  check_map_is_gradient_step(sample_approximation, 5);
  check_map_is_gradient_step(sample_general_approximation, 6);
}
TEST_CASE("diag(1, sigma) approximation map (402) equals x - eta grad R exactly",
          "[problems][exact]") {
  check_map_is_gradient_step(sample_diagonal, 7);
}
TEST_CASE("quartic map (411) equals x - eta grad R exactly", "[problems][exact]") {
  check_map_is_gradient_step(sample_quartic, 8);
}
TEST_CASE("matrix map (3) equals x - eta grad R exactly", "[problems][exact]") {
  check_map_is_gradient_step(sample_matrix, 9);
}

TEST_CASE("rank-1 factorization is the sigma -> 0 member of the diag(1, sigma) family (14, 402)",
          "[problems][exact]") {
  // The shared polynomial core with σ = 0 must be the factorization map written out in (14).
  auto rng = generator(10);
  for (int i = 0; i < exact_points; ++i) {
    const rank1_factorization problem(random_dyadic(rng, 0, 2));
    const auto x = random_state<rational>(problem, rng);
    const rational eta = problem.step_size(), one = 1;
    const auto next = problem.step(x);
    REQUIRE(next.a == (one - eta * (x.b * x.b + x.v * x.v)) * x.a + eta * x.b);
    REQUIRE(next.u == (one - eta * (x.b * x.b + x.v * x.v)) * x.u);
    REQUIRE(next.b == (one - eta * (x.a * x.a + x.u * x.u)) * x.b + eta * x.a);
    REQUIRE(next.v == (one - eta * (x.a * x.a + x.u * x.u)) * x.v);
  }
}

TEST_CASE("rank-1 approximation with k = 1 is rank-1 factorization (76 vs 14)",
          "[problems][exact]") {
  auto rng = generator(11);
  for (int i = 0; i < exact_points; ++i) {
    const double eta = random_dyadic(rng, 0, 2);
    const rank1_factorization factorization(eta);
    const rank1_approximation approximation(eta, 1);
    const auto x = random_state<rational>(factorization, rng);
    rank1_approximation::state<rational> y{vector<rational>::Constant(1, x.a),
                                           vector<rational>::Constant(1, x.b), x.u, x.v};
    const auto fx = factorization.step(x);
    const auto fy = approximation.step(y);
    REQUIRE(fy.a(0) == fx.a);
    REQUIRE(fy.b(0) == fx.b);
    REQUIRE(fy.u == fx.u);
    REQUIRE(fy.v == fx.v);
    REQUIRE(approximation.loss(y) == factorization.loss(x));
  }
}

TEST_CASE("scalar-vector factorization is the lambda = 0, y = 1 regularized problem",
          "[problems][exact]") {
  auto rng = generator(12);
  for (int i = 0; i < exact_points; ++i) {
    const double eta = random_dyadic(rng, 0, 2);
    const scalar_vector_factorization plain(eta, 3);
    const regularized_factorization regularized(eta, 3, 1.0, 0.0);
    const auto x = random_state<rational>(plain, rng);
    const auto fx = plain.step(x);
    const auto fy = regularized.step(regularized_factorization::state<rational>{x.a, x.b});
    REQUIRE(fx.a == fy.u);
    REQUIRE(fx.b == fy.v);
  }
}
