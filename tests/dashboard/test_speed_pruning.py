"""The Speed page's pruning runs: per-iteration time (fake clock), skipped share, same labels."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.speed_data import make_timing_data
from dashboard.speed_pruning import (
    ALGORITHMS,
    PruningResult,
    pruning_summary,
    run_pruning,
    trace_algorithm,
)
from dashboard.speed_section_figures import pruning_figure
from kmeans_core import KMeans
from tests.dashboard.fakes import TickClock


@pytest.fixture(scope="module")
def blobs():
    return make_timing_data(3000, 20, 6, 0)


@pytest.fixture(scope="module")
def result(blobs) -> PruningResult:
    X, C = blobs
    return run_pruning(X, C, clock=TickClock(), threads=1, max_iter=15)


def test_each_iteration_is_timed_by_the_clock(blobs):
    X, C = blobs
    t = trace_algorithm(X, C, "lloyd", TickClock(), max_iter=15)
    assert KMeans(n_clusters=6, init=C, n_init=1, max_iter=15, tol=0.0).fit(X).n_iter_ == 15
    # An assign and an update half-step per iteration, 1 s each on this clock; the
    # final labelling after max_iter is not counted as an iteration.
    assert t.seconds == (2.0,) * 15
    assert len(t.seconds) == len(t.skipped) == len(t.label_digests)


def test_three_exact_methods_same_labels_and_iterations_as_the_estimator(blobs, result):
    X, C = blobs
    # d = 20: above the tree's feature limit, so it is left out.
    assert [t.algorithm for t in result.traces] == [a for a in ALGORITHMS if a != "tree"]
    assert result.labels_identical
    assert len({len(t.seconds) for t in result.traces}) == 1
    model = KMeans(n_clusters=6, init=C, n_init=1, max_iter=15, tol=0.0).fit(X)
    assert len(result.trace("lloyd").seconds) == model.n_iter_


def test_lloyd_skips_nothing_and_the_bounds_skip_most_late(result):
    assert all(s == 0.0 for s in result.trace("lloyd").skipped)
    for name in ("elkan", "hamerly"):
        skipped = result.trace(name).skipped
        assert all(0.0 <= s <= 1.0 for s in skipped)
        assert max(skipped) > 0.5  # well-separated blobs: most distances ruled out


def test_rows_are_capped_and_progress_ends_at_one(blobs):
    X, C = blobs
    seen: list[float] = []
    r = run_pruning(
        X, C, clock=TickClock(), max_rows=500, max_iter=3, progress=lambda f, m: seen.append(f)
    )
    assert (r.n, r.d, r.k) == (500, 20, 6)
    assert seen == sorted(seen) and seen[0] == 0.0 and seen[-1] == 1.0


def test_labels_identical_is_false_when_a_digest_differs(result):
    t0, t1, t2 = result.traces
    broken = PruningResult(
        result.n,
        result.d,
        result.k,
        (t0, t1, type(t2)(t2.algorithm, t2.seconds, t2.skipped, ("x",) + t2.label_digests[1:])),
    )
    assert not broken.labels_identical
    assert "differed" in pruning_summary(broken)
    with pytest.raises(KeyError):
        result.trace("faiss")


def test_summary_says_when_bounds_pay_off_and_that_labels_match(result):
    text = pruning_summary(result)
    assert "N = 3,000, d = 20, K = 6" in text
    assert "d is large" in text and "late in a run" in text
    assert "labels are identical after every iteration" in text
    # On the tick clock every algorithm takes the same time: ratio 1.00×.
    assert "took 1.00× Lloyd's" in text


def test_pruning_figure_time_and_skipped_panels(result):
    fig = pruning_figure(result)
    names = [t.name for t in fig.data]
    assert names == ["Lloyd", "Elkan", "Elkan", "Hamerly", "Hamerly"]
    time_traces = [t for t in fig.data if t.yaxis in (None, "y")]
    assert [t.name for t in time_traces] == ["Lloyd", "Elkan", "Hamerly"]
    assert list(time_traces[0].y) == [s * 1000 for s in result.trace("lloyd").seconds]
    skipped = [t for t in fig.data if t.yaxis == "y2"]
    assert np.allclose(skipped[0].y, result.trace("elkan").skipped)
    assert fig.layout.yaxis2.tickformat == ".0%"


def test_the_tree_joins_at_low_d_and_skips_from_the_first_iteration():
    X, C = make_timing_data(4000, 2, 5, 1)
    result = run_pruning(X, C, clock=TickClock(), threads=1, max_iter=10)
    assert [t.algorithm for t in result.traces] == list(ALGORITHMS)
    assert result.labels_identical
    tree = result.trace("tree").skipped
    assert all(0.0 <= s <= 1.0 for s in tree) and min(tree) > 0.3
    text = pruning_summary(result)
    assert "Tree skipped up to" in text and "labels whole cells" in text
    fig = pruning_figure(result)
    assert fig.layout.title.text.startswith("Lloyd, Elkan, Hamerly and Tree from the same start")
    assert [t.name for t in fig.data if t.yaxis == "y2"] == ["Elkan", "Hamerly", "Tree"]
