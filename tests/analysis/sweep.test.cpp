// Basin sweeps (analysis/sweep.hpp): {Q < 8/η} for the scalar problem (LM Thm 1), period 2 at η = 1.15, divergence, determinism, lanes vs plain, bad inputs.
#include "fixtures.hpp"

#include <gdcert/analysis/classify.hpp>
#include <gdcert/analysis/sweep.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

using namespace gdcert;
using namespace gdcert::test;

namespace {

execution_policy quiet_policy(unsigned threads, std::size_t tile = 256) {
  execution_policy policy;
  policy.threads = threads;
  policy.tile = tile;
  policy.progress = false;
  return policy;
}

/// Every per-point field of two sweeps agrees bit for bit.
void require_identical(const sweep_result& x, const sweep_result& y) {
  REQUIRE(x.outcomes == y.outcomes);
  REQUIRE(x.decision_steps == y.decision_steps);
  REQUIRE(x.periods == y.periods);
  REQUIRE(same_bits(x.final_loss, y.final_loss));
  REQUIRE(same_bits(x.final_state_parameter, y.final_state_parameter));
  REQUIRE(same_bits(x.final_sharpness, y.final_sharpness));
  REQUIRE(same_bits(x.overlay, y.overlay));
  REQUIRE(x.useful_steps == y.useful_steps);
}

bool converged(outcome o) {
  return o == outcome::minimizer || o == outcome::saddle;
}

/// Whether the level set {f = 0} passes within one grid cell of point (column, row): f changes
/// sign over the 3 × 3 block of grid points around it.
template <class F>
bool near_boundary(const sweep_plane& plane, std::size_t column, std::size_t row, F&& f) {
  const bool inside = f(plane.point(row * plane.columns() + column)) < 0;
  for (int dr = -1; dr <= 1; ++dr)
    for (int dc = -1; dc <= 1; ++dc) {
      const long c = long(column) + dc, r = long(row) + dr;
      if (c < 0 || r < 0 || c >= long(plane.columns()) || r >= long(plane.rows()))
        continue;
      if ((f(plane.point(std::size_t(r) * plane.columns() + std::size_t(c))) < 0) != inside)
        return true;
    }
  return false;
}

} // namespace

TEST_CASE("the converged set of the scalar problem equals {Q < 8/eta} except within one grid cell "
          "of its boundary (LM Thm 1, [LM 9])",
          "[analysis][sweep]") {
  for (const double eta : {0.5, 0.8}) { // η|σ| < 1
    const scalar_factorization problem(eta);
    const scalar_certificate certificate(problem);
    const sweep_plane plane = coordinate_plane(problem, scalar_state<double>{0, 0}, 0,
                                               {-3.5, 3.5, 71}, 1, {-3.5, 3.5, 71});
    sweep_options options;
    options.criteria.max_steps = 20000;
    const sweep_result result = sweep<4>(problem, plane, options, quiet_policy(2), certificate);
    auto q_gap = [&](const vector<double>& x) {
      return liang_montufar_q(1.0, x(0), x(1)) - 8 / eta;
    };
    std::size_t inside = 0, boundary = 0;
    for (std::size_t row = 0; row < plane.rows(); ++row)
      for (std::size_t column = 0; column < plane.columns(); ++column) {
        const std::size_t i = result.index(column, row);
        const vector<double> x0 = plane.point(i);
        const bool in_region = q_gap(x0) < 0;
        inside += in_region;
        if (near_boundary(plane, column, row, q_gap)) {
          ++boundary;
          continue;
        }
        INFO("eta = " << eta << ", x0 = (" << x0(0) << ", " << x0(1) << "), outcome "
                      << to_string(result.outcomes[i]));
        REQUIRE(converged(result.outcomes[i]) == in_region);
        if (!in_region)
          REQUIRE(result.outcomes[i] == outcome::diverged);
        // sgn I_sc(η) = sgn(Q − 8/η) (§2): the certified-region overlay is the region itself.
        REQUIRE(result.certified(i) == in_region);
        if (in_region) { // δ_t increased from δ₀ > η (§4); at a minimizer δ = 4/(a² + b²) <= 2
          REQUIRE(result.final_state_parameter[i] > eta);
          REQUIRE(result.final_state_parameter[i] <= 2 + 1e-12);
        }
      }
    REQUIRE(inside > 1000);
    REQUIRE(boundary < inside / 2);
  }
}

TEST_CASE("period-2 detection in a sweep: at eta = 1.15 every certified point of rank-1 "
          "factorization is periodic with p = 2 (182-184)",
          "[analysis][sweep]") {
  const double eta = 1.15;
  const rank1_factorization problem(eta);
  const factorization_certificate certificate(problem);
  const sweep_plane plane = coordinate_plane(problem, rank1_state<double>{0, 0, 0.1, 0.05}, 0,
                                             {0.3, 1.5, 25}, 1, {-1.5, 1.5, 25});
  sweep_options options;
  options.criteria.max_steps = 4096;
  const sweep_result result = sweep<8>(problem, plane, options, quiet_policy(2), certificate);
  const auto s = balanced_two_cycle_sharpness(eta);
  std::size_t certified = 0;
  for (std::size_t i = 0; i < result.size(); ++i) {
    if (!result.certified(i))
      continue;
    ++certified;
    INFO("point " << i);
    REQUIRE(result.outcomes[i] == outcome::periodic);
    REQUIRE(int(result.periods[i]) == 2);
    REQUIRE(result.final_state_parameter[i] == Approx(2).margin(1e-8)); // δ* = 2: on K₂
    REQUIRE((std::abs(result.final_sharpness[i] - s.at_lower) <= 1e-6 ||
             std::abs(result.final_sharpness[i] - s.at_upper) <= 1e-6));
  }
  REQUIRE(certified > 100);
}

TEST_CASE("divergence detection: sweep escape steps equal classify's, the first t with "
          "||x_t|| > escape_norm",
          "[analysis][sweep]") {
  const scalar_factorization problem(0.5);
  const sweep_plane plane =
      coordinate_plane(problem, scalar_state<double>{0, 0}, 0, {2.8, 4.5, 9}, 1, {-4.5, 4.5, 9});
  sweep_options options;
  options.criteria.escape_norm = 1e6;
  const sweep_result result = sweep<4>(problem, plane, options, quiet_policy(1));
  for (std::size_t i = 0; i < result.size(); ++i) {
    const vector<double> x0 = plane.point(i);
    const auto single = classify(problem, scalar_state<double>{x0(0), x0(1)}, options.criteria);
    REQUIRE(single.label == outcome::diverged);
    REQUIRE(result.outcomes[i] == outcome::diverged);
    REQUIRE(result.decision_steps[i] == single.decision_step);
    REQUIRE(result.final_loss[i] == Approx(single.final_loss));
  }
}

TEST_CASE("with checks at every step the sweep decides like classify", "[analysis][sweep]") {
  sweep_options options;
  options.check_interval = 1;
  options.first_check = 1;
  options.flush_subnormals = false;
  options.criteria.max_steps = 3000;
  const rank1_factorization problem(1.15);
  const sweep_plane plane = coordinate_plane(problem, rank1_state<double>{0, 0, 0.1, 0.05}, 0,
                                             {-1.6, 1.6, 9}, 1, {-1.6, 1.6, 9});
  const sweep_result result = sweep<4>(problem, plane, options, quiet_policy(1));
  for (std::size_t i = 0; i < result.size(); ++i) {
    const auto single =
        classify(problem, problem.from_coordinates<double>(plane.point(i)), options.criteria);
    INFO("point " << i << ": " << to_string(single.label));
    REQUIRE(result.outcomes[i] == single.label);
    REQUIRE(result.decision_steps[i] == single.decision_step);
    REQUIRE(int(result.periods[i]) == single.period);
  }
}

TEST_CASE("kept final states are the states the final values are taken at (classify's x_final)",
          "[analysis][sweep]") {
  sweep_options options;
  options.check_interval = 1;
  options.first_check = 1;
  options.flush_subnormals = false;
  options.keep_final_states = true;
  const rank1_factorization problem(0.8);
  const sweep_plane plane =
      coordinate_plane(problem, rank1_state<double>{0, 0, 0.2, 0.2}, 0, {-2, 2, 7}, 1, {-2, 2, 7});
  const sweep_result result = sweep<4>(problem, plane, options, quiet_policy(2));
  REQUIRE(result.final_states.size() == result.size() * 4);
  for (std::size_t i = 0; i < result.size(); ++i) {
    const auto single =
        classify(problem, problem.from_coordinates<double>(plane.point(i)), options.criteria);
    const vector<double> kept = result.final_point(i);
    REQUIRE(kept == problem.coordinates(single.final_state));
    REQUIRE(result.final_loss[i] == problem.loss(problem.from_coordinates<double>(kept)));
    REQUIRE(result.final_sharpness[i] == Approx(single.sharpness));
  }
  options.keep_final_states = false;
  const sweep_result without = sweep<4>(problem, plane, options, quiet_policy(1));
  REQUIRE(without.final_states.empty());
  REQUIRE_THROWS_WITH(without.final_point(0), Catch::Contains("keep_final_states"));
}

TEST_CASE("results are bit-identical for any thread count and tile size", "[analysis][sweep]") {
  const rank1_factorization problem(0.8);
  const factorization_certificate certificate(problem);
  const sweep_plane plane = coordinate_plane(problem, rank1_state<double>{0, 0, 0.2, 0.2}, 0,
                                             {-2.5, 2.5, 40}, 1, {-2.5, 2.5, 40});
  sweep_options options;
  options.criteria.max_steps = 400;
  options.check_interval = 32;
  options.first_check = 8;
  const auto one = sweep<4>(problem, plane, options, quiet_policy(1), certificate);
  const auto two = sweep<4>(problem, plane, options, quiet_policy(2), certificate);
  const auto small_tiles = sweep<4>(problem, plane, options, quiet_policy(2, 7), certificate);
  require_identical(one, two);
  require_identical(one, small_tiles);
  const auto counts = one.counts();
  REQUIRE(counts[std::size_t(outcome::minimizer)] > 0);
  REQUIRE(counts[std::size_t(outcome::diverged)] > 0);
}

TEST_CASE("lane packs and the plain double loop give identical outcomes (W = 1, 4, 6, 8, 16)",
          "[analysis][sweep]") {
  const rank1_factorization problem(0.8);
  const factorization_certificate certificate(problem);
  const sweep_plane plane = coordinate_plane(problem, rank1_state<double>{0, 0, 0.6, 0.6}, 0,
                                             {-2.5, 2.5, 30}, 1, {-2.5, 2.5, 30});
  sweep_options options;
  options.criteria.max_steps = 400;
  options.check_interval = 32;
  const auto plain = sweep<1>(problem, plane, options, quiet_policy(1), certificate);
  const auto check = [&](const sweep_result& lanes) {
    REQUIRE(lanes.outcomes == plain.outcomes);
    REQUIRE(lanes.decision_steps == plain.decision_steps);
    REQUIRE(lanes.periods == plain.periods);
#if !defined(__FMA__) // without FMA contraction the arithmetic is the same, bit for bit
    REQUIRE(same_bits(lanes.final_loss, plain.final_loss));
    REQUIRE(same_bits(lanes.final_state_parameter, plain.final_state_parameter));
#endif
  };
  check(sweep<4>(problem, plane, options, quiet_policy(2), certificate));
  check(sweep<6>(problem, plane, options, quiet_policy(2), certificate));
  check(sweep<8>(problem, plane, options, quiet_policy(2), certificate));
  check(sweep<16>(problem, plane, options, quiet_policy(2), certificate));
  // The scalar problem as well, with the default (coarser) check schedule.
  const scalar_factorization scalar(0.8);
  const sweep_plane scalar_plane =
      coordinate_plane(scalar, scalar_state<double>{0, 0}, 0, {-3, 3, 30}, 1, {-3, 3, 30});
  const auto scalar_plain = sweep<1>(scalar, scalar_plane, {}, quiet_policy(1));
  const auto scalar_lanes = sweep<16>(scalar, scalar_plane, {}, quiet_policy(2));
  REQUIRE(scalar_lanes.outcomes == scalar_plain.outcomes);
  REQUIRE(scalar_lanes.decision_steps == scalar_plain.decision_steps);
}

TEST_CASE("a random 2-plane through a point of the d = 5 scalar-vector problem: converged iff "
          "Q < 8/eta away from the boundary (LM Thm 1, Fig. 2)",
          "[analysis][sweep]") {
  const double eta = 0.5;
  const scalar_vector_factorization problem(eta, 5);
  const scalar_vector_certificate certificate(problem);
  vector<double> a(5), b(5);
  a << 0.4, -0.2, 0.1, 0.3, 0.0;
  b << 0.5, 0.1, -0.3, 0.2, 0.1;
  const scalar_vector_factorization::state<double> centre{a, b};
  const sweep_plane plane = random_plane(problem, centre, 2024, {-3, 3, 31}, {-3, 3, 31});
  // Orthonormal directions, reproducible from the seed, different for another seed.
  REQUIRE(plane.first_direction.norm() == Approx(1));
  REQUIRE(plane.second_direction.norm() == Approx(1));
  REQUIRE(std::abs(plane.first_direction.dot(plane.second_direction)) <= 1e-12);
  REQUIRE(random_plane(problem, centre, 2024, {-3, 3, 31}, {-3, 3, 31}).first_direction ==
          plane.first_direction);
  REQUIRE(random_plane(problem, centre, 2025, {-3, 3, 31}, {-3, 3, 31}).first_direction !=
          plane.first_direction);
  REQUIRE((plane.point(15 * 31 + 15) - problem.coordinates(centre)).norm() <= 1e-12); // s = t = 0

  sweep_options options;
  options.criteria.max_steps = 20000;
  const sweep_result result = sweep<4>(problem, plane, options, quiet_policy(2), certificate);
  // Q < 8/η ⇔ δ(x) = 8/Q > η ⇔ I(η; x) < 0 (§2, §4).
  auto gap = [&](const vector<double>& x) {
    return certificate(eta, problem.from_coordinates<double>(x));
  };
  std::size_t inside = 0;
  for (std::size_t row = 0; row < plane.rows(); ++row)
    for (std::size_t column = 0; column < plane.columns(); ++column) {
      const std::size_t i = result.index(column, row);
      const bool in_region = gap(plane.point(i)) < 0;
      inside += in_region;
      if (near_boundary(plane, column, row, gap))
        continue;
      REQUIRE(converged(result.outcomes[i]) == in_region);
    }
  REQUIRE(inside > 50);
}

TEST_CASE("a user overlay replaces the certificate's, without either the overlay is NaN",
          "[analysis][sweep]") {
  const scalar_factorization problem(0.5);
  const sweep_plane plane =
      coordinate_plane(problem, scalar_state<double>{0, 0}, 0, {-1, 1, 5}, 1, {-1, 1, 5});
  const auto plain = sweep<4>(problem, plane, {}, quiet_policy(1));
  REQUIRE(!plain.has_overlay);
  REQUIRE(std::isnan(plain.overlay[0]));
  REQUIRE(std::isnan(plain.final_state_parameter[0]));
  const auto user = sweep<4>(problem, plane, {}, quiet_policy(1), no_certificate{},
                             [](const scalar_state<double>& x) { return x.a - x.b; });
  REQUIRE(user.has_overlay);
  for (std::size_t i = 0; i < user.size(); ++i) {
    const vector<double> x0 = plane.point(i);
    REQUIRE(user.overlay[i] == x0(0) - x0(1));
  }
}

TEST_CASE("bad inputs are rejected with invalid_parameter naming the parameter",
          "[analysis][sweep]") {
  const rank1_factorization problem(0.8);
  const rank1_state<double> base{0, 0, 0.2, 0.2};
  auto rejects = [](auto&& build, const std::string& name) {
    try {
      (void)build();
      FAIL("accepted, expected a complaint about " << name);
    } catch (const invalid_parameter& e) {
      INFO(e.what());
      REQUIRE(e.parameter() == name);
    }
  };
  const grid_axis good{-1, 1, 10};
  // Empty grids, zero resolution, non-finite bounds.
  rejects(
      [&] {
        return coordinate_plane(problem, base, 0, {-1, 1, 0}, 1, good);
      },
      "first_axis.resolution");
  rejects(
      [&] {
        return coordinate_plane(problem, base, 0, good, 1, {1, -1, 10});
      },
      "second_axis.[lower, upper]");
  rejects(
      [&] {
        return coordinate_plane(problem, base, 0, {2, 2, 3}, 1, good);
      },
      "first_axis.[lower, upper]");
  rejects(
      [&] {
        return coordinate_plane(problem, base, 0, {std::nan(""), 1, 10}, 1, good);
      },
      "first_axis.lower");
  rejects(
      [&] {
        return coordinate_plane(problem, base, 0, good, 1, {-1, INFINITY, 10});
      },
      "second_axis.upper");
  // Coordinate indices out of range or equal.
  rejects([&] { return coordinate_plane(problem, base, 4, good, 1, good); },
          "first coordinate index");
  rejects([&] { return coordinate_plane(problem, base, -1, good, 1, good); },
          "first coordinate index");
  rejects([&] { return coordinate_plane(problem, base, 0, good, 7, good); },
          "second coordinate index");
  rejects([&] { return coordinate_plane(problem, base, 2, good, 2, good); },
          "second coordinate index");
  rejects(
      [&] {
        return coordinate_plane(problem, rank1_state<double>{0, NAN, 0, 0}, 0, good, 1, good);
      },
      "state coordinate 1");
  // A plane that no longer fits the problem, invalid options and policy.
  const sweep_plane plane = coordinate_plane(problem, base, 0, good, 1, good);
  const scalar_factorization other(0.5);
  rejects([&] { return sweep<4>(other, plane); }, "plane.origin.size()");
  sweep_options options;
  options.check_interval = 0;
  rejects([&] { return sweep<4>(problem, plane, options); }, "check_interval");
  options = {};
  options.criteria.max_steps = 0;
  rejects([&] { return sweep<4>(problem, plane, options); }, "criteria.max_steps");
  rejects([&] { return sweep<4>(problem, plane, {}, quiet_policy(1, 0)); },
          "execution_policy.tile");
  sweep_plane edited = plane;
  edited.first.resolution = 0;
  rejects([&] { return sweep<4>(problem, edited); }, "first_axis.resolution");
}

TEST_CASE("cancellation through the policy throws gdcert::cancelled", "[analysis][sweep]") {
  const scalar_factorization problem(0.5);
  const sweep_plane plane =
      coordinate_plane(problem, scalar_state<double>{0, 0}, 0, {-1, 1, 64}, 1, {-1, 1, 64});
  std::atomic<bool> cancel{true};
  execution_policy policy = quiet_policy(2, 16);
  policy.cancel = &cancel;
  REQUIRE_THROWS_AS(sweep<4>(problem, plane, {}, policy), cancelled);
}

TEST_CASE("tracked state parameter: the sweep's largest one-step decrease of δ_t equals a plain "
          "loop's, and never exceeds rounding on certified points (Proposition 2, "
          "docs/formulas.md §4)",
          "[analysis][sweep]") {
  const rank1_factorization problem(0.8);
  const factorization_certificate certificate(problem);
  const sweep_plane plane = coordinate_plane(problem, rank1_state<double>{0, 0, 0.6, 0.6}, 0,
                                             {-2.5, 2.5, 24}, 1, {-2.5, 2.5, 24});
  sweep_options options;
  options.criteria.max_steps = 300;
  options.criteria.confirmation_steps = std::numeric_limits<std::size_t>::max(); // never decide
  options.check_interval = 1;
  options.first_check = 1;
  options.flush_subnormals = false;
  options.track_state_parameter = true;
  const auto plain = sweep<1>(problem, plane, options, quiet_policy(1), certificate);
  const double escape = options.criteria.escape_norm;
  std::size_t certified = 0;
  for (std::size_t i = 0; i < plane.size(); ++i) {
    // The reference: every step until max_steps or the first state beyond the escape norm.
    rank1_state<double> x = problem.from_coordinates<double>(plane.point(i));
    double last = certificate.state_parameter(x);
    double largest = -std::numeric_limits<double>::infinity();
    for (std::size_t t = 0; t < options.criteria.max_steps; ++t) {
      x = problem.step(x);
      const double next = certificate.state_parameter(x);
      largest = (last - next > largest || next != next) ? last - next : largest;
      last = next;
      if (!(x.a * x.a + x.b * x.b + x.u * x.u + x.v * x.v <= escape * escape))
        break;
    }
    INFO("point " << i);
    REQUIRE(std::memcmp(&plain.state_parameter_drop[i], &largest, sizeof(double)) == 0);
    if (plain.certified(i)) {
      ++certified;
      REQUIRE(plain.state_parameter_drop[i] <= 1e-12);
    }
  }
  REQUIRE(certified > 50);
  const auto lanes = sweep<8>(problem, plane, options, quiet_policy(2, 5), certificate);
  REQUIRE(lanes.outcomes == plain.outcomes);
#if !defined(__FMA__)
  REQUIRE(same_bits(lanes.state_parameter_drop, plain.state_parameter_drop));
#endif
  options.track_state_parameter = false;
  REQUIRE(
      sweep<4>(problem, plane, options, quiet_policy(1), certificate).state_parameter_drop.empty());
  options.track_state_parameter = true;
  REQUIRE_THROWS_WITH(sweep<4>(problem, plane, options, quiet_policy(1)),
                      Catch::Contains("sweep_options.track_state_parameter"));
}
