"""Figures for the colour lab: the palette, the pixels in RGB space, the error against K.

Pure builders: arrays in, ``plotly.graph_objects.Figure`` out.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.colour_quant import ErrorCurve, Quantisation
from dashboard.plotting import base_layout, cluster_color


def hex_colour(rgb: np.ndarray) -> str:
    """``#rrggbb`` of one uint8 RGB triple."""
    r, g, b = (int(v) for v in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def palette_figure(quant: Quantisation) -> go.Figure:
    """The K colours as bars, tallest first: each bar's height is its share of the pixels.

    Returns
    -------
    go.Figure
        One bar trace, coloured by the palette (a thin grey outline keeps white visible).
    """
    order = np.argsort(-quant.counts, kind="stable")
    shares = quant.counts[order] / max(int(quant.counts.sum()), 1)
    colours = [hex_colour(quant.palette[j]) for j in order]
    fig = go.Figure(
        go.Bar(
            x=[str(i + 1) for i in range(len(order))],
            y=shares,
            marker=dict(color=colours, line=dict(color="#BBBBBB", width=0.5)),
            customdata=colours,
            # Hex codes on the bars while they fit; always in the hover.
            text=colours if quant.k <= 16 else None,
            hovertemplate="%{customdata}<br>%{y:.1%} of the pixels<extra></extra>",
            name="palette",
        )
    )
    base_layout(fig, height=260, title=f"The {quant.k} colours, by share of the pixels")
    fig.update_xaxes(
        title="colour (most used first)", type="category", showticklabels=quant.k <= 32
    )
    fig.update_yaxes(title="share of pixels", tickformat=".0%")
    fig.update_layout(bargap=0.05)
    return fig


def rgb_cloud(pixels: np.ndarray, palette: np.ndarray) -> go.Figure:
    """Sampled pixels as points in RGB space, each in its own colour, and the K centres.

    Parameters
    ----------
    pixels : ndarray of shape (m, 3), uint8
        A sample of the image's pixels.
    palette : ndarray of shape (k, 3), uint8
        The K-Means centres.

    Returns
    -------
    go.Figure
        Traces "pixels" and "centres" (large diamonds with a black rim).
    """
    fig = go.Figure(
        [
            go.Scatter3d(
                x=pixels[:, 0],
                y=pixels[:, 1],
                z=pixels[:, 2],
                mode="markers",
                name="pixels",
                marker=dict(size=2, color=[hex_colour(p) for p in pixels], opacity=0.8),
                hoverinfo="skip",
            ),
            go.Scatter3d(
                x=palette[:, 0],
                y=palette[:, 1],
                z=palette[:, 2],
                mode="markers",
                name="centres (the palette)",
                marker=dict(
                    size=7,
                    symbol="diamond",
                    color=[hex_colour(p) for p in palette],
                    line=dict(color="black", width=2),
                ),
                text=[hex_colour(p) for p in palette],
                hovertemplate="centre %{text}<extra></extra>",
            ),
        ]
    )
    axis = dict(range=[0, 255], backgroundcolor="#F4F5FB")
    base_layout(fig, height=520, title="Pixels in RGB space, and the K centres")
    fig.update_layout(
        scene=dict(
            xaxis=dict(title="red", **axis),
            yaxis=dict(title="green", **axis),
            zaxis=dict(title="blue", **axis),
            aspectmode="cube",
        ),
        margin=dict(l=0, r=0, t=50, b=40),
        legend=dict(orientation="h", x=0, xanchor="left", y=0, yanchor="top"),
    )
    return fig


def error_curve_figure(curve: ErrorCurve, current: Quantisation | None = None) -> go.Figure:
    """Quantisation error against K: kmeans_core's palette and the random one.

    Parameters
    ----------
    curve : ErrorCurve
    current : Quantisation, optional
        The quantisation shown above, marked at its K and its error on every pixel.

    Returns
    -------
    go.Figure
        Traces "K-Means palette", "random palette" (and "shown above"); K on a log axis.
    """
    fig = go.Figure(
        [
            go.Scatter(
                x=list(curve.ks),
                y=curve.kmeans,
                mode="lines+markers",
                name="K-Means palette",
                line=dict(color=cluster_color(0)),
                hovertemplate="K = %{x}<br>RMSE %{y:.2f}<extra>K-Means</extra>",
            ),
            go.Scatter(
                x=list(curve.ks),
                y=curve.random,
                mode="lines+markers",
                name="random palette",
                line=dict(color=cluster_color(1), dash="dash"),
                hovertemplate="K = %{x}<br>RMSE %{y:.2f}<extra>random</extra>",
            ),
        ]
    )
    if current is not None:
        fig.add_trace(
            go.Scatter(
                x=[current.k],
                y=[current.rmse],
                mode="markers",
                name=f"shown above (K = {current.k})",
                marker=dict(size=13, symbol="star", color=cluster_color(5)),
                hovertemplate="K = %{x}, every pixel<br>RMSE %{y:.2f}<extra></extra>",
            )
        )
    base_layout(fig, height=320, title="Quantisation error against K")
    fig.update_xaxes(title="K (colours)", type="log", tickvals=list(curve.ks))
    # Log scale: the random palette's K = 2 error would otherwise flatten the rest
    # (not possible when an error is 0, e.g. an image with fewer colours than K).
    if np.all(curve.kmeans > 0) and np.all(curve.random > 0):
        fig.update_yaxes(title="RMSE per channel (0–255), log scale", type="log")
    else:
        fig.update_yaxes(title="RMSE per channel (0–255)", rangemode="tozero")
    fig.update_layout(
        legend=dict(
            orientation="v",
            x=0.98,
            xanchor="right",
            y=0.98,
            yanchor="top",
            bgcolor="rgba(255,255,255,0.85)",
        )
    )
    return fig
