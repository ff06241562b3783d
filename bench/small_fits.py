"""Small default fits: kmeans_core vs scikit-learn, CPU time per fit.

On small data a fit is dominated by fixed per-call costs (validation, the kernel's
setup, Python objects per step), not by the arithmetic; the dashboard's Choose K
page runs hundreds of such fits per visit.  Run from the repository root::

    python -m bench.small_fits               # 20 alternating pairs per case
    python -m bench.small_fits --repeats 40

Every fit is ``KMeans(n_clusters=K, n_init=n_init, random_state=seed)`` on
``make_blobs`` data (fixed seed), timed with ``time.process_time`` with BLAS and
OpenMP held to one thread (``OMP_NUM_THREADS=1`` is set before NumPy loads), the
two libraries alternating (ours, theirs, theirs, ours, ...) after a warm-up.
Printed: each library's median ms per fit, and the median of the per-pair ratios
(ours / scikit-learn) with its 25th-75th percentile spread.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

CASES = [(500, 2, 4), (5000, 2, 4), (2000, 10, 8)]


def _data(n: int, d: int, k: int) -> np.ndarray:
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(n_samples=n, n_features=d, centers=k, random_state=0)
    return np.ascontiguousarray(X)


def _cpu_ms(fit) -> float:
    t0 = time.process_time()
    fit()
    return (time.process_time() - t0) * 1e3


def measure(n: int, d: int, k: int, n_init: int, repeats: int) -> tuple[list, list]:
    """Alternating CPU times (ms) of ``repeats`` fits each: (ours, scikit-learn)."""
    from sklearn.cluster import KMeans as SkKMeans

    from kmeans_core import KMeans

    X = _data(n, d, k)
    ours: list[float] = []
    theirs: list[float] = []

    def fit_ours(seed: int) -> None:
        KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(X)

    def fit_theirs(seed: int) -> None:
        SkKMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(X)

    fit_ours(0)
    fit_theirs(0)  # warm-up: imports, caches, thread pools
    for i in range(repeats):
        pair = [(fit_ours, ours), (fit_theirs, theirs)]
        for fit, out in pair if i % 2 == 0 else pair[::-1]:
            out.append(_cpu_ms(lambda fit=fit, seed=i: fit(seed)))
    return ours, theirs


def _line(case: tuple[int, int, int], n_init: int, ours: list, theirs: list) -> str:
    n, d, k = case
    ratios = np.array(ours) / np.array(theirs)
    q25, q50, q75 = np.percentile(ratios, [25, 50, 75])
    return (
        f"{n:>6}×{d:<3} K={k:<2} n_init={n_init:<3} "
        f"ours {np.median(ours):7.2f} ms  sklearn {np.median(theirs):7.2f} ms  "
        f"ratio {q50:.2f}× ({q25:.2f}–{q75:.2f})"
    )


def main(argv: list[str] | None = None) -> int:
    """Print the table of small-fit CPU-time ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    print(f"load average before: {os.getloadavg()}")
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for n_init in (10, 1):
            for case in CASES:
                ours, theirs = measure(*case, n_init=n_init, repeats=args.repeats)
                print(_line(case, n_init, ours, theirs), flush=True)
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
