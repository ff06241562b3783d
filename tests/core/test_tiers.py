"""The three teaching tiers agree; the estimator stays within O(N d + chunk K) memory."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from kmeans_core import (
    TIERS,
    KMeans,
    assign_labels_broadcast,
    assign_labels_gemm,
    assign_labels_loops,
    broadcast_bytes,
    lloyd_iteration,
)
from tests.core.conftest import blobs, normal, rows


@pytest.mark.parametrize("seed", range(3))
def test_tiers_return_the_same_labels(seed):
    X = normal(n=150, d=3, seed=seed)
    C = rows(X, 5, seed=seed)
    loops = assign_labels_loops(X, C)
    brd = assign_labels_broadcast(X, C)
    gemm = assign_labels_gemm(X, C)
    chunked = assign_labels_gemm(X, C, chunk_rows=7)
    for labels in (loops, brd, gemm, chunked):
        assert labels.dtype == np.int32
    np.testing.assert_array_equal(loops, brd)
    np.testing.assert_array_equal(loops, gemm)
    np.testing.assert_array_equal(loops, chunked)


def test_tiers_hand_case_and_ties_go_to_the_lowest_index():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0], [10.0, 0.0]])
    C = np.array([[0.0, 0.0], [2.0, 0.0], [2.0, 0.0]])
    # 1 is equally far from 0 and 2 -> center 0; 3 is nearest to 2 -> first copy (1).
    for tier in (assign_labels_loops, assign_labels_broadcast, assign_labels_gemm):
        np.testing.assert_array_equal(tier(X, C), [0, 0, 1, 1])


def test_lloyd_iteration_same_for_every_tier():
    X = blobs(n=120, k=3, seed=4)
    C = rows(X, 3, seed=1)
    results = [lloyd_iteration(X, C, tier=t) for t in TIERS]
    for labels, centers in results[1:]:
        np.testing.assert_array_equal(labels, results[0][0])
        np.testing.assert_allclose(centers, results[0][1], rtol=1e-12)
    labels, centers = results[0]
    for k in range(3):
        np.testing.assert_allclose(centers[k], X[labels == k].mean(axis=0), rtol=1e-12)


def test_lloyd_iteration_matches_one_estimator_iteration():
    X = blobs(n=120, k=3, seed=4)
    C = rows(X, 3, seed=1)
    labels, centers = lloyd_iteration(X, C, tier="gemm")
    model = KMeans(3, init=C, max_iter=1).fit(X)
    np.testing.assert_allclose(model.cluster_centers_, centers, rtol=1e-12)
    np.testing.assert_allclose(model.history_[0].centers, C, rtol=1e-12)


def test_lloyd_iteration_keeps_an_empty_center_and_rejects_unknown_tier():
    X = np.array([[0.0], [1.0]])
    C = np.array([[0.0], [1.0], [50.0]])
    labels, centers = lloyd_iteration(X, C, tier="loops")
    np.testing.assert_array_equal(labels, [0, 1])
    np.testing.assert_array_equal(centers, C)
    with pytest.raises(ValueError, match="tier must be one of"):
        lloyd_iteration(X, C, tier="cuda")


def test_broadcast_bytes():
    # difference and its square: 2 arrays of N*K*d float64
    assert broadcast_bytes(1000, 8, 2) == 2 * 1000 * 8 * 2 * 8
    assert broadcast_bytes(10, 3, 4, itemsize=4) == 2 * 10 * 3 * 4 * 4


def test_estimator_never_allocates_n_by_k_by_d():
    # N well above the kernel's chunk size (32k rows), so chunk-sized scratch
    # buffers cannot pass for an N-sized allocation.
    n, d, k = 400_000, 8, 16
    X = np.random.RandomState(0).normal(size=(n, d))
    init = rows(X, k, seed=0)
    tracemalloc.start()
    try:
        KMeans(k, init=init, max_iter=3).fit(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    nkd = n * k * d * 8  # 410 MB; X itself is 25.6 MB
    assert peak < nkd / 4, f"peak {peak / 1e6:.1f} MB"
    # O(N d): the centred copy of X plus chunk buffers, measured 69 MB.
    assert peak < 4 * X.nbytes, f"peak {peak / 1e6:.1f} MB"
