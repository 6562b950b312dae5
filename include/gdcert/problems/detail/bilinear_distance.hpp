// Euclidean distance from (a, b) to the quadric {⟨a', b'⟩ = c}: the minimizer sets of §1 are of this shape.
#pragma once

#include <gdcert/core/scalar.hpp>

#include <boost/math/tools/roots.hpp>
#include <boost/math/tools/toms748_solve.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace gdcert::detail {

/// In s = (a + b)/√2, t = (a − b)/√2 the set is {‖s'‖² − ‖t'‖² = 2c}. The Lagrange conditions give
/// s' = s/(1 + λ), t' = t/(1 − λ); the nearest point has λ ∈ (−1, 1), the unique root of the
/// decreasing φ(λ) = S/(1 + λ)² − T/(1 − λ)² − 2c (S = ‖s‖², T = ‖t‖²), found with TOMS 748.
/// At the ends of (−1, 1) (a = ±b, the origin) the foot points form a family; the norms of s', t'
/// are then taken from the constraint, which keeps the result continuous and finite everywhere.
template <class Real>
[[nodiscard]] Real distance_to_bilinear_level(const vector<Real>& a, const vector<Real>& b,
                                              Real c) {
  const Real s = (a + b).squaredNorm() / 2, t = (a - b).squaredNorm() / 2;
  auto phi = [&](Real lambda) { return s / square(1 + lambda) - t / square(1 - lambda) - 2 * c; };
  const Real epsilon = std::numeric_limits<Real>::epsilon();
  const Real lower = -1 + epsilon, upper = 1 - epsilon;
  Real lambda;
  if (phi(upper) >= 0) {
    lambda = upper;
  } else if (phi(lower) <= 0) {
    lambda = lower;
  } else {
    std::uintmax_t iterations = 200;
    const auto bracket = boost::math::tools::toms748_solve(
        phi, lower, upper, boost::math::tools::eps_tolerance<Real>(), iterations);
    lambda = (bracket.first + bracket.second) / 2;
  }
  // Take the better-conditioned block from λ and the other from the constraint ‖s'‖² − ‖t'‖² = 2c.
  Real s_foot, t_foot;
  if (lambda >= 0) {
    s_foot = s / square(1 + lambda);
    t_foot = std::max(s_foot - 2 * c, Real(0));
  } else {
    t_foot = t / square(1 - lambda);
    s_foot = std::max(2 * c + t_foot, Real(0));
  }
  using std::sqrt;
  return sqrt(square(sqrt(s) - sqrt(s_foot)) + square(sqrt(t) - sqrt(t_foot)));
}

/// Scalar case d = 1: distance from (a, b) to the hyperbola {a'b' = c}.
template <class Real>
[[nodiscard]] Real distance_to_hyperbola(Real a, Real b, Real c) {
  vector<Real> va(1), vb(1);
  va << a;
  vb << b;
  return distance_to_bilinear_level(va, vb, c);
}

} // namespace gdcert::detail
