"""Pieces every figure builder shares: colours, 2-D views of the data, display samples.

A projection is only for display: clustering always runs in the full feature space.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from sklearn.decomposition import PCA

from dashboard.safe_text import plotly_text

# Colour-blind-safe qualitative palette of 10 clearly distinct colours: Okabe-Ito's
# seven (without black, which marks changed points and centroid outlines) in an order
# that keeps the first five far apart in hue, then three of Paul Tol's (indigo, olive,
# wine); Okabe-Ito's yellow comes last because it is faint on white.
PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#D55E00",
    "#56B4E9",
    "#332288",
    "#999933",
    "#882255",
    "#F0E442",
]
# Large enough that animated and static scatter plots stay responsive in a browser.
MAX_PLOT_POINTS = 5000
FIGURE_TEMPLATE = "plotly_white"
# Every figure starts with the app's template. Naming it in each figure's
# update_layout instead made Plotly validate and deep-copy the whole template every
# time (~7 ms a figure; a Choose K run builds a dozen).
pio.templates.default = FIGURE_TEMPLATE


def cluster_color(k: int) -> str:
    """Colour of cluster ``k`` (cycles after the palette's length)."""
    return PALETTE[k % len(PALETTE)]


@dataclass(frozen=True)
class View2D:
    """A 2-D view of the data for plotting.

    Attributes
    ----------
    points : ndarray of shape (n_samples, 2)
    x_title, y_title : str
        Axis titles.
    note : str or None
        Said under the plot, e.g. the PCA explained variance.
    transform : callable
        Maps arrays in feature space (e.g. centers) into the same 2-D view.
    """

    points: np.ndarray
    x_title: str
    y_title: str
    note: str | None
    transform: Callable[[np.ndarray], np.ndarray]

    def project(self, Z: np.ndarray) -> np.ndarray:
        """Project points given in feature space (e.g. centers) into this view."""
        return self.transform(np.asarray(Z, dtype=float))


def view_2d(
    X: np.ndarray,
    feature_names: list[str],
    *,
    columns: tuple[int, int] | None = None,
    seed: int = 0,
) -> View2D:
    """A 2-D view: the data itself when d <= 2, else PCA or two chosen raw columns.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    feature_names : list of str
    columns : (int, int), optional
        Show these two raw columns instead of a PCA projection.
    seed : int
        For PCA's randomised solver on large data.

    Returns
    -------
    View2D
    """
    X = np.asarray(X, dtype=float)
    d = X.shape[1]
    if d == 1:
        return View2D(
            np.column_stack([X[:, 0], np.zeros(len(X))]),
            plotly_text(feature_names[0]),
            "",
            "One feature: points are spread along a line.",
            lambda Z: np.column_stack([Z[:, 0], np.zeros(len(Z))]),
        )
    if d == 2 and columns is None:
        return View2D(
            X, plotly_text(feature_names[0]), plotly_text(feature_names[1]), None, lambda Z: Z
        )
    if columns is not None:
        i, j = columns
        return View2D(
            X[:, [i, j]],
            plotly_text(feature_names[i]),
            plotly_text(feature_names[j]),
            f"Showing 2 of {d} features; clustering used all {d}.",
            lambda Z: Z[:, [i, j]],
        )
    pca = PCA(n_components=2, random_state=seed).fit(X)
    ev = pca.explained_variance_ratio_
    note = (
        f"PCA projection of {d} features for display: PC1 explains {ev[0]:.0%}, "
        f"PC2 {ev[1]:.0%} of the variance ({ev.sum():.0%} together). "
        "Clustering used all features."
    )
    return View2D(pca.transform(X), f"PC1 ({ev[0]:.0%})", f"PC2 ({ev[1]:.0%})", note, pca.transform)


def display_sample(n_samples: int, max_points: int = MAX_PLOT_POINTS, seed: int = 0):
    """Indices of the rows to draw, and a note when it is a sample.

    The algorithm always runs on every row; only the drawing is sampled.

    Returns
    -------
    idx : ndarray of int
        Sorted row indices (all rows when ``n_samples <= max_points``).
    note : str or None
    """
    if n_samples <= max_points:
        return np.arange(n_samples), None
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(n_samples, size=max_points, replace=False))
    note = (
        f"Showing a random sample of {max_points:,} of {n_samples:,} points; "
        "the algorithm ran on all of them."
    )
    return idx, note


def base_layout(fig: go.Figure, *, height: int = 480, title: str | None = None) -> go.Figure:
    """Apply the app's common look to a figure and return it."""
    fig.update_layout(
        height=height,
        title=title,
        margin=dict(l=10, r=10, t=50 if title else 20, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
    )
    return fig
