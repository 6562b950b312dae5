// Quartic-augmented loss (paper Figures 9-10, App. M, docs/formulas.md §8): the boundary-inward test of I_sc under GD on R_μ = ½(ab − 1)² + μ(ab − 1)⁴, δ_th(η) and the convergence regions.
//
// For each (η, δ) on the 0.05 grid of [0.05, 1.95]² and μ ∈ {1/4, 1/16, −1/16, −1/4}, the scalar
// certificate I_sc(δ; ·) (10) passes the test (412) when max I_sc(δ; GD(x)) <= 1e-4 over x on its
// level set, d on the boundary of [−1, 1]² with 2001 points per edge (8,000 directions); the
// empirical threshold δ_th(η) (413) is the smallest passing δ. Then (a0, b0) on a 200 × 200 grid of
// [−2.5, 2.5]², GD on (411) for T = 400 steps (analysis/sweep.hpp), converged iff |a_T b_T − 1| <
// 1e-4, at η ∈ {.05, .1, .2, .4, .8, 1.2}, with the contour I_sc(δ_th(η); ·) = 0.
//
// Claims checked, each ending in a PASS/FAIL line computed from the run:
//   * reference μ = 0 (the scalar loss): the scan's threshold is the smallest grid δ >= η, as the
//     remainder R = η(δ − η)(δ² − 4)L² of (12-13) predicts (Theorem 3's δ_th(η) is printed next to it);
//   * App. M (i): for μ ∈ {1/4, ±1/16} the pass region at every grid η < 1 is a non-empty upper
//     band of δ; the η without a band are printed (measured discrepancy: the paper says every η, but
//     μ = 1/4 has none at η = 1.2 and beyond);
//   * App. M (i): for μ = −1/4 no (η, δ) pair passes;
//   * App. M (ii): for μ ∈ {1/4, ±1/16} and the five pre-critical η, at least 99 % of the grid points
//     inside the contour I_sc(δ_th(η); ·) < 0 converge (points on the invariant line a = −b, which
//     converge to the saddle at 0, are counted apart);
//   * App. M (iii): at η = 1.2 at most half of the initializations converge, for every μ.
// Outputs (--output DIR, default "output"): quartic_pass_fail.png (Figure 9: 2 × 2 maps, μ = 1/4,
// 1/16 top, −1/16, −1/4 bottom, δ to the right, η upwards, yellow pass, blue fail);
// quartic_convergence.png (Figure 10: rows μ as listed, columns η as listed, a to the right and b
// upwards, blue converged, red not, magenta the contour, omitted where δ_th does not exist);
// quartic_pass_fail.csv (mu, eta, delta, passed, worst in I_sc units) and
// quartic_thresholds.csv (mu, eta, delta_th, upper_band).
// --quick: 201 points per edge and a 50 × 50 convergence grid.
// Usage: quartic [--output DIR] [--quick] [--threads N]

#include <gdcert/analysis/boundary_scan.hpp>
#include <gdcert/analysis/sweep.hpp>
#include <gdcert/certificates/scalar.hpp>
#include <gdcert/certificates/threshold.hpp>
#include <gdcert/io/csv.hpp>
#include <gdcert/io/figure.hpp>
#include <gdcert/problems/quartic.hpp>

#include "reproduction.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

namespace {

using gdcert::examples::format;

constexpr std::array<double, 4> mus{0.25, 0.0625, -0.0625, -0.25};
constexpr std::array<double, 6> test_etas{0.05, 0.1, 0.2, 0.4, 0.8, 1.2};
constexpr double convergence_tolerance = 1e-4; // |ab − 1| at T
constexpr gdcert::rgb pass_colour{253, 231, 37}, fail_colour{48, 18, 100};
constexpr gdcert::rgb converged_colour{0, 114, 178}, not_converged_colour{213, 94, 0};
constexpr gdcert::rgb contour_colour{230, 0, 200};

/// Index of a grid value in an axis of twentieths (exact for k/20 values).
std::size_t grid_index(const std::vector<double>& axis, double value) {
  return static_cast<std::size_t>(std::find(axis.begin(), axis.end(), value) - axis.begin());
}

/// The empirical threshold (413) at η, NaN when no δ passes.
double threshold_at(const std::vector<gdcert::threshold_estimate>& table, double eta) {
  for (const auto& row : table)
    if (row.eta == eta)
      return row.threshold;
  return std::numeric_limits<double>::quiet_NaN();
}

/// One Figure 10 panel: converged flags (row-major, b upwards = row 0 at the bottom) and the
/// contour field I_sc(δ_th; x0) (NaN where δ_th does not exist).
struct convergence_panel {
  double mu, eta, delta_th;
  std::vector<std::uint8_t> converged;
  std::vector<double> certificate;
  std::size_t inside = 0, inside_converged = 0, inside_antidiagonal = 0, total_converged = 0;
};

convergence_panel convergence(double mu, double eta, double delta_th, std::size_t n,
                              const gdcert::execution_policy& policy) {
  const gdcert::quartic_factorization problem(eta, mu);
  const gdcert::grid_axis axis{-2.5, 2.5, n};
  const auto plane =
      gdcert::coordinate_plane(problem, gdcert::scalar_state<double>{0, 0}, 0, axis, 1, axis);
  gdcert::sweep_options options;
  options.criteria.max_steps = 400; // T = 400
  const auto result = gdcert::sweep(problem, plane, options, policy);
  // |r| < 1e-4 at T: a decided minimizer is within 1e-6 of {ab = 1}; an undecided run is read
  // from its loss at T, ½r² + μr⁴, increasing in |r| near 0.
  const double r = convergence_tolerance;
  const double loss_limit = 0.5 * r * r + mu * r * r * r * r;
  const gdcert::scalar_certificate certificate{gdcert::scalar_factorization(eta)};
  convergence_panel panel{mu,
                          eta,
                          delta_th,
                          std::vector<std::uint8_t>(result.size()),
                          std::vector<double>(result.size()),
                          0,
                          0,
                          0,
                          0};
  for (std::size_t i = 0; i < result.size(); ++i) {
    const bool converged =
        result.outcomes[i] == gdcert::outcome::minimizer ||
        (result.outcomes[i] == gdcert::outcome::undecided && result.final_loss[i] < loss_limit);
    const auto x0 = result.initial_point(i);
    const double value = std::isnan(delta_th)
                             ? std::numeric_limits<double>::quiet_NaN()
                             : certificate(delta_th, gdcert::scalar_state<double>{x0(0), x0(1)});
    panel.converged[i] = converged;
    panel.certificate[i] = value;
    panel.total_converged += converged;
    if (value < 0) {
      // a0 = −b0 exactly (column + row = n − 1): the invariant line into the saddle at 0.
      const bool antidiagonal = i % n + i / n == n - 1;
      panel.inside_antidiagonal += antidiagonal;
      if (!antidiagonal) {
        ++panel.inside;
        panel.inside_converged += converged;
      }
    }
  }
  return panel;
}

} // namespace

int main(int argc, char** argv) {
  gdcert::examples::reproduction run(
      "quartic", "Figures 9-10 / App. M: I_sc under the quartic-augmented loss, δ_th(η)");
  run.parse(argc, argv);
  const int edge_points = run.choose(2001, 201);
  const std::size_t n = run.choose<std::size_t>(200, 50);
  const auto policy = run.policy();
  const auto directions =
      gdcert::tabulate(gdcert::cube_boundary_directions(2, edge_points), policy);
  const auto axis = gdcert::published_delta_axis(); // η and δ: 0.05 … 1.95
  std::printf("%lld directions (%d points per edge), tolerance 1e-4 on I_sc\n\n",
              static_cast<long long>(directions.cols()), edge_points);

  // Figure 9: pass/fail maps (full scans: the worst values are written too).
  std::vector<gdcert::pass_fail_map> maps;
  std::vector<std::vector<gdcert::threshold_estimate>> thresholds;
  for (const double mu : mus) {
    maps.push_back(gdcert::quartic_pass_fail_map(mu, axis, axis, directions, {}, policy));
    thresholds.push_back(gdcert::empirical_thresholds(maps.back()));
  }
  const auto reference = gdcert::quartic_pass_fail_map(0.0, axis, axis, directions, {}, policy);
  const auto reference_thresholds = gdcert::empirical_thresholds(reference);

  std::printf("delta_th(eta) (413), '-' = no passing delta; * = not an upper band\n");
  std::printf("%6s | %8s %8s %8s %8s | %8s | %10s\n", "eta", "mu=1/4", "1/16", "-1/16", "-1/4",
              "mu=0", "Theorem 3");
  for (const double eta : test_etas) {
    std::printf("%6.2f |", eta);
    for (const auto& table : thresholds) {
      const std::size_t r = grid_index(axis, eta);
      const auto& e = table[r];
      std::printf(" %8s", std::isnan(e.threshold)
                              ? "-"
                              : format("%.2f%s", e.threshold, e.upper_band ? "" : "*").c_str());
    }
    std::printf(" | %8.2f | %10s\n", threshold_at(reference_thresholds, eta),
                eta < 1 ? format("%.4f", gdcert::threshold_state_parameter(eta)).c_str() : "-");
  }
  std::printf("\n");

  // Data and Figure 9.
  gdcert::provenance origin = run.origin();
  origin.parameter("points per edge", edge_points)
      .parameter("directions", static_cast<long long>(directions.cols()))
      .parameter("tolerance", "1e-4 on I_sc (10)");
  {
    std::vector<double> mu_c, eta_c, delta_c, worst_c;
    std::vector<int> pass_c;
    std::vector<double> t_mu, t_eta, t_th;
    std::vector<int> t_band;
    for (std::size_t m = 0; m < mus.size(); ++m) {
      const auto& map = maps[m];
      for (std::size_t r = 0; r < map.rows.size(); ++r) {
        for (std::size_t c = 0; c < map.columns.size(); ++c) {
          const std::size_t i = map.at(r, c);
          mu_c.push_back(mus[m]);
          eta_c.push_back(map.rows[r]);
          delta_c.push_back(map.columns[c]);
          pass_c.push_back(map.passed[i]);
          // back to I_sc units: worst · (published tolerance / normalised tolerance)
          worst_c.push_back(map.worst[i] * (1e-4 / map.tolerance[i]));
        }
        t_mu.push_back(mus[m]);
        t_eta.push_back(thresholds[m][r].eta);
        t_th.push_back(thresholds[m][r].threshold);
        t_band.push_back(thresholds[m][r].upper_band);
      }
    }
    gdcert::csv_table table;
    table.add_column("mu", mu_c)
        .add_column("eta", eta_c)
        .add_column("delta", delta_c)
        .add_column("passed", pass_c)
        .add_column("worst_isc", worst_c);
    gdcert::write_csv(run.output_file("quartic_pass_fail.csv"), table, origin);
    gdcert::csv_table th;
    th.add_column("mu", t_mu)
        .add_column("eta", t_eta)
        .add_column("delta_th", t_th)
        .add_column("upper_band", t_band);
    gdcert::write_csv(run.output_file("quartic_thresholds.csv"), th, origin);

    gdcert::plot figure;
    figure.title = "Figure 9 / App. M: pass/fail maps of I_sc(δ) under the quartic loss";
    figure.rows = 2;
    figure.columns = 2;
    figure.panel_size = 320;
    for (std::size_t m = 0; m < maps.size(); ++m) {
      // Field row r is η = map.rows[r] (upwards), column c is δ = map.columns[c].
      const std::size_t rows = maps[m].rows.size(), columns = maps[m].columns.size();
      std::vector<std::uint8_t> cells(rows * columns);
      for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < columns; ++c)
          cells[r * columns + c] = maps[m].pass(r, c);
      figure.panels.push_back({gdcert::label_raster(cells, int(columns), int(rows),
                                                    std::array{fail_colour, pass_colour}),
                               {0.025, 1.975, "δ"},
                               {0.025, 1.975, "η"},
                               format("μ = %g", mus[m])});
    }
    figure.legend = {{pass_colour, "pass"}, {fail_colour, "fail"}};
    gdcert::provenance described = origin;
    described.parameter("layout", "mu = 1/4, 1/16 (top), -1/16, -1/4 (bottom)")
        .parameter("axes", "delta 0.05..1.95 to the right, eta 0.05..1.95 upwards")
        .parameter("colours", "yellow pass, dark blue fail");
    gdcert::write_plot(run.output_file("quartic_pass_fail.png"), figure, described);
  }

  // Figure 10: convergence grids with the certificate contour.
  std::vector<convergence_panel> panels;
  for (std::size_t m = 0; m < mus.size(); ++m)
    for (const double eta : test_etas)
      panels.push_back(convergence(mus[m], eta, threshold_at(thresholds[m], eta), n, policy));
  {
    const int side = static_cast<int>(n);
    gdcert::plot figure;
    figure.title = "Figure 10 / App. M: convergence under the quartic loss (T = 400) and "
                   "I_sc(δ_th; x0) = 0";
    figure.rows = static_cast<int>(mus.size());
    figure.columns = static_cast<int>(test_etas.size());
    figure.panel_size = std::clamp(side, 120, 200);
    for (const auto& p : panels) {
      // Row 0 of the sweep is the lowest b0: label_raster draws it at the bottom.
      gdcert::image raster = gdcert::label_raster(
          p.converged, side, side, std::array{not_converged_colour, converged_colour});
      gdcert::overlay_field_contour(raster, p.certificate, side, side, 0.0, contour_colour);
      figure.panels.push_back({std::move(raster),
                               {-2.5, 2.5, "a0"},
                               {-2.5, 2.5, "b0"},
                               format("μ = %g, η = %g", p.mu, p.eta)});
    }
    figure.legend = {{converged_colour, "converged (|ab − 1| < 1e-4 at T)"},
                     {not_converged_colour, "not converged"},
                     {contour_colour, "I_sc(δ_th; x0) = 0", gdcert::legend_mark::line}};
    gdcert::provenance described = origin;
    described.parameter("resolution", static_cast<long long>(n))
        .parameter("T", 400)
        .parameter("converged iff", "|ab - 1| < 1e-4 at T")
        .parameter("layout", "rows mu = 1/4, 1/16, -1/16, -1/4; columns eta = .05 .1 .2 .4 .8 1.2")
        .parameter("colours", "blue converged, red not, magenta I_sc(delta_th; .) = 0");
    gdcert::write_plot(run.output_file("quartic_convergence.png"), figure, described);
  }

  // μ = 0: the scan reproduces the analytic threshold δ = η of the scalar remainder (12-13).
  {
    std::size_t agree = 0;
    for (const auto& e : reference_thresholds) {
      const double expected = std::ceil(e.eta * 20 - 1e-9) / 20; // smallest grid δ >= η
      agree += e.threshold == expected && e.upper_band;
    }
    run.verdict(
        agree == reference_thresholds.size(),
        "μ = 0 reference: δ_th(η) = smallest grid δ >= η, as R = η(δ - η)(δ² - 4)L² (12-13) "
        "predicts",
        format("%zu of %zu η rows agree", agree, reference_thresholds.size()));
  }

  // (i) Upper bands for μ = 1/4, ±1/16: on the pre-critical grid η < 1, and where they end.
  for (std::size_t m = 0; m < 3; ++m) {
    std::size_t bands = 0, precritical = 0, precritical_bands = 0;
    std::string missing;
    for (const auto& e : thresholds[m]) {
      const bool band = !std::isnan(e.threshold) && e.upper_band;
      bands += band;
      precritical += e.eta < 1;
      precritical_bands += band && e.eta < 1;
      if (!band)
        missing += format("%s%.2f", missing.empty() ? "" : " ", e.eta);
    }
    run.verdict(precritical_bands == precritical,
                format("App. M (i): μ = %+.4f: the pass region is a non-empty upper band of δ at "
                       "every grid η < 1",
                       mus[m]),
                format("%zu of %zu η < 1; all η: %zu of %zu", precritical_bands, precritical, bands,
                       thresholds[m].size()) +
                    (missing.empty()
                         ? std::string()
                         : "; discrepancy (paper: every η), no band at η = " + missing));
  }
  {
    std::size_t passing = 0;
    for (const auto p : maps[3].passed)
      passing += p;
    run.verdict(passing == 0, "App. M (i): μ = -1/4: no (η, δ) pair passes",
                format("%zu of %zu pairs pass", passing, maps[3].pairs()));
  }

  // (ii) Inside the contour, initializations converge (pre-critical η, μ ≠ −1/4).
  {
    std::size_t inside = 0, converged = 0, antidiagonal = 0, without = 0;
    double worst = 1;
    for (const auto& p : panels) {
      if (p.mu == -0.25 || p.eta > 1)
        continue;
      if (std::isnan(p.delta_th)) {
        ++without;
        continue;
      }
      inside += p.inside;
      converged += p.inside_converged;
      antidiagonal += p.inside_antidiagonal;
      if (p.inside > 0)
        worst = std::min(worst, double(p.inside_converged) / double(p.inside));
    }
    run.verdict(
        without == 0 && inside > 0 && worst >= 0.99,
        "App. M (ii): inside I_sc(δ_th(η); ·) < 0 at least 99 % of initializations converge "
        "(μ = 1/4, ±1/16, η <= 0.8)",
        format("%zu of %zu converge, worst panel %.4f; %zu points on a = -b apart; "
               "%zu panels without δ_th",
               converged, inside, worst, antidiagonal, without));
  }
  // (iii) η = 1.2: most initializations fail.
  {
    double largest = 0;
    std::string measured;
    for (const auto& p : panels)
      if (p.eta == 1.2) {
        const double fraction = double(p.total_converged) / double(p.converged.size());
        largest = std::max(largest, fraction);
        measured += format("%sμ=%+.4f: %.3f", measured.empty() ? "" : ", ", p.mu, fraction);
      }
    run.verdict(largest <= 0.5, "App. M (iii): at η = 1.2 at most half of the grid converges",
                "converged fraction " + measured);
  }
  return run.finish();
}
