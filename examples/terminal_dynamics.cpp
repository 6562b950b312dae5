// Terminal dynamics (paper App. F, docs/formulas.md §5): bifurcation diagram of g_η and the period-2 lock-in of the full 4-D map.
//
// Claims checked, each ending in a PASS/FAIL line computed from the run:
//   * the 2-cycle formula (182): g(L±) = L∓ for L± = (η − 1 ± √((η − 1)(η + 3)))/(2η), η ∈ (1, 2);
//   * its multiplier (183): g'(L₋)g'(L₊) = 7 − 4η − 2η²;
//   * the attracting window (184): the critical orbit of g_η settles on {L₋, L₊} for η inside
//     (1, √5 − 1) and not beyond it;
//   * the full 4-D rank-1 factorization map (14) at η = 1.15 converges to that 2-cycle on
//     K₂^fac from 100 random certified initializations (I_fac(η; x0) < 0, coordinates N(0, 0.6²)),
//     and the solver finds the 2-cycle there with all four multipliers inside the unit circle.
// Outputs (--output DIR, default "output"): terminal_dynamics.png, the bifurcation diagram of g_η on
// [−1, 1] for η ∈ (0, 2) with L± drawn in red, and terminal_dynamics.csv (η, L samples).
// Usage: terminal_dynamics [--output DIR] [--quick]

#include <gdcert/certificates/factorization.hpp>
#include <gdcert/dynamics/residual_map.hpp>
#include <gdcert/dynamics/terminal.hpp>
#include <gdcert/io/csv.hpp>
#include <gdcert/io/figure.hpp>
#include <gdcert/io/provenance.hpp>
#include <gdcert/problems/rank1_factorization.hpp>
#include <gdcert/stability/periodic_orbit.hpp>

#include "reproduction.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using gdcert::rgb;
using gdcert::examples::format;

/// Iterates g_η from its interior critical point (the orbit that finds every attracting cycle,
/// by the negative Schwarzian (194)); falls back to L = 0.3 where that point leaves [−1, 1].
double settle(double eta, int transient) {
  double l = gdcert::balanced_critical_points(eta)[1];
  if (l < -1 || l > 1)
    l = 0.3;
  for (int t = 0; t < transient; ++t)
    l = gdcert::balanced_residual_map(eta, l);
  return l;
}

} // namespace

int main(int argc, char** argv) {
  gdcert::examples::reproduction run("terminal_dynamics",
                                     "App. F: terminal map g_η, its 2-cycle and the 4-D lock-in");
  run.parse(argc, argv);
  const int columns = run.choose(1200, 300);
  const int transient = run.choose(4000, 1000), samples = run.choose(400, 100);

  // Bifurcation diagram of g_η: η along x, L ∈ [−1, 1] along y; the 2-cycle L± in red.
  gdcert::plot_series settled{
      {}, {}, rgb{20, 20, 60}, gdcert::series_style::markers, 1, "g_η orbit after the transient"};
  gdcert::plot_series cycle_points{
      {}, {}, rgb{220, 30, 30}, gdcert::series_style::markers, 1.5, "2-cycle L± (182)"};
  for (int column = 0; column < columns; ++column) {
    const double eta = 2.0 * (column + 0.5) / columns;
    double l = settle(eta, transient);
    for (int s = 0; s < samples; ++s, l = gdcert::balanced_residual_map(eta, l)) {
      settled.x.push_back(eta), settled.y.push_back(l);
    }
    if (eta > 1) {
      const auto cycle = gdcert::balanced_two_cycle(eta);
      cycle_points.x.insert(cycle_points.x.end(), {eta, eta});
      cycle_points.y.insert(cycle_points.y.end(), {cycle.lower, cycle.upper});
    }
  }
  gdcert::provenance origin = run.origin();
  origin.parameter("columns", columns)
      .parameter("transient", transient)
      .parameter("samples", samples);
  gdcert::csv_table table; // the diagram's points, written atomically like every output
  table.add_column("eta", settled.x).add_column("L", settled.y);
  gdcert::write_csv(run.output_file("terminal_dynamics.csv"), table, origin);
  gdcert::plot figure;
  figure.title = "App. F: bifurcation diagram of the terminal map g_η";
  figure.panel_size = run.choose(900, 600);
  figure.panel_height = run.choose(600, 400);
  gdcert::plot_panel panel;
  panel.x = {0, 2, "η"};
  panel.y = {-1, 1, "residual L"};
  panel.title =
      format("%d samples of L per η after %d steps from the critical point", samples, transient);
  panel.series = {std::move(settled), std::move(cycle_points)};
  figure.panels.push_back(std::move(panel));
  gdcert::write_plot(run.output_file("terminal_dynamics.png"), figure, origin);

  // 1-2. The 2-cycle formula and its multiplier on a fine η grid in (1, 2).
  double formula_error = 0, multiplier_error = 0;
  for (int k = 1; k < 1000; ++k) {
    const double eta = 1 + k / 1000.0;
    const auto cycle = gdcert::balanced_two_cycle(eta);
    formula_error = std::max(
        {formula_error, std::abs(gdcert::balanced_residual_map(eta, cycle.lower) - cycle.upper),
         std::abs(gdcert::balanced_residual_map(eta, cycle.upper) - cycle.lower)});
    const double product = gdcert::balanced_residual_derivative(eta, cycle.lower) *
                           gdcert::balanced_residual_derivative(eta, cycle.upper);
    multiplier_error =
        std::max(multiplier_error, std::abs(product - gdcert::two_cycle_multiplier(eta)));
  }
  run.verdict(formula_error <= 1e-14, "2-cycle formula g(L±) = L∓ (182), 999 step sizes in (1, 2)",
              format("max error %.2e", formula_error));
  run.verdict(multiplier_error <= 1e-13, "multiplier g'(L-)g'(L+) = 7 - 4η - 2η² (183)",
              format("max error %.2e", multiplier_error));

  // 3. The attracting window: the critical orbit locks onto {L₋, L₊} exactly for 1 < η < √5 − 1
  // (skipping 0.01 around the ends, where convergence is arbitrarily slow).
  const double edge = std::sqrt(5.0) - 1;
  int agree = 0, checked = 0;
  for (int k = 1; k < 200; ++k) {
    const double eta = 1 + k / 200.0;
    if (std::abs(eta - 1) < 0.01 || std::abs(eta - edge) < 0.01)
      continue;
    const auto cycle = gdcert::balanced_two_cycle(eta);
    double l = settle(eta, 20000), distance = 0;
    for (int s = 0; s < 64; ++s, l = gdcert::balanced_residual_map(eta, l))
      distance = std::max(distance, std::min(std::abs(l - cycle.lower), std::abs(l - cycle.upper)));
    ++checked;
    agree += (distance < 1e-9) == gdcert::two_cycle_attracting(eta);
  }
  run.verdict(agree == checked, "attracting window (1, √5 - 1) of the 2-cycle (184)",
              std::to_string(agree) + " of " + std::to_string(checked) + " step sizes agree");

  // 4. The full 4-D map at η = 1.15 from random certified initializations.
  const double eta = 1.15;
  const gdcert::rank1_factorization problem(eta);
  const gdcert::factorization_certificate certificate(problem);
  const auto cycle = gdcert::balanced_two_cycle(eta);
  std::mt19937_64 rng(20261123);
  std::normal_distribution<double> normal(0.0, 0.6);
  int locked = 0, drawn = 0;
  gdcert::rank1_state<double> last{};
  for (int trial = 0; trial < 100;) {
    gdcert::rank1_state<double> x{normal(rng), normal(rng), normal(rng), normal(rng)};
    ++drawn;
    if (!(certificate(eta, x) < 0))
      continue; // certified: δ(x0) > η
    ++trial;
    for (int t = 0; t < 4000; ++t)
      x = problem.step(x);
    const double l0 = certificate.residual(x), l1 = certificate.residual(problem.step(x));
    const bool on_cycle = std::min(std::abs(l0 - cycle.lower) + std::abs(l1 - cycle.upper),
                                   std::abs(l0 - cycle.upper) + std::abs(l1 - cycle.lower)) < 1e-9;
    locked += on_cycle && certificate.distance_to_terminal_set(x) < 1e-9;
    last = x;
  }
  const auto orbit = gdcert::find_periodic_orbit(problem, last, 2);
  run.verdict(
      locked == 100,
      "4-D map at η = 1.15 converges to the 2-cycle {L-, L+} on K2 from 100 certified inits",
      std::to_string(locked) + " of 100 locked, " + std::to_string(drawn) + " draws");
  run.verdict(orbit.converged() && orbit.spectrum.stability == gdcert::orbit_stability::attracting,
              "the 4-D 2-cycle is attracting (Newton on G²(x) - x, multipliers)",
              format("spectral radius %.6f", double(orbit.spectrum.spectral_radius)) +
                  format(", balanced multiplier %.6f",
                         gdcert::directional_multiplier<double>(orbit.monodromy,
                                                                Eigen::Vector4d(1, 1, 0, 0))) +
                  format(" vs mu = %.6f", gdcert::two_cycle_multiplier(eta)));
  return run.finish();
}
