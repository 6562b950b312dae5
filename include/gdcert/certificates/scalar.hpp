// The scalar certificate I_sc(δ; a, b) with its recursion, normal form, state parameter and K₂ (docs/formulas.md §2-4).
#pragma once

#include <gdcert/certificates/certificate.hpp>
#include <gdcert/certificates/detail/balanced_projection.hpp>
#include <gdcert/problems/scalar.hpp>

#include <cmath>

namespace gdcert {

namespace detail {
/// M = 1 − ηδL + η²L² (12-13, 47).
template <class T>
[[nodiscard]] T scalar_multiplier(double step_size, double delta, const T& residual) {
  const T eta = constant<T>(step_size), d = constant<T>(delta);
  return constant<T>(1.0) - eta * d * residual + eta * eta * residual * residual;
}
/// R = η(δ − η)(δ² − 4)L² (12-13, 47): negative for 0 < η < δ < 2 unless L = 0.
template <class T>
[[nodiscard]] T scalar_remainder(double step_size, double delta, const T& residual) {
  const T eta = constant<T>(step_size), d = constant<T>(delta);
  return eta * (d - eta) * (d * d - constant<T>(4.0)) * residual * residual;
}
} // namespace detail

/// I_sc(δ; a, b) = δ(a² + b²) − δ²ab + δ² − 4 (10) for the scalar problem. For a target σ ≠ 1 the
/// paper's rescaling (2.3) x ← x/√σ, η ← ησ is applied exactly: a² + b² and ab are divided by σ
/// and η is replaced by ησ in M and R, so the identities stay polynomial. Every member evaluated
/// over a floating-point type whose value comes out ±∞ or NaN (a state beyond about 1e154 in
/// double: squares overflow, then ∞ − ∞) is evaluated again over extended_range and rounded, so a
/// finite state gives ±∞ only where the value itself is beyond the range, never NaN.
/// state_parameter is δ ≈ 4/S there (0 only below the least subnormal); distance_to_terminal_set
/// is finite wherever it is representable.
class scalar_certificate {
public:
  explicit scalar_certificate(const scalar_factorization& problem)
      : eta_(problem.step_size() * problem.target()), sigma_(problem.target()) {}

  /// L = 1 − ab/σ, the residual in rescaled coordinates.
  template <class T>
  [[nodiscard]] T residual(const scalar_factorization::state<T>& x) const {
    const T value = constant<T>(1.0) - x.a * x.b / constant<T>(sigma_);
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(residual(extend_range(x)));
    return value;
  }
  /// S = (a² + b²)/σ.
  template <class T>
  [[nodiscard]] T total_norm(const scalar_factorization::state<T>& x) const {
    const T value = (x.a * x.a + x.b * x.b) / constant<T>(sigma_);
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(total_norm(extend_range(x)));
    return value;
  }
  /// G = (b² − a²)/σ, the imbalance (§2, (L, G)-plane).
  template <class T>
  [[nodiscard]] T imbalance(const scalar_factorization::state<T>& x) const {
    const T value = (x.b * x.b - x.a * x.a) / constant<T>(sigma_);
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(imbalance(extend_range(x)));
    return value;
  }

  /// I_sc(δ; x) (10). Throws unless δ ∈ (0, 2).
  template <class T>
  [[nodiscard]] T operator()(double delta, const scalar_factorization::state<T>& x) const {
    return detail::quadratic_certificate_at<T>(*this, delta, x);
  }
  /// I_sc(2; x) = 2(a − b)²/σ (10): the limit δ → 2, whose zero set is the balanced line.
  template <class T>
  [[nodiscard]] T limit_form(const scalar_factorization::state<T>& x) const {
    const T value = constant<T>(2.0) * (x.a - x.b) * (x.a - x.b) / constant<T>(sigma_);
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(limit_form(extend_range(x)));
    return value;
  }
  /// M(δ; x) of (12-13).
  template <class T>
  [[nodiscard]] T multiplier(double delta, const scalar_factorization::state<T>& x) const {
    const T value = detail::scalar_multiplier(eta_, require_state_parameter(delta), residual(x));
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(multiplier(delta, extend_range(x)));
    return value;
  }
  /// R(δ; x) of (12-13).
  template <class T>
  [[nodiscard]] T remainder(double delta, const scalar_factorization::state<T>& x) const {
    const T value = detail::scalar_remainder(eta_, require_state_parameter(delta), residual(x));
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(remainder(delta, extend_range(x)));
    return value;
  }

  /// P(δ) = [[δ, −δ²/2], [−δ²/2, δ]]/(4 − δ²) (29), in rescaled coordinates.
  [[nodiscard]] static Eigen::Matrix2d normal_form_matrix(double delta) {
    require_state_parameter(delta);
    Eigen::Matrix2d p;
    p << delta, -delta * delta / 2, -delta * delta / 2, delta;
    return p / (4 - delta * delta);
  }
  /// xᵀP(δ)x/σ − 1 (24, 27): equals I_sc(δ; x)/(4 − δ²) exactly.
  template <class T>
  [[nodiscard]] T normal_form(double delta, const scalar_factorization::state<T>& x) const {
    const T d = constant<T>(require_state_parameter(delta));
    const T quadratic =
        d * (x.a * x.a + x.b * x.b) - d * d * x.a * x.b; // xᵀ[[δ, −δ²/2], [−δ²/2, δ]]x
    const T value =
        quadratic / ((constant<T>(4.0) - d * d) * constant<T>(sigma_)) - constant<T>(1.0);
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(normal_form(delta, extend_range(x)));
    return value;
  }

  /// δ(x) = 8/(S + √(S² + 16L)) (§4), equal to 8σ/Q(σ; a, b) of Liang–Montúfar (9).
  template <class T>
  [[nodiscard]] T state_parameter(const scalar_factorization::state<T>& x) const {
    const T delta = detail::closed_form_state_parameter(total_norm(x), residual(x));
    if constexpr (std::is_floating_point_v<T>)
      if (detail::state_parameter_overflowed(delta))
        return round_to_real(state_parameter(extend_range(x)));
    return delta;
  }

  /// Distance to K₂^sc = {a = b, (1 − ab/σ)² <= 1} = {a = b, a² <= 2σ} (160).
  template <class Real>
  [[nodiscard]] Real distance_to_terminal_set(const scalar_factorization::state<Real>& x) const {
    const Real radius = std::sqrt(Real(2) * Real(sigma_));
    const Real distance = std::sqrt(detail::squared_distance_to_balanced_ball(x.a, x.b, radius));
    if (std::isfinite(distance))
      return distance;
    return detail::distance_to_balanced_ball(x.a, x.b, radius, {}); // the squares overflowed
  }

private:
  double eta_, sigma_;
};

} // namespace gdcert
