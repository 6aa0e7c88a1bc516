"""Tests of indoor stays (PRODUCT.md, Indoor stay; geo.engine.indoor) through compute_presence.

Tracks and areas are designed in EPSG:25832 metres (tests/builders.py). Every
track below has a fix standing at a point, a gap, and a fix standing at a
point: the segments around the gap have no length, so the expected presence
is exactly the gap (plus the standing segments, stated in each test).
"""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd
import pytest
import shapely
from numpy.testing import assert_allclose
from shapely.geometry import Polygon, box

from geo.engine.indoor import INDOOR_REACH_M, MAX_INDOOR_GAP_S, find_stays, split_by_hour
from geo.engine.presence import compute_presence, prepare_areas, presence_totals
from geo.engine.segments import build_segments_and_gaps
from geo.schema import AREA_ID, CELL, HOUR_UTC, INDOOR, METRES, PATROL_ID, RES, SECONDS, VISIT_END, VISIT_START
from tests.builders import BASE, area, area_versions, epoch, oslo, square, track, utm

X, Y = BASE
GARAGE = area("garage", square(X, Y, 40))  # x..x+40, y..y+40
START = oslo("2024-06-07 20:10")  # 18:10 UTC, a Friday evening


def areas(*rows, indoor=None):
    frame = area_versions(rows)
    frame[INDOOR] = [True] * len(rows) if indoor is None else indoor
    return prepare_areas(frame)


def gap_track(before, after, gap_s, *, start=START, patrol="p1"):
    """Two fixes 60 s apart at ``before``, a gap of ``gap_s`` seconds, two fixes 60 s apart at ``after``."""
    return track(patrol, start, [before, before, after, after], interval_s=[60.0, gap_s, 60.0])


def by_area(tables):
    return tables.presence_area.groupby(AREA_ID)[[SECONDS, METRES]].sum()


# --- which gaps are stays ----------------------------------------------------------------------


def test_a_20_minute_gap_inside_a_garage_counts_its_duration_and_no_length():
    # 60 s standing + 1200 s gap + 60 s standing, all inside: 1320 s, 0 m, one visit
    t = compute_presence(gap_track((X + 20, Y + 20), (X + 20, Y + 20), 1200.0), areas(GARAGE))
    assert_allclose(by_area(t).loc["garage"].to_numpy(), [1320.0, 0.0], atol=1e-6)
    assert len(t.visits_area) == 1
    visit = t.visits_area.iloc[0]
    assert visit[VISIT_END] - visit[VISIT_START] == pytest.approx(1320.0)
    assert_allclose(t.presence_total[[SECONDS, METRES]].sum().to_numpy(), [1320.0, 0.0], atol=1e-6)


def test_fixes_within_50_m_outside_the_garage_count():
    # 40 m west of the garage before, 45 m south after: both within 50 m; the standing
    # segments lie outside, so only the 1200 s gap is in the garage
    t = compute_presence(gap_track((X - 40, Y + 20), (X + 20, Y - 45), 1200.0), areas(GARAGE))
    assert_allclose(by_area(t).loc["garage"].to_numpy(), [1200.0, 0.0], atol=1e-6)
    assert_allclose(t.presence_total[SECONDS].sum(), 1320.0)


def test_a_fix_60_m_away_is_no_stay():
    t = compute_presence(gap_track((X + 20, Y + 20), (X - 60, Y + 20), 1200.0), areas(GARAGE))
    assert_allclose(by_area(t).loc["garage"].to_numpy(), [60.0, 0.0], atol=1e-6)  # the standing inside only
    assert_allclose(t.presence_total[SECONDS].sum(), 120.0)


def test_the_reach_is_50_m_measured_to_the_polygon():
    assert INDOOR_REACH_M == 50.0
    near = compute_presence(gap_track((X - 49.9, Y + 20), (X - 49.9, Y + 20), 1200.0), areas(GARAGE))
    far = compute_presence(gap_track((X - 50.1, Y + 20), (X - 50.1, Y + 20), 1200.0), areas(GARAGE))
    assert by_area(near)[SECONDS].sum() == pytest.approx(1200.0)
    assert far.presence_area.empty


def test_a_50_minute_gap_is_no_stay_and_45_minutes_is():
    assert MAX_INDOOR_GAP_S == 45 * 60.0
    long = compute_presence(gap_track((X + 20, Y + 20), (X + 20, Y + 20), 3000.0), areas(GARAGE))
    limit = compute_presence(gap_track((X + 20, Y + 20), (X + 20, Y + 20), 2700.0), areas(GARAGE))
    assert by_area(long)[SECONDS].sum() == pytest.approx(120.0)
    assert by_area(limit)[SECONDS].sum() == pytest.approx(2700.0 + 120.0)


def test_max_indoor_gap_is_a_parameter():
    t = compute_presence(gap_track((X + 20, Y + 20), (X + 20, Y + 20), 1200.0), areas(GARAGE),
                         max_indoor_gap_s=900.0)
    assert by_area(t)[SECONDS].sum() == pytest.approx(120.0)


def test_a_gap_in_an_ordinary_area_stays_no_presence():
    t = compute_presence(gap_track((X + 20, Y + 20), (X + 20, Y + 20), 1200.0), areas(GARAGE, indoor=[False]))
    assert by_area(t)[SECONDS].sum() == pytest.approx(120.0)
    assert len(t.visits_area) == 2  # the two standing stretches, 1200 s apart


def test_a_gap_from_one_garage_to_another_is_no_stay():
    other = area("other", square(X + 200, Y, 40))  # 160 m east of the first
    t = compute_presence(gap_track((X + 20, Y + 20), (X + 220, Y + 20), 1200.0), areas(GARAGE, other))
    assert by_area(t)[SECONDS].to_dict() == pytest.approx({"garage": 60.0, "other": 60.0})


def test_a_gap_up_to_max_gap_is_an_ordinary_segment_not_a_stay():
    # 240 s ≤ max_gap (300 s): an ordinary segment of length 0, counted once
    t = compute_presence(gap_track((X + 20, Y + 20), (X + 20, Y + 20), 240.0), areas(GARAGE))
    assert by_area(t)[SECONDS].sum() == pytest.approx(360.0)


def test_the_garage_version_valid_at_the_gap_start_applies():
    later = area("garage", square(X, Y, 40), valid_from=pd.Timestamp("2024-06-08").date())
    t = compute_presence(gap_track((X + 20, Y + 20), (X + 20, Y + 20), 1200.0), areas(later))
    assert t.presence_area.empty


# --- hours and DST -----------------------------------------------------------------------------


def test_a_gap_across_an_hour_boundary_is_split_between_the_hours():
    # last fix 20:51 local (18:51 UTC), first fix after 21:11: 540 s in 18 UTC, 660 s in 19 UTC;
    # standing 20:50-20:51 (18 UTC) and 21:11-21:12 (19 UTC)
    t = compute_presence(gap_track((X + 20, Y + 20), (X + 20, Y + 20), 1200.0, start=oslo("2024-06-07 20:50")),
                         areas(GARAGE))
    h18 = int(epoch(oslo("2024-06-07 20:00")))
    hours = t.presence_area.set_index(HOUR_UTC)[SECONDS].to_dict()
    assert_allclose([hours[h18], hours[h18 + 3600]], [540.0 + 60.0, 660.0 + 60.0], atol=1e-6)
    total = t.presence_total.set_index(HOUR_UTC)[SECONDS].to_dict()
    assert_allclose([total[h18], total[h18 + 3600]], [600.0, 720.0], atol=1e-6)
    assert len(t.visits_area) == 1


def test_a_gap_across_the_spring_dst_change_lasts_its_real_elapsed_time():
    # 2024-03-31: last fix 01:50 CET (00:50 UTC), first fix after 03:15 CEST (01:15 UTC):
    # 25 min elapsed, though the clock moved 85 min; 600 s in 00 UTC, 900 s in 01 UTC
    start = pd.Timestamp("2024-03-31 00:49", tz="UTC")
    t = compute_presence(gap_track((X + 20, Y + 20), (X + 20, Y + 20), 1500.0, start=start), areas(GARAGE))
    h00 = int(epoch(pd.Timestamp("2024-03-31 00:00", tz="UTC")))
    hours = t.presence_area.set_index(HOUR_UTC)[SECONDS].to_dict()
    assert_allclose([hours[h00], hours[h00 + 3600]], [60.0 + 600.0, 900.0 + 60.0], atol=1e-6)


def test_split_by_hour_cuts_at_every_utc_hour_and_keeps_exact_hours_whole():
    pieces = split_by_hour(np.array([3000.0, 7200.0]), np.array([7500.0, 10800.0]))
    assert pieces.stay.tolist() == [0, 0, 0, 1]
    assert pieces.hour_utc.tolist() == [0, 3600, 7200, 7200]
    assert_allclose(pieces.seconds, [600.0, 3600.0, 300.0, 3600.0])


# --- cells ---------------------------------------------------------------------------------------


def _independent_cell_shares(polygon_25832: Polygon, res: int) -> dict[int, float]:
    """Share of the polygon's surface in each H3 cell, from the h3 library's own boundaries."""
    lon, lat = np.asarray(shapely.get_coordinates(polygon_25832)).T
    from tests.builders import lonlat

    lons, lats = lonlat(lon, lat)
    cells = {h3.latlng_to_cell(la, lo, res) for lo, la in zip(lons, lats)}
    cells = {n for c in cells for n in h3.grid_disk(c, 2)}
    shares = {}
    for c in cells:
        ring = [utm(lo, la) for la, lo in h3.cell_to_boundary(c)]
        inside = shapely.intersection(Polygon([(float(x), float(y)) for x, y in ring]), polygon_25832).area
        if inside > 0:
            shares[int(c, 16)] = inside / polygon_25832.area
    return shares


@pytest.mark.parametrize("res", [9, 10, 11])
def test_a_stay_is_shared_among_the_cells_of_the_garage_by_surface(res):
    garage = square(X, Y, 40)
    t = compute_presence(gap_track((X - 30, Y - 30), (X - 30, Y - 30), 1200.0), areas(area("garage", garage)),
                         resolutions=(res,))
    expected = _independent_cell_shares(garage, res)
    standing_cell = int(h3.latlng_to_cell(*reversed(_lonlat_of(X - 30, Y - 30)), res), 16)
    got = t.presence_cell.groupby(CELL)[SECONDS].sum().to_dict()
    got[standing_cell] -= 120.0  # the two standing segments outside the garage
    got = {c: s for c, s in got.items() if abs(s) > 1e-9}
    assert set(got) == set(expected)
    assert_allclose([got[c] for c in sorted(expected)], [1200.0 * expected[c] for c in sorted(expected)],
                    rtol=1e-6)
    # one visit per covered cell, besides the visits of the standing cell
    stay_visits = t.visits_cell[np.isclose(t.visits_cell[VISIT_END] - t.visits_cell[VISIT_START], 1200.0)]
    assert set(stay_visits[CELL]) >= set(expected) - {standing_cell}
    assert (t.presence_cell[METRES] == 0).all()
    assert (t.presence_cell[RES] == res).all()


def _lonlat_of(x, y):
    from tests.builders import lonlat

    lon, lat = lonlat([x], [y])
    return float(lon[0]), float(lat[0])


# --- overlapping and neighbouring indoor areas ---------------------------------------------------


def test_overlapping_indoor_areas_both_containing_the_fixes_each_count_the_stay_but_cells_once():
    hall = area("hall", box(X - 20, Y - 20, X + 60, Y + 60))  # contains the garage
    t = compute_presence(gap_track((X + 20, Y + 20), (X + 20, Y + 20), 1200.0), areas(GARAGE, hall))
    assert by_area(t)[SECONDS].to_dict() == pytest.approx({"garage": 1320.0, "hall": 1320.0})
    assert_allclose(t.presence_total[SECONDS].sum(), 1320.0)
    assert_allclose(t.presence_cell.groupby(RES)[SECONDS].sum().to_numpy(), [1320.0] * 3)  # res 9, 10, 11


def test_the_nearest_indoor_area_takes_the_stay():
    # both fixes inside the garage and 35 m from a second garage to its east: the first is nearer
    neighbour = area("neighbour", square(X + 70, Y, 40))
    t = compute_presence(gap_track((X + 35, Y + 20), (X + 35, Y + 20), 1200.0), areas(GARAGE, neighbour))
    assert by_area(t)[SECONDS].to_dict() == pytest.approx({"garage": 1320.0})


def test_the_nearness_of_an_area_is_its_farther_fix():
    # fix before: 10 m from A, 30 m from B; fix after: 45 m from A, inside B → B (30 < 45)
    a = area("a", square(X, Y, 40))
    b = area("b", square(X + 80, Y, 40))
    t = compute_presence(gap_track((X + 50, Y + 20), (X + 85, Y + 20), 1200.0), areas(a, b))
    assert by_area(t).loc["b", SECONDS] == pytest.approx(1200.0 + 60.0)
    assert by_area(t)[SECONDS].get("a", 0.0) == pytest.approx(0.0)


def test_an_ordinary_area_around_the_garage_counts_the_stay_in_full():
    # "Oslo S og omegn" contains the garage: the patrol inside the garage is inside Oslo S too
    around = area("oslo-s", box(X - 100, Y - 100, X + 200, Y + 200))
    t = compute_presence(gap_track((X + 20, Y + 20), (X + 20, Y + 20), 1200.0), areas(GARAGE, around,
                         indoor=[True, False]))
    assert by_area(t)[SECONDS].to_dict() == pytest.approx({"garage": 1320.0, "oslo-s": 1320.0})
    assert t.visits_area.groupby(AREA_ID).size().to_dict() == {"garage": 1, "oslo-s": 1}


def test_an_area_over_part_of_the_garage_counts_that_share_of_the_stay():
    # the street area covers the east half of the garage (x+20..x+40 of x..x+40); the patrol
    # stands in the west half: 1200 s × 1/2 in the street area, the standing outside it
    street = area("street", box(X + 20, Y - 100, X + 100, Y + 100))
    t = compute_presence(gap_track((X + 10, Y + 20), (X + 10, Y + 20), 1200.0), areas(GARAGE, street,
                         indoor=[True, False]))
    assert by_area(t)[SECONDS].to_dict() == pytest.approx({"garage": 1320.0, "street": 600.0})
    assert t.presence_total[SECONDS].sum() == pytest.approx(1320.0)


def test_an_overlapping_area_not_valid_at_the_gap_start_gets_nothing():
    later = area("oslo-s", box(X - 100, Y - 100, X + 200, Y + 200), valid_from=pd.Timestamp("2024-06-08").date())
    t = compute_presence(gap_track((X + 20, Y + 20), (X + 20, Y + 20), 1200.0), areas(GARAGE, later,
                         indoor=[True, False]))
    assert by_area(t)[SECONDS].to_dict() == pytest.approx({"garage": 1320.0})


# --- the other outputs ---------------------------------------------------------------------------


def test_find_stays_refuses_a_non_positive_limit():
    seg, gaps = build_segments_and_gaps(gap_track((X, Y), (X, Y), 1200.0), longest_gap_s=3600.0)
    with pytest.raises(ValueError, match="max_indoor_gap_s must be > 0 seconds; got 0"):
        find_stays(gaps, areas(GARAGE).indoor, max_indoor_gap_s=0)
    with pytest.raises(ValueError, match="longest_gap_s must be > 0 seconds; got -1"):
        build_segments_and_gaps(gap_track((X, Y), (X, Y), 1200.0), longest_gap_s=-1)


def test_presence_totals_include_indoor_stays_like_compute_presence():
    prepared = areas(GARAGE, area("street", square(X - 300, Y, 100)), area("half", box(X + 20, Y - 50, X + 90, Y + 90)),
                     indoor=[True, False, False])
    points = pd.concat([
        gap_track((X + 20, Y + 20), (X + 20, Y + 20), 1200.0),
        gap_track((X + 20, Y + 20), (X - 250, Y + 50), 1200.0, patrol="p2"),
    ])
    totals = presence_totals(points, prepared, res=10)
    detail = compute_presence(points, prepared, resolutions=(10,))
    assert totals.per_area.set_index(AREA_ID)[SECONDS].to_dict() == pytest.approx(by_area(detail)[SECONDS].to_dict())
    assert_allclose(totals.per_cell.set_index(CELL)[SECONDS].sort_index().to_numpy(),
                    detail.presence_cell.groupby(CELL)[SECONDS].sum().sort_index().to_numpy())
    assert detail.presence_total.groupby(PATROL_ID)[SECONDS].sum().to_dict() == pytest.approx(
        {"p1": 1320.0, "p2": 120.0})
