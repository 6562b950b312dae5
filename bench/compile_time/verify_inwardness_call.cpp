// Compile-time report: one rigorous (interval) proof of the boundary test of App. L.
#include <gdcert/analysis/rigorous_scan.hpp>
#include <gdcert/certificates/two_parameter.hpp>
#include <gdcert/problems/diagonal_approximation.hpp>

#include <cstdio>

int main() {
  const gdcert::diagonal_approximation problem(0.2, 0.2);
  const gdcert::two_parameter_certificate certificate(problem);
  gdcert::rigorous_options options;
  options.stationary_margin = 1e-3;
  const auto r =
      gdcert::verify_inwardness(problem, gdcert::certificate_level(certificate, 1.1, 3.3), options);
  std::printf("%zu\n", static_cast<std::size_t>(r.boxes));
}
