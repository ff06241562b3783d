"""Colour lab in a real browser: both images drawn, K changes the picture, upload, download."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from tests.browser.conftest import assert_no_exception, open_page, screenshot, wait_for_app

IMAGES = '[data-testid="stImage"] img'


def _images_loaded(page) -> None:
    page.wait_for_function(
        f"""() => {{
            const imgs = document.querySelectorAll('{IMAGES}');
            return imgs.length === 2 && [...imgs].every(i => i.complete && i.naturalWidth > 0);
        }}""",
        timeout=30_000,
    )


def test_sample_image_k_and_download(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 2200})
    open_page(page, f"{app_url}/colour-lab", timeout_ms=120_000)
    assert_no_exception(page)
    _images_loaded(page)
    page.get_by_text("16 colours", exact=True).wait_for()
    page.wait_for_timeout(1500)
    screenshot(page, "colour-lab-china-k16")
    # Move K to its maximum with the keyboard, as a user can.
    page.get_by_role("slider", name="K (colours)").focus()
    page.keyboard.press("End")
    wait_for_app(page)
    page.get_by_text("64 colours", exact=True).wait_for(timeout=60_000)
    _images_loaded(page)
    assert_no_exception(page)
    # The error chart is drawn after the download button: once it shows K = 64, the
    # button carries the new image too.
    page.get_by_text("shown above (K = 64)").wait_for(timeout=60_000)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the quantised PNG").click()
    download = info.value
    assert download.suggested_filename == "Chinese_temple__scikit-learn_sample_64_colours.png"
    data = Path(download.path()).read_bytes()
    assert Image.open(io.BytesIO(data)).size == (640, 427)
    page.wait_for_timeout(1500)
    screenshot(page, "colour-lab-china-k64")


def test_upload_png(page, app_url, tmp_path):
    img = Image.new("RGB", (300, 200), (240, 240, 240))
    img.paste((200, 30, 30), (0, 0, 150, 100))
    img.paste((30, 90, 200), (150, 100, 300, 200))
    path = tmp_path / "three_colours.png"
    img.save(path)
    page.set_viewport_size({"width": 1400, "height": 1600})
    open_page(page, f"{app_url}/colour-lab", timeout_ms=120_000)
    page.get_by_text("Upload a PNG or JPEG").click()
    wait_for_app(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    wait_for_app(page)
    assert_no_exception(page)
    _images_loaded(page)
    page.get_by_text("Original: 300 × 200 pixels").wait_for()
    page.wait_for_timeout(1000)
    screenshot(page, "colour-lab-upload")
