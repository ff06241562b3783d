"""Choosing K: the elbow sweep, quality metrics per K, the knee, and a recommendation.

Everything here is plain Python (NumPy / scikit-learn / kneed); the page calls it
through the cached wrapper in :mod:`dashboard.streamlit_glue`. K-Means itself always
comes from ``kmeans_core.elbow_sweep``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from kneed import KneeLocator
from sklearn.metrics import (
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_samples,
)

from kmeans_core import elbow_sweep, farthest_point_init

DEFAULT_K_RANGE = (1, 10)
DEFAULT_N_INIT = 3
# Silhouette is O(n^2) in time and memory: above this many rows it runs on a
# fixed-seed sample of this size (same rows for every K, so the K's compare fairly).
SILHOUETTE_MAX_ROWS = 3000
# Restarts are capped so that rows x restarts stays below this (1,000,000 rows -> 1 restart).
MAX_ROW_RESTARTS = 1_000_000
# Share of the progress bar for fitting; the rest is for the metrics.
FIT_SHARE = 0.85
# Above this many rows x K-fits the page warns that the sweep will take a while.
SLOW_SWEEP_WORK = 5_000_000

CRITERIA = ("knee", "silhouette", "calinski_harabasz", "davies_bouldin")
CRITERION_NAMES = {
    "knee": "the knee",
    "silhouette": "silhouette",
    "calinski_harabasz": "Calinski–Harabasz",
    "davies_bouldin": "Davies–Bouldin",
}


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
    sample_idx : ndarray of int
        Rows the silhouette was computed on (all rows for small data).
    sample_labels : ndarray of shape (n_k, len(sample_idx)), int
        Best-restart labels of those rows, per K (for the silhouette diagram).
    n_distinct : ndarray of int, shape (n_k,)
        Distinct labels the best restart actually used per K.
    silhouette_note : str or None
        Said under the metrics when the silhouette used a sample.
    """

    k_values: np.ndarray
    inertia_runs: np.ndarray
    fit_seconds: np.ndarray
    silhouette: np.ndarray
    calinski_harabasz: np.ndarray
    davies_bouldin: np.ndarray
    sample_idx: np.ndarray
    sample_labels: np.ndarray
    n_distinct: np.ndarray
    silhouette_note: str | None

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


def silhouette_sample(
    n_samples: int, seed: int, max_rows: int = SILHOUETTE_MAX_ROWS
) -> tuple[np.ndarray, str | None]:
    """Rows to compute the silhouette on, and a note when it is a sample.

    Uses the same draw as ``sklearn.metrics.silhouette_score(..., sample_size=max_rows,
    random_state=seed)`` (``RandomState(seed).permutation(n)[:max_rows]``), so the
    score equals scikit-learn's sampled score.
    """
    if n_samples <= max_rows:
        return np.arange(n_samples), None
    idx = np.random.RandomState(seed).permutation(n_samples)[:max_rows]
    note = (
        f"Silhouette is computed on a fixed random sample of {max_rows:,} of the "
        f"{n_samples:,} rows (seed {seed}; the same rows for every K), because it compares "
        "every pair of points. Calinski–Harabasz and Davies–Bouldin use all rows."
    )
    return idx, note


def _metric(fn: Callable, X: np.ndarray, labels: np.ndarray) -> float:
    """A metric that needs 2 <= distinct labels <= n - 1, NaN when undefined."""
    n_labels = np.unique(labels).size
    if n_labels < 2 or n_labels > len(labels) - 1:
        return float("nan")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = float(fn(X, labels))
    except ValueError:
        return float("nan")
    return value if np.isfinite(value) else float("nan")


def score_labels(
    X: np.ndarray, labels: np.ndarray, sample_idx: np.ndarray
) -> tuple[float, float, float]:
    """Silhouette (on ``sample_idx``), Calinski–Harabasz and Davies–Bouldin of one labelling.

    Returns NaN for each metric that is undefined (fewer than 2 or more than n - 1
    distinct labels, e.g. K = 1 or all points identical).
    """
    sil = _metric(lambda A, b: silhouette_samples(A, b).mean(), X[sample_idx], labels[sample_idx])
    ch = _metric(calinski_harabasz_score, X, labels)
    db = _metric(davies_bouldin_score, X, labels)
    return sil, ch, db


def _init_arg(init: str):
    # kmeans_core takes the two classic names as strings and anything else as a callable.
    return farthest_point_init if init == "farthest point" else init


def run_sweep(
    X: np.ndarray,
    k_values: Sequence[int],
    *,
    n_init: int,
    init: str = "k-means++",
    seed: int = 0,
    progress: Callable[[float, str], None] | None = None,
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

    Returns
    -------
    KSweep

    Raises
    ------
    ValueError
        From kmeans_core, with a message fit for users.
    """
    report = progress or (lambda fraction, message: None)

    def fitted(done: int, total: int) -> None:
        report(FIT_SHARE * done / total, f"Fitting K-Means: {done} of {total} values of K done")

    with warnings.catch_warnings():
        # "fewer distinct clusters than K" on duplicate points: reported via n_distinct.
        warnings.simplefilter("ignore", RuntimeWarning)
        res = elbow_sweep(
            X, k_values, n_init=n_init, init=_init_arg(init), random_state=seed, progress=fitted
        )
    idx, note = silhouette_sample(len(X), seed)
    rows = []
    for i, lab in enumerate(res.labels, start=1):
        rows.append(score_labels(X, lab, idx))
        n_k = len(res.labels)
        report(FIT_SHARE + (1 - FIT_SHARE) * i / n_k, f"Scoring: {i} of {n_k} values of K done")
    scores = np.array(rows).reshape(-1, 3)
    return KSweep(
        k_values=np.asarray(res.k_values, dtype=int),
        inertia_runs=np.asarray(res.inertia_runs, dtype=float),
        fit_seconds=np.asarray(res.fit_seconds, dtype=float),
        silhouette=scores[:, 0],
        calinski_harabasz=scores[:, 1],
        davies_bouldin=scores[:, 2],
        sample_idx=idx,
        sample_labels=res.labels[:, idx].astype(np.int32),
        n_distinct=np.array([np.unique(lab).size for lab in res.labels], dtype=int),
        silhouette_note=note,
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


def find_knee(k_values: Sequence[int], wcss: Sequence[float], sensitivity: float = 1.0) -> Knee:
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


def percent_drop(wcss: Sequence[float]) -> np.ndarray:
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


def best_k(k_values: Sequence[int], scores: Sequence[float], mode: str) -> int | None:
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
    sentence : str
    """

    k: int | None
    agree: list[str]
    sentence: str


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def recommend(votes: dict[str, int | None]) -> Recommendation:
    """Majority vote over the criteria's best K; a tie goes to the smaller K.

    Parameters
    ----------
    votes : dict
        Criterion name (one of ``CRITERIA``) -> its best K, or None when it has none.

    Returns
    -------
    Recommendation
    """
    cast = {c: k for c, k in votes.items() if k is not None}
    if not cast:
        return Recommendation(
            None,
            [],
            "No recommendation: no criterion could pick a K (the data are too small or "
            "all points are identical).",
        )
    counts: dict[int, int] = {}
    for k in cast.values():
        counts[k] = counts.get(k, 0) + 1
    top = max(counts.values())
    k = min(kk for kk, c in counts.items() if c == top)
    agree = [c for c in CRITERIA if cast.get(c) == k]
    others = [c for c in CRITERIA if c in cast and cast[c] != k]
    missing = [c for c in CRITERIA if c in votes and votes[c] is None]
    names = [CRITERION_NAMES[c] for c in agree]
    if len(cast) == 1:
        s = f"Recommended K = {k}: only {names[0]} gave an answer."
    elif not others:
        s = f"Recommended K = {k}: {_join(names)} {'both' if len(agree) == 2 else 'all'} agree."
    elif top == 1:
        s = (
            f"Recommended K = {k}, but the criteria disagree: each picks a different K, "
            f"so the smallest ({names[0]}'s) is taken."
        )
    else:
        tied = sorted(kk for kk, c in counts.items() if c == top and kk != k)
        s = f"Recommended K = {k}: {_join(names)} agree ({top} of {len(cast)} votes"
        if tied:
            s += f"; tied with K = {_join([str(t) for t in tied])}, so the smaller K wins"
        s += ")."
    if others:
        prefs = [f"{CRITERION_NAMES[c]} prefers K = {cast[c]}" for c in others]
        s += " " + _cap("; ".join(prefs)) + "."
    if missing:
        why = {c: "none found" if c == "knee" else "undefined here" for c in missing}
        s += " No vote from " + _join([f"{CRITERION_NAMES[c]} ({why[c]})" for c in missing]) + "."
    return Recommendation(k, agree, s)


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


def silhouette_diagram(X: np.ndarray, labels: np.ndarray, k: int) -> SilhouetteDiagram | None:
    """Per-point silhouette values grouped by cluster and sorted, for the knife plot.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        The rows to use (already sampled for large data).
    labels : ndarray of shape (n,)
    k : int
        The K these labels came from (for titles).

    Returns
    -------
    SilhouetteDiagram or None
        None when the silhouette is undefined (fewer than 2 or more than n - 1 clusters).
    """
    labels = np.asarray(labels)
    present = np.unique(labels)
    if present.size < 2 or present.size > len(labels) - 1:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = silhouette_samples(X, labels)
    average = float(s.mean())
    clusters = [
        ClusterSilhouette(int(c), np.sort(s[labels == c])[::-1], float(s[labels == c].mean()))
        for c in present
    ]
    below = [c.cluster for c in clusters if c.values[0] < average]
    weakest = min(clusters, key=lambda c: c.mean).cluster
    return SilhouetteDiagram(int(k), clusters, average, below, weakest, int(len(labels)))


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


def sweep_warnings(sweep: KSweep, recommended: int | None) -> list[str]:
    """Plain-language warnings about a sweep: identical points, duplicates, K at the edge.

    Parameters
    ----------
    sweep : KSweep
    recommended : int or None
        The recommended K, to say when it sits at the top of the swept range.

    Returns
    -------
    list of str
    """
    out = []
    ks = sweep.k_values
    if sweep.n_distinct.max() == 1 and np.all(sweep.inertia_runs == 0):
        out.append(
            "All points are identical: WCSS is 0 for every K and the silhouette, "
            "Calinski–Harabasz and Davies–Bouldin are undefined. There is nothing to cluster."
        )
        return out
    short = ks[sweep.n_distinct < ks]
    if short.size:
        listed = ", ".join(map(str, short[:6])) + ("…" if short.size > 6 else "")
        out.append(
            f"For K = {listed}, K-Means found fewer distinct clusters than K: the data have "
            f"only about {int(sweep.n_distinct.max())} distinct groups of identical points."
        )
    if recommended is not None and ks.size > 2 and recommended == ks.max():
        out.append(
            f"The recommended K = {recommended} is the largest K swept: the best K may lie "
            "beyond the range, or the data may have no clear cluster structure. Try a wider range."
        )
    return out


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
