"""Figures for "Beyond K-Means": every method's clusters, DBSCAN's k-distance knee, the split tree.

Pure builders: results and projected points in, ``plotly.graph_objects.Figure`` out.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.alternatives import AlternativesRun, Gaussians, KDistance, MethodResult, SplitNode
from dashboard.compare import accuracy_after_matching
from dashboard.plotting import base_layout, cluster_color

NOISE_COLOR = "#9A9A9A"
ELLIPSE_COLOR = "#222222"
GRID_COLUMNS = 3
PANEL_HEIGHT = 300
# The ellipses enclose two standard deviations (about 86% of a 2-D Gaussian's mass).
ELLIPSE_STDS = 2.0

Projector = Callable[[np.ndarray], np.ndarray]


def panel_title(result: MethodResult) -> str:
    """A panel's title: the method and its headline score."""
    if result.error is not None:
        return f"{result.name}: failed"
    if result.ari is not None:
        return f"{result.name} · ARI {result.ari:.2f}"
    if result.silhouette is not None:
        return f"{result.name} · silhouette {result.silhouette:.2f}"
    return result.name


def matched_colour_ids(labels: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Colour id per cluster id so that matched clusters share the reference's colours.

    Cluster ids are arbitrary: each method's clusters are matched one-to-one to the
    reference groups (Hungarian, most shared points); unmatched clusters get the next
    free colours. Noise (-1) stays -1.

    Parameters
    ----------
    labels : ndarray of int
        One method's clusters (-1 = noise).
    reference : ndarray of int
        Groups to match (the true classes, or kmeans_core's clusters), same points.

    Returns
    -------
    ndarray of int, shape (max(labels) + 1,)
    """
    n_clusters = int(labels.max()) + 1 if labels.size and labels.max() >= 0 else 0
    if n_clusters == 0:
        return np.zeros(0, dtype=np.int64)
    kept = labels >= 0
    n_ref = int(reference.max()) + 1
    match = accuracy_after_matching(labels[kept], reference[kept], n_clusters, n_ref)
    ids = match.cluster_to_class.copy()
    unmatched = np.flatnonzero(ids < 0)
    ids[unmatched] = n_ref + np.arange(unmatched.size)
    return ids


def _points_trace(points: np.ndarray, labels: np.ndarray, colour_ids: np.ndarray) -> go.Scattergl:
    """The clustered points, coloured by matched cluster (noise is a separate trace)."""
    kept = labels >= 0
    return go.Scattergl(
        x=points[kept, 0],
        y=points[kept, 1],
        mode="markers",
        name="clustered",
        marker=dict(
            size=4,
            color=[cluster_color(int(colour_ids[c])) for c in labels[kept]],
            opacity=0.75,
        ),
        text=[f"cluster {int(c)}" for c in labels[kept]],
        hovertemplate="%{text}<extra></extra>",
        showlegend=False,
    )


def _noise_trace(points: np.ndarray, labels: np.ndarray, show_legend: bool) -> go.Scattergl:
    """Noise points (label -1) as small grey crosses."""
    noise = labels < 0
    return go.Scattergl(
        x=points[noise, 0],
        y=points[noise, 1],
        mode="markers",
        name="noise",
        legendgroup="noise",
        marker=dict(size=6, symbol="x", color=NOISE_COLOR),
        hovertemplate="noise<extra></extra>",
        showlegend=show_legend,
    )


def _affine_parts(project: Projector, d: int) -> tuple[np.ndarray, np.ndarray]:
    """The linear map A (2 × d) and offset b of an affine view ``project(z) = A z + b``."""
    offset = project(np.zeros((1, d)))[0]
    linear = (project(np.eye(d)) - offset).T
    return linear, offset


def ellipse_xy(center: np.ndarray, cov: np.ndarray, n_std: float = ELLIPSE_STDS) -> np.ndarray:
    """Points (64, 2) on the ``n_std`` ellipse of a 2-D Gaussian, closed."""
    values, vectors = np.linalg.eigh(cov)
    radii = n_std * np.sqrt(np.clip(values, 0, None))
    angle = np.linspace(0, 2 * np.pi, 64)
    circle = np.column_stack([np.cos(angle), np.sin(angle)])
    return center + (circle * radii) @ vectors.T


def ellipses_2d(gaussians: Gaussians, project: Projector) -> list[np.ndarray]:
    """Each component's ellipse in the view: means projected, covariances as A Σ Aᵀ."""
    d = gaussians.means.shape[1]
    linear, offset = _affine_parts(project, d)
    out = []
    for mean, cov in zip(gaussians.means, gaussians.covariances, strict=True):
        out.append(ellipse_xy(linear @ mean + offset, linear @ cov @ linear.T))
    return out


def _ellipse_traces(gaussians: Gaussians, project: Projector) -> list[go.Scattergl]:
    return [
        go.Scattergl(
            x=xy[:, 0],
            y=xy[:, 1],
            mode="lines",
            name="mixture component (2σ)",
            legendgroup="ellipse",
            line=dict(color=ELLIPSE_COLOR, width=1.5),
            hoverinfo="skip",
            showlegend=j == 0,
        )
        for j, xy in enumerate(ellipses_2d(gaussians, project))
    ]


def _panel_traces(
    result: MethodResult,
    points: np.ndarray,
    labels: np.ndarray,
    reference: np.ndarray,
    project: Projector,
    first: bool,
) -> list[go.Scattergl]:
    colour_ids = matched_colour_ids(labels, reference)
    traces = [_points_trace(points, labels, colour_ids), _noise_trace(points, labels, first)]
    if result.gaussians is not None:
        traces += _ellipse_traces(result.gaussians, project)
    return traces


def method_grid(
    run: AlternativesRun,
    points: np.ndarray,
    project: Projector,
    *,
    truth: np.ndarray | None = None,
    x_title: str = "",
    y_title: str = "",
) -> go.Figure:
    """Small multiples: each method's clusters on the same sampled points.

    Parameters
    ----------
    run : AlternativesRun
    points : ndarray of shape (len(run.sample), 2)
        The sampled rows (``run.sample``) in display coordinates.
    project : callable
        Feature space to display coordinates (``View2D.project``), for the ellipses.
    truth : ndarray of int, optional
        True classes of the sampled rows. Colours follow them (else kmeans_core's
        clusters), so a group has the same colour in every panel that finds it.
    x_title, y_title : str

    Returns
    -------
    go.Figure
        One subplot per method (WebGL traces in one figure share one canvas), noise
        as grey crosses, the Gaussian mixture's 2σ ellipses.
    """
    n = len(run.results)
    rows = -(-n // GRID_COLUMNS)
    fig = make_subplots(
        rows=rows,
        cols=GRID_COLUMNS,
        subplot_titles=[panel_title(r) for r in run.results],
        shared_xaxes=True,
        shared_yaxes=True,
        horizontal_spacing=0.03,
        vertical_spacing=0.08,
    )
    reference = truth if truth is not None else run.results[0].labels_at(run.sample)
    first_noise = True
    for i, result in enumerate(run.results):
        labels = result.labels_at(run.sample)
        show = first_noise and bool(np.any(labels < 0))
        first_noise = first_noise and not show
        for trace in _panel_traces(result, points, labels, reference, project, show):
            fig.add_trace(trace, row=i // GRID_COLUMNS + 1, col=i % GRID_COLUMNS + 1)
    base_layout(fig, height=PANEL_HEIGHT * rows + 60)
    fig.update_xaxes(zeroline=False, showticklabels=False)
    fig.update_yaxes(zeroline=False, showticklabels=False)
    fig.update_xaxes(title_text=x_title, row=rows)
    fig.update_yaxes(title_text=y_title, col=1)
    fig.update_layout(
        # The legend (noise, ellipses) in the top margin, above the panel titles.
        margin=dict(l=10, r=10, t=75, b=10),
        legend=dict(orientation="h", x=1, xanchor="right", y=1, yanchor="top", yref="container"),
    )
    return fig


def k_distance_figure(curve: KDistance, eps: float | None = None) -> go.Figure:
    """The sorted k-distances with the knee and the eps in use.

    Parameters
    ----------
    curve : KDistance
    eps : float, optional
        The eps DBSCAN runs with, when the visitor changed the suggested one.

    Returns
    -------
    go.Figure
        Traces "k-distance", and "knee" when there is one; eps as a dashed line.
    """
    x = np.arange(len(curve.distances))
    fig = go.Figure(
        go.Scatter(
            x=x,
            y=curve.distances,
            mode="lines",
            name="k-distance",
            line=dict(color=cluster_color(0)),
            hovertemplate="point %{x}<br>distance %{y:.3g}<extra></extra>",
        )
    )
    if curve.knee is not None:
        fig.add_trace(
            go.Scatter(
                x=[curve.knee],
                y=[curve.distances[curve.knee]],
                mode="markers",
                name="knee",
                marker=dict(size=12, color=cluster_color(5), symbol="diamond"),
                hovertemplate="knee: eps = %{y:.3g}<extra></extra>",
            )
        )
    eps = curve.eps if eps is None else eps
    fig.add_hline(y=eps, line_dash="dash", line_color=NOISE_COLOR, annotation_text=f"eps {eps:.3g}")
    base_layout(fig, height=300, title=f"Distance to the {curve.min_samples}th neighbour, sorted")
    fig.update_layout(legend=dict(orientation="v", x=0.02, xanchor="left", y=0.98, yanchor="top"))
    fig.update_xaxes(title="points, sorted by that distance")
    fig.update_yaxes(title="distance")
    return fig


def split_tree_figure(nodes: list[SplitNode], colour_ids: np.ndarray | None = None) -> go.Figure:
    """BisectingKMeans' splits as an icicle: the root on top, each split below its parent.

    Widths are the points in each node; leaves carry their cluster's colour.

    Parameters
    ----------
    nodes : list of SplitNode
    colour_ids : ndarray of int, optional
        Colour of each cluster (:func:`matched_colour_ids`), as in the grid's panel.

    Returns
    -------
    go.Figure
        One ``go.Icicle`` trace.
    """
    labels = [
        "all points" if n.parent == "" else (f"cluster {n.label}" if n.label >= 0 else "split")
        for n in nodes
    ]
    ids = np.arange(len(nodes)) if colour_ids is None else colour_ids

    def colour(label: int) -> str:
        if label < 0:
            return "#E8E8E8"
        # A leaf left empty (duplicate points) has no matched colour: its own id.
        return cluster_color(int(ids[label]) if label < len(ids) else label)

    colors = [colour(n.label) for n in nodes]
    fig = go.Figure(
        go.Icicle(
            ids=[n.node_id for n in nodes],
            labels=labels,
            parents=[n.parent for n in nodes],
            values=[n.size for n in nodes],
            branchvalues="total",
            marker=dict(colors=colors),
            texttemplate="%{label}<br>%{value:,} points",
            hovertemplate="%{label}: %{value:,} points<extra></extra>",
            tiling=dict(orientation="v"),
            sort=False,
        )
    )
    base_layout(fig, height=320, title="BisectingKMeans: the split tree")
    fig.update_layout(margin=dict(l=10, r=10, t=50, b=10))
    return fig
