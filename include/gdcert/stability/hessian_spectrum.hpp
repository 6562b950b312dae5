// Matrix-free spectrum of ∇²R: Hessian-vector products (a problem's own, or forward-mode jets) and the top eigenpairs by Lanczos (Spectra), with no d × d matrix (docs/engines.md, "Sharpness at matrix scale").
#pragma once

#include <gdcert/core/arithmetic.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/core/precompiled.hpp>
#include <gdcert/numbers/jet.hpp>
#include <gdcert/problems/problem.hpp>
#include <gdcert/stability/sharpness_method.hpp>

#include <Eigen/Core>
#include <Spectra/SymEigsSolver.h>

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace gdcert {

/// What top_hessian_eigenpairs computes and how hard it tries. Validated by name against the
/// dimension d (gdcert::invalid_parameter).
struct hessian_spectrum_options {
  /// k, the number of largest (algebraic) eigenvalues: 1 <= k <= d − 1.
  Eigen::Index eigenvalue_count = 1;
  /// ncv, the size of the Krylov subspace: 0 (automatic: min(d, max(2k + 1, 20))) or
  /// k < ncv <= d. Larger converges in fewer restarts, at ncv vectors of d numbers.
  Eigen::Index subspace_size = 0;
  /// The most restarts of the implicitly restarted Lanczos iteration, >= 1.
  Eigen::Index max_iterations = 1000;
  /// Relative tolerance in (0, 1): a Ritz pair (θ, v) has converged when its residual
  /// ‖Hv − θv‖ <= tolerance · max(|θ|, ε^(2/3)); then some eigenvalue lies within it of θ.
  double tolerance = 1e-10;
  /// Whether to return the eigenvectors (d × k).
  bool compute_eigenvectors = false;
};

/// The k largest eigenvalues of ∇²R(x) and what finding them cost.
template <class Real>
struct hessian_eigenpairs {
  vector<Real> eigenvalues;                 ///< the k largest (algebraic), in descending order
  std::optional<matrix<Real>> eigenvectors; ///< d × k, unit columns in coordinate order, on request
  Eigen::Index iterations = 0;              ///< restarts of the Lanczos iteration
  Eigen::Index products = 0;                ///< Hessian-vector products evaluated
  /// True in every result returned: a run that does not converge throws
  /// eigensolver_not_converged instead of returning unconverged numbers.
  bool converged = false;
};

/// Thrown when the Lanczos iteration has not converged k eigenvalues within max_iterations
/// restarts (raise max_iterations or subspace_size, or loosen the tolerance). It names what was
/// asked and what was reached.
class eigensolver_not_converged : public std::runtime_error {
public:
  eigensolver_not_converged(Eigen::Index requested, Eigen::Index converged, Eigen::Index iterations,
                            Eigen::Index products, double tolerance)
      : std::runtime_error("gdcert: the Lanczos iteration converged " + std::to_string(converged) +
                           " of " + std::to_string(requested) + " eigenvalues of the Hessian in " +
                           std::to_string(iterations) + " restarts (" + std::to_string(products) +
                           " Hessian-vector products, relative tolerance " +
                           detail::to_text(tolerance) +
                           "); raise hessian_spectrum_options::max_iterations or subspace_size"),
        requested_(requested), converged_(converged), iterations_(iterations), products_(products) {
  }
  [[nodiscard]] Eigen::Index requested() const noexcept { return requested_; }
  [[nodiscard]] Eigen::Index converged() const noexcept { return converged_; }
  [[nodiscard]] Eigen::Index iterations() const noexcept { return iterations_; }
  [[nodiscard]] Eigen::Index products() const noexcept { return products_; }

private:
  Eigen::Index requested_, converged_, iterations_, products_;
};

namespace detail {
/// The problem prepares an operator for many products at one state: `p.hessian_operator(x)`, a
/// callable (const Real* v, Real* out) writing ∇²R(x)·v in coordinate order.
template <class P, class State>
concept has_hessian_operator = requires(const P& p, const State& x) {
  p.hessian_operator(x);
};
/// A product came out NaN or ±∞ (for a finite state: an intermediate beyond the range).
struct product_not_finite {};
/// The Lanczos iteration handed the operator a vector that is not finite (its breakdown on an
/// operator that is zero on every vector it tried).
struct lanczos_breakdown {};

/// A fixed unit vector of ±1/√d entries (xorshift signs): the probe that sets the operator's scale.
template <class Real>
[[nodiscard]] vector<Real> probe_vector(Eigen::Index d) {
  vector<Real> u(d);
  std::uint64_t bits = 0x9e3779b97f4a7c15u;
  using std::sqrt;
  const Real entry = Real(1) / sqrt(Real(d));
  for (Eigen::Index i = 0; i < d; ++i) {
    bits ^= bits << 13;
    bits ^= bits >> 7;
    bits ^= bits << 17;
    u(i) = (bits >> 11) & 1u ? entry : -entry;
  }
  return u;
}
} // namespace detail

/// ∇²R(x)·v by forward-mode differentiation: the problem's own templated `gradient`, evaluated
/// once over jet<T, 1> at x + εv, has the derivative part ∇²R(x)·v (v in coordinate order).
/// Exact over rationals; the route of problems without a product of their own, and a check of
/// those that have one.
template <class Problem, class State, class T>
[[nodiscard]] vector<T> jet_hessian_vector_product(const Problem& problem, const State& x,
                                                   const vector<T>& v) {
  const vector<T> c = problem.coordinates(x);
  require_dimension("direction v size", v.size(), c.size());
  using seeded_scalar = jet<T, 1>;
  vector<seeded_scalar> seeded(c.size());
  for (Eigen::Index i = 0; i < c.size(); ++i) {
    seeded(i) = seeded_scalar(c(i));
    seeded(i).derivative[0] = v(i);
  }
  const auto g = problem.coordinates(
      problem.gradient(problem.template from_coordinates<seeded_scalar>(seeded)));
  vector<T> out(g.size());
  for (Eigen::Index i = 0; i < g.size(); ++i)
    out(i) = g(i).derivative[0];
  return out;
}

/// ∇²R(x)·v in coordinate order (v a vector<T> of dimension() numbers): the problem's member
/// `p.hessian_vector_product(x, direction)` where it has one (the matrix problems), else
/// jet_hessian_vector_product. Never builds the d × d Hessian. Throws gdcert::invalid_parameter
/// when v or x do not have the problem's sizes.
template <class Problem, class State, class T>
[[nodiscard]] vector<T> hessian_vector_product(const Problem& problem, const State& x,
                                               const vector<T>& v) {
  if constexpr (detail::has_hessian_vector_product<Problem, State>) {
    require_dimension("direction v size", v.size(), problem.dimension());
    return problem.coordinates(
        problem.hessian_vector_product(x, problem.template from_coordinates<T>(v)));
  } else {
    return jet_hessian_vector_product(problem, x, v);
  }
}

/// Spectra's operator (rows(), perform_op(in, out)) over a product callable
/// `product(const Real* v, Real* out)`, which it refers to (the callable must outlive it). The
/// callable's type is erased, so that Spectra's solver is compiled once per scalar, not once per
/// problem. Spectra's thresholds are absolute (a residual below ε√d counts as zero), so the
/// operator it sees is H/2^e, with 2^e the magnitude of H·u for a fixed unit vector u
/// (calibrate(); exact, a power of two): λ_max(H) = 2^e·λ_max(H/2^e) for every scale of H. It
/// counts the products and checks each: one that is not finite throws detail::product_not_finite,
/// which top_hessian_eigenpairs answers with the evaluation over a wider type.
template <class Real>
class lanczos_operator {
public:
  using Scalar = Real;
  template <class Product>
  lanczos_operator(Eigen::Index dimension, Product& product)
      : dimension_(dimension), context_(const_cast<void*>(static_cast<const void*>(&product))),
        call_([](void* context, const Real* in, Real* out) {
          (*static_cast<Product*>(context))(in, out);
        }) {}
  [[nodiscard]] Eigen::Index rows() const noexcept { return dimension_; }
  [[nodiscard]] Eigen::Index cols() const noexcept { return dimension_; }

  /// Sets the scale 2^e from one product with detail::probe_vector (2^0 where that is zero).
  void calibrate() {
    const vector<Real> u = detail::probe_vector<Real>(dimension_);
    vector<Real> y(dimension_);
    apply(u.data(), y.data());
    const Real largest = y.cwiseAbs().maxCoeff();
    exponent_ = largest > 0 ? std::ilogb(largest) : 0;
  }
  /// The exponent e of the scale: eigenvalues of H are 2^e times those Spectra finds.
  [[nodiscard]] int exponent() const noexcept { return exponent_; }

  /// out ← ∇²R(x)·in / 2^e.
  void perform_op(const Real* in, Real* out) const {
    if (!Eigen::Map<const vector<Real>>(in, dimension_).allFinite())
      throw detail::lanczos_breakdown{};
    apply(in, out);
    if (exponent_ != 0) {
      Eigen::Map<vector<Real>> y(out, dimension_);
      if (exponent_ > -1000 && exponent_ < 1000)
        y *= std::ldexp(Real(1), -exponent_);
      else
        for (Eigen::Index i = 0; i < dimension_; ++i)
          y(i) = std::ldexp(y(i), -exponent_);
    }
  }
  [[nodiscard]] Eigen::Index products() const noexcept { return products_; }
  /// Whether any product so far had a non-zero entry.
  [[nodiscard]] bool seen_nonzero() const noexcept { return nonzero_; }

private:
  void apply(const Real* in, Real* out) const {
    call_(context_, in, out);
    ++products_;
    const Eigen::Map<const vector<Real>> y(out, dimension_);
    if (!y.allFinite())
      throw detail::product_not_finite{};
    if (!nonzero_)
      nonzero_ = (y.array() != Real(0)).any();
  }

  Eigen::Index dimension_;
  void* context_;
  void (*call_)(void*, const Real*, Real*);
  int exponent_ = 0;
  mutable Eigen::Index products_ = 0;
  mutable bool nonzero_ = false;
};

namespace detail {
/// Throws gdcert::invalid_parameter naming the first option outside its range for dimension d.
inline void validate_spectrum_options(const hessian_spectrum_options& options, Eigen::Index d) {
  require_at_least("state dimension d (Lanczos finds k < d eigenvalues)", d, 2);
  require_extent("hessian_spectrum_options::eigenvalue_count k", options.eigenvalue_count, 1,
                 d - 1);
  if (options.subspace_size != 0 &&
      (options.subspace_size <= options.eigenvalue_count || options.subspace_size > d))
    throw invalid_parameter(
        "hessian_spectrum_options::subspace_size ncv", std::to_string(options.subspace_size),
        "0 (automatic) or k < ncv <= d: (" + std::to_string(options.eigenvalue_count) + ", " +
            std::to_string(d) + "]");
  require_at_least("hessian_spectrum_options::max_iterations", options.max_iterations, 1);
  require_open_interval("hessian_spectrum_options::tolerance", options.tolerance, 0.0, 1.0);
}

[[nodiscard]] inline Eigen::Index subspace_size(const hessian_spectrum_options& options,
                                                Eigen::Index d) {
  if (options.subspace_size != 0)
    return options.subspace_size;
  return std::min(d, std::max<Eigen::Index>(2 * options.eigenvalue_count + 1, 20));
}

/// The k largest eigenpairs of the operator by Spectra's implicitly restarted Lanczos
/// (SortRule::LargestAlge: λ_max, not the largest magnitude), from Spectra's fixed start vector
/// (the same numbers every run), scaled back by the operator's 2^e. An operator that was zero on
/// every vector tried (the zero Hessian, on which Spectra breaks down) has the eigenvalues 0.
template <class Real>
[[nodiscard]] hessian_eigenpairs<Real> lanczos_eigenpairs(lanczos_operator<Real>& op,
                                                          const hessian_spectrum_options& options) {
  const Eigen::Index d = op.rows(), k = options.eigenvalue_count;
  Spectra::SymEigsSolver<lanczos_operator<Real>> solver(op, k, subspace_size(options, d));
  hessian_eigenpairs<Real> out;
  try {
    solver.init();
    solver.compute(Spectra::SortRule::LargestAlge, options.max_iterations, Real(options.tolerance),
                   Spectra::SortRule::LargestAlge);
  } catch (const lanczos_breakdown&) {
    if (op.seen_nonzero())
      throw eigensolver_not_converged(k, 0, solver.num_iterations(), op.products(),
                                      options.tolerance);
  } catch (const std::runtime_error&) { // Spectra's own: its tridiagonal eigensolver failed
    if (op.seen_nonzero())
      throw eigensolver_not_converged(k, 0, solver.num_iterations(), op.products(),
                                      options.tolerance);
  }
  if (!op.seen_nonzero()) {
    out.eigenvalues = vector<Real>::Zero(k);
    if (options.compute_eigenvectors)
      out.eigenvectors = matrix<Real>::Identity(d, k);
  } else {
    if (solver.info() != Spectra::CompInfo::Successful)
      throw eigensolver_not_converged(k, solver.eigenvalues().size(), solver.num_iterations(),
                                      op.products(), options.tolerance);
    out.eigenvalues = solver.eigenvalues();
    for (Eigen::Index i = 0; i < out.eigenvalues.size(); ++i)
      out.eigenvalues(i) = std::ldexp(out.eigenvalues(i), op.exponent());
    if (options.compute_eigenvectors)
      out.eigenvectors = solver.eigenvectors();
  }
  out.iterations = solver.num_iterations();
  out.products = op.products();
  out.converged = true;
  return out;
}

#ifdef GDCERT_PRECOMPILED_ACTIVE // core/precompiled.hpp: Spectra's solver in double, compiled once
extern template hessian_eigenpairs<double> lanczos_eigenpairs(lanczos_operator<double>&,
                                                              const hessian_spectrum_options&);
#endif

/// The product callable at x: the problem's prepared operator where it has one (R formed once),
/// else one hessian_vector_product per call.
template <class Real, class Problem, class State>
[[nodiscard]] auto prepared_product(const Problem& problem, const State& x) {
  if constexpr (has_hessian_operator<Problem, State>) {
    return problem.hessian_operator(x);
  } else {
    const Eigen::Index d = problem.dimension();
    return [&problem, &x, d](const Real* in, Real* out) {
      const vector<Real> v = Eigen::Map<const vector<Real>>(in, d);
      Eigen::Map<vector<Real>>(out, d) = hessian_vector_product(problem, x, v);
    };
  }
}

/// No type wider than the state's scalar to evaluate products in.
struct no_wider_state {};

/// The problem's own product runs on the state over extended_range (the built-in matrix problems).
template <class P, class State>
concept has_extended_product = requires(const P& p, const State& x) {
  p.hessian_vector_product(extend_range(x), extend_range(x));
};

/// x over a type with Real's precision and a wider range: extended_range for a problem whose
/// product runs on it, else long double for a double state.
template <class Real, class Problem, class State>
[[nodiscard]] auto wider_state(const Problem& problem, const State& x) {
  if constexpr (has_extended_product<Problem, State>) {
    return extend_range(x);
  } else if constexpr (std::is_same_v<Real, double> &&
                       std::numeric_limits<long double>::max_exponent >
                           std::numeric_limits<double>::max_exponent) {
    const vector<long double> c = problem.coordinates(x).template cast<long double>();
    return problem.template from_coordinates<long double>(c);
  } else {
    return no_wider_state{};
  }
}

template <class Real, class Wide>
[[nodiscard]] Real narrowed(const Wide& value) {
  if constexpr (std::is_floating_point_v<Wide>)
    return static_cast<Real>(value);
  else
    return round_to_real(value);
}

[[noreturn]] inline void throw_products_beyond_range() {
  throw invalid_parameter(
      "sharpness state (its Hessian-vector products)",
      "values beyond the range of the scalar, also in a wider type",
      "states whose Hessian-vector products are finite over extended_range or long double");
}

/// The top eigenpairs of a finite state whose products overflow in Real: products evaluated over
/// a wider type and divided there by a fixed scale s (the largest entry of H·u for a fixed ±1
/// unit vector u), so that Lanczos runs on H/s in Real; the eigenvalues are s·θ, rounded to Real (±∞
/// only where they are beyond its range). Slow (products over the wider type, one at a time): it
/// is the answer for states past |x| ≈ 1e150, not a working route.
template <class Real, class Problem, class State>
[[nodiscard]] hessian_eigenpairs<Real> scaled_eigenpairs(const Problem& problem, const State& x,
                                                         const hessian_spectrum_options& options) {
  const auto wide_x = wider_state<Real>(problem, x);
  if constexpr (std::is_same_v<std::decay_t<decltype(wide_x)>, no_wider_state>) {
    throw_products_beyond_range();
  } else {
    using Wide = coordinate_scalar<Problem, std::decay_t<decltype(wide_x)>>;
    using std::abs;
    using std::isfinite;
    const Eigen::Index d = problem.dimension();
    const vector<Real> unit = probe_vector<Real>(d);
    vector<Wide> signs(d);
    for (Eigen::Index i = 0; i < d; ++i)
      signs(i) = Wide(unit(i));
    const vector<Wide> probe = hessian_vector_product(problem, wide_x, signs);
    Wide scale(0);
    for (Eigen::Index i = 0; i < d; ++i) {
      if (!isfinite(probe(i)))
        throw_products_beyond_range();
      if (scale < abs(probe(i)))
        scale = abs(probe(i));
    }
    if (scale == Wide(0))
      scale = Wide(1);
    auto product = [&problem, &wide_x, &scale, d](const Real* in, Real* out) {
      vector<Wide> v(d);
      for (Eigen::Index i = 0; i < d; ++i)
        v(i) = Wide(in[i]);
      const vector<Wide> hv = hessian_vector_product(problem, wide_x, v);
      for (Eigen::Index i = 0; i < d; ++i)
        out[i] = narrowed<Real>(Wide(hv(i) / scale));
    };
    try {
      lanczos_operator<Real> op(d, product); // its products are already O(1): no calibration
      hessian_eigenpairs<Real> out = lanczos_eigenpairs(op, options);
      for (Eigen::Index i = 0; i < out.eigenvalues.size(); ++i)
        out.eigenvalues(i) = narrowed<Real>(Wide(Wide(out.eigenvalues(i)) * scale));
      ++out.products; // the probe
      return out;
    } catch (const product_not_finite&) {
      throw_products_beyond_range();
    }
  }
}
} // namespace detail

/// The k largest (algebraic) eigenvalues of ∇²R(x), and on request their eigenvectors, by
/// implicitly restarted Lanczos (Spectra) on Hessian-vector products: the problem's prepared
/// operator `p.hessian_operator(x)` or its `hessian_vector_product` member where it has them, else
/// forward-mode jets on its gradient. Memory: ncv + O(1) vectors of d numbers (and whatever the
/// problem's operator keeps, e.g. the m × n residual), never a d × d matrix. For a floating-point
/// state (double or long double). Throws gdcert::invalid_parameter for an option outside its range
/// (validate_spectrum_options: k in [1, d − 1], ncv 0 or in (k, d], …) or a state that is not
/// finite or has the wrong sizes, and eigensolver_not_converged when the iteration does not
/// converge. Where a product overflows for a finite state, the products are evaluated again over
/// a wider type and scaled (detail::scaled_eigenpairs), so eigenvalues are ±∞ only where they
/// are beyond the range.
template <class Problem, class State>
[[nodiscard]] auto top_hessian_eigenpairs(const Problem& problem, const State& x,
                                          const hessian_spectrum_options& options = {}) {
  using Real = detail::coordinate_scalar<Problem, State>;
  static_assert(std::is_floating_point_v<Real>,
                "top_hessian_eigenpairs runs Lanczos in floating point: a double or long double "
                "state");
  problem.validate_state(x);
  const Eigen::Index d = problem.dimension();
  detail::validate_spectrum_options(options, d);
  try {
    auto product = detail::prepared_product<Real>(problem, x);
    lanczos_operator<Real> op(d, product);
    op.calibrate();
    return detail::lanczos_eigenpairs(op, options);
  } catch (const detail::product_not_finite&) {
    return detail::scaled_eigenpairs<Real>(problem, x, options);
  }
}

/// λ_max(∇²R(x)) by Lanczos on Hessian-vector products (top_hessian_eigenpairs with k = 1 and
/// the default options: relative tolerance 1e-10), with gdcert::sharpness's conventions: NaN for
/// a state that is not finite, +∞ only where λ_max is beyond the range. A 1 × 1 Hessian is its
/// one product. Throws eigensolver_not_converged when the iteration does not converge.
template <class Problem, class State>
[[nodiscard]] auto matrix_free_sharpness(const Problem& problem, const State& x) {
  using Real = detail::coordinate_scalar<Problem, State>;
  static_assert(std::is_floating_point_v<Real>,
                "matrix_free_sharpness runs Lanczos in floating point: a double or long double "
                "state");
  if (!problem.coordinates(x).allFinite())
    return std::numeric_limits<Real>::quiet_NaN();
  if (problem.dimension() == 1) {
    const Real value = hessian_vector_product(problem, x, vector<Real>::Ones(1).eval())(0);
    if (std::isnan(value))
      detail::throw_products_beyond_range();
    return value;
  }
  return top_hessian_eigenpairs(problem, x).eigenvalues(0);
}

/// λ_min(∇²R(x)), the smallest (algebraic) eigenvalue, by Lanczos on Hessian-vector products:
/// σ − θ, with σ = max(λ_max, 0) (matrix_free_sharpness) and θ the largest eigenvalue of
/// σI − ∇²R(x), which is positive semidefinite. Two largest-eigenvalue runs instead of one for
/// the smallest: near a minimizer of a factorization λ_min is a multiple 0 (the r² directions of
/// the invariance XG, YG⁻ᵀ), where Lanczos's relative tolerance would ask for an absolute
/// accuracy of 1e-10 · ε^(2/3); shifted, the error is at most about 1e-10 · (σ − λ_min) plus the
/// products' rounding. NaN for a state that is not finite; throws eigensolver_not_converged as
/// top_hessian_eigenpairs, and gdcert::invalid_parameter where the products overflow.
template <class Problem, class State>
[[nodiscard]] auto smallest_hessian_eigenvalue(const Problem& problem, const State& x) {
  using Real = detail::coordinate_scalar<Problem, State>;
  static_assert(std::is_floating_point_v<Real>,
                "smallest_hessian_eigenvalue runs Lanczos in floating point: a double or long "
                "double state");
  if (!problem.coordinates(x).allFinite())
    return std::numeric_limits<Real>::quiet_NaN();
  const Real top = matrix_free_sharpness(problem, x);
  const Eigen::Index d = problem.dimension();
  if (d == 1) // the one eigenvalue (Lanczos needs k < d)
    return top;
  const Real shift = std::max(top, Real(0));
  try {
    auto product = detail::prepared_product<Real>(problem, x);
    auto shifted = [&product, shift, d](const Real* in, Real* out) {
      product(in, out);
      for (Eigen::Index i = 0; i < d; ++i)
        out[i] = shift * in[i] - out[i];
    };
    lanczos_operator<Real> op(d, shifted);
    op.calibrate();
    return shift - detail::lanczos_eigenpairs(op, hessian_spectrum_options{}).eigenvalues(0);
  } catch (const detail::product_not_finite&) {
    detail::throw_products_beyond_range();
  }
}

/// Defined here, declared in problems/problem.hpp: whether ∇²R(x) has no eigenvalue below
/// −tolerance; the problem's dense positive_semidefinite(hessian(x), tolerance) up to
/// dense_sharpness_limit coordinates, smallest_hessian_eigenvalue(x) ≥ −tolerance above (no
/// d × d matrix). False for a state that is not finite (its λ_min is NaN).
template <class Problem, class State>
[[nodiscard]] auto second_order_minimum(const Problem& problem, const State& x, double tolerance) {
  if (problem.dimension() <= dense_sharpness_limit)
    return bool(problem.positive_semidefinite(problem.hessian(x), tolerance));
  return bool(smallest_hessian_eigenvalue(problem, x) >= -tolerance);
}

} // namespace gdcert
