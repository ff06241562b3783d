"""The app frame: navigation, sidebar run settings and the shared dataset (AppTest)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

PAGE_FILES = [
    "app_pages/home.py",
    "app_pages/data.py",
    "app_pages/animate.py",
    "app_pages/choose_k.py",
    "app_pages/compare.py",
    "app_pages/speed.py",
    "app_pages/export.py",
]


APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=120)


def test_fresh_session_has_default_dataset_and_settings():
    at = _app().run()
    assert not at.exception
    ds = at.session_state["dataset"]
    assert ds.n_samples == 500 and ds.n_classes == 3
    sidebar_text = " ".join(m.value for m in at.sidebar.markdown)
    assert "Blobs (3 centers)" in sidebar_text
    assert at.sidebar.number_input(key="k").value == 3
    assert at.sidebar.selectbox(key="init").value == "k-means++"


def test_seed_change_regenerates_a_generated_dataset():
    at = _app().run()
    before = at.session_state["dataset"].X.copy()
    at.sidebar.number_input(key="seed").set_value(7).run()
    after = at.session_state["dataset"]
    assert after.recipe["seed"] == 7
    assert not np.array_equal(before, after.X)


def test_query_params_initialise_the_run_settings():
    at = _app()
    at.query_params["k"] = "5"
    at.query_params["seed"] = "11"
    at.run()
    assert at.sidebar.number_input(key="k").value == 5
    assert at.session_state["dataset"].recipe["seed"] == 11


@pytest.mark.parametrize("page_file", PAGE_FILES)
def test_every_page_runs_in_a_fresh_session(page_file):
    at = _app().run()
    at.switch_page(page_file).run()
    assert not at.exception, at.exception
    # The sidebar summary is drawn on every page.
    assert any("rows" in c.value for c in at.sidebar.caption)
