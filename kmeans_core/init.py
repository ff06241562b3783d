"""Initialisers: k-means++ (greedy, as scikit-learn), random rows, farthest point."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from kmeans_core._validation import check_n_clusters, check_random_state

_UPCAST_CHUNK_ROWS = 65536


def _sq_dist_to(
    X: np.ndarray,
    Y: np.ndarray,
    x_sq_norms: np.ndarray,
    upper: np.ndarray | None = None,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Squared distances from each row of Y to every row of X, shape (len(Y), len(X)).

    Same arithmetic as scikit-learn's ``euclidean_distances(Y, X, squared=True)``:
    float32 data is upcast to float64 in chunks (and its norms recomputed) and the
    result cast back, so k-means++ picks the same points as scikit-learn. With
    ``upper`` (shape (len(X),)), each distance is also capped at it (k-means++: the
    distance to the nearest center so far). ``out``: where to write the result.
    """
    if X.dtype == np.float32:
        out = np.empty((Y.shape[0], X.shape[0]), dtype=np.float32) if out is None else out
        Y64 = Y.astype(np.float64)
        y_sq = np.einsum("ij,ij->i", Y64, Y64)
        for start in range(0, X.shape[0], _UPCAST_CHUNK_ROWS):
            X64 = X[start : start + _UPCAST_CHUNK_ROWS].astype(np.float64)
            d = -2 * _dot_rows(Y64, X64)
            d += y_sq[:, None]
            d += _row_norms(X64)[None, :]
            out[:, start : start + _UPCAST_CHUNK_ROWS] = d
    else:
        # (-2 Y) X^T is -2 (Y X^T) to the last bit (scaling by a power of two is exact),
        # without a pass over the len(Y) x n result to scale it.
        out = _dot_rows(-2 * Y, X) if sp.issparse(X) else np.matmul(-2 * Y, X.T, out=out)
        out += np.einsum("ij,ij->i", Y, Y)[:, None]
        out += x_sq_norms[None, :]
    if upper is not None:
        # max(d, 0) then min with the current distances, in one pass (np.clip).
        return np.clip(out, 0, upper, out=out)
    np.maximum(out, 0, out=out)
    return out


def _dot_rows(Y: np.ndarray, X) -> np.ndarray:
    """``Y @ X.T`` for dense or sparse X (sparse: computed as (X @ Y.T).T)."""
    if sp.issparse(X):
        return np.asarray(X @ Y.T).T
    return Y @ X.T


def _rows(X, idx) -> np.ndarray:
    """Dense copies of rows of X (dense or sparse)."""
    if sp.issparse(X):
        return X[np.atleast_1d(idx)].toarray()
    return np.atleast_2d(X[idx])


def _dense_rows(X: np.ndarray, idx) -> np.ndarray:
    """:func:`_rows` for dense X: the rows ``X[idx]`` as a 2-D array, by plain indexing."""
    return X[np.atleast_1d(idx)] if np.ndim(idx) == 0 else X[idx]


def _row_norms(X) -> np.ndarray:
    if sp.issparse(X):
        return np.asarray(X.multiply(X).sum(axis=1), dtype=X.dtype).ravel()
    return np.einsum("ij,ij->i", X, X)


def _as_data(X) -> np.ndarray:
    if sp.issparse(X):
        return X
    X = np.asarray(X)
    if X.dtype != np.float32:
        X = X.astype(np.float64, copy=False)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (n_samples, n_features), got shape {X.shape}.")
    return X


def _weighted_choice(rng: np.random.RandomState, w: np.ndarray) -> int:
    """``rng.choice(len(w), p=w / w.sum())``: the same draw, without its checks of ``p``.

    The same arithmetic as NumPy's ``RandomState.choice`` (the probabilities' running
    sum, normalised by its last value, searched for one uniform draw), so the same
    row for the same state; its validation of ``p`` (positive, summing to 1: several
    passes over a million weights) is left out, the weights being checked already.
    """
    cdf = np.cumsum((w / w.sum()).astype(np.float64, copy=False))  # choice works in float64
    cdf /= cdf[-1]
    return int(cdf.searchsorted(rng.random_sample(), side="right"))


def _weights(sample_weight, X: np.ndarray) -> np.ndarray:
    if sample_weight is None:
        return np.ones(X.shape[0], dtype=X.dtype)
    return np.asarray(sample_weight, dtype=X.dtype)


def kmeans_plusplus(
    X: np.ndarray,
    n_clusters: int,
    random_state=None,
    *,
    sample_weight: np.ndarray | None = None,
    n_local_trials: int | None = None,
    x_sq_norms: np.ndarray | None = None,
) -> np.ndarray:
    """Greedy k-means++ seeding, as scikit-learn does it.

    The first center is a row drawn in proportion to ``sample_weight``. Each
    next center is the best of ``2 + int(ln k)`` candidates sampled with
    probability proportional to the weighted squared distance to the nearest
    chosen center ("best" = lowest resulting potential). The random draws are
    the same calls in the same order as ``sklearn.cluster.kmeans_plusplus``, so
    the same ``random_state`` picks the same rows.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_clusters : int
    random_state : int, RandomState or None
    sample_weight : ndarray of shape (n_samples,), optional
    n_local_trials : int, optional
        Candidates per step; default ``2 + int(np.log(n_clusters))``.
    x_sq_norms : ndarray of shape (n_samples,), optional
        Precomputed squared row norms.

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
    """
    X = _as_data(X)
    n_clusters = check_n_clusters(n_clusters, X.shape[0])
    rng = check_random_state(random_state)
    n_samples, n_features = X.shape
    w = _weights(sample_weight, X)
    if x_sq_norms is None:
        x_sq_norms = _row_norms(X)
    if n_local_trials is None:
        n_local_trials = 2 + int(np.log(n_clusters))
    centers = np.empty((n_clusters, n_features), dtype=X.dtype)
    # Dense rows are read by plain indexing (the helpers' sparse checks and wrappers
    # cost more than the arithmetic on small data, where a fit seeds 10 times).
    rows = _rows if sp.issparse(X) else _dense_rows
    first = _weighted_choice(rng, w)
    centers[0] = rows(X, first)[0]
    closest = _sq_dist_to(X, centers[:1], x_sq_norms)[0]
    pot = closest @ w
    last = closest.size - 1
    # Buffers reused by every step: fresh arrays per step (32 MB of candidate distances
    # at 1,000,000 rows) cost more in page faults than in arithmetic.
    buf = None if sp.issparse(X) else np.empty((n_local_trials, n_samples), dtype=X.dtype)
    cum = np.empty_like(closest)
    for c in range(1, n_clusters):
        rand_vals = rng.uniform(size=n_local_trials) * pot
        # With unit weights w * closest is closest itself: one pass fewer, same sums.
        np.cumsum(closest if sample_weight is None else np.multiply(w, closest, out=cum), out=cum)
        cand = np.searchsorted(cum, rand_vals)
        np.minimum(cand, last, out=cand)  # a draw at the very top of cum
        d_cand = _sq_dist_to(X, rows(X, cand), x_sq_norms, upper=closest, out=buf)
        cand_pot = d_cand @ w
        best = int(cand_pot.argmin())
        pot = cand_pot[best]
        np.copyto(closest, d_cand[best])  # d_cand is overwritten by the next step
        centers[c] = rows(X, cand[best])[0]
    return centers


def random_init(
    X: np.ndarray,
    n_clusters: int,
    random_state=None,
    *,
    sample_weight: np.ndarray | None = None,
) -> np.ndarray:
    """Pick ``n_clusters`` distinct rows at random (weighted by sample_weight).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_clusters : int
    random_state : int, RandomState or None
    sample_weight : ndarray of shape (n_samples,), optional

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
    """
    X = _as_data(X)
    n_clusters = check_n_clusters(n_clusters, X.shape[0])
    rng = check_random_state(random_state)
    n_samples = X.shape[0]
    w = _weights(sample_weight, X)
    if np.count_nonzero(w) < n_clusters:
        raise ValueError(
            f"Only {np.count_nonzero(w)} samples have a non-zero weight; random init "
            f"needs at least n_clusters={n_clusters} of them."
        )
    seeds = rng.choice(n_samples, size=n_clusters, replace=False, p=w / w.sum())
    return _rows(X, seeds).copy()


def farthest_point_init(X: np.ndarray, n_clusters: int, random_state=None) -> np.ndarray:
    """Farthest-point (maximin) seeding, for teaching.

    The first center is a random row; each next center is the row farthest from
    all chosen centers. Deterministic after the first pick, and drawn to outliers,
    which is why k-means++ samples instead of taking the maximum.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_clusters : int
    random_state : int, RandomState or None

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
    """
    X = _as_data(X)
    n_clusters = check_n_clusters(n_clusters, X.shape[0])
    rng = check_random_state(random_state)
    x_sq = np.einsum("ij,ij->i", X, X)
    centers = np.empty((n_clusters, X.shape[1]), dtype=X.dtype)
    centers[0] = X[rng.randint(X.shape[0])]
    closest = _sq_dist_to(X, centers[:1], x_sq)[0]
    for c in range(1, n_clusters):
        idx = int(np.argmax(closest))
        centers[c] = X[idx]
        np.minimum(closest, _sq_dist_to(X, centers[c : c + 1], x_sq)[0], out=closest)
    return centers
