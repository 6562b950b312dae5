// Bad input: every parameter out of range throws gdcert::invalid_parameter naming it and its range.
#include "fixtures.hpp"

#include <catch2/catch.hpp>

#include <limits>

using namespace gdcert;
using Catch::Matchers::Contains;

namespace {
constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();
constexpr double infinity = std::numeric_limits<double>::infinity();
} // namespace

TEST_CASE("step size eta <= 0, NaN or infinite is rejected with its name and range", "[errors]") {
  for (double eta : {0.0, -1.0, not_a_number, infinity}) {
    REQUIRE_THROWS_WITH(rank1_factorization(eta), Contains("step size eta") && Contains("eta > 0"));
    REQUIRE_THROWS_AS(scalar_factorization(eta), invalid_parameter);
    REQUIRE_THROWS_AS(scalar_vector_factorization(eta, 2), invalid_parameter);
    REQUIRE_THROWS_AS(regularized_factorization(eta, 2, 1.0, 0.0), invalid_parameter);
    REQUIRE_THROWS_AS(rank1_approximation(eta, 2), invalid_parameter);
    REQUIRE_THROWS_AS(diagonal_approximation(eta, 0.5), invalid_parameter);
    REQUIRE_THROWS_AS(quartic_factorization(eta, 0.25), invalid_parameter);
    REQUIRE_THROWS_AS(matrix_factorization(eta, Eigen::MatrixXd::Identity(2, 2), 1),
                      invalid_parameter);
  }
}

TEST_CASE("delta outside (0, 2) is rejected by every certificate", "[errors]") {
  const rank1_factorization problem(0.5);
  const factorization_certificate certificate(problem);
  const rank1_state<double> x{1, 1, 0, 0};
  for (double delta : {0.0, -0.1, 2.0, 2.5, not_a_number}) {
    REQUIRE_THROWS_WITH(certificate(delta, x),
                        Contains("state parameter delta") && Contains("(0, 2)"));
    REQUIRE_THROWS_AS(certificate.multiplier(delta, x), invalid_parameter);
    REQUIRE_THROWS_AS(certificate.remainder(delta, x), invalid_parameter);
    REQUIRE_THROWS_AS(scalar_certificate(scalar_factorization(0.5))(
                          delta, scalar_factorization::state<double>{1, 1}),
                      invalid_parameter);
    REQUIRE_THROWS_AS(remainder_coefficient(0.5, delta), invalid_parameter);
  }
}

TEST_CASE("xi outside (0, 2/sigma) is rejected by the two-parameter certificate", "[errors]") {
  const diagonal_approximation problem(0.2, 0.4);
  const two_parameter_certificate<> certificate(problem);
  const rank1_state<double> x{1, 1, 0.1, 0.1};
  for (double xi : {0.0, -1.0, 5.0, 6.0, not_a_number})
    REQUIRE_THROWS_WITH(certificate(1.0, xi, x),
                        Contains("block parameter xi") && Contains("(0, 5)"));
  REQUIRE_NOTHROW(certificate(1.0, 4.9, x));
}

TEST_CASE("sigma out of range is rejected with its name", "[errors]") {
  for (double sigma : {0.0, 1.0, 1.5, -0.2, not_a_number})
    REQUIRE_THROWS_WITH(diagonal_approximation(0.2, sigma),
                        Contains("second singular value sigma") && Contains("(0, 1)"));
  for (double sigma : {0.0, -1.0, not_a_number, infinity})
    REQUIRE_THROWS_WITH(scalar_factorization(0.2, sigma), Contains("target sigma"));
}

TEST_CASE("other parameters: lambda, mu, y, eta for the threshold, singular values", "[errors]") {
  REQUIRE_THROWS_WITH(regularized_factorization(0.5, 2, 1.0, -0.1),
                      Contains("regularization lambda"));
  REQUIRE_THROWS_WITH(regularized_factorization(0.5, 2, not_a_number, 0.1), Contains("target y"));
  REQUIRE_THROWS_WITH(quartic_factorization(0.5, not_a_number), Contains("quartic weight mu"));
  REQUIRE_THROWS_WITH(threshold_state_parameter(1.0),
                      Contains("step size eta") && Contains("(0, 1)"));
  REQUIRE_THROWS_WITH(rank1_approximation(0.5, Eigen::Vector2d(1, -1), 0.0),
                      Contains("singular value s[1]"));
  REQUIRE_THROWS_WITH(
      approximation_certificate(rank1_approximation(0.5, Eigen::Vector2d(1, 2), 0.0)),
      Contains("singular value s[1]"));
  REQUIRE_THROWS_WITH(matrix_factorization(0.5, Eigen::MatrixXd::Constant(2, 2, not_a_number), 1),
                      Contains("target X"));
}

TEST_CASE("dimension mismatches are rejected naming the block", "[errors]") {
  REQUIRE_THROWS_WITH(scalar_vector_factorization(0.5, 0), Contains("vector dimension d"));
  REQUIRE_THROWS_WITH(rank1_approximation(0.5, 0), Contains("signal dimension k"));
  REQUIRE_THROWS_WITH(matrix_factorization(0.5, Eigen::MatrixXd::Identity(2, 2), 0),
                      Contains("factor rank r"));
  const scalar_vector_factorization problem(0.5, 3);
  const scalar_vector_factorization::state<double> wrong{Eigen::VectorXd::Ones(3),
                                                         Eigen::VectorXd::Ones(2)};
  REQUIRE_THROWS_WITH(problem.validate_state(wrong), Contains("b.size()") && Contains("exactly 3"));
  REQUIRE_THROWS_WITH(problem.from_coordinates<double>(Eigen::VectorXd::Ones(5)),
                      Contains("coordinates.size()"));
  const matrix_factorization matrix(0.5, Eigen::MatrixXd::Identity(3, 2), 1);
  const matrix_factorization::state<double> bad{Eigen::MatrixXd::Ones(3, 1),
                                                Eigen::MatrixXd::Ones(3, 1)};
  REQUIRE_THROWS_WITH(matrix.validate_state(bad), Contains("A.rows()"));
}

TEST_CASE("non-finite initial states are rejected by validate_state", "[errors]") {
  const rank1_factorization problem(0.5);
  const rank1_state<double> broken{1, not_a_number, 0, 0};
  REQUIRE_THROWS_WITH(problem.validate_state(broken), Contains("state coordinate 1"));
  const rank1_state<double> fine{1, 1, 0, 0};
  REQUIRE_NOTHROW(problem.validate_state(fine));
}
