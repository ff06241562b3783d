"""Everything of the dashboard layer that talks to Streamlit: session state, caches, links.

Pages call this module for the current dataset and run settings, for cached
results (each cache wraps a plain, tested function of another dashboard module)
and for applying an incoming share link. Every other dashboard module is plain
Python that tests call directly, without Streamlit.

Caches: ``st.cache_resource`` for results holding arrays of the data's length
(no pickling copy on every rerun; nothing mutates them), ``st.cache_data`` for
small results. Arguments named with a leading underscore are not hashed: the
dataset's content key stands for them.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from dashboard import (
    alternatives,
    animation,
    choose_k,
    colour_quant,
    compare,
    csv_upload,
    data_figures,
    export,
    plotting,
    runs,
    share,
)
from dashboard import run_settings as rs
from dashboard.dataset import Dataset, default_dataset
from dashboard.generators import dataset_from_recipe
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


@st.cache_resource(max_entries=16, show_spinner=False)
def _cached_fit(dataset_key: str, settings: rs.RunSettings, _ds: Dataset) -> KMeans:
    return runs.fit_run(_ds, settings)


def cached_fit_run(ds: Dataset, settings: rs.RunSettings) -> KMeans:
    """:func:`dashboard.runs.fit_run`, cached per dataset content and run settings."""
    return _cached_fit(ds.key, settings, ds)


@st.cache_data(max_entries=16, show_spinner=False)
def cached_scatter(
    dataset_key: str, columns: tuple[int, int] | None, seed: int, _ds: Dataset
) -> tuple[go.Figure, list[str]]:
    """:func:`dashboard.data_figures.scatter_figure`, cached per dataset, view and seed."""
    return data_figures.scatter_figure(_ds, columns=columns, seed=seed)


@st.cache_data(max_entries=8, show_spinner=False)
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


@st.cache_data(max_entries=8, show_spinner=False)
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


@st.cache_resource(max_entries=8, show_spinner=False)
def _cached_comparison(
    dataset_key: str, params: compare.CompareParams, _ds: Dataset
) -> compare.Comparison:
    return compare.run_comparison(_ds.X, params, _ds.true_labels, _ds.n_classes)


def cached_comparison(ds: Dataset, params: compare.CompareParams) -> compare.Comparison:
    """:func:`dashboard.compare.run_comparison` on ``ds``, cached per dataset and parameters."""
    return _cached_comparison(ds.key, params, ds)


@st.cache_data(max_entries=4, show_spinner=False)
def cached_parse_csv(data: bytes) -> csv_upload.ParsedCSV:
    """:func:`dashboard.csv_upload.parse_csv`, cached per file content."""
    return csv_upload.parse_csv(data)


@st.cache_data(max_entries=16, show_spinner=False)
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


@st.cache_resource(max_entries=4, show_spinner=False)
def cached_view_2d(
    dataset_key: str, seed: int, _X: np.ndarray, _names: tuple[str, ...]
) -> plotting.View2D:
    """:func:`dashboard.plotting.view_2d` (the PCA when d > 2), cached per dataset and seed."""
    return plotting.view_2d(_X, list(_names), seed=seed)


# --------------------------------------------------------------------------- Beyond K-Means

_ALTERNATIVES_REQUESTED = "_alternatives_requested"


@st.cache_resource(max_entries=8, show_spinner=False)
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


@st.cache_resource(max_entries=4, show_spinner=False)
def _cached_alternatives(
    dataset_key: str, params: alternatives.AlternativeParams, _ds: Dataset
) -> alternatives.AlternativesRun:
    return alternatives.run_all(_ds.X, _ds.true_labels, params)


def cached_alternatives(
    ds: Dataset, params: alternatives.AlternativeParams
) -> alternatives.AlternativesRun:
    """:func:`dashboard.alternatives.run_all` on ``ds``, cached per dataset and parameters."""
    return _cached_alternatives(ds.key, params, ds)


def alternatives_requested(ds: Dataset, params: alternatives.AlternativeParams) -> bool:
    """Whether the visitor asked for the methods to run on this dataset with these parameters."""
    return (ds.key, params) in st.session_state.get(_ALTERNATIVES_REQUESTED, set())


def request_alternatives(ds: Dataset, params: alternatives.AlternativeParams) -> None:
    """Remember (for this session) that the methods should run on ``ds`` with ``params``."""
    requested = st.session_state.setdefault(_ALTERNATIVES_REQUESTED, set())
    requested.add((ds.key, params))


# --------------------------------------------------------------------------- colour lab


@st.cache_resource(max_entries=2, show_spinner=False)
def cached_sample_picture(name: str) -> colour_quant.Picture:
    """:func:`dashboard.colour_quant.sample_picture`, loaded once per process."""
    return colour_quant.sample_picture(name)


@st.cache_resource(max_entries=2, show_spinner=False)
def cached_upload_picture(data: bytes, name: str) -> colour_quant.Picture:
    """:func:`dashboard.colour_quant.read_upload`, cached per file content and name."""
    return colour_quant.read_upload(data, name)


@st.cache_resource(max_entries=8, show_spinner=False)
def _cached_quantisation(
    picture_key: str, k: int, seed: int, fit_pixels: int, _picture: colour_quant.Picture
) -> colour_quant.Quantisation:
    return colour_quant.quantise(_picture, k, seed, fit_pixels)


def cached_quantisation(
    picture: colour_quant.Picture, k: int, seed: int, fit_pixels: int
) -> colour_quant.Quantisation:
    """:func:`dashboard.colour_quant.quantise`, cached per image, K, seed and sample size."""
    return _cached_quantisation(picture.key, k, seed, fit_pixels, picture)


@st.cache_data(max_entries=8, show_spinner=False)
def _cached_baseline(picture_key: str, k: int, seed: int, _picture: colour_quant.Picture) -> float:
    return colour_quant.baseline_rmse(_picture, k, seed)


def cached_baseline_rmse(picture: colour_quant.Picture, k: int, seed: int) -> float:
    """:func:`dashboard.colour_quant.baseline_rmse`, cached per image, K and seed."""
    return _cached_baseline(picture.key, k, seed, picture)


@st.cache_resource(max_entries=4, show_spinner=False)
def _cached_error_curve(
    picture_key: str, seed: int, fit_pixels: int, _picture: colour_quant.Picture
) -> colour_quant.ErrorCurve:
    return colour_quant.error_curve(_picture, seed, fit_pixels)


def cached_error_curve(
    picture: colour_quant.Picture, seed: int, fit_pixels: int
) -> colour_quant.ErrorCurve:
    """:func:`dashboard.colour_quant.error_curve`, cached per image, seed and sample size."""
    return _cached_error_curve(picture.key, seed, fit_pixels, picture)


@st.cache_data(max_entries=4, show_spinner=False)
def _cached_png(picture_key: str, k: int, seed: int, fit_pixels: int, _image: np.ndarray) -> bytes:
    return colour_quant.png_bytes(_image)


def cached_png(picture: colour_quant.Picture, quant: colour_quant.Quantisation, seed: int) -> bytes:
    """The quantised image as PNG bytes, encoded once per image and settings."""
    return _cached_png(picture.key, quant.k, seed, quant.fit_pixels, quant.image)
