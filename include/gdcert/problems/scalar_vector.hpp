// The scalar-vector problem ½(⟨a,b⟩ − 1)², a, b ∈ ℝ^d, and its GD map (docs/formulas.md §1, eqs. 44-45).
#pragma once

#include <gdcert/core/error.hpp>
#include <gdcert/problems/detail/bilinear_distance.hpp>
#include <gdcert/problems/detail/bilinear_vector.hpp>
#include <gdcert/problems/problem.hpp>

#include <algorithm>
#include <cmath>

namespace gdcert {

/// Scalar-vector factorization: loss ½(⟨a,b⟩ − 1)², GD map (45) a' = a + ηLb, b' = b + ηLa with
/// L = 1 − ⟨a,b⟩. Minimizers M* = {⟨a,b⟩ = 1}; S = M* ∪ {0}. Coordinates ordered (a, b).
class scalar_vector_factorization : public gradient_descent_map<scalar_vector_factorization> {
public:
  template <class T>
  struct state {
    vector<T> a, b;

    /// The state over extended_range, and back: the second evaluation of a formula whose
    /// floating-point value overflowed (core/arithmetic.hpp).
    friend auto extend_range(const state& x) requires std::floating_point<T> {
      return state<extended_range<T>>{gdcert::extend_range(x.a), gdcert::extend_range(x.b)};
    }
    friend bool all_finite(const state& x) requires std::floating_point<T> {
      return x.a.allFinite() && x.b.allFinite();
    }
  };
  template <std::floating_point Real>
  friend state<Real> round_to_real(const state<extended_range<Real>>& x) {
    return {gdcert::round_to_real(x.a), gdcert::round_to_real(x.b)};
  }

  /// Throws gdcert::invalid_parameter unless η > 0 and d >= 1.
  scalar_vector_factorization(double step_size, Eigen::Index dimension)
      : eta_(require_positive("step size eta", step_size)), d_(dimension) {
    require_extent("vector dimension d", dimension, 1, max_state_dimension / 2);
  }

  [[nodiscard]] double step_size() const noexcept { return eta_; }
  [[nodiscard]] Eigen::Index vector_dimension() const noexcept { return d_; }
  [[nodiscard]] Eigen::Index dimension() const noexcept { return 2 * d_; }

  /// GD map (45).
  template <class T>
  [[nodiscard]] state<T> step(const state<T>& x) const {
    require_state(x);
    state<T> next;
    detail::bilinear_step(x.a, x.b, eta_, 1.0, 0.0, next.a, next.b);
    return next;
  }
  /// Loss, gradient and Hessian are evaluated again over extended_range where their
  /// floating-point value is not finite (⟨a,b⟩ summing +∞ and −∞, z·0 with z = ∞): ±∞ then only
  /// where the value itself is beyond the range of Real.
  template <class T>
  [[nodiscard]] T loss(const state<T>& x) const {
    require_state(x);
    const T value = detail::bilinear_loss(x.a, x.b, 1.0, 0.0);
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(loss(extend_range(x)));
    return value;
  }
  template <class T>
  [[nodiscard]] state<T> gradient(const state<T>& x) const {
    require_state(x);
    state<T> g;
    detail::bilinear_gradient(x.a, x.b, 1.0, 0.0, g.a, g.b);
    if constexpr (std::is_floating_point_v<T>)
      if (!all_finite(g))
        return round_to_real(gradient(extend_range(x)));
    return g;
  }
  template <class T>
  [[nodiscard]] matrix<T> hessian(const state<T>& x) const {
    require_state(x);
    const matrix<T> h = detail::bilinear_hessian(x.a, x.b, 1.0, 0.0);
    if constexpr (std::is_floating_point_v<T>)
      if (!all_finite(h))
        return round_to_real(hessian(extend_range(x)));
    return h;
  }
  template <class T>
  [[nodiscard]] vector<T> coordinates(const state<T>& x) const {
    return detail::stack(x.a, x.b, d_, "a.size()", "b.size()");
  }
  template <class T>
  [[nodiscard]] state<T> from_coordinates(const vector<T>& c) const {
    require_dimension("coordinates.size()", c.size(), 2 * d_);
    return {c.head(d_), c.tail(d_)};
  }

  /// Euclidean distance to M* = {⟨a,b⟩ = 1}.
  template <class Real>
  [[nodiscard]] Real distance_to_minimizers(const state<Real>& x) const {
    require_state(x);
    return detail::distance_to_bilinear_level(x.a, x.b, Real(1));
  }
  /// Euclidean distance to S = M* ∪ {0} (norms scaled: finite wherever it is representable).
  template <class Real>
  [[nodiscard]] Real distance_to_stationary(const state<Real>& x) const {
    return std::min(distance_to_minimizers(x), scaled_norm(coordinates(x)));
  }

private:
  template <class T>
  void require_state(const state<T>& x) const {
    detail::require_blocks(x.a, x.b, d_, "a.size()", "b.size()");
  }

  double eta_;
  Eigen::Index d_;
};

} // namespace gdcert
