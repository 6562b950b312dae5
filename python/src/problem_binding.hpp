// bind_problem: the members every problem class of the module has (python/src/problems.cpp binds
// the eight problems of the paper with it, python/src/matrix.cpp the matrix sensing and completion
// problems).
#pragma once

#include "common.hpp"

#include <gdcert/analysis/iterate.hpp>
#include <gdcert/stability/hessian_spectrum.hpp> // sharpness of the matrix problems by Lanczos

#include <string>
#include <vector>

namespace gdcert::python {

/// Registers on `c` what every problem offers: eta, dimension, coordinate_names (from
/// `names(p)`, the paper's symbols in array order), step / loss / gradient / hessian / jacobian /
/// sharpness / is_minimizer / is_stationary on one state (d,) or an (N, d) stack, the distances
/// where the problem has them, and __repr__.
template <class P, class Names>
void bind_problem(py::class_<P>& c, Names names, const char* summary) {
  c.doc() = summary;
  c.def_property_readonly(
       "eta", [](const P& p) { return p.step_size(); }, "The step size η (validated > 0).")
      .def_property_readonly(
          "dimension", [](const P& p) { return p.dimension(); },
          "Number of real coordinates d of a state.")
      .def_property_readonly(
          "coordinate_names", [names](const P& p) { return names(p); },
          "Names of the coordinates in array order (the paper's symbols).")
      .def(
          "step",
          [](const P& p, const array& x) {
            return per_point(p, x, [&](const auto& s) { return p.step(s); });
          },
          py::arg("x"),
          "The GD map x − η∇R(x) (docs/formulas.md §1) of one state (d,) or of each row of an "
          "(N, d) array; SIMD lanes underneath (point by point for the matrix problems), "
          "bit-identical to one-state calls.")
      .def(
          "loss",
          [](const P& p, const array& x) {
            return per_point(p, x, [&](const auto& s) { return p.loss(s); });
          },
          py::arg("x"), "The loss R(x): a float for one state, an (N,) array for N states.")
      .def(
          "gradient",
          [](const P& p, const array& x) {
            return per_point(p, x, [&](const auto& s) { return p.gradient(s); });
          },
          py::arg("x"), "∇R(x), same shape as x.")
      .def(
          "hessian",
          [](const P& p, const array& x) {
            return per_point_double(
                p, x, [&](const auto& s) { return p.hessian(s); }, p.dimension(), p.dimension());
          },
          py::arg("x"), "∇²R(x): (d, d) for one state, (N, d, d) for N states.")
      .def(
          "jacobian",
          [](const P& p, const array& x) {
            return per_point_double(
                p, x, [&](const auto& s) { return p.jacobian(s); }, p.dimension(), p.dimension());
          },
          py::arg("x"), "D step(x) = I − η∇²R(x) (J_out_in): (d, d) or (N, d, d).")
      .def(
          "sharpness",
          [](const P& p, const array& x) {
            return per_point_double(p, x,
                                    [&](const auto& s) { return double(gdcert::sharpness(p, s)); });
          },
          py::arg("x"),
          "λ_max(∇²R(x)) (gdcert.sharpness's automatic route: by Lanczos on Hessian-vector "
          "products for a matrix problem above dense_sharpness_limit coordinates); GD is linearly "
          "unstable at a minimizer whose sharpness exceeds 2/η (docs/formulas.md §6).")
      .def(
          "is_minimizer",
          [](const P& p, const array& x, double tolerance) {
            require_positive("tolerance", tolerance);
            return per_point_predicate(p, x,
                                       [&](const auto& s) { return p.is_minimizer(s, tolerance); });
          },
          py::arg("x"), py::arg("tolerance") = 1e-6, "Whether x lies within tolerance of M*.")
      .def(
          "is_stationary",
          [](const P& p, const array& x, double tolerance) {
            require_positive("tolerance", tolerance);
            return per_point_predicate(
                p, x, [&](const auto& s) { return p.is_stationary(s, tolerance); });
          },
          py::arg("x"), py::arg("tolerance") = 1e-6, "Whether x lies within tolerance of S.");
  if constexpr (requires(const P& p, const typename P::template state<double>& s) {
                  p.distance_to_minimizers(s);
                })
    c.def(
        "distance_to_minimizers",
        [](const P& p, const array& x) {
          return per_point_double(
              p, x, [&](const auto& s) { return double(p.distance_to_minimizers(s)); });
        },
        py::arg("x"), "Euclidean distance to the minimizer set M*.");
  if constexpr (requires(const P& p, const typename P::template state<double>& s) {
                  p.distance_to_stationary(s);
                })
    c.def(
        "distance_to_stationary",
        [](const P& p, const array& x) {
          return per_point_double(
              p, x, [&](const auto& s) { return double(p.distance_to_stationary(s)); });
        },
        py::arg("x"), "Euclidean distance to the stationary set S.");
  c.def("__repr__", [](const P& p) {
    return "<gdcert." + std::string(py::str(py::type::of<P>().attr("__name__"))) +
           " eta=" + std::string(py::repr(py::float_(p.step_size()))) +
           " dimension=" + std::to_string(p.dimension()) + ">";
  });
}

} // namespace gdcert::python
