"""Timing harness for the Speed page: why vectorised NumPy K-Means is fast.

Times one Lloyd iteration (assign every point to its nearest center, then move
the centers) for kmeans_core's three teaching tiers (Python loops, NumPy
broadcasting, the ||x||^2 - 2x.c + ||c||^2 matrix product), for kmeans_core's
own estimator and for scikit-learn, all from the same initial centers.

The page must never hang, so:

- the slow tiers ("loops", "broadcast") are first run on a small probe and the
  time is extrapolated linearly in N*K*d; a tier whose estimate exceeds the
  time budget is skipped, and the page says what it would have cost;
- the broadcasting tier allocates N x K x d temporaries, so sizes whose
  temporaries exceed a memory limit are refused with the reason;
- fast measurements are repeated and the median kept, slow ones are run once.

Everything takes an injectable ``clock`` (and ``runners``), so tests are not
timing-dependent. No Streamlit here.
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from sklearn.cluster import KMeans as SklearnKMeans
from sklearn.datasets import make_blobs
from threadpoolctl import threadpool_limits

from kmeans_core import TIERS, KMeans, broadcast_bytes, lloyd_iteration

METHODS: tuple[str, ...] = (*TIERS, "kmeans_core", "sklearn")
METHOD_LABELS: dict[str, str] = {
    "loops": "Python loops",
    "broadcast": "NumPy broadcasting",
    "gemm": "GEMM (‖x‖² − 2x·c + ‖c‖²)",
    "kmeans_core": "kmeans_core.KMeans",
    "sklearn": "scikit-learn KMeans",
}
# Tiers that can take minutes or gigabytes: estimated from a probe before running.
CAPPED_METHODS: tuple[str, ...] = ("loops", "broadcast")
BASELINE = "loops"

DEFAULT_BUDGET_S = 3.0
DEFAULT_MEMORY_LIMIT_BYTES = 512 * 2**20
DEFAULT_REPEATS = 5
# The estimators run this many iterations per fit (tol=0); time is divided by n_iter_.
TIMED_MAX_ITER = 10
# Blobs overlap enough that Lloyd keeps moving for several iterations.
CLUSTER_STD = 3.0

# Probe size: about this many innermost loop steps (rows * K * d), within bounds.
PROBE_OPS = 100_000
MIN_PROBE_ROWS = 10
MAX_PROBE_ROWS = 200

# Size limits for the page's inputs (the data itself must fit comfortably in memory).
MAX_N = 1_000_000
MAX_D = 100
MAX_K = 64
MAX_DATA_BYTES = 128 * 2**20

Clock = Callable[[], float]
Progress = Callable[[float, str], None]
Threads = int | None
Status = Literal["measured", "skipped", "refused"]


@dataclass(frozen=True)
class RunOutcome:
    """What one timed call returns: labels and how many Lloyd iterations it ran."""

    labels: np.ndarray
    iterations: int = 1


Runner = Callable[[np.ndarray, np.ndarray], RunOutcome]


@dataclass(frozen=True)
class MethodTiming:
    """The timing of one method at one size.

    Attributes
    ----------
    method : str
        One of :data:`METHODS`.
    status : {"measured", "skipped", "refused"}
    seconds : float or None
        Median seconds per Lloyd iteration ("measured" only).
    runs : tuple of float
        Every timed run, seconds per iteration.
    estimate : float or None
        Seconds per iteration extrapolated from the probe (capped methods only).
    message : str or None
        Why it was skipped or refused, in words for the page.
    iterations : int
        Lloyd iterations per timed call (1 for the tiers, n_iter_ for estimators).
    labels : ndarray or None
        Labels the method produced (on the first ``len(labels)`` rows of the data:
        the probe rows when a tier was skipped).
    """

    method: str
    status: Status
    seconds: float | None = None
    runs: tuple[float, ...] = ()
    estimate: float | None = None
    message: str | None = None
    iterations: int = 1
    labels: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def label(self) -> str:
        """Display name of the method."""
        return METHOD_LABELS.get(self.method, self.method)

    @property
    def best_guess(self) -> float | None:
        """Measured seconds per iteration, else the estimate (may be None)."""
        return self.seconds if self.seconds is not None else self.estimate


@dataclass(frozen=True)
class SpeedResult:
    """Timings of every method at one (N, d, K).

    Attributes
    ----------
    n, d, k, seed : int
    timings : tuple of MethodTiming
        In :data:`METHODS` order.
    speedups : dict
        Method -> loop-tier seconds / method seconds (measured methods only).
    baseline_estimated : bool
        True when the loop tier was skipped and its estimate is the baseline.
    tier_mismatches : dict
        Tier -> number of rows whose labels differ from the GEMM tier's.
    tier_rows_checked : dict
        Tier -> number of rows compared.
    estimators_mismatch : int or None
        Rows where kmeans_core and scikit-learn disagree after their fits.
    """

    n: int
    d: int
    k: int
    seed: int
    timings: tuple[MethodTiming, ...]
    speedups: dict[str, float]
    baseline_estimated: bool
    tier_mismatches: dict[str, int]
    tier_rows_checked: dict[str, int]
    estimators_mismatch: int | None

    def timing(self, method: str) -> MethodTiming:
        """The timing of ``method``."""
        for t in self.timings:
            if t.method == method:
                return t
        raise KeyError(method)


@dataclass(frozen=True)
class SweepResult:
    """Seconds per iteration against N for each method (None where not measured).

    Attributes
    ----------
    n_values : tuple of int
    d, k : int
    seconds : dict
        Method -> tuple aligned with ``n_values``: measured median or None.
    estimates : dict
        Method -> tuple aligned with ``n_values``: estimate where skipped, else None.
    notes : dict
        Method -> list of messages about skipped or refused points.
    """

    n_values: tuple[int, ...]
    d: int
    k: int
    seconds: dict[str, tuple[float | None, ...]]
    estimates: dict[str, tuple[float | None, ...]]
    notes: dict[str, list[str]]


# --------------------------------------------------------------------------- formatting


def format_seconds(seconds: float) -> str:
    """Seconds in a readable unit: ``"41 s"``, ``"2.5 s"``, ``"12.3 ms"``, ``"85 µs"``."""
    if seconds >= 10:
        return f"{seconds:,.0f} s"
    if seconds >= 1:
        return f"{seconds:.2g} s"
    if seconds >= 1e-3:
        ms = seconds * 1e3
        return f"{ms:.0f} ms" if ms >= 100 else f"{ms:.3g} ms"
    us = seconds * 1e6
    return f"{us:.0f} µs" if us >= 10 else f"{us:.2g} µs"


def format_count(n: int) -> str:
    """A row count for an axis: ``"800"``, ``"1k"``, ``"3.3k"``, ``"20k"``, ``"1M"``."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.2g}M"
    if n >= 1000:
        return f"{n / 1000:.2g}k"
    return str(n)


def format_bytes(n_bytes: float) -> str:
    """Bytes in binary units: ``"512 MB"``, ``"2.4 GB"`` (MB = 2**20 bytes)."""
    for unit, scale in (("GB", 2**30), ("MB", 2**20), ("kB", 2**10)):
        if n_bytes >= scale:
            value = n_bytes / scale
            return f"{value:.3g} {unit}" if value < 100 else f"{value:.0f} {unit}"
    return f"{int(n_bytes)} B"


def format_speedup(ratio: float) -> str:
    """A speed-up factor: ``"1×"``, ``"3.4×"``, ``"57×"``, ``"1,234×"``."""
    if ratio >= 10:
        return f"{ratio:,.0f}×"
    return f"{ratio:.2g}×"


# --------------------------------------------------------------------------- data


def check_sizes(n: int, d: int, k: int) -> str | None:
    """Why (N, d, K) cannot be timed, or None when it can.

    Parameters
    ----------
    n, d, k : int
        Rows, features and clusters.

    Returns
    -------
    str or None
        A sentence saying what is wrong and what to do.
    """
    if n < 1 or d < 1 or k < 1:
        return "N, d and K must all be at least 1."
    if k > n:
        return f"K = {k} is more than N = {n:,} rows; choose K ≤ N."
    if n > MAX_N or d > MAX_D or k > MAX_K:
        return f"The Speed page times up to N = {MAX_N:,}, d = {MAX_D} and K = {MAX_K}."
    data = n * d * 8
    if data > MAX_DATA_BYTES:
        return (
            f"N × d = {n * d:,} values ({format_bytes(data)}) is more data than this page "
            f"generates (limit {format_bytes(MAX_DATA_BYTES)}); lower N or d."
        )
    return None


def make_timing_data(n: int, d: int, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic blobs and the initial centers every method starts from.

    ``make_blobs`` shuffles its rows, so any prefix ``X[:m]`` is itself a fair
    sample: the N sweep and the probes use prefixes of the same data.

    Parameters
    ----------
    n, d, k : int
        Rows, features, clusters (also the number of blobs).
    seed : int
        Drives the data and the choice of initial centers.

    Returns
    -------
    X : ndarray of shape (n, d), float64
    centers : ndarray of shape (k, d)
        K distinct rows of ``X[:max(k, min(n, 1000))]``: the sweep's smaller prefixes
        start from the same centers (some may lie outside a small prefix, which only
        matters for the labels, not for the time per iteration).
    """
    X, _ = make_blobs(
        n_samples=n, n_features=d, centers=k, cluster_std=CLUSTER_STD, random_state=seed
    )
    rng = np.random.default_rng(seed)
    pool = max(k, min(n, 1000))
    centers = X[rng.choice(pool, size=k, replace=False)].copy()
    return np.ascontiguousarray(X, dtype=np.float64), centers


def dataset_timing_data(X: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A user's data prepared like :func:`make_timing_data`: shuffled rows and K start centers.

    Rows are shuffled (seeded) so that the prefixes the sweep uses are fair samples
    even when the file is sorted, e.g. by class.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    k : int
        Number of centers, at most ``n_samples``.
    seed : int

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64, rows permuted
    centers : ndarray of shape (k, n_features)
        K distinct rows of ``X[:max(k, min(n, 1000))]`` (after shuffling).
    """
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    if not 1 <= k <= n:
        raise ValueError(f"K = {k} is more than the {n:,} rows of this dataset; choose K ≤ {n}.")
    rng = np.random.default_rng(seed)
    Xs = np.ascontiguousarray(X[rng.permutation(n)])
    pool = max(k, min(n, 1000))
    centers = Xs[rng.choice(pool, size=k, replace=False)].copy()
    return Xs, centers


# --------------------------------------------------------------------------- runners


def thread_limit(threads: Threads):
    """Context manager limiting BLAS and OpenMP pools to ``threads`` (None: no limit).

    On a busy machine, OpenMP threads that wait for each other at every barrier can
    make a multi-threaded method many times slower; one thread each is the fairest
    comparison there.
    """
    return threadpool_limits(limits=threads)


def _tier_runner(tier: str) -> Runner:
    def run(X: np.ndarray, C: np.ndarray) -> RunOutcome:
        labels, _ = lloyd_iteration(X, C, tier=tier)
        return RunOutcome(labels, 1)

    return run


def _estimator_runner(cls, max_iter: int) -> Runner:
    def run(X: np.ndarray, C: np.ndarray) -> RunOutcome:
        # tol=0: stop only on unchanged labels or max_iter, so both libraries do the
        # same number of iterations from the same start.
        model = cls(n_clusters=C.shape[0], init=C, n_init=1, max_iter=max_iter, tol=0.0)
        model.fit(X)
        return RunOutcome(np.asarray(model.labels_), max(1, int(model.n_iter_)))

    return run


def default_runners(max_iter: int = TIMED_MAX_ITER) -> dict[str, Runner]:
    """The real methods: the three tiers and the two estimators.

    The estimators are timed over a whole ``fit`` (init given, ``n_init=1``,
    ``tol=0``, up to ``max_iter`` iterations) and the time is divided by
    ``n_iter_``; that per-iteration figure includes each fit's fixed cost
    (validation, copying and centring X, the final labelling), spread over the
    iterations.
    """
    runners: dict[str, Runner] = {tier: _tier_runner(tier) for tier in TIERS}
    runners["kmeans_core"] = _estimator_runner(KMeans, max_iter)
    runners["sklearn"] = _estimator_runner(SklearnKMeans, max_iter)
    return runners


# --------------------------------------------------------------------------- estimates and caps


def probe_rows(n: int, k: int, d: int) -> int:
    """Rows in the probe run: about :data:`PROBE_OPS` inner steps, never more than N."""
    rows = PROBE_OPS // max(1, k * d)
    return int(min(n, max(MIN_PROBE_ROWS, min(MAX_PROBE_ROWS, rows))))


def extrapolate_seconds(
    probe_seconds: float, probe_size: tuple[int, int, int], target_size: tuple[int, int, int]
) -> float:
    """Scale a probe's time linearly in N*K*d.

    Parameters
    ----------
    probe_seconds : float
        Time the probe took.
    probe_size, target_size : (n, k, d)

    Returns
    -------
    float
        ``probe_seconds * (n*k*d of target) / (n*k*d of probe)``.
    """
    probe_work = math.prod(probe_size)
    if probe_work <= 0:
        raise ValueError("The probe size must be positive.")
    return probe_seconds * math.prod(target_size) / probe_work


def memory_refusal(n: int, k: int, d: int, limit_bytes: int) -> str | None:
    """Why the broadcasting tier refuses (N, K, d), or None when it fits.

    The tier allocates two N x K x d float64 arrays at its peak
    (:func:`kmeans_core.broadcast_bytes`).
    """
    need = broadcast_bytes(n, k, d)
    if need <= limit_bytes:
        return None
    return (
        f"refused: needs {format_bytes(need)} for its N×K×d temporaries "
        f"(limit {format_bytes(limit_bytes)}); lower N, K or d"
    )


def skip_message(estimate: float, budget_s: float) -> str:
    """What the page says for a tier that was not run."""
    return f"skipped: estimated {format_seconds(estimate)} per iteration (budget {budget_s:g} s)"


def timed_call(runner: Runner, X: np.ndarray, C: np.ndarray, clock: Clock):
    """Run once; return (elapsed seconds, outcome)."""
    start = clock()
    out = runner(X, C)
    return clock() - start, out


def estimate_seconds(
    runner: Runner, X: np.ndarray, C: np.ndarray, n_target: int, *, clock: Clock
) -> tuple[float, RunOutcome]:
    """Estimate seconds per iteration at ``n_target`` rows from a probe on the first rows.

    Returns
    -------
    estimate : float
    outcome : RunOutcome
        The probe's result (its labels cover the probe rows).
    """
    k, d = C.shape
    m = probe_rows(min(n_target, X.shape[0]), k, d)
    elapsed, out = timed_call(runner, X[:m], C, clock)
    per_iter = elapsed / out.iterations
    return extrapolate_seconds(per_iter, (m, k, d), (n_target, k, d)), out


def repeat_plan(first_s: float, repeats: int, budget_s: float) -> tuple[bool, int]:
    """How to repeat a method whose first call took ``first_s``.

    If ``repeats + 1`` such calls fit in the budget, the first call is a warm-up
    (first calls pay for thread pools and caches) and ``repeats`` more are timed;
    otherwise the first call counts and more are made only while they fit.

    Returns
    -------
    discard_first : bool
    more : int
        Further calls to time.
    """
    repeats = max(1, int(repeats))
    if first_s * (repeats + 1) <= budget_s:
        return True, repeats
    more, spent = 0, first_s
    while 1 + more < repeats and spent + first_s <= budget_s:
        more += 1
        spent += first_s
    return False, more


def measure(
    runner: Runner,
    X: np.ndarray,
    C: np.ndarray,
    *,
    repeats: int,
    budget_s: float,
    clock: Clock,
) -> tuple[float, tuple[float, ...], RunOutcome]:
    """Median seconds per iteration, spending about ``budget_s`` at most.

    The first call is timed, then repeated as :func:`repeat_plan` says.

    Returns
    -------
    median : float
    runs : tuple of float
        Seconds per iteration of each counted call.
    outcome : RunOutcome
        The first call's result.
    """
    first, out = timed_call(runner, X, C, clock)
    warmup, more = repeat_plan(first, repeats, budget_s)
    runs = [] if warmup else [first / out.iterations]
    for _ in range(more):
        elapsed, again = timed_call(runner, X, C, clock)
        runs.append(elapsed / again.iterations)
    return statistics.median(runs), tuple(runs), out


def screen_method(
    method: str,
    runner: Runner,
    X: np.ndarray,
    C: np.ndarray,
    *,
    budget_s: float,
    memory_limit_bytes: int,
    clock: Clock,
    estimate: float | None = None,
) -> tuple[MethodTiming | None, float | None]:
    """Refuse or skip a method before running it at full size.

    Returns
    -------
    verdict : MethodTiming or None
        A "refused" or "skipped" timing, or None when the method may run.
    estimate : float or None
        Estimated seconds per iteration (capped methods only).
    """
    n = X.shape[0]
    k, d = C.shape
    if method == "broadcast":
        refusal = memory_refusal(n, k, d, memory_limit_bytes)
        if refusal:
            return MethodTiming(method, "refused", message=refusal), None
    if method in CAPPED_METHODS:
        probe_labels = None
        if estimate is None:
            estimate, probe = estimate_seconds(runner, X, C, n, clock=clock)
            probe_labels = probe.labels
        if estimate > budget_s:
            skipped = MethodTiming(
                method,
                "skipped",
                estimate=estimate,
                message=skip_message(estimate, budget_s),
                labels=probe_labels,
            )
            return skipped, estimate
    return None, estimate


def time_method(
    method: str,
    runner: Runner,
    X: np.ndarray,
    C: np.ndarray,
    *,
    budget_s: float = DEFAULT_BUDGET_S,
    memory_limit_bytes: int = DEFAULT_MEMORY_LIMIT_BYTES,
    repeats: int = DEFAULT_REPEATS,
    clock: Clock = time.perf_counter,
    estimate: float | None = None,
    spend_s: float | None = None,
) -> MethodTiming:
    """Time one method on all of ``X``, unless its cap or memory limit says no.

    Parameters
    ----------
    method : str
        One of :data:`METHODS`; capped methods are probed first.
    runner : callable
        ``runner(X, C) -> RunOutcome``.
    X, C : ndarray
        Data and initial centers.
    budget_s : float
        Skip a capped method whose estimated seconds per iteration exceed this.
    memory_limit_bytes : int
        Refuse the broadcasting tier when its temporaries exceed this.
    repeats : int
        Timed runs for a fast method (median kept).
    clock : callable
        Returns seconds; injectable for tests.
    estimate : float, optional
        A known estimate (skips the probe), e.g. from an earlier probe.
    spend_s : float, optional
        Time to spend on repeats (default ``budget_s``); the sweep spends less per point.

    Returns
    -------
    MethodTiming
    """
    verdict, estimate = screen_method(
        method,
        runner,
        X,
        C,
        budget_s=budget_s,
        memory_limit_bytes=memory_limit_bytes,
        clock=clock,
        estimate=estimate,
    )
    if verdict is not None:
        return verdict
    spend = budget_s if spend_s is None else spend_s
    median, runs, out = measure(runner, X, C, repeats=repeats, budget_s=spend, clock=clock)
    return MethodTiming(
        method,
        "measured",
        seconds=median,
        runs=runs,
        estimate=estimate,
        iterations=out.iterations,
        labels=out.labels,
    )


# --------------------------------------------------------------------------- comparisons


def compute_speedups(timings: Sequence[MethodTiming]) -> tuple[dict[str, float], bool]:
    """Speed-up of each measured method over the loop tier.

    The loop tier's measured time is the baseline; when it was skipped its
    estimate is used instead (and the flag says so).

    Returns
    -------
    speedups : dict
        Method -> baseline seconds / method seconds. Empty when there is no baseline.
    baseline_estimated : bool
    """
    base = next((t for t in timings if t.method == BASELINE), None)
    if base is None or base.best_guess is None or base.best_guess <= 0:
        return {}, False
    base_s = base.best_guess
    speedups = {
        t.method: base_s / t.seconds
        for t in timings
        if t.status == "measured" and t.seconds is not None and t.seconds > 0
    }
    return speedups, base.status != "measured"


def label_mismatches(
    timings: Sequence[MethodTiming], reference: str = "gemm"
) -> tuple[dict[str, int], dict[str, int]]:
    """How many labels each tier disagrees on with ``reference``, on the rows both cover.

    Returns
    -------
    mismatches : dict
        Tier -> number of differing labels.
    rows_checked : dict
        Tier -> number of rows compared.
    """
    by_method = {t.method: t for t in timings}
    ref = by_method.get(reference)
    if ref is None or ref.labels is None:
        return {}, {}
    mismatches: dict[str, int] = {}
    rows: dict[str, int] = {}
    for tier in TIERS:
        t = by_method.get(tier)
        if tier == reference or t is None or t.labels is None:
            continue
        m = min(len(t.labels), len(ref.labels))
        mismatches[tier] = int(np.count_nonzero(t.labels[:m] != ref.labels[:m]))
        rows[tier] = m
    return mismatches, rows


def estimators_mismatch(timings: Sequence[MethodTiming]) -> int | None:
    """Rows where kmeans_core's and scikit-learn's fitted labels differ (None if not both)."""
    by_method = {t.method: t for t in timings}
    a, b = by_method.get("kmeans_core"), by_method.get("sklearn")
    if a is None or b is None or a.labels is None or b.labels is None:
        return None
    if a.iterations != b.iterations or len(a.labels) != len(b.labels):
        return None
    return int(np.count_nonzero(a.labels != b.labels))


# --------------------------------------------------------------------------- the runs


def run_timing(
    n: int,
    d: int,
    k: int,
    seed: int,
    *,
    budget_s: float = DEFAULT_BUDGET_S,
    memory_limit_bytes: int = DEFAULT_MEMORY_LIMIT_BYTES,
    repeats: int = DEFAULT_REPEATS,
    methods: Sequence[str] = METHODS,
    runners: Mapping[str, Runner] | None = None,
    clock: Clock = time.perf_counter,
    progress: Progress | None = None,
    data: tuple[np.ndarray, np.ndarray] | None = None,
    threads: Threads = None,
) -> SpeedResult:
    """Time every method at one size, repeats interleaved across methods.

    Parameters
    ----------
    n, d, k, seed : int
        Size of the synthetic data and its seed.
    budget_s, memory_limit_bytes, repeats : see :func:`time_method`.
    methods : sequence of str
    runners : mapping, optional
        Method -> runner; defaults to :func:`default_runners`.
    clock : callable
    progress : callable, optional
        ``progress(fraction_done, message)`` before each method and each round.
    data : (X, C), optional
        Use this data instead of generating it.
    threads : int, optional
        Limit BLAS and OpenMP to this many threads while timing (None: no limit).

    Returns
    -------
    SpeedResult

    Raises
    ------
    ValueError
        When :func:`check_sizes` rejects the sizes.
    """
    problem = check_sizes(n, d, k)
    if problem:
        raise ValueError(problem)
    runners = dict(runners) if runners is not None else default_runners()
    X, C = data if data is not None else make_timing_data(n, d, k, seed)
    with thread_limit(threads):
        timings = _timings_interleaved(
            X, C, methods, runners, budget_s, memory_limit_bytes, repeats, clock, progress, n
        )
    speedups, estimated = compute_speedups(timings)
    mism, rows = label_mismatches(timings)
    return SpeedResult(
        n=n,
        d=d,
        k=k,
        seed=seed,
        timings=tuple(timings),
        speedups=speedups,
        baseline_estimated=estimated,
        tier_mismatches=mism,
        tier_rows_checked=rows,
        estimators_mismatch=estimators_mismatch(timings),
    )


def _timings_interleaved(
    X, C, methods, runners, budget_s, memory_limit_bytes, repeats, clock, progress, n
) -> list[MethodTiming]:
    # Phase 1: refuse, probe and skip, then one warm-up call per method that runs.
    final: dict[str, MethodTiming] = {}
    pending: dict[str, dict] = {}
    for i, method in enumerate(methods):
        if progress:
            name = METHOD_LABELS.get(method, method)
            progress(0.5 * i / len(methods), f"Probing and warming up {name} at N = {n:,}")
        runner = runners[method]
        verdict, estimate = screen_method(
            method,
            runner,
            X,
            C,
            budget_s=budget_s,
            memory_limit_bytes=memory_limit_bytes,
            clock=clock,
        )
        if verdict is not None:
            final[method] = verdict
            continue
        first, out = timed_call(runner, X, C, clock)
        warmup, more = repeat_plan(first, repeats, budget_s)
        pending[method] = {
            "out": out,
            "runs": [] if warmup else [first / out.iterations],
            "more": more,
            "estimate": estimate,
        }
    # Phase 2: the repeats go round-robin over the methods, so a slow spell on a shared
    # machine hits every method alike instead of the one that happened to be running.
    rounds = max((p["more"] for p in pending.values()), default=0)
    for r in range(rounds):
        if progress:
            progress(0.5 + 0.5 * r / rounds, f"Timing round {r + 1} of {rounds} at N = {n:,}")
        for method, p in pending.items():
            if r < p["more"]:
                elapsed, again = timed_call(runners[method], X, C, clock)
                p["runs"].append(elapsed / again.iterations)
    for method, p in pending.items():
        final[method] = MethodTiming(
            method,
            "measured",
            seconds=statistics.median(p["runs"]),
            runs=tuple(p["runs"]),
            estimate=p["estimate"],
            iterations=p["out"].iterations,
            labels=p["out"].labels,
        )
    if progress:
        progress(1.0, "Done")
    return [final[m] for m in methods]


def sweep_sizes(n_max: int, k: int = 1, points: int = 6, n_min: int = 1000) -> tuple[int, ...]:
    """Roughly log-spaced N values up to ``n_max`` for the scaling chart.

    Starts at ``min(n_min, n_max // 10)`` (but never below K or 10) and always
    ends at ``n_max``.
    """
    lo = max(k, 10, min(n_min, n_max // 10))
    if n_max <= lo:
        return (int(n_max),)
    raw = np.geomspace(lo, n_max, num=points)
    # Round to 2 significant figures so the axis reads cleanly.
    nice = {int(float(f"{v:.2g}")) for v in raw[:-1]}
    nice = {v for v in nice if lo <= v < n_max}
    return (*sorted(nice), int(n_max))


def run_sweep(
    n_values: Sequence[int],
    d: int,
    k: int,
    seed: int,
    *,
    budget_s: float = DEFAULT_BUDGET_S,
    memory_limit_bytes: int = DEFAULT_MEMORY_LIMIT_BYTES,
    repeats: int = 3,
    methods: Sequence[str] = METHODS,
    runners: Mapping[str, Runner] | None = None,
    clock: Clock = time.perf_counter,
    progress: Progress | None = None,
    data: tuple[np.ndarray, np.ndarray] | None = None,
    known: SpeedResult | None = None,
    threads: Threads = None,
) -> SweepResult:
    """Seconds per iteration against N, on prefixes of one synthetic dataset.

    Each capped method is probed once; its estimate is scaled to every N, and the
    points above the budget are skipped (their estimate is kept for the chart).
    Each point spends about ``budget_s / len(n_values)`` on repeats, so the whole
    sweep of a method costs about one budget plus its single runs.

    Parameters
    ----------
    known : SpeedResult, optional
        A result already measured at one of ``n_values`` (same d, K): reused there.
    threads : int, optional
        Limit BLAS and OpenMP to this many threads while timing (None: no limit).

    Returns
    -------
    SweepResult
    """
    n_values = tuple(int(v) for v in n_values)
    problem = check_sizes(max(n_values), d, k)
    if problem:
        raise ValueError(problem)
    runners = dict(runners) if runners is not None else default_runners()
    X, C = data if data is not None else make_timing_data(max(n_values), d, k, seed)
    seconds: dict[str, list[float | None]] = {m: [] for m in methods}
    estimates: dict[str, list[float | None]] = {m: [] for m in methods}
    notes: dict[str, list[str]] = {m: [] for m in methods}
    per_probe: dict[str, float] = {}
    spend = budget_s / len(n_values)
    reuse = known if known is not None and (known.d, known.k) == (d, k) else None
    if reuse is not None:
        # One probe per tier for the page: the sweep's estimates line up with the bar's.
        for t in reuse.timings:
            if t.method in CAPPED_METHODS and t.estimate is not None:
                per_probe[t.method] = t.estimate / reuse.n
    total = len(methods) * len(n_values)
    done = 0
    with thread_limit(threads):
        for method in methods:
            for n in n_values:
                if progress:
                    progress(
                        done / total, f"Scaling: {METHOD_LABELS.get(method, method)}, N = {n:,}"
                    )
                done += 1
                if (
                    reuse is not None
                    and n == reuse.n
                    and method in {t.method for t in reuse.timings}
                ):
                    t = reuse.timing(method)
                    seconds[method].append(t.seconds)
                    estimates[method].append(t.estimate if t.status == "skipped" else None)
                    if t.status != "measured":
                        notes[method].append(f"N = {n:,}: {t.message}")
                    continue
                estimate = None
                refused = method == "broadcast" and memory_refusal(n, k, d, memory_limit_bytes)
                if method in CAPPED_METHODS and not refused:
                    if method not in per_probe:
                        probe_est, _ = estimate_seconds(runners[method], X, C, n, clock=clock)
                        per_probe[method] = probe_est / n
                    estimate = per_probe[method] * n
                t = time_method(
                    method,
                    runners[method],
                    X[:n],
                    C,
                    budget_s=budget_s,
                    memory_limit_bytes=memory_limit_bytes,
                    repeats=repeats,
                    clock=clock,
                    estimate=estimate,
                    spend_s=spend,
                )
                seconds[method].append(t.seconds)
                estimates[method].append(t.estimate if t.status == "skipped" else None)
                if t.status != "measured":
                    notes[method].append(f"N = {n:,}: {t.message}")
    if progress:
        progress(1.0, "Done")
    return SweepResult(
        n_values=n_values,
        d=d,
        k=k,
        seconds={m: tuple(v) for m, v in seconds.items()},
        estimates={m: tuple(v) for m, v in estimates.items()},
        notes=notes,
    )


# --------------------------------------------------------------------------- presentation


def results_table(result: SpeedResult) -> list[dict[str, str]]:
    """One row per method for the page's table, every cell already formatted.

    Columns: method, time per iteration (or the estimate / refusal), speed-up vs
    loops, and how it was timed.
    """
    rows = []
    for t in result.timings:
        ratio = result.speedups.get(t.method)
        if t.status == "measured":
            shown = format_seconds(t.seconds)
            timed = f"median of {len(t.runs)}"
            if t.iterations > 1:
                timed += f" fits × {t.iterations} iterations"
        elif t.status == "skipped":
            shown = f"est. {format_seconds(t.estimate)} (not run)"
            timed = "estimated from a small run"
        else:
            shown = "refused (memory)"
            timed = "—"
        speedup = format_speedup(ratio) if ratio else "—"
        if ratio and result.baseline_estimated:
            speedup += " (vs est.)"
        rows.append(
            {
                "method": t.label,
                "time per iteration": shown,
                "speed-up vs loops": speedup,
                "timed": timed,
            }
        )
    return rows


def load_note(
    load_1min: float | None = None, cpus: int | None = None, *, threads: Threads = None
) -> str | None:
    """A warning when the server is busy enough to make timings noisy, else None.

    Parameters
    ----------
    load_1min : float, optional
        1-minute load average (default: ``os.getloadavg()``, where available).
    cpus : int, optional
        CPU count (default: ``os.cpu_count()``).
    threads : int, optional
        The thread limit the timing used; without one, the note suggests it.
    """
    if load_1min is None:
        try:
            load_1min = os.getloadavg()[0]
        except (AttributeError, OSError):  # not on every platform
            return None
    cpus = cpus or os.cpu_count() or 1
    if load_1min <= cpus:
        return None
    note = (
        f"The server was busy while timing (load {load_1min:.1f} on {cpus} CPU cores): "
        "other work competes for the cores, so timings are noisy."
    )
    if threads is None:
        note += (
            " Multi-threaded methods (BLAS, scikit-learn's OpenMP) suffer most: tick "
            "“One thread per library” under Timing options, or run again when it is quieter."
        )
    return note


def agreement_summary(result: SpeedResult) -> tuple[bool, str]:
    """Do the methods agree on the labels? A verdict and a sentence for the page.

    The tiers are compared with the GEMM tier after one iteration from the same
    centers (a skipped loop tier on its probe rows); the two estimators with each
    other after their fits.

    Returns
    -------
    ok : bool
        True when nothing disagrees.
    text : str
        Empty when there was nothing to compare.
    """
    parts = []
    ok = True
    if result.tier_mismatches:
        bad = {t: m for t, m in result.tier_mismatches.items() if m}
        if bad:
            ok = False
            parts.append(
                "Labels differ from the GEMM tier's on "
                + ", ".join(f"{m:,} rows ({METHOD_LABELS[t]})" for t, m in bad.items())
                + ": near-ties where rounding picks a different center."
            )
        else:
            checked = ", ".join(
                f"{METHOD_LABELS[t]} on {result.tier_rows_checked[t]:,} rows"
                for t in result.tier_mismatches
            )
            parts.append(f"Same labels as the GEMM tier: {checked}.")
    if result.estimators_mismatch is not None:
        it = result.timing("sklearn").iterations
        if result.estimators_mismatch == 0:
            parts.append(
                f"kmeans_core and scikit-learn agree on every label after {it} iterations."
            )
        else:
            ok = False
            parts.append(
                f"kmeans_core and scikit-learn differ on {result.estimators_mismatch:,} labels "
                f"after {it} iterations."
            )
    return ok, " ".join(parts)
