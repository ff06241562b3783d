"""The Speed page's runs: time every method at one size and over an N sweep, never hanging.

Built on the timing engine (:mod:`dashboard.timing`) and the method specs
(:mod:`dashboard.speed_methods`). The page must never hang, so before a method
runs at full size:

- a method with a memory need (the broadcasting tier's N x K x d temporaries) is
  refused when that need exceeds the memory limit, with the reason;
- a capped method (the slow tiers) is first run on a small probe and its time
  extrapolated linearly in N*K*d; above the time budget it is skipped, and the
  page says what it would have cost.

Fast methods are repeated, interleaved across methods, and the median kept;
slow ones are run only as often as the budget allows. Every function takes its
clock through :class:`SpeedOptions`, so tests are not timing-dependent.
"""

from __future__ import annotations

import itertools
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np

from dashboard import timing
from dashboard.formatting import format_bytes, format_seconds
from dashboard.speed_data import check_sizes, dataset_timing_data, make_timing_data
from dashboard.speed_methods import (
    METHOD_SPECS,
    MethodSpec,
    Runner,
    RunOutcome,
    method_label,
)
from dashboard.speed_pruning import PruningResult, run_pruning
from dashboard.speed_results import MethodTiming, SpeedResult, SweepResult, speed_result
from dashboard.timing import Clock, Measurement, Progress, TimingOptions
from kmeans_core import broadcast_bytes

DEFAULT_BUDGET_S = 3.0
DEFAULT_MEMORY_LIMIT_BYTES = 512 * 2**20
DEFAULT_REPEATS = 5
# The sweep times several sizes per method: fewer repeats per point.
SWEEP_REPEATS = 3

# Probe size: about this many innermost loop steps (rows * K * d), within bounds.
PROBE_OPS = 100_000
MIN_PROBE_ROWS = 10
MAX_PROBE_ROWS = 200


@dataclass(frozen=True)
class SpeedOptions:
    """How the Speed page times: budget, memory limit, repeats, threads and clock.

    Attributes
    ----------
    budget_s : float
        Skip a capped method whose estimated seconds per iteration exceed this;
        also the time each method may spend on its repeats.
    memory_limit_bytes : int
        Refuse a method whose temporaries exceed this.
    repeats : int
        Timed runs of a fast method (median kept).
    threads : int or None
        Hold BLAS, OpenMP and kmeans_core's threads to this many (None: no limit).
    clock : callable
        Returns seconds; tests pass a fake one.
    """

    budget_s: float = DEFAULT_BUDGET_S
    memory_limit_bytes: int = DEFAULT_MEMORY_LIMIT_BYTES
    repeats: int = DEFAULT_REPEATS
    threads: int | None = None
    clock: Clock = field(default=time.perf_counter, compare=False)

    def timing_options(self, spend_s: float | None = None) -> TimingOptions:
        """The engine's options: interleaved repeats within ``spend_s`` (default the budget).

        Threads are not limited here: the runs hold the limit around probes and
        measurements alike.
        """
        budget = self.budget_s if spend_s is None else spend_s
        return TimingOptions(repeats=self.repeats, budget_s=budget, clock=self.clock)

    def for_sweep(self) -> SpeedOptions:
        """The same options with at most :data:`SWEEP_REPEATS` repeats per point."""
        return replace(self, repeats=max(1, min(SWEEP_REPEATS, self.repeats)))


# --------------------------------------------------------------------------- probes and caps


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


def memory_refusal(
    n: int,
    k: int,
    d: int,
    limit_bytes: int,
    need: Callable[[int, int, int], int] = broadcast_bytes,
) -> str | None:
    """Why a method needing ``need(n, k, d)`` bytes is refused, or None when it fits.

    The default need is the broadcasting tier's: two N x K x d float64 arrays at
    its peak (:func:`kmeans_core.broadcast_bytes`).
    """
    need_bytes = need(n, k, d)
    if need_bytes <= limit_bytes:
        return None
    return (
        f"refused: needs {format_bytes(need_bytes)} for its N×K×d temporaries "
        f"(limit {format_bytes(limit_bytes)}); lower N, K or d"
    )


def skip_message(estimate: float, budget_s: float) -> str:
    """What the page says for a method that was not run."""
    return f"skipped: estimated {format_seconds(estimate)} per iteration (budget {budget_s:g} s)"


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
    elapsed, out = timing.timed_call(partial(runner, X[:m], C), clock)
    per_iter = elapsed / out.iterations
    return extrapolate_seconds(per_iter, (m, k, d), (n_target, k, d)), out


def screen_method(
    spec: MethodSpec,
    X: np.ndarray,
    C: np.ndarray,
    options: SpeedOptions,
    *,
    estimate: float | None = None,
) -> tuple[MethodTiming | None, float | None]:
    """Refuse or skip a method before running it at full size.

    Parameters
    ----------
    spec : MethodSpec
    X, C : ndarray
        Data and initial centers.
    options : SpeedOptions
    estimate : float, optional
        A known estimate (skips the probe), e.g. from an earlier probe.

    Returns
    -------
    verdict : MethodTiming or None
        A "refused" or "skipped" timing, or None when the method may run.
    estimate : float or None
        Estimated seconds per iteration (capped methods only).
    """
    n = X.shape[0]
    k, d = C.shape
    if spec.memory_bytes is not None:
        refusal = memory_refusal(n, k, d, options.memory_limit_bytes, spec.memory_bytes)
        if refusal:
            return MethodTiming(spec.name, "refused", message=refusal), None
    if not spec.capped:
        return None, estimate
    probe_labels = None
    if estimate is None:
        estimate, probe = estimate_seconds(spec.run, X, C, n, clock=options.clock)
        probe_labels = probe.labels
    if estimate <= options.budget_s:
        return None, estimate
    skipped = MethodTiming(
        spec.name,
        "skipped",
        estimate=estimate,
        message=skip_message(estimate, options.budget_s),
        labels=probe_labels,
    )
    return skipped, estimate


# --------------------------------------------------------------------------- measuring


def _iterations(out: RunOutcome) -> float:
    return out.iterations


def measured_timing(
    method: str, measurement: Measurement[RunOutcome], estimate: float | None
) -> MethodTiming:
    """A "measured" :class:`MethodTiming` from the engine's measurement."""
    return MethodTiming(
        method,
        "measured",
        seconds=measurement.median,
        runs=measurement.runs,
        estimate=estimate,
        iterations=measurement.result.iterations,
        labels=measurement.result.labels,
    )


def time_method(
    spec: MethodSpec,
    X: np.ndarray,
    C: np.ndarray,
    options: SpeedOptions = SpeedOptions(),  # noqa: B008 (frozen, so a shared default is safe)
    *,
    estimate: float | None = None,
    spend_s: float | None = None,
) -> MethodTiming:
    """Time one method on all of ``X``, unless its cap or memory limit says no.

    Parameters
    ----------
    spec : MethodSpec
        Capped methods are probed first (unless ``estimate`` is given).
    X, C : ndarray
        Data and initial centers.
    options : SpeedOptions
    estimate : float, optional
        A known estimate (skips the probe).
    spend_s : float, optional
        Time to spend on repeats (default the budget); the sweep spends less per point.

    Returns
    -------
    MethodTiming
    """
    verdict, estimate = screen_method(spec, X, C, options, estimate=estimate)
    if verdict is not None:
        return verdict
    measurement = timing.measure(
        partial(spec.run, X, C), options.timing_options(spend_s), units=_iterations
    )
    return measured_timing(spec.name, measurement, estimate)


def _part_of(progress: Progress | None, lo: float, hi: float, suffix: str = "") -> Progress | None:
    """``progress`` mapped onto [lo, hi] of the whole, with ``suffix`` after each message."""
    if progress is None:
        return None
    report = progress

    def part(fraction: float, message: str) -> None:
        report(lo + (hi - lo) * fraction, message + suffix)

    return part


def _time_methods(
    methods: Sequence[MethodSpec],
    X: np.ndarray,
    C: np.ndarray,
    options: SpeedOptions,
    progress: Progress | None,
) -> list[MethodTiming]:
    # First refuse, probe and skip; then time what may run, repeats taking turns
    # between methods so that a slow spell on a shared machine hits them all alike.
    at_n = f" at N = {X.shape[0]:,}"
    verdicts: dict[str, MethodTiming] = {}
    estimates: dict[str, float | None] = {}
    for i, spec in enumerate(methods):
        if progress:
            progress(0.2 * i / len(methods), f"Checking {spec.label}{at_n}")
        verdict, estimates[spec.name] = screen_method(spec, X, C, options)
        if verdict is not None:
            verdicts[spec.name] = verdict
    runnable = {s.name: partial(s.run, X, C) for s in methods if s.name not in verdicts}
    measured = timing.measure_many(
        runnable,
        options.timing_options(),
        units=_iterations,
        progress=_part_of(progress, 0.2, 1.0, at_n),
        label=method_label,
    )
    for name, measurement in measured.items():
        verdicts[name] = measured_timing(name, measurement, estimates[name])
    return [verdicts[s.name] for s in methods]


def _timing_data(
    n: int, d: int, k: int, seed: int, data: tuple[np.ndarray, np.ndarray] | None
) -> tuple[np.ndarray, np.ndarray]:
    problem = check_sizes(n, d, k)
    if problem:
        raise ValueError(problem)
    return data if data is not None else make_timing_data(n, d, k, seed)


# --------------------------------------------------------------------------- the runs


def run_timing(
    n: int,
    d: int,
    k: int,
    seed: int,
    *,
    methods: Sequence[MethodSpec] = METHOD_SPECS,
    options: SpeedOptions = SpeedOptions(),  # noqa: B008 (frozen, so a shared default is safe)
    progress: Progress | None = None,
    data: tuple[np.ndarray, np.ndarray] | None = None,
) -> SpeedResult:
    """Time every method at one size, repeats interleaved across methods.

    Parameters
    ----------
    n, d, k, seed : int
        Size of the synthetic data and its seed.
    methods : sequence of MethodSpec
        What to time, in order (default every method).
    options : SpeedOptions
    progress : callable, optional
        ``progress(fraction_done, message)`` before each method and each round.
    data : (X, C), optional
        Use this data instead of generating it.

    Returns
    -------
    SpeedResult

    Raises
    ------
    ValueError
        When :func:`~dashboard.speed_data.check_sizes` rejects the sizes.
    """
    X, C = _timing_data(n, d, k, seed, data)
    with timing.limit_threads(options.threads):
        timings = _time_methods(methods, X, C, options, progress)
    return speed_result(n, d, k, seed, timings)


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


@dataclass
class _Sweep:
    """What one sweep shares between its points: data, options, probes and a known result."""

    X: np.ndarray
    C: np.ndarray
    options: SpeedOptions
    spend_s: float
    known: SpeedResult | None
    # Seconds per iteration per row, from one probe per capped method.
    per_row: dict[str, float]

    def point(self, spec: MethodSpec, n: int) -> MethodTiming:
        """The timing of ``spec`` on the first ``n`` rows (the known result's, if it has it)."""
        if self.known is not None and n == self.known.n and spec.name in self.known.methods:
            return self.known.timing(spec.name)
        return time_method(
            spec,
            self.X[:n],
            self.C,
            self.options,
            estimate=self.estimate(spec, n),
            spend_s=self.spend_s,
        )

    def estimate(self, spec: MethodSpec, n: int) -> float | None:
        """A capped method's estimate at ``n`` rows from its one probe (None if refused)."""
        if not spec.capped:
            return None
        k, d = self.C.shape
        limit = self.options.memory_limit_bytes
        if spec.memory_bytes is not None and spec.memory_bytes(n, k, d) > limit:
            return None
        if spec.name not in self.per_row:
            probe, _ = estimate_seconds(spec.run, self.X, self.C, n, clock=self.options.clock)
            self.per_row[spec.name] = probe / n
        return self.per_row[spec.name] * n


def _known_probes(known: SpeedResult | None) -> dict[str, float]:
    # One probe per tier for the page: the sweep's estimates line up with the bar's.
    if known is None:
        return {}
    return {t.method: t.estimate / known.n for t in known.timings if t.estimate is not None}


def _sweep_result(
    n_values: tuple[int, ...], d: int, k: int, points: dict[str, list[MethodTiming]]
) -> SweepResult:
    def notes(timings: list[MethodTiming]) -> list[str]:
        pairs = zip(n_values, timings, strict=True)
        return [f"N = {n:,}: {t.message}" for n, t in pairs if t.status != "measured"]

    return SweepResult(
        n_values=n_values,
        d=d,
        k=k,
        seconds={m: tuple(t.seconds for t in ts) for m, ts in points.items()},
        estimates={
            m: tuple(t.estimate if t.status == "skipped" else None for t in ts)
            for m, ts in points.items()
        },
        notes={m: notes(ts) for m, ts in points.items()},
    )


def run_sweep(
    n_values: Sequence[int],
    d: int,
    k: int,
    seed: int,
    *,
    methods: Sequence[MethodSpec] = METHOD_SPECS,
    options: SpeedOptions = SpeedOptions(repeats=SWEEP_REPEATS),  # noqa: B008 (frozen)
    progress: Progress | None = None,
    data: tuple[np.ndarray, np.ndarray] | None = None,
    known: SpeedResult | None = None,
) -> SweepResult:
    """Seconds per iteration against N, on prefixes of one dataset.

    Each capped method is probed once; its estimate is scaled to every N, and the
    points above the budget are skipped (their estimate is kept for the chart).
    Each point spends about ``budget_s / len(n_values)`` on repeats, so the whole
    sweep of a method costs about one budget plus its single runs.

    Parameters
    ----------
    n_values : sequence of int
        Sizes to time (prefixes of the data).
    d, k, seed : int
    methods : sequence of MethodSpec
    options : SpeedOptions
    progress : callable, optional
        ``progress(fraction_done, message)`` before each point.
    data : (X, C), optional
        Use this data (at least ``max(n_values)`` rows) instead of generating it.
    known : SpeedResult, optional
        A result already measured at one of ``n_values`` (same d, K): reused there.

    Returns
    -------
    SweepResult
    """
    n_values = tuple(int(v) for v in n_values)
    X, C = _timing_data(max(n_values), d, k, seed, data)
    reuse = known if known is not None and (known.d, known.k) == (d, k) else None
    sweep = _Sweep(X, C, options, options.budget_s / len(n_values), reuse, _known_probes(reuse))
    points: dict[str, list[MethodTiming]] = {s.name: [] for s in methods}
    grid = list(itertools.product(methods, n_values))
    with timing.limit_threads(options.threads):
        for i, (spec, n) in enumerate(grid):
            if progress:
                progress(i / len(grid), f"Scaling: {spec.label}, N = {n:,}")
            points[spec.name].append(sweep.point(spec, n))
    if progress:
        progress(1.0, "Done")
    return _sweep_result(n_values, d, k, points)


# --------------------------------------------------------------------------- the page's run


@dataclass(frozen=True)
class SpeedRequest:
    """Everything a Speed measurement depends on; equal requests give comparable results.

    Attributes
    ----------
    data_key : str
        ``"blobs"`` for synthetic data, else the dataset's content key.
    n, d, k, seed : int
    options : SpeedOptions
    """

    data_key: str
    n: int
    d: int
    k: int
    seed: int
    options: SpeedOptions


@dataclass(frozen=True)
class SpeedReport:
    """One measurement for the page: the bars, the sweep, and when and how busy.

    Attributes
    ----------
    result : SpeedResult
    sweep : SweepResult
    measured_at : str
        Wall-clock time the measurement finished, e.g. "14:03:12 UTC".
    elapsed_s : float
        Seconds the whole measurement took.
    load_1min : float or None
        The server's 1-minute load average afterwards (None where unknown).
    cpus : int
    pruning : PruningResult or None
        Lloyd, Elkan and Hamerly per iteration from the same start (None when not run).
    """

    result: SpeedResult
    sweep: SweepResult
    measured_at: str
    elapsed_s: float
    load_1min: float | None
    cpus: int
    pruning: PruningResult | None = None


def _load_1min() -> float | None:
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):  # not on every platform
        return None


def measure_speed(
    request: SpeedRequest, X: np.ndarray | None = None, progress: Progress | None = None
) -> SpeedReport:
    """Time every method at the request's size, an N sweep up to it, then the pruning.

    Parameters
    ----------
    request : SpeedRequest
    X : ndarray, optional
        The dataset to time (rows are shuffled with the seed); None: synthetic blobs.
    progress : callable, optional
        ``progress(fraction_done, message)``: the size, the sweep, then the pruning.

    Returns
    -------
    SpeedReport

    Raises
    ------
    ValueError
        When the sizes cannot be timed.
    """
    n, d, k, seed = request.n, request.d, request.k, request.seed
    clock = request.options.clock
    started = clock()
    data = make_timing_data(n, d, k, seed) if X is None else dataset_timing_data(X, k, seed)
    result = run_timing(
        n, d, k, seed, options=request.options, progress=_part_of(progress, 0, 0.45), data=data
    )
    sweep = run_sweep(
        sweep_sizes(n, k),
        d,
        k,
        seed,
        options=request.options.for_sweep(),
        progress=_part_of(progress, 0.45, 0.85),
        data=data,
        known=result,
    )
    pruning = run_pruning(
        *data,
        clock=clock,
        threads=request.options.threads,
        progress=_part_of(progress, 0.85, 1.0),
    )
    return SpeedReport(
        result=result,
        sweep=sweep,
        measured_at=time.strftime("%H:%M:%S UTC", time.gmtime()),
        elapsed_s=clock() - started,
        load_1min=_load_1min(),
        cpus=os.cpu_count() or 1,
        pruning=pruning,
    )
