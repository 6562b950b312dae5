// The sharp convergence region of scalar-vector factorization ([LM Thm 1-2], [LM Fig. 2]): GD converges iff Q < 8/η, the basins of unstable minimizers and of the saddle, and the critical step size η*(u, v).
//
// Reproduces Liang–Montúfar's Theorems 1-2 for ½(⟨a,b⟩ − y)², a, b ∈ ℝ^d (docs/formulas.md §6-7):
// for η|y| < 1 the convergence region equals D° = {Q < 8/η} up to a null set, Q = w + √(w² − 16yz)
// with (z, w) = (⟨a,b⟩ − y, ‖a‖² + ‖b‖²) (quotient_map::lyapunov_function), and GD converges for
// almost every x0 iff η < η*(x0) = min{1/|y|, 8/Q(x0)} [LM eq. 3]. The null set holds the basins
// of the unstable minimizers (squared norm > 2/η) and of the saddle 0, which meet ∂D° in
// arbitrarily small neighbourhoods; from any neighbourhood of a point of ∂D° the limits' squared
// norms fill (ρ_min, 2/η) [LM Thm 2].
// LM's protocol (LM App. H; d = 1, y = 1, η = 0.2; the copy of the paper we have is an OCR text:
// grid sizes printed "80(" and "800" are read as 800², and lost minus signs restored):
//   * [LM Fig. 2 left]: 800 × 800 points of [−4.5, 4.5]² (200 × 200 with --quick), 6 steps of GD
//     (gdcert::scalar_factorization, the d = 1 map); blue: the zero level set of the final residual
//     ab − 1 (LM take the loss's zero level: convergence to a minimizer within 6 steps), kept where
//     the minimizer is unstable (a² + b² > 2/η); purple: the zero level set of the final a + b (the
//     saddle's stable line u = −sgn(y)v), kept inside D° (LM "filtered out the points that lie in
//     D°", read as selected, as for the blue lines: outside D° a point reaches a minimizer in
//     finitely many steps or diverges, and the run confirms that every purple crossing's 6th
//     iterates lie in D°, where the line converges to the saddle);
//   * [LM Fig. 2 right]: 800 × 800 points of [−0.9, −0.6] × [−4.55, −4.25] (200 × 200 with
//     --quick), a square across ∂D°, GD for at most 250 steps, stopped when the loss is below 1e−8
//     (converged) or above 100; histograms of the converged points' squared norm ‖u‖² + ‖v‖²,
//     imbalance ‖u‖² − ‖v‖² and iteration count. The stopping rule is LM's: a run stopped near M
//     may still be at a sharp (unstable) minimizer's neighbourhood, so squared norms above 2/η occur.
// The example's own additions (not in LM):
//   * the crossings of ∂D° (sampled at 2²⁰ angles, 2¹⁸ with --quick, in closed form r²(θ) =
//     (c² − 16)/(2c − 8 sin 2θ), c = 8/η) by the k-step curves of Fig. 2 left, k = 1 … 6;
//   * a label map of the same d = 1 window with trajectories run to their outcome (up to 20 000
//     steps, the library's sweep engine on gdcert::scalar_vector_factorization), 800 × 800 (160 ×
//     160 with --quick), compared with {Q < 8/η};
//   * the same comparison on a random 2-plane of the d = 5 problem: origin 0, orthonormal
//     directions from seed 2024 (sweep.hpp random_plane), coordinates in [−4, 4]², 400 × 400 (100 ×
//     100 with --quick), η = 0.5. It is not LM Fig. 1 left, which slices the ℓ2-regularized
//     problem (+0.3 regularization, η = 1, 1000 iterations, ℝ¹⁰) and is fractal;
//   * η*(u, v) (stability/critical_step.hpp) against a bisection on η of the outcome of GD on the
//     d = 5 problem (gdcert::regularized_factorization, λ = 0) from 24 random (u, v) (6 with
//     --quick), u, v ~ N(0, s²), s uniform in [0.2, 1.2], targets y = 1 and y = −0.6 alternately.
// Claims checked, each with a PASS/FAIL line computed from the run:
//   * Fig. 2 left: the blue and purple level sets are thin (together under 10 % of the grid edges),
//     both reach ∂D° (edges within one grid cell of it), and every purple edge's 6th iterates lie
//     in D°;
//   * along ∂D° the k-step blue and purple curves cross at least 3 times as often per extra step
//     (k = 1 … 6; [LM Thm 1]: topological entropy >= log 3), and the widest angle between
//     consecutive blue crossings shrinks (arbitrarily small neighbourhoods);
//   * Fig. 2 right / [LM Thm 2]: the converged points' squared norms hit every bin of width 0.5 of
//     (2|y|, 2/η) = (2, 10); the ranges of imbalance and iteration count are printed;
//   * for each label-map sweep, {Q < 8/η} equals the set of points whose trajectory converges to a
//     stationary point (minimizer, or the saddle 0 from the null set {a = −b}) except within one
//     grid cell of {Q = 8/η}: zero mismatches at points whose 8-neighbourhood has no sign change of
//     Q − 8/η (the mismatches next to it are counted and printed);
//   * sgn I(η; x0) = sgn(Q − 8/η) at every grid point (scalar_vector_certificate (46), §2);
//   * the bisection's transition step agrees with η*(u, v) to 1e-3 relative, the bracket ends
//     having converged (η = 0.05) and failed (η = 1.9/|y|). A run counts as converged when
//     classify labels it minimizer within 200 000 steps. Where 1/|y| is the active term the
//     minimizers lose stability by a flip (2-cycle) bifurcation and convergence just below η* is
//     slow, so a finite step limit places the transition slightly low: the error scales like
//     1/(step limit) (1e-3 with 20 000 steps, 1e-4 with 200 000 in the quick-mode sample).
// Outputs (--output DIR, default "output"): sharp_region_fig2_left.png (D° shaded, ∂D° black, blue
// and purple level sets; u0 to the right, v0 upwards) with sharp_region_fig2_left.npy (uint8
// [row, column], bit 1: a blue crossing to the right or upper neighbour, bit 2: purple);
// sharp_region_boundary_crossings.csv (k, crossings, widest gap); sharp_region_fig2_right.png
// (three histograms, log10 counts) with sharp_region_fig2_right.csv (bin centres and counts);
// sharp_region_d1.png and sharp_region_d5.png (label maps in outcome_palette: minimizer blue,
// saddle sky blue, periodic yellow, diverged vermillion, undecided black; first coordinate to the
// right, second upwards; {Q = 8/η} in black); sharp_region_d1.npy / sharp_region_d5.npy (outcomes,
// uint8, [row, column]) with .json sidecars; sharp_region_critical_step.csv (per sample: y, s, η*,
// bisection bracket, relative error).
// Usage: sharp_region [--output DIR] [--quick] [--threads N]

#include <gdcert/analysis/classify.hpp>
#include <gdcert/analysis/outcome.hpp>
#include <gdcert/analysis/sweep.hpp>
#include <gdcert/certificates/scalar_vector.hpp>
#include <gdcert/core/arithmetic.hpp>
#include <gdcert/dynamics/quotient_map.hpp>
#include <gdcert/io/csv.hpp>
#include <gdcert/io/figure.hpp>
#include <gdcert/io/npy.hpp>
#include <gdcert/io/provenance.hpp>
#include <gdcert/problems/regularized.hpp>
#include <gdcert/problems/scalar.hpp>
#include <gdcert/problems/scalar_vector.hpp>
#include <gdcert/stability/critical_step.hpp>

#include "grid_fields.hpp"
#include "reproduction.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <numbers>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace {

using gdcert::examples::format;
using gdcert::examples::near_sign_change;

constexpr std::size_t max_steps = 20000;        // step limit of each grid trajectory
constexpr std::size_t bisection_steps = 200000; // step limit in the bisection (slow near η|y| = 1)
constexpr double bisection_tolerance = 1e-3;    // relative |η_bisection − η*|
constexpr int bisection_iterations = 20;
constexpr std::uint64_t plane_seed = 2024, sample_seed = 20240605;

bool converged(gdcert::outcome o) {
  return o == gdcert::outcome::minimizer || o == gdcert::outcome::saddle;
}

struct region_check {
  std::string name;
  double eta = 0;
  std::size_t points = 0, inside = 0, converged = 0, saddles = 0, undecided = 0;
  std::size_t mismatches = 0, near_boundary = 0, away = 0, sign_disagreements = 0;
};

/// Sweeps the plane, compares the converged set with {Q < 8/η}, writes the picture and data.
region_check sweep_region(const std::string& name,
                          const gdcert::scalar_vector_factorization& problem,
                          const gdcert::sweep_plane& plane, gdcert::examples::reproduction& run) {
  const double eta = problem.step_size();
  const gdcert::scalar_vector_certificate certificate(problem);
  // Q of the quotient map [LM App. D] with y = 1, λ = 0: the problem's (z, w).
  const gdcert::regularized_factorization twin(eta, problem.vector_dimension(), 1.0, 0.0);
  const gdcert::quotient_map quotient(twin);
  gdcert::sweep_options options;
  options.criteria.max_steps = max_steps;
  const auto result = gdcert::sweep<8>(problem, plane, options, run.policy(), certificate);

  region_check c;
  c.name = name;
  c.eta = eta;
  c.points = result.size();
  std::vector<double> gap(result.size());
  for (std::size_t i = 0; i < result.size(); ++i) {
    const auto x0 = problem.from_coordinates<double>(result.initial_point(i));
    gap[i] = quotient.lyapunov_function(quotient.quotient(x0.a, x0.b)) - 8 / eta;
    c.sign_disagreements += (gap[i] < 0) != result.certified(i);
  }
  for (std::size_t row = 0; row < result.rows(); ++row)
    for (std::size_t column = 0; column < result.columns(); ++column) {
      const std::size_t i = result.index(column, row);
      const bool in_region = gap[i] < 0, ran_to_stationary = converged(result.outcomes[i]);
      c.inside += in_region;
      c.converged += ran_to_stationary;
      c.saddles += result.outcomes[i] == gdcert::outcome::saddle;
      c.undecided += result.outcomes[i] == gdcert::outcome::undecided;
      if (in_region == ran_to_stationary)
        continue;
      ++c.mismatches;
      if (near_sign_change(gap, result.columns(), result.rows(), column, row))
        ++c.near_boundary;
      else
        ++c.away;
    }

  std::vector<std::uint8_t> labels(result.size());
  for (std::size_t i = 0; i < result.size(); ++i)
    labels[i] = static_cast<std::uint8_t>(result.outcomes[i]);
  const std::size_t columns = result.columns(), rows = result.rows();
  constexpr auto palette = gdcert::outcome_palette();
  gdcert::image raster = gdcert::label_raster(labels, int(columns), int(rows), palette);
  gdcert::overlay_field_contour(raster, gap, int(columns), int(rows), 0.0, gdcert::rgb{0, 0, 0});
  const bool coordinates = plane.first_index >= 0; // a coordinate plane, or a random one
  gdcert::plot figure;
  figure.title = format("LM Thm 1: GD outcomes and {Q < 8/η}, d = %zu, η = %.1f",
                        problem.vector_dimension(), eta);
  figure.panel_size = std::clamp(int(columns), 320, 560);
  figure.panels.push_back(
      {std::move(raster),
       {plane.first.lower, plane.first.upper, coordinates ? "a0" : "s (first random direction)"},
       {plane.second.lower, plane.second.upper, coordinates ? "b0" : "t (second random direction)"},
       format("%zu × %zu grid, up to %zu steps%s", columns, rows, max_steps,
              coordinates ? "" : ", random 2-plane through 0")});
  figure.legend = gdcert::outcome_legend();
  figure.legend.push_back({{0, 0, 0}, "Q = 8/η", gdcert::legend_mark::line});
  gdcert::provenance origin = run.origin();
  origin.parameter("eta", eta)
      .parameter("d", problem.vector_dimension())
      .parameter("grid",
                 format("%zu x %zu of [%g, %g] x [%g, %g]", columns, rows, plane.first.lower,
                        plane.first.upper, plane.second.lower, plane.second.upper))
      .parameter("max_steps", max_steps)
      .note("black: {Q = 8/eta}, Q = w + sqrt(w^2 - 16 y z) [LM Thm 1]");
  if (plane.first_index < 0)
    origin.with_seed(plane_seed).note("random 2-plane through 0 (sweep.hpp random_plane)");
  for (int k = 0; k < gdcert::outcome_count; ++k)
    origin.parameter("colour " + std::string(gdcert::to_string(gdcert::outcome(k))),
                     format("#%02x%02x%02x", palette[k].r, palette[k].g, palette[k].b));
  gdcert::write_plot(run.output_file("sharp_region_" + name + ".png"), figure, origin);
  gdcert::write_npy(run.output_file("sharp_region_" + name + ".npy"), labels, {rows, columns},
                    gdcert::provenance(origin).note("values: gdcert::outcome"));
  return c;
}

/// Whether GD at step η from x0 converges to a global minimizer (classify.hpp).
bool converges(double eta, double target, const gdcert::vector<double>& u,
               const gdcert::vector<double>& v) {
  const gdcert::regularized_factorization problem(eta, u.size(), target, 0.0);
  gdcert::outcome_criteria criteria;
  criteria.max_steps = bisection_steps;
  return gdcert::classify(problem, gdcert::regularized_factorization::state<double>{u, v}, criteria)
             .label == gdcert::outcome::minimizer;
}

struct bisection_sample {
  double target, scale, critical, lower, upper, error;
  bool bracketed;
};

// [LM Fig. 2], the paper's protocol (LM App. H): d = 1, y = 1, η = 0.2.
constexpr double fig2_eta = 0.2;
constexpr std::size_t fig2_left_steps = 6;    // "ran gradient descent ... for 6 iterations"
constexpr std::size_t fig2_right_steps = 250; // "for 250 iterations"
constexpr double fig2_right_loss_low = 1e-8, fig2_right_loss_high = 100; // stopping rule
constexpr int boundary_iterations = 6; // k = 1 … 6 for the crossings of ∂D°

/// Q(a, b) of [LM Thm 1] for d = 1, y = 1: w + √(w² − 16z), (z, w) = (ab − 1, a² + b²).
double lyapunov(const gdcert::quotient_map& quotient, double a, double b) {
  return quotient.lyapunov_function(gdcert::quotient_point<double>{a * b - 1, a * a + b * b});
}

struct fig2_left_result {
  std::size_t points = 0, edges = 0;          // grid points, grid edges (neighbour pairs)
  std::size_t blue = 0, purple = 0;           // edges crossed by the blue / purple level sets
  std::size_t blue_near = 0, purple_near = 0; // … with an end within one cell of ∂D°
  std::size_t purple_to_saddle = 0;           // purple edges whose 6th iterates lie in D°
};

/// [LM Fig. 2 left] as LM App. H draws it: n × n points of [−4.5, 4.5]², 6 steps of GD at η = 0.2;
/// blue: the zero level set of the final residual ab − 1 (the loss's zero set: convergence to a
/// minimizer within 6 steps), kept where the minimizer is unstable (a² + b² > 2/η); purple: the
/// zero level set of the final a + b (the saddle's stable line {u = −sgn(y) v}, y = 1), kept
/// inside D° (LM: "filtered out the points that lie in D°", i.e. selected them, as for the blue
/// lines; outside D° a point converges to a minimizer in finitely many steps or diverges). Writes
/// the picture and the crossing mask.
fig2_left_result fig2_left(std::size_t n, gdcert::examples::reproduction& run) {
  const gdcert::scalar_factorization problem(fig2_eta, 1.0);
  const gdcert::regularized_factorization twin(fig2_eta, 1, 1.0, 0.0);
  const gdcert::quotient_map quotient(twin);
  const gdcert::grid_axis axis{-4.5, 4.5, n};
  const double nan = std::numeric_limits<double>::quiet_NaN(), limit = 8 / fig2_eta;
  std::vector<double> gap(n * n), residual(n * n), line(n * n), final_gap(n * n);
  std::vector<std::uint8_t> region(n * n);
  for (std::size_t row = 0; row < n; ++row)
    for (std::size_t column = 0; column < n; ++column) {
      const std::size_t i = row * n + column;
      gdcert::scalar_factorization::state<double> x{axis.value(column), axis.value(row)};
      gap[i] = lyapunov(quotient, x.a, x.b) - limit;
      region[i] = gap[i] < 0;
      for (std::size_t t = 0; t < fig2_left_steps; ++t)
        x = problem.step(x);
      const double w = x.a * x.a + x.b * x.b;
      residual[i] = w > 2 / fig2_eta ? x.a * x.b - 1 : nan; // unstable minimizers only
      line[i] = gap[i] < 0 ? x.a + x.b : nan;               // inside D° only (LM App. H)
      final_gap[i] = std::isfinite(w) ? lyapunov(quotient, x.a, x.b) - limit : nan;
    }
  fig2_left_result r;
  r.points = n * n;
  const auto crosses = [](double p, double q) {
    return std::isfinite(p) && std::isfinite(q) && (p < 0) != (q < 0);
  };
  for (std::size_t row = 0; row < n; ++row)
    for (std::size_t column = 0; column < n; ++column)
      for (const auto& [dr, dc] : {std::pair<std::size_t, std::size_t>{0, 1}, {1, 0}}) {
        if (row + dr >= n || column + dc >= n)
          continue;
        ++r.edges;
        const std::size_t i = row * n + column, j = (row + dr) * n + column + dc;
        const bool near = near_sign_change(gap, n, n, column, row) ||
                          near_sign_change(gap, n, n, column + dc, row + dr);
        if (crosses(residual[i], residual[j])) {
          ++r.blue;
          r.blue_near += near;
        }
        if (crosses(line[i], line[j])) {
          ++r.purple;
          r.purple_near += near;
          r.purple_to_saddle += final_gap[i] < 0 && final_gap[j] < 0;
        }
      }

  const std::array<gdcert::rgb, 2> palette{gdcert::rgb{255, 255, 255}, gdcert::rgb{222, 226, 232}};
  const gdcert::rgb blue{0, 114, 178}, purple{150, 60, 170}, black{0, 0, 0};
  gdcert::image raster = gdcert::label_raster(region, int(n), int(n), palette);
  gdcert::overlay_field_contour(raster, gap, int(n), int(n), 0.0, black);
  gdcert::overlay_field_contour(raster, residual, int(n), int(n), 0.0, blue);
  gdcert::overlay_field_contour(raster, line, int(n), int(n), 0.0, purple);
  gdcert::plot figure;
  figure.title = "LM Fig. 2 left: basins of unstable minimizers and of the saddle, η = 0.2";
  figure.panel_size = std::clamp(int(n), 320, 800);
  figure.panels.push_back(
      {std::move(raster),
       {-4.5, 4.5, "u0"},
       {-4.5, 4.5, "v0"},
       format("%zu × %zu grid, %zu GD steps (LM App. H)", n, n, fig2_left_steps)});
  figure.legend = {{palette[1], "D° = {Q < 8/η}"},
                   {black, "Q = 8/η (∂D°)", gdcert::legend_mark::line},
                   {blue, "→ unstable minimizer in 6 steps", gdcert::legend_mark::line},
                   {purple, "→ saddle line u = −v in 6 steps, in D°", gdcert::legend_mark::line}};
  gdcert::provenance origin = run.origin();
  origin.parameter("eta", fig2_eta)
      .parameter("grid", format("%zu x %zu of [-4.5, 4.5]^2", n, n))
      .parameter("steps", fig2_left_steps)
      .note("protocol of LM App. H for Fig. 2 left: zero level sets after 6 steps of ab - 1 "
            "(kept where a^2 + b^2 > 2/eta) and of a + b (kept inside D°)");
  gdcert::write_plot(run.output_file("sharp_region_fig2_left.png"), figure, origin);
  std::vector<std::uint8_t> mask(n * n, 0);
  for (std::size_t i = 0; i + 1 < n * n; ++i) {
    if (crosses(residual[i], residual[i + 1]) ||
        (i + n < n * n && crosses(residual[i], residual[i + n])))
      mask[i] |= 1;
    if (crosses(line[i], line[i + 1]) || (i + n < n * n && crosses(line[i], line[i + n])))
      mask[i] |= 2;
  }
  gdcert::write_npy(run.output_file("sharp_region_fig2_left.npy"), mask, {n, n},
                    gdcert::provenance(origin).note(
                        "[row, column]; bit 1: blue level set crosses to the right or upper "
                        "neighbour, bit 2: purple"));
  return r;
}

struct boundary_crossings {
  int k;
  std::size_t blue, purple;
  double widest_gap; // largest angle between consecutive blue crossings (radians)
};

/// Crossings of ∂D° (d = 1, y = 1, η = 0.2) by the k-step preimages of the unstable minimizers
/// and of the saddle line, k = 1 … 6: ∂D° is sampled at `samples` angles θ, in closed form
/// r² = (c² − 16)/(2c − 8 sin 2θ), c = 8/η (solve Q = c along the ray), and sign changes of
/// a_k b_k − 1 (both ends with a_k² + b_k² > 2/η) and of a_k + b_k between neighbours are counted.
std::vector<boundary_crossings> count_boundary_crossings(std::size_t samples) {
  const gdcert::scalar_factorization problem(fig2_eta, 1.0);
  const double c = 8 / fig2_eta;
  std::vector<boundary_crossings> counts;
  for (int k = 1; k <= boundary_iterations; ++k) {
    boundary_crossings b{k, 0, 0, 0};
    double previous_residual = 0, previous_line = 0, last = -1;
    bool previous_unstable = false, previous_finite = false;
    for (std::size_t s = 0; s <= samples; ++s) {
      const double theta = 2 * std::numbers::pi * double(s) / double(samples);
      const double r = std::sqrt((c * c - 16) / (2 * c - 8 * std::sin(2 * theta)));
      gdcert::scalar_factorization::state<double> x{r * std::cos(theta), r * std::sin(theta)};
      for (int t = 0; t < k; ++t)
        x = problem.step(x);
      const double residual = x.a * x.b - 1, line = x.a + x.b;
      const bool finite = std::isfinite(residual) && std::isfinite(line);
      const bool unstable = finite && x.a * x.a + x.b * x.b > 2 / fig2_eta;
      if (s > 0 && finite && previous_finite) {
        if (unstable && previous_unstable && (residual < 0) != (previous_residual < 0)) {
          ++b.blue;
          if (last >= 0)
            b.widest_gap = std::max(b.widest_gap, theta - last);
          last = theta;
        }
        b.purple += (line < 0) != (previous_line < 0);
      }
      previous_residual = residual, previous_line = line;
      previous_unstable = unstable, previous_finite = finite;
    }
    counts.push_back(b);
  }
  return counts;
}

struct fig2_right_result {
  std::size_t points = 0, converged = 0, diverged = 0, undecided = 0;
  std::vector<double> norm2, imbalance, iterations; // of the converged points
};

/// [LM Fig. 2 right] as LM App. H: n × n points of [−0.9, −0.6] × [−4.55, −4.25], GD at η = 0.2
/// for up to 250 steps, stopped when the loss drops below 1e−8 (converged) or exceeds 100.
fig2_right_result fig2_right(std::size_t n) {
  const gdcert::scalar_factorization problem(fig2_eta, 1.0);
  const gdcert::grid_axis first{-0.9, -0.6, n}, second{-4.55, -4.25, n};
  fig2_right_result r;
  r.points = n * n;
  for (std::size_t row = 0; row < n; ++row)
    for (std::size_t column = 0; column < n; ++column) {
      gdcert::scalar_factorization::state<double> x{first.value(column), second.value(row)};
      std::size_t t = 0;
      double loss = problem.loss(x);
      for (; t < fig2_right_steps && loss >= fig2_right_loss_low && loss <= fig2_right_loss_high;
           ++t) {
        x = problem.step(x);
        loss = problem.loss(x);
      }
      if (loss < fig2_right_loss_low) {
        ++r.converged;
        r.norm2.push_back(x.a * x.a + x.b * x.b);
        r.imbalance.push_back(x.a * x.a - x.b * x.b);
        r.iterations.push_back(double(t));
      } else if (loss > fig2_right_loss_high || !std::isfinite(loss)) {
        ++r.diverged;
      } else {
        ++r.undecided;
      }
    }
  return r;
}

/// Counts of `values` in `bins` equal bins of [lower, upper] (values outside are dropped).
std::vector<double> histogram(const std::vector<double>& values, double lower, double upper,
                              int bins) {
  std::vector<double> counts(std::size_t(bins), 0);
  for (const double v : values) {
    const double f = (v - lower) / (upper - lower) * bins;
    if (f >= 0 && f < bins)
      counts[std::size_t(f)] += 1;
  }
  return counts;
}

} // namespace

int main(int argc, char** argv) {
  gdcert::examples::reproduction run(
      "sharp_region",
      "LM Thm 1-2 / Fig. 2: region {Q < 8/η}, basins at its boundary, critical step η*(u, v)");
  run.parse(argc, argv);

  // 0. [LM Fig. 2 left] on LM App. H's protocol, and the crossings of ∂D° by its curves.
  const fig2_left_result left = fig2_left(run.choose<std::size_t>(800, 200), run);
  const auto crossings =
      count_boundary_crossings(run.choose<std::size_t>(std::size_t(1) << 20, std::size_t(1) << 18));
  {
    std::vector<std::uint64_t> ks, blues, purples;
    std::vector<double> gaps;
    for (const auto& b : crossings) {
      ks.push_back(std::uint64_t(b.k)), blues.push_back(b.blue), purples.push_back(b.purple);
      gaps.push_back(b.widest_gap);
    }
    gdcert::csv_table table;
    table.add_column("k", ks)
        .add_column("blue_crossings", blues)
        .add_column("purple_crossings", purples)
        .add_column("widest_blue_gap_radians", gaps);
    gdcert::provenance origin = run.origin();
    origin.parameter("eta", fig2_eta)
        .parameter("samples of the boundary",
                   run.choose<std::size_t>(std::size_t(1) << 20, std::size_t(1) << 18))
        .note("sign changes along {Q = 8/eta} of a_k b_k - 1 (a_k^2 + b_k^2 > 2/eta) and of "
              "a_k + b_k");
    gdcert::write_csv(run.output_file("sharp_region_boundary_crossings.csv"), table, origin);
  }

  // 1. Label map of LM Fig. 2's window (the example's own): d = 1, η = 0.2, [−4.5, 4.5]².
  std::vector<region_check> checks;
  {
    const gdcert::scalar_vector_factorization problem(0.2, 1);
    const std::size_t n = run.choose<std::size_t>(800, 160);
    const gdcert::grid_axis axis{-4.5, 4.5, n};
    const gdcert::scalar_vector_factorization::state<double> origin{
        gdcert::vector<double>::Zero(1), gdcert::vector<double>::Zero(1)};
    checks.push_back(sweep_region(
        "d1", problem, gdcert::coordinate_plane(problem, origin, 0, axis, 1, axis), run));
  }
  // 2. A random 2-plane of the d = 5 problem, η = 0.5.
  {
    const gdcert::scalar_vector_factorization problem(0.5, 5);
    const std::size_t n = run.choose<std::size_t>(400, 100);
    const gdcert::grid_axis axis{-4.0, 4.0, n};
    const gdcert::scalar_vector_factorization::state<double> origin{
        gdcert::vector<double>::Zero(5), gdcert::vector<double>::Zero(5)};
    checks.push_back(sweep_region(
        "d5", problem, gdcert::random_plane(problem, origin, plane_seed, axis, axis), run));
  }
  std::printf("\n%6s %5s %9s %9s %9s %7s %9s %11s %10s %6s %10s\n", "sweep", "eta", "points",
              "Q<8/eta", "converged", "saddle", "undecided", "mismatches", "near.bdry", "away",
              "sgn(I)!=");
  for (const auto& c : checks)
    std::printf("%6s %5.2f %9zu %9zu %9zu %7zu %9zu %11zu %10zu %6zu %10zu\n", c.name.c_str(),
                c.eta, c.points, c.inside, c.converged, c.saddles, c.undecided, c.mismatches,
                c.near_boundary, c.away, c.sign_disagreements);

  // 3. [LM Fig. 2 right] on LM App. H's protocol: histograms over a small square across ∂D°.
  const std::size_t right_n = run.choose<std::size_t>(800, 200);
  const fig2_right_result right = fig2_right(right_n);
  constexpr double norm_lower = 2, norm_upper = 10; // (ρ_min, 2/η) = (2|y|, 2/η) [LM Thm 2]
  constexpr int norm_bins = 16;
  const std::vector<double> norm_counts = histogram(right.norm2, norm_lower, norm_upper, norm_bins);
  const auto [fewest_iterations, most_iterations] =
      std::minmax_element(right.iterations.begin(), right.iterations.end());
  const auto [lowest_imbalance, highest_imbalance] =
      std::minmax_element(right.imbalance.begin(), right.imbalance.end());
  const auto [lowest_norm, highest_norm] =
      std::minmax_element(right.norm2.begin(), right.norm2.end());
  {
    struct quantity {
      const std::vector<double>* values;
      double lower, upper;
      int bins;
      const char* axis;
    };
    const std::array<quantity, 3> quantities{
        quantity{&right.norm2, 0.125, 12.125, 48, "squared norm |u|² + |v|² of the limit"},
        quantity{&right.imbalance, -12.25, 12.25, 49, "imbalance |u|² − |v|² of the limit"},
        quantity{&right.iterations, 0, double(fig2_right_steps), 50, "iterations to loss < 1e−8"}};
    gdcert::plot figure;
    figure.title = format("LM Fig. 2 right: %zu × %zu points of [−0.9, −0.6] × [−4.55, −4.25], "
                          "η = 0.2, up to 250 steps",
                          right_n, right_n);
    figure.columns = 3;
    figure.panel_size = 360;
    figure.panel_height = 260;
    gdcert::csv_table table;
    for (const quantity& q : quantities) {
      const std::vector<double> counts = histogram(*q.values, q.lower, q.upper, q.bins);
      std::vector<double> x, y, centres;
      const double width = (q.upper - q.lower) / q.bins;
      for (int b = 0; b < q.bins; ++b) { // a step curve, broken at empty bins (log10 axis)
        const double left_edge = q.lower + b * width, count = counts[std::size_t(b)];
        x.insert(x.end(), {left_edge, left_edge + width});
        y.insert(y.end(), {count, count});
        centres.push_back(left_edge + width / 2);
      }
      const double top = *std::max_element(counts.begin(), counts.end());
      gdcert::plot_panel p;
      p.x = {q.lower, q.upper, q.axis};
      p.y = {0.5, std::max(10.0, 3 * top), "initializations", gdcert::axis_scale::log10};
      p.series = {{x, y, gdcert::series_colour(0), gdcert::series_style::line, 2}};
      if (q.values == &right.norm2)
        p.references = {{norm_lower, {213, 40, 0}, "ρ_min = 2|y| and 2/η (LM Thm 2)", true},
                        {norm_upper, {213, 40, 0}, "ρ_min = 2|y| and 2/η (LM Thm 2)", true}};
      p.title = format("%zu converged", q.values->size());
      figure.panels.push_back(std::move(p));
      const std::string name = q.values == &right.norm2       ? "norm2"
                               : q.values == &right.imbalance ? "imbalance"
                                                              : "iterations";
      std::vector<double> padded_centres(50, std::nan("")), padded_counts(50, std::nan(""));
      std::copy(centres.begin(), centres.end(), padded_centres.begin());
      std::copy(counts.begin(), counts.end(), padded_counts.begin());
      table.add_column(name + "_bin_centre", padded_centres)
          .add_column(name + "_count", padded_counts);
    }
    gdcert::provenance origin = run.origin();
    origin.parameter("eta", fig2_eta)
        .parameter("grid", format("%zu x %zu of [-0.9, -0.6] x [-4.55, -4.25]", right_n, right_n))
        .parameter("max_steps", fig2_right_steps)
        .parameter("stop", "loss < 1e-8 (converged) or loss > 100")
        .note("histograms of the converged points; NaN pads the shorter columns");
    gdcert::write_csv(run.output_file("sharp_region_fig2_right.csv"), table, origin);
    gdcert::write_plot(run.output_file("sharp_region_fig2_right.png"), figure, origin);
  }

  // 4. η*(u, v) by bisection on η.
  const int samples = run.choose(24, 6);
  std::mt19937_64 rng(sample_seed);
  std::uniform_real_distribution<double> scale_distribution(0.2, 1.2);
  std::vector<bisection_sample> bisections;
  for (int k = 0; k < samples; ++k) {
    const double target = k % 2 == 0 ? 1.0 : -0.6, scale = scale_distribution(rng);
    std::normal_distribution<double> normal(0.0, scale);
    gdcert::vector<double> u(5), v(5);
    for (int i = 0; i < 5; ++i) {
      u(i) = normal(rng);
      v(i) = normal(rng);
    }
    bisection_sample s{target,
                       scale,
                       gdcert::liang_montufar_critical_step(target, u, v),
                       0.05,
                       1.9 / std::abs(target),
                       0,
                       false};
    s.bracketed = converges(s.lower, target, u, v) && !converges(s.upper, target, u, v);
    for (int iteration = 0; s.bracketed && iteration < bisection_iterations; ++iteration) {
      const double middle = (s.lower + s.upper) / 2;
      (converges(middle, target, u, v) ? s.lower : s.upper) = middle;
    }
    s.error = std::abs((s.lower + s.upper) / 2 - s.critical) / s.critical;
    bisections.push_back(s);
  }
  std::printf("\n%6s %6s %12s %12s %12s %10s %s\n", "y", "s", "eta*", "bisect.lo", "bisect.hi",
              "rel.err", "active term");
  std::size_t agree = 0;
  double worst = 0;
  for (const auto& s : bisections) {
    const bool inverse_target = s.critical == 1 / std::abs(s.target);
    std::printf("%6.2f %6.3f %12.8f %12.8f %12.8f %10.2e %s\n", s.target, s.scale, s.critical,
                s.lower, s.upper, s.error, inverse_target ? "1/|y|" : "8/Q");
    agree += s.bracketed && s.error <= bisection_tolerance;
    worst = std::max(worst, s.error);
  }
  std::vector<double> targets, scales, criticals, lowers, uppers, errors;
  for (const auto& s : bisections) {
    targets.push_back(s.target);
    scales.push_back(s.scale);
    criticals.push_back(s.critical);
    lowers.push_back(s.lower);
    uppers.push_back(s.upper);
    errors.push_back(s.error);
  }
  gdcert::csv_table table;
  table.add_column("y", targets)
      .add_column("s", scales)
      .add_column("eta_star", criticals)
      .add_column("bisection_lower", lowers)
      .add_column("bisection_upper", uppers)
      .add_column("relative_error", errors);
  gdcert::provenance origin = run.origin();
  origin.with_seed(sample_seed)
      .parameter("d", 5)
      .parameter("bisection iterations", bisection_iterations)
      .parameter("max_steps", bisection_steps);
  const auto csv_file = run.output_file("sharp_region_critical_step.csv");
  gdcert::write_csv(csv_file, table, origin);

  std::printf("\n");
  for (const auto& c : checks) {
    run.verdict(c.away == 0 && c.inside > 0,
                format("%s: convergence region = {Q < 8/η} at η = %.1f except within one grid cell "
                       "of its boundary (LM Thm 1)",
                       c.name.c_str(), c.eta),
                format("%zu mismatches of %zu points: %zu next to {Q = 8/η}, %zu away from it; "
                       "%zu inside, %zu converged (%zu to the saddle), %zu undecided",
                       c.mismatches, c.points, c.near_boundary, c.away, c.inside, c.converged,
                       c.saddles, c.undecided));
    run.verdict(c.sign_disagreements == 0,
                format("%s: sgn I(η; x0) = sgn(Q − 8/η) at every grid point (46)", c.name.c_str()),
                format("%zu disagreements", c.sign_disagreements));
  }
  run.verdict(left.blue > 0 && left.purple > 0 && left.blue_near > 0 && left.purple_near > 0 &&
                  left.purple_to_saddle == left.purple && left.blue + left.purple < left.edges / 10,
              "LM Fig. 2 left (6 steps): the basins of unstable minimizers (blue) and of the "
              "saddle (purple, in D°) are thin curves that reach ∂D°",
              format("of %zu grid edges: blue crosses %zu (%zu within one cell of ∂D°), purple "
                     "%zu (%zu within one cell of ∂D°; %zu with both 6th iterates inside D°, i.e. "
                     "bound for the saddle)",
                     left.edges, left.blue, left.blue_near, left.purple, left.purple_near,
                     left.purple_to_saddle));
  bool tripling = true;
  std::string blue_counts, purple_counts, gaps;
  for (std::size_t k = 0; k < crossings.size(); ++k) {
    const auto& b = crossings[k];
    if (k > 0)
      tripling = tripling && b.blue >= 3 * crossings[k - 1].blue &&
                 b.purple >= 3 * crossings[k - 1].purple &&
                 b.widest_gap < crossings[k - 1].widest_gap;
    blue_counts += format("%s%zu", k ? " " : "", b.blue);
    purple_counts += format("%s%zu", k ? " " : "", b.purple);
    gaps += format("%s%.2g", k ? " " : "", b.widest_gap);
  }
  run.verdict(tripling && crossings.front().blue > 0,
              "the k-step basins cross ∂D° at least 3 times as often per extra step, k = 1 … 6, "
              "and their crossings close up (LM Thm 1: topological entropy >= log 3, basins meet "
              "∂D° in arbitrarily small neighbourhoods)",
              format("blue crossings %s; purple %s; widest angle between blue crossings %s rad",
                     blue_counts.c_str(), purple_counts.c_str(), gaps.c_str()));
  const bool covers =
      std::all_of(norm_counts.begin(), norm_counts.end(), [](double count) { return count > 0; });
  run.verdict(right.converged > 0 && covers,
              "LM Fig. 2 right / Thm 2: from a small square across ∂D° the limits' squared norms "
              "cover (2|y|, 2/η) = (2, 10) (every bin of width 0.5 hit); imbalance and iteration "
              "counts spread wide",
              format("%zu of %zu converged (%zu diverged, %zu undecided at 250 steps); squared "
                     "norm in [%.3f, %.3f], %d of %d bins hit; imbalance in [%.2f, %.2f]; "
                     "iterations %.0f … %.0f",
                     right.converged, right.points, right.diverged, right.undecided,
                     right.converged ? *lowest_norm : 0.0, right.converged ? *highest_norm : 0.0,
                     int(std::count_if(norm_counts.begin(), norm_counts.end(),
                                       [](double count) { return count > 0; })),
                     norm_bins, right.converged ? *lowest_imbalance : 0.0,
                     right.converged ? *highest_imbalance : 0.0,
                     right.converged ? *fewest_iterations : 0.0,
                     right.converged ? *most_iterations : 0.0));
  run.verdict(agree == bisections.size(),
              "critical step η*(u, v) = min{1/|y|, 8/Q} matches bisection on η (LM eq. 3)",
              format("%zu of %zu samples within %.0e relative, max error %.2e", agree,
                     bisections.size(), bisection_tolerance, worst));
  return run.finish();
}
