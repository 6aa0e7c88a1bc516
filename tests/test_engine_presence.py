"""Tests of geo.engine.presence: presence per area version, per H3 cell and in total,
visits, and encounters in areas.

Tracks and areas are designed in EPSG:25832 metres (tests/builders.py) and go
through EPSG:4326 exactly as stored data does, so expectations hold to ~1e-6.
"""

from __future__ import annotations

import datetime as dt

import h3
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from shapely.geometry import box

from geo.engine.presence import (
    compute_presence,
    encounter_areas,
    encounter_cells,
    prepare_areas,
    presence_totals,
)
from geo.schema import (
    AREA_ID,
    AREA_VERSION,
    CELL,
    ENCOUNTER_ID,
    HOUR_UTC,
    METRES,
    PATROL_ID,
    RES,
    SECONDS,
    STORE_CRS,
    VALID_FROM,
    VISIT_END,
    VISIT_START,
)
from tests.builders import (
    BASE,
    area,
    area_versions,
    encounters,
    encounters_lonlat,
    epoch,
    lonlat,
    oslo,
    square,
    standing,
    straight_walk,
    track,
)

X, Y = BASE
D = dt.date
FRIDAY_EVENING = oslo("2024-06-07 20:00")  # 18:00 UTC
E0 = epoch(FRIDAY_EVENING)
SQ = area("sq", square(X, Y, 100))  # x..x+100, y..y+100


def presence(points, *rows, resolutions=(10,)):
    return compute_presence(points, prepare_areas(area_versions(rows)), resolutions=resolutions)


def area_totals(tables) -> dict:
    """(area_id, version) → (seconds, metres)."""
    g = tables.presence_area.groupby([AREA_ID, AREA_VERSION])[[SECONDS, METRES]].sum()
    return {k: (round(s, 6), round(m, 6)) for k, (s, m) in g.iterrows()}


def visit_spans(tables, table="visits_area") -> list[tuple]:
    v = getattr(tables, table)
    key = AREA_ID if table == "visits_area" else CELL
    return sorted((r[PATROL_ID], r[key], r[VISIT_START] - E0, r[VISIT_END] - E0) for _, r in v.iterrows())


# --- presence in an area ----------------------------------------------------------------------


def test_walk_through_a_square_gives_exactly_100_m_and_100_s_inside():
    # 1 m/s, a fix every 10 s, from x-50 to x+150 at mid-height: 200 m in 200 s,
    # of which x..x+100 = 100 m and 100 s inside.
    pts = straight_walk("p1", FRIDAY_EVENING, frm=(X - 50, Y + 50), to=(X + 150, Y + 50), step_m=10, interval_s=10)
    t = presence(pts, SQ)
    (s, m), = area_totals(t).values()
    assert_allclose([s, m], [100.0, 100.0], atol=1e-6)
    assert_allclose(t.presence_total[[SECONDS, METRES]].sum().to_numpy(), [200.0, 200.0], atol=1e-6)


def test_presence_area_has_one_row_per_patrol_area_version_and_utc_hour():
    pts = straight_walk("p1", FRIDAY_EVENING, frm=(X - 50, Y + 50), to=(X + 150, Y + 50), step_m=10, interval_s=10)
    t = presence(pts, SQ)
    assert list(t.presence_area.columns) == [PATROL_ID, AREA_ID, AREA_VERSION, HOUR_UTC, SECONDS, METRES]
    row = t.presence_area.iloc[0]
    assert (row[PATROL_ID], row[AREA_ID], row[AREA_VERSION], row[HOUR_UTC]) == ("p1", "sq", 1, int(E0))


def test_crossing_segments_are_shared_by_length():
    # fixes at x-45, x-35, ..., x+155 (10 m apart, 10 s apart): the segments
    # x-5..x+5 and x+95..x+105 are half inside: 5 + 9·10 + 5 = 100 m, 100 s.
    pts = straight_walk("p1", FRIDAY_EVENING, frm=(X - 45, Y + 50), to=(X + 155, Y + 50), step_m=10, interval_s=10)
    (s, m), = area_totals(presence(pts, SQ)).values()
    assert_allclose([s, m], [100.0, 100.0], atol=1e-6)


def test_visit_runs_from_first_to_last_segment_with_presence_in_the_area():
    # same walk: the first segment touching the area (x-5..x+5) starts at fix 4 = 40 s,
    # the last (x+95..x+105) ends at fix 15 = 150 s → one visit 40–150 s (110 s)
    pts = straight_walk("p1", FRIDAY_EVENING, frm=(X - 45, Y + 50), to=(X + 155, Y + 50), step_m=10, interval_s=10)
    assert visit_spans(presence(pts, SQ)) == [("p1", "sq", 40.0, 150.0)]


def test_standing_still_inside_counts_the_full_duration():
    # 11 fixes at the centre, 60 s apart: 600 s, 0 m, one visit of 600 s
    pts = standing("p1", FRIDAY_EVENING, (X + 50, Y + 50), n=11, interval_s=60)
    t = presence(pts, SQ)
    assert area_totals(t) == {("sq", 1): (600.0, 0.0)}
    assert visit_spans(t) == [("p1", "sq", 0.0, 600.0)]


def test_standing_still_on_the_edge_counts_fully():
    # on the left edge x = 0 (the stored polygon's edge after projection, ± nm)
    pts = standing("p1", FRIDAY_EVENING, (X, Y + 50), n=3, interval_s=60)
    assert area_totals(presence(pts, area("sq", box(X, Y, X + 100, Y + 100))))[("sq", 1)][0] == pytest.approx(120.0)


def test_gap_over_five_minutes_is_no_presence_and_ends_the_visit():
    # inside at 0, 60, then next fix at 60 + 301 = 361 s, then 421: presence 60 + 60 = 120 s
    pts = track("p1", FRIDAY_EVENING, [(X + 50, Y + 50)] * 4, interval_s=[60, 301, 60])
    t = presence(pts, SQ)
    assert area_totals(t) == {("sq", 1): (120.0, 0.0)}
    assert visit_spans(t) == [("p1", "sq", 0.0, 60.0), ("p1", "sq", 361.0, 421.0)]


def test_too_fast_segment_is_no_presence():
    # 100 m in 10 s (36 km/h) inside the square: nothing counts
    pts = track("p1", FRIDAY_EVENING, [(X, Y + 50), (X + 100, Y + 50)], interval_s=10)
    t = presence(pts, SQ)
    assert len(t.presence_area) == 0
    assert len(t.presence_total) == 0
    assert len(t.visits_area) == 0


def test_segment_belongs_to_the_utc_hour_of_its_start():
    # standing inside from 18:59:00 UTC, fixes every 40 s: segments start 18:59:00,
    # 18:59:40 (→ hour 18) and 19:00:20 (→ hour 19): 80 s + 40 s
    start = pd.Timestamp("2024-06-07 18:59:00", tz="UTC")
    pts = standing("p1", start, (X + 50, Y + 50), n=4, interval_s=40)
    t = presence(pts, SQ)
    h18 = int(pd.Timestamp("2024-06-07 18:00", tz="UTC").timestamp())
    got = dict(zip(t.presence_area[HOUR_UTC], t.presence_area[SECONDS]))
    assert got == {h18: 80.0, h18 + 3600: 40.0}
    assert dict(zip(t.presence_total[HOUR_UTC], t.presence_total[SECONDS])) == {h18: 80.0, h18 + 3600: 40.0}


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        # Sat 26 Oct 22:00 +02:00 (20:00 UTC) → Sun 27 Oct 04:00 +01:00 (03:00 UTC) = 7 h
        ("2024-10-26 20:00", "2024-10-27 03:00", 7),
        # Sat 30 Mar 22:00 +01:00 (21:00 UTC) → Sun 31 Mar 04:00 +02:00 (02:00 UTC) = 5 h
        ("2024-03-30 21:00", "2024-03-31 02:00", 5),
    ],
)
def test_night_patrol_across_dst_change_has_real_elapsed_presence(start, end, hours):
    t0, t1 = pd.Timestamp(start, tz="UTC"), pd.Timestamp(end, tz="UTC")
    n = int((t1 - t0).total_seconds() // 60) + 1
    pts = standing("p1", t0, (X + 50, Y + 50), n=n, interval_s=60)
    t = presence(pts, SQ)
    assert t.presence_total[SECONDS].sum() == hours * 3600
    assert area_totals(t)[("sq", 1)][0] == hours * 3600
    assert len(t.presence_total) == hours  # one full UTC hour bucket each
    assert visit_spans(t)[0][3] - visit_spans(t)[0][2] == hours * 3600


# --- overlapping areas ------------------------------------------------------------------------------


def test_overlapping_areas_each_get_the_full_share_and_total_is_counted_once():
    # A = x..x+100, B = x+50..x+150; walk x-50..x+200 at 1 m/s (250 m, 250 s):
    # A gets 100 m/100 s, B 100 m/100 s; total presence 250 s, not 250 + overlap.
    a = area("a", box(X, Y, X + 100, Y + 100))
    b = area("b", box(X + 50, Y, X + 150, Y + 100))
    pts = straight_walk("p1", FRIDAY_EVENING, frm=(X - 50, Y + 50), to=(X + 200, Y + 50), step_m=10, interval_s=10)
    t = presence(pts, a, b)
    got = area_totals(t)
    assert_allclose(got[("a", 1)], (100.0, 100.0), atol=1e-6)
    assert_allclose(got[("b", 1)], (100.0, 100.0), atol=1e-6)
    assert_allclose(t.presence_total[SECONDS].sum(), 250.0)
    # visits: a from fix 5 (50 s) to fix 15 (150 s); b from 100 s to 200 s
    assert visit_spans(t) == [("p1", "a", 50.0, 150.0), ("p1", "b", 100.0, 200.0)]


def test_area_with_hole_and_multipolygon_through_the_store_crs():
    # holed: 100 m square minus x+30..x+70; walk x-10..x+110 at mid-height: 60 m inside.
    # multi: x..x+20 and x+80..x+100 as one MultiPolygon: 40 m inside.
    from shapely.geometry import MultiPolygon, Polygon

    holed = Polygon(box(X, Y, X + 100, Y + 100).exterior.coords,
                    holes=[box(X + 30, Y + 30, X + 70, Y + 70).exterior.coords])
    multi = MultiPolygon([box(X, Y, X + 20, Y + 100), box(X + 80, Y, X + 100, Y + 100)])
    pts = straight_walk("p1", FRIDAY_EVENING, frm=(X - 10, Y + 50), to=(X + 110, Y + 50), step_m=10, interval_s=10)
    got = area_totals(presence(pts, area("holed", holed), area("multi", multi)))
    assert_allclose(got[("holed", 1)], (60.0, 60.0), atol=1e-6)
    assert_allclose(got[("multi", 1)], (40.0, 40.0), atol=1e-6)


# --- area versions -------------------------------------------------------------------------------


def test_patrol_across_midnight_switches_to_the_new_version_by_local_date_of_segment_start():
    # v1 valid until Sat 8 Jun (exclusive), v2 from Sat 8 Jun. Standing inside from
    # Fri 23:50:30 local (21:50:30 UTC), a fix every 60 s until 00:10:30: 20 segments.
    # Starts 23:50:30 … 23:59:30 (10 segments, the last crossing midnight) → v1 600 s;
    # 00:00:30 … 00:09:30 → v2 600 s. (By UTC date everything would be v1.)
    v1 = area("sq", square(X, Y, 100), version=1, valid_from=D(2024, 1, 1), valid_to=D(2024, 6, 8))
    v2 = area("sq", square(X, Y, 100), version=2, valid_from=D(2024, 6, 8))
    pts = standing("p1", oslo("2024-06-07 23:50:30"), (X + 50, Y + 50), n=21, interval_s=60)
    t = presence(pts, v1, v2)
    assert area_totals(t) == {("sq", 1): (600.0, 0.0), ("sq", 2): (600.0, 0.0)}
    # visits are per area: one visit across the version change, 1200 s
    (_, aid, start, end), = visit_spans(t)
    assert (aid, end - start) == ("sq", 1200.0)


def test_new_version_with_new_geometry_applies_from_its_first_local_day():
    # v2 from Sat 8 Jun is moved 1 km east: after local midnight the patrol is outside it
    v1 = area("sq", square(X, Y, 100), version=1, valid_from=D(2024, 1, 1), valid_to=D(2024, 6, 8))
    v2 = area("sq", square(X + 1000, Y, 100), version=2, valid_from=D(2024, 6, 8))
    pts = standing("p1", oslo("2024-06-07 23:50:30"), (X + 50, Y + 50), n=21, interval_s=60)
    t = presence(pts, v1, v2)
    assert area_totals(t) == {("sq", 1): (600.0, 0.0)}
    assert t.presence_total[SECONDS].sum() == 1200.0


def test_segment_on_a_day_without_a_valid_version_counts_nothing_in_the_area():
    # only version valid 1–7 Jun (to exclusive); the patrol is on Sat 8 Jun
    v1 = area("sq", square(X, Y, 100), valid_from=D(2024, 6, 1), valid_to=D(2024, 6, 7))
    pts = standing("p1", oslo("2024-06-08 12:00"), (X + 50, Y + 50), n=3, interval_s=60)
    t = presence(pts, v1)
    assert len(t.presence_area) == 0
    assert len(t.visits_area) == 0
    assert t.presence_total[SECONDS].sum() == 120.0


def test_version_valid_from_a_date_does_not_count_the_evening_before():
    # valid_from Sat 8 Jun; standing Fri 7 Jun 23:00–23:02 local → nothing in the area
    v = area("sq", square(X, Y, 100), valid_from=D(2024, 6, 8))
    pts = standing("p1", oslo("2024-06-07 23:00"), (X + 50, Y + 50), n=3, interval_s=60)
    assert len(presence(pts, v).presence_area) == 0


def test_version_change_on_the_october_dst_night_uses_the_local_date():
    # v2 from Sun 27 Oct. Standing 23:58 → 00:02 local (21:58 → 22:02 UTC, +02:00):
    # segments starting 23:58 and 23:59 → v1 (120 s), 00:00 and 00:01 → v2 (120 s).
    v1 = area("sq", square(X, Y, 100), version=1, valid_from=D(2024, 1, 1), valid_to=D(2024, 10, 27))
    v2 = area("sq", square(X, Y, 100), version=2, valid_from=D(2024, 10, 27))
    pts = standing("p1", oslo("2024-10-26 23:58"), (X + 50, Y + 50), n=5, interval_s=60)
    assert area_totals(presence(pts, v1, v2)) == {("sq", 1): (120.0, 0.0), ("sq", 2): (120.0, 0.0)}


# --- visits through compute_presence -------------------------------------------------------------------


def out_and_back(outside_s: float) -> pd.DataFrame:
    """Inside (y+95) 0–60 s, step out to y+105 (10 s, half inside), stand outside
    ``outside_s`` seconds, step back in (10 s), stay 60 s."""
    inside, outside = (X + 50, Y + 95), (X + 50, Y + 105)
    return track("p1", FRIDAY_EVENING, [inside, inside, outside, outside, inside, inside],
                 interval_s=[60, 10, outside_s, 10, 60])


def test_leaving_the_area_for_119_s_is_bridged_into_one_visit():
    # in-area presence ends at 70 s (end of the step out) and resumes at 70 + 119 = 189 s
    t = presence(out_and_back(119), SQ)
    assert visit_spans(t) == [("p1", "sq", 0.0, 70.0 + 119 + 10 + 60)]


def test_leaving_the_area_for_120_s_makes_two_visits():
    t = presence(out_and_back(120), SQ)
    assert visit_spans(t) == [("p1", "sq", 0.0, 70.0), ("p1", "sq", 190.0, 260.0)]


def test_visits_of_different_patrols_are_separate():
    a = standing("a", FRIDAY_EVENING, (X + 50, Y + 50), n=3, interval_s=60)
    b = standing("b", FRIDAY_EVENING + pd.Timedelta(seconds=30), (X + 60, Y + 50), n=3, interval_s=60)
    t = presence(pd.concat([a, b], ignore_index=True), SQ)
    assert visit_spans(t) == [("a", "sq", 0.0, 120.0), ("b", "sq", 30.0, 150.0)]


# --- cells ------------------------------------------------------------------------------------------------


def test_total_presence_across_cells_equals_total_presence_at_every_resolution():
    # a zig-zag walk of 1.2 km through many cells at 1.25 m/s, plus a pause
    xy = [(X, Y), (X + 300, Y + 200), (X + 300, Y + 200), (X + 100, Y + 500), (X + 600, Y + 450)]
    pts = track("p1", FRIDAY_EVENING, xy, interval_s=[288.44, 120, 288.44, 288.44])
    t = presence(pts, resolutions=(9, 10, 11))
    total = t.presence_total[[SECONDS, METRES]].sum().to_numpy()
    for res in (9, 10, 11):
        per_res = t.presence_cell[t.presence_cell[RES] == res][[SECONDS, METRES]].sum().to_numpy()
        assert_allclose(per_res, total, rtol=1e-12)
        assert t.presence_cell[t.presence_cell[RES] == res][CELL].nunique() > 1


def test_standing_in_one_cell_is_one_cell_row_and_one_cell_visit():
    pts = standing("p1", FRIDAY_EVENING, (X + 50, Y + 50), n=11, interval_s=60)
    t = presence(pts, resolutions=(10,))
    lon, lat = lonlat(X + 50, Y + 50)
    cell = h3.str_to_int(h3.latlng_to_cell(float(lat), float(lon), 10))
    assert t.presence_cell[CELL].tolist() == [cell]
    assert t.presence_cell[SECONDS].tolist() == [600.0]
    assert visit_spans(t, "visits_cell") == [("p1", cell, 0.0, 600.0)]


def test_no_areas_still_gives_total_and_cell_presence():
    pts = standing("p1", FRIDAY_EVENING, (X + 50, Y + 50), n=3, interval_s=60)
    t = presence(pts)
    assert len(t.presence_area) == 0 and len(t.visits_area) == 0
    assert t.presence_total[SECONDS].sum() == 120.0
    assert t.presence_cell[SECONDS].sum() == 120.0


def test_presence_totals_equal_the_sums_of_compute_presence():
    # overlapping a/b walk (a 100 m/100 s, b 100 m/100 s) plus standing in a for 120 s
    a = area("a", box(X, Y, X + 100, Y + 100))
    b = area("b", box(X + 50, Y, X + 150, Y + 100))
    pts = pd.concat([
        straight_walk("p1", FRIDAY_EVENING, frm=(X - 50, Y + 50), to=(X + 200, Y + 50), step_m=10, interval_s=10),
        standing("p2", FRIDAY_EVENING, (X + 20, Y + 20), n=3, interval_s=60),
    ], ignore_index=True)
    areas = prepare_areas(area_versions([a, b]))
    totals = presence_totals(pts, areas, res=10)
    got = {r[AREA_ID]: (r[SECONDS], r[METRES]) for r in totals.per_area.to_dict("records")}
    assert_allclose(got["a"], (220.0, 100.0), atol=1e-6)
    assert_allclose(got["b"], (100.0, 100.0), atol=1e-6)
    detail = compute_presence(pts, areas, resolutions=(10,)).presence_cell.groupby(CELL)[[SECONDS, METRES]].sum()
    per_cell = totals.per_cell.set_index(CELL).sort_index()
    assert per_cell.index.tolist() == detail.index.tolist()
    assert_allclose(per_cell[[SECONDS, METRES]].to_numpy(), detail.to_numpy(), atol=1e-9)


def test_area_version_without_valid_from_is_refused():
    gdf = area_versions([SQ])
    gdf[VALID_FROM] = None
    with pytest.raises(ValueError, match="valid_from is required for every field-area version"):
        prepare_areas(gdf)


# --- encounters in areas --------------------------------------------------------------------------------

# A lon/lat box, so that a point on its edge is exactly representable.
LON0, LAT0, LON1, LAT1 = 10.7500, 59.9100, 10.7520, 59.9110


def lonlat_area(area_id, lon0=LON0, lat0=LAT0, lon1=LON1, lat1=LAT1, **fields):
    return area(area_id, box(lon0, lat0, lon1, lat1), **fields)


def in_areas(enc, *rows) -> set[tuple]:
    got = encounter_areas(enc, area_versions(rows, crs_of_rows=STORE_CRS))
    assert list(got.columns) == [ENCOUNTER_ID, AREA_ID, AREA_VERSION]
    return set(map(tuple, got.values.tolist()))


def test_encounter_inside_on_edge_and_outside():
    t = oslo("2024-06-07 21:00")
    enc = encounters_lonlat(
        ["inside", "edge", "corner", "outside"],
        [t] * 4,
        [10.7510, LON0, LON1, 10.7530],
        [59.9105, 59.9105, LAT1, 59.9105],
    )
    assert in_areas(enc, lonlat_area("a")) == {("inside", "a", 1), ("edge", "a", 1), ("corner", "a", 1)}


def test_encounter_in_two_overlapping_areas_is_in_both():
    t = oslo("2024-06-07 21:00")
    enc = encounters_lonlat(["both", "only_b"], [t, t], [10.7515, 10.7525], [59.9105, 59.9105])
    got = in_areas(enc, lonlat_area("a"), lonlat_area("b", lon0=10.7510, lon1=10.7530))
    assert got == {("both", "a", 1), ("both", "b", 1), ("only_b", "b", 1)}


def test_encounter_version_follows_its_local_date():
    # v1 until Sat 8 Jun (exclusive), v2 from Sat 8 Jun (v2 a different box that
    # still contains the point). 00:30 local Sat = 22:30 UTC Fri → v2;
    # 23:30 local Fri → v1.
    v1 = lonlat_area("a", version=1, valid_from=D(2024, 1, 1), valid_to=D(2024, 6, 8))
    v2 = lonlat_area("a", version=2, valid_from=D(2024, 6, 8), lon0=10.7505)
    enc = encounters_lonlat(
        ["sat_0030", "fri_2330"], [oslo("2024-06-08 00:30"), oslo("2024-06-07 23:30")], [10.7510, 10.7510], [59.9105, 59.9105]
    )
    assert in_areas(enc, v1, v2) == {("sat_0030", "a", 2), ("fri_2330", "a", 1)}


def test_encounter_on_a_day_without_valid_version_is_in_no_area():
    v = lonlat_area("a", valid_from=D(2024, 6, 8))
    enc = encounters_lonlat(["fri"], [oslo("2024-06-07 23:59")], [10.7510], [59.9105])
    assert in_areas(enc, v) == set()


def test_no_encounters_or_no_areas_give_no_rows():
    enc = encounters_lonlat(["e"], [oslo("2024-06-07 21:00")], [10.7510], [59.9105])
    assert len(encounter_areas(enc.iloc[:0], area_versions([lonlat_area("a")], crs_of_rows=STORE_CRS))) == 0
    assert len(encounter_areas(enc, area_versions([lonlat_area("a")], crs_of_rows=STORE_CRS).iloc[:0])) == 0


def test_encounter_areas_uses_utm_designed_areas_too():
    # encounter 10 m inside the UTM square's left edge, and 10 m outside it
    enc = encounters(("in", oslo("2024-06-07 21:00"), X + 10, Y + 50), ("out", oslo("2024-06-07 21:00"), X - 10, Y + 50))
    got = encounter_areas(enc, area_versions([SQ]))
    assert got[ENCOUNTER_ID].tolist() == ["in"]


def test_encounter_cells_at_every_resolution_match_h3():
    enc = encounters_lonlat(["e1", "e2"], [oslo("2024-06-07 21:00")] * 2, [10.7510, 10.7600], [59.9105, 59.9150])
    got = encounter_cells(enc)
    assert sorted(got) == [9, 10, 11]
    for res, cells in got.items():
        assert cells.dtype == np.int64
        assert cells.tolist() == [h3.str_to_int(h3.latlng_to_cell(la, lo, res)) for lo, la in [(10.7510, 59.9105), (10.7600, 59.9150)]]
