"""AppTest of the Animate page: loads clean, its chart has frames, controls change them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from dashboard.dataset import Dataset
from tests.apptest.app_runner import open_page

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "app_pages/animate.py"


@pytest.fixture
def at():
    return open_page(PAGE)


def spec(app) -> dict:
    charts = app.get("plotly_chart")
    assert charts, "no chart on the page"
    return json.loads(charts[0].proto.spec)


def centroid_count(s: dict) -> int:
    """Centroids drawn in the first frame (the trace with the 'relocated' texts)."""
    (centroids,) = [d for d in s["frames"][0]["data"] if "text" in d]
    return len(centroids["text"])


def _use(app, ds: Dataset):
    app.session_state["dataset"] = ds
    return app.run()


def test_default_load_raises_nothing_and_has_frames(at):
    assert not at.exception
    assert at.title[0].value.startswith("Animate")
    s = spec(at)
    assert len(s["frames"]) >= 3
    assert s["layout"]["updatemenus"][0]["buttons"][0]["label"] == "▶ Play"
    assert len(s["layout"]["sliders"][0]["steps"]) == len(s["frames"])
    # Default: 3 blobs in 2-D, so three Voronoi cells are drawn.
    assert sum(1 for d in s["data"] if d.get("fill") == "toself") == 3
    assert centroid_count(s) == 3
    assert "Start" in s["layout"]["title"]["text"]


def test_k_changes_the_frames(at):
    at.sidebar.number_input(key="k").set_value(5).run()
    assert not at.exception
    assert centroid_count(spec(at)) == 5


def test_max_iter_changes_the_frames(at):
    at.sidebar.selectbox(key="init").set_value("random").run()
    before = len(spec(at)["frames"])
    at.number_input(key="anim_max_iter").set_value(1).run()
    assert not at.exception
    s = spec(at)
    # One iteration: start, assign, update, final assign.
    assert len(s["frames"]) == 4 < before
    assert "iteration limit (1)" in s["frames"][-1]["layout"]["title"]["text"]


def test_init_changes_the_frames(at):
    first = spec(at)["frames"][0]["data"]
    at.sidebar.selectbox(key="init").set_value("random").run()
    assert not at.exception
    second = spec(at)["frames"][0]["data"]
    assert first != second
    assert "random" in spec(at)["frames"][0]["layout"]["title"]["text"]


def test_k_above_n_gives_a_notice(at):
    X = np.arange(8, dtype=float).reshape(4, 2)
    _use(at, Dataset("four rows", X, ["a", "b"]))
    at.sidebar.number_input(key="k").set_value(10).run()
    assert not at.exception
    assert any("more than the 4 rows" in w.value for w in at.warning)
    assert centroid_count(spec(at)) == 4


def test_many_features_use_pca_and_say_why_no_regions(at):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 6))
    _use(at, Dataset("six features", X, [f"f{i}" for i in range(6)]))
    assert not at.exception
    s = spec(at)
    assert not any(d.get("fill") == "toself" for d in s["data"])
    assert any("No Voronoi regions" in c.value for c in at.caption)
    assert any("PCA" in c.value for c in at.caption)


def test_one_feature_works(at):
    X = np.concatenate([np.zeros(20), np.ones(20) * 5]).reshape(-1, 1)
    _use(at, Dataset("one feature", X, ["x"]))
    assert not at.exception
    assert len(spec(at)["frames"]) >= 3


def test_large_data_plots_a_sample_with_a_note(at):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20_000, 2))
    _use(at, Dataset("big", X, ["a", "b"]))
    assert not at.exception
    assert any("sample of 5,000 of 20,000" in c.value for c in at.caption)
    points = [d for d in spec(at)["data"] if d.get("name") == "points"][0]
    assert points["x"]["dtype"] == "f4"  # typed array, 5,000 values


def test_empty_cluster_relocation_is_shown(at):
    # Two tight pairs and a third centroid picked far away: it gets no point.
    X = np.array([[0.0, 0.0], [0.1, 0.0], [10.0, 0.0], [10.1, 0.0]])
    _use(at, Dataset("pairs", X, ["a", "b"]))
    at.radio(key="anim_start").set_value("click").run()
    assert any("Click 3 starting centroids" in i.value for i in at.info)
    assert "frames" not in spec(at) or not spec(at)["frames"]
    # Simulate three clicks: two on points, one on empty space far to the right.
    picks = at.session_state["anim_picks"]
    picks["points"] = [(0.0, 0.0, 0), (10.0, 0.0, 2), (50.0, 0.0, None)]
    at.session_state["anim_picks"] = picks
    at.run()
    assert not at.exception
    s = spec(at)
    assert "your clicks" in s["frames"][0]["layout"]["title"]["text"]
    assert any("Empty clusters happened" in w.value for w in at.warning)
    assert any("relocated" in f["layout"]["title"]["text"] for f in s["frames"])


def test_step_buttons_move_the_shown_frame(at):
    assert spec(at)["layout"]["sliders"][0]["active"] == 0
    at.button(key="anim_forward").click().run()
    assert not at.exception
    assert spec(at)["layout"]["sliders"][0]["active"] == 1
    assert any("frame **1 of" in c.value for c in at.caption)
    at.button(key="anim_back").click().run()
    assert spec(at)["layout"]["sliders"][0]["active"] == 0


def test_a_million_rows_run_in_full_and_plot_a_sample(at):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(1_000_000, 2)) + rng.integers(0, 3, size=(1_000_000, 1)) * 6.0
    _use(at, Dataset("million", X, ["a", "b"]))
    assert not at.exception
    assert any("sample of 5,000 of 1,000,000" in c.value for c in at.caption)
    s = spec(at)
    # The first assignment labels all million rows, not just the sample.
    assert "each of the 1,000,000 points" in s["frames"][1]["layout"]["title"]["text"]
    assert len(json.dumps(s)) < 3_000_000
