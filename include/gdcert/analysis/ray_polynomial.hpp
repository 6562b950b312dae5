// GD along a ray as a polynomial in the squared scale, and the quadratic certificate forms the boundary scan evaluates (docs/formulas.md §1-2, eqs. 29-30).
#pragma once

#include <gdcert/certificates/certificate.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/problems/diagonal_approximation.hpp>
#include <gdcert/problems/quartic.hpp>
#include <gdcert/problems/scalar.hpp>

#include <Eigen/Core>

#include <array>
#include <cstddef>

namespace gdcert {

/// The maps of docs/formulas.md §1 are odd polynomials, and along a ray each of them takes the form
///   GD(t d) = t · (g₀(d) + c(s; d) · g₁(d)),  s = t²,
/// with two vectors g₀, g₁ ∈ ℝⁿ that depend on the direction and the problem but not on t, and a
/// scalar polynomial c in s whose coefficients depend on d through at most a few stored numbers
/// (`auxiliaries`). On the level set of a certificate xᵀPx − 1 the scale is s = 1/(dᵀPd), so
///   I(GD(x)) = s · (g₀ᵀPg₀ + c · (2 g₀ᵀPg₁ + c · g₁ᵀPg₁)) − 1,
/// a handful of FMAs once the per-direction moments are known. Keeping c as a scalar (rather than
/// expanding the quartic's c(s) into vector coefficients of s⁰ … s³) keeps the cancellation of
/// φ(r) = r + 4μr³ out of the moments: the fast path matches the direct step to about 1e-13
/// relative on the published grids (the expanded form reached 1e-12 at δ = 1.95).
/// Problems with `auxiliaries == 0` are degree-1 rays, c = s: the scanner's hot loop writes that
/// out (a returned lane pack is spilled by GCC 12), so their `coefficient` must return s.
///
/// Valid expressions (`p` a `const Problem&`, `d` a `const double*` of length `dimension`, `g0`,
/// `g1` `std::array<double, dimension>&`, `aux` a `std::array<double, auxiliaries>&`, `s` a
/// `lanes<W>`, `stored` a `const lanes<W>*` pointing at the auxiliaries):
/// | expression                                           | meaning                          |
/// |------------------------------------------------------|----------------------------------|
/// | `ray_polynomial<Problem>::dimension`                 | n                                |
/// | `ray_polynomial<Problem>::auxiliaries`               | stored numbers per direction     |
/// | `ray_polynomial<Problem>::vectors(p, d, g0, g1, aux)`| writes g₀, g₁ and the auxiliaries |
/// | `ray_polynomial<Problem>::coefficient(p, s, stored)` | c(s; d), lane-wise               |
/// | `ray_polynomial<Problem>::form(p)`                   | the certificate form scanned     |
template <class Problem>
struct ray_polynomial;

/// The two-parameter certificate (30) as xᵀP(δ, ξ)x − 1 in the order (a, b, u, v):
/// P = α E_ab + β E_ab' + γ E_uv + ε E_uv' with α = δ/(4 − δ²), β = −δ²/(2(4 − δ²)),
/// γ = ξ/(4 − ξ²σ²), ε = −ξ²σ/(2(4 − ξ²σ²)), where E_ab = diag(1, 1, 0, 0), E_ab' swaps a and b,
/// and likewise for (u, v). The first two basis elements depend only on δ: the grid engine hoists
/// them out of its ξ loop.
class two_parameter_form {
public:
  static constexpr int dimension = 4;
  static constexpr int basis_size = 4;
  static constexpr int row_basis = 2; ///< basis elements that depend on the row parameter δ only

  struct parameters {
    double delta, xi;
  };

  /// Throws gdcert::invalid_parameter unless σ ∈ (0, 1).
  explicit two_parameter_form(double sigma)
      : sigma_(require_open_interval("second singular value sigma", sigma, 0.0, 1.0)) {}

  [[nodiscard]] double sigma() const noexcept { return sigma_; }

  /// Throws unless δ ∈ (0, 2) and ξ ∈ (0, 2/σ).
  void validate(const parameters& theta) const {
    require_state_parameter(theta.delta);
    require_open_interval("block parameter xi", theta.xi, 0.0, 2.0 / sigma_);
  }

  /// (α, β, γ, ε), validated.
  [[nodiscard]] std::array<double, 4> coefficients(const parameters& theta) const {
    validate(theta);
    const double d = theta.delta, k = theta.xi, s = sigma_;
    const double signal = 4 - d * d, off = 4 - k * k * s * s;
    return {d / signal, -d * d / (2 * signal), k / off, -k * k * s / (2 * off)};
  }

  /// P(δ, ξ) as a dense matrix, for the direct (reference) evaluation.
  [[nodiscard]] Eigen::MatrixXd matrix(const parameters& theta) const {
    const auto c = coefficients(theta);
    Eigen::MatrixXd p = Eigen::MatrixXd::Zero(4, 4);
    p(0, 0) = p(1, 1) = c[0];
    p(0, 1) = p(1, 0) = c[1];
    p(2, 2) = p(3, 3) = c[2];
    p(2, 3) = p(3, 2) = c[3];
    return p;
  }

  /// The published certificate (30) is already the normalised form: the scale is 1.
  [[nodiscard]] double published_scale(const parameters&) const { return 1.0; }

  /// yᵀE_p z for the four basis elements.
  template <class T>
  [[nodiscard]] static std::array<T, 4> bilinear(const T* y, const T* z) {
    return {y[0] * z[0] + y[1] * z[1], y[0] * z[1] + y[1] * z[0], y[2] * z[2] + y[3] * z[3],
            y[2] * z[3] + y[3] * z[2]};
  }

private:
  double sigma_;
};

/// The scalar certificate in normal form (29): xᵀP(δ)x/σ − 1 = I_sc(δ; x/√σ)/(4 − δ²) with
/// P(δ) = [[δ, −δ²/2], [−δ²/2, δ]]/(4 − δ²), coordinates (a, b). σ is the target of the scalar
/// problem (1 for the quartic loss), applied through the rescaling (2.3) as in
/// certificates/scalar.hpp.
class scalar_form {
public:
  static constexpr int dimension = 2;
  static constexpr int basis_size = 2;
  static constexpr int row_basis = 0;

  struct parameters {
    double delta;
  };

  /// Throws gdcert::invalid_parameter unless σ > 0.
  explicit scalar_form(double target = 1.0) : sigma_(require_positive("target sigma", target)) {}

  [[nodiscard]] double target() const noexcept { return sigma_; }

  void validate(const parameters& theta) const { require_state_parameter(theta.delta); }

  /// (α/σ, β/σ) with α = δ/(4 − δ²), β = −δ²/(2(4 − δ²)), validated.
  [[nodiscard]] std::array<double, 2> coefficients(const parameters& theta) const {
    validate(theta);
    const double d = theta.delta, signal = (4 - d * d) * sigma_;
    return {d / signal, -d * d / (2 * signal)};
  }

  [[nodiscard]] Eigen::MatrixXd matrix(const parameters& theta) const {
    const auto c = coefficients(theta);
    Eigen::MatrixXd p(2, 2);
    p << c[0], c[1], c[1], c[0];
    return p;
  }

  /// I_sc (10) = (4 − δ²) · normal form (29): the scale of the values App. M thresholds at 1e-4.
  [[nodiscard]] double published_scale(const parameters& theta) const {
    return 4 - theta.delta * theta.delta;
  }

  template <class T>
  [[nodiscard]] static std::array<T, 2> bilinear(const T* y, const T* z) {
    return {y[0] * z[0] + y[1] * z[1], y[0] * z[1] + y[1] * z[0]};
  }

private:
  double sigma_;
};

/// Rank-1 approximation of diag(1, σ) (402): with x = t d,
/// a' = t(a + ηb) − t³η(b² + v²)a, u' = t(u + ησv) − t³η(b² + v²)u, and symmetrically: c = s.
template <>
struct ray_polynomial<diagonal_approximation> {
  static constexpr int dimension = 4;
  static constexpr int auxiliaries = 0;
  using form_type = two_parameter_form;
  using vector_type = std::array<double, 4>;

  static void vectors(const diagonal_approximation& p, const double* d, vector_type& g0,
                      vector_type& g1, std::array<double, 0>&) {
    const double eta = p.step_size(), eta_sigma = eta * p.sigma();
    const double a = d[0], b = d[1], u = d[2], v = d[3];
    const double shrink_a = -eta * (b * b + v * v), shrink_b = -eta * (a * a + u * u);
    g0 = {a + eta * b, b + eta * a, u + eta_sigma * v, v + eta_sigma * u};
    g1 = {shrink_a * a, shrink_b * b, shrink_a * u, shrink_b * v};
  }
  template <class T>
  [[nodiscard]] static T coefficient(const diagonal_approximation&, const T& s, const T*) {
    return s;
  }
  [[nodiscard]] static form_type form(const diagonal_approximation& p) {
    return form_type(p.sigma());
  }
};

/// Scalar factorization (8): a' = t(a + ησb) − t³ηb²a, b' = t(b + ησa) − t³ηa²b: c = s.
template <>
struct ray_polynomial<scalar_factorization> {
  static constexpr int dimension = 2;
  static constexpr int auxiliaries = 0;
  using form_type = scalar_form;
  using vector_type = std::array<double, 2>;

  static void vectors(const scalar_factorization& p, const double* d, vector_type& g0,
                      vector_type& g1, std::array<double, 0>&) {
    const double eta = p.step_size(), eta_sigma = eta * p.target();
    const double a = d[0], b = d[1];
    g0 = {a + eta_sigma * b, b + eta_sigma * a};
    g1 = {-eta * b * b * a, -eta * a * a * b};
  }
  template <class T>
  [[nodiscard]] static T coefficient(const scalar_factorization&, const T& s, const T*) {
    return s;
  }
  [[nodiscard]] static form_type form(const scalar_factorization& p) {
    return form_type(p.target());
  }
};

/// Quartic loss (411): GD(t d) = t(d − η φ(r)(b, a)) with r = s·ab − 1, φ(r) = r + 4μr³, so
/// g₀ = d, g₁ = (b, a), c = −η φ(s·ab − 1), and ab is the one stored auxiliary.
template <>
struct ray_polynomial<quartic_factorization> {
  static constexpr int dimension = 2;
  static constexpr int auxiliaries = 1;
  using form_type = scalar_form;
  using vector_type = std::array<double, 2>;

  static void vectors(const quartic_factorization&, const double* d, vector_type& g0,
                      vector_type& g1, std::array<double, 1>& aux) {
    g0 = {d[0], d[1]};
    g1 = {d[1], d[0]};
    aux = {d[0] * d[1]};
  }
  template <class T>
  [[nodiscard]] static T coefficient(const quartic_factorization& p, const T& s, const T* stored) {
    const T r = s * stored[0] - 1.0;
    return -p.step_size() * (r + (4 * p.quartic_weight()) * (r * r * r));
  }
  [[nodiscard]] static form_type form(const quartic_factorization&) { return form_type(1.0); }
};

} // namespace gdcert
