// Matrix-scale GD steps allocate nothing in the steady state (issue #24): every operator new is
// counted, and Eigen's own allocations are counted through its EIGEN_RUNTIME_NO_MALLOC hook
// (this executable defines both, so it is built apart from the suite).
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace {
std::atomic<long> allocations{0};
std::atomic<bool> eigen_allocated{false};
} // namespace

// Eigen calls eigen_assert(is_malloc_allowed()) in every allocation when EIGEN_RUNTIME_NO_MALLOC
// is defined: record instead of aborting.
#define EIGEN_RUNTIME_NO_MALLOC
#define eigen_assert(condition)                                                                    \
  do {                                                                                             \
    if (!(condition))                                                                              \
      eigen_allocated = true;                                                                      \
  } while (false)

void* operator new(std::size_t size) {
  ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size))
    return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  return operator new(size);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}

#include <gdcert/analysis/iterate.hpp>
#include <gdcert/problems/matrix_completion.hpp>
#include <gdcert/problems/matrix_factorization.hpp>
#include <gdcert/problems/matrix_sensing.hpp>

#include <catch2/catch.hpp>

using namespace gdcert;

namespace {
/// Allocations (operator new, and whether Eigen allocated) while `run` runs.
template <class Run>
long allocations_during(Run&& run, bool& eigen) {
  eigen_allocated = false;
  Eigen::internal::set_is_malloc_allowed(false);
  const long before = allocations;
  run();
  const long after = allocations;
  Eigen::internal::set_is_malloc_allowed(true);
  eigen = eigen_allocated;
  return after - before;
}
} // namespace

TEST_CASE("matrix_factorization step_in_place allocates nothing after its workspace, on one thread "
          "and on several",
          "[allocation][matrix]") {
  // 6 × 100 (Wang et al. Figs 8-10) runs on the caller alone; 400 × 300, r = 10 on the team;
  // 150 × 130, r = 40 in the blocked kernel (r >= residual_forces::blocked_rank).
  for (const auto& [m, n, r] :
       {std::tuple{6, 100, 6}, std::tuple{400, 300, 10}, std::tuple{150, 130, 40}}) {
    const Eigen::MatrixXd target = Eigen::MatrixXd::Random(m, n);
    const matrix_factorization p(1e-3, target, r);
    matrix_factorization::state<double> x{0.1 * Eigen::MatrixXd::Random(n, r),
                                          0.1 * Eigen::MatrixXd::Random(m, r)};
    for (const unsigned threads : {1u, 2u}) {
      auto w = p.make_workspace(threads);
      p.step_in_place(x, w); // first call: nothing is allocated lazily, but warm up anyway
      bool eigen = true;
      const long count = allocations_during(
          [&] {
            for (int t = 0; t < 20; ++t)
              p.step_in_place(x, w);
          },
          eigen);
      INFO("m = " << m << ", n = " << n << ", r = " << r << ", threads = " << threads);
      CHECK(count == 0);
      CHECK_FALSE(eigen);
    }
  }
}

TEST_CASE("iterate over matrix_factorization allocates the same for 10 and for 200 steps (its "
          "workspace only)",
          "[allocation][matrix]") {
  const matrix_factorization p(1e-3, Eigen::MatrixXd::Random(120, 90), 5);
  matrix_factorization::state<double> x{0.1 * Eigen::MatrixXd::Random(90, 5),
                                        0.1 * Eigen::MatrixXd::Random(120, 5)};
  long counts[2];
  int k = 0;
  for (const std::size_t steps : {std::size_t{10}, std::size_t{200}}) {
    allocations = 0;
    (void)iterate(p, x, steps);
    counts[k++] = allocations;
  }
  CHECK(counts[0] == counts[1]);
}

TEST_CASE("matrix_sensing and matrix_completion step_in_place allocate nothing after their "
          "workspace",
          "[allocation][matrix]") {
  const auto sensing = matrix_sensing::wang_figure13(1e-4, 3);
  matrix_sensing::state<double> x{0.1 * Eigen::MatrixXd::Random(100, 6),
                                  0.1 * Eigen::MatrixXd::Random(100, 6)};
  auto w = sensing.make_workspace();
  sensing.step_in_place(x, w);
  bool eigen = true;
  CHECK(allocations_during(
            [&] {
              for (int t = 0; t < 10; ++t)
                sensing.step_in_place(x, w);
            },
            eigen) == 0);
  CHECK_FALSE(eigen);
  for (const auto& [rows, columns, r] :
       {std::tuple{10, 10, 2}, std::tuple{300, 250, 8}, std::tuple{90, 140, 33}}) {
    const auto completion = matrix_completion::random_low_rank(1e-3, rows, columns, 2, r, 0.6, 5);
    matrix_completion::state<double> y{0.1 * Eigen::MatrixXd::Random(rows, r),
                                       0.1 * Eigen::MatrixXd::Random(columns, r)};
    for (const unsigned threads : {1u, 2u}) {
      auto v = completion.make_workspace(threads);
      completion.step_in_place(y, v);
      INFO("completion " << rows << " x " << columns << ", r = " << r << ", threads = " << threads);
      CHECK(allocations_during(
                [&] {
                  for (int t = 0; t < 10; ++t)
                    completion.step_in_place(y, v);
                },
                eigen) == 0);
      CHECK_FALSE(eigen);
    }
  }
}
