"""Unit tests for the Speed page's sentences (dashboard/speed_text.py)."""

from __future__ import annotations

from dashboard import speed_text
from dashboard.speed_results import MethodTiming, SpeedResult, SweepResult
from dashboard.timing import Measurement


def test_results_table_rows():
    res = SpeedResult(
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
    rows = speed_text.results_table(res)
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
    assert speed_text.load_note(1.5, 2) is None
    assert speed_text.load_note(2.0, 2) is None
    note = speed_text.load_note(8.4, 2)
    assert "load 8.4 on 2 CPU cores" in note and "noisy" in note
    assert "One thread per library" in note
    # Already on one thread: nothing more to suggest.
    assert "One thread per library" not in speed_text.load_note(8.4, 2, threads=1)


def _with_checks(mism, rows, est_mismatch):
    return SpeedResult(
        n=100, d=2, k=3, seed=0,
        timings=(MethodTiming("sklearn", "measured", seconds=1.0, iterations=7),),
        speedups={}, baseline_estimated=False,
        tier_mismatches=mism, tier_rows_checked=rows, estimators_mismatch=est_mismatch,
    )  # fmt: skip


def test_agreement_summary():
    ok, text = speed_text.agreement_summary(
        _with_checks({"loops": 0, "broadcast": 0}, {"loops": 15, "broadcast": 100}, 0)
    )
    assert ok
    assert text == (
        "Same labels as the GEMM tier: Python loops on 15 rows, NumPy broadcasting on 100 rows. "
        "kmeans_core and scikit-learn agree on every label after 7 iterations."
    )
    ok, text = speed_text.agreement_summary(_with_checks({"loops": 2}, {"loops": 100}, 3))
    assert not ok
    assert "differ from the GEMM tier's on 2 rows (Python loops)" in text
    assert "differ on 3 labels after 7 iterations" in text
    assert speed_text.agreement_summary(_with_checks({}, {}, None)) == (True, "")


def test_memory_notice_before_a_run():
    # 2 * 20,000 * 8 * 8 * 8 bytes = 19.5 MB, under 512 MB: a plain caption.
    refused, text = speed_text.memory_notice(20_000, 8, 8, 512 * 2**20, 3.0)
    assert not refused
    assert text.startswith("Broadcasting will allocate 19.5 MB (limit 512 MB)")
    assert "over 3 s" in text
    # 2 * 20,000 * 64 * 100 * 8 bytes = 1.91 GB: it will be refused.
    refused, text = speed_text.memory_notice(20_000, 100, 64, 512 * 2**20, 3.0)
    assert refused and "1.91 GB" in text and "it will be refused" in text


def test_small_n_note_and_timed_label():
    assert "N = 1,000" in speed_text.small_n_note(1000)
    assert speed_text.small_n_note(speed_text.SMALL_N) is None
    assert speed_text.timed_label(4.21) == "Timed in 4.2 s"


def test_how_measured_says_when_and_threads():
    text = speed_text.how_measured("12:00:00 UTC", 7, one_thread=True)
    assert text.startswith("Measured at 12:00:00 UTC on this server (seed 7; one thread")
    assert "max_iter=10" in text
    assert "one thread" not in speed_text.how_measured("12:00:00 UTC", 7, one_thread=False)


def test_verdict_and_sweep_notes_name_the_method():
    res = _with_checks({}, {}, None)
    res = SpeedResult(
        **{**res.__dict__, "timings": (
            MethodTiming("loops", "skipped", estimate=9.0, message="skipped: estimated 9 s"),
            MethodTiming("broadcast", "refused", message="refused: needs 2 GB"),
            MethodTiming("gemm", "measured", seconds=0.1),
        )}
    )  # fmt: skip
    assert speed_text.verdict_notes(res) == [
        ("info", "Python loops: skipped: estimated 9 s. Its bar is the estimate."),
        ("warning", "NumPy broadcasting: refused: needs 2 GB."),
    ]
    sweep = SweepResult(
        n_values=(1000,), d=2, k=3, seconds={"loops": (None,)}, estimates={"loops": (9.0,)},
        notes={"loops": ["N = 1,000: skipped"]},
    )  # fmt: skip
    assert speed_text.sweep_notes(sweep) == ["Python loops — N = 1,000: skipped"]


def test_gemm_explanation_uses_the_sizes():
    text = speed_text.gemm_explanation(20_000, 8, 8)
    assert "19.5 MB at these sizes" in text
    assert "N·K·d = 1,280,000" in text  # 20,000 * 8 * 8


def test_how_each_row_was_timed_reads_well_for_a_single_call():
    res = SpeedResult(
        n=1000, d=2, k=3, seed=0,
        timings=(
            MethodTiming("gemm", "measured", seconds=0.5, runs=(0.5,)),
            MethodTiming("sklearn", "measured", seconds=0.5, runs=(0.5,), iterations=10),
        ),
        speedups={}, baseline_estimated=False,
        tier_mismatches={}, tier_rows_checked={}, estimators_mismatch=None,
    )  # fmt: skip
    assert [r["timed"] for r in speed_text.results_table(res)] == [
        "one run", "one fit × 10 iterations"
    ]  # fmt: skip


# --------------------------------------------------------------------------- repeated fits
# (moved from the retired dashboard/fit_timing.py; Compare's table cells)


def _timed(*runs: float) -> Measurement[None]:
    return Measurement(tuple(runs), result=None, warmed_up=False)


def test_spread_text_gives_median_range_and_runs():
    t = _timed(0.003, 0.001, 0.010, 0.002, 0.002)
    assert (t.median, t.spread, len(t.runs)) == (0.002, (0.001, 0.010), 5)
    assert speed_text.spread_text(t) == "2 ms (1–10 ms, 5 runs)"
    assert speed_text.spread_text(_timed(1.5, 1.25, 2.0)) == "1.5 s (1.25–2 s, 3 runs)"
    assert speed_text.spread_text(_timed(1.5)) == "1.5 s (1 run)"
    # A range across units is written in the slowest run's unit.
    assert (
        speed_text.spread_text(_timed(0.00249, 0.00068, 0.0431)) == "2.49 ms (0.68–43.1 ms, 3 runs)"
    )


def test_speed_verdict_names_no_winner_while_the_ranges_overlap():
    a = _timed(0.010, 0.012, 0.015)
    b = _timed(0.011, 0.014, 0.020)
    assert speed_text.speed_verdict("A", a, "B", b) == "no clear winner: the ranges overlap"


def test_speed_verdict_names_the_faster_with_the_ratio_of_medians():
    fast = _timed(0.010, 0.011, 0.012)
    slow = _timed(0.030, 0.031, 0.040)
    assert speed_text.speed_verdict("A", fast, "B", slow) == "A 2.8× faster (median)"
    assert speed_text.speed_verdict("A", slow, "B", fast) == "B 2.8× faster (median)"
