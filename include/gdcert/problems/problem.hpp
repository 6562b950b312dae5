// The Problem concept (the GD map of a loss, MATH.md §1) and the base that derives Jacobians from Hessians.
#pragma once

#include <gdcert/core/error.hpp>
#include <gdcert/core/scalar.hpp>

#include <Eigen/Core>

#include <cmath>
#include <concepts>
#include <string>
#include <type_traits>

namespace gdcert {

/// A problem `P` is a loss R together with its gradient-descent map x ↦ x − η∇R(x).
///
/// Valid expressions (`p` a `const P&`, `x` a `typename P::template state<T>`, `c` a `vector<T>`):
// clang-format off
/// | expression                          | returns        | meaning                                   |
/// |-------------------------------------|----------------|-------------------------------------------|
/// | `typename P::template state<T>`     | type           | the paper's named coordinates (a, b, u, v) |
/// | `p.step_size()`                     | `double`       | η (validated > 0 at construction)         |
/// | `p.dimension()`                     | `Eigen::Index` | number of real coordinates                |
/// | `p.step(x)`                         | `state<T>`     | the GD map, branch-free (MATH.md §1)      |
/// | `p.loss(x)`                         | `T`            | R(x)                                      |
/// | `p.gradient(x)`                     | `state<T>`     | ∇R(x), same layout as x                   |
/// | `p.hessian(x)`                      | `matrix<T>`    | ∇²R(x) in coordinate order                |
/// | `p.jacobian(x)`                     | `matrix<T>`    | D step(x) = I − η∇²R(x) (J_out_in)        |
/// | `p.coordinates(x)`                  | `vector<T>`    | x flattened in the documented order       |
/// | `p.template from_coordinates<T>(c)` | `state<T>`     | inverse of coordinates                    |
/// | `p.distance_to_minimizers(x)`       | `Real`         | Euclidean distance to M* (floating T)     |
/// | `p.distance_to_stationary(x)`       | `Real`         | Euclidean distance to S (floating T)      |
/// | `p.is_minimizer(x, tol)`            | `bool`         | distance to M* ≤ tol                      |
/// | `p.is_stationary(x, tol)`           | `bool`         | distance to S ≤ tol                       |
/// | `p.sharpness(x)` (optional)         | `Real`         | λ_max(∇²R(x)) in closed form (floating T) |
// clang-format on
/// `step`, `loss`, `gradient`, `hessian` are polynomials written once over T: they run with
/// double, long double, gdcert::rational, intervals and gdcert::lanes<W>. Parameters are validated
/// once, when the problem is built; `step` never checks.
template <class P, class T = double>
concept problem = requires(const P& p, const typename P::template state<T>& x, const vector<T>& c) {
  { p.step_size() } -> std::convertible_to<double>;
  { p.dimension() } -> std::convertible_to<Eigen::Index>;
  { p.step(x) } -> std::same_as<typename P::template state<T>>;
  { p.loss(x) } -> std::convertible_to<T>;
  { p.gradient(x) } -> std::same_as<typename P::template state<T>>;
  { p.hessian(x) } -> std::convertible_to<matrix<T>>;
  { p.jacobian(x) } -> std::convertible_to<matrix<T>>;
  { p.coordinates(x) } -> std::convertible_to<vector<T>>;
  { p.template from_coordinates<T>(c) } -> std::same_as<typename P::template state<T>>;
};

/// CRTP base of every problem: since each map is x − η∇R(x), its Jacobian is I − η∇²R(x); writing
/// it once here means the analytic Hessian is the single place second derivatives live.
template <class Derived>
class gradient_descent_map {
public:
  /// J_out_in = I − η∇²R(x), in the order of `coordinates`.
  template <class State>
  [[nodiscard]] auto jacobian(const State& x) const {
    const auto& self = static_cast<const Derived&>(*this);
    auto h = self.hessian(x);
    using T = typename decltype(h)::Scalar;
    const T eta = constant<T>(self.step_size());
    for (Eigen::Index i = 0; i < h.rows(); ++i)
      for (Eigen::Index j = 0; j < h.cols(); ++j)
        h(i, j) = (i == j ? constant<T>(1.0) : constant<T>(0.0)) - eta * h(i, j);
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
  /// gdcert::invalid_parameter naming the offending coordinate. Maps never check; drivers call
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

  /// True when x lies within `tolerance` (Euclidean) of the minimizer set M*.
  template <class State>
  [[nodiscard]] bool is_minimizer(const State& x, double tolerance) const {
    return static_cast<const Derived&>(*this).distance_to_minimizers(x) <= tolerance;
  }
  /// True when x lies within `tolerance` (Euclidean) of the stationary set S.
  template <class State>
  [[nodiscard]] bool is_stationary(const State& x, double tolerance) const {
    return static_cast<const Derived&>(*this).distance_to_stationary(x) <= tolerance;
  }
};

} // namespace gdcert
