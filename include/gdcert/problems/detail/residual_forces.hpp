// The GD step's two products of a factorization loss in double, fused: tiles of the residual F Gᵀ − T consumed by both products while in registers, never stored (docs/formulas.md §1, eq. 3).
#pragma once

#include <gdcert/core/arithmetic.hpp>
#include <gdcert/core/worker_team.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

// Eigen's packet types (__m256d, …) carry attributes that GCC drops from template arguments, as
// Eigen's own kernels do.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"
#endif

namespace gdcert::detail {

/// For the residual E = P_Ω(F Gᵀ − T) of a factorization loss ½‖E‖²_F (F ∈ ℝ^{p×r} the row
/// factor, G ∈ ℝ^{q×r} the column factor, T ∈ ℝ^{p×q} the target, Ω an optional mask), the
/// forces of GD are E G (p × r) and Eᵀ F (q × r). Computing E whole and then the two products
/// reads and writes p·q numbers three times; here every 2W × 4 tile of E (W doubles a SIMD
/// register) is formed in registers from F, G and T and used at once by both products, so T (and
/// M) are read once and E is never stored: 6pqr flops and one pass over T.
///
/// Determinism: the columns of T are cut into chunks fixed by q alone; each chunk writes its own
/// partial E G and its own rows of Eᵀ F, and the partials are added in chunk order. The result is
/// therefore bit-identical for any number of threads, which only decide who computes a chunk.
///
/// Layout: the rows of F (and of each chunk's partial E G) are packed by tiles of 2W rows, the r
/// values of a tile row one after the other, and a column block's r values of G likewise, so that
/// a tile reads and writes consecutive memory for k = 0, …, r − 1. In F's own column-major layout
/// the same tile touches r pages of F and r of the partial (stride 8p bytes): at r = 100 more
/// pages than the first-level TLB holds. Packing moves numbers, it does not change an operation:
/// the bits are those of the unpacked sweep.
class residual_forces {
public:
  using packet = typename Eigen::internal::packet_traits<double>::type;
  static constexpr Eigen::Index width = Eigen::internal::unpacket_traits<packet>::size;
  /// Columns per chunk aimed at (a chunk's partial E G, p × r, stays in the core's L2 cache), and
  /// the most chunks (their partials cost chunks · p · r doubles and as many additions).
  static constexpr Eigen::Index chunk_columns = 32, max_chunks = 16;
  /// Below this many flops (6pqr) a step runs on the calling thread alone: a wake-up of the team
  /// costs more than it saves (measured: bench/matrix_step_bench.cpp).
  static constexpr double threaded_flops = 1.0e6;

  /// Buffers for p × q targets of rank r; threads as worker_team (0: all cores).
  residual_forces(Eigen::Index p, Eigen::Index q, Eigen::Index r, unsigned threads = 0)
      : p_(p), q_(q), r_(r),
        chunks_(std::clamp<Eigen::Index>((q + chunk_columns - 1) / chunk_columns, 1, max_chunks)),
        team_(team_size(p, q, r, threads, chunks_)) {
    partial_rows_.resize(static_cast<std::size_t>(p * r * chunks_));
    packed_factor_.resize(static_cast<std::size_t>(full_rows() * r));
    accumulators_.resize(static_cast<std::size_t>(team_.size() * worker_buffer()));
  }

  [[nodiscard]] Eigen::Index chunks() const noexcept { return chunks_; }
  [[nodiscard]] unsigned threads() const noexcept { return team_.size(); }

  /// Computes E G into `row_forces` (p × r) and Eᵀ F into `column_forces` (q × r), both
  /// column-major with leading dimensions p and q; `mask` is null (no mask) or p × q like
  /// `target`, from mask_bits: an entry outside Ω is then +0 exactly, as Eigen's select gives,
  /// whatever F Gᵀ − T is there (a bitwise and, not a product: 0·∞ would be NaN).
  /// Reads F, G, T (and M); writes only the two outputs and this object's buffers.
  /// (A template only so that the kernels are compiled by code that calls it, not by every file
  /// that includes a matrix problem.)
  template <int = 0>
  void operator()(const double* row_factor, const double* column_factor, const double* target,
                  const double* mask, double* row_forces, double* column_forces) {
    std::atomic<Eigen::Index> next{0};
    const inputs in{row_factor, column_factor, target, mask, column_forces};
    // F's whole tiles packed (packed_index), written in order: tile, then k, then row.
    double* packed = packed_factor_.data();
    for (Eigen::Index tile = 0; tile < full_rows(); tile += 2 * width)
      for (Eigen::Index k = 0; k < r_; ++k)
        for (Eigen::Index l = 0; l < 2 * width; ++l)
          *packed++ = row_factor[tile + l + p_ * k];
    team_.run([&](unsigned worker) {
      double* accumulators = accumulators_.data() + std::size_t(worker) * worker_buffer();
      for (Eigen::Index c = next.fetch_add(1, std::memory_order_relaxed); c < chunks_;
           c = next.fetch_add(1, std::memory_order_relaxed))
        chunk(in, c, accumulators);
    });
    // E G = Σ_c partial_c, in chunk order (the same bits for any thread count), each worker
    // adding its own slice of the p·r entries (the partials are chunks · p · r numbers: summed
    // on one thread they cost a tenth of a step at 1000 × 1000).
    const Eigen::Index size = p_ * r_;
    const unsigned workers = team_.size();
    const auto add_partials = [&](unsigned worker) {
      const Eigen::Index begin = size * worker / workers, end = size * (worker + 1) / workers;
      const Eigen::Index full = full_rows();
      Eigen::Index i = begin % p_, k = begin / p_;
      for (Eigen::Index o = begin; o < end; ++o) {
        const Eigen::Index at = i < full ? packed_index(i, k) : tail_index(i, k);
        double sum = partial_rows_[std::size_t(at)];
        for (Eigen::Index c = 1; c < chunks_; ++c)
          sum += partial_rows_[std::size_t(c * size + at)];
        row_forces[o] = sum;
        if (++i == p_) {
          i = 0;
          ++k;
        }
      }
    };
    if (workers > 1)
      team_.run(add_partials);
    else
      add_partials(0);
  }

  /// The mask Ω as the kernel reads it: all bits set where observed, +0 elsewhere.
  template <class Mask>
  [[nodiscard]] static matrix<double> mask_bits(const Mask& observed) {
    const double all = std::bit_cast<double>(~std::uint64_t{0});
    return observed.template cast<bool>().select(
        matrix<double>::Constant(observed.rows(), observed.cols(), all), 0.0);
  }

private:
  /// The threads asked for (0: all cores), one where the call is too small to share, and never
  /// more than there are chunks.
  [[nodiscard]] static unsigned team_size(Eigen::Index p, Eigen::Index q, Eigen::Index r,
                                          unsigned threads, Eigen::Index chunks) {
    if (threads > worker_team::max_threads)
      return threads; // worker_team names the error
    if (6.0 * double(p) * double(q) * double(r) < threaded_flops)
      return 1;
    if (threads == 0)
      threads = std::max(1u, std::thread::hardware_concurrency());
    return unsigned(std::min<Eigen::Index>(threads, chunks));
  }

  /// Rows in whole tiles of 2W (packed), and the offsets of row i, rank index k in a packed
  /// buffer: tile i / 2W, then k, then i mod 2W; the last p mod 2W rows follow the packed ones in
  /// a partial, column-major.
  [[nodiscard]] Eigen::Index full_rows() const noexcept { return p_ / (2 * width) * (2 * width); }
  [[nodiscard]] Eigen::Index packed_index(Eigen::Index i, Eigen::Index k) const noexcept {
    return (i / (2 * width)) * (2 * width * r_) + k * (2 * width) + i % (2 * width);
  }
  [[nodiscard]] Eigen::Index tail_index(Eigen::Index i, Eigen::Index k) const noexcept {
    return full_rows() * r_ + (i - full_rows()) + (p_ - full_rows()) * k;
  }

  /// A worker's doubles: 4r packets of Eᵀ F sums, then a column block's 4r values of G.
  [[nodiscard]] std::size_t worker_buffer() const noexcept {
    return static_cast<std::size_t>(4 * r_ * width + 4 * r_);
  }

  struct inputs {
    const double *row_factor, *column_factor, *target, *mask;
    double* column_forces;
  };

  [[nodiscard]] Eigen::Index chunk_begin(Eigen::Index c) const noexcept {
    // Equal chunks, each a multiple of 4 columns but the last.
    const Eigen::Index step = ((q_ + chunks_ - 1) / chunks_ + 3) / 4 * 4;
    return std::min(q_, c * step);
  }

  template <int = 0>
  void chunk(const inputs& in, Eigen::Index c, double* accumulators) {
    double* rows = partial_rows_.data() + c * p_ * r_;
    std::fill(rows, rows + p_ * r_, 0.0);
    const Eigen::Index end = chunk_begin(c + 1);
    Eigen::Index j = chunk_begin(c);
    const auto block = [&]<int columns>() {
      if (in.mask)
        column_block<columns, true>(in, j, rows, accumulators);
      else
        column_block<columns, false>(in, j, rows, accumulators);
      j += columns;
    };
    while (j + 4 <= end)
      block.template operator()<4>();
    switch (end - j) {
    case 3:
      block.template operator()<3>();
      break;
    case 2:
      block.template operator()<2>();
      break;
    case 1:
      block.template operator()<1>();
      break;
    default:
      break;
    }
  }

  /// Columns j, …, j + columns − 1 of E, all rows: tiles of 2W rows, then W, then single rows.
  template <int columns, bool masked>
  void column_block(const inputs& in, Eigen::Index j, double* rows, double* accumulators) const {
    using namespace Eigen::internal;
    const Eigen::Index p = p_, q = q_, r = r_;
    const double* F = in.row_factor;
    // The block's columns of G, k-major (after the accumulators in the worker's buffer).
    double* G = accumulators + 4 * r * width;
    for (Eigen::Index k = 0; k < r; ++k)
      for (int jj = 0; jj < columns; ++jj)
        G[jj + columns * k] = in.column_factor[j + jj + q * k];
    for (Eigen::Index s = 0; s < columns * r; ++s)
      pstoreu(accumulators + s * width, pset1<packet>(0.0));
    // Eᵀ F accumulates in packets (one per column and rank index) reduced once at the end.
    const Eigen::Index tail = p - full_rows();
    const auto tiles = [&]<int packets>(Eigen::Index i) {
      // Packed F and partial rows for a whole tile; the column-major tail for the W rows after.
      const double* f_tile = packets == 2 ? packed_factor_.data() + packed_index(i, 0) : F + i;
      double* row_tile = packets == 2 ? rows + packed_index(i, 0) : rows + tail_index(i, 0);
      const Eigen::Index f_stride = packets == 2 ? 2 * width : p;
      const Eigen::Index row_stride = packets == 2 ? 2 * width : tail;
      packet e[packets][columns];
      for (int jj = 0; jj < columns; ++jj)
        for (int v = 0; v < packets; ++v)
          e[v][jj] = pnegate(ploadu<packet>(in.target + i + v * width + p * (j + jj)));
      for (Eigen::Index k = 0; k < r; ++k)
        for (int jj = 0; jj < columns; ++jj) {
          const packet g = pset1<packet>(G[jj + columns * k]);
          for (int v = 0; v < packets; ++v)
            e[v][jj] = pmadd(ploadu<packet>(f_tile + v * width + f_stride * k), g, e[v][jj]);
        }
      if constexpr (masked)
        for (int jj = 0; jj < columns; ++jj)
          for (int v = 0; v < packets; ++v)
            e[v][jj] = pand(e[v][jj], ploadu<packet>(in.mask + i + v * width + p * (j + jj)));
      for (Eigen::Index k = 0; k < r; ++k) {
        packet f[packets], out[packets];
        for (int v = 0; v < packets; ++v) {
          f[v] = ploadu<packet>(f_tile + v * width + f_stride * k);
          out[v] = ploadu<packet>(row_tile + v * width + row_stride * k);
        }
        for (int jj = 0; jj < columns; ++jj) {
          const packet g = pset1<packet>(G[jj + columns * k]);
          double* sum = accumulators + (jj + columns * k) * width;
          packet s = ploadu<packet>(sum);
          for (int v = 0; v < packets; ++v) {
            out[v] = pmadd(e[v][jj], g, out[v]);
            s = pmadd(e[v][jj], f[v], s);
          }
          pstoreu(sum, s);
        }
        for (int v = 0; v < packets; ++v)
          pstoreu(row_tile + v * width + row_stride * k, out[v]);
      }
    };
    Eigen::Index i = 0;
    for (; i + 2 * width <= p; i += 2 * width)
      tiles.template operator()<2>(i);
    for (; i + width <= p; i += width)
      tiles.template operator()<1>(i);
    for (int jj = 0; jj < columns; ++jj)
      for (Eigen::Index k = 0; k < r; ++k)
        in.column_forces[j + jj + q * k] =
            predux(ploadu<packet>(accumulators + (jj + columns * k) * width));
    for (; i < p; ++i) // the last p mod W rows, one at a time
      for (int jj = 0; jj < columns; ++jj) {
        double e = -in.target[i + p * (j + jj)];
        for (Eigen::Index k = 0; k < r; ++k)
          e += F[i + p * k] * G[jj + columns * k];
        if constexpr (masked)
          e = std::bit_cast<double>(std::bit_cast<std::uint64_t>(e) &
                                    std::bit_cast<std::uint64_t>(in.mask[i + p * (j + jj)]));
        for (Eigen::Index k = 0; k < r; ++k) {
          rows[tail_index(i, k)] += e * G[jj + columns * k];
          in.column_forces[j + jj + q * k] += e * F[i + p * k];
        }
      }
  }

  Eigen::Index p_, q_, r_, chunks_;
  worker_team team_;
  std::vector<double> partial_rows_;
  std::vector<double> packed_factor_;
  std::vector<double> accumulators_;
};

} // namespace gdcert::detail

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
