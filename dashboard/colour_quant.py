"""Colour quantisation with kmeans_core: an image redrawn with its K most representative colours.

Pixels are points in RGB space; K-Means fitted on a random sample of them gives K
centres, the palette, and every pixel is then drawn in its nearest palette
colour. The baseline is scikit-learn's gallery example's: K pixels picked at
random as the palette. Images come from scikit-learn's bundled samples (offline)
or an upload, checked before decoding (format, file size, pixel count, Pillow's
decompression-bomb guard). Plain Python: the page calls it through the cached
wrappers in :mod:`dashboard.streamlit_glue`.
"""

from __future__ import annotations

import hashlib
import io
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from sklearn.datasets import load_sample_image

from kmeans_core import KMeans, assign_labels_gemm

SAMPLE_IMAGES = {
    "china.jpg": "Chinese temple (scikit-learn sample)",
    "flower.jpg": "Flower (scikit-learn sample)",
}
UPLOAD_FORMATS = ("PNG", "JPEG")
MAX_UPLOAD_MB = 20
# Checked from the file's header, before any pixel is decoded.
MAX_UPLOAD_PIXELS = 40_000_000
# The lab works on at most this many pixels (larger images are downscaled, and say so).
WORK_PIXELS = 1_000_000
MIN_K, MAX_K, DEFAULT_K = 2, 64, 16
FIT_PIXEL_CHOICES = (5_000, 10_000, 20_000, 50_000)
DEFAULT_FIT_PIXELS = 20_000
CURVE_KS = (2, 4, 8, 16, 32, 64)
# The error curve is measured on this many pixels (each K is a new fit).
CURVE_EVAL_PIXELS = 50_000


@dataclass(frozen=True, eq=False)
class Picture:
    """An RGB image ready for the lab.

    Attributes
    ----------
    name : str
        Shown on the page (a sample's title or the uploaded file's name).
    pixels : ndarray of shape (height, width, 3), uint8
    notes : list of str
        What was done on the way in (downscaled, transparency flattened, ...).
    key : str
        Content hash, for caches.
    """

    name: str
    pixels: np.ndarray
    notes: list[str] = field(default_factory=list)
    key: str = field(init=False)

    def __post_init__(self) -> None:
        h = hashlib.blake2b(digest_size=12)
        h.update(str(self.pixels.shape).encode())
        h.update(np.ascontiguousarray(self.pixels).tobytes())
        object.__setattr__(self, "key", h.hexdigest())

    @property
    def n_pixels(self) -> int:
        """Height × width."""
        return int(self.pixels.shape[0] * self.pixels.shape[1])

    @property
    def flat(self) -> np.ndarray:
        """The pixels as an (n_pixels, 3) uint8 array."""
        return self.pixels.reshape(-1, 3)


# --------------------------------------------------------------------------- loading


def sample_picture(name: str) -> Picture:
    """One of scikit-learn's bundled sample images (no network needed)."""
    if name not in SAMPLE_IMAGES:
        raise ValueError(
            f"Unknown sample image {name!r}; choose one of {', '.join(SAMPLE_IMAGES)}."
        )
    return Picture(SAMPLE_IMAGES[name], np.asarray(load_sample_image(name), dtype=np.uint8))


def _open_checked(data: bytes) -> Image.Image:
    """Open (not decode) ``data`` and check format and pixel count from the header."""
    if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
        raise ValueError(
            f"The file is {len(data) / 2**20:.1f} MB; the colour lab takes images up to "
            f"{MAX_UPLOAD_MB} MB."
        )
    try:
        img = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise ValueError(
            "This file is not an image Pillow can read; upload a PNG or JPEG."
        ) from None
    if img.format not in UPLOAD_FORMATS:
        raise ValueError(f"This is a {img.format} image; upload a PNG or JPEG.")
    width, height = img.size
    if width * height > MAX_UPLOAD_PIXELS:
        raise ValueError(
            f"The image is {width:,} × {height:,} pixels ({width * height / 1e6:,.0f} megapixels); "
            f"the lab takes up to {MAX_UPLOAD_PIXELS / 1e6:.0f} megapixels. Resize it first."
        )
    return img


def _to_rgb(img: Image.Image) -> tuple[Image.Image, list[str]]:
    """Upright RGB: EXIF rotation applied, transparency flattened onto white."""
    notes = []
    img = ImageOps.exif_transpose(img)
    if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)
        notes.append("Transparent parts are shown on white.")
    return img.convert("RGB"), notes


def downscale(img: Image.Image, max_pixels: int = WORK_PIXELS) -> tuple[Image.Image, str | None]:
    """Shrink ``img`` to at most ``max_pixels`` (aspect kept); a note when it did."""
    width, height = img.size
    if width * height <= max_pixels:
        return img, None
    scale = (max_pixels / (width * height)) ** 0.5
    size = (max(1, int(width * scale)), max(1, int(height * scale)))
    small = img.resize(size, Image.Resampling.LANCZOS)
    return small, (
        f"Downscaled from {width:,} × {height:,} to {size[0]:,} × {size[1]:,} pixels "
        f"(the lab works on up to {max_pixels / 1e6:.0f} megapixel)."
    )


def read_upload(data: bytes, name: str) -> Picture:
    """An uploaded PNG or JPEG as a :class:`Picture`.

    Parameters
    ----------
    data : bytes
        The file's content.
    name : str
        The file's name (shown, never interpreted).

    Returns
    -------
    Picture

    Raises
    ------
    ValueError
        With a message fit to show: too large, not PNG/JPEG, a decompression bomb,
        truncated or unreadable.
    """
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it: treat that as refusal too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = _open_checked(data)
            img.load()
            rgb, notes = _to_rgb(img)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError(
            "The image claims more pixels than is safe to decode (a decompression bomb?); "
            "upload a smaller image."
        ) from None
    except (OSError, SyntaxError) as exc:
        raise ValueError(f"The image could not be decoded ({exc}); is the file complete?") from None
    small, note = downscale(rgb)
    return Picture(name, np.asarray(small, dtype=np.uint8), notes + ([note] if note else []))


# --------------------------------------------------------------------------- quantising


@dataclass(frozen=True)
class Quantisation:
    """An image drawn with K colours.

    Attributes
    ----------
    k : int
    palette : ndarray of shape (k, 3), uint8
        The K colours (K-Means centres, rounded).
    counts : ndarray of shape (k,), int
        Pixels drawn in each palette colour.
    image : ndarray of shape (height, width, 3), uint8
    rmse : float
        Root-mean-square difference from the original, per channel, on 0–255.
    fit_pixels : int
        Pixels K-Means was fitted on.
    seconds : float
        Wall time of fit and redraw.
    """

    k: int
    palette: np.ndarray
    counts: np.ndarray
    image: np.ndarray
    rmse: float
    fit_pixels: int
    seconds: float


def pixel_sample(flat: np.ndarray, size: int, seed: int) -> np.ndarray:
    """``min(size, n)`` pixels drawn without replacement by ``seed``, as float32."""
    n = len(flat)
    if size >= n:
        return flat.astype(np.float32)
    idx = np.random.default_rng(seed).choice(n, size=size, replace=False)
    return flat[idx].astype(np.float32)


def kmeans_palette(flat: np.ndarray, k: int, seed: int, fit_pixels: int) -> np.ndarray:
    """K colours: kmeans_core's centres fitted on a pixel sample (float32, 0–255)."""
    sample = pixel_sample(flat, fit_pixels, seed)
    k = min(k, len(np.unique(sample, axis=0)))
    with warnings.catch_warnings():
        # A flat image has fewer distinct colours than K: K is lowered above instead.
        warnings.simplefilter("ignore")
        model = KMeans(n_clusters=k, n_init=1, random_state=seed).fit(sample)
    return np.asarray(model.cluster_centers_, dtype=np.float32)


def random_palette(flat: np.ndarray, k: int, seed: int) -> np.ndarray:
    """The baseline: K pixels of the image picked at random as the palette."""
    idx = np.random.default_rng(seed).choice(len(flat), size=min(k, len(flat)), replace=False)
    return flat[idx].astype(np.float32)


def nearest(flat: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Index of each pixel's nearest palette colour (kmeans_core's chunked GEMM tier).

    Both are centred on mid-grey first: ‖x‖² − 2x·c + ‖c‖² in float32 loses digits
    when ‖x‖² is large next to the distances compared.
    """
    mid = np.float32(127.5)
    return assign_labels_gemm(flat.astype(np.float32) - mid, palette.astype(np.float32) - mid)


def rmse(flat: np.ndarray, palette: np.ndarray, labels: np.ndarray) -> float:
    """Root-mean-square error per channel of drawing each pixel in its palette colour."""
    diff = flat.astype(np.float32) - palette[labels].astype(np.float32)
    return float(np.sqrt(np.mean(np.square(diff, dtype=np.float64))))


def quantise(
    picture: Picture, k: int, seed: int, fit_pixels: int = DEFAULT_FIT_PIXELS
) -> Quantisation:
    """Fit kmeans_core on a pixel sample and redraw every pixel in its nearest centre.

    Parameters
    ----------
    picture : Picture
    k : int
        Colours, in ``[MIN_K, MAX_K]``.
    seed : int
        Pixel sample and k-means++.
    fit_pixels : int
        Pixels to fit on (the redraw covers every pixel).

    Returns
    -------
    Quantisation
    """
    if not MIN_K <= k <= MAX_K:
        raise ValueError(f"K must be between {MIN_K} and {MAX_K}, not {k}.")
    start = time.perf_counter()
    flat = picture.flat
    centres = kmeans_palette(flat, k, seed, fit_pixels)
    labels = nearest(flat, centres)
    palette = np.clip(np.rint(centres), 0, 255).astype(np.uint8)
    image = palette[labels].reshape(picture.pixels.shape)
    seconds = time.perf_counter() - start
    return Quantisation(
        k=len(palette),
        palette=palette,
        counts=np.bincount(labels, minlength=len(palette)),
        image=image,
        rmse=rmse(flat, palette, labels),
        fit_pixels=min(fit_pixels, len(flat)),
        seconds=seconds,
    )


def baseline_rmse(picture: Picture, k: int, seed: int) -> float:
    """RMSE of the random-palette baseline with ``k`` colours, over every pixel."""
    flat = picture.flat
    palette = random_palette(flat, k, seed)
    return rmse(flat, palette, nearest(flat, palette))


@dataclass(frozen=True)
class ErrorCurve:
    """Quantisation error against K, for K-Means and the random palette.

    Attributes
    ----------
    ks : tuple of int
    kmeans : ndarray of shape (len(ks),)
    random : ndarray of shape (len(ks),)
        RMSE (0–255) on the same :data:`CURVE_EVAL_PIXELS` evaluation pixels.
    eval_pixels : int
    """

    ks: tuple[int, ...]
    kmeans: np.ndarray
    random: np.ndarray
    eval_pixels: int


def error_curve(
    picture: Picture,
    seed: int,
    fit_pixels: int = DEFAULT_FIT_PIXELS,
    ks: tuple[int, ...] = CURVE_KS,
) -> ErrorCurve:
    """RMSE for each K in ``ks``: kmeans_core's palette and the random one.

    Every K is a fresh fit on the same pixel sample; both palettes are scored on
    the same evaluation sample (other pixels than the fit's, when the image has them).
    """
    flat = picture.flat
    evaluation = pixel_sample(flat, CURVE_EVAL_PIXELS, seed + 1)
    km, rnd = [], []
    for k in ks:
        centres = kmeans_palette(flat, k, seed, fit_pixels)
        km.append(rmse(evaluation, centres, nearest(evaluation, centres)))
        palette = random_palette(flat, k, seed)
        rnd.append(rmse(evaluation, palette, nearest(evaluation, palette)))
    return ErrorCurve(tuple(ks), np.array(km), np.array(rnd), len(evaluation))


def png_bytes(image: np.ndarray) -> bytes:
    """``image`` (h, w, 3) uint8 encoded as PNG."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image, dtype=np.uint8)).save(
        buffer, format="PNG", optimize=False
    )
    return buffer.getvalue()


def download_name(picture_name: str, k: int) -> str:
    """A safe file name for the quantised PNG: the picture's stem (letters, digits, -_) and K."""
    stem = picture_name.rsplit(".", 1)[0] if "." in picture_name else picture_name
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in stem)
    return f"{safe.strip('_')[:40] or 'image'}_{k}_colours.png"


def cloud_sample(picture: Picture, size: int, seed: int) -> np.ndarray:
    """``min(size, n)`` pixels (uint8) for the 3-D RGB point cloud."""
    flat = picture.flat
    if size >= len(flat):
        return flat
    return flat[np.random.default_rng(seed).choice(len(flat), size=size, replace=False)]
