"""Unit tests for what a Speed run produces (dashboard/speed_results.py)."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard import speed_results
from dashboard.speed_results import MethodTiming


def test_speedups_are_against_the_loop_tier():
    timings = [
        MethodTiming("loops", "measured", seconds=0.5),
        MethodTiming("broadcast", "refused", message="refused: …"),
        MethodTiming("gemm", "measured", seconds=0.01),
        MethodTiming("sklearn", "measured", seconds=0.002),
    ]
    speedups, estimated = speed_results.compute_speedups(timings)
    assert speedups == pytest.approx({"loops": 1.0, "gemm": 50.0, "sklearn": 250.0})
    assert estimated is False


def test_speedups_use_the_loop_estimate_when_loops_were_skipped():
    timings = [
        MethodTiming("loops", "skipped", estimate=10.0),
        MethodTiming("gemm", "measured", seconds=0.1),
    ]
    speedups, estimated = speed_results.compute_speedups(timings)
    assert speedups == pytest.approx({"gemm": 100.0})
    assert estimated is True
    only_gemm = [MethodTiming("gemm", "measured", seconds=0.1)]
    assert speed_results.compute_speedups(only_gemm) == ({}, False)


def test_label_mismatches_compare_on_shared_rows():
    gemm = MethodTiming("gemm", "measured", seconds=1.0, labels=np.array([0, 1, 2, 3, 0]))
    loops = MethodTiming("loops", "skipped", estimate=9.0, labels=np.array([0, 1, 1]))
    bc = MethodTiming("broadcast", "measured", seconds=1.0, labels=np.array([0, 1, 2, 3, 1]))
    mism, rows = speed_results.label_mismatches([loops, bc, gemm])
    assert mism == {"loops": 1, "broadcast": 1}
    assert rows == {"loops": 3, "broadcast": 5}


def test_estimators_compare_only_after_the_same_number_of_iterations():
    a = MethodTiming(
        "kmeans_core", "measured", seconds=1.0, iterations=5, labels=np.array([0, 1, 1])
    )
    b = MethodTiming("sklearn", "measured", seconds=1.0, iterations=5, labels=np.array([0, 1, 0]))
    assert speed_results.estimators_mismatch([a, b]) == 1
    c = MethodTiming("sklearn", "measured", seconds=1.0, iterations=6, labels=np.array([0, 1, 0]))
    assert speed_results.estimators_mismatch([a, c]) is None
    assert speed_results.estimators_mismatch([a]) is None


def test_speed_result_adds_speedups_and_agreement():
    timings = [
        MethodTiming("loops", "measured", seconds=0.5, labels=np.array([0, 1])),
        MethodTiming("gemm", "measured", seconds=0.01, labels=np.array([0, 1])),
    ]
    result = speed_results.speed_result(100, 2, 2, 0, timings)
    assert result.methods == ("loops", "gemm")
    assert result.speedups == pytest.approx({"loops": 1.0, "gemm": 50.0})
    assert result.tier_mismatches == {"loops": 0} and result.tier_rows_checked == {"loops": 2}
    assert result.estimators_mismatch is None
    with pytest.raises(KeyError):
        result.timing("sklearn")
