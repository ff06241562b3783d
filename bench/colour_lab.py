"""Colour lab timing: quantising a 1-megapixel image with K = 8, 16, 64.

Run from the repository root::

    python -m bench.colour_lab              # 5 alternated repeats per K
    python -m bench.colour_lab --repeats 9

The image is scikit-learn's ``china.jpg`` (640 × 427) resized to 1155 × 866
(1,000,230 pixels), the lab's largest working size. Two pipelines do the same
steps from the same pixel sample (20,000 pixels, the page's default):

* **colour lab** — :func:`dashboard.colour_quant.quantise`, what the page runs:
  kmeans_core fitted on the sample (k-means++, one run), every pixel assigned to
  its nearest centre with kmeans_core's GEMM tier, the palette image, the error.
* **scikit-learn** — ``sklearn.cluster.KMeans`` (k-means++, ``n_init=1``) fitted
  on the same sample, ``predict`` on every pixel, the palette image.

The two are timed alternately and the medians compared (ours / scikit-learn:
below 1 means the colour lab is faster). On a shared machine single runs drift;
read the ratio, which both sides share the drift of.
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import warnings
from collections.abc import Callable

import numpy as np
from PIL import Image
from sklearn.cluster import KMeans as SklearnKMeans

from dashboard import colour_quant as cq
from dashboard.fit_timing import FitTiming, time_alternating

KS = (8, 16, 64)
SIZE = (1155, 866)
SEED = 0


def megapixel_picture() -> cq.Picture:
    """china.jpg resized to 1155 × 866 (about one megapixel)."""
    small = cq.sample_picture("china.jpg").pixels
    big = Image.fromarray(small).resize(SIZE, Image.Resampling.LANCZOS)
    return cq.Picture("china 1 MP", np.asarray(big, dtype=np.uint8))


def sklearn_quantise(picture: cq.Picture, k: int) -> np.ndarray:
    """The same steps as the colour lab with scikit-learn's KMeans."""
    flat = picture.flat
    sample = cq.pixel_sample(flat, cq.DEFAULT_FIT_PIXELS, SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = SklearnKMeans(n_clusters=k, n_init=1, random_state=SEED).fit(sample)
    labels = model.predict(flat.astype(np.float32))
    palette = np.clip(np.rint(model.cluster_centers_), 0, 255).astype(np.uint8)
    return palette[labels].reshape(picture.pixels.shape)


def _ms(t: FitTiming) -> str:
    return f"{t.median * 1000:,.0f} ms ({t.low * 1000:,.0f}–{t.high * 1000:,.0f})"


def main() -> None:
    """Print one markdown row per K."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    picture = megapixel_picture()
    sklearn_quantise(picture, 2)  # warm-up: thread pools, lazy imports
    cq.quantise(picture, 2, SEED)
    cpus, python = os.cpu_count(), platform.python_version()
    print(f"# Colour lab, {picture.n_pixels:,} pixels, {cpus} CPUs, Python {python}")
    print(f"median of {args.repeats} alternated runs (fastest–slowest)\n")
    print("| K | colour lab (kmeans_core) | scikit-learn, same steps | ratio | RMSE |")
    print("|---|---|---|---|---|")
    for k in KS:
        calls: list[Callable[[], object]] = [
            functools.partial(cq.quantise, picture, k, SEED),
            functools.partial(sklearn_quantise, picture, k),
        ]
        results, (ours, theirs) = time_alternating(
            calls, max_repeats=args.repeats, budget_seconds=float("inf")
        )
        rmse = results[0].rmse
        ratio = ours.median / theirs.median
        print(f"| {k} | {_ms(ours)} | {_ms(theirs)} | {ratio:.2f} | {rmse:.2f} |")


if __name__ == "__main__":
    main()
