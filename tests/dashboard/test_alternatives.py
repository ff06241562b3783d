"""dashboard.alternatives: the parameter rules, the runs, the scores and the notes."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import BisectingKMeans

from dashboard import alternatives as alt
from dashboard.generators import dataset_from_recipe, default_recipe


def _params(**kw) -> alt.AlternativeParams:
    base = dict(k=2, seed=0, eps=0.3, min_samples=4, min_cluster_size=5, n_neighbors=10)
    return alt.AlternativeParams(**{**base, **kw})


# ----------------------------------------------------------------------------- rules


def test_dbscan_min_samples_is_twice_the_dimension_but_at_least_four():
    assert [alt.dbscan_min_samples(d) for d in (1, 2, 3, 13)] == [4, 4, 6, 26]


def test_hdbscan_min_cluster_size_is_two_percent_but_at_least_five():
    # 2% of 100 = 2 -> 5; of 500 = 10; of 2,000 = 40.
    assert [alt.hdbscan_min_cluster_size(n) for n in (100, 500, 2000)] == [5, 10, 40]


def test_spectral_neighbours_default_ten_fewer_on_tiny_data():
    assert [alt.spectral_neighbors(n) for n in (3, 8, 11, 5000)] == [2, 7, 10, 10]


def test_k_distance_without_a_knee_falls_back_to_the_90th_percentile():
    # Ten points one apart on a line: everyone's 2nd neighbour (itself first) is 1 away.
    X = np.arange(10.0).reshape(-1, 1)
    curve = alt.k_distance(X, min_samples=2)
    assert curve.knee is None
    assert curve.eps == 1.0
    assert curve.distances.tolist() == [1.0] * 10


def test_k_distance_knee_sits_where_the_outliers_start():
    # 40 points 0.1 apart, then outliers 5, 10 and 20 away: the curve is flat at 0.1
    # and turns up at the outliers, so eps stays at the dense spacing.
    dense = np.arange(40) * 0.1
    X = np.concatenate([dense, [dense[-1] + 5, dense[-1] + 15, dense[-1] + 35]]).reshape(-1, 1)
    curve = alt.k_distance(X, min_samples=2)
    assert curve.knee is not None
    assert curve.eps == pytest.approx(0.1)
    assert curve.distances[-1] == pytest.approx(20.0)


def test_k_distance_on_duplicate_points_still_gives_a_positive_eps():
    curve = alt.k_distance(np.ones((6, 2)), min_samples=4)
    assert curve.eps > 0


def test_suggest_takes_k_from_the_true_classes():
    ds = dataset_from_recipe(default_recipe("moons"), 42)
    s = alt.suggest(ds.X, n_classes=ds.n_classes, fallback_k=7, seed=42)
    assert s.params.k == 2
    assert s.params.min_samples == 4 and s.params.min_cluster_size == 10
    assert s.params.eps == s.k_distance.eps
    assert s.rules[0].rule == "the number of true classes (2)"
    assert "knee" in s.rules[1].rule


def test_suggest_without_labels_uses_the_sidebar_k_clamped_to_the_rows():
    X = np.random.default_rng(0).normal(size=(5, 2))
    s = alt.suggest(X, n_classes=None, fallback_k=7, seed=0)
    assert s.params.k == 5
    assert s.rules[0].rule.startswith("the sidebar's K")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 0}, "K must be between 1 and 50"),
        ({"eps": 0.0}, "eps must be more than 0"),
        ({"min_samples": 0}, "min_samples must be at least 1"),
        ({"min_cluster_size": 1}, "min_cluster_size must be at least 2"),
        ({"n_neighbors": 1}, "n_neighbors must be between 2 and 100"),
        ({"sample_size": 5}, "at least 10 rows"),
    ],
)
def test_params_reject_each_bad_setting(kwargs, message):
    with pytest.raises(ValueError, match=message):
        _params(**kwargs)


def test_samples_are_sorted_seeded_and_nested():
    small = alt.sample_rows(10_000, 500, seed=3)
    large = alt.sample_rows(10_000, 2000, seed=3)
    assert np.all(np.diff(small) > 0)
    assert np.isin(small, large).all()  # every method has labels for the drawn rows
    assert np.array_equal(small, alt.sample_rows(10_000, 500, seed=3))
    assert alt.sample_rows(300, 500, seed=3).tolist() == list(range(300))


def test_costly_methods_run_on_the_sample_cheap_ones_on_every_row():
    p = _params(sample_size=1000)
    rows = {m.name: m.rows_for(50_000, p) for m in alt.METHODS}
    assert rows[alt.SPECTRAL] == rows[alt.SINGLE] == rows[alt.DBSCAN_NAME] == 1000
    assert rows[alt.KMEANS_CORE] == rows[alt.MINIBATCH] == rows[alt.GMM] == 50_000
    assert alt.METHODS[1].rows_for(10**6, p) == alt.MIXTURE_MAX_ROWS


# ----------------------------------------------------------------------------- runs


@pytest.fixture(scope="module", params=["moons", "circles"])
def failure_run(request):
    ds = dataset_from_recipe(default_recipe(request.param), 42)
    s = alt.suggest(ds.X, n_classes=ds.n_classes, fallback_k=3, seed=42)
    return request.param, alt.run_all(ds.X, ds.true_labels, s.params)


def test_an_alternative_recovers_moons_and_circles_at_their_defaults(failure_run):
    kind, run = failure_run
    best = alt.best_by_ari(run)
    assert best is not None and best.ari is not None
    assert best.ari > 0.95, f"{kind}: best was {best.name} with ARI {best.ari:.3f}"
    # ... and the methods the note recommends include one that works.
    note = alt.shape_note({"kind": kind})
    assert note is not None
    assert max(run.result(name).ari or 0 for name in note.fixers) > 0.95


def test_kmeans_core_fails_on_moons_and_circles(failure_run):
    _, run = failure_run
    assert (run.result(alt.KMEANS_CORE).ari or 0) < 0.5


def test_every_method_ran_and_reports_scores(failure_run):
    _, run = failure_run
    assert [r.name for r in run.results] == list(alt.METHOD_NAMES)
    for r in run.results:
        assert r.error is None, r.name
        assert r.labels.shape == (500,)
        assert r.seconds >= 0
        assert r.ari is not None
    assert run.result(alt.GMM).gaussians is not None
    assert run.notes == []  # 500 rows: nothing sampled


def test_noise_is_counted_and_left_out_of_clusters():
    r = alt.MethodResult("x", np.arange(5), np.array([0, 0, -1, 1, -1]), 0.0)
    assert (r.n_clusters, r.n_noise) == (2, 2)
    assert r.labels_at(np.array([1, 3])).tolist() == [0, 1]


def test_a_method_that_cannot_run_says_why_and_the_others_still_run():
    # Spectral asks for 10 neighbours of 6 points: scikit-learn refuses.
    X = np.array([[0.0, 0], [0, 1], [1, 0], [9, 9], [9, 8], [8, 9]])
    run = alt.run_all(X, None, _params(n_neighbors=10, min_cluster_size=2))
    spectral = run.result(alt.SPECTRAL)
    assert spectral.error
    assert alt.results_table(run).set_index("Method").loc["Spectral", "Clusters"] == "failed"
    assert run.result(alt.KMEANS_CORE).error is None
    assert run.result(alt.KMEANS_CORE).n_clusters == 2


def test_large_data_runs_the_costly_methods_on_a_stated_sample():
    X = np.random.default_rng(0).normal(size=(3000, 2))
    run = alt.run_all(X, None, _params(sample_size=500, k=3))
    assert len(run.result(alt.SPECTRAL).rows) == 500
    assert len(run.result(alt.KMEANS_CORE).rows) == 3000
    assert run.sample.size == 500
    assert "random sample of 500 of the 3,000 rows" in run.notes[0]
    assert run.result(alt.SPECTRAL).ari is None  # no labels


def test_split_tree_sizes_add_up_and_leaves_are_the_clusters():
    X = np.random.default_rng(1).normal(size=(300, 2))
    model = BisectingKMeans(n_clusters=4, random_state=0).fit(X)
    nodes = alt.split_tree(model)
    assert nodes is not None
    by_id = {n.node_id: n for n in nodes}
    assert nodes[0].node_id == "root" and nodes[0].size == 300
    leaves = [n for n in nodes if n.label >= 0]
    assert sorted(n.label for n in leaves) == [0, 1, 2, 3]
    assert len(nodes) == 7  # 4 leaves need 3 splits
    for n in nodes:
        children = [c for c in nodes if c.parent == n.node_id]
        if children:
            assert sum(c.size for c in children) == n.size
    for leaf in leaves:
        assert leaf.size == int(np.sum(model.labels_ == leaf.label))
        assert by_id[leaf.parent].label == -1


# ----------------------------------------------------------------------------- words


def test_every_note_names_real_methods():
    for note in alt.SHAPE_NOTES.values():
        assert set(note.fixers) <= set(alt.METHOD_NAMES)


def test_no_note_for_uploads_or_kinds_without_one():
    assert alt.shape_note(None) is None
    assert alt.shape_note({"kind": "a shape added later"}) is None


def test_table_marks_the_recommended_methods_and_dashes_missing_scores():
    X = np.random.default_rng(0).normal(size=(60, 2))
    run = alt.run_all(X, None, _params())
    table = alt.results_table(run, (alt.GMM,))
    assert table["Method"].tolist()[1] == "★ Gaussian mixture"
    assert set(table["ARI vs truth"]) == {"—"}


def test_silhouette_is_left_out_when_its_sample_misses_a_tiny_cluster(monkeypatch):
    # 3,000 points in one cluster, one in another; a 2-row silhouette sample (seed 1)
    # holds the big cluster only, which scikit-learn refuses to score: no score, no error.
    monkeypatch.setattr(alt, "SILHOUETTE_ROWS", 2)
    X = np.vstack([np.random.default_rng(0).normal(size=(3000, 2)), [[50.0, 50.0]]])
    labels = np.array([0] * 3000 + [1])
    assert alt._scores(X, None, np.arange(3001), labels, seed=1) == (None, None)
