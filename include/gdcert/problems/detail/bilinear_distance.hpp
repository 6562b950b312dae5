// Euclidean distance from (a, b) to the quadric {⟨a', b'⟩ = c}: the minimizer sets of §1 are of this shape.
#pragma once

#include <gdcert/core/scalar.hpp>

#include <unsupported/Eigen/Polynomials>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace gdcert::detail {

/// Lagrange: a − a' = μb', b − b' = μa' gives a' = (a − μb)/(1 − μ²), b' = (b − μa)/(1 − μ²), and
/// the constraint becomes c μ⁴ − (2c + p) μ² + S μ + (c − p) = 0 with p = ⟨a,b⟩, S = ‖a‖² + ‖b‖².
/// Every real root is a candidate foot point; the nearest one is the distance.
template <class Real>
[[nodiscard]] Real distance_to_bilinear_level(const vector<Real>& a, const vector<Real>& b,
                                              Real c) {
  const Real p = dot(a, b), s = squared_norm(a) + squared_norm(b);
  if (p == c)
    return Real(0);
  Eigen::Matrix<double, Eigen::Dynamic, 1> coefficients(5);
  coefficients << double(c - p), double(s), double(-2 * c - p), 0.0, double(c);
  Eigen::Index degree = 4;
  while (degree > 0 && coefficients(degree) == 0.0)
    --degree;
  Real best = std::numeric_limits<Real>::infinity();
  if (degree == 0)
    return best; // p == c == 0 handled by caller; no finite candidate here
  Eigen::PolynomialSolver<double, Eigen::Dynamic> solver(coefficients.head(degree + 1));
  std::vector<double> roots;
  solver.realRoots(roots, 1e-8);
  for (double root : roots) {
    Real mu = root;
    // Polish the root in Real precision with two Newton steps on the quartic.
    for (int k = 0; k < 2; ++k) {
      const Real f = (((c * mu) * mu - (2 * c + p)) * mu + s) * mu + (c - p);
      const Real df = ((4 * c * mu) * mu - 2 * (2 * c + p)) * mu + s;
      if (df != 0)
        mu -= f / df;
    }
    const Real scale = 1 - mu * mu;
    if (std::abs(scale) < std::numeric_limits<Real>::epsilon())
      continue;
    Real d2 = 0, level = 0;
    for (Eigen::Index i = 0; i < a.size(); ++i) {
      const Real ai = (a(i) - mu * b(i)) / scale, bi = (b(i) - mu * a(i)) / scale;
      d2 += square(a(i) - ai) + square(b(i) - bi);
      level += ai * bi;
    }
    // A root near μ = ±1 of a degenerate configuration need not give a feasible foot point.
    if (std::abs(level - c) <= 1e-6 * (1 + std::abs(c)))
      best = std::min(best, std::sqrt(d2));
  }
  // μ = ±1 (a = ±b exactly, e.g. the origin and the saddles): the foot points form a family with
  // a' ± b' = a, at squared distance ‖a‖² ∓ 2c, feasible when ‖a‖² >= ±4c.
  const Real norm = squared_norm(a);
  if (a == b && norm >= 4 * c)
    best = std::min(best, std::sqrt(norm - 2 * c));
  if (a == -b && norm >= -4 * c)
    best = std::min(best, std::sqrt(norm + 2 * c));
  return best;
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
