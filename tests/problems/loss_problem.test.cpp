// A problem from its loss (problems/loss_problem.hpp): derived gradient and Hessian exactly equal
// to the hand-written ones, the concept, and every engine on a user problem (issue #12).
#include "fixtures.hpp"

#include <gdcert/analysis/boundary_scan.hpp>
#include <gdcert/numbers/interval.hpp>
#include <gdcert/problems/loss_problem.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <limits>

namespace {

using Catch::Matchers::Contains;
using gdcert::rational;

/// The rank-1 factorization loss ½((ab − 1)² + b²u² + a²v² + u²v²) of map (14), x = (a, b, u, v).
const auto rank1_loss = [](const auto& x) {
  const auto ab = x[0] * x[1] - 1;
  return 0.5 * (ab * ab + x[1] * x[1] * x[2] * x[2] + x[0] * x[0] * x[3] * x[3] +
                x[2] * x[2] * x[3] * x[3]);
};

/// The depth-3 scalar network ½(abc − 1)².
const auto depth3_loss = [](const auto& x) {
  const auto r = x[0] * x[1] * x[2] - 1;
  return 0.5 * r * r;
};

/// The scalar factorization ½(ab − 1)² (docs/formulas.md §1): a non-degenerate saddle at the
/// origin.
const auto scalar_loss = [](const auto& x) {
  const auto r = x[0] * x[1] - 1;
  return 0.5 * r * r;
};

/// A problem missing validate_state, is_minimizer and is_stationary (no CRTP base).
struct incomplete_problem {
  template <class T>
  using state = std::array<T, 1>;
  [[nodiscard]] double step_size() const { return 0.1; }
  [[nodiscard]] Eigen::Index dimension() const { return 1; }
  template <class T>
  [[nodiscard]] state<T> step(const state<T>& x) const {
    return x;
  }
  template <class T>
  [[nodiscard]] T loss(const state<T>& x) const {
    return x[0];
  }
  template <class T>
  [[nodiscard]] state<T> gradient(const state<T>& x) const {
    return x;
  }
  template <class T>
  [[nodiscard]] gdcert::matrix<T> hessian(const state<T>&) const {
    return gdcert::matrix<T>::Identity(1, 1);
  }
  template <class T>
  [[nodiscard]] gdcert::matrix<T> jacobian(const state<T>&) const {
    return gdcert::matrix<T>::Identity(1, 1);
  }
  template <class T>
  [[nodiscard]] gdcert::vector<T> coordinates(const state<T>& x) const {
    return gdcert::vector<T>::Constant(1, x[0]);
  }
  template <class T>
  [[nodiscard]] state<T> from_coordinates(const gdcert::vector<T>& c) const {
    return {c(0)};
  }
};

template <class Problem>
std::array<rational, 4> rank1_coordinates(const Problem& hand,
                                          const typename Problem::template state<rational>& x) {
  const auto c = hand.coordinates(x);
  return {c(0), c(1), c(2), c(3)};
}

} // namespace

TEST_CASE("derived gradient, Hessian and GD map equal the hand-written rank-1 factorization map "
          "(14) exactly in rationals",
          "[loss_problem][exact]") {
  auto rng = gdcert::test::generator(1201);
  const double eta = 0.75;
  const gdcert::rank1_factorization hand(eta);
  const auto derived = gdcert::from_loss<4>(eta, rank1_loss);
  for (int k = 0; k < gdcert::test::exact_points; ++k) {
    const auto x = gdcert::test::random_state<rational>(hand, rng);
    const auto y = rank1_coordinates(hand, x);
    const auto step = derived.step(y);
    const auto gradient = derived.gradient(y);
    const auto hand_step = hand.coordinates(hand.step(x));
    const auto hand_gradient = hand.coordinates(hand.gradient(x));
    const gdcert::matrix<rational> hessian = derived.hessian(y);
    const gdcert::matrix<rational> hand_hessian = hand.hessian(x);
    for (int i = 0; i < 4; ++i) {
      REQUIRE(step[std::size_t(i)] == hand_step(i));
      REQUIRE(gradient[std::size_t(i)] == hand_gradient(i));
      for (int j = 0; j < 4; ++j)
        REQUIRE(hessian(i, j) == hand_hessian(i, j));
    }
    REQUIRE(derived.loss(y) == hand.loss(x));
  }
}

TEST_CASE("loss_problem and every built-in problem satisfy the problem concept, a problem without "
          "validate_state and the outcome tests does not",
          "[loss_problem][concept]") {
  using derived = decltype(gdcert::from_loss<3>(0.5, depth3_loss));
  STATIC_REQUIRE(gdcert::problem<derived>);
  STATIC_REQUIRE(gdcert::problem<derived, long double>);
  STATIC_REQUIRE(gdcert::problem<derived, rational>);
  STATIC_REQUIRE(gdcert::gradient_map_over<derived, gdcert::lanes<4>>);
  STATIC_REQUIRE(gdcert::gradient_map_over<derived, gdcert::interval>);
  STATIC_REQUIRE(gdcert::problem<gdcert::rank1_factorization>);
  STATIC_REQUIRE(gdcert::problem<gdcert::rank1_approximation>);
  STATIC_REQUIRE(gdcert::problem<gdcert::diagonal_approximation>);
  STATIC_REQUIRE(gdcert::problem<gdcert::scalar_factorization>);
  STATIC_REQUIRE(gdcert::problem<gdcert::quartic_factorization>);
  STATIC_REQUIRE(gdcert::problem<gdcert::scalar_vector_factorization>);
  STATIC_REQUIRE(gdcert::problem<gdcert::regularized_factorization>);
  STATIC_REQUIRE(gdcert::problem<gdcert::matrix_factorization>);
  STATIC_REQUIRE(gdcert::gradient_map_over<gdcert::rank1_factorization, gdcert::lanes<4>>);
  STATIC_REQUIRE(gdcert::gradient_map_over<incomplete_problem, double>);
  STATIC_REQUIRE_FALSE(gdcert::problem<incomplete_problem>);
}

TEST_CASE("a loss problem's GD map is bit-identical in lanes and double, and its interval map "
          "encloses the double map",
          "[loss_problem][scalars]") {
  auto rng = gdcert::test::generator(1202);
  const auto problem = gdcert::from_loss<3>(0.5, depth3_loss);
  for (int k = 0; k < 50; ++k) {
    std::array<double, 3> x;
    std::array<gdcert::lanes<4>, 3> packed;
    std::array<gdcert::interval, 3> enclosed;
    for (std::size_t i = 0; i < 3; ++i) {
      x[i] = gdcert::test::uniform(rng, -2, 2);
      packed[i] = gdcert::lanes<4>::Constant(x[i]);
      enclosed[i] = gdcert::interval(x[i]);
    }
    const auto y = problem.step(x);
    const auto lanes_image = problem.step(packed);
    const auto interval_image = problem.step(enclosed);
    for (std::size_t i = 0; i < 3; ++i) {
      for (int lane = 0; lane < 4; ++lane)
        REQUIRE(std::memcmp(&lanes_image[i][lane], &y[i], sizeof(double)) == 0);
      REQUIRE(lower(interval_image[i]) <= y[i]);
      REQUIRE(y[i] <= upper(interval_image[i]));
    }
  }
}

TEST_CASE("gradient_matches_loss accepts the hand-written depth-3 gradient exactly and rejects a "
          "gradient with a wrong term",
          "[loss_problem][exact]") {
  const auto right = [](const auto& x) {
    using T = std::decay_t<decltype(x[0])>;
    const T r = x[0] * x[1] * x[2] - 1;
    return std::array<T, 3>{r * x[1] * x[2], r * x[0] * x[2], r * x[0] * x[1]};
  };
  const auto wrong = [](const auto& x) { // ∂/∂c misses the factor a
    using T = std::decay_t<decltype(x[0])>;
    const T r = x[0] * x[1] * x[2] - 1;
    return std::array<T, 3>{r * x[1] * x[2], r * x[0] * x[2], r * x[1]};
  };
  const auto good = gdcert::from_loss<3>(0.5, depth3_loss, right);
  const auto bad = gdcert::from_loss<3>(0.5, depth3_loss, wrong);
  auto rng = gdcert::test::generator(1203);
  int rejected = 0;
  for (int k = 0; k < gdcert::test::exact_points; ++k) {
    const std::array<rational, 3> x{gdcert::test::random_rational(rng),
                                    gdcert::test::random_rational(rng),
                                    gdcert::test::random_rational(rng)};
    REQUIRE(gdcert::gradient_matches_loss<3>(good, depth3_loss, x));
    rejected += gdcert::gradient_matches_loss<3>(bad, depth3_loss, x) ? 0 : 1;
    // The hand-written gradient drives the step: x − η∇R with the user's ∇R.
    REQUIRE(good.step(x)[2] == x[2] - rational(1, 2) * right(x)[2]);
  }
  // The wrong gradient agrees only where r·b·(a − 1) = 0.
  REQUIRE(rejected >= gdcert::test::exact_points - 10);
}

TEST_CASE("classify gives a problem that only has a loss every outcome label: minimizer from the "
          "loss gap, saddle, periodic and diverged",
          "[loss_problem][classify]") {
  const auto problem = gdcert::from_loss<3>(0.5, depth3_loss, {.minimum_loss = 0.0});
  using state = std::array<double, 3>;
  const auto converged = gdcert::classify(problem, state{1.2, 0.8, 1.1});
  REQUIRE(converged.label == gdcert::outcome::minimizer);
  REQUIRE(std::abs(converged.final_state[0] * converged.final_state[1] * converged.final_state[2] -
                   1) < 1e-6);
  // λ_max = (bc)² + (ac)² + (ab)² at the limit, from the derived Hessian (no closed form given).
  const auto& z = converged.final_state;
  REQUIRE(converged.sharpness ==
          Approx(z[1] * z[1] * z[2] * z[2] + z[0] * z[0] * z[2] * z[2] + z[0] * z[0] * z[1] * z[1])
              .epsilon(1e-9));
  REQUIRE(gdcert::classify(problem, state{0, 0, 0}).label == gdcert::outcome::saddle);
  REQUIRE(gdcert::classify(problem, state{3, 3, 3}).label == gdcert::outcome::diverged);
  const auto flipped = gdcert::from_loss<3>(0.7, depth3_loss, {.minimum_loss = 0.0});
  const auto cycle =
      gdcert::classify(flipped, state{1.1, 1.1, 1.1}, {}, gdcert::orbit_refinement{});
  REQUIRE(cycle.label == gdcert::outcome::periodic);
  REQUIRE(cycle.period == 2);
  REQUIRE(cycle.orbit_confirmed);
}

TEST_CASE("without a known minimum the second-order test tells the minimizers of (ab - 1)^2/2 "
          "from its saddle at the origin",
          "[loss_problem][classify]") {
  const auto problem = gdcert::from_loss<2>(0.25, scalar_loss);
  REQUIRE_FALSE(problem.minimum_loss());
  using state = std::array<double, 2>;
  REQUIRE(gdcert::classify(problem, state{0.5, 1.5}).label == gdcert::outcome::minimizer);
  REQUIRE(gdcert::classify(problem, state{0, 0}).label == gdcert::outcome::saddle);
  REQUIRE(problem.is_stationary(state{0, 0}, 1e-12));
  REQUIRE_FALSE(problem.is_minimizer(state{0, 0}, 1e-12)); // ∇²R(0) has eigenvalues ±1
  REQUIRE(problem.is_minimizer(state{2, 0.5}, 1e-12));
}

TEST_CASE("a sweep of a loss problem gives the same labels and losses for every lane width and "
          "thread count",
          "[loss_problem][sweep]") {
  const auto problem = gdcert::from_loss<3>(0.6, depth3_loss, {.minimum_loss = 0.0});
  const auto plane = gdcert::coordinate_plane(problem, std::array<double, 3>{0, 0, 1}, 0,
                                              {-2, 2, 33}, 1, {-2, 2, 29});
  gdcert::execution_policy one_thread;
  one_thread.threads = 1;
  const auto reference = gdcert::sweep<1>(problem, plane, {}, one_thread);
  const auto wide = gdcert::sweep<8>(problem, plane);
  REQUIRE(reference.outcomes == wide.outcomes);
  REQUIRE(gdcert::test::same_bits(reference.final_loss, wide.final_loss));
  REQUIRE(gdcert::test::same_bits(reference.final_sharpness, wide.final_sharpness));
  const auto counts = wide.counts();
  REQUIRE(counts[std::size_t(gdcert::outcome::minimizer)] > 0);
  REQUIRE(counts[std::size_t(gdcert::outcome::diverged)] > 0);
}

TEST_CASE("find_periodic_orbit and the direct boundary scan run on a loss problem: the depth-3 "
          "two-cycle past eta = 2/3 and a failing sphere",
          "[loss_problem][orbit][scan]") {
  const auto problem = gdcert::from_loss<3>(0.7, depth3_loss, {.minimum_loss = 0.0});
  const auto orbit = gdcert::find_periodic_orbit(problem, std::array<double, 3>{1.1, 1.1, 1.1}, 2);
  REQUIRE(orbit.converged());
  REQUIRE(orbit.minimal_period == 2);
  // On the balanced line s ↦ s − η s²(s³ − 1); both points satisfy it.
  const auto& p = orbit.points;
  for (std::size_t i = 0; i < 2; ++i) {
    const double s = p[i][0], image = p[1 - i][0];
    REQUIRE(image == Approx(s - 0.7 * s * s * (s * s * s - 1)).epsilon(1e-12));
  }
  // Sphere of radius 1/2 around the origin: the depth-3 map pushes points with abc > 0 out.
  const auto directions = gdcert::tabulate(gdcert::cube_boundary_directions(3, 9));
  const Eigen::MatrixXd sphere = 4 * Eigen::MatrixXd::Identity(3, 3);
  const auto scan = gdcert::boundary_scan_direct(problem, sphere, directions);
  REQUIRE_FALSE(scan.passed);
  const auto& x = scan.point;
  REQUIRE(x(0) * x(1) * x(2) > 0);
}

TEST_CASE("from_loss rejects a non-positive or non-finite step size and a non-finite minimum loss, "
          "naming them",
          "[loss_problem][validation]") {
  for (const double eta : {0.0, -1.0, std::numeric_limits<double>::quiet_NaN(),
                           std::numeric_limits<double>::infinity()})
    REQUIRE_THROWS_WITH(gdcert::from_loss<3>(eta, depth3_loss), Contains("step size eta"));
  REQUIRE_THROWS_WITH(
      gdcert::from_loss<3>(0.5, depth3_loss,
                           {.minimum_loss = std::numeric_limits<double>::quiet_NaN()}),
      Contains("minimum_loss"));
  const auto problem = gdcert::from_loss<3>(0.5, depth3_loss);
  REQUIRE_THROWS_WITH(problem.validate_state(std::array<double, 3>{1, NAN, 0}),
                      Contains("state coordinate 1"));
  REQUIRE_THROWS_WITH(problem.from_coordinates<double>(gdcert::vector<double>::Zero(2)),
                      Contains("coordinate vector size"));
}
