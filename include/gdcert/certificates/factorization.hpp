// The rank-1 factorization certificate I_fac(δ; x) with its affine recursion and K₂^fac (docs/formulas.md §2-3, eqs. 17, 59-62).
#pragma once

#include <gdcert/certificates/certificate.hpp>
#include <gdcert/certificates/detail/balanced_projection.hpp>
#include <gdcert/problems/rank1_factorization.hpp>

#include <cmath>

namespace gdcert {

/// I_fac(δ; x) = δ(a² + b² + u² + v²) − δ²ab + δ² − 4 (17), certificate of
/// gdcert::rank1_factorization. Floating-point members that come out ±∞ or NaN (a state beyond
/// about 1e154 in double) are evaluated again over extended_range, as in scalar_certificate:
/// never NaN for a finite state.
class factorization_certificate {
public:
  using state_type = rank1_factorization::state<double>;
  explicit factorization_certificate(const rank1_factorization& problem)
      : eta_(problem.step_size()) {}

  /// L = 1 − ab.
  template <class T>
  [[nodiscard]] static T residual(const rank1_state<T>& x) {
    return constant<T>(1.0) - x.a * x.b;
  }
  /// S = a² + b² + u² + v².
  template <class T>
  [[nodiscard]] static T total_norm(const rank1_state<T>& x) {
    return x.a * x.a + x.b * x.b + off_signal_norm(x);
  }
  /// N = u² + v².
  template <class T>
  [[nodiscard]] static T off_signal_norm(const rank1_state<T>& x) {
    return x.u * x.u + x.v * x.v;
  }
  /// G = b² − a².
  template <class T>
  [[nodiscard]] static T imbalance(const rank1_state<T>& x) {
    const T value = x.b * x.b - x.a * x.a;
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(imbalance(extend_range(x)));
    return value;
  }
  /// D = (a² + u²)(b² + v²) − a²b² (§0).
  template <class T>
  [[nodiscard]] static T coupling(const rank1_state<T>& x) {
    const T value = (x.a * x.a + x.u * x.u) * (x.b * x.b + x.v * x.v) - x.a * x.a * x.b * x.b;
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(coupling(extend_range(x)));
    return value;
  }

  /// I_fac(δ; x) (17). Throws unless δ ∈ (0, 2).
  template <class T>
  [[nodiscard]] T operator()(double delta, const rank1_state<T>& x) const {
    return detail::quadratic_certificate_at<T>(*this, delta, x);
  }
  /// I_fac(2; x) = 2(a − b)² + 2(u² + v²) (17).
  template <class T>
  [[nodiscard]] T limit_form(const rank1_state<T>& x) const {
    return constant<T>(2.0) * ((x.a - x.b) * (x.a - x.b) + off_signal_norm(x));
  }
  /// M = 1 − ηδL + η²(L² + D) (59-61).
  template <class T>
  [[nodiscard]] T multiplier(double delta, const rank1_state<T>& x) const {
    const T eta = constant<T>(eta_), d = constant<T>(require_state_parameter(delta));
    const T l = residual(x);
    const T value = constant<T>(1.0) - eta * d * l + eta * eta * (l * l + coupling(x));
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(multiplier(delta, extend_range(x)));
    return value;
  }
  /// M written as η²D + η²(L − δ/(2η))² + 1 − δ²/4 >= 0 (62).
  template <class T>
  [[nodiscard]] T multiplier_completed_square(double delta, const rank1_state<T>& x) const {
    const T eta = constant<T>(eta_), d = constant<T>(require_state_parameter(delta));
    const T shifted = residual(x) - d / (constant<T>(2.0) * eta);
    const T value = eta * eta * coupling(x) + eta * eta * shifted * shifted + constant<T>(1.0) -
                    d * d / constant<T>(4.0);
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(multiplier_completed_square(delta, extend_range(x)));
    return value;
  }
  /// R = −(ηδ)²u²v² + η(δ − η)((δ² − 4)L² − 4D + δN) (59-61); < 0 on {I = 0} \ S for 0 < η < δ < 2
  /// (Proposition 2), = 0 on S.
  template <class T>
  [[nodiscard]] T remainder(double delta, const rank1_state<T>& x) const {
    const T eta = constant<T>(eta_), d = constant<T>(require_state_parameter(delta));
    const T l = residual(x), eta_d = eta * d;
    const T value = -eta_d * eta_d * x.u * x.u * x.v * x.v +
                    eta * (d - eta) *
                        ((d * d - constant<T>(4.0)) * l * l - constant<T>(4.0) * coupling(x) +
                         d * off_signal_norm(x));
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(remainder(delta, extend_range(x)));
    return value;
  }
  /// δ(x) = 8/(S + √(S² + 16L)) (§4).
  template <class T>
  [[nodiscard]] T state_parameter(const rank1_state<T>& x) const {
    const T delta = detail::closed_form_state_parameter(total_norm(x), residual(x));
    if constexpr (std::is_floating_point_v<T>)
      if (detail::state_parameter_overflowed(delta))
        return round_to_real(state_parameter(extend_range(x)));
    return delta;
  }
  /// Distance to K₂^fac = {a = b, u = v = 0, a² <= 2} (168).
  template <class Real>
  [[nodiscard]] Real distance_to_terminal_set(const rank1_state<Real>& x) const {
    const Real radius = std::sqrt(Real(2));
    const Real distance =
        std::sqrt(detail::squared_distance_to_balanced_ball(x.a, x.b, radius) + off_signal_norm(x));
    if (std::isfinite(distance))
      return distance;
    return detail::distance_to_balanced_ball(x.a, x.b, radius, {x.u, x.v}); // squares overflowed
  }

private:
  double eta_;
};

} // namespace gdcert
