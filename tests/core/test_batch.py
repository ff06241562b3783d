"""kmeans_core.batch: many small fits at once give what separate KMeans fits give."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_blobs

from kmeans_core import KMeans, batch, farthest_point_init, interrupt
from kmeans_core.batch import fit_many, predict_many

INITS = ["k-means++", "random", farthest_point_init]


def _separate(Xs, k, seeds, init, tol=1e-4, max_iter=300):
    """The B fits one at a time, as the callers did before fit_many."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return [
            KMeans(
                n_clusters=k, init=init, n_init=1, random_state=s, tol=tol, max_iter=max_iter
            ).fit(X)
            for X, s in zip(Xs, seeds, strict=True)
        ]


def _assert_same(fits, models, rtol=1e-10):
    for b, m in enumerate(models):
        np.testing.assert_array_equal(fits.labels[b], m.labels_)
        assert fits.n_iter[b] == m.n_iter_
        np.testing.assert_allclose(fits.centers[b], m.cluster_centers_, rtol=rtol, atol=1e-9)
        assert fits.inertia[b] == pytest.approx(m.inertia_, rel=rtol)


def _datasets(rng, n_fits, n, d):
    sets = []
    for _ in range(n_fits):
        centers, seed = int(rng.integers(1, 6)), int(rng.integers(1e6))
        sets.append(make_blobs(n, d, centers=centers, random_state=seed)[0])
    return np.stack(sets)


@pytest.mark.parametrize("case", range(120))
def test_same_as_separate_fits(case):
    """Seeded configurations across n, d, K, init, tol, offsets: identical to KMeans."""
    rng = np.random.default_rng(case)
    n, d = int(rng.integers(5, 300)), int(rng.integers(1, 6))
    k, n_fits = int(rng.integers(1, min(n, 12) + 1)), int(rng.integers(1, 7))
    if case % 4 == 0:  # structureless data far from the origin
        Xs = rng.normal(size=(n_fits, n, d)) * rng.uniform(0.1, 100) + rng.uniform(-1e3, 1e3)
    else:
        Xs = _datasets(rng, n_fits, n, d)
    init, tol = INITS[case % 3], [1e-4, 0.0, 1e-2][case % 3]
    seeds = [int(s) for s in rng.integers(0, 1e6, n_fits)]
    fits = fit_many(Xs, k, random_states=seeds, init=init, tol=tol)
    _assert_same(fits, _separate(Xs, k, seeds, init, tol))


def test_float32_data_matches_and_keeps_its_dtype():
    Xs = _datasets(np.random.default_rng(1), 4, 200, 3).astype(np.float32)
    fits = fit_many(Xs, 4, random_states=[0, 1, 2, 3])
    assert fits.centers.dtype == np.float32
    _assert_same(fits, _separate(Xs, 4, [0, 1, 2, 3], "k-means++"), rtol=1e-5)


def test_hand_computed_case():
    """Two datasets of four points on a line, K = 2 from given centers: the means, by hand."""
    Xs = np.array([[[0.0], [1.0], [10.0], [11.0]], [[0.0], [2.0], [4.0], [6.0]]])
    init = np.array([[0.0], [1.0]])
    fits = fit_many(Xs, 2, random_states=[0, 0], init=init)
    np.testing.assert_array_equal(fits.labels, [[0, 0, 1, 1], [0, 0, 1, 1]])
    np.testing.assert_allclose(fits.centers[0].ravel(), [0.5, 10.5])
    np.testing.assert_allclose(fits.centers[1].ravel(), [1.0, 5.0])
    np.testing.assert_allclose(fits.inertia, [1.0, 4.0])


def test_max_iter_stops_every_fit_and_labels_once_more():
    Xs = _datasets(np.random.default_rng(2), 3, 300, 2)
    fits = fit_many(Xs, 6, random_states=[4, 5, 6], max_iter=1, init="random")
    assert (fits.n_iter == 1).all()
    _assert_same(fits, _separate(Xs, 6, [4, 5, 6], "random", max_iter=1))


def test_special_members_go_to_the_estimator():
    """Duplicate initial centers and emptied clusters keep the estimator's treatment."""
    # Three distinct points, K = 3 with many copies: k-means++ may pick copies; and a
    # dataset whose start empties a cluster at once.
    dup = np.repeat(np.array([[0.0, 0.0], [5.0, 5.0], [9.0, 0.0]]), 4, axis=0)
    far = np.vstack([np.zeros((11, 2)), [[100.0, 100.0]]])
    start = np.array([[0.0, 0.0], [0.0, 0.0], [100.0, 100.0]])
    apart = np.array([[0.0, 0.0], [50.0, 50.0], [100.0, 100.0]])  # the middle one gets no row
    for Xs, init in (([dup, dup], "random"), ([far, far], start), ([far, far], apart)):
        fits = fit_many(Xs, 3, random_states=[1, 2], init=init)
        _assert_same(fits, _separate(Xs, 3, [1, 2], init))


def test_one_shared_random_state_draws_like_restarts():
    """Ten copies of X with one RandomState: the ten restarts of KMeans(n_init=10)."""
    X = _datasets(np.random.default_rng(7), 1, 400, 2)[0]
    fits = fit_many(np.stack([X] * 10), 5, random_states=[np.random.RandomState(3)] * 10)
    model = KMeans(n_clusters=5, n_init=10, random_state=3).fit(X)
    assert fits.inertia.min() == pytest.approx(model.inertia_, rel=1e-12)
    best = int(fits.inertia.argmin())
    np.testing.assert_allclose(fits.centers[best], model.cluster_centers_, rtol=1e-10)


def test_groups_split_by_memory_budget(monkeypatch):
    """Small blocks force one member per group: same answer."""
    Xs = _datasets(np.random.default_rng(3), 5, 100, 2)
    whole = fit_many(Xs, 3, random_states=range(5))
    monkeypatch.setattr(batch, "MAX_BLOCK_VALUES", 1)
    split = fit_many(Xs, 3, random_states=range(5))
    np.testing.assert_array_equal(whole.labels, split.labels)
    np.testing.assert_allclose(whole.centers, split.centers)


def test_cancel_stops_between_iterations():
    Xs = _datasets(np.random.default_rng(4), 3, 200, 2)
    calls = []

    def check():
        calls.append(1)
        if len(calls) > 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), interrupt.checking(check):
        fit_many(Xs, 5, random_states=[0, 1, 2], tol=0.0)


@pytest.mark.parametrize(
    ("datasets", "k", "seeds", "match"),
    [
        ([np.zeros((5, 2)), np.zeros((6, 2))], 2, [0, 1], "same shape"),
        ([np.ones((5, 2))], 6, [0], "between 1 and 5"),
        ([np.ones((5, 2))], 2, [0, 1], "one random state per dataset"),
        ([np.array([[np.nan, 1.0], [1.0, 1.0]])], 1, [0], "NaN"),
        ([], 1, [], "at least one"),
    ],
)
def test_bad_input_is_explained(datasets, k, seeds, match):
    with pytest.raises(ValueError, match=match):
        fit_many(datasets, k, random_states=seeds)


def test_predict_many_matches_predict_far_from_the_origin():
    """Each set's labels are KMeans.predict's, also with data at 1e8 (centred on the centers)."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(400, 3)) + 1e8
    models = [KMeans(n_clusters=4, n_init=1, random_state=s).fit(X[s::3]) for s in range(3)]
    centers = np.stack([m.cluster_centers_ for m in models])
    labels = predict_many(X, centers)
    for m, lab in zip(models, labels, strict=True):
        np.testing.assert_array_equal(lab, m.predict(X))


def test_predict_many_checks_the_centers_shape():
    with pytest.raises(ValueError, match="n_sets, n_clusters, 2"):
        predict_many(np.ones((3, 2)), np.ones((2, 3)))


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 60),
    d=st.integers(1, 4),
    k=st.integers(1, 6),
    n_fits=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_properties(n, d, k, n_fits, seed):
    """Final labels are each row's nearest final center; inertia is their squared distance."""
    k = min(k, n)
    Xs = np.random.default_rng(seed).uniform(-10, 10, size=(n_fits, n, d))
    fits = fit_many(Xs, k, random_states=list(range(n_fits)))
    assert fits.labels.shape == (n_fits, n) and fits.centers.shape == (n_fits, k, d)
    for X, c, lab, inertia in zip(Xs, fits.centers, fits.labels, fits.inertia, strict=True):
        dist = ((X[:, None, :] - c[None, :, :]) ** 2).sum(axis=2)
        assert np.allclose(dist[np.arange(n), lab], dist.min(axis=1), atol=1e-9)
        assert inertia == pytest.approx(dist[np.arange(n), lab].sum(), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("case", range(40))
def test_estimator_restarts_batched_or_looped_give_the_same_model(case, monkeypatch):
    """KMeans(n_init > 1) on small data batches its restarts: the same model as the loop."""
    from kmeans_core import elbow_sweep, estimator

    rng = np.random.default_rng(100 + case)
    n, d = int(rng.integers(5, 500)), int(rng.integers(1, 5))
    k, n_init = int(rng.integers(1, min(n, 8) + 1)), int(rng.integers(2, 11))
    X = _datasets(rng, 1, n, d)[0] if case % 3 else rng.normal(size=(n, d)) + 1e3
    init = INITS[case % 3]
    assert estimator._restarts_batchable(X, np.ones(n), k, n_init, "auto")

    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            model = KMeans(n_clusters=k, init=init, n_init=n_init, random_state=case).fit(X)
            sweep = elbow_sweep(X, [1, k], n_init=n_init, init=init, random_state=case)
        return model, sweep

    batched, batched_sweep = fit()
    monkeypatch.setattr(estimator, "BATCH_MAX_ROWS_X_K", 0)  # the loop, as before
    looped, looped_sweep = fit()
    np.testing.assert_array_equal(batched.labels_, looped.labels_)
    np.testing.assert_array_equal(batched.cluster_centers_, looped.cluster_centers_)
    assert batched.inertia_ == looped.inertia_ and batched.n_iter_ == looped.n_iter_
    assert len(batched.history_) == len(looped.history_)
    np.testing.assert_allclose(batched_sweep.inertia_runs, looped_sweep.inertia_runs, rtol=1e-10)
    np.testing.assert_array_equal(batched_sweep.labels, looped_sweep.labels)
