// The outcome taxonomy of a GD trajectory: every run ends in exactly one of these labels, with the step it was decided at.
#pragma once

#include <cstdint>
#include <string_view>

namespace gdcert {

/// What became of a trajectory. Never a catch-all: a run the engine could not decide within its
/// step limit is `undecided`, not lumped with anything else.
enum class outcome : std::uint8_t {
  undecided = 0, ///< the step limit came first
  minimizer,     ///< converged to a point of M* (within tolerance)
  saddle,        ///< converged to a stationary point outside M* (S \ M*)
  periodic,      ///< locked onto a cycle of period 2 <= p <= 8 (e.g. {L₋, L₊} on K₂)
  diverged       ///< non-finite state or norm above the escape bound
};

inline constexpr int outcome_count = 5;

[[nodiscard]] constexpr std::string_view to_string(outcome o) noexcept {
  switch (o) {
  case outcome::undecided:
    return "undecided";
  case outcome::minimizer:
    return "minimizer";
  case outcome::saddle:
    return "saddle";
  case outcome::periodic:
    return "periodic";
  case outcome::diverged:
    return "diverged";
  }
  return "unknown";
}

} // namespace gdcert
