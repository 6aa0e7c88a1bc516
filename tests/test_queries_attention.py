"""Tests of geo.queries.attention: the first screen's lists, by hand on a tiny two-week store.

Two ISO weeks of June 2024 (local time +02:00): the comparison week W23 (Mon 3 – Sun 9 June) and
the chosen week W24 (Mon 10 – Sun 16 June). Areas are 100 m squares, patrols stand still at an
area's centre with a fix every minute (n fixes: n − 1 minutes of presence, one visit):

| area | team | W23 presence / encounters | W24 presence / encounters |
|---|---|---|---|
| a | uteseksjonen | Mon 18:00, 60 min / 4 (Mon 18:30) | Mon 18:00, 120 min / 12 (Mon 18:30; 4 acute help) |
| b | uteseksjonen | Tue 18:00, 60 min / 10 (Tue 18:30) | Tue 18:00, 60 min / 3 (Tue 18:30) |
| c | vestre-aker | – | Wed 18:00, 30 min (vestre-aker's patrol) / 0 |
| d | uteseksjonen | Thu 18:00, 60 min / 0 | Thu 18:00, 62 min / 0 |

Changes W23 → W24 (per cent of W23; a base needs 1 presence hour or 5 encounters in W23):
- a: rate 4 → 6 per presence hour (+50 %), presence 60 → 120 min (+100 %), encounters 4 → 12 (+200 %,
  but of a base under 5 encounters): listed by presence, +100 %;
- b: rate 10 → 3 (−70 %), presence the same, encounters 10 → 3 (−70 %): listed by the rate (ties go
  to need against effort);
- c: nothing in W23 (no per cent from zero); d: presence +3.3 % is "about the same level", no
  encounters: neither listed.

W24 by weekday × hour, presence 272 min (Mon 18 and 19: 60 each; Tue 18: 60; Wed 18: 30; Thu 18: 60
and Thu 19: 2), encounters 15 (Mon 18: 12; Tue 18: 3). Differences (encounter share − presence
share): Mon 18 0.8 − 60/272 = +0.5794; Mon 19 and Thu 18 −60/272 = −0.2206 each (a tie: weekday
order); Wed 18 −30/272 = −0.1103; Tue 18 0.2 − 60/272 = −0.0206; Thu 19 −2/272.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo.queries import Filters
from geo.queries import columns as C
from geo.queries.attention import DEFAULT_UNVISITED_DAYS, largest_changes, mismatched_hours
from geo.queries.periods import SAME_LEVEL_PCT
from geo.schema import CATEGORY
from tests.builders import BASE, area, area_versions, encounters, make_store, oslo, patrols, square, standing

X, Y = BASE
D = dt.date
W23 = Filters(first_day=D(2024, 6, 3), last_day=D(2024, 6, 9))
W24 = Filters(first_day=D(2024, 6, 10), last_day=D(2024, 6, 16))
OFFSET = {"a": 0, "b": 1000, "c": 2000, "d": 3000}
"""Each area's lower-left corner: this many metres east of the base point."""


def centre(area_id: str) -> tuple[float, float]:
    return X + OFFSET[area_id] + 50, Y + 50


def two_week_store(tmp_path):
    """The store of the module docstring (used by tests/test_queries_area_profile.py too)."""
    areas = area_versions([
        area("a", square(X, Y, 100), name="Alfa"),
        area("b", square(X + 1000, Y, 100), name="Bravo"),
        area("c", square(X + 2000, Y, 100), name="Charlie", team="vestre-aker"),
        area("d", square(X + 3000, Y, 100), name="Delta"),
    ])
    stands = [  # patrol id, area, local start, fixes, team
        ("p1", "a", "2024-06-03 18:00", 61, "uteseksjonen"),
        ("p2", "b", "2024-06-04 18:00", 61, "uteseksjonen"),
        ("p3", "d", "2024-06-06 18:00", 61, "uteseksjonen"),
        ("p4", "a", "2024-06-10 18:00", 121, "uteseksjonen"),
        ("p5", "b", "2024-06-11 18:00", 61, "uteseksjonen"),
        ("p6", "c", "2024-06-12 18:00", 31, "vestre-aker"),
        ("p7", "d", "2024-06-13 18:00", 63, "uteseksjonen"),
    ]
    rows = patrols(*[(pid, oslo(start), oslo(start) + pd.Timedelta(hours=3), 2, team)
                     for pid, _, start, _, team in stands])
    points = pd.concat([standing(pid, oslo(start), centre(where), n=n, interval_s=60)
                        for pid, where, start, n, _ in stands], ignore_index=True)
    met = [("a", "p1", "2024-06-03 18:30", 4), ("b", "p2", "2024-06-04 18:30", 10),
           ("a", "p4", "2024-06-10 18:30", 12), ("b", "p5", "2024-06-11 18:30", 3)]
    enc = encounters(*[(f"{pid}-{i}", oslo(time), *centre(where), pid)
                       for where, pid, time, count in met for i in range(count)])
    enc.loc[enc["encounter_id"].isin([f"p4-{i}" for i in range(4)]), CATEGORY] = "acute_help"
    return make_store(tmp_path, areas=areas, patrol_rows=rows, points=points, encounter_rows=enc)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = two_week_store(tmp_path_factory.mktemp("attention"))
    yield s
    s.close()


def test_largest_changes_rank_areas_by_their_largest_change_in_per_cent(store):
    got = largest_changes(store, W24, W23)
    assert got[C.AREA_ID].tolist() == ["a", "b"]
    assert got[C.MEASURE].tolist() == [C.PRESENCE_MINUTES, C.ENCOUNTERS_PER_PRESENCE_HOUR]
    assert got[C.AREA_NAME].tolist() == ["Alfa", "Bravo"]
    assert got[C.CURRENT].tolist() == pytest.approx([120.0, 3.0])
    assert got[C.PREVIOUS].tolist() == pytest.approx([60.0, 10.0])
    assert got[C.CHANGE].tolist() == pytest.approx([60.0, -7.0])
    assert got[C.CHANGE_PCT].tolist() == pytest.approx([100.0, -70.0])


def test_a_per_cent_of_a_small_base_is_not_a_change(store):
    """a's 4 → 12 encounters (+200 %) is the largest per cent, but 4 is under the base of 5."""
    assert largest_changes(store, W24, W23, min_encounters=4)[C.MEASURE].tolist() == [C.ENCOUNTERS,
                                                                                      C.ENCOUNTERS_PER_PRESENCE_HOUR]


def test_largest_changes_leave_out_the_same_level_and_changes_from_nothing(store):
    """d's presence rose 3.3 % (under SAME_LEVEL_PCT); c had nothing in the comparison week."""
    assert SAME_LEVEL_PCT == 5.0
    got = largest_changes(store, W24, W23, n=10)
    assert set(got[C.AREA_ID]) == {"a", "b"}


def test_largest_changes_compare_rates_only_with_enough_presence_in_both_periods(store):
    """With a 1.5 h minimum, W23's single hours give no rate and no presence base: only b's encounters
    (10 → 3) remain."""
    got = largest_changes(store, W24, W23, min_presence_hours=1.5)
    assert got[C.AREA_ID].tolist() == ["b"] and got[C.MEASURE].tolist() == [C.ENCOUNTERS]
    assert got[C.CHANGE_PCT].tolist() == pytest.approx([-70.0])


def test_largest_changes_keep_n_and_follow_the_team_scope(store):
    assert largest_changes(store, W24, W23, n=1)[C.AREA_ID].tolist() == ["a"]
    district = largest_changes(store, Filters(first_day=W24.first_day, last_day=W24.last_day, teams=("vestre-aker",)),
                               Filters(first_day=W23.first_day, last_day=W23.last_day, teams=("vestre-aker",)))
    assert district.empty and list(district.columns) == [C.AREA_ID, C.AREA_NAME, C.MEASURE, C.CURRENT, C.PREVIOUS,
                                                         C.CHANGE, C.CHANGE_PCT]


def test_mismatched_hours_are_the_slots_with_the_largest_share_difference(store):
    got = mismatched_hours(store, W24)
    assert list(zip(got[C.WEEKDAY], got[C.HOUR])) == [(0, 18), (0, 19), (3, 18)]
    assert got[C.DIFFERENCE].tolist() == pytest.approx([0.8 - 60 / 272, -60 / 272, -60 / 272])
    assert got[C.ENCOUNTER_SHARE].tolist() == pytest.approx([0.8, 0.0, 0.0])
    assert got[C.PRESENCE_MINUTES].tolist() == pytest.approx([60.0, 60.0, 60.0])
    assert mismatched_hours(store, W24, n=5)[C.HOUR].tolist()[3:] == [18, 18]  # Wed 18, then Tue 18


def test_mismatched_hours_of_an_empty_selection_are_none(store):
    assert mismatched_hours(store, Filters(first_day=D(2024, 7, 1), last_day=D(2024, 7, 7))).empty


@pytest.mark.parametrize(("function", "kwargs", "message"), [
    (largest_changes, {"n": 0}, r"n must be a whole number of areas, at least 1; got 0"),
    (largest_changes, {"min_presence_hours": 0}, r"min_presence_hours must be a positive number of patrol-hours"),
    (mismatched_hours, {"n": True}, r"n must be a whole number of hours, at least 1; got True"),
])
def test_bad_options_are_refused_with_a_clear_message(store, function, kwargs, message):
    args = (W24, W23) if function is largest_changes else (W24,)
    with pytest.raises(ValueError, match=message):
        function(store, *args, **kwargs)


def test_the_unvisited_default_is_two_weeks():
    assert DEFAULT_UNVISITED_DAYS == 14
