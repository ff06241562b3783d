"""Beyond K-Means: what works instead on the current dataset, eight methods beside kmeans_core."""

from __future__ import annotations

import streamlit as st

from dashboard import alternatives as alt
from dashboard import streamlit_glue as glue
from dashboard.alternative_figures import (
    k_distance_figure,
    matched_colour_ids,
    method_grid,
    split_tree_figure,
)
from dashboard.plotting import view_2d
from dashboard.safe_text import literal

# Below this many rows every method finishes in a few seconds: run them on arrival.
AUTO_RUN_ROWS = 5000

ds = glue.get_dataset()
settings = glue.run_settings()

st.title("Beyond K-Means")
glue.in_memory_only_or_stop("Beyond K-Means")
st.caption(
    f"**{literal(ds.name)}** ({ds.n_samples:,} rows × {ds.n_features} features) clustered by "
    "kmeans_core and eight scikit-learn methods, each with the sidebar's seed. ARI compares "
    "each clustering with the true labels (1 = the same groups; noise counts as one more "
    "group), silhouette rates the clusters by their own compactness and separation "
    "(−1 to 1; noise left out). Neither is used for fitting."
)

note = alt.shape_note(ds.recipe)
if note is not None:
    fixers = f" **Try: {', '.join(note.fixers)}** (★ below)." if note.fixers else ""
    st.info(note.why + fixers, icon=":material/lightbulb:")

# --- Parameters, by rule ------------------------------------------------------------
sample_size = alt.DEFAULT_SAMPLE
if ds.n_samples > alt.SAMPLE_CHOICES[0]:  # smaller data: every method sees every row
    sample_size = st.select_slider(
        "Rows for the costly methods",
        options=alt.SAMPLE_CHOICES,
        value=alt.DEFAULT_SAMPLE,
        key="alt_sample_size",
        help="DBSCAN, HDBSCAN, agglomerative and spectral clustering cost grows with the "
        "square of the rows (or faster): they run on a seeded random sample of this many "
        "rows when the data has more. The others run on every row.",
    )
suggestion = glue.cached_suggestion(ds, settings.k, settings.seed, int(sample_size))
params = suggestion.params
with st.expander("Parameters and the rules that chose them", expanded=True):
    st.dataframe(
        [{"Parameter": r.parameter, "Value": r.value, "Rule": r.rule} for r in suggestion.rules],
        hide_index=True,
        width="stretch",
    )
    if st.toggle("Change them", key="alt_custom"):
        c_k, c_eps, c_ms, c_mcs, c_nn = st.columns(5)
        tag = ds.key  # custom values belong to the dataset they were chosen for
        try:
            params = alt.AlternativeParams(
                k=int(c_k.number_input("K", 1, alt.MAX_K, params.k, key=f"alt_k_{tag}")),
                seed=params.seed,
                eps=float(
                    c_eps.number_input(
                        "eps", 0.0, None, params.eps, format="%.4g", key=f"alt_eps_{tag}"
                    )
                ),
                min_samples=int(
                    c_ms.number_input(
                        "min_samples", 1, 200, params.min_samples, key=f"alt_ms_{tag}"
                    )
                ),
                min_cluster_size=int(
                    c_mcs.number_input(
                        "min_cluster_size", 2, 5000, params.min_cluster_size, key=f"alt_mcs_{tag}"
                    )
                ),
                n_neighbors=int(
                    c_nn.number_input(
                        "n_neighbors", 2, alt.MAX_NEIGHBORS, params.n_neighbors, key=f"alt_nn_{tag}"
                    )
                ),
                sample_size=params.sample_size,
            )
        except ValueError as exc:
            st.error(f"Those parameters cannot be used: {exc}", icon=":material/error:")
            st.stop()


@st.fragment
def results() -> None:
    """The runs and their pictures: a click on Run reruns only this part."""
    if ds.n_samples > AUTO_RUN_ROWS and not glue.alternatives_requested(ds, params):
        st.button(
            "Run the nine methods",
            type="primary",
            on_click=glue.request_alternatives,
            args=(ds, params),
        )
        st.caption(
            f"{ds.n_samples:,} rows: the K-Means family runs on all of them, the costly "
            f"methods on {min(ds.n_samples, params.sample_size):,}. Expect a few seconds to "
            "a minute."
        )
        return
    units = alt.run_units(ds.n_samples, ds.n_features, params)

    def fit_all(check):
        """The nine methods, cached; ``check`` stops a heavy run (see glue.bounded_run)."""
        with st.spinner("Fitting nine clusterers…"):
            return glue.cached_alternatives(ds, params, check)

    requested = glue.alternatives_requested(ds, params)
    run = glue.bounded_run("the nine methods", units, "alternatives", fit_all, clicked=requested)
    if run is not None:
        show_run(run)


def show_run(run: alt.AlternativesRun) -> None:
    """The verdict, the table, the small multiples and the two method-specific charts."""
    best = alt.best_by_ari(run)
    core = run.result(alt.KMEANS_CORE)
    if best is not None and core.ari is not None:
        st.success(
            f"Best ARI: **{best.name}** {best.ari:.3f}; kmeans_core {core.ari:.3f}.",
            icon=":material/emoji_events:",
        )
    st.dataframe(
        alt.results_table(run, note.fixers if note else ()), hide_index=True, width="stretch"
    )
    st.caption(
        "★ = a method the note above says fixes this shape. Fit time is one wall-clock fit "
        "on the rows stated, scikit-learn's OpenMP on one thread (a rough cost on a shared "
        "machine, not a benchmark; the Speed page times K-Means properly). Silhouette uses "
        f"at most {alt.SILHOUETTE_ROWS:,} rows."
    )
    for r in run.results:
        if r.error:
            st.warning(f"**{r.name}** could not run: {literal(r.error, 300)}")
    with st.expander("Warnings from the methods, and what each assumes"):
        for r in run.results:
            said = "; ".join(r.warnings) or "no warnings"
            idea = next(m.idea for m in alt.METHODS if m.name == r.name)
            st.markdown(f"- **{r.name}**: {idea} — _{literal(said, 200)}_")
    view = view_2d(ds.X[run.sample], ds.feature_names, seed=params.seed)
    truth = None if ds.true_labels is None else ds.true_labels[run.sample]
    st.plotly_chart(
        method_grid(
            run, view.points, view.project, truth=truth, x_title=view.x_title, y_title=view.y_title
        ),
        width="stretch",
        key="alt_grid",
    )
    shown = (
        f"All {len(run.sample):,} rows are drawn."
        if len(run.sample) == run.n_rows
        else (f"Drawn: the {len(run.sample):,} sampled rows, which every method clustered.")
    )
    st.caption(
        " ".join([*run.notes, shown, *([view.note] if view.note else [])])
        + " Grey crosses are noise (DBSCAN, HDBSCAN); black ellipses enclose two standard "
        "deviations of each Gaussian mixture component."
    )
    left, right = st.columns(2)
    left.plotly_chart(
        k_distance_figure(suggestion.k_distance, eps=params.eps), width="stretch", key="alt_kdist"
    )
    left.caption(
        "DBSCAN's eps: where the sorted distances to each point's neighbours bend upwards, "
        "points stop being inside a dense region."
    )
    bisecting = run.result(alt.BISECTING)
    if bisecting.tree:
        core_labels = run.result(alt.KMEANS_CORE).labels_at(run.sample)
        reference = truth if truth is not None else core_labels
        colours = matched_colour_ids(bisecting.labels_at(run.sample), reference)
        right.plotly_chart(
            split_tree_figure(bisecting.tree, colours), width="stretch", key="alt_tree"
        )
        right.caption("Each bar is split in two by 2-means; the bar with the largest inertia next.")


results()
