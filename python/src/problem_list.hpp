// The eight problems the Python package binds, in one list: each binding file registers its
// overloads for every problem through for_each_problem.
#pragma once

#include <gdcert/problems/diagonal_approximation.hpp>
#include <gdcert/problems/matrix_factorization.hpp>
#include <gdcert/problems/quartic.hpp>
#include <gdcert/problems/rank1_approximation.hpp>
#include <gdcert/problems/rank1_factorization.hpp>
#include <gdcert/problems/regularized.hpp>
#include <gdcert/problems/scalar.hpp>
#include <gdcert/problems/scalar_vector.hpp>
// gdcert::sharpness of matrix_factorization above dense_sharpness_limit: Lanczos (Spectra).
#include <gdcert/stability/hessian_spectrum.hpp>

namespace gdcert::python {

/// Calls `f.template operator()<P>()` for each of the eight problems P.
template <class Function>
void for_each_problem(Function&& f) {
  f.template operator()<scalar_factorization>();
  f.template operator()<quartic_factorization>();
  f.template operator()<rank1_factorization>();
  f.template operator()<diagonal_approximation>();
  f.template operator()<scalar_vector_factorization>();
  f.template operator()<regularized_factorization>();
  f.template operator()<rank1_approximation>();
  f.template operator()<matrix_factorization>();
}

} // namespace gdcert::python
