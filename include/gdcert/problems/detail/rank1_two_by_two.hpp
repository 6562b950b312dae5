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

  template <class T>
  [[nodiscard]] T loss(const state<T>& x) const {
    const T r = x.a * x.b - constant<T>(1.0), s = x.u * x.v - constant<T>(sigma_);
    return constant<T>(0.5) * (r * r + x.b * x.b * x.u * x.u + x.a * x.a * x.v * x.v + s * s);
  }

  template <class T>
  [[nodiscard]] state<T> gradient(const state<T>& x) const {
    const T r = x.a * x.b - constant<T>(1.0), s = x.u * x.v - constant<T>(sigma_);
    return {r * x.b + x.a * x.v * x.v, r * x.a + x.b * x.u * x.u, x.b * x.b * x.u + s * x.v,
            x.a * x.a * x.v + s * x.u};
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
    return h;
  }

  /// λ_max(∇²R(x)) in closed form. In the order (a, u | b, v) the Hessian above is
  /// [[‖B‖²I, C], [Cᵀ, ‖A‖²I]] with C = [[2ab − 1, 2av], [2bu, 2uv − σ]], so λ_max follows from
  /// the spectral norm of the 2 × 2 block C, ‖C‖₂ = (√((p + w)² + (q − r)²) + √((p − w)² +
  /// (q + r)²))/2 for C = [[p, q], [r, w]].
  template <std::floating_point Real>
  [[nodiscard]] Real sharpness(const state<Real>& x) const {
    using std::sqrt;
    const Real p = 2 * x.a * x.b - 1, q = 2 * x.a * x.v, r = 2 * x.b * x.u;
    const Real w = 2 * x.u * x.v - Real(sigma_);
    const Real block_norm =
        (sqrt(square(p + w) + square(q - r)) + sqrt(square(p - w) + square(q + r))) / 2;
    return largest_block_eigenvalue(x.b * x.b + x.v * x.v, x.a * x.a + x.u * x.u, block_norm);
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

  /// Euclidean distance to M* = {ab = 1, u = v = 0}.
  template <class Real>
  [[nodiscard]] Real distance_to_minimizers(const state<Real>& x) const {
    using std::sqrt;
    return sqrt(square(distance_to_hyperbola(x.a, x.b, Real(1))) + x.u * x.u + x.v * x.v);
  }

protected:
  rank1_problem(double step_size, double sigma) : eta_(step_size), sigma_(sigma) {}
  double eta_, sigma_;
};

} // namespace detail
} // namespace gdcert
