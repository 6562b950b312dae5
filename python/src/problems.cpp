// The eight problems: constructors validated as in C++, and step / loss / gradient / hessian /
// jacobian / sharpness / distances on one state or on an (N, d) stack (docs/formulas.md §1).
#include "common.hpp"
#include "problem_binding.hpp"

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

/// The coordinate names of any of the eight problems.
const auto names_in_array_order = [](const auto& p) { return names_of(p); };

} // namespace

void bind_problems(py::module_& m) {
  py::class_<scalar_factorization> scalar(m, "ScalarFactorization");
  scalar.def(py::init<double, double>(), py::arg("eta"), py::arg("sigma") = 1.0)
      .def_property_readonly("sigma", &scalar_factorization::target);
  bind_problem(scalar, names_in_array_order,
               "Scalar factorization ½(ab − σ)², state (a, b); GD map (8), "
               "docs/formulas.md §1.");

  py::class_<quartic_factorization> quartic(m, "QuarticFactorization");
  quartic.def(py::init<double, double>(), py::arg("eta"), py::arg("mu"))
      .def_property_readonly("mu", &quartic_factorization::quartic_weight);
  bind_problem(quartic, names_in_array_order,
               "Quartic loss ½(ab − 1)² + μ(ab − 1)⁴, state (a, b); (31, 411), "
               "docs/formulas.md §1.");

  py::class_<rank1_factorization> rank1(m, "Rank1Factorization");
  rank1.def(py::init<double>(), py::arg("eta"));
  bind_problem(rank1, names_in_array_order,
               "Rank-1 factorization of X = diag(1, 0), state (a, b, u, v); GD map (14), "
               "M* (15), S (16), docs/formulas.md §1.");

  py::class_<diagonal_approximation> diagonal(m, "DiagonalApproximation");
  diagonal.def(py::init<double, double>(), py::arg("eta"), py::arg("sigma"))
      .def_property_readonly("sigma", &diagonal_approximation::sigma);
  bind_problem(diagonal, names_in_array_order,
               "Rank-1 approximation of X = diag(1, σ), σ ∈ (0, 1), state (a, b, u, "
               "v); (402), (337), docs/formulas.md §1.");

  py::class_<scalar_vector_factorization> scalar_vector(m, "ScalarVectorFactorization");
  scalar_vector.def(py::init<double, Eigen::Index>(), py::arg("eta"), py::arg("d"))
      .def_property_readonly("d", &scalar_vector_factorization::vector_dimension);
  bind_problem(scalar_vector, names_in_array_order,
               "½(⟨a, b⟩ − 1)² with a, b ∈ ℝ^d, state (a, b); (44-45), "
               "docs/formulas.md §1.");

  py::class_<regularized_factorization> regularized(m, "RegularizedFactorization");
  regularized
      .def(py::init<double, Eigen::Index, double, double>(), py::arg("eta"), py::arg("d"),
           py::arg("y"), py::arg("lam"))
      .def_property_readonly("d", &regularized_factorization::vector_dimension)
      .def_property_readonly("y", &regularized_factorization::target)
      .def_property_readonly("lam", &regularized_factorization::regularization);
  bind_problem(regularized, names_in_array_order,
               "½(⟨u, v⟩ − y)² + (λ/2)(‖u‖² + ‖v‖²), state (u, v); [LM 4], "
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
  bind_problem(approximation, names_in_array_order,
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
  bind_problem(matrix_problem, names_in_array_order,
               "½‖BAᵀ − X‖²_F (+ (λ/2)(‖A‖² + ‖B‖²)), state (A, B) column-major; (1-3), "
               "[LM 1], docs/formulas.md §1.");
}

} // namespace gdcert::python
