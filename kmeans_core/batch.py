"""Many small K-Means fits at once: B same-shaped datasets, one Lloyd loop.

The trust checks of a choose-K page (resampling stability, the gap statistic) fit
hundreds of small models: B resamples or reference sets for every K. On a few
thousand rows one Lloyd iteration is ~40 NumPy calls of a few microseconds each, so
those fits cost Python overhead, not arithmetic. :func:`fit_many` runs the B fits of
one K as one loop over stacked arrays — one batched GEMM, one argmin, one
``bincount`` per feature for all of them — and gives what B separate
``KMeans(n_init=1, random_state=seed)`` fits give: the same initial centers (each
member draws them with its own seed, on its own centred data, as the estimator
does), the same stopping rules (scikit-learn's: labels unchanged, else summed
squared shift at most the tolerance, else ``max_iter``; then one last labelling),
and so the same labels, centers to rounding, inertia and iteration count.

A member whose run would need the estimator's special cases — duplicate initial
centers (ties), an empty cluster to relocate — is run by the estimator's own loop
from the same start instead, so those cases keep their exact treatment.

Memory: members are processed in groups whose distance blocks (group × K × n
values) stay under ``MAX_BLOCK_VALUES``; nothing of shape n × K × d is built.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from kmeans_core._validation import check_data, check_max_iter_tol, check_random_state
from kmeans_core.estimator import _initial_centers, _single_run
from kmeans_core.interrupt import checkpoint
from kmeans_core.lloyd import centre

# Largest distance block (members × K × rows) one group works on: 32 MB in float64.
MAX_BLOCK_VALUES = 1 << 22

Init = str | Callable[..., np.ndarray]


@dataclass(frozen=True)
class ManyFits:
    """The results of :func:`fit_many`, one row per dataset.

    Attributes
    ----------
    centers : ndarray of shape (n_fits, n_clusters, n_features)
        Final centers, in each dataset's coordinates.
    labels : ndarray of shape (n_fits, n_samples)
        Final label of every row of every dataset (int32).
    inertia : ndarray of shape (n_fits,)
        Sum of squared distances of each dataset's rows to their centers.
    n_iter : ndarray of shape (n_fits,)
        Lloyd iterations each fit ran.
    """

    centers: np.ndarray
    labels: np.ndarray
    inertia: np.ndarray
    n_iter: np.ndarray


@dataclass
class _Group:
    """Prepared members of one group: centred data, starts and tolerances."""

    Xc: np.ndarray  # (b, n, d)
    x_sq: np.ndarray  # (b, n)
    mean: np.ndarray  # (b, d)
    centers: np.ndarray  # (b, K, d)
    abs_tol: np.ndarray  # (b,)


def _stack(datasets) -> np.ndarray:
    """The datasets as one validated (n_fits, n_samples, n_features) float array."""
    if isinstance(datasets, np.ndarray) and datasets.ndim == 3:
        arrays = list(datasets)
    else:
        arrays = [np.asarray(x) for x in datasets]
    if not arrays:
        raise ValueError("fit_many needs at least one dataset.")
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise ValueError(f"All datasets must have the same shape; got {sorted(shapes)}.")
    checked = [check_data(a) for a in arrays]
    return np.stack(checked)


def _has_duplicate_rows(centers: np.ndarray) -> bool:
    """True if two initial centers are the same point (ties the estimator resolves)."""
    k, d = centers.shape
    if k * k * d > 1 << 20:  # many centers: sort instead of comparing every pair
        return len(np.unique(centers, axis=0)) < k
    same = (centers[:, None, :] == centers[None, :, :]).all(axis=2)
    return int(np.count_nonzero(same)) > k  # the diagonal is k matches


def _assign(Xc: np.ndarray, centers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest center of every row of every member, and the partial distance to it.

    ``||c||^2 - 2 x.c`` (the ``||x||^2`` term does not change the argmin) from one
    batched GEMM; ties go to the lower index, as in the estimator.
    """
    D = np.matmul(centers, Xc.transpose(0, 2, 1))  # (b, K, n)
    D *= -2.0
    D += np.einsum("bkd,bkd->bk", centers, centers)[:, :, None]
    labels = D.argmin(axis=1)
    return labels, np.take_along_axis(D, labels[:, None, :], axis=1)[:, 0, :]


def _cluster_sums(Xc: np.ndarray, labels: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per member and cluster: the sum of its rows and how many there are."""
    b, n, d = Xc.shape
    flat = (labels + k * np.arange(b)[:, None]).ravel()
    counts = np.bincount(flat, minlength=b * k).reshape(b, k).astype(Xc.dtype)
    sums = np.empty((b, k, d), dtype=Xc.dtype)
    for j in range(d):
        sums[:, :, j] = np.bincount(flat, weights=Xc[:, :, j].ravel(), minlength=b * k).reshape(
            b, k
        )
    return sums, counts


def _inertia(Xc: np.ndarray, centers: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Sum of squared distances of each member's rows to their own center."""
    own = np.take_along_axis(centers, labels[:, :, None], axis=1)  # (b, n, d)
    diff = Xc - own
    return np.einsum("bnd,bnd->b", diff, diff)


def _prepare(
    X: np.ndarray, members: np.ndarray, k: int, init: Init, seeds: Sequence, tol: float
) -> _Group:
    """Centre each member and draw its start as the estimator would."""
    Xcs, sqs, means, starts, tols = [], [], [], [], []
    w = np.ones(X.shape[1], dtype=X.dtype)
    for m in members:
        data = centre(X[m], tol)
        rng = check_random_state(seeds[m])
        c0 = _initial_centers(init, X[m], data.Xc, data.mean, k, rng, w, data.x_sq_norms)
        Xcs.append(data.Xc)
        sqs.append(data.x_sq_norms)
        means.append(data.mean)
        starts.append(np.asarray(c0, dtype=X.dtype))
        tols.append(data.abs_tol)
    return _Group(np.stack(Xcs), np.stack(sqs), np.stack(means), np.stack(starts), np.array(tols))


def _lloyd_group(g: _Group, max_iter: int) -> tuple[ManyFits, np.ndarray]:
    """Lloyd on every member of a group until each stops.

    Also returns which members need the estimator's own loop instead (their results
    here are not used): those with duplicate starts (ties) or an emptied cluster.
    """
    b, n, _ = g.Xc.shape
    k = g.centers.shape[1]
    centers = g.centers.copy()
    labels = np.zeros((b, n), dtype=np.int32)
    n_iter = np.zeros(b, dtype=np.int64)
    empty = np.zeros(b, dtype=bool)
    old = np.full((b, n), -1, dtype=np.intp)
    active = np.arange(b)
    for it in range(1, max_iter + 1):
        checkpoint()  # a caller's Cancel stops the work between iterations
        Xc = g.Xc[active]
        new_labels, _ = _assign(Xc, centers[active])
        sums, counts = _cluster_sums(Xc, new_labels, k)
        hit_empty = (counts == 0).any(axis=1)
        counts[hit_empty] = 1.0  # their result is discarded (run by the estimator's loop)
        new_centers = sums * (1.0 / counts)[:, :, None]
        strict = (new_labels == old[active]).all(axis=1)
        shift = ((new_centers - centers[active]) ** 2).sum(axis=(1, 2))
        done = strict | (shift <= g.abs_tol[active]) | (it == max_iter) | hit_empty
        centers[active] = new_centers
        old[active] = new_labels
        empty[active[hit_empty]] = True
        finished = active[done & ~strict & ~hit_empty]
        if finished.size:  # not stopped on unchanged labels: label once more
            old[finished] = _assign(g.Xc[finished], centers[finished])[0]
        stopped = active[done]
        labels[stopped] = old[stopped]
        n_iter[stopped] = it
        active = active[~done]
        if active.size == 0:
            break
    inertia = _inertia(g.Xc, centers, labels)
    special = np.array([_has_duplicate_rows(c) for c in g.centers]) | empty
    return ManyFits(centers + g.mean[:, None, :], labels, inertia, n_iter), special


def lloyd_restarts(
    Xc: np.ndarray, x_sq: np.ndarray, starts: np.ndarray, abs_tol: float, max_iter: int
) -> tuple[ManyFits, np.ndarray]:
    """The estimator's restarts on one (centred) dataset from given starts, as one loop.

    For :class:`KMeans` on small data: ``starts`` (n_runs, K, d) drawn as its restarts
    draw them. Returns the fits in centred coordinates and which runs need the
    estimator's own loop instead (duplicate starts, an emptied cluster).
    """
    b = starts.shape[0]
    group = _Group(
        np.broadcast_to(Xc, (b, *Xc.shape)),
        np.broadcast_to(x_sq, (b, x_sq.shape[0])),
        np.zeros((b, Xc.shape[1]), dtype=Xc.dtype),
        starts,
        np.full(b, abs_tol),
    )
    return _lloyd_group(group, max_iter)


def _estimator_run(g: _Group, i: int, max_iter: int) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Member ``i`` run by the estimator's own loop from its start (its special cases).

    The same start, centred data and tolerance :class:`KMeans` would use, so the same
    result as the estimator, whatever kind of random state drew the start.
    """
    w = np.ones(g.Xc.shape[1], dtype=g.Xc.dtype)
    run = _single_run(
        g.Xc[i],
        g.centers[i],
        w,
        g.x_sq[i],
        max_iter=max_iter,
        abs_tol=float(g.abs_tol[i]),
        offset=g.mean[i],
        keep_history=False,
    )
    return run.centers + g.mean[i], run.labels, run.inertia, run.n_iter


def fit_many(
    datasets,
    n_clusters: int,
    *,
    random_states: Sequence,
    init: Init = "k-means++",
    max_iter: int = 300,
    tol: float = 1e-4,
) -> ManyFits:
    """Fit K-Means to each of several same-shaped datasets, as one batched loop.

    Gives what ``KMeans(n_clusters, init=init, n_init=1, max_iter=max_iter, tol=tol,
    random_state=random_states[i]).fit(datasets[i])`` gives for every ``i`` (labels
    equal, centers and inertia to rounding), at a fraction of the Python overhead
    when the datasets are small.

    Parameters
    ----------
    datasets : ndarray of shape (n_fits, n_samples, n_features) or sequence of arrays
        The datasets; all of one shape, finite and numeric.
    n_clusters : int
        K, the same for every fit (at most ``n_samples``).
    random_states : sequence
        One seed or RandomState per dataset, for its initial centers; the starts are
        drawn in order, so one RandomState given for every dataset draws them one
        after another, as the restarts of one fit do.
    init : {"k-means++", "random"}, callable or array-like, default="k-means++"
        As :class:`KMeans`' ``init``.
    max_iter : int, default=300
    tol : float, default=1e-4
        Relative tolerance, as :class:`KMeans`' (scaled by each dataset's variance).

    Returns
    -------
    ManyFits

    Raises
    ------
    ValueError
        For datasets of different shapes, invalid data or parameters.
    """
    X = _stack(datasets)
    n_fits, n_samples, n_features = X.shape
    k = int(n_clusters)
    if not 1 <= k <= n_samples:
        raise ValueError(f"n_clusters={n_clusters} must be between 1 and {n_samples} (the rows).")
    if len(random_states) != n_fits:
        raise ValueError(f"Give one random state per dataset ({n_fits}); got {len(random_states)}.")
    check_max_iter_tol(max_iter, tol)
    centers = np.empty((n_fits, k, n_features), dtype=X.dtype)
    labels = np.empty((n_fits, n_samples), dtype=np.int32)
    inertia = np.empty(n_fits)
    n_iter = np.empty(n_fits, dtype=np.int64)
    per_group = max(1, MAX_BLOCK_VALUES // (k * n_samples))
    for start in range(0, n_fits, per_group):
        members = np.arange(start, min(start + per_group, n_fits))
        group = _prepare(X, members, k, init, random_states, tol)
        fits, special = _lloyd_group(group, int(max_iter))
        centers[members], labels[members] = fits.centers, fits.labels
        inertia[members], n_iter[members] = fits.inertia, fits.n_iter
        for i in np.flatnonzero(special):
            one = _estimator_run(group, int(i), int(max_iter))
            m = members[i]
            centers[m], labels[m], inertia[m], n_iter[m] = one
    return ManyFits(centers, labels, inertia, n_iter)


def predict_many(X, centers: np.ndarray) -> np.ndarray:
    """The nearest center of every row of ``X`` under each of several sets of centers.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    centers : ndarray of shape (n_sets, n_clusters, n_features)
        E.g. :attr:`ManyFits.centers`.

    Returns
    -------
    ndarray of shape (n_sets, n_samples)
        Labels (int32) of ``X`` under each set; ties go to the lower index.

    Notes
    -----
    Like :meth:`KMeans.predict`, distances are taken around each set's own center
    mean, so the result does not depend on where the data sit.
    """
    X = check_data(X)
    centers = np.asarray(centers, dtype=X.dtype)
    if centers.ndim != 3 or centers.shape[2] != X.shape[1]:
        raise ValueError(
            f"centers must have shape (n_sets, n_clusters, {X.shape[1]}); got {centers.shape}."
        )
    out = np.empty((centers.shape[0], X.shape[0]), dtype=np.int32)
    per_group = max(1, MAX_BLOCK_VALUES // (centers.shape[1] * X.shape[0]))
    for start in range(0, centers.shape[0], per_group):
        c = centers[start : start + per_group]
        mid = c.mean(axis=1, keepdims=True)
        out[start : start + per_group] = _assign(X[None, :, :] - mid, c - mid)[0]
    return out
