"""Data page: generate, load or upload the dataset every page clusters, and preview it."""

from __future__ import annotations

import hashlib
import json

import streamlit as st

from dashboard import (
    csv_upload,
    data_figures,
    encoding,
    generators,
    large_data,
    large_pages,
    settings_file,
    upload_choices,
)
from dashboard import streamlit_glue as glue
from dashboard.dataset import Dataset
from dashboard.formatting import format_seconds
from dashboard.safe_text import literal, quoted

FLASH_KEY = "data_flash"
ERROR_KEY = "data_upload_error"
# The label selectbox's "none" (a None value would show as an empty selection).
NO_LABEL = ""
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
    glue.set_dataset(ds)
    st.session_state[FLASH_KEY] = message
    st.rerun()  # so the sidebar summary shows the new dataset too


def _param_widget(kind: str, name: str, p: generators.Param) -> None:
    key = _widget_key(kind, name)
    if p.kind == "choice":
        st.selectbox(p.label, list(p.choices or ()), key=key, help=p.help)
        return
    # Numeric settings always have both bounds (generators.LIMITS).
    lo, hi = float(p.lo or 0), float(p.hi or 0)
    if p.kind == "int" and hi - lo > 100:
        st.number_input(
            p.label,
            min_value=int(lo),
            max_value=int(hi),
            step=int(p.step or 1),
            key=key,
            help=f"{p.help} {int(lo):,} to {int(hi):,}.",
        )
    elif p.kind == "int":
        st.slider(p.label, int(lo), int(hi), step=1, key=key, help=p.help)
    else:
        step = p.step or (0.01 if hi <= 1 else 0.1)
        st.slider(p.label, lo, hi, step=float(step), key=key, help=p.help)


def generate_tab(seed: int) -> None:
    """Generator choice, its settings and the Generate button."""
    left, right = st.columns([2, 3], gap="large")
    with left:
        kind = str(
            st.selectbox(
                "Shape",
                generators.GENERATED_KINDS,
                format_func=lambda k: generators.TITLES[k],
                key=GEN_KIND_KEY,
            )
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
    """Built-in real datasets (iris, wine) with their scaling."""
    left, right = st.columns([2, 3], gap="large")
    with left:
        kind = str(
            st.radio(
                "Dataset",
                generators.BUILTIN_KINDS,
                format_func=lambda k: generators.TITLES[k],
                key=BUILTIN_KIND_KEY,
                captions=[generators.NOTES[k] for k in generators.BUILTIN_KINDS],
            )
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


def _keys(fid: str) -> dict[str, str]:
    return {
        "init": f"up_init_{fid}",
        "features": f"up_features_{fid}",
        "label": f"up_label_{fid}",
        "scaling": f"up_scaling_{fid}",
    }


def _col_key(what: str, fid: str, parsed: csv_upload.ParsedCSV, column: str) -> str:
    # Keyed by position: column names may hold any character.
    return f"up_{what}_{fid}_{list(parsed.frame.columns).index(column)}"


def _write_choices(parsed: csv_upload.ParsedCSV, fid: str, c: upload_choices.Choices) -> None:
    """Put choices into the upload widgets (at start, or from a callback)."""
    keys = _keys(fid)
    st.session_state[keys["features"]] = list(c.features)
    st.session_state[keys["label"]] = c.label or NO_LABEL
    st.session_state[keys["scaling"]] = c.scaling
    for col in parsed.text_columns:
        st.session_state[_col_key("enc", fid, parsed, col)] = c.encodings.get(col, "one-hot")
    for col in map(str, parsed.frame.columns):
        st.session_state[_col_key("missing", fid, parsed, col)] = c.missing.get(col, "drop")


def _read_choices(parsed: csv_upload.ParsedCSV, fid: str) -> upload_choices.Choices:
    keys = _keys(fid)
    features = tuple(st.session_state[keys["features"]])
    return upload_choices.Choices(
        features=features,
        encodings={
            f: st.session_state.get(_col_key("enc", fid, parsed, f), "one-hot")
            for f in features
            if f in parsed.text_columns
        },
        label=st.session_state[keys["label"]] or None,
        scaling=st.session_state[keys["scaling"]],
        missing={
            f: st.session_state.get(_col_key("missing", fid, parsed, f), "drop") for f in features
        },
    )


def _reproduce(parsed, name: str, loaded: settings_file.UploadSettings, fid: str) -> None:
    """Button callback: the settings file's dataset and K, init, seed become current."""
    try:
        ds = glue.cached_upload_dataset(parsed, name, loaded.recipe)
    except csv_upload.UploadError as exc:
        st.session_state[ERROR_KEY] = str(exc)
        return
    _write_choices(parsed, fid, upload_choices.from_recipe(loaded.recipe))
    glue.set_run_settings(loaded.run)
    glue.set_dataset(ds)
    st.session_state[FLASH_KEY] = (
        f"Reproduced the run of the settings file on **{literal(name)}**: "
        f"{ds.n_samples:,} rows x {ds.n_features} features, K = {loaded.run.k}, "
        f"init {loaded.run.init}, seed {loaded.run.seed}."
    )


def _settings_file_box(parsed, name: str, fid: str, keep_msg: str) -> None:
    """The optional settings.json next to the CSV: check it, offer to reproduce its run."""
    up = st.file_uploader(
        "Settings file (optional)",
        type=["json"],
        key="upload_settings_file",
        help="A settings.json from the Export page: repeats that run exactly on this CSV.",
    )
    if up is None:
        return
    try:
        loaded = settings_file.for_upload(settings_file.read_settings(up.getvalue()), parsed)
    except settings_file.SettingsFileError as exc:
        st.error(
            f"**{literal(up.name)}**: {literal(exc, 400)}\n\n{keep_msg}", icon=":material/error:"
        )
        return
    run = loaded.run
    st.info(
        f"**{literal(up.name)}**: K = {run.k}, init {run.init}, seed {run.seed}; "
        f"{len(loaded.recipe['features'])} feature column(s), scaling "
        f"{literal(loaded.recipe.get('scaling'))}.",
        icon=":material/settings:",
    )
    for note in loaded.notes:
        st.warning(literal(note, 400), icon=":material/warning:")
    st.button(
        "Reproduce this run",
        type="primary",
        icon=":material/replay:",
        on_click=_reproduce,
        args=(parsed, name, loaded, fid),
        key="upload_reproduce",
    )


def _suggestion_list(parsed, fid: str, defaults, choices) -> None:
    """Each default with its reason and a one-click undo (or redo)."""
    st.markdown("**Suggested set-up** · each with its reason; one click changes it")
    for i, s in enumerate(upload_choices.suggestions(parsed, defaults, choices)):
        text, button = st.columns([4, 1], vertical_alignment="center")
        status = "" if s.in_effect else " · *changed*"
        text.markdown(
            f"**{literal(s.subject)}**: {literal(s.default, 300)} — {literal(s.reason, 300)}"
            + status
        )
        button.button(
            s.button_label,
            key=f"up_toggle_{fid}_{i}",
            on_click=_write_choices,
            args=(parsed, fid, s.after_click),
            type="secondary" if s.in_effect else "tertiary",
            width="stretch",
        )


def _column_widgets(parsed, fid: str, defaults) -> None:
    """Features, label and scaling; an encoding per text feature; missing values per feature."""
    keys = _keys(fid)
    # Numbers and encodable text, plus whatever a settings file chose.
    wanted = set(parsed.numeric_columns) | set(defaults.encodable)
    wanted |= set(st.session_state[keys["features"]])
    usable = [str(c) for c in parsed.frame.columns if c in wanted]
    st.multiselect(
        "Columns to cluster on",
        usable,
        key=keys["features"],
        format_func=lambda c: f"{c} (text)" if c in parsed.text_columns else c,
    )
    c1, c2 = st.columns(2)
    c1.selectbox(
        "Label column (optional: true classes, used only for scoring)",
        [NO_LABEL, *map(str, parsed.frame.columns)],
        format_func=lambda c: "none" if c == NO_LABEL else c,
        key=keys["label"],
    )
    c2.radio(
        "Scaling",
        encoding.SCALINGS,
        format_func=lambda s: encoding.SCALING_LABELS[s],
        key=keys["scaling"],
        horizontal=True,
    )
    chosen = st.session_state[keys["features"]]
    text_features = [f for f in chosen if f in parsed.text_columns]
    if text_features:
        st.markdown(f"**Encoding of text columns** · {literal(encoding.WEIGHT_RULE, 300)}")
        cols = st.columns(min(len(text_features), 4))
        for i, f in enumerate(text_features):
            cols[i % 4].selectbox(
                literal(f, 40), encoding.TEXT_ENCODINGS, key=_col_key("enc", fid, parsed, f)
            )
    missing = {f: int(parsed.frame[f].isna().sum()) for f in chosen}
    missing = {f: n for f, n in missing.items() if n}
    if missing:
        st.markdown("**Missing values** per column")
        cols = st.columns(min(len(missing), 4))
        for i, (f, n) in enumerate(missing.items()):
            fills: tuple[str, ...] = (
                encoding.NUMERIC_FILL if f in parsed.numeric_columns else encoding.TEXT_FILL
            )
            cols[i % 4].selectbox(
                f"{literal(f, 40)} ({n:,} missing)",
                ("drop", *fills),
                format_func=lambda m: encoding.MISSING_LABELS[m],
                key=_col_key("missing", fid, parsed, f),
            )


def _draft(parsed, name: str, defaults, choices, keep_msg: str) -> Dataset | None:
    """The dataset the current choices give, with its warnings and encoded first rows."""
    if choices.label in choices.features:
        st.info(f"{quoted(choices.label)} is the label, so it is not a feature.")
    recipe = upload_choices.to_recipe(parsed, name, defaults, choices)
    try:
        draft = glue.cached_upload_dataset(parsed, name, recipe)
    except csv_upload.UploadError as exc:
        st.error(f"{literal(exc, 400)}\n\n{keep_msg}", icon=":material/error:")
        return None
    assert draft.origin is not None
    for warning in draft.origin.warnings:
        st.warning(literal(warning, 300), icon=":material/balance:")
    kept = int(draft.origin.kept.sum())
    st.caption(
        f"Features as clustered (first rows): {kept:,} of {parsed.n_rows:,} rows, "
        f"{draft.n_features} feature column(s)."
    )
    st.dataframe(data_figures.preview_table(draft, n_rows=5), hide_index=True, height=220)
    return draft


def upload_tab(current: Dataset) -> None:
    """CSV upload: parse, suggested set-up, choices per column, preview, use."""
    st.caption(csv_upload.LIMITS_TEXT)
    up = st.file_uploader(
        "CSV file",
        key="upload_file",
        max_upload_size=csv_upload.MAX_BYTES // 1024**2,
        help="A table with a header row and one row per point; numeric columns become features.",
    )
    if up is None:
        return
    keep_msg = f"The dataset loaded before, **{literal(current.name)}**, is still in use."
    with st.spinner(f"Reading {literal(up.name)} ..."):
        try:
            parsed = glue.cached_parse_csv(up.getvalue())
        except csv_upload.UploadError as exc:
            st.error(
                f"**{literal(up.name)}**: {literal(exc, 400)}\n\n{keep_msg}",
                icon=":material/error:",
            )
            return
    st.success(f"**{literal(up.name)}**: {parsed.summary}", icon=":material/check_circle:")
    for note in parsed.notes:
        st.caption(literal(note, 300))
    fid = parsed.sha256[:12]  # new file, fresh choices
    defaults = glue.cached_suggest(parsed)
    if _keys(fid)["init"] not in st.session_state:
        st.session_state[_keys(fid)["init"]] = True
        _write_choices(parsed, fid, upload_choices.from_defaults(defaults))
    _settings_file_box(parsed, up.name, fid, keep_msg)
    _suggestion_list(parsed, fid, defaults, _read_choices(parsed, fid))
    _column_widgets(parsed, fid, defaults)
    draft = _draft(parsed, up.name, defaults, _read_choices(parsed, fid), keep_msg)
    if st.button("Use this data", type="primary", icon=":material/upload:", disabled=draft is None):
        assert draft is not None
        _make_current(
            draft,
            f"Loaded **{literal(draft.name)}**: {draft.n_samples:,} rows x "
            f"{draft.n_features} features.",
        )


LARGE_FIT_KEY = "large_fit"
LARGE_OPENED_KEY = "large_opened"
LARGE_SOURCES = ("Files on the server", "Generated out of core")
_LARGE_KEYS = ("large_pattern", "large_rows", "large_features", "large_blobs")


def _large_source_form() -> tuple[str | None, dict]:
    """The source, K and init widgets of the Large file tab; ("open"/"fit"/None, choices)."""
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
        # One K everywhere: the sidebar's (the Export page shows this fit when they match).
        c1.markdown(f"**K = {glue.run_settings().k}** and the seed come from the sidebar.")
        c2.selectbox(
            "Initialisation",
            ["k-means||", "k-means++"],
            key="large_init",
            help="k-means|| samples candidates in a few passes over all rows; k-means++ runs "
            "on a uniform sample of 100,000 rows.",
        )
        b1, b2 = st.columns(2)
        opened = b1.form_submit_button(
            "Open", icon=":material/folder_open:", width="stretch",
            help="Count the rows and draw the density; then you can make it the active dataset.",
        )  # fmt: skip
        fitted = b2.form_submit_button(
            "Fit on Dask", type="primary", icon=":material/bolt:", width="stretch"
        )
    action = "fit" if fitted else "open" if opened else None
    return action, {"kind": kind, **{k: st.session_state.get(k) for k in _LARGE_KEYS}}


def _open_source(choice: dict, seed: int) -> large_data.LargeSource:
    """The chosen source, opened lazily (raises LargeDataError with the user's message)."""
    if choice["kind"] == LARGE_SOURCES[0]:
        return large_data.open_files(choice["large_pattern"] or "")
    return large_data.generated_source(
        int(choice["large_rows"]), int(choice["large_features"]), int(choice["large_blobs"]), seed
    )


def _open_large(choice: dict, seed: int) -> None:
    """Open and count the source; keep it as the opened (not yet active) source."""
    try:
        with st.spinner("Opening (a CSV's rows are counted once) ..."):
            st.session_state[LARGE_OPENED_KEY] = large_pages.activate(_open_source(choice, seed))
    except ValueError as exc:
        st.error(
            f"{literal(exc, 400)}\n\nThe dataset loaded before is still in use.",
            icon=":material/error:",
        )


def _run_large_fit(choice: dict, seed: int) -> None:
    """Open the source and fit it (the server's heavy-run slot, a bar per iteration)."""
    try:
        large = large_pages.activate(_open_source(choice, seed))
    except ValueError as exc:
        st.error(literal(exc, 400), icon=":material/error:")
        return
    init = st.session_state.get("large_init", "k-means||")
    # run_large_fit also keeps the fit for Export (same source, K, init and seed).
    fit = glue.run_large_fit(large, glue.run_settings().k, init, seed, max_iter=100)
    if fit is None:
        return
    st.session_state[LARGE_FIT_KEY] = (large.source, fit)
    st.session_state[LARGE_OPENED_KEY] = large


def _show_large_fit(source: large_data.LargeSource, fit: large_data.LargeFit) -> None:
    st.text(source.name)  # typed by the visitor or read from files: shown literally
    if source.left_out:
        st.text("Non-numeric columns left out: " + ", ".join(source.left_out))
    m = st.columns(4)
    m[0].metric("Rows", f"{fit.n_rows:,}")
    m[1].metric("Iterations", fit.model.n_iter_)
    m[2].metric("Inertia", f"{fit.model.inertia_:,.6g}")
    m[3].metric("Fit time", format_seconds(fit.seconds))
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
                st.error(literal(exc, 400), icon=":material/error:")
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
        "Open a source to make it the active dataset of Choose K, Compare and Export; "
        "until then the other pages keep the dataset below."
    )
    action, choice = _large_source_form()
    if action == "open":
        _open_large(choice, seed)
    elif action == "fit":
        _run_large_fit(choice, seed)
    opened = st.session_state.get(LARGE_OPENED_KEY)
    if opened is not None:
        _show_opened(opened)
    shown = st.session_state.get(LARGE_FIT_KEY)
    if shown is not None:
        _show_large_fit(*shown)


def _show_opened(large: large_pages.ActiveLarge) -> None:
    """The opened source: summary, density of every row, and the button to make it active."""
    with st.container(border=True):
        st.text(large.source.name)  # typed by the visitor or read from files: shown literally
        st.caption(large.summary)
        if large.source.left_out:
            st.text("Non-numeric columns left out: " + ", ".join(large.source.left_out))
        active = glue.large_source()
        if active is not None and active.key == large.key:
            st.success(
                "This is the active dataset: Choose K, Compare and Export work on it.",
                icon=":material/check_circle:",
            )
        else:
            st.button(
                "Use it as the active dataset", type="primary", icon=":material/dataset:",
                key="large_use", on_click=glue.use_large, args=(large,),
                help="Choose K (on a stated sample), Compare and Export then run on it. "
                "The in-memory dataset is kept; the sidebar leads back to it.",
            )  # fmt: skip
        if st.toggle(
            "Draw the density of every row", key="large_dens",
            help="Two reads of the data: each column's range, then the counts.",
        ):  # fmt: skip
            glue.large_density_chart(large, "large_density")


def preview(ds: Dataset, seed: int) -> None:
    """First rows, summary and scatter of the current dataset."""
    st.subheader(f"Preview: {ds.markdown_name}")
    if glue.large_source() is not None:
        st.caption(
            "The in-memory dataset, kept while the large source above is the active one: "
            "the sidebar's “Back to the in-memory dataset” makes it active again."
        )
    source = {
        "generated": "generated",
        "builtin": "built-in data",
        "sample": "sample of a large source",
    }.get(ds.source, "uploaded file")
    m = st.columns([1, 1, 1, 2])
    m[0].metric("Rows", f"{ds.n_samples:,}")
    m[1].metric("Features", ds.n_features)
    m[2].metric("True classes", ds.n_classes if ds.has_labels else "none")
    m[3].markdown(f"**Source:** {source}")
    for note in ds.notes:
        m[3].caption(literal(note, 300))
    for warning in ds.origin.warnings if ds.origin is not None else ():
        st.warning(literal(warning, 300), icon=":material/balance:")
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
            fig, notes = glue.cached_scatter(ds.key, columns, seed, ds)
        st.plotly_chart(fig, key="preview_scatter")
        for note in notes:
            st.caption(note)
    with table_col:
        if ds.origin is not None:
            st.markdown("**First rows as uploaded**")
            st.dataframe(data_figures.upload_table(ds), hide_index=True, height=220)
            st.markdown("**As clustered** (encoded and scaled)")
        else:
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


ds = glue.get_dataset()
seed = glue.get_seed()
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
upload_error = st.session_state.pop(ERROR_KEY, None)
if upload_error:
    flash_box.error(
        f"{literal(upload_error, 400)}\n\nThe dataset loaded before is still in use.",
        icon=":material/error:",
    )

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
