"""Compare page in a real browser: loads cleanly, "same start" says the two agree."""

from __future__ import annotations

from tests.browser.conftest import assert_no_exception, open_page, screenshot, wait_for_app


def _tall_screenshot(page, name: str) -> None:
    # Streamlit scrolls inside its own container: a tall viewport shows the whole page.
    page.set_viewport_size({"width": 1400, "height": 2400})
    page.wait_for_timeout(1500)
    screenshot(page, name)


def test_compare_same_start_shows_agreement(page, app_url):
    open_page(page, f"{app_url}/compare")
    assert_no_exception(page)
    # Default mode is "same start": the verdict says they are identical, in words.
    verdict = page.get_by_text("Identical: same labels on all 500 points")
    verdict.wait_for()
    assert "both stopped after" in verdict.inner_text()
    # Three scatter panels side by side (plus two confusion matrices: blobs have labels).
    charts = page.locator('[data-testid="stPlotlyChart"]')
    charts.nth(4).wait_for()  # charts are drawn a moment after the script run ends
    assert charts.count() == 5
    _tall_screenshot(page, "compare-same-start")


def test_compare_own_init_mode_reports(page, app_url):
    open_page(page, f"{app_url}/compare?k=6")
    page.get_by_text("Each its own k-means++").first.click()
    wait_for_app(page)
    assert_no_exception(page)
    page.get_by_text("Independent k-means++ starts landed").wait_for()
    page.get_by_text("Give scikit-learn a different seed").click()
    wait_for_app(page)
    assert_no_exception(page)
    page.get_by_text("for scikit-learn", exact=False).first.wait_for()
    _tall_screenshot(page, "compare-own-init")


def test_compare_on_wine_with_more_clusters_than_classes(page, app_url):
    # Load a built-in dataset with 13 features and 3 classes in this session, then compare
    # with K = 4: PCA view, and accuracy matching with K != number of classes.
    open_page(page, f"{app_url}/data?k=4")
    page.get_by_role("tab", name="Built-in data").click()
    page.get_by_text("Wine (178 wines, 13 features)").click()
    wait_for_app(page)
    page.get_by_role("button", name="Load", exact=True).click()
    wait_for_app(page)
    page.get_by_role("link", name="Compare").click()
    wait_for_app(page)
    assert_no_exception(page)
    page.get_by_text("Identical: same labels on all 178 points").wait_for()
    page.get_by_text("PCA projection of 13 features", exact=False).wait_for()
    page.get_by_text("with K = 4 and 3 classes", exact=False).wait_for()
    _tall_screenshot(page, "compare-wine-k4")
