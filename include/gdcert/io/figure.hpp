// Figures people read (opt-in, needs cairo: Debian libcairo2-dev): panels of label or heat maps in mathematical orientation and of curves or point clouds (linear or log10 axes), with axes, ticks, labels, titles, a legend or a colour bar, written as PNG atomically with a provenance sidecar.
#pragma once

#include <gdcert/analysis/outcome.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/io/atomic_file.hpp>
#include <gdcert/io/io_error.hpp>
#include <gdcert/io/png.hpp>
#include <gdcert/io/provenance.hpp>

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <numbers>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace gdcert {

/// How an axis maps values to positions: evenly (linear) or by decimal logarithm (log10, for
/// values spanning decades; its range must be positive and its ticks are powers of ten).
enum class axis_scale { linear, log10 };

/// One axis of a panel: the plane coordinates its raster spans (or the data range its curves are
/// drawn in), the label drawn along it and its scale.
struct plot_axis {
  double lower = 0, upper = 1;
  std::string label{};
  axis_scale scale = axis_scale::linear;
};

/// How a series is drawn: a solid polyline, a dashed polyline, or a marker at every point.
enum class series_style { line, dashed, markers };

/// A curve or point cloud of a panel: the points (x[i], y[i]) in the axes' coordinates, drawn in
/// `colour` and `style`; `size` is the line width or the marker's diameter in pixels, in (0, 64].
/// A polyline is broken at every point that cannot be drawn (a non-finite coordinate, or one <= 0
/// on a log10 axis); points outside the axes' ranges are clipped. A non-empty `label` puts the
/// series in the figure's legend (once per label, however many panels show it).
struct plot_series {
  std::vector<double> x, y;
  rgb colour;
  series_style style = series_style::line;
  double size = 1.5;
  std::string label{};
};

/// A dashed line across the whole panel: horizontal at y = `value`, or vertical at x = `value`
/// when `vertical`; a non-empty `label` puts it in the legend, as for plot_series.
struct reference_line {
  double value = 0;
  rgb colour;
  std::string label{};
  bool vertical = false;
};

/// A panel: an optional raster (what label_raster / heat_raster build from a field) filling the
/// plot area x × y, the reference lines and then the series drawn over it, and a title. A panel
/// without a raster has a white background (a line chart or a scatter plot). A raster is
/// stretched over the plot area, so on a log10 axis its cells are evenly spaced in log10.
struct plot_panel {
  std::optional<image> raster;
  plot_axis x, y;
  std::string title;
  std::vector<plot_series> series{};
  std::vector<reference_line> references{};
};

/// What a legend row shows left of its text: a filled swatch (label colours), a solid or dashed
/// line segment, or a marker.
enum class legend_mark { swatch, line, dashed, marker };

/// A legend row: a colour sample and its meaning (outcome names, "I = 0 contour", …).
struct legend_entry {
  rgb colour;
  std::string label;
  legend_mark mark = legend_mark::swatch;
};

/// A colour bar: the colour map over `range`, with ticks and a label.
struct colour_bar {
  value_range range;
  std::vector<rgb> colours;
  std::string label;
};

/// A figure: `rows` × `columns` panels (row-major in `panels`), a title, and on the right a
/// legend (the entries of `legend`, then those of the labelled series and reference lines), a
/// colour bar, or both. Each panel's plot area is `panel_size` pixels wide and `panel_height`
/// high (0: square); rasters are scaled to it without smoothing, so grid cells stay sharp.
struct plot {
  std::string title;
  int rows = 1, columns = 1;
  std::vector<plot_panel> panels;
  std::vector<legend_entry> legend;
  std::optional<colour_bar> bar;
  int panel_size = 320;
  int panel_height = 0;
};

/// Distinct colours for the series of a chart, k = 0, 1, …, repeating after 8: the Okabe–Ito
/// palette (blue, vermillion, bluish green, reddish purple, orange, sky blue, black, yellow),
/// readable without colour vision.
[[nodiscard]] constexpr rgb series_colour(std::size_t k) noexcept {
  constexpr rgb colours[] = {{0, 114, 178}, {213, 94, 0},   {0, 158, 115}, {204, 121, 167},
                             {230, 159, 0}, {86, 180, 233}, {0, 0, 0},     {240, 228, 66}};
  return colours[k % 8];
}

/// The legend of outcome_palette(): one swatch per gdcert::outcome, named as to_string names it.
[[nodiscard]] inline std::vector<legend_entry> outcome_legend() {
  constexpr auto palette = outcome_palette();
  std::vector<legend_entry> entries;
  for (int k = 0; k < outcome_count; ++k)
    entries.push_back(
        {palette[static_cast<std::size_t>(k)], std::string(to_string(static_cast<outcome>(k)))});
  return entries;
}

/// The raster of a label field in mathematical orientation: field row 0 (the lowest value of the
/// second axis) is drawn at the bottom. `labels` are row-major, width × height, each an index
/// into `palette`. Throws gdcert::invalid_parameter for mismatched sizes or a label without a
/// colour.
[[nodiscard]] inline image label_raster(std::span<const std::uint8_t> labels, int width, int height,
                                        std::span<const rgb> palette) {
  detail::io::require_field("labels", labels.size(), width, height);
  image raster(width, height);
  for (int row = 0; row < height; ++row)
    for (int column = 0; column < width; ++column) {
      const std::uint8_t label =
          labels[static_cast<std::size_t>(row) * static_cast<std::size_t>(width) +
                 static_cast<std::size_t>(column)];
      if (label >= palette.size())
        throw invalid_parameter("label", std::to_string(label),
                                "< palette size " + std::to_string(palette.size()));
      raster.set(column, height - 1 - row, palette[label]);
    }
  return raster;
}

/// The raster of a scalar field over `range` in `colours`, mathematical orientation as
/// label_raster; non-finite values are grey (128, 128, 128).
[[nodiscard]] inline image heat_raster(std::span<const double> values, int width, int height,
                                       value_range range, std::span<const rgb> colours) {
  detail::io::require_field("values", values.size(), width, height);
  detail::io::require_range(range);
  image raster(width, height);
  for (int row = 0; row < height; ++row)
    for (int column = 0; column < width; ++column) {
      const double v = values[static_cast<std::size_t>(row) * static_cast<std::size_t>(width) +
                              static_cast<std::size_t>(column)];
      raster.set(column, height - 1 - row,
                 std::isfinite(v)
                     ? map_colour(colours, (v - range.lower) / (range.upper - range.lower))
                     : rgb{128, 128, 128});
    }
  return raster;
}

/// overlay_contour for a field in mathematical orientation (the raster of label_raster or
/// heat_raster): marks where `values` cross `level`.
inline void overlay_field_contour(image& raster, std::span<const double> values, int width,
                                  int height, double level, rgb colour) {
  detail::io::require_field("values", values.size(), width, height);
  std::vector<double> flipped(values.size());
  for (int row = 0; row < height; ++row)
    std::copy_n(values.begin() + static_cast<std::ptrdiff_t>(row) * width, width,
                flipped.begin() + static_cast<std::ptrdiff_t>(height - 1 - row) * width);
  overlay_contour(raster, flipped, width, height, level, colour);
}

namespace detail::io {

/// Round tick positions inside [lower, upper]: the finest step of 1, 2 or 5 × 10^k that gives at
/// most `most` ticks.
[[nodiscard]] inline std::vector<double> nice_ticks(double lower, double upper, int most = 6) {
  std::vector<double> ticks;
  const double span = upper - lower;
  if (!(span > 0) || !std::isfinite(span))
    return {lower};
  const double magnitude = std::pow(10.0, std::floor(std::log10(span / most)));
  double step = 10 * magnitude; // gives at most `most` ticks: 10 · magnitude > span / most
  for (const double factor : {1.0, 2.0, 5.0})
    if (std::floor(upper / (factor * magnitude) + 1e-9) -
            std::ceil(lower / (factor * magnitude) - 1e-9) + 1 <=
        most) {
      step = factor * magnitude;
      break;
    }
  for (double t = std::ceil(lower / step - 1e-9) * step; t <= upper + step * 1e-9; t += step) {
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
    // Where step is below half an ulp of t (an axis such as [1e17, 1e17 + 16]) t += step does
    // not move: the loop would never end.
    if (t + step == t)
      break;
  }
  return ticks;
}

/// A tick's label: the value to 6 significant digits, with a typographic minus sign (U+2212).
[[nodiscard]] inline std::string tick_label(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  std::string label;
  for (const char* c = text; *c; ++c)
    label += *c == '-' ? std::string("\u2212") : std::string(1, *c);
  return label;
}

/// "10" and the exponent in Unicode superscripts (DejaVu Sans has them): the label of a decade.
[[nodiscard]] inline std::string decade_label(int exponent) {
  static constexpr const char* superscripts[] = {"\u2070", "\u00b9", "\u00b2", "\u00b3", "\u2074",
                                                 "\u2075", "\u2076", "\u2077", "\u2078", "\u2079"};
  std::string text = "10";
  if (exponent < 0)
    text += "\u207b";
  for (const char digit : std::to_string(std::abs(exponent)))
    text += superscripts[digit - '0'];
  return text;
}

/// A tick: its position in axis coordinates and its label.
struct tick {
  double value;
  std::string label;
};

/// The ticks of an axis, at most about `most`: round numbers (nice_ticks) on a linear axis,
/// powers of ten (every k-th decade) on a log10 axis spanning at least two of them, round
/// numbers again on a log10 axis spanning less.
[[nodiscard]] inline std::vector<tick> axis_ticks(const plot_axis& axis, int most) {
  std::vector<tick> ticks;
  if (axis.scale == axis_scale::log10) {
    const int first = static_cast<int>(std::ceil(std::log10(axis.lower) - 1e-9));
    const int last = static_cast<int>(std::floor(std::log10(axis.upper) + 1e-9));
    if (last > first) {
      const int step = std::max(1, (last - first + most) / most);
      for (int k = first + (((-first) % step) + step) % step; k <= last; k += step)
        ticks.push_back({std::pow(10.0, k), decade_label(k)});
      return ticks;
    }
  }
  for (const double t : nice_ticks(axis.lower, axis.upper, most))
    ticks.push_back({t, tick_label(t)});
  return ticks;
}

/// Where `value` lies on the axis: 0 at lower, 1 at upper (outside [0, 1] beyond the range).
[[nodiscard]] inline double axis_fraction(const plot_axis& axis, double value) noexcept {
  if (axis.scale == axis_scale::log10)
    return (std::log10(value) - std::log10(axis.lower)) /
           (std::log10(axis.upper) - std::log10(axis.lower));
  return (value - axis.lower) / (axis.upper - axis.lower);
}

/// Whether a value can be placed on the axis: finite, and positive on a log10 axis.
[[nodiscard]] inline bool drawable(const plot_axis& axis, double value) noexcept {
  return std::isfinite(value) && (axis.scale == axis_scale::linear || value > 0);
}

/// Clips the segment (x0, y0)–(x1, y1) to the rectangle [left, right] × [top, bottom]
/// (Liang–Barsky); false when no part of it is inside. Keeps cairo's fixed-point coordinates far
/// from overflow for points far outside the plot area.
[[nodiscard]] inline bool clip_segment(double& x0, double& y0, double& x1, double& y1, double left,
                                       double top, double right, double bottom) noexcept {
  double enter = 0, leave = 1;
  const double dx = x1 - x0, dy = y1 - y0;
  const double p[4] = {-dx, dx, -dy, dy}, q[4] = {x0 - left, right - x0, y0 - top, bottom - y0};
  for (int k = 0; k < 4; ++k) {
    if (p[k] == 0) {
      if (q[k] < 0)
        return false;
      continue;
    }
    const double r = q[k] / p[k];
    if (p[k] < 0)
      enter = std::max(enter, r);
    else
      leave = std::min(leave, r);
    if (enter > leave)
      return false;
  }
  x1 = x0 + leave * dx, y1 = y0 + leave * dy;
  x0 += enter * dx, y0 += enter * dy;
  return true;
}

/// The advance width of `text` at font `size` in DejaVu Sans, bold if `bold` (a scratch cairo
/// context).
[[nodiscard]] inline double text_width(const std::string& text, double size, bool bold = false) {
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
  cairo_t* context = cairo_create(surface);
  cairo_select_font_face(context, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(context, size);
  cairo_text_extents_t extents;
  cairo_text_extents(context, text.c_str(), &extents);
  cairo_destroy(context);
  cairo_surface_destroy(surface);
  return extents.x_advance;
}

/// A cairo drawing context with error checks: cairo records errors in the context's status.
class canvas {
public:
  canvas(int width, int height)
      : surface_(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height)),
        context_(cairo_create(surface_)) {
    check("create the figure");
    cairo_set_source_rgb(context_, 1, 1, 1);
    cairo_paint(context_);
    cairo_select_font_face(context_, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_NORMAL);
  }
  ~canvas() {
    cairo_destroy(context_);
    cairo_surface_destroy(surface_);
  }
  canvas(const canvas&) = delete;
  canvas& operator=(const canvas&) = delete;

  [[nodiscard]] cairo_t* get() const noexcept { return context_; }

  void colour(rgb c) { cairo_set_source_rgb(context_, c.r / 255.0, c.g / 255.0, c.b / 255.0); }

  /// Text at (x, y) aligned by `horizontal` (0 left, 0.5 centre, 1 right) on its middle line,
  /// rotated by `angle` radians about that point.
  void text(double x, double y, const std::string& s, double size, double horizontal = 0,
            double angle = 0, bool bold = false) {
    cairo_save(context_);
    cairo_select_font_face(context_, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(context_, size);
    cairo_text_extents_t extents;
    cairo_text_extents(context_, s.c_str(), &extents);
    cairo_translate(context_, x, y);
    cairo_rotate(context_, angle);
    cairo_move_to(context_, -horizontal * extents.x_advance,
                  -(extents.y_bearing + extents.height / 2));
    cairo_show_text(context_, s.c_str());
    cairo_restore(context_);
  }

  void line(double x0, double y0, double x1, double y1, double width = 1) {
    cairo_set_line_width(context_, width);
    cairo_move_to(context_, x0, y0);
    cairo_line_to(context_, x1, y1);
    cairo_stroke(context_);
  }

  /// The raster scaled to the rectangle without smoothing (nearest neighbour).
  void raster(const image& picture, double left, double top, double width, double height) {
    const int w = picture.width(), h = picture.height();
    cairo_surface_t* pixels = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    // A surface cairo could not make (no memory) has no pixel data to write into.
    if (cairo_surface_status(pixels) != CAIRO_STATUS_SUCCESS) {
      const std::string reason = cairo_status_to_string(cairo_surface_status(pixels));
      cairo_surface_destroy(pixels);
      throw io_error("gdcert: cairo could not hold a " + std::to_string(w) + " x " +
                     std::to_string(h) + " raster: " + reason);
    }
    cairo_surface_flush(pixels);
    unsigned char* data = cairo_image_surface_get_data(pixels);
    const int stride = cairo_image_surface_get_stride(pixels);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const rgb c = picture.at(x, y);
        const std::uint32_t word = (std::uint32_t{c.r} << 16) | (std::uint32_t{c.g} << 8) | c.b;
        std::memcpy(data + static_cast<std::ptrdiff_t>(y) * stride + 4 * x, &word, 4);
      }
    cairo_surface_mark_dirty(pixels);
    cairo_save(context_);
    cairo_translate(context_, left, top);
    cairo_scale(context_, width / w, height / h);
    cairo_set_source_surface(context_, pixels, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(context_), CAIRO_FILTER_NEAREST);
    cairo_rectangle(context_, 0, 0, w, h);
    cairo_fill(context_);
    cairo_restore(context_);
    cairo_surface_destroy(pixels);
  }

  /// The PNG bytes of the canvas; throws io_error if cairo failed at any step.
  [[nodiscard]] std::string png() {
    check("draw the figure");
    std::string bytes;
    const auto append = [](void* closure, const unsigned char* data,
                           unsigned int length) -> cairo_status_t {
      static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
      return CAIRO_STATUS_SUCCESS;
    };
    if (cairo_surface_write_to_png_stream(surface_, append, &bytes) != CAIRO_STATUS_SUCCESS)
      throw io_error("gdcert: cairo could not encode the figure as PNG");
    return bytes;
  }

private:
  void check(const char* what) const {
    if (cairo_status(context_) != CAIRO_STATUS_SUCCESS)
      throw io_error(std::string("gdcert: cairo could not ") + what + ": " +
                     cairo_status_to_string(cairo_status(context_)));
  }
  cairo_surface_t* surface_;
  cairo_t* context_;
};

/// The largest width or height of a cairo image surface, in pixels.
inline constexpr int max_cairo_extent = 32767;

/// Throws unless a size computed in pixels (a double) lies in [1, max_cairo_extent], before it is
/// converted to an int: a double beyond INT_MAX converts with undefined behaviour.
inline int checked_pixels(const std::string& name, double pixels) {
  if (!(pixels >= 1 && pixels <= max_cairo_extent))
    throw invalid_parameter(name, detail::to_text(pixels) + " pixels",
                            "[1, " + std::to_string(max_cairo_extent) +
                                "] pixels (cairo's largest image: shorten the title or the legend "
                                "labels, or draw fewer panels)");
  return static_cast<int>(pixels);
}

/// Throws gdcert::invalid_parameter, naming the field and its valid range, for a panel that
/// cannot be drawn.
inline void require_drawable(const plot_panel& p) {
  if (p.raster && (p.raster->width() > max_cairo_extent || p.raster->height() > max_cairo_extent))
    throw invalid_parameter(
        "plot panel raster width x height",
        std::to_string(p.raster->width()) + " x " + std::to_string(p.raster->height()),
        "at most " + std::to_string(max_cairo_extent) + " x " + std::to_string(max_cairo_extent) +
            " pixels (cairo's largest image)");
  for (const auto* axis : {&p.x, &p.y}) {
    if (axis->scale != axis_scale::linear && axis->scale != axis_scale::log10)
      throw invalid_parameter("plot axis " + axis->label + " scale",
                              std::to_string(static_cast<int>(axis->scale)),
                              "axis_scale::linear or axis_scale::log10");
    if (!(axis->lower < axis->upper) || !std::isfinite(axis->lower) || !std::isfinite(axis->upper))
      throw invalid_parameter("plot axis " + axis->label,
                              detail::to_text(axis->lower) + " .. " + detail::to_text(axis->upper),
                              "finite lower < upper");
    if (axis->scale == axis_scale::log10 && !(axis->lower > 0))
      throw invalid_parameter("plot axis " + axis->label + " lower", detail::to_text(axis->lower),
                              "> 0 on a log10 axis");
  }
  for (const auto& series : p.series) {
    if (series.style != series_style::line && series.style != series_style::dashed &&
        series.style != series_style::markers)
      throw invalid_parameter("plot series " + series.label + " style",
                              std::to_string(static_cast<int>(series.style)),
                              "series_style::line, dashed or markers");
    require_dimension("plot series " + series.label + " y.size()",
                      static_cast<long>(series.y.size()), static_cast<long>(series.x.size()));
    if (!(series.size > 0 && series.size <= 64))
      throw invalid_parameter("plot series " + series.label + " size", detail::to_text(series.size),
                              "(0, 64] pixels");
  }
  for (const auto& line : p.references)
    if (!drawable(line.vertical ? p.x : p.y, line.value))
      throw invalid_parameter("plot reference line " + line.label + " value",
                              detail::to_text(line.value), "finite, and > 0 on a log10 axis");
}

/// The legend rows of a figure: its own entries, then one per distinct label of its series and
/// reference lines, in panel order.
[[nodiscard]] inline std::vector<legend_entry> legend_rows(const plot& figure) {
  std::vector<legend_entry> rows = figure.legend;
  const auto add = [&rows](const std::string& label, rgb colour, legend_mark mark) {
    if (label.empty() || std::any_of(rows.begin(), rows.end(),
                                     [&](const legend_entry& e) { return e.label == label; }))
      return;
    rows.push_back({colour, label, mark});
  };
  for (const auto& p : figure.panels) {
    for (const auto& series : p.series)
      add(series.label, series.colour,
          series.style == series_style::markers  ? legend_mark::marker
          : series.style == series_style::dashed ? legend_mark::dashed
                                                 : legend_mark::line);
    for (const auto& line : p.references)
      add(line.label, line.colour, legend_mark::dashed);
  }
  return rows;
}

/// Draws a panel's reference lines, then its series over them, into the plot area left, top,
/// width × height (clipped to it).
inline void draw_curves(canvas& c, const plot_panel& p, double left, double top, double width,
                        double height) {
  cairo_t* cr = c.get();
  const auto px = [&](double x) { return left + width * axis_fraction(p.x, x); };
  const auto py = [&](double y) { return top + height * (1 - axis_fraction(p.y, y)); };
  // Segments are clipped to the plot area grown by a margin, so that line ends and joins at its
  // edge are drawn as cairo draws them; cairo's clip then cuts at the edge itself.
  const double margin = 8, x_min = left - margin, x_max = left + width + margin;
  const double y_min = top - margin, y_max = top + height + margin;
  static constexpr double dash[] = {6, 4};
  cairo_save(cr);
  cairo_rectangle(cr, left, top, width, height);
  cairo_clip(cr);
  cairo_set_line_width(cr, 1.5);
  cairo_set_dash(cr, dash, 2, 0);
  for (const auto& line : p.references) {
    const double f = axis_fraction(line.vertical ? p.x : p.y, line.value);
    if (!(f >= 0 && f <= 1))
      continue; // outside the panel
    c.colour(line.colour);
    if (line.vertical) {
      const double x = px(line.value);
      cairo_move_to(cr, x, top);
      cairo_line_to(cr, x, top + height);
    } else {
      const double y = py(line.value);
      cairo_move_to(cr, left, y);
      cairo_line_to(cr, left + width, y);
    }
    cairo_stroke(cr);
  }
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  for (const auto& series : p.series) {
    c.colour(series.colour);
    if (series.style == series_style::markers) {
      const double r = series.size / 2;
      for (std::size_t i = 0; i < series.x.size(); ++i) {
        if (!drawable(p.x, series.x[i]) || !drawable(p.y, series.y[i]))
          continue;
        const double x = px(series.x[i]), y = py(series.y[i]);
        if (x < x_min || x > x_max || y < y_min || y > y_max)
          continue;
        if (series.size < 3) { // small markers as squares: cheap, and as sharp as circles
          cairo_rectangle(cr, x - r, y - r, series.size, series.size);
        } else {
          cairo_new_sub_path(cr);
          cairo_arc(cr, x, y, r, 0, 2 * std::numbers::pi);
        }
      }
      cairo_fill(cr);
      continue;
    }
    cairo_set_line_width(cr, series.size);
    cairo_set_dash(cr, dash, series.style == series_style::dashed ? 2 : 0, 0);
    bool pen = false; // the current point is the start of the next segment
    for (std::size_t i = 1; i < series.x.size(); ++i) {
      if (!drawable(p.x, series.x[i - 1]) || !drawable(p.y, series.y[i - 1]) ||
          !drawable(p.x, series.x[i]) || !drawable(p.y, series.y[i])) {
        pen = false;
        continue;
      }
      double x0 = px(series.x[i - 1]), y0 = py(series.y[i - 1]);
      double x1 = px(series.x[i]), y1 = py(series.y[i]);
      const double end_x = x1, end_y = y1;
      if (!clip_segment(x0, y0, x1, y1, x_min, y_min, x_max, y_max)) {
        pen = false;
        continue;
      }
      if (!pen || x0 != px(series.x[i - 1]) || y0 != py(series.y[i - 1]))
        cairo_move_to(cr, x0, y0);
      cairo_line_to(cr, x1, y1);
      pen = x1 == end_x && y1 == end_y;
    }
    cairo_stroke(cr);
  }
  cairo_restore(cr);
}

} // namespace detail::io

/// Renders a figure to PNG bytes (see write_plot). Throws gdcert::invalid_parameter, naming the
/// field, for a bad layout (rows × columns not the number of panels, sizes out of range), an axis
/// with lower >= upper or a log10 axis reaching 0, a series whose x and y differ in length or
/// whose size is outside (0, 64], a reference line off its axis, or a colour bar without
/// colours; gdcert::io_error if cairo fails.
[[nodiscard]] inline std::string render_plot(const plot& figure) {
  require_extent("plot rows", figure.rows, 1, 64);
  require_extent("plot columns", figure.columns, 1, 64);
  require_extent("plot panel_size", figure.panel_size, 32, 4096);
  if (figure.panel_height != 0)
    require_extent("plot panel_height", figure.panel_height, 32, 4096);
  require_dimension("plot panels.size()", static_cast<long>(figure.panels.size()),
                    static_cast<long>(figure.rows) * figure.columns);
  for (const auto& p : figure.panels)
    detail::io::require_drawable(p);
  for (const auto& entry : figure.legend)
    if (entry.mark != legend_mark::swatch && entry.mark != legend_mark::line &&
        entry.mark != legend_mark::dashed && entry.mark != legend_mark::marker)
      throw invalid_parameter("plot legend " + entry.label + " mark",
                              std::to_string(static_cast<int>(entry.mark)),
                              "legend_mark::swatch, line, dashed or marker");
  if (figure.bar) {
    detail::io::require_range(figure.bar->range);
    if (figure.bar->colours.empty())
      throw invalid_parameter("plot colour bar colours", "none", "at least one colour");
  }
  const double w = figure.panel_size, h = figure.panel_height ? figure.panel_height : w;
  const double font = std::clamp(std::min(w, h) / 22, 10.0, 16.0), tick_font = 0.85 * font;
  // Tick counts that leave room for their labels; the left margin fits the widest y label.
  const int x_most = std::clamp(static_cast<int>(w / (3.5 * font)), 3, 8);
  const int y_most = std::clamp(static_cast<int>(h / (2.5 * font)), 2, 8);
  double y_labels = 2 * font;
  for (const auto& p : figure.panels)
    for (const auto& t : detail::io::axis_ticks(p.y, y_most))
      y_labels = std::max(y_labels, detail::io::text_width(t.label, tick_font));
  // Whole pixels, so that rasters fill the plot area exactly and frames are crisp.
  const double left = std::round(y_labels + 2.6 * font), right_gap = std::round(1.5 * font);
  const double bottom = std::round(3.6 * font);
  const bool titled = std::any_of(figure.panels.begin(), figure.panels.end(),
                                  [](const plot_panel& p) { return !p.title.empty(); });
  const double panel_title = std::round(titled ? 1.8 * font : 0.6 * font);
  const double top = std::round(figure.title.empty() ? 0.8 * font : 2.6 * font);
  const std::vector<legend_entry> legend = detail::io::legend_rows(figure);
  double legend_width = 0; // the widest legend row: sample, gap, text
  for (const auto& entry : legend)
    legend_width =
        std::max(legend_width, 2 * font + detail::io::text_width(entry.label, 0.9 * font));
  const double side = std::max(legend_width, figure.bar ? 5 * font : 0.0) + 2 * font;
  const double cell_w = left + w + right_gap, cell_h = panel_title + h + bottom;
  const double title_width =
      figure.title.empty() ? 0 : detail::io::text_width(figure.title, 1.3 * font, true) + 2 * font;
  const int width = detail::io::checked_pixels(
      "plot width", std::max(figure.columns * cell_w + side, title_width));
  const double side_height = top + panel_title + 1.6 * font * static_cast<double>(legend.size()) +
                             (figure.bar ? 7 * font : 0) + font;
  const int height =
      detail::io::checked_pixels("plot height", std::max(top + figure.rows * cell_h, side_height));
  detail::io::canvas c(width, height);
  const rgb ink{0, 0, 0};
  if (!figure.title.empty()) {
    c.colour(ink);
    c.text(width / 2.0, top / 2, figure.title, 1.3 * font, 0.5, 0, true);
  }
  for (int r = 0; r < figure.rows; ++r)
    for (int k = 0; k < figure.columns; ++k) {
      const plot_panel& p = figure.panels[static_cast<std::size_t>(r * figure.columns + k)];
      const double x0 = k * cell_w + left, y0 = top + r * cell_h + panel_title;
      if (p.raster)
        c.raster(*p.raster, x0, y0, w, h);
      detail::io::draw_curves(c, p, x0, y0, w, h);
      c.colour(ink); // the frame: the pixels just outside the plot area
      cairo_rectangle(c.get(), x0 - 0.5, y0 - 0.5, w + 1, h + 1);
      cairo_set_line_width(c.get(), 1);
      cairo_stroke(c.get());
      if (!p.title.empty())
        c.text(x0 + w / 2, y0 - 0.9 * font, p.title, font, 0.5);
      // x ticks below, y ticks on the left; y grows upwards (mathematical orientation).
      for (const auto& t : detail::io::axis_ticks(p.x, x_most)) {
        const double x = x0 + w * detail::io::axis_fraction(p.x, t.value);
        c.line(x, y0 + h, x, y0 + h + 0.4 * font);
        c.text(x, y0 + h + 1.1 * font, t.label, tick_font, 0.5);
      }
      for (const auto& t : detail::io::axis_ticks(p.y, y_most)) {
        const double y = y0 + h * (1 - detail::io::axis_fraction(p.y, t.value));
        c.line(x0 - 0.4 * font, y, x0, y);
        c.text(x0 - 0.6 * font, y, t.label, tick_font, 1);
      }
      c.text(x0 + w / 2, y0 + h + 2.5 * font, p.x.label, font, 0.5);
      c.text(x0 - left + 0.9 * font, y0 + h / 2, p.y.label, font, 0.5, -std::numbers::pi / 2);
    }
  double side_y = top + panel_title;
  const double side_x = figure.columns * cell_w + 0.5 * font;
  for (const auto& entry : legend) {
    c.colour(entry.colour);
    cairo_t* cr = c.get();
    switch (entry.mark) {
    case legend_mark::swatch:
      cairo_rectangle(cr, side_x, side_y, font, font);
      cairo_fill_preserve(cr);
      c.colour(ink);
      cairo_set_line_width(cr, 0.5);
      cairo_stroke(cr);
      break;
    case legend_mark::line:
    case legend_mark::dashed: {
      static constexpr double dash[] = {4, 3};
      cairo_set_dash(cr, dash, entry.mark == legend_mark::dashed ? 2 : 0, 0);
      c.line(side_x, side_y + font / 2, side_x + 1.5 * font, side_y + font / 2, 2);
      cairo_set_dash(cr, dash, 0, 0);
      break;
    }
    case legend_mark::marker:
      cairo_arc(cr, side_x + 0.75 * font, side_y + font / 2, 0.3 * font, 0, 2 * std::numbers::pi);
      cairo_fill(cr);
      break;
    }
    c.colour(ink);
    c.text(side_x + 2 * font, side_y + font / 2, entry.label, 0.9 * font);
    side_y += 1.6 * font;
  }
  if (figure.bar) {
    const auto& bar = *figure.bar;
    // From below the legend to the bottom of the first row of panels (at least 4 lines high).
    const double bar_top = side_y + 1.5 * font;
    const double bar_height = std::max(top + panel_title + h - bar_top, 4 * font);
    const double bar_x = side_x + (legend.empty() ? 0 : 0.5 * font);
    for (int i = 0; i < static_cast<int>(bar_height); ++i) {
      c.colour(map_colour(bar.colours, 1 - i / bar_height));
      cairo_rectangle(c.get(), bar_x, bar_top + i, 1.2 * font, 1);
      cairo_fill(c.get());
    }
    c.colour(ink);
    cairo_rectangle(c.get(), bar_x, bar_top, 1.2 * font, bar_height);
    cairo_set_line_width(c.get(), 1);
    cairo_stroke(c.get());
    for (const double t : detail::io::nice_ticks(bar.range.lower, bar.range.upper)) {
      const double y =
          bar_top + bar_height * (1 - (t - bar.range.lower) / (bar.range.upper - bar.range.lower));
      c.line(bar_x + 1.2 * font, y, bar_x + 1.6 * font, y);
      c.text(bar_x + 1.8 * font, y, detail::io::tick_label(t), tick_font);
    }
    c.text(bar_x + 0.6 * font, bar_top - 0.9 * font, bar.label, 0.9 * font, 0.5);
  }
  return c.png();
}

/// Writes a figure as PNG, atomically, with the provenance sidecar `<file>.json` (which also
/// records the legend's colours and the colour bar's range).
inline void write_plot(const std::filesystem::path& file, const plot& figure,
                       const provenance& origin) {
  const std::string bytes = render_plot(figure);
  provenance described = origin;
  for (const auto& entry : detail::io::legend_rows(figure))
    described.parameter("legend " + entry.label, detail::io::hex_colour(entry.colour));
  if (figure.bar)
    described.parameter("colour bar lower", figure.bar->range.lower)
        .parameter("colour bar upper", figure.bar->range.upper)
        .parameter("colour bar label", figure.bar->label);
  atomic_output data(file);
  data.write(bytes);
  commit_with_sidecar(data, described.to_json());
}

} // namespace gdcert
