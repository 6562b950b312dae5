// General matrix factorization ½‖BAᵀ − X‖²_F (+ ridge) and its GD map (docs/formulas.md §1, eqs. 1-3, [LM 1]).
#pragma once

#include <gdcert/core/error.hpp>
#include <gdcert/core/precompiled.hpp>
#include <gdcert/core/worker_team.hpp>
#include <gdcert/problems/detail/residual_direction_products.hpp>
#include <gdcert/problems/detail/residual_forces.hpp>
#include <gdcert/problems/detail/two_factors.hpp>
#include <gdcert/problems/problem.hpp>

#include <Eigen/SVD>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <concepts>
#include <thread>
#include <utility>
#include <vector>

namespace gdcert {

/// Factorization of X ∈ ℝ^{m×n} as BAᵀ with A ∈ ℝ^{n×r}, B ∈ ℝ^{m×r}:
/// loss ½‖BAᵀ − X‖²_F + (λ/2)(‖A‖²_F + ‖B‖²_F), GD map (3)
/// A' = A − η(BAᵀ − X)ᵀB − ηλA, B' = B − η(BAᵀ − X)A − ηλB (both from the old iterate).
/// Coordinates: vec(A) (column-major), then vec(B). The rank-1 case reduces exactly to
/// gdcert::rank1_approximation through gdcert::rank1_reduction (4-6).
class matrix_factorization : public gradient_descent_map<matrix_factorization> {
public:
  template <class T>
  struct state {
    matrix<T> A, B;

    /// The state over extended_range, and back: the second evaluation of a formula whose
    /// floating-point value overflowed (core/arithmetic.hpp).
    friend auto extend_range(const state& x) requires std::floating_point<T> {
      return state<extended_range<T>>{gdcert::extend_range(x.A), gdcert::extend_range(x.B)};
    }
    friend bool all_finite(const state& x) requires std::floating_point<T> {
      return x.A.allFinite() && x.B.allFinite();
    }
  };
  template <std::floating_point Real>
  friend state<Real> round_to_real(const state<extended_range<Real>>& x) {
    return {gdcert::round_to_real(x.A), gdcert::round_to_real(x.B)};
  }

  /// Throws gdcert::invalid_parameter unless η > 0, X is non-empty and finite, r >= 1, λ >= 0.
  /// A template so that the singular value decomposition behind minimum_loss() is compiled only
  /// by code that builds a matrix problem (docs/performance.md, "Compile time").
  template <class Target>
  matrix_factorization(double step_size, const Eigen::MatrixBase<Target>& target, Eigen::Index rank,
                       double lambda = 0.0)
      : eta_(require_positive("step size eta", step_size)), x_(target), r_(rank),
        lambda_(require_non_negative("regularization lambda", lambda)) {
    require_at_least("target X rows m", x_.rows(), 1);
    require_at_least("target X columns n", x_.cols(), 1);
    require_extent("factor rank r", r_, 1, max_state_dimension);
    if ((x_.rows() + x_.cols()) > max_state_dimension / r_)
      throw invalid_parameter("state dimension (m + n) r",
                              std::to_string(x_.rows() + x_.cols()) + " x " + std::to_string(r_),
                              "<= " + std::to_string(max_state_dimension));
    if (!x_.allFinite())
      throw invalid_parameter("target X", "non-finite entries", "finite entries");
    minimum_loss_ = eckart_young_minimum(x_);
  }

  [[nodiscard]] double step_size() const noexcept { return eta_; }
  [[nodiscard]] const matrix<double>& target() const noexcept { return x_; }
  [[nodiscard]] double regularization() const noexcept { return lambda_; }
  [[nodiscard]] Eigen::Index rank() const noexcept { return r_; }
  [[nodiscard]] Eigen::Index dimension() const noexcept { return (x_.rows() + x_.cols()) * r_; }

  /// GD map (3). Over double it is step_in_place on a copy (the same bits); over every other
  /// scalar the two products below, written once.
  template <class T>
  [[nodiscard]] state<T> step(const state<T>& x) const {
    if constexpr (std::is_same_v<T, double>) {
      require_state(x);
      workspace w = make_workspace(1);
      state<T> next = x;
      step_in_place(next, w);
      return next;
    } else {
      const matrix<T> residual = residual_of(x);
      const matrix<T> force_a = multiply<T>(residual.transpose(), x.B),
                      force_b = multiply(residual, x.A);
      const T eta = constant<T>(eta_), keep = constant<T>(1.0) - eta * constant<T>(lambda_);
      state<T> next{x.A, x.B};
      for (Eigen::Index i = 0; i < x.A.size(); ++i)
        next.A(i) = keep * x.A(i) - eta * force_a(i);
      for (Eigen::Index i = 0; i < x.B.size(); ++i)
        next.B(i) = keep * x.B(i) - eta * force_b(i);
      return next;
    }
  }

  /// What the allocation-free step keeps between calls: the fused kernel's buffers and threads
  /// (problems/detail/residual_forces.hpp) and the two forces. Made by make_workspace for one
  /// problem's sizes; movable, not copyable.
  class workspace {
  public:
    /// The threads the step runs on (1 below about 10⁶ flops a step, where sharing costs more).
    [[nodiscard]] unsigned threads() const noexcept { return forces_.threads(); }

  private:
    friend class matrix_factorization;
    workspace(Eigen::Index m, Eigen::Index n, Eigen::Index r, unsigned threads)
        : forces_(m, n, r, threads), force_a_(n, r), force_b_(m, r) {}
    detail::residual_forces forces_;
    matrix<double> force_a_, force_b_;
  };

  /// The workspace of step_in_place for this problem's sizes, on `threads` threads (0: all
  /// cores; the results are the same bits for any count). Throws gdcert::invalid_parameter for
  /// more than worker_team::max_threads.
  [[nodiscard]] workspace make_workspace(unsigned threads = 0) const {
    return workspace(x_.rows(), x_.cols(), r_, threads);
  }

  /// GD map (3) in place over double, x ← x − η∇R(x), with no allocation: each tile of the
  /// residual BAᵀ − X is formed in registers and used by both products (RᵀB and RA) at once, so
  /// X is read once per step and the residual never stored (docs/performance.md, "Matrix step").
  /// Throws gdcert::invalid_parameter when x or w do not have this problem's sizes.
  /// (A template of one type, so that the kernel is compiled only by code that steps.)
  template <std::same_as<double> Real>
  void step_in_place(state<Real>& x, workspace& w) const {
    require_state(x);
    require_dimension("workspace force_a rows (target X columns n)", w.force_a_.rows(), x_.cols());
    require_dimension("workspace force_b rows (target X rows m)", w.force_b_.rows(), x_.rows());
    require_dimension("workspace rank r", w.force_a_.cols(), r_);
    w.forces_(x.B.data(), x.A.data(), x_.data(), nullptr, w.force_b_.data(), w.force_a_.data());
    const double eta = eta_, keep = 1.0 - eta * lambda_;
    for (Eigen::Index i = 0; i < x.A.size(); ++i)
      x.A(i) = keep * x.A(i) - eta * w.force_a_(i);
    for (Eigen::Index i = 0; i < x.B.size(); ++i)
      x.B(i) = keep * x.B(i) - eta * w.force_b_(i);
  }

  template <class T>
  [[nodiscard]] T loss(const state<T>& x) const {
    const matrix<T> residual = residual_of(x);
    T sum = constant<T>(0.0), norms = constant<T>(0.0);
    for (Eigen::Index i = 0; i < residual.size(); ++i)
      sum = sum + residual(i) * residual(i);
    for (Eigen::Index i = 0; i < x.A.size(); ++i)
      norms = norms + x.A(i) * x.A(i);
    for (Eigen::Index i = 0; i < x.B.size(); ++i)
      norms = norms + x.B(i) * x.B(i);
    const T value = constant<T>(0.5) * (sum + constant<T>(lambda_) * norms);
    // BAᵀ summing +∞ and −∞: loss, gradient and Hessian are evaluated again over extended_range
    // (±∞ then only where the value itself is beyond the range of Real).
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(loss(extend_range(x)));
    return value;
  }

  /// ∇_A = (BAᵀ − X)ᵀB + λA, ∇_B = (BAᵀ − X)A + λB.
  template <class T>
  [[nodiscard]] state<T> gradient(const state<T>& x) const {
    const matrix<T> residual = residual_of(x);
    state<T> g{multiply<T>(residual.transpose(), x.B), multiply(residual, x.A)};
    const T l = constant<T>(lambda_);
    for (Eigen::Index i = 0; i < x.A.size(); ++i)
      g.A(i) = g.A(i) + l * x.A(i);
    for (Eigen::Index i = 0; i < x.B.size(); ++i)
      g.B(i) = g.B(i) + l * x.B(i);
    if constexpr (std::is_floating_point_v<T>)
      if (!all_finite(g))
        return round_to_real(gradient(extend_range(x)));
    return g;
  }

  /// Entries from the directional derivatives of the gradient (R = BAᵀ − X):
  /// H[A_ij, A_pq] = δ_ip((BᵀB)_qj + λδ_qj), H[B_ij, B_pq] = δ_ip((AᵀA)_qj + λδ_qj),
  /// H[B_ij, A_pq] = B_iq A_pj + R_ip δ_qj (and its transpose).
  template <class T>
  [[nodiscard]] matrix<T> hessian(const state<T>& x) const {
    const Eigen::Index n = x_.cols(), m = x_.rows(), offset = n * r_;
    const matrix<T> residual = residual_of(x);
    const matrix<T> gram_a = multiply<T>(x.A.transpose(), x.A),
                    gram_b = multiply<T>(x.B.transpose(), x.B);
    const T l = constant<T>(lambda_), zero = constant<T>(0.0);
    matrix<T> h = matrix<T>::Constant(dimension(), dimension(), zero);
    auto index_a = [n](Eigen::Index i, Eigen::Index j) { return i + n * j; };
    auto index_b = [m, offset](Eigen::Index i, Eigen::Index j) { return offset + i + m * j; };
    for (Eigen::Index q = 0; q < r_; ++q)
      for (Eigen::Index j = 0; j < r_; ++j) {
        const T ridge = q == j ? l : zero;
        for (Eigen::Index i = 0; i < n; ++i)
          h(index_a(i, j), index_a(i, q)) = gram_b(q, j) + ridge;
        for (Eigen::Index i = 0; i < m; ++i)
          h(index_b(i, j), index_b(i, q)) = gram_a(q, j) + ridge;
        for (Eigen::Index i = 0; i < m; ++i)
          for (Eigen::Index p = 0; p < n; ++p) {
            T entry = x.B(i, q) * x.A(p, j);
            if (q == j)
              entry = entry + residual(i, p);
            h(index_b(i, j), index_a(p, q)) = entry;
            h(index_a(p, q), index_b(i, j)) = entry;
          }
      }
    if constexpr (std::is_floating_point_v<T>)
      if (!all_finite(h))
        return round_to_real(hessian(extend_range(x)));
    return h;
  }

  /// ∇²R(x)·v for a direction v = (dA, dB), without the d × d Hessian (docs/formulas.md,
  /// "Hessian-vector product of the matrix problem"): with R = BAᵀ − X and dR = dB Aᵀ + B dAᵀ,
  /// H·v = (dRᵀB + RᵀdB + λdA, dR A + R dA + λdB), evaluated as
  /// (A(dBᵀB) + dA(BᵀB) + RᵀdB + λdA, dB(AᵀA) + B(dAᵀA) + R dA + λdB): products with R and with
  /// r × r matrices only, O(mnr) work. Written once over T (exact over rationals); over floating
  /// point the products are Eigen's, and a value that is not finite is evaluated again over
  /// extended_range, as the Hessian is. For many products at one state, hessian_operator.
  template <class T>
  [[nodiscard]] state<T> hessian_vector_product(const state<T>& x, const state<T>& v) const {
    require_state(v);
    const matrix<T> residual = residual_of(x);
    const auto times = [](const auto& left, const auto& right) -> matrix<T> {
      if constexpr (std::is_floating_point_v<T>) {
        matrix<T> product(left.rows(), right.cols());
        product.noalias() = left * right;
        return product;
      } else {
        return multiply<T>(left, right);
      }
    };
    const matrix<T> gram_a = times(x.A.transpose(), x.A), gram_b = times(x.B.transpose(), x.B),
                    cross_a = times(v.A.transpose(), x.A), cross_b = times(v.B.transpose(), x.B);
    const matrix<T> force_a = times(residual.transpose(), v.B), force_b = times(residual, v.A),
                    turn_a = times(v.A, gram_b), turn_b = times(x.B, cross_a);
    state<T> out{times(x.A, cross_b), times(v.B, gram_a)};
    const T l = constant<T>(lambda_);
    for (Eigen::Index i = 0; i < out.A.size(); ++i)
      out.A(i) = out.A(i) + turn_a(i) + force_a(i) + l * v.A(i);
    for (Eigen::Index i = 0; i < out.B.size(); ++i)
      out.B(i) = out.B(i) + turn_b(i) + force_b(i) + l * v.B(i);
    if constexpr (std::is_floating_point_v<T>)
      if (!all_finite(out))
        return round_to_real(hessian_vector_product(extend_range(x), extend_range(v)));
    return out;
  }

  /// ∇²R(x) as a linear operator over floating point, for many products at one state (the
  /// Lanczos iteration of stability/hessian_spectrum.hpp). R = BAᵀ − X and the Gram matrices
  /// AᵀA, BᵀB are formed once, when it is built (mn + 2r² numbers, never the d × d Hessian); a
  /// product `op(v, out)` (arrays of dimension() numbers in coordinate order, not overlapping)
  /// then reads R once: in double each 2W × 4 tile of R serves both RᵀdB and R dA while in
  /// registers (problems/detail/residual_direction_products.hpp), in other types each block of 32
  /// columns does while in cache. The columns are cut into chunks fixed by n alone and the
  /// chunks' partial R dA are added in chunk order, so a product is the same bits for any number
  /// of threads. Movable, not copyable. No check of values: a product is not finite where the
  /// state overflows (the Lanczos engine checks, and evaluates hessian_vector_product over a
  /// wider type instead).
  template <std::floating_point Real>
  class hessian_product {
  public:
    /// Columns of R per chunk aimed at, the most chunks (each holds a partial m × r product), and
    /// the columns of a cache block outside double.
    static constexpr Eigen::Index chunk_columns = 64, max_chunks = 16, block_columns = 32;
    /// Below this many flops a product (4mnr) runs on the calling thread alone.
    static constexpr double threaded_flops = 1.0e6;

    [[nodiscard]] Eigen::Index rows() const noexcept { return a_.size() + b_.size(); }
    [[nodiscard]] Eigen::Index cols() const noexcept { return rows(); }
    [[nodiscard]] unsigned threads() const noexcept { return team_.size(); }

    /// out ← ∇²R(x)·v.
    void operator()(const Real* direction, Real* out) {
      using const_map = Eigen::Map<const matrix<Real>>;
      using map = Eigen::Map<matrix<Real>>;
      const Eigen::Index m = b_.rows(), n = a_.rows(), r = a_.cols();
      const const_map da(direction, n, r), db(direction + n * r, m, r);
      map out_a(out, n, r), out_b(out + n * r, m, r);
      // out_a ← RᵀdB (rows of each chunk), partial_c ← R[:, chunk c] dA[chunk c, :].
      std::atomic<Eigen::Index> next{0};
      team_.run([&](unsigned worker) {
        for (Eigen::Index c = next.fetch_add(1, std::memory_order_relaxed); c < chunks_;
             c = next.fetch_add(1, std::memory_order_relaxed)) {
          auto partial = partials_.middleCols(c * r, r);
          partial.setZero();
          if constexpr (std::is_same_v<Real, double>) {
            detail::residual_direction_products::run(
                residual_.data(), m, n, r, chunk_begin(c), chunk_begin(c + 1), direction,
                direction + n * r, out, partial.data(),
                scratch_.data() + worker * detail::residual_direction_products::scratch_size(r));
          } else {
            for (Eigen::Index j = chunk_begin(c); j < chunk_begin(c + 1); j += block_columns) {
              const Eigen::Index width = std::min(block_columns, chunk_begin(c + 1) - j);
              const auto block = residual_.middleCols(j, width);
              out_a.middleRows(j, width).noalias() = block.transpose() * db;
              partial.noalias() += block * da.middleRows(j, width);
            }
          }
        }
      });
      cross_a_.noalias() = da.transpose() * a_;
      cross_b_.noalias() = db.transpose() * b_;
      out_a.noalias() += a_ * cross_b_;
      out_a.noalias() += da * gram_b_;
      out_a += lambda_ * da;
      out_b = partials_.leftCols(r);
      for (Eigen::Index c = 1; c < chunks_; ++c)
        out_b += partials_.middleCols(c * r, r);
      out_b.noalias() += db * gram_a_;
      out_b.noalias() += b_ * cross_a_;
      out_b += lambda_ * db;
    }

  private:
    friend class matrix_factorization;
    hessian_product(const matrix_factorization& problem, const state<Real>& x, unsigned threads)
        : a_(x.A), b_(x.B), residual_(x.B * x.A.transpose() - problem.x_.template cast<Real>()),
          gram_a_(x.A.transpose() * x.A), gram_b_(x.B.transpose() * x.B),
          cross_a_(x.A.cols(), x.A.cols()), cross_b_(x.A.cols(), x.A.cols()),
          lambda_(Real(problem.lambda_)),
          chunks_(std::clamp<Eigen::Index>(x.A.rows() / chunk_columns, 1, max_chunks)),
          partials_(x.B.rows(), x.A.cols() * chunks_),
          team_(team_size(x.B.rows(), x.A.rows(), x.A.cols(), threads, chunks_)) {
      if constexpr (std::is_same_v<Real, double>)
        scratch_.resize(team_.size() * detail::residual_direction_products::scratch_size(r_of()));
    }

    [[nodiscard]] Eigen::Index r_of() const noexcept { return a_.cols(); }
    [[nodiscard]] static unsigned team_size(Eigen::Index m, Eigen::Index n, Eigen::Index r,
                                            unsigned threads, Eigen::Index chunks) {
      if (threads > worker_team::max_threads)
        return threads; // worker_team names the error
      if (4.0 * double(m) * double(n) * double(r) < threaded_flops)
        return 1;
      if (threads == 0)
        threads = std::max(1u, std::thread::hardware_concurrency());
      return unsigned(std::min<Eigen::Index>(threads, chunks));
    }
    /// Chunk c covers columns [chunk_begin(c), chunk_begin(c + 1)) of R: multiples of 4 but the
    /// last end.
    [[nodiscard]] Eigen::Index chunk_begin(Eigen::Index c) const noexcept {
      return c >= chunks_ ? a_.rows() : a_.rows() * c / chunks_ / 4 * 4;
    }

    matrix<Real> a_, b_, residual_, gram_a_, gram_b_, cross_a_, cross_b_;
    Real lambda_;
    Eigen::Index chunks_;
    matrix<Real> partials_;
    worker_team team_;
    std::vector<double> scratch_;
  };

  /// The operator v ↦ ∇²R(x)·v at x (hessian_product) on `threads` threads (0: all cores; 1 below
  /// 10⁶ flops a product). Throws gdcert::invalid_parameter when x does not have this problem's
  /// sizes, or for more than worker_team::max_threads threads.
  template <std::floating_point Real>
  [[nodiscard]] hessian_product<Real> hessian_operator(const state<Real>& x,
                                                       unsigned threads = 0) const {
    require_state(x);
    return hessian_product<Real>(*this, x, threads);
  }

  template <class T>
  [[nodiscard]] vector<T> coordinates(const state<T>& x) const {
    require_state(x);
    return detail::stacked_coordinates(x.A, x.B);
  }
  template <class T>
  [[nodiscard]] state<T> from_coordinates(const vector<T>& c) const {
    require_dimension("coordinates.size()", c.size(), dimension());
    auto [first, second] = detail::unstacked_factors(c, x_.cols(), x_.rows(), r_);
    return {std::move(first), std::move(second)};
  }

  /// Global minimum of the loss: Eckart–Young with soft-thresholded singular values,
  /// Σ_{i≤r} (σ_i > λ ? λσ_i − λ²/2 : σ_i²/2) + ½Σ_{i>r} σ_i² (computed once, when the problem is
  /// built: classify asks for it at every check).
  [[nodiscard]] double minimum_loss() const noexcept { return minimum_loss_; }
  /// Loss above the global minimum (≥ 0 up to rounding).
  template <class Real>
  [[nodiscard]] Real optimality_gap(const state<Real>& x) const {
    return loss(x) - Real(minimum_loss());
  }
  /// For the matrix problem the minimizer set is an orbit of GL(r); membership is tested by the
  /// optimality gap (loss units) and stationarity by the gradient norm, not by Euclidean distance.
  template <class Real>
  [[nodiscard]] bool is_minimizer(const state<Real>& x, double tolerance) const {
    return optimality_gap(x) <= tolerance;
  }
  template <class Real>
  [[nodiscard]] bool is_stationary(const state<Real>& x, double tolerance) const {
    return scaled_norm(coordinates(gradient(x))) <= tolerance;
  }

private:
  template <class Target>
  [[nodiscard]] double eckart_young_minimum(const Target& target) const {
    // Divide and conquer: about 0.5 s at 1000 × 1000, where JacobiSVD takes tens of seconds.
    const vector<double> s = Eigen::BDCSVD<Target>(target).singularValues();
    double total = 0;
    for (Eigen::Index i = 0; i < s.size(); ++i)
      total += i < r_
                   ? (s(i) > lambda_ ? lambda_ * s(i) - 0.5 * lambda_ * lambda_ : 0.5 * s(i) * s(i))
                   : 0.5 * s(i) * s(i);
    return total;
  }

  /// A is n × r and B is m × r: every public member reaches the state through residual_of or
  /// coordinates, which check this once, before any loop.
  template <class T>
  void require_state(const state<T>& x) const {
    require_dimension("A.rows()", x.A.rows(), x_.cols());
    require_dimension("A.cols()", x.A.cols(), r_);
    require_dimension("B.rows()", x.B.rows(), x_.rows());
    require_dimension("B.cols()", x.B.cols(), r_);
  }

  template <class T>
  [[nodiscard]] matrix<T> residual_of(const state<T>& x) const {
    require_state(x);
    matrix<T> residual = multiply<T>(x.B, x.A.transpose());
    for (Eigen::Index i = 0; i < residual.size(); ++i)
      residual(i) = residual(i) - constant<T>(x_(i));
    return residual;
  }

  double eta_;
  matrix<double> x_;
  Eigen::Index r_;
  double lambda_;
  double minimum_loss_ = 0;
};

} // namespace gdcert
