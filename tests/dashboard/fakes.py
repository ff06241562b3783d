"""A fake clock and fake runners: timings in these tests are exact, never the machine's.

The clock only moves when a fake runner "works", by a cost the test chooses.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from dashboard.speed_methods import METHOD_SPECS, MethodSpec, Runner, RunOutcome


class FakeClock:
    """A clock that only moves when a fake runner advances it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class TickClock:
    """Moves one second each time it is read: each timed step then costs exactly 1 s."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def fake_runner(clock, per_row, *, calls=None, iterations=1, extra=()):
    """A runner costing ``per_row`` seconds per row (plus ``extra[i]`` on call i)."""
    extra = list(extra)
    count = [0]

    def run(X, C):
        i = count[0]
        count[0] += 1
        if calls is not None:
            calls.append(len(X))
        clock.now += per_row * len(X) + (extra[i] if i < len(extra) else 0.0)
        return RunOutcome(np.zeros(len(X), dtype=np.int32), iterations)

    return run


def spec(name: str, run: Runner) -> MethodSpec:
    """The real spec of method ``name`` (its caps and memory need) with a fake runner."""
    real = next(s for s in METHOD_SPECS if s.name == name)
    return replace(real, run=run)


def specs(runners: dict[str, Runner]) -> list[MethodSpec]:
    """Specs for ``runners`` (method -> runner), in the order of ``runners``."""
    return [spec(name, run) for name, run in runners.items()]


def data(n=2000, d=2, k=4):
    """Rows 0, 1, 2, ... and the first K rows as centers."""
    X = np.arange(n * d, dtype=float).reshape(n, d)
    return X, X[:k].copy()
