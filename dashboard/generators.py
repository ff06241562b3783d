"""Synthetic datasets and built-in real data, rebuilt exactly from a recipe.

A recipe is a flat, JSON-able dict ``{"kind": ..., <settings>..., "seed": int}``
stored in ``Dataset.recipe``. Recipes also arrive from shared URLs, so
:func:`validate_recipe` checks every field (missing, wrong type, out of range)
and raises ``ValueError`` with a message fit to show users: plain text (escape it
with :func:`dashboard.safe_text.literal` for markdown) that quotes the offending
value shortened. The allowed ranges
live in :data:`LIMITS` so other modules (the share link) can reuse them.

Besides blobs, the kinds are teaching shapes: the ones K-Means gets wrong at their
defaults (:data:`FAILURE_KINDS`, each note says why and what helps), Naftali
Harris's smiley, packed circles and density bar, and :func:`drawn_dataset` for
points drawn by hand on the Animate page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.datasets import load_iris, load_wine, make_blobs, make_circles, make_moons

from dashboard.dataset import Dataset
from dashboard.encoding import scale_block
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
            "float", 6.0, "Stretch", 1.0, 10.0, help="How much the blobs are stretched.", step=0.5
        ),
    },
    "unequal_variance": {
        "n_samples": _N,
        "centers": _CENTERS2,
        "spread_ratio": Param(
            "float", 8.0, "Widest / tightest spread", 1.0, 20.0, help="Ratio of cluster spreads."
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
    "smiley": {"n_samples": _N, "noise": Param("float", 0.05, "Noise", 0.0, 0.5, step=0.01)},
    "packed_circles": {
        "n_samples": _N,
        "circles": Param("int", 7, "Circles", 2, 19, help="How many touching discs."),
    },
    "density_bar": {
        "n_samples": _N,
        "density_ratio": Param(
            "float", 8.0, "Dense / sparse", 1.0, 50.0, help="How much denser the left part is."
        ),
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
    "smiley",
    "packed_circles",
    "density_bar",
)
# The shapes whose notes promise that K-Means gets them wrong at the defaults (tested).
FAILURE_KINDS = ("moons", "circles", "anisotropic", "unequal_variance", "unequal_sizes")
BUILTIN_KINDS = ("iris", "wine")

TITLES = {
    "blobs": "Blobs",
    "moons": "Two moons",
    "circles": "Circles",
    "anisotropic": "Stretched blobs",
    "unequal_variance": "Unequal spreads",
    "unequal_sizes": "Unequal sizes",
    "uniform_noise": "Uniform noise",
    "smiley": "Smiley face",
    "packed_circles": "Packed circles",
    "density_bar": "Density bar",
    "iris": "Iris (150 flowers, 4 features)",
    "wine": "Wine (178 wines, 13 features)",
}

# One line per kind: what it shows about K-Means.
NOTES = {
    "blobs": "Round, equal-sized, well-separated groups: the case K-Means is made for.",
    "moons": "Two interleaving half-circles: K-Means cuts them with a straight line "
    "because it only knows distances to centres.",
    "circles": "A ring around a disc: no centre-based split can separate them.",
    "anisotropic": "Long, thin, parallel blobs: K-Means looks for round clusters, so it "
    "cuts across all of them into chunks of equal width. Remedy: a Gaussian mixture with "
    "full covariances, or whiten the data (undo the stretch) before K-Means.",
    "unequal_variance": "One wide cluster between tight ones: every boundary sits halfway "
    "between two centres, so the tight clusters grab the wide one's outer points. "
    "Remedy: a Gaussian mixture, which learns each cluster's spread.",
    "unequal_sizes": "One big, wide cluster beside small tight ones: splitting the big one "
    "lowers inertia more than isolating a small one, so K-Means halves the big cluster and "
    "lumps the small ones together. Remedy: a Gaussian mixture, or more clusters merged after.",
    "uniform_noise": "No clusters at all: K-Means still returns K groups, so check "
    "that structure exists before trusting them.",
    "smiley": "A face, two eyes and a mouth (K = 4): the ring of the face is not a ball, so "
    "K-Means carves it into pieces and gives them to the eyes and the mouth.",
    "packed_circles": "Touching discs of even density: K-Means finds them only when it starts "
    "well; a bad start leaves two centroids in one disc. Try several seeds and init methods.",
    "density_bar": "A bar, dense on the left and sparse on the right (K = 2): K-Means splits it "
    "by distance, not by density, so the border lands inside the dense part.",
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
    # Numeric params always carry both bounds (see LIMITS).
    assert p.lo is not None and p.hi is not None
    if not (p.lo <= v <= p.hi):
        lo, hi = (int(p.lo), int(p.hi)) if p.kind == "int" else (p.lo, p.hi)
        raise ValueError(
            f"Setting {name!r} must be between {lo:,} and {hi:,}; got {short_repr(v)}."
        )
    return v


def validate_seed(seed: Any) -> int:
    """The seed as an int in ``[0, 2**31 - 1]``, else ``ValueError``."""
    s = int(_as_number("seed", seed, integer=True))
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


Generated = tuple[np.ndarray, np.ndarray | None, list[str] | None]


def _blobs(r: dict[str, Any], seed: int) -> Generated:
    X, y = make_blobs(
        n_samples=r["n_samples"],
        centers=r["centers"],
        n_features=r["n_features"],
        cluster_std=r["cluster_std"],
        random_state=seed,
    )
    return X, y, [f"blob {i}" for i in range(r["centers"])]


def _moons(r: dict[str, Any], seed: int) -> Generated:
    X, y = make_moons(n_samples=r["n_samples"], noise=r["noise"], random_state=seed)
    return X, y, ["upper moon", "lower moon"]


def _circles(r: dict[str, Any], seed: int) -> Generated:
    X, y = make_circles(
        n_samples=r["n_samples"], noise=r["noise"], factor=r["factor"], random_state=seed
    )
    return X, y, ["outer ring", "inner disc"]


def _rotation(degrees: float) -> np.ndarray:
    a = math.radians(degrees)
    return np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])


def _anisotropic(r: dict[str, Any], seed: int) -> Generated:
    c, s = r["centers"], r["stretch"]
    # Unit blobs stacked across the direction that gets squeezed, 6 std apart: round,
    # they are well separated; stretched, they become long parallel stripes.
    centers = np.column_stack([np.zeros(c), 6.0 * np.arange(c)])
    X, y = make_blobs(n_samples=r["n_samples"], centers=centers, random_state=seed)
    # Stretch x by sqrt(s), squeeze y by the same (area preserved), tilt 40 degrees.
    X = X @ np.diag([math.sqrt(s), 1 / math.sqrt(s)]) @ _rotation(40).T
    return X, y, [f"stripe {i}" for i in range(c)]


def _unequal_variance(r: dict[str, Any], seed: int) -> Generated:
    c = r["centers"]
    stds = np.geomspace(0.5, 0.5 * r["spread_ratio"], c)
    # The widest cluster sits at the origin, the others on a ring around it, each
    # one wide spread + 3 of its own spreads away: clearly apart to the eye, but the
    # halfway boundaries fall well inside the wide cluster.
    angles = np.linspace(0, 2 * math.pi, max(c - 1, 1), endpoint=False) + math.pi / 2
    dist = stds[-1] + 3.0 * stds[:-1]
    ring = np.column_stack([np.cos(angles), np.sin(angles)])[: c - 1] * dist[:, None]
    centers = np.vstack([ring, [0.0, 0.0]])
    X, y = make_blobs(
        n_samples=r["n_samples"], centers=centers, cluster_std=stds, random_state=seed
    )
    return X, y, [f"spread {s:.2g}" for s in stds]


def _unequal_sizes(r: dict[str, Any], seed: int) -> Generated:
    c, n = r["centers"], r["n_samples"]
    weights = np.geomspace(r["size_ratio"], 1.0, c)
    # One point each, the rest shared by weight; the largest cluster absorbs rounding.
    sizes = 1 + np.floor((n - c) * weights / weights.sum()).astype(int)
    sizes[0] += n - sizes.sum()
    # The big cluster is wide (spread 2) at the origin; the small ones are tight
    # (spread 0.4) on a circle just outside it.
    angles = np.linspace(0, math.pi, max(c - 1, 1), endpoint=c - 1 <= 1) + math.pi / 4
    centers = np.vstack([[0.0, 0.0], 5.0 * np.column_stack([np.cos(angles), np.sin(angles)])])
    stds = np.r_[2.0, np.full(c - 1, 0.4)]
    X, y = make_blobs(
        n_samples=sizes.tolist(), centers=centers[:c], cluster_std=stds, random_state=seed
    )
    return X, y, [f"{int(s)} points" for s in sizes]


def _uniform_noise(r: dict[str, Any], seed: int) -> Generated:
    rng = np.random.default_rng(seed)
    return rng.uniform(0.0, 10.0, size=(r["n_samples"], r["n_features"])), None, None


def _smiley(r: dict[str, Any], seed: int) -> Generated:
    """Face ring, two eyes and a mouth arc (Naftali Harris's "smiley face")."""
    rng = np.random.default_rng(seed)
    n = r["n_samples"]
    # Shares of the points: face 50 %, each eye 12.5 %, mouth 25 %.
    sizes = np.floor(n * np.array([0.5, 0.125, 0.125, 0.25])).astype(int)
    sizes[0] += n - sizes.sum()
    face_t = rng.uniform(0, 2 * math.pi, sizes[0])
    face = 4.0 * np.column_stack([np.cos(face_t), np.sin(face_t)])
    eyes = [
        rng.normal(0, 0.35, (m, 2)) + [sx, 1.3]
        for m, sx in zip(sizes[1:3], (-1.4, 1.4), strict=True)
    ]
    mouth_t = rng.uniform(math.radians(200), math.radians(340), sizes[3])
    mouth = 2.3 * np.column_stack([np.cos(mouth_t), np.sin(mouth_t)]) + [0, 0.2]
    X = np.vstack([face, *eyes, mouth])
    X = X + rng.normal(0, 4.0 * r["noise"], X.shape)
    y = np.repeat(np.arange(4), sizes)
    return X, y, ["face", "left eye", "right eye", "mouth"]


def hex_centres(m: int) -> np.ndarray:
    """Centres of ``m`` unit discs packed on a hexagonal grid, nearest the origin first."""
    rings = 1
    while 1 + 3 * rings * (rings + 1) < m:
        rings += 1
    grid = [
        (2 * q + r_, math.sqrt(3) * r_)
        for q in range(-rings, rings + 1)
        for r_ in range(-rings, rings + 1)
        if abs(q + r_) <= rings
    ]
    pts = np.array(grid, dtype=float)
    order = np.lexsort((np.arctan2(pts[:, 1], pts[:, 0]), np.round(np.hypot(*pts.T), 6)))
    return pts[order[:m]]


def _packed_circles(r: dict[str, Any], seed: int) -> Generated:
    """Uniform points in touching unit discs (Harris's "packed circles")."""
    rng = np.random.default_rng(seed)
    m, n = r["circles"], r["n_samples"]
    y = np.sort(rng.integers(0, m, n))
    # Uniform in a disc: radius sqrt(u) so the density is even; a small gap between discs.
    radius = 0.95 * np.sqrt(rng.uniform(0, 1, n))
    theta = rng.uniform(0, 2 * math.pi, n)
    X = hex_centres(m)[y] + radius[:, None] * np.column_stack([np.cos(theta), np.sin(theta)])
    return X, y, [f"disc {i + 1}" for i in range(m)]


def _density_bar(r: dict[str, Any], seed: int) -> Generated:
    """A 10 x 1 bar: the left half ``density_ratio`` times denser than the right."""
    rng = np.random.default_rng(seed)
    n, ratio = r["n_samples"], r["density_ratio"]
    n_dense = max(1, min(n - 1, round(n * ratio / (ratio + 1))))
    y = np.r_[np.zeros(n_dense, int), np.ones(n - n_dense, int)]
    x = np.where(y == 0, rng.uniform(0, 5, n), rng.uniform(5, 10, n))
    X = np.column_stack([x, rng.uniform(0, 1, n)])
    return X, y, ["dense half", "sparse half"]


_GENERATORS = {
    "blobs": _blobs,
    "moons": _moons,
    "circles": _circles,
    "anisotropic": _anisotropic,
    "unequal_variance": _unequal_variance,
    "unequal_sizes": _unequal_sizes,
    "uniform_noise": _uniform_noise,
    "smiley": _smiley,
    "packed_circles": _packed_circles,
    "density_bar": _density_bar,
}


def _generate(r: dict[str, Any], seed: int) -> Generated:
    """X, true labels and class names for a generated kind."""
    return _GENERATORS[r["kind"]](r, seed)


def _name(r: dict[str, Any]) -> str:
    kind = r["kind"]
    if kind in ("blobs", "anisotropic", "unequal_variance", "unequal_sizes"):
        return f"{TITLES[kind]} ({r['centers']} centers)"
    if kind == "uniform_noise":
        return f"Uniform noise ({r['n_features']}-D)"
    return TITLES[kind]


def _builtin_dataset(r: dict[str, Any], seed: int) -> Dataset:
    """Iris or wine, scaled as the recipe says."""
    kind = r["kind"]
    bunch = load_iris() if kind == "iris" else load_wine()
    X, _ = scale_block(np.asarray(bunch.data, dtype=np.float64), r["scaling"])
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
        return _builtin_dataset(r, seed)
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


# Points a presenter can draw by hand; enough for any demo, small enough for a link-less session.
MAX_DRAWN_POINTS = 5000


def drawn_dataset(points: Any) -> Dataset:
    """A dataset of points drawn by hand on the Animate page ("draw your own").

    Parameters
    ----------
    points : sequence of (x, y)
        Chart coordinates of the drawn points, in drawing order.

    Returns
    -------
    Dataset
        Two features ``x1``, ``x2``; no true labels and no recipe (a drawing
        cannot travel in a link).

    Raises
    ------
    ValueError
        If the points are not a list of finite (x, y) pairs, fewer than 2, or more
        than :data:`MAX_DRAWN_POINTS`.
    """
    try:
        X = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("Drawn points must be a list of (x, y) pairs.") from None
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError("Drawn points must be a list of (x, y) pairs.")
    if not np.isfinite(X).all():
        raise ValueError("Drawn points must have finite coordinates.")
    if not 2 <= len(X) <= MAX_DRAWN_POINTS:
        raise ValueError(f"Draw between 2 and {MAX_DRAWN_POINTS:,} points; got {len(X):,}.")
    return Dataset(
        name=f"Drawn by hand ({len(X):,} points)",
        X=np.ascontiguousarray(X),
        feature_names=["x1", "x2"],
        source="drawn",
        notes=["Points drawn by hand on the Animate page."],
    )
