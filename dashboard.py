"""Feltkart dashboard entry point: a router plus the shared sidebar, nothing else.

Run with ``make run`` (demo store) or
``FELTKART_STORE=path/to/store.gpkg python -m ui.serve``.
"""

from pathlib import Path

import streamlit as st

from ui.i18n import t
from ui.sidebar import render_sidebar

FAVICON = Path(__file__).parent / "ui" / "assets" / "favicon.png"  # local: an icon name would be fetched from a CDN

st.set_page_config(page_title="Feltkart", page_icon=str(FAVICON), layout="wide")

PAGES = [
    ("pages/oversikt.py", "page.overview", ":material/dashboard:", True),
    ("pages/dekning.py", "page.coverage", ":material/map:", False),
    ("pages/moter.py", "page.encounters", ":material/groups:", False),
    ("pages/tid_pa_uka.py", "page.time_of_week", ":material/schedule:", False),
    ("pages/innsats_og_behov.py", "page.effort_need", ":material/balance:", False),
    ("pages/endringer.py", "changes.title", ":material/timeline:", False),
    ("pages/hotspots.py", "hotspots.page", ":material/local_fire_department:", False),
    ("pages/situasjonsbilde.py", "report.page", ":material/summarize:", False),
    ("pages/planlegging.py", "planning.page", ":material/event_note:", False),
    ("pages/data.py", "page.data", ":material/upload_file:", False),
]

render_sidebar()
st.navigation([st.Page(path, title=t(key), icon=icon, default=default) for path, key, icon, default in PAGES]).run()
