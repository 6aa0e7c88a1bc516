"""Tests of geo.planning on a tiny store: history by service day and shift, a whole plan, plan against actual.

Tiny store (June 2024, local time +02:00). Area ``sq`` (100 m square, "Oslo S") and ``far``
(1 km east, "Far", never visited), both of uteseksjonen. Week 2024-W23 is 3–9 June, W24 10–16 June.

- ``fri`` (night): Fri 7 June 22:00 → Sat 04:00. Stands in sq 22:00–22:10 (600 s, one visit), walks
  through sq from Sat 02:00 (100 s of presence in sq, a second visit). Presence in sq 700 s.
- ``sun`` (evening: ends 00:45, before 01:00): Sun 9 June 18:00 → Mon 00:45. Stands in sq
  Sun 23:55 → Mon 00:25 (1800 s).
- ``tue`` (day): Tue 11 June 10:00–15:00. Stands in sq 10:00–10:20 (1200 s).
- encounters: e1 Fri 22:05 sq fri (acute help); e2 Sat 01:30 sq fri; e3 Sat 02:01 sq without a
  patrol; e4 Mon 00:20 sq sun; e5 Tue 10:10 sq tue; e6 Fri 22:06 outside every area, fri.

So Friday night (weekday 4, night) of W23 holds the presence after midnight and e2 (local date
Saturday); Sunday evening of W23 holds e4 (local date Monday, in W24); e3 has no patrol and e6 no
area, so neither counts.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from geo.planning import PlanningError, plan_vs_actual, recommend, save, saved_weeks
from geo.planning.columns import (
    ACHIEVED_SHARE,
    ACTUAL_MINUTES,
    ACTUAL_VISITS,
    AREA_ID,
    CATEGORY,
    ENCOUNTERS,
    GAP,
    NEED_RATE,
    NEED_WEEKS,
    PATROLS,
    PLANNED_MINUTES,
    PLANNED_VISITS,
    PRESENCE_HOURS,
    SHIFT,
    WEEK_START,
    WEEKDAY,
)
from geo.planning.config import PlanningConfig
from geo.planning.history import read_history
from geo.planning.optimize import REASONS
from geo.schema import CATEGORY as ENCOUNTER_CATEGORY
from tests.builders import BASE, area, area_versions, encounters, make_store, oslo, patrols, square, standing, \
    straight_walk

X, Y = BASE
CENTRE = (X + 50, Y + 50)
W23, W24 = dt.date(2024, 6, 3), dt.date(2024, 6, 10)
TINY = PlanningConfig(team="uteseksjonen", patrols={(1, "day"): 1, (4, "night"): 1, (6, "evening"): 1},
                      fixed_areas=("sq", "far"), min_minutes_per_week=12.5, max_share=0.8, garages=())


def build_tiny_store(tmp_path):
    areas = area_versions([area("sq", square(X, Y, 100), name="Oslo S"),
                           area("far", square(X + 1000, Y, 100), name="Far")])
    rows = patrols(
        ("fri", oslo("2024-06-07 22:00"), oslo("2024-06-08 04:00")),
        ("sun", oslo("2024-06-09 18:00"), oslo("2024-06-10 00:45")),
        ("tue", oslo("2024-06-11 10:00"), oslo("2024-06-11 15:00")),
    )
    points = pd.concat([
        standing("fri", oslo("2024-06-07 22:00"), CENTRE, n=11, interval_s=60),
        straight_walk("fri", oslo("2024-06-08 02:00"), frm=(X - 50, Y + 50), to=(X + 150, Y + 50), step_m=10,
                      interval_s=10),
        standing("sun", oslo("2024-06-09 23:55"), CENTRE, n=31, interval_s=60),
        standing("tue", oslo("2024-06-11 10:00"), CENTRE, n=21, interval_s=60),
    ], ignore_index=True)
    enc = encounters(
        ("e1", oslo("2024-06-07 22:05"), *CENTRE, "fri"),
        ("e2", oslo("2024-06-08 01:30"), *CENTRE, "fri"),
        ("e3", oslo("2024-06-08 02:01"), *CENTRE),
        ("e4", oslo("2024-06-10 00:20"), *CENTRE, "sun"),
        ("e5", oslo("2024-06-11 10:10"), *CENTRE, "tue"),
        ("e6", oslo("2024-06-07 22:06"), X + 500, Y + 500, "fri"),
    )
    enc[ENCOUNTER_CATEGORY] = ["acute_help", "conversation", "conversation", "conversation", "conversation",
                               "conversation"]
    return make_store(tmp_path, areas=areas, patrol_rows=rows, points=points, encounter_rows=enc)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    store = build_tiny_store(tmp_path_factory.mktemp("planning"))
    yield store
    store.close()


def cell(frame: pd.DataFrame, week: dt.date, area_id: str, weekday: int, shift: str) -> pd.DataFrame:
    return frame[(frame[WEEK_START] == week) & (frame[AREA_ID] == area_id) & (frame[WEEKDAY] == weekday)
                 & (frame[SHIFT] == shift)]


def test_a_night_patrol_counts_under_its_service_day_and_shift(tiny):
    h = read_history(tiny, first_day=W23, last_day=W23 + dt.timedelta(days=6), team="uteseksjonen")
    friday = cell(h.cells, W23, "sq", 4, "night")
    assert friday[PRESENCE_HOURS].iloc[0] == pytest.approx(700 / 3600)  # incl. the walk at Saturday 02:00
    assert friday[ACTUAL_VISITS].iloc[0] == 2
    assert cell(h.cells, W23, "sq", 5, "night").empty  # nothing on Saturday: it is all Friday's
    enc = h.encounters.groupby([AREA_ID, WEEKDAY, SHIFT, CATEGORY])[ENCOUNTERS].sum()
    assert enc[("sq", 4, "night", "acute_help")] == 1 and enc[("sq", 4, "night", "conversation")] == 1  # e1, e2
    assert enc[("sq", 6, "evening", "conversation")] == 1  # e4, though its own date is Monday of W24
    assert enc.sum() == 3  # e3 (no patrol) and e6 (no area) do not count
    assert h.patrols.set_index([WEEKDAY, SHIFT])[PATROLS].to_dict() == {(4, "night"): 1, (6, "evening"): 1}


def test_the_next_week_does_not_count_the_sunday_patrols_encounter_after_midnight(tiny):
    h = read_history(tiny, first_day=W24, last_day=W24 + dt.timedelta(days=6), team="uteseksjonen")
    assert h.encounters[ENCOUNTERS].sum() == 1  # e5 only
    assert cell(h.cells, W24, "sq", 1, "day")[PRESENCE_HOURS].iloc[0] == pytest.approx(1200 / 3600)


def test_category_weights_apply_to_the_history(tiny):
    h = read_history(tiny, first_day=W23, last_day=W23 + dt.timedelta(days=6), team="uteseksjonen")
    weighted = h.weighted_cells({"acute_help": 3.0})
    assert cell(weighted, W23, "sq", 4, "night")[ENCOUNTERS].iloc[0] == 4.0  # 3 + 1


def test_another_teams_history_is_empty(tiny):
    h = read_history(tiny, first_day=W23, last_day=W24 + dt.timedelta(days=6), team="vestre-aker")
    assert h.cells.empty and h.encounters.empty and h.patrols.empty


def test_a_whole_plan_for_the_week_after(tiny):
    plan = recommend(tiny, "2024-W25", config=TINY)
    lines = plan.lines
    assert set(lines[AREA_ID]) == {"sq", "far"}  # fixed areas are never dropped
    assert set(zip(lines[WEEKDAY], lines[SHIFT])) <= {(1, "day"), (4, "night"), (6, "evening")}
    assert lines["visits"].sum() > 0 and set(lines["bound_by"]) <= set(REASONS)
    assert (lines[PLANNED_MINUTES] == lines["visits"] * 12.5).all()
    assert (lines["person_minutes"] == lines[PLANNED_MINUTES] * 2).all()
    far = plan.need.table[plan.need.table[AREA_ID] == "far"]
    assert (far[NEED_RATE] > 0).all() and (far[NEED_WEEKS] == 0).all()  # unknown need, not zero
    assert [n.code for n in plan.notes][-1] == "no_presence" and "far" in plan.notes[-1].english()
    assert plan.effect["allocation"].tolist() == ["plan", "actual"]
    assert plan.need.history_weeks == (W23, W24)


def test_plan_against_actual_flags_the_gaps(tmp_path):
    store = build_tiny_store(tmp_path)
    with pytest.raises(PlanningError, match=r"no plan saved for week 2024-W23; make and save one"):
        plan_vs_actual(store, "2024-W23")
    lines = pd.DataFrame({AREA_ID: ["sq", "sq", "far"], WEEKDAY: [4, 5, 0], SHIFT: ["night", "day", "day"],
                          "visits": [2, 1, 1], PLANNED_MINUTES: [25.0, 12.5, 12.5],
                          "expected_encounters": [1.0, 0.5, 0.5]})
    settings = json.dumps({"team": "uteseksjonen", "garages": [], "gap_share": 0.5, "visit_minutes": [10, 15]})
    assert store.save_plan("2024-W23", lines, settings=settings) == 1
    table = plan_vs_actual(store, "2024-W23").set_index([AREA_ID, WEEKDAY, SHIFT])
    friday = table.loc[("sq", 4, "night")]
    assert friday[PLANNED_VISITS] == 2 and friday[ACTUAL_VISITS] == 2
    assert friday[ACTUAL_MINUTES] == pytest.approx(700 / 60)
    assert friday[ACHIEVED_SHARE] == pytest.approx(700 / 60 / 25) and friday[GAP] == "short"
    assert table.loc[("sq", 5, "day"), GAP] == "missed" and table.loc[("far", 0, "day"), GAP] == "missed"
    sunday = table.loc[("sq", 6, "evening")]
    assert sunday[PLANNED_MINUTES] == 0 and sunday[ACTUAL_MINUTES] == pytest.approx(30.0)
    assert np.isnan(sunday[ACHIEVED_SHARE]) and sunday[GAP] == "unplanned"
    assert len(table) == 4
    attrs = plan_vs_actual(store, "2024-W23").attrs
    assert attrs == {"week": "2024-W23", "version": 1, "team": "uteseksjonen", "complete": True}
    with pytest.raises(PlanningError, match=r"week 2024-W23 has no plan version 3; saved versions: 1"):
        plan_vs_actual(store, "2024-W23", version=3)
    store.close()


def test_saving_a_recommendation_adds_versions(tmp_path):
    store = build_tiny_store(tmp_path)
    plan = recommend(store, "2024-W25", config=TINY)
    assert save(store, plan) == 1 and save(store, plan) == 2
    weeks = saved_weeks(store)
    assert weeks[["week", "version"]].values.tolist() == [["2024-W25", 2], ["2024-W25", 1]]
    assert weeks["visits"].tolist() == [int(plan.lines["visits"].sum())] * 2
    settings = json.loads(store.plans(week="2024-W25")["settings"].iloc[0])
    assert settings["team"] == "uteseksjonen" and settings["history"] == [W23.isoformat(), W24.isoformat()]
    against = plan_vs_actual(store, "2024-W25")
    assert against.attrs["complete"] is False  # the store ends on 11 June
    assert set(against[GAP]) == {"missed"}
    store.close()
