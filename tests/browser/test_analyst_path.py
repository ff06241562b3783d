"""Real browser: the analyst's path — upload penguins, accept the defaults, export the file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.browser.conftest import assert_no_exception, open_page, screenshot, wait_for_app

REAL = Path(__file__).resolve().parents[1] / "data" / "real"


def test_upload_penguins_accept_defaults_and_download_the_labelled_file(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 2600})
    open_page(page, app_url + "/data")
    page.get_by_role("tab", name="Upload CSV").click()
    uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]').first
    uploader.set_input_files(str(REAL / "penguins.csv"))
    wait_for_app(page)
    page.get_by_text("344 rows x 8 columns · delimiter: comma").wait_for()
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "Suggested set-up" in body
    assert "spreads differ" in body and "time-like" in body
    assert "342 of 344 rows, 4 feature column(s)" in body
    assert_no_exception(page)
    screenshot(page, "analyst-data-upload-defaults")

    page.get_by_role("button", name="Use this data").click()
    wait_for_app(page)
    page.get_by_role("heading", name="Preview: penguins.csv").wait_for()
    wait_for_app(page)
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "penguins.csv" in sidebar and "342 rows" in sidebar and "Recipe: 4 numeric" in sidebar
    assert_no_exception(page)
    screenshot(page, "analyst-data-preview")

    # In-app navigation keeps the session (a new URL would start a new one).
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Export & share").click()
    wait_for_app(page)
    page.get_by_role("heading", name="Export & share").wait_for()
    assert "This link cannot carry the file" in page.locator('[data-testid="stMain"]').inner_text()
    assert_no_exception(page)
    screenshot(page, "analyst-export")
    with page.expect_download() as info:
        page.get_by_role("button", name="Data + clusters").click()
    download = info.value
    assert download.suggested_filename.startswith("penguins-csv_k3_seed42")

    df = pd.read_csv(download.path())
    original = pd.read_csv(REAL / "penguins.csv")
    assert len(df) == 344
    assert list(df.columns) == ["row", *original.columns, "cluster", "left_out_reason"]
    pd.testing.assert_frame_equal(df[list(original.columns)], original, check_dtype=False)
    assert df["cluster"].isna().sum() == 2 and set(df["cluster"].dropna()) == {0, 1, 2}
    assert df.loc[df["cluster"].isna(), "row"].tolist() == [4, 272]
    # the clusters are the species, read straight off the downloaded file
    crosstab = pd.crosstab(df["species"], df["cluster"])
    assert (crosstab.max(axis=1) / crosstab.sum(axis=1)).min() > 0.8
