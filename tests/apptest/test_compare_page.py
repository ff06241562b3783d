"""AppTest of the Compare page: loads clean, says "Identical", controls change the output."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.dataset import Dataset
from tests.apptest.app_runner import open_page

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "app_pages/compare.py"


def _open(query: dict[str, str] | None = None) -> AppTest:
    return open_page(PAGE, query=query)


@pytest.fixture
def at():
    return _open()


def _verdicts(app) -> list[str]:
    return [e.value for e in (*app.success, *app.warning, *app.info)]


def _table(app):
    return app.dataframe[0].value


def _specs(app):
    return [json.loads(c.proto.spec) for c in app.get("plotly_chart")]


def test_default_load_says_identical_in_words(at):
    assert not at.exception
    assert at.title[0].value == "Compare with scikit-learn"
    assert at.success, "same start on the default blobs must agree"
    sentence = at.success[0].value
    assert sentence.startswith("Identical: same labels on all 500 points")
    assert "both stopped after" in sentence
    table = _table(at)
    assert table.iloc[0]["kmeans_core"] == table.iloc[0]["scikit-learn"]  # inertia
    # kmeans_core, scikit-learn, disagreements + two confusion matrices (blobs have labels)
    titles = [s["layout"]["title"]["text"] for s in _specs(at)]
    assert titles[:3] == [
        "kmeans_core",
        "scikit-learn (coloured by matched cluster)",
        "Disagreements: none",
    ]
    assert titles[3].startswith("kmeans_core: accuracy")
    assert at.number_input(key="compare_n_init").disabled


def test_switching_mode_changes_the_output(at):
    at.radio(key="compare_mode").set_value("each its own k-means++").run()
    assert not at.exception
    assert not at.number_input(key="compare_n_init").disabled
    assert any("own k-means++ starts" in m.value for m in at.markdown)
    assert all("same start" not in m.value for m in at.markdown)
    assert any(v.startswith("Independent k-means++ starts") for v in _verdicts(at))
    assert not any(v.startswith("Identical:") for v in _verdicts(at))


def test_changing_n_init_changes_the_output():
    app = _open({"k": "8"})
    app.radio(key="compare_mode").set_value("each its own k-means++").run()
    app.toggle(key="compare_other_seed").set_value(True).run()
    one = _table(app).copy()
    assert any("best of `n_init=1`" in m.value for m in app.markdown)
    app.number_input(key="compare_n_init").set_value(10).run()
    assert not app.exception
    assert any("best of `n_init=10`" in m.value for m in app.markdown)
    ten = _table(app)
    # More restarts can only lower (or keep) each library's best inertia; with K = 8 on
    # 3 blobs the single runs are not the best of ten, so the table changes.
    assert float(ten.iloc[0]["kmeans_core"].replace(",", "")) <= float(
        one.iloc[0]["kmeans_core"].replace(",", "")
    )
    assert not ten.equals(one)


def _with_dataset(X: np.ndarray, k: int) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params["k"] = str(k)
    app.session_state["dataset"] = Dataset(
        name="tiny", X=X, feature_names=[f"f{i}" for i in range(X.shape[1])], source="upload"
    )
    app.run()
    app.switch_page(PAGE).run()
    return app


def test_k_larger_than_data_clamps_with_a_notice():
    app = _with_dataset(np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 5.0], [6.0, 6.0]]), 8)
    assert not app.exception
    assert any("using K = 4" in w.value for w in app.warning)
    assert app.success[0].value.startswith("Identical: same labels on all 4 points")
    assert all(h.value != "Against the true classes" for h in app.subheader)
    assert len(app.get("plotly_chart")) == 3


def test_duplicate_points_show_the_warnings_as_info():
    app = _with_dataset(np.ones((6, 1)), 3)  # one feature, all rows equal
    assert not app.exception
    infos = [i.value for i in app.info]
    assert any(i.startswith("**kmeans_core** warned: Number of distinct clusters") for i in infos)
    assert any(i.startswith("**scikit-learn** warned:") for i in infos)


def test_k1_on_the_default_data():
    app = _open({"k": "1"})
    assert not app.exception
    assert app.success[0].value.startswith("Identical:")
    table = _table(app)
    assert table[table.Measure.str.startswith("Points")].iloc[0]["Between the two"] == "0 of 500"


def test_fit_time_is_a_median_of_repeats_with_its_range(at):
    table = _table(at)
    row = table[table.Measure.str.startswith("Fit time")].iloc[0]
    assert row["Measure"] == "Fit time: median (fastest–slowest, runs)"
    # 500 points fit in milliseconds: several alternated runs each, the range shown.
    assert row["kmeans_core"].endswith(" runs)") and "–" in row["kmeans_core"]
    assert row["scikit-learn"].endswith(" runs)")
    verdict = row["Between the two"]
    assert verdict == "no clear winner: the ranges overlap" or "faster (median)" in verdict
