// Matrix scale (opt-in, not in <gdcert/gdcert.hpp>): the matrix problems (factorization ½‖BAᵀ − X‖²_F, sensing, completion; docs/formulas.md §11-12) with their allocation-free steps, and the matrix-free Hessian spectrum (Lanczos on Hessian-vector products, Spectra), which gdcert::sharpness, classify, the sweeps and is_minimizer's second-order test use above dense_sharpness_limit coordinates.
#pragma once

#include <gdcert/problems/matrix_completion.hpp>
#include <gdcert/problems/matrix_factorization.hpp>
#include <gdcert/problems/matrix_sensing.hpp>
#include <gdcert/stability/hessian_spectrum.hpp>
