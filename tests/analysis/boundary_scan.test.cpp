// The boundary-inward scan (Apps. L-M, docs/formulas.md §8): direction sets, pass/fail verdicts, fast vs direct path, determinism, thresholds, bad inputs.
#include <gdcert/analysis/boundary_scan.hpp>
#include <gdcert/certificates/scalar.hpp>
#include <gdcert/certificates/threshold.hpp>
#include <gdcert/certificates/two_parameter.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace gdcert;
using gdcert::test::same_bits;

namespace {

execution_policy quiet(unsigned threads = 0, std::size_t tile = 256) {
  execution_policy policy;
  policy.threads = threads;
  policy.tile = tile;
  policy.progress = false;
  return policy;
}

/// The published 41⁴ table, tabulated once for the whole file.
const direction_table& published_4d() {
  static const direction_table table = tabulate(cube_boundary_directions(4, 41), quiet());
  return table;
}

std::size_t power(std::size_t base, int exponent) {
  std::size_t out = 1;
  for (int i = 0; i < exponent; ++i)
    out *= base;
  return out;
}

/// Throws-with-parameter check: the call must throw gdcert::invalid_parameter whose parameter
/// name contains `name`.
void require_rejected(const std::function<void()>& call, const std::string& name) {
  try {
    call();
  } catch (const invalid_parameter& e) {
    INFO("message: " << e.what());
    REQUIRE(e.parameter().find(name) != std::string::npos);
    return;
  }
  FAIL("no gdcert::invalid_parameter for " << name);
}

} // namespace

TEST_CASE("cube boundary grid has m^n - (m-2)^n directions (512,320 for 41^4, 8,000 for 2001^2)",
          "[analysis][boundary_scan][directions]") {
  REQUIRE(cube_boundary_directions(4, 41).size() == 512320);
  REQUIRE(cube_boundary_directions(2, 2001).size() == 8000);
  REQUIRE(cube_boundary_directions(3, 20).size() == 8000 - 5832); // 20³ − 18³
  for (int n = 1; n <= 6; ++n)
    for (int m = 2; m <= 12; ++m) {
      INFO("n = " << n << ", m = " << m);
      REQUIRE(cube_boundary_directions::count(n, m) ==
              power(static_cast<std::size_t>(m), n) - power(static_cast<std::size_t>(m - 2), n));
    }
}

TEST_CASE("cube boundary directions are grid points with ||d||_inf = 1, each exactly once",
          "[analysis][boundary_scan][directions]") {
  for (int n = 1; n <= 4; ++n)
    for (int m = 2; m <= 7; ++m) {
      INFO("n = " << n << ", m = " << m);
      const cube_boundary_directions set(n, m);
      std::set<std::vector<std::size_t>> seen;
      std::vector<double> d(static_cast<std::size_t>(n));
      std::vector<std::size_t> index(static_cast<std::size_t>(n));
      for (std::size_t k = 0; k < set.size(); ++k) {
        set.direction(k, d.data());
        set.grid_indices(k, index.data());
        double norm = 0;
        for (int i = 0; i < n; ++i) {
          const auto at = static_cast<std::size_t>(i);
          REQUIRE(index[at] < static_cast<std::size_t>(m));
          REQUIRE(d[at] == (2.0 * static_cast<double>(index[at]) - (m - 1)) / (m - 1));
          norm = std::max(norm, std::abs(d[at]));
        }
        REQUIRE(norm == 1.0);
        REQUIRE(seen.insert(index).second); // no duplicates
      }
      // Brute force: every boundary point of the full grid was produced.
      std::size_t boundary = 0;
      for (std::size_t flat = 0; flat < power(static_cast<std::size_t>(m), n); ++flat) {
        std::size_t r = flat;
        bool on_boundary = false;
        for (int i = 0; i < n; ++i) {
          const std::size_t digit = r % static_cast<std::size_t>(m);
          r /= static_cast<std::size_t>(m);
          on_boundary = on_boundary || digit == 0 || digit == static_cast<std::size_t>(m - 1);
        }
        boundary += on_boundary;
      }
      REQUIRE(seen.size() == boundary);
    }
  // The published set is symmetric under d -> -d and its table matches direction(k).
  const auto& table = published_4d();
  const cube_boundary_directions set(4, 41);
  std::vector<double> d(4);
  for (std::size_t k : {std::size_t{0}, std::size_t{137842}, std::size_t{400000}, set.size() - 1}) {
    set.direction(k, d.data());
    for (int i = 0; i < 4; ++i)
      REQUIRE(table(i, static_cast<Eigen::Index>(k)) == d[static_cast<std::size_t>(i)]);
  }
}

TEST_CASE("sphere directions are unit vectors and depend only on (seed, k)",
          "[analysis][boundary_scan][directions]") {
  const sphere_directions small(5, 100, 42), large(5, 10000, 42), other(5, 100, 43);
  std::vector<double> x(5), y(5), z(5);
  bool differs = false;
  for (std::size_t k = 0; k < 100; ++k) {
    small.direction(k, x.data());
    large.direction(k, y.data());
    other.direction(k, z.data());
    REQUIRE(x == y);
    differs = differs || x != z;
    double norm2 = 0;
    for (double c : x)
      norm2 += c * c;
    REQUIRE(norm2 == Approx(1).epsilon(1e-15));
  }
  REQUIRE(differs);
  const auto one = tabulate(large, quiet(1)), two = tabulate(large, quiet(2));
  REQUIRE((one.array() == two.array()).all());
  // Odd dimensions use the cosine half of the last Box–Muller pair; n = 1 gives ±1.
  const sphere_directions line(1, 50, 3);
  for (std::size_t k = 0; k < 50; ++k) {
    line.direction(k, x.data());
    REQUIRE(std::abs(x[0]) == Approx(1).epsilon(1e-15));
  }
}

TEST_CASE("published grids: 39 deltas, xi counts 120, 120, 99, 66, 49, 40 (19,266 pairs per eta)",
          "[analysis][boundary_scan]") {
  REQUIRE(published_delta_axis().size() == 39);
  REQUIRE(published_delta_axis().front() == 0.05);
  REQUIRE(published_delta_axis().back() == 1.95);
  std::size_t pairs = 0;
  const std::vector<std::size_t> expected = {120, 120, 99, 66, 49, 40};
  const std::vector<double> sigmas = {0.01, 0.2, 0.4, 0.6, 0.8, 0.99};
  for (std::size_t i = 0; i < sigmas.size(); ++i) {
    const auto xi = published_xi_axis(sigmas[i]);
    REQUIRE(xi.size() == expected[i]);
    REQUIRE(xi.back() < 2 / sigmas[i]); // the singular endpoint ξ = 2/σ is left out
    pairs += published_delta_axis().size() * xi.size();
  }
  REQUIRE(pairs == 19266);
  REQUIRE(uniform_axis(0.05, 1.95, 0.05).size() == 39);
}

TEST_CASE(
    "scanned forms are the library's certificates: I(delta, xi) (30) and I_sc normal form (29)",
    "[analysis][boundary_scan]") {
  std::mt19937_64 rng(2024);
  std::uniform_real_distribution<double> coordinate(-2, 2), unit(0.02, 0.98);
  for (int i = 0; i < 500; ++i) {
    const double sigma = unit(rng), delta = 2 * unit(rng), xi = 2 / sigma * unit(rng);
    const diagonal_approximation problem(0.3, sigma);
    const two_parameter_certificate<> certificate(problem);
    const rank1_state<double> x{coordinate(rng), coordinate(rng), coordinate(rng), coordinate(rng)};
    Eigen::VectorXd v(4);
    v << x.a, x.b, x.u, x.v;
    const Eigen::MatrixXd p = two_parameter_form(sigma).matrix({delta, xi});
    REQUIRE(v.dot(p * v) - 1 == Approx(certificate(delta, xi, x)).margin(1e-12));

    const double target = 4 * unit(rng);
    const scalar_factorization scalar(0.3, target);
    const scalar_certificate scalar_cert(scalar);
    const scalar_factorization::state<double> y{x.a, x.b};
    const Eigen::MatrixXd q = scalar_form(target).matrix({delta});
    const double normal = v.head(2).dot(q * v.head(2)) - 1;
    REQUIRE(normal == Approx(scalar_cert.normal_form(delta, y)).margin(1e-12));
    // Published units: I_sc (10) = (4 − δ²) × normal form.
    REQUIRE(scalar_form(target).published_scale({delta}) * (normal + 1) - (4 - delta * delta) ==
            Approx(scalar_cert(delta, y)).margin(1e-11));
  }
}

TEST_CASE("scan passes for (delta, xi = 4 delta/(4 - delta^2)) at sigma = 0.01, eta = 0.2 "
          "(App. L, Fig. 7)",
          "[analysis][boundary_scan]") {
  const diagonal_approximation problem(0.2, 0.01);
  const boundary_scanner<diagonal_approximation> scanner(problem, published_4d(), quiet());
  for (int k = 4; k <= 39; ++k) { // δ = 0.20, …, 1.95 (δ >= η)
    const double delta = k / 20.0, xi = factorization_branch{}(delta);
    const auto result = scanner.scan({delta, xi}, {}, quiet());
    INFO("delta = " << delta << ", xi = " << xi << ", worst = " << result.worst);
    REQUIRE(result.passed);
    REQUIRE(result.scanned == 512320);
    REQUIRE(result.worst <= 1e-4);
    // The reported point lies on the level set and its image has the reported value.
    const Eigen::MatrixXd p = scanner.form().matrix({delta, xi});
    REQUIRE(result.point.dot(p * result.point) == Approx(1).epsilon(1e-13));
    REQUIRE(result.image.dot(p * result.image) - 1 == Approx(result.worst).margin(1e-12));
  }
}

TEST_CASE("scan fails for delta < eta for every xi (R > 0 on the u = v = 0 slice)",
          "[analysis][boundary_scan]") {
  const diagonal_approximation problem(0.2, 0.01);
  pass_fail_options options;
  options.scan.early_exit = true;
  const auto map = two_parameter_pass_fail_map(problem, {0.05, 0.1, 0.15}, published_xi_axis(0.01),
                                               published_4d(), options, quiet());
  for (std::size_t i = 0; i < map.pairs(); ++i) {
    INFO("pair " << i << ", worst = " << map.worst[i]);
    REQUIRE(!map.passed[i]);
    REQUIRE(map.worst[i] > 1e-4);
  }
  for (const auto& row : admissible_intervals(map))
    REQUIRE(row.empty());
  // On the branch too, with the full scan: the worst value is far above the tolerance.
  const boundary_scanner<diagonal_approximation> scanner(problem, published_4d(), quiet());
  for (const double delta : {0.05, 0.1, 0.15}) {
    const auto result = scanner.scan({delta, factorization_branch{}(delta)}, {}, quiet());
    REQUIRE(!result.passed);
    REQUIRE(result.worst > 1e-2);
  }
}

TEST_CASE("fast precomputed-polynomial path agrees with direct evaluation to 1e-12 relative",
          "[analysis][boundary_scan]") {
  const auto cube4 = tabulate(cube_boundary_directions(4, 9), quiet());
  const auto sphere4 = tabulate(sphere_directions(4, 3000, 11), quiet());
  const auto cube2 = tabulate(cube_boundary_directions(2, 401), quiet());
  auto compare = [](const auto& scanner, const auto& theta, const direction_table& table) {
    const auto fast = scanner.values(theta, quiet());
    const Eigen::MatrixXd p = scanner.form().matrix(theta);
    double worst_direct = -1e300;
    for (Eigen::Index k = 0; k < table.cols(); ++k) {
      const double direct = post_step_value(scanner.problem(), p, table.col(k));
      worst_direct = std::max(worst_direct, direct);
      REQUIRE(std::abs(fast[static_cast<std::size_t>(k)] - direct) <=
              1e-12 * std::max(1.0, std::abs(direct)));
    }
    const auto scanned = scanner.scan(theta, {}, quiet());
    REQUIRE(std::abs(scanned.worst - worst_direct) <=
            1e-12 * std::max(1.0, std::abs(worst_direct)));
    // The lane-vectorised direct engine agrees as well.
    const auto direct = boundary_scan_direct(scanner.problem(), p, table, {}, quiet());
    REQUIRE(std::abs(direct.worst - worst_direct) <= 1e-12 * std::max(1.0, std::abs(worst_direct)));
  };
  for (const double sigma : {0.01, 0.5, 0.99})
    for (const double eta : {0.2, 0.6, 1.5})
      for (const double delta : {0.05, 1.0, 1.95}) {
        const double xi = std::min(1.9 / sigma, factorization_branch{}(delta));
        INFO("sigma = " << sigma << ", eta = " << eta << ", delta = " << delta);
        const diagonal_approximation problem(eta, sigma);
        compare(boundary_scanner<diagonal_approximation>(problem, cube4, quiet()),
                two_parameter_form::parameters{delta, xi}, cube4);
        compare(boundary_scanner<diagonal_approximation, 8>(problem, sphere4, quiet()),
                two_parameter_form::parameters{delta, xi}, sphere4);
      }
  for (const double mu : {0.25, 0.0625, 0.0, -0.0625, -0.25})
    for (const double eta : {0.05, 0.6, 1.95})
      for (const double delta : {0.05, 1.0, 1.95}) {
        INFO("mu = " << mu << ", eta = " << eta << ", delta = " << delta);
        compare(
            boundary_scanner<quartic_factorization>(quartic_factorization(eta, mu), cube2, quiet()),
            scalar_form::parameters{delta}, cube2);
      }
  for (const double eta : {0.05, 0.6, 1.95})
    compare(boundary_scanner<scalar_factorization>(scalar_factorization(eta, 2.5), cube2, quiet()),
            scalar_form::parameters{0.7}, cube2);
}

TEST_CASE("results are bit-identical for threads = 1 and threads = 2",
          "[analysis][boundary_scan][determinism]") {
  const auto table = tabulate(cube_boundary_directions(4, 21), quiet());
  const diagonal_approximation problem(0.6, 0.6);
  for (const bool early : {false, true}) {
    INFO("early exit = " << early);
    pass_fail_options options;
    options.scan.early_exit = early;
    options.refine_passing = true;
    options.refinement.max_evaluations = 300;
    const std::vector<double> deltas = {0.3, 0.65, 0.9, 1.2, 1.6, 1.9};
    const auto one = two_parameter_pass_fail_map(problem, deltas, published_xi_axis(0.6), table,
                                                 options, quiet(1));
    const auto two = two_parameter_pass_fail_map(problem, deltas, published_xi_axis(0.6), table,
                                                 options, quiet(2));
    REQUIRE(same_bits(one.worst, two.worst));
    REQUIRE(same_bits(one.passed, two.passed));
    REQUIRE(same_bits(one.worst_index, two.worst_index));
    REQUIRE(same_bits(one.scanned, two.scanned));
    REQUIRE(same_bits(one.refined_worst, two.refined_worst));

    const boundary_scanner<diagonal_approximation> s1(problem, table, quiet(1));
    const boundary_scanner<diagonal_approximation> s2(problem, table, quiet(2));
    boundary_scan_options scan;
    scan.early_exit = early;
    for (const double xi : {0.5, 1.0, 2.0}) {
      const auto a = s1.scan({1.0, xi}, scan, quiet(1)), b = s2.scan({1.0, xi}, scan, quiet(2));
      REQUIRE(std::memcmp(&a.worst, &b.worst, sizeof(double)) == 0);
      REQUIRE(a.worst_index == b.worst_index);
      REQUIRE(a.scanned == b.scanned);
      REQUIRE(a.passed == b.passed);
      REQUIRE(same_bits(s1.values({1.0, xi}, quiet(1)), s2.values({1.0, xi}, quiet(2))));
    }
    const Eigen::MatrixXd p = two_parameter_form(0.6).matrix({1.0, 1.0});
    const auto d1 = boundary_scan_direct(problem, p, table, scan, quiet(1));
    const auto d2 = boundary_scan_direct(problem, p, table, scan, quiet(2));
    REQUIRE(std::memcmp(&d1.worst, &d2.worst, sizeof(double)) == 0);
    REQUIRE(d1.worst_index == d2.worst_index);
    REQUIRE(d1.scanned == d2.scanned);
  }
  const auto q1 =
      quartic_pass_fail_map(0.0625, published_delta_axis(), published_delta_axis(),
                            tabulate(cube_boundary_directions(2, 201), quiet()), {}, quiet(1));
  const auto q2 =
      quartic_pass_fail_map(0.0625, published_delta_axis(), published_delta_axis(),
                            tabulate(cube_boundary_directions(2, 201), quiet()), {}, quiet(2));
  REQUIRE(same_bits(q1.worst, q2.worst));
  REQUIRE(same_bits(q1.worst_index, q2.worst_index));
}

TEST_CASE("early exit keeps every verdict, failing pairs stop at their first violating tile",
          "[analysis][boundary_scan]") {
  const auto table = tabulate(cube_boundary_directions(4, 15), quiet());
  const diagonal_approximation problem(0.6, 0.2);
  const std::vector<double> deltas = {0.4, 0.7, 1.0, 1.5, 1.9};
  pass_fail_options early;
  early.scan.early_exit = true;
  const auto full =
      two_parameter_pass_fail_map(problem, deltas, published_xi_axis(0.2), table, {}, quiet());
  const auto fast =
      two_parameter_pass_fail_map(problem, deltas, published_xi_axis(0.2), table, early, quiet());
  std::size_t passing = 0, failing = 0;
  for (std::size_t i = 0; i < full.pairs(); ++i) {
    REQUIRE(full.passed[i] == fast.passed[i]);
    REQUIRE(full.scanned[i] == full.directions);
    if (full.passed[i]) {
      ++passing;
      REQUIRE(fast.scanned[i] == full.directions);
      REQUIRE(fast.worst[i] == full.worst[i]);
      REQUIRE(fast.worst_index[i] == full.worst_index[i]);
    } else {
      ++failing;
      REQUIRE(fast.scanned[i] < full.directions);
      REQUIRE(fast.worst[i] <= full.worst[i]);
      REQUIRE(fast.worst[i] > fast.tolerance[i]);
    }
  }
  REQUIRE(passing > 0);
  REQUIRE(failing > 0);
}

TEST_CASE("refinement on the level set raises the worst value, never lowers it",
          "[analysis][boundary_scan]") {
  const auto coarse = tabulate(cube_boundary_directions(4, 5), quiet());
  const diagonal_approximation problem(0.6, 0.6);
  const boundary_scanner<diagonal_approximation> scanner(problem, coarse, quiet());
  for (const double xi : {0.8, 1.2, 2.0}) {
    const two_parameter_form::parameters theta{1.0, xi};
    const auto grid = scanner.scan(theta, {}, quiet());
    const auto refined = scanner.refine(theta, {}, quiet());
    INFO("xi = " << xi << ": grid " << grid.worst << ", refined " << refined.refined_worst);
    REQUIRE(refined.grid_worst == Approx(grid.worst).margin(1e-12));
    REQUIRE(refined.raise >= 0);
    REQUIRE(refined.refined_worst >= grid.worst - 1e-12);
    REQUIRE(refined.evaluations > 1);
    const Eigen::MatrixXd p = scanner.form().matrix(theta);
    REQUIRE(refined.point.dot(p * refined.point) == Approx(1).epsilon(1e-13));
    REQUIRE(post_step_value(problem, p, refined.direction) == refined.refined_worst);
  }
  // On a 5-per-edge grid the local maximum lies well off the grid for some parameter.
  const auto coarse_refined = scanner.refine({1.0, 2.0}, {}, quiet());
  REQUIRE(coarse_refined.raise > 1e-6);
  // Grid maps refine only passing pairs.
  pass_fail_options options;
  options.refine_passing = true;
  const auto map = two_parameter_pass_fail_map(problem, {0.9, 1.5}, published_xi_axis(0.6), coarse,
                                               options, quiet());
  for (std::size_t i = 0; i < map.pairs(); ++i) {
    if (map.passed[i])
      REQUIRE(map.refined_worst[i] >= map.worst[i] - 1e-12);
    else
      REQUIRE(std::isnan(map.refined_worst[i]));
  }
  REQUIRE(map.refuted_by_refinement() <= map.pairs());
}

TEST_CASE("scalar certificate under mu = 0: empirical threshold delta = eta, within one grid step "
          "of delta_th(eta) (Thm 3, App. M)",
          "[analysis][boundary_scan]") {
  const auto table = tabulate(cube_boundary_directions(2, 2001), quiet());
  const std::vector<double> etas = {0.05, 0.1, 0.15, 0.2};
  const auto map = step_size_pass_fail_map([](double eta) { return scalar_factorization(eta); },
                                           etas, published_delta_axis(), table, {}, quiet());
  const auto quartic = quartic_pass_fail_map(0.0, etas, published_delta_axis(), table, {}, quiet());
  REQUIRE(map.passed == quartic.passed);
  const auto thresholds = empirical_thresholds(map);
  REQUIRE(thresholds.size() == etas.size());
  for (const auto& estimate : thresholds) {
    INFO("eta = " << estimate.eta << ", empirical " << estimate.threshold << ", delta_th "
                  << threshold_state_parameter(estimate.eta));
    REQUIRE(estimate.threshold == estimate.eta); // R = η(δ − η)(δ² − 4)L² <= 0 iff δ >= η
    REQUIRE(estimate.upper_band);
    REQUIRE(std::abs(estimate.threshold - threshold_state_parameter(estimate.eta)) < 0.05);
  }
}

TEST_CASE("admissible intervals Xi(delta) and the empirical threshold follow the map",
          "[analysis][boundary_scan]") {
  const diagonal_approximation problem(0.2, 0.01);
  pass_fail_options options;
  options.scan.early_exit = true;
  const std::vector<double> deltas = {0.1, 0.5, 1.0, 1.5};
  const auto map = two_parameter_pass_fail_map(problem, deltas, published_xi_axis(0.01),
                                               published_4d(), options, quiet());
  const auto rows = admissible_intervals(map);
  REQUIRE(rows.size() == deltas.size());
  REQUIRE(rows[0].empty()); // δ = 0.1 < η
  for (std::size_t r = 1; r < rows.size(); ++r) {
    INFO("delta = " << rows[r].row << ": Xi = [" << rows[r].lower << ", " << rows[r].upper << "]");
    REQUIRE(!rows[r].empty());
    REQUIRE(rows[r].contiguous);
    // The factorization branch lies inside Ξ(δ) at σ = 0.01 (App. L (i)).
    const double branch = factorization_branch{}(deltas[r]);
    REQUIRE(rows[r].lower <= branch + 0.05);
    REQUIRE(rows[r].upper >= std::min(branch, 6.0) - 0.05);
    std::size_t passing = 0;
    for (std::size_t c = 0; c < map.columns.size(); ++c)
      passing += map.pass(r, c);
    REQUIRE(rows[r].passing == passing);
  }
  REQUIRE(empirical_threshold(map) == 0.5);
  require_rejected([&] { (void)empirical_thresholds(map); }, "pass_fail_map axes");
}

TEST_CASE("bad inputs are rejected with gdcert::invalid_parameter naming the parameter",
          "[analysis][boundary_scan][validation]") {
  const auto table = tabulate(cube_boundary_directions(4, 5), quiet());
  const diagonal_approximation problem(0.2, 0.5);
  require_rejected([] { cube_boundary_directions(4, 0); }, "points per edge");
  require_rejected([] { cube_boundary_directions(4, 1); }, "points per edge");
  require_rejected([] { cube_boundary_directions(0, 41); }, "dimension");
  require_rejected([] { cube_boundary_directions(64, 41); }, "grid size");
  require_rejected([] { sphere_directions(0, 10, 1); }, "dimension");
  require_rejected([] { sphere_directions(3, 0, 1); }, "count");
  require_rejected([] { (void)uniform_axis(std::nan(""), 1, 0.1); }, "lower");
  require_rejected([] { (void)uniform_axis(0, INFINITY, 0.1); }, "upper");
  require_rejected([] { (void)uniform_axis(0, 1, 0); }, "step");
  require_rejected([] { (void)uniform_axis(1, 0, 0.1); }, "upper");
  require_rejected([] { (void)published_xi_axis(1.0); }, "sigma");
  require_rejected(
      [&] { (void)two_parameter_pass_fail_map(problem, {}, {1.0}, table, {}, quiet()); }, "delta");
  require_rejected(
      [&] { (void)two_parameter_pass_fail_map(problem, {1.0}, {}, table, {}, quiet()); }, "xi");
  require_rejected(
      [&] { (void)two_parameter_pass_fail_map(problem, {2.0}, {1.0}, table, {}, quiet()); },
      "delta");
  require_rejected(
      [&] { (void)two_parameter_pass_fail_map(problem, {NAN}, {1.0}, table, {}, quiet()); },
      "delta");
  require_rejected(
      [&] { (void)two_parameter_pass_fail_map(problem, {1.0}, {4.0}, table, {}, quiet()); }, "xi");
  require_rejected(
      [&] { (void)two_parameter_pass_fail_map(problem, {1.0}, {-0.1}, table, {}, quiet()); }, "xi");
  require_rejected(
      [&] {
        (void)quartic_pass_fail_map(
            0.25, {0.0}, {1.0}, tabulate(cube_boundary_directions(2, 11), quiet()), {}, quiet());
      },
      "eta");
  require_rejected(
      [&] {
        (void)quartic_pass_fail_map(
            0.25, {0.5}, {}, tabulate(cube_boundary_directions(2, 11), quiet()), {}, quiet());
      },
      "delta");
  require_rejected([&] { (void)quartic_pass_fail_map(0.25, {0.5}, {1.0}, table, {}, quiet()); },
                   "direction table rows");
  pass_fail_options bad_tolerance;
  bad_tolerance.scan.tolerance = NAN;
  require_rejected(
      [&] {
        (void)two_parameter_pass_fail_map(problem, {1.0}, {1.0}, table, bad_tolerance, quiet());
      },
      "tolerance");
  direction_table with_zero = table;
  with_zero.col(3).setZero();
  require_rejected([&] { boundary_scanner<diagonal_approximation> s(problem, with_zero, quiet()); },
                   "direction 3");
  const boundary_scanner<diagonal_approximation> scanner(problem, table, quiet());
  require_rejected([&] { (void)scanner.scan({0.0, 1.0}); }, "delta");
  require_rejected([&] { (void)scanner.scan({1.0, 2.0 / 0.5}); }, "xi");
  refinement_options bad_refinement;
  bad_refinement.starts = 0;
  require_rejected([&] { (void)scanner.refine({1.0, 1.0}, bad_refinement, quiet()); }, "starts");
  bad_refinement = {};
  bad_refinement.final_step = 1.0;
  require_rejected(
      [&] {
        (void)scanner.refine({1.0, 1.0}, bad_refinement, quiet());
      },
      "final_step");
  require_rejected(
      [&] {
        (void)boundary_scan_direct(problem, Eigen::MatrixXd::Identity(3, 3), table, {}, quiet());
      },
      "certificate matrix");
  pass_fail_map wrong_axes;
  wrong_axes.row_name = "eta";
  wrong_axes.column_name = "delta";
  require_rejected([&] { (void)empirical_threshold(wrong_axes); }, "pass_fail_map axes");
}
