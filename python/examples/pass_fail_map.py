"""Figures 7-8 / Appendix L from Python: the pass/fail map of the two-parameter certificate
I(δ, ξ) (30) for X = diag(1, σ), η = 0.2, on the published (δ, ξ) grid, and the empirical
threshold it implies (docs/formulas.md §8).

    python3 python/examples/pass_fail_map.py [--quick] [--sigma S] [--output DIR]
"""

import argparse
import os
import time

import numpy as np

import gdcert


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 17^4 direction grid (CTest)")
    parser.add_argument("--sigma", type=float, default=0.6)
    parser.add_argument("--output", default="output")
    args = parser.parse_args()
    os.makedirs(args.output, exist_ok=True)
    points = 17 if args.quick else 41  # published: the boundary of a 41⁴ grid of [−1, 1]⁴
    problem = gdcert.DiagonalApproximation(0.2, args.sigma)
    directions = gdcert.cube_boundary_directions(4, points)
    start = time.perf_counter()
    m = gdcert.two_parameter_pass_fail_map(problem, directions=directions)
    seconds = time.perf_counter() - start
    passed = m.passed
    print(f"App. L, sigma = {args.sigma}, eta = 0.2: {m.shape[0]} x {m.shape[1]} (delta, xi) "
          f"pairs, {m.directions} directions, {seconds:.2f} s")
    print(f"passing pairs: {passed.sum()} of {passed.size}")
    threshold = m.empirical_threshold()
    delta_th = gdcert.threshold_state_parameter(0.2)
    print(f"smallest passing delta: {threshold:.2f}; delta_th(0.2) = {delta_th:.4f} (Theorem 3)")
    # Proposition 3 needs δ > δ_th(η): no row below δ_th can pass with ξ = δ (the branch).
    branch_rows = [i for i, d in enumerate(m.rows) if d in m.columns.tolist()]
    branch_ok = all(not passed[i, m.columns.tolist().index(m.rows[i])]
                    for i in branch_rows if m.rows[i] < delta_th)
    print(("PASS:" if branch_ok else "FAIL:") +
          " no branch pair (delta, xi = delta) below delta_th passes (Proposition 3, (87))")
    good = passed.any()
    print(("PASS:" if good else "FAIL:") + " the map has passing pairs (Figures 7-8)")

    import matplotlib

    matplotlib.use("Agg")
    from gdcert import plot

    ax = plot.pass_fail_map(m, title=f"App. L: I(δ, ξ) at σ = {args.sigma}, η = 0.2",
                            curves=[(m.rows, m.rows, "branch ξ = δ")])
    picture = os.path.join(args.output, "pass_fail_map.png")
    ax.figure.savefig(picture, dpi=100)
    np.save(os.path.join(args.output, "pass_fail_map_passed.npy"), passed)
    print(f"picture: {picture}")


if __name__ == "__main__":
    main()
