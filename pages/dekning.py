"""Dekning: where patrols spend their time, as an H3 heatmap of presence minutes."""

import streamlit as st

from geo.queries import area_geometries, presence_by_cell
from ui.animation import cell_map_player
from ui.captions import page_caption
from ui.columns import show_table
from ui.components import basemap_picker, lazy_expander, show_cell_map
from ui.exports import map_export, table_export
from ui.filters import resolution_picker, time_filters
from ui.format import count, number
from ui.i18n import t
from ui.navigation import require_page
from ui.sidebar import sidebar_choices
from ui.sidebyside import show_comparison, view_picker
from ui.state import query

user = require_page(__file__)  # the access seam: a role that may not open this page is refused here
choices = sidebar_choices()
path = choices.store_path
st.title(t("page.coverage"))
filters = time_filters(choices.filters, key="coverage", path=path)
page_caption(choices, filters, note=t("coverage.caption"))
c1, c2 = st.columns([1, 2])
with c1:
    res = resolution_picker(key="coverage")
with c2:
    basemap = basemap_picker("coverage_basemap")
view = view_picker("coverage_view")

cells = query(path, presence_by_cell, filters, res=res)
cells = cells[cells["presence_minutes"] > 0]
areas = query(path, area_geometries, filters)
st.caption(t("coverage.summary", cells=count(len(cells)), hours=number(cells["presence_minutes"].sum() / 60)))

single_map = not show_comparison(view, path=path, choices=choices, filters=filters, measure="presence", res=res,
                                 areas=areas, basemap=basemap, key="coverage_compare")
if single_map:
    show_cell_map(areas, cells, value_column="presence_minutes", legend_title=t("col.presence_minutes"),
                  tooltip={"presence_minutes": t("col.presence_minutes"), "visits": t("col.visits"),
                           "long_visit_share": t("col.long_visit_share")}, basemap=basemap, key="coverage_map")
    map_export(areas, title=t("page.coverage"), name="dekning_kart", filters=filters, cells=cells,
               value_column="presence_minutes", legend_title=t("col.presence_minutes"))

with st.expander(t("coverage.table")):
    show_table(cells.sort_values("presence_minutes", ascending=False))
    table_export(cells.sort_values("presence_minutes", ascending=False), title=t("coverage.table"),
                 name="dekning_celler", filters=filters)

with lazy_expander(t("animation.coverage"), key="coverage_anim_open") as opened:
    if opened:
        cell_map_player(path, filters, key="coverage_anim", cell_query=presence_by_cell, value_column="presence_minutes",
                        legend_title=t("col.presence_minutes"), tooltip={"presence_minutes": t("col.presence_minutes")},
                        res=res, basemap=basemap)
