// Scalar certificate (paper Section 3.1, Theorem 1 = [LM Thm 1]): δ_t increases and {I_sc(η) < 0} is the convergence region.
//
// Reproduces Section 3.1 of the paper for scalar factorization ½(ab − 1)² (gdcert::scalar_factorization,
// GD map (8)) and its certificate I_sc(δ; a, b) = δ(a² + b²) − δ²ab + δ² − 4 (10):
//   * (a0, b0) on a 400 × 400 grid of [−4.5, 4.5]² (the window of [LM Fig. 2]; 80 × 80 with
//     --quick), η ∈ {0.2, 0.5, 0.9} (all in (0, 1), where Theorem 1 (1)-(2) applies);
//   * every grid point is run by the library's sweep engine (analysis/sweep.hpp) up to 20 000
//     steps and labelled minimizer / saddle / periodic / diverged / undecided (classify.hpp).
// Claims checked, each with a PASS/FAIL line computed from the run:
//   * Section 3.1: along certified trajectories (I_sc(η; x0) < 0) the state parameter δ_t is
//     strictly increasing: δ_{t+1} > δ_t at every step whose remainder R_t(δ_t) (12-13) is
//     resolved in long double (|R| > 1e-12); unresolved steps (converged runs) may only stall,
//     never fall by more than a few ulps. Run on up to 400 certified grid points per η.
//   * Section 3.1 / docs/formulas.md §4: δ_t = 8/Q(1; a_t, b_t) [LM 9] at every step of those
//     runs, and δ_0 > η (certified ⇔ δ(x0) > η).
//   * Theorem 1 (1)-(2) through sgn I_sc(η) = sgn(Q − 8/η): the set {I_sc(η; x0) < 0} equals the
//     empirical convergence region (outcome minimizer or saddle) except within one grid cell of
//     its boundary: zero mismatches at points whose 8-neighbourhood has no sign change of
//     I_sc(η; ·); the mismatches next to the boundary are counted and printed.
// Outputs (--output DIR, default "output"): scalar_certificate_eta<η>.png, one label map per η
// (outcome_palette: minimizer blue, saddle sky blue, periodic yellow, diverged vermillion,
// undecided black; a to the right, b upwards) with the zero contour of I_sc(η; ·) in black;
// scalar_certificate_outcomes.npy (uint8, shape (3, N, N), [η, b index, a index]) and
// scalar_certificate_overlay.npy (I_sc(η; x0), same shape), each with a .json provenance sidecar;
// scalar_certificate_delta.csv (the δ_t traces of the sampled trajectories, every step).
// Usage: scalar_certificate [--output DIR] [--quick] [--threads N]

#include <gdcert/analysis/execution.hpp>
#include <gdcert/analysis/outcome.hpp>
#include <gdcert/analysis/sweep.hpp>
#include <gdcert/certificates/liang_montufar.hpp>
#include <gdcert/certificates/scalar.hpp>
#include <gdcert/io/csv.hpp>
#include <gdcert/io/figure.hpp>
#include <gdcert/io/npy.hpp>
#include <gdcert/io/provenance.hpp>
#include <gdcert/problems/scalar.hpp>

#include "grid_fields.hpp"
#include "reproduction.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace {

using gdcert::examples::format;
using gdcert::examples::near_sign_change;

constexpr std::array<double, 3> step_sizes{0.2, 0.5, 0.9};
constexpr double extent = 4.5;                     // grid of [−4.5, 4.5]², as [LM Fig. 2]
constexpr std::size_t max_steps = 20000;           // step limit of each grid trajectory
constexpr std::size_t trace_steps = 3000;          // length of each δ_t trace
constexpr long double resolved_remainder = 1e-12L; // |R_t(δ_t)| above this: δ_{t+1} > δ_t resolved
constexpr long double identity_tolerance = 1e-14L; // relative |δ_t − 8/Q_t|

bool converged(gdcert::outcome o) {
  return o == gdcert::outcome::minimizer || o == gdcert::outcome::saddle;
}

struct agreement {
  std::size_t certified = 0, converged = 0, saddles = 0, undecided = 0;
  std::size_t mismatches = 0, near_boundary = 0, away = 0;
};

agreement compare(const gdcert::sweep_result& result) {
  agreement a;
  for (std::size_t row = 0; row < result.rows(); ++row)
    for (std::size_t column = 0; column < result.columns(); ++column) {
      const std::size_t i = result.index(column, row);
      const bool in_region = result.certified(i), ran_to_stationary = converged(result.outcomes[i]);
      a.certified += in_region;
      a.converged += ran_to_stationary;
      a.saddles += result.outcomes[i] == gdcert::outcome::saddle;
      a.undecided += result.outcomes[i] == gdcert::outcome::undecided;
      if (in_region == ran_to_stationary)
        continue;
      ++a.mismatches;
      if (near_sign_change(result.overlay, result.columns(), result.rows(), column, row))
        ++a.near_boundary;
      else
        ++a.away;
    }
  return a;
}

struct trace_summary {
  std::size_t trajectories = 0, resolved_steps = 0, violations = 0;
  long double largest_unresolved_drop = 0; // max δ_t − δ_{t+1} over unresolved steps
  long double identity_error = 0;          // max |δ_t − 8/Q_t| / δ_t
  std::size_t below_eta = 0;               // certified starts with δ_0 <= η (should be none)
};

/// δ_t along GD from certified grid points (long double), checked for strict increase where
/// R_t(δ_t) = I_sc(δ_t; x_{t+1}) (12-13) is resolved, and against 8/Q_t [LM 9].
void trace_state_parameter(const gdcert::sweep_result& result, std::size_t samples,
                           trace_summary& summary, std::vector<double>& eta_column,
                           std::vector<std::size_t>& id_column,
                           std::vector<std::size_t>& step_column,
                           std::vector<double>& delta_column) {
  const double eta = result.step_size;
  const gdcert::scalar_factorization problem(eta);
  const gdcert::scalar_certificate certificate(problem);
  std::vector<std::size_t> certified;
  for (std::size_t i = 0; i < result.size(); ++i)
    if (result.certified(i))
      certified.push_back(i);
  const std::size_t stride = std::max<std::size_t>(1, certified.size() / samples);
  for (std::size_t k = 0; k < certified.size() && k / stride < samples; k += stride) {
    const auto x0 = result.initial_point(certified[k]);
    gdcert::scalar_state<long double> x{x0(0), x0(1)};
    long double delta = certificate.state_parameter(x);
    summary.below_eta += !(delta > eta);
    ++summary.trajectories;
    for (std::size_t t = 0; t <= trace_steps; ++t) {
      const long double q = gdcert::liang_montufar_q(1.0, x.a, x.b);
      summary.identity_error = std::max(summary.identity_error, std::abs(delta - 8 / q) / delta);
      eta_column.push_back(eta);
      id_column.push_back(certified[k]);
      step_column.push_back(t);
      delta_column.push_back(double(delta));
      if (t == trace_steps)
        break;
      // At a balanced minimizer δ = 2 exactly, where R(2) = 0: nothing left to resolve.
      const long double remainder =
          double(delta) < 2 ? certificate.remainder(double(delta), x) : 0.0L;
      x = problem.step(x);
      const long double next = certificate.state_parameter(x);
      if (std::abs(remainder) > resolved_remainder) {
        ++summary.resolved_steps;
        summary.violations += !(next > delta);
      } else {
        summary.largest_unresolved_drop = std::max(summary.largest_unresolved_drop, delta - next);
      }
      delta = next;
    }
  }
}

} // namespace

int main(int argc, char** argv) {
  gdcert::examples::reproduction run(
      "scalar_certificate",
      "Section 3.1 / Theorem 1: δ_t increases, {I_sc(η) < 0} is the convergence region");
  run.parse(argc, argv);
  const std::size_t n = run.choose<std::size_t>(400, 80);
  const std::size_t samples = run.choose<std::size_t>(400, 60);

  gdcert::sweep_options options;
  options.criteria.max_steps = max_steps;
  gdcert::execution_policy policy = run.policy();

  std::vector<std::uint8_t> all_outcomes;
  std::vector<double> all_overlay;
  std::vector<double> eta_column, delta_column;
  std::vector<std::size_t> id_column, step_column;
  trace_summary traces;
  std::vector<std::pair<double, agreement>> agreements;

  std::printf("grid %zu x %zu of [-%.1f, %.1f]^2, up to %zu steps per point\n\n", n, n, extent,
              extent, max_steps);
  std::printf("%5s %10s %10s %8s %10s %11s %10s %9s\n", "eta", "certified", "converged", "saddle",
              "undecided", "mismatches", "near.bdry", "away");
  for (const double eta : step_sizes) {
    const gdcert::scalar_factorization problem(eta);
    const gdcert::scalar_certificate certificate(problem);
    const gdcert::grid_axis axis{-extent, extent, n};
    const auto plane =
        gdcert::coordinate_plane(problem, gdcert::scalar_state<double>{0, 0}, 0, axis, 1, axis);
    const auto result = gdcert::sweep<8>(problem, plane, options, policy, certificate);
    const agreement a = compare(result);
    agreements.emplace_back(eta, a);
    std::printf("%5.2f %10zu %10zu %8zu %10zu %11zu %10zu %9zu\n", eta, a.certified, a.converged,
                a.saddles, a.undecided, a.mismatches, a.near_boundary, a.away);
    trace_state_parameter(result, samples, traces, eta_column, id_column, step_column,
                          delta_column);

    // Picture: outcomes with b upwards and the zero contour of I_sc(η; ·).
    std::vector<std::uint8_t> labels(result.size());
    for (std::size_t i = 0; i < result.size(); ++i)
      labels[i] = static_cast<std::uint8_t>(result.outcomes[i]);
    all_outcomes.insert(all_outcomes.end(), labels.begin(), labels.end());
    all_overlay.insert(all_overlay.end(), result.overlay.begin(), result.overlay.end());
    constexpr auto palette = gdcert::outcome_palette();
    const int side = static_cast<int>(n);
    gdcert::image raster = gdcert::label_raster(labels, side, side, palette);
    gdcert::overlay_field_contour(raster, result.overlay, side, side, 0.0, gdcert::rgb{0, 0, 0});
    gdcert::plot figure;
    figure.title =
        format("Theorem 1: GD outcomes and the certified region {I_sc(η) < 0}, η = %.1f", eta);
    figure.panel_size = std::clamp(side, 240, 480);
    figure.panels.push_back({std::move(raster),
                             {-extent, extent, "a0"},
                             {-extent, extent, "b0"},
                             format("%zu × %zu grid, up to %zu steps", n, n, max_steps)});
    figure.legend = gdcert::outcome_legend();
    figure.legend.push_back({{0, 0, 0}, "I_sc(η; a0, b0) = 0 (10)", gdcert::legend_mark::line});
    gdcert::provenance origin = run.origin();
    origin.parameter("eta", eta)
        .parameter("grid", format("%zu x %zu of [-4.5, 4.5]^2, a right, b up", n, n))
        .parameter("max_steps", max_steps)
        .note("black: zero contour of I_sc(eta; a0, b0) (10)");
    for (int k = 0; k < gdcert::outcome_count; ++k)
      origin.parameter("colour " + std::string(gdcert::to_string(gdcert::outcome(k))),
                       format("#%02x%02x%02x", palette[k].r, palette[k].g, palette[k].b));
    gdcert::write_plot(run.output_file(format("scalar_certificate_eta%.1f.png", eta)), figure,
                       origin);
  }

  gdcert::provenance origin = run.origin();
  origin.parameter("eta", "0.2, 0.5, 0.9")
      .parameter("grid", format("%zu x %zu of [-4.5, 4.5]^2", n, n))
      .parameter("max_steps", max_steps)
      .note("axes: [eta index, b index, a index]");
  gdcert::write_npy(
      run.output_file("scalar_certificate_outcomes.npy"), all_outcomes, {step_sizes.size(), n, n},
      gdcert::provenance(origin).note("values: gdcert::outcome (0 undecided, 1 "
                                      "minimizer, 2 saddle, 3 periodic, 4 diverged)"));
  gdcert::write_npy(run.output_file("scalar_certificate_overlay.npy"), all_overlay,
                    {step_sizes.size(), n, n},
                    gdcert::provenance(origin).note("values: I_sc(eta; a0, b0) (10)"));
  gdcert::csv_table table;
  table.add_column("eta", eta_column)
      .add_column("grid_index", id_column)
      .add_column("t", step_column)
      .add_column("delta", delta_column);
  gdcert::write_csv(run.output_file("scalar_certificate_delta.csv"), table,
                    gdcert::provenance(origin).parameter("trace_steps", trace_steps));
  std::printf("\n");

  run.verdict(traces.violations == 0 && traces.resolved_steps > 0 && traces.below_eta == 0,
              "δ_t strictly increasing along certified trajectories, δ_0 > η (Section 3.1)",
              format("%zu trajectories, %zu resolved steps, %zu with δ_{t+1} <= δ_t; largest drop "
                     "on unresolved steps %.2Le; %zu starts with δ_0 <= η",
                     traces.trajectories, traces.resolved_steps, traces.violations,
                     traces.largest_unresolved_drop, traces.below_eta));
  run.verdict(traces.identity_error <= identity_tolerance,
              "δ_t = 8/Q(1; a_t, b_t) along every traced trajectory (Section 3.1, [LM 9])",
              format("max relative difference %.2Le", traces.identity_error));
  for (const auto& [eta, a] : agreements)
    run.verdict(a.away == 0 && a.certified > 0,
                format("{I_sc(%.1f; x0) < 0} = convergence region except within one grid cell of "
                       "its boundary (Theorem 1)",
                       eta),
                format("%zu mismatches of %zu points: %zu next to a sign change of I_sc, %zu away "
                       "from it; %zu certified, %zu converged (%zu to the saddle)",
                       a.mismatches, n * n, a.near_boundary, a.away, a.certified, a.converged,
                       a.saddles));
  return run.finish();
}
