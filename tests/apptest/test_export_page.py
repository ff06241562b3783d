"""Export & share page (AppTest): downloads, K changes the centers, links applied by app.py."""

from __future__ import annotations

import io
import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from dashboard.dataset import Dataset
from tests.apptest.app_runner import open_page

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "app_pages/export.py"


class _RecordingStorage(MemoryMediaFileStorage):
    """AppTest's in-memory media storage, kept so a test can read what was offered."""

    instances: list[_RecordingStorage] = []

    def __init__(self, media_endpoint: str) -> None:
        super().__init__(media_endpoint)
        _RecordingStorage.instances.append(self)


@pytest.fixture
def media(monkeypatch):
    """Read the bytes behind a download button (AppTest drops its storage after each run)."""
    _RecordingStorage.instances = []
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", _RecordingStorage)

    def read(button) -> bytes:
        file_id = Path(urlsplit(button.proto.url).path).stem
        storage = _RecordingStorage.instances[-1]
        return storage.get_file(file_id).content

    return read


def _export_page(**query: str) -> AppTest:
    return open_page(PAGE, query=query)


def _button(at: AppTest, key: str):
    return next(b for b in at.get("download_button") if b.proto.id.endswith(key))


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_default_load_shows_every_download_and_a_complete_link(media):
    at = _export_page()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Data + clusters", "Centers", "Centers (scaled)", "History", "Settings"]
    assert _metrics(at)["Rows"] == "500" and _metrics(at)["K"] == "3"
    url = at.code[0].value
    query = dict(parse_qsl(urlsplit(url).query))
    assert query == {
        "k": "3",
        "init": "k-means++",
        "seed": "42",
        "data": "blobs",
        "data.n_samples": "500",
        "data.centers": "3",
        "data.n_features": "2",
        "data.cluster_std": "1.0",
    }
    assert urlsplit(url).path.endswith("/animate")
    settings = json.loads(media(_button(at, "download_settings")))
    assert settings["k"] == 3 and settings["seed"] == 42
    assert settings["inertia"] == pytest.approx(float(_metrics(at)["Inertia"]), rel=1e-5)


def test_changing_k_changes_the_exported_centers(media):
    at = _export_page()
    before = pd.read_csv(io.BytesIO(media(_button(at, "download_centers"))))
    assert before["cluster"].tolist() == [0, 1, 2]
    assert before["n_points"].sum() == 500

    at.sidebar.number_input(key="k").set_value(5).run()
    assert not at.exception
    after = pd.read_csv(io.BytesIO(media(_button(at, "download_centers"))))
    assert after["cluster"].tolist() == [0, 1, 2, 3, 4]
    assert after["n_points"].sum() == 500
    history = pd.read_csv(io.BytesIO(media(_button(at, "download_history"))))
    assert len(history) % 5 == 0 and set(history["cluster"]) == {0, 1, 2, 3, 4}
    assert "k=5" in at.code[0].value
    assert _metrics(at)["K"] == "5"


def test_link_target_page_can_be_chosen():
    at = _export_page()
    at.selectbox(key="export_link_page").set_value("Compare").run()
    assert urlsplit(at.code[0].value).path.endswith("/compare")


def test_incoming_link_rebuilds_the_dataset_and_run():
    at = _export_page(
        k="4",
        init="random",
        seed="7",
        data="blobs",
        **{"data.n_samples": "300", "data.centers": "5", "data.n_features": "3"},
        **{"data.cluster_std": "0.5"},
    )
    assert not at.exception and not at.warning
    ds = at.session_state["dataset"]
    assert ds.name == "Blobs (5 centers)" and ds.n_samples == 300 and ds.n_features == 3
    assert ds.recipe["seed"] == 7
    assert _metrics(at)["K"] == "4"
    query = dict(parse_qsl(urlsplit(at.code[0].value).query))
    assert query["data.n_samples"] == "300" and query["init"] == "random"


def test_link_is_applied_once_so_a_later_dataset_choice_sticks():
    at = _export_page(data="moons", **{"data.n_samples": "200", "data.noise": "0.1"})
    assert at.session_state["dataset"].name == "Two moons"
    # What the Data page does when the user picks other data; the link's params stay in the URL.
    at.session_state["dataset"] = Dataset(
        name="mine.csv", X=np.arange(20.0).reshape(10, 2), feature_names=["a", "b"], source="upload"
    )
    at.run()
    assert at.session_state["dataset"].name == "mine.csv"


def test_malformed_link_gives_defaults_and_a_notice_until_dismissed():
    bad_data = {"data.n_samples": "-5", "data.centers": "3", "data.n_features": "2"}
    at = _export_page(k="lots", init="bogus", data="blobs", **bad_data, **{"data.cluster_std": "1"})
    assert not at.exception
    text = at.warning[0].value
    assert "“lots”" in text and "“bogus”" in text and "n\\_samples" in text
    assert at.session_state["dataset"].name == "Blobs (3 centers)"
    assert at.session_state["dataset"].n_samples == 500
    at.button(key="_share_link_dismiss").click().run()
    assert not at.warning


def test_uploaded_data_says_it_cannot_travel_in_a_link():
    at = _export_page()
    at.session_state["dataset"] = Dataset(
        name="mine.csv", X=np.arange(20.0).reshape(10, 2), feature_names=["a", "b"], source="upload"
    )
    at.run()
    assert not at.exception
    assert any("This link cannot carry the file" in i.value for i in at.info)
    query = dict(parse_qsl(urlsplit(at.code[0].value).query))
    assert query["data"] == "upload" and query["data.file"] == "mine.csv"
    assert set(query) == {"k", "init", "seed", "data", "data.file"}


def test_k_above_the_number_of_rows_is_clamped_with_a_warning():
    at = _export_page()
    at.session_state["dataset"] = Dataset(
        name="tiny", X=np.array([[0.0], [1.0], [5.0]]), feature_names=["x"], source="upload"
    )
    at.sidebar.number_input(key="k").set_value(8).run()
    assert not at.exception
    assert any("using K = 3" in w.value for w in at.warning)
    assert _metrics(at)["K"] == "3"


def test_malformed_run_setting_alone_gives_a_notice():
    at = _export_page(k="0")
    assert not at.exception
    assert "“0”" in at.warning[0].value and "using K = 3." in at.warning[0].value
    assert at.session_state["dataset"].name == "Blobs (3 centers)"


def test_a_different_link_in_the_same_session_is_applied():
    at = _export_page(data="moons", **{"data.n_samples": "200", "data.noise": "0.1"})
    assert at.session_state["dataset"].name == "Two moons"
    at.query_params.clear()
    at.query_params["data"] = "circles"
    at.query_params["data.n_samples"] = "120"
    at.query_params["data.noise"] = "0.05"
    at.query_params["data.factor"] = "0.5"
    at.run()
    assert not at.exception
    ds = at.session_state["dataset"]
    assert ds.name == "Circles" and ds.n_samples == 120


def _penguins_dataset():
    from dashboard import csv_upload, upload_recipe

    path = Path(__file__).resolve().parents[1] / "data" / "real" / "penguins.csv"
    parsed = csv_upload.parse_csv(path.read_bytes())
    return upload_recipe.build_dataset(
        parsed, "penguins.csv", upload_recipe.default_recipe(parsed, "penguins.csv")
    )


def test_uploaded_data_exports_every_row_in_original_units(media):
    at = open_page(PAGE, session={"dataset": _penguins_dataset()})
    assert not at.exception, at.exception
    assert any("344 rows, one per row of the file" in c.value for c in at.caption)
    assert any("The 2 row(s) left out have an empty cluster" in c.value for c in at.caption)
    centers = pd.read_csv(io.BytesIO(media(_button(at, "download_centers_original"))))
    assert list(centers.columns) == [
        "cluster",
        "n_points",
        "bill_length_mm",
        "bill_depth_mm",
        "flipper_length_mm",
        "body_mass_g",
    ]
    assert centers["n_points"].sum() == 342
    assert centers["body_mass_g"].between(3000, 6000).all()  # grams, not z-scores
    scaled = pd.read_csv(io.BytesIO(media(_button(at, "download_centers"))))
    assert scaled["body_mass_g"].abs().max() < 3
    settings = json.loads(media(_button(at, "download_settings")))
    assert settings["recipe"]["label"] == "species"
    assert settings["recipe"]["scaling"] == "standardise"
    assert settings["recipe"]["source"]["n_rows"] == 344
    link = urlsplit(settings["share_link"])
    assert link.path.endswith("/animate")
    assert dict(parse_qsl(link.query))["data"] == "upload"
    assert any("This link cannot carry the file" in i.value for i in at.info)
    assert any(c.value.startswith("Recipe: 4 numeric") for c in at.caption)
