// Interval enclosures of every map and certificate contain the exact rational values (numbers/interval.hpp, numbers/jet.hpp).
#include "fixtures.hpp"

#include <gdcert/numbers/interval.hpp>
#include <gdcert/numbers/jet.hpp>

#include <catch2/catch.hpp>

namespace {

using gdcert::interval;
using gdcert::rational;

bool contains(const interval& x, const rational& value) {
  return rational(x.lower()) <= value && value <= rational(x.upper());
}

/// A box [p − h, p + h] around the double nearest p, and a random rational point inside it.
struct sample {
  interval box;
  rational inside;
};

sample random_sample(std::mt19937_64& rng) {
  const double centre = static_cast<double>(gdcert::test::random_rational(rng, 2));
  const double radius = std::ldexp(1.0, -6);
  std::uniform_int_distribution<int> k(-64, 64);
  return {gdcert::hull_around(centre, radius),
          rational(centre) + rational(k(rng)) / 64 * rational(radius)};
}

/// Every coordinate of f(x) over the box encloses f at the exact inside point.
template <class Problem, class Evaluate>
void check_enclosure(const Problem& problem, Evaluate evaluate, std::uint64_t stream) {
  auto rng = gdcert::test::generator(stream);
  for (int trial = 0; trial < 50; ++trial) {
    gdcert::vector<interval> boxes(problem.dimension());
    gdcert::vector<rational> points(problem.dimension());
    for (Eigen::Index i = 0; i < boxes.size(); ++i) {
      const sample s = random_sample(rng);
      boxes(i) = s.box;
      points(i) = s.inside;
    }
    const auto enclosed = evaluate(problem.template from_coordinates<interval>(boxes));
    const auto exact = evaluate(problem.template from_coordinates<rational>(points));
    REQUIRE(enclosed.size() == exact.size());
    for (std::size_t k = 0; k < exact.size(); ++k)
      REQUIRE(contains(enclosed[k], exact[k]));
  }
}

} // namespace

TEST_CASE("interval: outward rounding encloses the exact sum, product, quotient, square and root",
          "[interval]") {
  auto rng = gdcert::test::generator(41);
  for (int trial = 0; trial < 500; ++trial) {
    const rational x = gdcert::test::random_rational(rng), y = gdcert::test::random_rational(rng);
    const interval ix = gdcert::hull_around(static_cast<double>(x), 0),
                   iy = gdcert::hull_around(static_cast<double>(y), 0);
    const rational ex(ix.lower()), ey(iy.lower()); // the doubles themselves, exactly
    REQUIRE(contains(ix + iy, ex + ey));
    REQUIRE(contains(ix - iy, ex - ey));
    REQUIRE(contains(ix * iy, ex * ey));
    REQUIRE(contains(ix * ix, ex * ex));
    if (ey != 0)
      REQUIRE(contains(ix / iy, ex / ey));
  }
  const interval wide(-1, 2);
  const interval squared = wide * wide; // x · x is the tight square, not [−2, 4]
  REQUIRE(squared.lower() == 0);
  REQUIRE(squared.upper() >= 4);
  REQUIRE(squared.upper() <= std::nextafter(4.0, 5.0)); // one ulp outward at most
  REQUIRE_THROWS(wide < interval(1.0));                 // uncertain comparisons throw, never guess
  REQUIRE(gdcert::square(wide).lower() == 0);
  const interval root = sqrt(interval(2.0));
  REQUIRE(rational(root.lower()) * rational(root.lower()) <= 2);
  REQUIRE(rational(root.upper()) * rational(root.upper()) >= 2);
}

TEST_CASE("interval: GD maps (docs/formulas.md §1: (8), (14), (402), (411)) enclose the exact "
          "image",
          "[interval]") {
  auto rng = gdcert::test::generator(42);
  auto image = [](const auto& problem) {
    return [&problem](const auto& x) {
      const auto c = problem.coordinates(problem.step(x));
      return std::vector<typename std::decay_t<decltype(c)>::Scalar>(c.data(), c.data() + c.size());
    };
  };
  const auto scalar = gdcert::test::sample_scalar(rng);
  check_enclosure(scalar, image(scalar), 1);
  const auto factorization = gdcert::test::sample_factorization(rng);
  check_enclosure(factorization, image(factorization), 2);
  const auto diagonal = gdcert::test::sample_diagonal(rng);
  check_enclosure(diagonal, image(diagonal), 3);
  const auto quartic = gdcert::test::sample_quartic(rng);
  check_enclosure(quartic, image(quartic), 4);
}

TEST_CASE("interval: certificates I, M, R (docs/formulas.md §2-3: (10), (17), (30), (59-61)) "
          "enclose the exact values",
          "[interval]") {
  auto rng = gdcert::test::generator(43);
  const double delta = gdcert::test::random_dyadic(rng, 0, 2);
  const auto scalar = gdcert::test::sample_scalar(rng);
  const gdcert::scalar_certificate sc(scalar);
  check_enclosure(
      scalar,
      [&](const auto& x) {
        using T = std::decay_t<decltype(x.a)>;
        return std::vector<T>{sc(delta, x), sc.multiplier(delta, x), sc.remainder(delta, x)};
      },
      5);
  const auto factorization = gdcert::test::sample_factorization(rng);
  const gdcert::factorization_certificate fc(factorization);
  check_enclosure(
      factorization,
      [&](const auto& x) {
        using T = std::decay_t<decltype(x.a)>;
        return std::vector<T>{fc(delta, x), fc.multiplier(delta, x), fc.remainder(delta, x)};
      },
      6);
  const auto diagonal = gdcert::test::sample_diagonal(rng);
  const gdcert::two_parameter_certificate<> tc(diagonal);
  const double xi = gdcert::test::random_dyadic(rng, 0, 2);
  check_enclosure(
      diagonal,
      [&](const auto& x) {
        using T = std::decay_t<decltype(x.a)>;
        return std::vector<T>{tc(delta, xi, x), tc.diagonal_form(delta, xi, x)};
      },
      7);
}

TEST_CASE("jet: interval derivatives of I_fac(GD(x)) (docs/formulas.md (17), (14)) enclose the "
          "exact ones",
          "[interval]") {
  auto rng = gdcert::test::generator(44);
  const auto problem = gdcert::test::sample_factorization(rng);
  const gdcert::factorization_certificate certificate(problem);
  const double delta = gdcert::test::random_dyadic(rng, 0, 2);
  using I = gdcert::jet<interval, 4>;
  using R = gdcert::jet<rational, 4>;
  for (int trial = 0; trial < 50; ++trial) {
    gdcert::rank1_state<I> box;
    gdcert::rank1_state<R> point;
    I* b[] = {&box.a, &box.b, &box.u, &box.v};
    R* p[] = {&point.a, &point.b, &point.u, &point.v};
    for (int i = 0; i < 4; ++i) {
      const sample s = random_sample(rng);
      *b[i] = I::variable(s.box, i);
      *p[i] = R::variable(s.inside, i);
    }
    const I enclosed = certificate(delta, problem.step(box));
    const R exact = certificate(delta, problem.step(point));
    REQUIRE(contains(enclosed.value, exact.value));
    for (int i = 0; i < 4; ++i)
      REQUIRE(contains(enclosed.derivative[i], exact.derivative[i]));
  }
}
