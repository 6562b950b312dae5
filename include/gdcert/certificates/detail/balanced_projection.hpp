// Distances to the terminal sets K₂ (docs/formulas.md §2, eqs. 160-168, 363): projections onto balanced discs.
#pragma once

#include <gdcert/core/arithmetic.hpp>

#include <algorithm>
#include <cmath>

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

} // namespace gdcert::detail
