"""Figure builders for the Clusters page: sizes, z-score heat map, 3-D view, parallel axes, mix.

Pure functions: data in, ``plotly.graph_objects.Figure`` out. Cluster ``c`` is always
drawn in ``cluster_color(c)``, as on every other page.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.plotting import PALETTE, base_layout, cluster_color
from dashboard.profiles import View3D
from dashboard.safe_text import plotly_text

# The z-score colour scale is clipped here so one extreme cluster does not wash out the rest.
Z_CLIP = 3.0


def sizes_figure(sizes: np.ndarray, shares: np.ndarray, *, height: int = 260) -> go.Figure:
    """Horizontal bars: rows per cluster, labelled with count and share."""
    k = len(sizes)
    fig = go.Figure(
        go.Bar(
            x=sizes,
            y=[f"cluster {c}" for c in range(k)],
            orientation="h",
            marker_color=[cluster_color(c) for c in range(k)],
            text=[f"{n:,} ({s:.0%})" for n, s in zip(sizes, shares, strict=True)],
            textposition="auto",
            name="rows",
            hovertemplate="%{y}: %{x:,} rows<extra></extra>",
        )
    )
    base_layout(fig, height=max(height, 40 * k + 80))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text="rows")
    return fig


def heatmap_figure(z: np.ndarray, feature_names: list[str], *, height: int = 360) -> go.Figure:
    """Per-cluster z-scores as a diverging heat map (clusters as rows, features as columns)."""
    k = z.shape[0]
    text = [["" if not np.isfinite(v) else f"{v:+.1f}" for v in row] for row in z]
    fig = go.Figure(
        go.Heatmap(
            z=np.clip(z, -Z_CLIP, Z_CLIP),
            x=[plotly_text(name) for name in feature_names],
            y=[f"cluster {c}" for c in range(k)],
            text=text,
            texttemplate="%{text}",
            colorscale="RdBu_r",
            zmid=0,
            zmin=-Z_CLIP,
            zmax=Z_CLIP,
            colorbar=dict(title="z (sd)"),
            name="z-score",
            hovertemplate="%{y}, %{x}: %{text} sd from the overall mean<extra></extra>",
        )
    )
    base_layout(fig, height=max(height, 45 * k + 120))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickangle=-30)
    return fig


def scatter3d_figure(
    view: View3D, labels: np.ndarray, idx: np.ndarray, *, height: int = 620
) -> go.Figure:
    """3-D scatter of the rows ``idx`` coloured by cluster, with each center as a diamond."""
    fig = go.Figure()
    labels = np.asarray(labels)
    for c in range(len(view.centers)):
        rows = idx[labels[idx] == c]
        pts = view.points[rows]
        fig.add_trace(
            go.Scatter3d(
                x=pts[:, 0],
                y=pts[:, 1],
                z=pts[:, 2],
                mode="markers",
                marker=dict(size=2.5, color=cluster_color(c), opacity=0.7),
                name=f"cluster {c}",
                customdata=rows,
                hovertemplate=f"cluster {c}<br>row %{{customdata}}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter3d(
            x=view.centers[:, 0],
            y=view.centers[:, 1],
            z=view.centers[:, 2],
            mode="markers",
            marker=dict(
                size=8,
                symbol="diamond",
                color=[cluster_color(c) for c in range(len(view.centers))],
                line=dict(color="black", width=2),
            ),
            name="centers",
            hovertemplate="center<extra></extra>",
        )
    )
    base_layout(fig, height=height)
    fig.update_layout(
        scene=dict(
            xaxis_title=view.titles[0], yaxis_title=view.titles[1], zaxis_title=view.titles[2]
        ),
        margin=dict(l=0, r=0, t=30, b=0),
    )
    return fig


def _discrete_colorscale(k: int) -> list[list[float | str]]:
    """A stepped colour scale mapping the integers 0..k-1 to the cluster colours."""
    if k == 1:
        return [[0.0, PALETTE[0]], [1.0, PALETTE[0]]]
    scale: list[list[float | str]] = []
    for c in range(k):
        scale += [[c / k, cluster_color(c)], [(c + 1) / k, cluster_color(c)]]
    return scale


def parallel_figure(
    values: np.ndarray, labels: np.ndarray, feature_names: list[str], k: int, *, height: int = 480
) -> go.Figure:
    """Parallel coordinates: one line per row, coloured by cluster, one axis per feature.

    ``values`` holds only the rows and features to draw (sampled beforehand for large data).
    """
    labels = np.asarray(labels)
    dims = [dict(label="cluster", values=labels, tickvals=list(range(k)), range=[0, max(k - 1, 1)])]
    dims += [
        dict(label=plotly_text(name), values=values[:, j]) for j, name in enumerate(feature_names)
    ]
    fig = go.Figure(
        go.Parcoords(
            line=dict(
                color=labels,
                colorscale=_discrete_colorscale(k),
                cmin=-0.5,
                cmax=k - 0.5,
            ),
            dimensions=dims,
            name="rows",
        )
    )
    base_layout(fig, height=height)
    fig.update_layout(margin=dict(l=60, r=60, t=60, b=20))
    return fig


def category_mix_figure(mix: pd.DataFrame, column: str, *, height: int = 300) -> go.Figure:
    """Stacked horizontal bars: the share of each level of ``column`` within each cluster."""
    fig = go.Figure()
    for i, level in enumerate(mix.columns):
        fig.add_trace(
            go.Bar(
                x=mix[level].to_numpy(),
                y=[f"cluster {c}" for c in mix.index],
                orientation="h",
                name=plotly_text(level),
                marker_color=PALETTE[(i + 4) % len(PALETTE)],
                # The level is data, not template text: refer to the (escaped) name.
                hovertemplate="%{y}: %{x:.0%} %{fullData.name}<extra></extra>",
            )
        )
    base_layout(fig, height=max(height, 40 * len(mix) + 100), title=plotly_text(column))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_yaxes(autorange="reversed")
    return fig
