"""kmeans_core on Dask: the same fit as in memory, whatever the chunking or scheduler."""

from __future__ import annotations

import dask
import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kmeans_core import KMeans, NonNumericDataError, dask_data, elbow_sweep
from kmeans_core.dask_backend import fit as dask_fit
from kmeans_core.dask_backend import write_labels
from tests.core.conftest import blobs, rows


@pytest.fixture(autouse=True)
def _one_task_per_block(monkeypatch):
    """Every block its own task, as chunked here (the passes join small blocks by
    default, which would make these small arrays one task; tests/core/test_dask_groups.py
    covers the joining)."""
    monkeypatch.setattr(dask_data, "MIN_GROUP_BYTES", 0)


def _rel(a, b) -> float:
    return float(np.linalg.norm(np.asarray(a, float) - b) / np.linalg.norm(b))


def _dask(X, chunk_rows):
    return da.from_array(X, chunks=(chunk_rows, X.shape[1]))


def _weights(n):
    return np.random.RandomState(7).uniform(0.2, 3.0, n)


def assert_same_fit(on_dask, in_memory, rtol):
    """Identical labels and step records; centers and inertia within ``rtol``."""
    np.testing.assert_array_equal(on_dask.labels_.compute(), in_memory.labels_)
    assert on_dask.n_iter_ == in_memory.n_iter_
    assert [(s.phase, s.n_changed, s.stop_reason) for s in on_dask.history_] == [
        (s.phase, s.n_changed, s.stop_reason) for s in in_memory.history_
    ]
    assert _rel(on_dask.cluster_centers_, in_memory.cluster_centers_) <= rtol
    assert on_dask.inertia_ == pytest.approx(in_memory.inertia_, rel=rtol)
    assert on_dask.cluster_centers_.dtype == in_memory.cluster_centers_.dtype


# float64: the blocks' sums are added in another order than the in-memory chunks',
# ~1e-16 per addition. float32 keeps float32 sums per block as in memory, so the
# centers agree to float32 rounding (~1e-7), not 1e-10.
RTOL = {np.float64: 1e-10, np.float32: 1e-5}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("chunk_rows", [1000, 97, 250])  # one block, uneven last, 2 blocks
def test_same_start_same_fit_as_in_memory(dtype, weighted, chunk_rows):
    X = blobs(n=500, d=3, k=6, seed=2, std=2.0).astype(dtype)
    w = _weights(len(X)) if weighted else None
    init = rows(X, 6, seed=3)
    ref = KMeans(6, init=init, n_init=1).fit(X, sample_weight=w)
    ours = KMeans(6, init=init, n_init=1).fit(_dask(X, chunk_rows), sample_weight=w)
    assert_same_fit(ours, ref, RTOL[dtype])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
def test_chunks_of_one_row_give_the_in_memory_fit(dtype, weighted):
    X = blobs(n=30, d=2, k=3, seed=5).astype(dtype)
    w = _weights(len(X)) if weighted else None
    init = rows(X, 3, seed=1)
    ref = KMeans(3, init=init, n_init=1).fit(X, sample_weight=w)
    ours = KMeans(3, init=init, n_init=1).fit(_dask(X, 1), sample_weight=w)
    assert_same_fit(ours, ref, RTOL[dtype])


def _row_chunks(sizes: list[int], n: int) -> tuple[int, ...]:
    """Block sizes from ``sizes`` (cycled) that add up to ``n``."""
    out, total, i = [], 0, 0
    while total < n:
        size = min(sizes[i % len(sizes)], n - total)
        out.append(size)
        total, i = total + size, i + 1
    return tuple(out)


@settings(max_examples=8, deadline=None)
@given(sizes=st.lists(st.integers(9, 70), min_size=1, max_size=5), seed=st.integers(0, 50))
def test_any_chunking_gives_the_in_memory_labels(sizes, seed):
    X = blobs(n=150, d=2, k=4, seed=seed)
    init = rows(X, 4, seed=seed)
    ref = KMeans(4, init=init, n_init=1).fit(X)
    Xd = da.from_array(X, chunks=(_row_chunks(sizes, len(X)), 2))
    assert_same_fit(KMeans(4, init=init, n_init=1).fit(Xd), ref, 1e-10)


@pytest.mark.parametrize(
    ("tol", "max_iter", "reason"),
    [(0.0, 300, "labels unchanged"), (1e-1, 300, "center shift below tol"),
     (1e-4, 2, "max_iter reached")],
)  # fmt: skip
def test_each_stopping_rule_stops_at_the_same_step(tol, max_iter, reason):
    X = blobs(n=400, d=2, k=5, seed=0)
    init = rows(X, 5, seed=4)
    ref = KMeans(5, init=init, n_init=1, tol=tol, max_iter=max_iter).fit(X)
    ours = KMeans(5, init=init, n_init=1, tol=tol, max_iter=max_iter).fit(_dask(X, 90))
    assert ref.history_[-1].stop_reason == reason
    assert_same_fit(ours, ref, 1e-10)


def test_empty_cluster_takes_the_globally_farthest_point():
    # The third center starts far from every point: its cluster is empty after the
    # first assignment and it must take the point farthest from its own center over
    # all five blocks (each block only sends its own farthest candidates).
    X = blobs(n=300, d=2, k=3, seed=1)
    init = np.vstack([rows(X, 2, seed=0), [[1e3, 1e3]]])
    ref = KMeans(3, init=init, n_init=1).fit(X)
    ours = KMeans(3, init=init, n_init=1).fit(_dask(X, 64))
    assert ref.history_[1].relocated == (2,)
    assert ours.history_[1].relocated == (2,)
    assert_same_fit(ours, ref, 1e-10)


def test_result_does_not_depend_on_the_number_of_threads():
    X = blobs(n=600, d=4, k=5, seed=3)
    Xd = _dask(X, 77)
    fits = []
    for scheduler, workers in [("synchronous", 1), ("threads", 1), ("threads", 4)]:
        with dask.config.set(scheduler=scheduler, num_workers=workers):
            fits.append(KMeans(5, random_state=0).fit(Xd))
    for other in fits[1:]:
        np.testing.assert_array_equal(other.cluster_centers_, fits[0].cluster_centers_)
        assert other.inertia_ == fits[0].inertia_


def test_a_distributed_local_cluster_gives_the_threaded_result():
    distributed = pytest.importorskip("distributed")
    X = blobs(n=500, d=3, k=4, seed=8)
    w = _weights(len(X))
    Xd = _dask(X, 120)
    threaded = KMeans(4, init="k-means||", random_state=1).fit(Xd, sample_weight=w)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        on_cluster = KMeans(4, init="k-means||", random_state=1).fit(Xd, sample_weight=w)
    # labels_ is a graph on X, not futures of the closed cluster: it still computes.
    labels = on_cluster.labels_.compute()
    np.testing.assert_array_equal(on_cluster.cluster_centers_, threaded.cluster_centers_)
    np.testing.assert_array_equal(labels, threaded.labels_.compute())
    assert on_cluster.n_iter_ == threaded.n_iter_


# -- initialisation ----------------------------------------------------------------


@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_sampled_inits_on_data_smaller_than_the_sample_match_in_memory(init):
    # The sample is all of X and no draws are spent on it: same random_state, same fit.
    X = blobs(n=400, d=2, k=4, seed=6)
    w = _weights(len(X))
    ref = KMeans(4, init=init, n_init=3, random_state=5).fit(X, sample_weight=w)
    ours = KMeans(4, init=init, n_init=3, random_state=5).fit(_dask(X, 150), sample_weight=w)
    assert ours.init_sample_size_ == 400
    assert_same_fit(ours, ref, 1e-10)


@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_sampled_inits_report_their_sample_and_pick_rows_of_x(init):
    X = blobs(n=2000, d=2, k=4, seed=6)
    model = KMeans(4, init=init, n_init=1, max_iter=1, random_state=0)
    dask_fit(model, _dask(X, 500), init_sample_size=300)
    assert model.init_sample_size_ == 300
    start = model.history_[0].centers
    assert all(np.isclose(X, c).all(axis=1).any() for c in start)


def test_kmeans_parallel_finds_a_fit_as_good_as_in_memory_kmeans_plus_plus():
    X = blobs(n=3000, d=2, k=6, seed=4, std=0.8)
    ours = KMeans(6, init="k-means||", random_state=0).fit(_dask(X, 700))
    best = KMeans(6, n_init=10, random_state=0).fit(X)
    assert ours.inertia_ <= 1.01 * best.inertia_
    assert ours.init_rounds_ == 5
    assert ours.init_candidates_ > 6


def test_kmeans_parallel_weighs_its_candidates_by_the_points_they_stand_for():
    from kmeans_core.dask_data import prepare
    from kmeans_core.dask_init import _block_candidate_weights, _over_blocks

    X = blobs(n=500, d=2, k=3, seed=2)
    w = _weights(len(X))
    data = prepare(_dask(X, 128), w)
    candidates = rows(X, 7, seed=1) - data.mean
    weights = np.sum(_over_blocks(data, _block_candidate_weights, candidates), axis=0)
    # Every point's weight goes to exactly one candidate: its nearest.
    nearest = ((X - data.mean)[:, None, :] - candidates[None]).__pow__(2).sum(axis=2).argmin(1)
    np.testing.assert_allclose(weights, np.bincount(nearest, weights=w, minlength=7))


def test_kmeans_parallel_is_reproducible_and_weighted_rows_count():
    X = blobs(n=800, d=2, k=3, seed=9)
    Xd = _dask(X, 200)
    a = KMeans(3, init="k-means||", random_state=3).fit(Xd)
    b = KMeans(3, init="k-means||", random_state=3).fit(Xd)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    # Zero-weight rows are never chosen and do not pull any center.
    w = np.ones(len(X))
    w[:10] = 0
    Xf = X.copy()
    Xf[:10] = 1e3
    c = KMeans(3, init="k-means||", random_state=3).fit(_dask(Xf, 200), sample_weight=w)
    assert np.abs(c.cluster_centers_).max() < 100


def test_array_and_callable_inits():
    X = blobs(n=300, d=2, k=3, seed=2)
    Xd = _dask(X, 100)
    init = rows(X, 3, seed=0)
    seen = {}

    def my_init(data, k, rng):
        seen["type"] = type(data)
        return data[:k]  # a dask array: computed by the fit

    by_array = KMeans(3, init=init, n_init=1).fit(Xd)
    by_callable = KMeans(3, init=my_init, n_init=1).fit(Xd)
    assert seen["type"] is da.Array
    np.testing.assert_allclose(by_array.history_[0].centers, init, rtol=1e-14)
    np.testing.assert_allclose(by_callable.history_[0].centers, X[:3])


# -- the estimator API on dask input --------------------------------------------------


def test_predict_transform_score_on_dask_match_in_memory():
    X = blobs(n=400, d=3, k=4, seed=1)
    model = KMeans(4, random_state=0).fit(X)
    Xd = _dask(X, 111)
    labels = model.predict(Xd)
    assert isinstance(labels, da.Array)
    np.testing.assert_array_equal(labels.compute(), model.predict(X))
    np.testing.assert_allclose(model.transform(Xd).compute(), model.transform(X), rtol=1e-12)
    w = _weights(len(X))
    assert model.score(Xd, sample_weight=w) == pytest.approx(model.score(X, sample_weight=w))


def test_fit_predict_and_labels_stay_lazy():
    X = blobs(n=300, d=2, k=3, seed=0)
    model = KMeans(3, random_state=0)
    labels = model.fit_predict(_dask(X, 100))
    assert isinstance(labels, da.Array) and isinstance(model.labels_, da.Array)
    assert labels.dtype == np.int32
    np.testing.assert_array_equal(labels.compute(), KMeans(3, random_state=0).fit_predict(X))


def test_dataframe_of_numeric_columns_and_float32_kept():
    X = blobs(n=300, d=2, k=3, seed=0).astype(np.float32)
    frame = dd.from_pandas(pd.DataFrame(X, columns=["a", "b"]), npartitions=3)
    model = KMeans(3, random_state=0).fit(frame)
    assert model.cluster_centers_.dtype == np.float32
    assert model.labels_.compute().shape == (300,)
    np.testing.assert_array_equal(
        model.predict(frame).compute(), KMeans(3, random_state=0).fit(X).labels_
    )


def test_labels_can_be_written_to_parquet(tmp_path):
    X = blobs(n=250, d=2, k=3, seed=0)
    model = KMeans(3, random_state=0).fit(_dask(X, 60))
    path = write_labels(model.labels_, str(tmp_path / "labels"))
    back = pd.read_parquet(path)
    np.testing.assert_array_equal(back["label"].to_numpy(), model.labels_.compute())


def test_elbow_sweep_on_dask_matches_in_memory():
    X = blobs(n=300, d=2, k=4, seed=3)
    ref = elbow_sweep(X, [2, 3, 4], n_init=2, random_state=0)
    ours = elbow_sweep(_dask(X, 80), [2, 3, 4], n_init=2, random_state=0)
    np.testing.assert_allclose(ours.inertia_runs, ref.inertia_runs, rtol=1e-10)
    np.testing.assert_array_equal(ours.n_iter_runs, ref.n_iter_runs)
    np.testing.assert_array_equal(ours.labels.compute(), ref.labels)


# -- errors a data engineer can act on ------------------------------------------------


def test_nan_names_the_block_and_its_rows():
    X = blobs(n=300, d=2, k=3, seed=0)
    X[205, 1] = np.nan
    with pytest.raises(ValueError, match=r"block 2 \(rows 200 to 299\)"):
        KMeans(3).fit(_dask(X, 100))


def test_unknown_chunk_sizes_say_what_to_call():
    Xd = _dask(blobs(n=300, d=2, k=3, seed=0), 100)
    filtered = Xd[Xd[:, 0] > -1e9]
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        KMeans(3).fit(filtered)


def test_non_numeric_columns_are_named():
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "city": ["a", "b", "c", "d"]})
    with pytest.raises(NonNumericDataError, match="'city'"):
        KMeans(2).fit(dd.from_pandas(frame, npartitions=2))


def test_bad_weights_and_parameters_are_reported():
    Xd = _dask(blobs(n=100, d=2, k=3, seed=0), 30)
    w = np.ones(100)
    w[50] = -1
    with pytest.raises(ValueError, match="block 1"):
        KMeans(3).fit(Xd, sample_weight=w)
    with pytest.raises(ValueError, match="at most 100"):
        KMeans(101).fit(Xd)
    with pytest.raises(ValueError, match="k-means\\|\\|"):
        KMeans(3, init="kmeans").fit(Xd)
    with pytest.raises(ValueError, match="expecting 2 features"):
        KMeans(3).fit(Xd).predict(da.ones((5, 3), chunks=5))


def test_estimator_conventions_hold_for_dask_input():
    from sklearn.base import clone

    from kmeans_core import NotFittedError

    X = blobs(n=200, d=3, k=3, seed=0)
    Xd = _dask(X, 64)
    model = KMeans(3, random_state=0)
    with pytest.raises(NotFittedError):
        model.predict(Xd)
    assert model.fit(Xd) is model
    assert model.n_features_in_ == 3 and model.cluster_centers_.shape == (3, 3)
    assert clone(model).get_params() == model.get_params()
    distances = KMeans(3, random_state=0).fit_transform(Xd)
    assert isinstance(distances, da.Array) and distances.shape == (200, 3)
    np.testing.assert_allclose(distances.compute(), model.transform(X), rtol=1e-12)
    with pytest.raises(ValueError, match="2-D"):
        KMeans(2).fit(da.ones(10, chunks=5))
    with pytest.raises(ValueError, match="empty"):
        KMeans(2).fit(da.ones((0, 2), chunks=5))
    with pytest.raises(ValueError, match="Lloyd"):
        KMeans(2, algorithm="elkan").fit(Xd)


def test_labels_are_written_with_row_numbers_to_join_on(tmp_path):
    X = blobs(n=250, d=2, k=3, seed=0)
    model = KMeans(3, random_state=0).fit(_dask(X, 60))
    path = write_labels(model.labels_, str(tmp_path / "labels"), row_column="row", first_row=1)
    back = pd.read_parquet(path)
    assert list(back.columns) == ["row", "label"]
    np.testing.assert_array_equal(back["row"].to_numpy(), np.arange(1, 251))
    np.testing.assert_array_equal(back["label"].to_numpy(), model.labels_.compute())
