"""Trajectories, classify and sweeps from Python against the maps themselves and against a plain
NumPy loop over one Figure 4 panel (App. J.1, docs/formulas.md §8)."""

import numpy as np
import pytest

import gdcert


def test_trajectory_records_the_maps_own_iterates_and_delta_never_decreases():
    """states[t+1] = step(states[t]); δ_t non-decreasing along a certified run (Proposition 2)."""
    problem = gdcert.Rank1Factorization(0.8)
    certificate = gdcert.FactorizationCertificate(problem)
    run = gdcert.trajectory(problem, [0.9, -0.4, 0.3, 0.2], 30, certificate=certificate,
                            sharpness=True)
    assert run.states.shape == (31, 4)
    assert np.array_equal(run.states[1:], problem.step(run.states[:-1]))
    assert np.array_equal(run.loss, problem.loss(run.states))
    assert np.array_equal(run.delta, certificate.state_parameter(run.states))
    assert np.all(np.diff(run.delta) >= -1e-12)
    assert run.delta[0] == pytest.approx(1.357611, abs=1e-6)  # README
    assert run.delta[-1] == pytest.approx(1.999966, abs=1e-6)
    assert np.array_equal(run.sharpness, problem.sharpness(run.states))


def test_trajectory_stride_keeps_the_last_state():
    problem = gdcert.ScalarFactorization(0.5)
    run = gdcert.trajectory(problem, [1.5, 0.2], 10, stride=4)
    assert run.steps.tolist() == [0, 4, 8, 10]
    assert np.array_equal(run.final_state, run.states[-1])
    assert run.delta is None


def test_classify_labels_a_minimizer_and_a_two_cycle():
    """Below 2/S GD converges to M*; at η = 1.2 the balanced run locks onto {L−, L+} (182-184)."""
    problem = gdcert.Rank1Factorization(0.8)
    result = gdcert.classify(problem, [0.9, -0.4, 0.3, 0.2],
                             certificate=gdcert.FactorizationCertificate(problem))
    assert result.label == gdcert.Outcome.minimizer
    assert result.certificate["certified"] and result.certificate["monotone"]
    scalar = gdcert.ScalarFactorization(1.2)
    cycle = gdcert.classify(scalar, [0.8, 0.8], max_steps=5000)
    assert cycle.label == gdcert.Outcome.periodic and cycle.period == 2
    lower, upper = gdcert.balanced_two_cycle(1.2)
    residuals = sorted(1 - a * b for a, b in cycle.orbit)  # L = 1 − ab
    np.testing.assert_allclose(residuals, [lower, upper], atol=1e-8)
    with pytest.raises(ValueError, match="criteria.max_period = 9"):
        gdcert.classify(scalar, [0.8, 0.8], max_period=9)


def numpy_figure4_verdicts(eta, u0, v0, n, steps=400, escape=1e6, tolerance=1e-2):
    """App. J.1 as a plain NumPy loop over the grid: GD map (14) vectorized over all points;
    0 converged (u² + v² < tol and |1 − ab| < tol at T), 1 not converged, 2 diverged (norm above
    1e6 at some step)."""
    axis = gdcert.GridAxis(-2.5, 2.5, n).values
    a, b = np.meshgrid(axis, axis)  # rows: b, columns: a
    u, v = np.full_like(a, u0), np.full_like(a, v0)
    escaped = np.zeros(a.shape, dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            p, q = b * b + v * v, a * a + u * u
            a, b, u, v = (1 - eta * p) * a + eta * b, (1 - eta * q) * b + eta * a, \
                (1 - eta * p) * u, (1 - eta * q) * v
            escaped |= ~(a * a + b * b + u * u + v * v <= escape * escape)
    converged = (u * u + v * v < tolerance) & (np.abs(1 - a * b) < tolerance) & ~escaped
    return np.where(escaped, 2, np.where(converged, 0, 1))


def sweep_verdicts(result, tolerance=1e-2):
    labels = np.asarray(result.labels)
    final = np.asarray(result.final_states)
    at_limit = (final[..., 2] ** 2 + final[..., 3] ** 2 < tolerance) & \
        (np.abs(1 - final[..., 0] * final[..., 1]) < tolerance)
    converged = (labels == 1) | ((labels == 0) & at_limit)
    return np.where(labels == 4, 2, np.where(converged, 0, 1))


@pytest.mark.parametrize("eta, u0, v0", [(0.8, 0.2, 0.2), (0.4, 1.4, 1.4)])
def test_sweep_verdicts_equal_a_plain_numpy_loop_on_a_figure4_panel(eta, u0, v0):
    problem = gdcert.Rank1Factorization(eta)
    plane = gdcert.coordinate_plane(problem, [0, 0, u0, v0], 0, (-2.5, 2.5, 200), 1,
                                    (-2.5, 2.5, 200))
    result = gdcert.sweep(problem, plane, certificate=gdcert.FactorizationCertificate(problem),
                          max_steps=400, escape_norm=1e6, keep_final_states=True, progress=False)
    assert result.shape == (200, 200)
    reference = numpy_figure4_verdicts(eta, u0, v0, 200)
    assert np.array_equal(sweep_verdicts(result), reference)
    # the overlay is I_fac(η; x₀) at the plane's points
    points = plane.points().reshape(-1, 4)
    certificate = gdcert.FactorizationCertificate(problem)
    assert np.array_equal(np.asarray(result.overlay).ravel(), certificate(eta, points))


def test_sweep_results_view_the_c_plus_plus_vectors_and_are_thread_count_independent():
    problem = gdcert.ScalarFactorization(0.8)
    plane = gdcert.coordinate_plane(problem, [0, 0], 0, (-3, 3, 90), 1, (-3, 3, 70))
    one = gdcert.sweep(problem, plane, threads=1, progress=False, max_steps=400)
    two = gdcert.sweep(problem, plane, threads=2, progress=False, max_steps=400, tile=7)
    labels = one.labels
    assert labels.shape == (70, 90) and labels.dtype == np.uint8
    assert not labels.flags.writeable and not labels.flags.owndata  # a view, no copy
    assert labels.base is not None
    for name in ("labels", "decision_steps", "final_loss", "final_sharpness"):
        assert np.array_equal(getattr(one, name), getattr(two, name), equal_nan=True), name
    assert sum(one.counts.values()) == 90 * 70
    np.testing.assert_array_equal(one.x, gdcert.GridAxis(-3, 3, 90).values)
    del one
    assert labels.sum() >= 0  # the view keeps the result alive


def test_sweep_tracks_delta_and_checks_proposition_2():
    problem = gdcert.Rank1Factorization(0.4)
    plane = gdcert.coordinate_plane(problem, [0, 0, 0.6, 0.6], 0, (-2.5, 2.5, 40), 1,
                                    (-2.5, 2.5, 40))
    r = gdcert.sweep(problem, plane, certificate=gdcert.FactorizationCertificate(problem),
                     track_state_parameter=True, max_steps=400, progress=False)
    certified = np.asarray(r.overlay) < 0
    assert certified.any()
    assert np.all(np.asarray(r.state_parameter_drop)[certified] <= 1e-12)
    with pytest.raises(ValueError, match="track_state_parameter"):
        gdcert.sweep(problem, plane, track_state_parameter=True, progress=False)


def test_sweep_errors_name_the_parameter():
    problem = gdcert.Rank1Factorization(0.4)
    with pytest.raises(ValueError, match="x_axis.resolution = 0"):
        gdcert.coordinate_plane(problem, [0, 0, 0, 0], 0, (-1, 1, 0), 1, (-1, 1, 3))
    with pytest.raises(ValueError, match="second coordinate index = 4"):
        gdcert.coordinate_plane(problem, [0, 0, 0, 0], 0, (-1, 1, 3), 4, (-1, 1, 3))
    plane = gdcert.coordinate_plane(problem, [0, 0, 0, 0], 0, (-1, 1, 3), 1, (-1, 1, 3))
    with pytest.raises(ValueError, match="certificate"):
        gdcert.sweep(problem, plane, certificate=gdcert.ScalarCertificate(
            gdcert.ScalarFactorization(0.4)), progress=False)
    with pytest.raises(ValueError, match="check_interval = 0"):
        gdcert.sweep(problem, plane, check_interval=0, progress=False)


def test_random_plane_of_the_five_dimensional_scalar_vector_problem():
    problem = gdcert.ScalarVectorFactorization(0.5, 5)
    centre = np.full(10, 0.45)
    plane = gdcert.random_plane(problem, centre, 7, (-1, 1, 20), (-1, 1, 20))
    assert plane.seed == 7
    r = gdcert.sweep(problem, plane, progress=False, max_steps=2000,
                     certificate=gdcert.ScalarVectorCertificate(problem))
    assert r.shape == (20, 20) and r.counts["minimizer"] > 0
