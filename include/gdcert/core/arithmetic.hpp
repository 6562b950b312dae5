// What the library asks of a scalar type, and the few helpers that make one formula serve every one.
#pragma once

#include <gdcert/core/error.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <concepts>
#include <initializer_list>
#include <limits>
#include <type_traits>

namespace gdcert {

/// A fixed-size Eigen array used as a SIMD lane pack: one call of a map advances W points at once.
template <class T>
concept lane_pack = std::is_base_of_v<Eigen::ArrayBase<T>, T> &&(T::SizeAtCompileTime > 0);

/// Scalars on which the maps and certificates run: double, long double, exact rationals,
/// intervals and lane packs all qualify. Comparisons are not required (no value branches).
template <class T>
concept field_scalar = std::copyable<T> && requires(T x, T y) {
  { x + y } -> std::convertible_to<T>;
  { x - y } -> std::convertible_to<T>;
  { x* y } -> std::convertible_to<T>;
  { -x } -> std::convertible_to<T>;
};

/// Floating-point scalars for which sqrt, isfinite and root finding make sense.
template <class T>
concept real_floating = std::floating_point<T>;

/// Converts a parameter stored as double into the scalar T, exactly for every T the library
/// supports (a double is an exact dyadic rational). Lane packs get the value in every lane.
template <class T>
[[nodiscard]] inline T constant(double value) {
  if constexpr (lane_pack<T>)
    return T::Constant(value);
  else
    return T(value);
}

/// x * x, written once so every formula squares the same way.
template <class T>
[[nodiscard]] inline T square(const T& x) {
  return x * x;
}

/// Scalar type of an Eigen vector or matrix of T.
template <class T>
using vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
template <class T>
using matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

/// Inner product written as an explicit loop: it runs for scalars Eigen's reductions do not
/// support (lane packs, Boost rationals), and keeps the evaluation order fixed. Operands of
/// different sizes throw (one comparison per call, outside the loop), never read past a buffer.
template <class T>
[[nodiscard]] T dot(const vector<T>& x, const vector<T>& y) {
  require_dimension("vector operand size", y.size(), x.size());
  T sum = constant<T>(0.0);
  for (Eigen::Index i = 0; i < x.size(); ++i)
    sum = sum + x(i) * y(i);
  return sum;
}

template <class T>
[[nodiscard]] T squared_norm(const vector<T>& x) {
  return dot(x, x);
}

/// out = alpha * x + beta * y, coefficient-wise, with scalar (not vector) weights.
template <class T>
[[nodiscard]] vector<T> combine(const T& alpha, const vector<T>& x, const T& beta,
                                const vector<T>& y) {
  require_dimension("vector operand size", y.size(), x.size());
  vector<T> out(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i)
    out(i) = alpha * x(i) + beta * y(i);
  return out;
}

/// C = A * B by explicit loops (Eigen's GEMM rejects lane-pack and Boost-rational scalars).
template <class T>
[[nodiscard]] matrix<T> multiply(const matrix<T>& a, const matrix<T>& b) {
  require_dimension("matrix product inner size", b.rows(), a.cols());
  matrix<T> c(a.rows(), b.cols());
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    for (Eigen::Index j = 0; j < b.cols(); ++j) {
      T sum = constant<T>(0.0);
      for (Eigen::Index k = 0; k < a.cols(); ++k)
        sum = sum + a(i, k) * b(k, j);
      c(i, j) = sum;
    }
  return c;
}

/// A real number m·2^e with a mantissa m of the floating type Real and an exponent e of type long:
/// Real's precision without its overflow. The problems, certificates and balanced-dynamics
/// functions evaluate a formula once more over this type where its floating-point value is not
/// finite, so that an intermediate beyond the largest Real (a² past |a| ≈ 1.3e154 in double, then
/// ∞ − ∞ or 0·∞) never turns a finite state into NaN (issue #25). Each operation rounds its
/// mantissa as Real rounds the same operation on normal numbers (operands are only scaled by powers
/// of two), so a value that Real computes without overflow or underflow comes out the same.
template <std::floating_point Real>
class extended_range {
public:
  extended_range() = default;
  /// A plain number (implicit, so that literals and parameters mix with extended values).
  template <class Number>
  requires std::is_arithmetic_v<Number> extended_range(Number value)
      : extended_range(static_cast<Real>(value), 0) {}

  /// The value rounded to Real: ±∞ beyond Real's range, subnormal or 0 below it.
  [[nodiscard]] Real rounded() const { return std::scalbln(mantissa_, exponent_); }

  friend extended_range operator+(const extended_range& x, const extended_range& y) {
    if (x.mantissa_ == 0)
      return y;
    if (y.mantissa_ == 0)
      return x;
    if (x.exponent_ < y.exponent_)
      return y + x;
    return {x.mantissa_ + std::scalbln(y.mantissa_, y.exponent_ - x.exponent_), x.exponent_};
  }
  friend extended_range operator-(const extended_range& x) {
    extended_range out = x;
    out.mantissa_ = -out.mantissa_;
    return out;
  }
  friend extended_range operator-(const extended_range& x, const extended_range& y) {
    return x + (-y);
  }
  friend extended_range operator*(const extended_range& x, const extended_range& y) {
    return {x.mantissa_ * y.mantissa_, x.exponent_ + y.exponent_};
  }
  friend extended_range operator/(const extended_range& x, const extended_range& y) {
    return {x.mantissa_ / y.mantissa_, x.exponent_ - y.exponent_};
  }
  extended_range& operator+=(const extended_range& y) { return *this = *this + y; }
  extended_range& operator-=(const extended_range& y) { return *this = *this - y; }
  extended_range& operator*=(const extended_range& y) { return *this = *this * y; }
  extended_range& operator/=(const extended_range& y) { return *this = *this / y; }

  /// √x, found by ADL as `using std::sqrt; sqrt(x)` (an even exponent halves exactly).
  friend extended_range sqrt(const extended_range& x) {
    if (!(x.mantissa_ > 0 && std::isfinite(x.mantissa_)))
      return {std::sqrt(x.mantissa_), 0};
    const bool odd = x.exponent_ % 2 != 0;
    return {std::sqrt(odd ? 2 * x.mantissa_ : x.mantissa_), (x.exponent_ - (odd ? 1 : 0)) / 2};
  }
  friend extended_range abs(const extended_range& x) { return x.mantissa_ < 0 ? -x : x; }
  friend bool isfinite(const extended_range& x) { return std::isfinite(x.mantissa_); }

  friend bool operator==(const extended_range& x, const extended_range& y) {
    return (x - y).mantissa_ == 0;
  }
  friend bool operator<(const extended_range& x, const extended_range& y) {
    return (x - y).mantissa_ < 0;
  }
  friend bool operator>(const extended_range& x, const extended_range& y) { return y < x; }
  friend bool operator<=(const extended_range& x, const extended_range& y) {
    return (x - y).mantissa_ <= 0;
  }
  friend bool operator>=(const extended_range& x, const extended_range& y) { return y <= x; }

private:
  /// mantissa·2^exponent, normalized so that the mantissa lies in [1/2, 1) in magnitude (or is 0,
  /// ±∞ or NaN, with exponent 0).
  extended_range(Real mantissa, long exponent) {
    int shift = 0;
    mantissa_ = std::frexp(mantissa, &shift);
    exponent_ = (mantissa_ == 0 || !std::isfinite(mantissa_)) ? 0 : exponent + shift;
  }

  Real mantissa_ = 0;
  long exponent_ = 0;
};

/// The same value over extended_range (exactly), for the formulas' second evaluation.
template <std::floating_point Real>
[[nodiscard]] extended_range<Real> extend_range(Real x) {
  return x;
}
template <std::floating_point Real>
[[nodiscard]] vector<extended_range<Real>> extend_range(const vector<Real>& x) {
  vector<extended_range<Real>> out(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i)
    out(i) = x(i);
  return out;
}
template <std::floating_point Real>
[[nodiscard]] matrix<extended_range<Real>> extend_range(const matrix<Real>& x) {
  matrix<extended_range<Real>> out(x.rows(), x.cols());
  for (Eigen::Index i = 0; i < x.size(); ++i)
    out(i) = x(i);
  return out;
}

/// An extended value rounded back to Real (±∞ only where the value itself is beyond Real's range).
template <std::floating_point Real>
[[nodiscard]] Real round_to_real(const extended_range<Real>& x) {
  return x.rounded();
}
template <std::floating_point Real>
[[nodiscard]] vector<Real> round_to_real(const vector<extended_range<Real>>& x) {
  vector<Real> out(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i)
    out(i) = x(i).rounded();
  return out;
}
template <std::floating_point Real>
[[nodiscard]] matrix<Real> round_to_real(const matrix<extended_range<Real>>& x) {
  matrix<Real> out(x.rows(), x.cols());
  for (Eigen::Index i = 0; i < x.size(); ++i)
    out(i) = x(i).rounded();
  return out;
}

/// Whether every coefficient of a floating-point result is finite: the test that sends a formula
/// to its extended_range evaluation.
template <std::floating_point Real>
[[nodiscard]] bool all_finite(Real x) {
  return std::isfinite(x);
}
template <std::floating_point Real, int Rows, int Columns>
[[nodiscard]] bool all_finite(const Eigen::Matrix<Real, Rows, Columns>& x) {
  return x.allFinite();
}

/// The binary exponent e (std::ilogb) of the largest |xᵢ| when that is at least 2^(max_exponent/4)
/// (2^256 in double), else 0. Beyond it, formulas that square the coordinates run on x·2^−e, an
/// exact power-of-two scaling whose largest coordinate lies in [1, 2); below it they run unchanged
/// (their squares and the solvers' intermediates stay finite), so results there keep their bits.
template <std::floating_point Real>
[[nodiscard]] int magnitude_exponent(std::initializer_list<Real> largest_magnitudes) {
  Real largest = 0;
  for (const Real value : largest_magnitudes) {
    using std::abs;
    largest = std::max(largest, abs(value));
  }
  constexpr int threshold = std::numeric_limits<Real>::max_exponent / 4;
  if (!std::isfinite(largest) || largest < std::scalbn(Real(1), threshold))
    return 0;
  return std::ilogb(largest);
}
/// The largest |xᵢ| of a vector (NaN if one is NaN).
template <std::floating_point Real>
[[nodiscard]] Real largest_magnitude(const vector<Real>& x) {
  Real largest = 0;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    using std::abs;
    if (std::isnan(x(i)))
      return x(i);
    largest = std::max(largest, abs(x(i)));
  }
  return largest;
}

namespace detail {
/// √(Σ xᵢ²) over a range of Real, with the coordinates scaled by 2^−e, e the exponent of the
/// largest |xᵢ|, before squaring (as std::hypot does): neither the squares nor their sum overflow or
/// all underflow, so the norm is finite wherever it is representable. The scaling is exact, so in
/// the range where the plain sum of squares neither overflows nor underflows the result is the
/// same as √(Σ xᵢ²).
template <std::floating_point Real, class Range>
[[nodiscard]] Real scaled_norm_of(const Range& values) {
  Real largest = 0;
  for (const Real value : values) {
    using std::abs;
    if (std::isnan(value))
      return value;
    largest = std::max(largest, abs(value));
  }
  if (largest == 0 || !std::isfinite(largest))
    return largest;
  const int exponent = std::ilogb(largest);
  Real sum = 0;
  for (const Real value : values)
    sum += square(std::scalbn(value, -exponent));
  using std::sqrt;
  return std::scalbn(sqrt(sum), exponent);
}
} // namespace detail

/// Euclidean norm without overflow of the squares (the one scaled norm of the library, used by every
/// distance and by the terminal-set projections): +∞ only where the norm itself exceeds Real's range.
template <std::floating_point Real>
[[nodiscard]] Real scaled_norm(const vector<Real>& x) {
  return detail::scaled_norm_of<Real>(x);
}
template <std::floating_point Real>
[[nodiscard]] Real scaled_norm(std::initializer_list<Real> x) {
  return detail::scaled_norm_of<Real>(x);
}

/// Converts a double vector or matrix to scalar T, coefficient by coefficient (exactly).
template <class T, class Derived>
[[nodiscard]] Eigen::Matrix<T, Derived::RowsAtCompileTime, Derived::ColsAtCompileTime>
cast_to(const Eigen::MatrixBase<Derived>& m) {
  Eigen::Matrix<T, Derived::RowsAtCompileTime, Derived::ColsAtCompileTime> out(m.rows(), m.cols());
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j)
      out(i, j) = constant<T>(double(m(i, j)));
  return out;
}

/// Largest eigenvalue of the symmetric [[αI, C], [Cᵀ, βI]] whose block C has spectral norm s:
/// (α + β)/2 + √(((α − β)/2)² + s²), the larger root written without cancellation. With 1 × 1
/// blocks it is the closed form of a symmetric 2 × 2 matrix [[α, c], [c, β]] (s = |c|). Square
/// roots of sums of squares, not hypot: this runs once per point of a sweep, and entries beyond
/// 1e150 (where the squares overflow to +∞) are outside every sweep's escape bound; the problems'
/// sharpness members evaluate it again over extended_range where it does not come out finite.
template <class Real>
[[nodiscard]] Real largest_block_eigenvalue(Real alpha, Real beta, Real s) {
  using std::sqrt;
  return (alpha + beta) / 2 + sqrt(square((alpha - beta) / 2) + s * s);
}

} // namespace gdcert

namespace Eigen {
/// Lets extended_range values be coefficients of Eigen vectors and matrices (a problem's
/// coordinates and Hessian in the second evaluation).
template <class Mantissa>
struct NumTraits<gdcert::extended_range<Mantissa>>
    : GenericNumTraits<gdcert::extended_range<Mantissa>> {
  using Real = gdcert::extended_range<Mantissa>;
  using NonInteger = gdcert::extended_range<Mantissa>;
  using Nested = gdcert::extended_range<Mantissa>;
  using Literal = double;
  enum {
    IsComplex = 0,
    IsInteger = 0,
    IsSigned = 1,
    RequireInitialization = 1,
    ReadCost = 2,
    AddCost = 8,
    MulCost = 4
  };
};
} // namespace Eigen
