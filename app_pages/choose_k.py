"""Choose K: elbow and knee, quality metrics, stability and gap statistic, knife plot, K button."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dashboard import budget, label_matching
from dashboard import choose_k as ck
from dashboard import gap_statistic as gs
from dashboard import stability as sb
from dashboard import streamlit_glue as glue
from dashboard.choose_k_figures import (
    elbow_figure,
    metrics_figure,
    silhouette_figure,
    trust_figure,
)
from dashboard.safe_text import literal

settings = glue.run_settings()

st.title("Choose K")
# A large source: the sweep runs on a stated uniform sample of it, as an in-memory dataset.
ds = (
    glue.large_sample_for("choose_k", "The sweep")
    if glue.large_source() is not None
    else glue.get_dataset()
)
st.caption(
    f"How many clusters does **{ds.markdown_name}** have? K-Means (kmeans_core, init "
    f"“{settings.init}”, seed {settings.seed} from the sidebar) is fitted for every K in the "
    "range below, several times each; five criteria vote on the best K, and resampling "
    "checks whether the answer can be trusted."
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
with st.expander("Trust checks: stability and gap statistic", icon=":material/verified:"):
    t1, t2, t3 = st.columns([2, 1, 1])
    trust = t1.toggle(
        "Run the trust checks",
        value=True,
        key="choose_k_trust",
        help="Resampling stability and the gap statistic; they fit many more models.",
    )
    n_runs = t2.number_input(
        "Resamples per K (B)",
        min_value=2,
        max_value=30,
        value=sb.DEFAULT_RUNS,
        key="choose_k_runs",
        help=f"Each fits up to {sb.MAX_FIT_ROWS:,} rows.",
    )
    n_refs = t3.number_input(
        "Gap reference sets",
        min_value=2,
        max_value=30,
        value=gs.DEFAULT_REFS,
        key="choose_k_refs",
        help=f"Uniform data sets of the data's extent; at most {gs.MAX_ROWS:,} rows each.",
    )

plan = ck.plan_sweep(ds.n_samples, k_range, int(n_init))
for notice in plan.notices:
    st.info(notice, icon=":material/info:")

# A sweep from a link or a page load is capped; a larger one waits for a click.
sweep_units = budget.work_units(ds.n_samples, ds.n_features, list(plan.k_values), plan.n_init)
sweep_label = f"the sweep of K = {plan.k_values[0]}–{plan.k_values[-1]}"


def sweep_all(check):
    """The sweep and the trust checks: one run, so one slot when it is heavy."""
    sweep = glue.cached_sweep(
        ds.key, plan.k_values, plan.n_init, settings.init, settings.seed, ds.X, check
    )
    stab = (
        glue.cached_stability(
            ds.key, plan.k_values, int(n_runs), settings.init, settings.seed, ds.X, check
        )
        if trust
        else None
    )
    gap = (
        glue.cached_gap(
            ds.key, plan.k_values, int(n_refs), settings.init, settings.seed, ds.X, check
        )
        if trust
        else None
    )
    return sweep, stab, gap


try:
    swept = glue.bounded_run(sweep_label, sweep_units, "choose_k", sweep_all)
    if swept is None:
        st.stop()
    sweep, stab, gap = swept
except ValueError as exc:
    st.error(f"The sweep could not run: {literal(exc, max_chars=300)}")
    st.stop()

knee = ck.find_knee(sweep.k_values, sweep.inertia_mean, sensitivity)
bests = ck.metric_bests(sweep)
votes = {"knee": knee.k, **bests} | ({"gap": gap.choice} if gap is not None else {})
rec = ck.recommend(votes)


def use_k_button(k: int, key: str, *, in_fragment: bool = False) -> None:
    """A button that sets the sidebar's K, or a note when it is already that K."""
    if settings.k == k:
        st.success(f"The sidebar uses K = {k}.", icon=":material/check:")
        return
    st.button(
        f"Use K = {k} in the sidebar",
        key=key,
        type="primary",
        icon=":material/done:",
        on_click=glue.use_k,
        args=(k, in_fragment),
        help="Sets the sidebar's K (and the link's k); every page then uses it.",
    )


# --- Recommendation first -------------------------------------------------------------
st.subheader("Recommendation")
left, right = st.columns([2, 4])
with left:  # the button gets the width of both metrics, so its label is never cut
    m1, m2 = st.columns(2)
    m1.metric("Recommended K", rec.k if rec.k is not None else "—")
    if ds.has_labels:
        m2.metric(
            "True classes", ds.n_classes, help="The dataset's own labels (not used to choose)."
        )
    if rec.k is not None:
        use_k_button(rec.k, "choose_k_use_recommended")
right.markdown(rec.sentence)
said = stab and sb.describe_stability(stab, rec.k)
if said:
    right.markdown(said)
right.caption(
    "Each criterion casts one vote for its best K — the knee of the elbow, highest "
    "silhouette, highest Calinski–Harabasz, lowest Davies–Bouldin and the gap statistic's "
    "one-standard-error rule; the K with most votes wins (a tie goes to the smaller K). "
    "Agreement is strong when at least 3 in 4 of the criteria that voted agree, moderate "
    "from half. Stability does not vote: it says whether the chosen K is reproducible."
)
for warning in ck.sweep_warnings(sweep):
    st.warning(warning, icon=":material/warning:")
edge = ck.edge_warning(sweep.k_values, votes)
if edge:
    st.warning(edge, icon=":material/open_in_full:")


def pickable_chart(fig: go.Figure, key: str, use_key: str) -> None:
    """A chart whose points can be clicked, and under it the button for the clicked K."""
    event = st.plotly_chart(
        fig, width="stretch", key=key, on_select="rerun", selection_mode="points"
    )
    chart_pick(event, use_key)


def chart_pick(event: object, key: str) -> None:
    """Under a chart: a button for the K of the clicked point."""
    points = getattr(getattr(event, "selection", None), "points", None) or []
    k = ck.picked_k(points, sweep.k_values)
    if k is None:
        st.caption("Click a point on the chart to pick its K.")
    else:
        use_k_button(k, key, in_fragment=True)


# --- Elbow ----------------------------------------------------------------------------
@st.fragment
def elbow_section() -> None:
    """The elbow chart, its log toggle and a pick of K (rerun alone when they change)."""
    glue.rerun_app_if_k_changed()
    st.subheader("Elbow: within-cluster sum of squares against K")
    log_y = st.toggle(
        "Log scale for WCSS",
        key="choose_k_log",
        help="Spreads out the flat tail of the curve so the restart band there becomes visible.",
    )
    pickable_chart(elbow_figure(sweep, knee, log_y=log_y), "choose_k_elbow", "choose_k_use_elbow")
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


elbow_section()


# --- Metrics and trust checks ---------------------------------------------------------
@st.fragment
def quality_section() -> None:
    """Metrics and trust-check charts, and a pick of K from either (rerun alone)."""
    glue.rerun_app_if_k_changed()
    st.subheader("Cluster quality against K")
    pickable_chart(metrics_figure(sweep, bests), "choose_k_metrics", "choose_k_use_metrics")
    notes = [
        "Stars mark each metric's best K. Silhouette (−1…1) and Calinski–Harabasz reward "
        "tight, well-separated clusters; Davies–Bouldin measures cluster overlap. All three "
        "need 2 ≤ K < number of rows, so K = 1 has no score."
    ]
    if sweep.silhouette_note:
        notes.append(sweep.silhouette_note)
    st.caption(" ".join(notes))
    if stab is None and gap is None:
        return
    st.subheader("Can I trust this K?")
    pickable_chart(trust_figure(stab, gap), "choose_k_trust_chart", "choose_k_use_trust")
    st.caption(" ".join(r.note for r in (stab, gap) if r is not None))


quality_section()


# --- Silhouette diagram ---------------------------------------------------------------
@st.fragment
def diagram_section() -> None:
    """The silhouette diagram and its K (rerun alone when K changes)."""
    st.subheader("Silhouette diagram")
    options = [
        int(k)
        for k, m, rows in zip(sweep.k_values, sweep.n_distinct, sweep.sample_rows, strict=True)
        if 2 <= m < len(rows)
    ]
    if not options:
        st.info(
            "No silhouette diagram: it needs at least two distinct clusters and fewer "
            "clusters than points. Widen the K range or use data with more distinct points.",
            icon=":material/info:",
        )
        return
    default = rec.k if rec.k in options else options[0]
    pick = (
        st.select_slider("K for the diagram", options=options, value=default, key="choose_k_diag")
        if len(options) > 1
        else options[0]
    )
    reference = glue.shown_centers(ds)
    diag = ck.sweep_diagram(
        sweep, pick, lambda rows, lab: label_matching.renumber_labels(reference, ds.X[rows], lab)
    )
    if diag is None:
        st.info("The silhouette is undefined for this K on these points.", icon=":material/info:")
        return
    fig_col, text_col = st.columns([3, 1])
    fig_col.plotly_chart(silhouette_figure(diag), width="stretch", key="choose_k_knife")
    text_col.markdown(ck.describe_diagram(diag))
    text_col.caption(
        "Each blade is one cluster, its points sorted by silhouette value: near 1, a "
        "point sits well inside its cluster; near 0, on a border; below 0, closer to "
        "another cluster. A cluster is called out (⚠) when every one of its points lies "
        "below the average line. Good K: blades of similar width all reaching past the line. "
        "Cluster numbers and colours follow the Clusters page where the clusters match."
    )
    if sweep.silhouette_sampled:
        text_col.caption(f"Drawn for the {diag.n_points:,} sampled rows (stratified by cluster).")


diagram_section()
