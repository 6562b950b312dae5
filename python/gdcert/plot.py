"""Figures with matplotlib: basin maps with axes, an outcome legend and certificate contours,
pass/fail maps, and δ_t curves. Each function draws into a matplotlib Axes (a new figure when
`ax` is None) and returns it; mathematical orientation (first grid row at the bottom)."""

from __future__ import annotations

import numpy as np

OUTCOME_COLOURS = {
    0: ("#f0a0be", "undecided"),
    1: ("#2e6ec8", "minimizer"),
    2: ("#f2b134", "saddle"),
    3: ("#7a3fb0", "periodic"),
    4: ("#cdcdcd", "diverged"),
}
"""Colour and name of each outcome code (SweepResult.labels)."""


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5, 4.5), constrained_layout=True)
    return ax


def _extent(x, y):
    """Pixel-centred extent of a grid with values x (columns) and y (rows)."""
    dx = (x[-1] - x[0]) / max(len(x) - 1, 1) / 2
    dy = (y[-1] - y[0]) / max(len(y) - 1, 1) / 2
    return (x[0] - dx, x[-1] + dx, y[0] - dy, y[-1] + dy)


def basin_map(result, ax=None, *, xlabel=None, ylabel=None, title=None, contour=True,
              legend=True):
    """The outcome of every point of a SweepResult, coloured by label, with the certified
    region's boundary {I(η; x₀) = 0} as a black contour when the sweep had a certificate."""
    from matplotlib.colors import ListedColormap

    ax = _axes(ax)
    labels = np.asarray(result.labels)
    colours = ListedColormap([OUTCOME_COLOURS[k][0] for k in range(5)])
    ax.imshow(labels, origin="lower", extent=_extent(result.x, result.y), cmap=colours, vmin=-0.5,
              vmax=4.5, interpolation="nearest", aspect="auto")
    if contour and result.has_certificate:
        overlay = np.asarray(result.overlay)
        if np.nanmin(overlay) < 0 < np.nanmax(overlay):
            ax.contour(result.x, result.y, overlay, levels=[0.0], colors="black", linewidths=1.0)
    plane = result.plane
    names = ("x", "y")
    if plane.first_index >= 0:
        names = (f"coordinate {plane.first_index}", f"coordinate {plane.second_index}")
    ax.set_xlabel(names[0] if xlabel is None else xlabel)
    ax.set_ylabel(names[1] if ylabel is None else ylabel)
    ax.set_title(title or f"η = {result.eta:g}")
    if legend:
        ax.legend(handles=outcome_handles(np.unique(labels), contour and result.has_certificate),
                  loc="upper right", fontsize="small", framealpha=0.9)
    return ax


def outcome_handles(codes=range(5), contour=False):
    """Legend handles for the outcome codes `codes` (and the certificate's zero contour): for a
    figure-level legend of several basin maps (``figure.legend(handles=...)``)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Patch(color=OUTCOME_COLOURS[int(k)][0], label=OUTCOME_COLOURS[int(k)][1])
               for k in sorted(set(int(k) for k in codes))]
    if contour:
        handles.append(Line2D([], [], color="black", label="I(η; x₀) = 0"))
    return handles


def pass_fail_map(result, ax=None, *, title=None, curves=()):
    """A PassFailMap: passing (row, column) parameter pairs in green, failing in grey; `curves`
    are (columns, rows, label) lines drawn over it (e.g. a branch ξ(δ)), dashed black."""
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    ax = _axes(ax)
    passed = np.asarray(result.passed, dtype=float)
    ax.imshow(passed, origin="lower", extent=_extent(result.columns, result.rows),
              cmap=ListedColormap(["#d9d9d9", "#2ca25f"]), vmin=0, vmax=1,
              interpolation="nearest", aspect="auto")
    symbols = {"delta": "δ", "xi": "ξ", "eta": "η"}
    ax.set_xlabel(symbols.get(result.column_name, result.column_name))
    ax.set_ylabel(symbols.get(result.row_name, result.row_name))
    ax.set_title(title or f"pass/fail of the one-step boundary test ({result.directions} directions)")
    handles = [Patch(color="#2ca25f", label="passes"), Patch(color="#d9d9d9", label="fails")]
    for x, y, label in curves:
        handles += ax.plot(x, y, color="black", linestyle="--", linewidth=1, label=label)
    ax.legend(handles=handles, loc="upper right", fontsize="small", framealpha=0.9)
    return ax


def delta_curves(trajectories, ax=None, *, labels=None, title="δ_t along GD"):
    """δ_t against t for each Trajectory (recorded with a certificate), with δ = 2 dashed."""
    ax = _axes(ax)
    for i, run in enumerate(trajectories):
        if run.delta is None:
            raise ValueError("gdcert: trajectory delta = None is invalid; valid range: a "
                             "trajectory recorded with a certificate")
        ax.plot(run.steps, run.delta, label=None if labels is None else labels[i])
    ax.axhline(2.0, color="black", linestyle="--", linewidth=0.8, label="δ = 2 (terminal set)")
    ax.set_xlabel("step t")
    ax.set_ylabel("δ_t")
    ax.set_title(title)
    ax.legend(fontsize="small")
    return ax
