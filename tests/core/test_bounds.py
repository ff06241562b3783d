"""Elkan and Hamerly: Lloyd's labels from the same start, fewer distances computed."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import KMeans as SkKMeans

from kmeans_core import KMeans, lloyd_steps
from tests.core.conftest import blobs, normal, rows

BOUNDED = ["elkan", "hamerly", "auto"]


def _steps(X, init, algorithm, **kw):
    return list(lloyd_steps(X, init, algorithm=algorithm, **kw))


@pytest.mark.parametrize("algorithm", BOUNDED)
@pytest.mark.parametrize("d", [2, 7, 40])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_every_step_equals_lloyds(algorithm, d, dtype):
    # Same labels at every assign step, bit-identical centers at every update step.
    X = blobs(n=3000, d=d, k=6, seed=d, std=2.5).astype(dtype)
    w = np.random.RandomState(1).uniform(0.5, 2.0, X.shape[0])
    init = rows(X, 6, seed=2)
    lloyd = _steps(X, init, "lloyd", sample_weight=w, tol=0)
    other = _steps(X, init, algorithm, sample_weight=w, tol=0)
    assert len(lloyd) == len(other) > 6
    for a, b in zip(lloyd, other, strict=True):
        assert (a.iteration, a.phase, a.n_changed) == (b.iteration, b.phase, b.n_changed)
        np.testing.assert_array_equal(a.labels, b.labels)
        np.testing.assert_array_equal(a.centers, b.centers)
        assert b.inertia == pytest.approx(a.inertia, rel=1e-4 if dtype == np.float32 else 1e-9)


@pytest.mark.parametrize("algorithm", ["elkan", "hamerly"])
def test_bounds_skip_most_distances_once_centers_settle(algorithm):
    X = blobs(n=4000, d=10, k=8, seed=3, std=1.5)
    steps = _steps(X, rows(X, 8, seed=1), algorithm, tol=0)
    skipped = [s.distances_skipped for s in steps if s.phase == "assign"]
    assert skipped[0] == 0.0  # the first assignment computes every distance
    assert max(skipped[2:]) > 0.8
    assert all(0.0 <= s <= 1.0 for s in skipped)
    lloyd = _steps(X, rows(X, 8, seed=1), "lloyd", tol=0)
    assert all(s.distances_skipped == 0.0 for s in lloyd)


def test_auto_starts_with_lloyd_and_switches_to_bounds():
    X = normal(n=5000, d=20, seed=5)
    steps = _steps(X, rows(X, 10, seed=4), "auto", tol=0)
    skipped = [s.distances_skipped for s in steps if s.phase == "assign"]
    assert skipped[0] == 0.0 and skipped[1] == 0.0  # many labels change early on
    assert max(skipped) > 0.5


def test_auto_keeps_lloyd_at_low_d():
    X = blobs(n=5000, d=2, k=5, seed=1)
    steps = _steps(X, rows(X, 5, seed=0), "auto", tol=0)
    assert all(s.distances_skipped == 0.0 for s in steps)


@pytest.mark.parametrize("algorithm", BOUNDED)
@pytest.mark.parametrize("seed", range(3))
def test_estimator_matches_sklearn_elkan(algorithm, seed):
    X = blobs(n=2000, d=12, k=7, seed=seed, std=3.0)
    w = np.random.RandomState(seed).uniform(0.2, 3.0, X.shape[0]) if seed else None
    ours = KMeans(7, algorithm=algorithm, random_state=seed, tol=0).fit(X, sample_weight=w)
    theirs = SkKMeans(7, algorithm="elkan", random_state=seed, tol=0).fit(X, sample_weight=w)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, rtol=1e-10)
    assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=1e-10)


@pytest.mark.parametrize("algorithm", BOUNDED)
@pytest.mark.parametrize("max_iter", [3, 6, 12])
def test_final_labelling_after_max_iter_uses_the_bounds_and_equals_lloyds(algorithm, max_iter):
    # Stopped by max_iter: the last labelling (for the final centers) comes from one
    # more bound update, and must still be Lloyd's.
    X = blobs(n=4000, d=20, k=8, seed=7, std=3.0)
    init = rows(X, 8, seed=3)
    lloyd = _steps(X, init, "lloyd", tol=0, max_iter=max_iter)
    other = _steps(X, init, algorithm, tol=0, max_iter=max_iter)
    assert lloyd[-1].stop_reason == "max_iter reached"
    for a, b in zip(lloyd, other, strict=True):
        np.testing.assert_array_equal(a.labels, b.labels)
        np.testing.assert_array_equal(a.centers, b.centers)
        assert a.n_changed == b.n_changed
    assert other[-1].inertia == pytest.approx(lloyd[-1].inertia, rel=1e-12)


@pytest.mark.parametrize("algorithm", ["elkan", "hamerly"])
def test_duplicate_centers_and_relocation_with_bounds(algorithm):
    # Two copies of one center (ties go to the first) and an empty cluster relocated.
    X = normal(n=600, d=6, seed=2)
    init = rows(X, 5, seed=3)
    init[3] = init[1]
    lloyd = _steps(X, init, "lloyd", tol=0)
    other = _steps(X, init, algorithm, tol=0)
    assert any(s.relocated for s in lloyd)
    for a, b in zip(lloyd, other, strict=True):
        np.testing.assert_array_equal(a.labels, b.labels)
        np.testing.assert_array_equal(a.centers, b.centers)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 300),
    d=st.integers(1, 12),
    k=st.integers(1, 9),
    seed=st.integers(0, 2**31 - 1),
    algorithm=st.sampled_from(["elkan", "hamerly"]),
    spread=st.sampled_from([1e-3, 1.0, 1e4]),
)
def test_property_same_fit_as_lloyd(n, d, k, seed, algorithm, spread):
    r = np.random.RandomState(seed)
    X = r.normal(size=(n, d)) * spread + r.normal(size=d) * 10 * spread
    k = min(k, n)
    init = X[r.choice(n, k, replace=False)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = KMeans(k, init=init, n_init=1, tol=0).fit(X)
        b = KMeans(k, init=init, n_init=1, tol=0, algorithm=algorithm).fit(X)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.n_iter_ == b.n_iter_
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    assert b.inertia_ == a.inertia_


def test_history_keeps_the_share_of_distances_skipped():
    X = normal(n=4000, d=10, seed=3)  # no clusters: many iterations
    model = KMeans(8, algorithm="hamerly", init="random", n_init=1, random_state=0, tol=0).fit(X)
    skipped = [s.distances_skipped for s in model.history_ if s.phase == "assign"]
    assert skipped[0] == 0.0 and max(skipped) > 0.8
    assert all(s.distances_skipped == 0.0 for s in model.history_ if s.phase == "update")


def test_unknown_algorithm_is_refused_with_the_choices():
    X = blobs(n=50, d=2, k=2, seed=0)
    with pytest.raises(ValueError, match="algorithm must be one of 'lloyd', 'elkan'"):
        KMeans(2, algorithm="fast").fit(X)
    with pytest.raises(ValueError, match="algorithm must be one of lloyd, elkan"):
        list(lloyd_steps(X, X[:2], algorithm="fast"))
