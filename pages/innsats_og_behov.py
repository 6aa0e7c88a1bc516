"""Innsats og behov: encounters per patrol-hour per area and cell; under-covered places; unvisited areas."""

import streamlit as st

from geo.maps import CONTRAST_PALETTE, add_areas, add_cells, fit_to
from geo.queries import area_geometries, areas_not_visited, effort_vs_need
from ui.columns import show_table
from ui.components import basemap_picker, new_map, show_map
from ui.filters import resolution_picker
from ui.i18n import t
from ui.navigation import require_page
from ui.sidebar import sidebar_choices
from ui.state import query

user = require_page(__file__)  # the access seam: a role that may not open this page is refused here
choices = sidebar_choices()
path, filters = choices.store_path, choices.filters
st.title(t("page.effort_need"))
st.caption(t("effort.caption"))

by_area = query(path, effort_vs_need, filters, by="area")
st.subheader(t("effort.areas"))
show_table(by_area)

st.subheader(t("effort.cells"))
c1, c2 = st.columns([1, 2])
with c1:
    res = resolution_picker(key="effort")
with c2:
    basemap = basemap_picker("effort_basemap")
by_cell = query(path, effort_vs_need, filters, by="cell", res=res)
flagged = by_cell[by_cell["under_covered"]]
st.caption(t("effort.flagged", n=len(flagged)))
areas = query(path, area_geometries, filters)
fmap = new_map(basemap)
add_cells(fmap, by_cell, cell_column="key", value_column="encounters_per_patrol_hour", palette=CONTRAST_PALETTE,
          legend_title=t("col.encounters_per_patrol_hour"),
          tooltip={"encounters": t("col.encounters"), "patrol_hours": t("col.patrol_hours"),
                   "encounters_per_patrol_hour": t("col.encounters_per_patrol_hour"),
                   "under_covered": t("col.under_covered")})
add_areas(fmap, areas, tooltip={"area_name": t("col.area_name")})
show_map(fit_to(fmap, areas), key="effort_map")
with st.expander(t("effort.flagged.table")):
    show_table(flagged)

st.subheader(t("effort.unvisited"))
days = st.slider(t("effort.unvisited.days"), 1, 60, 14, key="effort_days")
unvisited = query(path, areas_not_visited, filters, days=days)
if unvisited.empty:
    st.success(t("effort.unvisited.none", days=days))
else:
    show_table(unvisited)
