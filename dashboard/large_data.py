"""Large data for the dashboard: files on the server or generated rows, clustered on Dask.

Nothing here loads a whole dataset. A CSV or Parquet path (or glob) is opened
lazily with ``dask.dataframe``; a generated dataset of up to 100,000,000 rows
is a dask array whose blocks are drawn when a pass reads them. The fit is
:func:`kmeans_core.dask_backend.fit`; the plots get a uniform sample of rows,
and say so.

Only files under one data directory can be read (and labels are only written
there): ``KMEANS_EXPLORER_DATA_DIR``, by default ``./data``. A path that leads
outside it (``..``, an absolute path elsewhere, a symbolic link out) is refused,
so a visitor cannot read arbitrary files of the server.
"""

from __future__ import annotations

import glob
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dashboard.safe_text import plotly_text

DATA_DIR_ENV = "KMEANS_EXPLORER_DATA_DIR"
MAX_GENERATED_ROWS = 100_000_000
#: Rows drawn for plots (the fit always uses every row).
PLOT_SAMPLE_ROWS = 5_000
_EXTENSIONS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


class LargeDataError(ValueError):
    """A problem with a large-data source, worded for the person who chose it."""


def data_dir() -> Path:
    """The directory large files are read from and labels written to (resolved)."""
    return Path(os.environ.get(DATA_DIR_ENV, "data")).expanduser().resolve()


@dataclass(frozen=True)
class LargeSource:
    """A lazily opened large dataset.

    Attributes
    ----------
    name : str
        What the user chose (the pattern, or "Generated N x d").
    X : dask DataFrame or dask array
        The numeric features, never loaded whole.
    feature_names : list of str
    files : list of Path
        The files read (empty for generated data).
    left_out : list of str
        Non-numeric columns that were left out of the features.
    """

    name: str
    X: Any
    feature_names: list[str]
    files: list[Path] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


def resolve_files(pattern: str, root: Path | None = None) -> list[Path]:
    """The CSV/Parquet files ``pattern`` names under ``root`` (relative path or glob).

    Raises
    ------
    LargeDataError
        Empty pattern, a path leading outside ``root``, no matching file, mixed
        or unsupported file types.
    """
    root = data_dir() if root is None else root
    pattern = pattern.strip()
    if not pattern:
        raise LargeDataError("Enter a file name or pattern, e.g. trips.parquet or part-*.csv.")
    full = pattern if os.path.isabs(pattern) else str(root / pattern)
    matches = sorted(Path(p) for p in glob.glob(full, recursive=True))
    outside = [p for p in matches if not p.resolve().is_relative_to(root)]
    if outside or not Path(os.path.normpath(full)).is_relative_to(root):
        raise LargeDataError(
            f"'{pattern}' leads outside the data directory {root}; only files under it can be read."
        )
    files = [p for p in matches if p.is_file()]
    if not files:
        raise LargeDataError(f"No file matches '{pattern}' in the data directory {root}.")
    kinds = {_EXTENSIONS.get(p.suffix.lower()) for p in files}
    if None in kinds:
        raise LargeDataError("Only .csv and .parquet files can be read; narrow the pattern.")
    if len(kinds) > 1:
        raise LargeDataError("The pattern matches both CSV and Parquet files; choose one kind.")
    return files


def open_files(pattern: str, root: Path | None = None) -> LargeSource:
    """Open the files lazily (only the schema is read) and keep the numeric columns.

    Raises
    ------
    LargeDataError
        As :func:`resolve_files`, or when the files cannot be parsed or have no
        numeric column.
    """
    import dask.dataframe as dd
    from pandas.api.types import is_numeric_dtype

    files = resolve_files(pattern, root)
    paths = [str(p) for p in files]
    try:
        if files[0].suffix.lower() == ".csv":
            # Whole numbers in the first block and decimals later are one float column,
            # not a dtype mismatch in the middle of a fit.
            frame = dd.read_csv(paths, assume_missing=True)
        else:
            frame = dd.read_parquet(paths)
    except Exception as exc:  # parsers raise many kinds; the user needs the message
        raise LargeDataError(f"Could not read '{pattern}': {exc}") from None
    numeric = [str(c) for c, t in frame.dtypes.items() if is_numeric_dtype(t)]
    left_out = [str(c) for c in frame.columns if str(c) not in numeric]
    if not numeric:
        raise LargeDataError(f"'{pattern}' has no numeric column to cluster on.")
    return LargeSource(pattern, frame[numeric], numeric, files, left_out)


def _blob_block(block_id=None, *, row_chunks, n_features, k, seed) -> np.ndarray:
    """One block of Gaussian blobs; its seed depends only on the block's position."""
    i = block_id[0]
    rng = np.random.RandomState([seed, i])
    centers = np.random.RandomState(seed).uniform(-10, 10, size=(k, n_features))
    n = row_chunks[i]
    return centers[rng.randint(k, size=n)] + 1.5 * rng.standard_normal((n, n_features))


def generated_source(n_rows: int, n_features: int = 2, k: int = 5, seed: int = 0) -> LargeSource:
    """Gaussian blobs as a lazy dask array (about 8 MiB per block), up to 100,000,000 rows."""
    import dask.array as da

    if not 1 <= n_rows <= MAX_GENERATED_ROWS:
        raise LargeDataError(f"Choose between 1 and {MAX_GENERATED_ROWS:,} rows.")
    if not 1 <= n_features <= 100 or not 1 <= k <= 100:
        raise LargeDataError("Choose 1 to 100 features and 1 to 100 blobs.")
    chunk_rows = max(1, (1 << 20) // n_features)
    chunks = da.core.normalize_chunks((chunk_rows, n_features), (n_rows, n_features))
    X = da.map_blocks(
        _blob_block, row_chunks=chunks[0], n_features=n_features, k=k, seed=seed,
        chunks=chunks, dtype=np.float64,
    )  # fmt: skip
    names = [f"x{i}" for i in range(n_features)]
    return LargeSource(f"Generated {n_rows:,} x {n_features} ({k} blobs)", X, names)


@dataclass
class LargeFit:
    """The result of :func:`fit_large`, ready to show.

    Attributes
    ----------
    model : KMeans
        Fitted on Dask; ``model.labels_`` is lazy.
    n_rows : int
    seconds : float
    inertia_per_iteration : list of float
        Inertia after each update step (what the progress showed).
    sample : ndarray of shape (n_sample, n_features)
        Uniform sample of rows for plots, with ``sample_labels``.
    sample_labels : ndarray of shape (n_sample,)
    """

    model: Any
    n_rows: int
    seconds: float
    inertia_per_iteration: list[float]
    sample: np.ndarray
    sample_labels: np.ndarray

    @property
    def sample_note(self) -> str:
        """The sentence every plot of this fit shows."""
        return (
            f"The plot shows a uniform random sample of {len(self.sample):,} of the "
            f"{self.n_rows:,} rows; the fit used every row."
        )


def fit_large(
    source: LargeSource,
    n_clusters: int,
    *,
    init: str = "k-means||",
    seed: int = 0,
    max_iter: int = 100,
    progress: Callable[[int, float], None] | None = None,
) -> LargeFit:
    """Fit K-Means on Dask and draw a plot sample.

    Parameters
    ----------
    source : LargeSource
    n_clusters : int
    init : {"k-means||", "k-means++", "random"}, default="k-means||"
    seed : int
    max_iter : int
    progress : callable, optional
        Called as ``progress(iteration, inertia)`` after every Lloyd iteration.

    Returns
    -------
    LargeFit

    Raises
    ------
    ValueError
        From the fit, with a message to show (NaN in a block, K too large, ...).
    """
    from kmeans_core import KMeans, dask_backend

    inertia: list[float] = []

    def on_step(step) -> None:
        if step.phase == "update":
            inertia.append(float(step.inertia))
            if progress is not None:
                progress(step.iteration, float(step.inertia))

    from kmeans_core.dask_data import as_dask_array

    model = KMeans(n_clusters, init=init, n_init=1, max_iter=max_iter, random_state=seed)
    start = time.perf_counter()
    X = as_dask_array(source.X)  # a DataFrame's partition lengths: counted once, here
    dask_backend.fit(model, X, on_step=on_step)
    seconds = time.perf_counter() - start
    sample, labels = plot_sample(X, model, PLOT_SAMPLE_ROWS, seed)
    return LargeFit(model, int(X.shape[0]), seconds, inertia, sample, labels)


def plot_sample(X, model, size: int, seed: int):
    """A uniform sample of the rows of dask array X (one read) and their labels."""
    from kmeans_core.dask_init import _distinct_indices

    n = int(X.shape[0])
    if n <= size:
        rows = np.asarray(X.compute())
    else:
        idx = _distinct_indices(n, size, np.random.RandomState(seed))
        rows = np.asarray(X[idx].compute())
    return rows, model.predict(rows)


def labels_path(source: LargeSource, root: Path | None = None) -> Path:
    """Where the labels go: next to the input file, or in the data directory."""
    root = data_dir() if root is None else root
    if source.files:
        first = source.files[0]
        stem = first.stem.rstrip("-_*0123456789") or first.stem
        return first.parent / f"{stem}_kmeans_labels.parquet"
    slug = re.sub(r"[^0-9a-z]+", "_", source.name.lower()).strip("_")
    return root / f"{slug}_kmeans_labels.parquet"


def write_labels(fit: LargeFit, source: LargeSource, root: Path | None = None) -> Path:
    """Write the labels (one pass over the data) to a Parquet dataset; its path.

    Raises
    ------
    LargeDataError
        When the target is outside the data directory or cannot be written.
    """
    from kmeans_core import dask_backend

    root = data_dir() if root is None else root
    path = labels_path(source, root)
    if not path.resolve().is_relative_to(root):
        raise LargeDataError(f"Labels can only be written under the data directory {root}.")
    try:
        dask_backend.write_labels(
            fit.model.labels_, str(path), overwrite=True, row_column="row", first_row=1
        )
    except OSError as exc:
        raise LargeDataError(f"Could not write the labels to {path}: {exc}") from None
    return path


def sample_figure(fit: LargeFit, feature_names: list[str]):
    """Scatter of the plot sample by cluster, with the centers (first two features).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    from dashboard.plotting import base_layout, cluster_color

    j = 1 if fit.sample.shape[1] > 1 else 0
    fig = go.Figure()
    for k in range(fit.model.n_clusters):
        pts = fit.sample[fit.sample_labels == k]
        fig.add_scattergl(
            x=pts[:, 0], y=pts[:, j], mode="markers", name=f"cluster {k}",
            marker=dict(color=cluster_color(k), size=4, opacity=0.6),
        )  # fmt: skip
    centers = fit.model.cluster_centers_
    fig.add_scattergl(  # WebGL too: WebGL traces are drawn above SVG ones
        x=centers[:, 0], y=centers[:, j], mode="markers", name="centers",
        marker=dict(color="black", symbol="x", size=15, line=dict(color="white", width=1.5)),
    )  # fmt: skip
    fig.update_xaxes(title=plotly_text(feature_names[0]))
    fig.update_yaxes(title=plotly_text(feature_names[j]))
    return base_layout(fig, height=460)


def centers_table(fit: LargeFit, feature_names: list[str]):
    """Centers with each cluster's share of the plot sample (a pandas DataFrame)."""
    import pandas as pd

    table = pd.DataFrame(fit.model.cluster_centers_, columns=feature_names)
    counts = np.bincount(fit.sample_labels, minlength=len(table))
    table.insert(0, "cluster", range(len(table)))
    table["share of sample"] = (counts / max(counts.sum(), 1)).round(3)
    return table
