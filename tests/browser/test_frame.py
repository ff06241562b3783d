"""Every page opens from a deep link in a fresh session with no exception."""

from __future__ import annotations

import pytest

from dashboard import page_registry
from tests.browser.conftest import assert_no_exception, open_page, screenshot

# Every page of the app, from the one page list: a new page is covered without an edit here.
PAGES = [spec.url_path for spec in page_registry.PAGES]


@pytest.mark.parametrize("path", PAGES)
def test_deep_link_loads_without_exception(page, app_url, path):
    open_page(page, f"{app_url}/{path}")
    assert_no_exception(page)
    # A deep link to a page that is not where it claims shows a "Page not found" dialog.
    assert page.get_by_text("Page not found").count() == 0
    # The frame's sidebar is there on every page, deep link or not.
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_text("Run settings", exact=True).is_visible()
    screenshot(page, f"page-{path or 'home'}")


def test_query_params_set_sidebar_settings(page, app_url):
    open_page(page, f"{app_url}/animate?k=5&seed=7")
    assert page.get_by_role("spinbutton", name="K (clusters)").input_value() == "5"
    assert page.get_by_role("spinbutton", name="Seed").input_value() == "7"
