"""Inertia for each K in a range: the data behind the elbow plot."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from kmeans_core._validation import check_data, check_random_state, check_sample_weight
from kmeans_core.estimator import KMeans


@dataclass(frozen=True)
class ElbowResult:
    """Result of :func:`elbow_sweep`.

    Attributes
    ----------
    k_values : ndarray of shape (n_k,)
    inertia_runs : ndarray of shape (n_k, n_init)
        Final inertia of every restart.
    n_iter_runs : ndarray of shape (n_k, n_init)
    fit_seconds : ndarray of shape (n_k,)
        Wall time to fit all restarts of each K.
    labels : ndarray of shape (n_k, n_samples), int32
        Labels of the best restart for each K.
    centers : list of ndarray
        Centers of the best restart for each K.
    """

    k_values: np.ndarray
    inertia_runs: np.ndarray
    n_iter_runs: np.ndarray
    fit_seconds: np.ndarray
    labels: np.ndarray
    centers: list

    @property
    def inertia(self) -> np.ndarray:
        """Best (lowest) inertia per K."""
        return self.inertia_runs.min(axis=1)


def elbow_sweep(
    X,
    k_values: Sequence[int],
    *,
    n_init: int = 3,
    init: str = "k-means++",
    max_iter: int = 300,
    tol: float = 1e-4,
    random_state=None,
    sample_weight=None,
    progress: Callable[[int, int], None] | None = None,
) -> ElbowResult:
    """Fit K-Means for each K with ``n_init`` restarts and collect inertia.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    k_values : sequence of int
        Each must be between 1 and n_samples.
    n_init : int, default=3
        Restarts per K; all their inertias are reported (for a spread band).
    init, max_iter, tol :
        As for :class:`KMeans`.
    random_state : int, RandomState or None
        One seed drives the whole sweep.
    sample_weight : array-like of shape (n_samples,), optional
    progress : callable, optional
        Called as ``progress(done, total)`` after each K.

    Returns
    -------
    ElbowResult
    """
    X = check_data(X)
    w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
    ks = np.asarray(list(k_values), dtype=int)
    if ks.size == 0:
        raise ValueError("k_values is empty; give at least one K.")
    rng = check_random_state(random_state)
    inertia_runs = np.empty((ks.size, n_init))
    n_iter_runs = np.empty((ks.size, n_init), dtype=int)
    fit_seconds = np.empty(ks.size)
    labels = np.empty((ks.size, X.shape[0]), dtype=np.int32)
    centers = []
    for i, k in enumerate(ks):
        start = time.perf_counter()
        best = None
        for r in range(n_init):
            model = KMeans(
                int(k), init=init, n_init=1, max_iter=max_iter, tol=tol, random_state=rng
            ).fit(X, sample_weight=w)
            inertia_runs[i, r] = model.inertia_
            n_iter_runs[i, r] = model.n_iter_
            if best is None or model.inertia_ < best.inertia_:
                best = model
        fit_seconds[i] = time.perf_counter() - start
        labels[i] = best.labels_
        centers.append(best.cluster_centers_)
        if progress is not None:
            progress(i + 1, ks.size)
    return ElbowResult(ks, inertia_runs, n_iter_runs, fit_seconds, labels, centers)
