// Rank-1 factorization of X = diag(1, 0) in the paper's coordinates (a, b, u, v) (docs/formulas.md §1, eq. 14).
#pragma once

#include <gdcert/core/error.hpp>
#include <gdcert/problems/detail/rank1_two_by_two.hpp>

#include <algorithm>
#include <cmath>

namespace gdcert {

/// Rank-1 factorization: loss ½((ab − 1)² + b²u² + a²v² + u²v²), GD map (14)
/// a' = (1 − η(b² + v²))a + ηb, u' = (1 − η(b² + v²))u, b' = (1 − η(a² + u²))b + ηa,
/// v' = (1 − η(a² + u²))v. The reduced form of any rank-1 factorization of a rank-1 target (4-6).
/// Minimizers (15) M* = {ab = 1, u = v = 0}; stationary set (16) S = M* ∪ {a = b = 0, uv = 0}.
class rank1_factorization : public detail::rank1_problem<rank1_factorization> {
public:
  /// Throws gdcert::invalid_parameter unless η > 0 is finite.
  explicit rank1_factorization(double step_size)
      : rank1_problem(require_positive("step size eta", step_size), 0.0) {}

  /// Euclidean distance to S (16) (norms scaled: finite wherever it is representable).
  template <class Real>
  [[nodiscard]] Real distance_to_stationary(const state<Real>& x) const {
    using std::abs;
    const Real saddle_branch = scaled_norm({x.a, x.b, std::min(abs(x.u), abs(x.v))});
    return std::min(distance_to_minimizers(x), saddle_branch);
  }
};

} // namespace gdcert
