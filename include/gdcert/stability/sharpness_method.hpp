// How gdcert::sharpness computes λ_max(∇²R): the routes chosen by type, the dimension above which Lanczos replaces the dense eigensolver, and which problems qualify (docs/engines.md, "Sharpness at matrix scale").
#pragma once

#include <gdcert/core/arithmetic.hpp>
#include <gdcert/problems/problem.hpp> // detail::has_hessian_vector_product

#include <Eigen/Core>

#include <concepts>
#include <type_traits>
#include <utility>

namespace gdcert {

/// The dimension above which gdcert::sharpness (analysis/iterate.hpp) computes λ_max by Lanczos on
/// Hessian-vector products instead of the dense eigensolver, for a floating-point state of a
/// problem with a `hessian_vector_product` member. Measured on matrix factorization
/// (docs/engines.md, "Sharpness at matrix scale"): Lanczos is faster from the smallest sizes on
/// (2× at d = 60, 12× at d = 200, 70× at d = 600, 700× at d = 2000), and the dense Hessian takes
/// d² numbers (3.2 GB at d = 20 000). Up to the limit the dense route stays: exact to rounding,
/// never a convergence question, and at most 2 ms.
inline constexpr Eigen::Index dense_sharpness_limit = 200;

/// How gdcert::sharpness computes λ_max(∇²R(x)), chosen by type (as std::execution's policies),
/// so that a call compiles only the route it names:
/// - `automatic`: matrix_free for a floating-point state of a problem with a
///   `hessian_vector_product` member and dimension() > dense_sharpness_limit, dense otherwise;
/// - `dense`: the problem's closed form `p.sharpness(x)` where it has one, else the largest
///   eigenvalue of `p.hessian(x)` (a d × d matrix);
/// - `matrix_free`: gdcert::matrix_free_sharpness (any problem with a floating-point state: its
///   own product, or forward-mode jets on its gradient).
namespace sharpness_method {
struct automatic_t {};
struct dense_t {};
struct matrix_free_t {};
inline constexpr automatic_t automatic{};
inline constexpr dense_t dense{};
inline constexpr matrix_free_t matrix_free{};
} // namespace sharpness_method

namespace detail {
/// The scalar of a state's coordinates.
template <class P, class State>
using coordinate_scalar = typename std::decay_t<decltype(std::declval<const P&>().coordinates(
    std::declval<const State&>()))>::Scalar;
/// Whether sharpness_method::automatic may choose the matrix-free route: a floating-point state
/// of a problem with its own Hessian-vector product.
template <class Problem, class State>
concept matrix_free_sharpness_candidate = has_hessian_vector_product<Problem, State> &&
    std::is_floating_point_v<coordinate_scalar<Problem, State>>;
} // namespace detail

/// λ_max(∇²R(x)) by Lanczos on Hessian-vector products: declared here, defined in
/// stability/hessian_spectrum.hpp, which brings in Spectra. A translation unit that computes the
/// sharpness of a matrix problem (gdcert::sharpness, classify, the sweeps, record_sharpness)
/// includes that header (the matrix umbrella <gdcert/matrix.hpp> does); without it the call does not
/// compile ("use of matrix_free_sharpness before deduction of auto"). So code that never calls the
/// matrix-free route never parses Spectra.
template <class Problem, class State>
[[nodiscard]] auto matrix_free_sharpness(const Problem& problem, const State& x);

} // namespace gdcert
