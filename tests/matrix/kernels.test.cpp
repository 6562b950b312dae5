// The fused GD step of matrix factorization (docs/formulas.md §1, eq. 3): the same map as the
// generic products, the same bits for any thread count, validated workspaces.
#include "fixtures.hpp"

#include <gdcert/problems/matrix_completion.hpp>
#include <gdcert/problems/matrix_factorization.hpp>

#include <catch2/catch.hpp>

#include <random>

using namespace gdcert;
using namespace gdcert::test;

namespace {
Eigen::MatrixXd random_matrix(std::mt19937_64& rng, Eigen::Index rows, Eigen::Index cols,
                              double scale) {
  std::normal_distribution<double> normal(0.0, scale);
  Eigen::MatrixXd out(rows, cols);
  for (Eigen::Index i = 0; i < out.size(); ++i)
    out(i) = normal(rng);
  return out;
}

matrix_factorization::state<double> random_state(std::mt19937_64& rng,
                                                 const matrix_factorization& p, double scale) {
  return {random_matrix(rng, p.target().cols(), p.rank(), scale),
          random_matrix(rng, p.target().rows(), p.rank(), scale)};
}

/// (3) in long double by the generic products: the reference the fused double kernel must meet.
matrix_factorization::state<long double>
reference_step(const matrix_factorization& p, const matrix_factorization::state<double>& x) {
  return p.step(
      matrix_factorization::state<long double>{x.A.cast<long double>(), x.B.cast<long double>()});
}

double relative_error(const matrix_factorization::state<double>& x,
                      const matrix_factorization::state<long double>& reference) {
  const long double scale = reference.A.norm() + reference.B.norm();
  return double(((x.A.cast<long double>() - reference.A).norm() +
                 (x.B.cast<long double>() - reference.B).norm()) /
                scale);
}
} // namespace

TEST_CASE("fused step equals A' = A - eta (BA^T - X)^T B - eta lambda A, B' likewise (3), at every "
          "shape of the kernel's tiles and tails",
          "[matrix][kernel]") {
  auto rng = generator(2401);
  // Rows and columns around the tile sizes (2W × 4: W = 2, 4 or 8) and their tails, ranks 1-12,
  // masked-free and ridge; one shape large enough for the threaded chunks. From r = 16 the blocked
  // kernel: rows around its tiles (2W) and panels (at most 96 rows, of equal height), columns
  // around its blocks (6), panels (at most 48 columns) and chunks, ranks around its tiles of 6
  // and 2W rank indices.
  const int shapes[][3] = {
      {1, 1, 1},    {2, 3, 1},   {3, 5, 2},      {7, 4, 3},      {8, 8, 4},
      {9, 13, 5},   {15, 17, 6}, {16, 33, 7},    {17, 31, 12},   {6, 100, 6},
      {100, 6, 6},  {64, 65, 3}, {129, 127, 10}, {300, 260, 10}, {95, 47, 15},
      {1, 1, 16},   {3, 2, 17},  {97, 49, 16},   {193, 97, 23},  {17, 13, 37},
      {16, 12, 48}, {7, 25, 40}, {257, 131, 32}, {300, 190, 41}, {100, 100, 100}};
  for (const auto& shape : shapes) {
    const Eigen::Index m = shape[0], n = shape[1], r = shape[2];
    for (const double lambda : {0.0, 0.125}) {
      const matrix_factorization p(0.01, random_matrix(rng, m, n, 1.0), r, lambda);
      const auto x = random_state(rng, p, 0.5);
      auto w = p.make_workspace();
      auto y = x;
      p.step_in_place(y, w);
      INFO("m = " << m << ", n = " << n << ", r = " << r << ", lambda = " << lambda);
      CHECK(relative_error(y, reference_step(p, x)) < 1e-14);
      const auto z = p.step(x);
      CHECK(same_bits(z.A, y.A));
      CHECK(same_bits(z.B, y.B));
    }
  }
}

TEST_CASE("fused step is bit-identical for 1, 2, 3 and 5 threads (fixed column chunks, partials "
          "added in chunk order)",
          "[matrix][kernel]") {
  auto rng = generator(2402);
  // r = 9: the register kernel (10 chunks); r = 40: the blocked kernel (8 chunks).
  for (const auto& [m, n, r] : {std::tuple{257, 301, 9}, std::tuple{181, 530, 40}}) {
    const matrix_factorization p(0.001, random_matrix(rng, m, n, 1.0), r);
    const auto x0 = random_state(rng, p, 0.3);
    matrix_factorization::state<double> reference;
    for (const unsigned threads : {1u, 2u, 3u, 5u}) {
      auto w = p.make_workspace(threads);
      CHECK(w.threads() == threads);
      auto x = x0;
      for (int t = 0; t < 20; ++t)
        p.step_in_place(x, w);
      if (threads == 1) {
        reference = x;
      } else {
        INFO("r = " << r << ", threads = " << threads);
        CHECK(same_bits(x.A, reference.A));
        CHECK(same_bits(x.B, reference.B));
      }
    }
  }
}

TEST_CASE("iterate and classify advance a matrix state in place with the same bits as p.step",
          "[matrix][kernel]") {
  auto rng = generator(2403);
  const matrix_factorization p(0.002, random_matrix(rng, 40, 30, 1.0), 4);
  const auto x0 = random_state(rng, p, 0.4);
  auto x = x0;
  REQUIRE(iterate(p, x, 25) == 25);
  auto y = x0;
  for (int t = 0; t < 25; ++t)
    y = p.step(y);
  CHECK(same_bits(x.A, y.A));
  CHECK(same_bits(x.B, y.B));
  STATIC_REQUIRE(steps_in_place<matrix_factorization, matrix_factorization::state<double>>);
  STATIC_REQUIRE_FALSE(
      steps_in_place<matrix_factorization, matrix_factorization::state<long double>>);
}

TEST_CASE("step_in_place rejects a state or a workspace of other sizes, naming them",
          "[matrix][kernel]") {
  auto rng = generator(2404);
  const matrix_factorization p(0.01, random_matrix(rng, 5, 4, 1.0), 2);
  const matrix_factorization other(0.01, random_matrix(rng, 5, 6, 1.0), 2);
  auto w = other.make_workspace();
  auto x = random_state(rng, p, 0.5);
  CHECK_THROWS_WITH(p.step_in_place(x, w), Catch::Contains("workspace"));
  auto own = p.make_workspace();
  matrix_factorization::state<double> wrong{Eigen::MatrixXd::Zero(4, 3),
                                            Eigen::MatrixXd::Zero(5, 3)};
  CHECK_THROWS_WITH(p.step_in_place(wrong, own), Catch::Contains("A.cols()"));
  CHECK_THROWS_WITH(p.make_workspace(worker_team::max_threads + 1), Catch::Contains("threads"));
}

TEST_CASE("completion's fused step keeps E = P_Omega(XY^T - A) at +0 off the mask (a bitwise and), "
          "is bit-identical for 1, 2 and 3 threads and meets the long double map",
          "[matrix][kernel][completion]") {
  auto rng = generator(2405);
  using state = matrix_completion::state<double>;
  // r = 5: the register kernel; r = 35 (rows not a multiple of 2W): the blocked kernel.
  for (const auto& [rows, columns, r] : {std::tuple{203, 181, 5}, std::tuple{203, 141, 35}}) {
    const auto p = matrix_completion::random_low_rank(0.002, rows, columns, 4, r, 0.3, 7);
    const state x0{random_matrix(rng, p.rows(), p.rank(), 0.4),
                   random_matrix(rng, p.columns(), p.rank(), 0.4)};
    const auto exact = p.step(
        matrix_completion::state<long double>{x0.X.cast<long double>(), x0.Y.cast<long double>()});
    const state one = p.step(x0);
    const long double scale = exact.X.norm() + exact.Y.norm();
    INFO("r = " << r);
    CHECK(double(((one.X.cast<long double>() - exact.X).norm() +
                  (one.Y.cast<long double>() - exact.Y).norm()) /
                 scale) < 1e-14);
    state reference;
    for (const unsigned threads : {1u, 2u, 3u}) {
      auto w = p.make_workspace(threads);
      auto x = x0;
      for (int t = 0; t < 10; ++t)
        p.step_in_place(x, w);
      if (threads == 1) {
        reference = x;
      } else {
        INFO("threads = " << threads);
        CHECK(same_bits(x.X, reference.X));
        CHECK(same_bits(x.Y, reference.Y));
      }
    }
  }
  // An unobserved entry whose XY^T overflows contributes +0, not NaN (0 * inf), as select does.
  Eigen::MatrixXd target = Eigen::MatrixXd::Zero(3, 2);
  matrix_completion::mask_type mask = matrix_completion::mask_type::Constant(3, 2, true);
  mask(0, 0) = false;
  const matrix_completion q(0.1, target, 1, mask);
  state big{Eigen::MatrixXd::Zero(3, 1), Eigen::MatrixXd::Zero(2, 1)};
  big.X(0, 0) = 1e300;
  big.Y(0, 0) = 1e300;
  const state next = q.step(big);
  CHECK(next.X.allFinite());
  CHECK(next.Y.allFinite());
}
