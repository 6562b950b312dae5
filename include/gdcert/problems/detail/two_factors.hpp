// The coordinates of a two-factor state (matrix factorization, sensing, completion): vec of the first factor, then vec of the second, column-major.
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

} // namespace gdcert::detail
