// Provenance taken from results: a sweep, a pass/fail map or a box count records its own grid, options, criteria, seed and the legend of its codes (opt-in).
#pragma once

#include <gdcert/analysis/classify.hpp>
#include <gdcert/analysis/outcome.hpp>
#include <gdcert/analysis/sweep.hpp>
#include <gdcert/io/provenance.hpp>

#include <concepts>
#include <cstddef>
#include <string>

namespace gdcert {

struct pass_fail_map;       // analysis/boundary_scan.hpp
struct box_counting_result; // analysis/box_counting.hpp

namespace detail::io {

inline void describe_axis(provenance& origin, const std::string& name, const grid_axis& axis) {
  origin.parameter(name + " lower", axis.lower)
      .parameter(name + " upper", axis.upper)
      .parameter(name + " resolution", axis.resolution);
}

inline std::string vector_text(const vector<double>& v) {
  std::string text = "[";
  for (Eigen::Index i = 0; i < v.size(); ++i)
    text += (i ? ", " : "") + number_text(v(i));
  return text + "]";
}

} // namespace detail::io

/// The legend of gdcert::outcome codes as a sidecar records it: "label 0" = "undecided", …
inline provenance& describe_outcome_codes(provenance& origin) {
  for (int k = 0; k < outcome_count; ++k)
    origin.parameter("label " + std::to_string(k), std::string(to_string(static_cast<outcome>(k))));
  return origin;
}

/// Adds everything a sweep_result knows about how it was made: the step size, the plane (axes,
/// coordinate indices or random directions and their seed, origin), the sweep options, every
/// outcome criterion (as tolerances), whether a certificate or overlay was evaluated, the legend
/// of the outcome codes, the counts, and whether the run was partial. Arrays written from the
/// result are row-major (rows = second axis, first row = lowest value of the second axis).
inline provenance& describe(provenance& origin, const sweep_result& result) {
  const sweep_plane& plane = result.plane;
  origin.parameter("step size eta", result.step_size);
  if (plane.first_index >= 0) {
    origin.parameter("plane", std::string("coordinate plane"))
        .parameter("first coordinate index", static_cast<long>(plane.first_index))
        .parameter("second coordinate index", static_cast<long>(plane.second_index));
  } else {
    origin.parameter("plane", std::string("random plane"))
        .parameter("first direction", detail::io::vector_text(plane.first_direction))
        .parameter("second direction", detail::io::vector_text(plane.second_direction));
  }
  if (plane.seed)
    origin.with_seed(*plane.seed);
  origin.parameter("origin", detail::io::vector_text(plane.origin));
  detail::io::describe_axis(origin, "first axis (columns)", plane.first);
  detail::io::describe_axis(origin, "second axis (rows)", plane.second);
  origin.parameter("array layout",
                   std::string("row-major [row][column], row 0 = second axis lower"));
  const sweep_options& o = result.options;
  origin.parameter("check_interval", o.check_interval)
      .parameter("first_check", o.first_check)
      .parameter("flush_subnormals", o.flush_subnormals)
      .parameter("keep_final_states", o.keep_final_states)
      .parameter("track_state_parameter", o.track_state_parameter);
  const outcome_criteria& c = o.criteria;
  origin.parameter("criteria.max_steps", c.max_steps)
      .parameter("criteria.max_period", c.max_period)
      .parameter("criteria.confirmation_steps", c.confirmation_steps)
      .tolerance("criteria.escape_norm", c.escape_norm)
      .tolerance("criteria.step_tolerance", c.step_tolerance)
      .tolerance("criteria.distance_tolerance", c.distance_tolerance)
      .tolerance("criteria.period_tolerance", c.period_tolerance)
      .tolerance("criteria.orbit_separation", c.orbit_separation);
  origin.parameter("certificate", result.has_certificate).parameter("overlay", result.has_overlay);
  describe_outcome_codes(origin);
  const auto counts = result.counts();
  for (int k = 0; k < outcome_count; ++k)
    origin.parameter("count " + std::string(to_string(static_cast<outcome>(k))),
                     counts[static_cast<std::size_t>(k)]);
  origin.parameter("finished points", result.finished_count()).parameter("partial", result.partial);
  return origin;
}

/// Adds a pass/fail map's axes, direction count, scan options and the legend of its codes
/// (passed: 1 pass, 0 fail). Include analysis/boundary_scan.hpp to call it.
template <std::same_as<pass_fail_map> Map>
provenance& describe(provenance& origin, const Map& map) {
  auto axis = [&](const std::string& name, const std::vector<double>& values) {
    origin.parameter(name + " values", values.size());
    if (!values.empty())
      origin.parameter(name + " first", values.front()).parameter(name + " last", values.back());
  };
  axis("rows " + map.row_name, map.rows);
  axis("columns " + map.column_name, map.columns);
  origin.parameter("array layout", std::string("row-major [row][column]"))
      .parameter("directions", map.directions)
      .parameter("early_exit", map.options.early_exit)
      .tolerance("scan tolerance", map.options.tolerance)
      .parameter("passed code 1", std::string("pass (worst <= tolerance)"))
      .parameter("passed code 0", std::string("fail"));
  std::size_t passed = 0;
  for (const auto p : map.passed)
    passed += p != 0;
  origin.parameter("passing pairs", passed).parameter("pairs", map.pairs());
  return origin;
}

/// Adds a box count's parameters, fitted window and estimate. Include
/// analysis/box_counting.hpp to call it.
template <std::same_as<box_counting_result> Result>
provenance& describe(provenance& origin, const Result& result) {
  const auto& p = result.parameters;
  origin.parameter("ladder_ratio", p.ladder_ratio).parameter("grid_offsets", p.grid_offsets);
  if (p.resolution)
    origin.parameter("resolution", *p.resolution);
  origin.parameter("points", result.points)
      .parameter("extent", result.extent)
      .parameter("fit window smallest", result.window.smallest)
      .parameter("fit window largest", result.window.largest)
      .parameter("dimension", result.dimension)
      .parameter("standard error", result.standard_error);
  return origin;
}

} // namespace gdcert
