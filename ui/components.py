"""Widgets several pages share: key-figure row, basemap picker, map display."""

from __future__ import annotations

import math
from pathlib import Path

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import formatting
from geo.basemap import BASEMAP_FILE
from geo.maps import BASEMAPS, base_map
from ui.i18n import labels, language, t

MAP_HEIGHT = 520
LEAFLET_URL = "/app/static/vendor/leaflet"
"""Where Streamlit serves the Leaflet copy fetched at set-up (see Makefile, .streamlit/config.toml)."""

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
BASEMAP_STATIC = Path("basemap") / BASEMAP_FILE.name
"""The offline street map's copy under ``static/`` (``make`` copies it from ``data/``)."""


def new_map(basemap: str) -> folium.Map:
    """An empty map that loads Leaflet and the offline street map from this server, never from the
    internet (the street map is embedded instead when ``static/`` has no current copy)."""
    return base_map(basemap=basemap, leaflet_url=LEAFLET_URL, basemap_url=_served_basemap(), language=language())


def _served_basemap() -> str | None:
    served = STATIC_DIR / BASEMAP_STATIC
    try:
        current = served.stat().st_size == BASEMAP_FILE.stat().st_size and \
            served.stat().st_mtime >= BASEMAP_FILE.stat().st_mtime
    except OSError:
        return None
    return f"/app/static/{BASEMAP_STATIC.as_posix()}" if current else None


def key_figure_row(figures: pd.DataFrame, keys: list[str]) -> None:
    """One ``st.metric`` per figure, with the change vs the comparison period.

    ``figures`` has columns figure, current, previous, change (from
    ``geo.queries.compare``); previous may be NaN when there is no comparison.
    """
    rows = figures.set_index("figure")
    for column, key in zip(st.columns(len(keys)), keys):
        current = rows.at[key, "current"]
        previous = rows.at[key, "previous"] if "previous" in rows else math.nan
        delta = None if pd.isna(previous) else _format(key, rows.at[key, "change"], signed=True)
        column.metric(t(f"figure.{key}"), _format(key, current), delta=delta)


def _format(key: str, value: float, *, signed: bool = False) -> str:
    """A key figure in the UI language: shares as per cent (changes in percentage points), counts whole."""
    lang = language()
    if key.startswith("share_"):
        return formatting.points(value, lang) if signed else formatting.percent(value, lang)
    if key.endswith("_hours"):
        return formatting.number(value, lang, decimals=0, signed=signed)
    return formatting.integer(value, lang, signed=signed)


def basemap_picker(key: str) -> str:
    """Basemap choice (the offline street map by default; tile basemaps need the internet)."""
    return st.radio(t("map.basemap"), list(BASEMAPS), key=key, horizontal=True,
                    format_func=labels("map.basemap"))


def show_map(fmap: folium.Map, *, key: str) -> None:
    """Render a folium map; panning and zooming do not rerun the page."""
    st_folium(fmap, key=key, height=MAP_HEIGHT, use_container_width=True, returned_objects=[])
