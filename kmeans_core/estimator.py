"""The scikit-learn compatible K-Means estimator."""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
)
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from kmeans_core._kernels import assign_and_accumulate
from kmeans_core._sparse import is_sparse, sparse_row_norms, sparse_sq_dists
from kmeans_core._validation import (
    check_data,
    check_init_centers,
    check_max_iter_tol,
    check_n_clusters,
    check_random_state,
    check_sample_weight,
)
from kmeans_core.bounds import ALGORITHMS
from kmeans_core.dask_data import is_dask_collection
from kmeans_core.init import kmeans_plusplus, random_init
from kmeans_core.interrupt import checkpoint
from kmeans_core.lloyd import StepSummary, _lloyd_steps_prepared, centre

__all__ = ["DistinctClustersWarning", "KMeans", "NotFittedError"]


class DistinctClustersWarning(ConvergenceWarning, RuntimeWarning):
    """Fewer distinct clusters than ``n_clusters`` were found (duplicate points in X).

    The fit completes; some clusters are empty. A ``ConvergenceWarning`` as in
    scikit-learn, and a ``RuntimeWarning`` for code that catches that.
    """


@dataclass
class _Run:
    """One Lloyd run from one initialisation, in centred coordinates.

    ``steps`` are the run's steps without their labels (the last one keeps
    them as ``labels``); :attr:`history` turns them into :class:`StepSummary`
    objects, which is done only for the run a fit keeps (on small data, building
    them for every step of every restart was a measurable share of a fit).
    """

    centers: np.ndarray
    labels: np.ndarray
    inertia: float
    n_iter: int
    steps: list[tuple] | None
    offset: np.ndarray | float = 0.0

    @property
    def history(self) -> list[StepSummary] | None:
        """The run's steps as summaries, centers in the data's coordinates."""
        if self.steps is None:
            return None
        off = self.offset
        return [
            StepSummary(it, phase, centers + off, *rest) for it, phase, centers, *rest in self.steps
        ]


def _is_same_clustering(labels1: np.ndarray, labels2: np.ndarray) -> bool:
    """True if ``labels1`` maps onto ``labels2`` (same partition up to renaming).

    scikit-learn keeps the earlier run when a later one has a lower inertia but
    the same clustering (the difference is rounding); so do we.
    """
    # Any point of a cluster may define the mapping (no sort for the first ones):
    # if the partitions differ, some point disagrees with whichever one was kept.
    mapping = np.full(int(labels1.max()) + 1, -1, dtype=np.int64)
    mapping[labels1] = labels2
    return bool(np.array_equal(mapping[labels1], labels2))


def _is_better(run: _Run, kept: _Run) -> bool:
    """Whether a later restart replaces the kept one: lower inertia, another clustering."""
    return run.inertia < kept.inertia and not _is_same_clustering(run.labels, kept.labels)


def _single_run(
    Xc,
    centers0,
    w,
    x_sq,
    *,
    max_iter: int,
    abs_tol: float,
    offset,
    keep_history: bool,
    algorithm: str = "lloyd",
) -> _Run:
    """Consume :func:`_lloyd_steps_prepared` once; the last step is the result."""
    kept: list[tuple] | None = [] if keep_history else None
    last = None
    steps = _lloyd_steps_prepared(
        Xc, centers0, w, x_sq, max_iter=max_iter, abs_tol=abs_tol, algorithm=algorithm
    )
    for step in steps:
        checkpoint()  # a caller's Cancel stops a long fit between steps
        if kept is not None:
            # StepSummary's fields, centers still centred (see _Run.history).
            kept.append(
                (
                    step.iteration,
                    step.phase,
                    step.centers,
                    step.inertia,
                    step.n_changed,
                    step.center_shifts,
                    step.relocated,
                    step.stop_reason,
                    step.distances_skipped,
                )
            )
        last = step
    # The steps always include at least the first assignment.
    assert last is not None
    return _Run(last.centers, last.labels, float(last.inertia), int(last.iteration), kept, offset)


def _initial_centers(init, X, Xc, X_mean, n_clusters, rng, w, x_sq) -> np.ndarray:
    """Initial centers in centred coordinates.

    Built-in initialisers work on the centred data (as scikit-learn). A callable
    gets the data as the user passed it (validated), and its centers are checked.
    """
    if isinstance(init, str) and init == "k-means++":
        return kmeans_plusplus(Xc, n_clusters, rng, sample_weight=w, x_sq_norms=x_sq)
    if isinstance(init, str) and init == "random":
        return random_init(Xc, n_clusters, rng, sample_weight=w)
    if callable(init):
        centers = init(X, n_clusters, rng)
        return check_init_centers(centers, X, n_clusters) - X_mean
    return check_init_centers(init, X, n_clusters) - X_mean


def _fit_runs(
    X: np.ndarray,
    Xc: np.ndarray,
    X_mean: np.ndarray,
    w: np.ndarray,
    x_sq: np.ndarray,
    *,
    n_clusters: int,
    init,
    n_init: int,
    max_iter: int,
    abs_tol: float,
    rng: np.random.RandomState,
    keep_history: bool,
    algorithm: str = "lloyd",
) -> tuple[_Run, list[tuple[float, int]]]:
    """``n_init`` runs on prepared data; the best run and (inertia, n_iter) of each.

    Shared by :class:`KMeans` and :func:`kmeans_core.elbow_sweep`, which
    prepares the data once for all K.
    """
    if _restarts_batchable(Xc, w, n_clusters, n_init, algorithm):
        return _fit_runs_batched(
            X,
            Xc,
            X_mean,
            w,
            x_sq,
            n_clusters=n_clusters,
            init=init,
            n_init=n_init,
            max_iter=max_iter,
            abs_tol=abs_tol,
            rng=rng,
            keep_history=keep_history,
        )
    best: _Run | None = None
    runs = []
    for _ in range(n_init):
        checkpoint()
        centers0 = _initial_centers(init, X, Xc, X_mean, n_clusters, rng, w, x_sq)
        run = _single_run(
            Xc,
            centers0,
            w,
            x_sq,
            max_iter=max_iter,
            abs_tol=abs_tol,
            offset=X_mean,
            keep_history=keep_history,
            algorithm=algorithm,
        )
        runs.append((run.inertia, run.n_iter))
        if best is None or _is_better(run, best):
            best = run
    assert best is not None, "n_init is validated to be at least 1"
    return best, runs


# Restarts on at most this many rows x clusters (and few features) run as one batched
# loop (kmeans_core.batch): on such data a Lloyd step is fixed per-call costs, which
# the batch pays once for all restarts (500 x 2, K = 4, ten restarts: 5.9 -> 3.0 ms);
# above it the batch's copies cost more than they save (2,000 x 2, K = 8: 1.2x slower).
BATCH_MAX_ROWS_X_K = 4096
BATCH_MAX_FEATURES = 4


def _restarts_batchable(Xc, w: np.ndarray, n_clusters: int, n_init: int, algorithm: str) -> bool:
    """Whether :func:`_fit_runs` runs its restarts as one batched Lloyd loop."""
    return (
        n_init >= 2
        and algorithm in ("auto", "lloyd")
        and not is_sparse(Xc)
        and Xc.dtype == np.float64  # float32 sums differ from the kernel's (float64)
        and Xc.shape[1] <= BATCH_MAX_FEATURES
        and Xc.shape[0] * n_clusters <= BATCH_MAX_ROWS_X_K
        and bool(np.all(w == 1))  # the batch has no sample weights
    )


def _fit_runs_batched(
    X, Xc, X_mean, w, x_sq, *, n_clusters, init, n_init, max_iter, abs_tol, rng, keep_history
) -> tuple[_Run, list[tuple[float, int]]]:
    """:func:`_fit_runs`' restarts as one batched loop: the same starts, runs and choice.

    The starts are drawn in the loop's order (runs draw nothing), the best run is
    chosen by the loop's rule, and the kept run is the estimator's own: run again by
    :func:`_single_run` from its start, so the fitted model is the loop's to the last
    bit, step summaries included; only the other runs' inertias (reported by
    :func:`kmeans_core.elbow_sweep`) are the batch's, equal to rounding.
    """
    from kmeans_core.batch import lloyd_restarts  # batch builds on this module

    checkpoint()
    starts = np.stack(
        [_initial_centers(init, X, Xc, X_mean, n_clusters, rng, w, x_sq) for _ in range(n_init)]
    ).astype(Xc.dtype, copy=False)
    fits, special = lloyd_restarts(Xc, x_sq, starts, abs_tol, max_iter)

    def own(i: int) -> _Run:
        return _single_run(
            Xc,
            starts[i],
            w,
            x_sq,
            max_iter=max_iter,
            abs_tol=abs_tol,
            offset=X_mean,
            keep_history=keep_history,
        )

    def batched(i: int) -> _Run:
        c, lab, inertia, n_iter = fits.centers, fits.labels, fits.inertia, fits.n_iter
        return _Run(c[i], lab[i], float(inertia[i]), int(n_iter[i]), None, X_mean)

    done = {int(i): own(int(i)) for i in np.flatnonzero(special)}
    results = [done[i] if i in done else batched(i) for i in range(n_init)]
    best_i = 0
    for i in range(1, n_init):
        if _is_better(results[i], results[best_i]):
            best_i = i
    # The kept run is always the estimator's own (bit for bit the loop's model).
    best = results[best_i] if best_i in done else own(best_i)
    return best, [(r.inertia, r.n_iter) for r in results]


def _warn_if_few_distinct(X, labels: np.ndarray, n_clusters: int) -> None:
    """Warn (DistinctClustersWarning) when the best run used fewer than n_clusters clusters."""
    n_distinct = int(np.count_nonzero(np.bincount(labels, minlength=n_clusters)))
    if n_distinct >= n_clusters:
        return
    rows = X.toarray() if is_sparse(X) and X.shape[0] * X.shape[1] <= 1 << 24 else X
    n_points = n_clusters if is_sparse(rows) else int(np.unique(rows, axis=0).shape[0])
    why = (
        f"X has only {n_points} distinct point(s), so {n_clusters - n_points} cluster(s) "
        "cannot get a point of their own"
        if n_points < n_clusters
        else "some clusters ended up with no points (duplicate or zero-weight points)"
    )
    warnings.warn(
        f"Number of distinct clusters ({n_distinct}) found smaller than n_clusters "
        f"({n_clusters}). Possibly due to duplicate points in X: {why}.",
        DistinctClustersWarning,
        stacklevel=3,
    )


def _check_init(init) -> None:
    """Check that ``init`` is a known string, a callable or array-like."""
    if isinstance(init, str):
        if init not in ("k-means++", "random"):
            raise ValueError(
                f"init must be 'k-means++', 'random', an array or a callable, got {init!r}."
            )
    elif not callable(init) and np.ndim(init) == 0:
        raise ValueError(
            f"init must be 'k-means++', 'random', an array or a callable, got {init!r}."
        )


class KMeans(ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin, BaseEstimator):
    """K-Means clustering with Lloyd's algorithm, written from scratch in NumPy.

    Follows scikit-learn's ``KMeans`` (Lloyd): from the same initial centers it
    gives the same labels, ``n_iter_``, centers and inertia, and with the same
    int ``random_state`` it draws the same k-means++ / random initial centers.
    See :mod:`kmeans_core.lloyd` for the two degenerate cases that differ.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters K.
    init : {"k-means++", "random"}, array-like of shape (n_clusters, n_features) \
or callable, default="k-means++"
        How to choose the initial centers. "k-means++" is scikit-learn's greedy
        variant (same random draws); "random" picks ``n_clusters`` distinct rows.
        A callable is called as ``init(X, n_clusters, random_state)`` with the
        validated data and a ``RandomState`` and returns the centers.
    n_init : "auto" or int, default="auto"
        Number of runs from different initialisations; the run with the lowest
        inertia wins (an earlier run is kept if a later one only differs by
        rounding, i.e. has the same partition). "auto" is 1 for "k-means++" and
        arrays, 10 for "random" and callables. With an array, n_init > 1 warns
        (RuntimeWarning) and runs once.
    max_iter : int, default=300
        Maximum number of Lloyd iterations per run.
    tol : float, default=1e-4
        Relative tolerance: a run stops when the total squared center shift is
        at most ``tol * mean(var(X, axis=0))``. It always stops when the labels
        did not change (strict convergence), even with ``tol=0``.
    random_state : int, RandomState or None, default=None
        Seed for initialisation.
    algorithm : {"lloyd", "elkan", "hamerly", "tree", "auto"}, default="auto"
        How each iteration finds the labels; all give the same labels, centers
        and ``n_iter_`` from the same start (up to exact ties, broken by rounding;
        "tree" adds its sums in another order, so its centers agree to rounding).
        "lloyd" computes every point-center distance.  "elkan" and "hamerly" keep
        triangle-inequality bounds per point (K lower bounds each for Elkan, one
        for Hamerly) and skip the distances they rule out: faster once the
        centers settle, at d of about 16 and more.  "tree" (at most 8 features)
        sorts the points once along a Z-order curve and labels whole grid cells
        that lie in one center's region (Kanungo et al.'s filtering): only points
        near a boundary get distances.  "auto" takes the tree at 1 feature from
        100,000 rows and at 2 features from 300,000; else Lloyd while many labels
        change, then Hamerly, and Lloyd throughout below 16 features (see
        :mod:`kmeans_core.tree`, :mod:`kmeans_core.bounds` and bench/RESULTS.md).
        Sparse X always uses Lloyd.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        float32 if X was float32, else float64.
    labels_ : ndarray of shape (n_samples,), int32
    inertia_ : float
        Weighted sum of squared distances of samples to their closest center.
    n_iter_ : int
        Lloyd iterations of the best run (counted as scikit-learn counts them).
    n_features_in_ : int
    history_ : list of StepSummary
        Every assign and update step of the best run, from
        :func:`kmeans_core.lloyd_steps`'s generator.

    Warns
    -----
    DistinctClustersWarning
        When fewer distinct clusters than ``n_clusters`` were found (duplicate
        points); the fit still completes.
    """

    def __init__(
        self,
        n_clusters=8,
        *,
        init="k-means++",
        n_init="auto",
        max_iter=300,
        tol=1e-4,
        random_state=None,
        algorithm="auto",
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.algorithm = algorithm

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # CSR input, never densified (kmeans_core._sparse)
        return tags

    # -- validation -------------------------------------------------------------

    def _resolved_n_init(self) -> int:
        init_is_array = not (isinstance(self.init, str) or callable(self.init))
        if isinstance(self.n_init, str) and self.n_init == "auto":
            if isinstance(self.init, str) and self.init == "random" or callable(self.init):
                return 10
            return 1
        if (
            isinstance(self.n_init, bool)
            or not isinstance(self.n_init, numbers.Integral)
            or self.n_init < 1
        ):
            raise ValueError(f"n_init must be 'auto' or a whole number >= 1, got {self.n_init!r}.")
        if init_is_array and self.n_init != 1:
            warnings.warn(
                "Explicit initial center position passed: performing only one init "
                f"in {type(self).__name__} instead of n_init={self.n_init}.",
                RuntimeWarning,
                stacklevel=3,
            )
            return 1
        return int(self.n_init)

    def _check_params(self, X: np.ndarray) -> None:
        check_n_clusters(self.n_clusters, X.shape[0])
        _check_init(self.init)
        check_max_iter_tol(self.max_iter, self.tol)
        if self.algorithm not in ALGORITHMS:
            raise ValueError(
                f"algorithm must be one of {', '.join(map(repr, ALGORITHMS))}, "
                f"got {self.algorithm!r}."
            )

    # -- fitting ----------------------------------------------------------------

    def fit(self, X, y=None, sample_weight=None):
        """Compute K-Means clustering.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights; None means all ones.

        Returns
        -------
        self : KMeans

        Raises
        ------
        ValueError
            With a message fit to show users, for invalid data or parameters.

        Notes
        -----
        A dask array or dask DataFrame is fitted on Dask without gathering it
        (``labels_`` is then lazy; ``init`` may also be "k-means||"): see
        :mod:`kmeans_core.dask_backend`.
        """
        if is_dask_collection(X):
            from kmeans_core import dask_backend

            return dask_backend.fit(self, X, sample_weight)
        X = check_data(X, accept_sparse=True)
        self._check_params(X)
        n_init = self._resolved_n_init()
        w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        rng = check_random_state(self.random_state)
        data = centre(X, self.tol)
        X_mean, Xc, x_sq, abs_tol = data.mean, data.Xc, data.x_sq_norms, data.abs_tol
        best, _ = _fit_runs(
            X,
            Xc,
            X_mean,
            w,
            x_sq,
            n_clusters=int(self.n_clusters),
            init=self.init,
            n_init=n_init,
            max_iter=int(self.max_iter),
            abs_tol=abs_tol,
            rng=rng,
            keep_history=True,
            algorithm=self.algorithm,
        )
        self.cluster_centers_ = (best.centers + X_mean).astype(X.dtype, copy=False)
        self.labels_ = best.labels
        self.inertia_ = best.inertia
        self.n_iter_ = best.n_iter
        self.n_features_in_ = X.shape[1]
        self._n_features_out = self.cluster_centers_.shape[0]
        self.history_ = best.history
        _warn_if_few_distinct(X, self.labels_, self.n_clusters)
        return self

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit and return the label of each sample."""
        return self.fit(X, sample_weight=sample_weight).labels_

    # -- using a fitted model ---------------------------------------------------

    def _check_fitted(self) -> None:
        if not hasattr(self, "cluster_centers_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' first."
            )

    def _check_test_data(self, X) -> np.ndarray:
        self._check_fitted()
        X = check_data(X, accept_sparse=True)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        return X

    def _centred(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """X and the centers shifted to the centers' coordinate-wise median, in X's dtype.

        The ||x||^2 - 2x.c + ||c||^2 form loses precision far from the shift point
        (data offset by 1e8 would give garbage distances), so predict, score and
        transform work relative to the centers, as the fit works on centred data.
        Not the training mean: one far point in the training data would pull it
        away from every center.  The median (the mean of the centers for K <= 2)
        also stays among the centers when one of them sits on a far outlier.
        """
        offset = np.median(self.cluster_centers_.astype(np.float64), axis=0).astype(X.dtype)
        return X - offset, self.cluster_centers_.astype(X.dtype) - offset

    def _labels_inertia(self, X, sample_weight=None):
        w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        if is_sparse(X):  # sparse X is never shifted (it would turn dense)
            d2 = sparse_sq_dists(X, self.cluster_centers_.astype(X.dtype), sparse_row_norms(X))
            labels = _first_min_labels(d2, self.cluster_centers_)
            inertia = float(np.dot(d2[np.arange(X.shape[0]), labels].astype(np.float64), w))
            return labels, inertia
        Xc, centers = self._centred(X)
        x_sq = np.einsum("ij,ij->i", Xc, Xc)
        labels, inertia, _, _ = assign_and_accumulate(Xc, centers, w, x_sq, accumulate=False)
        return labels, inertia

    def predict(self, X):
        """Index of the closest center for each sample (lowest index on ties; lazy for dask X)."""
        if is_dask_collection(X):
            from kmeans_core import dask_backend

            return dask_backend.predict(self, X)
        X = self._check_test_data(X)
        return self._labels_inertia(X)[0]

    def score(self, X, y=None, sample_weight=None):
        """Opposite of the inertia of X on the fitted centers."""
        if is_dask_collection(X):
            from kmeans_core import dask_backend

            return dask_backend.score(self, X, sample_weight)
        X = self._check_test_data(X)
        return -self._labels_inertia(X, sample_weight)[1]

    def transform(self, X):
        """Euclidean distance from each sample to each center, shape (n_samples, n_clusters).

        float32 in gives float32 out; dask X gives a lazy dask array.
        """
        if is_dask_collection(X):
            from kmeans_core import dask_backend

            return dask_backend.transform(self, X)
        X = self._check_test_data(X)
        if is_sparse(X):
            centers = self.cluster_centers_.astype(X.dtype)
            return np.sqrt(sparse_sq_dists(X, centers, sparse_row_norms(X)))
        return _euclidean_distances(*self._centred(X))

    def fit_transform(self, X, y=None, sample_weight=None):
        """Fit, then return the distances to the centers."""
        return self.fit(X, sample_weight=sample_weight).transform(X)


def _first_min_labels(d2: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Nearest center per row of d2 (lowest index; copies of a center to the first)."""
    from kmeans_core._kernels import first_copy_of_rows

    labels = np.argmin(d2, axis=1).astype(np.int32)
    first_copy = first_copy_of_rows(centers)
    return labels if first_copy is None else first_copy[labels]


def _euclidean_distances(X: np.ndarray, centers: np.ndarray, chunk_rows: int = 16384):
    out = np.empty((X.shape[0], centers.shape[0]), dtype=X.dtype)
    c_sq = np.einsum("ij,ij->i", centers, centers)
    for start in range(0, X.shape[0], chunk_rows):
        Xc = X[start : start + chunk_rows]
        d = Xc @ centers.T
        d *= -2
        d += c_sq
        d += np.einsum("ij,ij->i", Xc, Xc)[:, None]
        np.maximum(d, 0, out=d)
        np.sqrt(d, out=out[start : start + chunk_rows])
    return out
