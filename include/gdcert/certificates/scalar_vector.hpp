// The scalar-vector certificate I(δ; a, b) = δ(‖a‖² + ‖b‖²) + δ²(1 − ⟨a,b⟩) − 4 (docs/formulas.md §2, eqs. 46-47).
#pragma once

#include <gdcert/certificates/certificate.hpp>
#include <gdcert/certificates/detail/balanced_projection.hpp>
#include <gdcert/certificates/scalar.hpp>
#include <gdcert/problems/scalar_vector.hpp>

#include <cmath>

namespace gdcert {

/// Certificate (46) of scalar-vector factorization; its recursion (47) has the scalar M and R.
/// Floating-point members that come out ±∞ or NaN (a state beyond about 1e154 in double) are
/// evaluated again over extended_range, as in scalar_certificate: never NaN for a finite state.
class scalar_vector_certificate {
public:
  explicit scalar_vector_certificate(const scalar_vector_factorization& problem)
      : eta_(problem.step_size()) {}

  /// L = 1 − ⟨a,b⟩.
  template <class T>
  [[nodiscard]] T residual(const scalar_vector_factorization::state<T>& x) const {
    const T value = constant<T>(1.0) - dot(x.a, x.b); // ⟨a,b⟩ may sum +∞ and −∞
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(residual(extend_range(x)));
    return value;
  }
  /// S = ‖a‖² + ‖b‖².
  template <class T>
  [[nodiscard]] T total_norm(const scalar_vector_factorization::state<T>& x) const {
    return squared_norm(x.a) + squared_norm(x.b);
  }

  /// I(δ; x) (46). Throws unless δ ∈ (0, 2).
  template <class T>
  [[nodiscard]] T operator()(double delta, const scalar_vector_factorization::state<T>& x) const {
    return detail::quadratic_certificate_at<T>(*this, delta, x);
  }
  /// M(δ; x) = 1 − ηδL + η²L² (47).
  template <class T>
  [[nodiscard]] T multiplier(double delta, const scalar_vector_factorization::state<T>& x) const {
    const T value = detail::scalar_multiplier(eta_, require_state_parameter(delta), residual(x));
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(multiplier(delta, extend_range(x)));
    return value;
  }
  /// R(δ; x) = η(δ − η)(δ² − 4)L² (47).
  template <class T>
  [[nodiscard]] T remainder(double delta, const scalar_vector_factorization::state<T>& x) const {
    const T value = detail::scalar_remainder(eta_, require_state_parameter(delta), residual(x));
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(remainder(delta, extend_range(x)));
    return value;
  }
  /// δ(x) = 8/(S + √(S² + 16L)) (§4).
  template <class T>
  [[nodiscard]] T state_parameter(const scalar_vector_factorization::state<T>& x) const {
    const T delta = detail::closed_form_state_parameter(total_norm(x), residual(x));
    if constexpr (std::is_floating_point_v<T>)
      if (detail::state_parameter_overflowed(delta))
        return round_to_real(state_parameter(extend_range(x)));
    return delta;
  }
  /// Distance to K₂ = {a = b, ‖a‖² <= 2}, the vector analogue of (160).
  template <class Real>
  [[nodiscard]] Real
  distance_to_terminal_set(const scalar_vector_factorization::state<Real>& x) const {
    const Real radius = std::sqrt(Real(2));
    const Real distance = std::sqrt(detail::squared_distance_to_balanced_ball(x.a, x.b, radius));
    if (std::isfinite(distance))
      return distance;
    return detail::distance_to_balanced_ball(x.a, x.b, radius, {}); // the squares overflowed
  }

private:
  double eta_;
};

} // namespace gdcert
