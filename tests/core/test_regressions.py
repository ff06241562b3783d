"""Regression tests for the four defects found by the differential test (issue 12)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans as SkKMeans

from kmeans_core import KMeans, lloyd_steps
from kmeans_core._kernels import IncrementalSums, assign_and_accumulate
from kmeans_core.lloyd import centre

# -- 1. duplicate initial centers: ties go to the first copy -------------------------


@pytest.mark.parametrize("seed", range(3))
def test_ties_between_duplicate_centers_go_to_the_first_copy(seed):
    # Two copies of one center give two GEMM rows that can differ in the last bit;
    # the label must be the first copy's (scikit-learn's strict '<' loop).
    # Before the fix 20 of these 300 cases labelled some point with the second copy.
    r = np.random.RandomState(seed)
    for _ in range(100):
        n, d, k = r.randint(3, 50), r.randint(1, 20), r.randint(2, 10)
        X = r.randint(-5, 6, size=(n, d)).astype(float)
        C = X[r.choice(n, k)].copy()
        j = r.randint(1, k)
        C[j] = C[j - 1]
        data = centre(X, 0.0)
        labels, *_ = assign_and_accumulate(
            data.Xc, C - data.mean, np.ones(n), data.x_sq_norms, accumulate=False
        )
        first = np.array([np.flatnonzero((C[i] == C).all(axis=1))[0] for i in range(k)])
        np.testing.assert_array_equal(labels, first[labels])


def test_issue_example_3x8_duplicate_init_rows():
    # The issue's example: its first assignment is [0 1 1] (before the fix the
    # GEMM could send points to the copy, cluster 2).  The remaining difference
    # from scikit-learn is the documented degenerate case: cluster 2 is empty and
    # takes point 0, the only point of cluster 0, which is left with no weight.
    # Ours keeps cluster 0's center; scikit-learn copies the running sums of its
    # heaviest cluster there (not yet divided by its weight), so point 2 goes to
    # cluster 0 in its final labelling: [2 1 0].
    X = np.array(
        [[0, 3, 4, 0, -5, -5, -4, 2], [1, 4, -3, -1, 0, -3, -1, 5], [-3, -1, 2, 2, 4, -4, 2, -5]],
        dtype=float,
    )
    init = np.array(
        [[1, 4, 4, 2, 1, 4, -4, -5], [-4, 3, 3, -2, 5, 4, 3, 2], [-4, 3, 3, -2, 5, 4, 3, 2]]
    )
    steps = list(lloyd_steps(X, init, max_iter=1))
    np.testing.assert_array_equal(steps[0].labels, [0, 1, 1])
    assert steps[1].relocated == (2,)
    np.testing.assert_array_equal(steps[-1].labels, [2, 1, 1])
    np.testing.assert_allclose(steps[1].centers[0], init[0], atol=1e-15)


# -- 2. carried cluster sums: light points next to heavy ones ------------------------


def test_heavy_points_leaving_do_not_wash_out_the_light_ones():
    # 100 weight-1 points in [0, 1] share cluster 0 with two points of weight 1e14
    # at +5 and -5 for one iteration; then the heavy points leave for clusters 1
    # and 2.  Moving them out of the carried sums left a rounding residue of
    # ~1e14 * 5 * 2**-52 ~ 0.1 in a sum of ~47: the center ended 5e-4 off.
    r = np.random.RandomState(0)
    X = np.concatenate(
        [r.uniform(0, 1, 100), r.uniform(7.5, 8.5, 20), r.uniform(-8.5, -7.5, 20), [5.0, -5.0]]
    )[:, None]
    w = np.ones(X.shape[0])
    w[-2:] = 1e14
    init = np.array([[0.5], [12.0], [-12.0]])
    ours = KMeans(3, init=init, n_init=1, tol=0).fit(X, sample_weight=w)
    theirs = SkKMeans(3, init=init, n_init=1, tol=0).fit(X, sample_weight=w)
    assert ours.cluster_centers_[0, 0] == pytest.approx(X[:100].mean(), rel=1e-13)
    np.testing.assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, rtol=1e-13)
    assert ours.n_iter_ == theirs.n_iter_


def test_cluster_left_with_only_zero_weight_rows_has_exactly_zero_weight():
    # 0.1 + 0.2 + 0.3 - 0.1 - 0.2 - 0.3 is 5.6e-17 in floating point: a cluster
    # keeping that weight is not "empty" and escapes relocation.
    X = np.array([0.0] * 20 + [4.0, 4.1, 4.2])[:, None]
    w = np.array([0.0] * 20 + [0.1, 0.2, 0.3])
    state = IncrementalSums()
    x_sq = X[:, 0] ** 2
    assign_and_accumulate(X, np.array([[0.0], [100.0]]), w, x_sq, state=state)
    labels, _, sums, weights = assign_and_accumulate(
        X, np.array([[0.0], [5.0]]), w, x_sq, state=state
    )
    np.testing.assert_array_equal(labels, [0] * 20 + [1] * 3)
    assert state.n_changed == 3
    assert weights[0] == 0.0 and sums[0, 0] == 0.0
    assert weights[1] == pytest.approx(0.6) and sums[1, 0] == pytest.approx(2.48)


# -- 3. n_iter_ at tol=0 after a relocation ------------------------------------------


def test_n_iter_at_tol_zero_after_a_relocation_matches_sklearn():
    # Init rows 0 and 1 are the same point: cluster 1 is empty after the first
    # assignment and takes a far point.  The next assignment moved that point in
    # the carried sums with the relocation's own arithmetic, so the centers came
    # out bit-identical, the shift was exactly 0 <= tol and the run stopped at 2;
    # scikit-learn sums afresh, sees a tiny shift and stops at 3 on unchanged labels.
    X = np.array(
        [
            [1.6243453636632417, -0.6117564136500754],
            [-0.5281717522634557, -1.0729686221561705],
            [0.8654076293246785, -2.3015386968802827],
            [1.74481176421648, -0.7612069008951028],
        ]
    )
    init = X[[0, 0, 1]]
    ours = KMeans(3, init=init, n_init=1, tol=0).fit(X)
    theirs = SkKMeans(3, init=init, n_init=1, tol=0).fit(X)
    assert ours.n_iter_ == theirs.n_iter_ == 3
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)


# -- 4. predict / transform do not centre on the training mean ----------------------


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_predict_and_transform_with_a_far_outlier_in_training():
    # The training mean is 3.3e9: centring new points near 0 on it leaves
    # ||x||^2 ~ 1e19, whose rounding (~2e3) swamps distances of order 1.
    X = np.array([[0.0], [1.0], [1e10]])
    ours = KMeans(3, random_state=0).fit(X)
    theirs = SkKMeans(3, random_state=0).fit(X)
    np.testing.assert_array_equal(ours.cluster_centers_, theirs.cluster_centers_)
    new = np.array([[0.0], [1.0], [0.25]])
    np.testing.assert_array_equal(ours.predict(new), theirs.predict(new))
    explicit = np.abs(new - ours.cluster_centers_.T)
    np.testing.assert_allclose(ours.transform(new), explicit, rtol=1e-12)
    assert ours.score(new) == pytest.approx(-(0.0 + 0.0 + 0.25**2))
