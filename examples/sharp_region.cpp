// The sharp convergence region of scalar-vector factorization ([LM Thm 1], [LM Fig. 2]): GD converges iff Q < 8/η, and the critical step size η*(u, v).
//
// Reproduces Liang–Montúfar's Theorem 1 for ½(⟨a,b⟩ − y)², a, b ∈ ℝ^d (docs/formulas.md §6-7):
// for η|y| < 1 the convergence region equals D° = {Q < 8/η} up to a null set, Q = w + √(w² − 16yz)
// with (z, w) = (⟨a,b⟩ − y, ‖a‖² + ‖b‖²) (quotient_map::lyapunov_function), and GD converges for
// almost every x0 iff η < η*(x0) = min{1/|y|, 8/Q(x0)} [LM eq. 3].
//   * [LM Fig. 2] (d = 1, y = 1): (a0, b0) on an 800 × 800 grid of [−4.5, 4.5]², η = 0.2 (160 × 160
//     with --quick), gdcert::scalar_vector_factorization, the library's sweep engine;
//   * a random 2-plane of the d = 5 problem (as LM slice ℝ^10, [LM App. H]): origin 0, orthonormal
//     directions from seed 2024 (sweep.hpp random_plane), coordinates in [−4, 4]², 400 × 400
//     (100 × 100 with --quick), η = 0.5;
//   * η*(u, v) (stability/critical_step.hpp) against a bisection on η of the outcome of GD on the
//     d = 5 problem (gdcert::regularized_factorization, λ = 0) from 24 random (u, v) (6 with
//     --quick), u, v ~ N(0, s²), s uniform in [0.2, 1.2], targets y = 1 and y = −0.6 alternately.
// Claims checked, each with a PASS/FAIL line computed from the run:
//   * for each sweep, {Q < 8/η} equals the set of points whose trajectory converges to a
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
// Outputs (--output DIR, default "output"): sharp_region_d1.png and sharp_region_d5.png (label maps
// in outcome_palette: minimizer blue, saddle sky blue, periodic yellow, diverged vermillion,
// undecided black; first coordinate to the right, second upwards; {Q = 8/η} in black);
// sharp_region_d1.npy / sharp_region_d5.npy (outcomes, uint8, [row, column]) with .json sidecars;
// sharp_region_critical_step.csv (per sample: y, s, η*, bisection bracket, relative error).
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
#include <gdcert/problems/scalar_vector.hpp>
#include <gdcert/stability/critical_step.hpp>

#include "grid_fields.hpp"
#include "reproduction.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
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

} // namespace

int main(int argc, char** argv) {
  gdcert::examples::reproduction run(
      "sharp_region", "LM Thm 1 / Fig. 2: convergence region = {Q < 8/η}, critical step η*(u, v)");
  run.parse(argc, argv);

  // 1. [LM Fig. 2]: d = 1, η = 0.2, [−4.5, 4.5]².
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

  // 3. η*(u, v) by bisection on η.
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
  run.verdict(agree == bisections.size(),
              "critical step η*(u, v) = min{1/|y|, 8/Q} matches bisection on η (LM eq. 3)",
              format("%zu of %zu samples within %.0e relative, max error %.2e", agree,
                     bisections.size(), bisection_tolerance, worst));
  return run.finish();
}
