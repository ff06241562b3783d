"""Figures for the Compare page: both clusterings side by side, disagreements, confusion.

Pure builders: arrays in (already projected to 2-D and sampled for display), Figure out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import plotly.graph_objects as go

from dashboard.compare import ClassMatch
from dashboard.plotting import base_layout, cluster_color

AGREE_COLOR = "#C8C8C8"
DISAGREE_COLOR = "#D62728"
# Above this many clusters a legend is longer than the plot; colours still tell them apart.
MAX_LEGEND_CLUSTERS = 12
SCATTER_HEIGHT = 470
# Room under each panel for the axis title and up to three legend rows.
LEGEND_MARGIN = 120

# Up to this many points a panel is drawn as SVG, above it with WebGL. Small panels
# draw faster as SVG, and three WebGL panels cost three WebGL contexts (browsers keep
# only about 16, and without a GPU WebGL is emulated on the CPU).
SVG_MAX_POINTS = 2000

# ([x0, x1], [y0, y1]) axis ranges shared by side-by-side panels.
Ranges = tuple[list[float], list[float]]
Scatter: TypeAlias = go.Scatter | go.Scattergl
ScatterKind: TypeAlias = type[go.Scatter] | type[go.Scattergl]


def _scatter_type(n_points: int) -> ScatterKind:
    """``go.Scatter`` (SVG) for a small panel, ``go.Scattergl`` (WebGL) for a large one."""
    return go.Scatter if n_points <= SVG_MAX_POINTS else go.Scattergl


def _finish(
    fig: go.Figure, title: str, x_title: str, y_title: str, ranges: Ranges | None
) -> go.Figure:
    """Common look of the three side-by-side panels.

    The legend sits in a fixed bottom margin (not pushing the plot up), and the panels
    share axis ranges, so the three plot areas line up point for point.
    """
    base_layout(fig, height=SCATTER_HEIGHT, title=title)
    fig.update_layout(
        margin=dict(l=10, r=10, t=50, b=LEGEND_MARGIN),
        legend=dict(yref="container", y=0, yanchor="bottom", x=0, xanchor="left"),
    )
    x_range, y_range = ranges if ranges is not None else (None, None)
    fig.update_xaxes(title=x_title, zeroline=False, range=x_range)
    fig.update_yaxes(title=y_title, zeroline=False, range=y_range)
    return fig


def shared_ranges(*arrays: np.ndarray, pad: float = 0.05) -> Ranges:
    """Axis ranges ``([x0, x1], [y0, y1])`` covering every 2-D array given, padded."""
    pts = np.vstack([a for a in arrays if len(a)])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    lo, hi = lo - pad * span, hi + pad * span
    return [float(lo[0]), float(hi[0])], [float(lo[1]), float(hi[1])]


def cluster_scatter(
    points: np.ndarray,
    labels: np.ndarray,
    centers_2d: np.ndarray,
    *,
    title: str,
    color_ids: Sequence[int] | np.ndarray | None = None,
    cluster_names: Sequence[str] | None = None,
    x_title: str = "",
    y_title: str = "",
    ranges: Ranges | None = None,
) -> go.Figure:
    """Points coloured by cluster, with each cluster's center as a large cross.

    Parameters
    ----------
    points : ndarray of shape (n, 2)
        Display coordinates of the (sampled) points.
    labels : ndarray of shape (n,)
        Cluster id of each point.
    centers_2d : ndarray of shape (k, 2)
        Centers in the same display coordinates.
    title : str
    color_ids : sequence of int, optional
        Colour index of each cluster (default: its own id). The scikit-learn plot passes
        the matched kmeans_core ids, so matched clusters share a colour.
    cluster_names : sequence of str, optional
        Legend name of each cluster (default "cluster j").
    x_title, y_title : str
    ranges : ([x0, x1], [y0, y1]), optional
        Axis ranges, e.g. from :func:`shared_ranges` so side-by-side panels line up.

    Returns
    -------
    go.Figure
        One scatter trace per cluster (empty clusters included, so legends line up),
        then one trace "centers".
    """
    k = len(centers_2d)
    colors = list(range(k)) if color_ids is None else [int(c) for c in color_ids]
    names = [f"cluster {j}" for j in range(k)] if cluster_names is None else list(cluster_names)
    kind = _scatter_type(len(points))
    fig = go.Figure(
        [_cluster_trace(kind, points[labels == j], names[j], colors[j]) for j in range(k)]
        + [_centers_trace(kind, centers_2d, names)]
    )
    fig = _finish(fig, title, x_title, y_title, ranges)
    fig.update_layout(showlegend=k <= MAX_LEGEND_CLUSTERS)
    return fig


def _cluster_trace(kind: ScatterKind, points: np.ndarray, name: str, color_id: int) -> Scatter:
    """One cluster's points, in its colour."""
    return kind(
        x=points[:, 0],
        y=points[:, 1],
        mode="markers",
        name=name,
        marker=dict(size=5, color=cluster_color(color_id), opacity=0.7),
        hovertemplate=f"{name}<br>(%{{x:.3g}}, %{{y:.3g}})<extra></extra>",
    )


def _centers_trace(kind: ScatterKind, centers_2d: np.ndarray, names: list[str]) -> Scatter:
    """The centers as large crosses, the same kind of trace as the points.

    WebGL traces are drawn above SVG ones: SVG centers over WebGL points would be hidden.
    """
    return kind(
        x=centers_2d[:, 0],
        y=centers_2d[:, 1],
        mode="markers",
        name="centers",
        # Black with a white rim: visible on top of any cluster colour.
        marker=dict(symbol="x", size=16, color="black", line=dict(width=1.5, color="white")),
        text=names,
        hovertemplate="center of %{text}<br>(%{x:.3g}, %{y:.3g})<extra></extra>",
    )


def disagreement_scatter(
    background: np.ndarray,
    highlighted: np.ndarray,
    n_disagree: int,
    n_total: int,
    *,
    x_title: str = "",
    y_title: str = "",
    ranges: Ranges | None = None,
) -> go.Figure:
    """All (sampled) points in grey, the points the two libraries disagree on in red.

    Parameters
    ----------
    background : ndarray of shape (n, 2)
        Display coordinates of the sampled points.
    highlighted : ndarray of shape (m, 2)
        Display coordinates of the disagreeing points to highlight.
    n_disagree, n_total : int
        Counts over the whole dataset, for the title.
    x_title, y_title, ranges
        As for :func:`cluster_scatter`.

    Returns
    -------
    go.Figure
        Two traces: "agree" (grey) and "different cluster" (red).
    """
    title = (
        "Disagreements: none"
        if n_disagree == 0
        else f"Disagreements: {n_disagree:,} of {n_total:,} points"
    )
    kind = _scatter_type(len(background) + len(highlighted))
    fig = go.Figure(
        [
            kind(
                x=background[:, 0],
                y=background[:, 1],
                mode="markers",
                name="same cluster in both",
                marker=dict(size=4, color=AGREE_COLOR),
                hoverinfo="skip",
            ),
            kind(
                x=highlighted[:, 0],
                y=highlighted[:, 1],
                mode="markers",
                name="different cluster",
                marker=dict(size=9, color=DISAGREE_COLOR, line=dict(width=1, color="black")),
                hovertemplate="different cluster<br>(%{x:.3g}, %{y:.3g})<extra></extra>",
            ),
        ]
    )
    return _finish(fig, title, x_title, y_title, ranges)


def confusion_heatmap(match: ClassMatch, class_names: Sequence[str], *, title: str) -> go.Figure:
    """True classes (rows) against clusters (columns), matched pairs on the diagonal.

    Parameters
    ----------
    match : ClassMatch
        From :func:`dashboard.compare.accuracy_after_matching`.
    class_names : sequence of str
        Name of each true class, by code.
    title : str

    Returns
    -------
    go.Figure
        One heatmap trace with the counts written in the cells.
    """
    order = match.column_order
    z = match.confusion[:, order]
    x = [f"cluster {c}" for c in order]
    y = [str(n) for n in class_names][: z.shape[0]]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=x,
            y=y,
            colorscale="Blues",
            texttemplate="%{z}",
            hovertemplate="true class %{y}<br>%{x}<br>%{z} points<extra></extra>",
            colorbar=dict(title="points"),
        )
    )
    base_layout(fig, height=max(260, 60 + 40 * z.shape[0]), title=title)
    fig.update_xaxes(title="cluster (matched order)", side="bottom", type="category")
    fig.update_yaxes(title="true class", autorange="reversed", type="category")
    return fig
