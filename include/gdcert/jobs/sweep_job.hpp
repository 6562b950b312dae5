// A large sweep as a job: runs of consecutive tiles are the work items (jobs/job.hpp), so a sweep runs across MPI ranks and resumes from a checkpoint with the bytes of the one-process sweep (docs/jobs.md).
#pragma once

#include <gdcert/analysis/classify.hpp>
#include <gdcert/analysis/execution.hpp>
#include <gdcert/analysis/sweep.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/io/checkpoint.hpp>
#include <gdcert/io/io_error.hpp>
#include <gdcert/jobs/job.hpp>
#include <gdcert/version.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gdcert {

/// sweep(problem, plane, options, policy, certificate, overlay) split into work items of
/// `tiles_per_item` consecutive tiles of policy.tile points. Each item runs its tiles on one
/// thread with the sweep engine itself, so every per-point slot and both step counters of the
/// assembled result equal sweep()'s bit for bit (its tiles are the same).
///
/// `label` must name every parameter of the problem, the certificate and the overlay (they are
/// not introspectable); the step size, plane, options, criteria, tile and lane width are added
/// to description() here.
template <int W, class Problem, class Certificate = no_certificate, class Overlay = no_overlay>
requires problem<Problem> &&
    gradient_map_over<Problem, detail::lane_scalar<detail::pack_shape<W>::width>>
class sweep_job {
public:
  /// Throws what sweep() throws for these arguments (before any work), and
  /// gdcert::invalid_parameter for tiles_per_item = 0.
  sweep_job(std::string label, const Problem& problem, const sweep_plane& plane,
            const sweep_options& options = {}, const execution_policy& policy = {},
            const Certificate& certificate = {}, const Overlay& overlay = {},
            std::size_t tiles_per_item = 16)
      : label_(std::move(label)), problem_(problem), plane_(plane), options_(options),
        policy_(policy), certificate_(certificate), overlay_(overlay) {
    detail::validate_sweep<Certificate>(problem, plane, options, policy);
    if (tiles_per_item < 1)
      throw invalid_parameter("tiles_per_item", "0", ">= 1");
    points_ = plane.size();
    item_points_ = detail::saturating_multiply_add(policy.tile, tiles_per_item, 0);
    policy_.threads = 1; // an item is one thread's work
    policy_.progress = false;
    policy_.cancel = nullptr; // a job stops between items (job_options::cancel)
  }

  [[nodiscard]] std::size_t items() const noexcept {
    return detail::tile_count(points_, item_points_);
  }

  [[nodiscard]] std::string description() const {
    const auto& c = options_.criteria;
    auto text = [](double v) { return detail::to_text(v); };
    auto vector_text = [&](const vector<double>& v) {
      std::string out;
      for (Eigen::Index i = 0; i < v.size(); ++i) {
        out += ' ';
        out += text(v(i));
      }
      return out;
    };
    auto axis = [&](const grid_axis& a) {
      return text(a.lower) + " " + text(a.upper) + " " + std::to_string(a.resolution);
    };
    return "gdcert sweep_job\ngdcert version " + std::string(gdcert::version) + "\nproblem " +
           label_ + "; eta = " + text(problem_.step_size()) + "; dimension " +
           std::to_string(problem_.dimension()) + "\ncertificate " +
           std::to_string(!std::is_same_v<Certificate, no_certificate>) + " overlay " +
           std::to_string(!std::is_same_v<Overlay, no_overlay>) + "\nplane origin" +
           vector_text(plane_.origin) + "\nfirst axis " + axis(plane_.first) + " index " +
           std::to_string(plane_.first_index) + " direction" + vector_text(plane_.first_direction) +
           "\nsecond axis " + axis(plane_.second) + " index " +
           std::to_string(plane_.second_index) + " direction" +
           vector_text(plane_.second_direction) + "\nseed " +
           (plane_.seed ? std::to_string(*plane_.seed) : std::string("none")) +
           "\ncriteria max_steps " + std::to_string(c.max_steps) + " escape_norm " +
           text(c.escape_norm) + " step_tolerance " + text(c.step_tolerance) +
           " distance_tolerance " + text(c.distance_tolerance) + " period_tolerance " +
           text(c.period_tolerance) + " orbit_separation " + text(c.orbit_separation) +
           " max_period " + std::to_string(c.max_period) + " confirmation_steps " +
           std::to_string(c.confirmation_steps) + "\noptions check_interval " +
           std::to_string(options_.check_interval) + " first_check " +
           std::to_string(options_.first_check) + " flush_subnormals " +
           std::to_string(options_.flush_subnormals) + " keep_final_states " +
           std::to_string(options_.keep_final_states) + " track_state_parameter " +
           std::to_string(options_.track_state_parameter) + "\nlanes " + std::to_string(W) +
           " tile " + std::to_string(policy_.tile) + " points per item " +
           std::to_string(item_points_) + "\nitems " + std::to_string(items());
  }

  [[nodiscard]] item_bytes run_item(std::size_t item) const {
    if (item >= items())
      throw invalid_parameter("work item", std::to_string(item),
                              "[0, " + std::to_string(items()) + ")");
    const std::size_t begin = item * item_points_;
    const std::size_t end = begin + std::min(item_points_, points_ - begin);
    sweep_result part =
        detail::blank_sweep_result<Certificate, Overlay>(problem_, plane_, options_, end - begin);
    const engine_type engine(problem_, options_, certificate_, overlay_, policy_, part, begin);
    typename engine_type::counters tally;
    for (std::size_t b = begin; b < end; b += policy_.tile) // sweep()'s tiles
      engine.run_tile(b, std::min(end, b + policy_.tile), tally);
    byte_writer out;
    out.put(static_cast<std::uint64_t>(tally.useful));
    out.put(static_cast<std::uint64_t>(tally.executed));
    out.put(part.outcomes).put(part.decision_steps).put(part.periods).put(part.final_loss);
    out.put(part.final_state_parameter).put(part.final_sharpness).put(part.overlay);
    out.put(part.final_states).put(part.finished).put(part.state_parameter_drop);
    return std::move(out).take();
  }

  /// sweep()'s result from a complete run (rank 0). Throws gdcert::io_error for bytes of another
  /// job, gdcert::invalid_parameter for a run of another size.
  [[nodiscard]] sweep_result assemble(const job_run& run) const {
    if (run.results.size() != items())
      throw invalid_parameter("job_run items", std::to_string(run.results.size()),
                              std::to_string(items()) + " (the results of this job, on rank 0)");
    sweep_result full =
        detail::blank_sweep_result<Certificate, Overlay>(problem_, plane_, options_, points_);
    const std::size_t d = static_cast<std::size_t>(problem_.dimension());
    for (std::size_t k = 0; k < items(); ++k) {
      byte_reader in(run.results[k]);
      const std::size_t begin = k * item_points_;
      const std::size_t count = std::min(item_points_, points_ - begin);
      full.useful_steps += in.get<std::uint64_t>();
      full.executed_lane_steps += in.get<std::uint64_t>();
      auto place = [&](auto& target, std::size_t per_point) {
        using value = typename std::decay_t<decltype(target)>::value_type;
        const std::vector<value> values = in.template get_vector<value>();
        if (values.size() != (target.empty() ? 0 : count * per_point))
          throw io_error("gdcert: a sweep item of the wrong size (another job?)");
        std::copy(values.begin(), values.end(),
                  target.begin() + static_cast<std::ptrdiff_t>(begin * per_point));
      };
      place(full.outcomes, 1);
      place(full.decision_steps, 1);
      place(full.periods, 1);
      place(full.final_loss, 1);
      place(full.final_state_parameter, 1);
      place(full.final_sharpness, 1);
      place(full.overlay, 1);
      place(full.final_states, d);
      place(full.finished, 1);
      place(full.state_parameter_drop, 1);
      if (!in.done())
        throw io_error("gdcert: a sweep item has trailing bytes (another job?)");
    }
    return full;
  }

private:
  using engine_type = detail::sweep_engine<W, Problem, Certificate, Overlay>;
  std::string label_;
  Problem problem_;
  sweep_plane plane_;
  sweep_options options_;
  execution_policy policy_;
  Certificate certificate_;
  Overlay overlay_;
  std::size_t points_ = 0, item_points_ = 1;
};

} // namespace gdcert
