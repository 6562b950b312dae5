// The rigorous boundary test proves true cases, refutes false ones exactly (analysis/rigorous_scan.hpp).
#include "fixtures.hpp"

#include <gdcert/analysis/rigorous_scan.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <thread>

namespace {
gdcert::execution_policy serial() {
  gdcert::execution_policy p;
  p.threads = 1;
  p.progress = false;
  return p;
}
/// Solves M·e = x exactly (Gauss-Jordan in rationals; M invertible).
template <std::size_t n>
std::array<gdcert::rational, n> solve_exactly(const std::array<std::array<double, n>, n>& m,
                                              const std::array<gdcert::rational, n>& x) {
  using gdcert::rational;
  std::array<std::array<rational, n + 1>, n> a;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j)
      a[i][j] = rational(m[i][j]);
    a[i][n] = x[i];
  }
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t pivot = c;
    while (a[pivot][c] == 0)
      ++pivot;
    std::swap(a[c], a[pivot]);
    for (std::size_t r = 0; r < n; ++r)
      if (r != c && a[r][c] != 0) {
        const rational factor = a[r][c] / a[c][c];
        for (std::size_t j = c; j <= n; ++j)
          a[r][j] -= factor * a[c][j];
      }
  }
  std::array<rational, n> e;
  for (std::size_t i = 0; i < n; ++i)
    e[i] = a[i][n] / a[i][i];
  return e;
}

/// Exact rational points x = p0 + t·w on {I = 0} (t from the chord through p0 ∈ {I = 0}); for
/// each, the cube direction e of x (M·e ∥ x, ‖e‖∞ = 1, M the verifier's whitening) lies in a thin
/// box and in a 2⁻⁵ grid box of its face, and the verifier's upper bound on both must be
/// >= I(GD(x)), computed exactly.
template <class Problem, class Level>
void check_enclosures_at_level_points(const Problem& problem, const Level& level,
                                      const std::array<gdcert::rational, Problem::dimension()>& p0,
                                      bool whiten) {
  using gdcert::rational;
  constexpr int n = static_cast<int>(Problem::dimension());
  using verifier = gdcert::inwardness_verifier<Problem, Level>;
  gdcert::rigorous_options options;
  options.whitening_threshold = whiten ? 1.0 : std::numeric_limits<double>::infinity();
  const verifier v(problem, level, options);
  auto point = [&](const std::array<rational, n>& c) {
    gdcert::vector<rational> x(n);
    for (int i = 0; i < n; ++i)
      x(i) = c[i];
    return problem.template from_coordinates<rational>(x);
  };
  REQUIRE(level(point(p0)) == 0);
  auto rng = gdcert::test::generator(61);
  int checked = 0;
  for (int sample = 0; sample < gdcert::test::exact_points; ++sample) {
    std::array<rational, n> w, plus, minus;
    for (int i = 0; i < n; ++i)
      w[i] = gdcert::test::random_rational(rng);
    for (int i = 0; i < n; ++i) {
      plus[i] = p0[i] + w[i];
      minus[i] = p0[i] - w[i];
    }
    const rational bilinear = (level(point(plus)) - level(point(minus))) / 4; // p0ᵀAw
    const rational quadratic = level(point(w)) - level(point(std::array<rational, n>{}));
    if (quadratic == 0)
      continue;
    std::array<rational, n> x;
    const rational t = -2 * bilinear / quadratic;
    for (int i = 0; i < n; ++i)
      x[i] = p0[i] + t * w[i];
    REQUIRE(level(point(x)) == 0);
    const auto e = solve_exactly(v.whitening(), x);
    int face = 0;
    for (int i = 1; i < n; ++i)
      if (abs(e[i]) > abs(e[face]))
        face = i;
    const double sign = e[face] > 0 ? 1.0 : -1.0;
    const rational image = level(problem.step(point(x)));
    typename verifier::face_box thin_lower{}, thin_upper{}, grid_lower{}, grid_upper{};
    for (int i = 0, k = 0; i < n; ++i) {
      if (i == face)
        continue;
      const rational d = e[i] / abs(e[face]);
      const double nearest = static_cast<double>(d);
      thin_lower[k] = std::nextafter(nearest, -2.0);
      thin_upper[k] = std::nextafter(nearest, 2.0);
      grid_lower[k] = std::min(std::floor(nearest * 32) / 32, 1.0 - 1.0 / 32);
      grid_upper[k] = grid_lower[k] + 1.0 / 32;
      REQUIRE(rational(thin_lower[k]) <= d);
      REQUIRE(d <= rational(thin_upper[k]));
      REQUIRE(rational(grid_lower[k]) <= d);
      REQUIRE(d <= rational(grid_upper[k]));
      ++k;
    }
    for (const auto& [lower, upper] :
         {std::pair{thin_lower, thin_upper}, {grid_lower, grid_upper}}) {
      const auto bound = v.enclose(face, sign, lower, upper);
      REQUIRE(bound.usable);
      REQUIRE(rational(bound.upper) >= image);
    }
    ++checked;
  }
  REQUIRE(checked > 150);
}
} // namespace

TEST_CASE("rigorous scan: box bounds contain I(GD(x)) at exact level-set points of I(delta, xi) "
          "(docs/formulas.md §2 two-parameter form, (402))",
          "[rigorous]") {
  // δ = 1/4: (3, 3, 0, 0) is on {I = 0}, since (δ·18 − 9δ²)/(4 − δ²) = 1.
  const gdcert::diagonal_approximation problem(0.25, 0.5);
  const gdcert::two_parameter_certificate<> certificate(problem);
  using gdcert::rational;
  for (const bool whiten : {false, true})
    for (const double xi : {0.75, 1.5, 3.0})
      check_enclosures_at_level_points(problem, gdcert::certificate_level(certificate, 0.25, xi),
                                       {rational(3), rational(3), rational(0), rational(0)},
                                       whiten);
}

TEST_CASE("rigorous scan: box bounds contain I(GD(x)) at exact level-set points of I_sc under "
          "the quartic map (docs/formulas.md (10), (411))",
          "[rigorous]") {
  const gdcert::quartic_factorization problem(0.4, 1.0 / 16);
  const gdcert::scalar_certificate certificate{gdcert::scalar_factorization(0.4)};
  using gdcert::rational;
  for (const bool whiten : {false, true})
    check_enclosures_at_level_points(problem, gdcert::certificate_level(certificate, 0.25),
                                     {rational(3), rational(3)}, whiten);
}

TEST_CASE("rigorous scan: I_sc(1.2) is proved inward at eta = 0.5 "
          "(R <= 0, docs/formulas.md (12-13))",
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

TEST_CASE("rigorous scan: delta < eta gives an exact counterexample "
          "(R > 0, docs/formulas.md (12-13))",
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
  // re-check the reported point exactly: x = s̃·M·e is inside and GD(x) outside
  const gdcert::scalar_state<gdcert::rational> x{c.exact_point[0], c.exact_point[1]};
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

TEST_CASE("rigorous scan: cancellation is seen inside a root box (every 1024 boxes), not only "
          "between roots",
          "[rigorous]") {
  // App. L pair σ = 0.2, η = 0.2, (δ, ξ) = (1.5, 4.15): about 265 k boxes; with initial_splits = 0
  // each root box holds tens of thousands, far more than one polling interval.
  const gdcert::diagonal_approximation problem(0.2, 0.2);
  const gdcert::two_parameter_certificate<> certificate(problem);
  gdcert::rigorous_options options;
  options.initial_splits = 0;
  std::atomic<bool> cancel{false};
  auto policy = serial();
  policy.cancel = &cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    cancel = true;
  });
  std::size_t finished = 1000;
  try {
    (void)gdcert::verify_inwardness(problem, gdcert::certificate_level(certificate, 1.5, 4.15),
                                    options, policy);
  } catch (const gdcert::cancelled& stop) {
    finished = stop.finished_items();
  }
  canceller.join();
  // Root box 0 alone takes far longer than 50 ms: stopped inside it, no root finished.
  REQUIRE(finished == 0);
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
  o = {};
  o.whitening_threshold = 0.5;
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
