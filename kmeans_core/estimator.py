"""The scikit-learn compatible K-Means estimator."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin

from kmeans_core._kernels import assign_and_accumulate
from kmeans_core._validation import (
    check_data,
    check_n_clusters,
    check_random_state,
    check_sample_weight,
)
from kmeans_core.init import kmeans_plusplus, random_init
from kmeans_core.lloyd import StepSummary, _lloyd_steps_prepared, tolerance


class NotFittedError(ValueError, AttributeError):
    """Raised when a method needs a fitted estimator (mirrors scikit-learn's)."""


class KMeans(ClusterMixin, TransformerMixin, BaseEstimator):
    """K-Means clustering with Lloyd's algorithm, written from scratch in NumPy.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters K.
    init : {"k-means++", "random"}, array-like of shape (n_clusters, n_features) \
or callable, default="k-means++"
        How to choose the initial centers. A callable is called as
        ``init(X, n_clusters, random_state)`` and returns the centers.
    n_init : "auto" or int, default="auto"
        Number of runs from different initialisations; the run with the lowest
        inertia wins. "auto" is 1 for "k-means++" and arrays, 10 for "random"
        and callables.
    max_iter : int, default=300
        Maximum number of Lloyd iterations per run.
    tol : float, default=1e-4
        Relative tolerance: a run stops when the total squared center shift is
        at most ``tol * mean(var(X, axis=0))``.
    random_state : int, RandomState or None, default=None
        Seed for initialisation.
    algorithm : {"lloyd"}, default="lloyd"
        Only Lloyd's algorithm is implemented.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
    labels_ : ndarray of shape (n_samples,)
    inertia_ : float
        Weighted sum of squared distances of samples to their closest center.
    n_iter_ : int
        Lloyd iterations of the best run.
    n_features_in_ : int
    history_ : list of StepSummary
        Every assign and update step of the best run (centers, inertia, ...).
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
        algorithm="lloyd",
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.algorithm = algorithm

    # -- validation -------------------------------------------------------------

    def _resolved_n_init(self) -> int:
        init_is_array = not (isinstance(self.init, str) or callable(self.init))
        if self.n_init == "auto":
            if isinstance(self.init, str) and self.init == "random" or callable(self.init):
                return 10
            return 1
        if (
            isinstance(self.n_init, bool)
            or not isinstance(self.n_init, numbers.Integral)
            or self.n_init < 1
        ):
            raise ValueError(f"n_init must be 'auto' or an int >= 1, got {self.n_init!r}.")
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
        if isinstance(self.init, str) and self.init not in ("k-means++", "random"):
            raise ValueError(
                f"init must be 'k-means++', 'random', an array or a callable, got {self.init!r}."
            )
        if (
            isinstance(self.max_iter, bool)
            or not isinstance(self.max_iter, numbers.Integral)
            or self.max_iter < 1
        ):
            raise ValueError(f"max_iter must be an int >= 1, got {self.max_iter!r}.")
        if not isinstance(self.tol, numbers.Real) or self.tol < 0:
            raise ValueError(f"tol must be a non-negative number, got {self.tol!r}.")
        if self.algorithm != "lloyd":
            raise ValueError(f"algorithm must be 'lloyd', got {self.algorithm!r}.")

    def _check_init_centers(self, centers, X: np.ndarray) -> np.ndarray:
        centers = np.asarray(centers, dtype=X.dtype)
        expected = (self.n_clusters, X.shape[1])
        if centers.shape != expected:
            raise ValueError(
                f"The initial centers must have shape {expected}, got {centers.shape}."
            )
        if not np.isfinite(centers).all():
            raise ValueError("The initial centers contain NaN or infinite values.")
        return np.ascontiguousarray(centers)

    def _initial_centers(self, X, X_centred, X_mean, rng, sample_weight, x_sq):
        if isinstance(self.init, str) and self.init == "k-means++":
            return kmeans_plusplus(
                X_centred, self.n_clusters, rng, sample_weight=sample_weight, x_sq_norms=x_sq
            )
        if isinstance(self.init, str) and self.init == "random":
            return random_init(X_centred, self.n_clusters, rng, sample_weight=sample_weight)
        if callable(self.init):
            centers = self.init(X, self.n_clusters, rng)
            return self._check_init_centers(centers, X) - X_mean
        return self._check_init_centers(self.init, X) - X_mean

    # -- fitting ----------------------------------------------------------------

    def fit(self, X, y=None, sample_weight=None):
        """Compute K-Means clustering.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self : KMeans
        """
        X = check_data(X)
        self._check_params(X)
        n_init = self._resolved_n_init()
        w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        rng = check_random_state(self.random_state)
        # Centring makes the ||x||^2 - 2x.c + ||c||^2 form more accurate (as sklearn).
        X_mean = X.mean(axis=0)
        X_centred = X - X_mean
        x_sq = np.einsum("ij,ij->i", X_centred, X_centred)
        abs_tol = tolerance(X, self.tol)

        best = None
        for _ in range(n_init):
            centers0 = self._initial_centers(X, X_centred, X_mean, rng, w, x_sq)
            history: list[StepSummary] = []
            last = None
            for step in _lloyd_steps_prepared(
                X_centred, centers0, w, x_sq, max_iter=self.max_iter, abs_tol=abs_tol
            ):
                history.append(step.summary(X_mean))
                last = step
            if best is None or last.inertia < best[0].inertia:
                best = (last, history)

        last, history = best
        self.cluster_centers_ = (last.centers + X_mean).astype(X.dtype, copy=False)
        self.labels_ = last.labels
        self.inertia_ = float(last.inertia)
        self.n_iter_ = int(last.iteration)
        self.n_features_in_ = X.shape[1]
        self.history_ = history
        n_distinct = np.unique(self.labels_).size
        if n_distinct < self.n_clusters:
            warnings.warn(
                f"Number of distinct clusters ({n_distinct}) found smaller than "
                f"n_clusters ({self.n_clusters}). Possibly due to duplicate points in X.",
                RuntimeWarning,
                stacklevel=2,
            )
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
        X = check_data(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        return X

    def _labels_inertia(self, X, sample_weight=None):
        w = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        centers = self.cluster_centers_.astype(X.dtype, copy=False)
        x_sq = np.einsum("ij,ij->i", X, X)
        labels, inertia, _, _ = assign_and_accumulate(X, centers, w, x_sq, accumulate=False)
        return labels, inertia

    def predict(self, X):
        """Index of the closest center for each sample."""
        X = self._check_test_data(X)
        return self._labels_inertia(X)[0]

    def score(self, X, y=None, sample_weight=None):
        """Opposite of the inertia of X on the fitted centers."""
        X = self._check_test_data(X)
        return -self._labels_inertia(X, sample_weight)[1]

    def transform(self, X):
        """Euclidean distance from each sample to each center, shape (n_samples, n_clusters)."""
        X = self._check_test_data(X)
        return _euclidean_distances(X, self.cluster_centers_.astype(X.dtype, copy=False))

    def fit_transform(self, X, y=None, sample_weight=None):
        """Fit, then return the distances to the centers."""
        return self.fit(X, sample_weight=sample_weight).transform(X)


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
