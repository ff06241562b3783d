"""Animate: Lloyd's algorithm moving, step by step (layout and widgets only)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import runs
from dashboard import streamlit_glue as glue
from dashboard.animation import (
    STOP_EXPLANATIONS,
    picked_centers,
    picks_from_selection,
)
from dashboard.animation_figures import SPEEDS_MS, animation_figure, pick_figure
from dashboard.plotting import display_sample

# Largest sample the SVG animation plays smoothly in a browser (measured; see the report).
ANIMATE_MAX_POINTS = 5000
TOLERANCES = (0.0, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1)
PICK_KEY = "anim_picks"
STEP_KEY = "anim_step"


def _pick_state(ds_key: str) -> dict:
    """Centroids clicked so far for this dataset (reset when the dataset changes)."""
    ps = st.session_state.get(PICK_KEY)
    if not ps or ps.get("dataset") != ds_key:
        ps = {"dataset": ds_key, "points": [], "seen": [], "nonce": 0}
        st.session_state[PICK_KEY] = ps
    return ps


def _clear_picks() -> None:
    ps = st.session_state.get(PICK_KEY)
    if ps:
        ps.update(points=[], seen=[], nonce=ps["nonce"] + 1)


ds = glue.get_dataset()
settings = glue.run_settings()

st.title("Animate Lloyd's algorithm")
st.caption(
    "K-Means alternates two steps: **assignment** (every point joins its nearest centroid) "
    "and **update** (every centroid moves to the mean of its points), until nothing changes. "
    "Press ▶ Play, drag the slider, or step one frame at a time."
)

k, k_notice = runs.usable_k(settings.k, ds.n_samples)
if k_notice:
    st.warning(k_notice, icon=":material/warning:")

c1, c2, c3, c4 = st.columns([1.5, 1, 1, 1.2])
start_labels = {
    "sidebar": f"sidebar init ({settings.init})",
    "click": "points I click on the chart",
}
start_from = c1.radio(
    "Start from",
    list(start_labels),
    format_func=start_labels.get,
    key="anim_start",
    horizontal=True,
    help="K, init and seed are in the sidebar; or click your own starting centroids.",
)
max_iter = int(
    c2.number_input("Max iterations", min_value=1, max_value=300, value=30, key="anim_max_iter")
)
tol = float(
    c3.select_slider(
        "Tolerance",
        options=TOLERANCES,
        value=1e-4,
        key="anim_tol",
        format_func=lambda t: "0 (until labels stop changing)" if t == 0 else f"{t:g}",
        help="Stop when the total squared centroid shift is at most tol × mean feature variance.",
    )
)
speed = c4.select_slider(
    "Speed",
    options=list(SPEEDS_MS),
    value="normal",
    key="anim_speed",
    help="Time per frame when playing.",
)

view = glue.cached_view_2d(ds.key, settings.seed, ds.X, tuple(ds.feature_names))
d = ds.n_features
picking = start_from == "click"

# --- initial centers -----------------------------------------------------------------
centers = None
if picking:
    ps = _pick_state(ds.key)
    idx_show, sample_note = display_sample(ds.n_samples, ANIMATE_MAX_POINTS, settings.seed)
    if len(ps["points"]) < k:
        st.info(
            f"**Click {k} starting centroids on the chart** ({k - len(ps['points'])} to go)"
            + (" — on points or on empty space." if d <= 2 else " — on data points.")
            + " Then the animation starts from them.",
            icon=":material/ads_click:",
        )
        picked_2d = np.array([(x, y) for x, y, _ in ps["points"]]).reshape(-1, 2)
        fig = pick_figure(
            view.points[idx_show],
            picked_2d,
            x_title=view.x_title,
            y_title=view.y_title,
            allow_empty_space=d <= 2,
            equal_aspect=d >= 2,
        )
        event = st.plotly_chart(
            fig,
            on_select="rerun",
            selection_mode="points",
            theme=None,
            key=f"anim_pick_chart_{ps['nonce']}",
        )
        selected = picks_from_selection(
            event.selection.points if event else [],
            idx_show,
            grid_curve=1 if d <= 2 else None,
        )
        # The selection persists across reruns: only a new selection adds a pick.
        if selected and selected != ps["seen"]:
            ps["seen"] = selected
            ps["points"].extend(p for p in selected if p not in ps["points"])
            st.rerun()
        if ps["points"]:
            st.button("Clear picked points", on_click=_clear_picks, icon=":material/delete:")
        for note in (sample_note, view.note):
            if note:
                st.caption(note)
        st.stop()
    try:
        centers = picked_centers(ps["points"][:k], ds.X)
    except ValueError as exc:
        st.error(str(exc))
        st.button("Clear picked points", on_click=_clear_picks)
        st.stop()
    init_label = "your clicks"
    st.button("Clear picks and click again", on_click=_clear_picks, icon=":material/restart_alt:")
else:
    try:
        centers = runs.initial_centers(ds.X, k, settings.init, settings.seed)
    except ValueError as exc:
        st.error(f"Could not place the initial centroids: {exc}")
        st.stop()
    init_label = f"{settings.init} (seed {settings.seed})"

# --- run -----------------------------------------------------------------------------
try:
    with st.spinner(f"Running Lloyd's algorithm on all {ds.n_samples:,} rows…"):
        run, idx, sample_note = glue.cached_animation_run(
            ds.key, centers, ANIMATE_MAX_POINTS, settings.seed, max_iter, tol, init_label, ds.X
        )
except ValueError as exc:
    st.error(f"The run failed: {exc}")
    st.stop()

n_frames = len(run.frames)
signature = (ds.key, centers.tobytes(), max_iter, tol)
if st.session_state.get("anim_signature") != signature:
    st.session_state["anim_signature"] = signature
    st.session_state[STEP_KEY] = 0
step = int(np.clip(st.session_state.get(STEP_KEY, 0), 0, n_frames - 1))

fig = animation_figure(
    run,
    view.points[idx],
    view.project,
    x_title=view.x_title,
    y_title=view.y_title,
    voronoi=d <= 2,
    frame_ms=SPEEDS_MS[speed],
    active=step,
    equal_aspect=d >= 2,
)
st.plotly_chart(fig, key="anim_chart", theme=None, config={"displaylogo": False})


def _go(to: int) -> None:
    st.session_state[STEP_KEY] = int(np.clip(to, 0, n_frames - 1))


b1, b2, b3, b4, b5 = st.columns([1, 1, 1, 1, 3])
b1.button(
    "Start",
    key="anim_first",
    on_click=_go,
    args=(0,),
    width="stretch",
    disabled=step == 0,
    icon=":material/first_page:",
)
b2.button(
    "Back",
    key="anim_back",
    on_click=_go,
    args=(step - 1,),
    width="stretch",
    disabled=step == 0,
    icon=":material/chevron_left:",
)
b3.button(
    "Forward",
    key="anim_forward",
    icon=":material/chevron_right:",
    on_click=_go,
    args=(step + 1,),
    width="stretch",
    disabled=step == n_frames - 1,
)
b4.button(
    "End",
    key="anim_last",
    icon=":material/last_page:",
    on_click=_go,
    args=(n_frames - 1,),
    width="stretch",
    disabled=step == n_frames - 1,
)
b5.caption(
    f"Buttons step the chart to frame **{step} of {n_frames - 1}** ({run.frames[step].title}); "
    "▶ Play and the slider run in your browser."
)

if sample_note:
    sample_note += (
        f" The animation draws at most {ANIMATE_MAX_POINTS:,} points: every frame is redrawn "
        "as SVG, which stays smooth up to about that many."
    )
notes = [sample_note, view.note]
if d > 2:
    notes.append(
        f"No Voronoi regions: with {d} features the regions live in {d}-D space, and their "
        "2-D shadow would not match the colours. Centroids are projected into the same PCA view."
    )
if run.skipped_iterations:
    notes.append(
        f"The run took {run.n_iter} iterations; the animation shows {n_frames} frames "
        f"and skips {run.skipped_iterations} iterations in the middle (the inertia curve "
        "shows the frames shown)."
    )
for note in notes:
    if note:
        st.caption(note)

relocations = [(f.iteration, f.relocated) for f in run.frames if f.relocated]
if relocations:
    said = "; ".join(
        f"iteration {it}: cluster{'s' if len(r) > 1 else ''} {', '.join(str(c + 1) for c in r)}"
        for it, r in relocations
    )
    st.warning(
        "**Empty clusters happened** — " + said + ". kmeans_core's policy (as scikit-learn's): "
        "an empty cluster's centroid is moved to the point farthest from its own centroid, "
        "so K clusters always remain and no centroid becomes NaN.",
        icon=":material/crisis_alert:",
    )

final = run.frames[-1]
first_inertia = run.frames[1].inertia if n_frames > 1 else final.inertia
m1, m2, m3, m4 = st.columns(4)
m1.metric("Iterations", run.n_iter)
m2.metric("Steps (assign + update)", run.n_steps)
m3.metric("Final inertia", f"{final.inertia:,.4g}")
m4.metric(
    "Inertia drop",
    f"{(1 - final.inertia / first_inertia):.1%}" if first_inertia else "—",
    help="From the first assignment to the end.",
)
st.caption(f"**Stop reason: {run.stop_reason}.** " + STOP_EXPLANATIONS.get(run.stop_reason, ""))

with st.expander("Every step, in words"):
    st.dataframe(
        pd.DataFrame(
            {
                "frame": range(n_frames),
                "step": [f.title for f in run.frames],
                "inertia": [f.inertia for f in run.frames],
                "what happened": [f.caption for f in run.frames],
            }
        ),
        hide_index=True,
        width="stretch",
    )
