"""Area history: versions timeline and area gained/lost between two dates, checked on hand-made squares.

Shapes are designed in EPSG:25832 metres (tests/builders.py), so every figure
below is simple arithmetic on rectangles.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo.changes.history import (
    AREA_A_M2,
    AREA_B_M2,
    AREA_M2,
    GAINED,
    GAINED_M2,
    GAINED_PCT,
    LOST,
    LOST_M2,
    LOST_PCT,
    VERSION_A,
    VERSION_B,
    area_change_log,
    area_timeline,
    areas_valid_on,
    compare_areas,
)
from geo.schema import AREA_ID, AREA_VERSION, MEASURE_CRS, VALID_TO
from tests.builders import BASE, area, area_versions, make_store

X, Y = BASE
D = dt.date
BEFORE, AFTER = D(2023, 3, 1), D(2024, 3, 1)


def _history() -> pd.DataFrame:
    return area_versions([
        # a: moves 20 m east on 2024-01-01 → gains a 20×100 strip, loses one
        area("a", box(X, Y, X + 100, Y + 100), valid_from=D(2023, 1, 1), valid_to=D(2024, 1, 1)),
        area("a", box(X + 20, Y, X + 120, Y + 100), version=2, valid_from=D(2024, 1, 1)),
        # b: grows 50 m north → gains 100×50, loses nothing
        area("b", box(X + 500, Y, X + 600, Y + 100), valid_from=D(2023, 1, 1), valid_to=D(2024, 1, 1)),
        area("b", box(X + 500, Y, X + 600, Y + 150), version=2, valid_from=D(2024, 1, 1)),
        # c: new in 2024, 40×50
        area("c", box(X + 1000, Y, X + 1040, Y + 50), valid_from=D(2024, 1, 1)),
        # d: only in the first half of 2023, 30×30
        area("d", box(X - 500, Y, X - 470, Y + 30), valid_from=D(2023, 1, 1), valid_to=D(2023, 6, 1)),
    ])


def test_area_gained_and_lost_on_rectangles_by_hand():
    got = compare_areas(_history(), BEFORE, AFTER).set_index(AREA_ID)
    expected = pd.DataFrame(
        {
            AREA_A_M2: [10_000.0, 10_000.0, 0.0, 900.0],
            AREA_B_M2: [10_000.0, 15_000.0, 2_000.0, 0.0],
            GAINED_M2: [2_000.0, 5_000.0, 2_000.0, 0.0],
            LOST_M2: [2_000.0, 0.0, 0.0, 900.0],
            GAINED_PCT: [20.0, 50.0, np.nan, 0.0],
            LOST_PCT: [20.0, 0.0, np.nan, 100.0],
        },
        index=pd.Index(["a", "b", "c", "d"], name=AREA_ID),
    )
    pd.testing.assert_frame_equal(pd.DataFrame(got[list(expected.columns)]), expected, rtol=1e-6)
    assert got[VERSION_A].fillna(0).tolist() == [1, 1, 0, 1]
    assert got[VERSION_B].fillna(0).tolist() == [2, 2, 1, 0]


def test_gained_and_lost_shapes_are_the_strips_in_wgs84():
    got = compare_areas(_history(), BEFORE, AFTER).set_index(AREA_ID)
    assert got[GAINED].crs == "EPSG:4326"
    gained_a = got[GAINED].to_crs(MEASURE_CRS)["a"]
    lost_a = got[LOST].to_crs(MEASURE_CRS)["a"]
    assert gained_a.symmetric_difference(box(X + 100, Y, X + 120, Y + 100)).area < 1e-3
    assert lost_a.symmetric_difference(box(X, Y, X + 20, Y + 100)).area < 1e-3
    assert got[LOST]["b"].is_empty


def test_comparing_backwards_swaps_gained_and_lost():
    forward = compare_areas(_history(), BEFORE, AFTER).set_index(AREA_ID)
    backward = compare_areas(_history(), AFTER, BEFORE).set_index(AREA_ID)
    np.testing.assert_allclose(backward.loc["b", GAINED_M2], 0.0, atol=1e-6)
    np.testing.assert_allclose(backward.loc["b", LOST_M2], forward.loc["b", GAINED_M2])
    np.testing.assert_allclose(backward.loc["b", LOST_PCT], 100 * 5_000 / 15_000)


def test_valid_to_is_exclusive_and_valid_from_inclusive():
    areas = _history()
    assert areas_valid_on(areas, D(2023, 12, 31))[AREA_VERSION].tolist() == [1, 1]
    on_switch = areas_valid_on(areas, D(2024, 1, 1))
    assert sorted(zip(on_switch[AREA_ID], on_switch[AREA_VERSION])) == [("a", 2), ("b", 2), ("c", 1)]
    assert "d" not in areas_valid_on(areas, D(2023, 6, 1))[AREA_ID].tolist()


def test_compare_areas_reads_a_store(tmp_path):
    store = make_store(tmp_path, areas=area_versions([area("a", box(X, Y, X + 100, Y + 100), valid_from=D(2023, 1, 1))]))
    store.add_area_versions(area_versions([area("a", box(X, Y, X + 100, Y + 120), valid_from=D(2024, 1, 1))]))
    got = compare_areas(store, BEFORE, AFTER)
    np.testing.assert_allclose(got[GAINED_M2], [2_000.0], rtol=1e-6)


@pytest.mark.parametrize("bad", ["2024-01-01", dt.datetime(2024, 1, 1), None])
def test_compare_areas_refuses_a_non_date(bad):
    with pytest.raises(TypeError, match=r"date_b must be a datetime.date \(a local date\); got"):
        compare_areas(_history(), BEFORE, bad)


def test_timeline_lists_every_version_with_its_area_and_who_added_it(tmp_path):
    store = make_store(tmp_path)
    store.add_area_versions(area_versions([area("a", box(X, Y, X + 100, Y + 100), valid_from=D(2023, 1, 1))]),
                            changed_by="kari")
    store.add_area_versions(area_versions([area("a", box(X, Y, X + 50, Y + 100), valid_from=D(2024, 1, 1))]))
    timeline = area_timeline(store)
    assert timeline[AREA_VERSION].tolist() == [1, 2]
    assert timeline[VALID_TO].tolist() == [D(2024, 1, 1), None]
    np.testing.assert_allclose(timeline[AREA_M2], [10_000.0, 5_000.0], rtol=1e-6)
    assert timeline["changed_by"].tolist()[0] == "kari"
    assert timeline["changed_by"].isna().tolist()[1]
    assert timeline["added_utc"].notna().all()
    log = store.area_changes()
    assert log["change"].tolist() == ["added", "closed", "added"]


def test_the_change_log_of_a_team_lists_only_its_own_areas(tmp_path):
    """A district manager's Endringer page reads the log through the access seam with ``teams``:
    the city centre's area changes are not theirs to see."""
    store = make_store(tmp_path, areas=area_versions([
        area("a", box(X, Y, X + 100, Y + 100), team="sentrum", valid_from=D(2024, 1, 1)),
        area("h", box(X + 500, Y, X + 600, Y + 100), team="vestre-aker", valid_from=D(2024, 1, 1)),
    ]))
    assert sorted(area_change_log(store)[AREA_ID]) == ["a", "h"]
    assert area_change_log(store, teams=("vestre-aker",))[AREA_ID].tolist() == ["h"]
    assert area_change_log(store, teams=("nobody",)).empty
