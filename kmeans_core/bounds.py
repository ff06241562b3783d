"""Elkan's and Hamerly's assignment: triangle-inequality bounds that skip distances.

Both are *exact*: from the same start they give Lloyd's labels, so the Lloyd loop
(:func:`kmeans_core.lloyd._lloyd_steps_prepared`) runs unchanged with them as its
assignment strategy; only the assign step is cheaper once the centers settle.

Each point keeps an upper bound ``u`` on the distance to its own center and lower
bounds on the distance to the others: one (to the second-nearest center) for
Hamerly, one per center for Elkan.  When the centers move by ``delta``, the bounds
are loosened by it (``u += delta[label]``, ``l -= delta``), which costs O(N) (O(N K)
for Elkan), and a point whose upper bound is still below its lower bound (and below
half the distance from its center to the nearest other one) keeps its label without
any distance computed.  The others first get an exact ``u``; those still in doubt
get all K distances, in one GEMM over the gathered rows.  Every pass is a NumPy
operation over the points whose bounds fail, never a Python loop over points.

Rounding: the labels of points in doubt are found by the same ``||c||^2 - 2 c.x``
GEMM form as Lloyd's kernel, and a point is skipped only when its bounds clear
the rounding error of that form by a margin, so a label is never kept that
Lloyd's GEMM could have changed.  (Exact ties, which Lloyd's GEMM breaks by
rounding, are broken here the same way only up to that rounding.)

``distances_skipped`` on each assign step is the share of the N x K point-center
distances not computed (an exact ``u`` counts as one distance, a point in doubt as K).
"""

from __future__ import annotations

import numpy as np

from kmeans_core import _kernels
from kmeans_core._kernels import (
    IncrementalSums,
    _available_cpus,
    _blas_single_thread,
    _run_chunks,
    assign_and_accumulate,
    first_copy_of_rows,
)
from kmeans_core.assigners import Assignment, DenseData, LloydAssigner
from kmeans_core.tree import TreeAssigner, takes_tree

ALGORITHMS = ("lloyd", "elkan", "hamerly", "tree", "auto")

#: "auto": the tree at one or two features on enough rows (:func:`takes_tree`); else
#: Lloyd's kernel until at most this share of the labels changes in one
#: iteration, then Hamerly's bounds (they only pay once few points move; while many
#: change, a bound pass that ends in a full pass anyway is pure overhead).
AUTO_SWITCH_CHANGED = 0.1
#: "auto" keeps Lloyd's kernel below this many features.  A bound check costs the
#: same per point at any d (about ten NumPy passes over N values, plus the sums),
#: a distance row costs ~K d: measured per iteration at 200k rows (one run, shared
#: machine, bounds / Lloyd): K=8 d=2 1.74, d=3 2.6, d=5 1.46, d=8 1.22, d=20 0.51;
#: K=16 d=16 0.99, d=32 0.55, 100k x 50 K=16 0.65; 1M x 50 K=64 float32 0.61.
#: Re-checked after the low-d kernel got cheaper (tournament labelling, 30 iterations
#: from the bench's start, CPU time per iteration, one thread, algorithm="hamerly" /
#: "lloyd"): 1M x 2 K=8 2.56, 20k x 2 K=3 2.23 -- Lloyd stays the choice below 16.
AUTO_MIN_FEATURES = 16
#: When more than this share of the points is in doubt, the assignment runs Lloyd's
#: fused kernel over all of them instead (gathering rows costs more than it saves).
RESTART_SHARE = 0.3
#: Rows per GEMM when all distances of gathered rows are computed.
_GATHER_CHUNK = 8192


def make_assigner(algorithm: str, X, sample_weight, x_sq_norms):
    """The assignment strategy for ``algorithm`` on prepared (centred) data."""
    from kmeans_core._sparse import SparseAssigner, is_sparse

    if is_sparse(X):
        return SparseAssigner(X, sample_weight, x_sq_norms)
    if algorithm == "lloyd":
        return LloydAssigner(X, sample_weight, x_sq_norms)
    if algorithm == "hamerly":
        return HamerlyAssigner(X, sample_weight, x_sq_norms)
    if algorithm == "elkan":
        return ElkanAssigner(X, sample_weight, x_sq_norms)
    if takes_tree(algorithm, X):
        return TreeAssigner(X, sample_weight, x_sq_norms)
    if algorithm == "auto":
        if X.shape[1] < AUTO_MIN_FEATURES or X.shape[0] < 2048:
            return LloydAssigner(X, sample_weight, x_sq_norms)
        return HamerlyAssigner(X, sample_weight, x_sq_norms, switch_at=AUTO_SWITCH_CHANGED)
    raise ValueError(f"algorithm must be one of {', '.join(ALGORITHMS)}; got {algorithm!r}.")


# -- distances of gathered rows ------------------------------------------------------


def _sq_dists_gathered(X, rows, centers, c_sq, x_sq) -> np.ndarray:
    """Squared distances (len(rows), K) from the rows of X to every center, GEMM form."""
    Xr = X[rows]
    D = Xr @ (-2.0 * centers).T
    D += c_sq
    D += x_sq[rows][:, None]
    return D


def _n_changed(state: IncrementalSums) -> int:
    return int(state.n_changed or 0)  # set by every accumulating call


def _over_chunks(rows: np.ndarray, work) -> None:
    """``work(chunk)`` over chunks of ``rows`` on the kernel's threads (BLAS at 1 thread).

    Each chunk writes only its own rows' labels and bounds: any thread count gives
    the same result.
    """
    chunks = [rows[i : i + _GATHER_CHUNK] for i in range(0, rows.size, _GATHER_CHUNK)]
    n_threads = _available_cpus() if len(chunks) > 1 else 1
    if _kernels.MAX_THREADS is not None:  # the benchmark's --threads
        n_threads = min(n_threads, _kernels.MAX_THREADS)
    with _blas_single_thread():
        _run_chunks(len(chunks), n_threads, lambda i: work(chunks[i]))


def _first_min(D: np.ndarray, first_copy) -> tuple[np.ndarray, np.ndarray]:
    """Label (lowest index on ties, copies mapped to the first) and its value, per row."""
    labels = np.argmin(D, axis=1).astype(np.int32)
    if first_copy is not None:
        labels = first_copy[labels]
    return labels, np.take_along_axis(D, labels[:, None].astype(np.intp), axis=1)[:, 0]


def _exact_dist(X, rows, centers, labels) -> np.ndarray:
    """``||x - c||`` from the differences (no cancellation), for the given rows."""
    diff = X[rows] - centers[labels]
    return np.sqrt(np.einsum("ij,ij->i", diff, diff))


def _shifts(centers: np.ndarray, centers_prev: np.ndarray) -> np.ndarray:
    """How far each center moved (float64)."""
    diff = centers.astype(np.float64) - centers_prev
    return np.sqrt(np.einsum("ij,ij->i", diff, diff))


def _half_nearest_other(centers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Half the center-center distances (K, K) and, per center, to its nearest other."""
    centers = centers.astype(np.float64)
    diff = centers[:, None, :] - centers[None, :, :]
    cc = 0.5 * np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))
    masked = cc + np.diag(np.full(centers.shape[0], np.inf))
    return cc, masked.min(axis=1)


class _BoundsBase(DenseData):
    """What Hamerly and Elkan share: the switch from Lloyd, the sums, the margins."""

    def __init__(self, X, sample_weight, x_sq_norms, switch_at: float | None = None):
        super().__init__(X, sample_weight, x_sq_norms)
        self.sums_state = IncrementalSums()
        self.switch_at = switch_at  # None: bounds from the first iteration
        self._started = False  # bounds set up (by _start)
        self.labels = np.empty(0, dtype=np.int32)
        self.centers_prev = np.empty((0, X.shape[1]))
        self.upper = self.lower = np.empty(0)
        self._wx_sq: np.ndarray | None = None
        eps = float(np.finfo(X.dtype).eps)
        # Rounding of the GEMM form: |error of d^2| <~ (d + 4) eps (||x||^2 + ||c||^2).
        self._err_scale = (X.shape[1] + 4) * eps * 4
        # Bounds move by the center shifts, rounded outwards (float32 bounds drift).
        self._outward = 1.0 + 16 * eps

    def after_relocation(self) -> None:
        self.sums_state.recompute_next()

    def _accumulate(self, centers, labels, skipped: float) -> Assignment:
        """Sums exactly as Lloyd's kernel would for these labels; inertia from the sums."""
        _, _, sums, weights = assign_and_accumulate(
            self.X, centers, self.w, self.x_sq, state=self.sums_state, labels=labels
        )
        # sum_i w_i ||x_i - c_k||^2 = Q_k - 2 c_k.S_k + W_k ||c_k||^2 per cluster, with
        # Q_k = sum of w ||x||^2: no pass over X (the rounding of Lloyd's own
        # ||x||^2 - 2 x.c + ||c||^2 form; the final inertia is summed explicitly).
        if self._wx_sq is None:
            self._wx_sq = (self.w * self.x_sq).astype(np.float64)
        q = np.bincount(labels, weights=self._wx_sq, minlength=centers.shape[0])
        c64, s64 = centers.astype(np.float64), sums.astype(np.float64)
        per_cluster = q - 2 * np.einsum("ij,ij->i", c64, s64) + weights * (c64**2).sum(axis=1)
        inertia = max(float(per_cluster.sum()), 0.0)
        return Assignment(labels, inertia, sums, weights, _n_changed(self.sums_state), skipped)

    def _sq_margin(self, rows, centers) -> np.ndarray:
        """How far apart two squared distances must be for the GEMM form to agree."""
        c_max = float(np.einsum("ij,ij->i", centers, centers).max())
        return self._err_scale * (self.x_sq[rows] + c_max)

    def assign(self, centers: np.ndarray) -> Assignment:
        if self.switch_at is not None:
            # Lloyd's kernel, on the same carried sums, while many labels change.
            labels, inertia, sums, weights = assign_and_accumulate(
                self.X, centers, self.w, self.x_sq, state=self.sums_state
            )
            n_changed = _n_changed(self.sums_state)
            if n_changed <= self.switch_at * self.X.shape[0]:
                self.switch_at = None  # few labels change now: bounds from the next call
            return Assignment(labels, inertia, sums, weights, n_changed)
        if not self._started:
            return self._start(centers)
        skipped = self._update(centers)
        if skipped is None:  # most points in doubt: one full pass is cheaper
            return self._start(centers)
        self.centers_prev = centers.copy()
        return self._accumulate(centers, self.labels.copy(), skipped)

    def final_labels(self, centers: np.ndarray) -> np.ndarray:
        """Labels for the final centers: through the bounds once they are set up.

        The run stopped on ``tol`` or ``max_iter``, with valid bounds for the previous
        centers: one more bound update labels the points, and only those in doubt
        get distances (1M x 50 K=64 float32: ~25 ms instead of a ~60 ms full pass).
        """
        if self.switch_at is not None or not self._started or self._update(centers) is None:
            return super().final_labels(centers)
        return self.labels.copy()

    def _start(self, centers) -> Assignment:
        """Lloyd's fused kernel, which also gives the nearest and second-nearest distances."""
        n = self.X.shape[0]
        nearest = np.empty(n, dtype=self.X.dtype)
        second = np.empty(n, dtype=self.X.dtype)
        labels, inertia, sums, weights = assign_and_accumulate(
            self.X, centers, self.w, self.x_sq, state=self.sums_state, nearest_two=(nearest, second)
        )
        self._started = True
        self.labels = labels.copy()
        self.upper = np.sqrt(nearest, dtype=np.float64)
        self._start_lower(np.sqrt(second, dtype=np.float64), centers.shape[0])
        self.centers_prev = centers.copy()
        return Assignment(labels, inertia, sums, weights, _n_changed(self.sums_state))

    def _start_lower(self, second: np.ndarray, n_clusters: int) -> None:
        raise NotImplementedError

    def _update(self, centers) -> float | None:
        raise NotImplementedError


class HamerlyAssigner(_BoundsBase):
    """Hamerly's algorithm: one upper and one lower bound per point.

    Parameters
    ----------
    X, sample_weight, x_sq_norms
        Prepared data (centred X, its squared row norms).
    switch_at : float or None
        None: bounds from the first iteration.  A share of n_samples: Lloyd's
        kernel until at most that share of labels changes, then bounds.
    """

    def _start_lower(self, second: np.ndarray, n_clusters: int) -> None:
        self.lower = second
        n = second.shape[0]
        self._m, self._u2 = np.empty(n), np.empty(n)
        self._doubt_mask = np.empty(n, dtype=bool)
        self._x_err = self._err_scale * self.x_sq.astype(np.float64)

    def _full(self, rows, centers, c_sq, first_copy, K) -> None:
        D = _sq_dists_gathered(self.X, rows, centers, c_sq, self.x_sq)
        labels, best = _first_min(D, first_copy)
        self.labels[rows] = labels
        self.upper[rows] = np.sqrt(np.maximum(best, 0))
        if K > 1:
            # A copy of the own center gives lower = 0: such a point stays in doubt.
            np.put_along_axis(D, labels[:, None].astype(np.intp), np.inf, axis=1)
            self.lower[rows] = np.sqrt(np.maximum(D.min(axis=1), 0))

    def _update(self, centers) -> float | None:
        n, K = self.X.shape[0], centers.shape[0]
        delta = self._outward * _shifts(centers, self.centers_prev)
        step = self._m  # scratch, N values
        np.take(delta, self.labels, out=step)
        self.upper += step
        if K > 1:
            # Every other center moved at most max(delta) (the second largest for the
            # points of the center that moved most).
            order = np.argsort(delta)
            pair = np.array([delta[order[-1]], delta[order[-2]]])
            np.equal(self.labels, order[-1], out=self._doubt_mask)
            np.take(pair, self._doubt_mask.view(np.uint8), out=step)
            self.lower -= step
        _, half_nearest = _half_nearest_other(centers)
        doubt = self._in_doubt(centers, half_nearest)
        if doubt.size == 0:
            return 1.0
        # No separate tightening of u: measured, one GEMM over the points in doubt
        # costs less than gathering them twice (100k x 50 K=16: 33 vs 43 ms).
        full = doubt
        if full.size > RESTART_SHARE * n:
            return None
        c_sq = np.einsum("ij,ij->i", centers, centers)
        first_copy = first_copy_of_rows(centers)
        _over_chunks(full, lambda rows: self._full(rows, centers, c_sq, first_copy, K))
        return 1.0 - full.size / n

    def _in_doubt(self, centers, half_nearest) -> np.ndarray:
        """The points whose label the bounds cannot confirm (with the rounding margin).

        Confirmed: ``m^2 > u^2 + margin`` with ``m = max(l, s[label])``, i.e. the
        bounds clear the GEMM form's rounding, so Lloyd's kernel would agree.
        In place on scratch arrays: six passes over N values, no N-sized garbage.
        """
        c_max = float(np.einsum("ij,ij->i", centers, centers).max())
        m = self._m
        np.take(half_nearest, self.labels, out=m)
        np.maximum(m, self.lower, out=m)
        np.multiply(m, m, out=m)
        u2 = self._u2
        np.multiply(self.upper, self.upper, out=u2)
        u2 += self._x_err
        u2 += self._err_scale * c_max
        np.less_equal(m, u2, out=self._doubt_mask)
        return np.flatnonzero(self._doubt_mask)


class ElkanAssigner(_BoundsBase):
    """Elkan's algorithm: one upper bound and K lower bounds per point (N x K memory).

    A point is in doubt when some other center passes both of Elkan's tests
    (lower bound and half center-center distance below ``u``); in NumPy such a
    point gets all K distances in one GEMM, which also refreshes all its bounds.
    """

    def _start_lower(self, second: np.ndarray, n_clusters: int) -> None:
        # Every other center is at least as far as the second-nearest one; the
        # own center's entry is never read.  N x K in X's dtype (as scikit-learn's
        # Elkan): the memory cost of Elkan.
        self.lower = np.empty((second.shape[0], n_clusters), dtype=self.X.dtype)
        self.lower[...] = second[:, None]
        if self.X.dtype == np.float32:  # rounded down, never up
            np.nextafter(self.lower, -np.inf, out=self.lower)

    def _full(self, rows, centers, c_sq, first_copy) -> None:
        D = _sq_dists_gathered(self.X, rows, centers, c_sq, self.x_sq)
        labels, best = _first_min(D, first_copy)
        self.labels[rows] = labels
        self.upper[rows] = np.sqrt(np.maximum(best, 0))
        self.lower[rows] = np.sqrt(np.maximum(D, 0))

    def _update(self, centers) -> float | None:
        n, K = self.X.shape[0], centers.shape[0]
        delta = self._outward * _shifts(centers, self.centers_prev)
        self.upper += delta[self.labels]
        self.lower -= delta.astype(self.X.dtype)
        if self.X.dtype == np.float32:  # round the float32 lower bounds down, never up
            np.nextafter(self.lower, -np.inf, out=self.lower)
        cc, half_nearest = _half_nearest_other(centers)
        rows = self._in_doubt(np.arange(n), centers, half_nearest, cc)
        if rows.size == 0:
            return 1.0
        self.upper[rows] = _exact_dist(self.X, rows, centers, self.labels[rows])
        full = self._in_doubt(rows, centers, half_nearest, cc)
        if full.size > RESTART_SHARE * n:
            return None
        c_sq = np.einsum("ij,ij->i", centers, centers)
        first_copy = first_copy_of_rows(centers)
        _over_chunks(full, lambda rows: self._full(rows, centers, c_sq, first_copy))
        return 1.0 - (rows.size + full.size * K) / (n * K)

    def _in_doubt(self, rows, centers, half_nearest, cc) -> np.ndarray:
        """Rows where some other center passes both tests (with the rounding margin)."""
        u = self.upper[rows].astype(np.float64)
        labels = self.labels[rows]
        margin = self._sq_margin(rows, centers)
        m = half_nearest[labels]
        clear = (m > u) & ((m - u) * (m + u) > margin)
        rows, u, labels, margin = rows[~clear], u[~clear], labels[~clear], margin[~clear]
        if rows.size == 0:
            return rows
        # Per center: excluded if its lower bound or half center distance clears u.
        m = np.maximum(self.lower[rows], cc[labels]).astype(np.float64)
        excluded = (m > u[:, None]) & ((m - u[:, None]) * (m + u[:, None]) > margin[:, None])
        excluded[np.arange(rows.size), labels] = True
        return rows[~excluded.all(axis=1)]
