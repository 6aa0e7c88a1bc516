"""The one shared sidebar: store and period. Pages read the choices from session state."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import streamlit as st

from ui.state import DEFAULT_STORE, store_date_range

STORE_KEY = "store_path"
PERIOD_KEY = "period"


def render_sidebar() -> None:
    """Draw the sidebar and keep the choices in ``st.session_state``."""
    with st.sidebar:
        st.header("Feltkart")
        path = st.text_input("Datalager (GeoPackage)", value=str(DEFAULT_STORE), key=STORE_KEY)
        if not Path(path).is_file():
            st.error(f"Fant ikke {path}. Kjør `make run` for demodata, eller importer egne data.")
            st.stop()
        span = store_date_range(path)
        if span is None:
            st.warning("Datalageret har ingen patruljer ennå.")
            st.stop()
        first, last = span
        default_start = max(first, last - timedelta(days=27))
        chosen = st.date_input("Periode (tjenestedag)", value=(default_start, last),
                               min_value=first, max_value=last, key=PERIOD_KEY, format="DD.MM.YYYY")
        st.caption("© OpenStreetMap-bidragsytere · Oslo kommune, PBE · Kartverket, SSB")


def selected_period() -> tuple[date, date]:
    """The period picked in the sidebar (both ends inclusive, local dates)."""
    value = st.session_state.get(PERIOD_KEY)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return value[0], value[1]
    if isinstance(value, (tuple, list)) and len(value) == 1:
        return value[0], value[0]
    today = date.today()
    return today, today


def selected_store() -> str:
    return st.session_state.get(STORE_KEY, str(DEFAULT_STORE))
