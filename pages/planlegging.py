"""Planlegging: a recommended week by area × weekday × shift, why each line, downloads, plan against actual."""

from datetime import timedelta
from functools import partial

import pandas as pd
import streamlit as st

from geo.maps import add_areas, fit_to
from geo.planning import (
    InfeasiblePlanError,
    PlanningConfigError,
    PlanningError,
    load_config,
    plan_vs_actual,
    recommend,
    save,
    saved_weeks,
)
from geo.planning.briefing import plan_csv, plan_pdf
from geo.planning.slots import SHIFTS, WEEKDAY_NAMES, week_label, week_monday
from geo.queries import Filters, area_geometries
from geo.schema import Category
from ui.columns import styled
from ui.components import basemap_picker, new_map, show_map
from ui.exports import map_export, table_export
from ui.format import number
from ui.i18n import STRINGS, t
from ui.navigation import require_page
from ui.sidebar import sidebar_choices
from ui.state import get_store, query, store_date_range

WEEKS_OFFERED = 104  # the week picker offers the next week and this many before it


def _labelled(frame: pd.DataFrame, *, revisit_hours: float) -> pd.DataFrame:
    """Codes as labels (weekday, shift, unit, rule, gap) and columns under their planning.col.* names."""
    frame = frame.copy()
    hours = f"{revisit_hours:g}"
    shown = {"weekday": lambda v: t(f"weekday.{v}"), "shift": lambda v: t(f"shift.{v}"),
             "need_unit": lambda v: t(f"planning.unit.{v}"),
             "bound_by": lambda v: t(f"planning.reason.{v}", hours=hours) if v == "revisit" else t(f"planning.reason.{v}"),
             "gap": lambda v: t(f"planning.gap.{v}") if v else "",
             "allocation": lambda v: t(f"planning.effect.{v}")}
    for column, label in shown.items():
        if column in frame:
            frame[column] = frame[column].map(label)
    return frame.rename(columns=lambda c: t(f"planning.col.{c}") if f"planning.col.{c}" in STRINGS else c)


def _note(note) -> str:
    values = dict(note.values)
    if "kind" in values:
        values["kind"] = t(f"planning.kind.{values['kind']}")
    for key in ("factor", "raw"):
        if key in values:
            values[key] = f"{values[key]:.2f}"
    return t(f"planning.note.{note.code}", **values)


user = require_page(__file__)  # the access seam: a role that may not open this page is refused here
choices = sidebar_choices()
path = choices.store_path
st.title(t("planning.page"))
st.caption(t("planning.caption"))

try:
    base = load_config()
except PlanningConfigError as exc:
    st.error(t("planning.config_error", error=exc))
    st.stop()
first_service_day, last_service_day = store_date_range(path)
next_monday = week_monday(last_service_day) + timedelta(weeks=1)
mondays = [next_monday - timedelta(weeks=n) for n in range(WEEKS_OFFERED, -1, -1)
           if next_monday - timedelta(weeks=n) > first_service_day]
c1, c2 = st.columns([2, 1])
with c1:
    week_names = {m: t("planning.week.option", week=week_label(m), first=m, last=m + timedelta(days=6))
                  for m in mondays}  # labels made now: AppTest formats options after the run
    monday = st.selectbox(t("planning.week"), mondays, index=len(mondays) - 1, key="planning_week",
                          format_func=week_names.get)
with c2:
    history_weeks = st.slider(t("planning.history_weeks"), 1, 26, base.history_weeks, key="planning_history",
                              help=t("planning.history_weeks.help"))

with st.expander(t("planning.settings")):
    st.markdown(f"**{t('planning.patrols')}**")
    grid = pd.DataFrame([[base.patrols.get((d, s), 0) for s in SHIFTS] for d in range(7)],
                        index=[t(f"weekday.{d}") for d in range(7)], columns=[t(f"shift.{s}") for s in SHIFTS])
    edited = st.data_editor(grid, key="planning_patrols", width="stretch", column_config={
        t(f"shift.{s}"): st.column_config.NumberColumn(min_value=0, max_value=50, step=1) for s in SHIFTS})
    stay_share = st.slider(t("planning.stay_share"), 0.1, 1.0, float(base.stay_share), 0.05, key="planning_stay")
    st.markdown(f"**{t('planning.weights')}**", help=t("planning.weights.help"))
    weights = pd.DataFrame({t("planning.category"): [t(f"category.{c.value}") for c in Category],
                            t("planning.weight"): [float(base.weights.get(c.value, 1.0)) for c in Category]})
    weights = st.data_editor(weights, key="planning_weights", hide_index=True, disabled=[t("planning.category")],
                             width="stretch", column_config={t("planning.weight"): st.column_config.NumberColumn(
                                 min_value=0.0, max_value=100.0, step=0.5)})

patrols = {(d, s): int(n) for d in range(7) for s, n in zip(SHIFTS, edited.iloc[d].fillna(0)) if int(n) > 0}
chosen_weights = {c.value: float(w) for c, w in zip(Category, weights[t("planning.weight")].fillna(1.0)) if w != 1.0}
changes = {"patrols": patrols, "weights": chosen_weights, "stay_share": float(stay_share)}
if choices.filters.teams:
    changes["team"] = choices.filters.teams[0]
try:
    config = base.with_changes(**changes)
    plan = query(path, recommend, week_label(monday), config=config, history_weeks=history_weeks)
except InfeasiblePlanError as exc:
    st.error(t("planning.infeasible", error=exc))
    st.stop()
except PlanningError as exc:
    st.error(t("planning.cannot_plan", error=exc))
    st.stop()

effect = plan.effect.set_index("allocation")
lines = plan.lines
for column, (key, value) in zip(st.columns(4), [
        ("planning.figure.visits", f"{int(lines['visits'].sum())}"),
        ("planning.figure.minutes", f"{lines['planned_minutes'].sum():,.0f}".replace(",", " ")),
        ("planning.figure.person_minutes", f"{lines['person_minutes'].sum():,.0f}".replace(",", " ")),
        ("planning.figure.expected", f"{effect.at['plan', 'expected_encounters']:.0f}")]):
    help_text = None
    if key == "planning.figure.expected":
        help_text = t("planning.figure.expected.help", weeks=min(4, len(plan.need.history_weeks)),
                      actual=f"{effect.at['actual', 'expected_encounters']:.0f}")
    delta = effect.at["plan", "expected_encounters"] - effect.at["actual", "expected_encounters"]
    column.metric(t(key), value, help=help_text,
                  delta=f"{delta:+.0f}" if key == "planning.figure.expected" else None, delta_color="off")

st.subheader(t("planning.table"))
st.caption(t("planning.table.caption", minutes=number(config.planned_visit_minutes),
             garage=number(config.garage_visit_minutes)))
slots = plan.solution.slots
slot_label = {(d, s): f"{t(f'weekday.{d}')[:3]} {t(f'shift.{s}').lower()} ({n})"
              for d, s, n in slots[["weekday", "shift", "patrols"]].itertuples(index=False)}
table = lines.pivot_table(index="area_name", columns=["weekday", "shift"], values="visits", aggfunc="sum", fill_value=0)
order = [k for k in slot_label if k in table.columns]
table = table[order]
table.columns = [slot_label[k] for k in order]
table.index.name = t("col.area_name")
st.dataframe(table, width="stretch", key="planning_grid")

st.subheader(t("planning.map"))
m1, m2 = st.columns([1, 2])
with m1:
    slot_names = {"week": t("planning.map.week"), **slot_label}
    shown_slot = st.selectbox(t("planning.map.slot"), list(slot_names), key="planning_map_slot",
                              format_func=slot_names.get)
with m2:
    basemap = basemap_picker("planning_basemap")
picked = lines if shown_slot == "week" else lines[(lines["weekday"] == shown_slot[0]) & (lines["shift"] == shown_slot[1])]
per_area = picked.groupby("area_id", as_index=False)[["visits", "planned_minutes"]].sum()
geometry = query(path, area_geometries, Filters(first_day=plan.first_day, last_day=plan.last_day))
geometry = geometry[geometry["area_id"].isin(plan.areas["area_id"])]
shaded = geometry.merge(per_area, on="area_id", how="left").fillna({"visits": 0, "planned_minutes": 0.0})
fmap = new_map(basemap)
add_areas(fmap, shaded, value_column="planned_minutes", legend_title=t("planning.col.planned_minutes"),
          tooltip={"area_name": t("col.area_name"), "visits": t("planning.col.visits"),
                   "planned_minutes": t("planning.col.planned_minutes")})
show_map(fit_to(fmap, shaded), key="planning_map")
week_filters = Filters(first_day=plan.first_day, last_day=plan.last_day, teams=choices.filters.teams)
map_export(shaded, title=f"{t('planning.map')} · {slot_names[shown_slot]}", name="plan_kart", filters=week_filters,
           value_column="planned_minutes", legend_title=t("planning.col.planned_minutes"))

st.subheader(t("planning.why"))
st.caption(t("planning.why.caption", weeks=min(4, len(plan.need.history_weeks))))
why = lines[["area_name", "weekday", "shift", "visits", "planned_minutes", "expected_encounters", "need_rate",
             "need_low", "need_high", "need_unit", "need_weeks", "recent_minutes", "recent_visits", "bound_by"]]
st.dataframe(styled(_labelled(why, revisit_hours=config.revisit_hours)), hide_index=True, width="stretch", key="planning_why")
table_export(_labelled(why, revisit_hours=config.revisit_hours), title=t("planning.why"), name="plan_hvorfor",
             filters=week_filters)

st.subheader(t("planning.effect"))
st.dataframe(styled(_labelled(plan.effect, revisit_hours=config.revisit_hours)), hide_index=True, width="stretch", key="planning_effect")
with st.expander(t("planning.notes")):
    st.markdown("\n".join(f"- {_note(n)}" for n in plan.notes))
with st.expander(t("planning.method")):
    st.markdown(t("planning.method.text", half_life=f"{config.half_life_weeks:g}", decay=f"{config.decay * 100:.0f}",
                  revisit=f"{config.revisit_hours:g}", minimum=f"{config.min_minutes_per_week:g}",
                  share=f"{config.max_share * 100:.0f}", rounds=config.garage_rounds_per_week))

st.subheader(t("planning.downloads"))
d1, d2, d3 = st.columns(3)
d1.download_button(t("planning.download.pdf"), data=partial(plan_pdf, plan), file_name=f"patruljeplan-{plan.week}.pdf",
                   mime="application/pdf", key="planning_pdf", help=t("planning.download.pdf.help"), width="stretch")
d2.download_button(t("planning.download.csv"), data=partial(plan_csv, plan), file_name=f"patruljeplan-{plan.week}.csv",
                   mime="text/csv", key="planning_csv", width="stretch")
if d3.button(t("planning.save"), key="planning_save", width="stretch"):
    version = save(get_store(path), plan, saved_by=user.subject)
    st.success(t("planning.saved", version=version, week=plan.week))

st.header(t("planning.follow_up"))
st.caption(t("planning.follow_up.caption", share=f"{config.gap_share * 100:.0f}"))
saved = query(path, saved_weeks, team=config.team)
if saved.empty:
    st.info(t("planning.follow_up.none"))
else:
    options = list(saved[["week", "version"]].itertuples(index=False, name=None))
    option_names = {o: t("planning.follow_up.option", week=o[0], version=o[1]) for o in options}
    week, version = st.selectbox(t("planning.follow_up.week"), options, key="planning_follow_week",
                                 format_func=option_names.get)
    against = query(path, plan_vs_actual, week, version=int(version), team=config.team)
    counts = against["gap"].value_counts()
    st.markdown(t("planning.follow_up.summary", lines=len(against),
                  **{gap: int(counts.get(gap, 0)) for gap in ("missed", "short", "unplanned")}))
    if not against.attrs.get("complete", True):
        st.warning(t("planning.follow_up.incomplete"))
    names = plan.areas.set_index("area_id")["area_name"]
    against = against.assign(area_name=against["area_id"].map(names).fillna(against["area_id"]))
    shown = against[["area_name", "weekday", "shift", "planned_visits", "planned_minutes", "actual_visits",
                     "actual_minutes", "difference_minutes", "achieved_share", "gap"]]
    st.dataframe(styled(_labelled(shown, revisit_hours=config.revisit_hours)), hide_index=True, width="stretch", key="planning_against")
