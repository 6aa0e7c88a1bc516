"""Tests of geo.queries: hand-computed expectations on tiny stores, consistency on a demo store.

Tiny store (June 2024, local time +02:00; Fri 7 – Sun 9 June is ISO week 2024-W23):

- area ``sq`` (100 m square at the base point, "Oslo S", team uteseksjonen);
  ``far`` (1 km east, team vestre-aker, never visited); ``old`` (valid until
  1 June 2024).
- ``fri`` (staff 3, uteseksjonen, regular, night): Fri 22:00 → Sat 04:00
  (6 h). Stands in sq 22:00–22:10 (600 s: one visit of exactly 10 min, long),
  walks x−50 → x+150 at 1 m/s from Sat 02:00 (200 s, 200 m; 100 s, 100 m in
  sq: one 100 s visit). Presence anywhere 800 s.
- ``sat`` (staff 2, uteseksjonen, project, day): Sat 12:00 → 16:00, stands
  in sq 180 s (one visit).
- ``dist`` (staff 2, vestre-aker, regular, evening): Sat 18:00 → 22:00,
  stands in sq 900 s (one long visit).
- encounters (category, age group, new, people):
  e1 Fri 23:00 sq fri (conversation, under_18, new, 2);
  e2 Sat 00:30 sq fri (acute_help, 18_23);
  e3 Fri 22:30 outside fri (conversation, unknown);
  e4 Sat 12:30 sq sat (welfare_check, 26_plus);
  e5 Sat 18:05 sq dist (conversation, 24_25, new);
  e6 Sat 20:00 sq, no patrol (other, 18_23).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from geo import queries as q
from geo.queries import columns as C
from geo.queries import figures as fig
from geo.queries.aggregate_reads import offset_intervals
from geo.queries.by_period import presence_by_period
from geo.queries.rates import MIN_PRESENCE_HOURS, poisson_interval
from geo.schema import (
    AGE_GROUP,
    CATEGORY,
    KIND,
    NEW_CONTACT,
    OUTSIDE_AREA_ID,
    PEOPLE,
    PatrolKind,
)
from tests.builders import (
    BASE,
    area,
    area_versions,
    encounters,
    make_store,
    oslo,
    patrols,
    square,
    standing,
    straight_walk,
)

X, Y = BASE
D = dt.date
FRI, SAT, SUN, MON = D(2024, 6, 7), D(2024, 6, 8), D(2024, 6, 9), D(2024, 6, 10)
CENTRE = (X + 50, Y + 50)
F = q.Filters


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("queries")
    areas = area_versions([
        area("sq", square(X, Y, 100), name="Oslo S"),
        area("far", square(X + 1000, Y, 100), name="Far", team="vestre-aker"),
        area("old", square(X - 1000, Y, 100), name="Old", valid_to=D(2024, 6, 1)),
    ])
    rows = patrols(
        ("fri", oslo("2024-06-07 22:00"), oslo("2024-06-08 04:00"), 3),
        ("sat", oslo("2024-06-08 12:00"), oslo("2024-06-08 16:00"), 2),
        ("dist", oslo("2024-06-08 18:00"), oslo("2024-06-08 22:00"), 2, "vestre-aker"),
    )
    rows.loc[rows["patrol_id"] == "sat", KIND] = PatrolKind.PROJECT.value
    points = pd.concat(
        [
            standing("fri", oslo("2024-06-07 22:00"), CENTRE, n=11, interval_s=60),
            straight_walk("fri", oslo("2024-06-08 02:00"), frm=(X - 50, Y + 50), to=(X + 150, Y + 50),
                          step_m=10, interval_s=10),
            standing("sat", oslo("2024-06-08 12:00"), CENTRE, n=4, interval_s=60),
            standing("dist", oslo("2024-06-08 18:00"), CENTRE, n=16, interval_s=60),
        ],
        ignore_index=True,
    )
    enc = encounters(
        ("e1", oslo("2024-06-07 23:00"), *CENTRE, "fri"),
        ("e2", oslo("2024-06-08 00:30"), *CENTRE, "fri"),
        ("e3", oslo("2024-06-07 22:30"), X + 500, Y + 500, "fri"),
        ("e4", oslo("2024-06-08 12:30"), *CENTRE, "sat"),
        ("e5", oslo("2024-06-08 18:05"), *CENTRE, "dist"),
        ("e6", oslo("2024-06-08 20:00"), *CENTRE),
    )
    enc[CATEGORY] = ["conversation", "acute_help", "conversation", "welfare_check", "conversation", "other"]
    enc[AGE_GROUP] = ["under_18", "18_23", "unknown", "26_plus", "24_25", "18_23"]
    enc[NEW_CONTACT] = [True, False, False, False, True, False]
    enc[PEOPLE] = [2, 1, 1, 1, 1, 1]
    s = make_store(tmp, areas=areas, patrol_rows=rows, points=points, encounter_rows=enc)
    yield s
    s.close()


def area_row(table: pd.DataFrame, area_id: str) -> dict:
    return table.set_index(C.AREA_ID).loc[area_id].to_dict()


# --- Filters --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"first_day": SAT, "last_day": FRI}, r"first_day 2024-06-08 is after last_day 2024-06-07; swap them"),
        ({"hour_from": 24}, r"hour_from must be a whole hour 0–23; got 24"),
        ({"hour_to": 0}, r"hour_to must be a whole hour 1–24; got 0"),
        ({"hour_from": 5, "hour_to": 5}, r"hour_from and hour_to are both 5; use 0 and 24 for the whole day"),
        ({"weekdays": (7,)}, r"weekdays: \[7\] not allowed; use values from \(0, 1, 2, 3, 4, 5, 6\)"),
        ({"shifts": ("late",)}, r"shifts: \['late'\] not allowed; use values from \('day', 'evening', 'night'\)"),
        ({"categories": ("chat",)}, r"categories: \['chat'\] not allowed"),
        ({"age_groups": ("teen",)}, r"age_groups: \['teen'\] not allowed"),
        ({"kinds": ("extra",)}, r"kinds: \['extra'\] not allowed"),
    ],
)
def test_filters_refuse_bad_values_with_a_clear_message(kwargs, message):
    with pytest.raises(ValueError, match=message):
        F(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"teams": "uteseksjonen"},
         r"teams must be a tuple of values, not the single string 'uteseksjonen'; write \('uteseksjonen',\)"),
        ({"new_contact": "yes"}, r"new_contact must be True, False or None; got 'yes'"),
    ],
)
def test_filters_refuse_values_of_the_wrong_type(kwargs, message):
    with pytest.raises(TypeError, match=message):
        F(**kwargs)


def test_filters_store_lists_as_tuples():
    assert F(teams=["a", "b"], weekdays=[4]).teams == ("a", "b")


def test_hour_filter_wraps_past_midnight():
    assert np.flatnonzero(F(hour_from=22, hour_to=4).hours()).tolist() == [0, 1, 2, 3, 22, 23]
    assert np.flatnonzero(F(hour_from=22, hour_to=24).hours()).tolist() == [22, 23]


# --- key figures --------------------------------------------------------------------------------------


def test_key_figures_of_everything(store):
    got = q.key_figures(store, F())
    assert got[fig.PATROLS] == 3
    assert got[fig.PATROL_HOURS] == pytest.approx(6 + 4 + 4)
    # presence: fri 800 s + sat 180 s + dist 900 s = 1880 s
    assert got[fig.PRESENCE_HOURS] == pytest.approx(1880 / 3600)
    # × staff: 800·3 + 180·2 + 900·2 = 4560 s
    assert got[fig.PERSON_HOURS] == pytest.approx(4560 / 3600)
    assert (got[fig.ENCOUNTERS], got[fig.PEOPLE], got[fig.NEW_CONTACTS]) == (6, 7, 2)
    # known age groups: e1, e2, e4, e5, e6; 25 and under: e1, e2, e5, e6; under 18: e1
    assert got[fig.SHARE_UNDER_25] == pytest.approx(4 / 5)
    assert got[fig.SHARE_UNDER_18] == pytest.approx(1 / 5)


def test_friday_service_day_holds_the_whole_night_patrol_but_encounters_by_their_own_date(store):
    got = q.key_figures(store, F(first_day=FRI, last_day=FRI))
    assert (got[fig.PATROLS], got[fig.PATROL_HOURS]) == (1, pytest.approx(6.0))
    assert got[fig.PRESENCE_HOURS] == pytest.approx(800 / 3600)  # incl. the Saturday 02:00 walk
    assert got[fig.ENCOUNTERS] == 2  # e1, e3; e2 (Sat 00:30) is Saturday's


def test_saturday_weekday_within_friday_service_day_is_the_night_patrols_small_hours(store):
    got = q.key_figures(store, F(first_day=FRI, last_day=FRI, weekdays=(5,)))
    # fri's part on Saturday local: 00:00–04:00
    assert (got[fig.PATROLS], got[fig.PATROL_HOURS]) == (1, pytest.approx(4.0))
    assert got[fig.PRESENCE_HOURS] == pytest.approx(200 / 3600)
    assert got[fig.ENCOUNTERS] == 0  # Friday's encounters are not on a Saturday


def test_hour_filter_22_to_24(store):
    got = q.key_figures(store, F(hour_from=22, hour_to=24))
    # only fri is out 22–24 (dist ends at 22:00 sharp)
    assert (got[fig.PATROLS], got[fig.PATROL_HOURS]) == (1, pytest.approx(2.0))
    assert got[fig.PRESENCE_HOURS] == pytest.approx(600 / 3600)
    assert got[fig.ENCOUNTERS] == 2  # e3 22:30, e1 23:00


def test_wrapped_hour_filter_22_to_4(store):
    got = q.key_figures(store, F(hour_from=22, hour_to=4))
    assert (got[fig.PATROLS], got[fig.PATROL_HOURS]) == (1, pytest.approx(6.0))
    assert got[fig.PRESENCE_HOURS] == pytest.approx(800 / 3600)
    assert got[fig.ENCOUNTERS] == 3  # e1, e2, e3


def test_patrol_filters_and_their_encounters(store):
    assert q.key_figures(store, F(kinds=("project",)))[fig.PRESENCE_HOURS] == pytest.approx(180 / 3600)
    assert q.key_figures(store, F(shifts=("night",)))[fig.PATROLS] == 1
    centre = q.key_figures(store, F(teams=("uteseksjonen",)))
    assert (centre[fig.PATROLS], centre[fig.ENCOUNTERS]) == (2, 4)  # e1–e4; e6 has no patrol
    assert q.key_figures(store, F(teams=()))[fig.PATROLS] == 0


def test_team_filter_follows_the_encounters_patrol_not_its_service_day(store):
    # e2 (Sat 00:30) was made by fri, whose service day is Friday
    got = q.key_figures(store, F(first_day=SAT, last_day=SAT, teams=("uteseksjonen",)))
    assert got[fig.ENCOUNTERS] == 2  # e2, e4
    assert got[fig.PATROLS] == 1  # sat


def test_encounter_filters_do_not_limit_presence(store):
    got = q.key_figures(store, F(categories=("conversation",), age_groups=("under_18", "24_25")))
    assert got[fig.ENCOUNTERS] == 2  # e1, e5
    assert got[fig.PRESENCE_HOURS] == pytest.approx(1880 / 3600)
    assert q.key_figures(store, F(new_contact=True))[fig.ENCOUNTERS] == 2
    assert q.key_figures(store, F(new_contact=False))[fig.ENCOUNTERS] == 4


def test_age_shares_are_nan_without_known_age_groups(store):
    got = q.key_figures(store, F(age_groups=("unknown",)))
    assert got[fig.ENCOUNTERS] == 1
    assert math.isnan(got[fig.SHARE_UNDER_25]) and math.isnan(got[fig.SHARE_UNDER_18])


def test_compare_change_and_percent():
    got = q.compare({"a": 10, "b": 0.5, "c": 3}, {"a": 8, "b": 0.0})
    assert list(got.columns) == [C.FIGURE, C.CURRENT, C.PREVIOUS, C.CHANGE, C.CHANGE_PCT]
    rows = got.set_index(C.FIGURE)
    assert (rows.loc["a", C.CHANGE], rows.loc["a", C.CHANGE_PCT]) == (2.0, 25.0)
    assert rows.loc["b", C.CHANGE] == 0.5 and math.isnan(rows.loc["b", C.CHANGE_PCT])
    assert math.isnan(rows.loc["c", C.PREVIOUS]) and math.isnan(rows.loc["c", C.CHANGE_PCT])


def test_compare_without_previous_period_is_all_nan():
    got = q.compare({"a": 10}, None)
    assert got[C.CURRENT].tolist() == [10.0]
    assert got[[C.PREVIOUS, C.CHANGE, C.CHANGE_PCT]].isna().all(axis=None)


def test_teams_and_patrol_kinds(store):
    assert q.teams(store) == ["uteseksjonen", "vestre-aker"]
    assert q.patrol_kinds(store) == ["regular", "project"]


def test_patrol_hours_are_shift_length_and_presence_hours_time_present_in_every_result(store):
    # the tiny store's patrols last 6 + 4 + 4 = 14 h; their presence is 1880 s (0.52 h)
    figures = q.key_figures(store, F())
    assert figures[fig.PATROL_HOURS] == pytest.approx(14.0)
    assert figures[fig.PRESENCE_HOURS] == pytest.approx(1880 / 3600)
    by_cell = q.effort_vs_need(store, F(), by="cell")
    assert "patrol_hours" not in by_cell.columns  # that word is the shift length, never presence
    assert by_cell[C.PRESENCE_HOURS].sum() == pytest.approx(1880 / 3600)
    assert C.PRESENCE_HOURS == fig.PRESENCE_HOURS


# --- per area ------------------------------------------------------------------------------------


def test_presence_by_area_exact(store):
    got = q.presence_by_area(store, F(first_day=FRI, last_day=SUN), min_presence_hours=0.25)
    assert got[C.AREA_ID].tolist() == ["far", "sq", OUTSIDE_AREA_ID]  # "old" ended 1 June
    sq = area_row(got, "sq")
    assert sq[C.PRESENCE_MINUTES] == pytest.approx(1780 / 60)  # 700 + 180 + 900 s
    assert sq[C.PERSON_MINUTES] == pytest.approx(71.0)  # (700·3 + 180·2 + 900·2) / 60
    assert sq[C.PRESENCE_KM] == pytest.approx(0.1, abs=1e-6)
    # visits: fri 600 s (exactly 10 min: long) and 100 s, sat 180 s, dist 900 s (long)
    assert (sq[C.VISITS], sq[C.LONG_VISIT_SHARE]) == (4, 0.5)
    assert sq[C.ENCOUNTERS] == 5
    assert sq[C.ENCOUNTERS_PER_PRESENCE_HOUR] == pytest.approx(5 / (1780 / 3600))
    assert (sq[C.LAST_VISIT_DAY], sq[C.DAYS_SINCE_VISIT]) == (SAT, 1)
    far = area_row(got, "far")
    assert (far[C.PRESENCE_MINUTES], far[C.VISITS], far[C.ENCOUNTERS]) == (0.0, 0, 0)
    assert math.isnan(far[C.LONG_VISIT_SHARE]) and math.isnan(far[C.ENCOUNTERS_PER_PRESENCE_HOUR])
    assert far[C.LAST_VISIT_DAY] is None
    assert got[C.DAYS_SINCE_VISIT].dtype == "Int64" and got[C.DAYS_SINCE_VISIT].isna().tolist() == [True, False, True]
    outside = area_row(got, OUTSIDE_AREA_ID)
    assert (outside[C.AREA_NAME], outside[C.ENCOUNTERS]) == ("Utenfor alle feltområder", 1)


def test_presence_by_area_hour_filter_uses_visit_start_and_encounter_time(store):
    sq = area_row(q.presence_by_area(store, F(hour_from=22, hour_to=24)), "sq")
    assert sq[C.PRESENCE_MINUTES] == pytest.approx(10.0)
    assert (sq[C.VISITS], sq[C.LONG_VISIT_SHARE], sq[C.ENCOUNTERS]) == (1, 1.0, 1)  # the 22:00 visit, e1


def test_presence_by_area_saturday_holds_fridays_small_hours(store):
    sq = area_row(q.presence_by_area(store, F(first_day=FRI, last_day=FRI, weekdays=(5,))), "sq")
    assert sq[C.PRESENCE_MINUTES] == pytest.approx(100 / 60)
    assert (sq[C.VISITS], sq[C.LONG_VISIT_SHARE], sq[C.LAST_VISIT_DAY]) == (1, 0.0, FRI)


def test_presence_by_area_category_and_age_filters_count_encounters_only(store):
    cat = area_row(q.presence_by_area(store, F(categories=("conversation",))), "sq")
    assert (cat[C.PRESENCE_MINUTES], cat[C.ENCOUNTERS]) == (pytest.approx(1780 / 60), 2)  # e1, e5
    assert area_row(q.presence_by_area(store, F(age_groups=("18_23",))), "sq")[C.ENCOUNTERS] == 2  # e2, e6


def test_presence_by_area_team_filter(store):
    got = q.presence_by_area(store, F(teams=("uteseksjonen",)))
    sq = area_row(got, "sq")
    assert sq[C.PRESENCE_MINUTES] == pytest.approx(880 / 60)
    assert sq[C.ENCOUNTERS] == 3  # e1, e2, e4
    assert area_row(got, OUTSIDE_AREA_ID)[C.ENCOUNTERS] == 1


def test_area_geometries_are_the_areas_valid_in_the_range(store):
    got = q.area_geometries(store, F(first_day=FRI, last_day=SUN))
    assert got[C.AREA_ID].tolist() == ["far", "sq"]
    assert got[C.AREA_NAME].tolist() == ["Far", "Oslo S"]
    assert str(got.crs) == "EPSG:4326" and got.geometry.is_valid.all()
    assert q.area_geometries(store, F(last_day=D(2024, 5, 1)))[C.AREA_ID].tolist() == ["far", "old", "sq"]


# --- per cell ------------------------------------------------------------------------------------


def test_presence_by_cell_standing_cell_and_totals(store):
    import h3

    got = q.presence_by_cell(store, F())
    assert list(got.columns) == [C.CELL, C.PRESENCE_MINUTES, C.PERSON_MINUTES, C.PRESENCE_KM, C.VISITS, C.LONG_VISIT_SHARE,
                                 C.ENCOUNTERS]
    assert all(h3.get_resolution(c) == 10 for c in got[C.CELL])
    assert got[C.PRESENCE_MINUTES].sum() == pytest.approx(1880 / 60)
    assert got[C.ENCOUNTERS].sum() == 6
    centre = got.loc[got[C.ENCOUNTERS].idxmax()]
    assert centre[C.ENCOUNTERS] == 5
    # visits to the centre cell: standing 600 s and 900 s (long), 180 s, and the walk passing through
    assert (centre[C.VISITS], centre[C.LONG_VISIT_SHARE]) == (4, 0.5)


def test_encounters_by_cell_counts_people(store):
    got = q.encounters_by_cell(store, F(), res=9)
    assert list(got.columns) == [C.CELL, C.ENCOUNTERS, C.PEOPLE]
    assert sorted(got[C.ENCOUNTERS]) == [1, 5]
    assert got[C.PEOPLE].sum() == 7


def test_cell_queries_refuse_unsupported_resolution(store):
    with pytest.raises(ValueError, match=r"H3 resolution must be one of \(9, 10, 11\); got 8"):
        q.presence_by_cell(store, F(), res=8)


def test_encounter_points_are_local_and_filtered(store):
    got = q.encounter_points(store, F(hour_from=22, hour_to=24))
    assert got["encounter_id"].tolist() == ["e3", "e1"]
    assert str(got[C.TIME_LOCAL].dt.tz) == "Europe/Oslo"
    assert got[C.TIME_LOCAL].iloc[1] == pd.Timestamp("2024-06-07 23:00", tz="Europe/Oslo")
    assert got[NEW_CONTACT].tolist() == [False, True]


# --- trends --------------------------------------------------------------------------------------


def test_encounter_trend_long_format_with_zeros(store):
    got = q.encounter_trend(store, F(first_day=FRI, last_day=MON), period="week")
    assert len(got) == 2 * 9
    w23 = got[got[C.PERIOD] == "2024-W23"].set_index(CATEGORY)[C.ENCOUNTERS]
    assert (w23["conversation"], w23["acute_help"], w23["welfare_check"], w23["other"], w23["violence"]) == (3, 1, 1, 1, 0)
    assert got[got[C.PERIOD] == "2024-W24"][C.ENCOUNTERS].sum() == 0
    # Fri 7 – Mon 10 June: week 23 from its Friday, week 24 only its Monday: both partial
    assert got.groupby(C.PERIOD)[C.PARTIAL].first().to_dict() == {"2024-W23": True, "2024-W24": True}
    whole = q.encounter_trend(store, F(first_day=D(2024, 6, 3), last_day=SUN), period="week")
    assert not whole[C.PARTIAL].any()


def test_encounter_trend_only_selected_categories(store):
    got = q.encounter_trend(store, F(categories=("acute_help", "violence")), period="month")
    assert got.to_dict("list") == {C.PERIOD: ["2024-06", "2024-06"], CATEGORY: ["acute_help", "violence"],
                                   C.ENCOUNTERS: [1, 0], C.PARTIAL: [True, True]}  # from the first to the last encounter


def test_encounter_trend_refuses_unknown_period(store):
    with pytest.raises(ValueError, match=r"period must be one of week, month, tertial, quarter, year; got 'day'"):
        q.encounter_trend(store, F(), period="day")


def test_time_of_week_places_night_presence_on_saturday(store):
    got = q.time_of_week(store, F(first_day=FRI, last_day=FRI))
    assert len(got) == 168
    slot = got.set_index([C.WEEKDAY, C.HOUR])
    assert slot.loc[(4, 22), C.PRESENCE_MINUTES] == pytest.approx(10.0)
    assert slot.loc[(5, 2), C.PRESENCE_MINUTES] == pytest.approx(200 / 60)
    assert slot.loc[(4, 23), C.ENCOUNTERS] == 1 and slot.loc[(4, 22), C.ENCOUNTERS] == 1
    assert slot.loc[(5, 2), C.PRESENCE_SHARE] == pytest.approx(200 / 800)
    assert slot.loc[(4, 22), C.DIFFERENCE] == pytest.approx(0.5 - 600 / 800)
    assert got[C.PRESENCE_SHARE].sum() == pytest.approx(1.0)


# --- need vs effort ----------------------------------------------------------------------------------


ENOUGH = 0.25
"""A minimum presence (patrol-hours) the tiny store's sq (1780 s = 0.49 h) reaches."""


def test_effort_vs_need_by_area(store):
    got = q.effort_vs_need(store, F(first_day=FRI, last_day=SUN), min_presence_hours=ENOUGH)
    sq = got.set_index(C.KEY).loc["sq"]
    assert (sq[C.ENCOUNTERS], sq[C.PRESENCE_HOURS]) == (5.0, pytest.approx(1780 / 3600))
    assert sq[C.ENCOUNTERS_PER_PRESENCE_HOUR] == pytest.approx(5 / (1780 / 3600))
    # Garwood 90 %: chi²(0.05; 10)/2 = 1.97015, chi²(0.95; 12)/2 = 10.51305 encounters, per 0.49444 h
    assert (sq[C.RATE_LOW], sq[C.RATE_HIGH]) == (pytest.approx(1.97015 / (1780 / 3600), rel=1e-4),
                                                 pytest.approx(10.51305 / (1780 / 3600), rel=1e-4))
    assert sq[C.MINUTES_PER_ENCOUNTER] == pytest.approx(1780 / 60 / 5)
    assert bool(sq[C.UNDER_COVERED]) and sq[C.STATUS] == "under_covered"  # its own lower quartile
    assert got[C.KEY].tolist() == ["sq", "far"]
    assert got.attrs["max_minutes_per_encounter"] == pytest.approx(1780 / 60 / 5)
    assert got.attrs["min_rate"] == pytest.approx(5 / (1780 / 3600))
    assert got.attrs["min_presence_hours"] == ENOUGH


def test_effort_vs_need_shows_no_rate_and_no_flag_below_the_minimum_presence(store):
    # the default minimum is 1 patrol-hour: sq's 0.49 h is too little, whatever its encounters
    got = q.effort_vs_need(store, F(first_day=FRI, last_day=SUN)).set_index(C.KEY)
    assert got.attrs["min_presence_hours"] == MIN_PRESENCE_HOURS == 1.0
    assert math.isnan(got.loc["sq", C.ENCOUNTERS_PER_PRESENCE_HOUR]) and math.isnan(got.loc["sq", C.RATE_HIGH])
    assert got.loc["sq", C.STATUS] == "too_little_presence" and not got.loc["sq", C.UNDER_COVERED]
    assert not got[C.UNDER_COVERED].any() and math.isnan(got.attrs["min_rate"])


def test_effort_vs_need_explicit_threshold_and_weights(store):
    strict = q.effort_vs_need(store, F(), max_minutes_per_encounter=5.0, min_presence_hours=ENOUGH).set_index(C.KEY)
    assert not strict.loc["sq", C.UNDER_COVERED]  # 5.93 min per encounter > 5
    assert strict.loc["sq", C.STATUS] == "not_flagged"
    weighted = q.effort_vs_need(store, F(), weights={"acute_help": 3.0}, min_encounters=7,
                                min_presence_hours=ENOUGH).set_index(C.KEY)
    assert weighted.loc["sq", C.ENCOUNTERS] == 7.0  # 4 + 3 · e2
    assert weighted.loc["sq", C.UNDER_COVERED]
    few = q.effort_vs_need(store, F(), min_encounters=6, min_presence_hours=ENOUGH).set_index(C.KEY)
    assert not few.loc["sq", C.UNDER_COVERED] and few.loc["sq", C.STATUS] == "few_encounters"


def test_effort_vs_need_never_flags_encounters_without_presence(store):
    got = q.effort_vs_need(store, F(), by="cell", min_encounters=1, min_presence_hours=ENOUGH)
    outside = got[(got[C.ENCOUNTERS] == 1) & (got[C.PRESENCE_HOURS] == 0)].iloc[0]
    assert math.isnan(outside[C.ENCOUNTERS_PER_PRESENCE_HOUR])
    assert outside[C.STATUS] == "too_little_presence" and not bool(outside[C.UNDER_COVERED])
    assert got[C.ENCOUNTERS_PER_PRESENCE_HOUR].notna().iloc[0]  # places with a rate first


def test_poisson_interval_matches_chi_square_tables():
    low, high = poisson_interval(np.array([0.0, 5.0]))
    assert low == pytest.approx([0.0, 1.97015], abs=1e-4)
    assert high == pytest.approx([2.99573, 10.51305], abs=1e-4)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": "street"}, r"by must be one of area, cell; got 'street'"),
        ({"weights": {"chat": 2}}, r"weights: unknown categories \['chat'\]"),
        ({"weights": {"other": -1}}, r"weights must be finite numbers ≥ 0; got \{'other': -1\}"),
        ({"min_encounters": 0}, r"min_encounters must be a number of at least 1; got 0"),
        ({"max_minutes_per_encounter": 0}, r"max_minutes_per_encounter must be a positive number"),
        ({"min_presence_hours": 0}, r"min_presence_hours must be a positive number of patrol-hours; got 0"),
    ],
)
def test_effort_vs_need_refuses_bad_arguments(store, kwargs, message):
    with pytest.raises(ValueError, match=message):
        q.effort_vs_need(store, F(), **kwargs)


# --- areas not visited ----------------------------------------------------------------------------


def test_areas_not_visited_window_ends_on_last_day(store):
    tue = D(2024, 6, 11)
    got = q.areas_not_visited(store, F(last_day=tue), days=3)  # Sun–Tue: sq last visited Saturday
    assert got[C.AREA_ID].tolist() == ["far", "sq"]  # never visited first; "old" is no longer valid
    assert got[C.LAST_VISIT_DAY].tolist() == [None, SAT]
    assert got[C.DAYS_SINCE_VISIT].tolist() == [pd.NA, 3]
    assert q.areas_not_visited(store, F(last_day=tue), days=4)[C.AREA_ID].tolist() == ["far"]


def test_areas_not_visited_with_team_filter_lists_the_teams_own_areas(store):
    got = q.areas_not_visited(store, F(last_day=SAT, teams=("vestre-aker",)), days=1)
    assert got[C.AREA_ID].tolist() == ["far"]
    assert got[C.TEAM_COLUMN].tolist() == ["vestre-aker"]


def test_areas_not_visited_respects_hour_filter(store):
    # only fri's 22:00 visit starts in 22–24; it was on Friday
    got = q.areas_not_visited(store, F(last_day=SAT, hour_from=22, hour_to=24), days=1)
    assert got.set_index(C.AREA_ID).loc["sq", C.LAST_VISIT_DAY] == FRI


def test_areas_not_visited_looks_back_further_than_a_year(store):
    got = q.areas_not_visited(store, F(last_day=D(2025, 9, 1)), days=7).set_index(C.AREA_ID)
    assert got.loc["sq", C.LAST_VISIT_DAY] == SAT
    assert got.loc["sq", C.DAYS_SINCE_VISIT] == (D(2025, 9, 1) - SAT).days


def test_areas_not_visited_refuses_non_positive_days(store):
    with pytest.raises(ValueError, match=r"days must be a whole number of days, at least 1; got 0"):
        q.areas_not_visited(store, F(last_day=SAT), days=0)


# --- empty store --------------------------------------------------------------------------------


def test_every_query_answers_on_an_empty_store(tmp_path):
    s = make_store(tmp_path)
    for filters in (F(), F(first_day=FRI, last_day=MON, weekdays=(4,), hour_from=22, hour_to=2, teams=("x",))):
        figures = q.key_figures(s, filters)
        assert figures[fig.PATROLS] == 0 and figures[fig.PRESENCE_HOURS] == 0.0
        assert math.isnan(figures[fig.SHARE_UNDER_25])
        assert q.presence_by_area(s, filters)[C.AREA_ID].tolist() == [OUTSIDE_AREA_ID]
        for empty in (q.presence_by_cell(s, filters), q.encounters_by_cell(s, filters), q.encounter_points(s, filters),
                      q.effort_vs_need(s, filters), q.effort_vs_need(s, filters, by="cell"),
                      q.areas_not_visited(s, filters, days=7)):
            assert empty.empty
        assert q.time_of_week(s, filters)[C.PRESENCE_MINUTES].sum() == 0
    assert q.encounter_trend(s, F()).empty  # no dates and no encounters: no periods
    assert q.encounter_trend(s, F(first_day=FRI, last_day=MON))[C.ENCOUNTERS].tolist() == [0] * 9
    s.close()


# --- DST -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dst_store(tmp_path_factory):
    """Two night patrols standing in sq every minute: across the October and the March change."""
    tmp = tmp_path_factory.mktemp("dst")
    oct_start, mar_start = oslo("2024-10-26 22:00"), oslo("2024-03-30 22:00")
    rows = patrols(("oct", oct_start, oct_start + pd.Timedelta(hours=7)),
                   ("mar", mar_start, mar_start + pd.Timedelta(hours=5)))
    pts = pd.concat([standing("oct", oct_start, CENTRE, n=7 * 60 + 1, interval_s=60),
                     standing("mar", mar_start, CENTRE, n=5 * 60 + 1, interval_s=60)], ignore_index=True)
    s = make_store(tmp, areas=area_versions([area("sq", square())]), patrol_rows=rows, points=pts)
    yield s
    s.close()


def test_october_night_patrol_lasts_seven_hours_and_hour_two_happens_twice(dst_store):
    sat = D(2024, 10, 26)
    got = q.key_figures(dst_store, F(first_day=sat, last_day=sat))
    assert got[fig.PATROL_HOURS] == pytest.approx(7.0)
    tow = q.time_of_week(dst_store, F(first_day=sat, last_day=sat)).set_index([C.WEEKDAY, C.HOUR])
    assert tow.loc[(6, 2), C.PRESENCE_MINUTES] == pytest.approx(120.0)  # 02:00 +02:00 and 02:00 +01:00
    assert tow.loc[(6, 3), C.PRESENCE_MINUTES] == pytest.approx(60.0)
    two = F(first_day=sat, last_day=sat, hour_from=2, hour_to=3)
    assert q.key_figures(dst_store, two)[fig.PATROL_HOURS] == pytest.approx(2.0)
    assert q.key_figures(dst_store, two)[fig.PRESENCE_HOURS] == pytest.approx(2.0)
    assert area_row(q.presence_by_area(dst_store, two), "sq")[C.PRESENCE_MINUTES] == pytest.approx(120.0)


def test_march_night_patrol_skips_hour_two(dst_store):
    sat = D(2024, 3, 30)
    tow = q.time_of_week(dst_store, F(first_day=sat, last_day=sat)).set_index([C.WEEKDAY, C.HOUR])
    assert tow.loc[(6, 2), C.PRESENCE_MINUTES] == 0.0
    assert tow.loc[(6, 3), C.PRESENCE_MINUTES] == pytest.approx(60.0)
    assert tow[C.PRESENCE_MINUTES].sum() == pytest.approx(300.0)
    two = F(first_day=sat, last_day=sat, hour_from=2, hour_to=3)
    assert q.key_figures(dst_store, two)[fig.PRESENCE_HOURS] == 0.0
    three = F(first_day=sat, last_day=sat, hour_from=3, hour_to=4, weekdays=(6,))
    assert q.key_figures(dst_store, three)[fig.PRESENCE_HOURS] == pytest.approx(1.0)


def test_offset_intervals_follow_the_tz_database():
    first = int(pd.Timestamp("2024-01-01", tz="UTC").timestamp())
    last = int(pd.Timestamp("2024-12-31", tz="UTC").timestamp())
    got = offset_intervals(first, last)
    assert [o for _, _, o in got] == [3600, 7200, 3600]
    assert got[1][:2] == (int(pd.Timestamp("2024-03-31 01:00", tz="UTC").timestamp()),
                          int(pd.Timestamp("2024-10-27 01:00", tz="UTC").timestamp()))


# --- periods -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "preset", "expected"),
    [
        (D(2024, 12, 31), "this_week", (D(2024, 12, 30), D(2025, 1, 5))),
        (D(2025, 1, 1), "this_week", (D(2024, 12, 30), D(2025, 1, 5))),
        (D(2024, 6, 9), "this_week", (D(2024, 6, 3), D(2024, 6, 9))),
        (D(2024, 3, 1), "last_4_weeks", (D(2024, 2, 3), D(2024, 3, 1))),
        (D(2025, 1, 1), "last_4_weeks", (D(2024, 12, 5), D(2025, 1, 1))),
        (D(2024, 4, 30), "this_tertial", (D(2024, 1, 1), D(2024, 4, 30))),
        (D(2024, 5, 1), "this_tertial", (D(2024, 5, 1), D(2024, 5, 1))),
        (D(2024, 8, 31), "this_tertial", (D(2024, 5, 1), D(2024, 8, 31))),
        (D(2024, 9, 1), "this_tertial", (D(2024, 9, 1), D(2024, 9, 1))),
        (D(2024, 12, 31), "this_tertial", (D(2024, 9, 1), D(2024, 12, 31))),
        (D(2025, 1, 1), "this_tertial", (D(2025, 1, 1), D(2025, 1, 1))),
        (D(2025, 1, 1), "last_year", (D(2024, 1, 1), D(2024, 12, 31))),
        (D(2024, 12, 31), "last_year", (D(2023, 1, 1), D(2023, 12, 31))),
    ],
)
def test_period_presets(today, preset, expected):
    assert q.period_presets(today)[preset] == expected


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ((D(2024, 9, 1), D(2024, 9, 30)), (D(2024, 8, 2), D(2024, 8, 31))),
        ((D(2024, 6, 7), D(2024, 6, 7)), (D(2024, 6, 6), D(2024, 6, 6))),
        ((D(2024, 3, 1), D(2024, 3, 28)), (D(2024, 2, 2), D(2024, 2, 29))),  # 28 days incl. 29 Feb
        ((D(2024, 1, 1), D(2024, 12, 31)), (D(2022, 12, 31), D(2023, 12, 31))),  # 366 days back
    ],
)
def test_comparison_period_has_the_same_length_right_before(period, expected):
    got = q.comparison_period(*period)
    assert got == expected
    assert (got[1] - got[0]) == (period[1] - period[0])


def test_comparison_period_refuses_reversed_dates():
    with pytest.raises(ValueError, match=r"first 2024-06-08 is after last 2024-06-07; swap them"):
        q.comparison_period(SAT, FRI)


# --- consistency with geo.queries.summary on a demo store ----------------------------------------------------------------

DEMO_FIRST, DEMO_LAST = D(2024, 10, 21), D(2024, 11, 3)  # two weeks around the October DST change


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    from geo.demo.store import build_demo_store
    from geo.store import open_store

    path = tmp_path_factory.mktemp("demo") / "demo.gpkg"
    build_demo_store(path, start=DEMO_FIRST, end=DEMO_LAST)
    s = open_store(path)
    yield s
    s.close()


DEMO_RANGE = {"first_day": D(2024, 10, 23), "last_day": D(2024, 10, 30)}


def test_key_figures_equal_the_sum_of_the_weekly_table(demo):
    """Two reads of the same selection (one total, one per ISO week) add up exactly."""
    got = q.key_figures(demo, F(**DEMO_RANGE))
    weeks = presence_by_period(demo, F(**DEMO_RANGE), period="week")
    assert len(weeks) == 2  # 23–30 October 2024 spans ISO weeks 43 and 44
    assert got[fig.PATROLS] == weeks[C.PATROLS].sum() > 20
    assert got[fig.PRESENCE_HOURS] * 60 == pytest.approx(weeks[C.PRESENCE_MINUTES].sum(), rel=1e-12)
    assert got[fig.ENCOUNTERS] == weeks[C.ENCOUNTERS].sum()


def test_sql_clock_filter_agrees_with_time_of_week_across_dst(demo):
    """Presence filtered in SQL (key figures, cells) equals the selected slots of time_of_week
    (hour buckets mapped to local time in pandas), over the October change."""
    tow = q.time_of_week(demo, F(first_day=DEMO_FIRST, last_day=DEMO_LAST)).set_index([C.WEEKDAY, C.HOUR])
    for weekdays, hour_from, hour_to in (((6,), 0, 4), ((4, 5), 22, 4), (None, 10, 16)):
        part = F(first_day=DEMO_FIRST, last_day=DEMO_LAST, weekdays=weekdays, hour_from=hour_from, hour_to=hour_to)
        hours = np.flatnonzero(part.hours())
        slots = [(d, h) for d in (weekdays or range(7)) for h in hours]
        minutes = tow.loc[slots, C.PRESENCE_MINUTES].sum()
        assert minutes > 0
        figures = q.key_figures(demo, part)
        assert figures[fig.PRESENCE_HOURS] * 60 == pytest.approx(minutes, rel=1e-9)
        assert q.presence_by_cell(demo, part)[C.PRESENCE_MINUTES].sum() == pytest.approx(minutes, rel=1e-9)
        assert figures[fig.ENCOUNTERS] == tow.loc[slots, C.ENCOUNTERS].sum()


def test_presence_by_area_filtered_parts_add_up(demo):
    """Weekday filters split presence and visits without loss or double counting."""
    whole = q.presence_by_area(demo, F(**DEMO_RANGE)).set_index(C.AREA_ID)
    parts = [q.presence_by_area(demo, F(**DEMO_RANGE, weekdays=(d,))).set_index(C.AREA_ID) for d in range(7)]
    for column in (C.PRESENCE_MINUTES, C.VISITS, C.ENCOUNTERS):
        np.testing.assert_allclose(sum(p[column] for p in parts), whole[column], rtol=1e-9)
