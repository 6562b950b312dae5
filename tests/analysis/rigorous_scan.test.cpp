// The rigorous boundary test proves true cases, refutes false ones exactly (analysis/rigorous_scan.hpp).
#include "fixtures.hpp"

#include <gdcert/analysis/rigorous_scan.hpp>

#include <catch2/catch.hpp>

namespace {
gdcert::execution_policy serial() {
  gdcert::execution_policy p;
  p.threads = 1;
  p.progress = false;
  return p;
}
} // namespace

TEST_CASE("rigorous scan: I_sc(1.2) is proved inward at eta = 0.5 (R <= 0, MATH.md (12-13))",
          "[rigorous]") {
  const gdcert::scalar_factorization problem(0.5);
  const gdcert::scalar_certificate certificate(problem);
  const auto r =
      gdcert::verify_inwardness(problem, gdcert::certificate_level(certificate, 1.2), {}, serial());
  REQUIRE(r.status == gdcert::rigorous_status::proved);
  REQUIRE(r.certified_bound <= 0);
  REQUIRE(r.undecided_boxes == 0);
  REQUIRE(r.excluded_boxes > 0); // the minimizers on {I = 0}: the equality case of R = 0
}

TEST_CASE("rigorous scan: delta < eta gives an exact counterexample (R > 0, MATH.md (12-13))",
          "[rigorous]") {
  const gdcert::scalar_factorization problem(0.5);
  const gdcert::scalar_certificate certificate(problem);
  const auto r =
      gdcert::verify_inwardness(problem, gdcert::certificate_level(certificate, 0.3), {}, serial());
  REQUIRE(r.status == gdcert::rigorous_status::counterexample);
  const auto& c = *r.counterexample;
  REQUIRE(c.exact_check);
  REQUIRE(c.inside_value < 0);
  REQUIRE(c.image_value > 0);
  REQUIRE(c.level_lower > 0);
  // re-check the reported point exactly: x = s̃ d is inside and GD(x) outside
  gdcert::scalar_state<gdcert::rational> x{gdcert::rational(c.direction(0)) * c.scale,
                                           gdcert::rational(c.direction(1)) * c.scale};
  REQUIRE(certificate(0.3, x) < 0);
  REQUIRE(certificate(0.3, problem.step(x)) > 0);
}

TEST_CASE("rigorous scan: results do not depend on the thread count", "[rigorous]") {
  const gdcert::quartic_factorization problem(0.4, 1.0 / 16);
  const gdcert::scalar_certificate certificate{gdcert::scalar_factorization(0.4)};
  auto two = serial();
  two.threads = 2;
  const auto a =
      gdcert::verify_inwardness(problem, gdcert::certificate_level(certificate, 1.0), {}, serial());
  const auto b =
      gdcert::verify_inwardness(problem, gdcert::certificate_level(certificate, 1.0), {}, two);
  REQUIRE(a.status == gdcert::rigorous_status::proved);
  REQUIRE(a.boxes == b.boxes);
  REQUIRE(a.certified_bound == b.certified_bound);
}

TEST_CASE("rigorous scan: bad options and non-quadratic levels throw invalid_parameter",
          "[rigorous]") {
  const gdcert::scalar_factorization problem(0.5);
  const gdcert::scalar_certificate certificate(problem);
  gdcert::rigorous_options o;
  o.stationary_margin = -1;
  REQUIRE_THROWS_AS(
      gdcert::verify_inwardness(problem, gdcert::certificate_level(certificate, 1.2), o),
      gdcert::invalid_parameter);
  REQUIRE_THROWS_AS(gdcert::verify_inwardness(problem, gdcert::certificate_level(certificate, 2.5)),
                    gdcert::invalid_parameter);
  auto quartic_level = [](const auto& x) {
    using T = std::decay_t<decltype(x.a)>;
    return x.a * x.a * x.a * x.a + x.b * x.b - gdcert::constant<T>(1.0);
  };
  REQUIRE_THROWS_AS(gdcert::verify_inwardness(problem, quartic_level), gdcert::invalid_parameter);
}
