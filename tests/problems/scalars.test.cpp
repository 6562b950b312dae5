// One formula, every scalar: maps, losses, gradients and Jacobians agree across double, long double, rationals and lanes.
#include "fixtures.hpp"

#include <catch2/catch.hpp>

using namespace gdcert;
using namespace gdcert::test;

namespace {
constexpr int W = 4;
using pack = lanes<W>;

template <class Problem, class T>
vector<double> evaluate(const Problem& problem, const typename Problem::template state<T>& x,
                        int lane = 0) {
  // Every output of the problem for this state, flattened: step, loss, gradient, Jacobian.
  const auto step = problem.coordinates(problem.step(x));
  const auto gradient = problem.coordinates(problem.gradient(x));
  const auto jacobian = problem.jacobian(x);
  const T loss = problem.loss(x);
  vector<double> out(2 * step.size() + 1 + jacobian.size());
  auto read = [=](const T& value) {
    if constexpr (lane_pack<T>)
      return value(lane);
    else
      return static_cast<double>(value);
  };
  Eigen::Index k = 0;
  for (Eigen::Index i = 0; i < step.size(); ++i)
    out(k++) = read(step(i));
  for (Eigen::Index i = 0; i < gradient.size(); ++i)
    out(k++) = read(gradient(i));
  out(k++) = read(loss);
  for (Eigen::Index i = 0; i < jacobian.size(); ++i)
    out(k++) = read(jacobian(i));
  return out;
}

/// `fused_double_step`: the problem's step over double is its fused in-place kernel
/// (problems/detail/residual_forces.hpp: the same formula, tiles summed in another order with
/// FMAs), so only its step differs from the lanes, within rounding; everything else is bit-identical.
template <class Sampler>
void check_every_scalar(Sampler sample, std::uint64_t stream, bool fused_double_step = false) {
  auto rng = generator(stream);
  for (int i = 0; i < 20; ++i) {
    const auto problem = sample(rng);
    // W rational points; the lane pack carries all of them at once.
    std::vector<vector<rational>> points;
    for (int lane = 0; lane < W; ++lane)
      points.push_back(problem.coordinates(random_state<rational>(problem, rng)));
    vector<pack> packed(points[0].size());
    for (Eigen::Index j = 0; j < packed.size(); ++j)
      for (int lane = 0; lane < W; ++lane)
        packed(j)(lane) = static_cast<double>(points[lane](j));
    const auto lane_state = problem.template from_coordinates<pack>(packed);

    for (int lane = 0; lane < W; ++lane) {
      vector<double> as_double(points[lane].size());
      vector<long double> as_long(points[lane].size());
      for (Eigen::Index j = 0; j < as_double.size(); ++j) {
        as_double(j) = static_cast<double>(points[lane](j));
        as_long(j) = as_double(j); // the same point, so only rounding separates the results
      }
      const vector<double> exact = evaluate<decltype(problem), rational>(
          problem, problem.template from_coordinates<rational>(points[lane].unaryExpr(
                       [&](const rational& r) { return rational(static_cast<double>(r)); })));
      const vector<double> plain = evaluate<decltype(problem), double>(
          problem, problem.template from_coordinates<double>(as_double));
      const vector<double> extended = evaluate<decltype(problem), long double>(
          problem, problem.template from_coordinates<long double>(as_long));
      const vector<double> simd = evaluate<decltype(problem), pack>(problem, lane_state, lane);
      INFO("point " << i << " lane " << lane);
      // Lanes run the same operations in the same order as double: bit-identical.
      if (fused_double_step) {
        const Eigen::Index steps = problem.dimension();
        REQUIRE(simd.tail(simd.size() - steps) == plain.tail(plain.size() - steps));
        for (Eigen::Index j = 0; j < steps; ++j)
          REQUIRE(std::abs(simd(j) - plain(j)) <= 1e-14 * (1 + std::abs(plain(j))));
      } else {
        REQUIRE(simd == plain);
      }
      for (Eigen::Index j = 0; j < exact.size(); ++j) {
        const double scale = 1 + std::abs(exact(j));
        REQUIRE(std::abs(plain(j) - exact(j)) <= 1e-12 * scale);
        REQUIRE(std::abs(extended(j) - exact(j)) <= 1e-15 * scale);
      }
    }
  }
}
} // namespace

TEST_CASE("scalar problem runs with double, long double, rational and lanes",
          "[problems][scalars]") {
  check_every_scalar(sample_scalar, 41);
}
TEST_CASE("scalar-vector problem runs with double, long double, rational and lanes",
          "[problems][scalars]") {
  check_every_scalar(sample_scalar_vector, 42);
}
TEST_CASE("regularized problem runs with double, long double, rational and lanes",
          "[problems][scalars]") {
  check_every_scalar(sample_regularized, 43);
}
TEST_CASE("rank-1 factorization runs with double, long double, rational and lanes",
          "[problems][scalars]") {
  check_every_scalar(sample_factorization, 44);
}
TEST_CASE("rank-1 approximation runs with double, long double, rational and lanes",
          "[problems][scalars]") {
  check_every_scalar(sample_general_approximation, 45);
}
TEST_CASE("diag(1, sigma) approximation runs with double, long double, rational and lanes",
          "[problems][scalars]") {
  check_every_scalar(sample_diagonal, 46);
}
TEST_CASE("quartic problem runs with double, long double, rational and lanes",
          "[problems][scalars]") {
  check_every_scalar(sample_quartic, 47);
}
TEST_CASE("matrix problem runs with double, long double, rational and lanes (the double step "
          "is the fused kernel: equal to the lanes within rounding)",
          "[problems][scalars]") {
  check_every_scalar(sample_matrix, 48, true);
}

TEST_CASE("certificates run with lane packs lane by lane", "[certificates][scalars]") {
  auto rng = generator(49);
  const rank1_factorization problem(0.7);
  const factorization_certificate certificate(problem);
  std::array<rank1_state<double>, W> points;
  rank1_state<pack> packed;
  for (int lane = 0; lane < W; ++lane) {
    points[lane] = random_state<double>(problem, rng);
    packed.a(lane) = points[lane].a;
    packed.b(lane) = points[lane].b;
    packed.u(lane) = points[lane].u;
    packed.v(lane) = points[lane].v;
  }
  const pack value = certificate(1.1, packed), delta = certificate.state_parameter(packed);
  const pack m = certificate.multiplier(1.1, packed), r = certificate.remainder(1.1, packed);
  for (int lane = 0; lane < W; ++lane) {
    REQUIRE(value(lane) == certificate(1.1, points[lane]));
    REQUIRE(delta(lane) == certificate.state_parameter(points[lane]));
    REQUIRE(m(lane) == certificate.multiplier(1.1, points[lane]));
    REQUIRE(r(lane) == certificate.remainder(1.1, points[lane]));
  }
}
