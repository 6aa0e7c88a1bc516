"""Tid på uka: presence and encounters by hour × weekday, side by side, and where they disagree."""

import streamlit as st

from geo.queries import time_of_week
from ui.captions import page_caption
from ui.charts import difference_heatmap, week_heatmap
from ui.exports import chart_export, table_export
from ui.filters import encounter_filters
from ui.i18n import labels, t
from ui.navigation import require_page
from ui.sidebar import sidebar_choices
from ui.state import query

user = require_page(__file__)  # the access seam: a role that may not open this page is refused here
choices = sidebar_choices()
path = choices.store_path
st.title(t("page.time_of_week"))
filters = encounter_filters(choices.filters, key="time_of_week")
page_caption(choices, filters, note=t("time_of_week.caption"))
matrix = query(path, time_of_week, filters)

left, right = st.columns(2)
with left:
    st.subheader(t("time_of_week.presence"))
    st.altair_chart(week_heatmap(matrix, "presence_minutes", t("col.presence_minutes"), scheme="oranges"),
                    width="stretch")
    chart_export(week_heatmap(matrix, "presence_minutes", t("col.presence_minutes"), scheme="oranges"),
                 title=t("time_of_week.presence"), name="tid_pa_uka_tilstede", filters=filters)
with right:
    st.subheader(t("time_of_week.encounters"))
    st.altair_chart(week_heatmap(matrix, "encounters", t("col.encounters"), scheme="blues"),
                    width="stretch")
    chart_export(week_heatmap(matrix, "encounters", t("col.encounters"), scheme="blues"),
                 title=t("time_of_week.encounters"), name="tid_pa_uka_moter", filters=filters)
st.subheader(t("time_of_week.difference"))
st.caption(t("time_of_week.difference.help"))
st.altair_chart(difference_heatmap(matrix, t("col.difference")), width="stretch")
chart_export(difference_heatmap(matrix, t("col.difference")), title=t("time_of_week.difference"),
             name="tid_pa_uka_forskjell", filters=filters)
table_export(matrix.assign(weekday=matrix["weekday"].map(labels("weekday"))), title=t("page.time_of_week"),
             name="tid_pa_uka", filters=filters)
