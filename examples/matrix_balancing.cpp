// Balancing effect of large step sizes on matrix problems (Wang et al. App. A, Figs 8-14): GD at h up to the measured stability limit converges and ends more balanced the larger h is.
//
// Reproduces [W App. A.1-A.2], Figs 8-14, and checks [W Thm 5.1] at the limits GD reaches. The
// paper's factors X, Y (target ≈ XYᵀ) are, in gdcert::matrix_factorization (½‖BAᵀ − X‖²_F), B
// and A; gdcert::matrix_sensing and gdcert::matrix_completion (docs/formulas.md §11-12) name them
// X and Y. The setups as the paper states them:
//   * Figs 8-10: one 6 × 6 target with i.i.d. standard Gaussian entries, X, Y ∈ ℝ^{6×100}
//     (over-parameterized), X₀, Y₀ Gaussian scaled to (‖X₀‖_F, ‖Y₀‖_F) = (9, 1), (19, 1), (99, 1);
//     columns h₀, 6/7 h₀, …, 2/7 h₀, "where 6/7 h₀ (the 2nd column) is picked near the stability
//     limit".
//   * Figs 11-12: one 100 × 100 Gaussian target, X, Y ∈ ℝ^{100×3} (under-parameterized), (9, 1)
//     and (19, 1), the same columns; the loss row is the shifted loss R − R*, R* by Eckart–Young
//     (matrix_factorization::minimum_loss()).
//   * Fig. 13: matrix_sensing::wang_figure13 (m = 10 Gaussian Aᵢ ∈ ℝ^{100×100}, bᵢ ~ U[0, 1],
//     X, Y ∈ ℝ^{100×6}); Fig. 14: matrix_completion::wang_figure14 (a rank-2 10 × 10 target with
//     Gaussian factors, mask density 0.6, X, Y ∈ ℝ^{10×2}); columns h₀, 4/5, 3/5, 2/5 h₀ with h₀
//     "near the stability limit". The paper gives no initial norms for Figs 13-14: (9, 1) here, as
//     in Fig. 8.
// What the paper leaves to hand is a rule here, computed and printed by the run:
//   * GD "converges" at h when gdcert::classify labels the run minimizer within 200 000 steps:
//     steps below 1e−10 and the loss within 1e−8 of R* (sensing and completion: also ‖∇R‖ <= 1e−8;
//     for sensing R* = 0 is supplied, see interpolating_sensing); it diverges past ‖x‖ = 1e8.
//   * The stability limit h_max: from h = 2/λ₀, λ₀ = λ_max(∇²R(X₀, Y₀)) (gdcert::sharpness), h
//     grows by factors 1.1 until GD stops converging, then [last converging, first failing] is
//     bisected to a relative width 1e−3 (1e−2 with --quick); h_max is the last converging h, the
//     end of the interval of converging h that holds 2/λ₀ (halved until it converges). Full mode
//     also classifies 21 h evenly on [0.5, 1.5] h_max (the scan): do the converging h form an
//     interval ending at h_max?
//   * h₀: Figs 8-10: 6/7 h₀ = 0.98 h_max, as the paper places its 2nd column (h₀ = 1.14 h_max
//     then lies above the limit: the paper's Fig. 8 shows its first column diverge to 1e153);
//     Figs 11-14: h₀ = 0.98 h_max.
// Figs 8-10 are cheap and one draw is noisy (which of two large-h columns ends more balanced
// depends on the chaotic catapult phase), so each runs on 30 initializations (3 with --quick; the
// seed is --seed + the figure number) with their own h_max, and draw 0 is pictured; Figs 11-14
// are one draw each. --quick leaves out Fig. 12, whose small-h columns take 25 000-40 000 steps of
// a 100 × 100 product.
// Claims checked, one PASS/FAIL line per figure each, computed from the runs:
//   * h_max > 2/λ₀: GD converges beyond the classical step size (the ratio; the scan's findings).
//   * GD converges in every column (Figs 8-10: columns 2-6, and what h₀ does is counted).
//   * Balancing: the final gap |‖X‖_F − ‖Y‖_F| strictly decreases as h grows over the converged
//     columns (Figs 8-10: its median over the draws; the pictured draw's gaps are printed and a
//     draw that is not strictly ordered is marked "discrepancy").
//   * Two-phase pattern: the converged columns whose loss rises at some step (by more than 1e−12 of
//     it) are exactly the largest-h ones, there is one at least, each has h > 2/λ₀, and the
//     smallest-h column falls monotonically. Printed: those columns, the columns with h > 2/λ₀, and
//     the paper's large-h columns (the 2nd-4th for Figs 8-12), "discrepancy" where they differ.
//   * Every limit is linearly stable, λ_max(∇²R) <= 2/h (λh/2 per column printed: the large-h
//     columns end near the edge of stability, λh/2 ≈ 1).
//   * Figs 8-12, Thm 5.1 with one c for every h of a figure, c = the smallest
//     λ_max/(‖X‖²_F + ‖Y‖²_F) over its limits: c(‖X‖² + ‖Y‖²) < 2/h and |‖X‖ − ‖Y‖|² <
//     2/(ch) − 2√(Σ_{i<=min(r,n)} μᵢ²) at every limit. (‖X‖² + ‖Y‖²)h/2 per column is printed:
//     above 1, the constant c = 1 that the theorem gives for rank 1 would not do.
// Measured (seed 20220208, full mode): h_max/(2/λ₀) = 1.770, 1.994, 1.979 (Figs 8-10; 1.74-2.03
// over the draws), 1.164, 1.967 (Figs 11-12), 2.045 (13), 1.455 (14); h₀ diverges in all 30 draws
// of Figs 8-10; every other column converges; the gaps fall with h in every figure (Fig. 8 medians
// 1.45, 3.15, 5.64, 6.77, 7.03 from 6/7 h₀ down; start 8); the loss rises in columns 2-4 of Figs
// 8-10 (as the paper), 1 (Fig. 11), 1-3 (Figs 12, 13) and 1 (Fig. 14); λh/2 <= 0.9996 at every
// limit; c = 0.20-0.37 and (‖X‖² + ‖Y‖²)h/2 up to 4.5. Measured discrepancies
// (docs/reproductions.md, "Where the reproductions and the papers differ"): in Figs 11-12 the
// rising columns are not the paper's 2nd-4th (Fig. 11: h_max is only 1.16 · 2/λ₀, so h₀ alone
// exceeds 2/λ₀; Fig. 12: 4/7 h₀ at 1.10 · 2/λ₀ is monotone); in Fig. 14 the converging h are not an
// interval: the scan finds 2-cycles at 1.05-1.20 h_max, undecided runs at 1.25-1.30 h_max,
// convergence again at 1.35 h_max and divergence from 1.40 h_max; and in Figs 11-12 the small-h
// columns' norms do not "barely change" (Fig. 11, 2/7 h₀: ‖Y‖ 1 → 5.5; what GD keeps there is the
// gradient-flow invariant ‖X‖² − ‖Y‖², 80 → 80.6).
// Outputs (--output DIR, default "output"): matrix_balancing_figNN.png per figure: rows ‖X_k‖_F
// and ‖Y_k‖_F, the loss (log10; the shifted loss for Figs 11-12), the sharpness λ_max(∇²R) with
// 2/h dashed, against k; one column per h as the paper's; the norm and sharpness rows show k up to
// twice the step where the norms settle (the paper shortens its first row too), the loss row the
// whole run, a diverging column on log10 axes. matrix_balancing_figNN.csv (and the same as a
// float64 array of shape (rows, 8), matrix_balancing_figNN.npy): the pictured draw's
// series (every k in the short range, then about 1500 steps, and the last; the sharpness where
// sampled, 150 points, 20 with --quick); matrix_balancing_summary.csv, one row per (figure, draw,
// column): λ₀, h_max, h, outcome, steps, final norms, loss, sharpness, loss rises.
// Times (2-core machine, Release, GCC 12, 2026-12-07): full mode 87 s, --quick 9.5 s.
// Usage: matrix_balancing [--output DIR] [--quick] [--seed S]

#include <gdcert/analysis/classify.hpp>
#include <gdcert/analysis/iterate.hpp>
#include <gdcert/analysis/outcome.hpp>
#include <gdcert/io/csv.hpp>
#include <gdcert/io/figure.hpp>
#include <gdcert/io/npy.hpp>
#include <gdcert/io/provenance.hpp>
#include <gdcert/problems/matrix_completion.hpp>
#include <gdcert/problems/matrix_factorization.hpp>
#include <gdcert/problems/matrix_sensing.hpp>
#include <gdcert/stability/hessian_spectrum.hpp>

#include <Eigen/SVD>

#include "reproduction.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace {

using gdcert::examples::format;

/// Matrix sensing whose minimum is known to be 0: with m = 10 observations and (n1 + n2)r = 1200
/// unknowns, ⟨Aᵢ, XYᵀ⟩ = bᵢ is solvable for any b, so R* = 0. matrix_sensing reports R* only for
/// planted observations (std::nullopt for [W App. A.2]'s uniform b), and its generic is_minimizer
/// then runs a dense eigensolver on the 1200 × 1200 Hessian at every check of classify (seconds a
/// check). Here a minimizer is a point with ‖∇R‖ <= tol and R <= tol, the rule the library
/// applies where R* is known.
class interpolating_sensing : public gdcert::matrix_sensing {
public:
  explicit interpolating_sensing(gdcert::matrix_sensing base)
      : gdcert::matrix_sensing(std::move(base)) {}
  [[nodiscard]] std::optional<double> minimum_loss() const noexcept { return 0.0; }
  template <class State>
  [[nodiscard]] bool is_minimizer(const State& x, double tolerance) const {
    return coordinates(gradient(x)).norm() <= tolerance && loss(x) <= tolerance;
  }
};

// The paper's X and Y. matrix_factorization fits BAᵀ to its target, so the paper's X is B
// (m × r) and its Y is A (n × r); sensing and completion name them X and Y.
double x_norm(const gdcert::matrix_factorization::state<double>& s) {
  return s.B.norm();
}
double y_norm(const gdcert::matrix_factorization::state<double>& s) {
  return s.A.norm();
}
template <class State>
double x_norm(const State& s) {
  return s.X.norm();
}
template <class State>
double y_norm(const State& s) {
  return s.Y.norm();
}

/// R*, the global minimum the shifted loss subtracts (0 where the problem reaches 0).
double minimum_of(const gdcert::matrix_factorization& p) {
  return p.minimum_loss();
}
double minimum_of(const interpolating_sensing&) {
  return 0;
}
double minimum_of(const gdcert::matrix_completion& p) {
  return p.minimum_loss().value_or(0.0);
}

/// λ_max(∇²R(x)), NaN where the state is not finite or the eigensolver gives up (a state far
/// past the escape norm). The matrix-free route (Lanczos) above dimension 400, where it is about
/// ten times faster than the dense solver (38 ms at d = 600 against 6 ms, this machine).
template <class Problem, class State>
double sharpness_of(const Problem& problem, const State& x) {
  try {
    if (problem.dimension() > 400)
      return double(gdcert::sharpness(problem, x, gdcert::sharpness_method::matrix_free));
    return double(gdcert::sharpness(problem, x));
  } catch (const std::exception&) {
    return std::numeric_limits<double>::quiet_NaN();
  }
}

Eigen::MatrixXd gaussian_matrix(std::mt19937_64& rng, Eigen::Index rows, Eigen::Index columns) {
  std::normal_distribution<double> normal;
  Eigen::MatrixXd m(rows, columns);
  for (Eigen::Index i = 0; i < m.size(); ++i)
    m(i) = normal(rng);
  return m;
}
/// A Gaussian matrix scaled to Frobenius norm `norm` (a uniformly random direction).
Eigen::MatrixXd random_with_norm(std::mt19937_64& rng, Eigen::Index rows, Eigen::Index columns,
                                 double norm) {
  const Eigen::MatrixXd m = gaussian_matrix(rng, rows, columns);
  return norm * m / m.norm();
}

/// One of the paper's figures: its problem, initial norms and columns h = numerator/denominator ·
/// h0, with h0 placed by the stability limit (the anchor column at 0.98 h_max).
struct figure_spec {
  int number;
  std::string setup;       ///< the problem in words
  double x0_norm, y0_norm; ///< ‖X₀‖_F, ‖Y₀‖_F (the paper's X, Y)
  std::vector<int> numerators;
  int denominator;
  std::size_t anchor;                   ///< the column set to 0.98 h_max (0-based)
  std::vector<std::size_t> paper_large; ///< its large-h columns (0-based), if it names them
  bool theorem;                         ///< Thm 5.1 applies (factorization)
  bool shifted; ///< the loss row shows R − R* (the paper's "shifted loss")
  int draws;    ///< initializations (draw 0 is pictured)
};

/// A trajectory: ‖X_k‖_F, ‖Y_k‖_F and the loss at every step, the sharpness at sampled steps.
struct trajectory {
  std::vector<double> x_norm, y_norm, loss;
  std::vector<double> sharp_k, sharp; ///< sampled steps and λ_max(∇²R) there
};

struct column_result {
  double fraction; ///< h/h0
  double h;
  gdcert::outcome label;
  int period;
  std::size_t steps;
  double x_final, y_final; ///< ‖X‖_F, ‖Y‖_F at the last state
  double final_loss;
  double sharpness_final; ///< λ_max(∇²R) there
  std::size_t rises;      ///< steps at which the loss rose
  std::size_t last_rise;  ///< the last such step (0: none)
  std::size_t shown;      ///< the k range of the norm and sharpness rows (pictured draw)
  trajectory t;           ///< the pictured draw only

  [[nodiscard]] bool converged() const { return label == gdcert::outcome::minimizer; }
  [[nodiscard]] bool monotone() const { return rises == 0; }
  [[nodiscard]] double gap() const { return std::abs(x_final - y_final); }
  [[nodiscard]] double squared_norms() const { return x_final * x_final + y_final * y_final; }
};

struct draw_result {
  double lambda0 = 0;           ///< λ_max(∇²R(X₀, Y₀))
  double start_gap = 0;         ///< |‖X₀‖_F − ‖Y₀‖_F|
  double h_max = 0, h_fail = 0; ///< the last converging and the first failing h of the search
  double h0 = 0;
  int calls = 0; ///< classify calls of the search
  std::vector<column_result> columns;
  [[nodiscard]] bool found() const { return std::isfinite(h_max); }
  [[nodiscard]] double classical() const { return 2 / lambda0; }
};

struct figure_result {
  figure_spec spec;
  std::vector<draw_result> draws;     ///< [0] is pictured
  std::string scan;                   ///< the convergence scan around h_max (full mode)
  double scan_largest = std::nan(""); ///< the largest converging h of the scan
  int scan_below_fail = 0;
  double minimum = 0;                 ///< R*
  double top_singular = std::nan(""); ///< √(Σ_{i <= min(r, n)} μᵢ²) of Thm 5.1 (factorization)
  double seconds = 0;
};

struct settings {
  gdcert::outcome_criteria criteria;
  double step_up;        ///< the search multiplies h by this until GD stops converging
  double relative_width; ///< then bisects to (h_fail − h_max)/h_max <= this
  int sharpness_samples; ///< sampled sharpness values in the shown range
  int scan_points;       ///< convergence scan points on [0.5, 1.5] h_max (0: none)
};

/// Where the norms have settled: the first k after which ‖X_j‖_F and ‖Y_j‖_F stay within 1 % of
/// their last values (of the larger one) for every j >= k.
std::size_t settle_step(const trajectory& t) {
  const double xf = t.x_norm.back(), yf = t.y_norm.back();
  const double tolerance = 0.01 * std::max(xf, yf);
  std::size_t k = t.x_norm.size();
  while (k > 0 && std::abs(t.x_norm[k - 1] - xf) <= tolerance &&
         std::abs(t.y_norm[k - 1] - yf) <= tolerance)
    --k;
  return k;
}

/// The stability limit h_max: GD "converges" from x₀ at h when gdcert::classify labels the run
/// minimizer within max_steps. From h = 2/λ₀ (halved until it converges), h is multiplied by
/// step_up until GD stops converging, then [last converging, first failing] is bisected.
template <class Make, class State>
void find_stability_limit(const Make& make, const State& x0, const settings& s, draw_result& d) {
  const auto converges = [&](double h) {
    ++d.calls;
    return gdcert::classify(make(h), x0, s.criteria).label == gdcert::outcome::minimizer;
  };
  double lo = d.classical();
  for (int halvings = 0; !converges(lo); ++halvings) {
    if (halvings == 8) { // nothing converges down to 2^-7 · 2/λ₀
      d.h_max = d.h_fail = std::nan("");
      return;
    }
    lo /= 2;
  }
  double hi = lo * s.step_up;
  while (converges(hi)) {
    lo = hi;
    hi *= s.step_up;
  }
  while (hi - lo > s.relative_width * lo) {
    const double mid = (lo + hi) / 2;
    (converges(mid) ? lo : hi) = mid;
  }
  d.h_max = lo;
  d.h_fail = hi;
}

/// One column: classify, then (pictured draw) the trajectory to the decision with the sharpness
/// sampled over the shown range; else the loss alone, for its rises.
template <class Make, class State>
column_result run_column(const Make& make, const State& x0, double fraction, double h,
                         const settings& s, bool pictured) {
  const auto problem = make(h);
  const auto outcome = gdcert::classify(problem, x0, s.criteria);
  column_result c{};
  c.fraction = fraction;
  c.h = h;
  c.label = outcome.label;
  c.period = outcome.period;
  c.steps = outcome.steps;
  c.x_final = x_norm(outcome.final_state);
  c.y_final = y_norm(outcome.final_state);
  c.final_loss = double(outcome.final_loss);
  c.sharpness_final = double(outcome.sharpness);
  State x = x0;
  gdcert::iterate(problem, x, outcome.steps, [&](const State& state, std::size_t) {
    c.t.loss.push_back(double(problem.loss(state)));
    if (pictured) {
      c.t.x_norm.push_back(x_norm(state));
      c.t.y_norm.push_back(y_norm(state));
    }
  });
  // A rise is an increase beyond the rounding of the loss (1e-12 of it, at least 1e-12).
  for (std::size_t k = 1; k < c.t.loss.size(); ++k)
    if (c.t.loss[k] > c.t.loss[k - 1] + 1e-12 * std::max(1.0, std::abs(c.t.loss[k - 1]))) {
      ++c.rises;
      c.last_rise = k;
    }
  if (!pictured) {
    c.t = {};
    return c;
  }
  // The norm and sharpness rows show k <= twice the settling step (at least 60), as the paper
  // shortens its first row; the loss row shows the whole run.
  c.shown = c.label == gdcert::outcome::diverged
                ? c.steps
                : std::min(c.steps, std::max<std::size_t>(60, 2 * settle_step(c.t)));
  const std::size_t stride =
      std::max<std::size_t>(1, c.shown / static_cast<std::size_t>(s.sharpness_samples));
  x = x0;
  gdcert::iterate(problem, x, c.shown, [&](const State& state, std::size_t k) {
    if (k % stride == 0 || k == c.shown) {
      c.t.sharp_k.push_back(double(k));
      c.t.sharp.push_back(sharpness_of(problem, state));
    }
  });
  return c;
}

template <class Make, class State>
draw_result run_draw(const figure_spec& spec, const Make& make, const State& x0, const settings& s,
                     bool pictured) {
  draw_result d;
  d.lambda0 = sharpness_of(make(1.0), x0);
  d.start_gap = std::abs(x_norm(x0) - y_norm(x0));
  find_stability_limit(make, x0, s, d);
  if (!d.found())
    return d;
  d.h0 = 0.98 * d.h_max * spec.denominator / spec.numerators[spec.anchor];
  for (const int numerator : spec.numerators) {
    const double fraction = double(numerator) / spec.denominator;
    d.columns.push_back(run_column(make, x0, fraction, fraction * d.h0, s, pictured));
  }
  return d;
}

/// Which of scan_points evenly spaced h in [0.5, 1.5] h_max converge: is the converging set an
/// interval ending at h_max?
template <class Make, class State>
void scan_limit(const Make& make, const State& x0, const settings& s, figure_result& f) {
  const double h_max = f.draws[0].h_max;
  std::string pattern;
  for (int i = 0; i < s.scan_points; ++i) {
    const double h = h_max * (0.5 + double(i) / (s.scan_points - 1));
    const gdcert::outcome label = gdcert::classify(make(h), x0, s.criteria).label;
    const bool ok = label == gdcert::outcome::minimizer;
    pattern += ok                                   ? '+'
               : label == gdcert::outcome::diverged ? 'd'
               : label == gdcert::outcome::periodic ? 'p'
                                                    : 'u'; // undecided (or a saddle)
    f.scan_below_fail += h <= h_max && !ok;
    if (ok && !(h <= f.scan_largest))
      f.scan_largest = h;
  }
  f.scan = format("%s on %d h in [0.5, 1.5] h_max (+ converges, d diverges, p periodic, u "
                  "undecided)",
                  pattern.c_str(), s.scan_points);
}

template <class Make, class Draw>
figure_result reproduce(const figure_spec& spec, const Make& make, const Draw& draw,
                        const settings& s) {
  const auto start = std::chrono::steady_clock::now();
  figure_result f;
  f.spec = spec;
  const auto reference = make(1.0);
  f.minimum = minimum_of(reference);
  if constexpr (std::is_same_v<std::decay_t<decltype(reference)>, gdcert::matrix_factorization>) {
    const Eigen::VectorXd mu =
        Eigen::JacobiSVD<Eigen::MatrixXd>(reference.target()).singularValues();
    f.top_singular = mu.head(std::min(reference.rank(), mu.size())).norm();
  }
  const auto x0 = draw();
  f.draws.push_back(run_draw(spec, make, x0, s, true));
  if (f.draws[0].found() && s.scan_points > 0)
    scan_limit(make, x0, s, f);
  for (int i = 1; i < spec.draws; ++i)
    f.draws.push_back(run_draw(spec, make, draw(), s, false));
  f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return f;
}

std::string column_name(const figure_spec& spec, std::size_t j) {
  const int n = spec.numerators[j], d = spec.denominator;
  return n == d ? std::string("h0") : format("%d/%d h0", n, d);
}

std::string label_text(const column_result& c) {
  if (c.label == gdcert::outcome::periodic)
    return format("period %d", c.period);
  return std::string(gdcert::to_string(c.label));
}

/// Prints a figure's limits and the pictured draw's table, one line per column.
void print_figure(const figure_result& f) {
  const draw_result& d = f.draws[0];
  std::printf("Fig. %d (%s, |X0| = %g, |Y0| = %g): lambda0 = lambda_max(Hessian at x0) = %.6g, "
              "2/lambda0 = %.6g; h_max = %.6g (first failing h %.6g, %d classify calls) = %.3f "
              "x 2/lambda0; h0 = %.6g; R* = %.6g; %d draw%s, %.1f s\n",
              f.spec.number, f.spec.setup.c_str(), f.spec.x0_norm, f.spec.y0_norm, d.lambda0,
              d.classical(), d.h_max, d.h_fail, d.calls, d.h_max / d.classical(), d.h0, f.minimum,
              f.spec.draws, f.spec.draws == 1 ? "" : "s", f.seconds);
  if (!f.scan.empty())
    std::printf("  scan: %s; %d below h_max fail; largest converging h %.6g = %.3f h_max\n",
                f.scan.c_str(), f.scan_below_fail, f.scan_largest, f.scan_largest / d.h_max);
  std::printf("  %-8s %10s %8s %10s %7s %9s %9s %9s %8s %8s %6s %s\n", "column", "h", "h*L0/2",
              "outcome", "steps", "|X|_F", "|Y|_F", "gap", "lam*h/2", "S*h/2", "rises",
              "last rise");
  for (std::size_t j = 0; j < d.columns.size(); ++j) {
    const column_result& c = d.columns[j];
    std::printf("  %-8s %10.5g %8.3f %10s %7zu %9.4g %9.4g %9.4g %8.4g %8.4g %6zu %zu\n",
                column_name(f.spec, j).c_str(), c.h, c.h / d.classical(), label_text(c).c_str(),
                c.steps, c.x_final, c.y_final, c.gap(), c.sharpness_final * c.h / 2,
                c.squared_norms() * c.h / 2, c.rises, c.last_rise);
  }
  std::fflush(stdout);
}

double median(std::vector<double> values) {
  if (values.empty())
    return std::nan("");
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

std::string join_columns(const std::vector<std::size_t>& columns) {
  if (columns.empty())
    return "none";
  std::string text;
  for (const std::size_t j : columns)
    text += format("%s%zu", text.empty() ? "" : ",", j + 1);
  return text;
}

/// The two-phase pattern in one draw: the converged columns whose loss rises are exactly the
/// largest-h ones (a threshold in h), there is at least one, each has h > 2/λ₀, and the
/// smallest-h column is monotone.
struct two_phase {
  bool holds = false;
  std::vector<std::size_t> non_monotone, above_classical, monotone_above_classical;
};
two_phase two_phase_of(const draw_result& d) {
  two_phase p;
  bool prefix = true, seen_monotone = false;
  std::size_t last_converged = d.columns.size();
  for (std::size_t j = 0; j < d.columns.size(); ++j) {
    const column_result& c = d.columns[j];
    if (c.h > d.classical())
      p.above_classical.push_back(j);
    if (!c.converged())
      continue;
    last_converged = j;
    if (!c.monotone()) {
      p.non_monotone.push_back(j);
      prefix = prefix && !seen_monotone;
    } else {
      seen_monotone = true;
      if (c.h > d.classical())
        p.monotone_above_classical.push_back(j);
    }
  }
  bool rises_above = true;
  for (const std::size_t j : p.non_monotone)
    rises_above = rises_above && d.columns[j].h > d.classical();
  p.holds = prefix && !p.non_monotone.empty() && rises_above && last_converged < d.columns.size() &&
            d.columns[last_converged].monotone();
  return p;
}

/// The verdicts of one figure, computed from its draws.
void judge(gdcert::examples::reproduction& run, const figure_result& f) {
  const figure_spec& spec = f.spec;
  const draw_result& d = f.draws[0];
  const std::string fig = format("Fig. %d", spec.number);
  const std::size_t n = spec.numerators.size();
  const bool several = f.draws.size() > 1;
  const std::string over = several ? format(" (%zu draws)", f.draws.size()) : std::string();
  std::size_t found = 0;
  double least_ratio = INFINITY, most_ratio = 0;
  for (const draw_result& e : f.draws)
    if (e.found()) {
      ++found;
      least_ratio = std::min(least_ratio, e.h_max / e.classical());
      most_ratio = std::max(most_ratio, e.h_max / e.classical());
    }
  run.verdict(
      found == f.draws.size() && least_ratio > 1,
      fig +
          ": GD converges beyond the classical step: h_max > 2/lambda_max(Hessian at "
          "x0)" +
          over,
      format("pictured draw: h_max = %.6g, 2/lambda0 = %.6g, ratio %.3f", d.h_max, d.classical(),
             d.h_max / d.classical()) +
          (several ? format("; ratio over the draws %.3f … %.3f", least_ratio, most_ratio)
                   : std::string()) +
          (f.scan.empty()
               ? std::string()
               : format("; scan %s: %d below h_max fail, the largest "
                        "converging h is %.3f h_max%s",
                        f.scan.c_str(), f.scan_below_fail, f.scan_largest / d.h_max,
                        f.scan_largest > d.h_max ? " (GD converges again above the limit)" : "")));
  if (found != f.draws.size())
    return;

  // Convergence: every column but h0 where h0 lies above h_max (Figs 8-10), else every column.
  const std::size_t first = spec.anchor; // columns before the anchor lie above 0.98 h_max
  std::size_t runs = 0, converged = 0, above = 0;
  std::string failures, above_outcomes;
  std::vector<std::size_t> above_counts(4, 0); // minimizer, diverged, periodic, other
  for (const draw_result& e : f.draws)
    for (std::size_t j = 0; j < n; ++j) {
      const column_result& c = e.columns[j];
      if (j < first) {
        ++above;
        ++above_counts[c.converged()                          ? 0
                       : c.label == gdcert::outcome::diverged ? 1
                       : c.label == gdcert::outcome::periodic ? 2
                                                              : 3];
        continue;
      }
      ++runs;
      converged += c.converged();
      if (!c.converged() && &e == &f.draws[0])
        failures += format("; %s %s", column_name(spec, j).c_str(), label_text(c).c_str());
    }
  if (above > 0)
    above_outcomes = format(
        "; h0 = 7/6 x 0.98 h_max lies above h_max: %zu diverged, %zu converged, %zu "
        "periodic, %zu undecided of %zu (the paper's Fig. 8 shows h0 diverging; pictured: %s)",
        above_counts[1], above_counts[0], above_counts[2], above_counts[3], above,
        label_text(d.columns[0]).c_str());
  run.verdict(converged == runs,
              fig + ": GD converges in " +
                  (first > 0
                       ? std::string("columns 2-") + std::to_string(n) + " (6/7 h0 … 2/7 h0)"
                       : std::string("every column (h0 … ") + column_name(spec, n - 1) + ")") +
                  over,
              format("%zu of %zu runs", converged, runs) + failures + above_outcomes);

  // Balancing: the final gap |‖X‖_F − ‖Y‖_F| falls as h grows (strictly, column by column).
  std::vector<std::size_t> ordered_columns;
  for (std::size_t j = 0; j < n; ++j) {
    bool all = true;
    for (const draw_result& e : f.draws)
      all = all && e.columns[j].converged();
    if (all)
      ordered_columns.push_back(j);
  }
  std::vector<double> medians;
  for (const std::size_t j : ordered_columns) {
    std::vector<double> gaps;
    for (const draw_result& e : f.draws)
      gaps.push_back(e.columns[j].gap());
    medians.push_back(median(gaps));
  }
  bool strictly = ordered_columns.size() >= 2;
  for (std::size_t i = 1; i < medians.size(); ++i)
    strictly = strictly && medians[i - 1] < medians[i];
  std::string gaps_text, pictured_text;
  bool pictured_ordered = true;
  double previous = -1;
  for (std::size_t j = 0; j < n; ++j) {
    const column_result& c = d.columns[j];
    if (!c.converged())
      continue;
    pictured_text += format("%s%.4g", pictured_text.empty() ? "" : " ", c.gap());
    pictured_ordered = pictured_ordered && c.gap() > previous;
    previous = c.gap();
  }
  for (std::size_t i = 0; i < medians.size(); ++i)
    gaps_text += format("%s%.4g", i ? " " : "", medians[i]);
  run.verdict(strictly,
              fig + ": larger h ends more balanced: the final gap | |X|_F - |Y|_F | " +
                  (several ? "(median over the draws) " : "") +
                  "strictly decreases as h grows over the converged columns " +
                  join_columns(ordered_columns),
              (several ? "medians " + gaps_text + "; pictured draw " : std::string()) +
                  pictured_text + format(" (start %.4g)", d.start_gap) +
                  (several && !pictured_ordered
                       ? "; discrepancy: the pictured draw is not strictly ordered"
                       : std::string()));

  // Two-phase pattern.
  std::size_t holds = 0;
  for (const draw_result& e : f.draws)
    holds += two_phase_of(e).holds;
  const two_phase p = two_phase_of(d);
  std::string exceptions;
  if (!p.monotone_above_classical.empty())
    exceptions = "; monotone although h > 2/lambda0: " + join_columns(p.monotone_above_classical);
  run.verdict(holds == f.draws.size(),
              fig +
                  ": two-phase pattern: the loss rises only in the largest-h converged columns "
                  "(a threshold in h, above 2/lambda0) and falls monotonically in the smaller" +
                  over,
              format("%zu of %zu draws; pictured: non-monotone %s, h > 2/lambda0 %s", holds,
                     f.draws.size(), join_columns(p.non_monotone).c_str(),
                     join_columns(p.above_classical).c_str()) +
                  exceptions +
                  (spec.paper_large.empty() ? std::string()
                   : p.non_monotone == spec.paper_large
                       ? "; as the paper's large-h columns " + join_columns(spec.paper_large)
                       : "; discrepancy: the paper's large-h columns are " +
                             join_columns(spec.paper_large)));

  // Stability of the limits.
  double worst = 0;
  std::size_t limits = 0, stable = 0;
  std::string ratios;
  for (const draw_result& e : f.draws)
    for (std::size_t j = 0; j < n; ++j) {
      const column_result& c = e.columns[j];
      if (!c.converged())
        continue;
      ++limits;
      const double ratio = c.sharpness_final * c.h / 2;
      stable += ratio <= 1 + 1e-6;
      worst = std::max(worst, ratio);
      if (&e == &f.draws[0])
        ratios += format("%s%.4f", ratios.empty() ? "" : " ", ratio);
    }
  run.verdict(stable == limits,
              fig + ": every limit is linearly stable: lambda_max(Hessian at the limit) <= 2/h" +
                  over,
              format("%zu of %zu limits, max lambda h/2 = %.6f; pictured per column %s", stable,
                     limits, worst, ratios.c_str()));

  if (!spec.theorem)
    return;
  // Thm 5.1 on the pictured draw: one c for every h of the figure.
  double c_value = INFINITY;
  for (const column_result& c : d.columns)
    if (c.converged())
      c_value = std::min(c_value, c.sharpness_final / c.squared_norms());
  std::size_t held = 0, count = 0;
  double least_margin = INFINITY;
  std::string products;
  for (const column_result& c : d.columns) {
    if (!c.converged())
      continue;
    ++count;
    const double bound = 2 / (c_value * c.h) - 2 * f.top_singular;
    const bool norm_ok = c_value * c.squared_norms() < 2 / c.h;
    held += norm_ok && c.gap() * c.gap() < bound;
    least_margin = std::min(least_margin, bound - c.gap() * c.gap());
    products += format("%s%.3f", products.empty() ? "" : " ", c.squared_norms() * c.h / 2);
  }
  run.verdict(held == count,
              fig + ": Thm 5.1 at the limits, with one c for every h (c = the smallest "
                    "lambda_max/(|X|^2 + |Y|^2)): c(|X|^2 + |Y|^2) < 2/h and | |X| - |Y| |^2 < "
                    "2/(ch) - 2 sqrt(sum_{i<=min(r,n)} mu_i^2)",
              format("%zu of %zu limits; c = %.4f; (|X|^2 + |Y|^2) h/2 per column %s (> 1: the "
                     "d = 1 constant c = 1 fails); least margin of the gap bound %.4g",
                     held, count, c_value, products.c_str(), least_margin));
}

/// Indices of a trajectory kept for the data and the pictures: every k <= shown, then about 1500
/// more evenly spaced, and the last.
std::vector<std::size_t> kept_steps(const column_result& c) {
  std::vector<std::size_t> kept;
  const std::size_t last = c.t.loss.size() - 1;
  const std::size_t stride = std::max<std::size_t>(1, (last - std::min(last, c.shown)) / 1500);
  for (std::size_t k = 0; k <= last; k += k < c.shown ? 1 : stride)
    kept.push_back(k);
  if (kept.back() != last)
    kept.push_back(last);
  return kept;
}

/// Writes a figure's picture (rows: norms, loss, sharpness; one column per h) and its data.
void write_figure(gdcert::examples::reproduction& run, const figure_result& f,
                  const gdcert::provenance& common) {
  const figure_spec& spec = f.spec;
  const draw_result& d = f.draws[0];
  const std::string stem = format("matrix_balancing_fig%02d", spec.number);
  gdcert::provenance origin = common;
  origin.parameter("figure", format("Wang et al. App. A, Fig. %d", spec.number))
      .parameter("problem", spec.setup)
      .parameter("initial norms", format("|X0|_F = %g, |Y0|_F = %g", spec.x0_norm, spec.y0_norm))
      .parameter("lambda0", d.lambda0)
      .parameter("h_max", d.h_max)
      .parameter("h_fail", d.h_fail)
      .parameter("h0", d.h0)
      .parameter("h0 rule", format("%s = 0.98 h_max", column_name(spec, spec.anchor).c_str()))
      .parameter("R*", f.minimum);

  std::vector<std::uint64_t> column_index, ks;
  std::vector<double> hs, xs, ys, losses, shifted, sharps;
  for (std::size_t j = 0; j < d.columns.size(); ++j) {
    const column_result& c = d.columns[j];
    std::size_t s = 0;
    for (const std::size_t k : kept_steps(c)) {
      column_index.push_back(j + 1);
      hs.push_back(c.h);
      ks.push_back(k);
      xs.push_back(c.t.x_norm[k]);
      ys.push_back(c.t.y_norm[k]);
      losses.push_back(c.t.loss[k]);
      shifted.push_back(c.t.loss[k] - f.minimum);
      while (s < c.t.sharp_k.size() && c.t.sharp_k[s] < double(k))
        ++s;
      sharps.push_back(s < c.t.sharp_k.size() && c.t.sharp_k[s] == double(k)
                           ? c.t.sharp[s]
                           : std::numeric_limits<double>::quiet_NaN());
    }
  }
  gdcert::csv_table table;
  table.add_column("column", column_index)
      .add_column("h", hs)
      .add_column("k", ks)
      .add_column("x_norm", xs)
      .add_column("y_norm", ys)
      .add_column("loss", losses)
      .add_column("shifted_loss", shifted)
      .add_column("sharpness", sharps);
  gdcert::write_csv(run.output_file(stem + ".csv"), table,
                    gdcert::provenance(origin).note(
                        "pictured draw; every k up to the shown range, then about 1500 steps "
                        "evenly spaced and the last; sharpness = lambda_max(Hessian), nan where "
                        "not sampled"));
  // The same series as one float64 array, shape (rows, 8), columns in the CSV's order.
  std::vector<double> series;
  series.reserve(8 * hs.size());
  for (std::size_t i = 0; i < hs.size(); ++i)
    series.insert(series.end(), {double(column_index[i]), hs[i], double(ks[i]), xs[i], ys[i],
                                 losses[i], shifted[i], sharps[i]});
  gdcert::write_npy(run.output_file(stem + ".npy"), series, {hs.size(), std::size_t{8}},
                    gdcert::provenance(origin).note(
                        "columns: column, h, k, x_norm, y_norm, loss, shifted_loss, sharpness "
                        "(the CSV's); nan where not sampled"));

  gdcert::plot figure;
  figure.title = format("Wang et al. Fig. %d: %s, |X0| = %g, |Y0| = %g; h_max = %.4g = %.2f · "
                        "2/λ0, %s = 0.98 h_max",
                        spec.number, spec.setup.c_str(), spec.x0_norm, spec.y0_norm, d.h_max,
                        d.h_max / d.classical(), column_name(spec, spec.anchor).c_str());
  figure.rows = 3;
  figure.columns = int(d.columns.size());
  figure.panel_size = 230;
  figure.panel_height = 150;
  const gdcert::rgb red{213, 40, 0};
  for (int row = 0; row < 3; ++row)
    for (std::size_t j = 0; j < d.columns.size(); ++j) {
      const column_result& c = d.columns[j];
      const bool diverged = c.label == gdcert::outcome::diverged;
      gdcert::plot_panel p;
      std::vector<double> k, a, b;
      const auto kept = kept_steps(c);
      for (const std::size_t i : kept)
        if (row == 1 || i <= c.shown) {
          k.push_back(double(i));
          a.push_back(row == 0 ? c.t.x_norm[i] : c.t.loss[i] - (spec.shifted ? f.minimum : 0));
          b.push_back(c.t.y_norm[i]);
        }
      p.x = {0, std::max(1.0, k.back()), "k"};
      if (row == 0) {
        const double top =
            std::max(*std::max_element(a.begin(), a.end()), *std::max_element(b.begin(), b.end()));
        p.y = diverged ? gdcert::plot_axis{0.1, std::max(10.0, 10 * top), "norm",
                                           gdcert::axis_scale::log10}
                       : gdcert::plot_axis{0, 1.08 * top, "norm"};
        p.title = format("%s: h = %.4g = %.2f · 2/λ0, %s", column_name(spec, j).c_str(), c.h,
                         c.h / d.classical(), label_text(c).c_str());
        p.series = {{k, a, gdcert::series_colour(0), gdcert::series_style::line, 1.5, "‖X_k‖_F"},
                    {k, b, gdcert::series_colour(1), gdcert::series_style::line, 1.5, "‖Y_k‖_F"}};
      } else if (row == 1) {
        double top = 0, bottom = INFINITY;
        for (const double v : a)
          if (v > 0 && std::isfinite(v)) {
            top = std::max(top, v);
            bottom = std::min(bottom, v);
          }
        const double floor = spec.shifted ? 1e-10 : 1e-32;
        p.y = {std::max(floor, std::pow(10.0, std::floor(std::log10(bottom)))),
               std::pow(10.0, std::ceil(std::log10(top)) + 0.01), spec.shifted ? "R − R*" : "R",
               gdcert::axis_scale::log10};
        p.title = format("%s: %s (%zu rises)", spec.shifted ? "shifted loss" : "loss",
                         c.monotone() ? "monotone" : "non-monotone", c.rises);
        p.series = {{k, a, gdcert::series_colour(2), gdcert::series_style::line, 1.5,
                     spec.shifted ? "shifted loss R − R* (Figs 11-12)" : "loss R(X_k, Y_k)"}};
      } else {
        std::vector<double> sk, sv;
        double top = 2 / c.h;
        for (std::size_t i = 0; i < c.t.sharp_k.size(); ++i)
          if (std::isfinite(c.t.sharp[i])) {
            sk.push_back(c.t.sharp_k[i]);
            sv.push_back(c.t.sharp[i]);
            top = std::max(top, c.t.sharp[i]);
          }
        p.y = diverged ? gdcert::plot_axis{1, 10 * top, "λ_max", gdcert::axis_scale::log10}
                       : gdcert::plot_axis{0, 1.1 * top, "λ_max"};
        p.title = format("sharpness: end λh/2 = %.3g", c.sharpness_final * c.h / 2);
        p.series = {{sk, sv, gdcert::series_colour(3), gdcert::series_style::line, 1.5,
                     "sharpness λ_max(∇²R(X_k, Y_k))"}};
        p.references = {{2 / c.h, red, "2/h"}};
      }
      figure.panels.push_back(std::move(p));
    }
  gdcert::write_plot(run.output_file(stem + ".png"), figure,
                     gdcert::provenance(origin).note(
                         "rows: |X_k|_F and |Y_k|_F, loss (log10), sharpness with 2/h dashed; "
                         "columns: h = h0 … (the paper's order); the norm and sharpness rows show "
                         "k up to twice the settling step, the loss row the whole run"));
}

} // namespace

int main(int argc, char** argv) {
  gdcert::examples::reproduction run(
      "matrix_balancing",
      "Wang et al. App. A, Figs 8-14: large h up to the stability limit converges and balances");
  std::uint64_t seed = 20220208;
  run.option("--seed", seed, "seed of the targets, measurements and initializations");
  run.parse(argc, argv);

  settings s{};
  s.criteria.max_steps = 200000;
  s.criteria.step_tolerance = 1e-10;
  s.criteria.distance_tolerance = 1e-8;
  s.step_up = 1.1;
  s.relative_width = run.choose(1e-3, 1e-2);
  s.sharpness_samples = run.choose(150, 20);
  s.scan_points = run.choose(21, 0);
  const int draws = run.choose(30, 3);

  const std::vector<int> sevenths{7, 6, 5, 4, 3, 2}, fifths{5, 4, 3, 2};
  std::mt19937_64 target_rng(seed);
  const Eigen::MatrixXd small_target = gaussian_matrix(target_rng, 6, 6);
  const Eigen::MatrixXd large_target = gaussian_matrix(target_rng, 100, 100);
  std::vector<figure_result> figures;
  const auto factorization_figure = [&](const figure_spec& spec, const Eigen::MatrixXd& target,
                                        Eigen::Index r) {
    std::mt19937_64 rng(seed + std::uint64_t(spec.number));
    const auto draw = [&] {
      gdcert::matrix_factorization::state<double> x0;
      x0.A = random_with_norm(rng, target.cols(), r, spec.y0_norm); // the paper's Y
      x0.B = random_with_norm(rng, target.rows(), r, spec.x0_norm); // the paper's X
      return x0;
    };
    return reproduce(
        spec, [&](double h) { return gdcert::matrix_factorization(h, target, r); }, draw, s);
  };
  const std::string over = "6 × 6 Gaussian A, X, Y ∈ ℝ^(6×100)";
  const std::string under = "100 × 100 Gaussian A, X, Y ∈ ℝ^(100×3)";
  for (const auto& [number, norm] : {std::pair{8, 9.0}, {9, 19.0}, {10, 99.0}}) {
    figures.push_back(factorization_figure(
        {number, over, norm, 1.0, sevenths, 7, 1, {1, 2, 3}, true, false, draws}, small_target,
        100));
    print_figure(figures.back());
  }
  for (const auto& [number, norm] : {std::pair{11, 9.0}, {12, 19.0}}) {
    if (run.quick() && number == 12)
      continue;
    figures.push_back(factorization_figure(
        {number, under, norm, 1.0, sevenths, 7, 0, {1, 2, 3}, true, true, 1}, large_target, 3));
    print_figure(figures.back());
  }
  {
    const figure_spec spec{13,
                           "sensing, m = 10 Gaussian A_i ∈ ℝ^(100×100), b_i ~ U[0, 1], X, Y ∈ "
                           "ℝ^(100×6)",
                           9.0,
                           1.0,
                           fifths,
                           5,
                           0,
                           {},
                           false,
                           false,
                           1};
    std::mt19937_64 rng(seed + 13);
    const auto draw = [&] {
      return gdcert::matrix_sensing::state<double>{random_with_norm(rng, 100, 6, spec.x0_norm),
                                                   random_with_norm(rng, 100, 6, spec.y0_norm)};
    };
    figures.push_back(reproduce(
        spec,
        [&](double h) {
          return interpolating_sensing(gdcert::matrix_sensing::wang_figure13(h, seed));
        },
        draw, s));
    print_figure(figures.back());
  }
  {
    const figure_spec spec{14,     "completion, rank-2 A ∈ ℝ^(10×10), density 0.6, X, Y ∈ ℝ^(10×2)",
                           9.0,    1.0,
                           fifths, 5,
                           0,      {},
                           false,  false,
                           1};
    std::mt19937_64 rng(seed + 14);
    const auto draw = [&] {
      return gdcert::matrix_completion::state<double>{random_with_norm(rng, 10, 2, spec.x0_norm),
                                                      random_with_norm(rng, 10, 2, spec.y0_norm)};
    };
    figures.push_back(reproduce(
        spec, [&](double h) { return gdcert::matrix_completion::wang_figure14(h, seed); }, draw,
        s));
    print_figure(figures.back());
  }

  std::printf("\n");
  for (const figure_result& f : figures)
    judge(run, f);

  gdcert::provenance common = run.origin();
  common.parameter("converges", "gdcert::classify labels the run minimizer within max_steps")
      .parameter("max_steps", static_cast<long>(s.criteria.max_steps))
      .tolerance("step", s.criteria.step_tolerance)
      .tolerance("distance (loss gap, gradient norm)", s.criteria.distance_tolerance)
      .parameter("search", format("from 2/lambda0, h x %.2f until GD fails, then bisection to a "
                                  "relative width %.0e",
                                  s.step_up, s.relative_width))
      .with_seed(seed);
  std::vector<std::uint64_t> numbers, draw_index, columns, steps;
  std::vector<double> lambda0, h_max, h_fail, h, x_final, y_final, loss_final, sharp_final;
  std::vector<std::string> outcomes;
  std::vector<std::uint64_t> rises;
  for (const figure_result& f : figures) {
    if (f.draws[0].found())
      write_figure(run, f, common);
    for (std::size_t i = 0; i < f.draws.size(); ++i)
      for (std::size_t j = 0; j < f.draws[i].columns.size(); ++j) {
        const draw_result& d = f.draws[i];
        const column_result& c = d.columns[j];
        numbers.push_back(std::uint64_t(f.spec.number));
        draw_index.push_back(i);
        columns.push_back(j + 1);
        lambda0.push_back(d.lambda0);
        h_max.push_back(d.h_max);
        h_fail.push_back(d.h_fail);
        h.push_back(c.h);
        outcomes.push_back(label_text(c));
        steps.push_back(c.steps);
        x_final.push_back(c.x_final);
        y_final.push_back(c.y_final);
        loss_final.push_back(c.final_loss);
        sharp_final.push_back(c.sharpness_final);
        rises.push_back(c.rises);
      }
  }
  gdcert::csv_table summary;
  summary.add_column("figure", numbers)
      .add_column("draw", draw_index)
      .add_column("column", columns)
      .add_column("lambda0", lambda0)
      .add_column("h_max", h_max)
      .add_column("h_fail", h_fail)
      .add_column("h", h)
      .add_column("outcome", outcomes)
      .add_column("steps", steps)
      .add_column("x_norm", x_final)
      .add_column("y_norm", y_final)
      .add_column("loss", loss_final)
      .add_column("sharpness", sharp_final)
      .add_column("loss_rises", rises);
  gdcert::write_csv(run.output_file("matrix_balancing_summary.csv"), summary,
                    gdcert::provenance(common).note("one row per (figure, draw, column); draw 0 "
                                                    "is pictured; norms, loss and sharpness at "
                                                    "the last state"));
  return run.finish();
}
