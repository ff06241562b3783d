"""The step generator's records: phases, counts, shifts, inertia and stop reasons."""

from __future__ import annotations

import numpy as np
import pytest

from kmeans_core import KMeans, LloydStep, lloyd_steps, tolerance
from kmeans_core.lloyd import centre
from tests.core.conftest import blobs, normal, rows


def _sq_dists(X, C):
    return ((X[:, None, :] - C[None, :, :]) ** 2).sum(axis=2)


def _explicit(X, w, C, labels):
    return float((((X - C[labels]) ** 2).sum(axis=1) * w).sum())


@pytest.fixture(scope="module")
def run():
    X = normal(n=250, d=3, seed=3)
    w = np.random.RandomState(2).uniform(0.5, 2.0, X.shape[0])
    init = rows(X, 5, seed=4)
    return X, w, init, list(lloyd_steps(X, init, sample_weight=w, tol=0))


def test_phases_and_iterations(run):
    X, _, _, steps = run
    assert all(isinstance(s, LloydStep) for s in steps)
    n_iter = steps[-1].iteration
    assert n_iter > 3
    expected = [(i, p) for i in range(1, n_iter + 1) for p in ("assign", "update")]
    assert [(s.iteration, s.phase) for s in steps] == expected
    assert steps[-1].stop_reason == "labels unchanged"
    assert steps[0].n_changed == X.shape[0]
    assert steps[-2].n_changed == 0
    assert all(s.n_changed > 0 for s in steps[2:-2:2])


def test_assign_steps_label_nearest_and_keep_centers(run):
    X, w, init, steps = run
    prev_centers = init
    prev_labels = None
    for s in steps:
        if s.phase == "assign":
            np.testing.assert_array_equal(s.centers, prev_centers)
            np.testing.assert_array_equal(s.labels, _sq_dists(X, s.centers).argmin(axis=1))
            assert s.labels.dtype == np.int32
            if prev_labels is not None:
                assert s.n_changed == int((s.labels != prev_labels).sum())
            prev_labels = s.labels
            np.testing.assert_array_equal(s.center_shifts, 0.0)
        assert s.inertia == pytest.approx(_explicit(X, w, s.centers, s.labels), rel=1e-9)
        prev_centers = s.centers


def test_update_steps_move_centers_to_weighted_means(run):
    X, w, _, steps = run
    for a, u in zip(steps[0::2], steps[1::2], strict=True):
        assert u.phase == "update"
        np.testing.assert_array_equal(u.labels, a.labels)
        for k in range(u.centers.shape[0]):
            members = a.labels == k
            mean = (X[members] * w[members, None]).sum(axis=0) / w[members].sum()
            np.testing.assert_allclose(u.centers[k], mean, rtol=1e-10, atol=1e-12)
        shifts = np.linalg.norm(u.centers - a.centers, axis=1)
        np.testing.assert_allclose(u.center_shifts, shifts, rtol=1e-10, atol=1e-12)
        assert u.center_shift_total == pytest.approx((shifts**2).sum(), rel=1e-10, abs=1e-15)
        assert u.inertia <= a.inertia * (1 + 1e-12)


def test_records_do_not_share_center_arrays(run):
    _, _, init, steps = run
    assert not np.shares_memory(steps[0].centers, steps[1].centers)
    init_copy = init.copy()
    list(lloyd_steps(normal(n=250, d=3, seed=3), init))
    np.testing.assert_array_equal(init, init_copy)  # the caller's centers are untouched


def test_stop_on_tolerance():
    X = blobs(n=300, k=4, seed=1, std=2.0)
    init = rows(X, 4, seed=0)
    steps = list(lloyd_steps(X, init, tol=0.05))
    last = steps[-1]
    assert last.stop_reason == "center shift below tol"
    assert last.phase == "assign"
    update = steps[-2]
    assert update.phase == "update" and update.iteration == last.iteration
    assert update.center_shift_total <= tolerance(X, 0.05)
    earlier = [s.center_shift_total for s in steps[1:-2:2]]
    assert all(t > tolerance(X, 0.05) for t in earlier)
    # The final assign step labels the points for the final centers.
    np.testing.assert_array_equal(last.centers, update.centers)
    np.testing.assert_array_equal(last.labels, _sq_dists(X, last.centers).argmin(axis=1))
    assert last.n_changed == int((last.labels != steps[-3].labels).sum())


def test_stop_on_max_iter():
    X = normal(n=200, d=2, seed=0)
    steps = list(lloyd_steps(X, rows(X, 6, seed=1), max_iter=2, tol=0))
    assert [(s.iteration, s.phase) for s in steps] == [
        (1, "assign"),
        (1, "update"),
        (2, "assign"),
        (2, "update"),
        (2, "assign"),
    ]
    assert steps[-1].stop_reason == "max_iter reached"
    assert [s.stop_reason for s in steps[:-1]] == [None] * 4


def test_tolerance_is_scaled_by_mean_variance():
    X = np.array([[0.0, 0.0], [2.0, 4.0], [4.0, 8.0]])
    # var per feature: 8/3 and 32/3 -> mean 20/3
    assert tolerance(X, 1e-2) == pytest.approx(20 / 3 * 1e-2)
    assert tolerance(X, 0) == 0.0


def test_coordinates_are_those_of_x_and_dtype_kept():
    X = blobs(n=200, k=3, seed=2) + 1000.0
    init = rows(X, 3, seed=0)
    steps = list(lloyd_steps(X.astype(np.float32), init))
    assert all(s.centers.dtype == np.float32 for s in steps)
    np.testing.assert_allclose(steps[0].centers, init, rtol=1e-6)
    assert steps[-1].centers.mean() > 900  # not mean-centred


def test_same_as_estimator_for_float32_and_weights():
    X = blobs(n=300, d=3, k=4, seed=6).astype(np.float32)
    w = np.random.RandomState(0).uniform(0.1, 3, 300)
    init = rows(X, 4, seed=2)
    last = list(lloyd_steps(X, init, sample_weight=w))[-1]
    model = KMeans(4, init=init).fit(X, sample_weight=w)
    np.testing.assert_array_equal(model.cluster_centers_, last.centers)
    np.testing.assert_array_equal(model.labels_, last.labels)
    assert model.inertia_ == last.inertia


def test_summary_drops_labels_and_shifts_centers():
    X = blobs(n=50, k=2)
    step = next(lloyd_steps(X, rows(X, 2, 0)))
    summary = step.summary(np.array([1.0, 2.0]))
    assert not hasattr(summary, "labels")
    np.testing.assert_array_equal(summary.centers, step.centers + [1.0, 2.0])
    assert summary.inertia == step.inertia


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("tol", [0.0, 1e-4, 0.3])
def test_centred_tolerance_equals_the_variance_form(dtype, tol):
    # The fit takes tol from the centred row norms (no extra pass over X);
    # it must be scikit-learn's tol * mean(var(X, axis=0)) up to rounding.
    X = (np.random.RandomState(1).normal(size=(500, 7)) * np.arange(1, 8) + 1e3).astype(dtype)
    data = centre(X, tol)
    assert data.abs_tol == pytest.approx(tolerance(X.astype(np.float64), tol), rel=1e-6, abs=0)
    np.testing.assert_allclose(data.Xc.mean(axis=0), 0, atol=1e-3)
