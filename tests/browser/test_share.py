"""Shareable links and downloads in a real browser (AppTest does not act like one for URLs).

A link read from the Export page is opened in a new browser context (a fresh
Streamlit session) on another page; the same dataset and the same run must appear.
"""

from __future__ import annotations

import json
from pathlib import Path
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
    assert "“lots”" in notice and "“bogus”" in notice and "n_samples" in notice
    assert "using K = 3." in notice and "using k-means++." in notice
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


# The phishing link: a fake "sign in again" link in init, a tracking image in k;
# a dataset setting adds a bare domain and an e-mail address (GitHub autolinks) and LaTeX.
PHISHING = (
    "/animate?init=%5BYour%20session%20expired%20-%20click%20here%20to%20sign%20in%20again%5D"
    "%28http%3A%2F%2F127.0.0.1%3A8799%2Fphish%29"
    "&k=%21%5Bt%5D%28http%3A%2F%2F127.0.0.1%3A8799%2Ftrack.png%29"
    "&data=blobs&data.centers=3&data.n_features=2&data.cluster_std=1"
    "&data.n_samples=www.example.org%20me%40example.org%20%24x%5E2%24"
)


def test_phishing_link_renders_as_text_and_fetches_nothing(page, app_url):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    open_page(page, app_url + PHISHING)
    assert_no_exception(page)
    alert = page.locator('[data-testid="stAlertContentWarning"]').first
    text = alert.inner_text().replace("\u2060", "")  # the invisible word joiners
    assert "This link could not be used as it is." in text
    assert "“[Your session expired - click here to s…”" in text
    assert "“![t](http://127.0.0.1:8799/track.png)”" in text
    assert "'www.example.org me@example.org $x^2$'" in text
    # Literal text only: no link, image or formula was made of the link's values.
    assert alert.locator("a, img, .katex").count() == 0
    hosts = {urlsplit(url).netloc for url in requests}
    assert "127.0.0.1:8799" not in hosts and not any("example.org" in h for h in hosts)
    assert any(urlsplit(url).path == "/animate" for url in requests)  # the listener works
    # The sidebar uses what the notice says.
    assert _k_input(page).input_value() == "3"
    assert "Blobs (3 centers)" in _sidebar_text(page)
    screenshot(page, "share_phishing_link")


def test_oversized_numbers_and_deep_brackets_give_the_notice_not_an_error(page, app_url):
    open_page(page, app_url + "/?k=" + "9" * 5_000 + "&seed=1e3&data=" + "%5B" * 1_200)
    assert_no_exception(page)
    text = page.locator('[data-testid="stAlertContentWarning"]').first.inner_text()
    assert "using K = 3." in text and "using seed = 42." in text
    assert "showing the default dataset (3 blobs) instead" in text
    assert _k_input(page).input_value() == "3"
    seed = page.locator('[data-testid="stSidebar"] input[aria-label="Seed"]').input_value()
    assert seed == "42"
    # The rejected values left the address bar: a reload repeats what is shown.
    assert "k=" not in page.url and "seed=" not in page.url
    screenshot(page, "share_oversized_link")


def test_settings_json_holds_the_share_link(page, app_url):
    # Before: the cache key "[('data', 'moons'), ...]" instead of a link.
    open_page(page, app_url + LINKED)
    assert_no_exception(page)
    link = _share_link(page)  # the page's link, on Animate (the default target)
    with page.expect_download() as info:
        page.get_by_role("button", name="Settings").click()
    data = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert data["share_link"] == link
    assert link.startswith(app_url + "/animate?") and "data=moons" in link
