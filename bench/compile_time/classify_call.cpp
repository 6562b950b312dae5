// Compile-time report: one classify call on the rank-1 factorization map (periodic outcomes refined).
#include <gdcert/analysis/classify.hpp>
#include <gdcert/problems/rank1_factorization.hpp>

#include <cstdio>

int main() {
  const gdcert::rank1_factorization problem(0.8);
  const auto result =
      gdcert::classify(problem, gdcert::rank1_factorization::state<double>{0.9, -0.4, 0.3, 0.2});
  std::printf("%d\n", static_cast<int>(result.label));
}
