// Fractal measures of basin boundaries: box-counting dimension of point sets and label-image boundaries, and the uncertainty exponent.
#pragma once

#include <gdcert/analysis/execution.hpp>
#include <gdcert/core/counter_random.hpp>
#include <gdcert/core/error.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <mutex>
#include <numbers>
#include <optional>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace gdcert {

/// A point of the plane, (x, y).
using point2 = std::array<double, 2>;

/// A closed interval of scales [smallest, largest] (box sizes ε or perturbation sizes ε).
struct fit_window {
  double smallest = 0, largest = 0;
};

/// A least-squares line y = intercept + slope·x with the standard error of the slope
/// (σ̂ / √Sxx, σ̂² = residual sum of squares / (n − 2)).
struct linear_fit {
  double slope = 0, intercept = 0, standard_error = 0;
  std::size_t points = 0;
};

/// How box_counting builds its ladder of box sizes and chooses the fit window.
struct box_counting_parameters {
  /// Ratio of consecutive box sizes ε_k / ε_{k+1} (> 1); the ladder starts at the set's extent.
  /// Powers of two by default: a finer ladder adds strongly correlated points rather than
  /// information, and sizes off the dyadic ladder beat against dyadic self-similarity (the
  /// Sierpinski triangle's count then oscillates around the power law and the slope wanders).
  double ladder_ratio = 2;
  /// Grid registrations per box size: the grid is shifted by fractions of ε and the smallest
  /// count kept, since a fixed grid over-counts (registration bias) by splitting the set; the
  /// mean over shifts is reported too. The mean is smooth but biased low (edge boxes: 1.956 for
  /// a filled square); the minimum is unbiased but can fluctuate for sets aligned with a pixel
  /// lattice, e.g. a boundary of slope ½ in a 1024² image gives 0.92 (exact alignments are
  /// found at some box sizes only), where slope 2 or a disk gives 1.00.
  int grid_offsets = 8;
  /// Finest meaningful scale of the point set (e.g. the grid spacing that produced it): below
  /// it the count saturates at the number of points. Label images use 1 (one pixel).
  std::optional<double> resolution;
  /// Automatic window, lower end: this many resolutions ("a few pixels").
  double smallest_in_resolutions = 4;
  /// Automatic window, upper end: this fraction of the extent. Larger boxes see the set's global
  /// shape (a circle's curvature raises its fitted slope by ~0.01 at 1/8, ~0.004 at 1/16).
  double largest_fraction = 0.0625;
  /// Automatic window without a resolution: boxes must hold at least this many points on average,
  /// else the count measures the sample rather than the set.
  double min_occupancy = 8;
  /// User-chosen fit window over box sizes; replaces the automatic one.
  std::optional<fit_window> window;
  /// Largest box size of the ladder, which then runs largest_size / ladder_ratio^k; by default
  /// the set's extent (times 1 + 2^−40). The default ladder follows the set, so a window given in
  /// absolute sizes holds fewer rows than expected when the extent is not a power of the ratio:
  /// for points normalized to [0, 1] with extent 0.9995, extent·2^−8 lies below a window's
  /// smallest = 2^−8 and that size is not fitted (result.window and result.first/last show it).
  /// largest_size = 1 counts at exactly 2^−k for such points. The grid is anchored at the set's
  /// lower corner either way.
  std::optional<double> largest_size;
};

/// Occupied boxes at one box size: the minimum over grid offsets (used in the fit) and the mean.
struct box_count {
  double size = 0;
  std::size_t boxes = 0;
  double mean_boxes = 0;
};

/// A box-counting dimension estimate: the slope of log N(ε) against log(1/ε) over the window.
struct box_counting_result {
  double dimension = 0;      ///< fitted slope
  double standard_error = 0; ///< standard error of the slope (fit residuals only)
  double intercept = 0;      ///< log N at ε = 1
  /// The same fit of the mean count over the grid offsets (the registration-bias average; the
  /// minimum, above, is the standard estimate) and its standard error.
  double mean_dimension = 0, mean_standard_error = 0;
  fit_window window;               ///< smallest and largest fitted box size
  std::size_t first = 0, last = 0; ///< fitted rows of `table`, inclusive (table runs large → small)
  std::vector<box_count> table;    ///< the whole ladder, largest box first
  double extent = 0;               ///< side of the set's bounding square
  std::size_t points = 0;          ///< size of the counted set
  box_counting_parameters parameters; ///< the parameters the estimate was made with
};

namespace detail::fractal {

/// The most scales geometric_ladder makes (2^26: a 512 MiB ladder), checked before allocating.
inline constexpr long max_ladder_count = 1L << 26;

[[nodiscard]] inline linear_fit least_squares(std::span<const double> x,
                                              std::span<const double> y) {
  const auto n = static_cast<double>(x.size());
  double mean_x = 0, mean_y = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    mean_x += x[i];
    mean_y += y[i];
  }
  mean_x /= n;
  mean_y /= n;
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxx += (x[i] - mean_x) * (x[i] - mean_x);
    sxy += (x[i] - mean_x) * (y[i] - mean_y);
  }
  linear_fit fit;
  fit.points = x.size();
  fit.slope = sxy / sxx;
  fit.intercept = mean_y - fit.slope * mean_x;
  double residuals = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double r = y[i] - fit.intercept - fit.slope * x[i];
    residuals += r * r;
  }
  fit.standard_error = std::sqrt(residuals / (n - 2) / sxx);
  return fit;
}

inline void require_window(std::string_view name, const fit_window& window) {
  require_positive(std::string(name) + ".smallest", window.smallest);
  require_positive(std::string(name) + ".largest", window.largest);
  if (!(window.smallest < window.largest))
    throw invalid_parameter(std::string(name) + ".largest", detail::to_text(window.largest),
                            "> " + std::string(name) +
                                ".smallest = " + detail::to_text(window.smallest));
}

/// Whether ε lies in the window, with a relative slack so that ladder sizes computed as
/// extent/ratio^k match window ends given as the same numbers.
[[nodiscard]] inline bool inside(double epsilon, const fit_window& window) {
  constexpr double slack = 1e-9;
  return epsilon >= window.smallest * (1 - slack) && epsilon <= window.largest * (1 + slack);
}

/// Counts the grid boxes of side ε that hold at least one point, the grid shifted by −shift·ε from
/// the set's lower corner `low` (shift in [0, 1)²). A bitmap over the bounding grid when it is
/// small (one pass), else sorted box keys.
///
/// Every index is in range without a check per point: the caller guarantees a finite extent and
/// extent/ε <= 2^30, and 0 <= p − low <= extent rounds monotonically, so
/// 0 <= ⌊(p − low)/ε + shift⌋ <= ⌊extent/ε⌋ + 2 < cells (the + shift may round up to the next
/// integer), and a key iy·cells + ix stays below 2^61.
class box_counter {
public:
  [[nodiscard]] std::size_t count(std::span<const point2> points, point2 low, point2 shift,
                                  double epsilon, double extent) {
    const auto cells = static_cast<std::uint64_t>(extent / epsilon) + 3;
    auto key = [&](const point2& p) {
      const auto ix = static_cast<std::uint64_t>(std::floor((p[0] - low[0]) / epsilon + shift[0]));
      const auto iy = static_cast<std::uint64_t>(std::floor((p[1] - low[1]) / epsilon + shift[1]));
      return iy * cells + ix;
    };
    if (cells <= (std::uint64_t{1} << 13)) { // at most 2^26 bits = 8 MiB
      bits_.assign(static_cast<std::size_t>((cells * cells + 63) / 64), 0);
      std::size_t occupied = 0;
      for (const auto& p : points) {
        const auto k = key(p);
        auto& word = bits_[static_cast<std::size_t>(k / 64)];
        const std::uint64_t bit = std::uint64_t{1} << (k % 64);
        occupied += (word & bit) == 0;
        word |= bit;
      }
      return occupied;
    }
    keys_.clear();
    for (const auto& p : points)
      keys_.push_back(key(p));
    std::sort(keys_.begin(), keys_.end());
    return static_cast<std::size_t>(std::unique(keys_.begin(), keys_.end()) - keys_.begin());
  }

private:
  std::vector<std::uint64_t> bits_, keys_;
};

/// A uniform number in (0, 1] from four counters.
[[nodiscard]] constexpr double uniform(std::uint64_t seed, std::uint64_t a, std::uint64_t b,
                                       std::uint64_t c) noexcept {
  const std::uint64_t h = splitmix64(splitmix64(splitmix64(splitmix64(seed) ^ a) ^ b) ^ c);
  return static_cast<double>((h >> 11) + 1) * 0x1.0p-53;
}

/// A uniformly distributed unit vector (normalized Gaussian coordinates by Box–Muller).
template <std::size_t Dimension>
[[nodiscard]] std::array<double, Dimension>
random_direction(std::uint64_t seed, std::uint64_t point, std::uint64_t perturbation) {
  std::array<double, Dimension> u{};
  double norm = 0;
  for (std::size_t i = 0; i < Dimension; i += 2) {
    const double radius = std::sqrt(-2 * std::log(uniform(seed, point, perturbation, i)));
    const double angle = 2 * std::numbers::pi * uniform(seed, point, perturbation, i + 1);
    u[i] = radius * std::cos(angle);
    if (i + 1 < Dimension)
      u[i + 1] = radius * std::sin(angle);
  }
  for (const double c : u)
    norm += c * c;
  norm = std::sqrt(norm);
  for (double& c : u)
    c /= norm;
  return u;
}

} // namespace detail::fractal

/// A geometric ladder of `count` scales from `smallest` to `largest`, both included.
[[nodiscard]] inline std::vector<double> geometric_ladder(double smallest, double largest,
                                                          int count) {
  detail::fractal::require_window("ladder", {smallest, largest});
  require_extent("count", count, 2, detail::fractal::max_ladder_count);
  std::vector<double> ladder(static_cast<std::size_t>(count));
  for (int k = 0; k < count; ++k)
    ladder[static_cast<std::size_t>(k)] =
        smallest * std::pow(largest / smallest, static_cast<double>(k) / (count - 1));
  ladder.back() = largest;
  return ladder;
}

namespace detail::fractal {

/// Bounds that keep a ladder finite in time: the ladder spans at most 2^30 (box keys stay in 64
/// bits), so ladder_ratio >= 2^(30/max_ladder_sizes) gives at most max_ladder_sizes sizes; each
/// size costs grid_offsets passes over the points.
inline constexpr int max_ladder_sizes = 1024;
inline constexpr int max_grid_offsets = 1024;

inline void require_parameters(const box_counting_parameters& parameters) {
  const double smallest_ratio = std::exp2(30.0 / max_ladder_sizes);
  if (!(std::isfinite(parameters.ladder_ratio) && parameters.ladder_ratio >= smallest_ratio))
    throw invalid_parameter("ladder_ratio", detail::to_text(parameters.ladder_ratio),
                            ">= 2^(30/" + std::to_string(max_ladder_sizes) +
                                ") = " + detail::to_text(smallest_ratio) + " (finite; at most " +
                                std::to_string(max_ladder_sizes) + " box sizes)");
  if (parameters.grid_offsets < 1 || parameters.grid_offsets > max_grid_offsets)
    throw invalid_parameter("grid_offsets", std::to_string(parameters.grid_offsets),
                            "[1, " + std::to_string(max_grid_offsets) + "]");
  if (parameters.resolution)
    require_positive("resolution", *parameters.resolution);
  require_positive("smallest_in_resolutions", parameters.smallest_in_resolutions);
  if (!(parameters.largest_fraction > 0 && parameters.largest_fraction <= 1))
    throw invalid_parameter("largest_fraction", detail::to_text(parameters.largest_fraction),
                            "(0, 1]");
  require_positive("min_occupancy", parameters.min_occupancy);
  if (parameters.window)
    require_window("window", *parameters.window);
  if (parameters.largest_size)
    require_positive("largest_size", *parameters.largest_size);
}

/// The counts over the ladder, largest box first. The ladder descends to the resolution, or to
/// the user's window if that reaches lower, so the table also shows where the count saturates;
/// without either, until boxes hold ~2 points.
inline std::vector<box_count> count_ladder(std::span<const point2> points, point2 low,
                                           double extent,
                                           const box_counting_parameters& parameters) {
  const auto n = static_cast<double>(points.size());
  const bool has_floor = parameters.resolution || parameters.window;
  double floor_size = std::numeric_limits<double>::infinity();
  if (parameters.resolution)
    floor_size = std::min(floor_size, *parameters.resolution);
  if (parameters.window)
    floor_size = std::min(floor_size, parameters.window->smallest);
  box_counter counter;
  constexpr double golden = 0.6180339887498949; // offsets (g/G, frac(g·φ)): a rank-1 lattice
  std::vector<box_count> table;
  for (int k = 0;; ++k) {
    // Anchored just above the extent, so a set spanning exactly m boxes (a square, a
    // triangle at ε = extent/2^j) is not charged an extra row for its far edge.
    const double top = parameters.largest_size ? *parameters.largest_size : extent * (1 + 0x1p-40);
    const double epsilon = top / std::pow(parameters.ladder_ratio, k);
    if (extent / epsilon > 0x1p30 || (has_floor && epsilon < floor_size * (1 - 1e-9)))
      break; // the first bound keeps box keys (iy·cells + ix) inside 64 bits
    box_count row{epsilon, std::numeric_limits<std::size_t>::max(), 0};
    for (int g = 0; g < parameters.grid_offsets; ++g) {
      const double fx = static_cast<double>(g) / parameters.grid_offsets;
      const double fy = g * golden - std::floor(g * golden);
      const std::size_t boxes = counter.count(points, low, {fx, fy}, epsilon, extent);
      row.boxes = std::min(row.boxes, boxes);
      row.mean_boxes += static_cast<double>(boxes) / parameters.grid_offsets;
    }
    table.push_back(row);
    if (!has_floor && n / static_cast<double>(row.boxes) < 2)
      break;
  }
  return table;
}

/// The user's window, or every ladder size between a few resolutions (or the smallest size with
/// `min_occupancy` points per box) and `largest_fraction` of the extent.
inline fit_window choose_window(const std::vector<box_count>& table, double points, double extent,
                                const box_counting_parameters& parameters) {
  if (parameters.window)
    return *parameters.window;
  fit_window window{std::numeric_limits<double>::infinity(), parameters.largest_fraction * extent};
  if (parameters.resolution) {
    window.smallest = parameters.smallest_in_resolutions * *parameters.resolution;
  } else {
    for (const auto& row : table)
      if (points / static_cast<double>(row.boxes) >= parameters.min_occupancy)
        window.smallest = row.size;
  }
  return window;
}

} // namespace detail::fractal

/// Box-counting dimension of a finite point set in the plane: N(ε) occupied boxes of side ε for
/// ε on a geometric ladder from the set's extent down to its resolution (or until boxes hold
/// about two points each), each count the minimum over `grid_offsets` shifted grids, then the
/// least-squares slope of log N(ε) against log(1/ε) over the fit window.
///
/// Automatic window: every ladder size between `smallest_in_resolutions` resolutions (or, without
/// a resolution, the smallest size whose boxes hold `min_occupancy` points on average) and
/// `largest_fraction` of the extent. Throws gdcert::invalid_parameter for an empty or degenerate
/// set, non-finite coordinates, bad parameters, or a window holding fewer than 3 ladder sizes.
[[nodiscard]] inline box_counting_result
box_counting(std::span<const point2> points, const box_counting_parameters& parameters = {}) {
  detail::fractal::require_parameters(parameters);
  require_at_least("points.size()", static_cast<long>(points.size()), 2);
  point2 low{points[0]}, high{points[0]};
  for (std::size_t i = 0; i < points.size(); ++i)
    for (std::size_t c = 0; c < 2; ++c) {
      if (!std::isfinite(points[i][c]))
        throw invalid_parameter("points[" + std::to_string(i) + "][" + std::to_string(c) + "]",
                                detail::to_text(points[i][c]), "a finite number");
      low[c] = std::min(low[c], points[i][c]);
      high[c] = std::max(high[c], points[i][c]);
    }
  box_counting_result result;
  result.parameters = parameters;
  result.points = points.size();
  result.extent = std::max(high[0] - low[0], high[1] - low[1]);
  if (!(result.extent > 0))
    throw invalid_parameter("points", "a single location", "a set with positive extent");
  // Box indices are converted from doubles: the ladder's sizes and p − low must stay finite
  // (points at −1e308 and 1e308 have an infinite extent, and NaN indices).
  constexpr double largest_extent = std::numeric_limits<double>::max() / 2;
  if (!(result.extent <= largest_extent))
    throw invalid_parameter("points extent (largest coordinate range)",
                            detail::to_text(result.extent),
                            "<= " + detail::to_text(largest_extent) + " (half the largest double)");

  result.table = detail::fractal::count_ladder(points, low, result.extent, parameters);
  const fit_window window = detail::fractal::choose_window(
      result.table, static_cast<double>(points.size()), result.extent, parameters);
  std::vector<double> x, y, y_mean;
  for (std::size_t i = 0; i < result.table.size(); ++i) {
    const auto& row = result.table[i];
    if (!detail::fractal::inside(row.size, window))
      continue;
    if (x.empty())
      result.first = i;
    result.last = i;
    x.push_back(-std::log(row.size));
    y.push_back(std::log(static_cast<double>(row.boxes)));
    y_mean.push_back(std::log(row.mean_boxes));
  }
  if (x.size() < 3)
    throw invalid_parameter("fit window",
                            "[" + detail::to_text(window.smallest) + ", " +
                                detail::to_text(window.largest) + "] holding " +
                                std::to_string(x.size()) + " ladder sizes",
                            "a window holding >= 3 ladder sizes (widen it, refine the ladder, or "
                            "give a finer resolution)");
  result.window = {result.table[result.last].size, result.table[result.first].size};
  const auto fit = detail::fractal::least_squares(x, y);
  result.dimension = fit.slope;
  result.standard_error = fit.standard_error;
  result.intercept = fit.intercept;
  const auto mean_fit = detail::fractal::least_squares(x, y_mean);
  result.mean_dimension = mean_fit.slope;
  result.mean_standard_error = mean_fit.standard_error;
  return result;
}

/// The boundary of a label image as points in pixel units: for every pair of 4-neighbour pixels
/// with different labels, the midpoint of the edge they share ((x + 1, y + ½) between (x, y) and
/// (x + 1, y); (x + ½, y + 1) between (x, y) and (x, y + 1)). `labels` is row-major, width ×
/// height, and compared with ==.
///
/// Why edge midpoints rather than the boundary pixels themselves: marking the pixels on both
/// sides makes a band two pixels wide, whose thickness still raises the fitted dimension of a
/// disk's boundary by ~0.03 at 2048² pixels; the midpoints lie on the interface, one per
/// differing pair, at zero thickness.
template <std::ranges::random_access_range Labels>
[[nodiscard]] std::vector<point2> label_boundary(const Labels& labels, int width, int height) {
  require_at_least("width", width, 1);
  require_at_least("height", height, 1);
  require_dimension("labels.size()", static_cast<long>(std::ranges::size(labels)),
                    static_cast<long>(width) * static_cast<long>(height));
  const auto begin = std::ranges::begin(labels);
  auto label = [&](int x, int y) { return begin[static_cast<std::ptrdiff_t>(y) * width + x]; };
  std::vector<point2> boundary;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      if (x + 1 < width && !(label(x + 1, y) == label(x, y)))
        boundary.push_back({x + 1.0, y + 0.5});
      if (y + 1 < height && !(label(x, y + 1) == label(x, y)))
        boundary.push_back({x + 0.5, y + 1.0});
    }
  return boundary;
}

/// Box-counting dimension of a label image's boundary (label_boundary), in pixel units: the
/// resolution defaults to one pixel, so the automatic window starts at a few pixels.
template <std::ranges::random_access_range Labels>
[[nodiscard]] box_counting_result box_counting_boundary(const Labels& labels, int width, int height,
                                                        box_counting_parameters parameters = {}) {
  const auto boundary = label_boundary(labels, width, height);
  if (boundary.empty())
    throw invalid_parameter("labels", "a single label", "an image with at least two labels");
  if (!parameters.resolution)
    parameters.resolution = 1.0;
  return box_counting(boundary, parameters);
}

/// How uncertainty_exponent perturbs its points.
struct uncertainty_parameters {
  /// Perturbation sizes ε (at least 3, positive), e.g. geometric_ladder(1e-4, 1e-1, 10).
  std::vector<double> epsilons;
  /// Random directions per point. The same directions serve every ε, so the fractions at
  /// different ε share their randomness and the fitted slope is less noisy.
  int perturbations = 4;
  std::uint64_t seed = 0;
  /// Fit only the ε inside; by default every ε at which some perturbation changed the outcome.
  std::optional<fit_window> window;
};

/// The outcome changes counted at one perturbation size.
struct uncertainty_sample {
  double epsilon = 0;
  std::size_t changed = 0, trials = 0;
  double fraction = 0; ///< changed / trials
};

/// The uncertainty exponent α: the fraction f(ε) of ε-perturbations that change the outcome
/// scales as ε^α, and the boundary's box-counting dimension is D − α [McDonald, Grebogi, Ott,
/// Yorke 1985], D the dimension of the space the points live in.
struct uncertainty_result {
  double exponent = 0;                   ///< α, the slope of log f(ε) against log ε
  double standard_error = 0;             ///< standard error of α (fit residuals only)
  double intercept = 0;                  ///< log f at ε = 1
  double boundary_dimension = 0;         ///< D − α
  fit_window window;                     ///< smallest and largest fitted ε
  std::vector<uncertainty_sample> table; ///< one row per ε, in the order given
};

/// Estimates the uncertainty exponent of a classifier: for every point x and each of
/// `perturbations` seeded random unit directions u, whether classify(x + ε·u) differs from
/// classify(x), for each ε of the ladder; then the least-squares slope of log f(ε) against log ε.
///
/// `classify` maps a point (std::array<double, D>) to a label comparable with ==; it is called
/// from policy.threads threads at once, so it must be safe to call concurrently (a pure function
/// of x, as a GD run is). Results do not depend on the thread count: every random direction comes
/// from a counter-based generator keyed by (seed, point index, perturbation index).
template <class Classifier, std::ranges::random_access_range Points>
[[nodiscard]] uncertainty_result uncertainty_exponent(const Classifier& classify,
                                                      const Points& points,
                                                      const uncertainty_parameters& parameters,
                                                      const execution_policy& policy = {}) {
  using point = std::ranges::range_value_t<Points>;
  constexpr std::size_t dimension = std::tuple_size_v<point>;
  const auto count = static_cast<std::size_t>(std::ranges::size(points));
  const auto& epsilons = parameters.epsilons;
  require_at_least("points.size()", static_cast<long>(count), 1);
  require_at_least("epsilons.size()", static_cast<long>(epsilons.size()), 3);
  for (std::size_t e = 0; e < epsilons.size(); ++e)
    require_positive("epsilons[" + std::to_string(e) + "]", epsilons[e]);
  require_at_least("perturbations", parameters.perturbations, 1);
  // Every classify call is counted in std::size_t: points × perturbations × (sizes + 1) must fit.
  const std::uint64_t calls = detail::saturating_multiply_add(
      detail::saturating_multiply_add(count, static_cast<std::uint64_t>(parameters.perturbations),
                                      0),
      epsilons.size() + 1, 0);
  if (calls > (std::uint64_t{1} << 62))
    throw invalid_parameter("points x perturbations x epsilons", std::to_string(calls),
                            "<= 2^62 classify calls");
  if (parameters.window)
    detail::fractal::require_window("window", *parameters.window);
  const auto begin = std::ranges::begin(points);
  for (std::size_t i = 0; i < count; ++i)
    for (std::size_t c = 0; c < dimension; ++c)
      if (!std::isfinite(begin[static_cast<std::ptrdiff_t>(i)][c]))
        throw invalid_parameter("points[" + std::to_string(i) + "][" + std::to_string(c) + "]",
                                detail::to_text(begin[static_cast<std::ptrdiff_t>(i)][c]),
                                "a finite number");

  // Integer counts: adding the tiles' partial counts in any order gives the same totals.
  std::vector<std::size_t> changed(epsilons.size(), 0);
  std::mutex merge;
  for_each_tile(count, policy, [&](std::size_t first, std::size_t last) {
    std::vector<std::size_t> local(epsilons.size(), 0);
    for (std::size_t i = first; i < last; ++i) {
      const point x = begin[static_cast<std::ptrdiff_t>(i)];
      const auto reference = classify(x);
      for (int k = 0; k < parameters.perturbations; ++k) {
        const auto u = detail::fractal::random_direction<dimension>(parameters.seed, i,
                                                                    static_cast<std::uint64_t>(k));
        for (std::size_t e = 0; e < epsilons.size(); ++e) {
          point y = x;
          for (std::size_t c = 0; c < dimension; ++c)
            y[c] += epsilons[e] * u[c];
          local[e] += !(classify(y) == reference);
        }
      }
    }
    std::lock_guard<std::mutex> lock(merge);
    for (std::size_t e = 0; e < epsilons.size(); ++e)
      changed[e] += local[e];
  });

  uncertainty_result result;
  const std::size_t trials = count * static_cast<std::size_t>(parameters.perturbations);
  std::vector<double> x, y;
  result.window = {std::numeric_limits<double>::infinity(), 0};
  for (std::size_t e = 0; e < epsilons.size(); ++e) {
    const double fraction = static_cast<double>(changed[e]) / static_cast<double>(trials);
    result.table.push_back({epsilons[e], changed[e], trials, fraction});
    if (changed[e] == 0 ||
        (parameters.window && !detail::fractal::inside(epsilons[e], *parameters.window)))
      continue;
    x.push_back(std::log(epsilons[e]));
    y.push_back(std::log(fraction));
    result.window.smallest = std::min(result.window.smallest, epsilons[e]);
    result.window.largest = std::max(result.window.largest, epsilons[e]);
  }
  if (x.size() < 3)
    throw invalid_parameter("epsilons",
                            std::to_string(x.size()) + " sizes with a changed outcome in the "
                                                       "fit window",
                            ">= 3 sizes at which some perturbation changes the outcome (larger "
                            "epsilons, more points or more perturbations)");
  const auto fit = detail::fractal::least_squares(x, y);
  result.exponent = fit.slope;
  result.standard_error = fit.standard_error;
  result.intercept = fit.intercept;
  result.boundary_dimension = static_cast<double>(dimension) - fit.slope;
  return result;
}

} // namespace gdcert
