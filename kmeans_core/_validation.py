"""Input validation with messages a dashboard can show as they are."""

from __future__ import annotations

import numbers

import numpy as np


def check_data(X, *, dtype_keep_float32: bool = True) -> np.ndarray:
    """Validate a data matrix and return it as a C-contiguous float array.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data. Must be 2-D, numeric, non-empty and finite.
    dtype_keep_float32 : bool, default=True
        Keep float32 input as float32; everything else becomes float64.

    Returns
    -------
    ndarray of shape (n_samples, n_features)
        C-contiguous float32 or float64 array.

    Raises
    ------
    ValueError
        With a sentence saying what is wrong with the data.
    """
    if hasattr(X, "toarray") and not isinstance(X, np.ndarray):
        raise TypeError("Sparse input is not supported; pass a dense array (X.toarray()).")
    arr = np.asarray(X)
    if arr.dtype == object or arr.dtype.kind in "USV":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                "X contains non-numeric values; K-Means needs numbers in every column."
            ) from None
    if arr.dtype.kind == "c":
        raise ValueError("X contains complex numbers; K-Means needs real numbers.")
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"X has dtype {arr.dtype}, which is not numeric.")
    if arr.ndim != 2:
        if arr.ndim == 1:
            raise ValueError(
                "Expected a 2-D array, got a 1-D array of "
                f"{arr.shape[0]} values. Reshape with X.reshape(-1, 1) for a single "
                "feature or X.reshape(1, -1) for a single sample."
            )
        raise ValueError(f"Expected a 2-D array, got an array with {arr.ndim} dimensions.")
    if arr.shape[0] == 0:
        raise ValueError("X has no rows (0 samples); K-Means needs at least one sample.")
    if arr.shape[1] == 0:
        raise ValueError("X has no columns (0 features); K-Means needs at least one feature.")
    dtype = np.float32 if (dtype_keep_float32 and arr.dtype == np.float32) else np.float64
    arr = np.ascontiguousarray(arr, dtype=dtype)
    if not np.isfinite(arr).all():
        n_nan = int(np.isnan(arr).sum())
        n_inf = int(np.isinf(arr).sum())
        parts = []
        if n_nan:
            parts.append(f"{n_nan} NaN")
        if n_inf:
            parts.append(f"{n_inf} infinite")
        raise ValueError(
            f"X contains {' and '.join(parts)} value(s); drop or impute them before clustering."
        )
    return arr


def check_sample_weight(sample_weight, n_samples: int, dtype) -> np.ndarray:
    """Validate sample weights; ``None`` means all ones.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,) or None
        Non-negative finite weights with a positive sum.
    n_samples : int
        Number of rows of X.
    dtype : numpy dtype
        dtype of X; the weights are returned with it.

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    if sample_weight is None:
        return np.ones(n_samples, dtype=dtype)
    if isinstance(sample_weight, numbers.Number):
        return np.full(n_samples, sample_weight, dtype=dtype)
    w = np.asarray(sample_weight, dtype=dtype)
    if w.ndim != 1 or w.shape[0] != n_samples:
        raise ValueError(f"sample_weight must have shape ({n_samples},), got shape {w.shape}.")
    if not np.isfinite(w).all():
        raise ValueError("sample_weight contains NaN or infinite values.")
    if (w < 0).any():
        raise ValueError("sample_weight must be non-negative.")
    if w.sum() <= 0:
        raise ValueError("sample_weight sums to zero; at least one sample needs weight.")
    return np.ascontiguousarray(w)


def check_n_clusters(n_clusters, n_samples: int) -> int:
    """Check that ``1 <= n_clusters <= n_samples`` and return it as int."""
    if isinstance(n_clusters, bool) or not isinstance(n_clusters, numbers.Integral):
        raise ValueError(f"n_clusters must be a whole number, got {n_clusters!r}.")
    if n_clusters <= 0:
        raise ValueError(f"n_clusters must be at least 1, got {n_clusters}.")
    if n_clusters > n_samples:
        raise ValueError(
            f"n_clusters={n_clusters} is larger than the number of samples "
            f"({n_samples}); choose K at most {n_samples}."
        )
    return int(n_clusters)


def check_random_state(seed) -> np.random.RandomState:
    """Turn ``None``, an int or a RandomState into a RandomState (as scikit-learn)."""
    if seed is None or seed is np.random:
        return np.random.mtrand._rand
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return np.random.RandomState(int(seed))
    if isinstance(seed, np.random.RandomState):
        return seed
    raise ValueError(f"random_state must be None, an int or a RandomState, got {seed!r}.")
