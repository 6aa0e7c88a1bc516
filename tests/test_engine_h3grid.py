"""geo.engine.h3grid: cells identical to h3ronpy; segment pieces equal to independent references."""

from __future__ import annotations

from collections import defaultdict

import h3.api.basic_int as h3i
import numpy as np
import pytest
import shapely
from h3ronpy import vector as h3v

from geo.engine import h3grid

RESOLUTIONS = (9, 10, 11)
SENTRUM = (10.70, 10.80, 59.89, 59.94)
M_PER_DEG = 111_320.0


def h3ronpy_cells(lon: np.ndarray, lat: np.ndarray, res: int) -> np.ndarray:
    return np.asarray(h3v.coordinates_to_cells(np.asarray(lat, float), np.asarray(lon, float), res), dtype=np.uint64)


def assert_same_cells(lon: np.ndarray, lat: np.ndarray, res: int) -> None:
    got = h3grid.cells_of(lon, lat, res)
    want = h3ronpy_cells(lon, lat, res)
    bad = np.flatnonzero(got != want)
    assert bad.size == 0, f"{bad.size} of {lon.size} differ at res {res}, e.g. lon/lat {lon[bad[:3]]} {lat[bad[:3]]}"


def uniform(box, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(box[0], box[1], n), rng.uniform(box[2], box[3], n)


# ---------------------------------------------------------------------------
# cells_of
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_random_points_over_oslo_sentrum(res: int) -> None:
    lon, lat = uniform(SENTRUM, 2_000_000, 100 + res)
    assert_same_cells(lon, lat, res)


def _boundary_points(res: int, seed: int, n_cells: int = 1500) -> tuple[np.ndarray, np.ndarray]:
    """Vertices, points along edges (straight in lon/lat and on the great circle), tiny offsets."""
    rng = np.random.default_rng(seed)
    lon, lat = uniform(SENTRUM, n_cells, seed)
    cells = np.unique(h3ronpy_cells(lon, lat, res))
    pts = []
    for c in cells:
        b = np.array(h3i.cell_to_boundary(int(c)))  # (lat, lng)
        nxt = np.roll(b, -1, axis=0)
        pts.append(b)
        for t in rng.uniform(0.0, 1.0, 4):
            pts.append(b + t * (nxt - b))  # straight lon/lat chord of each edge (≤ 0.2 mm off the edge)
        pts.append(_slerp(b, nxt, 0.5))  # exactly on the edge (great circle)
        pts.append(_slerp(b, nxt, float(rng.uniform())))
    base = np.concatenate(pts)
    offs = np.array([0.0, 1e-9, -1e-9, 1e-12, -1e-12, 3e-10, -3e-10])
    dlat = rng.choice(offs, (len(base), 4))
    dlon = rng.choice(offs, (len(base), 4))
    lat_all = (base[:, :1] + dlat).ravel()
    lon_all = (base[:, 1:] + dlon).ravel()
    return np.r_[lon_all, base[:, 1]], np.r_[lat_all, base[:, 0]]


def _slerp(a_latlng: np.ndarray, b_latlng: np.ndarray, t: float) -> np.ndarray:
    """Points at fraction t along the great circle between (lat, lng) rows."""
    pa, pb = _xyz(a_latlng), _xyz(b_latlng)
    om = np.arccos(np.clip(np.sum(pa * pb, axis=1), -1.0, 1.0))[:, None]
    p = (np.sin((1 - t) * om) * pa + np.sin(t * om) * pb) / np.sin(om)
    return np.stack([np.degrees(np.arcsin(p[:, 2])), np.degrees(np.arctan2(p[:, 1], p[:, 0]))], axis=1)


def _xyz(latlng: np.ndarray) -> np.ndarray:
    la, lo = np.radians(latlng[:, 0]), np.radians(latlng[:, 1])
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=1)


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_points_on_and_next_to_cell_boundaries(res: int) -> None:
    lon, lat = _boundary_points(res, 200 + res)
    assert lon.size > 50_000
    assert_same_cells(lon, lat, res)


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_boundary_points_with_the_narrowest_band(res: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # Force full-degree polynomials: the edge band shrinks to ~1e-7 f units (~2.5 µm at res 11), so
    # points 1e-9° (~0.1 mm) off an edge take the fast path and must still be exact.
    monkeypatch.setattr(h3grid, "TRUNCATION_BUDGET", 1e-13)
    lon, lat = _boundary_points(res, 300 + res, n_cells=600)
    order = np.argsort(lon + 3.0 * lat)  # spatially coherent chunks
    assert_same_cells(lon[order], lat[order], res)


@pytest.mark.parametrize(
    "box",
    [
        (5.20, 5.45, 60.30, 60.45),  # Bergen
        (18.80, 19.10, 69.60, 69.72),  # Tromsø (two tiles)
        (29.90, 30.15, 69.68, 69.76),  # Kirkenes (two tiles)
        (10.20, 11.00, 64.50, 64.90),  # around the pentagon off Trøndelag: face edges, exact-only tiles
        (6.00, 6.40, 57.50, 57.70),  # across the edge between faces 3 and 4
    ],
)
def test_points_elsewhere_in_norway(box) -> None:
    lon, lat = uniform(box, 100_000, int(box[0] * 100))
    for res in RESOLUTIONS:
        assert_same_cells(lon, lat, res)


def test_points_scattered_over_norway() -> None:
    lon, lat = uniform((4.5, 31.2, 57.9, 71.2), 200_000, 7)
    assert_same_cells(lon, lat, 10)


def test_track_like_points() -> None:
    rng = np.random.default_rng(8)
    n = 300_000
    heading = np.cumsum(rng.normal(0.0, 0.3, n))
    lon = 10.74 + np.cumsum(1.3 * np.cos(heading) / 55_800.0)
    lat = 59.91 + np.cumsum(1.3 * np.sin(heading) / M_PER_DEG)
    for res in RESOLUTIONS:
        assert_same_cells(lon, lat, res)


def test_tiles_across_face_edges_are_exact_only() -> None:
    ok, reason, _ = h3grid.tile_status(10.7, 64.7, 10)
    assert not ok and "face edge" in reason
    ok, reason, fit = h3grid.tile_status(10.75, 59.91, 10)
    assert ok and fit < 1e-9


def test_fit_check_alone_rejects_tiles_across_face_edges(monkeypatch: pytest.MonkeyPatch) -> None:
    # second line of defence: without the face check the fit residual (order 1) rejects the tile
    monkeypatch.setattr(h3grid, "_single_face", lambda *args: True)
    for tx, ty in [(25, 323), (15, 288), (66, 288)]:
        tile = h3grid._H3Tile(10, tx, ty)
        assert tile.exact_only, (tx, ty)


def test_non_finite_input_raises_like_h3ronpy() -> None:
    lon, lat = uniform(SENTRUM, 10_000, 9)
    lat[1234] = np.nan
    with pytest.raises(ValueError):
        h3ronpy_cells(lon, lat, 10)
    with pytest.raises(ValueError):
        h3grid.cells_of(lon, lat, 10)


@pytest.mark.parametrize("n", [0, 1, 2047, 2048, 40_000])
def test_small_inputs(n: int) -> None:
    lon, lat = uniform(SENTRUM, n, n)
    got = h3grid.cells_of(lon, lat, 10)
    assert got.dtype == np.uint64 and got.shape == (n,)
    np.testing.assert_array_equal(got, h3ronpy_cells(lon, lat, 10))


# ---------------------------------------------------------------------------
# split_segments
# ---------------------------------------------------------------------------


def random_segments(n: int, seed: int, box=SENTRUM, lo_m: float = 1.0, hi_m: float = 2000.0):
    rng = np.random.default_rng(seed)
    lon0, lat0 = rng.uniform(box[0], box[1], n), rng.uniform(box[2], box[3], n)
    length = np.exp(rng.uniform(np.log(lo_m), np.log(hi_m), n))
    ang = rng.uniform(0.0, 2 * np.pi, n)
    lat1 = lat0 + length * np.sin(ang) / M_PER_DEG
    lon1 = lon0 + length * np.cos(ang) / (M_PER_DEG * np.cos(np.radians(lat0)))
    return lon0, lat0, lon1, lat1


def pieces_by_segment(s, c, f) -> dict[int, dict[int, float]]:
    out: dict[int, dict[int, float]] = defaultdict(dict)
    for a, b, x in zip(s.tolist(), c.tolist(), f.tolist()):
        out[a][b] = out[a].get(b, 0.0) + x
    return out


def densified_cell_polygon(cell: int, per_edge: int = 64) -> shapely.Polygon:
    """Cell polygon in lon/lat from h3.cell_to_boundary, edges densified along great circles.

    H3 cell edges are straight in the face's gnomonic plane, i.e. great-circle
    arcs; in lon/lat they bulge by up to ~0.15 mm (res 10) from the straight
    chord between the vertices. That is 1.5e-4 of a 1 m segment, so straight
    polygon edges could not serve as a 1e-6 reference. 64 points per edge
    reduce the bulge to ~4e-8 m.
    """
    b = np.array(h3i.cell_to_boundary(cell))
    nxt = np.roll(b, -1, axis=0)
    ts = np.arange(per_edge) / per_edge
    pts = []
    pa, pb = _xyz(b), _xyz(nxt)
    om = np.arccos(np.clip(np.sum(pa * pb, axis=1), -1.0, 1.0))
    for i in range(len(b)):
        p = (np.sin((1 - ts)[:, None] * om[i]) * pa[i] + np.sin(ts[:, None] * om[i]) * pb[i]) / np.sin(om[i])
        pts.append(np.stack([np.degrees(np.arctan2(p[:, 1], p[:, 0])), np.degrees(np.arcsin(p[:, 2]))], axis=1))
    return shapely.Polygon(np.concatenate(pts))


def shapely_reference(lon0: float, lat0: float, lon1: float, lat1: float, res: int) -> dict[int, float]:
    """Share of the lon/lat segment inside each cell polygon (independent of h3grid)."""
    t = np.linspace(0.0, 1.0, 2001)
    near = np.unique(h3ronpy_cells(lon0 + t * (lon1 - lon0), lat0 + t * (lat1 - lat0), res))
    candidates = set()
    for c in near.tolist():
        candidates.update(h3i.grid_disk(c, 1))
    line = shapely.LineString([(lon0, lat0), (lon1, lat1)])
    out = {}
    for c in candidates:
        share = densified_cell_polygon(c).intersection(line).length / line.length
        if share > 0.0:
            out[c] = share
    return out


def bisection_reference(lon0, lat0, lon1, lat1, res: int, steps: int = 50):
    """Pieces by bisection on the fraction with h3ronpy lookups (independent of h3grid)."""
    n = lon0.size
    c_end = h3ronpy_cells(lon1, lat1, res)
    rows = np.arange(n)
    f_from = np.zeros(n)
    c_from = h3ronpy_cells(lon0, lat0, res)
    out: dict[int, dict[int, float]] = defaultdict(dict)

    def cell_at(r, f):
        return h3ronpy_cells(lon0[r] + f * (lon1[r] - lon0[r]), lat0[r] + f * (lat1[r] - lat0[r]), res)

    for _ in range(500):
        if rows.size == 0:
            break
        lo, hi = f_from.copy(), np.ones(rows.size)
        done = c_from == c_end[rows]
        for _ in range(steps):
            mid = 0.5 * (lo + hi)
            inside = cell_at(rows, mid) == c_from
            lo = np.where(inside, mid, lo)
            hi = np.where(inside, hi, mid)
        hi = np.where(done, 1.0, hi)
        for r, c, a, b in zip(rows.tolist(), c_from.tolist(), f_from.tolist(), hi.tolist()):
            out[r][c] = out[r].get(c, 0.0) + (b - a)
        keep = ~done
        rows, f_from = rows[keep], hi[keep]
        c_from = cell_at(rows, f_from)
    return out


def max_difference(a: dict[int, dict[int, float]], b: dict[int, dict[int, float]], rows) -> tuple[float, int]:
    worst, where = 0.0, -1
    for i in rows:
        keys = set(a.get(i, {})) | set(b.get(i, {}))
        d = max(abs(a.get(i, {}).get(k, 0.0) - b.get(i, {}).get(k, 0.0)) for k in keys)
        if d > worst:
            worst, where = d, i
    return worst, where


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_fractions_sum_to_one(res: int) -> None:
    lon0, lat0, lon1, lat1 = random_segments(10_000, 400 + res)
    s, c, f = h3grid.split_segments(lon0, lat0, lon1, lat1, res)
    assert s.dtype == np.int64 and c.dtype == np.uint64 and f.dtype == np.float64
    np.testing.assert_allclose(np.bincount(s, weights=f, minlength=lon0.size), 1.0, rtol=0, atol=1e-12)
    assert f.min() >= 0.0 and f.max() <= 1.0 + 1e-15
    # layout: piece i is segment i in its start cell
    np.testing.assert_array_equal(s[: lon0.size], np.arange(lon0.size))
    np.testing.assert_array_equal(c[: lon0.size], h3ronpy_cells(lon0, lat0, res))
    # each (segment, cell) once
    assert np.unique(np.stack([s.astype(np.uint64), c], axis=1), axis=0).shape[0] == s.size
    # every segment's end cell has a piece
    ends = set(zip(s.tolist(), c.tolist()))
    c1 = h3ronpy_cells(lon1, lat1, res)
    assert all((i, int(x)) in ends for i, x in enumerate(c1.tolist()))


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_pieces_match_shapely_reference(res: int) -> None:
    lon0, lat0, lon1, lat1 = random_segments(120, 500 + res)
    got = pieces_by_segment(*h3grid.split_segments(lon0, lat0, lon1, lat1, res))
    ref = {i: shapely_reference(lon0[i], lat0[i], lon1[i], lat1[i], res) for i in range(lon0.size)}
    for i in range(lon0.size):
        assert abs(sum(ref[i].values()) - 1.0) < 1e-9
    worst, where = max_difference(got, ref, range(lon0.size))
    assert worst < 1e-6, f"segment {where}: {got[where]} vs {ref[where]}"


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_walking_segments_match_bisection_reference(res: int) -> None:
    # 1 Hz fixes at 1.3 m/s: many near-grazing crossings of short segments
    rng = np.random.default_rng(600 + res)
    n = 150_000
    heading = np.cumsum(rng.normal(0.0, 0.3, n + 1))
    lon = 10.72 + np.cumsum(1.3 * np.cos(heading) / 55_800.0)
    lat = 59.905 + np.cumsum(1.3 * np.sin(heading) / M_PER_DEG)
    lon0, lat0, lon1, lat1 = lon[:-1], lat[:-1], lon[1:], lat[1:]
    s, c, f = h3grid.split_segments(lon0, lat0, lon1, lat1, res)
    crossing = np.flatnonzero(h3ronpy_cells(lon0, lat0, res) != h3ronpy_cells(lon1, lat1, res))
    assert crossing.size > 300
    keep = np.isin(s, crossing)
    got = pieces_by_segment(s[keep], c[keep], f[keep])
    ref_local = bisection_reference(lon0[crossing], lat0[crossing], lon1[crossing], lat1[crossing], res)
    ref = {int(crossing[k]): v for k, v in ref_local.items()}
    worst, where = max_difference(got, ref, crossing.tolist())
    assert worst < 1e-6, f"segment {where}: {got[where]} vs {ref[where]}"


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_segments_along_the_chord_of_an_edge(res: int) -> None:
    # The straight lon/lat chord between an edge's two vertices runs up to ~0.1 mm inside one of the two
    # cells (the great-circle edge bulges). Segments along that chord, ends kept 0.1 % of the edge away
    # from the vertices, must match the reference.
    lon, lat = uniform(SENTRUM, 40, 700 + res)
    rows = []
    for c in np.unique(h3ronpy_cells(lon, lat, res)).tolist():
        b = h3i.cell_to_boundary(c)
        for k in range(len(b)):
            (la0, lo0), (la1, lo1) = b[k], b[(k + 1) % len(b)]
            for t0, t1 in ((0.001, 0.999), (0.3, 0.999), (0.001, 0.5)):
                rows.append((lo0 + t0 * (lo1 - lo0), la0 + t0 * (la1 - la0), lo0 + t1 * (lo1 - lo0), la0 + t1 * (la1 - la0)))
    lon0, lat0, lon1, lat1 = (np.array(x) for x in zip(*rows))
    s, c, f = h3grid.split_segments(lon0, lat0, lon1, lat1, res)
    np.testing.assert_allclose(np.bincount(s, weights=f, minlength=lon0.size), 1.0, atol=1e-12)
    got = pieces_by_segment(s, c, f)
    ref = {i: shapely_reference(lon0[i], lat0[i], lon1[i], lat1[i], res) for i in range(0, lon0.size, 5)}
    worst, where = max_difference(got, ref, list(ref))
    assert worst < 1e-6, f"segment {where}: {got[where]} vs {ref[where]}"


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_segments_from_vertex_to_vertex(res: int) -> None:
    # Both ends exactly on vertices: H3 gives each end to one of its three cells by floating-point tie
    # breaking. Documented limitation: if both ends land in the cell on the concave side, the
    # "same end cell → whole segment" rule gives it that cell although the chord runs ~0.1 mm inside
    # the neighbour. Here only structure is checked: sums, and only the edge's and vertices' cells.
    lon, lat = uniform(SENTRUM, 40, 750 + res)
    rows, allowed = [], []
    for c in np.unique(h3ronpy_cells(lon, lat, res)).tolist():
        b = h3i.cell_to_boundary(c)
        for k in range(len(b)):
            (la0, lo0), (la1, lo1) = b[k], b[(k + 1) % len(b)]
            rows.append((lo0, la0, lo1, la1))
            near = set()
            for la, lo in ((la0, lo0), (la1, lo1)):
                near.update(h3i.grid_disk(h3i.latlng_to_cell(la, lo, res), 1))
            allowed.append(near)
    lon0, lat0, lon1, lat1 = (np.array(x) for x in zip(*rows))
    s, c, f = h3grid.split_segments(lon0, lat0, lon1, lat1, res)
    np.testing.assert_allclose(np.bincount(s, weights=f, minlength=lon0.size), 1.0, atol=1e-12)
    for i, cell in zip(s.tolist(), c.tolist()):
        assert cell in allowed[i]


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_segment_exactly_on_an_edge(res: int) -> None:
    # 2 m segments centred on edge midpoints, pointing along the edge: they lie on the edge to within
    # ~1e-8 m, where H3's own rounding decides point by point. Only the two cells of the edge (and
    # the cells at its vertices) may appear, and the fractions must sum to 1.
    lon, lat = uniform(SENTRUM, 30, 800 + res)
    rows, allowed = [], []
    for c in np.unique(h3ronpy_cells(lon, lat, res)).tolist():
        b = np.array(h3i.cell_to_boundary(c))
        for k in range(len(b)):
            pa, pb = b[k : k + 1], b[(k + 1) % len(b)][None, :]
            mid = _slerp(pa, pb, 0.5)[0]
            d = (pb - pa)[0]
            d_m = np.array([d[0] * M_PER_DEG, d[1] * M_PER_DEG * np.cos(np.radians(mid[0]))])
            step = d / np.hypot(*d_m)  # degrees per metre along the edge
            rows.append((mid[1] - step[1], mid[0] - step[0], mid[1] + step[1], mid[0] + step[0]))
            near = set()
            for v in (b[k], b[(k + 1) % len(b)]):
                near.update(h3i.grid_disk(h3i.latlng_to_cell(v[0], v[1], res), 1))
            allowed.append(near)
    lon0, lat0, lon1, lat1 = (np.array(x) for x in zip(*rows))
    s, c, f = h3grid.split_segments(lon0, lat0, lon1, lat1, res)
    np.testing.assert_allclose(np.bincount(s, weights=f, minlength=lon0.size), 1.0, atol=1e-12)
    for i, cell in zip(s.tolist(), c.tolist()):
        assert cell in allowed[i]


@pytest.mark.parametrize("res", RESOLUTIONS)
def test_segments_through_vertices(res: int) -> None:
    lon, lat = uniform(SENTRUM, 20, 900 + res)
    rows = []
    rng = np.random.default_rng(res)
    for c in np.unique(h3ronpy_cells(lon, lat, res)).tolist():
        for la, lo in h3i.cell_to_boundary(c):
            ang = rng.uniform(0, 2 * np.pi)
            length = rng.uniform(1.0, 60.0)
            dx = length * np.cos(ang) / (M_PER_DEG * np.cos(np.radians(la)))
            dy = length * np.sin(ang) / M_PER_DEG
            rows.append((lo - dx, la - dy, lo + dx, la + dy))
    lon0, lat0, lon1, lat1 = (np.array(x) for x in zip(*rows))
    s, c, f = h3grid.split_segments(lon0, lat0, lon1, lat1, res)
    np.testing.assert_allclose(np.bincount(s, weights=f, minlength=lon0.size), 1.0, atol=1e-12)
    got = pieces_by_segment(s, c, f)
    ref = {i: shapely_reference(lon0[i], lat0[i], lon1[i], lat1[i], res) for i in range(0, lon0.size, 5)}
    worst, where = max_difference(got, ref, list(ref))
    assert worst < 1e-6, f"segment {where}: {got[where]} vs {ref[where]}"


def test_fallback_segments_across_tiles_and_in_exact_only_tiles() -> None:
    res = 10
    rng = np.random.default_rng(1000)
    k = 25
    # across the tile edge at lon 10.8 and lat 60.0, and around the pentagon off Trøndelag
    lon0 = np.r_[rng.uniform(10.78, 10.7999, k), rng.uniform(10.6, 10.7, k), rng.uniform(10.3, 10.7, k)]
    lat0 = np.r_[rng.uniform(59.9, 59.95, k), rng.uniform(59.99, 59.9999, k), rng.uniform(64.6, 64.8, k)]
    lon1 = np.r_[lon0[:k] + rng.uniform(0.0005, 0.03, k), lon0[k:] + rng.uniform(-0.01, 0.01, 2 * k)]
    lat1 = np.r_[lat0[:k] + rng.uniform(-0.005, 0.005, k), lat0[k : 2 * k] + rng.uniform(0.0002, 0.01, k),
                 lat0[2 * k :] + rng.uniform(-0.01, 0.01, k)]
    # enough other points in those tiles for them to be built
    bl, bb = uniform((10.7, 10.9, 59.95, 60.05), 100_000, 1001)
    h3grid.cells_of(bl, bb, res)
    s, c, f = h3grid.split_segments(lon0, lat0, lon1, lat1, res)
    np.testing.assert_allclose(np.bincount(s, weights=f, minlength=lon0.size), 1.0, atol=1e-12)
    got = pieces_by_segment(s, c, f)
    ref = {i: shapely_reference(lon0[i], lat0[i], lon1[i], lat1[i], res) for i in range(lon0.size)}
    worst, where = max_difference(got, ref, list(ref))
    assert worst < 1e-6, f"segment {where}: {got[where]} vs {ref[where]}"


def test_degenerate_segments() -> None:
    lon0, lat0 = uniform(SENTRUM, 5000, 1100)
    s, c, f = h3grid.split_segments(lon0, lat0, lon0, lat0, 10)  # zero length
    np.testing.assert_array_equal(s, np.arange(5000))
    np.testing.assert_array_equal(c, h3ronpy_cells(lon0, lat0, 10))
    np.testing.assert_array_equal(f, 1.0)
    e = np.zeros(0)
    s, c, f = h3grid.split_segments(e, e, e, e, 10)
    assert s.size == c.size == f.size == 0
