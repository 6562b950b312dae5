// Period-2 lock-in of the full 4-D rank-1 factorization dynamics past η = 1 (paper Figure 5, App. J.2).
//
// Reproduces Figure 5 / Appendix J.2 (docs/formulas.md §8): GD (14) on X = diag(1, 0)
// (gdcert::rank1_factorization) at η ∈ {1.05, 1.15, 1.23} ⊂ (1, √5 − 1), six random
// initializations per η, T = 200 steps. As in (399-400), a0, b0 ~ N(0, 0.6²); the off-signal pair
// is u0 = v0 = 0 in runs 0-2 and u0, v0 ~ N(0, 0.6²) in runs 3-5; a draw with I_fac(η; x0) >= 0 is
// rescaled into the certified region (see `certified_rescaling`). The residual L_t = 1 − a_t b_t is
// compared with the 2-cycle {L₋, L₊} of the balanced map g_η (182).
// Claims checked, one PASS/FAIL line each, per η:
//   * the residual of every run ends on {L₋, L₊}, alternating: the pair (L_{T−1}, L_T) is within
//     tol_η of (L₋, L₊) or (L₊, L₋), and x_T is within tol_η of K₂^fac (168). The tolerance is
//     the predicted linear contraction, not a tuned number: tol_η = 2·ρ_η^{T/2}, where ρ_η is the
//     spectral radius of the monodromy D G²(x*) of the 4-D 2-cycle x* (found by Newton,
//     stability/periodic_orbit.hpp) — on K₂ it is |μ_η| = |7 − 4η − 2η²| (183) unless a transverse
//     direction is slower — and 2 is the length of [−1, 1], the range of L on K₂. It is floored at
//     1e−9 (rounding in the residual).
//   * the 4-D 2-cycle is attracting (spectral radius < 1), and its balanced multiplier equals μ_η.
// Outputs (--output DIR, default "output"): period_two.png, one panel per η (left to right) of
// L_t against t ∈ [0, T] for the six runs (one dot per step, so the cycle shows as two
// branches), with L₋ and L₊ dashed green; period_two.csv, the
// trajectories (eta, run, t, a, b, u, v, residual).
// Usage: period_two [--output DIR] [--quick] [--seed S]

#include <gdcert/analysis/iterate.hpp>
#include <gdcert/certificates/factorization.hpp>
#include <gdcert/dynamics/terminal.hpp>
#include <gdcert/io/csv.hpp>
#include <gdcert/io/figure.hpp>
#include <gdcert/io/provenance.hpp>
#include <gdcert/problems/rank1_factorization.hpp>
#include <gdcert/stability/periodic_orbit.hpp>

#include "reproduction.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace {

using gdcert::examples::format;
using state = gdcert::rank1_state<double>;

/// x0 scaled by c so that I_fac(η; c·x0) < 0: I_fac(η; c·x) = c²(I_fac(η; x) + 4 − η²) − (4 − η²)
/// by (17) (the quadratic part is 2-homogeneous), so c² = ½(4 − η²)/(I_fac(η; x0) + 4 − η²) puts
/// c·x0 halfway into the certified ellipsoid. Certified draws are kept as they are.
state certified_rescaling(const gdcert::factorization_certificate& certificate, double eta,
                          state x) {
  const double value = certificate(eta, x);
  if (value < 0)
    return x;
  const double c = std::sqrt(0.5 * (4 - eta * eta) / (value + 4 - eta * eta));
  return {c * x.a, c * x.b, c * x.u, c * x.v};
}

/// Distance of the final pair (L_{T−1}, L_T) to the 2-cycle, taking the better of the two phases.
double cycle_distance(double previous, double last, const gdcert::two_cycle& cycle) {
  return std::min(std::max(std::abs(previous - cycle.lower), std::abs(last - cycle.upper)),
                  std::max(std::abs(previous - cycle.upper), std::abs(last - cycle.lower)));
}

struct run_record {
  std::vector<state> states; ///< x_0, …, x_T
  std::vector<double> residuals;
};

} // namespace

int main(int argc, char** argv) {
  gdcert::examples::reproduction run("period_two",
                                     "Figure 5 / App. J.2: 4-D GD locks onto the 2-cycle {L-, L+}");
  std::uint64_t seed = 20240517;
  run.option("--seed", seed, "seed of the initializations");
  run.parse(argc, argv);
  // The published experiment is tiny (18 runs of 200 steps); --quick runs it unchanged.
  const std::vector<double> etas{1.05, 1.15, 1.23};
  const int runs = 6;
  const std::size_t horizon = 200;

  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 0.6); // (399-400)
  std::vector<std::vector<run_record>> records(etas.size());
  std::vector<double> column_eta, column_a, column_b, column_u, column_v, column_residual;
  std::vector<std::int64_t> column_run, column_t;

  for (std::size_t e = 0; e < etas.size(); ++e) {
    const double eta = etas[e];
    const gdcert::rank1_factorization problem(eta);
    const gdcert::factorization_certificate certificate(problem);
    const gdcert::two_cycle cycle = gdcert::balanced_two_cycle(eta);
    for (int r = 0; r < runs; ++r) {
      state x{normal(rng), normal(rng), 0.0, 0.0};
      if (r >= runs / 2)
        x.u = normal(rng), x.v = normal(rng);
      x = certified_rescaling(certificate, eta, x);
      auto states = gdcert::state_recorder<state>();
      auto residuals =
          gdcert::record_values([&certificate](const state& s) { return certificate.residual(s); });
      gdcert::iterate(problem, x, horizon, gdcert::observe_all(states, residuals));
      records[e].push_back({states.states(), residuals.values()});
      for (std::size_t t = 0; t <= horizon; ++t) {
        const state& s = states.states()[t];
        column_eta.push_back(eta), column_run.push_back(r),
            column_t.push_back(static_cast<std::int64_t>(t));
        column_a.push_back(s.a), column_b.push_back(s.b), column_u.push_back(s.u),
            column_v.push_back(s.v), column_residual.push_back(residuals.values()[t]);
      }
    }

    // The 4-D 2-cycle through the end of run 0: its spectral radius sets the tolerance.
    const auto orbit = gdcert::find_periodic_orbit(problem, records[e][0].states.back(), 2);
    const double radius = orbit.converged() ? double(orbit.spectrum.spectral_radius) : 1.0;
    const double balanced =
        orbit.converged()
            ? gdcert::directional_multiplier<double>(orbit.monodromy, Eigen::Vector4d(1, 1, 0, 0))
            : std::nan("");
    const double mu = gdcert::two_cycle_multiplier(eta);
    run.verdict(
        orbit.converged() && radius < 1 && std::abs(balanced - mu) <= 1e-8,
        format("η = %.2f: the 4-D 2-cycle is attracting, balanced multiplier = μ_η (183)", eta),
        format("spectral radius %.4f, balanced multiplier %.6f, μ_η = %.6f", radius, balanced, mu));

    const double tolerance = std::max(1e-9, 2 * std::pow(radius, horizon / 2.0));
    double worst_cycle = 0, worst_terminal = 0;
    for (const run_record& record : records[e]) {
      const auto& l = record.residuals;
      worst_cycle = std::max(worst_cycle, cycle_distance(l[horizon - 1], l[horizon], cycle));
      worst_terminal =
          std::max(worst_terminal, certificate.distance_to_terminal_set(record.states.back()));
    }
    run.verdict(
        worst_cycle <= tolerance && worst_terminal <= tolerance,
        format("η = %.2f: L_t ends alternating on {L- = %.4f, L+ = %.4f}, x_T on K2, all %d runs "
               "(tol 2ρ^(T/2) = %.1e)",
               eta, cycle.lower, cycle.upper, runs, tolerance),
        format("max |(L_T-1, L_T) - cycle| = %.2e, max dist(x_T, K2) = %.2e", worst_cycle,
               worst_terminal));
  }

  // Data.
  gdcert::provenance origin = run.origin();
  origin.parameter("eta", "1.05 1.15 1.23")
      .parameter("runs per eta", runs)
      .parameter("T", horizon)
      .parameter("initialization", "a0, b0 ~ N(0, 0.36); u0 = v0 = 0 (runs 0-2) or ~ N(0, 0.36) "
                                   "(runs 3-5); rescaled into I_fac(eta; x0) < 0")
      .with_seed(seed);
  gdcert::csv_table table;
  table.add_column("eta", column_eta)
      .add_column("run", column_run)
      .add_column("t", column_t)
      .add_column("a", column_a)
      .add_column("b", column_b)
      .add_column("u", column_u)
      .add_column("v", column_v)
      .add_column("residual", column_residual);
  gdcert::write_csv(run.output_file("period_two.csv"), table, origin);

  // Picture: one panel per η, L_t against t, the cycle dashed green.
  double lowest = -0.5, highest = 1.0;
  for (double v : column_residual)
    lowest = std::min(lowest, v), highest = std::max(highest, v);
  std::vector<double> steps(horizon + 1);
  for (std::size_t t = 0; t <= horizon; ++t)
    steps[t] = static_cast<double>(t);
  gdcert::plot figure;
  figure.title = "Figure 5 / App. J.2: 4-D GD runs lock onto the 2-cycle {L−, L+}";
  figure.columns = static_cast<int>(etas.size());
  figure.panel_size = 420;
  figure.panel_height = 300;
  for (std::size_t e = 0; e < etas.size(); ++e) {
    gdcert::plot_panel panel;
    panel.x = {0, static_cast<double>(horizon), "step t"};
    panel.y = {lowest, highest, "residual L_t = 1 − a_t b_t"};
    panel.title = format("η = %.2f", etas[e]);
    for (std::size_t r = 0; r < records[e].size(); ++r)
      panel.series.push_back(
          {steps, records[e][r].residuals, gdcert::series_colour(r), gdcert::series_style::markers,
           2.5, format("run %zu (%s)", r + 1, r < 3 ? "u0 = v0 = 0" : "u0, v0 random")});
    const auto cycle = gdcert::balanced_two_cycle(etas[e]);
    panel.references = {{cycle.lower, {0, 160, 60}, "2-cycle L−, L+ (182)"},
                        {cycle.upper, {0, 160, 60}, "2-cycle L−, L+ (182)"},
                        {0.0, {180, 180, 180}, "L = 0"}};
    figure.panels.push_back(std::move(panel));
  }
  gdcert::provenance picture_origin = origin;
  picture_origin.note("panels: eta = 1.05, 1.15, 1.23 (left to right); x: t in [0, T]; "
                      "y: residual L_t = 1 - a_t b_t; dashed green: L- and L+ (182); grey: L = 0");
  gdcert::write_plot(run.output_file("period_two.png"), figure, picture_origin);
  return run.finish();
}
