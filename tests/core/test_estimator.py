"""KMeans as a scikit-learn estimator: conventions, init handling, dtypes, determinism."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator

import kmeans_core.estimator as est
from kmeans_core import KMeans, NotFittedError, lloyd_steps
from kmeans_core.estimator import _is_same_clustering
from tests.core.conftest import blobs, normal, rows

# Checks scikit-learn itself expects KMeans to fail, with its reason.
EXPECTED_FAILED_CHECKS = {
    # k-means++ draws its seeds from the rows, so repeating a row changes the random
    # draws; scikit-learn lists the same expected failure for its own KMeans.
    # Equivalence with the same init array is tested in
    # test_integer_weights_equal_duplicated_rows.
    "check_sample_weight_equivalence_on_dense_data": (
        "sample_weight is not equivalent to removing/repeating samples (random init)."
    ),
    # The same reason on sparse input (accepted since issue 12); scikit-learn lists it too.
    "check_sample_weight_equivalence_on_sparse_data": (
        "sample_weight is not equivalent to removing/repeating samples (random init)."
    ),
}


# check_array_api_input is skipped by scikit-learn itself unless SCIPY_ARRAY_API is set
# (we do not support array-API inputs); a few checks use 4 distinct points with the
# default n_clusters=8, which warns as it should.
@pytest.mark.filterwarnings("ignore:Number of distinct clusters")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
def test_check_estimator():
    results = check_estimator(KMeans(), on_fail=None, expected_failed_checks=EXPECTED_FAILED_CHECKS)
    bad = [r for r in results if r["status"] == "failed"]
    assert not bad, [(r["check_name"], str(r["exception"])[:200]) for r in bad]
    assert len(results) > 40
    xfails = {r["check_name"] for r in results if r["status"] == "xfail"}
    assert xfails == set(EXPECTED_FAILED_CHECKS)


def test_get_set_params_clone_pickle_pipeline():
    X = blobs()
    model = KMeans(3, random_state=0)
    assert model.get_params()["n_clusters"] == 3
    model.set_params(n_clusters=4, tol=0.0)
    assert (model.n_clusters, model.tol) == (4, 0.0)
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "cluster_centers_")
    fitted = model.fit(X)
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.predict(X), fitted.labels_)
    pipe = Pipeline([("scale", StandardScaler()), ("km", KMeans(4, random_state=0))])
    labels = pipe.fit_predict(X)
    assert labels.shape == (X.shape[0],)
    assert pipe.transform(X).shape == (X.shape[0], 4)
    pipe.set_params(km__n_clusters=2)
    assert np.unique(pipe.fit(X).predict(X)).size == 2
    assert list(fitted.get_feature_names_out()) == ["kmeans0", "kmeans1", "kmeans2", "kmeans3"]


def test_fitted_attributes_and_methods_agree():
    X = blobs()
    model = KMeans(5, random_state=0).fit(X)
    assert model.labels_.dtype == np.int32
    assert model.n_features_in_ == 2
    assert model.cluster_centers_.shape == (5, 2)
    np.testing.assert_array_equal(model.predict(X), model.labels_)
    dist = model.transform(X)
    np.testing.assert_array_equal(dist.argmin(axis=1), model.labels_)
    expected = np.sqrt(((X[:, None, :] - model.cluster_centers_[None]) ** 2).sum(axis=2))
    np.testing.assert_allclose(dist, expected, rtol=1e-9, atol=1e-9)
    assert model.score(X) == pytest.approx(-model.inertia_, rel=1e-9)
    explicit = ((X - model.cluster_centers_[model.labels_]) ** 2).sum()
    assert model.inertia_ == pytest.approx(explicit, rel=1e-12)
    np.testing.assert_array_equal(KMeans(5, random_state=0).fit_predict(X), model.labels_)
    np.testing.assert_allclose(KMeans(5, random_state=0).fit_transform(X), dist)


def test_history_is_the_step_generator_of_the_best_run():
    X = normal(n=200, d=2, seed=1)
    init = rows(X, 4, seed=0)
    model = KMeans(4, init=init, n_init=1).fit(X)
    steps = list(lloyd_steps(X, init))
    assert len(model.history_) == len(steps)
    for h, s in zip(model.history_, steps, strict=True):
        assert (h.iteration, h.phase, h.n_changed, h.relocated, h.stop_reason) == (
            s.iteration,
            s.phase,
            s.n_changed,
            s.relocated,
            s.stop_reason,
        )
        np.testing.assert_array_equal(h.centers, s.centers)
        np.testing.assert_array_equal(h.center_shifts, s.center_shifts)
        assert h.inertia == s.inertia
    last = steps[-1]
    np.testing.assert_array_equal(model.labels_, last.labels)
    np.testing.assert_array_equal(model.cluster_centers_, last.centers)
    assert model.inertia_ == last.inertia
    assert model.n_iter_ == last.iteration
    assert last.stop_reason is not None


@pytest.mark.parametrize(
    ("init", "n_init", "expected_runs"),
    [("k-means++", "auto", 1), ("random", "auto", 10), ("callable", "auto", 10), ("random", 3, 3)],
)
def test_n_init_auto(monkeypatch, init, n_init, expected_runs):
    calls = []
    real = est._single_run

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(est, "_single_run", counting)
    monkeypatch.setattr(est, "BATCH_MAX_ROWS_X_K", 0)  # one call per run (no batching)
    if init == "callable":
        init = lambda X, k, rs: X[rs.choice(X.shape[0], k, replace=False)]  # noqa: E731
    KMeans(3, init=init, n_init=n_init, random_state=0).fit(blobs(n=60))
    assert len(calls) == expected_runs


def test_array_init_with_n_init_warns_and_runs_once(monkeypatch):
    X = blobs(n=60)
    init = rows(X, 3, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        KMeans(3, init=init).fit(X)  # n_init="auto": 1, no warning
        KMeans(3, init=init, n_init=1).fit(X)
    with pytest.warns(RuntimeWarning, match="performing only one init"):
        model = KMeans(3, init=init, n_init=4).fit(X)
    assert model.n_iter_ >= 1


def test_callable_init_gets_data_k_and_random_state():
    X = blobs(n=80)
    seen = {}

    def init(data, n_clusters, random_state):
        seen.update(data=data, k=n_clusters, rs=random_state)
        return data[:n_clusters]

    KMeans(3, init=init, n_init=1, random_state=5).fit(X)
    np.testing.assert_array_equal(seen["data"], X)  # as passed, not mean-centred
    assert seen["k"] == 3
    assert isinstance(seen["rs"], np.random.RandomState)


def test_best_inertia_run_wins():
    # Blobs at x = 0, 4 and 100. Two centers splitting the far blob and one between
    # the near ones is a local minimum; one center per blob is the best.
    noise = np.random.RandomState(0).normal(scale=0.3, size=(90, 2))
    X = noise + np.repeat([[0.0, 0.0], [4.0, 0.0], [100.0, 0.0]], 30, axis=0)
    bad_start = np.array([[2.0, 0.0], [100.0, -0.5], [100.0, 0.5]])
    good_start = np.array([[0.0, 0.0], [4.0, 0.0], [100.0, 0.0]])
    good = KMeans(3, init=good_start).fit(X)
    starts = iter([bad_start, good_start, bad_start])
    model = KMeans(3, init=lambda X, k, rs: next(starts), n_init=3).fit(X)
    assert model.inertia_ == pytest.approx(good.inertia_, rel=1e-9)
    bad = KMeans(3, init=bad_start, n_init=1).fit(X)
    assert bad.inertia_ > model.inertia_


def test_is_same_clustering():
    assert _is_same_clustering(np.array([0, 0, 1, 2]), np.array([2, 2, 0, 1]))
    assert not _is_same_clustering(np.array([0, 0, 1, 2]), np.array([2, 1, 0, 1]))
    assert not _is_same_clustering(np.array([0, 1, 1]), np.array([0, 1, 2]))


def test_rerun_with_same_partition_keeps_first(monkeypatch):
    # A later run with a (rounding-level) lower inertia but the same partition does
    # not replace the first, as in scikit-learn: labels stay those of run 1.
    X = blobs(n=120, k=2, seed=3, std=0.5)
    base = KMeans(2, random_state=0).fit(X)
    runs = iter(
        [
            est._Run(base.cluster_centers_, base.labels_, 10.0, 3, None),
            est._Run(base.cluster_centers_[::-1], 1 - base.labels_, 10.0 - 1e-12, 4, None),
        ]
    )
    monkeypatch.setattr(est, "_single_run", lambda *a, **k: next(runs))
    model = KMeans(2, init="random", n_init=2, random_state=0).fit(X)
    np.testing.assert_array_equal(model.labels_, base.labels_)
    assert model.n_iter_ == 3


def test_float32_in_float32_out():
    X = blobs().astype(np.float32)
    model = KMeans(4, random_state=0).fit(X)
    assert model.cluster_centers_.dtype == np.float32
    assert model.transform(X).dtype == np.float32
    assert model.predict(X).dtype == np.int32
    # Everything else becomes float64.
    X_int = np.round(blobs() * 10).astype(np.int64)
    assert KMeans(4, random_state=0).fit(X_int).cluster_centers_.dtype == np.float64
    assert KMeans(4, random_state=0).fit(X.astype(np.float16)).transform(X).dtype == np.float32


def test_float32_close_to_float64():
    X = blobs()
    init = rows(X, 5, seed=2)
    m64 = KMeans(5, init=init).fit(X)
    m32 = KMeans(5, init=init).fit(X.astype(np.float32))
    np.testing.assert_array_equal(m32.labels_, m64.labels_)
    np.testing.assert_allclose(m32.cluster_centers_, m64.cluster_centers_, rtol=1e-4, atol=1e-4)


def test_c_and_fortran_order_give_identical_results():
    X = normal(n=300, d=4, seed=2)
    a = KMeans(5, random_state=3).fit(np.ascontiguousarray(X))
    b = KMeans(5, random_state=3).fit(np.asfortranarray(X))
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    assert a.inertia_ == b.inertia_
    assert a.n_iter_ == b.n_iter_
    np.testing.assert_array_equal(a.transform(np.asfortranarray(X)), a.transform(X))


def test_integer_weights_equal_duplicated_rows():
    X = normal(n=120, d=2, seed=5)
    w = np.random.RandomState(0).randint(1, 4, X.shape[0])
    X_dup = np.repeat(X, w, axis=0)
    init = rows(X, 4, seed=1)
    weighted = KMeans(4, init=init).fit(X, sample_weight=w)
    duplicated = KMeans(4, init=init).fit(X_dup)
    np.testing.assert_allclose(weighted.cluster_centers_, duplicated.cluster_centers_, rtol=1e-10)
    assert weighted.inertia_ == pytest.approx(duplicated.inertia_, rel=1e-10)
    assert weighted.n_iter_ == duplicated.n_iter_
    np.testing.assert_array_equal(np.repeat(weighted.labels_, w), duplicated.labels_)


def test_zero_weight_rows_do_not_move_centers():
    X = normal(n=100, d=2, seed=6)
    outliers = np.array([[50.0, 50.0], [-40.0, 60.0]])
    init = rows(X, 3, seed=2)
    plain = KMeans(3, init=init).fit(X)
    padded = KMeans(3, init=init).fit(
        np.vstack([X, outliers]), sample_weight=np.r_[np.ones(100), 0.0, 0.0]
    )
    np.testing.assert_allclose(padded.cluster_centers_, plain.cluster_centers_, rtol=1e-10)
    assert padded.inertia_ == pytest.approx(plain.inertia_, rel=1e-10)


def test_determinism_per_seed():
    X = blobs(n=300, k=6, seed=4, std=2.5)
    for init in ("k-means++", "random"):
        a = KMeans(6, init=init, random_state=11).fit(X)
        b = KMeans(6, init=init, random_state=11).fit(X)
        np.testing.assert_array_equal(a.labels_, b.labels_)
        np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
        assert a.inertia_ == b.inertia_
    starts = {
        tuple(KMeans(6, max_iter=1, random_state=s).fit(X).history_[0].centers.ravel())
        for s in range(4)
    }
    assert len(starts) > 1  # the seed really matters


def test_random_state_instance_is_advanced():
    X = blobs(n=100)
    rs = np.random.RandomState(0)
    a = KMeans(3, random_state=rs, max_iter=1).fit(X).history_[0].centers
    b = KMeans(3, random_state=rs, max_iter=1).fit(X).history_[0].centers
    assert not np.array_equal(a, b)


def test_predict_before_fit():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        KMeans(2).predict(np.zeros((3, 2)))


def test_far_from_origin_predict_and_transform_stay_exact():
    # Offset 1e8, unit spread: ||x||^2 is 1e16, so the expanded distance formula on
    # raw coordinates would lose everything. Working on centred data keeps it exact.
    X = blobs(n=300, k=3, seed=8, std=1.0) + 1e8
    model = KMeans(3, random_state=0).fit(X)
    np.testing.assert_array_equal(model.predict(X), model.labels_)
    expected = np.sqrt(((X[:, None, :] - model.cluster_centers_[None]) ** 2).sum(axis=2))
    np.testing.assert_allclose(model.transform(X), expected, rtol=1e-6)
    assert model.score(X) == pytest.approx(-model.inertia_, rel=1e-6)
    # The same data at the origin clusters the same way.
    at_origin = KMeans(3, random_state=0).fit(X - 1e8)
    np.testing.assert_array_equal(model.labels_, at_origin.labels_)
