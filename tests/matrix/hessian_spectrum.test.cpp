// Matrix-free sharpness (issue #24 item 3, stability/hessian_spectrum.hpp): Hessian-vector products exact in rationals, Lanczos against the dense eigensolver (λ_max, the top k, and λ_min of the second-order test), options by name, no d × d matrix at d = 20 000.
#include "fixtures.hpp"

#include <gdcert/analysis/iterate.hpp>
#include <gdcert/numbers/jet.hpp>
#include <gdcert/numbers/rational.hpp>
#include <gdcert/problems/loss_problem.hpp>
#include <gdcert/problems/matrix_completion.hpp>
#include <gdcert/problems/matrix_factorization.hpp>
#include <gdcert/problems/matrix_sensing.hpp>
#include <gdcert/problems/rank1_factorization.hpp>
#include <gdcert/problems/scalar_vector.hpp>
#include <gdcert/stability/hessian_spectrum.hpp>

#include <Eigen/Eigenvalues>
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace hessian_spectrum_suite {

using Catch::Matchers::Contains;
using Eigen::Index;
using gdcert::hessian_spectrum_options;
using gdcert::matrix_factorization;
using gdcert::rational;
using gdcert::test::generator;
using gdcert::test::random_dyadic;
using gdcert::test::random_rational;
using state = matrix_factorization::state<double>;

Eigen::MatrixXd gaussian(std::mt19937_64& rng, Index rows, Index cols, double scale = 1.0) {
  std::normal_distribution<double> normal(0.0, scale);
  Eigen::MatrixXd out(rows, cols);
  for (Index i = 0; i < out.size(); ++i)
    out(i) = normal(rng);
  return out;
}

/// A problem of sizes m × n, rank r, whose target is a planted rank-r product B*A*ᵀ plus small
/// noise, and a state near its minimizer (A*, B*) (or a random state): the two kinds of states
/// the sharpness is asked at in a run.
struct instance {
  matrix_factorization problem;
  state near_minimizer, random;
};

instance make_instance(std::uint64_t stream, Index m, Index n, Index r, double lambda = 0.0) {
  auto rng = generator(stream);
  const Eigen::MatrixXd a = gaussian(rng, n, r), b = gaussian(rng, m, r);
  const Eigen::MatrixXd target = b * a.transpose() + gaussian(rng, m, n, 1e-2);
  matrix_factorization problem(0.01, target, r, lambda);
  state near{a + gaussian(rng, n, r, 1e-3), b + gaussian(rng, m, r, 1e-3)};
  state random{gaussian(rng, n, r), gaussian(rng, m, r)};
  return {std::move(problem), std::move(near), std::move(random)};
}

double relative_gap(double value, double reference) {
  return std::abs(value - reference) / std::abs(reference);
}

/// The dense reference: every eigenvalue of p.hessian(x), descending.
template <class Problem, class State>
Eigen::VectorXd dense_spectrum(const Problem& p, const State& x) {
  const Eigen::MatrixXd h = p.hessian(x);
  const Eigen::VectorXd ascending =
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(h, Eigen::EigenvaluesOnly).eigenvalues();
  return ascending.reverse();
}

template <class T>
gdcert::vector<T> times(const gdcert::matrix<T>& h, const gdcert::vector<T>& v) {
  gdcert::vector<T> out(h.rows());
  for (Index i = 0; i < h.rows(); ++i) {
    T sum(0);
    for (Index j = 0; j < h.cols(); ++j)
      sum += h(i, j) * v(j);
    out(i) = sum;
  }
  return out;
}

TEST_CASE("matrix factorization Hessian-vector product equals the Hessian times v exactly",
          "[spectrum][hvp]") {
  auto rng = generator(2401);
  const auto [m, n, r] = GENERATE(std::make_tuple(1, 1, 1), std::make_tuple(3, 2, 2),
                                  std::make_tuple(2, 4, 3), std::make_tuple(4, 3, 1));
  for (int point = 0; point < 25; ++point) {
    Eigen::MatrixXd target(m, n);
    for (Index i = 0; i < target.size(); ++i)
      target(i) = random_dyadic(rng, -2, 2);
    const matrix_factorization p(0.5, target, r, point % 2 ? random_dyadic(rng, 0, 1) : 0.0);
    gdcert::vector<rational> c(p.dimension()), v(p.dimension());
    for (Index i = 0; i < c.size(); ++i) {
      c(i) = random_rational(rng);
      v(i) = random_rational(rng);
    }
    const auto x = p.from_coordinates<rational>(c);
    const gdcert::vector<rational> member =
        p.coordinates(p.hessian_vector_product(x, p.from_coordinates<rational>(v)));
    CHECK(member == times(p.hessian(x), v));
    CHECK(member == gdcert::jet_hessian_vector_product(p, x, v));
    CHECK(member == gdcert::hessian_vector_product(p, x, v));
  }
}

TEST_CASE("matrix factorization Hessian operator matches the product and is thread-independent",
          "[spectrum][hvp]") {
  // 4mnr = 1.6e6 flops a product: the operator shares it among threads.
  const instance in = make_instance(11, 200, 200, 10, 0.25);
  const auto& p = in.problem;
  auto rng = generator(12);
  const Eigen::VectorXd v = gaussian(rng, p.dimension(), 1);
  const Eigen::VectorXd reference = gdcert::hessian_vector_product(p, in.random, v);
  auto one = p.hessian_operator(in.random, 1);
  auto two = p.hessian_operator(in.random, 2);
  CHECK(one.threads() == 1);
  CHECK(one.rows() == p.dimension());
  Eigen::VectorXd out_one(p.dimension()), out_two(p.dimension());
  one(v.data(), out_one.data());
  two(v.data(), out_two.data());
  CHECK((out_one - reference).norm() <= 1e-13 * reference.norm());
  CHECK(gdcert::test::same_bits(out_one, out_two));
  // The same operator again gives the same bits (its buffers are overwritten, not accumulated).
  Eigen::VectorXd again(p.dimension());
  two(v.data(), again.data());
  CHECK(gdcert::test::same_bits(out_two, again));
  // Over double the product agrees with the dense Hessian at a small size too.
  const instance small = make_instance(13, 5, 4, 2, 0.5);
  const Eigen::VectorXd w = gaussian(rng, small.problem.dimension(), 1);
  const Eigen::VectorXd dense = small.problem.hessian(small.random) * w;
  CHECK((gdcert::hessian_vector_product(small.problem, small.random, w) - dense).norm() <=
        1e-14 * dense.norm());
}

TEST_CASE("matrix-free sharpness agrees with the dense eigensolver", "[spectrum]") {
  // d from 16 to 2000 (the largest where #24 asks both to run; Release only: sanitized_build).
  std::vector<std::tuple<int, int, int, double>> instances = {
      {4, 6, 2, 0.0}, {10, 10, 3, 0.0}, {12, 8, 4, 0.5}, {30, 30, 10, 0.0}, {60, 40, 5, 0.1}};
  if (!gdcert::test::sanitized_build)
    instances.emplace_back(100, 100, 10, 0.0);
  const auto [m, n, r, lambda] = GENERATE_COPY(from_range(instances));
  const instance in = make_instance(100 + Index(m) * 7 + n, m, n, r, lambda);
  const auto& p = in.problem;
  INFO("d = " << p.dimension());
  for (const state* x : {&in.near_minimizer, &in.random}) {
    const double dense = gdcert::sharpness(p, *x, gdcert::sharpness_method::dense);
    const double lanczos = gdcert::sharpness(p, *x, gdcert::sharpness_method::matrix_free);
    INFO("dense " << dense << ", matrix-free " << lanczos);
    CHECK(relative_gap(lanczos, dense) <= 1e-10);
    CHECK(lanczos == gdcert::matrix_free_sharpness(p, *x));
    // automatic: dense up to dense_sharpness_limit, matrix-free above it.
    const double automatic = gdcert::sharpness(p, *x);
    CHECK(automatic == (p.dimension() > gdcert::dense_sharpness_limit ? lanczos : dense));
  }
}

TEST_CASE("matrix-free sharpness in long double agrees with the dense eigensolver", "[spectrum]") {
  const instance in = make_instance(7, 9, 7, 3, 0.0);
  const matrix_factorization::state<long double> x{in.random.A.cast<long double>(),
                                                   in.random.B.cast<long double>()};
  const long double dense = gdcert::sharpness(in.problem, x, gdcert::sharpness_method::dense);
  const long double lanczos = gdcert::matrix_free_sharpness(in.problem, x);
  CHECK(double(std::abs(lanczos - dense) / dense) <= 1e-10);
}

TEST_CASE("top three Hessian eigenpairs agree with the dense spectrum", "[spectrum]") {
  const auto [m, n, r] =
      GENERATE(std::make_tuple(6, 5, 2), std::make_tuple(30, 20, 6), std::make_tuple(50, 50, 8));
  const instance in = make_instance(300 + Index(m), m, n, r, 0.05);
  const auto& p = in.problem;
  hessian_spectrum_options options;
  options.eigenvalue_count = 3;
  options.compute_eigenvectors = true;
  const auto result = gdcert::top_hessian_eigenpairs(p, in.random, options);
  const Eigen::VectorXd dense = dense_spectrum(p, in.random);
  REQUIRE(result.converged);
  REQUIRE(result.eigenvalues.size() == 3);
  REQUIRE(result.eigenvectors.has_value());
  REQUIRE(result.eigenvectors->rows() == p.dimension());
  REQUIRE(result.eigenvectors->cols() == 3);
  CHECK(result.products > 0);
  CHECK(result.iterations > 0);
  for (Index i = 0; i < 3; ++i) {
    INFO("eigenvalue " << i << ": dense " << dense(i) << ", Lanczos " << result.eigenvalues(i));
    CHECK(relative_gap(result.eigenvalues(i), dense(i)) <= 1e-10);
    if (i > 0)
      CHECK(result.eigenvalues(i) <= result.eigenvalues(i - 1));
    const Eigen::VectorXd v = result.eigenvectors->col(i);
    const Eigen::VectorXd hv = gdcert::hessian_vector_product(p, in.random, v);
    CHECK(std::abs(v.norm() - 1) <= 1e-12);
    CHECK((hv - result.eigenvalues(i) * v).norm() <=
          options.tolerance * std::abs(result.eigenvalues(i)));
  }
  // Without the request, no eigenvectors.
  options.compute_eigenvectors = false;
  CHECK_FALSE(gdcert::top_hessian_eigenpairs(p, in.random, options).eigenvectors.has_value());
}

TEST_CASE("sharpness is the largest algebraic eigenvalue, not the largest magnitude",
          "[spectrum]") {
  // ∇²R = [[1, 1, 0], [1, −5, 0], [0, 0, 2]]: eigenvalues 2, −2 ± √10; the largest in magnitude
  // is −2 − √10 ≈ −5.16, λ_max is 2. Through jets on the derived gradient (no product of its own).
  const auto p = gdcert::from_loss<3>(0.1, [](const auto& x) {
    return 0.5 * x[0] * x[0] - 2.5 * x[1] * x[1] + x[2] * x[2] + x[0] * x[1];
  });
  const std::array<double, 3> x{0.3, -0.7, 1.1};
  CHECK(relative_gap(gdcert::matrix_free_sharpness(p, x), 2.0) <= 1e-12);
  hessian_spectrum_options two;
  two.eigenvalue_count = 2;
  const auto pairs = gdcert::top_hessian_eigenpairs(p, x, two);
  CHECK(relative_gap(pairs.eigenvalues(1), std::sqrt(10.0) - 2) <= 1e-12);
}

TEST_CASE("matrix-free sharpness by jets agrees on problems without their own product",
          "[spectrum]") {
  auto rng = generator(51);
  SECTION("rank-1 factorization (d = 4)") {
    const gdcert::rank1_factorization p(0.8);
    for (int point = 0; point < 10; ++point) {
      const gdcert::rank1_factorization::state<double> x{
          random_dyadic(rng, -2, 2), random_dyadic(rng, -2, 2), random_dyadic(rng, -1, 1),
          random_dyadic(rng, -1, 1)};
      const double dense = gdcert::sharpness(p, x, gdcert::sharpness_method::dense);
      CHECK(relative_gap(gdcert::sharpness(p, x, gdcert::sharpness_method::matrix_free), dense) <=
            1e-10);
    }
  }
  SECTION("scalar-vector factorization (d = 60)") {
    const gdcert::scalar_vector_factorization p(0.5, 30);
    const gdcert::vector<double> c = gaussian(rng, p.dimension(), 1);
    const auto x = p.from_coordinates<double>(c);
    const gdcert::vector<double> v = gaussian(rng, p.dimension(), 1);
    const gdcert::vector<double> dense = p.hessian(x) * v;
    CHECK((gdcert::hessian_vector_product(p, x, v) - dense).norm() <= 1e-13 * dense.norm());
    CHECK(relative_gap(gdcert::matrix_free_sharpness(p, x),
                       gdcert::sharpness(p, x, gdcert::sharpness_method::dense)) <= 1e-10);
  }
}

TEST_CASE("matrix sensing and completion route their products through the Lanczos engine",
          "[spectrum]") {
  auto rng = generator(61);
  const Eigen::MatrixXd target = gaussian(rng, 9, 8);
  const gdcert::matrix_completion completion(0.1, target, 3, 0.6, 5);
  const gdcert::matrix_sensing sensing = gdcert::matrix_sensing::gaussian(0.1, 6, 5, 2, 40, 7);
  const auto check = [&](const auto& p) {
    using problem_type = std::decay_t<decltype(p)>;
    static_assert(
        gdcert::detail::has_hessian_vector_product<problem_type,
                                                   typename problem_type::template state<double>>);
    const gdcert::vector<double> c = gaussian(rng, p.dimension(), 1);
    const auto x = p.template from_coordinates<double>(c);
    CHECK(relative_gap(gdcert::matrix_free_sharpness(p, x),
                       gdcert::sharpness(p, x, gdcert::sharpness_method::dense)) <= 1e-10);
  };
  check(completion);
  check(sensing);
}

TEST_CASE(
    "smallest Hessian eigenvalue, sigma - lambda_max(sigma I - H) by Lanczos, agrees with the "
    "dense eigensolver, and second_order_minimum with the dense test above 200 coordinates",
    "[spectrum]") {
  auto rng = generator(63);
  // d = (n1 + n2) r = 240 and 272: above dense_sharpness_limit, small enough for the dense check.
  const gdcert::matrix_completion completion(0.1, gaussian(rng, 35, 25), 4, 0.6, 5);
  const gdcert::matrix_sensing sensing = gdcert::matrix_sensing::gaussian(0.1, 20, 14, 8, 60, 7);
  const instance factorization = make_instance(64, 30, 30, 4);
  const auto check = [&](const auto& p, const auto& x, const char* what) {
    INFO(what << ", d = " << p.dimension());
    REQUIRE(p.dimension() > gdcert::dense_sharpness_limit);
    const Eigen::VectorXd dense = dense_spectrum(p, x);
    const double lowest = dense(dense.size() - 1), scale = std::abs(dense(0)) + std::abs(lowest);
    const double value = gdcert::smallest_hessian_eigenvalue(p, x);
    CHECK(std::abs(value - lowest) <= 1e-8 * scale);
    // Tolerances on both sides of -lambda_min decide as the dense test does (the problems whose
    // is_minimizer has a second-order test: no R* known).
    if constexpr (requires { p.positive_semidefinite(p.hessian(x), 1.0); })
      for (const double tolerance : {std::abs(lowest) * 0.5 + 1e-6, std::abs(lowest) * 2 + 1e-6}) {
        const bool expected = lowest >= -tolerance;
        CHECK(gdcert::second_order_minimum(p, x, tolerance) == expected);
        CHECK(p.positive_semidefinite(p.hessian(x), tolerance) == expected);
      }
  };
  const gdcert::vector<double> random = gaussian(rng, completion.dimension(), 1);
  check(completion, completion.from_coordinates<double>(random), "completion, random state");
  const gdcert::matrix_completion::state<double> origin{Eigen::MatrixXd::Zero(35, 4),
                                                        Eigen::MatrixXd::Zero(25, 4)};
  check(completion, origin, "completion, the saddle X = Y = 0");
  CHECK_FALSE(completion.is_minimizer(origin, 1e-6)); // stationary, lambda_min < 0
  const gdcert::vector<double> c = gaussian(rng, sensing.dimension(), 1);
  check(sensing, sensing.from_coordinates<double>(c), "sensing, random state");
  check(factorization.problem, factorization.near_minimizer, "factorization, near a minimizer");
  check(factorization.problem, factorization.random, "factorization, random state");
  // A state that is not finite is no minimizer, and its lambda_min is NaN.
  gdcert::matrix_completion::state<double> bad{Eigen::MatrixXd::Zero(35, 4),
                                               Eigen::MatrixXd::Zero(25, 4)};
  bad.X(0, 0) = std::numeric_limits<double>::quiet_NaN();
  CHECK(std::isnan(gdcert::smallest_hessian_eigenvalue(completion, bad)));
  CHECK_FALSE(gdcert::second_order_minimum(completion, bad, 1.0));
}

TEST_CASE("matrix-free sharpness keeps the conventions of gdcert::sharpness", "[spectrum]") {
  const instance in = make_instance(71, 5, 4, 2, 0.0);
  const auto& p = in.problem;
  SECTION("NaN for a state that is not finite") {
    state x = in.random;
    x.B(1, 1) = std::numeric_limits<double>::quiet_NaN();
    CHECK(std::isnan(gdcert::matrix_free_sharpness(p, x)));
    CHECK(std::isnan(gdcert::sharpness(p, x, gdcert::sharpness_method::matrix_free)));
    x.B(1, 1) = std::numeric_limits<double>::infinity();
    CHECK(std::isnan(gdcert::matrix_free_sharpness(p, x)));
    CHECK_THROWS_AS(gdcert::top_hessian_eigenpairs(p, x), gdcert::invalid_parameter);
  }
  SECTION("products that overflow are evaluated again over extended_range") {
    // Entries of 1e160: their products (1e320) overflow in double, λ_max (≈ 1e320·const) too.
    state huge = in.random;
    huge.A *= 1e160;
    const double dense = gdcert::sharpness(p, huge, gdcert::sharpness_method::dense);
    const double lanczos = gdcert::matrix_free_sharpness(p, huge);
    CHECK(dense == std::numeric_limits<double>::infinity());
    CHECK(lanczos == dense);
    // Entries of 1e100: the products are finite, the Lanczos iteration runs in double.
    state large = in.random;
    large.A *= 1e100;
    large.B *= 1e50;
    CHECK(relative_gap(gdcert::matrix_free_sharpness(p, large),
                       gdcert::sharpness(p, large, gdcert::sharpness_method::dense)) <= 1e-10);
    // Entries of 1e155 in both factors: squares overflow, λ_max (≈ 1e310·const) may or may not.
    state edge = in.random;
    edge.A *= 1e154;
    edge.B *= 1e154;
    const double dense_edge = gdcert::sharpness(p, edge, gdcert::sharpness_method::dense);
    const double lanczos_edge = gdcert::matrix_free_sharpness(p, edge);
    INFO("dense " << dense_edge << ", matrix-free " << lanczos_edge);
    CHECK_FALSE(std::isnan(lanczos_edge));
    if (std::isfinite(dense_edge))
      CHECK(relative_gap(lanczos_edge, dense_edge) <= 1e-10);
    else
      CHECK(lanczos_edge == dense_edge);
  }
  SECTION("a zero Hessian") {
    const matrix_factorization zero(0.1, Eigen::MatrixXd::Zero(4, 3), 2);
    const state origin{Eigen::MatrixXd::Zero(3, 2), Eigen::MatrixXd::Zero(4, 2)};
    CHECK(gdcert::matrix_free_sharpness(zero, origin) == 0.0);
  }
}

TEST_CASE("Hessian spectrum options are validated by name", "[spectrum]") {
  const instance in = make_instance(81, 5, 4, 2);
  const auto& p = in.problem; // d = 18
  const auto rejects = [&](hessian_spectrum_options options, const std::string& field) {
    INFO(field);
    try {
      (void)gdcert::top_hessian_eigenpairs(p, in.random, options);
      FAIL("no exception");
    } catch (const gdcert::invalid_parameter& e) {
      CHECK_THAT(e.parameter(), Contains(field));
    }
  };
  hessian_spectrum_options o;
  o.eigenvalue_count = 0;
  rejects(o, "eigenvalue_count");
  o.eigenvalue_count = 18;
  rejects(o, "eigenvalue_count");
  o = {};
  o.eigenvalue_count = 3;
  o.subspace_size = 3;
  rejects(o, "subspace_size");
  o.subspace_size = 19;
  rejects(o, "subspace_size");
  o = {};
  o.max_iterations = 0;
  rejects(o, "max_iterations");
  o = {};
  o.tolerance = 0;
  rejects(o, "tolerance");
  o.tolerance = 1;
  rejects(o, "tolerance");
  o.tolerance = std::numeric_limits<double>::quiet_NaN();
  rejects(o, "tolerance");
  // The edges of the ranges are accepted.
  o = {};
  o.eigenvalue_count = 17;
  o.subspace_size = 18;
  CHECK(gdcert::top_hessian_eigenpairs(p, in.random, o).eigenvalues.size() == 17);
  // A direction of the wrong size is named too.
  try {
    (void)gdcert::hessian_vector_product(p, in.random, Eigen::VectorXd::Zero(5).eval());
    FAIL("no exception");
  } catch (const gdcert::invalid_parameter& e) {
    CHECK_THAT(e.parameter(), Contains("direction"));
  }
}

TEST_CASE("Lanczos that does not converge is a named error", "[spectrum]") {
  const instance in = make_instance(91, 30, 30, 10);
  hessian_spectrum_options o;
  o.eigenvalue_count = 4;
  o.subspace_size = 5;
  o.max_iterations = 1;
  o.tolerance = 1e-14;
  try {
    (void)gdcert::top_hessian_eigenpairs(in.problem, in.random, o);
    FAIL("no exception");
  } catch (const gdcert::eigensolver_not_converged& e) {
    CHECK(e.requested() == 4);
    CHECK(e.converged() < 4);
    CHECK(e.iterations() >= 1);
    CHECK(e.products() > 0);
    CHECK_THAT(std::string(e.what()), Contains("max_iterations"));
  }
}

// Hidden from the discovered tests ("[.]"): CTest runs it by name under `ulimit -v`
// (tests/CMakeLists.txt), where the dense route would allocate the 20 000 × 20 000 Hessian
// (3.2 GB) and fail.
TEST_CASE("sharpness and the second-order test at d = 20000 allocate no d x d matrix",
          "[.][spectrum][memory]") {
  // m + n = 2000 with r = 10 (the problem's constructor takes the SVD of the m × n target).
  const instance in = make_instance(2026, 1800, 200, 10);
  const auto& p = in.problem;
  REQUIRE(p.dimension() == 20000);
  const double value = gdcert::sharpness(p, in.near_minimizer);
  CHECK(std::isfinite(value));
  CHECK(value > 0);
  const auto pairs = gdcert::top_hessian_eigenpairs(p, in.near_minimizer);
  CHECK(pairs.eigenvalues(0) == value);
  // A recorder along two steps (the sweeps and classify call the same function).
  auto recorder = gdcert::record_sharpness(p);
  state x = in.near_minimizer;
  gdcert::iterate(p, x, 1, recorder);
  REQUIRE(recorder.values().size() == 2);
  CHECK(recorder.values()[0] == value);
  CHECK(std::isfinite(recorder.values()[1]));
  // is_minimizer of a problem without R* (completion of a rank-12 target at rank 10) at its
  // stationary saddle X = Y = 0: the second-order test by Lanczos, d = (1000 + 1000) 10.
  const auto completion =
      gdcert::matrix_completion::random_low_rank(0.01, 1000, 1000, 12, 10, 0.3, 65);
  REQUIRE(completion.dimension() == 20000);
  REQUIRE_FALSE(completion.minimum_loss().has_value());
  const gdcert::matrix_completion::state<double> origin{Eigen::MatrixXd::Zero(1000, 10),
                                                        Eigen::MatrixXd::Zero(1000, 10)};
  CHECK(completion.is_stationary(origin, 1e-12));
  CHECK_FALSE(completion.is_minimizer(origin, 1e-6));
}

} // namespace hessian_spectrum_suite
