"""Oversikt: what needs attention, key figures with change, the per-area table and a map of the areas;
an area clicked in the table or on the map opens its profile."""

import streamlit as st

from geo.maps import add_areas, fit_to, selection_shapes
from geo.queries import area_geometries, compare, key_figures, presence_by_area
from ui.attention import attention_block
from ui.captions import page_caption
from ui.columns import show_table
from ui.components import basemap_picker, key_figure_row, new_map, show_map
from ui.exports import map_export, table_export
from ui.i18n import labels, t
from ui.links import clicked_area, open_profile, selected_area
from ui.navigation import require_page
from ui.sidebar import sidebar_choices
from ui.state import query

KEY_FIGURES = ["patrols", "patrol_hours", "presence_hours", "encounters", "new_contacts", "share_under_25",
               "share_under_18"]

user = require_page(__file__)  # the access seam: a role that may not open this page is refused here
choices = sidebar_choices()
path, filters = choices.store_path, choices.filters
st.title(t("page.overview"))
page_caption(choices)
attention_block(choices)

current = query(path, key_figures, filters)
previous = query(path, key_figures, choices.compare) if choices.compare else None
key_figure_row(compare(current, previous), KEY_FIGURES, compare=choices.compare)

areas = query(path, presence_by_area, filters)
st.subheader(t("overview.per_area"))
st.caption(t("overview.table.help"))
open_profile(selected_area(show_table(areas, key="overview_areas", on_select="rerun"), areas))
table_export(areas, title=t("overview.per_area"), name="oversikt_omrader")

st.subheader(t("overview.map"))
shade = st.radio(t("overview.shade_by"), ["presence_minutes", "encounters"], horizontal=True, key="overview_shade",
                 format_func=labels("col"))
basemap = basemap_picker("overview_basemap")
geometry = query(path, area_geometries, filters)
if geometry.empty:
    st.info(t("map.empty"))
else:
    st.caption(t("overview.map.help"))
    shaded = geometry.drop(columns=["area_name"]).merge(areas, on="area_id", how="left").fillna({shade: 0})
    fmap = new_map(basemap)
    add_areas(fmap, shaded, value_column=shade, legend_title=t(f"col.{shade}"), key_column="area_id",
              tooltip={"area_name": t("col.area_name"), "presence_minutes": t("col.presence_minutes"),
                       "encounters": t("col.encounters")})
    open_profile(clicked_area(show_map(fit_to(fmap, selection_shapes(shaded)), key="overview_map", clickable=True)))
    map_export(shaded, title=t("overview.map"), name="oversikt_kart", value_column=shade, legend_title=t(f"col.{shade}"))
