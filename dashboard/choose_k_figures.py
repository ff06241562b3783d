"""Figure builders for the Choose K page: elbow, metrics and trust checks against K, knife plot.

Pure functions: data in, ``plotly.graph_objects.Figure`` out. Every trace has a
name (tests and pages find traces by name, never by position), and every point
on a K axis carries its K as ``x``, so a click on it selects that K.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.choose_k import ClusterSilhouette, Knee, KSweep, SilhouetteDiagram, percent_drop
from dashboard.formatting import format_seconds
from dashboard.gap_statistic import Gap
from dashboard.plotting import PALETTE, base_layout, cluster_color
from dashboard.stability import Stability

LINE = PALETTE[0]  # blue: WCSS
BAND = "rgba(0, 114, 178, 0.3)"
TIME = "#7F7F7F"  # grey: fit time (secondary axis)
MARK = PALETTE[5]  # vermillion: knee / best K
AVERAGE = "#D55E00"
STAR = dict(symbol="star", size=18, color=MARK, line=dict(color="white", width=1))
# Silhouette error bars: ±1.96 standard errors (a 95% interval).
Z95 = 1.96

METRICS = (
    ("silhouette", "Silhouette", "higher is better"),
    ("calinski_harabasz", "Calinski–Harabasz", "higher is better"),
    ("davies_bouldin", "Davies–Bouldin", "lower is better"),
)
MEAN_NAME = "WCSS (mean of restarts)"


# --------------------------------------------------------------------------- elbow


def _band_traces(sweep: KSweep) -> list[go.Scatter]:
    """The restart band: an invisible lower edge, then the upper edge filled down to it."""
    n_init = sweep.inertia_runs.shape[1]
    if n_init < 2:
        return []
    edge = dict(x=sweep.k_values, mode="lines", line=dict(width=0), hoverinfo="skip")
    return [
        go.Scatter(y=sweep.inertia_min, showlegend=False, name="restart min", **edge),
        go.Scatter(
            y=sweep.inertia_max,
            fill="tonexty",
            fillcolor=BAND,
            name=f"spread of {n_init} restarts (min–max)",
            **edge,
        ),
    ]


def _drop_text(drop: np.ndarray) -> list[str]:
    return ["—" if not np.isfinite(d) else f"{d:.1f}%" for d in drop]


def _mean_trace(sweep: KSweep) -> go.Scatter:
    drop = _drop_text(percent_drop(sweep.inertia_mean))
    return go.Scatter(
        x=sweep.k_values,
        y=sweep.inertia_mean,
        mode="lines+markers",
        line=dict(color=LINE, width=3),
        marker=dict(size=9),
        name=MEAN_NAME,
        customdata=np.column_stack([sweep.inertia_min, sweep.inertia_max, drop]),
        hovertemplate=(
            "K = %{x}<br>mean WCSS %{y:,.4g}<br>restarts %{customdata[0]:,.4g}"
            " – %{customdata[1]:,.4g}<br>drop from K−1: %{customdata[2]}<extra></extra>"
        ),
    )


def _time_trace(sweep: KSweep) -> go.Scatter:
    return go.Scatter(
        x=sweep.k_values,
        y=1000 * sweep.fit_seconds,
        mode="lines+markers",
        line=dict(color=TIME, width=1.5, dash="dot"),
        marker=dict(size=5, symbol="square"),
        name="fit time, all restarts (ms, right axis)",
        customdata=[format_seconds(float(s)) for s in sweep.fit_seconds],
        hovertemplate="K = %{x}<br>fit time %{customdata}<extra></extra>",
    )


def _knee_trace(sweep: KSweep, knee: Knee) -> go.Scatter | None:
    if knee.k is None or knee.k not in set(sweep.k_values.tolist()):
        return None
    i = int(np.flatnonzero(sweep.k_values == knee.k)[0])
    return go.Scatter(
        x=[knee.k],
        y=[sweep.inertia_mean[i]],
        mode="markers",
        marker=STAR | dict(size=20),
        name=f"knee: K = {knee.k}",
        hovertemplate="knee at K = %{x}<extra></extra>",
    )


def _drop_bars(sweep: KSweep, knee: Knee) -> go.Bar:
    drop = percent_drop(sweep.inertia_mean)
    return go.Bar(
        x=sweep.k_values,
        y=drop,
        marker_color=[MARK if k == knee.k else PALETTE[4] for k in sweep.k_values],
        name="% drop from K−1",
        text=_drop_text(drop),
        textposition="outside",
        cliponaxis=False,
        hovertemplate="K−1 → K = %{x}: WCSS drops %{y:.1f}%<extra></extra>",
        showlegend=False,
    )


def _no_knee_note(fig: go.Figure) -> None:
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


def _elbow_axes(fig: go.Figure, sweep: KSweep, log_y: bool) -> None:
    if log_y and np.all(sweep.inertia_min > 0):
        fig.update_yaxes(title_text="WCSS (log scale)", type="log", dtick="D2", row=1, col=1)
    else:
        fig.update_yaxes(title_text="WCSS (inertia)", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(
        title_text="fit time (ms)",
        secondary_y=True,
        showgrid=False,
        rangemode="tozero",
        color=TIME,
        nticks=5,
        row=1,
        col=1,
    )
    drop = percent_drop(sweep.inertia_mean)
    finite = drop[np.isfinite(drop)]
    top = float(finite.max()) if finite.size else 100.0
    fig.update_yaxes(title_text="% drop from K−1", row=2, col=1, range=[0, max(top, 1.0) * 1.25])
    fig.update_xaxes(title_text="K (number of clusters)", dtick=1, row=2, col=1)
    fig.update_xaxes(dtick=1, row=1, col=1)


def elbow_figure(sweep: KSweep, knee: Knee, *, log_y: bool = False, height: int = 560) -> go.Figure:
    """WCSS against K (mean of restarts, min–max band), the knee, fit time, % drop per step.

    Parameters
    ----------
    sweep : KSweep
    knee : Knee
        ``knee.k`` is starred; when None the figure says "No knee found".
    log_y : bool
        Log-scale WCSS axis: shows the restart band in the flat tail, where it is tiny
        next to WCSS at K = 1. Ignored when some WCSS is 0 (no log of 0).
    height : int

    Returns
    -------
    go.Figure
        Top panel: band, mean line, fit time (right axis), knee star. Bottom panel:
        the percentage drop in WCSS from K − 1 to K.
    """
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.68, 0.32],
        vertical_spacing=0.08,
        specs=[[{"secondary_y": True}], [{}]],
    )
    for trace in [*_band_traces(sweep), _mean_trace(sweep)]:
        fig.add_trace(trace, row=1, col=1, secondary_y=False)
    fig.add_trace(_time_trace(sweep), row=1, col=1, secondary_y=True)
    star = _knee_trace(sweep, knee)
    if star is None:
        _no_knee_note(fig)
    else:
        fig.add_trace(star, row=1, col=1, secondary_y=False)
        fig.add_vline(x=knee.k, line=dict(color=MARK, dash="dot", width=1), row=1, col=1)
    fig.add_trace(_drop_bars(sweep, knee), row=2, col=1)
    base_layout(fig, height=height)
    fig.update_layout(hovermode="x unified", margin=dict(t=60), clickmode="event+select")
    _elbow_axes(fig, sweep, log_y)
    return fig


# --------------------------------------------------------------------------- metrics


def _error_y(sweep: KSweep, key: str, ok: np.ndarray) -> dict | None:
    if key != "silhouette" or not np.any(sweep.silhouette_se[ok] > 0):
        return None
    return dict(type="data", array=Z95 * sweep.silhouette_se[ok], visible=True, thickness=1.5)


def _metric_line(sweep: KSweep, key: str, name: str, color: str) -> go.Scatter:
    y = getattr(sweep, key)
    ok = np.isfinite(y)
    return go.Scatter(
        x=sweep.k_values[ok],
        y=y[ok],
        mode="lines+markers",
        name=name,
        line=dict(color=color, width=2.5),
        marker=dict(size=8),
        error_y=_error_y(sweep, key, ok),
        hovertemplate=f"K = %{{x}}<br>{name} %{{y:.3f}}<extra></extra>",
        showlegend=False,
    )


def _best_star(x: int, y: float, name: str, below: bool = False) -> go.Scatter:
    return go.Scatter(
        x=[x],
        y=[y],
        mode="markers+text",
        text=[f"best K = {x}"],
        textposition="bottom center" if below else "top center",
        marker=STAR,
        name=f"{name} best K = {x}",
        showlegend=False,
        hovertemplate=f"best {name}: K = %{{x}}<extra></extra>",
    )


def _undefined_note(fig: go.Figure, col: int, text: str) -> None:
    suffix = col if col > 1 else ""
    fig.add_annotation(
        text=text,
        xref=f"x{suffix} domain",
        yref=f"y{suffix} domain",
        x=0.5,
        y=0.5,
        showarrow=False,
        font=dict(color=MARK),
    )


def _headroom(fig: go.Figure, y: np.ndarray, col: int, below: bool) -> None:
    """Room above (or below) the points so the "best K" labels are not clipped."""
    y = y[np.isfinite(y)]
    if y.size:
        span = float(y.max() - y.min()) or abs(float(y.max())) or 1.0
        lo, hi = (0.3, 0.1) if below else (0.1, 0.3)
        fig.update_yaxes(range=[y.min() - lo * span, y.max() + hi * span], row=1, col=col)


def metrics_figure(sweep: KSweep, bests: dict[str, int | None], *, height: int = 340) -> go.Figure:
    """Silhouette, Calinski–Harabasz and Davies–Bouldin against K, each with its best K starred.

    Parameters
    ----------
    sweep : KSweep
        A sampled silhouette gets ±1.96 standard-error bars.
    bests : dict
        Metric key -> best K (or None), as from :func:`dashboard.choose_k.metric_bests`.
    height : int

    Returns
    -------
    go.Figure
    """
    titles = [f"{name}<br><sup>{hint}</sup>" for _, name, hint in METRICS]
    fig = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.07)
    for col, (key, name, _) in enumerate(METRICS, start=1):
        y = getattr(sweep, key)
        fig.add_trace(_metric_line(sweep, key, name, PALETTE[col - 1]), row=1, col=col)
        k = bests.get(key)
        below = key == "davies_bouldin"
        if k is None:
            _undefined_note(fig, col, "undefined<br>(needs 2 ≤ K < n and<br>distinct points)")
        else:
            i = int(np.flatnonzero(sweep.k_values == k)[0])
            fig.add_trace(_best_star(k, float(y[i]), name, below), row=1, col=col)
        fig.update_xaxes(title_text="K", dtick=1, row=1, col=col)
        _headroom(fig, y, col, below)
    base_layout(fig, height=height)
    fig.update_layout(margin=dict(t=70), clickmode="event+select")
    return fig


# --------------------------------------------------------------------------- trust checks


def _error_bar_line(
    k_values: np.ndarray, y: np.ndarray, err: np.ndarray, color: str, name: str, hover: str
) -> go.Scatter:
    """A value per K with its error bars; K where the value is undefined are left out."""
    ok = np.isfinite(y)
    return go.Scatter(
        x=k_values[ok],
        y=y[ok],
        error_y=dict(type="data", array=err[ok], visible=True, thickness=1.5),
        mode="lines+markers",
        marker=dict(size=8),
        line=dict(color=color, width=2.5),
        name=name,
        hovertemplate=f"K = %{{x}}<br>{hover}<extra></extra>",
        showlegend=False,
    )


def _stability_traces(stab: Stability) -> list[go.Scatter]:
    line = _error_bar_line(
        stab.k_values, stab.mean_ari, stab.sd_ari, PALETTE[2],
        "stability (mean ARI ± sd)", "ARI %{y:.2f}",
    )  # fmt: skip
    return [line]


def _gap_traces(gap: Gap) -> list[go.Scatter]:
    traces = [
        _error_bar_line(
            gap.k_values, gap.gap, gap.s, PALETTE[3], "gap statistic (± s)", "gap %{y:.3f}"
        )
    ]
    if gap.choice is not None:
        i = int(np.flatnonzero(gap.k_values == gap.choice)[0])
        traces.append(_best_star(gap.choice, float(gap.gap[i]), "gap statistic"))
    return traces


def trust_figure(stab: Stability | None, gap: Gap | None, *, height: int = 340) -> go.Figure:
    """Stability (mean ARI ± sd) and the gap statistic (± s, chosen K starred) against K.

    Parameters
    ----------
    stab : Stability or None
    gap : Gap or None
        A panel whose result is None says "not computed".
    height : int

    Returns
    -------
    go.Figure
    """
    titles = [
        "Stability: ARI between resampled fits<br><sup>near 1 = reproducible</sup>",
        "Gap statistic<br><sup>smallest K within 1 s of the next</sup>",
    ]
    fig = make_subplots(rows=1, cols=2, subplot_titles=titles, horizontal_spacing=0.08)
    panels = (
        (1, _stability_traces(stab) if stab is not None else None),
        (2, _gap_traces(gap) if gap is not None else None),
    )
    for col, traces in panels:
        if not traces or not len(traces[0].x):
            _undefined_note(fig, col, "not computed" if traces is None else "undefined here")
            continue
        for trace in traces:
            fig.add_trace(trace, row=1, col=col)
        fig.update_xaxes(title_text="K", dtick=1, row=1, col=col)
    if gap is not None:
        _headroom(fig, gap.gap, 2, below=False)
    # ARI is at most 1; keep that ceiling in view so "near 1" reads at a glance.
    fig.update_yaxes(range=[-0.05, 1.08], row=1, col=1)
    base_layout(fig, height=height)
    fig.update_layout(margin=dict(t=70), clickmode="event+select")
    return fig


# --------------------------------------------------------------------------- knife plot


def _blade(c: ClusterSilhouette, y0: int, below: bool) -> go.Scatter:
    m = c.values.size
    label = f"cluster {c.cluster}" + (" (entirely below average)" if below else "")
    return go.Scatter(
        x=c.values,
        y=np.arange(y0, y0 + m),
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


def _average_line(fig: go.Figure, average: float) -> None:
    fig.add_vline(x=average, line=dict(color=AVERAGE, dash="dash", width=2))
    # Above the plot area, so it never sits on top of a blade.
    fig.add_annotation(
        x=average,
        y=1.0,
        yref="paper",
        yanchor="bottom",
        showarrow=False,
        text=f"average {average:.2f}",
        font=dict(color=AVERAGE),
    )


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
        below = c.cluster in diag.below
        fig.add_trace(_blade(c, y0, below))
        ticks.append(y0 + c.values.size / 2)
        ticktext.append(f"<b>{c.cluster}</b> ⚠" if below else str(c.cluster))
        y0 += c.values.size + gap
    _average_line(fig, diag.average)
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
