"""Unit tests for dashboard.label_matching: Hungarian renumbering of clusters."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import label_matching as lm
from dashboard.dataset import default_dataset
from dashboard.run_settings import RunSettings
from dashboard.runs import fit_run

# Four corners of a square, far apart: any sensible matching is unambiguous.
CORNERS = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])


@pytest.mark.parametrize("perm", list(itertools.permutations(range(4))))
def test_every_permutation_is_undone(perm):
    shuffled = CORNERS[list(perm)]  # new cluster i sits where old cluster perm[i] was
    mapping = lm.stable_numbers(CORNERS, shuffled)
    assert mapping.tolist() == list(perm)
    _, centers = lm.apply_numbers(np.arange(4), shuffled, mapping)
    assert np.array_equal(centers, CORNERS)


def test_small_moves_still_match():
    moved = CORNERS[[2, 0, 3, 1]] + 0.5
    assert lm.stable_numbers(CORNERS, moved).tolist() == [2, 0, 3, 1]


def test_no_reference_or_other_dimension_keeps_order():
    assert lm.stable_numbers(None, CORNERS).tolist() == [0, 1, 2, 3]
    assert lm.stable_numbers(np.zeros((3, 5)), CORNERS).tolist() == [0, 1, 2, 3]


def test_k_up_keeps_old_numbers_and_appends_new_ones():
    old = CORNERS[:3]
    # New run: corner 3 (unmatched) first, then old clusters 2, 0, 1.
    new = CORNERS[[3, 2, 0, 1]]
    assert lm.stable_numbers(old, new).tolist() == [3, 2, 0, 1]


def test_k_up_unmatched_numbered_in_their_own_order():
    old = CORNERS[:2]
    new = np.array([[0.0, 10.0], [10.0, 0.2], [10.0, 10.0], [0.1, 0.0]])
    assert lm.stable_numbers(old, new).tolist() == [2, 1, 3, 0]


def test_k_down_numbers_stay_contiguous():
    # Old 4 clusters; new 2 sit at old clusters 3 and 1. Old number 1 is kept, 3 takes the
    # free number 0.
    new = CORNERS[[3, 1]]
    assert lm.stable_numbers(CORNERS, new).tolist() == [0, 1]
    new = CORNERS[[1, 3, 0]]  # old 1, 3, 0 -> 1 kept, 0 kept, 3 takes the free 2
    assert lm.stable_numbers(CORNERS, new).tolist() == [1, 2, 0]


@given(
    st.integers(1, 7),
    st.integers(1, 7),
    st.integers(0, 2**16),
)
def test_mapping_is_always_a_permutation(k_old, k_new, seed):
    rng = np.random.default_rng(seed)
    mapping = lm.stable_numbers(rng.normal(size=(k_old, 3)), rng.normal(size=(k_new, 3)))
    assert sorted(mapping.tolist()) == list(range(k_new))


def test_matching_a_shown_clustering_to_itself_changes_nothing():
    rng = np.random.default_rng(1)
    centers = rng.normal(size=(5, 2))
    assert lm.stable_numbers(centers, centers).tolist() == list(range(5))


def test_renumbered_model_is_a_relabelled_copy():
    ds = default_dataset(42)
    model = fit_run(ds, RunSettings(k=3, init="k-means++", seed=42))
    mapping = np.array([2, 0, 1])
    out = lm.renumbered_model(model, mapping)
    assert out is not model
    assert np.array_equal(out.labels_, mapping[model.labels_])
    for i in range(3):
        assert np.array_equal(out.cluster_centers_[mapping[i]], model.cluster_centers_[i])
        assert np.array_equal(out.history_[-1].centers[mapping[i]], model.history_[-1].centers[i])
    # Each point's distance to its own center is unchanged, so is the inertia.
    d_old = ((ds.X - model.cluster_centers_[model.labels_]) ** 2).sum()
    d_new = ((ds.X - out.cluster_centers_[out.labels_]) ** 2).sum()
    assert d_new == pytest.approx(d_old)
    assert lm.renumbered_model(model, np.arange(3)) is model


def test_two_seeds_get_the_same_numbers_after_matching():
    ds = default_dataset(42)
    a = fit_run(ds, RunSettings(k=3, init="random", seed=1))
    b = fit_run(ds, RunSettings(k=3, init="random", seed=7))
    b2 = lm.renumbered_model(b, lm.stable_numbers(a.cluster_centers_, b.cluster_centers_))
    assert np.mean(a.labels_ == b2.labels_) > 0.99


def test_renumber_labels_from_group_means():
    X = np.repeat(CORNERS, 3, axis=0)  # 12 rows, 3 at each corner
    labels = np.repeat([2, 0, 3, 1], 3)  # the corners numbered in another order
    out = lm.renumber_labels(CORNERS, X, labels)
    assert out.tolist() == np.repeat([0, 1, 2, 3], 3).tolist()
    # Labels with gaps (a cluster missing from a sample) are compacted first.
    sub = lm.renumber_labels(None, X[3:], np.repeat([5, 7, 9], 3))
    assert sub.tolist() == np.repeat([0, 1, 2], 3).tolist()
