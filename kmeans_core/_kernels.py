"""The hot loop: one fused pass that labels points and accumulates cluster sums.

Everything in the estimator's Lloyd iterations goes through :func:`assign_and_accumulate`.
It follows scikit-learn's own Lloyd kernel, in NumPy:

* X is processed in chunks, so memory stays O(chunk_rows x K) and never O(N x K x d);
  the chunks run on a small pool of Python threads (NumPy and BLAS release the GIL),
  with BLAS itself held to one thread meanwhile so the two levels do not fight.
* Per chunk, distances are laid out (K, L): one GEMM gives ``||c||^2 - 2 c.x`` for
  every center and point (``||x||^2`` is constant per point, so the argmin does not
  need it).  At small d the ``||c||^2`` term is folded into the GEMM by appending a
  row of ones to the transposed chunk.
* ``np.minimum.reduce`` over the K rows gives each point's smallest value; a bitmask
  of the rows equal to it plus a lowest-set-bit lookup table gives the label, so
  ties go to the lowest center index (as scikit-learn's strict ``<``).
* The weighted per-cluster sums are accumulated in the same pass: ``np.bincount``
  per feature at small d, a sparse one-hot matrix product at larger d.
* inertia comes from the minimum partial distance plus ``||x||^2`` (no second pass).

Per-chunk partial results are merged in chunk order, so the result does not depend
on the number of threads, only on ``chunk_rows``.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np
import scipy.sparse as sp

#: Distance-matrix elements (chunk_rows x K) aimed at per chunk when choosing rows.
_TARGET_CHUNK_ELEMENTS = 1 << 17
#: Distance-matrix elements of one chunk at small d (the GEMM is cheap there).
_TARGET_CHUNK_ELEMENTS_SMALL_D = 1 << 17
#: Up to this many features, ||c||^2 is folded into the GEMM and sums use bincount.
_SMALL_D = 8
#: Bits per lookup in the lowest-set-bit table (table has 2**_GROUP_BITS entries).
_GROUP_BITS = 16
#: Below this many samples a call runs on the calling thread only.
_MIN_ROWS_FOR_THREADS = 32768

DEFAULT_CHUNK_ROWS = None  # chosen from n_samples, n_features and n_clusters


def _available_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


# -- lookup tables ------------------------------------------------------------------

_LOWEST_BIT: dict[int, np.ndarray] = {}


def _lowest_bit_table(n_bits: int) -> np.ndarray:
    """``table[m]`` = index of the lowest set bit of ``m`` (``table[0]`` = 0, unused)."""
    table = _LOWEST_BIT.get(n_bits)
    if table is None:
        m = np.arange(1 << n_bits, dtype=np.int64)
        low = m & -m
        table = np.zeros(1 << n_bits, dtype=np.int32)
        table[1:] = np.log2(low[1:]).round().astype(np.int32)
        _LOWEST_BIT[n_bits] = table
    return table


# -- BLAS thread limit, safe when several calls overlap ------------------------------

_blas_lock = threading.Lock()
_blas_users = 0
_blas_controller = None
_blas_limiter = None


@contextmanager
def _blas_single_thread() -> Iterator[None]:
    """Hold BLAS to one thread while our own threads run chunks.

    The limit is process-wide, so overlapping calls (e.g. two dashboard sessions)
    share one limiter: the first call in sets it, the last call out restores it.
    The controller is built once (building one scans the loaded libraries).
    """
    global _blas_users, _blas_controller, _blas_limiter
    with _blas_lock:
        if _blas_users == 0:
            if _blas_controller is None:
                from threadpoolctl import ThreadpoolController

                _blas_controller = ThreadpoolController()
            _blas_limiter = _blas_controller.limit(limits=1, user_api="blas")
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0 and _blas_limiter is not None:
                _blas_limiter.restore_original_limits()
                _blas_limiter = None


_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _get_executor(n_workers: int) -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None or _executor._max_workers < n_workers:
            _executor = ThreadPoolExecutor(
                max_workers=max(n_workers, _available_cpus()), thread_name_prefix="kmeans_core"
            )
        return _executor


# -- chunking ------------------------------------------------------------------------


def default_chunk_rows(n_samples: int, n_features: int, n_clusters: int) -> int:
    """Rows per chunk: about 2**17 distance entries, at least 256 rows.

    Depends only on the data shape (never on the thread count), so results are
    the same whatever the number of threads.
    """
    target = _TARGET_CHUNK_ELEMENTS_SMALL_D if n_features <= _SMALL_D else _TARGET_CHUNK_ELEMENTS
    rows = target // max(n_clusters, n_features, 8)
    rows = max(256, min(rows, 65536))
    return int(min(rows, n_samples))


class _Plan:
    """Everything a chunk needs that depends only on the centers."""

    def __init__(self, X, centers, sample_weight, x_sq_norms, accumulate, chunk_rows):
        self.X = X
        self.w = sample_weight
        self.x_sq = x_sq_norms
        self.accumulate = accumulate
        self.chunk_rows = chunk_rows
        n_samples, n_features = X.shape
        n_clusters = centers.shape[0]
        self.n_samples, self.n_features, self.n_clusters = n_samples, n_features, n_clusters
        dtype = X.dtype
        c_sq = np.einsum("ij,ij->i", centers, centers)
        self.small_d = n_features <= _SMALL_D
        if self.small_d:
            # (K, d+1): [-2c | ||c||^2]; times [x ; 1] gives ||c||^2 - 2 c.x in one GEMM.
            folded = np.empty((n_clusters, n_features + 1), dtype=dtype)
            folded[:, :n_features] = -2.0 * centers
            folded[:, n_features] = c_sq
            self.folded = folded
        else:
            self.minus2c = np.ascontiguousarray(-2.0 * centers, dtype=dtype)
            self.c_sq_col = c_sq.astype(dtype)[:, None]
        # Rows of the distance matrix are handled in groups of at most 16 bits.
        self.groups = [
            (g, min(g + _GROUP_BITS, n_clusters)) for g in range(0, n_clusters, _GROUP_BITS)
        ]
        self.lut = _lowest_bit_table(min(n_clusters, _GROUP_BITS))
        self.bits_dtype = np.uint8 if n_clusters <= 8 else np.uint16
        self.shifts = np.arange(min(n_clusters, _GROUP_BITS), dtype=self.bits_dtype)[:, None]
        self.n_chunks = -(-n_samples // chunk_rows)
        self.labels = np.empty(n_samples, dtype=np.int32)
        self.inertia_parts = np.zeros(self.n_chunks, dtype=np.float64)
        if accumulate:
            self.sums_parts = np.zeros((self.n_chunks, n_clusters, n_features), dtype=np.float64)
            self.weight_parts = np.zeros((self.n_chunks, n_clusters), dtype=np.float64)

    def scratch(self):
        """Per-thread buffers, reused across the thread's chunks."""
        rows, K, d = self.chunk_rows, self.n_clusters, self.n_features
        dtype = self.X.dtype
        s = {
            "D": np.empty((K, rows), dtype=dtype),
            "m": np.empty(rows, dtype=dtype),
            "eq": np.empty((min(K, _GROUP_BITS), rows), dtype=bool),
            "shifted": np.empty((min(K, _GROUP_BITS), rows), dtype=self.bits_dtype),
            "bits": np.empty(rows, dtype=self.bits_dtype),
        }
        if self.small_d:
            xt = np.empty((d + 1, rows), dtype=dtype)
            xt[d] = 1.0
            s["xt"] = xt
            s["wx"] = np.empty(rows, dtype=dtype)
        if len(self.groups) > 1:
            s["lab"] = np.empty(rows, dtype=np.int32)
        return s

    def run_chunk(self, i: int, s) -> None:
        start = i * self.chunk_rows
        stop = min(start + self.chunk_rows, self.n_samples)
        L = stop - start
        K, d = self.n_clusters, self.n_features
        Xc = self.X[start:stop]
        w = self.w[start:stop]
        D = s["D"][:, :L]
        if self.small_d:
            xt = s["xt"][:, :L]
            np.copyto(xt[:d], Xc.T)
            np.matmul(self.folded, xt, out=D)
        else:
            np.matmul(self.minus2c, Xc.T, out=D)
            np.add(D, self.c_sq_col, out=D)
        m = s["m"][:L]
        np.minimum.reduce(D, axis=0, out=m)
        labels = self.labels[start:stop]
        self._first_argmin(D, m, labels, s, L)
        # inertia: min partial + ||x||^2, clipped at 0 (rounding), weighted.
        np.add(m, self.x_sq[start:stop], out=m)
        np.maximum(m, 0, out=m)
        self.inertia_parts[i] = float(np.dot(m, w))
        if not self.accumulate:
            return
        self.weight_parts[i] = np.bincount(labels, weights=w, minlength=K)
        sums = self.sums_parts[i]
        if self.small_d:
            wx = s["wx"][:L]
            for j in range(d):
                np.multiply(xt[j], w, out=wx)
                sums[:, j] = np.bincount(labels, weights=wx, minlength=K)
        else:
            onehot = sp.csc_array((w, labels, np.arange(L + 1)), shape=(K, L))
            sums[...] = onehot @ Xc

    def _first_argmin(self, D, m, labels, s, L) -> None:
        """labels = index of the first row of D equal to m (per column)."""
        groups = self.groups
        # Last group first, so lower groups (lower indices) overwrite on ties.
        for gi in range(len(groups) - 1, -1, -1):
            lo, hi = groups[gi]
            G = hi - lo
            eq = s["eq"][:G, :L]
            np.equal(D[lo:hi], m, out=eq)
            shifted = s["shifted"][:G, :L]
            np.left_shift(eq, self.shifts[:G], out=shifted, dtype=self.bits_dtype)
            bits = s["bits"][:L]
            np.bitwise_or.reduce(shifted, axis=0, out=bits)
            if len(groups) == 1:
                np.take(self.lut, bits, out=labels, mode="clip")
                return
            lab = s["lab"][:L]
            np.take(self.lut, bits, out=lab, mode="clip")
            lab += lo
            if gi == len(groups) - 1:
                labels[...] = lab
            else:
                np.copyto(labels, lab, where=bits != 0)


def _run_worker(plan: _Plan, next_chunk, lock) -> None:
    s = plan.scratch()
    while True:
        with lock:
            i = next(next_chunk)
        if i >= plan.n_chunks:
            return
        plan.run_chunk(i, s)


def assign_and_accumulate(
    X: np.ndarray,
    centers: np.ndarray,
    sample_weight: np.ndarray,
    x_sq_norms: np.ndarray,
    *,
    accumulate: bool = True,
    chunk_rows: int | None = DEFAULT_CHUNK_ROWS,
    n_threads: int | None = None,
):
    """Label every point with its nearest center and accumulate weighted sums.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        C-contiguous data (float32 or float64).
    centers : ndarray of shape (n_clusters, n_features)
        Current centers, same dtype as X.
    sample_weight : ndarray of shape (n_samples,)
    x_sq_norms : ndarray of shape (n_samples,)
        Precomputed squared row norms of X.
    accumulate : bool, default=True
        Also return weighted per-cluster sums and weights.
    chunk_rows : int or None, default=None
        Rows processed per GEMM; None chooses from the data shape
        (:func:`default_chunk_rows`).  Results depend on it only through
        floating-point summation order.
    n_threads : int or None, default=None
        Threads to run chunks on; None uses every available CPU (one thread for
        small inputs).  The result is identical for every thread count.

    Returns
    -------
    labels : ndarray of shape (n_samples,), int32
        Index of the nearest center (lowest index on ties).
    inertia : float
        Weighted sum of squared distances to the nearest center.
    sums : ndarray of shape (n_clusters, n_features) or None
        Weighted sum of the points in each cluster (dtype of X).
    weight_in_clusters : ndarray of shape (n_clusters,) or None
        Sum of sample weights in each cluster (dtype of X).
    """
    n_samples, n_features = X.shape
    n_clusters = centers.shape[0]
    dtype = X.dtype
    centers = np.asarray(centers, dtype=dtype)
    if chunk_rows is None:
        chunk_rows = default_chunk_rows(n_samples, n_features, n_clusters)
    chunk_rows = int(max(1, min(chunk_rows, n_samples)))
    plan = _Plan(X, centers, sample_weight, x_sq_norms, accumulate, chunk_rows)

    if n_threads is None:
        n_threads = _available_cpus() if n_samples >= _MIN_ROWS_FOR_THREADS else 1
    n_threads = max(1, min(int(n_threads), plan.n_chunks))

    next_chunk = itertools.count()
    lock = threading.Lock()
    # BLAS is held to one thread even when we use one thread: OpenBLAS's own threads
    # cost more than they give on GEMMs this small (and spin when cores are busy).
    with _blas_single_thread():
        if n_threads == 1:
            _run_worker(plan, next_chunk, lock)
        else:
            pool = _get_executor(n_threads - 1)
            futures = [
                pool.submit(_run_worker, plan, next_chunk, lock) for _ in range(n_threads - 1)
            ]
            # The calling thread works too instead of waiting idle.
            _run_worker(plan, next_chunk, lock)
            for f in futures:
                f.result()

    # Merge the per-chunk parts in chunk order: independent of the thread count.
    inertia = float(plan.inertia_parts.sum())
    if not accumulate:
        return plan.labels, inertia, None, None
    sums = plan.sums_parts.sum(axis=0).astype(dtype, copy=False)
    weights = plan.weight_parts.sum(axis=0).astype(dtype, copy=False)
    return plan.labels, inertia, sums, weights
