"""dashboard.colour_quant: loading and checking images, the palette, the error, the baseline."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from dashboard import colour_quant as cq


@pytest.fixture(scope="module")
def china() -> cq.Picture:
    return cq.sample_picture("china.jpg")


def _encode(img: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt)
    return buffer.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny valid PNG whose header is rewritten to claim ``width`` × ``height`` pixels."""
    data = bytearray(_encode(Image.new("RGB", (1, 1)), "PNG"))
    # IHDR: 8-byte signature, 4-byte length, "IHDR", then width and height (big-endian).
    ihdr_start = 8 + 4
    data[ihdr_start + 4 : ihdr_start + 12] = struct.pack(">II", width, height)
    body = bytes(data[ihdr_start : ihdr_start + 4 + 13])
    data[ihdr_start + 17 : ihdr_start + 21] = struct.pack(">I", zlib.crc32(body))
    return bytes(data)


# ----------------------------------------------------------------------------- loading


def test_sample_images_load_offline_as_rgb_uint8(china):
    assert china.pixels.shape == (427, 640, 3)
    assert china.pixels.dtype == np.uint8
    assert china.flat.shape == (427 * 640, 3)
    with pytest.raises(ValueError, match="Unknown sample image"):
        cq.sample_picture("mona_lisa.jpg")


def test_png_and_jpeg_uploads_are_read():
    img = Image.new("RGB", (30, 20), (200, 10, 10))
    for fmt in ("PNG", "JPEG"):
        pic = cq.read_upload(_encode(img, fmt), f"red.{fmt.lower()}")
        assert pic.pixels.shape == (20, 30, 3)
        assert abs(int(pic.pixels[5, 5, 0]) - 200) <= 3


def test_transparency_is_flattened_on_white_and_said():
    img = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    pic = cq.read_upload(_encode(img, "PNG"), "clear.png")
    assert (pic.pixels == 255).all()
    assert pic.notes == ["Transparent parts are shown on white."]


def test_other_formats_are_refused_by_name():
    gif = _encode(Image.new("RGB", (4, 4)), "GIF")
    with pytest.raises(ValueError, match="This is a GIF image; upload a PNG or JPEG."):
        cq.read_upload(gif, "a.gif")


def test_non_images_and_truncated_files_are_refused_in_words():
    with pytest.raises(ValueError, match="not an image"):
        cq.read_upload(b"name,value\n1,2\n", "data.png")
    png = _encode(Image.new("RGB", (64, 64), (1, 2, 3)), "PNG")
    with pytest.raises(ValueError, match="could not be decoded"):
        cq.read_upload(png[: len(png) // 2], "half.png")


def test_a_header_claiming_too_many_pixels_is_refused_before_decoding():
    # 7,000 × 7,000 = 49 megapixels in a file of a few dozen bytes: over the lab's cap
    # (and under Pillow's own 89 megapixels), refused from the header alone.
    with pytest.raises(ValueError, match=r"7,000 × 7,000 pixels \(49 megapixels\)"):
        cq.read_upload(_png_claiming(7_000, 7_000), "big.png")


def test_a_decompression_bomb_is_refused_by_pillows_guard():
    # 30,000 × 30,000 = 900 megapixels: Pillow refuses to even open it.
    with pytest.raises(ValueError, match="decompression bomb"):
        cq.read_upload(_png_claiming(30_000, 30_000), "bomb.png")


def test_pillows_own_bomb_guard_is_turned_into_a_message(monkeypatch):
    # Lower Pillow's limit below ours: its warning (between 1× and 2× the limit) is a refusal.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    png = _encode(Image.new("RGB", (40, 40)), "PNG")  # 1,600 pixels: over 1×, under 2×
    with pytest.raises(ValueError, match="decompression bomb"):
        cq.read_upload(png, "small_bomb.png")


def test_files_over_the_size_cap_are_refused(monkeypatch):
    monkeypatch.setattr(cq, "MAX_UPLOAD_MB", 0)
    with pytest.raises(ValueError, match="takes images up to 0 MB"):
        cq.read_upload(_encode(Image.new("RGB", (8, 8)), "PNG"), "x.png")


def test_large_images_are_downscaled_to_the_work_size_and_say_so(monkeypatch):
    monkeypatch.setattr(cq, "WORK_PIXELS", 100)
    img, note = cq.downscale(Image.new("RGB", (40, 10)), max_pixels=100)
    assert img.size == (20, 5)
    assert note is not None and "from 40 × 10 to 20 × 5" in note
    same, none = cq.downscale(Image.new("RGB", (10, 10)), max_pixels=100)
    assert same.size == (10, 10) and none is None


# ----------------------------------------------------------------------------- quantising


def test_palette_has_k_colours_and_every_pixel_uses_one(china):
    q = cq.quantise(china, 8, seed=0)
    assert q.palette.shape == (8, 3) and q.palette.dtype == np.uint8
    assert q.image.shape == china.pixels.shape
    assert q.counts.sum() == china.n_pixels
    used = {tuple(c) for c in q.image.reshape(-1, 3)}
    assert used <= {tuple(c) for c in q.palette}
    assert q.fit_pixels == cq.DEFAULT_FIT_PIXELS


def test_an_image_of_two_colours_is_reproduced_exactly_with_k_2():
    pixels = np.zeros((10, 10, 3), dtype=np.uint8)
    pixels[:, 5:] = (255, 128, 0)
    q = cq.quantise(cq.Picture("two", pixels), 2, seed=0)
    assert q.rmse == 0.0
    assert np.array_equal(q.image, pixels)


def test_k_above_the_distinct_colours_gives_a_smaller_palette():
    pixels = np.zeros((6, 6, 3), dtype=np.uint8)
    pixels[:3] = 200
    q = cq.quantise(cq.Picture("flat", pixels), 16, seed=0)
    assert q.k == 2 and q.rmse == 0.0


def test_k_out_of_range_is_refused(china):
    with pytest.raises(ValueError, match="between 2 and 64"):
        cq.quantise(china, 65, seed=0)


def test_rmse_by_hand():
    flat = np.array([[0, 0, 0], [10, 10, 10]], dtype=np.uint8)
    palette = np.array([[0, 0, 0], [4, 4, 4]], dtype=np.float32)
    # Pixel 2 drawn as (4, 4, 4): error 6 in each of 3 channels; 6 values of 0 and 3 of 36.
    assert cq.rmse(flat, palette, np.array([0, 1])) == pytest.approx(np.sqrt(3 * 36 / 6))


def test_nearest_matches_a_brute_force_argmin(china):
    flat = china.flat[::97]
    palette = cq.random_palette(china.flat, 16, seed=1)
    brute = np.argmin(((flat[:, None, :].astype(float) - palette[None]) ** 2).sum(-1), axis=1)
    assert (cq.nearest(flat, palette) == brute).mean() > 0.999  # ties may break either way


def test_error_falls_as_k_grows_and_the_random_palette_is_worse(china):
    curve = cq.error_curve(china, seed=0, fit_pixels=5000)
    assert curve.ks == cq.CURVE_KS
    assert np.all(np.diff(curve.kmeans) < 0), curve.kmeans
    assert np.all(curve.kmeans < curve.random), (curve.kmeans, curve.random)


def test_baseline_over_every_pixel_is_worse_than_kmeans(china):
    for k in (8, 16):
        assert cq.quantise(china, k, seed=0).rmse < cq.baseline_rmse(china, k, seed=0)


def test_same_seed_same_palette(china):
    a = cq.quantise(china, 8, seed=3, fit_pixels=5000)
    b = cq.quantise(china, 8, seed=3, fit_pixels=5000)
    assert np.array_equal(a.palette, b.palette)


# ----------------------------------------------------------------------------- output


def test_png_round_trips(china):
    q = cq.quantise(china, 4, seed=0, fit_pixels=5000)
    back = np.asarray(Image.open(io.BytesIO(cq.png_bytes(q.image))))
    assert np.array_equal(back, q.image)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("holiday.jpg", "holiday_16_colours.png"),
        ("../../etc/pass wd.png", "etc_pass_wd_16_colours.png"),
        (
            "Chinese temple (scikit-learn sample)",
            "Chinese_temple__scikit-learn_sample_16_colours.png",
        ),
        ("日本.png", "image_16_colours.png"),
    ],
)
def test_download_names_are_safe(name, expected):
    assert cq.download_name(name, 16) == expected


def test_cloud_sample_is_capped(china):
    assert cq.cloud_sample(china, 3000, seed=0).shape == (3000, 3)
    tiny = cq.Picture("tiny", np.zeros((2, 2, 3), dtype=np.uint8))
    assert cq.cloud_sample(tiny, 3000, seed=0).shape == (4, 3)
