// The orthogonal reduction (4-6) of rank-1 matrix factorization to the (k+1)-dimensional system, and the lift back.
#pragma once

#include <gdcert/core/error.hpp>
#include <gdcert/core/precompiled.hpp>
#include <gdcert/problems/matrix_factorization.hpp>
#include <gdcert/problems/rank1_approximation.hpp>

#include <Eigen/SVD>

#include <cmath>
#include <limits>
#include <type_traits>

namespace gdcert {

/// With X = LΣRᵀ (rank k), the rotation A ← RᵀA, B ← LᵀB turns GD on ½‖BAᵀ − X‖² (+ ridge) into
/// GD with target Σ (4-6). The null-space blocks of A and B only shrink (u' = (1 − η(‖B‖² + λ))u),
/// so they keep their direction and enter through their norms ũ, ṽ: the trajectory of the full
/// problem is the lift of the trajectory of gdcert::rank1_approximation(η, σ₁..σ_k, λ).
template <class Real = double>
class rank1_reduction {
public:
  /// A reduced point: the (k+1)-dimensional state plus the unit null-space directions of A and B
  /// (zero vectors where the null block was zero: zero stays zero).
  struct point {
    rank1_approximation::state<Real> state;
    vector<Real> null_a, null_b;
  };

  /// Throws unless the problem has rank r = 1 and X ≠ 0.
  explicit rank1_reduction(const matrix_factorization& problem)
      : svd_(cast_to<Real>(problem.target()), Eigen::ComputeFullU | Eigen::ComputeFullV),
        reduced_(problem.step_size(), signal_values(problem), problem.regularization()) {
    require_dimension("factor rank r", problem.rank(), 1);
  }

  /// The reduced problem: gdcert::rank1_approximation with X = diag(σ₁..σ_k, 0).
  [[nodiscard]] const rank1_approximation& reduced_problem() const noexcept { return reduced_; }
  [[nodiscard]] Eigen::Index signal_rank() const noexcept { return reduced_.signal_dimension(); }
  /// Left and right singular bases L, R of X = LΣRᵀ.
  [[nodiscard]] const matrix<Real>& left_basis() const { return svd_.matrixU(); }
  [[nodiscard]] const matrix<Real>& right_basis() const { return svd_.matrixV(); }

  /// Rotates (A, B) into the singular bases and collapses the null blocks to their norms.
  [[nodiscard]] point reduce(const matrix_factorization::state<Real>& x) const {
    const Eigen::Index k = signal_rank();
    const vector<Real> rotated_a = right_basis().transpose() * x.A.col(0);
    const vector<Real> rotated_b = left_basis().transpose() * x.B.col(0);
    point p;
    p.state.a = rotated_a.head(k);
    p.state.b = rotated_b.head(k);
    p.null_a = rotated_a.tail(rotated_a.size() - k);
    p.null_b = rotated_b.tail(rotated_b.size() - k);
    p.state.u = normalize(p.null_a);
    p.state.v = normalize(p.null_b);
    return p;
  }

  /// Inverse of reduce for any reduced state along the trajectory: A = R(a, ũ·n_A), B = L(b,
  /// ṽ·n_B).
  [[nodiscard]] matrix_factorization::state<Real>
  lift(const rank1_approximation::state<Real>& reduced, const vector<Real>& null_a,
       const vector<Real>& null_b) const {
    const Eigen::Index k = signal_rank();
    vector<Real> rotated_a(k + null_a.size()), rotated_b(k + null_b.size());
    rotated_a << reduced.a, reduced.u * null_a;
    rotated_b << reduced.b, reduced.v * null_b;
    return {right_basis() * rotated_a, left_basis() * rotated_b};
  }

private:
  // A template, so that JacobiSVD<matrix<double>> is instantiated only with rank1_reduction.
  template <class Problem>
  static vector<double> signal_values(const Problem& problem) {
    using target_type = std::decay_t<decltype(problem.target())>;
    const vector<double> s = Eigen::JacobiSVD<target_type>(problem.target()).singularValues();
    const double tolerance = std::max(problem.target().rows(), problem.target().cols()) *
                             std::numeric_limits<double>::epsilon() * (s.size() ? s(0) : 0.0);
    Eigen::Index k = 0;
    while (k < s.size() && s(k) > tolerance)
      ++k;
    if (k == 0)
      throw invalid_parameter("target X", "the zero matrix", "a matrix of rank >= 1");
    return s.head(k);
  }
  static Real normalize(vector<Real>& direction) {
    const Real norm = direction.norm();
    if (norm > 0)
      direction /= norm;
    return norm;
  }

  Eigen::JacobiSVD<matrix<Real>> svd_;
  rank1_approximation reduced_;
};

} // namespace gdcert
