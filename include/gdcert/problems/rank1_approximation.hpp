// Rank-1 approximation of X = diag(s₁..s_k, 0) in reduced coordinates (a, b ∈ ℝ^k; u, v ∈ ℝ) (docs/formulas.md §1, eq. 76).
#pragma once

#include <gdcert/core/error.hpp>
#include <gdcert/problems/detail/bilinear_vector.hpp>
#include <gdcert/problems/problem.hpp>

#include <boost/math/tools/minima.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace gdcert {

/// Rank-1 approximation: A = (a, u), B = (b, v) with signal blocks a, b ∈ ℝ^k and off-signal norms
/// u, v. Loss ½‖BAᵀ − X‖²_F + (λ/2)(‖A‖² + ‖B‖²) with X = diag(s, 0); the paper's problem (76) is
/// s = (1, …, 1), λ = 0, and the (k+1)-dimensional reduced system of any rank-1 matrix problem
/// (4-6) is the general case. GD map: a' = (1 − η(‖B‖² + λ))a + η s∘b, u' = (1 − η(‖B‖² + λ))u, and
/// symmetrically. For s = 1, λ = 0: M* = {a ∥ b, ⟨a,b⟩ = 1, u = v = 0} (20), S adds
/// {a = b = 0, uv = 0} (21). Coordinates ordered (a, u, b, v), i.e. (A, B).
class rank1_approximation : public gradient_descent_map<rank1_approximation> {
public:
  template <class T>
  struct state {
    vector<T> a, b;
    T u, v;

    /// The state over extended_range, and back: the second evaluation of a formula whose
    /// floating-point value overflowed (core/arithmetic.hpp).
    friend auto extend_range(const state& x) requires std::floating_point<T> {
      return state<extended_range<T>>{gdcert::extend_range(x.a), gdcert::extend_range(x.b), x.u,
                                      x.v};
    }
    friend bool all_finite(const state& x) requires std::floating_point<T> {
      return x.a.allFinite() && x.b.allFinite() && std::isfinite(x.u) && std::isfinite(x.v);
    }
  };
  template <std::floating_point Real>
  friend state<Real> round_to_real(const state<extended_range<Real>>& x) {
    return {gdcert::round_to_real(x.a), gdcert::round_to_real(x.b), x.u.rounded(), x.v.rounded()};
  }

  /// The paper's problem (76): X = diag(I_k, 0). Throws unless η > 0 and k >= 1.
  rank1_approximation(double step_size, Eigen::Index signal_dimension)
      : rank1_approximation(step_size, ones(signal_dimension), 0.0) {}

  /// General reduced system: singular values s (finite, > 0) and ridge λ >= 0.
  rank1_approximation(double step_size, vector<double> singular_values, double lambda)
      : eta_(require_positive("step size eta", step_size)), s_(std::move(singular_values)),
        lambda_(require_non_negative("regularization lambda", lambda)) {
    require_extent("signal dimension k", s_.size(), 1, max_state_dimension / 2 - 1);
    for (Eigen::Index i = 0; i < s_.size(); ++i)
      require_positive("singular value s[" + std::to_string(i) + "]", s_(i));
  }

  [[nodiscard]] double step_size() const noexcept { return eta_; }
  [[nodiscard]] const vector<double>& singular_values() const noexcept { return s_; }
  [[nodiscard]] double regularization() const noexcept { return lambda_; }
  [[nodiscard]] Eigen::Index signal_dimension() const noexcept { return s_.size(); }
  [[nodiscard]] Eigen::Index dimension() const noexcept { return 2 * (s_.size() + 1); }

  /// GD map (76), generalised to X = diag(s, 0) and ridge λ.
  template <class T>
  [[nodiscard]] state<T> step(const state<T>& x) const {
    require_state(x);
    const T eta = constant<T>(eta_), one = constant<T>(1.0), l = constant<T>(lambda_);
    const T shrink_a = one - eta * (squared_norm(x.b) + x.v * x.v + l); // 1 − η(‖B‖² + λ)
    const T shrink_b = one - eta * (squared_norm(x.a) + x.u * x.u + l);
    state<T> next{vector<T>(x.a.size()), vector<T>(x.b.size()), shrink_a * x.u, shrink_b * x.v};
    for (Eigen::Index i = 0; i < x.a.size(); ++i) {
      const T eta_s = eta * constant<T>(s_(i));
      next.a(i) = shrink_a * x.a(i) + eta_s * x.b(i);
      next.b(i) = shrink_b * x.b(i) + eta_s * x.a(i);
    }
    return next;
  }

  /// ½(‖A‖²‖B‖² − 2⟨a, s∘b⟩ + ‖s‖²) + (λ/2)(‖A‖² + ‖B‖²).
  template <class T>
  [[nodiscard]] T loss(const state<T>& x) const {
    require_state(x);
    const T norm_a = squared_norm(x.a) + x.u * x.u, norm_b = squared_norm(x.b) + x.v * x.v;
    T coupling = constant<T>(0.0), target = constant<T>(0.0);
    for (Eigen::Index i = 0; i < x.a.size(); ++i) {
      coupling = coupling + constant<T>(s_(i)) * x.a(i) * x.b(i);
      target = target + constant<T>(s_(i)) * constant<T>(s_(i));
    }
    const T half = constant<T>(0.5);
    const T value = half * (norm_a * norm_b - constant<T>(2.0) * coupling + target) +
                    half * constant<T>(lambda_) * (norm_a + norm_b);
    // ‖A‖²‖B‖² = ∞·0, ⟨a, s∘b⟩ summing +∞ and −∞: again without overflow.
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(value))
        return round_to_real(loss(extend_range(x)));
    return value;
  }

  /// ∇_a = (‖B‖² + λ)a − s∘b, ∇_u = (‖B‖² + λ)u, and symmetrically.
  template <class T>
  [[nodiscard]] state<T> gradient(const state<T>& x) const {
    require_state(x);
    const T l = constant<T>(lambda_);
    const T weight_a = squared_norm(x.b) + x.v * x.v + l,
            weight_b = squared_norm(x.a) + x.u * x.u + l;
    state<T> g{vector<T>(x.a.size()), vector<T>(x.b.size()), weight_a * x.u, weight_b * x.v};
    for (Eigen::Index i = 0; i < x.a.size(); ++i) {
      g.a(i) = weight_a * x.a(i) - constant<T>(s_(i)) * x.b(i);
      g.b(i) = weight_b * x.b(i) - constant<T>(s_(i)) * x.a(i);
    }
    if constexpr (std::is_floating_point_v<T>)
      if (!all_finite(g)) // (‖B‖² + λ)·0 with ‖B‖² = ∞: again without overflow
        return round_to_real(gradient(extend_range(x)));
    return g;
  }

  /// [[(‖B‖² + λ)I, 2ABᵀ − diag(s, 0)], [2BAᵀ − diag(s, 0), (‖A‖² + λ)I]] in the order (A, B).
  template <class T>
  [[nodiscard]] matrix<T> hessian(const state<T>& x) const {
    const vector<T> c = coordinates(x); // checks the state's sizes
    const Eigen::Index n = x.a.size() + 1;
    const T l = constant<T>(lambda_), two = constant<T>(2.0), zero = constant<T>(0.0);
    T norm_a = zero, norm_b = zero;
    for (Eigen::Index i = 0; i < n; ++i) {
      norm_a = norm_a + c(i) * c(i);
      norm_b = norm_b + c(n + i) * c(n + i);
    }
    matrix<T> h(2 * n, 2 * n);
    for (Eigen::Index i = 0; i < n; ++i)
      for (Eigen::Index j = 0; j < n; ++j) {
        const T target = (i == j && i < n - 1) ? constant<T>(s_(i)) : zero;
        h(i, j) = i == j ? norm_b + l : zero;
        h(n + i, n + j) = i == j ? norm_a + l : zero;
        h(i, n + j) = two * c(i) * c(n + j) - target;
        h(n + i, j) = two * c(n + i) * c(j) - target;
      }
    if constexpr (std::is_floating_point_v<T>)
      if (!all_finite(h)) // 2c_i·c_j = ∞·0 past |c_i| ≈ 9e307: again without overflow
        return round_to_real(hessian(extend_range(x)));
    return h;
  }

  template <class T>
  [[nodiscard]] vector<T> coordinates(const state<T>& x) const {
    require_state(x);
    const Eigen::Index k = s_.size();
    vector<T> c(2 * (k + 1));
    for (Eigen::Index i = 0; i < k; ++i) {
      c(i) = x.a(i);
      c(k + 1 + i) = x.b(i);
    }
    c(k) = x.u;
    c(2 * k + 1) = x.v;
    return c;
  }
  template <class T>
  [[nodiscard]] state<T> from_coordinates(const vector<T>& c) const {
    const Eigen::Index k = s_.size();
    require_dimension("coordinates.size()", c.size(), 2 * (k + 1));
    return {c.head(k), c.segment(k + 1, k), c(k), c(2 * k + 1)};
  }

  /// Euclidean distance to M* (20) for the paper's case s = 1, λ = 0: with the foot point
  /// (t e, e/t), ‖e‖ = 1, the optimal e is parallel to t a + b/t, leaving a 1-D minimisation over
  /// t > 0 of ‖a‖² + ‖b‖² + t² + t⁻² − 2‖t a + b/t‖ (scanned over t ∈ [e⁻¹², e¹²], then refined
  /// with Brent). Once ‖a‖ or ‖b‖ reaches 2¹⁷ (< e¹²) the foot point is near one of the two ends of
  /// M*: t = ‖a‖, e = a/‖a‖ (distance ‖b − a/‖a‖²‖) or 1/t = ‖b‖, e = b/‖b‖ (‖a − b/‖b‖²‖), the
  /// nearer of the two; the first-order corrections (tangent directions of M* there) change the
  /// squared distance by a relative O(max(‖a‖, ‖b‖)⁻⁴) ≤ 2⁻⁶⁸, below one unit in the last place of
  /// double and long double. Norms are scaled (finite wherever the distance is representable).
  template <class Real>
  [[nodiscard]] Real distance_to_minimizers(const state<Real>& x) const {
    require_paper_case();
    require_state(x);
    const Real norm_a = scaled_norm(x.a), norm_b = scaled_norm(x.b);
    if (std::max(norm_a, norm_b) >= std::scalbn(Real(1), 17))
      return scaled_norm(
          {std::min(branch_distance(x.a, norm_a, x.b), branch_distance(x.b, norm_b, x.a)), x.u,
           x.v});
    const Real norms = squared_norm(x.a) + squared_norm(x.b);
    auto objective = [&](Real log_t) {
      const Real t = std::exp(log_t);
      Real pulled = 0;
      for (Eigen::Index i = 0; i < x.a.size(); ++i)
        pulled += square(t * x.a(i) + x.b(i) / t);
      return norms + t * t + 1 / (t * t) - 2 * std::sqrt(pulled);
    };
    constexpr int samples = 400;
    const Real lower = -12, upper = 12, width = (upper - lower) / samples;
    Real best_t = lower, best = objective(lower);
    for (int i = 1; i <= samples; ++i) {
      const Real log_t = lower + width * i, value = objective(log_t);
      if (value < best)
        best = value, best_t = log_t;
    }
    const auto refined = boost::math::tools::brent_find_minima(
        objective, best_t - width, best_t + width, std::numeric_limits<Real>::digits / 2);
    best = std::min(best, refined.second);
    const Real distance = std::sqrt(std::max(best, Real(0)) + x.u * x.u + x.v * x.v);
    if (std::isfinite(distance) || !(std::isfinite(x.u) && std::isfinite(x.v)))
      return distance;
    return scaled_norm({std::sqrt(std::max(best, Real(0))), x.u, x.v}); // u² or v² overflowed
  }
  /// Euclidean distance to S (21) = M* ∪ {a = b = 0, uv = 0}, paper's case (norms scaled).
  template <class Real>
  [[nodiscard]] Real distance_to_stationary(const state<Real>& x) const {
    require_state(x);
    using std::abs;
    const Real saddle =
        scaled_norm({scaled_norm(x.a), scaled_norm(x.b), std::min(abs(x.u), abs(x.v))});
    return std::min(distance_to_minimizers(x), saddle);
  }

private:
  /// (1, …, 1) ∈ ℝ^k, after checking k (before the allocation).
  static vector<double> ones(Eigen::Index k) {
    require_extent("signal dimension k", k, 1, max_state_dimension / 2 - 1);
    return vector<double>::Ones(k);
  }
  /// Both signal blocks must have k coordinates: checked once per call, before the loops.
  template <class T>
  void require_state(const state<T>& x) const {
    detail::require_blocks(x.a, x.b, s_.size(), "a.size()", "b.size()");
  }
  /// ‖near − far/‖far‖²‖: the distance from a signal pair to the point (far, far/‖far‖²) of M*
  /// (+∞ for far = 0, which has no such point). far/‖far‖ is taken from far·2⁻ᵉ, so that ‖far‖
  /// beyond the range of Real (then 1/‖far‖ = 0) does not overflow it.
  template <class Real>
  [[nodiscard]] static Real branch_distance(const vector<Real>& far, Real far_norm,
                                            const vector<Real>& near) {
    if (far_norm == 0)
      return std::numeric_limits<Real>::infinity();
    const vector<Real> scaled = far * std::scalbn(Real(1), -std::ilogb(largest_magnitude(far)));
    return scaled_norm(vector<Real>(near - (scaled / scaled_norm(scaled)) / far_norm));
  }
  void require_paper_case() const {
    if (lambda_ != 0 || (s_.array() != 1.0).any())
      throw std::domain_error("gdcert: rank1_approximation distances are implemented for "
                              "X = diag(I_k, 0) and lambda = 0 (the sets (20-21)); use the loss "
                              "or gradient norm for other targets");
  }

  double eta_;
  vector<double> s_;
  double lambda_;
};

} // namespace gdcert
