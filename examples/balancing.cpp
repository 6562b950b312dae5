// Balancing effect of large step sizes (Wang et al., Theorems 3.1-3.2): GD with the largest admissible h converges to a minimizer with ‖x‖² + ‖y‖² <= 2/h.
//
// Reproduces [W Thm 3.1-3.2] (docs/formulas.md §6): minimize ½(μ − xᵀy)² over x, y ∈ ℝ^d by GD
// with learning rate h, x' = x + h(μ − xᵀy)y, y' = y + h(μ − xᵀy)x — in gdcert the ℓ2-regularized
// problem without ridge, regularized_factorization(h, d, μ, 0) [LM 4] with (u, v) = (x, y) and
// target y = μ. For h <= min{4/(‖x₀‖² + ‖y₀‖² + 4μ), 1/(3μ)} (gdcert::balancing_step_bound) and
// almost every (x₀, y₀), GD converges to a global minimizer (xᵀy = μ) [Thm 3.1] with
// ‖x‖² + ‖y‖² <= 2/h, hence ‖x − y‖² <= 2/h − 2μ [Thm 3.2].
// Setting: μ = 1, d = 10 (their Figure 2); x₀, y₀ in uniformly random directions with norms drawn
// log-uniformly from [0.05, 20] each, so both regimes of the bound occur (‖x₀‖² + ‖y₀‖² above 8μ:
// h = 4/(‖x₀‖² + ‖y₀‖² + 4μ), highly unbalanced starts included; below: h = 1/(3μ)); each run uses
// the largest admissible h, the bound itself. 1000 initializations (200 with --quick).
// Claims checked, one PASS/FAIL line each, computed from the runs:
//   * every run converges to a global minimizer (gdcert::classify: outcome "minimizer", i.e. within
//     1e−8 of {xᵀy = μ} and no longer moving) [Thm 3.1];
//   * at the limit ‖x‖² + ‖y‖² <= 2/h for every run [Thm 3.2] (a relative rounding slack of 1e−9);
//   * at the limit ‖x − y‖² <= 2/h − 2μ for every run [Thm 3.2];
//   * the bound binds: starts with ‖x₀‖² + ‖y₀‖² > 2/h exist and all end inside it (GD balances).
// Outputs (--output DIR, default "output"): balancing.png, a scatter of the normalized quantities
// (‖x‖² + ‖y‖²)/(2/h) (horizontal) and ‖x − y‖²/(2/h − 2μ) (vertical) on [0, 2]², initial points
// grey, limits blue, the bounds (value 1) dashed red: Theorem 3.2 says every blue dot lies in the
// lower-left unit square; balancing.csv, one row per run (h, norms and gaps at start and limit,
// outcome, steps).
// Usage: balancing [--output DIR] [--quick] [--seed S]

#include <gdcert/analysis/classify.hpp>
#include <gdcert/analysis/outcome.hpp>
#include <gdcert/io/csv.hpp>
#include <gdcert/io/figure.hpp>
#include <gdcert/io/provenance.hpp>
#include <gdcert/problems/regularized.hpp>
#include <gdcert/stability/critical_step.hpp>

#include "reproduction.hpp"

#include <algorithm>
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
  return run.finish();
}
