// The scalar problem ½(ab − σ)² and its GD map (docs/formulas.md §1, eqs. 7-8).
#pragma once

#include <gdcert/core/error.hpp>
#include <gdcert/problems/detail/bilinear_distance.hpp>
#include <gdcert/problems/detail/two_coordinate.hpp>

#include <algorithm>
#include <cmath>
#include <concepts>

namespace gdcert {

/// Scalar factorization: loss ½(ab − σ)², GD map (8) a' = (1 − ηb²)a + ησb, b' = (1 − ηa²)b + ησa.
/// Minimizers M* = {ab = σ}; stationary set S = M* ∪ {0}. Coordinates are ordered (a, b).
class scalar_factorization : public detail::two_coordinate_problem<scalar_factorization> {
public:
  /// Throws gdcert::invalid_parameter unless η > 0 and σ > 0 are finite.
  explicit scalar_factorization(double step_size, double target = 1.0)
      : eta_(require_positive("step size eta", step_size)),
        sigma_(require_positive("target sigma", target)) {}

  [[nodiscard]] double step_size() const noexcept { return eta_; }
  [[nodiscard]] double target() const noexcept { return sigma_; }

  /// GD map (8).
  template <class T>
  [[nodiscard]] state<T> step(const state<T>& x) const {
    const T eta = constant<T>(eta_), eta_sigma = eta * constant<T>(sigma_);
    const T one = constant<T>(1.0);
    return {(one - eta * x.b * x.b) * x.a + eta_sigma * x.b,
            (one - eta * x.a * x.a) * x.b + eta_sigma * x.a};
  }

  /// ½(ab − σ)² (7).
  template <class T>
  [[nodiscard]] T loss(const state<T>& x) const {
    const T r = x.a * x.b - constant<T>(sigma_);
    return constant<T>(0.5) * r * r;
  }

  template <class T>
  [[nodiscard]] state<T> gradient(const state<T>& x) const {
    const T r = x.a * x.b - constant<T>(sigma_);
    return {r * x.b, r * x.a};
  }

  /// [[b², 2ab − σ], [2ab − σ, a²]].
  template <class T>
  [[nodiscard]] matrix<T> hessian(const state<T>& x) const {
    matrix<T> h(2, 2);
    const T off = constant<T>(2.0) * x.a * x.b - constant<T>(sigma_);
    h << T(x.b * x.b), off, off, T(x.a * x.a); // T(...): lane packs must not read as blocks
    if constexpr (std::is_floating_point_v<T>)
      if (!all_finite(h)) // 2a·b = ∞·0 past |a| ≈ 9e307: again without overflow
        return round_to_real(hessian(extend_range(x)));
    return h;
  }

  /// λ_max(∇²R(x)) of the Hessian above in closed form (no matrix built). Where a square
  /// overflows, the closed form is evaluated over extended_range: λ_max ≥ max(a², b²) ≥ 0, so the
  /// result is the value rounded, +∞ only where λ_max itself is beyond the range of Real.
  template <std::floating_point Real>
  [[nodiscard]] Real sharpness(const state<Real>& x) const {
    const Real value = sharpness_over(x);
    if (!std::isfinite(value))
      return round_to_real(sharpness_over(extend_range(x)));
    return value;
  }

  /// Euclidean distance to M* = {ab = σ}.
  template <class Real>
  [[nodiscard]] Real distance_to_minimizers(const state<Real>& x) const {
    return detail::distance_to_hyperbola(x.a, x.b, Real(sigma_));
  }
  /// Euclidean distance to S = M* ∪ {0}.
  template <class Real>
  [[nodiscard]] Real distance_to_stationary(const state<Real>& x) const {
    return std::min(distance_to_minimizers(x), std::hypot(x.a, x.b));
  }

private:
  /// The closed form of sharpness over Real or extended_range<Real>.
  template <class Real>
  [[nodiscard]] Real sharpness_over(const state<Real>& x) const {
    return largest_block_eigenvalue(x.b * x.b, x.a * x.a, 2 * x.a * x.b - Real(sigma_));
  }

  double eta_, sigma_;
};

} // namespace gdcert
