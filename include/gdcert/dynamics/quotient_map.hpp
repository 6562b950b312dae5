// Liang–Montúfar's quotient map F: the planar map semi-conjugate to GD of the ℓ2-regularized problem (docs/formulas.md §7, [LM App. D]).
#pragma once

#include <gdcert/core/arithmetic.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/problems/regularized.hpp>

#include <Eigen/Core>

#include <cmath>
#include <concepts>
#include <string>

namespace gdcert {

/// A point (z, w) = (⟨u,v⟩ − y, ‖u‖² + ‖v‖²) of the quotient plane (docs/formulas.md §7). The
/// image of T is the cone w ≥ 2|z + y| (Cauchy–Schwarz on ‖u ± v‖² = w ± 2(z + y)).
template <class T>
struct quotient_point {
  T z, w;
};

/// Parameters (p, q) = (ηy, ηλ) of the rescaled quotient map (docs/formulas.md §7, [LM (8)]).
struct rescaled_quotient_parameters {
  double target, regularization;
};

/// The rescaled quotient map [LM (8)] in (Z, W) = (ηz, ηw) with only two parameters p = ηy,
/// q = ηλ:
///   Z' = Z³ + pZ² + ((1 − q)² − (1 − q)W)Z + p(q² − 2q),
///   W' = ((1 − q)² + Z²)W − 4Z(1 − q)(Z + p).
/// It is η·F in the sense (ηz', ηw') = rescaled_quotient_map(ηy, ηλ, (ηz, ηw)) **(exact)**, so
/// the three-parameter family F_{η,y,λ} is really the two-parameter family F_{p,q}.
template <class T>
[[nodiscard]] quotient_point<T> rescaled_quotient_map(double target, double regularization,
                                                      const quotient_point<T>& x) {
  const T p = constant<T>(target), q = constant<T>(regularization);
  const T keep = constant<T>(1.0) - q;
  const T keep2 = keep * keep;
  quotient_point<T> next;
  next.z = x.z * x.z * x.z + p * x.z * x.z + (keep2 - keep * x.w) * x.z +
           p * (q * q - constant<T>(2.0) * q);
  next.w = (keep2 + x.z * x.z) * x.w - constant<T>(4.0) * x.z * keep * (x.z + p);
  return next;
}

/// The quotient map F of the ℓ2-regularized scalar-vector problem [LM App. D, Prop. 9].
///
/// With T(u, v) = (z, w) = (⟨u,v⟩ − y, ‖u‖² + ‖v‖²) and GD the map of
/// regularized_factorization (η, y, λ), T ∘ GD = F ∘ T **(exact)** (docs/formulas.md §7), where
///   z' = η²z³ + η²yz² + ((1 − ηλ)² − ηw + η²λw)z + y(η²λ² − 2ηλ),
///   w' = ((1 − ηλ)² + η²z²)w − 4ηz(1 − ηλ)(z + y).
/// The loss depends on (u, v) only through T, so GD converges to the minimizers M (to the saddle
/// 0) exactly when F converges to T(M) (to (−y, 0)).
///
/// Valid expressions (`f` a `const quotient_map&`, `x` a `quotient_point<T>`, `s` a
/// `regularized_factorization::state<T>`):
/// (`point<T>` is quotient_point<T>, `Matrix` is Eigen::Matrix.)
/// | expression                          | returns         | meaning                            |
/// |-------------------------------------|-----------------|------------------------------------|
/// | `f.quotient(u, v)`, `f.quotient(s)` | `point<T>`      | T(u, v) = (⟨u,v⟩ − y, ‖u‖² + ‖v‖²) |
/// | `f(x)`                              | `point<T>`      | F(x), branch-free, any scalar T    |
/// | `f.rescale(x)`                      | `point<T>`      | (ηz, ηw)                           |
/// | `f.rescaled(X)`                     | `point<T>`      | rescaled_quotient_map(ηy, ηλ, X)   |
/// | `f.jacobian(x)`                     | `Matrix<T,2,2>` | DF(x), J_out_in, order (z, w)      |
/// | `f.jacobian_determinant(x)`         | `T`             | det DF(x), factored                |
/// | `f.edge_plus(x)`, `f.edge_minus(x)` | `T`             | w ∓ 2(z + y) = ‖u ∓ v‖²            |
/// | `f.minimizer_image()`               | `point<double>` | T(M)                               |
/// | `f.origin_image()`                  | `point<double>` | T(0, 0) = (−y, 0)                  |
/// | `f.in_state_space(x)`               | `bool`          | w ≥ 2\|z + y\| (ordered T)         |
/// | `f.lyapunov_function(x)`            | `T`             | w + √(w² − 16yz) (floating, lanes) |
/// | `f.converges_by_region(x)`          | `bool`          | Q < 8/η (λ = 0, η\|y\| < 1)        |
class quotient_map {
public:
  /// Takes (η, y, λ) from the problem; nothing to validate beyond what the problem checked.
  explicit quotient_map(const regularized_factorization& problem)
      : eta_(problem.step_size()), y_(problem.target()), lambda_(problem.regularization()) {}

  [[nodiscard]] double step_size() const noexcept { return eta_; }
  [[nodiscard]] double target() const noexcept { return y_; }
  [[nodiscard]] double regularization() const noexcept { return lambda_; }

  /// T(u, v) = (⟨u,v⟩ − y, ‖u‖² + ‖v‖²) [LM App. D].
  template <class T>
  [[nodiscard]] quotient_point<T> quotient(const vector<T>& u, const vector<T>& v) const {
    return {dot(u, v) - constant<T>(y_), squared_norm(u) + squared_norm(v)};
  }
  template <class T>
  [[nodiscard]] quotient_point<T> quotient(const regularized_factorization::state<T>& state) const {
    return quotient(state.u, state.v);
  }

  /// F(z, w) in raw coordinates (docs/formulas.md §7); a polynomial, so exact in gdcert::rational.
  template <class T>
  [[nodiscard]] quotient_point<T> operator()(const quotient_point<T>& x) const {
    const T eta = constant<T>(eta_), y = constant<T>(y_), lambda = constant<T>(lambda_);
    const T keep = constant<T>(1.0) - eta * lambda;
    const T keep2 = keep * keep, eta2 = eta * eta;
    quotient_point<T> next;
    next.z = eta2 * x.z * x.z * x.z + eta2 * y * x.z * x.z +
             (keep2 - eta * x.w + eta2 * lambda * x.w) * x.z +
             y * (eta2 * lambda * lambda - constant<T>(2.0) * eta * lambda);
    next.w = (keep2 + eta2 * x.z * x.z) * x.w - constant<T>(4.0) * eta * x.z * keep * (x.z + y);
    return next;
  }

  /// The parameters (ηy, ηλ) of the rescaled form. They are rounded products of doubles; they are
  /// exact when η, y, λ are dyadic with few enough bits (as in the tests).
  [[nodiscard]] rescaled_quotient_parameters rescaled_parameters() const noexcept {
    return {eta_ * y_, eta_ * lambda_};
  }
  /// (z, w) ↦ (ηz, ηw): the conjugacy between F and the rescaled map [LM App. D].
  template <class T>
  [[nodiscard]] quotient_point<T> rescale(const quotient_point<T>& x) const {
    const T eta = constant<T>(eta_);
    return {eta * x.z, eta * x.w};
  }
  /// The rescaled map with this problem's (ηy, ηλ): rescaled(rescale(x)) = rescale(F(x)).
  template <class T>
  [[nodiscard]] quotient_point<T> rescaled(const quotient_point<T>& x) const {
    const auto parameters = rescaled_parameters();
    return rescaled_quotient_map(parameters.target, parameters.regularization, x);
  }

  /// DF(z, w) = [[∂z'/∂z, ∂z'/∂w], [∂w'/∂z, ∂w'/∂w]] (J_out_in, order (z, w)):
  ///   ∂z'/∂z = 3η²z² + 2η²yz + (1 − ηλ)² − η(1 − ηλ)w,   ∂z'/∂w = −η(1 − ηλ)z,
  ///   ∂w'/∂z = 2η²zw − 4η(1 − ηλ)(2z + y),              ∂w'/∂w = (1 − ηλ)² + η²z².
  template <class T>
  [[nodiscard]] Eigen::Matrix<T, 2, 2> jacobian(const quotient_point<T>& x) const {
    const T eta = constant<T>(eta_), y = constant<T>(y_), lambda = constant<T>(lambda_);
    const T keep = constant<T>(1.0) - eta * lambda;
    const T keep2 = keep * keep, eta2 = eta * eta;
    const T two = constant<T>(2.0);
    Eigen::Matrix<T, 2, 2> j;
    j(0, 0) = constant<T>(3.0) * eta2 * x.z * x.z + two * eta2 * y * x.z + keep2 - eta * keep * x.w;
    j(0, 1) = -eta * keep * x.z;
    j(1, 0) = two * eta2 * x.z * x.w - constant<T>(4.0) * eta * keep * (two * x.z + y);
    j(1, 1) = keep2 + eta2 * x.z * x.z;
    return j;
  }

  /// det DF(z, w) = (1 + ηz − ηλ)(1 − ηz − ηλ)((1 − ηλ)² − η(1 − ηλ)w − 2η²yz − 3η²z²)
  /// **(exact)**. The first two factors are the square roots of the edge multipliers: F folds
  /// (det = 0) along the lines where it crushes an edge direction.
  template <class T>
  [[nodiscard]] T jacobian_determinant(const quotient_point<T>& x) const {
    const T eta = constant<T>(eta_), y = constant<T>(y_), lambda = constant<T>(lambda_);
    const T keep = constant<T>(1.0) - eta * lambda;
    const T eta_z = eta * x.z;
    return (keep + eta_z) * (keep - eta_z) *
           (keep * keep - eta * keep * x.w - constant<T>(2.0) * eta * y * eta_z -
            constant<T>(3.0) * eta_z * eta_z);
  }

  /// w − 2(z + y) = ‖u − v‖²; invariant edge of the cone:
  /// w' − 2(z' + y) = (w − 2(z + y))(1 + ηz − ηλ)² **(exact)** (docs/formulas.md §7, [LM (10)]).
  template <class T>
  [[nodiscard]] T edge_plus(const quotient_point<T>& x) const {
    return x.w - constant<T>(2.0) * (x.z + constant<T>(y_));
  }
  /// w + 2(z + y) = ‖u + v‖²; w' + 2(z' + y) = (w + 2(z + y))(1 − ηz − ηλ)² **(exact)**.
  template <class T>
  [[nodiscard]] T edge_minus(const quotient_point<T>& x) const {
    return x.w + constant<T>(2.0) * (x.z + constant<T>(y_));
  }
  /// The edge multipliers (1 + ηz − ηλ)² and (1 − ηz − ηλ)² of edge_plus and edge_minus.
  template <class T>
  [[nodiscard]] T edge_plus_multiplier(const quotient_point<T>& x) const {
    const T factor = constant<T>(1.0) + constant<T>(eta_) * (x.z - constant<T>(lambda_));
    return factor * factor;
  }
  template <class T>
  [[nodiscard]] T edge_minus_multiplier(const quotient_point<T>& x) const {
    const T factor = constant<T>(1.0) - constant<T>(eta_) * (x.z + constant<T>(lambda_));
    return factor * factor;
  }

  /// T(M) (docs/formulas.md §1, §7): (z, w) = (−sgn(y)λ, 2(|y| − λ)) when λ < |y|, a fixed point
  /// of F. When λ ≥ |y| > 0 the only minimizer is u = v = 0 and this returns origin_image(). For
  /// λ = 0, T(M) is the whole ray {z = 0, w ≥ 2|y|} of fixed points; this returns its tip
  /// (0, 2|y|), the image of the balanced minimizers (for y = 0 that tip is the origin's image).
  [[nodiscard]] quotient_point<double> minimizer_image() const {
    const double magnitude = std::abs(y_);
    if (!(lambda_ < magnitude))
      return origin_image();
    return {y_ > 0 ? -lambda_ : lambda_, 2.0 * (magnitude - lambda_)};
  }
  /// T(0, 0) = (−y, 0): the image of the saddle at the origin; a fixed point of F for every
  /// (η, y, λ) since the origin is stationary.
  [[nodiscard]] quotient_point<double> origin_image() const { return {-y_, 0.0}; }

  /// w ≥ 2|z + y|, i.e. ‖u − v‖² ≥ 0 and ‖u + v‖² ≥ 0: the image T(ℝ^d × ℝ^d) for every d ≥ 1
  /// [LM Prop. 8]. Exact for gdcert::rational.
  template <class T>
  requires std::totally_ordered<T>
  [[nodiscard]] bool in_state_space(const quotient_point<T>& x) const {
    return edge_plus(x) >= constant<T>(0.0) && edge_minus(x) >= constant<T>(0.0);
  }

  /// Q(z, w) = w + √(w² − 16yz) [LM App. D]: equals Q(σ; a, b) of docs/formulas.md §2 with σ = y,
  /// and w² − 16yz ≥ 4(z − y)² ≥ 0 on the state space, so the root is real there (round-off aside,
  /// which is clamped at 0 for ordered T). Floating T and lane packs only (no exact square root).
  template <class T>
  requires real_floating<T> || lane_pack<T>
  [[nodiscard]] T lyapunov_function(const quotient_point<T>& x) const {
    using std::sqrt;
    const T radicand = x.w * x.w - constant<T>(16.0 * y_) * x.z;
    if constexpr (lane_pack<T>) {
      const T clamped = radicand.max(0.0);
      return x.w + clamped.sqrt();
    } else {
      return x.w + sqrt(radicand > T(0) ? radicand : T(0));
    }
  }

  /// Liang–Montúfar's convergence region [LM Thm 1]: for λ = 0 and η|y| < 1, GD converges to a
  /// global minimizer for almost every state with Q(T(u, v)) < 8/η and fails to for almost every
  /// state with Q > 8/η. Throws gdcert::invalid_parameter outside that regime, where the region is
  /// fractal and has no closed form.
  template <class T>
  requires real_floating<T>
  [[nodiscard]] bool converges_by_region(const quotient_point<T>& x) const {
    if (lambda_ != 0)
      throw invalid_parameter("regularization lambda", detail::to_text(lambda_),
                              "lambda = 0 (converges_by_region, [LM Thm 1])");
    if (!(eta_ * std::abs(y_) < 1))
      throw invalid_parameter("eta*|y|", detail::to_text(eta_ * std::abs(y_)),
                              "eta*|y| < 1 (converges_by_region, [LM Thm 1])");
    return lyapunov_function(x) < T(8) / T(eta_);
  }

private:
  double eta_, y_, lambda_;
};

} // namespace gdcert
