"""The first screen's attention block (issue 15, item 8): three short lists, each line a link.

- field areas not visited in N days (:func:`geo.queries.areas_not_visited`), each to its profile;
- the largest changes against the comparison period
  (:func:`geo.queries.attention.largest_changes`), each to the area's profile;
- the hours where presence and encounters disagree most
  (:func:`geo.queries.attention.mismatched_hours`), each to Tid på uka.

Only views here: every number comes from an access-checked query (``ui.state.query``).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import formatting
from geo.queries import areas_not_visited
from geo.queries.attention import DEFAULT_UNVISITED_DAYS, largest_changes, mismatched_hours
from geo.queries.periods import SAME_LEVEL_PCT
from geo.queries.rates import MIN_PRESENCE_HOURS
from geo.queries.trends import DEFAULT_MIN_ENCOUNTERS
from ui.i18n import language, t
from ui.links import area_link, page_file
from ui.sidebar import SidebarChoices
from ui.state import query

DAYS_KEY = "attention_days"
MAX_DAYS = 365
SHOWN = 5
"""Unvisited areas listed; the rest are counted, with a link to Innsats og behov."""

DECIMALS = {"presence_minutes": 0, "encounters": 0, "encounters_per_presence_hour": 1}
"""How a change of each measure is written."""


def attention_block(choices: SidebarChoices) -> None:
    """The three lists side by side, under one heading."""
    st.subheader(t("attention.title"))
    left, middle, right = st.columns(3)
    with left:
        _unvisited(choices)
    with middle:
        _changes(choices)
    with right:
        _hours(choices)


def _unvisited(choices: SidebarChoices) -> None:
    st.session_state.setdefault(DAYS_KEY, DEFAULT_UNVISITED_DAYS)
    days = int(st.session_state[DAYS_KEY])
    st.markdown(f"**{t('attention.unvisited.title', days=days)}**")
    table = query(choices.store_path, areas_not_visited, choices.filters, days=days)
    if table.empty:
        st.success(t("attention.unvisited.none", days=days))
    lang = language()
    for row in table.head(SHOWN).itertuples(index=False):  # at most SHOWN links
        area_link(row.area_id, row.area_name, icon=":material/location_off:")
        st.caption(t("attention.unvisited.never") if row.last_visit_day is None else
                   t("attention.unvisited.item", day=formatting.date(row.last_visit_day, lang),
                     days=formatting.integer(row.days_since_visit, lang)))
    if len(table) > SHOWN:
        st.page_link(page_file("innsats_og_behov.py"), label=t("attention.more", n=len(table) - SHOWN))
    st.number_input(t("attention.unvisited.days"), min_value=1, max_value=MAX_DAYS, step=1, key=DAYS_KEY,
                    help=t("attention.unvisited.help"))


def _changes(choices: SidebarChoices) -> None:
    st.markdown(f"**{t('attention.changes.title')}**")
    lang = language()
    if choices.compare is None:
        st.info(t("attention.changes.no_compare"))
        return
    table = query(choices.store_path, largest_changes, choices.filters, choices.compare)
    pct = formatting.number(SAME_LEVEL_PCT, lang, decimals=0)
    if table.empty:
        st.info(t("attention.changes.none", pct=pct))
    for row in table.itertuples(index=False):
        _change_link(row._asdict(), choices, lang)
    hours = formatting.number(MIN_PRESENCE_HOURS, lang, decimals=0 if float(MIN_PRESENCE_HOURS).is_integer() else 1)
    st.caption(t("attention.changes.rule", pct=pct, hours=hours,
                 encounters=formatting.integer(DEFAULT_MIN_ENCOUNTERS, lang)))


def _change_link(row: dict, choices: SidebarChoices, lang: str) -> None:
    """One change: the area as a link to its profile, then "Møter +8 (+200 %) mot 4 03.06–09.06.2024"."""
    decimals = DECIMALS[row["measure"]]
    previous = formatting.number(row["previous"], lang, decimals=decimals)
    area_link(row["area_id"], row["area_name"],
              icon=":material/trending_up:" if row["change"] > 0 else ":material/trending_down:")
    st.caption(t("attention.changes.item", measure=t(f"col.{row['measure']}"),
                 change=formatting.number(row["change"], lang, decimals=decimals, signed=True),
                 pct=formatting.percent(row["change_pct"] / 100.0, lang, decimals=0, signed=True),
                 vs=t("delta.vs", previous=previous, first=choices.compare.first_day, last=choices.compare.last_day)))


def _hours(choices: SidebarChoices) -> None:
    st.markdown(f"**{t('attention.hours.title')}**")
    table = query(choices.store_path, mismatched_hours, choices.filters)
    if table.empty:
        st.info(t("attention.hours.none"))
    lang = language()
    for row in table.itertuples(index=False):
        slot = t("attention.hours.slot", day=t(f"weekday.{row.weekday}"), first=row.hour, last=row.hour + 1)
        st.page_link(page_file("tid_pa_uka.py"), label=slot,
                     icon=":material/arrow_upward:" if row.difference > 0 else ":material/arrow_downward:")
        st.caption(t("attention.hours.item", encounters=_share(row.encounter_share, lang),
                     presence=_share(row.presence_share, lang)))
    st.caption(t("attention.hours.help"))


def _share(share: float, lang: str) -> str:
    return formatting.percent(0.0 if pd.isna(share) else share, lang)
