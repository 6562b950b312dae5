// Balancing effect of large step sizes (Wang et al., Theorems 3.1-3.2, Figure 2, App. A.1): GD with the largest admissible h converges to a minimizer with ‖x‖² + ‖y‖² <= 2/h.
//
// Reproduces [W Thm 3.1-3.2] (docs/formulas.md §6): minimize ½(μ − xᵀy)² over x, y ∈ ℝ^d by GD
// with learning rate h, x' = x + h(μ − xᵀy)y, y' = y + h(μ − xᵀy)x — in gdcert the ℓ2-regularized
// problem without ridge, regularized_factorization(h, d, μ, 0) [LM 4] with (u, v) = (x, y) and
// target y = μ. For h <= min{4/(‖x₀‖² + ‖y₀‖² + 4μ), 1/(3μ)} (gdcert::balancing_step_bound) and
// almost every (x₀, y₀), GD converges to a global minimizer (xᵀy = μ) [Thm 3.1] with
// ‖x‖² + ‖y‖² <= 2/h, hence ‖x − y‖² <= 2/h − 2μ [Thm 3.2]. μ = 1, d = 10 throughout. A run
// "converges" when gdcert::classify labels it minimizer (within 1e−8 of {xᵀy = μ}, steps below
// 1e−12); its limit is the state where it arrived. The paper states no iteration counts (its
// figures are pictures): every run here goes to its limit.
// Three parts:
//   1. The example's own sweep of Theorem 3.2: x₀, y₀ in uniformly random directions with norms
//      drawn log-uniformly from [0.05, 20] each, so both regimes of the bound occur (‖x₀‖² + ‖y₀‖²
//      above 8μ: h = 4/(‖x₀‖² + ‖y₀‖² + 4μ), highly unbalanced starts included; below:
//      h = 1/(3μ)); each run uses the largest admissible h. 1000 initializations (200 with
//      --quick).
//   2. [W Fig. 2], the paper's protocol: x₀, y₀ ∈ ℝ¹⁰ in uniformly random directions (normalized
//      Gaussians; the paper says "uniformly randomized") with ‖x₀‖ = 18, ‖y₀‖ = 0.09, and
//      h = 4/(‖x₀‖² + ‖y₀‖² + 4) ≈ 0.0122; one draw from a fixed seed (20220202). The paper
//      reports ‖x_k − y_k‖ going from 17.9986 to 0.0154 and calls it "an almost perfect balancing
//      case". To tell how typical that is, the same setup is drawn 20 000 times (5000 with
//      --quick; seed 20220203) and the final ‖x − y‖ tallied; the first draw that ends at or
//      below 0.0154 is drawn next to the fixed-seed one.
//   3. [W App. A.1, Figs 5-7], the paper's protocol: (‖x₀‖, ‖y₀‖) ∈ {(9, 1), (19, 1), (99, 1)},
//      h = h₀, 6/7 h₀, …, 2/7 h₀ with h₀ = 4/(‖x₀‖² + ‖y₀‖² + 8) as printed (for μ = 1 this is
//      below the bound of Thm 3.1); the paper does not give d or μ for these figures: d = 10 and
//      μ = 1 as in Fig. 2. The claims are checked on 200 draws per row (50 with --quick; seed
//      20220205), draw 0 is drawn. The paper's L, "the local Lipschitz constant of gradient near
//      the initial condition", is taken as L = λ_max(∇²f(x₀, y₀)), computed.
//      App. A's later figures, Figs 8-14 (matrix factorization with 6 × 6 and 100 × 100 Gaussian
//      A, matrix sensing and completion), are reproduced by examples/matrix_balancing.cpp, which
//      turns the paper's h₀ "near the stability limit" into a measured stability limit.
// Claims checked, one PASS/FAIL line each, computed from the runs:
//   * (1) every run converges to a global minimizer [Thm 3.1]; at the limit ‖x‖² + ‖y‖² <= 2/h
//     and ‖x − y‖² <= 2/h − 2μ for every run [Thm 3.2] (a relative rounding slack of 1e−9); the
//     bound binds: starts with ‖x₀‖² + ‖y₀‖² > 2/h exist and all end inside it (GD balances).
//   * (2) the Fig. 2 run converges and ends with ‖x − y‖² <= 2/h − 2μ; initial and final ‖x − y‖
//     are printed next to the published 17.9986 → 0.0154; near-perfect balancing occurs (some of
//     the draws end at or below 0.0154), with its frequency and the median final ‖x − y‖ printed.
//   * (3) all 18 runs of each draw converge; with h < 2/L (the small steps) ‖x‖² − ‖y‖² changes by
//     less than 5 %, with h >= 5/7 h₀ it ends below half its start ("balancing only for large
//     h"); the median limit |‖x‖² − ‖y‖²| over the draws grows as h shrinks from 6/7 h₀ to 2/7 h₀
//     ("larger learning rate leads to smaller gap"; measured discrepancy: at h₀ itself the median
//     gap is larger than at 6/7 h₀ for ‖x₀‖ = 9 and 19, the rows where that holds are printed);
//     the loss is non-monotone exactly when h > 2/L (the two-phase pattern). Which columns have
//     h > 2/L is printed: the paper says the left three, measured are the left four.
// Outputs (--output DIR, default "output"): balancing.png, a scatter of the normalized quantities
// (‖x‖² + ‖y‖²)/(2/h) (horizontal) and ‖x − y‖²/(2/h − 2μ) (vertical) on [0, 2]², initial points
// grey, limits blue, the bounds (value 1) dashed red: Theorem 3.2 says every blue dot lies in the
// lower-left unit square; balancing.csv, one row per run (h, norms and gaps at start and limit,
// outcome, steps); balancing_fig2.png, ‖x_k‖, ‖y_k‖ and ‖x_k − y_k‖ against k (log10 axis) for the
// fixed-seed Fig. 2 run and the first near-perfect draw, the bound √(2/h − 2μ) dashed;
// balancing_fig2.csv, those two trajectories; balancing_appendix_a.png, Figs 5-7 as one figure:
// per row (‖x₀‖, ‖y₀‖) the norms ‖x_k‖, ‖y_k‖ and below them the loss (log10) against k <= 150, one
// column per h; balancing_appendix_a.csv, one row per (draw, row, column) run.
// Usage: balancing [--output DIR] [--quick] [--seed S]

#include <gdcert/analysis/classify.hpp>
#include <gdcert/analysis/outcome.hpp>
#include <gdcert/io/csv.hpp>
#include <gdcert/io/figure.hpp>
#include <gdcert/io/provenance.hpp>
#include <gdcert/problems/regularized.hpp>
#include <gdcert/stability/critical_step.hpp>

#include <Eigen/Eigenvalues>

#include "reproduction.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace {

using gdcert::examples::format;
using state = gdcert::regularized_factorization::state<double>;

/// A vector of dimension d in a uniformly random direction with the given norm.
Eigen::VectorXd random_vector(std::mt19937_64& rng, Eigen::Index d, double norm) {
  std::normal_distribution<double> normal;
  Eigen::VectorXd v(d);
  for (Eigen::Index i = 0; i < d; ++i)
    v(i) = normal(rng);
  return norm * v / v.norm();
}

struct balancing_run {
  double h;
  double start_total, start_gap; ///< ‖x₀‖² + ‖y₀‖², ‖x₀ − y₀‖²
  double total, gap;             ///< at the limit
  gdcert::outcome label;
  std::size_t steps;
};

/// ‖x_k‖, ‖y_k‖, ‖x_k − y_k‖ and the loss along k = 0 … steps.
struct trajectory {
  std::vector<double> k, x_norm, y_norm, gap, loss;
};

trajectory record(const gdcert::regularized_factorization& problem, state x, std::size_t steps) {
  trajectory t;
  for (std::size_t k = 0; k <= steps; ++k, x = problem.step(x)) {
    t.k.push_back(static_cast<double>(k));
    t.x_norm.push_back(x.u.norm());
    t.y_norm.push_back(x.v.norm());
    t.gap.push_back((x.u - x.v).norm());
    t.loss.push_back(problem.loss(x));
  }
  return t;
}

/// Whether the loss never rises along the trajectory (an increase below 1e−24, at rounding level
/// near the limit, does not count).
bool loss_monotone(const trajectory& t) {
  for (std::size_t k = 1; k < t.loss.size(); ++k)
    if (t.loss[k] > t.loss[k - 1] && t.loss[k] > 1e-24)
      return false;
  return true;
}

/// One App. A.1 run: draw, row (‖x₀‖), column (h = (7 − column)/7 · h₀).
struct appendix_run {
  int draw, row, column;
  double h, lipschitz, start_imbalance, limit_imbalance; ///< imbalance ‖x‖² − ‖y‖²
  bool monotone;
  gdcert::outcome label;
  std::size_t steps;
};

double median(std::vector<double> values) {
  if (values.empty())
    return std::nan("");
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

} // namespace

int main(int argc, char** argv) {
  gdcert::examples::reproduction run(
      "balancing", "Wang et al. Thm 3.1-3.2: largest admissible h converges and balances");
  std::uint64_t seed = 20220915;
  run.option("--seed", seed, "seed of the initializations");
  run.parse(argc, argv);
  const double mu = 1;
  const Eigen::Index d = 10;
  const int runs = run.choose(1000, 200);

  gdcert::outcome_criteria criteria;
  criteria.max_steps = 1'000'000;
  criteria.distance_tolerance = 1e-8;
  criteria.step_tolerance = 1e-12;
  criteria.max_period = 1; // a minimizer or nothing: [Thm 3.1] excludes cycles
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> log_norm(std::log(0.05), std::log(20.0));
  std::vector<balancing_run> results;
  for (int r = 0; r < runs; ++r) {
    const state x0{random_vector(rng, d, std::exp(log_norm(rng))),
                   random_vector(rng, d, std::exp(log_norm(rng)))};
    const double h = gdcert::balancing_step_bound(x0.u, x0.v, mu); // the largest admissible h
    const gdcert::regularized_factorization problem(h, d, mu, 0);
    const auto outcome = gdcert::classify(problem, x0, criteria);
    const state& x = outcome.final_state;
    results.push_back({h, x0.u.squaredNorm() + x0.v.squaredNorm(), (x0.u - x0.v).squaredNorm(),
                       x.u.squaredNorm() + x.v.squaredNorm(), (x.u - x.v).squaredNorm(),
                       outcome.label, outcome.steps});
  }

  // Verdicts.
  const double slack = 1e-9;
  long converged = 0, norm_held = 0, gap_held = 0, binding = 0, binding_held = 0;
  double worst_norm = 0, worst_gap = 0;
  std::size_t longest = 0;
  for (const balancing_run& b : results) {
    const double norm_ratio = b.total / (2 / b.h), gap_ratio = b.gap / (2 / b.h - 2 * mu);
    converged += b.label == gdcert::outcome::minimizer;
    norm_held += norm_ratio <= 1 + slack;
    gap_held += gap_ratio <= 1 + slack;
    worst_norm = std::max(worst_norm, norm_ratio);
    worst_gap = std::max(worst_gap, gap_ratio);
    longest = std::max(longest, b.steps);
    if (b.start_total > 2 / b.h) {
      ++binding;
      binding_held += norm_ratio <= 1 + slack;
    }
  }
  run.verdict(converged == runs, "GD with h = the bound of Thm 3.1 converges to a global minimizer",
              format("%ld of %d minimizers, at most %zu steps", converged, runs, longest));
  run.verdict(norm_held == runs, "at the limit |x|^2 + |y|^2 <= 2/h (Thm 3.2)",
              format("%ld of %d, max h(|x|^2 + |y|^2)/2 = %.6f", norm_held, runs, worst_norm));
  run.verdict(gap_held == runs, "at the limit |x - y|^2 <= 2/h - 2mu (Thm 3.2)",
              format("%ld of %d, max |x - y|^2/(2/h - 2mu) = %.6f", gap_held, runs, worst_gap));
  run.verdict(binding > 0 && binding_held == binding,
              "starts outside |x|^2 + |y|^2 <= 2/h end inside it (balancing)",
              format("%ld starts outside, %ld end inside", binding, binding_held));

  // Data.
  gdcert::provenance origin = run.origin();
  origin.parameter("mu", mu)
      .parameter("d", static_cast<long>(d))
      .parameter("runs", runs)
      .parameter("initialization", "x0, y0 uniform directions, norms log-uniform in [0.05, 20]")
      .parameter("h", "balancing_step_bound(x0, y0, mu) = min{4/(|x0|^2+|y0|^2+4mu), 1/(3mu)}")
      .tolerance("distance to minimizers", criteria.distance_tolerance)
      .tolerance("step", criteria.step_tolerance)
      .tolerance("bound slack (relative)", slack)
      .with_seed(seed);
  std::vector<double> h, start_total, start_gap, total, gap;
  std::vector<std::string> label;
  std::vector<std::uint64_t> steps;
  for (const balancing_run& b : results) {
    h.push_back(b.h), start_total.push_back(b.start_total), start_gap.push_back(b.start_gap);
    total.push_back(b.total), gap.push_back(b.gap);
    label.emplace_back(gdcert::to_string(b.label));
    steps.push_back(b.steps);
  }
  gdcert::csv_table table;
  table.add_column("h", h)
      .add_column("start_norm2", start_total)
      .add_column("start_gap2", start_gap)
      .add_column("limit_norm2", total)
      .add_column("limit_gap2", gap)
      .add_column("outcome", label)
      .add_column("steps", steps);
  gdcert::write_csv(run.output_file("balancing.csv"), table, origin);

  // Picture: normalized scatter, starts grey, limits blue, bounds dashed red.
  gdcert::plot_series starts{
      {}, {}, {170, 170, 170}, gdcert::series_style::markers, 3, "initializations (x0, y0)"};
  gdcert::plot_series limits{
      {}, {}, {0, 90, 170}, gdcert::series_style::markers, 3, "limits of GD"};
  for (const balancing_run& b : results) {
    starts.x.push_back(b.start_total * b.h / 2);
    starts.y.push_back(b.start_gap / (2 / b.h - 2 * mu));
    limits.x.push_back(b.total * b.h / 2);
    limits.y.push_back(b.gap / (2 / b.h - 2 * mu));
  }
  gdcert::plot figure;
  figure.title = "Wang et al. Thm 3.2: GD limits satisfy |x|² + |y|² <= 2/h";
  figure.panel_size = 520;
  gdcert::plot_panel panel;
  panel.x = {0, 2, "(|x|² + |y|²) / (2/h)"};
  panel.y = {0, 2, "|x − y|² / (2/h − 2μ)"};
  panel.title = format("%zu runs, μ = %g, h = balancing_step_bound(x0, y0, μ)", results.size(), mu);
  panel.series = {std::move(starts), std::move(limits)};
  panel.references = {{1, {213, 40, 0}, "bounds of Thm 3.2 (value 1)"},
                      {1, {213, 40, 0}, "bounds of Thm 3.2 (value 1)", true}};
  figure.panels.push_back(std::move(panel));
  gdcert::provenance picture_origin = origin;
  picture_origin.note("x: (|x|^2 + |y|^2)/(2/h); y: |x - y|^2/(2/h - 2mu); both on [0, 2]; grey: "
                      "initializations, blue: limits; red: the bounds of Thm 3.2 (value 1)");
  gdcert::write_plot(run.output_file("balancing.png"), figure, picture_origin);

  // 2. [W Fig. 2]: |x0| = 18, |y0| = 0.09, h = 4/(|x0|^2 + |y0|^2 + 4) (= balancing_step_bound).
  constexpr double fig2_x_norm = 18, fig2_y_norm = 0.09;
  constexpr double published_start = 17.9986, published_end = 0.0154;
  constexpr std::uint64_t fig2_seed = 20220202, fig2_draw_seed = 20220203;
  const auto fig2_draw = [&](std::mt19937_64& generator) {
    state x0{random_vector(generator, d, fig2_x_norm), random_vector(generator, d, fig2_y_norm)};
    return x0;
  };
  std::mt19937_64 fig2_rng(fig2_seed);
  const state fig2_x0 = fig2_draw(fig2_rng);
  const double fig2_h = gdcert::balancing_step_bound(fig2_x0.u, fig2_x0.v, mu);
  const gdcert::regularized_factorization fig2_problem(fig2_h, d, mu, 0);
  const auto fig2_outcome = gdcert::classify(fig2_problem, fig2_x0, criteria);
  const state& fig2_limit = fig2_outcome.final_state;
  const double fig2_start = (fig2_x0.u - fig2_x0.v).norm();
  const double fig2_end = (fig2_limit.u - fig2_limit.v).norm();
  const double fig2_bound = std::sqrt(2 / fig2_h - 2 * mu);
  run.verdict(fig2_outcome.label == gdcert::outcome::minimizer &&
                  fig2_end * fig2_end <= (2 / fig2_h - 2 * mu) * (1 + slack),
              "Fig. 2 (|x0| = 18, |y0| = 0.09, d = 10, h = 4/(|x0|^2 + |y0|^2 + 4)): GD "
              "converges and |x - y|^2 <= 2/h - 2mu at the limit",
              format("h = %.6f; |x0 - y0| = %.4f -> |x - y| = %.4f in %zu steps (published "
                     "%.4f -> %.4f); bound sqrt(2/h - 2mu) = %.3f",
                     fig2_h, fig2_start, fig2_end, fig2_outcome.steps, published_start,
                     published_end, fig2_bound));

  const int fig2_draws = run.choose(20000, 5000);
  std::mt19937_64 draw_rng(fig2_draw_seed);
  std::vector<double> draw_ends;
  long draws_converged = 0, near_perfect = 0;
  int selected = -1;
  state selected_x0;
  std::size_t selected_steps = 0;
  double selected_start = 0, selected_end = 0, selected_h = 0;
  for (int r = 0; r < fig2_draws; ++r) {
    const state x0 = fig2_draw(draw_rng);
    const double h = gdcert::balancing_step_bound(x0.u, x0.v, mu);
    const gdcert::regularized_factorization problem(h, d, mu, 0);
    const auto outcome = gdcert::classify(problem, x0, criteria);
    const double end = (outcome.final_state.u - outcome.final_state.v).norm();
    draws_converged += outcome.label == gdcert::outcome::minimizer;
    draw_ends.push_back(end);
    if (outcome.label == gdcert::outcome::minimizer && end <= published_end) {
      ++near_perfect;
      if (selected < 0) {
        selected = r, selected_x0 = x0, selected_steps = outcome.steps, selected_h = h;
        selected_start = (x0.u - x0.v).norm(), selected_end = end;
      }
    }
  }
  const auto [smallest_end, largest_end] = std::minmax_element(draw_ends.begin(), draw_ends.end());
  run.verdict(near_perfect > 0 && draws_converged == fig2_draws,
              "Fig. 2: near-perfect balancing occurs: draws of the Fig. 2 setup converge, some to "
              "|x - y| <= 0.0154 (the published value)",
              format("%ld of %d draws (%.2f %%) end at or below 0.0154, median final |x - y| = "
                     "%.3f, range [%.2g, %.3f]; %ld of %d converge; first such draw #%d: %.4f -> "
                     "%.4f in %zu steps",
                     near_perfect, fig2_draws, 100.0 * double(near_perfect) / fig2_draws,
                     median(draw_ends), *smallest_end, *largest_end, draws_converged, fig2_draws,
                     selected, selected_start, selected_end, selected_steps));

  // Fig. 2 data and picture: the fixed-seed run and the first near-perfect draw.
  struct fig2_curve {
    std::string name;
    trajectory t;
    double h;
  };
  std::vector<fig2_curve> fig2_curves{
      {format("seed %llu", static_cast<unsigned long long>(fig2_seed)),
       record(fig2_problem, fig2_x0, fig2_outcome.steps), fig2_h}};
  if (selected >= 0)
    fig2_curves.push_back({format("draw #%d, the first ending <= 0.0154", selected),
                           record(gdcert::regularized_factorization(selected_h, d, mu, 0),
                                  selected_x0, selected_steps),
                           selected_h});
  {
    std::vector<std::string> names;
    std::vector<double> ks, x_norms, y_norms, gaps, losses;
    for (const fig2_curve& c : fig2_curves)
      for (std::size_t k = 0; k < c.t.k.size(); ++k) {
        names.push_back(c.name);
        ks.push_back(c.t.k[k]), x_norms.push_back(c.t.x_norm[k]), y_norms.push_back(c.t.y_norm[k]);
        gaps.push_back(c.t.gap[k]), losses.push_back(c.t.loss[k]);
      }
    gdcert::csv_table fig2_table;
    fig2_table.add_column("run", names)
        .add_column("k", ks)
        .add_column("x_norm", x_norms)
        .add_column("y_norm", y_norms)
        .add_column("gap", gaps)
        .add_column("loss", losses);
    gdcert::provenance fig2_origin = run.origin();
    fig2_origin.parameter("mu", mu)
        .parameter("d", static_cast<long>(d))
        .parameter("initialization", "x0, y0 uniform directions, |x0| = 18, |y0| = 0.09 [W Fig. 2]")
        .parameter("h", "4/(|x0|^2 + |y0|^2 + 4mu) = balancing_step_bound(x0, y0, mu)")
        .parameter("draws", fig2_draws)
        .parameter("draw seed", static_cast<long>(fig2_draw_seed))
        .with_seed(fig2_seed)
        .note("rows: the fixed-seed run, then the first draw ending with |x - y| <= 0.0154");
    gdcert::write_csv(run.output_file("balancing_fig2.csv"), fig2_table, fig2_origin);

    gdcert::plot fig2_figure;
    fig2_figure.title =
        "Wang et al. Fig. 2: |x0| = 18, |y0| = 0.09, d = 10, h = 4/(|x0|² + |y0|² + 4)";
    fig2_figure.columns = static_cast<int>(fig2_curves.size());
    fig2_figure.panel_size = 440;
    fig2_figure.panel_height = 330;
    for (const fig2_curve& c : fig2_curves) {
      gdcert::plot_panel p;
      p.x = {0, std::max(1.0, c.t.k.back()), "iteration k"};
      p.y = {1e-3, 1e2, "norm", gdcert::axis_scale::log10};
      p.title = format("%s: |x − y| %.4f → %.4f", c.name.c_str(), c.t.gap.front(), c.t.gap.back());
      p.series = {
          {c.t.k, c.t.x_norm, gdcert::series_colour(0), gdcert::series_style::line, 2, "|x_k|"},
          {c.t.k, c.t.y_norm, gdcert::series_colour(1), gdcert::series_style::dashed, 2, "|y_k|"},
          {c.t.k, c.t.gap, gdcert::series_colour(6), gdcert::series_style::line, 2, "|x_k − y_k|"}};
      p.references = {
          {std::sqrt(2 / c.h - 2 * mu), {213, 40, 0}, "bound √(2/h − 2μ) on |x − y| (Thm 3.2)"}};
      fig2_figure.panels.push_back(std::move(p));
    }
    gdcert::write_plot(run.output_file("balancing_fig2.png"), fig2_figure,
                       gdcert::provenance(fig2_origin)
                           .note("log10 axis; the red dashed line is Thm 3.2's bound on |x - y|"));
  }

  // 3. [W App. A.1, Figs 5-7]: (|x0|, |y0|) in {(9, 1), (19, 1), (99, 1)}, h = j/7 h0, j = 7 … 2.
  constexpr std::array<double, 3> appendix_x_norms{9, 19, 99};
  constexpr double appendix_y_norm = 1;
  constexpr int columns = 6;
  constexpr std::uint64_t appendix_seed = 20220205;
  constexpr double appendix_shown_steps = 150; // the picture's k axis (the runs go to their limit)
  const int appendix_draws = run.choose(200, 50);
  std::mt19937_64 appendix_rng(appendix_seed);
  std::vector<appendix_run> appendix;
  std::vector<trajectory> shown; // draw 0, row-major (row, column)
  for (int draw = 0; draw < appendix_draws; ++draw)
    for (int row = 0; row < 3; ++row) {
      const state x0{random_vector(appendix_rng, d, appendix_x_norms[std::size_t(row)]),
                     random_vector(appendix_rng, d, appendix_y_norm)};
      const double norms = x0.u.squaredNorm() + x0.v.squaredNorm(), h0 = 4 / (norms + 8);
      const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> spectrum(
          gdcert::regularized_factorization(h0, d, mu, 0).hessian(x0), Eigen::EigenvaluesOnly);
      const double lipschitz = spectrum.eigenvalues().maxCoeff();
      for (int column = 0; column < columns; ++column) {
        const double h = h0 * (7 - column) / 7;
        const gdcert::regularized_factorization problem(h, d, mu, 0);
        const auto outcome = gdcert::classify(problem, x0, criteria);
        const trajectory t = record(problem, x0, outcome.steps);
        const state& x = outcome.final_state;
        appendix.push_back({draw, row, column, h, lipschitz,
                            x0.u.squaredNorm() - x0.v.squaredNorm(),
                            x.u.squaredNorm() - x.v.squaredNorm(), loss_monotone(t), outcome.label,
                            outcome.steps});
        if (draw == 0)
          shown.push_back(t);
      }
    }
  long appendix_converged = 0, small_runs = 0, small_held = 0, large_runs = 0, large_held = 0;
  long pattern_held = 0;
  double worst_small = 0, worst_large = 0;
  std::array<long, columns> above_limit{}; // draws with h > 2/L, per column
  std::array<std::array<std::vector<double>, columns>, 3> limit_gaps;
  for (const appendix_run& a : appendix) {
    const bool large_step = a.h > 2 / a.lipschitz;
    const double change = std::abs(a.limit_imbalance - a.start_imbalance) / a.start_imbalance;
    const double ratio = std::abs(a.limit_imbalance) / a.start_imbalance;
    appendix_converged += a.label == gdcert::outcome::minimizer;
    above_limit[std::size_t(a.column)] += large_step;
    pattern_held += large_step != a.monotone;
    limit_gaps[std::size_t(a.row)][std::size_t(a.column)].push_back(std::abs(a.limit_imbalance));
    if (!large_step) {
      ++small_runs;
      small_held += change < 0.05;
      worst_small = std::max(worst_small, change);
    }
    if (a.column <= 2) {
      ++large_runs;
      large_held += ratio < 1;
      worst_large = std::max(worst_large, ratio);
    }
  }
  const long appendix_runs = static_cast<long>(appendix.size());
  run.verdict(appendix_converged == appendix_runs,
              "App. A.1 Figs 5-7: GD converges for |x0| in {9, 19, 99}, |y0| = 1, h = j/7 h0 "
              "(j = 7 … 2, h0 = 4/(|x0|^2 + |y0|^2 + 8))",
              format("%ld of %ld runs (%d draws x 3 x 6) converge", appendix_converged,
                     appendix_runs, appendix_draws));
  run.verdict(small_runs > 0 && small_held == small_runs,
              "App. A.1: with h < 2/L the norms barely change (|x|^2 - |y|^2 changes by < 5 %)",
              format("%ld of %ld runs with h < 2/L, max relative change %.4f", small_held,
                     small_runs, worst_small));
  run.verdict(
      large_held == large_runs,
      "App. A.1: with the three largest h the gap shrinks (||x|^2 - |y|^2| ends below its "
      "start)",
      format("%ld of %ld runs, max ratio limit/start %.3f", large_held, large_runs, worst_large));
  // The median limit gap per (row, column); App. A.1 says it grows as h shrinks. Measured: it does
  // from 6/7 h0 down in every row, but h0 itself can end less balanced than 6/7 h0.
  bool ordered = true;
  std::string medians, first_column_rows;
  for (int row = 0; row < 3; ++row) {
    medians += format("%s|x0| = %g:", row ? "; " : "", appendix_x_norms[std::size_t(row)]);
    std::array<double, columns> m{};
    for (int column = 0; column < columns; ++column) {
      m[std::size_t(column)] = median(limit_gaps[std::size_t(row)][std::size_t(column)]);
      medians += format(" %.4g", m[std::size_t(column)]);
      ordered = ordered && (column < 2 || m[std::size_t(column)] > m[std::size_t(column) - 1]);
    }
    if (m[0] > m[1])
      first_column_rows +=
          format("%s%g", first_column_rows.empty() ? "" : ", ", appendix_x_norms[std::size_t(row)]);
  }
  run.verdict(ordered,
              "App. A.1: larger learning rate leads to smaller gap from 6/7 h0 down (median limit "
              "||x|^2 - |y|^2| over the draws grows as h shrinks, 6/7 h0 … 2/7 h0)",
              medians +
                  "; discrepancy at h0 (paper: the smallest gap): h0 ends less balanced "
                  "than 6/7 h0 for |x0| = " +
                  (first_column_rows.empty() ? std::string("none") : first_column_rows));
  std::string large_columns;
  for (int column = 0; column < columns; ++column)
    if (above_limit[std::size_t(column)] == appendix_draws * 3)
      large_columns += format("%s%d", large_columns.empty() ? "" : ", ", column + 1);
  std::string counts;
  for (int column = 0; column < columns; ++column)
    counts += format("%s%ld", column ? "/" : "", above_limit[std::size_t(column)]);
  run.verdict(pattern_held == appendix_runs,
              "App. A.1: the loss is non-monotone exactly when h > 2/L, L = lambda_max(Hessian at "
              "x0) (two-phase pattern)",
              format("%ld of %ld runs; h > 2/L in every draw in columns %s (runs per column %s of "
                     "%d; paper: the left three)",
                     pattern_held, appendix_runs, large_columns.c_str(), counts.c_str(),
                     appendix_draws * 3));

  {
    std::vector<double> hs, lipschitz, start_imbalance, limit_imbalance;
    std::vector<std::uint64_t> draws, rows, columns_out, steps_out, monotone;
    std::vector<std::string> labels;
    for (const appendix_run& a : appendix) {
      draws.push_back(std::uint64_t(a.draw)), rows.push_back(std::uint64_t(a.row));
      columns_out.push_back(std::uint64_t(a.column + 1));
      hs.push_back(a.h), lipschitz.push_back(a.lipschitz);
      start_imbalance.push_back(a.start_imbalance), limit_imbalance.push_back(a.limit_imbalance);
      monotone.push_back(a.monotone), labels.emplace_back(gdcert::to_string(a.label));
      steps_out.push_back(a.steps);
    }
    gdcert::csv_table appendix_table;
    appendix_table.add_column("draw", draws)
        .add_column("row", rows)
        .add_column("column", columns_out)
        .add_column("h", hs)
        .add_column("L", lipschitz)
        .add_column("start_imbalance", start_imbalance)
        .add_column("limit_imbalance", limit_imbalance)
        .add_column("loss_monotone", monotone)
        .add_column("outcome", labels)
        .add_column("steps", steps_out);
    gdcert::provenance appendix_origin = run.origin();
    appendix_origin.parameter("mu", mu)
        .parameter("d", static_cast<long>(d))
        .parameter("rows", "|x0| = 9, 19, 99 (row 0, 1, 2), |y0| = 1, uniform directions")
        .parameter("h", "(8 - column)/7 * h0, h0 = 4/(|x0|^2 + |y0|^2 + 8) [W App. A.1]")
        .parameter("L", "largest eigenvalue of the Hessian at (x0, y0)")
        .parameter("draws", appendix_draws)
        .with_seed(appendix_seed)
        .note("imbalance = |x|^2 - |y|^2");
    gdcert::write_csv(run.output_file("balancing_appendix_a.csv"), appendix_table, appendix_origin);

    gdcert::plot appendix_figure;
    appendix_figure.title =
        "Wang et al. App. A.1, Figs 5-7 (draw 0): norms and loss, h = h0 … 2/7 h0, "
        "k <= 150";
    appendix_figure.rows = 6;
    appendix_figure.columns = columns;
    appendix_figure.panel_size = 190;
    appendix_figure.panel_height = 120;
    for (int row = 0; row < 3; ++row) {
      for (int pass = 0; pass < 2; ++pass)
        for (int column = 0; column < columns; ++column) {
          const trajectory& t = shown[std::size_t(row * columns + column)];
          const appendix_run& a = appendix[std::size_t(row * columns + column)];
          gdcert::plot_panel p;
          p.x = {0, std::clamp(t.k.back(), 1.0, appendix_shown_steps), "k"};
          if (pass == 0) {
            const double top = *std::max_element(t.x_norm.begin(), t.x_norm.end());
            p.y = {0, 1.05 * top, "norm"};
            p.title = format("|x0| = %g, h = %d/7 h0%s", appendix_x_norms[std::size_t(row)],
                             7 - column, a.h > 2 / a.lipschitz ? " > 2/L" : " < 2/L");
            p.series = {
                {t.k, t.x_norm, gdcert::series_colour(0), gdcert::series_style::line, 1.5, "|x_k|"},
                {t.k, t.y_norm, gdcert::series_colour(1), gdcert::series_style::line, 1.5,
                 "|y_k|"}};
          } else {
            const double top = *std::max_element(t.loss.begin(), t.loss.end());
            p.y = {1e-24, 10 * top, "loss", gdcert::axis_scale::log10};
            p.title = format("loss, %s", a.monotone ? "monotone" : "non-monotone");
            p.series = {{t.k, t.loss, gdcert::series_colour(2), gdcert::series_style::line, 1.5,
                         "loss ½(1 − xᵀy)²"}};
          }
          appendix_figure.panels.push_back(std::move(p));
        }
    }
    gdcert::write_plot(run.output_file("balancing_appendix_a.png"), appendix_figure,
                       gdcert::provenance(appendix_origin)
                           .note("rows: |x0| = 9, 19, 99, norms then loss (log10); columns: h = "
                                 "h0, 6/7 h0, ..., 2/7 h0; draw 0; k axis cut at 150"));
  }
  return run.finish();
}
