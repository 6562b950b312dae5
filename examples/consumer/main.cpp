// Consumer smoke test: one certified GD run on rank-1 factorization through the installed headers.
#include <gdcert/gdcert.hpp>

#include <iostream>

int main() {
  const gdcert::rank1_factorization problem(0.5);
  const gdcert::factorization_certificate certificate(problem);
  gdcert::rank1_state<double> x{1.2, 0.3, 0.2, 0.1};
  double previous = certificate.state_parameter(x);
  for (int t = 0; t < 200; ++t) {
    x = problem.step(x);
    const double delta = certificate.state_parameter(x);
    if (delta < previous - 1e-14)
      return 1; // Proposition 2: δ_t is non-decreasing (up to rounding)
    previous = delta;
  }
  std::cout << "gdcert " << gdcert::version << ": loss " << problem.loss(x) << ", delta "
            << previous << '\n';
  return problem.loss(x) < 1e-12 ? 0 : 1;
}
