"""Pythonic front ends of the engines: keyword options, results as dataclasses of arrays."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

import numpy as np

from . import _gdcert


def _is_factor_pair(problem, x):
    """Whether x is the pair of factors (X, Y) of a matrix problem rather than a flat state."""
    return (hasattr(problem, "factor_shapes") and isinstance(x, (tuple, list)) and len(x) == 2
            and all(np.ndim(f) in (2, 3) for f in x))


def _flat_state(problem, x):
    """x as float64 coordinates: a flat state (d,) or (N, d) as given, or for the matrix problems
    (MatrixFactorization, MatrixSensing, MatrixCompletion) a pair of factors (X, Y) of shapes
    problem.factor_shapes (or stacks (N, rows, r)) through problem.state."""
    if _is_factor_pair(problem, x):
        return problem.state(np.asarray(x[0], dtype=float), np.asarray(x[1], dtype=float))
    return np.asarray(x, dtype=float)


@dataclass(frozen=True)
class Trajectory:
    """A GD run x_0, …, x_T recorded every `stride` steps (and at T).

    steps: (K,) step indices t; loss: R(x_t); delta: δ_t = δ(x_t) of the certificate (None
    without one; never decreasing along GD, Proposition 2, docs/formulas.md §4); sharpness:
    λ_max(∇²R(x_t)) (None unless asked for; by Lanczos on Hessian-vector products above
    dense_sharpness_limit coordinates); states: (K, d) (None unless asked for); final_state: x_T.
    For the matrix problems also factor_norms: (K, 2), the Frobenius norms ‖X_t‖_F, ‖Y_t‖_F of
    the two factors (‖A_t‖_F, ‖B_t‖_F for MatrixFactorization); and, with states, factors: the
    stacks (K, rows, r) of each factor (views of states; shapes problem.factor_shapes).
    """

    steps: np.ndarray
    loss: np.ndarray
    delta: Optional[np.ndarray]
    sharpness: Optional[np.ndarray]
    states: Optional[np.ndarray]
    final_state: np.ndarray
    factor_norms: Optional[np.ndarray] = None
    factors: Optional[Tuple[np.ndarray, np.ndarray]] = None


def _factor_views(problem, states):
    """The stacks (K, rows, r) of the two factors as views of the (K, d) states (vec column-major:
    entry (i, j) of the first factor is coordinate i + rows·j)."""
    (rows1, r), (rows2, _) = problem.factor_shapes
    count = states.shape[0]
    first = states[:, : rows1 * r].reshape(count, r, rows1).transpose(0, 2, 1)
    second = states[:, rows1 * r :].reshape(count, r, rows2).transpose(0, 2, 1)
    return first, second


def trajectory(problem, x0, steps, *, certificate=None, stride=1, states=True, sharpness=False):
    """Runs `steps` GD steps from x0 and records loss, δ_t, sharpness and states.

    x0: a state (d,), or for the matrix problems the pair of factors (X0, Y0) of shapes
    problem.factor_shapes ((A0, B0) for MatrixFactorization). The loop runs in C++ without the
    GIL, with the problem's in-place step where it has one (the matrix problems: the same bits as
    `step`); `certificate` (of this problem) adds δ_t.
    """
    if steps < 0:
        raise ValueError(f"gdcert: steps = {steps} is invalid; valid range: steps >= 0")
    record = _gdcert._trajectory(problem, _flat_state(problem, x0), int(steps), certificate,
                                 int(stride), bool(states), bool(sharpness))
    factors = None
    if record["factor_norms"] is not None and record["states"] is not None:
        factors = _factor_views(problem, record["states"])
    return Trajectory(**record, factors=factors)


@dataclass(frozen=True)
class Classification:
    """The outcome of one GD run under the rules of OutcomeCriteria (analysis/classify.hpp).

    label: Outcome (minimizer, saddle, periodic, diverged or undecided); decision_step: when it
    was decided; period: p for periodic (1 for a stationary point); orbit: (p, d) points of a
    cycle; sharpness_ratio: λ_max·η/2 (> 1 beyond the 2/η threshold); certificate: with a
    certificate, a dict with I(η; x₀), certified, δ₀, δ_T, monotone, largest_decrease.
    """

    label: _gdcert.Outcome
    decision_step: int
    steps: int
    final_state: np.ndarray
    final_loss: float
    final_norm: float
    final_step: float
    distance_to_minimizers: float
    sharpness: float
    sharpness_ratio: float
    residual: Optional[float]
    imbalance: Optional[float]
    period: int
    orbit: np.ndarray
    certificate: Optional[dict]


def classify(problem, x0, *, certificate=None, criteria=None, **criteria_fields):
    """Runs GD from x0 and labels the trajectory (docs/formulas.md §4-6).

    x0: a state (d,), or the pair of factors (X0, Y0) of a matrix problem (as for trajectory).

    criteria: an OutcomeCriteria, or its fields as keywords (max_steps=…, escape_norm=…).
    """
    if criteria is None:
        criteria = _gdcert.OutcomeCriteria(**criteria_fields)
    elif criteria_fields:
        raise TypeError("pass either criteria or its fields as keywords, not both")
    return Classification(**_gdcert._classify(problem, _flat_state(problem, x0), criteria,
                                              certificate))


def sweep(problem, plane, *, certificate=None, criteria=None, check_interval=128, first_check=128,
          flush_subnormals=True, keep_final_states=False, track_state_parameter=False, threads=0,
          progress=True, tile=256, **criteria_fields):
    """Classifies every initial point of `plane` (coordinate_plane or random_plane) under GD.

    Lane packs of SIMD registers and `threads` workers (0: all cores) run the points; results are
    bit-identical for any thread count. With `certificate`, the overlay is I(η; x₀) (negative:
    certified) and track_state_parameter checks Proposition 2 at every step
    (SweepResult.state_parameter_drop). Returns a SweepResult whose arrays view the C++ result
    without copies. Ctrl-C stops the sweep within one check interval (KeyboardInterrupt).
    """
    if criteria is None:
        criteria = _gdcert.OutcomeCriteria(**criteria_fields)
    elif criteria_fields:
        raise TypeError("pass either criteria or its fields as keywords, not both")
    options = _gdcert.SweepOptions(criteria=criteria, check_interval=check_interval,
                                   first_check=first_check, flush_subnormals=flush_subnormals,
                                   keep_final_states=keep_final_states,
                                   track_state_parameter=track_state_parameter)
    return _gdcert._sweep(problem, plane, options, certificate, int(threads), bool(progress),
                          int(tile))


@dataclass(frozen=True)
class Orbit:
    """A periodic orbit found by Newton's method on G^p(x) − x (stability/periodic_orbit.hpp).

    points: (p, d); status: 'converged', 'iteration_limit', 'diverged' or 'not_finite';
    multipliers: eigenvalues of the monodromy D G^p(x₀) (complex); stability: 'attracting',
    'repelling', 'saddle' or 'non_hyperbolic'.
    """

    points: np.ndarray
    period: int
    minimal_period: int
    status: str
    converged: bool
    iterations: int
    residual: float
    newton_rank: int
    multipliers: np.ndarray
    spectral_radius: float
    stability: str
    monodromy: np.ndarray


def find_periodic_orbit(problem, start, period, *, max_iterations=100, tolerance=1e-13,
                        escape_norm=1e8):
    """Newton's method for a period-`period` orbit of the GD map from `start` (shape (d,))."""
    return Orbit(**_gdcert._find_periodic_orbit(problem, np.asarray(start, dtype=float),
                                                int(period), int(max_iterations),
                                                float(tolerance), float(escape_norm)))


def sharpness(problem, x, method="automatic"):
    """λ_max(∇²R(x)) of one state (d,) (a float) or of each row of an (N, d) array, by the route
    `method` names (gdcert::sharpness, analysis/iterate.hpp):

    - "automatic": by Lanczos on Hessian-vector products for the matrix problems above
      gdcert.dense_sharpness_limit coordinates, else "dense" (what problem.sharpness gives);
    - "dense": the closed form where the problem has one, else the largest eigenvalue of the
      d × d Hessian;
    - "matrix_free": implicitly restarted Lanczos (Spectra) on Hessian-vector products (the
      problem's own, or forward-mode jets), relative tolerance 1e-10, no d × d matrix; raises
      EigensolverNotConverged (a RuntimeError) if it does not converge.

    x may also be the pair of factors (X, Y) of a matrix problem.
    """
    return _gdcert._sharpness(problem, _flat_state(problem, x), str(method))


@dataclass(frozen=True)
class HessianEigenpairs:
    """The k largest eigenvalues of ∇²R(x) by Lanczos (stability/hessian_spectrum.hpp).

    eigenvalues: (k,), descending; eigenvectors: (d, k) unit columns in coordinate order (None
    unless asked for); iterations: restarts of the Lanczos iteration; products: Hessian-vector
    products evaluated; converged: always True (a run that does not converge raises
    EigensolverNotConverged).
    """

    eigenvalues: np.ndarray
    eigenvectors: Optional[np.ndarray]
    iterations: int
    products: int
    converged: bool


def hessian_eigenpairs(problem, x, k=1, *, eigenvectors=False, subspace_size=0,
                       max_iterations=1000, tolerance=1e-10):
    """The k largest (algebraic) eigenvalues of ∇²R(x) at one state x (d,) (or a matrix problem's
    factors (X, Y)), and on request their eigenvectors, by implicitly restarted Lanczos on
    Hessian-vector products: no d × d matrix is formed.

    k: 1 <= k <= d − 1; subspace_size: the Krylov subspace ncv, 0 (automatic: min(d, max(2k + 1,
    20))) or k < ncv <= d; max_iterations: restarts, >= 1; tolerance: relative, in (0, 1).
    Invalid options raise ValueError naming them; no convergence raises EigensolverNotConverged.
    """
    return HessianEigenpairs(**_gdcert._hessian_eigenpairs(
        problem, _flat_state(problem, x), int(k), bool(eigenvectors), int(subspace_size),
        int(max_iterations), float(tolerance)))
