"""Boundary scans and pass/fail maps (Apps L-M), box counting, the quotient map F [LM], the
2-cycle (182-189), periodic orbits and the rigorous verifier from Python (docs/formulas.md §5-8)."""

import fractions
import math

import numpy as np
import pytest

import gdcert


def test_direction_sets_have_the_published_shape():
    table = gdcert.cube_boundary_directions(2, 5)
    assert table.shape[0] == 2 and np.all(np.abs(table).max(axis=0) == 1)
    sphere = gdcert.sphere_directions(3, 100, seed=3)
    np.testing.assert_allclose(np.linalg.norm(sphere, axis=0), 1, atol=1e-12)


def test_quartic_pass_fail_map_passes_above_the_threshold_and_fails_below_eta():
    """App. M: I_sc(δ) fails for δ < η (R > 0, (12-13)) and passes for δ above δ_th(η)."""
    directions = gdcert.cube_boundary_directions(2, 201)
    etas = np.array([0.2, 0.4])
    deltas = np.array([0.1, 1.0, 1.5])
    m = gdcert.step_size_pass_fail_map(0.0, etas, deltas, directions=directions, progress=False)
    assert m.shape == (2, 3) and m.row_name == "eta" and m.column_name == "delta"
    passed = m.passed
    assert not passed[1, 0] and passed[0, 1] and passed[1, 1]
    thresholds = m.empirical_thresholds()
    assert thresholds[0][0] == 0.2 and thresholds[0][1] <= 1.0


def test_two_parameter_pass_fail_map_on_a_coarse_grid():
    problem = gdcert.DiagonalApproximation(0.2, 0.6)
    directions = gdcert.cube_boundary_directions(4, 9)
    m = gdcert.two_parameter_pass_fail_map(problem, np.array([0.5, 1.2]), np.array([0.5, 1.2]),
                                           directions=directions, progress=False)
    assert m.shape == (2, 2) and m.passed.dtype == bool
    assert np.all(np.isfinite(m.worst))
    with pytest.raises(ValueError, match="direction table rows"):
        gdcert.two_parameter_pass_fail_map(problem, directions=gdcert.cube_boundary_directions(2, 5),
                                           progress=False)


def test_boundary_scan_of_a_user_quadratic_certificate():
    """xᵀPx − 1 with P = I/r² around the minimizer-free origin of the scalar problem."""
    problem = gdcert.ScalarFactorization(0.5)
    result = gdcert.boundary_scan(problem, np.eye(2) * 4.0, gdcert.sphere_directions(2, 64),
                                  progress=False)
    assert set(result) >= {"worst", "passed", "point", "image"}
    assert result["point"] @ (4.0 * result["point"]) == pytest.approx(1)


def test_box_counting_of_a_segment_and_of_a_label_boundary_is_one():
    t = np.linspace(0, 1, 20000)
    segment = np.stack([t, 0.5 * t], axis=1)
    assert gdcert.box_counting(segment)["dimension"] == pytest.approx(1, abs=0.05)
    labels = np.zeros((400, 400), dtype=np.uint8)
    labels[:, 200:] = 1
    assert gdcert.box_counting_boundary(labels)["dimension"] == pytest.approx(1, abs=0.05)
    with pytest.raises(ValueError, match="points shape"):
        gdcert.box_counting(np.zeros((5, 3)))


def test_quotient_map_commutes_with_the_gd_map():
    """F(T(u, v)) = T(GD(u, v)) [LM App. D], stacked and one by one alike."""
    problem = gdcert.RegularizedFactorization(0.3, 2, 1.0, 0.1)
    f = gdcert.QuotientMap(problem)
    X = np.random.default_rng(5).normal(size=(13, 4))
    zw = f.quotient(problem, X)
    np.testing.assert_allclose(f(zw), f.quotient(problem, problem.step(X)), rtol=1e-12, atol=1e-12)
    assert np.array_equal(f(zw), np.array([f(p) for p in zw]))
    np.testing.assert_allclose(f.iterate(zw, 2), f(f(zw)), rtol=0, atol=0)
    assert np.all(f.in_state_space(zw) == 1)


def test_two_cycle_formulas():
    """L± = (η − 1 ± √((η − 1)(η + 3)))/(2η), μ_η = 7 − 4η − 2η², S± = 2 − 3L± (182-189)."""
    eta = 1.2
    lower, upper = gdcert.balanced_two_cycle(eta)
    root = math.sqrt((eta - 1) * (eta + 3))
    assert (lower, upper) == pytest.approx(((eta - 1 - root) / (2 * eta), (eta - 1 + root) / (2 * eta)))
    assert gdcert.balanced_residual_map(eta, lower) == pytest.approx(upper)
    assert gdcert.two_cycle_multiplier(eta) == pytest.approx(7 - 4 * eta - 2 * eta**2)
    assert gdcert.two_cycle_attracting(eta) and not gdcert.two_cycle_attracting(1.5)
    assert gdcert.balanced_two_cycle_sharpness(eta) == pytest.approx((2 - 3 * lower, 2 - 3 * upper))


def test_find_periodic_orbit_returns_the_balanced_two_cycle_and_its_multipliers():
    lower, upper = gdcert.balanced_two_cycle(1.2)
    start = math.sqrt(1 - lower) + 1e-3  # near the balanced point with L = 1 − ab = L−
    orbit = gdcert.find_periodic_orbit(gdcert.ScalarFactorization(1.2), [start, start], 2)
    assert orbit.converged and orbit.minimal_period == 2 and orbit.points.shape == (2, 2)
    np.testing.assert_allclose(sorted(1 - a * b for a, b in orbit.points), [lower, upper],
                               atol=1e-10)
    assert orbit.multipliers.dtype == complex
    assert orbit.stability in ("attracting", "repelling", "saddle", "non_hyperbolic")


def test_verifier_proves_and_refutes_exactly():
    """I_sc(1.2) is inward at η = 0.5; δ = 0.3 < η gives an exact counterexample (12-13)."""
    certificate = gdcert.ScalarCertificate(gdcert.ScalarFactorization(0.5))
    proved = gdcert.verify_inwardness(certificate, 1.2, progress=False)
    assert proved["status"] == "proved" and proved["certified_bound"] <= 0
    refuted = gdcert.verify_inwardness(certificate, 0.3, progress=False)
    assert refuted["status"] == "counterexample"
    example = refuted["counterexample"]
    assert example["exact_check"]
    assert fractions.Fraction(example["inside_value"]) < 0 < fractions.Fraction(example["image_value"])
    quartic = gdcert.verify_inwardness(gdcert.ScalarCertificate(gdcert.ScalarFactorization(0.4)),
                                       1.0, problem=gdcert.QuarticFactorization(0.4, 1 / 16),
                                       progress=False)
    assert quartic["status"] == "proved"
    with pytest.raises(ValueError, match="stationary"):
        gdcert.verify_inwardness(certificate, 1.2, stationary_margin=-1.0, progress=False)


def test_plots_draw_basins_pass_fail_maps_and_delta_curves(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import gdcert.plot

    problem = gdcert.Rank1Factorization(0.8)
    certificate = gdcert.FactorizationCertificate(problem)
    plane = gdcert.coordinate_plane(problem, [0, 0, 0.2, 0.2], 0, (-2.5, 2.5, 40), 1, (-2.5, 2.5, 40))
    ax = gdcert.plot.basin_map(gdcert.sweep(problem, plane, certificate=certificate,
                                            max_steps=400, progress=False), xlabel="a₀", ylabel="b₀")
    assert ax.get_xlabel() == "a₀" and ax.get_legend() is not None
    ax.figure.savefig(tmp_path / "basin.png")
    m = gdcert.step_size_pass_fail_map(0.0, np.array([0.2, 0.4]), np.array([0.5, 1.0]),
                                       directions=gdcert.cube_boundary_directions(2, 41),
                                       progress=False)
    gdcert.plot.pass_fail_map(m).figure.savefig(tmp_path / "map.png")
    run = gdcert.trajectory(problem, [0.9, -0.4, 0.3, 0.2], 30, certificate=certificate)
    gdcert.plot.delta_curves([run], labels=["x₀"]).figure.savefig(tmp_path / "delta.png")
    assert all((tmp_path / f).stat().st_size > 1000 for f in ("basin.png", "map.png", "delta.png"))
