"""The speed of gdcert from Python on the Figure 4 data (20 panels of N × N, T = 400, certified
overlay; App. J.1): gdcert.sweep against NumPy vectorized over the grid, and against the same 20
sweeps called from C++ (figure4_sweep_cpp, built with the module's flags). One run; a report to
read, not a test.

    cmake --build build/test --target figure4_sweep_cpp
    PYTHONPATH=build/test/python python3 python/bench/figure4_speed.py build/test/python/figure4_sweep_cpp
"""

import json
import subprocess
import sys
import time

import numpy as np

import gdcert

STEP_SIZES = (0.2, 0.4, 0.8, 1.2)
OFF_SIGNAL = ((0.2, 0.2), (0.6, 0.6), (1.0, 1.0), (1.4, 1.4), (2.0, 0.0))


def numpy_panel(eta, u0, v0, n, steps=400, escape=1e6):
    """GD map (14) vectorized over the grid with NumPy, the overlay I_fac(η; x₀), the escape test
    at every step, and the minimizer test of App. J.1 at T."""
    axis = gdcert.GridAxis(-2.5, 2.5, n).values
    a, b = np.meshgrid(axis, axis)
    u, v = np.full_like(a, u0), np.full_like(a, v0)
    # the certified overlay I_fac(η; x₀) = Lη² + Sη − 4 (17): L the residual, S the total norm
    residual = 1 - a * b
    overlay = residual * eta * eta + (a * a + b * b + u * u + v * v) * eta - 4
    escaped = np.zeros(a.shape, dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            p, q = b * b + v * v, a * a + u * u
            a, b, u, v = (1 - eta * p) * a + eta * b, (1 - eta * q) * b + eta * a, \
                (1 - eta * p) * u, (1 - eta * q) * v
            escaped |= ~(a * a + b * b + u * u + v * v <= escape * escape)
    return overlay < 0, (~escaped) & (u * u + v * v < 1e-2) & (np.abs(1 - a * b) < 1e-2)


def gdcert_panel(eta, u0, v0, n):
    problem = gdcert.Rank1Factorization(eta)
    plane = gdcert.coordinate_plane(problem, [0, 0, u0, v0], 0, (-2.5, 2.5, n), 1, (-2.5, 2.5, n))
    return gdcert.sweep(problem, plane, certificate=gdcert.FactorizationCertificate(problem),
                        max_steps=400, escape_norm=1e6, progress=False)


def best_of(repeats, work):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        value = work()
        best = min(best, time.perf_counter() - start)
    return best, value


def main():
    n = 200
    cpp = sys.argv[1] if len(sys.argv) > 1 else None
    sweep_seconds, results = best_of(3, lambda: [gdcert_panel(e, u, v, n) for e in STEP_SIZES
                                                 for u, v in OFF_SIGNAL])
    minimizers = sum(r.counts["minimizer"] for r in results)
    numpy_seconds, _ = best_of(1, lambda: [numpy_panel(e, u, v, n) for e in STEP_SIZES
                                           for u, v in OFF_SIGNAL])
    print(f"Figure 4 data, 20 panels of {n}^2, T = 400, certified overlay (one run each, best of 3 "
          f"for the sweeps):")
    print(f"  gdcert.sweep from Python : {sweep_seconds:8.3f} s  ({minimizers} minimizers)")
    print(f"  NumPy over the grid      : {numpy_seconds:8.3f} s  -> gdcert is "
          f"{numpy_seconds / sweep_seconds:.1f}x faster")
    if cpp:
        report = json.loads(subprocess.run([cpp, str(n), "3"], check=True, capture_output=True,
                                           text=True).stdout)
        print(f"  the same sweeps from C++ : {report['seconds']:8.3f} s  ({report['minimizers']} "
              f"minimizers) -> Python / C++ = {sweep_seconds / report['seconds']:.3f}")


if __name__ == "__main__":
    main()
