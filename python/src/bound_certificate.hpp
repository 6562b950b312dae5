// A certificate as Python holds it: the C++ certificate with a copy of the problem it was built
// from (for the state layout), so engines (sweep, trajectories) can take it back.
#pragma once

#include <gdcert/certificates/approximation.hpp>
#include <gdcert/certificates/factorization.hpp>
#include <gdcert/certificates/scalar.hpp>
#include <gdcert/certificates/scalar_vector.hpp>
#include <gdcert/certificates/two_parameter.hpp>
#include <gdcert/core/error.hpp>

#include <pybind11/pybind11.h>

#include <string>
#include <type_traits>

namespace gdcert::python {

template <class Certificate, class Problem>
struct bound_certificate {
  using certificate_type = Certificate;
  using problem_type = Problem;
  Problem problem;
  Certificate certificate;
  explicit bound_certificate(const Problem& p) : problem(p), certificate(p) {}
};

using scalar_bound = bound_certificate<scalar_certificate, scalar_factorization>;
using scalar_vector_bound =
    bound_certificate<scalar_vector_certificate, scalar_vector_factorization>;
using factorization_bound = bound_certificate<factorization_certificate, rank1_factorization>;
using approximation_bound = bound_certificate<approximation_certificate, rank1_approximation>;
using two_parameter_bound =
    bound_certificate<two_parameter_certificate<approximation_branch>, diagonal_approximation>;
using two_parameter_factorization_bound =
    bound_certificate<two_parameter_certificate<factorization_branch>, diagonal_approximation>;

/// The certificate the engines (classify, trajectories, sweep) accept for a problem: the closed
/// form δ(x) ones; `void` where there is none (the two-parameter family's δ is a root solve).
template <class Problem>
struct certificate_for {
  using type = void;
};
template <>
struct certificate_for<scalar_factorization> {
  using type = scalar_bound;
};
template <>
struct certificate_for<scalar_vector_factorization> {
  using type = scalar_vector_bound;
};
template <>
struct certificate_for<rank1_factorization> {
  using type = factorization_bound;
};
template <>
struct certificate_for<rank1_approximation> {
  using type = approximation_bound;
};

/// Calls `f(certificate)` with the C++ certificate held by the Python object `certificate`, or
/// `f(no_certificate{})`-style `none()` when it is None. Throws gdcert::invalid_parameter when
/// the object is not the certificate of this problem.
template <class Problem, class None, class Function>
decltype(auto) with_certificate(const pybind11::object& certificate, None none, Function f) {
  using bound = typename certificate_for<Problem>::type;
  if (certificate.is_none())
    return none();
  if constexpr (!std::is_void_v<bound>) {
    if (pybind11::isinstance<bound>(certificate))
      return f(certificate.cast<const bound&>().certificate);
    throw invalid_parameter("certificate", std::string(pybind11::str(certificate.get_type())),
                            std::string("None or a ") +
                                std::string(pybind11::str(pybind11::type::of<bound>())) +
                                " of this problem");
  } else {
    throw invalid_parameter("certificate", std::string(pybind11::str(certificate.get_type())),
                            "None (the engines take no certificate for this problem)");
  }
}

} // namespace gdcert::python
