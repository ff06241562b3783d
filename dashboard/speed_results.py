"""What a Speed run produces: one timing per method, speed-ups and whether the labels agree.

Plain data: :mod:`dashboard.speed_runs` fills these in, :mod:`dashboard.speed_text`
and :mod:`dashboard.speed_figures` turn them into sentences and charts.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from dashboard.speed_methods import BASELINE, REFERENCE_TIER, method_label
from kmeans_core import TIERS

Status = Literal["measured", "skipped", "refused"]


@dataclass(frozen=True)
class MethodTiming:
    """The timing of one method at one size.

    Attributes
    ----------
    method : str
        A :class:`~dashboard.speed_methods.MethodSpec` name.
    status : {"measured", "skipped", "refused"}
    seconds : float or None
        Median seconds per Lloyd iteration ("measured" only).
    runs : tuple of float
        Every timed run, seconds per iteration.
    estimate : float or None
        Seconds per iteration extrapolated from the probe (capped methods only).
    message : str or None
        Why it was skipped or refused, in words for the page.
    iterations : int
        Lloyd iterations per timed call (1 for the tiers, n_iter_ for estimators).
    labels : ndarray or None
        Labels the method produced (on the first ``len(labels)`` rows of the data:
        the probe rows when a tier was skipped).
    """

    method: str
    status: Status
    seconds: float | None = None
    runs: tuple[float, ...] = ()
    estimate: float | None = None
    message: str | None = None
    iterations: int = 1
    labels: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def label(self) -> str:
        """Display name of the method."""
        return method_label(self.method)

    @property
    def best_guess(self) -> float | None:
        """Measured seconds per iteration, else the estimate (may be None)."""
        return self.seconds if self.seconds is not None else self.estimate


@dataclass(frozen=True)
class SpeedResult:
    """Timings of every method at one (N, d, K).

    Attributes
    ----------
    n, d, k, seed : int
    timings : tuple of MethodTiming
        In the order the methods were given.
    speedups : dict
        Method -> loop-tier seconds / method seconds (measured methods only).
    baseline_estimated : bool
        True when the loop tier was skipped and its estimate is the baseline.
    tier_mismatches : dict
        Tier -> number of rows whose labels differ from the GEMM tier's.
    tier_rows_checked : dict
        Tier -> number of rows compared.
    estimators_mismatch : int or None
        Rows where kmeans_core and scikit-learn disagree after their fits.
    """

    n: int
    d: int
    k: int
    seed: int
    timings: tuple[MethodTiming, ...]
    speedups: dict[str, float]
    baseline_estimated: bool
    tier_mismatches: dict[str, int]
    tier_rows_checked: dict[str, int]
    estimators_mismatch: int | None

    def timing(self, method: str) -> MethodTiming:
        """The timing of ``method`` (KeyError when it was not timed)."""
        for t in self.timings:
            if t.method == method:
                return t
        raise KeyError(method)

    @property
    def methods(self) -> tuple[str, ...]:
        """The methods timed, in order."""
        return tuple(t.method for t in self.timings)


@dataclass(frozen=True)
class SweepResult:
    """Seconds per iteration against N for each method (None where not measured).

    Attributes
    ----------
    n_values : tuple of int
    d, k : int
    seconds : dict
        Method -> tuple aligned with ``n_values``: measured median or None.
    estimates : dict
        Method -> tuple aligned with ``n_values``: estimate where skipped, else None.
    notes : dict
        Method -> list of messages about skipped or refused points.
    """

    n_values: tuple[int, ...]
    d: int
    k: int
    seconds: dict[str, tuple[float | None, ...]]
    estimates: dict[str, tuple[float | None, ...]]
    notes: dict[str, list[str]]


# --------------------------------------------------------------------------- comparisons


def compute_speedups(
    timings: Sequence[MethodTiming], baseline: str = BASELINE
) -> tuple[dict[str, float], bool]:
    """Speed-up of each measured method over the baseline (the loop tier).

    The baseline's measured time is used; when it was skipped its estimate is used
    instead (and the flag says so).

    Returns
    -------
    speedups : dict
        Method -> baseline seconds / method seconds. Empty when there is no baseline.
    baseline_estimated : bool
    """
    base = next((t for t in timings if t.method == baseline), None)
    if base is None or base.best_guess is None or base.best_guess <= 0:
        return {}, False
    base_s = base.best_guess
    speedups = {
        t.method: base_s / t.seconds
        for t in timings
        if t.status == "measured" and t.seconds is not None and t.seconds > 0
    }
    return speedups, base.status != "measured"


def label_mismatches(
    timings: Sequence[MethodTiming],
    reference: str = REFERENCE_TIER,
    tiers: Collection[str] = TIERS,
) -> tuple[dict[str, int], dict[str, int]]:
    """How many labels each tier disagrees on with ``reference``, on the rows both cover.

    Returns
    -------
    mismatches : dict
        Tier -> number of differing labels.
    rows_checked : dict
        Tier -> number of rows compared.
    """
    by_method = {t.method: t for t in timings}
    ref = by_method.get(reference)
    if ref is None or ref.labels is None:
        return {}, {}
    mismatches: dict[str, int] = {}
    rows: dict[str, int] = {}
    for t in timings:
        if t.method not in tiers or t.method == reference or t.labels is None:
            continue
        m = min(len(t.labels), len(ref.labels))
        mismatches[t.method] = int(np.count_nonzero(t.labels[:m] != ref.labels[:m]))
        rows[t.method] = m
    return mismatches, rows


def estimators_mismatch(
    timings: Sequence[MethodTiming], ours: str = "kmeans_core", theirs: str = "sklearn"
) -> int | None:
    """Rows where two estimators' fitted labels differ (None if not both, or not comparable)."""
    by_method = {t.method: t for t in timings}
    a, b = by_method.get(ours), by_method.get(theirs)
    if a is None or b is None or a.labels is None or b.labels is None:
        return None
    if a.iterations != b.iterations or len(a.labels) != len(b.labels):
        return None
    return int(np.count_nonzero(a.labels != b.labels))


def speed_result(n: int, d: int, k: int, seed: int, timings: Sequence[MethodTiming]) -> SpeedResult:
    """A :class:`SpeedResult` from the timings of every method: speed-ups and agreement added."""
    speedups, estimated = compute_speedups(timings)
    mismatches, rows = label_mismatches(timings)
    return SpeedResult(
        n=n,
        d=d,
        k=k,
        seed=seed,
        timings=tuple(timings),
        speedups=speedups,
        baseline_estimated=estimated,
        tier_mismatches=mismatches,
        tier_rows_checked=rows,
        estimators_mismatch=estimators_mismatch(timings),
    )
