"""The hot loop: one fused pass that labels points and accumulates cluster sums.

Everything in the estimator's Lloyd iterations goes through :func:`assign_and_accumulate`;
it works on chunks so that memory stays O(chunk_size x K), never O(N x K x d).
"""

from __future__ import annotations

import numpy as np

DEFAULT_CHUNK_ROWS = 16384


def assign_and_accumulate(
    X: np.ndarray,
    centers: np.ndarray,
    sample_weight: np.ndarray,
    x_sq_norms: np.ndarray,
    *,
    accumulate: bool = True,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
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
    chunk_rows : int
        Rows processed per GEMM.

    Returns
    -------
    labels : ndarray of shape (n_samples,), int32
        Index of the nearest center (lowest index on ties).
    inertia : float
        Weighted sum of squared distances to the nearest center.
    sums : ndarray of shape (n_clusters, n_features) or None
        Weighted sum of the points in each cluster.
    weight_in_clusters : ndarray of shape (n_clusters,) or None
        Sum of sample weights in each cluster.
    """
    n_samples, n_features = X.shape
    n_clusters = centers.shape[0]
    labels = np.empty(n_samples, dtype=np.int32)
    c_sq_norms = np.einsum("ij,ij->i", centers, centers)
    inertia = 0.0
    sums = np.zeros((n_clusters, n_features), dtype=X.dtype) if accumulate else None
    weights = np.zeros(n_clusters, dtype=X.dtype) if accumulate else None
    for start in range(0, n_samples, chunk_rows):
        stop = min(start + chunk_rows, n_samples)
        Xc = X[start:stop]
        # ||c||^2 - 2 x.c: ||x||^2 is constant per row, so it is not needed for the argmin.
        partial = Xc @ centers.T
        partial *= -2.0
        partial += c_sq_norms
        lab = np.argmin(partial, axis=1)
        labels[start:stop] = lab
        w = sample_weight[start:stop]
        min_partial = partial[np.arange(stop - start), lab]
        d2 = np.maximum(min_partial + x_sq_norms[start:stop], 0.0)
        inertia += float(d2 @ w)
        if accumulate:
            weights += np.bincount(lab, weights=w, minlength=n_clusters).astype(X.dtype)
            for j in range(n_features):
                sums[:, j] += np.bincount(lab, weights=Xc[:, j] * w, minlength=n_clusters)
    return labels, inertia, sums, weights
