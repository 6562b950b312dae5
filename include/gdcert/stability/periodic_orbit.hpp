// Fixed points and period-p orbits of any problem's GD map by Newton's method, with multipliers and stability (docs/formulas.md §6).
#pragma once

#include <gdcert/core/arithmetic.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/core/precompiled.hpp>
#include <gdcert/problems/problem.hpp>

#include <Eigen/Dense>
#include <Eigen/Eigenvalues>

#include <cmath>
#include <complex>
#include <string_view>
#include <utility>
#include <vector>

namespace gdcert {

/// Why the orbit solver stopped.
enum class orbit_status {
  converged,       ///< ‖Gᵖ(x) − x‖ and the Newton correction are both within tolerance
  iteration_limit, ///< Newton used its iteration budget
  diverged,        ///< an iterate left the ball of radius escape_norm
  not_finite       ///< an iterate or the residual became NaN or ±∞
};

/// Linear stability of an orbit from the moduli of its multipliers (eigenvalues of the monodromy).
enum class orbit_stability {
  attracting,    ///< every |λ| < 1
  repelling,     ///< every |λ| > 1
  saddle,        ///< some |λ| < 1 and some |λ| > 1, none on the unit circle
  non_hyperbolic ///< some |λ| within the margin of 1 (e.g. along a manifold of fixed points)
};

[[nodiscard]] constexpr std::string_view to_string(orbit_status status) noexcept {
  switch (status) {
  case orbit_status::converged:
    return "converged";
  case orbit_status::iteration_limit:
    return "iteration_limit";
  case orbit_status::diverged:
    return "diverged";
  case orbit_status::not_finite:
    return "not_finite";
  }
  return "unknown";
}
[[nodiscard]] constexpr std::string_view to_string(orbit_stability stability) noexcept {
  switch (stability) {
  case orbit_stability::attracting:
    return "attracting";
  case orbit_stability::repelling:
    return "repelling";
  case orbit_stability::saddle:
    return "saddle";
  case orbit_stability::non_hyperbolic:
    return "non_hyperbolic";
  }
  return "unknown";
}

/// Controls of the Newton iteration.
struct orbit_options {
  int max_iterations = 100;
  double tolerance = 1e-13;      ///< on ‖Gᵖ(x) − x‖/(1 + ‖x‖)
  double step_tolerance = 1e-10; ///< on the last Newton correction, relative to 1 + ‖x‖
  double rank_threshold = 1e-10; ///< relative pivot size below which Dᵖ − I counts as singular
  double escape_norm = 1e8;      ///< beyond this norm the iteration counts as diverged
  double hyperbolicity_margin = 1e-9; ///< |‖λ‖ − 1| below this is "on the unit circle"

  /// Throws gdcert::invalid_parameter naming the first field out of range.
  void validate() const {
    if (max_iterations < 0 || max_iterations > 1'000'000)
      throw invalid_parameter("orbit_options.max_iterations", std::to_string(max_iterations),
                              "[0, 1000000]");
    require_positive("orbit_options.tolerance", tolerance);
    require_positive("orbit_options.step_tolerance", step_tolerance);
    require_open_interval("orbit_options.rank_threshold", rank_threshold, 0, 1);
    require_positive("orbit_options.escape_norm", escape_norm);
    require_non_negative("orbit_options.hyperbolicity_margin", hyperbolicity_margin);
  }
};

/// Multipliers of an orbit with their spectral radius and classification.
template <class Real>
struct orbit_spectrum {
  Eigen::Matrix<std::complex<Real>, Eigen::Dynamic, 1> multipliers;
  Real spectral_radius;
  orbit_stability stability;
};

/// Eigenvalues of a monodromy (or Jacobian) matrix and the stability they imply.
template <class Real>
[[nodiscard]] orbit_spectrum<Real> spectrum_of(const matrix<Real>& monodromy,
                                               double hyperbolicity_margin = 1e-9) {
  Eigen::EigenSolver<matrix<Real>> solver(monodromy, false);
  orbit_spectrum<Real> result{solver.eigenvalues(), Real(0), orbit_stability::attracting};
  bool inside = false, outside = false, on_circle = false;
  for (Eigen::Index i = 0; i < result.multipliers.size(); ++i) {
    const Real modulus = std::abs(result.multipliers(i));
    result.spectral_radius = std::max(result.spectral_radius, modulus);
    if (std::abs(modulus - 1) <= hyperbolicity_margin)
      on_circle = true;
    else
      (modulus < 1 ? inside : outside) = true;
  }
  result.stability = on_circle           ? orbit_stability::non_hyperbolic
                     : inside && outside ? orbit_stability::saddle
                     : outside           ? orbit_stability::repelling
                                         : orbit_stability::attracting;
  return result;
}

/// vᵀMv/vᵀv: the multiplier along `direction` when it is an eigenvector of M (an invariant line,
/// such as the balanced direction of K₂).
template <class Real>
[[nodiscard]] Real directional_multiplier(const matrix<Real>& monodromy,
                                          const vector<Real>& direction) {
  return direction.dot(monodromy * direction) / direction.squaredNorm();
}

/// A periodic orbit x₀, G(x₀), …, G^{p−1}(x₀) found by the solver, with its diagnostics.
template <class Problem, class Real>
struct periodic_orbit {
  std::vector<typename Problem::template state<Real>> points; ///< the p points of the orbit
  int period = 0;                                             ///< the period asked for
  int minimal_period = 0; ///< the least q dividing p with Gᵠ(x₀) ≈ x₀ (0 unless converged)
  orbit_status status = orbit_status::iteration_limit;
  int iterations = 0;              ///< Newton iterations used
  Real residual = 0;               ///< ‖Gᵖ(x₀) − x₀‖/(1 + ‖x₀‖) at the end
  Eigen::Index newton_rank = 0;    ///< numerical rank of Dᵖ − I at the last Newton step
  matrix<Real> monodromy;          ///< D Gᵖ(x₀) = J(x_{p−1})⋯J(x₀) (J_out_in products)
  orbit_spectrum<Real> spectrum{}; ///< multipliers of the orbit
  [[nodiscard]] bool converged() const noexcept { return status == orbit_status::converged; }
};

namespace detail {
/// The minimum-norm solution of a·x = b and the numerical rank of a (a square, possibly singular;
/// b in its range up to rounding, as Newton's defect is near an orbit): a particular solution x_p
/// of full-pivoting LU with the pivot threshold (relative to the largest pivot), minus its
/// projection on ker a, x = x_p − K(KᵀK)⁻¹Kᵀx_p. Full-pivoting LU rather than a complete
/// orthogonal decomposition: the same rank decision and minimum-norm step (orbits on manifolds of
/// orbits converge to the nearest point) for a fifth of the compile time, and one decomposition
/// type serves both solves.
template <class Real>
[[nodiscard]] vector<Real> minimum_norm_solution(const matrix<Real>& a, const vector<Real>& b,
                                                 Real threshold, Eigen::Index& rank) {
  Eigen::FullPivLU<matrix<Real>> lu(a.rows(), a.cols());
  lu.setThreshold(threshold);
  lu.compute(a);
  vector<Real> x = lu.solve(b);
  rank = lu.rank();
  if (lu.rank() < a.cols() && lu.rank() > 0) {
    const matrix<Real> kernel = lu.kernel();
    const matrix<Real> gram = kernel.transpose() * kernel;
    const vector<Real> along =
        Eigen::FullPivLU<matrix<Real>>(gram).solve(vector<Real>(kernel.transpose() * x));
    x -= kernel * along;
  }
  return x;
}
} // namespace detail

/// Newton's method on Gᵖ(x) − x with the analytic Jacobian of the composition,
/// D Gᵖ(x) = J(x_{p−1})⋯J(x₀). The linear step takes the minimum-norm solution (full-pivoting
/// LU with a rank threshold, projected off the kernel), so orbits on manifolds of orbits
/// (minimizer curves, the saddle branch) converge with a minimum-norm correction. Throws unless
/// 1 <= p <= 8 and x is a valid state.
template <class Problem, class State,
          class Real = typename decltype(std::declval<const Problem&>().coordinates(
              std::declval<const State&>()))::Scalar>
requires problem<Problem>
[[nodiscard]] periodic_orbit<Problem, Real> find_periodic_orbit(const Problem& problem,
                                                                const State& start, int period,
                                                                const orbit_options& options = {}) {
  if (period < 1 || period > 8)
    throw invalid_parameter("period p", std::to_string(period), "1 <= p <= 8");
  options.validate();
  problem.validate_state(start);
  const Eigen::Index n = problem.dimension();
  periodic_orbit<Problem, Real> orbit;
  orbit.period = period;
  vector<Real> x = problem.coordinates(start);

  // Orbit points, monodromy and residual at x.
  auto evaluate = [&](const vector<Real>& at) {
    orbit.points.clear();
    orbit.monodromy = matrix<Real>::Identity(n, n);
    auto current = problem.template from_coordinates<Real>(at);
    for (int i = 0; i < period; ++i) {
      orbit.points.push_back(current);
      orbit.monodromy = problem.jacobian(current) * orbit.monodromy;
      current = problem.step(current);
    }
    return vector<Real>(problem.coordinates(current) - at);
  };

  vector<Real> defect = evaluate(x);
  for (orbit.iterations = 0;; ++orbit.iterations) {
    orbit.residual = defect.norm() / (1 + x.norm());
    if (!std::isfinite(double(orbit.residual))) {
      orbit.status = orbit_status::not_finite;
      break;
    }
    const matrix<Real> newton = orbit.monodromy - matrix<Real>::Identity(n, n);
    const vector<Real> correction = detail::minimum_norm_solution(
        newton, defect, Real(options.rank_threshold), orbit.newton_rank);
    // A small residual alone can mislead where G − id is flat (near the origin of the saddle
    // branch it is cubic): converged also needs the Newton correction itself to be small.
    if (orbit.residual <= options.tolerance &&
        correction.norm() <= options.step_tolerance * (1 + x.norm())) {
      orbit.status = orbit_status::converged;
      break;
    }
    if (orbit.iterations == options.max_iterations) {
      orbit.status = orbit_status::iteration_limit;
      break;
    }
    x -= correction;
    if (!x.allFinite()) {
      orbit.status = orbit_status::not_finite;
      break;
    }
    if (x.norm() > options.escape_norm) {
      orbit.status = orbit_status::diverged;
      break;
    }
    defect = evaluate(x);
  }

  orbit.spectrum = spectrum_of(orbit.monodromy, options.hyperbolicity_margin);
  if (orbit.converged()) {
    const Real scale = 1 + x.norm();
    for (int q = 1; q <= period; ++q) {
      if (period % q != 0)
        continue;
      const vector<Real> back = problem.coordinates(
          q < period ? orbit.points[q] : problem.step(orbit.points[period - 1]));
      if ((back - x).norm() <= Real(1e3) * Real(options.tolerance) * scale) {
        orbit.minimal_period = q;
        break;
      }
    }
  }
  return orbit;
}

/// A fixed point (period 1) of the GD map near `start`.
template <class Problem, class State>
requires problem<Problem>
[[nodiscard]] auto find_fixed_point(const Problem& problem, const State& start,
                                    const orbit_options& options = {}) {
  return find_periodic_orbit(problem, start, 1, options);
}

} // namespace gdcert
