"""Figure 4 / Appendix J.1 of the paper from Python: where GD converges on rank-1 factorization,
and the certified region {I_fac(η; x₀) < 0} (docs/formulas.md §8). Verdicts are computed from the
run, as in examples/certified_convergence.cpp.

    python3 python/examples/figure4.py [--quick] [--resolution N] [--output DIR]
"""

import argparse
import os
import time

import numpy as np

import gdcert

STEP_SIZES = (0.2, 0.4, 0.8, 1.2)
OFF_SIGNAL = ((0.2, 0.2), (0.6, 0.6), (1.0, 1.0), (1.4, 1.4), (2.0, 0.0))
HORIZON, TOLERANCE, EXTENT, ESCAPE = 400, 1e-2, 2.5, 1e6  # App. J.1, as published


def verdicts(result):
    """0 converged, 1 not converged, 2 diverged: the sweep's label, and (397) at T if undecided."""
    labels = np.asarray(result.labels)
    x = np.asarray(result.final_states)
    at_limit = (x[..., 2] ** 2 + x[..., 3] ** 2 < TOLERANCE) & (np.abs(1 - x[..., 0] * x[..., 1]) < TOLERANCE)
    converged = (labels == 1) | ((labels == 0) & at_limit)
    return np.where(labels == 4, 2, np.where(converged, 0, 1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 x 60 grids (the CTest run)")
    parser.add_argument("--resolution", type=int, default=200)
    parser.add_argument("--output", default="output")
    args = parser.parse_args()
    n = 60 if args.quick else args.resolution
    if n < 2:
        raise SystemExit(f"gdcert: --resolution = {n} is invalid; valid range: >= 2")
    os.makedirs(args.output, exist_ok=True)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gdcert import plot

    figure, axes = plt.subplots(len(STEP_SIZES), len(OFF_SIGNAL), figsize=(17, 13.5),
                                constrained_layout=True, sharex=True, sharey=True)
    ok, seconds = True, 0.0
    print(f"Figure 4: {len(STEP_SIZES) * len(OFF_SIGNAL)} panels of {n} x {n}, T = {HORIZON}")
    print(" eta  (u0, v0)   certified  converged  diverged  certified-failing")
    for row, eta in enumerate(STEP_SIZES):
        problem = gdcert.Rank1Factorization(eta)
        certificate = gdcert.FactorizationCertificate(problem)
        certified_failing = certified_total = converged_total = 0
        for column, (u0, v0) in enumerate(OFF_SIGNAL):
            plane = gdcert.coordinate_plane(problem, [0, 0, u0, v0], 0, (-EXTENT, EXTENT, n), 1,
                                            (-EXTENT, EXTENT, n))
            start = time.perf_counter()
            result = gdcert.sweep(problem, plane, certificate=certificate, max_steps=HORIZON,
                                  escape_norm=ESCAPE, keep_final_states=True,
                                  track_state_parameter=True, progress=False)
            seconds += time.perf_counter() - start
            v = verdicts(result)
            certified = np.asarray(result.overlay) < 0
            a0, b0 = np.meshgrid(result.x, result.y)
            off_null = ~((a0 == -b0) & (u0 == v0))  # the invariant null set {a = −b, u = v}
            failing = certified & (v != 0) & off_null
            drops = np.asarray(result.state_parameter_drop)[certified]
            if drops.size and not np.all(drops <= 1e-12):
                ok = False
                print(f"FAIL: δ_t decreased on a certified trajectory at η = {eta} (Proposition 2)")
            certified_failing += failing.sum()
            certified_total += (certified & off_null).sum()
            converged_total += (v == 0).sum()
            print(f" {eta:.1f}  ({u0:.1f}, {v0:.1f})  {certified.sum():9d}  {(v == 0).sum():9d}"
                  f"  {(v == 2).sum():8d}  {failing.sum():17d}")
            ax = axes[row, column]
            plot.basin_map(result, ax, legend=False,
                                  title=f"η = {eta}, (u₀, v₀) = ({u0}, {v0})",
                                  xlabel="a₀" if row == len(STEP_SIZES) - 1 else "",
                                  ylabel="b₀" if column == 0 else "")
            np.save(os.path.join(args.output, f"figure4_eta{eta}_u{u0}_v{v0}_verdict.npy"), v)
        if eta < 1:
            fraction = certified_failing / max(certified_total, 1)
            good = fraction <= 0.01
            ok &= good
            print(f"{'PASS:' if good else 'FAIL:'} certified initializations "
                  f"converge at η = {eta} (Theorem 2 (1)) (fraction failing {fraction:.4f})")
        else:
            good = converged_total == 0
            ok &= good
            print(f"{'PASS:' if good else 'FAIL:'} no initialization converges at η = {eta} "
                  f"(Theorem 2 (2))")
    figure.legend(handles=plot.outcome_handles(range(5), contour=True), loc="lower center", ncol=6, bbox_to_anchor=(0.5, -0.03))
    figure.suptitle("Figure 4: where GD converges on rank-1 factorization; black: I_fac(η; x₀) = 0")
    picture = os.path.join(args.output, "figure4.png")
    figure.savefig(picture, dpi=80, bbox_inches="tight")
    print(f"PASS: δ_t is non-decreasing along every certified trajectory (Proposition 2)"
          if ok else "FAIL: see above")
    print(f"sweeps: {seconds:.2f} s; picture: {picture}")


if __name__ == "__main__":
    main()
