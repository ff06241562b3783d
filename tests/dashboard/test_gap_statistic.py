"""Unit tests for dashboard.gap_statistic: a hand-computed case, the 1-SE rule, real data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from dashboard import gap_statistic as gs

# 1-D data, two tight pairs: W_1 = 2 * (5.5^2 + 4.5^2) = 101, W_2 = 4 * 0.5^2 = 1,
# W_3 = 0.5 (one pair split: 2 * 0.5^2 for the other pair).
LINE = np.array([[0.0], [1.0], [10.0], [11.0]])


def test_within_dispersion_hand_computed():
    assert gs.within_dispersion(LINE, np.array([0, 0, 0, 0])) == pytest.approx(101.0)
    assert gs.within_dispersion(LINE, np.array([0, 0, 1, 1])) == pytest.approx(1.0)
    assert gs.within_dispersion(LINE, np.array([0, 0, 1, 2])) == pytest.approx(0.5)
    # And it is the inertia K-Means reports for the same partition.
    log_w = gs._log_w(LINE[None], 2, "k-means++", [0])
    assert math.log(gs.within_dispersion(LINE, np.array([0, 0, 1, 1]))) == pytest.approx(log_w[0])


def test_log_w_is_nan_for_zero_dispersion():
    """Every row on its own center (W = 0): log W is undefined, reported as NaN."""
    same = np.array([[[1.0], [1.0], [2.0]], [[0.0], [1.0], [2.0]]])
    log_w = gs._log_w(same, 3, "k-means++", [0, 1])
    assert np.isnan(log_w[0]) and np.isnan(log_w[1])


def test_gap_and_rule_hand_computed():
    """Two reference sets with log W* chosen by hand.

    log W   = [log 101, log 1, log 0.5]        = [4.61512, 0, -0.69315]
    ref     = [[4, 5], [2, 3], [1, 2]]          mean [4.5, 2.5, 1.5], sd (1/B) 0.5 each
    gap     = [4.5 - 4.61512, 2.5 - 0, 1.5 + 0.69315] = [-0.11512, 2.5, 2.19315]
    s       = 0.5 * sqrt(1 + 1/2)               = 0.6124
    rule: K=1: -0.1151 >= 2.5 - 0.6124?  no.   K=2: 2.5 >= 2.1931 - 0.6124?  yes -> K = 2.
    """
    log_w = np.log([101.0, 1.0, 0.5])
    ref = np.array([[4.0, 5.0], [2.0, 3.0], [1.0, 2.0]])
    gap, s = gs.gap_values(log_w, ref)
    np.testing.assert_allclose(gap, [-0.115121, 2.5, 2.193147], atol=1e-6)
    np.testing.assert_allclose(s, [0.612372] * 3, atol=1e-6)
    assert gs.gap_choice([1, 2, 3], gap, s) == 2


def test_rule_takes_k_within_one_se_of_the_next_not_the_maximum():
    gap = np.array([0.1, 1.0, 1.2, 1.25])
    s = np.array([0.1, 0.1, 0.3, 0.1])
    # K=2: 1.0 >= 1.2 - 0.3 = 0.9 -> chosen, although the gap keeps rising.
    assert gs.gap_choice([1, 2, 3, 4], gap, s) == 2


def test_rule_none_when_gap_keeps_rising_and_last_k_never_chosen():
    gap = np.array([0.1, 0.5, 0.9])
    s = np.array([0.01, 0.01, 0.01])
    assert gs.gap_choice([1, 2, 3], gap, s) is None
    assert gs.gap_choice([4], np.array([1.0]), np.array([0.1])) is None


def test_reference_set_stays_in_the_rotated_box():
    rng = np.random.default_rng(0)
    # A thin diagonal band: the PCA-aligned box is thin too, the axis box would not be.
    t = rng.uniform(0, 10, 500)
    X = np.c_[t, t + rng.normal(0, 0.1, 500)]
    ref = gs.reference_set(X, rng)
    assert ref.shape == X.shape
    across = (ref[:, 1] - ref[:, 0]) / np.sqrt(2)
    assert np.abs(across).max() < 1.0


def test_three_blobs_choose_three_and_uniform_chooses_one():
    X, _ = make_blobs(300, centers=[[0, 0], [8, 0], [0, 8]], cluster_std=0.7, random_state=1)
    gap = gs.gap_statistic(X, range(1, 7), n_refs=8, seed=0)
    assert gap.choice == 3
    assert gap.rows == 300 and "all 300 rows" in gap.note
    uniform = np.random.default_rng(0).uniform(size=(300, 2))
    assert gs.gap_statistic(uniform, range(1, 6), n_refs=8, seed=0).choice == 1


def test_large_data_uses_a_sample_and_says_so():
    X = np.random.default_rng(0).normal(size=(gs.MAX_ROWS + 5, 2))
    gap = gs.gap_statistic(X, [1, 2], n_refs=2, seed=0)
    assert gap.rows == gs.MAX_ROWS
    assert f"sample of {gs.MAX_ROWS:,} of the {gs.MAX_ROWS + 5:,} rows" in gap.note


def test_identical_points_give_no_gap():
    gap = gs.gap_statistic(np.ones((20, 2)), [1, 2, 3], n_refs=2)
    assert np.all(np.isnan(gap.gap)) and gap.choice is None
