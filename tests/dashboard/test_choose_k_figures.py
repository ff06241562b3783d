"""Figure builders of the Choose K page return the traces the page promises."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from dashboard import choose_k as ck
from dashboard import gap_statistic as gs
from dashboard import stability as sb
from dashboard.choose_k_figures import (
    Z95,
    elbow_figure,
    metrics_figure,
    silhouette_figure,
    trust_figure,
)


@pytest.fixture(scope="module")
def sweep() -> ck.KSweep:
    X, _ = make_blobs(
        n_samples=60, centers=[[0, 0], [10, 0], [0, 10]], cluster_std=0.7, random_state=0
    )
    return ck.run_sweep(X, range(1, 9), n_init=3, seed=0)


def _by_name(fig, prefix):
    return [t for t in fig.data if (t.name or "").startswith(prefix)]


def test_elbow_band_mean_and_time_axis(sweep):
    fig = elbow_figure(sweep, ck.Knee(3, "knee at 3"))
    lower = _by_name(fig, "restart min")[0]
    upper = _by_name(fig, "spread of 3 restarts (min–max)")[0]
    assert upper.fill == "tonexty"  # filled down to the trace before it: the lower edge
    assert list(fig.data).index(lower) == list(fig.data).index(upper) - 1
    assert np.allclose(lower.y, sweep.inertia_min)
    assert np.allclose(upper.y, sweep.inertia_max)
    mean = _by_name(fig, "WCSS (mean of restarts)")[0]
    assert np.allclose(mean.y, sweep.inertia_mean)
    time = _by_name(fig, "fit time")[0]
    assert time.yaxis == "y2"  # the secondary axis of the top panel
    assert fig.layout.yaxis2.overlaying == "y" and fig.layout.yaxis2.side == "right"
    assert np.allclose(time.y, 1000 * sweep.fit_seconds)  # shown in ms


def test_elbow_knee_marker_and_drop_panel(sweep):
    fig = elbow_figure(sweep, ck.Knee(3, "knee at 3"))
    knee = _by_name(fig, "knee: K = 3")[0]
    assert list(knee.x) == [3]
    assert knee.y[0] == pytest.approx(sweep.inertia_mean[2])
    bars = [t for t in fig.data if t.type == "bar"][0]
    assert bars.yaxis == "y3"  # the bottom panel
    assert np.allclose(bars.y[1:], ck.percent_drop(sweep.inertia_mean)[1:])
    assert [s.x0 for s in fig.layout.shapes] == [3]  # guide line under the star


def test_elbow_no_knee_says_so(sweep):
    fig = elbow_figure(sweep, ck.Knee(None, "none"))
    assert not _by_name(fig, "knee")
    assert any(a.text == "No knee found" for a in fig.layout.annotations)
    assert len(fig.layout.shapes) == 0


def test_metrics_lines_and_best_markers(sweep):
    bests = ck.metric_bests(sweep)
    fig = metrics_figure(sweep, bests)
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    assert [t.name for t in lines] == ["Silhouette", "Calinski–Harabasz", "Davies–Bouldin"]
    assert list(lines[0].x) == list(range(2, 9))  # K = 1 has no score and is not drawn
    stars = [t for t in fig.data if t.mode == "markers+text"]
    assert [t.x[0] for t in stars] == [3, 3, 3]
    assert [t.xaxis for t in stars] == ["x", "x2", "x3"]
    assert stars[2].y[0] == pytest.approx(np.nanmin(sweep.davies_bouldin))


def test_metrics_undefined_panels_say_so():
    sweep = ck.run_sweep(np.ones((10, 2)), range(1, 4), n_init=1, seed=0)
    fig = metrics_figure(sweep, ck.metric_bests(sweep))
    assert not [t for t in fig.data if t.mode == "markers+text"]
    assert sum("undefined" in (a.text or "") for a in fig.layout.annotations) == 3


def test_silhouette_figure_blades_sorted_and_average_line():
    X = np.array([[0.0], [0.1], [5.0], [7.0], [20.0], [20.1]])
    labels = np.array([0, 0, 1, 1, 2, 2])
    diag = ck.silhouette_diagram(ck.silhouette_values(X, labels), labels, 3)
    fig = silhouette_figure(diag)
    blades = list(fig.data)
    assert len(blades) == 3
    assert all(t.fill == "tozerox" for t in blades)
    for t, c in zip(blades, diag.clusters, strict=True):
        assert np.all(np.diff(t.x) <= 0)  # sorted high to low within the blade
        assert np.allclose(t.x, c.values)
    assert blades[1].name == "cluster 1 (entirely below average)"
    assert blades[0].name == "cluster 0"
    assert fig.layout.yaxis.autorange == "reversed"  # cluster 0 on top, blades widest on top
    # Blades do not overlap vertically.
    assert max(blades[0].y) < min(blades[1].y) and max(blades[1].y) < min(blades[2].y)
    (line,) = fig.layout.shapes
    assert line.x0 == pytest.approx(diag.average) and line.x1 == pytest.approx(diag.average)


def test_elbow_log_scale_only_when_positive(sweep):
    assert elbow_figure(sweep, ck.Knee(3, ""), log_y=True).layout.yaxis.type == "log"
    assert elbow_figure(sweep, ck.Knee(3, "")).layout.yaxis.type != "log"
    flat = ck.run_sweep(np.ones((10, 2)), range(1, 4), n_init=1, seed=0)  # WCSS = 0
    assert elbow_figure(flat, ck.Knee(None, ""), log_y=True).layout.yaxis.type != "log"


def test_elbow_no_band_with_one_restart():
    one = ck.run_sweep(np.arange(20.0)[:, None], range(1, 4), n_init=1, seed=0)
    fig = elbow_figure(one, ck.Knee(None, ""))
    assert not _by_name(fig, "spread") and not _by_name(fig, "restart min")
    assert not [t for t in fig.data if t.type == "scatter" and t.fill == "tonexty"]


def test_elbow_points_carry_k_for_click_selection(sweep):
    fig = elbow_figure(sweep, ck.Knee(3, ""))
    assert fig.layout.clickmode == "event+select"
    mean = _by_name(fig, "WCSS (mean of restarts)")[0]
    assert list(mean.x) == list(sweep.k_values)


def test_metrics_silhouette_error_bars_only_when_sampled(sweep):
    fig = metrics_figure(sweep, ck.metric_bests(sweep))
    assert _by_name(fig, "Silhouette")[0].error_y.array is None  # exact: no bar
    X, _ = make_blobs(n_samples=ck.SILHOUETTE_MAX_ROWS + 200, centers=3, random_state=0)
    big = ck.run_sweep(X, range(1, 5), n_init=1, seed=0)
    fig = metrics_figure(big, ck.metric_bests(big))
    bars = _by_name(fig, "Silhouette")[0].error_y
    assert np.allclose(bars.array, Z95 * big.silhouette_se[1:])


def test_trust_figure_stability_and_gap_panels():
    stab = sb.Stability(
        np.arange(1, 5),
        np.array([np.nan, 0.6, 0.99, 0.7]),
        np.array([np.nan, 0.2, 0.01, 0.1]),
        5,
        80,
        100,
    )
    gap = gs.Gap(np.arange(1, 5), np.array([0.1, 0.5, 1.2, 1.1]), np.full(4, 0.05), 3, 5, 100, 100)
    fig = trust_figure(stab, gap)
    line = _by_name(fig, "stability (mean ARI ± sd)")[0]
    assert list(line.x) == [2, 3, 4]  # K = 1 has no ARI
    assert np.allclose(line.error_y.array, [0.2, 0.01, 0.1])
    g = _by_name(fig, "gap statistic (± s)")[0]
    assert g.xaxis == "x2" and np.allclose(g.error_y.array, 0.05)
    star = _by_name(fig, "gap statistic best K = 3")[0]
    assert list(star.x) == [3] and star.y[0] == pytest.approx(1.2)


def test_trust_figure_says_when_not_computed():
    fig = trust_figure(None, None)
    assert not fig.data
    assert [a.text for a in fig.layout.annotations if a.text == "not computed"] == [
        "not computed"
    ] * 2
