// Direction sets for the boundary-inward scan: the grid on the l∞-cube boundary and seeded random directions on the sphere (docs/formulas.md §8, Apps L-M).
#pragma once

#include <gdcert/analysis/execution.hpp>
#include <gdcert/core/counter_random.hpp>
#include <gdcert/core/error.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

namespace gdcert {

/// A direction set `S` hands out direction k on demand, so nothing is stored twice and any slice
/// can be generated independently of the others (tiles, threads).
///
/// Valid expressions (`s` a `const S&`, `k` a `std::size_t` below `s.size()`, `out` a `double*`
/// with room for `s.dimension()` values):
/// | expression            | returns       | meaning                                          |
/// |-----------------------|---------------|--------------------------------------------------|
/// | `s.dimension()`       | `int`         | n, the length of each direction                  |
/// | `s.size()`            | `std::size_t` | number of directions                             |
/// | `s.direction(k, out)` | `void`        | writes direction k (a pure function of k)        |
template <class S>
concept direction_set = requires(const S& s, std::size_t k, double* out) {
  { s.dimension() } -> std::convertible_to<int>;
  { s.size() } -> std::convertible_to<std::size_t>;
  s.direction(k, out);
};

/// Every point of the m-per-edge grid of [−1, 1]ⁿ with ‖d‖∞ = 1, each exactly once:
/// mⁿ − (m − 2)ⁿ directions (App. L: n = 4, m = 41 gives 512,320; App. M: n = 2, m = 2001 gives
/// 8,000). Grid coordinate i ∈ {0, …, m − 1} sits at (2i − (m − 1))/(m − 1), so the grid is exactly
/// symmetric under d ↦ −d and its extreme coordinates are exactly ±1.
///
/// Order: direction k lies in block j (the first coordinate equal to ±1 is coordinate j);
/// blocks hold (m − 2)ʲ · 2 · mⁿ⁻¹⁻ʲ points, summing to mⁿ − (m − 2)ⁿ. Inside a block the last
/// coordinate runs fastest. Random access costs n integer divisions.
class cube_boundary_directions {
public:
  /// Throws gdcert::invalid_parameter unless dimension >= 1, points_per_edge >= 2 and the grid
  /// size mⁿ fits in std::size_t.
  cube_boundary_directions(int dimension, int points_per_edge)
      : dimension_(dimension), points_(points_per_edge) {
    require_at_least("cube dimension n", dimension, 1);
    require_at_least("cube grid points per edge m", points_per_edge, 2);
    const std::size_t m = static_cast<std::size_t>(points_per_edge);
    std::size_t full = 1;
    for (int i = 0; i < dimension; ++i) {
      if (full > std::numeric_limits<std::size_t>::max() / m)
        throw invalid_parameter("cube grid size m^n",
                                std::to_string(m) + "^" + std::to_string(dimension),
                                "at most the largest std::size_t");
      full *= m;
    }
    block_offset_.assign(static_cast<std::size_t>(dimension) + 1, 0);
    for (int j = 0; j < dimension; ++j) {
      std::size_t count = 2;
      for (int i = 0; i < j; ++i)
        count *= m - 2;
      for (int i = j + 1; i < dimension; ++i)
        count *= m;
      block_offset_[static_cast<std::size_t>(j) + 1] =
          block_offset_[static_cast<std::size_t>(j)] + count;
    }
  }

  [[nodiscard]] int dimension() const noexcept { return dimension_; }
  [[nodiscard]] int points_per_edge() const noexcept { return points_; }
  [[nodiscard]] std::size_t size() const noexcept { return block_offset_.back(); }

  /// mⁿ − (m − 2)ⁿ, the number of boundary points (the formula the block sizes telescope to).
  [[nodiscard]] static std::size_t count(int dimension, int points_per_edge) {
    return cube_boundary_directions(dimension, points_per_edge).size();
  }

  /// The grid indices i₀, …, iₙ₋₁ ∈ {0, …, m − 1} of direction k (for tests and provenance).
  void grid_indices(std::size_t k, std::size_t* out) const {
    if (!(k < size()))
      throw invalid_parameter("direction index k", std::to_string(k),
                              "[0, " + std::to_string(size()) + ")");
    const std::size_t n = static_cast<std::size_t>(dimension_);
    const std::size_t m = static_cast<std::size_t>(points_);
    std::size_t j = 0;
    while (k >= block_offset_[j + 1])
      ++j;
    std::size_t r = k - block_offset_[j];
    for (std::size_t i = n; i-- > j + 1;) {
      out[i] = r % m;
      r /= m;
    }
    out[j] = (r % 2) ? m - 1 : 0;
    r /= 2;
    for (std::size_t i = j; i-- > 0;) {
      out[i] = 1 + r % (m - 2);
      r /= m - 2;
    }
  }

  /// Writes direction k: coordinate i is (2 iᵢ − (m − 1))/(m − 1).
  void direction(std::size_t k, double* out) const {
    std::array<std::size_t, 16> small{};
    std::vector<std::size_t> large;
    std::size_t* index = small.data();
    if (dimension_ > static_cast<int>(small.size())) {
      large.resize(static_cast<std::size_t>(dimension_));
      index = large.data();
    }
    grid_indices(k, index);
    const double span = static_cast<double>(points_ - 1);
    for (int i = 0; i < dimension_; ++i)
      out[i] = (2 * static_cast<double>(index[i]) - span) / span;
  }

private:
  int dimension_, points_;
  std::vector<std::size_t> block_offset_; // block j holds [block_offset_[j], block_offset_[j+1])
};

namespace detail {
/// A uniform double in (0, 1] from 53 hashed bits.
[[nodiscard]] inline double unit_interval(std::uint64_t bits) noexcept {
  return static_cast<double>((bits >> 11) + 1) * 0x1.0p-53;
}
} // namespace detail

/// `count` directions uniform on the unit sphere Sⁿ⁻¹, counter-based: direction k is a pure
/// function of (seed, k) (Box–Muller normals from hashed counters, then normalised), so any subset
/// is reproducible point by point, independent of order and threads.
class sphere_directions {
public:
  /// Throws gdcert::invalid_parameter unless 1 <= dimension <= max_state_dimension (the pair
  /// loop of direction() steps i by 2, which must not pass INT_MAX) and count >= 1.
  sphere_directions(int dimension, std::size_t count, std::uint64_t seed)
      : dimension_(dimension), count_(count), seed_(seed) {
    require_extent("sphere dimension n", dimension, 1, max_state_dimension);
    if (count == 0)
      throw invalid_parameter("sphere direction count", "0", ">= 1");
  }

  [[nodiscard]] int dimension() const noexcept { return dimension_; }
  [[nodiscard]] std::size_t size() const noexcept { return count_; }
  [[nodiscard]] std::uint64_t seed() const noexcept { return seed_; }

  void direction(std::size_t k, double* out) const {
    if (!(k < count_))
      throw invalid_parameter("direction index k", std::to_string(k),
                              "[0, " + std::to_string(count_) + ")");
    const std::uint64_t key =
        detail::splitmix64(detail::splitmix64(seed_) ^ static_cast<std::uint64_t>(k));
    double norm2 = 0;
    for (int i = 0; i < dimension_; i += 2) {
      const std::uint64_t pair = static_cast<std::uint64_t>(i / 2);
      const double u1 = detail::unit_interval(detail::splitmix64(key + 2 * pair));
      const double u2 = detail::unit_interval(detail::splitmix64(key + 2 * pair + 1));
      const double radius = std::sqrt(-2 * std::log(u1)), angle = 2 * std::numbers::pi * u2;
      out[i] = radius * std::cos(angle);
      if (i + 1 < dimension_)
        out[i + 1] = radius * std::sin(angle);
    }
    for (int i = 0; i < dimension_; ++i)
      norm2 += out[i] * out[i];
    if (!(norm2 > 0)) { // probability 2⁻⁵³ per pair: fall back to the first axis
      for (int i = 0; i < dimension_; ++i)
        out[i] = i == 0 ? 1.0 : 0.0;
      return;
    }
    const double scale = 1 / std::sqrt(norm2);
    for (int i = 0; i < dimension_; ++i)
      out[i] *= scale;
  }

private:
  int dimension_;
  std::size_t count_;
  std::uint64_t seed_;
};

/// Directions stored column by column (n × N): what the scans read. Tabulate a set once and reuse
/// it across parameter grids.
using direction_table = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic>;

/// Materialises a direction set, in parallel tiles (each column depends only on its index).
template <direction_set S>
[[nodiscard]] direction_table tabulate(const S& set, const execution_policy& policy = {}) {
  policy.validate();
  // With dimension >= 1 the memory check bounds size() below 2^61, so it converts to an index.
  require_at_least("direction set dimension", set.dimension(), 1);
  detail::require_memory("direction table", set.size(),
                         sizeof(double) * static_cast<std::uint64_t>(set.dimension()), 0, policy);
  direction_table table(set.dimension(), static_cast<Eigen::Index>(set.size()));
  execution_policy chunked = policy; // a column is cheap: hand out larger tiles
  chunked.tile = std::max<std::size_t>(policy.tile, 4096);
  for_each_tile(set.size(), chunked, [&](std::size_t begin, std::size_t end) {
    for (std::size_t k = begin; k < end; ++k)
      set.direction(k, table.col(static_cast<Eigen::Index>(k)).data());
  });
  return table;
}

} // namespace gdcert
