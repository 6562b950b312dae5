// The orthogonal reduction (4-6): GD on a rank-3 5×5 target equals the lifted (k+1)-dimensional run, and I_apx of the reduced system certifies the full run.
//
// Reproduces the reduction of the paper's Section 2 (docs/formulas.md §1, (4-6)): with X = LΣRᵀ,
// the rotation A ← RᵀA, B ← LᵀB turns GD on ½‖BAᵀ − X‖²_F (gdcert::matrix_factorization, rank
// r = 1) into GD on the reduced system gdcert::rank1_approximation with target diag(σ₁..σ_k, 0),
// the null-space blocks entering only through their norms (gdcert::rank1_reduction).
// Targets (5×5, rank k = 3, L and R random orthogonal from a seeded generator):
//   * general:     X = L diag(1, 0.6, 0.3, 0, 0) Rᵀ;
//   * paper's case X = L diag(1, 1, 1, 0, 0) Rᵀ, whose reduced system is the rank-1 approximation
//     problem (76) with k = 3 (up to the rounding of the SVD's singular values), certified by
//     I_apx (22) (gdcert::approximation_certificate).
// η ∈ {0.3, 0.6, 0.9}; initializations A₀, B₀ with i.i.d. N(0, s²) entries, s uniform in
// [0.2, 1.2] (so both certified and uncertified starts occur); T = 1000 steps (300 with --quick);
// 40 initializations per (target, η) (10 with --quick).
// Claims checked, one PASS/FAIL line each, computed from the runs:
//   * lift round trip: ‖lift(reduce(x₀)) − x₀‖ <= 1e−14‖x₀‖ for every initialization;
//   * trajectories match to rounding: max over t <= T of ‖lift(x̃_t) − x_t‖/‖x_t‖ <= 1e−12 for
//     every run of both targets that stays bounded (x_t the full run, x̃_t the reduced run); runs
//     that diverge (uncertified starts) are compared until they overflow and reported, since
//     the expansion amplifies rounding;
//   * certificate of the reduced system certifies the full run (paper's case): for every
//     initialization with I_apx(δ_th(η); reduce(x₀)) < 0 (Theorem 3), δ_t = δ(reduce(x_t)) (§4)
//     is non-decreasing along the full run (slack 16ε·max(1, δ_t), as classify uses), and the
//     full run converges to a global minimizer (gdcert::classify on the matrix problem: optimality
//     gap <= 1e−10).
// Outputs (--output DIR, default "output"): matrix_reduction.png, left the loss above its minimum
// of the full run (lines) and of the reduced run (dots) against t on a log scale for the first run of each η on the
// paper's target, right ‖lift(x̃_t) − x_t‖/‖x_t‖ against t (log scale, zero differences not
// drawn); matrix_reduction.csv, one row per run; matrix_reduction_traces.csv, the plotted traces.
// Usage: matrix_reduction [--output DIR] [--quick] [--seed S]

#include <gdcert/analysis/classify.hpp>
#include <gdcert/analysis/outcome.hpp>
#include <gdcert/certificates/approximation.hpp>
#include <gdcert/certificates/threshold.hpp>
#include <gdcert/io/csv.hpp>
#include <gdcert/io/figure.hpp>
#include <gdcert/io/provenance.hpp>
#include <gdcert/problems/matrix_factorization.hpp>
#include <gdcert/problems/rank1_approximation.hpp>
#include <gdcert/problems/rank1_reduction.hpp>
#include <gdcert/stability/hessian_spectrum.hpp> // classify's sharpness of the matrix problem

#include "reproduction.hpp"

#include <Eigen/QR>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using gdcert::examples::format;
using full_state = gdcert::matrix_factorization::state<double>;
using reduced_state = gdcert::rank1_approximation::state<double>;

Eigen::MatrixXd random_orthogonal(std::mt19937_64& rng, int n) {
  std::normal_distribution<double> normal;
  Eigen::MatrixXd m(n, n);
  for (Eigen::Index i = 0; i < m.size(); ++i)
    m(i) = normal(rng);
  return Eigen::HouseholderQR<Eigen::MatrixXd>(m).householderQ();
}

/// What one full/reduced pair of runs measured.
struct reduction_run {
  std::string target;
  double eta = 0, scale = 0;
  double round_trip = 0;       ///< ‖lift(reduce(x₀)) − x₀‖/‖x₀‖
  double largest_mismatch = 0; ///< max_t ‖lift(x̃_t) − x_t‖/‖x_t‖
  bool certified = false;      ///< I_apx(δ_th(η); reduce(x₀)) < 0 (paper's target only)
  double delta_initial = 0, delta_final = 0, largest_decrease = 0;
  bool monotone = true;
  gdcert::outcome label = gdcert::outcome::undecided;
  std::vector<double> full_loss, reduced_loss, mismatch; ///< traces, t = 0..T
};

/// Runs the full and reduced GD side by side from x₀ and, when a certificate is given, follows
/// δ(reduce(x_t)) along the full run.
reduction_run compare(const gdcert::matrix_factorization& problem,
                      const gdcert::rank1_reduction<double>& reduction, const full_state& x0,
                      std::size_t horizon, const gdcert::approximation_certificate* certificate) {
  reduction_run r;
  r.eta = problem.step_size();
  const auto point = reduction.reduce(x0);
  const double size0 = problem.coordinates(x0).norm();
  r.round_trip = (problem.coordinates(reduction.lift(point.state, point.null_a, point.null_b)) -
                  problem.coordinates(x0))
                     .norm() /
                 size0;
  full_state x = x0;
  reduced_state y = point.state;
  const auto& reduced = reduction.reduced_problem();
  double delta_previous = 0;
  const double minimum = problem.minimum_loss();
  for (std::size_t t = 0; t <= horizon; ++t) {
    if (t > 0)
      x = problem.step(x), y = reduced.step(y);
    const auto coordinates = problem.coordinates(x);
    const double mismatch =
        (problem.coordinates(reduction.lift(y, point.null_a, point.null_b)) - coordinates).norm() /
        coordinates.norm();
    if (std::isfinite(mismatch)) // a diverging run is compared until it overflows
      r.largest_mismatch = std::max(r.largest_mismatch, mismatch);
    // Loss above the global minimum ½(σ₂² + σ₃²) (Eckart–Young); the reduced loss equals the
    // full loss (the reduction is a rotation), so both are measured against the same minimum.
    r.full_loss.push_back(problem.optimality_gap(x));
    r.reduced_loss.push_back(reduced.loss(y) - minimum);
    r.mismatch.push_back(mismatch);
    if (certificate) {
      // δ of the full state, read through the reduction (the certificate lives on the reduced
      // coordinates).
      const double delta = certificate->state_parameter(reduction.reduce(x).state);
      if (t == 0) {
        r.certified = (*certificate)(gdcert::threshold_state_parameter(r.eta), point.state) < 0;
        r.delta_initial = delta;
        r.largest_decrease = -std::numeric_limits<double>::infinity();
      } else {
        const double slack = gdcert::monotonicity_slack_ulps *
                             std::numeric_limits<double>::epsilon() *
                             std::max(1.0, std::abs(delta_previous));
        r.largest_decrease = std::max(r.largest_decrease, delta_previous - delta);
        r.monotone = r.monotone && !(delta < delta_previous - slack);
      }
      delta_previous = r.delta_final = delta;
    }
  }
  gdcert::outcome_criteria criteria;
  criteria.max_steps = horizon;
  criteria.max_period = 1;
  criteria.distance_tolerance = 1e-10; // optimality gap, loss units
  criteria.step_tolerance = 1e-9;
  r.label = gdcert::classify(problem, x0, criteria).label;
  return r;
}

} // namespace

int main(int argc, char** argv) {
  gdcert::examples::reproduction run(
      "matrix_reduction", "Reduction (4-6): full 5x5 GD = lifted reduced GD; I_apx certifies it");
  std::uint64_t seed = 4561;
  run.option("--seed", seed, "seed of targets and initializations");
  run.parse(argc, argv);
  const std::vector<double> etas{0.3, 0.6, 0.9};
  const int runs = run.choose(40, 10);
  const std::size_t horizon = run.choose<std::size_t>(1000, 300);

  std::mt19937_64 rng(seed);
  const Eigen::MatrixXd left = random_orthogonal(rng, 5), right = random_orthogonal(rng, 5);
  Eigen::VectorXd general(5), paper(5);
  general << 1.0, 0.6, 0.3, 0, 0;
  paper << 1, 1, 1, 0, 0;
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> scale_of(0.2, 1.2);

  std::vector<reduction_run> results;
  double largest_singular_error = 0;
  for (const double eta : etas)
    for (const bool paper_case : {false, true}) {
      const Eigen::MatrixXd target =
          left * (paper_case ? paper : general).asDiagonal() * right.transpose();
      const gdcert::matrix_factorization problem(eta, target, 1);
      const gdcert::rank1_reduction<double> reduction(problem);
      // The reduced target is diag(I₃, 0) up to the SVD's rounding; I_apx is stated for the
      // exact problem (76), so the certificate is built from it.
      const gdcert::rank1_approximation exact(eta, 3);
      const gdcert::approximation_certificate certificate(exact);
      if (paper_case)
        largest_singular_error =
            std::max(largest_singular_error,
                     (reduction.reduced_problem().singular_values().array() - 1).abs().maxCoeff());
      for (int k = 0; k < runs; ++k) {
        const double s = scale_of(rng);
        full_state x0{Eigen::MatrixXd(5, 1), Eigen::MatrixXd(5, 1)};
        for (int i = 0; i < 5; ++i)
          x0.A(i, 0) = s * normal(rng), x0.B(i, 0) = s * normal(rng);
        reduction_run r =
            compare(problem, reduction, x0, horizon, paper_case ? &certificate : nullptr);
        r.target = paper_case ? "paper" : "general";
        r.scale = s;
        results.push_back(std::move(r));
      }
    }

  // Verdicts.
  double worst_round_trip = 0, worst_mismatch = 0, worst_diverging = 0, worst_decrease = -1;
  long diverging = 0;
  long certified = 0, certified_monotone = 0, certified_converged = 0, uncertified_converged = 0,
       uncertified = 0;
  for (const reduction_run& r : results) {
    worst_round_trip = std::max(worst_round_trip, r.round_trip);
    if (r.label == gdcert::outcome::diverged) // rounding amplified by the expansion: reported
      worst_diverging = std::max(worst_diverging, r.largest_mismatch), ++diverging;
    else
      worst_mismatch = std::max(worst_mismatch, r.largest_mismatch);
    if (r.target != "paper")
      continue;
    if (r.certified) {
      ++certified;
      certified_monotone += r.monotone;
      certified_converged += r.label == gdcert::outcome::minimizer;
      worst_decrease = std::max(worst_decrease, r.largest_decrease);
    } else {
      ++uncertified;
      uncertified_converged += r.label == gdcert::outcome::minimizer;
    }
  }
  const long total = static_cast<long>(results.size());
  run.verdict(worst_round_trip <= 1e-14, "lift(reduce(x0)) = x0 (4-6)",
              format("max relative error %.2e over %ld initializations", worst_round_trip, total));
  run.verdict(worst_mismatch <= 1e-12,
              format("full GD = lifted reduced GD to rounding over %zu steps, both targets "
                     "(runs that stay bounded)",
                     horizon),
              format("max relative mismatch %.2e over %ld runs; %ld diverging runs: %.2e until "
                     "overflow",
                     worst_mismatch, total - diverging, diverging, worst_diverging));
  run.verdict(certified > 0 && certified_monotone == certified,
              "delta(reduce(x_t)) non-decreasing along every certified full run (Prop. 2, 3)",
              format("%ld of %ld certified runs, largest decrease %.2e; reduced singular values "
                     "|s - 1| <= %.1e",
                     certified_monotone, certified, worst_decrease, largest_singular_error));
  run.verdict(certified > 0 && certified_converged == certified,
              "every certified full run converges to a global minimizer (Theorem 3)",
              format("%ld of %ld certified; uncertified: %ld of %ld converged", certified_converged,
                     certified, uncertified_converged, uncertified));

  // Data.
  gdcert::provenance origin = run.origin();
  origin.parameter("eta", "0.3 0.6 0.9")
      .parameter("runs per (target, eta)", runs)
      .parameter("T", horizon)
      .parameter("targets", "L diag(1, 0.6, 0.3, 0, 0) R^T (general), L diag(1, 1, 1, 0, 0) R^T "
                            "(paper), L, R random orthogonal 5x5")
      .parameter("initialization", "A0, B0 entries N(0, s^2), s uniform in [0.2, 1.2]")
      .tolerance("optimality gap", 1e-10)
      .with_seed(seed);
  {
    std::vector<std::string> target, label;
    std::vector<double> eta, scale, round_trip, mismatch, delta0, deltaT, decrease;
    std::vector<std::int64_t> certified_column, monotone_column;
    for (const reduction_run& r : results) {
      target.push_back(r.target), eta.push_back(r.eta), scale.push_back(r.scale);
      round_trip.push_back(r.round_trip), mismatch.push_back(r.largest_mismatch);
      certified_column.push_back(r.certified), monotone_column.push_back(r.monotone);
      delta0.push_back(r.delta_initial), deltaT.push_back(r.delta_final);
      decrease.push_back(r.largest_decrease);
      label.emplace_back(gdcert::to_string(r.label));
    }
    gdcert::csv_table table;
    table.add_column("target", target)
        .add_column("eta", eta)
        .add_column("scale", scale)
        .add_column("round_trip", round_trip)
        .add_column("max_mismatch", mismatch)
        .add_column("certified", certified_column)
        .add_column("delta_0", delta0)
        .add_column("delta_T", deltaT)
        .add_column("largest_decrease", decrease)
        .add_column("delta_monotone", monotone_column)
        .add_column("outcome", label);
    gdcert::write_csv(run.output_file("matrix_reduction.csv"), table, origin);
  }

  // The first paper-target run of each η: traces and picture.
  std::vector<const reduction_run*> shown;
  for (const double eta : etas)
    for (const reduction_run& r : results)
      if (r.target == "paper" && r.eta == eta) {
        shown.push_back(&r);
        break;
      }
  {
    std::vector<double> eta, full_loss, reduced_loss, mismatch;
    std::vector<std::int64_t> t_column;
    for (const reduction_run* r : shown)
      for (std::size_t t = 0; t <= horizon; ++t) {
        eta.push_back(r->eta), t_column.push_back(static_cast<std::int64_t>(t));
        full_loss.push_back(r->full_loss[t]), reduced_loss.push_back(r->reduced_loss[t]);
        mismatch.push_back(r->mismatch[t]);
      }
    gdcert::csv_table table;
    table.add_column("eta", eta)
        .add_column("t", t_column)
        .add_column("full_loss_gap", full_loss)
        .add_column("reduced_loss_gap", reduced_loss)
        .add_column("relative_mismatch", mismatch);
    gdcert::write_csv(run.output_file("matrix_reduction_traces.csv"), table, origin);
  }
  std::vector<double> steps(horizon + 1);
  for (std::size_t t = 0; t <= horizon; ++t)
    steps[t] = static_cast<double>(t);
  gdcert::plot figure;
  figure.title = "Reduction (4-6): full 5 × 5 rank-3 GD and the lifted reduced GD";
  figure.columns = 2;
  figure.panel_size = 460;
  figure.panel_height = 320;
  gdcert::plot_panel losses, mismatch;
  losses.x = mismatch.x = {0, static_cast<double>(horizon), "step t"};
  losses.y = {1e-17, 1e2, "loss − minimum loss", gdcert::axis_scale::log10};
  losses.title = "loss gap: full run (lines), reduced run (dots)";
  mismatch.y = {1e-18, 1e-10, "|lift(reduced_t) − full_t| / |full_t|", gdcert::axis_scale::log10};
  mismatch.title = "relative mismatch of the lifted reduced run (dots)";
  for (std::size_t k = 0; k < shown.size(); ++k) {
    const auto colour = gdcert::series_colour(k);
    losses.series.push_back({steps, shown[k]->full_loss, colour, gdcert::series_style::line, 1.5,
                             format("η = %.1f", shown[k]->eta)});
    mismatch.series.push_back(
        {steps, shown[k]->mismatch, colour, gdcert::series_style::markers, 2, ""});
  }
  for (const reduction_run* r : shown) { // every 10th reduced loss as a dot, over the lines
    std::vector<double> sparse_steps, sparse_loss;
    for (std::size_t t = 0; t <= horizon; t += 10)
      sparse_steps.push_back(steps[t]), sparse_loss.push_back(r->reduced_loss[t]);
    losses.series.push_back({std::move(sparse_steps),
                             std::move(sparse_loss),
                             {0, 0, 0},
                             gdcert::series_style::markers,
                             3,
                             "reduced run, every 10th step"});
  }
  figure.panels = {std::move(losses), std::move(mismatch)};
  gdcert::provenance picture_origin = origin;
  picture_origin.note("left: loss minus minimum loss of the full run (lines; eta = 0.3 blue, 0.6 "
                      "orange, 0.9 green) "
                      "and of the reduced run (black dots, every 10th step) vs t, log scale "
                      "[1e-17, 1e2]; right: |lift(reduced_t) - full_t|/|full_t| vs t, log scale "
                      "[1e-18, 1e-10]; paper's target L diag(1,1,1,0,0) R^T");
  gdcert::write_plot(run.output_file("matrix_reduction.png"), figure, picture_origin);
  return run.finish();
}
