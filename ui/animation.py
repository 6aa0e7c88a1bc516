"""Step or play through periods: a period slider plus a play toggle, reused by several maps.

The part that changes with the period (usually a map) is drawn by a
``render(label)`` callback inside an ``st.fragment``; while *play* is on the
fragment reruns itself every ``interval_s`` seconds and moves to the next
period (wrapping round), without rerunning the rest of the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pandas as pd
import streamlit as st

from geo.maps import selection_shapes
from geo.queries import Filters, area_geometries
from geo.timeutil import FIRST_DAY, LABEL, LAST_DAY, periods_between
from ui.components import show_cell_map
from ui.i18n import labels, t
from ui.state import query

INTERVAL_S = 2.0
"""Seconds each period is shown while playing."""

ANIMATION_KINDS = ("week", "month", "tertial", "quarter", "year")


def period_player(periods: list[str], render: Callable[[str], None], *, key: str,
                  interval_s: float = INTERVAL_S) -> None:
    """A period slider and a play toggle; ``render(period)`` draws the chosen period."""
    if not periods:
        st.info(t("animation.empty"))
        return
    slider_key, play_key = f"{key}_period", f"{key}_play"
    if st.session_state.get(slider_key) not in periods:
        st.session_state[slider_key] = periods[-1]
    playing = st.toggle(t("animation.play"), key=play_key, help=t("animation.play.help"))

    @st.fragment(run_every=interval_s if playing else None)
    def _frame() -> None:
        if st.session_state.get(play_key):
            current = periods.index(st.session_state[slider_key])
            st.session_state[slider_key] = periods[(current + 1) % len(periods)]
        chosen = (st.select_slider(t("animation.period"), periods, key=slider_key)
                  if len(periods) > 1 else periods[0])
        render(chosen)

    _frame()


def period_kind_picker(*, key: str, default: str = "week") -> str:
    """Which periods to step through."""
    return st.radio(t("animation.kind"), ANIMATION_KINDS, index=ANIMATION_KINDS.index(default), horizontal=True,
                    key=f"{key}_kind", format_func=labels("period"))


def cell_map_player(path: str, filters: Filters, *, key: str, cell_query: Callable[..., pd.DataFrame],
                    value_column: str, legend_title: str, tooltip: dict[str, str], res: int, basemap: str) -> None:
    """Step or play an H3 cell map through the periods of the sidebar range.

    ``cell_query(store, filters, res=...)`` gives one row per cell (e.g.
    :func:`geo.queries.presence_by_cell`). Every frame opens on the same view:
    the chosen team's areas and the cells of the whole range
    (``geo.maps.fit_to``, which does not rely on Leaflet fitting a map hidden
    in a collapsed expander)."""
    if filters.first_day is None or filters.last_day is None:
        st.info(t("animation.empty"))
        return
    kind = period_kind_picker(key=key)
    table = periods_between(filters.first_day, filters.last_day, kind).set_index(LABEL)
    areas = query(path, area_geometries, filters)
    everything = query(path, cell_query, filters, res=res)  # one view for every frame: the whole range's data
    shapes = selection_shapes(areas, everything.loc[everything[value_column] > 0, "cell"])

    def render(label: str) -> None:
        period = replace(filters, first_day=table.at[label, FIRST_DAY], last_day=table.at[label, LAST_DAY])
        cells = query(path, cell_query, period, res=res)
        cells = cells[cells[value_column] > 0]
        st.caption(t("animation.caption", period=label, first=period.first_day, last=period.last_day,
                     cells=len(cells)))
        show_cell_map(areas, cells, value_column=value_column, legend_title=legend_title, tooltip=tooltip,
                      basemap=basemap, key=f"{key}_map", fit=shapes)

    period_player(list(table.index), render, key=key)
