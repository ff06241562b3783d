"""Unit tests for dashboard.stability: pairwise ARI, resample plan, stability per K."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from dashboard import stability as sb

THREE_BLOBS, _ = make_blobs(
    n_samples=300, centers=[[0, 0], [10, 0], [0, 10]], cluster_std=0.8, random_state=0
)


def test_pairwise_ari_ignores_numbering_and_counts_pairs():
    a = np.array([0, 0, 1, 1])
    b = np.array([1, 1, 0, 0])
    c = np.array([0, 1, 0, 1])  # crosses both groups: ARI of a and c is -0.5 (hand: 2x2 table)
    ari = sb.pairwise_ari([a, b, c])
    assert ari.shape == (3,)  # 3 choose 2
    assert ari[0] == pytest.approx(1.0)
    assert ari[1] == pytest.approx(-0.5)


@given(
    st.lists(st.integers(0, 4), min_size=2, max_size=40),
    st.randoms(use_true_random=False),
)
def test_fast_ari_equals_sklearn(a, rnd):
    a = np.array(a)
    b = np.array([rnd.randint(0, 3) for _ in a])
    assert sb.fast_ari(a, b) == pytest.approx(adjusted_rand_score(a, b))
    assert sb.fast_ari(a, a) == pytest.approx(adjusted_rand_score(a, a))


def test_pairwise_ari_equals_sklearn_per_pair_on_both_table_kinds(monkeypatch):
    rng = np.random.default_rng(3)
    labellings = [rng.integers(0, k, 200) * 7 - 3 for k in (1, 2, 5, 9)]  # any integers
    expected = [adjusted_rand_score(a, b) for a, b in combinations(labellings, 2)]
    np.testing.assert_allclose(sb.pairwise_ari(labellings), expected, rtol=1e-12, atol=1e-12)
    monkeypatch.setattr(sb, "DENSE_TABLE_MAX", 0)  # the sparse table, as for many labels
    np.testing.assert_allclose(sb.pairwise_ari(labellings), expected, rtol=1e-12, atol=1e-12)
    singletons = np.arange(50)
    assert sb.fast_ari(singletons, singletons[::-1]) == pytest.approx(1.0)


def test_resample_plan_sizes_and_caps():
    subs, eval_rows = sb.resample_plan(100, 4, seed=0)
    assert len(subs) == 4 and all(len(s) == 80 for s in subs)
    assert all(np.unique(s).size == s.size for s in subs)  # without replacement
    assert eval_rows.size == 100
    subs, eval_rows = sb.resample_plan(1_000_000, 2, seed=0)
    assert len(subs[0]) == sb.MAX_FIT_ROWS
    assert eval_rows.size == sb.EVAL_ROWS


def test_true_k_is_stable_and_k1_has_no_number():
    stab = sb.bootstrap_stability(THREE_BLOBS, [1, 2, 3], n_runs=5, seed=0)
    assert np.isnan(stab.mean_ari[0]) and np.isnan(stab.sd_ari[0])
    mean3, sd3 = stab.at(3)
    assert mean3 > 0.99 and sd3 < 0.01
    assert stab.n_runs == 5 and stab.fit_rows == 240 and stab.eval_rows == 300
    assert "At K = 3 the clustering is stable" in sb.describe_stability(stab, 3)
    assert np.isnan(stab.at(7)[0])  # not swept


def test_structureless_data_is_less_stable_than_real_clusters():
    rng = np.random.default_rng(0)
    uniform = rng.uniform(size=(300, 2))
    blobs = sb.bootstrap_stability(THREE_BLOBS, [3], n_runs=6, seed=1)
    noise = sb.bootstrap_stability(uniform, [5], n_runs=6, seed=1)
    assert noise.mean_ari[0] < blobs.mean_ari[0]
    assert noise.sd_ari[0] > blobs.sd_ari[0]


def test_stability_peaks_at_the_true_k():
    stab = sb.bootstrap_stability(THREE_BLOBS, [2, 3, 4, 5], n_runs=6, seed=1)
    assert int(stab.k_values[np.nanargmax(stab.mean_ari)]) == 3


def test_progress_reported_per_k():
    seen = []
    sb.bootstrap_stability(THREE_BLOBS, [2, 3], n_runs=2, progress=lambda f, m: seen.append(f))
    assert seen == [0.5, 1.0]


def test_describe_unstable_and_missing():
    stab = sb.Stability(
        np.array([1, 2]), np.array([np.nan, 0.4]), np.array([np.nan, 0.2]), 5, 80, 100
    )
    assert "not stable" in sb.describe_stability(stab, 2)
    assert sb.describe_stability(stab, 1) is None
    assert sb.describe_stability(stab, None) is None
