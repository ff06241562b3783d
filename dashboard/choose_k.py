"""Choosing K: the elbow sweep, quality metrics per K, the knee, and a recommendation.

Everything here is plain Python (NumPy / scikit-learn / kneed); the page calls it
through the cached wrapper in :mod:`dashboard.streamlit_glue`. K-Means itself always
comes from ``kmeans_core.elbow_sweep``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sklearn
from kneed import KneeLocator
from numpy.typing import ArrayLike
from sklearn.metrics import (
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_samples,
)

from dashboard.stability import init_argument
from kmeans_core import ElbowResult, elbow_sweep, interrupt

DEFAULT_K_RANGE = (1, 10)
DEFAULT_N_INIT = 3
# Silhouette is O(n^2) in time and memory: above this many rows it is estimated on a
# stratified sample of this size per K (1,000,000 rows cost the same as 3,000).
SILHOUETTE_MAX_ROWS = 3000
# Restarts are capped so that rows x restarts stays below this (1,000,000 rows -> 1 restart).
MAX_ROW_RESTARTS = 1_000_000
# Share of the progress bar for fitting; the rest is for the metrics.
FIT_SHARE = 0.85
# Above this many rows x K-fits the page warns that the sweep will take a while.
SLOW_SWEEP_WORK = 5_000_000

CRITERIA = ("knee", "silhouette", "calinski_harabasz", "davies_bouldin", "gap")
CRITERION_NAMES = {
    "knee": "the knee",
    "silhouette": "silhouette",
    "calinski_harabasz": "Calinski–Harabasz",
    "davies_bouldin": "Davies–Bouldin",
    "gap": "the gap statistic",
}
# Share of the criteria that voted which must agree for "strong" / "moderate" agreement.
STRONG_AGREEMENT = 0.75
MODERATE_AGREEMENT = 0.5

Progress = Callable[[float, str], None]


# --------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class SweepPlan:
    """What will actually be swept, after clamping the user's settings to the data.

    Attributes
    ----------
    k_values : tuple of int
        Ascending K values, each in ``[1, n_samples]``.
    n_init : int
        Restarts per K (possibly capped for large data).
    notices : list of str
        Sentences to show the user about any clamping or expected slowness.
    """

    k_values: tuple[int, ...]
    n_init: int
    notices: list[str] = field(default_factory=list)


def plan_sweep(n_samples: int, k_range: tuple[int, int], n_init: int) -> SweepPlan:
    """Clamp a K range and a restart count to what the data allows.

    Parameters
    ----------
    n_samples : int
        Rows in the dataset (at least 1).
    k_range : (int, int)
        Smallest and largest K the user asked for (in either order).
    n_init : int
        Restarts per K the user asked for.

    Returns
    -------
    SweepPlan
    """
    lo, hi = sorted(int(v) for v in k_range)
    notices = []
    lo = max(lo, 1)
    if hi > n_samples:
        rows = f"{n_samples:,} row{'s' if n_samples != 1 else ''}"
        lo, hi = min(lo, n_samples), n_samples
        swept = f"K = {lo}–{hi}" if lo < hi else f"only K = {hi}"
        notices.append(
            f"K up to {max(k_range)} was asked for, but the dataset has only {rows}; "
            f"sweeping {swept} instead."
        )
    n_init = max(int(n_init), 1)
    cap = max(MAX_ROW_RESTARTS // max(n_samples, 1), 1)
    if n_init > cap:
        notices.append(
            f"With {n_samples:,} rows, restarts per K are capped at {cap} "
            f"(you asked for {n_init}) so the sweep finishes in reasonable time."
        )
        n_init = cap
    ks = tuple(range(lo, hi + 1))
    work = n_samples * n_init * sum(ks)
    if work > SLOW_SWEEP_WORK:
        notices.append(
            f"This sweep fits {len(ks) * n_init} models on {n_samples:,} rows; "
            "it may take a while the first time (the result is cached)."
        )
    return SweepPlan(ks, n_init, notices)


# --------------------------------------------------------------------------- sweep


@dataclass(frozen=True)
class KSweep:
    """Everything the Choose K page shows about a sweep (small enough to cache).

    Attributes
    ----------
    k_values : ndarray of int, shape (n_k,)
    inertia_runs : ndarray of shape (n_k, n_init)
        WCSS of every restart.
    fit_seconds : ndarray of shape (n_k,)
        Wall time to fit all restarts of each K.
    silhouette, calinski_harabasz, davies_bouldin : ndarray of shape (n_k,)
        Scores of the best restart per K; NaN where the metric is undefined.
    silhouette_se : ndarray of shape (n_k,)
        Standard error of the silhouette estimate (0 when computed on every row).
    sample_rows : tuple of ndarray
        Per K, the rows the silhouette was computed on (all rows for small data).
    sample_labels, sample_values : tuple of ndarray
        Per K, those rows' best-restart labels and silhouette values (for the diagram).
    n_distinct : ndarray of int, shape (n_k,)
        Distinct labels the best restart actually used per K.
    n_samples : int
        Rows swept.
    """

    k_values: np.ndarray
    inertia_runs: np.ndarray
    fit_seconds: np.ndarray
    silhouette: np.ndarray
    silhouette_se: np.ndarray
    calinski_harabasz: np.ndarray
    davies_bouldin: np.ndarray
    sample_rows: tuple[np.ndarray, ...]
    sample_labels: tuple[np.ndarray, ...]
    sample_values: tuple[np.ndarray, ...]
    n_distinct: np.ndarray
    n_samples: int

    @property
    def inertia_mean(self) -> np.ndarray:
        """Mean WCSS over restarts per K (the line on the elbow plot)."""
        return self.inertia_runs.mean(axis=1)

    @property
    def inertia_min(self) -> np.ndarray:
        """Lowest WCSS over restarts per K."""
        return self.inertia_runs.min(axis=1)

    @property
    def inertia_max(self) -> np.ndarray:
        """Highest WCSS over restarts per K."""
        return self.inertia_runs.max(axis=1)

    @property
    def silhouette_sampled(self) -> bool:
        """Whether the silhouette was estimated on a sample of the rows."""
        return any(len(rows) < self.n_samples for rows in self.sample_rows)

    @property
    def silhouette_note(self) -> str | None:
        """Said under the metrics when the silhouette used a sample, else None."""
        if not self.silhouette_sampled:
            return None
        size = SILHOUETTE_MAX_ROWS  # give or take a few rows of rounding per cluster
        return (
            f"Silhouette is estimated on a stratified sample of about {size:,} of the "
            f"{self.n_samples:,} rows per K (each cluster sampled in proportion to its size), "
            "because it compares every pair of points; error bars are ±1.96 standard errors. "
            "Calinski–Harabasz and Davies–Bouldin use all rows."
        )


# --------------------------------------------------------------------------- silhouette


def stratified_rows(labels: np.ndarray, max_rows: int, seed: int) -> np.ndarray:
    """A sample of about ``max_rows`` rows, each cluster in proportion to its size.

    Every non-empty cluster gets at least two rows (a silhouette needs a neighbour in
    the same cluster) or all of its rows if it has fewer. All rows when ``len(labels)
    <= max_rows``. Sorted row indices.
    """
    n = len(labels)
    if n <= max_rows:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    clusters, sizes = np.unique(labels, return_counts=True)
    take = np.minimum(np.maximum(np.round(sizes * max_rows / n).astype(int), 2), sizes)
    rows = [
        rng.choice(np.flatnonzero(labels == c), size=t, replace=False)
        for c, t in zip(clusters, take, strict=True)
    ]
    return np.sort(np.concatenate(rows))


@dataclass(frozen=True)
class SilhouetteEstimate:
    """The mean silhouette of a labelling, estimated on (stratified) sample rows.

    Attributes
    ----------
    mean : float
        NaN when undefined (fewer than 2 or more than n - 1 clusters).
    se : float
        Standard error of ``mean`` (0 when every row was used).
    rows, labels, values : ndarray
        The rows used, their labels and their silhouette values.
    """

    mean: float
    se: float
    rows: np.ndarray
    labels: np.ndarray
    values: np.ndarray


def _defined(labels: np.ndarray) -> bool:
    """Whether silhouette and friends are defined: 2 <= distinct labels <= n - 1."""
    n_labels = np.unique(labels).size
    return 2 <= n_labels <= len(labels) - 1


def silhouette_values(X: np.ndarray, labels: np.ndarray) -> np.ndarray | None:
    """Per-point silhouette values (``sklearn.metrics.silhouette_samples``), None when undefined."""
    if not _defined(labels):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(silhouette_samples(X, labels))


def _stratified_mean(values: np.ndarray, labels: np.ndarray, weights: dict[int, float]):
    """Stratum-weighted mean and its standard error (each cluster is a stratum)."""
    mean, var = 0.0, 0.0
    for c, w in weights.items():
        v = values[labels == c]
        mean += w * float(v.mean())
        var += w**2 * (float(v.var(ddof=1)) / v.size if v.size > 1 else 0.0)
    return mean, float(np.sqrt(var))


def silhouette_estimate(
    X: np.ndarray, labels: np.ndarray, max_rows: int = SILHOUETTE_MAX_ROWS, seed: int = 0
) -> SilhouetteEstimate:
    """Mean silhouette with an error bar; exact on up to ``max_rows`` rows, else sampled.

    Above ``max_rows`` the rows are a :func:`stratified_rows` sample, each point's
    silhouette is computed within the sample (as ``silhouette_score(sample_size=...)``
    does), and the mean weights each cluster by its share of *all* rows.
    """
    labels = np.asarray(labels)
    rows = stratified_rows(labels, max_rows, seed)
    lab = labels[rows]
    values = silhouette_values(X[rows], lab)
    if values is None:
        return SilhouetteEstimate(float("nan"), float("nan"), rows, lab, np.full(len(rows), np.nan))
    if len(rows) == len(labels):
        return SilhouetteEstimate(float(values.mean()), 0.0, rows, lab, values)
    clusters, sizes = np.unique(labels, return_counts=True)
    weights = {int(c): s / len(labels) for c, s in zip(clusters, sizes, strict=True)}
    mean, se = _stratified_mean(values, lab, weights)
    return SilhouetteEstimate(mean, se, rows, lab, values)


def _metric(fn: Callable, X: np.ndarray, labels: np.ndarray) -> float:
    """A metric that needs 2 <= distinct labels <= n - 1, NaN when undefined."""
    if not _defined(labels):
        return float("nan")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = float(fn(X, labels))
    except ValueError:
        return float("nan")
    return value if np.isfinite(value) else float("nan")


def score_labels(
    X: np.ndarray, labels: np.ndarray, max_rows: int = SILHOUETTE_MAX_ROWS, seed: int = 0
) -> tuple[SilhouetteEstimate, float, float]:
    """Silhouette estimate, Calinski–Harabasz and Davies–Bouldin of one labelling.

    Calinski–Harabasz and Davies–Bouldin use all rows (they are O(n)); each is NaN
    when undefined (fewer than 2 or more than n - 1 distinct labels, e.g. K = 1).
    """
    # The data were validated when loaded: skip scikit-learn's per-call checks, which
    # cost more than the metrics themselves on small data (a sweep scores every K).
    with sklearn.config_context(skip_parameter_validation=True, assume_finite=True):
        sil = silhouette_estimate(X, labels, max_rows, seed)
        return (
            sil,
            _metric(calinski_harabasz_score, X, labels),
            _metric(davies_bouldin_score, X, labels),
        )


# --------------------------------------------------------------------------- sweep


def _fit_all(
    X: np.ndarray, k_values: Sequence[int], n_init: int, init: str, seed: int, report: Progress
) -> ElbowResult:
    def fitted(done: int, total: int) -> None:
        report(FIT_SHARE * done / total, f"Fitting K-Means: {done} of {total} values of K done")

    with warnings.catch_warnings():
        # "fewer distinct clusters than K" on duplicate points: reported via n_distinct.
        warnings.simplefilter("ignore", RuntimeWarning)
        return elbow_sweep(
            X, k_values, n_init=n_init, init=init_argument(init), random_state=seed, progress=fitted
        )


def _score_all(
    X: np.ndarray, all_labels: np.ndarray, seed: int, report: Progress
) -> list[tuple[SilhouetteEstimate, float, float]]:
    scores = []
    for i, lab in enumerate(all_labels, start=1):
        scores.append(score_labels(X, lab, SILHOUETTE_MAX_ROWS, seed))
        n_k = len(all_labels)
        report(FIT_SHARE + (1 - FIT_SHARE) * i / n_k, f"Scoring: {i} of {n_k} values of K done")
    return scores


def _checked_progress(progress: Progress | None, check: Callable[[], None] | None) -> Progress:
    # Each progress step is also a place to stop.
    def report(fraction: float, message: str) -> None:
        if check is not None:
            check()
        if progress is not None:
            progress(fraction, message)

    return report


def run_sweep(
    X: np.ndarray,
    k_values: Sequence[int],
    *,
    n_init: int,
    init: str = "k-means++",
    seed: int = 0,
    progress: Progress | None = None,
    check: Callable[[], None] | None = None,
) -> KSweep:
    """Sweep K with kmeans_core and score the best restart of each K.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    k_values : sequence of int
        Each in ``[1, n_samples]``.
    n_init : int
        Restarts per K.
    init : {"k-means++", "random", "farthest point"}
    seed : int
        Drives the whole sweep and the silhouette sample.
    progress : callable, optional
        ``progress(fraction, message)`` after each K is fitted (from ``elbow_sweep``'s
        callback) and after each K is scored; fitting counts for the first
        ``FIT_SHARE`` of the way.
    check : callable, optional
        ``check()`` before the sweep starts, between Lloyd steps and restarts of every
        fit (:mod:`kmeans_core.interrupt`) and after each K is scored; it stops the
        sweep by raising (e.g. :class:`dashboard.budget.RunCancelled`).

    Returns
    -------
    KSweep

    Raises
    ------
    ValueError
        From kmeans_core, with a message fit for users.
    """
    report = _checked_progress(progress, check)
    if check is not None:
        check()  # before any work: a caller can learn cheaply whether it would start
    with interrupt.checking(check):
        res = _fit_all(X, k_values, n_init, init, seed, report)
    scores = _score_all(X, res.labels, seed, report)
    sils = [s for s, _, _ in scores]
    return KSweep(
        k_values=np.asarray(res.k_values, dtype=int),
        inertia_runs=np.asarray(res.inertia_runs, dtype=float),
        fit_seconds=np.asarray(res.fit_seconds, dtype=float),
        silhouette=np.array([s.mean for s in sils]),
        silhouette_se=np.array([s.se for s in sils]),
        calinski_harabasz=np.array([ch for _, ch, _ in scores]),
        davies_bouldin=np.array([db for _, _, db in scores]),
        sample_rows=tuple(s.rows for s in sils),
        sample_labels=tuple(s.labels.astype(np.int32) for s in sils),
        sample_values=tuple(s.values for s in sils),
        n_distinct=np.array([np.unique(lab).size for lab in res.labels], dtype=int),
        n_samples=len(X),
    )


# --------------------------------------------------------------------------- knee & drops


@dataclass(frozen=True)
class Knee:
    """The knee of the elbow curve, or why there is none.

    Attributes
    ----------
    k : int or None
    reason : str
        One sentence for the page: where the knee is, or why none was found.
    """

    k: int | None
    reason: str


def find_knee(k_values: ArrayLike, wcss: ArrayLike, sensitivity: float = 1.0) -> Knee:
    """Find the knee of a decreasing convex WCSS curve with ``kneed.KneeLocator``.

    Parameters
    ----------
    k_values : sequence of int
    wcss : sequence of float
    sensitivity : float
        kneed's ``S``: larger is more conservative (needs a sharper bend).

    Returns
    -------
    Knee
    """
    ks = np.asarray(k_values, dtype=float)
    y = np.asarray(wcss, dtype=float)
    if ks.size < 3:
        return Knee(None, "No knee: the elbow needs at least 3 values of K; widen the K range.")
    if not np.all(np.isfinite(y)) or np.ptp(y) <= 0:
        return Knee(None, "No knee: WCSS is the same for every K (e.g. all points identical).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # kneed warns "No knee/elbow found"
            kl = KneeLocator(ks, y, S=float(sensitivity), curve="convex", direction="decreasing")
        knee = kl.knee
    except (ValueError, ZeroDivisionError, IndexError):
        knee = None
    if knee is None or not np.isfinite(knee):
        return Knee(
            None,
            f"No knee found at sensitivity S = {sensitivity:g}: the curve bends too gently "
            "(try a lower S, or the data may have no clear cluster count).",
        )
    k = int(round(float(knee)))
    return Knee(k, f"The knee (kneed, S = {sensitivity:g}) is at K = {k}.")


def percent_drop(wcss: ArrayLike) -> np.ndarray:
    """Percentage drop of WCSS from each K to the next; NaN for the first and after zero.

    ``drop[i] = 100 * (wcss[i-1] - wcss[i]) / wcss[i-1]``.
    """
    y = np.asarray(wcss, dtype=float)
    out = np.full(y.shape, np.nan)
    if y.size > 1:
        prev = y[:-1]
        with np.errstate(divide="ignore", invalid="ignore"):
            out[1:] = np.where(prev > 0, 100.0 * (prev - y[1:]) / prev, np.nan)
    return out


# --------------------------------------------------------------------------- best K & vote


def best_k(k_values: ArrayLike, scores: ArrayLike, mode: str) -> int | None:
    """K with the best score (``mode`` "max" or "min"), ignoring NaN; ties go to the smaller K.

    Returns None when every score is NaN.
    """
    s = np.asarray(scores, dtype=float)
    ok = np.isfinite(s)
    if not ok.any():
        return None
    if mode not in ("max", "min"):
        raise ValueError(f"mode must be 'max' or 'min', got {mode!r}.")
    masked = np.where(ok, s, -np.inf if mode == "max" else np.inf)
    i = int(np.argmax(masked) if mode == "max" else np.argmin(masked))  # first = smaller K
    return int(np.asarray(k_values)[i])


def metric_bests(sweep: KSweep) -> dict[str, int | None]:
    """Best K per metric: silhouette max, Calinski–Harabasz max, Davies–Bouldin min."""
    return {
        "silhouette": best_k(sweep.k_values, sweep.silhouette, "max"),
        "calinski_harabasz": best_k(sweep.k_values, sweep.calinski_harabasz, "max"),
        "davies_bouldin": best_k(sweep.k_values, sweep.davies_bouldin, "min"),
    }


@dataclass(frozen=True)
class Recommendation:
    """The recommended K and the sentence explaining it.

    Attributes
    ----------
    k : int or None
        None when no criterion could vote.
    agree : list of str
        Criteria (keys of ``CRITERIA``) that voted for ``k``.
    strength : str
        "strong", "moderate" or "weak" agreement ("" without a recommendation).
    sentence : str
    """

    k: int | None
    agree: list[str]
    strength: str
    sentence: str


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _winner(cast: dict[str, int]) -> tuple[int, int, list[int]]:
    """The most-voted K (smaller on ties), its vote count and the other tied K's."""
    counts: dict[int, int] = {}
    for k in cast.values():
        counts[k] = counts.get(k, 0) + 1
    top = max(counts.values())
    tied = sorted(k for k, c in counts.items() if c == top)
    return tied[0], top, tied[1:]


def agreement_strength(n_agree: int, n_cast: int) -> str:
    """How strongly the criteria agree: "strong", "moderate" or "weak"."""
    share = n_agree / n_cast
    if n_cast >= 2 and share >= STRONG_AGREEMENT:
        return "strong"
    if n_cast >= 2 and share >= MODERATE_AGREEMENT and n_agree >= 2:
        return "moderate"
    return "weak"


def _headline(k: int, names: list[str], top: int, n_cast: int, tied: list[int]) -> str:
    if n_cast == 1:
        return f"Recommended K = {k}: only {names[0]} gave an answer"
    if top == 1:
        return (
            f"Recommended K = {k}, but the criteria disagree: each picks a different K, "
            f"so the smallest ({names[0]}'s) is taken"
        )
    verb = "both agree" if top == 2 == n_cast else "agree"
    s = f"Recommended K = {k}: {_join(names)} {verb} ({top} of {n_cast} criteria"
    if tied:
        s += f"; tied with K = {_join([str(t) for t in tied])}, so the smaller K wins"
    return s + ")"


def _dissent(cast: dict[str, int], k: int) -> str:
    prefs = [f"{CRITERION_NAMES[c]} prefers K = {cast[c]}" for c in CRITERIA if cast.get(c, k) != k]
    return " " + _cap("; ".join(prefs)) + "." if prefs else ""


def _no_votes(votes: dict[str, int | None]) -> str:
    missing = [c for c in CRITERIA if c in votes and votes[c] is None]
    if not missing:
        return ""
    why = {"knee": "none found", "gap": "no K passes its rule"}
    named = [f"{CRITERION_NAMES[c]} ({why.get(c, 'undefined here')})" for c in missing]
    return " No vote from " + _join(named) + "."


def recommend(votes: dict[str, int | None]) -> Recommendation:
    """Majority vote over the criteria's best K; a tie goes to the smaller K.

    Parameters
    ----------
    votes : dict
        Criterion name (one of ``CRITERIA``) -> its best K, or None when it has none.
        Criteria left out of the dict were not computed and are not mentioned.

    Returns
    -------
    Recommendation
        Its sentence names the criteria that agree, the strength of the agreement,
        each dissenting criterion's K and the criteria that could not vote.
    """
    cast = {c: k for c, k in votes.items() if k is not None}
    if not cast:
        return Recommendation(
            None,
            [],
            "",
            "No recommendation: no criterion could pick a K (the data are too small or "
            "all points are identical).",
        )
    k, top, tied = _winner(cast)
    agree = [c for c in CRITERIA if cast.get(c) == k]
    strength = agreement_strength(top, len(cast))
    names = [CRITERION_NAMES[c] for c in agree]
    s = _headline(k, names, top, len(cast), tied)
    s += f" — {strength} agreement." if len(cast) > 1 else "."
    return Recommendation(k, agree, strength, s + _dissent(cast, k) + _no_votes(votes))


def picked_k(points: Sequence[Mapping[str, Any]], k_values: ArrayLike) -> int | None:
    """The K of the point last selected on a chart (Plotly selection event), if it was swept.

    Every trace on the Choose K charts has K on its x axis, so a point's ``x`` is its K.
    """
    swept = {int(k) for k in np.asarray(k_values).ravel()}
    for point in reversed(list(points)):
        x = point.get("x")
        if isinstance(x, int | float) and float(x).is_integer() and int(x) in swept:
            return int(x)
    return None


# --------------------------------------------------------------------------- knife plot


@dataclass(frozen=True)
class ClusterSilhouette:
    """Silhouette values of one cluster, sorted from high to low."""

    cluster: int
    values: np.ndarray
    mean: float


@dataclass(frozen=True)
class SilhouetteDiagram:
    """Data for the silhouette (knife) plot of one K.

    Attributes
    ----------
    k : int
    clusters : list of ClusterSilhouette
        One per non-empty cluster, in cluster order, values sorted descending.
    average : float
        Mean silhouette over all plotted points.
    below : list of int
        Clusters lying entirely below the average (their best point < average).
    weakest : int
        Cluster with the lowest mean silhouette.
    n_points : int
    """

    k: int
    clusters: list[ClusterSilhouette]
    average: float
    below: list[int]
    weakest: int
    n_points: int


def silhouette_diagram(values: np.ndarray, labels: np.ndarray, k: int) -> SilhouetteDiagram | None:
    """Per-point silhouette values grouped by cluster and sorted, for the knife plot.

    Parameters
    ----------
    values : ndarray of shape (n,)
        Silhouette value of each point (:func:`silhouette_values`; NaN when undefined).
    labels : ndarray of shape (n,)
    k : int
        The K these labels came from (for titles).

    Returns
    -------
    SilhouetteDiagram or None
        None when the silhouette is undefined (fewer than 2 or more than n - 1 clusters).
    """
    labels = np.asarray(labels)
    values = np.asarray(values, dtype=float)
    if not _defined(labels) or not np.all(np.isfinite(values)):
        return None
    average = float(values.mean())
    clusters = [
        ClusterSilhouette(
            int(c), np.sort(values[labels == c])[::-1], float(values[labels == c].mean())
        )
        for c in np.unique(labels)
    ]
    below = [c.cluster for c in clusters if c.values[0] < average]
    weakest = min(clusters, key=lambda c: c.mean).cluster
    return SilhouetteDiagram(int(k), clusters, average, below, weakest, int(len(labels)))


def sweep_diagram(
    sweep: KSweep, k: int, numbers: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
) -> SilhouetteDiagram | None:
    """The knife-plot data of one swept K, from the values the sweep kept (no recomputing).

    ``numbers(rows, labels)``, when given, renumbers the sampled rows' labels (so the
    blades carry the cluster numbers and colours the other pages show).
    """
    hit = np.flatnonzero(sweep.k_values == k)
    if hit.size == 0:
        return None
    i = int(hit[0])
    labels = sweep.sample_labels[i]
    if numbers is not None:
        labels = numbers(sweep.sample_rows[i], labels)
    return silhouette_diagram(sweep.sample_values[i], labels, k)


def describe_diagram(diag: SilhouetteDiagram) -> str:
    """One or two sentences calling out clusters that lie entirely below the average."""
    avg = f"{diag.average:.2f}"
    weakest = next(c for c in diag.clusters if c.cluster == diag.weakest)
    if diag.below:
        which = _join([str(c) for c in diag.below])
        plural = len(diag.below) > 1
        return (
            f"Cluster{'s' if plural else ''} {which} lie{'' if plural else 's'} entirely below "
            f"the average silhouette ({avg}): every point in {'them' if plural else 'it'} fits "
            "its cluster worse than the average point does — a sign that K is too high or "
            f"that {'these clusters are' if plural else 'this cluster is'} poorly separated."
        )
    return (
        f"No cluster lies entirely below the average silhouette ({avg}). "
        f"The weakest is cluster {weakest.cluster} (mean {weakest.mean:.2f})."
    )


# --------------------------------------------------------------------------- warnings


def _duplicate_warning(sweep: KSweep) -> str | None:
    ks = sweep.k_values
    short = ks[sweep.n_distinct < ks]
    if not short.size:
        return None
    listed = ", ".join(map(str, short[:6])) + ("…" if short.size > 6 else "")
    return (
        f"For K = {listed}, K-Means found fewer distinct clusters than K: the data have "
        f"only about {int(sweep.n_distinct.max())} distinct groups of identical points."
    )


def sweep_warnings(sweep: KSweep) -> list[str]:
    """Plain-language warnings about a sweep: identical points, duplicate points.

    Parameters
    ----------
    sweep : KSweep

    Returns
    -------
    list of str
    """
    if sweep.n_distinct.max() == 1 and np.all(sweep.inertia_runs == 0):
        return [
            "All points are identical: WCSS is 0 for every K and the silhouette, "
            "Calinski–Harabasz and Davies–Bouldin are undefined. There is nothing to cluster."
        ]
    dup = _duplicate_warning(sweep)
    return [dup] if dup else []


def edge_warning(k_values: ArrayLike, votes: dict[str, int | None]) -> str | None:
    """A warning when criteria pick the largest (or a smallest above 2) K of the range.

    A best K at the edge of the swept range may only be the edge: the true optimum
    can lie beyond it. Needs at least 3 swept K's to say anything.
    """
    ks = sorted(int(k) for k in np.asarray(k_values).ravel())
    if len(ks) < 3:
        return None
    edges = {ks[-1]: "largest"} | ({ks[0]: "smallest"} if ks[0] > 2 else {})
    hits = [(c, k) for c, k in votes.items() if k in edges]
    if not hits:
        return None
    said = _join([f"{CRITERION_NAMES[c]} (K = {k}, the {edges[k]} K swept)" for c, k in hits])
    return (
        f"At the edge of the range: {said}. The best K may lie beyond it — try a wider range "
        "(the K range slider above)."
    )


def band_note(sweep: KSweep) -> str:
    """One sentence on the restart band: absent, too thin to see, or where it is widest."""
    n_init = sweep.inertia_runs.shape[1]
    if n_init == 1:
        return "One restart per K, so there is no spread band."
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(
            sweep.inertia_mean > 0, (sweep.inertia_max - sweep.inertia_min) / sweep.inertia_mean, 0
        )
    i = int(np.argmax(rel))
    if rel[i] < 0.01:
        return (
            f"All {n_init} restarts landed within 1% of each other at every K, "
            "so the band is barely visible."
        )
    return (
        f"The restarts disagree most at K = {int(sweep.k_values[i])}: WCSS from "
        f"{sweep.inertia_min[i]:,.4g} to {sweep.inertia_max[i]:,.4g} ({rel[i]:.0%} of the mean), "
        "so a single run there can land in a worse local minimum."
    )
