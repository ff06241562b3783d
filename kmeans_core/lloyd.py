"""Lloyd's algorithm as a generator of steps.

The estimator and the dashboard's animation both consume :func:`lloyd_steps`;
there is no second copy of the loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from kmeans_core._kernels import assign_and_accumulate
from kmeans_core._validation import check_data, check_sample_weight

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
        Labels in effect after this step.
    inertia : float
        Weighted sum of squared distances of points to their labelled center,
        for ``labels`` and ``centers`` of this step.
    n_changed : int
        Assign steps: points whose label changed (all points on the first step).
    center_shifts : ndarray of shape (n_clusters,)
        Update steps: distance each center moved (zeros for assign steps).
    relocated : tuple of int
        Update steps: clusters that were empty and got a far point as new center.
    stop_reason : str or None
        Set on the last step of the run.
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


def _relocate_empty_clusters(X, sample_weight, centers_old, sums, weights, labels):
    """Give each empty cluster one of the points farthest from their center (as sklearn).

    Works on the weighted sums in place; returns the relocated cluster indices.
    """
    empty = np.flatnonzero(weights == 0)
    n_empty = empty.size
    if n_empty == 0:
        return ()
    dist = ((X - centers_old[labels]) ** 2).sum(axis=1)
    far = np.argpartition(dist, -n_empty)[: -n_empty - 1 : -1]
    for new_id, idx in zip(empty, far, strict=True):
        w = sample_weight[idx]
        old_id = labels[idx]
        sums[old_id] -= X[idx] * w
        sums[new_id] = X[idx] * w
        weights[new_id] = w
        weights[old_id] -= w
    return tuple(int(k) for k in empty)


def _explicit_inertia(X, sample_weight, centers, labels) -> float:
    d2 = ((X - centers[labels]) ** 2).sum(axis=1)
    return float(d2 @ sample_weight)


def _lloyd_steps_prepared(
    X: np.ndarray,
    centers: np.ndarray,
    sample_weight: np.ndarray,
    x_sq_norms: np.ndarray,
    *,
    max_iter: int,
    abs_tol: float,
) -> Iterator[LloydStep]:
    """Lloyd steps on already validated (and, in the estimator, centred) data."""
    centers = centers.copy()
    labels_prev = np.full(X.shape[0], -1, dtype=np.int32)
    stop: StopReason | None = None
    for it in range(1, max_iter + 1):
        labels, inertia, sums, weights = assign_and_accumulate(
            X, centers, sample_weight, x_sq_norms
        )
        n_changed = int(np.count_nonzero(labels != labels_prev))
        strict = n_changed == 0
        yield LloydStep(it, "assign", centers, labels, inertia, n_changed=n_changed)

        relocated = _relocate_empty_clusters(X, sample_weight, centers, sums, weights, labels)
        nonempty = weights > 0
        new_centers = centers.copy()
        new_centers[nonempty] = sums[nonempty] / weights[nonempty, None]
        shifts = np.sqrt(((new_centers - centers) ** 2).sum(axis=1))
        if relocated:
            new_inertia = _explicit_inertia(X, sample_weight, new_centers, labels)
        else:
            # Moving a center to its cluster's mean lowers the cluster's SSE by
            # W_k * ||old - mean||^2 (parallel axis theorem): no second pass over X.
            new_inertia = max(inertia - float(weights @ (shifts**2)), 0.0)
        if strict:
            stop = "labels unchanged"
        elif float(np.sum(shifts**2)) <= abs_tol:
            stop = "center shift below tol"
        elif it == max_iter:
            stop = "max_iter reached"
        centers = new_centers
        yield LloydStep(
            it,
            "update",
            centers,
            labels,
            new_inertia,
            center_shifts=shifts,
            relocated=relocated,
            stop_reason=stop if strict else None,
        )
        if strict:
            return
        if stop is not None:
            break
        labels_prev = labels
    # Not stopped on unchanged labels: label once more for the final centers (as
    # scikit-learn does), so that the final labels and centers agree.
    final_labels, inertia, _, _ = assign_and_accumulate(
        X, centers, sample_weight, x_sq_norms, accumulate=False
    )
    yield LloydStep(
        it,
        "assign",
        centers,
        final_labels,
        inertia,
        n_changed=int(np.count_nonzero(final_labels != labels)),
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
    """
    X = check_data(X)
    centers = np.ascontiguousarray(init_centers, dtype=X.dtype)
    if centers.ndim != 2 or centers.shape[1] != X.shape[1]:
        raise ValueError(
            f"init_centers must have shape (n_clusters, {X.shape[1]}), got {centers.shape}."
        )
    if max_iter < 1:
        raise ValueError(f"max_iter must be at least 1, got {max_iter}.")
    w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
    x_sq = np.einsum("ij,ij->i", X, X)
    yield from _lloyd_steps_prepared(
        X, centers, w, x_sq, max_iter=max_iter, abs_tol=tolerance(X, tol)
    )
