"""K-Means Explorer: entry point. Run with ``streamlit run app.py``."""

from __future__ import annotations

import streamlit as st

from dashboard import page_registry, safe_text, server_process, upload_recipe
from dashboard import run_settings as rs
from dashboard import streamlit_glue as glue

st.set_page_config(
    page_title="K-Means Explorer", page_icon=":material/scatter_plot:", layout="wide"
)
# Once per server: libraries out of the collector's view, one BLAS thread (see the module).
server_process.prepare_once()

# The default page is served at "/" only (Streamlit ignores its url_path), so it is a
# home page: every working page keeps its own deep link.
PAGES = [
    st.Page(p.script, title=p.title, icon=p.icon, default=True)
    if p.is_home
    else st.Page(p.script, title=p.title, icon=p.icon, url_path=p.url_path)
    for p in page_registry.PAGES
]


def sidebar() -> None:
    """Run settings shared by every page, and a summary of the current dataset."""
    glue.init_run_settings()
    with st.sidebar:
        st.subheader("Run settings")
        st.number_input(
            "Seed",
            min_value=0,
            max_value=rs.MAX_SEED,
            step=1,
            key=rs.SEED_KEY,
            bind="query-params",
            help="Drives data generation, initialisation and scikit-learn's random_state.",
        )
        st.number_input(
            "K (clusters)",
            min_value=1,
            max_value=rs.MAX_K,
            step=1,
            key=rs.K_KEY,
            bind="query-params",
        )
        st.selectbox("Init", rs.INIT_CHOICES, key=rs.INIT_KEY, bind="query-params")
        if glue.large_sidebar():  # a large source is the active dataset
            return
        ds = glue.get_dataset()
        st.subheader("Dataset")
        st.markdown(f"**{ds.markdown_name}**")
        labels = f"yes ({ds.n_classes} classes)" if ds.has_labels else "no"
        st.caption(f"{ds.n_samples:,} rows · {ds.n_features} features · true labels: {labels}")
        if ds.origin is not None:  # an upload: what was done to the file
            n_left = int((~ds.origin.kept).sum())
            summary = upload_recipe.summary(ds.origin.recipe, n_left)
            st.caption(f"Recipe: {safe_text.literal(summary, 200)}")


nav = st.navigation(PAGES)
glue.apply_shared_link()
glue.drop_crashing_link_params()
sidebar()
nav.run()
