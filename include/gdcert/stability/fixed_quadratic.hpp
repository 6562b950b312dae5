// Proposition 13: a fixed quadratic V(x) = (x − x_c)ᵀP(x − x_c) is locally monotone along GD at a scalar minimizer only if P(x* − x_c) is a Hessian eigenvector (docs/formulas.md §6, eqs. 259-269).
#pragma once

#include <gdcert/core/arithmetic.hpp>
#include <gdcert/core/error.hpp>

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <string_view>
#include <type_traits>

namespace gdcert {

/// H* = ∇²R_sc(x*) = [[b*², 1], [1, a*²]] (263, 278): the Hessian of ½(1 − ab)² at a minimizer,
/// where 2a*b* − 1 = 1. Exact for every field scalar (rationals included).
template <class T>
[[nodiscard]] Eigen::Matrix<T, 2, 2> scalar_minimizer_hessian(const T& a_star, const T& b_star) {
  Eigen::Matrix<T, 2, 2> h;
  h << T(b_star * b_star), constant<T>(1.0), constant<T>(1.0), T(a_star * a_star);
  return h;
}

/// (a*², −1): spans ker H* at the minimizer (a*, 1/a*) (269, 282: v₁).
template <class T>
[[nodiscard]] Eigen::Matrix<T, 2, 1> scalar_minimizer_kernel(const T& a_star) {
  return Eigen::Matrix<T, 2, 1>(T(a_star * a_star), constant<T>(-1.0));
}

/// (1, a*²): spans im H*, the eigenvector of the positive eigenvalue a*² + b*² (269, 282: v₂).
template <class T>
[[nodiscard]] Eigen::Matrix<T, 2, 1> scalar_minimizer_image(const T& a_star) {
  return Eigen::Matrix<T, 2, 1>(constant<T>(1.0), T(a_star * a_star));
}

/// What Proposition 13 says about one fixed quadratic V at one minimizer x*.
template <class Real>
struct fixed_quadratic_result {
  using vector_type = Eigen::Matrix<Real, 2, 1>;
  using matrix_type = Eigen::Matrix<Real, 2, 2>;

  vector_type w;               ///< w = P(x* − x_c), half the gradient of V at x* (264)
  matrix_type hessian;         ///< H* = [[b*², 1], [1, a*²]] (263)
  vector_type hessian_times_w; ///< H*w, the first-order change of ∇V along one GD step (266)
  Real eigenvalue;             ///< λ = wᵀH*w / wᵀw, the Rayleigh quotient (0 when w = 0)
  Real eigen_residual; ///< ‖H*w − λw‖ / (‖H*‖_F ‖w‖): 0 iff w is an eigenvector (0 if w = 0)
  bool w_vanishes;  ///< x* = x_c: V is stationary at x*, Prop. 13 says nothing
  bool eigenvector; ///< H*w = λw within the relative tolerance (262)
  bool in_kernel;   ///< eigenvector with λ = 0: w ∥ (a*², −1) (269)
  bool in_image;    ///< eigenvector with λ > 0: w ∥ (1, a*²) (269)
  /// The necessary condition of Prop. 13: w = 0, or H*w = λw with λ >= 0. When false, V cannot
  /// satisfy (261) on any neighbourhood of x*, whatever the step size.
  bool locally_monotone_possible;

  [[nodiscard]] bool obstructed() const noexcept { return !locally_monotone_possible; }
};

namespace detail::stability {

/// √ε: the default relative tolerance for "parallel", "symmetric" and "a*b* = 1".
template <class Real>
[[nodiscard]] Real default_relative_tolerance() {
  return std::sqrt(std::numeric_limits<Real>::epsilon());
}

template <class Derived>
[[nodiscard]] std::string matrix_text(const Eigen::MatrixBase<Derived>& m) {
  std::string text = "[";
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    text += i ? ", [" : "[";
    for (Eigen::Index j = 0; j < m.cols(); ++j)
      text += (j ? ", " : "") + gdcert::detail::to_text(m(i, j));
    text += "]";
  }
  return text + "]";
}

template <class Real>
void require_tolerance(Real tolerance) {
  if (!(std::isfinite(tolerance) && tolerance > 0 && tolerance < 1))
    throw invalid_parameter("relative tolerance", gdcert::detail::to_text(tolerance),
                            "(0, 1) (finite)");
}

/// Copies a 2×2 or 2×1 argument into fixed size after checking its extent and finiteness.
template <int Rows, int Cols, class Derived>
[[nodiscard]] Eigen::Matrix<typename Derived::Scalar, Rows, Cols>
require_finite_fixed(std::string_view name, const Eigen::MatrixBase<Derived>& m) {
  require_dimension(std::string(name) + ".rows()", static_cast<long>(m.rows()), Rows);
  require_dimension(std::string(name) + ".cols()", static_cast<long>(m.cols()), Cols);
  if (!m.allFinite())
    throw invalid_parameter(name, matrix_text(m), "finite entries");
  return m;
}

/// P symmetric (|P₁₂ − P₂₁| <= tol·‖P‖_F) and positive definite (Sylvester: P₁₁ > 0, det P > 0).
template <class Real>
void require_symmetric_positive_definite(std::string_view name, const Eigen::Matrix<Real, 2, 2>& p,
                                         Real tolerance) {
  using std::abs;
  if (!(abs(p(0, 1) - p(1, 0)) <= tolerance * p.norm()))
    throw invalid_parameter(name, matrix_text(p),
                            "symmetric 2x2 matrices (|P12 - P21| <= tol*|P|)");
  const Real off = (p(0, 1) + p(1, 0)) / 2;
  if (!(p(0, 0) > 0 && p(0, 0) * p(1, 1) - off * off > 0))
    throw invalid_parameter(name, matrix_text(p),
                            "positive definite matrices (P11 > 0 and det P > 0)");
}

/// a*b* = 1 within the relative tolerance: x* must be a global minimizer of ½(1 − ab)² (259).
template <class Real>
void require_scalar_minimizer(std::string_view name, const Eigen::Matrix<Real, 2, 1>& x,
                              Real tolerance) {
  using std::abs;
  if (!(abs(x(0) * x(1) - 1) <= tolerance))
    throw invalid_parameter(name, matrix_text(x.transpose()),
                            "minimizers of (1 - ab)^2/2: |a*b* - 1| <= " +
                                gdcert::detail::to_text(tolerance));
}

/// ‖Hy − (yᵀHy/yᵀy)y‖ / (‖H‖_F‖y‖): the relative eigen-residual of y for the symmetric H. Scaled
/// by ‖H‖ rather than ‖Hy‖, so a kernel vector (Hy = rounding noise) counts as an eigenvector.
template <class Real, int N>
[[nodiscard]] Real eigen_residual(const Eigen::Matrix<Real, N, N>& h,
                                  const Eigen::Matrix<Real, N, 1>& y,
                                  Real* rayleigh_out = nullptr) {
  const Real yy = y.squaredNorm();
  if (yy == 0) {
    if (rayleigh_out)
      *rayleigh_out = 0;
    return 0;
  }
  const Eigen::Matrix<Real, N, 1> hy = h * y;
  const Real rayleigh = y.dot(hy) / yy;
  if (rayleigh_out)
    *rayleigh_out = rayleigh;
  const Real scale = h.norm() * std::sqrt(yy);
  return scale == 0 ? Real(0) : (hy - rayleigh * y).norm() / scale;
}

} // namespace detail::stability

/// Proposition 13 at one minimizer x* = (a*, b*), a*b* = 1, for V(x) = (x − x_c)ᵀP(x − x_c) (260).
///
/// Local monotonicity (261) forces (268) (zᵀw)(zᵀH*w) >= 0 for all z, which holds iff w = 0 or
/// H*w = λw with λ >= 0 (262). Since H* is positive semidefinite, an eigenvector always has
/// λ >= 0: the test reduces to w = 0 or w ∥ (a*², −1) or w ∥ (1, a*²) (269). Both directions
/// depend on a*², which is why one fixed (P, x_c) cannot be aligned at every minimizer.
///
/// `relative_tolerance` decides "w is an eigenvector" (eigen_residual <= tol), "w = 0"
/// (‖w‖ <= tol·‖P‖_F·(‖x*‖ + ‖x_c‖)), "λ = 0" (|λ| <= tol·‖H*‖_F), P symmetric and a*b* = 1.
/// Throws gdcert::invalid_parameter unless P is a finite symmetric positive-definite 2×2 matrix,
/// x_c and x* are finite 2-vectors, |a*b* − 1| <= tol and tol ∈ (0, 1).
template <class DerivedP, class DerivedC, class DerivedX, class Real = typename DerivedP::Scalar>
requires real_floating<Real>
[[nodiscard]] fixed_quadratic_result<Real>
fixed_quadratic_obstruction(const Eigen::MatrixBase<DerivedP>& quadratic,
                            const Eigen::MatrixBase<DerivedC>& x_center,
                            const Eigen::MatrixBase<DerivedX>& minimizer,
                            std::type_identity_t<Real> relative_tolerance =
                                detail::stability::default_relative_tolerance<Real>()) {
  namespace ds = detail::stability;
  ds::require_tolerance(relative_tolerance);
  const Eigen::Matrix<Real, 2, 2> p = ds::require_finite_fixed<2, 2>("quadratic P", quadratic);
  const Eigen::Matrix<Real, 2, 1> center =
      ds::require_finite_fixed<2, 1>("centre x_c", x_center).template cast<Real>();
  const Eigen::Matrix<Real, 2, 1> x =
      ds::require_finite_fixed<2, 1>("minimizer x*", minimizer).template cast<Real>();
  ds::require_symmetric_positive_definite<Real>("quadratic P", p, relative_tolerance);
  ds::require_scalar_minimizer<Real>("minimizer x*", x, relative_tolerance);

  fixed_quadratic_result<Real> r;
  r.w = p * (x - center);
  r.hessian = scalar_minimizer_hessian(x(0), x(1));
  r.hessian_times_w = r.hessian * r.w;
  r.w_vanishes = r.w.norm() <= relative_tolerance * p.norm() * (x.norm() + center.norm());
  r.eigen_residual = ds::eigen_residual(r.hessian, r.w, &r.eigenvalue);
  if (r.w_vanishes) {
    r.eigenvalue = 0;
    r.eigen_residual = 0;
  }
  using std::abs;
  const bool zero_eigenvalue = abs(r.eigenvalue) <= relative_tolerance * r.hessian.norm();
  r.eigenvector = !r.w_vanishes && r.eigen_residual <= relative_tolerance;
  r.in_kernel = r.eigenvector && zero_eigenvalue;
  r.in_image = r.eigenvector && !zero_eigenvalue && r.eigenvalue > 0;
  r.locally_monotone_possible =
      r.w_vanishes || (r.eigenvector && (zero_eigenvalue || r.eigenvalue > 0));
  return r;
}

/// The closed form of the minimum in (268): min over unit z of (zᵀw)(zᵀm), m = H*w, is the
/// smaller eigenvalue of (wmᵀ + mwᵀ)/2, namely (w·m − ‖w‖‖m‖)/2 <= 0, evaluated as
/// −(w × m)²/(2(w·m + ‖w‖‖m‖)) (w·m = wᵀH*w >= 0). It is 0 iff m = μw with μ >= 0 (or w = 0),
/// i.e. iff the condition of Proposition 13 holds; unlike the sampled check it also sees
/// misalignments finer than the sampling.
template <class DerivedP, class DerivedC, class DerivedX, class Real = typename DerivedP::Scalar>
requires real_floating<Real>
[[nodiscard]] Real
exact_monotonicity_defect(const Eigen::MatrixBase<DerivedP>& quadratic,
                          const Eigen::MatrixBase<DerivedC>& x_center,
                          const Eigen::MatrixBase<DerivedX>& minimizer,
                          std::type_identity_t<Real> relative_tolerance =
                              detail::stability::default_relative_tolerance<Real>()) {
  const auto r = fixed_quadratic_obstruction(quadratic, x_center, minimizer, relative_tolerance);
  const Eigen::Matrix<Real, 2, 1>& w = r.w;
  const Eigen::Matrix<Real, 2, 1>& m = r.hessian_times_w;
  const Real dot = w.dot(m), lengths = w.norm() * m.norm();
  if (!(dot > 0)) // w = 0 or w ∈ ker H* (0), or rounding: no cancellation to avoid
    return std::min(Real(0), (dot - lengths) / 2);
  // w·m − ‖w‖‖m‖ = −(w × m)²/(w·m + ‖w‖‖m‖): no cancellation when w is nearly an eigenvector.
  const Real cross = w(0) * m(1) - w(1) * m(0);
  return -cross * cross / (2 * (dot + lengths));
}

/// The necessary condition (268) as a sampled check: min over `directions` unit vectors
/// z = (cos θ, sin θ), θ = πk/directions, k = 0 … directions − 1, of (zᵀw)(zᵀH*w). The product is
/// even in z, so the half circle covers every direction. A negative value (beyond rounding,
/// ~ε‖w‖²‖H*‖) means (268) fails and V is not locally monotone at x* (Prop. 13): along the minimizing z (returned through
/// `direction_out`) and the sign of t with t·zᵀw > 0, (264)-(266) give
/// V(GD(x* + tz)) − V(x*) > V(x* + tz) − V(x*) > 0 for small |t|, violating (261).
/// The sample misses the exact minimum (exact_monotonicity_defect) by at most
/// (π/directions)²‖w‖‖H*w‖/4. The negative window has width γ in θ, γ the angle between w and
/// H*w, so a misalignment γ < π/directions can go unseen: negative ⇒ obstruction, and an
/// obstruction with γ >= 2π/directions ⇒ negative.
/// Throws as fixed_quadratic_obstruction, and unless directions >= 2.
template <class DerivedP, class DerivedC, class DerivedX, class Real = typename DerivedP::Scalar>
requires real_floating<Real>
[[nodiscard]] Real monotonicity_defect(const Eigen::MatrixBase<DerivedP>& quadratic,
                                       const Eigen::MatrixBase<DerivedC>& x_center,
                                       const Eigen::MatrixBase<DerivedX>& minimizer,
                                       long directions = 4096,
                                       Eigen::Matrix<Real, 2, 1>* direction_out = nullptr,
                                       std::type_identity_t<Real> relative_tolerance =
                                           detail::stability::default_relative_tolerance<Real>()) {
  require_at_least("directions", directions, 2);
  const auto r = fixed_quadratic_obstruction(quadratic, x_center, minimizer, relative_tolerance);
  Real best = std::numeric_limits<Real>::infinity();
  Eigen::Matrix<Real, 2, 1> best_z(Real(1), Real(0));
  for (long k = 0; k < directions; ++k) {
    const Real theta = std::numbers::pi_v<Real> * Real(k) / Real(directions);
    const Eigen::Matrix<Real, 2, 1> z(std::cos(theta), std::sin(theta));
    const Real product = z.dot(r.w) * z.dot(r.hessian_times_w);
    if (product < best) {
      best = product;
      best_z = z;
    }
  }
  if (direction_out)
    *direction_out = best_z;
  return best;
}

} // namespace gdcert
