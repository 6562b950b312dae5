// Compile-time report: a user-defined problem (depth-3 scalar network ½(abc − 1)², gradient and
// Hessian by hand) driven through classify and a lane sweep; with GDCERT_REPORT_PERIODIC_ORBIT
// defined, also through the periodic-orbit solver (Newton, multipliers).
#include <gdcert/analysis/classify.hpp>
#include <gdcert/analysis/sweep.hpp>
#include <gdcert/problems/problem.hpp>

#include <cmath>
#include <cstdio>

struct depth3 : gdcert::gradient_descent_map<depth3> {
  template <class T>
  struct state {
    T a, b, c;
  };
  double eta;
  explicit depth3(double step) : eta(step) {}
  [[nodiscard]] double step_size() const { return eta; }
  [[nodiscard]] Eigen::Index dimension() const { return 3; }
  template <class T>
  [[nodiscard]] T loss(const state<T>& x) const {
    const T r = x.a * x.b * x.c - gdcert::constant<T>(1.0);
    return gdcert::constant<T>(0.5) * r * r;
  }
  template <class T>
  [[nodiscard]] state<T> gradient(const state<T>& x) const {
    const T r = x.a * x.b * x.c - gdcert::constant<T>(1.0);
    return {r * x.b * x.c, r * x.a * x.c, r * x.a * x.b};
  }
  template <class T>
  [[nodiscard]] state<T> step(const state<T>& x) const {
    const state<T> g = gradient(x);
    const T e = gdcert::constant<T>(eta);
    return {x.a - e * g.a, x.b - e * g.b, x.c - e * g.c};
  }
  template <class T>
  [[nodiscard]] gdcert::matrix<T> hessian(const state<T>& x) const {
    const T r = x.a * x.b * x.c - gdcert::constant<T>(1.0);
    gdcert::matrix<T> h(3, 3);
    h(0, 0) = x.b * x.c * x.b * x.c;
    h(1, 1) = x.a * x.c * x.a * x.c;
    h(2, 2) = x.a * x.b * x.a * x.b;
    h(0, 1) = h(1, 0) = x.a * x.b * x.c * x.c + r * x.c;
    h(0, 2) = h(2, 0) = x.a * x.b * x.b * x.c + r * x.b;
    h(1, 2) = h(2, 1) = x.a * x.a * x.b * x.c + r * x.a;
    return h;
  }
  template <class T>
  [[nodiscard]] gdcert::vector<T> coordinates(const state<T>& x) const {
    gdcert::vector<T> v(3);
    v << x.a, x.b, x.c;
    return v;
  }
  template <class T>
  [[nodiscard]] state<T> from_coordinates(const gdcert::vector<T>& v) const {
    return {v(0), v(1), v(2)};
  }
  template <class Real>
  [[nodiscard]] bool is_minimizer(const state<Real>& x, double tolerance) const {
    return std::abs(x.a * x.b * x.c - 1) <= tolerance;
  }
  template <class Real>
  [[nodiscard]] bool is_stationary(const state<Real>& x, double tolerance) const {
    return coordinates(gradient(x)).norm() <= tolerance;
  }
};

int main() {
  const depth3 problem(0.5);
  const auto one = gdcert::classify(problem, depth3::state<double>{1.2, 0.8, 1.1});
  const auto plane = gdcert::coordinate_plane(problem, depth3::state<double>{1, 1, 1}, 0,
                                              {0.1, 2, 16}, 1, {0.1, 2, 16});
  const auto many = gdcert::sweep(problem, plane);
  std::printf("%d %zu\n", static_cast<int>(one.label), many.useful_steps);
#ifdef GDCERT_REPORT_PERIODIC_ORBIT
  const auto orbit = gdcert::find_periodic_orbit(problem, depth3::state<double>{1.3, 1.3, 0.5}, 2);
  std::printf("%d %g\n", orbit.iterations, orbit.spectrum.spectral_radius);
#endif
}
