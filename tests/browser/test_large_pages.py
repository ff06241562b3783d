"""Real browser: a generated large source becomes the active dataset; Choose K, Compare,
Export and an in-memory page work on it (and screenshots of each)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import assert_no_exception, open_page, screenshot, wait_for_app

SLOW_MS = 240_000  # Dask passes and the sweep on a loaded 2-core machine


def _nav(page, title: str) -> None:
    """Go to a page through the sidebar (a new address would start a new session)."""
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    wait_for_app(page, SLOW_MS)
    assert_no_exception(page)


def _shot(page, name: str, height: int = 2000) -> None:
    page.set_viewport_size({"width": 1400, "height": height})
    page.wait_for_timeout(1500)
    screenshot(page, name)
    page.set_viewport_size({"width": 1400, "height": 1000})


def test_a_generated_large_source_on_choose_k_compare_and_export(page, app_url):
    open_page(page, f"{app_url}/data")
    page.get_by_role("tab", name="Large file").click()
    page.get_by_text("Generated out of core").click()
    wait_for_app(page)
    rows = page.get_by_label("Rows")
    rows.fill("200000")
    page.get_by_role("button", name="Open", exact=True).and_(
        page.get_by_test_id("stBaseButton-secondaryFormSubmit")
    ).click()
    wait_for_app(page, SLOW_MS)
    assert_no_exception(page)
    page.get_by_role("button", name="Use it as the active dataset").click()
    wait_for_app(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_contain_text("200,000 rows · 2 columns")
    expect(sidebar).to_contain_text("lazy")
    page.get_by_text("Draw the density of every row").click()
    wait_for_app(page, SLOW_MS)
    expect(page.get_by_text("Density image of all 200,000 rows")).to_be_visible()
    _shot(page, "large-data")

    _nav(page, "Choose K")
    expect(page.get_by_text("The sweep runs on 20,000 of 200,000 rows")).to_be_visible()
    page.wait_for_selector(".js-plotly-plot", timeout=SLOW_MS)
    _shot(page, "large-choose-k", 3000)

    _nav(page, "Compare")
    page.get_by_role("button", name="Run the comparison").click()
    wait_for_app(page, SLOW_MS)
    assert_no_exception(page)
    expect(page.get_by_text("Agreement (adjusted Rand index)").first).to_be_visible()
    _shot(page, "large-compare")

    _nav(page, "Export & share")
    page.get_by_role("button", name="on Dask").click()
    wait_for_app(page, SLOW_MS)
    assert_no_exception(page)
    expect(page.get_by_text("the fit used every row").first).to_be_visible()
    expect(page.get_by_role("button", name="Write labels, centers and settings")).to_be_visible()
    _shot(page, "large-export")

    _nav(page, "Clusters")
    expect(page.get_by_text("Clusters works on an in-memory dataset")).to_be_visible()
    _shot(page, "large-clusters", 1000)
    _nav(page, "Animate")
    expect(page.get_by_text("Animate works on an in-memory dataset")).to_be_visible()
    _nav(page, "Home")
    expect(page.get_by_text("Current dataset: the large source")).to_be_visible()
    _shot(page, "large-home", 1000)
