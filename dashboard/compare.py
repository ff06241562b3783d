"""kmeans_core against scikit-learn on the same data: fit both, match clusters, score.

Everything here is plain Python (NumPy / SciPy / scikit-learn); the page calls it
through the cached wrapper in :mod:`dashboard.streamlit_glue`. Cluster ids of two K-Means runs are
arbitrary, so every comparison first matches them with the Hungarian algorithm
(:func:`scipy.optimize.linear_sum_assignment`).
"""

from __future__ import annotations

import functools
import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans as SklearnKMeans
from sklearn.metrics import adjusted_rand_score, confusion_matrix, normalized_mutual_info_score

from dashboard import runs
from dashboard.plotting import display_sample, view_2d
from kmeans_core import KMeans

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


# --------------------------------------------------------------------------- fitting


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
    fit_seconds : float
        Wall time of ``fit`` (``time.perf_counter``).
    warnings : tuple of str
        Warnings the fit raised (e.g. fewer distinct clusters than K on duplicate points).
    """

    library: str
    labels: np.ndarray
    centers: np.ndarray
    inertia: float
    n_iter: int
    fit_seconds: float
    warnings: tuple[str, ...] = ()


@functools.cache
def _warm_up_sklearn() -> None:
    """Fit scikit-learn once on a toy problem, untimed.

    Its first fit in a process pays one-off costs (thread pools, lazy imports) worth
    far more than a small fit itself; timing that would say nothing about K-Means.
    """
    SklearnKMeans(n_clusters=2, n_init=1, random_state=0).fit(np.arange(20.0).reshape(10, 2))


def _timed_fit(library: str, model, X: np.ndarray) -> FitResult:
    """Fit ``model`` on X, timing it and recording (not printing) its warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        model.fit(X)
        seconds = time.perf_counter() - start
    messages = tuple(dict.fromkeys(str(w.message) for w in caught))
    return FitResult(
        library=library,
        labels=np.asarray(model.labels_, dtype=np.int64),
        centers=np.asarray(model.cluster_centers_, dtype=float),
        inertia=float(model.inertia_),
        n_iter=int(model.n_iter_),
        fit_seconds=seconds,
        warnings=messages,
    )


def fit_both(
    X: np.ndarray,
    k: int,
    mode: str,
    *,
    init: str = "k-means++",
    seed: int = 0,
    n_init: int = DEFAULT_N_INIT,
    max_iter: int = DEFAULT_MAX_ITER,
    tol: float = DEFAULT_TOL,
    sklearn_seed: int | None = None,
) -> tuple[FitResult, FitResult, np.ndarray | None]:
    """Fit kmeans_core and scikit-learn K-Means on the same data.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    k : int
        Number of clusters (already clamped to the data, see ``runs.usable_k``).
    mode : {"same start", "each its own k-means++"}
        "same start": the initial centers are computed once with ``init`` and ``seed``
        and given to both as an array with ``n_init=1`` (``n_init`` is ignored).
        "each its own k-means++": both use ``init="k-means++"``, ``random_state=seed``
        and ``n_init`` restarts of their own.
    init : str
        Initialiser for "same start" (one of ``state.INIT_CHOICES``).
    seed, n_init, max_iter, tol
        Shared by both libraries.
    sklearn_seed : int, optional
        "each its own k-means++" only: scikit-learn's ``random_state`` when it should
        differ from ``seed``. kmeans_core's k-means++ draws the same random numbers as
        scikit-learn's, so with one seed both pick the same starts; a second seed shows
        how close truly independent runs land.

    Returns
    -------
    core, sklearn : FitResult
    start_centers : ndarray of shape (k, n_features) or None
        The shared initial centers ("same start" only).
    """
    if mode not in MODES:
        raise ValueError(f"Unknown mode {mode!r}; choose one of {MODES}.")
    if mode == SAME_START:
        start = runs.initial_centers(X, k, init, seed)
        core_init, sk_init, runs_each = start, start, 1
    else:
        start, core_init, sk_init, runs_each = None, "k-means++", "k-means++", int(n_init)
    sk_seed = seed if sklearn_seed is None or mode == SAME_START else sklearn_seed
    _warm_up_sklearn()
    common = dict(n_init=runs_each, max_iter=int(max_iter), tol=float(tol))
    core = _timed_fit(
        "kmeans_core", KMeans(n_clusters=k, init=core_init, random_state=seed, **common), X
    )
    sk = _timed_fit(
        "scikit-learn",
        SklearnKMeans(n_clusters=k, init=sk_init, random_state=sk_seed, **common),
        X,
    )
    return core, sk, start


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


def match_labels(ref: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Pair ``other``'s cluster ids with ``ref``'s ids so that most points agree.

    Hungarian algorithm on the contingency table (maximising the overlap). Works when
    the two have different numbers of ids: left-over ids of ``other`` map to -1.

    Returns
    -------
    mapping : ndarray of int, shape (max(other) + 1,)
        ``mapping[j]`` is the ``ref`` id matched to ``other`` id j, or -1.
    """
    n_ref = int(np.max(ref)) + 1
    n_other = int(np.max(other)) + 1
    table = _counts(ref, other, n_ref, n_other)  # rows = ref ids, columns = other ids
    rows, cols = linear_sum_assignment(table, maximize=True)
    mapping = np.full(n_other, -1, dtype=np.int64)
    mapping[cols] = rows
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
    k: int,
    mode: str,
    *,
    init: str = "k-means++",
    seed: int = 0,
    n_init: int = DEFAULT_N_INIT,
    max_iter: int = DEFAULT_MAX_ITER,
    tol: float = DEFAULT_TOL,
    sklearn_seed: int | None = None,
    truth: np.ndarray | None = None,
    n_classes: int | None = None,
) -> Comparison:
    """:func:`fit_both` then :func:`compare_fits` (see those for the parameters)."""
    core, sk, start = fit_both(
        X,
        k,
        mode,
        init=init,
        seed=seed,
        n_init=n_init,
        max_iter=max_iter,
        tol=tol,
        sklearn_seed=sklearn_seed,
    )
    return compare_fits(core, sk, mode, truth, n_classes, start)


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


def _fmt_seconds(s: float) -> str:
    return f"{s * 1000:,.1f} ms" if s < 1 else f"{s:,.2f} s"


def _speed_phrase(core_s: float, sk_s: float) -> str:
    if core_s <= 0 or sk_s <= 0:
        return ""
    if core_s <= sk_s:
        return f"kmeans_core {sk_s / core_s:.1f}× faster"
    return f"scikit-learn {core_s / sk_s:.1f}× faster"


def metrics_table(cmp: Comparison) -> pd.DataFrame:
    """The page's one table: a row per measure; per-library columns and a "between" column.

    All cells are strings, formatted for reading (no further formatting needed).
    """
    core, sk = cmp.core, cmp.sklearn
    rows = [
        (
            "Inertia (within-cluster sum of squares)",
            f"{core.inertia:,.6g}",
            f"{sk.inertia:,.6g}",
            "exactly equal"
            if cmp.inertia_rel_diff == 0
            else f"relative difference {cmp.inertia_rel_diff:.1e}",
        ),
        (
            "Lloyd iterations",
            str(core.n_iter),
            str(sk.n_iter),
            "equal" if core.n_iter == sk.n_iter else f"differ by {abs(core.n_iter - sk.n_iter)}",
        ),
        (
            "Fit time",
            _fmt_seconds(core.fit_seconds),
            _fmt_seconds(sk.fit_seconds),
            _speed_phrase(core.fit_seconds, sk.fit_seconds),
        ),
    ]
    if cmp.core_vs_truth is not None and cmp.sklearn_vs_truth is not None:
        rows.append(
            (
                "Accuracy vs true classes (after matching)",
                f"{cmp.core_vs_truth.accuracy:.1%}",
                f"{cmp.sklearn_vs_truth.accuracy:.1%}",
                "",
            )
        )
    rows += [
        ("Adjusted Rand index (ARI) between the two", "", "", f"{cmp.ari:.4f}  (1 = same)"),
        ("Normalised mutual information (NMI)", "", "", f"{cmp.nmi:.4f}  (1 = same)"),
        (
            "Center distance after matching: max / mean",
            "",
            "",
            f"{cmp.center_distances.max():.3g} / {cmp.center_distances.mean():.3g}",
        ),
        (
            "Points in a different cluster after matching",
            "",
            "",
            f"{cmp.n_disagree:,} of {cmp.n_samples:,}",
        ),
    ]
    return pd.DataFrame(rows, columns=["Measure", "kmeans_core", "scikit-learn", "Between the two"])


def highlight_indices(disagree: np.ndarray, max_points: int = MAX_HIGHLIGHT_POINTS, seed: int = 0):
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
