// Main example: certified region I_fac(eta; x0) < 0 vs. where GD converges (paper Figure 4).
//
// Reproduces Figure 4 / Appendix J.1 of the paper (docs/formulas.md §8). For rank-1 factorization
// of X = diag(1, 0) (gdcert::rank1_factorization, map (14)) and its certificate I_fac (17):
//   * (a0, b0) on an N×N grid of [−2.5, 2.5]² (N = 200 by default, 60 with --quick),
//   * (u0, v0) ∈ {(.2,.2), (.6,.6), (1,1), (1.4,1.4), (2,0)}, η ∈ {.2, .4, .8, 1.2}, T = 400 steps,
//   * converged iff u² + v² < 1e−2 and |1 − ab| < 1e−2 after T steps (397); diverged iff a state
//     is non-finite or its norm exceeds 1e6 (the run stops there); otherwise not converged,
//   * certified iff I_fac(η; x0) < 0, i.e. δ(x0) > η, the hypothesis of Theorem 2 (η < 2 only).
// Claims checked, each with a PASS/FAIL line computed from the run:
//   * η < 1 (Theorem 2 (1)): certified initializations converge to a minimizer, for almost every
//     certified x0; the grid's failing fraction must be <= 1 %. "Almost every" matters here: the
//     grid is symmetric, so it holds N points of each panel with u0 = v0 on the set
//     {a = −b, u = v}, which GD maps into itself (exactly, in floating point too) and on which it
//     converges to the saddle 0 ∈ S \ M*. Those points are counted and reported on their own and
//     left out of the failing fraction (the raw fraction is printed next to it).
//   * η = 1.2 (Theorem 2 (2), App. J.1 (ii)): no initialization converges to a minimizer.
//   * Proposition 2: along every certified trajectory δ_t = δ(x_t) is non-decreasing (up to a
//     rounding slack of 1e−12).
// Outputs (in --output DIR, default "output"): certified_convergence.png, a mosaic of 5 columns
// ((u0, v0) in the order above) × 4 rows (η from top to bottom), a on the horizontal axis
// (increasing to the right), b vertical (increasing upwards), the zero contour of I_fac(η; ·) in
// black; certified_convergence.csv, one row per grid point with a provenance comment line.
// Usage: certified_convergence [--resolution N] [--output DIR] [--quick]

#include <gdcert/analysis/execution.hpp>
#include <gdcert/certificates/factorization.hpp>
#include <gdcert/io/png.hpp>
#include <gdcert/io/provenance.hpp>
#include <gdcert/problems/rank1_factorization.hpp>
#include <gdcert/version.hpp>

#include "reproduction.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

using gdcert::examples::format;
using state = gdcert::rank1_factorization::state<double>;

// Parameters of Appendix J.1, as published.
constexpr int horizon = 400;            // T
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

enum class outcome : std::uint8_t { converged, not_converged, diverged };

constexpr std::string_view name(outcome o) {
  switch (o) {
  case outcome::converged:
    return "converged";
  case outcome::not_converged:
    return "not_converged";
  case outcome::diverged:
    return "diverged";
  }
  return "unknown";
}

struct point_result {
  double certificate_value; // I_fac(η; x0); NaN where η >= 2 (no certificate)
  double final_loss;
  int steps;
  outcome result;
  bool certified;
};

// What the Proposition 2 check saw on one set of trajectories.
struct monotonicity_record {
  long trajectories = 0;   // certified trajectories checked
  long violations = 0;     // trajectories with some δ_{t+1} < δ_t − slack
  double largest_drop = 0; // max over all steps of δ_t − δ_{t+1} (<= 0 if δ_t never decreased)
  void merge(const monotonicity_record& other) {
    trajectories += other.trajectories;
    violations += other.violations;
    largest_drop = std::max(largest_drop, other.largest_drop);
  }
};

struct panel {
  double eta;
  off_signal_pair off_signal;
  std::vector<point_result> points; // row-major: index j·N + i for (a_i, b_j)
  std::vector<monotonicity_record> row_monotonicity;
  long certified = 0, converged = 0, diverged = 0, certified_failing = 0;
  long certified_null = 0, certified_null_failing = 0; // on the invariant set {a = −b, u = v}
  monotonicity_record monotonicity;
};

// a_i = A(2i − (N − 1))/(N − 1): exactly antisymmetric (a_{N−1−i} = −a_i), so the grid is
// symmetric in floating point as it is on paper.
double grid_coordinate(int index, int resolution) {
  return extent * (2.0 * index - (resolution - 1)) / (resolution - 1);
}

// The measure-zero invariant set {a = −b, u = v}: GD keeps it, and on it converges to the saddle 0.
bool on_invariant_null_set(const state& x) {
  return x.a == -x.b && x.u == x.v;
}

double squared_norm(const state& x) {
  return x.a * x.a + x.b * x.b + x.u * x.u + x.v * x.v;
}

// One trajectory of Appendix J.1. The map is the library's (14); the loop only adds the stop on
// divergence and, for certified starts, the δ_t bookkeeping of Proposition 2.
point_result run_trajectory(const gdcert::rank1_factorization& problem,
                            const gdcert::factorization_certificate& certificate, const state& x0,
                            monotonicity_record& monotonicity) {
  const double eta = problem.step_size();
  point_result r{};
  r.certificate_value = eta < 2 ? certificate(eta, x0) : std::nan("");
  r.certified = eta < 2 && r.certificate_value < 0;
  double delta = r.certified ? certificate.state_parameter(x0) : 0.0;
  bool violated = false;
  state x = x0;
  r.result = outcome::not_converged;
  int t = 0;
  while (t < horizon) {
    x = problem.step(x);
    ++t;
    // NaN fails the comparison too, so non-finite states are caught here.
    if (!(squared_norm(x) <= divergence_norm * divergence_norm)) {
      r.result = outcome::diverged;
      break;
    }
    if (r.certified) {
      const double next = certificate.state_parameter(x);
      const double drop = delta - next;
      monotonicity.largest_drop = std::max(monotonicity.largest_drop, drop);
      violated = violated || drop > monotonicity_slack;
      delta = next;
    }
  }
  if (r.certified) {
    ++monotonicity.trajectories;
    if (violated)
      ++monotonicity.violations;
  }
  r.steps = t;
  r.final_loss = problem.loss(x);
  if (r.result != outcome::diverged && x.u * x.u + x.v * x.v < tolerance &&
      std::abs(1 - x.a * x.b) < tolerance)
    r.result = outcome::converged;
  return r;
}

// Panels are split into rows of the grid, one row per tile of the library's thread pool
// (for_each_tile); each row writes only its own slots, so the results are identical for any
// thread count.
void sweep(std::vector<panel>& panels, int resolution, gdcert::execution_policy policy) {
  const std::size_t tasks = panels.size() * static_cast<std::size_t>(resolution);
  policy.tile = 1;
  gdcert::for_each_tile(tasks, policy, [&](std::size_t begin, std::size_t end) {
    for (std::size_t task = begin; task < end; ++task) {
      panel& p = panels[task / static_cast<std::size_t>(resolution)];
      const int j = static_cast<int>(task % static_cast<std::size_t>(resolution));
      const gdcert::rank1_factorization problem(p.eta);
      const gdcert::factorization_certificate certificate(problem);
      const double b0 = grid_coordinate(j, resolution);
      monotonicity_record& monotonicity = p.row_monotonicity[j];
      for (int i = 0; i < resolution; ++i) {
        const state x0{grid_coordinate(i, resolution), b0, p.off_signal.u, p.off_signal.v};
        p.points[static_cast<std::size_t>(j) * resolution + i] =
            run_trajectory(problem, certificate, x0, monotonicity);
      }
    }
  });

  for (auto& p : panels) {
    for (const auto& record : p.row_monotonicity)
      p.monotonicity.merge(record);
    for (int j = 0; j < resolution; ++j)
      for (int i = 0; i < resolution; ++i) {
        const point_result& r = p.points[static_cast<std::size_t>(j) * resolution + i];
        const bool failing = r.certified && r.result != outcome::converged;
        const state x0{grid_coordinate(i, resolution), grid_coordinate(j, resolution),
                       p.off_signal.u, p.off_signal.v};
        p.certified += r.certified;
        p.converged += r.result == outcome::converged;
        p.diverged += r.result == outcome::diverged;
        p.certified_failing += failing;
        if (on_invariant_null_set(x0)) {
          p.certified_null += r.certified;
          p.certified_null_failing += failing;
        }
      }
  }
}

using gdcert::rgb;
constexpr rgb converged_colour{46, 110, 200};      // blue
constexpr rgb not_converged_colour{240, 160, 190}; // pink, as in the paper's Figure 4
constexpr rgb diverged_colour{205, 205, 205};      // light grey
constexpr rgb contour_colour{0, 0, 0};
constexpr rgb background_colour{255, 255, 255};

rgb colour_of(outcome o) {
  switch (o) {
  case outcome::converged:
    return converged_colour;
  case outcome::not_converged:
    return not_converged_colour;
  case outcome::diverged:
    return diverged_colour;
  }
  return background_colour;
}

bool write_mosaic(const std::vector<panel>& panels, int resolution,
                  const std::filesystem::path& file) {
  const int columns = static_cast<int>(off_signal_pairs.size());
  const int rows = static_cast<int>(step_sizes.size());
  const int gap = std::max(2, resolution / 40);
  const int width = columns * resolution + (columns + 1) * gap;
  const int height = rows * resolution + (rows + 1) * gap;
  gdcert::image image(width, height, background_colour);
  auto put = [&](int x, int y, rgb c) { image.set(x, y, c); };
  for (int row = 0; row < rows; ++row)
    for (int column = 0; column < columns; ++column) {
      const panel& p = panels[static_cast<std::size_t>(row) * columns + column];
      const int left = gap + column * (resolution + gap), top = gap + row * (resolution + gap);
      auto at = [&](int i, int j) -> const point_result& {
        return p.points[static_cast<std::size_t>(j) * resolution + i];
      };
      // The zero contour of I_fac(η; ·): where the certified flag differs from a grid neighbour.
      auto on_contour = [&](int i, int j) {
        if (!(p.eta < 2))
          return false;
        const bool inside = at(i, j).certified;
        return (i + 1 < resolution && at(i + 1, j).certified != inside) ||
               (j + 1 < resolution && at(i, j + 1).certified != inside);
      };
      for (int j = 0; j < resolution; ++j)
        for (int i = 0; i < resolution; ++i)
          put(left + i, top + (resolution - 1 - j),
              on_contour(i, j) ? contour_colour : colour_of(at(i, j).result));
    }
  gdcert::provenance origin("certified_convergence");
  origin.parameter("resolution", resolution)
      .parameter("T", horizon)
      .tolerance("convergence", tolerance);
  try {
    gdcert::write_png(file, image, origin);
  } catch (const gdcert::io_error&) {
    return false;
  }
  return true;
}

void append_number(std::string& out, double value) {
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  out.append(buffer, end);
}

bool write_csv(const std::vector<panel>& panels, int resolution,
               const std::filesystem::path& file) {
  std::string text;
  text.reserve(panels.size() * resolution * resolution * 64 + 256);
  text += "# gdcert ";
  text += gdcert::version;
  text += " certified_convergence resolution=" + std::to_string(resolution) +
          " T=" + std::to_string(horizon) + " tol=1e-2\n";
  text += "eta,u0,v0,a0,b0,certified,outcome,steps,final_loss\n";
  for (const auto& p : panels)
    for (int j = 0; j < resolution; ++j)
      for (int i = 0; i < resolution; ++i) {
        const point_result& r = p.points[static_cast<std::size_t>(j) * resolution + i];
        for (double value : {p.eta, p.off_signal.u, p.off_signal.v, grid_coordinate(i, resolution),
                             grid_coordinate(j, resolution)}) {
          append_number(text, value);
          text += ',';
        }
        text += r.certified ? "1," : "0,";
        text += name(r.result);
        text += ',';
        text += std::to_string(r.steps);
        text += ',';
        append_number(text, r.final_loss);
        text += '\n';
      }
  std::ofstream out(file, std::ios::binary);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  return static_cast<bool>(out);
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
    for (const auto& pair : off_signal_pairs) {
      panel p;
      p.eta = eta;
      p.off_signal = pair;
      p.points.resize(static_cast<std::size_t>(n) * n);
      p.row_monotonicity.resize(n);
      panels.push_back(std::move(p));
    }

  std::printf("grid %d x %d of [-%.1f, %.1f]^2, T = %d, tol = %.0e, %zu panels\n\n", n, n, extent,
              extent, horizon, tolerance, panels.size());
  const auto start = std::chrono::steady_clock::now();
  sweep(panels, n, run.policy());
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
  std::printf("\nsweep: %.2f s for %zu trajectories of up to %d steps\n\n", seconds,
              panels.size() * n * n, horizon);

  if (!write_mosaic(panels, n, run.output_file("certified_convergence.png")) ||
      !write_csv(panels, n, run.output_file("certified_convergence.csv")))
    std::fprintf(stderr, "certified_convergence: could not write every output\n");
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

  monotonicity_record monotonicity;
  for (const auto& p : panels)
    monotonicity.merge(p.monotonicity);
  run.verdict(monotonicity.violations == 0 && monotonicity.trajectories > 0,
              "δ_t is non-decreasing along every certified trajectory (Proposition 2)",
              format("%ld trajectories, %ld violations beyond %.0e, largest one-step decrease %.3g",
                     monotonicity.trajectories, monotonicity.violations, monotonicity_slack,
                     std::max(monotonicity.largest_drop, 0.0)));
  return run.finish();
} catch (const std::exception& e) {
  std::fprintf(stderr, "FAIL: certified_convergence stopped: %s\n", e.what());
  return 1;
}
