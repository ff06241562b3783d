"""The validated dataset every page works on."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.datasets import make_blobs

from dashboard.run_settings import DEFAULT_SEED

__all__ = ["DEFAULT_SEED", "Dataset", "default_dataset"]


@dataclass(frozen=True, eq=False)
class Dataset:
    """A numeric dataset ready for clustering.

    Attributes
    ----------
    name : str
        Shown in the sidebar, e.g. "Blobs (3 centers)" or "my_file.csv".
    X : ndarray of shape (n_samples, n_features), float64
        Finite values only; clustering always runs on all of X.
    feature_names : list of str
    true_labels : ndarray of shape (n_samples,) or None
        Ground-truth class codes (0..C-1) where known, for scoring only.
    class_names : list of str or None
        Names of the true classes, indexed by code.
    source : {"generated", "builtin", "upload", "drawn"}
    recipe : dict or None
        How to rebuild the dataset (generator kind, its settings and seed);
        None for uploads, which cannot travel in a link.
    notes : list of str
        What was done to the data on the way in (rows dropped, scaling, ...).
    """

    name: str
    X: np.ndarray
    feature_names: list[str]
    true_labels: np.ndarray | None = None
    class_names: list[str] | None = None
    source: str = "generated"
    recipe: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    key: str = field(init=False)

    def __post_init__(self) -> None:
        # A content hash, computed once, so caches can key on a short string.
        h = hashlib.blake2b(digest_size=12)
        h.update(self.name.encode())
        h.update(str(self.X.shape).encode())
        h.update(np.ascontiguousarray(self.X).tobytes())
        if self.true_labels is not None:
            h.update(np.ascontiguousarray(self.true_labels).tobytes())
        object.__setattr__(self, "key", h.hexdigest())

    @property
    def n_samples(self) -> int:
        """Number of rows (points)."""
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        """Number of columns (features)."""
        return int(self.X.shape[1])

    @property
    def has_labels(self) -> bool:
        """Whether true class labels come with the data (for scoring)."""
        return self.true_labels is not None

    @property
    def n_classes(self) -> int | None:
        """Number of distinct true classes, or None without labels."""
        if self.true_labels is None:
            return None
        return int(np.unique(self.true_labels).size)


def default_dataset(seed: int = DEFAULT_SEED) -> Dataset:
    """Three well-separated 2-D blobs: what a page shows before any data is chosen."""
    X, y = make_blobs(n_samples=500, centers=3, n_features=2, cluster_std=1.0, random_state=seed)
    return Dataset(
        name="Blobs (3 centers)",
        X=X.astype(np.float64),
        feature_names=["x1", "x2"],
        true_labels=y,
        class_names=[f"blob {i}" for i in range(3)],
        source="generated",
        recipe={
            "kind": "blobs",
            "n_samples": 500,
            "centers": 3,
            "n_features": 2,
            "cluster_std": 1.0,
            "seed": seed,
        },
    )
