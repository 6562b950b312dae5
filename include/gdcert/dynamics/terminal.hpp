// Terminal dynamics on the balanced manifold (docs/formulas.md §5, App. F): g_η, its 2-cycle L±, sharpness S±, the conjugacy to h.
#pragma once

#include <gdcert/core/arithmetic.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/dynamics/residual_map.hpp>
#include <gdcert/problems/diagonal_approximation.hpp>

#include <array>
#include <cmath>

namespace gdcert {

// The polynomials of L below are evaluated again over extended_range where their floating-point
// value comes out ±∞ or NaN (L² beyond the range, then ∞ − ∞): ±∞ only where the value itself is
// beyond the range of T (core/arithmetic.hpp).

/// g_η'(L) = (1 − 2η) + 2(2η − η²)L + 3η²L², the derivative of (172).
template <class T>
[[nodiscard]] T balanced_residual_derivative(double step_size, const T& residual) {
  const T eta = constant<T>(step_size), one = constant<T>(1.0), two = constant<T>(2.0);
  const T value = one - two * eta + two * (two * eta - eta * eta) * residual +
                  constant<T>(3.0) * eta * eta * residual * residual;
  if constexpr (std::is_floating_point_v<T>)
    if (!std::isfinite(value))
      return round_to_real(balanced_residual_derivative(step_size, extend_range(residual)));
  return value;
}

/// Fixed points of g_η: g(L) − L = ηL(L − 1)(ηL + 2), so L ∈ {0, 1, −2/η} (the minimizer, the
/// origin, and the escape point).
[[nodiscard]] inline std::array<double, 3> balanced_fixed_points(double step_size) {
  require_positive("step size eta", step_size);
  return {0.0, 1.0, -2.0 / step_size};
}

/// Critical points of g_η: −1/η and (2η − 1)/(3η) (172).
[[nodiscard]] inline std::array<double, 2> balanced_critical_points(double step_size) {
  require_positive("step size eta", step_size);
  return {-1.0 / step_size, (2 * step_size - 1) / (3 * step_size)};
}

/// P_η(L) = η²L² + η(1 − η)L + (1 − η), the factor of g∘g − id whose roots are the 2-cycle (176).
template <class T>
[[nodiscard]] T two_cycle_factor(double step_size, const T& residual) {
  const T eta = constant<T>(step_size), one = constant<T>(1.0);
  const T value = eta * eta * residual * residual + eta * (one - eta) * residual + (one - eta);
  if constexpr (std::is_floating_point_v<T>)
    if (!std::isfinite(value))
      return round_to_real(two_cycle_factor(step_size, extend_range(residual)));
  return value;
}

/// Q_η(L) = 2 + 2η(1 − η)L + 3η²(1 − η)L² + η³(3 − η)L³ + η⁴L⁴, the remaining factor of (176).
template <class T>
[[nodiscard]] T two_cycle_cofactor(double step_size, const T& residual) {
  const T eta = constant<T>(step_size), one = constant<T>(1.0), l = residual;
  const T eta2 = eta * eta, l2 = l * l;
  const T value = constant<T>(2.0) + constant<T>(2.0) * eta * (one - eta) * l +
                  constant<T>(3.0) * eta2 * (one - eta) * l2 +
                  eta2 * eta * (constant<T>(3.0) - eta) * l2 * l + eta2 * eta2 * l2 * l2;
  if constexpr (std::is_floating_point_v<T>)
    if (!std::isfinite(value))
      return round_to_real(two_cycle_cofactor(step_size, extend_range(residual)));
  return value;
}

/// The 2-cycle {L₋, L₊} of g_η for η > 1 (182-184): L± = (η − 1 ± √((η − 1)(η + 3)))/(2η), the
/// roots of P_η. Throws unless η ∈ (1, 2).
struct two_cycle {
  double lower, upper; ///< L₋ < L₊, with g(L₋) = L₊ and g(L₊) = L₋
};
[[nodiscard]] inline two_cycle balanced_two_cycle(double step_size) {
  require_open_interval("step size eta", step_size, 1.0, 2.0);
  const double eta = step_size, root = std::sqrt((eta - 1) * (eta + 3));
  return {(eta - 1 - root) / (2 * eta), (eta - 1 + root) / (2 * eta)};
}

/// μ_η = g'(L₋)g'(L₊) = 7 − 4η − 2η² (182-184): the 2-cycle attracts iff |μ_η| < 1, i.e. iff
/// 1 < η < √5 − 1.
[[nodiscard]] inline double two_cycle_multiplier(double step_size);

/// μ as the polynomial 7 − 4η − 2η² over any scalar (e.g. exact arithmetic in ℚ(√5)).
template <class T>
[[nodiscard]] T two_cycle_multiplier_polynomial(const T& eta) {
  const T value = constant<T>(7.0) - constant<T>(4.0) * eta - constant<T>(2.0) * eta * eta;
  if constexpr (std::is_floating_point_v<T>)
    if (!std::isfinite(value))
      return round_to_real(two_cycle_multiplier_polynomial(extend_range(eta)));
  return value;
}

inline double two_cycle_multiplier(double step_size) {
  return two_cycle_multiplier_polynomial(
      require_open_interval("step size eta", step_size, 1.0, 2.0));
}

/// The window (1, √5 − 1) of step sizes with an attracting 2-cycle (182-184).
[[nodiscard]] inline bool two_cycle_attracting(double step_size) {
  return step_size > 1 && step_size < std::sqrt(5.0) - 1;
}

/// Hessian eigenvalues of the scalar loss at a balanced point with residual L: {L, 2 − 3L} (185).
[[nodiscard]] inline std::array<double, 2> balanced_hessian_eigenvalues(double residual) {
  return {residual, 2 - 3 * residual};
}

/// Sharpness along the 2-cycle, S± = 2 − 3L± (185-189); S₊ < 2/η < S₋ and (S₊ + S₋)/2 = (η + 3)/(2η).
struct two_cycle_sharpness {
  double at_lower, at_upper; ///< S₋ = 2 − 3L₋ (the larger), S₊ = 2 − 3L₊
};
[[nodiscard]] inline two_cycle_sharpness balanced_two_cycle_sharpness(double step_size) {
  const two_cycle cycle = balanced_two_cycle(step_size);
  return {2 - 3 * cycle.lower, 2 - 3 * cycle.upper};
}

/// The conjugacy (190-194): x = η(1 − L)/(1 + η) maps g_η to h(x) = m x(1 − x)², m = (1 + η)².
template <class T>
[[nodiscard]] T conjugacy_coordinate(double step_size, const T& residual) {
  const T eta = constant<T>(step_size);
  const T value = eta * (constant<T>(1.0) - residual) / (constant<T>(1.0) + eta);
  if constexpr (std::is_floating_point_v<T>)
    if (!std::isfinite(value))
      return round_to_real(conjugacy_coordinate(step_size, extend_range(residual)));
  return value;
}

/// h(x) = m x(1 − x)², m = (1 + η)² (190-194).
template <class T>
[[nodiscard]] T conjugate_map(double step_size, const T& x) {
  const T m = constant<T>((1 + step_size)) * constant<T>((1 + step_size));
  const T gap = constant<T>(1.0) - x;
  const T value = m * x * gap * gap;
  if constexpr (std::is_floating_point_v<T>)
    if (!std::isfinite(value))
      return round_to_real(conjugate_map(step_size, extend_range(x)));
  return value;
}

/// Schwarzian derivative of h, Sh(x) = −6(6x² − 8x + 3)/(1 − 4x + 3x²)² < 0 (194): negative
/// Schwarzian, so each attracting cycle attracts a critical point (Singer). Where the squared
/// denominator overflows (|x| beyond about 1e77 in double: the quotient would come out −0 or NaN)
/// it is evaluated over extended_range, Sh(x) ≈ −4/x², rounded.
template <class Real>
[[nodiscard]] Real conjugate_schwarzian(const Real& x) {
  const Real denominator = 1 - 4 * x + 3 * x * x;
  const Real value = -6 * (6 * x * x - 8 * x + 3) / (denominator * denominator);
  if constexpr (std::is_floating_point_v<Real>)
    if (!std::isfinite(value) || !std::isfinite(denominator * denominator))
      return round_to_real(conjugate_schwarzian(extend_range(x)));
  return value;
}

/// The balanced slice {a = b, u = v} of X = diag(1, σ) (392-396): a' = αa, u' = βu with
/// α = 1 − ηs + η, β = 1 − ηs + ησ, s = a² + u². A floating-point step that comes out ±∞ or NaN
/// (α·0 with α = −∞ at a = 0 and |u| beyond about 1e154) is taken again over extended_range and
/// rounded; other scalars (lane packs among them) run the branch-free formula alone.
template <class T>
struct balanced_slice_state {
  T a, u;
};
template <class T>
[[nodiscard]] balanced_slice_state<T> balanced_slice_step(const diagonal_approximation& problem,
                                                          const balanced_slice_state<T>& x) {
  const T eta = constant<T>(problem.step_size()), one = constant<T>(1.0);
  const T s = x.a * x.a + x.u * x.u;
  const T alpha = one - eta * s + eta, beta = one - eta * s + eta * constant<T>(problem.sigma());
  const balanced_slice_state<T> next{alpha * x.a, beta * x.u};
  if constexpr (std::is_floating_point_v<T>)
    if (!std::isfinite(next.a) || !std::isfinite(next.u)) {
      const auto wide =
          balanced_slice_step(problem, balanced_slice_state<extended_range<T>>{x.a, x.u});
      return {round_to_real(wide.a), round_to_real(wide.u)};
    }
  return next;
}

} // namespace gdcert
