// Line charts for the reproduction examples: panels with a frame, tick labels, polylines and reference lines on a gdcert::image.
//
// gdcert/io/png.hpp draws rasters (label maps, heat maps, contours) but no curves; the figures of
// Appendices J.2 and K and the scatter plots of the examples are curves and point clouds, so this
// header adds the little they need: a panel maps data coordinates (linear or log10) to pixels,
// draws polylines (broken at non-finite values), dashed horizontal reference lines, dots, and
// labels the axis ends with the PNG writer's digit font.
#pragma once

#include <gdcert/core/error.hpp>
#include <gdcert/io/png.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <span>
#include <string>

namespace gdcert::examples {

/// One axis of a panel: the data interval [lower, upper], optionally on a log10 scale.
struct chart_axis {
  double lower = 0, upper = 1;
  bool logarithmic = false;
};

/// A rectangular plot area inside a larger picture (several panels make one figure).
class chart_panel {
public:
  /// The plot area is [left, left + width) × [top, top + height) of `picture`; tick labels go
  /// to the left of and below it, so leave about 40 px of margin there.
  chart_panel(image& picture, int left, int top, int width, int height, chart_axis x, chart_axis y)
      : picture_(&picture), left_(left), top_(top), width_(width), height_(height), x_(x), y_(y) {
    require_at_least("panel width", width, 2);
    require_at_least("panel height", height, 2);
    check_axis("x axis", x_);
    check_axis("y axis", y_);
  }

  /// Pixel column of data x and pixel row of data y (rows grow downwards).
  [[nodiscard]] double column(double x) const { return left_ + fraction(x_, x) * (width_ - 1); }
  [[nodiscard]] double row(double y) const { return top_ + (1 - fraction(y_, y)) * (height_ - 1); }

  /// A polyline through (xs[i], ys[i]); a non-finite point breaks it. Clipped to the panel.
  void line(std::span<const double> xs, std::span<const double> ys, rgb colour) {
    require_dimension("ys.size()", static_cast<long>(ys.size()), static_cast<long>(xs.size()));
    for (std::size_t i = 1; i < xs.size(); ++i)
      if (drawable(xs[i - 1], ys[i - 1]) && drawable(xs[i], ys[i]))
        segment(column(xs[i - 1]), row(ys[i - 1]), column(xs[i]), row(ys[i]), colour, 0);
  }

  /// A horizontal reference line at data y, dashed when `dash` > 0 (dash length in pixels).
  void horizontal(double y, rgb colour, int dash = 6) {
    if (!drawable(x_.lower, y))
      return;
    segment(left_, row(y), left_ + width_ - 1, row(y), colour, dash);
  }

  /// Dots at (xs[i], ys[i]) (for maps: the iterates of a 2-cycle read as two branches).
  void dots(std::span<const double> xs, std::span<const double> ys, rgb colour, int radius = 1) {
    require_dimension("ys.size()", static_cast<long>(ys.size()), static_cast<long>(xs.size()));
    for (std::size_t i = 0; i < xs.size(); ++i)
      dot(xs[i], ys[i], colour, radius);
  }

  /// A filled square dot of side 2·radius + 1 at (x, y).
  void dot(double x, double y, rgb colour, int radius = 1) {
    if (!drawable(x, y))
      return;
    const int cx = static_cast<int>(std::lround(column(x))),
              cy = static_cast<int>(std::lround(row(y)));
    for (int dy = -radius; dy <= radius; ++dy)
      for (int dx = -radius; dx <= radius; ++dx)
        plot(cx + dx, cy + dy, colour);
  }

  /// The frame and the axis-end labels (lower and upper bound of each axis; 10^k on log axes).
  void frame(rgb ink = {0, 0, 0}) {
    for (int x = left_ - 1; x <= left_ + width_; ++x) {
      picture_->set(x, top_ - 1, ink);
      picture_->set(x, top_ + height_, ink);
    }
    for (int y = top_ - 1; y <= top_ + height_; ++y) {
      picture_->set(left_ - 1, y, ink);
      picture_->set(left_ + width_, y, ink);
    }
    const std::string y_top = label(y_, y_.upper), y_bottom = label(y_, y_.lower);
    const std::string x_left = label(x_, x_.lower), x_right = label(x_, x_.upper);
    text(left_ - 3 - 8 * static_cast<int>(y_top.size()), top_, y_top, ink);
    text(left_ - 3 - 8 * static_cast<int>(y_bottom.size()), top_ + height_ - 10, y_bottom, ink);
    text(left_, top_ + height_ + 4, x_left, ink);
    text(left_ + width_ - 8 * static_cast<int>(x_right.size()), top_ + height_ + 4, x_right, ink);
  }

  /// Digits, '-', '+', '.', 'e' at (left, top) in the 3×5 font at scale 2 (other characters are
  /// skipped by the font).
  void text(int left, int top, const std::string& words, rgb ink = {0, 0, 0}) {
    gdcert::detail::io::draw_text(*picture_, left, top, words, 2, ink);
  }

private:
  static void check_axis(const char* name, const chart_axis& a) {
    require_finite(std::string(name) + " lower", a.lower);
    require_finite(std::string(name) + " upper", a.upper);
    if (!(a.lower < a.upper) || (a.logarithmic && !(a.lower > 0)))
      throw invalid_parameter(std::string(name),
                              "[" + std::to_string(a.lower) + ", " + std::to_string(a.upper) + "]",
                              "lower < upper, lower > 0 on a log axis");
  }
  static double fraction(const chart_axis& a, double v) {
    if (a.logarithmic)
      return (std::log10(v) - std::log10(a.lower)) / (std::log10(a.upper) - std::log10(a.lower));
    return (v - a.lower) / (a.upper - a.lower);
  }
  static std::string label(const chart_axis& a, double v) {
    char buffer[32];
    if (a.logarithmic)
      std::snprintf(buffer, sizeof buffer, "1e%d", static_cast<int>(std::lround(std::log10(v))));
    else if (v == std::round(v) && std::abs(v) < 1e6)
      std::snprintf(buffer, sizeof buffer, "%.0f", v);
    else
      std::snprintf(buffer, sizeof buffer, "%.3g", v);
    return buffer;
  }
  /// Finite, and positive on a log axis; values beyond the range are clipped when drawn.
  bool drawable(double x, double y) const {
    return std::isfinite(x) && std::isfinite(y) && (!x_.logarithmic || x > 0) &&
           (!y_.logarithmic || y > 0);
  }
  void plot(int x, int y, rgb colour) {
    if (x >= left_ && x < left_ + width_ && y >= top_ && y < top_ + height_)
      picture_->set(x, y, colour);
  }
  /// A straight segment in sub-pixel steps; with dash > 0 it is drawn dash pixels on, dash off.
  void segment(double x0, double y0, double x1, double y1, rgb colour, int dash) {
    // Clamp far-away end points (rows of huge values) so the step count stays bounded.
    const double limit = 4.0 * (width_ + height_);
    auto clamp = [&](double v, double origin) {
      return std::clamp(v, origin - limit, origin + limit);
    };
    x0 = clamp(x0, left_), x1 = clamp(x1, left_), y0 = clamp(y0, top_), y1 = clamp(y1, top_);
    const int steps = std::max(
        1, static_cast<int>(std::ceil(2 * std::max(std::abs(x1 - x0), std::abs(y1 - y0)))));
    for (int s = 0; s <= steps; ++s) {
      if (dash > 0 && (s / 2 / dash) % 2 == 1)
        continue;
      const double w = static_cast<double>(s) / steps;
      plot(static_cast<int>(std::lround(x0 + w * (x1 - x0))),
           static_cast<int>(std::lround(y0 + w * (y1 - y0))), colour);
    }
  }

  image* picture_;
  int left_, top_, width_, height_;
  chart_axis x_, y_;
};

/// Distinct colours for up to 8 curves (Okabe–Ito, readable without colour vision).
[[nodiscard]] inline rgb curve_colour(std::size_t k) {
  static constexpr rgb colours[] = {{0, 114, 178}, {213, 94, 0},   {0, 158, 115}, {204, 121, 167},
                                    {230, 159, 0}, {86, 180, 233}, {0, 0, 0},     {240, 228, 66}};
  return colours[k % 8];
}

} // namespace gdcert::examples
