"""Animate: Lloyd's algorithm moving, step by step (layout and widgets only).

The player runs in the browser (dashboard/components/animate): stepping, scrubbing,
playing, the keyboard and the by-hand mode never wait for the server. The server
computes the real run (kmeans_core's lloyd_steps) inside a fragment, so changing a
run setting or sending centroids from the player reruns only that fragment.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import animation, budget, generators, runs
from dashboard import run_settings as rs
from dashboard import streamlit_glue as glue
from dashboard.animation_figures import SPEEDS_MS
from dashboard.dataset import Dataset
from dashboard.plotting import display_sample
from dashboard.safe_text import literal

# Largest sample the player draws (SVG stays smooth up to about this many; see the README).
ANIMATE_MAX_POINTS = 5000
TOLERANCES = (0.0, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1)
ALGORITHMS = ("lloyd", "elkan", "hamerly", "tree", "auto")
# Shapes a presenter reaches for, in teaching order (the Data page has all settings).
DEMO_KINDS = (
    "blobs",
    "smiley",
    "packed_circles",
    "density_bar",
    "anisotropic",
    "unequal_variance",
    "unequal_sizes",
    "moons",
    "circles",
)
DEMO_KEY = "anim_demo_kind"
CURRENT = "current"
# Presenter view: no sidebar or header, a tight top, larger widget text.
PRESENT_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], header[data-testid="stHeader"] { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container {
  padding: 0.6rem 1rem 0.5rem 1rem !important; max-width: 100% !important; }
[data-testid="stWidgetLabel"] p, .stSelectbox div, .stNumberInput input {
  font-size: 16px !important; }
</style>"""


def _use_demo_shape() -> None:
    """Make the picked teaching shape the dataset, with its true K in the sidebar."""
    kind = st.session_state.get(DEMO_KEY, CURRENT)
    if kind == CURRENT:
        return
    ds = generators.dataset_from_recipe(generators.default_recipe(kind), glue.get_seed())
    glue.set_dataset(ds)
    if ds.n_classes:
        st.session_state[rs.K_KEY] = ds.n_classes
    st.session_state[DEMO_KEY] = CURRENT


def _settings_row(present: bool) -> tuple[int, float, str]:
    """Dataset, max iterations, tolerance, algorithm and the presenter toggle, in one row."""
    c1, c2, c3, c5, c4 = st.columns([2, 1, 1.3, 1, 1.2], vertical_alignment="bottom")
    c1.selectbox(
        "Data",
        (CURRENT, *DEMO_KINDS),
        key=DEMO_KEY,
        format_func=lambda k: "Keep the current data" if k == CURRENT else generators.TITLES[k],
        on_change=_use_demo_shape,
        help="Shapes that show where K-Means works and where it fails; "
        "picking one sets K to its true number of groups. Or press “Draw” in the player.",
    )
    max_iter = c2.number_input(
        "Max iterations", min_value=1, max_value=300, value=30, key="anim_max_iter"
    )
    tol = c3.select_slider(
        "Tolerance",
        options=TOLERANCES,
        value=1e-4,
        key="anim_tol",
        format_func=lambda t: "0 (until no point changes)" if t == 0 else f"{t:g}",
        help="Stop when the total squared centroid shift is at most tol × mean feature variance.",
    )
    algorithm = c5.selectbox(
        "Algorithm",
        ALGORITHMS,
        key="anim_algorithm",
        format_func=str.capitalize,
        help="Same steps from the same start. Elkan and Hamerly keep triangle-inequality "
        "bounds and skip distances they rule out; the tree labels whole grid cells that "
        "lie in one centroid's region (up to 8 features). The captions say how many "
        "distances were skipped. Auto takes the tree on large 1- or 2-feature data, else "
        "Lloyd while many labels change, then Hamerly (Lloyd throughout below 16 features).",
    )
    c4.toggle(
        "Presenter view",
        key=glue.ANIM_PRESENT_KEY,
        value=present,
        help="Full-width chart, no sidebar, large captions. Also: add ?present=1 to the link.",
    )
    return int(max_iter), float(tol), str(algorithm)


def _handle_player_action(ds: Dataset, view, idx: np.ndarray) -> None:
    """Act on what the player sent: centroids to start from, or drawn points."""
    action = glue.new_player_action()
    if action is None:
        return
    try:
        if action.get("action") == "drawn":
            glue.set_dataset(generators.drawn_dataset(action.get("points")))
            glue.set_custom_centers(ds.key, None)
            st.rerun(scope="app")
        elif action.get("action") == "start_from":
            centers = animation.centers_from_clicks(
                action.get("centers") or [], ds.X, view.points[idx], idx
            )
            glue.set_custom_centers(ds.key, centers)
    except ValueError as exc:
        st.error(str(exc), icon=":material/error:")


def _start_centers(
    ds: Dataset, k: int, settings: rs.RunSettings, check=None
) -> tuple[np.ndarray, str]:
    """The presenter's own centroids if they placed some, else the sidebar's init."""
    custom = glue.custom_centers(ds.key)
    if custom is not None:
        return custom, f"your {len(custom)} centroid{'s' if len(custom) != 1 else ''}"
    centers = glue.cached_initial_centers(ds, k, settings, check)
    return centers, f"{settings.init} (seed {settings.seed})"


def _run_notes(ds: Dataset, run: animation.AnimationRun, sample_note: str | None, view) -> None:
    """What the chart shows and leaves out, under it."""
    d = ds.n_features
    notes = [sample_note, view.note]
    if d > 2:
        notes.append(
            f"No Voronoi regions in the real run: with {d} features the regions live in "
            f"{d}-D space. Centroids are projected into the same PCA view; the by-hand mode "
            "works in this 2-D view."
        )
    if run.skipped_iterations:
        notes.append(
            f"The run took {run.n_iter} iterations; the animation shows {len(run.frames)} "
            f"frames and skips {run.skipped_iterations} iterations in the middle."
        )
    for note in notes:
        if note:
            st.caption(note)


def _run_summary(run: animation.AnimationRun) -> None:
    """Iterations, inertia, empty clusters, the stop reason and every step in words."""
    final = run.frames[-1]
    first = run.frames[1].inertia if len(run.frames) > 1 else final.inertia
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Iterations", run.n_iter)
    m2.metric("Steps (assign + update)", run.n_steps)
    m3.metric("Final inertia", f"{final.inertia:,.4g}" if final.inertia is not None else "—")
    drop = f"{(1 - final.inertia / first):.1%}" if first and final.inertia is not None else "—"
    m4.metric("Inertia drop", drop, help="From the first assignment to the end.")
    relocated = [(f.iteration, f.relocated) for f in run.frames if f.relocated]
    if relocated:
        said = "; ".join(
            f"iteration {it}: {', '.join(str(c + 1) for c in r)}" for it, r in relocated
        )
        st.caption(
            f"Empty clusters were relocated ({said}): as in scikit-learn, an empty cluster's "
            "centroid moves to the point farthest from its own centroid, so K clusters remain."
        )
    with st.expander("Every step, in words"):
        st.dataframe(
            pd.DataFrame(
                {
                    "frame": range(len(run.frames)),
                    "step": [f.title for f in run.frames],
                    "inertia": [f.inertia for f in run.frames],
                    "what happened": [f.caption for f in run.frames],
                }
            ),
            hide_index=True,
            width="stretch",
        )


@st.fragment
def player(present: bool, step: int | None, dataset_key: str) -> None:
    """The run and the player: a player message or a setting here reruns only this part."""
    ds = glue.get_dataset()
    settings = glue.run_settings()
    if ds.key != dataset_key or glue.present_requested(present) != present:
        # A new dataset or the presenter view changes the whole page (sidebar, layout).
        st.rerun(scope="app")
    k, k_notice = runs.usable_k(settings.k, ds.n_samples)
    if k_notice:
        st.warning(k_notice, icon=":material/warning:")
    max_iter, tol, algorithm = _settings_row(present)
    view = glue.cached_view_2d(ds.key, settings.seed, ds.X, tuple(ds.feature_names))
    idx, _ = display_sample(ds.n_samples, ANIMATE_MAX_POINTS, settings.seed)
    _handle_player_action(ds, view, idx)
    units = budget.work_units(ds.n_samples, ds.n_features, k)

    def animated_run(check):
        centers, init_label = _start_centers(ds, k, settings, check)

        def animated(start: np.ndarray):
            return glue.cached_animation_run(
                ds.key,
                start,
                ANIMATE_MAX_POINTS,
                settings.seed,
                max_iter,
                tol,
                init_label,
                ds.X,
                algorithm,
                check,
            )

        run, idx, sample_note = animated(centers)
        # Cluster numbers and colours as on the other pages (at most one more cached run).
        shown_order = glue.start_in_shown_order(ds, centers, run.frames[-1].centers)
        if shown_order is not centers:
            centers = shown_order
            run, idx, sample_note = animated(centers)
        return centers, run, idx, sample_note

    try:
        # Over the per-run cap: waits for the presenter's click and a slot.
        done = glue.bounded_run("the run", units, "animate", animated_run, max_iter=max_iter)
    except ValueError as exc:
        st.error(f"The run failed: {exc}", icon=":material/error:")
        return
    if done is None:
        return
    centers, run, idx, sample_note = done
    run_key = (ds.key, centers.tobytes(), max_iter, tol, settings.seed, algorithm)
    data = glue.cached_player_data(run_key, run, view.points[idx], view, ds.n_features <= 2)
    glue.animate_player(
        data=data,
        run_id=str(hash(run_key)),
        dataset_key=ds.key,
        start=step or 0,
        present=present,
        k=k,
        speed_ms=SPEEDS_MS["normal"],
        mode="run",
        manual_centers=np.asarray(view.project(run.frames[0].centers)).round(5).tolist(),
        link=glue.animate_link(present),
    )
    if glue.custom_centers(ds.key) is not None:
        st.button(
            f"Start from the sidebar's init ({settings.init}) again",
            on_click=glue.set_custom_centers,
            args=(ds.key, None),
            icon=":material/restart_alt:",
        )
    if not present:
        _run_notes(ds, run, sample_note, view)
        _run_summary(run)


step_from_link, present_from_link = glue.animate_view_from_link()
present_on = glue.present_requested(present_from_link)
glue.set_present_param(present_on)
if present_on:
    st.html(PRESENT_CSS)
else:
    st.title("Animate Lloyd's algorithm")
    st.caption(
        "K-Means alternates two steps: **assignment** (every point joins its nearest centroid) "
        "and **update** (every centroid moves to the mean of its points), until nothing changes. "
        "Step with → / ←, play with Space, or switch to **By hand** and do the steps yourself. "
        f"Dataset: {literal(glue.get_dataset().name)}."
    )
glue.in_memory_only_or_stop("Animate")
player(present_on, step_from_link, glue.get_dataset().key)
