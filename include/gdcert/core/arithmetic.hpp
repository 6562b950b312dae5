// What the library asks of a scalar type, and the few helpers that make one formula serve every one.
#pragma once

#include <gdcert/core/error.hpp>

#include <Eigen/Core>

#include <cmath>
#include <concepts>
#include <type_traits>

namespace gdcert {

/// A fixed-size Eigen array used as a SIMD lane pack: one call of a map advances W points at once.
template <class T>
concept lane_pack = std::is_base_of_v<Eigen::ArrayBase<T>, T> &&(T::SizeAtCompileTime > 0);

/// Scalars on which the maps and certificates run: double, long double, exact rationals,
/// intervals and lane packs all qualify. Comparisons are not required (no value branches).
template <class T>
concept field_scalar = std::copyable<T> && requires(T x, T y) {
  { x + y } -> std::convertible_to<T>;
  { x - y } -> std::convertible_to<T>;
  { x* y } -> std::convertible_to<T>;
  { -x } -> std::convertible_to<T>;
};

/// Floating-point scalars for which sqrt, isfinite and root finding make sense.
template <class T>
concept real_floating = std::floating_point<T>;

/// Converts a parameter stored as double into the scalar T, exactly for every T the library
/// supports (a double is an exact dyadic rational). Lane packs get the value in every lane.
template <class T>
[[nodiscard]] inline T constant(double value) {
  if constexpr (lane_pack<T>)
    return T::Constant(value);
  else
    return T(value);
}

/// x * x, written once so every formula squares the same way.
template <class T>
[[nodiscard]] inline T square(const T& x) {
  return x * x;
}

/// Scalar type of an Eigen vector or matrix of T.
template <class T>
using vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
template <class T>
using matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

/// Inner product written as an explicit loop: it runs for scalars Eigen's reductions do not
/// support (lane packs, Boost rationals), and keeps the evaluation order fixed. Operands of
/// different sizes throw (one comparison per call, outside the loop), never read past a buffer.
template <class T>
[[nodiscard]] T dot(const vector<T>& x, const vector<T>& y) {
  require_dimension("vector operand size", y.size(), x.size());
  T sum = constant<T>(0.0);
  for (Eigen::Index i = 0; i < x.size(); ++i)
    sum = sum + x(i) * y(i);
  return sum;
}

template <class T>
[[nodiscard]] T squared_norm(const vector<T>& x) {
  return dot(x, x);
}

/// out = alpha * x + beta * y, coefficient-wise, with scalar (not vector) weights.
template <class T>
[[nodiscard]] vector<T> combine(const T& alpha, const vector<T>& x, const T& beta,
                                const vector<T>& y) {
  require_dimension("vector operand size", y.size(), x.size());
  vector<T> out(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i)
    out(i) = alpha * x(i) + beta * y(i);
  return out;
}

/// C = A * B by explicit loops (Eigen's GEMM rejects lane-pack and Boost-rational scalars).
template <class T>
[[nodiscard]] matrix<T> multiply(const matrix<T>& a, const matrix<T>& b) {
  require_dimension("matrix product inner size", b.rows(), a.cols());
  matrix<T> c(a.rows(), b.cols());
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    for (Eigen::Index j = 0; j < b.cols(); ++j) {
      T sum = constant<T>(0.0);
      for (Eigen::Index k = 0; k < a.cols(); ++k)
        sum = sum + a(i, k) * b(k, j);
      c(i, j) = sum;
    }
  return c;
}

/// Converts a double vector or matrix to scalar T, coefficient by coefficient (exactly).
template <class T, class Derived>
[[nodiscard]] Eigen::Matrix<T, Derived::RowsAtCompileTime, Derived::ColsAtCompileTime>
cast_to(const Eigen::MatrixBase<Derived>& m) {
  Eigen::Matrix<T, Derived::RowsAtCompileTime, Derived::ColsAtCompileTime> out(m.rows(), m.cols());
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j)
      out(i, j) = constant<T>(double(m(i, j)));
  return out;
}

/// Largest eigenvalue of the symmetric [[αI, C], [Cᵀ, βI]] whose block C has spectral norm s:
/// (α + β)/2 + √(((α − β)/2)² + s²), the larger root written without cancellation. With 1 × 1
/// blocks it is the closed form of a symmetric 2 × 2 matrix [[α, c], [c, β]] (s = |c|). Square
/// roots of sums of squares, not hypot: this runs once per point of a sweep, and entries beyond
/// 1e150 (where the squares overflow to +∞) are outside every sweep's escape bound.
template <class Real>
[[nodiscard]] Real largest_block_eigenvalue(Real alpha, Real beta, Real s) {
  using std::sqrt;
  return (alpha + beta) / 2 + sqrt(square((alpha - beta) / 2) + s * s);
}

} // namespace gdcert
