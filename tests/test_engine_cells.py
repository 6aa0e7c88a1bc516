"""Tests of geo.engine.cells: exact share of each segment's length in each H3 cell, in both kernel modes.

The reference split is computed independently of the engine: h3-py's cell
boundary vertices are joined by great-circle arcs (H3 edges are straight lines
on the gnomonic icosahedron face, i.e. great-circle arcs), densified, and
intersected with the segment as a straight line in lon/lat with shapely.
Joining the vertices by straight lon/lat lines instead would be off by up to
~1 mm per 200 m edge at Oslo's latitude (the sagitta L²·tan φ / 8R), i.e. a
share error of ~1e-5; the densified arcs bring that below 1e-8.
"""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from shapely.geometry import LineString, Polygon

from geo.engine.cells import (
    DEFAULT_RESOLUTION,
    RESOLUTIONS,
    cell_centres_lonlat,
    cell_polygons,
    cells_from_hex,
    cells_of,
    cells_to_hex,
    check_resolution,
    split_by_cells,
    sum_by_cell,
)
from geo.engine import kernels
from geo.engine.segments import build_segments
from tests.builders import BASE, lonlat, oslo, track, utm

X, Y = BASE
T0 = oslo("2024-06-07 20:00")


@pytest.fixture(autouse=True, params=["fast", "reference"])
def kernel_mode(request, monkeypatch):
    """Every test runs with h3grid (as shipped) and with h3ronpy in its place (``geo.engine.kernels``)."""
    monkeypatch.setattr(kernels, "REFERENCE", request.param == "reference")
    return request.param


# --- independent reference ---------------------------------------------------------------


def _unit(lat, lon) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def cell_polygon(cell: int, per_edge: int = 64) -> Polygon:
    """H3 cell as a lon/lat polygon whose edges follow great-circle arcs."""
    b = np.asarray(h3.cell_to_boundary(h3.int_to_str(int(cell))))
    v = _unit(b[:, 0], b[:, 1])
    t = np.arange(per_edge) / per_edge
    parts = []
    for a, c in zip(v, np.roll(v, -1, axis=0)):
        omega = np.arccos(np.clip(a @ c, -1.0, 1.0))
        parts.append((np.sin((1 - t) * omega)[:, None] * a + np.sin(t * omega)[:, None] * c) / np.sin(omega))
    p = np.concatenate(parts)
    return Polygon(np.column_stack([np.degrees(np.arctan2(p[:, 1], p[:, 0])), np.degrees(np.arcsin(p[:, 2]))]))


def reference_split(lon0, lat0, lon1, lat1, res) -> dict[int, float]:
    """Share of the lon/lat line in every cell it meets (h3-py + shapely)."""
    start = h3.latlng_to_cell(lat0, lon0, res)
    end = h3.latlng_to_cell(lat1, lon1, res)
    candidates = {h3.str_to_int(c) for c in h3.grid_path_cells(start, end)}
    candidates |= {h3.str_to_int(n) for c in list(candidates) for n in h3.grid_disk(h3.int_to_str(c), 1)}
    line = LineString([(lon0, lat0), (lon1, lat1)])
    out = {}
    for c in candidates:
        share = line.intersection(cell_polygon(c)).length / line.length
        if share > 0:
            out[c] = share
    return out


def random_segments(n: int, *, seed: int, max_length: float = 400.0):
    """``n`` one-segment patrols with random position, direction and length (EPSG:25832)."""
    rng = np.random.default_rng(seed)
    x0 = X + rng.uniform(-500, 500, n)
    y0 = Y + rng.uniform(-500, 500, n)
    angle = rng.uniform(0, 2 * np.pi, n)
    length = rng.uniform(0, max_length, n)
    frames = [
        track(f"p{i:03d}", T0, [(x0[i], y0[i]), (x0[i] + length[i] * np.cos(angle[i]), y0[i] + length[i] * np.sin(angle[i]))],
              interval_s=300)
        for i in range(n)
    ]
    # 400 m in 300 s is 4.8 km/h: every pair is a segment
    return build_segments(pd.concat(frames, ignore_index=True))


def pieces_of(pieces, s: int) -> dict[int, float]:
    m = pieces.segment == s
    out: dict[int, float] = {}
    for c, f in zip(pieces.cell[m].tolist(), pieces.fraction[m].tolist()):
        out[int(c)] = out.get(int(c), 0.0) + f
    return out


# --- cells_of --------------------------------------------------------------------------------


def test_resolutions_offered():
    assert RESOLUTIONS == (9, 10, 11)
    assert DEFAULT_RESOLUTION == 10


def test_cells_of_takes_lon_then_lat_and_matches_h3():
    lon = np.array([10.7522, 10.7600, 10.7400])
    lat = np.array([59.9111, 59.9150, 59.9080])
    for res in RESOLUTIONS:
        got = cells_of(lon, lat, res)
        assert got.dtype == np.uint64
        assert got.tolist() == [h3.str_to_int(h3.latlng_to_cell(la, lo, res)) for lo, la in zip(lon, lat)]


def test_cells_of_no_points_is_empty():
    got = cells_of(np.zeros(0), np.zeros(0), 10)
    assert got.dtype == np.uint64 and got.size == 0


@pytest.mark.parametrize("res", [8, 12, 0])
def test_unsupported_resolution_is_refused(res):
    with pytest.raises(ValueError, match=rf"H3 resolution must be one of \(9, 10, 11\); got {res}"):
        check_resolution(res)
    seg = random_segments(1, seed=0)
    with pytest.raises(ValueError, match="H3 resolution must be one of"):
        split_by_cells(seg, res)


# --- split_by_cells ------------------------------------------------------------------------------


def test_segment_within_one_cell_is_one_piece_of_fraction_one():
    # 2 m segment at the centre of the res-10 cell containing the base point
    lon, lat = lonlat(X, Y)
    cell = h3.latlng_to_cell(float(lat), float(lon), 10)
    lat, lon = h3.cell_to_latlng(cell)
    cx, cy = utm(lon, lat)
    seg = build_segments(track("p", T0, [(float(cx) - 1, float(cy)), (float(cx) + 1, float(cy))], interval_s=2))
    pieces = split_by_cells(seg, 10)
    assert pieces.segment.tolist() == [0]
    assert pieces.cell.tolist() == [h3.str_to_int(cell)]
    assert pieces.fraction.tolist() == [1.0]


def test_standing_still_is_one_piece_in_its_cell():
    seg = build_segments(track("p", T0, [(X, Y), (X, Y)], interval_s=60))
    pieces = split_by_cells(seg, 11)
    assert pieces.segment.tolist() == [0]
    assert pieces.cell.tolist() == cells_of(seg.lon0, seg.lat0, 11).tolist()
    assert pieces.fraction.tolist() == [1.0]


def test_segment_between_neighbouring_cell_centres_splits_about_half_half():
    # the shared edge of two regular hexagons bisects the line between their centres;
    # in lon/lat the split is within a few thousandths of 1/2
    a = h3.latlng_to_cell(59.9111, 10.7522, 10)
    b = min(h3.grid_ring(a, 1))
    (la0, lo0), (la1, lo1) = h3.cell_to_latlng(a), h3.cell_to_latlng(b)
    (x0, x1), (y0, y1) = utm([lo0, lo1], [la0, la1])
    seg = build_segments(track("p", T0, [(x0, y0), (x1, y1)], interval_s=60))
    got = pieces_of(split_by_cells(seg, 10), 0)
    assert set(got) == {h3.str_to_int(a), h3.str_to_int(b)}
    assert_allclose([got[h3.str_to_int(a)], got[h3.str_to_int(b)]], [0.5, 0.5], atol=5e-3)


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_fractions_of_every_segment_sum_to_one(res):
    seg = random_segments(150, seed=res)
    pieces = split_by_cells(seg, res)
    sums = np.bincount(pieces.segment, weights=pieces.fraction, minlength=len(seg))
    assert_allclose(sums, np.ones(len(seg)), atol=1e-12)
    assert np.all(pieces.fraction > 0)
    assert np.all(pieces.fraction <= 1)


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_split_matches_independent_h3_boundary_intersection(res):
    seg = random_segments(80, seed=100 + res)
    pieces = split_by_cells(seg, res)
    for s in range(len(seg)):
        got = pieces_of(pieces, s)
        if seg.length_m[s] == 0:
            continue
        want = reference_split(seg.lon0[s], seg.lat0[s], seg.lon1[s], seg.lat1[s], res)
        # slivers under 1e-6 of the length may be missed by either side
        assert {c for c, f in want.items() if f > 1e-6} <= set(got), s
        for c in set(got) | set(want):
            assert got.get(c, 0.0) == pytest.approx(want.get(c, 0.0), abs=1e-6), (s, hex(c))


def test_piece_metres_are_shares_of_the_utm_length():
    # a 300 m walk north at res 11 crosses several cells; metres per piece sum to 300
    seg = build_segments(track("p", T0, [(X, Y), (X, Y + 300)], interval_s=120))
    pieces = split_by_cells(seg, 11)
    assert len(pieces.segment) >= 3
    assert_allclose((seg.length_m[pieces.segment] * pieces.fraction).sum(), 300.0, atol=1e-6)


def test_no_segments_give_no_pieces():
    seg = random_segments(3, seed=1).take(np.zeros(3, dtype=bool))
    pieces = split_by_cells(seg, 10)
    assert pieces.segment.size == pieces.cell.size == pieces.fraction.size == 0


def test_segment_crossing_many_cells_is_split_completely():
    # 4 km at res 11 (cells ~50 m across) crosses ~100 cells; only possible with limits
    # far beyond the defaults (here 1 h gap), and still split into pieces summing to 1
    seg = build_segments(track("p", T0, [(X, Y), (X + 4000, Y)], interval_s=1800), max_gap_s=3600)
    pieces = split_by_cells(seg, 11)
    assert pieces.fraction.sum() == pytest.approx(1.0)
    assert len(pieces.segment) > 64


def test_longest_segment_the_default_limits_accept_can_be_split_at_res_11():
    # 1600 m in 300 s = 19.2 km/h ≤ 20 km/h and gap 300 s ≤ 5 min: a valid presence segment.
    # Heading 131.5° (counter-clockwise from east) it runs along the boundary between two
    # rows of res-11 cells and enters a new cell every ~19.5 m: 82 pieces.
    a = np.radians(131.5)
    seg = build_segments(track("p", T0, [(X, Y), (X + 1600 * np.cos(a), Y + 1600 * np.sin(a))], interval_s=300))
    assert len(seg) == 1
    pieces = split_by_cells(seg, 11)
    assert pieces.fraction.sum() == pytest.approx(1.0)
    assert len(pieces.segment) == 82
    want = reference_split(seg.lon0[0], seg.lat0[0], seg.lon1[0], seg.lat1[0], 11)
    assert len(want) == 82
    got = pieces_of(pieces, 0)
    assert max(abs(got.get(c, 0.0) - f) for c, f in want.items()) < 1e-6


def test_sum_by_cell_adds_runs_and_repeats_of_a_cell():
    # cell 5 appears in a run of two and again later: 1 + 2 + 4 = 7; cell 9's run: 5 + 6 = 11
    cells, (first, second) = sum_by_cell(np.array([5, 5, 7, 5, 9, 9], dtype=np.uint64),
                                         np.array([1.0, 2, 3, 4, 5, 6]), np.array([10.0, 20, 30, 40, 50, 60]))
    assert cells.tolist() == [5, 7, 9]
    assert first.tolist() == [7.0, 3.0, 11.0]
    assert second.tolist() == [70.0, 30.0, 110.0]


def test_sum_by_cell_of_nothing_is_empty():
    cells, (sums,) = sum_by_cell(np.zeros(0, dtype=np.uint64), np.zeros(0))
    assert cells.size == 0 and sums.size == 0


def test_cells_convert_to_and_from_hex_and_give_their_boundary_and_centre():
    cell = h3.latlng_to_cell(59.9115, 10.7505, 10)
    as_int = np.array([int(cell, 16)], dtype=np.uint64)
    assert cells_to_hex(as_int) == [cell]
    assert cells_from_hex(pd.Series([cell])).tolist() == as_int.tolist()
    assert cells_from_hex(pd.Series(as_int.astype(np.int64))).tolist() == as_int.tolist()
    lon, lat = cell_centres_lonlat(as_int)
    assert_allclose([lat[0], lon[0]], h3.cell_to_latlng(cell), atol=1e-9)
    (polygon,) = cell_polygons(as_int)
    boundary = [(lng, lat_) for lat_, lng in h3.cell_to_boundary(cell)]
    assert polygon.symmetric_difference(Polygon(boundary)).area < 1e-15  # square degrees
    assert cell_polygons(np.zeros(0, np.uint64)).size == 0 and cell_centres_lonlat([])[0].size == 0
