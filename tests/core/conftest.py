"""Shared data for the kmeans_core tests (small, so the suite stays quick)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_blobs


def blobs(n: int = 400, d: int = 2, k: int = 5, seed: int = 0, std: float = 1.5) -> np.ndarray:
    """Gaussian blobs (some overlap, so Lloyd takes several iterations)."""
    X, _ = make_blobs(n, n_features=d, centers=k, cluster_std=std, random_state=seed)
    return X


def normal(n: int = 300, d: int = 3, seed: int = 0) -> np.ndarray:
    """Unstructured standard-normal data: no clusters to find, many iterations."""
    return np.random.RandomState(seed).normal(size=(n, d))


def rows(X: np.ndarray, k: int, seed: int) -> np.ndarray:
    """k distinct rows of X, as an init array."""
    return X[np.random.RandomState(seed).choice(X.shape[0], k, replace=False)].copy()


@pytest.fixture
def X_blobs() -> np.ndarray:
    return blobs()
