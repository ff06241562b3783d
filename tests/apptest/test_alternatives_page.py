"""AppTest of the Beyond K-Means page: the note, the rules, the runs, the button on big data."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.dataset import Dataset
from dashboard.generators import dataset_from_recipe, default_recipe
from tests.apptest.app_runner import open_page
from tests.apptest.test_pages_with_awkward_data import DATASETS as AWKWARD

PAGE = "app_pages/alternatives.py"


def _open(ds: Dataset | None = None):
    return open_page(PAGE, session={"dataset": ds} if ds is not None else None)


def _results(at):
    return at.dataframe[1].value


def test_moons_note_rules_scores_and_charts():
    at = _open(dataset_from_recipe(default_recipe("moons"), 42))
    assert not at.exception
    assert at.title[0].value == "Beyond K-Means"
    assert at.info[0].value.startswith("Each moon is a chain of close neighbours")
    rules = at.dataframe[0].value
    assert rules.iloc[0]["Value"] == "2"  # K from the two true classes
    assert "knee" in rules.iloc[1]["Rule"]
    table = _results(at)
    assert len(table) == 9
    assert "★ Spectral" in table["Method"].tolist()
    assert at.success[0].value.startswith("Best ARI: **")
    assert float(table["ARI vs truth"].max()) > 0.95
    # the small multiples, the k-distance curve, the split tree
    assert len(at.get("plotly_chart")) == 3


def test_changing_eps_reruns_dbscan_with_it():
    at = _open(dataset_from_recipe(default_recipe("moons"), 42))
    before = _results(at).set_index("Method").loc["★ DBSCAN"]
    at.toggle(key="alt_custom").set_value(True).run()
    next(w for w in at.number_input if w.label == "eps").set_value(0.05).run()
    assert not at.exception
    after = _results(at).set_index("Method").loc["★ DBSCAN"]
    assert int(after["Noise points"].replace(",", "")) > int(before["Noise points"])


def test_a_zero_eps_is_refused_in_words():
    at = _open()
    at.toggle(key="alt_custom").set_value(True).run()
    next(w for w in at.number_input if w.label == "eps").set_value(0.0).run()
    assert not at.exception
    assert "eps must be more than 0" in at.error[0].value


def test_unlabelled_upload_has_no_ari_and_no_shape_note():
    X = np.random.default_rng(0).normal(size=(200, 3))
    at = _open(Dataset("my file.csv", X, ["a", "b", "c"], source="upload"))
    assert not at.exception
    assert not at.info and not at.success
    assert set(_results(at)["ARI vs truth"]) == {"—"}
    assert any("PCA projection of 3 features" in c.value for c in at.caption)


def test_big_data_waits_for_the_button_then_runs_on_a_stated_sample():
    X = np.random.default_rng(0).normal(size=(6000, 2))
    at = _open(Dataset("big", X, ["x", "y"], source="upload"))
    at.select_slider(key="alt_sample_size").set_value(500).run()
    assert not at.exception
    assert len(at.dataframe) == 1  # only the rules so far
    at.button[0].click().run()
    assert not at.exception
    table = _results(at)
    assert table.set_index("Method").loc["Spectral", "Rows clustered"] == "500"
    assert table.set_index("Method").loc["kmeans_core", "Rows clustered"] == "6,000"
    assert any("random sample of 500 of the 6,000 rows" in c.value for c in at.caption)


@pytest.mark.parametrize("dataset_name", list(AWKWARD))
def test_awkward_data_and_large_k_never_show_a_traceback(dataset_name):
    ds = AWKWARD[dataset_name]
    at = open_page(PAGE, session={"dataset": ds}, query={"k": "12"})
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["dataset"].name == ds.name
    assert len(at.dataframe) == 2  # the rules and the results, whatever failed
