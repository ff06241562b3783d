"""Export & share: download the run's files, or copy a link that reproduces the run."""

import streamlit as st

from dashboard import export, page_registry, runs, share
from dashboard import streamlit_glue as glue

# Pages a shared link can open on (label -> url_path), Animate first: the usual target.
LINK_PAGES = {p.title: p.url_path for p in page_registry.tour_pages()}
LINK_PAGES = {"Animate": LINK_PAGES.pop("Animate"), **LINK_PAGES}

st.title("Export & share")
st.caption(
    "Take the current run with you: the data with its cluster labels, the centers, every "
    "step of Lloyd's algorithm and the settings — or a link that repeats the same run."
)

ds = glue.get_dataset()
settings = glue.run_settings()
k, k_notice = runs.usable_k(settings.k, ds.n_samples)
if k_notice:
    st.warning(k_notice)
with st.spinner("Fitting K-Means…"):
    model = glue.cached_fit_run(ds, settings)
for note in runs.run_notes(model):
    st.info(note, icon=":material/info:")

params = share.link_params(ds, settings)
base = share.app_base_url(st.context.url, page_registry.url_paths())

cols = st.columns(5)
cols[0].metric("Rows", f"{ds.n_samples:,}")
cols[1].metric("Features", ds.n_features)
cols[2].metric("K", k)
cols[3].metric("Inertia", f"{model.inertia_:,.6g}", help="Sum of squared distances to centers.")
cols[4].metric("Iterations", model.n_iter_)
st.caption(f"Dataset **{ds.markdown_name}** · init {settings.init} · seed {settings.seed}")

st.subheader("Downloads")
stem = export.file_stem(ds, settings)
# The settings file carries the link that repeats this run, opened on the Animate page.
settings_link = share.share_url(base, LINK_PAGES["Animate"], params)
files = glue.cached_run_files(ds, settings, model, settings_link)
labels = model.labels_
n_cols = ds.n_features + 1 + (1 if ds.has_labels else 0)


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


tiles = st.columns(4)
download_tile(
    tiles[0],
    "labelled",
    "**Labelled data** · CSV",
    f"{ds.n_samples:,} rows × {n_cols} columns: the features under their own names, "
    "`cluster`" + (" and `true_label`." if ds.has_labels else "."),
    "Data + clusters",
    # Built only when clicked: a million-row CSV takes about a second.
    lambda: export.labelled_csv(ds, labels),
    f"{stem}_labelled.csv",
    "text/csv",
)
download_tile(
    tiles[1],
    "centers",
    "**Centers** · CSV",
    f"{k} rows: `cluster`, `n_points` and the center's coordinates.",
    "Centers",
    files.centers_csv,
    f"{stem}_centers.csv",
    "text/csv",
)
download_tile(
    tiles[2],
    "history",
    "**Step history** · CSV",
    f"{files.n_history_rows:,} rows ({len(model.history_)} steps × {k} clusters): "
    "inertia and every center after each assign and update step.",
    "History",
    files.history_csv,
    f"{stem}_history.csv",
    "text/csv",
)
download_tile(
    tiles[3],
    "settings",
    "**Settings** · JSON",
    "K, init, seed, max_iter, tol, the dataset recipe, the kmeans_core version, "
    "inertia, iterations and the share link.",
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
    st.dataframe(
        export.centers_frame(model.cluster_centers_, ds.feature_names, labels), hide_index=True
    )

st.subheader("Share this run")
if ds.recipe is None:
    st.info(
        "Uploaded data cannot travel in a link: the link below carries only K, init and seed. "
        "Whoever opens it starts with the default dataset and can upload the same file on "
        "the Data page to repeat the run.",
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
