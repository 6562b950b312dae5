// Euclidean distance from (a, b) to the quadric {⟨a', b'⟩ = c}: the minimizer sets of §1 are of this shape.
#pragma once

#include <gdcert/core/arithmetic.hpp>

#include <boost/math/tools/roots.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

namespace gdcert::detail {

/// In s = (a + b)/√2, t = (a − b)/√2 the set is {‖s'‖² − ‖t'‖² = 2c}. The Lagrange conditions give
/// s' = s/(1 + λ), t' = t/(1 − λ); the nearest point has λ ∈ (−1, 1), the unique root of the
/// decreasing φ(λ) = ½(S/(1 + λ)² − T/(1 − λ)²) − c (S = ‖s‖², T = ‖t‖²). Written with
/// p = ⟨a, b⟩ = ½(S − T) and N = ‖a‖² + ‖b‖² = S + T,
///   φ(λ) = (p(1 + λ²) − Nλ)/(1 − λ²)² − c,   φ'(λ) = −(S/(1 + λ)³ + T/(1 − λ)³),
/// so the residual p − c that decides a point near the set is never formed by cancellation.
/// Newton's method (Boost.Math, bracketed in (−1, 1)) starts from the first Newton step from 0,
/// λ₀ = (p − c)/N (kept in [−½, ½]), and converges in a few steps near the set, where sweeps
/// evaluate it. The distance is then |λ|·√(‖s'‖² + ‖t'‖²) (= ‖(s − s', t − t')‖ without
/// cancellation). At the ends of (−1, 1) (a = ±b, the origin) the foot points form a family; the norms of s', t'
/// are then taken from the constraint, which keeps the result continuous and finite everywhere.
/// Nothing is allocated: a sweep evaluates this once per decided point. The caller passes p, S
/// and T each computed directly (S, T as squared norms, never as differences).
template <class Real>
[[nodiscard]] Real distance_to_bilinear_level(Real inner, Real s, Real t, Real c) {
  const Real norms = s + t, half = Real(1) / 2;
  // Each form of φ where it is accurate: the p-form near λ = 0 (no cancellation in p − c), the
  // S, T form near the ends (where the p-form's numerator 2p − N → −2T cancels).
  auto phi = [&](Real lambda) {
    using std::abs;
    if (abs(lambda) <= half)
      return (inner * (1 + lambda * lambda) - norms * lambda) / square(1 - lambda * lambda) - c;
    return (s / square(1 + lambda) - t / square(1 - lambda)) / 2 - c;
  };
  const Real epsilon = std::numeric_limits<Real>::epsilon();
  const Real lower = -1 + epsilon, upper = 1 - epsilon;
  // λ at an end of (−1, 1) (a = ±b, the origin): the foot points form a family there.
  Real lambda = upper;
  if (!(phi(upper) >= 0)) {
    lambda = lower;
    if (!(phi(lower) <= 0)) {
      auto phi_and_derivative = [&](Real l) {
        const Real plus = 1 / (1 + l), minus = 1 / (1 - l);
        return std::make_pair(phi(l), -(s * plus * plus * plus + t * minus * minus * minus));
      };
      std::uintmax_t iterations = 200;
      lambda = boost::math::tools::newton_raphson_iterate(
          phi_and_derivative, std::clamp((inner - c) / norms, -half, half), lower, upper,
          std::numeric_limits<Real>::digits - 2, iterations);
    }
  }
  // ‖(s − s', t − t')‖ = |λ|·√(‖s'‖² + ‖t'‖²): the better-conditioned block from λ, the other
  // from the constraint ‖s'‖² − ‖t'‖² = 2c.
  Real s_foot, t_foot;
  if (lambda >= 0) {
    s_foot = s / square(1 + lambda);
    t_foot = std::max(s_foot - 2 * c, Real(0));
  } else {
    t_foot = t / square(1 - lambda);
    s_foot = std::max(2 * c + t_foot, Real(0));
  }
  using std::abs, std::sqrt;
  if (lambda > lower && lambda < upper)
    return abs(lambda) * sqrt(s_foot + t_foot);
  return sqrt(square(sqrt(s) - sqrt(s_foot)) + square(sqrt(t) - sqrt(t_foot)));
}

/// Euclidean distance from (a, b) ∈ ℝ^d × ℝ^d to {⟨a', b'⟩ = c}. Beyond 2^(max_exponent/4) (the
/// squares S, T would overflow near 1.3e154 in double) it is 2^e times the distance from x·2^−e to
/// {⟨a', b'⟩ = c·2^−2e}, the level scaling with the square (magnitude_exponent: the scaling is
/// exact). Where c·2^−2e underflows, the set's level is off by less than 2^−2000 of the scaled
/// state, so the distance is off by far less than one unit in the last place of ‖x‖.
template <class Real>
[[nodiscard]] Real distance_to_bilinear_level(const vector<Real>& a, const vector<Real>& b,
                                              Real c) {
  const int exponent = magnitude_exponent({largest_magnitude(a), largest_magnitude(b)});
  if (exponent == 0)
    return distance_to_bilinear_level<Real>(a.dot(b), (a + b).squaredNorm() / 2,
                                            (a - b).squaredNorm() / 2, c);
  const Real down = std::scalbn(Real(1), -exponent);
  const vector<Real> a_scaled = a * down, b_scaled = b * down;
  return std::scalbn(
      distance_to_bilinear_level<Real>(a_scaled, b_scaled, std::scalbn(c, -2 * exponent)),
      exponent);
}

/// Scalar case d = 1: distance from (a, b) to the hyperbola {a'b' = c}, scaled as above.
template <class Real>
[[nodiscard]] Real distance_to_hyperbola(Real a, Real b, Real c) {
  const int exponent = magnitude_exponent({a, b});
  if (exponent == 0)
    return distance_to_bilinear_level<Real>(a * b, square(a + b) / 2, square(a - b) / 2, c);
  return std::scalbn(distance_to_hyperbola(std::scalbn(a, -exponent), std::scalbn(b, -exponent),
                                           std::scalbn(c, -2 * exponent)),
                     exponent);
}

} // namespace gdcert::detail
