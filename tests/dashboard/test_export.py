"""Export builders: spreadsheet-safe CSV, labelled data, centers, step history, settings JSON."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

import kmeans_core
from dashboard import export
from dashboard.dataset import Dataset, default_dataset
from dashboard.run_settings import RunSettings
from dashboard.runs import initial_centers
from kmeans_core import KMeans, StepSummary


def _fit(ds: Dataset, k: int = 3, init: str = "k-means++", seed: int = 42) -> KMeans:
    centers = initial_centers(ds.X, k, init, seed)
    return KMeans(n_clusters=k, init=centers, n_init=1, random_state=seed).fit(ds.X)


def _read(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data))


# --- escaping ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        "=1+2",
        '=HYPERLINK("http://evil","x")',
        "+A1",
        "-2+3+cmd|' /C calc'!A0",
        "-A1",
        "@SUM(A1:A9)",
        "\t=1+2",
        "\rfoo",
        "-inf",
        "+",
    ],
)
def test_formula_cells_get_a_leading_quote(cell):
    assert export.escape_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-1.5", "+3", "-2e5", "-0.25E-3", "-7", "+.5", "12"])
def test_numbers_written_as_text_are_not_formulas(cell):
    assert export.escape_cell(cell) == cell


@pytest.mark.parametrize(
    "cell", [-1.5, np.float64(-2.0), -3, np.int32(-4), None, True, "sepal length", "a=b", ""]
)
def test_non_formula_cells_are_unchanged(cell):
    out = export.escape_cell(cell)
    assert out is cell or out == cell


def test_escape_frame_escapes_headers_and_text_but_not_numbers():
    df = pd.DataFrame(
        {
            "=cmd": [-1.5, 2.0],
            "@name": ["=evil()", "ok"],
            "n": [-3, 4],
            "s": pd.Series(["+x", "-1"], dtype="string"),
        }
    )
    out = export.escape_frame(df)
    assert list(out.columns) == ["'=cmd", "'@name", "n", "s"]
    assert out["'=cmd"].tolist() == [-1.5, 2.0]
    assert out["n"].tolist() == [-3, 4]
    assert out["'@name"].tolist() == ["'=evil()", "ok"]
    assert out["s"].tolist() == ["'+x", "-1"]
    # The input is not modified.
    assert list(df.columns) == ["=cmd", "@name", "n", "s"]


def test_csv_round_trip_keeps_numbers_exact_and_text_safe():
    X = np.array([[-1.5, 0.1], [2.0, -1e-12], [-0.0, 3.25]])
    ds = Dataset(
        name="evil.csv",
        X=X,
        feature_names=["=1+1", "-weight"],
        true_labels=np.array([0, 1, 0]),
        class_names=["@admin", "plain"],
        source="upload",
    )
    back = _read(export.labelled_csv(ds, np.array([1, 0, 1])))
    assert list(back.columns) == ["row", "'=1+1", "'-weight", "cluster", "true_label"]
    assert back["row"].tolist() == [1, 2, 3]
    np.testing.assert_array_equal(back[["'=1+1", "'-weight"]].to_numpy(), X)
    assert back["cluster"].tolist() == [1, 0, 1]
    assert back["true_label"].tolist() == ["'@admin", "plain", "'@admin"]


# --- builders ---------------------------------------------------------------------------


def test_labelled_frame_has_features_cluster_and_true_label():
    ds = default_dataset(42)
    model = _fit(ds)
    df = export.labelled_frame(ds, model.labels_)
    assert list(df.columns) == ["row", "x1", "x2", "cluster", "true_label"]
    assert len(df) == 500
    np.testing.assert_array_equal(df[["x1", "x2"]].to_numpy(), ds.X)
    np.testing.assert_array_equal(df["cluster"].to_numpy(), model.labels_)
    assert df["true_label"].iloc[0] == ds.class_names[ds.true_labels[0]]


def test_labelled_frame_without_labels_and_with_a_feature_called_cluster():
    ds = Dataset(name="u", X=np.zeros((2, 2)), feature_names=["cluster", "b"], source="upload")
    df = export.labelled_frame(ds, np.array([0, 1]))
    assert list(df.columns) == ["row", "cluster", "b", "cluster_1"]
    assert df["cluster_1"].tolist() == [0, 1]


def test_centers_frame_counts_points_per_cluster():
    centers = np.array([[0.0, -1.0], [2.5, 3.0]])
    df = export.centers_frame(centers, ["a", "b"], np.array([1, 1, 0, 1]))
    assert list(df.columns) == ["cluster", "n_points", "a", "b"]
    assert df["cluster"].tolist() == [0, 1]
    assert df["n_points"].tolist() == [1, 3]
    np.testing.assert_array_equal(df[["a", "b"]].to_numpy(), centers)


def test_history_frame_hand_computed():
    c0 = np.array([[0.0, 0.0], [1.0, 1.0]])
    c1 = np.array([[0.5, 0.0], [1.0, 2.0]])
    history = [
        StepSummary(1, "assign", c0, 10.0, 4, np.zeros(2), (), None),
        StepSummary(1, "update", c1, 7.5, 0, np.array([0.5, 1.0]), (1,), "labels unchanged"),
    ]
    df = export.history_frame(history, ["u", "v"])
    assert len(df) == 4
    assert df["step"].tolist() == [0, 0, 1, 1]
    assert df["iteration"].tolist() == [1, 1, 1, 1]
    assert df["phase"].tolist() == ["assign", "assign", "update", "update"]
    assert df["cluster"].tolist() == [0, 1, 0, 1]
    assert df["inertia"].tolist() == [10.0, 10.0, 7.5, 7.5]
    assert df["center_shift"].tolist() == [0.0, 0.0, 0.5, 1.0]
    assert df["relocated"].tolist() == [False, False, False, True]
    np.testing.assert_array_equal(df[["u", "v"]].to_numpy(), np.vstack([c0, c1]))


@pytest.mark.parametrize("k", [1, 3, 5])
def test_history_csv_has_steps_times_k_rows(k):
    ds = default_dataset(7)
    model = _fit(ds, k=k, seed=7)
    back = _read(export.to_csv_bytes(export.history_frame(model.history_, ds.feature_names)))
    assert len(back) == len(model.history_) * k
    last = back[back["step"] == back["step"].max()]
    np.testing.assert_allclose(last[["x1", "x2"]].to_numpy(), model.cluster_centers_)
    assert last["inertia"].iloc[0] == pytest.approx(model.history_[-1].inertia)


def test_settings_json_content():
    ds = default_dataset(5)
    settings = RunSettings(k=4, init="random", seed=5)
    model = _fit(ds, k=4, init="random", seed=5)
    data = json.loads(
        export.settings_json_bytes(export.run_settings_dict(ds, settings, model, "http://x/?k=4"))
    )
    assert data["k"] == 4 and data["init"] == "random" and data["seed"] == 5
    assert data["n_init"] == 1 and data["max_iter"] == 300 and data["tol"] == 1e-4
    assert data["dataset"] == "Blobs (3 centers)"
    assert data["recipe"] == ds.recipe
    assert data["kmeans_core_version"] == kmeans_core.__version__
    assert data["inertia"] == pytest.approx(model.inertia_)
    assert data["n_iter"] == model.n_iter_
    assert data["stop_reason"] == model.history_[-1].stop_reason
    assert data["share_link"] == "http://x/?k=4"


def test_settings_json_reports_the_fitted_k_when_clamped():
    ds = Dataset(name="tiny", X=np.array([[0.0], [1.0]]), feature_names=["x"], source="upload")
    model = _fit(ds, k=2)
    data = export.run_settings_dict(ds, RunSettings(k=9, init="k-means++", seed=42), model)
    assert data["k"] == 2 and data["k_requested"] == 9 and data["recipe"] is None


def test_settings_json_handles_numpy_values_in_a_recipe():
    text = export.settings_json_bytes({"recipe": {"n": np.int64(3), "s": np.float32(0.5)}})
    assert json.loads(text) == {"recipe": {"n": 3, "s": 0.5}}


def test_file_stem_is_safe():
    ds = Dataset(name="My data (v2)/../x.csv", X=np.zeros((1, 1)), feature_names=["a"])
    assert export.file_stem(ds, RunSettings(3, "random", 9)) == "my-data-v2-x-csv_k3_seed9"


def test_csv_round_trip_of_awkward_text_and_missing_values():
    df = pd.DataFrame(
        {
            "x": [1.0, -0.5, 1e-300],
            "note": pd.Series(['a,b "quoted"', None, "line\nbreak"], dtype=object),
            "flag": [True, False, True],
        }
    )
    back = _read(export.to_csv_bytes(df))
    assert back["x"].tolist() == [1.0, -0.5, 1e-300]
    assert back["note"].iloc[0] == 'a,b "quoted"' and back["note"].iloc[2] == "line\nbreak"
    assert pd.isna(back["note"].iloc[1])
    assert back["flag"].tolist() == [True, False, True]


def test_csv_with_duplicate_column_names_still_writes():
    df = pd.DataFrame([[1.0, -2.0]], columns=["=a", "=a"])
    text = export.to_csv_bytes(df).decode("utf-8-sig")
    assert text.splitlines() == ["'=a,'=a", "1.0,-2.0"]


def test_csv_starts_with_a_byte_order_mark_for_spreadsheets():
    assert export.to_csv_bytes(pd.DataFrame({"é": [1]})).startswith(b"\xef\xbb\xbf")
