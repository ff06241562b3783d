"""A large source as the session's dataset: summary, samples, density, Compare and Export.

:mod:`dashboard.large_data` opens a source and fits it on Dask; this module makes
an opened source something the other pages can use. :class:`ActiveLarge` holds the
source as a dask array with known chunks (a CSV's rows are counted once, when it
is opened). Choose K and the in-memory pages get a stated uniform sample
(:func:`sample_dataset`); Compare fits kmeans_core on Dask against scikit-learn on
a sample, or dask-ml's KMeans on every row where installed (:func:`compare_large`);
Export writes the labels, the centers and the settings next to the data
(:func:`write_next_to_data`). Plots get a uniform sample or a density image of
every row (:func:`density_image`), and say which.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dashboard.dataset import Dataset
from dashboard.large_data import (
    LargeDataError,
    LargeFit,
    LargeSource,
    data_dir,
    fit_large,
    labels_path,
    write_labels,
)
from dashboard.safe_text import plotly_text

#: Sample sizes offered to Choose K and the in-memory pages.
SAMPLE_CHOICES = (5_000, 10_000, 20_000, 50_000, 100_000, 200_000)
DEFAULT_SAMPLE = 20_000
#: Rows the in-memory pages get when a visitor takes a sample into memory.
MEMORY_SAMPLE = 20_000
#: Cells per axis of the density image.
DENSITY_BINS = 200
REFERENCES = ("scikit-learn on a sample", "dask-ml on every row")


@dataclass(frozen=True)
class ActiveLarge:
    """An opened large source, ready for every page (nothing of it is in memory).

    Attributes
    ----------
    source : LargeSource
        As opened; ``source.X`` is the dask array below.
    key : str
        Short identity for caches: name, Dask's graph token, shape, chunks, and the
        files' sizes and modification times.
    """

    source: LargeSource
    key: str

    @property
    def X(self) -> Any:
        """The rows: a float dask array with known row chunks and one column chunk."""
        return self.source.X

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        """Number of (numeric) columns."""
        return int(self.X.shape[1])

    @property
    def n_chunks(self) -> int:
        """Number of row blocks Dask reads one at a time."""
        return len(self.X.chunks[0])

    @property
    def summary(self) -> str:
        """One line: rows, columns, chunks, and that it is lazy."""
        return (
            f"{self.n_rows:,} rows · {_plural(self.n_features, 'column')} · "
            f"{_plural(self.n_chunks, 'chunk')} · "
            "lazy: read with Dask, never loaded whole"
        )


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def activate(source: LargeSource) -> ActiveLarge:
    """The source as a dask array with known chunks (counts a CSV's rows: one read).

    Raises
    ------
    LargeDataError
        When the rows cannot be read or counted (the message names the problem).
    """
    from kmeans_core.dask_data import as_dask_array

    try:
        X = as_dask_array(source.X)
    except (ValueError, TypeError, OSError) as exc:
        raise LargeDataError(f"Could not read '{source.name}': {exc}") from None
    h = hashlib.blake2b(digest_size=12)
    # X.name is Dask's token of the graph: generated data with another seed differs here.
    h.update(f"{source.name}|{X.name}|{X.shape}|{X.dtype}|{X.chunks[0]}".encode())
    for path in source.files:
        stat = path.stat()
        h.update(f"{path}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return ActiveLarge(dataclasses.replace(source, X=X), h.hexdigest())


# -- samples ---------------------------------------------------------------------------


def sample_statement(n_sample: int, n_rows: int) -> str:
    """``"on 200,000 of 20,000,000 rows (a uniform random sample)"``, or all rows."""
    if n_sample >= n_rows:
        return f"on all {n_rows:,} rows"
    return f"on {n_sample:,} of {n_rows:,} rows (a uniform random sample)"


def sample_rows(large: ActiveLarge, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A uniform sample of distinct rows (one read of the data): (row indices, rows)."""
    from kmeans_core.dask_init import _distinct_indices

    n = large.n_rows
    idx = (
        np.arange(n)
        if n <= size
        else np.sort(_distinct_indices(n, size, np.random.RandomState(seed)))
    )
    with _reading(large):
        return idx, np.asarray((large.X if n <= size else large.X[idx]).compute())


@contextmanager
def _reading(large: ActiveLarge) -> Iterator[None]:
    """Turn a failed read (a file gone or changed since it was opened) into a clear message."""
    try:
        yield
    except (OSError, ValueError) as exc:
        raise LargeDataError(
            f"Could not read '{large.source.name}' (changed or removed since it was opened?): {exc}"
        ) from None


def sample_dataset(large: ActiveLarge, size: int, seed: int) -> Dataset:
    """A uniform sample of the large source as an in-memory :class:`Dataset`.

    Its name states the sample (``"Sample of 20,000 of 1,000,000 rows: trips.parquet"``).
    """
    _, rows = sample_rows(large, size, seed)
    n = len(rows)
    what = f"all {n:,} rows" if n >= large.n_rows else f"{n:,} of {large.n_rows:,} rows"
    note = f"Uniform random sample of {what} (seed {seed}) of a large source."
    return Dataset(
        name=f"Sample of {what}: {large.source.name}",
        X=rows.astype(np.float64),
        feature_names=list(large.source.feature_names),
        source="sample",
        notes=[note],
    )


# -- density image -------------------------------------------------------------------


@dataclass(frozen=True)
class Density:
    """Counts of every row in a grid over two columns.

    Attributes
    ----------
    counts : ndarray of shape (bins, bins)
        ``counts[i, j]``: rows with column x in bin i and column y in bin j.
    x_edges, y_edges : ndarray of shape (bins + 1,)
    columns : tuple of int
    n_rows : int
    """

    counts: np.ndarray
    x_edges: np.ndarray
    y_edges: np.ndarray
    columns: tuple[int, int]
    n_rows: int

    @property
    def note(self) -> str:
        """The sentence the plot shows: what it is drawn from."""
        return (
            f"Density image of all {self.n_rows:,} rows: rows per cell of a "
            f"{len(self.x_edges) - 1}×{len(self.y_edges) - 1} grid (log colour scale), "
            "counted by Dask block by block — not a sample."
        )


def density_image(large: ActiveLarge, columns: tuple[int, int] = (0, 1), bins: int = DENSITY_BINS):
    """Count every row in a ``bins`` x ``bins`` grid over two columns (two reads).

    The first read finds each column's range, the second counts. With one column
    the same column is on both axes.

    Returns
    -------
    Density
    """
    import dask.array as da

    i, j = (c if c < large.n_features else 0 for c in columns)
    x, y = large.X[:, i], large.X[:, j]
    with _reading(large):
        lo_x, hi_x, lo_y, hi_y = (float(v) for v in da.compute(x.min(), x.max(), y.min(), y.max()))
        ranges = [_padded(lo_x, hi_x), _padded(lo_y, hi_y)]
        counts, x_edges, y_edges = da.histogram2d(x, y, bins=bins, range=ranges)
        counts, x_edges, y_edges = da.compute(counts, x_edges, y_edges)
    return Density(np.asarray(counts), np.asarray(x_edges), np.asarray(y_edges), (i, j),
                   large.n_rows)  # fmt: skip


def _padded(lo: float, hi: float) -> tuple[float, float]:
    """A range that holds a constant column too (histogram2d needs lo < hi)."""
    return (lo - 0.5, hi + 0.5) if hi <= lo else (lo, hi)


def density_figure(density: Density, feature_names: list[str], centers: np.ndarray | None = None):
    """A heatmap of the density (log colour), with centers drawn on top when given.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    from dashboard.plotting import base_layout

    mid_x = (density.x_edges[:-1] + density.x_edges[1:]) / 2
    mid_y = (density.y_edges[:-1] + density.y_edges[1:]) / 2
    counts = density.counts.T  # heatmap rows are y
    with np.errstate(divide="ignore"):
        shade = np.where(counts > 0, np.log10(np.maximum(counts, 1)), np.nan)
    fig = go.Figure(
        go.Heatmap(
            x=mid_x, y=mid_y, z=shade, customdata=counts, colorscale="Viridis",
            colorbar=dict(title="rows (log10)"),
            hovertemplate="x %{x:.4g}<br>y %{y:.4g}<br>%{customdata:,} rows<extra></extra>",
        )
    )  # fmt: skip
    i, j = density.columns
    if centers is not None:
        fig.add_scatter(
            x=centers[:, i], y=centers[:, j], mode="markers", name="centers",
            marker=dict(color="white", symbol="x", size=14, line=dict(color="black", width=1.5)),
        )  # fmt: skip
    fig.update_xaxes(title=plotly_text(feature_names[i]))
    fig.update_yaxes(title=plotly_text(feature_names[j]))
    return base_layout(fig, height=460)


# -- compare ---------------------------------------------------------------------------


def dask_ml_installed() -> bool:
    """Whether dask-ml's KMeans can be imported."""
    try:
        import dask_ml.cluster  # noqa: F401
    except ImportError:
        return False
    return True


def _block_inertia(block: np.ndarray, centers: np.ndarray) -> np.ndarray:
    from sklearn.metrics import pairwise_distances_argmin_min

    if len(block) == 0:
        return np.zeros(1)
    _, dist = pairwise_distances_argmin_min(block, centers)
    return np.array([float(np.dot(dist, dist))])


def inertia_on(large: ActiveLarge, centers: np.ndarray) -> float:
    """Sum of squared distances of every row to its nearest center (one read)."""
    n_blocks = large.n_chunks
    parts = large.X.map_blocks(
        _block_inertia, np.asarray(centers, dtype=np.float64), drop_axis=1,
        chunks=((1,) * n_blocks,), dtype=np.float64,
    )  # fmt: skip
    return float(parts.sum().compute())


@dataclass
class LargeComparison:
    """kmeans_core on Dask against a reference, on one large source.

    Attributes
    ----------
    table : DataFrame
        One row per library: rows fitted, iterations, inertia on every row, seconds.
    agreement : float
        Adjusted Rand index of the two labelings on ``n_sample`` sampled rows.
    n_sample : int
    n_rows : int
    ours : LargeFit
    reference_name : str
    """

    table: pd.DataFrame
    agreement: float
    n_sample: int
    n_rows: int
    ours: LargeFit
    reference_name: str

    @property
    def note(self) -> str:
        """What was fitted on what, in one paragraph."""
        on_sample = sample_statement(self.n_sample, self.n_rows)
        return (
            f"kmeans_core fitted every one of the {self.n_rows:,} rows on Dask; "
            f"{self.reference_name} fitted {self.table['rows fitted'].iloc[1]}. Inertia is "
            f"measured for both on all {self.n_rows:,} rows (one more read each). Agreement "
            f"(adjusted Rand index) compares their labels {on_sample}." + self._time_caveat()
        )

    def _time_caveat(self) -> str:
        # Seconds of a fit of every row and of a sample measure different amounts of
        # work: say so instead of inviting a speed comparison.
        rows = self.table["rows fitted"]
        if rows.iloc[1] == rows.iloc[0]:
            return " Both fitted the same rows, so their seconds compare like for like."
        return (
            " The seconds are not like for like: the reference fitted fewer rows. "
            "Compare inertia here, and speed on the Speed page."
        )


def _reference_fit(large: ActiveLarge, reference: str, k: int, seed: int, max_iter: int,
                   sample: np.ndarray) -> tuple[np.ndarray, int, float, str, str]:  # fmt: skip
    """Fit the reference: (centers, n_iter, seconds, name, rows fitted)."""
    start = time.perf_counter()
    if reference == REFERENCES[1] and dask_ml_installed():
        from dask_ml.cluster import KMeans as DaskMLKMeans

        model = DaskMLKMeans(n_clusters=k, init="k-means||", random_state=seed, max_iter=max_iter)
        model.fit(large.X)
        name, rows = "dask-ml KMeans", f"all {large.n_rows:,} rows"
    else:
        from sklearn.cluster import KMeans as SkKMeans

        model = SkKMeans(k, n_init=1, max_iter=max_iter, random_state=seed).fit(sample)
        name, rows = "scikit-learn KMeans", f"{len(sample):,} sampled rows"
    seconds = time.perf_counter() - start
    return np.asarray(model.cluster_centers_), int(model.n_iter_), seconds, name, rows


def compare_large(
    large: ActiveLarge,
    k: int,
    seed: int,
    *,
    reference: str = REFERENCES[0],
    sample_size: int = DEFAULT_SAMPLE,
    max_iter: int = 100,
    progress: Callable[[int, float], None] | None = None,
) -> LargeComparison:
    """kmeans_core on Dask (every row) against scikit-learn on a sample or dask-ml.

    Parameters
    ----------
    large : ActiveLarge
    k : int
    seed : int
    reference : one of :data:`REFERENCES`
        dask-ml falls back to scikit-learn on a sample when it is not installed.
    sample_size : int
        Rows of the sample scikit-learn fits and the agreement is measured on.
    max_iter : int
    progress : callable, optional
        ``progress(iteration, inertia)`` after each of kmeans_core's iterations.

    Returns
    -------
    LargeComparison
    """
    from sklearn.metrics import adjusted_rand_score, pairwise_distances_argmin

    ours = fit_large(large.source, k, seed=seed, max_iter=max_iter, progress=progress)
    _, sample = sample_rows(large, sample_size, seed)
    centers, n_iter, seconds, name, rows = _reference_fit(
        large, reference, k, seed, max_iter, sample
    )
    ours_centers = np.asarray(ours.model.cluster_centers_, dtype=np.float64)
    table = pd.DataFrame(
        {
            "library": ["kmeans_core on Dask", name],
            "rows fitted": [f"all {large.n_rows:,} rows", rows],
            "iterations": [int(ours.model.n_iter_), n_iter],
            "inertia (all rows)": [inertia_on(large, ours_centers), inertia_on(large, centers)],
            "seconds": [ours.seconds, seconds],
        }
    )
    agreement = adjusted_rand_score(
        pairwise_distances_argmin(sample, ours_centers), pairwise_distances_argmin(sample, centers)
    )
    return LargeComparison(table, float(agreement), len(sample), large.n_rows, ours, name)


# -- export ----------------------------------------------------------------------------


def centers_csv(fit: LargeFit, feature_names: list[str]) -> str:
    """The centers as CSV in the data's units (the fit ran on the raw columns)."""
    table = pd.DataFrame(np.asarray(fit.model.cluster_centers_), columns=feature_names)
    table.insert(0, "cluster", range(len(table)))
    return table.to_csv(index=False)


def settings_json(large: ActiveLarge, fit: LargeFit, seed: int) -> str:
    """The recipe of the run: source, rows, columns, K, init, seed, result."""
    model = fit.model
    recipe = {
        "tool": "K-Means Explorer (kmeans_core on Dask)",
        "source": {
            "name": large.source.name,
            "files": [str(p) for p in large.source.files],
            "rows": large.n_rows,
            "chunks": large.n_chunks,
            "columns": list(large.source.feature_names),
            "left_out": list(large.source.left_out),
        },
        "settings": {
            "n_clusters": int(model.n_clusters),
            "init": model.init,
            "n_init": 1,
            "max_iter": int(model.max_iter),
            "tol": float(model.tol),
            "seed": int(seed),
        },
        "result": {
            "inertia": float(model.inertia_),
            "n_iter": int(model.n_iter_),
            "seconds": round(float(fit.seconds), 3),
        },
    }
    return json.dumps(recipe, indent=2)


@dataclass(frozen=True)
class WrittenFiles:
    """Paths of what :func:`write_next_to_data` wrote."""

    labels: Path
    centers: Path
    settings: Path


def export_paths(large: ActiveLarge, root: Path | None = None) -> WrittenFiles:
    """Where the labels, centers and settings of this source go (next to the data)."""
    labels = labels_path(large.source, root)
    stem = labels.name.removesuffix("_labels.parquet")
    return WrittenFiles(
        labels, labels.with_name(f"{stem}_centers.csv"), labels.with_name(f"{stem}_settings.json")
    )


def write_next_to_data(
    large: ActiveLarge, fit: LargeFit, seed: int, root: Path | None = None
) -> WrittenFiles:
    """Write labels (Parquet, one read of the data), centers (CSV) and settings (JSON).

    Raises
    ------
    LargeDataError
        When the target is outside the data directory or cannot be written.
    """
    root = data_dir() if root is None else root
    paths = export_paths(large, root)
    write_labels(fit, large.source, root)
    try:
        paths.centers.write_text(centers_csv(fit, large.source.feature_names))
        paths.settings.write_text(settings_json(large, fit, seed))
    except OSError as exc:
        raise LargeDataError(f"Could not write next to the data: {exc}") from None
    return paths
