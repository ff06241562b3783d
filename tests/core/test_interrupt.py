"""kmeans_core.interrupt: a caller's check stops a fit between Lloyd steps and restarts."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from kmeans_core import KMeans, elbow_sweep, interrupt


class Stop(Exception):
    pass


def _counter(stop_after: int | None = None):
    calls = []

    def check() -> None:
        calls.append(1)
        if stop_after is not None and len(calls) > stop_after:
            raise Stop

    return check, calls


@pytest.fixture
def X():
    return make_blobs(n_samples=400, centers=4, n_features=3, random_state=0)[0]


def test_checkpoint_without_a_check_does_nothing():
    interrupt.checkpoint()  # no enclosing block: no error


def test_a_fit_calls_the_check_before_each_restart_and_after_every_step(X):
    check, calls = _counter()
    with interrupt.checking(check):
        model = KMeans(4, n_init=3, random_state=0, tol=0).fit(X)
    # 3 restarts, each checked before its start and after each of its steps.
    assert len(calls) >= 3 + len(model.history_)


def test_a_check_that_raises_stops_the_fit_and_leaves_it_unfitted(X):
    check, calls = _counter(stop_after=2)
    model = KMeans(4, n_init=5, random_state=0)
    with interrupt.checking(check), pytest.raises(Stop):
        model.fit(X)
    assert len(calls) == 3
    assert not hasattr(model, "cluster_centers_")


def test_a_sweep_stops_within_its_first_k(X):
    check, calls = _counter(stop_after=0)
    with interrupt.checking(check), pytest.raises(Stop):
        elbow_sweep(X, range(1, 9), n_init=2, random_state=0)
    assert len(calls) == 1  # before the first restart's initialisation


def test_a_check_that_passes_changes_nothing(X):
    check, _ = _counter()
    ref = KMeans(4, n_init=3, random_state=0).fit(X)
    with interrupt.checking(check):
        got = KMeans(4, n_init=3, random_state=0).fit(X)
    np.testing.assert_array_equal(got.labels_, ref.labels_)
    assert got.inertia_ == ref.inertia_


def test_none_keeps_the_enclosing_check_and_the_block_restores_it(X):
    check, calls = _counter()
    with interrupt.checking(check):
        with interrupt.checking(None):
            KMeans(2, n_init=1, random_state=0).fit(X)
        assert calls
    n = len(calls)
    KMeans(2, n_init=1, random_state=0).fit(X)  # outside: no longer called
    assert len(calls) == n
