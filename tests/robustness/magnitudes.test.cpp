// Magnitude suite (issue #25): every built-in problem, certificate and balanced-dynamics
// function at finite states whose coordinates are 1e150 to 1.7e308 (long double also up to its own
// largest number), in one coordinate and in all, both signs. A finite state never yields NaN;
// distances are computed with scaling (as std::hypot) and are finite wherever the true value is;
// sharpness is +inf only where λ_max itself overflows; δ(x) stays in [0, 2]. In double every value
// is compared with the same function evaluated in long double, whose range holds every intermediate
// at these magnitudes (the true value, up to long double's rounding). The counts (tried / valid /
// wrong) are printed as in robustness.test.cpp.
#include "fixtures.hpp"
#include "tally.hpp"

#include <gdcert/problems/loss_problem.hpp>

#include <catch2/catch.hpp>

#include <cfloat>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace {

using namespace gdcert;
using gdcert::test::robustness_tally;

std::string text(long double value) {
  std::ostringstream out;
  out.precision(6);
  out << value;
  return out.str();
}

/// The magnitudes 1e150, 1e154, 1e200, 1e300, 1.7e308, in increasing order with three
/// more: 1e77 and 2e77 on either side of 2^256 (where the distances start to scale) and 5e153
/// (each square finite, a sum of two or four not). In long double also three of its own beyond
/// double's range, from where its squares overflow up to its largest number.
template <class Real>
std::vector<Real> magnitudes() {
  std::vector<Real> out{Real(1e77),  Real(2e77),  Real(1e150), Real(5e153),
                        Real(1e154), Real(1e200), Real(1e300), Real(1.7e308)};
  if constexpr (std::numeric_limits<Real>::max_exponent >
                std::numeric_limits<double>::max_exponent) {
    const Real largest = std::numeric_limits<Real>::max();
    out.push_back(std::sqrt(largest) * 4);
    out.push_back(std::pow(largest, Real(0.9)));
    out.push_back(largest / 3);
  }
  return out;
}

/// Where the magnitude M goes: one coordinate (the others 0 or 1/2), or all coordinates with one
/// sign or alternating signs.
struct pattern {
  std::string name;
  Eigen::Index index; ///< the huge coordinate, or −1 for all of them
  double sign;
  double others;
  bool alternating;
};

std::vector<pattern> patterns(Eigen::Index dimension) {
  std::vector<pattern> out;
  for (Eigen::Index i = 0; i < dimension; ++i)
    for (const double sign : {1.0, -1.0})
      for (const double others : {0.0, 0.5})
        out.push_back({"coordinate " + std::to_string(i) + (sign > 0 ? " = +M" : " = -M") +
                           (others == 0 ? ", others 0" : ", others 1/2"),
                       i, sign, others, false});
  for (const double sign : {1.0, -1.0}) {
    out.push_back({sign > 0 ? "all = +M" : "all = -M", -1, sign, 0, false});
    out.push_back({sign > 0 ? "all = +M, -M, ..." : "all = -M, +M, ...", -1, sign, 0, true});
  }
  return out;
}

template <class Real>
vector<Real> coordinates_of(const pattern& where, Eigen::Index dimension, Real magnitude) {
  vector<Real> c(dimension);
  for (Eigen::Index i = 0; i < dimension; ++i) {
    if (where.index >= 0)
      c(i) = i == where.index ? Real(where.sign) * magnitude : Real(where.others);
    else
      c(i) = Real(where.alternating && i % 2 != 0 ? -where.sign : where.sign) * magnitude;
  }
  return c;
}

/// ‖c‖ by repeated std::hypot: independent of the library's scaled norm, +∞ only where ‖c‖ is.
template <class Real>
Real euclidean_norm(const vector<Real>& c) {
  Real norm = 0;
  for (Eigen::Index i = 0; i < c.size(); ++i)
    norm = std::hypot(norm, c(i));
  return norm;
}

/// A probe's result (a number, a bool, an Eigen vector or matrix) as a list of numbers.
template <class Out, class Value>
std::vector<Out> values_of(const Value& value) {
  if constexpr (std::is_arithmetic_v<Value>) {
    return {static_cast<Out>(value)};
  } else {
    std::vector<Out> out;
    for (Eigen::Index i = 0; i < value.size(); ++i)
      out.push_back(static_cast<Out>(value(i)));
    return out;
  }
}

/// What a probe returns, and so which properties it must have.
enum class measure {
  value,               ///< any number (±∞ allowed where the value is beyond the range)
  no_nan,              ///< only "not NaN" (predicates, solver results whose status may differ)
  distance,            ///< >= 0; finite where the true value is
  stationary_distance, ///< a distance to a set holding the origin: also <= ‖x‖
  terminal_distance,   ///< a distance to K₂, which lies within 2 of the origin: ‖x‖ up to 2
  sharpness,           ///< λ_max >= max(‖A‖², ‖B‖²) >= 0, nondecreasing in M
  state_parameter,     ///< δ in [0, 2], nonincreasing in M
  bracketed_parameter  ///< δ of the bracketed solver: in (0, 2]
};

/// Evaluates probes at one state and checks their properties; in double also against the same probe
/// evaluated in long double (the reference: every intermediate at these magnitudes is in its range).
template <class Real>
class magnitude_walk {
public:
  explicit magnitude_walk(robustness_tally& tally) : tally_(tally) {}

  template <class Build, class Probe>
  void check(const std::string& label, const std::string& series, measure kind,
             const vector<Real>& c, Build&& build, Probe&& probe) {
    std::vector<Real> got;
    std::vector<long double> reference;
    try {
      got = values_of<Real>(probe(build(c)));
      if constexpr (std::is_same_v<Real, double>)
        reference = values_of<long double>(
            probe(build(vector<long double>(c.template cast<long double>()))));
    } catch (const std::exception& error) {
      tally_.fail(label + ": threw " + error.what());
      return;
    }
    const Real norm = euclidean_norm(c);
    const long double reference_norm =
        euclidean_norm(vector<long double>(c.template cast<long double>()));
    for (std::size_t j = 0; j < got.size(); ++j) {
      const std::string at = got.size() > 1 ? label + " [" + std::to_string(j) + "]" : label;
      const Real v = got[j];
      if (std::isnan(v)) {
        tally_.holds(at, false, "NaN");
        continue;
      }
      std::string detail = "got " + text(v);
      bool ok = true;
      if constexpr (std::is_same_v<Real, double>) {
        if (kind != measure::no_nan && kind != measure::bracketed_parameter) {
          const long double r = reference[j];
          long double absolute = 0;
          if (kind == measure::distance || kind == measure::stationary_distance ||
              kind == measure::terminal_distance)
            absolute = 64 * DBL_EPSILON * reference_norm; // 64 units in the last place of ‖x‖
          if (kind == measure::state_parameter)
            absolute = 4 * std::numeric_limits<double>::denorm_min();
          ok = ok && agrees(v, r, absolute);
          detail += ", long double " + text(r);
        }
      }
      const Real max = std::numeric_limits<Real>::max();
      switch (kind) {
      case measure::value:
      case measure::no_nan:
        break;
      case measure::distance:
      case measure::stationary_distance:
        ok = ok && v >= 0 && (!(norm < max / 4) || std::isfinite(v));
        if (kind == measure::stationary_distance && std::isfinite(norm))
          ok = ok && v <= norm * (1 + Real(1e-12));
        detail += ", ‖x‖ " + text(norm);
        break;
      case measure::terminal_distance:
        ok =
            ok && (std::isinf(norm) ? std::isinf(v) : std::abs(v - norm) <= 2 + norm * Real(1e-12));
        detail += ", ‖x‖ " + text(norm);
        break;
      case measure::sharpness:
        ok = ok && v >= 0 && v >= previous(series, v) * (1 - Real(1e-12));
        detail += ", at the smaller M " + text(previous(series, v));
        remember(series, v);
        break;
      case measure::state_parameter:
        ok = ok && v >= 0 && v <= 2 * (1 + Real(1e-12)) &&
             v <= previous(series, v) * (1 + Real(1e-12)) + std::numeric_limits<Real>::denorm_min();
        detail += ", at the smaller M " + text(previous(series, v));
        remember(series, v);
        break;
      case measure::bracketed_parameter:
        ok = ok && v > 0 && v <= 2;
        break;
      }
      tally_.holds(at, ok, detail);
    }
  }

  /// Starts the monotone series of a new pattern.
  void forget() { previous_.clear(); }

private:
  /// |v − r| within a relative 1e-12 (plus `absolute`), or v = ±∞ where r is beyond double's range.
  static bool agrees(double v, long double r, long double absolute) {
    if (std::isnan(r))
      return false;
    const long double top = std::numeric_limits<double>::max();
    const long double size = std::fabs(r);
    if (size > top * (1 + 1e-12L))
      return std::isinf(v) && (v > 0) == (r > 0);
    if (std::isinf(v))
      return size >= top * (1 - 1e-12L) && (v > 0) == (r > 0);
    return std::fabs(static_cast<long double>(v) - r) <=
           1e-12L * size + absolute + 2 * std::numeric_limits<double>::denorm_min();
  }
  Real previous(const std::string& series, Real fallback) const {
    const auto found = previous_.find(series);
    return found == previous_.end() ? fallback : found->second;
  }
  void remember(const std::string& series, Real v) { previous_[series] = v; }

  robustness_tally& tally_;
  std::map<std::string, Real> previous_;
};

/// Runs `visit(check)` at every pattern and magnitude of a state with `dimension` coordinates,
/// `build` turning coordinates (in Real, and in long double for the reference) into the state.
template <class Real, class Build, class Visit>
void walk_states(magnitude_walk<Real>& walk, const std::string& name, Eigen::Index dimension,
                 Build&& build, Visit&& visit) {
  for (const pattern& where : patterns(dimension)) {
    walk.forget();
    for (const Real magnitude : magnitudes<Real>()) {
      const vector<Real> c = coordinates_of(where, dimension, magnitude);
      const std::string at = name + " at " + where.name + ", M = " + text(magnitude) + ": ";
      const std::string series = name + " at " + where.name + ": ";
      auto check = [&](const std::string& member, measure kind, auto&& probe) {
        walk.check(at + member, series + member, kind, c, build, probe);
      };
      visit(check);
    }
  }
}

/// The problem's state from coordinates of either scalar type.
template <class Problem>
auto state_builder(const Problem& problem) {
  return [&problem](const auto& c) {
    using Scalar = typename std::decay_t<decltype(c)>::Scalar;
    return problem.template from_coordinates<Scalar>(c);
  };
}

template <class Real, class Problem>
void walk_problem(magnitude_walk<Real>& walk, const std::string& name, const Problem& p) {
  using state = typename Problem::template state<Real>;
  walk_states(walk, name, p.dimension(), state_builder(p), [&](auto&& check) {
    check("loss", measure::value, [&](const auto& x) { return p.loss(x); });
    check("gradient", measure::value, [&](const auto& x) { return p.coordinates(p.gradient(x)); });
    check("hessian", measure::value, [&](const auto& x) { return p.hessian(x); });
    check("jacobian", measure::value, [&](const auto& x) { return p.jacobian(x); });
    check("is_minimizer", measure::no_nan, [&](const auto& x) { return p.is_minimizer(x, 1e-9); });
    check("is_stationary", measure::no_nan,
          [&](const auto& x) { return p.is_stationary(x, 1e-9); });
    if constexpr (requires(const state& x) { p.sharpness(x); })
      check("sharpness", measure::sharpness, [&](const auto& x) { return p.sharpness(x); });
    // The engines' sharpness: the closed form, or λ_max of the Hessian, whose overflow is
    // resolved by bounds or in long double (analysis/iterate.hpp), never NaN.
    check("gdcert::sharpness", measure::value,
          [&](const auto& x) { return gdcert::sharpness(p, x); });
    if constexpr (requires(const state& x) { p.distance_to_minimizers(x); })
      check("distance_to_minimizers", measure::distance,
            [&](const auto& x) { return p.distance_to_minimizers(x); });
    if constexpr (requires(const state& x) { p.distance_to_stationary(x); })
      check("distance_to_stationary", measure::stationary_distance,
            [&](const auto& x) { return p.distance_to_stationary(x); });
    if constexpr (requires(const state& x) { p.optimality_gap(x); })
      check("optimality_gap", measure::value, [&](const auto& x) { return p.optimality_gap(x); });
  });
}

/// Members shared by the certificates of the form Lδ² + Sδ − 4.
template <class Check, class Certificate>
void check_quadratic_certificate(Check& check, const Certificate& certificate) {
  check("residual", measure::value, [&](const auto& x) { return certificate.residual(x); });
  check("total_norm", measure::value, [&](const auto& x) { return certificate.total_norm(x); });
  for (const double delta : {0.5, 1.5}) {
    const std::string at = "(delta = " + text(delta) + ")";
    check("operator()" + at, measure::value, [&](const auto& x) { return certificate(delta, x); });
    check("multiplier" + at, measure::value,
          [&](const auto& x) { return certificate.multiplier(delta, x); });
    check("remainder" + at, measure::value,
          [&](const auto& x) { return certificate.remainder(delta, x); });
  }
  check("state_parameter", measure::state_parameter,
        [&](const auto& x) { return certificate.state_parameter(x); });
  check("distance_to_terminal_set", measure::terminal_distance,
        [&](const auto& x) { return certificate.distance_to_terminal_set(x); });
}

template <class Real>
void walk_problems(robustness_tally& tally) {
  magnitude_walk<Real> walk(tally);
  walk_problem(walk, "scalar_factorization", scalar_factorization(0.5));
  walk_problem(walk, "scalar_factorization(sigma = 3)", scalar_factorization(0.5, 3.0));
  walk_problem(walk, "scalar_vector_factorization", scalar_vector_factorization(0.5, 2));
  walk_problem(walk, "quartic_factorization(mu = -0.1)", quartic_factorization(0.5, -0.1));
  walk_problem(walk, "quartic_factorization(mu = 0)", quartic_factorization(0.5, 0.0));
  walk_problem(walk, "quartic_factorization(mu = 0.25)", quartic_factorization(0.5, 0.25));
  walk_problem(walk, "regularized_factorization(lambda = 0.1)",
               regularized_factorization(0.5, 2, 1.0, 0.1));
  walk_problem(walk, "regularized_factorization(y = -2, lambda = 0.5)",
               regularized_factorization(0.5, 2, -2.0, 0.5));
  walk_problem(walk, "regularized_factorization(lambda = 0)",
               regularized_factorization(0.5, 2, 1.0, 0.0));
  walk_problem(walk, "rank1_factorization", rank1_factorization(0.5));
  walk_problem(walk, "rank1_approximation", rank1_approximation(0.5, 2));
  walk_problem(walk, "diagonal_approximation", diagonal_approximation(0.5, 0.5));
  Eigen::MatrixXd target(2, 2);
  target << 1, 0.5, 0, 2;
  walk_problem(walk, "matrix_factorization", matrix_factorization(0.5, target, 1));
  // A problem from its loss: the loss and its derivatives are the user's formula (½(abc − 1)² is
  // NaN at (M, M, 0) as written); the library's own parts are the predicates (scaled ‖∇R‖).
  const auto depth3 = from_loss<3>(0.5,
                                   [](const auto& x) {
                                     const auto residual = x[0] * x[1] * x[2] - 1;
                                     return 0.5 * residual * residual;
                                   },
                                   {.minimum_loss = 0.0});
  walk_states(walk, "from_loss<3>", 3, state_builder(depth3), [&](auto&& check) {
    check("is_minimizer", measure::no_nan,
          [&](const auto& x) { return depth3.is_minimizer(x, 1e-9); });
    check("is_stationary", measure::no_nan,
          [&](const auto& x) { return depth3.is_stationary(x, 1e-9); });
    // In double, λ_max of the user's Hessian comes from long double where double overflows (its
    // NaN entries included); beyond long double's own range it would be a named error.
    if constexpr (std::is_same_v<Real, double>)
      check("gdcert::sharpness", measure::no_nan,
            [&](const auto& x) { return gdcert::sharpness(depth3, x); });
  });
}

template <class Real>
void walk_certificates(robustness_tally& tally) {
  magnitude_walk<Real> walk(tally);
  {
    const scalar_factorization p(0.5, 2.0);
    const scalar_certificate certificate(p);
    walk_states(walk, "scalar_certificate", p.dimension(), state_builder(p), [&](auto&& check) {
      check_quadratic_certificate(check, certificate);
      check("imbalance", measure::value, [&](const auto& x) { return certificate.imbalance(x); });
      check("limit_form", measure::value, [&](const auto& x) { return certificate.limit_form(x); });
      check("normal_form(delta = 1)", measure::value,
            [&](const auto& x) { return certificate.normal_form(1.0, x); });
      check("liang_montufar_q", measure::value,
            [&](const auto& x) { return liang_montufar_q(2.0, x.a, x.b); });
    });
  }
  {
    const scalar_vector_factorization p(0.5, 2);
    const scalar_vector_certificate certificate(p);
    walk_states(walk, "scalar_vector_certificate", p.dimension(), state_builder(p),
                [&](auto&& check) { check_quadratic_certificate(check, certificate); });
  }
  {
    const rank1_factorization p(0.5);
    const factorization_certificate certificate(p);
    walk_states(
        walk, "factorization_certificate", p.dimension(), state_builder(p), [&](auto&& check) {
          check_quadratic_certificate(check, certificate);
          check("off_signal_norm", measure::value,
                [&](const auto& x) { return certificate.off_signal_norm(x); });
          check("imbalance", measure::value,
                [&](const auto& x) { return certificate.imbalance(x); });
          check("coupling", measure::value, [&](const auto& x) { return certificate.coupling(x); });
          check("limit_form", measure::value,
                [&](const auto& x) { return certificate.limit_form(x); });
          check("multiplier_completed_square(delta = 1)", measure::value,
                [&](const auto& x) { return certificate.multiplier_completed_square(1.0, x); });
        });
  }
  {
    const rank1_approximation p(0.5, 2);
    const approximation_certificate certificate(p);
    walk_states(
        walk, "approximation_certificate", p.dimension(), state_builder(p), [&](auto&& check) {
          check_quadratic_certificate(check, certificate);
          check("off_signal_norm", measure::value,
                [&](const auto& x) { return certificate.off_signal_norm(x); });
          check("signal_coupling", measure::value,
                [&](const auto& x) { return certificate.signal_coupling(x); });
          check("coupling", measure::value, [&](const auto& x) { return certificate.coupling(x); });
          check("remainder_regrouped(delta = 1)", measure::value,
                [&](const auto& x) { return certificate.remainder_regrouped(1.0, x); });
        });
  }
  const diagonal_approximation p(0.5, 0.5);
  auto walk_two_parameter = [&](const std::string& name, const auto& certificate) {
    walk_states(walk, name, p.dimension(), state_builder(p), [&](auto&& check) {
      check("operator()(delta = 1)", measure::value,
            [&](const auto& x) { return certificate(1.0, x); });
      check("operator()(delta = 1, xi = 0.5)", measure::value,
            [&](const auto& x) { return certificate(1.0, 0.5, x); });
      check("diagonal_form(delta = 1, xi = 0.5)", measure::value,
            [&](const auto& x) { return certificate.diagonal_form(1.0, 0.5, x); });
      check("state_parameter value", measure::bracketed_parameter,
            [&](const auto& x) { return certificate.state_parameter(x).value; });
      check("state_parameter certificate_value", measure::no_nan,
            [&](const auto& x) { return certificate.state_parameter(x).certificate_value; });
      check("state_parameter bracket_width", measure::no_nan,
            [&](const auto& x) { return certificate.state_parameter(x).bracket_width; });
      check("distance_to_terminal_set", measure::terminal_distance,
            [&](const auto& x) { return certificate.distance_to_terminal_set(x); });
    });
  };
  walk_two_parameter("two_parameter_certificate<approximation_branch>",
                     two_parameter_certificate<approximation_branch>(p));
  walk_two_parameter("two_parameter_certificate<factorization_branch>",
                     two_parameter_certificate<factorization_branch>(p));
}

template <class Real>
void walk_balanced_dynamics(robustness_tally& tally) {
  magnitude_walk<Real> walk(tally);
  const auto coordinates = [](const auto& c) { return c; };
  for (const double eta : {0.5, 1.5}) {
    const std::string name = "balanced dynamics (eta = " + text(eta) + ") of L";
    walk_states(walk, name, 1, coordinates, [&](auto&& check) {
      check("balanced_residual_derivative", measure::value,
            [&](const auto& c) { return balanced_residual_derivative(eta, c(0)); });
      check("two_cycle_factor", measure::value,
            [&](const auto& c) { return two_cycle_factor(eta, c(0)); });
      check("two_cycle_cofactor", measure::value,
            [&](const auto& c) { return two_cycle_cofactor(eta, c(0)); });
      check("conjugacy_coordinate", measure::value,
            [&](const auto& c) { return conjugacy_coordinate(eta, c(0)); });
      check("conjugate_map", measure::value,
            [&](const auto& c) { return conjugate_map(eta, c(0)); });
      check("conjugate_schwarzian", measure::value,
            [&](const auto& c) { return conjugate_schwarzian(c(0)); });
      check("two_cycle_multiplier_polynomial", measure::value,
            [&](const auto& c) { return two_cycle_multiplier_polynomial(c(0)); });
    });
  }
  // The (L, G)-plane of Liang–Montúfar with off-signal norm N = |third coordinate|.
  walk_states(walk, "(L, G, N)-plane", 3, coordinates, [&](auto&& check) {
    check("scalar_ellipse(delta = 1)", measure::value,
          [&](const auto& c) { return scalar_ellipse(1.0, c(0), c(1)); });
    check("shifted_ellipse(delta = 1)", measure::value, [&](const auto& c) {
      using std::abs;
      return shifted_ellipse(1.0, c(0), c(1), abs(c(2)));
    });
    check("shifted_ellipse_side(delta = 1)", measure::value, [&](const auto& c) {
      using std::abs;
      return shifted_ellipse_side(1.0, c(0), abs(c(2)));
    });
    check("scalar_step_in_residual_imbalance(eta = 0.5)", measure::value, [&](const auto& c) {
      using Scalar = typename std::decay_t<decltype(c)>::Scalar;
      Scalar residual = c(0), imbalance = c(1);
      scalar_step_in_residual_imbalance(0.5, residual, imbalance);
      vector<Scalar> next(2);
      next << residual, imbalance;
      return next;
    });
  });
  const diagonal_approximation slice_problem(0.5, 0.5);
  walk_states(walk, "balanced slice (a, u)", 2, coordinates, [&](auto&& check) {
    check("balanced_slice_step", measure::value, [&](const auto& c) {
      using Scalar = typename std::decay_t<decltype(c)>::Scalar;
      const auto next =
          balanced_slice_step(slice_problem, balanced_slice_state<Scalar>{c(0), c(1)});
      vector<Scalar> out(2);
      out << next.a, next.u;
      return out;
    });
  });
}

template <class Real>
const char* type_name() {
  return std::is_same_v<Real, double> ? "double" : "long double";
}

} // namespace

TEMPLATE_TEST_CASE("problems never yield NaN at a finite state: distances are computed with "
                   "scaling (hypot), sharpness is +inf only where lambda_max overflows, loss, "
                   "gradient and Hessian are +-inf only where the value is (docs/formulas.md §1)",
                   "[robustness][magnitudes]", double, long double) {
  robustness_tally t;
  walk_problems<TestType>(t);
  t.report((std::string("magnitudes, problems, ") + type_name<TestType>()).c_str());
  REQUIRE(t.wrong == 0);
}

TEMPLATE_TEST_CASE("certificates never yield NaN at a finite state: delta = 8/(S + sqrt(S^2 + "
                   "16L)) lies in [0, 2] and falls with |x|, the distance to K2 is |x| up to the "
                   "radius of K2 (docs/formulas.md §2-4, eqs. 10, 17, 22, 30, 46, 160-168, 363)",
                   "[robustness][magnitudes]", double, long double) {
  robustness_tally t;
  walk_certificates<TestType>(t);
  t.report((std::string("magnitudes, certificates, ") + type_name<TestType>()).c_str());
  REQUIRE(t.wrong == 0);
}

TEMPLATE_TEST_CASE("balanced dynamics never yield NaN: g_eta, P_eta, Q_eta, the conjugacy and "
                   "the (L, G)-plane ellipses of a finite L are +-inf only where their value is "
                   "(docs/formulas.md §5, eqs. 172-194, 49-53)",
                   "[robustness][magnitudes]", double, long double) {
  robustness_tally t;
  walk_balanced_dynamics<TestType>(t);
  t.report((std::string("magnitudes, balanced dynamics, ") + type_name<TestType>()).c_str());
  REQUIRE(t.wrong == 0);
}

TEST_CASE("extended_range and scaled_norm: rounded as double wherever double neither overflows "
          "nor underflows, and finite beyond (core/arithmetic.hpp)",
          "[robustness][magnitudes]") {
  robustness_tally t;
  auto rng = gdcert::test::generator(2501);
  using wide = extended_range<double>;
  for (int i = 0; i < 2000; ++i) {
    const double x = std::ldexp(gdcert::test::uniform(rng, -1, 1),
                                static_cast<int>(gdcert::test::uniform(rng, -200, 200)));
    const double y = std::ldexp(gdcert::test::uniform(rng, -1, 1),
                                static_cast<int>(gdcert::test::uniform(rng, -200, 200)));
    const std::string at = "x = " + text(x) + ", y = " + text(y);
    t.holds("x + y " + at, round_to_real(wide(x) + wide(y)) == x + y);
    t.holds("x - y " + at, round_to_real(wide(x) - wide(y)) == x - y);
    t.holds("x * y " + at, round_to_real(wide(x) * wide(y)) == x * y);
    t.holds("x / y " + at, round_to_real(wide(x) / wide(y)) == x / y);
    using std::sqrt;
    t.holds("sqrt|x| " + at, round_to_real(sqrt(wide(std::abs(x)))) == std::sqrt(std::abs(x)));
    vector<double> v(3);
    v << x, y, x - y;
    t.holds("scaled_norm " + at, scaled_norm(v) == std::sqrt(x * x + y * y + (x - y) * (x - y)));
  }
  for (const double m : magnitudes<double>()) {
    const std::string at = "M = " + text(m);
    const double hypot = std::hypot(m, m); // +inf at 1.7e308, as the norm is
    t.holds("scaled_norm(M, -M) " + at,
            std::isinf(hypot) ? std::isinf(scaled_norm({m, -m}))
                              : std::abs(scaled_norm({m, -m}) - hypot) <= 1e-15 * hypot);
    t.holds("scaled_norm(M, 1/M) " + at, scaled_norm({m, 1 / m}) == m);
    t.holds("(M·M − M·M + 1)/M in extended_range " + at,
            round_to_real((wide(m) * m - wide(m) * m + 1) / m) == 1 / m);
  }
  t.report("magnitudes, extended_range and scaled_norm");
  REQUIRE(t.wrong == 0);
}
