// Dynamics and stability: the quotient map F of ℓ2-regularized factorization [LM], the balanced
// 2-cycle {L₋, L₊} and its multiplier (docs/formulas.md §5-7), and periodic orbits by Newton's
// method with their multipliers (stability/periodic_orbit.hpp).
#include "common.hpp"
#include "problem_list.hpp"

#include <gdcert/dynamics/quotient_map.hpp>
#include <gdcert/dynamics/residual_map.hpp>
#include <gdcert/dynamics/terminal.hpp>
#include <gdcert/stability/periodic_orbit.hpp>

namespace gdcert::python {
namespace {

/// The quotient plane (z, w) seen as a two-coordinate "problem" for per_point: points are the
/// rows of an (N, 2) array.
struct quotient_plane {
  const quotient_map* map;
  [[nodiscard]] static Eigen::Index dimension() { return 2; }
  template <class T>
  [[nodiscard]] quotient_point<T> from_coordinates(const vector<T>& c) const {
    return {c(0), c(1)};
  }
  template <class T>
  [[nodiscard]] vector<T> coordinates(const quotient_point<T>& x) const {
    vector<T> c(2);
    c << x.z, x.w;
    return c;
  }
};

template <class P>
py::dict orbit_of(const P& p, const array& start, int period, int max_iterations, double tolerance,
                  double escape_norm) {
  const states_view v = view_states(start, p.dimension(), "start");
  if (!v.single)
    throw invalid_parameter("start number of axes", "2", "1 (one state of shape (d,))");
  require_extent("period", period, 1, 64);
  orbit_options options;
  options.max_iterations = max_iterations;
  options.tolerance = tolerance;
  options.escape_norm = escape_norm;
  options.validate();
  const auto x = state_at(p, v, 0);
  periodic_orbit<P, double> orbit;
  {
    py::gil_scoped_release release;
    orbit = find_periodic_orbit(p, x, period, options);
  }
  py::dict out;
  out["points"] = states_to_array(p, orbit.points);
  out["period"] = orbit.period;
  out["minimal_period"] = orbit.minimal_period;
  out["status"] = std::string(to_string(orbit.status));
  out["converged"] = orbit.converged();
  out["iterations"] = orbit.iterations;
  out["residual"] = orbit.residual;
  out["newton_rank"] = orbit.newton_rank;
  py::array_t<std::complex<double>> multipliers(orbit.spectrum.multipliers.size());
  for (Eigen::Index i = 0; i < orbit.spectrum.multipliers.size(); ++i)
    multipliers.mutable_data()[i] = orbit.spectrum.multipliers(i);
  out["multipliers"] = multipliers;
  out["spectral_radius"] = orbit.spectrum.spectral_radius;
  out["stability"] = std::string(to_string(orbit.spectrum.stability));
  py::array_t<double> monodromy({orbit.monodromy.rows(), orbit.monodromy.cols()});
  for (Eigen::Index i = 0; i < orbit.monodromy.rows(); ++i)
    for (Eigen::Index j = 0; j < orbit.monodromy.cols(); ++j)
      monodromy.mutable_at(i, j) = orbit.monodromy(i, j);
  out["monodromy"] = monodromy;
  return out;
}

template <class P>
void bind_orbit(py::module_& m) {
  m.def("_find_periodic_orbit", &orbit_of<P>, py::arg("problem"), py::arg("start"),
        py::arg("period"), py::arg("max_iterations"), py::arg("tolerance"), py::arg("escape_norm"));
}

} // namespace

void bind_dynamics(py::module_& m) {
  py::class_<quotient_map>(m, "QuotientMap",
                           "The quotient map F(z, w) of ℓ2-regularized scalar factorization "
                           "[LM App. D]: (z, w) = (⟨u, v⟩ − y, ‖u‖² + ‖v‖²) (docs/formulas.md §7).")
      .def(py::init<const regularized_factorization&>(), py::arg("problem"))
      .def_property_readonly("eta", &quotient_map::step_size)
      .def_property_readonly("y", &quotient_map::target)
      .def_property_readonly("lam", &quotient_map::regularization)
      .def(
          "__call__",
          [](const quotient_map& f, const array& zw) {
            const quotient_plane plane{&f};
            return per_point(plane, zw, [&](const auto& x) { return f(x); });
          },
          py::arg("zw"), "F(z, w) of one point (2,) or of each row of an (N, 2) array.")
      .def(
          "iterate",
          [](const quotient_map& f, const array& zw, std::size_t steps) {
            const quotient_plane plane{&f};
            return per_point(plane, zw, [&](auto x) {
              for (std::size_t t = 0; t < steps; ++t)
                x = f(x);
              return x;
            });
          },
          py::arg("zw"), py::arg("steps"), "F applied `steps` times to every point.")
      .def(
          "quotient",
          [](const quotient_map& f, const regularized_factorization& p, const array& x) {
            const states_view v = view_states(x, p.dimension());
            std::vector<py::ssize_t> shape = result_shape(v, 2);
            py::array_t<double> out(shape);
            for (std::size_t i = 0; i < v.count; ++i) {
              const auto q = f.quotient(state_at(p, v, i));
              out.mutable_data()[2 * i] = q.z;
              out.mutable_data()[2 * i + 1] = q.w;
            }
            return out;
          },
          py::arg("problem"), py::arg("x"),
          "T(u, v) = (⟨u, v⟩ − y, ‖u‖² + ‖v‖²) of states of `problem`: (2,) or (N, 2).")
      .def(
          "jacobian_determinant",
          [](const quotient_map& f, const array& zw) {
            const quotient_plane plane{&f};
            return per_point(plane, zw, [&](const auto& x) { return f.jacobian_determinant(x); });
          },
          py::arg("zw"), "det DF(z, w), factored.")
      .def(
          "in_state_space",
          [](const quotient_map& f, const array& zw) {
            const quotient_plane plane{&f};
            return per_point_double(plane, zw,
                                    [&](const auto& x) { return f.in_state_space(x) ? 1.0 : 0.0; });
          },
          py::arg("zw"), "1 where w >= 2|z + y| (the image of the state space), else 0.")
      .def_property_readonly("minimizer_image",
                             [](const quotient_map& f) {
                               const auto p = f.minimizer_image();
                               return py::make_tuple(p.z, p.w);
                             })
      .def_property_readonly("origin_image", [](const quotient_map& f) {
        const auto p = f.origin_image();
        return py::make_tuple(p.z, p.w);
      });

  m.def(
      "balanced_two_cycle",
      [](double eta) {
        const two_cycle c = balanced_two_cycle(eta);
        return py::make_tuple(c.lower, c.upper);
      },
      py::arg("eta"), "(L₋, L₊) of g_η for η ∈ (1, 2) (182-184).");
  m.def("two_cycle_multiplier", &two_cycle_multiplier, py::arg("eta"),
        "μ_η = 7 − 4η − 2η² (182-184): the 2-cycle attracts iff 1 < η < √5 − 1.");
  m.def("two_cycle_attracting", &two_cycle_attracting, py::arg("eta"));
  m.def(
      "balanced_two_cycle_sharpness",
      [](double eta) {
        const two_cycle_sharpness s = balanced_two_cycle_sharpness(eta);
        return py::make_tuple(s.at_lower, s.at_upper);
      },
      py::arg("eta"), "(S₋, S₊) = (2 − 3L₋, 2 − 3L₊) (185-189).");
  m.def(
      "balanced_residual_map",
      [](double eta, double residual) { return balanced_residual_map(eta, residual); },
      py::arg("eta"), py::arg("residual"), "g_η(L) on the balanced manifold (172).");

  for_each_problem([&]<class P>() { bind_orbit<P>(m); });
}

} // namespace gdcert::python
