"""KMeans and elbow_sweep on dask arrays and dask DataFrames.

:class:`kmeans_core.KMeans` and :func:`kmeans_core.elbow_sweep` hand dask input
to the functions here; call them directly for the Dask-only settings (the size
of the k-means++ sample, the k-means|| rounds, a per-step progress callback).
They run on whatever scheduler is active: the default threads, or a
``dask.distributed.Client`` (LocalCluster or a real cluster), with no change.

What a fit on Dask gives (see :mod:`kmeans_core.dask_lloyd` for the loop):

- ``cluster_centers_``, ``inertia_``, ``n_iter_``, ``history_`` as in memory
  (from the same initial centers: the same labels, centers and inertia up to
  rounding);
- ``labels_`` as a lazy int32 dask array: nothing is computed or held until
  it is used; :func:`write_labels` writes it to Parquet;
- ``init_sample_size_`` (rows k-means++ / random ran on) and, for k-means||,
  ``init_candidates_`` and ``init_rounds_``.
"""

from __future__ import annotations

import functools
import numbers
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

import numpy as np

from kmeans_core._kernels import _blas_single_thread, assign_and_accumulate
from kmeans_core._validation import check_max_iter_tol, check_n_clusters, check_random_state
from kmeans_core.dask_data import (
    DaskData,
    as_dask_array,
    centred_block,
    is_dask_collection,
    prepare,
)
from kmeans_core.dask_init import (
    DEFAULT_INIT_SAMPLE_SIZE,
    InitReport,
    explicit_init,
    kmeans_parallel,
    sampled_init,
)
from kmeans_core.dask_lloyd import DaskRun, predict_labels, run_lloyd

__all__ = [
    "elbow_sweep",
    "fit",
    "is_dask_collection",
    "predict",
    "score",
    "transform",
    "write_labels",
]

_STRING_INITS = ("k-means++", "random", "k-means||")
F = TypeVar("F", bound=Callable[..., Any])


def _check_init(init) -> None:
    if isinstance(init, str) and init not in _STRING_INITS:
        raise ValueError(
            "init must be 'k-means++', 'k-means||', 'random', an array or a callable, "
            f"got {init!r}."
        )
    if not isinstance(init, str) and not callable(init) and np.ndim(init) == 0:
        raise ValueError(f"init must be a string, an array or a callable, got {init!r}.")


def _initial_centers(init, data, n_clusters, rng, settings: dict, report: InitReport):
    """Centred initial centers for one run."""
    if isinstance(init, str) and init == "k-means||":
        return kmeans_parallel(
            data,
            n_clusters,
            rng,
            report,
            oversampling_factor=settings["oversampling_factor"],
            n_rounds=settings["init_rounds"],
        )
    if isinstance(init, str):
        return sampled_init(init, data, n_clusters, rng, settings["init_sample_size"], report)
    return explicit_init(init, data, n_clusters, rng)


def _same_clustering_block(a: np.ndarray, b: np.ndarray, k: int) -> np.ndarray:
    return np.bincount(a.astype(np.int64) * k + b, minlength=k * k)


def _is_same_clustering(labels1, labels2, n_clusters: int) -> bool:
    """Dask version of the estimator's test: each label of run 1 maps to one of run 2."""
    import dask.array as da

    pairs = da.map_blocks(
        _same_clustering_block, labels1, labels2, n_clusters, dtype=np.int64,
        chunks=((n_clusters * n_clusters,) * labels1.numblocks[0],),
    )  # fmt: skip
    table = pairs.compute().reshape(-1, n_clusters, n_clusters).sum(axis=0)
    return bool(((table > 0).sum(axis=1) <= 1).all())


def _fit_runs(data: DaskData, *, n_clusters, init, n_init, max_iter, tol, rng, settings,
              keep_history, on_step=None) -> tuple[DaskRun, list, InitReport]:  # fmt: skip
    """``n_init`` runs on prepared data; the best run, (inertia, n_iter) per run, init facts."""
    best: DaskRun | None = None
    runs = []
    report = InitReport()
    abs_tol = data.abs_tol(tol)
    for _ in range(n_init):
        centers0 = _initial_centers(init, data, n_clusters, rng, settings, report)
        run = run_lloyd(
            data, centers0, max_iter=max_iter, abs_tol=abs_tol,
            keep_history=keep_history, on_step=on_step,
        )  # fmt: skip
        runs.append((run.inertia, run.n_iter))
        if best is None or (
            run.inertia < best.inertia
            and not _is_same_clustering(run.labels, best.labels, n_clusters)
        ):
            best = run
    assert best is not None  # n_init >= 1
    return best, runs, report


def _settings(init_sample_size, oversampling_factor, init_rounds) -> dict:
    size = DEFAULT_INIT_SAMPLE_SIZE if init_sample_size is None else init_sample_size
    if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
        raise ValueError(f"init_sample_size must be a whole number >= 1, got {size!r}.")
    if not oversampling_factor > 0:
        raise ValueError(f"oversampling_factor must be > 0, got {oversampling_factor!r}.")
    if isinstance(init_rounds, bool) or not isinstance(init_rounds, numbers.Integral):
        raise ValueError(f"init_rounds must be a whole number >= 1, got {init_rounds!r}.")
    if init_rounds < 1:
        raise ValueError(f"init_rounds must be a whole number >= 1, got {init_rounds!r}.")
    return {
        "init_sample_size": int(size),
        "oversampling_factor": float(oversampling_factor),
        "init_rounds": int(init_rounds),
    }


def _one_blas_thread(func: F) -> F:
    """Run ``func`` with BLAS held to one thread throughout, not switched per task.

    The blocks run in parallel already; changing OpenBLAS's thread count is costly,
    and toggled per task from several scheduler threads it made every pass several
    times slower (once an in-memory fit had started OpenBLAS's threads).
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with _blas_single_thread():
            return func(*args, **kwargs)

    return cast(F, wrapper)


@_one_blas_thread
def fit(
    model,
    X,
    sample_weight=None,
    *,
    init_sample_size: int | None = None,
    oversampling_factor: float = 2.0,
    init_rounds: int = 5,
    on_step: Callable | None = None,
):
    """Fit a :class:`kmeans_core.KMeans` on a dask array or dask DataFrame.

    Parameters
    ----------
    model : KMeans
        Its parameters are used as in memory; ``init`` may also be "k-means||".
    X : dask.array.Array or dask.dataframe.DataFrame of shape (n_samples, n_features)
    sample_weight : array-like or dask array of shape (n_samples,), optional
    init_sample_size : int, optional
        Rows of the uniform sample for "k-means++" and "random" (default 100,000;
        all rows when X is smaller). Reported as ``init_sample_size_``.
    oversampling_factor : float, default=2.0
        k-means||: expected new candidates per round, as a multiple of K.
    init_rounds : int, default=5
        k-means||: sampling rounds (the paper finds 5 enough).
    on_step : callable, optional
        Called with every :class:`kmeans_core.LloydStep` (labels lazy), for progress.

    Returns
    -------
    model : KMeans
        Fitted; ``labels_`` is a lazy dask array.

    Raises
    ------
    ValueError
        Bad parameters, NaN/inf in a block, unknown chunk sizes, non-numeric columns.
    """
    data = prepare(X, sample_weight)
    n_clusters = check_n_clusters(model.n_clusters, data.n_samples)
    _check_init(model.init)
    check_max_iter_tol(model.max_iter, model.tol)
    if model.algorithm not in ("lloyd", "auto"):
        raise ValueError(
            f"Dask input runs Lloyd's algorithm: use algorithm='lloyd' or 'auto', "
            f"got {model.algorithm!r}."
        )
    settings = _settings(init_sample_size, oversampling_factor, init_rounds)
    best, _, report = _fit_runs(
        data, n_clusters=n_clusters, init=model.init, n_init=model._resolved_n_init(),
        max_iter=int(model.max_iter), tol=model.tol, rng=check_random_state(model.random_state),
        settings=settings, keep_history=True, on_step=on_step,
    )  # fmt: skip
    model.cluster_centers_ = (best.centers + data.mean).astype(data.dtype, copy=False)
    model.labels_ = best.labels
    model.inertia_ = best.inertia
    model.n_iter_ = best.n_iter
    model.n_features_in_ = data.n_features
    model._n_features_out = n_clusters
    model._x_mean = data.mean
    model.history_ = best.history
    _warn_if_clusters_unreached(best.counts, n_clusters)
    model.init_sample_size_ = report.sample_size
    model.init_candidates_ = report.n_candidates
    model.init_rounds_ = report.n_rounds
    return model


def _warn_if_clusters_unreached(counts: np.ndarray, n_clusters: int) -> None:
    """Warn (DistinctClustersWarning, as in memory) when some clusters ended with no point.

    On dask input the distinct rows are not counted (that would be another pass
    and a set of all rows); the warning names the empty clusters instead.
    """
    import warnings

    from kmeans_core.estimator import DistinctClustersWarning

    empty = np.flatnonzero(counts == 0)
    if empty.size == 0:
        return
    n_distinct = n_clusters - empty.size
    warnings.warn(
        f"Number of distinct clusters ({n_distinct}) found smaller than n_clusters "
        f"({n_clusters}). Possibly due to duplicate points in X: cluster(s) "
        f"{', '.join(str(k) for k in empty)} could not be reached (no point is nearest to "
        "its center, and every point already sits on its own center, so none could be "
        f"moved there). Use n_clusters <= {n_distinct}, or drop duplicate rows.",
        DistinctClustersWarning,
        stacklevel=4,
    )


# -- a fitted model on dask input ---------------------------------------------------


def _test_data(model, X):
    """X as a dask array with the model's number of features."""
    model._check_fitted()
    X = as_dask_array(X)
    if X.shape[1] != model.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(model).__name__} is expecting "
            f"{model.n_features_in_} features as input."
        )
    return X


def _offset_and_centers(model, dtype):
    offset = np.asarray(getattr(model, "_x_mean", np.zeros(model.n_features_in_)), dtype=dtype)
    return offset, model.cluster_centers_.astype(dtype) - offset


def predict(model, X):
    """Lazy labels (int32 dask array) of the rows of dask ``X``."""
    X = _test_data(model, X)
    offset, centers = _offset_and_centers(model, X.dtype)
    data = DaskData(X, None, offset, 0.0, 0.0, np.array([0, X.shape[0]]))
    return predict_labels(data, centers)


def _transform_block(x, offset, centers):
    from kmeans_core.estimator import _euclidean_distances

    return _euclidean_distances(np.ascontiguousarray(x - offset), centers)


def transform(model, X):
    """Lazy distances of each row to each center, shape (n_samples, n_clusters)."""
    X = _test_data(model, X)
    offset, centers = _offset_and_centers(model, X.dtype)
    return X.map_blocks(
        _transform_block, offset, centers, dtype=X.dtype,
        chunks=(X.chunks[0], (centers.shape[0],)),
    )  # fmt: skip


def _inertia_block(x, w, mean, centers) -> float:
    xc, w = centred_block(x, w, mean)
    x_sq = np.einsum("ij,ij->i", xc, xc)
    _, inertia, _, _ = assign_and_accumulate(xc, centers, w, x_sq, accumulate=False, n_threads=1)
    return inertia


@_one_blas_thread
def score(model, X, sample_weight=None) -> float:
    """Opposite of the (weighted) inertia of dask ``X`` on the fitted centers (one pass)."""
    import dask

    from kmeans_core.dask_data import as_dask_weights

    X = _test_data(model, X)
    offset, centers = _offset_and_centers(model, X.dtype)
    w = as_dask_weights(sample_weight, X)
    w_blocks = [None] * X.numblocks[0] if w is None else list(w.to_delayed().ravel())
    tasks = [
        dask.delayed(_inertia_block, pure=True)(xb, wb, offset, centers)
        for xb, wb in zip(X.to_delayed().ravel(), w_blocks, strict=True)
    ]
    (parts,) = dask.compute(tasks)
    return -float(sum(parts))


def write_labels(
    labels,
    path: str,
    *,
    column: str = "label",
    overwrite: bool = False,
    row_column: str | None = None,
    first_row: int = 0,
) -> str:
    """Write lazy labels (e.g. ``model.labels_``) to a Parquet dataset, block by block.

    Parameters
    ----------
    labels : dask.array.Array of shape (n_samples,)
    path : str
        Directory to write (one file per block, in row order).
    column : str, default="label"
    overwrite : bool, default=False
        Replace an existing dataset at ``path`` (its directory is removed first).
    row_column : str, optional
        Also write each row's position in X under this name (``first_row`` for the
        first row), so the labels can be joined back without relying on file order.
    first_row : int, default=0
        Number of the first row (1 for the data-row numbers spreadsheets show).

    Returns
    -------
    str
        ``path``.
    """
    import dask.array as da
    import dask.dataframe as dd

    if row_column is None:
        frame = dd.from_dask_array(labels, columns=column).to_frame()
    else:
        rows = da.arange(first_row, first_row + labels.shape[0], chunks=labels.chunks)
        both = da.stack([rows, labels.astype(np.int64)], axis=1)
        frame = dd.from_dask_array(both, columns=[row_column, column])
    frame.to_parquet(path, write_index=False, overwrite=overwrite)
    return path


# -- elbow sweep -------------------------------------------------------------------


@_one_blas_thread
def elbow_sweep(
    X,
    k_values: Sequence[int],
    *,
    n_init: int = 3,
    init="k-means++",
    max_iter: int = 300,
    tol: float = 1e-4,
    random_state=None,
    sample_weight=None,
    progress: Callable[[int, int], None] | None = None,
    init_sample_size: int | None = None,
):
    """:func:`kmeans_core.elbow_sweep` on dask input: X is prepared once for all K.

    The result's ``labels`` is a lazy (n_k, n_samples) dask array. Parameters
    as for the in-memory sweep, plus ``init_sample_size`` (see :func:`fit`).
    """
    from kmeans_core.elbow import ElbowResult, _check_k_values, _is_int_seed

    data = prepare(X, sample_weight)
    ks = _check_k_values(k_values, data.n_samples)
    if isinstance(n_init, bool) or not isinstance(n_init, numbers.Integral) or n_init < 1:
        raise ValueError(f"n_init must be a whole number >= 1, got {n_init!r}.")
    if not (callable(init) or (isinstance(init, str) and init in _STRING_INITS)):
        raise ValueError(f"init must be 'k-means++', 'k-means||', 'random' or a callable, "
                         f"got {init!r}.")  # fmt: skip
    check_max_iter_tol(max_iter, tol)
    shared = None if _is_int_seed(random_state) else check_random_state(random_state)
    settings = _settings(init_sample_size, 2.0, 5)
    inertia_runs = np.empty((ks.size, n_init))
    n_iter_runs = np.empty((ks.size, n_init), dtype=int)
    seconds, labels, centers = np.empty(ks.size), [], []
    for i, k in enumerate(ks):
        start = time.perf_counter()
        rng = shared if shared is not None else np.random.RandomState(random_state)
        best, runs, _ = _fit_runs(
            data, n_clusters=int(k), init=init, n_init=int(n_init), max_iter=int(max_iter),
            tol=tol, rng=rng, settings=settings, keep_history=False,
        )  # fmt: skip
        seconds[i] = time.perf_counter() - start
        inertia_runs[i] = [r[0] for r in runs]
        n_iter_runs[i] = [r[1] for r in runs]
        labels.append(best.labels)
        centers.append((best.centers + data.mean).astype(data.dtype, copy=False))
        if progress is not None:
            progress(i + 1, ks.size)
    import dask.array as da

    return ElbowResult(ks, inertia_runs, n_iter_runs, seconds, da.stack(labels), centers)
