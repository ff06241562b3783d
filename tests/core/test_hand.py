"""Cases small enough to work out by hand."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.cluster import KMeans as SkKMeans
from sklearn.exceptions import ConvergenceWarning

from kmeans_core import DistinctClustersWarning, KMeans, lloyd_steps

# Four points, the second one weighing 3; start from points 0 and 2.
X4 = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 0.0], [10.0, 4.0]])
W4 = np.array([1.0, 3.0, 1.0, 1.0])
INIT4 = np.array([[0.0, 0.0], [10.0, 0.0]])


def test_weighted_four_points_centers_and_inertia():
    model = KMeans(2, init=INIT4, n_init=1).fit(X4, sample_weight=W4)
    # Cluster 0 = {(0,0) w1, (2,0) w3}: mean (0*1 + 2*3)/4 = 1.5.
    # Cluster 1 = {(10,0), (10,4)}: mean (10, 2).
    np.testing.assert_allclose(model.cluster_centers_, [[1.5, 0.0], [10.0, 2.0]])
    np.testing.assert_array_equal(model.labels_, [0, 0, 1, 1])
    # 1 * 1.5^2 + 3 * 0.5^2 + 2^2 + 2^2 = 2.25 + 0.75 + 4 + 4
    assert model.inertia_ == pytest.approx(11.0, rel=1e-12)
    # Iteration 1 moves the centers, iteration 2 sees the same labels and stops.
    assert model.n_iter_ == 2
    assert model.score(X4, sample_weight=W4) == pytest.approx(-11.0, rel=1e-12)


def test_weighted_four_points_every_step():
    steps = list(lloyd_steps(X4, INIT4, sample_weight=W4))
    assert [(s.iteration, s.phase) for s in steps] == [
        (1, "assign"),
        (1, "update"),
        (2, "assign"),
        (2, "update"),
    ]
    a1, u1, a2, u2 = steps
    # From the initial centers: 0 + 3 * 2^2 + 0 + 4^2.
    assert a1.inertia == pytest.approx(28.0, rel=1e-12)
    assert a1.n_changed == 4
    np.testing.assert_allclose(u1.centers, [[1.5, 0.0], [10.0, 2.0]])
    np.testing.assert_allclose(u1.center_shifts, [1.5, 2.0])
    assert u1.inertia == pytest.approx(11.0, rel=1e-12)
    assert a2.n_changed == 0
    assert a2.inertia == pytest.approx(11.0, rel=1e-12)
    assert u2.stop_reason == "labels unchanged"
    np.testing.assert_allclose(u2.center_shifts, [0.0, 0.0], atol=1e-12)
    assert all(s.stop_reason is None for s in steps[:-1])
    assert all(s.relocated == () for s in steps)


def test_weighted_four_points_matches_sklearn():
    ours = KMeans(2, init=INIT4, n_init=1).fit(X4, sample_weight=W4)
    theirs = SkKMeans(2, init=INIT4, n_init=1).fit(X4, sample_weight=W4)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, rtol=1e-12)
    assert ours.n_iter_ == theirs.n_iter_


# 1-D: the third center starts far away and gets no points.
X_EMPTY = np.array([[0.0], [1.0], [2.0], [10.0]])
INIT_EMPTY = np.array([[0.0], [1.0], [100.0]])


def test_empty_cluster_is_relocated_to_the_farthest_point():
    steps = list(lloyd_steps(X_EMPTY, INIT_EMPTY))
    a1, u1 = steps[0], steps[1]
    # 2 and 10 are both nearest to center 1; cluster 2 is empty.
    np.testing.assert_array_equal(a1.labels, [0, 1, 1, 1])
    # Distances to own center: 0, 0, 1, 81 -> point 10 moves to cluster 2,
    # cluster 1 keeps {1, 2} with mean 1.5.
    assert u1.relocated == (2,)
    np.testing.assert_allclose(u1.centers, [[0.0], [1.5], [10.0]])
    np.testing.assert_array_equal(u1.labels, [0, 1, 1, 2])
    assert u1.n_changed == 1
    np.testing.assert_allclose(u1.center_shifts, [0.0, 0.5, 90.0])
    assert u1.inertia == pytest.approx(0.25 + 0.25, rel=1e-12)
    assert u1.inertia < a1.inertia
    # Iteration 2: labels change (10 joins cluster 2), centers do not move.
    a2 = steps[2]
    np.testing.assert_array_equal(a2.labels, [0, 1, 1, 2])
    assert a2.n_changed == 1
    assert steps[-1].stop_reason == "center shift below tol"
    assert steps[-1].phase == "assign"


def test_empty_cluster_estimator_matches_sklearn():
    ours = KMeans(3, init=INIT_EMPTY, n_init=1).fit(X_EMPTY)
    theirs = SkKMeans(3, init=INIT_EMPTY, n_init=1).fit(X_EMPTY)
    np.testing.assert_allclose(ours.cluster_centers_, [[0.0], [1.5], [10.0]])
    np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, rtol=1e-12)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    assert ours.n_iter_ == theirs.n_iter_ == 2
    assert ours.inertia_ == pytest.approx(0.5, rel=1e-12)


def test_cluster_losing_its_only_point_stays_put():
    # Center 1 (at 20) holds only the point 10, which is also the farthest point
    # from its center, so the empty cluster 2 takes it and cluster 1 is left with
    # no weight. Its center stays where it was (scikit-learn would move it onto the
    # largest cluster): never NaN.
    X = np.array([[0.0], [1.0], [10.0]])
    steps = list(lloyd_steps(X, np.array([[0.0], [20.0], [-100.0]]), max_iter=1))
    u1 = steps[1]
    assert u1.relocated == (2,)
    np.testing.assert_allclose(u1.centers, [[0.5], [20.0], [10.0]])
    np.testing.assert_array_equal(u1.labels, [0, 0, 2])
    assert u1.inertia == pytest.approx(0.5, rel=1e-12)
    assert all(np.isfinite(s.centers).all() for s in steps)


def test_fewer_distinct_points_than_clusters_warns_and_completes():
    X = np.array([[0.0, 0.0]] * 3 + [[1.0, 1.0]] * 2)
    with pytest.warns(
        DistinctClustersWarning,
        match=r"distinct clusters \(2\).*n_clusters \(3\).*only 2 distinct point",
    ):
        model = KMeans(3, random_state=0).fit(X)
    assert np.isfinite(model.cluster_centers_).all()
    assert np.unique(model.labels_).size == 2
    assert model.inertia_ == pytest.approx(0.0, abs=1e-12)
    # Code written for scikit-learn (ConvergenceWarning) or for RuntimeWarning catches it.
    for category in (ConvergenceWarning, RuntimeWarning):
        with warnings.catch_warnings():
            warnings.simplefilter("error", category)
            with pytest.raises(category):
                KMeans(3, random_state=0).fit(X)


def test_all_points_identical_k_equals_n():
    X = np.ones((4, 2))
    with pytest.warns(DistinctClustersWarning):
        model = KMeans(4, init="random", random_state=1).fit(X)
    np.testing.assert_allclose(model.cluster_centers_, 1.0)
    assert model.inertia_ == 0.0
