"""Unit tests for the Speed page's runs (dashboard/speed_runs.py): probes, caps, sweep.

A fake clock that only moves when a fake runner "works" makes every timing exact,
so nothing here depends on how fast the machine is.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from threadpoolctl import threadpool_info

from dashboard import speed_data, speed_runs
from dashboard.speed_methods import METHODS, RunOutcome
from dashboard.speed_runs import SpeedOptions
from kmeans_core import TIERS, broadcast_bytes, lloyd_iteration
from tests.dashboard.fakes import FakeClock, data, fake_runner, spec, specs

# --------------------------------------------------------------------------- estimates


def test_extrapolate_is_linear_in_nkd():
    assert speed_runs.extrapolate_seconds(0.01, (200, 8, 8), (20_000, 8, 8)) == pytest.approx(1.0)
    # 0.01 s * (1000*8*4) / (200*4*2) = 0.2 s
    assert speed_runs.extrapolate_seconds(0.01, (200, 4, 2), (1000, 8, 4)) == pytest.approx(0.2)
    with pytest.raises(ValueError):
        speed_runs.extrapolate_seconds(0.01, (0, 4, 2), (1000, 8, 4))


@given(
    t=st.floats(1e-6, 10.0),
    probe=st.tuples(st.integers(1, 500), st.integers(1, 64), st.integers(1, 100)),
    target=st.tuples(st.integers(1, 10**6), st.integers(1, 64), st.integers(1, 100)),
)
def test_extrapolation_properties(t, probe, target):
    # The probe's own size gives back its time; doubling N (or K, or d) doubles the estimate.
    assert speed_runs.extrapolate_seconds(t, probe, probe) == pytest.approx(t)
    est = speed_runs.extrapolate_seconds(t, probe, target)
    n, k, d = target
    assert speed_runs.extrapolate_seconds(t, probe, (2 * n, k, d)) == pytest.approx(2 * est)
    assert speed_runs.extrapolate_seconds(t, probe, (n, 2 * k, d)) == pytest.approx(2 * est)
    assert speed_runs.extrapolate_seconds(t, probe, (n, k, 2 * d)) == pytest.approx(2 * est)


def test_probe_rows_bounds():
    assert speed_runs.probe_rows(20_000, 8, 8) == 200  # 100k / 64 = 1562, capped at 200
    assert speed_runs.probe_rows(20_000, 64, 100) == 15  # 100k / 6400 = 15
    assert speed_runs.probe_rows(20_000, 64, 10_000) == speed_runs.MIN_PROBE_ROWS
    assert speed_runs.probe_rows(50, 2, 2) == 50  # never more than N


def test_estimate_uses_a_probe_and_the_fake_clock():
    clock = FakeClock()
    calls: list[int] = []
    run = fake_runner(clock, 1e-4, calls=calls)
    X, C = data(n=2000, d=2, k=4)
    est, out = speed_runs.estimate_seconds(run, X, C, 20_000, clock=clock)
    assert calls == [200]  # only the probe ran
    assert est == pytest.approx(1e-4 * 20_000)  # 2 s: the per-row cost times N
    assert len(out.labels) == 200


def test_estimate_divides_by_iterations():
    clock = FakeClock()
    run = fake_runner(clock, 1e-3, iterations=10)
    X, C = data(n=2000)
    est, _ = speed_runs.estimate_seconds(run, X, C, 2000, clock=clock)
    assert est == pytest.approx(1e-3 * 2000 / 10)


# --------------------------------------------------------------------------- caps and memory


def test_cap_skips_a_tier_above_budget_without_running_it():
    clock = FakeClock()
    calls: list[int] = []
    X, C = data(n=2000)
    t = speed_runs.time_method(
        spec("loops", fake_runner(clock, 5e-3, calls=calls)),
        X,
        C,
        SpeedOptions(budget_s=3.0, clock=clock),
    )
    assert t.status == "skipped"
    assert t.estimate == pytest.approx(10.0)  # 5 ms per row * 2000 rows
    assert t.message == "skipped: estimated 10 s per iteration (budget 3 s)"
    assert t.seconds is None and t.runs == ()
    assert calls == [200]  # the full size never ran
    assert len(t.labels) == 200  # probe labels kept for the agreement check


def test_cap_runs_a_tier_under_budget():
    clock = FakeClock()
    X, C = data(n=2000)
    t = speed_runs.time_method(
        spec("loops", fake_runner(clock, 1e-4, calls=[])), X, C, SpeedOptions(clock=clock)
    )
    assert t.status == "measured"
    assert t.seconds == pytest.approx(0.2)
    assert t.estimate == pytest.approx(0.2)


def test_uncapped_methods_are_not_probed():
    clock = FakeClock()
    calls: list[int] = []
    X, C = data(n=2000)
    # 5 s per call is over budget, but GEMM is not capped: it runs once at full size.
    t = speed_runs.time_method(
        spec("gemm", fake_runner(clock, 2.5e-3, calls=calls)),
        X,
        C,
        SpeedOptions(budget_s=3.0, clock=clock),
    )
    assert t.status == "measured" and calls == [2000]
    assert t.runs == (pytest.approx(5.0),)


def test_memory_refusal_message_and_threshold():
    limit = 512 * 2**20
    n, k, d = 1_000_000, 8, 8  # 2 * 1M * 64 * 8 bytes = 977 MB
    assert broadcast_bytes(n, k, d) == 1_024_000_000
    msg = speed_runs.memory_refusal(n, k, d, limit)
    assert msg == (
        "refused: needs 977 MB for its N×K×d temporaries (limit 512 MB); lower N, K or d"
    )
    # Exactly at the limit is allowed: 2 * n * 1 * 1 * 8 bytes == limit.
    assert speed_runs.memory_refusal(limit // 16, 1, 1, limit) is None
    assert speed_runs.memory_refusal(limit // 16 + 1, 1, 1, limit) is not None


def test_broadcast_refused_above_memory_limit_never_runs():
    clock = FakeClock()
    calls: list[int] = []
    X, C = data(n=2000, d=2, k=4)  # 2 * 2000 * 4 * 2 * 8 = 256,000 bytes
    t = speed_runs.time_method(
        spec("broadcast", fake_runner(clock, 1e-6, calls=calls)),
        X,
        C,
        SpeedOptions(memory_limit_bytes=100_000, clock=clock),
    )
    assert t.status == "refused" and calls == []
    assert "needs 250 kB" in t.message and "limit 97.7 kB" in t.message
    ok = speed_runs.time_method(
        spec("broadcast", fake_runner(clock, 1e-6)),
        X,
        C,
        SpeedOptions(memory_limit_bytes=256_000, clock=clock),
    )
    assert ok.status == "measured"


def test_a_new_method_with_a_memory_need_is_refused_like_broadcasting():
    # Any spec with a memory need is screened, not just the broadcasting tier.
    clock = FakeClock()
    calls: list[int] = []
    X, C = data(n=2000)
    greedy = replace(
        spec("gemm", fake_runner(clock, 1e-6, calls=calls)), memory_bytes=lambda *_: 10**9
    )
    t = speed_runs.time_method(greedy, X, C, SpeedOptions(clock=clock))
    assert t.status == "refused" and calls == []


# --------------------------------------------------------------------------- one size


def test_run_timing_structure_with_fake_runners():
    clock = FakeClock()
    per_row = {"loops": 1e-4, "broadcast": 1e-5, "gemm": 1e-6, "kmeans_core": 1e-6,
               "sklearn": 5e-7}  # fmt: skip
    methods = specs({m: fake_runner(clock, c) for m, c in per_row.items()})
    seen = []
    result = speed_runs.run_timing(
        2000,
        2,
        4,
        0,
        methods=methods,
        options=SpeedOptions(clock=clock),
        progress=lambda f, m: seen.append(f),
    )
    assert [t.method for t in result.timings] == list(METHODS)
    assert all(t.status == "measured" for t in result.timings)
    assert result.timing("loops").seconds == pytest.approx(0.2)
    assert result.speedups["loops"] == pytest.approx(1.0)
    assert result.speedups["broadcast"] == pytest.approx(10.0)
    assert result.speedups["gemm"] == pytest.approx(100.0)
    assert result.speedups["sklearn"] == pytest.approx(200.0)
    assert (result.n, result.d, result.k, result.seed) == (2000, 2, 4, 0)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    # Fake labels are all zeros: every tier "agrees" on every row.
    assert result.tier_mismatches == {"loops": 0, "broadcast": 0}
    assert result.tier_rows_checked == {"loops": 2000, "broadcast": 2000}


def test_run_timing_rejects_bad_sizes():
    with pytest.raises(ValueError, match="more than N"):
        speed_runs.run_timing(5, 2, 9, 0)


def test_run_timing_interleaves_repeats_across_methods():
    clock = FakeClock()
    order: list[str] = []

    def logged(name, per_row):
        inner = fake_runner(clock, per_row)

        def run(X, C):
            order.append(name)
            return inner(X, C)

        return run

    names = ("gemm", "kmeans_core", "sklearn")
    X, C = data(n=1000)
    result = speed_runs.run_timing(
        1000,
        2,
        4,
        0,
        methods=specs({m: logged(m, 1e-6) for m in names}),
        options=SpeedOptions(repeats=2, clock=clock),
        data=(X, C),
    )
    # Warm-ups one after another, then two rounds of one call per method.
    assert order == list(names) * 3
    assert all(len(t.runs) == 2 for t in result.timings)


def test_each_measured_timing_is_built_once_from_the_engine():
    # The estimators report 10 iterations per call: seconds are per iteration.
    clock = FakeClock()
    X, C = data(n=1000)
    result = speed_runs.run_timing(
        1000,
        2,
        4,
        0,
        methods=specs({"sklearn": fake_runner(clock, 1e-5, iterations=10)}),
        options=SpeedOptions(repeats=3, clock=clock),
        data=(X, C),
    )
    t = result.timing("sklearn")
    # 1e-5 s per row * 1000 rows = 10 ms per call, 10 iterations: 1 ms per iteration.
    assert t.runs == pytest.approx((1e-3,) * 3) and t.seconds == pytest.approx(1e-3)
    assert t.iterations == 10 and len(t.labels) == 1000


# --------------------------------------------------------------------------- real methods


def test_all_tiers_give_the_same_labels_on_the_timed_data():
    X, C = speed_data.make_timing_data(600, 3, 5, seed=3)
    result = speed_runs.run_timing(600, 3, 5, 3, options=SpeedOptions(repeats=1), data=(X, C))
    assert all(t.status == "measured" for t in result.timings)
    assert result.tier_mismatches == {"loops": 0, "broadcast": 0}
    assert result.tier_rows_checked == {"loops": 600, "broadcast": 600}
    # And the same labels as a direct call, with the estimators agreeing after their fits.
    expected, _ = lloyd_iteration(X, C, tier="loops")
    for tier in TIERS:
        np.testing.assert_array_equal(result.timing(tier).labels, expected)
    assert result.estimators_mismatch == 0
    assert result.timing("sklearn").iterations == result.timing("kmeans_core").iterations >= 1


# --------------------------------------------------------------------------- sweep


def test_sweep_sizes_default():
    assert speed_runs.sweep_sizes(20_000, 8) == (1000, 1800, 3300, 6000, 11000, 20000)
    assert speed_runs.sweep_sizes(10, 3) == (10,)


@given(n_max=st.integers(1, 1_000_000), k=st.integers(1, 64))
def test_sweep_sizes_properties(n_max, k):
    k = min(k, n_max)
    ns = speed_runs.sweep_sizes(n_max, k)
    assert ns[-1] == n_max
    assert list(ns) == sorted(set(ns))
    assert ns[0] >= min(n_max, k)
    assert len(ns) <= 6


def test_sweep_probes_once_and_keeps_estimates_of_skipped_points():
    clock = FakeClock()
    calls: dict[str, list[int]] = {m: [] for m in METHODS}
    per_row = {"loops": 1e-3, "broadcast": 1e-6, "gemm": 1e-6, "kmeans_core": 1e-6,
               "sklearn": 1e-6}  # fmt: skip
    methods = specs({m: fake_runner(clock, c, calls=calls[m]) for m, c in per_row.items()})
    X, C = data(n=5000)
    # The memory limit refuses broadcasting at N = 5000; the loop tier must not care.
    sweep = speed_runs.run_sweep(
        (1000, 2000, 5000), 2, 4, 0, methods=methods,
        options=SpeedOptions(budget_s=3.0, memory_limit_bytes=300_000, repeats=3, clock=clock),
        data=(X, C),
    )  # fmt: skip
    # Loops: 1 s at 1000, 2 s at 2000 (measured), 5 s at 5000 (skipped, estimate kept).
    assert sweep.seconds["loops"] == pytest.approx((1.0, 2.0, None))
    assert sweep.estimates["loops"] == (None, None, pytest.approx(5.0))
    assert calls["loops"].count(200) == 1  # one probe for the whole sweep
    assert 5000 not in calls["loops"]
    assert sweep.notes["loops"] == ["N = 5,000: skipped: estimated 5 s per iteration (budget 3 s)"]
    assert all(v is not None for v in sweep.seconds["gemm"])
    assert sweep.n_values == (1000, 2000, 5000)


def test_sweep_refuses_broadcast_points_above_the_memory_limit():
    clock = FakeClock()
    methods = specs({m: fake_runner(clock, 1e-7) for m in METHODS})
    X, C = data(n=5000, d=2, k=4)
    # Broadcast needs 128 bytes per row here: 2000 rows = 256,000 bytes fits 300,000.
    sweep = speed_runs.run_sweep(
        (1000, 2000, 5000),
        2,
        4,
        0,
        methods=methods,
        options=SpeedOptions(memory_limit_bytes=300_000, repeats=3, clock=clock),
        data=(X, C),
    )
    assert [v is not None for v in sweep.seconds["broadcast"]] == [True, True, False]
    assert sweep.estimates["broadcast"] == (None, None, None)
    assert "refused: needs 625 kB" in sweep.notes["broadcast"][0]


def test_sweep_records_each_point_once():
    clock = FakeClock()
    methods = specs({m: fake_runner(clock, 1e-6) for m in METHODS})
    X, C = data(n=5000)
    known = speed_runs.run_timing(
        5000, 2, 4, 0, methods=methods, options=SpeedOptions(clock=clock), data=(X, C)
    )
    sweep = speed_runs.run_sweep(
        (1000, 2000, 5000),
        2,
        4,
        0,
        methods=methods,
        options=SpeedOptions(repeats=3, clock=clock),
        data=(X, C),
        known=known,
    )
    # One value per N for every method, whether timed here or reused from `known`.
    for m in METHODS:
        assert len(sweep.seconds[m]) == len(sweep.estimates[m]) == 3


def test_sweep_reuses_the_main_result_at_its_n():
    clock = FakeClock()
    calls: dict[str, list[int]] = {m: [] for m in METHODS}
    methods = specs({m: fake_runner(clock, 1e-6, calls=calls[m]) for m in METHODS})
    X, C = data(n=5000)
    options = SpeedOptions(clock=clock)
    known = speed_runs.run_timing(5000, 2, 4, 0, methods=methods, options=options, data=(X, C))
    for c in calls.values():
        c.clear()
    sweep = speed_runs.run_sweep(
        (1000, 5000), 2, 4, 0, methods=methods, options=options, data=(X, C), known=known
    )
    assert all(5000 not in c for c in calls.values())  # N = 5000 was not timed again
    assert sweep.seconds["gemm"][1] == known.timing("gemm").seconds
    assert all(1000 in calls[m] for m in METHODS)


def test_sweep_spends_a_share_of_the_budget_per_point():
    clock = FakeClock()
    calls: list[int] = []
    methods = specs({"gemm": fake_runner(clock, 2e-4, calls=calls)})
    X, C = data(n=2000)
    # 0.2 s per call at N = 1000; 4 points share a 2 s budget = 0.5 s each, so each point
    # gets 2 calls (0.4 s). With the whole 2 s per point it would get 1 warm-up + 5 repeats.
    speed_runs.run_sweep(
        (1000,) * 4, 2, 4, 0, methods=methods,
        options=SpeedOptions(budget_s=2.0, repeats=5, clock=clock), data=(X, C),
    )  # fmt: skip
    assert calls == [1000] * 8


def test_sweep_uses_the_main_probe_for_its_estimates():
    clock = FakeClock()
    calls: list[int] = []
    runners = {m: fake_runner(clock, 1e-6) for m in METHODS}
    runners["loops"] = fake_runner(clock, 1e-2, calls=calls)  # 10 ms per row: always skipped
    methods = specs(runners)
    X, C = data(n=5000)
    options = SpeedOptions(clock=clock)
    known = speed_runs.run_timing(5000, 2, 4, 0, methods=methods, options=options, data=(X, C))
    assert known.timing("loops").estimate == pytest.approx(50.0)
    calls.clear()
    sweep = speed_runs.run_sweep(
        (1000, 2000, 5000), 2, 4, 0, methods=methods, options=options, data=(X, C), known=known
    )
    assert calls == []  # no second probe
    assert sweep.estimates["loops"] == pytest.approx((10.0, 20.0, 50.0))


def test_sweep_options_cap_the_repeats():
    assert SpeedOptions(repeats=9).for_sweep().repeats == speed_runs.SWEEP_REPEATS
    assert SpeedOptions(repeats=1).for_sweep().repeats == 1


# --------------------------------------------------------------------------- threads


def test_threads_limit_applies_while_timing_only():
    seen: list[int] = []

    def spy(X, C):
        seen.append(max((p["num_threads"] for p in threadpool_info()), default=1))
        return RunOutcome(np.zeros(len(X), dtype=np.int32), 1)

    def pools():
        return sorted((p["internal_api"], p["num_threads"]) for p in threadpool_info())

    before = pools()
    X, C = data(n=300)
    methods = specs({m: spy for m in METHODS})
    options = SpeedOptions(repeats=1, threads=1)
    speed_runs.run_timing(300, 2, 4, 0, methods=methods, options=options, data=(X, C))
    assert seen and set(seen) == {1}
    seen.clear()
    speed_runs.run_sweep((100, 300), 2, 4, 0, methods=methods, options=options, data=(X, C))
    assert seen and set(seen) == {1}
    assert pools() == before  # limits are restored afterwards


# --------------------------------------------------------------------------- the page's run


def test_measure_speed_times_the_size_then_the_sweep_up_to_it():
    clock = FakeClock()
    request = speed_runs.SpeedRequest(
        "blobs", 600, 2, 3, 0, SpeedOptions(repeats=1, budget_s=0.5, clock=clock)
    )
    seen: list[float] = []
    report = speed_runs.measure_speed(request, progress=lambda f, m: seen.append(f))
    assert (report.result.n, report.result.d, report.result.k) == (600, 2, 3)
    assert report.sweep.n_values[-1] == 600
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    assert report.measured_at.endswith("UTC") and report.cpus >= 1


def test_measure_speed_on_a_dataset_shuffles_and_uses_its_size():
    X = np.repeat(np.arange(50.0), 4).reshape(-1, 2)  # 100 rows, 2 features
    request = speed_runs.SpeedRequest("ds-key", 100, 2, 3, 0, SpeedOptions(repeats=1))
    report = speed_runs.measure_speed(request, X)
    assert report.result.n == 100 and report.result.estimators_mismatch is not None


def test_requests_are_equal_when_their_settings_are():
    a = speed_runs.SpeedRequest("blobs", 1000, 2, 3, 0, SpeedOptions(threads=1))
    b = speed_runs.SpeedRequest("blobs", 1000, 2, 3, 0, SpeedOptions(threads=1))
    assert a == b and hash(a) == hash(b)
    assert a != speed_runs.SpeedRequest("blobs", 1000, 2, 3, 0, SpeedOptions())
