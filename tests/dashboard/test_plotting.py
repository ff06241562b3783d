"""Shared plotting pieces: 2-D views of the data and display samples."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from dashboard.plotting import (
    MAX_PLOT_POINTS,
    PALETTE,
    base_layout,
    cluster_color,
    display_sample,
    view_2d,
)


def test_two_features_are_shown_as_they_are():
    X = np.random.default_rng(0).normal(size=(20, 2))
    view = view_2d(X, ["a", "b"])
    np.testing.assert_array_equal(view.points, X)
    assert (view.x_title, view.y_title, view.note) == ("a", "b", None)
    np.testing.assert_array_equal(view.project(X[:3]), X[:3])


def test_one_feature_is_laid_out_on_a_line():
    X = np.arange(5.0)[:, None]
    view = view_2d(X, ["only"])
    np.testing.assert_array_equal(view.points[:, 0], X[:, 0])
    assert (view.points[:, 1] == 0).all()
    assert view.project(np.array([[3.0]])).tolist() == [[3.0, 0.0]]


def test_many_features_use_pca_and_say_so():
    rng = np.random.default_rng(1)
    # Variance concentrated on the first axis: PC1 must explain most of it.
    X = rng.normal(size=(300, 5)) * np.array([10.0, 1.0, 0.5, 0.1, 0.1])
    view = view_2d(X, list("abcde"))
    assert view.points.shape == (300, 2)
    assert "PCA" in view.note and "PC1" in view.x_title
    pc1 = float(view.x_title.split("(")[1].rstrip("%)"))
    assert pc1 > 90
    # Projecting the data through the view gives the same points.
    np.testing.assert_allclose(view.project(X), view.points)


def test_raw_columns_can_be_chosen():
    X = np.arange(12.0).reshape(4, 3)
    view = view_2d(X, ["a", "b", "c"], columns=(2, 0))
    np.testing.assert_array_equal(view.points, X[:, [2, 0]])
    assert (view.x_title, view.y_title) == ("c", "a")
    assert "all 3" in view.note


def test_display_sample_keeps_small_data_whole():
    idx, note = display_sample(100)
    np.testing.assert_array_equal(idx, np.arange(100))
    assert note is None


def test_display_sample_samples_large_data_and_says_so():
    idx, note = display_sample(1_000_000, seed=3)
    assert idx.size == MAX_PLOT_POINTS
    assert np.unique(idx).size == idx.size and (np.diff(idx) > 0).all()
    assert "1,000,000" in note
    np.testing.assert_array_equal(idx, display_sample(1_000_000, seed=3)[0])


@pytest.mark.parametrize("k", [0, 5, len(PALETTE), 3 * len(PALETTE) + 1])
def test_cluster_colours_cycle(k):
    assert cluster_color(k) == PALETTE[k % len(PALETTE)]


def test_base_layout_sets_height_and_title():
    fig = base_layout(go.Figure(), height=321, title="Hello")
    assert fig.layout.height == 321
    assert fig.layout.title.text == "Hello"
