// Rigorous boundary test throughput: boxes enclosed per second (analysis/rigorous_scan.hpp).
#include <gdcert/analysis/rigorous_scan.hpp>
#include <gdcert/certificates/factorization.hpp>
#include <gdcert/certificates/scalar.hpp>
#include <gdcert/certificates/two_parameter.hpp>
#include <gdcert/problems/diagonal_approximation.hpp>
#include <gdcert/problems/quartic.hpp>
#include <gdcert/problems/rank1_factorization.hpp>

#include <benchmark/benchmark.h>

namespace {

gdcert::execution_policy serial() {
  gdcert::execution_policy p;
  p.threads = 1;
  p.progress = false;
  return p;
}

/// The whole proof of Prop. 2 at (η, δ) = (0.5, 1.2) on one thread: boxes/s over a real run.
void factorization_proof(benchmark::State& state) {
  const gdcert::rank1_factorization problem(0.5);
  const gdcert::factorization_certificate certificate(problem);
  std::size_t boxes = 0;
  for (auto _ : state) {
    const auto r = gdcert::verify_inwardness(problem, gdcert::certificate_level(certificate, 1.2),
                                             {}, serial());
    boxes += r.boxes;
    benchmark::DoNotOptimize(r.certified_bound);
  }
  state.counters["boxes/s"] =
      benchmark::Counter(static_cast<double>(boxes), benchmark::Counter::kIsRate);
}
BENCHMARK(factorization_proof)->Unit(benchmark::kMillisecond)->Iterations(1);

/// The same for the 2-D quartic map (App. M) at η = 0.4, δ = 1.
void quartic_proof(benchmark::State& state) {
  const gdcert::quartic_factorization problem(0.4, 1.0 / 16);
  const gdcert::scalar_certificate certificate{gdcert::scalar_factorization(0.4)};
  std::size_t boxes = 0;
  for (auto _ : state) {
    const auto r = gdcert::verify_inwardness(problem, gdcert::certificate_level(certificate, 1.0),
                                             {}, serial());
    boxes += r.boxes;
    benchmark::DoNotOptimize(r.certified_bound);
  }
  state.counters["boxes/s"] =
      benchmark::Counter(static_cast<double>(boxes), benchmark::Counter::kIsRate);
}
BENCHMARK(quartic_proof)->Unit(benchmark::kMillisecond);

/// A Figure 7 pair (App. L): X = diag(1, 0.2), η = 0.2, (δ, ξ) = (1.5, 4.15), the midline of the
/// 41⁴ sampled pass region, proved on one thread.
void two_parameter_proof(benchmark::State& state) {
  const gdcert::diagonal_approximation problem(0.2, 0.2);
  const gdcert::two_parameter_certificate<> certificate(problem);
  std::size_t boxes = 0;
  for (auto _ : state) {
    const auto r = gdcert::verify_inwardness(
        problem, gdcert::certificate_level(certificate, 1.5, 4.15), {}, serial());
    boxes += r.boxes;
    benchmark::DoNotOptimize(r.certified_bound);
  }
  state.counters["boxes/s"] =
      benchmark::Counter(static_cast<double>(boxes), benchmark::Counter::kIsRate);
}
BENCHMARK(two_parameter_proof)->Unit(benchmark::kMillisecond)->Iterations(1);

} // namespace
