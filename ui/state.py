"""Cached access to the store and to summaries, at the UI edge."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.store import Store, open_store
from geo.summary import Selection, summarize

DEFAULT_STORE = Path(os.environ.get("FELTKART_STORE", "data/demo.gpkg"))


@st.cache_resource(show_spinner=False)
def get_store(path: str) -> Store:
    """One open store per path for the whole server process."""
    return open_store(path, create=False)


@st.cache_data(show_spinner="Beregner …", max_entries=64)
def cached_summary(path: str, by: str, first_day: date | None, last_day: date | None,
                   teams: tuple[str, ...] | None) -> pd.DataFrame:
    """``geo.summary.summarize`` for the given store and selection (cached)."""
    return summarize(get_store(path), by, Selection(first_day=first_day, last_day=last_day, teams=teams))


@st.cache_data(show_spinner=False)
def store_date_range(path: str) -> tuple[date, date] | None:
    """First and last service day with patrols in the store."""
    frame = get_store(path).query("SELECT MIN(service_day) AS lo, MAX(service_day) AS hi FROM patrols")
    if frame.empty or frame.iloc[0]["lo"] is None:
        return None
    return date.fromisoformat(frame.iloc[0]["lo"]), date.fromisoformat(frame.iloc[0]["hi"])
