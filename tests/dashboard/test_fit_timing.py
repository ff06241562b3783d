"""dashboard.fit_timing: alternating repeats with a fake clock, and the words for a spread."""

from __future__ import annotations

import itertools

from dashboard.fit_timing import FitTiming, speed_verdict, spread_text, time_alternating


class FakeClock:
    """Time stands still except when a fake fit moves it on by its cost."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _call(clock: FakeClock, cost: float, log: list[str], name: str):
    def run() -> str:
        log.append(name)
        clock.now += cost
        return name

    return run


def test_calls_take_turns_and_each_is_timed_every_round():
    clock, log = FakeClock(), []
    results, timings = time_alternating(
        [_call(clock, 0.01, log, "a"), _call(clock, 0.03, log, "b")],
        max_repeats=3,
        budget_seconds=10,
        clock=clock,
    )
    assert log == ["a", "b", "a", "b", "a", "b"]
    assert results == ["a", "b"]
    assert [t.repeats for t in timings] == [3, 3]
    assert abs(timings[0].median - 0.01) < 1e-12 and abs(timings[1].median - 0.03) < 1e-12


def test_budget_stops_new_rounds_but_the_first_round_always_runs():
    clock, log = FakeClock(), []
    # a costs 2 s alone: over a 1 s budget, so only round one runs, but b is still timed.
    _, timings = time_alternating(
        [_call(clock, 2.0, log, "a"), _call(clock, 0.1, log, "b")],
        max_repeats=5,
        budget_seconds=1.0,
        clock=clock,
    )
    assert log == ["a", "b"]
    assert [t.repeats for t in timings] == [1, 1]


def test_budget_counts_the_time_spent_in_every_round():
    clock, log = FakeClock(), []
    # Rounds cost 0.4 s: after round 1 (0.4) and 2 (0.8) a third starts, a fourth does not.
    time_alternating(
        [_call(clock, 0.2, log, "a"), _call(clock, 0.2, log, "b")],
        max_repeats=10,
        budget_seconds=1.0,
        clock=clock,
    )
    assert len(log) == 6


def test_median_low_high_of_the_repeats():
    t = FitTiming((0.003, 0.001, 0.010, 0.002, 0.002))
    assert (t.median, t.low, t.high, t.repeats) == (0.002, 0.001, 0.010, 5)
    assert spread_text(t) == "2.0 ms (1.0–10.0, 5 runs)"
    assert spread_text(FitTiming((1.5, 1.25, 2.0))) == "1.50 s (1.25–2.00, 3 runs)"
    assert spread_text(FitTiming((1.5,))) == "1.50 s (1 run)"


def test_no_winner_is_named_when_the_ranges_overlap():
    a = FitTiming((0.010, 0.012, 0.015))
    b = FitTiming((0.011, 0.014, 0.020))
    assert speed_verdict("A", a, "B", b) == "no clear winner: the ranges overlap"


def test_the_faster_one_is_named_with_the_ratio_of_medians():
    fast = FitTiming((0.010, 0.011, 0.012))
    slow = FitTiming((0.030, 0.031, 0.040))
    assert speed_verdict("A", fast, "B", slow) == "A 2.8× faster (median)"
    assert speed_verdict("A", slow, "B", fast) == "B 2.8× faster (median)"


def test_each_call_runs_once_per_round_even_for_many_calls():
    clock, log = FakeClock(), []
    calls = [_call(clock, 0.001, log, str(i)) for i in range(4)]
    time_alternating(calls, max_repeats=2, budget_seconds=10, clock=clock)
    assert log == list(itertools.chain(*[[str(i) for i in range(4)]] * 2))
