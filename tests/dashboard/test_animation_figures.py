"""The player's data: named layers, one update per frame, colours, callouts, payload size."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dashboard.animation import animate_run
from dashboard.animation_figures import (
    UNASSIGNED_COLOR,
    discrete_colorscale,
    player_data,
    region_traces,
    rgba,
    scatter_geometry,
    trails_update,
)
from dashboard.plotting import PALETTE, cluster_color, view_2d


def _run(X, k=3, max_iter=30, tol=0.0, seed=0):
    rng = np.random.default_rng(seed)
    C = X[rng.choice(len(X), k, replace=False)]
    return animate_run(X, C, np.arange(len(X)), init_label="t", max_iter=max_iter, tol=tol)


def _blobs(n=300, d=2, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-8, 8, size=(4, d))
    return centers[rng.integers(0, 4, n)] + rng.normal(0, 1.0, size=(n, d))


def _data(X, run):
    view = view_2d(X, [f"x{i}" for i in range(X.shape[1])])
    return player_data(
        run,
        view.points,
        view.project,
        x_title=view.x_title,
        y_title=view.y_title,
        voronoi=X.shape[1] <= 2,
    )


def _names(fig):
    return [t["name"] for t in fig["data"]]


def test_every_trace_has_a_unique_name_and_frames_only_name_existing_traces():
    X = _blobs()
    data = _data(X, _run(X, k=4))
    names = _names(data["scatter"]) + _names(data["inertia"])
    assert len(names) == len(set(names))
    assert _names(data["scatter"]) == [
        "region 1",
        "region 2",
        "region 3",
        "region 4",
        "points",
        "changed",
        "centroid path",
        "centroids",
    ]
    for frame in data["frames"]:
        assert set(frame["traces"]) <= set(names)


def test_one_update_per_frame_with_its_words():
    X = _blobs()
    run = _run(X)
    data = _data(X, run)
    assert len(data["frames"]) == len(run.frames)
    for update, frame in zip(data["frames"], run.frames, strict=True):
        assert update["title"] == frame.title and update["caption"] == frame.caption
        assert update["traces"]["points"]["marker"]["color"] == frame.labels.tolist()
        assert len(update["traces"]["centroids"]["x"]) == 3
    # The start frame has no inertia yet, so no current-step marker; later frames do.
    assert data["frames"][0]["traces"]["current step"]["x"] == []
    assert data["frames"][-1]["traces"]["current step"]["x"] == [len(run.frames) - 1]


def test_changed_rings_sit_on_the_points_that_changed():
    X = _blobs(seed=3)
    run = _run(X, k=4, seed=3)
    data = _data(X, run)
    for update, frame in zip(data["frames"], run.frames, strict=True):
        ring = update["traces"]["changed"]
        assert len(ring["x"]) == int(frame.changed.sum())
        np.testing.assert_allclose(ring["x"], X[frame.changed, 0], rtol=1e-4, atol=1e-4)


def test_no_regions_for_more_than_two_features():
    X = _blobs(d=5)
    data = _data(X, _run(X))
    assert not [n for n in _names(data["scatter"]) if n.startswith("region")]
    assert not data["voronoi"]
    assert all(not k.startswith("region") for f in data["frames"] for k in f["traces"])


def test_regions_cover_the_whole_plot_however_it_is_widened():
    X = _blobs()
    run = _run(X)
    view = view_2d(X, ["a", "b"])
    geometry = scatter_geometry(run, view.points, view.project)
    (bx0, bx1), (by0, by1) = geometry.region_box
    (x0, x1), (y0, y1) = geometry.x_range, geometry.y_range
    # At least one full span of margin on every side.
    span = max(x1 - x0, y1 - y0)
    assert bx0 <= x0 - span and bx1 >= x1 + span and by0 <= y0 - span and by1 >= y1 + span


def test_region_layer_uses_the_cluster_colours():
    traces = region_traces(3)
    assert [t["fillcolor"] for t in traces] == [rgba(cluster_color(c), 0.22) for c in range(3)]


def test_centroid_trails_grow_with_update_frames():
    paths = [np.array([[0.0, 0.0]]), np.array([[0.0, 0.0]]), np.array([[1.0, 1.0]])]
    # Frame 1 (assign) does not move the centroid: the repeat is dropped.
    assert trails_update(paths, 1)["x"] == [0.0, None]
    assert trails_update(paths, 2)["x"] == [0.0, 1.0, None]


def test_discrete_colorscale_puts_each_code_in_its_colour_band():
    scale, cmin, cmax = discrete_colorscale(4)
    for code in range(-1, 4):
        pos = (code - cmin) / (cmax - cmin)
        (lo, c_lo), (hi, c_hi) = scale[2 * (code + 1)], scale[2 * (code + 1) + 1]
        expected = UNASSIGNED_COLOR if code == -1 else cluster_color(code)
        # The code sits mid-band, and the band is one colour from end to end.
        assert c_lo == c_hi == expected and pos == pytest.approx((lo + hi) / 2)


def _luminance(hex_color: str) -> float:
    rgb = [int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_points_waiting_for_their_first_assignment_have_3_to_1_contrast_on_white():
    # WCAG contrast: (1.05) / (L + 0.05) against white.
    assert 1.05 / (_luminance(UNASSIGNED_COLOR) + 0.05) >= 3.0


def test_palette_has_ten_distinct_colours():
    assert len(set(PALETTE)) == len(PALETTE) == 10


def test_relocation_callout_only_on_its_own_frame():
    X = np.array([[0.0, 0.0], [0.2, 0.0], [10.0, 0.0], [10.2, 0.0]])
    run = animate_run(
        X, np.array([[0.0, 0.0], [10.0, 0.0], [90.0, 90.0]]), np.arange(4), init_label="t"
    )
    data = _data(X, run)
    for update, frame in zip(data["frames"], run.frames, strict=True):
        notes = [a["text"] for a in update["annotations"]]
        assert len(notes) == len(frame.relocated)
    assert sum(bool(f["annotations"]) for f in data["frames"]) == 1
    assert any("cluster 2 was empty" in a["text"] for f in data["frames"] for a in f["annotations"])


def test_last_frame_explains_the_stop():
    X = _blobs()
    data = _data(X, _run(X, tol=1e-4))
    assert "Done:" in data["frames"][-1]["caption"] or "Stopped" in data["frames"][-1]["caption"]


def test_one_feature_hides_the_meaningless_y_axis():
    X = np.r_[np.zeros(10), np.ones(10) * 5].reshape(-1, 1) + np.linspace(0, 0.5, 20)[:, None]
    data = _data(X, _run(X, k=2))
    layout = data["scatter"]["layout"]
    assert layout["yaxis"]["showticklabels"] is False and "scaleanchor" not in layout["yaxis"]


@pytest.mark.parametrize("n", [500, 5000])
def test_payload_is_json_and_small(n):
    X = _blobs(n=n)
    text = json.dumps(_data(X, _run(X, k=5, tol=0.0)))
    # 5 significant digits per coordinate, int codes per frame: about 1 MB at 5,000 points.
    assert len(text) < 400 * n + 200_000


@pytest.mark.parametrize(("n", "kind"), [(300, "scatter"), (2000, "scatter"), (2001, "scattergl")])
def test_marker_layers_are_svg_for_few_points_and_webgl_for_many(n, kind):
    """One type over the regions (WebGL would draw over SVG), chosen by the points drawn."""
    X = _blobs(n=n)
    scatter = _data(X, _run(X, k=3, max_iter=3))["scatter"]
    layers = {t["name"]: t["type"] for t in scatter["data"]}
    assert {layers[name] for name in ("points", "changed", "centroid path", "centroids")} == {kind}
    assert all(layers[f"region {c}"] == "scatter" for c in (1, 2, 3))
