"""Feltkart dashboard entry point: a router plus the shared sidebar, nothing else.

Run with ``make run`` (demo store) or
``FELTKART_STORE=path/to/store.gpkg streamlit run dashboard.py``.
"""

import streamlit as st

from ui.i18n import t
from ui.sidebar import render_sidebar

st.set_page_config(page_title="Feltkart", page_icon="🗺️", layout="wide")

PAGES = [
    ("pages/oversikt.py", "page.overview", "📊", True),
    ("pages/dekning.py", "page.coverage", "🗺️", False),
    ("pages/moter.py", "page.encounters", "🤝", False),
    ("pages/tid_pa_uka.py", "page.time_of_week", "🕑", False),
    ("pages/innsats_og_behov.py", "page.effort_need", "⚖️", False),
    ("pages/data.py", "page.data", "📥", False),
]

render_sidebar()
st.navigation([st.Page(path, title=t(key), icon=icon, default=default) for path, key, icon, default in PAGES]).run()
