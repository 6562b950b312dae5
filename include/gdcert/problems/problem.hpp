// The Problem concept (the GD map of a loss, docs/formulas.md §1) and the base that derives Jacobians from Hessians.
#pragma once

#include <gdcert/core/arithmetic.hpp>
#include <gdcert/core/error.hpp>

#include <Eigen/Core>

#include <cmath>
#include <concepts>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace gdcert {

/// The polynomial part of a problem over one scalar type T: what a sweep needs of lane packs, the
/// verifier of intervals and jets, the exact checks of rationals.
///
/// Valid expressions (`p` a `const P&`, `x` a `typename P::template state<T>`, `c` a `vector<T>`):
// clang-format off
/// | expression                          | returns        | meaning                                    |
/// |-------------------------------------|----------------|--------------------------------------------|
/// | `typename P::template state<T>`     | type           | the state (the paper's named coordinates)  |
/// | `p.step_size()`                     | `double`       | η (validated > 0 at construction)          |
/// | `p.dimension()`                     | `Eigen::Index` | number of real coordinates                 |
/// | `p.step(x)`                         | `state<T>`     | the GD map x − η∇R(x), branch-free (§1)    |
/// | `p.loss(x)`                         | `T`            | R(x)                                       |
/// | `p.coordinates(x)`                  | `vector<T>`    | x flattened in the documented order        |
/// | `p.template from_coordinates<T>(c)` | `state<T>`     | inverse of coordinates                     |
// clang-format on
template <class P, class T>
concept gradient_map_over = requires(const P& p, const typename P::template state<T>& x,
                                     const vector<T>& c) {
  { p.step_size() } -> std::convertible_to<double>;
  { p.dimension() } -> std::convertible_to<Eigen::Index>;
  { p.step(x) } -> std::same_as<typename P::template state<T>>;
  { p.loss(x) } -> std::convertible_to<T>;
  { p.coordinates(x) } -> std::convertible_to<vector<T>>;
  { p.template from_coordinates<T>(c) } -> std::same_as<typename P::template state<T>>;
};

/// A problem `P` is a loss R together with its gradient-descent map x ↦ x − η∇R(x): everything the
/// engines (classify, sweep, find_periodic_orbit, the boundary scans) ask of it. It is
/// gradient_map_over<P, T> and, with `tol` a `double`:
// clang-format off
/// | expression                          | returns        | meaning                                    |
/// |-------------------------------------|----------------|--------------------------------------------|
/// | `p.gradient(x)`                     | `state<T>`     | ∇R(x), same layout as x                    |
/// | `p.hessian(x)`                      | `matrix<T>`    | ∇²R(x) in coordinate order                 |
/// | `p.jacobian(x)`                     | `matrix<T>`    | D step(x) = I − η∇²R(x) (J_out_in)         |
/// | `p.validate_state(x)`               |                | throws invalid_parameter for a bad state   |
/// | `p.is_minimizer(x, tol)`            | `bool`         | x within tol of the minimizer set M*       |
/// | `p.is_stationary(x, tol)`           | `bool`         | x within tol of the stationary set S       |
// clang-format on
///
/// gradient_descent_map (the CRTP base below) supplies `jacobian`, `validate_state`,
/// `is_minimizer` and `is_stationary`. Optional members, each with a generic fallback:
// clang-format off
/// | optional member                     | returns | used for                       | fallback                              |
/// |-------------------------------------|---------|--------------------------------|---------------------------------------|
/// | `p.distance_to_minimizers(x)`       | `Real`  | is_minimizer, classify reports | `minimum_loss()`: ‖∇R‖ ≤ tol and R − R* ≤ tol |
/// | `p.distance_to_stationary(x)`       | `Real`  | is_stationary                  | ‖∇R(x)‖ ≤ tol                         |
/// | `p.minimum_loss()`                  | `std::optional<double>` | the loss gap above | loss_problem: second-order test (∇²R ⪰ −tol) |
/// | `p.sharpness(x)`                    | `Real`  | λ_max(∇²R) in sweeps, classify | largest eigenvalue of `p.hessian(x)`  |
// clang-format on
/// `step`, `loss`, `gradient`, `hessian` are polynomials written once over T: they run with
/// double, long double, gdcert::rational, intervals and gdcert::lanes<W>. Parameters are validated
/// once, when the problem is built; `step` checks no values (vector problems compare the sizes of
/// a state's blocks once per call, before their loops). problems/loss_problem.hpp builds a
/// problem from its loss alone. Over double and long double the built-in problems' members other
/// than `step` never return NaN for a finite state: a value that overflows on the way (∞ − ∞,
/// 0·∞ past |x| ≈ 1e154) is evaluated again over extended_range (core/arithmetic.hpp), and
/// distances scale their norms, so ±∞ comes out only where the value itself is beyond the range.
template <class P, class T = double>
concept problem = gradient_map_over<P, T> &&
    requires(const P& p, const typename P::template state<T>& x, double tolerance) {
  { p.gradient(x) } -> std::same_as<typename P::template state<T>>;
  { p.hessian(x) } -> std::convertible_to<matrix<T>>;
  { p.jacobian(x) } -> std::convertible_to<matrix<T>>;
  p.validate_state(x);
  { p.is_minimizer(x, tolerance) } -> std::convertible_to<bool>;
  { p.is_stationary(x, tolerance) } -> std::convertible_to<bool>;
};

/// A map that advances a state: what iterate and run_until need (any scalar, lane packs included).
template <class P, class State>
concept steps_state = requires(const P& p, const State& x) {
  { p.step(x) } -> std::convertible_to<State>;
};

/// A problem may keep what its step needs between calls (the matrix problems' buffers and
/// threads) and advance a state in place, allocating nothing (`w` a `P::workspace&`, `x` a
/// `State&`):
// clang-format off
/// | expression              | returns         | meaning                                           |
/// |-------------------------|-----------------|---------------------------------------------------|
/// | `p.make_workspace()`    | `P::workspace`  | buffers for this problem's sizes                  |
/// | `p.step_in_place(x, w)` |                 | x ← p.step(x), the same bits, no allocation       |
// clang-format on
/// The drivers (iterate, run_until, classify) take a step with gdcert::advance, which uses it
/// where the problem has it for State and `x = p.step(x)` otherwise.
template <class P, class State>
concept steps_in_place = requires(const P& p, State& x) {
  p.make_workspace();
  p.step_in_place(x, std::declval<std::add_lvalue_reference_t<decltype(p.make_workspace())>>());
};

/// The workspace of a problem without step_in_place: nothing.
struct no_step_workspace {};

/// p.make_workspace() where p steps State in place, else no_step_workspace.
template <class P, class State>
[[nodiscard]] auto make_step_workspace(const P& p, const State&) {
  if constexpr (steps_in_place<P, State>)
    return p.make_workspace();
  else
    return no_step_workspace{};
}

/// Whether ∇²R(x) has no eigenvalue below −tolerance, for a double state of a problem with its
/// own Hessian-vector product and a dense test `positive_semidefinite(h, tolerance)` (the
/// second-order test of is_minimizer where R* is not known: matrix_sensing, matrix_completion):
/// the dense test up to dense_sharpness_limit coordinates, above it λ_min by Lanczos on
/// Hessian-vector products (smallest_hessian_eigenvalue), never a d × d matrix. Declared here,
/// defined in stability/hessian_spectrum.hpp, which brings in Spectra: a translation unit that
/// calls is_minimizer of such a problem (or classify, the sweeps) includes that header (the
/// matrix umbrella <gdcert/matrix.hpp> does); without it the call does not compile ("use of
/// second_order_minimum before deduction of auto").
template <class Problem, class State>
[[nodiscard]] auto second_order_minimum(const Problem& problem, const State& x, double tolerance);

/// x ← p.step(x), in place and without allocating where the problem can.
template <class P, class State, class Workspace>
void advance(const P& p, State& x, Workspace& w) {
  if constexpr (std::is_same_v<Workspace, no_step_workspace>)
    x = p.step(x);
  else
    p.step_in_place(x, w);
}

namespace detail {
template <class P, class State>
concept has_minimizer_distance = requires(const P& p, const State& x) {
  p.distance_to_minimizers(x);
};
template <class P, class State>
concept has_stationary_distance = requires(const P& p, const State& x) {
  p.distance_to_stationary(x);
};
/// (State only keeps the constraint dependent in the CRTP base's is_minimizer: Clang 14 checks a
/// member template's non-dependent constraint while the derived class is still incomplete, and
/// keeps the failure.)
template <class P, class State>
concept has_minimum_loss = requires(const P& p, const State&) {
  { p.minimum_loss() } -> std::convertible_to<std::optional<double>>;
};
template <class P>
concept has_second_order_test = requires(const P& p, const matrix<double>& h, double tolerance) {
  { p.positive_semidefinite(h, tolerance) } -> std::convertible_to<bool>;
};
/// The problem computes ∇²R(x)·v itself: `p.hessian_vector_product(x, v)` with v a state.
template <class P, class State>
concept has_hessian_vector_product = requires(const P& p, const State& x) {
  { p.hessian_vector_product(x, x) } -> std::convertible_to<State>;
};

/// ‖∇R(x)‖ (Euclidean, in coordinate order) as a double; scaled, so it is +∞ only where the norm
/// itself is beyond the range of double, never ∞ from a square that overflowed.
template <class P, class State>
[[nodiscard]] double gradient_norm(const P& p, const State& x) {
  const auto g = p.coordinates(p.gradient(x));
  vector<double> values(g.size());
  for (Eigen::Index i = 0; i < g.size(); ++i)
    values(i) = static_cast<double>(g(i));
  return scaled_norm(values);
}
} // namespace detail

/// CRTP base of every problem: since each map is x − η∇R(x), its Jacobian is I − η∇²R(x); writing
/// it once here means the analytic Hessian is the single place second derivatives live.
template <class Derived>
class gradient_descent_map {
public:
  /// J_out_in = I − η∇²R(x), in the order of `coordinates`. Where a floating-point entry is not
  /// finite (an entry of ∇²R beyond the range, though η times it is not) and the state has an
  /// extended_range form (every built-in problem), it is computed again over extended_range.
  template <class State>
  [[nodiscard]] auto jacobian(const State& x) const {
    const auto& self = static_cast<const Derived&>(*this);
    auto h = self.hessian(x);
    using T = typename decltype(h)::Scalar;
    const T eta = constant<T>(self.step_size());
    for (Eigen::Index i = 0; i < h.rows(); ++i)
      for (Eigen::Index j = 0; j < h.cols(); ++j)
        h(i, j) = (i == j ? constant<T>(1.0) : constant<T>(0.0)) - eta * h(i, j);
    if constexpr (std::is_floating_point_v<T> && requires { extend_range(x); })
      if (!all_finite(h))
        return decltype(h)(round_to_real(jacobian(extend_range(x))));
    return h;
  }

  /// x − η∇R(x), computed from the gradient: the definition each specialised `step` must equal.
  template <class State>
  [[nodiscard]] State gradient_step(const State& x) const {
    const auto& self = static_cast<const Derived&>(*this);
    const auto c = self.coordinates(x);
    const auto g = self.coordinates(self.gradient(x));
    using T = typename std::decay_t<decltype(c)>::Scalar;
    const T eta = constant<T>(self.step_size());
    vector<T> out(c.size());
    for (Eigen::Index i = 0; i < c.size(); ++i)
      out(i) = c(i) - eta * g(i);
    return self.template from_coordinates<T>(out);
  }

  /// Boundary check for a user-supplied state: right dimensions, finite coordinates. Throws
  /// gdcert::invalid_parameter naming the offending coordinate. Maps never check values; drivers call
  /// this.
  template <class State>
  void validate_state(const State& x) const {
    const auto& self = static_cast<const Derived&>(*this);
    const auto c = self.coordinates(x);
    require_dimension("state dimension", c.size(), self.dimension());
    using T = typename std::decay_t<decltype(c)>::Scalar;
    if constexpr (std::is_floating_point_v<T>)
      for (Eigen::Index i = 0; i < c.size(); ++i)
        if (!std::isfinite(c(i)))
          throw invalid_parameter("state coordinate " + std::to_string(i), detail::to_text(c(i)),
                                  "a finite number");
  }

  /// True when x lies within `tolerance` (Euclidean) of the minimizer set M*. Without
  /// distance_to_minimizers: x is stationary (‖∇R(x)‖ ≤ tolerance) and its loss is within
  /// tolerance of the known minimum R* (`minimum_loss()`), or, where R* is not known, ∇²R(x) has
  /// no eigenvalue below −tolerance (a second-order minimum; loss_problem provides the dense
  /// test; a problem with its own Hessian-vector product goes through second_order_minimum,
  /// matrix-free above dense_sharpness_limit coordinates).
  template <class State>
  requires detail::has_minimizer_distance<Derived, State> ||
      detail::has_minimum_loss<Derived, State>
  [[nodiscard]] bool is_minimizer(const State& x, double tolerance) const {
    const auto& self = static_cast<const Derived&>(*this);
    if constexpr (detail::has_minimizer_distance<Derived, State>) {
      return self.distance_to_minimizers(x) <= tolerance;
    } else {
      if (!(detail::gradient_norm(self, x) <= tolerance))
        return false;
      if (const std::optional<double> minimum = self.minimum_loss())
        return static_cast<double>(self.loss(x)) - *minimum <= tolerance;
      if constexpr (detail::has_second_order_test<Derived>) {
        const auto c = self.coordinates(x);
        const vector<double> point = c.template cast<double>();
        const auto at = self.template from_coordinates<double>(point);
        if constexpr (detail::has_hessian_vector_product<Derived, std::decay_t<decltype(at)>>)
          return bool(second_order_minimum(self, at, tolerance));
        else
          return self.positive_semidefinite(self.hessian(at), tolerance);
      } else {
        return false; // no way to tell a minimizer from a saddle: stationary points are saddles
      }
    }
  }
  /// True when x lies within `tolerance` (Euclidean) of the stationary set S; without
  /// distance_to_stationary, when ‖∇R(x)‖ ≤ tolerance (near a non-degenerate stationary point
  /// the distance is about ‖∇R‖/|λ|, λ the Hessian's eigenvalue of smallest magnitude).
  template <class State>
  [[nodiscard]] bool is_stationary(const State& x, double tolerance) const {
    const auto& self = static_cast<const Derived&>(*this);
    if constexpr (detail::has_stationary_distance<Derived, State>)
      return self.distance_to_stationary(x) <= tolerance;
    else
      return detail::gradient_norm(self, x) <= tolerance;
  }
};

} // namespace gdcert
