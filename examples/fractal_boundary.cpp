// Fractal convergence boundary (Liang–Montúfar Figure 3 / Theorem 4, docs/formulas.md §7-8): the regularized problem's quotient-plane boundary, its box-counting dimension and uncertainty exponent.
//
// Problem: ½(uv − y)² + (λ/2)(u² + v²), y = 0.5, λ = 0.2, η = 1 (problems/regularized.hpp). GD is
// semi-conjugate through T(u, v) = (uv − y, u² + v²) to the planar map F (dynamics/quotient_map.hpp,
// docs/formulas.md §7), and both minimizers map to T(M) = (−λ, 2(y − λ)) = (−0.2, 0.6).
// Quotient picture: (z, w) on an N × N grid of [−2.5, 3] × [0, 10] (as in [LM App. H]); points of the
// state space w >= 2|z + y| are iterated by F for K steps and labelled converged iff they end within
// 1e-6 of T(M); points outside the state space are a third label (not part of the boundary count).
//
// Claims checked, each ending in a PASS/FAIL line computed from the run:
//   * [LM Fig. 3 right]: the box-counting dimension of the boundary of the converged set (between
//     converged and non-converged state-space pixels, analysis/box_counting.hpp) is fractional:
//     strictly between 1 and 2 by more than 3 standard errors; printed next to the published 1.249,
//     with the count's spread over grid offsets (mean vs minimum counts);
//   * [LM App. B.2]: the uncertainty exponent α of the quotient classification is below 1 (a
//     fractal boundary: 2 − α > 1), printed next to 2 − 1.249 = 0.751;
//   * [LM Thm 4]: in the (u, v) plane every converging initialization reaches one of the two
//     minimizers ±(√0.3, √0.3), and both basins are present (sweep.hpp).
// Outputs (--output DIR, default "output"): fractal_boundary_quotient.png (z to the right, w upwards:
// blue converged, vermillion not, grey outside the state space), fractal_boundary_uv.png ((u, v) ∈
// [−4, 4]², red u → −√0.3, blue u → +√0.3, vermillion diverged, black other),
// fractal_boundary_counts.csv (box size, boxes, mean boxes) and fractal_boundary_uncertainty.csv.
// Resolution: full N = 1600, K = 300; --quick N = 300, K = 200.
// Usage: fractal_boundary [--output DIR] [--quick] [--threads N]

#include <gdcert/analysis/box_counting.hpp>
#include <gdcert/analysis/execution.hpp>
#include <gdcert/analysis/iterate.hpp>
#include <gdcert/analysis/sweep.hpp>
#include <gdcert/dynamics/quotient_map.hpp>
#include <gdcert/io/csv.hpp>
#include <gdcert/io/png.hpp>
#include <gdcert/problems/regularized.hpp>

#include "reproduction.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace {

using gdcert::examples::format;

constexpr double eta = 1.0, target = 0.5, lambda = 0.2;
constexpr double z_low = -2.5, z_high = 3.0, w_low = 0.0, w_high = 10.0;
constexpr double published_dimension = 1.249;

enum label : std::uint8_t { not_converged = 0, converged = 1, outside = 2 };

/// Label of a quotient point after `steps` applications of F.
label classify(const gdcert::quotient_map& f, gdcert::quotient_point<double> x, int steps) {
  if (!f.in_state_space(x))
    return outside;
  const auto m = f.minimizer_image();
  for (int t = 0; t < steps; ++t) {
    x = f(x);
    if (!(std::abs(x.z) + std::abs(x.w) < 1e8))
      return not_converged;
  }
  return std::hypot(x.z - m.z, x.w - m.w) < 1e-6 ? converged : not_converged;
}

} // namespace

int main(int argc, char** argv) {
  gdcert::examples::reproduction run(
      "fractal_boundary",
      "LM Figure 3 / Theorem 4: fractal convergence boundary of F, y=.5 η=1 λ=.2");
  run.parse(argc, argv);
  const int n = run.choose(1600, 300), steps = run.choose(300, 200);
  const auto policy = run.policy();
  const gdcert::regularized_factorization problem(eta, 1, target, lambda);
  const gdcert::quotient_map f(problem);

  // Quotient-plane labels: row 0 at the top (w = w_high).
  std::vector<std::uint8_t> labels(static_cast<std::size_t>(n) * static_cast<std::size_t>(n));
  auto point = [&](double column, double row) {
    return gdcert::quotient_point<double>{z_low + (z_high - z_low) * column / (n - 1),
                                          w_high - (w_high - w_low) * row / (n - 1)};
  };
  gdcert::for_each_tile(labels.size(), policy, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i)
      labels[i] = classify(f, point(double(i % n), double(i / n)), steps);
  });
  std::size_t counts[3] = {0, 0, 0};
  for (const auto l : labels)
    ++counts[l];
  std::printf("quotient grid %d x %d, %d steps of F: %zu converged, %zu not, %zu outside w >= "
              "2|z + y|\n",
              n, n, steps, counts[converged], counts[not_converged], counts[outside]);

  // Boundary between converged and not converged (outside pixels merged with not-converged would
  // add the cone's edges, straight lines: keep only converged vs the rest inside the cone).
  std::vector<gdcert::point2> boundary;
  auto label_at = [&](double x, double y) { // pixel whose centre is (x + ½, y + ½)
    return labels[static_cast<std::size_t>(y) * static_cast<std::size_t>(n) +
                  static_cast<std::size_t>(x)];
  };
  for (const auto& p : gdcert::label_boundary(labels, n, n)) {
    // (x + 1, y + ½) separates pixels x and x + 1 of row y; (x + ½, y + 1) rows y and y + 1.
    const bool across_columns = p[0] == std::floor(p[0]);
    const auto first =
        across_columns ? label_at(p[0] - 1, p[1] - 0.5) : label_at(p[0] - 0.5, p[1] - 1);
    const auto second = across_columns ? label_at(p[0], p[1] - 0.5) : label_at(p[0] - 0.5, p[1]);
    if (first != outside && second != outside)
      boundary.push_back(p);
  }
  gdcert::box_counting_parameters parameters;
  parameters.resolution = 1.0;
  const auto dimension = gdcert::box_counting(boundary, parameters);
  std::printf("\nbox counting (%zu boundary points, window [%.1f, %.1f] px):\n%10s %10s %12s\n",
              boundary.size(), dimension.window.smallest, dimension.window.largest, "size", "boxes",
              "mean boxes");
  std::vector<double> sizes, boxes, means;
  for (const auto& row : dimension.table) {
    std::printf("%10.2f %10zu %12.1f\n", row.size, row.boxes, row.mean_boxes);
    sizes.push_back(row.size);
    boxes.push_back(double(row.boxes));
    means.push_back(row.mean_boxes);
  }
  std::printf("dimension %.3f ± %.3f (minimum over %d grid offsets), %.3f (mean counts); "
              "published %.3f\n\n",
              dimension.dimension, dimension.standard_error, parameters.grid_offsets,
              dimension.mean_dimension, published_dimension);

  // Uncertainty exponent on state-space grid points near the boundary scale.
  std::vector<std::array<double, 2>> samples;
  const int stride = run.choose(8, 6);
  for (int r = 0; r < n; r += stride)
    for (int c = 0; c < n; c += stride) {
      const auto x = point(c, r);
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
    const std::size_t row = static_cast<std::size_t>(m) - 1 - i / m, column = i % m;
    std::uint8_t colour = 3; // other
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
      .parameter("window", "z in [-2.5, 3], w in [0, 10]");
  gdcert::write_label_map(
      run.output_file("fractal_boundary_quotient.png"), labels, n, n,
      std::array{gdcert::rgb{213, 94, 0}, gdcert::rgb{0, 114, 178}, gdcert::rgb{170, 170, 170}},
      origin);
  gdcert::write_label_map(run.output_file("fractal_boundary_uv.png"), uv, m, m,
                          std::array{gdcert::rgb{220, 30, 30}, gdcert::rgb{0, 114, 178},
                                     gdcert::rgb{213, 94, 0}, gdcert::rgb{0, 0, 0}},
                          origin);
  gdcert::csv_table table;
  table.add_column("size", sizes).add_column("boxes", boxes).add_column("mean_boxes", means);
  gdcert::write_csv(run.output_file("fractal_boundary_counts.csv"), table, origin);
  std::vector<double> eps, fraction;
  for (const auto& s : exponent.table) {
    eps.push_back(s.epsilon);
    fraction.push_back(s.fraction);
  }
  gdcert::csv_table ut;
  ut.add_column("epsilon", eps).add_column("fraction", fraction);
  gdcert::write_csv(run.output_file("fractal_boundary_uncertainty.csv"), ut, origin);

  const double se = dimension.standard_error;
  run.verdict(
      dimension.dimension - 3 * se > 1 && dimension.dimension + 3 * se < 2,
      "LM Fig. 3: the quotient convergence boundary has a fractional box-counting dimension",
      format("%.3f ± %.3f (mean counts %.3f), published %.3f", dimension.dimension, se,
             dimension.mean_dimension, published_dimension));
  run.verdict(exponent.exponent + 3 * exponent.standard_error < 1,
              "LM App. B.2: uncertainty exponent alpha < 1 (fractal boundary)",
              format("alpha = %.3f ± %.3f, 2 - alpha = %.3f; published 0.751", exponent.exponent,
                     exponent.standard_error, exponent.boundary_dimension));
  run.verdict(plus > 0 && minus > 0,
              "LM Thm 4: both minimizers ±(√0.3, √0.3) attract converging (u, v) initializations",
              format("%zu and %zu of %d points", plus, minus, m * m));
  return run.finish();
}
