"""Unit tests for dashboard.compare: matching, accuracy, disagreement, fits, sentences."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from dashboard import compare as cm
from dashboard.timing import Measurement

ONE_MS = Measurement((0.001,), result=None, warmed_up=False)


def _params(k, mode=cm.SAME_START, **kw):
    return cm.CompareParams(k=k, mode=mode, **kw)


# ----------------------------------------------------------------------------- matching


def test_match_centers_pairs_permuted_centers_and_distance_is_zero():
    centers = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    perm = np.array([2, 0, 1])
    other = centers[perm]  # other center j is ref center perm[j]
    mapping = cm.match_centers(centers, other)
    assert mapping.tolist() == [2, 0, 1]


def test_match_centers_prefers_the_globally_best_pairing():
    # Greedy nearest-first would pair other[0] with ref[1] (distance 1) and then
    # other[1] with ref[0] (distance 10): total 11. The Hungarian optimum is 2 + 2.
    ref = np.array([[0.0], [3.0]])
    other = np.array([[2.0], [5.0]])
    assert cm.match_centers(ref, other).tolist() == [0, 1]


def test_disagreement_mask_after_matching():
    ref = np.array([0, 0, 1, 1, 2])
    other = np.array([1, 1, 2, 0, 0])  # other 1 = ref 0, 2 = ref 1, 0 = ref 2
    mapping = np.array([2, 0, 1])
    mask = cm.disagreement_mask(ref, other, mapping)
    # point 3: other says 0 -> ref 2, but ref says 1
    assert mask.tolist() == [False, False, False, True, False]


# ----------------------------------------------------------------------------- accuracy


def test_accuracy_with_fewer_clusters_than_classes():
    truth = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
    pred = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0])  # class 1 and 2 share cluster 0
    res = cm.accuracy_after_matching(pred, truth, n_clusters=2, n_classes=3)
    assert res.n_correct == 6
    assert res.accuracy == pytest.approx(6 / 9)
    assert res.confusion.shape == (3, 2)
    assert res.cluster_to_class[1] == 0
    assert res.cluster_to_class[0] in (1, 2)


def test_accuracy_with_more_clusters_than_classes():
    truth = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
    pred = np.array([3, 3, 0, 1, 1, 1, 2, 2, 2])  # class 0 split over clusters 3 and 0
    res = cm.accuracy_after_matching(pred, truth, n_clusters=4, n_classes=3)
    assert res.n_correct == 8  # cluster 3 -> class 0 (2), 1 -> 1 (3), 2 -> 2 (3)
    assert res.accuracy == pytest.approx(8 / 9)
    assert res.cluster_to_class.tolist() == [-1, 1, 2, 0]
    # Matched pairs first in class order (3, 1, 2), the unmatched cluster 0 last.
    assert res.column_order == [3, 1, 2, 0]
    assert res.confusion[:, res.column_order].tolist() == [
        [2, 0, 0, 1],
        [0, 3, 0, 0],
        [0, 0, 3, 0],
    ]


def test_accuracy_is_one_for_a_permuted_perfect_clustering():
    truth = np.repeat([0, 1, 2], 5)
    res = cm.accuracy_after_matching(np.array([2, 0, 1])[truth], truth, 3, 3)
    assert res.accuracy == 1.0


# ----------------------------------------------------------------------------- fitting


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=1500, centers=5, n_features=3, random_state=3)
    return X, y


def test_same_start_on_blobs_is_identical(blobs):
    X, y = blobs
    res = cm.run_comparison(X, _params(5, seed=7), y, 5)
    assert (res.core.labels == res.sklearn.labels).all()
    assert res.core.n_iter == res.sklearn.n_iter
    assert res.inertia_rel_diff < 1e-12
    assert res.n_disagree == 0
    assert res.center_distances.max() < 1e-9
    assert res.ari == pytest.approx(1.0)
    assert res.mapping.tolist() == [0, 1, 2, 3, 4]
    assert res.start_centers is not None and res.start_centers.shape == (5, 3)
    assert cm.is_identical(res)
    sentence = cm.summary_sentence(res)
    assert sentence.startswith("Identical: same labels on all 1,500 points")
    assert f"both stopped after {res.core.n_iter} iterations" in sentence


def test_same_start_ignores_n_init_and_uses_the_sidebar_init(blobs):
    X, _ = blobs
    a = cm.run_comparison(X, _params(4, init="random", seed=1, n_init=5))
    b = cm.run_comparison(X, _params(4, init="random", seed=1, n_init=1))
    assert np.array_equal(a.start_centers, b.start_centers)
    assert (a.sklearn.labels == b.sklearn.labels).all()
    assert not a.core.warnings and not a.sklearn.warnings


def test_own_init_with_a_different_sklearn_seed_changes_sklearn_only(blobs):
    X, _ = blobs
    same = cm.run_comparison(X, _params(8, cm.OWN_INIT, seed=0))
    other = cm.run_comparison(X, _params(8, cm.OWN_INIT, seed=0, sklearn_seed=1))
    assert (same.core.labels == other.core.labels).all()
    assert same.start_centers is None
    assert not np.allclose(np.sort(same.sklearn.centers, 0), np.sort(other.sklearn.centers, 0))


def test_permuted_identical_centers_give_zero_center_distance():
    centers = np.array([[0.0, 0.0], [5.0, 5.0], [9.0, 1.0]])
    labels = np.array([0, 1, 2, 2])
    perm = np.array([1, 2, 0])
    core = cm.FitResult("kmeans_core", labels, centers, 3.0, 4, ONE_MS)
    # sklearn's cluster j is core's cluster perm[j]
    inv = np.argsort(perm)
    sk = cm.FitResult("scikit-learn", inv[labels], centers[perm], 3.0, 4, ONE_MS)
    res = cm.compare_fits(core, sk, cm.OWN_INIT)
    assert res.mapping.tolist() == perm.tolist()
    assert res.center_distances.tolist() == [0.0, 0.0, 0.0]
    assert res.n_disagree == 0


def test_renumber_core_moves_kmeans_core_numbers_and_rematches_sklearn(blobs):
    X, y = blobs
    cmp = cm.run_comparison(X, _params(5), truth=y, n_classes=5)
    mapping = np.array([3, 0, 4, 1, 2])  # kmeans_core cluster i becomes mapping[i]
    out = cm.renumber_core(cmp, mapping, truth=y, n_classes=5)
    assert out.core.labels.tolist() == mapping[cmp.core.labels].tolist()
    np.testing.assert_array_equal(out.core.centers[mapping], cmp.core.centers)
    # scikit-learn's clusters follow: each is matched to the new number of its old partner.
    assert out.mapping.tolist() == mapping[cmp.mapping].tolist()
    np.testing.assert_array_equal(out.center_distances[mapping], cmp.center_distances)
    assert out.n_disagree == cmp.n_disagree == 0
    assert (out.ari, out.nmi) == pytest.approx((cmp.ari, cmp.nmi))
    # The confusion matrix columns are the new numbers.
    assert out.core_vs_truth is not None and cmp.core_vs_truth is not None
    np.testing.assert_array_equal(
        out.core_vs_truth.confusion[:, mapping], cmp.core_vs_truth.confusion
    )
    assert out.core.timing is cmp.core.timing and out.sklearn is cmp.sklearn
    assert cm.renumber_core(cmp, np.arange(5)) is cmp  # identity: nothing to redo


def test_duplicate_points_warn_instead_of_raising():
    X = np.ones((10, 2))
    res = cm.run_comparison(X, _params(3))
    assert any("distinct clusters" in w for w in res.core.warnings)
    assert res.n_disagree == 0


def test_single_point_k1():
    res = cm.run_comparison(np.array([[1.0, 2.0]]), _params(1))
    assert cm.summary_sentence(res).startswith("Identical: same label on the only point")


# ----------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "both at once"}, "Unknown mode 'both at once'"),
        ({"init": "k-medoids"}, "Unknown init 'k-medoids'"),
        ({"k": 0}, "K must be at least 1, not 0"),
        ({"n_init": 0}, "n_init must be at least 1"),
        ({"max_iter": 0}, "max_iter must be at least 1"),
        ({"tol": -1e-4}, "tol must be 0 or more"),
        ({"tol": float("nan")}, "tol must be 0 or more"),
    ],
)
def test_params_reject_each_bad_setting_with_what_to_do(kwargs, message):
    with pytest.raises(ValueError, match=message):
        cm.CompareParams(**{"k": 3, **kwargs})


def test_params_name_every_problem_at_once():
    with pytest.raises(ValueError, match="K must be .* n_init must be"):
        cm.CompareParams(k=0, n_init=0)


def test_same_start_uses_one_run_and_one_seed_whatever_else_is_set():
    p = cm.CompareParams(k=3, mode=cm.SAME_START, seed=5, n_init=7, sklearn_seed=9)
    assert p.runs_each == 1
    assert p.sklearn_random_state == 5  # a second seed only means something with own starts


def test_own_init_uses_n_init_and_the_second_seed_when_given():
    p = cm.CompareParams(k=3, mode=cm.OWN_INIT, seed=5, n_init=7, sklearn_seed=9)
    assert (p.runs_each, p.sklearn_random_state) == (7, 9)
    assert cm.CompareParams(k=3, mode=cm.OWN_INIT, seed=5).sklearn_random_state == 5


def test_params_are_hashable_and_equal_by_value():
    # The page's cache keys on them.
    assert hash(cm.CompareParams(k=3)) == hash(cm.CompareParams(k=3))
    assert {cm.CompareParams(k=3), cm.CompareParams(k=3)} == {cm.CompareParams(k=3)}


def test_fit_times_are_repeated_for_both_libraries(blobs, monkeypatch):
    X, _ = blobs
    # A clock that advances 1 ms per reading: every fit "takes" a few ms, so the
    # rounds fit in the budget whatever the machine's load.
    ticks = iter(range(10**9))
    fake = dataclasses.replace(cm.TIMING, clock=lambda: next(ticks) * 1e-3)
    monkeypatch.setattr(cm, "TIMING", fake)
    res = cm.run_comparison(X, _params(3))
    assert len(res.core.timing.runs) == len(res.sklearn.timing.runs) > 1


# ----------------------------------------------------------------------------- words


def _fake(core_labels, sk_labels, core_inertia, sk_inertia, core_iter, sk_iter, mode, swap=False):
    centers = np.array([[0.0], [1.0]])
    sk_centers = centers[::-1] if swap else centers  # swap: sklearn's ids are core's reversed
    core = cm.FitResult(
        "kmeans_core", np.array(core_labels), centers, core_inertia, core_iter, ONE_MS
    )
    sk = cm.FitResult("scikit-learn", np.array(sk_labels), sk_centers, sk_inertia, sk_iter, ONE_MS)
    return cm.compare_fits(core, sk, mode)


def test_sentence_identical_same_start():
    res = _fake([0, 0, 1, 1], [0, 0, 1, 1], 10.0, 10.0, 7, 7, cm.SAME_START)
    assert cm.summary_sentence(res) == (
        "Identical: same labels on all 4 points, inertia exactly equal, "
        "both stopped after 7 iterations."
    )


def test_sentence_tiny_rounding_difference_still_identical():
    res = _fake([0, 1], [0, 1], 1.0, 1.0 + 2e-15, 3, 3, cm.SAME_START)
    assert cm.summary_sentence(res).startswith("Identical: ")
    assert "inertia equal to 2e-15 relative" in cm.summary_sentence(res)


def test_sentence_says_how_much_they_differ():
    res = _fake([0, 0, 1, 1], [0, 1, 1, 1], 100.0, 102.0, 7, 9, cm.SAME_START)
    assert not cm.is_identical(res)
    assert cm.summary_sentence(res) == (
        "Not identical from the same start: 1 of 4 points (25.0%) in a different cluster "
        "after matching, inertia differs by 1.96% (100 vs 102; kmeans_core lower), "
        "kmeans_core stopped after 7 iterations, scikit-learn after 9."
    )


def test_sentence_own_init_modes():
    same = _fake([0, 1], [1, 0], 5.0, 5.0, 2, 2, cm.OWN_INIT, swap=True)  # same, ids permuted
    assert cm.summary_sentence(same).startswith(
        "Independent k-means++ starts landed on the same clustering: same labels on all 2"
    )
    diff = _fake([0, 0, 1, 1], [0, 1, 1, 1], 5.0, 6.0, 2, 3, cm.OWN_INIT)
    assert cm.summary_sentence(diff).startswith(
        "Independent k-means++ starts landed on different clusterings (ARI "
    )


def test_metrics_table_rows_and_accuracy_only_with_truth(blobs):
    X, y = blobs
    with_truth = cm.metrics_table(cm.run_comparison(X, _params(5), y, 5))
    without = cm.metrics_table(cm.run_comparison(X, _params(5)))
    assert list(with_truth.columns) == ["Measure", "kmeans_core", "scikit-learn", "Between the two"]
    assert len(with_truth) == len(without) + 1
    acc = with_truth[with_truth.Measure.str.startswith("Accuracy")].iloc[0]
    assert acc["kmeans_core"] == acc["scikit-learn"]
    pts = with_truth[with_truth.Measure.str.startswith("Points")].iloc[0]
    assert pts["Between the two"] == "0 of 1,500"


# ----------------------------------------------------------------------------- display


def test_highlight_indices_caps_and_says_so():
    mask = np.zeros(100, dtype=bool)
    mask[[3, 50, 97]] = True
    idx, note = cm.highlight_indices(mask)
    assert idx.tolist() == [3, 50, 97] and note is None
    idx, note = cm.highlight_indices(mask, max_points=2)
    assert len(idx) == 2 and set(idx) <= {3, 50, 97}
    assert note == "Highlighting 2 of the 3 disagreeing points."


def test_display_data_samples_large_data_and_projects_many_features():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12_000, 5))
    core = cm.FitResult("kmeans_core", np.zeros(12_000, int), X[:2].copy(), 1.0, 1, ONE_MS)
    sk_labels = np.zeros(12_000, int)
    sk_labels[:7] = 1
    sk = cm.FitResult("scikit-learn", sk_labels, X[:2].copy(), 1.0, 1, ONE_MS)
    res = cm.compare_fits(core, sk, cm.OWN_INIT)
    view = cm.display_data(X, [f"f{i}" for i in range(5)], res)
    assert view.points.shape == (5000, 2)
    assert view.core_labels.shape == (5000,)
    assert view.core_centers.shape == (2, 2)
    assert view.highlighted.shape == (7, 2)  # every disagreement drawn, sampled or not
    assert view.x_title.startswith("PC1")
    assert any("5,000 of 12,000" in n for n in view.notes)


@pytest.mark.parametrize(
    ("k", "ending"),
    [
        (3, "on a matched pair."),
        (4, "with K = 4 and 3 classes, some clusters have no class and count as wrong."),
        (2, "with K = 2 and 3 classes, some classes have no cluster and count as wrong."),
    ],
)
def test_truth_caption_says_what_counts_as_wrong(k, ending):
    assert cm.truth_caption(k, 3).endswith(ending)
