"""The canonical K-Means run for the current dataset and sidebar settings.

Every page that shows "the run" (Animate, Export, the share link) starts from
:func:`initial_centers`, so the same seed gives the same pictures everywhere.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from dashboard.dataset import Dataset
from dashboard.run_settings import RunSettings
from kmeans_core import (
    DistinctClustersWarning,
    KMeans,
    farthest_point_init,
    interrupt,
    kmeans_plusplus,
    random_init,
)

_INITIALISERS = {
    "k-means++": kmeans_plusplus,
    "random": random_init,
    "farthest point": farthest_point_init,
}


def usable_k(k: int, n_samples: int) -> tuple[int, str | None]:
    """Clamp K to ``[1, n_samples]``; return it and a notice when it was changed."""
    if k > n_samples:
        return n_samples, (
            f"K = {k} is more than the {n_samples} rows in this dataset; using K = {n_samples}."
        )
    if k < 1:
        return 1, "K must be at least 1; using K = 1."
    return k, None


def initial_centers(X: np.ndarray, k: int, init: str, seed: int) -> np.ndarray:
    """Initial centers for ``init`` in {"k-means++", "random", "farthest point"}."""
    if init not in _INITIALISERS:
        raise ValueError(f"Unknown init {init!r}; choose one of {sorted(_INITIALISERS)}.")
    return _INITIALISERS[init](X, k, np.random.RandomState(seed))


def fit_run(ds: Dataset, settings: RunSettings, check: Callable[[], None] | None = None) -> KMeans:
    """Fit kmeans_core on the whole dataset with the sidebar's K, init and seed.

    K is clamped to the number of rows (:func:`usable_k`). Pages call the cached
    :func:`dashboard.streamlit_glue.cached_fit_run`.

    Parameters
    ----------
    ds : Dataset
    settings : RunSettings
    check : callable, optional
        ``check()`` before the work starts and between Lloyd steps
        (:mod:`kmeans_core.interrupt`); it stops the fit by raising.

    Returns
    -------
    KMeans
    """
    if check is not None:
        check()
    k, _ = usable_k(settings.k, ds.n_samples)
    centers = initial_centers(ds.X, k, settings.init, settings.seed)
    with warnings.catch_warnings(), interrupt.checking(check):
        # Said on the page instead, by run_notes (a cached fit would not warn again).
        warnings.simplefilter("ignore", DistinctClustersWarning)
        return KMeans(n_clusters=k, init=centers, n_init=1, random_state=settings.seed).fit(ds.X)


def run_notes(model: KMeans) -> list[str]:
    """What a user should know about a fitted run, e.g. clusters left without points."""
    k = model.cluster_centers_.shape[0]
    used = int(np.count_nonzero(np.bincount(model.labels_, minlength=k)))
    if used < k:
        return [
            f"Only {used} of the {k} clusters got any points: the data has fewer distinct "
            "points than K, so some centers coincide. Lower K in the sidebar."
        ]
    return []
