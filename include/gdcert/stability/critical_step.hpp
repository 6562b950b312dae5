// Critical and certified step sizes of scalar factorization by two vectors (docs/formulas.md §6, [LM eq. 3], [W Thm 3.1-3.2]).
#pragma once

#include <gdcert/core/arithmetic.hpp>
#include <gdcert/core/error.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>

namespace gdcert {

namespace detail {

/// ‖u‖² + ‖v‖² and ⟨u,v⟩ of an initialization, after checking that u and v are vectors of the
/// same length with finite coordinates (the API boundary of the step-size formulas).
template <class Real, class DerivedU, class DerivedV>
void initialization_moments(std::string_view first, const Eigen::MatrixBase<DerivedU>& u,
                            std::string_view second, const Eigen::MatrixBase<DerivedV>& v,
                            Real& total_squared_norm, Real& inner_product) {
  require_dimension(std::string(second) + ".size()", static_cast<long>(v.size()),
                    static_cast<long>(u.size()));
  total_squared_norm = 0;
  inner_product = 0;
  for (Eigen::Index i = 0; i < u.size(); ++i) {
    const Real a = static_cast<Real>(u(i)), b = static_cast<Real>(v(i));
    if (!std::isfinite(a))
      throw invalid_parameter(std::string(first) + "(" + std::to_string(i) + ")", to_text(a),
                              "a finite number");
    if (!std::isfinite(b))
      throw invalid_parameter(std::string(second) + "(" + std::to_string(i) + ")", to_text(b),
                              "a finite number");
    total_squared_norm += a * a + b * b;
    inner_product += a * b;
  }
}

template <class DerivedU, class DerivedV>
using initialization_real =
    std::common_type_t<typename DerivedU::Scalar, typename DerivedV::Scalar>;

} // namespace detail

/// Liang–Montúfar's critical step size [LM Thm 1, eq. 3] (docs/formulas.md §6) for GD on
/// ½(⟨u,v⟩ − y)², u, v ∈ ℝ^d (regularized_factorization with λ = 0):
///   η*(u, v) = min{1/|y|, 8/(‖u‖² + ‖v‖² + √((‖u‖² + ‖v‖²)² − 16y(⟨u,v⟩ − y)))}.
/// For almost every (u, v), GD from (u, v) converges to a global minimizer if η < η*(u, v) and
/// fails to if η > η*(u, v). The second term is 8/Q with Q the quotient Lyapunov-like function
/// (quotient_map::lyapunov_function); the first is the step beyond which every minimizer
/// (‖u‖² + ‖v‖² ≥ 2|y|) is unstable. The radicand is ≥ 4(⟨u,v⟩ − 2y)² ≥ 0.
///
/// Throws gdcert::invalid_parameter unless y is finite and non-zero (at y = 0 LM set 1/0 = +∞ and
/// the origin is a non-isolated minimizer; this function does not model that case), u and v have
/// the same size and finite coordinates. Real is the common scalar of u and v (double or long
/// double).
template <class DerivedU, class DerivedV>
requires std::floating_point<detail::initialization_real<DerivedU, DerivedV>>
[[nodiscard]] detail::initialization_real<DerivedU, DerivedV>
liang_montufar_critical_step(double target, const Eigen::MatrixBase<DerivedU>& u,
                             const Eigen::MatrixBase<DerivedV>& v) {
  using Real = detail::initialization_real<DerivedU, DerivedV>;
  require_finite("target y", target);
  if (target == 0)
    throw invalid_parameter("target y", detail::to_text(target), "y != 0 (finite)");
  Real total = 0, inner = 0;
  detail::initialization_moments("u", u, "v", v, total, inner);
  const Real y = target;
  const Real radicand = total * total - 16 * y * (inner - y);
  const Real quotient_lyapunov = total + std::sqrt(std::max(radicand, Real(0)));
  return std::min(1 / std::abs(y), 8 / quotient_lyapunov);
}

/// Wang et al.'s certified large learning rate [W Thm 3.1-3.2] (docs/formulas.md §6).
///
/// Their setting (problem (3) of the paper, with column vectors as in its Appendix G): minimize
/// ½(μ − xᵀy)² over x, y ∈ ℝ^d with target μ > 0 by GD with learning rate h,
///   x' = x + h(μ − xᵀy)y,   y' = y + h(μ − xᵀy)x.
/// Here x, y are the two factors (LM's u, v) and μ is the target (LM's y): in gdcert this is
/// regularized_factorization(h, d, μ, 0). The bound is
///   h ≤ min{4/(‖x₀‖² + ‖y₀‖² + 4μ), 1/(3μ)}
/// (the first term is the smaller exactly when ‖x₀‖² + ‖y₀‖² ≥ 8μ). For such h and almost every
/// (x₀, y₀), GD converges to a global minimizer (xᵀy = μ) with ‖x‖² + ‖y‖² ≤ 2/h (Thm 3.1, 3.2),
/// hence ‖x − y‖² = ‖x‖² + ‖y‖² − 2μ ≤ 2/h − 2μ.
///
/// Throws gdcert::invalid_parameter unless μ is finite and positive, x₀ and y₀ have the same size
/// and finite coordinates. Real is the common scalar of x₀ and y₀ (double or long double).
template <class DerivedX, class DerivedY>
requires std::floating_point<detail::initialization_real<DerivedX, DerivedY>>
[[nodiscard]] detail::initialization_real<DerivedX, DerivedY>
balancing_step_bound(const Eigen::MatrixBase<DerivedX>& x0, const Eigen::MatrixBase<DerivedY>& y0,
                     double mu) {
  using Real = detail::initialization_real<DerivedX, DerivedY>;
  require_positive("target mu", mu);
  Real total = 0, inner = 0;
  detail::initialization_moments("x0", x0, "y0", y0, total, inner);
  const Real target = mu;
  return std::min(4 / (total + 4 * target), 1 / (3 * target));
}

} // namespace gdcert
