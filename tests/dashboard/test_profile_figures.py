"""Unit tests for dashboard.profile_figures: traces named, coloured by cluster, values shown."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard import profile_figures as pf
from dashboard import profiles as pr
from dashboard.plotting import cluster_color


def test_sizes_bars_in_cluster_colours():
    fig = pf.sizes_figure(np.array([3, 1]), np.array([0.75, 0.25]))
    bar = fig.data[0]
    assert list(bar.marker.color) == [cluster_color(0), cluster_color(1)]
    assert list(bar.text) == ["3 (75%)", "1 (25%)"]


def test_heatmap_clips_colour_but_labels_true_value():
    z = np.array([[5.0, -0.25], [np.nan, 0.0]])
    fig = pf.heatmap_figure(z, ["a", "b"])
    hm = fig.data[0]
    assert np.nanmax(np.asarray(hm.z, dtype=float)) == pf.Z_CLIP
    assert hm.text[0] == ["+5.0", "-0.2"] and hm.text[1][0] == ""
    assert hm.zmid == 0


def test_scatter3d_one_trace_per_cluster_plus_centers():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(30, 3))
    labels = np.repeat([0, 1, 2], 10)
    view = pr.view_3d(values, values[[0, 10, 20]], list("xyz"), axes=(0, 1, 2))
    fig = pf.scatter3d_figure(view, labels, np.arange(30))
    assert [t.name for t in fig.data] == ["cluster 0", "cluster 1", "cluster 2", "centers"]
    assert fig.data[1].marker.color == cluster_color(1)
    assert len(fig.data[1].x) == 10
    assert fig.layout.scene.xaxis.title.text == "x"


def test_parallel_colours_map_each_cluster_to_its_colour():
    labels = np.array([0, 1, 2, 2])
    fig = pf.parallel_figure(np.arange(8.0).reshape(4, 2), labels, ["p", "q"], 3)
    pc = fig.data[0]
    assert [d.label for d in pc.dimensions] == ["cluster", "p", "q"]
    scale = pc.line.colorscale
    cmin, cmax = pc.line.cmin, pc.line.cmax
    for c in range(3):
        pos = (c - cmin) / (cmax - cmin)
        colour = [col for at, col in scale if at <= pos][-1]  # the step pos falls in
        assert colour == cluster_color(c)


def test_category_mix_stacks_levels():
    mix = pd.DataFrame({"x": [1.0, 0.25], "y": [0.0, 0.75]}, index=[0, 1])
    fig = pf.category_mix_figure(mix, "kind")
    assert [t.name for t in fig.data] == ["x", "y"]
    assert fig.layout.barmode == "stack"
    assert fig.layout.title.text == "kind"
