// Benchmarks: the GD step of matrix factorization ½‖BAᵀ − X‖²_F (X ∈ ℝ^{m×n}, rank r) at matrix
// scale, in place (step_in_place: fused residual tiles, no allocation) on all cores and on one,
// against a roofline stated here.
//
// Per step: 6mnr flops (three products of mnr multiply-adds) and, at the least, one read of X
// (8mn bytes) plus reading and writing A and B (32(m + n)r bytes). The roofline time is
// max(flops / F, bytes / S) with F the FMA peak of the cores used (16 flops per cycle per Zen 3
// core at the clock measured by `fma_peak`) and S the read bandwidth measured by `stream_read` on
// an array the size of X with the same threads (a cache's bandwidth where X fits in it, as it
// does from one step to the next). roofline_fraction = roofline time / step time.
// bench/matrix_step_table.py runs this and NumPy (with OpenBLAS) at the same sizes in one run.
#include <gdcert/core/worker_team.hpp>
#include <gdcert/problems/matrix_factorization.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <vector>

#if defined(__AVX__)
#include <immintrin.h>
#endif

namespace {

using namespace gdcert;

/// Flops per second of `threads` cores: 12 independent 4-wide FMA chains per core, 2 flops each.
double fma_peak(unsigned threads) {
#if defined(__FMA__)
  static const double per_core = [] {
    constexpr int chains = 12, rounds = 1 << 22;
    double best = 0;
    for (int pass = 0; pass < 3; ++pass) {
      __m256d acc[chains];
      for (int c = 0; c < chains; ++c)
        acc[c] = _mm256_set1_pd(1.0 + c * 1e-3);
      const __m256d a = _mm256_set1_pd(0.999999), b = _mm256_set1_pd(1e-7);
      const auto start = std::chrono::steady_clock::now();
      for (int r = 0; r < rounds; ++r)
        for (int c = 0; c < chains; ++c)
          acc[c] = _mm256_fmadd_pd(acc[c], a, b);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      // Reduced to one number afterwards: taking the accumulators' addresses (DoNotOptimize)
      // would keep them in memory and time store forwarding instead of the FMA pipes.
      __m256d sum = acc[0];
      for (int c = 1; c < chains; ++c)
        sum = _mm256_add_pd(sum, acc[c]);
      double lanes[4];
      _mm256_storeu_pd(lanes, sum);
      benchmark::DoNotOptimize(lanes[0]);
      best = std::max(best, double(chains) * rounds * 4 * 2 / seconds);
    }
    return best;
  }();
  return per_core * threads;
#else
  (void)threads;
  return 0;
#endif
}

/// Bytes per second read by `threads` threads from an array of `bytes`, warm. Each timed pass
/// reads the array `sweeps` times inside one dispatch of the team (at least 64 MB in all), so that
/// for a small array, which a step finds in cache, the figure is the cache's bandwidth and not the
/// cost of waking the threads (one dispatch per 80 kB read gave a bound 25× too slow).
double stream_read(std::size_t bytes, unsigned threads) {
  std::vector<double> data(std::max<std::size_t>(bytes / sizeof(double), 4 * threads), 1.0);
  const std::size_t size = data.size() * sizeof(double);
  const std::size_t sweeps = std::max<std::size_t>(1, (std::size_t(64) << 20) / size);
  worker_team team(threads);
  std::vector<double> sums(threads);
  double best = 0;
  for (int pass = 0; pass < 5; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    team.run([&](unsigned k) {
      const std::size_t n = data.size(), begin = n * k / threads, end = n * (k + 1) / threads;
      // 32 independent sums (8 AVX registers): the loads, not the additions' latency, set the pace.
      double total = 0;
#if defined(__AVX__)
      __m256d acc[8];
      for (auto& a : acc)
        a = _mm256_setzero_pd();
      for (std::size_t sweep = 0; sweep < sweeps; ++sweep)
        for (std::size_t i = begin; i + 32 <= end; i += 32)
          for (int c = 0; c < 8; ++c)
            acc[c] = _mm256_add_pd(acc[c], _mm256_loadu_pd(&data[i + 4 * c]));
      for (int c = 1; c < 8; ++c)
        acc[0] = _mm256_add_pd(acc[0], acc[c]);
      double lanes[4];
      _mm256_storeu_pd(lanes, acc[0]);
      total = lanes[0] + lanes[1] + lanes[2] + lanes[3];
#else
      for (std::size_t sweep = 0; sweep < sweeps; ++sweep)
        for (std::size_t i = begin; i < end; ++i)
          total += data[i];
#endif
      sums[k] = total;
    });
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::max(best, double(size) * double(sweeps) / seconds);
    benchmark::DoNotOptimize(sums.data());
  }
  return best;
}

void matrix_step(benchmark::State& bench) {
  const Eigen::Index m = bench.range(0), n = m, r = bench.range(1);
  const auto threads = static_cast<unsigned>(bench.range(2));
  const Eigen::MatrixXd target = Eigen::MatrixXd::Random(m, n);
  const matrix_factorization problem(1e-4, target, r);
  matrix_factorization::state<double> x{0.1 * Eigen::MatrixXd::Random(n, r),
                                        0.1 * Eigen::MatrixXd::Random(m, r)};
  auto workspace = problem.make_workspace(threads);
  double seconds = 0;
  // Each step's time, the last 2^16 kept (no allocation while timing): their median is the
  // statistic NumPy's side of bench/matrix_step_table.py reports too.
  std::vector<double> steps(std::size_t(1) << 16);
  std::size_t count = 0;
  for (auto _ : bench) {
    const auto start = std::chrono::steady_clock::now();
    problem.step_in_place(x, workspace);
    benchmark::DoNotOptimize(x.A.data());
    const double step =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    seconds += step;
    steps[count++ & (steps.size() - 1)] = step;
  }
  steps.resize(std::min(count, steps.size()));
  std::nth_element(steps.begin(), steps.begin() + std::ptrdiff_t(steps.size() / 2), steps.end());
  const double median = steps.empty() ? 0.0 : steps[steps.size() / 2];
  bench.counters["median_us"] = median * 1e6;
  const unsigned used = workspace.threads();
  const double flops = 6.0 * double(m * n * r);
  const double bytes = 8.0 * double(m * n) + 32.0 * double((m + n) * r);
  const double peak = fma_peak(used), bandwidth = stream_read(std::size_t(8 * m * n), used);
  const double roofline_seconds = std::max(flops / peak, bytes / bandwidth);
  bench.counters["threads"] = used;
  bench.counters["flops"] =
      benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate);
  bench.counters["roofline_us"] = roofline_seconds * 1e6;
  bench.counters["roofline_fraction"] =
      roofline_seconds /
      (seconds / double(std::max<benchmark::IterationCount>(1, bench.iterations())));
  bench.counters["median_roofline_fraction"] = median > 0 ? roofline_seconds / median : 0.0;
  bench.counters["peak_flops"] = peak;
  bench.counters["read_bytes_per_s"] = bandwidth;
}

void sizes(benchmark::internal::Benchmark* b) {
  for (const long m : {6L, 32L, 100L, 300L, 1000L})
    for (const long r : {1L, 3L, 10L, 100L})
      if (r <= m)
        for (const long threads : {1L, 0L})
          b->Args({m, r, threads});
}
BENCHMARK(matrix_step)->Apply(sizes)->UseRealTime()->Unit(benchmark::kMicrosecond);

} // namespace
