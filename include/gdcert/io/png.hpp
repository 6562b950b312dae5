// PNG pictures through stb_image_write: outcome label maps, heat maps with a colour bar, level-set contours.
//
// Opt-in: gdcert.hpp does not include this header, and only this header needs Debian's
// libstb-dev (<stb/stb_image_write.h>). Provenance goes to a JSON sidecar `<file>.png.json`,
// because stbi_write_png cannot add tEXt chunks.
#pragma once

// stb_image_write is a C single-header library. Its implementation is compiled here as static
// functions (internal linkage, so any number of translation units may include this header), at
// most once per translation unit: if <stb/stb_image_write.h> was included before, its
// declarations are used as they are and the includer provides the implementation. stb is not
// held to the project's warning flags.
#ifndef INCLUDE_STB_IMAGE_WRITE_H
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#endif
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
#endif

#include <gdcert/analysis/outcome.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/io/atomic_file.hpp>
#include <gdcert/io/io_error.hpp>
#include <gdcert/io/provenance.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gdcert {

/// An 8-bit sRGB colour.
struct rgb {
  std::uint8_t r = 0, g = 0, b = 0;
  friend constexpr bool operator==(const rgb&, const rgb&) = default;
};

/// A width × height RGB raster, row-major with (0, 0) at the top left: the same layout as a
/// sweep's row-major label or value arrays, so field pixel (x, y) is image pixel (x, y).
class image {
public:
  /// 2^28 pixels (768 MiB of RGB): far above any figure, and below what stb's encoder, whose
  /// sizes are int, can write.
  static constexpr std::uint64_t max_pixels = std::uint64_t{1} << 28;

  /// Throws unless both extents are >= 1 and the raster has at most max_pixels pixels (checked
  /// before the allocation).
  image(int width, int height, rgb background = {255, 255, 255}) : width_(width), height_(height) {
    require_size("image", width, height);
    pixels_.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3);
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x)
        set(x, y, background);
  }

  [[nodiscard]] int width() const noexcept { return width_; }
  [[nodiscard]] int height() const noexcept { return height_; }

  /// Sets one pixel; coordinates outside the raster are ignored (drawing may run off the edge).
  void set(int x, int y, rgb colour) noexcept {
    if (x < 0 || y < 0 || x >= width_ || y >= height_)
      return;
    std::uint8_t* pixel = &pixels_[offset(x, y)];
    pixel[0] = colour.r;
    pixel[1] = colour.g;
    pixel[2] = colour.b;
  }

  /// The colour of pixel (x, y); throws gdcert::invalid_parameter outside the raster.
  [[nodiscard]] rgb at(int x, int y) const {
    require_index("pixel column x", x, width_);
    require_index("pixel row y", y, height_);
    const std::uint8_t* pixel = &pixels_[offset(x, y)];
    return {pixel[0], pixel[1], pixel[2]};
  }

  /// Interleaved RGB bytes, row after row, as stbi_write_png takes them.
  [[nodiscard]] const std::uint8_t* data() const noexcept { return pixels_.data(); }

  /// Throws gdcert::invalid_parameter (named `what` width, height, width x height) unless both
  /// extents are >= 1 and width × height <= max_pixels. Takes longs, so that a picture size
  /// computed from int extents (a field plus its margins) is checked before it becomes an int.
  static void require_size(std::string_view what, long width, long height) {
    require_at_least(std::string(what) + " width", width, 1);
    require_at_least(std::string(what) + " height", height, 1);
    // Each extent at most max_pixels first, so that the product cannot overflow.
    const auto most = static_cast<long>(max_pixels);
    if (width > most || height > most || width * height > most)
      throw invalid_parameter(std::string(what) + " width x height",
                              std::to_string(width) + " x " + std::to_string(height),
                              "at most " + std::to_string(max_pixels) + " pixels");
  }

private:
  static void require_index(std::string_view name, int index, int extent) {
    if (index < 0 || index >= extent)
      throw invalid_parameter(name, std::to_string(index), "[0, " + std::to_string(extent) + ")");
  }
  [[nodiscard]] std::size_t offset(int x, int y) const noexcept {
    return (static_cast<std::size_t>(y) * static_cast<std::size_t>(width_) +
            static_cast<std::size_t>(x)) *
           3;
  }
  int width_, height_;
  std::vector<std::uint8_t> pixels_;
};

/// The fixed colour of each gdcert::outcome, indexed by its value: undecided black, minimizer
/// blue, saddle sky blue, periodic yellow, diverged vermillion. All from the Okabe–Ito palette;
/// of its assignments (black or grey for undecided, a blue for minimizers, a red-orange for
/// divergence) this one keeps the closest pair farthest apart, also under simulated protanopia,
/// deuteranopia and tritanopia, and gives the two common EoS outcomes, minimizer and periodic,
/// the strongest contrast (dark blue against yellow).
[[nodiscard]] constexpr std::array<rgb, outcome_count> outcome_palette() noexcept {
  return {{
      {0, 0, 0},      // undecided
      {0, 114, 178},  // minimizer
      {86, 180, 233}, // saddle
      {240, 228, 66}, // periodic
      {213, 94, 0},   // diverged
  }};
}

/// A viridis-like colour map: matplotlib's viridis at t = 0, 0.1, …, 1, interpolated linearly by
/// map_colour. Perceptually ordered and readable without colour vision.
[[nodiscard]] constexpr std::array<rgb, 11> viridis() noexcept {
  return {{{68, 1, 84},
           {72, 36, 117},
           {65, 68, 135},
           {53, 95, 141},
           {42, 120, 142},
           {33, 145, 140},
           {34, 168, 132},
           {68, 191, 112},
           {122, 209, 81},
           {189, 223, 38},
           {253, 231, 37}}};
}

/// The colour at t ∈ [0, 1] of a colour map given as evenly spaced stops (t is clamped).
[[nodiscard]] inline rgb map_colour(std::span<const rgb> stops, double t) {
  if (stops.empty())
    throw invalid_parameter("colour map", "empty", "at least one colour");
  if (stops.size() == 1)
    return stops[0];
  const double position = std::clamp(t, 0.0, 1.0) * static_cast<double>(stops.size() - 1);
  const auto lower = std::min(static_cast<std::size_t>(position), stops.size() - 2);
  const double w = position - static_cast<double>(lower);
  auto mix = [w](std::uint8_t a, std::uint8_t b) {
    return static_cast<std::uint8_t>(std::lround((1 - w) * a + w * b));
  };
  const rgb a = stops[lower], b = stops[lower + 1];
  return {mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b)};
}

/// The closed interval a heat map's colour map spans.
struct value_range {
  double lower = 0, upper = 1;
};

namespace detail::io {

inline std::string hex_colour(rgb c) {
  char text[8];
  std::snprintf(text, sizeof text, "#%02x%02x%02x", c.r, c.g, c.b);
  return text;
}

/// Throws unless a colour map's range is finite with lower < upper (named range.lower/.upper).
inline void require_range(value_range range) {
  require_finite("range.lower", range.lower);
  require_finite("range.upper", range.upper);
  if (!(range.lower < range.upper))
    throw invalid_parameter("range.upper", detail::to_text(range.upper),
                            "> range.lower = " + detail::to_text(range.lower));
}

inline void require_field_extents(int width, int height) {
  require_at_least("width", width, 1);
  require_at_least("height", height, 1);
}

/// Throws unless the extents are >= 1 and a row-major field of width × height has `size` values.
inline void require_field(std::string_view name, std::size_t size, int width, int height) {
  require_field_extents(width, height);
  require_dimension(std::string(name) + ".size()", static_cast<long>(size),
                    static_cast<long>(width) * static_cast<long>(height));
}

/// A 3×5 pixel font for the digits of colour-bar tick labels: five rows of three bits each.
inline void draw_text(image& picture, int left, int top, const std::string& text, int scale,
                      rgb colour) {
  static constexpr std::string_view characters = "0123456789-+.e";
  static constexpr std::uint8_t glyphs[][5] = {
      {7, 5, 5, 5, 7}, {2, 6, 2, 2, 7}, {7, 1, 7, 4, 7}, {7, 1, 7, 1, 7}, {5, 5, 7, 1, 1},
      {7, 4, 7, 1, 7}, {7, 4, 7, 5, 7}, {7, 1, 1, 1, 1}, {7, 5, 7, 5, 7}, {7, 5, 7, 1, 7},
      {0, 0, 7, 0, 0}, {0, 2, 7, 2, 0}, {0, 0, 0, 0, 2}, {7, 4, 7, 4, 7}};
  for (std::size_t k = 0; k < text.size(); ++k) {
    const auto index = characters.find(text[k]);
    if (index == std::string_view::npos)
      continue;
    for (int row = 0; row < 5; ++row)
      for (int column = 0; column < 3; ++column)
        if (glyphs[index][row] & (4 >> column))
          for (int dy = 0; dy < scale; ++dy)
            for (int dx = 0; dx < scale; ++dx)
              picture.set(left + (static_cast<int>(k) * 4 + column) * scale + dx,
                          top + row * scale + dy, colour);
  }
}

inline std::string tick_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", value);
  return text;
}

} // namespace detail::io

/// Writes `picture` as an 8-bit RGB PNG to `file` and `origin` to `<file>.json`, both atomically
/// (io/atomic_file.hpp: the encoder's output goes through checked writes to a temporary file);
/// throws gdcert::io_error if the encoder fails or either file cannot be written, and then
/// existing files of those names are unchanged.
inline void write_png(const std::filesystem::path& file, const image& picture,
                      const provenance& origin) {
  atomic_output data(file);
  struct sink {
    atomic_output* file;
    std::exception_ptr error;
  } state{&data, nullptr};
  const auto put = [](void* context, void* bytes, int size) {
    auto& s = *static_cast<sink*>(context);
    if (s.error || size <= 0)
      return;
    try {
      s.file->write(bytes, static_cast<std::size_t>(size));
    } catch (...) {
      s.error = std::current_exception();
    }
  };
  const int encoded = stbi_write_png_to_func(put, &state, picture.width(), picture.height(), 3,
                                             picture.data(), picture.width() * 3);
  if (state.error)
    std::rethrow_exception(state.error);
  if (encoded == 0)
    throw io_error("gdcert: the PNG encoder failed for " + file.string());
  commit_with_sidecar(data, origin.to_json());
}

/// A label raster (row-major, width × height) in the colours of `palette`: label k is drawn in
/// palette[k]. Throws gdcert::invalid_parameter naming the first label without a colour.
[[nodiscard]] inline image render_label_map(std::span<const std::uint8_t> labels, int width,
                                            int height, std::span<const rgb> palette) {
  detail::io::require_field("labels", labels.size(), width, height);
  image picture(width, height);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const auto label = labels[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                                static_cast<std::size_t>(x)];
      if (label >= palette.size())
        throw invalid_parameter("labels[" + std::to_string(y * width + x) + "]",
                                std::to_string(label),
                                "< " + std::to_string(palette.size()) + " (palette size)");
      picture.set(x, y, palette[label]);
    }
  return picture;
}

/// Writes a label map as PNG; the sidecar also lists each label's colour ("label 2 colour").
inline void write_label_map(const std::filesystem::path& file, std::span<const std::uint8_t> labels,
                            int width, int height, std::span<const rgb> palette,
                            const provenance& origin) {
  const image picture = render_label_map(labels, width, height, palette);
  provenance with_legend = origin;
  for (std::size_t k = 0; k < palette.size(); ++k)
    with_legend.parameter("label " + std::to_string(k) + " colour",
                          detail::io::hex_colour(palette[k]));
  write_png(file, picture, with_legend);
}

/// Writes a map of gdcert::outcome values stored as bytes, in outcome_palette(); the sidecar
/// names each colour ("colour diverged": "#d55e00").
inline void write_label_map(const std::filesystem::path& file, std::span<const std::uint8_t> labels,
                            int width, int height, const provenance& origin) {
  constexpr auto palette = outcome_palette();
  const image picture = render_label_map(labels, width, height, palette);
  provenance with_legend = origin;
  for (int k = 0; k < outcome_count; ++k)
    with_legend.parameter("colour " + std::string(to_string(static_cast<outcome>(k))),
                          detail::io::hex_colour(palette[static_cast<std::size_t>(k)]));
  write_png(file, picture, with_legend);
}

/// Writes a map of gdcert::outcome labels in outcome_palette().
inline void write_label_map(const std::filesystem::path& file, std::span<const outcome> labels,
                            int width, int height, const provenance& origin) {
  std::vector<std::uint8_t> values(labels.size());
  std::transform(labels.begin(), labels.end(), values.begin(),
                 [](outcome o) { return static_cast<std::uint8_t>(o); });
  write_label_map(file, values, width, height, origin);
}

/// The range spanned by the finite values: [min, max], widened to [v − ½, v + ½] for a constant
/// field and [0, 1] when no value is finite (a sweep where every run diverged still gets a picture).
[[nodiscard]] inline value_range finite_range(std::span<const double> values) {
  double lower = std::numeric_limits<double>::infinity(), upper = -lower;
  for (const double v : values)
    if (std::isfinite(v)) {
      lower = std::min(lower, v);
      upper = std::max(upper, v);
    }
  if (lower > upper)
    return {0, 1};
  if (lower == upper)
    return {lower - 0.5, upper + 0.5};
  return {lower, upper};
}

/// A heat map of `values` (row-major, width × height) over `range` in `colour_map`, with a colour
/// bar on the right: the field occupies pixels [0, width) × [0, height) so overlay_contour can
/// draw on it, and the bar carries ticks with the range's bounds (labels when height >= 14 px).
/// Values outside the range are clamped; non-finite values are drawn grey (128, 128, 128).
[[nodiscard]] inline image render_heat_map(std::span<const double> values, int width, int height,
                                           value_range range, std::span<const rgb> colour_map) {
  detail::io::require_field_extents(width, height);
  detail::io::require_range(range);
  const int scale = height >= 200 ? 2 : 1;
  const std::string top = detail::io::tick_text(range.upper);
  const std::string bottom = detail::io::tick_text(range.lower);
  const bool labelled = height >= 14 * scale;
  const int gap = 6 * scale, bar = 12 * scale, tick = 3 * scale;
  const int label_width =
      labelled ? static_cast<int>(std::max(top.size(), bottom.size())) * 4 * scale + 2 * scale : 0;
  // The picture's width is summed as a long (a field width near INT_MAX overflows an int) and
  // checked before the field's size, so that no field of that size has to exist to be refused.
  const long picture_width = static_cast<long>(width) + gap + bar + tick + label_width + 2 * scale;
  image::require_size("heat map image (field and colour bar)", picture_width, height);
  detail::io::require_field("values", values.size(), width, height);
  image picture(static_cast<int>(picture_width), height);
  const rgb missing{128, 128, 128}, ink{0, 0, 0};
  const double span = range.upper - range.lower;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const double v = values[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                              static_cast<std::size_t>(x)];
      picture.set(x, y,
                  std::isfinite(v) ? map_colour(colour_map, (v - range.lower) / span) : missing);
    }
  // The bar runs from the upper bound (top row) to the lower bound (bottom row).
  const int bar_left = width + gap;
  for (int y = 0; y < height; ++y) {
    const double t = height > 1 ? 1.0 - static_cast<double>(y) / (height - 1) : 0.5;
    for (int x = 0; x < bar; ++x)
      picture.set(bar_left + x, y, map_colour(colour_map, t));
  }
  for (int x = 0; x < tick; ++x)
    for (int w = 0; w < scale; ++w) {
      picture.set(bar_left + bar + x, w, ink);
      picture.set(bar_left + bar + x, height - 1 - w, ink);
    }
  if (labelled) {
    const int text_left = bar_left + bar + tick + 2 * scale;
    detail::io::draw_text(picture, text_left, 0, top, scale, ink);
    detail::io::draw_text(picture, text_left, height - 5 * scale, bottom, scale, ink);
  }
  return picture;
}

/// Writes a heat map with its colour bar as PNG; the sidecar records the bar's bounds
/// ("colour bar lower", "colour bar upper"), which the drawn tick labels show only to 3 digits.
inline void write_heat_map(const std::filesystem::path& file, std::span<const double> values,
                           int width, int height, std::optional<value_range> range,
                           std::span<const rgb> colour_map, const provenance& origin) {
  const value_range bounds = range ? *range : finite_range(values);
  const image picture = render_heat_map(values, width, height, bounds, colour_map);
  provenance with_bar = origin;
  with_bar.parameter("colour bar lower", bounds.lower).parameter("colour bar upper", bounds.upper);
  write_png(file, picture, with_bar);
}

/// A heat map over the finite values' range in viridis().
inline void write_heat_map(const std::filesystem::path& file, std::span<const double> values,
                           int width, int height, const provenance& origin) {
  constexpr auto colours = viridis();
  write_heat_map(file, values, width, height, std::nullopt, colours, origin);
}

/// Marks where the field (row-major, width × height, aligned with the picture's top-left corner)
/// crosses `level`: for each pair of horizontal or vertical grid neighbours on opposite sides
/// (one < level, the other >= level), the pixel whose value is closer to the level is painted, so
/// the line is about one pixel wide and sits on the better-resolved side. Non-finite values never
/// cross. This is the overlay of a certificate's level set {I = 0} on a basin picture.
inline void overlay_contour(image& picture, std::span<const double> values, int width, int height,
                            double level, rgb colour) {
  detail::io::require_field("values", values.size(), width, height);
  require_finite("level", level);
  if (picture.width() < width || picture.height() < height)
    throw invalid_parameter(
        "image size", std::to_string(picture.width()) + "x" + std::to_string(picture.height()),
        "at least the field's " + std::to_string(width) + "x" + std::to_string(height));
  auto value = [&](int x, int y) {
    return values[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                  static_cast<std::size_t>(x)];
  };
  auto mark = [&](int x0, int y0, int x1, int y1) {
    const double a = value(x0, y0), b = value(x1, y1);
    if (!std::isfinite(a) || !std::isfinite(b) || (a < level) == (b < level))
      return;
    if (std::abs(a - level) <= std::abs(b - level))
      picture.set(x0, y0, colour);
    else
      picture.set(x1, y1, colour);
  };
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      if (x + 1 < width)
        mark(x, y, x + 1, y);
      if (y + 1 < height)
        mark(x, y, x, y + 1);
    }
}

} // namespace gdcert
