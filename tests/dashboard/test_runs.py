"""The canonical run: K clamping, initial centers, and the cached fit."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.dataset import Dataset, default_dataset
from dashboard.run_settings import RunSettings
from dashboard.runs import fit_run, initial_centers, run_notes, usable_k
from kmeans_core import KMeans


@pytest.mark.parametrize(
    ("k", "n", "expected", "has_notice"),
    [(3, 10, 3, False), (10, 10, 10, False), (11, 10, 10, True), (0, 10, 1, True)],
)
def test_usable_k(k, n, expected, has_notice):
    k_used, notice = usable_k(k, n)
    assert k_used == expected
    assert (notice is not None) == has_notice
    if k > n:
        assert str(n) in notice


@pytest.mark.parametrize("init", ["k-means++", "random", "farthest point"])
def test_initial_centers_are_rows_of_x_and_follow_the_seed(init):
    X = np.random.default_rng(0).normal(size=(50, 3))
    c1 = initial_centers(X, 4, init, seed=1)
    assert c1.shape == (4, 3)
    # Every initialiser picks data rows.
    assert all(any(np.array_equal(c, x) for x in X) for c in c1)
    np.testing.assert_array_equal(c1, initial_centers(X, 4, init, seed=1))


def test_farthest_point_takes_the_extremes():
    X = np.array([[0.0], [1.0], [2.0], [10.0]])
    centers = initial_centers(X, 2, "farthest point", seed=0)
    # Whatever the first pick, the second is the point farthest from it.
    first = centers[0, 0]
    farthest = max(X[:, 0], key=lambda v: abs(v - first))
    assert centers[1, 0] == farthest


def test_initial_centers_rejects_unknown_init():
    with pytest.raises(ValueError, match="Unknown init"):
        initial_centers(np.zeros((3, 1)), 1, "spectral", seed=0)


def test_fit_run_equals_a_kmeans_fit_from_the_same_start():
    ds = default_dataset(3)
    settings = RunSettings(k=4, init="random", seed=9)
    model = fit_run(ds, settings)
    ref = KMeans(4, init=initial_centers(ds.X, 4, "random", 9), n_init=1).fit(ds.X)
    np.testing.assert_array_equal(model.labels_, ref.labels_)
    assert model.inertia_ == pytest.approx(ref.inertia_)


def test_fit_run_clamps_k_to_the_data():
    ds = default_dataset(0)
    model = fit_run(ds, RunSettings(k=10_000, init="k-means++", seed=0))
    assert model.cluster_centers_.shape[0] == ds.n_samples


def test_run_notes_say_when_clusters_got_no_points():
    ds = Dataset("same", np.ones((6, 2)), ["a", "b"], source="upload")
    model = fit_run(ds, RunSettings(k=3, init="random", seed=0))
    (note,) = run_notes(model)
    assert note.startswith("Only 1 of the 3 clusters")


def test_run_notes_are_empty_for_a_normal_run():
    assert run_notes(fit_run(default_dataset(0), RunSettings(3, "k-means++", 0))) == []
