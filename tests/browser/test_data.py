"""Real browser: the Data page generates, loads built-ins, and uploads through the file input."""

from __future__ import annotations

from pathlib import Path

from tests.browser.conftest import assert_no_exception, open_page, screenshot, wait_for_app

DATA = Path(__file__).resolve().parents[1] / "data"


def _data_page(page, app_url):
    # Tall viewport: Streamlit scrolls inside its own container, so a "full page"
    # screenshot only shows what fits in the window.
    page.set_viewport_size({"width": 1400, "height": 2100})
    open_page(page, app_url + "/data")
    page.get_by_role("heading", name="Data", exact=True).wait_for()
    assert_no_exception(page)


POINTS = '[data-testid="stPlotlyChart"] .scatterlayer .points path'


def _points_drawn(page, expected: int) -> int:
    """Points in the preview plot, once the chart of the new run has replaced the old one."""
    page.wait_for_function(
        f"() => document.querySelectorAll('{POINTS}').length === {expected}", timeout=15_000
    )
    return page.locator(POINTS).count()


def _sidebar(page) -> str:
    return page.locator('[data-testid="stSidebar"]').inner_text()


def _upload(page, path: Path) -> None:
    page.get_by_role("tab", name="Upload CSV").click()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    wait_for_app(page)


def test_default_and_generated(page, app_url):
    _data_page(page, app_url)
    assert _points_drawn(page, 500) == 500
    screenshot(page, "data-generated-blobs")
    # Generate two moons through the real widgets.
    page.get_by_label("Shape").click()  # opens the select's menu
    page.get_by_role("option", name="Two moons").click()
    wait_for_app(page)
    page.get_by_role("button", name="Generate", exact=True).click()
    wait_for_app(page)
    page.get_by_role("heading", name="Preview: Two moons").wait_for()
    wait_for_app(page)
    assert "Two moons" in _sidebar(page)
    assert _points_drawn(page, 500) == 500
    assert_no_exception(page)
    screenshot(page, "data-generated-moons")


def test_builtin_wine_shows_pca(page, app_url):
    _data_page(page, app_url)
    page.get_by_role("tab", name="Built-in data").click()
    page.get_by_text("Wine (178 wines, 13 features)").click()
    wait_for_app(page)
    page.get_by_role("button", name="Load", exact=True).click()
    wait_for_app(page)
    page.get_by_role("heading", name="Preview: Wine (scaled)").wait_for()
    wait_for_app(page)
    assert page.get_by_text("PCA projection of 13 features").count() >= 1
    assert _points_drawn(page, 178) == 178
    assert_no_exception(page)
    screenshot(page, "data-builtin-wine")


def test_csv_upload_rows_appear(page, app_url):
    _data_page(page, app_url)
    _upload(page, DATA / "good" / "comma_labels.csv")
    page.get_by_text("6 rows x 3 columns · delimiter: comma · encoding: UTF-8").wait_for()
    screenshot(page, "data-upload-form")
    page.get_by_role("button", name="Use this data").click()
    wait_for_app(page)
    page.get_by_role("heading", name="Preview: comma_labels.csv").wait_for()
    wait_for_app(page)  # the button's run ends in st.rerun(); wait for the second run too
    assert "comma_labels.csv" in _sidebar(page) and "6 rows" in _sidebar(page)
    # the six rows are drawn, coloured by the species label column
    assert _points_drawn(page, 6) == 6
    legend = page.locator('[data-testid="stPlotlyChart"] .legend').first.text_content()
    assert all(s in legend for s in ("setosa", "versicolor", "virginica"))
    assert_no_exception(page)
    screenshot(page, "data-uploaded")


def test_bad_upload_shows_message_and_keeps_data(page, app_url):
    _data_page(page, app_url)
    _upload(page, DATA / "bad" / "image_renamed.csv")
    alert = page.locator('[data-testid="stAlertContentError"]')
    alert.first.wait_for()
    text = alert.first.inner_text()
    assert "This is a PNG image, not a CSV text file" in text
    assert "Blobs (3 centers), is still in use" in text
    assert "Blobs (3 centers)" in _sidebar(page)
    assert _points_drawn(page, 500) == 500
    assert_no_exception(page)
    screenshot(page, "data-upload-error")
