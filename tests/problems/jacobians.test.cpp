// Each analytic Jacobian I − η∇²R matches central differences of the map in long double (docs/formulas.md §6).
#include "fixtures.hpp"

#include <catch2/catch.hpp>

using namespace gdcert;
using namespace gdcert::test;

namespace {
template <class Sampler>
void check_jacobian(Sampler sample, std::uint64_t stream) {
  auto rng = generator(stream);
  for (int i = 0; i < 50; ++i) {
    const auto problem = sample(rng);
    const auto x = random_state<long double>(problem, rng, 2);
    const auto analytic = problem.jacobian(x);
    const vector<long double> c = problem.coordinates(x);
    const long double h = 1e-6L;
    for (Eigen::Index j = 0; j < c.size(); ++j) {
      vector<long double> plus = c, minus = c;
      plus(j) += h;
      minus(j) -= h;
      const vector<long double> difference =
          (problem.coordinates(problem.step(problem.template from_coordinates<long double>(plus))) -
           problem.coordinates(
               problem.step(problem.template from_coordinates<long double>(minus)))) /
          (2 * h);
      for (Eigen::Index k = 0; k < c.size(); ++k) {
        INFO("point " << i << ", d out " << k << " / d in " << j);
        // O(h²) truncation with third derivatives of size ~η·|x|: 1e-9 is a wide margin.
        REQUIRE(std::abs(double(analytic(k, j) - difference(k))) <=
                1e-9 * (1 + std::abs(double(difference(k)))));
      }
    }
  }
}
} // namespace

TEST_CASE("scalar Jacobian matches central differences", "[problems][jacobian]") {
  check_jacobian(sample_scalar, 21);
}
TEST_CASE("scalar-vector Jacobian matches central differences", "[problems][jacobian]") {
  check_jacobian(sample_scalar_vector, 22);
}
TEST_CASE("regularized Jacobian matches central differences", "[problems][jacobian]") {
  check_jacobian(sample_regularized, 23);
}
TEST_CASE("rank-1 factorization Jacobian matches central differences", "[problems][jacobian]") {
  check_jacobian(sample_factorization, 24);
}
TEST_CASE("rank-1 approximation Jacobian matches central differences", "[problems][jacobian]") {
  check_jacobian(sample_approximation, 25);
  check_jacobian(sample_general_approximation, 26);
}
TEST_CASE("diag(1, sigma) approximation Jacobian matches central differences",
          "[problems][jacobian]") {
  check_jacobian(sample_diagonal, 27);
}
TEST_CASE("quartic Jacobian matches central differences", "[problems][jacobian]") {
  check_jacobian(sample_quartic, 28);
}
TEST_CASE("matrix Jacobian matches central differences", "[problems][jacobian]") {
  check_jacobian(sample_matrix, 29);
}

TEST_CASE("minimizer signal block has eigenvalues 1 and 1 - eta(a^2 + b^2) (140-143)",
          "[problems][jacobian]") {
  auto rng = generator(30);
  for (int i = 0; i < 50; ++i) {
    const double eta = uniform(rng, 0.1, 1.9), a = uniform(rng, 0.3, 3);
    const rank1_factorization problem(eta);
    const rank1_state<double> x{a, 1 / a, 0, 0};
    const Eigen::Matrix2d block = problem.jacobian(x).topLeftCorner(2, 2);
    Eigen::Vector2d eigenvalues =
        Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d>(block).eigenvalues();
    REQUIRE(eigenvalues(1) == Approx(1.0).margin(1e-12));
    REQUIRE(eigenvalues(0) == Approx(1 - eta * (a * a + 1 / (a * a))).margin(1e-12));
  }
}
