"""The Speed page's scale-out sweep: sizes, engines, notes, and its figure (small sizes)."""

from __future__ import annotations

import pytest

from dashboard import speed_scaleout
from dashboard.speed_scaleout import (
    MAX_SCALEOUT_CELLS,
    ScaleoutPoint,
    ScaleoutResult,
    max_scaleout_n,
    run_scaleout,
    scaleout_sizes,
)
from dashboard.speed_section_figures import scaleout_figure
from tests.dashboard.fakes import TickClock


def test_sizes_are_log_spaced_and_bounded():
    assert scaleout_sizes(2_000_000) == (10_000, 58_500, 342_000, 2_000_000)
    assert scaleout_sizes(5_000) == (5_000,)
    assert max_scaleout_n(2) == 2_000_000
    assert max_scaleout_n(20) * 20 <= MAX_SCALEOUT_CELLS


def test_every_engine_runs_from_the_same_start_and_is_timed_per_iteration():
    seen: list[float] = []
    r = run_scaleout(
        (1_000, 2_000),
        2,
        3,
        0,
        clock=TickClock(),
        engines=("memory", "dask_threads", "cluster_2"),
        max_iter=4,
        progress=lambda f, m: seen.append(f),
    )
    assert r.engines == ("memory", "dask_threads", "cluster_2")
    assert [(p.engine, p.n) for p in r.points] == [
        (e, n) for e in r.engines for n in (1_000, 2_000)
    ]
    # The tick clock is read twice around each fit: 1 s per fit, divided by n_iter_.
    assert all(p.seconds is not None and 0 < p.seconds <= 1.0 for p in r.points)
    assert not r.notes
    assert seen == sorted(seen) and seen[0] == 0.0 and seen[-1] < 1.0


def test_cluster_engines_get_data_the_workers_already_hold():
    # Not a dask array carrying the NumPy array in its graph, which a distributed
    # scheduler would be sent again with every iteration's graph.
    import numpy as np
    from distributed import futures_of

    X = np.arange(4_000, dtype=float).reshape(-1, 2)
    assert futures_of(speed_scaleout._as_input("dask_threads", X)) == []
    with speed_scaleout._engine_context("cluster_2"):
        Xd = speed_scaleout._as_input("cluster_2", X)
        assert len(futures_of(Xd)) == Xd.numblocks[0] == speed_scaleout.CHUNKS
        np.testing.assert_array_equal(Xd.compute(), X)


def test_missing_dask_ml_is_said_not_hidden(monkeypatch):
    monkeypatch.setattr(speed_scaleout, "dask_ml_available", lambda: False)
    r = run_scaleout((1_000,), 2, 3, 0, clock=TickClock(), engines=("memory", "dask_ml"))
    assert r.engines == ("memory",)
    assert r.notes == ("dask-ml is not installed here, so its KMeans is not shown.",)


@pytest.mark.skipif(not speed_scaleout.dask_ml_available(), reason="dask-ml not installed")
def test_dask_ml_is_timed_when_installed():
    r = run_scaleout((2_000,), 2, 3, 0, clock=TickClock(), engines=("dask_ml",), max_iter=3)
    assert r.points[0].seconds is not None


def test_a_failing_engine_becomes_a_note(monkeypatch):
    def broken(engine, k, C, max_iter):
        raise RuntimeError("worker lost")

    monkeypatch.setattr(speed_scaleout, "_model_factory", broken)
    r = run_scaleout((1_000,), 2, 3, 0, clock=TickClock(), engines=("memory",))
    assert r.points[0].seconds is None
    assert r.notes == ("kmeans_core in memory at N = 1,000: RuntimeError: worker lost",)


def test_scaleout_figure_draws_one_log_log_line_per_engine_with_times():
    r = ScaleoutResult(
        2,
        8,
        ("memory", "cluster_1"),
        (
            ScaleoutPoint("memory", 1000, 0.001),
            ScaleoutPoint("memory", 10000, 0.01),
            ScaleoutPoint("cluster_1", 1000, None, "failed"),
        ),
        (),
    )
    fig = scaleout_figure(r)
    assert [t.name for t in fig.data] == ["kmeans_core in memory"]
    assert list(fig.data[0].x) == [1000, 10000] and list(fig.data[0].y) == [0.001, 0.01]
    assert list(fig.layout.yaxis.tickvals) == [0.001, 0.01]
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    assert "d = 2, K = 8" in fig.layout.title.text
