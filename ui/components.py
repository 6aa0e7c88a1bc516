"""Widgets several pages share: key-figure row, basemap picker, map display."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import formatting
from geo.basemap import BASEMAP_FILE
from geo.maps import BASEMAPS, add_areas, add_cells, add_shapes, base_map, fit_to, selection_shapes
from geo.queries import Filters
from ui.filters import resolution_picker
from ui.i18n import labels, language, t, translate_columns

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


FIGURES_PER_ROW = 4
"""Key figures side by side (more would cut their labels and comparison texts)."""

EFFORT_FIGURES = frozenset({"patrols", "patrol_hours", "presence_hours", "person_hours"})
"""Figures where up and down have an agreed meaning: more effort delivered is up (green).
Every other figure (encounters, people, new contacts, shares) is shown without colour:
more encounters can mean more need or better reach."""


def key_figure_row(figures: pd.DataFrame, keys: list[str], *, compare: Filters | None = None) -> None:
    """One ``st.metric`` per figure, with the change vs the comparison period.

    ``figures`` has columns figure, current, previous, change (from
    ``geo.queries.compare``); previous may be NaN when there is no comparison.
    Every delta names the comparison period and its value (``compare``, the
    sidebar's comparison filters); its arrow follows the sign of the change
    (:func:`delta_arrow`) and it is coloured only for :data:`EFFORT_FIGURES`.
    """
    rows = figures.set_index("figure")
    columns = [column for start in range(0, len(keys), FIGURES_PER_ROW)
               for column in st.columns(FIGURES_PER_ROW)][:len(keys)]
    for column, key in zip(columns, keys):
        current = rows.at[key, "current"]
        previous = rows.at[key, "previous"] if "previous" in rows else math.nan
        if pd.isna(previous) or compare is None:
            column.metric(t(f"figure.{key}"), _format(key, current))
            continue
        change = rows.at[key, "change"]
        shown_previous = _format(key, previous)
        column.metric(
            t(f"figure.{key}"), _format(key, current), delta=_format(key, change, signed=True),
            delta_color="normal" if key in EFFORT_FIGURES else "off", delta_arrow=delta_arrow(change),
            delta_description=t("delta.vs", previous=shown_previous, first=compare.first_day, last=compare.last_day),
            help=t("delta.help", previous=shown_previous, first=compare.first_day, last=compare.last_day),
        )


def delta_arrow(change: float | str) -> str:
    """``"up"``, ``"down"`` or ``"off"`` (no change, or unknown) for a change given as a number
    or as display text ("+12", "−5 (−4 %)", with a minus sign or a hyphen)."""
    if isinstance(change, str):
        text = change.strip()
        if not text or text[0] not in "+-−" or not any(ch.isdigit() and ch != "0" for ch in text.split("(")[0]):
            return "off"
        return "down" if text[0] in "-−" else "up"
    if pd.isna(change) or change == 0:
        return "off"
    return "up" if change > 0 else "down"


def _format(key: str, value: float, *, signed: bool = False) -> str:
    """A key figure in the UI language (:mod:`geo.formatting`): shares as per cent and their changes in
    percentage points; hours with one decimal below 10; counts whole."""
    lang = language()
    if key.startswith("share_"):
        return formatting.points(value, lang) if signed else formatting.percent(value, lang, decimals=1)
    decimals = 1 if key.endswith("_hours") and not pd.isna(value) and abs(value) < 10 else 0
    return formatting.number(value, lang, decimals=decimals, signed=signed)


def rate_interval(low: pd.Series, high: pd.Series) -> pd.Series:
    """The rate's interval as text ("6,1–9,4" / "6.1–9.4"); empty where there is no rate."""
    lang = language()
    return pd.Series([f"{formatting.number(lo, lang, decimals=1)}–{formatting.number(hi, lang, decimals=1)}"
                      if pd.notna(lo) else "" for lo, hi in zip(low, high)], index=low.index, dtype=object)


EFFORT_COLUMNS = ["key", "encounters", "presence_hours", "encounters_per_presence_hour", "rate_interval", "status"]


def effort_table(frame: pd.DataFrame, *, translate: bool = True) -> pd.DataFrame:
    """``geo.queries.effort_vs_need`` as shown: the rate with its 90 % interval as text and the
    status in words; column names translated unless ``translate`` is False."""
    out = frame.assign(rate_interval=rate_interval(frame["rate_low"], frame["rate_high"]),
                       status=frame["status"].map(labels("status")))[EFFORT_COLUMNS]
    return translate_columns(out) if translate else out


def basemap_picker(key: str) -> str:
    """Basemap choice (the offline street map by default; tile basemaps need the internet)."""
    return st.radio(t("map.basemap"), list(BASEMAPS), key=key, horizontal=True,
                    format_func=labels("map.basemap"))


def cell_map_controls(key: str) -> tuple[int, str]:
    """The H3 resolution and the basemap of a page's cell map, side by side (keys ``<key>_res``
    and ``<key>_basemap``)."""
    left, right = st.columns([1, 2])
    with left:
        res = resolution_picker(key=key)
    with right:
        basemap = basemap_picker(f"{key}_basemap")
    return res, basemap


FLAG_OUTLINE = "#000000"
"""Outline of under-covered cells (Innsats og behov, an area's profile)."""


def add_flagged_cells(fmap: folium.Map, cells: pd.Series) -> None:
    """Black outlines around the under-covered H3 ``cells`` (hex ids), with the status as tooltip."""
    add_shapes(fmap, selection_shapes(cells=cells).assign(status=t("status.under_covered")), color=FLAG_OUTLINE,
               fill_opacity=0.0, weight=3.0, tooltip={"status": t("col.status")}, name="flagged")


def show_cell_map(areas, cells: pd.DataFrame, *, value_column: str, legend_title: str, tooltip: dict[str, str],
                  basemap: str, key: str, fit: object = None, draw_more: Callable[[folium.Map], None] | None = None
                  ) -> None:
    """H3 cells (column ``cell``) coloured by ``value_column`` over the area outlines, opened on
    the selection (``fit``: what to open on, default the areas and these cells); says so instead
    of drawing an empty map. ``draw_more(fmap)`` adds layers (e.g. single points)."""
    shapes = selection_shapes(areas, cells["cell"]) if fit is None else fit
    if shapes.empty:
        st.info(t("map.empty"))
        return
    fmap = new_map(basemap)
    add_cells(fmap, cells, cell_column="cell", value_column=value_column, legend_title=legend_title, tooltip=tooltip)
    add_areas(fmap, areas, tooltip={"area_name": t("col.area_name")})
    if draw_more is not None:
        draw_more(fmap)
    show_map(fit_to(fmap, shapes), key=key)


def show_map(fmap: folium.Map, *, key: str, clickable: bool = False) -> dict | None:
    """Render a folium map; panning and zooming do not rerun the page. With ``clickable`` a click
    on a feature does, and the returned state's ``last_active_drawing`` is that feature (GeoJSON)."""
    return st_folium(fmap, key=key, height=MAP_HEIGHT, use_container_width=True,
                     returned_objects=["last_active_drawing"] if clickable else [])


@contextmanager
def lazy_expander(label: str, *, key: str) -> Iterator[bool]:
    """A collapsed expander whose content runs only while it is open: ``with lazy_expander(label,
    key=k) as opened: if opened: ...``.

    A plain ``st.expander`` runs, sends and draws its content even when closed, so a map in it
    (a period player, the area editor) would cost every page load a second Leaflet map drawn
    hidden. Opening or closing this one reruns the page (cached answers); its state is
    ``st.session_state[key]`` (True when open).
    """
    with st.expander(label, key=key, on_change="rerun") as box:
        yield bool(box.open)
