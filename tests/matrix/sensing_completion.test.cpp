// Matrix sensing and matrix completion (issue #24 item 1, docs/formulas.md §11-12): exact gradients, Hessians and Hessian-vector products against the loss, the in-place step, no NaN at huge states, validation and seeded draws.
#include "fixtures.hpp"

#include <gdcert/numbers/interval.hpp>
#include <gdcert/numbers/jet.hpp>
#include <gdcert/numbers/lanes.hpp>
#include <gdcert/numbers/rational.hpp>
#include <gdcert/problems/loss_problem.hpp>
#include <gdcert/problems/matrix_completion.hpp>
#include <gdcert/problems/matrix_sensing.hpp>
#include <gdcert/stability/hessian_spectrum.hpp> // is_minimizer's second-order test

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace sensing_completion_suite {

using Catch::Matchers::Contains;
using Eigen::Index;
using gdcert::constant;
using gdcert::matrix_completion;
using gdcert::matrix_sensing;
using gdcert::rational;
using gdcert::test::exact_points;
using gdcert::test::generator;
using gdcert::test::random_dyadic;
using gdcert::test::random_state;

static_assert(gdcert::problem<matrix_sensing>);
static_assert(gdcert::problem<matrix_completion>);

// The small instances of the exact checks: sensing n1 = 3, n2 = 2, r = 2, m = 3 (N = 10
// coordinates), completion 3 × 3, r = 2 (N = 12).
constexpr int sensing_rows = 3, sensing_columns = 2, sensing_rank = 2, sensing_count = 3;
constexpr int sensing_dimension = (sensing_rows + sensing_columns) * sensing_rank;
constexpr int completion_size = 3, completion_rank = 2;
constexpr int completion_dimension = 2 * completion_size * completion_rank;

/// Dyadic entries k/16 in (−2, 2): exact doubles with small rationals.
Eigen::MatrixXd dyadic_matrix(std::mt19937_64& rng, Index rows, Index columns) {
  Eigen::MatrixXd out(rows, columns);
  for (Index i = 0; i < out.size(); ++i)
    out(i) = random_dyadic(rng, -2, 2, 4);
  return out;
}

Eigen::MatrixXd normal_matrix(std::mt19937_64& rng, Index rows, Index columns, double scale = 1) {
  std::normal_distribution<double> normal(0.0, scale);
  Eigen::MatrixXd out(rows, columns);
  for (Index i = 0; i < out.size(); ++i)
    out(i) = normal(rng);
  return out;
}

matrix_sensing sample_sensing(std::mt19937_64& rng) {
  std::vector<Eigen::MatrixXd> measurements;
  for (int i = 0; i < sensing_count; ++i)
    measurements.push_back(dyadic_matrix(rng, sensing_rows, sensing_columns));
  return matrix_sensing(random_dyadic(rng, 0, 1, 6), measurements,
                        dyadic_matrix(rng, sensing_count, 1).col(0), sensing_rank);
}

matrix_completion::mask_type sample_mask() {
  matrix_completion::mask_type mask(completion_size, completion_size);
  mask << true, true, false, false, true, true, true, false, true;
  return mask;
}

matrix_completion sample_completion(std::mt19937_64& rng) {
  return matrix_completion(random_dyadic(rng, 0, 1, 6),
                           dyadic_matrix(rng, completion_size, completion_size), completion_rank,
                           sample_mask());
}

/// The sensing loss (1/2m) Σᵢ (⟨Aᵢ, XYᵀ⟩ − bᵢ)² written from its definition over the coordinates
/// (vec X, vec Y), for from_loss to differentiate.
auto sensing_loss(const matrix_sensing& p) {
  return [a = p.stacked_measurements(), b = p.observed_values()](const auto& x) {
    using T = std::decay_t<decltype(x[0])>;
    constexpr int n1 = sensing_rows, n2 = sensing_columns, r = sensing_rank;
    T sum = constant<T>(0.0);
    for (int i = 0; i < sensing_count; ++i) {
      T inner = constant<T>(0.0);
      for (int j = 0; j < n1; ++j)
        for (int k = 0; k < n2; ++k) {
          T product = constant<T>(0.0);
          for (int c = 0; c < r; ++c)
            product = product + x[j + n1 * c] * x[n1 * r + k + n2 * c];
          inner = inner + constant<T>(a(j + n1 * k, i)) * product;
        }
      const T residual = inner - constant<T>(b(i));
      sum = sum + residual * residual;
    }
    return sum / constant<T>(2.0 * sensing_count);
  };
}

/// The completion loss ½ Σ_{(j,k)∈Ω} ((XYᵀ)_jk − A_jk)² from its definition.
auto completion_loss(const matrix_completion& p) {
  return [a = p.target(), mask = p.mask()](const auto& x) {
    using T = std::decay_t<decltype(x[0])>;
    constexpr int n = completion_size, r = completion_rank;
    T sum = constant<T>(0.0);
    for (int j = 0; j < n; ++j)
      for (int k = 0; k < n; ++k) {
        if (!mask(j, k))
          continue;
        T product = constant<T>(0.0);
        for (int c = 0; c < r; ++c)
          product = product + x[j + n * c] * x[n * r + k + n * c];
        const T residual = product - constant<T>(a(j, k));
        sum = sum + residual * residual;
      }
    return constant<T>(0.5) * sum;
  };
}

template <int N>
std::array<rational, N> as_array(const gdcert::vector<rational>& c) {
  std::array<rational, N> out;
  for (int i = 0; i < N; ++i)
    out[static_cast<std::size_t>(i)] = c(i);
  return out;
}

/// ∇R(x)·v's derivative part of the gradient over jet<rational, 1> at x + εv: the forward-mode
/// Hessian-vector product (the route of the matrix-free sharpness).
template <class Problem>
gdcert::vector<rational> jet_hessian_times(const Problem& p,
                                           const typename Problem::template state<rational>& x,
                                           const typename Problem::template state<rational>& v) {
  using J = gdcert::jet<rational, 1>;
  const auto c = p.coordinates(x), d = p.coordinates(v);
  gdcert::vector<J> seeded(c.size());
  for (Index i = 0; i < c.size(); ++i) {
    seeded(i) = J(c(i));
    seeded(i).derivative[0] = d(i);
  }
  const auto g = p.coordinates(p.gradient(p.template from_coordinates<J>(seeded)));
  gdcert::vector<rational> out(g.size());
  for (Index i = 0; i < g.size(); ++i)
    out(i) = g(i).derivative[0];
  return out;
}

/// Every identity of the exact check at one point: gradient and Hessian against from_loss, the
/// map against x − η∇R(x), and the Hessian-vector product against H·v and the jet route.
template <int N, class Problem, class Loss>
void check_exact_identities(const Problem& p, const Loss& loss, std::mt19937_64& rng) {
  const auto derived = gdcert::from_loss<N>(p.step_size(), loss);
  const auto x = random_state<rational>(p, rng);
  const auto v = random_state<rational>(p, rng);
  const auto point = as_array<N>(p.coordinates(x));

  const auto gradient = p.coordinates(p.gradient(x));
  const auto derived_gradient = derived.gradient(point);
  for (int i = 0; i < N; ++i)
    REQUIRE(gradient(i) == derived_gradient[static_cast<std::size_t>(i)]);

  const auto step = p.coordinates(p.step(x));
  const auto reference_step = p.coordinates(p.gradient_step(x));
  const auto derived_step = derived.step(point);
  const rational eta(p.step_size());
  for (int i = 0; i < N; ++i) {
    REQUIRE(step(i) == reference_step(i));
    REQUIRE(step(i) == point[static_cast<std::size_t>(i)] -
                           eta * derived_gradient[static_cast<std::size_t>(i)]);
    REQUIRE(step(i) == derived_step[static_cast<std::size_t>(i)]);
  }

  const gdcert::matrix<rational> hessian = p.hessian(x);
  const gdcert::matrix<rational> derived_hessian = derived.hessian(point);
  REQUIRE(hessian.rows() == N);
  REQUIRE(hessian.cols() == N);
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j)
      REQUIRE(hessian(i, j) == derived_hessian(i, j));

  const auto product = p.coordinates(p.hessian_vector_product(x, v));
  const auto direction = p.coordinates(v);
  const auto forward = jet_hessian_times(p, x, v);
  for (int i = 0; i < N; ++i) {
    rational row = 0;
    for (int j = 0; j < N; ++j)
      row += hessian(i, j) * direction(j);
    REQUIRE(product(i) == row);
    REQUIRE(product(i) == forward(i));
  }
  REQUIRE(p.loss(x) == derived.loss(point));
}

TEST_CASE("matrix_sensing is exact in rationals: grad_X = G Y, grad_Y = G^T X, the map, the "
          "Hessian and H v = (dG Y + G dY, dG^T X + G^T dX) equal the loss-derived ones "
          "(docs/formulas.md 11)",
          "[sensing][exact]") {
  auto rng = generator(2401);
  for (int point = 0; point < exact_points; ++point) {
    const matrix_sensing p = sample_sensing(rng);
    check_exact_identities<sensing_dimension>(p, sensing_loss(p), rng);
  }
}

TEST_CASE("matrix_completion is exact in rationals: grad_X = E Y, grad_Y = E^T X, the map, the "
          "Hessian and H v = (dE Y + E dY, dE^T X + E^T dX) equal the loss-derived ones "
          "(docs/formulas.md 12)",
          "[completion][exact]") {
  auto rng = generator(2402);
  for (int point = 0; point < exact_points; ++point) {
    const matrix_completion p = sample_completion(rng);
    check_exact_identities<completion_dimension>(p, completion_loss(p), rng);
  }
}

/// ‖a − b‖∞ / max(1, ‖b‖∞) over both factors.
template <class State>
double relative_difference(const State& a, const State& b) {
  const double scale = std::max({1.0, b.X.cwiseAbs().maxCoeff(), b.Y.cwiseAbs().maxCoeff()});
  return std::max((a.X - b.X).cwiseAbs().maxCoeff(), (a.Y - b.Y).cwiseAbs().maxCoeff()) / scale;
}

/// The factors of a double state over rationals (exactly).
template <class State>
std::pair<gdcert::matrix<rational>, gdcert::matrix<rational>> exactly(const State& x) {
  gdcert::matrix<rational> X(x.X.rows(), x.X.cols()), Y(x.Y.rows(), x.Y.cols());
  for (Index i = 0; i < X.size(); ++i)
    X(i) = rational(x.X(i));
  for (Index i = 0; i < Y.size(); ++i)
    Y(i) = rational(x.Y(i));
  return std::pair{X, Y};
}

template <class Problem>
typename Problem::template state<double>
rounded_exact_step(const Problem& p, const typename Problem::template state<double>& x) {
  auto [X, Y] = exactly(x);
  const auto next = p.step(typename Problem::template state<rational>{X, Y});
  typename Problem::template state<double> out{Eigen::MatrixXd(X.rows(), X.cols()),
                                               Eigen::MatrixXd(Y.rows(), Y.cols())};
  for (Index i = 0; i < X.size(); ++i)
    out.X(i) = static_cast<double>(next.X(i));
  for (Index i = 0; i < Y.size(); ++i)
    out.Y(i) = static_cast<double>(next.Y(i));
  return out;
}

/// Ten steps in place against ten steps of `step`, and the first step of `step` against the
/// exact step rounded (when `exact`).
template <class Problem>
void check_in_place(const Problem& p, std::mt19937_64& rng, double scale, bool exact) {
  typename Problem::template state<double> x{normal_matrix(rng, p.rows(), p.rank(), scale),
                                             normal_matrix(rng, p.columns(), p.rank(), scale)};
  if (exact)
    CHECK(relative_difference(p.step(x), rounded_exact_step(p, x)) <= 1e-13);
  auto w = p.make_workspace();
  auto in_place = x;
  for (int t = 0; t < 10; ++t) {
    x = p.step(x);
    p.step_in_place(in_place, w);
    REQUIRE(relative_difference(in_place, x) <= 1e-13);
  }
}

TEST_CASE("step_in_place equals step, X' = X - eta G Y and Y' = Y - eta G^T X, and the Eigen "
          "kernels meet the exact map (docs/formulas.md 11)",
          "[sensing]") {
  auto rng = generator(2403);
  check_in_place(matrix_sensing::gaussian(0.01, 30, 20, 3, 8, 11), rng, 0.5, true);
  check_in_place(
      matrix_sensing::gaussian(0.01, 30, 20, 3, 8, 12, matrix_sensing::observations::planted), rng,
      0.5, true);
  check_in_place(matrix_sensing::wang_figure13(1e-4, 13), rng, 0.3, false);
}

TEST_CASE("step_in_place equals step, X' = X - eta E Y and Y' = Y - eta E^T X, and the Eigen "
          "kernels meet the exact map (docs/formulas.md 12)",
          "[completion]") {
  auto rng = generator(2404);
  check_in_place(matrix_completion::random_low_rank(0.05, 30, 20, 3, 3, 0.5, 21), rng, 0.5, true);
  check_in_place(matrix_completion::wang_figure14(0.05, 22), rng, 0.5, true);
}

/// The floating-point route (Eigen's products) of gradient, Hessian and Hessian-vector product
/// against the exact route rounded: within 1e-13 of the largest entry.
template <class Problem>
void check_floating_route(const Problem& p, std::mt19937_64& rng) {
  using double_state = typename Problem::template state<double>;
  using rational_state = typename Problem::template state<rational>;
  const double_state x{normal_matrix(rng, p.rows(), p.rank()),
                       normal_matrix(rng, p.columns(), p.rank())};
  const double_state v{normal_matrix(rng, p.rows(), p.rank()),
                       normal_matrix(rng, p.columns(), p.rank())};
  const auto [X, Y] = exactly(x);
  const auto [dX, dY] = exactly(v);
  const rational_state exact_x{X, Y}, exact_v{dX, dY};
  const auto close = [](const auto& computed, const auto& exact) {
    double scale = 1, difference = 0;
    for (Index i = 0; i < exact.size(); ++i) {
      scale = std::max(scale, std::abs(static_cast<double>(exact(i))));
      difference = std::max(difference, std::abs(computed(i) - static_cast<double>(exact(i))));
    }
    return difference <= 1e-13 * scale;
  };
  CHECK(close(p.coordinates(p.gradient(x)), p.coordinates(p.gradient(exact_x))));
  CHECK(close(p.coordinates(p.hessian_vector_product(x, v)),
              p.coordinates(p.hessian_vector_product(exact_x, exact_v))));
  const Eigen::MatrixXd h = p.hessian(x);
  CHECK(close(h, p.hessian(exact_x)));
  CHECK(h == h.transpose());
}

TEST_CASE("the floating-point kernels of the gradient, the Hessian and H v meet the exact ones, "
          "and the double Hessian is exactly symmetric (docs/formulas.md 11 and 12)",
          "[sensing][completion]") {
  auto rng = generator(2408);
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    check_floating_route(matrix_sensing::gaussian(0.01, 6, 5, 2, 4, seed), rng);
    check_floating_route(
        matrix_sensing::gaussian(0.01, 6, 5, 2, 4, seed, matrix_sensing::observations::planted),
        rng);
    check_floating_route(matrix_completion::random_low_rank(0.05, 6, 5, 2, 2, 0.6, seed), rng);
  }
}

template <class Problem>
void check_never_nan(const Problem& p, std::mt19937_64& rng, bool with_hessian) {
  for (const double magnitude : {1e150, 1e200, 1e300}) {
    typename Problem::template state<double> x{normal_matrix(rng, p.rows(), p.rank()) * magnitude,
                                               normal_matrix(rng, p.columns(), p.rank()) *
                                                   magnitude};
    const double loss = p.loss(x);
    CHECK_FALSE(std::isnan(loss));
    CHECK(loss == std::numeric_limits<double>::infinity()); // the value is beyond the range
    const auto g = p.gradient(x);
    CHECK_FALSE(g.X.hasNaN());
    CHECK_FALSE(g.Y.hasNaN());
    const auto product = p.hessian_vector_product(x, x);
    CHECK_FALSE(product.X.hasNaN());
    CHECK_FALSE(product.Y.hasNaN());
    if (with_hessian)
      CHECK_FALSE(p.hessian(x).hasNaN());
  }
}

TEST_CASE("loss, gradient, Hessian and H v are never NaN at huge finite states, extended_range "
          "re-evaluation (docs/formulas.md 11 and 12)",
          "[sensing][completion]") {
  auto rng = generator(2405);
  check_never_nan(matrix_sensing::gaussian(0.01, 30, 20, 3, 8, 31), rng, true);
  check_never_nan(matrix_sensing::wang_figure13(1e-4, 32), rng, false);
  check_never_nan(matrix_completion::random_low_rank(0.05, 30, 20, 3, 3, 0.5, 33), rng, true);
  check_never_nan(matrix_completion::wang_figure14(0.05, 34), rng, true);
}

TEST_CASE("the members run over long double, intervals and lane packs: the interval loss encloses "
          "the exact loss, lanes and long double agree with double (docs/formulas.md 11 and 12)",
          "[sensing][completion]") {
  auto rng = generator(2406);
  const auto check = [&](const auto& p) {
    using Problem = std::decay_t<decltype(p)>;
    const auto x = random_state<double>(p, rng);
    const double loss = p.loss(x);
    // Exact loss, and its interval enclosure.
    auto [X, Y] = exactly(x);
    const rational exact = p.loss(typename Problem::template state<rational>{X, Y});
    const auto enclosure = p.loss(typename Problem::template state<gdcert::interval>{
        gdcert::cast_to<gdcert::interval>(x.X), gdcert::cast_to<gdcert::interval>(x.Y)});
    CHECK(rational(enclosure.lower()) <= exact);
    CHECK(exact <= rational(enclosure.upper()));
    CHECK(std::abs(loss - static_cast<double>(exact)) <= 1e-13 * (1 + std::abs(loss)));
    // Long double.
    const auto wide = p.step(typename Problem::template state<long double>{
        x.X.template cast<long double>(), x.Y.template cast<long double>()});
    const auto narrow = p.step(x);
    CHECK(relative_difference(narrow, typename Problem::template state<double>{
                                          wide.X.template cast<double>(),
                                          wide.Y.template cast<double>()}) <= 1e-13);
    // Lanes: lane 0 is x, lane 1 is 2x.
    using L = gdcert::lanes<2>;
    typename Problem::template state<L> packed{gdcert::matrix<L>(x.X.rows(), x.X.cols()),
                                               gdcert::matrix<L>(x.Y.rows(), x.Y.cols())};
    for (Index i = 0; i < x.X.size(); ++i)
      packed.X(i) = L(x.X(i), 2 * x.X(i));
    for (Index i = 0; i < x.Y.size(); ++i)
      packed.Y(i) = L(x.Y(i), 2 * x.Y(i));
    const auto stepped = p.step(packed);
    for (Index i = 0; i < x.X.size(); ++i)
      CHECK(std::abs(stepped.X(i)(0) - narrow.X(i)) <= 1e-13 * (1 + std::abs(narrow.X(i))));
    CHECK(std::abs(p.loss(packed)(1) -
                   p.loss(typename Problem::template state<double>{2 * x.X, 2 * x.Y})) <=
          1e-12 * (1 + std::abs(p.loss(packed)(1))));
  };
  check(sample_sensing(rng));
  check(sample_completion(rng));
  check(matrix_sensing::gaussian(0.01, 5, 4, 2, 3, 41));
  check(matrix_completion::random_low_rank(0.05, 5, 4, 2, 2, 0.7, 42));
}

/// The message of the gdcert::invalid_parameter a call throws ("accepted" if none).
template <class Call>
std::string rejection(Call&& call) {
  try {
    call();
  } catch (const gdcert::invalid_parameter& error) {
    return error.what();
  } catch (const std::exception& error) {
    return std::string("another exception: ") + error.what();
  }
  return "accepted";
}

TEST_CASE("matrix_sensing refuses each bad parameter by name, sizes before allocating "
          "(docs/formulas.md 11)",
          "[sensing][validation]") {
  const Eigen::MatrixXd a = Eigen::MatrixXd::Ones(3, 2);
  const std::vector<Eigen::MatrixXd> three{a, a, a};
  const Eigen::VectorXd b = Eigen::VectorXd::Ones(3);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double infinity = std::numeric_limits<double>::infinity();
  for (const double eta : {0.0, -1.0, nan, infinity}) {
    CHECK_THAT(rejection([&] { (void)matrix_sensing(eta, three, b, 1); }),
               Contains("step size eta"));
    CHECK_THAT(rejection([&] { (void)matrix_sensing::gaussian(eta, 3, 2, 1, 3, 1); }),
               Contains("step size eta"));
  }
  CHECK_THAT(rejection([&] { (void)matrix_sensing(0.1, {}, Eigen::VectorXd(0), 1); }),
             Contains("measurement count m"));
  CHECK_THAT(rejection([&] { (void)matrix_sensing(0.1, {Eigen::MatrixXd(0, 2)}, b.head(1), 1); }),
             Contains("measurement rows n1"));
  CHECK_THAT(rejection([&] { (void)matrix_sensing(0.1, {Eigen::MatrixXd(2, 0)}, b.head(1), 1); }),
             Contains("measurement columns n2"));
  CHECK_THAT(rejection([&] { (void)matrix_sensing(0.1, three, b, 0); }), Contains("factor rank r"));
  CHECK_THAT(
      rejection([&] { (void)matrix_sensing(0.1, three, b, gdcert::max_state_dimension / 2); }),
      Contains("state dimension (n1 + n2) r"));
  std::vector<Eigen::MatrixXd> wrong_shape = three;
  wrong_shape[1] = Eigen::MatrixXd::Ones(2, 3);
  CHECK_THAT(rejection([&] { (void)matrix_sensing(0.1, wrong_shape, b, 1); }),
             Contains("measurement A_1 shape"));
  std::vector<Eigen::MatrixXd> not_finite = three;
  not_finite[2](1, 1) = nan;
  CHECK_THAT(rejection([&] { (void)matrix_sensing(0.1, not_finite, b, 1); }),
             Contains("measurement A_2"));
  not_finite[2](1, 1) = infinity;
  CHECK_THAT(rejection([&] { (void)matrix_sensing(0.1, not_finite, b, 1); }),
             Contains("measurement A_2"));
  CHECK_THAT(rejection([&] { (void)matrix_sensing(0.1, three, b.head(2), 1); }),
             Contains("observations b size"));
  Eigen::VectorXd bad_b = b;
  bad_b(2) = nan;
  CHECK_THAT(rejection([&] { (void)matrix_sensing(0.1, three, bad_b, 1); }),
             Contains("observation b_2"));
  CHECK_THAT(rejection([&] { (void)matrix_sensing::gaussian(0.1, 3, 2, 1, 0, 1); }),
             Contains("measurement count m"));
  CHECK_THAT(rejection([&] { (void)matrix_sensing::gaussian(0.1, 0, 2, 1, 3, 1); }),
             Contains("measurement rows n1"));
  CHECK_THAT(rejection([&] { (void)matrix_sensing::gaussian(0.1, 3, -1, 1, 3, 1); }),
             Contains("measurement columns n2"));
  CHECK_THAT(rejection([&] { (void)matrix_sensing::gaussian(0.1, 3, 2, 0, 3, 1); }),
             Contains("factor rank r"));
  // 2^28 measurement entries (2 GiB): refused before drawing anything.
  CHECK_THAT(rejection([&] { (void)matrix_sensing::gaussian(0.1, 1 << 14, 1 << 14, 1, 1, 1); }),
             Contains("measurement entries m n1 n2"));
  CHECK_THAT(rejection([&] {
               (void)matrix_sensing::gaussian(0.1, 3, 2, 1, 3, 1,
                                              static_cast<matrix_sensing::observations>(7));
             }),
             Contains("observations kind"));
  CHECK_THAT(rejection([&] { (void)matrix_sensing::gaussian(0.1, 3, 2, 1, 3, 1, b.head(2)); }),
             Contains("observations b size"));
  CHECK_THAT(rejection([&] { (void)matrix_sensing::gaussian(0.1, 3, 2, 1, 3, 1, bad_b); }),
             Contains("observation b_2"));

  const matrix_sensing p(0.1, three, b, 2);
  CHECK_THAT(rejection([&] { (void)p.measurement(3); }), Contains("measurement index i"));
  const matrix_sensing::state<double> x{Eigen::MatrixXd::Ones(3, 2), Eigen::MatrixXd::Ones(2, 2)};
  const matrix_sensing::state<double> wrong{Eigen::MatrixXd::Ones(2, 2),
                                            Eigen::MatrixXd::Ones(2, 2)};
  CHECK_THAT(rejection([&] { (void)p.loss(wrong); }), Contains("X.rows()"));
  CHECK_THAT(rejection([&] { (void)p.step(wrong); }), Contains("X.rows()"));
  CHECK_THAT(rejection([&] { (void)p.hessian(wrong); }), Contains("X.rows()"));
  CHECK_THAT(rejection([&] { (void)p.hessian_vector_product(x, wrong); }),
             Contains("direction dX.rows()"));
  auto w = matrix_sensing(0.1, three, b, 1).make_workspace();
  auto y = x;
  CHECK_THAT(rejection([&] { p.step_in_place(y, w); }), Contains("workspace"));
  CHECK(p.loss(x) >= 0);
}

TEST_CASE("matrix_completion refuses each bad parameter by name, sizes before allocating "
          "(docs/formulas.md 12)",
          "[completion][validation]") {
  const Eigen::MatrixXd a = Eigen::MatrixXd::Ones(3, 3);
  const auto mask = sample_mask();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const double eta : {0.0, -1.0, nan, std::numeric_limits<double>::infinity()}) {
    CHECK_THAT(rejection([&] { (void)matrix_completion(eta, a, 1, mask); }),
               Contains("step size eta"));
    CHECK_THAT(
        rejection([&] { (void)matrix_completion::random_low_rank(eta, 3, 3, 1, 1, 0.5, 1); }),
        Contains("step size eta"));
  }
  const matrix_completion::mask_type none = matrix_completion::mask_type::Constant(3, 3, false);
  CHECK_THAT(rejection([&] { (void)matrix_completion(0.1, Eigen::MatrixXd(0, 3), 1, mask); }),
             Contains("target A rows n1"));
  CHECK_THAT(rejection([&] { (void)matrix_completion(0.1, Eigen::MatrixXd(3, 0), 1, mask); }),
             Contains("target A columns n2"));
  CHECK_THAT(rejection([&] { (void)matrix_completion(0.1, a, 0, mask); }),
             Contains("factor rank r"));
  CHECK_THAT(
      rejection([&] { (void)matrix_completion(0.1, a, gdcert::max_state_dimension / 2, mask); }),
      Contains("state dimension (n1 + n2) r"));
  Eigen::MatrixXd bad = a;
  bad(2, 1) = nan;
  CHECK_THAT(rejection([&] { (void)matrix_completion(0.1, bad, 1, mask); }), Contains("target A"));
  CHECK_THAT(rejection([&] { (void)matrix_completion(0.1, a, 1, mask.topRows(2).eval()); }),
             Contains("mask rows"));
  CHECK_THAT(rejection([&] { (void)matrix_completion(0.1, a, 1, mask.leftCols(2).eval()); }),
             Contains("mask columns"));
  CHECK_THAT(rejection([&] { (void)matrix_completion(0.1, a, 1, none); }),
             Contains("mask observed entries"));
  for (const double density : {0.0, -0.25, 1.5, nan}) {
    CHECK_THAT(rejection([&] { (void)matrix_completion(0.1, a, 1, density, 7); }),
               Contains("mask density"));
    CHECK_THAT(rejection([&] { (void)matrix_completion::bernoulli_mask(3, 3, density, 7); }),
               Contains("mask density"));
  }
  CHECK_THAT(rejection([&] { (void)matrix_completion::random_low_rank(0.1, 3, 3, 0, 1, 0.5, 1); }),
             Contains("target rank k"));
  CHECK_THAT(rejection([&] { (void)matrix_completion::random_low_rank(0.1, 0, 3, 1, 1, 0.5, 1); }),
             Contains("target A rows n1"));
  // 2^40 mask entries: refused before allocating.
  CHECK_THAT(rejection([&] { (void)matrix_completion::bernoulli_mask(1 << 20, 1 << 20, 0.5, 1); }),
             Contains("target entries n1 n2"));

  const matrix_completion p(0.1, a, 2, mask);
  const matrix_completion::state<double> x{Eigen::MatrixXd::Ones(3, 2),
                                           Eigen::MatrixXd::Ones(3, 2)};
  const matrix_completion::state<double> wrong{Eigen::MatrixXd::Ones(3, 2),
                                               Eigen::MatrixXd::Ones(3, 1)};
  CHECK_THAT(rejection([&] { (void)p.gradient(wrong); }), Contains("Y.cols()"));
  CHECK_THAT(rejection([&] { (void)p.hessian_vector_product(x, wrong); }),
             Contains("direction dY.cols()"));
  auto w = matrix_completion(0.1, a, 1, mask).make_workspace();
  auto y = x;
  CHECK_THAT(rejection([&] { p.step_in_place(y, w); }), Contains("workspace"));
}

TEST_CASE("matrix_sensing draws are reproducible: A_i(j, k) from counter i n1 n2 + j + n1 k, b "
          "uniform or planted b_i = <A_i, U V^T> with loss 0 at (U, V) (docs/formulas.md 11)",
          "[sensing][draws]") {
  using gdcert::detail::draw_stream;
  const auto p = matrix_sensing::gaussian(0.01, 6, 5, 2, 4, 99);
  const auto same = matrix_sensing::gaussian(0.01, 6, 5, 2, 4, 99);
  const auto other = matrix_sensing::gaussian(0.01, 6, 5, 2, 4, 100);
  CHECK(p.stacked_measurements() == same.stacked_measurements());
  CHECK(p.observed_values() == same.observed_values());
  CHECK(p.stacked_measurements() != other.stacked_measurements());
  CHECK(p.observed_values() != other.observed_values());
  const std::uint64_t s = gdcert::detail::stream_seed(99, draw_stream::measurements);
  CHECK(p.measurement(3)(4, 2) == gdcert::detail::seeded_normal(s, 3 * 30 + 4 + 6 * 2));
  CHECK(p.measurement(0)(0, 0) == gdcert::detail::seeded_normal(s, 0));
  CHECK(p.observed_values().minCoeff() > 0);
  CHECK(p.observed_values().maxCoeff() < 1);
  CHECK_FALSE(p.minimum_loss().has_value());
  CHECK_FALSE(p.planted_factors().has_value());
  CHECK_FALSE(matrix_sensing::gaussian(0.01, 6, 5, 2, 4, 99, p.observed_values())
                  .minimum_loss()
                  .has_value());

  // Same measurements whatever the observations.
  const auto planted =
      matrix_sensing::gaussian(0.01, 6, 5, 2, 40, 99, matrix_sensing::observations::planted);
  CHECK(planted.stacked_measurements().leftCols(4) == p.stacked_measurements());
  REQUIRE(planted.minimum_loss() == std::optional<double>(0.0));
  REQUIRE(planted.planted_factors().has_value());
  const auto& star = *planted.planted_factors();
  CHECK(star.X.rows() == 6);
  CHECK(star.Y.rows() == 5);
  const double scale = planted.observed_values().squaredNorm() / 40;
  CHECK(planted.loss(star) <= 1e-28 * scale);
  CHECK(planted.is_minimizer(star, 1e-10));
  CHECK(planted.is_stationary(star, 1e-10));
  CHECK(planted.loss(planted.step(star)) <= 1e-28 * scale);
  const auto uniform = matrix_sensing::wang_figure13(0.01, 5);
  CHECK(uniform.rows() == 100);
  CHECK(uniform.columns() == 100);
  CHECK(uniform.rank() == 6);
  CHECK(uniform.measurement_count() == 10);
  CHECK(uniform.dimension() == 1200);
  CHECK_FALSE(uniform.minimum_loss().has_value());
}

TEST_CASE("matrix_completion draws are reproducible: mask entry (j, k) observed iff "
          "U_{j + n1 k} < density, target U V^T, minimum loss 0 iff rank A <= r is known "
          "(docs/formulas.md 12)",
          "[completion][draws]") {
  using gdcert::detail::draw_stream;
  const auto mask = matrix_completion::bernoulli_mask(200, 150, 0.6, 5);
  CHECK(mask == matrix_completion::bernoulli_mask(200, 150, 0.6, 5));
  CHECK(mask != matrix_completion::bernoulli_mask(200, 150, 0.6, 6));
  const double fraction = static_cast<double>(mask.count()) / static_cast<double>(mask.size());
  CHECK(std::abs(fraction - 0.6) < 0.01);
  const std::uint64_t s = gdcert::detail::stream_seed(5, draw_stream::mask);
  for (const auto& [j, k] : {std::pair<Index, Index>{0, 0}, {17, 3}, {199, 149}})
    CHECK(mask(j, k) ==
          (gdcert::detail::seeded_uniform(s, static_cast<std::uint64_t>(j + 200 * k)) < 0.6));
  CHECK(matrix_completion::bernoulli_mask(7, 9, 1.0, 5).all());

  const auto fig14 = matrix_completion::wang_figure14(0.05, 3);
  const auto again = matrix_completion::wang_figure14(0.05, 3);
  const auto other = matrix_completion::wang_figure14(0.05, 4);
  CHECK(fig14.target() == again.target());
  CHECK(fig14.mask() == again.mask());
  CHECK(fig14.target() != other.target());
  CHECK(fig14.mask() != other.mask());
  CHECK(fig14.rows() == 10);
  CHECK(fig14.columns() == 10);
  CHECK(fig14.rank() == 2);
  CHECK(fig14.observed_count() == fig14.mask().count());
  CHECK(Eigen::JacobiSVD<Eigen::MatrixXd>(fig14.target()).rank() == 2);
  CHECK(fig14.minimum_loss() == std::optional<double>(0.0));
  // A rank-3 target with r = 2: the minimum is not known; with r = 3 it is 0.
  CHECK_FALSE(
      matrix_completion::random_low_rank(0.05, 10, 10, 3, 2, 0.6, 3).minimum_loss().has_value());
  CHECK(matrix_completion::random_low_rank(0.05, 10, 10, 3, 3, 0.6, 3).minimum_loss() ==
        std::optional<double>(0.0));
  // The density constructor draws the same mask as bernoulli_mask.
  const matrix_completion drawn(0.05, fig14.target(), 2, 0.6, 3);
  CHECK(drawn.mask() == matrix_completion::bernoulli_mask(10, 10, 0.6, 3));
  CHECK(drawn.mask() == fig14.mask());
}

TEST_CASE("the origin X = Y = 0 is a stationary saddle of both problems, is_minimizer by the loss "
          "gap where R* = 0 is known and by the second-order test otherwise (docs/formulas.md 11 "
          "and 12)",
          "[sensing][completion]") {
  const auto check = [](const auto& p, bool known_minimum) {
    using Problem = std::decay_t<decltype(p)>;
    const typename Problem::template state<double> origin{
        Eigen::MatrixXd::Zero(p.rows(), p.rank()), Eigen::MatrixXd::Zero(p.columns(), p.rank())};
    CHECK(p.minimum_loss().has_value() == known_minimum);
    CHECK(p.is_stationary(origin, 1e-12));
    CHECK_FALSE(p.is_minimizer(origin, 1e-6));
    CHECK(Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(p.hessian(origin)).eigenvalues()(0) <
          -1e-3);
  };
  check(matrix_sensing::gaussian(0.01, 4, 3, 2, 5, 61), false);
  check(matrix_sensing::gaussian(0.01, 4, 3, 2, 5, 61, matrix_sensing::observations::planted),
        true);
  check(matrix_completion::wang_figure14(0.05, 62), true);
  check(matrix_completion::random_low_rank(0.05, 6, 5, 3, 1, 0.8, 63), false);

  // GD from a small start on an under-determined sensing instance (m = 4 < r(n1 + n2 − r)):
  // converges to a zero-loss point that the second-order test accepts.
  const auto p = matrix_sensing::gaussian(0.02, 3, 3, 2, 4, 64);
  auto rng = generator(2407);
  matrix_sensing::state<double> x{normal_matrix(rng, 3, 2, 0.3), normal_matrix(rng, 3, 2, 0.3)};
  auto w = p.make_workspace();
  for (int t = 0; t < 20000 && !p.is_stationary(x, 1e-10); ++t)
    p.step_in_place(x, w);
  CHECK(p.is_stationary(x, 1e-9));
  CHECK(p.loss(x) < 1e-12);
  CHECK(p.is_minimizer(x, 1e-6));
}

} // namespace sensing_completion_suite
