"""AppTest of the Colour lab: the sample image, K, the baseline, uploads good and bad."""

from __future__ import annotations

import io

from PIL import Image

from tests.apptest.app_runner import open_page

PAGE = "app_pages/colour_lab.py"


def _metrics(at) -> dict[str, float]:
    return {m.label: float(m.value.split()[0]) for m in at.metric}


def test_sample_image_quantised_with_the_baseline_worse():
    at = open_page(PAGE)
    assert not at.exception
    assert at.title[0].value == "Colour lab"
    values = _metrics(at)
    assert values["Error, K-Means palette"] < values["Error, random palette"]
    # palette bars, the RGB cloud, the error curve
    assert len(at.get("plotly_chart")) == 3
    assert len(at.get("image")) == 2
    assert at.get("download_button")[0].proto.label == "Download the quantised PNG"


def test_more_colours_less_error():
    at = open_page(PAGE)
    at.slider(key="colour_k").set_value(4).run()
    four = _metrics(at)["Error, K-Means palette"]
    at.slider(key="colour_k").set_value(64).run()
    assert not at.exception
    assert _metrics(at)["Error, K-Means palette"] < four
    assert any("64 colours" in str(i.proto) for i in at.get("image"))


def test_upload_asks_for_a_file_first():
    at = open_page(PAGE)
    at.radio(key="colour_source").set_value("upload").run()
    assert not at.exception
    assert at.info[0].value == "Choose an image file to quantise it."
    assert not at.metric


def _upload(data: bytes, name: str, mime: str):
    at = open_page(PAGE)
    at.radio(key="colour_source").set_value("upload").run()
    return at.file_uploader(key="colour_upload").set_value((name, data, mime)).run()


def _encode(img: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt)
    return buffer.getvalue()


def test_an_uploaded_png_is_quantised_and_named_literally():
    img = Image.new("RGB", (60, 40), (250, 250, 250))
    img.paste((20, 40, 200), (0, 0, 30, 40))
    at = _upload(_encode(img, "PNG"), "**bold** photo.png", "image/png")
    assert not at.exception
    assert not at.error
    # Two colours: K-Means reproduces them exactly, a random palette of 16 pixels too.
    assert _metrics(at)["Error, K-Means palette"] == 0.0
    assert "only 2 distinct colours, so the palette has 2, not 16" in at.info[0].value
    assert at.file_uploader(key="colour_upload").proto.max_upload_size_mb == 20


def test_a_bad_upload_is_refused_in_words_with_a_literal_name():
    at = _upload(_encode(Image.new("RGB", (4, 4)), "GIF"), "*evil*.png", "image/png")
    assert not at.exception
    message = at.error[0].value
    assert "This is a GIF image; upload a PNG or JPEG." in message
    assert message.startswith("\\*evil\\*")  # shown literally, not as markdown
    assert not at.metric


def test_a_truncated_jpeg_is_refused_in_words():
    jpeg = _encode(Image.new("RGB", (64, 64), (9, 9, 9)), "JPEG")
    at = _upload(jpeg[:40], "cut.jpg", "image/jpeg")
    assert not at.exception
    assert at.error and "cannot be used" in at.error[0].value
