"""Shareable links and downloads in a real browser (AppTest does not act like one for URLs).

A link read from the Export page is opened in a new browser context (a fresh
Streamlit session) on another page; the same dataset and the same run must appear.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pandas as pd

from tests.browser.conftest import assert_no_exception, open_page, screenshot, wait_for_app

LINKED = "/export?k=4&seed=11&init=random&data=moons&data.n_samples=300&data.noise=0.1"


def _metric(pg, label: str) -> str:
    metric = pg.locator('[data-testid="stMetric"]').filter(has_text=label)
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def _share_link(pg) -> str:
    return pg.locator('[data-testid="stCode"]').inner_text().strip()


def _sidebar_text(pg) -> str:
    return pg.locator('[data-testid="stSidebar"]').inner_text()


def _k_input(pg):
    return pg.locator('[data-testid="stSidebar"] input[aria-label="K (clusters)"]')


def test_shared_link_reproduces_the_dataset_and_run_in_a_fresh_session(page, browser, app_url):
    # Session A: a generated dataset (moons, 300 rows) and a K set in the sidebar.
    open_page(page, app_url + LINKED)
    assert_no_exception(page)
    _k_input(page).fill("5")
    _k_input(page).press("Enter")
    wait_for_app(page)
    link = _share_link(page)
    query = parse_qs(urlsplit(link).query)
    assert urlsplit(link).path == "/animate"
    assert query["k"] == ["5"] and query["init"] == ["random"] and query["seed"] == ["11"]
    assert query["data"] == ["moons"] and query["data.n_samples"] == ["300"]
    inertia = _metric(page, "Inertia")
    assert _metric(page, "Rows") == "300" and _metric(page, "K") == "5"
    screenshot(page, "share_export_page")

    # Session B: a new browser context opens the link on the Animate page ...
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        other = context.new_page()
        other.set_default_timeout(30_000)
        open_page(other, link)
        assert_no_exception(other)
        assert not other.locator('[data-testid="stAlertContentWarning"]').count()
        sidebar = _sidebar_text(other)
        assert "Two moons" in sidebar and "300 rows" in sidebar
        assert _k_input(other).input_value() == "5"
        screenshot(other, "share_link_opened_on_animate")

        # ... then navigates (Streamlit drops the dataset params from the URL; the
        # session keeps the dataset) to Export, which shows the same run and link.
        other.locator('[data-testid="stSidebarNav"]').get_by_text("Export & share").click()
        wait_for_app(other)
        assert_no_exception(other)
        assert "/export" in other.url
        assert _metric(other, "Rows") == "300"
        assert _metric(other, "K") == "5"
        assert _metric(other, "Inertia") == inertia
        assert _share_link(other) == link
    finally:
        context.close()


def test_malformed_link_shows_a_notice_and_defaults(page, app_url):
    open_page(
        page,
        app_url + "/animate?k=lots&init=bogus&seed=3&data=blobs&data.n_samples=-5"
        "&data.centers=3&data.n_features=2&data.cluster_std=1",
    )
    assert_no_exception(page)
    notice = page.locator('[data-testid="stAlertContentWarning"]').first.inner_text()
    assert "could not be used" in notice
    assert "'lots'" in notice and "'bogus'" in notice and "n_samples" in notice
    sidebar = _sidebar_text(page)
    assert "Blobs (3 centers)" in sidebar and "500 rows" in sidebar
    assert _k_input(page).input_value() == "3"
    screenshot(page, "share_malformed_link")


def test_labelled_data_download_has_the_cluster_column(page, app_url):
    open_page(page, app_url + "/export")
    assert_no_exception(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Data + clusters").click()
    download = info.value
    assert download.suggested_filename.endswith("_labelled.csv")
    df = pd.read_csv(download.path())
    assert list(df.columns) == ["row", "x1", "x2", "cluster", "true_label"]
    assert len(df) == 500
    assert set(df["cluster"]) == {0, 1, 2}
