"""Synthetic datasets and built-in real data, rebuilt from a recipe.

(Foundation version: blobs only. The Data page work extends this module.)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.datasets import make_blobs

from dashboard.dataset import Dataset


def dataset_from_recipe(recipe: dict[str, Any], seed: int) -> Dataset:
    """Build the dataset a recipe describes, with ``seed`` driving any randomness.

    Parameters
    ----------
    recipe : dict
        ``{"kind": ..., **settings}`` as stored in ``Dataset.recipe``.
    seed : int

    Returns
    -------
    Dataset

    Raises
    ------
    ValueError
        If the kind is unknown or a setting is out of range.
    """
    kind = recipe.get("kind")
    if kind != "blobs":
        raise ValueError(f"Unknown dataset kind {kind!r}.")
    n, c, d = int(recipe["n_samples"]), int(recipe["centers"]), int(recipe["n_features"])
    std = float(recipe["cluster_std"])
    X, y = make_blobs(n_samples=n, centers=c, n_features=d, cluster_std=std, random_state=seed)
    return Dataset(
        name=f"Blobs ({c} centers)",
        X=X.astype(np.float64),
        feature_names=[f"x{i + 1}" for i in range(d)],
        true_labels=y,
        class_names=[f"blob {i}" for i in range(c)],
        source="generated",
        recipe={**recipe, "seed": seed},
    )
