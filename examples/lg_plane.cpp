// The (L, G)-plane (paper Figure 3, App. C.1, eqs. 48-53): GD trajectories crossing the shrinking ellipses E_sc(δ_t; L, G) = 0.
//
// Reproduces Figure 3 of the paper for scalar factorization ½(ab − 1)² (gdcert::scalar_factorization,
// GD map (8)) in the coordinates L = 1 − ab (residual) and G = b² − a² (imbalance), where the level
// set {I_sc(δ) = 0} is the axis-aligned ellipse E_sc(δ; L, G) = L² + G²/(4 − δ²) − 4/δ² = 0 (51)
// (Proposition 5). The published trajectories (docs/formulas.md §8):
//   * left:  (T, η, a0, b0) = (6, 0.9, 1.6, 1.9), crossing a sequence of shrinking ellipses;
//   * right: (T, η, a0, b0) = (50, 1.05, 0.9, −0.4), converging to the terminal balanced set
//     K₂ = {(L, 0) : L² <= 1} (160) rather than to a minimizer with G* ≠ 0.
// Claims checked, each with a PASS/FAIL line computed from the run:
//   * both starts are certified: I_sc(η; x0) < 0, i.e. δ_0 > η (10);
//   * the ellipses are nested and shrinking: δ_t strictly increasing for t <= T, and every point
//     of the ellipse at δ_{t+1} lies strictly inside the one at δ_t (E_sc(δ_t; ·) < 0 on 720
//     sampled points of each), for both trajectories;
//   * each iterate lies on its own ellipse: |E_sc(δ_t; L_t, G_t)|·δ_t²(4 − δ_t²) <= 1e-12 (the
//     core identity (51) scaled to be O(1)) at every t <= T with δ_t < 2 in double;
//   * GD in (L, G) coordinates (49-50, scalar_step_in_residual_imbalance) reproduces the (a, b)
//     trajectory's (L_t, G_t) to 1e-12;
//   * the second trajectory's distance to K₂ (160) goes to ~0: below 1e-12 at t = 2000 (the
//     values at t = 0 and T = 50 are printed; at T = 50 the figure's trajectory is still ~1e-2 away);
//   * it settles on the period-2 orbit {L₋, L₊} of the terminal map g_η (182): the outcome
//     classifier (classify.hpp) finds period 2, and at t = 2000 (L_t, L_{t+1}) is within 1e-12 of
//     L± = (η − 1 ± √((η − 1)(η + 3)))/(2η) with |G| <= 1e-12 (the offset at T = 50 is printed).
// Outputs (--output DIR, default "output"): lg_plane.png, two panels (left and right trajectory;
// L to the right, G upwards, grey axes) with the ellipses E_sc(δ_t; ·) = 0 coloured by t (viridis,
// dark = t = 0), the iterates as black squares joined by grey segments, and on the right panel
// K₂ in red and the 2-cycle points (L±, 0) as red squares; lg_plane.csv, one row per iterate
// (trajectory, t, a, b, L, G, delta, E_sc, distance to K₂).
// Usage: lg_plane [--output DIR] [--quick]

#include <gdcert/analysis/classify.hpp>
#include <gdcert/analysis/iterate.hpp>
#include <gdcert/analysis/outcome.hpp>
#include <gdcert/certificates/liang_montufar.hpp>
#include <gdcert/certificates/scalar.hpp>
#include <gdcert/dynamics/terminal.hpp>
#include <gdcert/io/csv.hpp>
#include <gdcert/io/figure.hpp>
#include <gdcert/io/provenance.hpp>
#include <gdcert/problems/scalar.hpp>

#include "reproduction.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

namespace {

using gdcert::rgb;
using gdcert::examples::format;

/// One published trajectory of Figure 3.
struct published {
  const char* name;
  std::size_t horizon; // T
  double eta, a0, b0;
};
constexpr std::array<published, 2> trajectories{
    {{"left", 6, 0.9, 1.6, 1.9}, {"right", 50, 1.05, 0.9, -0.4}}};

constexpr int ellipse_samples = 720;              // points per ellipse (check and drawing)
constexpr double on_ellipse_tolerance = 1e-12;    // |E_sc|·δ²(4 − δ²) at the iterate
constexpr double lg_map_tolerance = 1e-12;        // (49-50) against the (a, b) map
constexpr std::size_t late_steps = 2000;          // the limit is checked here
constexpr double terminal_tolerance_late = 1e-12; // distance to K₂ at t = late_steps
constexpr double cycle_tolerance = 1e-12;         // |L − L±| and |G| at t = late_steps

/// What the run records at every t = 0, …, T.
struct trajectory_record {
  std::vector<double> a, b, residual, imbalance, delta, ellipse, terminal_distance;
};

/// Semi-axes of E_sc(δ) = 0: 2/δ along L and 2√(4 − δ²)/δ along G (52).
double residual_semi_axis(double delta) {
  return 2 / delta;
}
double imbalance_semi_axis(double delta) {
  return 2 / delta * std::sqrt(4 - delta * delta);
}

/// The point at angle θ on the ellipse E_sc(δ; L, G) = 0.
std::array<double, 2> ellipse_point(double delta, double theta) {
  return {residual_semi_axis(delta) * std::cos(theta),
          imbalance_semi_axis(delta) * std::sin(theta)};
}

trajectory_record run_trajectory(const published& p) {
  const gdcert::scalar_factorization problem(p.eta);
  const gdcert::scalar_certificate certificate(problem);
  trajectory_record r;
  gdcert::scalar_state<double> x{p.a0, p.b0};
  gdcert::iterate(problem, x, p.horizon,
                  [&](const gdcert::scalar_state<double>& state, std::size_t) {
                    const double l = gdcert::residual_of(problem, state),
                                 g = gdcert::imbalance_of(problem, state);
                    const double delta = certificate.state_parameter(state);
                    r.a.push_back(state.a);
                    r.b.push_back(state.b);
                    r.residual.push_back(l);
                    r.imbalance.push_back(g);
                    r.delta.push_back(delta);
                    r.ellipse.push_back(delta < 2 ? gdcert::scalar_ellipse(delta, l, g)
                                                  : std::numeric_limits<double>::quiet_NaN());
                    r.terminal_distance.push_back(certificate.distance_to_terminal_set(state));
                  });
  return r;
}

struct nesting_check {
  std::size_t increases = 0, steps = 0, outside_points = 0;
};

/// δ_{t+1} > δ_t and the ellipse at δ_{t+1} strictly inside the one at δ_t (sampled).
nesting_check check_nesting(const trajectory_record& r) {
  nesting_check c;
  for (std::size_t t = 0; t + 1 < r.delta.size(); ++t) {
    ++c.steps;
    c.increases += r.delta[t + 1] > r.delta[t];
    if (!(r.delta[t + 1] < 2)) // the limit ellipse at δ = 2 is the segment K₂ itself
      continue;
    for (int k = 0; k < ellipse_samples; ++k) {
      const auto [l, g] = ellipse_point(r.delta[t + 1], 2 * std::numbers::pi * k / ellipse_samples);
      c.outside_points += !(gdcert::scalar_ellipse(r.delta[t], l, g) < 0);
    }
  }
  return c;
}

/// Largest |E_sc(δ_t; L_t, G_t)|·δ_t²(4 − δ_t²) and the number of iterates checked (δ_t < 2).
std::pair<double, std::size_t> on_own_ellipse(const trajectory_record& r) {
  double worst = 0;
  std::size_t checked = 0;
  for (std::size_t t = 0; t < r.delta.size(); ++t) {
    const double d = r.delta[t];
    if (!(d < 2))
      continue;
    ++checked;
    worst = std::max(worst, std::abs(r.ellipse[t]) * d * d * (4 - d * d));
  }
  return {worst, checked};
}

/// Largest difference between one step of (49-50) from (L_t, G_t) and (L_{t+1}, G_{t+1}).
double lg_map_error(const published& p, const trajectory_record& r) {
  double worst = 0;
  for (std::size_t t = 0; t + 1 < r.residual.size(); ++t) {
    double l = r.residual[t], g = r.imbalance[t];
    gdcert::scalar_step_in_residual_imbalance(p.eta, l, g);
    worst = std::max({worst, std::abs(l - r.residual[t + 1]), std::abs(g - r.imbalance[t + 1])});
  }
  return worst;
}

/// A panel of the picture over [−extent, extent]²: the ellipses E_sc(δ_t) = 0 coloured by t/T
/// (viridis), the trajectory, and for the terminal run K₂ and the 2-cycle (L₋, L₊).
gdcert::plot_panel picture_panel(const trajectory_record& r, const published& p, double extent,
                                 bool terminal) {
  const rgb path{150, 150, 150}, ink{0, 0, 0}, red{213, 30, 30};
  gdcert::plot_panel panel;
  panel.x = {-extent, extent, "L = 1 − ab"};
  panel.y = {-extent, extent, "G = b² − a²"};
  panel.title = format("T = %zu, η = %.2f, (a0, b0) = (%.1f, %.1f)", p.horizon, p.eta, p.a0, p.b0);
  panel.references = {{0, {200, 200, 200}}, {0, {200, 200, 200}, "", true}};
  constexpr auto colours = gdcert::viridis();
  const std::size_t last = r.delta.size() - 1;
  for (std::size_t t = 0; t <= last; ++t) {
    if (!(r.delta[t] < 2))
      continue;
    gdcert::plot_series ellipse{
        {}, {}, gdcert::map_colour(colours, double(t) / double(std::max<std::size_t>(last, 1)))};
    ellipse.size = 1;
    for (int k = 0; k <= 8 * ellipse_samples; ++k) {
      const auto [l, g] =
          ellipse_point(r.delta[t], 2 * std::numbers::pi * k / (8 * ellipse_samples));
      ellipse.x.push_back(l), ellipse.y.push_back(g);
    }
    panel.series.push_back(std::move(ellipse));
  }
  if (terminal) {
    panel.series.push_back({{-1, 1},
                            {0, 0},
                            red,
                            gdcert::series_style::line,
                            3,
                            "K₂ = {(L, 0) : L² ≤ 1} and the 2-cycle (L−, L+)"});
    const auto cycle = gdcert::balanced_two_cycle(p.eta);
    panel.series.push_back(
        {{cycle.lower, cycle.upper}, {0, 0}, red, gdcert::series_style::markers, 9});
  }
  panel.series.push_back(
      {r.residual, r.imbalance, path, gdcert::series_style::line, 1, "trajectory (L_t, G_t)"});
  panel.series.push_back({r.residual, r.imbalance, ink, gdcert::series_style::markers, 4});
  return panel;
}

} // namespace

int main(int argc, char** argv) {
  gdcert::examples::reproduction run(
      "lg_plane", "Figure 3: trajectories crossing shrinking ellipses in the (L, G)-plane");
  run.parse(argc, argv);
  const int side = run.choose(700, 300);

  std::array<trajectory_record, 2> records;
  for (std::size_t k = 0; k < trajectories.size(); ++k)
    records[k] = run_trajectory(trajectories[k]);

  // Table of the iterates.
  for (std::size_t k = 0; k < trajectories.size(); ++k) {
    const auto& p = trajectories[k];
    const auto& r = records[k];
    std::printf("%s: T = %zu, eta = %.2f, (a0, b0) = (%.1f, %.1f)\n", p.name, p.horizon, p.eta,
                p.a0, p.b0);
    std::printf("%4s %10s %10s %12s %12s %12s\n", "t", "L", "G", "delta", "E_sc", "dist K2");
    for (std::size_t t = 0; t < r.delta.size(); ++t)
      if (t <= 8 || t % 10 == 0 || t + 1 == r.delta.size())
        std::printf("%4zu %10.6f %10.6f %12.9f %12.3e %12.3e\n", t, r.residual[t], r.imbalance[t],
                    r.delta[t], r.ellipse[t], r.terminal_distance[t]);
    std::printf("\n");
  }

  // Picture: two panels, each window fitted to its start's ellipse (the largest one), equal
  // scales on both axes, so that the ellipses keep their shape.
  gdcert::plot figure;
  figure.title = "Figure 3: GD iterates cross shrinking ellipses E_sc(δ_t) = 0 in the (L, G)-plane";
  figure.columns = 2;
  figure.panel_size = side;
  for (std::size_t k = 0; k < trajectories.size(); ++k) {
    const double d0 = records[k].delta[0];
    const double extent = 1.1 * std::max({residual_semi_axis(d0), imbalance_semi_axis(d0), 1.0});
    figure.panels.push_back(picture_panel(records[k], trajectories[k], extent, k == 1));
  }
  constexpr auto colours = gdcert::viridis();
  figure.bar = gdcert::colour_bar{{0, 1}, {colours.begin(), colours.end()}, "ellipse at t/T"};
  gdcert::provenance origin = run.origin();
  origin.parameter("left", "(T, eta, a0, b0) = (6, 0.9, 1.6, 1.9)")
      .parameter("right", "(T, eta, a0, b0) = (50, 1.05, 0.9, -0.4)")
      .note("L = 1 - ab to the right, G = b^2 - a^2 upwards; ellipses E_sc(delta_t) = 0 (51) "
            "coloured by t (viridis); K2 and the 2-cycle (L-, L+) in red");
  gdcert::write_plot(run.output_file("lg_plane.png"), figure, origin);

  std::vector<std::string> names;
  std::vector<std::size_t> steps;
  std::vector<double> a, b, l, g, delta, ellipse, distance;
  for (std::size_t k = 0; k < trajectories.size(); ++k) {
    const auto& r = records[k];
    for (std::size_t t = 0; t < r.delta.size(); ++t) {
      names.emplace_back(trajectories[k].name);
      steps.push_back(t);
    }
    a.insert(a.end(), r.a.begin(), r.a.end());
    b.insert(b.end(), r.b.begin(), r.b.end());
    l.insert(l.end(), r.residual.begin(), r.residual.end());
    g.insert(g.end(), r.imbalance.begin(), r.imbalance.end());
    delta.insert(delta.end(), r.delta.begin(), r.delta.end());
    ellipse.insert(ellipse.end(), r.ellipse.begin(), r.ellipse.end());
    distance.insert(distance.end(), r.terminal_distance.begin(), r.terminal_distance.end());
  }
  gdcert::csv_table table;
  table.add_column("trajectory", names)
      .add_column("t", steps)
      .add_column("a", a)
      .add_column("b", b)
      .add_column("L", l)
      .add_column("G", g)
      .add_column("delta", delta)
      .add_column("E_sc", ellipse)
      .add_column("distance_to_K2", distance);
  const auto csv_file = run.output_file("lg_plane.csv");
  gdcert::write_csv(csv_file, table, origin);

  // 1. Certified starts.
  for (std::size_t k = 0; k < trajectories.size(); ++k) {
    const auto& p = trajectories[k];
    const gdcert::scalar_factorization problem(p.eta);
    const gdcert::scalar_certificate certificate(problem);
    const double value = certificate(p.eta, gdcert::scalar_state<double>{p.a0, p.b0});
    run.verdict(value < 0,
                format("%s start (%.1f, %.1f) is certified at η = %.2f", p.name, p.a0, p.b0, p.eta),
                format("I_sc(η; x0) = %.6f, δ_0 = %.6f", value, records[k].delta[0]));
  }
  // 2. Nested, shrinking ellipses; 3. iterates on their own ellipse; 4. (49-50).
  for (std::size_t k = 0; k < trajectories.size(); ++k) {
    const auto& p = trajectories[k];
    const auto nesting = check_nesting(records[k]);
    run.verdict(
        nesting.increases == nesting.steps && nesting.outside_points == 0,
        format("%s: ellipses E_sc(δ_t) = 0 nested and shrinking, t = 0..%zu", p.name, p.horizon),
        format("δ_t increased at %zu of %zu steps (δ_0 = %.6f → δ_T = %.12f); %zu sampled "
               "points of an ellipse not strictly inside its predecessor",
               nesting.increases, nesting.steps, records[k].delta.front(), records[k].delta.back(),
               nesting.outside_points));
    const auto [worst, checked] = on_own_ellipse(records[k]);
    run.verdict(
        worst <= on_ellipse_tolerance && checked > 0,
        format("%s: each iterate lies on its own ellipse E_sc(δ_t; L_t, G_t) = 0", p.name),
        format("max |E_sc|·δ²(4 - δ²) = %.2e over %zu iterates with δ_t < 2", worst, checked));
    const double map_error = lg_map_error(p, records[k]);
    run.verdict(map_error <= lg_map_tolerance,
                format("%s: GD in (L, G) coordinates (49-50) reproduces the trajectory", p.name),
                format("max |Δ| = %.2e", map_error));
  }

  // 5-6. The second trajectory reaches K₂ and settles on the 2-cycle.
  const auto& p = trajectories[1];
  const auto& r = records[1];
  const gdcert::scalar_factorization problem(p.eta);
  const gdcert::scalar_certificate certificate(problem);
  gdcert::scalar_state<double> late{p.a0, p.b0};
  gdcert::iterate(problem, late, late_steps);
  const double late_distance = certificate.distance_to_terminal_set(late);
  run.verdict(late_distance <= terminal_tolerance_late, "right: distance to K2 goes to ~0",
              format("%.2e at t = 0, %.2e at T = %zu, %.2e at t = %zu", r.terminal_distance.front(),
                     r.terminal_distance.back(), p.horizon, late_distance, late_steps));

  // The classifier's verdict from x0, and the residuals (L_t, L_{t+1}) at t = 2000 against L±.
  const auto cycle = gdcert::balanced_two_cycle(p.eta);
  auto cycle_offset = [&](double l0, double l1) {
    return std::min(std::max(std::abs(l0 - cycle.lower), std::abs(l1 - cycle.upper)),
                    std::max(std::abs(l0 - cycle.upper), std::abs(l1 - cycle.lower)));
  };
  const double at_horizon = cycle_offset(r.residual[r.residual.size() - 2], r.residual.back());
  const auto next = problem.step(late);
  const double late_offset =
      cycle_offset(gdcert::residual_of(problem, late), gdcert::residual_of(problem, next));
  const double late_imbalance = std::max(std::abs(gdcert::imbalance_of(problem, late)),
                                         std::abs(gdcert::imbalance_of(problem, next)));
  gdcert::outcome_criteria criteria;
  criteria.max_steps = 20000;
  const auto classified =
      gdcert::classify(problem, gdcert::scalar_state<double>{p.a0, p.b0}, criteria);
  run.verdict(classified.label == gdcert::outcome::periodic && classified.period == 2 &&
                  late_offset <= cycle_tolerance && late_imbalance <= cycle_tolerance,
              "right: settles on the period-2 orbit {L-, L+} on K2 (182)",
              format("classify: %s, period %d, arriving at t = %zu; at t = %zu |L - L±| = %.2e, "
                     "|G| = %.2e; L± = %.6f, %.6f; at T = 50 (L_49, L_50) = (%.6f, %.6f), off by "
                     "%.2e",
                     std::string(gdcert::to_string(classified.label)).c_str(), classified.period,
                     classified.decision_step, late_steps, late_offset, late_imbalance, cycle.lower,
                     cycle.upper, r.residual[r.residual.size() - 2], r.residual.back(),
                     at_horizon));
  return run.finish();
}
