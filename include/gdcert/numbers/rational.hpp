// Opt-in adapter: exact rational scalars (Boost.Multiprecision cpp_rational) for identity tests.
#pragma once

#include <boost/multiprecision/cpp_int.hpp>
#include <boost/multiprecision/eigen.hpp> // Eigen::NumTraits for Boost.Multiprecision numbers

namespace gdcert {

/// Exact rational numbers. Expression templates are off so that `auto` and Eigen containers
/// hold values, not expressions. Every map and certificate of gdcert evaluates exactly in this type
/// (they are polynomials); Eigen's matrix products are not used on it (Boost 1.74 + Eigen 3.4
/// cannot instantiate them), which is why the library multiplies matrices with gdcert::multiply.
using rational = boost::multiprecision::number<boost::multiprecision::cpp_rational_backend,
                                               boost::multiprecision::et_off>;

} // namespace gdcert
