// Validation completes (issue #25, items 4 and 5): integer and float-to-integer conversions of the engines and writers are checked before converting, and certificate forms, option enums and certificate branches are validated by name.
//
// Every call must throw gdcert::invalid_parameter naming the parameter, or show its documented
// valid behaviour; the counts (tried / rejected / valid / wrong) are printed as in
// robustness.test.cpp. Nothing here allocates in proportion to a refused size: sizes near INT_MAX
// and SIZE_MAX are passed with empty or tiny data, and must be refused before allocating. Under
// UBSan (the asan preset) a conversion that was not checked fails the run.
#include "fixtures.hpp"
#include "tally.hpp"

#include <gdcert/analysis/boundary_scan.hpp>
#include <gdcert/analysis/box_counting.hpp>
#include <gdcert/analysis/rigorous_scan.hpp>
#include <gdcert/io/png.hpp>
#if __has_include(<cairo.h>) // gdcert::figure's include path comes with its link line
#include <gdcert/io/figure.hpp>
#define GDCERT_VALIDATION_FIGURES 1
#endif

#include <catch2/catch.hpp>

#include <atomic>
#include <climits>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace validation_suite {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();
constexpr double infinity = std::numeric_limits<double>::infinity();
constexpr double largest = std::numeric_limits<double>::max();
constexpr int int_max = std::numeric_limits<int>::max();
constexpr std::size_t size_max = std::numeric_limits<std::size_t>::max();

/// The robustness suite's counts (tally.hpp); finish() prints them and requires that every call
/// was rejected by name or valid.
struct tally : gdcert::test::robustness_tally {
  void finish(const char* group) const {
    report((std::string("validation, ") + group).c_str());
    CHECK(wrong == 0);
    CHECK(rejected + valid == tried);
  }
};

gdcert::execution_policy serial() {
  gdcert::execution_policy policy;
  policy.threads = 1;
  policy.progress = false;
  return policy;
}

/// The points of an m × m grid on [0, 1]², scaled by `scale` and shifted by `shift`.
std::vector<gdcert::point2> square_grid(int m, double scale = 1, double shift = 0) {
  std::vector<gdcert::point2> points;
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j)
      points.push_back({shift + scale * (i / (m - 1.0)), shift + scale * (j / (m - 1.0))});
  return points;
}

/// The box-counting dimension of a 65 × 65 grid filling a square of side `side` from `corner`,
/// fitted over [side/16, side/2] at the grid's resolution.
double square_dimension(double side, double corner, std::optional<double> largest_size = {}) {
  gdcert::box_counting_parameters p;
  p.resolution = side / 64;
  p.window = gdcert::fit_window{side / 16, side / 2};
  p.largest_size = largest_size;
  return gdcert::box_counting(square_grid(65, side, corner), p).dimension;
}

/// A direction set of dimension 0 claiming SIZE_MAX directions: tabulate must refuse it before
/// converting its size to an index.
struct empty_directions {
  [[nodiscard]] int dimension() const { return 0; }
  [[nodiscard]] std::size_t size() const { return size_max; }
  void direction(std::size_t, double*) const {}
};

} // namespace validation_suite

TEST_CASE("box_counting refuses extents that overflow a double and counts huge finite ones, "
          "box indices in range (issue 25 item 4)",
          "[robustness][validation][box_counting]") {
  using namespace validation_suite;
  using gdcert::box_counting;
  using gdcert::box_counting_parameters;
  using gdcert::point2;
  tally t;
  const std::vector<std::pair<std::string, std::vector<point2>>> overflowing = {
      {"-1e308 and 1e308 in x", {{-1e308, 0}, {1e308, 0}, {0, 1}}},
      {"-1e308 and 1e308 in y", {{0, -1e308}, {0, 1e308}, {1, 0}}},
      {"-max and max", {{-largest, -largest}, {largest, largest}}},
      {"0 and max", {{0, 0}, {largest, 1}}},
      {"lowest and 0", {{std::numeric_limits<double>::lowest(), 0}, {0, 1}}},
  };
  for (const auto& [label, points] : overflowing) {
    t.rejects("box_counting of points at " + label, "points extent",
              [&, &points = points] { (void)box_counting(points); });
    t.rejects("box_counting of points at " + label + " with a resolution", "points extent",
              [&, &points = points] {
                box_counting_parameters p;
                p.resolution = 1e300;
                (void)box_counting(points, p);
              });
  }
  t.accepts("box_counting of a square of side 8e307 from -4e307 (a finite extent) gives 2",
            [] { return std::abs(square_dimension(8e307, -4e307) - 2) < 0.1; });
  t.accepts("box_counting of a square of side 1e300 at 1.7e308 gives 2",
            [] { return std::abs(square_dimension(1e300, 1.7e308) - 2) < 0.1; });
  t.accepts("box_counting of a square of side 1e-300 gives 2",
            [] { return std::abs(square_dimension(1e-300, 0) - 2) < 0.1; });
  // Off the lattice's dyadic sizes the 65 x 65 grid's counts wobble: 1.87 over this window.
  t.accepts("box_counting with largest_size = 1e300 (1003 ladder sizes) gives about 2",
            [] { return std::abs(square_dimension(1, 0, 1e300) - 2) < 0.15; });
  t.rejects("box_counting of a subnormal extent (one ladder size)", "fit window", [] {
    (void)box_counting(std::vector<point2>{{0, 0}, {5e-324, 5e-324}, {0, 5e-324}});
  });
  t.rejects("geometric_ladder of INT_MAX scales (16 GiB)", "count",
            [] { (void)gdcert::geometric_ladder(1e-3, 1, int_max); });
  t.rejects("geometric_ladder of 1 scale", "count",
            [] { (void)gdcert::geometric_ladder(1e-3, 1, 1); });
  t.accepts("geometric_ladder of 3 scales ends exactly at its bounds", [] {
    const auto ladder = gdcert::geometric_ladder(1e-3, 1, 3);
    return ladder.size() == 3 && ladder.front() == 1e-3 && ladder.back() == 1;
  });
  const std::vector<std::uint8_t> labels(4, 0);
  t.rejects("box_counting_boundary of a label image of INT_MAX x INT_MAX", "labels.size()",
            [&] { (void)gdcert::box_counting_boundary(labels, int_max, int_max); });
  t.finish("box counting");
}

TEST_CASE("heat maps, label maps and images near INT_MAX and SIZE_MAX are refused by name before "
          "anything is allocated (issue 25 item 4)",
          "[robustness][validation][png]") {
  using namespace validation_suite;
  tally t;
  const std::vector<double> no_values;
  constexpr auto colours = gdcert::viridis();
  const std::vector<std::pair<int, int>> sizes = {
      {int_max, 1},       {int_max - 64, 1}, {int_max - 200, 300}, {1, int_max},
      {int_max, int_max}, {16384, 16384},    {1 << 28, 1},
  };
  for (const auto& [width, height] : sizes) {
    const std::string size = std::to_string(width) + " x " + std::to_string(height);
    t.rejects("render_heat_map of " + size + " (field and colour bar)", "heat map image",
              [&, width = width, height = height] {
                (void)gdcert::render_heat_map(no_values, width, height, {0, 1}, colours);
              });
    t.rejects("render_label_map of " + size + " with 4 labels", "labels.size()",
              [width = width, height = height] {
                const std::vector<std::uint8_t> labels(4, 0);
                (void)gdcert::render_label_map(labels, width, height, gdcert::outcome_palette());
              });
    if (std::uint64_t(width) * std::uint64_t(height) > gdcert::image::max_pixels) // else: allocates
      t.rejects("image of " + size, "image width x height",
                [width = width, height = height] { (void)gdcert::image(width, height); });
  }
  t.rejects("image::require_size of LONG_MAX x LONG_MAX", "image width x height",
            [] { gdcert::image::require_size("image", LONG_MAX, LONG_MAX); });
  t.rejects("render_heat_map of width INT_MIN", "width", [&] {
    (void)gdcert::render_heat_map(no_values, INT_MIN, 4, {0, 1}, colours);
  });
  t.rejects("render_heat_map of one value for a 4 x 4 field", "values.size()", [&] {
    const std::vector<double> one = {0};
    (void)gdcert::render_heat_map(one, 4, 4, {0, 1}, colours);
  });
  const auto folder = std::filesystem::temp_directory_path() / "gdcert_validation_heat_map";
  std::filesystem::create_directories(folder);
  const auto file = folder / "huge.png";
  std::filesystem::remove(file);
  t.rejects("write_heat_map of INT_MAX x 1", "heat map image",
            [&] { gdcert::write_heat_map(file, no_values, int_max, 1, gdcert::provenance("v")); });
  t.accepts("a refused heat map leaves no file behind",
            [&] { return !std::filesystem::exists(file); });
  t.accepts("a 3 x 2 heat map is 3 + colour bar pixels wide", [&] {
    const std::vector<double> values = {0, 1, 2, 3, 4, 5};
    const auto picture = gdcert::render_heat_map(values, 3, 2, {0, 5}, colours);
    return picture.width() > 3 && picture.height() == 2;
  });
  std::filesystem::remove_all(folder);
  t.finish("pictures");
}

TEST_CASE("a certificate form that is zero, negative definite, indefinite, non-finite or "
          "non-symmetric is refused by name where a form is accepted (issue 25 item 5a)",
          "[robustness][validation][boundary_scan]") {
  using namespace validation_suite;
  tally t;
  const gdcert::diagonal_approximation problem(0.2, 0.5);
  const auto directions = gdcert::tabulate(gdcert::cube_boundary_directions(4, 5), serial());
  const Eigen::Vector4d start(1, 0.5, -0.25, 0.125);
  auto with = [](Eigen::Index i, Eigen::Index j, double value) {
    Eigen::MatrixXd p = Eigen::MatrixXd::Identity(4, 4);
    p(i, j) = value;
    return p;
  };
  const std::vector<std::pair<std::string, Eigen::MatrixXd>> forms = {
      {"zero", Eigen::MatrixXd::Zero(4, 4)},
      {"negative definite", -Eigen::MatrixXd::Identity(4, 4)},
      {"indefinite", Eigen::Vector4d(1, 1, -1, 1).asDiagonal()},
      {"positive semidefinite", Eigen::Vector4d(1, 1, 0, 1).asDiagonal()},
      {"NaN entry", with(1, 2, not_a_number)},
      {"inf diagonal", with(3, 3, infinity)},
      {"-inf entry", with(0, 3, -infinity)},
      {"non-symmetric", with(0, 1, 0.5)},
      {"3 x 3 for a 4-D problem", Eigen::MatrixXd::Identity(3, 3)},
      {"4 x 3", Eigen::MatrixXd::Identity(4, 3)},
      {"empty", Eigen::MatrixXd()},
  };
  for (const auto& [label, p] : forms) {
    t.rejects(
        "boundary_scan_direct with a " + label + " form", "certificate matrix P",
        [&, &p = p] { (void)gdcert::boundary_scan_direct(problem, p, directions, {}, serial()); });
    t.rejects("post_step_value with a " + label + " form", "certificate matrix P",
              [&, &p = p] { (void)gdcert::post_step_value(problem, p, start); });
    t.rejects("refine_direction with a " + label + " form", "certificate matrix P",
              [&, &p = p] { (void)gdcert::refine_direction(problem, p, start); });
  }
  t.rejects("post_step_value with a direction of size 3", "direction size", [&] {
    (void)gdcert::post_step_value(problem, Eigen::MatrixXd::Identity(4, 4),
                                  Eigen::Vector3d(1, 0, 0));
  });
  t.accepts("a form symmetric to rounding (1e-15 apart) scans as its symmetric part", [&] {
    const Eigen::MatrixXd p = gdcert::two_parameter_form(0.5).matrix({1.2, 0.3});
    Eigen::MatrixXd rounded = p;
    rounded(0, 1) = std::nextafter(std::nextafter(p(0, 1), 1.0), 1.0);
    const auto exact = gdcert::boundary_scan_direct(problem, p, directions, {}, serial());
    const auto near = gdcert::boundary_scan_direct(problem, rounded, directions, {}, serial());
    return std::abs(exact.worst - near.worst) <= 1e-12 && exact.passed == near.passed;
  });
  t.accepts("a published form P(delta, xi) is accepted by all three", [&] {
    const Eigen::MatrixXd p = gdcert::two_parameter_form(0.5).matrix({1.2, 0.3});
    const auto scan = gdcert::boundary_scan_direct(problem, p, directions, {}, serial());
    gdcert::refinement_options few;
    few.max_evaluations = 50;
    const auto refined = gdcert::refine_direction(problem, p, start, few);
    return std::isfinite(scan.worst) && std::isfinite(gdcert::post_step_value(problem, p, start)) &&
           std::isfinite(refined.refined_worst);
  });

  // The rigorous verifier takes its form from a level function: A must be positive definite.
  const gdcert::scalar_factorization scalar(0.5);
  auto refuses_level = [&](const std::string& label, auto level) {
    using verifier = gdcert::inwardness_verifier<gdcert::scalar_factorization, decltype(level)>;
    t.rejects("inwardness_verifier with a " + label + " level function",
              "level function quadratic part A", [&] { (void)verifier(scalar, level); });
  };
  refuses_level("negative definite", [](const auto& x) {
    using T = std::decay_t<decltype(x.a)>;
    return gdcert::constant<T>(-1.0) * (x.a * x.a + x.b * x.b) - gdcert::constant<T>(1.0);
  });
  refuses_level("indefinite", [](const auto& x) {
    using T = std::decay_t<decltype(x.a)>;
    return x.a * x.a - x.b * x.b - gdcert::constant<T>(1.0);
  });
  refuses_level("semidefinite (a strip)", [](const auto& x) {
    using T = std::decay_t<decltype(x.a)>;
    return x.a * x.a - gdcert::constant<T>(1.0);
  });
  t.accepts("inwardness_verifier accepts the ellipse of I_sc(1.2)", [&] {
    const gdcert::scalar_certificate certificate(scalar);
    const auto level = gdcert::certificate_level(certificate, 1.2);
    const gdcert::inwardness_verifier<gdcert::scalar_factorization, decltype(level)> v(scalar,
                                                                                       level);
    return v.root_count() > 0;
  });
  t.finish("certificate forms");
}

TEST_CASE("option enums outside their declared values are refused by name where the options are "
          "validated (issue 25 item 5b)",
          "[robustness][validation]") {
  using namespace validation_suite;
  tally t;
  const gdcert::diagonal_approximation problem(0.2, 0.5);
  const auto directions = gdcert::tabulate(gdcert::cube_boundary_directions(4, 5), serial());
  const Eigen::MatrixXd p = gdcert::two_parameter_form(0.5).matrix({1.2, 0.3});
  const gdcert::boundary_scanner<gdcert::diagonal_approximation> scanner(problem, directions,
                                                                         serial());
  const auto scalar_directions = gdcert::tabulate(gdcert::cube_boundary_directions(2, 9), serial());
  for (const int value : {-1, 2, 42, INT_MIN, int_max}) {
    const std::string v = std::to_string(value);
    gdcert::boundary_scan_options scan;
    scan.units = static_cast<gdcert::tolerance_units>(value);
    t.rejects("boundary_scan_direct with units " + v, "boundary_scan_options.units",
              [&] { (void)gdcert::boundary_scan_direct(problem, p, directions, scan, serial()); });
    t.rejects("boundary_scanner::scan with units " + v, "boundary_scan_options.units", [&] {
      (void)scanner.scan({1.2, 0.3}, scan, serial());
    });
    t.rejects("boundary_scanner::scan_group with units " + v, "boundary_scan_options.units", [&] {
      (void)scanner.scan_group(std::vector<gdcert::two_parameter_form::parameters>{{1.2, 0.3}},
                               scan);
    });
    gdcert::pass_fail_options map;
    map.scan = scan;
    t.rejects("two_parameter_pass_fail_map with units " + v, "boundary_scan_options.units", [&] {
      (void)gdcert::two_parameter_pass_fail_map(problem, {1.0}, {0.5}, directions, map, serial());
    });
    t.rejects("quartic_pass_fail_map with units " + v, "boundary_scan_options.units", [&] {
      (void)gdcert::quartic_pass_fail_map(0.0625, {0.5}, {1.0}, scalar_directions, map, serial());
    });
    gdcert::execution_policy policy = serial();
    policy.when_cancelled = static_cast<gdcert::on_cancel>(value);
    t.rejects("for_each_tile with when_cancelled " + v, "execution_policy.when_cancelled",
              [&] { (void)gdcert::for_each_tile(4, policy, [](std::size_t, std::size_t) {}); });
  }
  for (const int value : {5, 42, 255}) {
    const auto bad = static_cast<gdcert::outcome>(value);
    gdcert::sweep_result result;
    result.outcomes = {gdcert::outcome::minimizer, bad};
    t.rejects("sweep_result::counts with outcome " + std::to_string(value), "outcomes[1]",
              [&] { (void)result.counts(); });
    const auto folder = std::filesystem::temp_directory_path() / "gdcert_validation_labels";
    std::filesystem::create_directories(folder);
    const std::vector<gdcert::outcome> labels = {gdcert::outcome::periodic, bad};
    t.rejects("write_label_map with outcome " + std::to_string(value), "labels[1]", [&] {
      gdcert::write_label_map(folder / "labels.png", std::span<const gdcert::outcome>(labels), 2, 1,
                              gdcert::provenance("v"));
    });
    std::filesystem::remove_all(folder);
  }
  t.accepts("sweep_result::counts of every declared outcome", [] {
    gdcert::sweep_result result;
    for (int k = 0; k < gdcert::outcome_count; ++k)
      result.outcomes.push_back(static_cast<gdcert::outcome>(k));
    const auto counts = result.counts();
    return std::all_of(counts.begin(), counts.end(), [](std::size_t c) { return c == 1; });
  });
#ifdef GDCERT_VALIDATION_FIGURES
  auto figure = [] {
    gdcert::plot f;
    f.panels.resize(1);
    f.panels[0].x = {0, 1, "x"};
    f.panels[0].y = {0, 1, "y"};
    f.panels[0].series = {{{0, 1}, {0, 1}, {0, 0, 0}, gdcert::series_style::line, 1.5, "s"}};
    return f;
  };
  for (const int value : {-1, 2, 3, 4, 42}) {
    const std::string v = std::to_string(value);
    if (value != 2) { // 2 is series_style::markers
      auto f = figure();
      f.panels[0].series[0].style = static_cast<gdcert::series_style>(value);
      t.rejects("render_plot with series style " + v, "plot series s style",
                [&] { (void)gdcert::render_plot(f); });
    }
    auto f = figure();
    f.panels[0].x.scale = static_cast<gdcert::axis_scale>(value);
    t.rejects("render_plot with axis scale " + v, "plot axis x scale",
              [&] { (void)gdcert::render_plot(f); });
    if (value < 0 || value > 3) {
      auto g = figure();
      g.legend = {{{0, 0, 0}, "entry", static_cast<gdcert::legend_mark>(value)}};
      t.rejects("render_plot with legend mark " + v, "plot legend entry mark",
                [&] { (void)gdcert::render_plot(g); });
    }
  }
  t.accepts("render_plot of a valid figure gives PNG bytes",
            [&] { return gdcert::render_plot(figure()).substr(1, 3) == "PNG"; });
#endif
  t.finish("enums");
}

TEST_CASE("two_parameter_certificate refuses NaN, infinite and out-of-range branch values by name "
          "(issue 25 item 5c)",
          "[robustness][validation][certificates]") {
  using namespace validation_suite;
  tally t;
  const gdcert::diagonal_approximation problem(0.2, 0.5); // 2/sigma = 4
  auto refuses = [&](const std::string& label, auto branch) {
    t.rejects("two_parameter_certificate with a branch " + label, "branch xi(delta)",
              [&] { (void)gdcert::two_parameter_certificate<decltype(branch)>(problem, branch); });
  };
  refuses("NaN everywhere", [](double) { return not_a_number; });
  refuses("NaN above delta = 0.5", [](double d) { return d < 0.5 ? d : not_a_number; });
  refuses("NaN on (1, 1.5)", [](double d) { return d > 1 && d < 1.5 ? not_a_number : 2 * d; });
  refuses("+inf above delta = 1", [](double d) { return d < 1 ? d : infinity; });
  refuses("-inf above delta = 1", [](double d) { return d < 1 ? d : -infinity; });
  refuses("<= 0 near delta = 2", [](double d) { return 1 - d; });
  refuses("negative near 0", [](double d) { return -d; });
  refuses("above 2/sigma near 0", [](double) { return 5.0; });
  refuses("above 2/sigma inside (a bump at delta = 1)",
          [](double d) { return std::abs(d - 1) < 0.05 ? 10.0 : d; });
  t.accepts("the factorization branch ends where 4 delta/(4 - delta^2) = 2/sigma", [&] {
    const gdcert::two_parameter_certificate<gdcert::factorization_branch> c(problem);
    return std::abs(c.admissible_limit() - (std::sqrt(0.25 + 4) - 0.5)) < 1e-12;
  });
  t.accepts("a branch NaN on (1, 1.5) only beyond its crossing of 2/sigma at 1 ends at 1", [&] {
    const auto branch = [](double d) { return d > 1 && d < 1.5 ? not_a_number : 4 * d; };
    const gdcert::two_parameter_certificate<decltype(branch)> c(problem, branch);
    return c.admissible_limit() < 1 && c.admissible_limit() > 1 - 1e-12;
  });
  t.accepts("the approximation branch covers (0, 2)",
            [&] { return gdcert::two_parameter_certificate<>(problem).admissible_limit() == 2.0; });
  const gdcert::two_parameter_certificate<> certificate(problem);
  const gdcert::rank1_state<double> x{0.5, 0.5, 0.1, 0.1};
  for (const double delta : {not_a_number, infinity, -infinity, 0.0, 2.0})
    t.rejects("I(delta, x) at delta = " + gdcert::detail::to_text(delta), "delta",
              [&] { (void)certificate(delta, x); });
  for (const double xi : {not_a_number, infinity, 0.0, 4.0})
    t.rejects("I(delta, xi, x) at xi = " + gdcert::detail::to_text(xi), "block parameter xi",
              [&] { (void)certificate(1.0, xi, x); });
  t.finish("branches");
}

TEST_CASE("grid counts, strides, tiles, axes and figure sizes are checked before any integer "
          "conversion (issue 25 item 4)",
          "[robustness][validation]") {
  using namespace validation_suite;
  tally t;
  const gdcert::scalar_factorization scalar(0.5);
  const gdcert::scalar_state<double> origin{0.5, 0.5};
  auto unlimited = serial();
  unlimited.memory_limit = std::numeric_limits<std::uint64_t>::max();

  // Grid axes: a resolution above LONG_MAX is a size, not a negative long.
  const auto wide = gdcert::coordinate_plane(scalar, origin, 0, {-1, 1, size_max}, 1, {-1, 1, 1});
  t.rejects("sweep of SIZE_MAX points", "sweep memory estimate",
            [&] { (void)gdcert::sweep(scalar, wide, {}, serial()); });
  t.rejects("sweep of SIZE_MAX points with memory_limit = UINT64_MAX (estimate wraps)",
            "sweep memory estimate", [&] { (void)gdcert::sweep(scalar, wide, {}, unlimited); });
  t.rejects("tabulate SIZE_MAX sphere directions with memory_limit = UINT64_MAX",
            "direction table memory estimate",
            [&] { (void)gdcert::tabulate(gdcert::sphere_directions(1, size_max, 0), unlimited); });
  t.rejects("tabulate a dimension-0 set of SIZE_MAX directions", "direction set dimension",
            [&] { (void)gdcert::tabulate(empty_directions{}, unlimited); });
  t.rejects("sphere_directions of dimension INT_MAX", "sphere dimension n",
            [] { (void)gdcert::sphere_directions(int_max, 1, 0); });
  t.rejects("cube_boundary_directions of dimension INT_MAX", "cube grid size",
            [] { (void)gdcert::cube_boundary_directions(int_max, 2); });

  // Recorder strides.
  t.rejects("state_recorder stride 0", "recorder stride",
            [] { (void)gdcert::state_recorder<gdcert::scalar_state<double>>(0); });
  t.accepts("state_recorder stride SIZE_MAX records x0 only", [&] {
    gdcert::state_recorder<gdcert::scalar_state<double>> recorder(size_max);
    auto x = origin;
    gdcert::iterate(scalar, x, 10, recorder);
    return recorder.states().size() == 1 && recorder.steps().front() == 0;
  });
  t.accepts("value recorder stride SIZE_MAX records x0 only", [&] {
    auto recorder = gdcert::record_values([](const auto& x) { return x.a; }, size_max);
    auto x = origin;
    gdcert::iterate(scalar, x, 10, recorder);
    return recorder.values().size() == 1;
  });

  // Published axes counted in long.
  t.rejects("twentieths(0, INT_MAX)", "twentieths", [] { (void)gdcert::twentieths(0, int_max); });
  t.rejects("twentieths(INT_MIN, INT_MAX)", "twentieths",
            [] { (void)gdcert::twentieths(INT_MIN, int_max); });
  t.accepts("twentieths(INT_MAX - 2, INT_MAX) has 3 values, no overflow", [] {
    const auto axis = gdcert::twentieths(int_max - 2, int_max);
    return axis.size() == 3 && axis.back() == int_max / 20.0;
  });
  t.accepts("twentieths(5, 1) is empty", [] { return gdcert::twentieths(5, 1).empty(); });
  t.rejects("uniform_axis of 1e308 / 1e-308 points", "axis points",
            [] { (void)gdcert::uniform_axis(0, 1e308, 1e-308); });

#ifdef GDCERT_VALIDATION_FIGURES
  auto figure = [] {
    gdcert::plot f;
    f.panels.resize(1);
    f.panels[0].x = {0, 1, "x"};
    f.panels[0].y = {0, 1, "y"};
    return f;
  };
  t.rejects("render_plot with a 40000-character title", "plot width", [&] {
    auto f = figure();
    f.title = std::string(40000, 'W');
    (void)gdcert::render_plot(f);
  });
  t.rejects("render_plot with a 40000-character legend label", "plot width", [&] {
    auto f = figure();
    f.legend = {{{0, 0, 0}, std::string(40000, 'W')}};
    (void)gdcert::render_plot(f);
  });
  t.rejects("render_plot with 3000 legend rows", "plot height", [&] {
    auto f = figure();
    for (int k = 0; k < 3000; ++k)
      f.legend.push_back({{0, 0, 0}, std::to_string(k)});
    (void)gdcert::render_plot(f);
  });
  t.rejects("render_plot with a 40000 x 1 raster (beyond cairo's 32767)", "plot panel raster", [&] {
    auto f = figure();
    f.panels[0].raster.emplace(40000, 1);
    (void)gdcert::render_plot(f);
  });
  t.accepts("render_plot with 64 x 64 panels of 4096 pixels is refused or drawn, never converted "
            "out of range",
            [&] {
              gdcert::plot f;
              f.rows = f.columns = 64;
              f.panel_size = 4096;
              f.panels.resize(64 * 64, figure().panels[0]);
              try {
                (void)gdcert::render_plot(f);
              } catch (const gdcert::invalid_parameter& e) {
                return std::string(e.what()).find("plot width") != std::string::npos;
              }
              return false;
            });
  t.accepts("nice_ticks on [1e17, 1e17 + 16] (steps below an ulp) ends with few ticks", [] {
    const auto ticks = gdcert::detail::io::nice_ticks(1e17, 1e17 + 16);
    return !ticks.empty() && ticks.size() <= 7;
  });
#endif
  t.finish("sizes");
}
