"""Tests of geo.queries.difference: two periods per H3 cell, hand-computed on tiny tables and a tiny store.

Tiny store (June 2024; data from Fri 7 to Fri 14 June, the patrols' service days).
Three places 500 m apart, each in its own res-10 cell:

- P1: patrol ``a1`` stands there Fri 7 June 12:00, 11 fixes a minute apart (10 min);
  encounter ``e1`` there at 12:05. Period A only.
- P2: patrol ``b2`` stands there Fri 14 June 12:00 (10 min); encounter ``e2``. Period B only.
- P3: patrols ``a3`` (7 June 14:00) and ``b3`` (14 June 14:00) each stand there 6 fixes a
  minute apart (5 min); two encounters in each period. Both periods, no change.
"""

from __future__ import annotations

import datetime as dt

import h3
import pandas as pd
import pytest

from geo.queries.difference import CHANGE, ENCOUNTER, PRESENCE, VALUE_A, VALUE_B, cell_difference, compare_cells
from geo.queries.filters import Filters
from tests.builders import BASE, area, area_versions, encounters, lonlat, make_store, oslo, patrols, square, standing

X, Y = BASE
P1, P2, P3 = (X + 20, Y + 20), (X + 520, Y + 20), (X + 20, Y + 520)
D = dt.date


def cell_of(point, res=10) -> str:
    lon, lat = lonlat([point[0]], [point[1]])
    return h3.latlng_to_cell(float(lat[0]), float(lon[0]), res)


C1, C2, C3 = (cell_of(p) for p in (P1, P2, P3))


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("difference")
    areas = area_versions([area("sq", square(X, Y, 600), name="Oslo S")])
    rows = patrols(
        ("a1", oslo("2024-06-07 12:00"), oslo("2024-06-07 13:00"), 2),
        ("a3", oslo("2024-06-07 14:00"), oslo("2024-06-07 15:00"), 2),
        ("b2", oslo("2024-06-14 12:00"), oslo("2024-06-14 13:00"), 2),
        ("b3", oslo("2024-06-14 14:00"), oslo("2024-06-14 15:00"), 2),
    )
    points = pd.concat([
        standing("a1", oslo("2024-06-07 12:00"), P1, n=11, interval_s=60),
        standing("a3", oslo("2024-06-07 14:00"), P3, n=6, interval_s=60),
        standing("b2", oslo("2024-06-14 12:00"), P2, n=11, interval_s=60),
        standing("b3", oslo("2024-06-14 14:00"), P3, n=6, interval_s=60),
    ], ignore_index=True)
    enc = encounters(
        ("e1", oslo("2024-06-07 12:05"), *P1, "a1"),
        ("e3a", oslo("2024-06-07 14:01"), *P3, "a3"),
        ("e3b", oslo("2024-06-07 14:02"), *P3, "a3"),
        ("e2", oslo("2024-06-14 12:05"), *P2, "b2"),
        ("e3c", oslo("2024-06-14 14:01"), *P3, "b3"),
        ("e3d", oslo("2024-06-14 14:02"), *P3, "b3"),
    )
    s = make_store(tmp, areas=areas, patrol_rows=rows, points=points, encounter_rows=enc)
    yield s
    s.close()


def rows(comparison) -> dict[str, tuple[float, float, float]]:
    frame = comparison.cells.set_index("cell")
    return {c: tuple(round(float(v), 6) for v in frame.loc[c, [VALUE_A, VALUE_B, CHANGE]]) for c in frame.index}


# --- cell_difference on tiny tables ---------------------------------------------------------------------------


def test_cells_only_in_a_only_in_b_in_both_and_unchanged():
    a = pd.DataFrame({"cell": ["c1", "c3", "c4"], "n": [4.0, 2.0, 3.0]})
    b = pd.DataFrame({"cell": ["c2", "c3", "c4"], "n": [5.0, 2.0, 7.0]})
    result = cell_difference(a, b, value="n", days_a=7, days_b=7)
    assert not result.per_day
    assert rows(result) == {"c1": (4, 0, -4), "c2": (0, 5, 5), "c3": (2, 2, 0), "c4": (3, 7, 4)}
    assert result.cells["cell"].tolist() == ["c1", "c2", "c3", "c4"]


def test_periods_of_different_covered_length_are_compared_per_covered_day():
    a = pd.DataFrame({"cell": ["c1", "c2"], "n": [14.0, 7.0]})
    b = pd.DataFrame({"cell": ["c2"], "n": [4.0]})
    result = cell_difference(a, b, value="n", days_a=7, days_b=2)
    assert result.per_day
    assert rows(result) == {"c1": (2, 0, -2), "c2": (1, 2, 1)}


def test_a_period_without_data_counts_zero_and_cells_zero_in_both_are_left_out():
    a = pd.DataFrame({"cell": ["c1"], "n": [3.0]})
    b = pd.DataFrame({"cell": ["c1", "c2"], "n": [6.0, 0.0]})
    result = cell_difference(a, b, value="n", days_a=0, days_b=3)
    assert rows(result) == {"c1": (0, 2, 2)}


def test_cell_difference_refuses_tables_without_the_columns_and_negative_days():
    a = pd.DataFrame({"cell": ["c1"], "n": [3.0]})
    with pytest.raises(ValueError, match=r"table b lacks column\(s\) n; it needs 'cell' and 'n'"):
        cell_difference(a, pd.DataFrame({"cell": ["c1"]}), value="n", days_a=1, days_b=1)
    with pytest.raises(ValueError, match=r"covered days must be 0 or more; got days_a=-1, days_b=1"):
        cell_difference(a, a, value="n", days_a=-1, days_b=1)


# --- compare_cells on the tiny store -------------------------------------------------------------------------


def test_presence_minutes_of_two_single_days(store):
    result = compare_cells(store, Filters(first_day=D(2024, 6, 14), last_day=D(2024, 6, 14)),
                           Filters(first_day=D(2024, 6, 7), last_day=D(2024, 6, 7)), measure=PRESENCE, res=10)
    assert (result.days_a, result.days_b, result.per_day) == (1, 1, False)
    assert rows(result) == {C1: (10, 0, -10), C2: (0, 10, 10), C3: (5, 5, 0)}


def test_encounters_of_two_single_days(store):
    result = compare_cells(store, Filters(first_day=D(2024, 6, 14), last_day=D(2024, 6, 14)),
                           Filters(first_day=D(2024, 6, 7), last_day=D(2024, 6, 7)), measure=ENCOUNTER, res=10)
    assert rows(result) == {C1: (1, 0, -1), C2: (0, 1, 1), C3: (2, 2, 0)}


def test_weeks_partly_outside_the_data_are_compared_per_covered_day(store):
    # A: Mon 3 – Sun 9 June, data from Fri 7: 3 covered days; B: Mon 10 – Sun 16 June, data to Fri 14: 5 days
    result = compare_cells(store, Filters(first_day=D(2024, 6, 10), last_day=D(2024, 6, 16)),
                           Filters(first_day=D(2024, 6, 3), last_day=D(2024, 6, 9)), measure=PRESENCE, res=10)
    assert (result.days_a, result.days_b, result.per_day) == (3, 5, True)
    assert rows(result) == {C1: (round(10 / 3, 6), 0, round(-10 / 3, 6)), C2: (0, 2, 2),
                            C3: (round(5 / 3, 6), 1, round(1 - 5 / 3, 6))}


def test_compare_cells_refuses_an_unknown_measure_and_open_periods(store):
    day = Filters(first_day=D(2024, 6, 7), last_day=D(2024, 6, 7))
    with pytest.raises(ValueError, match=r"measure must be one of presence, encounters; got 'visits'"):
        compare_cells(store, day, day, measure="visits")
    with pytest.raises(ValueError, match=r"the comparison filters need a first_day and a last_day"):
        compare_cells(store, day, Filters(), measure=PRESENCE)
