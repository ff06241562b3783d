"""The seed article's three ways to find each point's nearest center.

All three return the same labels (lowest index on ties, up to floating-point
rounding on near-ties). They exist for teaching and for the Speed page; the
estimator uses the fused chunked kernel in ``_kernels``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from kmeans_core._kernels import assign_and_accumulate

Tier = Literal["loops", "broadcast", "gemm"]
TIERS: tuple[Tier, ...] = ("loops", "broadcast", "gemm")


def assign_labels_loops(X: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Nearest center by explicit Python loops over points, centers and features.

    O(N K d) Python operations: the slow baseline of the teaching tiers.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    centers : ndarray of shape (n_clusters, n_features)

    Returns
    -------
    labels : ndarray of shape (n_samples,), int32
    """
    X = np.asarray(X)
    centers = np.asarray(centers)
    rows = X.tolist()
    cents = centers.tolist()
    labels = np.empty(len(rows), dtype=np.int32)
    for i, x in enumerate(rows):
        best, best_d = 0, float("inf")
        for k, c in enumerate(cents):
            d = 0.0
            for xj, cj in zip(x, c, strict=True):
                diff = xj - cj
                d += diff * diff
            if d < best_d:
                best, best_d = k, d
        labels[i] = best
    return labels


def assign_labels_broadcast(X: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Nearest center by NumPy broadcasting ``X[:, None, :] - centers[None, :, :]``.

    Allocates an N x K x d array: fine for teaching, wasteful for real data.
    See :func:`broadcast_bytes` for the memory it needs.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    centers : ndarray of shape (n_clusters, n_features)

    Returns
    -------
    labels : ndarray of shape (n_samples,), int32
    """
    X = np.asarray(X)
    centers = np.asarray(centers)
    diff = X[:, None, :] - centers[None, :, :]
    sq = (diff**2).sum(axis=2)
    return np.argmin(sq, axis=1).astype(np.int32)


def broadcast_bytes(n_samples: int, n_clusters: int, n_features: int, itemsize: int = 8) -> int:
    """Bytes of the N x K x d temporary that :func:`assign_labels_broadcast` allocates.

    Two such arrays exist at the peak (the difference and its square).
    """
    return 2 * n_samples * n_clusters * n_features * itemsize


def assign_labels_gemm(
    X: np.ndarray, centers: np.ndarray, *, chunk_rows: int = 16384
) -> np.ndarray:
    """Nearest center with ``||x||^2 - 2 x.c + ||c||^2``, one matrix product per chunk.

    Memory stays O(chunk_rows x K).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    centers : ndarray of shape (n_clusters, n_features)
    chunk_rows : int, default=16384
        Rows per matrix product.

    Returns
    -------
    labels : ndarray of shape (n_samples,), int32
    """
    X = np.ascontiguousarray(X, dtype=np.result_type(X, np.float32))
    centers = np.ascontiguousarray(centers, dtype=X.dtype)
    x_sq = np.einsum("ij,ij->i", X, X)
    w = np.ones(X.shape[0], dtype=X.dtype)
    labels, _, _, _ = assign_and_accumulate(
        X, centers, w, x_sq, accumulate=False, chunk_rows=chunk_rows
    )
    return labels


_ASSIGNERS = {
    "loops": assign_labels_loops,
    "broadcast": assign_labels_broadcast,
    "gemm": assign_labels_gemm,
}


def lloyd_iteration(
    X: np.ndarray, centers: np.ndarray, *, tier: Tier = "gemm"
) -> tuple[np.ndarray, np.ndarray]:
    """One Lloyd iteration (assign, then update) using the chosen distance tier.

    Empty clusters keep their previous center here; this function is for timing
    and teaching, the estimator relocates them.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    centers : ndarray of shape (n_clusters, n_features)
    tier : {"loops", "broadcast", "gemm"}

    Returns
    -------
    labels : ndarray of shape (n_samples,), int32
    new_centers : ndarray of shape (n_clusters, n_features)
    """
    if tier not in _ASSIGNERS:
        raise ValueError(f"tier must be one of {TIERS}, got {tier!r}.")
    X = np.asarray(X, dtype=np.float64)
    centers = np.asarray(centers, dtype=np.float64)
    labels = _ASSIGNERS[tier](X, centers)
    k = centers.shape[0]
    counts = np.bincount(labels, minlength=k)
    sums = np.zeros_like(centers)
    for j in range(X.shape[1]):
        sums[:, j] = np.bincount(labels, weights=X[:, j], minlength=k)
    new_centers = centers.copy()
    nonempty = counts > 0
    new_centers[nonempty] = sums[nonempty] / counts[nonempty, None]
    return labels, new_centers
