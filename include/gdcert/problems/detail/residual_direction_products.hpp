// The two products of a stored residual with a direction, fused in register tiles: Rᵀ dB and R dA read R once (matrix factorization's Hessian-vector product, docs/formulas.md, "Hessian-vector product of the matrix problem").
#pragma once

#include <Eigen/Core>

// Eigen's packet types (__m256d, …) carry attributes that GCC drops from template arguments, as
// Eigen's own kernels do.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"
#endif

namespace gdcert::detail {

/// For the columns [begin, end) of a column-major m × n matrix R (a residual, stored once) and a
/// direction (dA ∈ ℝ^{n×r}, dB ∈ ℝ^{m×r}, column-major): writes the rows [begin, end) of
/// Rᵀ dB into `rows_out` (n × r) and adds R[:, begin:end] dA[begin:end, :] to `partial` (m × r).
/// Each 2W × 4 tile of R (W doubles a SIMD register) is loaded once into registers and used by
/// both products, so a pass reads R once: 4·m·(end − begin)·r flops. `scratch` holds 4·r·W
/// doubles. Every output entry is summed in a fixed order (rows ascending), whoever calls it.
class residual_direction_products {
public:
  using packet = typename Eigen::internal::packet_traits<double>::type;
  static constexpr Eigen::Index width = Eigen::internal::unpacket_traits<packet>::size;
  /// Doubles of scratch one call needs.
  [[nodiscard]] static constexpr Eigen::Index scratch_size(Eigen::Index r) noexcept {
    return 4 * r * width;
  }

  template <int = 0> // compiled by code that calls it, not by every includer
  static void run(const double* residual, Eigen::Index m, Eigen::Index n, Eigen::Index r,
                  Eigen::Index begin, Eigen::Index end, const double* da, const double* db,
                  double* rows_out, double* partial, double* scratch) {
    const operands in{residual, m, n, r, da, db, rows_out, partial, scratch};
    Eigen::Index j = begin;
    for (; j + 4 <= end; j += 4)
      columns<4>(in, j);
    for (; j < end; ++j)
      columns<1>(in, j);
  }

private:
  struct operands {
    const double* residual;
    Eigen::Index m, n, r;
    const double *da, *db;
    double *rows_out, *partial, *scratch;
  };

  template <int count>
  static void columns(const operands& in, Eigen::Index j) {
    using namespace Eigen::internal;
    const Eigen::Index m = in.m, n = in.n, r = in.r;
    const double* R = in.residual;
    double* sums = in.scratch; // (Rᵀ dB)(j + c, k) accumulates in packet (c + count·k)
    for (Eigen::Index s = 0; s < count * r; ++s)
      pstoreu(sums + s * width, pset1<packet>(0.0));
    Eigen::Index i = 0;
    for (; i + 2 * width <= m; i += 2 * width) {
      packet low[count], high[count];
      for (int c = 0; c < count; ++c) {
        low[c] = ploadu<packet>(R + i + m * (j + c));
        high[c] = ploadu<packet>(R + i + width + m * (j + c));
      }
      for (Eigen::Index k = 0; k < r; ++k) {
        double* out = in.partial + i + m * k;
        packet out_low = ploadu<packet>(out), out_high = ploadu<packet>(out + width);
        const packet db_low = ploadu<packet>(in.db + i + m * k),
                     db_high = ploadu<packet>(in.db + i + width + m * k);
        for (int c = 0; c < count; ++c) {
          const packet da = pset1<packet>(in.da[j + c + n * k]);
          out_low = pmadd(low[c], da, out_low);
          out_high = pmadd(high[c], da, out_high);
          double* sum = sums + (c + count * k) * width;
          pstoreu(sum, pmadd(high[c], db_high, pmadd(low[c], db_low, ploadu<packet>(sum))));
        }
        pstoreu(out, out_low);
        pstoreu(out + width, out_high);
      }
    }
    for (int c = 0; c < count; ++c)
      for (Eigen::Index k = 0; k < r; ++k)
        in.rows_out[j + c + n * k] = predux(ploadu<packet>(sums + (c + count * k) * width));
    for (; i < m; ++i) // the last m mod 2W rows, one at a time
      for (int c = 0; c < count; ++c) {
        const double e = R[i + m * (j + c)];
        for (Eigen::Index k = 0; k < r; ++k) {
          in.partial[i + m * k] += e * in.da[j + c + n * k];
          in.rows_out[j + c + n * k] += e * in.db[i + m * k];
        }
      }
  }
};

} // namespace gdcert::detail

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
