// Figures (io/figure.hpp, issue #13): panels in mathematical orientation with axes, legend and
// colour bar, rendered by cairo and written atomically with a provenance sidecar.
#include <gdcert/io/figure.hpp>

#include <catch2/catch.hpp>

#include <cairo.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

std::filesystem::path scratch(const std::string& name) {
  std::random_device entropy;
  const auto folder =
      std::filesystem::temp_directory_path() /
      ("gdcert_figure_test_" + std::to_string(entropy()) + std::to_string(entropy()));
  std::filesystem::create_directories(folder);
  return folder / name;
}

/// The RGB colour of pixel (x, y) of a PNG file, read back with cairo.
gdcert::rgb pixel(const std::filesystem::path& file, int x, int y, int* width = nullptr,
                  int* height = nullptr) {
  cairo_surface_t* surface = cairo_image_surface_create_from_png(file.c_str());
  REQUIRE(cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS);
  if (width)
    *width = cairo_image_surface_get_width(surface);
  if (height)
    *height = cairo_image_surface_get_height(surface);
  const unsigned char* data = cairo_image_surface_get_data(surface);
  std::uint32_t word;
  std::memcpy(&word, data + y * cairo_image_surface_get_stride(surface) + 4 * x, 4);
  cairo_surface_destroy(surface);
  return {std::uint8_t(word >> 16), std::uint8_t(word >> 8), std::uint8_t(word)};
}

} // namespace

TEST_CASE("label_raster draws field row 0 (the lowest value of the second axis) at the bottom",
          "[io][figure]") {
  const std::vector<std::uint8_t> labels{0, 0, 0,  // row 0: lowest y
                                         1, 1, 1,  //
                                         2, 2, 2}; // row 2: highest y
  const std::array<gdcert::rgb, 3> palette{{{255, 0, 0}, {0, 255, 0}, {0, 0, 255}}};
  const gdcert::image raster = gdcert::label_raster(labels, 3, 3, palette);
  CHECK(raster.at(1, 2).r == 255); // bottom picture row = field row 0
  CHECK(raster.at(1, 0).b == 255); // top picture row = field row 2
  const std::vector<std::uint8_t> unknown{0, 3, 0, 0, 0, 0, 0, 0, 0};
  CHECK_THROWS_WITH(gdcert::label_raster(unknown, 3, 3, palette), Catch::Contains("label = 3"));
  CHECK_THROWS_WITH(gdcert::label_raster(labels, 4, 3, palette), Catch::Contains("labels.size()"));
}

TEST_CASE("write_plot: a PNG with the panel's field, bottom row at the bottom, axes and legend, "
          "the sidecar records legend and colour bar, bad layouts leave no file",
          "[io][figure]") {
  const int n = 40;
  std::vector<std::uint8_t> labels(n * n, 1);
  for (int column = 0; column < n; ++column)
    labels[column] = 0; // field row 0 only: label 0
  const std::array<gdcert::rgb, 2> palette{{{200, 10, 10}, {10, 10, 200}}};
  gdcert::plot figure;
  figure.title = "orientation";
  figure.panel_size = 200;
  figure.panels.push_back(
      {gdcert::label_raster(labels, n, n, palette), {-1, 1, "a"}, {0, 2, "b"}, "panel"});
  figure.legend = {{palette[0], "row zero"}, {palette[1], "others"}};
  constexpr auto colours = gdcert::viridis();
  figure.bar = gdcert::colour_bar{{0, 1}, {colours.begin(), colours.end()}, "value"};
  const auto file = scratch("figure.png");
  gdcert::write_plot(file, figure, gdcert::provenance("figure test"));
  int width = 0, height = 0;
  (void)pixel(file, 0, 0, &width, &height);
  REQUIRE(width > 200);
  REQUIRE(height > 200);
  // Scan the column through the middle of the plot area for the field's colours: the band of
  // label 0 (one field row = 5 pixels) must be the lowest part of the field.
  int last_red = -1, last_blue = -1, first_blue = height;
  const int middle = static_cast<int>(4.2 * 10 + 100); // left margin (4.2 fonts of 10 px) + s/2
  for (int y = 0; y < height; ++y) {
    const gdcert::rgb c = pixel(file, middle, y);
    if (c.r == 200 && c.b == 10)
      last_red = y;
    if (c.b == 200 && c.r == 10) {
      last_blue = y;
      first_blue = std::min(first_blue, y);
    }
  }
  REQUIRE(last_red > 0);
  REQUIRE(last_blue > 0);
  CHECK(last_red > last_blue);  // label 0 below every other row
  CHECK(first_blue < last_red); // and the field above it
  std::ifstream sidecar(file.string() + ".json");
  const std::string json((std::istreambuf_iterator<char>(sidecar)), {});
  CHECK_THAT(json, Catch::Contains("\"legend row zero\": \"#c80a0a\""));
  CHECK_THAT(json, Catch::Contains("\"colour bar label\": \"value\""));

  const auto before = std::filesystem::file_size(file);
  gdcert::plot bad = figure;
  bad.columns = 2; // two panels announced, one given
  CHECK_THROWS_WITH(gdcert::write_plot(file, bad, gdcert::provenance("bad")),
                    Catch::Contains("plot panels.size()"));
  bad = figure;
  bad.panels[0].x = {1, 1, "a"};
  CHECK_THROWS_WITH(gdcert::write_plot(file, bad, gdcert::provenance("bad")),
                    Catch::Contains("plot axis a"));
  CHECK(std::filesystem::file_size(file) == before);
  std::filesystem::remove_all(file.parent_path());
}

TEST_CASE("nice ticks are round numbers inside the axis: 1, 2 or 5 times a power of ten",
          "[io][figure]") {
  using gdcert::detail::io::nice_ticks;
  CHECK(nice_ticks(-2.5, 2.5) == std::vector<double>{-2, -1, 0, 1, 2});
  CHECK(nice_ticks(0, 10) == std::vector<double>{0, 2, 4, 6, 8, 10});
  CHECK(nice_ticks(-2.5, 3) == std::vector<double>{-2, -1, 0, 1, 2, 3});
}

namespace {

/// A one-panel curve figure over [0, 10] × [0, 10] with a 200 × 100 plot area.
gdcert::plot curve_figure() {
  gdcert::plot figure;
  figure.title = "curves";
  figure.panel_size = 200;
  figure.panel_height = 100;
  gdcert::plot_panel panel;
  panel.x = {0, 10, "x"};
  panel.y = {0, 10, "y"};
  panel.title = "panel";
  panel.series.push_back({{0, 10}, {5, 5}, {200, 10, 10}, gdcert::series_style::line, 3, "line"});
  panel.series.push_back({{2.5}, {7.5}, {10, 10, 200}, gdcert::series_style::markers, 9, "marker"});
  panel.references.push_back({2.5, {10, 160, 10}, "reference"});
  figure.panels.push_back(std::move(panel));
  return figure;
}

/// The top-left pixel of the single panel's plot area, found from its frame: the first column
/// black over 41 rows around the middle of the picture (no glyph is that tall), then up it.
std::array<int, 2> plot_origin(const std::filesystem::path& file, int height) {
  const int middle = height / 2;
  const auto black = [&](int x, int y) { return pixel(file, x, y) == gdcert::rgb{0, 0, 0}; };
  int x = 0;
  for (;; ++x) {
    bool frame = true;
    for (int y = middle - 20; y <= middle + 20 && frame; ++y)
      frame = black(x, y);
    if (frame)
      break;
  }
  int y = middle;
  while (black(x, y - 1))
    --y;
  return {x + 1, y};
}

} // namespace

TEST_CASE("render_plot: a curve panel is a PNG of the plot area plus margins, legend at the right",
          "[io][figure]") {
  const auto file = scratch("curves.png");
  gdcert::write_plot(file, curve_figure(), gdcert::provenance("curve test"));
  int width = 0, height = 0;
  (void)pixel(file, 0, 0, &width, &height);
  CHECK(width > 200 + 40); // plot area, y tick labels and the legend column
  CHECK(width < 200 + 260);
  CHECK(height > 100 + 40);
  CHECK(height < 100 + 140);
  std::ifstream sidecar(file.string() + ".json");
  const std::string json((std::istreambuf_iterator<char>(sidecar)), {});
  CHECK_THAT(json, Catch::Contains("\"legend line\": \"#c80a0a\""));
  CHECK_THAT(json, Catch::Contains("\"legend marker\": \"#0a0ac8\""));
  CHECK_THAT(json, Catch::Contains("\"legend reference\": \"#0aa00a\""));
  std::filesystem::remove_all(file.parent_path());
}

TEST_CASE("render_plot: pixels at a series' data points have the series' colour, y upwards",
          "[io][figure]") {
  const auto file = scratch("points.png");
  gdcert::write_plot(file, curve_figure(), gdcert::provenance("curve test"));
  int width = 0, height = 0;
  (void)pixel(file, 0, 0, &width, &height);
  const auto [left, top] = plot_origin(file, height);
  // Plot area 200 × 100 over [0, 10]²: data (x, y) is pixel (left + 20 x, top + 100 − 10 y).
  CHECK(pixel(file, left + 100, top + 50) == gdcert::rgb{200, 10, 10});   // line y = 5
  CHECK(pixel(file, left + 50, top + 25) == gdcert::rgb{10, 10, 200});    // marker (2.5, 7.5)
  CHECK(pixel(file, left + 150, top + 25) == gdcert::rgb{255, 255, 255}); // empty
  // The dashed reference y = 2.5 (1.5 px wide, centred on a pixel edge, so blended): some of
  // its pixels, not all, are green.
  int dashes = 0;
  for (int x = left + 10; x < left + 190; ++x) {
    const gdcert::rgb c = pixel(file, x, top + 75);
    dashes += c.g > c.r + 60 && c.g > c.b + 60;
  }
  CHECK(dashes > 60);
  CHECK(dashes < 170);
  std::filesystem::remove_all(file.parent_path());
}

TEST_CASE("render_plot: a polyline is broken at non-finite points and clipped to the plot area",
          "[io][figure]") {
  gdcert::plot figure = curve_figure();
  auto& panel = figure.panels[0];
  panel.references.clear();
  panel.series = {{{0, 4, 6, 10, 20},
                   {5, 5, std::numeric_limits<double>::quiet_NaN(), 5, 1e300},
                   {200, 10, 10},
                   gdcert::series_style::line,
                   3,
                   ""}};
  const auto file = scratch("broken.png");
  gdcert::write_plot(file, figure, gdcert::provenance("curve test"));
  int width = 0, height = 0;
  (void)pixel(file, 0, 0, &width, &height);
  const auto [left, top] = plot_origin(file, height);
  const gdcert::rgb red{200, 10, 10};
  CHECK(pixel(file, left + 40, top + 50) == red);  // x = 2: segment 0 to 4
  CHECK(pixel(file, left + 100, top + 50) != red); // x = 5: 4 to 6 to 10 skips the NaN
  CHECK(pixel(file, left + 190, top + 50) == gdcert::rgb{255, 255, 255}); // x = 9.5
  std::filesystem::remove_all(file.parent_path());
}

TEST_CASE("render_plot: a log10 axis puts powers of ten evenly and rejects a range reaching 0",
          "[io][figure]") {
  gdcert::plot figure = curve_figure();
  auto& panel = figure.panels[0];
  panel.y = {1e-4, 1e4, "y", gdcert::axis_scale::log10};
  panel.references.clear();
  panel.series = {{{0, 10}, {1, 1}, {200, 10, 10}, gdcert::series_style::line, 3, ""}};
  const auto file = scratch("log.png");
  gdcert::write_plot(file, figure, gdcert::provenance("log test"));
  int width = 0, height = 0;
  (void)pixel(file, 0, 0, &width, &height);
  const auto [left, top] = plot_origin(file, height);
  CHECK(pixel(file, left + 100, top + 50) == gdcert::rgb{200, 10, 10}); // y = 1: half way
  const auto ticks = gdcert::detail::io::axis_ticks(panel.y, 8);
  REQUIRE(ticks.size() == 5); // 10⁻⁴, 10⁻², 1, 10², 10⁴
  CHECK(ticks[0].value == Approx(1e-4));
  CHECK(ticks[0].label == "10\u207b\u2074");
  CHECK(ticks[2].label == "10\u2070");

  for (const double lower : {0.0, -1.0}) {
    gdcert::plot bad = figure;
    bad.panels[0].y.lower = lower;
    CHECK_THROWS_WITH(gdcert::render_plot(bad), Catch::Contains("plot axis y lower") &&
                                                    Catch::Contains("> 0 on a log10 axis"));
  }
  std::filesystem::remove_all(file.parent_path());
}

TEST_CASE("render_plot rejects bad series, reference lines and panel sizes by name",
          "[io][figure]") {
  gdcert::plot bad = curve_figure();
  bad.panels[0].series[0].y.push_back(1);
  CHECK_THROWS_WITH(gdcert::render_plot(bad), Catch::Contains("plot series line y.size()"));
  for (const double size : {0.0, -1.0, 65.0, std::numeric_limits<double>::quiet_NaN()}) {
    bad = curve_figure();
    bad.panels[0].series[1].size = size;
    CHECK_THROWS_WITH(gdcert::render_plot(bad),
                      Catch::Contains("plot series marker size") && Catch::Contains("(0, 64]"));
  }
  bad = curve_figure();
  bad.panels[0].references[0].value = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(gdcert::render_plot(bad), Catch::Contains("plot reference line reference"));
  bad = curve_figure();
  bad.panel_height = 10;
  CHECK_THROWS_WITH(gdcert::render_plot(bad),
                    Catch::Contains("plot panel_height") && Catch::Contains("[32, 4096]"));
  bad = curve_figure();
  bad.bar = gdcert::colour_bar{{0, 1}, {}, "empty"};
  CHECK_THROWS_WITH(gdcert::render_plot(bad), Catch::Contains("plot colour bar colours"));
}

TEST_CASE("legend rows: the figure's entries, then each distinct series or reference label once",
          "[io][figure]") {
  gdcert::plot figure = curve_figure();
  figure.legend = {{{1, 2, 3}, "explicit"}};
  figure.rows = 2;
  figure.panels.push_back(figure.panels[0]); // the same labels again: no new rows
  const auto rows = gdcert::detail::io::legend_rows(figure);
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].mark == gdcert::legend_mark::swatch);
  CHECK(rows[1].mark == gdcert::legend_mark::line);
  CHECK(rows[2].mark == gdcert::legend_mark::marker);
  CHECK(rows[3].mark == gdcert::legend_mark::dashed);
  CHECK(gdcert::outcome_legend().size() == gdcert::outcome_count);
  CHECK(gdcert::outcome_legend()[4].label == "diverged");
}
