"""A link or page load never starts unbounded work: large runs wait for a click (issue 13).

The issue's example: a share link asking for 1,000,000 x 10 blobs with K = 50, opened on
Compare, cost about 73 CPU-seconds before anyone clicked anything; Choose K on the same
data about 43. Both now show the estimate and a "Run it" button instead.
"""

from __future__ import annotations

import pytest
from sklearn.datasets import make_blobs

from dashboard.dataset import Dataset
from tests.apptest.app_runner import open_page

BIG_LINK = {
    "data": "blobs",
    "data.n_samples": "1000000",
    "data.n_features": "10",
    "data.centers": "5",
    "data.cluster_std": "1.0",
    "k": "50",
}


def _run_buttons(at):
    return [b for b in at.button if b.label.startswith("Run it (")]


@pytest.mark.parametrize(
    "page",
    [
        "app_pages/compare.py",
        "app_pages/choose_k.py",
        "app_pages/export.py",
        "app_pages/clusters.py",
        "app_pages/animate.py",
    ],
)
def test_a_huge_run_from_a_link_waits_for_a_click(page):
    at = open_page(page, query=BIG_LINK, timeout=300)
    assert not at.exception, at.exception
    assert at.session_state["dataset"].n_samples == 1_000_000
    assert _run_buttons(at), [b.label for b in at.button]
    assert any("would take" in i.value for i in at.info)
    assert not at.get("plotly_chart")  # nothing was computed
    assert not at.get("download_button") and not at.get("component_instance")


def test_the_default_dataset_runs_at_once_on_compare():
    at = open_page("app_pages/compare.py")
    assert not at.exception
    assert not _run_buttons(at)
    assert at.get("plotly_chart")


def test_the_click_runs_it():
    # 300,000 x 20 points with K = 10 is 60,000,000 units: just over the cap.
    X, _ = make_blobs(n_samples=300_000, n_features=20, centers=10, random_state=0)
    ds = Dataset(name="big blobs", X=X, feature_names=[f"f{i}" for i in range(20)])
    at = open_page("app_pages/export.py", session={"dataset": ds}, query={"k": "10"}, timeout=300)
    assert not at.get("download_button")
    _run_buttons(at)[0].click().run()
    assert not at.exception, at.exception
    assert at.get("download_button")  # the fit ran and the files are offered
