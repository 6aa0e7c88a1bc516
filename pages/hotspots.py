"""Hotspots: emerging hot and cold spots of encounters per H3 cell (space-time Gi* + Mann–Kendall trend)."""

from dataclasses import replace

import streamlit as st

from geo.engine.cells import RESOLUTIONS
from geo.hotspots import (
    ALPHA,
    CATEGORIES,
    CUBE_PERIOD_KINDS,
    DEFAULT_PERIOD,
    DEFAULT_RESOLUTION,
    K_RING,
    MAX_K_RING,
    MAX_TIME_LAG,
    TIME_LAG,
    category_counts,
    emerging_hotspots,
    hot_and_cold_cells,
)
from geo.hotspots.maps import CATEGORY_COLOURS, add_category_cells, cell_centres
from geo.maps import add_areas, fit_to
from geo.queries import area_geometries
from ui.columns import show_table
from ui.components import basemap_picker, new_map, show_map
from ui.exports import map_export, table_export
from ui.i18n import labels, t
from ui.navigation import require_page
from ui.sidebar import sidebar_choices
from ui.state import query, store_date_range

HOT_KEY = "hotspots"


user = require_page(__file__)  # the access seam: a role that may not open this page is refused here
choices = sidebar_choices()
path = choices.store_path
st.title(t("hotspots.page"))
st.caption(t("hotspots.caption"))

c1, c2, c3, c4 = st.columns([2, 2, 1, 1])
period = c1.radio(t("hotspots.period"), CUBE_PERIOD_KINDS, index=CUBE_PERIOD_KINDS.index(DEFAULT_PERIOD),
                  horizontal=True, key=f"{HOT_KEY}_period", format_func=labels("period"))
with c2:
    res = st.select_slider(t("filter.resolution"), RESOLUTIONS, value=DEFAULT_RESOLUTION, key=f"{HOT_KEY}_res",
                           format_func=labels("res"))
k = c3.number_input(t("hotspots.k_ring"), 1, MAX_K_RING, K_RING, key=f"{HOT_KEY}_k", help=t("hotspots.k_ring.help"))
lag = c4.number_input(t("hotspots.time_lag"), 0, MAX_TIME_LAG, TIME_LAG, key=f"{HOT_KEY}_lag",
                      help=t("hotspots.time_lag.help"))

first_day = last_day = None
if st.toggle(t("hotspots.limit_dates"), key=f"{HOT_KEY}_limit"):
    lo, hi = store_date_range(path)
    dates = st.date_input(t("hotspots.dates"), value=(lo, hi), min_value=lo, max_value=hi, key=f"{HOT_KEY}_dates",
                          format="DD.MM.YYYY")
    if isinstance(dates, (tuple, list)) and len(dates) == 2:
        first_day, last_day = dates
else:
    st.caption(t("hotspots.whole_store"))
basemap = basemap_picker(f"{HOT_KEY}_basemap")

table = query(path, emerging_hotspots, period=period, first_day=first_day, last_day=last_day,
                  teams=choices.filters.teams, res=res, k=int(k), time_lag=int(lag))
periods = table.attrs.get("periods", [])
if table.empty:
    st.info(t("hotspots.empty"))
    st.stop()
if table.attrs.get("left_out"):
    st.caption(t("hotspots.left_out", periods=", ".join(table.attrs["left_out"])))
if len(periods) < 3:
    st.warning(t("hotspots.few_periods", periods=len(periods)))
hot, cold = hot_and_cold_cells(table)
st.caption(t("hotspots.summary", cells=len(table), periods=len(periods), first=periods[0], last=periods[-1],
             hot=hot, cold=cold))

names = {c: t(f"hotspots.cat.{c}") for c in CATEGORIES}
shown = table.assign(category=table["category"].map(names))
fmap = new_map(basemap)
add_category_cells(fmap, table, labels=names, legend_title=t("hotspots.legend"),
                   tooltip={"category": t("hotspots.col.category"), "total_encounters": t("hotspots.col.total_encounters"),
                            "n_periods_hot": t("hotspots.col.n_periods_hot"),
                            "n_periods_cold": t("hotspots.col.n_periods_cold")})
add_areas(fmap, query(path, area_geometries, choices.filters), tooltip={"area_name": t("col.area_name")})
show_map(fit_to(fmap, cell_centres(table)), key=f"{HOT_KEY}_map")
span = store_date_range(path)
hot_filters = replace(choices.filters, first_day=first_day or span[0], last_day=last_day or span[1])  # what was analysed
map_export(query(path, area_geometries, choices.filters), title=t("hotspots.page"), name="hotspots_kart", cells=table,
           filters=hot_filters,
           fills=table["category"].map(CATEGORY_COLOURS).tolist(), legend_title=t("hotspots.legend"),
           swatches=[(CATEGORY_COLOURS[c], names[c]) for c in CATEGORIES if c in set(table["category"])])

st.subheader(t("hotspots.counts"))
counts = category_counts(table)
counts = counts[counts["cells"] > 0].assign(category=lambda f: f["category"].map(names))
show_table(counts, prefixes=("hotspots.col",))
table_export(counts, title=t("hotspots.counts"), name="hotspots_antall", filters=hot_filters, prefixes=("hotspots.col",))

with st.expander(t("hotspots.explain")):
    st.markdown("\n".join(f"- **{names[c]}**: {t(f'hotspots.explain.{c}')}" for c in CATEGORIES))
    st.caption(t("hotspots.method", alpha=ALPHA))

with st.expander(t("hotspots.table")):
    show_table(shown, prefixes=("hotspots.col",))
    table_export(shown, title=t("hotspots.table"), name="hotspots_celler", filters=hot_filters, prefixes=("hotspots.col",))
