// Umbrella header: every problem, certificate, dynamics, stability and analysis tool of gdcert
// for the papers' own world (states of a few coordinates).
//
// Opt-in, not included here (each costs compile time that only its callers should pay; the
// compile-time report in docs/performance.md measures them): matrix scale (<gdcert/matrix.hpp>:
// matrix factorization, sensing and completion, and the matrix-free Hessian spectrum by Lanczos,
// which brings in Spectra), the output writers (<gdcert/io.hpp>:
// CSV, NPY, provenance; io/png.hpp needs the stb headers, Debian libstb-dev), the scalar adapters in
// gdcert/numbers/ (rational, lanes, interval, jet), and the engines of single appendices:
// analysis/boundary_scan.hpp (with directions.hpp and ray_polynomial.hpp: the App. L/M inwardness
// scans and pass/fail maps), analysis/rigorous_scan.hpp (their interval proof) and
// analysis/box_counting.hpp (fractal dimension of basin boundaries); and the jobs of jobs/ (the
// engines' work as items on threads or MPI ranks, with checkpoints).
#pragma once

#include <gdcert/core/arithmetic.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/version.hpp>

#include <gdcert/problems/diagonal_approximation.hpp>
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

#include <gdcert/analysis/classify.hpp>
#include <gdcert/analysis/execution.hpp>
#include <gdcert/analysis/iterate.hpp>
#include <gdcert/analysis/outcome.hpp>
#include <gdcert/analysis/sweep.hpp>
