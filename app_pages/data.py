"""Data page: generate, load or upload the dataset every page clusters, and preview it."""

from __future__ import annotations

import hashlib
import json

import streamlit as st

from dashboard import csv_upload, data_figures, generators, large_data, preprocess, state
from dashboard.dataset import Dataset

FLASH_KEY = "data_flash"
SYNC_KEY = "data_synced_recipe"
GEN_KIND_KEY = "gen_kind"
BUILTIN_KIND_KEY = "builtin_kind"


def _widget_key(kind: str, name: str) -> str:
    return f"gen_{kind}_{name}"


def _sync_widgets_from(ds: Dataset) -> None:
    """Start the generator widgets from the current dataset's recipe.

    Runs when the recipe changes (e.g. a dataset arrived by a shared link), so
    the widgets show the settings that made the data; otherwise the user's
    edits stay.
    """
    for kind, params in generators.LIMITS.items():
        for name, p in params.items():
            st.session_state.setdefault(_widget_key(kind, name), p.default)
    st.session_state.setdefault(GEN_KIND_KEY, generators.GENERATED_KINDS[0])
    st.session_state.setdefault(BUILTIN_KIND_KEY, generators.BUILTIN_KINDS[0])
    if ds.recipe is None or ds.recipe.get("kind") not in generators.LIMITS:
        return
    marker = json.dumps({k: v for k, v in ds.recipe.items() if k != "seed"}, sort_keys=True)
    if st.session_state.get(SYNC_KEY) == marker:
        return
    st.session_state[SYNC_KEY] = marker
    kind = ds.recipe["kind"]
    st.session_state[GEN_KIND_KEY if kind in generators.GENERATED_KINDS else BUILTIN_KIND_KEY] = (
        kind
    )
    for name in generators.LIMITS[kind]:
        if name in ds.recipe:
            st.session_state[_widget_key(kind, name)] = ds.recipe[name]


def _make_current(ds: Dataset, message: str) -> None:
    state.set_dataset(ds)
    st.session_state[FLASH_KEY] = message
    st.rerun()  # so the sidebar summary shows the new dataset too


def _param_widget(kind: str, name: str, p: generators.Param) -> None:
    key = _widget_key(kind, name)
    if p.kind == "choice":
        st.selectbox(p.label, p.choices, key=key, help=p.help)
    elif p.kind == "int" and p.hi - p.lo > 100:
        st.number_input(
            p.label,
            min_value=int(p.lo),
            max_value=int(p.hi),
            step=int(p.step or 1),
            key=key,
            help=f"{p.help} {int(p.lo):,} to {int(p.hi):,}.",
        )
    elif p.kind == "int":
        st.slider(p.label, int(p.lo), int(p.hi), step=1, key=key, help=p.help)
    else:
        step = p.step or (0.01 if p.hi <= 1 else 0.1)
        st.slider(p.label, float(p.lo), float(p.hi), step=float(step), key=key, help=p.help)


def generate_tab(seed: int) -> None:
    left, right = st.columns([2, 3], gap="large")
    with left:
        kind = st.selectbox(
            "Shape",
            generators.GENERATED_KINDS,
            format_func=generators.TITLES.get,
            key=GEN_KIND_KEY,
        )
        st.info(generators.NOTES[kind], icon=":material/lightbulb:")
        st.caption(f"Seed **{seed}** comes from the sidebar: change it there to draw new data.")
    with right, st.form("generate_form", border=False):
        for name, p in generators.LIMITS[kind].items():
            _param_widget(kind, name, p)
        submitted = st.form_submit_button("Generate", type="primary", icon=":material/casino:")
    if submitted:
        recipe = {"kind": kind}
        recipe.update({n: st.session_state[_widget_key(kind, n)] for n in generators.LIMITS[kind]})
        try:
            ds = generators.dataset_from_recipe(recipe, seed)
        except ValueError as exc:
            st.error(f"{exc}", icon=":material/error:")
        else:
            _make_current(ds, f"Generated **{ds.name}**: {ds.n_samples:,} points.")


def builtin_tab(seed: int) -> None:
    left, right = st.columns([2, 3], gap="large")
    with left:
        kind = st.radio(
            "Dataset",
            generators.BUILTIN_KINDS,
            format_func=generators.TITLES.get,
            key=BUILTIN_KIND_KEY,
            captions=[generators.NOTES[k] for k in generators.BUILTIN_KINDS],
        )
    with right:
        for name, p in generators.LIMITS[kind].items():
            _param_widget(kind, name, p)
        st.caption("Ships with scikit-learn: works offline. True classes are kept for scoring.")
        if st.button("Load", type="primary", icon=":material/download:", key="builtin_load"):
            recipe = {"kind": kind}
            recipe.update(
                {n: st.session_state[_widget_key(kind, n)] for n in generators.LIMITS[kind]}
            )
            try:
                ds = generators.dataset_from_recipe(recipe, seed)
            except ValueError as exc:
                st.error(f"{exc}", icon=":material/error:")
            else:
                _make_current(ds, f"Loaded **{ds.name}**: {ds.n_samples:,} rows.")


@st.cache_data(max_entries=4, show_spinner=False)
def _parse(data: bytes) -> csv_upload.ParsedCSV:
    return csv_upload.parse_csv(data)


def upload_tab(current: Dataset) -> None:
    st.caption(csv_upload.LIMITS_TEXT)
    up = st.file_uploader(
        "CSV file",
        key="upload_file",
        max_upload_size=csv_upload.MAX_BYTES // 1024**2,
        help="A table with a header row and one row per point; numeric columns become features.",
    )
    if up is None:
        return
    keep_msg = f"The dataset loaded before, **{current.name}**, is still in use."
    with st.spinner(f"Reading {up.name} ..."):
        try:
            parsed = _parse(up.getvalue())
        except csv_upload.UploadError as exc:
            st.error(f"**{up.name}**: {exc}\n\n{keep_msg}", icon=":material/error:")
            return
    st.success(f"**{up.name}**: {parsed.summary}", icon=":material/check_circle:")
    for note in parsed.notes:
        st.caption(note)
    if parsed.text_columns:
        st.caption(
            "Text columns, left out of the features (one can be the label): "
            + ", ".join(parsed.text_columns)
        )
    missing = parsed.missing_counts()
    if missing:
        per_col = ", ".join(f"{c}: {n:,}" for c, n in missing.items())
        st.warning(
            f"{sum(missing.values()):,} missing value(s) in the numeric columns ({per_col}). "
            "Choose below whether to drop those rows or fill them in.",
            icon=":material/warning:",
        )
    fid = hashlib.blake2b(up.getvalue(), digest_size=6).hexdigest()  # new file, fresh choices
    with st.form(f"upload_form_{fid}"):
        features = st.multiselect(
            "Columns to cluster on",
            parsed.numeric_columns,
            default=parsed.suggested_features(),
            key=f"up_features_{fid}",
        )
        columns = [None, *parsed.frame.columns]
        suggested = parsed.suggested_label()
        label = st.selectbox(
            "Label column (optional: true classes, used only for scoring)",
            columns,
            index=columns.index(suggested) if suggested else 0,
            format_func=lambda c: "none" if c is None else c,
            key=f"up_label_{fid}",
        )
        c1, c2 = st.columns(2)
        how_missing = c1.radio(
            "Missing values",
            preprocess.MISSING_CHOICES,
            format_func=preprocess.MISSING_LABELS.get,
            key=f"up_missing_{fid}",
        )
        scaling = c2.radio(
            "Scaling",
            preprocess.SCALING_CHOICES,
            format_func=preprocess.SCALING_LABELS.get,
            key=f"up_scaling_{fid}",
        )
        submitted = st.form_submit_button("Use this data", type="primary", icon=":material/upload:")
    if not submitted:
        return
    if label in features:
        features = [f for f in features if f != label]
        st.info(f"'{label}' is the label, so it was left out of the features.")
    try:
        ds = csv_upload.build_dataset(parsed, up.name, features, label, how_missing, scaling)
    except csv_upload.UploadError as exc:
        st.error(f"{exc}\n\n{keep_msg}", icon=":material/error:")
        return
    _make_current(ds, f"Loaded **{ds.name}**: {ds.n_samples:,} rows x {ds.n_features} features.")


LARGE_FIT_KEY = "large_fit"
LARGE_SOURCES = ("Files on the server", "Generated out of core")
_LARGE_KEYS = ("large_pattern", "large_rows", "large_features", "large_blobs", "large_k")


def _large_source_form() -> tuple[bool, dict]:
    """The source, K and init widgets of the Large file tab; (submitted, choices)."""
    kind = st.radio("Source", LARGE_SOURCES, horizontal=True, key="large_kind")
    with st.form("large_form", border=False):
        if kind == LARGE_SOURCES[0]:
            st.text_input(
                "File or pattern (CSV or Parquet)",
                placeholder="trips.parquet, or parts/*.csv",
                key="large_pattern",
            )
        else:
            c1, c2, c3 = st.columns(3)
            c1.number_input(
                "Rows", 1_000, large_data.MAX_GENERATED_ROWS, 1_000_000, 1_000_000, key="large_rows"
            )
            c2.number_input("Features", 1, 100, 2, key="large_features")
            c3.number_input("Blobs", 1, 50, 5, key="large_blobs")
        c1, c2 = st.columns(2)
        c1.number_input("K (clusters)", 1, 50, 5, key="large_k")
        c2.selectbox(
            "Initialisation",
            ["k-means||", "k-means++"],
            key="large_init",
            help="k-means|| samples candidates in a few passes over all rows; k-means++ runs "
            "on a uniform sample of 100,000 rows.",
        )
        submitted = st.form_submit_button("Fit on Dask", type="primary", icon=":material/bolt:")
    return submitted, {"kind": kind, **{k: st.session_state.get(k) for k in _LARGE_KEYS}}


def _run_large_fit(choice: dict, seed: int) -> None:
    """Open the source, fit with a progress bar, keep the result for the next reruns."""
    try:
        if choice["kind"] == LARGE_SOURCES[0]:
            source = large_data.open_files(choice["large_pattern"] or "")
        else:
            source = large_data.generated_source(
                int(choice["large_rows"]), int(choice["large_features"]),
                int(choice["large_blobs"]), seed,
            )  # fmt: skip
        bar = st.progress(0.0, text="Reading the data once (checks, mean, initial centers) ...")
        max_iter = 100

        def progress(iteration: int, inertia: float) -> None:
            bar.progress(
                min(iteration / max_iter, 1.0),
                text=f"Iteration {iteration}: inertia {inertia:,.6g}",
            )

        fit = large_data.fit_large(
            source, int(choice["large_k"]), init=st.session_state.get("large_init", "k-means||"),
            seed=seed, max_iter=max_iter, progress=progress,
        )  # fmt: skip
    except ValueError as exc:
        st.error(f"{exc}", icon=":material/error:")
        return
    bar.empty()
    st.session_state[LARGE_FIT_KEY] = (source, fit)


def _show_large_fit(source: large_data.LargeSource, fit: large_data.LargeFit) -> None:
    st.text(source.name)  # typed by the visitor or read from files: shown literally
    if source.left_out:
        st.text("Non-numeric columns left out: " + ", ".join(source.left_out))
    m = st.columns(4)
    m[0].metric("Rows", f"{fit.n_rows:,}")
    m[1].metric("Iterations", fit.model.n_iter_)
    m[2].metric("Inertia", f"{fit.model.inertia_:,.6g}")
    m[3].metric("Fit time", f"{fit.seconds:,.1f} s")
    plot_col, table_col = st.columns([3, 2], gap="large")
    with plot_col:
        st.plotly_chart(large_data.sample_figure(fit, source.feature_names), key="large_plot")
        st.caption(fit.sample_note)
    with table_col:
        st.markdown("**Centers**")
        st.dataframe(large_data.centers_table(fit, source.feature_names), hide_index=True)
        target = large_data.labels_path(source)
        if st.button("Write labels next to the data", icon=":material/save:", key="large_write"):
            try:
                with st.spinner("Writing one label per row ..."):
                    path = large_data.write_labels(fit, source)
            except ValueError as exc:
                st.error(f"{exc}", icon=":material/error:")
            else:
                st.success("Labels written (Parquet, one row per input row) to:")
                st.code(str(path), language=None)
        else:
            st.caption("Labels go to:")
            st.code(str(target), language=None)


def large_file_tab(seed: int) -> None:
    """Data too large to upload: files on the server or generated rows, fitted on Dask."""
    st.caption(
        "For data larger than an upload or this machine's memory: read lazily with Dask, "
        "never loaded whole (each iteration reads it once), clustered with every row. "
        f"Files are read only from the server's data directory `{large_data.data_dir()}` "
        f"(set by {large_data.DATA_DIR_ENV}); paths outside it are refused. "
        "This result stays on this tab: the other pages keep the dataset below."
    )
    submitted, choice = _large_source_form()
    if submitted:
        _run_large_fit(choice, seed)
    shown = st.session_state.get(LARGE_FIT_KEY)
    if shown is not None:
        _show_large_fit(*shown)


def preview(ds: Dataset, seed: int) -> None:
    st.subheader(f"Preview: {ds.name}")
    source = {"generated": "generated", "builtin": "built-in data"}.get(ds.source, "uploaded file")
    m = st.columns([1, 1, 1, 2])
    m[0].metric("Rows", f"{ds.n_samples:,}")
    m[1].metric("Features", ds.n_features)
    m[2].metric("True classes", ds.n_classes if ds.has_labels else "none")
    m[3].markdown(f"**Source:** {source}")
    for note in ds.notes:
        m[3].caption(note)
    plot_col, table_col = st.columns([3, 2], gap="large")
    with plot_col:
        columns = None
        if ds.n_features > 2:
            names_id = hashlib.blake2b("|".join(ds.feature_names).encode(), digest_size=6)
            vid = names_id.hexdigest()
            view = st.radio(
                "View",
                ["PCA projection", "Two columns"],
                horizontal=True,
                key=f"preview_view_{vid}",
                help="Only the picture changes: clustering always uses every feature.",
            )
            if view == "Two columns":
                c1, c2 = st.columns(2)
                idx = list(range(ds.n_features))
                i = c1.selectbox(
                    "x axis", idx, format_func=ds.feature_names.__getitem__, key=f"px_{vid}"
                )
                j = c2.selectbox(
                    "y axis",
                    idx,
                    index=1,
                    format_func=ds.feature_names.__getitem__,
                    key=f"py_{vid}",
                )
                columns = (i, j)
        with st.spinner("Drawing ..."):
            fig, notes = data_figures.cached_scatter(ds.key, columns, seed, ds)
        st.plotly_chart(fig, key="preview_scatter")
        for note in notes:
            st.caption(note)
    with table_col:
        st.markdown(f"**First {min(10, ds.n_samples)} rows**")
        st.dataframe(data_figures.preview_table(ds), hide_index=True)
        counts = data_figures.class_counts(ds)
        if counts is not None:
            st.markdown("**Rows per true class**")
            st.dataframe(counts, hide_index=True)
    st.markdown("**Summary of each feature**")
    summary = data_figures.summary_table(ds).round(3)
    st.dataframe(
        summary,
        hide_index=True,
        height=min(36 * (len(summary) + 1) + 2, 600),
        column_config={"feature": st.column_config.TextColumn(width="medium")},
    )


ds = state.get_dataset()
seed = state.get_seed()
_sync_widgets_from(ds)

st.title("Data")
st.caption(
    "Make, load or upload the data every page clusters. Clustering always uses all "
    "features; 2-D views here are for display only."
)
# Always drawn (even empty) so the tabs below keep their place and the open tab stays open.
flash_box = st.container()
flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    flash_box.success(flash, icon=":material/check_circle:")

tab_gen, tab_builtin, tab_upload, tab_large = st.tabs(
    ["Generate", "Built-in data", "Upload CSV", "Large file"], key="data_source_tab"
)
with tab_gen:
    generate_tab(seed)
with tab_builtin:
    builtin_tab(seed)
with tab_upload:
    upload_tab(ds)
with tab_large:
    large_file_tab(seed)

st.divider()
preview(ds, seed)
