// General matrix factorization ½‖BAᵀ − X‖²_F (+ ridge) and its GD map (docs/formulas.md §1, eqs. 1-3, [LM 1]).
#pragma once

#include <gdcert/core/error.hpp>
#include <gdcert/problems/problem.hpp>

#include <Eigen/SVD>

#include <algorithm>
#include <cmath>

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

  /// GD map (3).
  template <class T>
  [[nodiscard]] state<T> step(const state<T>& x) const {
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

  template <class T>
  [[nodiscard]] vector<T> coordinates(const state<T>& x) const {
    require_state(x);
    vector<T> c(dimension());
    for (Eigen::Index i = 0; i < x.A.size(); ++i)
      c(i) = x.A(i);
    for (Eigen::Index i = 0; i < x.B.size(); ++i)
      c(x.A.size() + i) = x.B(i);
    return c;
  }
  template <class T>
  [[nodiscard]] state<T> from_coordinates(const vector<T>& c) const {
    require_dimension("coordinates.size()", c.size(), dimension());
    state<T> x{matrix<T>(x_.cols(), r_), matrix<T>(x_.rows(), r_)};
    for (Eigen::Index i = 0; i < x.A.size(); ++i)
      x.A(i) = c(i);
    for (Eigen::Index i = 0; i < x.B.size(); ++i)
      x.B(i) = c(x.A.size() + i);
    return x;
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
    const vector<double> s = Eigen::JacobiSVD<Target>(target).singularValues();
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
