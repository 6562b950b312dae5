// Compile-time report: a problem given by its loss alone (depth-3 scalar network ½(abc − 1)²,
// gradient and Hessian derived by nested jets) driven through classify and a lane sweep.
#include <gdcert/analysis/classify.hpp>
#include <gdcert/analysis/sweep.hpp>
#include <gdcert/problems/loss_problem.hpp>

#include <array>
#include <cstdio>

int main() {
  const auto problem = gdcert::from_loss<3>(
      0.5,
      [](const auto& x) {
        const auto r = x[0] * x[1] * x[2] - 1;
        return 0.5 * r * r;
      },
      {.minimum_loss = 0.0});
  const auto one = gdcert::classify(problem, std::array<double, 3>{1.2, 0.8, 1.1});
  const auto plane = gdcert::coordinate_plane(problem, std::array<double, 3>{1, 1, 1}, 0,
                                              {0.1, 2, 16}, 1, {0.1, 2, 16});
  const auto many = gdcert::sweep(problem, plane);
  std::printf("%d %zu\n", static_cast<int>(one.label), many.useful_steps);
}
