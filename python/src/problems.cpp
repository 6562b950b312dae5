// The eight problems: constructors validated as in C++, and step / loss / gradient / hessian /
// jacobian / sharpness / distances on one state or on an (N, d) stack (docs/formulas.md §1).
#include "common.hpp"

#include <gdcert/analysis/iterate.hpp>
#include <gdcert/problems/diagonal_approximation.hpp>
#include <gdcert/problems/matrix_factorization.hpp>
#include <gdcert/problems/quartic.hpp>
#include <gdcert/problems/rank1_approximation.hpp>
#include <gdcert/problems/rank1_factorization.hpp>
#include <gdcert/problems/regularized.hpp>
#include <gdcert/problems/scalar.hpp>
#include <gdcert/problems/scalar_vector.hpp>

namespace gdcert::python {
namespace {

std::vector<std::string> indexed(const std::string& name, Eigen::Index count) {
  std::vector<std::string> names;
  for (Eigen::Index i = 0; i < count; ++i)
    names.push_back(name + "[" + std::to_string(i) + "]");
  return names;
}
std::vector<std::string> joined(std::vector<std::string> first,
                                const std::vector<std::string>& second) {
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

/// Names of the coordinates, in the order of the arrays (the paper's symbols).
std::vector<std::string> names_of(const scalar_factorization&) {
  return {"a", "b"};
}
std::vector<std::string> names_of(const quartic_factorization&) {
  return {"a", "b"};
}
std::vector<std::string> names_of(const rank1_factorization&) {
  return {"a", "b", "u", "v"};
}
std::vector<std::string> names_of(const diagonal_approximation&) {
  return {"a", "b", "u", "v"};
}
std::vector<std::string> names_of(const scalar_vector_factorization& p) {
  return joined(indexed("a", p.vector_dimension()), indexed("b", p.vector_dimension()));
}
std::vector<std::string> names_of(const regularized_factorization& p) {
  return joined(indexed("u", p.vector_dimension()), indexed("v", p.vector_dimension()));
}
std::vector<std::string> names_of(const rank1_approximation& p) {
  auto names = indexed("a", p.signal_dimension());
  names.push_back("u");
  names = joined(names, indexed("b", p.signal_dimension()));
  names.push_back("v");
  return names;
}
std::vector<std::string> names_of(const matrix_factorization& p) {
  std::vector<std::string> names; // column-major, A (n x r) then B (m x r)
  const Eigen::Index m = p.target().rows(), n = p.target().cols(), r = p.rank();
  for (Eigen::Index j = 0; j < r; ++j)
    for (Eigen::Index i = 0; i < n; ++i)
      names.push_back("A[" + std::to_string(i) + "," + std::to_string(j) + "]");
  for (Eigen::Index j = 0; j < r; ++j)
    for (Eigen::Index i = 0; i < m; ++i)
      names.push_back("B[" + std::to_string(i) + "," + std::to_string(j) + "]");
  return names;
}

template <class P>
void bind_problem(py::class_<P>& c, const char* summary) {
  c.doc() = summary;
  c.def_property_readonly(
       "eta", [](const P& p) { return p.step_size(); }, "The step size η (validated > 0).")
      .def_property_readonly(
          "dimension", [](const P& p) { return p.dimension(); },
          "Number of real coordinates d of a state.")
      .def_property_readonly(
          "coordinate_names", [](const P& p) { return names_of(p); },
          "Names of the coordinates in array order (the paper's symbols).")
      .def(
          "step",
          [](const P& p, const array& x) {
            return per_point(p, x, [&](const auto& s) { return p.step(s); });
          },
          py::arg("x"),
          "The GD map x − η∇R(x) (docs/formulas.md §1) of one state (d,) or of each row of an "
          "(N, d) array; SIMD lanes underneath, bit-identical to one-state calls.")
      .def(
          "loss",
          [](const P& p, const array& x) {
            return per_point(p, x, [&](const auto& s) { return p.loss(s); });
          },
          py::arg("x"), "The loss R(x): a float for one state, an (N,) array for N states.")
      .def(
          "gradient",
          [](const P& p, const array& x) {
            return per_point(p, x, [&](const auto& s) { return p.gradient(s); });
          },
          py::arg("x"), "∇R(x), same shape as x.")
      .def(
          "hessian",
          [](const P& p, const array& x) {
            return per_point_double(
                p, x, [&](const auto& s) { return p.hessian(s); }, p.dimension(), p.dimension());
          },
          py::arg("x"), "∇²R(x): (d, d) for one state, (N, d, d) for N states.")
      .def(
          "jacobian",
          [](const P& p, const array& x) {
            return per_point_double(
                p, x, [&](const auto& s) { return p.jacobian(s); }, p.dimension(), p.dimension());
          },
          py::arg("x"), "D step(x) = I − η∇²R(x) (J_out_in): (d, d) or (N, d, d).")
      .def(
          "sharpness",
          [](const P& p, const array& x) {
            return per_point_double(p, x,
                                    [&](const auto& s) { return double(gdcert::sharpness(p, s)); });
          },
          py::arg("x"),
          "λ_max(∇²R(x)); GD is linearly unstable at a minimizer whose sharpness exceeds 2/η "
          "(docs/formulas.md §6).")
      .def(
          "is_minimizer",
          [](const P& p, const array& x, double tolerance) {
            require_positive("tolerance", tolerance);
            return per_point_predicate(p, x,
                                       [&](const auto& s) { return p.is_minimizer(s, tolerance); });
          },
          py::arg("x"), py::arg("tolerance") = 1e-6, "Whether x lies within tolerance of M*.")
      .def(
          "is_stationary",
          [](const P& p, const array& x, double tolerance) {
            require_positive("tolerance", tolerance);
            return per_point_predicate(
                p, x, [&](const auto& s) { return p.is_stationary(s, tolerance); });
          },
          py::arg("x"), py::arg("tolerance") = 1e-6, "Whether x lies within tolerance of S.");
  if constexpr (requires(const P& p, const typename P::template state<double>& s) {
                  p.distance_to_minimizers(s);
                })
    c.def(
        "distance_to_minimizers",
        [](const P& p, const array& x) {
          return per_point_double(
              p, x, [&](const auto& s) { return double(p.distance_to_minimizers(s)); });
        },
        py::arg("x"), "Euclidean distance to the minimizer set M*.");
  if constexpr (requires(const P& p, const typename P::template state<double>& s) {
                  p.distance_to_stationary(s);
                })
    c.def(
        "distance_to_stationary",
        [](const P& p, const array& x) {
          return per_point_double(
              p, x, [&](const auto& s) { return double(p.distance_to_stationary(s)); });
        },
        py::arg("x"), "Euclidean distance to the stationary set S.");
  c.def("__repr__", [](const P& p) {
    return "<gdcert." + std::string(py::str(py::type::of<P>().attr("__name__"))) +
           " eta=" + std::string(py::repr(py::float_(p.step_size()))) +
           " dimension=" + std::to_string(p.dimension()) + ">";
  });
}

} // namespace

void bind_problems(py::module_& m) {
  py::class_<scalar_factorization> scalar(m, "ScalarFactorization");
  scalar.def(py::init<double, double>(), py::arg("eta"), py::arg("sigma") = 1.0)
      .def_property_readonly("sigma", &scalar_factorization::target);
  bind_problem(scalar, "Scalar factorization ½(ab − σ)², state (a, b); GD map (8), "
                       "docs/formulas.md §1.");

  py::class_<quartic_factorization> quartic(m, "QuarticFactorization");
  quartic.def(py::init<double, double>(), py::arg("eta"), py::arg("mu"))
      .def_property_readonly("mu", &quartic_factorization::quartic_weight);
  bind_problem(quartic, "Quartic loss ½(ab − 1)² + μ(ab − 1)⁴, state (a, b); (31, 411), "
                        "docs/formulas.md §1.");

  py::class_<rank1_factorization> rank1(m, "Rank1Factorization");
  rank1.def(py::init<double>(), py::arg("eta"));
  bind_problem(rank1, "Rank-1 factorization of X = diag(1, 0), state (a, b, u, v); GD map (14), "
                      "M* (15), S (16), docs/formulas.md §1.");

  py::class_<diagonal_approximation> diagonal(m, "DiagonalApproximation");
  diagonal.def(py::init<double, double>(), py::arg("eta"), py::arg("sigma"))
      .def_property_readonly("sigma", &diagonal_approximation::sigma);
  bind_problem(diagonal, "Rank-1 approximation of X = diag(1, σ), σ ∈ (0, 1), state (a, b, u, "
                         "v); (402), (337), docs/formulas.md §1.");

  py::class_<scalar_vector_factorization> scalar_vector(m, "ScalarVectorFactorization");
  scalar_vector.def(py::init<double, Eigen::Index>(), py::arg("eta"), py::arg("d"))
      .def_property_readonly("d", &scalar_vector_factorization::vector_dimension);
  bind_problem(scalar_vector, "½(⟨a, b⟩ − 1)² with a, b ∈ ℝ^d, state (a, b); (44-45), "
                              "docs/formulas.md §1.");

  py::class_<regularized_factorization> regularized(m, "RegularizedFactorization");
  regularized
      .def(py::init<double, Eigen::Index, double, double>(), py::arg("eta"), py::arg("d"),
           py::arg("y"), py::arg("lam"))
      .def_property_readonly("d", &regularized_factorization::vector_dimension)
      .def_property_readonly("y", &regularized_factorization::target)
      .def_property_readonly("lam", &regularized_factorization::regularization);
  bind_problem(regularized, "½(⟨u, v⟩ − y)² + (λ/2)(‖u‖² + ‖v‖²), state (u, v); [LM 4], "
                            "docs/formulas.md §7.");

  py::class_<rank1_approximation> approximation(m, "Rank1Approximation");
  approximation.def(py::init<double, Eigen::Index>(), py::arg("eta"), py::arg("k"))
      .def(py::init([](double eta, const array& s, double lam) {
             if (s.ndim() != 1)
               throw invalid_parameter("singular values s number of axes", std::to_string(s.ndim()),
                                       "1");
             return rank1_approximation(eta, Eigen::Map<const vector<double>>(s.data(), s.shape(0)),
                                        lam);
           }),
           py::arg("eta"), py::arg("s"), py::arg("lam"))
      .def_property_readonly("k", &rank1_approximation::signal_dimension)
      .def_property_readonly("lam", &rank1_approximation::regularization)
      .def_property_readonly(
          "s", [](const rank1_approximation& p) { return to_array(p.singular_values()); });
  bind_problem(approximation,
               "Rank-1 approximation of X = diag(I_k, 0) (or diag(s, 0) with ridge λ), state "
               "(a, u, b, v), a, b ∈ ℝ^k; (76), M* (20), S (21), docs/formulas.md §1.");

  py::class_<matrix_factorization> matrix_problem(m, "MatrixFactorization");
  matrix_problem
      .def(py::init([](double eta, const array& target, Eigen::Index rank, double lam) {
             return matrix_factorization(eta, matrix_from(target, "target X"), rank, lam);
           }),
           py::arg("eta"), py::arg("X"), py::arg("r"), py::arg("lam") = 0.0)
      .def_property_readonly("r", &matrix_factorization::rank)
      .def_property_readonly("lam", &matrix_factorization::regularization)
      .def_property_readonly("minimum_loss", &matrix_factorization::minimum_loss)
      .def_property_readonly("X", [](const matrix_factorization& p) {
        const matrix<double>& x = p.target();
        py::array_t<double> out({x.rows(), x.cols()});
        for (Eigen::Index i = 0; i < x.rows(); ++i)
          for (Eigen::Index j = 0; j < x.cols(); ++j)
            out.mutable_at(i, j) = x(i, j);
        return out;
      });
  bind_problem(matrix_problem,
               "½‖BAᵀ − X‖²_F (+ (λ/2)(‖A‖² + ‖B‖²)), state (A, B) column-major; (1-3), "
               "[LM 1], docs/formulas.md §1.");
}

} // namespace gdcert::python
