// Benchmarks: boundary-inward scan throughput in directions/s (fast and direct paths, 1 and 2 threads) and the full Figures 7-8 and 9-10 reproductions (App. L-M).
//
// Items are (parameter, direction) evaluations: one post-step certificate value each. The
// Figures 7-8 case runs the whole published grid once (6 σ × 2 η × 19,266 (δ, ξ) pairs per η ×
// 512,320 directions, early exit on failing pairs) and reports its wall time, including the
// tabulation of the 41⁴ directions and the per-(σ, η) moment tables.
#include <gdcert/analysis/boundary_scan.hpp>

#include <benchmark/benchmark.h>

#include <cstddef>
#include <vector>

namespace {

gdcert::execution_policy policy(unsigned threads) {
  gdcert::execution_policy p;
  p.threads = threads;
  p.progress = false;
  return p;
}

const gdcert::direction_table& published_4d() {
  static const gdcert::direction_table table =
      gdcert::tabulate(gdcert::cube_boundary_directions(4, 41), policy(0));
  return table;
}

// One passing pair (σ = 0.01, η = 0.2, δ = 1, ξ = 4/3 on the factorization branch), full scan:
// every direction is evaluated. Argument: threads.
template <int W>
void single_pair(benchmark::State& state) {
  const gdcert::diagonal_approximation problem(0.2, 0.01);
  const gdcert::boundary_scanner<gdcert::diagonal_approximation, W> scanner(problem, published_4d(),
                                                                            policy(0));
  const auto threads = static_cast<unsigned>(state.range(0));
  for (auto _ : state) {
    const auto result = scanner.scan({1.0, 4.0 / 3.0}, {}, policy(threads));
    benchmark::DoNotOptimize(result.worst);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(scanner.size()));
}
BENCHMARK_TEMPLATE(single_pair, 4)->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK_TEMPLATE(single_pair, 8)->Arg(1)->Arg(2)->UseRealTime();

// The grid kernel: one δ row of 120 ξ values on the calling thread, sharing each tile of moments
// (the row-basis sums are hoisted out of the ξ loop). Full scan, no early exit.
template <int W>
void grid_row(benchmark::State& state) {
  const gdcert::diagonal_approximation problem(0.2, 0.01);
  const gdcert::boundary_scanner<gdcert::diagonal_approximation, W> scanner(problem, published_4d(),
                                                                            policy(0));
  std::vector<gdcert::two_parameter_form::parameters> row;
  for (const double xi : gdcert::published_xi_axis(0.01))
    row.push_back({1.0, xi});
  for (auto _ : state) {
    const auto summary = scanner.scan_group(row, {});
    benchmark::DoNotOptimize(summary.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(row.size()) *
                          static_cast<std::int64_t>(scanner.size()));
}
BENCHMARK_TEMPLATE(grid_row, 4)->UseRealTime();
BENCHMARK_TEMPLATE(grid_row, 8)->UseRealTime();

// A whole (σ, η) map without early exit (4,680 pairs × 512,320 directions at σ = 0.01): the
// grid engine on 1 and 2 threads, moment table included. Argument: threads.
void full_map(benchmark::State& state) {
  const gdcert::diagonal_approximation problem(0.2, 0.01);
  const auto threads = static_cast<unsigned>(state.range(0));
  std::size_t evaluations = 0;
  for (auto _ : state) {
    const auto map = gdcert::two_parameter_pass_fail_map(problem, gdcert::published_delta_axis(),
                                                         gdcert::published_xi_axis(0.01),
                                                         published_4d(), {}, policy(threads));
    benchmark::DoNotOptimize(map.worst.data());
    evaluations += map.pairs() * map.directions;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(evaluations));
}
BENCHMARK(full_map)->Arg(1)->Arg(2)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);

// The reference: the problem's own map stepped on lane packs, dense P. Argument: threads.
void direct_pair(benchmark::State& state) {
  const gdcert::diagonal_approximation problem(0.2, 0.01);
  const Eigen::MatrixXd p = gdcert::two_parameter_form(0.01).matrix({1.0, 4.0 / 3.0});
  const auto threads = static_cast<unsigned>(state.range(0));
  for (auto _ : state) {
    const auto result =
        gdcert::boundary_scan_direct(problem, p, published_4d(), {}, policy(threads));
    benchmark::DoNotOptimize(result.worst);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(published_4d().cols()));
}
BENCHMARK(direct_pair)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

// Figures 7-8 (App. L), the target (< 60 s on 2 cores): every published (σ, η, δ, ξ),
// pass/fail with early exit, from scratch (direction tabulation included). Argument: threads.
void figures_7_8(benchmark::State& state) {
  const auto threads = static_cast<unsigned>(state.range(0));
  std::size_t pairs = 0, passing = 0, evaluations = 0;
  for (auto _ : state) {
    const auto table = gdcert::tabulate(gdcert::cube_boundary_directions(4, 41), policy(threads));
    gdcert::pass_fail_options options;
    options.scan.early_exit = true;
    for (const double eta : {0.2, 0.6})
      for (const double sigma : {0.01, 0.2, 0.4, 0.6, 0.8, 0.99}) {
        const auto map = gdcert::two_parameter_pass_fail_map(
            gdcert::diagonal_approximation(eta, sigma), gdcert::published_delta_axis(),
            gdcert::published_xi_axis(sigma), table, options, policy(threads));
        pairs += map.pairs();
        for (std::size_t i = 0; i < map.pairs(); ++i) {
          passing += map.passed[i];
          evaluations += map.scanned[i];
        }
      }
  }
  state.counters["pairs"] = static_cast<double>(pairs);
  state.counters["passing"] = static_cast<double>(passing);
  state.counters["evaluations"] = static_cast<double>(evaluations);
  state.SetItemsProcessed(static_cast<std::int64_t>(evaluations));
}
BENCHMARK(figures_7_8)->Arg(2)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);

// Figures 9-10 (App. M): the scalar certificate under the quartic loss, 2001 points per edge
// (8,000 directions), η × δ on the 0.05 grid, μ ∈ {±1/4, ±1/16}, full scans. Argument: threads.
void figures_9_10(benchmark::State& state) {
  const auto threads = static_cast<unsigned>(state.range(0));
  std::size_t evaluations = 0;
  for (auto _ : state) {
    const auto table = gdcert::tabulate(gdcert::cube_boundary_directions(2, 2001), policy(threads));
    for (const double mu : {0.25, 0.0625, -0.0625, -0.25}) {
      const auto map =
          gdcert::quartic_pass_fail_map(mu, gdcert::published_delta_axis(),
                                        gdcert::published_delta_axis(), table, {}, policy(threads));
      evaluations += map.pairs() * map.directions;
      benchmark::DoNotOptimize(map.worst.data());
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(evaluations));
}
BENCHMARK(figures_9_10)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

} // namespace
