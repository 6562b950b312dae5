// Matrix completion ½‖P_Ω(A − XYᵀ)‖²_F and its GD map (docs/formulas.md §12, [W App. A.2]).
#pragma once

#include <gdcert/core/arithmetic.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/core/precompiled.hpp>
#include <gdcert/problems/detail/residual_forces.hpp>
#include <gdcert/problems/detail/seeded_draws.hpp>
#include <gdcert/problems/detail/two_factors.hpp>
#include <gdcert/problems/problem.hpp>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/SVD>

#include <cmath>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace gdcert {

/// Matrix completion of a target A ∈ ℝ^{n1×n2} observed on a mask Ω: loss
/// R(X, Y) = ½‖P_Ω(A − XYᵀ)‖²_F with X ∈ ℝ^{n1×r}, Y ∈ ℝ^{n2×r}, P_Ω keeping the entries in Ω and
/// zeroing the others. With E = P_Ω(XYᵀ − A): ∇_X = EY, ∇_Y = EᵀX, and the GD map
/// X' = X − ηEY, Y' = Y − ηEᵀX (both from the old iterate). Coordinates: vec(X) (column-major),
/// then vec(Y).
///
/// Minimizers: minimum_loss() is 0 where the target has rank <= r (numerical rank from Eigen's
/// BDCSVD at construction: then XYᵀ = A attains 0), std::nullopt otherwise (the masked
/// minimum may still be 0; it is not computed). is_minimizer and is_stationary are the base
/// class's fallbacks (problems/problem.hpp): ‖∇R‖ ≤ tol, and then R ≤ tol where R* = 0 is known,
/// else the second-order test λ_min(∇²R) ≥ −tol (positive_semidefinite, a dense eigensolver
/// compiled only by code that calls is_minimizer).
class matrix_completion : public gradient_descent_map<matrix_completion> {
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

  /// The mask Ω: entry (j, k) is observed where true.
  using mask_type = Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic>;

  /// Preallocated buffers of step_in_place (and of the floating-point members): XYᵀ and then E,
  /// and the forces EY, EᵀX.
  template <std::floating_point Real>
  struct basic_workspace {
    matrix<Real> residual;
    matrix<Real> force_x, force_y;
  };
  /// What the allocation-free double step keeps between calls: the fused kernel of
  /// problems/detail/residual_forces.hpp (tiles of E = P_Ω(XYᵀ − A) formed in registers and used
  /// by EY and EᵀX at once, never stored; the same as matrix_factorization's), Ω as bit masks, and
  /// the two forces. Movable, not copyable.
  class workspace {
  public:
    /// The threads the step runs on (1 below about 10⁶ flops a step).
    [[nodiscard]] unsigned threads() const noexcept { return forces_.threads(); }

  private:
    friend class matrix_completion;
    workspace(const matrix_completion& p, unsigned threads)
        : forces_(p.rows(), p.columns(), p.r_, threads),
          mask_(detail::residual_forces::mask_bits(p.mask_)), force_x_(p.rows(), p.r_),
          force_y_(p.columns(), p.r_) {}
    detail::residual_forces forces_;
    matrix<double> mask_, force_x_, force_y_;
  };

  /// Throws gdcert::invalid_parameter unless η > 0, A has n1, n2 >= 1 and finite entries,
  /// r >= 1, (n1 + n2) r <= max_state_dimension, and the mask has A's shape with at least one
  /// observed entry. A template so that the singular value decomposition behind minimum_loss()
  /// is compiled only by code that builds a completion problem (docs/performance.md,
  /// "Compile time").
  template <class Target>
  matrix_completion(double step_size, const Eigen::MatrixBase<Target>& target, Eigen::Index rank,
                    const mask_type& mask)
      : eta_(require_positive("step size eta", step_size)), r_(rank) {
    require_extent("target A rows n1", target.rows(), 1, max_state_dimension);
    require_extent("target A columns n2", target.cols(), 1, max_state_dimension);
    require_extent("factor rank r", r_, 1, max_state_dimension);
    if (target.rows() + target.cols() > max_state_dimension / r_)
      throw invalid_parameter("state dimension (n1 + n2) r",
                              std::to_string(target.rows() + target.cols()) + " x " +
                                  std::to_string(r_),
                              "<= " + std::to_string(max_state_dimension));
    require_dimension("mask rows", mask.rows(), target.rows());
    require_dimension("mask columns", mask.cols(), target.cols());
    target_ = target;
    if (!target_.allFinite())
      throw invalid_parameter("target A", "non-finite entries", "finite entries");
    mask_ = mask;
    for (Eigen::Index k = 0; k < mask_.size(); ++k)
      if (mask_(k))
        observed_.push_back(k);
    require_at_least("mask observed entries |Omega|", static_cast<long>(observed_.size()), 1);
    if (numerical_rank(target_) <= r_)
      minimum_loss_ = 0.0;
  }

  /// The same with the mask drawn from `seed`: each entry observed with probability `density`
  /// (bernoulli_mask).
  template <class Target>
  matrix_completion(double step_size, const Eigen::MatrixBase<Target>& target, Eigen::Index rank,
                    double density, std::uint64_t seed)
      : matrix_completion(step_size, target, rank,
                          bernoulli_mask(target.rows(), target.cols(), density, seed)) {}

  /// A rows × columns mask with entry (j, k) observed iff U_{j + n1·k} < density, U uniform on
  /// (0, 1) from `seed` (docs/formulas.md §12). Throws gdcert::invalid_parameter unless the sizes
  /// are >= 1 with n1·n2 <= max_state_dimension and density ∈ (0, 1].
  [[nodiscard]] static mask_type bernoulli_mask(Eigen::Index rows, Eigen::Index columns,
                                                double density, std::uint64_t seed) {
    require_entries(rows, columns);
    if (!(density > 0 && density <= 1))
      throw invalid_parameter("mask density", detail::to_text(density), "(0, 1]");
    const std::uint64_t s = detail::stream_seed(seed, detail::draw_stream::mask);
    mask_type mask(rows, columns);
    for (Eigen::Index k = 0; k < mask.size(); ++k)
      mask(k) = detail::seeded_uniform(s, static_cast<std::uint64_t>(k)) < density;
    return mask;
  }

  /// A drawn instance: target A = UVᵀ with U ∈ ℝ^{n1×k}, V ∈ ℝ^{n2×k} i.i.d. standard Gaussian
  /// (k = target_rank), the mask by bernoulli_mask, all from `seed`. A template (its argument is
  /// always the default) so that the SVD of the constructor is compiled only where it is called.
  template <class Target = matrix<double>>
  [[nodiscard]] static matrix_completion
  random_low_rank(double step_size, Eigen::Index rows, Eigen::Index columns,
                  Eigen::Index target_rank, Eigen::Index rank, double density, std::uint64_t seed) {
    require_positive("step size eta", step_size);
    require_entries(rows, columns);
    require_extent("target rank k", target_rank, 1, max_state_dimension);
    if (rows + columns > max_state_dimension / target_rank)
      throw invalid_parameter("target factors (n1 + n2) k",
                              std::to_string(rows + columns) + " x " + std::to_string(target_rank),
                              "<= " + std::to_string(max_state_dimension));
    const mask_type mask = bernoulli_mask(rows, columns, density, seed);
    const Target target =
        detail::seeded_gaussian_matrix(rows, target_rank, seed, detail::draw_stream::target_left) *
        detail::seeded_gaussian_matrix(columns, target_rank, seed,
                                       detail::draw_stream::target_right)
            .transpose();
    return matrix_completion(step_size, target, rank, mask);
  }

  /// [W App. A.2], Figure 14: a rank-2 target 10 × 10, r = 2, density 0.6.
  template <class Target = matrix<double>>
  [[nodiscard]] static matrix_completion wang_figure14(double step_size, std::uint64_t seed) {
    return random_low_rank<Target>(step_size, 10, 10, 2, 2, 0.6, seed);
  }

  [[nodiscard]] double step_size() const noexcept { return eta_; }
  [[nodiscard]] Eigen::Index rank() const noexcept { return r_; }
  [[nodiscard]] Eigen::Index rows() const noexcept { return target_.rows(); }
  [[nodiscard]] Eigen::Index columns() const noexcept { return target_.cols(); }
  [[nodiscard]] Eigen::Index dimension() const noexcept {
    return (target_.rows() + target_.cols()) * r_;
  }
  [[nodiscard]] const matrix<double>& target() const noexcept { return target_; }
  [[nodiscard]] const mask_type& mask() const noexcept { return mask_; }
  /// |Ω|.
  [[nodiscard]] Eigen::Index observed_count() const noexcept {
    return static_cast<Eigen::Index>(observed_.size());
  }
  /// R* = 0 where rank A <= r, else not known (std::nullopt).
  [[nodiscard]] std::optional<double> minimum_loss() const noexcept { return minimum_loss_; }

  /// GD map: X' = X − ηEY, Y' = Y − ηEᵀX.
  template <class T>
  [[nodiscard]] state<T> step(const state<T>& x) const {
    if constexpr (std::is_same_v<T, double>) {
      require_state(x);
      workspace w = make_workspace(1);
      state<T> next = x;
      step_in_place(next, w);
      return next;
    } else if constexpr (std::is_floating_point_v<T>) {
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

  /// The workspace of step_in_place for this problem's sizes, on `threads` threads (0: all cores; the same bits for any count). Throws
  /// gdcert::invalid_parameter for more than worker_team::max_threads.
  [[nodiscard]] workspace make_workspace(unsigned threads = 0) const {
    return workspace(*this, threads);
  }

  /// x ← x − η∇R(x) over double with no allocation: the fused kernel (X read as the row factor,
  /// Y as the column factor, A once per step). Throws gdcert::invalid_parameter if x or w has
  /// another problem's shape; checks no values.
  /// (A template of one type, so that the kernel is compiled only by code that steps.)
  template <std::same_as<double> Real>
  void step_in_place(state<Real>& x, workspace& w) const {
    require_state(x);
    require_dimension("workspace force_x.rows() (rows n1)", w.force_x_.rows(), rows());
    require_dimension("workspace force_y.rows() (columns n2)", w.force_y_.rows(), columns());
    require_dimension("workspace rank r", w.force_x_.cols(), r_);
    w.forces_(x.X.data(), x.Y.data(), target_.data(), w.mask_.data(), w.force_x_.data(),
              w.force_y_.data());
    const double eta = eta_;
    for (Eigen::Index i = 0; i < x.X.size(); ++i)
      x.X(i) = x.X(i) - eta * w.force_x_(i);
    for (Eigen::Index i = 0; i < x.Y.size(); ++i)
      x.Y(i) = x.Y(i) - eta * w.force_y_(i);
  }

  /// The same over float and long double (`step` over them is this on a copy), computed from the
  /// old iterate into `w`'s buffers only, allocating nothing at any size: Eigen's matrix-vector
  /// products assigned with noalias() into the preallocated matrices
  /// (detail::factor_product_into, factor_forces_into).
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
    if constexpr (std::is_floating_point_v<T>) {
      basic_workspace<T> w = make_basic_workspace<T>();
      residual_into(x, w);
      const T value = T(0.5) * w.residual.squaredNorm();
      // XYᵀ beyond the range (∞ − ∞): loss, gradient, Hessian and Hessian-vector product are
      // evaluated again over extended_range.
      if (!std::isfinite(value))
        return round_to_real(loss(extend_range(x)));
      return value;
    } else {
      T sum = constant<T>(0.0);
      for (const Eigen::Index index : observed_) {
        const T e = residual_at(x, index);
        sum = sum + e * e;
      }
      return constant<T>(0.5) * sum;
    }
  }

  /// ∇_X = EY, ∇_Y = EᵀX with E = P_Ω(XYᵀ − A).
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
      state<T> g = zero_state<T>();
      for (const Eigen::Index index : observed_) {
        const Eigen::Index j = index % rows(), k = index / rows();
        const T e = residual_at(x, index);
        for (Eigen::Index c = 0; c < r_; ++c) {
          g.X(j, c) = g.X(j, c) + e * x.Y(k, c);
          g.Y(k, c) = g.Y(k, c) + e * x.X(j, c);
        }
      }
      return g;
    }
  }

  /// ∇²R(x)·v for a direction v = (dX, dY): with dE = P_Ω(dX Yᵀ + X dYᵀ), the pair
  /// (dE Y + E dY, dEᵀX + EᵀdX) (docs/formulas.md §12). Throws gdcert::invalid_parameter if x or
  /// v has the wrong shape.
  template <class T>
  [[nodiscard]] state<T> hessian_vector_product(const state<T>& x, const state<T>& v) const {
    require_state(x);
    require_state(v, true);
    if constexpr (std::is_floating_point_v<T>) {
      basic_workspace<T> w = make_basic_workspace<T>();
      residual_into(x, w); // w.residual = E
      matrix<T> de(rows(), columns());
      de.noalias() = v.X * x.Y.transpose();
      de.noalias() += x.X * v.Y.transpose();
      de = mask_.select(de, T(0));
      state<T> out{matrix<T>(rows(), r_), matrix<T>(columns(), r_)};
      out.X.noalias() = de * x.Y;
      out.X.noalias() += w.residual * v.Y;
      out.Y.noalias() = de.transpose() * x.X;
      out.Y.noalias() += w.residual.transpose() * v.X;
      if (!all_finite(out))
        return round_to_real(hessian_vector_product(extend_range(x), extend_range(v)));
      return out;
    } else {
      state<T> out = zero_state<T>();
      for (const Eigen::Index index : observed_) {
        const Eigen::Index j = index % rows(), k = index / rows();
        const T e = residual_at(x, index);
        T de = constant<T>(0.0);
        for (Eigen::Index c = 0; c < r_; ++c)
          de = de + v.X(j, c) * x.Y(k, c) + x.X(j, c) * v.Y(k, c);
        for (Eigen::Index c = 0; c < r_; ++c) {
          out.X(j, c) = out.X(j, c) + de * x.Y(k, c) + e * v.Y(k, c);
          out.Y(k, c) = out.Y(k, c) + de * x.X(j, c) + e * v.X(j, c);
        }
      }
      return out;
    }
  }

  /// Entries, each from one observed (j, k) ∈ Ω with residual E_jk:
  /// H[X_ja, X_jb] += Y_ka Y_kb, H[Y_ka, Y_kb] += X_ja X_jb, H[X_ja, Y_kb] = Y_ka X_jb + δ_ab E_jk
  /// (and its transpose; docs/formulas.md §12). Exactly symmetric in every scalar.
  template <class T>
  [[nodiscard]] matrix<T> hessian(const state<T>& x) const {
    require_state(x);
    const Eigen::Index n1 = rows(), n2 = columns(), offset = n1 * r_;
    matrix<T> h = matrix<T>::Constant(dimension(), dimension(), constant<T>(0.0));
    for (const Eigen::Index index : observed_) {
      const Eigen::Index j = index % n1, k = index / n1;
      const T e = residual_at(x, index);
      for (Eigen::Index a = 0; a < r_; ++a)
        for (Eigen::Index b = 0; b < r_; ++b) {
          const Eigen::Index xa = j + n1 * a, xb = j + n1 * b;
          const Eigen::Index ya = offset + k + n2 * a, yb = offset + k + n2 * b;
          h(xa, xb) = h(xa, xb) + x.Y(k, a) * x.Y(k, b);
          h(ya, yb) = h(ya, yb) + x.X(j, a) * x.X(j, b);
          T cross = x.Y(k, a) * x.X(j, b);
          if (a == b)
            cross = cross + e;
          h(xa, yb) = cross;
          h(yb, xa) = cross;
        }
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
    auto [first, second] = detail::unstacked_factors(c, rows(), columns(), r_);
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
  /// n1, n2 >= 1 and n1·n2 <= max_state_dimension (the drawn parts), before allocating.
  static void require_entries(Eigen::Index rows, Eigen::Index columns) {
    require_extent("target A rows n1", rows, 1, max_state_dimension);
    require_extent("target A columns n2", columns, 1, max_state_dimension);
    if (rows > max_state_dimension / columns)
      throw invalid_parameter("target entries n1 n2",
                              std::to_string(rows) + " x " + std::to_string(columns),
                              "<= " + std::to_string(max_state_dimension));
  }

  /// The numerical rank (the SVD threshold: singular values above min(n1, n2)·ε·σ_max count).
  template <class Target>
  [[nodiscard]] static Eigen::Index numerical_rank(const Target& target) {
    return Eigen::BDCSVD<Target>(target).rank();
  }

  /// X is n1 × r and Y is n2 × r (a direction v of hessian_vector_product likewise).
  template <class T>
  void require_state(const state<T>& x, bool direction = false) const {
    require_dimension(direction ? "direction dX.rows()" : "X.rows()", x.X.rows(), rows());
    require_dimension(direction ? "direction dX.cols()" : "X.cols()", x.X.cols(), r_);
    require_dimension(direction ? "direction dY.rows()" : "Y.rows()", x.Y.rows(), columns());
    require_dimension(direction ? "direction dY.cols()" : "Y.cols()", x.Y.cols(), r_);
  }
  template <std::floating_point Real>
  void require_workspace(const basic_workspace<Real>& w) const {
    require_dimension("workspace residual.rows()", w.residual.rows(), rows());
    require_dimension("workspace residual.cols()", w.residual.cols(), columns());
    require_dimension("workspace force_x.rows()", w.force_x.rows(), rows());
    require_dimension("workspace force_x.cols()", w.force_x.cols(), r_);
    require_dimension("workspace force_y.rows()", w.force_y.rows(), columns());
    require_dimension("workspace force_y.cols()", w.force_y.cols(), r_);
  }

  template <std::floating_point Real>
  [[nodiscard]] basic_workspace<Real> make_basic_workspace() const {
    return {matrix<Real>(rows(), columns()), matrix<Real>(rows(), r_), matrix<Real>(columns(), r_)};
  }
  template <class T>
  [[nodiscard]] state<T> zero_state() const {
    return {matrix<T>::Constant(rows(), r_, constant<T>(0.0)),
            matrix<T>::Constant(columns(), r_, constant<T>(0.0))};
  }

  /// w.residual = E = P_Ω(XYᵀ − A): unobserved entries are set to 0, not multiplied by it, so an
  /// infinite XYᵀ there leaves no NaN.
  template <std::floating_point Real>
  void residual_into(const state<Real>& x, basic_workspace<Real>& w) const {
    detail::factor_product_into(x.X, x.Y, w.residual);
    w.residual = mask_.select(w.residual - target_.template cast<Real>(), Real(0));
  }
  /// Then w.force_x = EY, w.force_y = EᵀX.
  template <std::floating_point Real>
  void forces_into(const state<Real>& x, basic_workspace<Real>& w) const {
    residual_into(x, w);
    detail::factor_forces_into(w.residual, x.X, x.Y, w.force_x, w.force_y);
  }

  /// E_jk = Σ_c X_jc Y_kc − A_jk at the observed entry index = j + n1·k (the generic path).
  template <class T>
  [[nodiscard]] T residual_at(const state<T>& x, Eigen::Index index) const {
    const Eigen::Index j = index % rows(), k = index / rows();
    T sum = constant<T>(0.0);
    for (Eigen::Index c = 0; c < r_; ++c)
      sum = sum + x.X(j, c) * x.Y(k, c);
    return sum - constant<T>(target_(index));
  }

  double eta_;
  Eigen::Index r_;
  matrix<double> target_;
  mask_type mask_;
  std::vector<Eigen::Index> observed_; // j + n1·k of each (j, k) ∈ Ω, column by column
  std::optional<double> minimum_loss_;
};

} // namespace gdcert
