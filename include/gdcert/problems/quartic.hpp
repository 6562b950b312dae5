// The quartic-augmented scalar problem ½(ab − 1)² + μ(ab − 1)⁴ (docs/formulas.md §1, eqs. 31, 411).
#pragma once

#include <gdcert/core/error.hpp>
#include <gdcert/problems/detail/bilinear_distance.hpp>
#include <gdcert/problems/detail/two_coordinate.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace gdcert {

/// Quartic augmentation: with r = ab − 1, a' = a − η(r + 4μr³)b, b' = b − η(r + 4μr³)a (411).
/// Minimizers (local, global for μ >= 0) M* = {ab = 1}; stationary set S = M* ∪ {0}, plus the
/// hyperbolas ab = 1 ± 1/(2√(−μ)) when μ < 0. Coordinates ordered (a, b).
class quartic_factorization : public detail::two_coordinate_problem<quartic_factorization> {
public:
  /// Throws gdcert::invalid_parameter unless η > 0 and μ are finite.
  quartic_factorization(double step_size, double mu)
      : eta_(require_positive("step size eta", step_size)),
        mu_(require_finite("quartic weight mu", mu)) {}

  [[nodiscard]] double step_size() const noexcept { return eta_; }
  [[nodiscard]] double quartic_weight() const noexcept { return mu_; }

  /// GD map (411).
  template <class T>
  [[nodiscard]] state<T> step(const state<T>& x) const {
    const T r = x.a * x.b - constant<T>(1.0);
    const T force = constant<T>(eta_) * slope(r);
    return {x.a - force * x.b, x.b - force * x.a};
  }
  /// ½r² + μr⁴ (31). Loss, gradient and Hessian are evaluated again over extended_range where
  /// their floating-point value is not finite (r⁴ = ∞ with μ < 0 gives ∞ − ∞, μ = 0 gives 0·∞):
  /// ±∞ then only where the value itself is beyond the range of Real.
  template <class T>
  [[nodiscard]] T loss(const state<T>& x) const {
    const T r = x.a * x.b - constant<T>(1.0), r2 = r * r;
    const T value = constant<T>(0.5) * r2 + constant<T>(mu_) * r2 * r2;
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(loss(extend_range(x)));
    return value;
  }
  template <class T>
  [[nodiscard]] state<T> gradient(const state<T>& x) const {
    const T r = x.a * x.b - constant<T>(1.0);
    const T force = slope(r);
    const state<T> value{force * x.b, force * x.a};
    if constexpr (std::is_floating_point_v<T>)
      if (!all_finite(value))
        return round_to_real(gradient(extend_range(x)));
    return value;
  }
  /// φ'(r)(b, a)(b, a)ᵀ + φ(r)[[0, 1], [1, 0]], φ(r) = r + 4μr³.
  template <class T>
  [[nodiscard]] matrix<T> hessian(const state<T>& x) const {
    const T r = x.a * x.b - constant<T>(1.0);
    const T curvature = constant<T>(1.0) + constant<T>(12.0) * constant<T>(mu_) * r * r;
    const T off = curvature * x.a * x.b + slope(r);
    matrix<T> h(2, 2);
    h << T(curvature * x.b * x.b), off, off, T(curvature * x.a * x.a); // T(...): see scalar.hpp
    if constexpr (std::is_floating_point_v<T>)
      if (!all_finite(h))
        return round_to_real(hessian(extend_range(x)));
    return h;
  }

  /// Euclidean distance to M* = {ab = 1}.
  template <class Real>
  [[nodiscard]] Real distance_to_minimizers(const state<Real>& x) const {
    return detail::distance_to_hyperbola(x.a, x.b, Real(1));
  }
  /// Euclidean distance to S.
  template <class Real>
  [[nodiscard]] Real distance_to_stationary(const state<Real>& x) const {
    Real best = std::min(distance_to_minimizers(x), std::hypot(x.a, x.b));
    if (mu_ < 0) {
      const Real offset = 1 / (2 * std::sqrt(Real(-mu_)));
      best = std::min({best, detail::distance_to_hyperbola(x.a, x.b, 1 + offset),
                       detail::distance_to_hyperbola(x.a, x.b, 1 - offset)});
    }
    return best;
  }

private:
  /// φ(r) = r + 4μr³, the derivative of ½r² + μr⁴.
  template <class T>
  [[nodiscard]] T slope(const T& r) const {
    return r + constant<T>(4.0) * constant<T>(mu_) * r * r * r;
  }
  double eta_, mu_;
};

} // namespace gdcert
