"""Unit tests for the Speed page's method specs (dashboard/speed_methods.py)."""

from __future__ import annotations

import numpy as np

from dashboard import speed_methods
from dashboard.speed_data import make_timing_data
from kmeans_core import TIERS, broadcast_bytes, lloyd_iteration


def test_the_specs_list_every_method_once_tiers_first():
    names = speed_methods.METHODS
    assert names == (*TIERS, "kmeans_core", "sklearn")
    assert [s.family for s in speed_methods.METHOD_SPECS] == ["tier"] * 3 + ["estimator"] * 2
    # Only the slow tiers are probed; only broadcasting has a memory need.
    assert [s.name for s in speed_methods.METHOD_SPECS if s.capped] == ["loops", "broadcast"]
    needs = [s for s in speed_methods.METHOD_SPECS if s.memory_bytes is not None]
    assert [s.name for s in needs] == ["broadcast"] and needs[0].memory_bytes is broadcast_bytes


def test_tier_runners_do_one_iteration_like_lloyd_iteration():
    X, C = make_timing_data(300, 2, 4, seed=1)
    expected, _ = lloyd_iteration(X, C, tier="gemm")
    for spec in speed_methods.specs_named(TIERS):
        out = spec.run(X, C)
        assert out.iterations == 1
        np.testing.assert_array_equal(out.labels, expected)


def test_estimator_runners_report_their_iterations():
    X, C = make_timing_data(300, 2, 4, seed=1)
    specs = speed_methods.method_specs(max_iter=3)
    for spec in specs[3:]:
        out = spec.run(X, C)
        assert 1 <= out.iterations <= 3 and out.labels.shape == (300,)


def test_labels_of_unknown_methods_fall_back_to_the_name():
    assert speed_methods.method_label("gemm") == "GEMM (‖x‖² − 2x·c + ‖c‖²)"
    assert speed_methods.method_label("elkan") == "elkan"
