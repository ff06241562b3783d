"""AppTest for the Data page's Large file tab: fit on Dask, labels written, paths refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def data_root(tmp_path, monkeypatch) -> Path:
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(c, 0.5, size=(200, 2)) for c in (-5, 0, 5)])
    pd.DataFrame(X, columns=["a", "b"]).assign(tag="t").to_csv(tmp_path / "pts.csv", index=False)
    monkeypatch.setenv("KMEANS_EXPLORER_DATA_DIR", str(tmp_path))
    return tmp_path


def _open() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception, at.exception
    return at


def _fit(at: AppTest) -> AppTest:
    next(b for b in at.button if b.label == "Fit on Dask").click().run()
    assert not at.exception, at.exception
    return at


def test_a_csv_on_the_server_is_fitted_and_its_labels_written(data_root):
    at = _open()
    assert any("data directory" in c.value and str(data_root) in c.value for c in at.caption)
    at.text_input(key="large_pattern").set_value("pts.csv")
    _fit(at)
    assert not at.error
    source, fit = at.session_state["large_fit"]
    assert fit.n_rows == 600 and fit.model.n_clusters == 3
    assert [m.value for m in at.metric][:1] == ["600"]
    assert any("the fit used every row" in c.value for c in at.caption)
    assert source.left_out == ["tag"]
    next(b for b in at.button if b.label == "Write labels next to the data").click().run()
    assert not at.exception, at.exception
    assert (data_root / "pts_kmeans_labels.parquet").exists()
    assert any("Labels written" in s.value for s in at.success)
    assert any(str(data_root / "pts_kmeans_labels.parquet") in c.value for c in at.code)


def test_a_path_outside_the_data_directory_is_refused_and_the_dataset_kept(data_root):
    at = _open()
    before = at.session_state["dataset"].key
    at.text_input(key="large_pattern").set_value("../../etc/passwd")
    _fit(at)
    assert any("outside the data directory" in e.value for e in at.error)
    assert at.session_state["dataset"].key == before
    assert "large_fit" not in at.session_state


def test_generated_rows_are_fitted_out_of_core(data_root):
    at = _open()
    at.radio(key="large_kind").set_value("Generated out of core").run()
    at.number_input(key="large_rows").set_value(20_000)
    _fit(at)
    assert not at.error
    _, fit = at.session_state["large_fit"]
    assert fit.n_rows == 20_000
    assert any("5,000 of the 20,000 rows" in c.value for c in at.caption)
