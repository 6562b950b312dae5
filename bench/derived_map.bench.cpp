// Benchmarks: the GD map derived from a loss (problems/loss_problem.hpp, forward-mode jets)
// against the hand-written map, for rank-1 factorization (14) in double and in SIMD lanes.
//
// Items are point-steps. Four independent states are stepped in one flattened loop (four
// dependency chains, as in the sweep engine's packs), so the figures are throughput, not latency.
// Issue #12's target: the derived map costs at most 2× the hand-written one in both scalars.
#include <gdcert/numbers/lanes.hpp>
#include <gdcert/problems/loss_problem.hpp>
#include <gdcert/problems/rank1_factorization.hpp>

#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <type_traits>

namespace {

/// ½((ab − 1)² + b²u² + a²v² + u²v²), x = (a, b, u, v): the loss of map (14) as a user writes it.
const auto rank1_loss = [](const auto& x) {
  const auto ab = x[0] * x[1] - 1;
  return 0.5 * (ab * ab + x[1] * x[1] * x[2] * x[2] + x[0] * x[0] * x[3] * x[3] +
                x[2] * x[2] * x[3] * x[3]);
};

/// The same gradient written by hand (what `from_loss<4>(eta, loss, gradient)` takes for speed):
/// ∇R = ((ab − 1)b + av², (ab − 1)a + bu², b²u + uv², a²v + u²v) of map (14).
const auto rank1_gradient = [](const auto& x) {
  using T = std::decay_t<decltype(x[0])>;
  const T ab = x[0] * x[1] - 1;
  return std::array<T, 4>{ab * x[1] + x[0] * x[3] * x[3], ab * x[0] + x[1] * x[2] * x[2],
                          x[1] * x[1] * x[2] + x[2] * x[3] * x[3],
                          x[0] * x[0] * x[3] + x[2] * x[2] * x[3]};
};

template <class Problem, class State>
[[gnu::flatten]] void step_four(const Problem& problem, std::array<State, 4>& x, long steps) {
  for (long s = 0; s < steps; ++s) {
    x[0] = problem.step(x[0]);
    x[1] = problem.step(x[1]);
    x[2] = problem.step(x[2]);
    x[3] = problem.step(x[3]);
  }
}

/// Steps four states of scalar T from a bounded start at η = 1.3 (the 2-cycle regime: the
/// trajectory stays on K₂, no overflow, no subnormals).
template <class T, class Problem>
void map_throughput(benchmark::State& bench, const Problem& problem, int points_per_state) {
  gdcert::vector<T> start(4);
  start << gdcert::constant<T>(0.9), gdcert::constant<T>(0.8), gdcert::constant<T>(0.1),
      gdcert::constant<T>(0.05);
  std::array<typename Problem::template state<T>, 4> x;
  x.fill(problem.template from_coordinates<T>(start));
  constexpr long steps = 4096;
  std::int64_t items = 0;
  for (auto _ : bench) {
    step_four(problem, x, steps);
    benchmark::DoNotOptimize(x);
    items += 4 * points_per_state * steps;
  }
  bench.SetItemsProcessed(items);
}

const gdcert::rank1_factorization hand(1.3);
const auto derived = gdcert::from_loss<4>(1.3, rank1_loss);
const auto supplied = gdcert::from_loss<4>(1.3, rank1_loss, rank1_gradient);

void hand_double(benchmark::State& bench) {
  map_throughput<double>(bench, hand, 1);
}
void derived_double(benchmark::State& bench) {
  map_throughput<double>(bench, derived, 1);
}
void hand_lanes(benchmark::State& bench) {
  map_throughput<gdcert::lanes<4>>(bench, hand, 4);
}
void derived_lanes(benchmark::State& bench) {
  map_throughput<gdcert::lanes<4>>(bench, derived, 4);
}
void supplied_double(benchmark::State& bench) {
  map_throughput<double>(bench, supplied, 1);
}
void supplied_lanes(benchmark::State& bench) {
  map_throughput<gdcert::lanes<4>>(bench, supplied, 4);
}

} // namespace

BENCHMARK(hand_double)->Name("rank1_factorization_map/double/hand_written");
BENCHMARK(derived_double)->Name("rank1_factorization_map/double/derived_from_loss");
BENCHMARK(hand_lanes)->Name("rank1_factorization_map/lanes4/hand_written");
BENCHMARK(derived_lanes)->Name("rank1_factorization_map/lanes4/derived_from_loss");
BENCHMARK(supplied_double)->Name("rank1_factorization_map/double/from_loss_with_hand_gradient");
BENCHMARK(supplied_lanes)->Name("rank1_factorization_map/lanes4/from_loss_with_hand_gradient");
