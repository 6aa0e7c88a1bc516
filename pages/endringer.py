"""Endringer over tid: field-area history, activity drift and effective (data-driven) areas."""

from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

from geo.access import Capability
from geo.changes.drift import BANDS, CENTRE_LAT, CENTRE_LON, PERIOD, encounter_drift, presence_drift, ring_shares
from geo.changes.effective import area_drafts, effective_areas, save_draft
from geo.changes.history import (
    COMPARISON_COLUMNS,
    GAINED,
    GEOMETRY_A,
    LOST,
    area_change_log,
    area_timeline,
    compare_areas,
)
from geo.maps import CONTRAST_PALETTE, add_areas, add_path, add_shapes, all_shapes, fit_to
from geo.queries import area_geometries
from geo.timeutil import FIRST_DAY, LABEL, LAST_DAY, periods_between
from ui.animation import period_player
from ui.area_editor import area_editor
from ui.charts import area_timeline_chart, ring_share_chart
from ui.components import basemap_picker, lazy_expander, new_map, show_map
from ui.columns import show_table
from ui.exports import chart_export, map_export, table_export
from ui.format import area_m2, count, percent
from ui.i18n import labels, t
from ui.navigation import require_page
from ui.sidebar import sidebar_choices
from ui.state import clear_caches, get_store, query, store_date_range

KINDS = ("month", "tertial", "quarter", "year")
SECTIONS = ("history", "drift", "effective")
GAINED_COLOUR, LOST_COLOUR, HOT_COLOUR, OUTSIDE_COLOUR = "#1a9850", "#d73027", "#d73027", "#fdae61"
DRIFT_QUERIES = {"encounters": encounter_drift, "presence": presence_drift}
FIGURES = ("hot_inside_pct", "official_covered_pct", "official_without_activity", "outside_pct")


user = require_page(__file__)  # the access seam: a role that may not open this page is refused here
choices = sidebar_choices()
path = choices.store_path
first, last = store_date_range(path)
everything = replace(choices.filters, first_day=first, last_day=last)  # drift needs the store's whole span
st.title(t("changes.title"))
st.caption(t("changes.caption", first=first, last=last))
c1, c2 = st.columns([2, 2])
with c1:
    kind = st.radio(t("changes.period_kind"), KINDS, index=KINDS.index("year"), horizontal=True,
                    key="changes_kind", format_func=labels("period"))
with c2:
    basemap = basemap_picker("changes_basemap")
periods = periods_between(first, last, kind).set_index(LABEL)

# one section at a time (not st.tabs): a Leaflet map drawn in a hidden tab has no size and stays blank
section = st.segmented_control(t("changes.section"), SECTIONS, default=SECTIONS[0], key="changes_section",
                               format_func=labels("changes.tab"), label_visibility="collapsed") or SECTIONS[0]

# --- history ------------------------------------------------------------------------------------------
if section == "history":
    timeline = query(path, area_timeline)
    st.subheader(t("changes.timeline"))
    st.altair_chart(area_timeline_chart(timeline, last_day=last), width="stretch")
    chart_export(area_timeline_chart(timeline, last_day=last), title=t("changes.timeline"), name="endringer_tidslinje",
                 filters=everything)
    open_ended = timeline["valid_to"].isna()
    shown = timeline.assign(valid_to=timeline["valid_to"].astype(str).where(~open_ended, "–"),  # one type per column
                            area_m2=timeline["area_m2"].round(0))
    show_table(shown, prefixes=("changes.col",))
    table_export(shown, title=t("changes.timeline"), name="endringer_versjoner", filters=everything,
                 prefixes=("changes.col",))
    with st.expander(t("changes.log")):
        show_table(query(path, area_change_log, teams=choices.filters.teams), prefixes=("changes.col",))

    st.subheader(t("changes.compare"))
    d1, d2 = st.columns(2)
    date_a = d1.date_input(t("changes.date_a"), value=first, key="changes_date_a", format="DD.MM.YYYY")
    date_b = d2.date_input(t("changes.date_b"), value=last, key="changes_date_b", format="DD.MM.YYYY")
    comparison = query(path, compare_areas, date_a, date_b)
    all_areas = query(path, area_geometries, everything)
    st.caption(t("changes.compare.summary", gained=area_m2(comparison["gained_m2"].sum()),
                 lost=area_m2(comparison["lost_m2"].sum())))
    left, right = st.columns(2)
    before = comparison.set_geometry(GEOMETRY_A)
    after = comparison  # active geometry: the version on date b
    for column, shapes, label, key in ((left, before, date_a, "changes_map_a"), (right, after, date_b, "changes_map_b")):
        with column:
            st.markdown(t("changes.map_on", day=label))
            fmap = new_map(basemap)
            add_shapes(fmap, shapes, color="#08519c", fill_opacity=0.1, tooltip={"name": t("changes.col.name")})
            if shapes is after:
                add_shapes(fmap, comparison.set_geometry(GAINED), color=GAINED_COLOUR, fill_opacity=0.6,
                           tooltip={"name": t("changes.col.name"), "gained_m2": t("changes.col.gained_m2")})
                add_shapes(fmap, comparison.set_geometry(LOST), color=LOST_COLOUR, fill_opacity=0.6, dash="4",
                           tooltip={"name": t("changes.col.name"), "lost_m2": t("changes.col.lost_m2")})
            show_map(fit_to(fmap, all_areas), key=key)
            map_export(shapes, title=t("changes.map_on", day=label), name=key.removeprefix("changes_"),
                       filters=everything, shapes=[(comparison.set_geometry(GAINED), GAINED_COLOUR, 0.6),
                                                   (comparison.set_geometry(LOST), LOST_COLOUR, 0.6)]
                       if shapes is after else ())
    show_table(pd.DataFrame(comparison[list(COMPARISON_COLUMNS)]), prefixes=("changes.col",))
    table_export(pd.DataFrame(comparison[list(COMPARISON_COLUMNS)]), title=t("changes.compare"),
                 name="endringer_sammenligning", filters=everything, prefixes=("changes.col",))

    if user.may(Capability.AREA_EDITOR):  # drawing, uploading and adopting drafts: admins only
        with lazy_expander(t("changes.editor"), key="changes_editor_open") as opened:
            if opened:
                area_editor(path, all_areas, key="changes_editor")

# --- drift ----------------------------------------------------------------------------------------------
if section == "drift":
    st.caption(t("changes.drift.caption"))
    source = st.radio(t("changes.drift.source"), ("encounters", "presence"), horizontal=True,
                      key="changes_drift_source", format_func=labels("changes.drift.source"))
    drift = query(path, DRIFT_QUERIES[source], everything, period=kind)
    areas = query(path, area_geometries, replace(everything, first_day=last))

    def render_drift(label: str) -> None:
        fmap = new_map(basemap)
        add_areas(fmap, areas, tooltip={"area_name": t("col.area_name")})
        current = drift[drift[PERIOD] == label]
        add_shapes(fmap, drift, color="#9ecae1", fill_opacity=0.0, weight=1.0, tooltip={PERIOD: t("changes.col.period")})
        add_shapes(fmap, current, color=CONTRAST_PALETTE[-1], fill_opacity=0.15, weight=2.5,
                   tooltip={PERIOD: t("changes.col.period")})
        add_path(fmap, drift[CENTRE_LON].to_numpy(), drift[CENTRE_LAT].to_numpy(), drift[PERIOD].tolist(),
                 highlight=label)
        shown = current.drop(columns="geometry")
        st.caption(t("changes.drift.current", period=label, n=int(shown["n"].sum()) if len(shown) else 0))
        ellipses = drift[~drift.geometry.isna()]
        show_map(fit_to(fmap, ellipses if len(ellipses) else areas), key="changes_drift_map")

    period_player(drift[PERIOD].tolist(), render_drift, key="changes_drift")
    show_table(pd.DataFrame(drift.drop(columns="geometry")), prefixes=("changes.col",))
    map_export(areas, title=t("changes.tab.drift"), name="endringer_drift_kart", filters=everything,
               shapes=[(drift, CONTRAST_PALETTE[-1], 0.08)])  # every period's ellipse (aggregates, no points)
    table_export(pd.DataFrame(drift.drop(columns="geometry")), title=t("changes.tab.drift"), name="endringer_drift",
                 filters=everything, prefixes=("changes.col",))

    st.subheader(t("changes.rings"))
    rings = query(path, ring_shares, everything, period=kind)
    st.altair_chart(ring_share_chart(rings, period_column=PERIOD, bands=BANDS), width="stretch")
    chart_export(ring_share_chart(rings, period_column=PERIOD, bands=BANDS), title=t("changes.rings"),
                 name="endringer_avstand", filters=everything)
    show_table(rings, prefixes=("changes.col",))
    table_export(rings, title=t("changes.rings"), name="endringer_avstand", filters=everything, prefixes=("changes.col",))

# --- effective areas ---------------------------------------------------------------------------------------
if section == "effective":
    st.caption(t("changes.effective.caption"))
    labels_ = list(periods.index)
    chosen = st.select_slider(t("changes.effective.period"), labels_, value=labels_[-1], key="changes_effective_period")
    period = replace(choices.filters, first_day=periods.at[chosen, FIRST_DAY], last_day=periods.at[chosen, LAST_DAY])
    found = query(path, effective_areas, period)
    figures = found.figures
    for column, name in zip(st.columns(len(FIGURES)), FIGURES):
        value = figures[name]
        text = count(value) if name == "official_without_activity" else percent(value / 100, decimals=1)
        column.metric(t(f"changes.figure.{name}"), text)
    fmap = new_map(basemap)
    add_areas(fmap, found.official, tooltip={"name": t("changes.col.name")})
    add_shapes(fmap, found.hot, color=HOT_COLOUR, fill_opacity=0.45,
               tooltip={"hot_id": t("changes.col.hot_id"), "encounters": t("changes.col.encounters"),
                        "area_m2": t("changes.col.area_m2")})
    add_shapes(fmap, found.outside, color=OUTSIDE_COLOUR, fill_opacity=0.7, dash="4",
               tooltip={"area_m2": t("changes.col.area_m2")})
    show_map(fit_to(fmap, all_shapes(found.official, found.hot, found.outside)), key="changes_effective_map")
    map_export(found.official, title=t("changes.tab.effective"), name="endringer_effektive_kart", filters=period,
               shapes=[(found.hot, HOT_COLOUR, 0.45), (found.outside, OUTSIDE_COLOUR, 0.7)])
    st.caption(t("changes.effective.legend"))
    e1, e2 = st.columns(2)
    e1.markdown(t("changes.effective.hot"))
    with e1:
        show_table(pd.DataFrame(found.hot.drop(columns="geometry")), prefixes=("changes.col",))
        table_export(pd.DataFrame(found.hot.drop(columns="geometry")), title=t("changes.effective.hot").strip("*"),
                     name="endringer_effektive", filters=period, prefixes=("changes.col",))
    e2.markdown(t("changes.effective.official"))
    with e2:
        show_table(pd.DataFrame(found.official.drop(columns="geometry")), prefixes=("changes.col",))
        table_export(pd.DataFrame(found.official.drop(columns="geometry")), title=t("changes.effective.official").strip("*"),
                     name="endringer_offisielle", filters=period, prefixes=("changes.col",))

    st.subheader(t("changes.draft"))
    valid_from = st.date_input(t("changes.draft.valid_from"), value=date(last.year + 1, 1, 1), key="changes_draft_from",
                               format="DD.MM.YYYY")
    if st.button(t("changes.draft.save"), key="changes_draft_save", disabled=found.hot.empty):
        draft_id = save_draft(get_store(path), found.hot, valid_from, source=f"effective:{chosen}")
        clear_caches()
        st.success(t("changes.draft.saved", draft=draft_id, n=len(found.hot)))
    drafts = query(path, area_drafts, teams=choices.filters.teams)
    if not drafts.empty:
        with st.expander(t("changes.drafts", n=drafts["draft_id"].nunique())):
            show_table(pd.DataFrame(drafts.drop(columns="geometry")), prefixes=("changes.col",))
