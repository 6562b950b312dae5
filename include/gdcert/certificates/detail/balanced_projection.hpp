// Distances to the terminal sets K₂ (docs/formulas.md §2, eqs. 160-168, 363): projections onto balanced discs.
#pragma once

#include <gdcert/core/arithmetic.hpp>

#include <algorithm>
#include <cmath>
#include <initializer_list>

namespace gdcert::detail {

/// Squared distance from (a, b) ∈ ℝ^d × ℝ^d to {a' = b' = m, ‖m‖² <= radius²}: the nearest
/// balanced point is the midpoint (a + b)/2, pulled back into the ball.
template <class Real>
[[nodiscard]] Real squared_distance_to_balanced_ball(const vector<Real>& a, const vector<Real>& b,
                                                     Real radius) {
  require_dimension("b.size()", b.size(), a.size());
  const vector<Real> middle = (a + b) / 2;
  const Real norm = middle.norm();
  const Real scale = norm > radius ? radius / norm : Real(1);
  return (a - scale * middle).squaredNorm() + (b - scale * middle).squaredNorm();
}

template <class Real>
[[nodiscard]] Real squared_distance_to_balanced_ball(Real a, Real b, Real radius) {
  vector<Real> va(1), vb(1);
  va << a;
  vb << b;
  return squared_distance_to_balanced_ball(va, vb, radius);
}

/// Distance from (a, b, off_signal) to {a' = b' = m, ‖m‖ <= radius} × {0}, for a state whose
/// squares overflow (beyond about 1e154 in double), where the squared form above gives ∞ or NaN:
/// the midpoint is a/2 + b/2, the foot point radius·m/‖m‖, and every norm is scaled, so the
/// distance is finite wherever it is representable. Each coordinate of the difference lies
/// between a coordinate of the state and half a difference of two, so none overflows.
template <class Real>
[[nodiscard]] Real distance_to_balanced_ball(const vector<Real>& a, const vector<Real>& b,
                                             Real radius, std::initializer_list<Real> off_signal) {
  require_dimension("b.size()", b.size(), a.size());
  const Eigen::Index d = a.size();
  const vector<Real> middle = a / 2 + b / 2;
  const Real norm = scaled_norm(middle);
  vector<Real> foot = middle;
  if (norm > radius)
    foot = radius * (middle / norm);
  vector<Real> difference(2 * d + static_cast<Eigen::Index>(off_signal.size()));
  difference.head(d) = a - foot;
  difference.segment(d, d) = b - foot;
  Eigen::Index i = 2 * d;
  for (const Real value : off_signal)
    difference(i++) = value;
  return scaled_norm(difference);
}

template <class Real>
[[nodiscard]] Real distance_to_balanced_ball(Real a, Real b, Real radius,
                                             std::initializer_list<Real> off_signal) {
  vector<Real> va(1), vb(1);
  va << a;
  vb << b;
  return distance_to_balanced_ball(va, vb, radius, off_signal);
}

} // namespace gdcert::detail
