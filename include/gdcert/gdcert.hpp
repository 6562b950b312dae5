// Umbrella header: every problem, certificate, dynamics and stability tool of gdcert (scalar adapters in gdcert/scalar/ are opt-in).
#pragma once

#include <gdcert/core/error.hpp>
#include <gdcert/core/scalar.hpp>
#include <gdcert/version.hpp>

#include <gdcert/problems/diagonal_approximation.hpp>
#include <gdcert/problems/matrix_factorization.hpp>
#include <gdcert/problems/problem.hpp>
#include <gdcert/problems/quartic.hpp>
#include <gdcert/problems/rank1_approximation.hpp>
#include <gdcert/problems/rank1_factorization.hpp>
#include <gdcert/problems/rank1_reduction.hpp>
#include <gdcert/problems/regularized.hpp>
#include <gdcert/problems/scalar.hpp>
#include <gdcert/problems/scalar_vector.hpp>

#include <gdcert/certificates/approximation.hpp>
#include <gdcert/certificates/certificate.hpp>
#include <gdcert/certificates/factorization.hpp>
#include <gdcert/certificates/liang_montufar.hpp>
#include <gdcert/certificates/scalar.hpp>
#include <gdcert/certificates/scalar_vector.hpp>
#include <gdcert/certificates/state_parameter.hpp>
#include <gdcert/certificates/threshold.hpp>
#include <gdcert/certificates/two_parameter.hpp>

#include <gdcert/dynamics/quotient_map.hpp>
#include <gdcert/dynamics/residual_map.hpp>
#include <gdcert/dynamics/terminal.hpp>

#include <gdcert/stability/critical_step.hpp>
#include <gdcert/stability/fixed_quadratic.hpp>
#include <gdcert/stability/periodic_orbit.hpp>
#include <gdcert/stability/rank1_spectra.hpp>
#include <gdcert/stability/uniqueness.hpp>
