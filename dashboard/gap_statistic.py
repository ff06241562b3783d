"""The gap statistic (Tibshirani, Walther & Hastie 2001) with its one-standard-error rule.

``Gap(k) = E*[log W_k] - log W_k``: how much tighter the data's clusters are than
those K-Means finds in structureless reference data of the same extent. ``W_k`` is
the pooled within-cluster sum of squares (the inertia). Reference sets are drawn
uniformly over the box aligned with the data's principal components (the paper's
method (b)). The chosen K is the smallest ``k`` with ``Gap(k) >= Gap(k+1) - s_{k+1}``,
where ``s_k = sd_k * sqrt(1 + 1/B)`` and ``sd_k`` is the standard deviation of the
B reference ``log W_k``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from dashboard.stability import init_argument
from kmeans_core import interrupt
from kmeans_core.batch import fit_many

DEFAULT_REFS = 10
# Above this many rows the statistic is computed on a fixed random sample of them
# (data and reference sets alike), so its cost does not grow with N.
MAX_ROWS = 10_000

Progress = Callable[[float, str], None]


def within_dispersion(X: np.ndarray, labels: np.ndarray) -> float:
    """``W_k``: the sum over clusters of squared distances of their points to their mean."""
    labels = np.asarray(labels)
    total = 0.0
    for c in np.unique(labels):
        pts = X[labels == c]
        total += float(((pts - pts.mean(axis=0)) ** 2).sum())
    return total


def reference_set(X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Uniform random points over the box spanned by ``X`` along its principal axes."""
    mean = X.mean(axis=0)
    _, _, vt = np.linalg.svd(X - mean, full_matrices=False)
    rotated = (X - mean) @ vt.T
    lo, hi = rotated.min(axis=0), rotated.max(axis=0)
    return rng.uniform(lo, hi, size=rotated.shape) @ vt + mean


def gap_values(log_w: np.ndarray, ref_log_w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gap per K and its standard error ``s_k``.

    Parameters
    ----------
    log_w : ndarray of shape (n_k,)
        ``log W_k`` of the data.
    ref_log_w : ndarray of shape (n_k, B)
        ``log W*_kb`` of each reference set.

    Returns
    -------
    gap, s : ndarray of shape (n_k,)
        ``mean_b(log W*_kb) - log W_k`` and ``sd_k * sqrt(1 + 1/B)`` (sd with 1/B, as the paper).
    """
    n_refs = ref_log_w.shape[1]
    gap = ref_log_w.mean(axis=1) - log_w
    s = ref_log_w.std(axis=1) * np.sqrt(1 + 1 / n_refs)
    return gap, s


def gap_choice(k_values: Sequence[int], gap: np.ndarray, s: np.ndarray) -> int | None:
    """The smallest K with ``Gap(k) >= Gap(k+1) - s_{k+1}``; None when no K qualifies.

    ``k_values`` must be consecutive; the largest K has no successor and is never chosen
    (the rule needs ``Gap(k+1)``).
    """
    ks = list(k_values)
    for i in range(len(ks) - 1):
        if np.isfinite(gap[i]) and np.isfinite(gap[i + 1]) and gap[i] >= gap[i + 1] - s[i + 1]:
            return int(ks[i])
    return None


@dataclass(frozen=True)
class Gap:
    """The gap statistic over a K range.

    Attributes
    ----------
    k_values : ndarray of int
    gap, s : ndarray of float
        Gap(k) and its standard error; NaN where W_k = 0 (no log of 0).
    choice : int or None
        K by the one-standard-error rule.
    n_refs : int
    rows : int
        Rows it was computed on (a sample above ``MAX_ROWS``).
    n_samples : int
    """

    k_values: np.ndarray
    gap: np.ndarray
    s: np.ndarray
    choice: int | None
    n_refs: int
    rows: int
    n_samples: int

    @property
    def note(self) -> str:
        """What was computed, for a caption."""
        on = (
            f"a fixed random sample of {self.rows:,} of the {self.n_samples:,} rows"
            if self.rows < self.n_samples
            else f"all {self.rows:,} rows"
        )
        return (
            f"Gap statistic on {on}, against {self.n_refs} uniform reference sets; error bars "
            "are its standard error s(k). It picks the smallest K whose gap is within one "
            "standard error of the next K's."
        )


def _log_w(datasets: np.ndarray, k: int, init: str, seeds: list[int]) -> np.ndarray:
    """``log W_k`` of each dataset (NaN where ``W_k`` is 0), all fitted in one batch."""
    n_rows = datasets.shape[1]
    fits = fit_many(datasets, min(k, n_rows), random_states=seeds, init=init_argument(init))
    w = fits.inertia
    return np.log(w, out=np.full_like(w, np.nan), where=w > 0)


def gap_statistic(
    X: np.ndarray,
    k_values: Sequence[int],
    *,
    n_refs: int = DEFAULT_REFS,
    init: str = "k-means++",
    seed: int = 0,
    progress: Progress | None = None,
    check: Callable[[], None] | None = None,
) -> Gap:
    """Compute the gap statistic for each K and choose K by the one-standard-error rule.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    k_values : sequence of int
        Consecutive K values.
    n_refs : int
        Reference sets (B, at least 2).
    init : {"k-means++", "random", "farthest point"}
    seed : int
    progress : callable, optional
        ``progress(fraction, message)`` after each K.
    check : callable, optional
        ``check()`` before the work starts, before every fit and between its Lloyd
        steps (:mod:`kmeans_core.interrupt`); it stops the work by raising.

    Returns
    -------
    Gap
    """
    if check is not None:
        check()
    rng = np.random.default_rng(seed)
    n = len(X)
    data = X[np.sort(rng.choice(n, size=MAX_ROWS, replace=False))] if n > MAX_ROWS else X
    n_refs = max(int(n_refs), 2)
    refs = [reference_set(data, rng) for _ in range(n_refs)]
    stacked = np.stack([data, *refs])
    seeds = [seed] + [seed + b for b in range(n_refs)]
    ks = np.asarray(k_values, dtype=int)
    log_w = np.empty(len(ks))
    ref_log_w = np.empty((len(ks), n_refs))
    with interrupt.checking(check):  # kmeans_core checks before each fit and between steps
        for i, k in enumerate(ks):
            # The data's fit and the B reference fits of this K in one batch.
            both = _log_w(stacked, int(k), init, seeds)
            log_w[i], ref_log_w[i] = both[0], both[1:]
            if progress is not None:
                message = f"Gap statistic: {i + 1} of {len(ks)} values of K done"
                progress((i + 1) / len(ks), message)
    gap, s = gap_values(log_w, ref_log_w)
    return Gap(ks, gap, s, gap_choice(ks.tolist(), gap, s), n_refs, len(data), n)
