"""Tests of geo.engine.areas: exact share of a segment's length inside field-area polygons.

All geometry is EPSG:25832 metres around the base point near Oslo S. The
:class:`AreaIndex` decides short segments (up to ``GRID_MARGIN_M``) from a
lookup grid and an exact crossing test, and hands degenerate cases and longer
segments to shapely; every path is checked against hand-computed shares, and
against shapely and an independent clipping computation for random segments.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from shapely.affinity import rotate
from shapely.geometry import MultiPolygon, Polygon, box

from geo.engine.areas import GRID_MARGIN_M, AreaIndex, exact_inside_fraction
from tests.builders import BASE

X, Y = BASE
ALWAYS = (0, np.iinfo(np.int64).max)  # valid_from_day, valid_to_day: valid on every day
SQUARE = box(X, Y, X + 100, Y + 100)
HOLED = Polygon(
    [(X, Y), (X + 100, Y), (X + 100, Y + 100), (X, Y + 100)],
    holes=[[(X + 30, Y + 30), (X + 70, Y + 30), (X + 70, Y + 70), (X + 30, Y + 70)]],
)
TWO_SQUARES = MultiPolygon([box(X, Y, X + 100, Y + 100), box(X + 200, Y, X + 300, Y + 100)])
L_SHAPE = Polygon([(X, Y), (X + 120, Y), (X + 120, Y + 40), (X + 40, Y + 40), (X + 40, Y + 120), (X, Y + 120)])
TILTED = rotate(box(X + 10.3, Y + 7.7, X + 93.1, Y + 61.9), 23.0, origin=(X + 50, Y + 50))


def index_of(*polygons, days=None) -> AreaIndex:
    """An AreaIndex over ``polygons``, each valid on every day unless ``days`` gives (from, to) per polygon."""
    days = days or [ALWAYS] * len(polygons)
    return AreaIndex(list(polygons), np.array([d[0] for d in days]), np.array([d[1] for d in days]))


def dense(index: AreaIndex, a: np.ndarray, day=None) -> np.ndarray:
    """Shares as a (segment, version) matrix; checks every pair appears at most once."""
    length = np.hypot(a[:, 2] - a[:, 0], a[:, 3] - a[:, 1])
    day = np.zeros(len(a), np.int64) if day is None else np.asarray(day, np.int64)
    got = index.shares(a[:, 0], a[:, 1], a[:, 2], a[:, 3], length, day)
    pairs = got.segment * max(len(index), 1) + got.version
    assert len(np.unique(pairs)) == len(pairs), "a (segment, version) pair is reported twice"
    assert np.all(got.share > 0) and np.all(got.share <= 1)
    out = np.zeros((len(a), len(index)))
    out[got.segment, got.version] = got.share
    return out


def fraction(polygon, segments) -> np.ndarray:
    """Share inside ``polygon`` for segments [(x0, y0, x1, y1), ...] through the AreaIndex."""
    a = np.asarray(segments, dtype=float).reshape(-1, 4)
    return dense(index_of(polygon), a)[:, 0]


def exact(polygon, segments) -> np.ndarray:
    a = np.asarray(segments, dtype=float).reshape(-1, 4)
    length = np.hypot(a[:, 2] - a[:, 0], a[:, 3] - a[:, 1])
    return exact_inside_fraction(polygon, a[:, 0], a[:, 1], a[:, 2], a[:, 3], length)


def steps(x_from: float, x_to: float, y: float, step: float) -> list[tuple[float, float, float, float]]:
    """Consecutive horizontal segments of ``step`` metres at northing ``y``."""
    xs = np.arange(x_from, x_to + step / 2, step)
    return [(a, y, b, y) for a, b in itertools.pairwise(xs)]


# --- the walk in, through and out ---------------------------------------------------


def test_walk_50_m_outside_100_m_inside_50_m_outside_has_exactly_100_m_inside():
    # 10 m steps from x-50 to x+150 at mid-height: 20 segments, 10 inside.
    segs = steps(X - 50, X + 150, Y + 50, 10.0)
    share = fraction(SQUARE, segs)
    assert_allclose(share, [0.0] * 5 + [1.0] * 10 + [0.0] * 5)
    assert_allclose((share * 10.0).sum(), 100.0)


def test_walk_in_steps_not_aligned_with_the_boundary_is_split_exactly():
    # 7 m steps from x-49 to x+147 (28 segments, 196 m): inside is x..x+100 = 100 m,
    # boundary crossings at 49/7 = 7.0 steps (exact) and 149/7 = 21.29 steps.
    segs = steps(X - 49, X + 147, Y + 50, 7.0)
    share = fraction(SQUARE, segs)
    assert_allclose((share * 7.0).sum(), 100.0, atol=1e-9)
    # the crossing segment x+98..x+105 has 2 of its 7 m inside
    assert_allclose(share[21], 2.0 / 7.0)


def test_one_long_segment_through_the_square_is_half_inside():
    # one 200 m segment from x-50 to x+150: 100 m inside → 0.5
    assert_allclose(fraction(SQUARE, [(X - 50, Y + 50, X + 150, Y + 50)]), [0.5])


def test_long_segment_starting_deep_inside_is_not_taken_as_wholly_inside():
    # starts at the centre (interior grid cell) but is 200 m long: 50 of 200 m inside
    assert_allclose(fraction(SQUARE, [(X + 50, Y + 50, X + 250, Y + 50)]), [0.25])


def test_long_segment_starting_off_the_grid_still_crosses_the_polygon():
    # 2 km segment from x-1000 to x+1000 crosses the 100 m square: 100 / 2000 = 0.05
    assert_allclose(fraction(SQUARE, [(X - 1000, Y + 50, X + 1000, Y + 50)]), [0.05])


def test_diagonal_segment_crossing_a_corner():
    # (x-30, y+50) → (x+30, y+110) is (-30 + 60t, 50 + 60t) for t in 0..1;
    # inside needs x ≥ 0 (t ≥ 1/2) and y ≤ 100 (t ≤ 5/6): share 5/6 - 1/2 = 1/3.
    assert_allclose(fraction(SQUARE, [(X - 30, Y + 50, X + 30, Y + 110)]), [1.0 / 3.0])


def test_segments_far_away_are_outside():
    assert_allclose(fraction(SQUARE, [(X + 5000, Y, X + 5010, Y), (X - 500, Y - 500, X - 400, Y - 400)]), [0.0, 0.0])


# --- boundary -------------------------------------------------------------------------


def test_segment_along_the_boundary_edge_counts_as_inside():
    # on the bottom edge y = 0: short (10 m, grid path) and long (100 m, shapely path)
    share = fraction(SQUARE, [(X + 10, Y, X + 20, Y), (X, Y, X + 100, Y)])
    assert_allclose(share, [1.0, 1.0])


def test_segment_just_outside_the_edge_counts_nothing():
    assert_allclose(fraction(SQUARE, [(X + 10, Y - 0.01, X + 20, Y - 0.01)]), [0.0])


def test_segment_from_the_edge_outwards_counts_nothing():
    # starts on the edge, goes 10 m out: only its start point touches → 0
    assert_allclose(fraction(SQUARE, [(X + 50, Y, X + 50, Y - 10)]), [0.0])


# --- standing still --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        ((X + 50, Y + 50), 1.0),  # interior grid cell
        ((X + 3, Y + 3), 1.0),  # inside, mixed grid cell near the corner
        ((X + 2.5, Y + 50.5), 1.0),  # inside, mixed grid cell, not on a grid line
        ((X, Y + 50), 1.0),  # on the edge
        ((X + 100, Y + 100), 1.0),  # on a corner
        ((X - 3, Y + 50), 0.0),  # just outside, mixed cell
        ((X - 500, Y + 50), 0.0),  # far outside, off the grid
    ],
)
def test_standing_still_counts_fully_in_or_on_the_polygon(point, expected):
    share = fraction(SQUARE, [(*point, *point)])
    assert_allclose(share, [expected])
    assert_allclose(exact(SQUARE, [(*point, *point)]), [expected])


# --- holes and multipolygons --------------------------------------------------------------


def test_polygon_with_a_hole_excludes_the_hole():
    # through the middle: inside x..x+30 and x+70..x+100 → 60 of 100 m
    assert_allclose(fraction(HOLED, [(X, Y + 50, X + 100, Y + 50)]), [0.6])
    # 10 m steps: the 4 segments in the hole (x+30..x+70) count nothing
    share = fraction(HOLED, steps(X, X + 100, Y + 50, 10.0))
    assert_allclose(share, [1, 1, 1, 0, 0, 0, 0, 1, 1, 1])


def test_standing_still_in_the_hole_counts_nothing():
    assert_allclose(fraction(HOLED, [(X + 50, Y + 50, X + 50, Y + 50)]), [0.0])


def test_multipolygon_counts_both_parts():
    # x..x+300: inside x..x+100 and x+200..x+300 → 200 of 300 m
    assert_allclose(fraction(TWO_SQUARES, [(X, Y + 50, X + 300, Y + 50)]), [2.0 / 3.0])
    share = fraction(TWO_SQUARES, steps(X - 20, X + 320, Y + 50, 20.0))
    assert_allclose((share * 20.0).sum(), 200.0)


def test_non_convex_polygon_counts_only_the_arm_crossed():
    # L-shape: at y+60 only the vertical arm x..x+40 is inside; segment x-20..x+120 → 40 of 140
    assert_allclose(fraction(L_SHAPE, [(X - 20, Y + 60, X + 120, Y + 60)]), [40.0 / 140.0])


def test_empty_polygon_is_refused():
    with pytest.raises(ValueError, match="a field-area version has an empty polygon; every version needs a non-empty polygon"):
        index_of(SQUARE, Polygon())


# --- several versions in one index --------------------------------------------------------------


def test_overlapping_areas_each_get_the_full_share():
    # A = x..x+100, B = x+50..x+150 (overlap x+50..x+100). Segment x+25..x+125 (100 m):
    # in A x+25..x+100 = 75 m → 0.75; in B x+50..x+125 = 75 m → 0.75 (shares need not sum to 1)
    a, b = SQUARE, box(X + 50, Y, X + 150, Y + 100)
    segs = np.array([(X + 25, Y + 50, X + 125, Y + 50), (X + 60, Y + 50, X + 70, Y + 50), (X + 10, Y + 50, X + 15, Y + 50)])
    got = dense(index_of(a, b), segs)
    # second: 10 m wholly in the overlap → 1 and 1; third: 5 m in A only
    assert_allclose(got, [[0.75, 0.75], [1.0, 1.0], [1.0, 0.0]])


def test_identical_polygons_as_two_versions_are_both_counted():
    got = dense(index_of(SQUARE, SQUARE), np.array([(X + 40, Y + 50, X + 50, Y + 50)]))
    assert_allclose(got, [[1.0, 1.0]])


def test_only_versions_valid_on_the_segment_day_get_a_share():
    # v0 valid days [100, 200), v1 [200, open); same square. Segments on days 99, 100, 199, 200.
    idx = index_of(SQUARE, SQUARE, days=[(100, 200), (200, ALWAYS[1])])
    short = (X + 40, Y + 50, X + 50, Y + 50)  # 10 m, grid path
    long = (X + 10, Y + 50, X + 90, Y + 50)  # 80 m, shapely path
    segs = np.array([short, short, short, short, long, long])
    got = dense(idx, segs, day=[99, 100, 199, 200, 199, 200])
    assert_allclose(got, [[0, 0], [1, 0], [1, 0], [0, 1], [1, 0], [0, 1]])


def test_crossing_segment_counts_only_in_the_version_valid_that_day():
    # mixed-cell path: 10 m from x-5 to x+5 is half inside; valid only from day 10
    idx = index_of(SQUARE, days=[(10, ALWAYS[1])])
    segs = np.array([(X - 5, Y + 50, X + 5, Y + 50)] * 2)
    assert_allclose(dense(idx, segs, day=[9, 10]), [[0.0], [0.5]])


def test_index_without_versions_or_segments_gives_no_shares():
    empty = AreaIndex([], np.zeros(0, np.int64), np.zeros(0, np.int64))
    a = np.array([(X, Y, X + 10, Y)], dtype=float)
    got = empty.shares(a[:, 0], a[:, 1], a[:, 2], a[:, 3], np.array([10.0]), np.zeros(1, np.int64))
    assert got.segment.size == got.version.size == got.share.size == 0
    none = np.zeros(0)
    got = index_of(SQUARE).shares(none, none, none, none, none, np.zeros(0, np.int64))
    assert got.segment.size == 0


# --- fast paths vs shapely vs independent clipping ------------------------------------------------


def clip_to_box(x0, y0, x1, y1, xmin, ymin, xmax, ymax) -> float:
    """Liang–Barsky: length of the segment inside an axis-aligned box (independent of shapely)."""
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x0 - xmin), (dx, xmax - x0), (-dy, y0 - ymin), (dy, ymax - y0)):
        if p == 0:
            if q < 0:
                return 0.0
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
    return max(t1 - t0, 0.0) * float(np.hypot(dx, dy))


coordinate = st.floats(min_value=-60.0, max_value=330.0, allow_nan=False)
snapped = st.integers(min_value=-15, max_value=165).map(lambda i: 2.0 * i)  # on grid lines, edges, vertices
offset = st.one_of(
    st.floats(min_value=-2.0 * GRID_MARGIN_M, max_value=2.0 * GRID_MARGIN_M, allow_nan=False),
    st.sampled_from([0.0, 2.0, -2.0, 10.0, -10.0, GRID_MARGIN_M, -GRID_MARGIN_M]),
)
segment = st.tuples(st.one_of(coordinate, snapped), st.one_of(coordinate, snapped), offset, offset)
POLYGONS = [SQUARE, HOLED, TWO_SQUARES, L_SHAPE, TILTED, box(X + 50, Y + 20, X + 250, Y + 80)]
INDEX = index_of(*POLYGONS)


def as_segments(raw) -> np.ndarray:
    a = np.asarray(raw, dtype=float)
    x0, y0 = X + a[:, 0], Y + a[:, 1]
    return np.column_stack([x0, y0, x0 + a[:, 2], y0 + a[:, 3]])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(segment, min_size=1, max_size=40))
def test_fast_paths_agree_with_shapely_for_every_version(raw):
    # Coordinates near 6.6e6 m carry ~1e-9 m of rounding, so agreement is asked in
    # metres (1e-7 m) and, for segments over 1 mm, in shares (1e-6).
    a = as_segments(raw)
    length = np.hypot(a[:, 2] - a[:, 0], a[:, 3] - a[:, 1])
    got = dense(INDEX, a)
    for v, polygon in enumerate(POLYGONS):
        want = exact(polygon, a)
        assert_allclose(got[:, v] * length, want * length, atol=1e-7, err_msg=f"version {v}")
        longer = length > 1e-3
        assert_allclose(got[longer, v], want[longer], atol=1e-6, err_msg=f"version {v}")
        standing = length == 0
        assert_allclose(got[standing, v], want[standing], err_msg=f"version {v}")


@settings(max_examples=120, deadline=None)
@given(st.lists(segment, min_size=1, max_size=20))
def test_share_in_a_square_matches_independent_clipping(raw):
    a = as_segments(raw)
    got = fraction(SQUARE, a)
    for (x0, y0, x1, y1), share in zip(a, got):
        length = float(np.hypot(x1 - x0, y1 - y0))
        if length == 0:
            inside = X <= x0 <= X + 100 and Y <= y0 <= Y + 100
            assert share == (1.0 if inside else 0.0)
        else:
            want = clip_to_box(x0, y0, x1, y1, X, Y, X + 100, Y + 100)
            assert share * length == pytest.approx(want, abs=1e-7)


# --- areas far apart: several grid clusters, one inside another's extent ---------------------

# A chain of boxes 450 m apart forms one cluster whose extent (1.2 km square) wraps around a
# box more than 500 m from each of them, which therefore gets a cluster (and grids) of its own.
CHAIN = [box(X + cx, Y + cy, X + cx + 100, Y + cy + 100) for cx, cy in
         ((0, 0), (0, 550), (0, 1100), (550, 1100), (1100, 1100))]
INSIDE_THE_CHAIN = box(X + 650, Y + 450, X + 750, Y + 550)
FAR_APART = [*CHAIN, INSIDE_THE_CHAIN]
FAR_INDEX = index_of(*FAR_APART)
near_a_box = st.tuples(
    st.sampled_from([p.bounds[:2] for p in FAR_APART]),
    st.one_of(coordinate.map(lambda v: v / 3.3 - 10.0), snapped.map(lambda v: v / 3.0)),
    st.one_of(coordinate.map(lambda v: v / 3.3 - 10.0), snapped.map(lambda v: v / 3.0)),
    offset,
    offset,
)


def test_far_apart_areas_get_separate_clusters_with_overlapping_extents():
    assert len(FAR_INDEX.clusters) == 2
    assert sorted(len(members) for members, _ in FAR_INDEX.clusters) == [1, 5]
    lookup = FAR_INDEX.cluster_lookup
    assert (lookup.code == lookup._SEVERAL).any()  # the lone box lies inside the chain's extent


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(near_a_box, min_size=1, max_size=40))
def test_far_apart_areas_agree_with_shapely(raw):
    a = np.array([(bx + dx, by + dy, bx + dx + ox, by + dy + oy) for (bx, by), dx, dy, ox, oy in raw])
    length = np.hypot(a[:, 2] - a[:, 0], a[:, 3] - a[:, 1])
    got = dense(FAR_INDEX, a)
    for v, polygon in enumerate(FAR_APART):
        want = exact(polygon, a)
        assert_allclose(got[:, v] * length, want * length, atol=1e-7, err_msg=f"version {v}")
