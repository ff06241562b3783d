"""Choose K: elbow with its knee, silhouette / Calinski–Harabasz / Davies–Bouldin, knife plot."""

from __future__ import annotations

import streamlit as st

from dashboard import choose_k as ck
from dashboard import streamlit_glue as glue
from dashboard.choose_k_figures import elbow_figure, metrics_figure, silhouette_figure

ds = glue.get_dataset()
settings = glue.run_settings()

st.title("Choose K")
st.caption(
    f"How many clusters does **{ds.markdown_name}** have? K-Means (kmeans_core, init "
    f"“{settings.init}”, seed {settings.seed} from the sidebar) is fitted for every K in the "
    "range below, several times each, and four criteria vote on the best K."
)

c1, c2, c3 = st.columns([2, 1, 1])
k_range = c1.slider(
    "K range to sweep",
    min_value=1,
    max_value=30,
    value=ck.DEFAULT_K_RANGE,
    key="choose_k_range",
    help="Every K in this range is fitted. Clamped to the number of rows.",
)
n_init = c2.number_input(
    "Restarts per K",
    min_value=1,
    max_value=20,
    value=ck.DEFAULT_N_INIT,
    step=1,
    key="choose_k_n_init",
    help="Each K is fitted this many times from different starts; the band shows their spread.",
)
sensitivity = c3.slider(
    "Knee sensitivity S",
    min_value=0.0,
    max_value=10.0,
    value=1.0,
    step=0.1,
    key="choose_k_s",
    help="kneed's S: higher needs a sharper bend before it calls a knee (more conservative).",
)

plan = ck.plan_sweep(ds.n_samples, k_range, int(n_init))
for notice in plan.notices:
    st.info(notice, icon=":material/info:")

try:
    sweep = glue.cached_sweep(
        ds.key, plan.k_values, plan.n_init, settings.init, settings.seed, ds.X
    )
except ValueError as exc:
    st.error(f"The sweep could not run: {exc}")
    st.stop()

knee = ck.find_knee(sweep.k_values, sweep.inertia_mean, sensitivity)
bests = ck.metric_bests(sweep)
rec = ck.recommend({"knee": knee.k, **bests})

# --- Recommendation first -------------------------------------------------------------
st.subheader("Recommendation")
left, mid, right = st.columns([1, 1, 4])
left.metric("Recommended K", rec.k if rec.k is not None else "—")
if ds.has_labels:
    mid.metric("True classes", ds.n_classes, help="The dataset's own labels (not used to choose).")
right.markdown(rec.sentence)
right.caption(
    "Each criterion casts one vote for its best K — the knee of the elbow, highest "
    "silhouette, highest Calinski–Harabasz, lowest Davies–Bouldin; the K with most votes "
    "wins, and a tie goes to the smaller K."
)
for warning in ck.sweep_warnings(sweep, rec.k):
    st.warning(warning, icon=":material/warning:")

# --- Elbow ----------------------------------------------------------------------------
st.subheader("Elbow: within-cluster sum of squares against K")
log_y = st.toggle(
    "Log scale for WCSS",
    key="choose_k_log",
    help="Spreads out the flat tail of the curve so the restart band there becomes visible.",
)
st.plotly_chart(elbow_figure(sweep, knee, log_y=log_y), width="stretch", key="choose_k_elbow")
line = (
    f"Line: mean WCSS over {plan.n_init} restarts per K; shaded band: the lowest to the "
    "highest restart (min–max)."
    if plan.n_init > 1
    else "Line: WCSS of the single run per K."
)
st.caption(
    f"{knee.reason} {line} Dotted grey: time to fit all restarts of each K (right axis). "
    "Bars: how much WCSS falls from K − 1 to K — after the knee the gains flatten out. "
    f"{ck.band_note(sweep)}"
)

# --- Metrics --------------------------------------------------------------------------
st.subheader("Cluster quality against K")
st.plotly_chart(metrics_figure(sweep, bests), width="stretch", key="choose_k_metrics")
notes = [
    "Stars mark each metric's best K. Silhouette (−1…1) and Calinski–Harabasz reward "
    "tight, well-separated clusters; Davies–Bouldin measures cluster overlap. All three "
    "need 2 ≤ K < number of rows, so K = 1 has no score."
]
if sweep.silhouette_note:
    notes.append(sweep.silhouette_note)
st.caption(" ".join(notes))

# --- Silhouette diagram ---------------------------------------------------------------
st.subheader("Silhouette diagram")
options = [
    int(k)
    for k, m in zip(sweep.k_values, sweep.n_distinct, strict=True)
    if 2 <= m < len(sweep.sample_idx)
]
if not options:
    st.info(
        "No silhouette diagram: it needs at least two distinct clusters and fewer clusters "
        "than points. Widen the K range or use data with more distinct points.",
        icon=":material/info:",
    )
else:
    default = rec.k if rec.k in options else options[0]
    pick = (
        st.select_slider("K for the diagram", options=options, value=default, key="choose_k_diag")
        if len(options) > 1
        else options[0]
    )
    i = int((sweep.k_values == pick).nonzero()[0][0])
    diag = ck.silhouette_diagram(ds.X[sweep.sample_idx], sweep.sample_labels[i], pick)
    if diag is None:
        st.info("The silhouette is undefined for this K on these points.", icon=":material/info:")
    else:
        fig_col, text_col = st.columns([3, 1])
        fig_col.plotly_chart(silhouette_figure(diag), width="stretch", key="choose_k_knife")
        text_col.markdown(ck.describe_diagram(diag))
        text_col.caption(
            "Each blade is one cluster, its points sorted by silhouette value: near 1, a "
            "point sits well inside its cluster; near 0, on a border; below 0, closer to "
            "another cluster. A cluster is called out (⚠) when every one of its points lies "
            "below the average line. Good K: blades of similar width all reaching past the line."
        )
        if sweep.silhouette_note:
            text_col.caption(f"Drawn for the {diag.n_points:,} sampled rows.")
