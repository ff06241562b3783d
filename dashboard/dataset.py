"""The validated dataset every page works on."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.datasets import make_blobs

from dashboard.encoding import FittedEncoding
from dashboard.run_settings import DEFAULT_SEED
from dashboard.safe_text import literal

__all__ = ["DEFAULT_SEED", "Dataset", "UploadOrigin", "default_dataset"]


@dataclass(frozen=True, eq=False)
class UploadOrigin:
    """Where an uploaded dataset came from and what was done to it.

    Attributes
    ----------
    recipe : dict
        JSON-able: source file (name, SHA-256, rows), feature columns with their
        encoding and missing-value choice, label, scaling, columns left out and why.
        :func:`dashboard.upload_recipe.build_dataset` rebuilds the dataset from it.
    frame : DataFrame
        Every column of the uploaded file, one row per data row, in file order.
    integer_columns : tuple of str
        Numeric columns the file wrote as whole numbers.
    row_reasons : ndarray of object, shape (n_file_rows,)
        ``""`` for a row that is clustered, else why it was left out.
    encoding : FittedEncoding
        Maps centers back to the file's units.
    warnings : tuple of str
        What the user should look at (e.g. one column carrying most of the variance).
    """

    recipe: dict[str, Any]
    frame: pd.DataFrame
    integer_columns: tuple[str, ...]
    row_reasons: np.ndarray
    encoding: FittedEncoding
    warnings: tuple[str, ...] = ()

    @property
    def kept(self) -> np.ndarray:
        """Which file rows are in ``Dataset.X`` (bool, one per file row)."""
        return self.row_reasons == ""


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
    origin : UploadOrigin or None
        For uploads: the file's table, the upload recipe and the fitted encoding.
    """

    name: str
    X: np.ndarray
    feature_names: list[str]
    true_labels: np.ndarray | None = None
    class_names: list[str] | None = None
    source: str = "generated"
    recipe: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    origin: UploadOrigin | None = None
    key: str = field(init=False)

    def __post_init__(self) -> None:
        # A content hash, computed once, so caches can key on a short string.
        h = hashlib.blake2b(digest_size=12)
        h.update(self.name.encode())
        h.update(str(self.X.shape).encode())
        h.update(np.ascontiguousarray(self.X).tobytes())
        if self.true_labels is not None:
            h.update(np.ascontiguousarray(self.true_labels).tobytes())
        if self.origin is not None:
            # Two recipes can give the same matrix (e.g. other columns left out).
            h.update(json.dumps(self.origin.recipe, sort_keys=True, default=str).encode())
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

    @property
    def markdown_name(self) -> str:
        """The name for markdown: an uploaded file's name escaped, the app's own names as is.

        A file name is the visitor's text (``$x$.csv``, ``[a](http://…).csv``) and must
        not be read as markdown; generated and built-in names are the app's own.
        """
        return self.name if self.source in ("generated", "builtin") else literal(self.name)


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
