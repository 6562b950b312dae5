// Main example: certified region I_fac(eta; x0) < 0 vs. where GD converges (paper Figure 4).
//
// Reproduces Figure 4 / Appendix J.1 of the paper (docs/formulas.md §8) on the library's own
// engine: every panel is one call of gdcert::sweep (SIMD lanes, threads) with the certificate.
// For rank-1 factorization of X = diag(1, 0) (gdcert::rank1_factorization, map (14)) and its
// certificate I_fac (17):
//   * (a0, b0) on an N×N grid of [−2.5, 2.5]² (N = 200 by default, 60 with --quick), exactly
//     antisymmetric (gdcert::grid_axis),
//   * (u0, v0) ∈ {(.2,.2), (.6,.6), (1,1), (1.4,1.4), (2,0)}, η ∈ {.2, .4, .8, 1.2}, T = 400 steps,
//   * a point converged when the sweep labels it a minimizer (within 1e−6 of M*, stationary), or,
//     undecided at T, when its state at T meets App. J.1's test u² + v² < 1e−2 and |1 − ab| < 1e−2
//     (397); diverged when its norm exceeds 1e6; otherwise not converged,
//   * certified iff I_fac(η; x0) < 0 (the sweep's overlay), i.e. δ(x0) > η, the hypothesis of
//     Theorem 2 (η < 2 only).
// Claims checked, each with a PASS/FAIL line computed from the run:
//   * η < 1 (Theorem 2 (1)): certified initializations converge to a minimizer, for almost every
//     certified x0; the grid's failing fraction must be <= 1 %. "Almost every" matters here: the
//     grid is symmetric, so it holds N points of each panel with u0 = v0 on the set
//     {a = −b, u = v}, which GD maps into itself (exactly, in floating point too) and on which it
//     converges to the saddle 0 ∈ S \ M*. Those points are counted and reported on their own and
//     left out of the failing fraction (the raw fraction is printed next to it).
//   * η = 1.2 (Theorem 2 (2), App. J.1 (ii)): no initialization converges to a minimizer.
//   * Proposition 2: along every certified trajectory δ_t = δ(x_t) is non-decreasing at every step
//     until the point is decided (sweep_options::track_state_parameter; rounding slack 1e−12).
// Outputs (in --output DIR, default "output"): certified_convergence.png, a mosaic of 5 columns
// ((u0, v0) in the order above) × 4 rows (η from top to bottom), a on the horizontal axis
// (increasing to the right), b vertical (increasing upwards), the zero contour of I_fac(η; ·) in
// black; NPY arrays of shape (4, 5, N, N) [η][(u0, v0)][b row][a column] with provenance sidecars
// taken from the sweep results: certified_convergence_outcome.npy (the library's outcome codes),
// _verdict.npy (0 converged, 1 not converged, 2 diverged), _certificate.npy (I_fac(η; x0)),
// _delta_drop.npy (the largest one-step decrease of δ_t); certified_convergence_summary.csv, one
// row per panel.
// Usage: certified_convergence [--resolution N] [--output DIR] [--quick]

#include <gdcert/analysis/sweep.hpp>
#include <gdcert/certificates/factorization.hpp>
#include <gdcert/io/csv.hpp>
#include <gdcert/io/figure.hpp>
#include <gdcert/io/npy.hpp>
#include <gdcert/io/png.hpp>
#include <gdcert/io/result_provenance.hpp>
#include <gdcert/problems/rank1_factorization.hpp>

#include "reproduction.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

namespace {

using gdcert::examples::format;
using state = gdcert::rank1_factorization::state<double>;

// Parameters of Appendix J.1, as published.
constexpr std::size_t horizon = 400;    // T
constexpr double tolerance = 1e-2;      // tol of (397)
constexpr double extent = 2.5;          // grid of [−A, A]², A = 2.5
constexpr double divergence_norm = 1e6; // ‖x‖ beyond which a run counts as diverged
constexpr double failing_fraction_limit = 0.01;
// δ_t is computed in double: once a trajectory has converged its δ_t wobbles at rounding level.
constexpr double monotonicity_slack = 1e-12;
constexpr int default_resolution = 200, quick_resolution = 60;

struct off_signal_pair {
  double u, v;
};
constexpr std::array<off_signal_pair, 5> off_signal_pairs{
    {{0.2, 0.2}, {0.6, 0.6}, {1.0, 1.0}, {1.4, 1.4}, {2.0, 0.0}}};
constexpr std::array<double, 4> step_sizes{0.2, 0.4, 0.8, 1.2};

/// App. J.1's verdict of one point, from the sweep's label and, when undecided at T, its state.
enum class verdict : std::uint8_t { converged, not_converged, diverged };

struct panel {
  double eta;
  off_signal_pair off_signal;
  gdcert::sweep_result result;
  std::vector<verdict> verdicts; // row-major: index j·N + i for (a_i, b_j)
  long certified = 0, converged = 0, diverged = 0, certified_failing = 0;
  long certified_null = 0, certified_null_failing = 0; // on the invariant set {a = −b, u = v}
  long tracked = 0, violations = 0; // certified trajectories checked for Proposition 2
  double largest_drop = -INFINITY;  // max over them of δ_t − δ_{t+1}
};

// The measure-zero invariant set {a = −b, u = v}: GD keeps it, and on it converges to the saddle 0.
bool on_invariant_null_set(const gdcert::vector<double>& x0) {
  return x0(0) == -x0(1) && x0(2) == x0(3);
}

verdict verdict_of(const gdcert::sweep_result& r, std::size_t i) {
  switch (r.outcomes[i]) {
  case gdcert::outcome::minimizer:
    return verdict::converged;
  case gdcert::outcome::diverged:
    return verdict::diverged;
  case gdcert::outcome::undecided: { // at T: the test (397) on the state at T
    const gdcert::vector<double> x = r.final_point(i);
    return x(2) * x(2) + x(3) * x(3) < tolerance && std::abs(1 - x(0) * x(1)) < tolerance
               ? verdict::converged
               : verdict::not_converged;
  }
  default: // saddle, periodic
    return verdict::not_converged;
  }
}

// One sweep per panel, on the library's engine; then App. J.1's verdicts and counts.
void run_panel(panel& p, int resolution, const gdcert::execution_policy& policy) {
  const gdcert::rank1_factorization problem(p.eta);
  const gdcert::factorization_certificate certificate(problem);
  const gdcert::grid_axis axis{-extent, extent, static_cast<std::size_t>(resolution)};
  const auto plane = gdcert::coordinate_plane(problem, state{0, 0, p.off_signal.u, p.off_signal.v},
                                              0, axis, 1, axis);
  gdcert::sweep_options options;
  options.criteria.max_steps = horizon;
  options.criteria.escape_norm = divergence_norm;
  options.keep_final_states = true;     // the state at T of undecided points, for (397)
  options.track_state_parameter = true; // Proposition 2 at every step
  p.result = gdcert::sweep<16>(problem, plane, options, policy, certificate);

  const gdcert::sweep_result& r = p.result;
  p.verdicts.resize(r.size());
  for (std::size_t i = 0; i < r.size(); ++i) {
    const verdict v = p.verdicts[i] = verdict_of(r, i);
    const bool certified = r.certified(i), failing = certified && v != verdict::converged;
    p.certified += certified;
    p.converged += v == verdict::converged;
    p.diverged += v == verdict::diverged;
    p.certified_failing += failing;
    if (on_invariant_null_set(r.initial_point(i))) {
      p.certified_null += certified;
      p.certified_null_failing += failing;
    }
    if (certified) {
      const double drop = r.state_parameter_drop[i];
      ++p.tracked;
      p.violations += !(drop <= monotonicity_slack); // NaN is a violation too
      p.largest_drop = std::max(p.largest_drop, drop);
    }
  }
}

using gdcert::rgb;
constexpr rgb converged_colour{46, 110, 200};      // blue
constexpr rgb not_converged_colour{240, 160, 190}; // pink, as in the paper's Figure 4
constexpr rgb diverged_colour{205, 205, 205};      // light grey
constexpr rgb contour_colour{0, 0, 0};

void write_mosaic(const std::vector<panel>& panels, int resolution,
                  const std::filesystem::path& file, gdcert::provenance origin) {
  gdcert::plot figure;
  figure.title = "Figure 4: where GD converges on rank-1 factorization, and the certified region "
                 "I_fac(η; x0) < 0 (T = 400)";
  figure.rows = static_cast<int>(step_sizes.size());
  figure.columns = static_cast<int>(off_signal_pairs.size());
  figure.panel_size = std::clamp(resolution, 120, 320);
  const std::array<rgb, 3> colours{converged_colour, not_converged_colour, diverged_colour};
  for (const auto& p : panels) {
    std::vector<std::uint8_t> codes(p.verdicts.size());
    std::transform(p.verdicts.begin(), p.verdicts.end(), codes.begin(),
                   [](verdict v) { return static_cast<std::uint8_t>(v); });
    gdcert::image raster = gdcert::label_raster(codes, resolution, resolution, colours);
    // The zero contour of I_fac(η; ·) (the sweep's overlay), drawn where it crosses 0.
    gdcert::overlay_field_contour(raster, p.result.overlay, resolution, resolution, 0.0,
                                  contour_colour);
    figure.panels.push_back(
        {std::move(raster),
         {-extent, extent, "a0"},
         {-extent, extent, "b0"},
         format("η = %.1f, (u0, v0) = (%.1f, %.1f)", p.eta, p.off_signal.u, p.off_signal.v)});
  }
  figure.legend = {{converged_colour, "converged"},
                   {not_converged_colour, "not converged"},
                   {diverged_colour, "diverged"},
                   {contour_colour, "I_fac(η; x0) = 0"}};
  origin.parameter("layout", std::string("rows eta = 0.2, 0.4, 0.8, 1.2 (top to bottom); columns "
                                         "(u0, v0) = (.2,.2), (.6,.6), (1,1), (1.4,1.4), (2,0)"));
  gdcert::write_plot(file, figure, origin);
}

/// The panels' arrays stacked into one (4, 5, N, N) array [η][(u0, v0)][row][column].
template <class Value, class Field>
std::vector<Value> stack(const std::vector<panel>& panels, Field field) {
  std::vector<Value> out;
  for (const auto& p : panels)
    for (std::size_t i = 0; i < p.result.size(); ++i)
      out.push_back(static_cast<Value>(field(p, i)));
  return out;
}

void write_outputs(gdcert::examples::reproduction& run, const std::vector<panel>& panels,
                   int resolution) {
  // Provenance from the sweep itself (grid, options, criteria, legend of the outcome codes); the
  // panel axes replace the single panel's step size and origin.
  gdcert::provenance origin = run.origin();
  gdcert::describe(origin, panels.front().result);
  origin.parameter("step size eta", std::string("axis 0: 0.2, 0.4, 0.8, 1.2"))
      .parameter("origin", std::string("axis 1: (a, b, u0, v0) with (u0, v0) = (.2,.2), (.6,.6), "
                                       "(1,1), (1.4,1.4), (2,0)"))
      .parameter("array shape", std::string("(4, 5, N, N) = [eta][(u0, v0)][b0 row][a0 column]"))
      .parameter("verdict 0", std::string("converged (minimizer, or (397) at T)"))
      .parameter("verdict 1", std::string("not converged"))
      .parameter("verdict 2", std::string("diverged (norm > 1e6)"))
      .tolerance("App. J.1 (397)", tolerance);
  for (const char* count : {"count undecided", "count minimizer", "count saddle", "count periodic",
                            "count diverged", "finished points"})
    origin.erase(count); // the first panel's; the summary CSV has every panel's counts
  const std::size_t n = static_cast<std::size_t>(resolution);
  const std::vector<std::size_t> shape{step_sizes.size(), off_signal_pairs.size(), n, n};
  gdcert::write_npy(run.output_file("certified_convergence_outcome.npy"),
                    stack<std::uint8_t>(
                        panels, [](const panel& p, std::size_t i) { return p.result.outcomes[i]; }),
                    shape, origin);
  gdcert::write_npy(
      run.output_file("certified_convergence_verdict.npy"),
      stack<std::uint8_t>(panels, [](const panel& p, std::size_t i) { return p.verdicts[i]; }),
      shape, origin);
  gdcert::write_npy(
      run.output_file("certified_convergence_certificate.npy"),
      stack<double>(panels, [](const panel& p, std::size_t i) { return p.result.overlay[i]; }),
      shape, origin);
  gdcert::write_npy(
      run.output_file("certified_convergence_delta_drop.npy"),
      stack<double>(panels,
                    [](const panel& p, std::size_t i) { return p.result.state_parameter_drop[i]; }),
      shape, origin);

  gdcert::csv_table summary;
  auto column = [&](const char* name, auto field) {
    std::vector<double> values;
    for (const auto& p : panels)
      values.push_back(static_cast<double>(field(p)));
    summary.add_column(name, values);
  };
  column("eta", [](const panel& p) { return p.eta; });
  column("u0", [](const panel& p) { return p.off_signal.u; });
  column("v0", [](const panel& p) { return p.off_signal.v; });
  column("certified", [](const panel& p) { return p.certified; });
  column("converged", [](const panel& p) { return p.converged; });
  column("diverged", [](const panel& p) { return p.diverged; });
  column("certified_failing", [](const panel& p) { return p.certified_failing; });
  column("null_set_certified", [](const panel& p) { return p.certified_null; });
  column("null_set_failing", [](const panel& p) { return p.certified_null_failing; });
  column("largest_delta_drop", [](const panel& p) { return p.largest_drop; });
  gdcert::write_csv(run.output_file("certified_convergence_summary.csv"), summary, origin);
  write_mosaic(panels, resolution, run.output_file("certified_convergence.png"), origin);
}

} // namespace

int main(int argc, char** argv) try {
  gdcert::examples::reproduction run("certified_convergence",
                                     "Figure 4 / App. J.1: certified region vs convergence");
  int n = default_resolution;
  run.option("--resolution", n, "grid points per axis (--quick: 60)", 2, 4000);
  run.parse(argc, argv);
  if (run.quick())
    n = quick_resolution;

  std::vector<panel> panels;
  for (double eta : step_sizes)
    for (const auto& pair : off_signal_pairs)
      panels.push_back({eta, pair, {}, {}});

  std::printf("grid %d x %d of [-%.1f, %.1f]^2, T = %zu, tol = %.0e, %zu panels\n\n", n, n, extent,
              extent, horizon, tolerance, panels.size());
  gdcert::execution_policy policy = run.policy();
  policy.progress = false;
  const auto start = std::chrono::steady_clock::now();
  for (auto& p : panels)
    run_panel(p, n, policy);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // fail.frac leaves out the invariant null set {a0 = −b0, u0 = v0} (see the header comment);
  // null.set counts the certified points on it and null.fail those of them that fail.
  std::printf("%5s %5s %5s %10s %10s %10s %10s %9s %9s %9s\n", "eta", "u0", "v0", "certified",
              "converged", "diverged", "cert.fail", "null.set", "null.fail", "fail.frac");
  for (const auto& p : panels) {
    const long generic = p.certified - p.certified_null;
    const long generic_failing = p.certified_failing - p.certified_null_failing;
    std::printf("%5.2f %5.2f %5.2f %10ld %10ld %10ld %10ld %9ld %9ld %9.4f\n", p.eta,
                p.off_signal.u, p.off_signal.v, p.certified, p.converged, p.diverged,
                p.certified_failing, p.certified_null, p.certified_null_failing,
                generic ? double(generic_failing) / double(generic) : 0.0);
  }
  std::size_t useful = 0;
  for (const auto& p : panels)
    useful += p.result.useful_steps;
  std::printf("\nsweep: %.3f s for %zu trajectories of up to %zu steps (%.0f M steps/s)\n\n",
              seconds, panels.size() * static_cast<std::size_t>(n) * n, horizon,
              double(useful) / seconds / 1e6);

  write_outputs(run, panels, n);
  for (double eta : step_sizes) {
    long certified = 0, failing = 0, converged = 0, null_set = 0, null_failing = 0;
    for (const auto& p : panels)
      if (p.eta == eta) {
        certified += p.certified;
        failing += p.certified_failing;
        converged += p.converged;
        null_set += p.certified_null;
        null_failing += p.certified_null_failing;
      }
    if (eta < 1) {
      const long generic = certified - null_set, generic_failing = failing - null_failing;
      const double fraction = generic ? double(generic_failing) / double(generic) : 1.0;
      const double raw = certified ? double(failing) / double(certified) : 1.0;
      run.verdict(generic > 0 && fraction <= failing_fraction_limit,
                  format("certified initializations converge at η = %.1f (Theorem 2 (1))", eta),
                  format("fraction failing %.4f of %ld certified, limit %.2f; %ld of %ld certified "
                         "points on the invariant null set a0 = -b0, u0 = v0 fail, raw fraction "
                         "%.4f",
                         fraction, generic, failing_fraction_limit, null_failing, null_set, raw));
    } else if (eta > 1 && eta < 2) {
      run.verdict(
          converged == 0,
          format("no initialization converges to a minimizer at η = %.1f (Theorem 2 (2))", eta),
          format("%ld converged", converged));
    }
  }

  long tracked = 0, violations = 0;
  double largest_drop = -INFINITY;
  for (const auto& p : panels) {
    tracked += p.tracked;
    violations += p.violations;
    largest_drop = std::max(largest_drop, p.largest_drop);
  }
  run.verdict(violations == 0 && tracked > 0,
              "δ_t is non-decreasing along every certified trajectory (Proposition 2)",
              format("%ld trajectories, every step until decided, %ld violations beyond %.0e, "
                     "largest one-step decrease %.3g",
                     tracked, violations, monotonicity_slack, std::max(largest_drop, 0.0)));
  return run.finish();
} catch (const std::exception& e) {
  std::fprintf(stderr, "FAIL: certified_convergence stopped: %s\n", e.what());
  return 1;
}
