// The main example's workload (issue #13, item 5): Figure 4 / App. J.1's 20 panels (200 × 200
// points each, T = 400, δ_t followed at every step) through gdcert::sweep with the certificate,
// against the hand-written loop the example used before (one trajectory at a time in double,
// δ(x_t) after every step, rows of panels on the library's thread pool). Same run, same flags.
#include <gdcert/analysis/execution.hpp>
#include <gdcert/analysis/sweep.hpp>
#include <gdcert/certificates/factorization.hpp>
#include <gdcert/problems/rank1_factorization.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <vector>

namespace {

using state = gdcert::rank1_factorization::state<double>;
constexpr int resolution = 200;
constexpr std::size_t horizon = 400;
constexpr double extent = 2.5, escape = 1e6;
constexpr std::array<std::array<double, 2>, 5> off_signal{
    {{0.2, 0.2}, {0.6, 0.6}, {1.0, 1.0}, {1.4, 1.4}, {2.0, 0.0}}};
constexpr std::array<double, 4> step_sizes{0.2, 0.4, 0.8, 1.2};

gdcert::execution_policy two_threads(std::size_t tile) {
  gdcert::execution_policy policy;
  policy.threads = 2;
  policy.progress = false;
  policy.tile = tile;
  return policy;
}

/// The library: one certified sweep per panel, δ_t tracked (what the main example runs).
void library_sweep(benchmark::State& bench) {
  std::size_t points = 0;
  for (auto _ : bench)
    for (const double eta : step_sizes)
      for (const auto& uv : off_signal) {
        const gdcert::rank1_factorization problem(eta);
        const gdcert::factorization_certificate certificate(problem);
        const gdcert::grid_axis axis{-extent, extent, resolution};
        const auto plane =
            gdcert::coordinate_plane(problem, state{0, 0, uv[0], uv[1]}, 0, axis, 1, axis);
        gdcert::sweep_options options;
        options.criteria.max_steps = horizon;
        options.criteria.escape_norm = escape;
        options.keep_final_states = true;
        options.track_state_parameter = true;
        const auto result =
            gdcert::sweep<16>(problem, plane, options, two_threads(256), certificate);
        benchmark::DoNotOptimize(result.outcomes.data());
        points += result.size();
      }
  bench.SetItemsProcessed(static_cast<std::int64_t>(points));
}

/// The baseline: the previous main example's loop, per trajectory, δ after every step.
void hand_written_loop(benchmark::State& bench) {
  std::size_t points = 0;
  for (auto _ : bench) {
    const std::size_t tasks = step_sizes.size() * off_signal.size() * resolution;
    std::vector<double> largest_drop(tasks, 0.0), final_loss(tasks, 0.0);
    gdcert::for_each_tile(tasks, two_threads(1), [&](std::size_t begin, std::size_t end) {
      for (std::size_t task = begin; task < end; ++task) {
        const std::size_t panel = task / resolution, row = task % resolution;
        const gdcert::rank1_factorization problem(step_sizes[panel / off_signal.size()]);
        const gdcert::factorization_certificate certificate(problem);
        const auto& uv = off_signal[panel % off_signal.size()];
        const double b0 = extent * (2.0 * double(row) - (resolution - 1)) / (resolution - 1);
        for (int i = 0; i < resolution; ++i) {
          state x{extent * (2.0 * i - (resolution - 1)) / (resolution - 1), b0, uv[0], uv[1]};
          // As the previous example: δ_t only along certified trajectories (I_fac(η; x0) < 0).
          const double eta = problem.step_size();
          const bool certified = eta < 2 && certificate(eta, x) < 0;
          double delta = certified ? certificate.state_parameter(x) : 0.0;
          for (std::size_t t = 0; t < horizon; ++t) {
            x = problem.step(x);
            if (!(x.a * x.a + x.b * x.b + x.u * x.u + x.v * x.v <= escape * escape))
              break;
            if (certified) {
              const double next = certificate.state_parameter(x);
              largest_drop[task] = std::max(largest_drop[task], delta - next);
              delta = next;
            }
          }
          final_loss[task] += problem.loss(x);
        }
      }
    });
    benchmark::DoNotOptimize(largest_drop.data());
    benchmark::DoNotOptimize(final_loss.data());
    points += tasks * resolution;
  }
  bench.SetItemsProcessed(static_cast<std::int64_t>(points));
}

BENCHMARK(library_sweep)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(hand_written_loop)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

} // namespace
