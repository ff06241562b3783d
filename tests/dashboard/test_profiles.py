"""Unit tests for dashboard.profiles: sizes, means, z-scores, standouts, nearest rows, mixes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard import csv_upload, upload_recipe
from dashboard import profiles as pr
from dashboard.dataset import Dataset

# Two clusters of 2 rows each, hand-checkable:
#   cluster 0: (0, 10), (2, 10)   mean (1, 10), sd (1, 0)
#   cluster 1: (4, 10), (6, 30)   mean (5, 20), sd (1, 10)
X = np.array([[0.0, 10.0], [2.0, 10.0], [4.0, 10.0], [6.0, 30.0]])
LABELS = np.array([0, 0, 1, 1])


def _ds(X=X, **extra) -> Dataset:
    ds = Dataset(name="hand", X=X, feature_names=["a", "b"], source="upload")
    for key, value in extra.items():
        object.__setattr__(ds, key, value)
    return ds


def test_sizes_and_shares_count_empty_clusters():
    sizes, shares = pr.cluster_sizes(np.array([0, 0, 2]), 3)
    assert sizes.tolist() == [2, 0, 1]
    assert shares.tolist() == pytest.approx([2 / 3, 0, 1 / 3])


def test_profile_table_hand_computed():
    t = pr.profile_table(X, LABELS, 2, ["a", "b"])
    assert t["size"].tolist() == [2, 2]
    assert t["a mean"].tolist() == [1.0, 5.0]
    assert t["b mean"].tolist() == [10.0, 20.0]
    assert t["a sd"].tolist() == [1.0, 1.0]
    assert t["b sd"].tolist() == [0.0, 10.0]


def test_profile_table_matches_pandas_groupby():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(200, 3))
    labels = rng.integers(0, 4, 200)
    t = pr.profile_table(values, labels, 4, ["x", "y", "z"])
    g = pd.DataFrame(values, columns=["x", "y", "z"]).groupby(labels)
    np.testing.assert_allclose(t[["x mean", "y mean", "z mean"]].to_numpy(), g.mean().to_numpy())
    np.testing.assert_allclose(t[["x sd", "y sd", "z sd"]].to_numpy(), g.std(ddof=0).to_numpy())


def test_z_scores_hand_computed():
    # a: overall mean 3, sd sqrt(5); cluster means 1 and 5 -> -2/sqrt(5), +2/sqrt(5).
    # b: overall mean 15, sd sqrt(75); cluster means 10 and 20 -> -5/sqrt(75), +5/sqrt(75).
    z = pr.cluster_z_scores(X, LABELS, 2)
    np.testing.assert_allclose(z[:, 0], [-2 / np.sqrt(5), 2 / np.sqrt(5)])
    np.testing.assert_allclose(z[:, 1], [-5 / np.sqrt(75), 5 / np.sqrt(75)])


def test_z_scores_ignore_units_and_constant_features_are_zero():
    values = np.c_[X, np.ones(4)]
    z = pr.cluster_z_scores(values, LABELS, 2)
    z_scaled = pr.cluster_z_scores(values * [1000.0, 0.01, 1.0] + 7, LABELS, 2)
    np.testing.assert_allclose(z, z_scaled)
    assert z[:, 2].tolist() == [0.0, 0.0]


def test_standouts_largest_abs_z_first_and_small_ones_left_out():
    z = np.array([[0.2, -2.0, 1.0, 0.6], [0.1, 0.0, -0.3, 0.4]])
    out = pr.standout_features(z, ["p", "q", "r", "s"], top=3)
    assert [s.feature for s in out[0]] == ["q", "r", "s"]
    assert out[0][0].phrase == "q low (-2.0 sd)"
    assert out[1] == []
    assert "close to the overall average" in pr.describe_standouts(out[1])


def test_nearest_rows_are_closest_to_own_center_in_order():
    centers = np.array([[1.9, 10.0], [5.0, 20.0]])
    near = pr.nearest_rows(X, LABELS, centers, n=2)
    assert near[0].tolist() == [1, 0]  # (2, 10) is 0.1 away, (0, 10) 1.9 away
    assert sorted(near[1].tolist()) == [2, 3]


def test_category_mix_rows_sum_to_one_and_missing_is_a_level():
    values = np.array(["x", "y", None, "x"], dtype=object)
    mix = pr.category_mix(values, LABELS, 3)
    assert list(mix.columns) == ["x", "y", "(missing)"]
    assert mix.loc[0].tolist() == [0.5, 0.5, 0.0]
    assert mix.loc[1].tolist() == [0.5, 0.0, 0.5]
    assert mix.loc[2].tolist() == [0.0, 0.0, 0.0]  # an empty cluster, not a division by zero


def test_category_mix_lumps_rare_levels_into_other():
    values = np.array([f"level{i}" for i in range(20)] + ["level0"] * 5, dtype=object)
    mix = pr.category_mix(values, np.zeros(25, dtype=int), 1)
    assert mix.shape[1] == pr.MAX_LEVELS
    assert "other" in mix.columns
    assert mix.loc[0].sum() == pytest.approx(1.0)


def test_generated_data_are_already_in_their_own_units_and_have_no_text_columns():
    plain = _ds()
    np.testing.assert_array_equal(pr.original_units(plain, X), X)
    assert pr.text_columns(plain) == {}


def test_a_standardised_upload_is_profiled_in_the_files_units_with_its_text_columns():
    # a: 1 2 3 10 (mean 4), b: 10 20 30 40; standardising is undone exactly.
    csv = b"a,b,kind\n1,10,x\n2,20,x\n3,30,y\n10,40,y\n"
    ds = upload_recipe.build_from_choices(
        csv_upload.parse_csv(csv), "f.csv", ["a", "b"], scaling="standardise"
    )
    assert abs(ds.X[:, 0].mean()) < 1e-12  # the algorithm sees z-scores
    np.testing.assert_allclose(pr.original_units(ds, ds.X), [[1, 10], [2, 20], [3, 30], [10, 40]])
    assert {k: v.tolist() for k, v in pr.text_columns(ds).items()} == {"kind": list("xxyy")}
    prof = pr.build_profile(ds, LABELS, ds.X[[0, 2]])
    assert prof.table["a mean"].tolist() == [1.5, 6.5]  # rows 0,1 and 2,3 in file units
    assert prof.mixes["kind"].loc[0, "x"] == 1.0


def test_mean_sd_frame_cells():
    prof = pr.build_profile(_ds(), LABELS, np.array([[1.0, 10.0], [5.0, 20.0]]))
    frame = pr.mean_sd_frame(prof, ["a", "b"], X)
    assert frame.loc["a", "cluster 0"] == "1 ± 1"
    assert frame.loc["b", "cluster 1"] == "20 ± 10"
    assert list(frame.columns) == ["cluster 0", "cluster 1", "all rows"]


def test_display_rows_samples_large_data_and_says_so():
    idx, note = pr.display_rows(100, 200, seed=0)
    assert idx.size == 100 and note is None
    idx, note = pr.display_rows(10_000, 500, seed=0)
    assert idx.size == 500 and np.all(np.diff(idx) > 0)
    assert note is not None and "500 of 10,000" in note


def test_view_3d_axes_and_pca():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(50, 4))
    centers = values[:2]
    chosen = pr.view_3d(values, centers, list("pqrs"), axes=(3, 0, 1))
    assert chosen.titles == ("s", "p", "q")
    np.testing.assert_array_equal(chosen.centers, centers[:, [3, 0, 1]])
    pca = pr.view_3d(values, centers, list("pqrs"))
    assert pca.points.shape == (50, 3) and pca.titles[0].startswith("PC1")
    assert pca.note is not None and "explain" in pca.note


def test_parallel_features_keeps_the_most_separating():
    z = np.zeros((2, 15))
    z[0, [1, 4, 14]] = [3.0, -2.0, 1.0]
    assert pr.parallel_features(z, limit=20).tolist() == list(range(15))
    kept = pr.parallel_features(z, limit=3)
    assert kept.tolist() == [1, 4, 14]
