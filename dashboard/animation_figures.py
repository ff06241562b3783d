"""What the Animate player draws: Plotly traces by name, one helper per layer, and frames.

The player (:mod:`dashboard.animation_component`) runs in the browser: it holds
every frame and redraws with Plotly.js, so a step never waits for the server.
This module builds what it holds, as plain JSON-able dicts:

* two base figures: the scatter (layers ``region <c>``, ``points``, ``changed``,
  ``centroid path``, ``centroids``) and the inertia curve (``inertia``,
  ``current step``); every trace has a unique name and the player finds traces
  by name, never by position;
* one :func:`frame_update` per frame: for each trace that changes, its new
  ``x``/``y`` or colours, the title and caption, and the frame's callouts.

The points' coordinates travel once (in the base figure); a frame carries only
the points' cluster codes, coloured through a stepwise colour scale. Above 2,000
drawn points everything over the regions is WebGL (``scattergl``), so a step redraws
fast at 5,000 points; up to 2,000 it is SVG, cheaper to start and draw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from dashboard.animation import UNASSIGNED, AnimationRun, AnimFrame, padded_range, voronoi_cells
from dashboard.plotting import PALETTE, cluster_color

# >= 3:1 contrast on white (4.5:1), and no cluster colour is grey.
UNASSIGNED_COLOR = "#767676"
CHANGED_COLOR = "#111111"
INERTIA_COLOR = "#44546A"
CURRENT_COLOR = "#C0392B"
REGION_OPACITY = 0.22
REGION_LINE_OPACITY = 0.75
FONT_SIZE = 16
SPEEDS_MS = {"slow": 1400, "normal": 800, "fast": 350, "very fast": 150}

Trace = dict[str, Any]
# Points, rings, paths and centroids are drawn with WebGL above SVG_MAX_POINTS:
# redrawing 5,000 SVG markers per step took 0.6-1 s on a busy 2-core machine, WebGL
# about a quarter of that (bench/animate_latency.py). At a few hundred points SVG is
# the cheaper one: a WebGL context costs every browser (in software where there is no
# GPU) more to start than the SVG markers cost to draw. The regions are always SVG.
GL = "scattergl"
SVG_MAX_POINTS = 2000


def marker_trace_type(n_points: int) -> str:
    """The Plotly type of the layers above the regions: SVG for few points, else WebGL.

    One type for all of them: Plotly draws WebGL traces above every SVG trace, so
    mixing would put the points over the centroids.
    """
    return "scatter" if n_points <= SVG_MAX_POINTS else GL


@dataclass(frozen=True)
class ScatterGeometry:
    """Where the scatter's layers live: the drawn points and centers in the 2-D view.

    Attributes
    ----------
    points : ndarray of shape (n_shown, 2)
    centers : list of ndarray of shape (k, 2)
        The centers of each frame, projected into the view.
    x_range, y_range : (float, float)
        Axis ranges covering points and every center. The player widens one of
        them to fit its plot area's shape.
    """

    points: np.ndarray
    centers: list[np.ndarray]
    x_range: tuple[float, float]
    y_range: tuple[float, float]

    @property
    def region_box(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """The box the Voronoi regions are clipped to: the ranges widened by a span each side.

        Large enough that the regions fill the plot however the player widens the ranges.
        """
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        span = max(x1 - x0, y1 - y0)
        return (x0 - span, x1 + span), (y0 - span, y1 + span)


def scatter_geometry(
    run: AnimationRun,
    points_2d: np.ndarray,
    project: Callable[[np.ndarray], np.ndarray],
) -> ScatterGeometry:
    """Project every frame's centers into the view and find ranges that hold everything."""
    pts = np.asarray(points_2d, dtype=float)
    centers = [np.asarray(project(f.centers), dtype=float) for f in run.frames]
    x_range = padded_range([pts[:, 0]] + [c[:, 0] for c in centers])
    y_range = padded_range([pts[:, 1]] + [c[:, 1] for c in centers])
    return ScatterGeometry(pts, centers, x_range, y_range)


def rgba(hex_color: str, alpha: float) -> str:
    """``#RRGGBB`` as a CSS ``rgba()`` string with opacity ``alpha``."""
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def discrete_colorscale(k: int) -> tuple[list[list[Any]], float, float]:
    """A stepwise colour scale: code ``c`` in ``0..k-1`` gets ``cluster_color(c)``, -1 grey.

    Returns
    -------
    colorscale : list of [position, colour]
    cmin, cmax : float
        Bounds to pass with the scale so that each code sits mid-band.
    """
    colors = [UNASSIGNED_COLOR] + [cluster_color(c) for c in range(k)]
    n = len(colors)
    scale: list[list[Any]] = []
    for i, c in enumerate(colors):
        scale += [[i / n, c], [(i + 1) / n, c]]
    low = UNASSIGNED - 0.5
    return scale, low, low + n


def _coords(values: np.ndarray) -> list[float | None]:
    """Coordinates for JSON: 5 significant digits are plenty on screen and halve the payload."""
    arr = np.asarray(values, dtype=float)
    out: list[float | None] = [None if np.isnan(v) else float(f"{v:.5g}") for v in arr]
    return out


# --------------------------------------------------------------------------- layers


def region_traces(k: int) -> list[Trace]:
    """Layer 1: one filled nearest-centroid region per cluster (shapes set per frame)."""
    return [
        {
            "type": "scatter",
            "name": f"region {c + 1}",
            "x": [],
            "y": [],
            "mode": "lines",
            "fill": "toself",
            "fillcolor": rgba(cluster_color(c), REGION_OPACITY),
            "line": {"width": 1.5, "color": rgba(cluster_color(c), REGION_LINE_OPACITY)},
            "hoverinfo": "skip",
            "showlegend": False,
        }
        for c in range(k)
    ]


def region_update(centers_2d: np.ndarray, geometry: ScatterGeometry) -> dict[str, Trace]:
    """The closed polygon of each region for one frame's centers."""
    out: dict[str, Trace] = {}
    cells = voronoi_cells(centers_2d, *geometry.region_box)
    for c, cell in enumerate(cells):
        # Close the polygon; an empty cell (duplicate center) draws nothing.
        ring = np.vstack([cell, cell[:1]]) if len(cell) else np.empty((0, 2))
        out[f"region {c + 1}"] = {"x": _coords(ring[:, 0]), "y": _coords(ring[:, 1])}
    return out


def points_trace(points_2d: np.ndarray, k: int) -> Trace:
    """Layer 2: the data points, coloured by cluster code (-1 = not assigned yet)."""
    scale, cmin, cmax = discrete_colorscale(k)
    return {
        "type": marker_trace_type(len(points_2d)),
        "name": "points",
        "x": _coords(points_2d[:, 0]),
        "y": _coords(points_2d[:, 1]),
        "mode": "markers",
        "marker": {
            "color": [UNASSIGNED] * len(points_2d),
            "colorscale": scale,
            "cmin": cmin,
            "cmax": cmax,
            "size": 7 if len(points_2d) <= 2000 else 5,
            "opacity": 0.9,
            "line": {"width": 0},
        },
        "hoverinfo": "skip",
        "showlegend": False,
    }


def changed_trace(kind: str = GL) -> Trace:
    """Layer 3: rings around the points that changed cluster in this frame."""
    return {
        "type": kind,
        "name": "changed",
        "x": [],
        "y": [],
        "mode": "markers",
        "marker": {
            "symbol": "circle-open",
            "size": 13,
            "color": CHANGED_COLOR,
            "line": {"width": 2},
        },
        "hoverinfo": "skip",
        "showlegend": False,
    }


def trails_trace(kind: str = GL) -> Trace:
    """Layer 4: each centroid's path so far, as dotted lines."""
    return {
        "type": kind,
        "name": "centroid path",
        "x": [],
        "y": [],
        "mode": "lines+markers",
        "line": {"color": "rgba(30,30,30,0.6)", "width": 2, "dash": "dot"},
        "marker": {"size": 6, "color": []},
        "hoverinfo": "skip",
        "showlegend": False,
    }


def trails_update(centers_2d: list[np.ndarray], upto: int) -> Trace:
    """Polyline through each centroid's positions up to frame ``upto``, None-separated."""
    stack = np.stack(centers_2d[: upto + 1])  # (t, k, 2)
    xs: list[float | None] = []
    ys: list[float | None] = []
    colors: list[str] = []
    for c in range(stack.shape[1]):
        path = stack[:, c, :]
        # Assign frames do not move centroids: drop the repeats.
        keep = np.ones(len(path), dtype=bool)
        keep[1:] = np.any(path[1:] != path[:-1], axis=1)
        path = path[keep]
        xs += _coords(path[:, 0]) + [None]
        ys += _coords(path[:, 1]) + [None]
        colors += [cluster_color(c)] * len(path) + [UNASSIGNED_COLOR]
    return {"x": xs, "y": ys, "marker": {"color": colors}}


def centroid_trace(k: int, kind: str = GL) -> Trace:
    """Layer 5: the centroids, as numbered crosses in their cluster's colour."""
    return {
        "type": kind,
        "name": "centroids",
        "x": [],
        "y": [],
        "text": [str(c) for c in range(k)],  # numbered as on the other pages and in exports
        "mode": "markers+text",
        "textposition": "top right",
        "textfont": {"size": FONT_SIZE, "color": "#111111"},
        "marker": {
            "symbol": "x-thin-open" if k > 10 else "x",
            "size": 20,
            "color": [cluster_color(c) for c in range(k)],
            "line": {"color": "#111111", "width": 2},
        },
        "hovertemplate": "centroid %{text}<br>(%{x:.3g}, %{y:.3g})<extra></extra>",
        "showlegend": False,
    }


def relocation_callouts(frame: AnimFrame, centers_2d: np.ndarray) -> list[dict[str, Any]]:
    """Arrows to the centroids relocated in this frame (their cluster was empty)."""
    return [
        {
            "x": float(centers_2d[c, 0]),
            "y": float(centers_2d[c, 1]),
            "xref": "x",
            "yref": "y",
            "text": f"cluster {c} was empty:<br>moved to a far point",
            "showarrow": True,
            "arrowhead": 2,
            "arrowcolor": CURRENT_COLOR,
            "ax": 70,
            "ay": -50,
            "font": {"size": FONT_SIZE, "color": CURRENT_COLOR},
            "bgcolor": "rgba(255,255,255,0.95)",
            "bordercolor": CURRENT_COLOR,
            "borderpad": 4,
        }
        for c in frame.relocated
    ]


# --------------------------------------------------------------------------- figures


def scatter_layout(
    geometry: ScatterGeometry, *, x_title: str, y_title: str, equal_aspect: bool
) -> dict[str, Any]:
    """The scatter's axes: fixed ranges (the Voronoi clip box), equal scales in 2-D."""
    axis = {"zeroline": False, "constrain": "domain", "fixedrange": True, "automargin": True}
    layout: dict[str, Any] = {
        "font": {"size": FONT_SIZE},
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "hovermode": "closest",
        "dragmode": False,
        "showlegend": False,
        "xaxis": {**axis, "title": {"text": x_title}, "range": list(geometry.x_range)},
        "yaxis": {**axis, "title": {"text": y_title}, "range": list(geometry.y_range)},
        "annotations": [],
    }
    if equal_aspect:
        layout["yaxis"]["scaleanchor"] = "x"
        layout["yaxis"]["scaleratio"] = 1
    else:
        layout["yaxis"]["showticklabels"] = False
    return layout


def scatter_figure(
    geometry: ScatterGeometry, k: int, *, voronoi: bool, x_title: str, y_title: str
) -> dict[str, Any]:
    """The scatter's base figure: every layer, bottom to top, with empty per-frame data."""
    traces = region_traces(k) if voronoi else []
    kind = marker_trace_type(len(geometry.points))
    traces += [
        points_trace(geometry.points, k),
        changed_trace(kind),
        trails_trace(kind),
        centroid_trace(k, kind),
    ]
    # 1-D data is drawn on a line (no y title): equal scales would flatten it.
    equal = bool(y_title)
    layout = scatter_layout(geometry, x_title=x_title, y_title=y_title, equal_aspect=equal)
    return {"data": traces, "layout": layout}


def inertia_figure(run: AnimationRun) -> dict[str, Any]:
    """The inertia curve (● assignment, ○ update) and the marker of the current frame."""
    frames = run.frames
    curve = {
        "type": "scatter",
        "name": "inertia",
        "x": list(range(len(frames))),
        "y": [None if f.inertia is None else float(f"{f.inertia:.6g}") for f in frames],
        "mode": "lines+markers",
        "line": {"color": INERTIA_COLOR, "width": 2.5},
        "marker": {
            "size": 8,
            "color": ["#FFFFFF" if f.phase == "update" else INERTIA_COLOR for f in frames],
            "line": {"color": INERTIA_COLOR, "width": 2},
        },
        "customdata": [f.title for f in frames],
        "hovertemplate": "%{customdata}<br>inertia %{y:.4g}<extra></extra>",
    }
    marker = {
        "type": "scatter",
        "name": "current step",
        "x": [],
        "y": [],
        "mode": "markers",
        "marker": {"size": 18, "color": CURRENT_COLOR, "line": {"color": "white", "width": 2}},
        "hoverinfo": "skip",
    }
    layout = {
        "font": {"size": FONT_SIZE},
        "title": {"text": "Inertia (lower = tighter)", "x": 0.02, "font": {"size": 17}},
        "margin": {"l": 10, "r": 10, "t": 44, "b": 10},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "showlegend": False,
        "dragmode": False,
        "xaxis": {
            "title": {"text": "step (● assign, ○ update)"},
            "fixedrange": True,
            "automargin": True,
            "gridcolor": "#E5E5E5",
        },
        "yaxis": {
            "rangemode": "tozero",
            "fixedrange": True,
            "automargin": True,
            "gridcolor": "#E5E5E5",
        },
    }
    return {"data": [curve, marker], "layout": layout}


def frame_update(
    run: AnimationRun, i: int, geometry: ScatterGeometry, *, voronoi: bool
) -> dict[str, Any]:
    """Everything that changes at frame ``i``: traces by name, words and callouts."""
    f = run.frames[i]
    c2 = geometry.centers[i]
    changed = geometry.points[f.changed]
    traces: dict[str, Trace] = region_update(c2, geometry) if voronoi else {}
    traces["points"] = {"marker": {"color": f.labels.astype(int).tolist()}}
    traces["changed"] = {"x": _coords(changed[:, 0]), "y": _coords(changed[:, 1])}
    traces["centroid path"] = trails_update(geometry.centers, i)
    traces["centroids"] = {"x": _coords(c2[:, 0]), "y": _coords(c2[:, 1])}
    traces["current step"] = (
        {"x": [], "y": []} if f.inertia is None else {"x": [i], "y": [float(f"{f.inertia:.6g}")]}
    )
    return {
        "title": f.title,
        "caption": f.caption,
        "phase": f.phase,
        "traces": traces,
        "annotations": relocation_callouts(f, c2),
    }


def player_data(
    run: AnimationRun,
    points_2d: np.ndarray,
    project: Callable[[np.ndarray], np.ndarray],
    *,
    x_title: str,
    y_title: str,
    voronoi: bool,
) -> dict[str, Any]:
    """Everything the browser player needs for one run, as a JSON-able dict.

    Parameters
    ----------
    run : AnimationRun
        Frames from :func:`dashboard.animation.build_frames`.
    points_2d : ndarray of shape (n_shown, 2)
        The displayed sample in the 2-D view (same order as the frames' labels).
    project : callable
        Maps centers in feature space (k, d) into the view (k, 2).
    x_title, y_title : str
        Axis titles; an empty ``y_title`` with 1-D data hides the meaningless y axis.
    voronoi : bool
        Draw nearest-centroid regions (only right when the view is the feature
        space itself, i.e. d <= 2).

    Returns
    -------
    dict
        ``scatter`` and ``inertia`` (base figures), ``frames`` (one
        :func:`frame_update` each), ``palette``, ``unassigned`` and ``voronoi``.
    """
    k = len(run.frames[0].centers)
    geometry = scatter_geometry(run, points_2d, project)
    return {
        "scatter": scatter_figure(geometry, k, voronoi=voronoi, x_title=x_title, y_title=y_title),
        "inertia": inertia_figure(run),
        "frames": [frame_update(run, i, geometry, voronoi=voronoi) for i in range(len(run.frames))],
        "palette": list(PALETTE),
        "unassigned": UNASSIGNED_COLOR,
        "voronoi": voronoi,
        "region_opacity": REGION_OPACITY,
    }
