"""Session state shared by all pages: the current dataset and the run settings.

Pages never reach into each other; they share only what this module exposes.
Every function here works in a fresh session (a deep link straight to a page).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboard.dataset import DEFAULT_SEED, Dataset, default_dataset
from dashboard.generators import dataset_from_recipe

DATASET_KEY = "dataset"
# Sidebar widget keys; they are also the query-parameter names of a shared link.
SEED_KEY = "seed"
K_KEY = "k"
INIT_KEY = "init"

INIT_CHOICES = ("k-means++", "random", "farthest point")
DEFAULT_K = 3
MAX_K = 50


@dataclass(frozen=True)
class RunSettings:
    """The settings every page's run shares (the sidebar's "Run" section)."""

    k: int
    init: str
    seed: int


def get_seed() -> int:
    """The one seed that drives data generation, initialisation and scikit-learn."""
    value = st.session_state.get(SEED_KEY, DEFAULT_SEED)
    try:
        return int(value)
    except (TypeError, ValueError):
        return DEFAULT_SEED


def run_settings() -> RunSettings:
    """K, init and seed as set in the sidebar (defaults in a fresh session)."""
    k = st.session_state.get(K_KEY, DEFAULT_K)
    init = st.session_state.get(INIT_KEY, INIT_CHOICES[0])
    if init not in INIT_CHOICES:
        init = INIT_CHOICES[0]
    try:
        k = int(k)
    except (TypeError, ValueError):
        k = DEFAULT_K
    return RunSettings(k=max(1, k), init=init, seed=get_seed())


def get_dataset() -> Dataset:
    """The current dataset; three blobs if none was chosen yet.

    A generated dataset follows the seed: if the seed changed since it was
    made, it is rebuilt from its recipe with the new seed.
    """
    seed = get_seed()
    ds: Dataset | None = st.session_state.get(DATASET_KEY)
    if ds is None:
        ds = default_dataset(seed)
        st.session_state[DATASET_KEY] = ds
    elif ds.source == "generated" and ds.recipe is not None and ds.recipe.get("seed") != seed:
        try:
            ds = dataset_from_recipe(ds.recipe, seed)
        except ValueError:
            ds = default_dataset(seed)
        st.session_state[DATASET_KEY] = ds
    return ds


def set_dataset(ds: Dataset) -> None:
    """Make ``ds`` the dataset every page works on."""
    st.session_state[DATASET_KEY] = ds
