// Shared test fixtures: seeded random rationals and states for every problem, scalar conversions.
#pragma once

#include <gdcert/gdcert.hpp>
#include <gdcert/matrix.hpp>
#include <gdcert/numbers/lanes.hpp>
#include <gdcert/numbers/rational.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>

namespace gdcert::test {

/// Bit-for-bit equality of two contiguous containers (std::vector, Eigen vectors), NaN payloads
/// included: what "bit-identical for any thread count" means in the engines' tests.
template <class Container>
bool same_bits(const Container& x, const Container& y) {
  return x.size() == y.size() &&
         std::memcmp(x.data(), y.data(), sizeof(*x.data()) * static_cast<std::size_t>(x.size())) ==
             0;
}

/// Number of random points each exact identity is checked at (issue #2: at least 200).
inline constexpr int exact_points = 200;

/// True under AddressSanitizer (GCC: __SANITIZE_ADDRESS__; Clang: __has_feature): the largest
/// instance of a few tests, which takes tens of seconds there and is the same code as the smaller
/// ones, runs in the Release suite only (CI runs both).
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool sanitized_build = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool sanitized_build = true;
#else
inline constexpr bool sanitized_build = false;
#endif
#else
inline constexpr bool sanitized_build = false;
#endif

/// Counter-based seeding: the same test always sees the same points.
inline std::mt19937_64 generator(std::uint64_t stream) {
  return std::mt19937_64(0x9dc5u + 7919u * stream);
}

/// A random rational p/q with |p/q| <= bound, q in [1, 97]: non-dyadic on purpose.
inline rational random_rational(std::mt19937_64& rng, int bound = 3) {
  std::uniform_int_distribution<int> denominator(1, 97);
  const int q = denominator(rng);
  std::uniform_int_distribution<int> numerator(-bound * q, bound * q);
  return rational(numerator(rng)) / q;
}

/// A random dyadic k/2^bits in (lower, upper): exactly representable as a double parameter.
inline double random_dyadic(std::mt19937_64& rng, double lower, double upper, int bits = 12) {
  const double scale = std::ldexp(1.0, bits);
  std::uniform_int_distribution<long> k(static_cast<long>(std::ceil(lower * scale)) + 1,
                                        static_cast<long>(std::floor(upper * scale)) - 1);
  return static_cast<double>(k(rng)) / scale;
}

inline double uniform(std::mt19937_64& rng, double lower, double upper) {
  return std::uniform_real_distribution<double>(lower, upper)(rng);
}

template <class T>
T from_rational(const rational& x) {
  if constexpr (std::is_same_v<T, rational>)
    return x;
  else
    return static_cast<T>(x);
}

/// Random rational coordinates, turned into the problem's state type over T.
template <class T, class Problem>
typename Problem::template state<T> random_state(const Problem& problem, std::mt19937_64& rng,
                                                 int bound = 3) {
  vector<T> c(problem.dimension());
  for (Eigen::Index i = 0; i < c.size(); ++i)
    c(i) = from_rational<T>(random_rational(rng, bound));
  return problem.template from_coordinates<T>(c);
}

/// Coordinates converted to double (exactly for double inputs, rounded for rationals).
template <class Problem, class State>
Eigen::VectorXd as_double(const Problem& problem, const State& x) {
  const auto c = problem.coordinates(x);
  Eigen::VectorXd out(c.size());
  for (Eigen::Index i = 0; i < c.size(); ++i)
    out(i) = static_cast<double>(c(i));
  return out;
}

/// One sample problem of every kind, with dyadic parameters so that doubles are exact rationals.
inline scalar_factorization sample_scalar(std::mt19937_64& rng) {
  return scalar_factorization(random_dyadic(rng, 0, 2), random_dyadic(rng, 0.25, 4));
}
inline scalar_vector_factorization sample_scalar_vector(std::mt19937_64& rng) {
  return scalar_vector_factorization(random_dyadic(rng, 0, 2), 3);
}
inline regularized_factorization sample_regularized(std::mt19937_64& rng) {
  return regularized_factorization(random_dyadic(rng, 0, 2), 3, random_dyadic(rng, -2, 2),
                                   random_dyadic(rng, 0, 1));
}
inline rank1_factorization sample_factorization(std::mt19937_64& rng) {
  return rank1_factorization(random_dyadic(rng, 0, 2));
}
inline rank1_approximation sample_approximation(std::mt19937_64& rng) {
  return rank1_approximation(random_dyadic(rng, 0, 2), 2);
}
inline rank1_approximation sample_general_approximation(std::mt19937_64& rng) {
  Eigen::VectorXd s(3);
  s << random_dyadic(rng, 0, 3), random_dyadic(rng, 0, 3), random_dyadic(rng, 0, 3);
  return rank1_approximation(random_dyadic(rng, 0, 2), s, random_dyadic(rng, 0, 1));
}
inline diagonal_approximation sample_diagonal(std::mt19937_64& rng) {
  return diagonal_approximation(random_dyadic(rng, 0, 2), random_dyadic(rng, 0, 1));
}
inline quartic_factorization sample_quartic(std::mt19937_64& rng) {
  return quartic_factorization(random_dyadic(rng, 0, 2), random_dyadic(rng, -1, 1));
}
inline matrix_factorization sample_matrix(std::mt19937_64& rng) {
  Eigen::MatrixXd x(3, 2);
  for (Eigen::Index i = 0; i < x.size(); ++i)
    x(i) = random_dyadic(rng, -2, 2);
  return matrix_factorization(random_dyadic(rng, 0, 2), x, 2, random_dyadic(rng, 0, 1));
}

} // namespace gdcert::test
