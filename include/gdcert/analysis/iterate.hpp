// Drivers iterate / run_until over any problem, and observers that record a trajectory: states, loss, δ_t, L_t, G_t, sharpness against 2/η.
#pragma once

#include <gdcert/core/arithmetic.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/core/precompiled.hpp>
#include <gdcert/problems/diagonal_approximation.hpp>
#include <gdcert/problems/problem.hpp>
#include <gdcert/problems/quartic.hpp>
#include <gdcert/problems/rank1_factorization.hpp>
#include <gdcert/problems/scalar.hpp>
#include <gdcert/problems/scalar_vector.hpp>
#include <gdcert/stability/sharpness_method.hpp>

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <limits>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace gdcert {

/// An observer sees every state of a trajectory, x₀ included (the odeint *Observer*). The
/// concepts take the deduced (possibly reference) type of a forwarded argument.
///
/// Valid expressions (`o` an `O&`, `x` a `const State&`, `t` a `std::size_t`):
/// | expression | returns   | meaning                                                         |
/// |------------|-----------|-----------------------------------------------------------------|
/// | `o(x, t)`  | (ignored) | called with x₀ at t = 0, then with x_t after every step t >= 1  |
///
/// A stop predicate `s` of run_until is called the same way and answers whether to stop:
/// | expression | returns                  | meaning                                      |
/// |------------|--------------------------|----------------------------------------------|
/// | `s(x, t)`  | convertible to `bool`    | true: stop at x_t (t = 0 is asked too)       |
template <class O, class State>
concept observer = requires(O& o, const State& x, std::size_t t) {
  o(x, t);
};

template <class S, class State>
concept stop_predicate = requires(S& s, const State& x, std::size_t t) {
  { s(x, t) } -> std::convertible_to<bool>;
};

/// The observer that watches nothing: the drivers recognise it and run the bare map loop.
struct null_observer {
  template <class State>
  constexpr void operator()(const State&, std::size_t) const noexcept {}
};

/// Advances `x` by `steps` applications of the GD map, x ← p.step(x) (gdcert::advance: in place
/// where the problem steps in place), calling `observe(x, t)` for
/// t = 0, …, steps. Returns the number of steps taken (= steps). The problem, state and observer
/// are template parameters, so the loop inlines the map; with null_observer it is the bare loop.
template <class Problem, class State, observer<State> Observer = null_observer>
requires steps_state<Problem, State> std::size_t
iterate(const Problem& problem, State& x, std::size_t steps, Observer&& observe = Observer{}) {
  auto workspace = make_step_workspace(problem, x);
  if constexpr (std::is_same_v<std::remove_cvref_t<Observer>, null_observer>) {
    for (std::size_t t = 0; t < steps; ++t)
      advance(problem, x, workspace);
  } else {
    observe(std::as_const(x), std::size_t{0});
    for (std::size_t t = 1; t <= steps; ++t) {
      advance(problem, x, workspace);
      observe(std::as_const(x), t);
    }
  }
  return steps;
}

/// Advances `x` until `stop(x, t)` holds or `max_steps` steps have been taken, calling
/// `observe(x, t)` on every state visited (x₀ included). `stop` is asked at t = 0 too. Returns the
/// number of steps taken: the first t with stop(x_t, t), or max_steps.
template <class Problem, class State, stop_predicate<State> Stop,
          observer<State> Observer = null_observer>
requires steps_state<Problem, State> std::size_t run_until(const Problem& problem, State& x,
                                                           Stop&& stop, std::size_t max_steps,
                                                           Observer&& observe = Observer{}) {
  constexpr bool watched = !std::is_same_v<std::remove_cvref_t<Observer>, null_observer>;
  if constexpr (watched)
    observe(std::as_const(x), std::size_t{0});
  if (stop(std::as_const(x), std::size_t{0}))
    return 0;
  auto workspace = make_step_workspace(problem, x);
  for (std::size_t t = 1; t <= max_steps; ++t) {
    advance(problem, x, workspace);
    if constexpr (watched)
      observe(std::as_const(x), t);
    if (stop(std::as_const(x), t))
      return t;
  }
  return max_steps;
}

/// Several observers as one: each sees every state, in the order given. Lvalue observers are held
/// by reference (read their records afterwards), rvalues by value.
///
/// Valid expressions (`o` an observer_tuple): `o(x, t)`, `o.template get<I>()` (the I-th observer).
template <class... Observers>
class observer_tuple {
public:
  template <class... Args>
  explicit observer_tuple(Args&&... observers) : observers_(std::forward<Args>(observers)...) {}

  template <class State>
  void operator()(const State& x, std::size_t t) {
    std::apply([&](auto&... each) { (each(x, t), ...); }, observers_);
  }
  template <std::size_t I>
  [[nodiscard]] auto& get() noexcept {
    return std::get<I>(observers_);
  }

private:
  std::tuple<Observers...> observers_;
};

/// observe_all(a, b, c): one observer calling a, b and c in turn.
template <class... Observers>
[[nodiscard]] observer_tuple<Observers...> observe_all(Observers&&... observers) {
  return observer_tuple<Observers...>(std::forward<Observers>(observers)...);
}

namespace detail {
/// Throws unless a recorder's stride is >= 1. Compared as std::size_t: converted to long, a
/// stride above LONG_MAX (valid: it records x₀ only) would read as negative.
inline void require_stride(std::size_t stride) {
  if (stride == 0)
    throw invalid_parameter("recorder stride", "0", ">= 1");
}
} // namespace detail

/// Records the states themselves, every `stride`-th one (t ≡ 0 mod stride).
template <class State>
class state_recorder {
public:
  explicit state_recorder(std::size_t stride = 1) : stride_(stride) {
    detail::require_stride(stride);
  }
  void operator()(const State& x, std::size_t t) {
    if (t % stride_ == 0) {
      states_.push_back(x);
      steps_.push_back(t);
    }
  }
  [[nodiscard]] const std::vector<State>& states() const noexcept { return states_; }
  [[nodiscard]] const std::vector<std::size_t>& steps() const noexcept { return steps_; }

private:
  std::size_t stride_;
  std::vector<State> states_;
  std::vector<std::size_t> steps_;
};

/// Records f(x_t) as a `Value` (double or long double), every `stride`-th state. The building
/// block of the named recorders below; give it any accessor lambda.
template <class Function, class Value = double>
class value_recorder {
public:
  explicit value_recorder(Function function, std::size_t stride = 1)
      : function_(std::move(function)), stride_(stride) {
    detail::require_stride(stride);
  }
  template <class State>
  void operator()(const State& x, std::size_t t) {
    if (t % stride_ == 0) {
      values_.push_back(static_cast<Value>(function_(x)));
      steps_.push_back(t);
    }
  }
  [[nodiscard]] const std::vector<Value>& values() const noexcept { return values_; }
  [[nodiscard]] const std::vector<std::size_t>& steps() const noexcept { return steps_; }

private:
  Function function_;
  std::size_t stride_;
  std::vector<Value> values_;
  std::vector<std::size_t> steps_;
};

/// record_values<Value>(f): a value_recorder of any accessor, e.g. [](auto& x) { return x.a; }.
template <class Value = double, class Function>
[[nodiscard]] value_recorder<Function, Value> record_values(Function function,
                                                            std::size_t stride = 1) {
  return value_recorder<Function, Value>(std::move(function), stride);
}

/// The loss R(x_t). The problem must outlive the recorder.
template <class Value = double, class Problem>
[[nodiscard]] auto record_loss(const Problem& problem, std::size_t stride = 1) {
  return record_values<Value>([&problem](const auto& x) { return problem.loss(x); }, stride);
}

/// The state parameter δ_t = δ(x_t) of a certificate (docs/formulas.md §4): strictly increasing
/// along a certified trajectory. The certificate must outlive the recorder.
template <class Value = double, class Certificate>
[[nodiscard]] auto record_state_parameter(const Certificate& certificate, std::size_t stride = 1) {
  return record_values<Value>(
      [&certificate](const auto& x) { return certificate.state_parameter(x); }, stride);
}

// Residual L and imbalance G (docs/formulas.md §0) of the problems where the paper defines them.
// For the scalar problem they are taken in the rescaled coordinates x/√σ of (2.3), as the
// certificate does.

/// L = 1 − ab/σ, scalar problem (rescaled, §0).
template <class T>
[[nodiscard]] T residual_of(const scalar_factorization& p, const scalar_state<T>& x) {
  return constant<T>(1.0) - x.a * x.b / constant<T>(p.target());
}
/// G = (b² − a²)/σ, scalar problem (rescaled, §0).
template <class T>
[[nodiscard]] T imbalance_of(const scalar_factorization& p, const scalar_state<T>& x) {
  return (x.b * x.b - x.a * x.a) / constant<T>(p.target());
}
/// L = 1 − ab, quartic-augmented problem.
template <class T>
[[nodiscard]] T residual_of(const quartic_factorization&, const scalar_state<T>& x) {
  return constant<T>(1.0) - x.a * x.b;
}
/// G = b² − a², quartic-augmented problem.
template <class T>
[[nodiscard]] T imbalance_of(const quartic_factorization&, const scalar_state<T>& x) {
  return x.b * x.b - x.a * x.a;
}
/// L = 1 − ab (signal residual), rank-1 factorization and the diagonal approximation.
template <class Problem, class T>
requires std::same_as<Problem, rank1_factorization> || std::same_as<Problem, diagonal_approximation>
[[nodiscard]] T residual_of(const Problem&, const rank1_state<T>& x) {
  return constant<T>(1.0) - x.a * x.b;
}
/// G = b² − a², rank-1 factorization and the diagonal approximation.
template <class Problem, class T>
requires std::same_as<Problem, rank1_factorization> || std::same_as<Problem, diagonal_approximation>
[[nodiscard]] T imbalance_of(const Problem&, const rank1_state<T>& x) {
  return x.b * x.b - x.a * x.a;
}
/// L = 1 − ⟨a,b⟩, scalar-vector problem.
template <class T>
[[nodiscard]] T residual_of(const scalar_vector_factorization&,
                            const scalar_vector_factorization::state<T>& x) {
  return constant<T>(1.0) - dot(x.a, x.b);
}
/// G = ‖b‖² − ‖a‖², scalar-vector problem.
template <class T>
[[nodiscard]] T imbalance_of(const scalar_vector_factorization&,
                             const scalar_vector_factorization::state<T>& x) {
  return squared_norm(x.b) - squared_norm(x.a);
}

/// Whether residual_of / imbalance_of are defined for a problem and state.
template <class Problem, class State>
concept has_residual_and_imbalance = requires(const Problem& p, const State& x) {
  residual_of(p, x);
  imbalance_of(p, x);
};

/// The residual L_t (the problems of residual_of above; use record_values for others).
template <class Value = double, class Problem>
[[nodiscard]] auto record_residual(const Problem& problem, std::size_t stride = 1) {
  return record_values<Value>([&problem](const auto& x) { return residual_of(problem, x); },
                              stride);
}
/// The imbalance G_t (the problems of imbalance_of above; use record_values for others).
template <class Value = double, class Problem>
[[nodiscard]] auto record_imbalance(const Problem& problem, std::size_t stride = 1) {
  return record_values<Value>([&problem](const auto& x) { return imbalance_of(problem, x); },
                              stride);
}

namespace detail {
/// Largest eigenvalue of a finite symmetric matrix: closed form for 1 × 1 and 2 × 2 (the scalar
/// problems of a sweep build no solver), Eigen's SelfAdjointEigenSolver otherwise (it scales the
/// matrix by its largest entry itself, so entries up to the largest double are fine). One
/// dynamic-size solver for every larger size: each instantiation of the solver costs its callers
/// seconds of compile time (the compile-time report in docs/performance.md), fixed-size ones as
/// much as the dynamic one.
template <class Real>
[[nodiscard]] Real
finite_largest_eigenvalue(const Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>& h) {
  if (h.rows() == 1)
    return h(0, 0);
  if (h.rows() == 2) {
    const Real value = largest_block_eigenvalue(h(0, 0), h(1, 1), h(0, 1));
    if constexpr (std::is_floating_point_v<Real>) // its squares overflow past entries of 1e154
      if (!std::isfinite(value))
        return round_to_real(largest_block_eigenvalue(extend_range(h(0, 0)), extend_range(h(1, 1)),
                                                      extend_range(h(0, 1))));
    return value;
  }
  return Eigen::SelfAdjointEigenSolver<Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>>(
             h, Eigen::EigenvaluesOnly)
      .eigenvalues()
      .maxCoeff();
}

/// +∞ when a lower bound of λ_max already overflows in a symmetric matrix whose ±∞ entries stand
/// for values beyond the range: a diagonal entry +∞ (λ_max ≥ h_ii), or an off-diagonal ±∞
/// between diagonal entries that are not −∞ (λ_max ≥ (h_ii + h_jj)/2 + |h_ij|). NaN otherwise
/// (a NaN entry, or only −∞ on the diagonal: λ_max is not determined by the entries).
template <class Real>
[[nodiscard]] Real
overflowed_largest_eigenvalue(const Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>& h) {
  using std::isinf;
  constexpr Real infinity = std::numeric_limits<Real>::infinity();
  for (Eigen::Index i = 0; i < h.rows(); ++i)
    for (Eigen::Index j = 0; j < h.cols(); ++j)
      if ((i == j && h(i, i) == infinity) ||
          (i != j && isinf(h(i, j)) && h(i, i) > -infinity && h(j, j) > -infinity))
        return infinity;
  return std::numeric_limits<Real>::quiet_NaN();
}

/// A long double or extended_range value rounded to Real.
template <class Real, class Wide>
[[nodiscard]] Real rounded_to(const Wide& value) {
  if constexpr (std::is_floating_point_v<Wide>)
    return static_cast<Real>(value);
  else
    return round_to_real(value);
}

/// λ_max(∇²R(x)) for a finite state whose Hessian overflows in Real (docs/errors.md, "States"):
/// the bounds of overflowed_largest_eigenvalue; else the Hessian evaluated again over
/// extended_range (the built-in problems) or, for a double state of another problem, in long
/// double; divided by its largest entry into Real's range for the usual eigensolver (λ_max scales
/// with the matrix), and the result multiplied back, so it is +∞ only where λ_max itself is beyond
/// the range. A Hessian that no evaluation brings into range is a named error, never a NaN.
template <class Problem, class State, class Real>
[[nodiscard]] Real
sharpness_beyond_range(const Problem& problem, const State& x, const vector<Real>& coordinates,
                       const Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>& h) {
  if (const Real bound = overflowed_largest_eigenvalue<Real>(h); !std::isnan(bound))
    return bound;
  // λ_max(H) = m·λ_max(H/m), with m the largest |entry| of the wide Hessian.
  const auto from_wide = [](const auto& wide) -> std::optional<Real> {
    using Wide = typename std::decay_t<decltype(wide)>::Scalar;
    using std::abs;
    using std::isfinite;
    Wide largest(0);
    for (Eigen::Index i = 0; i < wide.rows(); ++i)
      for (Eigen::Index j = 0; j < wide.cols(); ++j)
        if (!isfinite(wide(i, j)))
          return std::nullopt;
        else if (largest < abs(wide(i, j)))
          largest = abs(wide(i, j));
    if (largest == Wide(0))
      return Real(0);
    Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic> scaled(wide.rows(), wide.cols());
    for (Eigen::Index i = 0; i < wide.rows(); ++i)
      for (Eigen::Index j = 0; j < wide.cols(); ++j)
        scaled(i, j) = rounded_to<Real>(Wide(wide(i, j) / largest));
    return rounded_to<Real>(Wide(Wide(finite_largest_eigenvalue<Real>(scaled)) * largest));
  };
  if constexpr (std::is_floating_point_v<Real> && requires { problem.hessian(extend_range(x)); }) {
    if (const auto value = from_wide(problem.hessian(extend_range(x))))
      return *value;
  } else if constexpr (std::is_same_v<Real, double> && requires(const vector<long double>& c) {
                         problem.hessian(problem.template from_coordinates<long double>(c));
                       }) {
    const Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic> wide =
        problem.hessian(problem.template from_coordinates<long double>(
            coordinates.template cast<long double>().eval()));
    if (const auto value = from_wide(wide))
      return *value;
    if (const long double bound = overflowed_largest_eigenvalue<long double>(wide);
        !std::isnan(bound))
      return static_cast<double>(bound);
  }
  throw invalid_parameter("sharpness state (its Hessian)",
                          "entries beyond the range of the scalar that do not bound lambda_max",
                          "states whose Hessian is finite or has a diagonal entry of +inf");
}
} // namespace detail

/// Sharpness λ_max(∇²R(x)) by the dense route (sharpness_method::dense): the problem's closed
/// form `p.sharpness(x)` where it has one (the scalar and 2 × 2 rank-1 problems: no matrix is
/// built, which matters once per point of a sweep), else the largest eigenvalue of p.hessian(x)
/// (Eigen's SelfAdjointEigenSolver; closed form for 2 × 2). For a finite state it is finite, or +∞
/// where λ_max is beyond the range (the Hessian's overflow is resolved by
/// detail::sharpness_beyond_range), never NaN; NaN for a state that is not finite.
template <class Problem, class State>
[[nodiscard]] auto sharpness(const Problem& problem, const State& x, sharpness_method::dense_t) {
  if constexpr (requires { problem.sharpness(x); }) {
    const auto value = problem.sharpness(x);
    using std::isfinite;
    if (isfinite(value))
      return value;
    // The closed forms are +∞ only where λ_max overflows (docs/errors.md, "States").
    return problem.coordinates(x).allFinite() ? value
                                              : std::numeric_limits<decltype(value)>::quiet_NaN();
  } else {
    const auto h = problem.hessian(x);
    using Real = typename std::decay_t<decltype(h)>::Scalar;
    if (h.allFinite())
      return detail::finite_largest_eigenvalue<Real>(h);
    const auto coordinates = problem.coordinates(x);
    if (!coordinates.allFinite())
      return std::numeric_limits<Real>::quiet_NaN();
    return detail::sharpness_beyond_range(problem, x, vector<Real>(coordinates), h);
  }
}

/// Sharpness λ_max(∇²R(x)) by Lanczos on Hessian-vector products, no d × d matrix
/// (sharpness_method::matrix_free: gdcert::matrix_free_sharpness; any problem with a
/// floating-point state). Same conventions as the dense route; throws eigensolver_not_converged
/// when the iteration does not converge. Needs <gdcert/stability/hessian_spectrum.hpp> in the
/// translation unit (stability/sharpness_method.hpp).
template <class Problem, class State>
[[nodiscard]] auto sharpness(const Problem& problem, const State& x,
                             sharpness_method::matrix_free_t) {
  // "use of matrix_free_sharpness before deduction of auto": include
  // <gdcert/stability/hessian_spectrum.hpp> (or <gdcert/matrix.hpp>).
  return matrix_free_sharpness(problem, x);
}

/// Sharpness λ_max(∇²R(x)), what classify, record_sharpness and the sweeps report: by Lanczos on
/// Hessian-vector products (matrix_free, no d × d matrix) for a floating-point state of a problem
/// with a `hessian_vector_product` member (the matrix problems) whose dimension exceeds
/// dense_sharpness_limit (200; docs/engines.md, "Sharpness at matrix scale"), else by the dense
/// route (closed forms, or the eigenvalues of p.hessian(x)). For a finite state it is finite, or
/// +∞ where λ_max is beyond the range, never NaN; NaN for a state that is not finite. Pass
/// sharpness_method::dense or sharpness_method::matrix_free as a third argument to choose. For a
/// matrix problem the translation unit includes <gdcert/stability/hessian_spectrum.hpp> (the
/// matrix umbrella <gdcert/matrix.hpp> does), so that code that computes no such sharpness never
/// parses Spectra. GD is
/// linearly unstable at a minimizer whose sharpness exceeds 2/η (docs/formulas.md §6; the edge of
/// stability of (185-189)).
template <class Problem, class State>
[[nodiscard]] auto sharpness(const Problem& problem, const State& x,
                             sharpness_method::automatic_t = sharpness_method::automatic) {
  using Dense = decltype(sharpness(problem, x, sharpness_method::dense));
  if constexpr (detail::matrix_free_sharpness_candidate<Problem, State>)
    if (problem.dimension() > dense_sharpness_limit)
      // "use of matrix_free_sharpness before deduction of auto": include
      // <gdcert/stability/hessian_spectrum.hpp> (or <gdcert/matrix.hpp>).
      return Dense(matrix_free_sharpness(problem, x));
  return sharpness(problem, x, sharpness_method::dense);
}

/// Records the sharpness λ_max(∇²R(x_t)) and reports it against the stability threshold 2/η:
/// ratio() = λ_max·η/2 (> 1: beyond the edge of stability). The problem must outlive it.
template <class Problem, class Value = double>
class sharpness_recorder {
public:
  explicit sharpness_recorder(const Problem& problem, std::size_t stride = 1)
      : problem_(&problem), stride_(stride) {
    detail::require_stride(stride);
  }
  template <class State>
  void operator()(const State& x, std::size_t t) {
    if (t % stride_ == 0) {
      values_.push_back(static_cast<Value>(sharpness(*problem_, x)));
      steps_.push_back(t);
    }
  }
  /// λ_max(∇²R(x_t)) at the recorded steps.
  [[nodiscard]] const std::vector<Value>& values() const noexcept { return values_; }
  [[nodiscard]] const std::vector<std::size_t>& steps() const noexcept { return steps_; }
  /// The threshold 2/η.
  [[nodiscard]] Value threshold() const { return Value(2) / Value(problem_->step_size()); }
  /// λ_max(∇²R(x_t))·η/2 at the recorded steps.
  [[nodiscard]] std::vector<Value> ratios() const {
    std::vector<Value> out;
    out.reserve(values_.size());
    for (const Value v : values_)
      out.push_back(v / threshold());
    return out;
  }

private:
  const Problem* problem_;
  std::size_t stride_;
  std::vector<Value> values_;
  std::vector<std::size_t> steps_;
};

template <class Value = double, class Problem>
[[nodiscard]] sharpness_recorder<Problem, Value> record_sharpness(const Problem& problem,
                                                                  std::size_t stride = 1) {
  return sharpness_recorder<Problem, Value>(problem, stride);
}

} // namespace gdcert
