"""The Speed page's "Pruning" section: Lloyd, Elkan, Hamerly and the tree from one start.

Each algorithm runs :func:`kmeans_core.lloyd_steps` from the same initial centers
with ``tol=0`` (so all run the same iterations: they are exact methods and give the
same labels), and every iteration is timed with the given clock. The assign step of
Elkan and Hamerly reports the share of point–center distances its triangle-inequality
bounds let it skip, the tree's the share its whole-cell labelling skipped; Lloyd
computes them all.  The tree runs only up to its feature limit
(:data:`kmeans_core.zorder.MAX_FEATURES`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dashboard.timing import Clock, Progress, limit_threads
from kmeans_core import lloyd_steps
from kmeans_core.zorder import MAX_FEATURES as TREE_MAX_FEATURES

ALGORITHMS: tuple[str, ...] = ("lloyd", "elkan", "hamerly", "tree")
ALGORITHM_LABELS: dict[str, str] = {
    "lloyd": "Lloyd",
    "elkan": "Elkan",
    "hamerly": "Hamerly",
    "tree": "Tree",
}
# Bounded so the section adds seconds, not minutes, to a run: rows beyond this are not
# used (the timing data's rows are already shuffled), and at most this many iterations.
PRUNING_MAX_ROWS = 200_000
PRUNING_MAX_ITER = 20


@dataclass(frozen=True)
class AlgorithmTrace:
    """One algorithm's run: per iteration, its time and the share of distances skipped.

    Attributes
    ----------
    algorithm : str
    seconds : tuple of float
        Wall time of each iteration (assign and update; the first includes centring X).
    skipped : tuple of float
        Share (0 to 1) of the N×K distances the iteration's assign step skipped.
    label_digests : tuple of str
        A digest of the labels after each iteration, to compare runs cheaply.
    """

    algorithm: str
    seconds: tuple[float, ...]
    skipped: tuple[float, ...]
    label_digests: tuple[str, ...]


@dataclass(frozen=True)
class PruningResult:
    """The runs at one size.

    Attributes
    ----------
    n, d, k : int
        The size run (``n`` may be below the request's: see :data:`PRUNING_MAX_ROWS`).
    traces : tuple of AlgorithmTrace
        In the order of :data:`ALGORITHMS` (without the tree above its feature limit).
    """

    n: int
    d: int
    k: int
    traces: tuple[AlgorithmTrace, ...]

    def trace(self, algorithm: str) -> AlgorithmTrace:
        """The run of ``algorithm`` (KeyError when it was not run)."""
        for t in self.traces:
            if t.algorithm == algorithm:
                return t
        raise KeyError(algorithm)

    @property
    def labels_identical(self) -> bool:
        """Whether every run had the same labels after every iteration."""
        first = self.traces[0].label_digests
        return all(t.label_digests == first for t in self.traces[1:])


def _digest(labels: np.ndarray) -> str:
    return hashlib.blake2b(np.ascontiguousarray(labels).tobytes(), digest_size=16).hexdigest()


def trace_algorithm(
    X: np.ndarray, centers: np.ndarray, algorithm: str, clock: Clock, max_iter: int
) -> AlgorithmTrace:
    """Run one algorithm from ``centers`` and time each iteration with ``clock``.

    Steps are grouped by their ``iteration`` (assign and update). The final
    labelling after the last update (when the run did not stop on unchanged labels)
    is left out: it is not an iteration, and every algorithm computes all its
    distances.
    """
    seconds: dict[int, float] = {}
    skipped: dict[int, float] = {}
    digests: dict[int, str] = {}
    steps = lloyd_steps(X, centers, max_iter=max_iter, tol=0.0, algorithm=algorithm)
    last = clock()
    for step in steps:
        if step.phase == "assign" and step.iteration in skipped:
            break  # the final labelling after the last update: not an iteration
        now = clock()
        seconds[step.iteration] = seconds.get(step.iteration, 0.0) + now - last
        if step.phase == "assign":
            skipped[step.iteration] = step.distances_skipped
        digests[step.iteration] = _digest(step.labels)
        last = clock()  # the digest is not part of the algorithm's time
    order = sorted(seconds)
    return AlgorithmTrace(
        algorithm,
        tuple(seconds[i] for i in order),
        tuple(skipped.get(i, 0.0) for i in order),
        tuple(digests[i] for i in order),
    )


def run_pruning(
    X: np.ndarray,
    centers: np.ndarray,
    *,
    clock: Clock,
    threads: int | None = 1,
    max_iter: int = PRUNING_MAX_ITER,
    max_rows: int = PRUNING_MAX_ROWS,
    algorithms: Sequence[str] = ALGORITHMS,
    progress: Progress | None = None,
) -> PruningResult:
    """Run each of ``algorithms`` from ``centers`` on (at most ``max_rows`` rows of) ``X``.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        Rows already shuffled (the first ``max_rows`` are used).
    centers : ndarray of shape (k, d)
    clock : callable
        Returns seconds (``time.perf_counter``; a fake one in tests).
    threads : int or None
        Thread limit for BLAS/OpenMP and kmeans_core (None: all cores).
    max_iter, max_rows : int
    algorithms : sequence of str
        The tree is left out when X has more than its feature limit.
    progress : callable, optional
        ``progress(fraction_done, message)``.

    Returns
    -------
    PruningResult
    """
    X = X[:max_rows]
    algorithms = [a for a in algorithms if a != "tree" or X.shape[1] <= TREE_MAX_FEATURES]
    traces = []
    with limit_threads(threads):
        for i, algorithm in enumerate(algorithms):
            if progress is not None:
                progress(i / len(algorithms), f"Pruning: {ALGORITHM_LABELS[algorithm]}")
            traces.append(trace_algorithm(X, centers, algorithm, clock, max_iter))
    if progress is not None:
        progress(1.0, "Pruning measured")
    return PruningResult(int(X.shape[0]), int(X.shape[1]), int(centers.shape[0]), tuple(traces))


def _median(values: Sequence[float]) -> float:
    return float(np.median(values)) if len(values) else 0.0


def pruning_summary(result: PruningResult) -> str:
    """What the figure shows, in one paragraph: when skipping pays off, and the labels."""
    lloyd = result.trace("lloyd")
    parts = []
    for t in result.traces:
        if t.algorithm == "lloyd":
            continue
        most = max(t.skipped, default=0.0)
        # Medians: one slow iteration on a busy machine should not decide the sentence.
        ratio = _median(t.seconds[1:]) / max(_median(lloyd.seconds[1:]), 1e-12)
        parts.append(
            f"{ALGORITHM_LABELS[t.algorithm]} skipped up to {most:.0%} of the distances in an "
            f"iteration, and its median iteration after the first took {ratio:.2f}× Lloyd's"
        )
    same = (
        "The labels are identical after every iteration: these are exact methods."
        if result.labels_identical
        else "The labels differed in some iteration (a tie broken differently)."
    )
    tree = (
        " The tree sorts the points once into a grid and labels whole cells that lie in "
        "one centroid's region: it pays at one or two features on large N, from the first "
        "iteration; with more features its cells are coarse and most straddle a boundary."
        if any(t.algorithm == "tree" for t in result.traces)
        else ""
    )
    return (
        f"N = {result.n:,}, d = {result.d}, K = {result.k}, {len(lloyd.seconds)} iterations. "
        + "; ".join(parts)
        + ". The bounds pay off late in a run, once centers barely move and most points "
        "cannot change cluster, and when d is large, so that each skipped distance is "
        "expensive; at small d (and early on) keeping the bounds costs more than the "
        "distances it saves." + tree + " " + same
    )
