// The rigorous one-step boundary test: interval bisection proves sup over {I = 0} of I(GD(x)) <= 0 (App. L-M's test made a proof), or finds an exact counterexample (docs/formulas.md §3, §8).
#pragma once

#include <gdcert/analysis/execution.hpp>
#include <gdcert/core/arithmetic.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/numbers/interval.hpp>
#include <gdcert/numbers/jet.hpp>
#include <gdcert/numbers/rational.hpp>
#include <gdcert/problems/detail/rank1_two_by_two.hpp>
#include <gdcert/problems/detail/two_coordinate.hpp>
#include <gdcert/problems/problem.hpp>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace gdcert {

// What is proved. A level function I(x) = q(x) + I(0) with q a positive-definite quadratic form
// and I(0) < 0 (every certificate of docs/formulas.md §2 at fixed parameters: (10), (17), (22),
// (30)) has the level set {I = 0} = {d·s(d) : d on the boundary of [−1, 1]ⁿ}, s(d) = √(−I(0)/q(d))
// — the parametrisation of the sampled scan (App. L: x = d/√q(d)). Each of the 2n faces of the cube
// is a box in n − 1 free coordinates. Any invertible M gives the same level set as {M·e·s(M·e)};
// when q is ill-conditioned (δ → 2 makes {I = 0} a thin ellipsoid) the verifier takes M ≈ A^(−1/2)
// so that equal boxes of e cover equal pieces of the level set
// (rigorous_options::whitening_threshold; the number of boxes at σ = 0.6, δ = 1.85 of App. L drops
// 4.7×). On the level set I(x) = 0, so f(d) = I(GD(x)) at x = d·s(d) equals the one-step change
// ΔI(x) = I(GD(x)) − I(x) = (2x + Δ)ᵀAΔ with Δ = −η∇R(x) (R the loss, A the matrix of q; exact
// because I is quadratic). The verifier evaluates this form with the problem's own gradient in
// gdcert::interval and in jet<interval, n − 1>: every term carries the factor Δ, which vanishes on
// S, whereas evaluating I(GD(x)) directly adds O(1) terms that cancel and that interval arithmetic
// cannot cancel (2-4× fewer boxes, more near S). Over a box B of directions it takes the smaller of
// the natural enclosure and the mean-value form f(B) ⊆ f(c) + ∇f(B)·(B − c), which converges
// quadratically as B shrinks, and bisects, while the upper bound is positive, the coordinate k with
// the largest share |∂f/∂d_k(B)|·radius_k of it.
//
// The equality case. On S ∩ {I = 0} the point is fixed by GD, so f = 0 there and the supremum is
// exactly 0 whenever the pair is admissible (Props 2-3 prove R < 0 only on {I = 0} \ S): no finite
// bisection proves f <= 0 on a box touching S. A box is therefore *excluded* when the interval
// gradient of the loss over (an enclosure of) its level-set points satisfies ‖∇R(x)‖∞ <= ε: all
// of them lie in N_ε = {x : ‖∇R(x)‖∞ <= ε}, a neighbourhood of S (∇R vanishes exactly on S). The
// verdict "proved" means: I(GD(x)) <= certified_bound <= 0 for every x on {I = 0} outside N_ε, and
// I(GD(x)) <= excluded_bound on the excluded boxes (a certified, tiny, bound there too).
//
// Counterexamples. When the thin interval enclosure of f at a box centre d has a positive lower
// bound, the exact level-set point x* = d·s(d) provably violates (level_lower > 0). Since s(d) is
// irrational in general, the exact check uses a rational scale s̃ < s(d) (s̃² < −I(0)/q(d), checked
// exactly): x = s̃·d lies strictly inside the sublevel set, I(x) < 0, and I(GD(x)) > 0 is checked
// in exact rationals — a genuine violation of the forward invariance of {I <= 0}.
//
// Parameters are the doubles passed in (e.g. δ = 1.2 means the double nearest 1.2): the maps and
// certificates convert them exactly (constant<T>), so the proof is about those exact values.

/// How a rigorous boundary test ended.
enum class rigorous_status {
  proved,         ///< every box proved or excluded (within N_ε)
  counterexample, ///< a level-set point with I(GD(x)) > 0 (certified), checked in rationals
  undecided       ///< the depth or box budget ran out; see `remaining`
};

[[nodiscard]] inline const char* to_string(rigorous_status status) {
  switch (status) {
  case rigorous_status::proved:
    return "proved";
  case rigorous_status::counterexample:
    return "counterexample";
  default:
    return "undecided";
  }
}

struct rigorous_options {
  double stationary_margin = 1e-3;    ///< ε of N_ε = {‖∇R‖∞ <= ε}; 0 excludes nothing
  int max_depth = 60;                 ///< bisections below a root box
  std::size_t max_boxes = 20'000'000; ///< total box budget, drawn on by all root boxes
  int initial_splits = 2; ///< each free coordinate of a face is cut into 2^k roots (parallel units)
  std::size_t reported_boxes = 8; ///< undecided boxes listed in the result
  /// Scan only the faces with sign +1: valid when GD is odd and I even (every map of
  /// docs/formulas.md §1 and every certificate of §2), since then f(−d) = f(d). Spot-checked in
  /// exact rationals.
  bool use_symmetry = true;
  /// Directions e on the cube boundary are mapped to x-directions M·e with M ≈ A^(−1/2) (A the
  /// matrix of q) when A's condition number exceeds this: the level set becomes a near-sphere in
  /// e, so boxes stay round as q degenerates (δ → 2). Otherwise M = I, the sampled scan's
  /// parametrisation, which is better aligned with S for round level sets (measured on the App. L
  /// pairs: 2× fewer boxes at condition 4, 4.7× more at condition 26 than whitened). 1 always
  /// whitens, infinity never.
  double whitening_threshold = 10;
};

/// A box of directions on face `coordinate` = `sign` (±1) of the cube; `lower`/`upper` are the
/// other n − 1 coordinates in increasing order of index.
struct direction_box {
  int coordinate = 0;
  double sign = 1;
  std::vector<double> lower, upper;
  int depth = 0;
  double upper_bound = std::numeric_limits<double>::infinity(); ///< of I(GD(x)) on the box
};

struct inwardness_counterexample {
  Eigen::VectorXd direction; ///< e, a box centre on the cube boundary (exact dyadic doubles)
  std::vector<rational> exact_point; ///< x = s̃·M·e, exact (M: the verifier's whitening())
  double level_lower = 0;   ///< certified lower bound of I(GD(x*)) at x* = d·s(d) on {I = 0}
  rational scale;           ///< s̃ < s(d), so x = s̃·d is strictly inside
  rational inside_value;    ///< I(x), exact (< 0)
  rational image_value;     ///< I(GD(x)), exact
  bool exact_check = false; ///< inside_value < 0 < image_value, verified in rationals
  Eigen::VectorXd point;    ///< x rounded to doubles (display)
};

struct inwardness_result {
  rigorous_status status = rigorous_status::undecided;
  std::size_t boxes = 0;          ///< boxes enclosed
  std::size_t proved_boxes = 0;   ///< leaves with upper bound <= 0
  std::size_t excluded_boxes = 0; ///< leaves inside N_ε
  std::size_t undecided_boxes = 0;
  int max_depth = 0;
  double seconds = 0;
  double certified_bound = -std::numeric_limits<double>::infinity(); ///< max over proved leaves
  double excluded_bound = -std::numeric_limits<double>::infinity();  ///< max over excluded leaves
  double stationary_margin = 0;
  std::vector<direction_box> remaining; ///< the first `reported_boxes` undecided boxes
  std::optional<inwardness_counterexample> counterexample;

  [[nodiscard]] double boxes_per_second() const {
    return seconds > 0 ? static_cast<double>(boxes) / seconds : 0.0;
  }
};

/// The bounds the verifier computes on one box of directions (also what the benchmark times).
struct box_enclosure {
  bool usable = false; ///< q(d) > 0 enclosed and every bound finite
  double upper = std::numeric_limits<double>::infinity(); ///< min(natural, mean-value) upper bound
  interval centre;                                        ///< f at the box centre (thin)
  double gradient_magnitude =
      std::numeric_limits<double>::infinity(); ///< ‖∇R‖∞ (loss gradient) over the box
  /// |∂f/∂d_k|·radius_k: coordinate k's share of the mean-value width (the one bisected)
  std::array<double, 8> split_weight{};
};

/// The verifier for one problem and one level function. `Level` is a callable taking
/// `const typename Problem::template state<T>&` for T = interval, jet<interval, n − 1> and
/// rational (a generic lambda around a certificate: see certificate_level). The problem must have a
/// compile-time dimension (the 2-D and 4-D maps of docs/formulas.md §1).
template <class Problem, class Level>
class inwardness_verifier {
public:
  static constexpr int dimension = static_cast<int>(Problem::dimension());
  static constexpr int free = dimension - 1;
  static_assert(dimension >= 2, "the cube boundary needs n >= 2");
  static_assert(free <= static_cast<int>(std::tuple_size_v<decltype(box_enclosure::split_weight)>),
                "split_weight holds the free coordinates");
  using face_box = std::array<double, free>;
  template <class T>
  using state = typename Problem::template state<T>;
  using derivative_type = jet<interval, free>;

  /// Throws gdcert::invalid_parameter for bad options, if the level function throws for its
  /// parameters, or unless I(0) < 0 and I(t d) = t²(I(d) − I(0)) + I(0) at sample rays (exact
  /// rationals): the shape the level-set parametrisation needs.
  inwardness_verifier(const Problem& problem, Level level, const rigorous_options& options = {})
      : problem_(problem), level_(std::move(level)), options_(options) {
    require_non_negative("stationary_margin epsilon", options.stationary_margin);
    require_at_least("max_depth", options.max_depth, 1);
    if (options.max_boxes < 1)
      throw invalid_parameter("max_boxes", "0", ">= 1");
    require_at_least("initial_splits", options.initial_splits, 0);
    if (!(options.whitening_threshold >= 1))
      throw invalid_parameter("whitening_threshold", detail::to_text(options.whitening_threshold),
                              "[1, inf] (a condition number)");
    if (options.initial_splits > 24 / free) // 2^(k·free) roots a face; no int overflow
      throw invalid_parameter("initial_splits", std::to_string(options.initial_splits),
                              "[0, " + std::to_string(24 / free) + "] for this dimension");
    exact_offset_ = -level_(point<rational>(std::array<rational, dimension>{}));
    if (!(exact_offset_ > 0))
      throw invalid_parameter("certificate value at the origin I(0)",
                              detail::to_text(-static_cast<double>(exact_offset_)),
                              "< 0 (the origin inside the sublevel set)");
    check_quadratic_shape();
    check_gradient_step();
    if (options.use_symmetry)
      check_symmetry();
    offset_ = interval(-level_(point<interval>(std::array<interval, dimension>{})));
    build_form();
  }

  [[nodiscard]] const rigorous_options& options() const noexcept { return options_; }

  /// f over the box lower <= d_free <= upper of face `coordinate` = `sign`.
  [[nodiscard]] box_enclosure enclose(int coordinate, double sign, const face_box& lower,
                                      const face_box& upper) const {
    box_enclosure out;
    std::array<derivative_type, dimension> d;
    std::array<interval, dimension> centre;
    face_box radius{};
    for (int i = 0, k = 0; i < dimension; ++i) {
      if (i == coordinate) {
        d[i] = derivative_type(sign);
        centre[i] = interval(sign);
        continue;
      }
      const double mid = (lower[k] + upper[k]) / 2; // exact: dyadic boxes from [−1, 1]
      radius[k] = (upper[k] - lower[k]) / 2;
      d[i] = derivative_type::variable(interval(lower[k], upper[k]), k);
      centre[i] = interval(mid);
      ++k;
    }
    const derivative_type q = whitened_quadratic(d);
    if (!(q.value.lower() > 0) || !bounded(q.value))
      return out;
    const derivative_type s = sqrt(derivative_type(offset_) / q);
    std::array<derivative_type, dimension> gradient;
    const derivative_type f = residual(whiten(d), s, &gradient);
    const interval qc = whitened_quadratic(centre);
    if (!(qc.lower() > 0))
      return out;
    out.centre = residual(whiten(centre), sqrt(offset_ / qc));
    interval mean_value = out.centre;
    for (int k = 0; k < free; ++k) {
      mean_value = mean_value + f.derivative[k] * interval(-radius[k], radius[k]);
      out.split_weight[k] = magnitude(f.derivative[k]) * radius[k];
    }
    if (!bounded(f.value) || !bounded(out.centre))
      return out;
    out.usable = true;
    out.upper =
        bounded(mean_value) ? std::min(f.value.upper(), mean_value.upper()) : f.value.upper();
    double largest = 0; // ‖∇R‖∞ over the box's level-set points: inside N_ε?
    for (int i = 0; i < dimension; ++i)
      largest =
          std::max(largest, bounded(gradient[i].value) ? magnitude(gradient[i].value)
                                                       : std::numeric_limits<double>::infinity());
    out.gradient_magnitude = largest;
    return out;
  }

  /// The whole test: 2n faces cut into root boxes (run in parallel, each bisected depth-first on
  /// one thread, merged in root order). The counts are identical for any thread count unless the
  /// shared box budget runs out (then which boxes remain depends on the schedule).
  [[nodiscard]] inwardness_result run(const execution_policy& policy = {}) const {
    const auto start = std::chrono::steady_clock::now();
    const std::vector<root> roots = root_boxes();
    std::atomic<std::size_t> budget{options_.max_boxes};
    std::vector<inwardness_result> parts(roots.size());
    execution_policy one = policy;
    one.tile = 1;
    for_each_tile(roots.size(), one, [&](std::size_t begin, std::size_t end) {
      for (std::size_t r = begin; r < end; ++r)
        parts[r] = bisect(roots[r], budget, policy);
    });
    inwardness_result out = merge(parts);
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
  }

  /// The root boxes run() bisects (the 2n faces, n with use_symmetry, each cut into
  /// 2^(initial_splits·(n − 1)) boxes): the work items of a verification_job.
  [[nodiscard]] std::size_t root_count() const { return root_boxes().size(); }

  /// Bisects root box `r` alone with a budget of its own, `max_boxes`: the part of run() for that
  /// root whenever run()'s shared budget does not run out. Throws gdcert::invalid_parameter for
  /// r >= root_count() or a zero budget.
  [[nodiscard]] inwardness_result run_root(std::size_t r, std::size_t max_boxes,
                                           const execution_policy& policy = {}) const {
    const std::vector<root> roots = root_boxes();
    if (r >= roots.size())
      throw invalid_parameter("root box", std::to_string(r),
                              "[0, " + std::to_string(roots.size()) + ")");
    if (max_boxes < 1)
      throw invalid_parameter("max_boxes", "0", ">= 1");
    std::atomic<std::size_t> budget{max_boxes};
    return bisect(roots[r], budget, policy);
  }

  /// run()'s result from the parts of every root, in root order (seconds left 0).
  [[nodiscard]] inwardness_result merge(const std::vector<inwardness_result>& parts) const {
    inwardness_result out;
    out.stationary_margin = options_.stationary_margin;
    for (const auto& p : parts) {
      out.boxes += p.boxes;
      out.proved_boxes += p.proved_boxes;
      out.excluded_boxes += p.excluded_boxes;
      out.undecided_boxes += p.undecided_boxes;
      out.max_depth = std::max(out.max_depth, p.max_depth);
      out.certified_bound = std::max(out.certified_bound, p.certified_bound);
      out.excluded_bound = std::max(out.excluded_bound, p.excluded_bound);
      for (const auto& b : p.remaining)
        if (out.remaining.size() < options_.reported_boxes)
          out.remaining.push_back(b);
      if (!out.counterexample && p.counterexample)
        out.counterexample = p.counterexample;
    }
    out.status = out.counterexample        ? rigorous_status::counterexample
                 : out.undecided_boxes > 0 ? rigorous_status::undecided
                                           : rigorous_status::proved;
    return out;
  }

  /// M of x-direction = M·e (A^(−1/2) up to rounding, or I): doubles, so exact as rationals.
  [[nodiscard]] const std::array<std::array<double, dimension>, dimension>&
  whitening() const noexcept {
    return whitening_;
  }

  /// The exact check of a violating cube direction e (see the header comment); fills `scale`,
  /// `inside_value`, `image_value`, `exact_check`, `point`, `exact_point`.
  void check_exactly(inwardness_counterexample& c) const {
    std::array<rational, dimension> e;
    for (int i = 0; i < dimension; ++i)
      e[i] = rational(c.direction(i));
    const std::array<rational, dimension> d = whiten(e);
    const rational squared = exact_offset_ / quadratic_part(d); // s(d)² exactly
    double guess = std::sqrt(static_cast<double>(squared));
    rational scale(guess);
    while (!(scale * scale < squared)) {
      guess = detail::next_down(guess);
      scale = rational(guess);
    }
    c.scale = scale;
    std::array<rational, dimension> x;
    c.point.resize(dimension);
    c.exact_point.resize(dimension);
    for (int i = 0; i < dimension; ++i) {
      x[i] = d[i] * scale;
      c.exact_point[static_cast<std::size_t>(i)] = x[i];
      c.point(i) = static_cast<double>(x[i]);
    }
    const state<rational> inside = point<rational>(x);
    c.inside_value = level_(inside);
    c.image_value = level_(problem_.step(inside));
    c.exact_check = c.inside_value < 0 && c.image_value > 0;
  }

private:
  struct root {
    int coordinate;
    double sign;
    face_box lower, upper;
  };
  struct pending {
    face_box lower, upper;
    int depth;
  };

  /// The state with coordinates c (aggregate initialisation for the documented (a, b) and
  /// (a, b, u, v) orders: no allocation in the hot loop).
  template <class T>
  [[nodiscard]] state<T> point(const std::array<T, dimension>& c) const {
    if constexpr (std::is_same_v<state<T>, rank1_state<T>>)
      return {c[0], c[1], c[2], c[3]};
    else if constexpr (std::is_same_v<state<T>, scalar_state<T>>)
      return {c[0], c[1]};
    vector<T> v(dimension);
    for (int i = 0; i < dimension; ++i)
      v(i) = c[i];
    return problem_.template from_coordinates<T>(v);
  }

  /// q(d) = I(d) − I(0) exactly, the quadratic part whose level scale is s(d)² = −I(0)/q(d)
  /// (boxes use whitened_quadratic).
  [[nodiscard]] rational quadratic_part(const std::array<rational, dimension>& d) const {
    return level_(point<rational>(d)) + exact_offset_;
  }

  /// M·e. The coefficients are doubles, so for rationals this is exact.
  template <class T>
  [[nodiscard]] std::array<T, dimension> whiten(const std::array<T, dimension>& e) const {
    std::array<T, dimension> d;
    for (int i = 0; i < dimension; ++i) {
      d[i] = constant<T>(0.0);
      for (int j = 0; j < dimension; ++j)
        if (whitening_[i][j] != 0)
          d[i] = d[i] + constant<T>(whitening_[i][j]) * e[j];
    }
    return d;
  }

  /// q(M·e) = eᵀKe with K = MᵀAM (≈ I) enclosed: each e_i enters once per term, so the natural
  /// enclosure is tight.
  template <class T>
  [[nodiscard]] T whitened_quadratic(const std::array<T, dimension>& e) const {
    T out = constant<T>(0.0);
    for (int i = 0; i < dimension; ++i) {
      T row = constant<T>(0.0);
      for (int j = 0; j < dimension; ++j)
        row = row + T(whitened_form_[i][j]) * e[j];
      out = out + e[i] * row;
    }
    return out;
  }

  /// ΔI(x) = I(GD(x)) − I(x) = (2x + Δ)ᵀAΔ, Δ = GD(x) − x = −η∇R(x), A the matrix of q. The
  /// direct form I(GD(x)) adds O(1) terms that cancel to the small ΔI, and intervals do not
  /// cancel; here every term carries a factor Δ, which vanishes on S. Also returns ∇R(x).
  template <class T>
  [[nodiscard]] T residual(const std::array<T, dimension>& d, const T& s,
                           std::array<T, dimension>* gradient_out = nullptr) const {
    std::array<T, dimension> x;
    for (int i = 0; i < dimension; ++i)
      x[i] = d[i] * s;
    const auto g = coordinate_array(problem_.gradient(point<T>(x)));
    if (gradient_out)
      *gradient_out = g;
    const T eta = constant<T>(problem_.step_size());
    std::array<T, dimension> step;
    for (int i = 0; i < dimension; ++i)
      step[i] = -(eta * g[i]);
    T out = constant<T>(0.0);
    for (int i = 0; i < dimension; ++i) {
      T row = constant<T>(0.0);
      for (int j = 0; j < dimension; ++j)
        row = row + T(form_[i][j]) * step[j];
      out = out + (constant<T>(2.0) * x[i] + step[i]) * row;
    }
    return out;
  }

  /// The coordinates of a state, without allocation for the 2-D and 4-D states.
  template <class T>
  [[nodiscard]] std::array<T, dimension> coordinate_array(const state<T>& x) const {
    if constexpr (std::is_same_v<state<T>, rank1_state<T>>)
      return {x.a, x.b, x.u, x.v};
    else if constexpr (std::is_same_v<state<T>, scalar_state<T>>)
      return {x.a, x.b};
    else {
      const auto c = problem_.coordinates(x);
      std::array<T, dimension> out;
      for (int i = 0; i < dimension; ++i)
        out[i] = c(i);
      return out;
    }
  }

  /// A with q(x) = xᵀAx by polarisation, exactly in rationals, then enclosed; the whitening M
  /// (eigenvectors of A over √eigenvalues, in doubles) and K = MᵀAM, exactly then enclosed.
  void build_form() {
    const rational zero = -exact_offset_;
    auto q = [&](int i, int j) {
      std::array<rational, dimension> d{};
      d[i] += rational(1);
      if (j >= 0)
        d[j] += rational(1);
      return level_(point<rational>(d)) - zero;
    };
    std::array<std::array<rational, dimension>, dimension> a;
    Eigen::Matrix<double, dimension, dimension> nearest;
    for (int i = 0; i < dimension; ++i)
      for (int j = 0; j < dimension; ++j) {
        a[i][j] = i == j ? q(i, -1) : (q(i, j) - q(i, -1) - q(j, -1)) / 2;
        nearest(i, j) = static_cast<double>(a[i][j]);
        form_[i][j] = enclose_rational(a[i][j]);
      }
    require_positive_definite(a);
    Eigen::Matrix<double, dimension, dimension> m =
        Eigen::Matrix<double, dimension, dimension>::Identity();
    const Eigen::SelfAdjointEigenSolver<Eigen::Matrix<double, dimension, dimension>> eigen(nearest);
    const auto& lambda = eigen.eigenvalues();
    if (eigen.info() == Eigen::Success && lambda.minCoeff() > 0 &&
        lambda.maxCoeff() > options_.whitening_threshold * lambda.minCoeff())
      m = eigen.eigenvectors() * lambda.cwiseInverse().cwiseSqrt().asDiagonal();
    for (int i = 0; i < dimension; ++i)
      for (int j = 0; j < dimension; ++j)
        whitening_[i][j] = m(i, j);
    for (int i = 0; i < dimension; ++i)
      for (int j = 0; j < dimension; ++j) {
        rational k(0);
        for (int r = 0; r < dimension; ++r)
          for (int c = 0; c < dimension; ++c)
            k += rational(whitening_[r][i]) * a[r][c] * rational(whitening_[c][j]);
        whitened_form_[i][j] = enclose_rational(k);
      }
  }

  /// Throws unless A is positive definite, decided exactly: every pivot of its elimination
  /// (LDLᵀ in rationals) is > 0. Otherwise {I <= 0} is no bounded ellipsoid and some directions
  /// have q(d) <= 0, which no box can prove: the run would end undecided instead of saying that
  /// the level function is not a certificate.
  static void require_positive_definite(std::array<std::array<rational, dimension>, dimension> a) {
    for (int k = 0; k < dimension; ++k) {
      if (!(a[k][k] > 0))
        throw invalid_parameter("level function quadratic part A (I(x) = x^T A x + I(0))",
                                "pivot " + std::to_string(k) + " = " +
                                    detail::to_text(static_cast<double>(a[k][k])),
                                "positive definite (every pivot > 0: {I <= 0} an ellipsoid)");
      for (int i = k + 1; i < dimension; ++i) {
        const rational factor = a[i][k] / a[k][k];
        for (int j = k + 1; j < dimension; ++j)
          a[i][j] -= factor * a[k][j];
      }
    }
  }

  [[nodiscard]] static interval enclose_rational(const rational& value) {
    const double nearest = static_cast<double>(value);
    return rational(nearest) == value
               ? interval(nearest)
               : interval(detail::next_down(nearest), detail::next_up(nearest));
  }

  void check_quadratic_shape() const {
    const rational zero = -exact_offset_;
    for (int i = 0; i < dimension; ++i)
      for (int j = i; j < dimension; ++j) {
        std::array<rational, dimension> d{};
        d[i] += rational(1);
        d[j] += rational(j == i ? 0 : -2);
        const rational base = level_(point<rational>(d)) - zero;
        for (const int t : {-1, 2, 3}) {
          std::array<rational, dimension> scaled;
          for (int k = 0; k < dimension; ++k)
            scaled[k] = d[k] * t;
          if (level_(point<rational>(scaled)) - zero != base * (t * t))
            throw invalid_parameter("level function", "not a quadratic form plus a constant",
                                    "I(t d) = t^2 (I(d) - I(0)) + I(0)");
        }
      }
  }

  /// step(x) = x − η∇R(x) at sample points, exactly: what the residual form assumes.
  void check_gradient_step() const {
    const rational eta(problem_.step_size());
    for (int sample = 1; sample <= 3; ++sample) {
      std::array<rational, dimension> x;
      for (int i = 0; i < dimension; ++i)
        x[i] = rational(3 * sample - 2 * i + 1) / (i + sample + 2);
      const auto image = coordinate_array(problem_.step(point<rational>(x)));
      const auto g = coordinate_array(problem_.gradient(point<rational>(x)));
      for (int i = 0; i < dimension; ++i)
        if (image[i] != x[i] - eta * g[i])
          throw invalid_parameter("problem", "a map other than x - eta grad L(x)",
                                  "a gradient descent map (step = x - eta gradient)");
    }
  }

  /// GD(−x) = −GD(x) and I(−x) = I(x) at sample points, exactly.
  void check_symmetry() const {
    for (int sample = 1; sample <= 3; ++sample) {
      std::array<rational, dimension> x, minus;
      for (int i = 0; i < dimension; ++i) {
        x[i] = rational(sample * (i + 2) - 3 * i) / (2 * i + sample + 5);
        minus[i] = -x[i];
      }
      const auto forward = problem_.coordinates(problem_.step(point<rational>(x)));
      const auto backward = problem_.coordinates(problem_.step(point<rational>(minus)));
      bool odd = level_(point<rational>(x)) == level_(point<rational>(minus));
      for (int i = 0; i < dimension; ++i)
        odd = odd && forward(i) == -backward(i);
      if (!odd)
        throw invalid_parameter("use_symmetry", "true",
                                "false unless GD is odd and the certificate even");
    }
  }

  /// The 2n faces (n with symmetry), each cut into 2^(k(n − 1)) equal root boxes.
  [[nodiscard]] std::vector<root> root_boxes() const {
    const int cuts = 1 << options_.initial_splits;
    std::size_t per_face = 1;
    for (int k = 0; k < free; ++k)
      per_face *= static_cast<std::size_t>(cuts);
    std::vector<root> roots;
    for (int coordinate = 0; coordinate < dimension; ++coordinate)
      for (const double sign : {1.0, -1.0}) {
        if (sign < 0 && options_.use_symmetry)
          continue;
        for (std::size_t cell = 0; cell < per_face; ++cell) {
          root r{coordinate, sign, {}, {}};
          std::size_t rest = cell;
          for (int k = 0; k < free; ++k) {
            const auto index = static_cast<double>(rest % static_cast<std::size_t>(cuts));
            rest /= static_cast<std::size_t>(cuts);
            r.lower[k] = -1 + 2 * index / cuts;
            r.upper[k] = -1 + 2 * (index + 1) / cuts;
          }
          roots.push_back(r);
        }
      }
    return roots;
  }

  [[nodiscard]] direction_box report(const root& r, const pending& b, double bound) const {
    direction_box out;
    out.coordinate = r.coordinate;
    out.sign = r.sign;
    out.lower.assign(b.lower.begin(), b.lower.end());
    out.upper.assign(b.upper.begin(), b.upper.end());
    out.depth = b.depth;
    out.upper_bound = bound;
    return out;
  }

  /// Takes one box from the shared budget; false once it is spent.
  [[nodiscard]] static bool take_one(std::atomic<std::size_t>& budget) {
    std::size_t left = budget.load(std::memory_order_relaxed);
    while (left > 0 && !budget.compare_exchange_weak(left, left - 1, std::memory_order_relaxed)) {
    }
    return left > 0;
  }

  /// Depth-first bisection of one root box; stops at its first certified violation. Polls the
  /// policy's cancellation flag every 1024 boxes (a root box can hold millions), so a cancelled
  /// run stops within about 1024 boxes of each thread.
  [[nodiscard]] inwardness_result bisect(const root& r, std::atomic<std::size_t>& budget,
                                         const execution_policy& policy) const {
    inwardness_result out;
    std::vector<pending> stack{{r.lower, r.upper, 0}};
    while (!stack.empty()) {
      if (out.boxes % 1024 == 1023 && detail::cancel_requested(policy))
        throw detail::tile_interrupted{};
      if (!take_one(budget)) {
        for (const auto& b : stack) {
          ++out.undecided_boxes;
          if (out.remaining.size() < options_.reported_boxes)
            out.remaining.push_back(report(r, b, std::numeric_limits<double>::infinity()));
        }
        break;
      }
      const pending b = stack.back();
      stack.pop_back();
      ++out.boxes;
      out.max_depth = std::max(out.max_depth, b.depth);
      const box_enclosure e = enclose(r.coordinate, r.sign, b.lower, b.upper);
      if (e.usable && e.upper <= 0) {
        ++out.proved_boxes;
        out.certified_bound = std::max(out.certified_bound, e.upper);
        continue;
      }
      if (e.usable && e.centre.lower() > 0) {
        inwardness_counterexample c;
        c.direction.resize(dimension);
        for (int i = 0, k = 0; i < dimension; ++i) {
          if (i == r.coordinate) {
            c.direction(i) = r.sign;
            continue;
          }
          c.direction(i) = (b.lower[k] + b.upper[k]) / 2;
          ++k;
        }
        c.level_lower = e.centre.lower();
        check_exactly(c);
        out.counterexample = c;
        break;
      }
      if (e.usable && e.gradient_magnitude <= options_.stationary_margin) {
        ++out.excluded_boxes;
        out.excluded_bound = std::max(out.excluded_bound, e.upper);
        continue;
      }
      if (b.depth >= options_.max_depth) {
        ++out.undecided_boxes;
        if (out.remaining.size() < options_.reported_boxes)
          out.remaining.push_back(report(r, b, e.upper));
        continue;
      }
      int split = 0; // the coordinate that widens the mean-value bound most, else the widest
      for (int k = 1; k < free; ++k)
        if (e.usable ? e.split_weight[k] > e.split_weight[split]
                     : b.upper[k] - b.lower[k] > b.upper[split] - b.lower[split])
          split = k;
      pending left = b, right = b;
      const double mid = (b.lower[split] + b.upper[split]) / 2;
      left.upper[split] = right.lower[split] = mid;
      left.depth = right.depth = b.depth + 1;
      stack.push_back(right);
      stack.push_back(left);
    }
    return out;
  }

  Problem problem_;
  Level level_;
  rigorous_options options_;
  rational exact_offset_;                                          ///< −I(0), exact
  interval offset_;                                                ///< −I(0), enclosed
  std::array<std::array<interval, dimension>, dimension> form_;    ///< A of q(x) = xᵀAx, enclosed
  std::array<std::array<double, dimension>, dimension> whitening_; ///< M (see whiten)
  std::array<std::array<interval, dimension>, dimension> whitened_form_; ///< K = MᵀAM, enclosed
};

/// The level function x ↦ I(θ; x) of a certificate at fixed parameters θ (δ, or δ and ξ), for
/// every scalar: the `Level` argument of inwardness_verifier.
template <class Certificate, class... Parameters>
[[nodiscard]] auto certificate_level(const Certificate& certificate, Parameters... parameters) {
  return [certificate, parameters...](const auto& x) { return certificate(parameters..., x); };
}

/// Proves or refutes sup over {I = 0} of I(GD(x)) <= 0 outside N_ε (see the header comment).
template <class Problem, class Level>
requires gradient_map_over<Problem, interval> && gradient_map_over<Problem, rational> && requires {
  std::integral_constant<Eigen::Index, Problem::dimension()>{};
}
[[nodiscard]] inwardness_result verify_inwardness(const Problem& problem, const Level& level,
                                                  const rigorous_options& options = {},
                                                  const execution_policy& policy = {}) {
  return inwardness_verifier<Problem, Level>(problem, level, options).run(policy);
}

} // namespace gdcert
