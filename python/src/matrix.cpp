// The matrix problems: matrix sensing and matrix completion (docs/formulas.md §11-12) with their
// trajectories and classify, the states of all three matrix problems as their two factors, the
// Hessian-vector product, and the sharpness by a chosen route with the Hessian's top eigenpairs by
// Lanczos (stability/hessian_spectrum.hpp).
#include "common.hpp"
#include "factor_states.hpp"
#include "problem_binding.hpp"
#include "problem_list.hpp"
#include "trajectory_binding.hpp"

#include <gdcert/analysis/iterate.hpp>
#include <gdcert/problems/matrix_completion.hpp>
#include <gdcert/problems/matrix_factorization.hpp>
#include <gdcert/problems/matrix_sensing.hpp>
#include <gdcert/stability/hessian_spectrum.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gdcert::python {
namespace {

/// A matrix → a (rows, columns) NumPy array (copy).
py::array_t<double> matrix_to_array(const matrix<double>& x) {
  py::array_t<double> out({x.rows(), x.cols()});
  for (Eigen::Index i = 0; i < x.rows(); ++i)
    for (Eigen::Index j = 0; j < x.cols(); ++j)
      out.mutable_at(i, j) = x(i, j);
  return out;
}

/// The names of the two factors of P's state, as the C++ state names them.
template <class P>
std::array<std::string, 2> factor_names() {
  if constexpr (ab_factor_state<typename P::template state<double>>)
    return {"A", "B"};
  else
    return {"X", "Y"};
}

/// "X[i,j]" … then "Y[i,j]" …, column-major (the coordinate order).
template <class P>
std::vector<std::string> factor_coordinate_names(const P& p) {
  const auto shape = factor_shape(p);
  const Eigen::Index rows1 = shape[0], rows2 = shape[1], r = shape[2];
  const auto names = factor_names<P>();
  std::vector<std::string> out;
  for (int f = 0; f < 2; ++f)
    for (Eigen::Index j = 0; j < r; ++j)
      for (Eigen::Index i = 0; i < (f == 0 ? rows1 : rows2); ++i)
        out.push_back(names[f] + "[" + std::to_string(i) + "," + std::to_string(j) + "]");
  return out;
}

/// The flat state(s) of two factors: (rows1, r) and (rows2, r) arrays give a (d,) state, stacks
/// (N, rows1, r) and (N, rows2, r) an (N, d) array; vec of the first factor, then of the second.
template <class P>
py::array_t<double> state_from_factors(const P& p, const array& first, const array& second) {
  const auto shape = factor_shape(p);
  const Eigen::Index rows1 = shape[0], rows2 = shape[1], r = shape[2];
  const auto names = factor_names<P>();
  const std::array<const array*, 2> factors{&first, &second};
  const std::array<Eigen::Index, 2> rows{rows1, rows2};
  const py::ssize_t axes = first.ndim();
  for (int f = 0; f < 2; ++f) {
    const array& a = *factors[static_cast<std::size_t>(f)];
    const std::string name = names[static_cast<std::size_t>(f)];
    if (a.ndim() != 2 && a.ndim() != 3)
      throw invalid_parameter(name + " number of axes", std::to_string(a.ndim()),
                              "2 (one factor (rows, r)) or 3 (a stack (N, rows, r))");
    if (a.ndim() != axes)
      throw invalid_parameter(name + " number of axes", std::to_string(a.ndim()),
                              "that of " + names[0] + ", " + std::to_string(axes));
    require_dimension(name + " rows", a.shape(axes - 2), rows[static_cast<std::size_t>(f)]);
    require_dimension(name + " columns (rank r)", a.shape(axes - 1), r);
  }
  const py::ssize_t count = axes == 3 ? first.shape(0) : 1;
  if (axes == 3)
    require_dimension(names[1] + " stack size N", second.shape(0), count);
  const auto d = static_cast<py::ssize_t>(p.dimension());
  py::array_t<double> out = axes == 3 ? py::array_t<double>({count, d}) : py::array_t<double>(d);
  double* o = out.mutable_data();
  for (py::ssize_t k = 0; k < count; ++k) {
    double* state = o + k * d;
    for (int f = 0; f < 2; ++f) {
      const array& a = *factors[static_cast<std::size_t>(f)];
      const Eigen::Index n = rows[static_cast<std::size_t>(f)];
      const double* in = a.data() + k * n * r; // row-major (n, r) block
      double* block = state + (f == 0 ? 0 : rows1 * r);
      for (Eigen::Index j = 0; j < r; ++j)
        for (Eigen::Index i = 0; i < n; ++i)
          block[i + n * j] = in[i * r + j];
    }
  }
  return out;
}

/// The two factors of a (d,) state or of each row of an (N, d) stack: ((rows1, r), (rows2, r)) or
/// ((N, rows1, r), (N, rows2, r)) arrays.
template <class P>
py::tuple factors_from_state(const P& p, const array& x) {
  const auto shape = factor_shape(p);
  const Eigen::Index rows1 = shape[0], rows2 = shape[1], r = shape[2];
  const auto d = static_cast<Eigen::Index>(p.dimension());
  if (x.ndim() == 1)
    require_dimension("x state dimension", x.shape(0), d);
  else if (x.ndim() == 2)
    require_dimension("x state dimension (columns)", x.shape(1), d);
  else
    throw invalid_parameter("x number of axes", std::to_string(x.ndim()),
                            "1 (one state of shape (d,)) or 2 (states of shape (N, d))");
  const bool single = x.ndim() == 1;
  const py::ssize_t count = single ? 1 : x.shape(0);
  auto factor = [&](Eigen::Index rows, Eigen::Index offset) {
    std::vector<py::ssize_t> shape;
    if (!single)
      shape.push_back(count);
    shape.push_back(rows);
    shape.push_back(r);
    py::array_t<double> out(shape);
    double* o = out.mutable_data();
    for (py::ssize_t k = 0; k < count; ++k) {
      const double* state = x.data() + k * d + offset;
      for (Eigen::Index i = 0; i < rows; ++i)
        for (Eigen::Index j = 0; j < r; ++j)
          o[k * rows * r + i * r + j] = state[i + rows * j];
    }
    return out;
  };
  return py::make_tuple(factor(rows1, 0), factor(rows2, rows1 * r));
}

/// ∇²R(x)·v for each pair of rows of x and v (both (d,) or both (N, d)).
template <class P>
py::object hessian_vector_products(const P& p, const array& x, const array& v) {
  const states_view states = view_states(x, p.dimension());
  const states_view directions = view_states(v, p.dimension(), "v");
  if (states.single != directions.single || states.count != directions.count)
    throw invalid_parameter(
        "v shape", directions.single ? "(d,)" : std::to_string(directions.count) + " rows",
        states.single ? "(d,), as x" : std::to_string(states.count) + " rows, as x");
  const auto d = static_cast<std::size_t>(p.dimension());
  py::array_t<double> out(result_shape(states, p.dimension()));
  double* o = out.mutable_data();
  {
    py::gil_scoped_release release;
    for (std::size_t i = 0; i < states.count; ++i) {
      const vector<double> hv =
          gdcert::hessian_vector_product(p, state_at(p, states, i), coordinates_of(directions, i));
      std::memcpy(o + i * d, hv.data(), d * sizeof(double));
    }
  }
  return out;
}

/// The members of the three matrix problems: factor_shapes, state, factors and
/// hessian_vector_product.
template <class P>
void bind_factor_members(py::class_<P>& c) {
  const auto names = factor_names<P>();
  c.def_property_readonly(
       "factor_shapes",
       [](const P& p) {
         const auto shape = factor_shape(p);
         return py::make_tuple(py::make_tuple(shape[0], shape[2]),
                               py::make_tuple(shape[1], shape[2]));
       },
       ("The shapes ((rows, r), (rows, r)) of the two factors (" + names[0] + ", " + names[1] +
        ") of a state.")
           .c_str())
      .def("state", &state_from_factors<P>, py::arg(names[0].c_str()), py::arg(names[1].c_str()),
           ("The flat state (d,) of the factors " + names[0] + ", " + names[1] +
            " (shapes factor_shapes; vec column-major, " + names[0] +
            " first), or the (N, d) "
            "states of stacks (N, rows, r).")
               .c_str())
      .def("factors", &factors_from_state<P>, py::arg("x"),
           ("The factors (" + names[0] + ", " + names[1] +
            ") of a state (d,) as arrays of factor_shapes, or of each row of (N, d) as stacks "
            "(N, rows, r); the inverse of state.")
               .c_str())
      .def("hessian_vector_product", &hessian_vector_products<P>, py::arg("x"), py::arg("v"),
           "∇²R(x)·v without forming the Hessian (the problem's own product): x and v both (d,), "
           "or both (N, d) row by row.");
}

/// Reads the measurements of MatrixSensing: an (m, n1, n2) array or a sequence of (n1, n2)
/// matrices.
std::vector<matrix<double>> measurements_from(const py::object& a) {
  std::vector<matrix<double>> out;
  if (py::isinstance<py::array>(a)) {
    const array stacked = py::cast<array>(a);
    if (stacked.ndim() != 3)
      throw invalid_parameter("measurements A number of axes", std::to_string(stacked.ndim()),
                              "3 (an (m, n1, n2) array), or a list of (n1, n2) matrices");
    const py::ssize_t rows = stacked.shape(1), columns = stacked.shape(2);
    for (py::ssize_t i = 0; i < stacked.shape(0); ++i) {
      matrix<double> m(rows, columns);
      const double* in = stacked.data() + i * rows * columns;
      for (py::ssize_t j = 0; j < rows; ++j)
        for (py::ssize_t k = 0; k < columns; ++k)
          m(j, k) = in[j * columns + k];
      out.push_back(std::move(m));
    }
    return out;
  }
  std::size_t i = 0;
  for (const py::handle item : py::iter(a)) {
    const std::string name = "measurement A_" + std::to_string(i++);
    out.push_back(matrix_from(py::cast<array>(item), name.c_str()));
  }
  return out;
}

/// A 1-D float64 array as a vector (copy); `name` for the error.
vector<double> vector_from(const array& a, const std::string& name) {
  if (a.ndim() != 1)
    throw invalid_parameter(name + " number of axes", std::to_string(a.ndim()), "1");
  return Eigen::Map<const vector<double>>(a.data(), a.shape(0));
}

matrix_completion::mask_type
mask_from(const py::array_t<bool, py::array::c_style | py::array::forcecast>& a) {
  if (a.ndim() != 2)
    throw invalid_parameter("mask number of axes", std::to_string(a.ndim()),
                            "2 (a boolean matrix of the target's shape)");
  matrix_completion::mask_type mask(a.shape(0), a.shape(1));
  for (py::ssize_t i = 0; i < a.shape(0); ++i)
    for (py::ssize_t j = 0; j < a.shape(1); ++j)
      mask(i, j) = *a.data(i, j);
  return mask;
}

py::object optional_float(const std::optional<double>& value) {
  return value ? py::object(py::float_(*value)) : py::object(py::none());
}

void bind_sensing(py::module_& m) {
  py::class_<matrix_sensing> c(m, "MatrixSensing");
  c.def(py::init([](double eta, const py::object& measurements, const array& b, Eigen::Index r) {
          return matrix_sensing(eta, measurements_from(measurements),
                                vector_from(b, "observations b"), r);
        }),
        py::arg("eta"), py::arg("A"), py::arg("b"), py::arg("r"),
        "From measurements A (an (m, n1, n2) array or a list of m (n1, n2) matrices), "
        "observations b (m,) and the rank r; minimum_loss is then None.")
      .def_static(
          "gaussian",
          [](double eta, Eigen::Index n1, Eigen::Index n2, Eigen::Index r, Eigen::Index count,
             std::uint64_t seed, const std::string& observations) {
            if (observations == "uniform")
              return matrix_sensing::gaussian(eta, n1, n2, r, count, seed,
                                              matrix_sensing::observations::uniform);
            if (observations == "planted")
              return matrix_sensing::gaussian(eta, n1, n2, r, count, seed,
                                              matrix_sensing::observations::planted);
            throw invalid_parameter("observations", "'" + observations + "'",
                                    "'uniform', 'planted' or an array b of m observations");
          },
          py::arg("eta"), py::arg("n1"), py::arg("n2"), py::arg("r"), py::arg("m"), py::arg("seed"),
          py::arg("observations") = "uniform",
          "An instance drawn from `seed` (docs/formulas.md §11): m measurements with i.i.d. "
          "standard Gaussian entries, and b uniform on (0, 1) ('uniform', [W App. A.2]), planted "
          "as b_i = <A_i, UVᵀ> ('planted': minimum_loss 0, planted_factors (U, V)), or the "
          "given array b (m,).")
      .def_static(
          "gaussian",
          [](double eta, Eigen::Index n1, Eigen::Index n2, Eigen::Index r, Eigen::Index count,
             std::uint64_t seed, const array& observations) {
            return matrix_sensing::gaussian(eta, n1, n2, r, count, seed,
                                            vector_from(observations, "observations b"));
          },
          py::arg("eta"), py::arg("n1"), py::arg("n2"), py::arg("r"), py::arg("m"), py::arg("seed"),
          py::arg("observations"))
      .def_static("wang_figure13", &matrix_sensing::wang_figure13, py::arg("eta"), py::arg("seed"),
                  "[W App. A.2], Figure 13: 10 Gaussian measurements 100 × 100, b uniform, r = 6.")
      .def_property_readonly("n1", &matrix_sensing::rows, "Rows of each A_i and of XYᵀ.")
      .def_property_readonly("n2", &matrix_sensing::columns, "Columns of each A_i and of XYᵀ.")
      .def_property_readonly("r", &matrix_sensing::rank, "Rank r of the factors X, Y.")
      .def_property_readonly("m", &matrix_sensing::measurement_count, "Number of measurements.")
      .def_property_readonly(
          "measurements",
          [](const matrix_sensing& p) {
            const Eigen::Index n1 = p.rows(), n2 = p.columns(), count = p.measurement_count();
            py::array_t<double> out({count, n1, n2});
            double* o = out.mutable_data();
            const matrix<double>& stacked = p.stacked_measurements();
            for (Eigen::Index i = 0; i < count; ++i)
              for (Eigen::Index j = 0; j < n1; ++j)
                for (Eigen::Index k = 0; k < n2; ++k)
                  o[(i * n1 + j) * n2 + k] = stacked(j + n1 * k, i);
            return out;
          },
          "The measurements A_i as an (m, n1, n2) array (copy).")
      .def_property_readonly(
          "b", [](const matrix_sensing& p) { return to_array(p.observed_values()); },
          "The observations b (m,) (copy).")
      .def_property_readonly(
          "planted_factors",
          [](const matrix_sensing& p) -> py::object {
            if (!p.planted_factors())
              return py::none();
            return py::make_tuple(matrix_to_array(p.planted_factors()->X),
                                  matrix_to_array(p.planted_factors()->Y));
          },
          "(U, V) with b_i = <A_i, UVᵀ> for planted observations (a minimizer up to rounding), "
          "else None.")
      .def_property_readonly(
          "minimum_loss", [](const matrix_sensing& p) { return optional_float(p.minimum_loss()); },
          "R* = 0.0 for planted observations, else None (not known).");
  bind_problem(c, factor_coordinate_names<matrix_sensing>,
               "Matrix sensing (1/2m) Σ_i (b_i − <A_i, XYᵀ>)², state (X, Y), X (n1, r), "
               "Y (n2, r), vec column-major; docs/formulas.md §11, [W App. A.2].");
  bind_factor_members(c);
}

void bind_completion(py::module_& m) {
  using boolean_array = py::array_t<bool, py::array::c_style | py::array::forcecast>;
  py::class_<matrix_completion> c(m, "MatrixCompletion");
  c.def(py::init([](double eta, const array& target, Eigen::Index r, const boolean_array& mask) {
          return matrix_completion(eta, matrix_from(target, "target A"), r, mask_from(mask));
        }),
        py::arg("eta"), py::arg("A"), py::arg("r"), py::arg("mask"),
        "Completion of the target A (n1, n2) observed where the boolean mask (n1, n2) is true.")
      .def(py::init([](double eta, const array& target, Eigen::Index r, double density,
                       std::uint64_t seed) {
             return matrix_completion(eta, matrix_from(target, "target A"), r, density, seed);
           }),
           py::arg("eta"), py::arg("A"), py::arg("r"), py::arg("density"), py::arg("seed"),
           "The same with the mask drawn from `seed`, each entry observed with probability "
           "`density` in (0, 1].")
      .def_static("random_low_rank", &matrix_completion::random_low_rank<>, py::arg("eta"),
                  py::arg("n1"), py::arg("n2"), py::arg("target_rank"), py::arg("r"),
                  py::arg("density"), py::arg("seed"),
                  "A drawn instance: target UVᵀ of rank target_rank (U, V standard Gaussian) and "
                  "a mask of the given density, all from `seed` (docs/formulas.md §12).")
      .def_static("wang_figure14", &matrix_completion::wang_figure14<>, py::arg("eta"),
                  py::arg("seed"),
                  "[W App. A.2], Figure 14: a rank-2 target 10 × 10, r = 2, density 0.6.")
      .def_property_readonly("n1", &matrix_completion::rows, "Rows of the target A.")
      .def_property_readonly("n2", &matrix_completion::columns, "Columns of the target A.")
      .def_property_readonly("r", &matrix_completion::rank, "Rank r of the factors X, Y.")
      .def_property_readonly(
          "target", [](const matrix_completion& p) { return matrix_to_array(p.target()); },
          "The target A (n1, n2) (copy).")
      .def_property_readonly(
          "mask",
          [](const matrix_completion& p) {
            py::array_t<bool> out({p.rows(), p.columns()});
            for (Eigen::Index i = 0; i < p.rows(); ++i)
              for (Eigen::Index j = 0; j < p.columns(); ++j)
                out.mutable_at(i, j) = p.mask()(i, j);
            return out;
          },
          "The mask Ω (n1, n2), true where an entry is observed (copy).")
      .def_property_readonly("observed_count", &matrix_completion::observed_count,
                             "|Ω|, the number of observed entries.")
      .def_property_readonly(
          "minimum_loss",
          [](const matrix_completion& p) { return optional_float(p.minimum_loss()); },
          "R* = 0.0 where rank A <= r, else None (not known).");
  bind_problem(c, factor_coordinate_names<matrix_completion>,
               "Matrix completion ½‖P_Ω(A − XYᵀ)‖²_F, state (X, Y), X (n1, r), Y (n2, r), vec "
               "column-major; docs/formulas.md §12, [W App. A.2].");
  bind_factor_members(c);
}

/// gdcert.sharpness by the route `method` names.
template <class P>
py::object sharpness_by(const P& p, const array& x, const std::string& method) {
  if (method == "automatic")
    return per_point_double(p, x, [&](const auto& s) { return double(gdcert::sharpness(p, s)); });
  if (method == "dense")
    return per_point_double(p, x, [&](const auto& s) {
      return double(gdcert::sharpness(p, s, sharpness_method::dense));
    });
  if (method == "matrix_free")
    return per_point_double(p, x, [&](const auto& s) {
      return double(gdcert::sharpness(p, s, sharpness_method::matrix_free));
    });
  throw invalid_parameter("method", "'" + method + "'", "'automatic', 'dense' or 'matrix_free'");
}

/// The k largest eigenvalues of ∇²R(x) by Lanczos, and their eigenvectors on request.
template <class P>
py::dict eigenpairs(const P& p, const array& x, Eigen::Index k, bool eigenvectors,
                    Eigen::Index subspace_size, Eigen::Index max_iterations, double tolerance) {
  const states_view v = view_states(x, p.dimension());
  if (!v.single)
    throw invalid_parameter("x number of axes", "2", "1 (one state of shape (d,))");
  hessian_spectrum_options options;
  options.eigenvalue_count = k;
  options.subspace_size = subspace_size;
  options.max_iterations = max_iterations;
  options.tolerance = tolerance;
  options.compute_eigenvectors = eigenvectors;
  const auto state = state_at(p, v, 0);
  std::optional<hessian_eigenpairs<double>> result;
  {
    py::gil_scoped_release release;
    result = top_hessian_eigenpairs(p, state, options);
  }
  py::dict out;
  out["eigenvalues"] = to_array(result->eigenvalues);
  if (result->eigenvectors)
    out["eigenvectors"] = matrix_to_array(*result->eigenvectors);
  else
    out["eigenvectors"] = py::none();
  out["iterations"] = result->iterations;
  out["products"] = result->products;
  out["converged"] = result->converged;
  return out;
}

template <class P>
void bind_spectrum(py::module_& m) {
  m.def("_sharpness", &sharpness_by<P>, py::arg("problem"), py::arg("x"), py::arg("method"));
  m.def("_hessian_eigenpairs", &eigenpairs<P>, py::arg("problem"), py::arg("x"), py::arg("k"),
        py::arg("eigenvectors"), py::arg("subspace_size"), py::arg("max_iterations"),
        py::arg("tolerance"));
}

} // namespace

void bind_matrix(py::module_& m) {
  static py::exception<eigensolver_not_converged> not_converged(m, "EigensolverNotConverged",
                                                                PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p)
        std::rethrow_exception(p);
    } catch (const eigensolver_not_converged& e) {
      not_converged(e.what());
    }
  });
  m.attr("dense_sharpness_limit") = dense_sharpness_limit;

  bind_sensing(m);
  bind_completion(m);
  auto factorization =
      py::reinterpret_borrow<py::class_<matrix_factorization>>(m.attr("MatrixFactorization"));
  bind_factor_members(factorization);

  bind_trajectory_engines<matrix_sensing>(m);
  bind_trajectory_engines<matrix_completion>(m);
  for_each_problem([&]<class P>() { bind_spectrum<P>(m); });
  bind_spectrum<matrix_sensing>(m);
  bind_spectrum<matrix_completion>(m);
}

} // namespace gdcert::python
