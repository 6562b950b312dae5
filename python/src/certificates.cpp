// The certificates I(δ; x) with their multiplier M, remainder R, state parameter δ(x) and
// terminal-set distance (docs/formulas.md §2-4), on one state or an (N, d) stack, and the
// thresholds q_η(δ), δ_th(η) of Theorem 3 (87).
#include "bound_certificate.hpp"
#include "common.hpp"

#include <gdcert/certificates/threshold.hpp>

namespace gdcert::python {
namespace {

template <class Bound>
void bind_certificate(py::module_& m, const char* name, const char* summary) {
  using P = typename Bound::problem_type;
  py::class_<Bound> c(m, name, summary);
  c.def(py::init<const P&>(), py::arg("problem"))
      .def_property_readonly("problem", [](const Bound& b) { return b.problem; })
      .def(
          "__call__",
          [](const Bound& b, double delta, const array& x) {
            require_state_parameter(delta);
            return per_point(b.problem, x, [&](const auto& s) { return b.certificate(delta, s); });
          },
          py::arg("delta"), py::arg("x"),
          "I(δ; x); δ ∈ (0, 2). Negative: x is certified (docs/formulas.md §2).")
      .def(
          "multiplier",
          [](const Bound& b, double delta, const array& x) {
            require_state_parameter(delta);
            return per_point(b.problem, x,
                             [&](const auto& s) { return b.certificate.multiplier(delta, s); });
          },
          py::arg("delta"), py::arg("x"),
          "M(δ; x) of the recursion I(δ; GD(x)) = M·I(δ; x) + R (docs/formulas.md §3).")
      .def(
          "remainder",
          [](const Bound& b, double delta, const array& x) {
            require_state_parameter(delta);
            return per_point(b.problem, x,
                             [&](const auto& s) { return b.certificate.remainder(delta, s); });
          },
          py::arg("delta"), py::arg("x"), "R(δ; x) of the recursion (docs/formulas.md §3).")
      .def(
          "state_parameter",
          [](const Bound& b, const array& x) {
            return per_point(b.problem, x,
                             [&](const auto& s) { return b.certificate.state_parameter(s); });
          },
          py::arg("x"),
          "δ(x), the root of δ ↦ I(δ; x) in (0, 2] in closed form (docs/formulas.md §4); δ_t "
          "never decreases along GD (Proposition 2).")
      .def(
          "distance_to_terminal_set",
          [](const Bound& b, const array& x) {
            return per_point_double(b.problem, x, [&](const auto& s) {
              return double(b.certificate.distance_to_terminal_set(s));
            });
          },
          py::arg("x"), "Euclidean distance to the terminal set K₂ (docs/formulas.md §5).");
}

template <class Bound>
void bind_two_parameter(py::module_& m, const char* name, const char* branch) {
  using P = diagonal_approximation;
  py::class_<Bound> c(m, name,
                      (std::string("I(δ, ξ; x) of (30) for X = diag(1, σ), with the ") + branch +
                       " branch ξ(δ) (docs/formulas.md §2, (368-370)).")
                          .c_str());
  c.def(py::init<const P&>(), py::arg("problem"))
      .def_property_readonly("problem", [](const Bound& b) { return b.problem; })
      .def_property_readonly("branch_name", [branch](const Bound&) { return std::string(branch); })
      .def_property_readonly(
          "admissible_limit", [](const Bound& b) { return b.certificate.admissible_limit(); },
          "The supremum of δ with ξ(δ) ∈ (0, 2/σ).")
      .def(
          "branch", [](const Bound& b, double delta) { return b.certificate.branch(delta); },
          py::arg("delta"), "ξ(δ) of the branch.")
      .def(
          "__call__",
          [](const Bound& b, double delta, const array& x) {
            require_state_parameter(delta);
            return per_point(b.problem, x, [&](const auto& s) { return b.certificate(delta, s); });
          },
          py::arg("delta"), py::arg("x"), "I(δ, ξ(δ); x) (30) along the branch.")
      .def(
          "__call__",
          [](const Bound& b, double delta, double xi, const array& x) {
            require_state_parameter(delta);
            require_open_interval("block parameter xi", xi, 0.0, 2.0 / b.certificate.sigma());
            return per_point(b.problem, x,
                             [&](const auto& s) { return b.certificate(delta, xi, s); });
          },
          py::arg("delta"), py::arg("xi"), py::arg("x"), "I(δ, ξ; x) (30).")
      .def(
          "state_parameter",
          [](const Bound& b, const array& x) {
            return per_point_double(b.problem, x, [&](const auto& s) {
              const auto r = b.certificate.state_parameter(s);
              return r.converged() ? double(r.value) : std::numeric_limits<double>::quiet_NaN();
            });
          },
          py::arg("x"),
          "δ(x) on the branch by a bracketed TOMS 748 solve (docs/formulas.md §4); NaN where no "
          "root is bracketed in (0, admissible_limit).")
      .def(
          "distance_to_terminal_set",
          [](const Bound& b, const array& x) {
            return per_point_double(b.problem, x, [&](const auto& s) {
              return double(b.certificate.distance_to_terminal_set(s));
            });
          },
          py::arg("x"), "Euclidean distance to K₂^σ (363).");
}

} // namespace

void bind_certificates(py::module_& m) {
  bind_certificate<scalar_bound>(m, "ScalarCertificate",
                                 "I_sc(δ; a, b) of the scalar problem (10), M and R (12-13).");
  bind_certificate<scalar_vector_bound>(m, "ScalarVectorCertificate",
                                        "I(δ; a, b) for a, b ∈ ℝ^d (46-47).");
  bind_certificate<factorization_bound>(
      m, "FactorizationCertificate",
      "I_fac(δ; a, b, u, v) of rank-1 factorization (17), M and R (59-62), K₂^fac (168).");
  bind_certificate<approximation_bound>(
      m, "ApproximationCertificate",
      "I_apx(δ; x) of rank-1 approximation (22), M and R (81-83), K₂^apx (161).");
  bind_two_parameter<two_parameter_bound>(m, "TwoParameterCertificate", "approximation");
  bind_two_parameter<two_parameter_factorization_bound>(m, "TwoParameterFactorizationCertificate",
                                                        "factorization");

  m.def("remainder_coefficient", &remainder_coefficient, py::arg("eta"), py::arg("delta"),
        "q_η(δ) = ηδ² − 4(δ − η) (87): Proposition 3 needs q_η(δ) < 0.");
  m.def("threshold_state_parameter", &threshold_state_parameter, py::arg("eta"),
        "δ_th(η) = 2(1 − √(1 − η²))/η of Theorem 3, η ∈ (0, 1).");
}

} // namespace gdcert::python
