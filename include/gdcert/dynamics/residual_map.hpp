// The balanced residual map g_η (172) and the residual recursions off the balanced manifold (217, 223, 230).
#pragma once

#include <gdcert/certificates/approximation.hpp>
#include <gdcert/certificates/factorization.hpp>
#include <gdcert/core/arithmetic.hpp>
#include <gdcert/problems/rank1_approximation.hpp>
#include <gdcert/problems/rank1_factorization.hpp>
#include <gdcert/problems/scalar.hpp>

namespace gdcert {

/// g_η(L) = (1 − 2η)L + (2η − η²)L² + η²L³ = L(1 − η(1 − L)(2 + ηL)) (172): the residual map of GD
/// restricted to the balanced manifold a = b.
template <class T>
[[nodiscard]] T balanced_residual_map(double step_size, const T& residual) {
  const T eta = constant<T>(step_size), one = constant<T>(1.0);
  return residual * (one - eta * (one - residual) * (constant<T>(2.0) + eta * residual));
}

/// The residual L' = 1 − a'b' after one GD step of the scalar problem at σ = 1, written through
/// g_η (217): L' = g(L) − ηL(a − b)². For σ ≠ 1 the rescaled η σ and L = 1 − ab/σ are used.
template <class T>
[[nodiscard]] T residual_recursion(const scalar_factorization& problem,
                                   const scalar_factorization::state<T>& x) {
  const double eta = problem.step_size() * problem.target();
  const T l = constant<T>(1.0) - x.a * x.b / constant<T>(problem.target());
  const T gap = x.a - x.b;
  return balanced_residual_map(eta, l) -
         constant<T>(eta) * l * gap * gap / constant<T>(problem.target());
}

/// Rank-1 factorization (223): L' = g(L) − ηL(a − b)² + η(1 − L)N + η²L(a²v² + b²u²) − η²(1 −
/// L)u²v².
template <class T>
[[nodiscard]] T residual_recursion(const rank1_factorization& problem, const rank1_state<T>& x) {
  const T eta = constant<T>(problem.step_size()), one = constant<T>(1.0);
  const T l = one - x.a * x.b, gap = x.a - x.b;
  const T n = x.u * x.u + x.v * x.v, uv2 = x.u * x.u * x.v * x.v;
  return balanced_residual_map(problem.step_size(), l) - eta * l * gap * gap + eta * (one - l) * n +
         eta * eta * l * (x.a * x.a * x.v * x.v + x.b * x.b * x.u * x.u) -
         eta * eta * (one - l) * uv2;
}

/// Rank-1 approximation (230): (223) with vector norms, plus η²(1 + L)D_S.
template <class T>
[[nodiscard]] T residual_recursion(const rank1_approximation& problem,
                                   const rank1_approximation::state<T>& x) {
  const T eta = constant<T>(problem.step_size()), one = constant<T>(1.0);
  const T l = approximation_certificate::residual(x);
  const T gap = squared_norm(vector<T>(x.a - x.b));
  const T n = x.u * x.u + x.v * x.v, uv2 = x.u * x.u * x.v * x.v;
  return balanced_residual_map(problem.step_size(), l) - eta * l * gap + eta * (one - l) * n +
         eta * eta * l * (squared_norm(x.a) * x.v * x.v + squared_norm(x.b) * x.u * x.u) -
         eta * eta * (one - l) * uv2 +
         eta * eta * (one + l) * approximation_certificate::signal_coupling(x);
}

} // namespace gdcert
