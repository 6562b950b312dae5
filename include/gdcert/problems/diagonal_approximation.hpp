// Rank-1 approximation of X = diag(1, σ), σ ∈ (0, 1), in coordinates (a, b, u, v) (docs/formulas.md §1, eq. 402).
#pragma once

#include <gdcert/core/error.hpp>
#include <gdcert/problems/detail/rank1_two_by_two.hpp>

#include <algorithm>
#include <cmath>

namespace gdcert {

/// Rank-1 approximation of diag(1, σ): loss ½((ab − 1)² + b²u² + a²v² + (uv − σ)²), GD map (402)
/// a' = (1 − η(b² + v²))a + ηb, u' = (1 − η(b² + v²))u + ησv, and symmetrically.
/// Minimizers M* = {ab = 1, u = v = 0}; stationary set S = M* ∪ {a = b = 0, uv = σ} (337) ∪ {0}.
class diagonal_approximation : public detail::rank1_problem<diagonal_approximation> {
public:
  /// Throws gdcert::invalid_parameter unless η > 0 and σ ∈ (0, 1).
  diagonal_approximation(double step_size, double sigma)
      : rank1_problem(require_positive("step size eta", step_size),
                      require_open_interval("second singular value sigma", sigma, 0.0, 1.0)) {}

  [[nodiscard]] double sigma() const noexcept { return sigma_; }

  /// Euclidean distance to S = M* ∪ {a = b = 0, uv = σ} ∪ {0}.
  template <class Real>
  [[nodiscard]] Real distance_to_stationary(const state<Real>& x) const {
    const Real saddle = std::hypot(x.a, x.b, detail::distance_to_hyperbola(x.u, x.v, Real(sigma_)));
    const Real origin = std::hypot(std::hypot(x.a, x.b), std::hypot(x.u, x.v));
    return std::min({distance_to_minimizers(x), saddle, origin});
  }
};

} // namespace gdcert
