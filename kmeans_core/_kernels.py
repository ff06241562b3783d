"""The hot loop: one fused pass that labels points and accumulates cluster sums.

Everything in the estimator's Lloyd iterations goes through :func:`assign_and_accumulate`.
It does what scikit-learn's Lloyd kernel does, in NumPy (and SciPy):

* X is processed in chunks, so memory stays O(chunk_rows x K), never O(N x K x d).
  The chunks run on a small pool of Python threads (NumPy, BLAS and SciPy's sparse
  kernels release the GIL), with BLAS held to one thread meanwhile so that the two
  levels of threading do not fight.
* Per chunk, distances are laid out (K, L): one GEMM gives ``||c||^2 - 2 c.x`` for
  every center and point (``||x||^2`` is the same for every center, so the argmin
  does not need it).  At small d the ``||c||^2`` term is folded into the GEMM by
  appending a row of ones to the transposed chunk.
* Small chunks (at most ``_ARGMIN_MAX_ROWS`` rows: all of a small X) take the labels
  from ``argmin`` over the K rows, which keeps the first minimum (ties to the lowest
  index) in one call: at this size the number of NumPy calls is the cost.
* Up to 8 centers, a knockout tournament over the K rows gives each point's smallest
  value and its row at once: K - 1 ``np.minimum`` and ``np.less`` passes plus uint8
  label updates, the right side winning only when strictly smaller, so ties go to the
  lowest center index (as scikit-learn's strict ``<``).  With more centers,
  ``np.minimum.reduce`` over the K rows gives the smallest value, and a bitmask of
  the rows equal to it (one uint8 per group of 8 centers) with a lowest-set-bit
  lookup table gives the label, ties to the lowest index too.
* The weighted per-cluster sums are accumulated in the same pass, while the chunk is
  still in cache: a product with a sparse one-hot matrix (label per column, weight as
  value), which scatters each row of X into its cluster's sum.
* inertia comes from the minimum partial distance plus ``||x||^2`` (two dot products
  per chunk): no second pass.
* Per-call costs are kept small, since at 20,000 x 2 one call is ~0.15 ms: scratch
  buffers are pooled between calls, the BLAS thread limit is set through two C calls,
  and read-only helper arrays (``indptr``, ``ones``) are shared.
* Optionally (:class:`IncrementalSums`) the per-chunk sums are carried from one Lloyd
  iteration to the next, and only rows whose label changed are moved.

:func:`explicit_inertia` sums ``||x - c||^2`` from the differences, for final results.

Per-chunk partial results are merged in chunk order, so the result does not depend
on the number of threads, only on ``chunk_rows``.
"""

from __future__ import annotations

import functools
import itertools
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import numpy as np
import scipy.sparse as sp

try:  # SciPy's compiled sparse-times-dense kernels, without the sparse-matrix wrapper.
    from scipy.sparse._sparsetools import csc_matvec as _csc_matvec
    from scipy.sparse._sparsetools import csc_matvecs as _csc_matvecs
except ImportError:  # pragma: no cover - private module moved; use the public API
    _csc_matvec = _csc_matvecs = None

#: Bytes of distances (chunk_rows x K) aimed at per chunk: 2**18 float64 entries.  Smaller
#: chunks fit cache better on one thread, but every NumPy call hands the GIL over, and
#: with two threads fewer, larger calls win (measured on 2 cores at 1,000,000 x 2).
_TARGET_CHUNK_BYTES = 2 << 20
#: The chunk of X is capped at this many bytes (it stays in cache up to the sums).
_X_CHUNK_BYTES = 4 << 20
#: Up to this many features, ||c||^2 is folded into the GEMM.
_SMALL_D = 8
#: Up to this many centers the labels come from a knockout tournament over the rows of
#: the distance block (see :meth:`_Plan._tournament`) instead of the first-minimum
#: bitmask.  Labelling alone, one thread, tournament / bitmask (CPU time, 200k rows,
#: d=2): K=3 0.78, K=8 0.86, K=16 1.01, K=32 0.97; d=20 K=8 0.91; d=50 K=16 1.03.
_TOURNAMENT_MAX_K = 8
#: Chunks of at most this many rows (all of X, for small data) take their labels from
#: ``argmin`` over the K rows (first minimum: ties to the lowest index, as the other
#: paths) and their minimum from ``np.minimum.reduce``: two calls instead of the
#: tournament's ~3K or the bitmask's passes, whose per-call costs dominate at this
#: size.  CPU time of the labelling, tournament / argmin: 500 rows K=4 1.8, K=8 3.1;
#: 2000 rows K=4 0.73 (the tournament wins from about 1,000 rows at K=4).
_ARGMIN_MAX_ROWS = 1024
#: Below this many samples a call runs on the calling thread only.
_MIN_ROWS_FOR_THREADS = 32768
#: A one-thread call this small leaves the BLAS thread count alone: OpenBLAS runs a
#: GEMM of m*n*k <= 65536 * 4 and a dot product of n <= 10000 on one thread anyway, and
#: reading and setting the count costs more than the whole call's arithmetic at 500 x 2
#: (a few microseconds per Lloyd iteration, for every one of the dashboard's small fits).
#: Bounds: rows, and rows x centers x (features + 1), half OpenBLAS's thresholds.
_NO_BLAS_LIMIT_ROWS = 5000
_NO_BLAS_LIMIT_WORK = 1 << 17
#: Up to this many clusters, per-cluster checks on K values run on Python floats.
_FEW_CLUSTERS = 32

DEFAULT_CHUNK_ROWS = None  # chosen from n_samples, n_features and n_clusters

#: Upper bound on the threads a call uses when ``n_threads`` is not given (None: every
#: available CPU).  Benchmarks set it to compare single-threaded work.
MAX_THREADS: int | None = None


def _available_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


# -- lookup table --------------------------------------------------------------------


def _low_bit_index_table() -> np.ndarray:
    """``table[b]`` = index of the lowest set bit of the byte ``b``; ``table[0]`` is huge."""
    b = np.arange(256)
    table = np.full(256, 1 << 30, dtype=np.int32)
    table[1:] = np.log2(b[1:] & -b[1:]).round().astype(np.int32)
    return table


_LOW_BIT_INDEX = _low_bit_index_table()


@functools.lru_cache(maxsize=16)
def _pow2_column(n_clusters: int) -> np.ndarray:
    """``2 ** (k % 8)`` for every center k (a column): its bit in its group's byte."""
    return (1 << (np.arange(n_clusters) % 8)).astype(np.uint8)[:, None]


# -- read-only helper arrays shared by every call --------------------------------------

_shared_lock = threading.Lock()
_shared: dict[str, np.ndarray] = {}


def _shared_array(name: str, size: int) -> np.ndarray:
    """A read-only ``arange(size)`` (int32, name "indptr") or ``ones(size)`` (float64).

    Kept between calls and grown as needed: rebuilding them on every call cost an
    allocation and a pass per Lloyd iteration, and one copy per thread cost memory.
    """
    with _shared_lock:
        have = _shared.get(name)
        if have is None or have.size < size:
            grown = max(size, 0 if have is None else 2 * have.size)
            have = np.arange(grown, dtype=np.int32) if name == "indptr" else np.ones(grown)
            have.flags.writeable = False
            _shared[name] = have
    return have[:size]


# -- BLAS thread limit, safe when several calls overlap ------------------------------

_blas_lock = threading.Lock()
_blas_users = 0
_blas_libs: list | None = None
_blas_saved: list[tuple[Any, int]] = []


def _blas_controllers() -> list:
    """threadpoolctl's controllers of the loaded BLAS libraries (found once: it scans them)."""
    global _blas_libs
    if _blas_libs is None:
        from threadpoolctl import ThreadpoolController

        libs = ThreadpoolController().lib_controllers
        _blas_libs = [lib for lib in libs if lib.user_api == "blas"]
    return _blas_libs


@contextmanager
def _blas_single_thread() -> Iterator[None]:
    """Hold BLAS to one thread while our own threads run chunks.

    The limit is process-wide, so overlapping calls (e.g. two dashboard sessions)
    share it: the first call in sets it, the last call out restores it.  Each
    library's count is read and set directly (two C calls), not through
    ``threadpoolctl.threadpool_limits``, which re-inspects every library on each
    call (~10 us, a few percent of a Lloyd iteration at 20,000 x 2).
    """
    global _blas_users, _blas_saved
    with _blas_lock:
        if _blas_users == 0:
            _blas_saved = []
            for lib in _blas_controllers():
                n = lib.get_num_threads()
                if n != 1:
                    lib.set_num_threads(1)
                    _blas_saved.append((lib, n))
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0:
                for lib, n in _blas_saved:
                    lib.set_num_threads(n)
                _blas_saved = []


_executor: ThreadPoolExecutor | None = None
_executor_size = 0
_executor_pid = 0
_executor_lock = threading.Lock()


def _get_executor(n_workers: int) -> ThreadPoolExecutor:
    """A process-wide pool with at least ``n_workers`` threads (kept between calls).

    A forked child gets a new pool: the parent's threads do not exist there.
    """
    global _executor, _executor_size, _executor_pid
    with _executor_lock:
        if _executor is None or _executor_size < n_workers or _executor_pid != os.getpid():
            _executor_size = max(n_workers, _available_cpus())
            _executor = ThreadPoolExecutor(_executor_size, thread_name_prefix="kmeans_core")
            _executor_pid = os.getpid()
        return _executor


# -- chunking ------------------------------------------------------------------------


def default_chunk_rows(n_samples: int, n_features: int, n_clusters: int, itemsize: int = 8) -> int:
    """Rows per chunk: about 2 MiB of distances (2**18 float64 entries), 256 rows or more.

    The chunk of X is also capped at about 4 MiB (2**19 float64 values), so that it
    stays in cache between the GEMM and the scatter of the sums.  Sized in bytes:
    float32 chunks have twice the rows (1M x 50 K=64 float32, one full pass on two
    threads: 4,096-row chunks 74-75 ms, 8,192 64-66 ms, 16,384 72 ms).  Depends
    only on the data's shape and dtype (never on the thread count), so results are
    the same whatever the number of threads.
    """
    rows = min(
        _TARGET_CHUNK_BYTES // (itemsize * max(n_clusters, 8)),
        _X_CHUNK_BYTES // (itemsize * n_features),
    )
    rows = max(256, min(rows, 65536))
    return int(min(rows, n_samples))


def first_copy_of_rows(centers: np.ndarray, norms: np.ndarray | None = None) -> np.ndarray | None:
    """``out[k]`` = index of the first center equal to center k; None if all are distinct.

    The GEMM computes two copies of one center through different BLAS paths, so their
    distances can differ in the last bit and the tie would go to either copy.  Mapping
    each label to its first copy gives the lowest index, as scikit-learn's loop does.
    ``norms`` are the centers' squared norms when the caller has them already.
    """
    if centers.shape[0] < 2:
        return None
    # Equal rows have equal norms: distinct norms (the usual case) settle it cheaply
    # (a Python set: faster than np.unique at these sizes, called every iteration).
    if norms is None:
        norms = np.einsum("ij,ij->i", centers, centers)
    if len(set(norms.tolist())) == norms.size:
        return None
    _, first, inverse = np.unique(centers, axis=0, return_index=True, return_inverse=True)
    if first.size == centers.shape[0]:
        return None
    return first[inverse.reshape(-1)].astype(np.int32)


class _Plan:
    """One call's inputs, outputs and everything a chunk needs that depends on the centers."""

    def __init__(self, X, centers, sample_weight, x_sq_norms, accumulate, chunk_rows, state):
        n_samples, n_features = X.shape
        n_clusters = centers.shape[0]
        dtype = X.dtype
        self.X, self.w, self.x_sq = X, sample_weight, x_sq_norms
        self.accumulate, self.chunk_rows = accumulate, chunk_rows
        self.n_samples, self.n_features, self.n_clusters = n_samples, n_features, n_clusters
        c_sq = np.einsum("ij,ij->i", centers, centers)
        self.small_d = n_features <= _SMALL_D
        if self.small_d:
            # (K, d+1) = [-2c | ||c||^2]; times [x ; 1] gives ||c||^2 - 2 c.x in one GEMM.
            folded = np.empty((n_clusters, n_features + 1), dtype=dtype)
            folded[:, :n_features] = -2.0 * centers
            folded[:, n_features] = c_sq
            self.folded = folded
        else:
            self.minus2c = np.ascontiguousarray(-2.0 * centers, dtype=dtype)
            self.c_sq_col = c_sq.astype(dtype)[:, None]
        # Centers are handled in groups of 8: bit (k % 8) of group k // 8's byte.
        self.n_groups = -(-n_clusters // 8)
        self.n_chunks = -(-n_samples // chunk_rows)
        self.tournament = 2 <= n_clusters <= _TOURNAMENT_MAX_K
        self.argmin = chunk_rows <= _ARGMIN_MAX_ROWS
        self.first_copy = first_copy_of_rows(centers, c_sq)
        self.labels = np.empty(n_samples, dtype=np.int32)
        self.labels_given = False
        self.nearest_two: tuple[np.ndarray, np.ndarray] | None = None
        self.inertia_parts = np.zeros(self.n_chunks, dtype=np.float64)
        self.prev_labels: np.ndarray | None = None
        # The state's private copy of the labels, updated per chunk.
        self.kept_labels: np.ndarray | None = None
        self.count_parts: np.ndarray | None = None
        # Cluster sums are kept in float64 whatever X's dtype (float32 rows are upcast
        # as they are scattered): +/- updates of changed rows then stay exact enough.
        self.incremental = True
        self.upcast = dtype != np.float64
        if accumulate:
            # One sparse column per row of the chunk: indptr = 0, 1, ..., L.
            self.indptr = _shared_array("indptr", chunk_rows + 1)
            key = (X.shape, dtype, n_clusters, chunk_rows)
            if state is not None and state._matches(X, sample_weight, key):
                # Update the partials of the previous call in place.
                state._ready = False  # until this call completes
                # After a relocation, changed chunks are summed afresh (see recompute_next).
                self.incremental = self.incremental and not state._exact_next
                self.prev_labels = self.kept_labels = state._labels
                self.sums_parts = state._sums_parts
                self.weight_parts = state._weight_parts
                self.count_parts = state._count_parts
            else:
                shape = (self.n_chunks, n_clusters)
                self.sums_parts = np.zeros((*shape, n_features), dtype=np.float64)
                self.weight_parts = np.zeros(shape, dtype=np.float64)
                if state is not None:
                    # Row counts, kept in X's dtype (exact: a chunk has < 2**24 rows).
                    self.count_parts = np.zeros(shape, dtype=np.float64)
                    state._reset(X, sample_weight, key, self)
                    self.kept_labels = state._labels
            self.changed_parts = np.zeros(self.n_chunks, dtype=np.int64)

    def scratch(self) -> dict[str, np.ndarray]:
        """Per-thread buffers, reused for every chunk the thread runs."""
        rows, K, d = self.chunk_rows, self.n_clusters, self.n_features
        dtype = self.X.dtype
        s = {"D": np.empty((K, rows), dtype=dtype)}
        if self.argmin:
            s["m"] = np.empty(rows, dtype=dtype)
            s["am"] = np.empty(rows, dtype=np.intp)
        elif self.tournament:
            s["less"] = np.empty(rows, dtype=bool)
            s["lab"] = np.empty(((K + 1) // 2, rows), dtype=np.uint8)
            s["flip"] = np.empty(rows, dtype=np.uint8)
        else:
            s["m"] = np.empty(rows, dtype=dtype)
            # Rows K .. 8 * n_groups stay zero: padding bits that are never set.
            s["mask"] = np.zeros((8 * self.n_groups, rows), dtype=np.uint8)
            s["bits"] = np.empty((self.n_groups, rows), dtype=np.uint8)
            if self.n_groups > 1:
                s["cand"] = np.empty(rows, dtype=np.int32)
        if self.small_d:
            xt = np.empty((d + 1, rows), dtype=dtype)
            xt[d] = 1.0
            s["xt"] = xt
        # Allocated whether this call accumulates or not: one set of buffers per
        # thread serves both kinds of call (the final labelling reuses the loop's).
        s["ones"] = _shared_array("ones", rows)
        if self.upcast:
            s["x64"] = np.empty((rows, d), dtype=np.float64)
            s["w64"] = np.empty(rows, dtype=np.float64)
        s["changed"] = np.empty(rows, dtype=bool)
        return s

    def run_chunk(self, i: int, s: dict[str, np.ndarray]) -> None:
        """Label rows ``i * chunk_rows ...`` and store the chunk's partial results."""
        start = i * self.chunk_rows
        stop = min(start + self.chunk_rows, self.n_samples)
        L = stop - start
        d = self.n_features
        Xc = self.X[start:stop]
        w = self.w[start:stop]
        if self.labels_given:
            self._given_labels_chunk(i, start, stop, Xc, w, s)
            return
        D = s["D"][:, :L]
        if self.small_d:
            xt = s["xt"][:, :L]
            np.copyto(xt[:d], Xc.T)
            np.matmul(self.folded, xt, out=D)
        else:
            np.matmul(self.minus2c, Xc.T, out=D)
            np.add(D, self.c_sq_col, out=D)
        labels = self.labels[start:stop]
        if self.argmin:
            m = s["m"][:L]
            np.minimum.reduce(D, axis=0, out=m)
            am = s["am"][:L]
            D.argmin(axis=0, out=am)
            np.copyto(labels, am, casting="unsafe")
        elif self.tournament:
            m = self._tournament(D, labels, s, L)
        else:
            m = s["m"][:L]
            np.minimum.reduce(D, axis=0, out=m)
            self._first_argmin(D, m, labels, s, L)
        if self.first_copy is not None:
            np.take(self.first_copy, labels, out=labels)
        if self.nearest_two is not None:
            # Distances per point: min partial + ||x||^2, clipped at 0 (rounding).
            np.add(m, self.x_sq[start:stop], out=m)
            np.maximum(m, 0, out=m)
            self.inertia_parts[i] = float(np.dot(m, w))
            self._nearest_two_chunk(start, stop, D, m, labels)
        else:
            # inertia = sum w (min partial + ||x||^2): two dot products, no pass that
            # writes (clipped at 0 per chunk; a point on its center can round below).
            part = float(np.dot(m, w)) + float(np.dot(self.x_sq[start:stop], w))
            self.inertia_parts[i] = max(part, 0.0)
        if not self.accumulate:
            return
        self._accumulate_chunk(i, start, stop, labels, w, Xc, s)
        if self.kept_labels is not None:
            # The state keeps its own copy: callers may modify the labels they get.
            np.copyto(self.kept_labels[start:stop], labels)

    def _nearest_two_chunk(self, start, stop, D, m, labels) -> None:
        """Squared distances to the nearest center and to the next one (for bounds)."""
        assert self.nearest_two is not None
        nearest, second = self.nearest_two
        nearest[start:stop] = m
        if D.shape[0] == 1:
            second[start:stop] = np.inf
            return
        # Knock the label's entry out of D (scratch, not needed any more), take the min.
        D[labels, np.arange(stop - start)] = np.inf
        out = second[start:stop]
        np.minimum.reduce(D, axis=0, out=out)
        out += self.x_sq[start:stop]
        np.maximum(out, 0, out=out)

    def _given_labels_chunk(self, i, start, stop, Xc, w, s) -> None:
        """Labels from the caller (bound-based assignment): only the sums (no inertia)."""
        labels = self.labels[start:stop]
        self._accumulate_chunk(i, start, stop, labels, w, Xc, s)
        if self.kept_labels is not None:
            np.copyto(self.kept_labels[start:stop], labels)

    def _accumulate_chunk(self, i, start, stop, labels, w, Xc, s) -> None:
        """Chunk i's partial sums: computed, or (with a state) updated for changed rows."""
        L = stop - start
        ones = s["ones"][:L]
        if self.prev_labels is None:
            self._scatter_chunk(i, labels, w, Xc, ones, L, s)
            return
        # Keep the previous partials and move only the rows whose label changed.
        prev = self.prev_labels[start:stop]
        changed = s["changed"][:L]
        np.not_equal(labels, prev, out=changed)
        rows = changed.nonzero()[0]  # np.flatnonzero's result, without its wrappers
        n_changed = rows.size
        self.changed_parts[i] = n_changed
        if n_changed == 0:
            return
        if 4 * n_changed > L or not self.incremental:
            # Many changes: recomputing is cheaper (and exact).
            self._scatter_chunk(i, labels, w, Xc, ones, L, s)
            return
        # A matched state always carries row counts (see _Plan.__init__).
        assert self.count_parts is not None
        sums, weights, counts = self.sums_parts[i], self.weight_parts[i], self.count_parts[i]
        Xg, wg, new, old = Xc[rows], w[rows], labels[rows], prev[rows]
        if self.upcast:
            Xg, wg = Xg.astype(np.float64), wg.astype(np.float64)
        indptr = self.indptr[: n_changed + 1]
        if _leaving_dominates(weights, old, wg, ones[:n_changed], indptr):
            self._scatter_chunk(i, labels, w, Xc, ones, L, s)
            return
        _scatter(sums, weights, new, wg, Xg, ones[:n_changed], indptr)
        _scatter(sums, weights, old, -wg, Xg, ones[:n_changed], indptr)
        _count(counts, new, ones[:n_changed], indptr, 1.0)
        _count(counts, old, ones[:n_changed], indptr, -1.0)
        # A cluster with no rows left in this chunk gets exact zeros (no rounding residue).
        if not counts.all():  # one call in the usual case (no cluster gone)
            gone = counts == 0
            sums[gone] = 0
            weights[gone] = 0

    def _tournament(self, D, labels, s, L) -> np.ndarray:
        """labels = first row of D holding each column's minimum; returns that minimum.

        A knockout over the K rows, in place in D: row pairs (0, 1), (2, 3), ...,
        then the winners in pairs, and so on.  In every match the right side wins
        only if strictly smaller, and it always holds the higher indices, so ties go
        to the lowest index (scikit-learn's strict ``<``).  K - 1 minimums and
        comparisons plus cheap uint8 label updates: fewer passes than a minimum
        followed by the bitmask and its lookups, on the same distances (so the same
        labels).
        """
        K = D.shape[0]
        less = s["less"][:L]
        labs = s["lab"][:, :L]
        flip = s["flip"][:L]
        entries: list[tuple[np.ndarray, np.ndarray | int]] = []
        for p in range(K // 2):
            a = 2 * p
            np.less(D[a + 1], D[a], out=less)
            np.minimum(D[a], D[a + 1], out=D[a])
            np.add(less.view(np.uint8), np.uint8(a), out=labs[p])
            entries.append((D[a], labs[p]))
        if K % 2:
            entries.append((D[K - 1], K - 1))  # a bye; only ever on the right
        while len(entries) > 1:
            winners: list[tuple[np.ndarray, np.ndarray | int]] = []
            for (va, la), (vb, lb) in zip(entries[::2], entries[1::2], strict=False):
                assert isinstance(la, np.ndarray)  # the bye is always on the right
                np.less(vb, va, out=less)
                np.minimum(va, vb, out=va)
                # la = lb where less: la ^= (la ^ lb) & 0xFF-if-less (np.copyto with
                # where= is ~15x slower: a masked, unvectorised loop).
                pick = less.view(np.uint8)
                np.negative(pick, out=pick)
                np.bitwise_xor(la, lb, out=flip)
                np.bitwise_and(flip, pick, out=flip)
                np.bitwise_xor(la, flip, out=la)
                winners.append((va, la))
            if len(entries) % 2:
                winners.append(entries[-1])
            entries = winners
        m, lab = entries[0]
        np.copyto(labels, lab)
        return m

    def _first_argmin(self, D, m, labels, s, L) -> None:
        """labels = index of the first row of D equal to m, per column (ties -> lowest)."""
        K, G = self.n_clusters, self.n_groups
        mask = s["mask"][:, :L]
        # 1 where the row attains the minimum, times 2 ** (row % 8): one bit per row.
        np.equal(D, m, out=mask[:K].view(bool))
        np.multiply(mask[:K], _pow2_column(K), out=mask[:K])
        bits = s["bits"][:, :L]
        np.bitwise_or.reduce(mask.reshape(G, 8, L), axis=1, out=bits)
        np.take(_LOW_BIT_INDEX, bits[G - 1], out=labels, mode="clip")
        if G == 1:
            return
        # Several groups: the label is the smallest 8 * g + lowest bit over the
        # groups (a group without the minimum looks up a huge sentinel).
        labels += 8 * (G - 1)
        cand = s["cand"][:L]
        for g in range(G - 2, -1, -1):
            np.take(_LOW_BIT_INDEX, bits[g], out=cand, mode="clip")
            cand += 8 * g
            np.minimum(labels, cand, out=labels)

    def _scatter_chunk(self, i, labels, w, Xc, ones, L, s) -> None:
        """(Re)compute chunk i's weighted per-cluster sums, weights (and counts)."""
        sums, weights = self.sums_parts[i], self.weight_parts[i]
        if self.upcast:
            Xc = _upcast(Xc, s["x64"][:L])
            w = _upcast(w, s["w64"][:L])
        if self.prev_labels is not None:
            sums[...] = 0
            weights[...] = 0
        _scatter(sums, weights, labels, w, Xc, ones, self.indptr[: L + 1])
        if self.count_parts is not None:
            self.count_parts[i] = 0
            _count(self.count_parts[i], labels, ones, self.indptr[: L + 1], 1.0)


def _upcast(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    np.copyto(out, a)
    return out


def _scatter(sums, weights, labels, w, rows, ones, indptr) -> None:
    """Add ``w[j] * rows[j]`` to ``sums[labels[j]]`` and ``w[j]`` to ``weights[labels[j]]``.

    This is a product with the one-hot matrix M (K x L) holding w[j] at (labels[j], j),
    stored as CSC (one entry per column): one pass over the rows, in C.
    """
    K, d = sums.shape
    L = labels.shape[0]
    if _csc_matvecs is not None:
        _csc_matvecs(K, L, d, indptr, labels, w, rows.reshape(-1), sums.reshape(-1))
        _csc_matvec(K, L, indptr, labels, w, ones, weights)
    else:  # pragma: no cover - same product through the public sparse API
        onehot = sp.csc_array((w, labels, indptr), shape=(K, L))
        sums += onehot @ rows
        weights += onehot @ ones


def _leaving_dominates(weights, old, wg, ones, indptr) -> bool:
    """True if, in some cluster, the weight leaving is at least the weight staying.

    Subtracting a heavy row from a cluster sum leaves a rounding residue of the
    heavy row's size: two rows of weight 1e14 leaving a cluster of weight-1 rows
    would move its center by ~1e-3, and a cluster left with only zero-weight rows
    would keep a +/-1e-16 weight and escape relocation.  Such a chunk is recomputed.
    """
    leaving = np.zeros(weights.shape[0], dtype=weights.dtype)
    if _csc_matvec is not None:
        _csc_matvec(weights.shape[0], old.shape[0], indptr, old, wg, ones, leaving)
    else:  # pragma: no cover
        leaving += np.bincount(old, weights=wg, minlength=weights.shape[0])
    if leaving.size <= _FEW_CLUSTERS:
        # Python floats are IEEE doubles: the same comparisons, without five NumPy calls
        # on K values (4 us per call at K=4, a tenth of a small Lloyd iteration).
        pairs = zip(leaving.tolist(), weights.tolist(), strict=True)
        return any(out > 0 and out >= have - out for out, have in pairs)
    # Same comparison as on the touched entries alone, without three gathers.
    return bool(((leaving > 0) & (leaving >= weights - leaving)).any())


def _count(counts, labels, ones, indptr, sign: float) -> None:
    """``counts[labels[j]] += sign`` for every j (np.bincount would hold the GIL to cast)."""
    K, L = counts.shape[0], labels.shape[0]
    if _csc_matvec is not None:
        data = ones if sign == 1.0 else -ones
        _csc_matvec(K, L, indptr, labels, data, ones, counts)
    else:  # pragma: no cover
        counts += sign * np.bincount(labels, minlength=K)


class IncrementalSums:
    """Cluster sums carried from one :func:`assign_and_accumulate` call to the next.

    Pass one instance as ``state=`` to the successive calls of a Lloyd run (same X,
    same sample_weight, same number of clusters).  The per-chunk partial sums of the
    previous call are kept: a chunk whose labels did not change costs nothing, a
    chunk where few changed only moves those rows from their old cluster to the new
    one, and a chunk where many changed is recomputed.  Late in a run, when few labels
    change, this removes most of the work of the update step.  Rounding drift is
    bounded: recomputed chunks are exact and a cluster that empties in a chunk is
    reset to exact zeros.  The sums are float64 for float32 data too (rows are
    upcast as they are scattered), so moving rows does not drift.  Results do not
    depend on the number of threads.

    Attributes
    ----------
    n_changed : int or None
        After a call: how many labels differ from the previous call's (all of
        them on the first call).
    """

    def __init__(self) -> None:
        self.n_changed: int | None = None
        self._exact_next = False
        self._X: np.ndarray | None = None
        self._w: np.ndarray | None = None
        self._key: tuple | None = None
        self._labels: np.ndarray | None = None
        self._ready = False
        self._sums_parts: np.ndarray | None = None
        self._weight_parts: np.ndarray | None = None
        self._count_parts: np.ndarray | None = None

    def _matches(self, X, w, key) -> bool:
        return self._ready and self._X is X and self._w is w and self._key == key

    def _reset(self, X, w, key, plan: _Plan) -> None:
        self._X, self._w, self._key = X, w, key
        self._labels = np.empty(X.shape[0], dtype=np.int32)
        self._ready = False
        self._sums_parts, self._weight_parts = plan.sums_parts, plan.weight_parts
        self._count_parts = plan.count_parts

    def recompute_next(self) -> None:
        """Sum every chunk whose labels change afresh on the next call (no +/- moves).

        Called after an empty-cluster relocation: the relocation moved points in the
        merged sums with the same +/- arithmetic the next call would repeat, so the
        centers would come out bit-identical and a ``tol=0`` run would stop one
        iteration earlier than scikit-learn's, which sums afresh every iteration.
        """
        self._exact_next = True

    def _finish(self, plan: _Plan) -> None:
        self._exact_next = False
        parts = plan.changed_parts
        changed = int(parts[0]) if parts.size == 1 else int(parts.sum())  # exact integers
        self.n_changed = plan.n_samples if plan.prev_labels is None else changed
        self._ready = True


# Scratch buffers outlive a call: fresh multi-MiB arrays would page-fault on every
# Lloyd iteration.  A few sets are kept per shape (one per thread), up to a byte budget.
_SCRATCH_BUDGET = 64 << 20
_scratch_pool: dict[tuple, list[tuple[int, dict[str, np.ndarray]]]] = {}
_scratch_lock = threading.Lock()
_scratch_held = 0  # bytes in the pool (kept as a count: summing it cost a loop per call)


def _scratch_key(plan: _Plan) -> tuple:
    return (
        plan.chunk_rows,
        plan.n_clusters,
        plan.n_features,
        plan.X.dtype.str,
        plan.small_d,
        plan.tournament,
        plan.argmin,
    )


def _take_scratch(plan: _Plan, key: tuple) -> tuple[int, dict[str, np.ndarray]]:
    """A set of scratch buffers for ``plan`` (from the pool if one fits) and its size."""
    global _scratch_held
    with _scratch_lock:
        free = _scratch_pool.get(key)
        if free:
            size, s = free.pop()
            _scratch_held -= size
            return size, s
    s = plan.scratch()
    return sum(a.nbytes for a in s.values()), s


def _give_back_scratch(key: tuple, size: int, s: dict[str, np.ndarray]) -> None:
    global _scratch_held
    with _scratch_lock:
        if _scratch_held + size > _SCRATCH_BUDGET:
            _scratch_pool.clear()  # another shape took over: keep the newest only
            _scratch_held = 0
        _scratch_pool.setdefault(key, []).append((size, s))
        _scratch_held += size


def _run_worker(plan: _Plan, next_chunk, lock) -> None:
    key = _scratch_key(plan)
    size, s = _take_scratch(plan, key)
    try:
        while True:
            with lock:
                i = next(next_chunk)
            if i >= plan.n_chunks:
                return
            plan.run_chunk(i, s)
    finally:
        _give_back_scratch(key, size, s)


def _run_alone(plan: _Plan) -> None:
    """Every chunk on the calling thread (no shared counter, no lock)."""
    key = _scratch_key(plan)
    size, s = _take_scratch(plan, key)
    try:
        for i in range(plan.n_chunks):
            plan.run_chunk(i, s)
    finally:
        _give_back_scratch(key, size, s)


def assign_and_accumulate(
    X: np.ndarray,
    centers: np.ndarray,
    sample_weight: np.ndarray,
    x_sq_norms: np.ndarray,
    *,
    accumulate: bool = True,
    chunk_rows: int | None = DEFAULT_CHUNK_ROWS,
    n_threads: int | None = None,
    state: IncrementalSums | None = None,
    labels: np.ndarray | None = None,
    nearest_two: tuple[np.ndarray, np.ndarray] | None = None,
    sums_dtype: Any = None,
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
    state : IncrementalSums or None, default=None
        Carries the cluster sums from the previous call of the same Lloyd run, so
        that only rows whose label changed are moved (see :class:`IncrementalSums`).
        Ignored when ``accumulate`` is False.
    labels : ndarray of shape (n_samples,), int32, optional
        Labels found by the caller (a bound-based assignment): no distances are
        computed, and the sums are accumulated exactly as for labels found here (so the centers are
        bit-identical to Lloyd's for the same labels); the returned inertia is 0
        (the caller has what it needs to compute it from the sums).
    nearest_two : (ndarray, ndarray) of shape (n_samples,) each, optional
        Filled with each point's squared distance to its nearest center and to
        the nearest other one (GEMM form, clipped at 0): what Elkan's and
        Hamerly's bounds start from.
    sums_dtype : dtype or None, default=None
        dtype of the returned sums and weights (None: X's).  They are accumulated
        in float64 either way; a caller adding them to other float64 sums asks
        for float64 so that float32 data loses nothing on the way.

    Returns
    -------
    labels : ndarray of shape (n_samples,), int32
        Index of the nearest center (lowest index on ties).
    inertia : float
        Weighted sum of squared distances to the nearest center.
    sums : ndarray of shape (n_clusters, n_features) or None
        Weighted sum of the points in each cluster (dtype of X, or ``sums_dtype``).
    weight_in_clusters : ndarray of shape (n_clusters,) or None
        Sum of sample weights in each cluster (dtype of X, or ``sums_dtype``).
    """
    n_samples, n_features = X.shape
    n_clusters = centers.shape[0]
    dtype = X.dtype if sums_dtype is None else np.dtype(sums_dtype)
    X = np.ascontiguousarray(X)
    centers = np.asarray(centers, dtype=X.dtype)
    sample_weight = np.ascontiguousarray(sample_weight, dtype=X.dtype)
    if chunk_rows is None:
        chunk_rows = default_chunk_rows(n_samples, n_features, n_clusters, X.dtype.itemsize)
    chunk_rows = int(max(1, min(chunk_rows, n_samples)))
    plan = _Plan(X, centers, sample_weight, x_sq_norms, accumulate, chunk_rows, state)
    if labels is not None:
        plan.labels = np.ascontiguousarray(labels, dtype=np.int32)
        plan.labels_given = True
    plan.nearest_two = nearest_two
    # The bounds' start needs the whole distance block after the minimum: the
    # tournament overwrites it, the bitmask path does not.
    plan.tournament = plan.tournament and nearest_two is None

    if n_threads is None:
        n_threads = _available_cpus() if n_samples >= _MIN_ROWS_FOR_THREADS else 1
        if MAX_THREADS is not None:
            n_threads = min(n_threads, MAX_THREADS)
    n_threads = max(1, min(int(n_threads), plan.n_chunks))

    if n_threads == 1 and _blas_runs_single(n_samples, n_features, n_clusters):
        _run_alone(plan)
        return _merged(plan, state, dtype)
    next_chunk = itertools.count()
    lock = threading.Lock()
    # BLAS is held to one thread even when we use one thread: OpenBLAS's own threads
    # cost more than they give on GEMMs this small (and spin when cores are busy).
    with _blas_single_thread():
        if n_threads == 1:
            _run_alone(plan)
        else:
            pool = _get_executor(n_threads - 1)
            futures = [
                pool.submit(_run_worker, plan, next_chunk, lock) for _ in range(n_threads - 1)
            ]
            # The calling thread works too instead of waiting idle.
            _run_worker(plan, next_chunk, lock)
            for f in futures:
                f.result()
    return _merged(plan, state, dtype)


def _blas_runs_single(n_samples: int, n_features: int, n_clusters: int) -> bool:
    """True if OpenBLAS would run this call's GEMMs and dot products on one thread anyway."""
    work = n_samples * n_clusters * (n_features + 1)
    return n_samples <= _NO_BLAS_LIMIT_ROWS and work <= _NO_BLAS_LIMIT_WORK


def _merged(plan: _Plan, state: IncrementalSums | None, dtype):
    """The call's results from the per-chunk parts, merged in chunk order.

    Chunk order makes them independent of the thread count.
    """
    if plan.n_chunks == 1:
        # What the sums over one part give (adding 0.0 as the reduction starts from
        # it: -0.0 becomes 0.0), without three reductions per call on small data.
        inertia = float(plan.inertia_parts[0] + 0.0)
    else:
        inertia = float(plan.inertia_parts.sum())
    if not plan.accumulate:
        return plan.labels, inertia, None, None
    if state is not None:
        state._finish(plan)
    if plan.n_chunks == 1:
        sums = (plan.sums_parts[0] + 0.0).astype(dtype, copy=False)
        weights = (plan.weight_parts[0] + 0.0).astype(dtype, copy=False)
    else:
        sums = plan.sums_parts.sum(axis=0, dtype=np.float64).astype(dtype, copy=False)
        weights = plan.weight_parts.sum(axis=0, dtype=np.float64).astype(dtype, copy=False)
    return plan.labels, inertia, sums, weights


def _run_chunks(n_chunks: int, n_threads: int, work) -> None:
    """Call ``work(i)`` for every chunk index, on up to ``n_threads`` threads."""
    next_chunk = itertools.count()
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                i = next(next_chunk)
            if i >= n_chunks:
                return
            work(i)

    n_threads = max(1, min(n_threads, n_chunks))
    if n_threads == 1:
        worker()
        return
    futures = [_get_executor(n_threads - 1).submit(worker) for _ in range(n_threads - 1)]
    worker()
    for f in futures:
        f.result()


def explicit_inertia(
    X: np.ndarray,
    centers: np.ndarray,
    labels: np.ndarray,
    sample_weight: np.ndarray,
    *,
    chunk_rows: int | None = None,
    n_threads: int | None = None,
) -> float:
    """Weighted sum of ``||x_i - c_{labels_i}||^2``, computed from the differences.

    No ``||x||^2 - 2 x.c + ||c||^2`` cancellation (as scikit-learn's final inertia),
    in chunks (no N x d temporary) on the kernel's threads.  Per-chunk sums are added
    in chunk order, so the result does not depend on the number of threads.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    centers : ndarray of shape (n_clusters, n_features)
    labels : ndarray of shape (n_samples,)
    sample_weight : ndarray of shape (n_samples,)
    chunk_rows : int or None, default=None
        None: about 1/64 of X per chunk, 2**13 to 2**19 values (256 to 65536 rows).
    n_threads : int or None, default=None
        None: every available CPU for large inputs (see :func:`assign_and_accumulate`).

    Returns
    -------
    float
    """
    n_samples, n_features = X.shape
    if chunk_rows is None:
        # Three temporaries per chunk (gathered centers, difference, row sums): about
        # 1/64 of X, between 2**13 and 2**19 values.  Small inputs then add ~0.2 MiB
        # to a fit's peak memory (whole-X temporaries were a third of it at 20,000 x
        # 2); large ones keep chunks long enough that the calls cost nothing.
        values = max(1 << 13, min(1 << 19, X.size // 64))
        chunk_rows = max(256, min(65536, values // n_features))
    chunk_rows = int(max(1, min(chunk_rows, n_samples)))
    n_chunks = -(-n_samples // chunk_rows)
    parts = np.zeros(n_chunks, dtype=np.float64)
    centers = np.asarray(centers, dtype=X.dtype)

    def work(i: int) -> None:
        start, stop = i * chunk_rows, min((i + 1) * chunk_rows, n_samples)
        diff = X[start:stop] - np.take(centers, labels[start:stop], axis=0)
        d2 = np.einsum("ij,ij->i", diff, diff).astype(np.float64, copy=False)
        parts[i] = float(np.dot(d2, sample_weight[start:stop]))

    if n_threads is None:
        n_threads = _available_cpus() if n_samples >= _MIN_ROWS_FOR_THREADS else 1
        if MAX_THREADS is not None:
            n_threads = min(n_threads, MAX_THREADS)
    if n_threads == 1 and _blas_runs_single(n_samples, n_features, 1):
        _run_chunks(n_chunks, 1, work)  # only a dot product of <= 5000 values uses BLAS
    else:
        with _blas_single_thread():
            _run_chunks(n_chunks, n_threads, work)
    return float(parts.sum())
