"""Issue 14: column names that clash (exact, after trimming, after case-folding, app names)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import csv_upload as cu
from dashboard import export, upload_recipe
from dashboard.run_settings import RunSettings
from dashboard.runs import fit_run

CLASHING = Path(__file__).resolve().parents[1] / "data" / "clashing"

EXPECTED = {
    "trimmed_duplicate.csv": (["x", "x (2)", "y"], "once spaces are trimmed"),
    "exact_duplicate.csv": (["x", "x (2)", "y"], "the same name appears twice"),
    "case_duplicate.csv": (["Height", "height (2)", "HEIGHT (3)", "group"], "upper and lower"),
    "semicolon_many.csv": (["x", "x (2)", "X (3)", "x (4)"], "clashes with"),
    "app_column_names.csv": (
        ["cluster", "row", "true_label", "left_out_reason", "n_points", "species"],
        "names the exports use",
    ),
}


def test_every_clashing_file_is_covered():
    assert sorted(p.name for p in CLASHING.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED.items()))
def test_clashing_names_are_told_apart_with_a_note(name, expected):
    columns, why = expected
    parsed = cu.parse_csv((CLASHING / name).read_bytes())
    assert list(parsed.frame.columns) == columns
    assert len({c.casefold() for c in parsed.frame.columns}) == len(columns)
    if why:
        assert any(why in n for n in parsed.notes), parsed.notes
    # every numeric column is a Series (one column per name), usable as a feature
    for c in parsed.numeric_columns:
        assert isinstance(parsed.frame[c], pd.Series)


def test_trimmed_duplicate_values_stay_with_their_column():
    parsed = cu.parse_csv((CLASHING / "trimmed_duplicate.csv").read_bytes())
    assert parsed.frame["x"].tolist()[:2] == [0.7975, 2.5933]
    assert parsed.frame["x (2)"].tolist()[:2] == [23.4922, -19.1632]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_clashing_files_build_fit_and_export(name):
    parsed = cu.parse_csv((CLASHING / name).read_bytes())
    features = list(parsed.numeric_columns)
    label = parsed.text_columns[0] if parsed.text_columns else None
    ds = upload_recipe.build_from_choices(parsed, name, features, label, "median", "standardise")
    assert ds.feature_names == features
    model = fit_run(ds, RunSettings(k=2, init="k-means++", seed=0))
    labelled = export.labelled_frame(ds, model.labels_)
    folded = [str(c).casefold() for c in labelled.columns]
    assert len(set(folded)) == len(folded), labelled.columns
    back = pd.read_csv(io.BytesIO(export.labelled_csv(ds, model.labels_)))
    assert back.shape == labelled.shape == (parsed.n_rows, parsed.frame.shape[1] + 3)
    # every column of the file comes back under its (told-apart) name, values intact
    for c in parsed.numeric_columns:
        np.testing.assert_array_equal(back[c].to_numpy(dtype=float), parsed.frame[c].to_numpy())
    centers = export.centers_frame(model.cluster_centers_, ds.feature_names, model.labels_)
    assert len({str(c).casefold() for c in centers.columns}) == centers.shape[1]
    files = export.run_files(ds, RunSettings(k=2, init="k-means++", seed=0), model, "/x?k=2")
    assert json.loads(files.settings_json)["feature_names"] == features


def test_case_folded_app_names_are_avoided():
    taken = ["Cluster", "ROW"]
    assert export._free_name("cluster", taken) == "cluster_1"
    assert export._free_name("row", taken) == "row_1"
    assert export._free_name("n_points", taken) == "n_points"


def test_unique_names_rule():
    names, notes = cu.unique_names(["a", " a", "A ", "", "a (2)"])
    assert names == ["a", "a (2)", "A (3)", "column 4", "a (2) (2)"]
    assert len(notes) == 4
    assert np.unique([n.casefold() for n in names]).size == 5


def test_app_column_names_keep_theirs_and_the_export_columns_take_a_suffix():
    parsed = cu.parse_csv((CLASHING / "app_column_names.csv").read_bytes())
    ds = upload_recipe.build_from_choices(parsed, "a", ["cluster", "n_points"], label="species")
    labelled = export.labelled_frame(ds, np.array([0, 1, 0, 1]))
    assert list(labelled.columns)[:2] == ["row_1", "cluster"]
    assert list(labelled.columns)[-2:] == ["cluster_1", "left_out_reason_1"]
    assert labelled["cluster"].tolist() == [1.5, 2.5, 3.5, 8.5]  # the file's own column
    assert labelled["cluster_1"].tolist() == [0, 1, 0, 1]
    assert "carry a suffix" in export.labelled_description(ds)
    centers = export.centers_original_frame(ds, np.zeros((2, 2)), np.array([0, 1, 0, 1]))
    assert list(centers.columns) == ["cluster_1", "n_points_1", "cluster", "n_points"]


def test_label_and_missing_choices_address_renamed_columns():
    parsed = cu.parse_csv(b"x ,x,X,kind\n1,,3,a\n4,5,6,b\n7,8,9,a\n1,2,2,b\n")
    assert list(parsed.frame.columns) == ["x", "x (2)", "X (3)", "kind"]
    recipe = upload_recipe.make_recipe(
        parsed, "f", ["x", "x (2)"], label="kind", missing={"x (2)": "mean"}, scaling="none"
    )
    ds = upload_recipe.build_dataset(parsed, "f", recipe)
    assert ds.X[0].tolist() == [1.0, 5.0]  # the mean of x (2), not of x
    assert ds.class_names == ["a", "b"]
    assert set(recipe["left_out"]) == {"X (3)"}


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(alphabet="xX (2) ", max_size=4), min_size=1, max_size=8))
def test_unique_names_are_always_distinct_ignoring_case(raw):
    names, notes = cu.unique_names(raw)
    assert len(names) == len(raw)
    assert len({n.casefold() for n in names}) == len(names)
    assert all(n == n.strip() and n for n in names)
    # a name is kept unless it clashes or is empty
    assert len(notes) == sum(1 for w, n in zip(raw, names, strict=True) if w.strip() != n)


def test_the_parser_knows_every_column_the_exports_add():
    assert sorted(cu.APP_COLUMNS) == sorted(export.ADDED_COLUMNS)
