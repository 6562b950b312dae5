// Two-factor states (matrix factorization, sensing, completion): their coordinates (vec of the first factor, then of the second, column-major) and the allocation-free products XYᵀ, MY, MᵀX.
#pragma once

#include <gdcert/core/arithmetic.hpp>

#include <Eigen/Core>

#include <utility>

namespace gdcert::detail {

/// (vec(first), vec(second)): the coordinate order of every matrix problem's state.
template <class T>
[[nodiscard]] vector<T> stacked_coordinates(const matrix<T>& first, const matrix<T>& second) {
  vector<T> c(first.size() + second.size());
  for (Eigen::Index i = 0; i < first.size(); ++i)
    c(i) = first(i);
  for (Eigen::Index i = 0; i < second.size(); ++i)
    c(first.size() + i) = second(i);
  return c;
}

/// The inverse of stacked_coordinates: a first_rows × r and a second_rows × r factor from c (whose
/// size the caller has checked).
template <class T>
[[nodiscard]] std::pair<matrix<T>, matrix<T>>
unstacked_factors(const vector<T>& c, Eigen::Index first_rows, Eigen::Index second_rows,
                  Eigen::Index r) {
  std::pair<matrix<T>, matrix<T>> out{matrix<T>(first_rows, r), matrix<T>(second_rows, r)};
  for (Eigen::Index i = 0; i < out.first.size(); ++i)
    out.first(i) = c(i);
  for (Eigen::Index i = 0; i < out.second.size(); ++i)
    out.second(i) = c(out.first.size() + i);
  return out;
}

/// out = XYᵀ, one matrix-vector product per column (out.col(j) = X·(row j of Y)ᵀ): unlike Eigen's
/// GEMM, whose packing buffers come from the heap past EIGEN_STACK_ALLOCATION_LIMIT, it allocates
/// nothing at any size, and it is as fast here (inner dimension r).
template <class Real>
void factor_product_into(const matrix<Real>& x, const matrix<Real>& y, matrix<Real>& out) {
  for (Eigen::Index j = 0; j < y.rows(); ++j)
    out.col(j).noalias() = x * y.row(j).transpose();
}

/// force_x = M·Y and force_y = Mᵀ·X, column by column (matrix-vector products: no allocation).
template <class Real>
void factor_forces_into(const matrix<Real>& m, const matrix<Real>& x, const matrix<Real>& y,
                        matrix<Real>& force_x, matrix<Real>& force_y) {
  for (Eigen::Index c = 0; c < x.cols(); ++c) {
    force_x.col(c).noalias() = m * y.col(c);
    force_y.col(c).noalias() = m.transpose() * x.col(c);
  }
}

} // namespace gdcert::detail
