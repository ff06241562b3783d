"""Same start, same result as scikit-learn's KMeans (Lloyd)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans as SkKMeans
from sklearn.cluster import kmeans_plusplus as sk_kmeans_plusplus
from sklearn.datasets import make_blobs

from kmeans_core import KMeans, kmeans_plusplus, random_init
from tests.core.conftest import blobs, normal, rows

DATA = {
    "blobs": lambda: blobs(n=500, d=3, k=6, seed=2, std=2.0),
    "normal": lambda: normal(n=400, d=4, seed=4),
}


def _rel(a, b) -> float:
    """Relative difference of two arrays (norm-wise)."""
    return float(np.linalg.norm(np.asarray(a, float) - b) / np.linalg.norm(b))


def assert_same_fit(ours, theirs, rtol=1e-6):
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    assert ours.n_iter_ == theirs.n_iter_
    assert _rel(ours.cluster_centers_, theirs.cluster_centers_) <= rtol
    assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=rtol)


@pytest.mark.parametrize("data", sorted(DATA))
@pytest.mark.parametrize("tol", [0.0, 1e-4, 1e-2])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_same_init_array_same_result(data, tol, weighted, dtype):
    X = DATA[data]().astype(dtype)
    w = np.random.RandomState(1).uniform(0.2, 3.0, X.shape[0]) if weighted else None
    init = rows(X, 6, seed=3)
    ours = KMeans(6, init=init, n_init=1, tol=tol).fit(X, sample_weight=w)
    theirs = SkKMeans(6, init=init, n_init=1, tol=tol).fit(X, sample_weight=w)
    assert ours.n_iter_ > 2  # a run long enough to be a test
    assert ours.cluster_centers_.dtype == theirs.cluster_centers_.dtype == dtype
    assert_same_fit(ours, theirs)


def test_tol_changes_iterations_like_sklearn():
    X = DATA["normal"]()
    init = rows(X, 6, seed=3)
    n_iters = [KMeans(6, init=init, n_init=1, tol=t).fit(X).n_iter_ for t in (0, 1e-4, 1e-2)]
    sk_iters = [SkKMeans(6, init=init, n_init=1, tol=t).fit(X).n_iter_ for t in (0, 1e-4, 1e-2)]
    assert n_iters == sk_iters
    assert n_iters[0] > n_iters[2]  # the loose tolerance really stops earlier


@pytest.mark.parametrize("max_iter", [1, 2, 5])
def test_max_iter_counts_like_sklearn(max_iter):
    X = DATA["normal"]()
    init = rows(X, 6, seed=3)
    ours = KMeans(6, init=init, n_init=1, max_iter=max_iter, tol=0).fit(X)
    theirs = SkKMeans(6, init=init, n_init=1, max_iter=max_iter, tol=0).fit(X)
    assert ours.n_iter_ == max_iter
    assert_same_fit(ours, theirs)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
def test_kmeans_plusplus_picks_the_same_rows_as_sklearn(dtype, weighted):
    X = blobs(n=300, d=2, k=8, seed=5).astype(dtype)
    w = np.random.RandomState(0).uniform(0.5, 2.0, X.shape[0]) if weighted else None
    for seed in range(5):
        ours = kmeans_plusplus(X, 8, seed, sample_weight=w)
        theirs, _ = sk_kmeans_plusplus(X, 8, random_state=seed, sample_weight=w)
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_first_kmeans_plusplus_row_is_numpys_weighted_choice(dtype):
    """The first center's draw without choice()'s checks: the same row, the same state after."""
    from kmeans_core.init import _weighted_choice

    for t in range(300):
        g = np.random.default_rng(t)
        n = int(g.integers(1, 3000))
        w = np.ones(n, dtype=dtype) if t % 5 == 0 else g.uniform(0.01, 5, n).astype(dtype)
        a, b = np.random.RandomState(t), np.random.RandomState(t)
        assert a.choice(n, p=w / w.sum()) == _weighted_choice(b, w)
        assert a.uniform() == b.uniform()


def test_kmeans_plusplus_at_a_million_rows_is_sklearns():
    """The reused buffers and the one-pass clip of the candidate distances change nothing."""
    X = blobs(n=1_000_000, d=2, k=8, seed=3)
    for seed in range(2):
        theirs, _ = sk_kmeans_plusplus(X, 8, random_state=seed)
        np.testing.assert_array_equal(kmeans_plusplus(X, 8, seed), theirs)


@pytest.mark.parametrize("init", ["k-means++", "random"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_same_seed_same_fit_as_sklearn(init, dtype):
    # Same RNG calls in the same order, so the whole fit (n_init runs, best one
    # kept) matches scikit-learn's for the same int random_state.
    X = DATA["blobs"]().astype(dtype)
    for seed in (0, 7):
        ours = KMeans(6, init=init, random_state=seed).fit(X)
        theirs = SkKMeans(6, init=init, random_state=seed).fit(X)
        assert_same_fit(ours, theirs)


def test_random_init_rows_are_sklearn_draw():
    # scikit-learn draws with p=sample_weight/sum even without weights.
    X = DATA["blobs"]()
    n = X.shape[0]
    seeds = np.random.RandomState(3).choice(n, size=6, replace=False, p=np.full(n, 1 / n))
    centers = random_init(X, 6, 3)
    np.testing.assert_array_equal(centers, X[seeds])
    assert np.unique(centers, axis=0).shape[0] == 6


def test_callable_init_same_as_sklearn():
    # A callable picking fixed rows gives the same centers whether it sees the data
    # as passed (ours) or mean-centred (scikit-learn).
    X = DATA["blobs"]()

    def first_rows(X, n_clusters, random_state):
        return X[:n_clusters] * 1.0

    ours = KMeans(6, init=first_rows, n_init=1).fit(X)
    theirs = SkKMeans(6, init=first_rows, n_init=1).fit(X)
    assert_same_fit(ours, theirs)


def test_kmeans_plusplus_quality_on_25_blobs():
    X, _ = make_blobs(2500, centers=25, n_features=2, cluster_std=1.0, random_state=0)
    ours = [KMeans(25, random_state=s).fit(X).inertia_ for s in range(10)]
    theirs = [SkKMeans(25, random_state=s).fit(X).inertia_ for s in range(10)]
    assert np.mean(ours) <= 1.02 * np.mean(theirs)
    assert np.mean(ours) >= 0.98 * np.mean(theirs)


@pytest.mark.parametrize("seed", range(12))
def test_random_configurations_match_sklearn(seed):
    # Continuous data (no exact ties), assorted n, d, K, tol, weights, dtype, init.
    r = np.random.RandomState(seed)
    n, d = r.randint(20, 250), r.randint(1, 6)
    k = r.randint(1, min(n, 12) + 1)
    X = r.normal(size=(n, d)) * r.uniform(0.1, 100) + r.uniform(-1000, 1000, size=d)
    X = X.astype(np.float32 if seed % 3 == 0 else np.float64)
    w = r.uniform(0.05, 3, n) if seed % 2 else None
    params = dict(init=("k-means++", "random")[seed % 2], tol=(0, 1e-4, 1e-2)[seed % 3], n_init=3)
    ours = KMeans(k, random_state=seed, **params).fit(X, sample_weight=w)
    theirs = SkKMeans(k, random_state=seed, **params).fit(X, sample_weight=w)
    assert_same_fit(ours, theirs)
