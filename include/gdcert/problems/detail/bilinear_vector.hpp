// Shared polynomial core of the vector problems ½(⟨u,v⟩ − y)² + (λ/2)(‖u‖² + ‖v‖²) ([LM 4], eqs. 44-45).
#pragma once

#include <gdcert/core/arithmetic.hpp>
#include <gdcert/core/error.hpp>

namespace gdcert::detail {

/// u' = (1 − ηλ)u − ηz v, v' = (1 − ηλ)v − ηz u with z = ⟨u,v⟩ − y (all from the old iterate).
template <class T>
void bilinear_step(const vector<T>& u, const vector<T>& v, double step_size, double target,
                   double lambda, vector<T>& u_next, vector<T>& v_next) {
  const T eta = constant<T>(step_size);
  const T keep = constant<T>(1.0) - eta * constant<T>(lambda);
  const T minus_eta_z = -eta * (dot(u, v) - constant<T>(target));
  u_next = combine(keep, u, minus_eta_z, v);
  v_next = combine(keep, v, minus_eta_z, u);
}

template <class T>
[[nodiscard]] T bilinear_loss(const vector<T>& u, const vector<T>& v, double target,
                              double lambda) {
  const T z = dot(u, v) - constant<T>(target);
  const T half = constant<T>(0.5);
  return half * z * z + half * constant<T>(lambda) * (squared_norm(u) + squared_norm(v));
}

/// ∇_u = z v + λu, ∇_v = z u + λv.
template <class T>
void bilinear_gradient(const vector<T>& u, const vector<T>& v, double target, double lambda,
                       vector<T>& gradient_u, vector<T>& gradient_v) {
  const T z = dot(u, v) - constant<T>(target), l = constant<T>(lambda);
  gradient_u = combine(z, v, l, u);
  gradient_v = combine(z, u, l, v);
}

/// [[v vᵀ + λI, v uᵀ + zI], [u vᵀ + zI, u uᵀ + λI]] in the order (u, v).
template <class T>
[[nodiscard]] matrix<T> bilinear_hessian(const vector<T>& u, const vector<T>& v, double target,
                                         double lambda) {
  const Eigen::Index d = u.size();
  const T z = dot(u, v) - constant<T>(target), l = constant<T>(lambda), zero = constant<T>(0.0);
  matrix<T> h(2 * d, 2 * d);
  for (Eigen::Index i = 0; i < d; ++i)
    for (Eigen::Index j = 0; j < d; ++j) {
      const T diagonal_uu = i == j ? l : zero, diagonal_uv = i == j ? z : zero;
      h(i, j) = v(i) * v(j) + diagonal_uu;
      h(d + i, d + j) = u(i) * u(j) + diagonal_uu;
      h(i, d + j) = v(i) * u(j) + diagonal_uv;
      h(d + i, j) = u(i) * v(j) + diagonal_uv;
    }
  return h;
}

/// Throws unless both blocks of a state have `dimension` coordinates: every public member of the
/// vector problems calls it once, before its loops (a state is user input; the loops index both).
template <class T>
void require_blocks(const vector<T>& u, const vector<T>& v, Eigen::Index dimension,
                    const char* first, const char* second) {
  require_dimension(first, u.size(), dimension);
  require_dimension(second, v.size(), dimension);
}

/// (u, v) stacked; throws if either block does not have `dimension` coordinates.
template <class T>
[[nodiscard]] vector<T> stack(const vector<T>& u, const vector<T>& v, Eigen::Index dimension,
                              const char* first, const char* second) {
  require_blocks(u, v, dimension, first, second);
  vector<T> c(2 * dimension);
  c.head(dimension) = u;
  c.tail(dimension) = v;
  return c;
}

} // namespace gdcert::detail
