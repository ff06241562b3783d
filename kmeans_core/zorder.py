"""The points of a low-d X sorted along a Z-order curve, with statistics per grid cell.

:class:`PointTree` is what :mod:`kmeans_core.tree` walks.  A grid of ``2 ** bits``
cells per feature spans X's range; each row gets its cell's Morton (Z-order) code, the
cell coordinates' bits interleaved.  Sorting the rows by code makes every cell of
every coarser grid (one bit less per feature) a contiguous range too, so a quadtree
(octree, ...) over the points is a set of ranges, with no pointers.  Per cell the
tree keeps what a whole-cell assignment needs: the bounding box of its points, their
total weight, weighted sum and weighted sum of squared norms.

The codes are uint16 (16 bits in all: 8 per feature at d = 2), which NumPy sorts by
radix: the build is a handful of passes over X, ~25 ms at 1,000,000 x 2.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kmeans_core import _kernels
from kmeans_core._kernels import _available_cpus, _run_chunks

#: At most this many features: the grid has 16 bits in all, at least one per feature.
MAX_FEATURES = 8
#: Leaf cells are sized for about this many points on average.
LEAF_POINTS = 4
#: Coarser levels are built up to the first with at most this many cells.
TOP_CELLS = 256


def grid_bits(n_samples: int, n_features: int) -> int:
    """Bits per feature of the leaf grid: about LEAF_POINTS points per cell, 16 bits in all.

    Sixteen bits keep the codes uint16, which NumPy sorts by radix: a stable argsort
    of 1,000,000 uint16 codes takes ~5 ms, of uint32 codes 14 ms (quicksort) to 80 ms.
    """
    cells = max(n_samples / LEAF_POINTS, 2.0)
    return int(min(16 // n_features, max(1, round(math.log2(cells) / n_features))))


def _spread_table(n_features: int, bits: int) -> np.ndarray:
    """``table[v]``: the ``bits`` bits of v moved ``n_features`` apart (bit b to bit b * d)."""
    v = np.arange(1 << bits, dtype=np.uint32)
    table = np.zeros(1 << bits, dtype=np.uint32)
    for b in range(bits):
        table |= ((v >> b) & 1) << (b * n_features)
    return table.astype(np.uint16)


def threads() -> int:
    """Threads for the tree's work: every CPU, or the kernel's limit (benchmark --threads)."""
    n = _available_cpus()
    return n if _kernels.MAX_THREADS is None else max(1, min(n, _kernels.MAX_THREADS))


def on_threads(n_tasks: int, work: Callable[[int], None]) -> None:
    """``work(i)`` for i < n_tasks on the kernel's pool (NumPy releases the GIL)."""
    _run_chunks(n_tasks, threads(), work)


def morton_codes(X: np.ndarray, bits: int) -> np.ndarray:
    """Z-order code (uint16) of each row's cell in a ``2 ** bits`` per feature grid.

    The grid spans X's range, bar far outliers (see :func:`_grid_range`), which go to
    the edge cells.  Bit b of feature f's cell coordinate is bit
    ``b * d + f`` of the code.  Rows of one cell share a code, and a cell's children
    (one more bit per feature) share its code's high bits.
    """
    n, d = X.shape
    if bits * d > 16:
        raise ValueError(f"bits * n_features must be at most 16, got {bits} * {d}")
    table = _spread_table(d, bits)
    top = (1 << bits) - 1
    spread = np.empty((d, n), dtype=np.uint16)

    def feature(f: int) -> None:
        col = X[:, f]
        lo, hi = _grid_range(col)
        # (x - lo) * top / (hi - lo), clipped to [0, top]; truncation keeps it there.
        scaled = np.subtract(col, lo, dtype=np.float64)
        scaled *= top / (hi - lo) if hi > lo else 0.0
        np.clip(scaled, 0.0, top, out=scaled)
        np.take(table, scaled.astype(np.intp), out=spread[f])
        spread[f] <<= np.uint16(f)

    on_threads(d, feature)
    return np.bitwise_or.reduce(spread, axis=0) if d > 1 else spread[0]


def _grid_range(col: np.ndarray) -> tuple[float, float]:
    """The span the grid covers along one feature: the full range, unless outliers stretch it.

    A few far outliers would make the bulk of the points share a handful of cells.
    When the range is over 16 times the span of all but the farthest 0.05 % each
    side, the grid covers that span and the outliers go to the edge cells (cells only
    group points: each keeps the exact box of its own points, so the outliers are
    still handled exactly).  The quantiles come from about 16,384 evenly spaced values.
    """
    lo, hi = float(col.min()), float(col.max())
    sample = col[:: max(1, col.size // 16384)]
    q_lo, q_hi = (float(q) for q in np.quantile(sample, [0.0005, 0.9995]))
    if q_hi > q_lo and 16 * (q_hi - q_lo) < hi - lo:
        return q_lo, q_hi
    return lo, hi


def group_starts(keys: np.ndarray) -> np.ndarray:
    """Index of the first of each run of equal values in sorted ``keys``."""
    return np.concatenate(([0], np.flatnonzero(keys[1:] != keys[:-1]) + 1))


def concat_ranges(starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """``concatenate([arange(a, b) for a, b in zip(starts, stops)])`` without the loop."""
    lengths = stops - starts
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.intp)
    shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return np.arange(total, dtype=np.intp) + shift


def on_halves(size: int, work: Callable[[slice], None]) -> None:
    """``work(part)`` for the two halves of ``range(size)``, on two threads when there are.

    For random gathers and scatters, which wait on memory: two threads nearly halve
    the time.
    """
    half = size // 2
    parts = (slice(0, half), slice(half, size))
    on_threads(2, lambda i: work(parts[i]))


def _take_rows(X: np.ndarray, order: np.ndarray) -> np.ndarray:
    """``X[order]``, the two halves on two threads."""
    out = np.empty_like(X)

    def take(part: slice) -> None:
        np.take(X, order[part], axis=0, out=out[part])

    on_halves(order.size, take)
    return out


@dataclass
class _Level:
    """The cells of one grid level, in Z order (arrays of one entry per cell)."""

    start: np.ndarray  # first sorted position of the cell's points
    stop: np.ndarray  # one past the last
    leaf_first: np.ndarray  # the cell's leaves: leaf_first ... leaf_stop - 1
    leaf_stop: np.ndarray
    weight: np.ndarray  # sum of w
    wsum: np.ndarray  # sum of w x, shape (cells, d)
    sq: np.ndarray  # sum of w ||x||^2
    lo: np.ndarray  # bounding box of the points, shape (cells, d)
    hi: np.ndarray
    child_first: np.ndarray  # children, as ids in the level below (leaves: none)
    child_stop: np.ndarray

    @property
    def size(self) -> int:
        return int(self.start.size)


def _leaf_level(Xs: np.ndarray, ws: np.ndarray | None, starts: np.ndarray, n: int) -> _Level:
    """Statistics of the leaf cells: rows ``starts[i]`` up to the next start of Xs."""
    d = Xs.shape[1]
    stops = np.append(starts[1:], n)
    if ws is None:  # unit weights: no products
        weight = (stops - starts).astype(np.float64)
    else:
        ws = ws.astype(np.float64)
        weight = np.add.reduceat(ws, starts)
    wsum, lo, hi = (np.empty((starts.size, d)) for _ in range(3))
    sq_parts = np.empty((d, starts.size))

    def feature(f: int) -> None:
        col = Xs[:, f].astype(np.float64)
        lo[:, f] = np.minimum.reduceat(col, starts)
        hi[:, f] = np.maximum.reduceat(col, starts)
        if ws is not None:
            col *= ws
        wsum[:, f] = np.add.reduceat(col, starts)
        col *= Xs[:, f]
        sq_parts[f] = np.add.reduceat(col, starts)

    on_threads(d, feature)
    leaves = np.arange(starts.size)
    none = np.zeros(starts.size, dtype=np.intp)
    return _Level(
        starts, stops, leaves, leaves + 1, weight, wsum, sq_parts.sum(axis=0), lo, hi, none, none
    )


def _parent_level(child: _Level, parent_keys: np.ndarray) -> _Level:
    """The cells one level up: ``parent_keys`` are the child cells' codes shifted by d."""
    g = group_starts(parent_keys)
    ends = np.append(g[1:], child.size)
    return _Level(
        start=child.start[g],
        stop=child.stop[ends - 1],
        leaf_first=child.leaf_first[g],
        leaf_stop=child.leaf_stop[ends - 1],
        weight=np.add.reduceat(child.weight, g),
        wsum=np.add.reduceat(child.wsum, g, axis=0),
        sq=np.add.reduceat(child.sq, g),
        lo=np.minimum.reduceat(child.lo, g, axis=0),
        hi=np.maximum.reduceat(child.hi, g, axis=0),
        child_first=g,
        child_stop=ends,
    )


class PointTree:
    """The points in Z order, with per-cell statistics at every grid level.

    Cells are numbered globally: the leaves first (ids ``0 .. n_leaves - 1``, in Z
    order), then each coarser level; ``top`` holds the ids of the coarsest level
    kept.  Every array attribute has one entry per cell.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Centred data, float32 or float64, at most MAX_FEATURES features.
    sample_weight : ndarray of shape (n_samples,)
    bits : int or None
        Bits per feature of the leaf grid (None: :func:`grid_bits`).

    Attributes
    ----------
    order : ndarray of shape (n_samples,)
        Row of X at each sorted position.
    X_sorted, w_sorted : ndarray
        X and the weights in that order (``w_sorted`` None for unit weights).
    start, stop : ndarray
        The cell's points are sorted positions ``start .. stop - 1``.
    leaf_first, leaf_stop : ndarray
        The cell's leaves (contiguous ids).
    child_first, child_stop : ndarray
        The cell's children (global ids; empty for leaves).
    weight, wsum, sq : ndarray
        Sums over the cell's points of w, w x and w ||x||^2 (float64).
    middle, half : ndarray of shape (n_cells, n_features)
        Middle and half-widths of the bounding box of the cell's points.
    x_sq_max : ndarray
        Largest ``||x||^2`` over the box: the scale of a distance's rounding there.
    """

    def __init__(self, X: np.ndarray, sample_weight: np.ndarray, bits: int | None = None):
        n, d = X.shape
        if d > MAX_FEATURES:
            raise ValueError(f'algorithm="tree" is for at most {MAX_FEATURES} features; X has {d}.')
        self.bits = grid_bits(n, d) if bits is None else bits
        codes = morton_codes(X, self.bits)
        order = np.argsort(codes, kind="stable")  # radix sort of uint16 keys
        self.order = order.astype(np.int32) if n < 2**31 else order  # half the memory
        codes = codes[self.order]
        self.X_sorted = _take_rows(X, self.order)
        unit = bool(sample_weight.min() == sample_weight.max() == 1)
        self.w_sorted = None if unit else np.take(sample_weight, self.order)
        starts = group_starts(codes)
        levels = [_leaf_level(self.X_sorted, self.w_sorted, starts, n)]
        keys = codes[starts]
        while levels[-1].size > TOP_CELLS and keys.size > 1:
            keys = keys >> np.uint16(d)
            levels.append(_parent_level(levels[-1], keys))
            keys = keys[group_starts(keys)]
        self._number(levels)

    def _number(self, levels: list[_Level]) -> None:
        """Concatenate the levels into global arrays (leaves first)."""
        offsets = np.cumsum([0] + [lv.size for lv in levels])

        def stack(name: str) -> np.ndarray:
            return np.concatenate([getattr(lv, name) for lv in levels])

        self.n_leaves = levels[0].size
        self.start, self.stop = stack("start"), stack("stop")
        self.leaf_first, self.leaf_stop = stack("leaf_first"), stack("leaf_stop")
        self.weight, self.wsum, self.sq = stack("weight"), stack("wsum"), stack("sq")

        def stack_children(name: str) -> np.ndarray:
            # Children ids are per level: shift them to the level below's global ids.
            below = [getattr(lv, name) + offsets[i] for i, lv in enumerate(levels[1:])]
            return np.concatenate([getattr(levels[0], name)] + below)

        self.child_first, self.child_stop = (
            stack_children("child_first"),
            stack_children("child_stop"),
        )
        self.top = np.arange(offsets[-2], offsets[-1])
        lo, hi = stack("lo"), stack("hi")
        self.middle = 0.5 * (lo + hi)
        self.half = 0.5 * (hi - lo)
        self.x_sq_max = np.maximum(lo * lo, hi * hi).sum(axis=1)


# One tree, kept while its X lives: the n_init runs of a fit share it.
_cache: tuple[weakref.ref, weakref.ref, PointTree] | None = None


def _forget(ref: weakref.ref) -> None:
    """X was freed: its tree (and the sorted copy of X) goes too."""
    global _cache
    if _cache is not None and _cache[0] is ref:
        _cache = None


def tree_for(X: np.ndarray, sample_weight: np.ndarray) -> PointTree:
    """The :class:`PointTree` of ``(X, sample_weight)``, built once while X lives."""
    global _cache
    cached = _cache
    if cached is not None and cached[0]() is X and cached[1]() is sample_weight:
        return cached[2]
    tree = PointTree(X, sample_weight)
    _cache = (weakref.ref(X, _forget), weakref.ref(sample_weight), tree)
    return tree
