// The headers of the number types moved from gdcert/scalar/ to gdcert/numbers/ and core/scalar.hpp
// became core/arithmetic.hpp (CHANGELOG 0.2); the old paths forward for one release.
#include <gdcert/core/scalar.hpp>
#include <gdcert/scalar/interval.hpp>
#include <gdcert/scalar/jet.hpp>
#include <gdcert/scalar/lanes.hpp>
#include <gdcert/scalar/rational.hpp>

#include <catch2/catch.hpp>

TEST_CASE("the deprecated scalar/ and core/scalar.hpp includes still provide every number type",
          "[numbers]") {
  const gdcert::rational third = gdcert::rational(1) / 3;
  REQUIRE(third * 3 == gdcert::rational(1));
  const gdcert::interval x(1.0, 2.0);
  // Outward rounding: an enclosure of [1, 4], one ulp wider at most.
  REQUIRE(gdcert::square(x).lower() <= 1.0);
  REQUIRE(gdcert::square(x).lower() > 0.99);
  REQUIRE(gdcert::square(x).upper() >= 4.0);
  const gdcert::lanes<4> l = gdcert::constant<gdcert::lanes<4>>(2.0);
  REQUIRE(l(3) == 2.0);
  const gdcert::jet<double, 1> j = gdcert::jet<double, 1>::variable(3.0, 0);
  REQUIRE((j * j).derivative[0] == 6.0);
}
