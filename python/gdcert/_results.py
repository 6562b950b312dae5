"""Pythonic front ends of the engines: keyword options, results as dataclasses of arrays."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from . import _gdcert


@dataclass(frozen=True)
class Trajectory:
    """A GD run x_0, …, x_T recorded every `stride` steps (and at T).

    steps: (K,) step indices t; loss: R(x_t); delta: δ_t = δ(x_t) of the certificate (None
    without one; never decreasing along GD, Proposition 2, docs/formulas.md §4); sharpness:
    λ_max(∇²R(x_t)) (None unless asked for); states: (K, d) (None unless asked for);
    final_state: x_T.
    """

    steps: np.ndarray
    loss: np.ndarray
    delta: Optional[np.ndarray]
    sharpness: Optional[np.ndarray]
    states: Optional[np.ndarray]
    final_state: np.ndarray


def trajectory(problem, x0, steps, *, certificate=None, stride=1, states=True, sharpness=False):
    """Runs `steps` GD steps from x0 (shape (d,)) and records loss, δ_t, sharpness and states.

    The loop runs in C++ without the GIL; `certificate` (of this problem) adds δ_t.
    """
    if steps < 0:
        raise ValueError(f"gdcert: steps = {steps} is invalid; valid range: steps >= 0")
    record = _gdcert._trajectory(problem, np.asarray(x0, dtype=float), int(steps), certificate,
                                 int(stride), bool(states), bool(sharpness))
    return Trajectory(**record)


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

    criteria: an OutcomeCriteria, or its fields as keywords (max_steps=…, escape_norm=…).
    """
    if criteria is None:
        criteria = _gdcert.OutcomeCriteria(**criteria_fields)
    elif criteria_fields:
        raise TypeError("pass either criteria or its fields as keywords, not both")
    return Classification(**_gdcert._classify(problem, np.asarray(x0, dtype=float), criteria,
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
