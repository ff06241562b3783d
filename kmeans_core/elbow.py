"""Inertia for each K in a range: the data behind the elbow plot."""

from __future__ import annotations

import numbers
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from kmeans_core._validation import (
    check_data,
    check_max_iter_tol,
    check_n_clusters,
    check_random_state,
    check_sample_weight,
)
from kmeans_core.dask_data import is_dask_collection
from kmeans_core.estimator import _fit_runs
from kmeans_core.lloyd import centre


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
    init: str | Callable = "k-means++",
    max_iter: int = 300,
    tol: float = 1e-4,
    random_state=None,
    sample_weight=None,
    progress: Callable[[int, int], None] | None = None,
) -> ElbowResult:
    """Fit K-Means for each K with ``n_init`` restarts and collect inertia.

    The data is validated, centred and its row norms computed once for the whole
    sweep; each restart runs the same Lloyd generator as :class:`KMeans`.

    With an int ``random_state`` every K starts from a fresh ``RandomState``
    with that seed, so the result for one K does not depend on the others: the
    best run for K equals ``KMeans(K, init=init, n_init=n_init,
    random_state=random_state).fit(X)``. A ``RandomState`` (or None) is shared
    by the whole sweep instead.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    k_values : sequence of int
        Each must be between 1 and n_samples.
    n_init : int, default=3
        Restarts per K; all their inertias are reported (for a spread band).
    init : {"k-means++", "random"} or callable, default="k-means++"
        As for :class:`KMeans` (an array cannot serve several K).
    max_iter, tol :
        As for :class:`KMeans`.
    random_state : int, RandomState or None
    sample_weight : array-like of shape (n_samples,), optional
    progress : callable, optional
        Called as ``progress(done, total)`` after each K.

    Returns
    -------
    ElbowResult

    Raises
    ------
    ValueError
        For invalid data, an empty or out-of-range ``k_values``, or bad settings.

    Notes
    -----
    Dask input runs on Dask (:func:`kmeans_core.dask_backend.elbow_sweep`).
    """
    if is_dask_collection(X):
        from kmeans_core import dask_backend

        return dask_backend.elbow_sweep(
            X, k_values, n_init=n_init, init=init, max_iter=max_iter, tol=tol,
            random_state=random_state, sample_weight=sample_weight, progress=progress,
        )  # fmt: skip
    X = check_data(X)
    w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
    ks = _check_k_values(k_values, X.shape[0])
    if isinstance(n_init, bool) or not isinstance(n_init, numbers.Integral) or n_init < 1:
        raise ValueError(f"n_init must be a whole number >= 1, got {n_init!r}.")
    if not (callable(init) or (isinstance(init, str) and init in ("k-means++", "random"))):
        raise ValueError(f"init must be 'k-means++', 'random' or a callable, got {init!r}.")
    check_max_iter_tol(max_iter, tol)
    check_random_state(random_state)  # fail early on a bad seed

    data = centre(X, tol)
    X_mean, Xc, x_sq, abs_tol = data.mean, data.Xc, data.x_sq_norms, data.abs_tol
    shared_rng = None if _is_int_seed(random_state) else check_random_state(random_state)

    inertia_runs = np.empty((ks.size, n_init))
    n_iter_runs = np.empty((ks.size, n_init), dtype=int)
    fit_seconds = np.empty(ks.size)
    labels = np.empty((ks.size, X.shape[0]), dtype=np.int32)
    centers = []
    for i, k in enumerate(ks):
        start = time.perf_counter()
        rng = shared_rng if shared_rng is not None else np.random.RandomState(random_state)
        best, runs = _fit_runs(
            X,
            Xc,
            X_mean,
            w,
            x_sq,
            n_clusters=int(k),
            init=init,
            n_init=int(n_init),
            max_iter=int(max_iter),
            abs_tol=abs_tol,
            rng=rng,
            keep_history=False,
        )
        fit_seconds[i] = time.perf_counter() - start
        inertia_runs[i] = [r[0] for r in runs]
        n_iter_runs[i] = [r[1] for r in runs]
        labels[i] = best.labels
        centers.append((best.centers + X_mean).astype(X.dtype, copy=False))
        if progress is not None:
            progress(i + 1, ks.size)
    return ElbowResult(ks, inertia_runs, n_iter_runs, fit_seconds, labels, centers)


def _is_int_seed(random_state) -> bool:
    return isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool)


def _check_k_values(k_values, n_samples: int) -> np.ndarray:
    try:
        values = list(k_values)
    except TypeError:
        raise ValueError(
            f"k_values must be a sequence of whole numbers, got {k_values!r}."
        ) from None
    if not values:
        raise ValueError("k_values is empty; give at least one K.")
    for k in values:
        check_n_clusters(k, n_samples)
    return np.asarray(values, dtype=int)
