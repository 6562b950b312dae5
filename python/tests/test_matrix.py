"""The matrix problems from Python (docs/formulas.md §1, §11-12): matrix sensing and completion
against the C++ semantics, states as their two factors, trajectories from factor arrays, the
sharpness by Lanczos against the dense eigensolver, and errors that name the parameter."""

import numpy as np
import pytest

import gdcert

from conftest import COMPLETION_A, COMPLETION_MASK, SENSING_A, SENSING_B, completion, sensing


def small_sensing():
    return gdcert.MatrixSensing(0.05, SENSING_A, SENSING_B, 2)


def small_completion():
    return gdcert.MatrixCompletion(0.1, COMPLETION_A, 2, COMPLETION_MASK)


MATRIX_PROBLEMS = [
    ("factorization", lambda: gdcert.MatrixFactorization(0.1, np.arange(6.0).reshape(2, 3), 2)),
    ("sensing", small_sensing),
    ("completion", small_completion),
]


@pytest.fixture(params=MATRIX_PROBLEMS, ids=[c[0] for c in MATRIX_PROBLEMS])
def matrix_problem(request):
    return request.param[1]()


def test_step_is_x_minus_eta_gradient_and_gradient_is_the_reference(rng):
    """GD maps of §11-12: X' = X − ηGY, Y' = Y − ηGᵀX (sensing), E in place of G (completion)."""
    for problem, reference in [(small_sensing(), lambda x: sensing(x, SENSING_A, SENSING_B, 2)),
                               (small_completion(),
                                lambda x: completion(x, COMPLETION_A, COMPLETION_MASK, 2))]:
        for _ in range(10):
            x = rng.normal(size=problem.dimension)
            loss, gradient = reference(x)
            assert problem.loss(x) == pytest.approx(loss, rel=1e-12)
            np.testing.assert_allclose(problem.gradient(x), gradient, rtol=1e-12, atol=1e-13)
            np.testing.assert_allclose(problem.step(x), x - problem.eta * problem.gradient(x),
                                       rtol=1e-13, atol=1e-14)


def test_hessian_vector_product_is_the_hessian_times_v(matrix_problem, rng):
    problem = matrix_problem
    d = problem.dimension
    X, V = rng.normal(size=(5, d)), rng.normal(size=(5, d))
    products = problem.hessian_vector_product(X, V)
    assert products.shape == (5, d)
    for x, v, hv in zip(X, V, products):
        expected = problem.hessian(x) @ v
        np.testing.assert_allclose(hv, expected, rtol=1e-11, atol=1e-12 * np.abs(expected).max())
        assert np.array_equal(problem.hessian_vector_product(x, v), hv)
    with pytest.raises(ValueError, match="v shape"):
        problem.hessian_vector_product(X[0], V)


def test_sizes_properties_and_coordinate_names():
    problem = small_sensing()
    assert (problem.n1, problem.n2, problem.r, problem.m) == (3, 4, 2, 6)
    assert problem.dimension == (3 + 4) * 2
    assert problem.factor_shapes == ((3, 2), (4, 2))
    assert np.array_equal(problem.measurements, SENSING_A)
    assert np.array_equal(problem.b, SENSING_B)
    assert problem.minimum_loss is None and problem.planted_factors is None
    names = problem.coordinate_names
    assert names[:4] == ["X[0,0]", "X[1,0]", "X[2,0]", "X[0,1]"]
    assert names[6:8] == ["Y[0,0]", "Y[1,0]"] and len(names) == problem.dimension
    listed = gdcert.MatrixSensing(0.05, list(SENSING_A), SENSING_B, 2)
    assert np.array_equal(listed.measurements, SENSING_A)

    completion_problem = small_completion()
    assert (completion_problem.n1, completion_problem.n2, completion_problem.r) == (4, 5, 2)
    assert np.array_equal(completion_problem.target, COMPLETION_A)
    assert np.array_equal(completion_problem.mask, COMPLETION_MASK)
    assert completion_problem.mask.dtype == bool
    assert completion_problem.observed_count == COMPLETION_MASK.sum()
    assert completion_problem.minimum_loss == 0.0  # rank A = 2 <= r
    assert gdcert.MatrixCompletion(0.1, np.eye(4), 2, np.ones((4, 4))).minimum_loss is None

    factorization = gdcert.MatrixFactorization(0.1, np.ones((3, 5)), 2)  # X m × n: A n × r, B m × r
    assert factorization.factor_shapes == ((5, 2), (3, 2))


def test_factor_shaped_states_round_trip(matrix_problem, rng):
    """state(X, Y) puts vec(X) then vec(Y) (column-major); factors is its inverse, for one state
    and for stacks (N, rows, r)."""
    problem = matrix_problem
    (rows1, r), (rows2, _) = problem.factor_shapes
    X, Y = rng.normal(size=(rows1, r)), rng.normal(size=(rows2, r))
    x = problem.state(X, Y)
    assert x.shape == (problem.dimension,)
    assert np.array_equal(x, np.concatenate([X.ravel(order="F"), Y.ravel(order="F")]))
    first, second = problem.factors(x)
    assert np.array_equal(first, X) and np.array_equal(second, Y)
    names = problem.coordinate_names
    assert names[1 + rows1].endswith("[1,1]") and names[rows1 * r].endswith("[0,0]")

    Xs, Ys = rng.normal(size=(7, rows1, r)), rng.normal(size=(7, rows2, r))
    stacked = problem.state(Xs, Ys)
    assert stacked.shape == (7, problem.dimension)
    assert np.array_equal(stacked[3], problem.state(Xs[3], Ys[3]))
    back = problem.factors(stacked)
    assert np.array_equal(back[0], Xs) and np.array_equal(back[1], Ys)
    # The one-state methods take the flat state; the engines also take the pair of factors.
    assert gdcert.sharpness(problem, (X, Y)) == problem.sharpness(x)

    with pytest.raises(ValueError, match="rows = 9 is invalid"):
        problem.state(rng.normal(size=(9, r)), Y)
    with pytest.raises(ValueError, match="columns \\(rank r\\)"):
        problem.state(X, rng.normal(size=(rows2, r + 1)))
    with pytest.raises(ValueError, match="[YB] number of axes = 2 is invalid; .* that of [XA], 3"):
        problem.state(Xs, Y)
    with pytest.raises(ValueError, match="state dimension = 3"):
        problem.factors(np.zeros(3))


def test_trajectory_of_matrix_factorization_from_factor_arrays_equals_repeated_steps(rng):
    """30 × 20 target, r = 3: the engine's in-place step (threads, fused kernel) gives the same
    bits as 50 calls of step; norms and factor stacks are those of the recorded states."""
    target = rng.normal(size=(30, 20))
    problem = gdcert.MatrixFactorization(0.02, target, 3)
    A0, B0 = 0.3 * rng.normal(size=(20, 3)), 0.3 * rng.normal(size=(30, 3))
    run = gdcert.trajectory(problem, (A0, B0), 50, sharpness=True)
    x = problem.state(A0, B0)
    for _ in range(50):
        x = problem.step(x)
    assert np.array_equal(run.final_state, x)
    assert np.array_equal(run.states[-1], x)
    assert np.array_equal(run.states[0], problem.state(A0, B0))
    A, B = run.factors
    assert A.shape == (51, 20, 3) and B.shape == (51, 30, 3)
    assert np.array_equal(A[-1], problem.factors(x)[0]) and np.array_equal(B[0], B0)
    np.testing.assert_allclose(run.factor_norms[:, 0], np.linalg.norm(A, axis=(1, 2)), rtol=1e-13)
    np.testing.assert_allclose(run.factor_norms[:, 1], np.linalg.norm(B, axis=(1, 2)), rtol=1e-13)
    assert np.array_equal(run.loss, problem.loss(run.states))
    np.testing.assert_allclose(run.sharpness, problem.sharpness(run.states), rtol=1e-12)
    assert np.all(np.diff(run.loss) < 0)  # a small step size: the loss decreases

    strided = gdcert.trajectory(problem, (A0, B0), 50, stride=20, states=False)
    assert strided.steps.tolist() == [0, 20, 40, 50]
    assert strided.states is None and strided.factors is None
    assert np.array_equal(strided.final_state, x)
    assert np.array_equal(strided.factor_norms, run.factor_norms[[0, 20, 40, 50]])


def test_trajectory_and_classify_of_sensing_and_completion(rng):
    problem = gdcert.MatrixCompletion.wang_figure14(0.05, 1)
    X0, Y0 = 0.5 * rng.normal(size=(10, 2)), 0.5 * rng.normal(size=(10, 2))
    run = gdcert.trajectory(problem, (X0, Y0), 20)
    assert np.array_equal(run.states[1:], problem.step(run.states[:-1]))
    assert run.factors[0].shape == (21, 10, 2) and run.delta is None
    result = gdcert.classify(problem, (X0, Y0), max_steps=20000)
    assert result.label != gdcert.Outcome.diverged
    assert result.final_state.shape == (problem.dimension,)

    sensing_problem = gdcert.MatrixSensing.gaussian(0.01, 5, 4, 2, 12, 3, "planted")
    x0 = 0.1 * rng.normal(size=sensing_problem.dimension)
    run = gdcert.trajectory(sensing_problem, x0, 10, stride=5)
    assert run.steps.tolist() == [0, 5, 10] and run.factor_norms.shape == (3, 2)
    with pytest.raises(ValueError, match="certificate"):
        gdcert.trajectory(sensing_problem, x0, 10,
                          certificate=gdcert.ScalarCertificate(gdcert.ScalarFactorization(0.5)))


@pytest.mark.parametrize("make", [
    lambda: gdcert.MatrixFactorization(0.1, np.random.default_rng(1).normal(size=(30, 20)), 6),
    lambda: gdcert.MatrixSensing.gaussian(0.1, 20, 10, 10, 40, 2),
    lambda: gdcert.MatrixCompletion.random_low_rank(0.1, 20, 10, 3, 10, 0.5, 4),
], ids=["factorization", "sensing", "completion"])
def test_matrix_free_sharpness_equals_the_dense_one_at_d_300(make):
    problem = make()
    assert problem.dimension == 300
    x = np.random.default_rng(5).normal(size=problem.dimension)
    dense = gdcert.sharpness(problem, x, method="dense")
    assert dense == pytest.approx(np.linalg.eigvalsh(problem.hessian(x)).max(), rel=1e-12)
    matrix_free = gdcert.sharpness(problem, x, method="matrix_free")
    assert matrix_free == pytest.approx(dense, rel=1e-10)
    # automatic (what problem.sharpness gives): Lanczos above dense_sharpness_limit coordinates.
    automatic = matrix_free if problem.dimension > gdcert.dense_sharpness_limit else dense
    assert gdcert.sharpness(problem, x) == problem.sharpness(x) == automatic

    pairs = gdcert.hessian_eigenpairs(problem, x, 3, eigenvectors=True)
    expected = np.linalg.eigvalsh(problem.hessian(x))[::-1][:3]
    np.testing.assert_allclose(pairs.eigenvalues, expected, rtol=1e-9)
    assert pairs.eigenvectors.shape == (300, 3) and pairs.converged
    assert pairs.products > 0 and pairs.iterations >= 1
    for value, vector in zip(pairs.eigenvalues, pairs.eigenvectors.T):
        np.testing.assert_allclose(problem.hessian_vector_product(x, vector), value * vector,
                                   atol=1e-8 * abs(value))
    assert gdcert.hessian_eigenpairs(problem, x).eigenvectors is None


def test_sharpness_above_the_dense_limit_is_matrix_free():
    """Figure 13's instance has d = 1200 > dense_sharpness_limit: automatic runs Lanczos."""
    problem = gdcert.MatrixSensing.wang_figure13(0.1, 11)
    assert problem.dimension == 1200 > gdcert.dense_sharpness_limit
    x = np.random.default_rng(2).normal(size=problem.dimension)
    automatic = gdcert.sharpness(problem, x)
    assert automatic == gdcert.sharpness(problem, x, "matrix_free") == problem.sharpness(x)
    run = gdcert.trajectory(problem, x, 2, sharpness=True, states=False)
    assert run.sharpness[0] == automatic


def test_sharpness_routes_of_the_small_problems_agree():
    problem = gdcert.Rank1Factorization(0.5)
    x = np.array([[0.9, -0.4, 0.3, 0.2], [1.2, 0.1, -0.5, 0.7]])
    dense = gdcert.sharpness(problem, x, "dense")
    assert np.array_equal(dense, problem.sharpness(x))
    np.testing.assert_allclose(gdcert.sharpness(problem, x, "matrix_free"), dense, rtol=1e-10)


def test_seeded_factories_are_reproducible():
    first = gdcert.MatrixSensing.gaussian(0.1, 4, 3, 2, 7, 42)
    again = gdcert.MatrixSensing.gaussian(0.1, 4, 3, 2, 7, 42)
    other = gdcert.MatrixSensing.gaussian(0.1, 4, 3, 2, 7, 43)
    assert first.measurements.shape == (7, 4, 3)
    assert np.array_equal(first.measurements, again.measurements)
    assert np.array_equal(first.b, again.b)
    assert not np.array_equal(first.measurements, other.measurements)
    assert np.all((first.b > 0) & (first.b < 1)) and first.minimum_loss is None

    planted = gdcert.MatrixSensing.gaussian(0.1, 4, 3, 2, 7, 42, observations="planted")
    assert np.array_equal(planted.measurements, first.measurements)
    assert planted.minimum_loss == 0.0
    U, V = planted.planted_factors
    assert planted.loss(planted.state(U, V)) < 1e-25
    given = gdcert.MatrixSensing.gaussian(0.1, 4, 3, 2, 7, 42, observations=np.arange(7.0))
    assert np.array_equal(given.b, np.arange(7.0))

    figure13 = gdcert.MatrixSensing.wang_figure13(0.1, 5)
    assert (figure13.n1, figure13.n2, figure13.r, figure13.m) == (100, 100, 6, 10)
    assert np.array_equal(figure13.b, gdcert.MatrixSensing.wang_figure13(0.1, 5).b)

    drawn = gdcert.MatrixCompletion.random_low_rank(0.1, 6, 5, 2, 3, 0.5, 9)
    redrawn = gdcert.MatrixCompletion.random_low_rank(0.1, 6, 5, 2, 3, 0.5, 9)
    assert np.array_equal(drawn.target, redrawn.target)
    assert np.array_equal(drawn.mask, redrawn.mask)
    assert np.linalg.matrix_rank(drawn.target) == 2 and drawn.minimum_loss == 0.0
    same_mask = gdcert.MatrixCompletion(0.1, drawn.target, 3, 0.5, 9)
    assert np.array_equal(same_mask.mask, drawn.mask)
    figure14 = gdcert.MatrixCompletion.wang_figure14(0.1, 3)
    assert (figure14.n1, figure14.n2, figure14.r) == (10, 10, 2)
    assert np.array_equal(figure14.mask, gdcert.MatrixCompletion.wang_figure14(0.1, 3).mask)


@pytest.mark.parametrize("make, message", [
    (lambda: gdcert.MatrixSensing(-1.0, SENSING_A, SENSING_B, 2), "step size eta = -1"),
    (lambda: gdcert.MatrixSensing(0.1, SENSING_A, SENSING_B, 0), "factor rank r = 0"),
    (lambda: gdcert.MatrixSensing(0.1, SENSING_A, SENSING_B[:5], 2), "observations b size = 5"),
    (lambda: gdcert.MatrixSensing(0.1, SENSING_A, np.full(6, np.nan), 2), "observation b_0"),
    (lambda: gdcert.MatrixSensing(0.1, [np.ones((2, 2)), np.ones((2, 3))], np.ones(2), 1),
     "measurement A_1 shape"),
    (lambda: gdcert.MatrixSensing(0.1, [np.ones(2)], np.ones(1), 1),
     "measurement A_0 number of axes"),
    (lambda: gdcert.MatrixSensing(0.1, np.ones((2, 2)), np.ones(2), 1),
     "measurements A number of axes"),
    (lambda: gdcert.MatrixSensing(0.1, [], np.ones(0), 1), "measurement count m = 0"),
    (lambda: gdcert.MatrixSensing.gaussian(0.1, 0, 3, 1, 2, 1), "measurement rows n1 = 0"),
    (lambda: gdcert.MatrixSensing.gaussian(0.1, 3, 3, 1, 2, 1, "gaussian"), "observations"),
    (lambda: gdcert.MatrixCompletion(0.1, COMPLETION_A, 2, np.ones((4, 4))), "mask columns"),
    (lambda: gdcert.MatrixCompletion(0.1, COMPLETION_A, 2, np.zeros((4, 5))),
     "mask observed entries"),
    (lambda: gdcert.MatrixCompletion(0.1, COMPLETION_A, 2, 1.5, 1), "mask density = 1.5"),
    (lambda: gdcert.MatrixCompletion(0.1, np.full((2, 2), np.inf), 1, 0.5, 1), "target A"),
    (lambda: gdcert.MatrixCompletion.random_low_rank(0.1, 5, 5, 0, 2, 0.5, 1), "target rank k"),
    (lambda: gdcert.sharpness(small_sensing(), np.zeros(14), "lanczos"), "method = 'lanczos'"),
    (lambda: gdcert.hessian_eigenpairs(small_sensing(), np.zeros(14), 14), "eigenvalue_count k"),
    (lambda: gdcert.hessian_eigenpairs(small_sensing(), np.zeros(14), tolerance=2.0),
     "tolerance"),
    (lambda: gdcert.hessian_eigenpairs(small_sensing(), np.zeros((2, 14))), "x number of axes"),
])
def test_invalid_parameters_raise_value_error_naming_them(make, message):
    with pytest.raises(ValueError, match="gdcert: .*is invalid; valid range") as error:
        make()
    assert message in str(error.value)


def test_lanczos_that_does_not_converge_raises_eigensolver_not_converged():
    problem = gdcert.MatrixSensing.gaussian(0.1, 20, 10, 10, 40, 2)
    x = np.random.default_rng(5).normal(size=problem.dimension)
    with pytest.raises(gdcert.EigensolverNotConverged, match="raise hessian_spectrum_options"):
        gdcert.hessian_eigenpairs(problem, x, 8, subspace_size=9, max_iterations=1,
                                  tolerance=1e-14)
    assert issubclass(gdcert.EigensolverNotConverged, RuntimeError)
