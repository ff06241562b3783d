"""The knockout-tournament labelling of the kernel (at most 8 centers).

It must give exactly the labels of the first-minimum bitmask path it replaces (same
distance block, ties to the lowest index), and scikit-learn's labels from the same start.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import KMeans as SkKMeans

from kmeans_core import KMeans, _kernels
from kmeans_core._kernels import IncrementalSums, assign_and_accumulate


def _run(X, C, w, **kw):
    x_sq = np.einsum("ij,ij->i", X, X)
    return assign_and_accumulate(X, C, w, x_sq, **kw)


def _both_paths(X, C, w, **kw):
    """(tournament result, bitmask result) for the same call (small chunks too)."""
    assert C.shape[0] <= _kernels._TOURNAMENT_MAX_K
    with pytest.MonkeyPatch.context() as m:
        m.setattr(_kernels, "_ARGMIN_MAX_ROWS", 0)
        tournament = _run(X, C, w, **kw)
        m.setattr(_kernels, "_TOURNAMENT_MAX_K", 0)
        bitmask = _run(X, C, w, **kw)
    return tournament, bitmask


def _assert_same(a, b):
    np.testing.assert_array_equal(a[0], b[0])
    assert a[1] == pytest.approx(b[1], rel=1e-12, abs=1e-12)
    np.testing.assert_array_equal(a[2], b[2])
    np.testing.assert_array_equal(a[3], b[3])


def test_kernel_takes_the_tournament_up_to_eight_centers():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2))
    for k, expected in ((1, False), (2, True), (8, True), (9, False)):
        plan = _kernels._Plan(X, X[:k], np.ones(50), np.zeros(50), True, 50, None)
        assert plan.tournament is expected


def test_ties_go_to_the_lowest_index_hand_case():
    # The point (0, 0) is at distance 1 from centers 1, 3 and 4, at 4 from the others.
    C = np.array([[2.0, 0], [1, 0], [0, 2], [0, 1], [-1, 0], [-2, 0], [0, -2]])
    X = np.array([[0.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [5.0, 5.0]])
    labels, inertia, _, _ = _run(X, C, np.ones(4))
    # (0, 1) is on center 3; (-1, 0) on center 4; (5, 5) nearest to (2, 0) and (0, 2):
    # both at 9 + 25 = 34, so center 0.
    np.testing.assert_array_equal(labels, [1, 3, 4, 0])
    assert inertia == 1.0 + 0.0 + 0.0 + 34.0


@pytest.mark.parametrize("k", [2, 3, 5, 8, 9, 16])
def test_duplicate_centers_go_to_the_first_copy(k):
    rng = np.random.default_rng(k)
    X = rng.integers(-3, 4, size=(400, 2)).astype(float)
    C = X[rng.choice(400, k, replace=False)].copy()
    C[k - 1] = C[0]  # the last center duplicates the first
    if k > 3:
        C[k // 2] = C[1]
    labels, *_ = _run(X, C, np.ones(400))
    assert not np.any(labels == k - 1)
    d2 = ((X[:, None, :] - C[None]) ** 2).sum(axis=2)
    np.testing.assert_array_equal(labels, np.argmin(d2, axis=1))  # argmin: first index


@pytest.mark.parametrize("k", [2, 3, 4, 5, 7, 8])
@pytest.mark.parametrize("d", [1, 2, 3, 4, 7])
def test_same_as_bitmask_path_on_continuous_data(k, d):
    rng = np.random.default_rng(100 * k + d)
    X = rng.normal(size=(3000, d)) * rng.uniform(0.1, 10)
    C = X[rng.choice(3000, k, replace=False)] + rng.normal(scale=0.01, size=(k, d))
    w = rng.uniform(0.5, 2.0, size=3000)
    _assert_same(*_both_paths(X, C, w, chunk_rows=700))


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 300),
    d=st.integers(1, 5),
    k=st.integers(2, 8),
    chunk_rows=st.integers(1, 120),
    n_threads=st.sampled_from([1, 2]),
    duplicate=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
)
def test_property_same_labels_as_bitmask_path_with_ties(
    n, d, k, chunk_rows, n_threads, duplicate, seed
):
    """Small integer data: many exact ties (points equidistant from several centers)."""
    rng = np.random.default_rng(seed)
    X = rng.integers(-2, 3, size=(n, d)).astype(float)
    C = rng.integers(-2, 3, size=(k, d)).astype(float)
    if duplicate:
        C[rng.integers(k)] = C[rng.integers(k)]
    w = rng.integers(0, 4, size=n).astype(float)
    tournament, bitmask = _both_paths(X, C, w, chunk_rows=chunk_rows, n_threads=n_threads)
    _assert_same(tournament, bitmask)
    # Exact arithmetic on small integers: the labels are the first exact minimum.
    d2 = ((X[:, None, :] - C[None]) ** 2).sum(axis=2)
    np.testing.assert_array_equal(tournament[0], np.argmin(d2, axis=1))


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 300),
    d=st.integers(1, 5),
    k=st.integers(1, 20),
    chunk_rows=st.integers(1, 120),
    duplicate=st.booleans(),
    nearest_two=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
)
def test_property_small_chunks_argmin_same_as_other_paths_with_ties(
    n, d, k, chunk_rows, duplicate, nearest_two, seed
):
    """Small chunks label by argmin: the same labels, sums and inertia as the tournament
    (K <= 8) or the bitmask (K > 8) on the same distance block, ties included."""
    rng = np.random.default_rng(seed)
    X = rng.integers(-2, 3, size=(n, d)).astype(float)
    C = rng.integers(-2, 3, size=(k, d)).astype(float)
    if duplicate:
        C[rng.integers(k)] = C[rng.integers(k)]
    w = rng.integers(0, 4, size=n).astype(float)
    got = []
    for limit in (_kernels._ARGMIN_MAX_ROWS, 0):
        two = (np.empty(n), np.empty(n)) if nearest_two else None
        with pytest.MonkeyPatch.context() as m:
            m.setattr(_kernels, "_ARGMIN_MAX_ROWS", limit)
            got.append((_run(X, C, w, chunk_rows=chunk_rows, nearest_two=two), two))
    (argmin, two_a), (other, two_o) = got
    _assert_same(argmin, other)
    if nearest_two:
        np.testing.assert_array_equal(two_a[0], two_o[0])
        np.testing.assert_array_equal(two_a[1], two_o[1])
    d2 = ((X[:, None, :] - C[None]) ** 2).sum(axis=2)
    np.testing.assert_array_equal(argmin[0], np.argmin(d2, axis=1))


def test_incremental_sums_same_as_bitmask_path(monkeypatch):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(5000, 2))
    w = np.ones(5000)
    x_sq = np.einsum("ij,ij->i", X, X)
    states = {"tournament": IncrementalSums(), "bitmask": IncrementalSums()}
    C = X[:8].copy()
    for _ in range(6):
        got = {}
        for name, state in states.items():
            with monkeypatch.context() as m:
                m.setattr(_kernels, "_ARGMIN_MAX_ROWS", 0)
                if name == "bitmask":
                    m.setattr(_kernels, "_TOURNAMENT_MAX_K", 0)
                got[name] = assign_and_accumulate(X, C, w, x_sq, state=state, chunk_rows=512)
        _assert_same(got["tournament"], got["bitmask"])
        assert states["tournament"].n_changed == states["bitmask"].n_changed
        labels, _, sums, weights = got["tournament"]
        C = sums / np.maximum(weights, 1)[:, None]


def test_nearest_two_after_a_tournament_call_of_the_same_shape():
    """The bounds' start needs the bitmask path: a separate set of scratch buffers."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(1000, 2))
    C = X[:5].copy()
    w = np.ones(1000)
    labels, *_ = _run(X, C, w, chunk_rows=256)
    nearest, second = np.empty(1000), np.empty(1000)
    labels2, *_ = _run(X, C, w, chunk_rows=256, nearest_two=(nearest, second))
    np.testing.assert_array_equal(labels, labels2)
    d2 = np.sort(((X[:, None, :] - C[None]) ** 2).sum(axis=2), axis=1)
    np.testing.assert_allclose(nearest, d2[:, 0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(second, d2[:, 1], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("k", [3, 8, 13])
def test_low_d_fit_matches_sklearn_from_the_same_start(k):
    rng = np.random.default_rng(k)
    centers = rng.normal(scale=4, size=(k, 2))
    X = centers[rng.integers(k, size=6000)] + rng.normal(size=(6000, 2))
    init = X[rng.choice(6000, k, replace=False)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = KMeans(k, init=init, n_init=1, tol=0, max_iter=50, algorithm="lloyd").fit(X)
        ref = SkKMeans(k, init=init, n_init=1, tol=0, max_iter=50, algorithm="lloyd").fit(X)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=1e-12, atol=1e-12)
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-12)


def test_blas_limit_is_restored_and_nests():
    libs = _kernels._blas_controllers()
    before = [lib.get_num_threads() for lib in libs]
    with _kernels._blas_single_thread():
        with _kernels._blas_single_thread():
            assert all(lib.get_num_threads() == 1 for lib in libs)
        assert all(lib.get_num_threads() == 1 for lib in libs)
    assert [lib.get_num_threads() for lib in libs] == before


def test_scratch_pool_keeps_its_byte_count():
    rng = np.random.default_rng(5)
    for n, k in ((500, 3), (700, 8), (900, 20)):
        X = rng.normal(size=(n, 2))
        _run(X, X[:k], np.ones(n), chunk_rows=100)
    held = sum(size for sets in _kernels._scratch_pool.values() for size, _ in sets)
    assert held == _kernels._scratch_held
    assert held == sum(
        sum(a.nbytes for a in s.values())
        for sets in _kernels._scratch_pool.values()
        for _, s in sets
    )
