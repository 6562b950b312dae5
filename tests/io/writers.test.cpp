// Output writers: provenance lines and JSON sidecars, CSV text, .npy bytes against the format spec, PNG files.
#include <gdcert/analysis/outcome.hpp>
#include <gdcert/io/csv.hpp>
#include <gdcert/io/npy.hpp>
#include <gdcert/io/png.hpp>

#include "io/temporary_folder.hpp"

// stb_image decodes the written PNGs back to pixels; like the writer it is a C library compiled
// here as static functions and kept out of the warning flags.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#endif
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#include <catch2/catch.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <csignal>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace gdcert;
using Catch::Matchers::Contains;

namespace {

using gdcert::testing::read_text;
using gdcert::testing::temporary_folder;

std::vector<std::string> read_lines(const std::filesystem::path& file) {
  std::istringstream text(read_text(file));
  std::vector<std::string> lines;
  for (std::string line; std::getline(text, line);)
    lines.push_back(line);
  return lines;
}

provenance sample_provenance() {
  provenance origin("writer_test");
  origin.parameter("eta", 0.1).parameter("d", 5).parameter("problem", "scalar");
  origin.tolerance("convergence", 1e-12).with_seed(42).note("a \"quoted\" note");
  return origin;
}

/// A big-endian 32-bit field of a PNG chunk.
std::uint32_t big_endian(const std::string& bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i)
    value = value << 8 | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

/// The decoded RGB pixels of a PNG file, through stb_image.
struct decoded {
  int width = 0, height = 0;
  std::vector<unsigned char> pixels;
  [[nodiscard]] rgb at(int x, int y) const {
    const auto* p = &pixels[(static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                             static_cast<std::size_t>(x)) *
                            3];
    return {p[0], p[1], p[2]};
  }
};

decoded decode_png(const std::filesystem::path& file) {
  decoded result;
  int channels = 0;
  unsigned char* data =
      stbi_load(file.string().c_str(), &result.width, &result.height, &channels, 3);
  REQUIRE(data != nullptr);
  result.pixels.assign(data, data + static_cast<std::size_t>(result.width) * result.height * 3);
  stbi_image_free(data);
  return result;
}

/// Colour-vision deficiency simulation (Machado, Oliveira, Fernandes 2009, severity 1), applied
/// in linear RGB; returns the simulated sRGB colour in [0, 255].
std::array<double, 3> simulate(rgb colour, const std::array<std::array<double, 3>, 3>& matrix) {
  auto linear = [](double c) {
    c /= 255;
    return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
  };
  auto encode = [](double v) {
    v = std::clamp(v, 0.0, 1.0);
    return 255 * (v <= 0.0031308 ? 12.92 * v : 1.055 * std::pow(v, 1 / 2.4) - 0.055);
  };
  const std::array<double, 3> in{linear(colour.r), linear(colour.g), linear(colour.b)};
  std::array<double, 3> out{};
  for (std::size_t i = 0; i < 3; ++i)
    out[i] = encode(matrix[i][0] * in[0] + matrix[i][1] * in[1] + matrix[i][2] * in[2]);
  return out;
}

} // namespace

TEST_CASE("provenance lines list program, version, timestamp, seed, parameters in order, "
          "tolerances and notes",
          "[io][provenance]") {
  provenance origin = sample_provenance();
  origin.parameter("eta", 0.25); // a key set again keeps its place
  const auto lines = origin.to_lines("# ");
  REQUIRE(lines.size() == 9);
  CHECK(lines[0] == "# program: writer_test");
  CHECK(lines[1] == std::string("# gdcert version: ") + gdcert::version);
  CHECK(std::regex_match(lines[2], std::regex(R"(# timestamp: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  CHECK(lines[3] == "# seed: 42");
  CHECK(lines[4] == "# parameter eta: 0.25");
  CHECK(lines[5] == "# parameter d: 5");
  CHECK(lines[6] == "# parameter problem: scalar");
  CHECK(lines[7] == "# tolerance convergence: 1e-12");
  CHECK(lines[8] == "# note: a \"quoted\" note");
  CHECK(provenance("p").to_lines()[0] == "program: p");
}

TEST_CASE("provenance sidecar <file>.json holds every field as escaped JSON", "[io][provenance]") {
  temporary_folder folder;
  const auto data = folder / "data.bin";
  const auto sidecar = sample_provenance().write_sidecar(data);
  CHECK(sidecar == folder / "data.bin.json");
  const std::string json = read_text(sidecar);
  CHECK_THAT(json, Contains("\"program\": \"writer_test\""));
  CHECK_THAT(json, Contains(std::string("\"gdcert_version\": \"") + gdcert::version + "\""));
  CHECK_THAT(json, Contains("\"seed\": 42"));
  CHECK_THAT(json, Contains("\"eta\": \"0.1\""));
  CHECK_THAT(json, Contains("\"d\": \"5\""));
  CHECK_THAT(json, Contains("\"tolerances\": {\n    \"convergence\": \"1e-12\"\n  }"));
  CHECK_THAT(json, Contains("\"notes\": [\"a \\\"quoted\\\" note\"]"));
  CHECK(json.front() == '{');
  CHECK(json.substr(json.size() - 2) == "}\n");
  CHECK_THAT(provenance("x").to_json(), Contains("\"seed\": null"));
}

TEST_CASE("CSV: provenance as # lines, header row, numbers that read back exactly, quoted text",
          "[io][csv]") {
  temporary_folder folder;
  const auto file = folder / "table.csv";
  const std::vector<double> values{0.1, 1.0 / 3, -std::numeric_limits<double>::infinity(),
                                   std::nan(""), 1e300};
  const std::vector<int> steps{1, -2, 3, 4, 5};
  const std::vector<std::uint64_t> big{0, 1, 2, 3, std::numeric_limits<std::uint64_t>::max()};
  const std::vector<outcome> outcomes{outcome::undecided, outcome::minimizer, outcome::saddle,
                                      outcome::periodic, outcome::diverged};
  const std::vector<std::string> names{"plain", "a,b", "say \"hi\"", "#not a comment", ""};
  csv_table table;
  table.add_column("value", values)
      .add_column("step", steps)
      .add_column("big", big)
      .add_column("outcome", outcomes)
      .add_column("name", names);
  CHECK(table.column_count() == 5);
  CHECK(table.row_count() == 5);
  write_csv(file, table, sample_provenance());

  const auto lines = read_lines(file);
  const auto expected_provenance = sample_provenance().to_lines("# ");
  REQUIRE(lines.size() == expected_provenance.size() + 6);
  for (std::size_t i = 0; i < expected_provenance.size(); ++i)
    if (i != 2) // the timestamps of two provenance objects may differ by a second
      CHECK(lines[i] == expected_provenance[i]);
  const std::size_t header = expected_provenance.size();
  CHECK(lines[header] == "value,step,big,outcome,name");
  CHECK(lines[header + 1] == "0.1,1,0,0,plain");
  CHECK(lines[header + 2] == "0.3333333333333333,-2,1,1,\"a,b\"");
  CHECK(lines[header + 3] == "-inf,3,2,2,\"say \"\"hi\"\"\"");
  CHECK(lines[header + 4] == "nan,4,3,3,\"#not a comment\"");
  CHECK(lines[header + 5] == "1e+300,5,18446744073709551615,4,");
  CHECK(std::strtod("0.3333333333333333", nullptr) == 1.0 / 3);
}

TEST_CASE("CSV rejects a column whose length differs from the others", "[io][csv]") {
  csv_table table;
  table.add_column("a", std::vector<double>{1, 2, 3});
  CHECK_THROWS_AS(table.add_column("b", std::vector<double>{1, 2}), invalid_parameter);
  CHECK_THROWS_WITH(table.add_column("b", std::vector<double>{1, 2}), Contains("column \"b\""));
}

TEST_CASE("npy bytes follow the format spec: magic, version 1.0, little-endian header length, "
          "dict, 64-byte alignment, little-endian data",
          "[io][npy]") {
  std::vector<double> data(12);
  for (std::size_t i = 0; i < data.size(); ++i)
    data[i] = 0.5 * static_cast<double>(i) - 1;
  std::ostringstream stream(std::ios::binary);
  const std::vector<std::size_t> shape{3, 4};
  write_npy(stream, std::span<const double>(data), std::span<const std::size_t>(shape));
  const std::string bytes = stream.str();

  REQUIRE(bytes.size() > 10);
  CHECK(bytes.substr(0, 6) == "\x93NUMPY");
  CHECK(bytes[6] == '\x01');
  CHECK(bytes[7] == '\x00');
  const std::size_t header_length =
      static_cast<unsigned char>(bytes[8]) + 256u * static_cast<unsigned char>(bytes[9]);
  CHECK((10 + header_length) % 64 == 0);
  const std::string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }";
  CHECK(bytes.substr(10, dict.size()) == dict);
  CHECK(bytes[10 + header_length - 1] == '\n');
  CHECK(bytes.substr(10 + dict.size(), header_length - dict.size() - 1) ==
        std::string(header_length - dict.size() - 1, ' '));
  REQUIRE(bytes.size() == 10 + header_length + 12 * 8);
  // The data: IEEE doubles, least significant byte first, row after row.
  for (std::size_t i = 0; i < data.size(); ++i) {
    std::uint64_t bits = 0;
    for (std::size_t b = 0; b < 8; ++b)
      bits |= std::uint64_t{static_cast<unsigned char>(bytes[10 + header_length + 8 * i + b])}
              << (8 * b);
    double value = 0;
    std::memcpy(&value, &bits, sizeof value);
    CHECK(value == data[i]);
  }
}

TEST_CASE("npy dict spells shapes as Python tuples: (), (5,), (2, 3, 4)", "[io][npy]") {
  CHECK_THAT(npy_preamble("<f8", {}), Contains("'shape': (), }"));
  const std::vector<std::size_t> one{5}, three{2, 3, 4};
  CHECK_THAT(npy_preamble("<f8", one), Contains("'shape': (5,), }"));
  CHECK_THAT(npy_preamble("<i4", three),
             Contains("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3, 4), }"));
  CHECK(npy_preamble("<i4", three).size() % 64 == 0);
}

TEST_CASE("npy dtype strings: '<f8', '<f4', '<i4', '<i8', '|u1', '<u2', '|b1', outcome '|u1'",
          "[io][npy]") {
  CHECK(npy_descr<double>() == "<f8");
  CHECK(npy_descr<float>() == "<f4");
  CHECK(npy_descr<std::int32_t>() == "<i4");
  CHECK(npy_descr<std::int64_t>() == "<i8");
  CHECK(npy_descr<std::uint8_t>() == "|u1");
  CHECK(npy_descr<std::int8_t>() == "|i1");
  CHECK(npy_descr<std::uint16_t>() == "<u2");
  CHECK(npy_descr<std::uint32_t>() == "<u4");
  CHECK(npy_descr<std::uint64_t>() == "<u8");
  CHECK(npy_descr<bool>() == "|b1");
  CHECK(npy_descr<outcome>() == "|u1");
}

TEMPLATE_TEST_CASE("npy files round-trip dtype, shape and data through read_npy_header",
                   "[io][npy]", double, float, std::int32_t, std::int64_t, std::uint8_t,
                   std::uint16_t) {
  temporary_folder folder;
  const auto shape = GENERATE(std::vector<std::size_t>{}, std::vector<std::size_t>{7},
                              std::vector<std::size_t>{2, 3, 4});
  std::size_t count = 1;
  for (const auto extent : shape)
    count *= extent;
  std::vector<TestType> data(count);
  for (std::size_t i = 0; i < count; ++i)
    data[i] = static_cast<TestType>(3 * i + 1);
  const auto file = folder / "array.npy";
  write_npy(file, data, shape, provenance("round_trip"));

  const npy_header header = read_npy_header(file);
  CHECK(header.major_version == 1);
  CHECK(header.minor_version == 0);
  CHECK(header.descr == npy_descr<TestType>());
  CHECK_FALSE(header.fortran_order);
  CHECK(header.shape == shape);
  CHECK(header.data_offset % 64 == 0);
  CHECK(header.element_count() == count);
  const std::string bytes = read_text(file);
  REQUIRE(bytes.size() == header.data_offset + count * sizeof(TestType));
  std::vector<TestType> back(count);
  std::memcpy(back.data(), bytes.data() + header.data_offset, count * sizeof(TestType));
  CHECK(back == data); // little-endian host: the bytes are the values
  CHECK(std::filesystem::exists(folder / "array.npy.json"));
}

TEST_CASE("npy of an Eigen matrix is in C order (a[i, j] = m(i, j)), a vector is 1-d",
          "[io][npy]") {
  temporary_folder folder;
  Eigen::MatrixXd m(2, 3);
  m << 1, 2, 3, 4, 5, 6;
  write_npy(folder / "m.npy", m, provenance("eigen"));
  const auto header = read_npy_header(folder / "m.npy");
  CHECK(header.shape == std::vector<std::size_t>{2, 3});
  const std::string bytes = read_text(folder / "m.npy");
  std::array<double, 6> values{};
  std::memcpy(values.data(), bytes.data() + header.data_offset, sizeof values);
  CHECK(values == std::array<double, 6>{1, 2, 3, 4, 5, 6});

  const Eigen::VectorXf v = Eigen::VectorXf::LinSpaced(5, 0, 1);
  write_npy(folder / "v.npy", v, provenance("eigen"));
  const auto vector_header = read_npy_header(folder / "v.npy");
  CHECK(vector_header.shape == std::vector<std::size_t>{5});
  CHECK(vector_header.descr == "<f4");
}

TEST_CASE("npy writes its provenance as the sidecar <file>.json", "[io][npy]") {
  temporary_folder folder;
  write_npy(folder / "labels.npy", std::vector<outcome>{outcome::minimizer, outcome::diverged},
            sample_provenance());
  CHECK(read_npy_header(folder / "labels.npy").descr == "|u1");
  const std::string json = read_text(folder / "labels.npy.json");
  CHECK_THAT(json, Contains("\"program\": \"writer_test\""));
  CHECK_THAT(json, Contains("\"seed\": 42"));
}

TEST_CASE("npy rejects a shape whose product is not the data size, the reader rejects non-npy",
          "[io][npy]") {
  temporary_folder folder;
  const std::vector<double> data(6);
  CHECK_THROWS_AS(write_npy(folder / "bad.npy", data, {4, 2}, provenance("bad")),
                  invalid_parameter);
  CHECK_THROWS_WITH(write_npy(folder / "bad.npy", data, {4, 2}, provenance("bad")),
                    Contains("shape = (4, 2)"));
  std::istringstream not_npy("PK\x03\x04 a zip file");
  CHECK_THROWS_AS(read_npy_header(not_npy), io_error);
}

TEST_CASE("PNG label map: IHDR holds width and height, pixels are the palette colours, sidecar "
          "names each colour",
          "[io][png]") {
  temporary_folder folder;
  const int width = 37, height = 11;
  std::vector<outcome> labels(static_cast<std::size_t>(width * height));
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      labels[static_cast<std::size_t>(y * width + x)] = static_cast<outcome>((x + 2 * y) % 5);
  const auto file = folder / "labels.png";
  write_label_map(file, labels, width, height, sample_provenance());

  const std::string bytes = read_text(file);
  REQUIRE(bytes.size() > 33);
  CHECK(bytes.substr(0, 8) == "\x89PNG\r\n\x1a\n");
  CHECK(big_endian(bytes, 8) == 13); // IHDR length
  CHECK(bytes.substr(12, 4) == "IHDR");
  CHECK(big_endian(bytes, 16) == static_cast<std::uint32_t>(width));
  CHECK(big_endian(bytes, 20) == static_cast<std::uint32_t>(height));
  CHECK(bytes[24] == 8); // bit depth
  CHECK(bytes[25] == 2); // colour type: RGB

  const decoded picture = decode_png(file);
  REQUIRE(picture.width == width);
  REQUIRE(picture.height == height);
  constexpr auto palette = outcome_palette();
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      CHECK(picture.at(x, y) ==
            palette[static_cast<std::size_t>(labels[static_cast<std::size_t>(y * width + x)])]);

  const std::string json = read_text(folder / "labels.png.json");
  CHECK_THAT(json, Contains("\"colour diverged\": \"#d55e00\""));
  CHECK_THAT(json, Contains("\"colour undecided\": \"#000000\""));
  CHECK_THAT(json, Contains("\"program\": \"writer_test\""));
}

TEST_CASE("outcome palette: five colours far apart, also under simulated protanopia, "
          "deuteranopia and tritanopia",
          "[io][png]") {
  using matrix = std::array<std::array<double, 3>, 3>;
  const std::array<matrix, 4> visions{{
      {{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}},
      {{{0.152286, 1.052583, -0.204868},
        {0.114503, 0.786281, 0.099216},
        {-0.003882, -0.048116, 1.051998}}},
      {{{0.367322, 0.860646, -0.227968},
        {0.280085, 0.672501, 0.047413},
        {-0.011820, 0.042940, 0.968881}}},
      {{{1.255528, -0.076749, -0.178779},
        {-0.078411, 0.930809, 0.147602},
        {0.004733, 0.691367, 0.303900}}},
  }};
  constexpr auto palette = outcome_palette();
  for (const auto& vision : visions)
    for (std::size_t a = 0; a < palette.size(); ++a)
      for (std::size_t b = a + 1; b < palette.size(); ++b) {
        const auto p = simulate(palette[a], vision), q = simulate(palette[b], vision);
        const double distance =
            std::sqrt((p[0] - q[0]) * (p[0] - q[0]) + (p[1] - q[1]) * (p[1] - q[1]) +
                      (p[2] - q[2]) * (p[2] - q[2]));
        INFO(to_string(static_cast<outcome>(a)) << " vs " << to_string(static_cast<outcome>(b)));
        CHECK(distance > 80);
      }
}

TEST_CASE("heat map: field in the colour map, non-finite grey, colour bar on the right from max "
          "(top) to min (bottom) with ticks",
          "[io][png]") {
  const int width = 40, height = 30;
  std::vector<double> values(static_cast<std::size_t>(width * height));
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      values[static_cast<std::size_t>(y * width + x)] = x + 0.5 * y;
  values[5] = std::nan("");
  constexpr auto colours = viridis();
  const value_range range = finite_range(values);
  CHECK(range.lower == 0);
  CHECK(range.upper == 39 + 0.5 * 29);
  const image picture = render_heat_map(values, width, height, range, colours);
  CHECK(picture.width() > width + 12);
  CHECK(picture.height() == height);
  CHECK(picture.at(0, 0) == colours.front());
  CHECK(picture.at(width - 1, height - 1) == colours.back());
  CHECK(picture.at(5, 0) == rgb{128, 128, 128});
  // Find the bar: the first column right of the field holding the colour map's top colour.
  int bar = -1;
  for (int x = width; x < picture.width() && bar < 0; ++x)
    if (picture.at(x, 0) == colours.back())
      bar = x;
  REQUIRE(bar > width);
  CHECK(picture.at(bar, height - 1) == colours.front());
  CHECK(picture.at(bar, height / 2) == map_colour(colours, 1 - (height / 2) / double(height - 1)));
  int right = bar;
  while (picture.at(right, 0) == colours.back())
    ++right;
  CHECK(picture.at(right, 0) == rgb{0, 0, 0});          // max tick
  CHECK(picture.at(right, height - 1) == rgb{0, 0, 0}); // min tick

  temporary_folder folder;
  write_heat_map(folder / "heat.png", values, width, height, sample_provenance());
  const std::string bytes = read_text(folder / "heat.png");
  CHECK(big_endian(bytes, 16) == static_cast<std::uint32_t>(picture.width()));
  CHECK(big_endian(bytes, 20) == static_cast<std::uint32_t>(height));
  const std::string json = read_text(folder / "heat.png.json");
  CHECK_THAT(json, Contains("\"colour bar lower\": \"0\""));
  CHECK_THAT(json, Contains("\"colour bar upper\": \"53.5\""));
}

TEST_CASE("contour overlay marks, for each crossing of the level between grid neighbours, the "
          "pixel closer to the level",
          "[io][png]") {
  SECTION("a vertical line x = 10.3: column 10 only") {
    const int width = 20, height = 5;
    std::vector<double> field(static_cast<std::size_t>(width * height));
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x)
        field[static_cast<std::size_t>(y * width + x)] = x - 10.3;
    image picture(width, height);
    const rgb red{255, 0, 0};
    overlay_contour(picture, field, width, height, 0.0, red);
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x)
        CHECK((picture.at(x, y) == red) == (x == 10));
  }
  SECTION("a circle: every marked pixel lies within one pixel of the level set") {
    const int size = 64;
    std::vector<double> field(static_cast<std::size_t>(size * size));
    for (int y = 0; y < size; ++y)
      for (int x = 0; x < size; ++x)
        field[static_cast<std::size_t>(y * size + x)] = std::hypot(x - 31.5, y - 31.5) - 20;
    image picture(size, size);
    overlay_contour(picture, field, size, size, 0.0, rgb{0, 0, 0});
    auto marked = [&](int x, int y) { return picture.at(x, y) == rgb{0, 0, 0}; };
    int count = 0;
    for (int y = 1; y + 1 < size; ++y)
      for (int x = 1; x + 1 < size; ++x)
        if (marked(x, y)) {
          ++count;
          CHECK(std::abs(field[static_cast<std::size_t>(y * size + x)]) <= 0.5 * std::sqrt(2.0));
          int neighbours = 0; // a closed curve: every mark has two 8-neighbours or more
          for (int dy = -1; dy <= 1; ++dy)
            for (int dx = -1; dx <= 1; ++dx)
              neighbours += (dx || dy) && marked(x + dx, y + dy);
          CHECK(neighbours >= 2);
        }
    // About one pixel wide: between an 8-connected (4√2·r) and a 4-connected (8·r) digital circle.
    CHECK(count >= 5.5 * 20);
    CHECK(count <= 8 * 20);
  }
}

TEST_CASE("image writers reject empty sizes, mismatched data, labels without a colour and a "
          "non-finite level",
          "[io][png]") {
  const std::vector<std::uint8_t> labels{0, 1, 2, 7};
  const std::array<rgb, 3> three{{{0, 0, 0}, {1, 1, 1}, {2, 2, 2}}};
  CHECK_THROWS_WITH(render_label_map(labels, 2, 2, three), Contains("labels[3]"));
  CHECK_THROWS_WITH(render_label_map(labels, 3, 2, three), Contains("labels.size()"));
  CHECK_THROWS_WITH(render_label_map(labels, 0, 2, three), Contains("width"));
  CHECK_THROWS_AS(image(0, 5), invalid_parameter);
  const std::vector<double> field{0, 1, 2, 3};
  image picture(2, 2);
  CHECK_THROWS_WITH(overlay_contour(picture, field, 2, 2, std::nan(""), rgb{}), Contains("level"));
  CHECK_THROWS_WITH(render_heat_map(field, 2, 2, value_range{1, 1}, viridis()),
                    Contains("range.upper"));
  image small(1, 1);
  CHECK_THROWS_WITH(overlay_contour(small, field, 2, 2, 0.5, rgb{}), Contains("image size"));
}

// ---- Issue #14: atomic writers and a hardened NPY reader ----------------------------------------

namespace {

/// Every file in the folder (names only): no temporary may be left behind.
std::vector<std::string> folder_listing(const std::filesystem::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

/// Runs `body` in a forked child and returns its exit status (-1 if it died by a signal): for
/// tests that change process-wide limits (RLIMIT_FSIZE) or must be killed mid-write.
template <class Body>
int in_child(Body body) {
  const pid_t child = ::fork();
  if (child == 0) {
    int status = 1;
    try {
      status = body();
    } catch (...) {
      status = 2;
    }
    std::_Exit(status);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// Writes the three kinds of output with content `value`, so a test can tell versions apart.
void write_all(const temporary_folder& folder, double value, std::size_t count) {
  const std::vector<double> data(count, value);
  write_npy(folder / "data.npy", data, provenance("atomic").parameter("value", value));
  csv_table table;
  table.add_column("value", data);
  write_csv(folder / "data.csv", table, provenance("atomic").parameter("value", value));
  const std::vector<std::uint8_t> labels(64, static_cast<std::uint8_t>(value) % 5);
  write_label_map(folder / "data.png", labels, 8, 8,
                  provenance("atomic").parameter("value", value));
}

} // namespace

TEST_CASE("atomic writes give new files the umask's permissions (mkstemp's 0600 was kept) and "
          "keep the permissions of a file they replace",
          "[io][atomic]") {
  temporary_folder folder;
  const ::mode_t mask = ::umask(022);
  const std::vector<double> data{1, 2, 3};
  write_npy(folder / "new.npy", data, provenance("mode"));
  struct ::stat info {};
  REQUIRE(::stat((folder / "new.npy").c_str(), &info) == 0);
  CHECK((info.st_mode & 07777) == 0644);
  REQUIRE(::stat((folder / "new.npy.json").c_str(), &info) == 0);
  CHECK((info.st_mode & 07777) == 0644);
  REQUIRE(::chmod((folder / "new.npy").c_str(), 0640) == 0);
  write_npy(folder / "new.npy", data, provenance("mode"));
  REQUIRE(::stat((folder / "new.npy").c_str(), &info) == 0);
  CHECK((info.st_mode & 07777) == 0640);
  ::umask(mask);
}

TEST_CASE("a rejected write (shape mismatch, shape whose product overflows) leaves existing npy "
          "and sidecar byte-identical and no temporary file",
          "[io][atomic]") {
  temporary_folder folder;
  write_all(folder, 1.0, 100);
  const std::string before = read_text(folder / "data.npy");
  const std::string sidecar = read_text(folder / "data.npy.json");
  const std::vector<double> data(6);
  const std::size_t huge = std::size_t{1} << 32;
  CHECK_THROWS_AS(write_npy(folder / "data.npy", data, {4, 2}, provenance("bad")),
                  invalid_parameter);
  CHECK_THROWS_WITH(write_npy(folder / "data.npy", data, {huge, huge}, provenance("bad")),
                    Contains("shape = (4294967296, 4294967296)"));
  CHECK(read_text(folder / "data.npy") == before);
  CHECK(read_text(folder / "data.npy.json") == sidecar);
  CHECK(folder_listing(folder / "") == std::vector<std::string>{"data.csv", "data.npy",
                                                                "data.npy.json", "data.png",
                                                                "data.png.json"});
}

TEST_CASE("a write that fails (file-size limit reached) throws io_error and leaves the existing "
          "CSV, npy, PNG and sidecars untouched",
          "[io][atomic]") {
  temporary_folder folder;
  write_all(folder, 1.0, 100);
  std::vector<std::string> before;
  for (const char* name : {"data.npy", "data.npy.json", "data.csv", "data.png", "data.png.json"})
    before.push_back(read_text(folder / name));
  // In a child: a 64 KiB file-size limit (EFBIG instead of SIGXFSZ), then writes of about 1 MB.
  const int status = in_child([&] {
    ::signal(SIGXFSZ, SIG_IGN);
    const ::rlimit limit{1 << 16, 1 << 16};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0)
      return 3;
    int failures = 0;
    const std::vector<double> big(1 << 17, 2.0);
    try {
      write_npy(folder / "data.npy", big, provenance("big"));
    } catch (const io_error& e) {
      failures += std::string(e.what()).find("data.npy") != std::string::npos;
    }
    try {
      csv_table table;
      table.add_column("value", big);
      write_csv(folder / "data.csv", table, provenance("big"));
    } catch (const io_error&) {
      ++failures;
    }
    try { // noise does not compress: the PNG exceeds the limit
      std::vector<std::uint8_t> labels(512 * 512);
      std::mt19937 rng(7);
      for (auto& l : labels)
        l = static_cast<std::uint8_t>(rng() % 5);
      write_label_map(folder / "data.png", labels, 512, 512, provenance("big"));
    } catch (const io_error&) {
      ++failures;
    }
    return failures == 3 ? 0 : 10 + failures;
  });
  REQUIRE(status == 0);
  int k = 0;
  for (const char* name : {"data.npy", "data.npy.json", "data.csv", "data.png", "data.png.json"})
    CHECK(read_text(folder / name) == before[std::size_t(k++)]);
  CHECK(folder_listing(folder / "").size() == 5); // no temporary left
}

TEST_CASE("kill -9 at any moment of a write leaves the previous npy complete or the new one "
          "complete, never a truncated file",
          "[io][atomic]") {
  temporary_folder folder;
  constexpr std::size_t count = 1 << 20; // 8 MB per version
  write_all(folder, 0.0, count);
  for (int attempt = 0; attempt < 6; ++attempt) {
    const pid_t child = ::fork();
    if (child == 0) {
      for (int version = 1;; ++version)
        write_npy(folder / "data.npy", std::vector<double>(count, double(version)),
                  provenance("writer"));
    }
    ::usleep(static_cast<useconds_t>(20'000 + 37'000 * attempt));
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    const npy_header header = read_npy_header(folder / "data.npy");
    REQUIRE(header.shape == std::vector<std::size_t>{count});
    std::ifstream in(folder / "data.npy", std::ios::binary);
    in.seekg(static_cast<std::streamoff>(header.data_offset));
    std::vector<double> values(count);
    in.read(reinterpret_cast<char*>(values.data()), std::streamsize(count * sizeof(double)));
    REQUIRE(in.gcount() == std::streamsize(count * sizeof(double)));
    REQUIRE(std::all_of(values.begin(), values.end(), [&](double v) { return v == values[0]; }));
  }
}

TEST_CASE("a line break in a provenance value stays inside the # comment lines of a CSV",
          "[io][provenance]") {
  temporary_folder folder;
  csv_table table;
  table.add_column("x", std::vector<double>{1, 2});
  write_csv(folder / "t.csv", table,
            provenance("p").parameter("label", "two\nlines\r").note("a\nb"));
  const auto lines = read_lines(folder / "t.csv");
  std::size_t data_lines = 0;
  for (const auto& line : lines)
    data_lines += !line.empty() && line[0] != '#';
  CHECK(data_lines == 3); // the header row and two rows
  CHECK(read_text(folder / "t.csv").find("# parameter label: two\\nlines\\r") != std::string::npos);
}

namespace {
/// A .npy stream of format `major`.0 with this header dict (padding and '\n' added) and `data`.
std::string npy_stream(const std::string& dict, int major = 1, const std::string& data = "",
                       bool pad = true) {
  std::string header = dict;
  if (pad)
    header += std::string((64 - (10 + header.size() + 1) % 64) % 64, ' ') + "\n";
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  const std::size_t n = header.size();
  out += static_cast<char>(n & 0xFF);
  out += static_cast<char>((n >> 8) & 0xFF);
  if (major >= 2) {
    out += static_cast<char>((n >> 16) & 0xFF);
    out += static_cast<char>((n >> 24) & 0xFF);
  }
  return out + header + data;
}
} // namespace

TEST_CASE(
    "the npy reader refuses malformed headers with io_error: truncated dict, bad grammar, "
    "negative or overflowing shapes, unknown versions, huge header lengths, data past the end",
    "[io][npy][robustness]") {
  const std::string eight(8, '\0');
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"truncated dict (the fuzzer's out-of-bounds read)",
       npy_stream("{'descr':   ", 1, "", false)},
      {"no closing brace", npy_stream("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), ")},
      {"negative extent", npy_stream("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }")},
      {"overflowing extent",
       npy_stream(
           "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,), }")},
      {"overflowing byte size",
       npy_stream("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }")},
      {"letters in the shape",
       npy_stream("{'descr': '<f8', 'fortran_order': False, 'shape': (3x,), }")},
      {"missing key", npy_stream("{'descr': '<f8', 'shape': (1,), }", 1, eight)},
      {"repeated key",
       npy_stream("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", 1,
                  eight)},
      {"unknown key",
       npy_stream("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1, }", 1, eight)},
      {"fortran_order not a boolean",
       npy_stream("{'descr': '<f8', 'fortran_order': 0, 'shape': (1,), }", 1, eight)},
      {"unsupported dtype", npy_stream("{'descr': 'O', 'fortran_order': False, 'shape': (1,), }")},
      {"garbage after the dict",
       npy_stream("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), } junk", 1, eight)},
      {"no final newline",
       npy_stream("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", 1, eight, false)},
      {"unknown version 4.0",
       npy_stream("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", 4, eight)},
      {"data past the end of the file",
       npy_stream("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 1, eight)},
      {"4-byte header length of 4 GB (a 38-byte file)",
       std::string("\x93NUMPY\x02\x00\xff\xff\xff\xff", 12) + std::string(26, ' ')},
  };
  for (const auto& [why, bytes] : bad) {
    INFO(why);
    std::istringstream in(bytes);
    CHECK_THROWS_AS(read_npy_header(in), io_error);
  }
}

TEST_CASE("the npy reader accepts the spellings NumPy writes: versions 1.0-3.0, any key order, "
          "(n,) and (), spaces",
          "[io][npy][robustness]") {
  const std::string eight(8, '\0');
  for (int major = 1; major <= 3; ++major) {
    std::istringstream in(
        npy_stream("{'shape': (1,), 'fortran_order': True, 'descr': '>f8'}", major, eight));
    const auto header = read_npy_header(in);
    CHECK(header.major_version == major);
    CHECK(header.descr == ">f8");
    CHECK(header.fortran_order);
    CHECK(header.shape == std::vector<std::size_t>{1});
  }
  std::istringstream scalar(npy_stream("{'descr': '|u1', 'fortran_order': False, 'shape': (), }", 1,
                                       std::string(1, '\0')));
  CHECK(read_npy_header(scalar).shape.empty());
  std::istringstream empty(npy_stream("{'descr':'<i4','fortran_order':False,'shape':(0, 3)}"));
  CHECK(read_npy_header(empty).shape == std::vector<std::size_t>{0, 3});
}

TEST_CASE("inputs the npy fuzzer found stay rejected (tests/fuzz/regressions/npy_header)",
          "[io][npy][robustness]") {
  const std::filesystem::path folder =
      std::filesystem::path(GDCERT_SOURCE_DIR) / "tests" / "fuzz" / "regressions" / "npy_header";
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    INFO(entry.path().string());
    std::ifstream in(entry.path(), std::ios::binary);
    CHECK_THROWS_AS(read_npy_header(in), io_error);
    ++files;
  }
  CHECK(files >= 1);
}
