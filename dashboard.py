"""Feltkart dashboard entry point: who is signed in, the shared sidebar and the router, nothing else.

Run with ``make run`` (demo store, one local admin on 127.0.0.1) or
``FELTKART_STORE=path/to/store.gpkg python -m ui.serve``; sign-in for a
deployment is configured in ``.streamlit/secrets.toml`` (README, "Deployment").
"""

import streamlit as st

from geo.store.audit import acting_as
from ui.auth import current_user
from ui.navigation import FAVICON, run_page
from ui.sidebar import render_sidebar

st.set_page_config(page_title="Feltkart", page_icon=str(FAVICON), layout="wide")
user = current_user()
render_sidebar(user)
with acting_as(user.subject):  # every store write of the page (imports, area changes, drafts) is theirs
    run_page(user)
