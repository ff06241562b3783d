"""Sparse CSR input: the same results as scikit-learn's KMeans on the same matrix."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.cluster import KMeans as SkKMeans

from kmeans_core import KMeans, lloyd_steps


def text_like(n=400, d=60, density=0.08, seed=0, dtype=np.float64) -> sparse.csr_matrix:
    """Non-negative counts, mostly zeros, a few rows empty (like TF-IDF rows)."""
    r = np.random.RandomState(seed)
    X = sparse.random(n, d, density=density, random_state=r, format="csr")
    X.data = np.ceil(X.data * 5)
    return X.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("init", ["k-means++", "random"])
@pytest.mark.parametrize("tol", [0.0, 1e-4])
def test_same_fit_as_sklearn(dtype, weighted, init, tol):
    X = text_like(dtype=dtype, seed=int(weighted))
    w = np.random.RandomState(2).uniform(0.5, 2.0, X.shape[0]) if weighted else None
    ours = KMeans(5, init=init, n_init=2, random_state=3, tol=tol).fit(X, sample_weight=w)
    theirs = SkKMeans(5, init=init, n_init=2, random_state=3, tol=tol).fit(X, sample_weight=w)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    assert ours.n_iter_ == theirs.n_iter_
    rtol = 1e-10 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, rtol=rtol, atol=rtol)
    assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=rtol)
    assert ours.cluster_centers_.dtype == dtype


def test_predict_transform_score_on_sparse_match_sklearn():
    X = text_like(seed=4)
    new = text_like(n=50, seed=5)
    init = X[:4].toarray()
    ours = KMeans(4, init=init, n_init=1).fit(X)
    theirs = SkKMeans(4, init=init, n_init=1).fit(X)
    np.testing.assert_array_equal(ours.predict(new), theirs.predict(new))
    np.testing.assert_allclose(ours.transform(new), theirs.transform(new), rtol=1e-10)
    assert ours.score(new) == pytest.approx(theirs.score(new), rel=1e-10)
    # And the same model predicts dense input like its sparse form.
    np.testing.assert_array_equal(ours.predict(new.toarray()), ours.predict(new))


def test_csc_and_coo_are_accepted_as_csr():
    X = text_like(seed=6)
    init = X[:3].toarray()
    ref = KMeans(3, init=init, n_init=1).fit(X)
    for form in (X.tocsc(), X.tocoo(), sparse.csr_array(X)):
        got = KMeans(3, init=init, n_init=1).fit(form)
        np.testing.assert_array_equal(got.labels_, ref.labels_)


def test_sparse_steps_and_relocation():
    # Identical rows: more clusters than the data supports, relocation on sparse rows.
    X = sparse.csr_matrix(np.array([[0, 1.0, 0], [0, 1, 0], [2, 0, 0], [2, 0, 0], [0, 0, 3]]))
    init = np.array([[0, 1.0, 0], [0, 1, 0], [2, 0, 0]])
    steps = list(lloyd_steps(X, init, tol=0))
    assert steps[1].relocated == (1,)
    ours = KMeans(3, init=init, n_init=1, tol=0).fit(X)
    theirs = SkKMeans(3, init=init, n_init=1, tol=0).fit(X)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_)


def test_sparse_input_ignores_algorithm_choice():
    X = text_like(seed=7)
    init = X[:4].toarray()
    a = KMeans(4, init=init, n_init=1).fit(X)
    b = KMeans(4, init=init, n_init=1, algorithm="elkan").fit(X)
    np.testing.assert_array_equal(a.labels_, b.labels_)
