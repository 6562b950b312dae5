// Figures people read (opt-in, needs cairo: Debian libcairo2-dev): panels of label or heat maps in mathematical orientation, with axes, ticks, labels, titles, a legend or a colour bar, written as PNG atomically with a provenance sidecar.
#pragma once

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

/// One axis of a panel: the plane coordinates its raster spans and the label drawn along it.
struct plot_axis {
  double lower = 0, upper = 1;
  std::string label;
};

/// A panel: a raster (what label_raster / heat_raster build from a field) over x × y, a title.
struct plot_panel {
  image raster{1, 1};
  plot_axis x, y;
  std::string title;
};

/// A legend row: a colour swatch and its meaning (outcome names, "I = 0 contour", …).
struct legend_entry {
  rgb colour;
  std::string label;
};

/// A colour bar: the colour map over `range`, with ticks and a label.
struct colour_bar {
  value_range range;
  std::vector<rgb> colours;
  std::string label;
};

/// A figure: `rows` × `columns` panels (row-major in `panels`), a title, and on the right either
/// a legend, a colour bar or both. Each panel's plot area is `panel_size` pixels square; rasters
/// are scaled to it without smoothing, so grid cells stay sharp.
struct plot {
  std::string title;
  int rows = 1, columns = 1;
  std::vector<plot_panel> panels;
  std::vector<legend_entry> legend;
  std::optional<colour_bar> bar;
  int panel_size = 320;
};

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

/// Round tick positions inside [lower, upper]: steps of 1, 2 or 5 × 10^k, at most `most` ticks.
[[nodiscard]] inline std::vector<double> nice_ticks(double lower, double upper, int most = 6) {
  std::vector<double> ticks;
  const double span = upper - lower;
  if (!(span > 0) || !std::isfinite(span))
    return {lower};
  const double raw = span / most, magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (const double factor : {1.0, 2.0, 5.0, 10.0})
    if (factor * magnitude >= raw) {
      step = factor * magnitude;
      break;
    }
  for (double t = std::ceil(lower / step - 1e-9) * step; t <= upper + step * 1e-9; t += step)
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  return ticks;
}

[[nodiscard]] inline std::string tick_label(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

/// The advance width of `text` at font `size` in DejaVu Sans (a scratch cairo context).
[[nodiscard]] inline double text_width(const std::string& text, double size) {
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
  cairo_t* context = cairo_create(surface);
  cairo_select_font_face(context, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
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

} // namespace detail::io

/// Renders a figure to PNG bytes (see write_plot). Throws gdcert::invalid_parameter for a bad
/// layout (rows × columns not the number of panels, sizes out of range, an axis with lower >=
/// upper) and gdcert::io_error if cairo fails.
[[nodiscard]] inline std::string render_plot(const plot& figure) {
  require_extent("plot rows", figure.rows, 1, 64);
  require_extent("plot columns", figure.columns, 1, 64);
  require_extent("plot panel_size", figure.panel_size, 32, 4096);
  require_dimension("plot panels.size()", static_cast<long>(figure.panels.size()),
                    static_cast<long>(figure.rows) * figure.columns);
  for (const auto& p : figure.panels)
    for (const auto* axis : {&p.x, &p.y})
      if (!(axis->lower < axis->upper) || !std::isfinite(axis->lower) ||
          !std::isfinite(axis->upper))
        throw invalid_parameter("plot axis " + axis->label,
                                detail::to_text(axis->lower) + " .. " +
                                    detail::to_text(axis->upper),
                                "finite lower < upper");
  const double s = figure.panel_size, font = std::clamp(s / 22, 10.0, 16.0);
  const double left = 4.2 * font, right_gap = 1.5 * font, bottom = 3.6 * font;
  const double panel_title = figure.panels.front().title.empty() ? 0.6 * font : 1.8 * font;
  const double top = figure.title.empty() ? 0.8 * font : 2.6 * font;
  double legend_width = 0; // the widest legend row: swatch, gap, text
  for (const auto& entry : figure.legend)
    legend_width =
        std::max(legend_width, 1.5 * font + detail::io::text_width(entry.label, 0.9 * font));
  const double side = std::max(legend_width, figure.bar ? 5 * font : 0.0) + 2 * font;
  const double cell_w = left + s + right_gap, cell_h = panel_title + s + bottom;
  const int width = static_cast<int>(figure.columns * cell_w + side);
  const double side_height = top + panel_title + 1.6 * font * double(figure.legend.size()) +
                             (figure.bar ? 7 * font : 0) + font;
  const int height = static_cast<int>(std::max(top + figure.rows * cell_h, side_height));
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
      c.raster(p.raster, x0, y0, s, s);
      c.colour(ink);
      cairo_rectangle(c.get(), x0, y0, s, s);
      cairo_set_line_width(c.get(), 1);
      cairo_stroke(c.get());
      if (!p.title.empty())
        c.text(x0 + s / 2, y0 - 0.9 * font, p.title, font, 0.5);
      // x ticks below, y ticks on the left; y grows upwards (mathematical orientation).
      for (const double t : detail::io::nice_ticks(p.x.lower, p.x.upper)) {
        const double x = x0 + s * (t - p.x.lower) / (p.x.upper - p.x.lower);
        c.line(x, y0 + s, x, y0 + s + 0.4 * font);
        c.text(x, y0 + s + 1.1 * font, detail::io::tick_label(t), 0.85 * font, 0.5);
      }
      for (const double t : detail::io::nice_ticks(p.y.lower, p.y.upper)) {
        const double y = y0 + s - s * (t - p.y.lower) / (p.y.upper - p.y.lower);
        c.line(x0 - 0.4 * font, y, x0, y);
        c.text(x0 - 0.6 * font, y, detail::io::tick_label(t), 0.85 * font, 1);
      }
      c.text(x0 + s / 2, y0 + s + 2.5 * font, p.x.label, font, 0.5);
      c.text(x0 - 3.4 * font, y0 + s / 2, p.y.label, font, 0.5, -std::numbers::pi / 2);
    }
  double side_y = top + panel_title;
  const double side_x = figure.columns * cell_w + 0.5 * font;
  for (const auto& entry : figure.legend) {
    c.colour(entry.colour);
    cairo_rectangle(c.get(), side_x, side_y, font, font);
    cairo_fill_preserve(c.get());
    c.colour(ink);
    cairo_set_line_width(c.get(), 0.5);
    cairo_stroke(c.get());
    c.text(side_x + 1.5 * font, side_y + font / 2, entry.label, 0.9 * font);
    side_y += 1.6 * font;
  }
  if (figure.bar) {
    const auto& bar = *figure.bar;
    detail::io::require_range(bar.range);
    if (bar.colours.empty())
      throw invalid_parameter("plot colour bar colours", "none", "at least one colour");
    // From below the legend to the bottom of the first row of panels (at least 4 lines high).
    const double bar_top = side_y + 1.5 * font;
    const double bar_height = std::max(top + panel_title + s - bar_top, 4 * font);
    const double bar_x = side_x + (figure.legend.empty() ? 0 : 0.5 * font);
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
      c.text(bar_x + 1.8 * font, y, detail::io::tick_label(t), 0.85 * font);
    }
    c.text(bar_x + 0.6 * font, bar_top - 0.9 * font, bar.label, 0.9 * font, 0.5);
  }
  return c.png();
}

/// Writes a figure as PNG, atomically, with the provenance sidecar `<file>.json` (which also
/// records the legend and the colour bar's range).
inline void write_plot(const std::filesystem::path& file, const plot& figure,
                       const provenance& origin) {
  const std::string bytes = render_plot(figure);
  provenance described = origin;
  for (const auto& entry : figure.legend)
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
