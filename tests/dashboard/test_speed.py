"""Unit tests for the Speed page's timing harness (dashboard/speed.py).

A fake clock that only moves when a fake runner "works" makes every timing exact,
so nothing here depends on how fast the machine is.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import speed
from dashboard.speed import MethodTiming, RunOutcome
from kmeans_core import TIERS, broadcast_bytes, lloyd_iteration


class FakeClock:
    """A clock that only moves when a fake runner advances it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
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


def data(n=2000, d=2, k=4):
    X = np.arange(n * d, dtype=float).reshape(n, d)
    return X, X[:k].copy()


# --------------------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(41.2, "41 s"), (2.5, "2.5 s"), (1.0, "1 s"), (0.0123, "12.3 ms"), (0.25, "250 ms"),
     (1e-3, "1 ms"), (85e-6, "85 µs"), (1e-6, "1 µs")],
)  # fmt: skip
def test_format_seconds(seconds, text):
    assert speed.format_seconds(seconds) == text


def test_format_bytes_and_counts_and_speedups():
    assert speed.format_bytes(512 * 2**20) == "512 MB"
    assert speed.format_bytes(2.4 * 2**30) == "2.4 GB"
    assert speed.format_bytes(19.5 * 2**20) == "19.5 MB"
    assert speed.format_bytes(100) == "100 B"
    assert speed.format_count(20_000) == "20k"
    assert speed.format_count(3300) == "3.3k"
    assert speed.format_count(1_000_000) == "1M"
    assert speed.format_count(800) == "800"
    assert speed.format_speedup(1.0) == "1×"
    assert speed.format_speedup(3.41) == "3.4×"
    assert speed.format_speedup(1234.4) == "1,234×"


# --------------------------------------------------------------------------- sizes and data


def test_check_sizes_messages():
    assert speed.check_sizes(20_000, 8, 8) is None
    assert "K = 9 is more than N = 5" in speed.check_sizes(5, 2, 9)
    assert "at least 1" in speed.check_sizes(0, 2, 1)
    # 1M rows x 100 features = 763 MB of float64: above the data limit.
    msg = speed.check_sizes(1_000_000, 100, 8)
    assert "lower N or d" in msg and "763 MB" in msg
    assert speed.check_sizes(speed.MAX_N + 1, 1, 1) is not None


def test_make_timing_data_is_seeded_and_centers_are_early_rows():
    X, C = speed.make_timing_data(3000, 3, 5, seed=7)
    X2, C2 = speed.make_timing_data(3000, 3, 5, seed=7)
    assert X.shape == (3000, 3) and C.shape == (5, 3) and X.dtype == np.float64
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(C, C2)
    # Every center is one of the first 1000 rows, so every sweep prefix contains it.
    for c in C:
        assert np.any(np.all(X[:1000] == c, axis=1))
    X3, _ = speed.make_timing_data(3000, 3, 5, seed=8)
    assert not np.array_equal(X, X3)


# --------------------------------------------------------------------------- estimates


def test_extrapolate_is_linear_in_nkd():
    assert speed.extrapolate_seconds(0.01, (200, 8, 8), (20_000, 8, 8)) == pytest.approx(1.0)
    # 0.01 s * (1000*8*4) / (200*4*2) = 0.2 s
    assert speed.extrapolate_seconds(0.01, (200, 4, 2), (1000, 8, 4)) == pytest.approx(0.2)
    with pytest.raises(ValueError):
        speed.extrapolate_seconds(0.01, (0, 4, 2), (1000, 8, 4))


def test_probe_rows_bounds():
    assert speed.probe_rows(20_000, 8, 8) == 200  # 100k / 64 = 1562, capped at 200
    assert speed.probe_rows(20_000, 64, 100) == 15  # 100k / 6400 = 15
    assert speed.probe_rows(20_000, 64, 10_000) == speed.MIN_PROBE_ROWS
    assert speed.probe_rows(50, 2, 2) == 50  # never more than N


def test_estimate_uses_a_probe_and_the_fake_clock():
    clock = FakeClock()
    calls: list[int] = []
    run = fake_runner(clock, 1e-4, calls=calls)
    X, C = data(n=2000, d=2, k=4)
    est, out = speed.estimate_seconds(run, X, C, 20_000, clock=clock)
    assert calls == [200]  # only the probe ran
    assert est == pytest.approx(1e-4 * 20_000)  # 2 s: the per-row cost times N
    assert len(out.labels) == 200


def test_estimate_divides_by_iterations():
    clock = FakeClock()
    run = fake_runner(clock, 1e-3, iterations=10)
    X, C = data(n=2000)
    est, _ = speed.estimate_seconds(run, X, C, 2000, clock=clock)
    assert est == pytest.approx(1e-3 * 2000 / 10)


# --------------------------------------------------------------------------- caps and memory


def test_cap_skips_a_tier_above_budget_without_running_it():
    clock = FakeClock()
    calls: list[int] = []
    X, C = data(n=2000)
    t = speed.time_method(
        "loops", fake_runner(clock, 5e-3, calls=calls), X, C, budget_s=3.0, clock=clock
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
    t = speed.time_method("loops", fake_runner(clock, 1e-4, calls=[]), X, C, clock=clock)
    assert t.status == "measured"
    assert t.seconds == pytest.approx(0.2)
    assert t.estimate == pytest.approx(0.2)


def test_uncapped_methods_are_not_probed():
    clock = FakeClock()
    calls: list[int] = []
    X, C = data(n=2000)
    # 5 s per call is over budget, but GEMM is not capped: it runs once at full size.
    t = speed.time_method(
        "gemm", fake_runner(clock, 2.5e-3, calls=calls), X, C, budget_s=3.0, clock=clock
    )
    assert t.status == "measured" and calls == [2000]
    assert t.runs == (pytest.approx(5.0),)


def test_memory_refusal_message_and_threshold():
    limit = 512 * 2**20
    n, k, d = 1_000_000, 8, 8  # 2 * 1M * 64 * 8 bytes = 977 MB
    assert broadcast_bytes(n, k, d) == 1_024_000_000
    msg = speed.memory_refusal(n, k, d, limit)
    assert msg == (
        "refused: needs 977 MB for its N×K×d temporaries (limit 512 MB); lower N, K or d"
    )
    # Exactly at the limit is allowed: 2 * n * 1 * 1 * 8 bytes == limit.
    assert speed.memory_refusal(limit // 16, 1, 1, limit) is None
    assert speed.memory_refusal(limit // 16 + 1, 1, 1, limit) is not None


def test_broadcast_refused_above_memory_limit_never_runs():
    clock = FakeClock()
    calls: list[int] = []
    X, C = data(n=2000, d=2, k=4)  # 2 * 2000 * 4 * 2 * 8 = 256,000 bytes
    t = speed.time_method(
        "broadcast",
        fake_runner(clock, 1e-6, calls=calls),
        X,
        C,
        memory_limit_bytes=100_000,
        clock=clock,
    )
    assert t.status == "refused" and calls == []
    assert "needs 250 kB" in t.message and "limit 97.7 kB" in t.message
    ok = speed.time_method(
        "broadcast", fake_runner(clock, 1e-6), X, C, memory_limit_bytes=256_000, clock=clock
    )
    assert ok.status == "measured"


# --------------------------------------------------------------------------- repeats


def test_measure_fast_discards_warmup_and_takes_median():
    clock = FakeClock()
    X, C = data(n=1000)
    # Base cost 1 ms; call 0 is a slow warm-up, then 3 timed calls with extra 0, 4, 1 ms.
    run = fake_runner(clock, 1e-6, extra=[0.5, 0.0, 4e-3, 1e-3])
    median, runs, _ = speed.measure(run, X, C, repeats=3, budget_s=10.0, clock=clock)
    assert runs == pytest.approx((1e-3, 5e-3, 2e-3))
    assert median == pytest.approx(2e-3)


def test_measure_slow_repeats_only_within_budget():
    clock = FakeClock()
    X, C = data(n=1000)
    # 1 s per call, budget 3 s: 6 calls would not fit, so 1 + 2 more (spent 3 s), no warm-up.
    run = fake_runner(clock, 1e-3)
    median, runs, _ = speed.measure(run, X, C, repeats=5, budget_s=3.0, clock=clock)
    assert runs == pytest.approx((1.0, 1.0, 1.0))
    # 2 s per call: one call only.
    clock2 = FakeClock()
    _, runs2, _ = speed.measure(
        fake_runner(clock2, 2e-3), X, C, repeats=5, budget_s=3.0, clock=clock2
    )
    assert runs2 == pytest.approx((2.0,))


# --------------------------------------------------------------------------- speed-ups


def test_speedups_are_against_the_loop_tier():
    timings = [
        MethodTiming("loops", "measured", seconds=0.5),
        MethodTiming("broadcast", "refused", message="refused: …"),
        MethodTiming("gemm", "measured", seconds=0.01),
        MethodTiming("sklearn", "measured", seconds=0.002),
    ]
    speedups, estimated = speed.compute_speedups(timings)
    assert speedups == pytest.approx({"loops": 1.0, "gemm": 50.0, "sklearn": 250.0})
    assert estimated is False


def test_speedups_use_the_loop_estimate_when_loops_were_skipped():
    timings = [
        MethodTiming("loops", "skipped", estimate=10.0),
        MethodTiming("gemm", "measured", seconds=0.1),
    ]
    speedups, estimated = speed.compute_speedups(timings)
    assert speedups == pytest.approx({"gemm": 100.0})
    assert estimated is True
    assert speed.compute_speedups([MethodTiming("gemm", "measured", seconds=0.1)]) == ({}, False)


def test_run_timing_structure_with_fake_runners():
    clock = FakeClock()
    per_row = {"loops": 1e-4, "broadcast": 1e-5, "gemm": 1e-6, "kmeans_core": 1e-6,
               "sklearn": 5e-7}  # fmt: skip
    runners = {m: fake_runner(clock, c) for m, c in per_row.items()}
    seen = []
    result = speed.run_timing(
        2000, 2, 4, 0, runners=runners, clock=clock, progress=lambda f, m: seen.append(f)
    )
    assert [t.method for t in result.timings] == list(speed.METHODS)
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
        speed.run_timing(5, 2, 9, 0)


def test_label_mismatches_compare_on_shared_rows():
    gemm = MethodTiming("gemm", "measured", seconds=1.0, labels=np.array([0, 1, 2, 3, 0]))
    loops = MethodTiming("loops", "skipped", estimate=9.0, labels=np.array([0, 1, 1]))
    bc = MethodTiming("broadcast", "measured", seconds=1.0, labels=np.array([0, 1, 2, 3, 1]))
    mism, rows = speed.label_mismatches([loops, bc, gemm])
    assert mism == {"loops": 1, "broadcast": 1}
    assert rows == {"loops": 3, "broadcast": 5}


# --------------------------------------------------------------------------- real methods


def test_all_tiers_give_the_same_labels_on_the_timed_data():
    X, C = speed.make_timing_data(600, 3, 5, seed=3)
    result = speed.run_timing(600, 3, 5, 3, repeats=1, data=(X, C))
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
    assert speed.sweep_sizes(20_000, 8) == (1000, 1800, 3300, 6000, 11000, 20000)
    assert speed.sweep_sizes(10, 3) == (10,)


@given(n_max=st.integers(1, 1_000_000), k=st.integers(1, 64))
def test_sweep_sizes_properties(n_max, k):
    k = min(k, n_max)
    ns = speed.sweep_sizes(n_max, k)
    assert ns[-1] == n_max
    assert list(ns) == sorted(set(ns))
    assert ns[0] >= min(n_max, k)
    assert len(ns) <= 6


def test_sweep_probes_once_and_keeps_estimates_of_skipped_points():
    clock = FakeClock()
    calls: dict[str, list[int]] = {m: [] for m in speed.METHODS}
    per_row = {"loops": 1e-3, "broadcast": 1e-6, "gemm": 1e-6, "kmeans_core": 1e-6,
               "sklearn": 1e-6}  # fmt: skip
    runners = {m: fake_runner(clock, c, calls=calls[m]) for m, c in per_row.items()}
    X, C = data(n=5000)
    # The memory limit refuses broadcasting at N = 5000; the loop tier must not care.
    sweep = speed.run_sweep(
        (1000, 2000, 5000), 2, 4, 0, budget_s=3.0, memory_limit_bytes=300_000,
        runners=runners, clock=clock, data=(X, C),
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
    runners = {m: fake_runner(clock, 1e-7) for m in speed.METHODS}
    X, C = data(n=5000, d=2, k=4)
    # Broadcast needs 128 bytes per row here: 2000 rows = 256,000 bytes fits 300,000.
    sweep = speed.run_sweep(
        (1000, 2000, 5000),
        2,
        4,
        0,
        memory_limit_bytes=300_000,
        runners=runners,
        clock=clock,
        data=(X, C),
    )
    assert [v is not None for v in sweep.seconds["broadcast"]] == [True, True, False]
    assert sweep.estimates["broadcast"] == (None, None, None)
    assert "refused: needs 625 kB" in sweep.notes["broadcast"][0]


def test_sweep_reuses_the_main_result_at_its_n():
    clock = FakeClock()
    calls: dict[str, list[int]] = {m: [] for m in speed.METHODS}
    runners = {m: fake_runner(clock, 1e-6, calls=calls[m]) for m in speed.METHODS}
    X, C = data(n=5000)
    known = speed.run_timing(5000, 2, 4, 0, runners=runners, clock=clock, data=(X, C))
    for c in calls.values():
        c.clear()
    sweep = speed.run_sweep(
        (1000, 5000), 2, 4, 0, runners=runners, clock=clock, data=(X, C), known=known
    )
    assert all(5000 not in c for c in calls.values())  # N = 5000 was not timed again
    assert sweep.seconds["gemm"][1] == known.timing("gemm").seconds
    assert all(1000 in calls[m] for m in speed.METHODS)


def test_sweep_spends_a_share_of_the_budget_per_point():
    clock = FakeClock()
    calls: list[int] = []
    runners = {"gemm": fake_runner(clock, 2e-4, calls=calls)}
    X, C = data(n=2000)
    # 0.2 s per call at N = 1000; 4 points share a 2 s budget = 0.5 s each, so each point
    # gets 2 calls (0.4 s). With the whole 2 s per point it would get 1 warm-up + 5 repeats.
    speed.run_sweep(
        (1000,) * 4, 2, 4, 0, budget_s=2.0, methods=("gemm",), runners=runners, clock=clock,
        data=(X, C), repeats=5,
    )  # fmt: skip
    assert calls == [1000] * 8


def test_sweep_uses_the_main_probe_for_its_estimates():
    clock = FakeClock()
    calls: list[int] = []
    runners = {m: fake_runner(clock, 1e-6) for m in speed.METHODS}
    runners["loops"] = fake_runner(clock, 1e-2, calls=calls)  # 10 ms per row: always skipped
    X, C = data(n=5000)
    known = speed.run_timing(5000, 2, 4, 0, runners=runners, clock=clock, data=(X, C))
    assert known.timing("loops").estimate == pytest.approx(50.0)
    calls.clear()
    sweep = speed.run_sweep(
        (1000, 2000, 5000), 2, 4, 0, runners=runners, clock=clock, data=(X, C), known=known
    )
    assert calls == []  # no second probe
    assert sweep.estimates["loops"] == pytest.approx((10.0, 20.0, 50.0))


def test_results_table_rows():
    res = speed.SpeedResult(
        n=1000, d=2, k=3, seed=0,
        timings=(
            MethodTiming("loops", "skipped", estimate=41.0, message="skipped"),
            MethodTiming("broadcast", "refused", message="refused: needs 2 GB"),
            MethodTiming("gemm", "measured", seconds=0.0123, runs=(0.01, 0.0123, 0.02)),
            MethodTiming("sklearn", "measured", seconds=0.001, runs=(0.001,) * 5, iterations=10),
        ),
        speedups={"gemm": 41.0 / 0.0123, "sklearn": 41_000.0},
        baseline_estimated=True,
        tier_mismatches={}, tier_rows_checked={}, estimators_mismatch=None,
    )  # fmt: skip
    rows = speed.results_table(res)
    assert [r["method"] for r in rows] == [
        "Python loops", "NumPy broadcasting", "GEMM (‖x‖² − 2x·c + ‖c‖²)", "scikit-learn KMeans"
    ]  # fmt: skip
    assert rows[0]["time per iteration"] == "est. 41 s (not run)"
    assert rows[1]["time per iteration"] == "refused (memory)"
    assert rows[2] == {
        "method": "GEMM (‖x‖² − 2x·c + ‖c‖²)",
        "time per iteration": "12.3 ms",
        "speed-up vs loops": "3,333× (vs est.)",
        "timed": "median of 3",
    }
    assert rows[3]["timed"] == "median of 5 fits × 10 iterations"
    assert rows[0]["speed-up vs loops"] == "—"


def test_load_note_only_when_busy():
    assert speed.load_note(1.5, 2) is None
    assert speed.load_note(2.0, 2) is None
    note = speed.load_note(8.4, 2)
    assert "load 8.4 on 2 CPU cores" in note and "noisy" in note
    assert "One thread per library" in note
    # Already on one thread: nothing more to suggest.
    assert "One thread per library" not in speed.load_note(8.4, 2, threads=1)


def test_dataset_timing_data_shuffles_rows_and_picks_early_centers():
    X = np.repeat(np.arange(10.0), 30).reshape(-1, 1)  # sorted, like a file sorted by class
    Xs, C = speed.dataset_timing_data(X, 3, seed=0)
    assert Xs.shape == X.shape and C.shape == (3, 1)
    np.testing.assert_array_equal(np.sort(Xs[:, 0]), X[:, 0])  # same rows
    assert not np.array_equal(Xs, X)  # but shuffled
    # The first 30 rows are not all one value any more (a fair prefix).
    assert len(np.unique(Xs[:30])) > 1
    Xs2, C2 = speed.dataset_timing_data(X, 3, seed=0)
    np.testing.assert_array_equal(Xs, Xs2)
    np.testing.assert_array_equal(C, C2)
    with pytest.raises(ValueError, match="K = 301 is more than the 300 rows"):
        speed.dataset_timing_data(X, 301, seed=0)


def _with_checks(mism, rows, est_mismatch):
    return speed.SpeedResult(
        n=100, d=2, k=3, seed=0,
        timings=(MethodTiming("sklearn", "measured", seconds=1.0, iterations=7),),
        speedups={}, baseline_estimated=False,
        tier_mismatches=mism, tier_rows_checked=rows, estimators_mismatch=est_mismatch,
    )  # fmt: skip


def test_agreement_summary():
    ok, text = speed.agreement_summary(
        _with_checks({"loops": 0, "broadcast": 0}, {"loops": 15, "broadcast": 100}, 0)
    )
    assert ok
    assert text == (
        "Same labels as the GEMM tier: Python loops on 15 rows, NumPy broadcasting on 100 rows. "
        "kmeans_core and scikit-learn agree on every label after 7 iterations."
    )
    ok, text = speed.agreement_summary(_with_checks({"loops": 2}, {"loops": 100}, 3))
    assert not ok
    assert "differ from the GEMM tier's on 2 rows (Python loops)" in text
    assert "differ on 3 labels after 7 iterations" in text
    assert speed.agreement_summary(_with_checks({}, {}, None)) == (True, "")


@given(
    t=st.floats(1e-6, 10.0),
    probe=st.tuples(st.integers(1, 500), st.integers(1, 64), st.integers(1, 100)),
    target=st.tuples(st.integers(1, 10**6), st.integers(1, 64), st.integers(1, 100)),
)
def test_extrapolation_properties(t, probe, target):
    # The probe's own size gives back its time; doubling N (or K, or d) doubles the estimate.
    assert speed.extrapolate_seconds(t, probe, probe) == pytest.approx(t)
    est = speed.extrapolate_seconds(t, probe, target)
    n, k, d = target
    assert speed.extrapolate_seconds(t, probe, (2 * n, k, d)) == pytest.approx(2 * est)
    assert speed.extrapolate_seconds(t, probe, (n, 2 * k, d)) == pytest.approx(2 * est)
    assert speed.extrapolate_seconds(t, probe, (n, k, 2 * d)) == pytest.approx(2 * est)


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
    assert speed.repeat_plan(first, repeats, budget) == plan


def test_run_timing_interleaves_repeats_across_methods():
    clock = FakeClock()
    order: list[str] = []

    def logged(name, per_row):
        inner = fake_runner(clock, per_row)

        def run(X, C):
            order.append(name)
            return inner(X, C)

        return run

    methods = ("gemm", "kmeans_core", "sklearn")
    runners = {m: logged(m, 1e-6) for m in methods}
    X, C = data(n=1000)
    result = speed.run_timing(
        1000, 2, 4, 0, repeats=2, methods=methods, runners=runners, clock=clock, data=(X, C)
    )
    # Warm-ups one after another, then two rounds of one call per method.
    assert order == list(methods) * 3
    assert all(len(t.runs) == 2 for t in result.timings)


def test_threads_limit_applies_while_timing_only():
    from threadpoolctl import threadpool_info

    seen: list[int] = []

    def spy(X, C):
        seen.append(max((p["num_threads"] for p in threadpool_info()), default=1))
        return RunOutcome(np.zeros(len(X), dtype=np.int32), 1)

    def pools():
        return sorted((p["internal_api"], p["num_threads"]) for p in threadpool_info())

    before = pools()
    X, C = data(n=300)
    runners = {m: spy for m in speed.METHODS}
    speed.run_timing(300, 2, 4, 0, repeats=1, runners=runners, data=(X, C), threads=1)
    assert seen and set(seen) == {1}
    seen.clear()
    speed.run_sweep((100, 300), 2, 4, 0, repeats=1, runners=runners, data=(X, C), threads=1)
    assert seen and set(seen) == {1}
    assert pools() == before  # limits are restored afterwards
