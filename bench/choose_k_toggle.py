"""What the Choose K log-scale toggle recomputes, before and after fragments (20,000 rows).

Run: ``python -m bench.choose_k_toggle``. Times, in one process and alternately, the
server-side work a toggle click triggers once the sweep is cached:

* **whole page, as before** — the page reran top to bottom: knee, vote, elbow,
  metrics, and the silhouette diagram, whose per-point values were recomputed on
  the 3,000 sampled rows (``silhouette_samples``) on every rerun;
* **whole page, now** — the same, but the diagram reads the values the sweep kept,
  plus the trust-check chart;
* **elbow fragment, now** — what a toggle reruns since the charts are in
  ``st.fragment``: the elbow figure and its caption.

CPU time (``time.process_time``) medians, so the shared machine's load moves them
less than wall time; the load average is printed too. The browser round trip is in
``bench/choose_k_toggle_browser.py``.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

import numpy as np
from sklearn.datasets import make_blobs

from dashboard import choose_k as ck
from dashboard import gap_statistic as gs
from dashboard import stability as sb
from dashboard.choose_k_figures import (
    elbow_figure,
    metrics_figure,
    silhouette_figure,
    trust_figure,
)

N_ROWS = 20_000
REPEATS = 9


def _common(sweep: ck.KSweep) -> tuple[ck.Knee, dict[str, int | None], ck.Recommendation]:
    knee = ck.find_knee(sweep.k_values, sweep.inertia_mean)
    bests = ck.metric_bests(sweep)
    return knee, bests, ck.recommend({"knee": knee.k, **bests})


def page_before(X: np.ndarray, sweep: ck.KSweep) -> None:
    """The old full rerun: every chart, and silhouette values recomputed for the diagram."""
    knee, bests, rec = _common(sweep)
    elbow_figure(sweep, knee, log_y=True)
    metrics_figure(sweep, bests)
    k = rec.k or 2
    i = int(np.flatnonzero(sweep.k_values == k)[0])
    rows, labels = sweep.sample_rows[i], sweep.sample_labels[i]
    values = ck.silhouette_values(X[rows], labels)
    diag = None if values is None else ck.silhouette_diagram(values, labels, k)
    if diag is not None:
        silhouette_figure(diag)


def page_now(sweep: ck.KSweep, stab: sb.Stability, gap: gs.Gap) -> None:
    """A full rerun of the page today (what a change outside the fragments costs)."""
    knee, bests, rec = _common(sweep)
    elbow_figure(sweep, knee, log_y=True)
    metrics_figure(sweep, bests)
    trust_figure(stab, gap)
    diag = ck.sweep_diagram(sweep, rec.k or 2)
    if diag is not None:
        silhouette_figure(diag)


def fragment_now(sweep: ck.KSweep, knee: ck.Knee) -> None:
    """What the log toggle reruns today: the elbow fragment."""
    elbow_figure(sweep, knee, log_y=True)
    ck.band_note(sweep)


def _cpu(fn: Callable[[], None]) -> float:
    t = time.process_time()
    fn()
    return time.process_time() - t


def main() -> None:
    """Build the cached results once, then time the three reruns alternately."""
    X, _ = make_blobs(n_samples=N_ROWS, centers=4, n_features=2, random_state=0)
    ks = tuple(range(1, 11))
    sweep = ck.run_sweep(X, ks, n_init=3, seed=0)
    stab = sb.bootstrap_stability(X, ks, seed=0)
    gap = gs.gap_statistic(X, ks, seed=0)
    knee = ck.find_knee(sweep.k_values, sweep.inertia_mean)
    runs: dict[str, list[float]] = {"page before": [], "page now": [], "fragment now": []}
    for _ in range(REPEATS):
        runs["page before"].append(_cpu(lambda: page_before(X, sweep)))
        runs["page now"].append(_cpu(lambda: page_now(sweep, stab, gap)))
        runs["fragment now"].append(_cpu(lambda: fragment_now(sweep, knee)))
    medians = {name: statistics.median(t) for name, t in runs.items()}
    for name, m in medians.items():
        print(f"{name:<13} median CPU {m * 1000:7.1f} ms")
    print(f"toggle work, before / after: {medians['page before'] / medians['fragment now']:.1f}x")
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
