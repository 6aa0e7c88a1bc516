"""Tests of geo.engine.segments: which consecutive fixes count as presence.

Tracks are designed in EPSG:25832 metres (tests/builders.py), so lengths and
speeds are whole numbers: 100 m in 18 s is 100 / 18 × 3.6 = 20 km/h exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from geo.engine.segments import MAX_GAP_S, MAX_SPEED_KMH, build_segments
from geo.schema import PATROL_ID, TIME_UTC
from tests.builders import BASE, epoch, oslo, track

X, Y = BASE
T0 = oslo("2024-06-07 20:00")  # a Friday evening
E0 = epoch(T0)


def starts_ends(seg) -> list[tuple[float, float]]:
    return list(zip((seg.t0 - E0).tolist(), (seg.t1 - E0).tolist()))


def test_defaults_are_five_minutes_and_twenty_kmh():
    assert MAX_GAP_S == 300.0
    assert MAX_SPEED_KMH == 20.0


def test_gap_of_exactly_300_s_counts_and_301_s_does_not():
    # fixes at 0, 300 and 601 s, 10 m apart: gaps 300 s (kept) and 301 s (dropped)
    pts = track("p1", T0, [(X, Y), (X + 10, Y), (X + 20, Y)], interval_s=[300, 301])
    seg = build_segments(pts)
    assert starts_ends(seg) == [(0.0, 300.0)]
    assert_allclose(seg.duration_s, [300.0])


def test_speed_of_exactly_20_kmh_counts_and_faster_does_not():
    # 100 m east in 18 s = 20 km/h (kept); next 100 m east in 17 s = 21.2 km/h (dropped);
    # then 100 m north in 18 s = 20 km/h (kept).
    pts = track(
        "p1", T0, [(X, Y), (X + 100, Y), (X + 200, Y), (X + 200, Y + 100)], interval_s=[18, 17, 18]
    )
    seg = build_segments(pts)
    assert starts_ends(seg) == [(0.0, 18.0), (35.0, 53.0)]
    assert_allclose(seg.length_m, [100.0, 100.0], atol=1e-6)


def test_custom_limits_are_respected():
    # 50 m in 10 s = 18 km/h; gap 10 s. With max_speed 15 km/h nothing counts;
    # with max_gap 9 s nothing counts; with both generous the segment counts.
    pts = track("p1", T0, [(X, Y), (X + 50, Y)], interval_s=10)
    assert len(build_segments(pts, max_speed_kmh=15)) == 0
    assert len(build_segments(pts, max_gap_s=9)) == 0
    assert len(build_segments(pts, max_gap_s=10, max_speed_kmh=18.001)) == 1


def test_lengths_are_metres_in_utm_not_degrees():
    # a 30-40-50 triangle: (0, 0) → (30, 40) is 50 m
    pts = track("p1", T0, [(X, Y), (X + 30, Y + 40)], interval_s=20)
    seg = build_segments(pts)
    assert_allclose(seg.length_m, [50.0], atol=1e-6)
    assert_allclose([seg.x0[0], seg.y0[0], seg.x1[0], seg.y1[0]], [X, Y, X + 30, Y + 40], atol=1e-6)


def test_exact_duplicate_fix_adds_no_zero_length_segment():
    # fixes at 0, 0 (the same fix re-sent) and 10 s, 10 m on: one 10 s, 10 m segment
    pts = track("p1", T0, [(X, Y), (X, Y), (X + 10, Y)], interval_s=[0, 10])
    seg = build_segments(pts)
    assert starts_ends(seg) == [(0.0, 10.0)]
    assert_allclose(seg.length_m, [10.0], atol=1e-6)


def test_conflicting_fixes_at_one_instant_give_no_zero_duration_segment():
    # two different positions at t=0 then one at t=10: time counted once (10 s)
    pts = track("p1", T0, [(X, Y), (X + 5, Y), (X + 10, Y)], interval_s=[0, 10])
    seg = build_segments(pts)
    assert np.all(seg.duration_s > 0)
    assert_allclose(seg.duration_s.sum(), 10.0)


def test_standing_still_counts_as_presence_with_zero_length():
    pts = track("p1", T0, [(X, Y)] * 4, interval_s=60)
    seg = build_segments(pts)
    assert_allclose(seg.duration_s, [60.0, 60.0, 60.0])
    assert_allclose(seg.length_m, [0.0, 0.0, 0.0], atol=1e-9)


def test_points_of_different_patrols_never_join_even_when_interleaved():
    # a: 0 s and 20 s; b: 10 s and 30 s, 10 m apart each. Joining across
    # patrols would give 0–10, 10–20, 20–30; the right answer is a 0–20, b 10–30.
    a = track("a", T0, [(X, Y), (X + 10, Y)], interval_s=20)
    b = track("b", T0 + pd.Timedelta(seconds=10), [(X, Y + 5), (X + 10, Y + 5)], interval_s=20)
    seg = build_segments(pd.concat([a, b], ignore_index=True))
    got = sorted(zip(seg.patrol_ids[seg.patrol].tolist(), starts_ends(seg)))
    assert got == [("a", (0.0, 20.0)), ("b", (10.0, 30.0))]


def test_last_fix_of_one_patrol_and_first_of_next_do_not_form_a_segment():
    # a ends at 10 s at X+10; b starts at 20 s at X+10 (same place, 10 s later)
    a = track("a", T0, [(X, Y), (X + 10, Y)], interval_s=10)
    b = track("b", T0 + pd.Timedelta(seconds=20), [(X + 10, Y), (X + 20, Y)], interval_s=10)
    seg = build_segments(pd.concat([a, b], ignore_index=True))
    assert len(seg) == 2
    assert_allclose(seg.duration_s, [10.0, 10.0])


def test_unsorted_input_gives_the_same_segments_as_sorted_input():
    a = track("a", T0, [(X + 10 * i, Y) for i in range(6)], interval_s=15)
    b = track("b", T0, [(X, Y + 10 * i) for i in range(6)], interval_s=20)
    points = pd.concat([a, b], ignore_index=True)
    shuffled = points.sample(frac=1.0, random_state=7).reset_index(drop=True)
    s1, s2 = build_segments(points), build_segments(shuffled)
    for name in ("t0", "t1", "x0", "y0", "x1", "y1", "length_m"):
        assert_allclose(getattr(s1, name), getattr(s2, name))
    assert list(s1.patrol_ids[s1.patrol]) == list(s2.patrol_ids[s2.patrol]) == ["a"] * 5 + ["b"] * 5


def fields(seg) -> dict[str, list]:
    out = {name: getattr(seg, name).tolist() for name in ("t0", "t1", "x0", "y0", "x1", "y1", "length_m")}
    out["patrol"] = seg.patrol_ids[seg.patrol].tolist()
    return out


@pytest.mark.parametrize("dtype", ["str", object], ids=["arrow text", "python objects"])
@pytest.mark.parametrize(
    "arrange",
    [
        pytest.param(lambda a, b, c: [a, b, c], id="grouped, ids in order"),
        pytest.param(lambda a, b, c: [c, a, b], id="grouped, ids out of order"),
        pytest.param(lambda a, b, c: [a.iloc[:3], b, a.iloc[3:], c], id="a patrol comes back later"),
        pytest.param(lambda a, b, c: [a.iloc[::-1], b, c], id="times reversed within a patrol"),
    ],
)
def test_every_arrangement_of_patrols_gives_the_segments_of_sorted_input(dtype, arrange):
    a = track("a", T0, [(X + 10 * i, Y) for i in range(6)], interval_s=15)
    b = track("b", T0, [(X, Y + 10 * i) for i in range(6)], interval_s=20)
    c = track("c", T0, [(X + 5 * i, Y + 5 * i) for i in range(4)], interval_s=10)
    want = fields(build_segments(pd.concat([a, b, c], ignore_index=True)))
    points = pd.concat(arrange(a, b, c), ignore_index=True)
    points[PATROL_ID] = points[PATROL_ID].astype(dtype)
    assert fields(build_segments(points)) == want


def test_a_missing_patrol_id_is_refused_with_the_count():
    pts = track("p1", T0, [(X, Y), (X + 10, Y), (X + 20, Y)], interval_s=10)
    pts[PATROL_ID] = pd.Series(["p1", None, "p1"], dtype=object)
    with pytest.raises(ValueError, match="patrol_id is missing in 1 of 3 track points"):
        build_segments(pts)


def test_times_of_any_resolution_are_read_as_epoch_seconds():
    pts = track("p1", T0, [(X, Y), (X + 10, Y)], interval_s=10)
    pts[TIME_UTC] = pts[TIME_UTC].dt.as_unit("ms")
    seg = build_segments(pts)
    assert_allclose(seg.t0, [E0])
    assert_allclose(seg.t1, [E0 + 10])


def test_take_selects_segments_and_keeps_patrol_ids():
    pts = track("p1", T0, [(X + 10 * i, Y) for i in range(4)], interval_s=10)
    seg = build_segments(pts)
    part = seg.take(np.array([False, True, True]))
    assert starts_ends(part) == [(10.0, 20.0), (20.0, 30.0)]
    assert list(part.patrol_ids[part.patrol]) == ["p1", "p1"]


def test_no_points_and_one_point_give_no_segments():
    one = track("p1", T0, [(X, Y), (X, Y)], interval_s=10).iloc[:1]
    assert len(build_segments(one)) == 0
    assert len(build_segments(one.iloc[:0])) == 0


def test_segment_keeps_lon_lat_of_its_fixes():
    pts = track("p1", T0, [(X, Y), (X + 10, Y)], interval_s=10)
    seg = build_segments(pts)
    assert_allclose([seg.lon0[0], seg.lat0[0], seg.lon1[0], seg.lat1[0]],
                    [pts.lon[0], pts.lat[0], pts.lon[1], pts.lat[1]])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_gap_s": 0}, r"max_gap_s must be > 0 seconds; got 0"),
        ({"max_speed_kmh": -1.0}, r"max_speed_kmh must be > 0 km/h; got -1.0"),
    ],
)
def test_non_positive_limits_are_refused(kwargs, message):
    pts = track("p1", T0, [(X, Y), (X + 10, Y)], interval_s=10)
    with pytest.raises(ValueError, match=message):
        build_segments(pts, **kwargs)


def test_patrol_column_is_required_by_name():
    pts = track("p1", T0, [(X, Y), (X + 10, Y)], interval_s=10).drop(columns=[PATROL_ID])
    with pytest.raises(KeyError, match=PATROL_ID):
        build_segments(pts)
