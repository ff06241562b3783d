"""The Dataset type and the default dataset."""

from __future__ import annotations

import numpy as np

from dashboard.dataset import Dataset, default_dataset


def test_default_dataset_is_three_labelled_blobs():
    ds = default_dataset(0)
    assert ds.X.shape == (500, 2)
    assert ds.n_classes == 3
    assert ds.has_labels
    assert ds.recipe["kind"] == "blobs"
    assert ds.recipe["seed"] == 0


def test_default_dataset_is_deterministic_per_seed():
    np.testing.assert_array_equal(default_dataset(5).X, default_dataset(5).X)
    assert not np.array_equal(default_dataset(5).X, default_dataset(6).X)


def test_key_follows_content_not_identity():
    X = np.arange(6.0).reshape(3, 2)
    a = Dataset("a", X, ["p", "q"])
    b = Dataset("a", X.copy(), ["p", "q"])
    c = Dataset("a", X + 1, ["p", "q"])
    assert a.key == b.key
    assert a.key != c.key
    assert a.key != Dataset("other name", X, ["p", "q"]).key


def test_key_depends_on_true_labels():
    X = np.zeros((3, 1))
    assert Dataset("a", X, ["x"], np.array([0, 1, 1])).key != Dataset("a", X, ["x"]).key


def test_shape_properties_without_labels():
    ds = Dataset("a", np.zeros((4, 3)), ["x", "y", "z"])
    assert (ds.n_samples, ds.n_features, ds.has_labels, ds.n_classes) == (4, 3, False, None)


def test_markdown_name_escapes_only_uploaded_names():
    X = np.zeros((3, 2))
    uploaded = Dataset(name="$x$ [a](b).csv", X=X, feature_names=["a", "b"], source="upload")
    assert uploaded.markdown_name == r"\$x\$ \[a\]\(b\)\.csv"
    generated = Dataset(name="Blobs (3 centers)", X=X, feature_names=["a", "b"], source="generated")
    assert generated.markdown_name == "Blobs (3 centers)"
