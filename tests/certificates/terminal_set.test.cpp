// Terminal sets K₂ (160, 161, 168, 363): membership and Euclidean distance; K₂ is not the zero set of I(2).
#include "fixtures.hpp"

#include <catch2/catch.hpp>

using namespace gdcert;
using namespace gdcert::test;

TEST_CASE("K2 of the scalar and factorization certificates (160, 168)",
          "[certificates][terminal_set]") {
  const scalar_certificate sc(scalar_factorization(1.1));
  const factorization_certificate fac{rank1_factorization(1.1)};
  REQUIRE(sc.distance_to_terminal_set(scalar_factorization::state<double>{1.2, 1.2}) == 0);
  REQUIRE(sc.distance_to_terminal_set(scalar_factorization::state<double>{-1.4, -1.4}) == 0);
  // (2, 2): a² = 4 > 2, nearest point (√2, √2); I_sc(2) vanishes there but it is not in K₂.
  REQUIRE(sc.limit_form(scalar_factorization::state<double>{2, 2}) == 0);
  REQUIRE(sc.distance_to_terminal_set(scalar_factorization::state<double>{2, 2}) ==
          Approx(std::sqrt(2.0) * (2 - std::sqrt(2.0))));
  // Off the line: (1, 0) projects to (0.5, 0.5).
  REQUIRE(sc.distance_to_terminal_set(scalar_factorization::state<double>{1, 0}) ==
          Approx(std::sqrt(0.5)));
  REQUIRE(fac.distance_to_terminal_set(rank1_state<double>{1, 1, 0, 0}) == 0);
  REQUIRE(fac.distance_to_terminal_set(rank1_state<double>{1, 1, 0.3, 0.4}) == Approx(0.5));
  const scalar_certificate scaled(scalar_factorization(1.1, 4.0)); // a² <= 2σ = 8
  REQUIRE(scaled.distance_to_terminal_set(scalar_factorization::state<double>{2.5, 2.5}) == 0);
}

TEST_CASE("K2 of the approximation certificate (161)", "[certificates][terminal_set]") {
  const approximation_certificate apx{rank1_approximation(1.1, 2)};
  const rank1_approximation::state<double> in{Eigen::Vector2d(1, 0.5), Eigen::Vector2d(1, 0.5), 0,
                                              0};
  REQUIRE(apx.distance_to_terminal_set(in) == 0);
  const rank1_approximation::state<double> out{Eigen::Vector2d(2, 0), Eigen::Vector2d(2, 0), 0,
                                               0.1};
  REQUIRE(apx.distance_to_terminal_set(out) ==
          Approx(std::hypot(std::sqrt(2.0) * (2 - std::sqrt(2.0)), 0.1)));
}

TEST_CASE("K2 of the two-parameter family (363): a = b, u = v, a^2 + u^2/sigma <= 2",
          "[certificates][terminal_set]") {
  const double sigma = 0.5;
  const two_parameter_certificate<> certificate(diagonal_approximation(0.2, sigma));
  REQUIRE(certificate.distance_to_terminal_set(rank1_state<double>{1, 1, 0.5, 0.5}) == 0);
  auto rng = generator(151);
  for (int i = 0; i < 200; ++i) {
    const rank1_state<double> x{uniform(rng, -3, 3), uniform(rng, -3, 3), uniform(rng, -3, 3),
                                uniform(rng, -3, 3)};
    const double distance = certificate.distance_to_terminal_set(x);
    // Brute force over the boundary and interior of the ellipse-disc m² + w²/σ <= 2.
    double best = 1e300;
    for (int r = 0; r <= 200; ++r)
      for (int k = 0; k < 720; ++k) {
        const double radius = std::sqrt(2.0) * r / 200, angle = k * M_PI / 360;
        const double m = radius * std::cos(angle), w = radius * std::sqrt(sigma) * std::sin(angle);
        best = std::min(best, std::sqrt(std::pow(x.a - m, 2) + std::pow(x.b - m, 2) +
                                        std::pow(x.u - w, 2) + std::pow(x.v - w, 2)));
      }
    REQUIRE(distance <= best + 1e-12);
    REQUIRE(distance >= best - 2e-2);
  }
}
