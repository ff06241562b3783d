"""K-Means Explorer: entry point. Run with ``streamlit run app.py``."""

from __future__ import annotations

import streamlit as st

from dashboard import state
from dashboard.dataset import DEFAULT_SEED
from dashboard.share import apply_shared_link

st.set_page_config(
    page_title="K-Means Explorer", page_icon=":material/scatter_plot:", layout="wide"
)

# The default page is served at "/" only (Streamlit ignores its url_path), so it is a
# home page: every working page keeps its own deep link.
PAGES = [
    st.Page("app_pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("app_pages/data.py", title="Data", icon=":material/dataset:", url_path="data"),
    st.Page(
        "app_pages/animate.py", title="Animate", icon=":material/animation:", url_path="animate"
    ),
    st.Page(
        "app_pages/choose_k.py", title="Choose K", icon=":material/show_chart:", url_path="choose-k"
    ),
    st.Page(
        "app_pages/compare.py",
        title="Compare",
        icon=":material/compare_arrows:",
        url_path="compare",
    ),
    st.Page("app_pages/speed.py", title="Speed", icon=":material/speed:", url_path="speed"),
    st.Page(
        "app_pages/export.py", title="Export & share", icon=":material/share:", url_path="export"
    ),
]


def sidebar() -> None:
    """Run settings shared by every page, and a summary of the current dataset."""
    with st.sidebar:
        st.subheader("Run settings")
        st.number_input(
            "Seed",
            min_value=0,
            max_value=2**31 - 1,
            value=DEFAULT_SEED,
            step=1,
            key=state.SEED_KEY,
            bind="query-params",
            help="Drives data generation, initialisation and scikit-learn's random_state.",
        )
        st.number_input(
            "K (clusters)",
            min_value=1,
            max_value=state.MAX_K,
            value=state.DEFAULT_K,
            step=1,
            key=state.K_KEY,
            bind="query-params",
        )
        st.selectbox("Init", state.INIT_CHOICES, key=state.INIT_KEY, bind="query-params")
        ds = state.get_dataset()
        st.subheader("Dataset")
        st.markdown(f"**{ds.name}**")
        labels = f"yes ({ds.n_classes} classes)" if ds.has_labels else "no"
        st.caption(f"{ds.n_samples:,} rows · {ds.n_features} features · true labels: {labels}")


nav = st.navigation(PAGES)
apply_shared_link()
sidebar()
nav.run()
