// The rank-1 approximation certificate I_apx(δ; x) with its recursion (81-83), regrouping (87) and K₂^apx (docs/formulas.md §2-3).
#pragma once

#include <gdcert/certificates/certificate.hpp>
#include <gdcert/certificates/detail/balanced_projection.hpp>
#include <gdcert/problems/rank1_approximation.hpp>

#include <cmath>

namespace gdcert {

/// I_apx(δ; x) = δ(‖A‖² + ‖B‖²) − δ²⟨a,b⟩ + δ² − 4 (22), certificate of the paper's rank-1
/// approximation X = diag(I_k, 0) without ridge. Floating-point members that come out ±∞ or NaN
/// (a state beyond about 1e154 in double) are evaluated again over extended_range, as in
/// scalar_certificate: never NaN for a finite state.
class approximation_certificate {
public:
  template <class T>
  using state = rank1_approximation::state<T>;

  /// Throws gdcert::invalid_parameter unless the problem is the paper's case (s = 1, λ = 0).
  explicit approximation_certificate(const rank1_approximation& problem)
      : eta_(problem.step_size()) {
    if (problem.regularization() != 0)
      throw invalid_parameter("regularization lambda", detail::to_text(problem.regularization()),
                              "0 (I_apx certifies X = diag(I_k, 0) without ridge)");
    for (Eigen::Index i = 0; i < problem.signal_dimension(); ++i)
      if (problem.singular_values()(i) != 1.0)
        throw invalid_parameter("singular value s[" + std::to_string(i) + "]",
                                detail::to_text(problem.singular_values()(i)),
                                "1 (I_apx certifies X = diag(I_k, 0))");
  }

  /// L = 1 − ⟨a,b⟩.
  template <class T>
  [[nodiscard]] static T residual(const state<T>& x) {
    const T value = constant<T>(1.0) - dot(x.a, x.b); // ⟨a,b⟩ may sum +∞ and −∞
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(residual(extend_range(x)));
    return value;
  }
  /// N = u² + v².
  template <class T>
  [[nodiscard]] static T off_signal_norm(const state<T>& x) {
    return x.u * x.u + x.v * x.v;
  }
  /// S = ‖A‖² + ‖B‖².
  template <class T>
  [[nodiscard]] static T total_norm(const state<T>& x) {
    return squared_norm(x.a) + squared_norm(x.b) + off_signal_norm(x);
  }
  /// D_S = ‖a‖²‖b‖² − ⟨a,b⟩² (§0).
  template <class T>
  [[nodiscard]] static T signal_coupling(const state<T>& x) {
    const T p = dot(x.a, x.b);
    const T value = squared_norm(x.a) * squared_norm(x.b) - p * p;
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(signal_coupling(extend_range(x)));
    return value;
  }
  /// D = ‖A‖²‖B‖² − ⟨a,b⟩² (§0).
  template <class T>
  [[nodiscard]] static T coupling(const state<T>& x) {
    const T p = dot(x.a, x.b);
    const T value = (squared_norm(x.a) + x.u * x.u) * (squared_norm(x.b) + x.v * x.v) - p * p;
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(coupling(extend_range(x)));
    return value;
  }

  /// I_apx(δ; x) (22). Throws unless δ ∈ (0, 2).
  template <class T>
  [[nodiscard]] T operator()(double delta, const state<T>& x) const {
    return detail::quadratic_certificate_at<T>(*this, delta, x);
  }
  /// M = 1 − ηδL + η²(L² + D) (81).
  template <class T>
  [[nodiscard]] T multiplier(double delta, const state<T>& x) const {
    const T eta = constant<T>(eta_), d = constant<T>(require_state_parameter(delta));
    const T l = residual(x);
    const T value = constant<T>(1.0) - eta * d * l + eta * eta * (l * l + coupling(x));
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(multiplier(delta, extend_range(x)));
    return value;
  }
  /// R = η(δ − η)((δ² − 4)L² − 4D) + η²δ²(D_S − D_N) + ηδ(δ − η)N (81-83).
  template <class T>
  [[nodiscard]] T remainder(double delta, const state<T>& x) const {
    const T eta = constant<T>(eta_), d = constant<T>(require_state_parameter(delta));
    const T l = residual(x), gap = d - eta, four = constant<T>(4.0);
    const T value = eta * gap * ((d * d - four) * l * l - four * coupling(x)) +
                    eta * eta * d * d * (signal_coupling(x) - x.u * x.u * x.v * x.v) +
                    eta * d * gap * off_signal_norm(x);
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(remainder(delta, extend_range(x)));
    return value;
  }
  /// The regrouped remainder (87): η(δ − η)(δ² − 4)L² − η²δ²D_N + η q_η(δ) D_S
  /// + η(δ − η)[δN − 4(‖a‖²v² + ‖b‖²u² + u²v²)], q_η(δ) = ηδ² − 4(δ − η). Equal to `remainder`.
  template <class T>
  [[nodiscard]] T remainder_regrouped(double delta, const state<T>& x) const {
    const T eta = constant<T>(eta_), d = constant<T>(require_state_parameter(delta));
    const T l = residual(x), gap = d - eta, four = constant<T>(4.0);
    const T q = eta * d * d - four * gap;
    const T uv2 = x.u * x.u * x.v * x.v;
    const T cross = squared_norm(x.a) * x.v * x.v + squared_norm(x.b) * x.u * x.u + uv2;
    const T value = eta * gap * (d * d - four) * l * l - eta * eta * d * d * uv2 +
                    eta * q * signal_coupling(x) +
                    eta * gap * (d * off_signal_norm(x) - four * cross);
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(remainder_regrouped(delta, extend_range(x)));
    return value;
  }
  /// δ(x) = 8/(S + √(S² + 16L)) (§4).
  template <class T>
  [[nodiscard]] T state_parameter(const state<T>& x) const {
    const T delta = detail::closed_form_state_parameter(total_norm(x), residual(x));
    if constexpr (std::is_floating_point_v<T>)
      if (detail::state_parameter_overflowed(delta))
        return round_to_real(state_parameter(extend_range(x)));
    return delta;
  }
  /// Distance to K₂^apx = {a = b, u = v = 0, ‖a‖² <= 2} (161).
  template <class Real>
  [[nodiscard]] Real distance_to_terminal_set(const state<Real>& x) const {
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
