"""Lloyd's algorithm on a dask array: per block, then added up in block order.

Each iteration is one graph computation. The K x d centers go to the blocks; each
block runs the in-memory kernel (:func:`kmeans_core._kernels.assign_and_accumulate`,
on its centred rows, one thread) and sends back its weighted sums, weights,
inertia and the number of labels that changed. The driver adds the blocks up in
block order, so the result depends on the chunking only through rounding and
never on the scheduler or the number of workers. The labels of the assignment
stay with the blocks (persisted, one byte per row for K <= 256) for the next
iteration's "labels unchanged" test; X is never gathered.

The stopping rules, ``n_iter_``, the tolerance, the relocation arithmetic and the
step records are those of :mod:`kmeans_core.lloyd` (imported, not copied): from
the same initial centers the labels are those of the in-memory fit. One
difference: with several empty clusters at once, the farthest points are the
same but may be handed to the empty clusters in another order.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from kmeans_core._kernels import assign_and_accumulate, explicit_inertia
from kmeans_core.dask_data import DaskData, centred_block, zero_norms
from kmeans_core.interrupt import checkpoint
from kmeans_core.lloyd import (
    LloydStep,
    StepSummary,
    StopReason,
    _mean_centers,
    _relocate_empty_clusters,
    stop_reason,
)

# -- per-block work (runs on the workers) -----------------------------------------


def _label_dtype(n_clusters: int) -> type:
    return np.uint8 if n_clusters <= 256 else np.int32


def _assign_block(x, w, mean, centers, prev):
    """Assign step on one block: (compact labels, (sums, weights, n_changed)).

    The kernel gets zeros for the row norms: its inertia is not used (the driver
    gets the inertia from the sums, see :func:`_inertia_from_sums`).
    """
    xc, w = centred_block(x, w, mean)
    labels, _, sums, weights = assign_and_accumulate(
        xc, centers, w, zero_norms(len(xc), xc.dtype), n_threads=1
    )
    n_changed = labels.size if prev is None else int(np.count_nonzero(labels != prev))
    compact = labels.astype(_label_dtype(centers.shape[0]))
    return compact, (sums.astype(np.float64), weights.astype(np.float64), n_changed)


def _final_block(x, w, mean, centers, prev):
    """Final assign step on one block: (explicit inertia, n_changed)."""
    xc, w = centred_block(x, w, mean)
    labels, _, _, _ = assign_and_accumulate(
        xc, centers, w, zero_norms(len(xc), xc.dtype), accumulate=False, n_threads=1
    )
    inertia = explicit_inertia(xc, centers, labels, w, n_threads=1)
    n_changed = int(np.count_nonzero(labels != prev))
    return inertia, n_changed


def _inertia_block(x, w, mean, centers, labels, start, relabel):
    """Explicit inertia of one block for given labels (relocated rows patched in)."""
    xc, w = centred_block(x, w, mean)
    labels = _patched(labels, start, relabel)
    return explicit_inertia(xc, centers, labels, w, n_threads=1)


def _patched(labels, start: int, relabel: dict[int, int]):
    """Labels as int32, with ``relabel`` (global row -> cluster) applied to this block."""
    labels = labels.astype(np.int32)
    for row, cluster in relabel.items():
        if start <= row < start + labels.size:
            labels[row - start] = cluster
    return labels


class _Rows:
    """Centred rows and their weights, read as the Lloyd loop's relocation reads X."""

    def __init__(self, X: np.ndarray, w: np.ndarray) -> None:
        self.X, self.w = X, w

    def row(self, idx: int) -> np.ndarray:
        return self.X[idx]

    def sq_dist_to_own_center(self, centers: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Explicit ``||x_i - c_{labels_i}||^2``, row by row as in memory (same bits)."""
        diff = self.X - centers[labels]
        return np.einsum("ij,ij->i", diff, diff)


def _relocate(rows: _Rows, centers, sums, weights, labels):
    """:func:`kmeans_core.lloyd._relocate_empty_clusters` on candidate rows.

    Accepts both its signatures: ``(X, sample_weight, ...)`` and the newer
    ``(data, ...)`` where ``data`` reads rows and distances as :class:`_Rows` does.
    """
    relocate: Any = _relocate_empty_clusters  # typed by whichever signature is installed
    if next(iter(inspect.signature(relocate).parameters)) == "data":
        return relocate(rows, centers, sums, weights, labels)
    return relocate(rows.X, rows.w, centers, sums, weights, labels)


def _far_block(x, w, mean, centers, labels, start, n_far):
    """The block's ``n_far`` rows farthest from their own center, as candidates."""
    xc, w = centred_block(x, w, mean)
    labels = labels.astype(np.int32)
    dist = _Rows(xc, w).sq_dist_to_own_center(centers, labels)
    n_far = min(n_far, dist.size)
    top = np.argpartition(dist, -n_far)[-n_far:]
    top.sort()  # row order: the combined candidates do not depend on argpartition
    return xc[top], w[top], labels[top], top + start


def _combine_assign(parts: list) -> tuple:
    """Add the blocks' partial results in block order (independent of scheduling)."""
    sums = np.zeros_like(parts[0][0])
    weights = np.zeros_like(parts[0][1])
    for part in parts:
        sums += part[0]
        weights += part[1]
    return sums, weights, int(sum(p[2] for p in parts))


def _inertia_from_sums(total_sq: float, centers, sums, weights) -> float:
    """Inertia of an assignment from its cluster sums: no row norms needed.

    ``sum_i w_i ||x_i - c_k||^2 = sum_i w_i ||x_i||^2 - 2 c_k . S_k + W_k ||c_k||^2``
    summed over clusters, with ``total_sq = sum_i w_i ||x_i||^2`` (centred X) from
    the preparation pass. Its rounding is that of the in-memory kernel's
    per-point ``||x||^2 - 2 x.c + ||c||^2`` (relative to the spread of X).
    """
    c = centers.astype(np.float64)
    value = total_sq - 2 * float(np.einsum("ij,ij->", c, sums)) + float(weights @ (c * c).sum(1))
    return max(value, 0.0)


# -- the driver --------------------------------------------------------------------


class _Blocks:
    """The graphs of one Lloyd run over prepared data; keeps the persisted labels."""

    def __init__(self, data: DaskData, n_clusters: int) -> None:
        import dask

        self.data = data
        self.x = data.blocks()
        self.w = data.weight_blocks()
        self.mean = dask.delayed(data.mean)
        self.starts = [int(s) for s in data.offsets[:-1]]
        self.n_clusters = n_clusters
        self.labels: list = []  # persisted per-block labels of the last assign

    def assign(self, centers: np.ndarray) -> tuple:
        """One assign pass: labels stay with the blocks, (sums, weights, inertia, n_changed)."""
        import dask

        c = dask.delayed(centers)
        prev = self.labels or [None] * len(self.x)
        tasks = [
            dask.delayed(_assign_block, pure=True, nout=2)(xb, wb, self.mean, c, p)
            for xb, wb, p in zip(self.x, self.w, prev, strict=True)
        ]
        combined = dask.delayed(_combine_assign)([t[1] for t in tasks])
        labels, combined = dask.persist([t[0] for t in tasks], combined)
        self.labels = labels
        sums, weights, n_changed = combined.compute()
        inertia = _inertia_from_sums(self.data.weighted_sq_sum, centers, sums, weights)
        dtype = self.data.dtype
        return sums.astype(dtype), weights.astype(dtype), inertia, n_changed

    def final(self, centers: np.ndarray) -> tuple[float, int]:
        """Label once more for the final centers: (explicit inertia, n_changed)."""
        import dask

        c = dask.delayed(centers)
        tasks = [
            dask.delayed(_final_block, pure=True)(xb, wb, self.mean, c, p)
            for xb, wb, p in zip(self.x, self.w, self.labels, strict=True)
        ]
        (parts,) = dask.compute(tasks)
        return float(sum(p[0] for p in parts)), int(sum(p[1] for p in parts))

    def inertia(self, centers: np.ndarray, relabel: dict[int, int]) -> float:
        """Explicit inertia of the last assignment (with relocated rows) for ``centers``."""
        import dask

        c = dask.delayed(centers)
        tasks = [
            dask.delayed(_inertia_block, pure=True)(xb, wb, self.mean, c, lb, s, relabel)
            for xb, wb, lb, s in zip(self.x, self.w, self.labels, self.starts, strict=True)
        ]
        (parts,) = dask.compute(tasks)
        return float(sum(parts))

    def relocate(self, centers, sums, weights) -> tuple[tuple[int, ...], dict[int, int]]:
        """Empty clusters take the globally farthest points (one more pass, only then)."""
        import dask

        n_empty = int(np.count_nonzero(weights == 0))
        if n_empty == 0:
            return (), {}
        c = dask.delayed(centers)
        tasks = [
            dask.delayed(_far_block, pure=True)(xb, wb, self.mean, c, lb, s, n_empty)
            for xb, wb, lb, s in zip(self.x, self.w, self.labels, self.starts, strict=True)
        ]
        (parts,) = dask.compute(tasks)
        xs, ws, ls, rows = (np.concatenate(p) for p in zip(*parts, strict=True))
        relocated, far = _relocate(_Rows(xs, ws), centers, sums, weights, ls)
        return relocated, {int(rows[f]): k for f, k in zip(far, relocated, strict=True)}

    def labels_array(self):
        """The persisted labels of the last assignment as a dask array (int32)."""
        import dask.array as da

        parts = [
            da.from_delayed(lb, shape=(n,), dtype=_label_dtype(self.n_clusters))
            for lb, n in zip(self.labels, np.diff(self.data.offsets), strict=True)
        ]
        return da.concatenate(parts).astype(np.int32)


def dask_lloyd_steps(
    data: DaskData,
    centers: np.ndarray,
    *,
    max_iter: int,
    abs_tol: float,
) -> Iterator[LloydStep]:
    """Lloyd steps on prepared dask data, from centred initial ``centers``.

    Yields the records of :func:`kmeans_core.lloyd._lloyd_steps_prepared` (same
    stopping rules, same ``n_iter``; centers in centred coordinates), with
    ``labels`` as a lazy int32 dask array. The final step's labels are those of
    :func:`predict_labels` for the final centers.
    """
    blocks = _Blocks(data, centers.shape[0])
    centers = centers.astype(data.dtype, copy=True)
    stop: StopReason | None = None
    for it in range(1, max_iter + 1):
        sums, weights, inertia, n_changed = blocks.assign(centers)
        strict = n_changed == 0
        zeros = np.zeros(centers.shape[0])
        yield LloydStep(it, "assign", centers, blocks.labels_array(), inertia, n_changed, zeros)
        relocated, relabel = blocks.relocate(centers, sums, weights)
        new_centers = _mean_centers(centers, sums, weights)
        shifts = np.sqrt(((new_centers - centers) ** 2).sum(axis=1))
        stop = stop_reason(strict, shifts, abs_tol, it, max_iter)
        if relocated or strict:
            new_inertia = blocks.inertia(new_centers, relabel)
        else:  # parallel axis theorem, as in memory: no pass over X
            new_inertia = max(inertia - float(weights @ (shifts**2)), 0.0)
        centers = new_centers
        # On "labels unchanged" the new centers equal the last assignment's (same sums,
        # bit for bit), so its labels are predict()'s: a graph on X that outlives the
        # persisted blocks (and a distributed Client).
        held = predict_labels(data, centers) if strict else blocks.labels_array()
        labels = _patch_lazy(held, relabel)
        yield LloydStep(
            it, "update", centers, labels, new_inertia, len(relocated), shifts, relocated,
            stop if strict else None,
        )  # fmt: skip
        if stop is not None:
            break
    if stop == "labels unchanged":
        return
    inertia, n_changed = blocks.final(centers)
    labels = predict_labels(data, centers)
    yield LloydStep(it, "assign", centers, labels, inertia, n_changed, np.zeros(len(centers)),
                    stop_reason=stop)  # fmt: skip


def _patch_lazy(labels, relabel: dict[int, int]):
    """A lazy label array with the relocated rows moved to their new clusters."""
    if not relabel:
        return labels
    import dask.array as da

    starts = np.concatenate([[0], np.cumsum(labels.chunks[0])[:-1]])
    start_arr = da.from_array(starts, chunks=1)
    return da.map_blocks(
        lambda lb, s: _patched(lb, int(s[0]), relabel), labels, start_arr, dtype=np.int32
    )


def _predict_block(x, mean, centers):
    xc, w = centred_block(x, None, mean)
    labels, _, _, _ = assign_and_accumulate(
        xc, centers, w, zero_norms(len(xc), xc.dtype), accumulate=False, n_threads=1
    )
    return labels


def predict_labels(data: DaskData, centers: np.ndarray):
    """Lazy labels of every row of ``data.X`` for centred ``centers`` (int32 dask array)."""
    return data.X.map_blocks(_predict_block, data.mean, centers, drop_axis=1, dtype=np.int32)


@dataclass
class DaskRun:
    """One Lloyd run on dask data, in centred coordinates."""

    centers: np.ndarray
    labels: Any  # lazy int32 dask array
    inertia: float
    n_iter: int
    history: list[StepSummary] | None


def run_lloyd(data, centers0, *, max_iter, abs_tol, keep_history, on_step=None) -> DaskRun:
    """Consume :func:`dask_lloyd_steps` once; the last step is the result.

    ``on_step(step)`` is called after every step (e.g. to show progress).
    """
    history: list[StepSummary] | None = [] if keep_history else None
    last = None
    for step in dask_lloyd_steps(data, centers0, max_iter=max_iter, abs_tol=abs_tol):
        checkpoint()  # a caller's Cancel stops a long fit between steps
        if history is not None:
            history.append(step.summary(data.mean))
        if on_step is not None:
            on_step(step)
        last = step
    assert last is not None  # max_iter >= 1: at least two steps
    return DaskRun(last.centers, last.labels, float(last.inertia), int(last.iteration), history)
