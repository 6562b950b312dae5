// Compile-time report: one certified basin sweep of the rank-1 factorization map (lanes<4>, threads).
#include <gdcert/analysis/sweep.hpp>
#include <gdcert/certificates/factorization.hpp>
#include <gdcert/problems/rank1_factorization.hpp>

#include <cstdio>

int main() {
  const gdcert::rank1_factorization problem(0.8);
  const gdcert::factorization_certificate certificate(problem);
  const auto plane =
      gdcert::coordinate_plane(problem, gdcert::rank1_factorization::state<double>{1, 1, 0.1, 0.1},
                               0, {-2, 2, 16}, 1, {-2, 2, 16});
  const auto result = gdcert::sweep(problem, plane, {}, {}, certificate);
  std::printf("%zu\n", result.useful_steps);
}
