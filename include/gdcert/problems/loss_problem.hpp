// A problem from its loss alone: gradient and Hessian by forward-mode differentiation (nested
// gdcert::jet), the GD map x − η∇R(x) (docs/formulas.md §1) in every scalar of the library.
#pragma once

#include <gdcert/core/arithmetic.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/core/precompiled.hpp>
#include <gdcert/numbers/jet.hpp>
#include <gdcert/problems/problem.hpp>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include <array>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace gdcert {

/// A loss R in N coordinates, written once as a generic callable over the scalar type T:
/// `loss(x)` with `x` a `const std::array<T, N>&` returns something convertible to T. It may use
/// +, −, ×, ÷ and plain number literals (`x[0] * x[1] - 1`, `0.5 * r * r`); then it runs with
/// double, long double, gdcert::rational (exactly), gdcert::interval (rigorously),
/// gdcert::lanes<W> (SIMD) and gdcert::jet (derivatives). The concept checks double and
/// jet<double, N>, the two every engine uses.
template <class Loss, int N, class T = double>
concept loss_function = std::copy_constructible<Loss> &&
    requires(const Loss& loss, const std::array<T, N>& x) {
  { loss(x) } -> std::convertible_to<T>;
};

/// ∇R(x) by forward-mode differentiation: one evaluation of the loss over jet<T, N>, every
/// coordinate seeded (docs/formulas.md §1). Exact in gdcert::rational for a rational loss.
template <int N, class T, class Loss>
[[nodiscard]] std::array<T, N> derived_gradient(const Loss& loss, const std::array<T, N>& x) {
  using J = jet<T, N>;
  std::array<J, N> seeded;
  for (int i = 0; i < N; ++i)
    seeded[static_cast<std::size_t>(i)] = J::variable(x[static_cast<std::size_t>(i)], i);
  const J value(loss(seeded));
  std::array<T, N> out;
  for (std::size_t i = 0; i < static_cast<std::size_t>(N); ++i)
    out[i] = value.derivative[i];
  return out;
}

/// ∇²R(x) by forward over forward mode: one evaluation over jet<jet<T, N>, N>. Entry (i, j) is
/// ∂²R/∂xᵢ∂xⱼ; the lower triangle is copied from the upper one, so the result is exactly
/// symmetric in every scalar.
template <int N, class T, class Loss>
[[nodiscard]] matrix<T> derived_hessian(const Loss& loss, const std::array<T, N>& x) {
  using J = jet<T, N>;
  using H = jet<J, N>;
  std::array<H, N> seeded;
  for (int i = 0; i < N; ++i) {
    H h(J::variable(x[static_cast<std::size_t>(i)], i));
    h.derivative[static_cast<std::size_t>(i)] = J(constant<T>(1.0));
    seeded[static_cast<std::size_t>(i)] = h;
  }
  const H value(loss(seeded));
  matrix<T> out(N, N);
  for (int i = 0; i < N; ++i)
    for (int j = i; j < N; ++j) {
      out(i, j) =
          value.derivative[static_cast<std::size_t>(i)].derivative[static_cast<std::size_t>(j)];
      out(j, i) = out(i, j);
    }
  return out;
}

/// What a loss_problem may know besides its loss.
struct loss_problem_options {
  /// R* = inf R where known (e.g. 0 for ½(abc − 1)²): then a stationary point is a minimizer
  /// when its loss is within the tolerance of R*. Without it, when ∇²R has no eigenvalue below
  /// −tolerance (a second-order minimum; degenerate saddles with a semidefinite Hessian count as
  /// minimizers).
  std::optional<double> minimum_loss;
};

/// The gradient is derived from the loss (the default of loss_problem's `Gradient`).
struct derived_from_loss {};

/// A problem given by its loss R in N coordinates (state: std::array<T, N>), with the GD map
/// x − η∇R(x), the gradient by forward-mode differentiation (or `Gradient`, a user's hand-written
/// one: a generic callable x ↦ std::array<T, N>, checked against the derived one by
/// gradient_matches_loss) and the Hessian by nested differentiation. It satisfies the problem
/// concept in full: the outcome labels come from ‖∇R‖, the loss gap to `minimum_loss` or the
/// second-order test, the sharpness from the derived Hessian. Build one with
/// `gdcert::from_loss<N>(eta, loss)`.
template <int N, class Loss, class Gradient = derived_from_loss>
requires(N >= 1) &&
    loss_function<Loss, N>&& loss_function<Loss, N, jet<double, N>> class loss_problem
    : public gradient_descent_map<loss_problem<N, Loss, Gradient>> {
public:
  template <class T>
  using state = std::array<T, N>;

  /// Throws gdcert::invalid_parameter unless η is finite and > 0 and minimum_loss, if given, is
  /// finite.
  loss_problem(double step_size, Loss loss, loss_problem_options options = {},
               Gradient gradient = {})
      : eta_(step_size), loss_(std::move(loss)), gradient_(std::move(gradient)), options_(options) {
    require_positive("step size eta", step_size);
    if (options.minimum_loss)
      require_finite("minimum_loss R*", *options.minimum_loss);
  }

  [[nodiscard]] double step_size() const noexcept { return eta_; }
  [[nodiscard]] static constexpr Eigen::Index dimension() noexcept { return N; }
  [[nodiscard]] std::optional<double> minimum_loss() const noexcept {
    return options_.minimum_loss;
  }
  /// The loss callable itself (for derived_gradient, or to evaluate it on other scalars).
  [[nodiscard]] const Loss& loss_callable() const noexcept { return loss_; }

  template <class T>
  [[nodiscard]] T loss(const state<T>& x) const {
    return T(loss_(x));
  }

  template <class T>
  [[nodiscard]] state<T> gradient(const state<T>& x) const {
    if constexpr (std::same_as<Gradient, derived_from_loss>)
      return derived_gradient<N>(loss_, x);
    else
      return gradient_(x);
  }

  template <class T>
  [[nodiscard]] matrix<T> hessian(const state<T>& x) const {
    return derived_hessian<N>(loss_, x);
  }

  /// x − η∇R(x): no branch, no check (drivers call validate_state).
  template <class T>
  [[nodiscard]] state<T> step(const state<T>& x) const {
    const state<T> g = gradient(x);
    const T eta = constant<T>(eta_);
    state<T> out;
    for (std::size_t i = 0; i < static_cast<std::size_t>(N); ++i)
      out[i] = x[i] - eta * g[i];
    return out;
  }

  template <class T>
  [[nodiscard]] vector<T> coordinates(const state<T>& x) const {
    vector<T> out(N);
    for (Eigen::Index i = 0; i < N; ++i)
      out(i) = x[static_cast<std::size_t>(i)];
    return out;
  }

  template <class T>
  [[nodiscard]] state<T> from_coordinates(const vector<T>& c) const {
    require_dimension("coordinate vector size", c.size(), Eigen::Index{N});
    state<T> out;
    for (Eigen::Index i = 0; i < N; ++i)
      out[static_cast<std::size_t>(i)] = c(i);
    return out;
  }

  /// The second-order test of is_minimizer where R* is not known: no eigenvalue of h below
  /// −tolerance.
  [[nodiscard]] static bool positive_semidefinite(const matrix<double>& h, double tolerance) {
    if (!h.allFinite())
      return false;
    const Eigen::SelfAdjointEigenSolver<matrix<double>> solver(h, Eigen::EigenvaluesOnly);
    return solver.info() == Eigen::Success && solver.eigenvalues()(0) >= -tolerance;
  }

private:
  double eta_;
  Loss loss_;
  [[no_unique_address]] Gradient gradient_;
  loss_problem_options options_;
};

/// A problem from its loss in N coordinates: `auto p = gdcert::from_loss<3>(0.5, loss);`
/// (see loss_problem).
template <int N, class Loss>
[[nodiscard]] loss_problem<N, Loss> from_loss(double step_size, Loss loss,
                                              loss_problem_options options = {}) {
  return loss_problem<N, Loss>(step_size, std::move(loss), options);
}

/// The same with a hand-written gradient (a generic callable x ↦ std::array<T, N>) for speed;
/// check it with gradient_matches_loss.
template <int N, class Loss, class Gradient>
[[nodiscard]] loss_problem<N, Loss, Gradient>
from_loss(double step_size, Loss loss, Gradient gradient, loss_problem_options options = {}) {
  return loss_problem<N, Loss, Gradient>(step_size, std::move(loss), options, std::move(gradient));
}

/// Whether a problem's gradient at x equals the one derived from `loss` coordinate by coordinate:
/// exactly (==) over gdcert::rational, so a hand-written gradient of a polynomial loss is checked
/// without tolerance; within `tolerance` (absolute, per coordinate) over floating types.
template <int N, class Problem, class T, class Loss>
[[nodiscard]] bool gradient_matches_loss(const Problem& problem, const Loss& loss,
                                         const std::array<T, N>& x, double tolerance = 0) {
  const auto derived = derived_gradient<N>(loss, x);
  const auto given = problem.coordinates(problem.gradient(problem.template from_coordinates<T>([&] {
    vector<T> c(N);
    for (Eigen::Index i = 0; i < N; ++i)
      c(i) = x[static_cast<std::size_t>(i)];
    return c;
  }())));
  require_dimension("gradient size", given.size(), Eigen::Index{N});
  for (Eigen::Index i = 0; i < N; ++i) {
    const T difference = given(i) - derived[static_cast<std::size_t>(i)];
    if constexpr (std::is_floating_point_v<T>) {
      using std::abs;
      if (!(abs(difference) <= tolerance))
        return false;
    } else {
      if (!(difference == constant<T>(0.0)))
        return false;
    }
  }
  return true;
}

} // namespace gdcert
