"""Sparse (CSR) input: text-like data with many features, mostly zeros.

As in scikit-learn, sparse X is never centred (that would make it dense) and
never densified: distances come from sparse-times-dense products, ``||c||^2 -
2 x.c`` per chunk of rows plus ``||x||^2``, and the cluster sums from a sparse
one-hot product.  :class:`SparseAssigner` is the Lloyd loop's assignment strategy
for such data (every distance is computed; bounds are for dense data).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.utils.sparsefuncs import mean_variance_axis

from kmeans_core._kernels import first_copy_of_rows
from kmeans_core.assigners import Assignment

#: Rows per sparse-times-dense product (a (rows, K) block of distances).
_CHUNK_ROWS = 4096


def is_sparse(X) -> bool:
    """True for SciPy sparse matrices and arrays."""
    return sp.issparse(X)


def check_sparse_data(X) -> sp.csr_matrix:
    """Validate sparse X and return it as CSR, float32 kept, everything else float64."""
    X = sp.csr_matrix(X)
    if X.dtype.kind not in "biuf":
        raise ValueError(f"Sparse X has dtype {X.dtype}, which is not numeric.")
    dtype = np.float32 if X.dtype == np.float32 else np.float64
    X = X.astype(dtype, copy=False)
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(
            f"X has no {'rows' if X.shape[0] == 0 else 'columns'} (shape={X.shape}); "
            "at least one sample and one feature are required."
        )
    if not np.isfinite(X.data).all():
        raise ValueError("X contains NaN or infinite values; drop or impute them first.")
    X.sum_duplicates()
    X.sort_indices()
    return X


def sparse_row_norms(X: sp.csr_matrix) -> np.ndarray:
    """``||x||^2`` per row, in X's dtype."""
    return np.asarray(X.multiply(X).sum(axis=1), dtype=X.dtype).ravel()


def sparse_tolerance(X: sp.csr_matrix, tol: float) -> float:
    """``tol`` times the mean feature variance (scikit-learn's sparse rule)."""
    if tol == 0:
        return 0.0
    return float(np.mean(mean_variance_axis(X, axis=0)[1]) * tol)


def sparse_sq_dists(X: sp.csr_matrix, centers: np.ndarray, x_sq: np.ndarray) -> np.ndarray:
    """Squared distances (n_samples, K), ``||x||^2 - 2 x.c + ||c||^2``, clipped at 0."""
    c_sq = np.einsum("ij,ij->i", centers, centers)
    out = np.empty((X.shape[0], centers.shape[0]), dtype=X.dtype)
    for start in range(0, X.shape[0], _CHUNK_ROWS):
        stop = start + _CHUNK_ROWS
        D = np.asarray(X[start:stop] @ centers.T)
        D *= -2
        D += c_sq
        D += x_sq[start:stop, None]
        np.maximum(D, 0, out=out[start:stop])
    return out


class SparseAssigner:
    """Lloyd's assignment for CSR data: all distances, chunk by chunk."""

    def __init__(self, X: sp.csr_matrix, sample_weight: np.ndarray, x_sq_norms: np.ndarray):
        self.X, self.w, self.x_sq = X, sample_weight, x_sq_norms
        self.prev_labels: np.ndarray | None = None

    def _labels_and_min(self, centers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest center (lowest index on ties, copies to the first) and ``||c||^2 - 2x.c``."""
        n = self.X.shape[0]
        c_sq = np.einsum("ij,ij->i", centers, centers)
        first_copy = first_copy_of_rows(centers)
        labels = np.empty(n, dtype=np.int32)
        best = np.empty(n, dtype=self.X.dtype)
        for start in range(0, n, _CHUNK_ROWS):
            stop = min(start + _CHUNK_ROWS, n)
            D = np.asarray(self.X[start:stop] @ centers.T)
            D *= -2
            D += c_sq
            lab = np.argmin(D, axis=1)
            best[start:stop] = D[np.arange(stop - start), lab]
            labels[start:stop] = lab if first_copy is None else first_copy[lab]
        return labels, best

    def assign(self, centers: np.ndarray) -> Assignment:
        K = centers.shape[0]
        labels, best = self._labels_and_min(centers)
        partial = np.maximum(best + self.x_sq, 0)
        inertia = float(np.dot(partial.astype(np.float64), self.w))
        n = labels.shape[0]
        onehot = sp.csr_matrix((self.w, labels, np.arange(n + 1)), shape=(n, K)).T.tocsr()
        sums = np.asarray((onehot @ self.X).toarray(), dtype=self.X.dtype)
        weights = np.bincount(labels, weights=self.w, minlength=K).astype(self.X.dtype)
        prev = self.prev_labels
        n_changed = n if prev is None else int(np.count_nonzero(labels != prev))
        self.prev_labels = labels.copy()
        return Assignment(labels, inertia, sums, weights, n_changed)

    def final_labels(self, centers: np.ndarray) -> np.ndarray:
        return self._labels_and_min(centers)[0]

    def after_relocation(self) -> None:
        """Sums are computed afresh every call: nothing to reset."""

    def row(self, idx: int) -> np.ndarray:
        return self.X[idx].toarray()[0]

    def sq_dist_to_own_center(self, centers: np.ndarray, labels: np.ndarray) -> np.ndarray:
        c_sq = np.einsum("ij,ij->i", centers, centers)
        out = np.empty(self.X.shape[0], dtype=self.X.dtype)
        for start in range(0, self.X.shape[0], _CHUNK_ROWS):
            stop = start + _CHUNK_ROWS
            own = labels[start:stop]
            D = np.asarray(self.X[start:stop] @ centers.T)
            dot = D[np.arange(own.shape[0]), own]
            out[start:stop] = np.maximum(self.x_sq[start:stop] - 2 * dot + c_sq[own], 0)
        return out

    def explicit_inertia(self, centers: np.ndarray, labels: np.ndarray) -> float:
        d2 = self.sq_dist_to_own_center(centers, labels).astype(np.float64)
        return float(np.dot(d2, self.w))
