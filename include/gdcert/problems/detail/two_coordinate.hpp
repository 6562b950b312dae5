// Coordinate plumbing shared by the two-coordinate scalar problems (a, b): the scalar and quartic losses.
#pragma once

#include <gdcert/core/error.hpp>
#include <gdcert/problems/problem.hpp>

namespace gdcert {

/// The state (a, b) of the scalar problems; coordinate order (a, b).
template <class T>
struct scalar_state {
  T a, b;
};

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
