"""Timing engine: time callables fairly on a shared machine and report median and spread.

One engine for the Speed page (:mod:`dashboard.speed_runs`) and the benchmark
(``bench/core.py``). What makes a timing fair here:

- **warm-up** — the first call pays for imports, thread pools and first-touch page
  faults, so it is timed only to plan the rest and then discarded;
- **interleaving** — the repeats take turns between the callables (round-robin, or
  A B B A with ``alternate``), so a busy spell on a shared machine slows every
  callable alike instead of the one that happened to be running;
- **a budget** — a slow callable is repeated only while its calls fit the budget;
- **thread limits** — BLAS and OpenMP (threadpoolctl) and kmeans_core's own chunk
  threads can be held to N threads while timing, then restored;
- **an injectable clock** — tests pass a fake clock that moves only when a fake
  callable "works", so timing logic is tested exactly, never against the wall.

A call's time can be divided by the units of work it reports (``units``), e.g.
seconds per Lloyd iteration of a ``fit`` that ran ``n_iter_`` iterations. No
Streamlit here.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from threadpoolctl import threadpool_limits

from kmeans_core import _kernels

Clock = Callable[[], float]
Progress = Callable[[float, str], None]
K = TypeVar("K", bound=Hashable)
R = TypeVar("R")


@dataclass(frozen=True)
class TimingOptions:
    """How to time: repeats, warm-up, order of the calls, budget, threads and clock.

    Attributes
    ----------
    repeats : int
        Timed calls per callable (the median is kept).
    warmup : bool
        Time a first call only to plan the rest, then discard it.
    interleave : bool
        Repeats take turns between callables; when False each callable runs all its
        repeats before the next one starts.
    alternate : bool
        Reverse the order on every other round (A B, B A, A B, ...): neither callable
        always runs first, right after the other has warmed the caches.
    budget_s : float or None
        Seconds each callable may spend on its calls: a callable whose first call is
        slow gets fewer repeats (no warm-up if even ``repeats + 1`` calls do not
        fit). None: always ``repeats`` calls.
    threads : int or None
        Hold BLAS, OpenMP and kmeans_core's chunk threads to this many while timing
        (None: no limit).
    clock : callable
        Returns seconds (``time.perf_counter``); tests pass a fake one.
    """

    repeats: int = 5
    warmup: bool = True
    interleave: bool = True
    alternate: bool = False
    budget_s: float | None = None
    threads: int | None = None
    clock: Clock = field(default=time.perf_counter, compare=False)

    def __post_init__(self) -> None:
        if self.repeats < 1:
            raise ValueError(f"repeats must be at least 1; got {self.repeats}.")
        if self.budget_s is not None and self.budget_s <= 0:
            raise ValueError(f"budget_s must be positive; got {self.budget_s}.")
        if self.threads is not None and self.threads < 1:
            raise ValueError(f"threads must be at least 1 or None; got {self.threads}.")


@dataclass(frozen=True)
class Measurement(Generic[R]):
    """The timed calls of one callable.

    Attributes
    ----------
    runs : tuple of float
        Seconds per unit of work of every counted call, in the order they ran.
    result : object
        What the first call returned (the warm-up, when there was one).
    units : float
        Units of work the first call reported (1 without ``units``).
    warmed_up : bool
        True when the first call was a discarded warm-up.
    """

    runs: tuple[float, ...]
    result: R = field(repr=False, compare=False)
    units: float = 1.0
    warmed_up: bool = True

    @property
    def median(self) -> float:
        """Median seconds per unit over the counted calls."""
        return statistics.median(self.runs)

    @property
    def spread(self) -> tuple[float, float]:
        """Fastest and slowest counted call (seconds per unit)."""
        return min(self.runs), max(self.runs)

    @property
    def relative_spread(self) -> float:
        """(slowest - fastest) / median: 0.1 means the calls varied by 10 % of the median."""
        lo, hi = self.spread
        return (hi - lo) / self.median if self.median > 0 else 0.0


@dataclass(frozen=True)
class PairTiming:
    """Two callables timed alternately: their measurements and their time ratios.

    Attributes
    ----------
    first, second : Measurement
    """

    first: Measurement[Any]
    second: Measurement[Any]

    @property
    def ratio(self) -> float:
        """Median of ``first`` / median of ``second`` (below 1: ``first`` is faster)."""
        return self.first.median / self.second.median

    @property
    def ratios(self) -> tuple[float, ...]:
        """``first`` / ``second`` for each round: two calls made next to each other in time.

        With a budget the two may have different counts; the extra calls are not paired.
        """
        return tuple(a / b for a, b in zip(self.first.runs, self.second.runs, strict=False))

    @property
    def ratio_range(self) -> tuple[float, float]:
        """Smallest and largest per-round ratio."""
        return min(self.ratios), max(self.ratios)


@contextmanager
def limit_threads(threads: int | None) -> Iterator[None]:
    """Hold BLAS, OpenMP and kmeans_core's chunk threads to ``threads`` (None: no limit).

    On a busy machine, threads that wait for each other at every barrier can make a
    multi-threaded method many times slower; one thread each is the fairest
    comparison there. The limits are process-wide and restored on exit.
    """
    if threads is None:
        yield
        return
    previous = _kernels.MAX_THREADS
    _kernels.MAX_THREADS = threads
    try:
        with threadpool_limits(limits=threads):
            yield
    finally:
        _kernels.MAX_THREADS = previous


def timed_call(task: Callable[[], R], clock: Clock) -> tuple[float, R]:
    """Call ``task`` once; return (elapsed seconds, what it returned)."""
    start = clock()
    out = task()
    return clock() - start, out


def repeat_plan(
    first_s: float, repeats: int, budget_s: float | None, warmup: bool = True
) -> tuple[bool, int]:
    """How to repeat a callable whose first call took ``first_s``.

    With a warm-up, if ``repeats + 1`` such calls fit in the budget, the first call
    is discarded and ``repeats`` more are timed; otherwise the first call counts
    and more are made only while they fit.

    Returns
    -------
    discard_first : bool
    more : int
        Further calls to time.
    """
    repeats = max(1, int(repeats))
    if budget_s is None:
        return (True, repeats) if warmup else (False, repeats - 1)
    if warmup and first_s * (repeats + 1) <= budget_s:
        return True, repeats
    more, spent = 0, first_s
    while 1 + more < repeats and spent + first_s <= budget_s:
        more += 1
        spent += first_s
    return False, more


@dataclass
class _Plan(Generic[R]):
    """One callable's state while it is being timed."""

    result: R
    units: float
    warmed_up: bool
    more: int
    runs: list[float]

    def measurement(self) -> Measurement[R]:
        return Measurement(tuple(self.runs), self.result, self.units, self.warmed_up)


def _one(_: object) -> float:
    return 1.0


def _first_call(
    task: Callable[[], R], options: TimingOptions, units: Callable[[R], float]
) -> _Plan[R]:
    elapsed, out = timed_call(task, options.clock)
    count = units(out)
    discard, more = repeat_plan(elapsed, options.repeats, options.budget_s, options.warmup)
    return _Plan(out, count, discard, more, [] if discard else [elapsed / count])


def _round_order(keys: Sequence[K], round_index: int, alternate: bool) -> Sequence[K]:
    return keys[::-1] if alternate and round_index % 2 else keys


def _interleaved(
    tasks: Mapping[K, Callable[[], R]],
    options: TimingOptions,
    units: Callable[[R], float],
    progress: Progress | None,
    label: Callable[[K], str],
) -> dict[K, _Plan[R]]:
    keys = list(tasks)
    plans: dict[K, _Plan[R]] = {}
    for i, key in enumerate(keys):
        if progress:
            progress(0.5 * i / len(keys), f"Warming up {label(key)}")
        plans[key] = _first_call(tasks[key], options, units)
    rounds = max((p.more for p in plans.values()), default=0)
    for r in range(rounds):
        if progress:
            progress(0.5 + 0.5 * r / rounds, f"Timing round {r + 1} of {rounds}")
        for key in _round_order(keys, r, options.alternate):
            if r < plans[key].more:
                elapsed, out = timed_call(tasks[key], options.clock)
                plans[key].runs.append(elapsed / units(out))
    return plans


def measure_many(
    tasks: Mapping[K, Callable[[], R]],
    options: TimingOptions = TimingOptions(),  # noqa: B008 (frozen, so a shared default is safe)
    *,
    units: Callable[[R], float] | None = None,
    progress: Progress | None = None,
    label: Callable[[K], str] = str,
) -> dict[K, Measurement[R]]:
    """Time several callables as ``options`` say; one measurement per key.

    Parameters
    ----------
    tasks : mapping
        Key -> callable taking no arguments (bind data with a lambda or
        ``functools.partial``). Called in the mapping's order.
    options : TimingOptions
    units : callable, optional
        ``units(result)``: units of work a call did (e.g. Lloyd iterations); each
        call's time is divided by it. Default 1.
    progress : callable, optional
        ``progress(fraction_done, message)`` before each warm-up and each round,
        and ``progress(1.0, "Done")`` at the end.
    label : callable
        Names a key in the progress messages.

    Returns
    -------
    dict
        Key -> :class:`Measurement`, in the order of ``tasks``.
    """
    count = units or _one
    with limit_threads(options.threads):
        if options.interleave:
            plans = _interleaved(tasks, options, count, progress, label)
        else:
            plans = {}
            for i, (key, task) in enumerate(tasks.items()):
                if progress:
                    progress(i / len(tasks), f"Timing {label(key)}")
                plans[key] = _interleaved({key: task}, options, count, None, label)[key]
    if progress:
        progress(1.0, "Done")
    return {key: plan.measurement() for key, plan in plans.items()}


def measure(
    task: Callable[[], R],
    options: TimingOptions = TimingOptions(),  # noqa: B008 (frozen, so a shared default is safe)
    *,
    units: Callable[[R], float] | None = None,
) -> Measurement[R]:
    """Time one callable as ``options`` say (see :func:`measure_many`)."""
    return measure_many({"task": task}, options, units=units)["task"]


def measure_pair(
    first: Callable[[], Any],
    second: Callable[[], Any],
    options: TimingOptions = TimingOptions(alternate=True),  # noqa: B008 (frozen)
    *,
    units: Callable[[Any], float] | None = None,
) -> PairTiming:
    """Time two callables alternately and compare them (see :func:`measure_many`).

    The default options alternate the order every round (A B, B A, ...), so the
    per-round :attr:`PairTiming.ratios` compare calls made next to each other.
    """
    both = measure_many({"first": first, "second": second}, options, units=units)
    return PairTiming(both["first"], both["second"])
