#!/usr/bin/env python3
"""The GD step of matrix factorization, gdcert against NumPy, in one run (docs/performance.md,
"Matrix step").

For each size, alternately, three rounds of: NumPy's three-line loop (what a user writes; with
OpenBLAS when libopenblas0-pthread is installed, which this script reports; the median step over
0.2 s) and bench/matrix_step_bench (gdcert's in-place fused step on one core and on all cores, the
median step over 0.2 s, with its roofline fraction); each side's best round is reported. Prints a
Markdown table. Run from a Release benchmark build:

    /usr/bin/python3 bench/matrix_step_table.py build/bench/bench/matrix_step_bench
"""
import json
import subprocess
import sys
import time

import numpy as np


def blas_library():
    with open("/proc/self/maps") as maps:
        text = maps.read()
    for name in ("openblas", "blis", "mkl", "libblas"):
        if name in text:
            return name
    return "unknown"


def numpy_step_seconds(m, r, seconds=0.5):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((m, m))
    A = 0.1 * rng.standard_normal((m, r))
    B = 0.1 * rng.standard_normal((m, r))
    eta = 1e-4
    times = []
    spent = 0.0
    while spent < seconds or len(times) < 5:
        start = time.perf_counter()
        R = B @ A.T - X
        A, B = A - eta * (R.T @ B), B - eta * (R @ A)
        times.append(time.perf_counter() - start)
        spent += times[-1]
    times.sort()
    return times[len(times) // 2]


def gdcert_step(binary, m, r):
    out = subprocess.run(
        [binary, f"--benchmark_filter=matrix_step/{m}/{r}/", "--benchmark_format=json",
         "--benchmark_min_time=0.2"], check=True, capture_output=True, text=True).stdout
    rows = {}
    for b in json.loads(out)["benchmarks"]:
        threads = int(b["name"].split("/")[3])
        rows[threads] = (b["median_us"] * 1e-6, b["median_roofline_fraction"], int(b["threads"]))
    return rows


ROUNDS = 3


def main():
    binary = sys.argv[1]
    sizes = [(m, r) for m in (6, 32, 100, 300, 1000) for r in (1, 3, 10, 100) if r <= m]
    print(f"NumPy {np.__version__} with BLAS: {blas_library()}; "
          f"{time.strftime('%Y-%m-%d %H:%M')}, one run (best of {ROUNDS} alternating rounds)")
    print("| m = n | r | NumPy (µs) | gdcert 1 core (µs) | gdcert all cores (µs) | "
          "NumPy / gdcert | roofline fraction |")
    print("|---|---|---|---|---|---|---|")
    for m, r in sizes:
        # Alternating rounds, the best of each side: this machine's speed drifts by up to 2x
        # within seconds (other tenants), and a drift that hits one side only is not a result.
        numpy, one, all_cores = float("inf"), (float("inf"),), (float("inf"),)
        for _ in range(ROUNDS):
            numpy = min(numpy, numpy_step_seconds(m, r, seconds=0.2))
            rows = gdcert_step(binary, m, r)
            one, all_cores = min(one, rows[1]), min(all_cores, rows[0])
        best = min(one[0], all_cores[0])
        fraction = all_cores[1] if all_cores[0] <= one[0] else one[1]
        print(f"| {m} | {r} | {numpy * 1e6:.1f} | {one[0] * 1e6:.1f} | "
              f"{all_cores[0] * 1e6:.1f} ({all_cores[2]} thread{'s' if all_cores[2] != 1 else ''}) | "
              f"{numpy / best:.1f} | "
              f"{fraction:.2f} |", flush=True)


if __name__ == "__main__":
    main()
