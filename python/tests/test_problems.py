"""The eight problems from Python: values against NumPy reference formulas (docs/formulas.md §1),
stacked (N, d) calls bit-identical to one-state calls, and errors for bad input."""

import numpy as np
import pytest

import gdcert


def test_step_is_x_minus_eta_gradient_of_the_reference_loss(case, rng):
    """GD map (8), (14), (44-45), (76), (402), [LM 1, 4]: step(x) = x − η∇R(x)."""
    problem, reference = case
    for _ in range(20):
        x = rng.normal(size=problem.dimension)
        loss, gradient = reference(x)
        assert problem.loss(x) == pytest.approx(loss, rel=1e-12, abs=1e-14)
        np.testing.assert_allclose(problem.gradient(x), gradient, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(problem.step(x), x - problem.eta * gradient, rtol=1e-12,
                                   atol=1e-13)


def test_hessian_is_the_derivative_of_the_gradient_and_jacobian_is_identity_minus_eta_hessian(
        case, rng):
    """∇²R by central differences of ∇R; D step = I − η∇²R (problems/problem.hpp)."""
    problem, _ = case
    d, h = problem.dimension, 1e-6
    x = rng.normal(size=d)
    hessian = problem.hessian(x)
    assert hessian.shape == (d, d)
    np.testing.assert_allclose(hessian, hessian.T, rtol=0, atol=1e-12)
    numeric = np.empty((d, d))
    for j in range(d):
        e = np.zeros(d)
        e[j] = h
        numeric[:, j] = (problem.gradient(x + e) - problem.gradient(x - e)) / (2 * h)
    np.testing.assert_allclose(hessian, numeric, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(problem.jacobian(x), np.eye(d) - problem.eta * hessian, rtol=1e-14,
                               atol=1e-14)
    assert problem.sharpness(x) == pytest.approx(np.linalg.eigvalsh(hessian).max(), rel=1e-9,
                                                 abs=1e-12)


@pytest.mark.parametrize("count", [1, 3, 4, 5, 17])
def test_stacked_calls_equal_one_state_calls_bit_for_bit(case, rng, count):
    """(N, d) arrays run in SIMD lanes of 4 plus a scalar tail; both round alike."""
    problem, _ = case
    X = rng.normal(size=(count, problem.dimension))
    for name in ("step", "loss", "gradient", "hessian", "jacobian", "sharpness"):
        stacked = getattr(problem, name)(X)
        one_by_one = np.array([getattr(problem, name)(x) for x in X])
        assert stacked.shape == one_by_one.shape
        assert np.array_equal(stacked, one_by_one), name


def test_shapes_of_results(case):
    problem, _ = case
    d = problem.dimension
    x = np.zeros(d) + 0.5
    assert isinstance(problem.loss(x), float)
    assert problem.step(x).shape == (d,)
    assert problem.step(np.tile(x, (6, 1))).shape == (6, d)
    assert problem.loss(np.tile(x, (6, 1))).shape == (6,)
    assert problem.hessian(np.tile(x, (6, 1))).shape == (6, d, d)
    assert len(problem.coordinate_names) == d


def test_minimizers_and_stationary_points_of_rank1_factorization():
    """M* = {ab = 1, u = v = 0} (15), S adds {a = b = 0, uv = 0} (16)."""
    problem = gdcert.Rank1Factorization(0.5)
    assert problem.is_minimizer(np.array([2.0, 0.5, 0.0, 0.0]))
    assert not problem.is_minimizer(np.array([0.0, 0.0, 0.0, 1.0]))
    assert problem.is_stationary(np.array([0.0, 0.0, 0.0, 1.0]))
    assert problem.distance_to_minimizers(np.array([2.0, 0.5, 0.0, 0.0])) == pytest.approx(0)
    stacked = problem.is_minimizer(np.array([[2.0, 0.5, 0, 0], [1.0, 1.0, 0.3, 0]]))
    assert stacked.tolist() == [True, False]


@pytest.mark.parametrize("make, message", [
    (lambda: gdcert.Rank1Factorization(-1.0), "step size eta = -1"),
    (lambda: gdcert.Rank1Factorization(float("nan")), "step size eta = nan"),
    (lambda: gdcert.ScalarVectorFactorization(0.1, 0), "vector dimension d = 0"),
    (lambda: gdcert.RegularizedFactorization(0.1, 2, 1.0, -0.5), "regularization lambda"),
    (lambda: gdcert.Rank1Approximation(0.1, np.array([1.0, -2.0]), 0.0), "singular value s[1]"),
    (lambda: gdcert.MatrixFactorization(0.1, np.array([[1.0, np.inf]]), 1), "target X"),
    (lambda: gdcert.DiagonalApproximation(0.1, 1.5), "sigma"),
])
def test_invalid_parameters_raise_value_error_naming_them(make, message):
    with pytest.raises(ValueError, match="gdcert: .*is invalid; valid range"):
        try:
            make()
        except ValueError as error:
            assert message in str(error)
            raise


def test_invalid_states_raise_value_error_naming_the_coordinate():
    problem = gdcert.Rank1Factorization(0.5)
    with pytest.raises(ValueError, match="state dimension = 3 is invalid"):
        problem.step(np.zeros(3))
    with pytest.raises(ValueError, match=r"x\[1\] state coordinate 2 = nan is invalid"):
        problem.step(np.array([[0, 0, 0, 0], [0, 0, np.nan, 0]], dtype=float))
    with pytest.raises(ValueError, match="x state coordinate 0 = inf"):
        problem.loss(np.array([np.inf, 0, 0, 0]))
    with pytest.raises(ValueError, match="number of axes = 3"):
        problem.loss(np.zeros((2, 2, 4)))
