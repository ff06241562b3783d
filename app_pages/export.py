"""Export & share: download the run's files, or copy a link that reproduces the run."""

import streamlit as st

from dashboard import export, large_data, large_pages, page_registry, runs, share, upload_recipe
from dashboard import streamlit_glue as glue
from dashboard.formatting import format_seconds
from dashboard.safe_text import literal, quoted

# Pages a shared link can open on (label -> url_path), Animate first: the usual target.
LINK_PAGES = {p.title: p.url_path for p in page_registry.tour_pages()}
LINK_PAGES = {"Animate": LINK_PAGES.pop("Animate"), **LINK_PAGES}

st.title("Export & share")
st.caption(
    "Take the current run with you: the data with its cluster labels, the centers, every "
    "step of Lloyd's algorithm and the settings — or a link that repeats the same run."
)

LARGE_INITS = ("k-means||", "k-means++", "random")


def large_export(large: large_pages.ActiveLarge) -> None:
    """Fit every row on Dask (on a click), then the centers, settings and labels."""
    st.info(
        f"The active dataset is the large source {quoted(large.source.name)}: {large.summary}.",
        icon=":material/dataset:",
    )
    k = min(settings.k, large.n_rows)
    c1, c2 = st.columns([1, 3])
    init = c1.selectbox("Initialisation", LARGE_INITS, key="export_large_init")
    max_iter = int(c2.number_input("max_iter", 1, 1000, 100, key="export_large_iter", width=160))
    fit = glue.large_fit(large, k, init, settings.seed)
    if st.button(f"Fit K = {k} on Dask", type="primary", icon=":material/bolt:",
                 key="export_large_fit"):  # fmt: skip
        fit = glue.run_large_fit(large, k, init, settings.seed, max_iter)
    if fit is None:
        st.caption(
            f"K = {k} and seed {settings.seed} from the sidebar. The fit reads every row once "
            "per iteration (progress is shown per iteration); it runs on a click."
        )
        return
    cols = st.columns(4)
    cols[0].metric("Rows", f"{fit.n_rows:,}")
    cols[1].metric("Iterations", fit.model.n_iter_)
    cols[2].metric("Inertia", f"{fit.model.inertia_:,.6g}")
    cols[3].metric("Fit time", format_seconds(fit.seconds))
    names = large.source.feature_names
    stem = large_pages.export_paths(large).labels.name.removesuffix("_labels.parquet")
    tiles = st.columns(3)
    with tiles[0].container(border=True, height="stretch"):
        st.markdown("**Centers** · CSV, in the data's units")
        st.caption(f"{k} rows: `cluster` and each center in the columns' own units.")
        st.download_button(
            "Centers", large_pages.centers_csv(fit, names), f"{stem}_centers.csv", "text/csv",
            icon=":material/download:", key="download_large_centers",
        )  # fmt: skip
    with tiles[1].container(border=True, height="stretch"):
        st.markdown("**Settings** · JSON")
        st.caption("Source (files, rows, chunks, columns), K, init, max_iter, tol, seed, result.")
        st.download_button("Settings", large_pages.settings_json(large, fit, settings.seed),
                           f"{stem}_settings.json", "application/json",
                           icon=":material/download:", key="download_large_settings")  # fmt: skip
    with tiles[2].container(border=True, height="stretch"):
        large_write_tile(large, fit)
    view = st.radio(
        "Plot", ["A sample of the rows", "Density of every row"], horizontal=True,
        key="export_large_view", help="The density reads the data twice (range, then counts).",
    )  # fmt: skip
    if view == "Density of every row":
        glue.large_density_chart(large, "export_large_density", fit.model.cluster_centers_)
    else:
        st.plotly_chart(large_data.sample_figure(fit, names), key="export_large_plot")
        st.caption(fit.sample_note)


def large_write_tile(large: large_pages.ActiveLarge, fit) -> None:
    """Labels (Parquet), centers and settings written next to the data, paths shown."""
    st.markdown("**Labels** · Parquet, next to the data")
    paths = large_pages.export_paths(large)
    if not st.button("Write labels, centers and settings", icon=":material/save:",
                     key="export_large_write"):  # fmt: skip
        st.caption(
            "One label per input row, in row order, with `row` (1 = the first data row, "
            "counted across the files in name order) to join on; one more read of the data. To:"
        )
        st.code(str(paths.labels), language=None, wrap_lines=True)
        return
    try:
        with st.spinner("Writing one label per row…"):
            paths = large_pages.write_next_to_data(large, fit, settings.seed)
    except ValueError as exc:
        st.error(literal(exc, 400), icon=":material/error:")
        return
    st.success("Written next to the data:", icon=":material/check_circle:")
    st.code("\n".join(str(p) for p in (paths.labels, paths.centers, paths.settings)),
            language=None, wrap_lines=True)  # fmt: skip


settings = glue.run_settings()
active_large = glue.large_source()
if active_large is not None:
    large_export(active_large)
    st.stop()

ds = glue.get_dataset()
n_left = int((~ds.origin.kept).sum()) if ds.origin is not None else 0
k, _ = runs.usable_k(settings.k, ds.n_samples)
model = glue.shown_run_or_stop(ds, settings, "export")

params = share.link_params(ds, settings)
base = share.app_base_url(st.context.url, page_registry.url_paths())
# settings.json names the run by the link that opens it on the first link page.
settings_link = share.share_url(base, next(iter(LINK_PAGES.values())), params)

cols = st.columns(5)
cols[0].metric("Rows", f"{ds.n_samples:,}")
cols[1].metric("Features", ds.n_features)
cols[2].metric("K", k)
cols[3].metric("Inertia", f"{model.inertia_:,.6g}", help="Sum of squared distances to centers.")
cols[4].metric("Iterations", model.n_iter_)
st.caption(f"Dataset **{literal(ds.name)}** · init {settings.init} · seed {settings.seed}")
if ds.origin is not None:
    st.caption("Recipe: " + literal(upload_recipe.summary(ds.origin.recipe, n_left), 300))

st.subheader("Downloads")
stem = export.file_stem(ds, settings)
files = glue.cached_run_files(ds, settings, model, settings_link)
labels = model.labels_


def download_tile(
    column, key: str, title: str, caption: str, label: str, data, file_name: str, mime: str
):
    """One bordered tile: what the file holds, and its download button."""
    with column.container(border=True, height="stretch"):
        st.markdown(title)
        st.caption(caption)
        st.download_button(
            label,
            data=data,
            file_name=file_name,
            mime=mime,
            icon=":material/download:",
            on_click="ignore",
            key=f"download_{key}",
        )


labelled = export.labelled_description(ds)
tiles = st.columns(3)
download_tile(
    tiles[0],
    "labelled",
    "**Labelled data** · CSV",
    labelled,
    "Data + clusters",
    # Built only when clicked: a million-row CSV takes about a second.
    lambda: export.labelled_csv(ds, labels),
    f"{stem}_labelled.csv",
    "text/csv",
)
download_tile(
    tiles[1],
    "centers_original",
    "**Centers** · CSV, in the data's units",
    f"{k} rows: `cluster`, `n_points` and each center in the units of the file"
    + (
        " (scaling undone; a text column gets its most common level and the share of each)."
        if ds.origin is not None
        else "."
    ),
    "Centers",
    files.centers_original_csv,
    f"{stem}_centers.csv",
    "text/csv",
)
download_tile(
    tiles[2],
    "centers",
    "**Centers** · CSV, in the units clustered",
    f"{k} rows: the centers in the scaled, encoded units K-Means used (one column per "
    "feature column of the clustering).",
    "Centers (scaled)",
    files.centers_csv,
    f"{stem}_centers_scaled.csv",
    "text/csv",
)
tiles = st.columns(3)
download_tile(
    tiles[0],
    "history",
    "**Step history** · CSV",
    f"{files.n_history_rows:,} rows ({len(model.history_ or [])} steps × {k} clusters): "
    "inertia and every center (scaled units) after each assign and update step.",
    "History",
    files.history_csv,
    f"{stem}_history.csv",
    "text/csv",
)
download_tile(
    tiles[1],
    "settings",
    "**Settings** · JSON",
    "The complete recipe: source file, columns, label, encoding, missing values, scaling; "
    "K, init, seed, max_iter, tol; the share link. Upload it next to the CSV on the Data "
    "page to repeat the run."
    if ds.origin is not None
    else "K, init, seed, max_iter, tol, the dataset recipe, the share link, the "
    "kmeans_core version, inertia and iterations.",
    "Settings",
    files.settings_json,
    f"{stem}_settings.json",
    "application/json",
)
st.caption(
    "Safe in a spreadsheet: a text cell that would run as a formula (it starts with =, +, −, @, "
    "a tab or a carriage return) is written with a leading apostrophe ('). Numbers are written "
    "as they are."
)

with st.expander("Centers of this run", expanded=False):
    st.dataframe(export.centers_original_frame(ds, model.cluster_centers_, labels), hide_index=True)

st.subheader("Share this run")
if ds.source == "sample":  # taken from a large source: the link cannot carry it
    st.info(
        "**This link cannot carry the data.** The run uses a sample of a large source "
        f"({ds.notes[0].rstrip('.') if ds.notes else ''}); the link carries only K, "
        "init and seed. Labels for every row of the source: make it the active dataset on "
        "the Data page and fit it here.",
        icon=":material/cloud_off:",
    )
elif ds.recipe is None:
    st.info(
        f"**This link cannot carry the file.** The run uses the uploaded file "
        f"{quoted(ds.name)}; the link carries only K, init and seed and says it was made "
        "from an uploaded file, so whoever opens it is asked to upload it. To repeat the "
        "run exactly, send the CSV and the settings file: uploaded together on the Data "
        "page they rebuild the same data and the same clusters.",
        icon=":material/cloud_off:",
    )
else:
    st.caption(
        "The link holds the data generator's settings, K, init and seed — not the data: "
        "opening it rebuilds the same dataset and repeats the same run, on any page, "
        "in any browser. Copy it from here: once you move between pages, the address bar "
        "keeps only K, init and seed."
    )
target = st.selectbox("Open the link on", list(LINK_PAGES), key="export_link_page", width=260)
url = share.share_url(base, LINK_PAGES[target], params)
st.code(url, language=None, wrap_lines=True)
st.link_button("Open the link in a new tab", url, icon=":material/open_in_new:")
