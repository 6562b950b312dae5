// The two-parameter certificate I(δ, ξ; x) for X = diag(1, σ) with pluggable branches ξ(δ) (docs/formulas.md §2, eqs. 30, 368-370, 401).
#pragma once

#include <gdcert/certificates/certificate.hpp>
#include <gdcert/certificates/state_parameter.hpp>
#include <gdcert/problems/diagonal_approximation.hpp>

#include <boost/math/tools/roots.hpp>
#include <boost/math/tools/toms748_solve.hpp>

#include <algorithm>
#include <cmath>
#include <concepts>
#include <limits>

namespace gdcert {

/// ξ = 4δ/(4 − δ²): the branch that recovers I_fac as σ → 0 (§2).
struct factorization_branch {
  [[nodiscard]] double operator()(double delta) const { return 4 * delta / (4 - delta * delta); }
};
/// ξ = δ: the branch that recovers I_apx as σ → 1 (§2).
struct approximation_branch {
  [[nodiscard]] double operator()(double delta) const { return delta; }
};

/// A branch maps δ to ξ(δ); it should be increasing so the sublevel sets are nested (368-371).
template <class B>
concept certificate_branch = std::regular_invocable<const B&, double> &&
                             std::convertible_to < std::invoke_result_t<const B&, double>,
double > ;

/// I(δ, ξ; x) = (δ(a² + b²) − δ²ab)/(4 − δ²) + (ξ(u² + v²) − ξ²σuv)/(4 − ξ²σ²) − 1 (30, 401),
/// δ ∈ (0, 2), ξ ∈ (0, 2/σ); with a branch ξ(δ) it becomes a one-parameter family. Floating-point
/// values that come out ±∞ or NaN (a state beyond about 1e154 in double) are evaluated again over
/// extended_range, as in scalar_certificate: never NaN for a finite state (I is then +∞ and
/// state_parameter reports not_finite or outside_all_levels with a finite δ).
template <certificate_branch Branch = approximation_branch>
class two_parameter_certificate {
public:
  /// Throws gdcert::invalid_parameter if the branch leaves (0, 2/σ) at small δ (no usable range),
  /// is NaN, infinite or <= 0 at δ → 2, or leaves (0, 2/σ) at a sample inside its usable range.
  explicit two_parameter_certificate(const diagonal_approximation& problem, Branch branch = {})
      : sigma_(problem.sigma()), branch_(std::move(branch)), limit_(branch_limit()) {}

  [[nodiscard]] double sigma() const noexcept { return sigma_; }
  /// ξ(δ) of the branch.
  [[nodiscard]] double branch(double delta) const { return branch_(delta); }
  /// The supremum of δ in (0, 2] with ξ(δ) in (0, 2/σ): where the branch family ends.
  [[nodiscard]] double admissible_limit() const noexcept { return limit_; }

  /// I(δ, ξ; x) (30). Throws unless δ ∈ (0, 2) and ξ ∈ (0, 2/σ).
  template <class T>
  [[nodiscard]] T operator()(double delta, double xi, const rank1_state<T>& x) const {
    require_state_parameter(delta);
    require_open_interval("block parameter xi", xi, 0.0, 2.0 / sigma_);
    const T d = constant<T>(delta), k = constant<T>(xi), s = constant<T>(sigma_);
    const T four = constant<T>(4.0);
    const T value = (d * (x.a * x.a + x.b * x.b) - d * d * x.a * x.b) / (four - d * d) +
                    (k * (x.u * x.u + x.v * x.v) - k * k * s * x.u * x.v) / (four - k * k * s * s) -
                    constant<T>(1.0);
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real((*this)(delta, xi, extend_range(x)));
    return value;
  }
  /// I(δ, ξ(δ); x) along the branch.
  template <class T>
  [[nodiscard]] T operator()(double delta, const rank1_state<T>& x) const {
    return (*this)(delta, branch_(delta), x);
  }

  /// The diagonal form (368-370): with s± = (a ± b)/√2, n± = (u ± v)/√2,
  /// I = δ/(2(2+δ)) s₊² + δ/(2(2−δ)) s₋² + ξ/(2(2+σξ)) n₊² + ξ/(2(2−σξ)) n₋² − 1. Equal to (30).
  template <class T>
  [[nodiscard]] T diagonal_form(double delta, double xi, const rank1_state<T>& x) const {
    require_state_parameter(delta);
    require_open_interval("block parameter xi", xi, 0.0, 2.0 / sigma_);
    const T d = constant<T>(delta), k = constant<T>(xi), s = constant<T>(sigma_);
    const T two = constant<T>(2.0), half = constant<T>(0.5);
    const T s_plus = half * (x.a + x.b) * (x.a + x.b), s_minus = half * (x.a - x.b) * (x.a - x.b);
    const T n_plus = half * (x.u + x.v) * (x.u + x.v), n_minus = half * (x.u - x.v) * (x.u - x.v);
    const T value = d / (two * (two + d)) * s_plus + d / (two * (two - d)) * s_minus +
                    k / (two * (two + s * k)) * n_plus + k / (two * (two - s * k)) * n_minus -
                    constant<T>(1.0);
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(diagonal_form(delta, xi, extend_range(x)));
    return value;
  }

  /// δ(x): the root of δ ↦ I(δ, ξ(δ); x) in (0, admissible_limit()) by TOMS 748 (§4).
  template <class Real>
  [[nodiscard]] state_parameter_result<Real>
  state_parameter(const rank1_state<Real>& x, const state_parameter_options& options = {}) const {
    const Real margin = std::sqrt(std::numeric_limits<double>::epsilon());
    return solve_state_parameter<Real>([&](Real delta) { return (*this)(double(delta), x); },
                                       Real(margin), Real(limit_) - Real(margin) * Real(limit_),
                                       options);
  }

  /// Distance to K₂^σ = {a = b, u = v, a² + u²/σ <= 2} (363): (m, w) = ((a+b)/2, (u+v)/2) is
  /// projected onto the ellipse-disc m² + w²/σ <= 2 (Lagrange multiplier found by TOMS 748).
  /// Beyond 2^(max_exponent/4) (where the squares below would overflow) it is ‖x‖, scaled: every
  /// point of K₂^σ lies within 2 of the origin (|m| <= √2, |w| <= √(2σ)), so the distance is ‖x‖
  /// up to 2, a relative 2⁻²⁵⁵ in double, far below one unit in the last place.
  template <class Real>
  [[nodiscard]] Real distance_to_terminal_set(const rank1_state<Real>& x) const {
    if (magnitude_exponent({x.a, x.b, x.u, x.v}) != 0)
      return scaled_norm({x.a, x.b, x.u, x.v});
    const Real m = (x.a + x.b) / 2, w = (x.u + x.v) / 2, s = sigma_;
    Real foot_m = m, foot_w = w;
    if (m * m + w * w / s > 2) {
      // foot = (m/(1+t), w/(1+t/σ)) with t >= 0 solving foot_m² + foot_w²/σ = 2 (decreasing in t).
      auto excess = [&](Real t) { return square(m / (1 + t)) + square(w / (1 + t / s)) / s - 2; };
      Real upper = 1;
      while (excess(upper) > 0)
        upper *= 2;
      std::uintmax_t iterations = 200;
      const auto bracket = boost::math::tools::toms748_solve(
          excess, Real(0), upper, boost::math::tools::eps_tolerance<Real>(), iterations);
      const Real t = (bracket.first + bracket.second) / 2;
      foot_m = m / (1 + t);
      foot_w = w / (1 + t / s);
    }
    return std::sqrt(square(x.a - foot_m) + square(x.b - foot_m) + square(x.u - foot_w) +
                     square(x.v - foot_w));
  }

private:
  double branch_limit() const {
    const double upper = 2.0 / sigma_;
    auto excess = [&](double delta) { return branch_(delta) - upper; };
    const double probe = 1e-6;
    if (!(branch_(probe) > 0 && excess(probe) < 0))
      throw invalid_parameter("branch xi(delta) near delta = 0", detail::to_text(branch_(probe)),
                              "(0, 2/sigma)");
    const double top = std::nextafter(2.0, 0.0);
    // The root finder needs a number at the far end: NaN or ±inf there gave a limit of 1e-6 or 2.
    if (!(std::isfinite(branch_(top)) && branch_(top) > 0))
      throw invalid_parameter("branch xi(delta) at delta = " + detail::to_text(top),
                              detail::to_text(branch_(top)), "a finite number > 0");
    double limit = 2.0;
    if (!(excess(top) < 0)) {
      std::uintmax_t iterations = 200;
      const auto bracket = boost::math::tools::toms748_solve(
          excess, probe, top, boost::math::tools::eps_tolerance<double>(), iterations);
      limit = bracket.first; // the left end keeps ξ(δ) inside (0, 2/σ) ...
      // ... also after rounding, a few ulps down; a branch still outside after 64 is no
      // continuous function there (NaN near the root), and the walk to 0 would not end.
      for (int ulps = 0; !(excess(limit) < 0); ++ulps) {
        if (ulps == 64)
          throw invalid_parameter("branch xi(delta) at delta = " + detail::to_text(limit),
                                  detail::to_text(branch_(limit)),
                                  "(0, 2/sigma) below its crossing of 2/sigma");
        limit = std::nextafter(limit, 0.0);
      }
    }
    // Values inside the family's range, sampled: a NaN or out-of-range value there is an error
    // now rather than at whichever δ a later solve happens to try.
    for (int k = 1; k < 64; ++k) {
      const double delta = probe + (limit - probe) * k / 64;
      if (!(branch_(delta) > 0 && excess(delta) < 0))
        throw invalid_parameter("branch xi(delta) at delta = " + detail::to_text(delta),
                                detail::to_text(branch_(delta)),
                                "(0, 2/sigma) for every delta below the admissible limit");
    }
    return limit;
  }

  double sigma_;
  Branch branch_;
  double limit_;
};

} // namespace gdcert
