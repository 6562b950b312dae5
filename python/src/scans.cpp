// The one-step boundary-inward scans and pass/fail maps of Apps L-M (analysis/boundary_scan.hpp)
// and box counting of basin boundaries (analysis/box_counting.hpp; docs/formulas.md §8).
#include "common.hpp"

#include <gdcert/analysis/boundary_scan.hpp>
#include <gdcert/analysis/box_counting.hpp>
#include <gdcert/problems/diagonal_approximation.hpp>
#include <gdcert/problems/quartic.hpp>
#include <gdcert/problems/rank1_approximation.hpp>
#include <gdcert/problems/rank1_factorization.hpp>
#include <gdcert/problems/scalar.hpp>
#include <gdcert/problems/scalar_vector.hpp>

namespace gdcert::python {
namespace {

py::array_t<double> table_to_array(const direction_table& t) {
  py::array_t<double> out({t.rows(), t.cols()});
  for (Eigen::Index i = 0; i < t.rows(); ++i)
    for (Eigen::Index j = 0; j < t.cols(); ++j)
      out.mutable_at(i, j) = t(i, j);
  return out;
}

template <class T>
py::array_t<T> copy_of(const std::vector<T>& v, std::vector<py::ssize_t> shape) {
  py::array_t<T> out(shape);
  std::memcpy(out.mutable_data(), v.data(), v.size() * sizeof(T));
  return out;
}

std::vector<double> axis_from(const py::object& values, const char* name) {
  const array a = values.cast<array>();
  if (a.ndim() != 1)
    throw invalid_parameter(std::string(name) + " number of axes", std::to_string(a.ndim()), "1");
  return {a.data(), a.data() + a.shape(0)};
}

/// Options of the pass/fail maps: the tolerance on the published scale of Apps L-M.
boundary_scan_options scan_options(double tolerance, bool early_exit) {
  boundary_scan_options o;
  o.tolerance = require_finite("tolerance", tolerance);
  o.units = tolerance_units::published;
  o.early_exit = early_exit;
  return o;
}

template <class P>
py::dict scan_direct(const P& p, const array& form, const array& directions, double tolerance,
                     unsigned threads, bool progress) {
  const Eigen::MatrixXd matrix = matrix_from(form, "certificate matrix P");
  const direction_table table = matrix_from(directions, "directions");
  boundary_scan_options o;
  o.units = tolerance_units::normalized;
  o.tolerance = require_finite("tolerance", tolerance);
  const boundary_scan_result r =
      run_interruptible(policy_from(threads, progress), [&](const execution_policy& policy) {
        return boundary_scan_direct(p, matrix, table, o, policy);
      });
  py::dict out;
  out["worst"] = r.worst;
  out["tolerance"] = r.tolerance;
  out["passed"] = r.passed;
  out["worst_index"] = r.worst_index;
  out["scanned"] = r.scanned;
  out["direction"] = to_array(r.direction);
  out["point"] = to_array(r.point);
  out["image"] = to_array(r.image);
  return out;
}

template <class P>
void bind_scan(py::module_& m) {
  m.def("boundary_scan", &scan_direct<P>, py::arg("problem"), py::arg("P"), py::arg("directions"),
        py::arg("tolerance") = 1e-4, py::arg("threads") = 0, py::arg("progress") = true,
        "The one-step boundary-inward test of the quadratic certificate xᵀPx − 1: the largest "
        "post-step value over the level set points x = d/√(dᵀPd) of the directions (n, N) "
        "(docs/formulas.md §8); passes when it is <= tolerance.");
}

py::dict box_counting_dict(const box_counting_result& r) {
  py::dict out;
  out["dimension"] = r.dimension;
  out["standard_error"] = r.standard_error;
  out["intercept"] = r.intercept;
  out["mean_dimension"] = r.mean_dimension;
  out["mean_standard_error"] = r.mean_standard_error;
  out["window"] = py::make_tuple(r.window.smallest, r.window.largest);
  out["fitted_rows"] = py::make_tuple(r.first, r.last);
  const auto n = static_cast<py::ssize_t>(r.table.size());
  py::array_t<double> size(n), mean(n);
  py::array_t<std::uint64_t> boxes(n);
  for (py::ssize_t i = 0; i < n; ++i) {
    size.mutable_data()[i] = r.table[std::size_t(i)].size;
    boxes.mutable_data()[i] = r.table[std::size_t(i)].boxes;
    mean.mutable_data()[i] = r.table[std::size_t(i)].mean_boxes;
  }
  out["box_sizes"] = size;
  out["boxes"] = boxes;
  out["mean_boxes"] = mean;
  out["extent"] = r.extent;
  out["points"] = r.points;
  return out;
}

box_counting_parameters counting_parameters(double ladder_ratio, int grid_offsets,
                                            std::optional<double> resolution,
                                            double smallest_in_resolutions, double largest_fraction,
                                            double min_occupancy,
                                            std::optional<std::pair<double, double>> window) {
  box_counting_parameters b;
  b.ladder_ratio = ladder_ratio;
  b.grid_offsets = grid_offsets;
  b.resolution = resolution;
  b.smallest_in_resolutions = smallest_in_resolutions;
  b.largest_fraction = largest_fraction;
  b.min_occupancy = min_occupancy;
  if (window)
    b.window = fit_window{window->first, window->second};
  return b;
}

#define GDCERT_BOX_COUNTING_ARGUMENTS                                                              \
  py::arg("ladder_ratio") = 2.0, py::arg("grid_offsets") = 8, py::arg("resolution") = py::none(),  \
  py::arg("smallest_in_resolutions") = 4.0, py::arg("largest_fraction") = 0.0625,                  \
  py::arg("min_occupancy") = 8.0, py::arg("window") = py::none()

} // namespace

void bind_scans(py::module_& m) {
  m.def(
      "cube_boundary_directions",
      [](int dimension, int points_per_edge, unsigned threads) {
        return table_to_array(tabulate(cube_boundary_directions(dimension, points_per_edge),
                                       policy_from(threads, false)));
      },
      py::arg("dimension"), py::arg("points_per_edge"), py::arg("threads") = 0,
      "The grid points on the boundary of [−1, 1]^n, one per column (n, N): the published "
      "direction set of Apps L-M is (4, 41).");
  m.def(
      "sphere_directions",
      [](int dimension, std::size_t count, std::uint64_t seed, unsigned threads) {
        return table_to_array(
            tabulate(sphere_directions(dimension, count, seed), policy_from(threads, false)));
      },
      py::arg("dimension"), py::arg("count"), py::arg("seed") = 1, py::arg("threads") = 0,
      "`count` uniform directions on the unit sphere of ℝ^n, one per column.");
  m.def("published_delta_axis", &published_delta_axis, "δ = 1/20, …, 39/20 (Apps L-M).");
  m.def("published_xi_axis", &published_xi_axis, py::arg("sigma"),
        "ξ = 1/20, 2/20, … below min(6, 2/σ) (App. L).");

  bind_scan<rank1_factorization>(m);
  bind_scan<diagonal_approximation>(m);
  bind_scan<scalar_factorization>(m);
  bind_scan<quartic_factorization>(m);

  py::class_<pass_fail_map>(m, "PassFailMap",
                            "Pass/fail map of a certificate family over a parameter grid "
                            "(rows × columns): δ × ξ (App. L) or η × δ (App. M).")
      .def_readonly("row_name", &pass_fail_map::row_name)
      .def_readonly("column_name", &pass_fail_map::column_name)
      .def_property_readonly("rows",
                             [](const pass_fail_map& p) {
                               return copy_of(p.rows, {static_cast<py::ssize_t>(p.rows.size())});
                             })
      .def_property_readonly("columns",
                             [](const pass_fail_map& p) {
                               return copy_of(p.columns,
                                              {static_cast<py::ssize_t>(p.columns.size())});
                             })
      .def_property_readonly(
          "shape",
          [](const pass_fail_map& p) { return py::make_tuple(p.rows.size(), p.columns.size()); })
      .def_property_readonly(
          "passed",
          [](const pass_fail_map& p) {
            py::array_t<bool> out({static_cast<py::ssize_t>(p.rows.size()),
                                   static_cast<py::ssize_t>(p.columns.size())});
            for (std::size_t i = 0; i < p.passed.size(); ++i)
              out.mutable_data()[i] = p.passed[i] != 0;
            return out;
          },
          "True where the sampled scan passes: worst <= tolerance.")
      .def_property_readonly(
          "worst",
          [](const pass_fail_map& p) {
            return copy_of(p.worst, {static_cast<py::ssize_t>(p.rows.size()),
                                     static_cast<py::ssize_t>(p.columns.size())});
          },
          "The worst post-step value I(GD(x)) on the level set, normal form (29, 30).")
      .def_property_readonly("tolerance",
                             [](const pass_fail_map& p) {
                               return copy_of(p.tolerance,
                                              {static_cast<py::ssize_t>(p.rows.size()),
                                               static_cast<py::ssize_t>(p.columns.size())});
                             })
      .def_readonly("directions", &pass_fail_map::directions)
      .def(
          "empirical_thresholds",
          [](const pass_fail_map& p) {
            py::list out;
            for (const threshold_estimate& e : empirical_thresholds(p))
              out.append(py::make_tuple(e.eta, e.threshold, e.upper_band));
            return out;
          },
          "App. M: per η row, (η, smallest passing δ, whether the passing δ reach the top).")
      .def(
          "empirical_threshold", [](const pass_fail_map& p) { return empirical_threshold(p); },
          "App. L: the smallest δ row with a passing ξ (NaN if none).");

  m.def(
      "two_parameter_pass_fail_map",
      [](const diagonal_approximation& problem, const py::object& deltas, const py::object& xis,
         const array& directions, double tolerance, bool early_exit, unsigned threads,
         bool progress) {
        const std::vector<double> d =
            deltas.is_none() ? published_delta_axis() : axis_from(deltas, "deltas");
        const std::vector<double> k =
            xis.is_none() ? published_xi_axis(problem.sigma()) : axis_from(xis, "xis");
        const direction_table table = matrix_from(directions, "directions");
        pass_fail_options o;
        o.scan = scan_options(tolerance, early_exit);
        return run_interruptible(
            policy_from(threads, progress), [&](const execution_policy& policy) {
              return two_parameter_pass_fail_map(problem, d, k, table, o, policy);
            });
      },
      py::arg("problem"), py::arg("deltas") = py::none(), py::arg("xis") = py::none(),
      py::kw_only(), py::arg("directions"), py::arg("tolerance") = 1e-4,
      py::arg("early_exit") = true, py::arg("threads") = 0, py::arg("progress") = true,
      "Figures 7-8 / App. L: I(δ, ξ; ·) (30) passes the one-step boundary test on the sampled "
      "directions (4, N). deltas/xis default to the published axes.");
  m.def(
      "step_size_pass_fail_map",
      [](double mu, const array& etas, const array& deltas, const array& directions,
         double tolerance, bool early_exit, unsigned threads, bool progress) {
        const std::vector<double> e = axis_from(etas, "etas"), d = axis_from(deltas, "deltas");
        const direction_table table = matrix_from(directions, "directions");
        pass_fail_options o;
        o.scan = scan_options(tolerance, early_exit);
        return run_interruptible(
            policy_from(threads, progress), [&](const execution_policy& policy) {
              if (mu == 0)
                return step_size_pass_fail_map([](double eta) { return scalar_factorization(eta); },
                                               e, d, table, o, policy);
              return quartic_pass_fail_map(mu, e, d, table, o, policy);
            });
      },
      py::arg("mu"), py::arg("etas"), py::arg("deltas"), py::kw_only(), py::arg("directions"),
      py::arg("tolerance") = 1e-4, py::arg("early_exit") = true, py::arg("threads") = 0,
      py::arg("progress") = true,
      "Figures 9-10 / App. M: the scalar certificate I_sc(δ) under the quartic loss of weight mu "
      "(mu = 0: the scalar problem) over η (rows) × δ (columns); directions (2, N).");

  m.def(
      "box_counting",
      [](const array& points, double ladder_ratio, int grid_offsets,
         std::optional<double> resolution, double smallest_in_resolutions, double largest_fraction,
         double min_occupancy, std::optional<std::pair<double, double>> window) {
        if (points.ndim() != 2 || points.shape(1) != 2)
          throw invalid_parameter("points shape",
                                  points.ndim() == 2
                                      ? "(N, " + std::to_string(points.shape(1)) + ")"
                                      : std::to_string(points.ndim()) + " axes",
                                  "(N, 2)");
        std::vector<point2> p(static_cast<std::size_t>(points.shape(0)));
        for (std::size_t i = 0; i < p.size(); ++i) {
          p[i] = {points.data()[2 * i], points.data()[2 * i + 1]};
          if (!std::isfinite(p[i][0]) || !std::isfinite(p[i][1]))
            throw invalid_parameter("points[" + std::to_string(i) + "]", "non-finite",
                                    "finite coordinates");
        }
        box_counting_result r;
        {
          py::gil_scoped_release release;
          r = box_counting(p, counting_parameters(ladder_ratio, grid_offsets, resolution,
                                                  smallest_in_resolutions, largest_fraction,
                                                  min_occupancy, window));
        }
        return box_counting_dict(r);
      },
      py::arg("points"), GDCERT_BOX_COUNTING_ARGUMENTS,
      "Box-counting dimension of a planar point set (N, 2): a least-squares slope of log N(ε) "
      "against log 1/ε over a ladder of box sizes (LM App. H).");
  m.def(
      "box_counting_boundary",
      [](const py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>& labels,
         double ladder_ratio, int grid_offsets, std::optional<double> resolution,
         double smallest_in_resolutions, double largest_fraction, double min_occupancy,
         std::optional<std::pair<double, double>> window) {
        if (labels.ndim() != 2)
          throw invalid_parameter("labels number of axes", std::to_string(labels.ndim()),
                                  "2 (rows, columns)");
        const std::span<const std::uint8_t> l(labels.data(), std::size_t(labels.size()));
        box_counting_result r;
        {
          py::gil_scoped_release release;
          r = box_counting_boundary(l, int(labels.shape(1)), int(labels.shape(0)),
                                    counting_parameters(ladder_ratio, grid_offsets, resolution,
                                                        smallest_in_resolutions, largest_fraction,
                                                        min_occupancy, window));
        }
        return box_counting_dict(r);
      },
      py::arg("labels"), GDCERT_BOX_COUNTING_ARGUMENTS,
      "Box-counting dimension of the boundary between labels of a (rows, columns) label map, in "
      "pixel units.");
}

} // namespace gdcert::python
