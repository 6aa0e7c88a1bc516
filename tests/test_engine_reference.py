"""The whole presence engine equals a slow, obviously correct reference on random input.

The reference follows PRODUCT.md's Presence definition literally, one segment
at a time: project with pyproj to EPSG:25832, keep segments of one patrol at
most ``max_gap`` apart and at most ``max_speed`` fast, and give each area (and
each H3 cell) ``duration × intersection length / segment length`` via shapely.
A segment of zero length (below a micrometre) counts fully where its point is in or on the polygon.
H3 cells are polygons from ``h3.cell_to_boundary`` projected vertex by vertex.

Hypothesis draws tracks (random walks with steps of 0–40 m and 1–400 s, so
some segments are too slow apart or too fast; tracks that zig-zag across an
edge within a metre of it) and area sets (boxes, boxes with holes,
multipolygons, overlapping convex polygons). Every area and cell must agree
within 0.1 % (plus 1 ms / 1 mm absolute for tiny values).
"""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

from geo.engine.presence import prepare_areas, presence_totals
from geo.engine.segments import MAX_GAP_S, MAX_SPEED_KMH
from geo.schema import AREA_ID, CELL, METRES, SECONDS
from tests.builders import BASE, area, area_versions, lonlat, oslo, track, utm

X, Y = BASE
EXTENT_M = 300.0
REL_TOL = 1e-3
ABS_TOL_S = 1e-3
ABS_TOL_M = 1e-3
PROJECTION_SLACK_M = 1e-3
POINT_LIKE_M = 1e-6
RES = 11  # smallest cells (~25 m edges): the most cell crossings per segment
START = oslo("2024-06-07 20:00")

# --- the reference -------------------------------------------------------------------------


def _reference_segments(points: pd.DataFrame) -> list[tuple[LineString, float, float]]:
    """(EPSG:25832 line, seconds, metres) of every segment that counts as presence."""
    x, y = utm(points["lon"].to_numpy(), points["lat"].to_numpy())
    t = (points["time_utc"] - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy()
    out = []
    for i in range(len(points) - 1):
        if points["patrol_id"].iat[i] != points["patrol_id"].iat[i + 1]:
            continue
        dt = t[i + 1] - t[i]
        line = LineString([(x[i], y[i]), (x[i + 1], y[i + 1])])
        if 0 < dt <= MAX_GAP_S and line.length <= MAX_SPEED_KMH / 3.6 * dt:
            out.append((line, dt, line.length))
    return out


def _share(line: LineString, polygon) -> float:
    if line.length < POINT_LIKE_M:  # shapely's intersection of a sub-micrometre line is unreliable
        return 1.0 if polygon.covers(Point(line.coords[0])) else 0.0
    return line.intersection(polygon).length / line.length


def _bounds(line: LineString, polygon) -> tuple[float, float]:
    """Share of ``line`` in ``polygon`` shrunk and grown by PROJECTION_SLACK_M.

    The engine and this reference both project with pyproj, but through
    different arrays and area preparation (``geo.engine.areas`` works on its
    own EPSG:25832 copy of the polygons), so a segment lying exactly on an edge
    may fall either side by rounding. Away from edges both bounds are equal.
    """
    return (_share(line, polygon.buffer(-PROJECTION_SLACK_M, join_style="mitre")),
            _share(line, polygon.buffer(PROJECTION_SLACK_M, join_style="mitre")))


Totals = dict  # key → np.array([seconds_low, seconds_high, metres_low, metres_high])


def _add(totals: Totals, key, seconds: float, metres: float, low: float, high: float) -> None:
    totals.setdefault(key, np.zeros(4))
    totals[key] += (seconds * low, seconds * high, metres * low, metres * high)


def reference_areas(points: pd.DataFrame, polygons: dict[str, object]) -> Totals:
    totals: Totals = {area_id: np.zeros(4) for area_id in polygons}
    for line, seconds, metres in _reference_segments(points):
        for area_id, polygon in polygons.items():
            _add(totals, area_id, seconds, metres, *_bounds(line, polygon))
    return totals


def _cell_polygon(cell: str) -> Polygon:
    lat, lon = np.array(h3.cell_to_boundary(cell)).T
    return Polygon(np.column_stack(utm(lon, lat)))


def reference_cells(points: pd.DataFrame, res: int) -> Totals:
    totals: Totals = {}
    for line, seconds, metres in _reference_segments(points):
        # candidate cells: those of points every metre along the line, and their neighbours
        n = max(2, int(line.length) + 2)
        xs, ys = np.linspace(*line.xy[0], n), np.linspace(*line.xy[1], n)
        lon, lat = lonlat(xs, ys)
        near = {c for a, b in zip(lat, lon) for c in h3.grid_disk(h3.latlng_to_cell(a, b, res), 1)}
        for cell in near:
            low, high = _bounds(line, _cell_polygon(cell))
            if high > 0:
                _add(totals, h3.str_to_int(cell), seconds, metres, low, high)
    return totals


# --- random input --------------------------------------------------------------------------

coord = st.floats(0.0, EXTENT_M, allow_nan=False, allow_infinity=False)


@st.composite
def boxes(draw) -> Polygon:
    x0, y0 = draw(coord), draw(coord)
    w, h = draw(st.floats(5.0, 150.0)), draw(st.floats(5.0, 150.0))
    return box(X + x0, Y + y0, X + x0 + w, Y + y0 + h)


@st.composite
def area_polygons(draw):
    kind = draw(st.sampled_from(["box", "hole", "multi", "convex"]))
    if kind == "box":
        return draw(boxes())
    if kind == "hole":
        outer = draw(boxes())
        x0, y0, x1, y1 = outer.bounds
        fx, fy = draw(st.floats(0.2, 0.4)), draw(st.floats(0.2, 0.4))
        inner = box(x0 + fx * (x1 - x0), y0 + fy * (y1 - y0), x1 - fx * (x1 - x0), y1 - fy * (y1 - y0))
        return outer.difference(inner)
    if kind == "multi":
        parts = shapely.union_all([draw(boxes()), draw(boxes())])
        return parts if isinstance(parts, (Polygon, MultiPolygon)) else parts.convex_hull
    pts = draw(st.lists(st.tuples(coord, coord), min_size=3, max_size=8))
    hull = shapely.MultiPoint([(X + a, Y + b) for a, b in pts]).convex_hull
    return hull if isinstance(hull, Polygon) and hull.area > 25 else draw(boxes())


@st.composite
def random_walk(draw, patrol_id: str) -> pd.DataFrame:
    n = draw(st.integers(2, 40))
    x, y = draw(coord), draw(coord)
    xy, gaps = [(X + x, Y + y)], []
    for _ in range(n - 1):
        step = draw(st.floats(0.0, 40.0))
        angle = draw(st.floats(0.0, 2 * np.pi))
        x, y = x + step * np.cos(angle), y + step * np.sin(angle)
        xy.append((X + x, Y + y))
        gaps.append(float(draw(st.sampled_from([1, 2, 5, 10, 30, 299, 301, 400]))))
    return track(patrol_id, START, xy, interval_s=gaps)


@st.composite
def edge_zigzag(draw, polygon, patrol_id: str) -> pd.DataFrame:
    """Walk along the polygon's exterior, stepping up to 1 m either side of it every few metres."""
    ring = (polygon.geoms[0] if isinstance(polygon, MultiPolygon) else polygon).exterior
    start = draw(st.floats(0.0, ring.length))
    n = draw(st.integers(5, 40))
    distances = (start + np.arange(n) * draw(st.floats(0.5, 6.0))) % ring.length
    offsets = np.array(draw(st.lists(st.floats(-1.0, 1.0), min_size=n, max_size=n)))
    on_edge = shapely.line_interpolate_point(ring, distances)
    centre = polygon.centroid
    px, py = shapely.get_x(on_edge), shapely.get_y(on_edge)
    dx, dy = px - centre.x, py - centre.y
    norm = np.hypot(dx, dy)
    norm[norm == 0] = 1
    xy = list(zip(px + offsets * dx / norm, py + offsets * dy / norm))
    return track(patrol_id, START, xy, interval_s=2.0)


@st.composite
def scenarios(draw):
    polygons = {f"a{i}": draw(area_polygons()) for i in range(draw(st.integers(1, 4)))}
    tracks = [draw(random_walk("walk"))]
    if draw(st.booleans()):
        tracks.append(draw(edge_zigzag(polygons["a0"], "edge")))
    return pd.concat(tracks, ignore_index=True), polygons


# --- the property --------------------------------------------------------------------------


def _within(got: float, low: float, high: float, abs_tol: float) -> bool:
    slack = max(abs_tol, REL_TOL * abs(high))
    return low - slack <= got <= high + slack


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(scenarios())
def test_engine_equals_the_per_segment_shapely_reference(scenario):
    points, polygons = scenario
    areas = area_versions([area(area_id, geometry) for area_id, geometry in polygons.items()])
    totals = presence_totals(points, prepare_areas(areas), res=RES)

    got_areas = totals.per_area.groupby(AREA_ID)[[SECONDS, METRES]].sum()
    for area_id, (s_low, s_high, m_low, m_high) in reference_areas(points, polygons).items():
        got_s, got_m = got_areas.loc[area_id] if area_id in got_areas.index else (0.0, 0.0)
        assert _within(got_s, s_low, s_high, ABS_TOL_S), f"{area_id}: engine {got_s} s, reference {s_low}–{s_high} s"
        assert _within(got_m, m_low, m_high, ABS_TOL_M), f"{area_id}: engine {got_m} m, reference {m_low}–{m_high} m"

    expected_cells = reference_cells(points, RES)
    got_cells = totals.per_cell.set_index(CELL)[[SECONDS, METRES]]
    got_cells.index = got_cells.index.astype(np.uint64).astype(object).map(int)
    for cell in set(expected_cells) | set(got_cells.index):
        s_low, s_high, m_low, m_high = expected_cells.get(cell, np.zeros(4))
        got_s, got_m = got_cells.loc[cell] if cell in got_cells.index else (0.0, 0.0)
        assert _within(got_s, s_low, s_high, ABS_TOL_S), f"cell {cell:x}: engine {got_s} s, reference {s_low}–{s_high} s"
        assert _within(got_m, m_low, m_high, ABS_TOL_M), f"cell {cell:x}: engine {got_m} m, reference {m_low}–{m_high} m"
