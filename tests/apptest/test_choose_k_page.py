"""AppTest of the Choose K page: default load, controls change the output, awkward data."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import choose_k as ck
from dashboard.dataset import Dataset
from tests.apptest.app_runner import open_page

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "app_pages/choose_k.py"


def _open(dataset: Dataset | None = None) -> AppTest:
    at = open_page(PAGE, session={"dataset": dataset} if dataset is not None else None)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _upload(X, name: str = "test data") -> Dataset:
    X = np.asarray(X, dtype=float)
    names = [f"f{i}" for i in range(X.shape[1])]
    return Dataset(name=name, X=X, feature_names=names, source="upload")


def _chart(at: AppTest, i: int) -> dict:
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def _values(v) -> list:
    """Plotly 7 sends numpy arrays as typed arrays ({"dtype", "bdata"}): decode them."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _texts(at: AppTest) -> str:
    parts = [
        e.value
        for kind in ("markdown", "caption", "info", "warning", "error")
        for e in getattr(at, kind)
    ]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def default_page() -> AppTest:
    return _open()


def test_default_load(default_page):
    at = default_page
    assert _metric(at, "Recommended K") == "3"
    assert _metric(at, "True classes") == "3"  # the default blobs carry their labels
    assert len(at.get("plotly_chart")) == 4  # elbow, metrics, trust checks, silhouette diagram
    elbow = _chart(at, 0)
    mean = next(t for t in elbow["data"] if t.get("name") == "WCSS (mean of restarts)")
    assert _values(mean["x"]) == list(range(1, 11))  # default K range 1–10
    assert "agree (5 of 5 criteria) — strong agreement" in _texts(at)
    assert "At K = 3 the clustering is stable" in _texts(at)
    assert "The knee (kneed, S = 1) is at K = 3." in _texts(at)


def test_changing_k_range_changes_elbow(default_page):
    at = default_page
    at.slider(key="choose_k_range").set_value((2, 6)).run()
    assert not at.exception
    elbow = _chart(at, 0)
    mean = next(t for t in elbow["data"] if t.get("name") == "WCSS (mean of restarts)")
    assert _values(mean["x"]) == [2, 3, 4, 5, 6]
    at.slider(key="choose_k_range").set_value((1, 10)).run()  # leave the module fixture as found


def test_high_sensitivity_gives_no_knee(default_page):
    at = default_page
    at.slider(key="choose_k_s").set_value(10.0).run()
    assert not at.exception
    assert "No knee found at sensitivity S = 10" in _texts(at)
    elbow = _chart(at, 0)
    assert not [t for t in elbow["data"] if str(t.get("name", "")).startswith("knee")]
    assert any(a.get("text") == "No knee found" for a in elbow["layout"]["annotations"])
    # The three metrics still agree on K = 3 without the knee's vote.
    assert _metric(at, "Recommended K") == "3"
    assert "No vote from the knee" in _texts(at)
    at.slider(key="choose_k_s").set_value(1.0).run()


def test_diagram_k_changes_knife_plot(default_page):
    at = default_page
    at.select_slider(key="choose_k_diag").set_value(5).run()
    assert not at.exception
    knife = _chart(at, 3)
    assert [t["name"].split(" (")[0] for t in knife["data"]] == [f"cluster {c}" for c in range(5)]


def test_log_toggle_changes_axis(default_page):
    at = default_page
    at.toggle(key="choose_k_log").set_value(True).run()
    assert _chart(at, 0)["layout"]["yaxis"]["type"] == "log"
    at.toggle(key="choose_k_log").set_value(False).run()
    assert _chart(at, 0)["layout"]["yaxis"].get("type") != "log"


def test_restarts_shown_in_band_legend(default_page):
    at = default_page
    at.number_input(key="choose_k_n_init").set_value(2).run()
    elbow = _chart(at, 0)
    assert any(t.get("name") == "spread of 2 restarts (min–max)" for t in elbow["data"])


@pytest.mark.parametrize(
    ("X", "expected"),
    [
        ([[1.0, 2.0]], "only 1 row"),
        ([[1.0, 2.0], [3.0, 4.0]], "only 2 rows"),
        (np.ones((30, 2)), "All points are identical"),
    ],
    ids=["one row", "two rows", "identical points"],
)
def test_degenerate_data_explained_without_traceback(X, expected):
    at = _open(_upload(X))
    assert _metric(at, "Recommended K") == "—"
    text = _texts(at)
    assert expected in text
    assert "No recommendation" in text
    assert "No silhouette diagram" in text


def test_one_feature_and_k_beyond_rows():
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(0, 0.1, 4), rng.normal(5, 0.1, 4)][:, None]  # 8 rows, 1 feature
    at = _open(_upload(X, "one feature"))
    assert "only 8 rows; sweeping K = 1–8" in _texts(at)
    assert _metric(at, "Recommended K") == "2"
    assert not [m for m in at.metric if m.label == "True classes"]  # no labels, no metric


def test_sampling_note_above_threshold():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(ck.SILHOUETTE_MAX_ROWS + 100, 2))
    at = _open(_upload(X, "many rows"))
    at.slider(key="choose_k_range").set_value((1, 4)).run()
    assert not at.exception
    assert f"stratified sample of about {ck.SILHOUETTE_MAX_ROWS:,}" in _texts(at)


def test_use_recommended_k_sets_the_sidebar_k():
    at = open_page(PAGE, query={"k": "5"})
    assert not at.exception
    assert at.number_input(key="k").value == 5
    button = at.button(key="choose_k_use_recommended")
    assert button.label == "Use K = 3 in the sidebar"
    button.click().run()
    assert not at.exception
    assert at.number_input(key="k").value == 3
    assert at.session_state["k"] == 3
    assert "The sidebar uses K = 3." in [s.value for s in at.success]
    assert not [b for b in at.button if b.key == "choose_k_use_recommended"]
    # Every page now runs with K = 3: the Clusters page profiles three clusters.
    at.switch_page("app_pages/clusters.py").run()
    assert not at.exception
    assert "**Cluster 2** · " in _texts(at) and "**Cluster 3**" not in _texts(at)


def test_trust_checks_can_be_switched_off(default_page):
    at = default_page
    at.toggle(key="choose_k_trust").set_value(False).run()
    assert not at.exception
    text = _texts(at)
    assert "Can I trust this K?" not in [h.value for h in at.subheader]
    assert "(4 of 4 criteria)" in text and "gap statistic" not in text.split("\n")[0]
    assert len(at.get("plotly_chart")) == 3
    at.toggle(key="choose_k_trust").set_value(True).run()
    assert "Can I trust this K?" in [h.value for h in at.subheader]


def test_trust_chart_shows_stability_and_gap(default_page):
    trust = _chart(default_page, 2)
    names = [t.get("name") for t in trust["data"]]
    assert "stability (mean ARI ± sd)" in names
    assert "gap statistic (± s)" in names
    assert "gap statistic best K = 3" in names
    text = _texts(default_page)
    assert "Stability: 10 K-Means fits per K" in text
    assert "against 10 uniform reference sets" in text


def test_range_starting_past_the_best_k_says_try_a_wider_range(default_page):
    at = default_page
    at.slider(key="choose_k_range").set_value((4, 8)).run()
    assert not at.exception
    assert "try a wider range" in _texts(at)
    assert "the smallest K swept" in _texts(at)
    at.slider(key="choose_k_range").set_value((1, 10)).run()
