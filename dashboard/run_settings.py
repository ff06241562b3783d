"""The run settings every page shares (K, init, seed) and their limits, as plain Python.

The sidebar widgets use the key names below as their session-state keys and as the
query-parameter names of a shared link; :mod:`dashboard.streamlit_glue` reads them
from the session, everything else receives a :class:`RunSettings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Sidebar widget keys; they are also the query-parameter names of a shared link.
SEED_KEY = "seed"
K_KEY = "k"
INIT_KEY = "init"

INIT_CHOICES = ("k-means++", "random", "farthest point")
DEFAULT_K = 3
MAX_K = 50
DEFAULT_SEED = 42
# NumPy's legacy RandomState (and scikit-learn's random_state) take seeds below 2**32;
# the sidebar keeps to the signed 32-bit range so every library accepts it.
MAX_SEED = 2**31 - 1


@dataclass(frozen=True)
class RunSettings:
    """The settings every page's run shares (the sidebar's "Run settings" section)."""

    k: int
    init: str
    seed: int


def seed_from(values: Mapping[str, Any]) -> int:
    """The seed stored under :data:`SEED_KEY`, or the default when missing or not a number."""
    try:
        return int(values.get(SEED_KEY, DEFAULT_SEED))
    except (TypeError, ValueError):
        return DEFAULT_SEED


def settings_from(values: Mapping[str, Any]) -> RunSettings:
    """K, init and seed from a mapping such as the session state, with defaults.

    Parameters
    ----------
    values : mapping
        May hold :data:`K_KEY`, :data:`INIT_KEY` and :data:`SEED_KEY`; anything
        missing or malformed is replaced by its default.

    Returns
    -------
    RunSettings
    """
    init = values.get(INIT_KEY, INIT_CHOICES[0])
    if init not in INIT_CHOICES:
        init = INIT_CHOICES[0]
    try:
        k = int(values.get(K_KEY, DEFAULT_K))
    except (TypeError, ValueError):
        k = DEFAULT_K
    return RunSettings(k=max(1, k), init=init, seed=seed_from(values))
