// Coordinate plumbing shared by the two-coordinate scalar problems (a, b): the scalar and quartic losses.
#pragma once

#include <gdcert/core/error.hpp>
#include <gdcert/problems/problem.hpp>

#include <cmath>
#include <concepts>

namespace gdcert {

/// The state (a, b) of the scalar problems; coordinate order (a, b).
template <class T>
struct scalar_state {
  T a, b;
};

/// The state over extended_range, and back: the second evaluation of a formula whose
/// floating-point value overflowed (core/arithmetic.hpp).
template <std::floating_point Real>
[[nodiscard]] scalar_state<extended_range<Real>> extend_range(const scalar_state<Real>& x) {
  return {x.a, x.b};
}
template <std::floating_point Real>
[[nodiscard]] scalar_state<Real> round_to_real(const scalar_state<extended_range<Real>>& x) {
  return {x.a.rounded(), x.b.rounded()};
}
template <std::floating_point Real>
[[nodiscard]] bool all_finite(const scalar_state<Real>& x) {
  return std::isfinite(x.a) && std::isfinite(x.b);
}

namespace detail {

/// Base of the problems whose state is (a, b): dimension, coordinates and their inverse.
template <class Derived>
class two_coordinate_problem : public gradient_descent_map<Derived> {
public:
  template <class T>
  using state = scalar_state<T>;

  [[nodiscard]] static constexpr Eigen::Index dimension() noexcept { return 2; }

  template <class T>
  [[nodiscard]] vector<T> coordinates(const state<T>& x) const {
    vector<T> c(2);
    c << x.a, x.b;
    return c;
  }
  template <class T>
  [[nodiscard]] state<T> from_coordinates(const vector<T>& c) const {
    require_dimension("coordinates.size()", c.size(), 2);
    return {c(0), c(1)};
  }
};

} // namespace detail
} // namespace gdcert
