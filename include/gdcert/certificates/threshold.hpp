// The coefficient q_η(δ) of the regrouped remainder (87) and the threshold δ_th(η) of Theorem 3.
#pragma once

#include <gdcert/core/error.hpp>

#include <cmath>

namespace gdcert {

/// q_η(δ) = ηδ² − 4(δ − η) (87): the coefficient of D_S in the approximation remainder.
/// Proposition 3 needs q_η(δ) < 0.
[[nodiscard]] inline double remainder_coefficient(double step_size, double delta) {
  require_positive("step size eta", step_size);
  require_open_interval("state parameter delta", delta, 0.0, 2.0);
  return step_size * delta * delta - 4 * (delta - step_size);
}

/// δ_th(η) = 2(1 − √(1 − η²))/η (Theorem 3): the smaller root of q_η, defined for η ∈ (0, 1).
/// Written as 2η/(1 + √(1 − η²)) to avoid cancellation for small η.
[[nodiscard]] inline double threshold_state_parameter(double step_size) {
  require_open_interval("step size eta", step_size, 0.0, 1.0);
  return 2 * step_size / (1 + std::sqrt(1 - step_size * step_size));
}

} // namespace gdcert
