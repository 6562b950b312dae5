// Counter-based random bits: SplitMix64's finalizer, so a random number is a pure function of its counters.
#pragma once

#include <cstdint>

namespace gdcert::detail {

/// SplitMix64's finalizer, a bijective 64-bit mixer. Engines hash (seed, index, …) with it, so the
/// random number an item uses does not depend on the thread or tile that asks for it.
[[nodiscard]] constexpr std::uint64_t splitmix64(std::uint64_t z) noexcept {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

} // namespace gdcert::detail
