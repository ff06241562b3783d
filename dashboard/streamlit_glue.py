"""Everything of the dashboard layer that talks to Streamlit: session state, caches, links.

Pages call this module for the current dataset and run settings, for cached
results (each cache wraps a plain, tested function of another dashboard module)
and for applying an incoming share link. Every other dashboard module is plain
Python that tests call directly, without Streamlit.

Caches: ``st.cache_resource`` for results holding arrays of the data's length
(no pickling copy on every rerun; nothing mutates them), ``st.cache_data`` for
small results. Arguments named with a leading underscore are not hashed: the
dataset's content key stands for them. Every cache is bounded twice: ``max_entries``
and a one-hour ``ttl``, so a server left running frees what visitors who left computed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard import (
    animation,
    budget,
    choose_k,
    compare,
    csv_upload,
    data_figures,
    export,
    plotting,
    runs,
    share,
    speed_runs,
    speed_text,
)
from dashboard import run_settings as rs
from dashboard.dataset import Dataset, default_dataset
from dashboard.generators import dataset_from_recipe
from dashboard.speed_figures import scaling_loglog, time_per_iteration_bar
from kmeans_core import KMeans

DATASET_KEY = "dataset"
_APPLIED_KEY = "_share_link_applied"
_CHECKED_KEY = "_share_link_checked"
_NOTICES_KEY = "_share_link_notices"


# --------------------------------------------------------------------------- session state


def get_seed() -> int:
    """The one seed that drives data generation, initialisation and scikit-learn."""
    return rs.seed_from(st.session_state.to_dict())


def run_settings() -> rs.RunSettings:
    """K, init and seed as set in the sidebar (defaults in a fresh session)."""
    return rs.settings_from(st.session_state.to_dict())


def get_dataset() -> Dataset:
    """The current dataset; three blobs if none was chosen yet.

    A generated dataset follows the seed: if the seed changed since it was
    made, it is rebuilt from its recipe with the new seed.
    """
    seed = get_seed()
    ds: Dataset | None = st.session_state.get(DATASET_KEY)
    if ds is None:
        ds = default_dataset(seed)
        st.session_state[DATASET_KEY] = ds
    elif ds.source == "generated" and ds.recipe is not None and ds.recipe.get("seed") != seed:
        try:
            ds = dataset_from_recipe(ds.recipe, seed)
        except ValueError:
            ds = default_dataset(seed)
        st.session_state[DATASET_KEY] = ds
    return ds


def set_dataset(ds: Dataset) -> None:
    """Make ``ds`` the dataset every page works on."""
    st.session_state[DATASET_KEY] = ds


# --------------------------------------------------------------------------- share links


def apply_shared_link() -> None:
    """Apply an incoming shareable link to the session; call before the sidebar, every run.

    The dataset part is applied once per distinct link (remembered in session
    state), so later reruns and a dataset chosen on the Data page are left alone.
    Malformed values give defaults and a warning that stays until dismissed.
    """
    query = st.query_params.to_dict()
    data = share.dataset_params(query)
    notices: list[str] = []
    first_run = _CHECKED_KEY not in st.session_state
    st.session_state[_CHECKED_KEY] = True
    if data and data != st.session_state.get(_APPLIED_KEY):
        st.session_state[_APPLIED_KEY] = data
        values, notices = share.parse_run_params(query)
        ds, data_notices = share.dataset_from_link(query, values[rs.SEED_KEY])
        notices += data_notices
        if ds is not None:
            set_dataset(ds)
    elif first_run:
        _, notices = share.parse_run_params(query)
    if notices:
        st.session_state[_NOTICES_KEY] = notices
    _show_link_notices()


def _show_link_notices() -> None:
    notices = st.session_state.get(_NOTICES_KEY)
    if not notices:
        return
    st.warning(
        "**This link could not be used as it is.**\n\n" + "\n".join(f"- {n}" for n in notices),
        icon=":material/link_off:",
    )
    st.button("Dismiss", key="_share_link_dismiss", on_click=_dismiss_link_notices, type="tertiary")


def _dismiss_link_notices() -> None:
    st.session_state.pop(_NOTICES_KEY, None)


# --------------------------------------------------------------------------- caches


@st.cache_resource(max_entries=16, ttl="1h", show_spinner=False)
def _cached_fit(dataset_key: str, settings: rs.RunSettings, _ds: Dataset) -> KMeans:
    return runs.fit_run(_ds, settings)


def cached_fit_run(ds: Dataset, settings: rs.RunSettings) -> KMeans:
    """:func:`dashboard.runs.fit_run`, cached per dataset content and run settings."""
    return _cached_fit(ds.key, settings, ds)


@st.cache_data(max_entries=16, ttl="1h", show_spinner=False)
def cached_scatter(
    dataset_key: str, columns: tuple[int, int] | None, seed: int, _ds: Dataset
) -> tuple[go.Figure, list[str]]:
    """:func:`dashboard.data_figures.scatter_figure`, cached per dataset, view and seed."""
    return data_figures.scatter_figure(_ds, columns=columns, seed=seed)


@st.cache_data(max_entries=8, ttl="1h", show_spinner=False)
def _cached_run_files(
    dataset_key: str, settings: rs.RunSettings, share_link: str, _ds: Dataset, _model: KMeans
) -> export.RunFiles:
    return export.run_files(_ds, settings, _model, share_link)


def cached_run_files(
    ds: Dataset, settings: rs.RunSettings, model: KMeans, share_link: str
) -> export.RunFiles:
    """:func:`dashboard.export.run_files`, cached per dataset, settings and link.

    ``model`` must be the fit of ``ds`` with ``settings`` (as :func:`cached_fit_run` gives).
    """
    return _cached_run_files(ds.key, settings, share_link, ds, model)


@st.cache_data(max_entries=8, ttl="1h", show_spinner=False)
def cached_sweep(
    dataset_key: str,
    k_values: tuple[int, ...],
    n_init: int,
    init: str,
    seed: int,
    _X: np.ndarray,
) -> choose_k.KSweep:
    """:func:`dashboard.choose_k.run_sweep` with a progress bar, cached per dataset and settings.

    The progress bar is created and removed inside the cached function: Streamlit
    replays elements made inside a cached function, so a cache hit shows nothing
    instead of a stale bar.
    """
    bar = st.progress(0.0, text=f"Sweeping K = {k_values[0]}–{k_values[-1]}…")

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=message)

    try:
        return choose_k.run_sweep(
            _X, k_values, n_init=n_init, init=init, seed=seed, progress=progress
        )
    finally:
        bar.empty()


@st.cache_resource(max_entries=8, ttl="1h", show_spinner=False)
def cached_comparison(
    dataset_key: str,
    k: int,
    mode: str,
    init: str,
    seed: int,
    n_init: int,
    max_iter: int,
    tol: float,
    sklearn_seed: int | None,
    n_classes: int | None,
    _X: np.ndarray,
    _truth: np.ndarray | None,
) -> compare.Comparison:
    """:func:`dashboard.compare.run_comparison`, cached per dataset and every setting."""
    return compare.run_comparison(
        _X,
        k,
        mode,
        init=init,
        seed=seed,
        n_init=n_init,
        max_iter=max_iter,
        tol=tol,
        sklearn_seed=sklearn_seed,
        truth=_truth,
        n_classes=n_classes,
    )


@st.cache_data(max_entries=4, ttl="1h", show_spinner=False)
def cached_parse_csv(data: bytes) -> csv_upload.ParsedCSV:
    """:func:`dashboard.csv_upload.parse_csv`, cached per file content."""
    return csv_upload.parse_csv(data)


@st.cache_data(max_entries=16, ttl="1h", show_spinner=False)
def cached_animation_run(
    dataset_key: str,
    centers: np.ndarray,
    n_show: int,
    seed: int,
    max_iter: int,
    tol: float,
    init_label: str,
    _X: np.ndarray,
) -> tuple[animation.AnimationRun, np.ndarray, str | None]:
    """The animated run and the indices of the drawn sample, cached per dataset and settings.

    Returns
    -------
    run : AnimationRun
    idx : ndarray
        Rows drawn on the chart (all rows when there are at most ``n_show``).
    note : str or None
        What the chart shows when it draws a sample.
    """
    idx, note = plotting.display_sample(len(_X), max_points=n_show, seed=seed)
    run = animation.animate_run(_X, centers, idx, init_label=init_label, max_iter=max_iter, tol=tol)
    return run, idx, note


@st.cache_resource(max_entries=4, ttl="1h", show_spinner=False)
def cached_view_2d(
    dataset_key: str, seed: int, _X: np.ndarray, _names: tuple[str, ...]
) -> plotting.View2D:
    """:func:`dashboard.plotting.view_2d` (the PCA when d > 2), cached per dataset and seed."""
    return plotting.view_2d(_X, list(_names), seed=seed)


# --------------------------------------------------------------------------- Speed

SPEED_REPORTS_KEY = "speed_results"
SPEED_MAX_REPORTS = 8
SPEED_FIGURES_KEY = "_speed_figures"


def _speed_reports() -> dict[speed_runs.SpeedRequest, speed_runs.SpeedReport]:
    # Kept per request in the session, so widget changes never re-time and returning to
    # earlier settings shows their result at once; "Run timing" measures again (timings
    # drift, e.g. on a busy server). st.cache_data is not used: it would replay the live
    # progress bar and could never re-measure.
    return st.session_state.setdefault(SPEED_REPORTS_KEY, {})


def speed_report(request: speed_runs.SpeedRequest) -> speed_runs.SpeedReport | None:
    """The last Speed measurement made for ``request`` in this session, if any."""
    return _speed_reports().get(request)


def run_speed(
    request: speed_runs.SpeedRequest,
    X: np.ndarray | None = None,
    check: Callable[[], None] | None = None,
) -> None:
    """:func:`dashboard.speed_runs.measure_speed` with a live status and progress bar.

    The report is kept in the session (the last :data:`SPEED_MAX_REPORTS` requests).
    ``check`` (from :func:`heavy_run`) is called at every progress step.
    """
    label = f"Timing one Lloyd iteration at N = {request.n:,}…"
    with st.status(label, expanded=True) as status:
        bar = st.progress(0.0, text="Preparing data")

        def progress(fraction: float, message: str) -> None:
            if check is not None:
                check()
            bar.progress(min(max(fraction, 0.0), 1.0), text=message)

        report = speed_runs.measure_speed(request, X, progress=progress)
        done = speed_text.timed_label(report.elapsed_s)
        status.update(label=done, state="complete", expanded=False)
    reports = _speed_reports()
    reports.pop(request, None)  # a re-measured request moves to the newest end
    reports[request] = report
    while len(reports) > SPEED_MAX_REPORTS:
        reports.pop(next(iter(reports)))


def speed_figures(
    request: speed_runs.SpeedRequest, report: speed_runs.SpeedReport
) -> tuple[go.Figure, go.Figure]:
    """The bars and the scaling chart of ``report``, built once per measurement.

    Building both takes about 0.1 s; without this every widget change that shows a
    kept result would rebuild them.
    """
    memo = st.session_state.setdefault(SPEED_FIGURES_KEY, {})
    kept = memo.get(request)
    if kept is not None and kept[0] is report:
        return kept[1]
    figures = (
        time_per_iteration_bar(report.result),
        scaling_loglog(report.sweep),
    )
    memo[request] = (report, figures)
    for stale in [r for r in memo if r not in _speed_reports()]:
        del memo[stale]
    return figures


# --------------------------------------------------------------------------- Heavy runs
# One gate per server (st.cache_resource): at most budget.HEAVY_SLOTS heavy runs work at
# once, one per session, the rest queue (FIFO) with their position shown. A run is
# cancelled by its Cancel button (a rerun, which Streamlit delivers at the next UI call
# of the waiting or running script) or when its session is gone (checked by
# Ticket.check between steps, through the runtime's list of connected sessions).

_HEAVY_CANCELLED_KEY = "_heavy_cancelled"


def _session_id() -> str:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "no-session"


def _session_alive(session_id: str) -> bool:
    # Streamlit has no session-end callback (1.67); the runtime knows which sessions are
    # still connected. Without a runtime (AppTest, bare scripts) every session is alive.
    if not st.runtime.exists():
        return True
    return st.runtime.get_instance().is_active_session(session_id)


@st.cache_resource(show_spinner=False)
def heavy_gate() -> budget.HeavyRunGate:
    """The server's one :class:`dashboard.budget.HeavyRunGate`."""
    return budget.HeavyRunGate(session_alive=_session_alive)


def _cancel_heavy(key: str) -> None:
    st.session_state.setdefault(_HEAVY_CANCELLED_KEY, set()).add(key)
    heavy_gate().cancel_session(_session_id())


def confirm_heavy(
    label: str, units: int, key: str, max_iter: int = budget.TYPICAL_ITERATIONS
) -> bool:
    """True if a run may start now: under the per-run cap, or the visitor clicked to run it.

    Over :data:`dashboard.budget.AUTO_RUN_MAX_UNITS` (or after the visitor cancelled
    this run) it shows the estimated time and a button instead, and returns True only
    on the rerun of that click.

    Parameters
    ----------
    label : str
        What the run is ("the sweep of K = 1–10"); our own text, not a user's.
    units : int
        :func:`dashboard.budget.work_units` of the run.
    key : str
        Widget key, unique on the page.
    max_iter : int
    """
    cancelled = key in st.session_state.get(_HEAVY_CANCELLED_KEY, set())
    if not budget.needs_click(units) and not cancelled:
        return True
    seconds = budget.describe_seconds(budget.estimate_seconds(units, max_iter))
    why = "was cancelled" if cancelled else f"is large ({units:,} points × features × K × restarts)"
    st.info(
        f"{label.capitalize()} {why}; it would take {seconds} on this server. "
        f"{budget.cap_sentence()}",
        icon=":material/hourglass_top:",
    )
    if st.button(f"Run it ({seconds})", key=f"_heavy_go_{key}", icon=":material/play_arrow:"):
        st.session_state.get(_HEAVY_CANCELLED_KEY, set()).discard(key)
        return True
    return False


@contextmanager
def heavy_run(label: str, estimate_s: float, key: str) -> Iterator[Callable[[], None]]:
    """Hold a slot of the server's heavy-run gate around a run; yields ``check()``.

    A light run (:func:`dashboard.budget.is_heavy` false) gets a ``check`` that does
    nothing and never queues. A heavy one waits for a slot with its place in line and a
    Cancel button shown, and ``check()`` -- call it from the run's progress callback --
    raises :class:`dashboard.budget.RunCancelled` once the run was cancelled or the
    session went away. The slot is freed on every way out.
    """
    if not budget.is_heavy(estimate_s):
        yield lambda: None
        return
    gate = heavy_gate()
    box = st.empty()
    with box.container():
        line = st.empty()
        st.button(
            "Cancel",
            key=f"_heavy_cancel_{key}",
            on_click=_cancel_heavy,
            args=(key,),
            icon=":material/cancel:",
            type="tertiary",
        )

    def on_wait(position: int) -> None:
        ahead = "is next in line" if position == 1 else f"is number {position} in line"
        line.info(
            f"Waiting for a free slot: {label} {ahead} "
            f"(at most {gate.slots} heavy run{'s' if gate.slots != 1 else ''} at once).",
            icon=":material/schedule:",
        )

    sid = _session_id()
    gate.cancel_session(sid)  # a run of an earlier script run of this session gives way
    try:
        with gate.run(sid, label, estimate_s, on_wait=on_wait) as ticket:
            line.caption(f"Running {label}; other visitors' heavy runs wait until it ends.")
            yield ticket.check
    finally:
        box.empty()


# --------------------------------------------------------------------------- Bound link params


def _is_infinite_number(text: str) -> bool:
    try:
        return math.isinf(float(text))
    except (ValueError, OverflowError):
        return False


def drop_crashing_link_params() -> None:
    """Remove a link's K or seed that Streamlit's own URL binding cannot take.

    Streamlit 1.67 reads a number_input bound to the address with ``int(float(text))``,
    which raises for ``inf``, ``-inf``, ``Infinity`` or ``1e999`` before any of our code
    sees the value. Call after :func:`apply_shared_link` (which has already put the value
    in its notice) and before the sidebar's widgets.
    """
    from streamlit.runtime.state.session_state_proxy import get_session_state

    for key in (rs.K_KEY, rs.SEED_KEY):
        values = st.query_params.get_all(key)
        if not any(_is_infinite_number(v) for v in values):
            continue
        del st.query_params[key]
        # The binding seeds from a snapshot of the address taken when the page loaded;
        # dropping the key from the address alone is not enough. Private API (1.67):
        # if it moves, the AppTest of this function fails rather than the app.
        with get_session_state().query_params() as qp:
            qp._initial_query_params.pop(key, None)
