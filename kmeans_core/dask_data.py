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
    """

    X: Any
    weights: Any
    mean: np.ndarray
    centred_sq_sum: float
    weighted_sq_sum: float
    offsets: np.ndarray

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
    lo, hi = (x.min(), x.max()) if n else (0.0, 0.0)
    finite = bool(np.isfinite(lo) and np.isfinite(hi))  # min/max propagate NaN and inf
    w_ok = w is None or bool(np.isfinite(w).all() and (w >= 0).all())
    if not (finite and w_ok and n):
        return finite, n, np.zeros(d), w_ok, 0.0, (0.0, 0.0), (np.zeros(d), np.zeros(d))
    col_sum = x.sum(axis=0, dtype=np.float64)
    xc = (x - col_sum / n).astype(np.float64, copy=False)
    sq = np.einsum("ij,ij->i", xc, xc)
    if w is None:
        return finite, n, col_sum, w_ok, float(n), (float(sq.sum()),) * 2, (np.zeros(d),) * 2
    w = w.astype(np.float64, copy=False)
    a = (float(sq.sum()), float(sq @ w))
    return finite, n, col_sum, w_ok, float(w.sum()), a, (np.zeros(d), w @ xc)


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


def centred_block(x: np.ndarray, w, mean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The block's rows minus ``mean`` and its weights (ones if None).

    The centred rows live in a buffer kept per thread and reused by the next
    block (a fresh multi-MiB array per block and pass would page-fault): use
    them before the thread's next call, and copy what is returned.
    """
    need = x.size
    buf = getattr(_local, "buf", None)
    if buf is None or buf.dtype != x.dtype or buf.size < need:
        buf = _local.buf = np.empty(need, dtype=x.dtype)
    xc = buf[:need].reshape(x.shape)
    np.subtract(x, mean, out=xc)
    w = np.ones(x.shape[0], dtype=x.dtype) if w is None else np.asarray(w, dtype=x.dtype)
    return xc, w


def zero_norms(n: int, dtype) -> np.ndarray:
    """Zeros in place of squared row norms, where the kernel's inertia is not used.

    The kernel's labels and sums do not depend on the row norms (the norm of a
    point is the same for every center); only its inertia does.
    """
    zeros = getattr(_local, "zeros", None)
    if zeros is None or zeros.dtype != dtype or zeros.size < n:
        zeros = _local.zeros = np.zeros(n, dtype=dtype)
    return zeros[:n]


def prepare(X, sample_weight=None) -> DaskData:
    """Check dask input and compute its mean and spread in one pass (see module docs).

    Parameters
    ----------
    X : dask.array.Array or dask.dataframe.DataFrame
    sample_weight : array-like, dask array or None

    Returns
    -------
    DaskData

    Raises
    ------
    ValueError
        NaN/inf in a block (which one and its rows), bad weights, unknown chunk
        sizes, non-numeric columns.
    """
    import dask

    X = as_dask_array(X)
    weights = as_dask_weights(sample_weight, X)
    offsets = np.concatenate([[0], np.cumsum(X.chunks[0])]).astype(np.int64)
    data = DaskData(X, weights, np.zeros(X.shape[1], X.dtype), 0.0, 0.0, offsets)
    tasks = [
        dask.delayed(_block_stats, pure=True)(xb, wb)
        for xb, wb in zip(data.blocks(), data.weight_blocks(), strict=True)
    ]
    (parts,) = dask.compute(tasks)
    mean, m2, weighted_m2 = _combine_stats(parts, offsets)
    limit = np.sqrt(np.finfo(X.dtype).max / (4.0 * X.shape[0] * X.shape[1]))
    if np.abs(mean).max() > limit:
        raise ValueError("X has values too large to square and sum; rescale the data first.")
    return DaskData(X, weights, mean.astype(X.dtype), m2, weighted_m2, offsets)
