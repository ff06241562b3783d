"""Clusters: what each cluster is — sizes, profiles, z-score heat map, nearest rows, 3-D view."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard import profile_figures as pf
from dashboard import profiles, runs
from dashboard import streamlit_glue as glue
from dashboard.safe_text import literal

ds = glue.get_dataset()
settings = glue.run_settings()

st.title("Clusters")
glue.in_memory_only_or_stop("Clusters")
k, _ = runs.usable_k(settings.k, ds.n_samples)
st.caption(
    f"What each of the {k} clusters of **{literal(ds.name)}** is (init “{settings.init}”, "
    f"seed {settings.seed}, K from the sidebar). Cluster numbers and colours match the other "
    "pages and stay with a cluster when you re-run with another seed or K."
)
model = glue.shown_run_or_stop(ds, settings, "clusters")
profile = glue.cached_profile(ds, settings, model)
names = list(ds.feature_names)

# --- Overview -------------------------------------------------------------------------
st.subheader("Sizes and what sets each cluster apart")
left, right = st.columns([2, 3])
left.plotly_chart(
    pf.sizes_figure(profile.sizes, profile.shares), width="stretch", key="clusters_sizes"
)
with right:
    for c in range(profile.k):
        st.markdown(
            f"**Cluster {c}** · {profile.sizes[c]:,} rows ({profile.shares[c]:.0%}) — "
            f"{literal(profiles.describe_standouts(profile.standouts[c]), max_chars=400)}"
        )
    st.caption(
        "Features whose cluster mean lies furthest from the overall mean, in overall "
        f"standard deviations (sd); at most {profiles.TOP_FEATURES} per cluster, only those "
        f"at least {profiles.NOTABLE_Z} sd away."
    )

# --- Heat map & table -----------------------------------------------------------------
st.subheader("Per-cluster z-scores")
st.plotly_chart(pf.heatmap_figure(profile.z, names), width="stretch", key="clusters_heatmap")
st.caption(
    "Each cell: how far the cluster's mean of a feature lies from the mean of all rows, in "
    "standard deviations of all rows. Red: higher than average; blue: lower. The colour "
    f"scale stops at ±{pf.Z_CLIP:g} so one extreme cluster does not wash out the rest."
)

st.subheader("Mean and spread per feature")
overall = profiles.original_units(ds, ds.X)
st.table(profiles.mean_sd_frame(profile, names, overall))
st.caption("Mean ± standard deviation within each cluster, in the features' own units.")

# --- Nearest rows ---------------------------------------------------------------------
st.subheader("Rows closest to each center")
pick = st.selectbox(
    "Cluster",
    list(range(profile.k)),
    format_func=lambda c: f"cluster {c} ({profile.sizes[c]:,} rows)",
    key="clusters_nearest",
)
st.table(profiles.rows_frame(ds, profile.nearest[pick]).set_index("row"))
st.caption(
    f"The {profiles.NEAREST_ROWS} most typical rows of the cluster: nearest its center in the "
    "space K-Means worked in. “row” is the row's position in the loaded dataset (from 0)."
)

# --- Text columns ---------------------------------------------------------------------
if profile.mixes:
    st.subheader("Category mix of text columns")
    for i, (column, mix) in enumerate(profile.mixes.items()):
        st.plotly_chart(
            pf.category_mix_figure(mix, column), width="stretch", key=f"clusters_mix_{i}"
        )
    st.caption(
        f"Share of each level within each cluster; beyond {profiles.MAX_LEVELS - 1} levels "
        "the rarer ones are lumped into “other”. Text columns are not used for clustering."
    )


# --- 3-D view -------------------------------------------------------------------------
@st.fragment
def view_3d() -> None:
    """The 3-D scatter and its axis choice (reruns alone when the axes change)."""
    st.subheader("3-D view")
    mode = st.radio(
        "Axes",
        ["Principal components", "Choose three features"],
        horizontal=True,
        key="clusters_3d_mode",
    )
    axes: tuple[int, int, int] | None = None
    if mode == "Choose three features":
        cols = st.columns(3)
        picks = [
            cols[i].selectbox(
                f"{'xyz'[i]} axis",
                range(len(names)),
                index=i,
                format_func=lambda j: names[j],
                key=f"clusters_3d_{'xyz'[i]}",
            )
            for i in range(3)
        ]
        axes = (picks[0], picks[1], picks[2])
    view = glue.cached_view_3d(
        ds.key,
        axes,
        settings.seed,
        glue.numbering_key(model),
        ds.X,
        model.cluster_centers_,
        tuple(names),
    )
    idx, note = profiles.display_rows(ds.n_samples, profiles.MAX_3D_POINTS, settings.seed)
    st.plotly_chart(
        pf.scatter3d_figure(view, model.labels_, idx), width="stretch", key="clusters_3d"
    )
    st.caption(" ".join(t for t in (view.note, note) if t) or "Drag to turn the view.")


if ds.n_features >= 3:
    view_3d()

# --- Parallel coordinates -------------------------------------------------------------
if ds.n_features >= 2:
    st.subheader("Parallel coordinates")
    feats = profiles.parallel_features(profile.z)
    rows, sampled = profiles.display_rows(ds.n_samples, profiles.MAX_PARALLEL_ROWS, settings.seed)
    values = overall[np.ix_(rows, feats)]
    st.plotly_chart(
        pf.parallel_figure(values, model.labels_[rows], [names[j] for j in feats], profile.k),
        width="stretch",
        key="clusters_parallel",
    )
    said = ["One line per row, coloured by cluster; drag along an axis to filter."]
    if len(feats) < ds.n_features:
        said.append(
            f"Showing the {len(feats)} of {ds.n_features} features that separate the clusters "
            "most (largest |z|)."
        )
    if sampled:
        said.append(sampled)
    st.caption(" ".join(said))
