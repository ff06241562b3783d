"""Repeated wall-clock timing of a few fits: median and spread, in alternating order.

A stop-gap for the Compare and "Beyond K-Means" pages until the shared timing
engine (issue 7's ``dashboard/timing.py``) lands; it does one small job and can be
swapped for that engine without touching the pages. One fit timed once says
little on a shared machine (runs drift by up to 1.5× here), so each call is
repeated, the calls take turns (load changes hit all of them alike) and the
result keeps every sample so a page can show the spread, not only a median.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

# Repeats stop after this many rounds, or earlier once the budget is spent.
DEFAULT_MAX_REPEATS = 5
DEFAULT_BUDGET_SECONDS = 1.5


@dataclass(frozen=True)
class FitTiming:
    """Wall-clock seconds of one call, repeated.

    Attributes
    ----------
    seconds : tuple of float
        Every timed repeat, in the order run.
    """

    seconds: tuple[float, ...]

    @property
    def median(self) -> float:
        """Median of the repeats (robust to one slow run)."""
        return float(statistics.median(self.seconds))

    @property
    def low(self) -> float:
        """Fastest repeat."""
        return min(self.seconds)

    @property
    def high(self) -> float:
        """Slowest repeat."""
        return max(self.seconds)

    @property
    def repeats(self) -> int:
        """Number of timed repeats."""
        return len(self.seconds)


def time_alternating(
    calls: Sequence[Callable[[], Any]],
    *,
    max_repeats: int = DEFAULT_MAX_REPEATS,
    budget_seconds: float = DEFAULT_BUDGET_SECONDS,
    clock: Callable[[], float] = time.perf_counter,
) -> tuple[list[Any], list[FitTiming]]:
    """Time each call in turn, round after round, until ``max_repeats`` or the budget.

    The first round always runs in full (every call is timed at least once), so a
    slow fit is never skipped, only not repeated.

    Parameters
    ----------
    calls : sequence of callables
        Zero-argument functions (e.g. ``lambda: model.fit(X)``).
    max_repeats : int
        Most rounds.
    budget_seconds : float
        No new round starts once this much time has been spent timing.
    clock : callable
        Seconds as a float; tests pass a fake clock.

    Returns
    -------
    results : list
        What each call returned in the first round.
    timings : list of FitTiming
        One per call, in the order given.
    """
    samples: list[list[float]] = [[] for _ in calls]
    results: list[Any] = []
    spent = 0.0
    for round_no in range(max(1, max_repeats)):
        if round_no and spent >= budget_seconds:
            break
        for i, call in enumerate(calls):
            start = clock()
            out = call()
            elapsed = clock() - start
            samples[i].append(elapsed)
            spent += elapsed
            if round_no == 0:
                results.append(out)
    return results, [FitTiming(tuple(s)) for s in samples]


def format_seconds(seconds: float) -> str:
    """Seconds for reading: "3.2 ms" below one second, "1.25 s" above."""
    return f"{seconds * 1000:,.1f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def spread_text(timing: FitTiming) -> str:
    """The median, the range and the number of repeats: "2.0 ms (1.0–10.0, 5 runs)".

    The range is written in the median's unit, so the cell stays short.
    """
    if timing.repeats == 1:
        return f"{format_seconds(timing.median)} (1 run)"
    scale = 1000 if timing.median < 1 else 1
    digits = 1 if scale == 1000 else 2
    low, high = timing.low * scale, timing.high * scale
    return (
        f"{format_seconds(timing.median)} "
        f"({low:,.{digits}f}–{high:,.{digits}f}, {timing.repeats} runs)"
    )


def speed_verdict(a_name: str, a: FitTiming, b_name: str, b: FitTiming) -> str:
    """Which is faster, by the medians, or "no clear difference" when the ranges overlap.

    With overlapping ranges the ratio of medians is within the noise of this
    machine, so no winner is named.
    """
    if a.median <= 0 or b.median <= 0:
        return ""
    if a.high >= b.low and b.high >= a.low:
        return "no clear winner: the ranges overlap"
    if a.median < b.median:
        return f"{a_name} {b.median / a.median:.1f}× faster (median)"
    return f"{b_name} {a.median / b.median:.1f}× faster (median)"
