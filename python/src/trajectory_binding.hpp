// The trajectory and classify engines of one problem as the module's _trajectory and _classify
// overloads (python/gdcert/_results.py wraps them): python/src/trajectories.cpp registers them for
// the eight problems, python/src/matrix.cpp for matrix sensing and completion.
#pragma once

#include "bound_certificate.hpp"
#include "common.hpp"
#include "factor_states.hpp"

#include <gdcert/analysis/classify.hpp>
#include <gdcert/analysis/iterate.hpp>
#include <gdcert/stability/hessian_spectrum.hpp> // sharpness of the matrix problems by Lanczos

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace gdcert::python {

/// The largest trajectory a call records: 2^28 numbers (2 GiB), checked before allocating.
inline constexpr std::uint64_t max_recorded_values = std::uint64_t{1} << 28;

/// `steps` GD steps from x0 (the problem's own in-place step where it has one: the same bits as
/// `step`), recording every `stride` steps and at the last the step index, the loss, δ_t (with a
/// certificate), the sharpness (gdcert::sharpness: matrix-free above dense_sharpness_limit), the
/// states, and for the matrix problems the Frobenius norms of the two factors.
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
  constexpr bool factored = matrix_problem<P>;
  const std::uint64_t values =
      records * (2 + (states ? d : 0) + (sharpness ? 1 : 0) + (factored ? 2 : 0));
  if (values > max_recorded_values)
    throw invalid_parameter("recorded values (steps / stride + 1) x fields", std::to_string(values),
                            "<= 2^28 (raise stride)");
  std::vector<double> step_index, loss, delta, sharp, path, norms;
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
      if constexpr (factored) {
        const auto [first, second] = factors_of(x);
        norms.push_back(first.norm());
        norms.push_back(second.norm());
      }
    };
    auto workspace = make_step_workspace(p, x);
    record(0);
    for (std::size_t t = 1; t <= steps; ++t) {
      advance(p, x, workspace);
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
  if constexpr (factored) {
    py::array_t<double> a({n, py::ssize_t{2}});
    std::memcpy(a.mutable_data(), norms.data(), norms.size() * sizeof(double));
    out["factor_norms"] = a;
  } else {
    out["factor_norms"] = py::none();
  }
  out["final_state"] = to_array(p.coordinates(x));
  return out;
}

/// The fields of Classification (python/gdcert/_results.py).
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

/// classify (or classify_certified with a certificate) from one initial state x0 (d,).
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

/// Registers the overloads of _trajectory and _classify for the problem P.
template <class P>
void bind_trajectory_engines(py::module_& m) {
  m.def("_trajectory", &trajectory<P>, py::arg("problem"), py::arg("x0"), py::arg("steps"),
        py::arg("certificate"), py::arg("stride"), py::arg("states"), py::arg("sharpness"));
  m.def("_classify", &classify_one<P>, py::arg("problem"), py::arg("x0"), py::arg("criteria"),
        py::arg("certificate"));
}

} // namespace gdcert::python
