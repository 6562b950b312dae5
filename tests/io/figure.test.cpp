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

TEST_CASE("write_plot: a PNG with the panel's field, bottom row at the bottom, axes and legend; "
          "the sidecar records legend and colour bar; bad layouts leave no file",
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
