"""The cell rollups (geo.store.rollups, geo.queries.rollups) equal the detail tables.

Coverage per cell read from the day and month rollups must be the coverage
read from ``presence_cell``/``visits_cell``: the same cells, visit counts and
last visit days exactly, sums to floating-point rounding; and the stores must
keep the rollups in step with every write (new patrols, replaced presence, a
patrol's team or staff changed, a copy into another store, a store written
before the rollups existed).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from geo.engine import refresh
from geo.queries import Filters, places, presence_by_cell
from geo.queries import rollups as rollup_reads
from geo.schema import (
    CELL,
    LONG_VISIT_S,
    PATROL_ID,
    SECONDS,
    STAFF,
    T_PRESENCE_CELL,
    T_PRESENCE_CELL_DAY,
    T_PRESENCE_CELL_MONTH,
    T_VISITS_CELL_DAY,
    T_VISITS_CELL_MONTH,
    TEAM,
)
from geo.store import open_store, rollups
from geo.store.transfer import copy_store
from tests.builders import BASE, make_store, oslo, patrols, straight_walk
from tests.test_store_postgis import cluster, pg_url  # noqa: F401 - fixtures of the postgis test

X, Y = BASE
D = dt.date
TEAMS = ("uteseksjonen", "bydel-a")
WALK_DAYS = ("2024-01-30", "2024-02-01", "2024-02-14", "2024-02-29", "2024-03-01", "2024-03-31", "2024-04-02")


def walks() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Patrols on days around month ends, two teams, staff 2 or 3; each walks 300 m east at 1 m/s
    (through about a dozen res-10 cells) in the evening, the second one of a day 100 m further north."""
    rows, points = [], []
    for number, day in enumerate(WALK_DAYS):
        for k in range(2):
            pid = f"p{number}{k}"
            start = oslo(f"{day} {19 + k}:00")
            rows.append((pid, start, start + pd.Timedelta(hours=1), 2 + (number + k) % 2, TEAMS[(number + k) % 2]))
            points.append(straight_walk(pid, start, frm=(X - 150, Y + 100 * k), to=(X + 150, Y + 100 * k),
                                        step_m=3, interval_s=3))
    return patrols(*rows), pd.concat(points, ignore_index=True)


@pytest.fixture
def store(tmp_path):
    patrol_rows, points = walks()
    return make_store(tmp_path, patrol_rows=patrol_rows, points=points, resolutions=(9, 10))


def from_detail(store, filters: Filters, res: int = 10) -> pd.DataFrame:
    original = rollup_reads.usable
    try:
        rollup_reads.usable = lambda s, f: False
        return presence_by_cell(store, filters, res=res)
    finally:
        rollup_reads.usable = original


def assert_same(store, filters: Filters, res: int = 10) -> None:
    assert rollup_reads.usable(store, filters)
    got, want = presence_by_cell(store, filters, res=res), from_detail(store, filters, res)
    assert len(want) > 0 or filters.first_day == filters.last_day
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=1e-9)


PERIODS = [
    (None, None), (D(2024, 1, 1), D(2024, 12, 31)), (D(2024, 2, 1), D(2024, 2, 29)),  # whole months
    (D(2024, 1, 30), D(2024, 3, 1)), (D(2024, 2, 14), D(2024, 2, 14)),  # partial months, one day
    (None, D(2024, 2, 29)), (D(2024, 2, 2), None), (D(2024, 3, 1), D(2024, 4, 1)),
]


@pytest.mark.parametrize("first,last", PERIODS)
def test_coverage_from_the_rollups_equals_coverage_from_the_detail(store, first, last):
    assert_same(store, Filters(first_day=first, last_day=last))
    assert_same(store, Filters(first_day=first, last_day=last), res=9)


def test_team_kind_and_shift_filters_select_rollup_rows_as_they_select_patrols(store):
    assert_same(store, Filters(first_day=D(2024, 1, 15), last_day=D(2024, 3, 20), teams=("bydel-a",)))
    assert_same(store, Filters(teams=("uteseksjonen",), kinds=("regular",), shifts=("evening",)))
    empty = presence_by_cell(store, Filters(teams=("nobody",)))
    assert empty.empty and from_detail(store, Filters(teams=("nobody",))).empty


def test_weekday_and_hour_filters_read_the_detail(store, monkeypatch):
    filters = Filters(weekdays=(1,), hour_from=18, hour_to=24)
    assert not rollup_reads.usable(store, filters)
    monkeypatch.setattr(rollup_reads, "cell_presence_and_visits", lambda *a, **k: pytest.fail("rollups read"))
    assert len(presence_by_cell(store, filters)) > 0


def test_rollup_rows_are_the_detail_grouped_by_day_and_month(store):
    detail = store.query(
        "SELECT p.service_day AS day, p.team AS team, d.res AS res, d.cell AS cell, d.seconds AS s, p.staff AS staff "
        "FROM patrols p JOIN presence_cell d ON d.patrol_fid = p.fid")
    detail["ps"] = detail["s"] * detail["staff"]
    by_day = detail.groupby(["res", "day", "team", "cell"], as_index=False)[["s", "ps"]].sum()
    day = store.query(f"SELECT res, service_day AS day, team, cell, seconds AS s, person_seconds AS ps "
                      f"FROM {T_PRESENCE_CELL_DAY}").sort_values(["res", "day", "team", "cell"], ignore_index=True)
    pd.testing.assert_frame_equal(day, by_day, check_exact=False, rtol=1e-12, check_dtype=False)
    by_day["month"] = by_day["day"].str[:7] + "-01"
    by_month = by_day.groupby(["res", "month", "team", "cell"], as_index=False)[["s", "ps"]].sum()
    month = store.query(f"SELECT res, month, team, cell, seconds AS s, person_seconds AS ps "
                        f"FROM {T_PRESENCE_CELL_MONTH}").sort_values(["res", "month", "team", "cell"], ignore_index=True)
    pd.testing.assert_frame_equal(month, by_month, check_exact=False, rtol=1e-12, check_dtype=False)
    visits = store.query("SELECT d.res AS res, p.service_day AS day, d.cell AS cell, d.end_s - d.start_s AS length "
                         "FROM patrols p JOIN visits_cell d ON d.patrol_fid = p.fid")
    long_visits = int((visits["length"] >= LONG_VISIT_S).sum())
    totals = store.query(f"SELECT SUM(visits) AS n, SUM(long_visits) AS long FROM {T_VISITS_CELL_DAY}").iloc[0]
    assert (int(totals["n"]), int(totals["long"])) == (len(visits), long_visits)
    months = store.query(f"SELECT SUM(visits) AS n, MAX(last_service_day) AS last FROM {T_VISITS_CELL_MONTH}").iloc[0]
    assert int(months["n"]) == len(visits) and months["last"] == "2024-04-02"


def test_rollups_follow_new_patrols_replaced_presence_and_changed_patrols(store):
    more = patrols(("late", oslo("2024-02-29 22:00"), oslo("2024-03-01 01:00"), 4, "bydel-a"))
    walk = straight_walk("late", oslo("2024-02-29 22:00"), frm=(X - 150, Y), to=(X + 150, Y), step_m=3, interval_s=3)
    with store.transaction():
        store.add_patrols(more)
        refresh.add_track_points(store, walk)
    assert_same(store, Filters(first_day=D(2024, 2, 1), last_day=D(2024, 2, 29)))
    changed = walks()[0].iloc[[3]].assign(**{TEAM: "uteseksjonen", STAFF: 5})  # p11 (2024-02-01): team, staff
    with store.transaction():
        store.add_patrols(changed)
    assert_same(store, Filters(teams=("uteseksjonen",)))
    assert_same(store, Filters(first_day=D(2024, 2, 1), last_day=D(2024, 2, 1)))
    with store.transaction():  # a patrol's presence recomputed as nothing
        store.replace_derived(T_PRESENCE_CELL, pd.DataFrame(), patrol_ids=["p00"])
    assert_same(store, Filters(first_day=D(2024, 1, 1), last_day=D(2024, 1, 31)))


def test_a_store_written_before_the_rollups_builds_them_on_its_next_write(store):
    with store.transaction():
        for table in rollups.ROLLUP_TABLES:
            store._conn.execute(f"DELETE FROM {table}")
        store._conn.execute("DELETE FROM store_facts WHERE name = 'rollups'")
    assert not store.rollups_complete()
    filters = Filters(first_day=D(2024, 1, 1), last_day=D(2024, 12, 31))
    assert not rollup_reads.usable(store, filters)
    before = presence_by_cell(store, filters)  # from the detail
    changed = walks()[0].iloc[[0]].assign(**{STAFF: 4})
    with store.transaction():
        store.add_patrols(changed)  # any write to the rollups' inputs builds them all
    assert store.rollups_complete()
    assert_same(store, filters)
    person = presence_by_cell(store, filters)["person_minutes"].sum() - before["person_minutes"].sum()
    seconds_p00 = store.derived(T_PRESENCE_CELL, patrol_ids=["p00"]).query("res == 10")[SECONDS].sum()
    assert person == pytest.approx(seconds_p00 * (4 - 2) / 60.0)  # p00 went from 2 to 4 staff


def test_a_copied_store_has_complete_rollups(store, tmp_path):
    target = open_store(tmp_path / "copy.gpkg")
    copy_store(store, target)
    assert target.rollups_complete()
    got = presence_by_cell(target, Filters(first_day=D(2024, 2, 1), last_day=D(2024, 3, 31)))
    want = from_detail(store, Filters(first_day=D(2024, 2, 1), last_day=D(2024, 3, 31)))
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("first,last,months,days", [
    (D(2024, 1, 1), D(2024, 12, 31), [(D(2024, 1, 1), D(2024, 12, 1))], []),
    (D(2024, 12, 4), D(2024, 12, 31), [], [(D(2024, 12, 4), D(2024, 12, 31))]),
    (D(2024, 1, 15), D(2024, 3, 10), [(D(2024, 2, 1), D(2024, 2, 1))],
     [(D(2024, 1, 15), D(2024, 1, 31)), (D(2024, 3, 1), D(2024, 3, 10))]),
    (None, D(2024, 3, 10), [(None, D(2024, 2, 1))], [(D(2024, 3, 1), D(2024, 3, 10))]),
    (D(2023, 12, 2), None, [(D(2024, 1, 1), None)], [(D(2023, 12, 2), D(2023, 12, 31))]),
    (None, None, [(None, None)], []),
    (D(2024, 2, 1), D(2024, 2, 1), [], [(D(2024, 2, 1), D(2024, 2, 1))]),
    (D(2023, 11, 30), D(2024, 1, 1), [(D(2023, 12, 1), D(2023, 12, 1))],
     [(D(2023, 11, 30), D(2023, 11, 30)), (D(2024, 1, 1), D(2024, 1, 1))]),
])
def test_split_period_into_whole_months_and_days(first, last, months, days):
    assert rollup_reads.split_period(first, last) == (months, days)


def test_the_long_visit_threshold_is_the_dose_band_edge():
    from geo.engine.visits import DOSE_EDGES_S
    from geo.queries.aggregate_reads import LONG_VISIT_S as QUERIES_LONG

    assert LONG_VISIT_S == DOSE_EDGES_S[1] == QUERIES_LONG


def test_places_reads_the_rollups_when_it_can(store, monkeypatch):
    calls = []
    original = rollup_reads.cell_presence_and_visits
    monkeypatch.setattr(places.rollups, "cell_presence_and_visits",
                        lambda *a, **k: calls.append(1) or original(*a, **k))
    presence_by_cell(store, Filters(first_day=D(2024, 1, 1), last_day=D(2024, 12, 31)))
    assert calls == [1]
    assert np.isclose(presence_by_cell(store, Filters())["presence_minutes"].sum(),
                      from_detail(store, Filters())["presence_minutes"].sum(), rtol=1e-12)
    assert PATROL_ID not in presence_by_cell(store, Filters()).columns and CELL in presence_by_cell(store, Filters())


@pytest.mark.postgis
def test_postgis_keeps_the_same_rollups(pg_url, store):
    from tests.test_store_postgis import fill

    pg = open_store(pg_url)
    try:
        patrol_rows, points = walks()
        fill(pg, patrol_rows=patrol_rows, pts=points, resolutions=(9, 10))
        assert pg.rollups_complete()
        for first, last in PERIODS:
            assert_same(pg, Filters(first_day=first, last_day=last))
        gpkg_rows = store.query(f"SELECT res, month, team, cell, seconds FROM {T_PRESENCE_CELL_MONTH}")
        pg_rows = pg.query(f"SELECT res, month, team, cell, seconds FROM {T_PRESENCE_CELL_MONTH}")
        keys = ["res", "month", "team", "cell"]
        pd.testing.assert_frame_equal(pg_rows.sort_values(keys, ignore_index=True),
                                      gpkg_rows.sort_values(keys, ignore_index=True),
                                      check_exact=False, rtol=1e-12, check_dtype=False)
        changed = walks()[0].iloc[[3]].assign(**{TEAM: "uteseksjonen", STAFF: 5})
        with pg.transaction():
            pg.add_patrols(changed)
        assert_same(pg, Filters(teams=("uteseksjonen",)))
    finally:
        pg.close()

