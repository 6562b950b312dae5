// Optional precompiled instantiations: with GDCERT_PRECOMPILED defined (by linking the CMake
// target gdcert::precompiled), the dense decompositions that gdcert calls in double are declared
// `extern template` and compiled once, in the target's library, instead of in every translation
// unit that uses them (docs/cmake.md, "Precompiled instantiations"). Without it: nothing.
#pragma once

#ifdef GDCERT_PRECOMPILED

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <Eigen/QR>
#include <Eigen/SVD>

// The library was compiled with one vectorization (and so one alignment of Eigen's heap blocks);
// a translation unit built for another (e.g. -march=native against a baseline library) keeps its
// own instantiations, so that no Eigen object crosses between the two.
#if EIGEN_MAX_ALIGN_BYTES == GDCERT_PRECOMPILED
#define GDCERT_PRECOMPILED_DENSE_INSTANTIATIONS(declaration)                                       \
  declaration class Eigen::BDCSVD<Eigen::MatrixXd>;                                                \
  declaration class Eigen::JacobiSVD<Eigen::MatrixXd, Eigen::ColPivHouseholderQRPreconditioner>;   \
  declaration class Eigen::internal::UpperBidiagonalization<Eigen::MatrixXd>;                      \
  declaration class Eigen::ColPivHouseholderQR<Eigen::MatrixXd>;                                   \
  declaration class Eigen::ColPivHouseholderQR<                                                    \
      Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;                     \
  declaration class Eigen::HouseholderQR<Eigen::MatrixXd>;                                         \
  declaration class Eigen::FullPivLU<Eigen::MatrixXd>;                                             \
  declaration class Eigen::LLT<Eigen::MatrixXd>;                                                   \
  declaration class Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>;                                \
  declaration class Eigen::EigenSolver<Eigen::MatrixXd>;                                           \
  declaration class Eigen::RealSchur<Eigen::MatrixXd>;                                             \
  declaration class Eigen::HessenbergDecomposition<Eigen::MatrixXd>;                               \
  /* Member templates are not part of a class's explicit instantiation: the computations from a */ \
  /* MatrixXd, named one by one. */                                                                \
  declaration Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>&                                      \
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>::compute(                                         \
      const Eigen::EigenBase<Eigen::MatrixXd>&, int);                                              \
  declaration Eigen::EigenSolver<Eigen::MatrixXd>& Eigen::EigenSolver<Eigen::MatrixXd>::compute(   \
      const Eigen::EigenBase<Eigen::MatrixXd>&, bool);                                             \
  declaration Eigen::RealSchur<Eigen::MatrixXd>& Eigen::RealSchur<Eigen::MatrixXd>::compute(       \
      const Eigen::EigenBase<Eigen::MatrixXd>&, bool);                                             \
  declaration Eigen::LLT<Eigen::MatrixXd>& Eigen::LLT<Eigen::MatrixXd>::compute(                   \
      const Eigen::EigenBase<Eigen::MatrixXd>&);                                                   \
  declaration Eigen::FullPivLU<Eigen::MatrixXd>& Eigen::FullPivLU<Eigen::MatrixXd>::compute(       \
      const Eigen::EigenBase<Eigen::MatrixXd>&);

GDCERT_PRECOMPILED_DENSE_INSTANTIATIONS(extern template)
#define GDCERT_PRECOMPILED_ACTIVE 1
#endif

#endif
