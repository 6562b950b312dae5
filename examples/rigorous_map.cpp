// Whole rigorous maps (issue #16): every sampled passing cell of App. L (σ = 0.6, η = 0.2) and App. M (quartic μ = 1/16) proved or refuted exactly, as MPI/checkpointed jobs.
//
// What is reproduced. Apps L-M accept a parameter pair when no sampled boundary direction
// violates I(GD(x)) <= 1e-4 (docs/formulas.md §8). rigorous_admissibility proves one pair per
// row; this job proves (or refutes with an exact rational counterexample) every passing cell of
// the two published maps:
//  (L) Figure 7 / App. L: X = diag(1, σ), σ = 0.6, η = 0.2, I(δ, ξ) of (30) on the published grid
//      δ ∈ {0.05, …, 1.95} × ξ ∈ {0.05, …, 3.30}, sampled on 41⁴ cube-boundary directions;
//  (M) Figures 9-10 / App. M: the quartic loss μ = 1/16 with I_sc(δ) of (10) over η × δ, both on
//      {0.05, …, 1.95}, sampled on 2001 points per edge of the square.
// Each proof runs the interval verifier (analysis/rigorous_scan.hpp) outside N_ε = {‖∇R‖∞ <= ε}.
//
// How it runs. Four jobs (jobs/job.hpp): the two sampled maps (a work item per grid row) and
// the two verifications (a work item per root box of a cell's verifier: 256 per App. L cell, 8 per
// App. M cell, so one hard cell spreads over many cores). Built with MPI (gdcert::mpi), it runs
// under `mpiexec -n N`: rank 0 hands out items as ranks ask, so fast and slow cells balance, and
// gathers results bit-identical to one process. Every finished item is appended to a checkpoint
// (--checkpoint, one file per job); a run killed at any moment (kill -9) and started again with
// the same arguments resumes where it stopped and ends with the same output files.
//
// Claims checked (computed from the run):
//  * (L), (M): every selected passing cell is decided: proved, or refuted by a counterexample
//    whose violation I(GD(x)) > 0 at a point strictly inside {I < 0} is checked in rationals; none
//    undecided within the box budget;
//  * the exact checks of all counterexamples hold.
// The run also measures every cell's and every item's cost (thread-seconds on this machine) and
// predicts the wall time on 16, 64 and 256 ranks by replaying those costs through the runner's
// schedule (each item, in order, to the first free core; see docs/jobs.md, "Predicted times").
//
// Outputs (in --output): rigorous_map_<L|M>.png (the sampled map with proved / counterexample /
// undecided cells), rigorous_map_<L|M>_status.npy (uint8 codes, the map's rows × columns),
// rigorous_map_<L|M>_boxes.npy, rigorous_map_<L|M>_seconds.npy (cell cost), rigorous_map_cells.csv
// (one row per verified cell), rigorous_map_items.npy (item costs, both verifications in order)
// and rigorous_map_prediction.csv.
//
// Usage: [mpiexec -n N] rigorous_map [--quick] [--output DIR] [--threads T] [--checkpoint PREFIX]
//        [--stride K] [--epsilon E] [--max-boxes N]
// --quick: 11⁴ and 201-point direction sets, a corner of each map (δ, ξ ∈ {0.50, 0.55} for L;
// η ∈ {0.40, 0.45} for M), every passing cell (seconds). --stride K verifies every K-th passing cell of each
// map (row-major): a subset for a small machine. --initial-splits k: 4·2^(3k) items per App. L
// cell, 2^(k+1) per App. M cell (the largest item bounds the time on many ranks).

#include <gdcert/analysis/directions.hpp>
#include <gdcert/certificates/scalar.hpp>
#include <gdcert/certificates/two_parameter.hpp>
#include <gdcert/io/csv.hpp>
#include <gdcert/io/npy.hpp>
#include <gdcert/jobs/job.hpp>
#include <gdcert/jobs/pass_fail_job.hpp>
#include <gdcert/jobs/verification_job.hpp>
#include <gdcert/problems/diagonal_approximation.hpp>
#include <gdcert/problems/quartic.hpp>
#include <gdcert/problems/scalar.hpp>
#if GDCERT_WITH_MPI
#include <gdcert/jobs/mpi.hpp>
#endif

#include "reproduction.hpp"
#include "verified_map.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <numeric>
#include <queue>
#include <string>
#include <vector>

namespace {

using gdcert::examples::format;

/// The process's place in the run: rank and size (1 without MPI).
struct world {
  int rank = 0, size = 1;
};

/// Runs a job on every rank (MPI) or in this process, and gives every rank the results.
template <class Job>
gdcert::job_run run_everywhere(const Job& job, const gdcert::job_options& options, bool share) {
#if GDCERT_WITH_MPI
  gdcert::job_run run = gdcert::mpi::run_job(job, options);
  if (share)
    gdcert::mpi::broadcast(run);
#else
  (void)share;
  gdcert::job_run run = gdcert::run_job(job, options);
#endif
  if (run.recovered_items > 0)
    std::printf("%s: resumed %zu of %zu items from the checkpoint%s\n",
                options.checkpoint.string().c_str(), run.recovered_items, job.items(),
                run.dropped_bytes ? " (an incomplete last record dropped)" : "");
  return run;
}

/// Greedy list scheduling of `costs` (in order) on `workers` cores: each item starts on the core
/// that frees first, as the runner hands items out. The makespan in seconds.
double makespan(const std::vector<double>& costs, std::size_t workers) {
  std::priority_queue<double, std::vector<double>, std::greater<>> free_at;
  for (std::size_t w = 0; w < workers; ++w)
    free_at.push(0.0);
  double end = 0;
  for (const double c : costs) {
    const double start = free_at.top();
    free_at.pop();
    free_at.push(start + c);
    end = std::max(end, start + c);
  }
  return end;
}

/// One verified family: its sampled map, the selected cells and their results.
struct family {
  std::string name;               ///< "L" or "M"
  gdcert::pass_fail_map map;      ///< the sampled map
  std::vector<std::size_t> cells; ///< selected passing pairs (map indices)
  std::vector<gdcert::inwardness_result> results;
  std::vector<double> sampled_row_seconds; ///< item costs of the sampled map's job
  std::vector<double> item_seconds;        ///< item costs of the verification job
  std::size_t passing = 0;
  double seconds = 0; ///< wall time of the two jobs
  [[nodiscard]] int count(gdcert::rigorous_status s) const {
    return static_cast<int>(std::count_if(results.begin(), results.end(),
                                          [&](const auto& r) { return r.status == s; }));
  }
};

/// The largest upper bound of I(GD(x)) over a cell's reported open boxes (undecided cells): a
/// bound at rounding level (1e-13) means the bisection stalled where I(GD(x)) = I(x) = 0 up to
/// rounding off S, an equality case no finite bisection proves (docs/jobs.md, "Cell costs"). NaN
/// if none is open.
double open_bound(const gdcert::inwardness_result& r) {
  double bound = std::nan("");
  for (const auto& b : r.remaining)
    bound = std::isnan(bound) ? b.upper_bound : std::max(bound, b.upper_bound);
  return bound;
}

/// The open box's direction of an undecided cell, as text ("" when none).
std::string open_direction(const gdcert::inwardness_result& r) {
  if (r.remaining.empty())
    return "";
  const auto& b = r.remaining.front();
  std::string out = format("face %d = %+g:", b.coordinate, b.sign);
  for (std::size_t k = 0; k < b.lower.size(); ++k)
    out += format(" [%.17g, %.17g]", b.lower[k], b.upper[k]);
  return out;
}

/// The passing pairs of `map`, every `stride`-th in row-major order.
std::vector<std::size_t> select_cells(const gdcert::pass_fail_map& map, std::size_t stride,
                                      std::size_t& passing) {
  std::vector<std::size_t> cells;
  passing = 0;
  for (std::size_t i = 0; i < map.pairs(); ++i)
    if (map.passed[i] && passing++ % stride == 0)
      cells.push_back(i);
  return cells;
}

gdcert::job_options job_file(const gdcert::job_options& base, const std::string& prefix,
                             const std::string& suffix) {
  gdcert::job_options o = base;
  if (!prefix.empty())
    o.checkpoint = prefix + "." + suffix;
  return o;
}

/// The sampled map of family `f` from its pass/fail job (on every rank: the cells to verify
/// depend on it).
template <class Job>
void sample(family& f, const Job& job, const gdcert::job_options& options) {
  const auto start = std::chrono::steady_clock::now();
  const gdcert::job_run run = run_everywhere(job, options, true);
  f.map = job.assemble(run);
  f.sampled_row_seconds = run.seconds;
  f.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// The verification job of family `f`: `add(job, cell)` adds one cell. Runs it and assembles.
template <class Job, class Add>
void verify(family& f, Job& job, Add add, const gdcert::job_options& options, const world& w) {
  for (const std::size_t i : f.cells)
    add(job, i);
  const auto start = std::chrono::steady_clock::now();
  const gdcert::job_run run = run_everywhere(job, options, false);
  f.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (w.rank != 0)
    return;
  f.results = job.assemble(run);
  f.item_seconds = run.seconds;
}

void write_family(gdcert::examples::reproduction& run, const family& f,
                  const gdcert::provenance& origin, const std::string& title,
                  const std::string& subtitle) {
  std::vector<std::uint8_t> status = gdcert::examples::sampled_cells(f.map);
  std::vector<std::uint64_t> boxes(f.map.pairs(), 0);
  std::vector<double> seconds(f.map.pairs(), 0.0);
  for (std::size_t k = 0; k < f.cells.size(); ++k) {
    status[f.cells[k]] = gdcert::examples::verified_label(f.results[k]);
    boxes[f.cells[k]] = f.results[k].boxes;
    seconds[f.cells[k]] = f.results[k].seconds;
  }
  gdcert::provenance o = origin;
  o.parameter("map rows", f.map.row_name).parameter("map columns", f.map.column_name);
  o.parameter("codes", std::string("0 sampled fail, 1 sampled pass (not verified), 2 proved, 3 "
                                   "counterexample, 4 undecided"));
  const std::vector<std::size_t> shape{f.map.rows.size(), f.map.columns.size()};
  gdcert::write_npy(run.output_file("rigorous_map_" + f.name + "_status.npy"), status, shape, o);
  gdcert::write_npy(run.output_file("rigorous_map_" + f.name + "_boxes.npy"), boxes, shape, o);
  gdcert::write_npy(run.output_file("rigorous_map_" + f.name + "_seconds.npy"), seconds, shape, o);
  gdcert::examples::write_verified_map(run.output_file("rigorous_map_" + f.name + ".png"), f.map,
                                       status, title, subtitle, o);
}

std::string tally_text(const family& f) {
  using s = gdcert::rigorous_status;
  std::size_t boxes = 0;
  double seconds = 0;
  for (const auto& r : f.results) {
    boxes += r.boxes;
    seconds += r.seconds;
  }
  std::string out =
      format("%zu of %zu passing cells verified: %d proved, %d counterexample, %d undecided; "
             "%.3g boxes, %.1f thread-s",
             f.cells.size(), f.passing, f.count(s::proved), f.count(s::counterexample),
             f.count(s::undecided), double(boxes), seconds);
  for (std::size_t k = 0; k < f.cells.size(); ++k)
    if (f.results[k].status == s::undecided)
      out += format("; undecided at %s = %g, %s = %g: open boxes bounded by %.3g (%s)",
                    f.map.row_name.c_str(), f.map.rows[f.cells[k] / f.map.columns.size()],
                    f.map.column_name.c_str(), f.map.columns[f.cells[k] % f.map.columns.size()],
                    open_bound(f.results[k]), open_direction(f.results[k]).c_str());
  return out;
}

} // namespace

int main(int argc, char** argv) try {
#if GDCERT_WITH_MPI
  gdcert::mpi::environment mpi(argc, argv);
  const world w{gdcert::mpi::environment::rank(), gdcert::mpi::environment::size()};
#else
  const world w;
#endif
  if (w.rank != 0) // one report: rank 0's
    (void)std::freopen("/dev/null", "w", stdout);
  const auto start = std::chrono::steady_clock::now();
  gdcert::examples::reproduction run(
      "rigorous_map", "Apps L-M: every sampled passing cell proved or refuted exactly (MPI jobs)");
  double epsilon = 1e-3;
  std::size_t max_boxes = 20'000'000, stride = 0;
  std::string checkpoint = "";
  run.option("--epsilon", epsilon, "N_eps = {|grad R|_inf <= eps} is excluded around S");
  run.option("--max-boxes", max_boxes, "box budget per work item (root box of a cell)",
             std::size_t{1}, std::numeric_limits<std::size_t>::max());
  run.option("--stride", stride, "verify every K-th passing cell (0: every one)", std::size_t{0},
             std::numeric_limits<std::size_t>::max());
  int splits = 2;
  run.option("--initial-splits", splits,
             "each free coordinate of a face cut into 2^k root boxes (work items)", 0, 8);
  run.option("--checkpoint", checkpoint,
             "checkpoint prefix (files PREFIX.<job>); empty: OUTPUT/rigorous_map.checkpoint, "
             "'none': no checkpoint");
  run.parse(argc, argv);
  if (stride == 0)
    stride = 1;
  if (checkpoint.empty())
    checkpoint = (run.output() / "rigorous_map.checkpoint").string();
  if (checkpoint == "none")
    checkpoint.clear();
  gdcert::job_options options;
  options.threads = run.threads();
  gdcert::execution_policy policy = run.policy();
  policy.progress = false;
  gdcert::rigorous_options proof;
  proof.stationary_margin = epsilon;
  proof.max_boxes = max_boxes;
  proof.initial_splits = splits;

  // (L) The sampled App. L map, then its passing cells proved.
  family l;
  l.name = "L";
  const double sigma = 0.6, eta_l = 0.2;
  const gdcert::diagonal_approximation approximation(eta_l, sigma);
  const auto cube =
      gdcert::tabulate(gdcert::cube_boundary_directions(4, run.choose(41, 11)), policy);
  sample(l,
         gdcert::two_parameter_pass_fail_job(
             approximation, run.choose(gdcert::published_delta_axis(), gdcert::twentieths(10, 11)),
             run.choose(gdcert::published_xi_axis(sigma), gdcert::twentieths(10, 11)), cube, {},
             policy),
         job_file(options, checkpoint, "sampled_L"));
  l.cells = select_cells(l.map, stride, l.passing);
  // Largest δ first: the cost grows towards δ = 2 (docs/jobs.md, "Cell costs"), and a schedule
  // that starts the long items first ends sooner (the order changes no result).
  std::stable_sort(l.cells.begin(), l.cells.end(), [&](std::size_t x, std::size_t y) {
    return x / l.map.columns.size() > y / l.map.columns.size();
  });
  const gdcert::two_parameter_certificate<> two_parameter(approximation);
  using level_l = decltype(gdcert::certificate_level(two_parameter, 1.0, 1.0));
  gdcert::verification_job<gdcert::diagonal_approximation, level_l> job_l(proof);
  verify(
      l, job_l,
      [&](auto& job, std::size_t i) {
        const double delta = l.map.rows[i / l.map.columns.size()];
        const double xi = l.map.columns[i % l.map.columns.size()];
        job.add(format("App. L sigma = %s, delta = %s, xi = %s",
                       gdcert::detail::to_text(sigma).c_str(),
                       gdcert::detail::to_text(delta).c_str(), gdcert::detail::to_text(xi).c_str()),
                approximation, gdcert::certificate_level(two_parameter, delta, xi));
      },
      job_file(options, checkpoint, "verify_L"), w);

  // (M) The sampled App. M map (quartic, μ = 1/16), then its passing cells proved.
  family m;
  m.name = "M";
  const double mu = 1.0 / 16;
  const auto square =
      gdcert::tabulate(gdcert::cube_boundary_directions(2, run.choose(2001, 201)), policy);
  sample(m,
         gdcert::quartic_pass_fail_job(
             mu, run.choose(gdcert::published_delta_axis(), gdcert::twentieths(8, 9)),
             gdcert::published_delta_axis(), square, {}, policy),
         job_file(options, checkpoint, "sampled_M"));
  m.cells = select_cells(m.map, stride, m.passing);
  using level_m =
      decltype(gdcert::certificate_level(std::declval<gdcert::scalar_certificate>(), 1.0));
  gdcert::verification_job<gdcert::quartic_factorization, level_m> job_m(proof);
  verify(
      m, job_m,
      [&](auto& job, std::size_t i) {
        const double eta = m.map.rows[i / m.map.columns.size()];
        const double delta = m.map.columns[i % m.map.columns.size()];
        const gdcert::scalar_certificate scalar{gdcert::scalar_factorization(eta)};
        job.add(format("App. M quartic mu = 1/16, eta = %s, delta = %s",
                       gdcert::detail::to_text(eta).c_str(),
                       gdcert::detail::to_text(delta).c_str()),
                gdcert::quartic_factorization(eta, mu), gdcert::certificate_level(scalar, delta));
      },
      job_file(options, checkpoint, "verify_M"), w);
  if (w.rank != 0)
    return 0;

  // Outputs: the maps, the cells, the item costs and the predicted times.
  gdcert::provenance origin = run.origin();
  origin.parameter("epsilon", epsilon)
      .parameter("max boxes per item", static_cast<double>(max_boxes))
      .parameter("stride", stride)
      .parameter("ranks", w.size)
      .parameter("threads per rank", options.threads);
  write_family(
      run, l, origin, "App. L, σ = 0.6, η = 0.2: every verified passing cell",
      format("%zu⁴ directions; δ to the right, ξ upwards", std::size_t(run.choose(41, 11))));
  write_family(
      run, m, origin, "App. M, quartic μ = 1/16: every verified passing cell",
      format("%zu points per edge; δ to the right, η upwards", std::size_t(run.choose(2001, 201))));
  {
    std::vector<std::string> name, status, open;
    std::vector<double> row, column, seconds, bound, violation, open_bounds;
    std::vector<std::size_t> boxes, items;
    std::vector<int> depth;
    for (const family* f : {&l, &m})
      for (std::size_t k = 0; k < f->cells.size(); ++k) {
        const auto& r = f->results[k];
        name.push_back(f->name);
        row.push_back(f->map.rows[f->cells[k] / f->map.columns.size()]);
        column.push_back(f->map.columns[f->cells[k] % f->map.columns.size()]);
        status.push_back(gdcert::to_string(r.status));
        boxes.push_back(r.boxes);
        depth.push_back(r.max_depth);
        seconds.push_back(r.seconds);
        bound.push_back(r.certified_bound);
        violation.push_back(r.counterexample ? static_cast<double>(r.counterexample->image_value)
                                             : std::nan(""));
        open_bounds.push_back(open_bound(r));
        open.push_back(open_direction(r));
      }
    gdcert::csv_table table;
    table.add_column("family", name)
        .add_column("row", row)
        .add_column("column", column)
        .add_column("status", status)
        .add_column("boxes", boxes)
        .add_column("max_depth", depth)
        .add_column("thread_seconds", seconds)
        .add_column("certified_bound", bound)
        .add_column("exact_violation", violation)
        .add_column("open_bound", open_bounds)
        .add_column("open_box", open);
    gdcert::provenance o = origin;
    o.parameter("row", std::string("delta (L) or eta (M)"))
        .parameter("column", std::string("xi (L) or delta (M)"));
    gdcert::write_csv(run.output_file("rigorous_map_cells.csv"), table, o);
  }
  std::vector<double> items = l.item_seconds;
  items.insert(items.end(), m.item_seconds.begin(), m.item_seconds.end());
  gdcert::write_npy(run.output_file("rigorous_map_items.npy"), items, origin);

  // The model: setup (direction tables, verifiers, outputs: every rank does it) plus, per job,
  // the makespan of its measured item costs on ranks × threads cores.
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double jobs_wall = l.seconds + m.seconds;
  const double setup = std::max(0.0, wall - jobs_wall);
  auto predict = [&](std::size_t cores) {
    return setup + makespan(l.sampled_row_seconds, cores) + makespan(l.item_seconds, cores) +
           makespan(m.sampled_row_seconds, cores) + makespan(m.item_seconds, cores);
  };
  // With --stride K each verified cell stands for the K passing cells around it: its items'
  // costs are repeated passing/verified times (an extrapolation, stated as such).
  auto repeated = [](const family& f) {
    std::vector<double> out;
    if (f.cells.empty())
      return out;
    const auto copies =
        static_cast<std::size_t>(std::llround(double(f.passing) / double(f.cells.size())));
    for (std::size_t k = 0; k < copies; ++k)
      out.insert(out.end(), f.item_seconds.begin(), f.item_seconds.end());
    return out;
  };
  const std::vector<double> l_all = repeated(l), m_all = repeated(m);
  auto predict_all = [&](std::size_t cores) {
    return setup + makespan(l.sampled_row_seconds, cores) + makespan(l_all, cores) +
           makespan(m.sampled_row_seconds, cores) + makespan(m_all, cores);
  };
  const std::size_t cores_here =
      static_cast<std::size_t>(w.size) * gdcert::detail::job_threads(options.threads, w.size);
  {
    std::vector<double> ranks, predicted, speedup, predicted_all;
    for (const std::size_t p : {std::size_t{1}, std::size_t{2}, std::size_t{4}, std::size_t{16},
                                std::size_t{64}, std::size_t{256}}) {
      ranks.push_back(static_cast<double>(p));
      predicted.push_back(predict(p));
      speedup.push_back(predict(1) / predict(p));
      predicted_all.push_back(predict_all(p));
    }
    gdcert::csv_table table;
    table.add_column("ranks_of_one_core", ranks)
        .add_column("predicted_seconds", predicted)
        .add_column("speedup", speedup)
        .add_column("predicted_seconds_every_passing_cell", predicted_all);
    gdcert::provenance o = origin;
    o.parameter("model", std::string("setup + sum over jobs of the greedy list-scheduling makespan "
                                     "of the measured item costs, items in job order"))
        .parameter("setup seconds", setup)
        .parameter("measured wall seconds", wall);
    gdcert::write_csv(run.output_file("rigorous_map_prediction.csv"), table, o);
    std::printf("\nitem costs: %zu items, %.1f thread-s in all, largest %.2f s\n", items.size(),
                std::accumulate(items.begin(), items.end(), 0.0),
                items.empty() ? 0.0 : *std::max_element(items.begin(), items.end()));
    std::printf("this run: %d rank(s) x %zu thread(s): %.1f s measured, %.1f s predicted by the "
                "model (setup %.1f s)\n",
                w.size, cores_here / static_cast<std::size_t>(w.size), wall, predict(cores_here),
                setup);
    for (std::size_t k = 0; k < ranks.size(); ++k)
      std::printf("predicted on %4.0f ranks: %10.1f s (speed-up %.1f); every passing cell "
                  "(extrapolated): %10.1f s\n",
                  ranks[k], predicted[k], speedup[k], predicted_all[k]);
  }

  // Verdicts.
  for (const family* f : {&l, &m}) {
    bool exact = true;
    for (const auto& r : f->results)
      if (r.counterexample)
        exact = exact && r.counterexample->exact_check;
    run.verdict(!f->cells.empty() && exact && f->count(gdcert::rigorous_status::undecided) == 0,
                (f->name == "L" ? std::string("Fig. 7 / App. L, sigma = 0.6, eta = 0.2")
                                : std::string("Figs 9-10 / App. M, mu = 1/16")) +
                    ": every verified sampled-pass cell is proved or refuted exactly, outside "
                    "N_eps",
                tally_text(*f));
  }
  return run.finish();
} catch (const std::exception& e) {
  // A refused checkpoint (another job's, or damaged), an unwritable output or a bad option: one
  // line on every rank (under MPI the error is raised on all of them), exit status 1.
  std::fprintf(stderr, "FAIL: rigorous_map stopped: %s\n", e.what());
  return 1;
}
