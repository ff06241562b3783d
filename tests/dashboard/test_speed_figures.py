"""Tests for the Speed page's figure builders (dashboard/speed_figures.py)."""

from __future__ import annotations

import math

import pytest

from dashboard.speed_figures import (
    METHOD_COLORS,
    scaling_loglog,
    seconds_axis,
    time_per_iteration_bar,
)
from dashboard.speed_results import MethodTiming, SpeedResult, SweepResult


def result(timings, speedups, baseline_estimated=False):
    return SpeedResult(
        n=20_000,
        d=8,
        k=8,
        seed=0,
        timings=tuple(timings),
        speedups=speedups,
        baseline_estimated=baseline_estimated,
        tier_mismatches={},
        tier_rows_checked={},
        estimators_mismatch=None,
    )


ALL_MEASURED = result(
    [
        MethodTiming("loops", "measured", seconds=0.1, runs=(0.1,)),
        MethodTiming("broadcast", "measured", seconds=0.01, runs=(0.01,)),
        MethodTiming("gemm", "measured", seconds=0.002, runs=(0.002,)),
        MethodTiming("kmeans_core", "measured", seconds=0.002, runs=(0.002,), iterations=10),
        MethodTiming("sklearn", "measured", seconds=0.0005, runs=(0.0005,), iterations=10),
    ],
    {"loops": 1.0, "broadcast": 10.0, "gemm": 50.0, "kmeans_core": 50.0, "sklearn": 200.0},
)


def test_seconds_axis_labels_powers_of_ten():
    axis = seconds_axis(2e-4, 0.3)
    assert axis["tickvals"] == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    assert axis["ticktext"] == ["100 µs", "1 ms", "10 ms", "100 ms", "1 s"]


def test_bar_all_measured():
    fig = time_per_iteration_bar(ALL_MEASURED)
    assert [t.name for t in fig.data] == ["measured"]
    bars = fig.data[0]
    assert list(bars.y) == [0.1, 0.01, 0.002, 0.002, 0.0005]
    assert bars.marker.color == tuple(METHOD_COLORS[m] for m in METHOD_COLORS)
    assert "baseline" in bars.text[0]
    assert "10× faster" in bars.text[1] and "200× faster" in bars.text[4]
    assert "100 ms" in bars.text[0] and "500 µs" in bars.text[4]
    assert fig.layout.yaxis.type == "log"
    # The hover reads seconds the app-wide way (dashboard.formatting), as the labels do.
    assert [row[2] for row in bars.customdata] == ["100 ms", "10 ms", "2 ms", "2 ms", "500 µs"]
    assert "%{customdata[2]} per iteration" in bars.hovertemplate
    # The range (in decades) leaves room under the smallest and above the largest bar.
    lo, hi = fig.layout.yaxis.range
    assert lo < math.log10(0.0005) and hi > math.log10(0.1)
    assert "N = 20,000, d = 8, K = 8" in fig.layout.title.text
    assert fig.layout.showlegend is False


def test_bar_skipped_loops_drawn_as_estimate_and_refused_annotated():
    res = result(
        [
            MethodTiming("loops", "skipped", estimate=41.0, message="skipped: estimated 41 s"),
            MethodTiming("broadcast", "refused", message="refused: needs 2 GB"),
            MethodTiming("gemm", "measured", seconds=0.01, runs=(0.01,)),
        ],
        {"gemm": 4100.0},
        baseline_estimated=True,
    )
    fig = time_per_iteration_bar(res)
    names = [t.name for t in fig.data]
    assert names == ["measured", "estimated (not run)"]
    est = fig.data[1]
    assert list(est.y) == [41.0] and "est. 41 s" in est.text[0]
    assert "against the loop tier's estimate" in fig.layout.title.text
    assert any("refused" in a.text for a in fig.layout.annotations)
    assert fig.layout.showlegend is True
    # Every method keeps its slot on the x axis, in order.
    assert len(fig.layout.xaxis.categoryarray) == 3


def test_scaling_loglog_traces_and_axes():
    sweep = SweepResult(
        n_values=(1000, 2000, 5000),
        d=2,
        k=4,
        seconds={"loops": (1.0, 2.0, None), "gemm": (1e-4, 2e-4, 5e-4)},
        estimates={"loops": (None, None, 5.0), "gemm": (None, None, None)},
        notes={"loops": ["N = 5,000: skipped"], "gemm": []},
    )
    fig = scaling_loglog(sweep)
    names = [t.name for t in fig.data]
    assert names == ["Python loops", "Python loops (estimated)", "GEMM (‖x‖² − 2x·c + ‖c‖²)"]
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    est = fig.data[1]
    # The dashed estimate starts from the last measured loop point.
    assert list(est.x) == [2000, 5000] and list(est.y) == [2.0, 5.0]
    assert est.line.dash == "dash"
    assert list(fig.layout.xaxis.ticktext) == ["1k", "2k", "5k"]
    assert list(fig.layout.yaxis.ticktext)[0] == "100 µs"
    assert list(fig.layout.yaxis.ticktext)[-1] == "10 s"
