"""Lloyd's algorithm on a dask array: per block, then added up in block order.

Each iteration is one graph computation, with one task per block (consecutive
blocks under :data:`kmeans_core.dask_data.MIN_GROUP_BYTES` are joined into one
task). The K x d centers go to the tasks; each runs the in-memory kernel
(:func:`kmeans_core._kernels.assign_and_accumulate`, on its centred rows, one
thread) and sends back its weighted sums, weights and the number of labels that
changed. They are added up in task order, so the result depends on the chunking
only through rounding and never on the scheduler or the number of workers. The
labels of the assignment stay with the tasks (persisted, one byte per row for
K <= 256) for the next iteration's "labels unchanged" test; X is never gathered.

The stopping rules, ``n_iter_``, the tolerance, the relocation arithmetic and the
step records are those of :mod:`kmeans_core.lloyd` (imported, not copied): from
the same initial centers the labels are those of the in-memory fit. One
difference: with several empty clusters at once, the farthest points are the
same but may be handed to the empty clusters in another order.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np

from kmeans_core._kernels import assign_and_accumulate, explicit_inertia
from kmeans_core.dask_data import DaskData, centred_block, centred_group, group_graph, zero_norms
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


def _assign_group(xs, ws, mean, centers, prev):
    """Assign step on one group of blocks: (compact labels, (sums, weights, n_changed)).

    ``prev`` is this group's result of the previous assign step (None on the
    first). The kernel gets zeros for the row norms: its inertia is not used (the
    driver gets the inertia from the sums, see :func:`_inertia_from_sums`).
    """
    xc, w = centred_group(xs, ws, mean)
    labels, _, sums, weights = assign_and_accumulate(
        xc, centers, w, zero_norms(len(xc), xc.dtype), n_threads=1
    )
    n_changed = labels.size if prev is None else int(np.count_nonzero(labels != prev[0]))
    compact = labels.astype(_label_dtype(centers.shape[0]))
    return compact, (sums.astype(np.float64), weights.astype(np.float64), n_changed)


def _final_group(xs, ws, mean, centers, prev):
    """Final assign step on one group: (explicit inertia, n_changed, points per cluster)."""
    xc, w = centred_group(xs, ws, mean)
    labels, _, _, _ = assign_and_accumulate(
        xc, centers, w, zero_norms(len(xc), xc.dtype), accumulate=False, n_threads=1
    )
    inertia = explicit_inertia(xc, centers, labels, w, n_threads=1)
    n_changed = int(np.count_nonzero(labels != prev[0]))
    return inertia, n_changed, np.bincount(labels, minlength=centers.shape[0])


def _inertia_group(xs, ws, mean, centers, relabel, state, start):
    """Explicit inertia of one group for given labels (relocated rows patched in)."""
    xc, w = centred_group(xs, ws, mean)
    labels = _patched(state[0], start, relabel)
    return explicit_inertia(xc, centers, labels, w, n_threads=1)


def _count_group(state, n_clusters: int) -> np.ndarray:
    """Points per cluster in one group's labels."""
    return np.bincount(state[0], minlength=n_clusters)


def _labels_of_block(state, lo: int, hi: int) -> np.ndarray:
    """Rows ``lo:hi`` of a group's compact labels, as int32 (one block of X)."""
    return state[0][lo:hi].astype(np.int32)


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


def _far_group(xs, ws, mean, centers, n_far, state, start):
    """The group's ``n_far`` rows farthest from their own center, as candidates."""
    xc, w = centred_group(xs, ws, mean)
    labels = state[0].astype(np.int32)
    dist = _Rows(xc, w).sq_dist_to_own_center(centers, labels)
    n_far = min(n_far, dist.size)
    top = np.argpartition(dist, -n_far)[-n_far:]
    top.sort()  # row order: the combined candidates do not depend on argpartition
    return xc[top], w[top], labels[top], top + start


def _combine_assign(states: list) -> tuple:
    """Add the groups' partial results in group order (independent of scheduling)."""
    parts = [state[1] for state in states]
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
    """The graphs of one Lloyd run over prepared data; keeps the last assignment.

    Every pass is one graph with one task per group of blocks
    (:func:`kmeans_core.dask_data.group_graph`), built on X's keys. The assign
    pass's per-group results (compact labels and partial sums) are persisted: the
    labels stay where they were computed (in this process on local threads, on the
    workers with a distributed Client) for the next pass; only the combined sums
    come back.
    """

    def __init__(self, data: DaskData, n_clusters: int) -> None:
        self.data = data
        self.n_clusters = n_clusters
        groups = data.task_groups()
        self.starts = [int(data.offsets[lo]) for lo, _ in groups]
        self.state: list = []  # persisted per-group results of the last assign
        self._labels: Any = None  # lazy labels of the last assign, built once

    def _compute(self, prefix, func, *args, with_state=False, extra_per_group=None) -> list:
        """Run one pass and bring back every group's result (small ones only)."""
        import dask
        from dask.delayed import Delayed
        from dask.highlevelgraph import HighLevelGraph

        name, layer = self._layer(prefix, func, *args, extra_per_group=extra_per_group,
                                  with_state=with_state)  # fmt: skip
        deps = self.data.collections() + (self.state if with_state else [])
        graph = HighLevelGraph.from_collections(name, layer, dependencies=deps)
        (parts,) = dask.compute([Delayed(key, graph, layer=name) for key in layer])
        return list(parts)

    def _layer(self, prefix, func, *args, extra_per_group=None, with_state=False) -> tuple:
        """``group_graph`` plus, per group, its last assign's key and ``extra_per_group[g]``."""
        name, layer = group_graph(self.data, prefix, func, *args)
        for g, key in enumerate(list(layer)):
            extra = () if extra_per_group is None else tuple(extra_per_group[g])
            state = (self.state[g].key,) if with_state else ()
            layer[key] = (*layer[key], *state, *extra)
        return name, layer

    def assign(self, centers: np.ndarray) -> tuple:
        """One assign pass: labels stay with the blocks, (sums, weights, inertia, n_changed)."""
        import dask
        from dask.delayed import Delayed
        from dask.highlevelgraph import HighLevelGraph

        first = not self.state
        name, layer = self._layer(
            "kmeans-assign", _assign_group, self.data.mean, centers, with_state=not first
        )
        if first:  # no previous labels: None in the "prev" slot
            layer = {key: (*task, None) for key, task in layer.items()}
        keys = list(layer)
        layer[(name, "combined")] = (_combine_assign, keys)
        deps = self.data.collections() + self.state
        graph = HighLevelGraph.from_collections(name, layer, dependencies=deps)
        tasks = [Delayed(key, graph, layer=name) for key in keys]
        state, combined = dask.persist(tasks, Delayed((name, "combined"), graph, layer=name))
        self.state, self._labels = list(state), None
        sums, weights, n_changed = combined.compute()
        inertia = _inertia_from_sums(self.data.weighted_sq_sum, centers, sums, weights)
        dtype = self.data.dtype
        return sums.astype(dtype), weights.astype(dtype), inertia, n_changed

    def final(self, centers: np.ndarray) -> tuple[float, int, np.ndarray]:
        """Label once more for the final centers: (explicit inertia, n_changed, counts)."""
        parts = self._compute(
            "kmeans-final", _final_group, self.data.mean, centers, with_state=True
        )
        counts = np.sum([p[2] for p in parts], axis=0)
        return float(sum(p[0] for p in parts)), int(sum(p[1] for p in parts)), counts

    def counts(self) -> np.ndarray:
        """Points per cluster in the last assignment (a pass over the kept labels only)."""
        import dask
        from dask.delayed import Delayed
        from dask.highlevelgraph import HighLevelGraph

        name = f"kmeans-counts-{uuid.uuid4().hex}"
        layer: dict[Any, Any] = {
            (name, g): (_count_group, s.key, self.n_clusters) for g, s in enumerate(self.state)
        }
        graph = HighLevelGraph.from_collections(name, layer, dependencies=self.state)
        (parts,) = dask.compute([Delayed(key, graph, layer=name) for key in layer])
        return np.sum(parts, axis=0)

    def inertia(self, centers: np.ndarray, relabel: dict[int, int]) -> float:
        """Explicit inertia of the last assignment (with relocated rows) for ``centers``."""
        parts = self._compute(
            "kmeans-inertia", _inertia_group, self.data.mean, centers, relabel,
            with_state=True, extra_per_group=[(s,) for s in self.starts],
        )  # fmt: skip
        return float(sum(parts))

    def relocate(self, centers, sums, weights) -> tuple[tuple[int, ...], dict[int, int]]:
        """Empty clusters take the globally farthest points (one more pass, only then)."""
        n_empty = int(np.count_nonzero(weights == 0))
        if n_empty == 0:
            return (), {}
        parts = self._compute(
            "kmeans-far", _far_group, self.data.mean, centers, n_empty,
            with_state=True, extra_per_group=[(s,) for s in self.starts],
        )  # fmt: skip
        xs, ws, ls, rows = (np.concatenate(p) for p in zip(*parts, strict=True))
        relocated, far = _relocate(_Rows(xs, ws), centers, sums, weights, ls)
        return relocated, {int(rows[f]): k for f, k in zip(far, relocated, strict=True)}

    def labels_array(self):
        """The kept labels of the last assignment as a dask array (int32, X's chunks)."""
        if self._labels is not None:
            return self._labels
        import dask.array as da
        from dask.highlevelgraph import HighLevelGraph

        name = f"kmeans-labels-{uuid.uuid4().hex}"
        offsets = self.data.offsets
        layer: dict[Any, Any] = {}
        for g, (lo, hi) in enumerate(self.data.task_groups()):
            for b in range(lo, hi):
                start, stop = offsets[b] - offsets[lo], offsets[b + 1] - offsets[lo]
                layer[(name, b)] = (_labels_of_block, self.state[g].key, int(start), int(stop))
        graph = HighLevelGraph.from_collections(name, layer, dependencies=self.state)
        chunks = (tuple(int(c) for c in np.diff(offsets)),)
        self._labels = da.Array(graph, name, chunks, dtype=np.int32)
        return self._labels


def dask_lloyd_steps(
    data: DaskData,
    centers: np.ndarray,
    *,
    max_iter: int,
    abs_tol: float,
) -> Generator[LloydStep, None, np.ndarray]:
    """Lloyd steps on prepared dask data, from centred initial ``centers``.

    Yields the records of :func:`kmeans_core.lloyd._lloyd_steps_prepared` (same
    stopping rules, same ``n_iter``; centers in centred coordinates), with
    ``labels`` as a lazy int32 dask array. The final step's labels are those of
    :func:`predict_labels` for the final centers. Returns (as the generator's
    value) the number of points in each cluster of the final labels.
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
        counts = blocks.counts()
        counts[list(relocated)] += 1  # each relocated cluster took a point
        return counts
    inertia, n_changed, counts = blocks.final(centers)
    labels = predict_labels(data, centers)
    yield LloydStep(it, "assign", centers, labels, inertia, n_changed, np.zeros(len(centers)),
                    stop_reason=stop)  # fmt: skip
    return counts


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
    counts: np.ndarray  # points per cluster in ``labels``


def run_lloyd(data, centers0, *, max_iter, abs_tol, keep_history, on_step=None) -> DaskRun:
    """Consume :func:`dask_lloyd_steps` once; the last step is the result.

    ``on_step(step)`` is called after every step (e.g. to show progress).
    """
    history: list[StepSummary] | None = [] if keep_history else None
    last = None
    steps = dask_lloyd_steps(data, centers0, max_iter=max_iter, abs_tol=abs_tol)
    while True:
        try:
            step = next(steps)
        except StopIteration as done:  # the generator returns the cluster sizes
            counts = done.value
            break
        checkpoint()  # a caller's Cancel stops a long fit between steps
        if history is not None:
            history.append(step.summary(data.mean))
        if on_step is not None:
            on_step(step)
        last = step
    assert last is not None  # max_iter >= 1: at least two steps
    return DaskRun(
        last.centers, last.labels, float(last.inertia), int(last.iteration), history, counts
    )
