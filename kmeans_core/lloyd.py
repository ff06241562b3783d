"""Lloyd's algorithm as a generator of steps.

The estimator and the dashboard's animation both consume the same generator
(:func:`lloyd_steps`, and ``_lloyd_steps_prepared`` under it); there is no
second copy of the loop.

It follows scikit-learn's Lloyd loop step for step (same stopping rules, same
``n_iter_``, same empty-cluster relocation, same arithmetic for the means), so
from the same initial centers the labels are identical. Two deliberate
differences, both only in degenerate cases:

- a cluster left with zero total weight after relocation (its only point was
  taken, or it holds only zero-weight points) keeps its previous center;
  scikit-learn moves it onto the largest cluster;
- on an update step with a relocation, ``labels`` shows the relocated points
  in their new clusters (what the new centers are the means of); the stopping
  rule still compares assignment with assignment, as scikit-learn does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from kmeans_core._kernels import IncrementalSums, assign_and_accumulate, explicit_inertia
from kmeans_core._validation import (
    check_data,
    check_init_centers,
    check_max_iter_tol,
    check_n_clusters,
    check_sample_weight,
)

StopReason = Literal["labels unchanged", "center shift below tol", "max_iter reached"]


@dataclass(frozen=True)
class LloydStep:
    """One half-step of Lloyd's algorithm.

    Attributes
    ----------
    iteration : int
        1-based Lloyd iteration the step belongs to.
    phase : {"assign", "update"}
        "assign": every point took its nearest center (``centers`` unchanged).
        "update": every center moved to the weighted mean of its points.
    centers : ndarray of shape (n_clusters, n_features)
        Centers in effect after this step.
    labels : ndarray of shape (n_samples,), int32
        Labels in effect after this step. On an update step they are the assign
        step's labels, except that a point taken by an empty cluster (see
        ``relocated``) carries its new cluster.
    inertia : float
        Weighted sum of squared distances of points to their labelled center,
        for ``labels`` and ``centers`` of this step. It never increases from
        one step to the next (up to rounding). The last step's value is summed
        explicitly and is the estimator's ``inertia_``.
    n_changed : int
        Assign steps: points whose label differs from the previous assign step
        (all points on the first step; 0 means strict convergence).
        Update steps: points moved to an empty cluster by relocation.
    center_shifts : ndarray of shape (n_clusters,)
        Update steps: distance each center moved (zeros for assign steps).
    relocated : tuple of int
        Update steps: clusters that were empty and got a far point as new center,
        in the order of the points that ``labels`` gives them.
    stop_reason : str or None
        Set on the last step of the run: "labels unchanged" (on an update step),
        "center shift below tol" or "max_iter reached" (on the final assign step).
    """

    iteration: int
    phase: Literal["assign", "update"]
    centers: np.ndarray
    labels: np.ndarray
    inertia: float
    n_changed: int = 0
    center_shifts: np.ndarray = field(default_factory=lambda: np.zeros(0))
    relocated: tuple[int, ...] = ()
    stop_reason: StopReason | None = None

    @property
    def center_shift_total(self) -> float:
        """Sum of squared center shifts, the quantity compared with ``tol``."""
        return float(np.sum(self.center_shifts**2))

    def summary(self, offset: np.ndarray | float = 0.0) -> StepSummary:
        """This step without the labels (what the estimator keeps in ``history_``).

        ``offset`` is added to the centers (the estimator works on centred data).
        """
        return StepSummary(
            iteration=self.iteration,
            phase=self.phase,
            centers=self.centers + offset,
            inertia=self.inertia,
            n_changed=self.n_changed,
            center_shifts=self.center_shifts,
            relocated=self.relocated,
            stop_reason=self.stop_reason,
        )


@dataclass(frozen=True)
class StepSummary:
    """A :class:`LloydStep` without labels: cheap to keep for every step of a run."""

    iteration: int
    phase: Literal["assign", "update"]
    centers: np.ndarray
    inertia: float
    n_changed: int
    center_shifts: np.ndarray
    relocated: tuple[int, ...]
    stop_reason: StopReason | None


def tolerance(X: np.ndarray, tol: float) -> float:
    """scikit-learn's absolute tolerance: ``tol`` times the mean feature variance."""
    if tol == 0:
        return 0.0
    return float(np.mean(np.var(X, axis=0)) * tol)


@dataclass(frozen=True)
class CentredData:
    """X prepared once per fit: centred, with its squared row norms and absolute tol."""

    mean: np.ndarray
    Xc: np.ndarray
    x_sq_norms: np.ndarray
    abs_tol: float


def centre(X: np.ndarray, tol: float) -> CentredData:
    """Centre X (the ||x||^2 - 2x.c + ||c||^2 form is more accurate so, as in sklearn).

    The absolute tolerance comes from the centred row norms: the mean feature
    variance is ``sum(||x - mean||^2) / (n d)``, equal to :func:`tolerance` up to
    rounding (~1e-14 relative) and without another pass over X.
    """
    mean = X.mean(axis=0)
    Xc = X - mean
    x_sq = np.einsum("ij,ij->i", Xc, Xc)
    abs_tol = 0.0 if tol == 0 else float(x_sq.sum(dtype=np.float64) / X.size) * tol
    return CentredData(mean, Xc, x_sq, abs_tol)


def _relocate_empty_clusters(X, sample_weight, centers_old, sums, weights, labels):
    """Give each empty cluster one of the points farthest from their center (as sklearn).

    Works on the weighted sums and weights in place. Returns the relocated
    cluster ids and, in the same order, the indices of the points they took.
    Nothing is relocated when every point sits on its center (fewer distinct
    points than clusters): there is no better place to move to.
    """
    empty = np.flatnonzero(weights == 0)
    n_empty = empty.size
    if n_empty == 0:
        return (), np.empty(0, dtype=np.intp)
    dist = _sq_dist_to_own_center(X, centers_old, labels)
    if dist.max() == 0:
        return (), np.empty(0, dtype=np.intp)
    far = np.argpartition(dist, -n_empty)[: -n_empty - 1 : -1]
    for new_id, idx in zip(empty, far, strict=True):
        w = sample_weight[idx]
        old_id = labels[idx]
        sums[old_id] -= X[idx] * w
        sums[new_id] = X[idx] * w
        weights[new_id] = w
        weights[old_id] -= w
    return tuple(int(k) for k in empty), far


def _sq_dist_to_own_center(X, centers, labels, chunk_rows: int | None = None) -> np.ndarray:
    """Explicit ``||x_i - c_{labels_i}||^2`` per point, in chunks (no N x d temporary)."""
    if chunk_rows is None:  # about 2**19 values per chunk: 4 MiB temporaries at any d
        chunk_rows = max(256, min(65536, (1 << 19) // X.shape[1]))
    out = np.empty(X.shape[0], dtype=X.dtype)
    for start in range(0, X.shape[0], chunk_rows):
        stop = start + chunk_rows
        diff = X[start:stop] - centers[labels[start:stop]]
        np.einsum("ij,ij->i", diff, diff, out=out[start:stop])
    return out


def _explicit_inertia(X, sample_weight, centers, labels) -> float:
    """Weighted sum of squared distances, summed explicitly (as sklearn's final inertia)."""
    return explicit_inertia(X, centers, labels, sample_weight)


def _mean_centers(centers_old, sums, weights):
    """New centers ``sums / weights``; a center whose cluster has no weight stays put.

    Multiplies by the reciprocal as scikit-learn does, so the centers agree to
    the last bit given the same sums.
    """
    new_centers = centers_old.copy()
    nonempty = weights > 0
    alpha = (1.0 / weights[nonempty]).astype(sums.dtype, copy=False)
    new_centers[nonempty] = sums[nonempty] * alpha[:, None]
    return new_centers


def _lloyd_steps_prepared(
    X: np.ndarray,
    centers: np.ndarray,
    sample_weight: np.ndarray,
    x_sq_norms: np.ndarray,
    *,
    max_iter: int,
    abs_tol: float,
) -> Iterator[LloydStep]:
    """Lloyd steps on validated, mean-centred data (shared by the estimator and lloyd_steps).

    Follows scikit-learn's ``_kmeans_single_lloyd``: stop on labels unchanged
    since the previous assignment, else on total squared shift <= ``abs_tol``,
    else after ``max_iter``; when not stopped on unchanged labels, label once
    more for the final centers. The last step's inertia is summed explicitly.
    """
    centers = centers.copy()
    # Carries the cluster sums from one iteration to the next: only the rows whose
    # label changed are moved, and it counts them (n_changed) on the way.
    sums_state = IncrementalSums()
    stop: StopReason | None = None
    for it in range(1, max_iter + 1):
        labels, inertia, sums, weights = assign_and_accumulate(
            X, centers, sample_weight, x_sq_norms, state=sums_state
        )
        n_changed = sums_state.n_changed
        strict = n_changed == 0
        yield LloydStep(
            it,
            "assign",
            centers,
            labels,
            inertia,
            n_changed=n_changed,
            center_shifts=np.zeros(centers.shape[0]),
        )

        relocated, far = _relocate_empty_clusters(X, sample_weight, centers, sums, weights, labels)
        new_centers = _mean_centers(centers, sums, weights)
        shifts = np.sqrt(((new_centers - centers) ** 2).sum(axis=1))
        new_labels = labels
        if relocated:
            sums_state.recompute_next()
            # The sums now count each relocated point in its new cluster: say so.
            new_labels = labels.copy()
            new_labels[far] = relocated
        if strict:
            stop = "labels unchanged"
        elif float(np.sum(shifts**2)) <= abs_tol:
            stop = "center shift below tol"
        elif it == max_iter:
            stop = "max_iter reached"
        if relocated or strict:
            new_inertia = _explicit_inertia(X, sample_weight, new_centers, new_labels)
        else:
            # Moving a center to its cluster's mean lowers the cluster's SSE by
            # W_k * ||old - mean||^2 (parallel axis theorem): no second pass over X.
            new_inertia = max(inertia - float(weights @ (shifts**2)), 0.0)
        centers = new_centers
        yield LloydStep(
            it,
            "update",
            centers,
            new_labels,
            new_inertia,
            n_changed=len(relocated),
            center_shifts=shifts,
            relocated=relocated,
            stop_reason=stop if strict else None,
        )
        if stop is not None:
            break
    if stop == "labels unchanged":
        return
    # Not stopped on unchanged labels: label once more for the final centers (as
    # scikit-learn does), so that the final labels and centers agree.
    final_labels, _, _, _ = assign_and_accumulate(
        X, centers, sample_weight, x_sq_norms, accumulate=False
    )
    yield LloydStep(
        it,
        "assign",
        centers,
        final_labels,
        _explicit_inertia(X, sample_weight, centers, final_labels),
        n_changed=int(np.count_nonzero(final_labels != labels)),
        center_shifts=np.zeros(centers.shape[0]),
        stop_reason=stop,
    )


def lloyd_steps(
    X,
    init_centers,
    *,
    sample_weight=None,
    max_iter: int = 300,
    tol: float = 1e-4,
) -> Iterator[LloydStep]:
    """Run Lloyd's algorithm from given centers, yielding each half-step.

    Each iteration yields an "assign" step (labels from the current centers)
    and an "update" step (centers moved to the weighted means, empty clusters
    relocated to far points). The run stops as scikit-learn's does: labels
    unchanged, or the total squared center shift at most
    ``tol * mean(var(X, axis=0))``, or ``max_iter``. If it did not stop on
    unchanged labels, a final "assign" step labels the points for the final
    centers. The last step carries ``stop_reason``.

    The work is done on mean-centred data exactly as in :class:`KMeans`, so
    ``KMeans(init=init_centers, n_init=1)`` gives the same centers, labels,
    inertia and history as this generator.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    init_centers : array-like of shape (n_clusters, n_features)
    sample_weight : array-like of shape (n_samples,), optional
    max_iter : int, default=300
    tol : float, default=1e-4

    Yields
    ------
    LloydStep
        With centers in the coordinates of X.

    Raises
    ------
    ValueError
        For invalid data, centers of the wrong shape, or bad max_iter / tol.
    """
    X = check_data(X)
    centers = check_init_centers(init_centers, X)
    check_n_clusters(centers.shape[0], X.shape[0])
    check_max_iter_tol(max_iter, tol)
    w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
    data = centre(X, tol)
    X_mean = data.mean
    steps = _lloyd_steps_prepared(
        data.Xc, centers - X_mean, w, data.x_sq_norms, max_iter=max_iter, abs_tol=data.abs_tol
    )
    for step in steps:
        yield replace(step, centers=step.centers + X_mean)
