"""Innsats og behov: encounters per presence hour per area and cell, with their uncertainty;
under-covered places by a stated rule, outlined on the map; unvisited areas."""

import streamlit as st

from geo.maps import CONTRAST_PALETTE, add_areas, add_cells, add_filled_cells, fit_to, selection_shapes
from geo.queries import area_geometries, areas_not_visited, effort_vs_need
from ui.captions import page_caption
from ui.columns import show_table
from ui.components import add_flagged_cells, cell_map_controls, effort_table, new_map, show_map
from ui.exports import map_export, table_export
from ui.i18n import t
from ui.links import open_profile, selected_area
from ui.navigation import require_page
from ui.sidebar import sidebar_choices
from ui.state import query

NO_RATE_FILL = "#bdbdbd"

user = require_page(__file__)  # the access seam: a role that may not open this page is refused here
choices = sidebar_choices()
path, filters = choices.store_path, choices.filters
st.title(t("page.effort_need"))
page_caption(choices, note=t("effort.caption"))

by_area = query(path, effort_vs_need, filters, by="area")
rule = by_area.attrs
threshold = (t("effort.rule.threshold", rate=rule["min_rate"]) if rule["min_rate"] == rule["min_rate"]
             else t("effort.rule.none"))
st.info(t("effort.rule", hours=rule["min_presence_hours"], encounters=rule["min_encounters"], threshold=threshold))
st.subheader(t("effort.areas"))
st.caption(t("overview.table.help"))
open_profile(selected_area(show_table(effort_table(by_area, translate=False), key="effort_areas", on_select="rerun"),
                           by_area.rename(columns={"key": "area_id"})))
table_export(effort_table(by_area, translate=False), title=t("effort.areas"), name="innsats_omrader")

st.subheader(t("effort.cells"))
res, basemap = cell_map_controls("effort")
by_cell = query(path, effort_vs_need, filters, by="cell", res=res)
flagged = by_cell[by_cell["under_covered"]]
st.caption(t("effort.flagged", n=len(flagged)) + " " + t("effort.map.legend"))
areas = query(path, area_geometries, filters)
shapes = selection_shapes(areas, by_cell["key"])
if shapes.empty:
    st.info(t("map.empty"))
else:
    rated = by_cell[by_cell["encounters_per_presence_hour"].notna()]
    tooltip = {"encounters": t("col.encounters"), "presence_hours": t("col.presence_hours"),
               "encounters_per_presence_hour": t("col.encounters_per_presence_hour"),
               "rate_interval": t("col.rate_interval"), "status": t("col.status")}
    shown = effort_table(by_cell, translate=False)
    no_rate = shown[shown["encounters_per_presence_hour"].isna()]
    fmap = new_map(basemap)
    add_filled_cells(fmap, no_rate, cell_column="key", fills=[NO_RATE_FILL] * len(no_rate), tooltip=tooltip,
                     name="no_rate")
    add_cells(fmap, shown.loc[rated.index], cell_column="key", value_column="encounters_per_presence_hour",
              palette=CONTRAST_PALETTE, legend_title=t("col.encounters_per_presence_hour"), tooltip=tooltip)
    add_flagged_cells(fmap, flagged["key"])
    add_areas(fmap, areas, tooltip={"area_name": t("col.area_name")})
    show_map(fit_to(fmap, selection_shapes(areas, rated["key"]) if len(rated) else shapes), key="effort_map")
    map_export(areas, title=t("effort.cells"), name="innsats_kart", cells=rated, cell_column="key",
               value_column="encounters_per_presence_hour", palette=CONTRAST_PALETTE,
               legend_title=t("col.encounters_per_presence_hour"), outlined=flagged["key"].tolist())
with st.expander(t("effort.flagged.table")):
    show_table(effort_table(flagged, translate=False))
    table_export(effort_table(flagged, translate=False), title=t("effort.flagged.table"), name="innsats_underdekket")

st.subheader(t("effort.unvisited"))
days = st.slider(t("effort.unvisited.days"), 1, 60, 14, key="effort_days")
unvisited = query(path, areas_not_visited, filters, days=days)
if unvisited.empty:
    st.success(t("effort.unvisited.none", days=days))
else:
    open_profile(selected_area(show_table(unvisited, key="effort_unvisited", on_select="rerun"), unvisited))
    table_export(unvisited, title=t("effort.unvisited"), name="innsats_ikke_besokt")
