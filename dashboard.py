"""Feltkart dashboard entry point: a router plus the shared sidebar, nothing else.

Run with ``make run`` (demo store) or
``FELTKART_STORE=path/to/store.gpkg streamlit run dashboard.py``.
"""

import streamlit as st

from ui.sidebar import render_sidebar

st.set_page_config(page_title="Feltkart", page_icon="🗺️", layout="wide")

render_sidebar()
navigation = st.navigation([st.Page("pages/oversikt.py", title="Oversikt", default=True)])
navigation.run()
