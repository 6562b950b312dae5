// Trajectories with recorded series (states, loss, δ_t, sharpness) and classify (outcome labels of
// one run, docs/formulas.md §4-6), for every problem.
#include "common.hpp"
#include "problem_list.hpp"
#include "trajectory_binding.hpp"

#include <gdcert/analysis/classify.hpp>

namespace gdcert::python {

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

  for_each_problem([&]<class P>() { bind_trajectory_engines<P>(m); });
}

} // namespace gdcert::python
