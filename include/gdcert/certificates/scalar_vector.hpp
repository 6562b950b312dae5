// The scalar-vector certificate I(δ; a, b) = δ(‖a‖² + ‖b‖²) + δ²(1 − ⟨a,b⟩) − 4 (docs/formulas.md §2, eqs. 46-47).
#pragma once

#include <gdcert/certificates/certificate.hpp>
#include <gdcert/certificates/detail/balanced_projection.hpp>
#include <gdcert/certificates/scalar.hpp>
#include <gdcert/problems/scalar_vector.hpp>

#include <cmath>

namespace gdcert {

/// Certificate (46) of scalar-vector factorization; its recursion (47) has the scalar M and R.
class scalar_vector_certificate {
public:
  explicit scalar_vector_certificate(const scalar_vector_factorization& problem)
      : eta_(problem.step_size()) {}

  /// L = 1 − ⟨a,b⟩.
  template <class T>
  [[nodiscard]] T residual(const scalar_vector_factorization::state<T>& x) const {
    return constant<T>(1.0) - dot(x.a, x.b);
  }
  /// S = ‖a‖² + ‖b‖².
  template <class T>
  [[nodiscard]] T total_norm(const scalar_vector_factorization::state<T>& x) const {
    return squared_norm(x.a) + squared_norm(x.b);
  }

  /// I(δ; x) (46). Throws unless δ ∈ (0, 2).
  template <class T>
  [[nodiscard]] T operator()(double delta, const scalar_vector_factorization::state<T>& x) const {
    return detail::quadratic_certificate(require_state_parameter(delta), residual(x),
                                         total_norm(x));
  }
  /// M(δ; x) = 1 − ηδL + η²L² (47).
  template <class T>
  [[nodiscard]] T multiplier(double delta, const scalar_vector_factorization::state<T>& x) const {
    return detail::scalar_multiplier(eta_, require_state_parameter(delta), residual(x));
  }
  /// R(δ; x) = η(δ − η)(δ² − 4)L² (47).
  template <class T>
  [[nodiscard]] T remainder(double delta, const scalar_vector_factorization::state<T>& x) const {
    return detail::scalar_remainder(eta_, require_state_parameter(delta), residual(x));
  }
  /// δ(x) = 8/(S + √(S² + 16L)) (§4).
  template <class T>
  [[nodiscard]] T state_parameter(const scalar_vector_factorization::state<T>& x) const {
    return detail::closed_form_state_parameter(total_norm(x), residual(x));
  }
  /// Distance to K₂ = {a = b, ‖a‖² <= 2}, the vector analogue of (160).
  template <class Real>
  [[nodiscard]] Real
  distance_to_terminal_set(const scalar_vector_factorization::state<Real>& x) const {
    return std::sqrt(detail::squared_distance_to_balanced_ball(x.a, x.b, std::sqrt(Real(2))));
  }

private:
  double eta_;
};

} // namespace gdcert
