"""Preview of a dataset on the Data page: first rows, summary, scatter plot.

Builders are pure functions; :mod:`dashboard.streamlit_glue` caches the scatter for the
page so a PCA of a large dataset is computed once per dataset and view.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.dataset import Dataset
from dashboard.plotting import PALETTE, base_layout, display_sample, view_2d
from dashboard.safe_text import plotly_text

LABEL_COLUMN = "true label"


def preview_table(ds: Dataset, n_rows: int = 10) -> pd.DataFrame:
    """The first ``n_rows`` rows as a table, with the true label's name when known."""
    n = min(n_rows, ds.n_samples)
    df = pd.DataFrame(ds.X[:n], columns=ds.feature_names)
    if ds.true_labels is not None:
        names = ds.class_names or [str(c) for c in range(int(ds.true_labels.max()) + 1)]
        df[LABEL_COLUMN] = [names[int(c)] for c in ds.true_labels[:n]]
    return df


def upload_table(ds: Dataset, n_rows: int = 10) -> pd.DataFrame:
    """The first rows of an uploaded file as read (every column), with the file's row number.

    Empty for data that was not uploaded.
    """
    if ds.origin is None:
        return pd.DataFrame()
    head = ds.origin.frame.head(n_rows).copy()
    for c in ds.origin.integer_columns:
        head[c] = head[c].astype("Int64")
    head.insert(0, "file row", np.arange(1, len(head) + 1))
    status = np.where(ds.origin.kept[: len(head)], "clustered", ds.origin.row_reasons[: len(head)])
    head["used"] = status
    return head.reset_index(drop=True)


def summary_table(ds: Dataset) -> pd.DataFrame:
    """Count, mean, std, min, quartiles and max per feature (one row per feature)."""
    table = pd.DataFrame(ds.X, columns=ds.feature_names).describe().T
    table.index.name = "feature"
    return table.reset_index()


def class_counts(ds: Dataset) -> pd.DataFrame | None:
    """Rows per true class, or None when the dataset has no labels."""
    if ds.true_labels is None:
        return None
    counts = np.bincount(ds.true_labels, minlength=len(ds.class_names or []))
    names = ds.class_names or [str(i) for i in range(len(counts))]
    return pd.DataFrame({"class": names[: len(counts)], "rows": counts})


def _comparable_spans(pts: np.ndarray, max_ratio: float = 5.0) -> bool:
    """True when x and y spans differ by less than ``max_ratio`` (equal aspect then fits)."""
    spans = np.ptp(pts, axis=0)
    if spans.min() <= 0:
        return False
    return bool(spans.max() / spans.min() < max_ratio)


def _marker_size(n: int) -> int:
    return 8 if n <= 500 else 6 if n <= 2000 else 4


def scatter_figure(
    ds: Dataset,
    *,
    columns: tuple[int, int] | None = None,
    seed: int = 0,
    height: int = 480,
) -> tuple[go.Figure, list[str]]:
    """Scatter plot of the data, coloured by true class when known.

    Parameters
    ----------
    ds : Dataset
    columns : (int, int), optional
        Two raw feature indices to plot; default is the data itself when it has
        two features and a PCA projection when it has more.
    seed : int
        Drives the display sample and PCA's solver.
    height : int

    Returns
    -------
    fig : Figure
        One ``Scatter`` trace per true class (one trace when unlabelled).
    notes : list of str
        What the view shows (PCA explained variance, raw columns, sampling).
    """
    idx, sample_note = display_sample(ds.n_samples, seed=seed)
    view = view_2d(ds.X, ds.feature_names, columns=columns, seed=seed)
    pts = view.points[idx]
    size = _marker_size(len(idx))
    fig = go.Figure()
    hover = "row %{customdata}<br>%{x:.3g}, %{y:.3g}<extra>%{fullData.name}</extra>"
    if ds.true_labels is None:
        fig.add_trace(
            go.Scatter(
                x=pts[:, 0],
                y=pts[:, 1],
                mode="markers",
                name="points",
                customdata=idx,
                hovertemplate=hover,
                marker=dict(size=size, color=PALETTE[0], opacity=0.7),
                showlegend=False,
            )
        )
    else:
        labels = ds.true_labels[idx]
        n_classes = int(ds.true_labels.max()) + 1
        names = ds.class_names or [str(c) for c in range(n_classes)]
        for c in range(n_classes):
            sel = labels == c
            if not sel.any():
                continue
            fig.add_trace(
                go.Scatter(
                    x=pts[sel, 0],
                    y=pts[sel, 1],
                    mode="markers",
                    name=plotly_text(names[c]),
                    customdata=idx[sel],
                    hovertemplate=hover,
                    marker=dict(
                        size=size,
                        color=PALETTE[c % len(PALETTE)],
                        opacity=0.75,
                        line=dict(width=0.5, color="white"),
                    ),
                )
            )
    base_layout(fig, height=height)
    if _comparable_spans(pts):
        # Same units on both axes, so the picture shows the distances K-Means uses.
        fig.update_yaxes(scaleanchor="x", scaleratio=1)
    fig.update_xaxes(title=view.x_title, zeroline=False)
    fig.update_yaxes(title=view.y_title or None, zeroline=False, showticklabels=ds.n_features > 1)
    if ds.true_labels is not None:
        fig.update_layout(legend_title_text="True class: ")
    notes = [n for n in (view.note, sample_note) if n]
    return fig, notes
