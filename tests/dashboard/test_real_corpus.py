"""The real-data corpus (tests/data/real, see its README): defaults, exports, settings.json."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from dashboard import column_roles as cr
from dashboard import csv_upload as cu
from dashboard import encoding as enc
from dashboard import export, settings_file, upload_recipe
from dashboard.run_settings import RunSettings
from dashboard.runs import fit_run

REAL = Path(__file__).resolve().parents[1] / "data" / "real"
FILES = {  # file -> how pandas reads the original (for comparing values)
    "penguins.csv": {},
    "customers_semicolon.csv": {"sep": ";", "decimal": ","},
    "countries_population.csv": {},
    "shop_sessions_mixed.csv": {},
}
RUN = RunSettings(k=3, init="k-means++", seed=42)


def _defaults(name: str):
    parsed = cu.parse_csv((REAL / name).read_bytes())
    return parsed, cr.suggest(parsed)


def _default_dataset(name: str):
    parsed, d = _defaults(name)
    return parsed, upload_recipe.build_dataset(
        parsed, name, upload_recipe.default_recipe(parsed, name, d)
    )


def test_every_real_file_is_covered():
    assert sorted(p.name for p in REAL.glob("*.csv")) == sorted(FILES)


def test_penguins_defaults():
    parsed, d = _defaults("penguins.csv")
    assert parsed.n_rows == 344
    assert d.features == ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
    assert d.label == "species"
    assert d.left_out["year"].startswith("time-like")
    assert d.encodable == ["island", "sex"]
    assert d.scaling == "standardise" and "body_mass_g" in d.scaling_reason
    assert set(d.missing.values()) == {"drop"}
    ds = upload_recipe.build_dataset(parsed, "p", upload_recipe.default_recipe(parsed, "p", d))
    assert ds.n_samples == 342 and ds.class_names == ["Adelie", "Chinstrap", "Gentoo"]
    assert ds.origin.warnings == ()
    model = fit_run(ds, RUN)
    # the three species come out as the three clusters (published data: ARI about 0.8-0.9)
    assert adjusted_rand_score(ds.true_labels, model.labels_) > 0.8


def test_semicolon_customers_defaults():
    parsed, d = _defaults("customers_semicolon.csv")
    assert parsed.delimiter == ";" and any("decimal commas" in n for n in parsed.notes)
    assert "id-like" in d.left_out["customer_id"]
    assert d.features == ["age", "income_k_eur", "yearly_spend_eur", "visits_per_month"]
    assert d.label is None and d.scaling == "standardise"
    _, ds = _default_dataset("customers_semicolon.csv")
    sizes = np.sort(np.bincount(fit_run(ds, RUN).labels_))
    # the three segments of 60, 80 and 100 customers
    np.testing.assert_allclose(sizes, [60, 80, 100], atol=4)


def test_population_would_dominate_unscaled_and_the_defaults_prevent_it():
    parsed, d = _defaults("countries_population.csv")
    assert d.scaling == "standardise" and d.scaling_reason.split(" (")[1].startswith("pop")
    assert "cannot be encoded" in d.left_out["country"]
    assert d.left_out["year"].startswith("time-like")
    _, ds = _default_dataset("countries_population.csv")
    assert ds.origin.warnings == ()
    unscaled = upload_recipe.build_from_choices(parsed, "c", d.features, scaling="none")
    assert (
        len(unscaled.origin.warnings) == 1 and "'pop' carries 100%" in unscaled.origin.warnings[0]
    )


def test_mixed_categorical_defaults_and_a_weighted_one_hot():
    parsed, d = _defaults("shop_sessions_mixed.csv")
    assert d.left_out["session_date"].startswith("time-like")
    assert d.encodable == ["channel", "device", "plan"]
    assert d.features == ["minutes", "pages_viewed", "items_in_basket", "basket_eur"]
    recipe = upload_recipe.make_recipe(
        parsed,
        "s",
        ["channel", "plan", *d.features],
        scaling="standardise",
        encodings={"channel": "one-hot", "plan": "ordinal"},
    )
    ds = upload_recipe.build_dataset(parsed, "s", recipe)
    shares = enc.variance_shares(ds.X, ds.origin.encoding)
    # six feature columns, each a sixth: the 5-level channel does not outweigh the numbers
    assert shares["channel"] == pytest.approx(1 / 6)
    assert ds.n_features == 5 + 1 + 4
    centers = export.centers_original_frame(ds, fit_run(ds, RUN).cluster_centers_, None)
    assert set(centers["plan"]) <= {"basic", "free", "premium"}
    assert set(centers["channel"]) <= {"app", "partner", "phone", "store", "web"}


@pytest.mark.parametrize("name", sorted(FILES))
def test_labelled_export_round_trips(name):
    parsed, ds = _default_dataset(name)
    model = fit_run(ds, RUN)
    back = pd.read_csv(io.BytesIO(export.labelled_csv(ds, model.labels_)))
    original = pd.read_csv(REAL / name, **FILES[name])
    assert len(back) == len(original) == parsed.n_rows
    assert back["row"].tolist() == list(range(1, len(original) + 1))
    pd.testing.assert_frame_equal(
        back[list(original.columns)], original, check_dtype=False, check_exact=True
    )
    used = back["cluster"].notna()
    assert used.sum() == ds.n_samples
    assert back["left_out_reason"].notna().tolist() == (~used).tolist()
    np.testing.assert_array_equal(back.loc[used, "cluster"].astype(int), model.labels_)


def test_penguins_left_out_rows_are_present_with_their_reason():
    _, ds = _default_dataset("penguins.csv")
    df = export.labelled_frame(ds, fit_run(ds, RUN).labels_)
    left = df[df["cluster"].isna()]
    assert left["row"].tolist() == [4, 272]
    assert left["left_out_reason"].iloc[0].startswith("missing value in bill_length_mm")
    text = export.labelled_csv(ds, fit_run(ds, RUN).labels_).decode("utf-8-sig")
    assert text.splitlines()[1].startswith('1,"Adelie","Biscoe",41.2,18.3,186,3400,"female",2007,')


@pytest.mark.parametrize("name", sorted(FILES))
def test_settings_json_reproduces_the_labelled_file_byte_for_byte(name):
    data = (REAL / name).read_bytes()
    parsed, ds = _default_dataset(name)
    run = RunSettings(k=4, init="random", seed=7)
    model = fit_run(ds, run)
    files = export.run_files(ds, run, model, "http://host/animate?k=4")
    labelled = export.labelled_csv(ds, model.labels_)

    settings = json.loads(files.settings_json)
    for key in ("recipe", "k", "init", "seed", "max_iter", "tol", "share_link"):
        assert key in settings
    assert settings["share_link"].startswith("http://")
    assert settings["recipe"]["source"]["sha256"] == parsed.sha256

    # a fresh session: the same file and the settings file, nothing else
    loaded = settings_file.for_upload(
        settings_file.read_settings(files.settings_json), cu.parse_csv(data)
    )
    assert loaded.notes == [] and loaded.run == run
    again = upload_recipe.build_dataset(cu.parse_csv(data), name, loaded.recipe)
    assert export.labelled_csv(again, fit_run(again, loaded.run).labels_) == labelled
    assert again.key == ds.key


def test_settings_file_from_another_file_or_for_generated_data():
    parsed, ds = _default_dataset("penguins.csv")
    files = export.run_files(ds, RUN, fit_run(ds, RUN), "u")
    settings = settings_file.read_settings(files.settings_json)
    other = cu.parse_csv((REAL / "penguins.csv").read_bytes().replace(b"41.2", b"41.3", 1))
    assert "made from another file" in settings_file.for_upload(settings, other).notes[0]
    with pytest.raises(settings_file.SettingsFileError, match="which this CSV does not have"):
        settings_file.for_upload(
            settings, cu.parse_csv((REAL / "shop_sessions_mixed.csv").read_bytes())
        )
    with pytest.raises(settings_file.SettingsFileError, match="not an uploaded file"):
        settings_file.for_upload({**settings, "dataset_source": "generated"}, parsed)
    with pytest.raises(settings_file.SettingsFileError, match="not a JSON settings file"):
        settings_file.read_settings(b"\x89PNG")
    with pytest.raises(settings_file.SettingsFileError, match="K"):
        settings_file.for_upload({**settings, "k_requested": 0}, parsed)


def test_row_reasons_name_every_empty_column():
    df = pd.DataFrame({"a": [1.0, np.nan, np.nan, 4.0], "b": [np.nan, 2.0, np.nan, 4.0]})
    reasons = upload_recipe.row_reasons(df, ["a", "b"])
    assert reasons.tolist() == [
        "missing value in b",
        "missing value in a",
        "missing value in a, b",
        "",
    ]
    assert upload_recipe.row_reasons(df, ["a"]).tolist() == [
        "",
        "missing value in a",
        "missing value in a",
        "",
    ]


def test_settings_file_notes_another_max_iter_or_tol():
    parsed, ds = _default_dataset("penguins.csv")
    settings = settings_file.read_settings(
        export.run_files(ds, RUN, fit_run(ds, RUN), "u").settings_json
    )
    assert settings["recipe"]["source"]["columns"] == list(parsed.frame.columns)
    loaded = settings_file.for_upload({**settings, "max_iter": 50}, parsed)
    assert "max_iter=300" in loaded.notes[0]
