"""Figure builders of the Beyond K-Means page."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard import alternatives as alt
from dashboard.alternative_figures import (
    ellipse_xy,
    ellipses_2d,
    k_distance_figure,
    matched_colour_ids,
    method_grid,
    panel_title,
    split_tree_figure,
)


@pytest.fixture(scope="module")
def run():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 0.3, (40, 2)), rng.normal(5, 0.3, (40, 2)), [[20.0, 20.0]]])
    truth = np.array([0] * 40 + [1] * 40 + [1])
    p = alt.AlternativeParams(
        k=2, seed=0, eps=0.5, min_samples=4, min_cluster_size=5, n_neighbors=10
    )
    return X, alt.run_all(X, truth, p)


def test_ellipse_of_a_diagonal_gaussian_has_two_sigma_radii():
    xy = ellipse_xy(np.array([1.0, 2.0]), np.diag([4.0, 1.0]))
    # sigma 2 along one axis, 1 along the other: the 2-sigma ellipse reaches 4 and 2.
    assert np.abs(xy[:, 0] - 1).max() == pytest.approx(4.0, rel=1e-3)
    assert np.abs(xy[:, 1] - 2).max() == pytest.approx(2.0, rel=1e-3)


def test_ellipses_follow_an_affine_view():
    g = alt.Gaussians(np.array([[1.0, 1.0, 1.0]]), np.eye(3)[None] * 0.25, np.array([1.0]))

    def project(Z):  # keep the first two features, doubled, shifted by 10
        return 2 * Z[:, :2] + 10

    (xy,) = ellipses_2d(g, project)
    # centre 2*1+10 = 12; sigma 0.5 doubled = 1; two sigma = 2.
    assert xy.mean(axis=0) == pytest.approx([12, 12], abs=0.1)
    assert np.abs(xy - 12).max() == pytest.approx(2.0, rel=1e-3)


def test_grid_has_a_titled_panel_per_method_and_marks_noise(run):
    X, r = run
    fig = method_grid(r, X[r.sample], lambda Z: Z)
    titles = [a.text for a in fig.layout.annotations]
    assert titles[0].startswith("kmeans_core · ARI")
    assert len(titles) == len(alt.METHODS)
    noise = [t for t in fig.data if t.name == "noise"]
    assert sum(len(t.x) for t in noise) == sum(r.n_noise for r in r.results)
    assert sum(1 for t in noise if t.showlegend) <= 1
    ellipses = [t for t in fig.data if t.name == "mixture component (2σ)"]
    assert len(ellipses) == 2


def test_panel_title_says_failed_or_the_silhouette_without_labels():
    failed = alt.MethodResult("Spectral", np.arange(3), np.full(3, -1), 0.0, error="too few")
    assert panel_title(failed) == "Spectral: failed"
    unlabelled = alt.MethodResult("HDBSCAN", np.arange(3), np.zeros(3, int), 0.0, silhouette=0.5)
    assert panel_title(unlabelled) == "HDBSCAN · silhouette 0.50"


def test_k_distance_figure_marks_the_knee_and_the_eps_in_use():
    curve = alt.KDistance(np.array([0.1, 0.1, 0.1, 0.2, 5.0]), 4, knee=3, eps=0.2)
    fig = k_distance_figure(curve, eps=0.3)
    assert [t.name for t in fig.data] == ["k-distance", "knee"]
    assert fig.data[1].y[0] == 0.2
    assert fig.layout.shapes[0].y0 == 0.3


def test_split_tree_figure_widths_are_the_node_sizes():
    nodes = [
        alt.SplitNode("root", "", 10, -1),
        alt.SplitNode("root/L", "root", 6, 0),
        alt.SplitNode("root/R", "root", 4, 1),
    ]
    fig = split_tree_figure(nodes)
    icicle = fig.data[0]
    assert list(icicle.values) == [10, 6, 4]
    assert list(icicle.labels) == ["all points", "cluster 0", "cluster 1"]
    assert icicle.branchvalues == "total"


def test_matched_colours_follow_the_reference_groups():
    reference = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    # The method calls group 0 "2", group 1 "0", splits group 2 into "1" and "3", one noise.
    labels = np.array([2, 2, 2, 0, 0, -1, 1, 3])
    ids = matched_colour_ids(labels, reference)
    assert ids[2] == 0 and ids[0] == 1
    assert {ids[1], ids[3]} == {2, 3}  # one half of group 2 keeps its colour, one gets a new one
    assert matched_colour_ids(np.array([-1, -1]), np.array([0, 1])).size == 0


def test_same_groups_get_the_same_colours_in_every_panel(run):
    X, r = run
    truth = np.array([0] * 40 + [1] * 40 + [1])[r.sample]
    fig = method_grid(r, X[r.sample], lambda Z: Z, truth=truth)
    clustered = [t for t in fig.data if t.name == "clustered"]
    first_points = {tuple(c) for c in [t.marker.color[:1] for t in clustered]}
    assert len(first_points) == 1  # point 0 has one colour in every panel that clusters it


def test_split_tree_colours_follow_the_matching_and_survive_empty_leaves():
    nodes = [
        alt.SplitNode("root", "", 10, -1),
        alt.SplitNode("root/L", "root", 10, 0),
        alt.SplitNode("root/R", "root", 0, 1),  # empty: duplicate points
    ]
    fig = split_tree_figure(nodes, np.array([2]))
    from dashboard.plotting import cluster_color

    assert list(fig.data[0].marker.colors)[1:] == [cluster_color(2), cluster_color(1)]
