"""Home page: what the tool is and where to go."""

import streamlit as st

from dashboard import page_registry
from dashboard import streamlit_glue as glue
from dashboard.safe_text import quoted

ds = glue.get_dataset()
settings = glue.run_settings()

st.title("K-Means Explorer")
st.markdown(
    "Explore K-Means clustering in the browser: make or upload data, watch Lloyd's "
    "algorithm move step by step, choose K, compare with scikit-learn, and see why a "
    "vectorised NumPy implementation is fast. Everything here runs on **kmeans_core**, "
    "our own from-scratch NumPy K-Means."
)
large = glue.large_source()
current = (
    f"Current dataset: the large source {quoted(large.source.name)} ({large.summary}); "
    "Choose K, Compare and Export work on it"
    if large is not None
    else f"Current dataset: **{ds.markdown_name}** ({ds.n_samples:,} rows, {ds.n_features} "
    "features)"
)
st.info(
    f"{current}. "
    f"Run settings: K = {settings.k}, init {settings.init}, seed {settings.seed} — "
    "change them in the sidebar; every page uses them.",
    icon=":material/info:",
)

columns = st.columns(3)
for i, page in enumerate(page_registry.tour_pages()):
    with columns[i % 3].container(border=True):
        st.page_link(page.script, label=page.title, icon=page.icon)
        st.caption(page.blurb)
