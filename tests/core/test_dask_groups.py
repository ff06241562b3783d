"""kmeans_core on Dask: small blocks joined into tasks, the pass graphs, and the errors
and warnings a data engineer gets (the parity tests are in test_dask.py)."""

from __future__ import annotations

import warnings

import dask
import dask.array as da
import numpy as np
import pytest

from kmeans_core import DistinctClustersWarning, KMeans, dask_data
from kmeans_core.dask_data import block_groups, prepare
from tests.core.conftest import blobs, rows


def _dask(X, chunk_rows):
    return da.from_array(X, chunks=(chunk_rows, X.shape[1]))


# -- joining small blocks ------------------------------------------------------------


def test_small_blocks_are_joined_until_each_task_has_enough_bytes():
    # 16 bytes per row: 10 rows = 160 bytes; at least 400 bytes (25 rows) per task.
    assert block_groups([10] * 7, 16, 400) == ((0, 3), (3, 7))  # the tail of 1 joins
    assert block_groups([30, 5, 30], 16, 400) == ((0, 1), (1, 3))
    assert block_groups([10, 10], 16, 400) == ((0, 2),)  # too small for two: one task
    assert block_groups([10, 10, 10], 16, 0) == ((0, 1), (1, 2), (2, 3))  # 0: no joining
    assert block_groups([], 16, 400) == ()


def test_default_joins_tiny_blocks_but_not_big_ones():
    tiny = prepare(_dask(np.zeros((1000, 2)), 10))  # 100 blocks of 160 bytes
    assert tiny.task_groups() == ((0, 100),)
    big = prepare(da.zeros((3 * 2**18, 2), chunks=(2**18, 2)))  # 4 MiB blocks
    assert big.task_groups() == ((0, 1), (1, 2), (2, 3))


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_joined_blocks_give_the_in_memory_fit(monkeypatch, weighted, dtype):
    # Blocks of 7 rows joined into tasks of >= 96 rows (uneven: 7 does not divide 96).
    monkeypatch.setattr(dask_data, "MIN_GROUP_BYTES", 96 * 3 * np.dtype(dtype).itemsize)
    X = blobs(n=500, d=3, k=5, seed=4).astype(dtype)
    w = np.random.RandomState(1).uniform(0.2, 3.0, len(X)) if weighted else None
    init = rows(X, 5, seed=2)
    ref = KMeans(5, init=init, n_init=1, tol=0).fit(X, sample_weight=w)
    ours = KMeans(5, init=init, n_init=1, tol=0).fit(_dask(X, 7), sample_weight=w)
    assert len(prepare(_dask(X, 7)).task_groups()) == 5
    np.testing.assert_array_equal(ours.labels_.compute(), ref.labels_)
    assert ours.labels_.chunks == ((7,) * 71 + (3,),)  # labels chunked as X's rows
    rtol = 1e-10 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=rtol)
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=rtol)
    assert ours.n_iter_ == ref.n_iter_


def test_relocation_works_across_joined_blocks(monkeypatch):
    monkeypatch.setattr(dask_data, "MIN_GROUP_BYTES", 64 * 16)
    X = blobs(n=300, d=2, k=3, seed=1)
    init = np.vstack([rows(X, 2, seed=0), [[1e3, 1e3]]])
    ref = KMeans(3, init=init, n_init=1).fit(X)
    ours = KMeans(3, init=init, n_init=1).fit(_dask(X, 10))
    assert ours.history_[1].relocated == ref.history_[1].relocated == (2,)
    np.testing.assert_array_equal(ours.labels_.compute(), ref.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=1e-10)


def test_each_iteration_runs_one_task_per_group_in_few_scheduler_calls(monkeypatch):
    from kmeans_core import dask_lloyd

    monkeypatch.setattr(dask_data, "MIN_GROUP_BYTES", 100 * 16)
    X = blobs(n=1000, d=2, k=4, seed=0)
    Xd = _dask(X, 50)  # 20 blocks -> 10 tasks
    calls, runs = [], []
    assign = dask_lloyd._assign_group

    def counted_assign(*args):
        runs.append(sum(len(x) for x in args[0]))
        return assign(*args)

    def counting_get(graph, keys, **kwargs):
        calls.append(keys)
        return dask.get(graph, keys, **kwargs)

    monkeypatch.setattr(dask_lloyd, "_assign_group", counted_assign)
    with dask.config.set(scheduler=counting_get):
        model = KMeans(4, init=rows(X, 4, seed=0), n_init=1, tol=0, max_iter=3).fit(Xd)
    assert model.n_iter_ == 3
    assert runs == [100] * 30  # every row read once per iteration, 100 rows a task
    # preparation, per iteration one pass and the combined sums, the final pass
    assert len(calls) <= 1 + 2 * 3 + 1


# -- errors and warnings -------------------------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_names_its_block_even_inside_a_joined_task(bad):
    X = blobs(n=300, d=2, k=3, seed=0)
    X[205, 1] = bad
    with pytest.raises(ValueError, match=r"NaN or infinity in block 20 \(rows 200 to 209\)"):
        KMeans(3).fit(_dask(X, 10))  # all 30 blocks in one task


def test_plus_and_minus_infinity_in_one_column_is_found():
    X = blobs(n=100, d=2, k=3, seed=0)
    X[3, 0], X[4, 0] = np.inf, -np.inf  # the column sum is NaN, not inf
    with pytest.raises(ValueError, match="block 0"):
        KMeans(3).fit(_dask(X, 50))


def test_values_whose_sum_overflows_are_too_large_not_nan():
    X = np.full((40, 2), 1e307)
    with pytest.raises(ValueError, match="too large"):
        KMeans(2).fit(_dask(X, 10))


def test_a_cluster_that_cannot_be_reached_warns_as_in_memory():
    # Three distinct points, four clusters: one cluster can never get a point.
    X = np.repeat(np.array([[0.0, 0.0], [5.0, 5.0], [9.0, 0.0]]), 40, axis=0)
    init = np.array([[0.0, 0.0], [5.0, 5.0], [9.0, 0.0], [50.0, 50.0]])
    with pytest.warns(DistinctClustersWarning, match="3 distinct"):
        KMeans(4, init=init, n_init=1).fit(X)
    match = r"\(3\).*cluster\(s\) 3 could not be reached.*n_clusters <= 3"
    with pytest.warns(DistinctClustersWarning, match=match):
        model = KMeans(4, init=init, n_init=1).fit(_dask(X, 25))
    assert np.bincount(model.labels_.compute(), minlength=4)[3] == 0


@pytest.mark.parametrize("max_iter", [1, 300])  # final labelling pass / labels unchanged
def test_no_warning_when_every_cluster_has_points(max_iter):
    X = blobs(n=200, d=2, k=3, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DistinctClustersWarning)
        KMeans(3, init=rows(X, 3, seed=0), n_init=1, max_iter=max_iter).fit(_dask(X, 30))


def test_k_larger_than_the_rows_is_refused_before_any_pass():
    with pytest.raises(ValueError, match="at most 20"):
        KMeans(21).fit(_dask(np.zeros((20, 2)), 5))


def test_joined_blocks_on_a_local_cluster_give_the_threaded_fit(monkeypatch):
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(dask_data, "MIN_GROUP_BYTES", 50 * 24)
    X = blobs(n=600, d=3, k=4, seed=3)
    w = np.random.RandomState(2).uniform(0.5, 2.0, len(X))
    Xd = _dask(X, 20)  # 30 blocks of 20 rows, joined 3 to a task
    init = rows(X, 4, seed=1)
    threaded = KMeans(4, init=init, n_init=1, tol=0).fit(Xd, sample_weight=w)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        on_cluster = KMeans(4, init=init, n_init=1, tol=0).fit(Xd, sample_weight=w)
        labels = on_cluster.labels_.compute()
    np.testing.assert_array_equal(on_cluster.cluster_centers_, threaded.cluster_centers_)
    assert on_cluster.inertia_ == threaded.inertia_
    np.testing.assert_array_equal(labels, threaded.labels_.compute())
