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

import hashlib
import json
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard import (
    alternatives,
    animation,
    budget,
    choose_k,
    colour_quant,
    column_roles,
    compare,
    csv_upload,
    data_figures,
    export,
    gap_statistic,
    label_matching,
    large_data,
    large_pages,
    plotting,
    profiles,
    runs,
    safe_text,
    share,
    speed_runs,
    speed_scaleout,
    speed_text,
    stability,
    upload_recipe,
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
_UPLOAD_LINK_KEY = "_share_link_upload_file"
# A run's stop hook (see bounded_run): called between steps, raises to stop the run.
Check = Callable[[], None]
T = TypeVar("T")


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
    """Make ``ds`` the dataset every page works on (and end an active large source)."""
    st.session_state[DATASET_KEY] = ds
    st.session_state.pop(LARGE_ACTIVE_KEY, None)


# --------------------------------------------------------------------------- share links


def apply_shared_link() -> None:
    """Apply an incoming shareable link to the session; call before the sidebar, every run.

    The dataset part is applied once per distinct link (remembered in session
    state), so later reruns and a dataset chosen on the Data page are left alone.
    Malformed values give defaults and a warning that stays until dismissed; the
    warning's sentences come from :mod:`dashboard.share` as markdown in which the
    link's text is escaped, so they render literally.
    """
    query = st.query_params.to_dict()
    data = share.dataset_params(query)
    notices: list[str] = []
    first_run = _CHECKED_KEY not in st.session_state
    st.session_state[_CHECKED_KEY] = True
    if data and data != st.session_state.get(_APPLIED_KEY):
        st.session_state[_APPLIED_KEY] = data
        values, notices = share.parse_run_params(query)
        if share.is_upload_link(query):
            # The file cannot travel in a link: say so instead of showing other data.
            st.session_state[_UPLOAD_LINK_KEY] = share.upload_link_file(query) or ""
        else:
            ds, data_notices = share.dataset_from_link(query, values[rs.SEED_KEY])
            notices += data_notices
            if ds is not None:
                set_dataset(ds)
    elif first_run:
        _, notices = share.parse_run_params(query)
    if notices:
        st.session_state[_NOTICES_KEY] = notices
    if first_run and _drop_unusable_run_params(query):
        st.rerun()
    _show_link_notices()
    _show_upload_link_notice()


def _drop_unusable_run_params(query: dict[str, str]) -> bool:
    """Remove the K, init and seed values the notice rejected from the URL; True if any.

    The sidebar widgets read their values from the URL as it was when the run
    started, in their own way (``seed=1e3`` gives 1000, ``k=1e400`` raises), so the
    caller reruns: the widgets then start from the defaults the notice announces.
    Only on a session's first run, before the widgets are bound to the URL.
    """
    unusable = share.unusable_run_keys(query)
    for key in unusable:
        del st.query_params[key]
    return bool(unusable)


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


def _show_upload_link_notice() -> None:
    """The recipient's notice for a link made from an uploaded file (until dismissed)."""
    if _UPLOAD_LINK_KEY not in st.session_state:
        return
    name = st.session_state[_UPLOAD_LINK_KEY]
    st.info(
        "**This link was made from an uploaded file"
        + (f" ({safe_text.literal(name)})" if name else "")
        + ": upload it to reproduce the run.** K, init and seed come from the link; upload "
        "the same CSV on the Data page (with the sender's settings.json next to it for the "
        "same columns and scaling). Until then the data shown is not the sender's.",
        icon=":material/upload_file:",
    )
    st.button(
        "Dismiss",
        key="_share_link_upload_dismiss",
        on_click=lambda: st.session_state.pop(_UPLOAD_LINK_KEY, None),
        type="tertiary",
    )


# --------------------------------------------------------------------------- caches


@st.cache_resource(max_entries=16, ttl="1h", show_spinner=False)
def _cached_fit(
    dataset_key: str, settings: rs.RunSettings, _ds: Dataset, _check: Check | None = None
) -> KMeans:
    return runs.fit_run(_ds, settings, check=_check)


def cached_fit_run(ds: Dataset, settings: rs.RunSettings, check: Check | None = None) -> KMeans:
    """:func:`dashboard.runs.fit_run`, cached per dataset content and run settings.

    Its clusters are renumbered to match the run shown before (:func:`stable_run`), so
    every page that shows the run (Clusters, Export) gives a cluster the same number
    and colour, and a re-run with another seed or K keeps them where it can.
    ``check`` (from :func:`bounded_run`) is the fit's stop hook; it is not part of the key.
    """
    return stable_run(ds, _cached_fit(ds.key, settings, ds, check))


@st.cache_data(max_entries=16, ttl="1h", show_spinner=False)
def cached_scatter(
    dataset_key: str, columns: tuple[int, int] | None, seed: int, _ds: Dataset
) -> tuple[go.Figure, list[str]]:
    """:func:`dashboard.data_figures.scatter_figure`, cached per dataset, view and seed."""
    return data_figures.scatter_figure(_ds, columns=columns, seed=seed)


@st.cache_data(max_entries=8, ttl="1h", show_spinner=False)
def _cached_run_files(
    dataset_key: str,
    settings: rs.RunSettings,
    share_link: str,
    numbering: str,
    _ds: Dataset,
    _model: KMeans,
) -> export.RunFiles:
    return export.run_files(_ds, settings, _model, share_link)


def cached_run_files(
    ds: Dataset, settings: rs.RunSettings, model: KMeans, share_link: str
) -> export.RunFiles:
    """:func:`dashboard.export.run_files`, cached per dataset, settings and link.

    ``model`` must be the fit of ``ds`` with ``settings`` (as :func:`cached_fit_run` gives).
    """
    return _cached_run_files(ds.key, settings, share_link, numbering_key(model), ds, model)


@st.cache_data(max_entries=8, ttl="1h", show_spinner=False)
def cached_sweep(
    dataset_key: str,
    k_values: tuple[int, ...],
    n_init: int,
    init: str,
    seed: int,
    _X: np.ndarray,
    _check: Check | None = None,
) -> choose_k.KSweep:
    """:func:`dashboard.choose_k.run_sweep` with a progress bar, cached per dataset and settings.

    ``_check`` (from :func:`bounded_run`) is the sweep's stop hook, not part of the key.
    """
    with _progress_bar(f"Sweeping K = {k_values[0]}–{k_values[-1]}…") as progress:
        return choose_k.run_sweep(
            _X, k_values, n_init=n_init, init=init, seed=seed, progress=progress, check=_check
        )


@st.cache_resource(max_entries=8, ttl="1h", show_spinner=False)
def _cached_comparison(
    dataset_key: str, params: compare.CompareParams, _ds: Dataset, _check: Check | None = None
) -> compare.Comparison:
    return compare.run_comparison(_ds.X, params, _ds.true_labels, _ds.n_classes, check=_check)


def cached_comparison(
    ds: Dataset, params: compare.CompareParams, check: Check | None = None
) -> compare.Comparison:
    """:func:`dashboard.compare.run_comparison` on ``ds``, cached per dataset and parameters.

    kmeans_core's clusters are renumbered like :func:`cached_fit_run`'s (see
    :func:`stable_comparison`), so Compare, Clusters and Export agree on numbers and colours.
    ``check`` (from :func:`bounded_run`) is the comparison's stop hook, not part of the key.
    """
    return stable_comparison(ds, _cached_comparison(ds.key, params, ds, check))


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
    algorithm: str = "lloyd",
    _check: Check | None = None,
) -> tuple[animation.AnimationRun, np.ndarray, str | None]:
    """The animated run and the indices of the drawn sample, cached per dataset and settings.

    ``_check`` (from :func:`bounded_run`) is the run's stop hook, not part of the key.

    Returns
    -------
    run : AnimationRun
    idx : ndarray
        Rows drawn on the chart (all rows when there are at most ``n_show``).
    note : str or None
        What the chart shows when it draws a sample.
    """
    idx, note = plotting.display_sample(len(_X), max_points=n_show, seed=seed)
    run = animation.animate_run(
        _X,
        centers,
        idx,
        init_label=init_label,
        max_iter=max_iter,
        tol=tol,
        algorithm=algorithm,
        check=_check,
    )
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
        progress = _bar_updater(st.progress(0.0, text="Preparing data"), check)

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


SCALEOUT_RESULTS_KEY = "speed_scaleout_results"


def scaleout_result(key: tuple[int, int, int, int]) -> speed_scaleout.ScaleoutResult | None:
    """The last scale-out sweep for ``key`` = (largest N, d, K, seed) in this session."""
    return st.session_state.get(SCALEOUT_RESULTS_KEY, {}).get(key)


def run_scaleout(key: tuple[int, int, int, int]) -> None:
    """:func:`dashboard.speed_scaleout.run_scaleout` with a live status and progress bar.

    ``key`` = (largest N, d, K, seed); the result is kept in the session (last 4).
    """
    n_max, d, k, seed = key
    with st.status(f"Scale-out up to N = {n_max:,}…", expanded=True) as status:
        progress = _bar_updater(st.progress(0.0, text="Generating data"))

        result = speed_scaleout.run_scaleout(
            speed_scaleout.scaleout_sizes(n_max),
            d,
            k,
            seed,
            clock=time.perf_counter,
            engines=speed_scaleout.ENGINES,
            progress=progress,
        )
        status.update(label="Scale-out measured", state="complete", expanded=False)
    kept = st.session_state.setdefault(SCALEOUT_RESULTS_KEY, {})
    kept.pop(key, None)
    kept[key] = result
    while len(kept) > 4:
        kept.pop(next(iter(kept)))


# --------------------------------------------------------------------------- upload (Data page)


@st.cache_resource(max_entries=8, ttl="1h", show_spinner=False)
def _cached_upload_dataset(
    sha256: str, name: str, recipe_json: str, _parsed: csv_upload.ParsedCSV
) -> Dataset:
    return upload_recipe.build_dataset(_parsed, name, json.loads(recipe_json))


def cached_upload_dataset(
    parsed: csv_upload.ParsedCSV, name: str, recipe: dict[str, Any]
) -> Dataset:
    """:func:`dashboard.upload_recipe.build_dataset`, cached per file content and recipe.

    The Data page builds the dataset on every change of a choice (to preview it);
    the cache makes "Use this data" and re-runs free.
    """
    return _cached_upload_dataset(parsed.sha256, name, json.dumps(recipe, sort_keys=True), parsed)


@st.cache_resource(max_entries=8, ttl="1h", show_spinner=False)
def _cached_suggest(sha256: str, _parsed: csv_upload.ParsedCSV) -> column_roles.Defaults:
    return column_roles.suggest(_parsed)


def cached_suggest(parsed: csv_upload.ParsedCSV) -> column_roles.Defaults:
    """:func:`dashboard.column_roles.suggest`, once per file (about 1 s on a million rows)."""
    return _cached_suggest(parsed.sha256, parsed)


def init_run_settings() -> None:
    """Give the sidebar's K and seed their defaults once, before the widgets are drawn.

    The widgets take their value from session state only (no ``value=``): a button
    that sets K (:func:`use_k`) then raises no "default value but also set via Session
    State" warning, and a link's ``?k=`` still wins on the first run (``bind``).
    """
    st.session_state.setdefault(rs.K_KEY, rs.DEFAULT_K)
    st.session_state.setdefault(rs.SEED_KEY, rs.DEFAULT_SEED)


def set_run_settings(settings: rs.RunSettings) -> None:
    """Set the sidebar's K, init and seed (call from a widget callback, before the sidebar)."""
    st.session_state[rs.K_KEY] = settings.k
    st.session_state[rs.INIT_KEY] = settings.init
    st.session_state[rs.SEED_KEY] = settings.seed


# --------------------------------------------------------------------------- Animate player

ANIM_PLAYER_KEY = "anim_player"
ANIM_CENTERS_KEY = "anim_custom_centers"
ANIM_HANDLED_KEY = "anim_handled_nonce"
ANIM_PRESENT_KEY = "anim_present"


@st.cache_resource(max_entries=8, ttl="1h", show_spinner=False)
def cached_player_data(
    run_key: tuple,
    _run: animation.AnimationRun,
    _points_2d: np.ndarray,
    _view: plotting.View2D,
    voronoi: bool,
) -> dict:
    """:func:`dashboard.animation_figures.player_data`, built once per run (``run_key``).

    A resource cache: the dict is large (every frame) and nothing mutates it, so it is
    handed out without a pickled copy on every rerun.
    """
    from dashboard import animation_figures

    return animation_figures.player_data(
        _run,
        _points_2d,
        _view.project,
        x_title=_view.x_title,
        y_title=_view.y_title,
        voronoi=voronoi,
    )


@st.cache_resource(show_spinner=False)
def _declared_player():
    """The player component, declared once per server (its files served from one folder)."""
    import streamlit.components.v1 as components

    from dashboard import animation_component

    path = animation_component.player_dir()
    return components.declare_component("kmeans_player", path=str(path))


def animate_player(**args) -> dict | None:
    """Mount the browser player (``dashboard/components/animate``) with ``args``.

    Returns the player's last message to Python (an action such as ``start_from``
    or ``drawn`` with a ``nonce``), or None.
    """
    from dashboard import animation_component

    # The files live in the temp folder, which a cleaner may empty on a long-running
    # server: make sure they are there (cheap when they are) before the browser asks.
    animation_component.player_dir()
    return _declared_player()(key=ANIM_PLAYER_KEY, default=None, **args)


def new_player_action() -> dict | None:
    """The player's message if it is new (not handled before in this session), else None."""
    value = st.session_state.get(ANIM_PLAYER_KEY)
    if not isinstance(value, dict) or value.get("nonce") in (
        None,
        st.session_state.get(ANIM_HANDLED_KEY),
    ):
        return None
    st.session_state[ANIM_HANDLED_KEY] = value["nonce"]
    return value


def custom_centers(dataset_key: str) -> np.ndarray | None:
    """Starting centers the presenter placed for this dataset, or None."""
    saved = st.session_state.get(ANIM_CENTERS_KEY)
    if saved and saved[0] == dataset_key:
        return saved[1]
    return None


def set_custom_centers(dataset_key: str, centers: np.ndarray | None) -> None:
    """Remember (or, with None, forget) the presenter's starting centers for this dataset."""
    st.session_state[ANIM_CENTERS_KEY] = None if centers is None else (dataset_key, centers)


def animate_view_from_link() -> tuple[int | None, bool]:
    """The ``step`` and ``present`` parameters of the page's link."""
    query = st.query_params.to_dict()
    return share.parse_step(query), share.parse_present(query)


def set_present_param(on: bool) -> None:
    """Keep ``present=1`` in the address bar while the presenter view is on."""
    if on:
        st.query_params[share.PRESENT_PARAM] = "1"
    elif share.PRESENT_PARAM in st.query_params:
        del st.query_params[share.PRESENT_PARAM]


def animate_link(present: bool) -> str:
    """The Animate page's link with this session's data and settings (the player adds ``step``)."""
    from dashboard import page_registry

    base = share.app_base_url(st.context.url, page_registry.url_paths())
    params = share.link_params(get_dataset(), run_settings())
    params.update(share.view_params(present=present))
    return share.share_url(base, "animate", params)


def present_requested(default: bool) -> bool:
    """Whether the presenter view is on: the toggle once touched, else ``default`` (the link)."""
    return bool(st.session_state.get(ANIM_PRESENT_KEY, default))


# --------------------------------------------------------------------------- clusters

# Centers as last shown, per feature space ((feature names) -> ndarray (k, d)), in display order.
_SHOWN_CENTERS_KEY = "_shown_centers"
# Feature spaces remembered per session (the oldest is forgotten first).
_MAX_SHOWN = 8


def stable_run(ds: Dataset, model: KMeans) -> KMeans:
    """``model`` renumbered to match the clusters shown last for this feature space.

    The session remembers the displayed centers per set of feature names (a generated
    dataset keeps its features when the seed changes, so its colours stay put too).
    Matching a run against its own displayed centers changes nothing, so pages that
    call this in turn agree.
    """
    mapping = label_matching.stable_numbers(shown_centers(ds), model.cluster_centers_)
    shown = label_matching.renumbered_model(model, mapping)
    _remember_shown(ds, shown.cluster_centers_)
    return shown


def stable_comparison(ds: Dataset, cmp: compare.Comparison) -> compare.Comparison:
    """``cmp`` with kmeans_core's clusters numbered as shown last (as :func:`stable_run` does)."""
    mapping = label_matching.stable_numbers(shown_centers(ds), cmp.core.centers)
    shown = compare.renumber_core(cmp, mapping, ds.true_labels, ds.n_classes)
    _remember_shown(ds, shown.core.centers)
    return shown


def _remember_shown(ds: Dataset, centers: np.ndarray) -> None:
    """Remember ``centers`` as the ones shown for ``ds``'s feature space (newest last)."""
    memory: dict[tuple[str, ...], np.ndarray] = st.session_state.setdefault(_SHOWN_CENTERS_KEY, {})
    space = tuple(ds.feature_names)
    memory.pop(space, None)
    memory[space] = np.array(centers)
    while len(memory) > _MAX_SHOWN:
        memory.pop(next(iter(memory)))


def shown_centers(ds: Dataset) -> np.ndarray | None:
    """The centers last shown for this dataset's features (display order), or None."""
    memory = st.session_state.get(_SHOWN_CENTERS_KEY, {})
    return memory.get(tuple(ds.feature_names))


def numbering_key(model: KMeans) -> str:
    """A short key for a run's cluster numbering (caches of renumbered runs key on it)."""
    return hashlib.blake2b(
        np.ascontiguousarray(model.cluster_centers_).tobytes(), digest_size=8
    ).hexdigest()


@st.cache_resource(max_entries=8, ttl="1h", show_spinner=False)
def _cached_profile(
    dataset_key: str, settings: rs.RunSettings, numbering: str, _ds: Dataset, _model: KMeans
) -> profiles.ClusterProfile:
    return profiles.build_profile(_ds, _model.labels_, _model.cluster_centers_)


def cached_profile(ds: Dataset, settings: rs.RunSettings, model: KMeans) -> profiles.ClusterProfile:
    """:func:`dashboard.profiles.build_profile` of ``model``, as :func:`cached_fit_run` gives it."""
    return _cached_profile(ds.key, settings, numbering_key(model), ds, model)


@st.cache_resource(max_entries=4, ttl="1h", show_spinner=False)
def cached_view_3d(
    dataset_key: str,
    axes: tuple[int, int, int] | None,
    seed: int,
    numbering: str,
    _X: np.ndarray,
    _centers: np.ndarray,
    _names: tuple[str, ...],
) -> profiles.View3D:
    """:func:`dashboard.profiles.view_3d`, cached per dataset, axes, seed and run."""
    return profiles.view_3d(_X, _centers, list(_names), axes=axes, seed=seed)


# --------------------------------------------------------------------------- choose k

_K_APPLIED_KEY = "_choose_k_applied"


@contextmanager
def _progress_bar(text: str) -> Iterator[Callable[[float, str], None]]:
    """A progress bar for work inside a cached function, removed when the work ends.

    Made inside the cached function: Streamlit replays elements made there, so a
    cache hit shows nothing instead of a stale bar.
    """
    bar = st.progress(0.0, text=text)
    try:
        yield _bar_updater(bar)
    finally:
        bar.empty()


def _bar_updater(bar, check: Check | None = None) -> Callable[[float, str], None]:
    """``progress(fraction, message)`` for ``bar`` (fraction clamped to [0, 1]).

    ``check`` (a heavy run's stop hook), when given, is called first at every step.
    """

    def progress(fraction: float, message: str) -> None:
        if check is not None:
            check()
        bar.progress(min(max(fraction, 0.0), 1.0), text=message)

    return progress


@st.cache_data(max_entries=8, ttl="1h", show_spinner=False)
def cached_stability(
    dataset_key: str,
    k_values: tuple[int, ...],
    n_runs: int,
    init: str,
    seed: int,
    _X: np.ndarray,
    _check: Check | None = None,
) -> stability.Stability:
    """:func:`dashboard.stability.bootstrap_stability` with a progress bar, cached."""
    with _progress_bar("Stability: fitting resampled data…") as progress:
        return stability.bootstrap_stability(
            _X, k_values, n_runs=n_runs, init=init, seed=seed, progress=progress, check=_check
        )


@st.cache_data(max_entries=8, ttl="1h", show_spinner=False)
def cached_gap(
    dataset_key: str,
    k_values: tuple[int, ...],
    n_refs: int,
    init: str,
    seed: int,
    _X: np.ndarray,
    _check: Check | None = None,
) -> gap_statistic.Gap:
    """:func:`dashboard.gap_statistic.gap_statistic` with a progress bar, cached."""
    with _progress_bar("Gap statistic: clustering reference data…") as progress:
        return gap_statistic.gap_statistic(
            _X, k_values, n_refs=n_refs, init=init, seed=seed, progress=progress, check=_check
        )


def use_k(k: int, from_fragment: bool = False) -> None:
    """Button callback: set the sidebar's K (and so the link's ``k``) to ``k``.

    Set in a callback, before the sidebar widget is drawn, so Streamlit accepts it.
    A button inside a fragment reruns only the fragment: pass ``from_fragment=True``
    and call :func:`rerun_app_if_k_changed` in the fragment, so the sidebar and every
    other part of the page follow the new K.
    """
    st.session_state[rs.K_KEY] = int(min(max(int(k), 1), rs.MAX_K))
    if from_fragment:
        st.session_state[_K_APPLIED_KEY] = True


def rerun_app_if_k_changed() -> None:
    """Inside a fragment: rerun the whole app after :func:`use_k` changed K from it."""
    if st.session_state.pop(_K_APPLIED_KEY, False):
        st.rerun(scope="app")


# --------------------------------------------------------------------------- Beyond K-Means

_ALTERNATIVES_REQUESTED = "_alternatives_requested"


@st.cache_resource(max_entries=8, ttl="1h", show_spinner=False)
def _cached_suggestion(
    dataset_key: str, fallback_k: int, seed: int, sample_size: int, _ds: Dataset
) -> alternatives.Suggestion:
    return alternatives.suggest(
        _ds.X, n_classes=_ds.n_classes, fallback_k=fallback_k, seed=seed, sample_size=sample_size
    )


def cached_suggestion(
    ds: Dataset, fallback_k: int, seed: int, sample_size: int
) -> alternatives.Suggestion:
    """:func:`dashboard.alternatives.suggest` for ``ds``, cached per dataset and settings."""
    return _cached_suggestion(ds.key, fallback_k, seed, sample_size, ds)


@st.cache_resource(max_entries=4, ttl="1h", show_spinner=False)
def _cached_alternatives(
    dataset_key: str,
    params: alternatives.AlternativeParams,
    _ds: Dataset,
    _check: Check | None = None,
) -> alternatives.AlternativesRun:
    return alternatives.run_all(_ds.X, _ds.true_labels, params, check=_check)


def cached_alternatives(
    ds: Dataset, params: alternatives.AlternativeParams, check: Check | None = None
) -> alternatives.AlternativesRun:
    """:func:`dashboard.alternatives.run_all` on ``ds``, cached per dataset and parameters.

    ``check`` (from :func:`bounded_run`) is the run's stop hook, not part of the key.
    """
    return _cached_alternatives(ds.key, params, ds, check)


def alternatives_requested(ds: Dataset, params: alternatives.AlternativeParams) -> bool:
    """Whether the visitor asked for the methods to run on this dataset with these parameters."""
    return (ds.key, params) in st.session_state.get(_ALTERNATIVES_REQUESTED, set())


def request_alternatives(ds: Dataset, params: alternatives.AlternativeParams) -> None:
    """Remember (for this session) that the methods should run on ``ds`` with ``params``."""
    requested = st.session_state.setdefault(_ALTERNATIVES_REQUESTED, set())
    requested.add((ds.key, params))


# --------------------------------------------------------------------------- colour lab


@st.cache_resource(max_entries=2, ttl="1h", show_spinner=False)
def cached_sample_picture(name: str) -> colour_quant.Picture:
    """:func:`dashboard.colour_quant.sample_picture`, loaded once per process."""
    return colour_quant.sample_picture(name)


@st.cache_resource(max_entries=2, ttl="1h", show_spinner=False)
def cached_upload_picture(data: bytes, name: str) -> colour_quant.Picture:
    """:func:`dashboard.colour_quant.read_upload`, cached per file content and name."""
    return colour_quant.read_upload(data, name)


@st.cache_resource(max_entries=8, ttl="1h", show_spinner=False)
def _cached_quantisation(
    picture_key: str, k: int, seed: int, fit_pixels: int, _picture: colour_quant.Picture
) -> colour_quant.Quantisation:
    return colour_quant.quantise(_picture, k, seed, fit_pixels)


def cached_quantisation(
    picture: colour_quant.Picture, k: int, seed: int, fit_pixels: int
) -> colour_quant.Quantisation:
    """:func:`dashboard.colour_quant.quantise`, cached per image, K, seed and sample size."""
    return _cached_quantisation(picture.key, k, seed, fit_pixels, picture)


@st.cache_data(max_entries=8, ttl="1h", show_spinner=False)
def _cached_baseline(picture_key: str, k: int, seed: int, _picture: colour_quant.Picture) -> float:
    return colour_quant.baseline_rmse(_picture, k, seed)


def cached_baseline_rmse(picture: colour_quant.Picture, k: int, seed: int) -> float:
    """:func:`dashboard.colour_quant.baseline_rmse`, cached per image, K and seed."""
    return _cached_baseline(picture.key, k, seed, picture)


@st.cache_resource(max_entries=4, ttl="1h", show_spinner=False)
def _cached_error_curve(
    picture_key: str, seed: int, fit_pixels: int, _picture: colour_quant.Picture
) -> colour_quant.ErrorCurve:
    return colour_quant.error_curve(_picture, seed, fit_pixels)


def cached_error_curve(
    picture: colour_quant.Picture, seed: int, fit_pixels: int
) -> colour_quant.ErrorCurve:
    """:func:`dashboard.colour_quant.error_curve`, cached per image, seed and sample size."""
    return _cached_error_curve(picture.key, seed, fit_pixels, picture)


@st.cache_data(max_entries=4, ttl="1h", show_spinner=False)
def _cached_png(picture_key: str, k: int, seed: int, fit_pixels: int, _image: np.ndarray) -> bytes:
    return colour_quant.png_bytes(_image)


def cached_png(picture: colour_quant.Picture, quant: colour_quant.Quantisation, seed: int) -> bytes:
    """The quantised image as PNG bytes, encoded once per image and settings."""
    return _cached_png(picture.key, quant.k, seed, quant.fit_pixels, quant.image)


# --------------------------------------------------------------------------- Animate numbering


def start_in_shown_order(ds: Dataset, start: np.ndarray, final_centers: np.ndarray) -> np.ndarray:
    """The starting centers reordered so the run ends with the cluster numbers shown elsewhere.

    Lloyd's algorithm is indifferent to the order of its centers, so reordering the
    start renumbers the whole animation. When no page has shown this feature space
    yet, the animation's own numbering becomes the one the other pages follow.

    Parameters
    ----------
    ds : Dataset
    start : ndarray of shape (k, d)
        The animation's starting centers.
    final_centers : ndarray of shape (k, d)
        Where the run from ``start`` ended.

    Returns
    -------
    ndarray
        ``start`` itself when the numbering already agrees, else a reordered copy.
    """
    memory: dict[tuple[str, ...], np.ndarray] = st.session_state.setdefault(_SHOWN_CENTERS_KEY, {})
    space = tuple(ds.feature_names)
    reference = memory.get(space)
    if reference is None:
        memory[space] = np.array(final_centers)
        return start
    mapping = label_matching.stable_numbers(reference, final_centers)
    if np.array_equal(mapping, np.arange(len(mapping))):
        return start
    reordered = np.empty_like(start)
    reordered[mapping] = start
    return reordered


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


@st.cache_resource(show_spinner=False)
def light_gate() -> budget.HeavyRunGate:
    """The server's queue for light runs: :data:`dashboard.budget.LIGHT_SLOTS` at once."""
    return budget.HeavyRunGate(slots=budget.LIGHT_SLOTS, session_alive=_session_alive)


def _light_run(work: Callable[[Check | None], T]) -> T:
    """``work(None)`` for a run under the cap, taking its turn among other visitors' runs.

    A result already cached needs no turn. Otherwise the run waits for one of the
    light slots (first come, first served), with a note if the wait is noticeable;
    a visitor who leaves while waiting is dropped from the line. Light runs are never
    cancelled once started (the cap bounds them).
    """
    try:
        return work(_not_computed)
    except _NotComputed:
        pass
    note = st.empty()
    since, shown = time.monotonic(), [0]

    def waiting(position: int) -> None:
        # A short turn needs no note; a longer one says its place when it changes.
        if time.monotonic() - since < 0.5 or position == shown[0]:
            return
        shown[0] = position
        note.caption(
            f"The server is busy with other visitors' runs; yours is number {position} "
            "in line and starts in a moment."
        )

    gate = light_gate()
    try:
        ticket = gate.enqueue(_session_id(), "a page's run", 0.0)
    except budget.SessionBusy:  # this session's own run holds a slot (a fragment's)
        return work(None)
    try:
        gate.wait(ticket, on_wait=waiting, poll_s=0.25)
    except budget.RunCancelled:  # the visitor left while waiting: nobody to show it to
        st.stop()
    try:
        note.empty()
        return work(None)
    finally:
        gate.release(ticket)


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
        f"{label[:1].upper()}{label[1:]} {why}; it would take {seconds} on this server. "
        f"{budget.cap_sentence()}",
        icon=":material/hourglass_top:",
    )
    if st.button(f"Run it ({seconds})", key=f"_heavy_go_{key}", icon=":material/play_arrow:"):
        st.session_state.get(_HEAVY_CANCELLED_KEY, set()).discard(key)
        return True
    return False


@contextmanager
def heavy_run(
    label: str, estimate_s: float, key: str, *, needs_slot: bool | None = None
) -> Iterator[Callable[[], None]]:
    """Hold a slot of the server's heavy-run gate around a run; yields ``check()``.

    A light run (:func:`dashboard.budget.is_heavy` false, unless ``needs_slot`` says
    otherwise) gets a ``check`` that does nothing and never queues. A heavy one waits
    for a slot with its place in line and a Cancel button shown, and ``check()`` --
    call it between the run's steps -- raises :class:`dashboard.budget.RunCancelled`
    once the run was cancelled or the session went away. The slot is freed on every
    way out.
    """
    if not (budget.is_heavy(estimate_s) if needs_slot is None else needs_slot):
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
        line.info(budget.waiting_sentence(label, position, gate.slots), icon=":material/schedule:")

    sid = _session_id()
    gate.cancel_session(sid)  # a run of an earlier script run of this session gives way
    try:
        with gate.run(sid, label, estimate_s, on_wait=on_wait) as ticket:
            line.caption(f"Running {label}; other visitors' heavy runs wait until it ends.")
            yield _interruptible(ticket.check)
    finally:
        box.empty()


# Seconds between two interrupt points of a running heavy run (see _interruptible).
_INTERRUPT_EVERY_S = 0.25


def _interruptible(check: Check) -> Check:
    """``check`` plus, at most every :data:`_INTERRUPT_EVERY_S`, a Streamlit interrupt point.

    A click on Cancel (or a closed tab) reaches a running script only at its next call
    into Streamlit, and a long fit makes none. Reading session state is such a call
    (Streamlit handles a pending rerun or stop there) and, unlike drawing an element, it
    is not recorded by the cache for replay, so it may run inside cached functions.
    """
    last = time.monotonic()

    def checked() -> None:
        nonlocal last
        check()
        now = time.monotonic()
        if now - last >= _INTERRUPT_EVERY_S:
            last = now
            _ = _HEAVY_CANCELLED_KEY in st.session_state

    return checked


class _NotComputed(Exception):
    """Raised by :func:`_not_computed`: the result is not in the cache yet."""


def _not_computed() -> None:
    # The stop hook of a cache probe: every run calls its check before any work, so a
    # cache hit returns and a miss stops at once, having computed nothing.
    raise _NotComputed


def bounded_run(
    label: str,
    units: int,
    key: str,
    work: Callable[[Check | None], T],
    *,
    max_iter: int = budget.TYPICAL_ITERATIONS,
    clicked: bool = False,
) -> T | None:
    """``work(check)`` within the per-run budget; None if it did not run (the page stops).

    The one gate every page's K-Means work goes through:

    * up to :data:`dashboard.budget.AUTO_RUN_MAX_UNITS` (``units``, see
      :func:`dashboard.budget.work_units`) it runs at once with ``check=None``, as before;
    * over the cap, a result already in the cache (computed by this or any visitor) is
      shown at once; else the estimate and a "Run it" button (:func:`confirm_heavy`), and
      after the click the run takes a slot of the server's gate (:func:`heavy_run`: place
      in line, Cancel) and gets a ``check`` that stops it when cancelled or when the
      session is gone. A cancelled run reruns the page, which offers "Run it" again.

    Parameters
    ----------
    label : str
        What the run is ("the sweep of K = 1–10"); our own text, not a user's.
    units : int
        The run's size in work units.
    key : str
        Unique on the page (widget keys derive from it).
    work : callable
        ``work(check)`` computes and returns the result; it must pass ``check`` to the
        cached functions it calls (each calls it before any work and between steps).
    max_iter : int
        For the estimate.
    clicked : bool
        The page's own button already asked for this run (no "Run it" then, unless
        the run was cancelled).

    Returns
    -------
    The result of ``work``, or None if it waits for a click or could not start.
    """
    cancelled = key in st.session_state.get(_HEAVY_CANCELLED_KEY, set())
    if not budget.needs_click(units) and not cancelled:
        return _light_run(work)
    try:
        return work(_not_computed)
    except _NotComputed:
        pass
    if not (clicked and not cancelled):
        ask = st.empty()
        with ask.container():
            if not confirm_heavy(label, units, key, max_iter):
                return None
        ask.empty()  # clicked: the place in line and Cancel take the question's place
    estimate = budget.estimate_seconds(units, max_iter)
    try:
        with heavy_run(label, estimate, key, needs_slot=True) as check:
            return work(check)
    except budget.RunCancelled:
        if not _session_alive(_session_id()):
            st.stop()  # stopped: session closed -- nobody is left to tell
        # Cancel's own rerun usually gets here first; this covers a check that saw it.
        # The rerun shows "… was cancelled" and offers Run it again.
        st.session_state.setdefault(_HEAVY_CANCELLED_KEY, set()).add(key)
        st.rerun()
    except budget.SessionBusy:
        st.warning(
            "Another heavy run of yours is still under way; try again when it ends.",
            icon=":material/hourglass_top:",
        )
    return None


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

    A session's first run is covered by :func:`apply_shared_link` already (it drops
    every unusable K or seed and reruns); this also covers a later run that seeds the
    widgets from the address again, such as the browser's back button.
    """
    dropped = False
    for key in (rs.K_KEY, rs.SEED_KEY):
        if not any(_is_infinite_number(v) for v in st.query_params.get_all(key)):
            continue
        try:
            del st.query_params[key]
        except StreamlitAPIException:
            # Already bound to the sidebar's widget (not a first run): the widget keeps
            # its value from the session and does not read the address again.
            continue
        dropped = True
    if dropped:
        # The binding seeds from a snapshot of the address taken when the run started,
        # so dropping the key from the address is not enough for this run. Public API
        # only: st.rerun() starts the next run from the address as changed here
        # (Streamlit 1.67 has no public way to change the snapshot itself).
        st.rerun()


def shown_run_or_stop(ds: Dataset, settings: rs.RunSettings, key: str) -> KMeans:
    """The page's run, as :func:`cached_fit_run` gives it, with what the visitor should know.

    Shows the K notice (K clamped to the rows) and the run's notes. A fit over
    :data:`dashboard.budget.AUTO_RUN_MAX_UNITS` that is not in the cache yet (e.g. one
    a shared link started on page load) shows its estimate and a "Run it" button
    instead, and the page stops there until the click; then it queues for a slot and
    can be cancelled (:func:`bounded_run`).
    """
    k, k_notice = runs.usable_k(settings.k, ds.n_samples)
    if k_notice:
        st.warning(k_notice)
    units = budget.work_units(ds.n_samples, ds.n_features, k)

    def fit(check: Check | None) -> KMeans:
        with st.spinner("Fitting K-Means…"):
            return cached_fit_run(ds, settings, check)

    model = bounded_run("the fit", units, key, fit)
    if model is None:
        st.stop()
    for note in runs.run_notes(model):
        st.info(note, icon=":material/info:")
    return model


# --------------------------------------------------------------------------- Large data
# A large source (dashboard.large_pages.ActiveLarge: a lazy dask array) can be the
# session's active dataset. The in-memory dataset stays in session state beside it:
# choosing an in-memory dataset (set_dataset) or "Back to ..." ends the large one.
# Choose K, Compare and Export run on it; the in-memory-only pages offer a sample.

LARGE_ACTIVE_KEY = "large_active"
_LARGE_FITS_KEY = "_large_fits"
_LARGE_MAX_FITS = 4


def large_source() -> large_pages.ActiveLarge | None:
    """The active large source, or None when the pages work on the in-memory dataset."""
    return st.session_state.get(LARGE_ACTIVE_KEY)


def use_large(large: large_pages.ActiveLarge) -> None:
    """Make ``large`` the active dataset (the in-memory dataset is kept for later)."""
    st.session_state[LARGE_ACTIVE_KEY] = large


def drop_large() -> None:
    """Back to the in-memory dataset."""
    st.session_state.pop(LARGE_ACTIVE_KEY, None)


_LARGE_ERROR_KEY = "_large_error"


def _take_sample_into_memory(large: large_pages.ActiveLarge, size: int) -> None:
    """Button callback: a sample of ``large`` becomes the in-memory (and active) dataset."""
    try:
        set_dataset(cached_large_sample(large, size, get_seed()))
    except large_data.LargeDataError as exc:
        st.session_state[_LARGE_ERROR_KEY] = str(exc)


@st.cache_resource(max_entries=4, ttl="1h", show_spinner="Reading a sample of the rows…")
def _cached_large_sample(key: str, size: int, seed: int, _large) -> Dataset:
    return large_pages.sample_dataset(_large, size, seed)


def cached_large_sample(large: large_pages.ActiveLarge, size: int, seed: int) -> Dataset:
    """:func:`dashboard.large_pages.sample_dataset`, cached per source, size and seed."""
    return _cached_large_sample(large.key, int(size), int(seed), large)


@st.cache_data(max_entries=8, ttl="1h", show_spinner="Counting every row into a density image…")
def _cached_density(key: str, columns: tuple[int, int], _large) -> large_pages.Density:
    return large_pages.density_image(_large, columns)


def cached_density(
    large: large_pages.ActiveLarge, columns: tuple[int, int] = (0, 1)
) -> large_pages.Density:
    """:func:`dashboard.large_pages.density_image` of every row (two reads), cached."""
    return _cached_density(large.key, columns, large)


def large_sidebar() -> bool:
    """In the sidebar: the active large source's summary and a way back; False if none."""
    large = large_source()
    if large is None:
        return False
    st.subheader("Dataset")
    st.text(large.source.name)  # a typed pattern or a file name: shown literally
    st.caption(large.summary)
    ds = get_dataset()
    st.button(
        "Back to the in-memory dataset",
        key="_large_back_sidebar",
        on_click=drop_large,
        icon=":material/undo:",
        help=f"{ds.name} ({ds.n_samples:,} rows), kept while the large source was active.",
    )
    return True


def large_sample_for(page_key: str, what: str) -> Dataset:
    """A sample of the active large source for a page, with its size picked and stated.

    ``what`` is the page's work ("The sweep"); the statement reads "The sweep runs on
    50,000 of 20,000,000 rows (a uniform random sample)".
    """
    large = large_source()
    assert large is not None
    size = st.select_slider(
        "Sample size",
        options=large_pages.SAMPLE_CHOICES,
        value=large_pages.DEFAULT_SAMPLE,
        format_func=lambda n: f"{n:,} rows",
        key=f"{page_key}_large_sample",
        help="A uniform random sample of distinct rows (drawn with the sidebar's seed).",
    )
    try:
        ds = cached_large_sample(large, int(size), get_seed())
    except large_data.LargeDataError as exc:
        st.error(safe_text.literal(exc, 400), icon=":material/error:")
        st.stop()
    st.info(
        f"{what} runs {large_pages.sample_statement(ds.n_samples, large.n_rows)} of the "
        f"large source {safe_text.quoted(large.source.name)}.",
        icon=":material/filter_alt:",
    )
    return ds


def in_memory_only_or_stop(page_title: str) -> None:
    """On a page that needs the data in memory: with a large source active, say so and stop.

    Offers to take a sample into memory (it becomes the in-memory dataset) or to go
    back to the in-memory dataset kept beside the large source.
    """
    large = large_source()
    if large is None:
        return
    ds = get_dataset()
    error = st.session_state.pop(_LARGE_ERROR_KEY, None)
    if error:
        st.error(safe_text.literal(error, 400), icon=":material/error:")
    st.info(
        f"{page_title} works on an in-memory dataset; the active dataset is the large "
        f"source {safe_text.quoted(large.source.name)} ({large.n_rows:,} rows, read lazily). "
        "Choose K, Compare and Export work on it directly. Here you can take a uniform "
        f"sample of {large_pages.MEMORY_SAMPLE:,} rows into memory, or go back to the "
        f"in-memory dataset **{ds.markdown_name}**.",
        icon=":material/memory:",
    )
    n = min(large_pages.MEMORY_SAMPLE, large.n_rows)
    row = st.container(horizontal=True)
    row.button(
        f"Take a sample of {n:,} rows into memory",
        key="_large_take_sample",
        type="primary",
        on_click=_take_sample_into_memory,
        args=(large, n),
        icon=":material/download:",
    )
    row.button(
        "Back to the in-memory dataset",
        key="_large_back_page",
        on_click=drop_large,
        icon=":material/undo:",
    )
    st.stop()


def large_fit(large: large_pages.ActiveLarge, k: int, init: str, seed: int):
    """The session's fit of ``large`` with these settings, or None (a LargeFit)."""
    return st.session_state.get(_LARGE_FITS_KEY, {}).get((large.key, k, init, seed))


def _large_job(
    what: str,
    units: int,
    key: str,
    max_iter: int,
    texts: tuple[str, Callable[[int, float], str]],
    work: Callable[[Callable[[int, float], None]], T],
) -> T | None:
    """``work(progress)`` in a heavy-run slot with a bar per iteration; None on error.

    ``texts`` is the bar's first text and a function of (iteration, inertia) for the
    next ones. Errors (K larger than the rows, NaN in a block, a file gone) and a
    cancel are shown, not raised.
    """
    first_text, step_text = texts
    try:
        estimate = budget.estimate_seconds(units)
        with _progress_bar(first_text) as show, heavy_run(f"the {what}", estimate, key) as check:

            def progress(iteration: int, inertia: float) -> None:
                check()
                show(iteration / max_iter, step_text(iteration, inertia))

            return work(progress)
    except (ValueError, OSError) as exc:
        st.error(safe_text.literal(exc, 400), icon=":material/error:")
        return None
    except budget.RunCancelled:
        st.info(f"The {what} was cancelled.", icon=":material/cancel:")
        return None


def run_large_fit(large: large_pages.ActiveLarge, k: int, init: str, seed: int, max_iter: int):
    """Fit on Dask with a progress bar per iteration, in a heavy-run slot; the fit or None.

    Errors (K larger than the rows, NaN in a block, ...) are shown, not raised.
    """
    fit = _large_job(
        f"fit of {large.n_rows:,} rows on Dask",
        budget.work_units(large.n_rows, large.n_features, k),
        f"large_fit_{k}",
        max_iter,
        (
            "Reading the data once (checks, mean, initial centers)…",
            lambda it, inertia: f"Iteration {it} of at most {max_iter}: inertia {inertia:,.6g}",
        ),
        lambda progress: large_data.fit_large(
            large.source, k, init=init, seed=seed, max_iter=max_iter, progress=progress
        ),
    )
    if fit is not None:
        remember_large_fit(large, k, init, seed, fit)
    return fit


def remember_large_fit(large: large_pages.ActiveLarge, k: int, init: str, seed: int, fit) -> None:
    """Keep a fit for :func:`large_fit` (the last few per session)."""
    fits = st.session_state.setdefault(_LARGE_FITS_KEY, {})
    fits.pop((large.key, k, init, seed), None)
    while len(fits) >= _LARGE_MAX_FITS:
        fits.pop(next(iter(fits)))
    fits[(large.key, k, init, seed)] = fit


_LARGE_COMPARE_KEY = "_large_comparison"


def large_comparison(request: tuple):
    """The session's last large comparison if it was made for ``request``, else None."""
    shown = st.session_state.get(_LARGE_COMPARE_KEY)
    return shown[1] if shown is not None and shown[0] == request else None


def run_large_comparison(large: large_pages.ActiveLarge, request: tuple, **params):
    """:func:`dashboard.large_pages.compare_large` with per-iteration progress; None on error.

    ``request`` identifies the comparison for :func:`large_comparison`; ``params`` are
    ``k, seed, reference, sample_size, max_iter``.
    """
    result = _large_job(
        "large comparison",
        2 * budget.work_units(large.n_rows, large.n_features, int(params["k"])),
        "large_cmp",
        int(params["max_iter"]),
        (
            "kmeans_core on Dask: reading the data once…",
            lambda it, inertia: (
                f"kmeans_core on Dask, iteration {it}: inertia {inertia:,.6g} "
                "(then the reference, and inertia of both on every row)"
            ),
        ),
        lambda progress: large_pages.compare_large(large, progress=progress, **params),
    )
    if result is not None:
        st.session_state[_LARGE_COMPARE_KEY] = (request, result)
    return result


def large_density_chart(large: large_pages.ActiveLarge, key: str, centers=None) -> None:
    """Two column pickers (with more than two columns), the density of every row, its note.

    ``centers`` (K x d, the data's units) are drawn on top when given.
    """
    names = large.source.feature_names
    columns = (0, 1 if large.n_features > 1 else 0)
    if large.n_features > 2:
        c1, c2 = st.columns(2)
        idx = list(range(large.n_features))
        i = c1.selectbox("x axis", idx, format_func=names.__getitem__, key=f"{key}_x")
        j = c2.selectbox("y axis", idx, index=1, format_func=names.__getitem__, key=f"{key}_y")
        columns = (int(i), int(j))
    try:
        density = cached_density(large, columns)
    except large_data.LargeDataError as exc:
        st.error(safe_text.literal(exc, 400), icon=":material/error:")
        return
    st.plotly_chart(large_pages.density_figure(density, names, centers), key=f"{key}_plot")
    st.caption(density.note + (" Crosses: the centers." if centers is not None else ""))


# --------------------------------------------------------------------------- Animate start


@st.cache_resource(max_entries=16, ttl="1h", show_spinner=False)
def _cached_start(
    dataset_key: str, k: int, init: str, seed: int, _X: np.ndarray, _check: Check | None = None
) -> np.ndarray:
    if _check is not None:
        _check()  # k-means++ on all the rows costs about a fifth of a run
    return runs.initial_centers(_X, k, init, seed)


def cached_initial_centers(
    ds: Dataset, k: int, settings: rs.RunSettings, check: Check | None = None
) -> np.ndarray:
    """:func:`dashboard.runs.initial_centers` of ``ds``, cached per dataset, K, init and seed.

    ``check`` (from :func:`bounded_run`) is called before the work; not part of the key.
    """
    return _cached_start(ds.key, k, settings.init, settings.seed, ds.X, check)
