"""Bootstrap stability of K-Means per K: whether runs on resampled data find the same clusters.

For each K, K-Means (kmeans_core) is fitted on B random subsamples of the rows; each
fit labels one fixed evaluation sample, and the adjusted Rand index (ARI) between
every pair of those labellings measures how reproducible the clustering is. A K
that matches real structure gives ARI near 1 on every resample; a K that cuts a
cluster arbitrarily gives low or widely spread ARI. (Subsampling without
replacement, as Ben-Hur, Elisseeff & Guyon 2002, so no row is duplicated.)
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from sklearn.metrics.cluster import contingency_matrix

from kmeans_core import KMeans, farthest_point_init, interrupt
from kmeans_core.batch import fit_many, predict_many

DEFAULT_RUNS = 10
SUBSAMPLE_FRACTION = 0.8
# Each resample fits at most this many rows, and ARI is computed on this many:
# the answer barely changes beyond them and 1,000,000 rows stay quick.
MAX_FIT_ROWS = 20_000
EVAL_ROWS = 2_000
# Above this many cells (distinct labels of a × of b) the ARI's table is kept sparse.
DENSE_TABLE_MAX = 1_000_000
# Mean ARI at or above this counts as "stable".
STABLE_ARI = 0.9

Progress = Callable[[float, str], None]


def init_argument(init: str) -> str | Callable:
    """The page's init name as kmeans_core's ``init`` ("farthest point" is a callable)."""
    return farthest_point_init if init == "farthest point" else init


def fit_kmeans(X: np.ndarray, k: int, *, init: str, seed: int) -> KMeans:
    """One kmeans_core fit (a single restart) with the page's init name."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # fewer distinct points than K
        return KMeans(n_clusters=k, init=init_argument(init), n_init=1, random_state=seed).fit(X)


def _pairs(counts: np.ndarray) -> float:
    return float((counts * (counts - 1)).sum() / 2)


def _codes(labels: np.ndarray) -> tuple[np.ndarray, int]:
    """Labels as codes 0 … m − 1, and m."""
    uniq, inverse = np.unique(labels, return_inverse=True)
    return inverse.ravel(), len(uniq)


def _ari_parts(index: float, rows: float, cols: float, n: int) -> float:
    """ARI from the pair counts: within cells, within rows, within columns (of ``n`` rows)."""
    expected = rows * cols / _pairs(np.array([n]))
    top = (rows + cols) / 2
    if top == expected:  # both labellings trivial (one cluster, or all singletons)
        return 1.0
    return float((index - expected) / (top - expected))


def _coded_ari(a: tuple[np.ndarray, int], b: tuple[np.ndarray, int]) -> float:
    """ARI of two labellings given as (codes, number of codes)."""
    (ca, ma), (cb, mb) = a, b
    if ma * mb > DENSE_TABLE_MAX:  # many distinct labels: a sparse table
        sparse = contingency_matrix(ca, cb, sparse=True)
        row_sums = np.asarray(sparse.sum(axis=1)).ravel()
        col_sums = np.asarray(sparse.sum(axis=0)).ravel()
        return _ari_parts(_pairs(sparse.data), _pairs(row_sums), _pairs(col_sums), len(ca))
    table = np.bincount(ca * mb + cb, minlength=ma * mb).reshape(ma, mb)
    return _ari_parts(_pairs(table), _pairs(table.sum(axis=1)), _pairs(table.sum(axis=0)), len(ca))


def fast_ari(a: np.ndarray, b: np.ndarray) -> float:
    """``sklearn.metrics.adjusted_rand_score`` of two integer labellings, without its checks.

    The same formula (Hubert & Arabie 1985) on a contingency table counted with
    ``np.bincount``; ``adjusted_rand_score`` validates its input (about 7 ms a call) and
    builds a sparse table, which dominated a stability sweep (B (B - 1) / 2 pairs per
    K). Tested against it.
    """
    return _coded_ari(_codes(np.asarray(a)), _codes(np.asarray(b)))


def pairwise_ari(labellings: Sequence[np.ndarray]) -> np.ndarray:
    """ARI of every pair of labellings of the same rows (``B (B - 1) / 2`` values)."""
    coded = [_codes(np.asarray(lab)) for lab in labellings]  # once per labelling, not per pair
    return np.array([_coded_ari(a, b) for a, b in combinations(coded, 2)])


@dataclass(frozen=True)
class Stability:
    """Resampling stability per K.

    Attributes
    ----------
    k_values : ndarray of int
    mean_ari, sd_ari : ndarray of float
        Mean and standard deviation of the pairwise ARI per K; NaN for K = 1
        (one cluster is trivially reproducible).
    n_runs : int
        Resamples per K (B).
    fit_rows, eval_rows : int
        Rows per resample, and rows every resample's fit labels.
    """

    k_values: np.ndarray
    mean_ari: np.ndarray
    sd_ari: np.ndarray
    n_runs: int
    fit_rows: int
    eval_rows: int

    def at(self, k: int) -> tuple[float, float]:
        """Mean and standard deviation of the ARI at ``k`` (NaN when not swept)."""
        hit = np.flatnonzero(self.k_values == k)
        if hit.size == 0:
            return float("nan"), float("nan")
        return float(self.mean_ari[hit[0]]), float(self.sd_ari[hit[0]])

    @property
    def note(self) -> str:
        """What was computed, for a caption."""
        return (
            f"Stability: {self.n_runs} K-Means fits per K, each on a random subsample of "
            f"{self.fit_rows:,} rows; mean ± sd of the adjusted Rand index between every "
            f"pair of fits, compared on the same {self.eval_rows:,} rows."
        )


def resample_plan(n_samples: int, n_runs: int, seed: int) -> tuple[list[np.ndarray], np.ndarray]:
    """The subsamples to fit and the evaluation rows (same for every K, so K's compare fairly)."""
    rng = np.random.default_rng(seed)
    size = max(min(int(SUBSAMPLE_FRACTION * n_samples), MAX_FIT_ROWS), 1)
    subsamples = [rng.choice(n_samples, size=size, replace=False) for _ in range(n_runs)]
    eval_rows = np.sort(rng.choice(n_samples, size=min(EVAL_ROWS, n_samples), replace=False))
    return subsamples, eval_rows


def _ari_for_k(
    X: np.ndarray, k: int, subsamples: list[np.ndarray], eval_rows: np.ndarray, init: str, seed: int
) -> tuple[float, float]:
    if k < 2:
        return float("nan"), float("nan")
    # The B fits of one K at once (same as B separate fits, less overhead).
    fits = fit_many(
        X[np.stack(subsamples)],
        min(k, len(subsamples[0])),
        random_states=[seed + b for b in range(len(subsamples))],
        init=init_argument(init),
    )
    ari = pairwise_ari(list(predict_many(X[eval_rows], fits.centers)))
    return float(ari.mean()), float(ari.std())


def bootstrap_stability(
    X: np.ndarray,
    k_values: Sequence[int],
    *,
    n_runs: int = DEFAULT_RUNS,
    init: str = "k-means++",
    seed: int = 0,
    progress: Progress | None = None,
    check: Callable[[], None] | None = None,
) -> Stability:
    """Stability of K-Means for each K: mean and spread of ARI between resampled fits.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    k_values : sequence of int
    n_runs : int
        Resamples per K (B, at least 2).
    init : {"k-means++", "random", "farthest point"}
    seed : int
        Drives the subsamples and each fit's start.
    progress : callable, optional
        ``progress(fraction, message)`` after each K.
    check : callable, optional
        ``check()`` before the work starts, before every fit and between its Lloyd
        steps (:mod:`kmeans_core.interrupt`); it stops the work by raising.

    Returns
    -------
    Stability
    """
    n_runs = max(int(n_runs), 2)
    subsamples, eval_rows = resample_plan(len(X), n_runs, seed)
    ks = np.asarray(k_values, dtype=int)
    stats = []
    if check is not None:
        check()
    with interrupt.checking(check):  # kmeans_core checks before each fit and between steps
        for i, k in enumerate(ks, start=1):
            stats.append(_ari_for_k(X, int(k), subsamples, eval_rows, init, seed))
            if progress is not None:
                progress(i / len(ks), f"Stability: {i} of {len(ks)} values of K done")
    arr = np.array(stats, dtype=float).reshape(-1, 2)
    return Stability(ks, arr[:, 0], arr[:, 1], n_runs, len(subsamples[0]), len(eval_rows))


def describe_stability(stab: Stability, k: int | None) -> str | None:
    """One sentence on how reproducible the clustering at ``k`` is, or None without a number."""
    if k is None:
        return None
    mean, sd = stab.at(k)
    if not np.isfinite(mean):
        return None
    verdict = (
        "stable: resampled runs find the same clusters"
        if mean >= STABLE_ARI
        else "not stable: resampled runs split the data differently, so treat this K with care"
    )
    return f"At K = {k} the clustering is {verdict} (ARI {mean:.2f} ± {sd:.2f})."
