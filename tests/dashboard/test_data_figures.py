"""Preview tables and the scatter figure of the Data page."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard import data_figures as df
from dashboard.dataset import Dataset
from dashboard.generators import dataset_from_recipe, default_recipe
from dashboard.plotting import PALETTE


def _small() -> Dataset:
    return Dataset(
        name="t",
        X=np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]),
        feature_names=["a", "b"],
        true_labels=np.array([1, 0, 1]),
        class_names=["cat", "dog"],
    )


def test_preview_table_has_first_rows_and_label_names():
    t = df.preview_table(_small(), n_rows=2)
    assert list(t.columns) == ["a", "b", df.LABEL_COLUMN]
    assert t["a"].tolist() == [0.0, 2.0] and t[df.LABEL_COLUMN].tolist() == ["dog", "cat"]


def test_summary_table_by_hand():
    t = df.summary_table(_small())
    assert t["feature"].tolist() == ["a", "b"]
    row = t.iloc[0]
    assert row["count"] == 3 and row["mean"] == 2.0 and row["std"] == pytest.approx(2.0)
    assert row["min"] == 0.0 and row["50%"] == 2.0 and row["max"] == 4.0


def test_class_counts():
    c = df.class_counts(_small())
    assert c["class"].tolist() == ["cat", "dog"] and c["rows"].tolist() == [1, 2]
    unl = Dataset(name="u", X=np.zeros((2, 2)), feature_names=["a", "b"])
    assert df.class_counts(unl) is None


def test_scatter_one_trace_per_class_with_its_points():
    fig, notes = df.scatter_figure(_small())
    assert [t.name for t in fig.data] == ["cat", "dog"]
    assert list(fig.data[0].x) == [2.0] and list(fig.data[1].y) == [1.0, 5.0]
    assert fig.data[0].marker.color == PALETTE[0]
    assert all(t.type == "scatter" for t in fig.data)  # SVG, not WebGL
    assert fig.layout.xaxis.title.text == "a" and notes == []


def test_scatter_unlabelled_is_one_trace():
    ds = dataset_from_recipe(default_recipe("uniform_noise"), 0)
    fig, _ = df.scatter_figure(ds)
    assert len(fig.data) == 1 and len(fig.data[0].x) == ds.n_samples


def test_more_than_two_features_uses_pca_with_explained_variance():
    iris = dataset_from_recipe(default_recipe("iris"), 0)
    fig, notes = df.scatter_figure(iris)
    assert fig.layout.xaxis.title.text.startswith("PC1 (")
    assert any("PCA projection of 4 features" in n and "PC1 explains" in n for n in notes)
    assert sum(len(t.x) for t in fig.data) == 150


def test_two_raw_columns_can_be_chosen():
    iris = dataset_from_recipe(default_recipe("iris"), 0)
    fig, notes = df.scatter_figure(iris, columns=(2, 3))
    assert fig.layout.xaxis.title.text == "petal length (cm)"
    setosa = fig.data[0]
    assert np.allclose(setosa.x, iris.X[iris.true_labels == 0, 2])
    assert any("Showing 2 of 4 features" in n for n in notes)


def test_large_data_is_sampled_with_a_note():
    ds = dataset_from_recipe(
        {"kind": "blobs", "n_samples": 20000, "centers": 3, "n_features": 2, "cluster_std": 1},
        0,
    )
    fig, notes = df.scatter_figure(ds)
    assert sum(len(t.x) for t in fig.data) == 5000
    assert any("sample of 5,000 of 20,000" in n for n in notes)


def test_one_feature_plots_on_a_line():
    ds = Dataset(name="1d", X=np.array([[1.0], [2.0], [5.0]]), feature_names=["v"])
    fig, notes = df.scatter_figure(ds)
    assert list(fig.data[0].y) == [0.0, 0.0, 0.0] and "One feature" in notes[0]
    assert fig.layout.yaxis.showticklabels is False


def test_equal_aspect_only_when_spans_are_comparable():
    moons = dataset_from_recipe(default_recipe("moons"), 0)
    fig, _ = df.scatter_figure(moons)
    assert fig.layout.yaxis.scaleanchor == "x"
    wine = dataset_from_recipe({"kind": "wine", "scaling": "none"}, 0)
    # proline (thousands) against hue (about 1): equal units would be a flat line
    fig, _ = df.scatter_figure(wine, columns=(12, 10))
    assert fig.layout.yaxis.scaleanchor is None


def test_upload_table_shows_the_file_rows_and_whether_each_was_used():
    from dashboard import csv_upload, upload_recipe

    parsed = csv_upload.parse_csv(b"a,b,t\n1,2,x\n,4,y\n5,6,z\n")
    ds = upload_recipe.build_from_choices(parsed, "f", ["a", "b"])
    table = df.upload_table(ds)
    assert table["file row"].tolist() == [1, 2, 3]
    assert table["t"].tolist() == ["x", "y", "z"]
    assert table["used"].tolist() == ["clustered", "missing value in a", "clustered"]
    assert df.upload_table(dataset_from_recipe(default_recipe("blobs"), 0)).empty
