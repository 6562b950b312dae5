"""Certificates from Python: the recursion I(δ; GD(x)) = M·I(δ; x) + R (docs/formulas.md §3),
δ(x) as the root of δ ↦ I(δ; x) (§4), stacked calls equal one-state calls, thresholds (87)."""

import math

import numpy as np
import pytest

import gdcert

CERTIFICATES = [
    ("scalar", lambda: gdcert.ScalarCertificate(gdcert.ScalarFactorization(0.5))),
    ("scalar_vector", lambda: gdcert.ScalarVectorCertificate(gdcert.ScalarVectorFactorization(0.3, 3))),
    ("factorization", lambda: gdcert.FactorizationCertificate(gdcert.Rank1Factorization(0.8))),
    ("approximation", lambda: gdcert.ApproximationCertificate(gdcert.Rank1Approximation(0.4, 2))),
]


@pytest.fixture(params=CERTIFICATES, ids=[c[0] for c in CERTIFICATES])
def certificate(request):
    return request.param[1]()


def test_recursion_holds_at_random_points(certificate, rng):
    """I(δ; GD(x)) = M(δ; x)·I(δ; x) + R(δ; x): exact in ℚ (C++ tests), to rounding here."""
    problem = certificate.problem
    X = 0.7 * rng.normal(size=(50, problem.dimension))
    for delta in (0.3, 0.9, 1.7):
        lhs = certificate(delta, problem.step(X))
        rhs = certificate.multiplier(delta, X) * certificate(delta, X) + certificate.remainder(delta, X)
        np.testing.assert_allclose(lhs, rhs, rtol=1e-10, atol=1e-10)


def test_state_parameter_is_the_root_of_the_certificate(certificate, rng):
    """δ(x) ∈ (0, 2] with I(δ(x); x) = 0 (§4)."""
    X = 0.7 * rng.normal(size=(50, certificate.problem.dimension))
    delta = certificate.state_parameter(X)
    assert np.all((delta > 0) & (delta <= 2 + 1e-12))
    for x, d in zip(X, delta):
        if d < 2 - 1e-9:
            assert certificate(d, x) == pytest.approx(0, abs=1e-9)


def test_stacked_certificate_calls_equal_one_state_calls(certificate, rng):
    X = rng.normal(size=(9, certificate.problem.dimension))
    for name in ("multiplier", "remainder"):
        f = getattr(certificate, name)
        assert np.array_equal(f(1.1, X), np.array([f(1.1, x) for x in X]))
    assert np.array_equal(certificate(1.1, X), np.array([certificate(1.1, x) for x in X]))
    for name in ("state_parameter", "distance_to_terminal_set"):
        f = getattr(certificate, name)
        assert np.array_equal(f(X), np.array([f(x) for x in X]))


def test_readme_value_of_the_factorization_certificate():
    """README example: I_fac(0.8; (0.9, −0.4, 0.3, 0.2)) = −2.2496 and δ₀ = 1.357611 (17)."""
    c = gdcert.FactorizationCertificate(gdcert.Rank1Factorization(0.8))
    x = np.array([0.9, -0.4, 0.3, 0.2])
    assert c(0.8, x) == pytest.approx(-2.2496, abs=1e-12)
    assert c.state_parameter(x) == pytest.approx(1.357611, abs=1e-6)


def test_two_parameter_certificate_follows_its_branch():
    """I(δ, ξ(δ); x) with ξ(δ) = δ (approximation branch) or 4δ/(4 − δ²) (30, 368-370)."""
    problem = gdcert.DiagonalApproximation(0.2, 0.6)
    approximation = gdcert.TwoParameterCertificate(problem)
    factorization = gdcert.TwoParameterFactorizationCertificate(problem)
    x = np.array([0.5, 0.4, 0.3, 0.2])
    assert approximation.branch(1.2) == 1.2
    assert factorization.branch(1.2) == pytest.approx(4 * 1.2 / (4 - 1.44))
    assert approximation(1.2, x) == approximation(1.2, 1.2, x)
    delta = approximation.state_parameter(x)
    assert approximation(delta, x) == pytest.approx(0, abs=1e-9)
    with pytest.raises(ValueError, match="block parameter xi"):
        approximation(1.2, 5.0, x)


def test_thresholds_of_theorem_3():
    """q_η(δ) = ηδ² − 4(δ − η) and δ_th(η) = 2(1 − √(1 − η²))/η, its smaller root (87)."""
    eta = 0.6
    assert gdcert.remainder_coefficient(eta, 1.0) == pytest.approx(eta - 4 * (1 - eta))
    threshold = gdcert.threshold_state_parameter(eta)
    assert threshold == pytest.approx(2 * (1 - math.sqrt(1 - eta**2)) / eta)
    assert gdcert.remainder_coefficient(eta, threshold) == pytest.approx(0, abs=1e-14)
    with pytest.raises(ValueError, match="step size eta = 1.5"):
        gdcert.threshold_state_parameter(1.5)
    with pytest.raises(ValueError, match="state parameter delta = 2"):
        gdcert.FactorizationCertificate(gdcert.Rank1Factorization(0.8))(2.0, np.zeros(4))
