// The C++ side of python/bench/figure4_speed.py: the Figure 4 data (20 panels of N × N, T = 400,
// certified overlay) through gdcert::sweep<16>, built with the Python module's flags. Prints the
// best of `repeats` wall times of the 20 sweeps and the label counts (to compare with Python).
#include <gdcert/analysis/sweep.hpp>
#include <gdcert/certificates/factorization.hpp>
#include <gdcert/problems/rank1_factorization.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 200;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
  if (n < 2 || repeats < 1) {
    std::fprintf(stderr, "usage: figure4_sweep_cpp [resolution >= 2] [repeats >= 1]\n");
    return 2;
  }
  const std::array<std::array<double, 2>, 5> off_signal{
      {{0.2, 0.2}, {0.6, 0.6}, {1.0, 1.0}, {1.4, 1.4}, {2.0, 0.0}}};
  const std::array<double, 4> step_sizes{0.2, 0.4, 0.8, 1.2};
  gdcert::sweep_options options;
  options.criteria.max_steps = 400;
  options.criteria.escape_norm = 1e6;
  gdcert::execution_policy policy;
  policy.progress = false;
  double best = 1e300;
  std::size_t minimizers = 0, certified = 0;
  for (int r = 0; r < repeats; ++r) {
    minimizers = certified = 0;
    const auto start = std::chrono::steady_clock::now();
    for (const double eta : step_sizes)
      for (const auto& uv : off_signal) {
        const gdcert::rank1_factorization problem(eta);
        const gdcert::factorization_certificate certificate(problem);
        const gdcert::grid_axis axis{-2.5, 2.5, n};
        const auto plane = gdcert::coordinate_plane(
            problem, gdcert::rank1_factorization::state<double>{0, 0, uv[0], uv[1]}, 0, axis, 1,
            axis);
        const gdcert::sweep_result result =
            gdcert::sweep<16>(problem, plane, options, policy, certificate);
        minimizers += result.counts()[static_cast<std::size_t>(gdcert::outcome::minimizer)];
        for (std::size_t i = 0; i < result.size(); ++i)
          certified += result.certified(i);
      }
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::printf("{\"seconds\": %.6f, \"resolution\": %zu, \"minimizers\": %zu, \"certified\": %zu}\n",
              best, n, minimizers, certified);
}
