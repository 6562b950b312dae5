// Basin sweeps: a grid of initial points on a coordinate plane or a random 2-plane, advanced W at a time in SIMD lane packs on the policy's threads, each point classified.
#pragma once

#include <gdcert/analysis/classify.hpp>
#include <gdcert/analysis/execution.hpp>
#include <gdcert/analysis/iterate.hpp>
#include <gdcert/analysis/outcome.hpp>
#include <gdcert/core/arithmetic.hpp>
#include <gdcert/core/counter_random.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/numbers/lanes.hpp>
#include <gdcert/problems/problem.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__SSE__) || defined(_M_X64)
#include <xmmintrin.h> // _mm_getcsr / _mm_setcsr
#endif

namespace gdcert {

/// One axis of a sweep grid: `resolution` equally spaced values from `lower` to `upper` (both
/// included and exact). resolution = 1 gives the single value `lower`. A symmetric interval
/// [−A, A] gives an exactly antisymmetric grid, value(N − 1 − k) = −value(k) bit for bit
/// (A·(2k − (N − 1))/(N − 1)), so a sweep keeps the problems' symmetries as the papers' grids do
/// (rank-1 factorization maps the set {a = −b, u = v} into itself, App. J.1); other intervals use
/// std::lerp.
struct grid_axis {
  double lower = 0;
  double upper = 0;
  std::size_t resolution = 0;

  [[nodiscard]] double value(std::size_t k) const {
    if (resolution <= 1)
      return lower;
    if (k == 0)
      return lower;
    if (k + 1 == resolution)
      return upper;
    const double last = double(resolution - 1);
    if (lower == -upper)
      return upper * (2 * double(k) - last) / last;
    return std::lerp(lower, upper, double(k) / last);
  }
  /// Grid spacing (upper − lower)/(resolution − 1); 0 for a single value.
  [[nodiscard]] double spacing() const {
    return resolution <= 1 ? 0.0 : (upper - lower) / double(resolution - 1);
  }
  /// Throws gdcert::invalid_parameter (named `name.resolution`, `name.lower`, `name.upper` or
  /// `name.[lower, upper]`) unless resolution >= 1, the bounds are finite and, for two or more
  /// points, lower < upper.
  void validate(const std::string& name) const {
    if (resolution == 0) // compared unconverted: a resolution above LONG_MAX is no negative long
      throw invalid_parameter(name + ".resolution", "0", ">= 1");
    require_finite(name + ".lower", lower);
    require_finite(name + ".upper", upper);
    if (resolution >= 2 && !(lower < upper))
      throw invalid_parameter(name + ".[lower, upper]",
                              "[" + detail::to_text(lower) + ", " + detail::to_text(upper) + "]",
                              "lower < upper (a non-empty interval)");
  }
};

/// The affine plane of initial points x(s, t) = origin + s·first_direction + t·second_direction,
/// s on the first axis (grid columns), t on the second (grid rows); point index = row·columns +
/// column. A coordinate plane (first_index, second_index >= 0) sets those two coordinates of the
/// origin to s and t exactly instead. Build with coordinate_plane or random_plane.
struct sweep_plane {
  vector<double> origin, first_direction, second_direction;
  grid_axis first, second;
  Eigen::Index first_index = -1, second_index = -1;
  std::optional<std::uint64_t> seed; ///< the seed of random_plane (none for a coordinate plane)

  [[nodiscard]] std::size_t columns() const noexcept { return first.resolution; }
  [[nodiscard]] std::size_t rows() const noexcept { return second.resolution; }
  [[nodiscard]] std::size_t size() const noexcept { return columns() * rows(); }

  /// Coordinates of the initial point with the given index.
  [[nodiscard]] vector<double> point(std::size_t index) const {
    vector<double> x(origin.size());
    point(index, x);
    return x;
  }
  /// The same, written into `x` (of the origin's size), without allocating.
  void point(std::size_t index, vector<double>& x) const {
    const double s = first.value(index % columns()), t = second.value(index / columns());
    if (first_index >= 0) {
      x = origin;
      x(first_index) = s;
      x(second_index) = t;
    } else {
      for (Eigen::Index i = 0; i < x.size(); ++i)
        x(i) = origin(i) + s * first_direction(i) + t * second_direction(i);
    }
  }

  /// Throws gdcert::invalid_parameter for empty or non-finite axes, a dimension other than the
  /// problem's, non-finite origin or directions, or coordinate indices out of range.
  void validate(Eigen::Index dimension) const {
    first.validate("first_axis");
    second.validate("second_axis");
    if (first.resolution > std::numeric_limits<std::size_t>::max() / second.resolution)
      throw invalid_parameter("grid points first_axis.resolution x second_axis.resolution",
                              std::to_string(first.resolution) + " x " +
                                  std::to_string(second.resolution),
                              "a product below 2^64 (the point count must not wrap)");
    require_dimension("plane.origin.size()", origin.size(), dimension);
    if (!origin.allFinite())
      throw invalid_parameter("plane.origin", "non-finite", "finite coordinates");
    if (first_index >= 0 || second_index >= 0) {
      const std::string range = "0.." + std::to_string(dimension - 1);
      if (first_index < 0 || first_index >= dimension)
        throw invalid_parameter("first coordinate index", std::to_string(first_index), range);
      if (second_index < 0 || second_index >= dimension)
        throw invalid_parameter("second coordinate index", std::to_string(second_index), range);
      if (first_index == second_index)
        throw invalid_parameter("second coordinate index", std::to_string(second_index),
                                "an index other than the first coordinate index");
    } else {
      require_dimension("plane.first_direction.size()", first_direction.size(), dimension);
      require_dimension("plane.second_direction.size()", second_direction.size(), dimension);
      if (!first_direction.allFinite() || !second_direction.allFinite())
        throw invalid_parameter("plane directions", "non-finite", "finite vectors");
    }
  }
};

/// The plane of coordinates `first_index` and `second_index` (in the order of p.coordinates)
/// through `base`: the other coordinates stay at base's values. Throws gdcert::invalid_parameter
/// for an index out of range, equal indices, empty or non-finite axes, or a non-finite base.
template <class Problem, class State>
[[nodiscard]] sweep_plane coordinate_plane(const Problem& problem, const State& base,
                                           Eigen::Index first_index, const grid_axis& first,
                                           Eigen::Index second_index, const grid_axis& second) {
  problem.validate_state(base);
  sweep_plane plane;
  plane.origin = problem.coordinates(base).template cast<double>();
  plane.first = first;
  plane.second = second;
  plane.first_index = first_index;
  plane.second_index = second_index;
  const Eigen::Index n = problem.dimension();
  const std::string range = "0.." + std::to_string(n - 1);
  if (first_index < 0 || first_index >= n)
    throw invalid_parameter("first coordinate index", std::to_string(first_index), range);
  if (second_index < 0 || second_index >= n)
    throw invalid_parameter("second coordinate index", std::to_string(second_index), range);
  plane.validate(n);
  return plane;
}

namespace detail {
/// A uniform double in (0, 1) from (seed, counter).
[[nodiscard]] inline double uniform_open(std::uint64_t seed, std::uint64_t counter) noexcept {
  const std::uint64_t bits = splitmix64(seed ^ splitmix64(counter));
  return (double(bits >> 11) + 0.5) * 0x1.0p-53;
}
/// A standard normal from (seed, counter) by Box–Muller (portable: no std:: distribution).
[[nodiscard]] inline double standard_normal(std::uint64_t seed, std::uint64_t counter) noexcept {
  const double u1 = uniform_open(seed, 2 * counter), u2 = uniform_open(seed, 2 * counter + 1);
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
}
} // namespace detail

/// A random 2-plane through `centre`: two orthonormal directions from Gaussian vectors drawn with
/// a counter-based generator seeded by `seed` (Gram–Schmidt), as Liang–Montúfar sweep a random
/// plane of the d = 5 scalar-vector problem. Axes are in units of distance along the directions.
template <class Problem, class State>
[[nodiscard]] sweep_plane random_plane(const Problem& problem, const State& centre,
                                       std::uint64_t seed, const grid_axis& first,
                                       const grid_axis& second) {
  problem.validate_state(centre);
  const Eigen::Index n = problem.dimension();
  require_at_least("problem dimension", static_cast<long>(n), 2);
  sweep_plane plane;
  plane.origin = problem.coordinates(centre).template cast<double>();
  plane.first = first;
  plane.second = second;
  plane.seed = seed;
  std::uint64_t counter = 0;
  auto gaussian = [&] {
    vector<double> g(n);
    for (Eigen::Index i = 0; i < n; ++i)
      g(i) = detail::standard_normal(seed, counter++);
    return g;
  };
  do {
    plane.first_direction = gaussian();
  } while (plane.first_direction.norm() < 1e-8);
  plane.first_direction.normalize();
  do {
    plane.second_direction = gaussian();
    plane.second_direction -=
        plane.second_direction.dot(plane.first_direction) * plane.first_direction;
  } while (plane.second_direction.norm() < 1e-8);
  plane.second_direction.normalize();
  plane.validate(n);
  return plane;
}

/// How a sweep runs: the outcome criteria (classify.hpp) and how often each point is checked.
/// A point is checked at steps first_check, 2·first_check, … (doubling up to k =
/// check_interval), then at every multiple of k of its own clock, and at max_steps; its decision
/// step is one of those, except for escapes (found exactly by replaying the last interval).
/// Larger k amortizes the checks; smaller k frees decided lanes sooner and resolves decision
/// steps more finely. Points enter the lanes of a pack at multiples of k.
struct sweep_options {
  outcome_criteria criteria{};
  std::size_t check_interval = 128;
  /// Age of a point's first check; later ones double until check_interval. Early checks free the
  /// lanes of points that escape or settle quickly, but every check stops the whole pack.
  std::size_t first_check = 128;
  /// Run the workers with subnormals flushed to zero (x86 FTZ/DAZ, restored afterwards). Off-signal
  /// coordinates that decay to 0 (u, v on K₂) otherwise get stuck at the smallest subnormals
  /// (|x|·(1 − ηS) rounds back to the same subnormal), and subnormal arithmetic runs 1.5-3× slower.
  /// Values below 2.2e-308 become 0: no decision can change (every tolerance is far larger), but
  /// bits of such coordinates differ from an unflushed run (classify).
  bool flush_subnormals = true;
  /// Keep each point's final state (coordinates, in sweep_result::final_states): which minimizer
  /// or cycle a point reached, without re-running it. Off by default (dimension doubles a point).
  bool keep_final_states = false;
  /// With a certificate: follow δ_t = δ(x_t) at every step of every point until its decision and
  /// report the largest one-step decrease (sweep_result::state_parameter_drop): the check of
  /// Proposition 2 (δ_t non-decreasing along GD, docs/formulas.md §4) at sweep speed. Costs about
  /// one evaluation of the closed-form δ (a square root and a division) per step.
  bool track_state_parameter = false;

  void validate() const {
    criteria.validate();
    // Bounded so that step counters (point age + interval) cannot wrap: 2^32 steps between
    // checks is far beyond any trajectory a sweep runs.
    constexpr std::size_t largest = std::size_t{1} << 32;
    if (check_interval < 1 || check_interval > largest)
      throw invalid_parameter("check_interval", std::to_string(check_interval), "[1, 2^32]");
    if (first_check < 1 || first_check > largest)
      throw invalid_parameter("first_check", std::to_string(first_check), "[1, 2^32]");
  }
};

/// The overlay slot of sweep when no user overlay is given.
struct no_overlay {};

/// Per-point results of a sweep, in point order (index = row·columns + column).
struct sweep_result {
  sweep_plane plane;
  sweep_options options;
  double step_size = 0;
  std::vector<outcome> outcomes;
  std::vector<std::size_t> decision_steps;   ///< see outcome_criteria
  std::vector<std::uint8_t> periods;         ///< p for periodic, 1 minimizer/saddle, else 0
  std::vector<double> final_loss;            ///< R at the final state (decision confirmed/limit)
  std::vector<double> final_state_parameter; ///< δ(x_final) with a certificate, else NaN
  std::vector<double> final_sharpness;       ///< λ_max(∇²R(x_final)), NaN when not finite
  std::vector<double> overlay; ///< I(η; x₀) of the certificate or the user overlay; else NaN
  /// With options.keep_final_states: the final state's coordinates (the state the other final_*
  /// values are taken at), point i at [i·dimension, (i + 1)·dimension); else empty.
  std::vector<double> final_states;
  Eigen::Index dimension = 0; ///< coordinates per point
  bool has_certificate = false;
  bool has_overlay = false;
  std::size_t useful_steps = 0;        ///< Σ over points of map steps until decided / limit
  std::size_t executed_lane_steps = 0; ///< map evaluations per lane actually run (incl. replays)
  /// 1 for each point whose result is final. All 1 unless the run was cancelled with
  /// on_cancel::return_partial: then the points never run or interrupted are 0 and their other
  /// slots keep their initial values (undecided, NaN).
  std::vector<std::uint8_t> finished;
  /// True when the run was cancelled before every point finished (on_cancel::return_partial).
  bool partial = false;
  /// With options.track_state_parameter: per point, max over its steps t until the decision of
  /// δ_t − δ_{t+1} (<= 0: δ_t never decreased, Proposition 2; −inf: no step was taken; NaN: δ
  /// was not a number at some step, e.g. past an escape). Empty otherwise.
  std::vector<double> state_parameter_drop;

  [[nodiscard]] std::size_t columns() const noexcept { return plane.columns(); }
  [[nodiscard]] std::size_t rows() const noexcept { return plane.rows(); }
  [[nodiscard]] std::size_t size() const noexcept { return outcomes.size(); }
  [[nodiscard]] std::size_t index(std::size_t column, std::size_t row) const noexcept {
    return row * columns() + column;
  }
  /// Initial coordinates of point i.
  [[nodiscard]] vector<double> initial_point(std::size_t i) const { return plane.point(i); }
  /// Final coordinates of point i (requires options.keep_final_states).
  [[nodiscard]] vector<double> final_point(std::size_t i) const {
    if (final_states.empty())
      throw invalid_parameter("sweep_options.keep_final_states", "false",
                              "true to read final points");
    return Eigen::Map<const vector<double>>(final_states.data() + i * std::size_t(dimension),
                                            dimension);
  }
  /// The certified-region overlay: I(η; x₀) < 0 (or the user overlay negative).
  [[nodiscard]] bool certified(std::size_t i) const { return overlay[i] < 0; }
  /// Number of points with each outcome, indexed by the enum's value.
  /// Throws gdcert::invalid_parameter for a value outside the enum (a hand-edited result), which
  /// would index past the counts.
  [[nodiscard]] std::array<std::size_t, outcome_count> counts() const {
    std::array<std::size_t, outcome_count> c{};
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      const auto o = static_cast<std::size_t>(outcomes[i]);
      if (o >= c.size())
        throw invalid_parameter("outcomes[" + std::to_string(i) + "]", std::to_string(o),
                                "[0, " + std::to_string(outcome_count) + ") (a gdcert::outcome)");
      ++c[o];
    }
    return c;
  }
  /// Points whose result is final (size() unless partial).
  [[nodiscard]] std::size_t finished_count() const noexcept {
    return static_cast<std::size_t>(std::count(finished.begin(), finished.end(), std::uint8_t{1}));
  }
  /// Bytes a sweep of `points` points allocates for its result (with final states: `dimension`
  /// more doubles a point) and per-tile counters: what sweep checks against
  /// execution_policy::memory_limit before allocating.
  static constexpr std::uint64_t bytes_per_point(bool keep_final_states, std::uint64_t dimension,
                                                 bool track_state_parameter = false) noexcept {
    const std::uint64_t fixed = sizeof(outcome) + sizeof(std::size_t) + 2 * sizeof(std::uint8_t) +
                                (track_state_parameter ? 5 : 4) * sizeof(double);
    return keep_final_states ? detail::saturating_multiply_add(dimension, sizeof(double), fixed)
                             : fixed;
  }
};

namespace detail {

template <int V>
struct lane_scalar_of {
  using type = lanes<V>;
};
template <>
struct lane_scalar_of<1> {
  using type = double;
};
/// The scalar of a V-wide sub-pack: lanes<V>, or plain double for V = 1 (the one-point loop).
template <int V>
using lane_scalar = typename lane_scalar_of<V>::type;

/// A pack of W lanes is K independent sub-packs of lanes<V>, V = 4 (one AVX2 register of
/// doubles) when 4 divides W, else V = W. Stepping the K sub-packs one after the other in the same
/// loop body gives the core K independent dependency chains (multiple accumulators): one
/// lanes<4> step of rank-1 factorization is an ~18-cycle chain of 14 FMA-pipe ops, so it takes
/// about four chains to fill two FMA pipes. A single lanes<16> would do the same arithmetic but
/// Eigen materializes its 128-byte temporaries in memory.
template <int W>
struct pack_shape {
  static constexpr int width = W % 4 == 0 ? 4 : W;
  static constexpr int count = W / width;
};

/// Whether S can be brace-initialized from N values of type T.
template <class S, class T, std::size_t N>
constexpr bool brace_initializable_from() {
  return []<std::size_t... I>(std::index_sequence<I...>) {
    return requires(const T& v) {
      S{((void)I, v)...};
    };
  }
  (std::make_index_sequence<N>{});
}

/// N when S is an aggregate of exactly N members of type T (rank1_state, scalar_state), else 0:
/// such states are read member by member (structured bindings) without building coordinates(),
/// which allocates. The member order does not matter: only norms and distances are taken.
template <class S, class T>
constexpr std::size_t flat_member_count() {
  if constexpr (!std::is_aggregate_v<S>) {
    return 0;
  } else {
    std::size_t count = 0;
    [&]<std::size_t... N>(std::index_sequence<N...>) {
      ((brace_initializable_from<S, T, N + 1>() && !brace_initializable_from<S, T, N + 2>() &&
                sizeof(S) == (N + 1) * sizeof(T)
            ? (count = N + 1)
            : 0),
       ...);
    }
    (std::make_index_sequence<8>{});
    return count;
  }
}

/// Pointers to the N members of a flat state (const or not, as x is).
template <std::size_t N, class S>
[[nodiscard]] auto member_pointers(S& x) {
  static_assert(N >= 1 && N <= 8);
  if constexpr (N == 1) {
    auto& [m0] = x;
    return std::array{&m0};
  } else if constexpr (N == 2) {
    auto& [m0, m1] = x;
    return std::array{&m0, &m1};
  } else if constexpr (N == 3) {
    auto& [m0, m1, m2] = x;
    return std::array{&m0, &m1, &m2};
  } else if constexpr (N == 4) {
    auto& [m0, m1, m2, m3] = x;
    return std::array{&m0, &m1, &m2, &m3};
  } else if constexpr (N == 5) {
    auto& [m0, m1, m2, m3, m4] = x;
    return std::array{&m0, &m1, &m2, &m3, &m4};
  } else if constexpr (N == 6) {
    auto& [m0, m1, m2, m3, m4, m5] = x;
    return std::array{&m0, &m1, &m2, &m3, &m4, &m5};
  } else if constexpr (N == 7) {
    auto& [m0, m1, m2, m3, m4, m5, m6] = x;
    return std::array{&m0, &m1, &m2, &m3, &m4, &m5, &m6};
  } else {
    auto& [m0, m1, m2, m3, m4, m5, m6, m7] = x;
    return std::array{&m0, &m1, &m2, &m3, &m4, &m5, &m6, &m7};
  }
}

/// Sets the flush-to-zero and denormals-are-zero bits of the SSE control register for the
/// lifetime of the guard (x86 only; elsewhere a no-op) and restores the previous state.
class subnormal_flush_guard {
public:
  explicit subnormal_flush_guard(bool enable) {
#if defined(__SSE__) || defined(_M_X64)
    if (enable) {
      saved_ = _mm_getcsr();
      _mm_setcsr(saved_ | 0x8040u); // FTZ (bit 15) | DAZ (bit 6)
      active_ = true;
    }
#else
    (void)enable;
#endif
  }
  ~subnormal_flush_guard() {
#if defined(__SSE__) || defined(_M_X64)
    if (active_)
      _mm_setcsr(saved_);
#endif
  }
  subnormal_flush_guard(const subnormal_flush_guard&) = delete;
  subnormal_flush_guard& operator=(const subnormal_flush_guard&) = delete;

private:
  unsigned saved_ = 0;
  bool active_ = false;
};

/// Runs the points of one tile through a lane pack; see sweep() for the contract.
///
/// The pack is a queue: when a lane's point is decided, the next point of the tile enters that
/// lane at the next multiple of check_interval, so lanes stay busy until the tile runs dry. Each
/// lane keeps its own clock (steps since its point entered) and its own check schedule; the pack
/// stops at the earliest check due. A point's result therefore depends only on its own
/// trajectory, never on its pack mates, its tile or the thread that ran it.
template <int W, class Problem, class Certificate, class Overlay>
class sweep_engine {
public:
  static constexpr int V = pack_shape<W>::width; ///< lanes per sub-pack
  static constexpr int K = pack_shape<W>::count; ///< sub-packs per pack
  using T = lane_scalar<V>;
  using lane_state = typename Problem::template state<T>;
  using point_state = typename Problem::template state<double>;
  using pack = std::array<lane_state, K>;
  static constexpr bool certified = !std::is_same_v<Certificate, no_certificate>;
  static constexpr bool overlaid = !std::is_same_v<Overlay, no_overlay>;
  /// States stored as N members of the scalar (rank1_state, scalar_state) are read and written
  /// member by member; others (vector members) go through coordinates(), which allocates.
  static constexpr std::size_t
      flat = flat_member_count<lane_state, T>() > 0 &&
                     flat_member_count<lane_state, T>() == flat_member_count<point_state, double>()
                 ? flat_member_count<lane_state, T>()
                 : 0;
  /// States x_{t−p}, p <= max_period <= 8, kept at index t mod 16 (a power of two: no division).
  static constexpr std::size_t ring_size = 16, ring_mask = ring_size - 1;

  struct counters {
    std::size_t useful = 0, executed = 0;
  };
  /// δ_t of each lane's current state and the largest δ_t − δ_{t+1} since its point entered
  /// (sweep_options::track_state_parameter).
  struct delta_track {
    std::array<T, K> last{}, largest_drop{};
  };

  /// Writes point p of the plane into slot p − first of `result` (first > 0: a range of points,
  /// the work item of a sweep_job).
  sweep_engine(const Problem& problem, const sweep_options& options, const Certificate& certificate,
               const Overlay& overlay, const execution_policy& policy, sweep_result& result,
               std::size_t first = 0)
      : problem_(problem), options_(options), policy_(policy), criteria_(options.criteria),
        certificate_(certificate), overlay_(overlay), result_(result), first_(first),
        history_(static_cast<std::size_t>(options.criteria.max_period) + 1),
        escape_squared_(options.criteria.escape_norm * options.criteria.escape_norm),
        step_squared_(options.criteria.step_tolerance * options.criteria.step_tolerance),
        period_squared_(options.criteria.period_tolerance * options.criteria.period_tolerance) {}

  /// Classifies the points [begin, end), writing only their result slots.
  void run_tile(std::size_t begin, std::size_t end, counters& tally) const {
    const subnormal_flush_guard flush(options_.flush_subnormals);
    const std::size_t max_steps = criteria_.max_steps, interval = options_.check_interval;
    const std::size_t history = history_; // states a check reads: x_t, …, x_{t−max_period}

    struct slot {
      bool active = false;
      std::size_t point = 0, entered = 0, next_check = 0;
      decision_streak streak{};
      stationary_anchor<point_state, double> anchor{};
    };
    std::array<slot, W> slots{};
    pack x;
    x.fill(problem_.template from_coordinates<T>(
        vector<T>::Constant(problem_.dimension(), constant<T>(0.0))));
    std::size_t clock = 0, queue = begin;
    vector<double> start(problem_.dimension()); // an initial point's coordinates

    // δ bookkeeping of options.track_state_parameter (certified sweeps only).
    delta_track track{};
    const bool tracking = certified && options_.track_state_parameter;

    // `l`: the lane that ran the point, or −1 for a point that never entered one.
    auto finish = [&](std::size_t point, outcome label, std::size_t decision, std::size_t steps,
                      int period, const point_state& final_state, int l) {
      const std::size_t at = point - first_; // the point's slot in result_
      if (tracking)
        result_.state_parameter_drop[at] =
            l >= 0 ? value_of(track.largest_drop, l) : -std::numeric_limits<double>::infinity();
      result_.outcomes[at] = label;
      result_.finished[at] = 1;
      result_.decision_steps[at] = decision;
      result_.periods[at] = static_cast<std::uint8_t>(period);
      result_.final_loss[at] = double(problem_.loss(final_state));
      result_.final_sharpness[at] = double(gdcert::sharpness(problem_, final_state));
      if constexpr (certified)
        result_.final_state_parameter[at] = double(certificate_.state_parameter(final_state));
      if (options_.keep_final_states) {
        const vector<double> c = problem_.coordinates(final_state);
        std::copy(c.data(), c.data() + c.size(),
                  result_.final_states.begin() + std::ptrdiff_t(at * std::size_t(c.size())));
      }
      tally.useful += steps;
    };
    // Puts the next point of the tile into lane l (x₀ beyond the escape bound is diverged at
    // step 0 without entering); leaves the lane idle when the tile is exhausted.
    auto admit = [&](int l) {
      slots[l].active = false;
      while (queue < end) {
        const std::size_t point = queue++;
        result_.plane.point(point, start);
        const point_state x0 = problem_.template from_coordinates<double>(start);
        result_.overlay[point - first_] = overlay_value(x0);
        if (!(point_squared_norm(x0) <= escape_squared_)) {
          finish(point, outcome::diverged, 0, 0, 0, x0, -1);
          continue;
        }
        set_lane(x, l, x0);
        if constexpr (certified)
          if (tracking) {
            set_value(track.last, l, double(certificate_.state_parameter(x0)));
            set_value(track.largest_drop, l, -std::numeric_limits<double>::infinity());
          }
        slots[l] = slot{};
        slots[l].active = true;
        slots[l].point = point;
        slots[l].entered = clock;
        slots[l].next_check = clock + next_check_age(0);
        return;
      }
    };
    for (int l = 0; l < W; ++l)
      admit(l);

    std::array<pack, ring_size> ring{};
    ring[0] = x;
    std::array<std::array<T, K>, ring_size> squared_return{};
    std::array<double, ring_size> lane_return{};
    std::array<bool, W> escaping{};
    auto moved = [this](const point_state& a, const point_state& b) {
      return point_distance(a, b);
    };

    for (;;) {
      std::size_t next = std::numeric_limits<std::size_t>::max();
      bool idle = false;
      for (const slot& s : slots) {
        if (s.active)
          next = std::min(next, s.next_check);
        else
          idle = true;
      }
      if (idle && queue < end) // the next admission
        next = std::min(next, (clock / interval + 1) * interval);
      if (next == std::numeric_limits<std::size_t>::max())
        break;
      // A check boundary with work left: cancellation is seen within one check interval.
      if (cancel_requested(policy_))
        throw tile_interrupted{};
      const std::size_t span = next - clock;
      const pack snapshot = x;
      // The checks read only the last max_period + 1 states of an interval.
      const std::size_t quiet = span > history ? span - history : 0;
      bool stepped = false; // the tracked loops exist only for certified sweeps
      if constexpr (certified)
        if (tracking) {
          advance_tracked(x, quiet, track);
          advance_and_record<true>(x, clock + quiet + 1, next, ring, &track);
          stepped = true;
        }
      if (!stepped) {
        advance(x, quiet);
        advance_and_record<false>(x, clock + quiet + 1, next, ring, nullptr);
      }
      tally.executed += span * static_cast<std::size_t>(W);
      const std::size_t interval_start = clock;
      clock = next;

      // Norms of every sub-pack (every active lane is tested for escape at every check, due or
      // not, so that the replay below, which covers this interval only, finds the escape step);
      // returns ‖x_t − x_{t−p}‖² only for sub-packs holding a lane whose check is due.
      std::array<T, K> norm;
      std::array<bool, K> due{};
      for (int k = 0; k < K; ++k)
        norm[k] = squared_norm(x[k]);
      for (int l = 0; l < W; ++l)
        if (slots[l].active && slots[l].next_check == clock)
          due[static_cast<std::size_t>(l / V)] = true;
      const std::size_t reach = std::min(clock, history - 1);
      for (std::size_t p = 1; p <= reach; ++p)
        for (int k = 0; k < K; ++k)
          if (due[k])
            squared_return[p][k] = squared_distance(x[k], ring[(clock - p) & ring_mask][k]);
      // Screen each due sub-pack at once: a lane that has neither stopped moving nor returned
      // near an earlier state, and has no label pending, only needs its next check scheduled.
      std::array<bool, K> quiet_sub{};
      for (int k = 0; k < K; ++k) {
        if (!due[k])
          continue;
        bool any = reach >= 1 && any_at_most(squared_return[1][k], step_squared_);
        for (std::size_t p = 2; p <= reach && !any; ++p)
          any = any_at_most(squared_return[p][k], period_squared_);
        quiet_sub[k] = !any;
      }
      bool any_escaping = false;
      for (int l = 0; l < W; ++l) {
        slot& s = slots[l];
        escaping[l] = false;
        if (!s.active)
          continue;
        if (!(value_of(norm, l) <= escape_squared_)) {
          escaping[l] = any_escaping = true;
          continue;
        }
        if (s.next_check != clock)
          continue;
        const std::size_t age = clock - s.entered;
        if (quiet_sub[static_cast<std::size_t>(l / V)] && s.streak.label == outcome::undecided &&
            age < max_steps) {
          s.next_check = s.entered + next_check_age(age);
          continue;
        }
        const int available = static_cast<int>(std::min(age, history - 1));
        for (int p = 1; p <= available; ++p)
          lane_return[p] = value_of(squared_return[p], l);
        outcome seen = outcome::undecided;
        int period = 0;
        if (lane_return[1] <= step_squared_) {
          seen = stationary_label(problem_, lane(x, l), criteria_, s.anchor, moved);
          period = seen == outcome::undecided ? 0 : 1;
        } else if ((period = detect_period(lane_return.data(), available, criteria_)) > 0) {
          seen = outcome::periodic;
        }
        if (s.streak.update(seen, period, age, criteria_.confirmation_steps)) {
          finish(s.point, s.streak.label, s.streak.start, age, s.streak.period, lane(x, l), l);
          s.active = false;
        } else if (age >= max_steps) {
          finish(s.point, outcome::undecided, age, age, 0, lane(x, l), l);
          s.active = false;
        } else {
          s.next_check = s.entered + next_check_age(age);
        }
      }
      if (any_escaping) {
        // Replay the interval to find each escape step exactly: the same map on the same bits
        // gives the same states.
        pack y = snapshot;
        std::size_t s = 0;
        bool pending = true;
        while (pending && s < span) {
          advance(y, 1);
          ++s;
          std::array<T, K> y_norm;
          for (int k = 0; k < K; ++k)
            y_norm[k] = squared_norm(y[k]);
          pending = false;
          for (int l = 0; l < W; ++l) {
            if (!escaping[l])
              continue;
            if (!(value_of(y_norm, l) <= escape_squared_)) {
              const std::size_t age = interval_start + s - slots[l].entered;
              finish(slots[l].point, outcome::diverged, age, age, 0, lane(y, l), l);
              slots[l].active = escaping[l] = false;
            } else {
              pending = true;
            }
          }
        }
        tally.executed += s * static_cast<std::size_t>(W);
        for (int l = 0; l < W; ++l) // unreachable unless the replay rounded differently
          if (escaping[l]) {
            const std::size_t age = clock - slots[l].entered;
            finish(slots[l].point, outcome::diverged, age, age, 0, lane(x, l), l);
            slots[l].active = false;
          }
      }
      // Points enter only at multiples of check_interval, so that every lane's checks fall on
      // the same few pack steps (the early checks, then multiples of the interval): lanes entering
      // at arbitrary steps would stagger their checks and the pack would stop every few steps.
      if (clock % interval == 0) {
        bool admitted = false;
        for (int l = 0; l < W; ++l)
          if (!slots[l].active && queue < end) {
            admit(l);
            admitted = true;
          }
        if (admitted)
          ring[clock & ring_mask] = x;
      }
    }
  }

private:
  /// `steps` applications of the library's map to every sub-pack. flatten inlines p.step and
  /// Eigen's expression templates into this loop (GCC's heuristics would otherwise call step out
  /// of line and pass the state through memory), so the K sub-packs interleave in registers.
  [[gnu::flatten]] void advance(pack& x, std::size_t steps) const {
    for (std::size_t s = 0; s < steps; ++s)
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((x[I] = problem_.step(x[I])), ...);
      }
    (std::make_index_sequence<K>{});
  }

  /// After one step of sub-pack k: δ of the new state, and the drop folded into the maximum. A NaN
  /// drop is kept (sticky): non-finite values are never dropped from a maximum.
  void track_step(std::size_t k, const lane_state& x, delta_track& track) const {
    const T next = certificate_.state_parameter(x);
    const T drop = track.last[k] - next;
    if constexpr (V == 1)
      track.largest_drop[k] =
          (drop > track.largest_drop[k] || drop != drop) ? drop : track.largest_drop[k];
    else
      track.largest_drop[k] =
          ((drop > track.largest_drop[k]) || (drop != drop)).select(drop, track.largest_drop[k]);
    track.last[k] = next;
  }

  /// advance() with the δ bookkeeping of options.track_state_parameter.
  [[gnu::flatten]] void advance_tracked(pack& x, std::size_t steps, delta_track& track) const {
    for (std::size_t s = 0; s < steps; ++s)
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((x[I] = problem_.step(x[I]), track_step(I, x[I], track)), ...);
      }
    (std::make_index_sequence<K>{});
  }

  /// advance() one step at a time from step `first` to `last`, storing each state in the ring
  /// (and, when Track, following δ_t).
  template <bool Track>
  [[gnu::flatten]] void advance_and_record(pack& x, std::size_t first, std::size_t last,
                                           std::array<pack, ring_size>& ring,
                                           delta_track* track) const {
    for (std::size_t s = first; s <= last; ++s) {
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        if constexpr (Track)
          ((x[I] = problem_.step(x[I]), track_step(I, x[I], *track)), ...);
        else
          ((x[I] = problem_.step(x[I])), ...);
      }
      (std::make_index_sequence<K>{});
      ring[s & ring_mask] = x;
    }
  }

  /// The check schedule of one point's clock (sweep_options): first_check, doubling up to
  /// check_interval k, then every multiple of k, and max_steps.
  [[nodiscard]] std::size_t next_check_age(std::size_t age) const {
    const std::size_t k = options_.check_interval;
    // Past the first interval every check falls on a multiple of k, so no division is needed.
    const std::size_t next =
        age < k ? std::min(std::max(2 * age, std::min(options_.first_check, k)), k) : age + k;
    return std::min(next, criteria_.max_steps);
  }

  [[nodiscard]] double overlay_value(const point_state& x0) const {
    if constexpr (overlaid) {
      return double(overlay_(x0));
    } else if constexpr (certified) {
      const double eta = problem_.step_size();
      return eta > 0 && eta < 2 ? double(certificate_(eta, x0))
                                : std::numeric_limits<double>::quiet_NaN();
    } else {
      (void)x0;
      return std::numeric_limits<double>::quiet_NaN();
    }
  }

  /// Whether any lane of v is <= bound (NaN lanes are not).
  [[nodiscard]] static bool any_at_most(const T& v, double bound) {
    if constexpr (V == 1)
      return v <= bound;
    else
      return (v <= bound).any();
  }

  /// Lane l of per-sub-pack values.
  [[nodiscard]] static double value_of(const std::array<T, K>& values, int l) {
    if constexpr (V == 1)
      return values[l];
    else
      return values[l / V](l % V);
  }
  static void set_value(std::array<T, K>& values, int l, double value) {
    if constexpr (V == 1)
      values[l] = value;
    else
      values[l / V](l % V) = value;
  }

  [[nodiscard]] T squared_norm(const lane_state& x) const {
    T sum = constant<T>(0.0);
    if constexpr (flat > 0) {
      for (const T* m : member_pointers<flat>(x))
        sum = sum + (*m) * (*m);
    } else {
      const vector<T> c = problem_.coordinates(x);
      for (Eigen::Index i = 0; i < c.size(); ++i)
        sum = sum + c(i) * c(i);
    }
    return sum;
  }

  [[nodiscard]] T squared_distance(const lane_state& x, const lane_state& y) const {
    T sum = constant<T>(0.0);
    if constexpr (flat > 0) {
      const auto mx = member_pointers<flat>(x), my = member_pointers<flat>(y);
      for (std::size_t i = 0; i < flat; ++i) {
        const T d = *mx[i] - *my[i];
        sum = sum + d * d;
      }
    } else {
      const vector<T> cx = problem_.coordinates(x), cy = problem_.coordinates(y);
      for (Eigen::Index i = 0; i < cx.size(); ++i) {
        const T d = cx(i) - cy(i);
        sum = sum + d * d;
      }
    }
    return sum;
  }

  [[nodiscard]] double point_squared_norm(const point_state& x) const {
    if constexpr (flat > 0) {
      double sum = 0;
      for (const double* m : member_pointers<flat>(x))
        sum += (*m) * (*m);
      return sum;
    } else {
      return problem_.coordinates(x).squaredNorm();
    }
  }

  [[nodiscard]] double point_distance(const point_state& x, const point_state& y) const {
    if constexpr (flat > 0) {
      const auto mx = member_pointers<flat>(x), my = member_pointers<flat>(y);
      double sum = 0;
      for (std::size_t i = 0; i < flat; ++i)
        sum += (*mx[i] - *my[i]) * (*mx[i] - *my[i]);
      return std::sqrt(sum);
    } else {
      return (problem_.coordinates(x) - problem_.coordinates(y)).norm();
    }
  }

  /// Lane l of a pack as a double state (decisions and final quantities are taken in double).
  [[nodiscard]] point_state lane(const pack& x, int l) const {
    const lane_state& sub = x[static_cast<std::size_t>(l / V)];
    const int j = l % V;
    if constexpr (V == 1) {
      (void)j;
      return sub;
    } else if constexpr (flat > 0) {
      const auto m = member_pointers<flat>(sub);
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return point_state{(*m[I])(j)...};
      }
      (std::make_index_sequence<flat>{});
    } else {
      const vector<T> c = problem_.coordinates(sub);
      vector<double> out(c.size());
      for (Eigen::Index i = 0; i < c.size(); ++i)
        out(i) = c(i)(j);
      return problem_.template from_coordinates<double>(out);
    }
  }

  /// Writes a double state into lane l of a pack.
  void set_lane(pack& x, int l, const point_state& value) const {
    lane_state& sub = x[static_cast<std::size_t>(l / V)];
    const int j = l % V;
    if constexpr (V == 1) {
      (void)j;
      sub = value;
    } else if constexpr (flat > 0) {
      const auto to = member_pointers<flat>(sub);
      const auto from = member_pointers<flat>(value);
      for (std::size_t i = 0; i < flat; ++i)
        (*to[i])(j) = *from[i];
    } else {
      vector<T> c = problem_.coordinates(sub);
      const vector<double> v = problem_.coordinates(value);
      for (Eigen::Index i = 0; i < c.size(); ++i)
        c(i)(j) = v(i);
      sub = problem_.template from_coordinates<T>(c);
    }
  }

  const Problem& problem_;
  const sweep_options& options_;
  const execution_policy& policy_;
  const outcome_criteria& criteria_;
  const Certificate& certificate_;
  const Overlay& overlay_;
  sweep_result& result_;
  std::size_t first_;
  std::size_t history_;
  double escape_squared_, step_squared_, period_squared_;
};

} // namespace detail

namespace detail {

/// sweep's checks of its arguments, all before allocating (see sweep).
template <class Certificate, class Problem>
void validate_sweep(const Problem& problem, const sweep_plane& plane, const sweep_options& options,
                    const execution_policy& policy) {
  plane.validate(problem.dimension());
  options.validate();
  policy.validate();
  if (options.track_state_parameter && std::is_same_v<Certificate, no_certificate>)
    throw invalid_parameter("sweep_options.track_state_parameter", "true",
                            "false unless a certificate is given (δ_t is the certificate's)");
  const std::size_t n = plane.size();
  require_memory("sweep", n,
                 sweep_result::bytes_per_point(options.keep_final_states,
                                               static_cast<std::uint64_t>(problem.dimension()),
                                               options.track_state_parameter),
                 saturating_multiply_add(tile_count(n, policy.tile), 2 * sizeof(std::size_t), 0),
                 policy);
}

/// The result slots of `count` points, before any runs (undecided, NaN).
template <class Certificate, class Overlay, class Problem>
[[nodiscard]] sweep_result blank_sweep_result(const Problem& problem, const sweep_plane& plane,
                                              const sweep_options& options, std::size_t n) {
  sweep_result result;
  result.plane = plane;
  result.options = options;
  result.step_size = problem.step_size();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  result.outcomes.assign(n, outcome::undecided);
  result.finished.assign(n, 0);
  result.decision_steps.assign(n, 0);
  result.periods.assign(n, 0);
  result.final_loss.assign(n, nan);
  result.final_state_parameter.assign(n, nan);
  result.final_sharpness.assign(n, nan);
  result.overlay.assign(n, nan);
  result.dimension = problem.dimension();
  if (options.keep_final_states)
    result.final_states.assign(n * std::size_t(result.dimension), nan);
  if (options.track_state_parameter)
    result.state_parameter_drop.assign(n, nan);
  result.has_certificate = !std::is_same_v<Certificate, no_certificate>;
  result.has_overlay = result.has_certificate || !std::is_same_v<Overlay, no_overlay>;
  return result;
}

} // namespace detail

/// Classifies every initial point of `plane` under the GD map of `problem` by the rules of
/// outcome_criteria (classify.hpp), checked every options.check_interval steps of each point.
///
/// Vectorized: W points advance together as one lane pack. The pack state is built with
/// from_coordinates<lanes<W>> (structure of arrays) and one call of the library's templated
/// p.step moves all W points; W = 1 is the plain one-point-at-a-time double loop. When a lane's
/// point is decided (early exit), the next point of the tile takes its place, so lanes stay busy.
/// Threads: tiles of policy.tile points are handed to policy.threads workers by for_each_tile,
/// with its progress bar and cancellation. Each point's result depends only on its own
/// trajectory and its own check schedule, so results are bit-identical for any thread count and
/// tile size, and equal between W = 1 and W > 1 when the compiler rounds both alike (always
/// without FMA contraction, e.g. -ffp-contract=off or no -mfma). Escapes are found at the checks
/// and their step recovered exactly by replaying the interval; a trajectory that exceeds
/// escape_norm and comes back below it before the next check is not counted as diverged.
///
/// Per point: outcome, decision step, period, final loss, final sharpness λ_max(∇²R) (double) and,
/// on request, the final state, all at the state where the decision was confirmed (diverged: the
/// first state past the escape bound; undecided: x at max_steps). With a certificate: δ(x_final)
/// (docs/formulas.md §4) and the overlay I(η; x₀) for η ∈ (0, 2) (its sign is the certified
/// region); a user `overlay` callable (point state → double) replaces the overlay value. Problems
/// without distance functions are labelled through their is_minimizer / is_stationary.
///
/// Throws gdcert::invalid_parameter for an invalid plane (empty grid, zero resolution, non-finite
/// bounds, coordinate index out of range, a point count that wraps), invalid options or policy,
/// or a memory estimate (sweep_result::bytes_per_point) above policy.memory_limit, all before
/// allocating. Cancellation through the policy is seen at each point's next check; with
/// on_cancel::throw_exception it throws gdcert::cancelled, with on_cancel::return_partial it
/// returns the points that finished, `partial` set and `finished` marking them.
template <int W = 4, class Problem, class Certificate = no_certificate, class Overlay = no_overlay>
requires problem<Problem> &&
    gradient_map_over<Problem, detail::lane_scalar<detail::pack_shape<W>::width>>
[[nodiscard]] sweep_result sweep(const Problem& problem, const sweep_plane& plane,
                                 const sweep_options& options = {},
                                 const execution_policy& policy = {},
                                 const Certificate& certificate = {}, const Overlay& overlay = {}) {
  static_assert(W >= 1, "lane width W must be at least 1");
  detail::validate_sweep<Certificate>(problem, plane, options, policy);
  const std::size_t n = plane.size();
  sweep_result result =
      detail::blank_sweep_result<Certificate, Overlay>(problem, plane, options, n);
  using engine_type = detail::sweep_engine<W, Problem, Certificate, Overlay>;
  const engine_type engine(problem, options, certificate, overlay, policy, result);
  const std::size_t tiles = detail::tile_count(n, policy.tile);
  std::vector<typename engine_type::counters> tally(tiles);
  const tile_completion completion = for_each_tile(
      n, policy,
      [&](std::size_t begin, std::size_t end) {
        auto& counters = tally[begin / policy.tile];
        engine.run_tile(begin, end, counters);
      },
      policy.when_cancelled == on_cancel::return_partial);
  result.partial = !completion.complete() && result.finished_count() != n;
  for (const auto& c : tally) {
    result.useful_steps += c.useful;
    result.executed_lane_steps += c.executed;
  }
  return result;
}

} // namespace gdcert
