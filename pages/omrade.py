"""Områdeprofil: one field area's versions, last visit, presence and encounters per period, time of
week, categories and its cells' effort against need. The area comes from the link (``?area=``) or
the selectbox, and only ever from the areas the user may see."""

import streamlit as st

from geo.changes.history import area_timeline
from geo.maps import selection_shapes
from geo.queries import area_geometries
from geo.queries.area_profile import area_categories, area_cells, area_last_visit, area_periods, area_time_of_week
from geo.queries.periods import trend_period_for
from ui import format as fmt
from ui.captions import page_caption
from ui.charts import area_timeline_chart, difference_heatmap, week_heatmap
from ui.columns import show_table
from ui.components import add_flagged_cells, cell_map_controls, effort_table, show_cell_map
from ui.format import literal
from ui.i18n import labels, t
from ui.links import choose_area
from ui.navigation import require_page
from ui.sidebar import sidebar_choices
from ui.state import query

PERIOD_COLUMNS = ["period", "presence_minutes", "visits", "encounters", "encounters_per_presence_hour"]
VERSION_COLUMNS = ["area_id", "version", "name", "valid_from", "valid_to", "area_m2", "added_utc", "changed_by"]
CATEGORY_COLUMNS = ["category", "encounters", "people", "share"]

user = require_page(__file__)  # the access seam: a role that may not open this page is refused here
choices = sidebar_choices()
path, filters = choices.store_path, choices.filters
st.title(t("page.area_profile"))
timeline = query(path, area_timeline)  # the versions of the areas this user may see (other teams' dropped)
latest = timeline.groupby("area_id").tail(1).sort_values(["name", "area_id"])
area_id = choose_area(dict(zip(latest["area_id"], latest["name"])))
versions = timeline[timeline["area_id"] == area_id]
st.header(versions["name"].iloc[-1])
page_caption(choices, note=t("profile.team", team=literal(versions["team"].iloc[-1])))

last = query(path, area_last_visit, filters, area_id).iloc[0]
c1, c2 = st.columns(2)
c1.metric(t("profile.last_visit"), fmt.date(last["last_visit_day"]) if last["last_visit_day"] else t("profile.never"),
          help=t("profile.last_visit.help"))
c2.metric(t("profile.days_since"), "–" if last["last_visit_day"] is None else fmt.count(last["days_since_visit"]))

st.subheader(t("profile.versions"))
st.altair_chart(area_timeline_chart(versions, last_day=filters.last_day), width="stretch")
show_table(versions[VERSION_COLUMNS].assign(area_m2=versions["area_m2"].round(0),  # open end: a dash, not None
                                            valid_to=[fmt.date(d) if d else "–" for d in versions["valid_to"]]),
           prefixes=("changes.col",))

period = trend_period_for(filters.first_day, filters.last_day)
periods = query(path, area_periods, filters, area_id, period=period)
st.subheader(t("profile.periods"))
period_names = {label: fmt.period_name(label) for label in periods["period"]}
show_table(periods[PERIOD_COLUMNS], prefixes=("profile.col",), values={"period": period_names})
partial = periods.loc[periods["partial"], "period"].map(period_names).tolist()
if partial:
    st.caption(t("profile.periods.partial", periods=", ".join(partial)))

st.subheader(t("profile.time_of_week"))
matrix = query(path, area_time_of_week, filters, area_id)
left, right = st.columns(2)
left.altair_chart(week_heatmap(matrix, "presence_minutes", t("col.presence_minutes"), scheme="oranges"),
                  width="stretch")
right.altair_chart(week_heatmap(matrix, "encounters", t("col.encounters"), scheme="blues"), width="stretch")
st.altair_chart(difference_heatmap(matrix, t("col.difference")), width="stretch")
st.caption(t("time_of_week.difference.help"))

st.subheader(t("profile.categories"))
categories = query(path, area_categories, filters, area_id)
show_table(categories.loc[categories["encounters"] > 0, CATEGORY_COLUMNS], prefixes=("profile.col",),
           values={"category": {c: labels("category")(c) for c in categories["category"]}})

st.subheader(t("profile.cells"))
res, basemap = cell_map_controls("profile")
cells = query(path, area_cells, filters, area_id, res=res)
if cells.empty:
    st.info(t("profile.cells.none"))
else:
    st.caption(t("profile.cells.caption", n=fmt.count(int(cells["under_covered"].sum()))) + " "
               + t("profile.cells.legend"))
    outline = query(path, area_geometries, filters)
    shown = effort_table(cells, translate=False).rename(columns={"key": "cell"})
    rated = shown[cells["encounters_per_presence_hour"].notna().to_numpy()]
    flagged = cells.loc[cells["under_covered"], "key"]
    show_cell_map(outline[outline["area_id"] == area_id], rated, value_column="encounters_per_presence_hour",
                  legend_title=t("col.encounters_per_presence_hour"),
                  tooltip={"encounters": t("col.encounters"), "presence_hours": t("col.presence_hours"),
                           "encounters_per_presence_hour": t("col.encounters_per_presence_hour"),
                           "status": t("col.status")}, basemap=basemap, key="profile_map",
                  fit=selection_shapes(outline[outline["area_id"] == area_id], cells["key"]),
                  draw_more=(lambda fmap: add_flagged_cells(fmap, flagged)) if len(flagged) else None)
    show_table(effort_table(cells, translate=False))
