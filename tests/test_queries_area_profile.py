"""Tests of geo.queries.area_profile on the two-week store of tests/test_queries_attention.py.

Over both weeks (Mon 3 – Sun 16 June 2024), area a ("Alfa") has 60 min of presence in W23
(Mon 3 June 18:00–19:00, 4 encounters at 18:30) and 120 min in W24 (Mon 10 June 18:00–20:00,
12 encounters at 18:30, 4 of them acute help): by weekday × hour Monday 18 has 120 min and 16
encounters, Monday 19 60 min and none. Its last visit is service day 10 June.

Cells at resolution 10 (each area's patrols stand at its centre, so one cell per area):
a 3 h / 16 encounters = 11.25 min per encounter, b 2 h / 13 = 9.23, c 0.5 h (too little
presence), d 2 h 2 min / 0 (too few encounters). The 25 % quantile of a and b's minutes per
encounter is 9.23 + 0.25 × 2.02 = 9.74, so b's cell is under-covered and a's is not.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo.queries import Filters
from geo.queries import columns as C
from geo.queries.area_profile import area_categories, area_cells, area_last_visit, area_periods, area_time_of_week
from geo.queries.rates import RateStatus
from tests.test_queries_attention import two_week_store

D = dt.date
BOTH = Filters(first_day=D(2024, 6, 3), last_day=D(2024, 6, 16))


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = two_week_store(tmp_path_factory.mktemp("area_profile"))
    yield s
    s.close()


def test_periods_show_the_areas_presence_visits_encounters_and_rate_per_week(store):
    got = area_periods(store, BOTH, "a", period="week")
    assert got[C.PERIOD].tolist() == ["2024-W23", "2024-W24"]
    assert got[C.AREA_NAME].tolist() == ["Alfa", "Alfa"]
    assert got[C.PRESENCE_MINUTES].tolist() == pytest.approx([60.0, 120.0])
    assert got[C.VISITS].tolist() == [1, 1]
    assert got[C.ENCOUNTERS].tolist() == [4, 12]
    assert got[C.ENCOUNTERS_PER_PRESENCE_HOUR].tolist() == pytest.approx([4.0, 6.0])
    assert got[C.PARTIAL].tolist() == [False, False]


def test_periods_list_empty_weeks_and_mark_partial_ones(store):
    got = area_periods(store, Filters(first_day=D(2024, 6, 3), last_day=D(2024, 6, 19)), "c", period="week")
    assert got[C.PERIOD].tolist() == ["2024-W23", "2024-W24", "2024-W25"]
    assert got[C.PRESENCE_MINUTES].tolist() == pytest.approx([0.0, 30.0, 0.0])
    assert got[C.ENCOUNTERS_PER_PRESENCE_HOUR].isna().all()  # never an hour of presence
    assert got[C.PARTIAL].tolist() == [False, False, True]


def test_time_of_week_counts_only_presence_and_encounters_in_the_area(store):
    got = area_time_of_week(store, BOTH, "a").set_index([C.WEEKDAY, C.HOUR])
    assert len(got) == 168 and set(got[C.AREA_ID]) == {"a"}
    assert got[C.PRESENCE_MINUTES].sum() == pytest.approx(180.0)
    assert got.loc[(0, 18), C.PRESENCE_MINUTES] == pytest.approx(120.0)
    assert got.loc[(0, 19), C.PRESENCE_MINUTES] == pytest.approx(60.0)
    assert got[C.ENCOUNTERS].sum() == 16 and got.loc[(0, 18), C.ENCOUNTERS] == 16
    assert got.loc[(0, 18), C.DIFFERENCE] == pytest.approx(1 - 2 / 3)
    assert got.loc[(0, 19), C.DIFFERENCE] == pytest.approx(-1 / 3)


def test_categories_are_every_category_with_the_areas_counts_and_shares(store):
    got = area_categories(store, BOTH, "a").set_index(C.CATEGORY)
    assert len(got) == 9 and got.index[0] == "conversation"
    assert got.loc["conversation", C.ENCOUNTERS] == 12 and got.loc["acute_help", C.ENCOUNTERS] == 4
    assert got.loc["conversation", "share"] == pytest.approx(0.75)
    assert got[C.ENCOUNTERS].sum() == 16
    empty = area_categories(store, BOTH, "d")
    assert empty[C.ENCOUNTERS].sum() == 0 and empty["share"].isna().all()


def test_last_visit_looks_back_from_the_periods_last_day(store):
    got = area_last_visit(store, Filters(first_day=D(2024, 6, 15), last_day=D(2024, 6, 16)), "a").iloc[0]
    assert got[C.LAST_VISIT_DAY] == D(2024, 6, 10) and got[C.DAYS_SINCE_VISIT] == 6
    before = area_last_visit(store, Filters(last_day=D(2024, 6, 9)), "a").iloc[0]
    assert before[C.LAST_VISIT_DAY] == D(2024, 6, 3) and before[C.DAYS_SINCE_VISIT] == 6


def test_last_visit_counts_only_the_selected_teams_patrols(store):
    got = area_last_visit(store, Filters(last_day=D(2024, 6, 16), teams=("uteseksjonen",)), "c").iloc[0]
    assert got[C.LAST_VISIT_DAY] is None and pd.isna(got[C.DAYS_SINCE_VISIT])


def test_cells_are_those_of_the_area_with_the_selections_flag_rule(store):
    b = area_cells(store, BOTH, "b")
    assert len(b) == 1 and b["under_covered"].tolist() == [True]
    assert b[C.ENCOUNTERS].tolist() == [13.0] and b[C.PRESENCE_HOURS].tolist() == pytest.approx([2.0])
    a = area_cells(store, BOTH, "a")
    assert len(a) == 1 and a["status"].tolist() == [RateStatus.NOT_FLAGGED.value]
    assert a[C.KEY].iloc[0] != b[C.KEY].iloc[0]
    assert area_cells(store, BOTH, "c")["status"].tolist() == [RateStatus.TOO_LITTLE_PRESENCE.value]


@pytest.mark.parametrize(("call", "message"), [
    (lambda s: area_periods(s, BOTH, "zz", period="week"),
     r"area_id 'zz' is not a stored field area; use an id from the area list"),
    (lambda s: area_cells(s, BOTH, None), r"area_id must be the id of a stored field area \(text\); got None"),
    (lambda s: area_periods(s, BOTH, "a", period="fortnight"),
     r"period must be one of week, month, tertial, quarter, year; got 'fortnight'"),
])
def test_bad_arguments_are_refused_with_a_clear_message(store, call, message):
    with pytest.raises(ValueError, match=message):
        call(store)
