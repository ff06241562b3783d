"""algorithm="tree": Kanungo's filtering, whole grid cells of points labelled at once.

At d = 1 or 2 a Lloyd iteration is a dozen passes over every point, for labels that
change only near the boundaries between clusters.  This assignment strategy (Kanungo,
Mount, Netanyahu, Piatko, Silverman and Wu, "An efficient k-means clustering
algorithm: analysis and implementation", IEEE TPAMI 2002, on a quadtree instead of a
k-d tree) walks the cells of a :class:`~kmeans_core.zorder.PointTree` from the top,
one level at a time:

* a cell whose bounding box lies wholly in one center's Voronoi region is labelled
  as a whole: its weight and weighted sum go to that cluster's sums, and its inertia
  is ``Q - 2 c.S + W ||c||^2`` from its sums, without touching its points;
* the other cells are split into their children; the points of leaf cells that still
  straddle a boundary get every distance, from Lloyd's own fused kernel.

The test is exact.  ``d_j(x) - d_l(x)``, the difference of two squared distances, is
affine in x, so its minimum over a box has a closed form; a cell goes to l only when
that minimum, for every other center j, clears the rounding error of Lloyd's GEMM
form, so Lloyd's kernel gives every point of the cell the same label.  The labels are
Lloyd's, but for one case: a point equidistant from two centers in exact arithmetic
(or an emptied cluster choosing among equally far points) goes where the centers'
last bits send it, and the tree adds its sums in another order than Lloyd's kernel,
so its centers can differ from Lloyd's in those last bits.

Labels are kept per point, in Z order and in X's order, but an iteration rewrites
only the leaves that changed hands or straddle a boundary: it costs the cells it
visits plus the boundary points, not N.  ``distances_skipped`` is the share of the
N x K point-center distances not computed (all but the boundary points').
"""

from __future__ import annotations

import numpy as np

from kmeans_core._kernels import assign_and_accumulate
from kmeans_core.assigners import Assignment, DenseData, LloydAssigner
from kmeans_core.zorder import PointTree, concat_ranges, on_halves, tree_for

#: "auto" uses the tree from this many rows, per number of features.  Time per
#: iteration, tree / Lloyd (make_blobs, cluster_std=3, 20 iterations from the same
#: start, both cores, building the tree included): d=1 K=3/8/32: 50k 1.48/0.99/0.52,
#: 100k 1.13/0.75/0.38, 1M K=8 0.40; d=2: 50k 1.40/1.44/1.68, 200k 1.05/0.88/0.85,
#: 300k 0.98/0.94/0.84, 400k 0.79/0.79/0.62, 1M 0.64/0.74/0.50.  At d=3 the 16-bit
#: grid is too coarse (32 cells per feature): 1M K=8 1.54, so Lloyd stays.
AUTO_MIN_ROWS = {1: 100_000, 2: 300_000}
#: When more than this share of the points straddles a boundary, the run goes on
#: with Lloyd's kernel: the walk and the gathers would cost more than they save.
FALLBACK_SHARE = 0.5
#: Cells tested per block: bounds the (cells, K, d) temporaries.
_BLOCK_ELEMENTS = 1 << 18
#: Label writes from this many on go to two threads (random writes wait on memory:
#: 1,000,000 labels 3.4 ms on one thread, 1.1 ms on two).
_PARALLEL_SCATTER = 1 << 16


def tree_pays(X: np.ndarray) -> bool:
    """True where "auto" takes the tree: 1 or 2 features and enough rows (AUTO_MIN_ROWS)."""
    if X.ndim != 2 or X.shape[1] not in AUTO_MIN_ROWS:
        return False
    return X.shape[0] >= AUTO_MIN_ROWS[X.shape[1]]


def takes_tree(algorithm: str, X: np.ndarray) -> bool:
    """True if ``algorithm`` on dense X runs the tree: "tree", or "auto" where it pays."""
    return algorithm == "tree" or (algorithm == "auto" and tree_pays(X))


def _scatter(out: np.ndarray, index: np.ndarray, values: np.ndarray) -> None:
    """``out[index] = values`` (no repeated index), in two halves on two threads if large."""
    if index.size < _PARALLEL_SCATTER:
        out[index] = values
        return

    def write(part: slice) -> None:
        out[index[part]] = values[part]

    on_halves(index.size, write)


def _per_cluster(labels: np.ndarray, values: np.ndarray, n_clusters: int) -> np.ndarray:
    """Sum of ``values`` per label, float64 (also when there is nothing to add)."""
    return np.bincount(labels, weights=values, minlength=n_clusters).astype(np.float64)


class TreeAssigner(DenseData):
    """Lloyd's labels, cluster sums and inertia from a :class:`PointTree` walk.

    Parameters
    ----------
    X, sample_weight, x_sq_norms
        Prepared data (centred X and its squared row norms), at most
        :data:`~kmeans_core.zorder.MAX_FEATURES` features.
    tree : PointTree or None
        The tree of (X, sample_weight); None takes the one kept for X (built once
        for all the runs of a fit).
    """

    def __init__(self, X, sample_weight, x_sq_norms, tree: PointTree | None = None):
        super().__init__(X, sample_weight, x_sq_norms)
        self.tree = tree if tree is not None else tree_for(X, sample_weight)
        eps = float(np.finfo(X.dtype).eps)
        # A GEMM-form squared distance rounds by at most ~(d + 1) eps (||x||^2 + 2 ||c||^2);
        # a cell is labelled whole only when its gap clears 16 (d + 4) eps (||x||^2 +
        # ||c||^2): over twice the error of a difference of two, with room to spare
        # for the float64 evaluation of the test itself.
        self._err_scale = 16 * (X.shape[1] + 4) * eps
        self.labels = np.zeros(X.shape[0], dtype=np.int32)  # in X's order
        self._sorted_labels = np.empty(0, dtype=np.int32)  # in Z order, from the first call
        # Each leaf's label at the previous call (-1: a boundary leaf, labelled point by
        # point; -2: no call yet).
        self._leaf_labels = np.full(self.tree.n_leaves, -2, dtype=np.int64)
        self._lloyd: LloydAssigner | None = None  # set once the tree stops paying

    def assign(self, centers: np.ndarray) -> Assignment:
        """Labels, inertia, cluster sums and weights for ``centers`` (see the module doc)."""
        if self._lloyd is not None:
            return self._assign_lloyd(centers)
        tree = self.tree
        K = centers.shape[0]
        C = centers.astype(np.float64)
        c_sq = np.einsum("ij,ij->i", C, C)
        cells, cell_labels, boundary = self._walk(C, c_sq)
        weights = _per_cluster(cell_labels, tree.weight[cells], K)
        sums = np.stack([_per_cluster(cell_labels, col, K) for col in tree.wsum[cells].T], axis=1)
        # Per cluster, sum of w ||x - c||^2 = Q - 2 c.S + W ||c||^2, Q the sum of
        # w ||x||^2: the rounding of Lloyd's own ||x||^2 - 2 x.c + ||c||^2 form.
        sq = _per_cluster(cell_labels, tree.sq[cells], K)
        inertia = float((sq - 2.0 * np.einsum("ij,ij->i", C, sums) + weights * c_sq).sum())
        positions = concat_ranges(tree.start[boundary], tree.stop[boundary])
        boundary_labels = np.empty(0, dtype=np.int32)
        if positions.size:
            # Runs of the sorted copy: much cheaper to gather than rows all over X.
            Xb = np.take(tree.X_sorted, positions, axis=0)
            if tree.w_sorted is None:
                wb = np.ones(positions.size, dtype=Xb.dtype)
            else:
                wb = tree.w_sorted[positions]
            boundary_labels, part, b_sums, b_weights = assign_and_accumulate(
                Xb, centers, wb, np.einsum("ij,ij->i", Xb, Xb), sums_dtype=np.float64
            )
            inertia += part
            sums += b_sums
            weights += b_weights
        n_changed = self._relabel(cells, cell_labels, boundary, boundary_labels)
        skipped = 1.0 - positions.size / self.X.shape[0]
        if positions.size > FALLBACK_SHARE * self.X.shape[0]:
            # Most points straddle a boundary (data that fills the space between
            # many centers, say): Lloyd's kernel from the next call.
            self._lloyd = LloydAssigner(self.X, self.w, self.x_sq)
        # In X's dtype, as Lloyd's kernel returns them (summed in float64 either way).
        dtype = self.X.dtype
        return Assignment(
            self.labels.copy(),
            max(inertia, 0.0),
            sums.astype(dtype, copy=False),
            weights.astype(dtype, copy=False),
            n_changed,
            skipped,
        )

    def final_labels(self, centers: np.ndarray) -> np.ndarray:
        """Labels for the final centers: one more walk."""
        return self.assign(centers).labels

    def after_relocation(self) -> None:
        """The tree sums afresh every call; Lloyd's kernel, once taken, is told."""
        if self._lloyd is not None:
            self._lloyd.after_relocation()

    def _assign_lloyd(self, centers: np.ndarray) -> Assignment:
        """Lloyd's kernel, with the changes counted against the previous call's labels."""
        assert self._lloyd is not None
        got = self._lloyd.assign(centers)
        # Its first call counts every label as new; the run's count is against ours.
        got.n_changed = int(np.count_nonzero(got.labels != self.labels))
        self.labels = got.labels
        return got

    # -- the walk ------------------------------------------------------------------------

    def _walk(self, C: np.ndarray, c_sq: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cells labelled whole with their labels, and the boundary leaves (sorted ids).

        ``C`` are the centers in float64, ``c_sq`` their squared norms.
        """
        tree = self.tree
        c_max = float(c_sq.max())
        reach = 2.0 * np.abs(C[:, None, :] - C[None, :, :])  # (K, K, d)
        block = max(1, _BLOCK_ELEMENTS // reach.size)
        cells, labels, boundary = [], [], []
        frontier = tree.top
        while frontier.size:
            split = []
            for i in range(0, frontier.size, block):
                ids = frontier[i : i + block]
                label, whole = self._box_test(ids, C, c_sq, c_max, reach)
                cells.append(ids[whole])
                labels.append(label[whole])
                rest = ids[~whole]
                is_leaf = rest < tree.n_leaves
                boundary.append(rest[is_leaf])
                split.append(rest[~is_leaf])
            inner = np.concatenate(split)
            frontier = concat_ranges(tree.child_first[inner], tree.child_stop[inner])
        return np.concatenate(cells), np.concatenate(labels), np.sort(np.concatenate(boundary))

    def _box_test(self, ids, C, c_sq, c_max, reach) -> tuple[np.ndarray, np.ndarray]:
        """Per cell: the center nearest its box's middle, and whether it wins on the whole box.

        ``d_j(x) - d_l(x) = (||c_j||^2 - ||c_l||^2) - 2 (c_j - c_l).x`` is affine in x:
        over a box of middle m and half-widths h its minimum is its value at m less
        ``sum_f 2 |c_jf - c_lf| h_f`` (``reach[l, j] . h``).
        """
        tree = self.tree
        gap = c_sq - 2.0 * (tree.middle[ids] @ C.T)  # d_j(m) - ||m||^2, (cells, K)
        label = gap.argmin(axis=1)
        rows = np.arange(ids.size)
        gap -= gap[rows, label][:, None]
        gap -= np.einsum("nkf,nf->nk", reach[label], tree.half[ids])
        gap[rows, label] = np.inf
        margin = self._err_scale * (tree.x_sq_max[ids] + c_max)
        return label, gap.min(axis=1) > margin

    # -- the labels ----------------------------------------------------------------------

    def _leaf_labels_now(self, cells, cell_labels, boundary) -> np.ndarray:
        """Every leaf's label (-1: boundary) from the cells that tile the leaves."""
        tree = self.tree
        firsts = np.concatenate([tree.leaf_first[cells], boundary])
        labels = np.concatenate([cell_labels, np.full(boundary.size, -1, dtype=cell_labels.dtype)])
        sizes = np.concatenate(
            [tree.leaf_stop[cells] - tree.leaf_first[cells], np.ones(boundary.size, dtype=np.intp)]
        )
        by_first = np.argsort(firsts)
        return np.repeat(labels[by_first], sizes[by_first])

    def _relabel(self, cells, cell_labels, boundary, boundary_labels) -> int:
        """Rewrite the labels of leaves that changed hands or straddle a boundary.

        Returns how many labels changed (all of them on the first call).
        """
        tree = self.tree
        leaf_labels = self._leaf_labels_now(cells, cell_labels, boundary)
        if self._leaf_labels[0] == -2:  # first call: every label is new
            self._leaf_labels = leaf_labels
            leaves = slice(0, tree.n_leaves)
            values = np.repeat(leaf_labels, tree.stop[leaves] - tree.start[leaves])
            values = values.astype(np.int32)
            values[values < 0] = boundary_labels
            self._sorted_labels = values
            _scatter(self.labels, tree.order, values)
            return self.X.shape[0]
        touched = np.flatnonzero((leaf_labels != self._leaf_labels) | (leaf_labels < 0))
        self._leaf_labels = leaf_labels
        starts, stops = tree.start[touched], tree.stop[touched]
        where = concat_ranges(starts, stops)
        values = np.repeat(leaf_labels[touched], stops - starts).astype(np.int32)
        # Boundary leaves are touched every time, in leaf order: the kernel's labels,
        # computed in that same order, fill their places.
        values[values < 0] = boundary_labels
        changed = self._sorted_labels[where] != values
        self._sorted_labels[where] = values
        moved = where[changed]
        _scatter(self.labels, tree.order[moved], values[changed])
        return int(moved.size)
