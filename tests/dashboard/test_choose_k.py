"""Unit tests for dashboard.choose_k: plan, metrics, knee, best K, vote, knife-plot data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.datasets import make_blobs
from sklearn.metrics import silhouette_score

from dashboard import choose_k as ck
from kmeans_core import KMeans

# Three tight 2-D blobs, 10 apart: every criterion should say K = 3.
THREE_GROUPS, _ = make_blobs(
    n_samples=60, centers=[[0, 0], [10, 0], [0, 10]], cluster_std=0.7, random_state=0
)


# --------------------------------------------------------------------------- plan_sweep


def test_plan_default_range_unchanged():
    plan = ck.plan_sweep(500, (1, 10), 3)
    assert plan.k_values == tuple(range(1, 11))
    assert plan.n_init == 3
    assert plan.notices == []


def test_plan_clamps_k_to_rows_with_notice():
    plan = ck.plan_sweep(5, (1, 10), 3)
    assert plan.k_values == (1, 2, 3, 4, 5)
    assert len(plan.notices) == 1
    assert "only 5 rows" in plan.notices[0] and "K = 1–5" in plan.notices[0]


def test_plan_one_row_sweeps_only_k1():
    plan = ck.plan_sweep(1, (1, 10), 3)
    assert plan.k_values == (1,)
    assert "only 1 row;" in plan.notices[0]


def test_plan_range_entirely_beyond_rows():
    plan = ck.plan_sweep(3, (5, 10), 2)
    assert plan.k_values == (3,)


def test_plan_reversed_range_is_sorted():
    assert ck.plan_sweep(100, (6, 2), 1).k_values == (2, 3, 4, 5, 6)


def test_plan_caps_restarts_on_large_data():
    plan = ck.plan_sweep(1_000_000, (1, 10), 3)
    assert plan.n_init == 1  # 1,000,000 // 1,000,000
    assert any("capped at 1" in n for n in plan.notices)
    assert any("may take a while" in n for n in plan.notices)
    assert ck.plan_sweep(300_000, (1, 10), 5).n_init == 3  # 1,000,000 // 300,000


# --------------------------------------------------------------------------- metrics


def test_small_data_silhouette_is_exact_without_error_bar():
    labels = (THREE_GROUPS[:, 0] > 5).astype(int)
    est = ck.silhouette_estimate(THREE_GROUPS, labels, max_rows=100, seed=0)
    assert est.rows.size == 60 and est.se == 0.0
    assert est.mean == pytest.approx(silhouette_score(THREE_GROUPS, labels))


def test_stratified_rows_proportional_with_small_clusters_kept():
    labels = np.r_[np.zeros(9_000, int), np.ones(990, int), np.full(10, 2)]
    rows = ck.stratified_rows(labels, 1_000, seed=0)
    counts = np.bincount(labels[rows])
    assert counts.tolist() == [900, 99, 2]  # proportional, and the 10-row cluster still has 2
    assert np.unique(rows).size == rows.size and np.all(np.diff(rows) > 0)
    assert ck.stratified_rows(labels[:50], 1_000, seed=0).tolist() == list(range(50))


def test_sampled_silhouette_close_to_exact_within_its_error_bar():
    X, _ = make_blobs(n_samples=6_000, centers=4, cluster_std=2.5, random_state=3)
    labels = KMeans(4, n_init=1, random_state=0).fit(X).labels_
    exact = silhouette_score(X, labels)
    est = ck.silhouette_estimate(X, labels, max_rows=1_500, seed=1)
    assert est.rows.size == pytest.approx(1_500, abs=4)
    assert 0 < est.se < 0.02
    assert abs(est.mean - exact) < 4 * est.se + 0.01


def test_large_n_silhouette_cost_is_bounded():
    """1,000,000 rows: the silhouette uses max_rows rows, never an n x n matrix."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 5, 1_000_000)
    X = rng.normal(size=(1_000_000, 2)) + labels[:, None] * 3.0
    est = ck.silhouette_estimate(X, labels, seed=0)
    assert est.rows.size <= ck.SILHOUETTE_MAX_ROWS + 10
    assert np.isfinite(est.mean) and est.se > 0


def test_score_labels_hand_computed():
    X = np.array([[0.0], [1.0], [10.0], [11.0]])
    labels = np.array([0, 0, 1, 1])
    sil, ch, db = ck.score_labels(X, labels)
    # a = 1 for every point; b = 10.5 for the outer points, 9.5 for the inner ones.
    assert sil.mean == pytest.approx((2 * (1 - 1 / 10.5) + 2 * (1 - 1 / 9.5)) / 4)
    # Between: 2 * 5^2 + 2 * 5^2 = 100 over K-1 = 1; within: 4 * 0.5^2 = 1 over n-K = 2.
    assert ch == pytest.approx(200.0)
    # Each cluster's mean distance to its centroid is 0.5; the centroids are 10 apart.
    assert db == pytest.approx(0.1)


@pytest.mark.parametrize(
    "labels", [np.zeros(4, int), np.arange(4)], ids=["one cluster", "n clusters"]
)
def test_score_labels_undefined_is_nan(labels):
    X = np.array([[0.0], [1.0], [10.0], [11.0]])
    sil, ch, db = ck.score_labels(X, labels)
    assert all(math.isnan(v) for v in (sil.mean, ch, db))


# --------------------------------------------------------------------------- run_sweep


def test_run_sweep_three_groups():
    calls = []
    sweep = ck.run_sweep(
        THREE_GROUPS, range(1, 9), n_init=2, seed=0, progress=lambda d, t: calls.append((d, t))
    )
    fractions = [f for f, _ in calls]
    assert len(calls) == 16  # 8 fits, then 8 scorings
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    assert fractions[7] == pytest.approx(ck.FIT_SHARE)
    assert calls[0][1] == "Fitting K-Means: 1 of 8 values of K done"
    assert calls[-1][1] == "Scoring: 8 of 8 values of K done"
    assert sweep.inertia_runs.shape == (8, 2)
    assert np.all(np.diff(sweep.inertia_min) <= 1e-9)  # best WCSS never rises with K
    assert np.all(sweep.inertia_min <= sweep.inertia_mean + 1e-12)
    assert np.all(sweep.inertia_mean <= sweep.inertia_max + 1e-12)
    assert math.isnan(sweep.silhouette[0])  # K = 1 has no score
    assert ck.metric_bests(sweep) == {
        "silhouette": 3,
        "calinski_harabasz": 3,
        "davies_bouldin": 3,
    }
    # kneed needs a tail after the bend: on K = 1..5 alone it would say 2.
    assert ck.find_knee(sweep.k_values, sweep.inertia_mean).k == 3
    assert [len(lab) for lab in sweep.sample_labels] == [60] * 8
    assert sweep.silhouette_note is None and not sweep.silhouette_sampled
    assert np.all(sweep.silhouette_se[1:] == 0)


def test_run_sweep_farthest_point_init_runs():
    sweep = ck.run_sweep(THREE_GROUPS, [3], n_init=1, init="farthest point", seed=0)
    assert sweep.n_distinct.tolist() == [3]


def test_run_sweep_identical_points_metrics_undefined():
    X = np.ones((20, 2))
    sweep = ck.run_sweep(X, range(1, 5), n_init=2, seed=0)
    assert np.all(sweep.inertia_runs == 0)
    assert sweep.n_distinct.tolist() == [1, 1, 1, 1]
    assert all(v is None for v in ck.metric_bests(sweep).values())
    assert ck.find_knee(sweep.k_values, sweep.inertia_mean).k is None
    assert ck.recommend({"knee": None, **ck.metric_bests(sweep)}).k is None


def test_run_sweep_large_data_samples_silhouette_and_says_so():
    X, _ = make_blobs(n_samples=ck.SILHOUETTE_MAX_ROWS + 500, centers=3, random_state=0)
    sweep = ck.run_sweep(X, [1, 2, 3], n_init=1, seed=0)
    assert sweep.silhouette_sampled
    assert f"stratified sample of about {ck.SILHOUETTE_MAX_ROWS:,}" in sweep.silhouette_note
    assert np.isnan(sweep.silhouette_se[0]) and np.all(sweep.silhouette_se[1:] > 0)


def test_run_sweep_bad_input_raises_value_error():
    with pytest.raises(ValueError):
        ck.run_sweep(np.ones((3, 2)), [5], n_init=1, seed=0)


# --------------------------------------------------------------------------- knee


def test_knee_on_l_shaped_curve():
    knee = ck.find_knee(range(1, 9), [100, 50, 10, 8, 6, 4, 2, 0])
    assert knee.k == 3
    assert "K = 3" in knee.reason


def test_no_knee_on_straight_line():
    knee = ck.find_knee(range(1, 9), [10 - k for k in range(1, 9)])
    assert knee.k is None
    assert knee.reason.startswith("No knee found")


def test_high_sensitivity_finds_no_knee():
    assert ck.find_knee(range(1, 9), [100, 50, 10, 8, 6, 4, 2, 0], sensitivity=10).k is None


def test_no_knee_with_too_few_k_or_flat_curve():
    assert ck.find_knee([1, 2], [10, 5]).k is None
    assert "at least 3" in ck.find_knee([1, 2], [10, 5]).reason
    assert ck.find_knee([1, 2, 3], [0, 0, 0]).k is None


def test_percent_drop():
    drop = ck.percent_drop([100, 50, 40, 40])
    assert math.isnan(drop[0])
    assert drop[1:].tolist() == [50.0, 20.0, 0.0]
    zeros = ck.percent_drop([0, 0])
    assert math.isnan(zeros[1])


# --------------------------------------------------------------------------- best K


def test_best_k_per_mode_and_ties():
    ks = [2, 3, 4, 5]
    assert ck.best_k(ks, [0.1, 0.9, 0.5, 0.9], "max") == 3  # tie 3 / 5 -> smaller
    assert ck.best_k(ks, [0.4, 0.2, 0.2, 0.3], "min") == 3
    assert ck.best_k(ks, [np.nan, 0.2, np.nan, 0.3], "max") == 5
    assert ck.best_k(ks, [np.nan] * 4, "min") is None
    with pytest.raises(ValueError):
        ck.best_k(ks, [1, 2, 3, 4], "median")


# --------------------------------------------------------------------------- recommend


def test_recommend_all_agree():
    rec = ck.recommend(dict(knee=3, silhouette=3, calinski_harabasz=3, davies_bouldin=3, gap=3))
    assert rec.k == 3
    assert rec.agree == list(ck.CRITERIA)
    assert rec.strength == "strong"
    assert rec.sentence == (
        "Recommended K = 3: the knee, silhouette, Calinski–Harabasz, Davies–Bouldin and the "
        "gap statistic agree (5 of 5 criteria) — strong agreement."
    )


def test_recommend_majority_names_dissenters_and_strength():
    rec = ck.recommend(dict(knee=2, silhouette=2, calinski_harabasz=3, davies_bouldin=2))
    assert rec.k == 2
    assert rec.sentence.startswith(
        "Recommended K = 2: the knee, silhouette and Davies–Bouldin agree (3 of 4 criteria)"
        " — strong agreement."
    )
    assert "Calinski–Harabasz prefers K = 3" in rec.sentence
    rec = ck.recommend(dict(knee=2, silhouette=2, calinski_harabasz=3, davies_bouldin=4, gap=5))
    assert rec.strength == "weak"  # 2 of 5
    rec = ck.recommend(dict(knee=2, silhouette=2, calinski_harabasz=2, davies_bouldin=4, gap=5))
    assert rec.strength == "moderate"  # 3 of 5


def test_agreement_strength_thresholds():
    assert ck.agreement_strength(3, 4) == "strong"
    assert ck.agreement_strength(2, 4) == "moderate"
    assert ck.agreement_strength(1, 2) == "weak"  # half, but a single vote
    assert ck.agreement_strength(2, 2) == "strong"
    assert ck.agreement_strength(1, 1) == "weak"


def test_recommend_two_two_tie_goes_to_smaller_k():
    rec = ck.recommend(dict(knee=4, silhouette=4, calinski_harabasz=2, davies_bouldin=2))
    assert rec.k == 2
    assert rec.agree == ["calinski_harabasz", "davies_bouldin"]
    assert "tied with K = 4, so the smaller K wins" in rec.sentence


def test_recommend_all_disagree_takes_smallest():
    rec = ck.recommend(dict(knee=5, silhouette=2, calinski_harabasz=3, davies_bouldin=4))
    assert rec.k == 2
    assert "disagree" in rec.sentence and rec.strength == "weak"


def test_recommend_missing_votes_said():
    rec = ck.recommend(dict(knee=None, silhouette=2, calinski_harabasz=2, davies_bouldin=2))
    assert rec.k == 2
    assert rec.sentence.endswith("No vote from the knee (none found).")
    only_knee = ck.recommend(
        dict(knee=3, silhouette=None, calinski_harabasz=None, davies_bouldin=None, gap=None)
    )
    assert only_knee.sentence == (
        "Recommended K = 3: only the knee gave an answer. No vote from silhouette "
        "(undefined here), Calinski–Harabasz (undefined here), Davies–Bouldin "
        "(undefined here) and the gap statistic (no K passes its rule)."
    )
    none = ck.recommend(
        dict(knee=None, silhouette=None, calinski_harabasz=None, davies_bouldin=None)
    )
    assert none.k is None and none.sentence.startswith("No recommendation")


def test_edge_warning_names_criteria_at_the_edge():
    ks = range(1, 11)
    said = ck.edge_warning(ks, dict(knee=3, silhouette=10, gap=10))
    assert said is not None
    assert "silhouette (K = 10, the largest K swept)" in said
    assert "the gap statistic (K = 10, the largest K swept)" in said
    assert "try a wider range" in said
    assert ck.edge_warning(ks, dict(knee=3, silhouette=4)) is None
    # A range starting above 2: its smallest K is an edge too; K = 1 or 2 is not.
    assert "smallest K swept" in ck.edge_warning(range(4, 9), dict(knee=4))
    assert ck.edge_warning(range(2, 9), dict(knee=2)) is None
    assert ck.edge_warning([1, 2], dict(knee=2)) is None


def test_picked_k_from_selection_points():
    ks = np.arange(1, 11)
    assert ck.picked_k([{"x": 4, "y": 1.0}], ks) == 4
    assert ck.picked_k([{"x": 2}, {"x": 7.0}], ks) == 7  # the last point selected
    assert ck.picked_k([{"x": 12}], ks) is None
    assert ck.picked_k([{"x": "a"}], ks) is None
    assert ck.picked_k([], ks) is None


@given(st.fixed_dictionaries({c: st.one_of(st.none(), st.integers(1, 6)) for c in ck.CRITERIA}))
def test_recommend_is_smallest_most_voted(votes):
    rec = ck.recommend(votes)
    cast = [k for k in votes.values() if k is not None]
    if not cast:
        assert rec.k is None
        return
    counts = {k: cast.count(k) for k in cast}
    top = max(counts.values())
    assert rec.k == min(k for k, c in counts.items() if c == top)
    assert rec.agree == [c for c in ck.CRITERIA if votes[c] == rec.k]
    assert rec.sentence.startswith(f"Recommended K = {rec.k}")


# --------------------------------------------------------------------------- knife plot


def test_silhouette_diagram_hand_computed_and_sorted():
    X = np.array([[0.0], [1.0], [10.0], [11.0], [12.0]])
    labels = np.array([0, 0, 1, 1, 1])
    diag = ck.silhouette_diagram(ck.silhouette_values(X, labels), labels, 2)
    assert [c.cluster for c in diag.clusters] == [0, 1]
    # Point 0: a = 1, b = 11; point 1: a = 1, b = 10 -> 1 - a/b, sorted high to low.
    assert diag.clusters[0].values == pytest.approx([1 - 1 / 11, 1 - 1 / 10])
    # Points 10, 11, 12: a = 1.5, 1, 1.5; b = 9.5, 10.5, 11.5.
    assert diag.clusters[1].values == pytest.approx([1 - 1 / 10.5, 1 - 1.5 / 11.5, 1 - 1.5 / 9.5])
    for c in diag.clusters:
        assert np.all(np.diff(c.values) <= 0)
    assert diag.average == pytest.approx(silhouette_score(X, labels))
    assert diag.below == []
    assert diag.weakest == 1
    assert "No cluster lies entirely below" in ck.describe_diagram(diag)


def test_silhouette_diagram_calls_out_cluster_below_average():
    # Two tight pairs and one loose pair: the loose pair's best point is below the average.
    X = np.array([[0.0], [0.1], [5.0], [7.0], [20.0], [20.1]])
    labels = np.array([0, 0, 1, 1, 2, 2])
    diag = ck.silhouette_diagram(ck.silhouette_values(X, labels), labels, 3)
    assert diag.below == [1]
    assert diag.clusters[1].values.max() < diag.average
    text = ck.describe_diagram(diag)
    assert text.startswith("Cluster 1 lies entirely below the average silhouette")


def test_silhouette_diagram_undefined():
    X = np.array([[0.0], [1.0], [2.0]])
    assert ck.silhouette_values(X, np.zeros(3, int)) is None
    assert ck.silhouette_diagram(np.full(3, np.nan), np.zeros(3, int), 1) is None
    assert ck.silhouette_diagram(np.zeros(3), np.arange(3), 3) is None


def test_sweep_diagram_uses_kept_values():
    sweep = ck.run_sweep(THREE_GROUPS, range(1, 5), n_init=1, seed=0)
    diag = ck.sweep_diagram(sweep, 3)
    assert diag is not None and diag.k == 3 and diag.n_points == 60
    assert diag.average == pytest.approx(sweep.silhouette[2])
    assert ck.sweep_diagram(sweep, 1) is None  # undefined for one cluster
    assert ck.sweep_diagram(sweep, 9) is None  # not swept


# --------------------------------------------------------------------------- warnings


def test_warnings_identical_points():
    sweep = ck.run_sweep(np.ones((20, 2)), range(1, 4), n_init=1, seed=0)
    (only,) = ck.sweep_warnings(sweep)
    assert only.startswith("All points are identical")


def test_warnings_duplicates_and_edge_of_range():
    X = np.r_[np.zeros((10, 2)), np.ones((10, 2))]  # two distinct points, ten copies each
    sweep = ck.run_sweep(X, range(1, 5), n_init=1, seed=0)
    warnings = ck.sweep_warnings(sweep)
    assert len(warnings) == 1
    assert warnings[0].startswith("For K = 3, 4, K-Means found fewer distinct clusters")
    assert "about 2 distinct groups" in warnings[0]


def test_no_warnings_for_clean_sweep():
    sweep = ck.run_sweep(THREE_GROUPS, range(1, 6), n_init=1, seed=0)
    assert ck.sweep_warnings(sweep) == []


def _fake_sweep(inertia_runs) -> ck.KSweep:
    runs = np.asarray(inertia_runs, dtype=float)
    n_k = runs.shape[0]
    nan = np.full(n_k, np.nan)
    return ck.KSweep(
        k_values=np.arange(1, n_k + 1),
        inertia_runs=runs,
        fit_seconds=np.zeros(n_k),
        silhouette=nan,
        silhouette_se=nan,
        calinski_harabasz=nan,
        davies_bouldin=nan,
        sample_rows=(np.arange(2),) * n_k,
        sample_labels=(np.zeros(2, dtype=np.int32),) * n_k,
        sample_values=(np.zeros(2),) * n_k,
        n_distinct=np.ones(n_k, dtype=int),
        n_samples=2,
    )


def test_band_note():
    assert ck.band_note(_fake_sweep([[10.0], [5.0]])).startswith("One restart per K")
    thin = ck.band_note(_fake_sweep([[100.0, 100.5], [50.0, 50.0]]))
    assert thin.startswith("All 2 restarts landed within 1%")
    # K = 2: runs 40 and 60, mean 50 -> spread 20 = 40% of the mean.
    wide = ck.band_note(_fake_sweep([[100.0, 100.0], [40.0, 60.0], [0.0, 0.0]]))
    assert wide.startswith(
        "The restarts disagree most at K = 2: WCSS from 40 to 60 (40% of the mean)"
    )
