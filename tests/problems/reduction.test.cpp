// The orthogonal reduction (4-6): full matrix GD equals the lifted (k+1)-dimensional run.
#include "fixtures.hpp"

#include <catch2/catch.hpp>

using namespace gdcert;
using namespace gdcert::test;

namespace {
Eigen::MatrixXd random_orthogonal(std::mt19937_64& rng, int n) {
  Eigen::MatrixXd m(n, n);
  for (Eigen::Index i = 0; i < m.size(); ++i)
    m(i) = uniform(rng, -1, 1);
  return Eigen::HouseholderQR<Eigen::MatrixXd>(m).householderQ();
}
} // namespace

TEST_CASE("full 5x5 rank-1 GD equals the lifted reduced run over 50 steps (4-6)",
          "[problems][reduction]") {
  auto rng = generator(61);
  for (double lambda : {0.0, 0.05}) {
    // X = L diag(1.5, 1, 0.6, 0, 0) Rᵀ: known SVD, k = 3.
    const Eigen::MatrixXd left = random_orthogonal(rng, 5), right = random_orthogonal(rng, 5);
    Eigen::VectorXd sigma = Eigen::VectorXd::Zero(5);
    sigma.head(3) << 1.5, 1.0, 0.6;
    const Eigen::MatrixXd target = left * sigma.asDiagonal() * right.transpose();
    const matrix_factorization problem(0.3, target, 1, lambda);
    const rank1_reduction<double> reduction(problem);
    REQUIRE(reduction.signal_rank() == 3);
    REQUIRE(reduction.reduced_problem().dimension() == 8); // A, B ∈ ℝ⁴ each

    matrix_factorization::state<double> full{Eigen::MatrixXd(5, 1), Eigen::MatrixXd(5, 1)};
    for (int i = 0; i < 5; ++i) {
      full.A(i, 0) = uniform(rng, -0.8, 0.8);
      full.B(i, 0) = uniform(rng, -0.8, 0.8);
    }
    auto point = reduction.reduce(full);
    // Lifting round-trips.
    const auto lifted0 = reduction.lift(point.state, point.null_a, point.null_b);
    REQUIRE((problem.coordinates(lifted0) - problem.coordinates(full)).norm() <=
            1e-14 * problem.coordinates(full).norm());
    auto reduced = point.state;
    for (int t = 1; t <= 50; ++t) {
      full = problem.step(full);
      reduced = reduction.reduced_problem().step(reduced);
      const auto lifted = reduction.lift(reduced, point.null_a, point.null_b);
      const double error = (problem.coordinates(lifted) - problem.coordinates(full)).norm() /
                           problem.coordinates(full).norm();
      INFO("step " << t << ", lambda " << lambda);
      REQUIRE(error <= 1e-12);
    }
  }
}

TEST_CASE("reduction keeps a zero null block at zero", "[problems][reduction]") {
  Eigen::MatrixXd target = Eigen::MatrixXd::Zero(3, 4);
  target(0, 0) = 1;
  target(1, 1) = 0.5;
  const matrix_factorization problem(0.2, target, 1);
  const rank1_reduction<double> reduction(problem);
  matrix_factorization::state<double> x{Eigen::MatrixXd::Zero(4, 1), Eigen::MatrixXd::Zero(3, 1)};
  x.A(0, 0) = 0.7;
  x.B(1, 0) = -0.3;
  const auto point = reduction.reduce(x);
  REQUIRE(point.state.u == 0);
  REQUIRE(point.state.v == 0);
  REQUIRE(point.null_a.norm() == 0);
  REQUIRE_THROWS_AS(rank1_reduction<double>(matrix_factorization(0.2, target, 2)),
                    invalid_parameter);
  REQUIRE_THROWS_AS(
      rank1_reduction<double>(matrix_factorization(0.2, Eigen::MatrixXd::Zero(2, 2), 1)),
      invalid_parameter);
}
