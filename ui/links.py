"""Ways into a field area's profile (issue 15, item 4): links, a selected table row, a map click,
and the profile page's own choice of area from the URL.

The profile page takes its area from ``?area=<area_id>``. That id comes from
whoever wrote the link, so it is only ever compared with the ids of the areas
the user may see (the access-checked :func:`geo.changes.history.area_timeline`);
an unknown id and another team's id get the same message, never data, and the
id itself is not echoed.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from geo.maps import FEATURE_KEY
from geo.schema import AREA_ID, OUTSIDE_AREA_ID
from ui.format import literal
from ui.i18n import t
from ui.navigation import PAGES_DIR

PROFILE_PAGE = "omrade.py"
AREA_PARAM = "area"
"""The URL query parameter naming the profile's area."""
PROFILE_KEY = "profile_area"
"""Session-state key of the profile page's area selectbox."""


def page_file(file: str) -> str:
    """The router's path of the page ``file`` in ``pages/`` (for ``st.page_link``/``st.switch_page``)."""
    return str(PAGES_DIR / file)


def area_link(area_id: str, label: str, *, icon: str | None = None) -> None:
    """A link to ``area_id``'s profile."""
    st.page_link(page_file(PROFILE_PAGE), label=literal(label), icon=icon, query_params={AREA_PARAM: area_id})


def open_profile(area_id: str | None) -> None:
    """Go to ``area_id``'s profile now (nothing when None)."""
    if area_id is not None:
        st.switch_page(page_file(PROFILE_PAGE), query_params={AREA_PARAM: area_id})


def selected_area(event: object, frame: pd.DataFrame) -> str | None:
    """The area id of the row selected in ``frame``'s table (``show_table(..., on_select="rerun")``);
    None without a selection or for a row that is no area (``__outside__``)."""
    rows = list(getattr(getattr(event, "selection", None), "rows", None) or [])
    if not rows or AREA_ID not in frame or not 0 <= rows[0] < len(frame):
        return None
    area_id = frame[AREA_ID].iloc[rows[0]]
    return None if area_id == OUTSIDE_AREA_ID or pd.isna(area_id) else str(area_id)


def clicked_area(state: Mapping | None) -> str | None:
    """The area id of the map feature last clicked (``show_map(..., clickable=True)``'s state, an area
    drawn with ``add_areas(..., key_column="area_id")``); None for no click or another layer."""
    feature = (state or {}).get("last_active_drawing") or {}
    key = (feature.get("properties") or {}).get(FEATURE_KEY) if isinstance(feature, Mapping) else None
    return key if isinstance(key, str) and key else None


def choose_area(names: Mapping[str, str]) -> str:
    """The profile's area: from the URL (when it is one of ``names``, the areas the user may see:
    id → name) or the selectbox; stops the page with a message when there is none."""
    if not names:
        st.info(t("profile.none"))
        st.stop()
    requested = st.query_params.get(AREA_PARAM)
    if requested is not None and requested != st.session_state.get(PROFILE_KEY):
        if requested in names:
            st.session_state[PROFILE_KEY] = requested
        else:
            st.session_state[PROFILE_KEY] = None
            st.warning(t("profile.unknown"))
    chosen = st.selectbox(t("profile.area"), list(names), index=None, key=PROFILE_KEY, format_func=names.get,
                          placeholder=t("widget.choose"), on_change=_remember)
    if chosen is None or chosen not in names:
        st.info(t("profile.pick"))
        st.stop()
    st.query_params[AREA_PARAM] = chosen
    return chosen


def _remember() -> None:
    """The selectbox's choice into the URL, so the link in the address bar opens this profile."""
    chosen = st.session_state.get(PROFILE_KEY)
    if chosen is None:
        st.query_params.pop(AREA_PARAM, None)
    else:
        st.query_params[AREA_PARAM] = chosen
