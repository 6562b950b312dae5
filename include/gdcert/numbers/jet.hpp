// Opt-in adapter: forward-mode first derivatives (value + gradient in N seeds) over any gdcert scalar.
#pragma once

#include <gdcert/core/arithmetic.hpp>

#include <Eigen/Core>

#include <array>
#include <cmath>
#include <concepts>
#include <type_traits>

namespace gdcert {

/// A value of T with its partial derivatives with respect to N seed variables. Every map and
/// certificate of gdcert runs on jet<T, N> unchanged (they use +, −, ×, ÷ and constant<T>), so
/// one evaluation gives f and ∇f; over gdcert::interval it encloses both over a box (the
/// mean-value form of analysis/rigorous_scan.hpp), over gdcert::rational it is exact.
template <class T, int N>
struct jet {
  T value;
  std::array<T, N> derivative;

  jet() : value(constant<T>(0.0)) { derivative.fill(constant<T>(0.0)); }
  /// A constant (zero derivatives): what constant<jet>(c) builds (for T = double the next
  /// constructor does it).
  explicit jet(double c) requires(!std::same_as<T, double>) : value(constant<T>(c)) {
    derivative.fill(constant<T>(0.0));
  }
  explicit jet(const T& v) : value(v) { derivative.fill(constant<T>(0.0)); }
  /// Value v, derivatives left for the caller to write (the arithmetic below writes each once).
  struct uninitialized {};
  jet(const T& v, uninitialized) : value(v) {}
  /// The seed variable number `seed` with value v.
  [[nodiscard]] static jet variable(const T& v, int seed) {
    jet out(v);
    out.derivative[static_cast<std::size_t>(seed)] = constant<T>(1.0);
    return out;
  }
};

template <class T, int N>
[[nodiscard]] jet<T, N> operator+(const jet<T, N>& x, const jet<T, N>& y) {
  jet<T, N> out(x.value + y.value, typename jet<T, N>::uninitialized{});
  for (int i = 0; i < N; ++i)
    out.derivative[i] = x.derivative[i] + y.derivative[i];
  return out;
}

template <class T, int N>
[[nodiscard]] jet<T, N> operator-(const jet<T, N>& x, const jet<T, N>& y) {
  jet<T, N> out(x.value - y.value, typename jet<T, N>::uninitialized{});
  for (int i = 0; i < N; ++i)
    out.derivative[i] = x.derivative[i] - y.derivative[i];
  return out;
}

template <class T, int N>
[[nodiscard]] jet<T, N> operator-(const jet<T, N>& x) {
  jet<T, N> out(-x.value);
  for (int i = 0; i < N; ++i)
    out.derivative[i] = -x.derivative[i];
  return out;
}

/// (xy)' = x'y + xy'. `x.value * y.value` keeps the operands' identity, so the interval adapter
/// still sees `x * x` as a square.
template <class T, int N>
[[nodiscard]] jet<T, N> operator*(const jet<T, N>& x, const jet<T, N>& y) {
  jet<T, N> out(x.value * y.value, typename jet<T, N>::uninitialized{});
  if (&x == &y) { // x·x: (x²)' = 2x·x' (the branch folds away once inlined)
    const T twice = x.value + x.value;
    for (int i = 0; i < N; ++i)
      out.derivative[i] = twice * x.derivative[i];
  } else {
    for (int i = 0; i < N; ++i)
      out.derivative[i] = x.derivative[i] * y.value + x.value * y.derivative[i];
  }
  return out;
}

/// (x/y)' = (x' − (x/y)y')/y.
template <class T, int N>
[[nodiscard]] jet<T, N> operator/(const jet<T, N>& x, const jet<T, N>& y) {
  jet<T, N> out(x.value / y.value);
  for (int i = 0; i < N; ++i)
    out.derivative[i] = (x.derivative[i] - out.value * y.derivative[i]) / y.value;
  return out;
}

/// Plain numbers (the literals of a user's loss, `x - 1`, `0.5 * r * r`) mix with jets as
/// constants: their derivative is zero, so they touch only the value (or scale the derivatives).
template <class A>
concept plain_number = std::is_arithmetic_v<A>;

template <class T, int N, plain_number A>
[[nodiscard]] jet<T, N> operator+(const jet<T, N>& x, A a) {
  jet<T, N> out = x;
  out.value = x.value + a;
  return out;
}
template <class T, int N, plain_number A>
[[nodiscard]] jet<T, N> operator+(A a, const jet<T, N>& x) {
  return x + a;
}
template <class T, int N, plain_number A>
[[nodiscard]] jet<T, N> operator-(const jet<T, N>& x, A a) {
  jet<T, N> out = x;
  out.value = x.value - a;
  return out;
}
template <class T, int N, plain_number A>
[[nodiscard]] jet<T, N> operator-(A a, const jet<T, N>& x) {
  jet<T, N> out = -x;
  out.value = a - x.value;
  return out;
}
template <class T, int N, plain_number A>
[[nodiscard]] jet<T, N> operator*(const jet<T, N>& x, A a) {
  jet<T, N> out(x.value * a, typename jet<T, N>::uninitialized{});
  for (int i = 0; i < N; ++i)
    out.derivative[i] = x.derivative[i] * a;
  return out;
}
template <class T, int N, plain_number A>
[[nodiscard]] jet<T, N> operator*(A a, const jet<T, N>& x) {
  return x * a;
}
template <class T, int N, plain_number A>
[[nodiscard]] jet<T, N> operator/(const jet<T, N>& x, A a) {
  jet<T, N> out(x.value / a);
  for (int i = 0; i < N; ++i)
    out.derivative[i] = x.derivative[i] / a;
  return out;
}
template <class T, int N, plain_number A>
[[nodiscard]] jet<T, N> operator/(A a, const jet<T, N>& x) {
  return jet<T, N>(constant<T>(static_cast<double>(a))) / x;
}

/// √x with (√x)' = x'/(2√x) (found by ADL, as `using std::sqrt; sqrt(x)` in the library).
template <class T, int N>
[[nodiscard]] jet<T, N> sqrt(const jet<T, N>& x) {
  using std::sqrt;
  jet<T, N> out(sqrt(x.value));
  const T twice = constant<T>(2.0) * out.value;
  for (int i = 0; i < N; ++i)
    out.derivative[i] = x.derivative[i] / twice;
  return out;
}

} // namespace gdcert

namespace Eigen {
/// Lets jets be coefficients of Eigen vectors (a problem's coordinates).
template <class T, int N>
struct NumTraits<gdcert::jet<T, N>> : GenericNumTraits<gdcert::jet<T, N>> {
  using Real = gdcert::jet<T, N>;
  using NonInteger = gdcert::jet<T, N>;
  using Nested = gdcert::jet<T, N>;
  using Literal = double;
  enum {
    IsComplex = 0,
    IsInteger = 0,
    IsSigned = 1,
    RequireInitialization = 1,
    ReadCost = N + 1,
    AddCost = N + 1,
    MulCost = 2 * N + 1
  };
};
} // namespace Eigen
