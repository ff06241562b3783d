"""Plotly figure builders of the Animate page (dashboard.animation_figures)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dashboard.animation import animate_run
from dashboard.animation_figures import (
    SPEEDS_MS,
    animation_figure,
    discrete_colorscale,
    payload_bytes,
    pick_figure,
    widen_to_aspect,
)
from dashboard.plotting import cluster_color, view_2d

# A 50,000-point sample with up to 61 frames must stay well under Streamlit's
# message limit (our config: 200 MB; Streamlit's default: 200 MB; issue: 50 MB).
PAYLOAD_BUDGET_50K = 12_000_000


def _run(X, k=3, max_iter=30, tol=0.0, seed=0):
    rng = np.random.default_rng(seed)
    C = X[rng.choice(len(X), k, replace=False)]
    return animate_run(X, C, np.arange(len(X)), init_label="t", max_iter=max_iter, tol=tol)


def _blobs(n=300, d=2, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-8, 8, size=(4, d))
    return centers[rng.integers(0, 4, n)] + rng.normal(0, 1.0, size=(n, d))


def _fig(X, run, **kw):
    view = view_2d(X, [f"x{i}" for i in range(X.shape[1])])
    return animation_figure(
        run, view.points, view.project, x_title="a", y_title="b", voronoi=X.shape[1] <= 2, **kw
    )


def _decode(v):
    """A trace attribute from a JSON dict: plain list or Plotly's typed-array encoding."""
    import base64

    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
    return np.asarray(v)


def test_one_plotly_frame_per_run_frame_with_only_dynamic_traces():
    X = _blobs()
    run = _run(X, k=3)
    fig = _fig(X, run)
    k = 3
    assert len(fig.frames) == len(run.frames)
    # k Voronoi cells, points, rings, trails, centroids, inertia curve, marker.
    assert len(fig.data) == k + 6
    for fr in fig.frames:
        assert list(fr.traces) == [*range(k + 4), k + 5]  # never the static inertia curve
        assert len(fr.data) == len(fr.traces)
    # SVG only: several Scattergl traces stop redrawing when frames play.
    assert {t.type for t in fig.data} == {"scatter"}
    assert all(t.type == "scatter" for fr in fig.frames for t in fr.data)


def test_frame_data_matches_run():
    X = _blobs()
    run = _run(X, k=3)
    fig = _fig(X, run)
    spec = json.loads(fig.to_json())
    pos = 3  # after the three Voronoi cells
    for i, (fr, f) in enumerate(zip(spec["frames"], run.frames, strict=True)):
        colors = _decode(fr["data"][pos]["marker"]["color"])
        np.testing.assert_array_equal(colors, f.labels)
        assert colors.dtype == np.int8  # compact typed array, not a JSON list
        rings_x = _decode(fr["data"][pos + 1]["x"])
        if f.changed.any():
            np.testing.assert_allclose(rings_x, X[f.changed, 0].astype(np.float32))
        else:
            assert np.isnan(rings_x).all()
        np.testing.assert_allclose(_decode(fr["data"][pos + 3]["x"]), f.centers[:, 0])
        marker_x = list(_decode(fr["data"][-1]["x"]))
        assert marker_x == ([] if f.inertia is None else [i])
        assert f.title in fr["layout"]["title"]["text"]


def test_no_voronoi_for_more_than_two_features():
    X = _blobs(d=4)
    run = _run(X, k=3)
    fig = _fig(X, run)
    assert len(fig.data) == 6
    assert not any(t.fill == "toself" for t in fig.data)


def test_controls_play_pause_and_slider():
    X = _blobs()
    run = _run(X, k=2)
    fig = _fig(X, run, frame_ms=SPEEDS_MS["fast"], active=2)
    play, pause = fig.layout.updatemenus[0].buttons
    assert play.method == "animate" and play.args[0] is None
    assert play.args[1]["frame"]["duration"] == SPEEDS_MS["fast"]
    assert play.args[1]["fromcurrent"] is True
    assert list(pause.args[0]) == [None]
    slider = fig.layout.sliders[0]
    assert len(slider.steps) == len(run.frames)
    assert [list(s.args[0]) for s in slider.steps] == [[str(i)] for i in range(len(run.frames))]
    assert slider.active == 2
    assert slider.steps[0].label == "start" and slider.steps[-1].label == "end"
    assert run.frames[2].title in fig.layout.title.text


def test_centroid_trails_grow_with_update_frames():
    X = _blobs()
    run = _run(X, k=3)
    fig = _fig(X, run)
    trail_lengths = [len(fr.data[3 + 2].x) for fr in fig.frames]
    assert trail_lengths == sorted(trail_lengths)
    # Start: one point and a None separator per centroid.
    assert trail_lengths[0] == 3 * 2


def test_discrete_colorscale_puts_each_code_in_its_colour_band():
    scale, cmin, cmax = discrete_colorscale(5)
    stops = [s for s, _ in scale]
    for code in range(-1, 5):
        t = (code - cmin) / (cmax - cmin)
        band = int(np.searchsorted(stops, t, side="right")) - 1
        expected = "#B8BEC6" if code == -1 else cluster_color(code)
        assert scale[band][1] == expected


def test_widen_to_aspect():
    (x0, x1), (y0, y1) = widen_to_aspect((0, 1), (0, 4), 2.0)
    assert (x1 - x0) / (y1 - y0) == pytest.approx(2.0)
    assert (x0 + x1) / 2 == pytest.approx(0.5)
    (x0, x1), (y0, y1) = widen_to_aspect((0, 10), (0, 1), 2.0)
    assert (x0, x1) == (0, 10) and (y1 - y0) == pytest.approx(5.0)


def test_pick_figure_catches_clicks_on_empty_space_only_when_asked():
    pts = np.random.default_rng(0).normal(size=(50, 2))
    picks = np.array([[0.0, 0.0]])
    fig = pick_figure(pts, picks, x_title="a", y_title="b", allow_empty_space=True)
    assert [t.name for t in fig.data] == ["points", "empty space", "picked centroids"]
    assert len(fig.data[1].x) == 40 * 40
    fig2 = pick_figure(pts, np.empty((0, 2)), x_title="a", y_title="b", allow_empty_space=False)
    assert [t.name for t in fig2.data] == ["points", "picked centroids"]


@pytest.mark.parametrize("n", [5_000, 50_000])
def test_payload_budget(n):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(n, 2)) + rng.integers(0, 5, size=(n, 1)) * 3
    run = _run(X, k=8, max_iter=40, tol=0)
    fig = _fig(X, run)
    size = payload_bytes(fig)
    # 5k points: about 1 MB; 50k points: about 8 MB (int8 colours per frame).
    assert size < PAYLOAD_BUDGET_50K * n / 50_000 + 1_000_000


def test_relocated_centroid_gets_an_arrow_and_subplot_titles_survive():
    X = np.array([[0.0, 0.0], [0.2, 0.0], [10.0, 0.0], [10.2, 0.0]])
    run = animate_run(
        X, np.array([[0.0, 0.0], [10.0, 0.0], [90.0, 90.0]]), np.arange(4), init_label="t"
    )
    fig = _fig(X, run)
    for fr, f in zip(fig.frames, run.frames, strict=True):
        texts = [a.text for a in fr.layout.annotations]
        assert "Inertia (within-cluster sum of squares)" in texts
        notes = [t for t in texts if "was empty" in t]
        assert len(notes) == len(f.relocated)
    assert any("cluster 3 was empty" in a.text for fr in fig.frames for a in fr.layout.annotations)
