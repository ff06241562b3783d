"""Unit tests for the Speed page's data (dashboard/speed_data.py): limits, blobs, datasets."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard import speed_data


def test_check_sizes_messages():
    assert speed_data.check_sizes(20_000, 8, 8) is None
    assert "K = 9 is more than N = 5" in speed_data.check_sizes(5, 2, 9)
    assert "at least 1" in speed_data.check_sizes(0, 2, 1)
    # 1M rows x 100 features = 763 MB of float64: above the data limit.
    msg = speed_data.check_sizes(1_000_000, 100, 8)
    assert "lower N or d" in msg and "763 MB" in msg
    assert speed_data.check_sizes(speed_data.MAX_N + 1, 1, 1) is not None


def test_make_timing_data_is_seeded_and_centers_are_early_rows():
    X, C = speed_data.make_timing_data(3000, 3, 5, seed=7)
    X2, C2 = speed_data.make_timing_data(3000, 3, 5, seed=7)
    assert X.shape == (3000, 3) and C.shape == (5, 3) and X.dtype == np.float64
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(C, C2)
    # Every center is one of the first 1000 rows, so every sweep prefix contains it.
    for c in C:
        assert np.any(np.all(X[:1000] == c, axis=1))
    X3, _ = speed_data.make_timing_data(3000, 3, 5, seed=8)
    assert not np.array_equal(X, X3)


def test_dataset_timing_data_shuffles_rows_and_picks_early_centers():
    X = np.repeat(np.arange(10.0), 30).reshape(-1, 1)  # sorted, like a file sorted by class
    Xs, C = speed_data.dataset_timing_data(X, 3, seed=0)
    assert Xs.shape == X.shape and C.shape == (3, 1)
    np.testing.assert_array_equal(np.sort(Xs[:, 0]), X[:, 0])  # same rows
    assert not np.array_equal(Xs, X)  # but shuffled
    # The first 30 rows are not all one value any more (a fair prefix).
    assert len(np.unique(Xs[:30])) > 1
    Xs2, C2 = speed_data.dataset_timing_data(X, 3, seed=0)
    np.testing.assert_array_equal(Xs, Xs2)
    np.testing.assert_array_equal(C, C2)
    with pytest.raises(ValueError, match="K = 301 is more than the 300 rows"):
        speed_data.dataset_timing_data(X, 301, seed=0)
