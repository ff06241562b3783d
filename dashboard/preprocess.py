"""Missing values and feature scaling for uploaded data (NumPy in, NumPy out)."""

from __future__ import annotations

import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import MinMaxScaler, StandardScaler

MISSING_CHOICES = ("drop", "mean", "median")
SCALING_CHOICES = ("none", "standardise", "min-max")

MISSING_LABELS = {
    "drop": "Drop rows with a missing value",
    "mean": "Fill with the column mean",
    "median": "Fill with the column median",
}
SCALING_LABELS = {
    "none": "None (keep units)",
    "standardise": "Standardise (mean 0, std 1)",
    "min-max": "Min-max (0 to 1)",
}


def count_missing(X: np.ndarray) -> tuple[int, int]:
    """Number of missing (NaN) cells and of rows with at least one.

    Returns
    -------
    cells, rows : int
    """
    mask = np.isnan(X)
    return int(mask.sum()), int(mask.any(axis=1).sum())


def handle_missing(X: np.ndarray, how: str) -> tuple[np.ndarray, np.ndarray, str | None]:
    """Drop or impute NaNs.

    Parameters
    ----------
    X : ndarray of shape (n, d), float
        May contain NaN; every column must have at least one value.
    how : {"drop", "mean", "median"}

    Returns
    -------
    X_out : ndarray
        No NaN left.
    kept : ndarray of bool, shape (n,)
        Which input rows are in ``X_out`` (all True when imputing).
    note : str or None
        What was done, for ``Dataset.notes``; None when nothing was missing.
    """
    if how not in MISSING_CHOICES:
        raise ValueError(
            f"Missing values: choose one of {', '.join(MISSING_CHOICES)}, not {how!r}."
        )
    X = np.asarray(X, dtype=np.float64)
    cells, rows = count_missing(X)
    kept = np.ones(len(X), dtype=bool)
    if cells == 0:
        return X, kept, None
    if how == "drop":
        kept = ~np.isnan(X).any(axis=1)
        return (
            X[kept],
            kept,
            f"Dropped {rows:,} row(s) with missing values ({cells:,} empty cells).",
        )
    # An all-empty column has nothing to fill from: say so rather than drop it silently.
    empty = np.isnan(X).all(axis=0)
    if empty.any():
        raise ValueError("A chosen column has no values at all; leave it out.")
    X_out = SimpleImputer(strategy=how).fit_transform(X)
    return (
        X_out,
        kept,
        f"Filled {cells:,} missing value(s) in {rows:,} row(s) with the column {how}.",
    )


def scale(X: np.ndarray, how: str) -> tuple[np.ndarray, str | None]:
    """Scale features: none, standardise (z-scores) or min-max to [0, 1].

    A constant column stays constant (0 after either scaling) instead of
    becoming NaN.

    Returns
    -------
    X_out : ndarray
    note : str or None
    """
    if how not in SCALING_CHOICES:
        raise ValueError(f"Scaling: choose one of {', '.join(SCALING_CHOICES)}, not {how!r}.")
    X = np.asarray(X, dtype=np.float64)
    if how == "none":
        return X, None
    if how == "standardise":
        return StandardScaler().fit_transform(X), "Standardised each feature to mean 0, std 1."
    return MinMaxScaler().fit_transform(X), "Scaled each feature to the range 0 to 1 (min-max)."
