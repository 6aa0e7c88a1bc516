"""Møter: where people are met (H3 heatmap), with category, age and new-contact filters, and the trend."""

import streamlit as st

from geo.maps import add_points
from geo.queries import area_geometries, encounter_points, encounter_trend, encounters_by_cell
from geo.queries.periods import trend_period_for
from ui.animation import cell_map_player
from ui.captions import page_caption
from ui.charts import category_trend_chart
from ui.components import basemap_picker, lazy_expander, show_cell_map
from ui.exports import chart_export, map_export, table_export
from ui.filters import encounter_filters, resolution_picker
from ui.format import count
from ui.i18n import labels, t
from ui.navigation import require_page
from ui.sidebar import sidebar_choices
from ui.sidebyside import show_comparison, view_picker
from ui.state import query

MAX_POINTS = 5000  # most single encounter points drawn at once (the manager view only)

user = require_page(__file__)  # the access seam: a role that may not open this page is refused here
choices = sidebar_choices()
path = choices.store_path
st.title(t("page.encounters"))
filters = encounter_filters(choices.filters, key="encounters")
page_caption(choices, filters)
c1, c2, c3 = st.columns([1, 2, 1])
with c1:
    res = resolution_picker(key="encounters")
with c2:
    basemap = basemap_picker("encounters_basemap")
with c3:
    show_points = st.toggle(t("encounters.points"), key="encounters_points", help=t("encounters.points.help"))
view = view_picker("encounters_view")

cells = query(path, encounters_by_cell, filters, res=res)
areas = query(path, area_geometries, filters)
st.caption(t("encounters.summary", n=count(cells["encounters"].sum()), cells=count(len(cells))))



def _points(fmap) -> None:
    points = query(path, encounter_points, filters).head(MAX_POINTS)
    add_points(fmap, points["lon"].to_numpy(), points["lat"].to_numpy(), points["category"].map(labels("category")).tolist())


single_map = not show_comparison(view, path=path, choices=choices, filters=filters, measure="encounters", res=res,
                                 areas=areas, basemap=basemap, key="encounters_compare")  # A and B: cells only, no single points
if single_map:
    show_cell_map(areas, cells, value_column="encounters", legend_title=t("col.encounters"),
                  tooltip={"encounters": t("col.encounters"), "people": t("col.people")}, basemap=basemap,
                  key="encounters_map", draw_more=_points if show_points else None)
    map_export(areas, title=t("page.encounters"), name="moter_kart", filters=filters, cells=cells,
               value_column="encounters", legend_title=t("col.encounters"))  # cells only: never single points
table_export(cells, title=t("page.encounters"), name="moter_celler", filters=filters)
with lazy_expander(t("animation.encounters"), key="encounters_anim_open") as opened:
    if opened:
        cell_map_player(path, filters, key="encounters_anim", cell_query=encounters_by_cell, value_column="encounters",
                        legend_title=t("col.encounters"), tooltip={"encounters": t("col.encounters")}, res=res,
                        basemap=basemap)

st.subheader(t("encounters.trend"))
period = trend_period_for(filters.first_day, filters.last_day)
trend = query(path, encounter_trend, filters, period=period)
partial = trend.loc[trend["partial"], "period"].unique()
period_name = t(f"period.{period}").lower()
st.caption(t("trend.caption", period=period_name, partial=", ".join(partial)) if len(partial)
           else t("trend.caption.whole", period=period_name))
st.altair_chart(category_trend_chart(trend), width="stretch")
chart_export(category_trend_chart(trend), title=t("encounters.trend"), name="moter_utvikling", filters=filters)
table_export(trend.assign(category=trend["category"].map(labels("category"))), title=t("encounters.trend"),
             name="moter_utvikling", filters=filters)
