"""Input validation with messages a dashboard can show as they are."""

from __future__ import annotations

import math
import numbers

import numpy as np


class NonNumericDataError(ValueError, TypeError):
    """X holds values that are not numbers.

    A ValueError like every other data problem (so a dashboard can catch one
    class); also a TypeError because that is what scikit-learn's estimator
    checks expect for objects that cannot be turned into numbers.
    """


def _to_numeric(arr: np.ndarray) -> np.ndarray:
    """Convert an object or string array to float64, or explain why it cannot be.

    None becomes NaN here, and is then reported as a missing value.
    """
    try:
        return arr.astype(np.float64)
    except (TypeError, ValueError) as exc:
        # pandas' missing-value markers (pd.NA, pd.NaT) are missing values, not text.
        if any(type(v).__name__ in ("NAType", "NaTType") for v in arr.flat):
            raise ValueError(
                "X contains missing values (NA); drop or impute them before clustering."
            ) from None
        raise NonNumericDataError(
            f"X contains non-numeric values ({exc}); K-Means needs numbers in every column."
        ) from None


def check_data(X, *, dtype_keep_float32: bool = True, accept_sparse: bool = False):
    """Validate a data matrix and return it as a C-contiguous float array.

    The messages keep the phrases scikit-learn's estimator checks look for
    ("Reshape your data", "Complex data not supported", ...).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data. Must be 2-D, numeric, non-empty and finite.
    dtype_keep_float32 : bool, default=True
        Keep float32 input as float32; everything else becomes float64.
    accept_sparse : bool, default=False
        Return SciPy sparse input as a validated CSR matrix (else: TypeError).

    Returns
    -------
    ndarray of shape (n_samples, n_features)
        C-contiguous float32 or float64 array (CSR matrix for accepted sparse input).

    Raises
    ------
    ValueError
        With a sentence saying what is wrong with the data.
    TypeError
        For sparse matrices.
    """
    if hasattr(X, "toarray") and not isinstance(X, np.ndarray):
        if accept_sparse:
            from kmeans_core._sparse import check_sparse_data

            return check_sparse_data(X)
        raise TypeError("Sparse input is not supported; pass a dense array (X.toarray()).")
    arr = _numeric_array(X)
    _check_2d_non_empty(arr)
    dtype = np.float32 if (dtype_keep_float32 and arr.dtype == np.float32) else np.float64
    arr = np.ascontiguousarray(arr, dtype=dtype)
    # min/max propagate NaN and inf: two passes, no temporary array.
    lo, hi = float(arr.min()), float(arr.max())
    _check_finite(arr, lo, hi)
    _check_magnitude(arr, lo, hi)
    return arr


def _numeric_array(X) -> np.ndarray:
    """X as an ndarray of real numbers (object and string arrays converted)."""
    arr = np.asarray(X)
    if arr.dtype.kind == "c":
        raise ValueError(
            "Complex data not supported: X contains complex numbers; K-Means needs real numbers."
        )
    if arr.dtype == object or arr.dtype.kind in "USV":
        arr = _to_numeric(arr)
    if arr.dtype.kind not in "biuf":
        raise NonNumericDataError(f"X has dtype {arr.dtype}, which is not numeric.")
    return arr


def _check_2d_non_empty(arr: np.ndarray) -> None:
    """Raise unless arr is 2-D with at least one row and one column."""
    if arr.ndim != 2:
        if arr.ndim == 1:
            raise ValueError(
                "Expected a 2-D array, got a 1-D array of "
                f"{arr.shape[0]} values. Reshape your data with X.reshape(-1, 1) for a "
                "single feature or X.reshape(1, -1) for a single sample."
            )
        raise ValueError(f"Expected a 2-D array, got an array with {arr.ndim} dimensions.")
    if arr.shape[0] == 0:
        raise ValueError(
            f"X has no rows: found array with 0 sample(s) (shape={arr.shape}) while a "
            "minimum of 1 is required."
        )
    if arr.shape[1] == 0:
        raise ValueError(
            f"X has no columns: found array with 0 feature(s) (shape={arr.shape}) while a "
            "minimum of 1 is required."
        )


def _check_finite(arr: np.ndarray, lo: float, hi: float) -> None:
    """Raise, counting the NaN and infinite values, unless arr's extremes are finite."""
    if np.isfinite(lo) and np.isfinite(hi):
        return
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


def _check_magnitude(arr: np.ndarray, lo: float, hi: float) -> None:
    """Raise if squared distances summed over all points could overflow arr's dtype."""
    limit = np.sqrt(np.finfo(arr.dtype).max / (4.0 * arr.shape[0] * arr.shape[1]))
    biggest = max(abs(lo), abs(hi))
    if biggest > limit:
        raise ValueError(
            f"X has values up to {biggest:.3g} in size, too large to square and sum in "
            f"{arr.dtype.name}; rescale the data (for example, standardise it)."
        )


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
    n = int(n_clusters)
    if n <= 0:
        raise ValueError(f"n_clusters must be at least 1, got {n_clusters}.")
    if n > n_samples:
        raise ValueError(
            f"n_clusters={n_clusters} is larger than the number of samples "
            f"({n_samples}); choose K at most {n_samples}."
        )
    return n


def check_random_state(seed) -> np.random.RandomState:
    """Turn ``None``, an int or a RandomState into a RandomState (as scikit-learn)."""
    if seed is None or seed is np.random:
        return np.random.mtrand._rand
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return np.random.RandomState(int(seed))
    if isinstance(seed, np.random.RandomState):
        return seed
    raise ValueError(f"random_state must be None, an int or a RandomState, got {seed!r}.")


def check_init_centers(centers, X: np.ndarray, n_clusters: int | None = None) -> np.ndarray:
    """Validate initial centers for X and return them as a C-contiguous array of X's dtype.

    Parameters
    ----------
    centers : array-like of shape (n_clusters, n_features)
    X : ndarray of shape (n_samples, n_features)
        Validated data.
    n_clusters : int, optional
        Expected number of centers (the estimator's ``n_clusters``).

    Returns
    -------
    ndarray of shape (n_clusters, n_features)
    """
    try:
        arr = np.array(centers, dtype=X.dtype, order="C", copy=True)
    except (TypeError, ValueError):
        raise ValueError("The initial centers must be an array of numbers.") from None
    if arr.ndim != 2:
        raise ValueError(
            f"The initial centers must be a 2-D array (n_clusters, {X.shape[1]}), "
            f"got an array with shape {arr.shape}."
        )
    if n_clusters is not None and arr.shape[0] != n_clusters:
        raise ValueError(
            f"The shape of the initial centers {arr.shape} does not match the number "
            f"of clusters {n_clusters}."
        )
    if arr.shape[1] != X.shape[1]:
        raise ValueError(
            f"The shape of the initial centers {arr.shape} does not match the number "
            f"of features of the data {X.shape[1]}."
        )
    if arr.shape[0] == 0:
        raise ValueError("The initial centers are empty; give at least one center.")
    if not np.isfinite(arr).all():
        raise ValueError("The initial centers contain NaN or infinite values.")
    return arr


def check_max_iter_tol(max_iter, tol) -> None:
    """Check ``max_iter`` (int >= 1) and ``tol`` (finite number >= 0)."""
    if isinstance(max_iter, bool) or not isinstance(max_iter, numbers.Integral) or max_iter < 1:
        raise ValueError(f"max_iter must be a whole number >= 1, got {max_iter!r}.")
    if (
        isinstance(tol, bool)
        or not isinstance(tol, numbers.Real)
        or not math.isfinite(tol)
        or tol < 0
    ):
        raise ValueError(f"tol must be a non-negative number, got {tol!r}.")
