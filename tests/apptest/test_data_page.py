"""AppTest for the Data page: default load, generate, built-ins, uploads good and bad."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import generators
from dashboard.safe_text import literal
from tests.apptest.app_runner import open_page

DATA = Path(__file__).resolve().parents[1] / "data"
APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _open(session: dict | None = None) -> AppTest:
    at = open_page("app_pages/data.py", session=session)
    assert not at.exception, at.exception
    return at


def _plain(markdown: str) -> str:
    """Markdown made literal by safe_text, read back as the characters it shows."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _dataset(at: AppTest):
    return at.session_state["dataset"]


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _upload(at: AppTest, path: Path) -> AppTest:
    at.file_uploader(key="upload_file").set_value((path.name, path.read_bytes(), "text/csv")).run()
    assert not at.exception, at.exception
    return at


def _values(arr) -> np.ndarray:
    """Plotly 7 sends numpy arrays as {"dtype", "bdata" (base64)}; plain lists otherwise."""
    if isinstance(arr, dict):
        return np.frombuffer(base64.b64decode(arr["bdata"]), dtype=arr["dtype"])
    return np.asarray(arr)


def _spec(at: AppTest) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def test_default_load_shows_three_blobs():
    at = _open()
    assert not at.error
    assert any(h.value == "Preview: Blobs (3 centers)" for h in at.subheader)
    spec = _spec(at)
    assert [t["name"] for t in spec["data"]] == ["blob 0", "blob 1", "blob 2"]
    assert sum(len(_values(t["x"])) for t in spec["data"]) == 500
    assert at.selectbox(key="gen_kind").value == "blobs"
    assert at.number_input(key="gen_blobs_n_samples").value == 500


@pytest.mark.parametrize("kind", generators.GENERATED_KINDS)
def test_generate_each_kind(kind):
    at = _open()
    at.selectbox(key="gen_kind").set_value(kind).run()
    assert any(generators.NOTES[kind] == a.value for a in at.info)
    _button(at, "Generate").click().run()
    assert not at.exception, at.exception
    ds = _dataset(at)
    assert ds.recipe["kind"] == kind and ds.recipe["seed"] == 42
    assert any(f"Generated **{ds.name}**" in s.value for s in at.success)
    assert any(h.value == f"Preview: {ds.name}" for h in at.subheader)


def test_changing_a_setting_changes_the_data_only_on_generate():
    at = _open()
    at.number_input(key="gen_blobs_n_samples").set_value(1200)
    at.slider(key="gen_blobs_centers").set_value(5).run()
    assert _dataset(at).n_samples == 500  # a form: nothing happens before "Generate"
    # Form values travel with the submit (AppTest keeps them pending until then).
    at.number_input(key="gen_blobs_n_samples").set_value(1200)
    at.slider(key="gen_blobs_centers").set_value(5)
    _button(at, "Generate").click().run()
    ds = _dataset(at)
    assert ds.n_samples == 1200 and ds.n_classes == 5
    assert len(_spec(at)["data"]) == 5


def test_sidebar_seed_drives_generation():
    at = _open()
    before = _dataset(at).X.copy()
    at.sidebar.number_input(key="seed").set_value(7).run()
    ds = _dataset(at)
    assert ds.recipe["seed"] == 7 and not (before == ds.X).all()


def test_load_iris_shows_pca_then_two_columns():
    at = _open()
    at.radio(key="builtin_kind").set_value("iris").run()
    _button(at, "Load").click().run()
    ds = _dataset(at)
    assert ds.name == "Iris" and ds.class_names == ["setosa", "versicolor", "virginica"]
    spec = _spec(at)
    assert spec["layout"]["xaxis"]["title"]["text"].startswith("PC1 (")
    assert any("PCA projection of 4 features" in c.value for c in at.caption)
    view = next(r for r in at.radio if r.label == "View")
    view.set_value("Two columns").run()
    assert _spec(at)["layout"]["xaxis"]["title"]["text"] == "sepal length (cm)"
    x = next(s for s in at.selectbox if s.label == "x axis")
    x.set_value(2).run()
    assert _spec(at)["layout"]["xaxis"]["title"]["text"] == "petal length (cm)"
    assert any("Showing 2 of 4 features" in c.value for c in at.caption)


def test_shared_recipe_fills_the_generator_widgets():
    ds = generators.dataset_from_recipe(
        {"kind": "circles", "n_samples": 300, "noise": 0.2, "factor": 0.3}, 42
    )
    at = _open({"dataset": ds})
    assert at.selectbox(key="gen_kind").value == "circles"
    assert at.number_input(key="gen_circles_n_samples").value == 300
    assert at.slider(key="gen_circles_noise").value == pytest.approx(0.2)
    assert at.slider(key="gen_circles_factor").value == pytest.approx(0.3)


def test_upload_good_file_with_label():
    at = _open()
    _upload(at, DATA / "good" / "comma_labels.csv")
    assert any("6 rows x 3 columns · delimiter: comma" in s.value for s in at.success)
    assert _dataset(at).name == "Blobs (3 centers)"  # not used until the button
    _button(at, "Use this data").click().run()
    assert not at.exception, at.exception
    ds = _dataset(at)
    assert ds.name == "comma_labels.csv" and ds.source == "upload" and ds.recipe is None
    assert ds.class_names == ["setosa", "versicolor", "virginica"]
    assert [t["name"] for t in _spec(at)["data"]] == ds.class_names
    uploaded = next(d.value for d in at.dataframe if "file row" in d.value.columns)
    assert uploaded["sepal_length"].tolist()[:2] == [5.1, 4.9]
    assert uploaded["species"].tolist()[:2] == ["setosa", "setosa"]


def test_upload_semicolon_file_with_scaling_and_impute():
    at = _open()
    _upload(at, DATA / "good" / "missing_values.csv")
    missing = [s for s in at.selectbox if s.key and s.key.startswith("up_missing_")]
    assert [s.label for s in missing] == ["x (1 missing)", "y (1 missing)", "z (1 missing)"]
    for s in missing:
        s.set_value("mean").run()
    at.radio(key=next(r.key for r in at.radio if r.key.startswith("up_scaling_"))).set_value(
        "standardise"
    ).run()
    _button(at, "Use this data").click().run()
    ds = _dataset(at)
    assert ds.n_samples == 11 and abs(ds.X.mean()) < 1e-9
    assert any("Filled missing values in: x, y, z" in n for n in ds.notes)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("image_renamed.csv", "This is a PNG image"),
        ("excel_renamed.csv", "Excel .xlsx workbook"),
        ("empty.csv", "The file is empty"),
        ("header_only.csv", "no data rows"),
        ("one_row.csv", "only one data row"),
        ("text_only.csv", "No numeric column"),
        ("wrong_delimiter.csv", "Only one column was found"),
        ("utf16_no_bom.csv", "UTF-16"),
    ],
)
def test_bad_upload_keeps_the_previous_dataset(name, message):
    at = _open()
    at.selectbox(key="gen_kind").set_value("moons").run()
    _button(at, "Generate").click().run()
    before = _dataset(at)
    _upload(at, DATA / "bad" / name)
    errors = [_plain(e.value) for e in at.error]
    assert any(message in e and "is still in use" in e for e in errors), errors
    assert _dataset(at) is before
    assert any(h.value == "Preview: Two moons" for h in at.subheader)


def test_bad_choice_after_upload_keeps_the_previous_dataset():
    at = _open()
    before = _dataset(at)
    _upload(at, DATA / "bad" / "infinite_values.csv")
    # the choices are checked as they are made: the message shows and the button is off
    assert any("infinite value(s)" in _plain(e.value) for e in at.error)
    assert _button(at, "Use this data").disabled
    assert _dataset(at) is before


def test_a_million_rows_are_previewed_as_a_sample():
    at = _open()
    at.number_input(key="gen_blobs_n_samples").set_value(1_000_000)
    _button(at, "Generate").click().run()
    assert not at.exception, at.exception
    assert _dataset(at).n_samples == 1_000_000
    assert sum(len(_values(t["x"])) for t in _spec(at)["data"]) == 5000
    assert any("sample of 5,000 of 1,000,000 points" in c.value for c in at.caption)


def test_upload_limits_are_stated_on_the_page():
    at = _open()
    assert any("Up to 150 MB, 1,000,000 rows and 500 columns" in c.value for c in at.caption)
    assert at.file_uploader(key="upload_file").proto.max_upload_size_mb == 150


@pytest.mark.parametrize(
    "name",
    [
        "trimmed_duplicate.csv",
        "exact_duplicate.csv",
        "case_duplicate.csv",
        "app_column_names.csv",
        "semicolon_many.csv",
    ],
)
def test_clashing_column_names_load_with_a_note(name):
    at = _open()
    _upload(at, DATA / "clashing" / name)
    assert not at.error, [e.value for e in at.error]
    expected = "names the exports use" if name == "app_column_names.csv" else "clashes with"
    assert any(expected in _plain(c.value) for c in at.caption)
    _button(at, "Use this data").click().run()
    assert not at.exception, at.exception
    ds = _dataset(at)
    assert ds.name == name and ds.source == "upload"
    assert len({f.casefold() for f in ds.feature_names}) == ds.n_features


# --- the analyst's path: defaults with reasons, undo, encodings, settings file, links -------

REAL = DATA / "real"


def _penguins(at: AppTest | None = None) -> AppTest:
    at = at or _open()
    return _upload(at, REAL / "penguins.csv")


def _suggestion_texts(at: AppTest) -> list[str]:
    return [_plain(m.value) for m in at.markdown if m.value.startswith("**") and " — " in m.value]


def test_penguins_defaults_are_shown_with_their_reasons():
    at = _penguins()
    texts = _suggestion_texts(at)
    assert any(t.startswith("**species**: the label — its name says") for t in texts)
    assert any(t.startswith("**Scaling**: standardised — spreads differ") for t in texts)
    assert any(t.startswith("**year**: left out — time-like") for t in texts)
    assert any("2 row(s) with a missing value" in t for t in texts)
    fid = next(m.key for m in at.multiselect if m.key.startswith("up_features_"))
    assert at.multiselect(key=fid).value == [
        "bill_length_mm",
        "bill_depth_mm",
        "flipper_length_mm",
        "body_mass_g",
    ]
    assert any("342 of 344 rows, 4 feature column(s)" in c.value for c in at.caption)
    _button(at, "Use this data").click().run()
    ds = _dataset(at)
    assert ds.n_samples == 342 and ds.class_names == ["Adelie", "Chinstrap", "Gentoo"]
    assert ds.origin.recipe["scaling"] == "standardise"
    sidebar = [c.value for c in at.sidebar.caption]
    assert any(c.startswith("Recipe: 4 numeric") and "2 row\\(s\\) left out" in c for c in sidebar)


def test_one_click_undoes_a_default_and_one_click_brings_it_back():
    at = _penguins()
    _button(at, "No label").click().run()
    assert next(s for s in at.selectbox if s.key.startswith("up_label_")).value == ""
    assert any("**species**: the label" in t and "changed" in t for t in _suggestion_texts(at))
    _button(at, "Use it as the label").click().run()
    assert next(s for s in at.selectbox if s.key.startswith("up_label_")).value == "species"
    _button(at, "Keep the units").click().run()
    assert next(r for r in at.radio if r.key.startswith("up_scaling_")).value == "none"
    # body mass in grams now carries nearly all the variance: the page says so
    assert any("'body_mass_g' carries" in _plain(w.value) for w in at.warning)


def test_a_text_column_one_hot_encoded_shows_its_encoded_columns():
    at = _penguins()
    island = next(b for b in at.button if b.label == "Use it (one-hot)" and b.key.endswith("_4"))
    island.click().run()
    assert not at.exception, at.exception
    enc = next(s for s in at.selectbox if s.label == "island")
    assert enc.value == "one-hot"
    draft = next(d.value for d in at.dataframe if "island=Biscoe" in d.value.columns)
    assert {"island=Dream", "island=Torgersen"} <= set(draft.columns)
    enc.set_value("ordinal").run()
    draft = next(d.value for d in at.dataframe if "island" in d.value.columns)
    assert "island=Biscoe" not in draft.columns
    _button(at, "Use this data").click().run()
    feats = _dataset(at).origin.recipe["features"]
    assert feats[0] == {"column": "island", "encoding": "ordinal", "missing": "drop"}


def test_missing_values_per_column_with_counts():
    at = _penguins()
    _button(at, "Fill in instead").click().run()
    boxes = [s for s in at.selectbox if s.key.startswith("up_missing_")]
    # Labels are markdown: the column names are escaped (bill\_length\_mm shows as typed).
    assert [s.label for s in boxes][:2] == [
        literal("bill_length_mm", 40) + " (2 missing)",
        literal("bill_depth_mm", 40) + " (2 missing)",
    ]
    assert {s.value for s in boxes} == {"median"}
    _button(at, "Use this data").click().run()
    assert _dataset(at).n_samples == 344


def _settings_for(name: str, run) -> bytes:
    from dashboard import csv_upload, export, upload_recipe
    from dashboard.runs import fit_run

    parsed = csv_upload.parse_csv((REAL / name).read_bytes())
    recipe = upload_recipe.make_recipe(
        parsed,
        name,
        ["island", "bill_length_mm", "flipper_length_mm"],
        label=None,
        scaling="min-max",
        missing={"bill_length_mm": "mean", "flipper_length_mm": "mean"},
    )
    ds = upload_recipe.build_dataset(parsed, name, recipe)
    model = fit_run(ds, run)
    return export.run_files(ds, run, model, "/animate").settings_json, ds


def test_settings_file_next_to_the_csv_reproduces_the_run():
    from dashboard.run_settings import RunSettings

    run = RunSettings(k=4, init="random", seed=7)
    data, expected = _settings_for("penguins.csv", run)
    at = _penguins()
    at.file_uploader(key="upload_settings_file").set_value(
        ("run_settings.json", data, "application/json")
    ).run()
    assert any("K = 4, init random, seed 7" in _plain(i.value) for i in at.info)
    _button(at, "Reproduce this run").click().run()
    assert not at.exception, at.exception
    ds = _dataset(at)
    assert ds.key == expected.key and ds.n_samples == 344
    assert at.session_state["k"] == 4 and at.session_state["init"] == "random"
    assert at.session_state["seed"] == 7
    assert at.sidebar.number_input(key="k").value == 4
    assert any("Reproduced the run" in s.value for s in at.success)


def test_a_settings_file_for_other_columns_gets_a_message():
    from dashboard.run_settings import RunSettings

    data, _ = _settings_for("penguins.csv", RunSettings(k=3, init="k-means++", seed=1))
    at = _upload(_open(), REAL / "customers_semicolon.csv")
    at.file_uploader(key="upload_settings_file").set_value(("s.json", data, "application/json"))
    at.run()
    assert any("which this CSV does not have" in _plain(e.value) for e in at.error)
    assert not any(b.label == "Reproduce this run" for b in at.button)


def test_a_link_made_from_an_upload_tells_the_recipient():
    at = open_page(
        "app_pages/data.py", query={"k": "4", "data": "upload", "data.file": "penguins.csv"}
    )
    assert not at.exception, at.exception
    notice = [_plain(i.value) for i in at.info if "uploaded file" in i.value]
    assert notice and "This link was made from an uploaded file (penguins.csv)" in notice[0]
    assert "upload it to reproduce the run" in notice[0]
    assert not at.warning  # not "this link could not be used"
    assert at.sidebar.number_input(key="k").value == 4
