"""Shared fixtures: one instance of each of the eight problems of the paper and of matrix sensing
and completion, with NumPy reference formulas of their losses and gradients, written independently
of the C++ code from docs/formulas.md §1, §11 and §12."""

import numpy as np
import pytest

import gdcert


def factorization_loss_gradient(A, B, X, lam):
    """R = ½‖BAᵀ − X‖²_F + (λ/2)(‖A‖² + ‖B‖²) and (∇_A R, ∇_B R) for column vectors or
    matrices A (n × r), B (m × r): the common form of (1-3), (14), (76), (402) and [LM 1]."""
    E = B @ A.T - X
    loss = 0.5 * np.sum(E * E) + 0.5 * lam * (np.sum(A * A) + np.sum(B * B))
    return loss, E.T @ B + lam * A, E @ A + lam * B


def rank1_2x2(x, sigma):
    """(a, b, u, v) as A = (a, u), B = (b, v) against X = diag(1, σ) (σ = 0: eq. (14))."""
    a, b, u, v = x
    loss, gA, gB = factorization_loss_gradient(np.array([[a], [u]]), np.array([[b], [v]]),
                                               np.diag([1.0, sigma]), 0.0)
    return loss, np.array([gA[0, 0], gB[0, 0], gA[1, 0], gB[1, 0]])


def scalar(x, sigma=1.0):
    a, b = x
    r = a * b - sigma
    return 0.5 * r * r, np.array([r * b, r * a])


def quartic(x, mu):
    a, b = x
    r = a * b - 1
    slope = r + 4 * mu * r**3
    return 0.5 * r * r + mu * r**4, np.array([slope * b, slope * a])


def scalar_vector(x, d):
    a, b = x[:d], x[d:]
    r = a @ b - 1
    return 0.5 * r * r, np.concatenate([r * b, r * a])


def regularized(x, d, y, lam):
    u, v = x[:d], x[d:]
    r = u @ v - y
    return 0.5 * r * r + 0.5 * lam * (u @ u + v @ v), np.concatenate([r * v + lam * u,
                                                                      r * u + lam * v])


def approximation(x, s, lam):
    k = len(s)
    A, B = x[: k + 1].reshape(-1, 1), x[k + 1 :].reshape(-1, 1)
    X = np.diag(np.concatenate([s, [0.0]]))
    loss, gA, gB = factorization_loss_gradient(A, B, X, lam)
    return loss, np.concatenate([gA.ravel(), gB.ravel()])


def matrix(x, X, r, lam):
    m, n = X.shape
    A = x[: n * r].reshape((n, r), order="F")
    B = x[n * r :].reshape((m, r), order="F")
    loss, gA, gB = factorization_loss_gradient(A, B, X, lam)
    return loss, np.concatenate([gA.ravel(order="F"), gB.ravel(order="F")])


def factors_of(x, rows1, rows2, r):
    """The two factors of a flat state: vec (column-major) of the first, then of the second."""
    return (x[: rows1 * r].reshape((rows1, r), order="F"),
            x[rows1 * r :].reshape((rows2, r), order="F"))


def flat(first, second):
    return np.concatenate([first.ravel(order="F"), second.ravel(order="F")])


def sensing(x, A, b, r):
    """(1/2m) Σ_i (b_i − ⟨A_i, XYᵀ⟩)², ∇_X = GY, ∇_Y = GᵀX with G = Σ_i s_i A_i,
    s_i = (⟨A_i, XYᵀ⟩ − b_i)/m (docs/formulas.md §11)."""
    m, n1, n2 = A.shape
    X, Y = factors_of(x, n1, n2, r)
    residuals = np.einsum("ijk,jk->i", A, X @ Y.T) - b
    G = np.einsum("i,ijk->jk", residuals / m, A)
    return residuals @ residuals / (2 * m), flat(G @ Y, G.T @ X)


def completion(x, A, mask, r):
    """½‖P_Ω(A − XYᵀ)‖²_F, ∇_X = EY, ∇_Y = EᵀX with E = P_Ω(XYᵀ − A) (docs/formulas.md §12)."""
    n1, n2 = A.shape
    X, Y = factors_of(x, n1, n2, r)
    E = np.where(mask, X @ Y.T - A, 0.0)
    return 0.5 * np.sum(E * E), flat(E @ Y, E.T @ X)


_draws = np.random.default_rng(20261211)
SENSING_A = _draws.normal(size=(6, 3, 4))  # m = 6 measurements 3 × 4
SENSING_B = _draws.uniform(size=6)
COMPLETION_A = _draws.normal(size=(4, 2)) @ _draws.normal(size=(2, 5))  # rank 2, 4 × 5
COMPLETION_MASK = _draws.uniform(size=(4, 5)) < 0.7
COMPLETION_MASK[0, 0] = True

TARGET = np.array([[2.0, 0.5, 0.0], [0.0, 1.0, -0.5]])

CASES = [
    ("scalar", lambda: gdcert.ScalarFactorization(0.3, 1.5), lambda x: scalar(x, 1.5)),
    ("quartic", lambda: gdcert.QuarticFactorization(0.3, 1 / 16), lambda x: quartic(x, 1 / 16)),
    ("rank1", lambda: gdcert.Rank1Factorization(0.4), lambda x: rank1_2x2(x, 0.0)),
    ("diagonal", lambda: gdcert.DiagonalApproximation(0.3, 0.6), lambda x: rank1_2x2(x, 0.6)),
    ("scalar_vector", lambda: gdcert.ScalarVectorFactorization(0.2, 3),
     lambda x: scalar_vector(x, 3)),
    ("regularized", lambda: gdcert.RegularizedFactorization(0.2, 2, 1.5, 0.1),
     lambda x: regularized(x, 2, 1.5, 0.1)),
    ("approximation", lambda: gdcert.Rank1Approximation(0.2, 2),
     lambda x: approximation(x, np.ones(2), 0.0)),
    ("approximation_s", lambda: gdcert.Rank1Approximation(0.2, np.array([1.0, 0.5]), 0.05),
     lambda x: approximation(x, np.array([1.0, 0.5]), 0.05)),
    ("matrix", lambda: gdcert.MatrixFactorization(0.1, TARGET, 2, 0.01),
     lambda x: matrix(x, TARGET, 2, 0.01)),
    ("sensing", lambda: gdcert.MatrixSensing(0.05, SENSING_A, SENSING_B, 2),
     lambda x: sensing(x, SENSING_A, SENSING_B, 2)),
    ("completion", lambda: gdcert.MatrixCompletion(0.1, COMPLETION_A, 2, COMPLETION_MASK),
     lambda x: completion(x, COMPLETION_A, COMPLETION_MASK, 2)),
]


@pytest.fixture(params=CASES, ids=[c[0] for c in CASES])
def case(request):
    """(problem, reference(x) -> (loss, gradient))."""
    _, make, reference = request.param
    return make(), reference


@pytest.fixture
def rng():
    return np.random.default_rng(20261202)
