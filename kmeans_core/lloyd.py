"""Lloyd's algorithm as a generator of steps.

The estimator and the dashboard's animation both consume the same generator
(:func:`lloyd_steps`, and ``_lloyd_steps_prepared`` under it); there is no
second copy of the loop.  Elkan's and Hamerly's bounds and sparse input are
assignment strategies plugged into it (:mod:`kmeans_core.assigners`,
:mod:`kmeans_core.bounds`, :mod:`kmeans_core._sparse`), not other loops.

It follows scikit-learn's Lloyd loop step for step (same stopping rules, same
``n_iter_``, same empty-cluster relocation, same arithmetic for the means), so
from the same initial centers the labels are identical. Two deliberate
differences, both only in degenerate cases:

- a cluster left with zero total weight after relocation (its only point was
  taken, or it holds only zero-weight points) keeps its previous center;
  scikit-learn copies its heaviest cluster's running sums there (divided by the
  weight only when that cluster's index is lower), so the runs part ways
  (counted in ``tests/core/test_differential.py``);
- on an update step with a relocation, ``labels`` shows the relocated points
  in their new clusters (what the new centers are the means of); the stopping
  rule still compares assignment with assignment, as scikit-learn does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from kmeans_core._validation import (
    check_data,
    check_init_centers,
    check_max_iter_tol,
    check_n_clusters,
    check_sample_weight,
)
from kmeans_core.assigners import Assignment, DenseData

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
    distances_skipped : float
        Assign steps: share (0 to 1) of the n_samples x n_clusters point-center
        distances that the assignment did not compute, because triangle-inequality
        bounds (algorithm "elkan" or "hamerly") showed they could not change a
        label, or the point's grid cell lies in one center's region (algorithm
        "tree"). 0 for Lloyd, which computes them all.
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
    distances_skipped: float = 0.0

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
            distances_skipped=self.distances_skipped,
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
    distances_skipped: float = 0.0


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
    rounding (~1e-14 relative) and without another pass over X.  Sparse X is
    kept as it is (mean 0), with scikit-learn's sparse tolerance.
    """
    from kmeans_core._sparse import is_sparse, sparse_row_norms, sparse_tolerance

    if is_sparse(X):  # never centred (it would turn dense), as scikit-learn
        abs_tol = sparse_tolerance(X, tol)
        return CentredData(np.zeros(X.shape[1], dtype=X.dtype), X, sparse_row_norms(X), abs_tol)
    mean = X.mean(axis=0)
    Xc = X - mean
    x_sq = np.einsum("ij,ij->i", Xc, Xc)
    abs_tol = 0.0 if tol == 0 else float(x_sq.sum(dtype=np.float64) / X.size) * tol
    return CentredData(mean, Xc, x_sq, abs_tol)


_NO_ROWS = np.empty(0, dtype=np.intp)
_NO_ROWS.flags.writeable = False


def _relocate_empty_clusters(data: DenseData, centers_old, sums, weights, labels):
    """Give each empty cluster one of the points farthest from their center (as sklearn).

    Works on the weighted sums and weights in place. Returns the relocated
    cluster ids and, in the same order, the indices of the points they took.
    Nothing is relocated when every point sits on its center (fewer distinct
    points than clusters): there is no better place to move to.
    """
    if weights.all():  # the usual case, checked without building an index array
        return (), _NO_ROWS
    empty = np.flatnonzero(weights == 0)
    n_empty = empty.size
    dist = data.sq_dist_to_own_center(centers_old, labels)
    if dist.max() == 0:
        return (), _NO_ROWS
    far = np.argpartition(dist, -n_empty)[: -n_empty - 1 : -1]
    for new_id, idx in zip(empty, far, strict=True):
        w = data.w[idx]
        old_id = labels[idx]
        x = data.row(idx)
        sums[old_id] -= x * w
        sums[new_id] = x * w
        weights[new_id] = w
        weights[old_id] -= w
    return tuple(int(k) for k in empty), far


def _mean_centers(centers_old, sums, weights):
    """New centers ``sums / weights``; a center whose cluster has no weight stays put.

    Multiplies by the reciprocal as scikit-learn does, so the centers agree to
    the last bit given the same sums.
    """
    nonempty = weights > 0
    if nonempty.all():  # the usual case: no copy, no masked writes (same arithmetic)
        return sums * (1.0 / weights).astype(sums.dtype, copy=False)[:, None]
    new_centers = centers_old.copy()
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
    algorithm: str = "lloyd",
) -> Iterator[LloydStep]:
    """Lloyd steps on validated, mean-centred data (shared by the estimator and lloyd_steps).

    Follows scikit-learn's ``_kmeans_single_lloyd``: stop on labels unchanged
    since the previous assignment, else on total squared shift <= ``abs_tol``,
    else after ``max_iter``; when not stopped on unchanged labels, label once
    more for the final centers. The last step's inertia is summed explicitly.
    ``algorithm`` only chooses how the assign step finds the labels
    (:func:`kmeans_core.bounds.make_assigner`); the loop is the same.
    """
    from kmeans_core.bounds import make_assigner  # bounds builds on this module's types

    data = make_assigner(algorithm, X, sample_weight, x_sq_norms)
    centers = centers.copy()
    stop: StopReason | None = None
    for it in range(1, max_iter + 1):
        got = data.assign(centers)
        labels = got.labels
        yield _assign_step(it, centers, got)
        update, stop = _update_step(data, it, centers, got, abs_tol, max_iter)
        centers = update.centers
        yield update
        if stop is not None:
            break
    if stop == "labels unchanged":
        return
    # Not stopped on unchanged labels: label once more for the final centers (as
    # scikit-learn does), so that the final labels and centers agree.
    final_labels = data.final_labels(centers)
    yield LloydStep(
        it,
        "assign",
        centers,
        final_labels,
        data.explicit_inertia(centers, final_labels),
        n_changed=int(np.count_nonzero(final_labels != labels)),
        center_shifts=np.zeros(centers.shape[0]),
        stop_reason=stop,
    )


def _assign_step(it: int, centers: np.ndarray, got: Assignment) -> LloydStep:
    return LloydStep(
        it,
        "assign",
        centers,
        got.labels,
        got.inertia,
        n_changed=got.n_changed,
        center_shifts=np.zeros(centers.shape[0]),
        distances_skipped=got.distances_skipped,
    )


def stop_reason(
    strict: bool, shifts: np.ndarray, abs_tol: float, iteration: int, max_iter: int
) -> StopReason | None:
    """Why the run stops after this update, or None to go on (scikit-learn's order of rules).

    Unchanged labels first ("strict convergence"), then the summed squared center
    shift at most ``abs_tol``, then the iteration budget.
    """
    if strict:
        return "labels unchanged"
    if float((shifts**2).sum()) <= abs_tol:
        return "center shift below tol"
    if iteration == max_iter:
        return "max_iter reached"
    return None


def _update_step(data, it, centers, got: Assignment, abs_tol, max_iter):
    """The update half-step: relocate empty clusters, move centers to the means, check the stop."""
    labels, sums, weights = got.labels, got.sums, got.weights
    strict = got.n_changed == 0
    relocated, far = _relocate_empty_clusters(data, centers, sums, weights, labels)
    new_centers = _mean_centers(centers, sums, weights)
    shifts = np.sqrt(((new_centers - centers) ** 2).sum(axis=1))
    new_labels = labels
    if relocated:
        data.after_relocation()
        # The sums now count each relocated point in its new cluster: say so.
        new_labels = labels.copy()
        new_labels[far] = relocated
    stop = stop_reason(strict, shifts, abs_tol, it, max_iter)
    if relocated or strict:
        new_inertia = data.explicit_inertia(new_centers, new_labels)
    else:
        # Moving a center to its cluster's mean lowers the cluster's SSE by
        # W_k * ||old - mean||^2 (parallel axis theorem): no second pass over X.
        new_inertia = max(got.inertia - float(weights @ (shifts**2)), 0.0)
    step = LloydStep(
        it,
        "update",
        new_centers,
        new_labels,
        new_inertia,
        n_changed=len(relocated),
        center_shifts=shifts,
        relocated=relocated,
        stop_reason=stop if strict else None,
    )
    return step, stop


def lloyd_steps(
    X,
    init_centers,
    *,
    sample_weight=None,
    max_iter: int = 300,
    tol: float = 1e-4,
    algorithm: str = "lloyd",
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
    algorithm : {"lloyd", "elkan", "hamerly", "tree", "auto"}, default="lloyd"
        How the assign steps find the labels (same steps from the same start;
        see :class:`KMeans`); each assign step's ``distances_skipped`` says how
        many distances the bounds or the tree saved.

    Yields
    ------
    LloydStep
        With centers in the coordinates of X.

    Raises
    ------
    ValueError
        For invalid data, centers of the wrong shape, or bad max_iter / tol.
    """
    X = check_data(X, accept_sparse=True)
    centers = check_init_centers(init_centers, X)
    check_n_clusters(centers.shape[0], X.shape[0])
    check_max_iter_tol(max_iter, tol)
    w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
    data = centre(X, tol)
    X_mean = data.mean
    steps = _lloyd_steps_prepared(
        data.Xc,
        centers - X_mean,
        w,
        data.x_sq_norms,
        max_iter=max_iter,
        abs_tol=data.abs_tol,
        algorithm=algorithm,
    )
    for step in steps:
        yield replace(step, centers=step.centers + X_mean)
