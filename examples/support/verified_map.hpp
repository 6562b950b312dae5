// The picture of a rigorously verified pass/fail map (rigorous_admissibility, rigorous_map): the sampled map of Apps L-M with the proved, refuted and undecided cells drawn over it.
#pragma once

#include <gdcert/analysis/boundary_scan.hpp>
#include <gdcert/analysis/rigorous_scan.hpp>
#include <gdcert/io/figure.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace gdcert::examples {

/// Cell codes of a verified map (also the codes of its NPY array).
enum verified_cell : std::uint8_t { sampled_fail, sampled_pass, proved, refuted, undecided };

inline constexpr std::array<rgb, 5> verified_palette{
    {{170, 170, 170}, {166, 206, 227}, {0, 84, 147}, {213, 94, 0}, {0, 0, 0}}};

[[nodiscard]] inline verified_cell verified_label(const inwardness_result& r) {
  switch (r.status) {
  case rigorous_status::proved:
    return proved;
  case rigorous_status::counterexample:
    return refuted;
  default:
    return undecided;
  }
}

/// The codes of every pair of `map` (row-major, as the map): sampled pass or fail.
[[nodiscard]] inline std::vector<std::uint8_t> sampled_cells(const pass_fail_map& map) {
  std::vector<std::uint8_t> cells(map.pairs());
  for (std::size_t i = 0; i < cells.size(); ++i)
    cells[i] = map.passed[i] ? sampled_pass : sampled_fail;
  return cells;
}

/// The sampled map with its verified cells (`cells`, row-major as the map) as a picture with δ to
/// the right: for a (δ, ξ) map (App. L) the map's rows run to the right and its columns upwards;
/// for an (η, δ) map (App. M) the columns run to the right and the rows upwards.
inline void write_verified_map(const std::filesystem::path& file, const pass_fail_map& map,
                               const std::vector<std::uint8_t>& cells, const std::string& title,
                               const std::string& subtitle, const provenance& origin) {
  const bool delta_rows = map.row_name == "delta";
  const auto& x_axis = delta_rows ? map.rows : map.columns;
  const auto& y_axis = delta_rows ? map.columns : map.rows;
  const std::size_t width = x_axis.size(), height = y_axis.size();
  std::vector<std::uint8_t> field(cells.size()); // row-major in y, row 0 at the bottom
  for (std::size_t r = 0; r < map.rows.size(); ++r)
    for (std::size_t c = 0; c < map.columns.size(); ++c)
      field[delta_rows ? c * width + r : r * width + c] = cells[map.at(r, c)];
  auto half = [](const std::vector<double>& axis) {
    return axis.size() > 1 ? (axis[1] - axis[0]) / 2 : 0.5;
  };
  const std::string y_name = delta_rows ? "ξ" : "η";
  plot figure;
  figure.title = title;
  figure.panel_size = std::clamp(8 * static_cast<int>(width), 240, 640);
  figure.panel_height = std::clamp(5 * static_cast<int>(height), 160, 640);
  figure.panels.push_back(
      {label_raster(field, static_cast<int>(width), static_cast<int>(height), verified_palette),
       {x_axis.front() - half(x_axis), x_axis.back() + half(x_axis), "δ"},
       {y_axis.front() - half(y_axis), y_axis.back() + half(y_axis), y_name},
       subtitle});
  figure.legend = {{verified_palette[sampled_pass], "sampled: pass"},
                   {verified_palette[sampled_fail], "sampled: fail"},
                   {verified_palette[proved], "proved (interval bisection)"},
                   {verified_palette[refuted], "counterexample (exact)"},
                   {verified_palette[undecided], "undecided"}};
  provenance legend = origin;
  legend
      .parameter("picture columns",
                 std::string(delta_rows ? "delta (map rows)" : "delta (map columns)"))
      .parameter("picture rows", std::string(delta_rows ? "xi (map columns), bottom = first"
                                                        : "eta (map rows), bottom = first"))
      .parameter(
          "labels",
          std::string("0 sampled fail, 1 sampled pass, 2 proved, 3 counterexample, 4 undecided"));
  write_plot(file, figure, legend);
}

} // namespace gdcert::examples
