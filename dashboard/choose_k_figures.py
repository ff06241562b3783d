"""Figure builders for the Choose K page: elbow, metrics against K, silhouette diagram.

Pure functions: data in, ``plotly.graph_objects.Figure`` out.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.choose_k import Knee, KSweep, SilhouetteDiagram, percent_drop
from dashboard.plotting import PALETTE, base_layout, cluster_color

LINE = PALETTE[0]  # blue: WCSS
BAND = "rgba(0, 114, 178, 0.3)"
TIME = "#7F7F7F"  # grey: fit time (secondary axis)
MARK = PALETTE[5]  # vermillion: knee / best K
AVERAGE = "#D55E00"

METRICS = (
    ("silhouette", "Silhouette", "higher is better"),
    ("calinski_harabasz", "Calinski–Harabasz", "higher is better"),
    ("davies_bouldin", "Davies–Bouldin", "lower is better"),
)


def elbow_figure(sweep: KSweep, knee: Knee, *, log_y: bool = False, height: int = 560) -> go.Figure:
    """WCSS against K (mean of restarts, min–max band), the knee, fit time, % drop per step.

    Top panel: the mean WCSS over restarts as a line, the spread of the restarts as a
    min–max band, the knee as a star, and fit time per K on a second y-axis.
    Bottom panel: the percentage drop in WCSS from K − 1 to K, as bars.

    Parameters
    ----------
    sweep : KSweep
    knee : Knee
        ``knee.k`` is marked; when None the figure says "no knee found".
    log_y : bool
        Log-scale WCSS axis: shows the restart band in the flat tail, where it is tiny
        next to WCSS at K = 1. Ignored when some WCSS is 0 (no log of 0).
    height : int

    Returns
    -------
    go.Figure
    """
    ks = sweep.k_values
    mean, lo, hi = sweep.inertia_mean, sweep.inertia_min, sweep.inertia_max
    drop = percent_drop(mean)
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.68, 0.32],
        vertical_spacing=0.08,
        specs=[[{"secondary_y": True}], [{}]],
    )
    n_init = sweep.inertia_runs.shape[1]
    # The band (only with 2+ restarts): an invisible lower edge, then the upper edge filled
    # down to it.
    if n_init > 1:
        fig.add_trace(
            go.Scatter(
                x=ks,
                y=lo,
                mode="lines",
                line=dict(width=0),
                hoverinfo="skip",
                showlegend=False,
                name="restart min",
            ),
            row=1,
            col=1,
            secondary_y=False,
        )
        fig.add_trace(
            go.Scatter(
                x=ks,
                y=hi,
                mode="lines",
                line=dict(width=0),
                fill="tonexty",
                fillcolor=BAND,
                name=f"spread of {n_init} restarts (min–max)",
                hoverinfo="skip",
            ),
            row=1,
            col=1,
            secondary_y=False,
        )
    drop_text = ["—" if not np.isfinite(d) else f"{d:.1f}%" for d in drop]
    fig.add_trace(
        go.Scatter(
            x=ks,
            y=mean,
            mode="lines+markers",
            line=dict(color=LINE, width=3),
            marker=dict(size=7),
            name="WCSS (mean of restarts)",
            customdata=np.column_stack([lo, hi, drop_text]),
            hovertemplate=(
                "K = %{x}<br>mean WCSS %{y:,.4g}<br>restarts %{customdata[0]:,.4g}"
                " – %{customdata[1]:,.4g}<br>drop from K−1: %{customdata[2]}<extra></extra>"
            ),
        ),
        row=1,
        col=1,
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=ks,
            y=1000 * sweep.fit_seconds,
            mode="lines+markers",
            line=dict(color=TIME, width=1.5, dash="dot"),
            marker=dict(size=5, symbol="square"),
            name="fit time, all restarts (ms, right axis)",
            hovertemplate="K = %{x}<br>fit time %{y:,.1f} ms<extra></extra>",
        ),
        row=1,
        col=1,
        secondary_y=True,
    )
    if knee.k is not None and knee.k in set(ks.tolist()):
        i = int(np.flatnonzero(ks == knee.k)[0])
        fig.add_trace(
            go.Scatter(
                x=[knee.k],
                y=[mean[i]],
                mode="markers",
                marker=dict(symbol="star", size=20, color=MARK, line=dict(color="white", width=1)),
                name=f"knee: K = {knee.k}",
                hovertemplate="knee at K = %{x}<extra></extra>",
            ),
            row=1,
            col=1,
            secondary_y=False,
        )
    else:
        fig.add_annotation(
            text="No knee found",
            xref="x domain",
            yref="y domain",
            x=0.98,
            y=0.95,
            showarrow=False,
            font=dict(size=15, color=MARK),
            bgcolor="rgba(255,255,255,0.8)",
        )
    colors = [MARK if k == knee.k else PALETTE[4] for k in ks]
    fig.add_trace(
        go.Bar(
            x=ks,
            y=drop,
            marker_color=colors,
            name="% drop from K−1",
            text=drop_text,
            textposition="outside",
            cliponaxis=False,
            hovertemplate="K−1 → K = %{x}: WCSS drops %{y:.1f}%<extra></extra>",
            showlegend=False,
        ),
        row=2,
        col=1,
    )
    if knee.k is not None:  # a guide from the star down to the axis
        fig.add_vline(x=knee.k, line=dict(color=MARK, dash="dot", width=1), row=1, col=1)
    base_layout(fig, height=height)
    fig.update_layout(hovermode="x unified", margin=dict(t=60))
    if log_y and np.all(lo > 0):
        fig.update_yaxes(
            title_text="WCSS (log scale)", type="log", dtick="D2", row=1, col=1, secondary_y=False
        )
    else:
        fig.update_yaxes(
            title_text="WCSS (inertia)", row=1, col=1, secondary_y=False, rangemode="tozero"
        )
    fig.update_yaxes(
        title_text="fit time (ms)",
        row=1,
        col=1,
        secondary_y=True,
        showgrid=False,
        rangemode="tozero",
        color=TIME,
        tickmode="auto",
        nticks=5,
    )
    finite = drop[np.isfinite(drop)]
    top = float(finite.max()) if finite.size else 100.0
    fig.update_yaxes(title_text="% drop from K−1", row=2, col=1, range=[0, max(top, 1.0) * 1.25])
    fig.update_xaxes(title_text="K (number of clusters)", dtick=1, row=2, col=1)
    fig.update_xaxes(dtick=1, row=1, col=1)
    return fig


def metrics_figure(sweep: KSweep, bests: dict[str, int | None], *, height: int = 340) -> go.Figure:
    """Silhouette, Calinski–Harabasz and Davies–Bouldin against K, each with its best K starred.

    Parameters
    ----------
    sweep : KSweep
    bests : dict
        Metric key -> best K (or None), as from :func:`dashboard.choose_k.metric_bests`.
    height : int

    Returns
    -------
    go.Figure
    """
    titles = [f"{name}<br><sup>{hint}</sup>" for _, name, hint in METRICS]
    fig = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.07)
    ks = sweep.k_values
    for col, (key, name, _) in enumerate(METRICS, start=1):
        y = getattr(sweep, key)
        ok = np.isfinite(y)
        fig.add_trace(
            go.Scatter(
                x=ks[ok],
                y=y[ok],
                mode="lines+markers",
                name=name,
                line=dict(color=PALETTE[col - 1] if col > 1 else LINE, width=2.5),
                hovertemplate=f"K = %{{x}}<br>{name} %{{y:.3f}}<extra></extra>",
                showlegend=False,
            ),
            row=1,
            col=col,
        )
        k = bests.get(key)
        if k is not None:
            i = int(np.flatnonzero(ks == k)[0])
            fig.add_trace(
                go.Scatter(
                    x=[k],
                    y=[y[i]],
                    mode="markers+text",
                    text=[f"best K = {k}"],
                    textposition="bottom center" if key == "davies_bouldin" else "top center",
                    marker=dict(
                        symbol="star", size=18, color=MARK, line=dict(color="white", width=1)
                    ),
                    name=f"{name} best K = {k}",
                    showlegend=False,
                    hovertemplate=f"best {name}: K = %{{x}}<extra></extra>",
                ),
                row=1,
                col=col,
            )
        else:
            fig.add_annotation(
                text="undefined<br>(needs 2 ≤ K < n and<br>distinct points)",
                xref=f"x{col if col > 1 else ''} domain",
                yref=f"y{col if col > 1 else ''} domain",
                x=0.5,
                y=0.5,
                showarrow=False,
                font=dict(color=MARK),
            )
        fig.update_xaxes(title_text="K", dtick=1, row=1, col=col)
    base_layout(fig, height=height)
    fig.update_layout(margin=dict(t=70))
    # Headroom so the "best K" labels above the stars are not clipped.
    for col, (key, _, _) in enumerate(METRICS, start=1):
        y = getattr(sweep, key)
        y = y[np.isfinite(y)]
        if y.size:
            span = float(y.max() - y.min()) or abs(float(y.max())) or 1.0
            below, above = (0.3, 0.1) if key == "davies_bouldin" else (0.1, 0.3)
            fig.update_yaxes(range=[y.min() - below * span, y.max() + above * span], row=1, col=col)
    return fig


def silhouette_figure(diag: SilhouetteDiagram, *, height: int = 480) -> go.Figure:
    """The silhouette diagram ("knife plot"): each cluster's sorted values as a filled blade.

    Parameters
    ----------
    diag : SilhouetteDiagram
    height : int

    Returns
    -------
    go.Figure
        One filled trace per cluster (in cluster order) and a dashed vertical line
        at the average silhouette.
    """
    fig = go.Figure()
    gap = max(int(0.03 * diag.n_points), 3)
    y0 = 0
    ticks, ticktext = [], []
    for c in diag.clusters:
        m = c.values.size
        y = np.arange(y0, y0 + m)
        below = c.cluster in diag.below
        label = f"cluster {c.cluster}" + (" (entirely below average)" if below else "")
        fig.add_trace(
            go.Scatter(
                x=c.values,
                y=y,
                mode="lines",
                fill="tozerox",
                line=dict(color=cluster_color(c.cluster), width=1),
                fillcolor=cluster_color(c.cluster),
                opacity=0.85,
                name=label,
                hovertemplate=(
                    f"cluster {c.cluster}: {m} points, mean {c.mean:.2f}<br>"
                    "silhouette %{x:.2f}<extra></extra>"
                ),
            )
        )
        ticks.append(y0 + m / 2)
        ticktext.append(f"<b>{c.cluster}</b> ⚠" if below else str(c.cluster))
        y0 += m + gap
    fig.add_vline(
        x=diag.average,
        line=dict(color=AVERAGE, dash="dash", width=2),
    )
    # Above the plot area, so it never sits on top of a blade.
    fig.add_annotation(
        x=diag.average,
        y=1.0,
        yref="paper",
        yanchor="bottom",
        showarrow=False,
        text=f"average {diag.average:.2f}",
        font=dict(color=AVERAGE),
    )
    base_layout(fig, height=height)
    lo = min(float(min(c.values.min() for c in diag.clusters)), 0.0)
    fig.update_xaxes(title_text="silhouette value", range=[min(lo - 0.05, -0.1), 1.0])
    # Reversed: cluster 0 on top and each blade widest at its top, as in the classic plot.
    fig.update_yaxes(
        title_text="cluster",
        tickvals=ticks,
        ticktext=ticktext,
        showgrid=False,
        zeroline=False,
        autorange="reversed",
    )
    # The tick labels name the clusters; a legend would only repeat them.
    fig.update_layout(margin=dict(t=40), showlegend=False)
    return fig
