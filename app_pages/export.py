"""export page (placeholder until its issue lands)."""

import streamlit as st

from dashboard import state

ds = state.get_dataset()
st.title("export")
st.info("This page is being built.")
