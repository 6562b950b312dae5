// Matrix sensing (1/2m)Σᵢ(bᵢ − ⟨Aᵢ, XYᵀ⟩)² and its GD map (docs/formulas.md §11, [W App. A.2]).
#pragma once

#include <gdcert/core/arithmetic.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/core/precompiled.hpp>
#include <gdcert/problems/detail/seeded_draws.hpp>
#include <gdcert/problems/detail/two_factors.hpp>
#include <gdcert/problems/problem.hpp>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace gdcert {

/// Matrix sensing with m measurement matrices Aᵢ ∈ ℝ^{n1×n2} and observations bᵢ: loss
/// R(X, Y) = (1/2m) Σᵢ (bᵢ − ⟨Aᵢ, XYᵀ⟩)², ⟨U, V⟩ = tr(VᵀU), with X ∈ ℝ^{n1×r}, Y ∈ ℝ^{n2×r}.
/// With sᵢ = (⟨Aᵢ, XYᵀ⟩ − bᵢ)/m and G = Σᵢ sᵢAᵢ: ∇_X = GY, ∇_Y = GᵀX, and the GD map
/// X' = X − ηGY, Y' = Y − ηGᵀX (both from the old iterate). Coordinates: vec(X) (column-major),
/// then vec(Y).
///
/// Minimizers: minimum_loss() is 0 for planted observations (bᵢ = ⟨Aᵢ, M*⟩, rank M* ≤ r, up to
/// the rounding of bᵢ to double), std::nullopt otherwise. is_minimizer and is_stationary are the
/// base class's fallbacks (problems/problem.hpp): ‖∇R‖ ≤ tol, and then R ≤ tol where R* = 0 is
/// known, else the second-order test λ_min(∇²R) ≥ −tol (positive_semidefinite, a dense
/// eigensolver compiled only by code that calls is_minimizer).
class matrix_sensing : public gradient_descent_map<matrix_sensing> {
public:
  template <class T>
  struct state {
    matrix<T> X, Y;

    /// The state over extended_range, and back: the second evaluation of a formula whose
    /// floating-point value overflowed (core/arithmetic.hpp).
    friend auto extend_range(const state& x) requires std::floating_point<T> {
      return state<extended_range<T>>{gdcert::extend_range(x.X), gdcert::extend_range(x.Y)};
    }
    friend bool all_finite(const state& x) requires std::floating_point<T> {
      return x.X.allFinite() && x.Y.allFinite();
    }
  };
  template <std::floating_point Real>
  friend state<Real> round_to_real(const state<extended_range<Real>>& x) {
    return {gdcert::round_to_real(x.X), gdcert::round_to_real(x.Y)};
  }

  /// How the drawn instances choose b: uniform on (0, 1) as in [W App. A.2], or planted,
  /// bᵢ = ⟨Aᵢ, UVᵀ⟩ with U ∈ ℝ^{n1×r}, V ∈ ℝ^{n2×r} standard Gaussian from the seed (R* = 0).
  enum class observations { uniform, planted };

  /// Preallocated buffers of step_in_place (and of the floating-point members): XYᵀ and then G,
  /// the residuals, and the forces GY, GᵀX.
  template <std::floating_point Real>
  struct basic_workspace {
    matrix<Real> product;
    vector<Real> residuals;
    matrix<Real> force_x, force_y;
  };
  using workspace = basic_workspace<double>;

  /// From caller-given measurements A₀..A_{m−1} (all n1 × n2) and observations b ∈ ℝ^m. Throws
  /// gdcert::invalid_parameter unless η > 0, m >= 1, n1, n2 >= 1, r >= 1, (n1 + n2) r and
  /// m n1 n2 are at most max_state_dimension, every Aᵢ has the shape of A₀ and finite entries,
  /// and b has m finite entries. minimum_loss() is std::nullopt.
  matrix_sensing(double step_size, const std::vector<matrix<double>>& measurements,
                 const vector<double>& observed, Eigen::Index rank)
      : eta_(require_positive("step size eta", step_size)), r_(rank) {
    require_at_least("measurement count m", static_cast<long>(measurements.size()), 1);
    n1_ = measurements.front().rows();
    n2_ = measurements.front().cols();
    const auto m = static_cast<Eigen::Index>(measurements.size());
    require_sizes(n1_, n2_, r_, m);
    for (std::size_t i = 0; i < measurements.size(); ++i) {
      const matrix<double>& a = measurements[i];
      if (a.rows() != n1_ || a.cols() != n2_)
        throw invalid_parameter("measurement A_" + std::to_string(i) + " shape",
                                std::to_string(a.rows()) + " x " + std::to_string(a.cols()),
                                "the shape of A_0, " + std::to_string(n1_) + " x " +
                                    std::to_string(n2_));
      for (Eigen::Index k = 0; k < a.size(); ++k)
        if (!std::isfinite(a(k)))
          throw invalid_parameter("measurement A_" + std::to_string(i), detail::to_text(a(k)),
                                  "finite entries");
    }
    require_observations(observed, m);
    stacked_.resize(n1_ * n2_, m);
    for (Eigen::Index i = 0; i < m; ++i)
      for (Eigen::Index k = 0; k < n1_ * n2_; ++k)
        stacked_(k, i) = measurements[static_cast<std::size_t>(i)](k);
    b_ = observed;
  }

  /// An instance drawn from `seed` (detail::seeded_normal, docs/formulas.md §11): Aᵢ with
  /// i.i.d. standard Gaussian entries, entry (j, k) of Aᵢ from counter i·n1·n2 + j + n1·k, and b
  /// as `kind` says. Sizes are checked as by the constructor, before anything is allocated.
  [[nodiscard]] static matrix_sensing gaussian(double step_size, Eigen::Index rows,
                                               Eigen::Index columns, Eigen::Index rank,
                                               Eigen::Index measurement_count, std::uint64_t seed,
                                               observations kind = observations::uniform) {
    require_positive("step size eta", step_size);
    require_sizes(rows, columns, rank, measurement_count);
    if (kind != observations::uniform && kind != observations::planted)
      throw invalid_parameter("observations kind", std::to_string(static_cast<int>(kind)),
                              "observations::uniform or observations::planted");
    matrix<double> stacked = detail::seeded_gaussian_matrix(rows * columns, measurement_count, seed,
                                                            detail::draw_stream::measurements);
    if (kind == observations::uniform) {
      const std::uint64_t s = detail::stream_seed(seed, detail::draw_stream::observations);
      vector<double> b(measurement_count);
      for (Eigen::Index i = 0; i < b.size(); ++i)
        b(i) = detail::seeded_uniform(s, static_cast<std::uint64_t>(i));
      return {step_size, rows, columns, rank, std::move(stacked), std::move(b), std::nullopt};
    }
    state<double> planted{
        detail::seeded_gaussian_matrix(rows, rank, seed, detail::draw_stream::planted_left),
        detail::seeded_gaussian_matrix(columns, rank, seed, detail::draw_stream::planted_right)};
    // bᵢ = ⟨Aᵢ, UVᵀ⟩ accumulated in long double, then rounded once (explicit loops: no
    // long double GEMM is compiled by code that merely includes this header).
    std::vector<long double> target(static_cast<std::size_t>(rows * columns), 0.0L);
    for (Eigen::Index c = 0; c < rank; ++c)
      for (Eigen::Index k = 0; k < columns; ++k)
        for (Eigen::Index j = 0; j < rows; ++j)
          target[static_cast<std::size_t>(j + rows * k)] +=
              static_cast<long double>(planted.X(j, c)) * planted.Y(k, c);
    vector<double> b(measurement_count);
    for (Eigen::Index i = 0; i < b.size(); ++i) {
      long double sum = 0;
      for (Eigen::Index k = 0; k < rows * columns; ++k)
        sum += static_cast<long double>(stacked(k, i)) * target[static_cast<std::size_t>(k)];
      b(i) = static_cast<double>(sum);
    }
    return {step_size, rows, columns, rank, std::move(stacked), std::move(b), std::move(planted)};
  }

  /// The same measurements with caller-given observations b (m finite entries);
  /// minimum_loss() is std::nullopt.
  [[nodiscard]] static matrix_sensing gaussian(double step_size, Eigen::Index rows,
                                               Eigen::Index columns, Eigen::Index rank,
                                               Eigen::Index measurement_count, std::uint64_t seed,
                                               const vector<double>& observed) {
    require_positive("step size eta", step_size);
    require_sizes(rows, columns, rank, measurement_count);
    require_observations(observed, measurement_count);
    return {step_size,
            rows,
            columns,
            rank,
            detail::seeded_gaussian_matrix(rows * columns, measurement_count, seed,
                                           detail::draw_stream::measurements),
            observed,
            std::nullopt};
  }

  /// [W App. A.2], Figure 13: Aᵢ ∈ ℝ^{100×100} Gaussian, b uniform on [0, 1], m = 10, r = 6.
  [[nodiscard]] static matrix_sensing wang_figure13(double step_size, std::uint64_t seed) {
    return gaussian(step_size, 100, 100, 6, 10, seed, observations::uniform);
  }

  [[nodiscard]] double step_size() const noexcept { return eta_; }
  [[nodiscard]] Eigen::Index rank() const noexcept { return r_; }
  /// n1 and n2, the shape of each Aᵢ and of XYᵀ.
  [[nodiscard]] Eigen::Index rows() const noexcept { return n1_; }
  [[nodiscard]] Eigen::Index columns() const noexcept { return n2_; }
  [[nodiscard]] Eigen::Index measurement_count() const noexcept { return stacked_.cols(); }
  [[nodiscard]] Eigen::Index dimension() const noexcept { return (n1_ + n2_) * r_; }
  /// The measurements as the columns vec(Aᵢ) of one n1·n2 × m matrix.
  [[nodiscard]] const matrix<double>& stacked_measurements() const noexcept { return stacked_; }
  /// Aᵢ (a copy); throws gdcert::invalid_parameter unless 0 <= i < m.
  [[nodiscard]] matrix<double> measurement(Eigen::Index i) const {
    require_extent("measurement index i", i, 0, measurement_count() - 1);
    return Eigen::Map<const matrix<double>>(stacked_.col(i).data(), n1_, n2_);
  }
  /// b.
  [[nodiscard]] const vector<double>& observed_values() const noexcept { return b_; }
  /// (U, V) with bᵢ = ⟨Aᵢ, UVᵀ⟩, for planted observations: a minimizer up to rounding.
  [[nodiscard]] const std::optional<state<double>>& planted_factors() const noexcept {
    return planted_;
  }
  /// R* = 0 for planted observations, else not known (std::nullopt).
  [[nodiscard]] std::optional<double> minimum_loss() const noexcept {
    return planted_ ? std::optional<double>(0.0) : std::nullopt;
  }

  /// GD map: X' = X − ηGY, Y' = Y − ηGᵀX.
  template <class T>
  [[nodiscard]] state<T> step(const state<T>& x) const {
    if constexpr (std::is_floating_point_v<T>) {
      state<T> next = x;
      basic_workspace<T> w = make_basic_workspace<T>();
      step_in_place(next, w);
      return next;
    } else {
      const state<T> g = gradient(x);
      const T eta = constant<T>(eta_);
      state<T> next = x;
      for (Eigen::Index i = 0; i < x.X.size(); ++i)
        next.X(i) = x.X(i) - eta * g.X(i);
      for (Eigen::Index i = 0; i < x.Y.size(); ++i)
        next.Y(i) = x.Y(i) - eta * g.Y(i);
      return next;
    }
  }

  /// Buffers for step_in_place: n1 × n2, m, n1 × r and n2 × r.
  [[nodiscard]] workspace make_workspace() const { return make_basic_workspace<double>(); }

  /// x ← x − η∇R(x), computed from the old iterate into `w`'s buffers only, allocating nothing
  /// at any size: Eigen's matrix-vector products assigned with noalias() into the preallocated
  /// matrices (detail::factor_product_into, factor_forces_into). `step` over double is this on a
  /// copy: the same bits.
  /// Throws gdcert::invalid_parameter if x or w has the wrong shape (w from make_workspace() of
  /// this problem); checks no values.
  template <std::floating_point Real>
  void step_in_place(state<Real>& x, basic_workspace<Real>& w) const {
    require_state(x);
    require_workspace(w);
    forces_into(x, w);
    const Real eta = static_cast<Real>(eta_);
    x.X -= eta * w.force_x;
    x.Y -= eta * w.force_y;
  }

  template <class T>
  [[nodiscard]] T loss(const state<T>& x) const {
    require_state(x);
    const T twice_m = constant<T>(2.0 * static_cast<double>(measurement_count()));
    if constexpr (std::is_floating_point_v<T>) {
      basic_workspace<T> w = make_basic_workspace<T>();
      residuals_into(x, w);
      const T value = w.residuals.squaredNorm() / twice_m;
      // XYᵀ or a residual beyond the range (∞ − ∞, 0·∞): loss, gradient, Hessian and
      // Hessian-vector product are evaluated again over extended_range.
      if (!std::isfinite(value))
        return round_to_real(loss(extend_range(x)));
      return value;
    } else {
      const vector<T> r = residuals_of(x);
      T sum = constant<T>(0.0);
      for (Eigen::Index i = 0; i < r.size(); ++i)
        sum = sum + r(i) * r(i);
      return sum / twice_m;
    }
  }

  /// ∇_X = GY, ∇_Y = GᵀX with G = Σᵢ sᵢAᵢ, sᵢ = (⟨Aᵢ, XYᵀ⟩ − bᵢ)/m.
  template <class T>
  [[nodiscard]] state<T> gradient(const state<T>& x) const {
    require_state(x);
    if constexpr (std::is_floating_point_v<T>) {
      basic_workspace<T> w = make_basic_workspace<T>();
      forces_into(x, w);
      state<T> g{std::move(w.force_x), std::move(w.force_y)};
      if (!all_finite(g))
        return round_to_real(gradient(extend_range(x)));
      return g;
    } else {
      const matrix<T> g_matrix = combination(scaled_residuals(x));
      return {multiply(g_matrix, x.Y), multiply<T>(g_matrix.transpose(), x.X)};
    }
  }

  /// ∇²R(x)·v for a direction v = (dX, dY): with dsᵢ = ⟨Aᵢ, dX Yᵀ + X dYᵀ⟩/m and
  /// dG = Σᵢ dsᵢAᵢ, the pair (dG Y + G dY, dGᵀX + GᵀdX) (docs/formulas.md §11). Throws
  /// gdcert::invalid_parameter if x or v has the wrong shape.
  template <class T>
  [[nodiscard]] state<T> hessian_vector_product(const state<T>& x, const state<T>& v) const {
    require_state(x);
    require_state(v, true);
    if constexpr (std::is_floating_point_v<T>) {
      const auto& a = measurements_as<T>();
      basic_workspace<T> w = make_basic_workspace<T>();
      forces_into(x, w); // w.product = G
      matrix<T> dg(n1_, n2_);
      dg.noalias() = v.X * x.Y.transpose();
      dg.noalias() += x.X * v.Y.transpose();
      vector<T> ds(measurement_count());
      ds.noalias() = a.transpose() * flat(dg);
      ds /= static_cast<T>(measurement_count());
      flat(dg).noalias() = a * ds;
      state<T> out{matrix<T>(n1_, r_), matrix<T>(n2_, r_)};
      out.X.noalias() = dg * x.Y;
      out.X.noalias() += w.product * v.Y;
      out.Y.noalias() = dg.transpose() * x.X;
      out.Y.noalias() += w.product.transpose() * v.X;
      if (!all_finite(out))
        return round_to_real(hessian_vector_product(extend_range(x), extend_range(v)));
      return out;
    } else {
      const matrix<T> g_matrix = combination(scaled_residuals(x));
      const matrix<T> d_product =
          add(multiply<T>(v.X, x.Y.transpose()), multiply<T>(x.X, v.Y.transpose()));
      vector<T> ds = inner_products(d_product);
      const T m = constant<T>(static_cast<double>(measurement_count()));
      for (Eigen::Index i = 0; i < ds.size(); ++i)
        ds(i) = ds(i) / m;
      const matrix<T> dg = combination(ds);
      return {add(multiply(dg, x.Y), multiply(g_matrix, v.Y)),
              add(multiply<T>(dg.transpose(), x.X), multiply<T>(g_matrix.transpose(), v.X))};
    }
  }

  /// ∇²R = (1/m) Σᵢ ∇rᵢ∇rᵢᵀ + the bilinear part: with rᵢ = ⟨Aᵢ, XYᵀ⟩ − bᵢ,
  /// ∂rᵢ/∂X = AᵢY, ∂rᵢ/∂Y = AᵢᵀX, and H[X_ja, Y_kb] gains δ_ab G_jk (docs/formulas.md §11).
  /// Exactly symmetric in every scalar.
  template <class T>
  [[nodiscard]] matrix<T> hessian(const state<T>& x) const {
    require_state(x);
    const Eigen::Index d = dimension(), m = measurement_count(), offset = n1_ * r_;
    matrix<T> h;
    matrix<T> g_matrix;
    if constexpr (std::is_floating_point_v<T>) {
      const auto& a = measurements_as<T>();
      basic_workspace<T> w = make_basic_workspace<T>();
      forces_into(x, w);
      g_matrix = std::move(w.product);
      matrix<T> jacobian_of_residuals(d, m); // column i: ∇rᵢ in coordinate order
      for (Eigen::Index i = 0; i < m; ++i) {
        const Eigen::Map<const matrix<T>> a_i(a.col(i).data(), n1_, n2_);
        Eigen::Map<matrix<T>>(jacobian_of_residuals.col(i).data(), n1_, r_).noalias() = a_i * x.Y;
        Eigen::Map<matrix<T>>(jacobian_of_residuals.col(i).data() + offset, n2_, r_).noalias() =
            a_i.transpose() * x.X;
      }
      h = matrix<T>::Zero(d, d);
      h.template selfadjointView<Eigen::Lower>().rankUpdate(jacobian_of_residuals,
                                                            T(1) / static_cast<T>(m));
      for (Eigen::Index q = 1; q < d; ++q)
        for (Eigen::Index p = 0; p < q; ++p)
          h(p, q) = h(q, p);
    } else {
      g_matrix = combination(scaled_residuals(x));
      matrix<T> jacobian_of_residuals(d, m);
      for (Eigen::Index i = 0; i < m; ++i)
        for (Eigen::Index c = 0; c < r_; ++c) {
          for (Eigen::Index j = 0; j < n1_; ++j) {
            T sum = constant<T>(0.0);
            for (Eigen::Index k = 0; k < n2_; ++k)
              sum = sum + entry<T>(j, k, i) * x.Y(k, c);
            jacobian_of_residuals(j + n1_ * c, i) = sum;
          }
          for (Eigen::Index k = 0; k < n2_; ++k) {
            T sum = constant<T>(0.0);
            for (Eigen::Index j = 0; j < n1_; ++j)
              sum = sum + entry<T>(j, k, i) * x.X(j, c);
            jacobian_of_residuals(offset + k + n2_ * c, i) = sum;
          }
        }
      const T count = constant<T>(static_cast<double>(m));
      h = matrix<T>(d, d);
      for (Eigen::Index p = 0; p < d; ++p)
        for (Eigen::Index q = p; q < d; ++q) {
          T sum = constant<T>(0.0);
          for (Eigen::Index i = 0; i < m; ++i)
            sum = sum + jacobian_of_residuals(p, i) * jacobian_of_residuals(q, i);
          h(p, q) = sum / count;
          h(q, p) = h(p, q);
        }
    }
    for (Eigen::Index c = 0; c < r_; ++c)
      for (Eigen::Index k = 0; k < n2_; ++k)
        for (Eigen::Index j = 0; j < n1_; ++j) {
          const Eigen::Index row = j + n1_ * c, column = offset + k + n2_ * c;
          h(row, column) = h(row, column) + g_matrix(j, k);
          h(column, row) = h(row, column);
        }
    if constexpr (std::is_floating_point_v<T>)
      if (!all_finite(h))
        return round_to_real(hessian(extend_range(x)));
    return h;
  }

  template <class T>
  [[nodiscard]] vector<T> coordinates(const state<T>& x) const {
    require_state(x);
    return detail::stacked_coordinates(x.X, x.Y);
  }
  template <class T>
  [[nodiscard]] state<T> from_coordinates(const vector<T>& c) const {
    require_dimension("coordinates.size()", c.size(), dimension());
    auto [first, second] = detail::unstacked_factors(c, n1_, n2_, r_);
    return {std::move(first), std::move(second)};
  }

  /// The second-order test of the base's is_minimizer where R* is not known: no eigenvalue of h
  /// below −tolerance (a template, so that the eigensolver is compiled only where it is called).
  template <class Hessian>
  [[nodiscard]] static bool positive_semidefinite(const Hessian& h, double tolerance) {
    if (!h.allFinite())
      return false;
    const Eigen::SelfAdjointEigenSolver<matrix<double>> solver(h, Eigen::EigenvaluesOnly);
    return solver.info() == Eigen::Success && solver.eigenvalues()(0) >= -tolerance;
  }

private:
  /// The private constructor of the drawn instances (sizes and η already checked).
  matrix_sensing(double step_size, Eigen::Index rows, Eigen::Index columns, Eigen::Index rank,
                 matrix<double> stacked, vector<double> observed,
                 std::optional<state<double>> planted)
      : eta_(step_size), n1_(rows), n2_(columns), r_(rank), stacked_(std::move(stacked)),
        b_(std::move(observed)), planted_(std::move(planted)) {}

  /// Sizes, checked before anything is allocated; each bound keeps the next product exact.
  static void require_sizes(Eigen::Index rows, Eigen::Index columns, Eigen::Index rank,
                            Eigen::Index count) {
    require_extent("measurement rows n1", rows, 1, max_state_dimension);
    require_extent("measurement columns n2", columns, 1, max_state_dimension);
    require_extent("factor rank r", rank, 1, max_state_dimension);
    if (rows + columns > max_state_dimension / rank)
      throw invalid_parameter("state dimension (n1 + n2) r",
                              std::to_string(rows + columns) + " x " + std::to_string(rank),
                              "<= " + std::to_string(max_state_dimension));
    require_extent("measurement count m", count, 1, max_state_dimension);
    if (rows * columns > max_state_dimension / count)
      throw invalid_parameter("measurement entries m n1 n2",
                              std::to_string(count) + " x " + std::to_string(rows) + " x " +
                                  std::to_string(columns),
                              "<= " + std::to_string(max_state_dimension));
  }
  static void require_observations(const vector<double>& observed, Eigen::Index count) {
    require_dimension("observations b size", observed.size(), count);
    for (Eigen::Index i = 0; i < observed.size(); ++i)
      if (!std::isfinite(observed(i)))
        throw invalid_parameter("observation b_" + std::to_string(i), detail::to_text(observed(i)),
                                "a finite number");
  }

  /// X is n1 × r and Y is n2 × r (a direction v of hessian_vector_product likewise).
  template <class T>
  void require_state(const state<T>& x, bool direction = false) const {
    require_dimension(direction ? "direction dX.rows()" : "X.rows()", x.X.rows(), n1_);
    require_dimension(direction ? "direction dX.cols()" : "X.cols()", x.X.cols(), r_);
    require_dimension(direction ? "direction dY.rows()" : "Y.rows()", x.Y.rows(), n2_);
    require_dimension(direction ? "direction dY.cols()" : "Y.cols()", x.Y.cols(), r_);
  }
  template <std::floating_point Real>
  void require_workspace(const basic_workspace<Real>& w) const {
    require_dimension("workspace product.rows()", w.product.rows(), n1_);
    require_dimension("workspace product.cols()", w.product.cols(), n2_);
    require_dimension("workspace residuals.size()", w.residuals.size(), measurement_count());
    require_dimension("workspace force_x.rows()", w.force_x.rows(), n1_);
    require_dimension("workspace force_x.cols()", w.force_x.cols(), r_);
    require_dimension("workspace force_y.rows()", w.force_y.rows(), n2_);
    require_dimension("workspace force_y.cols()", w.force_y.cols(), r_);
  }

  template <std::floating_point Real>
  [[nodiscard]] basic_workspace<Real> make_basic_workspace() const {
    return {matrix<Real>(n1_, n2_), vector<Real>(measurement_count()), matrix<Real>(n1_, r_),
            matrix<Real>(n2_, r_)};
  }

  /// The measurements over Real: a reference for double, a converted copy otherwise.
  template <std::floating_point Real>
  [[nodiscard]] decltype(auto) measurements_as() const {
    if constexpr (std::is_same_v<Real, double>)
      return (stacked_);
    else
      return matrix<Real>(stacked_.template cast<Real>());
  }
  template <std::floating_point Real>
  [[nodiscard]] static Eigen::Map<vector<Real>> flat(matrix<Real>& m) {
    return {m.data(), m.size()};
  }

  /// w.product = XYᵀ, w.residuals = (⟨Aᵢ, XYᵀ⟩ − bᵢ)ᵢ (Eigen's products, no allocation).
  template <std::floating_point Real>
  void residuals_into(const state<Real>& x, basic_workspace<Real>& w) const {
    const auto& a = measurements_as<Real>();
    detail::factor_product_into(x.X, x.Y, w.product);
    w.residuals.noalias() = a.transpose() * flat(w.product);
    w.residuals -= b_.template cast<Real>();
  }
  /// Then w.residuals = s, w.product = G = Σᵢ sᵢAᵢ, w.force_x = GY, w.force_y = GᵀX.
  template <std::floating_point Real>
  void forces_into(const state<Real>& x, basic_workspace<Real>& w) const {
    const auto& a = measurements_as<Real>();
    residuals_into(x, w);
    w.residuals /= static_cast<Real>(measurement_count());
    flat(w.product).noalias() = a * w.residuals;
    detail::factor_forces_into(w.product, x.X, x.Y, w.force_x, w.force_y);
  }

  /// (Aᵢ)_jk over T (the generic path: explicit loops, for scalars Eigen's kernels reject).
  template <class T>
  [[nodiscard]] T entry(Eigen::Index j, Eigen::Index k, Eigen::Index i) const {
    return constant<T>(stacked_(j + n1_ * k, i));
  }
  /// (⟨Aᵢ, D⟩)ᵢ.
  template <class T>
  [[nodiscard]] vector<T> inner_products(const matrix<T>& d) const {
    vector<T> out(measurement_count());
    for (Eigen::Index i = 0; i < out.size(); ++i) {
      T sum = constant<T>(0.0);
      for (Eigen::Index k = 0; k < d.size(); ++k)
        sum = sum + constant<T>(stacked_(k, i)) * d(k);
      out(i) = sum;
    }
    return out;
  }
  /// Σᵢ cᵢAᵢ.
  template <class T>
  [[nodiscard]] matrix<T> combination(const vector<T>& c) const {
    matrix<T> out(n1_, n2_);
    for (Eigen::Index k = 0; k < out.size(); ++k) {
      T sum = constant<T>(0.0);
      for (Eigen::Index i = 0; i < c.size(); ++i)
        sum = sum + constant<T>(stacked_(k, i)) * c(i);
      out(k) = sum;
    }
    return out;
  }
  /// rᵢ = ⟨Aᵢ, XYᵀ⟩ − bᵢ.
  template <class T>
  [[nodiscard]] vector<T> residuals_of(const state<T>& x) const {
    vector<T> r = inner_products(multiply<T>(x.X, x.Y.transpose()));
    for (Eigen::Index i = 0; i < r.size(); ++i)
      r(i) = r(i) - constant<T>(b_(i));
    return r;
  }
  /// sᵢ = rᵢ/m.
  template <class T>
  [[nodiscard]] vector<T> scaled_residuals(const state<T>& x) const {
    vector<T> s = residuals_of(x);
    const T m = constant<T>(static_cast<double>(measurement_count()));
    for (Eigen::Index i = 0; i < s.size(); ++i)
      s(i) = s(i) / m;
    return s;
  }
  template <class T>
  [[nodiscard]] static matrix<T> add(matrix<T> a, const matrix<T>& b) {
    for (Eigen::Index i = 0; i < a.size(); ++i)
      a(i) = a(i) + b(i);
    return a;
  }

  double eta_;
  Eigen::Index n1_ = 0, n2_ = 0, r_;
  matrix<double> stacked_; // column i: vec(Aᵢ)
  vector<double> b_;
  std::optional<state<double>> planted_;
};

} // namespace gdcert
