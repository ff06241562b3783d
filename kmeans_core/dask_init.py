"""Initial centers for a fit on Dask, in centred coordinates.

- ``"k-means++"`` and ``"random"``: the in-memory initialisers on a uniform sample
  of rows (its size is reported). When X has no more rows than the sample size,
  the sample is X itself and no random numbers are spent on drawing it, so the
  centers are those of the in-memory fit with the same ``random_state``.
- ``"k-means||"`` (Bahmani et al., "Scalable K-Means++", VLDB 2012): one first
  point drawn in proportion to its weight; ``n_rounds`` rounds in which every
  point joins the candidates independently with probability
  ``l * w(x) d^2(x, C) / phi(C)`` (``l = oversampling_factor * K``); then every
  candidate is weighted by the total sample weight of the points nearest to it
  (step 7 of the paper's Algorithm 2), and the weighted candidates are
  reclustered into K centers with weighted k-means++ and Lloyd (step 8).
  Random draws in a block use a seed the driver drew for that block, so the
  result depends on ``random_state`` and the chunking, not on the scheduler.
- an array, or a callable ``init(X, n_clusters, random_state)`` that gets the
  dask array and returns centers (numpy or dask).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import pairwise_distances_argmin_min

from kmeans_core._validation import check_init_centers
from kmeans_core.dask_data import DaskData
from kmeans_core.init import kmeans_plusplus, random_init

#: Rows of the sample that "k-means++" and "random" run on, unless told otherwise.
DEFAULT_INIT_SAMPLE_SIZE = 100_000


@dataclass
class InitReport:
    """What the last initialisation did (shown as estimator attributes).

    Attributes
    ----------
    sample_size : int or None
        Rows in the sample k-means++ / random ran on (n_samples when X fits).
    n_candidates : int or None
        k-means||: candidate points before reclustering.
    n_rounds : int or None
        k-means||: sampling rounds run.
    """

    sample_size: int | None = None
    n_candidates: int | None = None
    n_rounds: int | None = None


def _distinct_indices(n: int, size: int, rng: np.random.RandomState) -> np.ndarray:
    """``size`` distinct row indices in [0, n), sorted; O(size) memory even for huge n."""
    chosen = np.empty(0, dtype=np.int64)
    while chosen.size < size:
        draw = rng.randint(0, n, size=2 * (size - chosen.size) + 8)
        _, first = np.unique(np.concatenate([chosen, draw]), return_index=True)
        merged = np.concatenate([chosen, draw])[np.sort(first)]  # keep draw order
        chosen = merged[:size]
    return np.sort(chosen)


def sample_rows(data: DaskData, size: int, rng: np.random.RandomState):
    """A uniform sample of rows, centred, with its weights: (rows, weights).

    All rows (and no random draws) when ``size >= n_samples``.
    """
    import dask

    if size >= data.n_samples:
        x, w = data.X, data.weights
    else:
        idx = _distinct_indices(data.n_samples, size, rng)
        x = data.X[idx]
        w = None if data.weights is None else data.weights[idx]
    x, w = dask.compute(x, w)
    w = np.ones(x.shape[0], dtype=data.dtype) if w is None else w
    return np.ascontiguousarray(x - data.mean), w


def sampled_init(init: str, data, n_clusters, rng, sample_size, report: InitReport):
    """k-means++ or random on a uniform sample of at most ``sample_size`` rows."""
    size = min(int(sample_size), data.n_samples)
    xs, ws = sample_rows(data, size, rng)
    report.sample_size = size
    if np.count_nonzero(ws) < n_clusters:
        raise ValueError(
            f"Only {np.count_nonzero(ws)} rows of the {size}-row init sample have a non-zero "
            f"weight; use init='k-means||' or a larger init sample for n_clusters={n_clusters}."
        )
    if init == "random":
        return random_init(xs, n_clusters, rng, sample_weight=ws)
    x_sq = np.einsum("ij,ij->i", xs, xs)
    return kmeans_plusplus(xs, n_clusters, rng, sample_weight=ws, x_sq_norms=x_sq)


# -- k-means|| ---------------------------------------------------------------------


def _min_sq_dist(xc: np.ndarray, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest candidate and squared distance to it, per row (chunked by scikit-learn)."""
    idx, dist = pairwise_distances_argmin_min(xc, candidates, metric="sqeuclidean")
    return idx, np.maximum(dist, 0)


def _block_cost(x, w, mean, candidates) -> float:
    xc = x - mean
    _, d2 = _min_sq_dist(xc, candidates)
    return float(d2 @ (np.ones(len(xc)) if w is None else w))


def _block_draw(x, w, mean, candidates, phi, ell, seed) -> np.ndarray:
    """Rows kept with probability min(1, ell * w d^2 / phi) (step 4 of Algorithm 2)."""
    xc = x - mean
    _, d2 = _min_sq_dist(xc, candidates)
    p = ell * d2 * (1.0 if w is None else w) / phi
    keep = np.random.RandomState(seed).uniform(size=len(xc)) < p
    return xc[keep]


def _block_candidate_weights(x, w, mean, candidates) -> np.ndarray:
    """Total sample weight of the rows nearest to each candidate (step 7)."""
    idx, _ = _min_sq_dist(x - mean, candidates)
    return np.bincount(idx, weights=w, minlength=len(candidates))


def _over_blocks(data: DaskData, func, *args) -> list:
    """``func(x_block, w_block, mean, *args)`` on every block, computed, in block order."""
    import dask

    mean = dask.delayed(data.mean)
    args_d = [dask.delayed(a) if isinstance(a, np.ndarray) else a for a in args]
    tasks = [
        dask.delayed(func, pure=True)(xb, wb, mean, *args_d)
        for xb, wb in zip(data.blocks(), data.weight_blocks(), strict=True)
    ]
    (out,) = dask.compute(tasks)
    return out


def _first_point(data: DaskData, rng: np.random.RandomState) -> np.ndarray:
    """One row drawn in proportion to its weight (uniformly without weights), centred."""
    if data.weights is None:
        row = int(rng.randint(data.n_samples))
    else:
        w = data.weights
        block_sums = np.array(_over_blocks_weights(data))
        b = int(np.searchsorted(np.cumsum(block_sums), rng.uniform() * block_sums.sum(), "right"))
        b = min(b, len(block_sums) - 1)
        wb = np.asarray(w.blocks[b].compute(), dtype=np.float64)
        r = int(np.searchsorted(np.cumsum(wb), rng.uniform() * wb.sum(), "right"))
        row = int(data.offsets[b]) + min(r, len(wb) - 1)
    return (np.asarray(data.X[row].compute()) - data.mean)[None, :]


def _over_blocks_weights(data: DaskData) -> list:
    import dask

    return list(dask.compute(*[wb.sum(dtype=np.float64) for wb in data.weight_blocks()]))


def kmeans_parallel(
    data: DaskData,
    n_clusters: int,
    rng: np.random.RandomState,
    report: InitReport,
    *,
    oversampling_factor: float = 2.0,
    n_rounds: int = 5,
) -> np.ndarray:
    """k-means|| (Bahmani et al. 2012) with weighted candidates; centred centers.

    Two passes over X per round (the cost phi, then the draws) and one for the
    candidate weights. Rounds continue past ``n_rounds`` (up to twice) while
    there are fewer than K candidates.
    """
    ell = oversampling_factor * n_clusters
    candidates = _first_point(data, rng).astype(data.dtype)
    rounds = 0
    while rounds < n_rounds or (len(candidates) < n_clusters and rounds < 2 * n_rounds):
        phi = float(sum(_over_blocks(data, _block_cost, candidates)))
        if phi == 0:  # every point sits on a candidate
            break
        new = _draw_round(data, candidates, phi, ell, int(rng.randint(np.iinfo(np.int32).max)))
        candidates = np.concatenate([candidates, new.astype(data.dtype)])
        rounds += 1
    report.n_rounds, report.n_candidates = rounds, len(candidates)
    if len(candidates) < n_clusters:
        raise ValueError(
            f"k-means|| found only {len(candidates)} distinct candidate point(s) for "
            f"n_clusters={n_clusters}: X has fewer distinct points than clusters."
        )
    weights = np.sum(_over_blocks(data, _block_candidate_weights, candidates), axis=0)
    return _recluster(candidates, weights, n_clusters, rng)


def _draw_round(data: DaskData, candidates, phi: float, ell: float, seed: int) -> np.ndarray:
    """The draws of one round: each block with its own seed, concatenated in block order."""
    import dask

    seeds = np.random.RandomState(seed).randint(np.iinfo(np.int32).max, size=data.n_blocks)
    mean, cand = dask.delayed(data.mean), dask.delayed(candidates)
    tasks = [
        dask.delayed(_block_draw, pure=True)(xb, wb, mean, cand, phi, ell, int(s))
        for xb, wb, s in zip(data.blocks(), data.weight_blocks(), seeds, strict=True)
    ]
    (parts,) = dask.compute(tasks)
    return np.concatenate(parts)


def _recluster(candidates, weights, n_clusters, rng) -> np.ndarray:
    """Step 8: K centers from the weighted candidates (weighted k-means++, then Lloyd)."""
    from kmeans_core.estimator import KMeans

    keep = weights > 0
    if np.count_nonzero(keep) >= n_clusters:
        candidates, weights = candidates[keep], weights[keep]
    weights = weights.astype(candidates.dtype)
    model = KMeans(n_clusters, n_init=1, random_state=rng).fit(candidates, sample_weight=weights)
    return model.cluster_centers_.astype(candidates.dtype)


def explicit_init(init, data: DaskData, n_clusters: int, rng) -> np.ndarray:
    """Centred initial centers from an array or a callable ``init(X, n_clusters, rng)``."""
    import dask

    if callable(init):
        init = init(data.X, n_clusters, rng)
        if dask.is_dask_collection(init):
            init = init.compute()
    return check_init_centers(init, data.X, n_clusters) - data.mean
