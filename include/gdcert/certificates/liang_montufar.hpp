// Liang–Montúfar's function Q(σ; a, b) and the (L, G)-plane ellipses of the scalar certificate (docs/formulas.md §2, eqs. 9, 48-53).
#pragma once

#include <gdcert/certificates/certificate.hpp>

#include <cmath>

namespace gdcert {

/// Q(σ; a, b) = a² + b² + √((a² + b²)² − 16σ(ab − σ)) [LM 9]. For δ ∈ (0, 2),
/// sgn I_sc(δ) = sgn(Q − 8σ/δ), and δ(x) = 8σ/Q (σ = 1: δ = 8/Q). Here and in shifted_ellipse a
/// floating-point value that comes out ±∞ or NaN (squares beyond the range: ∞ − ∞) is evaluated
/// again over extended_range (core/arithmetic.hpp): ±∞ only where the value itself is beyond it.
template <class T>
[[nodiscard]] T liang_montufar_q(double sigma, const T& a, const T& b) {
  using std::sqrt;
  const T s = a * a + b * b, target = constant<T>(require_positive("target sigma", sigma));
  const T value = s + sqrt(s * s - constant<T>(16.0) * target * (a * b - target));
  if constexpr (std::is_floating_point_v<T>)
    if (!std::isfinite(value))
      return round_to_real(liang_montufar_q(sigma, extend_range(a), extend_range(b)));
  return value;
}

/// E_sc(δ; L, G) = L² + G²/(4 − δ²) − 4/δ² (51): sgn E_sc = sgn I_sc (Proposition 5), with the
/// exact identity δ²(G² + 4(1 − L)²) − (4 − δ²L)² = δ²(4 − δ²)·E_sc (core identity, §2).
template <class T>
[[nodiscard]] T scalar_ellipse(double delta, const T& residual, const T& imbalance) {
  const T d = constant<T>(require_state_parameter(delta)), four = constant<T>(4.0);
  return residual * residual + imbalance * imbalance / (four - d * d) - four / (d * d);
}

/// The shifted ellipse of rank-1 factorization (53), Δ = 4 − δ²:
/// (L − δN/Δ)² + G²/Δ − (2/δ − 2N/Δ)²; with `shifted_ellipse_valid` it characterizes
/// {I_fac(δ) <= 0} at fixed N (Proposition 6). δ²(4(1 − L)² + G²) − (4 − δ²L − δN)² = δ²Δ·E.
template <class T>
[[nodiscard]] T shifted_ellipse(double delta, const T& residual, const T& imbalance,
                                const T& off_signal_norm) {
  const T d = constant<T>(require_state_parameter(delta)), two = constant<T>(2.0);
  const T gap = constant<T>(4.0) - d * d;
  const T centre = d * off_signal_norm / gap, radius = two / d - two * off_signal_norm / gap;
  const T value =
      (residual - centre) * (residual - centre) + imbalance * imbalance / gap - radius * radius;
  if constexpr (std::is_floating_point_v<T>)
    if (!std::isfinite(value))
      return round_to_real(shifted_ellipse(delta, extend_range(residual), extend_range(imbalance),
                                           extend_range(off_signal_norm)));
  return value;
}

/// The side condition 4/δ − δL − N >= 0 of (53), under which the squaring step is reversible.
template <class T>
[[nodiscard]] T shifted_ellipse_side(double delta, const T& residual, const T& off_signal_norm) {
  const T d = constant<T>(require_state_parameter(delta));
  return constant<T>(4.0) / d - d * residual - off_signal_norm;
}

/// Scalar GD (8) at σ = 1 in (L, G) coordinates (49-50): G' = G(1 − η²L²),
/// L' = L(1 − η²L(1 − L) − η√(4(1 − L)² + G²)). A floating-point step that comes out ±∞ or NaN
/// (0·∞ at G = 0 and |L| beyond about 1e154) is taken again over extended_range and rounded.
template <class Real>
void scalar_step_in_residual_imbalance(double step_size, Real& residual, Real& imbalance) {
  using std::sqrt;
  const Real eta = require_positive("step size eta", step_size), l = residual, g = imbalance;
  imbalance = g * (1 - eta * eta * l * l);
  residual = l * (1 - eta * eta * l * (1 - l) - eta * sqrt(4 * (1 - l) * (1 - l) + g * g));
  if constexpr (std::is_floating_point_v<Real>)
    if (!std::isfinite(imbalance) || !std::isfinite(residual)) {
      extended_range<Real> wide_residual = l, wide_imbalance = g;
      scalar_step_in_residual_imbalance(step_size, wide_residual, wide_imbalance);
      residual = round_to_real(wide_residual);
      imbalance = round_to_real(wide_imbalance);
    }
}

} // namespace gdcert
