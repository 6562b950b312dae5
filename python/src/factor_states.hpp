// The states of the matrix problems as their two factors: (A, B) of matrix_factorization, (X, Y)
// of matrix_sensing and matrix_completion, each a column-major matrix with r columns whose entries
// are the state's coordinates in that order (vec of the first factor, then vec of the second).
#pragma once

#include <gdcert/core/arithmetic.hpp>

#include <Eigen/Core>

#include <array>
#include <utility>

namespace gdcert::python {

/// A state of two matrix factors named (A, B) (matrix_factorization).
template <class State>
concept ab_factor_state = requires(const State& x) {
  x.A.rows();
  x.B.rows();
};
/// A state of two matrix factors named (X, Y) (matrix_sensing, matrix_completion).
template <class State>
concept xy_factor_state = requires(const State& x) {
  x.X.rows();
  x.Y.rows();
};
/// A problem whose double state is two matrix factors.
template <class P>
concept matrix_problem = ab_factor_state<typename P::template state<double>> ||
    xy_factor_state<typename P::template state<double>>;

/// The two factors of a state, in coordinate order.
template <class State>
[[nodiscard]] auto factors_of(const State& x) {
  if constexpr (ab_factor_state<State>)
    return std::pair<const decltype(x.A)&, const decltype(x.B)&>(x.A, x.B);
  else
    return std::pair<const decltype(x.X)&, const decltype(x.Y)&>(x.X, x.Y);
}

/// The shapes {rows of the first factor, rows of the second, r} of a matrix problem's state:
/// matrix_factorization (n, m, r) for A (n × r), B (m × r) and a target m × n; the others
/// (n1, n2, r).
template <matrix_problem P>
[[nodiscard]] std::array<Eigen::Index, 3> factor_shape(const P& p) {
  if constexpr (ab_factor_state<typename P::template state<double>>)
    return {p.target().cols(), p.target().rows(), p.rank()};
  else
    return {p.rows(), p.columns(), p.rank()};
}

} // namespace gdcert::python
