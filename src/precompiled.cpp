// The library of the CMake target gdcert::precompiled: the instantiations that
// gdcert/core/precompiled.hpp declares `extern template`, defined once (docs/cmake.md,
// "Precompiled instantiations").
#include <gdcert/core/precompiled.hpp>
#include <gdcert/problems/detail/residual_forces.hpp>
#include <gdcert/stability/hessian_spectrum.hpp>

#ifndef GDCERT_PRECOMPILED_ACTIVE
#error "gdcert::precompiled is compiled with another Eigen alignment than CMake measured for it"
#endif

GDCERT_PRECOMPILED_DENSE_INSTANTIATIONS(template)

namespace gdcert::detail {
template hessian_eigenpairs<double> lanczos_eigenpairs(lanczos_operator<double>&,
                                                       const hessian_spectrum_options&);
template void residual_forces::operator()<0>(const double*, const double*, const double*,
                                             const double*, double*, double*);
} // namespace gdcert::detail
