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
  };

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
  template <class T>
  [[nodiscard]] T loss(const state<T>& x) const {
    require_state(x);
    return detail::bilinear_loss(x.a, x.b, 1.0, 0.0);
  }
  template <class T>
  [[nodiscard]] state<T> gradient(const state<T>& x) const {
    require_state(x);
    state<T> g;
    detail::bilinear_gradient(x.a, x.b, 1.0, 0.0, g.a, g.b);
    return g;
  }
  template <class T>
  [[nodiscard]] matrix<T> hessian(const state<T>& x) const {
    require_state(x);
    return detail::bilinear_hessian(x.a, x.b, 1.0, 0.0);
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
  /// Euclidean distance to S = M* ∪ {0}.
  template <class Real>
  [[nodiscard]] Real distance_to_stationary(const state<Real>& x) const {
    return std::min(distance_to_minimizers(x), std::sqrt(squared_norm(x.a) + squared_norm(x.b)));
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
