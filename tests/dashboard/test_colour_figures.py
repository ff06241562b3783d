"""Figure builders of the colour lab."""

from __future__ import annotations

import numpy as np

from dashboard import colour_quant as cq
from dashboard.colour_figures import error_curve_figure, hex_colour, palette_figure, rgb_cloud


def _quant() -> cq.Quantisation:
    palette = np.array([[255, 0, 0], [0, 0, 255], [255, 255, 255]], dtype=np.uint8)
    return cq.Quantisation(
        k=3,
        palette=palette,
        counts=np.array([10, 60, 30]),
        image=np.zeros((10, 10, 3), np.uint8),
        rmse=4.0,
        fit_pixels=100,
        seconds=0.1,
    )


def test_hex_colour():
    assert hex_colour(np.array([255, 128, 0], dtype=np.uint8)) == "#ff8000"


def test_palette_bars_most_used_first_in_their_own_colours():
    bar = palette_figure(_quant()).data[0]
    assert list(bar.y) == [0.6, 0.3, 0.1]
    assert list(bar.marker.color) == ["#0000ff", "#ffffff", "#ff0000"]


def test_rgb_cloud_draws_pixels_in_their_colour_and_the_centres():
    pixels = np.array([[10, 20, 30], [200, 100, 0]], dtype=np.uint8)
    fig = rgb_cloud(pixels, _quant().palette)
    assert [t.name for t in fig.data] == ["pixels", "centres (the palette)"]
    assert list(fig.data[0].marker.color) == ["#0a141e", "#c86400"]
    assert list(fig.data[1].x) == [255, 0, 255]
    assert fig.layout.scene.xaxis.title.text == "red"


def test_error_curve_has_both_palettes_and_marks_the_shown_k():
    curve = cq.ErrorCurve((2, 4), np.array([9.0, 5.0]), np.array([12.0, 9.0]), 100)
    fig = error_curve_figure(curve, _quant())
    assert [t.name for t in fig.data] == [
        "K-Means palette",
        "random palette",
        "shown above (K = 3)",
    ]
    assert list(fig.data[2].y) == [4.0]
    assert fig.layout.xaxis.type == "log"


def test_error_curve_uses_a_linear_axis_when_an_error_is_zero():
    curve = cq.ErrorCurve((2, 4), np.array([9.0, 0.0]), np.array([12.0, 0.0]), 100)
    assert error_curve_figure(curve).layout.yaxis.type != "log"
