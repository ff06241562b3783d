"""algorithm="tree": Kanungo's filtering on a Z-order quadtree gives Lloyd's labels."""

from __future__ import annotations

import gc
import warnings
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import KMeans as SkKMeans

from kmeans_core import KMeans, lloyd_steps, zorder
from kmeans_core.bounds import make_assigner
from kmeans_core.lloyd import centre
from kmeans_core.tree import TreeAssigner, tree_pays
from kmeans_core.zorder import PointTree, concat_ranges, grid_bits, morton_codes, tree_for
from tests.core.conftest import blobs, normal, rows


def _steps(X, init, algorithm, **kw):
    return list(lloyd_steps(X, init, algorithm=algorithm, **kw))


def _assert_same_run(lloyd, tree, rtol, inertia_abs=1e-9):
    assert len(lloyd) == len(tree)
    for a, b in zip(lloyd, tree, strict=True):
        assert (a.iteration, a.phase, a.n_changed, a.relocated) == (
            b.iteration,
            b.phase,
            b.n_changed,
            b.relocated,
        )
        np.testing.assert_array_equal(a.labels, b.labels)
        # The sums are added in another order (per cell): centers agree to rounding.
        np.testing.assert_allclose(b.centers, a.centers, rtol=rtol, atol=rtol)
        assert b.inertia == pytest.approx(a.inertia, rel=max(rtol, 1e-9), abs=inertia_abs)


# -- hand-computed cases -----------------------------------------------------------------


def test_morton_codes_interleave_the_cell_bits_by_hand():
    # A 2 x 2 grid (1 bit per feature): x's bit is bit 0 of the code, y's is bit 1.
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.2, 0.9]])
    np.testing.assert_array_equal(morton_codes(X, 1), [0, 1, 2, 3, 0])
    # 2 bits per feature: cell (x=2, y=1) -> x bits 0,1 at code bits 0,2; y bits at 1,3.
    X = np.array([[0.0, 0.0], [2.0, 1.0], [3.0, 3.0]])
    np.testing.assert_array_equal(morton_codes(X, 2), [0, 0b0110, 0b1111])


def test_concat_ranges_equals_the_loop():
    starts, stops = np.array([3, 10, 10, 20]), np.array([6, 10, 12, 21])
    expected = np.concatenate([np.arange(a, b) for a, b in zip(starts, stops, strict=True)])
    np.testing.assert_array_equal(concat_ranges(starts, stops), expected)
    assert concat_ranges(np.array([4]), np.array([4])).size == 0


def test_grid_bits_keep_the_codes_in_16_bits():
    assert grid_bits(1_000_000, 2) == 8
    assert grid_bits(1_000_000, 1) == 16
    assert grid_bits(100, 2) == 2  # about 4 points per cell
    for d in range(1, 9):
        assert 1 <= grid_bits(10**7, d) * d <= 16


def test_two_clusters_on_a_line_by_hand():
    # 1-D: points 0, 1, 2 | 10, 11, 12 and centers 1 and 11: every cell is on one side.
    X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    steps = _steps(X, np.array([[1.0], [11.0]]), "tree", tol=0)
    assert steps[0].labels.tolist() == [0, 0, 0, 1, 1, 1]
    assert steps[0].inertia == pytest.approx(4.0)  # 1 + 0 + 1, twice
    np.testing.assert_allclose(steps[-1].centers, [[1.0], [11.0]])


# -- the tree's invariants ---------------------------------------------------------------


def test_point_tree_cells_hold_their_points():
    X = blobs(n=3000, d=2, k=4, seed=0)
    w = np.random.RandomState(0).uniform(0.0, 2.0, X.shape[0])
    tree = PointTree(X, w)
    Xs = X[tree.order]
    assert sorted(tree.order.tolist()) == list(range(X.shape[0]))
    # The leaves tile the sorted positions in order.
    leaves = slice(0, tree.n_leaves)
    assert tree.start[0] == 0 and tree.stop[tree.n_leaves - 1] == X.shape[0]
    np.testing.assert_array_equal(tree.start[leaves][1:], tree.stop[leaves][:-1])
    for node in [0, tree.n_leaves // 2, tree.n_leaves, tree.start.size - 1]:
        pts = Xs[tree.start[node] : tree.stop[node]]
        ws = w[tree.order][tree.start[node] : tree.stop[node]]
        lo, hi = tree.middle[node] - tree.half[node], tree.middle[node] + tree.half[node]
        assert (pts >= lo - 1e-12).all() and (pts <= hi + 1e-12).all()
        assert tree.weight[node] == pytest.approx(ws.sum())
        np.testing.assert_allclose(tree.wsum[node], (pts * ws[:, None]).sum(axis=0), atol=1e-9)
        assert tree.sq[node] == pytest.approx((ws * (pts**2).sum(axis=1)).sum())
    # The top cells cover everything.
    assert tree.weight[tree.top].sum() == pytest.approx(w.sum())
    assert tree.top.size <= 256


def test_one_tree_per_fit_and_freed_with_the_data():
    X = np.ascontiguousarray(blobs(n=500, d=2, k=3, seed=1))
    w = np.ones(X.shape[0])
    first = tree_for(X, w)
    assert tree_for(X, w) is first  # the n_init runs share it
    assert tree_for(X, w.copy()) is not first
    del X
    gc.collect()
    assert zorder._cache is None  # the sorted copy of X goes with X


# -- the same run as Lloyd -----------------------------------------------------------------


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_every_step_equals_lloyds(d, dtype):
    X = blobs(n=4000, d=d, k=6, seed=d, std=2.5).astype(dtype)
    w = np.random.RandomState(1).uniform(0.5, 2.0, X.shape[0])
    init = rows(X, 6, seed=2)
    lloyd = _steps(X, init, "lloyd", sample_weight=w, tol=0)
    tree = _steps(X, init, "tree", sample_weight=w, tol=0)
    assert len(lloyd) > 6
    _assert_same_run(lloyd, tree, rtol=1e-4 if dtype == np.float32 else 1e-11)


def test_most_distances_are_skipped_on_blobs():
    X = blobs(n=20000, d=2, k=8, seed=3, std=1.0)
    steps = _steps(X, rows(X, 8, seed=1), "tree", tol=0)
    skipped = [s.distances_skipped for s in steps if s.phase == "assign"]
    assert all(0.0 <= s <= 1.0 for s in skipped)
    assert min(skipped) > 0.5  # from the first iteration: no warm-up, unlike the bounds


def test_duplicate_centers_and_relocation_with_the_tree():
    X = normal(n=600, d=2, seed=2)
    init = rows(X, 5, seed=3)
    init[3] = init[1]  # ties go to the first copy; the second copy's cluster empties
    lloyd = _steps(X, init, "lloyd", tol=0)
    tree = _steps(X, init, "tree", tol=0)
    assert any(s.relocated for s in lloyd)
    _assert_same_run(lloyd, tree, rtol=1e-11)


def test_exact_ties_on_an_integer_grid():
    # Points on a grid, centers placed so that many points are equidistant to two.
    g = np.arange(40.0)
    X = np.array(np.meshgrid(g, g)).reshape(2, -1).T.copy()
    init = np.array([[10.0, 10.0], [20.0, 10.0], [10.0, 20.0], [30.0, 30.0]])
    _assert_same_run(_steps(X, init, "lloyd", tol=0), _steps(X, init, "tree", tol=0), 1e-11)


def test_zero_weights_constant_data_and_a_single_point():
    X = blobs(n=1000, d=2, k=3, seed=4)
    w = np.where(np.arange(1000) % 3 == 0, 0.0, 1.0)
    init = rows(X, 3, seed=0)
    kw = dict(sample_weight=w, tol=0)
    _assert_same_run(_steps(X, init, "lloyd", **kw), _steps(X, init, "tree", **kw), 1e-11)
    X = np.full((50, 2), 3.0)
    _assert_same_run(_steps(X, X[:2], "lloyd"), _steps(X, X[:2], "tree"), 1e-11)
    X = np.array([[1.0, 2.0]])
    _assert_same_run(_steps(X, X, "lloyd"), _steps(X, X, "tree"), 1e-11)


def test_far_outliers_do_not_stretch_the_grid():
    X = blobs(n=20000, d=2, k=6, seed=5, std=1.0)
    X[:3] = [[1e7, 0.0], [0.0, -1e7], [5e6, 5e6]]
    tree = PointTree(X, np.ones(X.shape[0]))
    # The bulk still spreads over many cells (not one cell for all but the outliers).
    sizes = tree.stop[: tree.n_leaves] - tree.start[: tree.n_leaves]
    assert tree.n_leaves > 1000 and sizes.max() < 200
    init = rows(X[3:], 6, seed=0)
    lloyd, tree_run = _steps(X, init, "lloyd", tol=0), _steps(X, init, "tree", tol=0)
    _assert_same_run(lloyd, tree_run, rtol=1e-11, inertia_abs=1e-3)
    assert min(s.distances_skipped for s in tree_run if s.phase == "assign") > 0.5


def test_falls_back_to_lloyds_kernel_when_most_points_straddle(monkeypatch):
    monkeypatch.setattr("kmeans_core.tree.FALLBACK_SHARE", 0.0)
    X = blobs(n=3000, d=2, k=5, seed=2, std=2.0)
    init = rows(X, 5, seed=1)
    init[4] = init[2]  # and a relocation on the way
    lloyd, tree = _steps(X, init, "lloyd", tol=0), _steps(X, init, "tree", tol=0)
    skipped = [s.distances_skipped for s in tree if s.phase == "assign"]
    assert skipped[0] > 0 and all(s == 0.0 for s in skipped[1:])  # Lloyd from the 2nd call
    _assert_same_run(lloyd, tree, rtol=1e-11)


@pytest.mark.parametrize("seed", range(3))
def test_estimator_matches_sklearn(seed):
    X = blobs(n=5000, d=2, k=7, seed=seed, std=3.0)
    w = np.random.RandomState(seed).uniform(0.2, 3.0, X.shape[0]) if seed else None
    ours = KMeans(7, algorithm="tree", random_state=seed, tol=0).fit(X, sample_weight=w)
    theirs = SkKMeans(7, random_state=seed, tol=0).fit(X, sample_weight=w)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, rtol=1e-10)
    assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=1e-10)


def test_restarts_share_one_tree_and_keep_the_best():
    X = blobs(n=3000, d=2, k=5, seed=6, std=2.0)
    a = KMeans(5, init="random", n_init=5, random_state=0, algorithm="lloyd").fit(X)
    b = KMeans(5, init="random", n_init=5, random_state=0, algorithm="tree").fit(X)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.inertia_ == pytest.approx(b.inertia_, rel=1e-12)
    gc.collect()
    assert zorder._cache is None  # the fit's centred X is gone, and its tree with it


def _tied(X, centers) -> bool:
    """Some point equidistant (up to rounding) from its two nearest centers."""
    d2 = ((X[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
    if d2.shape[1] < 2:
        return False
    two = np.sort(d2, axis=1)[:, :2]
    scale = (X**2).sum(axis=1) + (centers**2).sum(axis=1).max()
    return bool((two[:, 1] - two[:, 0] <= 1e-9 * scale).any())


def _nearest_everywhere(X, step) -> None:
    d2 = ((X[:, None, :] - step.centers[None, :, :]) ** 2).sum(axis=2)
    own = d2[np.arange(X.shape[0]), step.labels]
    scale = (X**2).sum(axis=1) + (step.centers**2).sum(axis=1).max()
    assert (own <= d2.min(axis=1) + 1e-9 * scale).all()


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 400),
    d=st.integers(1, 4),
    k=st.integers(1, 9),
    seed=st.integers(0, 2**31 - 1),
    spread=st.sampled_from([1e-3, 1.0, 1e4]),
    rounded=st.booleans(),
)
def test_property_same_run_as_lloyd(n, d, k, seed, spread, rounded):
    """Lloyd's run, step for step; with exact ties, still a valid Lloyd run.

    A point equidistant from two centers in exact arithmetic (or an emptied cluster
    choosing among equally far points) goes where the centers' last bits send it,
    and the tree adds its sums in another order: there the runs may part ways.
    """
    r = np.random.RandomState(seed)
    X = r.normal(size=(n, d)) * spread + r.normal(size=d) * 10 * spread
    if rounded:  # repeated values and exact ties
        X = np.round(X / spread) * spread
    k = min(k, n)
    init = X[r.choice(n, k, replace=False)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lloyd = _steps(X, init, "lloyd", tol=0)
        tree = _steps(X, init, "tree", tol=0)
    ties = any(s.relocated or (s.phase == "assign" and _tied(X, s.centers)) for s in lloyd)
    if not ties:
        # An inertia of ~0 is rounding of ||x||^2 - 2 x.c + ||c||^2 at the scale of ||x||^2.
        Xc = X - X.mean(axis=0)
        _assert_same_run(lloyd, tree, rtol=1e-9, inertia_abs=1e-12 * float((Xc**2).sum()) + 1e-9)
        return
    Xc = X - X.mean(axis=0)
    offset = X.mean(axis=0)
    for step in tree:
        if step.phase == "assign":
            _nearest_everywhere(Xc, replace(step, centers=step.centers - offset))


# -- choosing it ---------------------------------------------------------------------------


def test_auto_takes_the_tree_only_where_it_measured_faster():
    assert tree_pays(np.empty((300_000, 2)))
    assert tree_pays(np.empty((100_000, 1)))
    assert not tree_pays(np.empty((299_999, 2)))
    assert not tree_pays(np.empty((1_000_000, 3)))  # the 16-bit grid is too coarse
    data = centre(blobs(n=2000, d=2, k=3, seed=0), 1e-4)
    w = np.ones(2000)
    assert not isinstance(make_assigner("auto", data.Xc, w, data.x_sq_norms), TreeAssigner)
    assert isinstance(make_assigner("tree", data.Xc, w, data.x_sq_norms), TreeAssigner)


def test_too_many_features_for_the_tree_is_a_clear_error():
    X = normal(n=50, d=9, seed=0)
    with pytest.raises(ValueError, match='algorithm="tree" is for at most 8 features'):
        KMeans(2, algorithm="tree").fit(X)
