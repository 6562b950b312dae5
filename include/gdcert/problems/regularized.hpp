// ℓ2-regularized scalar-vector factorization ½(⟨u,v⟩ − y)² + (λ/2)(‖u‖² + ‖v‖²) (docs/formulas.md §1, [LM 4]).
#pragma once

#include <gdcert/core/error.hpp>
#include <gdcert/problems/detail/bilinear_distance.hpp>
#include <gdcert/problems/detail/bilinear_vector.hpp>
#include <gdcert/problems/problem.hpp>

#include <algorithm>
#include <cmath>

namespace gdcert {

/// Liang–Montúfar's regularized problem: u' = (1 − ηλ)u − ηzv, v' = (1 − ηλ)v − ηzu, z = ⟨u,v⟩ − y.
/// For λ > 0: minimizers M = {u = sgn(y)v, ‖u‖² = |y| − λ} if λ < |y|, else {0}; S = M ∪ {0}.
/// For λ = 0: M = {⟨u,v⟩ = y} and S = M ∪ {0}. Coordinates ordered (u, v).
class regularized_factorization : public gradient_descent_map<regularized_factorization> {
public:
  template <class T>
  struct state {
    vector<T> u, v;

    /// The state over extended_range, and back: the second evaluation of a formula whose
    /// floating-point value overflowed (core/arithmetic.hpp).
    friend auto extend_range(const state& x) requires std::floating_point<T> {
      return state<extended_range<T>>{gdcert::extend_range(x.u), gdcert::extend_range(x.v)};
    }
    friend bool all_finite(const state& x) requires std::floating_point<T> {
      return x.u.allFinite() && x.v.allFinite();
    }
  };
  template <std::floating_point Real>
  friend state<Real> round_to_real(const state<extended_range<Real>>& x) {
    return {gdcert::round_to_real(x.u), gdcert::round_to_real(x.v)};
  }

  /// Throws gdcert::invalid_parameter unless η > 0, d >= 1, y finite and λ >= 0.
  regularized_factorization(double step_size, Eigen::Index dimension, double target, double lambda)
      : eta_(require_positive("step size eta", step_size)), d_(dimension),
        y_(require_finite("target y", target)),
        lambda_(require_non_negative("regularization lambda", lambda)) {
    require_extent("vector dimension d", dimension, 1, max_state_dimension / 2);
  }

  [[nodiscard]] double step_size() const noexcept { return eta_; }
  [[nodiscard]] double target() const noexcept { return y_; }
  [[nodiscard]] double regularization() const noexcept { return lambda_; }
  [[nodiscard]] Eigen::Index vector_dimension() const noexcept { return d_; }
  [[nodiscard]] Eigen::Index dimension() const noexcept { return 2 * d_; }

  /// GD map [LM 4].
  template <class T>
  [[nodiscard]] state<T> step(const state<T>& x) const {
    require_state(x);
    state<T> next;
    detail::bilinear_step(x.u, x.v, eta_, y_, lambda_, next.u, next.v);
    return next;
  }
  /// Loss, gradient and Hessian are evaluated again over extended_range where their
  /// floating-point value is not finite (⟨u,v⟩ summing +∞ and −∞, z·0 with z = ∞): ±∞ then only
  /// where the value itself is beyond the range of Real.
  template <class T>
  [[nodiscard]] T loss(const state<T>& x) const {
    require_state(x);
    const T value = detail::bilinear_loss(x.u, x.v, y_, lambda_);
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(loss(extend_range(x)));
    return value;
  }
  template <class T>
  [[nodiscard]] state<T> gradient(const state<T>& x) const {
    require_state(x);
    state<T> g;
    detail::bilinear_gradient(x.u, x.v, y_, lambda_, g.u, g.v);
    if constexpr (std::is_floating_point_v<T>)
      if (!all_finite(g))
        return round_to_real(gradient(extend_range(x)));
    return g;
  }
  template <class T>
  [[nodiscard]] matrix<T> hessian(const state<T>& x) const {
    require_state(x);
    const matrix<T> h = detail::bilinear_hessian(x.u, x.v, y_, lambda_);
    if constexpr (std::is_floating_point_v<T>)
      if (!all_finite(h))
        return round_to_real(hessian(extend_range(x)));
    return h;
  }
  template <class T>
  [[nodiscard]] vector<T> coordinates(const state<T>& x) const {
    return detail::stack(x.u, x.v, d_, "u.size()", "v.size()");
  }
  template <class T>
  [[nodiscard]] state<T> from_coordinates(const vector<T>& c) const {
    require_dimension("coordinates.size()", c.size(), 2 * d_);
    return {c.head(d_), c.tail(d_)};
  }

  /// Euclidean distance to M. For λ > 0 the nearest point of {u = sv, ‖u‖² = ρ} (s = sgn y) is
  /// u* = √ρ (u + sv)/‖u + sv‖, giving dist² = ‖u‖² + ‖v‖² + 2ρ − 2√ρ‖u + sv‖. Beyond
  /// 2^(max_exponent/4) (where ‖u + sv‖² may overflow while ‖u‖² + ‖v‖² does not, and the
  /// difference would come out 0) the distance is the scaled norm of (u − u*, v − su*) itself,
  /// with the direction of u + sv taken from u/2 + sv/2 (no overflow).
  template <class Real>
  [[nodiscard]] Real distance_to_minimizers(const state<Real>& x) const {
    require_state(x);
    if (lambda_ == 0)
      return detail::distance_to_bilinear_level(x.u, x.v, Real(y_));
    const Real rho = std::max(Real(std::abs(y_)) - Real(lambda_), Real(0));
    const Real s = y_ >= 0 ? 1 : -1;
    if (magnitude_exponent({largest_magnitude(x.u), largest_magnitude(x.v)}) == 0) {
      const Real norms = squared_norm(x.u) + squared_norm(x.v);
      Real sum2 = 0;
      for (Eigen::Index i = 0; i < d_; ++i)
        sum2 += square(x.u(i) + s * x.v(i));
      return std::sqrt(std::max(norms + 2 * rho - 2 * std::sqrt(rho * sum2), Real(0)));
    }
    const vector<Real> half_sum = x.u / 2 + s * (x.v / 2);
    const Real half_norm = scaled_norm(half_sum);
    if (half_norm == 0) // u = −sv: every foot point is as near, at √(‖u‖² + ‖v‖² + 2ρ)
      return scaled_norm({scaled_norm(coordinates(x)), std::sqrt(2 * rho)});
    const vector<Real> foot = std::sqrt(rho) * (half_sum / half_norm);
    vector<Real> difference(2 * d_);
    difference.head(d_) = x.u - foot;
    difference.tail(d_) = x.v - s * foot;
    return scaled_norm(difference);
  }
  /// Euclidean distance to S = M ∪ {0} (norms scaled: finite wherever it is representable).
  template <class Real>
  [[nodiscard]] Real distance_to_stationary(const state<Real>& x) const {
    return std::min(distance_to_minimizers(x), scaled_norm(coordinates(x)));
  }

private:
  template <class T>
  void require_state(const state<T>& x) const {
    detail::require_blocks(x.u, x.v, d_, "u.size()", "v.size()");
  }

  double eta_;
  Eigen::Index d_;
  double y_, lambda_;
};

} // namespace gdcert
