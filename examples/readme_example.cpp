// The README's example: GD on rank-1 factorization from a certified point; δ_t never decreases.
#include <gdcert/gdcert.hpp>

#include <cstdio>

int main() {
  const double eta = 0.8;
  const gdcert::rank1_factorization problem(eta); // X = diag(1, 0), GD map (14)
  const gdcert::factorization_certificate certificate(problem);
  gdcert::rank1_factorization::state<double> x{0.9, -0.4, 0.3, 0.2}; // (a, b, u, v)
  std::printf("I_fac(eta; x0) = %.4f < 0: certified\n", certificate(eta, x));
  for (int t = 0; t <= 30; ++t, x = problem.step(x))
    std::printf("t = %2d   delta_t = %.6f   loss = %.3e\n", t, certificate.state_parameter(x),
                problem.loss(x));
}
