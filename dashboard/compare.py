"""kmeans_core against scikit-learn on the same data: fit both, match clusters, score.

Everything here is plain Python (NumPy / SciPy / scikit-learn); the page calls it
through the cached wrapper in :mod:`dashboard.streamlit_glue`. Cluster ids of two K-Means runs are
arbitrary, so every comparison first matches them with the Hungarian algorithm
(:func:`scipy.optimize.linear_sum_assignment`).
"""

from __future__ import annotations

import dataclasses
import functools
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans as SklearnKMeans
from sklearn.metrics import adjusted_rand_score, confusion_matrix, normalized_mutual_info_score

from dashboard import label_matching, runs
from dashboard.plotting import display_sample, view_2d
from dashboard.run_settings import INIT_CHOICES
from dashboard.speed_text import speed_verdict, spread_text
from dashboard.timing import Measurement, TimingOptions, measure_pair
from kmeans_core import KMeans, interrupt

SAME_START = "same start"
OWN_INIT = "each its own k-means++"
MODES = (SAME_START, OWN_INIT)
TOL_CHOICES = (0.0, 1e-8, 1e-6, 1e-4, 1e-2)
DEFAULT_TOL = 1e-4
DEFAULT_MAX_ITER = 300
DEFAULT_N_INIT = 1
# Inertias closer than this (relative) are called "equal": float64 sums over the same
# points in a different order differ by ~1e-15 relative, never by 1e-9.
EQUAL_INERTIA_RTOL = 1e-9
# At most this many disagreeing points are drawn on top of the display sample.
MAX_HIGHLIGHT_POINTS = 5000
# Fit times: up to 5 timed fits per library, taking turns (A B, B A, ...), each library
# spending at most 0.75 s, so a comparison waits at most ~1.5 s for its timings.
TIMING = TimingOptions(repeats=5, alternate=True, budget_s=0.75)


# --------------------------------------------------------------------------- fitting


@dataclass(frozen=True)
class CompareParams:
    """Every setting of one comparison, checked once (the page, the cache and the fit share it).

    Attributes
    ----------
    k : int
        Number of clusters (already clamped to the data, see ``runs.usable_k``).
    mode : {"same start", "each its own k-means++"}
        "same start": the initial centers are computed once with ``init`` and ``seed``
        and given to both as an array with one run (``n_init`` is ignored).
        "each its own k-means++": both use ``init="k-means++"`` and ``n_init`` restarts
        of their own.
    init : str
        Initialiser for "same start" (one of ``run_settings.INIT_CHOICES``).
    seed : int
        ``random_state`` of both libraries.
    n_init, max_iter, tol
        Shared by both libraries.
    sklearn_seed : int or None
        "each its own k-means++" only: scikit-learn's ``random_state`` when it should
        differ from ``seed``. kmeans_core's k-means++ draws the same random numbers as
        scikit-learn's, so with one seed both pick the same starts; a second seed shows
        how close truly independent runs land.

    Raises
    ------
    ValueError
        On an unknown mode or init, or a count or tolerance out of range.
    """

    k: int
    mode: str = SAME_START
    init: str = "k-means++"
    seed: int = 0
    n_init: int = DEFAULT_N_INIT
    max_iter: int = DEFAULT_MAX_ITER
    tol: float = DEFAULT_TOL
    sklearn_seed: int | None = None

    def __post_init__(self) -> None:
        problems = [msg for bad, msg in self._rules() if bad]
        if problems:
            raise ValueError(" ".join(problems))

    def _rules(self) -> list[tuple[bool, str]]:
        # One table of (is it wrong?, what to do), in the spirit of sklearn's constraints.
        return [
            (self.mode not in MODES, f"Unknown mode {self.mode!r}; choose one of {MODES}."),
            (
                self.init not in INIT_CHOICES,
                f"Unknown init {self.init!r}; choose one of {INIT_CHOICES}.",
            ),
            (self.k < 1, f"K must be at least 1, not {self.k}."),
            (self.n_init < 1, f"n_init must be at least 1, not {self.n_init}."),
            (self.max_iter < 1, f"max_iter must be at least 1, not {self.max_iter}."),
            (not self.tol >= 0, f"tol must be 0 or more, not {self.tol}."),
        ]

    @property
    def same_start(self) -> bool:
        """Whether both libraries start from the same centers."""
        return self.mode == SAME_START

    @property
    def runs_each(self) -> int:
        """Restarts per library: one from a shared start, ``n_init`` otherwise."""
        return 1 if self.same_start else self.n_init

    @property
    def sklearn_random_state(self) -> int:
        """scikit-learn's seed: ``sklearn_seed`` in own-init mode when given, else ``seed``."""
        if self.same_start or self.sklearn_seed is None:
            return self.seed
        return self.sklearn_seed


@dataclass(frozen=True)
class FitResult:
    """One library's fit, reduced to what the page compares.

    Attributes
    ----------
    library : str
        "kmeans_core" or "scikit-learn".
    labels : ndarray of shape (n_samples,), int
    centers : ndarray of shape (k, n_features)
    inertia : float
    n_iter : int
        Lloyd iterations of the best run.
    timing : Measurement
        Wall time of ``fit``, repeated (the two libraries take turns).
    warnings : tuple of str
        Warnings the fit raised (e.g. fewer distinct clusters than K on duplicate points).
    """

    library: str
    labels: np.ndarray
    centers: np.ndarray
    inertia: float
    n_iter: int
    timing: Measurement[Any]
    warnings: tuple[str, ...] = ()


@functools.cache
def _warm_up_sklearn() -> None:
    """Fit scikit-learn once on a toy problem, untimed.

    Its first fit in a process pays one-off costs (thread pools, lazy imports) worth
    far more than a small fit itself; timing that would say nothing about K-Means.
    """
    SklearnKMeans(n_clusters=2, n_init=1, random_state=0).fit(np.arange(20.0).reshape(10, 2))


def _models(params: CompareParams, start: np.ndarray | None) -> tuple[Any, Any]:
    """Unfitted kmeans_core and scikit-learn estimators for ``params``."""
    init: Any = start if start is not None else "k-means++"
    common = dict(n_init=params.runs_each, max_iter=params.max_iter, tol=params.tol)
    core = KMeans(n_clusters=params.k, init=init, random_state=params.seed, **common)
    sk = SklearnKMeans(
        n_clusters=params.k, init=init, random_state=params.sklearn_random_state, **common
    )
    return core, sk


def _result(library: str, model: Any, timing: Measurement[Any], messages: list[str]) -> FitResult:
    """A fitted model reduced to a :class:`FitResult` (repeated warnings said once)."""
    return FitResult(
        library=library,
        labels=np.asarray(model.labels_, dtype=np.int64),
        centers=np.asarray(model.cluster_centers_, dtype=float),
        inertia=float(model.inertia_),
        n_iter=int(model.n_iter_),
        timing=timing,
        warnings=tuple(dict.fromkeys(messages)),
    )


def fit_both(
    X: np.ndarray, params: CompareParams, check: Callable[[], None] | None = None
) -> tuple[FitResult, FitResult, np.ndarray | None]:
    """Fit kmeans_core and scikit-learn K-Means on the same data, timing both fairly.

    Each fit is repeated as :data:`TIMING` says (:mod:`dashboard.timing`: the
    libraries take turns, a warm-up is discarded when the budget allows); the fits
    are deterministic, so every call leaves the same fitted model.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    params : CompareParams
    check : callable, optional
        As for :func:`run_comparison`.

    Returns
    -------
    core, sklearn : FitResult
    start_centers : ndarray of shape (k, n_features) or None
        The shared initial centers ("same start" only).
    """
    start = None
    if params.same_start:
        start = runs.initial_centers(X, params.k, params.init, params.seed)
    _warm_up_sklearn()
    core_model, sk_model = _models(params, start)
    core_warned: list[str] = []
    sk_warned: list[str] = []
    pair = measure_pair(
        functools.partial(_fit_recording, core_model, X, core_warned, check),
        functools.partial(_fit_recording, sk_model, X, sk_warned, check),
        TIMING,
    )
    core = _result("kmeans_core", core_model, pair.first, core_warned)
    sk = _result("scikit-learn", sk_model, pair.second, sk_warned)
    return core, sk, start


def _fit_recording(
    model: Any, X: np.ndarray, sink: list[str], check: Callable[[], None] | None = None
) -> None:
    """Fit ``model``, appending the warnings it raised to ``sink`` (not printing them).

    ``check()`` runs first and, for kmeans_core, between Lloyd steps.
    """
    if check is not None:
        check()
    with warnings.catch_warnings(record=True) as caught, interrupt.checking(check):
        warnings.simplefilter("always")
        model.fit(X)
    sink.extend(str(w.message) for w in caught)


# --------------------------------------------------------------------------- matching


def match_centers(ref_centers: np.ndarray, other_centers: np.ndarray) -> np.ndarray:
    """Pair each of ``other``'s centers with one of ``ref``'s, minimising total distance.

    Returns
    -------
    mapping : ndarray of int, shape (k_other,)
        ``mapping[j]`` is the ``ref`` cluster matched to ``other`` cluster j
        (-1 if ``other`` has more centers than ``ref`` and j is left over).
    """
    cost = cdist(other_centers, ref_centers)
    rows, cols = linear_sum_assignment(cost)
    mapping = np.full(len(other_centers), -1, dtype=np.int64)
    mapping[rows] = cols
    return mapping


def _counts(rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int) -> np.ndarray:
    """Points per (row id, column id): an ``(n_rows, n_cols)`` contingency table."""
    with warnings.catch_warnings():
        # With one id on each side (K = 1) sklearn warns that the table is 1 x 1: it is.
        warnings.filterwarnings("ignore", message="A single label was found")
        table = confusion_matrix(rows, cols, labels=np.arange(max(n_rows, n_cols)))
    return table[:n_rows, :n_cols]


def relabel(labels: np.ndarray, mapping: np.ndarray) -> np.ndarray:
    """Translate ``labels`` through ``mapping`` (``mapping[old] -> new``)."""
    return np.asarray(mapping)[np.asarray(labels)]


def disagreement_mask(ref_labels: np.ndarray, other_labels: np.ndarray, mapping) -> np.ndarray:
    """True where ``other``'s cluster, translated by ``mapping``, differs from ``ref``'s."""
    return relabel(other_labels, mapping) != np.asarray(ref_labels)


@dataclass(frozen=True)
class ClassMatch:
    """A clustering scored against true classes after Hungarian matching.

    Attributes
    ----------
    accuracy : float
        Share of points whose cluster is matched to their true class. With more clusters
        than classes the left-over clusters count as wrong; with fewer, some classes
        get no cluster at all.
    n_correct : int
    confusion : ndarray of shape (n_classes, k)
        Points per (true class, cluster).
    cluster_to_class : ndarray of shape (k,)
        Matched class of each cluster, -1 if none.
    column_order : list of int
        Clusters ordered by their matched class, unmatched ones last: reading the
        confusion matrix in this order puts the matched pairs on the diagonal.
    """

    accuracy: float
    n_correct: int
    confusion: np.ndarray
    cluster_to_class: np.ndarray
    column_order: list[int]


def accuracy_after_matching(
    pred: np.ndarray, truth: np.ndarray, n_clusters: int, n_classes: int
) -> ClassMatch:
    """Accuracy of cluster ids ``pred`` against class codes ``truth`` after matching.

    Parameters
    ----------
    pred : ndarray of int, shape (n_samples,)
        Cluster ids in ``[0, n_clusters)``.
    truth : ndarray of int, shape (n_samples,)
        Class codes in ``[0, n_classes)``.
    n_clusters, n_classes : int
        May differ: the matching is one-to-one on ``min(n_clusters, n_classes)`` pairs.

    Returns
    -------
    ClassMatch
    """
    pred = np.asarray(pred)
    truth = np.asarray(truth)
    confusion = _counts(truth, pred, n_classes, n_clusters)
    rows, cols = linear_sum_assignment(confusion, maximize=True)
    n_correct = int(confusion[rows, cols].sum())
    cluster_to_class = np.full(n_clusters, -1, dtype=np.int64)
    cluster_to_class[cols] = rows
    matched = [int(c) for _, c in sorted(zip(rows, cols, strict=True))]
    leftover = sorted(set(range(n_clusters)) - set(matched))
    column_order = matched + leftover
    return ClassMatch(
        accuracy=n_correct / max(len(truth), 1),
        n_correct=n_correct,
        confusion=confusion,
        cluster_to_class=cluster_to_class,
        column_order=column_order,
    )


# --------------------------------------------------------------------------- comparison


@dataclass(frozen=True)
class Comparison:
    """Both fits and everything measured between them.

    Attributes
    ----------
    mode : str
    k : int
    core, sklearn : FitResult
    mapping : ndarray of int, shape (k,)
        scikit-learn cluster j is matched to kmeans_core cluster ``mapping[j]``
        (Hungarian on the distances between centers).
    disagree : ndarray of bool, shape (n_samples,)
        Points whose clusters differ after matching.
    center_distances : ndarray of shape (k,)
        Distance between each kmeans_core center and its matched scikit-learn center.
    ari, nmi : float
        Adjusted Rand index and normalised mutual information between the labelings.
    core_vs_truth, sklearn_vs_truth : ClassMatch or None
        Where the dataset has true labels.
    start_centers : ndarray or None
        The shared initial centers ("same start" only).
    """

    mode: str
    k: int
    core: FitResult
    sklearn: FitResult
    mapping: np.ndarray
    disagree: np.ndarray
    center_distances: np.ndarray
    ari: float
    nmi: float
    core_vs_truth: ClassMatch | None = None
    sklearn_vs_truth: ClassMatch | None = None
    start_centers: np.ndarray | None = None

    @property
    def n_samples(self) -> int:
        """Number of points compared."""
        return int(self.disagree.size)

    @property
    def n_disagree(self) -> int:
        """Points the two libraries put in different (matched) clusters."""
        return int(self.disagree.sum())

    @property
    def inertia_rel_diff(self) -> float:
        """|inertia_core − inertia_sklearn| relative to the larger of the two."""
        a, b = self.core.inertia, self.sklearn.inertia
        scale = max(abs(a), abs(b))
        return 0.0 if scale == 0 else abs(a - b) / scale


def compare_fits(
    core: FitResult,
    sk: FitResult,
    mode: str,
    truth: np.ndarray | None = None,
    n_classes: int | None = None,
    start_centers: np.ndarray | None = None,
) -> Comparison:
    """Match the two fits' clusters and measure how far apart they are.

    Parameters
    ----------
    core, sk : FitResult
        Fits with the same K on the same data.
    mode : str
    truth : ndarray of int or None
        True class codes, for accuracy after matching.
    n_classes : int, optional
        Number of true classes (default ``max(truth) + 1``).
    start_centers : ndarray, optional

    Returns
    -------
    Comparison
    """
    k = len(core.centers)
    mapping = match_centers(core.centers, sk.centers)
    center_distances = np.linalg.norm(core.centers[mapping] - sk.centers, axis=1)
    # Reorder so entry i belongs to kmeans_core cluster i.
    center_distances = center_distances[np.argsort(mapping)]
    core_truth = sk_truth = None
    if truth is not None:
        # Codes are 0..C-1; the max guards against gaps in uploaded label codes.
        c = max(int(n_classes or 0), int(np.max(truth)) + 1)
        core_truth = accuracy_after_matching(core.labels, truth, k, c)
        sk_truth = accuracy_after_matching(sk.labels, truth, k, c)
    return Comparison(
        mode=mode,
        k=k,
        core=core,
        sklearn=sk,
        mapping=mapping,
        disagree=disagreement_mask(core.labels, sk.labels, mapping),
        center_distances=center_distances,
        ari=float(adjusted_rand_score(core.labels, sk.labels)),
        nmi=float(normalized_mutual_info_score(core.labels, sk.labels)),
        core_vs_truth=core_truth,
        sklearn_vs_truth=sk_truth,
        start_centers=start_centers,
    )


def run_comparison(
    X: np.ndarray,
    params: CompareParams,
    truth: np.ndarray | None = None,
    n_classes: int | None = None,
    check: Callable[[], None] | None = None,
) -> Comparison:
    """:func:`fit_both` then :func:`compare_fits`: what the Compare page shows.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    params : CompareParams
    truth : ndarray of int or None
        True class codes, for accuracy after matching.
    n_classes : int, optional
        Number of true classes.
    check : callable, optional
        ``check()`` before the work starts, before every fit of either library and
        between kmeans_core's Lloyd steps; it stops the comparison by raising.
        (A scikit-learn fit, once started, runs to its end.)

    Returns
    -------
    Comparison
    """
    if check is not None:
        check()
    core, sk, start = fit_both(X, params, check)
    return compare_fits(core, sk, params.mode, truth, n_classes, start)


def renumber_core(
    cmp: Comparison,
    mapping: np.ndarray,
    truth: np.ndarray | None = None,
    n_classes: int | None = None,
) -> Comparison:
    """``cmp`` with kmeans_core's clusters renumbered, scikit-learn's matched to the new numbers.

    The Compare page shows kmeans_core's clusters with the numbers (and colours) the
    Clusters and Export pages give them (:mod:`dashboard.label_matching`).

    Parameters
    ----------
    cmp : Comparison
    mapping : ndarray of int, shape (k,)
        kmeans_core cluster ``i`` becomes ``mapping[i]`` (a permutation of ``0..k-1``).
    truth, n_classes
        As for :func:`compare_fits` (the confusion matrices follow the new numbers).

    Returns
    -------
    Comparison
        ``cmp`` itself when ``mapping`` changes nothing.
    """
    mapping = np.asarray(mapping)
    if np.array_equal(mapping, np.arange(len(mapping))):
        return cmp
    labels, centers = label_matching.apply_numbers(cmp.core.labels, cmp.core.centers, mapping)
    core = dataclasses.replace(cmp.core, labels=labels, centers=centers)
    return compare_fits(core, cmp.sklearn, cmp.mode, truth, n_classes, cmp.start_centers)


# --------------------------------------------------------------------------- words


def _iterations_phrase(cmp: Comparison) -> str:
    a, b = cmp.core.n_iter, cmp.sklearn.n_iter
    it = "iteration" if a == 1 else "iterations"
    if a == b:
        return f"both stopped after {a} {it}"
    return f"kmeans_core stopped after {a} {it}, scikit-learn after {b}"


def _inertia_phrase(cmp: Comparison) -> str:
    rel = cmp.inertia_rel_diff
    if rel == 0:
        return "inertia exactly equal"
    if rel <= EQUAL_INERTIA_RTOL:
        return f"inertia equal to {rel:.0e} relative"
    lower = "kmeans_core" if cmp.core.inertia < cmp.sklearn.inertia else "scikit-learn"
    return (
        f"inertia differs by {rel:.2%} ({cmp.core.inertia:,.6g} vs {cmp.sklearn.inertia:,.6g}; "
        f"{lower} lower)"
    )


def _labels_phrase(cmp: Comparison) -> str:
    n, bad = cmp.n_samples, cmp.n_disagree
    if bad == 0:
        return "same label on the only point" if n == 1 else f"same labels on all {n:,} points"
    return f"{bad:,} of {n:,} points ({bad / n:.1%}) in a different cluster after matching"


def is_identical(cmp: Comparison) -> bool:
    """Same labels (after matching), equal inertia and the same iteration count."""
    return (
        cmp.n_disagree == 0
        and cmp.inertia_rel_diff <= EQUAL_INERTIA_RTOL
        and cmp.core.n_iter == cmp.sklearn.n_iter
    )


def summary_sentence(cmp: Comparison) -> str:
    """One honest sentence: do the two libraries agree, and if not by how much.

    Examples
    --------
    "Identical: same labels on all 1,500 points, inertia equal to 1e-15 relative,
    both stopped after 7 iterations."
    """
    body = f"{_labels_phrase(cmp)}, {_inertia_phrase(cmp)}, {_iterations_phrase(cmp)}."
    if cmp.mode == SAME_START:
        if is_identical(cmp):
            return f"Identical: {body}"
        return f"Not identical from the same start: {body}"
    if cmp.n_disagree == 0:
        return f"Independent k-means++ starts landed on the same clustering: {body}"
    return (
        f"Independent k-means++ starts landed on different clusterings (ARI {cmp.ari:.3f}): {body}"
    )


def _library_rows(cmp: Comparison) -> list[tuple[str, str, str, str]]:
    """Rows measured per library: inertia, iterations, fit time, accuracy."""
    core, sk = cmp.core, cmp.sklearn
    rel = cmp.inertia_rel_diff
    iter_gap = abs(core.n_iter - sk.n_iter)
    rows = [
        (
            "Inertia (within-cluster sum of squares)",
            f"{core.inertia:,.6g}",
            f"{sk.inertia:,.6g}",
            "exactly equal" if rel == 0 else f"relative difference {rel:.1e}",
        ),
        (
            "Lloyd iterations",
            str(core.n_iter),
            str(sk.n_iter),
            "equal" if iter_gap == 0 else f"differ by {iter_gap}",
        ),
        (
            "Fit time: median (fastest–slowest, runs)",
            spread_text(core.timing),
            spread_text(sk.timing),
            speed_verdict("kmeans_core", core.timing, "scikit-learn", sk.timing),
        ),
    ]
    if cmp.core_vs_truth is not None and cmp.sklearn_vs_truth is not None:
        core_acc, sk_acc = cmp.core_vs_truth.accuracy, cmp.sklearn_vs_truth.accuracy
        rows.append(
            ("Accuracy vs true classes (after matching)", f"{core_acc:.1%}", f"{sk_acc:.1%}", "")
        )
    return rows


def _between_rows(cmp: Comparison) -> list[tuple[str, str, str, str]]:
    """Rows measured between the two labelings."""
    dist = cmp.center_distances
    return [
        ("Adjusted Rand index (ARI) between the two", "", "", f"{cmp.ari:.4f}  (1 = same)"),
        ("Normalised mutual information (NMI)", "", "", f"{cmp.nmi:.4f}  (1 = same)"),
        (
            "Center distance after matching: max / mean",
            "",
            "",
            f"{dist.max():.3g} / {dist.mean():.3g}",
        ),
        (
            "Points in a different cluster after matching",
            "",
            "",
            f"{cmp.n_disagree:,} of {cmp.n_samples:,}",
        ),
    ]


def metrics_table(cmp: Comparison) -> pd.DataFrame:
    """The page's one table: a row per measure; per-library columns and a "between" column.

    All cells are strings, formatted for reading (no further formatting needed).
    """
    rows = _library_rows(cmp) + _between_rows(cmp)
    return pd.DataFrame(rows, columns=["Measure", "kmeans_core", "scikit-learn", "Between the two"])


def truth_caption(k: int, n_classes: int) -> str:
    """How accuracy against the true classes is counted, for K clusters and C classes."""
    text = (
        f"The dataset has {n_classes} true classes (never used for fitting). Each cluster is "
        "matched to at most one class so that most points land on the diagonal; accuracy "
        "is the share of points on a matched pair"
    )
    if k == n_classes:
        return f"{text}."
    missing = "some clusters have no class" if k > n_classes else "some classes have no cluster"
    return f"{text} — with K = {k} and {n_classes} classes, {missing} and count as wrong."


def highlight_indices(
    disagree: np.ndarray, max_points: int = MAX_HIGHLIGHT_POINTS, seed: int = 0
) -> tuple[np.ndarray, str | None]:
    """Rows to highlight as disagreements: all of them, or a sample when there are many.

    Returns
    -------
    idx : ndarray of int
    note : str or None
        Says so when only a sample is highlighted.
    """
    idx = np.flatnonzero(disagree)
    if idx.size <= max_points:
        return idx, None
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(idx, size=max_points, replace=False))
    return chosen, f"Highlighting {max_points:,} of the {idx.size:,} disagreeing points."


@dataclass(frozen=True)
class DisplayData:
    """What the three scatter panels draw, in one shared 2-D view.

    Attributes
    ----------
    points : ndarray of shape (m, 2)
        The display sample of the data, projected.
    core_labels, sklearn_labels : ndarray of shape (m,)
        Both labelings on the sample.
    core_centers, sklearn_centers : ndarray of shape (k, 2)
        Both sets of centers, projected.
    highlighted : ndarray of shape (h, 2)
        Disagreeing points (all of them, or a sample), projected.
    x_title, y_title : str
    notes : list of str
        Projection and sampling notes to show under the plots.
    """

    points: np.ndarray
    core_labels: np.ndarray
    sklearn_labels: np.ndarray
    core_centers: np.ndarray
    sklearn_centers: np.ndarray
    highlighted: np.ndarray
    x_title: str
    y_title: str
    notes: list[str]


def display_data(
    X: np.ndarray, feature_names: list[str], cmp: Comparison, seed: int = 0
) -> DisplayData:
    """Sample and project the data once for all three panels.

    The view (PCA when d > 2) is fitted on the display sample only: it is for
    drawing, and fitting it on a million rows would cost time for no visible gain.
    Disagreeing points are drawn even when the sample missed them.
    """
    idx, sample_note = display_sample(len(X), seed=seed)
    view = view_2d(X[idx], feature_names, seed=seed)
    hi_idx, hi_note = highlight_indices(cmp.disagree, seed=seed)
    notes = [n for n in (view.note, sample_note, hi_note) if n]
    return DisplayData(
        points=view.points,
        core_labels=cmp.core.labels[idx],
        sklearn_labels=cmp.sklearn.labels[idx],
        core_centers=view.project(cmp.core.centers),
        sklearn_centers=view.project(cmp.sklearn.centers),
        highlighted=view.project(X[hi_idx]) if hi_idx.size else np.empty((0, 2)),
        x_title=view.x_title,
        y_title=view.y_title,
        notes=notes,
    )
