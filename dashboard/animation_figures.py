"""Plotly figures of the Animate page: Lloyd's algorithm as client-side frames.

Payload design (Streamlit 1.67 / plotly.js 4.2):

* every trace is an SVG ``Scatter`` (two or more ``Scattergl`` traces stop
  redrawing when frames play);
* the points' coordinates are sent once; a frame carries only what changes:
  the points' cluster codes as an int8 array (coloured through a discrete
  colour scale), the few ringed "changed" points, the centroids, their trails,
  the Voronoi labels (int8 grid) and the inertia marker;
* numpy arrays travel as typed arrays (base64), not as JSON number lists.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.animation import UNASSIGNED, AnimationRun, padded_range, voronoi_cells
from dashboard.plotting import FIGURE_TEMPLATE, cluster_color

UNASSIGNED_COLOR = "#B8BEC6"
CHANGED_COLOR = "#111111"
INERTIA_COLOR = "#44546A"
CURRENT_COLOR = "#D62728"
VORONOI_OPACITY = 0.14
# Width / height of the scatter's plot area at the page's usual width.
PLOT_ASPECT = 1.35
SPEEDS_MS = {"slow": 1400, "normal": 800, "fast": 350, "very fast": 150}


def discrete_colorscale(k: int, *, with_unassigned: bool = True) -> tuple[list, float, float]:
    """A stepwise colour scale mapping integer codes to the cluster palette.

    Code ``c`` in ``0..k-1`` gets ``cluster_color(c)``; with ``with_unassigned``
    code ``-1`` gets a neutral grey.

    Returns
    -------
    colorscale : list of [position, colour]
    cmin, cmax : float
        Bounds to pass with the scale so that each code sits mid-band.
    """
    colors = ([UNASSIGNED_COLOR] if with_unassigned else []) + [cluster_color(c) for c in range(k)]
    n = len(colors)
    scale: list = []
    for i, c in enumerate(colors):
        scale.append([i / n, c])
        scale.append([(i + 1) / n, c])
    low = UNASSIGNED - 0.5 if with_unassigned else -0.5
    return scale, low, low + n


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _wrap(text: str, width: int = 120) -> str:
    return "<br>".join(textwrap.wrap(text, width)) if text else ""


def frame_title(title: str, caption: str) -> str:
    """The figure title for a frame: bold heading and the step's caption under it."""
    return (
        f"<b>{title}</b><br><span style='font-size:14px;font-weight:normal'>{_wrap(caption)}</span>"
    )


def _trails(centers_2d: list[np.ndarray], upto: int) -> tuple[list, list, list]:
    """Polyline through each centroid's successive positions, None-separated."""
    stack = np.stack(centers_2d[: upto + 1])  # (t, k, 2)
    xs: list = []
    ys: list = []
    colors: list = []
    for c in range(stack.shape[1]):
        path = stack[:, c, :]
        # Drop repeats (assign frames do not move centroids) to keep frames small.
        keep = np.ones(len(path), dtype=bool)
        keep[1:] = np.any(path[1:] != path[:-1], axis=1)
        path = path[keep]
        xs.extend(path[:, 0].tolist() + [None])
        ys.extend(path[:, 1].tolist() + [None])
        colors.extend([cluster_color(c)] * len(path) + [UNASSIGNED_COLOR])
    return xs, ys, colors


def widen_to_aspect(
    x_range: tuple[float, float], y_range: tuple[float, float], aspect: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Widen one of the ranges (about its middle) so that x span / y span = ``aspect``.

    With equal axis scales this fills a plot area of that width/height ratio.
    """
    (x0, x1), (y0, y1) = x_range, y_range
    wx, wy = x1 - x0, y1 - y0
    if wx / wy < aspect:
        mid, half = (x0 + x1) / 2, wy * aspect / 2
        return (mid - half, mid + half), (y0, y1)
    mid, half = (y0 + y1) / 2, wx / aspect / 2
    return (x0, x1), (mid - half, mid + half)


def _relocation_notes(frame, centers_2d: np.ndarray) -> list[dict]:
    """Arrows to centroids that were relocated because their cluster was empty."""
    return [
        dict(
            x=float(centers_2d[c, 0]),
            y=float(centers_2d[c, 1]),
            xref="x",
            yref="y",
            text=f"cluster {c + 1} was empty:<br>relocated to a far point",
            showarrow=True,
            arrowhead=2,
            arrowcolor=CURRENT_COLOR,
            ax=60,
            ay=-45,
            font=dict(size=12, color=CURRENT_COLOR),
            bgcolor="rgba(255,255,255,0.92)",
            bordercolor=CURRENT_COLOR,
            borderpad=4,
        )
        for c in frame.relocated
    ]


def _slider_label(frame_index: int, run: AnimationRun) -> str:
    f = run.frames[frame_index]
    if f.phase == "start":
        return "start"
    if frame_index == len(run.frames) - 1:
        return "end"
    if f.phase != "assign":
        return ""
    every = max(1, int(np.ceil(run.n_iter / 15)))
    return str(f.iteration) if (f.iteration == 1 or f.iteration % every == 0) else ""


def animation_figure(
    run: AnimationRun,
    points_2d: np.ndarray,
    project: Callable[[np.ndarray], np.ndarray],
    *,
    x_title: str,
    y_title: str,
    voronoi: bool,
    frame_ms: int = SPEEDS_MS["normal"],
    active: int = 0,
    height: int = 660,
    equal_aspect: bool = True,
) -> go.Figure:
    """Animated scatter of a Lloyd run, with the inertia curve beside it.

    Parameters
    ----------
    run : AnimationRun
        Frames from :func:`dashboard.animation.build_frames`.
    points_2d : ndarray of shape (n_shown, 2)
        The displayed sample in the 2-D view (same order as the frames' labels).
    project : callable
        Maps centers in feature space (k, d) into the view (k, 2).
    x_title, y_title : str
    voronoi : bool
        Draw nearest-centroid regions behind the points (only right when the
        view is the feature space itself, i.e. d <= 2).
    frame_ms : int
        Milliseconds per frame when playing.
    active : int
        Frame shown initially (and the slider's position).
    height : int
    equal_aspect : bool
        Same scale on both axes (so Voronoi borders look perpendicular); off for
        1-D data, whose view is a line.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces: [one filled Voronoi cell per cluster], points, changed rings,
        centroid trails, centroids,
        inertia curve, current-step marker; one ``go.Frame`` per run frame.
    """
    frames = run.frames
    k = len(frames[0].centers)
    active = int(np.clip(active, 0, len(frames) - 1))
    pts = np.asarray(points_2d, dtype=np.float32)
    centers_2d = [np.asarray(project(f.centers), dtype=float) for f in frames]
    x_range = padded_range([pts[:, 0]] + [c[:, 0] for c in centers_2d])
    y_range = padded_range([pts[:, 1]] + [c[:, 1] for c in centers_2d])
    if equal_aspect:
        x_range, y_range = widen_to_aspect(x_range, y_range, PLOT_ASPECT)
    scale, cmin, cmax = discrete_colorscale(k)
    inertia = run.inertia_curve

    def dynamic(i: int) -> list[go.BaseTraceType]:
        """The traces that change from frame to frame, in the figure's trace order."""
        f = frames[i]
        c2 = centers_2d[i]
        out: list[go.BaseTraceType] = []
        if voronoi:
            for cell in voronoi_cells(c2, x_range, y_range):
                # Close the polygon; an empty cell (duplicate center) draws nothing.
                ring = np.vstack([cell, cell[:1]]) if len(cell) else cell
                out.append(go.Scatter(x=ring[:, 0], y=ring[:, 1]))
        out.append(go.Scatter(marker=dict(color=f.labels.astype(np.int8))))
        # A NaN point when none changed keeps the legend entry from vanishing.
        ring = pts[f.changed] if f.changed.any() else np.full((1, 2), np.nan, np.float32)
        out.append(go.Scatter(x=ring[:, 0], y=ring[:, 1]))
        tx, ty, tc = _trails(centers_2d, i)
        out.append(go.Scatter(x=tx, y=ty, marker=dict(color=tc)))
        out.append(
            go.Scatter(
                x=c2[:, 0],
                y=c2[:, 1],
                text=[str(c + 1) for c in range(k)],
            )
        )
        cur = [] if f.inertia is None else [i]
        out.append(go.Scatter(x=cur, y=[] if f.inertia is None else [f.inertia]))
        return out

    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.68, 0.32],
        horizontal_spacing=0.07,
        subplot_titles=("", "Inertia (within-cluster sum of squares)"),
    )
    first = dynamic(active)
    pos = 0
    if voronoi:
        for c in range(k):
            fig.add_trace(
                go.Scatter(
                    x=first[c].x,
                    y=first[c].y,
                    mode="lines",
                    fill="toself",
                    fillcolor=_rgba(cluster_color(c), VORONOI_OPACITY),
                    line=dict(width=0.8, color=_rgba(cluster_color(c), 0.45)),
                    hoverinfo="skip",
                    showlegend=False,
                    name=f"region {c + 1}",
                ),
                row=1,
                col=1,
            )
        pos = k
    fig.add_trace(
        go.Scatter(
            x=pts[:, 0],
            y=pts[:, 1],
            mode="markers",
            name="points",
            marker=dict(
                color=first[pos].marker.color,
                colorscale=scale,
                cmin=cmin,
                cmax=cmax,
                size=6 if len(pts) <= 2000 else 4,
                opacity=0.85,
                line=dict(width=0),
            ),
            hoverinfo="skip",
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=first[pos + 1].x,
            y=first[pos + 1].y,
            mode="markers",
            name="changed cluster",
            marker=dict(symbol="circle-open", size=12, color=CHANGED_COLOR, line=dict(width=1.6)),
            hoverinfo="skip",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=first[pos + 2].x,
            y=first[pos + 2].y,
            mode="lines+markers",
            name="centroid path",
            line=dict(color="rgba(40,40,40,0.55)", width=1.5, dash="dot"),
            marker=dict(size=5, color=first[pos + 2].marker.color),
            hoverinfo="skip",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=first[pos + 3].x,
            y=first[pos + 3].y,
            text=first[pos + 3].text,
            mode="markers+text",
            textposition="top right",
            textfont=dict(size=12, color="#333333"),
            name="centroids",
            marker=dict(
                symbol="x",
                size=17,
                color=[cluster_color(c) for c in range(k)],
                line=dict(color="#111111", width=1.6),
            ),
            customdata=np.arange(1, k + 1),
            hovertemplate="centroid %{customdata}<br>(%{x:.3g}, %{y:.3g})<extra></extra>",
        ),
        row=1,
        col=1,
    )
    steps_x = np.arange(len(frames))
    fig.add_trace(
        go.Scatter(
            x=steps_x,
            y=inertia,
            mode="lines+markers",
            name="inertia",
            line=dict(color=INERTIA_COLOR, width=2),
            marker=dict(
                size=6,
                color=["#FFFFFF" if f.phase == "update" else INERTIA_COLOR for f in frames],
                line=dict(color=INERTIA_COLOR, width=1.5),
            ),
            customdata=[f.title for f in frames],
            hovertemplate="%{customdata}<br>inertia %{y:.4g}<extra></extra>",
            showlegend=False,
        ),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Scatter(
            x=first[pos + 4].x,
            y=first[pos + 4].y,
            mode="markers",
            name="current step",
            marker=dict(size=14, color=CURRENT_COLOR, line=dict(color="white", width=2)),
            hoverinfo="skip",
            showlegend=False,
        ),
        row=1,
        col=2,
    )
    # The inertia curve (static) sits between the centroids and the marker.
    dyn_traces = [*range(0, pos + 4), len(fig.data) - 1]
    # Frames replace the whole annotation list: keep the subplot title in each.
    base_annotations = list(fig.layout.annotations)
    fig.update_layout(
        annotations=[*base_annotations, *_relocation_notes(frames[active], centers_2d[active])]
    )
    fig.frames = [
        go.Frame(
            name=str(i),
            data=dynamic(i),
            traces=dyn_traces,
            layout=go.Layout(
                title_text=frame_title(f.title, f.caption),
                annotations=[*base_annotations, *_relocation_notes(f, centers_2d[i])],
            ),
        )
        for i, f in enumerate(frames)
    ]

    anim = dict(mode="immediate", transition=dict(duration=0))
    fig.update_layout(
        template=FIGURE_TEMPLATE,
        height=height,
        title=dict(
            text=frame_title(frames[active].title, frames[active].caption),
            x=0.01,
            xanchor="left",
            y=0.975,
            yanchor="top",
            pad=dict(t=6),
            font=dict(size=17),
        ),
        margin=dict(l=10, r=10, t=125, b=90),
        legend=dict(
            orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=0.68, font=dict(size=12)
        ),
        hovermode="closest",
        updatemenus=[
            dict(
                type="buttons",
                direction="left",
                x=0.0,
                xanchor="left",
                y=-0.1,
                yanchor="top",
                pad=dict(t=14, r=10),
                showactive=False,
                buttons=[
                    dict(
                        label="▶ Play",
                        method="animate",
                        args=[
                            None,
                            dict(
                                frame=dict(duration=frame_ms, redraw=True), fromcurrent=True, **anim
                            ),
                        ],
                    ),
                    dict(
                        label="❚❚ Pause",
                        method="animate",
                        args=[[None], dict(frame=dict(duration=0, redraw=False), **anim)],
                    ),
                ],
            )
        ],
        sliders=[
            dict(
                active=active,
                x=0.15,
                len=0.85,
                y=-0.1,
                yanchor="top",
                pad=dict(t=10, b=0),
                currentvalue=dict(visible=False),
                font=dict(size=10),
                steps=[
                    dict(
                        method="animate",
                        label=_slider_label(i, run),
                        args=[[str(i)], dict(frame=dict(duration=0, redraw=True), **anim)],
                    )
                    for i in range(len(frames))
                ],
            )
        ],
    )
    # constrain="domain": equal scales shrink the plot area rather than widen the
    # range, so the Voronoi grid always fills it.
    fig.update_xaxes(
        title_text=x_title, range=list(x_range), row=1, col=1, zeroline=False, constrain="domain"
    )
    fig.update_yaxes(
        title_text=y_title, range=list(y_range), row=1, col=1, zeroline=False, constrain="domain"
    )
    if equal_aspect:
        fig.update_yaxes(scaleanchor="x", scaleratio=1, row=1, col=1)
    else:
        fig.update_yaxes(showticklabels=False, row=1, col=1)
    fig.update_xaxes(title_text="step (● assignment, ○ update)", row=1, col=2)
    fig.update_yaxes(title_text="inertia", row=1, col=2, rangemode="tozero")
    return fig


def pick_figure(
    points_2d: np.ndarray,
    picks_2d: np.ndarray,
    *,
    x_title: str,
    y_title: str,
    allow_empty_space: bool,
    equal_aspect: bool = True,
    grid_resolution: int = 40,
    height: int = 560,
) -> go.Figure:
    """A static scatter to click initial centroids on.

    Parameters
    ----------
    points_2d : ndarray of shape (n_shown, 2)
        Displayed points; their row indices travel as ``customdata``.
    picks_2d : ndarray of shape (n_picked, 2)
        Centroids picked so far, drawn as numbered crosses.
    allow_empty_space : bool
        Add an invisible grid of clickable points, so that clicks on empty space
        register too (only meaningful when the view is the feature space).
    equal_aspect : bool
        Same scale on both axes (off for 1-D data).

    Returns
    -------
    plotly.graph_objects.Figure
        Trace 0: points (customdata = position in ``points_2d``); trace 1: the
        invisible grid when ``allow_empty_space``; last trace: the picks.
    """
    pts = np.asarray(points_2d, dtype=float)
    picks = np.asarray(picks_2d, dtype=float).reshape(-1, 2)
    # The range follows the data only, so it does not jump as picks are added.
    x_range = padded_range([pts[:, 0]])
    y_range = padded_range([pts[:, 1]])
    if equal_aspect:
        x_range, y_range = widen_to_aspect(x_range, y_range, 2.0)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=pts[:, 0],
            y=pts[:, 1],
            mode="markers",
            name="points",
            customdata=np.arange(len(pts)),
            marker=dict(size=7 if len(pts) <= 2000 else 5, color="#7A8594", opacity=0.7),
            hovertemplate="click to put a centroid here<extra></extra>",
        )
    )
    if allow_empty_space:
        gx = np.linspace(*x_range, grid_resolution)
        gy = np.linspace(*y_range, grid_resolution)
        xx, yy = np.meshgrid(gx, gy)
        fig.add_trace(
            go.Scatter(
                x=xx.ravel(),
                y=yy.ravel(),
                mode="markers",
                name="empty space",
                marker=dict(size=14, color="rgba(0,0,0,0)"),
                hovertemplate="click to put a centroid here<extra></extra>",
                showlegend=False,
            )
        )
    fig.add_trace(
        go.Scatter(
            x=picks[:, 0],
            y=picks[:, 1],
            mode="markers+text",
            name="picked centroids",
            text=[str(i + 1) for i in range(len(picks))],
            textposition="top center",
            textfont=dict(size=14),
            marker=dict(
                symbol="x",
                size=18,
                color=[cluster_color(i) for i in range(len(picks))],
                line=dict(color="white", width=1.8),
            ),
            hoverinfo="skip",
        )
    )
    fig.update_layout(
        template=FIGURE_TEMPLATE,
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0),
        xaxis=dict(title=x_title, range=list(x_range), zeroline=False, constrain="domain"),
        yaxis=dict(title=y_title, range=list(y_range), zeroline=False, constrain="domain"),
    )
    if equal_aspect:
        fig.update_yaxes(scaleanchor="x", scaleratio=1)
    return fig


def payload_bytes(fig: go.Figure) -> int:
    """Size of the figure's JSON, roughly what Streamlit sends to the browser."""
    return len(fig.to_json())
