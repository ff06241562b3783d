"""Sentences about speed: the Speed page's cells, captions and verdicts, and repeated fit times.

Every sentence is built here from a result, so the page only lays them out and
tests can read them without Streamlit. Numbers go through
:mod:`dashboard.formatting`.
"""

from __future__ import annotations

import os
from typing import Any

from dashboard.formatting import (
    format_bytes,
    format_seconds,
    format_seconds_range,
    format_speedup,
)
from dashboard.speed_methods import TIMED_MAX_ITER, method_label
from dashboard.speed_results import MethodTiming, SpeedResult, SweepResult
from dashboard.timing import Measurement
from kmeans_core import broadcast_bytes

# Below this N, per-call overhead hides the differences between the fast methods.
SMALL_N = 5_000

INTRO = (
    "The same Lloyd iteration — label every point with its nearest center, then move each "
    "center to the mean of its points — written three ways in `kmeans_core`, next to "
    "kmeans_core's own estimator and scikit-learn, all from the same initial centers. By "
    "default the data are synthetic blobs of the size you choose (seeded by the sidebar "
    "seed); you can also time the current dataset."
)

GEMM_IDENTITY = (
    r"\lVert x - c\rVert^2 \;=\; \lVert x\rVert^2 \;-\; 2\,x\cdot c \;+\; \lVert c\rVert^2"
)

SCALING_CAPTION = (
    "Every method's work grows linearly in N, a slope of 1 on log-log axes; the vertical "
    "gap between the lines is the constant factor that vectorisation buys. At small N the "
    "fast methods' lines flatten: a fixed cost per call dominates there. Dashed open "
    "markers are estimates at sizes where a slow tier was not run."
)


def gemm_explanation(n: int, d: int, k: int) -> str:
    """Markdown under the identity: why the GEMM tier wins, with this size's numbers."""
    return f"""
- **One matrix product.** All N·K dot products $x\\cdot c$ are the entries of
  $XC^{{\\top}}$: a single GEMM that BLAS runs with cache blocking and SIMD (and on every
  core, if you allow it under Timing options).
- **No N×K×d temporary.** Broadcasting builds every difference $x-c$ first:
  {format_bytes(broadcast_bytes(n, k, d))} at these sizes, written to memory and
  read back. The GEMM tier only holds N×K distances, one chunk of rows at a time.
- **$\\lVert x\\rVert^2$ is not needed for the argmin.** It is the same for every center, so
  the nearest center minimises $\\lVert c\\rVert^2 - 2\\,x\\cdot c$; $\\lVert c\\rVert^2$ is
  just K numbers per iteration.
- **Python loops** pay the interpreter for each of the N·K·d = {n * k * d:,}
  subtract-square-add steps of one iteration.

scikit-learn does the same trick in Cython: 256-row chunks, one GEMM each, threads across
chunks, centroid sums in the same pass.
"""


def memory_notice(n: int, d: int, k: int, limit_bytes: int, budget_s: float) -> tuple[bool, str]:
    """What broadcasting will allocate before a run: (True if it will be refused, sentence)."""
    need = broadcast_bytes(n, k, d)
    if need > limit_bytes:
        return True, (
            f"Broadcasting would need {format_bytes(need)} for its N×K×d temporaries, "
            f"over the {format_bytes(limit_bytes)} limit: it will be refused. "
            "The other methods still run."
        )
    return False, (
        f"Broadcasting will allocate {format_bytes(need)} "
        f"(limit {format_bytes(limit_bytes)}). Slow tiers are probed first and "
        f"skipped if one iteration would take over {budget_s:g} s."
    )


def waiting_note(n: int, d: int, k: int) -> str:
    """What the chart area says before the first run at these sizes."""
    return (
        f"Press **Run timing** to time one Lloyd iteration at N = {n:,}, "
        f"d = {d}, K = {k}. At the defaults it takes a few seconds."
    )


def timed_label(elapsed_s: float) -> str:
    """The status line once a measurement is done: ``"Timed in 4.2 s"``."""
    return f"Timed in {format_seconds(elapsed_s)}"


def how_measured(measured_at: str, seed: int, one_thread: bool) -> str:
    """The caption under the bars: when, and how each bar was timed."""
    threads = "; one thread per library" if one_thread else ""
    return (
        f"Measured at {measured_at} on this server (seed {seed}{threads}). Each bar is the "
        "median of repeated runs after a warm-up, the repeats taking turns between methods so "
        "that a busy moment hits them all; slow tiers run once. The two estimators are timed "
        f"over a whole fit from the same centers (n_init=1, tol=0, max_iter={TIMED_MAX_ITER}) "
        "divided by its iterations, so their one-off setup is spread over the iterations."
    )


def small_n_note(n: int) -> str | None:
    """A hint when N is too small for the fast methods to differ, else None."""
    if n >= SMALL_N:
        return None
    return (
        f"At N = {n:,} a fixed cost per call (Python overhead, allocating, "
        "starting BLAS) dominates the fast methods; the gap widens with N: try "
        "synthetic blobs with N = 20k or more."
    )


def verdict_notes(result: SpeedResult) -> list[tuple[str, str]]:
    """One (kind, sentence) per method that did not run: kind "warning" (refused) or "info"."""
    notes = []
    for t in result.timings:
        if t.status == "refused":
            notes.append(("warning", f"{t.label}: {t.message}."))
        elif t.status == "skipped":
            notes.append(("info", f"{t.label}: {t.message}. Its bar is the estimate."))
    return notes


def sweep_notes(sweep: SweepResult) -> list[str]:
    """One line per point of the sweep that was not measured: ``"Python loops — N = …"``."""
    return [f"{method_label(m)} — {msg}" for m, msgs in sweep.notes.items() for msg in msgs]


def _how_timed(runs: int, iterations: int) -> str:
    calls = "one run" if runs == 1 else f"median of {runs}"
    if iterations > 1:
        calls = "one fit" if runs == 1 else f"median of {runs} fits"
        calls += f" × {iterations} iterations"
    return calls


def _time_cells(t: MethodTiming) -> tuple[str, str]:
    if t.status == "measured" and t.seconds is not None:
        return format_seconds(t.seconds), _how_timed(len(t.runs), t.iterations)
    if t.status == "skipped" and t.estimate is not None:
        return f"est. {format_seconds(t.estimate)} (not run)", "estimated from a small run"
    return "refused (memory)", "—"


def results_table(result: SpeedResult) -> list[dict[str, str]]:
    """One row per method for the page's table, every cell already formatted.

    Columns: method, time per iteration (or the estimate / refusal), speed-up vs
    loops, and how it was timed.
    """
    rows = []
    for t in result.timings:
        ratio = result.speedups.get(t.method)
        shown, timed = _time_cells(t)
        speedup = format_speedup(ratio) if ratio else "—"
        if ratio and result.baseline_estimated:
            speedup += " (vs est.)"
        rows.append(
            {
                "method": t.label,
                "time per iteration": shown,
                "speed-up vs loops": speedup,
                "timed": timed,
            }
        )
    return rows


def load_note(
    load_1min: float | None = None, cpus: int | None = None, *, threads: int | None = None
) -> str | None:
    """A warning when the server is busy enough to make timings noisy, else None.

    Parameters
    ----------
    load_1min : float, optional
        1-minute load average (default: ``os.getloadavg()``, where available).
    cpus : int, optional
        CPU count (default: ``os.cpu_count()``).
    threads : int, optional
        The thread limit the timing used; without one, the note suggests it.
    """
    if load_1min is None:
        try:
            load_1min = os.getloadavg()[0]
        except (AttributeError, OSError):  # not on every platform
            return None
    cpus = cpus or os.cpu_count() or 1
    if load_1min <= cpus:
        return None
    note = (
        f"The server was busy while timing (load {load_1min:.1f} on {cpus} CPU cores): "
        "other work competes for the cores, so timings are noisy."
    )
    if threads is None:
        note += (
            " Multi-threaded methods (BLAS, scikit-learn's OpenMP) suffer most: tick "
            "“One thread per library” under Timing options, or run again when it is quieter."
        )
    return note


def _tier_sentence(result: SpeedResult) -> tuple[bool, str]:
    bad = {t: m for t, m in result.tier_mismatches.items() if m}
    if bad:
        return False, (
            "Labels differ from the GEMM tier's on "
            + ", ".join(f"{m:,} rows ({method_label(t)})" for t, m in bad.items())
            + ": near-ties where rounding picks a different center."
        )
    checked = ", ".join(
        f"{method_label(t)} on {result.tier_rows_checked[t]:,} rows" for t in result.tier_mismatches
    )
    return True, f"Same labels as the GEMM tier: {checked}."


def _estimator_sentence(mismatch: int, iterations: int) -> tuple[bool, str]:
    if mismatch == 0:
        return True, (
            f"kmeans_core and scikit-learn agree on every label after {iterations} iterations."
        )
    return False, (
        f"kmeans_core and scikit-learn differ on {mismatch:,} labels after {iterations} iterations."
    )


def agreement_summary(result: SpeedResult) -> tuple[bool, str]:
    """Do the methods agree on the labels? A verdict and a sentence for the page.

    The tiers are compared with the GEMM tier after one iteration from the same
    centers (a skipped loop tier on its probe rows); the two estimators with each
    other after their fits.

    Returns
    -------
    ok : bool
        True when nothing disagrees.
    text : str
        Empty when there was nothing to compare.
    """
    verdicts = []
    if result.tier_mismatches:
        verdicts.append(_tier_sentence(result))
    if result.estimators_mismatch is not None:
        iterations = result.timing("sklearn").iterations
        verdicts.append(_estimator_sentence(result.estimators_mismatch, iterations))
    return all(ok for ok, _ in verdicts), " ".join(text for _, text in verdicts)


# --------------------------------------------------------------------------- repeated fits


def spread_text(timing: Measurement[Any]) -> str:
    """A timing's median, range and number of runs: ``"2 ms (1–10 ms, 5 runs)"``.

    Parameters
    ----------
    timing : Measurement
        Repeated wall-clock times of one call (:mod:`dashboard.timing`).
    """
    median = format_seconds(timing.median)
    if len(timing.runs) == 1:
        return f"{median} (1 run)"
    low, high = timing.spread
    return f"{median} ({format_seconds_range(low, high)}, {len(timing.runs)} runs)"


def speed_verdict(a_name: str, a: Measurement[Any], b_name: str, b: Measurement[Any]) -> str:
    """Which is faster by the medians, or "no clear winner" while the ranges overlap.

    With overlapping ranges the ratio of medians is within the noise of a shared
    machine, so no winner is named.

    Parameters
    ----------
    a_name, b_name : str
        What the two timed calls are called in the sentence.
    a, b : Measurement
        Their repeated timings.
    """
    if a.median <= 0 or b.median <= 0:
        return ""
    (a_low, a_high), (b_low, b_high) = a.spread, b.spread
    if a_high >= b_low and b_high >= a_low:
        return "no clear winner: the ranges overlap"
    if a.median < b.median:
        return f"{a_name} {format_speedup(b.median / a.median)} faster (median)"
    return f"{b_name} {format_speedup(a.median / b.median)} faster (median)"
