"""Unit tests for the timing engine (dashboard/timing.py), on a fake clock.

Each fake task advances the clock by a cost the test chooses, so every median,
spread and ratio below can be checked by hand.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from threadpoolctl import threadpool_info

from dashboard import timing
from dashboard.compare import TIMING
from dashboard.timing import TimingOptions
from kmeans_core import _kernels
from tests.dashboard.fakes import FakeClock, data, fake_runner


def costly(clock: FakeClock, costs, name=None, log=None, result=None):
    """A task whose i-th call costs ``costs[i]`` seconds (the last cost repeats)."""
    costs = list(costs)
    calls = [0]

    def task():
        i = calls[0]
        calls[0] += 1
        clock.now += costs[min(i, len(costs) - 1)]
        if log is not None:
            log.append(name)
        return result if result is not None else i

    return task


# --------------------------------------------------------------------------- repeat plan


@pytest.mark.parametrize(
    ("first", "repeats", "budget", "plan"),
    [
        (0.1, 5, 3.0, (True, 5)),  # 6 calls fit: warm-up, then 5 timed
        (0.5, 5, 3.0, (True, 5)),  # exactly 6 x 0.5 = 3 s still fits
        (1.0, 5, 3.0, (False, 2)),  # 1 + 2 calls = 3 s
        (2.0, 5, 3.0, (False, 0)),  # one call only
        (0.01, 1, 3.0, (True, 1)),
    ],
)
def test_repeat_plan(first, repeats, budget, plan):
    assert timing.repeat_plan(first, repeats, budget) == plan


def test_repeat_plan_without_budget_or_warmup():
    assert timing.repeat_plan(100.0, 5, None) == (True, 5)  # no budget: always 5 timed
    assert timing.repeat_plan(100.0, 5, None, warmup=False) == (False, 4)  # first counts
    # Without a warm-up the first call counts even when everything fits.
    assert timing.repeat_plan(0.1, 5, 3.0, warmup=False) == (False, 4)


# --------------------------------------------------------------------------- one callable


def test_measure_fast_discards_warmup_and_takes_median():
    clock = FakeClock()
    X, C = data(n=1000)
    # Base cost 1 ms; call 0 is a slow warm-up, then 3 timed calls with extra 0, 4, 1 ms.
    run = fake_runner(clock, 1e-6, extra=[0.5, 0.0, 4e-3, 1e-3])
    m = timing.measure(lambda: run(X, C), TimingOptions(repeats=3, budget_s=10.0, clock=clock))
    assert m.runs == pytest.approx((1e-3, 5e-3, 2e-3))
    assert m.median == pytest.approx(2e-3)
    assert m.warmed_up
    # Spread: fastest 1 ms, slowest 5 ms; (5 - 1) / 2 = 2 medians wide.
    assert m.spread == pytest.approx((1e-3, 5e-3))
    assert m.relative_spread == pytest.approx(2.0)


def test_measure_slow_repeats_only_within_budget():
    clock = FakeClock()
    X, C = data(n=1000)
    # 1 s per call, budget 3 s: 6 calls would not fit, so 1 + 2 more (spent 3 s), no warm-up.
    run = fake_runner(clock, 1e-3)
    m = timing.measure(lambda: run(X, C), TimingOptions(repeats=5, budget_s=3.0, clock=clock))
    assert m.runs == pytest.approx((1.0, 1.0, 1.0))
    assert not m.warmed_up
    # 2 s per call: one call only.
    clock2 = FakeClock()
    run2 = fake_runner(clock2, 2e-3)
    m2 = timing.measure(lambda: run2(X, C), TimingOptions(repeats=5, budget_s=3.0, clock=clock2))
    assert m2.runs == pytest.approx((2.0,))


def test_units_divide_each_call():
    clock = FakeClock()
    # Each call costs 0.3 s and reports 10 units of work (say Lloyd iterations): 30 ms each.
    task = costly(clock, [0.3], result=10)
    m = timing.measure(task, TimingOptions(repeats=2, clock=clock), units=lambda r: r)
    assert m.runs == pytest.approx((0.03, 0.03))
    assert m.units == 10 and m.result == 10


def test_the_result_is_the_first_calls():
    clock = FakeClock()
    m = timing.measure(costly(clock, [1.0]), TimingOptions(repeats=3, clock=clock))
    assert m.result == 0  # the warm-up's return value
    assert len(m.runs) == 3


# --------------------------------------------------------------------------- several callables


def test_repeats_are_interleaved_round_robin():
    clock = FakeClock()
    log: list[str] = []
    tasks = {name: costly(clock, [0.01], name, log) for name in ("a", "b", "c")}
    out = timing.measure_many(tasks, TimingOptions(repeats=2, clock=clock))
    # Warm-ups one after another, then two rounds of one call each.
    assert log == ["a", "b", "c"] * 3
    assert list(out) == ["a", "b", "c"]
    assert all(len(m.runs) == 2 for m in out.values())


def test_alternate_reverses_every_other_round():
    clock = FakeClock()
    log: list[str] = []
    tasks = {name: costly(clock, [0.01], name, log) for name in ("ours", "theirs")}
    timing.measure_many(tasks, TimingOptions(repeats=4, alternate=True, clock=clock))
    assert log == ["ours", "theirs"] + ["ours", "theirs", "theirs", "ours"] * 2


def test_without_interleaving_each_callable_finishes_first():
    clock = FakeClock()
    log: list[str] = []
    tasks = {name: costly(clock, [0.01], name, log) for name in ("a", "b")}
    timing.measure_many(tasks, TimingOptions(repeats=2, interleave=False, clock=clock))
    assert log == ["a", "a", "a", "b", "b", "b"]


def test_a_slow_callable_sits_out_the_rounds_its_budget_cannot_pay():
    clock = FakeClock()
    log: list[str] = []
    # Budget 3 s: "fast" (0.1 s) gets a warm-up + 3 timed; "slow" (1 s) 1 + 2 counted.
    tasks = {"fast": costly(clock, [0.1], "fast", log), "slow": costly(clock, [1.0], "slow", log)}
    out = timing.measure_many(tasks, TimingOptions(repeats=3, budget_s=3.0, clock=clock))
    assert out["fast"].runs == pytest.approx((0.1,) * 3)
    assert out["slow"].runs == pytest.approx((1.0,) * 3)
    assert log == ["fast", "slow"] + ["fast", "slow"] * 2 + ["fast"]


def test_progress_runs_from_zero_to_one():
    clock = FakeClock()
    seen: list[tuple[float, str]] = []
    tasks = {name: costly(clock, [0.01]) for name in ("a", "b")}
    timing.measure_many(
        tasks,
        TimingOptions(repeats=2, clock=clock),
        progress=lambda f, m: seen.append((f, m)),
        label=str.upper,
    )
    fractions = [f for f, _ in seen]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0 and fractions == sorted(fractions)
    assert seen[0][1] == "Warming up A" and seen[2][1] == "Timing round 1 of 2"


# --------------------------------------------------------------------------- pairs


def test_pair_ratios_are_per_round():
    clock = FakeClock()
    # First: warm-up, then 2, 4, 3 s; second: warm-up, then 1, 1, 2 s.
    first = costly(clock, [9.0, 2.0, 4.0, 3.0])
    second = costly(clock, [9.0, 1.0, 1.0, 2.0])
    pair = timing.measure_pair(first, second, TimingOptions(repeats=3, clock=clock))
    assert pair.ratios == pytest.approx((2.0, 4.0, 1.5))
    assert pair.ratio_range == pytest.approx((1.5, 4.0))
    assert pair.ratio == pytest.approx(3.0 / 1.0)  # median 3 s / median 1 s


def test_pair_alternates_when_asked():
    clock = FakeClock()
    log: list[str] = []
    timing.measure_pair(
        costly(clock, [0.1], "a", log),
        costly(clock, [0.1], "b", log),
        TimingOptions(repeats=2, alternate=True, clock=clock),
    )
    assert log == ["a", "b", "a", "b", "b", "a"]


# --------------------------------------------------------------------------- options and threads


@pytest.mark.parametrize(
    "kwargs", [{"repeats": 0}, {"budget_s": 0.0}, {"budget_s": -1.0}, {"threads": 0}]
)
def test_options_reject_nonsense(kwargs):
    with pytest.raises(ValueError):
        TimingOptions(**kwargs)


def test_options_are_frozen_and_compare_without_the_clock():
    a, b = TimingOptions(clock=FakeClock()), TimingOptions()
    assert a == b and hash(a) == hash(b)
    with pytest.raises(AttributeError):
        a.repeats = 3  # type: ignore[misc]


def test_thread_limit_holds_every_pool_and_restores_it():
    def pools():
        return sorted((p["internal_api"], p["num_threads"]) for p in threadpool_info())

    before, kmeans_before = pools(), _kernels.MAX_THREADS
    seen: list[tuple[int, int | None]] = []

    def spy():
        most = max((p["num_threads"] for p in threadpool_info()), default=1)
        seen.append((most, _kernels.MAX_THREADS))

    timing.measure(spy, TimingOptions(repeats=1, threads=1))
    assert seen and set(seen) == {(1, 1)}
    kmeans_after = _kernels.MAX_THREADS
    assert pools() == before and kmeans_after == kmeans_before


# --------------------------------------------------------------------------- Compare's options
# (moved from the retired dashboard/fit_timing.py: Compare times both fits with the engine)


def test_compare_fast_fits_take_turns_and_get_every_repeat():
    clock = FakeClock()
    log: list[str] = []
    pair = timing.measure_pair(
        costly(clock, [0.01], "a", log),
        costly(clock, [0.03], "b", log),
        replace(TIMING, clock=clock),
    )
    # A warm-up each, then 5 rounds in alternating order (a b, b a, ...).
    assert log == ["a", "b"] + ["a", "b", "b", "a"] * 2 + ["a", "b"]
    assert len(pair.first.runs) == len(pair.second.runs) == TIMING.repeats
    assert pair.first.median == pytest.approx(0.01) and pair.second.median == pytest.approx(0.03)


def test_compare_a_fit_over_the_budget_is_timed_once_and_the_other_still_timed():
    clock = FakeClock()
    log: list[str] = []
    # "a" costs 2 s alone, over its budget: it counts once; "b" is still timed fully.
    pair = timing.measure_pair(
        costly(clock, [2.0], "a", log),
        costly(clock, [0.01], "b", log),
        replace(TIMING, clock=clock),
    )
    assert pair.first.runs == pytest.approx((2.0,)) and not pair.first.warmed_up
    assert len(pair.second.runs) == TIMING.repeats
    assert log.count("a") == 1


def test_compare_budget_counts_every_call_of_a_fit():
    clock = FakeClock()
    log: list[str] = []
    # 0.2 s per fit, 0.75 s each: 6 calls do not fit, so 1 + 2 more (0.6 s), no warm-up.
    pair = timing.measure_pair(
        costly(clock, [0.2], "a", log),
        costly(clock, [0.2], "b", log),
        replace(TIMING, clock=clock),
    )
    assert len(pair.first.runs) == len(pair.second.runs) == 3
    assert len(log) == 6
