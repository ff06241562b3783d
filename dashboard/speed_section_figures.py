"""Figures of the Speed page's "Pruning" and "Scale-out" sections."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.formatting import format_seconds
from dashboard.plotting import base_layout
from dashboard.speed_figures import seconds_axis
from dashboard.speed_pruning import ALGORITHM_LABELS, PruningResult
from dashboard.speed_scaleout import SCALEOUT_LABELS, ScaleoutResult

PRUNING_COLORS: dict[str, str] = {
    "lloyd": "#444444",
    "elkan": "#1F77B4",
    "hamerly": "#D62728",
    "tree": "#2CA02C",
}
SCALEOUT_COLORS: dict[str, str] = {
    "memory": "#444444",
    "dask_threads": "#1F77B4",
    "cluster_1": "#2CA02C",
    "cluster_2": "#D62728",
    "dask_ml": "#9467BD",
}


def pruning_figure(result: PruningResult, *, height: int = 460) -> go.Figure:
    """Time per iteration (top) and share of distances skipped (bottom) against iteration."""
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.14,
        row_heights=[0.6, 0.4],
        subplot_titles=("Time per iteration", "Distances skipped"),
    )
    for t in result.traces:
        label, color = ALGORITHM_LABELS[t.algorithm], PRUNING_COLORS[t.algorithm]
        its = list(range(1, len(t.seconds) + 1))
        fig.add_trace(
            go.Scatter(
                x=its,
                y=[s * 1000 for s in t.seconds],
                name=label,
                legendgroup=t.algorithm,
                mode="lines+markers",
                line=dict(color=color),
                hovertemplate=f"{label}<br>iteration %{{x}}: %{{y:.3g}} ms<extra></extra>",
            ),
            row=1,
            col=1,
        )
        if t.algorithm == "lloyd":
            continue  # Lloyd computes every distance: its line would sit at 0
        fig.add_trace(
            go.Scatter(
                x=its,
                y=list(t.skipped),
                name=label,
                legendgroup=t.algorithm,
                showlegend=False,
                mode="lines+markers",
                line=dict(color=color),
                hovertemplate=f"{label}<br>iteration %{{x}}: %{{y:.0%}} skipped<extra></extra>",
            ),
            row=2,
            col=1,
        )
    names = [ALGORITHM_LABELS[t.algorithm] for t in result.traces]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    base_layout(
        fig,
        title=f"{listed} from the same start (N = {result.n:,}, d = {result.d}, K = {result.k})",
        height=height,
    )
    fig.update_layout(margin=dict(t=90))  # room for the legend above the subplot titles
    fig.update_yaxes(title_text="ms", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="share", tickformat=".0%", range=[0, 1.02], row=2, col=1)
    n_iter = len(result.traces[0].seconds)
    fig.update_xaxes(range=[0.5, n_iter + 0.5], dtick=1 if n_iter <= 20 else None)
    fig.update_xaxes(title_text="iteration", row=2, col=1)
    return fig


def scaleout_figure(result: ScaleoutResult, *, height: int = 440) -> go.Figure:
    """Time per iteration against N (log–log), one line per engine that ran."""
    fig = go.Figure()
    for name in result.engines:
        points = [(p.n, p.seconds) for p in result.points if p.engine == name and p.seconds]
        if not points:
            continue
        label = SCALEOUT_LABELS[name]
        fig.add_trace(
            go.Scatter(
                x=[n for n, _ in points],
                y=[s for _, s in points],
                name=label,
                mode="lines+markers",
                line=dict(color=SCALEOUT_COLORS.get(name, "#444444")),
                text=[format_seconds(s) for _, s in points],
                hovertemplate=f"{label}<br>N = %{{x:,}}: %{{text}} per iteration<extra></extra>",
            )
        )
    base_layout(
        fig, title=f"Time per iteration against N (d = {result.d}, K = {result.k})", height=height
    )
    fig.update_xaxes(type="log", title_text="N (rows)")
    fig.update_yaxes(type="log", title_text="time per iteration")
    times = [p.seconds for p in result.points if p.seconds]
    if times:
        fig.update_yaxes(**seconds_axis(min(times), max(times)))
    # Five long names: the legend goes below the plot, clear of the title.
    fig.update_layout(
        legend=dict(orientation="h", yanchor="top", y=-0.18, xanchor="left", x=0),
        margin=dict(b=110),
    )
    return fig
