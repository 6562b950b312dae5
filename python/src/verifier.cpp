// The rigorous verifier (analysis/rigorous_scan.hpp): interval bisection proves that the sublevel
// set {I <= 0} of a certificate is forward invariant, or finds an exact counterexample in ℚ.
#include "bound_certificate.hpp"
#include "common.hpp"

#include <gdcert/analysis/rigorous_scan.hpp>
#include <gdcert/problems/quartic.hpp>

namespace gdcert::python {
namespace {

rigorous_options options_from(double stationary_margin, int max_depth, std::size_t max_boxes,
                              int initial_splits, bool use_symmetry) {
  rigorous_options o;
  o.stationary_margin = stationary_margin;
  o.max_depth = max_depth;
  o.max_boxes = max_boxes;
  o.initial_splits = initial_splits;
  o.use_symmetry = use_symmetry;
  return o;
}

py::dict result_dict(const inwardness_result& r) {
  py::dict out;
  out["status"] = std::string(to_string(r.status));
  out["boxes"] = r.boxes;
  out["proved_boxes"] = r.proved_boxes;
  out["excluded_boxes"] = r.excluded_boxes;
  out["undecided_boxes"] = r.undecided_boxes;
  out["max_depth"] = r.max_depth;
  out["seconds"] = r.seconds;
  out["certified_bound"] = r.certified_bound;
  out["excluded_bound"] = r.excluded_bound;
  out["stationary_margin"] = r.stationary_margin;
  if (r.counterexample) {
    const inwardness_counterexample& c = *r.counterexample;
    py::dict e;
    e["point"] = to_array(c.point);
    e["direction"] = to_array(c.direction);
    py::list exact;
    for (const rational& q : c.exact_point)
      exact.append(py::str(q.str()));
    e["exact_point"] = exact; // exact rationals as "p/q" strings (fractions.Fraction parses them)
    e["inside_value"] = py::str(c.inside_value.str());
    e["image_value"] = py::str(c.image_value.str());
    e["exact_check"] = c.exact_check;
    e["level_lower"] = c.level_lower;
    out["counterexample"] = e;
  } else {
    out["counterexample"] = py::none();
  }
  return out;
}

#define GDCERT_RIGOROUS_ARGUMENTS                                                                  \
  py::kw_only(), py::arg("stationary_margin") = 1e-3, py::arg("max_depth") = 60,                   \
                 py::arg("max_boxes") = std::size_t{20'000'000}, py::arg("initial_splits") = 2,    \
                 py::arg("use_symmetry") = true, py::arg("threads") = 0,                           \
                 py::arg("progress") = true

} // namespace

void bind_verifier(py::module_& m) {
  m.def(
      "verify_inwardness",
      [](const two_parameter_bound& c, double delta, double xi, double stationary_margin,
         int max_depth, std::size_t max_boxes, int initial_splits, bool use_symmetry,
         unsigned threads, bool progress) {
        require_state_parameter(delta);
        require_open_interval("block parameter xi", xi, 0.0, 2.0 / c.certificate.sigma());
        const rigorous_options o =
            options_from(stationary_margin, max_depth, max_boxes, initial_splits, use_symmetry);
        return result_dict(
            run_interruptible(policy_from(threads, progress), [&](const execution_policy& policy) {
              return verify_inwardness(c.problem, certificate_level(c.certificate, delta, xi), o,
                                       policy);
            }));
      },
      py::arg("certificate"), py::arg("delta"), py::arg("xi"), GDCERT_RIGOROUS_ARGUMENTS,
      "Proves sup over {I(δ, ξ; x) = 0} of I(δ, ξ; GD(x)) <= 0 outside N_ε (App. L, "
      "docs/formulas.md §8), or finds an exact counterexample; status 'proved', "
      "'counterexample' or 'undecided'.");
  m.def(
      "verify_inwardness",
      [](const factorization_bound& c, double delta, double stationary_margin, int max_depth,
         std::size_t max_boxes, int initial_splits, bool use_symmetry, unsigned threads,
         bool progress) {
        require_state_parameter(delta);
        const rigorous_options o =
            options_from(stationary_margin, max_depth, max_boxes, initial_splits, use_symmetry);
        return result_dict(
            run_interruptible(policy_from(threads, progress), [&](const execution_policy& policy) {
              return verify_inwardness(c.problem, certificate_level(c.certificate, delta), o,
                                       policy);
            }));
      },
      py::arg("certificate"), py::arg("delta"), GDCERT_RIGOROUS_ARGUMENTS,
      "The same for I_fac(δ; x) of rank-1 factorization (17).");
  m.def(
      "verify_inwardness",
      [](const scalar_bound& c, double delta, const py::object& problem, double stationary_margin,
         int max_depth, std::size_t max_boxes, int initial_splits, bool use_symmetry,
         unsigned threads, bool progress) {
        require_state_parameter(delta);
        const rigorous_options o =
            options_from(stationary_margin, max_depth, max_boxes, initial_splits, use_symmetry);
        const execution_policy policy = policy_from(threads, progress);
        const auto level = certificate_level(c.certificate, delta);
        if (problem.is_none())
          return result_dict(run_interruptible(policy, [&](const execution_policy& p) {
            return verify_inwardness(c.problem, level, o, p);
          }));
        if (!py::isinstance<quartic_factorization>(problem))
          throw invalid_parameter("problem", std::string(py::str(problem.get_type())),
                                  "None (the certificate's scalar problem) or a "
                                  "QuarticFactorization (App. M)");
        const auto& quartic = problem.cast<const quartic_factorization&>();
        return result_dict(run_interruptible(policy, [&](const execution_policy& p) {
          return verify_inwardness(quartic, level, o, p);
        }));
      },
      py::arg("certificate"), py::arg("delta"), py::arg("problem") = py::none(),
      GDCERT_RIGOROUS_ARGUMENTS,
      "The same for I_sc(δ; a, b) (10) under the GD map of the certificate's scalar problem, or "
      "of `problem`, a QuarticFactorization (App. M).");
}

} // namespace gdcert::python
