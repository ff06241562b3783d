"""Figures for the Speed page: time per iteration (bars) and scaling with N (log-log)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from dashboard.formatting import format_count, format_seconds, format_speedup
from dashboard.plotting import base_layout
from dashboard.speed_methods import BASELINE, method_label
from dashboard.speed_results import MethodTiming, SpeedResult, SweepResult

# One colour per method, the same in both charts: slow tiers warm, fast ones cool.
METHOD_COLORS: dict[str, str] = {
    "loops": "#D55E00",
    "broadcast": "#E69F00",
    "gemm": "#0072B2",
    "kmeans_core": "#009E73",
    "sklearn": "#6C6C6C",
}
OTHER_COLOR = "#444444"
SKIPPED_COLOR = "#C8C8C8"

# Category labels under the bars, two short lines each so they never need rotating.
SHORT_LABELS: dict[str, str] = {
    "loops": "Python<br>loops",
    "broadcast": "NumPy<br>broadcasting",
    "gemm": "GEMM<br>‖x‖²−2x·c+‖c‖²",
    "kmeans_core": "kmeans_core<br>KMeans",
    "sklearn": "scikit-learn<br>KMeans",
}
# Bar labels: large enough to read on a projector, never shrunk to the bar's width.
_BAR_TEXT: dict[str, Any] = dict(
    textposition="outside", constraintext="none", textfont=dict(size=13), cliponaxis=False
)
# Decades of room under the shortest bar and above the tallest (for its two-line label).
_ROOM_BELOW, _ROOM_ABOVE = 0.6, 0.9


def _short_label(method: str) -> str:
    return SHORT_LABELS.get(method, method_label(method))


def _color(method: str) -> str:
    return METHOD_COLORS.get(method, OTHER_COLOR)


def seconds_axis(lo: float, hi: float) -> dict[str, list[Any]]:
    """Log-axis tick values at powers of ten between ``lo`` and ``hi``, labelled in units.

    Returns
    -------
    dict
        ``tickvals`` and ``ticktext`` for ``fig.update_yaxes`` (e.g. "1 ms", "10 ms").
    """
    first = math.floor(math.log10(lo))
    last = math.ceil(math.log10(hi))
    vals = [10.0**e for e in range(first, last + 1)]
    return dict(tickvals=vals, ticktext=[format_seconds(v) for v in vals])


# --------------------------------------------------------------------------- bars


def _speed_text(result: SpeedResult, method: str) -> str:
    ratio = result.speedups.get(method)
    if ratio is None:
        return ""
    if method == BASELINE:
        return "baseline"
    return f"{format_speedup(ratio)} faster"


def _measured_bars(result: SpeedResult, measured: Sequence[MethodTiming]) -> go.Bar:
    return go.Bar(
        name="measured",
        x=[_short_label(t.method) for t in measured],
        y=[t.seconds for t in measured],
        marker_color=[_color(t.method) for t in measured],
        text=[
            f"<b>{format_seconds(t.seconds or 0.0)}</b><br>{_speed_text(result, t.method)}"
            for t in measured
        ],
        customdata=[
            [len(t.runs), t.iterations, format_seconds(t.seconds or 0.0)] for t in measured
        ],
        hovertemplate="%{x}<br>%{customdata[2]} per iteration<br>median of %{customdata[0]} "
        "run(s), %{customdata[1]} iteration(s) each<extra></extra>",
        **_BAR_TEXT,
    )


def _estimated_bars(skipped: Sequence[MethodTiming]) -> go.Bar:
    return go.Bar(
        name="estimated (not run)",
        x=[_short_label(t.method) for t in skipped],
        y=[t.estimate for t in skipped],
        marker=dict(
            color=SKIPPED_COLOR,
            pattern=dict(shape="/", fgcolor=METHOD_COLORS["loops"], solidity=0.15),
            line=dict(color="#888", width=1),
        ),
        text=[f"skipped<br>est. {format_seconds(t.estimate or 0.0)}" for t in skipped],
        customdata=[format_seconds(t.estimate or 0.0) for t in skipped],
        hovertemplate="%{x}<br>not run: estimated %{customdata} per iteration<extra></extra>",
        **_BAR_TEXT,
    )


def _refusal_note(fig: go.Figure, method: str, y: float) -> None:
    fig.add_annotation(
        x=_short_label(method),
        y=y,
        text="refused:<br>too much<br>memory",
        showarrow=False,
        font=dict(color="#B00020", size=12),
    )


def _log_seconds_yaxis(fig: go.Figure, values: Sequence[float]) -> tuple[float, float]:
    lo = min(values) if values else 1e-4
    hi = max(values) if values else 1.0
    fig.update_yaxes(
        type="log",
        title="time per Lloyd iteration (log scale)",
        range=[math.log10(lo) - _ROOM_BELOW, math.log10(hi) + _ROOM_ABOVE],
        **seconds_axis(lo / 10**_ROOM_BELOW, hi * 10**_ROOM_ABOVE),
    )
    return lo, hi


def time_per_iteration_bar(result: SpeedResult, *, height: int = 460) -> go.Figure:
    """Bars of seconds per Lloyd iteration, log scale, labelled with the speed-up.

    Measured methods are solid bars labelled "time · N× vs loops". A skipped tier is
    a pale hatched bar at its estimate, labelled as an estimate; a refused tier has
    no bar and says why under the axis.

    Parameters
    ----------
    result : SpeedResult
    height : int
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
        Trace "measured" (solid bars) and, when any, "estimated (not run)".
    """
    measured = [t for t in result.timings if t.status == "measured" and t.seconds is not None]
    skipped = [t for t in result.timings if t.status == "skipped" and t.estimate]
    fig = go.Figure(_measured_bars(result, measured))
    if skipped:
        fig.add_trace(_estimated_bars(skipped))
    values = [t.seconds for t in measured if t.seconds] + [
        t.estimate for t in skipped if t.estimate
    ]
    lo, _ = _log_seconds_yaxis(fig, values)
    fig.update_xaxes(
        categoryorder="array", categoryarray=[_short_label(t.method) for t in result.timings]
    )
    for t in result.timings:
        if t.status == "refused":
            _refusal_note(fig, t.method, math.log10(lo) - 0.3)
    title = f"Time per iteration at N = {result.n:,}, d = {result.d}, K = {result.k}"
    if result.baseline_estimated:
        title += "<br><sup>speed-ups are against the loop tier's estimate</sup>"
    base_layout(fig, height=height, title=title)
    fig.update_layout(
        barmode="overlay",
        showlegend=bool(skipped),
        bargap=0.3,
        # Top right, inside the plot: the fast methods' bars are short there.
        legend=dict(orientation="v", x=0.99, xanchor="right", y=0.99, yanchor="top"),
    )
    return fig


# --------------------------------------------------------------------------- scaling


def _seconds_text(values: Sequence[float | None]) -> list[str]:
    """Hover text for each value, read the app-wide way ("" where there is none)."""
    return ["" if v is None else format_seconds(v) for v in values]


def _measured_line(method: str, n_values: list[int], ys: list[float | None]) -> go.Scatter:
    name = method_label(method)
    return go.Scatter(
        name=name,
        x=n_values,
        y=ys,
        mode="lines+markers",
        line=dict(color=_color(method), width=2.5),
        marker=dict(size=8),
        connectgaps=False,
        customdata=_seconds_text(ys),
        hovertemplate="N = %{x:,}<br>%{customdata} per iteration<extra>" + name + "</extra>",
    )


def _estimate_line(
    method: str, n_values: list[int], ys: list[float | None], est: list[float | None]
) -> go.Scatter:
    # Join the estimate line to the last measured point so it reads as a continuation.
    xs = [n for n, e in zip(n_values, est, strict=True) if e is not None]
    es = [e for e in est if e is not None]
    before = [(n, y) for n, y in zip(n_values, ys, strict=True) if y is not None and n < xs[0]]
    if before:
        xs.insert(0, before[-1][0])
        es.insert(0, before[-1][1])
    return go.Scatter(
        name=f"{method_label(method)} (estimated)",
        x=xs,
        y=es,
        mode="lines+markers",
        line=dict(color=_color(method), width=2, dash="dash"),
        marker=dict(size=9, symbol="circle-open"),
        customdata=_seconds_text(es),
        hovertemplate="N = %{x:,}<br>estimated %{customdata} per iteration<extra>not run</extra>",
    )


def scaling_loglog(sweep: SweepResult, *, height: int = 440) -> go.Figure:
    """Seconds per iteration against N on log-log axes, one line per method.

    Skipped points of a capped tier are drawn as a dashed line of open markers at
    their estimate (trace "<method> (estimated)"), so the trend stays visible.

    Parameters
    ----------
    sweep : SweepResult
    height : int
        Figure height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = go.Figure()
    n_values = list(sweep.n_values)
    for method, seconds in sweep.seconds.items():
        ys = list(seconds)
        if any(y is not None for y in ys):
            fig.add_trace(_measured_line(method, n_values, ys))
        est = list(sweep.estimates.get(method, ()))
        if any(e is not None for e in est):
            fig.add_trace(_estimate_line(method, n_values, ys, est))
    values = [
        v
        for series in (*sweep.seconds.values(), *sweep.estimates.values())
        for v in series
        if v is not None and v > 0
    ]
    fig.update_xaxes(
        type="log",
        title="N (rows, log scale)",
        tickvals=n_values,
        ticktext=[format_count(n) for n in n_values],
    )
    fig.update_yaxes(type="log", title="time per Lloyd iteration (log scale)")
    if values:
        fig.update_yaxes(**seconds_axis(min(values), max(values)))
    base_layout(
        fig,
        height=height,
        title=f"Scaling with N (d = {sweep.d}, K = {sweep.k}); log-log",
    )
    fig.update_layout(margin=dict(t=110))
    return fig
