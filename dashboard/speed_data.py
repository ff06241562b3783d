"""The data the Speed page times on: size limits, synthetic blobs, a user's dataset.

Every method starts from the same data and the same initial centers. Rows are in
random order, so any prefix ``X[:m]`` is itself a fair sample: the probes of the
slow tiers and the N sweep use prefixes of one array.
"""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_blobs

from dashboard.formatting import format_bytes

# Size limits for the page's inputs (the data itself must fit comfortably in memory).
MAX_N = 1_000_000
MAX_D = 100
MAX_K = 64
MAX_DATA_BYTES = 128 * 2**20
# Blobs overlap enough that Lloyd keeps moving for several iterations.
CLUSTER_STD = 3.0
# The initial centers are drawn from the first rows, so every sweep prefix holds them.
CENTER_POOL_ROWS = 1000


def check_sizes(n: int, d: int, k: int) -> str | None:
    """Why (N, d, K) cannot be timed, or None when it can.

    Parameters
    ----------
    n, d, k : int
        Rows, features and clusters.

    Returns
    -------
    str or None
        A sentence saying what is wrong and what to do.
    """
    if n < 1 or d < 1 or k < 1:
        return "N, d and K must all be at least 1."
    if k > n:
        return f"K = {k} is more than N = {n:,} rows; choose K ≤ N."
    if n > MAX_N or d > MAX_D or k > MAX_K:
        return f"The Speed page times up to N = {MAX_N:,}, d = {MAX_D} and K = {MAX_K}."
    data = n * d * 8
    if data > MAX_DATA_BYTES:
        return (
            f"N × d = {n * d:,} values ({format_bytes(data)}) is more data than this page "
            f"generates (limit {format_bytes(MAX_DATA_BYTES)}); lower N or d."
        )
    return None


def _start_centers(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    pool = max(k, min(X.shape[0], CENTER_POOL_ROWS))
    return X[rng.choice(pool, size=k, replace=False)].copy()


def make_timing_data(n: int, d: int, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic blobs and the initial centers every method starts from.

    ``make_blobs`` shuffles its rows, so any prefix ``X[:m]`` is itself a fair
    sample: the N sweep and the probes use prefixes of the same data.

    Parameters
    ----------
    n, d, k : int
        Rows, features, clusters (also the number of blobs).
    seed : int
        Drives the data and the choice of initial centers.

    Returns
    -------
    X : ndarray of shape (n, d), float64
    centers : ndarray of shape (k, d)
        K distinct rows of ``X[:max(k, min(n, 1000))]``: the sweep's smaller prefixes
        start from the same centers (some may lie outside a small prefix, which only
        matters for the labels, not for the time per iteration).
    """
    X, _ = make_blobs(
        n_samples=n, n_features=d, centers=k, cluster_std=CLUSTER_STD, random_state=seed
    )
    centers = _start_centers(X, k, np.random.default_rng(seed))
    return np.ascontiguousarray(X, dtype=np.float64), centers


def dataset_timing_data(X: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A user's data prepared like :func:`make_timing_data`: shuffled rows and K start centers.

    Rows are shuffled (seeded) so that the prefixes the sweep uses are fair samples
    even when the file is sorted, e.g. by class.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    k : int
        Number of centers, at most ``n_samples``.
    seed : int

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64, rows permuted
    centers : ndarray of shape (k, n_features)
        K distinct rows of ``X[:max(k, min(n, 1000))]`` (after shuffling).

    Raises
    ------
    ValueError
        When K is not between 1 and the number of rows.
    """
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    if not 1 <= k <= n:
        raise ValueError(f"K = {k} is more than the {n:,} rows of this dataset; choose K ≤ {n}.")
    rng = np.random.default_rng(seed)
    shuffled = np.ascontiguousarray(X[rng.permutation(n)])
    return shuffled, _start_centers(shuffled, k, rng)
