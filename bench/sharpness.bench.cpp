// Sharpness at matrix scale (issue #24 item 3; docs/engines.md, "Sharpness at matrix scale"):
// λ_max(∇²R) of matrix factorization near a minimizer by the dense eigensolver and by Lanczos on
// Hessian-vector products (stability/hessian_spectrum.hpp), and one product of the operator on 1
// and 2 threads. bench/sharpness_scipy.py builds the same instances (the generator below) and
// times SciPy's eigsh on the same products.
//
// Instance (m, n, r): a planted target X = B*A*ᵀ + 0.01·N and the state (A* + 0.001·N_A,
// B* + 0.001·N_B), every entry a standard normal from a counter-based generator (splitmix64 and
// Box–Muller, written out so that NumPy reproduces it); d = (m + n)r. The problem's constructor
// takes the SVD of X (minimum_loss): the m = n = 1000 instance takes tens of seconds to build,
// once per run, outside the timed loops.
#include <gdcert/analysis/iterate.hpp>
#include <gdcert/problems/matrix_factorization.hpp>
#include <gdcert/stability/hessian_spectrum.hpp>

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <numbers>
#include <tuple>

namespace {

using Eigen::Index;
using gdcert::matrix_factorization;

/// splitmix64 of the counter `seed · 2^40 + i`, the top 53 bits as a uniform in (0, 1).
double uniform(std::uint64_t seed, std::uint64_t i) {
  std::uint64_t z = (seed << 40) + i + 0x9e3779b97f4a7c15u;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  z ^= z >> 31;
  return (double(z >> 11) + 0.5) * 0x1.0p-53;
}

/// Column-major rows × cols standard normals: entry i from the uniforms 2i and 2i + 1.
Eigen::MatrixXd normal_matrix(Index rows, Index cols, std::uint64_t seed) {
  Eigen::MatrixXd out(rows, cols);
  for (Index i = 0; i < out.size(); ++i) {
    const double u1 = uniform(seed, 2 * std::uint64_t(i)),
                 u2 = uniform(seed, 2 * std::uint64_t(i) + 1);
    out(i) = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }
  return out;
}

struct instance {
  matrix_factorization problem;
  matrix_factorization::state<double> x;
};

const instance& at(Index m, Index n, Index r) {
  static std::map<std::tuple<Index, Index, Index>, std::unique_ptr<instance>> cache;
  auto& slot = cache[{m, n, r}];
  if (!slot) {
    const Eigen::MatrixXd a = normal_matrix(n, r, 1), b = normal_matrix(m, r, 2);
    const Eigen::MatrixXd target = b * a.transpose() + 0.01 * normal_matrix(m, n, 3);
    slot = std::make_unique<instance>(
        instance{matrix_factorization(0.01, target, r),
                 {a + 0.001 * normal_matrix(n, r, 4), b + 0.001 * normal_matrix(m, r, 5)}});
  }
  return *slot;
}

void dense_sharpness(benchmark::State& bench) {
  const instance& in = at(bench.range(0), bench.range(1), bench.range(2));
  double value = 0;
  for (auto _ : bench)
    benchmark::DoNotOptimize(
        value = gdcert::sharpness(in.problem, in.x, gdcert::sharpness_method::dense));
  bench.counters["d"] = double(in.problem.dimension());
  bench.counters["lambda_max"] = value;
}

void matrix_free_sharpness(benchmark::State& bench) {
  const instance& in = at(bench.range(0), bench.range(1), bench.range(2));
  gdcert::hessian_eigenpairs<double> result;
  for (auto _ : bench) {
    result = gdcert::top_hessian_eigenpairs(in.problem, in.x);
    benchmark::DoNotOptimize(result.eigenvalues.data());
  }
  bench.counters["d"] = double(in.problem.dimension());
  bench.counters["lambda_max"] = result.eigenvalues(0);
  bench.counters["products"] = double(result.products);
  bench.counters["restarts"] = double(result.iterations);
}

/// One product of the prepared operator (R formed once, outside the loop) on range(3) threads.
void hessian_product(benchmark::State& bench) {
  const instance& in = at(bench.range(0), bench.range(1), bench.range(2));
  auto op = in.problem.hessian_operator(in.x, unsigned(bench.range(3)));
  const Eigen::VectorXd v = normal_matrix(in.problem.dimension(), 1, 6);
  Eigen::VectorXd out(v.size());
  for (auto _ : bench) {
    op(v.data(), out.data());
    benchmark::DoNotOptimize(out.data());
  }
  bench.counters["threads"] = double(op.threads());
  // 4mnr flops with R (RᵀdB and R dA) and 8(m + n)r² with the r × r matrices.
  const double m = double(bench.range(0)), n = double(bench.range(1)), r = double(bench.range(2));
  bench.counters["flops"] = benchmark::Counter(4 * m * n * r + 8 * (m + n) * r * r,
                                               benchmark::Counter::kIsIterationInvariantRate);
}

} // namespace

// d = 60, 200, 400, 600, 1000, 2000 (dense and matrix-free) and 20 000 (matrix-free only).
BENCHMARK(dense_sharpness)
    ->Args({3, 3, 10})
    ->Args({10, 10, 10})
    ->Args({20, 20, 10})
    ->Args({30, 30, 10})
    ->Args({50, 50, 10})
    ->Args({100, 100, 10})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(matrix_free_sharpness)
    ->Args({3, 3, 10})
    ->Args({10, 10, 10})
    ->Args({20, 20, 10})
    ->Args({30, 30, 10})
    ->Args({50, 50, 10})
    ->Args({100, 100, 10})
    ->Args({1000, 1000, 10})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(hessian_product)
    ->Args({1000, 1000, 10, 1})
    ->Args({1000, 1000, 10, 2})
    ->Unit(benchmark::kMillisecond);
