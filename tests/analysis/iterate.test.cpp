// Drivers and observers (analysis/iterate.hpp): iterate / run_until, recorders of loss, δ_t, L_t, G_t and sharpness against 2/η.
#include "fixtures.hpp"

#include <gdcert/analysis/iterate.hpp>

#include <Eigen/Eigenvalues>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstring>
#include <vector>

using namespace gdcert;
using namespace gdcert::test;

namespace {

template <class Problem, class State>
State iterate_by_hand(const Problem& problem, State x, std::size_t steps) {
  for (std::size_t t = 0; t < steps; ++t)
    x = problem.step(x);
  return x;
}
} // namespace

TEST_CASE("iterate applies the GD map x <- x - eta grad R(x) n times and returns n "
          "(docs/formulas.md §1)",
          "[analysis][iterate]") {
  auto rng = generator(401);
  for (int i = 0; i < 50; ++i) {
    const auto scalar = sample_scalar(rng);
    auto x = random_state<double>(scalar, rng, 1);
    const auto expected = iterate_by_hand(scalar, x, 25);
    REQUIRE(iterate(scalar, x, 25) == 25);
    REQUIRE(same_bits(as_double(scalar, x), as_double(scalar, expected)));

    const auto rank1 = sample_factorization(rng);
    auto y = random_state<double>(rank1, rng, 1);
    state_recorder<rank1_state<double>> states;
    const auto start = y;
    REQUIRE(iterate(rank1, y, 10, states) == 10);
    REQUIRE(states.states().size() == 11); // x₀, …, x₁₀
    REQUIRE(same_bits(as_double(rank1, states.states().front()), as_double(rank1, start)));
    for (std::size_t t = 0; t < 10; ++t) {
      REQUIRE(states.steps()[t] == t);
      REQUIRE(same_bits(as_double(rank1, rank1.step(states.states()[t])),
                        as_double(rank1, states.states()[t + 1])));
    }
    REQUIRE(same_bits(as_double(rank1, states.states().back()), as_double(rank1, y)));
  }
}

TEST_CASE("iterate runs on vector states and long double (one formula, every scalar)",
          "[analysis][iterate]") {
  auto rng = generator(402);
  const auto problem = sample_scalar_vector(rng);
  vector<long double> c(problem.dimension());
  for (Eigen::Index i = 0; i < c.size(); ++i)
    c(i) = 0.1L * static_cast<long double>(i + 1) / static_cast<long double>(c.size());
  auto x = problem.from_coordinates<long double>(c); // small: the trajectory stays finite
  const auto expected = iterate_by_hand(problem, x, 12);
  REQUIRE(iterate(problem, x, 12) == 12);
  REQUIRE(problem.coordinates(x).allFinite());
  REQUIRE((problem.coordinates(x) - problem.coordinates(expected)).norm() == 0);
}

TEST_CASE("run_until stops at the first t with stop(x_t, t), asking at t = 0 too",
          "[analysis][iterate]") {
  const rank1_factorization problem(0.5);
  const rank1_state<double> start{0.9, -0.4, 0.3, 0.2};
  auto x = start;
  std::size_t calls = 0;
  REQUIRE(run_until(
              problem, x, [](const auto&, std::size_t t) { return t == 7; }, 100,
              [&](const auto&, std::size_t) { ++calls; }) == 7);
  REQUIRE(calls == 8); // x₀ … x₇
  x = start;
  REQUIRE(run_until(
              problem, x, [](const auto&, std::size_t) { return true; }, 100) == 0);
  REQUIRE(x.a == start.a);
  x = start;
  REQUIRE(run_until(
              problem, x, [](const auto&, std::size_t) { return false; }, 40) == 40);
  // Stopping on a state property: the first step within 1e-8 of M* (15).
  x = start;
  const std::size_t t = run_until(
      problem, x, [&](const auto& y, std::size_t) { return problem.is_minimizer(y, 1e-8); }, 1000);
  REQUIRE(t < 1000);
  REQUIRE(problem.distance_to_minimizers(x) <= 1e-8);
  auto previous = start;
  iterate(problem, previous, t - 1);
  REQUIRE(problem.distance_to_minimizers(previous) > 1e-8);
}

TEST_CASE("recorded L_t and G_t follow L' = g(L) - eta L (a-b)^2 (217) and G' = G(1 - eta^2 L^2) "
          "(49-50) exactly",
          "[analysis][iterate][exact]") {
  auto rng = generator(403);
  for (int i = 0; i < 20; ++i) {
    const scalar_factorization problem(random_dyadic(rng, 0, 2)); // σ = 1: (49-50) as printed
    auto x = random_state<rational>(problem, rng, 1);
    auto observer =
        observe_all(record_residual<rational>(problem), record_imbalance<rational>(problem),
                    state_recorder<scalar_state<rational>>());
    iterate(problem, x, 3, observer);
    const auto& residuals = observer.get<0>().values();
    const auto& imbalances = observer.get<1>().values();
    const auto& states = observer.get<2>().states();
    REQUIRE(residuals.size() == 4);
    const rational eta = problem.step_size();
    for (std::size_t t = 0; t < 3; ++t) {
      REQUIRE(residuals[t + 1] == residual_recursion(problem, states[t]));
      REQUIRE(imbalances[t + 1] == imbalances[t] * (1 - eta * eta * residuals[t] * residuals[t]));
    }
  }
}

TEST_CASE("the loss recorder records R(x_t) of every state, x0 included (docs/formulas.md §1)",
          "[analysis][iterate]") {
  const rank1_factorization problem(0.5);
  rank1_state<double> x{0.9, -0.4, 0.3, 0.2};
  auto losses = record_loss(problem);
  iterate(problem, x, 50, losses);
  REQUIRE(losses.values().size() == 51);
  REQUIRE(losses.values().back() == problem.loss(x));
  REQUIRE(losses.values().back() < 1e-12);
}

TEST_CASE("delta_t recorded along a certified trajectory increases (docs/formulas.md §4, (59-62))",
          "[analysis][iterate]") {
  auto rng = generator(404);
  int certified = 0;
  for (int i = 0; i < 200; ++i) {
    const rank1_factorization problem(uniform(rng, 0.1, 1.2));
    const factorization_certificate certificate(problem);
    auto x = random_state<double>(problem, rng, 2);
    if (!(certificate(problem.step_size(), x) < 0))
      continue; // δ₀ > η: the trajectory is certified
    ++certified;
    auto deltas = record_state_parameter(certificate);
    iterate(problem, x, 200, deltas);
    const auto& d = deltas.values();
    REQUIRE(d.front() > problem.step_size());
    for (std::size_t t = 0; t + 1 < d.size(); ++t)
      REQUIRE(d[t + 1] >= d[t] - 1e-14); // strict in exact arithmetic; stalls once converged
    REQUIRE(d.back() <= 2 + 1e-12);
  }
  REQUIRE(certified > 20);
}

TEST_CASE("sharpness is lambda_max of the Hessian, on the 2-cycle S+ < 2/eta < S- (185-189)",
          "[analysis][iterate]") {
  // The 2 × 2 closed form agrees with Eigen's solver.
  auto rng = generator(405);
  for (int i = 0; i < 200; ++i) {
    const auto problem = sample_scalar(rng);
    const auto x = random_state<double>(problem, rng, 3);
    const Eigen::MatrixXd h = problem.hessian(x);
    const double expected = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(h).eigenvalues()(1);
    REQUIRE(sharpness(problem, x) == Approx(expected).margin(1e-12));
  }
  // Rank-1 factorization at η = 1.15 from a certified point settles on the balanced 2-cycle.
  const double eta = 1.15;
  const rank1_factorization problem(eta);
  rank1_state<double> x{0.9, 0.8, 0.1, 0.05};
  REQUIRE(factorization_certificate(problem)(eta, x) < 0);
  iterate(problem, x, 600);
  auto observer = record_sharpness(problem);
  iterate(problem, x, 1, observer);
  const auto& values = observer.values();
  const auto ratios = observer.ratios();
  REQUIRE(observer.threshold() == Approx(2 / eta));
  const auto expected = balanced_two_cycle_sharpness(eta);
  const double high = std::max(values[0], values[1]), low = std::min(values[0], values[1]);
  REQUIRE(high == Approx(expected.at_lower).margin(1e-8)); // S₋ = 2 − 3L₋
  REQUIRE(low == Approx(expected.at_upper).margin(1e-8));  // S₊ = 2 − 3L₊
  REQUIRE(std::max(ratios[0], ratios[1]) > 1);
  REQUIRE(std::min(ratios[0], ratios[1]) < 1);
}

TEST_CASE("closed-form sharpness of the 2 x 2 rank-1 problems equals Eigen's lambda_max of the "
          "Hessian [[|B|^2 I, C], [C^T, |A|^2 I]] (14, 402)",
          "[analysis][iterate]") {
  auto rng = generator(406);
  auto eigen_largest = [](const Eigen::MatrixXd& h) {
    return Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(h).eigenvalues().maxCoeff();
  };
  for (int i = 0; i < 500; ++i) {
    const double eta = uniform(rng, 0.1, 1.9), sigma = uniform(rng, 0.01, 0.99);
    const rank1_factorization factorization(eta);
    const diagonal_approximation approximation(eta, sigma);
    const double scale = i % 2 == 0 ? 3 : 1e-3; // near the origin the blocks are tiny
    const rank1_state<double> x{uniform(rng, -scale, scale), uniform(rng, -scale, scale),
                                uniform(rng, -scale, scale), uniform(rng, -scale, scale)};
    REQUIRE(factorization.sharpness(x) ==
            Approx(eigen_largest(factorization.hessian(x))).margin(1e-12));
    REQUIRE(approximation.sharpness(x) ==
            Approx(eigen_largest(approximation.hessian(x))).margin(1e-12));
    REQUIRE(sharpness(factorization, x) == factorization.sharpness(x)); // the dispatch uses it
  }
  const rank1_state<double> infinite{std::numeric_limits<double>::infinity(), 1, 0, 0};
  REQUIRE(std::isnan(sharpness(rank1_factorization(0.5), infinite))); // not a finite state
  // A finite state whose λ_max is beyond the range: +inf, not NaN (docs/errors.md, "States").
  const rank1_state<double> huge{1e200, 1, 0, 0};
  REQUIRE(sharpness(rank1_factorization(0.5), huge) == std::numeric_limits<double>::infinity());
  // The generic path (no closed form): the Hessian overflows in double, λ_max from long double.
  const scalar_vector_factorization vector_problem(0.5, 2);
  const auto all_huge = vector_problem.from_coordinates<double>(
      vector<double>::Constant(vector_problem.dimension(), 1e200));
  REQUIRE(sharpness(vector_problem, all_huge) == std::numeric_limits<double>::infinity());
  const auto moderate = vector_problem.from_coordinates<double>(
      vector<double>::Constant(vector_problem.dimension(), 1e100));
  REQUIRE(sharpness(vector_problem, moderate) ==
          Approx(eigen_largest(vector_problem.hessian(moderate))));
}

TEST_CASE("observe_all hands every state to each observer in order, strides thin the records",
          "[analysis][iterate]") {
  const scalar_factorization problem(0.5);
  scalar_state<double> x{0.3, 1.7};
  std::vector<int> order;
  auto first = [&](const auto&, std::size_t) { order.push_back(1); };
  auto second = [&](const auto&, std::size_t) { order.push_back(2); };
  auto every_third = record_values([](const auto& y) { return y.a; }, 3);
  auto observer = observe_all(first, second, every_third);
  iterate(problem, x, 9, observer);
  REQUIRE(order.size() == 20);
  for (std::size_t i = 0; i < order.size(); ++i)
    REQUIRE(order[i] == int(i % 2) + 1);
  REQUIRE(observer.get<2>().steps() == std::vector<std::size_t>{0, 3, 6, 9});
  REQUIRE(observer.get<2>().values().back() == x.a);
  REQUIRE_THROWS_AS(state_recorder<scalar_state<double>>(0), invalid_parameter);
}
