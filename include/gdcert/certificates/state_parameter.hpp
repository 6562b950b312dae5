// Bracketed solver for the state parameter δ(x) of certificate families without a closed form (docs/formulas.md §4).
#pragma once

#include <gdcert/core/error.hpp>

#include <boost/math/tools/roots.hpp>
#include <boost/math/tools/toms748_solve.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>

namespace gdcert {

/// Why the state-parameter solver stopped.
enum class state_parameter_status {
  converged,          ///< a sign change was bracketed and refined to tolerance
  outside_all_levels, ///< I > 0 already at the lower end: x is not certified by any δ in range
  inside_all_levels,  ///< I < 0 up to the upper end: x lies in every sublevel set (near K₂)
  iteration_limit,    ///< TOMS 748 used its iteration budget before meeting the tolerance
  not_finite          ///< NaN at an end of the bracket, or ±∞ whose sign decides nothing
};

[[nodiscard]] constexpr std::string_view to_string(state_parameter_status status) noexcept {
  switch (status) {
  case state_parameter_status::converged:
    return "converged";
  case state_parameter_status::outside_all_levels:
    return "outside_all_levels";
  case state_parameter_status::inside_all_levels:
    return "inside_all_levels";
  case state_parameter_status::iteration_limit:
    return "iteration_limit";
  case state_parameter_status::not_finite:
    return "not_finite";
  }
  return "unknown";
}

/// Controls of the bracketed solve.
struct state_parameter_options {
  int bits = std::numeric_limits<double>::digits - 3; ///< relative bracket width 2^(1 − bits)
  std::uintmax_t max_iterations = 200;
};

/// The solver's answer: δ(x) (or the bracket end that applies), why it stopped, the iterations
/// used, the width of the final bracket and I(δ(x); x).
template <class Real>
struct state_parameter_result {
  Real value;
  state_parameter_status status;
  std::uintmax_t iterations;
  Real bracket_width;
  Real certificate_value;
  [[nodiscard]] bool converged() const noexcept {
    return status == state_parameter_status::converged;
  }
};

/// Root of δ ↦ family(δ) on [lower, upper] with Boost.Math's TOMS 748 (Alefeld–Potra–Shi), for a
/// family increasing through zero (nested sublevel sets, (368-371)). Never throws on the shape of
/// `family`; the status says what happened. An infinite value still has a sign: I = +∞ at the lower
/// end (a state beyond about 1e154, whose I overflows) is outside_all_levels, with δ the lower end.
template <class Real, class Family>
[[nodiscard]] state_parameter_result<Real>
solve_state_parameter(Family&& family, Real lower, Real upper,
                      const state_parameter_options& options = {}) {
  if (!(lower < upper))
    throw invalid_parameter("bracket [lower, upper]", "empty", "lower < upper");
  if (options.bits < 1 || options.bits > std::numeric_limits<Real>::digits)
    throw invalid_parameter("state_parameter_options.bits", std::to_string(options.bits),
                            "[1, " + std::to_string(std::numeric_limits<Real>::digits) +
                                "] (the relative bracket width is 2^(1 - bits))");
  if (options.max_iterations < 1)
    throw invalid_parameter("state_parameter_options.max_iterations", "0", ">= 1");
  const Real f_lower = family(lower), f_upper = family(upper);
  const bool decided = !std::isnan(f_lower) && !std::isnan(f_upper);
  if (decided && f_lower > 0)
    return {lower, state_parameter_status::outside_all_levels, 0, 0, f_lower};
  if (decided && f_upper < 0)
    return {upper, state_parameter_status::inside_all_levels, 0, 0, f_upper};
  if (!std::isfinite(f_lower) || !std::isfinite(f_upper))
    return {std::isfinite(f_lower) ? upper : lower, state_parameter_status::not_finite, 0,
            upper - lower, std::isfinite(f_lower) ? f_upper : f_lower};
  if (f_lower == 0)
    return {lower, state_parameter_status::converged, 0, 0, f_lower};
  if (f_upper == 0)
    return {upper, state_parameter_status::converged, 0, 0, f_upper};
  std::uintmax_t iterations = options.max_iterations;
  const auto [left, right] = boost::math::tools::toms748_solve(
      family, lower, upper, f_lower, f_upper, boost::math::tools::eps_tolerance<Real>(options.bits),
      iterations);
  const Real root = (left + right) / 2;
  const auto status = iterations >= options.max_iterations ? state_parameter_status::iteration_limit
                                                           : state_parameter_status::converged;
  return {root, status, iterations, right - left, family(root)};
}

} // namespace gdcert
