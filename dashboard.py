"""Feltkart dashboard entry point: a router plus the shared sidebar, nothing else.

Run with ``make run`` (demo store) or
``FELTKART_STORE=path/to/store.gpkg python -m ui.serve``.
"""

import streamlit as st

from ui.navigation import FAVICON, navigation_pages
from ui.sidebar import render_sidebar

st.set_page_config(page_title="Feltkart", page_icon=str(FAVICON), layout="wide")
render_sidebar()
st.navigation(navigation_pages()).run()
