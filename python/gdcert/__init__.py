"""gdcert: gradient descent with large step sizes on factorization problems, from Python.

NumPy in, NumPy out, at C++ speed: the problems' GD maps and the state-dependent certificates
I(δ; x) of the paper (docs/bibliography.md [SDL]), evaluated on one state of shape (d,) or on a
stack (N, d) with SIMD lanes underneath; trajectories, classify, basin sweeps on the library's
threads, the one-step boundary tests and pass/fail maps of Apps L-M, box counting, the quotient
map F of Liang & Montúfar, periodic orbits and the rigorous interval verifier; the matrix problems
(factorization, sensing, completion) with states as their two factors, and the Hessian's top
eigenpairs by Lanczos on Hessian-vector products.

Every formula cited in a docstring ("(14)", "docs/formulas.md §4") is written out in the
repository's docs/formulas.md. Invalid input raises ValueError with the C++ library's message,
which names the parameter and its valid range. Long calls release the GIL, run on the library's
threads, draw its progress bar on a terminal, and stop on Ctrl-C (KeyboardInterrupt).
"""

from ._gdcert import (  # noqa: F401  (the public names of the compiled core)
    __version__,
    ApproximationCertificate,
    Cancelled,
    DiagonalApproximation,
    EigensolverNotConverged,
    FactorizationCertificate,
    GridAxis,
    MatrixCompletion,
    MatrixFactorization,
    MatrixSensing,
    Outcome,
    OutcomeCriteria,
    PassFailMap,
    QuarticFactorization,
    QuotientMap,
    Rank1Approximation,
    Rank1Factorization,
    RegularizedFactorization,
    ScalarCertificate,
    ScalarFactorization,
    ScalarVectorCertificate,
    ScalarVectorFactorization,
    SweepOptions,
    SweepPlane,
    SweepResult,
    ThreadStartError,
    TwoParameterCertificate,
    TwoParameterFactorizationCertificate,
    balanced_residual_map,
    balanced_two_cycle,
    balanced_two_cycle_sharpness,
    box_counting,
    box_counting_boundary,
    boundary_scan,
    coordinate_plane,
    cube_boundary_directions,
    dense_sharpness_limit,
    published_delta_axis,
    published_xi_axis,
    random_plane,
    remainder_coefficient,
    sphere_directions,
    step_size_pass_fail_map,
    threshold_state_parameter,
    two_cycle_attracting,
    two_cycle_multiplier,
    two_parameter_pass_fail_map,
    verify_inwardness,
)
from ._results import (  # noqa: F401
    Classification,
    HessianEigenpairs,
    Orbit,
    Trajectory,
    classify,
    find_periodic_orbit,
    hessian_eigenpairs,
    sharpness,
    sweep,
    trajectory,
)

OUTCOME_NAMES = ("undecided", "minimizer", "saddle", "periodic", "diverged")
"""Names of the outcome codes of SweepResult.labels, by value (analysis/outcome.hpp)."""
