// Fractal measures: box-counting dimension of sets with known dimension, label-image boundaries, the uncertainty exponent.
#include <gdcert/analysis/box_counting.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <random>
#include <vector>

using namespace gdcert;
using Catch::Matchers::Contains;

namespace {

const double sierpinski_dimension = std::log(3.0) / std::log(2.0);

/// n equally spaced points on the circle of radius r about (cx, cy).
std::vector<point2> circle(int n, double r, double cx, double cy) {
  std::vector<point2> points;
  for (int i = 0; i < n; ++i) {
    const double t = 2 * std::numbers::pi * i / n;
    points.push_back({cx + r * std::cos(t), cy + r * std::sin(t)});
  }
  return points;
}

/// The centres of an m × m grid of cells filling the unit square.
std::vector<point2> filled_square(int m) {
  std::vector<point2> points;
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j)
      points.push_back({(i + 0.5) / m, (j + 0.5) / m});
  return points;
}

/// The chaos game on the triangle (0, 0), (1, 0), (½, √3/2): a random sample of the Sierpinski
/// triangle's natural measure (the first 20 points, still approaching the attractor, are dropped).
std::vector<point2> sierpinski_chaos_game(int n, std::uint64_t seed) {
  const std::array<point2, 3> corners{{{0, 0}, {1, 0}, {0.5, std::sqrt(3.0) / 2}}};
  std::mt19937_64 rng(seed);
  std::vector<point2> points;
  point2 x{0.3, 0.2};
  for (int i = 0; i < n + 20; ++i) {
    const auto& corner = corners[rng() % 3];
    x = {(x[0] + corner[0]) / 2, (x[1] + corner[1]) / 2};
    if (i >= 20)
      points.push_back(x);
  }
  return points;
}

/// Pascal's triangle mod 2 on a 2^levels square: cell (i, j) is in the set when i & j == 0,
/// the level-`levels` approximation of the Sierpinski triangle.
std::vector<std::uint8_t> sierpinski_image(int levels) {
  const int size = 1 << levels;
  std::vector<std::uint8_t> labels(static_cast<std::size_t>(size) * size);
  for (int i = 0; i < size; ++i)
    for (int j = 0; j < size; ++j)
      labels[static_cast<std::size_t>(i) * size + j] = (i & j) == 0;
  return labels;
}

std::vector<point2> sierpinski_cells(int levels) {
  const int size = 1 << levels;
  std::vector<point2> points;
  for (int i = 0; i < size; ++i)
    for (int j = 0; j < size; ++j)
      if ((i & j) == 0)
        points.push_back({double(i), double(j)});
  return points;
}

/// A disk of radius 0.4·size in a size × size label image.
std::vector<std::uint8_t> disk_image(int size) {
  std::vector<std::uint8_t> labels(static_cast<std::size_t>(size) * size);
  const double centre = size / 2.0, radius = 0.4 * size;
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x)
      labels[static_cast<std::size_t>(y) * size + x] =
          std::hypot(x + 0.5 - centre, y + 0.5 - centre) < radius;
  return labels;
}

void check_report(const box_counting_result& result) {
  REQUIRE(result.last >= result.first + 2);
  REQUIRE(result.last < result.table.size());
  CHECK(result.window.largest == result.table[result.first].size);
  CHECK(result.window.smallest == result.table[result.last].size);
  CHECK(result.standard_error >= 0);
  for (std::size_t i = 0; i < result.table.size(); ++i) {
    CHECK(static_cast<double>(result.table[i].boxes) <= result.table[i].mean_boxes);
    if (i > 0) {
      CHECK(result.table[i].size < result.table[i - 1].size);
      CHECK(result.table[i].boxes >= result.table[i - 1].boxes);
    }
  }
}

} // namespace

TEST_CASE("box-counting dimension of a circle is 1 +- 0.02", "[analysis][box_counting]") {
  const auto points = circle(100000, 2, 3, -1);
  SECTION("automatic window from the box occupancy") {
    const auto result = box_counting(points);
    check_report(result);
    CHECK(result.dimension == Approx(1).margin(0.02));
    CHECK(result.mean_dimension == Approx(1).margin(0.02)); // the offset-averaged count's fit
    CHECK(result.mean_standard_error >= 0);
  }
  SECTION("automatic window from the sampling resolution") {
    box_counting_parameters parameters;
    parameters.resolution = 2 * std::numbers::pi * 2 / 100000;
    const auto result = box_counting(points, parameters);
    check_report(result);
    CHECK(result.dimension == Approx(1).margin(0.02));
    CHECK(result.window.smallest >= 4 * *parameters.resolution);
    CHECK(result.window.largest <= result.extent / 16 * (1 + 1e-9));
  }
}

TEST_CASE("box-counting dimension of a filled square is 2 +- 0.02", "[analysis][box_counting]") {
  SECTION("grid points") {
    const auto result = box_counting(filled_square(512));
    check_report(result);
    CHECK(result.dimension == Approx(2).margin(0.02));
  }
  SECTION("uniform random points") {
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> uniform(-1, 1);
    std::vector<point2> points(300000);
    for (auto& p : points)
      p = {uniform(rng), uniform(rng)};
    const auto result = box_counting(points);
    check_report(result);
    CHECK(result.dimension == Approx(2).margin(0.02));
  }
}

TEST_CASE("box-counting dimension of the Sierpinski triangle is log 3 / log 2 +- 0.03",
          "[analysis][box_counting]") {
  SECTION("chaos-game sample") {
    const auto result = box_counting(sierpinski_chaos_game(500000, 5));
    check_report(result);
    CHECK(result.dimension == Approx(sierpinski_dimension).margin(0.03));
  }
  SECTION("cells of Pascal's triangle mod 2") {
    box_counting_parameters parameters;
    parameters.resolution = 1;
    const auto result = box_counting(sierpinski_cells(11), parameters);
    check_report(result);
    CHECK(result.dimension == Approx(sierpinski_dimension).margin(0.03));
  }
}

TEST_CASE("box-counting dimension of label-image boundaries: disk 1 +- 0.02, half plane 1, "
          "Sierpinski log 3 / log 2 +- 0.03",
          "[analysis][box_counting]") {
  SECTION("disk") {
    const auto result = box_counting_boundary(disk_image(2048), 2048, 2048);
    check_report(result);
    CHECK(result.dimension == Approx(1).margin(0.02));
    CHECK(result.window.smallest >= 4); // a few pixels
  }
  SECTION("straight boundary") {
    // Labels of any type compared with ==. (A lattice-aligned slope such as ½ lets the shifted
    // grids find exact alignments at some box sizes only; see box_counting_parameters.)
    const int size = 1024;
    std::vector<int> labels(static_cast<std::size_t>(size) * size);
    for (int y = 0; y < size; ++y)
      for (int x = 0; x < size; ++x)
        labels[static_cast<std::size_t>(y) * size + x] = x < 2 * y + 0.2 * size ? 3 : -1;
    const auto result = box_counting_boundary(labels, size, size);
    check_report(result);
    CHECK(result.dimension == Approx(1).margin(0.02));
  }
  SECTION("Pascal's triangle mod 2") {
    const int levels = 11, size = 1 << levels;
    const auto result = box_counting_boundary(sierpinski_image(levels), size, size);
    check_report(result);
    CHECK(result.dimension == Approx(sierpinski_dimension).margin(0.03));
  }
}

TEST_CASE("label boundary: one edge midpoint per pair of 4-neighbours with different labels",
          "[analysis][box_counting]") {
  // 0 0 1
  // 0 2 1
  const std::vector<int> labels{0, 0, 1, 0, 2, 1};
  const auto boundary = label_boundary(labels, 3, 2);
  const std::vector<point2> expected{{2, 0.5}, {1.5, 1}, {1, 1.5}, {2, 1.5}};
  CHECK(boundary == expected);
}

TEST_CASE("the minimum over shifted grids never exceeds the count of the unshifted grid",
          "[analysis][box_counting]") {
  const auto points = sierpinski_chaos_game(20000, 9);
  box_counting_parameters one, eight;
  one.grid_offsets = 1;
  eight.grid_offsets = 8;
  const auto fixed = box_counting(points, one), shifted = box_counting(points, eight);
  REQUIRE(fixed.table.size() == shifted.table.size());
  for (std::size_t i = 0; i < fixed.table.size(); ++i) {
    CHECK(shifted.table[i].size == fixed.table[i].size);
    CHECK(shifted.table[i].boxes <= fixed.table[i].boxes);
  }
}

TEST_CASE("a user-chosen fit window is honoured", "[analysis][box_counting]") {
  const auto points = circle(20000, 1, 0, 0);
  box_counting_parameters parameters;
  parameters.window = fit_window{0.002, 0.13};
  const auto result = box_counting(points, parameters);
  check_report(result);
  CHECK(result.window.smallest >= 0.002);
  CHECK(result.window.smallest < 0.004);
  CHECK(result.window.largest <= 0.13);
  CHECK(result.window.largest > 0.065);
  CHECK(result.table.back().size < 0.004); // the ladder reaches the window's small end
  CHECK(result.dimension == Approx(1).margin(0.02));
}

TEST_CASE("largest_size puts the ladder on absolute sizes: a window of 2^-8 .. 2^-2 holds all 7 "
          "sizes even when the set's extent is just below 1",
          "[analysis][box_counting]") {
  // A filled square of side 0.9995 (1000² points): the default ladder runs 0.9995·2^-k, so
  // 0.9995·2^-8 < 2^-8 falls out of the window and only 2^-2 .. 2^-7 are fitted.
  std::vector<point2> points;
  for (int i = 0; i < 1000; ++i)
    for (int j = 0; j < 1000; ++j)
      points.push_back({0.9995 * i / 999, 0.9995 * j / 999});
  box_counting_parameters parameters;
  parameters.grid_offsets = 1;
  parameters.window = fit_window{std::ldexp(1.0, -8), std::ldexp(1.0, -2)};
  const auto relative = box_counting(points, parameters);
  CHECK(relative.last - relative.first + 1 == 6);
  CHECK(relative.window.smallest == Approx(0.9995 * std::ldexp(1.0, -7)));
  parameters.largest_size = 1.0;
  const auto absolute = box_counting(points, parameters);
  check_report(absolute);
  CHECK(absolute.last - absolute.first + 1 == 7);
  CHECK(absolute.window.smallest == std::ldexp(1.0, -8)); // exact powers of two
  CHECK(absolute.window.largest == std::ldexp(1.0, -2));
  CHECK(absolute.table.front().size == 1.0);
  CHECK(absolute.table[2].boxes == 16); // 4 × 4 boxes of 1/4 cover [0, 0.9995]²
  CHECK(absolute.dimension == Approx(2).margin(0.01));
  CHECK_THROWS_WITH(box_counting(points,
                                 [&] {
                                   auto p = parameters;
                                   p.largest_size = 0.0;
                                   return p;
                                 }()),
                    Contains("largest_size"));
}

TEST_CASE("box counting rejects empty, degenerate and non-finite sets and bad parameters, naming "
          "the parameter",
          "[analysis][box_counting]") {
  const auto points = circle(1000, 1, 0, 0);
  auto with = [](auto change) {
    box_counting_parameters parameters;
    change(parameters);
    return parameters;
  };
  CHECK_THROWS_WITH(box_counting(std::vector<point2>{}), Contains("points.size()"));
  CHECK_THROWS_WITH(box_counting(std::vector<point2>{{1, 1}, {1, 1}, {1, 1}}),
                    Contains("points") && Contains("positive extent"));
  auto bad = points;
  bad[17][1] = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(box_counting(bad), Contains("points[17][1]"));
  bad[17][1] = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(box_counting(bad), Contains("points[17][1]"));
  CHECK_THROWS_WITH(box_counting(points, with([](auto& p) { p.resolution = 0.0; })),
                    Contains("resolution"));
  CHECK_THROWS_WITH(box_counting(points, with([](auto& p) { p.ladder_ratio = 1; })),
                    Contains("ladder_ratio"));
  CHECK_THROWS_WITH(box_counting(points, with([](auto& p) { p.grid_offsets = 0; })),
                    Contains("grid_offsets"));
  CHECK_THROWS_WITH(box_counting(points, with([](auto& p) { p.largest_fraction = 1.5; })),
                    Contains("largest_fraction"));
  CHECK_THROWS_WITH(
      box_counting(points, with([](auto& p) {
                     p.window = fit_window{0.01, std::numeric_limits<double>::infinity()};
                   })),
      Contains("window.largest"));
  CHECK_THROWS_WITH(box_counting(points, with([](auto& p) {
                                   p.window = fit_window{0.5, 0.1};
                                 })),
                    Contains("window.largest"));
  CHECK_THROWS_WITH(box_counting(points, with([](auto& p) {
                                   p.window = fit_window{0.2, 0.5};
                                 })),
                    Contains("fit window") && Contains(">= 3 ladder sizes"));
  // 1000 points on a circle: boxes of 4 resolutions up to 1/16 of the extent are too few sizes.
  CHECK_THROWS_WITH(box_counting(points, with([](auto& p) { p.resolution = 0.05; })),
                    Contains("fit window"));

  const std::vector<std::uint8_t> labels(12, 1);
  CHECK_THROWS_WITH(box_counting_boundary(labels, 0, 12), Contains("width"));
  CHECK_THROWS_WITH(box_counting_boundary(labels, 5, 2), Contains("labels.size()"));
  CHECK_THROWS_WITH(box_counting_boundary(labels, 4, 3),
                    Contains("labels") && Contains("at least two labels"));
}

TEST_CASE("uncertainty exponent of a straight boundary is 1: the fraction of changed outcomes "
          "is (2 l / pi) eps",
          "[analysis][box_counting][uncertainty]") {
  // The half plane x + 0.3 y < 0.5 cuts the unit square along a segment of length l = √1.09.
  // A point at distance t < ε from it crosses under a random direction with probability
  // arccos(t/ε)/π; integrated over both sides, the fraction is 2 l ε / π.
  auto half_plane = [](const point2& x) { return x[0] + 0.3 * x[1] < 0.5; };
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> uniform(0, 1);
  std::vector<point2> points(20000);
  for (auto& p : points)
    p = {uniform(rng), uniform(rng)};
  uncertainty_parameters parameters;
  parameters.epsilons = geometric_ladder(1e-3, 1e-1, 9);
  parameters.perturbations = 16;
  parameters.seed = 7;
  const auto result = uncertainty_exponent(half_plane, points, parameters);
  CHECK(result.exponent == Approx(1).margin(0.05));
  CHECK(std::abs(result.exponent - 1) < 4 * result.standard_error + 0.01);
  CHECK(result.boundary_dimension == Approx(1).margin(0.05));
  CHECK(std::exp(result.intercept) == Approx(2 * std::sqrt(1.09) / std::numbers::pi).epsilon(0.1));
  REQUIRE(result.table.size() == 9);
  for (const auto& row : result.table) {
    CHECK(row.trials == 20000u * 16u);
    CHECK(row.fraction ==
          Approx(2 * std::sqrt(1.09) / std::numbers::pi * row.epsilon).epsilon(0.2));
  }
  CHECK(result.window.smallest == Approx(1e-3));
  CHECK(result.window.largest == Approx(1e-1));
}

TEST_CASE("uncertainty exponent is reproducible: same seed, any thread count, same table",
          "[analysis][box_counting][uncertainty]") {
  auto wavy = [](const point2& x) { return x[1] < 0.5 + 0.1 * std::sin(20 * x[0]); };
  std::vector<point2> points;
  for (int i = 0; i < 60; ++i)
    for (int j = 0; j < 60; ++j)
      points.push_back({(i + 0.5) / 60, (j + 0.5) / 60});
  uncertainty_parameters parameters;
  parameters.epsilons = geometric_ladder(2e-3, 2e-1, 7);
  parameters.seed = 99;
  execution_policy serial, parallel;
  serial.threads = 1;
  parallel.threads = 2;
  parallel.tile = 37;
  parallel.progress = false;
  const auto a = uncertainty_exponent(wavy, points, parameters, serial);
  const auto b = uncertainty_exponent(wavy, points, parameters, parallel);
  REQUIRE(a.table.size() == b.table.size());
  for (std::size_t e = 0; e < a.table.size(); ++e)
    CHECK(a.table[e].changed == b.table[e].changed);
  CHECK(a.exponent == b.exponent);
  parameters.seed = 100;
  const auto c = uncertainty_exponent(wavy, points, parameters, serial);
  bool differs = false;
  for (std::size_t e = 0; e < a.table.size(); ++e)
    differs = differs || a.table[e].changed != c.table[e].changed;
  CHECK(differs); // the seed selects the directions
}

TEST_CASE("uncertainty exponent rejects empty point sets, short or non-positive ladders and "
          "boundaries it never meets",
          "[analysis][box_counting][uncertainty]") {
  auto half_plane = [](const point2& x) { return x[0] < 0.5; };
  const std::vector<point2> points{{0.1, 0.2}, {0.45, 0.5}, {0.7, 0.1}};
  uncertainty_parameters parameters;
  parameters.epsilons = {0.01, 0.1, 0.2, 0.4};
  CHECK_THROWS_WITH(uncertainty_exponent(half_plane, std::vector<point2>{}, parameters),
                    Contains("points.size()"));
  auto short_ladder = parameters;
  short_ladder.epsilons = {0.1, 0.2};
  CHECK_THROWS_WITH(uncertainty_exponent(half_plane, points, short_ladder),
                    Contains("epsilons.size()"));
  auto zero = parameters;
  zero.epsilons[2] = 0;
  CHECK_THROWS_WITH(uncertainty_exponent(half_plane, points, zero), Contains("epsilons[2]"));
  auto nan = parameters;
  nan.epsilons[1] = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(uncertainty_exponent(half_plane, points, nan), Contains("epsilons[1]"));
  auto none = parameters;
  none.perturbations = 0;
  CHECK_THROWS_WITH(uncertainty_exponent(half_plane, points, none), Contains("perturbations"));
  auto far = points;
  far[1] = {std::numeric_limits<double>::infinity(), 0};
  CHECK_THROWS_WITH(uncertainty_exponent(half_plane, far, parameters), Contains("points[1][0]"));
  // Points far from the boundary: no ε of the ladder changes an outcome, nothing to fit.
  const std::vector<point2> distant{{-5, 0}, {6, 1}};
  CHECK_THROWS_WITH(uncertainty_exponent(half_plane, distant, parameters),
                    Contains("epsilons") && Contains("changes the outcome"));
  CHECK_THROWS_WITH(geometric_ladder(0, 1, 5), Contains("ladder.smallest"));
  CHECK_THROWS_WITH(geometric_ladder(1e-3, 1, 1), Contains("count"));
}
