// Benchmarks: GD step latency of every problem's map (steps/s) and the cost of the certificate.
//
// Each step benchmark feeds the map's output back as its input, so it measures latency (the
// dependency chain of one trajectory), not throughput over independent points. Every trajectory
// starts at a point certified for η = 0.5 (I(η; x0) < 0 for the problems that have a certificate),
// so it converges and stays finite however many iterations the library chooses to run; a
// benchmark whose state leaves the finite range reports an error instead of a number.
#include <gdcert/gdcert.hpp>
#include <gdcert/matrix.hpp>

#include <benchmark/benchmark.h>

#include <array>
#include <cstddef>

namespace {

constexpr double eta = 0.5;

template <class Problem>
void step_latency(benchmark::State& bench, const Problem& problem,
                  typename Problem::template state<double> x) {
  for (auto _ : bench) {
    x = problem.step(x);
    benchmark::DoNotOptimize(x);
  }
  bench.SetItemsProcessed(bench.iterations());
  if (!problem.coordinates(x).allFinite())
    bench.SkipWithError("trajectory left the finite range");
}

// (0.3 + 0.01i)_i and (0.2 − 0.01i)_i: I(0.5; a, b) = 0.5·1.05 + 0.25·0.56 − 4 < 0 at d = 8.
gdcert::vector<double> ramp(Eigen::Index d, double start, double slope) {
  gdcert::vector<double> x(d);
  for (Eigen::Index i = 0; i < d; ++i)
    x(i) = start + slope * static_cast<double>(i);
  return x;
}

// The certified start of rank-1 factorization: I_fac(0.5; x0) = 0.55 + 0.34 − 4 < 0.
constexpr gdcert::rank1_state<double> rank1_start{0.9, -0.4, 0.3, 0.2};

void scalar(benchmark::State& bench) {
  step_latency(bench, gdcert::scalar_factorization(eta), {0.9, -0.4});
}
void scalar_vector(benchmark::State& bench) {
  step_latency(bench, gdcert::scalar_vector_factorization(eta, 8),
               {ramp(8, 0.3, 0.01), ramp(8, 0.2, -0.01)});
}
void regularized(benchmark::State& bench) {
  step_latency(bench, gdcert::regularized_factorization(eta, 8, 1.0, 0.1),
               {ramp(8, 0.3, 0.01), ramp(8, 0.2, -0.01)});
}
void rank1_factorization(benchmark::State& bench) {
  step_latency(bench, gdcert::rank1_factorization(eta), rank1_start);
}
void rank1_approximation(benchmark::State& bench) {
  gdcert::vector<double> a(2), b(2);
  a << 0.9, 0.1;
  b << -0.4, 0.3;
  step_latency(bench, gdcert::rank1_approximation(eta, 2), {a, b, 0.3, 0.2});
}
void diagonal_approximation(benchmark::State& bench) {
  step_latency(bench, gdcert::diagonal_approximation(eta, 0.5), rank1_start);
}
void quartic(benchmark::State& bench) {
  // I_sc(0.5; 1.1, 0.6) = 0.785 + 0.085 − 4 < 0; μ = 1/16 as in App. M.
  step_latency(bench, gdcert::quartic_factorization(eta, 1.0 / 16), {1.1, 0.6});
}
void matrix(benchmark::State& bench) {
  // X = e₁e₁ᵀ (5×5), r = 1: the rank-1 start above with its off-signal parts spread over four
  // null-space coordinates (‖u‖² = 0.09, ‖v‖² = 0.04).
  gdcert::matrix<double> target = gdcert::matrix<double>::Zero(5, 5);
  target(0, 0) = 1;
  gdcert::matrix<double> a(5, 1), b(5, 1);
  a << 0.9, 0.15, 0.15, 0.15, 0.15;
  b << -0.4, 0.1, 0.1, 0.1, 0.1;
  step_latency(bench, gdcert::matrix_factorization(eta, target, 1), {a, b});
}

// Certificate costs, on 64 consecutive states of the certified rank-1 trajectory.
std::array<gdcert::rank1_state<double>, 64> rank1_trajectory() {
  const gdcert::rank1_factorization problem(eta);
  std::array<gdcert::rank1_state<double>, 64> states{};
  gdcert::rank1_state<double> x = rank1_start;
  for (auto& s : states) {
    s = x;
    x = problem.step(x);
  }
  return states;
}

void certificate_value(benchmark::State& bench) {
  const gdcert::factorization_certificate certificate{gdcert::rank1_factorization(eta)};
  const auto states = rank1_trajectory();
  std::size_t k = 0;
  for (auto _ : bench) {
    double value = certificate(eta, states[k++ % states.size()]);
    benchmark::DoNotOptimize(value);
  }
  bench.SetItemsProcessed(bench.iterations());
}

void state_parameter(benchmark::State& bench) {
  const gdcert::factorization_certificate certificate{gdcert::rank1_factorization(eta)};
  const auto states = rank1_trajectory();
  std::size_t k = 0;
  for (auto _ : bench) {
    double delta = certificate.state_parameter(states[k++ % states.size()]);
    benchmark::DoNotOptimize(delta);
  }
  bench.SetItemsProcessed(bench.iterations());
}

// The main example's inner loop: one step and δ(x_t) of the new state.
void step_and_state_parameter(benchmark::State& bench) {
  const gdcert::rank1_factorization problem(eta);
  const gdcert::factorization_certificate certificate(problem);
  gdcert::rank1_state<double> x = rank1_start;
  for (auto _ : bench) {
    x = problem.step(x);
    double delta = certificate.state_parameter(x);
    benchmark::DoNotOptimize(x);
    benchmark::DoNotOptimize(delta);
  }
  bench.SetItemsProcessed(bench.iterations());
}

} // namespace

// The sharpness fallback for problems without a closed form (analysis/iterate.hpp): λ_max of the
// Hessian through one dynamic-size SelfAdjointEigenSolver, against the fixed-size 4 × 4 solver it
// replaced (issue #11: one instantiation instead of three). A sweep pays this once per point.
gdcert::rank1_approximation::state<double> sharpness_point() {
  gdcert::vector<double> a(1), b(1);
  a << 0.9;
  b << -0.4;
  return {a, b, 0.3, 0.2};
}
void sharpness_dynamic(benchmark::State& bench) {
  const gdcert::rank1_approximation problem(eta, 1); // 4 coordinates (a, b, u, v)
  const auto x = sharpness_point();
  for (auto _ : bench)
    benchmark::DoNotOptimize(gdcert::sharpness(problem, x));
  bench.SetItemsProcessed(bench.iterations());
}
void sharpness_fixed_size(benchmark::State& bench) {
  const gdcert::rank1_approximation problem(eta, 1);
  const auto x = sharpness_point();
  for (auto _ : bench) {
    const Eigen::Matrix4d h = problem.hessian(x);
    benchmark::DoNotOptimize(
        Eigen::SelfAdjointEigenSolver<Eigen::Matrix4d>(h, Eigen::EigenvaluesOnly)
            .eigenvalues()
            .maxCoeff());
  }
  bench.SetItemsProcessed(bench.iterations());
}

BENCHMARK(scalar)->Name("step/scalar_factorization");
BENCHMARK(scalar_vector)->Name("step/scalar_vector_factorization/d=8");
BENCHMARK(regularized)->Name("step/regularized_factorization/d=8");
BENCHMARK(rank1_factorization)->Name("step/rank1_factorization");
BENCHMARK(rank1_approximation)->Name("step/rank1_approximation/k=2");
BENCHMARK(diagonal_approximation)->Name("step/diagonal_approximation/sigma=0.5");
BENCHMARK(quartic)->Name("step/quartic_factorization/mu=1/16");
BENCHMARK(matrix)->Name("step/matrix_factorization/5x5/r=1");
BENCHMARK(certificate_value)->Name("factorization_certificate/value");
BENCHMARK(state_parameter)->Name("factorization_certificate/state_parameter");
BENCHMARK(step_and_state_parameter)->Name("rank1_factorization/step+state_parameter");
BENCHMARK(sharpness_dynamic)->Name("sharpness/rank1_approximation/k=1/dynamic_solver");
BENCHMARK(sharpness_fixed_size)->Name("sharpness/rank1_approximation/k=1/fixed_4x4_solver");
