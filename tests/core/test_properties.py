"""Property tests: Lloyd never raises inertia, labels are nearest, no NaN centers."""

from __future__ import annotations

import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kmeans_core import KMeans, lloyd_steps

SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def problems(draw):
    """Small data (often with duplicate rows), initial centers anywhere, maybe weights."""
    n = draw(st.integers(1, 30))
    d = draw(st.integers(1, 3))
    k = draw(st.integers(1, min(n, 6)))
    if draw(st.booleans()):  # a coarse grid: many duplicates and exact ties
        elements = st.integers(-4, 4).map(float)
    else:
        elements = st.floats(-100, 100, allow_nan=False, allow_infinity=False, width=64)
    X = draw(hnp.arrays(np.float64, (n, d), elements=elements))
    # Centers may sit far from every point, which leaves clusters empty.
    C = draw(hnp.arrays(np.float64, (k, d), elements=st.floats(-300, 300, width=64)))
    w = None
    if draw(st.booleans()):
        w = draw(hnp.arrays(np.float64, (n,), elements=st.floats(0.1, 10, width=64)))
    return X, C, w


def _slack(X, C) -> float:
    """Rounding allowance for sums of squared distances at this data scale."""
    return 1e-9 * (1.0 + float((X**2).sum()) + X.shape[0] * float((C**2).sum(axis=1).max()))


def _weights(w, n):
    return np.ones(n) if w is None else w


@SETTINGS
@given(problems())
def test_inertia_never_increases(problem):
    X, C, w = problem
    steps = list(lloyd_steps(X, C, sample_weight=w, tol=0, max_iter=50))
    inertia = [s.inertia for s in steps]
    slack = _slack(X, np.vstack([s.centers for s in steps]))
    for before, after, step in zip(inertia, inertia[1:], steps[1:], strict=False):
        assert after <= before + slack, (step.iteration, step.phase, before, after)
    # ... and each step's inertia is the explicit weighted sum for its labels and centers.
    ww = _weights(w, X.shape[0])
    for s in steps:
        explicit = float((((X - s.centers[s.labels]) ** 2).sum(axis=1) * ww).sum())
        assert abs(s.inertia - explicit) <= slack


@SETTINGS
@given(problems())
def test_every_label_is_the_nearest_center(problem):
    X, C, w = problem
    for s in lloyd_steps(X, C, sample_weight=w, tol=0, max_iter=50):
        if s.phase != "assign":
            continue
        d2 = ((X[:, None, :] - s.centers[None, :, :]) ** 2).sum(axis=2)
        own = d2[np.arange(X.shape[0]), s.labels]
        assert (own <= d2.min(axis=1) + _slack(X, s.centers)).all()


@SETTINGS
@given(problems())
def test_relocation_never_gives_nan_and_fills_empty_clusters(problem):
    X, C, w = problem
    steps = list(lloyd_steps(X, C, sample_weight=w, tol=0, max_iter=50))
    for s in steps:
        assert np.isfinite(s.centers).all()
        assert np.isfinite(s.inertia)
        assert s.labels.min() >= 0 and s.labels.max() < C.shape[0]
        if s.phase == "update" and s.relocated:
            # Each relocated cluster now sits on a point that it holds.
            for k in s.relocated:
                holds = np.flatnonzero(s.labels == k)
                assert holds.size >= 1
                assert np.isclose(s.centers[k], X[holds]).all(axis=1).any()
    # (With duplicate rows, rounding in the centred data can leave copies of one point
    # in two clusters whose centers differ in the last bit; scikit-learn does the same.
    # Points are counted as distinct after centring, as the algorithm sees them, and only
    # when they are apart by more than rounding of the distance form can tell: two points
    # 4e-107 apart in data of scale 1 have a squared distance of 1e-213, far below the
    # ~1e-16 relative error of ||x||^2 - 2 x.c + ||c||^2, so they are one point to it.)
    Xc = X - X.mean(axis=0)
    scale = max(float(np.abs(Xc).max()), np.finfo(np.float64).tiny)
    n_distinct = np.unique(np.round(Xc / scale, 6), axis=0).shape[0]
    final_clusters = np.unique(steps[-1].labels).size
    if n_distinct >= C.shape[0] and steps[-1].stop_reason == "labels unchanged":
        # Enough distinct points: converged runs use every cluster.
        assert final_clusters == C.shape[0]


@SETTINGS
@given(problems(), st.integers(0, 2**31 - 1))
def test_estimator_labels_are_nearest_to_final_centers(problem, seed):
    X, C, w = problem
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate points warn; that is tested elsewhere
        model = KMeans(C.shape[0], random_state=seed).fit(X, sample_weight=w)
    assert np.isfinite(model.cluster_centers_).all()
    d2 = ((X[:, None, :] - model.cluster_centers_[None]) ** 2).sum(axis=2)
    own = d2[np.arange(X.shape[0]), model.labels_]
    assert (own <= d2.min(axis=1) + _slack(X, model.cluster_centers_)).all()
