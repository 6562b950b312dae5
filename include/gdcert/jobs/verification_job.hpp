// A map of rigorous boundary tests as a job: every (cell, root box) of the interval verifier is a work item, so one hard cell spreads over many threads or ranks (jobs/job.hpp, docs/jobs.md).
#pragma once

#include <gdcert/analysis/execution.hpp>
#include <gdcert/analysis/rigorous_scan.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/io/checkpoint.hpp>
#include <gdcert/io/io_error.hpp>
#include <gdcert/jobs/job.hpp>
#include <gdcert/version.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gdcert {

/// The cells of a rigorous map (one inwardness_verifier each: a problem and a level function
/// I(θ; ·) at fixed θ) as a work_job. Item k is one root box of one cell (cell-major, root order);
/// its result is that root's part of inwardness_verifier::run, and assemble() merges the parts of
/// each cell in root order, so every cell's result equals run()'s (boxes, bounds, depth, status,
/// remaining boxes, the exact counterexample) for any threads, ranks or restarts.
///
/// Budget: `options.max_boxes` bounds each item (root box), not the cell. run() shares its budget
/// among a cell's roots; the two agree whenever neither runs out.
///
/// Cost: `assemble` sets each cell's `seconds` to the sum of its items' times (thread-seconds,
/// the cell's cost wherever its roots ran); `item_cost` gives them one by one.
template <class Problem, class Level>
class verification_job {
public:
  using verifier_type = inwardness_verifier<Problem, Level>;

  explicit verification_job(const rigorous_options& options = {}) : options_(options) {}

  /// Adds a cell; `label` must name every parameter of the problem and the level function that
  /// `problem` and `level` depend on (it goes into description(), which a checkpoint must match).
  /// Throws what inwardness_verifier's constructor throws.
  void add(std::string label, const Problem& problem, Level level) {
    verifiers_.emplace_back(problem, std::move(level), options_);
    labels_.push_back(std::move(label) + "; eta = " + detail::to_text(problem.step_size()));
    first_.push_back(items_);
    roots_.push_back(verifiers_.back().root_count());
    items_ += roots_.back();
  }

  [[nodiscard]] std::size_t cells() const noexcept { return verifiers_.size(); }
  [[nodiscard]] std::size_t items() const noexcept { return items_; }
  [[nodiscard]] const verifier_type& verifier(std::size_t cell) const { return verifiers_[cell]; }
  [[nodiscard]] const std::string& label(std::size_t cell) const { return labels_[cell]; }
  /// The items of `cell`: [first_item(cell), first_item(cell) + root_count(cell)).
  [[nodiscard]] std::size_t first_item(std::size_t cell) const { return first_[cell]; }
  [[nodiscard]] std::size_t root_count(std::size_t cell) const { return roots_[cell]; }

  /// Every parameter that determines the results: options, cells, item counts, gdcert version.
  [[nodiscard]] std::string description() const {
    std::string out = "gdcert verification_job\ngdcert version " + std::string(gdcert::version) +
                      "\nstationary_margin " + detail::to_text(options_.stationary_margin) +
                      "\nmax_depth " + std::to_string(options_.max_depth) +
                      "\nmax_boxes per item " + std::to_string(options_.max_boxes) +
                      "\ninitial_splits " + std::to_string(options_.initial_splits) +
                      "\nreported_boxes " + std::to_string(options_.reported_boxes) +
                      "\nuse_symmetry " + std::to_string(options_.use_symmetry) +
                      "\nwhitening_threshold " + detail::to_text(options_.whitening_threshold) +
                      "\ncells " + std::to_string(cells()) + "\nitems " + std::to_string(items_);
    for (std::size_t c = 0; c < cells(); ++c)
      out += "\ncell " + std::to_string(c) + ": " + labels_[c] + "; roots " +
             std::to_string(roots_[c]);
    return out;
  }

  /// The (cell, root) of item k.
  [[nodiscard]] std::pair<std::size_t, std::size_t> cell_of(std::size_t item) const {
    const auto after = std::upper_bound(first_.begin(), first_.end(), item);
    const auto cell = static_cast<std::size_t>(after - first_.begin()) - 1;
    return {cell, item - first_[cell]};
  }

  [[nodiscard]] item_bytes run_item(std::size_t item) const {
    if (item >= items_)
      throw invalid_parameter("work item", std::to_string(item),
                              "[0, " + std::to_string(items_) + ")");
    const auto [cell, root] = cell_of(item);
    execution_policy serial;
    serial.threads = 1;
    serial.progress = false;
    return encode(verifiers_[cell].run_root(root, options_.max_boxes, serial));
  }

  /// Each cell's result, merged from its items (all must be present: a complete run on rank 0).
  /// The counterexample's exact values are recomputed here from its direction (rationals, the
  /// same deterministic check). Throws gdcert::io_error for bytes of another job.
  [[nodiscard]] std::vector<inwardness_result> assemble(const job_run& run) const {
    if (run.results.size() != items_)
      throw invalid_parameter("job_run items", std::to_string(run.results.size()),
                              std::to_string(items_) + " (the results of this job, on rank 0)");
    std::vector<inwardness_result> out(cells());
    for (std::size_t c = 0; c < cells(); ++c) {
      std::vector<inwardness_result> parts(roots_[c]);
      double seconds = 0;
      for (std::size_t r = 0; r < roots_[c]; ++r) {
        parts[r] = decode(run.results[first_[c] + r]);
        seconds += run.seconds[first_[c] + r];
      }
      out[c] = verifiers_[c].merge(parts);
      if (out[c].counterexample)
        verifiers_[c].check_exactly(*out[c].counterexample);
      out[c].seconds = seconds;
    }
    return out;
  }

private:
  static item_bytes encode(const inwardness_result& r) {
    byte_writer out;
    out.put<std::uint64_t>(r.boxes)
        .put<std::uint64_t>(r.proved_boxes)
        .put<std::uint64_t>(r.excluded_boxes)
        .put<std::uint64_t>(r.undecided_boxes)
        .put<std::int32_t>(r.max_depth)
        .put<double>(r.certified_bound)
        .put<double>(r.excluded_bound)
        .put<std::uint64_t>(r.remaining.size());
    for (const direction_box& b : r.remaining)
      out.put<std::int32_t>(b.coordinate)
          .put<double>(b.sign)
          .put<std::int32_t>(b.depth)
          .put<double>(b.upper_bound)
          .put(b.lower)
          .put(b.upper);
    out.put<std::uint8_t>(r.counterexample ? 1 : 0);
    if (r.counterexample) {
      const auto& d = r.counterexample->direction;
      out.put(std::vector<double>(d.data(), d.data() + d.size()))
          .put<double>(r.counterexample->level_lower);
    }
    return std::move(out).take();
  }

  [[nodiscard]] inwardness_result decode(const item_bytes& bytes) const {
    byte_reader in(bytes);
    inwardness_result r;
    r.stationary_margin = options_.stationary_margin;
    r.boxes = in.get<std::uint64_t>();
    r.proved_boxes = in.get<std::uint64_t>();
    r.excluded_boxes = in.get<std::uint64_t>();
    r.undecided_boxes = in.get<std::uint64_t>();
    r.max_depth = in.get<std::int32_t>();
    r.certified_bound = in.get<double>();
    r.excluded_bound = in.get<double>();
    const auto remaining = in.get<std::uint64_t>();
    for (std::uint64_t k = 0; k < remaining; ++k) {
      direction_box b;
      b.coordinate = in.get<std::int32_t>();
      b.sign = in.get<double>();
      b.depth = in.get<std::int32_t>();
      b.upper_bound = in.get<double>();
      b.lower = in.get_vector<double>();
      b.upper = in.get_vector<double>();
      r.remaining.push_back(std::move(b));
    }
    if (in.get<std::uint8_t>()) {
      inwardness_counterexample c;
      const std::vector<double> d = in.get_vector<double>();
      c.direction =
          Eigen::Map<const Eigen::VectorXd>(d.data(), static_cast<Eigen::Index>(d.size()));
      c.level_lower = in.get<double>();
      r.counterexample = std::move(c);
    }
    if (!in.done())
      throw io_error("gdcert: a verification item's result has trailing bytes (another job?)");
    return r;
  }

  rigorous_options options_;
  std::vector<verifier_type> verifiers_;
  std::vector<std::string> labels_;
  std::vector<std::size_t> first_, roots_;
  std::size_t items_ = 0;
};

} // namespace gdcert
