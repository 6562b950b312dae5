// Shared core of the 4-coordinate rank-1 problems with X = diag(1, σ) (σ = 0: factorization, eqs. 14, 402).
#pragma once

#include <gdcert/core/arithmetic.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/problems/detail/bilinear_distance.hpp>
#include <gdcert/problems/problem.hpp>

#include <cmath>
#include <concepts>

namespace gdcert {

/// The paper's coordinates of a rank-1 pair A = (a, u), B = (b, v): a, b signal, u, v off-signal.
/// Coordinate order: (a, b, u, v).
template <class T>
struct rank1_state {
  T a, b, u, v;
};

/// The state over extended_range, and back: the second evaluation of a formula whose
/// floating-point value overflowed (core/arithmetic.hpp).
template <std::floating_point Real>
[[nodiscard]] rank1_state<extended_range<Real>> extend_range(const rank1_state<Real>& x) {
  return {x.a, x.b, x.u, x.v};
}
template <std::floating_point Real>
[[nodiscard]] rank1_state<Real> round_to_real(const rank1_state<extended_range<Real>>& x) {
  return {x.a.rounded(), x.b.rounded(), x.u.rounded(), x.v.rounded()};
}
template <std::floating_point Real>
[[nodiscard]] bool all_finite(const rank1_state<Real>& x) {
  return std::isfinite(x.a) && std::isfinite(x.b) && std::isfinite(x.u) && std::isfinite(x.v);
}

namespace detail {

/// Loss ½((ab − 1)² + b²u² + a²v² + (uv − σ)²) and its GD map (402); σ = 0 is (14) exactly.
/// Minimizers M* = {ab = 1, u = v = 0} for every σ ∈ [0, 1).
template <class Derived>
class rank1_problem : public gradient_descent_map<Derived> {
public:
  template <class T>
  using state = rank1_state<T>;

  [[nodiscard]] double step_size() const noexcept { return eta_; }
  [[nodiscard]] static constexpr Eigen::Index dimension() noexcept { return 4; }

  /// a' = (1 − η(b² + v²))a + ηb, u' = (1 − η(b² + v²))u + ησv, and symmetrically for b, v.
  template <class T>
  [[nodiscard]] state<T> step(const state<T>& x) const {
    const T eta = constant<T>(eta_), eta_sigma = eta * constant<T>(sigma_);
    const T one = constant<T>(1.0);
    const T shrink_a = one - eta * (x.b * x.b + x.v * x.v); // 1 − η‖B‖²
    const T shrink_b = one - eta * (x.a * x.a + x.u * x.u); // 1 − η‖A‖²
    return {shrink_a * x.a + eta * x.b, shrink_b * x.b + eta * x.a,
            shrink_a * x.u + eta_sigma * x.v, shrink_b * x.v + eta_sigma * x.u};
  }

  /// Loss, gradient and Hessian are evaluated again over extended_range where their
  /// floating-point value is not finite (b²u² = ∞·0 at b = 1e200, u = 0): ±∞ then only where the
  /// value itself is beyond the range of Real.
  template <class T>
  [[nodiscard]] T loss(const state<T>& x) const {
    const T r = x.a * x.b - constant<T>(1.0), s = x.u * x.v - constant<T>(sigma_);
    const T value =
        constant<T>(0.5) * (r * r + x.b * x.b * x.u * x.u + x.a * x.a * x.v * x.v + s * s);
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(loss(extend_range(x)));
    return value;
  }

  template <class T>
  [[nodiscard]] state<T> gradient(const state<T>& x) const {
    const T r = x.a * x.b - constant<T>(1.0), s = x.u * x.v - constant<T>(sigma_);
    const state<T> value{r * x.b + x.a * x.v * x.v, r * x.a + x.b * x.u * x.u,
                         x.b * x.b * x.u + s * x.v, x.a * x.a * x.v + s * x.u};
    if constexpr (std::is_floating_point_v<T>)
      if (!all_finite(value))
        return round_to_real(gradient(extend_range(x)));
    return value;
  }

  /// Hessian of the loss in the order (a, b, u, v).
  template <class T>
  [[nodiscard]] matrix<T> hessian(const state<T>& x) const {
    const T two = constant<T>(2.0), zero = constant<T>(0.0);
    const T ab = two * x.a * x.b - constant<T>(1.0), uv = two * x.u * x.v - constant<T>(sigma_);
    const T av = two * x.a * x.v, bu = two * x.b * x.u;
    const T norm_b = x.b * x.b + x.v * x.v, norm_a = x.a * x.a + x.u * x.u;
    matrix<T> h(4, 4);
    h << norm_b, ab, zero, av, //
        ab, norm_a, bu, zero,  //
        zero, bu, norm_b, uv,  //
        av, zero, uv, norm_a;
    if constexpr (std::is_floating_point_v<T>)
      if (!all_finite(h))
        return round_to_real(hessian(extend_range(x)));
    return h;
  }

  /// λ_max(∇²R(x)) in closed form. In the order (a, u | b, v) the Hessian above is
  /// [[‖B‖²I, C], [Cᵀ, ‖A‖²I]] with C = [[2ab − 1, 2av], [2bu, 2uv − σ]], so λ_max follows from
  /// the spectral norm of the 2 × 2 block C, ‖C‖₂ = (√((p + w)² + (q − r)²) + √((p − w)² +
  /// (q + r)²))/2 for C = [[p, q], [r, w]]. Where a square overflows, the closed form is
  /// evaluated over extended_range: λ_max ≥ max(‖A‖², ‖B‖²) ≥ 0, so the result is the value
  /// rounded, +∞ only where λ_max itself is beyond the range of Real.
  template <std::floating_point Real>
  [[nodiscard]] Real sharpness(const state<Real>& x) const {
    const Real value = sharpness_over(x);
    if (!std::isfinite(value))
      return round_to_real(sharpness_over(extend_range(x)));
    return value;
  }

  template <class T>
  [[nodiscard]] vector<T> coordinates(const state<T>& x) const {
    vector<T> c(4);
    c << x.a, x.b, x.u, x.v;
    return c;
  }
  template <class T>
  [[nodiscard]] state<T> from_coordinates(const vector<T>& c) const {
    require_dimension("coordinates.size()", c.size(), 4);
    return {c(0), c(1), c(2), c(3)};
  }

  /// Euclidean distance to M* = {ab = 1, u = v = 0} (norms scaled: finite wherever it is
  /// representable).
  template <class Real>
  [[nodiscard]] Real distance_to_minimizers(const state<Real>& x) const {
    return scaled_norm({distance_to_hyperbola(x.a, x.b, Real(1)), x.u, x.v});
  }

protected:
  rank1_problem(double step_size, double sigma) : eta_(step_size), sigma_(sigma) {}

  /// The closed form of sharpness over Real or extended_range<Real>.
  template <class Real>
  [[nodiscard]] Real sharpness_over(const state<Real>& x) const {
    using std::sqrt;
    const Real p = 2 * x.a * x.b - 1, q = 2 * x.a * x.v, r = 2 * x.b * x.u;
    const Real w = 2 * x.u * x.v - Real(sigma_);
    const Real block_norm =
        (sqrt(square(p + w) + square(q - r)) + sqrt(square(p - w) + square(q + r))) / 2;
    return largest_block_eigenvalue(x.b * x.b + x.v * x.v, x.a * x.a + x.u * x.u, block_norm);
  }
  double eta_, sigma_;
};

} // namespace detail
} // namespace gdcert
