"""Tests of the CLI's summary tables (geo.queries.summary over the query layer) against a real GeoPackage store built in a temporary directory.

The week of Mon 3 – Sun 9 June 2024 is ISO week 2024-W23; Mon 10 June starts
2024-W24. Local time is +02:00 (CEST) throughout June.

Scenario (area "sq" is the 100 m square at the base point, named "Oslo S"):

- patrol ``fri`` (staff 3), Fri 7 Jun 22:00 → Sat 04:00 local, service day Friday:
  stands inside 22:00–22:10 (600 s), and at Sat 02:00 walks x-50 → x+150 at
  1 m/s (200 s, 200 m; 100 s and 100 m inside). In sq: 700 s, 100 m, 2 visits.
  Anywhere: 800 s, 200 m.
- patrol ``sat`` (staff 2), Sat 8 Jun 12:00 local: stands inside 180 s, 1 visit.
- patrol ``sun`` (staff 2), Sun 9 Jun 23:50 → Mon 00:10 local: stands inside
  1200 s, 1 visit; its service day is Sunday (week 23).
- encounters: e1 Fri 23:00 inside; e2 Sat 00:30 inside (local date Saturday);
  e3 Fri 22:30 1 km away (outside every area); e4 Sat 12:30 inside;
  e5 Mon 00:05 inside (local date Monday, week 24).
- area ``far`` (1 km east, named "Far") has no presence and no encounters.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from geo.schema import AREA_ID, CELL, OUTSIDE_AREA_ID
from geo.queries.by_period import presence_by_period
from geo.queries.filters import Filters
from geo.queries.summary import summarize
from geo.schema import (
    ENCOUNTERS,
    PATROLS,
    PERIOD,
    PERSON_MINUTES,
    PRESENCE_KM,
    PRESENCE_MINUTES,
    VISITS,
)
from geo.schema import PRESENCE_MEASURES as MEASURES
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


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("summary")
    areas = area_versions([area("sq", square(X, Y, 100), name="Oslo S"), area("far", square(X + 1000, Y, 100), name="Far")])
    rows = patrols(
        ("fri", oslo("2024-06-07 22:00"), oslo("2024-06-08 04:00"), 3),
        ("sat", oslo("2024-06-08 12:00"), oslo("2024-06-08 16:00"), 2),
        ("sun", oslo("2024-06-09 23:50"), oslo("2024-06-10 00:10"), 2),
    )
    points = pd.concat(
        [
            standing("fri", oslo("2024-06-07 22:00"), CENTRE, n=11, interval_s=60),
            straight_walk("fri", oslo("2024-06-08 02:00"), frm=(X - 50, Y + 50), to=(X + 150, Y + 50),
                          step_m=10, interval_s=10),
            standing("sat", oslo("2024-06-08 12:00"), CENTRE, n=4, interval_s=60),
            standing("sun", oslo("2024-06-09 23:50"), CENTRE, n=21, interval_s=60),
        ],
        ignore_index=True,
    )
    enc = encounters(
        ("e1", oslo("2024-06-07 23:00"), *CENTRE, "fri"),
        ("e2", oslo("2024-06-08 00:30"), *CENTRE, "fri"),
        ("e3", oslo("2024-06-07 22:30"), X + 500, Y + 500, "fri"),
        ("e4", oslo("2024-06-08 12:30"), *CENTRE, "sat"),
        ("e5", oslo("2024-06-10 00:05"), *CENTRE, "sun"),
    )
    s = make_store(tmp, areas=areas, patrol_rows=rows, points=points, encounter_rows=enc)
    yield s
    s.close()


def by_area(store, filters: Filters = Filters()) -> pd.DataFrame:
    return summarize(store, "area", filters)


def by_cell(store, filters: Filters = Filters(), *, res: int = 10) -> pd.DataFrame:
    return summarize(store, "cell", filters, res=res)


def by_period(store, filters: Filters = Filters(), *, period: str = "week") -> pd.DataFrame:
    return presence_by_period(store, filters, period=period).round({PRESENCE_MINUTES: 3, PERSON_MINUTES: 3,
                                                                    PRESENCE_KM: 3})


def rows_by(table: pd.DataFrame, key: str) -> dict[str, dict]:
    return {r[key]: r for r in table.to_dict("records")}


# --- by_area ---------------------------------------------------------------------------------------------


def test_by_area_columns_and_row_order(store):
    got = by_area(store)
    assert list(got.columns) == [AREA_ID, "area_name", *MEASURES]
    # areas sorted by id, the outside row last
    assert got[AREA_ID].tolist() == ["far", "sq", OUTSIDE_AREA_ID]
    assert got["area_name"].tolist() == ["Far", "Oslo S", "Utenfor alle feltområder"]


def test_by_area_all_days_exact_measures(store):
    sq = rows_by(by_area(store), AREA_ID)["sq"]
    # presence in sq: fri 700 s + sat 180 s + sun 1200 s = 2080 s = 34.667 min
    assert sq[PRESENCE_MINUTES] == 34.667
    # person-minutes: (700·3 + 180·2 + 1200·2) / 60 = (2100 + 360 + 2400) / 60 = 81.0
    assert sq[PERSON_MINUTES] == 81.0
    # metres in sq: only fri's walk moves inside: 100 m = 0.1 km
    assert sq[PRESENCE_KM] == pytest.approx(0.1, abs=1e-3)
    # visits: fri 2 (22:00 and 02:00), sat 1, sun 1
    assert sq[VISITS] == 4
    # e1, e2, e4, e5
    assert sq[ENCOUNTERS] == 4


def test_outside_row_counts_encounters_in_no_area(store):
    outside = rows_by(by_area(store), AREA_ID)[OUTSIDE_AREA_ID]
    assert outside[ENCOUNTERS] == 1  # e3
    assert outside[VISITS] == 0


def test_area_valid_in_selection_without_activity_is_listed_with_zeros(store):
    far = rows_by(by_area(store), AREA_ID)["far"]
    assert [far[m] for m in MEASURES] == [0.0, 0.0, 0.0, 0, 0]


def test_friday_filter_includes_the_friday_night_patrol_presence_after_midnight(store):
    # service day Friday: 22:00 presence (600 s) and Saturday 02:00 presence (100 s)
    sq = rows_by(by_area(store, Filters(first_day=FRI, last_day=FRI)), AREA_ID)["sq"]
    assert sq[PRESENCE_MINUTES] == 11.667  # 700 / 60
    assert sq[PERSON_MINUTES] == 35.0  # 700 · 3 / 60
    assert sq[PRESENCE_KM] == pytest.approx(0.1, abs=1e-3)
    assert sq[VISITS] == 2


def test_friday_filter_counts_encounters_by_their_own_local_date(store):
    got = rows_by(by_area(store, Filters(first_day=FRI, last_day=FRI)), AREA_ID)
    # e2 at 00:30 Saturday local (22:30 UTC Friday) is Saturday's: only e1 in sq
    assert got["sq"][ENCOUNTERS] == 1
    assert got[OUTSIDE_AREA_ID][ENCOUNTERS] == 1  # e3


def test_saturday_filter(store):
    sq = rows_by(by_area(store, Filters(first_day=SAT, last_day=SAT)), AREA_ID)["sq"]
    assert sq[PRESENCE_MINUTES] == 3.0  # 180 s
    assert sq[PERSON_MINUTES] == 6.0  # 180 · 2 / 60
    assert sq[PRESENCE_KM] == 0.0
    assert sq[VISITS] == 1
    assert sq[ENCOUNTERS] == 2  # e2 (00:30 local) and e4


def test_monday_filter_has_the_encounter_but_not_sundays_patrol(store):
    sq = rows_by(by_area(store, Filters(first_day=MON, last_day=MON)), AREA_ID)["sq"]
    # sun's presence after midnight belongs to its service day (Sunday)
    assert (sq[PRESENCE_MINUTES], sq[VISITS], sq[ENCOUNTERS]) == (0.0, 0, 1)


def test_team_filter_limits_patrols_and_their_encounters(store):
    got = by_area(store, Filters(teams=("bydel-vestre-aker",)))
    assert got[list(MEASURES)].to_numpy().sum() == 0


def test_selection_with_from_after_to_is_refused():
    with pytest.raises(ValueError, match=r"first_day 2024-06-08 is after last_day 2024-06-07; swap them"):
        Filters(first_day=SAT, last_day=FRI)


# --- by_period ----------------------------------------------------------------------------------------------


def test_by_period_weeks_follow_service_day_and_encounter_local_date(store):
    got = rows_by(by_period(store, period="week"), PERIOD)
    assert sorted(got) == ["2024-W23", "2024-W24"]
    w23, w24 = got["2024-W23"], got["2024-W24"]
    # W23: fri, sat, sun (Sunday's patrol stays in W23 although it ends on Monday)
    assert w23[PATROLS] == 3
    # presence anywhere: fri 800 s + sat 180 s + sun 1200 s = 2180 s = 36.333 min
    assert w23[PRESENCE_MINUTES] == 36.333
    # (800·3 + 180·2 + 1200·2) / 60 = (2400 + 360 + 2400) / 60 = 86.0
    assert w23[PERSON_MINUTES] == 86.0
    assert w23[PRESENCE_KM] == pytest.approx(0.2, abs=1e-3)
    assert w23[VISITS] == 4
    assert w23[ENCOUNTERS] == 4  # e1–e4
    # W24: only e5 (Mon 00:05 local)
    assert (w24[PATROLS], w24[PRESENCE_MINUTES], w24[VISITS], w24[ENCOUNTERS]) == (0, 0.0, 0, 1)


def test_by_period_month_and_tertial_labels(store):
    assert by_period(store, period="month")[PERIOD].tolist() == ["2024-06"]
    assert by_period(store, period="tertial")[PERIOD].tolist() == ["2024-T2"]


def test_summarize_by_week_is_by_period_week(store):
    pd.testing.assert_frame_equal(summarize(store, "week"), by_period(store, period="week"))


def test_summarize_refuses_unknown_grouping(store):
    with pytest.raises(ValueError, match=r"--by must be one of area, cell, week, area,week; got 'day'"):
        summarize(store, "day")


def test_by_area_and_week(store):
    got = summarize(store, "area,week")
    sq = got[got[AREA_ID] == "sq"].set_index(PERIOD)
    assert sq.loc["2024-W23", PRESENCE_MINUTES] == 34.667
    assert sq.loc["2024-W23", ENCOUNTERS] == 3  # e1, e2, e4
    assert sq.loc["2024-W24", ENCOUNTERS] == 1  # e5
    assert sq.loc["2024-W24", PRESENCE_MINUTES] == 0.0


# --- by_cell ---------------------------------------------------------------------------------------------------


def test_by_cell_rows_are_hex_h3_cells(store):
    import h3

    got = by_cell(store)
    assert list(got.columns) == [CELL, *MEASURES]
    assert all(h3.is_valid_cell(c) and h3.get_resolution(c) == 10 for c in got[CELL])


def test_by_cell_refuses_unsupported_resolution(store):
    with pytest.raises(ValueError, match=r"H3 resolution must be one of \(9, 10, 11\); got 12"):
        by_cell(store, res=12)


def test_by_cell_totals_equal_by_area_totals_when_one_area_covers_everything(tmp_path):
    # one 3 km square around everything; two patrols walking and standing in many cells
    big = area_versions([area("all", square(X - 1000, Y - 1000, 3000))])
    rows = patrols(("a", oslo("2024-06-07 18:00"), oslo("2024-06-07 23:00"), 2),
                   ("b", oslo("2024-06-08 10:00"), oslo("2024-06-08 14:00"), 3))
    pts = pd.concat(
        [
            straight_walk("a", oslo("2024-06-07 18:00"), frm=(X, Y), to=(X + 600, Y + 800), step_m=10, interval_s=10),
            standing("b", oslo("2024-06-08 10:00"), (X + 200, Y - 300), n=10, interval_s=60),
            straight_walk("b", oslo("2024-06-08 11:00"), frm=(X + 200, Y - 300), to=(X - 400, Y + 500), step_m=20, interval_s=15),
        ],
        ignore_index=True,
    )
    enc = encounters(("e1", oslo("2024-06-07 19:00"), X + 10, Y + 10, "a"),
                     ("e2", oslo("2024-06-08 11:00"), X + 200, Y - 300, "b"),
                     ("e3", oslo("2024-06-08 11:05"), X + 210, Y - 300, "b"))
    s = make_store(tmp_path, areas=big, patrol_rows=rows, points=pts, encounter_rows=enc)
    cells = by_cell(s)
    areas = rows_by(by_area(s), AREA_ID)["all"]
    n = len(cells)
    assert n > 10
    # each cell row is rounded to 0.001; the sum may drift by n · 0.0005
    for measure in (PRESENCE_MINUTES, PERSON_MINUTES, PRESENCE_KM):
        assert cells[measure].sum() == pytest.approx(areas[measure], abs=n * 5e-4), measure
    # a: 1000 m at 1 m/s = 1000 s; b: 540 s standing + 1000 m in 750 s → 2290 s = 38.167 min
    assert areas[PRESENCE_MINUTES] == 38.167
    assert areas[PRESENCE_KM] == pytest.approx(2.0, abs=1e-3)
    assert cells[ENCOUNTERS].sum() == areas[ENCOUNTERS] == 3
    s.close()


def test_night_patrol_across_october_dst_change_summarises_as_seven_hours(tmp_path):
    # Sat 26 Oct 22:00 +02:00 → Sun 27 Oct 04:00 +01:00: 7 h = 420 min, 840 person-minutes
    start = oslo("2024-10-26 22:00")
    rows = patrols(("night", start, start + pd.Timedelta(hours=7)))
    pts = standing("night", start, CENTRE, n=7 * 60 + 1, interval_s=60)
    s = make_store(tmp_path, areas=area_versions([area("sq", square())]), patrol_rows=rows, points=pts)
    sq = rows_by(by_area(s, Filters(first_day=D(2024, 10, 26), last_day=D(2024, 10, 26))), AREA_ID)["sq"]
    assert (sq[PRESENCE_MINUTES], sq[PERSON_MINUTES], sq[VISITS]) == (420.0, 840.0, 1)
    assert by_period(s, period="week")[PERIOD].tolist() == ["2024-W43"]
    s.close()


def test_empty_store_summaries_have_only_the_outside_row(tmp_path):
    s = make_store(tmp_path)
    got = by_area(s)
    assert got[AREA_ID].tolist() == [OUTSIDE_AREA_ID]
    assert np.all(got[list(MEASURES)].to_numpy() == 0)
    assert len(by_period(s)) == 0
    assert len(by_cell(s)) == 0
    s.close()


def test_encounter_in_two_overlapping_areas_counts_in_both_rows_and_once_in_totals(tmp_path):
    # a = x..x+100, b = x+50..x+150 overlap in x+50..x+100. e1 in the overlap, e2 in a only,
    # e3 outside both. by_area: a 2 (e1, e2), b 1 (e1), outside 1 (e3); by_period: 3 distinct.
    areas = area_versions([area("a", square(X, Y, 100)), area("b", square(X + 50, Y, 100))])
    enc = encounters(("e1", oslo("2024-06-07 21:00"), X + 75, Y + 50),
                     ("e2", oslo("2024-06-07 21:10"), X + 25, Y + 50),
                     ("e3", oslo("2024-06-07 21:20"), X + 400, Y + 50))
    s = make_store(tmp_path, areas=areas, encounter_rows=enc)
    got = by_area(s).set_index(AREA_ID)[ENCOUNTERS].to_dict()
    assert got == {"a": 2, "b": 1, OUTSIDE_AREA_ID: 1}
    assert by_period(s, period="week")[ENCOUNTERS].tolist() == [3]
    s.close()
