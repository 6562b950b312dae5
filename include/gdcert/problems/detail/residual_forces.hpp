// The GD step's two products of a factorization loss in double, fused: tiles of the residual F Gᵀ − T consumed by both products while in registers, never stored (docs/formulas.md §1, eq. 3).
#pragma once

#include <gdcert/core/arithmetic.hpp>
#include <gdcert/core/precompiled.hpp>
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
///
/// Large ranks (r ≥ blocked_rank): a tile of E held in registers while both products use it needs
/// 4r packets of sums in memory, loaded and stored at every k (about a third of the FMA peak at
/// r = 100). There the kernel stores E instead, a panel of up to 96 rows × 48 columns at a time
/// in a small buffer, and runs three register-blocked loops over it, each 2 packets × 6
/// accumulators (12 multiply-adds per 8 loads, measured 0.85 of the peak in the first-level cache,
/// against 0.47 for 3 × 4): E = F Gᵀ − T over k, the partial E G over the panel's columns, and
/// Eᵀ F over the panel's rows. Each loop reads its operands as consecutive memory: G per block of
/// 6 columns (k-major) for E, G by slivers of 6 rank indices (column after column) for E G, F by
/// slivers of 2W rank indices (row after row) for Eᵀ F, whose sums are kept by slivers too. Panels
/// 48 columns wide make the E G loop's sums 48 terms long between loads and stores of its
/// accumulators (12 before: the loop was 1.5× slower per multiply-add than the E loop); the sums of
/// Eᵀ F are per panel of rows, then over the panels. T is still read once and E never leaves the
/// cache. The choice depends on r alone, so the bits still do not depend on the threads.
class residual_forces {
public:
  using packet = typename Eigen::internal::packet_traits<double>::type;
  static constexpr Eigen::Index width = Eigen::internal::unpacket_traits<packet>::size;
  /// Columns per chunk aimed at (a chunk's partial E G, p × r, stays in the core's L2 cache), and
  /// the most chunks (their partials cost chunks · p · r doubles and as many additions).
  static constexpr Eigen::Index chunk_columns = 32, max_chunks = 16;
  /// The blocked kernel's chunks: a power of two (an even share on 2, 4, 8 threads), at least two,
  /// of at least 64 columns each beyond two: each chunk's partial E G costs p · r reads and
  /// writes, which 32-column chunks do not repay at r ≥ 32 (measured at 1000 × 1000, r = 100).
  static constexpr Eigen::Index blocked_chunk_columns = 64;
  /// Below this many flops (6pqr) a step runs on the calling thread alone: a wake-up of the team
  /// costs more than it saves (measured: bench/matrix_step_bench.cpp).
  static constexpr double threaded_flops = 1.0e6;
  /// From this rank on the blocked kernel (measured at 32² to 1000², one and two threads: from
  /// r = 16 it is as fast or faster, below it the register kernel on one thread; docs/performance.md).
  static constexpr Eigen::Index blocked_rank = 16;
  /// The blocked kernel's columns per block and rank indices per tile of E G, and the largest
  /// panel of E (measured at 1000 × 1000 and 300 × 300, r = 100: 48 × 96 against 12-72 columns
  /// and 32-128 rows; docs/performance.md).
  static constexpr int block_columns = 6;
  static constexpr Eigen::Index panel_columns = 48, max_panel_rows = 96;

  /// Buffers for p × q targets of rank r; threads as worker_team (0: all cores).
  residual_forces(Eigen::Index p, Eigen::Index q, Eigen::Index r, unsigned threads = 0)
      : p_(p), q_(q), r_(r), blocked_(r >= blocked_rank),
        packed_rows_(blocked_ ? round_up(p, 2 * width) : p / (2 * width) * (2 * width)),
        rank_stride_(blocked_ ? round_up(r, block_columns) : r),
        sliver_rank_(blocked_ ? round_up(r, 2 * width) : 0),
        panel_rows_(blocked_ ? even_part(packed_rows_, max_panel_rows, 2 * width) : 0),
        chunks_(chunk_count(q, blocked_)), team_(team_size(p, q, r, threads, chunks_)) {
    partial_rows_.resize(static_cast<std::size_t>(partial_size() * chunks_));
    packed_factor_.resize(static_cast<std::size_t>(packed_rows_ * r));
    factor_slivers_.resize(static_cast<std::size_t>(packed_rows_ * sliver_rank_));
    packed_columns_.resize(static_cast<std::size_t>(blocked_ ? q * rank_stride_ : 0));
    column_factor_slivers_.resize(packed_columns_.size());
    column_sums_.resize(static_cast<std::size_t>(q * sliver_rank_));
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
  /// that includes a matrix problem; defined below the class, not inline, so that
  /// gdcert::precompiled can compile it once: core/precompiled.hpp.)
  template <int = 0>
  void operator()(const double* row_factor, const double* column_factor, const double* target,
                  const double* mask, double* row_forces, double* column_forces);

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

  /// The chunks of columns, fixed by q (and the kernel) alone: see chunk_columns and
  /// blocked_chunk_columns.
  [[nodiscard]] static Eigen::Index chunk_count(Eigen::Index q, bool blocked) noexcept {
    if (blocked)
      return Eigen::Index(std::bit_floor(
          std::uint64_t(std::clamp<Eigen::Index>(q / blocked_chunk_columns, 2, max_chunks))));
    return std::clamp<Eigen::Index>((q + chunk_columns - 1) / chunk_columns, 1, max_chunks);
  }

  /// The size of the parts when `n` is cut into as few parts of at most `most` as possible, all of
  /// one size (a multiple of `unit`) but the last, so that no part is a sliver: panels of rows
  /// (unit 2W) and of a chunk's columns (unit 6).
  [[nodiscard]] static Eigen::Index even_part(Eigen::Index n, Eigen::Index most,
                                              Eigen::Index unit) noexcept {
    const Eigen::Index parts = std::max<Eigen::Index>((n + most - 1) / most, 1);
    return round_up((n + parts - 1) / parts, unit);
  }

  [[nodiscard]] static constexpr Eigen::Index round_up(Eigen::Index n, Eigen::Index to) noexcept {
    return (n + to - 1) / to * to;
  }

  /// Offsets in a partial E G: the first packed_rows_ rows by tiles of 2W (tile i / 2W, then k,
  /// then i mod 2W; rank_stride_ values of k per tile, r rounded up to 6 in the blocked kernel);
  /// the last p mod 2W rows of the register kernel after them, column-major.
  [[nodiscard]] Eigen::Index packed_index(Eigen::Index i, Eigen::Index k) const noexcept {
    return (i / (2 * width)) * (2 * width * rank_stride_) + k * (2 * width) + i % (2 * width);
  }
  [[nodiscard]] Eigen::Index tail_index(Eigen::Index i, Eigen::Index k) const noexcept {
    return packed_rows_ * r_ + (i - packed_rows_) + (p_ - packed_rows_) * k;
  }
  [[nodiscard]] Eigen::Index partial_size() const noexcept {
    return packed_rows_ * rank_stride_ + (p_ - std::min(p_, packed_rows_)) * r_;
  }

  /// A worker's doubles: 4r packets of Eᵀ F sums, then a column block's 4r values of G; in the
  /// blocked kernel a panel of E (panel_rows_ × panel_columns).
  [[nodiscard]] std::size_t worker_buffer() const noexcept {
    return static_cast<std::size_t>(blocked_ ? panel_rows_ * panel_columns
                                             : 4 * r_ * width + 4 * r_);
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
    double* rows = partial_rows_.data() + c * partial_size();
    if (!blocked_ || chunk_begin(c) == chunk_begin(c + 1))
      std::fill(rows, rows + partial_size(), 0.0);
    if (blocked_) {
      blocked_chunk(in, c, rows, accumulators);
      return;
    }
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
    const Eigen::Index tail = p - packed_rows_;
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

  /// The blocked kernel on chunk c: its columns' values of G packed twice, r rounded up to 6 with
  /// zeros (per block of 6 columns from the chunk's start, g[jj + columns · k], for E = F Gᵀ − T;
  /// by slivers, sliver_index, for E G), then panels of rows, each over the chunk's
  /// columns, up to panel_columns at a time; last, the chunk's columns of Eᵀ F from their sums.
  template <int = 0>
  void blocked_chunk(const inputs& in, Eigen::Index c, double* rows, double* panel) {
    const Eigen::Index begin = chunk_begin(c), end = chunk_begin(c + 1);
    for (Eigen::Index j = begin; j < end; j += block_columns) {
      const Eigen::Index columns = std::min<Eigen::Index>(block_columns, end - j);
      double* g = packed_columns_.data() + j * rank_stride_;
      for (Eigen::Index k = 0; k < rank_stride_; ++k)
        for (Eigen::Index jj = 0; jj < columns; ++jj)
          g[jj + columns * k] = k < r_ ? in.column_factor[j + jj + q_ * k] : 0.0;
    }
    // (Each layout written in its own order, so that the writes are consecutive.)
    for (Eigen::Index k = 0; k < rank_stride_; k += block_columns) {
      double* sliver = column_factor_slivers_.data() + sliver_index(begin, k, q_, block_columns);
      for (Eigen::Index j = begin; j < end; ++j)
        for (Eigen::Index kk = k; kk < k + block_columns; ++kk)
          *sliver++ = kk < r_ ? in.column_factor[j + q_ * kk] : 0.0;
    }
    const Eigen::Index columns = even_part(end - begin, panel_columns, block_columns);
    for (Eigen::Index i0 = 0; i0 < packed_rows_; i0 += panel_rows_) {
      const Eigen::Index i1 = std::min(packed_rows_, i0 + panel_rows_);
      for (Eigen::Index j = begin; j < end; j += columns) {
        const Eigen::Index count = std::min<Eigen::Index>(columns, end - j);
        if (in.mask)
          blocked_panel<true>(in, j, count, i0, i1, j == begin, rows, panel);
        else
          blocked_panel<false>(in, j, count, i0, i1, j == begin, rows, panel);
      }
    }
    // The chunk's columns of Eᵀ F, from their slivers.
    for (Eigen::Index k = 0; k < r_; k += 2 * width) {
      const double* sums = column_sums_.data() + sliver_index(begin, k, q_, 2 * width);
      for (Eigen::Index j = begin; j < end; ++j, sums += 2 * width)
        for (Eigen::Index kk = k; kk < std::min(r_, k + 2 * width); ++kk)
          in.column_forces[j + q_ * kk] = sums[kk - k];
    }
  }

  /// Where rank index k of item i (of `items`) is in a layout by slivers of `wide` rank indices:
  /// the `wide` values of every item together, sliver after sliver. F's rows (packed_rows_
  /// items, 2W wide), G's columns for E G (q, 6 wide) and the sums of Eᵀ F (q, 2W wide).
  [[nodiscard]] static Eigen::Index sliver_index(Eigen::Index i, Eigen::Index k, Eigen::Index items,
                                                 Eigen::Index wide) noexcept {
    return (k / wide) * (wide * items) + i * wide + k % wide;
  }

  /// Calls f.template operator()<columns>() for columns = 1, …, 6 given at run time.
  template <class Function>
  static void with_columns(Eigen::Index columns, Function&& f) {
    switch (columns) {
    case 6:
      f.template operator()<6>();
      break;
    case 5:
      f.template operator()<5>();
      break;
    case 4:
      f.template operator()<4>();
      break;
    case 3:
      f.template operator()<3>();
      break;
    case 2:
      f.template operator()<2>();
      break;
    default:
      f.template operator()<1>();
      break;
    }
  }

  /// Rows i0, …, i1 − 1 (a panel: whole tiles of 2W) of the `count` ≤ panel_columns columns
  /// from j: E (`panel`, column-major, zero past row p), then the partial E G (set by the chunk's
  /// first panel of these rows, `first`), then Eᵀ F.
  template <bool masked>
  void blocked_panel(const inputs& in, Eigen::Index j, Eigen::Index count, Eigen::Index i0,
                     Eigen::Index i1, bool first, double* rows, double* panel) {
    const Eigen::Index height = i1 - i0;
    for (Eigen::Index s = j; s < j + count; s += block_columns)
      with_columns(std::min<Eigen::Index>(block_columns, j + count - s), [&]<int columns>() {
        residual_panel<columns, masked>(in, s, i0, i1, panel + height * (s - j));
      });
    for (Eigen::Index jj = 0; jj < count; ++jj) // rows past p: F's padding is 0, but 0 · ∞ is not
      for (Eigen::Index i = std::max(p_, i0); i < i1; ++i)
        panel[(i - i0) + height * jj] = 0.0;
    row_forces_panel(j, count, i0, i1, first, rows, panel);
    for (Eigen::Index k = 0; k < sliver_rank_; k += 2 * width)
      for (Eigen::Index s = j; s < j + count; s += block_columns)
        with_columns(std::min<Eigen::Index>(block_columns, j + count - s), [&]<int columns>() {
          column_forces_panel<columns>(s, k, i0, i1, panel + height * (s - j));
        });
  }

  /// (1) E = F Gᵀ − T (masked) on the panel, for the block of `columns` columns from j, 2 packets
  /// of rows × the block's columns at once, over k.
  template <int columns, bool masked>
  void residual_panel(const inputs& in, Eigen::Index j, Eigen::Index i0, Eigen::Index i1,
                      double* panel) const {
    using namespace Eigen::internal;
    const Eigen::Index p = p_, r = r_, height = i1 - i0;
    const double* g = packed_columns_.data() + j * rank_stride_;
    // Packets of rows i, …, i + W − 1 of column jj of T (or of the mask), zeros past row p.
    const auto load = [&](const double* matrix, Eigen::Index i, int jj) {
      if (i + width <= p)
        return ploadu<packet>(matrix + i + p * (j + jj));
      alignas(64) double part[width] = {};
      for (Eigen::Index l = 0; i + l < p; ++l)
        part[l] = matrix[i + l + p * (j + jj)];
      return ploadu<packet>(part);
    };
    for (Eigen::Index i = i0; i < i1; i += 2 * width) {
      const double* f = packed_factor_.data() + i * r;
      packet e[2][columns];
      for (int jj = 0; jj < columns; ++jj)
        for (int v = 0; v < 2; ++v)
          e[v][jj] = pnegate(load(in.target, i + v * width, jj));
      for (Eigen::Index k = 0; k < r; ++k) {
        const packet f0 = ploadu<packet>(f + 2 * width * k),
                     f1 = ploadu<packet>(f + 2 * width * k + width);
        for (int jj = 0; jj < columns; ++jj) {
          const packet gk = pset1<packet>(g[jj + columns * k]);
          e[0][jj] = pmadd(f0, gk, e[0][jj]);
          e[1][jj] = pmadd(f1, gk, e[1][jj]);
        }
      }
      for (int jj = 0; jj < columns; ++jj)
        for (int v = 0; v < 2; ++v) {
          if constexpr (masked)
            e[v][jj] = pand(e[v][jj], load(in.mask, i + v * width, jj));
          pstoreu(panel + (i - i0) + v * width + height * jj, e[v][jj]);
        }
    }
  }

  /// (2) The partial E G += E(:, j … j + count) G(j … j + count, :) on the panel (= when
  /// `first`), 2 packets of rows × 6 rank indices at once, over the `count` columns (G's slivers of
  /// 6 rank indices: each column's 6 values together, column after column).
  void row_forces_panel(Eigen::Index j, Eigen::Index count, Eigen::Index i0, Eigen::Index i1,
                        bool first, double* rows, const double* panel) const {
    using namespace Eigen::internal;
    const Eigen::Index height = i1 - i0;
    for (Eigen::Index k = 0; k < rank_stride_; k += block_columns) {
      const double* g0 = column_factor_slivers_.data() + sliver_index(j, k, q_, block_columns);
      for (Eigen::Index i = i0; i < i1; i += 2 * width) {
        double* out = rows + packed_index(i, k);
        packet o[2][block_columns];
        for (int kk = 0; kk < block_columns; ++kk)
          for (int v = 0; v < 2; ++v)
            o[v][kk] =
                first ? pset1<packet>(0.0) : ploadu<packet>(out + 2 * width * kk + v * width);
        const double* e = panel + (i - i0);
        const double* g = g0;
        for (Eigen::Index jj = 0; jj < count; ++jj, e += height, g += block_columns) {
          const packet e0 = ploadu<packet>(e), e1 = ploadu<packet>(e + width);
          for (int kk = 0; kk < block_columns; ++kk) {
            const packet gk = pset1<packet>(g[kk]);
            o[0][kk] = pmadd(e0, gk, o[0][kk]);
            o[1][kk] = pmadd(e1, gk, o[1][kk]);
          }
        }
        for (int kk = 0; kk < block_columns; ++kk)
          for (int v = 0; v < 2; ++v)
            pstoreu(out + 2 * width * kk + v * width, o[v][kk]);
      }
    }
  }

  /// (3) Eᵀ F for the block of `columns` columns from j and rank indices k, …, k + 2W − 1, the
  /// block's columns × 2 packets at once over the panel's rows (F's slivers); the panel's sums are
  /// added to the earlier panels' (column_sums_, set by the first panel): sums of panel_rows
  /// terms, then of p / panel_rows, not one sum of p terms.
  template <int columns>
  void column_forces_panel(Eigen::Index j, Eigen::Index k, Eigen::Index i0, Eigen::Index i1,
                           const double* panel) {
    using namespace Eigen::internal;
    const Eigen::Index height = i1 - i0;
    double* out = column_sums_.data() + sliver_index(j, k, q_, 2 * width);
    packet sum[columns][2];
    for (int jj = 0; jj < columns; ++jj)
      sum[jj][0] = sum[jj][1] = pset1<packet>(0.0);
    const double* f = factor_slivers_.data() + sliver_index(i0, k, packed_rows_, 2 * width);
    for (Eigen::Index i = 0; i < height; ++i, f += 2 * width) {
      const packet f0 = ploadu<packet>(f), f1 = ploadu<packet>(f + width);
      for (int jj = 0; jj < columns; ++jj) {
        const packet e = pset1<packet>(panel[i + height * jj]);
        sum[jj][0] = pmadd(e, f0, sum[jj][0]);
        sum[jj][1] = pmadd(e, f1, sum[jj][1]);
      }
    }
    for (int jj = 0; jj < columns; ++jj)
      for (int v = 0; v < 2; ++v) {
        double* at = out + 2 * width * jj + v * width;
        pstoreu(at, i0 == 0 ? sum[jj][v] : padd(ploadu<packet>(at), sum[jj][v]));
      }
  }

  Eigen::Index p_, q_, r_;
  bool blocked_;
  Eigen::Index packed_rows_, rank_stride_, sliver_rank_, panel_rows_, chunks_;
  worker_team team_;
  std::vector<double> partial_rows_;
  std::vector<double> packed_factor_, factor_slivers_, packed_columns_, column_factor_slivers_;
  std::vector<double> column_sums_;
  std::vector<double> accumulators_;
};

template <int>
void residual_forces::operator()(const double* row_factor, const double* column_factor,
                                 const double* target, const double* mask, double* row_forces,
                                 double* column_forces) {
  std::atomic<Eigen::Index> next{0};
  const inputs in{row_factor, column_factor, target, mask, column_forces};
  // F's whole tiles packed (packed_index): tile, then k, then row; the blocked kernel pads the
  // last tile with zero rows and also reads F by slivers (sliver_index; r padded with zeros).
  // On the team where the blocked kernel runs (p · r numbers, twice).
  const auto pack = [&](unsigned worker) {
    const Eigen::Index tiles = packed_rows_ / (2 * width), workers = team_.size();
    const Eigen::Index first = tiles * worker / workers, last = tiles * (worker + 1) / workers;
    double* packed = packed_factor_.data() + first * 2 * width * r_;
    for (Eigen::Index tile = 2 * width * first; tile < 2 * width * last; tile += 2 * width)
      for (Eigen::Index k = 0; k < r_; ++k)
        for (Eigen::Index l = 0; l < 2 * width; ++l)
          *packed++ = tile + l < p_ ? row_factor[tile + l + p_ * k] : 0.0;
    for (Eigen::Index k = 0; k < r_ && blocked_; k += 2 * width) {
      double* sliver =
          factor_slivers_.data() + sliver_index(2 * width * first, k, packed_rows_, 2 * width);
      for (Eigen::Index i = 2 * width * first; i < std::min(p_, 2 * width * last); ++i)
        for (Eigen::Index kk = k; kk < k + 2 * width; ++kk)
          *sliver++ = kk < r_ ? row_factor[i + p_ * kk] : 0.0;
    }
  };
  if (blocked_ && team_.size() > 1)
    team_.run(pack);
  else
    for (unsigned worker = 0; worker < team_.size(); ++worker)
      pack(worker);
  team_.run([&](unsigned worker) {
    double* accumulators = accumulators_.data() + std::size_t(worker) * worker_buffer();
    for (Eigen::Index c = next.fetch_add(1, std::memory_order_relaxed); c < chunks_;
         c = next.fetch_add(1, std::memory_order_relaxed))
      chunk(in, c, accumulators);
  });
  // E G = Σ_c partial_c, in chunk order (the same bits for any thread count), each worker
  // adding its own tiles: packets read in the partials' own order and stored as rows of E G's
  // columns (the partials are chunks · p · r numbers, mostly out of cache).
  const Eigen::Index stride = partial_size(), whole = p_ / (2 * width);
  const unsigned workers = team_.size();
  const auto add_partials = [&](unsigned worker) {
    using namespace Eigen::internal;
    const Eigen::Index begin = whole * worker / workers, end = whole * (worker + 1) / workers;
    for (Eigen::Index tile = begin; tile < end; ++tile)
      for (Eigen::Index k = 0; k < r_; ++k)
        for (Eigen::Index v = 0; v < 2; ++v) {
          const Eigen::Index i = 2 * width * tile + v * width, at = packed_index(i, k);
          packet sum = ploadu<packet>(partial_rows_.data() + at);
          for (Eigen::Index c = 1; c < chunks_; ++c)
            sum = padd(sum, ploadu<packet>(partial_rows_.data() + c * stride + at));
          pstoreu(row_forces + i + p_ * k, sum);
        }
    if (worker + 1 == workers) // the last p mod 2W rows, one at a time
      for (Eigen::Index k = 0; k < r_; ++k)
        for (Eigen::Index i = 2 * width * whole; i < p_; ++i) {
          const Eigen::Index at = i < packed_rows_ ? packed_index(i, k) : tail_index(i, k);
          double sum = partial_rows_[std::size_t(at)];
          for (Eigen::Index c = 1; c < chunks_; ++c)
            sum += partial_rows_[std::size_t(c * stride + at)];
          row_forces[i + p_ * k] = sum;
        }
  };
  if (workers > 1)
    team_.run(add_partials);
  else
    add_partials(0);
}

#ifdef GDCERT_PRECOMPILED_ACTIVE // core/precompiled.hpp: the fused kernels, compiled once
extern template void residual_forces::operator()<0>(const double*, const double*, const double*,
                                                    const double*, double*, double*);
#endif

} // namespace gdcert::detail

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
