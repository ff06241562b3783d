"""AppTest of the Animate page: what it hands the browser player, and what it does with replies."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dashboard.dataset import Dataset
from tests.apptest.app_runner import open_page

PAGE = "app_pages/animate.py"
PLAYER_KEY = "anim_player"


@pytest.fixture
def at():
    return open_page(PAGE)


def player_args(app) -> dict:
    """The arguments the page passed to the browser player."""
    players = app.get("component_instance")
    assert players, "no player on the page"
    return json.loads(players[0].proto.json_args)


def names(args: dict) -> list[str]:
    return [t["name"] for t in args["data"]["scatter"]["data"]]


def centroid_count(args: dict) -> int:
    return len(args["data"]["frames"][0]["traces"]["centroids"]["x"])


def _use(app, ds: Dataset):
    app.session_state["dataset"] = ds
    return app.run()


def _send(app, value: dict):
    """What the player's setComponentValue does: a new value under its key, then a rerun."""
    app.session_state[PLAYER_KEY] = value
    return app.run()


def test_default_load_hands_the_player_every_frame(at):
    assert not at.exception
    assert at.title[0].value.startswith("Animate")
    args = player_args(at)
    assert len(args["data"]["frames"]) >= 3
    # Default: 3 blobs in 2-D, so three regions are drawn.
    assert [n for n in names(args) if n.startswith("region")] == [
        "region 1",
        "region 2",
        "region 3",
    ]
    assert centroid_count(args) == 3
    assert args["start"] == 0 and args["present"] is False
    assert "/animate?" in args["link"] and "k=3" in args["link"]
    assert args["data"]["frames"][0]["title"] == "Start"


def test_step_in_the_link_opens_at_that_frame():
    app = open_page(PAGE, query={"step": "3"})
    assert not app.exception
    assert player_args(app)["start"] == 3


def test_bad_step_in_the_link_is_ignored():
    app = open_page(PAGE, query={"step": "-2"})
    assert not app.exception
    assert player_args(app)["start"] == 0


def test_present_in_the_link_opens_the_presenter_view():
    app = open_page(PAGE, query={"present": "1"})
    assert not app.exception
    args = player_args(app)
    assert args["present"] is True and "present=1" in args["link"]
    assert not app.title  # no page title: the chart gets the screen
    assert app.toggle(key="anim_present").value is True
    # The presenter toggle turns it off again.
    app.toggle(key="anim_present").set_value(False).run()
    assert not app.exception
    assert player_args(app)["present"] is False and app.title


def test_k_changes_the_frames(at):
    at.sidebar.number_input(key="k").set_value(5).run()
    assert not at.exception
    assert centroid_count(player_args(at)) == 5


def test_max_iter_changes_the_frames(at):
    at.sidebar.selectbox(key="init").set_value("random").run()
    at.sidebar.number_input(key="k").set_value(6).run()
    before = len(player_args(at)["data"]["frames"])
    at.number_input(key="anim_max_iter").set_value(1).run()
    assert not at.exception
    assert len(player_args(at)["data"]["frames"]) < before


def test_k_above_n_gives_a_notice(at):
    _use(at, Dataset("tiny", np.array([[0.0, 0.0], [1.0, 1.0]]), ["a", "b"]))
    at.sidebar.number_input(key="k").set_value(4).run()
    assert not at.exception
    assert any("using K = 2" in w.value for w in at.warning)


def test_many_features_use_pca_and_say_why_no_regions(at):
    rng = np.random.default_rng(0)
    _use(at, Dataset("5-D", rng.normal(size=(200, 5)), [f"f{i}" for i in range(5)]))
    assert not at.exception
    assert not [n for n in names(player_args(at)) if n.startswith("region")]
    assert any("No Voronoi regions" in c.value for c in at.caption)


def test_one_feature_works(at):
    X = np.concatenate([np.zeros(20), np.ones(20) * 5]).reshape(-1, 1)
    _use(at, Dataset("one feature", X, ["x"]))
    assert not at.exception
    assert len(player_args(at)["data"]["frames"]) >= 3


def test_large_data_draws_a_sample_with_a_note(at):
    rng = np.random.default_rng(0)
    _use(at, Dataset("big", rng.normal(size=(20_000, 2)), ["a", "b"]))
    assert not at.exception
    assert any("sample of 5,000 of 20,000" in c.value for c in at.caption)
    points = [t for t in player_args(at)["data"]["scatter"]["data"] if t["name"] == "points"][0]
    assert len(points["x"]) == 5000


def test_centroids_placed_by_hand_start_the_real_run(at):
    # Two tight pairs and a third centroid far away: it gets no point and is relocated.
    X = np.array([[0.0, 0.0], [0.1, 0.0], [10.0, 0.0], [10.1, 0.0]])
    _use(at, Dataset("pairs", X, ["a", "b"]))
    _send(at, {"action": "start_from", "centers": [[0, 0], [10, 0], [50, 0]], "nonce": "1"})
    assert not at.exception
    frames = player_args(at)["data"]["frames"]
    assert "your 3 centroids" in frames[0]["caption"]
    assert any("was empty" in f["caption"] for f in frames)
    assert any("Empty clusters were relocated" in c.value for c in at.caption)
    # Back to the sidebar's init with one click.
    at.button[0].click().run()
    assert "k-means++" in player_args(at)["data"]["frames"][0]["caption"]


def test_drawn_points_become_the_dataset(at):
    points = [[1, 1], [1.2, 1.1], [8, 8], [8.1, 7.9], [5, 1]]
    _send(at, {"action": "drawn", "points": points, "nonce": "7"})
    assert not at.exception
    assert at.session_state["dataset"].name == "Drawn by hand (5 points)"
    assert len(player_args(at)["data"]["frames"][0]["traces"]["points"]["marker"]["color"]) == 5


def test_a_bad_drawing_says_why_and_keeps_the_dataset(at):
    before = at.session_state["dataset"].key
    _send(at, {"action": "drawn", "points": [[1, 1]], "nonce": "8"})
    assert not at.exception
    assert any("between 2 and" in e.value for e in at.error)
    assert at.session_state["dataset"].key == before


def test_a_message_is_acted_on_once(at):
    _send(at, {"action": "start_from", "centers": [[0, 0], [5, 5]], "nonce": "1"})
    at.button[0].click().run()  # back to the sidebar's init
    at.run()  # the player's old message is still there: it must not come back
    assert "k-means++" in player_args(at)["data"]["frames"][0]["caption"]


def test_a_teaching_shape_comes_with_its_true_k(at):
    at.selectbox(key="anim_demo_kind").set_value("smiley").run()
    assert not at.exception
    assert at.session_state["dataset"].name == "Smiley face"
    assert centroid_count(player_args(at)) == 4


def test_tolerance_stop_says_why_in_beginner_words(at):
    at.sidebar.selectbox(key="init").set_value("random").run()
    at.select_slider(key="anim_tol").set_value(0.1).run()
    assert not at.exception
    last = player_args(at)["data"]["frames"][-1]
    assert "Done:" in last["caption"] or "Stopped" in last["caption"]


def test_animation_numbers_clusters_as_the_clusters_page_does():
    # Four corners; seed 1 then seed 3 (k-means++ picks the corners in another order).
    rng = np.random.default_rng(3)
    corners = np.array([[0, 0], [20, 0], [0, 20], [20, 20]], dtype=float)
    X = np.concatenate([c + rng.normal(0, 1, (50, 2)) for c in corners])
    ds = Dataset(name="four corners", X=X, feature_names=["a", "b"], source="upload")
    app = open_page("app_pages/clusters.py", session={"dataset": ds}, query={"k": "4", "seed": "1"})
    app.number_input(key="seed").set_value(3).run()
    shown = app.session_state["_shown_centers"][("a", "b")].copy()
    app.switch_page(PAGE).run()
    assert not app.exception
    last = player_args(app)["data"]["frames"][-1]["traces"]["centroids"]
    # The player draws centroid c at position c: the final centroids in the shown order.
    np.testing.assert_allclose(np.c_[last["x"], last["y"]], shown, atol=1e-3)
