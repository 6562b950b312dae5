// Theorem 4 (App. H) and App. I: the Lagrange condition at an unbalanced minimizer recovers P(δ) and the block forms (318), (341-344) (docs/formulas.md §6, eqs. 270-302, 310-357).
#pragma once

#include <gdcert/core/arithmetic.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/stability/fixed_quadratic.hpp>

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>

namespace gdcert {

// ---------------------------------------------------------------------------------------------
// Closed forms. Appendix H solves the scalar problem ½(1 − ab)²; on the slice a = b = 0 of
// X = diag(1, σ) the loss is ½ + ½(uv − σ)² (353), a scalar problem with target s = σ. Every
// formula below is the target-s version, written once: s = 1 gives (294)-(300), s = σ gives
// (343)-(344) and (356). All are rational functions, exact for rational scalars.
// ---------------------------------------------------------------------------------------------

/// The coefficients of a symmetric Toeplitz form [[c, d], [d, c]] (272; (342) c₁, d; (343) c₂, f).
template <class T>
struct toeplitz_coefficients {
  T diagonal;     ///< c (c₁, c₂)
  T off_diagonal; ///< d (f)
};

namespace detail::stability {
/// 4p²/(p⁴ + s²): the state parameter of the level set through the minimizer (p, s/p) of
/// ½(pq − s)².
template <class T>
[[nodiscard]] T slice_state_parameter(const T& p, const T& s) {
  const T p2 = p * p;
  return constant<T>(4.0) * p2 / (p2 * p2 + s * s);
}
/// c = p²(p⁴ + s²)/(p⁴ − s²)², d = −2s p⁴/(p⁴ − s²)²: (294) for s = 1, (343) in terms of u* for
/// s = σ.
template <class T>
[[nodiscard]] toeplitz_coefficients<T> slice_coefficients(const T& p, const T& s) {
  const T p2 = p * p, p4 = p2 * p2, gap = p4 - s * s;
  const T gap2 = gap * gap;
  return {p2 * (p4 + s * s) / gap2, constant<T>(-2.0) * s * p4 / gap2};
}
} // namespace detail::stability

/// δ = 4a*²/(a*⁴ + 1) (295): the state parameter whose level set passes through (a*, 1/a*).
/// δ ∈ (0, 2) for a*² ≠ 1 because 2 − δ = 2(a*² − 1)²/(a*⁴ + 1) (296).
template <class T>
[[nodiscard]] T signal_state_parameter(const T& a_star) {
  return detail::stability::slice_state_parameter(a_star, constant<T>(1.0));
}

/// ξ = 4u*²/(u*⁴ + σ²) (344): the noise parameter whose block passes through (u*, σ/u*).
/// ξ ∈ (0, 2/σ) for u*² ≠ σ because 2 − σξ = 2(u*² − σ)²/(u*⁴ + σ²).
template <class T>
[[nodiscard]] T noise_state_parameter(const T& u_star, const T& sigma) {
  return detail::stability::slice_state_parameter(u_star, sigma);
}

/// c = a*²(a*⁴ + 1)/(a*⁴ − 1)², d = −2a*⁴/(a*⁴ − 1)² (294), Case 2 of the proof of Theorem 4.
template <class T>
[[nodiscard]] toeplitz_coefficients<T> signal_coefficients(const T& a_star) {
  return detail::stability::slice_coefficients(a_star, constant<T>(1.0));
}

/// c₂ = u*²(u*⁴ + σ²)/(u*⁴ − σ²)², f = −2σu*⁴/(u*⁴ − σ²)²: the noise block (343) written in u*
/// (the calculation App. I.2 skips after (355), done as in (289)-(294) with target σ).
template <class T>
[[nodiscard]] toeplitz_coefficients<T> noise_coefficients(const T& u_star, const T& sigma) {
  return detail::stability::slice_coefficients(u_star, sigma);
}

/// [[κ, −κ²s/2], [−κ²s/2, κ]]/(4 − κ²s²) as (c, d): P(δ) of (29)/(300) for (κ, s) = (δ, 1),
/// the signal block (342); the noise block (343) of the two-parameter certificate (30) for
/// (κ, s) = (ξ, σ).
template <class T>
[[nodiscard]] toeplitz_coefficients<T> normal_form_coefficients(const T& parameter,
                                                                const T& target) {
  const T scaled = parameter * target;
  const T denominator = constant<T>(4.0) - scaled * scaled;
  return {parameter / denominator, -parameter * scaled / (constant<T>(2.0) * denominator)};
}

/// t with P z* = t·(p², −s) (289) at z* = (p, s/p) for the Case-2 form: t = p/(p⁴ − s²); with
/// s = 1, t = a*/(a*⁴ − 1).
template <class T>
[[nodiscard]] T lagrange_proportionality(const T& p, const T& s) {
  const T p2 = p * p;
  return p / (p2 * p2 - s * s);
}

// ---------------------------------------------------------------------------------------------
// Numerical recovery: the linear conditions of the Lagrange condition, solved with Eigen.
// ---------------------------------------------------------------------------------------------

/// The Toeplitz form [[c, d], [d, c]] recovered from the Lagrange condition at z* = (p, s/p)
/// (the minimizer (a*, 1/a*) of App. H, or the noise point (u*, σ/u*) of App. I.2).
template <class Real>
struct lagrange_block_solution {
  using matrix_type = Eigen::Matrix<Real, 2, 2>;

  Real diagonal;        ///< c (294) / c₂ (343)
  Real off_diagonal;    ///< d (294) / f (343)
  Real multiplier;      ///< t of (289): P z* = t·(p², −s), the kernel direction of H* (282)
  Real state_parameter; ///< δ (295) / ξ (344), from the closed form in p
  matrix_type matrix;   ///< [[c, d], [d, c]] = P(δ) (300) / the noise block of (341)
  bool positive_definite;

  /// The 3×3 linear system Ay = r of (290) + (276) in the unknowns y = (c + d, c − d, t),
  /// solved by FullPivLU (see detail::stability::solve_toeplitz_lagrange).
  Eigen::Index rank;     ///< 3: the solution is unique
  Real condition_number; ///< κ₂(A) = σ_max/σ_min (JacobiSVD), normwise: large from scaling alone
  /// κ₂(D_r A D_y), D_y = diag|y|, D_r equilibrating the rows: the componentwise condition that
  /// bounds the relative error of each unknown by ~ this·ε. It is 2 for every p² ≠ s.
  Real scaled_condition_number;
  Real relative_residual; ///< ‖Ay − r‖/(‖A‖‖y‖ + ‖r‖)
  /// The same scaled condition number for the paper's unknowns (c, d, t) of (290), (276):
  /// ≳ ((p² + s)/(p² − s))², about 5·10⁶ at |a*² − 1| = 10⁻³. This is why the solve uses c ± d.
  Real coefficient_condition_number;

  /// Case 1 (283-288): P z* ∥ (s, p²), the image direction. Its unique solution is
  /// [[0, 1/(2s)], [1/(2s), 0]] (288), indefinite, so Case 1 is impossible (Axiom A1).
  matrix_type case1_candidate;
  bool case1_positive_definite;
};

namespace detail::stability {

/// Throws unless `value` is finite and lower < value < upper (any floating type, no rounding).
template <class Real>
Real require_open_interval_real(std::string_view name, Real value, Real lower, Real upper) {
  if (!(std::isfinite(value) && value > lower && value < upper))
    throw invalid_parameter(name, gdcert::detail::to_text(value),
                            "(" + gdcert::detail::to_text(lower) + ", " +
                                gdcert::detail::to_text(upper) + ")");
  return value;
}

/// p finite, non-zero and p² ≠ s: z* = (p, s/p) is an unbalanced stationary point (p² = s is the
/// balanced, terminal case where δ = 2 and P(δ) does not exist). "≠" means
/// |p² − s| > √ε·(p² + s): closer, the recovered c, d (~ 1/(p² − s)²) carry no correct digit
/// beyond √ε.
template <class Real>
void require_unbalanced(std::string_view name, std::string_view symbol, Real p, Real s,
                        std::string_view target_symbol) {
  using std::abs;
  const Real p2 = p * p;
  const Real threshold = std::sqrt(std::numeric_limits<Real>::epsilon());
  if (!(std::isfinite(p) && p != 0 && std::isfinite(p2 * p2) &&
        abs(p2 - s) > threshold * (p2 + s))) {
    const std::string x(symbol), t(target_symbol);
    throw invalid_parameter(name, gdcert::detail::to_text(p),
                            x + " finite, non-zero and unbalanced: |" + x + "^2 - " + t + "| > " +
                                gdcert::detail::to_text(threshold) + " * (" + x + "^2 + " + t +
                                ")");
  }
}

template <class Real>
struct toeplitz_system_solution {
  Real plus, minus, multiplier; // c + d, c − d, t
  Eigen::Index rank;
  Real condition_number, scaled_condition_number, relative_residual, coefficient_condition_number;
};

template <class Real, int N>
[[nodiscard]] Real condition_number(const Eigen::Matrix<Real, N, N>& a) {
  const Eigen::JacobiSVD<Eigen::Matrix<Real, N, N>> svd(a);
  const auto& values = svd.singularValues();
  return values(N - 1) == 0 ? std::numeric_limits<Real>::infinity() : values(0) / values(N - 1);
}

/// κ₂(D_r A D_y): columns scaled by the solution's magnitudes, rows then scaled to unit max-norm.
template <class Real, int N>
[[nodiscard]] Real scaled_condition_number(Eigen::Matrix<Real, N, N> a,
                                           const Eigen::Matrix<Real, N, 1>& y) {
  using std::abs;
  for (int j = 0; j < N; ++j)
    if (y(j) != 0)
      a.col(j) *= abs(y(j));
  for (int i = 0; i < N; ++i) {
    const Real row = a.row(i).cwiseAbs().maxCoeff();
    if (row != 0)
      a.row(i) /= row;
  }
  return condition_number(a);
}

/// Solves P z = t·v (290) and zᵀPz = 1 (276) for the Toeplitz form P = [[c, d], [d, c]] (272).
///
/// In the paper's unknowns (c, d, t) the solution is nearly cancelling (c ≈ −d, both of order
/// 1/(p² − s)², while c + d = p²/(p² + s)²), the first two columns are nearly parallel, the
/// scaled condition number is ≳ ((p² + s)/(p² − s))², and FullPivLU loses ~1e-10 relative at
/// |a*² − 1| = 1e-3. So the same equations are written in the eigen-coordinates of every Toeplitz
/// form, e₊ = (1, 1), e₋ = (1, −1) (the rotation behind the diagonal form (368-370)): with
/// z = z₊e₊ + z₋e₋, v = v₊e₊ + v₋e₋ and P e± = (c ± d) e±,
///   (c + d) z₊ − t v₊ = 0,   (c − d) z₋ − t v₋ = 0,   2z₊²(c + d) + 2z₋²(c − d) = 1,
/// whose scaled condition number is 2: the solution is accurate to the conditioning of the data,
/// ~ε(p² + s)/|p² − s| (6e-14 at |a*² − 1| = 1e-3).
template <class Real>
[[nodiscard]] toeplitz_system_solution<Real>
solve_toeplitz_lagrange(const Eigen::Matrix<Real, 2, 1>& z, const Eigen::Matrix<Real, 2, 1>& v) {
  const Real z_plus = (z(0) + z(1)) / 2, z_minus = (z(0) - z(1)) / 2;
  const Real v_plus = (v(0) + v(1)) / 2, v_minus = (v(0) - v(1)) / 2;
  Eigen::Matrix<Real, 3, 3> a;
  a << z_plus, 0, -v_plus,  //
      0, z_minus, -v_minus, //
      2 * z_plus * z_plus, 2 * z_minus * z_minus, 0;
  const Eigen::Matrix<Real, 3, 1> rhs(Real(0), Real(0), Real(1));
  const Eigen::FullPivLU<Eigen::Matrix<Real, 3, 3>> lu(a);
  const Eigen::Matrix<Real, 3, 1> y = lu.solve(rhs);

  // The paper's form: rows (290) "c z₁ + d z₂ = t v₁", "d z₁ + c z₂ = t v₂" and (276)
  // "c(z₁² + z₂²) + 2d z₁z₂ = 1", reported for comparison only.
  Eigen::Matrix<Real, 3, 3> paper;
  paper << z(0), z(1), -v(0), //
      z(1), z(0), -v(1),      //
      z(0) * z(0) + z(1) * z(1), 2 * z(0) * z(1), 0;

  toeplitz_system_solution<Real> out;
  out.plus = y(0);
  out.minus = y(1);
  out.multiplier = y(2);
  out.rank = lu.rank();
  out.condition_number = condition_number(a);
  out.scaled_condition_number = scaled_condition_number(a, y);
  out.relative_residual = (a * y - rhs).norm() / (a.norm() * y.norm() + rhs.norm());
  const Eigen::Matrix<Real, 3, 1> coefficients((y(0) + y(1)) / 2, (y(0) - y(1)) / 2, y(2));
  out.coefficient_condition_number = scaled_condition_number(paper, coefficients);
  return out;
}

template <class Real>
[[nodiscard]] Eigen::Matrix<Real, 2, 2> toeplitz_matrix(Real diagonal, Real off_diagonal) {
  Eigen::Matrix<Real, 2, 2> m;
  m << diagonal, off_diagonal, off_diagonal, diagonal;
  return m;
}

/// Theorem 4's argument for the scalar problem with target s at z* = (p, s/p), p² ≠ s (validated
/// by the caller): Case 2 (289-294) gives P, Case 1 (283-288) the indefinite candidate.
template <class Real>
[[nodiscard]] lagrange_block_solution<Real> recover_slice_block(Real p, Real s,
                                                                std::string_view name) {
  const Eigen::Matrix<Real, 2, 1> z(p, s / p);
  const Eigen::Matrix<Real, 2, 1> kernel(p * p, -s), image(s, p * p); // H* v₁ = 0, H* v₂ ∥ v₂ (282)

  const auto case2 = solve_toeplitz_lagrange(z, kernel);
  if (case2.rank < 3 || !std::isfinite(case2.plus) || !std::isfinite(case2.minus))
    throw invalid_parameter(name, gdcert::detail::to_text(p),
                            "values for which (290) + (276) has a unique finite solution");
  lagrange_block_solution<Real> out;
  out.diagonal = (case2.plus + case2.minus) / 2;
  out.off_diagonal = (case2.plus - case2.minus) / 2;
  out.multiplier = case2.multiplier;
  out.state_parameter = slice_state_parameter(p, s);
  out.matrix = toeplitz_matrix(out.diagonal, out.off_diagonal);
  out.positive_definite = case2.plus > 0 && case2.minus > 0; // the eigenvalues of P
  out.rank = case2.rank;
  out.condition_number = case2.condition_number;
  out.scaled_condition_number = case2.scaled_condition_number;
  out.relative_residual = case2.relative_residual;
  out.coefficient_condition_number = case2.coefficient_condition_number;

  const auto case1 = solve_toeplitz_lagrange(z, image);
  out.case1_candidate =
      toeplitz_matrix((case1.plus + case1.minus) / 2, (case1.plus - case1.minus) / 2);
  out.case1_positive_definite = case1.rank == 3 && case1.plus > 0 && case1.minus > 0;
  return out;
}

/// ∇² of ½((ab − 1)² + b²u² + a²v² + (uv − σ)²) (335) in the order (a, b, u, v); at
/// (a*, b*, 0, 0) it is (345), at σ = 0 and (a*, b*, 0, 0) it is (321).
template <class Real>
[[nodiscard]] Eigen::Matrix<Real, 4, 4> diagonal_loss_hessian(Real a, Real b, Real u, Real v,
                                                              Real sigma) {
  const Real ab = 2 * a * b - 1, uv = 2 * u * v - sigma, av = 2 * a * v, bu = 2 * b * u;
  const Real norm_b = b * b + v * v, norm_a = a * a + u * u;
  Eigen::Matrix<Real, 4, 4> h;
  h << norm_b, ab, 0, av, //
      ab, norm_a, bu, 0,  //
      0, bu, norm_b, uv,  //
      av, 0, uv, norm_a;
  return h;
}

/// min |λ_s − λ_n| over the spectra of the signal block H^(s)* (346-347) and the noise block
/// H^(n)* (348-349; (323) at σ = 0) of the Hessian at x*: positive, so P x* cannot mix them.
template <class Real>
[[nodiscard]] Real block_spectral_separation(const Eigen::Matrix<Real, 4, 4>& hessian) {
  using solver = Eigen::SelfAdjointEigenSolver<Eigen::Matrix<Real, 2, 2>>;
  const solver signal(hessian.template topLeftCorner<2, 2>(), Eigen::EigenvaluesOnly);
  const solver noise(hessian.template bottomRightCorner<2, 2>(), Eigen::EigenvaluesOnly);
  Real separation = std::numeric_limits<Real>::infinity();
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      using std::abs;
      separation = std::min(separation, abs(signal.eigenvalues()(i) - noise.eigenvalues()(j)));
    }
  return separation;
}

/// Solves the signal–noise coupling conditions (328)/(351): the noise part of P x* with
/// P as in (324)/(350) is (e₁a* + e₂b*, e₂a* + e₁b*) = 0, i.e. [[a*, b*], [b*, a*]](e₁, e₂) = 0.
/// Its determinant a*² − b*² ≠ 0, so FullPivLU finds rank 2 and e₁ = e₂ = 0 (329)/(351).
template <class Real>
void solve_coupling(Real a, Real b, Eigen::Matrix<Real, 2, 1>& coupling, Eigen::Index& rank) {
  Eigen::Matrix<Real, 2, 2> m;
  m << a, b, b, a;
  const Eigen::FullPivLU<Eigen::Matrix<Real, 2, 2>> lu(m);
  rank = lu.rank();
  coupling = lu.solve(Eigen::Matrix<Real, 2, 1>::Zero());
}

} // namespace detail::stability

/// Theorem 4 (App. H): from the unbalanced minimizer x* = (a*, 1/a*), a*² ≠ 1, the Lagrange
/// condition (280) forces P(δ)x* to be an eigenvector of H* (281-282). Case 2, P x* ∥ (a*², −1)
/// (289-292), with the normalization x*ᵀPx* = 1 (276), is a linear system for the Toeplitz form
/// (272); its solution is (294) = P(δ) of (300) with δ = 4a*²/(a*⁴ + 1) (295). Case 1,
/// P x* ∥ (1, a*²), has the indefinite solution (288) and is returned to show it is impossible.
/// Throws gdcert::invalid_parameter unless a* is finite, non-zero and a*² ≠ 1 (see
/// require_unbalanced for the tolerance).
template <class Real>
requires real_floating<Real>
[[nodiscard]] lagrange_block_solution<Real> recover_signal_block(Real a_star) {
  detail::stability::require_unbalanced<Real>("minimizer a_star", "a_star", a_star, Real(1), "1");
  return detail::stability::recover_slice_block<Real>(a_star, Real(1), "minimizer a_star");
}

/// App. I.2, (353-356): on the slice a = b = 0 of X = diag(1, σ) the loss is ½ + ½(uv − σ)², so
/// the argument of Theorem 4 at the unbalanced noise point (u*, σ/u*), u*² ≠ σ, recovers the noise
/// block [[c₂, f], [f, c₂]] = [[ξ, −ξ²σ/2], [−ξ²σ/2, ξ]]/(4 − ξ²σ²) (343) with
/// ξ = 4u*²/(u*⁴ + σ²) (344): the off-signal block of the two-parameter certificate (30). Here the
/// kernel direction of the slice Hessian [[σ²/u*², σ], [σ, u*²]] is (u*², −σ), the image (σ, u*²),
/// and the Case-1 candidate is [[0, 1/(2σ)], [1/(2σ), 0]].
/// Throws gdcert::invalid_parameter unless σ ∈ (0, 1) and u* is finite, non-zero, u*² ≠ σ.
template <class Real>
requires real_floating<Real>
[[nodiscard]] lagrange_block_solution<Real> recover_noise_block(Real u_star, Real sigma) {
  detail::stability::require_open_interval_real<Real>("second singular value sigma", sigma, 0, 1);
  detail::stability::require_unbalanced<Real>("noise point u_star", "u_star", u_star, sigma,
                                              "sigma");
  return detail::stability::recover_slice_block<Real>(u_star, sigma, "noise point u_star");
}

/// The 4×4 form of Proposition 15 (341) for X = diag(1, σ), recovered as in its proof.
template <class Real>
struct two_parameter_form_solution {
  lagrange_block_solution<Real>
      signal; ///< (c₁, d) of (342), δ of (344), from x* = (a*, 1/a*, 0, 0)
  lagrange_block_solution<Real> noise; ///< (c₂, f) of (343), ξ of (344), from z* = (0, 0, u*, σ/u*)
  Real sigma;
  Eigen::Matrix<Real, 4, 4> matrix; ///< P of (341), coordinates (a, b, u, v)
  /// P of (341) from the closed forms (342-344), via normal_form_coefficients(δ, 1), (ξ, σ).
  Eigen::Matrix<Real, 4, 4> closed_form_matrix;
  Eigen::Matrix<Real, 2, 1> coupling; ///< (e₁, e₂) of (350) solving (328)/(351): zero
  Eigen::Index coupling_rank;         ///< 2: e₁ = e₂ = 0 is the only solution
  Real spectral_separation;           ///< min distance of the spectra (347) and (349), > 0
  Real signal_point_residual; ///< eigen-residual of P x* for H(x*) (345): Lagrange at x*, ≈ 0
  Real noise_point_residual;  ///< eigen-residual of P z* for H(z*): Lagrange at z*, ≈ 0
  Real signal_point_level;    ///< x*ᵀPx* = 1
  Real noise_point_level;     ///< z*ᵀPz* = 1
};

/// Proposition 15 (App. I.2): the quadratic form whose level set contains the unbalanced signal
/// point x* = (a*, 1/a*, 0, 0) and noise point z* = (0, 0, u*, σ/u*), with the Lagrange condition
/// at both and the exchange symmetry (340). Following the proof: the spectra of the two blocks of
/// H(x*) (345) are disjoint (347, 349), so the coupling (e₁, e₂) of (350) solves (351) and
/// vanishes; the signal block is Theorem 4's (352) and the noise block the slice argument
/// (353-356). The result is (341) with (342-344): the matrix of the two-parameter certificate (30),
/// I(δ, ξ; x) = xᵀPx − 1 (357).
/// Throws gdcert::invalid_parameter unless σ ∈ (0, 1), a*² ≠ 1 and u*² ≠ σ (finite, non-zero).
template <class Real>
requires real_floating<Real>
[[nodiscard]] two_parameter_form_solution<Real> recover_two_parameter_form(Real a_star, Real u_star,
                                                                           Real sigma) {
  namespace ds = detail::stability;
  two_parameter_form_solution<Real> out;
  out.signal = recover_signal_block(a_star);
  out.noise = recover_noise_block(u_star, sigma);
  out.sigma = sigma;
  const Real b_star = 1 / a_star, v_star = sigma / u_star;

  const Eigen::Matrix<Real, 4, 4> hessian_x =
      ds::diagonal_loss_hessian<Real>(a_star, b_star, 0, 0, sigma);
  out.spectral_separation = ds::block_spectral_separation(hessian_x);
  ds::solve_coupling(a_star, b_star, out.coupling, out.coupling_rank);

  out.matrix.setZero();
  out.matrix.template topLeftCorner<2, 2>() = out.signal.matrix;
  out.matrix.template bottomRightCorner<2, 2>() = out.noise.matrix;
  out.matrix(0, 2) = out.matrix(2, 0) = out.matrix(1, 3) = out.matrix(3, 1) = out.coupling(0);
  out.matrix(0, 3) = out.matrix(3, 0) = out.matrix(1, 2) = out.matrix(2, 1) = out.coupling(1);

  const auto signal_closed = normal_form_coefficients(out.signal.state_parameter, Real(1));
  const auto noise_closed = normal_form_coefficients(out.noise.state_parameter, sigma);
  out.closed_form_matrix.setZero();
  out.closed_form_matrix.template topLeftCorner<2, 2>() =
      ds::toeplitz_matrix(signal_closed.diagonal, signal_closed.off_diagonal);
  out.closed_form_matrix.template bottomRightCorner<2, 2>() =
      ds::toeplitz_matrix(noise_closed.diagonal, noise_closed.off_diagonal);

  const Eigen::Matrix<Real, 4, 1> x(a_star, b_star, Real(0), Real(0)),
      z(Real(0), Real(0), u_star, v_star);
  const Eigen::Matrix<Real, 4, 4> hessian_z =
      ds::diagonal_loss_hessian<Real>(0, 0, u_star, v_star, sigma);
  const Eigen::Matrix<Real, 4, 1> px = out.matrix * x, pz = out.matrix * z;
  out.signal_point_residual = ds::eigen_residual(hessian_x, px);
  out.noise_point_residual = ds::eigen_residual(hessian_z, pz);
  out.signal_point_level = x.dot(px);
  out.noise_point_level = z.dot(pz);
  return out;
}

/// The form (318) of Proposition 14 (App. I.1, X = diag(1, 0)).
template <class Real>
struct factorization_form_solution {
  lagrange_block_solution<Real> signal; ///< (c₁, d) of (319), δ of (320)
  Real noise_diagonal;                  ///< c₂: free, "not determined by this local analysis"
  Eigen::Matrix<Real, 4, 4> matrix;     ///< P of (318)
  Eigen::Matrix<Real, 2, 1> coupling;   ///< (e₁, e₂) of (324) solving (328): zero (329)
  Eigen::Index coupling_rank;           ///< 2
  Real spectral_separation; ///< min distance of {0, a*² + b*²} (326) and {a*², b*²} (327), > 0
  Real signal_point_residual; ///< eigen-residual of P x* for H(x*) (321): ≈ 0 for every c₂
  Real signal_point_level;    ///< x*ᵀPx* = 1
};

/// Proposition 14 (App. I.1): for X = diag(1, 0) the Lagrange condition at x* = (a*, 1/a*, 0, 0)
/// decouples signal and noise ((326-329), same linear system as (351)), the sign flip (317) sets
/// f = 0 (330), and the signal block is P(δ) (319-320). The noise coefficient c₂ is not
/// determined, so it is an input; with c₂ = δ/(4 − δ²) (the branch ξ = 4δ/(4 − δ²) at σ = 0)
/// xᵀPx − 1 = I_fac(δ; x)/(4 − δ²) (17).
/// Throws gdcert::invalid_parameter unless a*² ≠ 1 (finite, non-zero) and c₂ > 0 is finite.
template <class Real>
requires real_floating<Real>
[[nodiscard]] factorization_form_solution<Real> recover_factorization_form(Real a_star,
                                                                           Real noise_diagonal) {
  namespace ds = detail::stability;
  if (!(std::isfinite(noise_diagonal) && noise_diagonal > 0))
    throw invalid_parameter("noise coefficient c2", gdcert::detail::to_text(noise_diagonal),
                            "c2 > 0 (finite; P must be positive definite)");
  factorization_form_solution<Real> out;
  out.signal = recover_signal_block(a_star);
  out.noise_diagonal = noise_diagonal;
  const Real b_star = 1 / a_star;
  const Eigen::Matrix<Real, 4, 4> hessian_x =
      ds::diagonal_loss_hessian<Real>(a_star, b_star, 0, 0, 0);
  out.spectral_separation = ds::block_spectral_separation(hessian_x);
  ds::solve_coupling(a_star, b_star, out.coupling, out.coupling_rank);

  out.matrix.setZero();
  out.matrix.template topLeftCorner<2, 2>() = out.signal.matrix;
  out.matrix(2, 2) = out.matrix(3, 3) = noise_diagonal;
  out.matrix(0, 2) = out.matrix(2, 0) = out.matrix(1, 3) = out.matrix(3, 1) = out.coupling(0);
  out.matrix(0, 3) = out.matrix(3, 0) = out.matrix(1, 2) = out.matrix(2, 1) = out.coupling(1);

  const Eigen::Matrix<Real, 4, 1> x(a_star, b_star, Real(0), Real(0));
  const Eigen::Matrix<Real, 4, 1> px = out.matrix * x;
  out.signal_point_residual = ds::eigen_residual(hessian_x, px);
  out.signal_point_level = x.dot(px);
  return out;
}

} // namespace gdcert
