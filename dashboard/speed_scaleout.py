"""The Speed page's "Scale-out" section: time per iteration against N, in memory and on Dask.

Engines, all from the same initial centers with ``tol=0`` and a few iterations
(time divided by ``n_iter_``):

- ``memory``: kmeans_core on a NumPy array;
- ``dask_threads``: kmeans_core on a dask array, Dask's default local threads;
- ``cluster_1`` / ``cluster_2``: kmeans_core on a dask array through a
  ``dask.distributed`` LocalCluster of 1 and 2 single-threaded workers. The
  workers are threads of this process (``processes=False``): worker processes take
  seconds to start and would copy the data to each worker, which a page run
  cannot afford; ``bench/dask_scale.py`` measures real worker processes;
- ``dask_ml``: dask-ml's KMeans on the same dask array, when dask-ml is importable.

Each cluster is started and closed inside the run. Sizes are bounded
(:data:`MAX_SCALEOUT_CELLS`); the README's ``bench/dask_scale.py`` has the big ones.
"""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dashboard.speed_data import make_timing_data
from dashboard.timing import Clock, Progress
from kmeans_core import KMeans

ENGINES: tuple[str, ...] = ("memory", "dask_threads", "cluster_1", "cluster_2", "dask_ml")
SCALEOUT_LABELS: dict[str, str] = {
    "memory": "kmeans_core in memory",
    "dask_threads": "kmeans_core on Dask (local threads)",
    "cluster_1": "kmeans_core on a LocalCluster, 1 worker",
    "cluster_2": "kmeans_core on a LocalCluster, 2 workers",
    "dask_ml": "dask-ml KMeans",
}
# N × d at most this (2,000,000 × 2 float64 = 32 MB): the page's bound.
MAX_SCALEOUT_CELLS = 4_000_000
SCALEOUT_MAX_ITER = 5
CHUNKS = 8  # blocks per dask array: enough for 2 workers to share
CLUSTER_KIND = "threads of this process (processes=False)"
BENCH_NOTE = (
    "The sizes here are bounded so the page stays responsive; the README's "
    "`bench/dask_scale.py` times 20,000,000 × 2 and 5,000,000 × 20 out of core, with "
    "worker processes."
)


@dataclass(frozen=True)
class ScaleoutPoint:
    """One engine at one N: seconds per iteration (None when it failed, with ``note``)."""

    engine: str
    n: int
    seconds: float | None
    note: str = ""


@dataclass(frozen=True)
class ScaleoutResult:
    """The sweep: the engines that ran, their points, and notes (e.g. dask-ml missing)."""

    d: int
    k: int
    engines: tuple[str, ...]
    points: tuple[ScaleoutPoint, ...]
    notes: tuple[str, ...]


def dask_ml_available() -> bool:
    """Whether dask-ml's KMeans can be imported."""
    return importlib.util.find_spec("dask_ml") is not None


def max_scaleout_n(d: int) -> int:
    """The largest N timed at ``d`` features (N × d ≤ :data:`MAX_SCALEOUT_CELLS`)."""
    return max(1000, MAX_SCALEOUT_CELLS // max(d, 1))


def scaleout_sizes(n_max: int, points: int = 4, n_min: int = 10_000) -> tuple[int, ...]:
    """About ``points`` sizes from ``n_min`` to ``n_max``, evenly spaced on a log axis."""
    n_min = min(n_min, n_max)
    grid = np.geomspace(n_min, n_max, num=points) if n_max > n_min else [n_max]
    return tuple(sorted({int(round(n, -2)) if n >= 1000 else int(n) for n in grid}))


def _fit_seconds(make_model: Callable[[], Any], X: Any, clock: Clock) -> float:
    model = make_model()
    start = clock()
    model.fit(X)
    return (clock() - start) / max(1, int(model.n_iter_))


@contextlib.contextmanager
def _engine_context(engine: str) -> Iterator[None]:
    """A LocalCluster and its Client for the cluster engines; nothing for the others."""
    if not engine.startswith("cluster_"):
        yield
        return
    from distributed import Client, LocalCluster

    workers = int(engine.rsplit("_", 1)[1])
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        yield


def _model_factory(engine: str, k: int, C: np.ndarray, max_iter: int) -> Callable[[], Any]:
    if engine == "dask_ml":
        from dask_ml.cluster import KMeans as DaskMLKMeans

        return lambda: DaskMLKMeans(n_clusters=k, init=C, max_iter=max_iter, tol=0.0)
    return lambda: KMeans(n_clusters=k, init=C, n_init=1, max_iter=max_iter, tol=0.0)


def _as_input(engine: str, X: np.ndarray) -> Any:
    """X as the engine takes it; on a cluster, already held by the workers.

    A dask array made from an in-memory NumPy array carries that array in its graph:
    a distributed scheduler would be sent the whole data with every iteration's graph
    (as a warning says). Persisting it once, untimed, is what a user of a cluster does
    with data that is already in memory; out-of-core data is read by the workers.
    """
    if engine == "memory":
        return X
    import dask.array as da

    rows = max(1, -(-X.shape[0] // CHUNKS))
    Xd = da.from_array(X, chunks=(rows, X.shape[1]))
    if not engine.startswith("cluster_"):
        return Xd
    import warnings

    from distributed import wait

    with warnings.catch_warnings():  # sent once, on purpose: "Sending large graph"
        warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)
        Xd = Xd.persist()
        wait(Xd)
    return Xd


def _time_engine(
    engine: str,
    data: Sequence[tuple[int, np.ndarray, np.ndarray]],
    k: int,
    clock: Clock,
    max_iter: int,
    progress: Callable[[int], None],
) -> list[ScaleoutPoint]:
    points = []
    with _engine_context(engine):
        for i, (n, X, C) in enumerate(data):
            progress(i)
            try:
                Xin = _as_input(engine, X)
                if i == 0:  # untimed warm-up: imports, first graph, worker start-up
                    _model_factory(engine, k, C, 1)().fit(Xin)
                s = _fit_seconds(_model_factory(engine, k, C, max_iter), Xin, clock)
                points.append(ScaleoutPoint(engine, n, s))
            except Exception as exc:  # one engine failing must not lose the others
                points.append(ScaleoutPoint(engine, n, None, f"{type(exc).__name__}: {exc}"))
    return points


def run_scaleout(
    sizes: Sequence[int],
    d: int,
    k: int,
    seed: int,
    *,
    clock: Clock,
    engines: Sequence[str] = ENGINES,
    max_iter: int = SCALEOUT_MAX_ITER,
    progress: Progress | None = None,
) -> ScaleoutResult:
    """Time every engine at every size (synthetic blobs, the same start for all).

    Parameters
    ----------
    sizes : sequence of int
        The N values.
    d, k, seed : int
    clock : callable
        Returns seconds.
    engines : sequence of str
        Subset of :data:`ENGINES`; ``"dask_ml"`` is dropped (with a note) when
        dask-ml is not importable.
    max_iter : int
    progress : callable, optional
        ``progress(fraction_done, message)``.

    Returns
    -------
    ScaleoutResult
    """
    notes = []
    engines = list(engines)
    if "dask_ml" in engines and not dask_ml_available():
        engines.remove("dask_ml")
        notes.append("dask-ml is not installed here, so its KMeans is not shown.")
    data = [(n, *make_timing_data(n, d, k, seed)) for n in sizes]
    points: list[ScaleoutPoint] = []
    total = max(1, len(engines) * len(data))
    for e, engine in enumerate(engines):

        def step(i: int, e: int = e, engine: str = engine) -> None:
            if progress is not None:
                msg = f"{SCALEOUT_LABELS[engine]}: N = {data[i][0]:,}"
                progress((e * len(data) + i) / total, msg)

        points += _time_engine(engine, data, k, clock, max_iter, step)
    notes += [f"{SCALEOUT_LABELS[p.engine]} at N = {p.n:,}: {p.note}" for p in points if p.note]
    return ScaleoutResult(d, k, tuple(engines), tuple(points), tuple(notes))
