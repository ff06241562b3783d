"""Assignment strategies: how one Lloyd iteration finds labels and cluster sums.

:func:`kmeans_core.lloyd._lloyd_steps_prepared` is the one Lloyd loop.  What
changes between algorithms and data formats is only how the assign step gets
its labels (every distance, or bounds that skip most of them) and how the data
is read (dense rows, or sparse CSR rows).  Each strategy here answers the same
small set of questions for the loop:

- ``assign(centers)``: labels, inertia, weighted cluster sums and weights,
  how many labels changed and the share of point-center distances skipped;
- ``final_labels(centers)``: labels only (the loop's last labelling);
- ``after_relocation()``: the loop moved points between clusters by hand;
- ``sq_dist_to_own_center``, ``row``, ``explicit_inertia``: what the
  empty-cluster relocation and the final inertia read from X.

:class:`LloydAssigner` computes every distance with the fused chunk kernel of
:mod:`kmeans_core._kernels`.  The bound-based strategies (Elkan, Hamerly) are in
:mod:`kmeans_core.bounds`, the grid-cell filtering one in :mod:`kmeans_core.tree`, the
sparse one in :mod:`kmeans_core._sparse`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kmeans_core._kernels import IncrementalSums, assign_and_accumulate, explicit_inertia


@dataclass
class Assignment:
    """What one assign step gives the Lloyd loop."""

    labels: np.ndarray
    inertia: float
    sums: np.ndarray
    weights: np.ndarray
    n_changed: int
    distances_skipped: float = 0.0


class DenseData:
    """Reads of a dense, centred X that the loop needs besides the assignment."""

    def __init__(self, X: np.ndarray, sample_weight: np.ndarray, x_sq_norms: np.ndarray):
        self.X, self.w, self.x_sq = X, sample_weight, x_sq_norms

    def after_relocation(self) -> None:
        """Nothing carried between calls by default."""

    def row(self, idx: int) -> np.ndarray:
        """Row ``idx`` of the centred X (a relocation target)."""
        return self.X[idx]

    def sq_dist_to_own_center(self, centers: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Explicit ``||x_i - c_{labels_i}||^2`` per point, in chunks (no N x d temporary)."""
        X = self.X
        chunk_rows = max(256, min(65536, (1 << 19) // X.shape[1]))
        out = np.empty(X.shape[0], dtype=X.dtype)
        for start in range(0, X.shape[0], chunk_rows):
            stop = start + chunk_rows
            diff = X[start:stop] - centers[labels[start:stop]]
            np.einsum("ij,ij->i", diff, diff, out=out[start:stop])
        return out

    def explicit_inertia(self, centers: np.ndarray, labels: np.ndarray) -> float:
        """Weighted sum of squared distances to the labelled centers, summed explicitly."""
        return explicit_inertia(self.X, centers, labels, self.w)

    def final_labels(self, centers: np.ndarray) -> np.ndarray:
        """Nearest-center labels for ``centers`` (no sums), after a run that did not converge."""
        labels, _, _, _ = assign_and_accumulate(
            self.X, centers, self.w, self.x_sq, accumulate=False
        )
        return labels


class LloydAssigner(DenseData):
    """Every point-center distance, every iteration (the fused chunk kernel).

    The cluster sums are carried from one call to the next
    (:class:`~kmeans_core._kernels.IncrementalSums`): only rows whose label
    changed are moved.
    """

    def __init__(self, X, sample_weight, x_sq_norms):
        super().__init__(X, sample_weight, x_sq_norms)
        self.sums_state = IncrementalSums()

    def assign(self, centers: np.ndarray) -> Assignment:
        """Label every point and carry the cluster sums (only changed rows are moved)."""
        labels, inertia, sums, weights = assign_and_accumulate(
            self.X, centers, self.w, self.x_sq, state=self.sums_state
        )
        n_changed = self.sums_state.n_changed
        assert n_changed is not None  # set by every call that carries the sums
        return Assignment(labels, inertia, sums, weights, int(n_changed))

    def after_relocation(self) -> None:
        """Sum every chunk afresh on the next call, as scikit-learn does every time."""
        self.sums_state.recompute_next()
