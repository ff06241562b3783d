"""Real browser: a sample of tests/data/hostile uploaded through the file input.

What only a browser shows: no script from a file runs (no dialog, no marker set), no
image or link from a file's markup is fetched, and the page stays usable. Plus the
AppTest guarantees seen on screen: no exception, a message for a refused file, the
sidebar's dataset kept (or replaced by an accepted file once it is used).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import assert_no_exception, open_page, screenshot, wait_for_app

HOSTILE = Path(__file__).resolve().parents[1] / "data" / "hostile"

# name -> refused?
SAMPLE = {
    "html_script_names.csv": False,
    "img_onerror_names.csv": False,
    "markdown_image_names.csv": False,
    "formula_values.csv": False,
    "gzip_renamed.csv": True,
    "utf16_no_bom.csv": True,
    "six_hundred_columns.csv": True,
}


def _sidebar(page) -> str:
    """The sidebar's dataset summary (below its "Dataset" heading)."""
    text = page.locator('[data-testid="stSidebar"]').inner_text()
    return text.rsplit("Dataset", 1)[-1].strip()


def _watch(page) -> dict[str, list[str]]:
    """Record dialogs (alert/confirm) and requests to the files' bait address."""
    seen: dict[str, list[str]] = {"dialogs": [], "bait": []}

    def on_dialog(d) -> None:
        seen["dialogs"].append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    page.on("request", lambda r: seen["bait"].append(r.url) if ":9/" in r.url else None)
    return seen


@pytest.mark.parametrize("name", list(SAMPLE))
def test_hostile_upload_in_the_browser(page, app_url, name):
    seen = _watch(page)
    page.set_viewport_size({"width": 1400, "height": 2100})
    open_page(page, app_url + "/data")
    before = _sidebar(page)
    page.get_by_role("tab", name=re.compile("upload", re.IGNORECASE)).click()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        str(HOSTILE / name)
    )
    wait_for_app(page)
    assert_no_exception(page)
    if SAMPLE[name]:
        alert = page.locator('[data-testid="stAlertContentError"]').first
        alert.wait_for()
        assert len(alert.inner_text()) > 40  # says what is wrong and what to do
        assert _sidebar(page) == before
    else:
        # The open tab's enabled primary button that uses the file (a form's submit or
        # a plain button, whichever the Upload tab has).
        panel = page.locator('[role="tabpanel"]:visible')
        panel.locator('button[data-testid^="stBaseButton-primary"]:enabled').last.click()
        wait_for_app(page)
        assert_no_exception(page)
        assert name in _sidebar(page)
    screenshot(page, f"hostile-{Path(name).stem}")
    # Nothing from the file ran or was fetched.
    assert seen["dialogs"] == []
    assert seen["bait"] == []
    injected = "img[src='x'], img[src*=':9/'], iframe[src^='javascript']"
    assert page.evaluate(f'() => document.querySelectorAll("{injected}").length') == 0
