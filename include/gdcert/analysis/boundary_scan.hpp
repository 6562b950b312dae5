// The boundary-inward scan of Appendices L and M: worst post-step certificate value over a direction set, pass/fail maps, refinement, Ξ(δ) and δ_th(η) (docs/formulas.md §8).
#pragma once

#include <gdcert/analysis/directions.hpp>
#include <gdcert/analysis/execution.hpp>
#include <gdcert/analysis/ray_polynomial.hpp>
#include <gdcert/certificates/certificate.hpp>
#include <gdcert/core/arithmetic.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/core/precompiled.hpp>
#include <gdcert/numbers/lanes.hpp>
#include <gdcert/problems/problem.hpp>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <numeric>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace gdcert {

// The test (403)/(412): for a certificate I(θ; x) = xᵀP(θ)x − 1 and a GD map, every direction d
// is projected onto the level set, x = d/√(dᵀPd), stepped once, and I(θ; GD(x)) recorded; θ
// passes iff the worst value is <= tol (published: 1e-4).
//
// Two evaluation paths give the same numbers up to rounding:
//  * the direct path (`boundary_scan_direct`, `post_step_value`) steps the problem's own map on
//    lane packs and evaluates the dense P: any problem, any quadratic certificate;
//  * the fast path (`boundary_scanner`) uses GD(t d) = t(g₀ + c(s) g₁), s = t²
//    (ray_polynomial.hpp). Per direction it stores, once per problem, the moments dᵀE_p d,
//    g₀ᵀE_p g₀, 2g₀ᵀE_p g₁ and g₁ᵀE_p g₁ of each basis matrix E_p of P(θ) = Σ_p c_p(θ) E_p (plus
//    the problem's auxiliaries); a new θ then costs one FMA per moment and basis element, one
//    division and two FMAs per direction, with no dependence on how θ enters the map. Row-basis
//    moments (those depending on δ only) are summed once per tile and reused for every ξ of a
//    row. Cost: a single θ streams the whole table (16 doubles per 4-D direction) and is
//    memory-bound; a grid row reuses each cached tile for all its ξ and is compute-bound.
//
// Determinism: a single scan splits the directions into tiles reduced in tile order; a grid gives
// each group of parameters (a row) to one thread, which walks the tiles in order. The worst value
// is a max (exact), ties go to the earliest position, so results are bit-identical for any thread
// count. With early exit a parameter stops at the first tile (in tile order) holding a violation;
// its worst value is the max over the tiles up to and including that one.
//
// Tile order: the fast path stores directions interleaved (tile t of T tiles holds directions
// t, t + T, t + 2T, …), so every tile samples the whole direction set coarsely and a failing
// parameter usually meets a violation in its first tile. Reported indices are columns of the
// caller's direction table.

/// Which scale `boundary_scan_options::tolerance` is measured in.
enum class tolerance_units {
  normalized, ///< the normal form xᵀPx − 1 (29, 30)
  published   ///< the certificate as published: (30) for I(δ, ξ) (= normalised), (10) for I_sc
              ///< (= (4 − δ²) × normalised), so App. M's 1e-4 is read on I_sc as in the paper
};

struct boundary_scan_options {
  double tolerance = 1e-4; ///< pass iff worst <= tolerance (docs/formulas.md §8)
  tolerance_units units = tolerance_units::published;
  bool early_exit = false; ///< stop a parameter at its first violating tile (pass/fail only)
};

/// The outcome of one scan. Values are in the normal form (29, 30); `tolerance` is the threshold on
/// that scale that decided `passed`.
struct boundary_scan_result {
  double worst = -std::numeric_limits<double>::infinity();
  double tolerance = 0;
  bool passed = false;
  std::size_t worst_index = 0; ///< column of the direction table
  std::size_t scanned = 0;     ///< directions evaluated (fewer than all with early exit)
  Eigen::VectorXd direction;   ///< d
  Eigen::VectorXd point;       ///< x = d/√(dᵀPd), on the level set
  Eigen::VectorXd image;       ///< GD(x)
};

/// Compass search on the direction (re-projected onto I = 0 at each evaluation).
struct refinement_options {
  int starts = 4;              ///< worst grid directions to start from
  double initial_step = 0.05;  ///< poll radius on the unit sphere (about the 41⁴ grid spacing)
  double final_step = 1e-9;    ///< stop once the radius falls below this
  int max_evaluations = 20000; ///< per start
};

struct refinement_result {
  double grid_worst = 0;    ///< I(θ; GD(x)) at the best start, evaluated directly
  double refined_worst = 0; ///< the local maximum found
  double raise = 0;         ///< refined_worst − grid_worst (>= 0)
  std::size_t start_index = 0;
  int evaluations = 0;
  Eigen::VectorXd direction, point, image;
};

namespace detail {

/// Lowers `target` to `value` if smaller (atomic minimum): the first violating tile in early exit.
inline void lower_to(std::atomic<std::size_t>& target, std::size_t value) {
  std::size_t seen = target.load();
  while (value < seen && !target.compare_exchange_weak(seen, value)) {
  }
}

inline void validate_refinement(const refinement_options& o) {
  require_at_least("refinement starts", o.starts, 1);
  require_positive("refinement initial_step", o.initial_step);
  require_positive("refinement final_step", o.final_step);
  if (!(o.final_step <= o.initial_step))
    throw invalid_parameter("refinement final_step", to_text(o.final_step),
                            "(0, initial_step = " + to_text(o.initial_step) + "]");
  require_at_least("refinement max_evaluations", o.max_evaluations, 1);
}

/// Throws unless the tolerance is finite and `units` one of tolerance_units' values.
inline void validate_scan_options(const boundary_scan_options& o) {
  require_finite("scan tolerance", o.tolerance);
  if (o.units != tolerance_units::normalized && o.units != tolerance_units::published)
    throw invalid_parameter("boundary_scan_options.units",
                            std::to_string(static_cast<int>(o.units)),
                            "tolerance_units::normalized or tolerance_units::published");
}

inline double normalized_tolerance(const boundary_scan_options& o, double published_scale) {
  validate_scan_options(o);
  return o.units == tolerance_units::published ? o.tolerance / published_scale : o.tolerance;
}

/// Throws unless the table has `dimension` rows, at least one column, finite non-zero columns.
inline void validate_directions(const direction_table& table, Eigen::Index dimension) {
  require_dimension("direction table rows", static_cast<long>(table.rows()),
                    static_cast<long>(dimension));
  require_at_least("direction table columns", static_cast<long>(table.cols()), 1);
  for (Eigen::Index k = 0; k < table.cols(); ++k) {
    const auto column = table.col(k);
    if (!column.allFinite() || column.cwiseAbs().maxCoeff() == 0)
      throw invalid_parameter("direction " + std::to_string(k), "zero or non-finite",
                              "finite and non-zero");
  }
}

inline execution_policy one_item_per_tile(const execution_policy& policy) {
  execution_policy p = policy;
  p.tile = 1;
  return p;
}

/// Throws unless P is an n × n certificate form: finite, symmetric (to 1e-12 of its largest entry,
/// the rounding of a computed form) and positive definite (a Cholesky factorization of its
/// symmetric part succeeds). Any other P is not a certificate: the level set {xᵀPx = 1} is empty
/// or unbounded, and a scan would report worst = +inf, which reads as "the certificate fails".
/// A template, so that only a caller instantiates the factorization.
template <class Derived>
void require_certificate_form(const Eigen::MatrixBase<Derived>& p, Eigen::Index n) {
  const std::string name = "certificate matrix P";
  const std::string range = "a finite, symmetric, positive definite " + std::to_string(n) + " x " +
                            std::to_string(n) + " matrix";
  require_dimension(name + " rows", static_cast<long>(p.rows()), static_cast<long>(n));
  require_dimension(name + " columns", static_cast<long>(p.cols()), static_cast<long>(n));
  const Eigen::MatrixXd form = p;
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j)
      if (!std::isfinite(form(i, j)))
        throw invalid_parameter(name,
                                "entry (" + std::to_string(i) + ", " + std::to_string(j) +
                                    ") = " + to_text(form(i, j)),
                                range);
  const double largest = form.cwiseAbs().maxCoeff();
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < i; ++j)
      if (!(std::abs(form(i, j) - form(j, i)) <= 1e-12 * largest))
        throw invalid_parameter(name,
                                "P(" + std::to_string(i) + ", " + std::to_string(j) +
                                    ") = " + to_text(form(i, j)) + " but P(" + std::to_string(j) +
                                    ", " + std::to_string(i) + ") = " + to_text(form(j, i)),
                                range);
  const Eigen::LLT<Eigen::MatrixXd> cholesky((form + form.transpose()) / 2);
  if (cholesky.info() != Eigen::Success)
    throw invalid_parameter(name, "not positive definite (its Cholesky factorization fails)",
                            range);
}

/// xᵀPx for a dense symmetric P over any scalar (lane packs included).
template <class T>
[[nodiscard]] T quadratic_form(const Eigen::MatrixXd& p, const vector<T>& x) {
  T sum = constant<T>(0.0);
  for (Eigen::Index i = 0; i < p.rows(); ++i)
    for (Eigen::Index j = 0; j < p.cols(); ++j)
      sum = sum + constant<T>(p(i, j)) * x(i) * x(j);
  return sum;
}

/// post_step_value without its checks: for P and d already validated (the engines' loops).
template <class Problem>
[[nodiscard]] double unchecked_post_step_value(const Problem& problem, const Eigen::MatrixXd& p,
                                               const Eigen::Ref<const Eigen::VectorXd>& d,
                                               Eigen::VectorXd* point, Eigen::VectorXd* image) {
  const vector<double> direction = d;
  const double scale = 1 / std::sqrt(detail::quadratic_form(p, direction));
  const vector<double> x = scale * direction;
  const vector<double> y =
      problem.coordinates(problem.step(problem.template from_coordinates<double>(x)));
  if (point)
    *point = x;
  if (image)
    *image = y;
  return detail::quadratic_form(p, y) - 1;
}

} // namespace detail

/// The direct evaluation: x = d/√(dᵀPd), one step of the problem's map, I = GD(x)ᵀP GD(x) − 1.
/// Optionally returns x and GD(x). Throws gdcert::invalid_parameter unless P is a certificate form
/// of the problem's dimension (detail::require_certificate_form) and d has that size.
template <class Problem>
requires gradient_map_over<Problem, double>
[[nodiscard]] double post_step_value(const Problem& problem, const Eigen::MatrixXd& p,
                                     const Eigen::Ref<const Eigen::VectorXd>& d,
                                     Eigen::VectorXd* point = nullptr,
                                     Eigen::VectorXd* image = nullptr) {
  detail::require_certificate_form(p, problem.dimension());
  require_dimension("direction size", static_cast<long>(d.size()),
                    static_cast<long>(problem.dimension()));
  return detail::unchecked_post_step_value(problem, p, d, point, image);
}

/// The boundary scan by direct evaluation, vectorised over W directions per lane pack and
/// threaded over tiles: the reference for the fast path, and the engine for any problem with a
/// quadratic certificate given as its matrix P (normal form xᵀPx − 1). `published_scale` converts
/// a published-units tolerance to the normal form (1 when P is already the published form).
template <int W = 4, class Problem>
requires gradient_map_over<Problem, double> && gradient_map_over<Problem, lanes<W>>
[[nodiscard]] boundary_scan_result
boundary_scan_direct(const Problem& problem, const Eigen::MatrixXd& p,
                     const direction_table& directions, const boundary_scan_options& options = {},
                     const execution_policy& policy = {}, double published_scale = 1.0) {
  static_assert(W >= 1);
  using L = lanes<W>;
  const Eigen::Index n = problem.dimension();
  detail::validate_directions(directions, n);
  detail::require_certificate_form(p, n);
  require_positive("published scale", published_scale);
  const double tolerance = detail::normalized_tolerance(options, published_scale);
  const std::size_t count = static_cast<std::size_t>(directions.cols());
  const std::size_t tile = std::clamp<std::size_t>(policy.tile, 1, std::max<std::size_t>(count, 1));
  const std::size_t tiles = detail::tile_count(count, tile);
  std::vector<double> tile_worst(tiles, -std::numeric_limits<double>::infinity());
  std::vector<std::size_t> tile_index(tiles, 0);
  std::atomic<std::size_t> first_violation{tiles};
  for_each_tile(tiles, detail::one_item_per_tile(policy), [&](std::size_t begin, std::size_t end) {
    for (std::size_t t = begin; t < end; ++t) {
      if (options.early_exit && t > first_violation.load())
        continue;
      const std::size_t lo = t * tile, hi = std::min(count, lo + tile);
      double best = -std::numeric_limits<double>::infinity();
      std::size_t best_k = lo;
      for (std::size_t k = lo; k < hi; k += W) {
        vector<L> x(n);
        for (Eigen::Index i = 0; i < n; ++i)
          for (int lane = 0; lane < W; ++lane)
            x(i)[lane] = directions(
                i, static_cast<Eigen::Index>(std::min(k + static_cast<std::size_t>(lane), hi - 1)));
        const L scale = L::Ones() / detail::quadratic_form(p, x).sqrt();
        for (Eigen::Index i = 0; i < n; ++i)
          x(i) = scale * x(i);
        const vector<L> y =
            problem.coordinates(problem.step(problem.template from_coordinates<L>(x)));
        const L value = detail::quadratic_form(p, y) - 1.0;
        for (int lane = 0; lane < W && k + static_cast<std::size_t>(lane) < hi; ++lane) {
          // NaN counts as +inf: a scan whose values are not finite never passes.
          const double v =
              std::isnan(value[lane]) ? std::numeric_limits<double>::infinity() : value[lane];
          if (v > best) {
            best = v;
            best_k = k + static_cast<std::size_t>(lane);
          }
        }
      }
      tile_worst[t] = best;
      tile_index[t] = best_k;
      if (options.early_exit && best > tolerance)
        detail::lower_to(first_violation, t);
    }
  });
  const std::size_t last =
      options.early_exit ? std::min(first_violation.load(), tiles - 1) : tiles - 1;
  boundary_scan_result result;
  result.tolerance = tolerance;
  for (std::size_t t = 0; t <= last; ++t)
    if (tile_worst[t] > result.worst) {
      result.worst = tile_worst[t];
      result.worst_index = tile_index[t];
    }
  result.scanned = std::min(count, (last + 1) * tile);
  result.passed = result.worst <= tolerance;
  result.direction = directions.col(static_cast<Eigen::Index>(result.worst_index));
  (void)detail::unchecked_post_step_value(problem, p, result.direction, &result.point,
                                          &result.image);
  return result;
}

/// Local maximisation of I(θ; GD(x)) on the level set from one start direction: compass search on
/// the unit sphere (poll ±h eᵢ, renormalise, keep the best improving poll, else halve h), every
/// evaluation re-projected onto I = 0 and stepped by the problem's own map.
template <class Problem>
requires gradient_map_over<Problem, double>
[[nodiscard]] refinement_result refine_direction(const Problem& problem, const Eigen::MatrixXd& p,
                                                 const Eigen::Ref<const Eigen::VectorXd>& start,
                                                 const refinement_options& options = {}) {
  detail::validate_refinement(options);
  detail::require_certificate_form(p, problem.dimension());
  require_dimension("start direction size", static_cast<long>(start.size()),
                    static_cast<long>(p.rows()));
  if (!start.allFinite() || start.norm() == 0)
    throw invalid_parameter("start direction", "zero or non-finite", "finite and non-zero");
  Eigen::VectorXd d = start.normalized();
  double value = detail::unchecked_post_step_value(problem, p, d, nullptr, nullptr);
  refinement_result result;
  result.grid_worst = value;
  result.evaluations = 1;
  double h = options.initial_step;
  while (h >= options.final_step && result.evaluations < options.max_evaluations) {
    double best = value;
    Eigen::VectorXd best_d = d;
    for (Eigen::Index i = 0; i < d.size() && result.evaluations < options.max_evaluations; ++i)
      for (const double sign : {1.0, -1.0}) {
        Eigen::VectorXd trial = d;
        trial(i) += sign * h;
        const double norm = trial.norm();
        if (!(norm > 0))
          continue;
        trial /= norm;
        const double v = detail::unchecked_post_step_value(problem, p, trial, nullptr, nullptr);
        ++result.evaluations;
        if (v > best) {
          best = v;
          best_d = trial;
        }
      }
    if (best > value) {
      value = best;
      d = best_d;
    } else {
      h /= 2;
    }
  }
  result.refined_worst = value;
  result.raise = value - result.grid_worst;
  result.direction = d;
  (void)detail::unchecked_post_step_value(problem, p, d, &result.point, &result.image);
  return result;
}

/// Per-parameter summary of a scan inside a group (a grid row).
struct scan_summary {
  double worst = -std::numeric_limits<double>::infinity();
  double tolerance = 0;
  bool passed = false;
  std::size_t worst_index = 0;
  std::size_t scanned = 0;
};

/// The fast path for a problem with a ray_polynomial: stores the per-direction moments once, then
/// scans any parameter θ of the problem's certificate form. W directions per lane pack.
/// The direction table must outlive the scanner (it is read, not copied).
template <class Problem, int W = 4>
class boundary_scanner {
public:
  using polynomial = ray_polynomial<Problem>;
  using form_type = typename polynomial::form_type;
  using parameters = typename form_type::parameters;
  static constexpr int dimension = polynomial::dimension;
  static constexpr int auxiliaries = polynomial::auxiliaries;
  static constexpr int moments = 4; ///< dᵀE d, g₀ᵀE g₀, 2g₀ᵀE g₁, g₁ᵀE g₁
  static constexpr int basis = form_type::basis_size;
  static constexpr int row_basis = form_type::row_basis;
  static constexpr int column_basis = basis - row_basis;
  static_assert(W >= 1 && form_type::dimension == dimension);

  /// Tabulates the moments in parallel tiles of `policy.tile` directions (rounded up to a multiple
  /// of W). Throws gdcert::invalid_parameter for a table of the wrong dimension, empty, or with
  /// zero or non-finite columns.
  boundary_scanner(const Problem& problem, const direction_table& directions,
                   const execution_policy& policy = {})
      : problem_(problem), form_(polynomial::form(problem)), directions_(&directions) {
    detail::validate_directions(directions, dimension);
    count_ = static_cast<std::size_t>(directions.cols());
    // A tile is a multiple of W no longer than the table (rounded up): no overflow for any tile.
    const std::size_t asked =
        std::clamp<std::size_t>(policy.tile, 1, std::max<std::size_t>(count_, 1));
    tile_ = detail::tile_count(asked, W) * W;
    tiles_ = detail::tile_count(count_, tile_);
    // The moment table (block() doubles a tile) and the order (one index a position).
    detail::require_memory("boundary scanner", detail::saturating_multiply_add(tiles_, tile_, 0),
                           sizeof(double) * (basis * moments + auxiliaries) + sizeof(std::size_t),
                           0, policy);
    build_order();
    data_ = std::make_unique_for_overwrite<double[]>(tiles_ * block()); // first touch in fill_tile
    for_each_tile(tiles_, detail::one_item_per_tile(policy),
                  [&](std::size_t begin, std::size_t end) {
                    for (std::size_t t = begin; t < end; ++t)
                      fill_tile(t);
                  });
  }
  boundary_scanner(const Problem&, const direction_table&&, const execution_policy& = {}) = delete;

  [[nodiscard]] const Problem& problem() const noexcept { return problem_; }
  [[nodiscard]] const form_type& form() const noexcept { return form_; }
  [[nodiscard]] std::size_t size() const noexcept { return count_; }
  [[nodiscard]] std::size_t tile() const noexcept { return tile_; }
  [[nodiscard]] const direction_table& directions() const noexcept { return *directions_; }

  /// One parameter, threaded over tiles. Throws gdcert::invalid_parameter for θ out of range.
  [[nodiscard]] boundary_scan_result scan(const parameters& theta,
                                          const boundary_scan_options& options = {},
                                          const execution_policy& policy = {}) const {
    const auto c = form_.coefficients(theta);
    const double tolerance = detail::normalized_tolerance(options, form_.published_scale(theta));
    std::vector<double> tile_worst(tiles_, -std::numeric_limits<double>::infinity());
    std::atomic<std::size_t> first_violation{tiles_};
    for_each_tile(tiles_, detail::one_item_per_tile(policy),
                  [&](std::size_t begin, std::size_t end) {
                    std::vector<double> base(row_basis > 0 ? moments * tile_ : 0);
                    for (std::size_t t = begin; t < end; ++t) {
                      if (options.early_exit && t > first_violation.load())
                        continue;
                      tile_worst[t] = evaluate_tile(t, c, base.data(), true, nullptr);
                      if (options.early_exit && tile_worst[t] > tolerance)
                        detail::lower_to(first_violation, t);
                    }
                  });
    const std::size_t last =
        options.early_exit ? std::min(first_violation.load(), tiles_ - 1) : tiles_ - 1;
    scan_summary summary;
    summary.tolerance = tolerance;
    std::size_t worst_tile = 0;
    for (std::size_t t = 0; t <= last; ++t)
      if (tile_worst[t] > summary.worst) {
        summary.worst = tile_worst[t];
        worst_tile = t;
      }
    summary.worst_index = locate(worst_tile, c);
    summary.scanned = scanned_through(last);
    summary.passed = summary.worst <= tolerance;
    return expand(summary, theta);
  }

  /// Several parameters on the calling thread, sharing each tile while it is in cache; the
  /// row-basis sums are recomputed only when a parameter's row coefficients differ from the
  /// previous one's (group a grid row together). Early exit drops a parameter at its first
  /// violating tile; the walk ends when none is left.
  [[nodiscard]] std::vector<scan_summary> scan_group(const std::vector<parameters>& thetas,
                                                     const boundary_scan_options& options) const {
    const std::size_t count = thetas.size();
    std::vector<std::array<double, basis>> coefficient(count);
    std::vector<scan_summary> summary(count);
    std::vector<std::size_t> worst_tile(count, 0), active(count);
    for (std::size_t j = 0; j < count; ++j) {
      coefficient[j] = form_.coefficients(thetas[j]);
      summary[j].tolerance =
          detail::normalized_tolerance(options, form_.published_scale(thetas[j]));
    }
    std::iota(active.begin(), active.end(), std::size_t{0});
    std::vector<double> base(row_basis > 0 ? moments * tile_ : 0);
    for (std::size_t t = 0; t < tiles_ && !active.empty(); ++t) {
      const std::array<double, basis>* cached = nullptr;
      std::size_t kept = 0;
      for (const std::size_t j : active) {
        const bool fresh = cached == nullptr || !same_row(*cached, coefficient[j]);
        const double worst = evaluate_tile(t, coefficient[j], base.data(), fresh, nullptr);
        cached = &coefficient[j];
        if (worst > summary[j].worst) {
          summary[j].worst = worst;
          worst_tile[j] = t;
        }
        summary[j].scanned += real_in(t);
        if (options.early_exit && worst > summary[j].tolerance)
          continue; // drop j
        active[kept++] = j;
      }
      active.resize(kept);
    }
    for (std::size_t j = 0; j < count; ++j) {
      summary[j].passed = summary[j].worst <= summary[j].tolerance;
      summary[j].worst_index = locate(worst_tile[j], coefficient[j]);
    }
    return summary;
  }

  /// I(θ; GD(x)) for every direction, in table order (fast path).
  [[nodiscard]] std::vector<double> values(const parameters& theta,
                                           const execution_policy& policy = {}) const {
    const auto c = form_.coefficients(theta);
    std::vector<double> out(count_);
    for_each_tile(tiles_, detail::one_item_per_tile(policy),
                  [&](std::size_t begin, std::size_t end) {
                    std::vector<double> base(row_basis > 0 ? moments * tile_ : 0), buffer(tile_);
                    for (std::size_t t = begin; t < end; ++t) {
                      (void)evaluate_tile(t, c, base.data(), true, buffer.data());
                      for (std::size_t i = 0; i < real_in(t); ++i)
                        out[order_[t * tile_ + i]] = buffer[i];
                    }
                  });
    return out;
  }

  /// Full scan, then compass search (refine_direction) from the `starts` worst grid directions;
  /// reports the best local maximum and how far it lies above the grid worst.
  [[nodiscard]] refinement_result refine(const parameters& theta,
                                         const refinement_options& options = {},
                                         const execution_policy& policy = {}) const {
    detail::validate_refinement(options);
    const std::vector<double> value = values(theta, policy);
    std::vector<std::size_t> index(count_);
    std::iota(index.begin(), index.end(), std::size_t{0});
    const std::size_t starts =
        std::min<std::size_t>(static_cast<std::size_t>(options.starts), count_);
    std::partial_sort(index.begin(), index.begin() + static_cast<std::ptrdiff_t>(starts),
                      index.end(), [&](std::size_t i, std::size_t j) {
                        return value[i] > value[j] || (value[i] == value[j] && i < j);
                      });
    const Eigen::MatrixXd p = form_.matrix(theta);
    std::vector<refinement_result> local(starts);
    for_each_tile(
        starts, detail::one_item_per_tile(policy), [&](std::size_t begin, std::size_t end) {
          for (std::size_t s = begin; s < end; ++s) {
            local[s] = refine_direction(
                problem_, p, directions_->col(static_cast<Eigen::Index>(index[s])), options);
            local[s].start_index = index[s];
          }
        });
    refinement_result best = local[0];
    for (std::size_t s = 1; s < starts; ++s)
      if (local[s].refined_worst > best.refined_worst)
        best = local[s];
    // The raise is measured from the grid worst (the first start), not from the winning start.
    best.grid_worst = local[0].grid_worst;
    best.raise = best.refined_worst - best.grid_worst;
    return best;
  }

  /// Fills direction, point and image of a summary (direct step at the worst direction).
  [[nodiscard]] boundary_scan_result expand(const scan_summary& s, const parameters& theta) const {
    boundary_scan_result r;
    r.worst = s.worst;
    r.tolerance = s.tolerance;
    r.passed = s.passed;
    r.worst_index = s.worst_index;
    r.scanned = s.scanned;
    r.direction = directions_->col(static_cast<Eigen::Index>(s.worst_index));
    (void)detail::unchecked_post_step_value(problem_, form_.matrix(theta), r.direction, &r.point,
                                            &r.image);
    return r;
  }

private:
  using lane = lanes<W>;
  using lane_map = Eigen::Map<const lane>;

  [[nodiscard]] std::size_t block() const noexcept {
    return static_cast<std::size_t>(basis * moments + auxiliaries) * tile_;
  }
  /// Real directions in tiles 0, …, last_tile.
  [[nodiscard]] std::size_t scanned_through(std::size_t last_tile) const noexcept {
    std::size_t n = 0;
    for (std::size_t t = 0; t <= last_tile; ++t)
      n += real_in(t);
    return n;
  }
  [[nodiscard]] static bool same_row(const std::array<double, basis>& x,
                                     const std::array<double, basis>& y) noexcept {
    for (int p = 0; p < row_basis; ++p)
      if (x[static_cast<std::size_t>(p)] != y[static_cast<std::size_t>(p)])
        return false;
    return true;
  }

  /// Interleaved order: tile t holds directions t, t + tiles, t + 2·tiles, …, so each tile samples
  /// the whole table; short tiles are padded with their own first direction.
  void build_order() {
    order_.resize(tiles_ * tile_);
    for (std::size_t t = 0; t < tiles_; ++t)
      for (std::size_t i = 0; i < tile_; ++i) {
        const std::size_t k = i * tiles_ + t;
        order_[t * tile_ + i] = k < count_ ? k : t;
      }
  }
  /// Real (not padding) directions in tile t.
  [[nodiscard]] std::size_t real_in(std::size_t t) const noexcept {
    return (count_ - t + tiles_ - 1) / tiles_;
  }

  /// Moments of tile t, laid out [basis p][moment r][lane i], then [auxiliary a][lane i].
  void fill_tile(std::size_t t) {
    double* out = data_.get() + t * block();
    typename polynomial::vector_type g0, g1;
    std::array<double, auxiliaries> aux;
    for (std::size_t i = 0; i < tile_; ++i) {
      const double* d = directions_->col(static_cast<Eigen::Index>(order_[t * tile_ + i])).data();
      polynomial::vectors(problem_, d, g0, g1, aux);
      const auto q = form_type::bilinear(d, d);
      const auto h0 = form_type::bilinear(g0.data(), g0.data());
      const auto h1 = form_type::bilinear(g0.data(), g1.data());
      const auto h2 = form_type::bilinear(g1.data(), g1.data());
      for (std::size_t p = 0; p < static_cast<std::size_t>(basis); ++p) {
        double* slot = out + p * static_cast<std::size_t>(moments) * tile_ + i;
        slot[0] = q[p];
        slot[tile_] = h0[p];
        slot[2 * tile_] = 2 * h1[p];
        slot[3 * tile_] = h2[p];
      }
      for (std::size_t a = 0; a < static_cast<std::size_t>(auxiliaries); ++a)
        out[(static_cast<std::size_t>(basis * moments) + a) * tile_ + i] = aux[a];
    }
  }

  /// max over tile t of s·(H₀ + c(H₁ + cH₂)) − 1 with s = 1/q, c = c(s; d), where
  /// (q, H₀, H₁, H₂) = Σ_p c_p · moments_p. The row
  /// part is summed into `base` when `fresh_base`, else `base` is reused. Writes every value to
  /// `values` when non-null.
  double evaluate_tile(std::size_t t, const std::array<double, basis>& c, double* base,
                       bool fresh_base, double* values) const {
    const double* block_data = data_.get() + t * block();
    if constexpr (row_basis > 0) {
      if (fresh_base)
        sum_row(block_data, c, base);
    }
    return values ? column_pass<true>(block_data, c, base, values)
                  : column_pass<false>(block_data, c, base, nullptr);
  }

  /// base[r] = Σ_{p < row_basis} c_p · moments_p[r] over one tile.
  void sum_row(const double* block_data, const std::array<double, basis>& c, double* base) const {
    const std::size_t stride = tile_;
    for (int r = 0; r < moments; ++r)
      for (std::size_t i = 0; i < stride; i += W) {
        lane sum = c[0] * lane_map(block_data + static_cast<std::size_t>(r) * stride + i);
        for (int p = 1; p < row_basis; ++p)
          sum += c[static_cast<std::size_t>(p)] *
                 lane_map(block_data + static_cast<std::size_t>(p * moments + r) * stride + i);
        Eigen::Map<lane>(base + static_cast<std::size_t>(r) * stride + i) = sum;
      }
  }

  /// The hot loop: per W directions, moments·(column_basis) FMAs, one division, the ray
  /// coefficient c(s; d), two FMAs and a max. `Store` is a template flag and the loop is kept
  /// out of line so that the accumulator stays in a register (inlined into scan_group, GCC 12
  /// spilled it to the stack every iteration: a store-forwarding chain that halved throughput).
  template <bool Store>
  [[gnu::noinline]] double column_pass(const double* block_data, const std::array<double, basis>& c,
                                       const double* base, double* values) const {
    const std::size_t stride = tile_;
    const double* column = block_data + static_cast<std::size_t>(row_basis * moments) * stride;
    std::array<double, column_basis> cc;
    for (int p = 0; p < column_basis; ++p)
      cc[static_cast<std::size_t>(p)] = c[static_cast<std::size_t>(row_basis + p)];
    lane worst = lane::Constant(-std::numeric_limits<double>::infinity());
    for (std::size_t i = 0; i < stride; i += W) {
      std::array<lane, moments> m;
      for (int r = 0; r < moments; ++r) {
        const std::size_t at = static_cast<std::size_t>(r) * stride + i;
        lane sum;
        if constexpr (row_basis > 0)
          sum = lane_map(base + at) + cc[0] * lane_map(column + at);
        else
          sum = cc[0] * lane_map(column + at);
        for (int p = 1; p < column_basis; ++p)
          sum += cc[static_cast<std::size_t>(p)] *
                 lane_map(column + static_cast<std::size_t>(p * moments) * stride + at);
        m[static_cast<std::size_t>(r)] = sum;
      }
      const lane s = m[0].inverse();
      lane value;
      if constexpr (auxiliaries == 0) { // c = s: written out, GCC 12 spills a returned lane
        value = s * (m[1] + s * (m[2] + s * m[3])) - 1.0;
      } else {
        const lane c = ray_coefficient(s, block_data, i);
        value = s * (m[1] + c * (m[2] + c * m[3])) - 1.0;
      }
      // No NaN tracking here (it costs 19 % of grid_row): with validated θ, P(θ) is positive
      // definite, so m₀ = dᵀPd > 0 for every (finite, non-zero) direction and every value is
      // finite. boundary_scan_direct, which steps the problem's own map, does count NaN as +inf.
      worst = worst.max(value);
      if constexpr (Store)
        Eigen::Map<lane>(values + i) = value;
    }
    return worst.maxCoeff();
  }

  /// c(s; d) for the W directions at lane offset i of a tile (problems with auxiliaries).
  [[nodiscard]] lane ray_coefficient(const lane& s, const double* block_data, std::size_t i) const {
    std::array<lane, auxiliaries> stored;
    for (std::size_t a = 0; a < static_cast<std::size_t>(auxiliaries); ++a)
      stored[a] =
          lane_map(block_data + (static_cast<std::size_t>(basis * moments) + a) * tile_ + i);
    return polynomial::coefficient(problem_, s, stored.data());
  }

  /// Table index of the first position of tile t holding the tile's maximum.
  [[nodiscard]] std::size_t locate(std::size_t t, const std::array<double, basis>& c) const {
    std::vector<double> base(row_basis > 0 ? moments * tile_ : 0), buffer(tile_);
    (void)evaluate_tile(t, c, base.data(), true, buffer.data());
    const std::size_t real = real_in(t);
    const std::size_t best = static_cast<std::size_t>(
        std::max_element(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(real)) -
        buffer.begin());
    return order_[t * tile_ + best];
  }

  Problem problem_;
  form_type form_;
  const direction_table* directions_;
  std::size_t count_ = 0, tile_ = 0, tiles_ = 0;
  std::vector<std::size_t> order_; ///< position → table column
  std::unique_ptr<double[]> data_; ///< tiles × basis × moments × tile
};

/// Pass/fail map over a parameter grid (row-major: rows × columns). Values are in the normal form.
struct pass_fail_map {
  std::string row_name, column_name; ///< "delta" × "xi" (App. L) or "eta" × "delta" (App. M)
  std::vector<double> rows, columns;
  std::vector<double> worst;        ///< worst post-step value per pair (see early exit)
  std::vector<double> tolerance;    ///< threshold on the normal-form scale per pair
  std::vector<std::uint8_t> passed; ///< 1 iff worst <= tolerance
  std::vector<std::size_t> worst_index, scanned;
  std::vector<double> refined_worst; ///< after refinement (passing pairs), else NaN; empty if off
  std::size_t directions = 0;        ///< size of the direction set
  boundary_scan_options options;

  [[nodiscard]] std::size_t pairs() const noexcept { return rows.size() * columns.size(); }
  [[nodiscard]] std::size_t at(std::size_t row, std::size_t column) const noexcept {
    return row * columns.size() + column;
  }
  [[nodiscard]] bool pass(std::size_t row, std::size_t column) const noexcept {
    return passed[at(row, column)] != 0;
  }
  /// Bytes per pair of the results and of the engines' per-pair parameters.
  static constexpr std::uint64_t bytes_per_pair = 64;
  /// Sizes the per-pair results for rows × columns; throws gdcert::invalid_parameter first when
  /// rows × columns wraps or the estimate exceeds policy.memory_limit.
  void allocate(const execution_policy& policy) {
    if (!columns.empty() && rows.size() > std::numeric_limits<std::size_t>::max() / columns.size())
      throw invalid_parameter("pass/fail map pairs rows x columns",
                              std::to_string(rows.size()) + " x " + std::to_string(columns.size()),
                              "a product below 2^64");
    detail::require_memory("pass/fail map", pairs(), bytes_per_pair, 0, policy);
    const std::size_t n = pairs();
    worst.resize(n);
    tolerance.resize(n);
    passed.resize(n);
    worst_index.resize(n);
    scanned.resize(n);
  }
  /// Stores the scans of one row (`summary[c]` for column c).
  void store_row(std::size_t row, const std::vector<scan_summary>& summary) {
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const std::size_t i = at(row, c);
      worst[i] = summary[c].worst;
      tolerance[i] = summary[c].tolerance;
      passed[i] = summary[c].passed;
      worst_index[i] = summary[c].worst_index;
      scanned[i] = summary[c].scanned;
    }
  }
  /// Pairs that pass the grid scan but whose refined worst exceeds the tolerance.
  [[nodiscard]] std::size_t refuted_by_refinement() const noexcept {
    std::size_t n = 0;
    for (std::size_t i = 0; i < refined_worst.size(); ++i)
      n += passed[i] && refined_worst[i] > tolerance[i];
    return n;
  }
};

struct pass_fail_options {
  boundary_scan_options scan;  ///< tolerance, units, early exit
  bool refine_passing = false; ///< compass search from the worst direction of each passing pair
  refinement_options refinement;
};

namespace detail {

inline void require_axis(std::string_view name, const std::vector<double>& axis) {
  if (axis.empty())
    throw invalid_parameter(std::string(name) + " grid", "empty", "at least one value");
  for (std::size_t i = 0; i < axis.size(); ++i)
    require_finite(std::string(name) + " grid value " + std::to_string(i), axis[i]);
}

/// Compass search from the worst grid direction of every passing pair; pair i belongs to
/// scanner owner[i] with parameter theta[i]. Pairs are independent, so any thread count agrees.
template <class Scanner>
void refine_passing_pairs(pass_fail_map& map,
                          const std::vector<typename Scanner::parameters>& theta,
                          const std::vector<const Scanner*>& owner,
                          const pass_fail_options& options, const execution_policy& policy) {
  validate_refinement(options.refinement);
  map.refined_worst.assign(map.pairs(), std::numeric_limits<double>::quiet_NaN());
  for_each_tile(map.pairs(), one_item_per_tile(policy), [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      if (!map.passed[i])
        continue;
      const auto& s = *owner[i];
      const Eigen::MatrixXd p = s.form().matrix(theta[i]);
      map.refined_worst[i] =
          refine_direction(s.problem(), p,
                           s.directions().col(static_cast<Eigen::Index>(map.worst_index[i])),
                           options.refinement)
              .refined_worst;
    }
  });
}

/// The checks of two_parameter_pass_fail_map (and its job) before any work.
inline void validate_two_parameter_map(const diagonal_approximation& problem,
                                       const std::vector<double>& deltas,
                                       const std::vector<double>& xis,
                                       const pass_fail_options& options) {
  require_axis("delta", deltas);
  require_axis("xi", xis);
  const two_parameter_form form(problem.sigma());
  for (const double delta : deltas)
    for (const double xi : xis)
      form.validate({delta, xi});
  validate_scan_options(options.scan);
}

} // namespace detail

/// Figures 7-8 / App. L: the pass/fail map of I(δ, ξ; ·) (30) over δ (rows) × ξ (columns) for the
/// rank-1 approximation of diag(1, σ) at the problem's η. Rows run in parallel, each on one
/// thread, so the map is bit-identical for any thread count. Throws gdcert::invalid_parameter for
/// empty or non-finite grids, δ ∉ (0, 2), ξ ∉ (0, 2/σ), or a bad direction table.
template <int W = 4>
[[nodiscard]] pass_fail_map two_parameter_pass_fail_map(const diagonal_approximation& problem,
                                                        const std::vector<double>& deltas,
                                                        const std::vector<double>& xis,
                                                        const direction_table& directions,
                                                        const pass_fail_options& options = {},
                                                        const execution_policy& policy = {}) {
  detail::validate_two_parameter_map(problem, deltas, xis, options);
  const boundary_scanner<diagonal_approximation, W> scanner(problem, directions, policy);
  pass_fail_map map;
  map.row_name = "delta";
  map.column_name = "xi";
  map.rows = deltas;
  map.columns = xis;
  map.directions = scanner.size();
  map.options = options.scan;
  map.allocate(policy);
  const std::size_t pairs = map.pairs();
  std::vector<two_parameter_form::parameters> theta(pairs);
  for (std::size_t r = 0; r < deltas.size(); ++r)
    for (std::size_t c = 0; c < xis.size(); ++c)
      theta[map.at(r, c)] = {deltas[r], xis[c]};
  for_each_tile(deltas.size(), detail::one_item_per_tile(policy),
                [&](std::size_t begin, std::size_t end) {
                  for (std::size_t r = begin; r < end; ++r) {
                    const std::vector<two_parameter_form::parameters> row(
                        theta.begin() + static_cast<std::ptrdiff_t>(map.at(r, 0)),
                        theta.begin() + static_cast<std::ptrdiff_t>(map.at(r, 0) + xis.size()));
                    map.store_row(r, scanner.scan_group(row, options.scan));
                  }
                });
  if (options.refine_passing) {
    const std::vector<const boundary_scanner<diagonal_approximation, W>*> owner(pairs, &scanner);
    detail::refine_passing_pairs(map, theta, owner, options, policy);
  }
  return map;
}

/// Figures 9-10 / App. M: the pass/fail map of the scalar certificate over η (rows) × δ
/// (columns), for the problem `make_problem(η)` returns (scalar_factorization or
/// quartic_factorization). Each row builds its own moments (the map depends on η) and scans all δ
/// on one thread. Throws gdcert::invalid_parameter for empty or non-finite grids, η <= 0,
/// δ ∉ (0, 2), or a bad direction table.
template <int W = 4, class MakeProblem>
[[nodiscard]] pass_fail_map
step_size_pass_fail_map(MakeProblem make_problem, const std::vector<double>& etas,
                        const std::vector<double>& deltas, const direction_table& directions,
                        const pass_fail_options& options = {},
                        const execution_policy& policy = {}) {
  using Problem = std::decay_t<decltype(make_problem(1.0))>;
  using scanner_type = boundary_scanner<Problem, W>;
  detail::require_axis("eta", etas);
  detail::require_axis("delta", deltas);
  for (const double eta : etas)
    require_positive("step size eta", eta);
  for (const double delta : deltas)
    require_state_parameter(delta);
  detail::validate_scan_options(options.scan);
  detail::validate_directions(directions, ray_polynomial<Problem>::dimension);
  pass_fail_map map;
  map.row_name = "eta";
  map.column_name = "delta";
  map.rows = etas;
  map.columns = deltas;
  map.directions = static_cast<std::size_t>(directions.cols());
  map.options = options.scan;
  map.allocate(policy);
  const std::size_t pairs = map.pairs();
  std::vector<typename scanner_type::parameters> row_theta(deltas.size());
  for (std::size_t c = 0; c < deltas.size(); ++c)
    row_theta[c] = {deltas[c]};
  std::vector<std::unique_ptr<scanner_type>> scanners(etas.size());
  execution_policy serial = policy;
  serial.threads = 1;
  serial.progress = false;
  for_each_tile(
      etas.size(), detail::one_item_per_tile(policy), [&](std::size_t begin, std::size_t end) {
        for (std::size_t r = begin; r < end; ++r) {
          scanners[r] = std::make_unique<scanner_type>(make_problem(etas[r]), directions, serial);
          map.store_row(r, scanners[r]->scan_group(row_theta, options.scan));
          if (!options.refine_passing)
            scanners[r].reset();
        }
      });
  if (options.refine_passing) {
    std::vector<typename scanner_type::parameters> theta(pairs);
    std::vector<const scanner_type*> owner(pairs);
    for (std::size_t r = 0; r < etas.size(); ++r)
      for (std::size_t c = 0; c < deltas.size(); ++c) {
        theta[map.at(r, c)] = row_theta[c];
        owner[map.at(r, c)] = scanners[r].get();
      }
    detail::refine_passing_pairs(map, theta, owner, options, policy);
  }
  return map;
}

/// App. M's family: the quartic loss (411) with weight μ, over η × δ.
template <int W = 4>
[[nodiscard]] pass_fail_map
quartic_pass_fail_map(double mu, const std::vector<double>& etas, const std::vector<double>& deltas,
                      const direction_table& directions, const pass_fail_options& options = {},
                      const execution_policy& policy = {}) {
  require_finite("quartic weight mu", mu);
  return step_size_pass_fail_map<W>([mu](double eta) { return quartic_factorization(eta, mu); },
                                    etas, deltas, directions, options, policy);
}

// ---- Published grids and derived products ----

/// The most values uniform_axis makes (2^26: a 512 MiB axis).
inline constexpr std::size_t max_axis_points = std::size_t{1} << 26;

/// lower, lower + step, …, up to upper (inclusive within 1e-9 steps). Throws unless the bounds are
/// finite, lower <= upper, step > 0 and the axis has at most max_axis_points values.
[[nodiscard]] inline std::vector<double> uniform_axis(double lower, double upper, double step) {
  require_finite("axis lower bound", lower);
  require_finite("axis upper bound", upper);
  require_positive("axis step", step);
  if (!(lower <= upper))
    throw invalid_parameter("axis upper bound", detail::to_text(upper),
                            ">= lower bound " + detail::to_text(lower));
  // The count is checked as a double before any conversion: a float-to-integer conversion of a
  // value beyond the integer's range is undefined behaviour.
  const double intervals = std::floor((upper - lower) / step + 1e-9);
  if (!(intervals < double(max_axis_points)))
    throw invalid_parameter("axis points (upper - lower)/step + 1", detail::to_text(intervals + 1),
                            "<= " + std::to_string(max_axis_points));
  const auto count = static_cast<std::size_t>(intervals) + 1;
  std::vector<double> axis(count);
  for (std::size_t i = 0; i < count; ++i)
    axis[i] = lower + static_cast<double>(i) * step;
  return axis;
}

/// k/20 for k = first, …, last: the published 0.05-step axes, each value correctly rounded.
/// Throws unless the axis has at most max_axis_points values (empty when first > last).
[[nodiscard]] inline std::vector<double> twentieths(int first, int last) {
  // Counted in long: last − first + 1 overflows int, and an int k would overflow at last = INT_MAX.
  const long count = std::max(0L, static_cast<long>(last) - static_cast<long>(first) + 1);
  if (count > static_cast<long>(max_axis_points))
    throw invalid_parameter("twentieths last - first + 1", std::to_string(count),
                            "<= " + std::to_string(max_axis_points));
  std::vector<double> axis;
  axis.reserve(static_cast<std::size_t>(count));
  for (long k = first; k <= last; ++k)
    axis.push_back(static_cast<double>(k) / 20.0);
  return axis;
}

/// δ ∈ [0.05, 1.95] step 0.05 (App. L; also App. M's δ and η axes): 39 values.
[[nodiscard]] inline std::vector<double> published_delta_axis() {
  return twentieths(1, 39);
}

/// ξ ∈ [0.05, min(2/σ, 6)] step 0.05 (App. L), without the singular endpoint ξ = 2/σ where
/// 4 − ξ²σ² = 0 (σ = 0.4 and 0.8 hit it exactly): 120, 120, 99, 66, 49, 40 values for
/// σ = 0.01, 0.2, 0.4, 0.6, 0.8, 0.99.
[[nodiscard]] inline std::vector<double> published_xi_axis(double sigma) {
  require_open_interval("second singular value sigma", sigma, 0.0, 1.0);
  std::vector<double> axis;
  for (int k = 1; k / 20.0 <= 6.0 && k / 20.0 < 2.0 / sigma; ++k)
    axis.push_back(k / 20.0);
  return axis;
}

/// The passing columns of one row: Ξ(δ) for a (δ, ξ) map (405), the passing δ band for (η, δ).
struct admissible_interval {
  double row = 0;                                          ///< δ (App. L) or η (App. M)
  std::size_t passing = 0;                                 ///< number of passing columns
  double lower = std::numeric_limits<double>::quiet_NaN(); ///< smallest passing column
  double upper = std::numeric_limits<double>::quiet_NaN(); ///< largest passing column
  bool contiguous = true; ///< the passing columns form one run (an interval on the grid)
  [[nodiscard]] bool empty() const noexcept { return passing == 0; }
};

[[nodiscard]] inline std::vector<admissible_interval>
admissible_intervals(const pass_fail_map& map) {
  std::vector<admissible_interval> out(map.rows.size());
  for (std::size_t r = 0; r < map.rows.size(); ++r) {
    auto& row = out[r];
    row.row = map.rows[r];
    std::size_t first = map.columns.size(), last = 0;
    for (std::size_t c = 0; c < map.columns.size(); ++c)
      if (map.pass(r, c)) {
        ++row.passing;
        first = std::min(first, c);
        last = c;
      }
    if (row.passing > 0) {
      row.lower = map.columns[first];
      row.upper = map.columns[last];
      row.contiguous = row.passing == last - first + 1;
    }
  }
  return out;
}

/// Per η row of an (η, δ) map, the empirical threshold (413): the smallest δ that passes (NaN if
/// none), and whether every larger δ on the grid passes too (an upper band).
struct threshold_estimate {
  double eta = 0;
  double threshold = std::numeric_limits<double>::quiet_NaN();
  bool upper_band = false;
};

/// Throws gdcert::invalid_parameter unless the map's rows are η and its columns δ.
[[nodiscard]] inline std::vector<threshold_estimate>
empirical_thresholds(const pass_fail_map& map) {
  if (map.row_name != "eta" || map.column_name != "delta")
    throw invalid_parameter("pass_fail_map axes", map.row_name + " x " + map.column_name,
                            "eta x delta (an App. M map)");
  std::vector<threshold_estimate> out;
  for (const auto& row : admissible_intervals(map)) {
    threshold_estimate e;
    e.eta = row.row;
    if (!row.empty()) {
      e.threshold = row.lower;
      e.upper_band = row.contiguous && row.upper == map.columns.back();
    }
    out.push_back(e);
  }
  return out;
}

/// For a (δ, ξ) map: the smallest δ with Ξ(δ) non-empty, δ^emp_th(η, σ) of (407); NaN if none.
/// Throws gdcert::invalid_parameter unless the map's rows are δ and its columns ξ.
[[nodiscard]] inline double empirical_threshold(const pass_fail_map& map) {
  if (map.row_name != "delta" || map.column_name != "xi")
    throw invalid_parameter("pass_fail_map axes", map.row_name + " x " + map.column_name,
                            "delta x xi (an App. L map)");
  for (const auto& row : admissible_intervals(map))
    if (!row.empty())
      return row.row;
  return std::numeric_limits<double>::quiet_NaN();
}

} // namespace gdcert
