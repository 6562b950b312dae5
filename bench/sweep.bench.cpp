// Benchmarks: basin-sweep throughput in GD steps/s (plain double loop, SIMD lanes, SIMD + 2 threads) against the machine's FMA-throughput bound.
//
// Items processed are the GD steps the points needed (Σ over points of the steps until each was
// decided or hit the limit); map evaluations that lanes of a pack spend after their own decision
// (while a slower lane finishes) are not counted as items but shown as lane_utilization.
//
// The bound: every instruction of a map step that runs on the FMA pipes (vmulpd and
// vfmadd/vfnmadd; adds and subtracts have their own pipes on Zen 3) is one op. The rank-1
// factorization map (14) compiles to 6 multiplies + 8 FMAs = 14 ops per point-step, the scalar
// map (8) to 4 + 4 = 8 (counted in the -O3 -march=native assembly). The machine does
// 2 cores × 2 FMA pipes × 4 doubles × f ops/s, so the bound is 16 f / ops point-steps/s. f is
// measured by `clock` (a dependent vfmadd chain, 4 cycles per FMA on Zen 3) and the per-core FMA
// rate by `fma_peak` (12 independent chains); bound_fraction uses the measured clock.
#include <gdcert/analysis/sweep.hpp>
#include <gdcert/gdcert.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <ctime>
#include <fstream>
#include <string>
#include <type_traits>

#if defined(__FMA__)
#include <immintrin.h>
#endif

namespace {

using namespace gdcert;

constexpr double fma_latency_cycles = 4; // vfmadd231pd on Zen 3 (family 25)
constexpr int cores = 2, fma_pipes = 2, doubles_per_op = 4;

/// CPU time of the calling thread: other processes on the (shared) machine do not inflate it.
double thread_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

/// Clock from a dependent chain of FMAs timed in thread CPU time (best of several runs).
double measured_clock_hz() {
  static const double clock = [] {
    double best = 0;
    for (int run = 0; run < 7; ++run) {
      double x = 1.0;
      const double a = 0.999999, b = 1e-7;
      constexpr long chain = 20'000'000;
      const double start = thread_seconds();
      for (long i = 0; i < chain; ++i) {
        x = std::fma(x, a, b);
#if defined(__GNUC__)
        asm volatile("" : "+x"(x)); // keeps x in a register: the chain is FMA latency alone
#else
        benchmark::DoNotOptimize(x);
#endif
      }
      best = std::max(best, double(chain) * fma_latency_cycles / (thread_seconds() - start));
    }
    return best;
  }();
  return clock;
}

/// "cpu MHz" of /proc/cpuinfo (the nominal clock under KVM), in Hz; 0 if unreadable.
double cpuinfo_clock_hz() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("cpu MHz", 0) == 0)
      return std::stod(line.substr(line.find(':') + 1)) * 1e6;
  return 0;
}

void clock(benchmark::State& bench) {
  for (auto _ : bench)
    benchmark::DoNotOptimize(measured_clock_hz());
  bench.counters["measured_GHz"] = measured_clock_hz() / 1e9;
  bench.counters["cpuinfo_GHz"] = cpuinfo_clock_hz() / 1e9;
}
BENCHMARK(clock)->Iterations(1);

#if defined(__FMA__)
/// FMA-pipe ops/s of one core: 12 independent 4-wide FMA chains (enough to cover latency × pipes).
void fma_peak(benchmark::State& bench) {
  constexpr int chains = 12, rounds = 1 << 16;
  std::size_t ops = 0;
  for (auto _ : bench) {
    __m256d acc[chains];
    for (int c = 0; c < chains; ++c)
      acc[c] = _mm256_set1_pd(1.0 + c * 1e-3);
    const __m256d a = _mm256_set1_pd(0.999999), b = _mm256_set1_pd(1e-7);
    for (int r = 0; r < rounds; ++r)
      for (int c = 0; c < chains; ++c)
        acc[c] = _mm256_fmadd_pd(acc[c], a, b);
    for (int c = 0; c < chains; ++c)
      benchmark::DoNotOptimize(acc[c]);
    ops += std::size_t(chains) * rounds;
  }
  bench.counters["fma_ops_per_s"] = benchmark::Counter(double(ops), benchmark::Counter::kIsRate);
  bench.counters["ops_per_cycle"] =
      benchmark::Counter(double(ops) / measured_clock_hz(), benchmark::Counter::kIsRate);
}
BENCHMARK(fma_peak);
#endif

/// One sweep per iteration; items = the points' GD steps.
template <int W, class Problem>
void sweep_throughput(benchmark::State& bench, const Problem& problem, const sweep_plane& plane,
                      const sweep_options& options, unsigned threads, double ops_per_step) {
  execution_policy policy;
  policy.threads = threads;
  policy.progress = false;
  policy.tile = 512;
  std::size_t useful = 0, executed = 0;
  for (auto _ : bench) {
    const sweep_result result = sweep<W>(problem, plane, options, policy);
    useful += result.useful_steps;
    executed += result.executed_lane_steps;
    benchmark::DoNotOptimize(result.outcomes.data());
  }
  const double bound = cores * fma_pipes * doubles_per_op * measured_clock_hz() / ops_per_step;
  bench.SetItemsProcessed(static_cast<std::int64_t>(useful));
  bench.counters["lane_utilization"] = double(useful) / double(std::max<std::size_t>(executed, 1));
  bench.counters["bound_steps_per_s"] = bound;
  bench.counters["bound_fraction"] =
      benchmark::Counter(double(useful) / bound, benchmark::Counter::kIsRate);
}

constexpr double rank1_ops = 14, scalar_ops = 8;

sweep_options with_steps(std::size_t max_steps, std::size_t check_interval = 128) {
  sweep_options o;
  o.criteria.max_steps = max_steps;
  o.check_interval = check_interval;
  return o;
}

/// Fig. 4 / App. J.1 as published: rank-1 factorization, (a₀, b₀) on [−2.5, 2.5]², (u₀, v₀) =
/// (0.2, 0.2), η = 0.8, T = 400 (128 × 128 points). Most points are decided within ~100 steps,
/// so the per-point decision work (distance to M* by a few Newton steps, closed-form final
/// sharpness: ~0.2 µs together) weighs against ~60 map steps per point.
struct rank1_fig4 {
  rank1_factorization problem{0.8};
  sweep_plane plane = coordinate_plane(problem, rank1_state<double>{0, 0, 0.2, 0.2}, 0,
                                       {-2.5, 2.5, 128}, 1, {-2.5, 2.5, 128});
  sweep_options options = with_steps(400);
};
/// Beyond the 2-cycle window (η = 1.3 > √5 − 1): bounded points wander on K₂ without settling
/// on a cycle of period <= 8, so most run the full T = 4096 steps and the map dominates. Checks
/// every 256 steps (tuned: with trajectories this long the checks, not early exits, cost time).
struct rank1_edge {
  rank1_factorization problem{1.3};
  sweep_plane plane = coordinate_plane(problem, rank1_state<double>{0, 0, 0.2, 0.2}, 0,
                                       {-1.5, 1.5, 96}, 1, {-1.5, 1.5, 96});
  sweep_options options = with_steps(4096, 256);
};
/// Liang–Montúfar's scalar case: (a₀, b₀) on [−3, 3]² at η = 0.8 (convergence region Q < 10).
struct scalar_fig {
  scalar_factorization problem{0.8};
  sweep_plane plane =
      coordinate_plane(problem, scalar_state<double>{0, 0}, 0, {-3, 3, 128}, 1, {-3, 3, 128});
  sweep_options options = with_steps(400);
};
/// The scalar map at η = 1.3, as rank1_edge.
struct scalar_edge {
  scalar_factorization problem{1.3};
  sweep_plane plane =
      coordinate_plane(problem, scalar_state<double>{0, 0}, 0, {-1.5, 1.5, 96}, 1, {-1.5, 1.5, 96});
  sweep_options options = with_steps(4096, 256);
};

template <class Workload, int W, unsigned Threads>
void sweep_case(benchmark::State& bench) {
  static const Workload workload;
  constexpr double ops =
      std::is_same_v<std::remove_cvref_t<decltype(workload.problem)>, rank1_factorization>
          ? rank1_ops
          : scalar_ops;
  sweep_throughput<W>(bench, workload.problem, workload.plane, workload.options, Threads, ops);
}

template <class Workload>
void register_cases(const std::string& name) {
  auto add = [&](const std::string& variant, void (*function)(benchmark::State&)) {
    benchmark::RegisterBenchmark((name + "/" + variant).c_str(), function)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  };
  add("plain", sweep_case<Workload, 1, 1>);
  add("simd4", sweep_case<Workload, 4, 1>);
  add("simd8", sweep_case<Workload, 8, 1>);
  add("simd16", sweep_case<Workload, 16, 1>);
  add("simd4_threads2", sweep_case<Workload, 4, 2>);
  add("simd16_threads2", sweep_case<Workload, 16, 2>);
}

/// The ceiling the engine works under: the library's p.step on 4 independent lanes<4> packs
/// (16 points) in a flattened loop, no checks. Items are point-steps.
template <class Problem, class State>
[[gnu::flatten]] void step_packs(const Problem& problem, std::array<State, 4>& x, long steps) {
  for (long s = 0; s < steps; ++s) {
    x[0] = problem.step(x[0]);
    x[1] = problem.step(x[1]);
    x[2] = problem.step(x[2]);
    x[3] = problem.step(x[3]);
  }
}
template <class Problem>
void map_kernel(benchmark::State& bench, const Problem& problem, const vector<double>& start,
                double ops_per_step) {
  using state = typename Problem::template state<lanes<4>>;
  vector<lanes<4>> c(start.size());
  for (Eigen::Index i = 0; i < c.size(); ++i)
    c(i) = lanes<4>::Constant(start(i));
  std::array<state, 4> x;
  x.fill(problem.template from_coordinates<lanes<4>>(c));
  constexpr long steps = 4096;
  std::size_t items = 0;
  for (auto _ : bench) {
    step_packs(problem, x, steps);
    benchmark::DoNotOptimize(x);
    items += 16 * steps;
  }
  const double bound = cores * fma_pipes * doubles_per_op * measured_clock_hz() / ops_per_step;
  bench.SetItemsProcessed(static_cast<std::int64_t>(items));
  bench.counters["core_bound_fraction"] =
      benchmark::Counter(double(items) * cores / bound, benchmark::Counter::kIsRate);
}
void rank1_kernel(benchmark::State& bench) {
  // A bounded start at η = 1.3 (the rank1_edge regime); subnormals flushed as in the sweeps.
  const detail::subnormal_flush_guard flush(true);
  vector<double> start(4);
  start << 0.9, 0.8, 0.1, 0.05;
  map_kernel(bench, rank1_factorization(1.3), start, rank1_ops);
}
void scalar_kernel(benchmark::State& bench) {
  vector<double> start(2);
  start << 0.9, 0.8;
  map_kernel(bench, scalar_factorization(1.3), start, scalar_ops);
}

const bool registered = [] {
  benchmark::RegisterBenchmark("rank1_kernel/simd16", rank1_kernel);
  benchmark::RegisterBenchmark("scalar_kernel/simd16", scalar_kernel);
  register_cases<rank1_fig4>("rank1_fig4");
  register_cases<rank1_edge>("rank1_edge");
  register_cases<scalar_fig>("scalar_fig");
  register_cases<scalar_edge>("scalar_edge");
  return true;
}();

} // namespace
