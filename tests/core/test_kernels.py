"""The fused Lloyd kernel against a naive reference.

Most cases use small integer coordinates and weights: then the GEMM form
``||c||^2 - 2 c.x`` is computed exactly in floating point, so labels must equal the
exact argmin (ties included) and sums and inertia are exact.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kmeans_core import _kernels
from kmeans_core._kernels import (
    IncrementalSums,
    assign_and_accumulate,
    default_chunk_rows,
    explicit_inertia,
)


def reference(X, C, w):
    """Labels (first index on ties), inertia, sums and weights, the slow obvious way."""
    d2 = ((X[:, None, :].astype(np.float64) - C[None, :, :]) ** 2).sum(axis=2)
    labels = np.argmin(d2, axis=1)  # argmin returns the first index on ties
    k = C.shape[0]
    sums = np.zeros(C.shape, dtype=np.float64)
    weights = np.zeros(k, dtype=np.float64)
    for i, lab in enumerate(labels):
        sums[lab] += w[i] * X[i]
        weights[lab] += w[i]
    inertia = float((d2[np.arange(len(X)), labels] * w).sum())
    return labels, inertia, sums, weights


def run(X, C, w, **kw):
    x_sq = np.einsum("ij,ij->i", X, X)
    return assign_and_accumulate(X, C, w, x_sq, **kw)


def int_data(seed, n, d, k, dtype=np.float64, span=6):
    rng = np.random.default_rng(seed)
    X = rng.integers(-span, span + 1, size=(n, d)).astype(dtype)
    C = rng.integers(-span, span + 1, size=(k, d)).astype(dtype)
    w = rng.integers(1, 4, size=n).astype(dtype)
    return X, C, w


def assert_matches_reference(X, C, w, **kw):
    labels, inertia, sums, weights = run(X, C, w, **kw)
    ref_labels, ref_inertia, ref_sums, ref_weights = reference(X, C, w)
    assert labels.dtype == np.int32
    assert labels.shape == (X.shape[0],)
    np.testing.assert_array_equal(labels, ref_labels)
    assert inertia == pytest.approx(ref_inertia, rel=1e-12, abs=1e-12)
    np.testing.assert_array_equal(sums, ref_sums.astype(X.dtype))
    np.testing.assert_array_equal(weights, ref_weights.astype(X.dtype))
    assert sums.dtype == X.dtype and weights.dtype == X.dtype


# -- labels, ties, sums ----------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 3, 7, 8, 9, 16, 17, 40])
@pytest.mark.parametrize("d", [1, 2, 3, 9, 30])
def test_matches_reference_on_integer_data(k, d):
    # Integer points in a small box: many exact ties between centers.
    X, C, w = int_data(seed=k * 100 + d, n=700, d=d, k=k)
    assert_matches_reference(X, C, w, chunk_rows=256)


def test_ties_go_to_the_lowest_index():
    # Point 0 is equidistant (distance 1) from centers 1, 2 and 3; point 1 sits on the
    # duplicated center 0 / 4; point 2 is equidistant from all four corners.
    C = np.array([[5.0, 5.0], [1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
    X = np.array([[0.0, 0.0], [5.0, 5.0], [3.0, 3.0]])
    labels, inertia, sums, weights = run(X, C, np.ones(3))
    # point 2: distance^2 to c0 and c4 is 8, to c3 = 9 + 4 = 13: nearest c0 (lowest of 0, 4).
    np.testing.assert_array_equal(labels, [1, 0, 0])
    assert inertia == pytest.approx(1.0 + 0.0 + 8.0)
    np.testing.assert_array_equal(weights, [2, 1, 0, 0, 0])
    np.testing.assert_array_equal(sums[0], [8.0, 8.0])


def test_ties_across_groups_of_eight_centers():
    # 20 identical centers: every point must take center 0, whatever the group.
    C = np.zeros((20, 3))
    X = np.random.default_rng(1).normal(size=(50, 3))
    labels, *_ = run(X, C, np.ones(50))
    assert (labels == 0).all()
    # The same center duplicated at indices 11 and 19 (second group and third group):
    C = np.full((20, 3), 100.0)
    C[11] = C[19] = 0.0
    labels, *_ = run(X, C, np.ones(50))
    assert (labels == 11).all()


def test_hand_computed_example():
    X = np.array([[0.0, 0.0], [0.0, 2.0], [10.0, 0.0], [10.0, 4.0]])
    C = np.array([[0.0, 1.0], [10.0, 1.0]])
    w = np.array([1.0, 3.0, 2.0, 0.5])
    labels, inertia, sums, weights = run(X, C, w)
    np.testing.assert_array_equal(labels, [0, 0, 1, 1])
    # 1*1 + 3*1 + 2*1 + 0.5*9
    assert inertia == pytest.approx(10.5)
    np.testing.assert_array_equal(weights, [4.0, 2.5])
    np.testing.assert_array_equal(sums, [[0.0, 6.0], [25.0, 2.0]])


def test_k_equal_one_sums_everything():
    X, _, w = int_data(seed=3, n=333, d=4, k=1)
    C = np.array([[0.5, -1.0, 2.0, 0.0]])
    labels, inertia, sums, weights = run(X, C, w, chunk_rows=100)
    assert (labels == 0).all()
    np.testing.assert_allclose(sums[0], (X * w[:, None]).sum(axis=0))
    assert weights[0] == w.sum()
    assert inertia == pytest.approx(float((((X - C[0]) ** 2).sum(axis=1) * w).sum()))


# -- chunking and threads ---------------------------------------------------------------


@pytest.mark.parametrize("chunk_rows", [1, 7, 256, 999, 1000, 1001, 5000])
def test_chunk_boundaries(chunk_rows):
    # n = 1000 is not a multiple of most of these sizes; 5000 > n.
    X, C, w = int_data(seed=5, n=1000, d=3, k=6)
    assert_matches_reference(X, C, w, chunk_rows=chunk_rows)


def test_threaded_equals_single_threaded_bitwise():
    # Real-valued data so that summation order would show in the last bits.
    rng = np.random.default_rng(7)
    X = rng.normal(size=(50_000, 3))
    C = X[:12].copy()
    w = rng.random(50_000)
    one = run(X, C, w, chunk_rows=3000, n_threads=1)
    for n_threads in (2, 3, 8):
        many = run(X, C, w, chunk_rows=3000, n_threads=n_threads)
        np.testing.assert_array_equal(one[0], many[0])
        assert one[1] == many[1]
        np.testing.assert_array_equal(one[2], many[2])
        np.testing.assert_array_equal(one[3], many[3])


def test_default_thread_count_matches_single_thread():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(70_000, 2))
    C = X[:5].copy()
    w = np.ones(70_000)
    a = run(X, C, w)
    b = run(X, C, w, n_threads=1)
    np.testing.assert_array_equal(a[0], b[0])
    assert a[1] == b[1]
    np.testing.assert_array_equal(a[2], b[2])


def test_default_chunk_rows_depends_on_shape_only():
    assert default_chunk_rows(10, 2, 3) == 10
    assert default_chunk_rows(10**6, 2, 8) == 32768
    assert default_chunk_rows(10**6, 8, 16) == 16384
    assert default_chunk_rows(10**5, 50, 16) == (1 << 19) // 50  # X chunk capped
    assert default_chunk_rows(10**6, 2, 10_000) == 256  # never fewer than 256 rows
    # Sized in bytes: float32 chunks hold twice the rows.
    assert default_chunk_rows(10**6, 50, 64, itemsize=4) == 8192
    assert default_chunk_rows(10**6, 2, 8, itemsize=4) == 65536


# -- dtypes, inertia, accumulate=False ---------------------------------------------------


def test_float32_stays_float32():
    X, C, w = int_data(seed=11, n=600, d=2, k=5, dtype=np.float32)
    assert_matches_reference(X, C, w, chunk_rows=128)


def test_inertia_is_never_negative():
    # Points exactly on their centers: ||c||^2 - 2 c.x + ||x||^2 can round below 0.
    rng = np.random.default_rng(12)
    C = rng.normal(size=(4, 5)) * 1e3
    X = np.repeat(C, 50, axis=0)
    labels, inertia, sums, weights = run(X, C, np.ones(len(X)))
    assert inertia >= 0.0
    assert inertia < 1e-6
    np.testing.assert_array_equal(weights, [50, 50, 50, 50])


def test_accumulate_false_returns_labels_and_inertia_only():
    X, C, w = int_data(seed=13, n=500, d=2, k=4)
    full = run(X, C, w)
    labels, inertia, sums, weights = run(X, C, w, accumulate=False)
    assert sums is None and weights is None
    np.testing.assert_array_equal(labels, full[0])
    assert inertia == full[1]


def test_public_sparse_fallback_gives_the_same_sums(monkeypatch):
    X, C, w = int_data(seed=14, n=900, d=4, k=9)
    fast = run(X, C, w, chunk_rows=200)
    monkeypatch.setattr(_kernels, "_csc_matvecs", None)
    monkeypatch.setattr(_kernels, "_csc_matvec", None)
    slow = run(X, C, w, chunk_rows=200)
    for a, b in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(a, b)


# -- IncrementalSums --------------------------------------------------------------------


def lloyd(X, C, w, n_iter, state=None, **kw):
    """A bare Lloyd loop; yields (labels, inertia, sums, weights) per iteration."""
    for _ in range(n_iter):
        labels, inertia, sums, weights = run(X, C, w, state=state, **kw)
        yield labels, inertia, sums.copy(), weights.copy()
        nonempty = weights > 0
        C = C.copy()
        C[nonempty] = sums[nonempty] / weights[nonempty, None]


@pytest.mark.parametrize("weighted", [False, True])
def test_incremental_sums_follow_fresh_sums(weighted):
    rng = np.random.default_rng(21)
    X = rng.normal(size=(6000, 3)) + rng.integers(0, 4, size=(6000, 1))
    w = rng.random(6000) if weighted else np.ones(6000)
    C = X[:7].copy()
    state = IncrementalSums()
    prev = None
    fresh = lloyd(X, C, w, 12, chunk_rows=500)
    kept = lloyd(X, C, w, 12, state=state, chunk_rows=500)
    for (la, ia, sa, wa), (lb, ib, sb, wb) in zip(fresh, kept, strict=True):
        np.testing.assert_array_equal(la, lb)
        assert ib == pytest.approx(ia, rel=1e-12)
        np.testing.assert_allclose(sb, sa, rtol=1e-12, atol=1e-10)
        np.testing.assert_allclose(wb, wa, rtol=1e-12, atol=1e-12)
        expected_changed = len(la) if prev is None else int((la != prev).sum())
        assert state.n_changed == expected_changed
        prev = la


def test_incremental_sums_are_thread_count_independent():
    rng = np.random.default_rng(22)
    X = rng.normal(size=(40_000, 2))
    C = X[:6].copy()
    w = np.ones(40_000)
    one = list(lloyd(X, C, w, 6, state=IncrementalSums(), chunk_rows=4000, n_threads=1))
    two = list(lloyd(X, C, w, 6, state=IncrementalSums(), chunk_rows=4000, n_threads=2))
    for a, b in zip(one, two, strict=True):
        for x, y in zip(a, b, strict=True):
            np.testing.assert_array_equal(x, y)


def test_incremental_sums_reset_for_other_data():
    X1, C, w = int_data(seed=23, n=800, d=2, k=4)
    X2, _, _ = int_data(seed=24, n=800, d=2, k=4)
    state = IncrementalSums()
    run(X1, C, w, state=state, chunk_rows=100)
    # A different X (same shape): the state must not reuse X1's partial sums.
    labels, inertia, sums, weights = run(X2, C, w, state=state, chunk_rows=100)
    ref = reference(X2, C, w)
    np.testing.assert_array_equal(labels, ref[0])
    np.testing.assert_array_equal(sums, ref[2])
    assert state.n_changed == 800


def test_incremental_sums_empty_cluster_is_exactly_zero():
    # Cluster 1 owns the three far points, then its center moves away and it empties.
    far = [[9.1, 9.0], [9.7, 9.2], [8.3, 8.8]]
    X = np.vstack([np.random.default_rng(25).normal(size=(200, 2)), far])
    w = np.full(len(X), 0.1)  # 0.1 is not exact in binary: sums would leave residue
    state = IncrementalSums()
    C = np.array([[0.0, 0.0], [9.0, 9.0]])
    run(X, C, w, state=state, chunk_rows=256)
    moved = np.array([[0.0, 0.0], [90.0, 90.0]])
    labels, _, sums, weights = run(X, moved, w, state=state, chunk_rows=256)
    assert state.n_changed == 3  # moved incrementally, not recomputed
    assert (labels == 0).all()
    assert weights[1] == 0.0
    assert (sums[1] == 0.0).all()


# -- property test ----------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 300),
    d=st.integers(1, 6),
    k=st.integers(1, 20),
    chunk_rows=st.integers(1, 400),
    n_threads=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
    float32=st.booleans(),
)
def test_property_matches_reference(n, d, k, chunk_rows, n_threads, seed, float32):
    dtype = np.float32 if float32 else np.float64
    X, C, w = int_data(seed, n, d, k, dtype=dtype, span=3)
    assert_matches_reference(X, C, w, chunk_rows=chunk_rows, n_threads=n_threads)


def test_incremental_sums_float32_equal_fresh_sums_bitwise():
    # float32 chunks are recomputed (or skipped when unchanged), never moved row by row.
    rng = np.random.default_rng(26)
    X = (rng.normal(size=(5000, 2)) + rng.integers(0, 3, size=(5000, 1))).astype(np.float32)
    w = np.ones(5000, dtype=np.float32)
    C = X[:5].copy()
    fresh = lloyd(X, C, w, 8, chunk_rows=400)
    kept = lloyd(X, C, w, 8, state=IncrementalSums(), chunk_rows=400)
    for a, b in zip(fresh, kept, strict=True):
        for x, y in zip(a, b, strict=True):
            np.testing.assert_array_equal(x, y)


def test_incremental_sums_survive_callers_modifying_labels():
    rng = np.random.default_rng(27)
    X = rng.normal(size=(3000, 2))
    w = np.ones(3000)
    C = X[:4].copy()
    state = IncrementalSums()
    labels, *_ = run(X, C, w, state=state, chunk_rows=1000)
    labels[:] = 3  # the caller scribbles on the labels it got back
    labels2, _, sums, weights = run(X, C + 0.01, w, state=state, chunk_rows=1000)
    ref = reference(X, C + 0.01, w)
    np.testing.assert_array_equal(labels2, ref[0])
    np.testing.assert_allclose(sums, ref[2], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(weights, ref[3])


# -- explicit_inertia ---------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("chunk_rows", [1, 64, 1000, 5000])
def test_explicit_inertia_matches_reference(dtype, chunk_rows):
    X, C, w = int_data(seed=31, n=1000, d=3, k=5, dtype=dtype)
    labels = np.random.default_rng(32).integers(0, 5, size=1000).astype(np.int32)
    expected = float((((X.astype(np.float64) - C[labels]) ** 2).sum(axis=1) * w).sum())
    assert explicit_inertia(X, C, labels, w, chunk_rows=chunk_rows) == expected


def test_explicit_inertia_has_no_cancellation_far_from_the_origin():
    # Points 1e8 from the origin, 1 from their center: the GEMM form loses it all.
    X = np.array([[1e8, 0.0], [1e8 + 2.0, 0.0]])
    C = np.array([[1e8 + 1.0, 0.0]])
    assert explicit_inertia(X, C, np.zeros(2, dtype=np.int32), np.ones(2)) == 2.0


def test_explicit_inertia_is_thread_count_independent():
    rng = np.random.default_rng(33)
    X = rng.normal(size=(100_000, 2))
    C = rng.normal(size=(6, 2))
    labels = rng.integers(0, 6, size=100_000).astype(np.int32)
    w = rng.random(100_000)
    one = explicit_inertia(X, C, labels, w, chunk_rows=7000, n_threads=1)
    assert explicit_inertia(X, C, labels, w, chunk_rows=7000, n_threads=2) == one
    assert explicit_inertia(X, C, labels, w, chunk_rows=7000, n_threads=5) == one


def test_threads_work_in_a_forked_child():
    # The parent's pool threads do not exist after fork: the child must not hang.
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")
    rng = np.random.default_rng(34)
    X = rng.normal(size=(40_000, 2))
    C = X[:3].copy()
    w = np.ones(40_000)
    expected = run(X, C, w, n_threads=2)[1]  # the parent's pool now exists
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        got = pool.apply_async(_inertia_in_child, (X, C, w)).get(timeout=60)
    assert got == expected


def _inertia_in_child(X, C, w):
    return run(X, C, w, n_threads=2)[1]
