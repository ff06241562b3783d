"""Figure builders of the Compare page return the expected traces."""

from __future__ import annotations

import numpy as np

from dashboard import compare as cm
from dashboard.compare_figures import (
    DISAGREE_COLOR,
    SVG_MAX_POINTS,
    cluster_scatter,
    confusion_heatmap,
    disagreement_scatter,
    shared_ranges,
)
from dashboard.plotting import cluster_color

POINTS = np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 5.0], [6.0, 5.0], [9.0, 0.0]])
LABELS = np.array([0, 0, 1, 1, 2])
CENTERS = np.array([[0.5, 0.0], [5.5, 5.0], [9.0, 0.0]])


def test_cluster_scatter_one_trace_per_cluster_then_centers():
    fig = cluster_scatter(POINTS, LABELS, CENTERS, title="kmeans_core", x_title="x1")
    assert [t.name for t in fig.data] == ["cluster 0", "cluster 1", "cluster 2", "centers"]
    assert list(fig.data[1].x) == [5.0, 6.0]
    assert fig.data[0].marker.color == cluster_color(0)
    assert fig.data[3].marker.symbol == "x"
    assert list(fig.data[3].x) == [0.5, 5.5, 9.0]
    assert fig.layout.title.text == "kmeans_core"
    assert fig.layout.xaxis.title.text == "x1"


def test_cluster_scatter_colours_by_matched_id():
    # sklearn cluster 0 matched to core 2, 1 -> 0, 2 -> 1: colours follow the match.
    fig = cluster_scatter(
        POINTS,
        LABELS,
        CENTERS,
        title="scikit-learn",
        color_ids=[2, 0, 1],
        cluster_names=["cluster 0 ↔ 2", "cluster 1 ↔ 0", "cluster 2 ↔ 1"],
    )
    assert [t.marker.color for t in fig.data[:3]] == [
        cluster_color(2),
        cluster_color(0),
        cluster_color(1),
    ]
    assert fig.data[0].name == "cluster 0 ↔ 2"


def test_cluster_scatter_hides_legend_for_many_clusters_and_keeps_empty_clusters():
    labels = np.zeros(5, int)
    centers = np.zeros((20, 2))
    fig = cluster_scatter(POINTS, labels, centers, title="t")
    assert len(fig.data) == 21  # empty clusters still get a (empty) trace
    assert len(fig.data[5].x) == 0
    assert fig.layout.showlegend is False


def test_disagreement_scatter_highlights_and_counts():
    fig = disagreement_scatter(POINTS, POINTS[[2]], 1, 5)
    assert [t.name for t in fig.data] == ["same cluster in both", "different cluster"]
    assert list(fig.data[1].x) == [5.0]
    assert fig.data[1].marker.color == DISAGREE_COLOR
    assert fig.layout.title.text == "Disagreements: 1 of 5 points"
    none = disagreement_scatter(POINTS, np.empty((0, 2)), 0, 5)
    assert none.layout.title.text == "Disagreements: none"
    assert len(none.data[1].x) == 0


def test_small_panels_are_svg_and_large_ones_webgl_with_centers_of_the_same_kind():
    small = cluster_scatter(POINTS, LABELS, CENTERS, title="t")
    assert {t.type for t in small.data} == {"scatter"}
    rng = np.random.default_rng(0)
    many = rng.normal(size=(SVG_MAX_POINTS + 1, 2))
    large = cluster_scatter(many, rng.integers(0, 3, len(many)), CENTERS, title="t")
    assert {t.type for t in large.data} == {"scattergl"}  # centers stay on top of the points
    assert {t.type for t in disagreement_scatter(POINTS, POINTS[[2]], 1, 5).data} == {"scatter"}
    assert {t.type for t in disagreement_scatter(many, many[:3], 3, len(many)).data} == {
        "scattergl"
    }


def test_shared_ranges_cover_everything_with_padding():
    (x0, x1), (y0, y1) = shared_ranges(POINTS, np.array([[-1.0, 10.0]]))
    assert x0 == -1.0 - 0.5 and x1 == 9.0 + 0.5  # span 10, 5 % pad
    assert y0 == 0.0 - 0.5 and y1 == 10.0 + 0.5
    fig = cluster_scatter(POINTS, LABELS, CENTERS, title="t", ranges=([0, 1], [2, 3]))
    assert list(fig.layout.xaxis.range) == [0, 1] and list(fig.layout.yaxis.range) == [2, 3]


def test_shared_ranges_of_a_single_point_are_not_empty():
    (x0, x1), (y0, y1) = shared_ranges(np.array([[2.0, 2.0]]))
    assert x0 < 2.0 < x1 and y0 < 2.0 < y1


def test_confusion_heatmap_puts_matched_pairs_on_the_diagonal():
    truth = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
    pred = np.array([3, 3, 0, 1, 1, 1, 2, 2, 2])
    match = cm.accuracy_after_matching(pred, truth, 4, 3)
    fig = confusion_heatmap(match, ["a", "b", "c"], title="kmeans_core: accuracy 88.9%")
    (trace,) = fig.data
    assert trace.type == "heatmap"
    assert list(trace.x) == ["cluster 3", "cluster 1", "cluster 2", "cluster 0"]
    assert list(trace.y) == ["a", "b", "c"]
    assert np.asarray(trace.z).tolist() == [[2, 0, 0, 1], [0, 3, 0, 0], [0, 0, 3, 0]]
    assert trace.texttemplate == "%{z}"
