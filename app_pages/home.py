"""Home page: what the tool is and where to go."""

import streamlit as st

from dashboard import state

ds = state.get_dataset()
settings = state.run_settings()

st.title("K-Means Explorer")
st.markdown(
    "Explore K-Means clustering in the browser: make or upload data, watch Lloyd's "
    "algorithm move step by step, choose K, compare with scikit-learn, and see why a "
    "vectorised NumPy implementation is fast. Everything here runs on **kmeans_core**, "
    "our own from-scratch NumPy K-Means."
)
st.info(
    f"Current dataset: **{ds.name}** ({ds.n_samples:,} rows, {ds.n_features} features). "
    f"Run settings: K = {settings.k}, init {settings.init}, seed {settings.seed} — "
    "change them in the sidebar; every page uses them.",
    icon=":material/info:",
)

TOUR = [
    (
        "app_pages/data.py",
        "Data",
        ":material/dataset:",
        "Generate blobs or the shapes K-Means gets wrong, load iris or wine, or upload a CSV.",
    ),
    (
        "app_pages/animate.py",
        "Animate",
        ":material/animation:",
        "Watch every assignment and update step, with Voronoi regions and the inertia curve.",
    ),
    (
        "app_pages/choose_k.py",
        "Choose K",
        ":material/show_chart:",
        "Elbow, silhouette, Calinski–Harabasz and Davies–Bouldin, and a recommended K.",
    ),
    (
        "app_pages/compare.py",
        "Compare",
        ":material/compare_arrows:",
        "kmeans_core and scikit-learn side by side, from the same start or each its own.",
    ),
    (
        "app_pages/speed.py",
        "Speed",
        ":material/speed:",
        "Python loops vs broadcasting vs one matrix product, timed live.",
    ),
    (
        "app_pages/export.py",
        "Export & share",
        ":material/share:",
        "Download the labelled data, centers, history and settings; share a link to this run.",
    ),
]

columns = st.columns(3)
for i, (path, title, icon, blurb) in enumerate(TOUR):
    with columns[i % 3].container(border=True):
        st.page_link(path, label=title, icon=icon)
        st.caption(blurb)
