// Seeded draws of the random problem instances (matrix sensing and completion, docs/formulas.md §11-12): pure functions of (seed, stream, counter).
#pragma once

#include <gdcert/core/arithmetic.hpp>
#include <gdcert/core/counter_random.hpp>

#include <Eigen/Core>

#include <cmath>
#include <cstdint>
#include <numbers>

namespace gdcert::detail {

/// The independent streams of one seed: each random part of an instance (the measurements, the
/// observations, each factor of a planted matrix, the mask) draws from its own stream, so adding
/// a part never shifts the numbers of another.
enum class draw_stream : std::uint64_t {
  measurements = 1,
  observations = 2,
  planted_left = 3,
  planted_right = 4,
  target_left = 5,
  target_right = 6,
  mask = 7
};

/// The seed of one stream: SplitMix64 of the seed xor an odd multiple of the golden ratio.
[[nodiscard]] constexpr std::uint64_t stream_seed(std::uint64_t seed, draw_stream stream) noexcept {
  return splitmix64(seed ^ (0x9e3779b97f4a7c15ULL * (2 * static_cast<std::uint64_t>(stream) + 1)));
}

/// A uniform double in (0, 1) from (stream seed, counter): 53 random bits, centred in their cell
/// (the construction of analysis/sweep.hpp's uniform_open).
[[nodiscard]] inline double seeded_uniform(std::uint64_t seed, std::uint64_t counter) noexcept {
  const std::uint64_t bits = splitmix64(seed ^ splitmix64(counter));
  return (double(bits >> 11) + 0.5) * 0x1.0p-53;
}

/// A standard normal from (stream seed, counter) by Box–Muller on the counters 2k and 2k + 1.
[[nodiscard]] inline double seeded_normal(std::uint64_t seed, std::uint64_t counter) noexcept {
  const double u1 = seeded_uniform(seed, 2 * counter), u2 = seeded_uniform(seed, 2 * counter + 1);
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
}

/// A rows × columns matrix of i.i.d. standard normals, entry (i, j) from the counter
/// offset + i + rows·j (column-major). Callers check the size first.
[[nodiscard]] inline matrix<double> seeded_gaussian_matrix(Eigen::Index rows, Eigen::Index columns,
                                                           std::uint64_t seed, draw_stream stream,
                                                           std::uint64_t offset = 0) {
  const std::uint64_t s = stream_seed(seed, stream);
  matrix<double> out(rows, columns);
  for (Eigen::Index k = 0; k < out.size(); ++k)
    out(k) = seeded_normal(s, offset + static_cast<std::uint64_t>(k));
  return out;
}

} // namespace gdcert::detail
