"""Stable cluster numbers: renumber a new clustering so it lines up with the one shown before.

K-Means numbers its clusters arbitrarily, so a new seed or K would reshuffle every
colour on every page. Here a new clustering is matched to the previously shown
centers with the Hungarian algorithm (``scipy.optimize.linear_sum_assignment`` on
squared center distances) and renumbered: a cluster that stayed where it was keeps
its number and colour. Numbers stay ``0..K-1`` when K changes.
"""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

from kmeans_core import KMeans


def stable_numbers(reference: np.ndarray | None, centers: np.ndarray) -> np.ndarray:
    """The number each new cluster gets, matched to the clusters shown before.

    Parameters
    ----------
    reference : ndarray of shape (k_old, d) or None
        Centers as shown last time (already in display order); None or a different
        ``d`` means nothing to match and the numbering is left alone.
    centers : ndarray of shape (k_new, d)
        Centers of the new clustering, in the algorithm's order.

    Returns
    -------
    mapping : ndarray of int, shape (k_new,)
        A permutation of ``0..k_new-1``: new cluster ``i`` is shown as ``mapping[i]``.
        Matched clusters keep the old number when it is below ``k_new``; clusters
        whose old number no longer exists (K went down) take the free numbers in the
        order of their old numbers; unmatched clusters (K went up) take the rest in
        their own order.
    """
    k_new = len(centers)
    if reference is None or len(reference) == 0 or reference.shape[1] != centers.shape[1]:
        return np.arange(k_new)
    cost = cdist(centers, reference, metric="sqeuclidean")
    rows, cols = linear_sum_assignment(cost)
    old = np.full(k_new, -1)
    old[rows] = cols
    mapping = np.where((old >= 0) & (old < k_new), old, -1)
    free = iter(sorted(set(range(k_new)) - set(mapping[mapping >= 0].tolist())))
    # Clusters still to number: matched ones by their old number, then unmatched by index.
    rest = sorted(np.flatnonzero(mapping < 0), key=lambda i: (old[i] < 0, old[i], i))
    for i in rest:
        mapping[i] = next(free)
    return mapping


def apply_numbers(
    labels: np.ndarray, centers: np.ndarray, mapping: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Labels and centers renumbered by ``mapping`` (new cluster ``i`` becomes ``mapping[i]``).

    Returns
    -------
    labels : ndarray of int
    centers : ndarray, rows reordered so that row ``mapping[i]`` is old row ``i``
    """
    order = np.argsort(mapping)
    return mapping[np.asarray(labels)], np.asarray(centers)[order]


def renumbered_model(model: KMeans, mapping: np.ndarray) -> KMeans:
    """A shallow copy of a fitted model with clusters renumbered by ``mapping``.

    ``labels_``, ``cluster_centers_`` and every step of ``history_`` (centers, shifts,
    relocated clusters) are renumbered; the model given is not changed (it may be a
    cached object shared by every session).
    """
    mapping = np.asarray(mapping)
    if np.array_equal(mapping, np.arange(len(mapping))):
        return model
    out = copy.copy(model)
    labels, centers = apply_numbers(model.labels_, model.cluster_centers_, mapping)
    out.labels_, out.cluster_centers_ = labels, centers
    order = np.argsort(mapping)
    out.history_ = [
        dataclasses.replace(
            step,
            centers=np.asarray(step.centers)[order],
            center_shifts=np.asarray(step.center_shifts)[order],
            relocated=tuple(sorted(int(mapping[c]) for c in step.relocated)),
        )
        for step in getattr(model, "history_", [])
    ]
    return out


def group_means(X: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct labels and the mean row of each (a clustering's centers, from its labels)."""
    present = np.unique(labels)
    return present, np.array([X[labels == c].mean(axis=0) for c in present])


def renumber_labels(reference: np.ndarray | None, X: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``labels`` renumbered to match ``reference`` centers, using their groups' means as centers.

    For labellings that come without centers (e.g. a sweep's sampled rows); labels are
    first compacted to ``0..m-1`` in their order, so the result is a permutation of those.
    """
    present, means = group_means(X, np.asarray(labels))
    compact = np.searchsorted(present, labels)
    return stable_numbers(reference, means)[compact]
