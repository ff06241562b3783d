"""Synthetic datasets and built-in real data, rebuilt exactly from a recipe.

A recipe is a flat, JSON-able dict ``{"kind": ..., <settings>..., "seed": int}``
stored in ``Dataset.recipe``. Recipes also arrive from shared URLs, so
:func:`validate_recipe` checks every field (missing, wrong type, out of range)
and raises ``ValueError`` with a message fit to show users: plain text (escape it
with :func:`dashboard.safe_text.literal` for markdown) that quotes the offending
value shortened. The allowed ranges
live in :data:`LIMITS` so other modules (the share link) can reuse them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.datasets import load_iris, load_wine, make_blobs, make_circles, make_moons

from dashboard.dataset import Dataset
from dashboard.preprocess import scale
from dashboard.run_settings import MAX_SEED
from dashboard.safe_text import short_repr

# Large enough to show the "plot a sample" path; make_blobs builds 1M x 2 in well under 1 s.
MAX_SAMPLES = 1_000_000
# Rows x features cap: 10M float64 cells = 80 MB, so a shared link cannot exhaust memory.
MAX_CELLS = 10_000_000
SCALINGS = ("none", "standardise", "min-max")


@dataclass(frozen=True)
class Param:
    """One recipe setting: its type, allowed range, default and widget label.

    ``kind`` is "int", "float" or "choice"; ``lo``/``hi`` bound numbers
    (inclusive); ``choices`` lists the allowed strings of a "choice".
    """

    kind: str
    default: Any
    label: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    step: float | None = None


_N = Param("int", 500, "Samples", 10, MAX_SAMPLES, help="Number of points.", step=100)
_CENTERS = Param("int", 3, "Clusters", 1, 20, help="How many groups are generated.")
_CENTERS2 = Param("int", 3, "Clusters", 2, 10, help="How many groups are generated.")
_NOISE = Param("float", 0.08, "Noise", 0.0, 1.0, help="Gaussian noise added to each point.")

# kind -> setting name -> Param. "seed" is common to all kinds and not listed here.
LIMITS: dict[str, dict[str, Param]] = {
    "blobs": {
        "n_samples": _N,
        "centers": _CENTERS,
        "n_features": Param("int", 2, "Features", 1, 50, help="Dimensions of each point."),
        "cluster_std": Param(
            "float", 1.0, "Cluster spread", 0.05, 10.0, help="Standard deviation.", step=0.1
        ),
    },
    "moons": {"n_samples": _N, "noise": _NOISE},
    "circles": {
        "n_samples": _N,
        "noise": Param("float", 0.05, "Noise", 0.0, 1.0, help="Gaussian noise per point."),
        "factor": Param(
            "float", 0.5, "Inner / outer radius", 0.05, 0.95, help="Size of the inner circle."
        ),
    },
    "anisotropic": {
        "n_samples": _N,
        "centers": _CENTERS,
        "stretch": Param(
            "float", 3.0, "Stretch", 1.0, 10.0, help="How much the blobs are stretched.", step=0.5
        ),
    },
    "unequal_variance": {
        "n_samples": _N,
        "centers": _CENTERS2,
        "spread_ratio": Param(
            "float", 5.0, "Widest / tightest spread", 1.0, 20.0, help="Ratio of cluster spreads."
        ),
    },
    "unequal_sizes": {
        "n_samples": _N,
        "centers": _CENTERS2,
        "size_ratio": Param(
            "float", 20.0, "Largest / smallest size", 1.0, 100.0, help="Ratio of cluster sizes."
        ),
    },
    "uniform_noise": {
        "n_samples": _N,
        "n_features": Param("int", 2, "Features", 1, 50, help="Dimensions of each point."),
    },
    "iris": {
        "scaling": Param("choice", "none", "Scaling", choices=SCALINGS, help="Rescale features.")
    },
    "wine": {
        "scaling": Param(
            "choice",
            "standardise",
            "Scaling",
            choices=SCALINGS,
            help="Wine's features have very different units; standardise them.",
        )
    },
}

GENERATED_KINDS = (
    "blobs",
    "moons",
    "circles",
    "anisotropic",
    "unequal_variance",
    "unequal_sizes",
    "uniform_noise",
)
BUILTIN_KINDS = ("iris", "wine")

TITLES = {
    "blobs": "Blobs",
    "moons": "Two moons",
    "circles": "Circles",
    "anisotropic": "Stretched blobs",
    "unequal_variance": "Unequal spreads",
    "unequal_sizes": "Unequal sizes",
    "uniform_noise": "Uniform noise",
    "iris": "Iris (150 flowers, 4 features)",
    "wine": "Wine (178 wines, 13 features)",
}

# One line per kind: what it shows about K-Means.
NOTES = {
    "blobs": "Round, equal-sized, well-separated groups: the case K-Means is made for.",
    "moons": "Two interleaving half-circles: K-Means cuts them with a straight line "
    "because it only knows distances to centres.",
    "circles": "A ring around a disc: no centre-based split can separate them.",
    "anisotropic": "Stretched, tilted blobs: K-Means assumes round clusters and cuts across them.",
    "unequal_variance": "One tight and one wide cluster: the boundary sits halfway between "
    "centres, so the wide cluster loses its outer points.",
    "unequal_sizes": "A big and a small cluster: K-Means tends to split the big one "
    "rather than isolate the small one.",
    "uniform_noise": "No clusters at all: K-Means still returns K groups, so check "
    "that structure exists before trusting them.",
    "iris": "Fisher's iris flowers: three species, two of which overlap.",
    "wine": "Chemical analysis of three wine cultivars; scale matters a lot here.",
}


def default_recipe(kind: str, seed: int = 42) -> dict[str, Any]:
    """The recipe with every setting at its default for ``kind``."""
    if kind not in LIMITS:
        raise ValueError(
            f"Unknown dataset kind {short_repr(kind)}; choose one of {', '.join(LIMITS)}."
        )
    return {"kind": kind, **{k: p.default for k, p in LIMITS[kind].items()}, "seed": seed}


def _as_number(name: str, value: Any, integer: bool) -> float | int:
    """Coerce a recipe value to int/float; numeric strings are allowed (URLs carry strings)."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"Setting {name!r} must be a number, not {short_repr(value)}.")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise ValueError(
                f"Setting {name!r} must be a number, not {short_repr(value)}."
            ) from None
    if not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"Setting {name!r} must be a number, not {type(value).__name__}.")
    if not math.isfinite(float(value)):
        raise ValueError(f"Setting {name!r} must be a finite number, not {short_repr(value)}.")
    if integer:
        if float(value) != int(value):
            raise ValueError(f"Setting {name!r} must be a whole number, not {short_repr(value)}.")
        return int(value)
    return float(value)


def _check(name: str, p: Param, value: Any) -> Any:
    if p.kind == "choice":
        if not isinstance(value, str) or value not in p.choices:
            raise ValueError(
                f"Setting {name!r} must be one of {', '.join(p.choices)}; got {short_repr(value)}."
            )
        return value
    v = _as_number(name, value, p.kind == "int")
    if not (p.lo <= v <= p.hi):
        lo, hi = (int(p.lo), int(p.hi)) if p.kind == "int" else (p.lo, p.hi)
        raise ValueError(
            f"Setting {name!r} must be between {lo:,} and {hi:,}; got {short_repr(v)}."
        )
    return v


def validate_seed(seed: Any) -> int:
    """The seed as an int in ``[0, 2**31 - 1]``, else ``ValueError``."""
    s = _as_number("seed", seed, integer=True)
    if not 0 <= s <= MAX_SEED:
        raise ValueError(f"Setting 'seed' must be between 0 and {MAX_SEED:,}; got {short_repr(s)}.")
    return s


def validate_recipe(recipe: Any) -> dict[str, Any]:
    """Check a recipe and return it normalised (plain int/float/str values).

    Parameters
    ----------
    recipe : dict
        ``{"kind": ..., **settings}``, optionally with ``"seed"``.

    Returns
    -------
    dict
        The recipe with every setting converted to its type (no ``"seed"``).

    Raises
    ------
    ValueError
        If ``recipe`` is not a dict, its kind is unknown, or a setting is
        missing, unknown, of the wrong type or out of range.
    """
    if not isinstance(recipe, dict):
        raise ValueError(f"A dataset recipe must be a dict, not {type(recipe).__name__}.")
    kind = recipe.get("kind")
    if not isinstance(kind, str) or kind not in LIMITS:
        raise ValueError(
            f"Unknown dataset kind {short_repr(kind)}; choose one of {', '.join(LIMITS)}."
        )
    params = LIMITS[kind]
    unknown = sorted(set(recipe) - set(params) - {"kind", "seed"}, key=str)
    if unknown:
        raise ValueError(
            f"Unknown setting(s) {', '.join(map(short_repr, unknown[:5]))}"
            f"{' …' if len(unknown) > 5 else ''} for {short_repr(kind)}; "
            f"allowed: {', '.join(params) or 'none'}."
        )
    missing = [k for k in params if k not in recipe]
    if missing:
        raise ValueError(f"Missing setting(s) for {short_repr(kind)}: {', '.join(missing)}.")
    out: dict[str, Any] = {"kind": kind}
    for name, p in params.items():
        out[name] = _check(name, p, recipe[name])
    if "seed" in recipe:
        validate_seed(recipe["seed"])
    if "centers" in out and "n_samples" in out and out["n_samples"] < out["centers"]:
        raise ValueError(
            f"{out['n_samples']} samples cannot make {out['centers']} clusters; "
            "use more samples or fewer clusters."
        )
    cells = out.get("n_samples", 0) * out.get("n_features", 2)
    if cells > MAX_CELLS:
        raise ValueError(
            f"{out['n_samples']:,} samples x {out.get('n_features', 2)} features is more than "
            f"the {MAX_CELLS:,} values this app generates; use fewer samples or features."
        )
    return out


def _generate(r: dict[str, Any], seed: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """X, true labels and class names for a generated kind."""
    kind, n = r["kind"], r["n_samples"]
    if kind == "blobs":
        X, y = make_blobs(
            n_samples=n,
            centers=r["centers"],
            n_features=r["n_features"],
            cluster_std=r["cluster_std"],
            random_state=seed,
        )
        return X, y, [f"blob {i}" for i in range(r["centers"])]
    if kind == "moons":
        X, y = make_moons(n_samples=n, noise=r["noise"], random_state=seed)
        return X, y, ["upper moon", "lower moon"]
    if kind == "circles":
        X, y = make_circles(n_samples=n, noise=r["noise"], factor=r["factor"], random_state=seed)
        return X, y, ["outer ring", "inner disc"]
    if kind == "anisotropic":
        X, y = make_blobs(n_samples=n, centers=r["centers"], n_features=2, random_state=seed)
        # Stretch along x by `stretch`, squeeze y, then tilt 40 degrees (area preserved).
        s = r["stretch"]
        a = math.radians(40)
        rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        X = X @ np.diag([math.sqrt(s), 1 / math.sqrt(s)]) @ rot.T
        return X, y, [f"blob {i}" for i in range(r["centers"])]
    if kind == "unequal_variance":
        c = r["centers"]
        stds = np.geomspace(0.5, 0.5 * r["spread_ratio"], c)
        X, y = make_blobs(n_samples=n, centers=c, cluster_std=stds, random_state=seed)
        return X, y, [f"spread {s:.2g}" for s in stds]
    if kind == "unequal_sizes":
        c = r["centers"]
        weights = np.geomspace(r["size_ratio"], 1.0, c)
        # One point each, the rest shared by weight; the largest cluster absorbs rounding.
        sizes = 1 + np.floor((n - c) * weights / weights.sum()).astype(int)
        sizes[0] += n - sizes.sum()
        X, y = make_blobs(n_samples=sizes.tolist(), n_features=2, random_state=seed)
        return X, y, [f"{int(s)} points" for s in sizes]
    if kind == "uniform_noise":
        rng = np.random.default_rng(seed)
        X = rng.uniform(0.0, 10.0, size=(n, r["n_features"]))
        return X, None, None
    raise ValueError(
        f"Unknown dataset kind {short_repr(kind)}."
    )  # pragma: no cover - validated before


def _name(r: dict[str, Any]) -> str:
    kind = r["kind"]
    if kind in ("blobs", "anisotropic", "unequal_variance", "unequal_sizes"):
        return f"{TITLES[kind]} ({r['centers']} centers)"
    if kind == "uniform_noise":
        return f"Uniform noise ({r['n_features']}-D)"
    return TITLES[kind]


def dataset_from_recipe(recipe: dict[str, Any], seed: int) -> Dataset:
    """Build the dataset a recipe describes, with ``seed`` driving any randomness.

    Parameters
    ----------
    recipe : dict
        ``{"kind": ..., **settings}`` as stored in ``Dataset.recipe``; its own
        ``"seed"`` (if any) is checked but ``seed`` is the one used.
    seed : int
        In ``[0, 2**31 - 1]``.

    Returns
    -------
    Dataset
        Same recipe and seed give exactly the same data. ``recipe`` of the
        result is the normalised recipe with ``"seed": seed``.

    Raises
    ------
    ValueError
        If the kind is unknown or a setting is missing, of the wrong type or
        out of range (see :data:`LIMITS`).
    """
    r = validate_recipe(recipe)
    seed = validate_seed(seed)
    kind = r["kind"]
    if kind in BUILTIN_KINDS:
        bunch = load_iris() if kind == "iris" else load_wine()
        X, _ = scale(np.asarray(bunch.data, dtype=np.float64), r["scaling"])
        notes = [NOTES[kind]]
        if r["scaling"] != "none":
            notes.append(f"Features scaled: {r['scaling']}.")
        return Dataset(
            name=TITLES[kind].split(" (")[0] + ("" if r["scaling"] == "none" else " (scaled)"),
            X=np.ascontiguousarray(X, dtype=np.float64),
            feature_names=[str(f) for f in bunch.feature_names],
            true_labels=np.asarray(bunch.target, dtype=np.int64),
            # sklearn calls wine's classes class_0..2; they are three grape cultivars.
            class_names=(
                [str(c) for c in bunch.target_names]
                if kind == "iris"
                else [f"cultivar {i + 1}" for i in range(len(bunch.target_names))]
            ),
            source="builtin",
            recipe={**r, "seed": seed},
            notes=notes,
        )
    X, y, class_names = _generate(r, seed)
    d = X.shape[1]
    return Dataset(
        name=_name(r),
        X=np.ascontiguousarray(X, dtype=np.float64),
        feature_names=[f"x{i + 1}" for i in range(d)],
        true_labels=None if y is None else np.asarray(y, dtype=np.int64),
        class_names=class_names,
        source="generated",
        recipe={**r, "seed": seed},
        notes=[NOTES[kind]],
    )
