// Your own problem (issue #12): the depth-3 scalar network R(a, b, c) = ½(abc − 1)², given by its
// loss alone (the seven lines between the "user code" markers), through every engine of gdcert.
//
// Claims checked (each verdict is computed from this run):
//   1. The derived GD map equals x − η∇R exactly in ℚ, with ∇R = (abc − 1)(bc, ac, ab) and the
//      Hessian written by hand (no tolerance), and a hand-written gradient passes
//      gradient_matches_loss exactly.
//   2. Basins over (a₀, b₀) at c₀ = 1 (sweep, SIMD lanes × threads) at two step sizes: every
//      minimizer reached is linearly stable, 3 <= λ_max(∇²R) <= 2/η. On M* = {abc = 1},
//      λ_max = (bc)² + (ac)² + (ab)² >= 3 (AM-GM, equality at |a| = |b| = |c| = 1), so the
//      minimizers stop attracting at η = 2/3: a third sweep at η = 0.7 reaches none.
//   3. Past η = 2/3 the balanced fixed point (1, 1, 1) flips: Newton on G²(x) − x finds a period-2
//      orbit on the balanced line, with its multipliers.
//   4. A quadratic certificate of our choosing: spheres ‖x − (1, 1, 1)‖ = r around the balanced
//      minimizer. The sampled one-step boundary scan fails at every r (worst I(GD(x)) ∝ r²:
//      points of the sphere's tangent circle lie off the curved M* and move along the normal), and
//      the interval verifier turns the failure into an exact counterexample in ℚ.
//
// Outputs (--output DIR, default "output"): custom_problem_eta_0.3.png, custom_problem_eta_0.6.png
// (outcome maps, a₀ to the right, b₀ upwards; colours as in every gdcert label map: minimizer
// blue, saddle green, periodic purple, diverged orange, undecided grey) and custom_problem.npy
// (outcomes, uint8, [η, row, column]) with .json provenance sidecars.
#include <gdcert/analysis/boundary_scan.hpp>
#include <gdcert/analysis/rigorous_scan.hpp>
#include <gdcert/analysis/sweep.hpp>
#include <gdcert/io/figure.hpp>
#include <gdcert/io/npy.hpp>
#include <gdcert/io/provenance.hpp>
#include <gdcert/numbers/rational.hpp>
#include <gdcert/problems/loss_problem.hpp>
#include <gdcert/stability/periodic_orbit.hpp>

#include "reproduction.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace {

// ---- user code: the whole problem -------------------------------------------------------------
const auto depth3_loss = [](const auto& x) { // R(a, b, c) = ½(abc − 1)², x = (a, b, c)
  const auto residual = x[0] * x[1] * x[2] - 1;
  return 0.5 * residual * residual;
};
auto depth3(double eta) { // gradient and Hessian are derived; R* = 0 is known
  return gdcert::from_loss<3>(eta, depth3_loss, {.minimum_loss = 0.0});
}
// ---- end of user code -------------------------------------------------------------------------

using gdcert::rational;
using gdcert::examples::format;
using point = std::array<double, 3>;

/// Claim 1: derived map and Hessian against the hand formulas, exactly in ℚ, at a grid of points.
void check_exactness(gdcert::examples::reproduction& run) {
  const auto problem = depth3(0.5);
  const auto hand_gradient = [](const auto& x) { // for speed, checked below
    using T = std::decay_t<decltype(x[0])>;
    const T r = x[0] * x[1] * x[2] - 1;
    return std::array<T, 3>{r * x[1] * x[2], r * x[0] * x[2], r * x[0] * x[1]};
  };
  const auto fast = gdcert::from_loss<3>(0.5, depth3_loss, hand_gradient);
  const rational eta(1, 2);
  int points = 0, mismatches = 0;
  for (int i = -3; i <= 3; ++i)
    for (int j = -2; j <= 2; ++j)
      for (int k = 1; k <= 3; ++k) {
        const std::array<rational, 3> x{rational(i, 3), rational(j, 2) + rational(1, 7),
                                        rational(k, 5) - 1};
        const rational r = x[0] * x[1] * x[2] - 1;
        const std::array<rational, 3> gradient{r * x[1] * x[2], r * x[0] * x[2], r * x[0] * x[1]};
        const auto image = problem.step(x);
        const auto h = problem.hessian(x);
        bool equal = gdcert::gradient_matches_loss<3>(fast, depth3_loss, x);
        for (std::size_t c = 0; c < 3; ++c)
          equal = equal && image[c] == x[c] - eta * gradient[c];
        // ∂²R/∂a² = (bc)², ∂²R/∂a∂b = abc·c² + r·c (and cyclically)
        equal = equal && h(0, 0) == x[1] * x[1] * x[2] * x[2] &&
                h(0, 1) == x[0] * x[1] * x[2] * x[2] + r * x[2] &&
                h(1, 2) == x[0] * x[0] * x[1] * x[2] + r * x[0] &&
                h(0, 2) == x[0] * x[1] * x[1] * x[2] + r * x[1];
        ++points;
        mismatches += equal ? 0 : 1;
      }
  run.verdict(mismatches == 0,
              "derived GD map = x - eta*grad R and derived Hessian = hand formulas, exactly in Q; "
              "the hand-written gradient passes gradient_matches_loss",
              format("%d of %d rational points equal, no tolerance", points - mismatches, points));
}

struct basin {
  double eta;
  gdcert::sweep_result result;
};

/// Claim 2: basins over (a₀, b₀), c₀ = 1.
std::vector<basin> sweep_basins(gdcert::examples::reproduction& run) {
  const std::size_t n = run.choose<std::size_t>(401, 81);
  std::vector<basin> basins;
  for (const double eta : {0.3, 0.6, 0.7}) {
    const auto problem = depth3(eta);
    const auto plane =
        gdcert::coordinate_plane(problem, point{0, 0, 1}, 0, {-2, 2, n}, 1, {-2, 2, n});
    basins.push_back({eta, gdcert::sweep<8>(problem, plane, {}, run.policy())});
  }
  for (const auto& [eta, result] : basins) {
    const auto counts = result.counts();
    const auto share = [&](gdcert::outcome o) {
      return 100.0 * double(counts[std::size_t(o)]) / double(result.size());
    };
    std::printf(
        "eta = %.1f: minimizer %.1f %%, saddle %.1f %%, periodic %.1f %%, diverged %.1f %%, "
        "undecided %.1f %%\n",
        eta, share(gdcert::outcome::minimizer), share(gdcert::outcome::saddle),
        share(gdcert::outcome::periodic), share(gdcert::outcome::diverged),
        share(gdcert::outcome::undecided));
  }
  // Grid points that start on M* (abc = 1 up to an ulp, e.g. (0.5, 2, 1)) stay there for many
  // steps whatever their stability (an unstable multiplier takes ~100 steps to lift a 1e-16
  // offset past the tolerance); the claims are about trajectories that start off M*.
  const double tolerance = gdcert::outcome_criteria{}.distance_tolerance;
  for (const auto& [eta, result] : basins) {
    const auto problem = depth3(eta);
    double lowest = INFINITY, highest = -INFINITY;
    std::size_t reached = 0, fixed = 0;
    for (std::size_t i = 0; i < result.size(); ++i) {
      if (result.outcomes[i] != gdcert::outcome::minimizer)
        continue;
      if (problem.is_minimizer(problem.from_coordinates<double>(result.initial_point(i)),
                               tolerance)) {
        ++fixed;
        continue;
      }
      lowest = std::min(lowest, result.final_sharpness[i]);
      highest = std::max(highest, result.final_sharpness[i]);
      ++reached;
    }
    if (eta > 2.0 / 3) {
      run.verdict(reached == 0,
                  "past eta = 2/3 = 2/(min over M* of lambda_max) no minimizer attracts",
                  format("eta = %.1f: %zu of %zu points converge to M* (%zu start on it)", eta,
                         reached, result.size(), fixed));
      continue;
    }
    // Final states are within the distance tolerance of M*, so λ_max is within a few 1e-6.
    run.verdict(reached > 0 && lowest >= 3 - 1e-4 && highest <= 2 / eta + 1e-4,
                format("eta = %.1f: every minimizer reached has 3 <= lambda_max <= 2/eta = %.4f",
                       eta, 2 / eta),
                format("%zu converge, lambda_max in [%.5f, %.5f]; %zu start on M*", reached, lowest,
                       highest, fixed));
  }
  return basins;
}

void write_basins(gdcert::examples::reproduction& run, const std::vector<basin>& basins) {
  std::vector<std::uint8_t> all;
  for (const auto& [eta, result] : basins) {
    const std::size_t columns = result.columns(), rows = result.rows();
    std::vector<std::uint8_t> labels(result.size());
    std::transform(result.outcomes.begin(), result.outcomes.end(), labels.begin(),
                   [](gdcert::outcome o) { return std::uint8_t(o); });
    all.insert(all.end(), labels.begin(), labels.end());
    if (eta > 2.0 / 3)
      continue; // no picture: one colour
    auto origin = run.origin();
    origin.parameter("eta", eta).parameter("plane", "a0, b0 in [-2, 2], c0 = 1");
    gdcert::plot figure;
    figure.title = format("½(abc − 1)² from its loss alone: GD outcomes, η = %.1f, c0 = 1", eta);
    figure.panel_size = std::clamp(int(columns), 320, 480);
    figure.panels.push_back(
        {gdcert::label_raster(labels, int(columns), int(rows), gdcert::outcome_palette()),
         {-2, 2, "a0"},
         {-2, 2, "b0"},
         format("%zu × %zu grid", columns, rows)});
    figure.legend = gdcert::outcome_legend();
    gdcert::write_plot(run.output_file(format("custom_problem_eta_%.1f.png", eta)), figure, origin);
  }
  const std::size_t n = basins.front().result.columns();
  gdcert::write_npy(run.output_file("custom_problem.npy"), all, {basins.size(), n, n},
                    run.origin()
                        .parameter("eta", "0.3, 0.6, 0.7")
                        .parameter("plane", "a0 (columns), b0 (rows) in [-2, 2], c0 = 1")
                        .note("values: gdcert::outcome (0 undecided, 1 minimizer, 2 saddle, "
                              "3 periodic, 4 diverged)"));
}

/// Claim 3: the period-2 orbit past the flip at η = 2/3.
void find_two_cycle(gdcert::examples::reproduction& run) {
  const auto problem = depth3(0.7);
  const auto orbit = gdcert::find_periodic_orbit(problem, point{1.1, 1.1, 1.1}, 2);
  const auto& p = orbit.points;
  std::printf("period-2 orbit at eta = 0.7: (%.6f, %.6f, %.6f) <-> (%.6f, %.6f, %.6f), "
              "multipliers",
              p[0][0], p[0][1], p[0][2], p[1][0], p[1][1], p[1][2]);
  for (const auto& m : orbit.spectrum.multipliers)
    std::printf(" %.6f%+.6fi", m.real(), m.imag());
  std::printf("\n");
  const bool balanced = std::abs(p[0][0] - p[0][1]) < 1e-9 && std::abs(p[0][1] - p[0][2]) < 1e-9;
  run.verdict(orbit.converged() && orbit.minimal_period == 2 && balanced,
              "past eta = 2/3 Newton finds a period-2 orbit on the balanced line a = b = c",
              format("%d Newton iterations, residual %.1e, spectral radius %.4f (%s)",
                     orbit.iterations, orbit.residual, orbit.spectrum.spectral_radius,
                     std::string(gdcert::to_string(orbit.spectrum.stability)).c_str()));
}

/// Claim 4: spheres around the balanced minimizer as certificates.
void certificate_scan(gdcert::examples::reproduction& run) {
  // The same loss in coordinates y = x − (1, 1, 1): the certificate's centre is the origin.
  const auto centred = [](const auto& y) {
    using T = std::decay_t<decltype(y[0])>;
    return depth3_loss(std::array<T, 3>{T(y[0] + 1), T(y[1] + 1), T(y[2] + 1)});
  };
  const double eta = 0.4;
  const auto problem = gdcert::from_loss<3>(eta, centred, {.minimum_loss = 0.0});
  const auto directions =
      gdcert::tabulate(gdcert::cube_boundary_directions(3, run.choose(61, 21)), run.policy());
  bool all_fail = true;
  std::string worst;
  for (const double r : {0.5, 0.25, 0.125, 0.0625}) {
    const Eigen::MatrixXd sphere = Eigen::MatrixXd::Identity(3, 3) / (r * r); // I(y) = yᵀPy − 1
    const auto scan = gdcert::boundary_scan_direct(problem, sphere, directions, {}, run.policy());
    all_fail = all_fail && !scan.passed;
    worst += format("%sr = %g: %.2e", worst.empty() ? "" : ", ", r, scan.worst / (r * r));
  }
  run.verdict(all_fail, "no sphere around (1, 1, 1) passes the sampled one-step boundary scan",
              "worst I(GD(y))/r^2: " + worst);
  gdcert::rigorous_options options;
  options.use_symmetry = false; // GD of this loss is not odd
  const auto level = [](const auto& y) {
    return 16 * (y[0] * y[0] + y[1] * y[1] + y[2] * y[2]) - 1;
  };
  const auto proof = gdcert::verify_inwardness(problem, level, options, run.policy());
  const bool refuted = proof.status == gdcert::rigorous_status::counterexample &&
                       proof.counterexample && proof.counterexample->exact_check;
  std::string where = "none";
  if (proof.counterexample) {
    const auto& c = *proof.counterexample;
    where =
        format("x - (1,1,1) = (%.4f, %.4f, %.4f), I(x) = %.3e < 0 < I(GD(x)) = %.3e", c.point(0),
               c.point(1), c.point(2), double(c.inside_value), double(c.image_value));
  }
  run.verdict(refuted, "the verifier refutes r = 1/4 with an exact counterexample in Q",
              format("%s after %zu boxes: %s", gdcert::to_string(proof.status), proof.boxes,
                     where.c_str()));
}

} // namespace

int main(int argc, char** argv) {
  gdcert::examples::reproduction run("custom_problem",
                                     "Your own problem: 1/2 (abc - 1)^2 from its loss alone");
  run.parse(argc, argv);
  check_exactness(run);
  const auto basins = sweep_basins(run);
  write_basins(run, basins);
  find_two_cycle(run);
  certificate_scan(run);
  return run.finish();
}
