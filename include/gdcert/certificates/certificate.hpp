// The Certificate concept and the shared quadratic-in-δ form I(δ; x) = Lδ² + S δ − 4 (docs/formulas.md §2, §4).
#pragma once

#include <gdcert/core/arithmetic.hpp>
#include <gdcert/core/error.hpp>

#include <cmath>
#include <concepts>
#include <type_traits>

namespace gdcert {

/// A certificate `C` for a problem `P` is a state-dependent quadratic I(δ; x) whose level sets
/// shrink along GD (docs/formulas.md §2-3).
///
/// Valid expressions (`c` a `const C&`, `x` a `typename P::template state<T>`, `delta` a double):
/// | expression                 | returns | meaning                                             |
/// |----------------------------|---------|-----------------------------------------------------|
/// | `c(delta, x)`              | `T`     | I(δ; x); throws unless δ ∈ (0, 2)                   |
/// | `c.multiplier(delta, x)`   | `T`     | M(δ; x) of I(δ; GD(x)) = M·I(δ; x) + R (§3)         |
/// | `c.remainder(delta, x)`    | `T`     | R(δ; x)                                             |
/// | `c.state_parameter(x)`     | `T`     | δ(x): the root of δ ↦ I(δ; x) in (0, 2] (§4)        |
/// | `c.distance_to_terminal_set(x)` | `Real` | Euclidean distance to K₂ (floating T)        |
///
/// Over double and long double the built-in certificates never return NaN for a finite state: a
/// value that overflows on the way is evaluated again over extended_range (core/arithmetic.hpp),
/// δ(x) ≈ 4/S beyond about 1e154 (0 only below the least subnormal) and the distance to K₂ is
/// computed with scaled norms (finite wherever it is representable).
template <class C, class P, class T = double>
concept certificate = requires(const C& c, const typename P::template state<T>& x, double delta) {
  { c(delta, x) } -> std::convertible_to<T>;
  { c.multiplier(delta, x) } -> std::convertible_to<T>;
  { c.remainder(delta, x) } -> std::convertible_to<T>;
  { c.state_parameter(x) } -> std::convertible_to<T>;
};

/// Throws unless δ ∈ (0, 2), the range on which I(δ; ·) is a certificate.
inline double require_state_parameter(double delta) {
  return require_open_interval("state parameter delta", delta, 0.0, 2.0);
}

namespace detail {

/// I(δ; x) = Lδ² + Sδ − 4, the common shape of (10), (17), (22), (46): L the residual, S the
/// total squared norm.
template <class T>
[[nodiscard]] T quadratic_certificate(double delta, const T& residual, const T& total_norm) {
  const T d = constant<T>(delta);
  return residual * d * d + total_norm * d - constant<T>(4.0);
}

/// A quadratic certificate's value I(δ; x) at a state: Lδ² + Sδ − 4 with L = c.residual(x) and
/// S = c.total_norm(x); in floating point, a value that is not finite (∞ − ∞ past |x| ≈ 1e154) is
/// evaluated again over extended_range and rounded, so ±∞ only where I itself is beyond the range.
/// Throws unless δ ∈ (0, 2).
template <class T, class Certificate, class State>
[[nodiscard]] T quadratic_certificate_at(const Certificate& certificate, double delta,
                                         const State& x) {
  const T value = quadratic_certificate(require_state_parameter(delta), certificate.residual(x),
                                        certificate.total_norm(x));
  if constexpr (std::is_floating_point_v<T>)
    if (!std::isfinite(value))
      return round_to_real(certificate(delta, extend_range(x)));
  return value;
}

/// The root of Lδ² + Sδ − 4 in (0, 2], written without cancellation (§4):
/// δ = 8 / (S + √(S² + 16L)); S² + 16L >= 4(ab − 2)² >= 0 for every certificate of this shape.
/// In floating point the result lies in (0, 2] up to a few ulps (the origin gives exactly 2).
template <class T>
[[nodiscard]] T closed_form_state_parameter(const T& total_norm, const T& residual) {
  using std::sqrt;
  return constant<T>(8.0) /
         (total_norm + sqrt(total_norm * total_norm + constant<T>(16.0) * residual));
}

/// Whether a floating-point δ from closed_form_state_parameter went through an overflow: for a
/// finite S the true δ >= 8/(2S + 4) is a positive normal number, so 0 (S² = ∞, 8/∞) or NaN
/// (S = ∞ and 16L = −∞) can only come from a state beyond about 1e154 (double). The certificates
/// then evaluate δ over extended_range: δ ≈ 4/S, rounded (0 only below the least subnormal).
template <std::floating_point Real>
[[nodiscard]] bool state_parameter_overflowed(Real delta) {
  return !(delta > 0 && std::isfinite(delta));
}

} // namespace detail
} // namespace gdcert
