"""Choose K at scale: sweep, stability and gap statistic on 100,000 rows x 10 features, K 1-10.

Run from the repository root::

    python -m bench.choose_k_scale               # 100,000 x 10, K 1-10, page defaults
    python -m bench.choose_k_scale --rows 1000000

Runs exactly what the Choose K page runs on a cache miss, with the page's defaults
(restarts per K from ``plan_sweep``, B = 10 resamples, 10 gap reference sets), and
draws a text progress bar fed by the same progress callbacks as the page's bars.
Prints each stage's wall time, the total against the 60 s target, and the load
average: on a shared machine the times scale with the load, so read them with it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable

import numpy as np
from sklearn.datasets import make_blobs

from dashboard import choose_k as ck
from dashboard import gap_statistic as gs
from dashboard import stability as sb

TARGET_SECONDS = 60.0
BAR_WIDTH = 40


def text_bar(stage: str, share: float, done_before: float) -> Callable[[float, str], None]:
    """A progress callback drawing one bar for the whole run; ``stage`` fills ``share`` of it."""

    def progress(fraction: float, message: str) -> None:
        total = done_before + share * min(max(fraction, 0.0), 1.0)
        filled = int(round(BAR_WIDTH * total))
        line = f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {total:4.0%} {stage}: {message}"
        sys.stderr.write(line[:120].ljust(120))
        sys.stderr.flush()

    return progress


def main() -> None:
    """Time the three stages of Choose K on generated blobs and print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--features", type=int, default=10)
    parser.add_argument("--centers", type=int, default=5)
    args = parser.parse_args()
    X, _ = make_blobs(
        n_samples=args.rows,
        n_features=args.features,
        centers=args.centers,
        cluster_std=2.0,
        random_state=0,
    )
    X = X.astype(np.float64)
    plan = ck.plan_sweep(len(X), ck.DEFAULT_K_RANGE, ck.DEFAULT_N_INIT)
    load_before = os.getloadavg()
    times = {}
    t0 = time.perf_counter()
    sweep = ck.run_sweep(
        X, plan.k_values, n_init=plan.n_init, seed=0, progress=text_bar("sweep", 0.4, 0.0)
    )
    times["sweep"] = time.perf_counter() - t0
    t = time.perf_counter()
    stab = sb.bootstrap_stability(
        X, plan.k_values, seed=0, progress=text_bar("stability", 0.4, 0.4)
    )
    times["stability"] = time.perf_counter() - t
    t = time.perf_counter()
    gap = gs.gap_statistic(X, plan.k_values, seed=0, progress=text_bar("gap", 0.2, 0.8))
    times["gap"] = time.perf_counter() - t
    total = time.perf_counter() - t0
    sys.stderr.write("\n")
    votes = {"knee": ck.find_knee(sweep.k_values, sweep.inertia_mean).k, **ck.metric_bests(sweep)}
    rec = ck.recommend(votes | {"gap": gap.choice})
    ks = f"K {plan.k_values[0]}-{plan.k_values[-1]}"
    print(f"Choose K on {len(X):,} rows x {X.shape[1]} features, {ks}")
    print(
        f"  restarts per K: {plan.n_init}; stability: B = {stab.n_runs} fits of "
        f"{stab.fit_rows:,} rows; gap: {gap.n_refs} references on {gap.rows:,} rows"
    )
    for stage, seconds in times.items():
        print(f"  {stage:<10} {seconds:7.2f} s")
    verdict = "within" if total <= TARGET_SECONDS else "OVER"
    print(f"  total      {total:7.2f} s  ({verdict} the {TARGET_SECONDS:.0f} s target)")
    print(f"  {rec.sentence}")
    print(f"  {sb.describe_stability(stab, rec.k)}")
    print(f"  cores: {os.cpu_count()}; load average before {load_before}, after {os.getloadavg()}")


if __name__ == "__main__":
    main()
