"""The stop hooks (``check``) of the dashboard's long computations (issue 13).

Each plain function calls ``check()`` before any work (so a cache probe costs nothing)
and between restarts, K values and Lloyd steps; a check that raises stops the work at
once, and a check that passes changes nothing.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from dashboard import animation, choose_k, compare, gap_statistic, runs, stability
from dashboard.dataset import Dataset
from dashboard.run_settings import RunSettings

SETTINGS = RunSettings(k=3, init="k-means++", seed=0)


class Stop(Exception):
    pass


def _check(stop_after: int | None = None):
    """A check that counts its calls and raises Stop after ``stop_after`` of them."""
    calls: list[int] = []

    def check() -> None:
        calls.append(1)
        if stop_after is not None and len(calls) > stop_after:
            raise Stop

    return check, calls


@pytest.fixture(scope="module")
def X():
    return make_blobs(n_samples=300, centers=4, n_features=3, random_state=1)[0]


def _record_calls(monkeypatch, owner, name: str, seen) -> list:
    """Wrap ``owner.name`` so that each call adds ``seen(*args)`` (a list) to the result."""
    calls: list = []
    original = getattr(owner, name)

    def recording(*a, **kw):
        calls.extend(seen(*a))
        return original(*a, **kw)

    monkeypatch.setattr(owner, name, recording)
    return calls


def _fits(monkeypatch):
    """The K of every KMeans fit made (through kmeans_core.KMeans.fit)."""
    from kmeans_core import KMeans

    return _record_calls(monkeypatch, KMeans, "fit", lambda model, *a: [model.n_clusters])


# ---------------------------------------------------------------- nothing runs on a probe


@pytest.mark.parametrize(
    "call",
    [
        lambda X, c: choose_k.run_sweep(X, [1, 2, 3], n_init=2, check=c),
        lambda X, c: stability.bootstrap_stability(X, [2, 3], n_runs=3, check=c),
        lambda X, c: gap_statistic.gap_statistic(X, [1, 2, 3], n_refs=3, check=c),
        lambda X, c: runs.fit_run(Dataset("d", X, ["a", "b", "c"]), SETTINGS, check=c),
        lambda X, c: compare.run_comparison(X, compare.CompareParams(k=3), check=c),
        lambda X, c: animation.animate_run(X, X[:3], np.arange(50), init_label="x", check=c),
    ],
    ids=["sweep", "stability", "gap", "fit", "comparison", "animation"],
)
def test_a_check_that_raises_at_once_stops_before_any_fit(X, monkeypatch, call):
    fits = _fits(monkeypatch)
    check, calls = _check(stop_after=0)
    with pytest.raises(Stop):
        call(X, check)
    assert len(calls) == 1
    assert fits == []


# ---------------------------------------------------------------- cancel mid-way


def test_sweep_cancelled_mid_way_stops_early(X):
    reported: list[str] = []
    check, calls = _check()
    choose_k.run_sweep(X, list(range(1, 9)), n_init=2, check=check)
    total = len(calls)
    check, calls = _check(stop_after=total // 3)
    with pytest.raises(Stop):
        choose_k.run_sweep(
            X,
            list(range(1, 9)),
            n_init=2,
            check=check,
            progress=lambda f, m: reported.append(m),
        )
    assert len(calls) == total // 3 + 1  # stopped at the first check after the cancel
    assert not any(m.startswith("Scoring") for m in reported)  # never reached scoring
    assert len(reported) < 8  # not every K was fitted


def test_sweep_checks_between_lloyd_steps_not_only_between_k(X):
    check, calls = _check()
    choose_k.run_sweep(X, [4], n_init=1, check=check)
    assert len(calls) > 3  # start, restart, several steps, the scoring step


def _batched_fits(monkeypatch, module):
    """One entry per dataset ``module`` fits through kmeans_core.batch.fit_many."""
    return _record_calls(monkeypatch, module, "fit_many", lambda datasets, *a: [0] * len(datasets))


@pytest.mark.parametrize(
    ("module", "run"),
    [
        (stability, lambda X, c: stability.bootstrap_stability(X, [2, 3, 4], n_runs=4, check=c)),
        (
            gap_statistic,
            lambda X, c: gap_statistic.gap_statistic(X, [1, 2, 3, 4], n_refs=4, check=c),
        ),
    ],
    ids=["stability", "gap"],
)
def test_trust_checks_cancelled_mid_way_stop_early(X, monkeypatch, module, run):
    check, calls = _check()
    fits = _batched_fits(monkeypatch, module)
    run(X, check)
    all_fits = len(fits)
    fits.clear()
    check, calls = _check(stop_after=len(calls) // 2)
    with pytest.raises(Stop):
        run(X, check)
    assert 0 < len(fits) < all_fits


def test_fit_cancelled_mid_way_stops_between_steps(X):
    ds = Dataset("d", X, ["a", "b", "c"])
    check, calls = _check(stop_after=3)
    with pytest.raises(Stop):
        runs.fit_run(ds, RunSettings(k=4, init="k-means++", seed=2), check=check)
    assert len(calls) == 4


def test_comparison_stops_before_the_next_fit(X, monkeypatch):
    fits = _fits(monkeypatch)
    check, calls = _check(stop_after=1)
    with pytest.raises(Stop):
        compare.run_comparison(X, compare.CompareParams(k=3), check=check)
    assert len(fits) <= 1  # at most the first kmeans_core fit had started


def test_animation_cancelled_mid_way_stops_between_half_steps(X):
    check, calls = _check(stop_after=2)
    with pytest.raises(Stop):
        animation.animate_run(X, X[:4], np.arange(50), init_label="x", tol=0, check=check)
    assert len(calls) == 3


# ---------------------------------------------------------------- a passing check is inert


def test_a_passing_check_changes_no_result(X):
    ds = Dataset("d", X, ["a", "b", "c"])
    check, calls = _check()
    settings = RunSettings(k=3, init="k-means++", seed=4)
    a = runs.fit_run(ds, settings)
    b = runs.fit_run(ds, settings, check=check)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    s1 = choose_k.run_sweep(X, [1, 2, 3], n_init=2, seed=3)
    s2 = choose_k.run_sweep(X, [1, 2, 3], n_init=2, seed=3, check=check)
    np.testing.assert_array_equal(s1.inertia_runs, s2.inertia_runs)
    r1 = animation.animate_run(X, X[:3], np.arange(50), init_label="x")
    r2 = animation.animate_run(X, X[:3], np.arange(50), init_label="x", check=check)
    assert r1.n_iter == r2.n_iter and r1.stop_reason == r2.stop_reason
    assert calls


def _alt_params(k: int):
    from dashboard import alternatives as alt

    return alt.AlternativeParams(
        k=k, seed=0, eps=0.5, min_samples=5, min_cluster_size=5, n_neighbors=10
    )


def test_alternatives_stop_before_the_next_method(X, monkeypatch):
    from dashboard import alternatives as alt

    ran = _record_calls(monkeypatch, alt, "run_method", lambda method, *a: [method.name])
    params = _alt_params(3)
    check, calls = _check(stop_after=0)
    with pytest.raises(Stop):
        alt.run_all(X, None, params, check=check)
    assert ran == []
    check, calls = _check()
    alt.run_all(X, None, params, check=check)
    n_methods = len(ran)
    ran.clear()
    check, calls = _check(stop_after=len(calls) // 2)
    with pytest.raises(Stop):
        alt.run_all(X, None, params, check=check)
    assert 0 < len(ran) < n_methods


def test_alternatives_run_units_count_the_k_means_family_and_the_mixture():
    from dashboard import alternatives as alt
    from dashboard import budget

    params = _alt_params(5)
    assert alt.run_units(1000, 4, params) == 1000 * 4 * 5 * 3 + 1000 * 16 * 5
    big = alt.run_units(10**6, 10, params)
    assert big == 10**6 * 10 * 5 * 3 + alt.MIXTURE_MAX_ROWS * 100 * 5
    assert budget.needs_click(big) and not budget.needs_click(alt.run_units(5000, 2, params))
