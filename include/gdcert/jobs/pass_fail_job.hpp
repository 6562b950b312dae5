// Pass/fail maps of Apps L-M as jobs: each grid row is a work item (jobs/job.hpp), so maps run across MPI ranks and resume from checkpoints with the bytes of the one-process map (docs/jobs.md).
#pragma once

#include <gdcert/analysis/boundary_scan.hpp>
#include <gdcert/analysis/directions.hpp>
#include <gdcert/analysis/execution.hpp>
#include <gdcert/analysis/ray_polynomial.hpp>
#include <gdcert/certificates/certificate.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/io/checkpoint.hpp>
#include <gdcert/io/io_error.hpp>
#include <gdcert/jobs/job.hpp>
#include <gdcert/problems/diagonal_approximation.hpp>
#include <gdcert/problems/quartic.hpp>
#include <gdcert/version.hpp>

#include <boost/crc.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace gdcert {

namespace detail {

/// Axis values, option values and the direction table's checksum as description lines.
[[nodiscard]] inline std::string describe_axis(const std::string& name,
                                               const std::vector<double>& axis) {
  std::string out = name + " (" + std::to_string(axis.size()) + "):";
  for (const double v : axis) {
    out += ' ';
    out += to_text(v);
  }
  return out + "\n";
}

[[nodiscard]] inline std::string describe_pass_fail(const direction_table& directions,
                                                    const pass_fail_options& options,
                                                    const execution_policy& policy) {
  boost::crc_32_type sum;
  sum.process_bytes(directions.data(),
                    static_cast<std::size_t>(directions.size()) * sizeof(double));
  const auto& s = options.scan;
  const auto& r = options.refinement;
  return "gdcert version " + std::string(gdcert::version) + "\ndirections " +
         std::to_string(directions.rows()) + " x " + std::to_string(directions.cols()) +
         ", crc32 " + std::to_string(sum.checksum()) + "\ntolerance " + to_text(s.tolerance) +
         " units " + std::to_string(static_cast<int>(s.units)) + " early_exit " +
         std::to_string(s.early_exit) + "\nrefine_passing " +
         std::to_string(options.refine_passing) + " starts " + std::to_string(r.starts) +
         " initial_step " + to_text(r.initial_step) + " final_step " + to_text(r.final_step) +
         " max_evaluations " + std::to_string(r.max_evaluations) + "\ntile " +
         std::to_string(policy.tile) + "\n";
}

} // namespace detail

/// A pass/fail map (boundary_scan.hpp) whose rows are work items: `scan_row(r)` returns the map
/// of row r alone (the same code the one-process map runs for that row), run_item encodes its
/// per-pair slots and assemble() puts the rows together. Build it with two_parameter_pass_fail_job
/// or quartic_pass_fail_job; the assembled map equals two_parameter_pass_fail_map /
/// quartic_pass_fail_map bit for bit.
template <class ScanRow>
class pass_fail_map_job {
public:
  pass_fail_map_job(pass_fail_map header, ScanRow scan_row, std::string description)
      : header_(std::move(header)), scan_row_(std::move(scan_row)),
        description_(std::move(description)) {}

  [[nodiscard]] std::size_t items() const noexcept { return header_.rows.size(); }
  [[nodiscard]] const std::string& description() const noexcept { return description_; }

  [[nodiscard]] item_bytes run_item(std::size_t r) const {
    if (r >= items())
      throw invalid_parameter("work item (map row)", std::to_string(r),
                              "[0, " + std::to_string(items()) + ")");
    const pass_fail_map row = scan_row_(r);
    byte_writer out;
    out.put(row.worst).put(row.tolerance).put(row.passed).put(row.worst_index).put(row.scanned);
    out.put(row.refined_worst);
    return std::move(out).take();
  }

  /// The whole map from a complete run (rank 0). Throws gdcert::io_error for bytes of another
  /// job, gdcert::invalid_parameter for a run of another size.
  [[nodiscard]] pass_fail_map assemble(const job_run& run) const {
    if (run.results.size() != items())
      throw invalid_parameter("job_run items", std::to_string(run.results.size()),
                              std::to_string(items()) + " (the results of this job, on rank 0)");
    pass_fail_map map = header_; // sized (and its memory checked) when the job was made
    const std::size_t columns = map.columns.size();
    bool refined = false;
    for (std::size_t r = 0; r < items(); ++r) {
      byte_reader in(run.results[r]);
      auto copy = [&](auto& target, auto values) {
        if (values.size() != columns)
          throw io_error("gdcert: a pass/fail row of " + std::to_string(values.size()) +
                         " pairs in a map of " + std::to_string(columns) + " columns");
        std::copy(values.begin(), values.end(),
                  target.begin() + static_cast<std::ptrdiff_t>(r * columns));
      };
      copy(map.worst, in.get_vector<double>());
      copy(map.tolerance, in.get_vector<double>());
      copy(map.passed, in.get_vector<std::uint8_t>());
      copy(map.worst_index, in.get_vector<std::size_t>());
      copy(map.scanned, in.get_vector<std::size_t>());
      const auto refined_row = in.get_vector<double>();
      if (!refined_row.empty()) {
        if (!refined)
          map.refined_worst.assign(map.pairs(), std::numeric_limits<double>::quiet_NaN());
        refined = true;
        copy(map.refined_worst, refined_row);
      }
      if (!in.done())
        throw io_error("gdcert: a pass/fail row has trailing bytes (another job?)");
    }
    return map;
  }

private:
  pass_fail_map header_;
  ScanRow scan_row_;
  std::string description_;
};

/// Figures 7-8 / App. L's map (two_parameter_pass_fail_map) as a job of δ rows. The moment table
/// is built once, here, on `policy`'s threads (every rank builds its own); each item scans one
/// row on one thread. `directions` must outlive the job. Throws what the map function throws.
template <int W = 4>
[[nodiscard]] auto two_parameter_pass_fail_job(const diagonal_approximation& problem,
                                               const std::vector<double>& deltas,
                                               const std::vector<double>& xis,
                                               const direction_table& directions,
                                               const pass_fail_options& options = {},
                                               const execution_policy& policy = {}) {
  detail::validate_two_parameter_map(problem, deltas, xis, options);
  if (options.refine_passing)
    detail::validate_refinement(options.refinement);
  using scanner_type = boundary_scanner<diagonal_approximation, W>;
  auto scanner = std::make_shared<const scanner_type>(problem, directions, policy);
  pass_fail_map header; // as two_parameter_pass_fail_map labels it
  header.row_name = "delta";
  header.column_name = "xi";
  header.rows = deltas;
  header.columns = xis;
  header.directions = scanner->size();
  header.options = options.scan;
  header.allocate(policy);
  auto scan_row = [scanner, deltas, xis, options](std::size_t r) {
    std::vector<two_parameter_form::parameters> row(xis.size());
    for (std::size_t c = 0; c < xis.size(); ++c)
      row[c] = {deltas[r], xis[c]};
    pass_fail_map map;
    map.columns = xis;
    map.rows = {deltas[r]};
    execution_policy unlimited;
    unlimited.memory_limit = std::numeric_limits<std::uint64_t>::max();
    map.allocate(unlimited);
    map.store_row(0, scanner->scan_group(row, options.scan));
    if (options.refine_passing) { // as detail::refine_passing_pairs does for the whole map
      map.refined_worst.assign(xis.size(), std::numeric_limits<double>::quiet_NaN());
      for (std::size_t c = 0; c < xis.size(); ++c)
        if (map.passed[c])
          map.refined_worst[c] =
              refine_direction(
                  scanner->problem(), scanner->form().matrix(row[c]),
                  scanner->directions().col(static_cast<Eigen::Index>(map.worst_index[c])),
                  options.refinement)
                  .refined_worst;
    }
    return map;
  };
  std::string text =
      "gdcert two_parameter_pass_fail_job\nsigma " + detail::to_text(problem.sigma()) + "\neta " +
      detail::to_text(problem.step_size()) + "\n" + detail::describe_axis("delta", deltas) +
      detail::describe_axis("xi", xis) + detail::describe_pass_fail(directions, options, policy);
  return pass_fail_map_job<decltype(scan_row)>(std::move(header), std::move(scan_row),
                                               std::move(text));
}

/// Figures 9-10 / App. M's quartic map (quartic_pass_fail_map) as a job of η rows; each item
/// builds its row's moments and scans it on one thread, as the map function does. `directions`
/// must outlive the job.
template <int W = 4>
[[nodiscard]] auto
quartic_pass_fail_job(double mu, const std::vector<double>& etas, const std::vector<double>& deltas,
                      const direction_table& directions, const pass_fail_options& options = {},
                      const execution_policy& policy = {}) {
  require_finite("quartic weight mu", mu);
  detail::require_axis("eta", etas);
  for (const double eta : etas)
    require_positive("step size eta", eta);
  detail::require_axis("delta", deltas);
  for (const double delta : deltas)
    require_state_parameter(delta);
  require_finite("scan tolerance", options.scan.tolerance);
  detail::validate_directions(directions, ray_polynomial<quartic_factorization>::dimension);
  if (options.refine_passing)
    detail::validate_refinement(options.refinement);
  pass_fail_map header; // as step_size_pass_fail_map labels it
  header.row_name = "eta";
  header.column_name = "delta";
  header.rows = etas;
  header.columns = deltas;
  header.directions = static_cast<std::size_t>(directions.cols());
  header.options = options.scan;
  header.allocate(policy);
  execution_policy serial = policy;
  serial.threads = 1;
  serial.progress = false;
  auto scan_row = [mu, etas, deltas, &directions, options, serial](std::size_t r) {
    return quartic_pass_fail_map<W>(mu, {etas[r]}, deltas, directions, options, serial);
  };
  std::string text = "gdcert quartic_pass_fail_job\nmu " + detail::to_text(mu) + "\n" +
                     detail::describe_axis("eta", etas) + detail::describe_axis("delta", deltas) +
                     detail::describe_pass_fail(directions, options, policy);
  return pass_fail_map_job<decltype(scan_row)>(std::move(header), std::move(scan_row),
                                               std::move(text));
}

} // namespace gdcert
