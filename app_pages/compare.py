"""Compare: kmeans_core against scikit-learn's KMeans on the same data and settings."""

from __future__ import annotations

import streamlit as st

from dashboard import budget, large_data, large_pages, runs
from dashboard import compare as cmpmod
from dashboard import streamlit_glue as glue
from dashboard.compare_figures import (
    cluster_scatter,
    confusion_heatmap,
    disagreement_scatter,
    shared_ranges,
)
from dashboard.safe_text import quoted

ds = glue.get_dataset()
settings = glue.run_settings()


def large_compare(large: large_pages.ActiveLarge) -> None:
    """kmeans_core on Dask against scikit-learn on a sample (or dask-ml), on a click."""
    st.caption(
        f"The active dataset is the large source {quoted(large.source.name)} "
        f"({large.summary}). kmeans_core fits every row on Dask (k-means||, one run); the "
        "reference fits a stated sample in memory, or every row with dask-ml where installed."
    )
    refs = large_pages.REFERENCES if large_pages.dask_ml_installed() else large_pages.REFERENCES[:1]
    c1, c2, c3 = st.columns([2, 2, 1])
    reference = c1.radio("Reference", refs, horizontal=True, key="compare_large_ref")
    size = c2.select_slider(
        "Sample (scikit-learn's fit and the agreement)",
        options=large_pages.SAMPLE_CHOICES,
        value=large_pages.DEFAULT_SAMPLE,
        format_func=lambda n: f"{n:,} rows",
        key="compare_large_sample",
    )
    max_iter = int(c3.number_input("max_iter", 1, 1000, 100, key="compare_large_iter"))
    k = min(settings.k, large.n_rows)
    st.info(
        f"K = {k}, seed {settings.seed} (sidebar). scikit-learn fits "
        f"{large_pages.sample_statement(min(size, large.n_rows), large.n_rows)}.",
        icon=":material/filter_alt:",
    )
    request = (large.key, k, settings.seed, reference, int(size), max_iter)
    cmp = glue.large_comparison(request)
    if st.button("Run the comparison", type="primary", icon=":material/play_arrow:",
                 key="compare_large_run"):  # fmt: skip
        cmp = glue.run_large_comparison(
            large, request, k=k, seed=settings.seed, reference=reference,
            sample_size=int(size), max_iter=max_iter,
        )  # fmt: skip
    if cmp is None:
        st.caption("A fit of every row reads the data once per iteration: it runs on a click.")
        return
    st.dataframe(
        cmp.table, hide_index=True, width="stretch",
        column_config={"inertia (all rows)": st.column_config.NumberColumn(format="%.6g"),
                       "seconds": st.column_config.NumberColumn(format="%.2f")},
    )  # fmt: skip
    st.metric("Agreement (adjusted Rand index)", f"{cmp.agreement:.4f}")
    st.caption(cmp.note)
    st.plotly_chart(
        large_data.sample_figure(cmp.ours, large.source.feature_names), key="compare_large_plot"
    )
    st.caption(f"kmeans_core's clusters. {cmp.ours.sample_note}")


st.title("Compare with scikit-learn")
active_large = glue.large_source()
if active_large is not None:
    large_compare(active_large)
    st.stop()
st.caption(
    f"Our from-scratch **kmeans_core** and **scikit-learn**'s `KMeans` cluster "
    f"**{ds.markdown_name}** "
    f"({ds.n_samples:,} rows × {ds.n_features} features) with the same K and seed from the "
    "sidebar and the settings below. Cluster numbers are arbitrary, so the two are first "
    "matched (Hungarian algorithm on the distances between their centers); matched clusters "
    "get the same colour. kmeans_core's clusters keep the numbers and colours they have on "
    "the Clusters and Export pages."
)

MODE_LABELS = {
    cmpmod.SAME_START: "Same start",
    cmpmod.OWN_INIT: "Each its own k-means++",
}
c_mode, c_init, c_iter, c_tol = st.columns([2, 1, 1, 1.4])
mode = c_mode.radio(
    "Mode",
    cmpmod.MODES,
    format_func=MODE_LABELS.get,
    horizontal=True,
    key="compare_mode",
    help="Same start: both get the same initial centers (the sidebar's init and seed), one "
    "run each — the results should be identical. Each its own k-means++: each library "
    "picks its own starts — shows how close independent runs land.",
)
same_start = mode == cmpmod.SAME_START
n_init = c_init.number_input(
    "n_init (restarts)",
    min_value=1,
    max_value=20,
    value=cmpmod.DEFAULT_N_INIT,
    step=1,
    key="compare_n_init",
    disabled=same_start,
    help="Runs from different starts per library; the lowest inertia wins. "
    "Same start always uses one run.",
)
max_iter = c_iter.number_input(
    "max_iter",
    min_value=1,
    max_value=1000,
    value=cmpmod.DEFAULT_MAX_ITER,
    step=1,
    key="compare_max_iter",
    help="Most Lloyd iterations per run.",
)
tol = c_tol.select_slider(
    "tol",
    options=cmpmod.TOL_CHOICES,
    value=cmpmod.DEFAULT_TOL,
    format_func=lambda t: "0" if t == 0 else f"{t:.0e}",
    key="compare_tol",
    help="Stop when the centers move less than tol × the mean feature variance "
    "(scikit-learn's meaning, shared by both). 0 = run until no label changes.",
)

k, k_notice = runs.usable_k(settings.k, ds.n_samples)
if k_notice:
    st.warning(k_notice, icon=":material/warning:")

sklearn_seed = None
if same_start:
    st.markdown(
        f"Both start from the **same {k} initial centers** ({settings.init}, seed "
        f"{settings.seed}), one run each, `max_iter={max_iter}`, `tol={tol:g}`."
    )
else:
    other_seed = st.toggle(
        f"Give scikit-learn a different seed ({settings.seed + 1})",
        key="compare_other_seed",
        help="kmeans_core's k-means++ draws the same random numbers as scikit-learn's, so "
        "with the same seed both usually pick the same starts. A different seed shows how "
        "close two truly independent runs land.",
    )
    sklearn_seed = settings.seed + 1 if other_seed else None
    if not other_seed:
        st.caption(
            "kmeans_core's k-means++ is a faithful copy of scikit-learn's (same greedy "
            "sampling, same random numbers), so with one seed both usually pick the very "
            "same starts. Switch on the toggle to see how close two independent runs land."
        )
    seeds = (
        f"`random_state={settings.seed}` for kmeans_core, `{sklearn_seed}` for scikit-learn"
        if other_seed
        else f"`random_state={settings.seed}` for both"
    )
    st.markdown(
        f"Each library picks its **own k-means++ starts** ({seeds}), best of "
        f"`n_init={n_init}`, `max_iter={max_iter}`, `tol={tol:g}`."
    )

try:
    params = cmpmod.CompareParams(
        k=k,
        mode=mode,
        init=settings.init,
        seed=settings.seed,
        n_init=int(n_init),
        max_iter=int(max_iter),
        tol=float(tol),
        sklearn_seed=sklearn_seed,
    )
    # Two libraries, n_init restarts each: a large comparison waits for a click and a slot.
    units = 2 * budget.work_units(ds.n_samples, ds.n_features, params.k, params.n_init)

    def comparison(check):
        """Both fits, cached; ``check`` stops a heavy one (see glue.bounded_run)."""
        with st.spinner("Fitting kmeans_core and scikit-learn…"):
            return glue.cached_comparison(ds, params, check)

    cmp = glue.bounded_run("the comparison", units, "compare", comparison, max_iter=params.max_iter)
    if cmp is None:
        st.stop()
except ValueError as exc:
    st.error(f"The comparison could not run: {exc}", icon=":material/error:")
    st.stop()
except MemoryError:
    st.error(
        "Not enough memory to fit this dataset twice. Try a smaller dataset.",
        icon=":material/error:",
    )
    st.stop()

for fit in (cmp.core, cmp.sklearn):
    for message in fit.warnings:
        st.info(f"**{fit.library}** warned: {message}", icon=":material/info:")

# --- Verdict and the one table ------------------------------------------------------
sentence = cmpmod.summary_sentence(cmp)
if same_start and not cmpmod.is_identical(cmp):
    st.warning(sentence, icon=":material/warning:")
elif cmp.n_disagree == 0:
    st.success(sentence, icon=":material/check_circle:")
else:
    st.info(sentence, icon=":material/compare_arrows:")

st.dataframe(cmpmod.metrics_table(cmp), hide_index=True, width="stretch")
st.caption(
    "ARI and NMI compare the two labelings (1 = the same partition, whatever the cluster "
    "numbers). Center distance is measured in the data's units after matching. Fit time is "
    "the wall clock of a whole fit (iterations and restarts included), repeated up to "
    f"{cmpmod.TIMING.repeats} times with the two libraries taking turns, after an "
    "untimed warm-up of each when the time budget allows: the median and the "
    "fastest–slowest range are shown, and no winner is named while the ranges overlap. "
    "On small data it is mostly fixed overhead; the Speed page times single iterations."
)

# --- Side by side ---------------------------------------------------------------------
view = cmpmod.display_data(ds.X, ds.feature_names, cmp, seed=settings.seed)
ranges = shared_ranges(view.points, view.core_centers, view.sklearn_centers)
sk_names = [f"cluster {j} ↔ {int(m)}" for j, m in enumerate(cmp.mapping)]
left, mid, right = st.columns(3)
left.plotly_chart(
    cluster_scatter(
        view.points,
        view.core_labels,
        view.core_centers,
        title="kmeans_core",
        x_title=view.x_title,
        y_title=view.y_title,
        ranges=ranges,
    ),
    width="stretch",
    key="compare_core_scatter",
)
mid.plotly_chart(
    cluster_scatter(
        view.points,
        view.sklearn_labels,
        view.sklearn_centers,
        title="scikit-learn (coloured by matched cluster)",
        color_ids=cmp.mapping,
        cluster_names=sk_names,
        x_title=view.x_title,
        y_title=view.y_title,
        ranges=ranges,
    ),
    width="stretch",
    key="compare_sklearn_scatter",
)
right.plotly_chart(
    disagreement_scatter(
        view.points,
        view.highlighted,
        cmp.n_disagree,
        cmp.n_samples,
        x_title=view.x_title,
        y_title=view.y_title,
        ranges=ranges,
    ),
    width="stretch",
    key="compare_disagree_scatter",
)
st.caption(
    "Crosses are the cluster centers. In the scikit-learn legend, “cluster 2 ↔ 0” means "
    "scikit-learn's cluster 2 was matched to kmeans_core's cluster 0. Right: points whose "
    "cluster differs between the two after matching, in red."
    + "".join(f" {note}" for note in view.notes)
)

# --- Against the true classes -----------------------------------------------------------
if cmp.core_vs_truth is not None and cmp.sklearn_vs_truth is not None:
    st.subheader("Against the true classes")
    class_names = ds.class_names or [f"class {c}" for c in range(ds.n_classes or 0)]
    st.caption(cmpmod.truth_caption(k, ds.n_classes or 0))
    h_left, h_right = st.columns(2)
    for col, fit, match in (
        (h_left, cmp.core, cmp.core_vs_truth),
        (h_right, cmp.sklearn, cmp.sklearn_vs_truth),
    ):
        col.plotly_chart(
            confusion_heatmap(
                match, class_names, title=f"{fit.library}: accuracy {match.accuracy:.1%}"
            ),
            width="stretch",
            key=f"compare_confusion_{fit.library}",
        )
