"""Dask input for kmeans_core: recognise it, check it, and prepare it in one pass.

A fit on Dask never gathers X. It reads X once here (one graph computation) to
find NaN/inf per block, check the sample weights, and compute the column mean and
the centred sum of squares that scikit-learn's scaled ``tol`` needs (blocks are
combined with Chan et al.'s pairwise formula, in block order, so the result does
not depend on scheduling). Every later pass subtracts the mean per block, as the
in-memory fit works on centred data.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np

from kmeans_core._validation import NonNumericDataError


def is_dask_collection(X) -> bool:
    """True for a dask array or dask DataFrame (without importing dask for other input)."""
    module = type(X).__module__ or ""
    if not module.startswith("dask"):
        return False
    import dask

    return dask.is_dask_collection(X)


@dataclass(frozen=True)
class DaskData:
    """X prepared for a fit: a row-chunked dask array and what one pass learned about it.

    Attributes
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
        float32 or float64, one chunk across the columns.
    weights : dask.array.Array of shape (n_samples,) or None
        Sample weights chunked as X's rows; None means all ones.
    mean : ndarray of shape (n_features,)
        Column mean, in X's dtype (subtracted per block).
    centred_sq_sum : float
        ``sum ||x - mean||^2`` over all rows (float64), for the tolerance.
    weighted_sq_sum : float
        ``sum w ||x - mean||^2``: the inertia of one center at the mean, from
        which an assign pass gets its inertia without the row norms.
    offsets : ndarray of shape (n_blocks + 1,)
        First row of each block, and n_samples at the end.
    groups : tuple of (int, int)
        The Lloyd passes' tasks: each runs on the blocks ``lo`` to ``hi - 1``
        (consecutive, see :func:`block_groups`); empty means one block per task.
    """

    X: Any
    weights: Any
    mean: np.ndarray
    centred_sq_sum: float
    weighted_sq_sum: float
    offsets: np.ndarray
    groups: tuple[tuple[int, int], ...] = ()

    @property
    def n_samples(self) -> int:
        """Rows over all blocks."""
        return int(self.offsets[-1])

    @property
    def n_features(self) -> int:
        """Columns of X."""
        return int(self.X.shape[1])

    @property
    def dtype(self) -> np.dtype:
        """dtype of X (float32 or float64)."""
        return self.X.dtype

    @property
    def n_blocks(self) -> int:
        """Number of row blocks."""
        return len(self.offsets) - 1

    def abs_tol(self, tol: float) -> float:
        """scikit-learn's absolute tolerance: ``tol`` times the mean feature variance."""
        if tol == 0:
            return 0.0
        return self.centred_sq_sum / (self.n_samples * self.n_features) * tol

    def task_groups(self) -> tuple[tuple[int, int], ...]:
        """Block ranges ``(lo, hi)`` of the Lloyd passes' tasks (one block each by default)."""
        return self.groups or tuple((b, b + 1) for b in range(self.n_blocks))

    def block_keys(self) -> tuple[list, list | None]:
        """The graph keys of X's row blocks and of the weights' (None for unit weights)."""
        x_keys = [row[0] for row in self.X.__dask_keys__()]
        w_keys = None if self.weights is None else list(self.weights.__dask_keys__())
        return x_keys, w_keys

    def collections(self) -> list:
        """X and the weights, as dependencies of a graph built on their keys."""
        return [self.X] if self.weights is None else [self.X, self.weights]

    def blocks(self) -> list:
        """One Delayed per row block of X."""
        return list(self.X.to_delayed().ravel())

    def weight_blocks(self) -> list:
        """One Delayed per row block of the weights (None entries for unit weights)."""
        if self.weights is None:
            return [None] * self.n_blocks
        return list(self.weights.to_delayed().ravel())


def as_dask_array(X):
    """A 2-D float dask array with known row chunks and one column chunk.

    Accepts a dask array or a dask DataFrame of numeric columns (its partition
    lengths are computed once). float32 stays float32; other numbers become float64.

    Raises
    ------
    NonNumericDataError
        For DataFrame columns or arrays that are not numbers (the columns are named).
    ValueError
        For unknown chunk sizes, or X that is not 2-D or is empty.
    """
    import dask.array as da

    if not isinstance(X, da.Array):
        import dask.dataframe as dd  # slow to import: only for DataFrames

        if isinstance(X, dd.Series):
            X = X.to_frame()
        if isinstance(X, dd.DataFrame):
            X = _frame_to_array(X)
    if not isinstance(X, da.Array):
        raise TypeError(f"Expected a dask array or dask DataFrame, got {type(X).__name__}.")
    _check_shape(X)
    if X.dtype.kind not in "biuf":
        raise NonNumericDataError(f"X has dtype {X.dtype}, which is not numeric.")
    if X.dtype != np.float32:
        X = X.astype(np.float64)
    return X.rechunk({1: -1})


def _frame_to_array(frame):
    from pandas.api.types import is_numeric_dtype

    bad = [f"{c!r} ({t})" for c, t in frame.dtypes.items() if not is_numeric_dtype(t)]
    if bad:
        raise NonNumericDataError(
            f"Column(s) {', '.join(bad)} are not numeric; K-Means needs numbers in every "
            "column. Select the numeric columns (df[[...]]) or encode the others first."
        )
    target = np.float32 if all(t == np.float32 for t in frame.dtypes) else np.float64
    return frame.astype(target).to_dask_array(lengths=True)


def _check_shape(X) -> None:
    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2-D dask array, got {X.ndim} dimension(s); for one feature use "
            "X.reshape(-1, 1) (or X[:, None])."
        )
    if any(np.isnan(c) for c in X.chunks[0]):
        raise ValueError(
            "X has unknown chunk sizes (as after boolean indexing or DataFrame.values): "
            "call X.compute_chunk_sizes() first, or pass the dask DataFrame itself."
        )
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X is empty (shape={X.shape}); K-Means needs rows and columns.")


def as_dask_weights(sample_weight, X):
    """Sample weights as a dask array chunked like X's rows, or None for all ones."""
    import dask.array as da

    if sample_weight is None:
        return None
    if np.isscalar(sample_weight):
        return da.full(X.shape[0], sample_weight, chunks=(X.chunks[0],), dtype=X.dtype)
    if hasattr(sample_weight, "to_dask_array"):  # a dask Series
        sample_weight = sample_weight.to_dask_array(lengths=True)
    if not isinstance(sample_weight, da.Array):
        sample_weight = np.asarray(sample_weight)
    if sample_weight.ndim != 1 or sample_weight.shape[0] != X.shape[0]:
        raise ValueError(
            f"sample_weight must have shape ({X.shape[0]},), got shape {sample_weight.shape}."
        )
    if isinstance(sample_weight, da.Array):
        return sample_weight.astype(X.dtype).rechunk((X.chunks[0],))
    return da.from_array(sample_weight.astype(X.dtype), chunks=(X.chunks[0],))


def _block_stats(x: np.ndarray, w: np.ndarray | None) -> tuple:
    """One block's facts: (finite?, rows, column sums, weights ok?, weight sum, A, B).

    A and B are about the block's own mean m_b: ``A = sum w ||x - m_b||^2`` and
    ``B = sum w (x - m_b)``, from which :func:`_combine_stats` gets the sums of
    squares about the global mean without cancellation.
    """
    n, d = x.shape
    col_sum = x.sum(axis=0, dtype=np.float64) if n else np.zeros(d)
    # NaN or inf in x makes a column sum NaN or inf; only then look at every value
    # (a finite block whose sum overflows is reported as too large by prepare).
    finite = bool(np.isfinite(col_sum).all()) or bool(np.isfinite(x).all())
    w_ok = w is None or bool(np.isfinite(w).all() and (w >= 0).all())
    if not (finite and w_ok and n):
        return finite, n, np.zeros(d), w_ok, 0.0, (0.0, 0.0), (np.zeros(d), np.zeros(d))
    xc = _buffer("stats", x.shape, np.float64)
    np.subtract(x, col_sum / n, out=xc)
    if w is None:
        flat = xc.reshape(-1)
        a_sum = float(np.dot(flat, flat))
        return finite, n, col_sum, w_ok, float(n), (a_sum, a_sum), (np.zeros(d),) * 2
    sq = np.einsum("ij,ij->i", xc, xc)
    w = w.astype(np.float64, copy=False)
    a = (float(sq.sum()), float(sq @ w))
    return finite, n, col_sum, w_ok, float(w.sum()), a, (np.zeros(d), w @ xc)


def _group_stats(xs: list, ws: list | None) -> list:
    """:func:`_block_stats` of each block of one task (per block, for the error messages)."""
    with np.errstate(over="ignore", invalid="ignore"):  # NaN/inf/overflow are reported
        return [_block_stats(x, None if ws is None else ws[i]) for i, x in enumerate(xs)]


def _check_parts(parts: list, offsets: np.ndarray) -> None:
    """Raise for the first block with NaN/inf or bad weights, naming its rows."""
    for i, part in enumerate(parts):
        rows = f"block {i} (rows {offsets[i]} to {offsets[i + 1] - 1})"
        if not part[0]:
            raise ValueError(
                f"X contains NaN or infinity in {rows}; drop or impute those rows before "
                "clustering (e.g. X[da.isfinite(X).all(axis=1)], then X.compute_chunk_sizes())."
            )
        if not part[3]:
            raise ValueError(
                f"sample_weight has a negative, NaN or infinite value in {rows}; "
                "weights must be finite and >= 0."
            )
    if sum(p[4] for p in parts) <= 0:
        raise ValueError("sample_weight sums to zero; at least one sample needs weight.")


def _combine_stats(parts: list, offsets: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Column mean, and the unweighted and weighted sums of squares about it.

    In block order. Chan et al.'s update: about the global mean, a block adds
    ``A + 2 (m_b - mean) . B + W_b ||m_b - mean||^2`` (with B = 0 unweighted).
    """
    _check_parts(parts, offsets)
    mean = sum((p[2] for p in parts), np.zeros_like(parts[0][2])) / float(offsets[-1])
    totals = [0.0, 0.0]
    for _finite, n, col_sum, _ok, w_sum, a, b in parts:
        if not n:
            continue
        delta = col_sum / n - mean
        for j, block_weight in enumerate((float(n), w_sum)):
            totals[j] += a[j] + 2 * float(delta @ b[j]) + block_weight * float(delta @ delta)
    return mean, totals[0], totals[1]


_local = threading.local()


def _buffer(name: str, shape: tuple, dtype) -> np.ndarray:
    """A per-thread scratch array of ``shape``, reused by the thread's next call.

    A fresh multi-MiB array per block and pass would page-fault every time.
    """
    need = int(np.prod(shape))
    buf = getattr(_local, name, None)
    if buf is None or buf.dtype != dtype or buf.size < need:
        buf = np.empty(need, dtype=dtype)
        setattr(_local, name, buf)
    return buf[:need].reshape(shape)


def centred_group(xs: list, ws: list | None, mean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Consecutive blocks as one: their rows minus ``mean``, and their weights.

    The rows are written straight into a per-thread buffer (subtracting the mean
    is the copy that joins the blocks), reused by the thread's next call: use
    them before that, and copy what is returned. Weights are ones if ``ws`` is None.
    """
    n = sum(x.shape[0] for x in xs)
    xc = _buffer("buf", (n, mean.shape[0]), xs[0].dtype)
    row = 0
    for x in xs:
        np.subtract(x, mean, out=xc[row : row + x.shape[0]])
        row += x.shape[0]
    if ws is None:
        return xc, np.ones(n, dtype=xc.dtype)
    w = ws[0] if len(ws) == 1 else np.concatenate(ws)
    return xc, np.asarray(w, dtype=xc.dtype)


def centred_block(x: np.ndarray, w, mean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The block's rows minus ``mean`` and its weights (ones if None).

    As :func:`centred_group` for one block: the rows live in a per-thread buffer.
    """
    return centred_group([x], None if w is None else [w], mean)


def zero_norms(n: int, dtype) -> np.ndarray:
    """Zeros in place of squared row norms, where the kernel's inertia is not used.

    The kernel's labels and sums do not depend on the row norms (the norm of a
    point is the same for every center); only its inertia does.
    """
    zeros = getattr(_local, "zeros", None)
    if zeros is None or zeros.dtype != dtype or zeros.size < n:
        zeros = _local.zeros = np.zeros(n, dtype=dtype)
    return zeros[:n]


#: Blocks smaller than this (in bytes of X) are joined with their neighbours into one
#: task of the Lloyd passes: the per-task cost of a scheduler (~0.1 ms on threads,
#: more on a cluster or a busy machine) would otherwise outweigh the kernel's work
#: on a block (about 2 ms per 2 MiB at d = 2 on one core).
MIN_GROUP_BYTES = 2 << 20


def block_groups(row_chunks, row_bytes: int, min_bytes: int | None = None) -> tuple:
    """Consecutive blocks joined into tasks of at least ``min_bytes`` (the last one too).

    Parameters
    ----------
    row_chunks : sequence of int
        Rows per block.
    row_bytes : int
        Bytes per row of X.
    min_bytes : int, optional
        Default :data:`MIN_GROUP_BYTES`; 0 keeps every block on its own.

    Returns
    -------
    tuple of (int, int)
        ``(lo, hi)`` block ranges covering every block, in order.
    """
    limit = MIN_GROUP_BYTES if min_bytes is None else min_bytes
    groups: list[tuple[int, int]] = []
    lo, size = 0, 0
    for b, rows in enumerate(row_chunks):
        size += int(rows) * row_bytes
        if size >= limit:
            groups.append((lo, b + 1))
            lo, size = b + 1, 0
    if lo < len(row_chunks):  # a small tail joins the group before it
        groups[-1:] = [(groups[-1][0] if groups else lo, len(row_chunks))]
    return tuple(groups)


def prepare(X, sample_weight=None) -> DaskData:
    """Check dask input and compute its mean and spread in one pass (see module docs).

    Parameters
    ----------
    X : dask.array.Array or dask.dataframe.DataFrame
    sample_weight : array-like, dask array or None

    Returns
    -------
    DaskData
        With the blocks grouped into tasks (:func:`block_groups`).

    Raises
    ------
    ValueError
        NaN/inf in a block (which one and its rows), bad weights, unknown chunk
        sizes, non-numeric columns.
    """
    X = as_dask_array(X)
    weights = as_dask_weights(sample_weight, X)
    offsets = np.concatenate([[0], np.cumsum(X.chunks[0])]).astype(np.int64)
    groups = block_groups(X.chunks[0], X.shape[1] * X.dtype.itemsize)
    data = DaskData(X, weights, np.zeros(X.shape[1], X.dtype), 0.0, 0.0, offsets, groups)
    parts = [p for group in run_groups(data, "kmeans-prepare", _group_stats) for p in group]
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below
        mean, m2, weighted_m2 = _combine_stats(parts, offsets)
    limit = np.sqrt(np.finfo(X.dtype).max / (4.0 * X.shape[0] * X.shape[1]))
    if np.abs(mean).max() > limit:
        raise ValueError("X has values too large to square and sum; rescale the data first.")
    return DaskData(X, weights, mean.astype(X.dtype), m2, weighted_m2, offsets, groups)


def group_graph(data: DaskData, prefix: str, func, *args, per_group=None) -> tuple:
    """A graph with one task ``func(xs, ws, *args[, per_group[g]])`` per group of blocks.

    ``xs`` and ``ws`` are the group's blocks of X and of the weights (None for unit
    weights). Built directly on X's keys: no tokenising of arguments, one task per
    group, whatever scheduler runs it. Returns ``(name, layer)``; the task keys are
    ``(name, g)``.
    """
    name = f"{prefix}-{uuid.uuid4().hex}"
    x_keys, w_keys = data.block_keys()
    layer = {}
    for g, (lo, hi) in enumerate(data.task_groups()):
        ws = None if w_keys is None else list(w_keys[lo:hi])
        extra = () if per_group is None else (per_group[g],)
        layer[(name, g)] = (func, list(x_keys[lo:hi]), ws, *args, *extra)
    return name, layer


def run_groups(data: DaskData, prefix: str, func, *args) -> list:
    """Compute ``func(xs, ws, *args)`` on every group (:func:`group_graph`); results in order."""
    import dask
    from dask.delayed import Delayed
    from dask.highlevelgraph import HighLevelGraph

    name, layer = group_graph(data, prefix, func, *args)
    graph = HighLevelGraph.from_collections(name, layer, dependencies=data.collections())
    (parts,) = dask.compute([Delayed(key, graph, layer=name) for key in layer])
    return list(parts)
