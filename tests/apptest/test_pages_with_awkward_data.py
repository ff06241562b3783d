"""Every page with awkward data: no traceback, whatever the dataset and K (AppTest)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import page_registry
from dashboard.dataset import Dataset

APP = str(Path(__file__).resolve().parents[2] / "app.py")
# Every page of the app, from the one page list: a new page is covered without an edit here.
PAGES = [spec.script for spec in page_registry.PAGES]
RNG = np.random.default_rng(0)
DATASETS = {
    "one row": Dataset("one row", np.array([[1.0, 2.0]]), ["a", "b"], source="upload"),
    "identical points": Dataset("same", np.ones((6, 2)), ["a", "b"], source="upload"),
    "one feature": Dataset("1-D", RNG.normal(size=(40, 1)), ["only"], source="upload"),
    "many features": Dataset(
        "wide", RNG.normal(size=(120, 60)), [f"f{i}" for i in range(60)], source="upload"
    ),
    "labels, K > classes": Dataset(
        "tiny labelled",
        RNG.normal(size=(9, 3)),
        ["a", "b", "c"],
        true_labels=np.array([0, 0, 0, 1, 1, 1, 2, 2, 2]),
        class_names=["x", "y", "z"],
        source="upload",
    ),
}


@pytest.mark.parametrize("dataset_name", list(DATASETS))
@pytest.mark.parametrize("page_file", PAGES)
def test_page_survives_awkward_data_and_large_k(page_file, dataset_name):
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["dataset"] = DATASETS[dataset_name]
    at.query_params["k"] = "12"  # more clusters than several of these datasets have rows
    at.run()
    at.switch_page(page_file).run()
    assert not at.exception, [e.message for e in at.exception]
    # The dataset the user loaded is still the current one.
    assert at.session_state["dataset"].name == DATASETS[dataset_name].name


def test_export_page_says_when_clusters_got_no_points():
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["dataset"] = DATASETS["identical points"]
    at.run()
    at.switch_page("app_pages/export.py").run()
    assert any("clusters got any points" in i.value for i in at.info)
