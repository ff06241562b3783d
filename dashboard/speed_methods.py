"""What the Speed page times: one spec per method (name, label, how to run it, its caps).

The page times one Lloyd iteration for kmeans_core's three teaching tiers (Python
loops, NumPy broadcasting, the ||x||^2 - 2x.c + ||c||^2 matrix product) and a
whole fit for kmeans_core's estimator and scikit-learn's, all from the same
initial centers. A new method is one more :class:`MethodSpec` in
:data:`METHOD_SPECS`: the runs, the table and the charts pick it up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from sklearn.cluster import KMeans as SklearnKMeans

from kmeans_core import KMeans, broadcast_bytes, lloyd_iteration
from kmeans_core.tiers import Tier

# The estimators run this many iterations per fit (tol=0); time is divided by n_iter_.
TIMED_MAX_ITER = 10


@dataclass(frozen=True)
class RunOutcome:
    """What one timed call returns: labels and how many Lloyd iterations it ran."""

    labels: np.ndarray
    iterations: int = 1


Runner = Callable[[np.ndarray, np.ndarray], RunOutcome]
MemoryNeed = Callable[[int, int, int], int]
Family = Literal["tier", "estimator"]


@dataclass(frozen=True)
class MethodSpec:
    """One method the Speed page can time.

    Attributes
    ----------
    name : str
        Key in results, e.g. ``"gemm"``.
    label : str
        Display name, e.g. ``"GEMM (‖x‖² − 2x·c + ‖c‖²)"``.
    run : callable
        ``run(X, centers) -> RunOutcome``.
    family : {"tier", "estimator"}
        A tier does one iteration; its labels are checked against the reference
        tier. An estimator does a whole fit; its labels are checked against the
        other estimators'.
    capped : bool
        Can take minutes: probed on a few rows first and skipped when the estimate
        exceeds the time budget.
    memory_bytes : callable or None
        ``memory_bytes(n, k, d)``: peak temporaries; refused above the memory limit.
    """

    name: str
    label: str
    run: Runner
    family: Family
    capped: bool = False
    memory_bytes: MemoryNeed | None = None


def _tier_runner(tier: Tier) -> Runner:
    def run(X: np.ndarray, C: np.ndarray) -> RunOutcome:
        labels, _ = lloyd_iteration(X, C, tier=tier)
        return RunOutcome(labels, 1)

    return run


def _estimator_runner(cls: Callable[..., Any], max_iter: int) -> Runner:
    def run(X: np.ndarray, C: np.ndarray) -> RunOutcome:
        # tol=0: stop only on unchanged labels or max_iter, so both libraries do the
        # same number of iterations from the same start.
        model = cls(n_clusters=C.shape[0], init=C, n_init=1, max_iter=max_iter, tol=0.0)
        model.fit(X)
        return RunOutcome(np.asarray(model.labels_), max(1, int(model.n_iter_)))

    return run


def method_specs(max_iter: int = TIMED_MAX_ITER) -> tuple[MethodSpec, ...]:
    """The real methods: the three tiers, then the two estimators.

    The estimators are timed over a whole ``fit`` (init given, ``n_init=1``,
    ``tol=0``, up to ``max_iter`` iterations) and the time is divided by
    ``n_iter_``; that per-iteration figure includes each fit's fixed cost
    (validation, copying and centring X, the final labelling), spread over the
    iterations.
    """
    return (
        MethodSpec("loops", "Python loops", _tier_runner("loops"), "tier", capped=True),
        MethodSpec(
            "broadcast",
            "NumPy broadcasting",
            _tier_runner("broadcast"),
            "tier",
            capped=True,
            memory_bytes=broadcast_bytes,
        ),
        MethodSpec("gemm", "GEMM (‖x‖² − 2x·c + ‖c‖²)", _tier_runner("gemm"), "tier"),
        MethodSpec(
            "kmeans_core",
            "kmeans_core.KMeans",
            _estimator_runner(KMeans, max_iter),
            "estimator",
        ),
        MethodSpec(
            "sklearn",
            "scikit-learn KMeans",
            _estimator_runner(SklearnKMeans, max_iter),
            "estimator",
        ),
    )


METHOD_SPECS: tuple[MethodSpec, ...] = method_specs()
METHODS: tuple[str, ...] = tuple(s.name for s in METHOD_SPECS)
METHOD_LABELS: dict[str, str] = {s.name: s.label for s in METHOD_SPECS}
# Speed-ups are against this method; tier labels are checked against REFERENCE_TIER's.
BASELINE = "loops"
REFERENCE_TIER = "gemm"


def method_label(name: str) -> str:
    """Display name of a method (its name when it is not one of :data:`METHOD_SPECS`)."""
    return METHOD_LABELS.get(name, name)


def specs_named(names: Sequence[str]) -> tuple[MethodSpec, ...]:
    """The specs of ``names``, in that order (KeyError for an unknown name)."""
    by_name = {s.name: s for s in METHOD_SPECS}
    return tuple(by_name[n] for n in names)
