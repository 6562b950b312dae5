// Outcome classifier for one GD trajectory: minimizer, saddle, period-p orbit, divergence or undecided, with the decision step and, for certified runs, the δ_t trace.
#pragma once

#include <gdcert/analysis/iterate.hpp>
#include <gdcert/analysis/outcome.hpp>
#include <gdcert/core/arithmetic.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/problems/problem.hpp>
#include <gdcert/stability/periodic_orbit.hpp>

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace gdcert {

/// The decision rules shared by classify (one trajectory, checked every step) and sweep (lane
/// packs, checked every `check_interval` steps). At a check at step t, with x_t the state:
/// - diverged: some coordinate of x_t is not finite or ‖x_t‖ > escape_norm. Decided at once; the
///   decision step is the escape step, the first step since the previous check at which this held.
/// - minimizer / saddle: ‖x_t − x_{t−1}‖ <= step_tolerance and x_t lies within distance_tolerance
///   of M* (minimizer), else of S (saddle: a stationary point outside M*), by the problem's
///   distance_to_minimizers / distance_to_stationary (Euclidean, docs/formulas.md §1), or its
///   is_minimizer / is_stationary where it has no distance functions (the matrix problem).
/// - periodic with period p (2 <= p <= max_period): p is the least period with
///   ‖x_t − x_{t−p}‖ <= period_tolerance while ‖x_t − x_{t−q}‖ > orbit_separation for 0 < q < p
///   (distinct orbit points: slowly oscillating convergence to a fixed point is not a cycle).
/// A label other than diverged is decided only once it has held, with the same period, at every
/// check of a window of at least confirmation_steps steps; its decision step is the first check
/// of that window (when the trajectory arrived). A run that decides nothing by max_steps is
/// undecided, decided at max_steps. All tolerances are absolute, in the problem's coordinates.
struct outcome_criteria {
  std::size_t max_steps = 10000; ///< step limit (>= 1)
  double escape_norm = 1e8;      ///< ‖x‖ above this: diverged
  double step_tolerance = 1e-10; ///< ‖x_t − x_{t−1}‖ at or below this: stationary candidate
  double distance_tolerance = 1e-6; ///< distance to M* or S for a stationary label
  double period_tolerance = 1e-9; ///< ‖x_t − x_{t−p}‖ at or below this: period-p candidate
  double orbit_separation = 1e-5; ///< the p orbit points differ by more than this
  int max_period = 8;             ///< largest period looked for, 1..8 (1: no cycle search)
  std::size_t confirmation_steps = 32; ///< how long a label must persist before it is decided

  /// Throws gdcert::invalid_parameter naming the first field out of range.
  void validate() const {
    if (max_steps < 1)
      throw invalid_parameter("criteria.max_steps", "0", ">= 1");
    require_positive("criteria.escape_norm", escape_norm);
    if (!(escape_norm <= 1e150)) // the engines compare squared norms: the square must be finite
      throw invalid_parameter("criteria.escape_norm", detail::to_text(escape_norm),
                              "(0, 1e150] (its square must be finite)");
    require_positive("criteria.step_tolerance", step_tolerance);
    require_positive("criteria.distance_tolerance", distance_tolerance);
    require_positive("criteria.period_tolerance", period_tolerance);
    require_positive("criteria.orbit_separation", orbit_separation);
    if (max_period < 1 || max_period > 8)
      throw invalid_parameter("criteria.max_period", std::to_string(max_period), "1..8");
  }
};

namespace detail {

/// Least period p in [2, min(max_period, available)] with d²_p <= period_tolerance² and
/// d²_q > orbit_separation² for 0 < q < p (d²_p = ‖x_t − x_{t−p}‖², indexed by p); 0 if none.
template <class Real>
[[nodiscard]] int detect_period(const Real* squared_return, int available,
                                const outcome_criteria& criteria) {
  const Real tolerance = Real(criteria.period_tolerance) * Real(criteria.period_tolerance);
  const Real separation = Real(criteria.orbit_separation) * Real(criteria.orbit_separation);
  const int last = std::min(criteria.max_period, available);
  for (int p = 2; p <= last; ++p) {
    if (!(squared_return[p] <= tolerance))
      continue;
    for (int q = 1; q < p; ++q)
      if (!(squared_return[q] > separation))
        return 0;
    return p;
  }
  return 0;
}

template <class Problem, class State>
concept has_distance_functions = requires(const Problem& p, const State& x) {
  p.distance_to_minimizers(x);
  p.distance_to_stationary(x);
};

/// The last state at which a stationary label was evaluated, with its distances to M* and S.
template <class State, class Real>
struct stationary_anchor {
  State point{};
  Real to_minimizers = 0, to_stationary = 0;
  outcome label = outcome::undecided;
};

/// minimizer, saddle or undecided for a state x that has (nearly) stopped moving: within
/// distance_tolerance of M* (minimizer), else of S (saddle). Where the problem has distance
/// functions the label of the anchor (the last state evaluated) is carried over when the
/// triangle inequality proves it, |d(x) − d(anchor)| <= ‖x − anchor‖ = `moved(x, anchor)`; a
/// confirmation check then costs no second distance evaluation (TOMS 748 in the problems).
template <class Problem, class State, class Real, class Moved>
[[nodiscard]] outcome stationary_label(const Problem& problem, const State& x,
                                       const outcome_criteria& criteria,
                                       stationary_anchor<State, Real>& anchor, Moved&& moved) {
  const Real tolerance = Real(criteria.distance_tolerance);
  if constexpr (has_distance_functions<Problem, State>) {
    if (anchor.label != outcome::undecided) {
      const Real move = Real(moved(x, anchor.point));
      if (anchor.label == outcome::minimizer && anchor.to_minimizers + move <= tolerance)
        return outcome::minimizer;
      if (anchor.label == outcome::saddle && anchor.to_stationary + move <= tolerance &&
          anchor.to_minimizers - move > tolerance)
        return outcome::saddle;
    }
    anchor.point = x;
    anchor.to_minimizers = Real(problem.distance_to_minimizers(x));
    anchor.to_stationary = anchor.to_minimizers <= tolerance
                               ? anchor.to_minimizers
                               : Real(problem.distance_to_stationary(x));
    anchor.label = anchor.to_minimizers <= tolerance   ? outcome::minimizer
                   : anchor.to_stationary <= tolerance ? outcome::saddle
                                                       : outcome::undecided;
    return anchor.label;
  } else {
    (void)anchor, (void)moved;
    if (problem.is_minimizer(x, criteria.distance_tolerance))
      return outcome::minimizer;
    if (problem.is_stationary(x, criteria.distance_tolerance))
      return outcome::saddle;
    return outcome::undecided;
  }
}

/// The confirmation window: a label (with its period) counts once it has held at every check
/// over at least `confirmation_steps` steps.
struct decision_streak {
  outcome label = outcome::undecided;
  int period = 0;
  std::size_t start = 0;

  /// Feeds the label seen at the check at step t; true once it is confirmed.
  bool update(outcome seen, int seen_period, std::size_t t, std::size_t confirmation_steps) {
    if (seen == outcome::undecided) {
      label = outcome::undecided;
      return false;
    }
    if (seen != label || seen_period != period) {
      label = seen;
      period = seen_period;
      start = t;
    }
    return t - start >= confirmation_steps;
  }
};

template <class Problem, class State>
concept has_distance_to_minimizers = requires(const Problem& p, const State& x) {
  p.distance_to_minimizers(x);
};

} // namespace detail

/// δ_t along a trajectory with a certificate attached (docs/formulas.md §4): strictly increasing
/// while I(η; x₀) < 0. In floating point δ_t is evaluated with a rounding error of a few ulps and
/// stalls once the trajectory has converged, so the trace counts δ_{t+1} < δ_t − slack as a
/// violation, slack = monotonicity_slack_ulps · ε · max(1, δ_t) (ε the machine epsilon of Real).
template <class Real>
struct certificate_trace {
  Real certificate_value;           ///< I(η; x₀) (NaN when η ∉ (0, 2))
  bool certified;                   ///< I(η; x₀) < 0
  Real initial;                     ///< δ₀ = δ(x₀)
  Real final;                       ///< δ_T at the last finite state visited
  bool monotone;                    ///< no violation of δ_{t+1} >= δ_t − slack
  std::size_t first_violation_step; ///< the first t+1 with δ_{t+1} < δ_t − slack (0 if none)
  Real largest_decrease; ///< max over t of δ_t − δ_{t+1} (<= 0: increasing throughout)
};

/// Slack of the monotonicity test, in units of ε·max(1, δ_t).
inline constexpr double monotonicity_slack_ulps = 16;

/// What classify found. `Real` is the floating type of the trajectory (double or long double).
template <class Problem, class Real>
struct classification {
  using state_type = typename Problem::template state<Real>;
  outcome label = outcome::undecided;
  std::size_t decision_step = 0; ///< see outcome_criteria: arrival, escape, or the step limit
  std::size_t steps = 0;         ///< map applications performed (decision confirmed / limit hit)
  state_type final_state;        ///< x at `steps` (diverged: the first state past the escape)
  Real final_loss = 0;
  Real final_norm = 0;             ///< ‖x_final‖
  Real final_step = 0;             ///< ‖x_final − x_{final−1}‖
  Real distance_to_minimizers = 0; ///< NaN where the problem has no distance function
  Real sharpness = 0;              ///< λ_max(∇²R(x_final)), NaN when not finite
  Real sharpness_ratio = 0;        ///< sharpness·η/2 (> 1: beyond the 2/η threshold)
  std::optional<Real> residual;    ///< L(x_final) where defined (residual_of)
  std::optional<Real> imbalance;   ///< G(x_final) where defined (imbalance_of)
  int period = 0;                  ///< p for periodic, 1 for minimizer/saddle, else 0
  std::vector<state_type> orbit; ///< periodic: x_{T−p+1}, …, x_T (orbit[i+1] ≈ step(orbit[i]))
  std::optional<periodic_orbit<Problem, Real>> refined_orbit; ///< Newton refinement, if asked
  bool orbit_confirmed = false; ///< the refinement converged with minimal period p
  std::optional<certificate_trace<Real>> certificate; ///< with a certificate attached
};

/// The certificate slot of classify when none is attached.
struct no_certificate {};

/// Pass as the last argument of classify / classify_certified to refine a periodic outcome by
/// Newton's method on Gᵖ(x) − x (find_periodic_orbit, stability/periodic_orbit.hpp) and report
/// its multipliers. A type rather than a run-time flag: only callers that ask for refinement
/// compile the Newton solver and its Eigen decompositions (about 20 s of compile time on their own;
/// docs/performance.md, "Compile time").
struct orbit_refinement {
  orbit_options options{}; ///< controls of the Newton iteration
};

/// The refinement slot of classify when no refinement is asked for.
struct no_orbit_refinement {};

/// What classify accepts as its refinement argument.
template <class Refinement>
concept orbit_refinement_choice =
    std::same_as<Refinement, no_orbit_refinement> || std::same_as<Refinement, orbit_refinement>;

namespace detail {

template <class Problem, class Real, class Certificate, class Refinement>
classification<Problem, Real>
classify_trajectory(const Problem& problem, typename Problem::template state<Real> x,
                    const outcome_criteria& criteria, const Certificate* certificate,
                    const Refinement& refinement) {
  static_assert(std::is_floating_point_v<Real>, "classify runs on double or long double states");
  criteria.validate();
  problem.validate_state(x);
  using state_type = typename Problem::template state<Real>;
  constexpr bool certified_run = !std::is_same_v<Certificate, no_certificate>;

  classification<Problem, Real> result;
  const auto ring_size = static_cast<std::size_t>(criteria.max_period) + 1;
  std::vector<vector<Real>> ring(ring_size); // x_{t−p}, stored at (t − p) mod ring_size
  const Real escape = Real(criteria.escape_norm);
  auto escaped = [&](const vector<Real>& c) { return !(c.squaredNorm() <= escape * escape); };

  // δ_t trace.
  Real delta_previous = 0;
  if constexpr (certified_run) {
    certificate_trace<Real> trace{};
    const double eta = problem.step_size();
    trace.certificate_value =
        eta > 0 && eta < 2 ? Real((*certificate)(eta, x)) : std::numeric_limits<Real>::quiet_NaN();
    trace.certified = trace.certificate_value < 0;
    trace.initial = trace.final = delta_previous = Real(certificate->state_parameter(x));
    trace.monotone = true;
    trace.first_violation_step = 0;
    trace.largest_decrease = -std::numeric_limits<Real>::infinity();
    result.certificate = trace;
  }
  auto trace_delta = [&](const state_type& state, std::size_t t) {
    if constexpr (certified_run) {
      const Real delta = Real(certificate->state_parameter(state));
      if (!std::isfinite(delta))
        return;
      auto& trace = *result.certificate;
      const Real slack = Real(monotonicity_slack_ulps) * std::numeric_limits<Real>::epsilon() *
                         std::max(Real(1), std::abs(delta_previous));
      trace.largest_decrease = std::max(trace.largest_decrease, delta_previous - delta);
      if (delta < delta_previous - slack && trace.monotone) {
        trace.monotone = false;
        trace.first_violation_step = t;
      }
      trace.final = delta_previous = delta;
    } else {
      (void)state, (void)t;
    }
  };

  vector<Real> current = problem.coordinates(x);
  ring[0] = current;
  decision_streak streak;
  stationary_anchor<state_type, Real> anchor;
  auto moved = [&](const state_type& a, const state_type& b) {
    return (problem.coordinates(a) - problem.coordinates(b)).norm();
  };
  std::size_t t = 0;
  bool decided = false;
  if (escaped(current)) {
    result.label = outcome::diverged;
    decided = true;
  }
  std::vector<Real> squared_return(ring_size, Real(0));
  auto workspace = make_step_workspace(problem, x);
  while (!decided && t < criteria.max_steps) {
    advance(problem, x, workspace);
    ++t;
    current = problem.coordinates(x);
    ring[t % ring_size] = current;
    if (escaped(current)) {
      result.label = outcome::diverged;
      decided = true;
      break;
    }
    trace_delta(x, t);
    const int available = static_cast<int>(std::min<std::size_t>(t, criteria.max_period));
    for (int p = 1; p <= available; ++p)
      squared_return[p] =
          (current - ring[(t - static_cast<std::size_t>(p)) % ring_size]).squaredNorm();
    outcome seen = outcome::undecided;
    int period = 0;
    if (squared_return[1] <= Real(criteria.step_tolerance) * Real(criteria.step_tolerance)) {
      seen = stationary_label(problem, x, criteria, anchor, moved);
      period = seen == outcome::undecided ? 0 : 1;
    } else if ((period = detect_period(squared_return.data(), available, criteria)) > 0) {
      seen = outcome::periodic;
    }
    if (streak.update(seen, period, t, criteria.confirmation_steps)) {
      result.label = streak.label;
      result.period = streak.period;
      decided = true;
    }
  }

  result.steps = t;
  result.decision_step = result.label == outcome::diverged    ? t
                         : result.label == outcome::undecided ? t
                                                              : streak.start;
  result.final_state = x;
  result.final_loss = Real(problem.loss(x));
  result.final_norm = current.norm();
  result.final_step = t > 0 ? (current - ring[(t - 1) % ring_size]).norm() : Real(0);
  if constexpr (has_distance_to_minimizers<Problem, state_type>)
    result.distance_to_minimizers = current.allFinite() ? Real(problem.distance_to_minimizers(x))
                                                        : std::numeric_limits<Real>::quiet_NaN();
  else
    result.distance_to_minimizers = std::numeric_limits<Real>::quiet_NaN();
  result.sharpness = Real(gdcert::sharpness(problem, x));
  result.sharpness_ratio = result.sharpness * Real(problem.step_size()) / Real(2);
  if constexpr (has_residual_and_imbalance<Problem, state_type>) {
    result.residual = Real(residual_of(problem, x));
    result.imbalance = Real(imbalance_of(problem, x));
  }
  if (result.label == outcome::periodic) {
    const auto p = static_cast<std::size_t>(result.period);
    for (std::size_t i = p; i-- > 0;)
      result.orbit.push_back(problem.template from_coordinates<Real>(ring[(t - i) % ring_size]));
    if constexpr (std::is_same_v<Refinement, orbit_refinement>) {
      result.refined_orbit =
          find_periodic_orbit(problem, result.orbit.front(), result.period, refinement.options);
      result.orbit_confirmed = result.refined_orbit->converged() &&
                               result.refined_orbit->minimal_period == result.period;
    } else {
      (void)refinement;
    }
  }
  return result;
}

} // namespace detail

/// Runs the GD map from x₀ (a double or long double state) and classifies the trajectory by the
/// rules of outcome_criteria, checking every step. For a periodic outcome the p orbit points are
/// reported; with an orbit_refinement argument they are also refined by find_periodic_orbit
/// (Newton on Gᵖ(x) − x, stability/periodic_orbit.hpp) and orbit_confirmed says whether it
/// converged with minimal period p. Throws gdcert::invalid_parameter for invalid criteria or a
/// non-finite x₀.
template <class Problem, class State, orbit_refinement_choice Refinement = no_orbit_refinement>
requires problem<Problem>
[[nodiscard]] auto classify(const Problem& problem, const State& initial,
                            const outcome_criteria& criteria = {},
                            const Refinement& refinement = {}) {
  using Real = typename decltype(problem.coordinates(initial))::Scalar;
  return detail::classify_trajectory<Problem, Real, no_certificate>(problem, initial, criteria,
                                                                    nullptr, refinement);
}

/// As classify, with a certificate attached (δ = η): also reports I(η; x₀), δ₀, δ_T and whether
/// δ_t stayed monotone (certificate_trace; docs/formulas.md §4).
template <class Problem, class State, class Certificate,
          orbit_refinement_choice Refinement = no_orbit_refinement>
requires problem<Problem>
[[nodiscard]] auto classify_certified(const Problem& problem, const State& initial,
                                      const Certificate& certificate,
                                      const outcome_criteria& criteria = {},
                                      const Refinement& refinement = {}) {
  using Real = typename decltype(problem.coordinates(initial))::Scalar;
  return detail::classify_trajectory<Problem, Real, Certificate>(problem, initial, criteria,
                                                                 &certificate, refinement);
}

} // namespace gdcert
