"""What works instead of K-Means: eight other clusterers beside kmeans_core, scored alike.

For the current dataset this module suggests parameters by stated rules (K from
the true classes, DBSCAN's eps from the knee of the k-distance curve, ...), fits
kmeans_core and eight scikit-learn clusterers with the same seed, and scores each
(ARI against the true labels where they exist, silhouette, fit time). Methods
whose cost grows with the square of the rows run on a seeded sample of the
rows; the cheaper ones on every row (or a larger sample). Plain Python: the page
calls it through :func:`dashboard.streamlit_glue.cached_alternatives`.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from kneed import KneeLocator
from sklearn.cluster import (
    DBSCAN,
    HDBSCAN,
    AgglomerativeClustering,
    BisectingKMeans,
    MiniBatchKMeans,
    SpectralClustering,
)
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

from dashboard import budget
from dashboard.formatting import format_seconds
from kmeans_core import KMeans, interrupt

# Rows the costly methods (spectral, agglomerative, DBSCAN, HDBSCAN) cluster at most.
DEFAULT_SAMPLE = 2000
SAMPLE_CHOICES = (500, 1000, 2000, 3000, 5000)
# A Gaussian mixture costs O(n·K·d²) per EM step: beyond this many rows it fits a sample.
MIXTURE_MAX_ROWS = 200_000
# Silhouette is O(n²): it is computed on at most this many of the sampled rows.
SILHOUETTE_ROWS = 2000
MAX_K = 50
MAX_NEIGHBORS = 100
# Fewer, larger steps: on 1M rows 4× scikit-learn's default batch ran 6× faster here.
MINIBATCH_SIZE = 4096

KMEANS_CORE = "kmeans_core"
GMM = "Gaussian mixture"
DBSCAN_NAME = "DBSCAN"
HDBSCAN_NAME = "HDBSCAN"
WARD = "Agglomerative (ward)"
SINGLE = "Agglomerative (single)"
SPECTRAL = "Spectral"
MINIBATCH = "MiniBatchKMeans"
BISECTING = "BisectingKMeans"

# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class AlternativeParams:
    """The settings every method is fitted with.

    Attributes
    ----------
    k : int
        Clusters asked of the methods that take a number of clusters.
    seed : int
        ``random_state`` of every randomised method, and the seed of the row sample.
    eps : float
        DBSCAN's neighbourhood radius.
    min_samples : int
        DBSCAN's points per dense neighbourhood (the point itself included).
    min_cluster_size : int
        HDBSCAN's smallest cluster.
    n_neighbors : int
        Neighbours per point in spectral clustering's k-nearest-neighbour graph.
    sample_size : int
        Rows the costly methods cluster at most.

    Raises
    ------
    ValueError
        When a setting is out of range, naming each one and its range.
    """

    k: int
    seed: int
    eps: float
    min_samples: int
    min_cluster_size: int
    n_neighbors: int
    sample_size: int = DEFAULT_SAMPLE

    def __post_init__(self) -> None:
        problems = [msg for bad, msg in self._rules() if bad]
        if problems:
            raise ValueError(" ".join(problems))

    def _rules(self) -> list[tuple[bool, str]]:
        return [
            (not 1 <= self.k <= MAX_K, f"K must be between 1 and {MAX_K}, not {self.k}."),
            (not self.eps > 0, f"eps must be more than 0, not {self.eps}."),
            (self.min_samples < 1, f"min_samples must be at least 1, not {self.min_samples}."),
            (
                self.min_cluster_size < 2,
                f"min_cluster_size must be at least 2, not {self.min_cluster_size}.",
            ),
            (
                not 2 <= self.n_neighbors <= MAX_NEIGHBORS,
                f"n_neighbors must be between 2 and {MAX_NEIGHBORS}, not {self.n_neighbors}.",
            ),
            (
                self.sample_size < 10,
                f"The sample must have at least 10 rows, not {self.sample_size}.",
            ),
        ]


@dataclass(frozen=True)
class Rule:
    """One suggested parameter, its value and the rule that gave it (shown on the page)."""

    parameter: str
    value: str
    rule: str


@dataclass(frozen=True)
class KDistance:
    """The sorted distance of each point to its ``min_samples``-th neighbour (itself first).

    Attributes
    ----------
    distances : ndarray of shape (m,)
        Sorted ascending, on the rows DBSCAN clusters.
    min_samples : int
    knee : int or None
        Index of the knee found by kneed, None when the curve has none.
    eps : float
        The distance at the knee, or the 90th percentile without one.
    """

    distances: np.ndarray
    min_samples: int
    knee: int | None
    eps: float


@dataclass(frozen=True)
class Suggestion:
    """Suggested parameters, the rule behind each, and the k-distance curve behind eps."""

    params: AlternativeParams
    rules: list[Rule]
    k_distance: KDistance


def sample_rows(n_rows: int, size: int, seed: int) -> np.ndarray:
    """Sorted indices of ``min(size, n_rows)`` rows drawn by ``seed``.

    Samples of one seed are nested: the first ``m`` rows of a seeded permutation,
    so the smaller sample (the costly methods') lies inside the larger (the mixture's)
    and every method has labels for the points drawn.
    """
    if size >= n_rows:
        return np.arange(n_rows)
    perm = np.random.default_rng(seed).permutation(n_rows)
    return np.sort(perm[:size])


def dbscan_min_samples(n_features: int) -> int:
    """Twice the dimension, at least 4 (Ester et al. 1996; Schubert et al. 2017)."""
    return max(4, 2 * n_features)


def hdbscan_min_cluster_size(n_rows: int) -> int:
    """2 % of the rows clustered, at least 5: smaller groups are called noise."""
    return max(5, round(0.02 * n_rows))


def spectral_neighbors(n_rows: int) -> int:
    """10 neighbours (scikit-learn's default for a k-NN affinity), fewer on tiny data."""
    return max(2, min(10, n_rows - 1))


def k_distance(X: np.ndarray, min_samples: int) -> KDistance:
    """The k-distance curve of ``X`` and eps at its knee (kneed), for DBSCAN.

    Parameters
    ----------
    X : ndarray of shape (m, d)
        The rows DBSCAN will cluster.
    min_samples : int
        DBSCAN's min_samples; scikit-learn counts the point itself, so its
        ``min_samples``-th neighbour (self included) is the one measured.

    Returns
    -------
    KDistance
    """
    m = len(X)
    n_neighbors = max(1, min(min_samples, m))
    dist = NearestNeighbors(n_neighbors=n_neighbors).fit(X).kneighbors(X)[0][:, -1]
    dist = np.sort(dist)
    knee = None
    if m >= 3 and dist[-1] > dist[0]:
        locator = KneeLocator(np.arange(m), dist, curve="convex", direction="increasing")
        knee = None if locator.knee is None else int(locator.knee)
    eps = float(dist[knee]) if knee is not None else float(np.quantile(dist, 0.9))
    # A zero eps (duplicate points) is no radius at all: fall back to the largest distance.
    eps = eps if eps > 0 else float(dist[-1]) or 1.0
    return KDistance(distances=dist, min_samples=min_samples, knee=knee, eps=eps)


def suggest(
    X: np.ndarray,
    *,
    n_classes: int | None,
    fallback_k: int,
    seed: int,
    sample_size: int = DEFAULT_SAMPLE,
) -> Suggestion:
    """Parameters for every method from rules a reader can check (see :class:`Rule`).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_classes : int or None
        Number of true classes, when the data has labels.
    fallback_k : int
        K when there are no labels (the sidebar's K).
    seed : int
    sample_size : int
        Rows the costly methods cluster; the k-distance curve is measured on them.

    Returns
    -------
    Suggestion
    """
    rows = sample_rows(len(X), sample_size, seed)
    m, d = len(rows), X.shape[1]
    k = int(n_classes) if n_classes else int(fallback_k)
    k = max(1, min(k, m, MAX_K))
    min_samples = dbscan_min_samples(d)
    curve = k_distance(X[rows], min_samples)
    params = AlternativeParams(
        k=k,
        seed=seed,
        eps=curve.eps,
        min_samples=min_samples,
        min_cluster_size=hdbscan_min_cluster_size(m),
        n_neighbors=spectral_neighbors(m),
        sample_size=sample_size,
    )
    return Suggestion(params, _rules_for(params, n_classes, curve, m), curve)


def _rules_for(
    params: AlternativeParams, n_classes: int | None, curve: KDistance, m: int
) -> list[Rule]:
    """The words behind each suggested value."""
    k_rule = (
        f"the number of true classes ({n_classes})"
        if n_classes
        else "the sidebar's K (the data has no true labels)"
    )
    knee = (
        f"the knee (kneed) of the sorted distances to each point's {curve.min_samples}th "
        "neighbour (itself included)"
        if curve.knee is not None
        else "the 90th percentile of the k-distances (the curve has no knee)"
    )
    return [
        Rule("K (n_clusters, n_components)", str(params.k), k_rule),
        Rule("DBSCAN eps", f"{params.eps:.3g}", knee),
        Rule("DBSCAN min_samples", str(params.min_samples), "twice the features, at least 4"),
        Rule(
            "HDBSCAN min_cluster_size",
            str(params.min_cluster_size),
            f"2% of the {m:,} rows it clusters, at least 5",
        ),
        Rule(
            "Spectral n_neighbors",
            str(params.n_neighbors),
            "scikit-learn's default k-NN graph size (10); the RBF default depends on scale",
        ),
        Rule(
            "MiniBatchKMeans batch_size",
            f"{MINIBATCH_SIZE:,}",
            "fewer, larger steps than the default 1,024 (faster on big data)",
        ),
        Rule("random_state", str(params.seed), "the sidebar's seed, for every method"),
    ]


# --------------------------------------------------------------------------- methods


@dataclass(frozen=True)
class Method:
    """One clusterer: how to build it and on how many rows it runs.

    Attributes
    ----------
    name : str
    build : callable
        ``(params, k) -> estimator`` (K already clamped to the rows clustered).
    max_rows : int or None
        None for every row; otherwise a seeded sample of at most this many rows
        (the sample size from the parameters when ``costly``).
    costly : bool
        Quadratic in the rows (or worse): runs on ``params.sample_size`` rows.
    idea : str
        What the method assumes a cluster is, in one line.
    """

    name: str
    build: Callable[[AlternativeParams, int], Any]
    idea: str
    max_rows: int | None = None
    costly: bool = False

    def rows_for(self, n_rows: int, params: AlternativeParams) -> int:
        """How many rows this method clusters out of ``n_rows``."""
        cap = params.sample_size if self.costly else self.max_rows
        return n_rows if cap is None else min(n_rows, cap)


METHODS: tuple[Method, ...] = (
    Method(
        KMEANS_CORE,
        lambda p, k: KMeans(n_clusters=k, n_init=1, random_state=p.seed),
        "Round clusters of similar size around K centres (ours, from scratch).",
    ),
    Method(
        GMM,
        lambda p, k: GaussianMixture(n_components=k, covariance_type="full", random_state=p.seed),
        "K Gaussian ellipses, each with its own shape, tilt and weight.",
        max_rows=MIXTURE_MAX_ROWS,
    ),
    Method(
        DBSCAN_NAME,
        lambda p, k: DBSCAN(eps=p.eps, min_samples=p.min_samples),
        "Dense regions joined through neighbours within eps; the rest is noise.",
        costly=True,
    ),
    Method(
        HDBSCAN_NAME,
        lambda p, k: HDBSCAN(min_cluster_size=p.min_cluster_size, copy=True),
        "DBSCAN over every eps at once: clusters of different densities; noise.",
        costly=True,
    ),
    Method(
        WARD,
        lambda p, k: AgglomerativeClustering(n_clusters=k, linkage="ward"),
        "Merge the pair of groups that adds least variance: K-Means' shapes, no centres.",
        costly=True,
    ),
    Method(
        SINGLE,
        lambda p, k: AgglomerativeClustering(n_clusters=k, linkage="single"),
        "Merge the two groups with the closest pair of points: follows chains.",
        costly=True,
    ),
    Method(
        SPECTRAL,
        lambda p, k: SpectralClustering(
            n_clusters=k,
            affinity="nearest_neighbors",
            n_neighbors=p.n_neighbors,
            random_state=p.seed,
        ),
        "Cut a nearest-neighbour graph where it is thinnest: connected shapes.",
        costly=True,
    ),
    Method(
        MINIBATCH,
        lambda p, k: MiniBatchKMeans(
            n_clusters=k, n_init=1, batch_size=MINIBATCH_SIZE, random_state=p.seed
        ),
        "K-Means on small random batches: faster on big data, a little rougher.",
    ),
    Method(
        BISECTING,
        lambda p, k: BisectingKMeans(n_clusters=k, random_state=p.seed),
        "Split the largest-inertia cluster in two, K − 1 times: a tree of clusters.",
    ),
)
METHOD_NAMES = tuple(m.name for m in METHODS)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Gaussians:
    """A fitted Gaussian mixture's components (for the ellipses)."""

    means: np.ndarray
    covariances: np.ndarray
    weights: np.ndarray


@dataclass(frozen=True)
class SplitNode:
    """One node of BisectingKMeans' split tree.

    Attributes
    ----------
    node_id : str
        "root", then "root/L", "root/R", ... (left and right halves of each split).
    parent : str
        The parent's ``node_id`` ("" for the root).
    size : int
        Points in the node.
    label : int
        Final cluster of a leaf, -1 for a node that was split.
    """

    node_id: str
    parent: str
    size: int
    label: int


@dataclass(frozen=True)
class MethodResult:
    """One method's clustering and scores.

    Attributes
    ----------
    name : str
    rows : ndarray of int
        Sorted indices of the rows clustered.
    labels : ndarray of int, shape (len(rows),)
        Cluster of each clustered row; -1 is noise (DBSCAN, HDBSCAN).
    seconds : float
        Wall time of one fit.
    ari : float or None
        Adjusted Rand index against the true labels on ``rows`` (noise counts as one group).
    silhouette : float or None
        On at most :data:`SILHOUETTE_ROWS` sampled rows, noise left out; None with
        fewer than two clusters.
    error : str or None
        Why the method could not run.
    warnings : tuple of str
    gaussians : Gaussians or None
        Gaussian mixture only.
    tree : list of SplitNode or None
        BisectingKMeans only.
    """

    name: str
    rows: np.ndarray
    labels: np.ndarray
    seconds: float
    ari: float | None = None
    silhouette: float | None = None
    error: str | None = None
    warnings: tuple[str, ...] = ()
    gaussians: Gaussians | None = None
    tree: list[SplitNode] | None = None

    @property
    def n_clusters(self) -> int:
        """Clusters found (noise not counted)."""
        return int(np.unique(self.labels[self.labels >= 0]).size)

    @property
    def n_noise(self) -> int:
        """Points called noise."""
        return int(np.sum(self.labels < 0))

    def labels_at(self, rows: np.ndarray) -> np.ndarray:
        """Labels of ``rows`` (which must all have been clustered by this method)."""
        return self.labels[np.searchsorted(self.rows, rows)]


@dataclass(frozen=True)
class AlternativesRun:
    """Every method's result on one dataset, and the sample they are drawn on.

    Attributes
    ----------
    params : AlternativeParams
    results : list of MethodResult
        In :data:`METHODS` order.
    sample : ndarray of int
        The rows the costly methods clustered (every method has labels for them).
    n_rows : int
    """

    params: AlternativeParams
    results: list[MethodResult]
    sample: np.ndarray
    n_rows: int
    notes: list[str] = field(default_factory=list)

    def result(self, name: str) -> MethodResult:
        """The result of the method called ``name``."""
        return next(r for r in self.results if r.name == name)


def _fit(method: Method, params: AlternativeParams, Xr: np.ndarray) -> tuple[Any, np.ndarray]:
    """Fit ``method`` on ``Xr``; its model and labels.

    scikit-learn's OpenMP is held to one thread: on a busy shared server its threads
    spin against each other (MiniBatchKMeans on 200k rows took 31 s with them and
    2.6 s without, measured here under load). kmeans_core manages its own threads.
    """
    model = method.build(params, max(1, min(params.k, len(Xr))))
    with threadpool_limits(limits=1, user_api="openmp"):
        if isinstance(model, GaussianMixture):
            return model, np.asarray(model.fit(Xr).predict(Xr), dtype=np.int64)
        return model, np.asarray(model.fit(Xr).labels_, dtype=np.int64)


def _extras(model: Any) -> dict[str, Any]:
    """Mixture components or the bisecting tree, when the model has them."""
    if isinstance(model, GaussianMixture):
        return {"gaussians": Gaussians(model.means_, model.covariances_, model.weights_)}
    if isinstance(model, BisectingKMeans):
        return {"tree": split_tree(model)}
    return {}


def _scores(
    X: np.ndarray, truth: np.ndarray | None, rows: np.ndarray, labels: np.ndarray, seed: int
) -> tuple[float | None, float | None]:
    ari = None if truth is None else float(adjusted_rand_score(truth[rows], labels))
    kept = labels >= 0
    n_found = np.unique(labels[kept]).size
    if not 2 <= n_found < kept.sum():
        return ari, None
    size = min(SILHOUETTE_ROWS, int(kept.sum()))
    try:
        sil = silhouette_score(X[rows][kept], labels[kept], sample_size=size, random_state=seed)
    except ValueError:  # the random sample caught a single cluster (a tiny one was missed)
        return ari, None
    return ari, float(sil)


def run_method(
    method: Method, X: np.ndarray, truth: np.ndarray | None, params: AlternativeParams
) -> MethodResult:
    """Fit one method on its rows, time the fit and score it; errors become a message.

    Parameters
    ----------
    method : Method
    X : ndarray of shape (n_samples, n_features)
    truth : ndarray of int or None
    params : AlternativeParams

    Returns
    -------
    MethodResult
    """
    rows = sample_rows(len(X), method.rows_for(len(X), params), params.seed)
    Xr = X[rows]
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            start = time.perf_counter()
            model, labels = _fit(method, params, Xr)
            seconds = time.perf_counter() - start
    except Exception as exc:  # any library's refusal of degenerate data: said, not raised
        message = f"{type(exc).__name__}: {exc}"
        return MethodResult(method.name, rows, np.full(len(rows), -1), 0.0, error=message)
    ari, sil = _scores(X, truth, rows, labels, params.seed)
    said = tuple(dict.fromkeys(str(w.message) for w in caught))
    return MethodResult(
        method.name, rows, labels, seconds, ari, sil, warnings=said, **_extras(model)
    )


def run_all(
    X: np.ndarray,
    truth: np.ndarray | None,
    params: AlternativeParams,
    check: Callable[[], None] | None = None,
) -> AlternativesRun:
    """Every method of :data:`METHODS` on ``X`` with ``params``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    truth : ndarray of int or None
        True class codes, for ARI.
    params : AlternativeParams
    check : callable, optional
        ``check()`` before each method and between kmeans_core's Lloyd steps
        (:mod:`kmeans_core.interrupt`); it stops the run by raising. A scikit-learn
        method, once started, runs to its end.

    Returns
    -------
    AlternativesRun
    """
    results = []
    with interrupt.checking(check):
        for method in METHODS:
            if check is not None:
                check()
            results.append(run_method(method, X, truth, params))
    sample = sample_rows(len(X), params.sample_size, params.seed)
    return AlternativesRun(params, results, sample, len(X), sample_notes(len(X), params))


def run_units(n_rows: int, n_features: int, params: AlternativeParams) -> int:
    """The run's size in the per-run cap's units (:func:`dashboard.budget.work_units`).

    Counts what grows with every row: the three K-Means methods (kmeans_core,
    MiniBatchKMeans, BisectingKMeans; about one K-Means fit each) and the Gaussian
    mixture (``features²`` per point and component, on at most
    :data:`MIXTURE_MAX_ROWS` rows). The costly methods run on a bounded sample.
    """
    family = budget.work_units(n_rows, n_features, params.k, restarts=3)
    mixture = budget.work_units(min(n_rows, MIXTURE_MAX_ROWS), n_features**2, params.k)
    return family + mixture


def sample_notes(n_rows: int, params: AlternativeParams) -> list[str]:
    """What ran on a sample, in words (empty when every method saw every row)."""
    notes = []
    costly = [m.name for m in METHODS if m.costly]
    if n_rows > params.sample_size:
        notes.append(
            f"{', '.join(costly)} ran on a random sample of {params.sample_size:,} of the "
            f"{n_rows:,} rows (seed {params.seed}): their cost grows with the square of the "
            "rows or faster. The others ran on every row"
            + (
                f" (the Gaussian mixture on {MIXTURE_MAX_ROWS:,})."
                if n_rows > MIXTURE_MAX_ROWS
                else "."
            )
        )
    return notes


def split_tree(model: BisectingKMeans) -> list[SplitNode] | None:
    """BisectingKMeans' split tree as a flat list of nodes, root first.

    Reads scikit-learn's private ``_bisecting_tree`` (no public API exposes the
    splits); None if a future version renames it.
    """
    root = getattr(model, "_bisecting_tree", None)
    if root is None:
        return None
    nodes: list[SplitNode] = []
    # Leaves give their points back after the fit; their sizes come from the labels.
    _walk(root, "root", "", np.bincount(model.labels_, minlength=model.n_clusters), nodes)
    return nodes


def _walk(node: Any, node_id: str, parent: str, sizes: np.ndarray, out: list[SplitNode]) -> int:
    """Append ``node`` and its subtree to ``out``; return its size."""
    position = len(out)
    out.append(SplitNode(node_id, parent, 0, -1))
    if node.left is None:
        size = int(sizes[node.label])
        out[position] = SplitNode(node_id, parent, size, int(node.label))
        return size
    size = _walk(node.left, f"{node_id}/L", node_id, sizes, out)
    size += _walk(node.right, f"{node_id}/R", node_id, sizes, out)
    out[position] = SplitNode(node_id, parent, size, -1)
    return size


# --------------------------------------------------------------------------- words


@dataclass(frozen=True)
class ShapeNote:
    """Which methods fix a failure shape, and why."""

    fixers: tuple[str, ...]
    why: str


_CHAINS = (SPECTRAL, SINGLE, HDBSCAN_NAME, DBSCAN_NAME)
SHAPE_NOTES: dict[str, ShapeNote] = {
    "blobs": ShapeNote(
        (),
        "Nothing to fix: round, equal, well-separated groups are K-Means' home ground. "
        "The centre-based methods agree with it; density methods may call sparse edge "
        "points noise.",
    ),
    "moons": ShapeNote(
        _CHAINS,
        "Each moon is a chain of close neighbours, not a round group around a centre. "
        "Single linkage joins nearest points, DBSCAN and HDBSCAN grow clusters through dense "
        "regions, spectral clustering cuts a nearest-neighbour graph: all follow the bend.",
    ),
    "circles": ShapeNote(
        _CHAINS,
        "No centre can describe a ring: its mean lies inside the disc. The empty gap between "
        "ring and disc is what neighbour-graph and density methods cut along.",
    ),
    "anisotropic": ShapeNote(
        (GMM,),
        "The blobs are stretched and tilted. A Gaussian mixture with full covariances learns "
        "each cluster's shape (its ellipses are drawn), so the boundary follows the stretch "
        "instead of cutting across it.",
    ),
    "unequal_variance": ShapeNote(
        (GMM,),
        "K-Means puts the boundary halfway between centres and hands the wide cluster's "
        "outer points to the tight one. A Gaussian mixture learns a spread per cluster and "
        "puts the boundary where the densities cross.",
    ),
    "unequal_sizes": ShapeNote(
        (GMM, HDBSCAN_NAME),
        "Squared distances make K-Means split the big cluster rather than leave a small one "
        "alone. A Gaussian mixture weighs each component by its share of the points; "
        "HDBSCAN finds dense regions of any size.",
    ),
    "uniform_noise": ShapeNote(
        (HDBSCAN_NAME, DBSCAN_NAME),
        "There are no clusters. Every method told K returns K groups anyway; only the "
        "density methods can answer with one group or noise. Low silhouettes everywhere "
        "are the warning sign.",
    ),
    "iris": ShapeNote(
        (GMM,),
        "Versicolor and virginica overlap. Elliptical Gaussian components fit the two "
        "overlapping species better than round K-Means cells; no method separates them fully.",
    ),
    "wine": ShapeNote(
        (GMM, SPECTRAL, WARD),
        "Three cultivars, fairly well separated once standardised. In 13 dimensions "
        "distances concentrate, so DBSCAN's single radius struggles; mixture, spectral and "
        "Ward do about as well as K-Means or better.",
    ),
}


def shape_note(recipe: dict[str, Any] | None) -> ShapeNote | None:
    """The note for the dataset's generator kind, or None (uploads, unknown kinds)."""
    if not recipe:
        return None
    return SHAPE_NOTES.get(str(recipe.get("kind")))


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _table_row(r: MethodResult, fixers: tuple[str, ...]) -> dict[str, str]:
    failed = r.error is not None
    return {
        "Method": ("★ " if r.name in fixers else "") + r.name,
        "Rows clustered": f"{len(r.rows):,}",
        "Clusters": "failed" if failed else str(r.n_clusters),
        "Noise points": "—" if failed else f"{r.n_noise:,}",
        "ARI vs truth": _fmt(r.ari),
        "Silhouette": _fmt(r.silhouette),
        "Fit time (one fit)": "—" if failed else format_seconds(r.seconds),
    }


def results_table(run: AlternativesRun, fixers: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per method: rows clustered, clusters, noise, ARI, silhouette, fit time.

    Methods named in ``fixers`` (the shape note's) are marked with ★. All cells are
    strings formatted for reading.
    """
    return pd.DataFrame([_table_row(r, fixers) for r in run.results])


def best_by_ari(run: AlternativesRun) -> MethodResult | None:
    """The method with the highest ARI, or None without true labels."""
    scored = [r for r in run.results if r.ari is not None and r.error is None]
    return max(scored, key=lambda r: r.ari or 0.0) if scored else None
