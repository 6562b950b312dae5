// Trajectories with recorded series (states, loss, δ_t, sharpness) and classify (outcome labels of
// one run, docs/formulas.md §4-6), for every problem.
#include "bound_certificate.hpp"
#include "common.hpp"
#include "problem_list.hpp"

#include <gdcert/analysis/classify.hpp>
#include <gdcert/analysis/iterate.hpp>

namespace gdcert::python {
namespace {

/// The largest trajectory a call records: 2^28 numbers (2 GiB), checked before allocating.
constexpr std::uint64_t max_recorded_values = std::uint64_t{1} << 28;

template <class P>
py::dict trajectory(const P& p, const array& x0, std::size_t steps, const py::object& certificate,
                    std::size_t stride, bool states, bool sharpness) {
  const states_view v = view_states(x0, p.dimension(), "x0");
  if (!v.single)
    throw invalid_parameter("x0 number of axes", "2", "1 (one initial state of shape (d,))");
  require_at_least("stride", static_cast<long long>(stride), 1);
  if (steps > (std::uint64_t{1} << 40))
    throw invalid_parameter("steps", std::to_string(steps), "<= 2^40");
  const std::size_t records = steps / stride + 1 + (steps % stride != 0);
  const auto d = static_cast<std::size_t>(p.dimension());
  const std::uint64_t values = records * (2 + (states ? d : 0) + (sharpness ? 1 : 0));
  if (values > max_recorded_values)
    throw invalid_parameter("recorded values (steps / stride + 1) x fields", std::to_string(values),
                            "<= 2^28 (raise stride)");
  std::vector<double> step_index, loss, delta, sharp, path;
  step_index.reserve(records);
  loss.reserve(records);
  auto x = state_at(p, v, 0);
  auto run = [&](auto&& state_parameter, bool has_delta) {
    py::gil_scoped_release release;
    auto record = [&](std::size_t t) {
      step_index.push_back(double(t));
      loss.push_back(double(p.loss(x)));
      if (has_delta)
        delta.push_back(double(state_parameter(x)));
      if (sharpness)
        sharp.push_back(double(gdcert::sharpness(p, x)));
      if (states) {
        const vector<double> c = p.coordinates(x);
        path.insert(path.end(), c.data(), c.data() + c.size());
      }
    };
    record(0);
    for (std::size_t t = 1; t <= steps; ++t) {
      x = p.step(x);
      if (t % stride == 0 || t == steps)
        record(t);
    }
  };
  with_certificate<P>(
      certificate, [&] { run([](const auto&) { return 0.0; }, false); },
      [&](const auto& c) { run([&](const auto& s) { return c.state_parameter(s); }, true); });
  py::dict out;
  const auto n = static_cast<py::ssize_t>(step_index.size());
  auto column = [&](const std::vector<double>& data) {
    py::array_t<double> a(n);
    std::memcpy(a.mutable_data(), data.data(), data.size() * sizeof(double));
    return a;
  };
  out["steps"] = column(step_index);
  out["loss"] = column(loss);
  out["delta"] = delta.empty() ? py::object(py::none()) : py::object(column(delta));
  out["sharpness"] = sharpness ? py::object(column(sharp)) : py::object(py::none());
  if (states) {
    py::array_t<double> a({n, static_cast<py::ssize_t>(d)});
    std::memcpy(a.mutable_data(), path.data(), path.size() * sizeof(double));
    out["states"] = a;
  } else {
    out["states"] = py::none();
  }
  out["final_state"] = to_array(p.coordinates(x));
  return out;
}

template <class P>
py::dict classification_dict(const P& p, const classification<P, double>& r) {
  py::dict out;
  out["label"] = r.label;
  out["decision_step"] = r.decision_step;
  out["steps"] = r.steps;
  out["final_state"] = to_array(p.coordinates(r.final_state));
  out["final_loss"] = r.final_loss;
  out["final_norm"] = r.final_norm;
  out["final_step"] = r.final_step;
  out["distance_to_minimizers"] = r.distance_to_minimizers;
  out["sharpness"] = r.sharpness;
  out["sharpness_ratio"] = r.sharpness_ratio;
  out["residual"] = r.residual ? py::object(py::float_(*r.residual)) : py::object(py::none());
  out["imbalance"] = r.imbalance ? py::object(py::float_(*r.imbalance)) : py::object(py::none());
  out["period"] = r.period;
  out["orbit"] = states_to_array(p, r.orbit);
  if (r.certificate) {
    const auto& t = *r.certificate;
    py::dict trace;
    trace["certificate_value"] = t.certificate_value;
    trace["certified"] = t.certified;
    trace["initial"] = t.initial;
    trace["final"] = t.final;
    trace["monotone"] = t.monotone;
    trace["first_violation_step"] = t.first_violation_step;
    trace["largest_decrease"] = t.largest_decrease;
    out["certificate"] = trace;
  } else {
    out["certificate"] = py::none();
  }
  return out;
}

template <class P>
py::dict classify_one(const P& p, const array& x0, const outcome_criteria& criteria,
                      const py::object& certificate) {
  const states_view v = view_states(x0, p.dimension(), "x0");
  if (!v.single)
    throw invalid_parameter("x0 number of axes", "2", "1 (one initial state of shape (d,))");
  criteria.validate();
  const auto x = state_at(p, v, 0);
  return with_certificate<P>(
      certificate,
      [&] {
        classification<P, double> r;
        {
          py::gil_scoped_release release;
          r = classify(p, x, criteria);
        }
        return classification_dict(p, r);
      },
      [&](const auto& c) {
        classification<P, double> r;
        {
          py::gil_scoped_release release;
          r = classify_certified(p, x, c, criteria);
        }
        return classification_dict(p, r);
      });
}

template <class P>
void bind_for(py::module_& m) {
  m.def("_trajectory", &trajectory<P>, py::arg("problem"), py::arg("x0"), py::arg("steps"),
        py::arg("certificate"), py::arg("stride"), py::arg("states"), py::arg("sharpness"));
  m.def("_classify", &classify_one<P>, py::arg("problem"), py::arg("x0"), py::arg("criteria"),
        py::arg("certificate"));
}

} // namespace

void bind_trajectories(py::module_& m) {
  py::enum_<outcome>(m, "Outcome", "Outcome labels of classify and sweep (analysis/outcome.hpp).")
      .value("undecided", outcome::undecided)
      .value("minimizer", outcome::minimizer)
      .value("saddle", outcome::saddle)
      .value("periodic", outcome::periodic)
      .value("diverged", outcome::diverged);

  py::class_<outcome_criteria>(m, "OutcomeCriteria",
                               "Rules that label a trajectory (analysis/classify.hpp): step limit, "
                               "escape norm, tolerances, periods, confirmation.")
      .def(py::init([](std::size_t max_steps, double escape_norm, double step_tolerance,
                       double distance_tolerance, double period_tolerance, double orbit_separation,
                       int max_period, std::size_t confirmation_steps) {
             outcome_criteria c;
             c.max_steps = max_steps;
             c.escape_norm = escape_norm;
             c.step_tolerance = step_tolerance;
             c.distance_tolerance = distance_tolerance;
             c.period_tolerance = period_tolerance;
             c.orbit_separation = orbit_separation;
             c.max_period = max_period;
             c.confirmation_steps = confirmation_steps;
             c.validate();
             return c;
           }),
           py::kw_only(), py::arg("max_steps") = 10000, py::arg("escape_norm") = 1e8,
           py::arg("step_tolerance") = 1e-10, py::arg("distance_tolerance") = 1e-6,
           py::arg("period_tolerance") = 1e-9, py::arg("orbit_separation") = 1e-5,
           py::arg("max_period") = 8, py::arg("confirmation_steps") = 32)
      .def_readonly("max_steps", &outcome_criteria::max_steps)
      .def_readonly("escape_norm", &outcome_criteria::escape_norm)
      .def_readonly("step_tolerance", &outcome_criteria::step_tolerance)
      .def_readonly("distance_tolerance", &outcome_criteria::distance_tolerance)
      .def_readonly("period_tolerance", &outcome_criteria::period_tolerance)
      .def_readonly("orbit_separation", &outcome_criteria::orbit_separation)
      .def_readonly("max_period", &outcome_criteria::max_period)
      .def_readonly("confirmation_steps", &outcome_criteria::confirmation_steps);

  for_each_problem([&]<class P>() { bind_for<P>(m); });
}

} // namespace gdcert::python
