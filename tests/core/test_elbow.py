"""elbow_sweep: inertia per K, consistent with KMeans, prepared once."""

from __future__ import annotations

import numpy as np
import pytest

import kmeans_core.elbow as elbow_module
from kmeans_core import ElbowResult, KMeans, elbow_sweep
from tests.core.conftest import blobs


def test_shapes_and_progress():
    X = blobs(n=150, k=3, seed=2)
    calls = []
    res = elbow_sweep(
        X, [1, 2, 3, 5], n_init=2, random_state=0, progress=lambda d, t: calls.append((d, t))
    )
    assert isinstance(res, ElbowResult)
    np.testing.assert_array_equal(res.k_values, [1, 2, 3, 5])
    assert res.inertia_runs.shape == res.n_iter_runs.shape == (4, 2)
    assert res.fit_seconds.shape == (4,) and (res.fit_seconds >= 0).all()
    assert res.labels.shape == (4, 150) and res.labels.dtype == np.int32
    assert [c.shape for c in res.centers] == [(1, 2), (2, 2), (3, 2), (5, 2)]
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    np.testing.assert_array_equal(res.inertia, res.inertia_runs.min(axis=1))
    assert np.all(np.diff(res.inertia) < 0)  # more clusters, less inertia here


def test_k_equal_one_is_the_total_weighted_sum_of_squares():
    X = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 0.0], [10.0, 4.0]])
    w = np.array([1.0, 3.0, 1.0, 1.0])
    res = elbow_sweep(X, [1], n_init=1, sample_weight=w, random_state=0)
    mean = (X * w[:, None]).sum(axis=0) / w.sum()  # (5, 2/3)
    expected = float((((X - mean) ** 2).sum(axis=1) * w).sum())
    assert res.inertia[0] == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(res.centers[0], [mean], rtol=1e-12)


@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_each_k_equals_kmeans_with_the_same_seed(init):
    X = blobs(n=200, k=4, seed=5, std=2.0)
    res = elbow_sweep(X, [2, 4, 6], n_init=3, init=init, random_state=7)
    for i, k in enumerate([2, 4, 6]):
        model = KMeans(k, init=init, n_init=3, random_state=7).fit(X)
        assert res.inertia[i] == pytest.approx(model.inertia_, rel=1e-12)
        np.testing.assert_array_equal(res.labels[i], model.labels_)
        np.testing.assert_array_equal(res.centers[i], model.cluster_centers_)
    # The result for one K does not depend on which other K are swept.
    alone = elbow_sweep(X, [4], n_init=3, init=init, random_state=7)
    np.testing.assert_array_equal(alone.inertia_runs[0], res.inertia_runs[1])


def test_every_restart_reported():
    X = blobs(n=200, k=4, seed=5, std=3.0)
    res = elbow_sweep(X, [4], n_init=5, init="random", random_state=1)
    assert res.inertia_runs.shape == (1, 5)
    assert np.unique(res.inertia_runs).size > 1  # different starts, different ends
    assert (res.n_iter_runs >= 1).all()


def test_data_is_prepared_once(monkeypatch):
    calls = []
    real = elbow_module.check_data
    monkeypatch.setattr(elbow_module, "check_data", lambda X: calls.append(1) or real(X))
    elbow_sweep(blobs(n=100), range(1, 6), n_init=2, random_state=0)
    assert len(calls) == 1


def test_float32_and_random_state_instance():
    X = blobs(n=120).astype(np.float32)
    res = elbow_sweep(X, [2, 3], n_init=1, random_state=np.random.RandomState(0))
    assert all(c.dtype == np.float32 for c in res.centers)
    assert np.isfinite(res.inertia).all()
