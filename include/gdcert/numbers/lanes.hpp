// Opt-in adapter: fixed-size Eigen arrays as SIMD lane packs, so one map call advances W points.
#pragma once

#include <gdcert/core/arithmetic.hpp>

#include <Eigen/Core>

namespace gdcert {

/// W independent double lanes; the maps are branch-free, so each lane follows its own trajectory.
template <int W>
using lanes = Eigen::Array<double, W, 1>;

/// Lane-wise choice: where `condition` holds take `if_true`, else `if_false` (no branches).
template <class Condition, int W>
[[nodiscard]] inline lanes<W> select(const Condition& condition, const lanes<W>& if_true,
                                     const lanes<W>& if_false) {
  return condition.select(if_true, if_false);
}

} // namespace gdcert

namespace Eigen {
/// Lets lane packs be coefficients of Eigen vectors and matrices (vector problems, Jacobians).
template <int W>
struct NumTraits<Array<double, W, 1>> : GenericNumTraits<Array<double, W, 1>> {
  using Real = Array<double, W, 1>;
  using NonInteger = Array<double, W, 1>;
  using Nested = Array<double, W, 1>;
  using Literal = double;
  enum {
    IsComplex = 0,
    IsInteger = 0,
    IsSigned = 1,
    RequireInitialization = 1,
    ReadCost = W,
    AddCost = W,
    MulCost = W
  };
};
} // namespace Eigen
