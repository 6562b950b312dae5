// The two-parameter certificate I(δ, ξ) for X = diag(1, σ) (30, 368-370, 401) and its branches.
#include "fixtures.hpp"

#include <catch2/catch.hpp>

using namespace gdcert;
using namespace gdcert::test;

TEST_CASE("diagonal form (368-370) equals I(delta, xi) (30) exactly",
          "[certificates][two_parameter][exact]") {
  auto rng = generator(141);
  for (int i = 0; i < exact_points; ++i) {
    const diagonal_approximation problem = sample_diagonal(rng);
    const two_parameter_certificate<> certificate(problem);
    const double delta = random_dyadic(rng, 0, 2), xi = random_dyadic(rng, 0, 2 / problem.sigma());
    const auto x = random_state<rational>(problem, rng);
    REQUIRE(certificate(delta, xi, x) == certificate.diagonal_form(delta, xi, x));
  }
}

TEST_CASE("branch xi = 4 delta/(4 - delta^2) recovers I_fac/(4 - delta^2) as sigma -> 0",
          "[certificates][two_parameter]") {
  auto rng = generator(142);
  const double sigma = 1e-9;
  const two_parameter_certificate<factorization_branch> certificate(
      diagonal_approximation(0.2, sigma));
  const factorization_certificate fac{rank1_factorization(0.2)};
  for (int i = 0; i < 500; ++i) {
    const double delta = uniform(rng, 0.05, 1.95);
    const rank1_state<double> x{uniform(rng, -2, 2), uniform(rng, -2, 2), uniform(rng, -2, 2),
                                uniform(rng, -2, 2)};
    REQUIRE(certificate(delta, x) == Approx(fac(delta, x) / (4 - delta * delta)).margin(1e-7));
  }
}

TEST_CASE("branch xi = delta recovers I_apx/(4 - delta^2) (k = 2) as sigma -> 1",
          "[certificates][two_parameter]") {
  auto rng = generator(143);
  const double sigma = 1 - 1e-12;
  const two_parameter_certificate<approximation_branch> certificate(
      diagonal_approximation(0.2, sigma));
  const approximation_certificate apx{rank1_approximation(0.2, 2)};
  for (int i = 0; i < 500; ++i) {
    const double delta = uniform(rng, 0.05, 1.95);
    const rank1_state<double> x{uniform(rng, -2, 2), uniform(rng, -2, 2), uniform(rng, -2, 2),
                                uniform(rng, -2, 2)};
    // diag(1, 1): the second coordinates are signal too, with no off-signal block.
    const rank1_approximation::state<double> y{Eigen::Vector2d(x.a, x.u), Eigen::Vector2d(x.b, x.v),
                                               0, 0};
    REQUIRE(certificate(delta, x) == Approx(apx(delta, y) / (4 - delta * delta)).margin(1e-9));
  }
}

TEST_CASE("branch limits: xi(delta) reaches 2/sigma at delta = sqrt(sigma^2 + 4) - sigma",
          "[certificates][two_parameter]") {
  for (double sigma : {0.01, 0.2, 0.6, 0.99}) {
    const two_parameter_certificate<factorization_branch> fac(diagonal_approximation(0.2, sigma));
    REQUIRE(fac.admissible_limit() == Approx(std::sqrt(sigma * sigma + 4) - sigma).epsilon(1e-12));
    REQUIRE(fac.branch(fac.admissible_limit()) < 2 / sigma);
    const two_parameter_certificate<approximation_branch> apx(diagonal_approximation(0.2, sigma));
    REQUIRE(apx.admissible_limit() == 2.0);
  }
  const auto too_large = [](double) { return 10.0; };
  REQUIRE_THROWS_AS(
      two_parameter_certificate<decltype(too_large)>(diagonal_approximation(0.2, 0.5), too_large),
      invalid_parameter);
}

TEST_CASE("two-parameter state parameter: TOMS 748 root on the branch, nested levels",
          "[certificates][two_parameter][state_parameter]") {
  auto rng = generator(144);
  const diagonal_approximation problem(0.2, 0.4);
  const two_parameter_certificate<> certificate(problem);
  const auto user_branch = [](double delta) { return 1.5 * delta; };
  const two_parameter_certificate<decltype(user_branch)> custom(problem, user_branch);
  int converged = 0;
  for (int i = 0; i < 500; ++i) {
    const rank1_state<double> x{uniform(rng, -2, 2), uniform(rng, -2, 2), uniform(rng, -1, 1),
                                uniform(rng, -1, 1)};
    for (const auto& result : {certificate.state_parameter(x), custom.state_parameter(x)}) {
      REQUIRE(result.status == state_parameter_status::converged);
      REQUIRE(result.bracket_width <= 1e-12);
      REQUIRE(std::abs(result.certificate_value) <= 1e-10);
      ++converged;
    }
    const auto result = certificate.state_parameter(x);
    if (result.value < 1.9)
      REQUIRE(certificate(result.value + 0.05, x) > 0);
    if (result.value > 0.1)
      REQUIRE(certificate(result.value - 0.05, x) < 0);
  }
  REQUIRE(converged == 1000);
  // A point of K₂^σ lies inside every sublevel set.
  const rank1_state<double> balanced{1.0, 1.0, 0.3, 0.3};
  REQUIRE(certificate.state_parameter(balanced).status ==
          state_parameter_status::inside_all_levels);
}
