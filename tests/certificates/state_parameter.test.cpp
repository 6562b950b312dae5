// The state parameter δ(x) (docs/formulas.md §4): closed form accurate over 12 decades; the TOMS 748 solver's statuses.
#include "fixtures.hpp"

#include <catch2/catch.hpp>

using namespace gdcert;
using namespace gdcert::test;

namespace {
template <class Problem, class Certificate>
void check_closed_form(const Problem& problem, std::uint64_t stream) {
  const Certificate certificate(problem);
  auto rng = generator(stream);
  for (int decade = -6; decade <= 6; ++decade)
    for (int i = 0; i < 200; ++i) {
      vector<double> c(problem.dimension());
      for (Eigen::Index j = 0; j < c.size(); ++j)
        c(j) = uniform(rng, -1, 1) * std::pow(10.0, decade);
      const auto x = problem.template from_coordinates<double>(c);
      const double delta = certificate.state_parameter(x);
      const double total = certificate.total_norm(x);
      INFO("norm scale 1e" << decade << ", delta = " << delta);
      REQUIRE(delta > 0);
      REQUIRE(delta <=
              2 * (1 + 4 * std::numeric_limits<double>::epsilon())); // (0, 2] up to rounding
      // I(δ; x) = Lδ² + Sδ − 4 evaluated directly (δ = 2 is allowed here: the origin's value).
      const double residual = certificate.residual(x);
      REQUIRE(std::abs(residual * delta * delta + total * delta - 4) <= 1e-13 * (1 + total));
    }
}
} // namespace

TEST_CASE("closed-form delta(x) solves I(delta(x), x) = 0 for norms 1e-6..1e6 (§4)",
          "[certificates][state_parameter]") {
  check_closed_form<scalar_factorization, scalar_certificate>(scalar_factorization(0.5), 121);
  check_closed_form<scalar_factorization, scalar_certificate>(scalar_factorization(0.5, 2.5), 122);
  check_closed_form<scalar_vector_factorization, scalar_vector_certificate>(
      scalar_vector_factorization(0.5, 4), 123);
  check_closed_form<rank1_factorization, factorization_certificate>(rank1_factorization(0.5), 124);
  check_closed_form<rank1_approximation, approximation_certificate>(rank1_approximation(0.5, 3),
                                                                    125);
}

TEST_CASE("delta(x) = 8/Q(x) for the factorization certificate at u = v = 0 [LM 9]",
          "[certificates][state_parameter]") {
  const rank1_factorization problem(0.5);
  const factorization_certificate certificate(problem);
  auto rng = generator(126);
  for (int i = 0; i < 1000; ++i) {
    const double a = uniform(rng, -4, 4), b = uniform(rng, -4, 4);
    REQUIRE(certificate.state_parameter(rank1_state<double>{a, b, 0, 0}) ==
            Approx(8 / liang_montufar_q(1.0, a, b)).epsilon(1e-14));
  }
}

TEST_CASE("delta(x) is the level: I(delta, x) < 0 below it and > 0 above it",
          "[certificates][state_parameter]") {
  const rank1_factorization problem(0.5);
  const factorization_certificate certificate(problem);
  auto rng = generator(127);
  for (int i = 0; i < 1000; ++i) {
    const auto x = random_state<double>(problem, rng, 2);
    const double delta = certificate.state_parameter(x);
    if (delta < 1.98)
      REQUIRE(certificate(delta + 0.01, x) > 0);
    if (delta > 0.02)
      REQUIRE(certificate(delta - 0.01, x) < 0);
  }
}

TEST_CASE("bracketed solver reports each status", "[certificates][state_parameter]") {
  const auto converged =
      solve_state_parameter<double>([](double d) { return d * d - 2; }, 0.0, 2.0);
  REQUIRE(converged.converged());
  REQUIRE(converged.value == Approx(std::sqrt(2.0)).epsilon(1e-14));
  REQUIRE(converged.iterations > 0);
  REQUIRE(solve_state_parameter<double>([](double d) { return d + 1; }, 0.0, 2.0).status ==
          state_parameter_status::outside_all_levels);
  REQUIRE(solve_state_parameter<double>([](double d) { return d - 3; }, 0.0, 2.0).status ==
          state_parameter_status::inside_all_levels);
  REQUIRE(
      solve_state_parameter<double>([](double d) { return d > 1 ? std::nan("") : -1.0; }, 0.0, 2.0)
          .status == state_parameter_status::not_finite);
  state_parameter_options few;
  few.max_iterations = 1;
  REQUIRE(solve_state_parameter<double>([](double d) { return std::exp(d) - 3; }, 0.0, 2.0, few)
              .status == state_parameter_status::iteration_limit);
  REQUIRE(to_string(state_parameter_status::inside_all_levels) == "inside_all_levels");
  REQUIRE_THROWS_AS(solve_state_parameter<double>([](double d) { return d; }, 1.0, 1.0),
                    invalid_parameter);
}
