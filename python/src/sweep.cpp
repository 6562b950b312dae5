// Basin sweeps (analysis/sweep.hpp): planes of initial points, the sweep engine on the library's
// threads and lane packs, and its result as NumPy arrays that view the C++ vectors (no copies).
#include "bound_certificate.hpp"
#include "common.hpp"
#include "problem_list.hpp"

#include <gdcert/analysis/sweep.hpp>

#include <memory>

namespace gdcert::python {
namespace {

/// Lane width of the sweeps: 16 lanes (four sub-packs of lanes<4>, as the main example) for the
/// problems whose state is a few scalars; 4 for vector states, whose lane packs allocate.
template <class P>
constexpr int sweep_width =
    std::is_same_v<P, scalar_factorization> || std::is_same_v<P, quartic_factorization> ||
            std::is_same_v<P, rank1_factorization> || std::is_same_v<P, diagonal_approximation>
        ? 16
        : 4;

grid_axis axis_from(const py::object& a, const char* name) {
  if (py::isinstance<grid_axis>(a))
    return a.cast<grid_axis>();
  const auto t = a.cast<py::sequence>();
  if (py::len(t) != 3)
    throw invalid_parameter(name, std::to_string(py::len(t)) + " values",
                            "(lower, upper, resolution) or a GridAxis");
  const long long resolution = t[2].cast<long long>();
  if (resolution < 1)
    throw invalid_parameter(std::string(name) + ".resolution", std::to_string(resolution), ">= 1");
  grid_axis axis{t[0].cast<double>(), t[1].cast<double>(), static_cast<std::size_t>(resolution)};
  axis.validate(name);
  return axis;
}

template <class P>
sweep_plane make_coordinate_plane(const P& p, const array& base, Eigen::Index first,
                                  const py::object& x_axis, Eigen::Index second,
                                  const py::object& y_axis) {
  const states_view v = view_states(base, p.dimension(), "base");
  if (!v.single)
    throw invalid_parameter("base number of axes", "2", "1 (one state of shape (d,))");
  return coordinate_plane(p, state_at(p, v, 0), first, axis_from(x_axis, "x_axis"), second,
                          axis_from(y_axis, "y_axis"));
}

template <class P>
sweep_plane make_random_plane(const P& p, const array& centre, std::uint64_t seed,
                              const py::object& x_axis, const py::object& y_axis) {
  const states_view v = view_states(centre, p.dimension(), "centre");
  if (!v.single)
    throw invalid_parameter("centre number of axes", "2", "1 (one state of shape (d,))");
  return random_plane(p, state_at(p, v, 0), seed, axis_from(x_axis, "x_axis"),
                      axis_from(y_axis, "y_axis"));
}

template <class P>
std::shared_ptr<sweep_result> run_sweep(const P& p, const sweep_plane& plane,
                                        const sweep_options& options, const py::object& certificate,
                                        unsigned threads, bool progress, std::size_t tile) {
  const execution_policy policy = policy_from(threads, progress, tile);
  constexpr int W = sweep_width<P>;
  return with_certificate<P>(
      certificate,
      [&] {
        return run_interruptible(policy, [&](const execution_policy& policy) {
          return std::make_shared<sweep_result>(sweep<W>(p, plane, options, policy));
        });
      },
      [&](const auto& c) {
        return run_interruptible(policy, [&](const execution_policy& policy) {
          return std::make_shared<sweep_result>(sweep<W>(p, plane, options, policy, c));
        });
      });
}

template <class P>
void bind_for(py::module_& m) {
  m.def("coordinate_plane", &make_coordinate_plane<P>, py::arg("problem"), py::arg("base"),
        py::arg("first"), py::arg("x_axis"), py::arg("second"), py::arg("y_axis"),
        "The plane of coordinates `first` (columns, x) and `second` (rows, y) through `base`; "
        "axes are (lower, upper, resolution).");
  m.def("random_plane", &make_random_plane<P>, py::arg("problem"), py::arg("centre"),
        py::arg("seed"), py::arg("x_axis"), py::arg("y_axis"),
        "A random 2-plane through `centre` (orthonormal Gaussian directions from `seed`).");
  m.def("_sweep", &run_sweep<P>, py::arg("problem"), py::arg("plane"), py::arg("options"),
        py::arg("certificate"), py::arg("threads"), py::arg("progress"), py::arg("tile"));
}

/// A read-only view of `data` shaped `shape`, with element type `dtype`, owned by `self`.
template <class T>
py::array view(const py::object& self, const std::vector<T>& data, std::vector<py::ssize_t> shape,
               const py::dtype& dtype) {
  py::array result(dtype, std::move(shape), {}, static_cast<const void*>(data.data()), self);
  py::detail::array_proxy(result.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return result;
}

std::vector<py::ssize_t> grid_shape(const sweep_result& r) {
  return {static_cast<py::ssize_t>(r.rows()), static_cast<py::ssize_t>(r.columns())};
}

py::array axis_values(const grid_axis& a) {
  py::array_t<double> out(static_cast<py::ssize_t>(a.resolution));
  for (std::size_t k = 0; k < a.resolution; ++k)
    out.mutable_data()[k] = a.value(k);
  return out;
}

} // namespace

void bind_sweep(py::module_& m) {
  py::class_<grid_axis>(m, "GridAxis",
                        "`resolution` equally spaced values from lower to upper, both included; "
                        "a symmetric interval gives an exactly antisymmetric grid.")
      .def(py::init([](double lower, double upper, std::size_t resolution) {
             grid_axis a{lower, upper, resolution};
             a.validate("axis");
             return a;
           }),
           py::arg("lower"), py::arg("upper"), py::arg("resolution"))
      .def_readonly("lower", &grid_axis::lower)
      .def_readonly("upper", &grid_axis::upper)
      .def_readonly("resolution", &grid_axis::resolution)
      .def_property_readonly("values", &axis_values);

  py::class_<sweep_plane>(m, "SweepPlane",
                          "The affine plane of initial points of a sweep: point (row, column) "
                          "has x_axis value `column` and y_axis value `row`.")
      .def_property_readonly("x_axis", [](const sweep_plane& p) { return p.first; })
      .def_property_readonly("y_axis", [](const sweep_plane& p) { return p.second; })
      .def_property_readonly("origin", [](const sweep_plane& p) { return to_array(p.origin); })
      .def_property_readonly("first_index", [](const sweep_plane& p) { return p.first_index; })
      .def_property_readonly("second_index", [](const sweep_plane& p) { return p.second_index; })
      .def_property_readonly("seed", [](const sweep_plane& p) { return p.seed; })
      .def_property_readonly(
          "shape", [](const sweep_plane& p) { return py::make_tuple(p.rows(), p.columns()); })
      .def(
          "points",
          [](const sweep_plane& p) {
            py::array_t<double> out({static_cast<py::ssize_t>(p.rows()),
                                     static_cast<py::ssize_t>(p.columns()),
                                     static_cast<py::ssize_t>(p.origin.size())});
            vector<double> x(p.origin.size());
            for (std::size_t i = 0; i < p.size(); ++i) {
              p.point(i, x);
              std::memcpy(out.mutable_data() + i * std::size_t(x.size()), x.data(),
                          std::size_t(x.size()) * sizeof(double));
            }
            return out;
          },
          "The initial states, shape (rows, columns, d).");

  py::class_<sweep_options>(m, "SweepOptions", "How a sweep runs (analysis/sweep.hpp).")
      .def(py::init([](const outcome_criteria& criteria, std::size_t check_interval,
                       std::size_t first_check, bool flush_subnormals, bool keep_final_states,
                       bool track_state_parameter) {
             sweep_options o;
             o.criteria = criteria;
             o.check_interval = check_interval;
             o.first_check = first_check;
             o.flush_subnormals = flush_subnormals;
             o.keep_final_states = keep_final_states;
             o.track_state_parameter = track_state_parameter;
             o.validate();
             return o;
           }),
           py::kw_only(), py::arg("criteria") = outcome_criteria{}, py::arg("check_interval") = 128,
           py::arg("first_check") = 128, py::arg("flush_subnormals") = true,
           py::arg("keep_final_states") = false, py::arg("track_state_parameter") = false)
      .def_readonly("criteria", &sweep_options::criteria)
      .def_readonly("check_interval", &sweep_options::check_interval)
      .def_readonly("first_check", &sweep_options::first_check)
      .def_readonly("keep_final_states", &sweep_options::keep_final_states)
      .def_readonly("track_state_parameter", &sweep_options::track_state_parameter);

  using result = sweep_result;
  py::class_<result, std::shared_ptr<result>>(
      m, "SweepResult",
      "Per-point results of a sweep as (rows, columns) arrays viewing the C++ result (read-only, "
      "no copies): row j is y_axis value j, column i is x_axis value i.")
      .def_property_readonly("shape",
                             [](const result& r) { return py::make_tuple(r.rows(), r.columns()); })
      .def_property_readonly("plane", [](const result& r) { return r.plane; })
      .def_property_readonly("eta", [](const result& r) { return r.step_size; })
      .def_property_readonly(
          "x", [](const result& r) { return axis_values(r.plane.first); },
          "The x_axis values (columns).")
      .def_property_readonly(
          "y", [](const result& r) { return axis_values(r.plane.second); },
          "The y_axis values (rows).")
      .def_property_readonly(
          "labels",
          [](const py::object& self) {
            const auto& r = self.cast<const result&>();
            return view(self, r.outcomes, grid_shape(r), py::dtype::of<std::uint8_t>());
          },
          "Outcome codes (uint8): 0 undecided, 1 minimizer, 2 saddle, 3 periodic, 4 diverged.")
      .def_property_readonly("decision_steps",
                             [](const py::object& self) {
                               const auto& r = self.cast<const result&>();
                               return view(self, r.decision_steps, grid_shape(r),
                                           py::dtype::of<std::uint64_t>());
                             })
      .def_property_readonly("periods",
                             [](const py::object& self) {
                               const auto& r = self.cast<const result&>();
                               return view(self, r.periods, grid_shape(r),
                                           py::dtype::of<std::uint8_t>());
                             })
      .def_property_readonly("final_loss",
                             [](const py::object& self) {
                               const auto& r = self.cast<const result&>();
                               return view(self, r.final_loss, grid_shape(r),
                                           py::dtype::of<double>());
                             })
      .def_property_readonly("final_state_parameter",
                             [](const py::object& self) {
                               const auto& r = self.cast<const result&>();
                               return view(self, r.final_state_parameter, grid_shape(r),
                                           py::dtype::of<double>());
                             })
      .def_property_readonly("final_sharpness",
                             [](const py::object& self) {
                               const auto& r = self.cast<const result&>();
                               return view(self, r.final_sharpness, grid_shape(r),
                                           py::dtype::of<double>());
                             })
      .def_property_readonly(
          "overlay",
          [](const py::object& self) {
            const auto& r = self.cast<const result&>();
            return view(self, r.overlay, grid_shape(r), py::dtype::of<double>());
          },
          "I(η; x₀) of the certificate (negative: certified); NaN without one.")
      .def_property_readonly(
          "state_parameter_drop",
          [](const py::object& self) -> py::object {
            const auto& r = self.cast<const result&>();
            if (r.state_parameter_drop.empty())
              return py::none();
            return view(self, r.state_parameter_drop, grid_shape(r), py::dtype::of<double>());
          },
          "With track_state_parameter: max over steps of δ_t − δ_{t+1} (<= 0: Proposition 2).")
      .def_property_readonly(
          "final_states",
          [](const py::object& self) -> py::object {
            const auto& r = self.cast<const result&>();
            if (r.final_states.empty())
              return py::none();
            auto shape = grid_shape(r);
            shape.push_back(static_cast<py::ssize_t>(r.dimension));
            return view(self, r.final_states, shape, py::dtype::of<double>());
          },
          "With keep_final_states: (rows, columns, d) final coordinates.")
      .def_property_readonly("finished",
                             [](const py::object& self) {
                               const auto& r = self.cast<const result&>();
                               return view(self, r.finished, grid_shape(r),
                                           py::dtype::of<std::uint8_t>());
                             })
      .def_readonly("partial", &result::partial)
      .def_readonly("has_certificate", &result::has_certificate)
      .def_readonly("useful_steps", &result::useful_steps)
      .def_readonly("executed_lane_steps", &result::executed_lane_steps)
      .def_property_readonly("counts", [](const result& r) {
        py::dict d;
        const auto c = r.counts();
        for (int o = 0; o < outcome_count; ++o)
          d[py::str(std::string(to_string(static_cast<outcome>(o))))] = c[std::size_t(o)];
        return d;
      });

  for_each_problem([&]<class P>() { bind_for<P>(m); });
}

} // namespace gdcert::python
