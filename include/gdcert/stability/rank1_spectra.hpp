// Closed-form spectra of rank-1 factorization at its stationary points (docs/formulas.md §6, eqs. 129-132, 140-143).
#pragma once

#include <gdcert/core/error.hpp>
#include <gdcert/problems/rank1_factorization.hpp>

#include <array>
#include <cmath>

namespace gdcert {

/// ρ with ρ² = (4 − δ*²)/δ*: the non-minimizing stationary points (0, 0, ±ρ, 0), (0, 0, 0, ±ρ) on
/// the limiting level set {I_fac(δ*) = 0} (129).
[[nodiscard]] inline double limiting_saddle_radius(double limit_state_parameter) {
  const double d =
      require_open_interval("limit state parameter delta*", limit_state_parameter, 0.0, 2.0);
  return std::sqrt((4 - d * d) / d);
}

/// The four saddle points (0, 0, ±ρ, 0), (0, 0, 0, ±ρ) of (129).
[[nodiscard]] inline std::array<rank1_state<double>, 4>
limiting_saddles(double limit_state_parameter) {
  const double rho = limiting_saddle_radius(limit_state_parameter);
  return {{{0, 0, rho, 0}, {0, 0, -rho, 0}, {0, 0, 0, rho}, {0, 0, 0, -rho}}};
}

/// Signal-block eigenvalues 1 − ηρ²/2 ± (η/2)√(ρ⁴ + 4) at those saddles (130-132); the larger
/// exceeds 1, so GD leaves them: returned as {smaller, larger}.
[[nodiscard]] inline std::array<double, 2> saddle_signal_eigenvalues(double step_size, double rho) {
  const double eta = require_positive("step size eta", step_size);
  const double centre = 1 - eta * rho * rho / 2,
               spread = eta / 2 * std::sqrt(rho * rho * rho * rho + 4);
  return {centre - spread, centre + spread};
}

/// Signal block [[1 − ηb², −η], [−η, 1 − ηa²]] of the Jacobian at a minimizer (a, 1/a): eigenvalues
/// {1 − η(a² + b²), 1} (140-143), returned in that order. Since a² + b² >= 2, every minimizer is
/// unstable for η > 1; it is stable in the signal block iff η < 2/(a² + b²).
[[nodiscard]] inline std::array<double, 2> minimizer_signal_eigenvalues(double step_size,
                                                                        double a) {
  const double eta = require_positive("step size eta", step_size);
  if (!(std::isfinite(a) && a != 0))
    throw invalid_parameter("minimizer coordinate a", detail::to_text(a),
                            "a finite non-zero number");
  return {1 - eta * (a * a + 1 / (a * a)), 1.0};
}

/// η < 2/(a² + b²): the minimizer (a, 1/a) is linearly stable in the signal block (140-143).
[[nodiscard]] inline bool minimizer_stable_in_signal_block(double step_size, double a) {
  return std::abs(minimizer_signal_eigenvalues(step_size, a)[0]) < 1;
}

} // namespace gdcert
