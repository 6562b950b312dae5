// Fractal convergence boundary (Liang–Montúfar Figure 3 / Theorem 4, docs/formulas.md §7-8): the regularized problem's quotient-plane boundary, its box-counting dimension and uncertainty exponent.
//
// Problem: ½(uv − y)² + (λ/2)(u² + v²), y = 0.5, λ = 0.2, η = 1 (problems/regularized.hpp). GD is
// semi-conjugate through T(u, v) = (uv − y, u² + v²) to the planar map F (dynamics/quotient_map.hpp,
// docs/formulas.md §7), and both minimizers map to T(M) = (−λ, 2(y − λ)) = (−0.2, 0.6).
// Quotient picture, [LM App. H]'s protocol: (z, w) on an N × N grid of [−2.5, 3] × [0, 10]
// (N = 2000), points of the state space w >= 2|z + y| iterated by F for K = 200 steps and labelled
// converged iff their loss z²/2 + λw/2 is then below L_min + 1e−6 (L_min = 0.08, the minimizers'
// loss); the boundary is the converged mask minus its binary erosion (SciPy's
// ndimage.binary_erosion: 4-neighbours, pixels at the border erode); LM's notebook then drops the
// points near the state space's edge, w − 2|z + y| < 10⁻² (along w, in the plane's units); the
// points left are normalized to [0, 1] keeping the aspect ratio (both axes divided by the larger
// side of their bounding box);
// N(ε) is counted on the fixed grid for ε = 2^−2 … 2^−8 and the dimension is the least-squares
// slope of log N against log(1/ε) (gdcert::box_counting with grid_offsets = 1 and that window).
// A sensitivity table then changes one choice at a time (edge drop, its distance, grid, aspect,
// cone edge, boundary rule, grid offsets, fit window, finest box, normalization by the sampling
// window), then no edge drop with the finest box 2^−7 (which is how issue #13's check reached
// 1.249 before the edge drop was known), and finally the first changes together: the protocol this
// example followed first, which measured 1.12.
// Claims checked, each ending in a PASS/FAIL line computed from the run:
//   * [LM Fig. 3 right], full mode only (the 1200² quick grid moves the rows by ~0.03): on LM's
//     protocol, edge drop included, the published 1.249 is reproduced within 0.01;
//   * full mode only: the boundary points (all, and kept) and the box counts agree within 1 % with
//     an independent run of LM's notebook protocol (issue #26);
//   * the boundary's dimension is fractional on every protocol of the sensitivity table: strictly
//     between 1 and 2 by more than 3 standard errors;
//   * [LM App. B.2]: the uncertainty exponent α of the quotient classification is below 1 (a
//     fractal boundary: 2 − α > 1), printed next to 2 − 1.249 = 0.751;
//   * [LM Thm 4]: in the (u, v) plane every converging initialization reaches one of the two
//     minimizers ±(√0.3, √0.3), and both basins are present (sweep.hpp).
// Outputs (--output DIR, default "output"): fractal_boundary_quotient.png (z to the right, w upwards:
// blue converged, vermillion not, grey outside the state space), fractal_boundary_uv.png ((u, v) ∈
// [−4, 4]², red u → −√0.3, blue u → +√0.3, vermillion diverged, black other),
// fractal_boundary_counts.csv (box size, boxes of the LM protocol), fractal_boundary_sensitivity.csv
// (one row per protocol: dimension, standard error, points, finest fitted box, fitted sizes) and
// fractal_boundary_uncertainty.csv.
// Resolution: full N = 2000 (and 1600 for the table), K = 200; --quick N = 1200 (and 960).
// Usage: fractal_boundary [--output DIR] [--quick] [--threads N]

#include <gdcert/analysis/box_counting.hpp>
#include <gdcert/analysis/execution.hpp>
#include <gdcert/analysis/iterate.hpp>
#include <gdcert/analysis/sweep.hpp>
#include <gdcert/dynamics/quotient_map.hpp>
#include <gdcert/io/csv.hpp>
#include <gdcert/io/figure.hpp>
#include <gdcert/io/png.hpp>
#include <gdcert/io/result_provenance.hpp>
#include <gdcert/problems/regularized.hpp>

#include "reproduction.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

namespace {

using gdcert::examples::format;

constexpr double eta = 1.0, target = 0.5, lambda = 0.2;
constexpr double z_low = -2.5, z_high = 3.0, w_low = 0.0, w_high = 10.0;
constexpr double published_dimension = 1.249;
constexpr double reproduced_within = 0.01; // issue #13: reproduce 1.249 within 0.01
constexpr double loss_gap = 1e-6;          // [LM App. H]: loss below L_min + 1e−6 after K steps
// [LM's notebook]: boundary points nearer the state space's edge than this, by w − 2|z + y| (along
// w, in the plane's units, before normalizing), are dropped.
constexpr double edge_margin = 1e-2;
// An independent run of LM's notebook protocol (issue #26): boxes at 2^−2 … 2^−8 and the boundary
// points kept of all.
constexpr std::array<std::size_t, 7> notebook_boxes = {8, 21, 56, 140, 319, 674, 1430};
constexpr std::size_t notebook_kept = 8335, notebook_points = 9779;

enum label : std::uint8_t { not_converged = 0, converged = 1, outside = 2 };

/// Label of a quotient point after `steps` applications of F: converged iff the loss
/// L = z²/2 + λw/2 (the loss of any (u, v) over (z, w), docs/formulas.md §7) is then within
/// `loss_gap` of the minimum L_min = λ²/2 + λ(y − λ) [LM App. H].
label classify(const gdcert::quotient_map& f, gdcert::quotient_point<double> x, int steps) {
  if (!f.in_state_space(x))
    return outside;
  const auto m = f.minimizer_image();
  const double minimum = 0.5 * m.z * m.z + 0.5 * lambda * m.w;
  for (int t = 0; t < steps; ++t) {
    x = f(x);
    if (!(std::abs(x.z) + std::abs(x.w) < 1e8))
      return not_converged;
  }
  return 0.5 * x.z * x.z + 0.5 * lambda * x.w < minimum + loss_gap ? converged : not_converged;
}

/// Labels of an n × n grid of [z_low, z_high] × [w_low, w_high], row 0 at the top (w = w_high).
struct quotient_grid {
  int n;
  std::vector<std::uint8_t> labels;
  [[nodiscard]] gdcert::quotient_point<double> point(int column, int row) const {
    return {z_low + (z_high - z_low) * column / (n - 1), w_high - (w_high - w_low) * row / (n - 1)};
  }
  [[nodiscard]] std::uint8_t at(int column, int row) const {
    return labels[static_cast<std::size_t>(row) * static_cast<std::size_t>(n) +
                  static_cast<std::size_t>(column)];
  }
};

quotient_grid label_grid(const gdcert::quotient_map& f, int n, int steps,
                         const gdcert::execution_policy& policy) {
  quotient_grid grid{n, std::vector<std::uint8_t>(static_cast<std::size_t>(n) * n)};
  gdcert::for_each_tile(grid.labels.size(), policy, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i)
      grid.labels[i] = classify(f, grid.point(int(i % n), int(i / n)), steps);
  });
  return grid;
}

/// How boundary points are mapped into [0, 1]² before counting.
enum class normalization {
  bounding_box, // (p − low)/max range of the points: the larger side spans exactly [0, 1]
  stretched,    // each axis by its own range (pixel units on an N × N grid)
  window        // ((z + 2.5)/10, w/10): the sampling window's larger side (w) becomes [0, 1]
};

/// The choices of a box-counting protocol; the defaults are [LM App. H]'s.
struct protocol {
  std::string name;
  bool erosion = true;         // boundary = mask − binary_erosion(mask); else label edges
  bool keep_cone_edge = true;  // erosion pixels whose only outside neighbours are off the cone
  double margin = edge_margin; // points with w − 2|z + y| below it dropped (−∞: none)
  bool euclidean = false; // the margin measured as the distance to the edge, (w − 2|z + y|)/√5
  normalization scale = normalization::bounding_box; // aspect kept by the points' bounding box
  int grid_offsets = 1;                              // LM count on one fixed grid
  bool published_window = true; // ε = 2^−2 … 2^−finest; else the automatic window (4 px … 1/16)
  bool coarse_grid = false;    // the 1600² (quick: 960²) grid instead of 2000² (1200²)
  int finest = 8;              // smallest box 2^−finest of the published window
  bool absolute_sizes = false; // boxes of exactly 2^−k (largest_size = 1), not extent·2^−k
};

/// The boundary points of a grid under a protocol, in (z, w) units (erosion: pixel centres;
/// label edges: midpoints between the two pixels), before the edge drop.
std::vector<gdcert::point2> all_boundary_points(const quotient_grid& g, const protocol& p) {
  std::vector<gdcert::point2> points;
  const int n = g.n;
  auto inside = [&](int c, int r) { return c >= 0 && r >= 0 && c < n && r < n; };
  auto position = [&](double column, double row) {
    return gdcert::point2{z_low + (z_high - z_low) * column / (n - 1),
                          w_high - (w_high - w_low) * row / (n - 1)};
  };
  constexpr int dc[4] = {1, -1, 0, 0}, dr[4] = {0, 0, 1, -1};
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) {
      if (g.at(c, r) != converged)
        continue;
      if (p.erosion) {
        bool eroded = false, against_state_space = false;
        for (int k = 0; k < 4; ++k) {
          const int c2 = c + dc[k], r2 = r + dr[k];
          const bool neighbour_in = inside(c2, r2) && g.at(c2, r2) == converged;
          eroded = eroded || !neighbour_in;
          against_state_space =
              against_state_space || (inside(c2, r2) && g.at(c2, r2) == not_converged);
        }
        if (eroded && (p.keep_cone_edge || against_state_space))
          points.push_back(position(c, r));
      } else { // edges to a not-converged state-space neighbour (right and down; then left and up)
        for (int k = 0; k < 4; ++k) {
          const int c2 = c + dc[k], r2 = r + dr[k];
          if (inside(c2, r2) && g.at(c2, r2) == not_converged)
            points.push_back(position(c + 0.5 * dc[k], r + 0.5 * dr[k]));
        }
      }
    }
  return points;
}

/// The boundary points a protocol counts: all_boundary_points without those within its margin of
/// the state space's edge w = 2|z + y|.
std::vector<gdcert::point2> boundary_points(const quotient_grid& g, const protocol& p) {
  std::vector<gdcert::point2> points = all_boundary_points(g, p);
  std::erase_if(points, [&](const gdcert::point2& q) {
    const double along_w = q[1] - 2 * std::abs(q[0] + target);
    return (p.euclidean ? along_w / std::sqrt(5.0) : along_w) < p.margin;
  });
  return points;
}

/// Box-counting dimension of a grid's boundary under a protocol.
gdcert::box_counting_result measure(const quotient_grid& g, const protocol& p) {
  std::vector<gdcert::point2> points = boundary_points(g, p);
  double low[2] = {INFINITY, INFINITY}, high[2] = {-INFINITY, -INFINITY};
  for (const auto& q : points)
    for (int k = 0; k < 2; ++k) {
      low[k] = std::min(low[k], q[k]);
      high[k] = std::max(high[k], q[k]);
    }
  // Origin and per-axis divisor of the normalization.
  double origin[2] = {low[0], low[1]}, scale[2] = {high[0] - low[0], high[1] - low[1]};
  if (p.scale == normalization::bounding_box)
    scale[0] = scale[1] = std::max(scale[0], scale[1]);
  if (p.scale == normalization::window) {
    origin[0] = z_low;
    origin[1] = w_low;
    scale[0] = scale[1] = std::max(z_high - z_low, w_high - w_low);
  }
  for (auto& q : points)
    for (int k = 0; k < 2; ++k)
      q[k] = (q[k] - origin[k]) / scale[k];
  gdcert::box_counting_parameters parameters;
  parameters.ladder_ratio = 2;
  parameters.grid_offsets = p.grid_offsets;
  if (p.absolute_sizes)
    parameters.largest_size = 1.0;
  if (p.published_window) {
    parameters.window = gdcert::fit_window{std::ldexp(1.0, -p.finest), std::ldexp(1.0, -2)};
  } else { // one pixel in normalized units; the default window: 4 pixels … 1/16 of the extent
    parameters.resolution =
        std::max((z_high - z_low) / scale[0], (w_high - w_low) / scale[1]) / (g.n - 1);
  }
  return gdcert::box_counting(points, parameters);
}

} // namespace

int main(int argc, char** argv) try {
  gdcert::examples::reproduction run(
      "fractal_boundary",
      "LM Figure 3 / Theorem 4: fractal convergence boundary of F, y=.5 η=1 λ=.2");
  run.parse(argc, argv);
  const int n = run.choose(2000, 1200), coarse_n = run.choose(1600, 960), steps = 200;
  const auto policy = run.policy();
  const gdcert::regularized_factorization problem(eta, 1, target, lambda);
  const gdcert::quotient_map f(problem);

  const quotient_grid grid = label_grid(f, n, steps, policy);
  const quotient_grid coarse = label_grid(f, coarse_n, steps, policy);
  const auto& labels = grid.labels;
  std::size_t counts[3] = {0, 0, 0};
  for (const auto l : labels)
    ++counts[l];
  std::printf("quotient grid %d x %d, %d steps of F: %zu converged, %zu not, %zu outside w >= "
              "2|z + y|\n",
              n, n, steps, counts[converged], counts[not_converged], counts[outside]);

  // [LM App. H]'s protocol, then one choice changed at a time, then the previous protocol.
  auto changed = [](std::string name, auto change) {
    protocol p{std::move(name)};
    change(p);
    return p;
  };
  const std::vector<protocol> protocols = {
      {format("LM protocol (%d^2, erosion, edge drop 0.01 along w, aspect kept, 2^-2..2^-8)", n)},
      changed("no edge drop (this example's protocol before)",
              [](protocol& p) { p.margin = -INFINITY; }),
      changed("edge drop by the distance to the edge (w - 2|z+y|)/sqrt(5) < 0.01",
              [](protocol& p) { p.euclidean = true; }),
      changed(format("grid %d^2 instead of %d^2", coarse_n, n),
              [](protocol& p) { p.coarse_grid = true; }),
      changed("each axis stretched to [0, 1] (pixel units)",
              [](protocol& p) { p.scale = normalization::stretched; }),
      changed("cone edge dropped from the erosion boundary",
              [](protocol& p) { p.keep_cone_edge = false; }),
      changed("boundary = edges between converged and not converged",
              [](protocol& p) {
                p.erosion = false;
                p.keep_cone_edge = false;
              }),
      changed("minimum over 8 grid offsets", [](protocol& p) { p.grid_offsets = 8; }),
      changed("automatic window (4 px .. 1/16 extent)",
              [](protocol& p) { p.published_window = false; }),
      changed("finest box 2^-7: fit 2^-2..2^-7", [](protocol& p) { p.finest = 7; }),
      changed("normalized by the window, ladder from the extent (2^-8 drops)",
              [](protocol& p) { p.scale = normalization::window; }),
      changed("normalized by the window, boxes of exactly 2^-k",
              [](protocol& p) {
                p.scale = normalization::window;
                p.absolute_sizes = true;
              }),
      changed("no edge drop and finest box 2^-7 (issue #13's reading)",
              [](protocol& p) {
                p.margin = -INFINITY;
                p.finest = 7;
              }),
      changed("no edge drop, grid .. automatic window changed: this example's first protocol",
              [](protocol& p) {
                p.margin = -INFINITY;
                p.erosion = p.keep_cone_edge = p.published_window = false;
                p.scale = normalization::stretched;
                p.grid_offsets = 8;
                p.coarse_grid = true;
              }),
  };
  constexpr std::size_t no_edge_drop = 1, euclidean_drop = 2, no_drop_finest_7 = 12;
  std::vector<gdcert::box_counting_result> results;
  std::printf("\n%-64s %9s %8s %7s %9s %7s\n", "protocol (one change from LM's at a time)",
              "dimension", "std.err", "points", "finest", "sizes");
  for (const auto& p : protocols) {
    results.push_back(measure(p.coarse_grid ? coarse : grid, p));
    const auto& r = results.back();
    std::printf("%-64s %9.3f %8.3f %7zu %9.6f %7zu\n", p.name.c_str(), r.dimension,
                r.standard_error, r.points, r.window.smallest, r.last - r.first + 1);
  }
  const auto& dimension = results.front();
  std::printf("\nLM protocol counts:\n%12s %10s\n", "box size", "boxes");
  std::vector<double> sizes, boxes;
  for (const auto& row : dimension.table) {
    std::printf("%12.6f %10zu\n", row.size, row.boxes);
    sizes.push_back(row.size);
    boxes.push_back(double(row.boxes));
  }
  std::printf("dimension %.3f ± %.3f; published %.3f\n\n", dimension.dimension,
              dimension.standard_error, published_dimension);

  // Uncertainty exponent on state-space grid points near the boundary scale.
  std::vector<std::array<double, 2>> samples;
  const int stride = run.choose(8, 6);
  for (int r = 0; r < n; r += stride)
    for (int c = 0; c < n; c += stride) {
      const auto x = grid.point(c, r);
      if (f.in_state_space(x))
        samples.push_back({x.z, x.w});
    }
  gdcert::uncertainty_parameters uncertainty;
  uncertainty.epsilons = gdcert::geometric_ladder(1e-4, 1e-1, 7);
  uncertainty.perturbations = 4;
  uncertainty.seed = 2024;
  const auto exponent = gdcert::uncertainty_exponent(
      [&](const std::array<double, 2>& x) {
        return classify(f, {x[0], x[1]}, steps) == converged;
      },
      samples, uncertainty, policy);
  std::printf("uncertainty exponent alpha = %.3f ± %.3f over %zu points (2 - alpha = %.3f; "
              "published 2 - 1.249 = 0.751)\n\n",
              exponent.exponent, exponent.standard_error, samples.size(),
              exponent.boundary_dimension);

  // (u, v) plane: which minimizer is reached.
  const int m = run.choose(400, 100);
  const gdcert::grid_axis axis{-4, 4, static_cast<std::size_t>(m)};
  gdcert::regularized_factorization::state<double> base{gdcert::vector<double>::Zero(1),
                                                        gdcert::vector<double>::Zero(1)};
  const auto plane = gdcert::coordinate_plane(problem, base, 0, axis, 1, axis);
  gdcert::sweep_options options;
  options.criteria.max_steps = 2000;
  options.keep_final_states = true; // which minimizer each point reached
  const auto swept = gdcert::sweep(problem, plane, options, policy);
  std::vector<std::uint8_t> uv(swept.size());
  std::size_t plus = 0, minus = 0, minimizers = 0;
  for (std::size_t i = 0; i < swept.size(); ++i) {
    const std::size_t row = i / m, column = i % m; // row 0: the lowest v
    std::uint8_t colour = 3;                       // other
    if (swept.outcomes[i] == gdcert::outcome::diverged)
      colour = 2;
    if (swept.outcomes[i] == gdcert::outcome::minimizer) {
      const auto x = problem.from_coordinates<double>(swept.final_point(i));
      ++minimizers;
      colour = x.u(0) > 0 ? 1 : 0;
      (x.u(0) > 0 ? plus : minus) += 1;
    }
    uv[row * m + column] = colour;
  }
  std::printf("(u, v) grid %d x %d: %zu reach +(√0.3, √0.3), %zu reach −(√0.3, √0.3), %zu "
              "minimizer runs\n\n",
              m, m, plus, minus, minimizers);

  // Outputs.
  gdcert::provenance origin = run.origin();
  origin.parameter("eta", eta)
      .parameter("y", target)
      .parameter("lambda", lambda)
      .parameter("quotient resolution", n)
      .parameter("steps of F", steps)
      .tolerance("converged: loss above L_min", loss_gap)
      .parameter("window", "z in [-2.5, 3], w in [0, 10]");
  // The quotient grid's row 0 is its top (w = 10); label_raster draws row 0 at the bottom.
  std::vector<std::uint8_t> bottom_up(labels.size());
  for (int r = 0; r < n; ++r)
    std::copy_n(labels.begin() + std::ptrdiff_t(r) * n, n,
                bottom_up.begin() + std::ptrdiff_t(n - 1 - r) * n);
  const std::array quotient_colours{gdcert::rgb{213, 94, 0}, gdcert::rgb{0, 114, 178},
                                    gdcert::rgb{170, 170, 170}};
  gdcert::plot quotient;
  quotient.title = "LM Fig. 3 (left): F-orbits on the quotient plane, y = 0.5, η = 1, λ = 0.2";
  quotient.panel_size = 640;
  quotient.panels.push_back({gdcert::label_raster(bottom_up, n, n, quotient_colours),
                             {z_low, z_high, "z = uv − y"},
                             {w_low, w_high, "w = u² + v²"},
                             format("%d × %d grid, %d steps of F", n, n, steps)});
  quotient.legend = {{quotient_colours[1], "converged (loss < L_min + 1e-6)"},
                     {quotient_colours[0], "not converged"},
                     {quotient_colours[2], "outside the state space w ≥ 2|z + y|"}};
  gdcert::write_plot(run.output_file("fractal_boundary_quotient.png"), quotient, origin);
  const std::array uv_colours{gdcert::rgb{220, 30, 30}, gdcert::rgb{0, 114, 178},
                              gdcert::rgb{213, 94, 0}, gdcert::rgb{0, 0, 0}};
  gdcert::plot uv_plot;
  uv_plot.title = "LM Fig. 3 (middle): which minimizer GD reaches from (u, v)";
  uv_plot.panel_size = 480;
  uv_plot.panels.push_back({gdcert::label_raster(uv, m, m, uv_colours),
                            {-4, 4, "u"},
                            {-4, 4, "v"},
                            format("%d × %d grid, η = 1", m, m)});
  uv_plot.legend = {{uv_colours[0], "u → −√0.3"},
                    {uv_colours[1], "u → +√0.3"},
                    {uv_colours[2], "diverged"},
                    {uv_colours[3], "other"}};
  gdcert::write_plot(run.output_file("fractal_boundary_uv.png"), uv_plot, origin);
  gdcert::csv_table table;
  table.add_column("size", sizes).add_column("boxes", boxes);
  gdcert::provenance counted = origin;
  gdcert::describe(counted, dimension);
  gdcert::write_csv(run.output_file("fractal_boundary_counts.csv"), table, counted);
  std::vector<std::string> names;
  std::vector<double> dimensions, errors, sizes_counted, finest, fitted;
  for (std::size_t k = 0; k < protocols.size(); ++k) {
    names.push_back(protocols[k].name);
    dimensions.push_back(results[k].dimension);
    errors.push_back(results[k].standard_error);
    sizes_counted.push_back(double(results[k].points));
    finest.push_back(results[k].window.smallest);
    fitted.push_back(double(results[k].last - results[k].first + 1));
  }
  gdcert::csv_table sensitivity;
  sensitivity.add_column("protocol", names)
      .add_column("dimension", dimensions)
      .add_column("standard_error", errors)
      .add_column("points", sizes_counted)
      .add_column("finest_box", finest)
      .add_column("fitted_sizes", fitted);
  gdcert::write_csv(run.output_file("fractal_boundary_sensitivity.csv"), sensitivity, origin);
  std::vector<double> eps, fraction;
  for (const auto& s : exponent.table) {
    eps.push_back(s.epsilon);
    fraction.push_back(s.fraction);
  }
  gdcert::csv_table ut;
  ut.add_column("epsilon", eps).add_column("fraction", fraction);
  gdcert::write_csv(run.output_file("fractal_boundary_uncertainty.csv"), ut, origin);

  // The 1200² quick grid moves every row by ~0.03 (docs/reproductions.md): full mode only.
  if (!run.quick()) {
    run.verdict(std::abs(dimension.dimension - published_dimension) <= reproduced_within,
                "LM Fig. 3: on LM's protocol (their notebook's edge drop w - 2|z+y| < 0.01, boxes "
                "2^-2..2^-8) the published 1.249 is reproduced within 0.01",
                format("%.4f ± %.3f; without the edge drop %.4f ± %.3f (%.4f with the finest box "
                       "2^-7); the drop by the distance to the edge %.4f ± %.3f",
                       dimension.dimension, dimension.standard_error,
                       results[no_edge_drop].dimension, results[no_edge_drop].standard_error,
                       results[no_drop_finest_7].dimension, results[euclidean_drop].dimension,
                       results[euclidean_drop].standard_error));
    // Grids of 2000² in two programs differ in the last bits of a few points' coordinates, which
    // can move a point across a loss threshold or a box edge: counts within 1 %.
    const auto within = [](double ours, double theirs) {
      return std::abs(ours - theirs) <= 0.01 * theirs;
    };
    const std::size_t all = results[no_edge_drop].points; // LM's boundary before the drop
    // The fitted sizes 2^−2 … 2^−8 (the table also holds the coarser boxes).
    bool same = within(double(all), double(notebook_points)) &&
                within(double(dimension.points), double(notebook_kept)) &&
                dimension.last + 1 - dimension.first == notebook_boxes.size();
    std::string counted_boxes;
    for (std::size_t k = dimension.first; k <= dimension.last; ++k) {
      const std::size_t at = k - dimension.first;
      counted_boxes += format("%s%zu", at ? ", " : "", dimension.table[k].boxes);
      same = same && at < notebook_boxes.size() &&
             within(double(dimension.table[k].boxes), double(notebook_boxes[at]));
    }
    run.verdict(
        same,
        "LM Fig. 3: the boundary points and box counts agree within 1 % with an "
        "independent run of LM's notebook protocol (9,779 points, 8,335 kept; boxes 8, "
        "21, 56, 140, 319, 674, 1430)",
        format("%zu points, %zu kept; boxes %s", all, dimension.points, counted_boxes.c_str()));
  }
  bool fractional = true;
  double smallest = INFINITY, largest = -INFINITY;
  for (const auto& r : results) {
    fractional = fractional && r.dimension - 3 * r.standard_error > 1 &&
                 r.dimension + 3 * r.standard_error < 2;
    smallest = std::min(smallest, r.dimension);
    largest = std::max(largest, r.dimension);
  }
  run.verdict(fractional,
              "the quotient convergence boundary has a fractional box-counting dimension under "
              "every protocol of the sensitivity table",
              format("%zu protocols, dimensions %.3f .. %.3f", results.size(), smallest, largest));
  run.verdict(exponent.exponent + 3 * exponent.standard_error < 1,
              "LM App. B.2: uncertainty exponent alpha < 1 (fractal boundary)",
              format("alpha = %.3f ± %.3f, 2 - alpha = %.3f; published 0.751", exponent.exponent,
                     exponent.standard_error, exponent.boundary_dimension));
  run.verdict(plus > 0 && minus > 0,
              "LM Thm 4: both minimizers ±(√0.3, √0.3) attract converging (u, v) initializations",
              format("%zu and %zu of %d points", plus, minus, m * m));
  return run.finish();
} catch (const std::exception& e) {
  std::fprintf(stderr, "FAIL: fractal_boundary stopped: %s\n", e.what());
  return 1;
}
