// Opt-in adapter: rigorous double intervals (Boost.Interval with outward rounding) as the scalar of every map and certificate.
#pragma once

#include <gdcert/core/arithmetic.hpp>

#include <boost/numeric/interval.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace gdcert {

// Why Boost.Interval (Debian: libboost-dev, already a dependency through Boost.Math and
// Boost.Multiprecision) and why this rounding policy:
//  * Boost.Interval is a maintained, header-only, policy-based interval library whose arithmetic
//    (sign-case multiplication, division by intervals containing 0, tight `square`, `sqrt`) is
//    written once against a rounding policy; MPFI/Arb would add a C library and a multiprecision
//    type that Eigen and the maps do not need.
//  * Its default policy switches the FPU rounding mode (fesetround-like) around every operation.
//    GCC does not honour FENV_ACCESS: without -frounding-math it may constant-fold or move
//    floating-point operations across the mode switch, so rigour would depend on the consumer's
//    compiler flags. `outward_rounding` never touches the floating-point environment: each bound
//    is computed in the default round-to-nearest mode and then moved one ulp outward. IEEE 754
//    +, −, ×, ÷ and √ are correctly rounded (error <= ½ ulp, also on underflow), so the moved
//    bound is a valid lower/upper bound; overflow to ±inf moves to ±DBL_MAX on the inner side.
//    It is thread-safe, costs no mode switch, and is at most one ulp wider per operation than
//    directed rounding. It assumes round-to-nearest, which gdcert never changes.
//  * Results that are exact for free (a zero operand) are not widened, so exact constants stay
//    points.

namespace detail {

/// The next double above x (x itself for +inf and NaN): bit arithmetic, no call, no FP state.
[[nodiscard]] inline double next_up(double x) noexcept {
  if (x != x || x == std::numeric_limits<double>::infinity())
    return x;
  if (x == 0)
    return std::numeric_limits<double>::denorm_min();
  const auto bits = std::bit_cast<std::uint64_t>(x);
  return std::bit_cast<double>(x > 0 ? bits + 1 : bits - 1);
}

/// The next double below x.
[[nodiscard]] inline double next_down(double x) noexcept {
  return -next_up(-x);
}

} // namespace detail

/// Boost.Interval rounding policy: round to nearest, then one ulp outward (see above).
struct outward_rounding {
  template <class U>
  [[nodiscard]] double conv_down(const U& v) const {
    static_assert(std::is_same_v<U, double> || std::is_same_v<U, float> ||
                      (std::is_integral_v<U> && sizeof(U) <= 4),
                  "only exactly representable conversions");
    return static_cast<double>(v);
  }
  template <class U>
  [[nodiscard]] double conv_up(const U& v) const {
    return conv_down(v);
  }
  [[nodiscard]] double add_down(double x, double y) const {
    return x == 0 ? y : y == 0 ? x : detail::next_down(x + y);
  }
  [[nodiscard]] double add_up(double x, double y) const {
    return x == 0 ? y : y == 0 ? x : detail::next_up(x + y);
  }
  [[nodiscard]] double sub_down(double x, double y) const { return add_down(x, -y); }
  [[nodiscard]] double sub_up(double x, double y) const { return add_up(x, -y); }
  [[nodiscard]] double mul_down(double x, double y) const {
    return x == 0 || y == 0 ? 0.0 : detail::next_down(x * y);
  }
  [[nodiscard]] double mul_up(double x, double y) const {
    return x == 0 || y == 0 ? 0.0 : detail::next_up(x * y);
  }
  [[nodiscard]] double div_down(double x, double y) const {
    return x == 0 ? 0.0 : detail::next_down(x / y);
  }
  [[nodiscard]] double div_up(double x, double y) const {
    return x == 0 ? 0.0 : detail::next_up(x / y);
  }
  [[nodiscard]] double median(double x, double y) const { return (x + y) / 2; }
  [[nodiscard]] double sqrt_down(double x) const {
    return x == 0 ? 0.0 : std::max(0.0, detail::next_down(std::sqrt(x)));
  }
  [[nodiscard]] double sqrt_up(double x) const {
    return x == 0 ? 0.0 : detail::next_up(std::sqrt(x));
  }
  [[nodiscard]] double int_down(double x) const { return std::floor(x); }
  [[nodiscard]] double int_up(double x) const { return std::ceil(x); }
};

/// A closed interval [lower, upper] of doubles that contains every real value the expression can
/// take. Comparisons use Boost's default: true or false when certain, otherwise they throw
/// boost::numeric::interval_lib::comparison_error (never a silent "possibly").
using interval = boost::numeric::interval<
    double, boost::numeric::interval_lib::policies<
                outward_rounding, boost::numeric::interval_lib::checking_base<double>>>;

namespace detail {
/// Every bound NaN (an undefined operation such as 0 · inf) becomes the whole line: never a
/// silently dropped bound.
[[nodiscard]] inline interval checked_interval(double lower, double upper) {
  if (lower != lower || upper != upper)
    return interval(-std::numeric_limits<double>::infinity(),
                    std::numeric_limits<double>::infinity());
  return interval(lower, upper);
}
} // namespace detail

// +, − and × for gdcert::interval, found by ADL (outward_rounding lives in gdcert) and preferred
// over Boost's templates as non-template exact matches. They compute the same enclosures with
// fewer branches and roundings (the verifier of analysis/rigorous_scan.hpp spends most of its time
// here): a sum rounds each bound once; a product takes the extreme of the four nearest-rounded
// corner products and moves it one ulp outward, which is valid because rounding to nearest is
// monotone and within half an ulp.

[[nodiscard]] inline interval operator+(const interval& x, const interval& y) {
  const outward_rounding r;
  return detail::checked_interval(r.add_down(x.lower(), y.lower()), r.add_up(x.upper(), y.upper()));
}

[[nodiscard]] inline interval operator-(const interval& x, const interval& y) {
  const outward_rounding r;
  return detail::checked_interval(r.sub_down(x.lower(), y.upper()), r.sub_up(x.upper(), y.lower()));
}

/// x · y. When both operands are the same object (the maps write `x.a * x.a`), the product is a
/// square and its range is {t² : t ∈ x}: the tight square, not the product of two independent
/// copies (which would let [−1, 1]·[−1, 1] = [−1, 1]).
[[nodiscard]] inline interval operator*(const interval& x, const interval& y) {
  if (&x == &y)
    return boost::numeric::square(x);
  const double a = x.lower(), b = x.upper(), c = y.lower(), d = y.upper();
  if ((a == 0 && b == 0) || (c == 0 && d == 0))
    return interval(0.0);
  const double ac = a * c, ad = a * d, bc = b * c, bd = b * d;
  if (ac != ac || ad != ad || bc != bc || bd != bd)
    return detail::checked_interval(ac + ad + bc + bd, 0.0); // 0 · inf: the whole line
  // A zero corner is exact only when a factor is 0; a product that underflowed to 0 is not.
  const bool underflow = (ac == 0 && a != 0 && c != 0) || (ad == 0 && a != 0 && d != 0) ||
                         (bc == 0 && b != 0 && c != 0) || (bd == 0 && b != 0 && d != 0);
  const double low = std::min(std::min(ac, ad), std::min(bc, bd));
  const double high = std::max(std::max(ac, ad), std::max(bc, bd));
  return interval(low == 0 && !underflow ? 0.0 : detail::next_down(low),
                  high == 0 && !underflow ? 0.0 : detail::next_up(high));
}

/// The tight square for intervals (core/arithmetic.hpp's square is x · x; this overload is found by
/// ADL and preferred over the template).
[[nodiscard]] inline interval square(const interval& x) {
  return boost::numeric::square(x);
}

/// The largest |t| over t ∈ x (Boost's `norm`), as a double upper bound.
[[nodiscard]] inline double magnitude(const interval& x) {
  return boost::numeric::norm(x);
}

/// True iff the value of every point of x is finite (no overflow, no division by 0).
[[nodiscard]] inline bool bounded(const interval& x) {
  return std::isfinite(x.lower()) && std::isfinite(x.upper());
}

/// [c − r, c + r] for doubles c and r >= 0, rounded outward.
[[nodiscard]] inline interval hull_around(double centre, double radius) {
  return interval(centre) + interval(-radius, radius);
}

} // namespace gdcert

namespace Eigen {
/// Lets intervals be coefficients of Eigen vectors and matrices (coordinates, Jacobians).
template <>
struct NumTraits<gdcert::interval> : GenericNumTraits<gdcert::interval> {
  using Real = gdcert::interval;
  using NonInteger = gdcert::interval;
  using Nested = gdcert::interval;
  using Literal = double;
  enum {
    IsComplex = 0,
    IsInteger = 0,
    IsSigned = 1,
    RequireInitialization = 1,
    ReadCost = 2,
    AddCost = 4,
    MulCost = 8
  };
  static inline int digits10() { return std::numeric_limits<double>::digits10; }
  static inline Real epsilon() { return Real(std::numeric_limits<double>::epsilon()); }
  static inline Real dummy_precision() { return Real(1e-12); }
  static inline Real highest() { return Real(std::numeric_limits<double>::max()); }
  static inline Real lowest() { return Real(std::numeric_limits<double>::lowest()); }
  static inline Real infinity() { return Real(std::numeric_limits<double>::infinity()); }
  static inline Real quiet_NaN() { return Real(std::numeric_limits<double>::quiet_NaN()); }
};
} // namespace Eigen
