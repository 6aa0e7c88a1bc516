"""Exact, fast H3 point → cell lookup and exact splitting of segments at cell edges.

``cells_of`` returns exactly what h3ronpy/H3 returns; ``split_segments`` cuts
segments (straight in lon/lat) where H3's own point assignment changes. Warm
cost of ``cells_of``: ~13 ns of CPU per point when consecutive points share a
0.4° × 0.2° tile (h3ronpy: ~550-700 ns), ~35-50 ns when points in random order
hop between a few tiles.

Why a polynomial plus rounding is exact
---------------------------------------
H3 assigns a point to a cell like this (``_geoToHex2d`` + ``_hex2dToCoordIJK``):
find the icosahedron face whose centre is closest, project the point
gnomonically onto that face's plane, scale so that neighbouring cell centres
are 1 apart, and take the nearest point of the hexagonal lattice. The rounding
in ``_hex2dToCoordIJK`` (floor into the rhombus, then the case analysis on the
remainders, then the mirror folds) picks exactly the nearest lattice point:
its thresholds (r2 = (1 + r1)/2, r1 + r2 = 1, r2 = 2 r1, r2 = 2 r1 - 1,
r2 = r1/2) are the perpendicular bisectors between the corners of the
rhombus. So within one face H3 cells are the Voronoi cells of the lattice.

With axial lattice coordinates (q, r) (neighbours at (±1, 0), (0, ±1),
±(1, -1)) write f1 = q - r, f2 = 2q + r, f3 = q + 2r = f2 - f1. A point with
lattice coordinates x lies in the Voronoi cell of the lattice point H exactly
when max_k |f_k(x) - f_k(H)| < 1 (each |.| = 1 is the bisector towards one
pair of neighbours; the distance to it is (1 - |.|) / 2 lattice units).

Over a lon/lat tile (``TILE_DLON`` × ``TILE_DLAT`` = 0.4° × 0.2°, fitted on the
tile plus a ``TILE_MARGIN`` border) that lies inside one icosahedron face,
(lon, lat) → (f1, f2) is a smooth map; a degree-5 polynomial in the lon/lat
offsets fits it, by least squares on ~1000 cell centres (``cell_to_latlng``;
their lattice coordinates are the integer local IJ coordinates), to the noise
of H3's own centres. Measured worst residuals on fit + independent check
centres, in f units (2 f units = one lattice spacing; 1e-10 f ≈ 2.5 nm at
res 11): Oslo res 9/10/11: 2.3e-11 / 5.8e-11 / 1.7e-10; Bergen, Tromsø,
Kirkenes, Svalbard: ≤ 3.0e-11 / 8.1e-11 / 2.1e-10. Measured directly on H3's point
assignment (4000 edge crossings per case located by 60-step bisection with
h3ronpy, Oslo, Bergen, Tromsø, Kirkenes, res 9-11): the crossings lie on the
polynomial's bisectors to ≤ 2.3e-10 f. Every lookup-table cell (below) is
checked again against the polynomial when it is created.

Per chunk of points the tile polynomial is re-expanded around the chunk
centre and truncated to the lowest degree whose dropped terms are provably
(sum of |coefficient| · |dx|^i · |dy|^j) below ``TRUNCATION_BUDGET`` over the
chunk's bounding box: degree 2 for random points over Oslo sentrum or for GPS
tracks. Then F_k = floor(f_k) gives the small triangle containing the point,
hence a lattice point H (q = floor((F1 + F2 + 2.5)/3),
r = floor((F3 - F1 + 1.5)/3)), and m = max_k |f_k - f_k(H)| is computed. If
m < 1 - E, with E = 2·SAFETY·(fit residual) + BAND_FLOOR + (truncation
bounds of f1 and f2), the exact coordinates satisfy max_k |f*_k - f_k(H)| < 1:
the point lies strictly inside H's Voronoi cell, and H3 returns the cell
stored for H in the tile's lookup table (built with
``h3ronpy.localij_to_cells``, each cell's centre mapped back through the
polynomial and required to land on its lattice point within 1e-7 f).
Otherwise the point goes to h3ronpy: a point within E/2 lattice units of an
edge (E is ~1e-5-1e-4 f, i.e. 0.002-0.02 % of random points), and any point
of doubt: tile across a face edge or near a pentagon, non-finite input, a
tile that has not yet been asked for ``BUILD_MIN_POINTS`` points, fewer than
``tiles.MIN_GROUP`` points of one tile in a chunk (scattered points),
failed checks. Even if the floor formula picked a wrong H, the margin test
would reject it, so the formula affects speed, never correctness.

The remaining assumption is that H3's floating-point computation of the
gnomonic coordinates is within BAND_FLOOR (1e-7 f; measured ≤ 2.3e-10, see
above) of the polynomial wherever the margin test accepts a point.

Tiles are rejected ("exact only": every point goes to h3ronpy) when
- a res-6 cell along the fitted region's border touches more than one face, or
  the border cells lie on different faces (an icosahedron edge crosses the
  tile; a vertex inside would also be caught: five edges leave it),
- local IJ fails (pentagon distortion), the lattice embedding is not regular,
- the fit residual exceeds ``MAX_FIT_ERROR`` (a tile across a face edge fits
  to ~1-17 f even without the face check) or a table cell fails its check,
- the tile is outside ±80° latitude or ±180° longitude.
In Norway, tiles around the pentagon off Trøndelag (64.7° N, 10.5° E) and
along the face edges leaving it are exact only.

Splitting segments
------------------
``split_segments`` finds the end cells with ``cells_of`` (consecutive
segments sharing an end point share the lookup). A segment whose two ends are
in one cell is taken as wholly in it (see the limitation below). The others
are walked in the lattice plane: the segment is cut into chords of at most
``MAX_CHORD_M`` metres whose end points are mapped with the tile polynomial
(degree lowered only while the truncation stays below 1e-12 f); along a chord
the walk moves from lattice point to lattice point, leaving through the first
bisector f_k - f_k(H) = ±1 that the chord reaches (only the three bisectors it
moves towards). The chord's image is not quite straight (it bows by
~3.4e-8 · L² metres for L metres at 60° N, 57 nm for a 1.3 m chord); for
crossings at a grazing angle that error is amplified (measured 1e-6 of the
length for 1.3 m segments), so every crossing is refined by one Newton step
on the polynomial. Measured against bisection with h3ronpy lookups on 300 000
walking segments: worst difference 1.3e-8 / 1.5e-8 / 3.8e-8 of the segment
length at res 9 / 10 / 11; against shapely intersection with the cells'
boundaries (edges densified along great circles) for 1 m-2 km segments:
≤ 3.1e-8. Fractions are in the lon/lat linear parametrisation of the segment
(as the previous bisection) and sum to 1 per segment.

Segments whose ends lie in different tiles, in exact-only or unbuilt tiles,
or whose walk does not start in the exact start cell or end in the exact end
cell (an end point within ~1e-10 of an edge), are split by bisection on the
fraction with exact lookups (``BISECTION_STEPS`` steps: 2**-40 of the length).

Limitation (shared with the previous implementation): in lon/lat H3 cells
are not exactly convex (their edges are great-circle arcs), so a segment with
both ends in one cell can dip into a neighbour if it runs along an edge within
~3.4e-8 · L² m of it (57 nm for a 1.3 m segment, 0.1 mm for a whole res-10
edge). It then counts wholly for the end cell. Random 1 Hz walking segments
never did (0 of 13 million interior probes); a segment from vertex to vertex
of an edge, whose ends H3 tie-breaks into the cell on the concave side, does.
"""

from __future__ import annotations

import math
import threading

import h3.api.basic_int as h3i
import h3ronpy
import numpy as np
from h3ronpy import vector as h3v

from geo.engine import h3ref
from geo.engine.tiles import LocalPolys, Poly2, Scratch, TiledDriver, horner_into

TILE_DLON = 0.4
"""Tile width, degrees of longitude (one polynomial and one lookup table per tile and resolution)."""

TILE_DLAT = 0.2
"""Tile height, degrees of latitude."""

TILE_MARGIN = 0.1
"""Border around the tile, as a fraction of its size, included in fit and table."""

POLY_DEGREE = 5
FIT_GRID = 32
"""Sample points per axis whose cells' centres fit the tile polynomial."""

MAX_FIT_ERROR = 1e-6
"""Largest accepted fit residual (f units) on the fit and check centres."""

SAFETY = 16.0
"""Factor on the measured fit residual in the edge band."""

BAND_FLOOR = 1e-7
"""Added to the edge band (f units): covers H3's own floating-point noise (~1e-10)."""

TRUNCATION_BUDGET = 1e-4
"""Largest truncation error (f units) accepted when lowering the degree per chunk."""

VERIFY_TOLERANCE = 1e-7
"""Largest distance (f units) between a table cell's mapped centre and its lattice point."""

SUBTILES = 8
"""Lookup tables are filled lazily per 1/SUBTILES × 1/SUBTILES of a tile."""

FAST_RESOLUTIONS = range(7, 12)
"""Resolutions with the polynomial fast path; others always use h3ronpy."""

BUILD_MIN_POINTS = 20_000
"""Points a tile must be asked for (over all calls) before it is built (~10 ms + table)."""

WALK_WEIGHT = 50
"""A split segment counts as this many points of demand (bisection costs ~50 lookups)."""

SMALL_N = 2048
"""Fewer points than this go straight to h3ronpy."""

MAX_CHORD_M = 8.0
"""Segments are walked as chords of at most this length (metres)."""

MAX_WALK_STEPS = 16
"""Bound on cell changes along one chord (an 8 m chord crosses at most ~3 at res 11)."""

BISECTION_STEPS = 40
"""Bisection steps per crossing in the fallback split (2**-40 of the segment)."""

_FACE_RES = 6
_LAT_LIMIT = 80.0
_MAGIC = 6755399441055744.0  # 1.5 * 2**52: adding it leaves round(x) in the low mantissa bits
_MAGIC_BITS = int(np.float64(_MAGIC).view(np.int64))
_M_PER_DEG_LAT = 111_320.0


def _centres(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rb = h3v.cells_to_coordinates(np.ascontiguousarray(cells, dtype=np.uint64))
    return np.asarray(rb.column("lng"), dtype=np.float64), np.asarray(rb.column("lat"), dtype=np.float64)


def _local_ij(cells: np.ndarray, origin: int) -> tuple[np.ndarray, np.ndarray]:
    rb = h3ronpy.cells_to_localij(np.ascontiguousarray(cells, dtype=np.uint64), int(origin))
    return np.asarray(rb.column("i"), dtype=np.int64), np.asarray(rb.column("j"), dtype=np.int64)


# ---------------------------------------------------------------------------
# Face check (independent of resolution)
# ---------------------------------------------------------------------------

_face_cache: dict[tuple[int, int], bool] = {}
_face_lock = threading.Lock()


def _single_face(tx: int, ty: int, lon_lo: float, lon_hi: float, lat_lo: float, lat_hi: float) -> bool:
    """True if the lon/lat box lies inside one icosahedron face (checked along its border)."""
    key = (tx, ty)
    hit = _face_cache.get(key)
    if hit is not None:
        return hit
    k = 200
    s = np.linspace(0.0, 1.0, k, endpoint=False)
    lon = np.concatenate([lon_lo + s * (lon_hi - lon_lo), np.full(k, lon_hi), lon_hi - s * (lon_hi - lon_lo), np.full(k, lon_lo)])
    lat = np.concatenate([np.full(k, lat_lo), lat_lo + s * (lat_hi - lat_lo), np.full(k, lat_hi), lat_hi - s * (lat_hi - lat_lo)])
    lon = np.r_[lon, (lon_lo + lon_hi) / 2]
    lat = np.r_[lat, (lat_lo + lat_hi) / 2]
    faces: set[int] = set()
    ok = True
    for c in np.unique(h3ref.cells_of(lon, lat, _FACE_RES)):
        f = h3i.get_icosahedron_faces(int(c))
        if len(f) != 1:
            ok = False
            break
        faces.update(f)
    ok = ok and len(faces) == 1
    with _face_lock:
        _face_cache[key] = ok
    return ok


# ---------------------------------------------------------------------------
# Tiles
# ---------------------------------------------------------------------------


class _H3Tile:
    """Polynomial lon/lat → (f1, f2) and lattice → cell table of one tile at one resolution."""

    def __init__(self, res: int, tx: int, ty: int):
        self.res = res
        self.tx, self.ty = tx, ty
        self.exact_only = True
        self.reason = "not built"
        self.lon_a = tx * TILE_DLON
        self.lat_a = ty * TILE_DLAT
        self.lon_c = self.lon_a + TILE_DLON / 2
        self.lat_c = self.lat_a + TILE_DLAT / 2
        self.hw = TILE_DLON * (0.5 + TILE_MARGIN)
        self.hh = TILE_DLAT * (0.5 + TILE_MARGIN)
        self.fit_error = math.inf
        self._lock = threading.Lock()
        try:
            self._build()
        except (ValueError, RuntimeError, OverflowError) as exc:  # H3 failures (pentagon distortion, ...)
            self.exact_only = True
            self.reason = f"build failed: {exc}"

    # region in which the polynomial and table are valid
    @property
    def region(self) -> tuple[float, float, float, float]:
        return (self.lon_c - self.hw, self.lon_c + self.hw, self.lat_c - self.hh, self.lat_c + self.hh)

    def _build(self) -> None:
        lon_lo, lon_hi, lat_lo, lat_hi = self.region
        if not (-180.0 <= lon_lo and lon_hi <= 180.0 and -_LAT_LIMIT <= lat_lo and lat_hi <= _LAT_LIMIT):
            self.reason = "outside supported lon/lat range"
            return
        if not _single_face(self.tx, self.ty, lon_lo, lon_hi, lat_lo, lat_hi):
            self.reason = "crosses an icosahedron face edge"
            return
        res = self.res
        origin = int(h3ref.cells_of(np.array([self.lon_c]), np.array([self.lat_c]), res)[0])
        if h3i.is_pentagon(origin):
            self.reason = "pentagon"
            return
        oi, oj = _local_ij(np.array([origin], dtype=np.uint64), origin)
        ni, nj = _local_ij(np.array(h3i.grid_ring(origin, 1), dtype=np.uint64), origin)
        offsets = {(int(a), int(b)) for a, b in zip(ni - oi[0], nj - oj[0])}
        if offsets == {(1, 0), (0, 1), (1, 1), (-1, 0), (0, -1), (-1, -1)}:
            shear = True  # q = i - j, r = j
        elif offsets == {(1, 0), (0, 1), (1, -1), (-1, 0), (0, -1), (-1, 1)}:
            shear = False  # q = i, r = j
        else:
            self.reason = f"irregular local IJ neighbours {sorted(offsets)}"
            return
        self.origin = origin
        self.oi, self.oj, self.shear = int(oi[0]), int(oj[0]), shear

        g = np.linspace(-1.0, 1.0, FIT_GRID)
        gm = (g[1:] + g[:-1]) / 2
        fit_cells = self._sample_cells(g)
        check_cells = self._sample_cells(gm)
        lon_f, lat_f, f1_f, f2_f = self._cell_coords(fit_cells)
        lon_k, lat_k, f1_k, f2_k = self._cell_coords(check_cells)
        p1 = Poly2.fit(lon_f, lat_f, f1_f, POLY_DEGREE, self.lon_c, self.lat_c, self.hw, self.hh)
        p2 = Poly2.fit(lon_f, lat_f, f2_f, POLY_DEGREE, self.lon_c, self.lat_c, self.hw, self.hh)
        err = 0.0
        for lo, la, f1, f2 in ((lon_f, lat_f, f1_f, f2_f), (lon_k, lat_k, f1_k, f2_k)):
            e1 = p1(lo, la) - f1
            e2 = p2(lo, la) - f2
            err = max(err, float(np.max(np.abs(e1))), float(np.max(np.abs(e2))), float(np.max(np.abs(e2 - e1))))
        self.fit_error = err
        if not err <= MAX_FIT_ERROR:
            self.reason = f"fit residual {err:.3g}"
            return
        self.p1, self.p2 = p1, p2
        self.band = 2.0 * SAFETY * err + BAND_FLOOR
        self.verify_tol = max(VERIFY_TOLERANCE, 4.0 * err)

        # lattice bounding box of the region (+3 lattice units)
        s = np.linspace(0.0, 1.0, 129)
        bl = np.concatenate([lon_lo + s * (lon_hi - lon_lo), np.full(129, lon_hi), lon_lo + s * (lon_hi - lon_lo), np.full(129, lon_lo)])
        bb = np.concatenate([np.full(129, lat_lo), lat_lo + s * (lat_hi - lat_lo), np.full(129, lat_hi), lat_lo + s * (lat_hi - lat_lo)])
        q, r = self._qr(p1(bl, bb), p2(bl, bb))
        self.qmin, self.rmin = int(np.floor(q.min())) - 3, int(np.floor(r.min())) - 3
        qmax, rmax = int(np.ceil(q.max())) + 3, int(np.ceil(r.max())) + 3
        self.nq, self.nr = qmax - self.qmin + 1, rmax - self.rmin + 1
        self.koff = float(-self.qmin * self.nr - self.rmin)
        self.table = np.zeros(self.nq * self.nr, dtype=np.uint64)
        self.ready = np.zeros((SUBTILES, SUBTILES), dtype=bool)
        self.local = LocalPolys([p1, p2], self.lon_a, self.lat_a, TILE_DLON, TILE_DLAT)
        self.exact_only = False
        self.reason = ""

    @staticmethod
    def _qr(f1: np.ndarray, f2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (f1 + f2) / 3.0, (f2 - 2.0 * f1) / 3.0

    def _sample_cells(self, g: np.ndarray) -> np.ndarray:
        u, v = np.meshgrid(g, g)
        return np.unique(h3ref.cells_of(self.lon_c + self.hw * u.ravel(), self.lat_c + self.hh * v.ravel(), self.res))

    def _cell_coords(self, cells: np.ndarray):
        i, j = _local_ij(cells, self.origin)
        i = i - self.oi
        j = j - self.oj
        q = i - j if self.shear else i
        r = j
        lon, lat = _centres(cells)
        return lon, lat, (q - r).astype(np.float64), (2 * q + r).astype(np.float64)

    # -- lookup table -------------------------------------------------------

    def ensure(self, lo_min: float, lo_max: float, la_min: float, la_max: float) -> None:
        """Fill the lookup table for every subtile the box touches."""
        sx = SUBTILES / TILE_DLON
        sy = SUBTILES / TILE_DLAT
        a0 = min(max(int((lo_min - self.lon_a) * sx), 0), SUBTILES - 1)
        a1 = min(max(int((lo_max - self.lon_a) * sx), 0), SUBTILES - 1)
        b0 = min(max(int((la_min - self.lat_a) * sy), 0), SUBTILES - 1)
        b1 = min(max(int((la_max - self.lat_a) * sy), 0), SUBTILES - 1)
        if self.ready[a0 : a1 + 1, b0 : b1 + 1].all():
            return
        with self._lock:
            if self.exact_only:
                return
            todo = [(a, b) for a in range(a0, a1 + 1) for b in range(b0, b1 + 1) if not self.ready[a, b]]
            if todo:
                try:
                    self._fill(todo)
                except (ValueError, RuntimeError, OverflowError) as exc:
                    self.exact_only = True
                    self.reason = f"table fill failed: {exc}"

    def _fill(self, subtiles: list[tuple[int, int]]) -> None:
        w = TILE_DLON / SUBTILES
        h = TILE_DLAT / SUBTILES
        s = np.linspace(0.0, 1.0, 17)
        keys = []
        for a, b in subtiles:
            lo0, la0 = self.lon_a + a * w, self.lat_a + b * h
            bl = np.concatenate([lo0 + s * w, np.full(17, lo0 + w), lo0 + s * w, np.full(17, lo0)])
            bb = np.concatenate([np.full(17, la0), la0 + s * h, np.full(17, la0 + h), la0 + s * h])
            q, r = self._qr(self.p1(bl, bb), self.p2(bl, bb))
            qa = np.arange(max(int(np.floor(q.min())) - 3, self.qmin), min(int(np.ceil(q.max())) + 3, self.qmin + self.nq - 1) + 1)
            ra = np.arange(max(int(np.floor(r.min())) - 3, self.rmin), min(int(np.ceil(r.max())) + 3, self.rmin + self.nr - 1) + 1)
            keys.append(((qa[:, None] - self.qmin) * self.nr + (ra[None, :] - self.rmin)).ravel())
        want = np.zeros(self.table.size, dtype=bool)
        for kk in keys:
            want[kk] = True
        want &= self.table == 0
        k = np.flatnonzero(want)
        if k.size:
            q = k // self.nr + self.qmin
            r = k % self.nr + self.rmin
            i = (q + r if self.shear else q) + self.oi
            j = r + self.oj
            cells = np.asarray(
                h3ronpy.localij_to_cells(self.origin, i.astype(np.int32), j.astype(np.int32)), dtype=np.uint64
            )
            lon, lat = _centres(cells)
            lon_lo, lon_hi, lat_lo, lat_hi = self.region
            inside = (lon >= lon_lo) & (lon <= lon_hi) & (lat >= lat_lo) & (lat <= lat_hi)
            qf, rf = q[inside].astype(np.float64), r[inside].astype(np.float64)
            e1 = self.p1(lon[inside], lat[inside]) - (qf - rf)
            e2 = self.p2(lon[inside], lat[inside]) - (2.0 * qf + rf)
            worst = max(float(np.max(np.abs(e1), initial=0.0)), float(np.max(np.abs(e2), initial=0.0)))
            if not worst <= self.verify_tol:
                self.exact_only = True
                self.reason = f"table check failed ({worst:.3g})"
                return
            self.table[k[inside]] = cells[inside]
        for a, b in subtiles:
            self.ready[a, b] = True

    def lookup(self, g1: np.ndarray, g2: np.ndarray) -> np.ndarray:
        """Cells of lattice points given by f1, f2 (integer-valued floats); 0 where unknown."""
        q = (g1 + g2) / 3.0
        r = (g2 - 2.0 * g1) / 3.0
        qi = q.astype(np.int64) - self.qmin
        ri = r.astype(np.int64) - self.rmin
        ok = (qi >= 0) & (qi < self.nq) & (ri >= 0) & (ri < self.nr)
        out = np.zeros(len(q), dtype=np.uint64)
        out[ok] = self.table[qi[ok] * self.nr + ri[ok]]
        return out


_N_SCRATCH = 8
_drivers: dict[int, TiledDriver] = {}
_drivers_lock = threading.Lock()


def _driver(res: int) -> TiledDriver:
    d = _drivers.get(res)
    if d is None:
        with _drivers_lock:
            d = _drivers.get(res)
            if d is None:
                d = _drivers[res] = TiledDriver(
                    TILE_DLON, TILE_DLAT, lambda tx, ty: _H3Tile(res, tx, ty), _N_SCRATCH, BUILD_MIN_POINTS
                )
    return d


def _cells_kernel(out: np.ndarray):
    def kernel(tile: _H3Tile, lo, la, bbox, sel, scratch: Scratch):
        if tile.exact_only:
            return True
        tile.ensure(*bbox)
        if tile.exact_only:
            return True
        lon1, lat1, deg, (c1, c2), (b1, b2) = tile.local.pick(*bbox, TRUNCATION_BUDGET)
        thr = 1.0 - (tile.band + b1 + b2)
        m = len(lo)
        (x, y, f1, f2, t, a, b, c), slow, ki = scratch.views(m)
        np.subtract(lo, lon1, out=x)
        np.subtract(la, lat1, out=y)
        horner_into(c1, deg, x, y, f1, t)
        horner_into(c2, deg, x, y, f2, t)
        # small triangle (F1, F2, F3) → lattice point (q0 in a, r0 in c)
        np.subtract(f2, f1, out=t)
        np.floor(f1, out=a)
        np.floor(f2, out=b)
        np.floor(t, out=c)
        np.subtract(c, a, out=c)
        c += 1.5
        c *= 1.0 / 3.0
        np.floor(c, out=c)
        a += b
        a += 2.5
        a *= 1.0 / 3.0
        np.floor(a, out=a)
        # margin: d1 = f1 - (q0 - r0), d2 = f2 - (2 q0 + r0), d3 = d2 - d1
        np.subtract(a, c, out=b)
        f1 -= b
        np.add(a, c, out=b)
        b += a
        f2 -= b
        np.subtract(f2, f1, out=t)
        np.abs(f1, out=f1)
        np.abs(f2, out=f2)
        np.abs(t, out=t)
        np.maximum(f1, f2, out=f1)
        np.maximum(f1, t, out=f1)
        np.greater_equal(f1, thr, out=slow)
        # table index (q0 - qmin) * nr + (r0 - rmin) as int64 via the magic-number trick
        np.multiply(a, float(tile.nr), out=x)
        x += c
        x += tile.koff + _MAGIC
        np.subtract(x.view(np.int64), _MAGIC_BITS, out=ki)
        if isinstance(sel, slice):
            dst = out[sel]
            np.take(tile.table, ki, out=dst, mode="clip")
        else:
            dst = tile.table.take(ki, mode="clip")
            out[sel] = dst
        if not dst.all():  # an unfilled table entry: never expected, but stay exact
            slow |= dst == 0
        return slow

    return kernel


def cells_of(lon: np.ndarray, lat: np.ndarray, res: int) -> np.ndarray:
    """H3 cell (uint64) of each EPSG:4326 lon/lat point; identical to h3ronpy."""
    lon = np.ascontiguousarray(lon, dtype=np.float64).ravel()
    lat = np.ascontiguousarray(lat, dtype=np.float64).ravel()
    if lon.shape != lat.shape:
        raise ValueError(f"lon and lat differ in length: {lon.shape} vs {lat.shape}")
    n = lon.size
    if n < SMALL_N or res not in FAST_RESOLUTIONS:
        return h3ref.cells_of(lon, lat, res)
    out = np.empty(n, dtype=np.uint64)
    slow = _driver(res).run(lon, lat, _cells_kernel(out))
    if slow.size:
        out[slow] = h3ref.cells_of(lon[slow], lat[slow], res)
    return out


def tile_status(lon: float, lat: float, res: int) -> tuple[bool, str, float]:
    """(fast path available, reason if not, fit residual) of the tile holding a point; for diagnostics."""
    d = _driver(res)
    t = d.tile(*d.tile_index(lon, lat))
    return (not t.exact_only, t.reason, t.fit_error)


# ---------------------------------------------------------------------------
# Segments
# ---------------------------------------------------------------------------


def split_segments(
    lon0: np.ndarray, lat0: np.ndarray, lon1: np.ndarray, lat1: np.ndarray, res: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pieces of each segment per H3 cell: (segment index int64, cell uint64, fraction float64).

    Fractions are shares of the segment in its lon/lat-linear parametrisation
    and sum to 1 per segment; a segment inside one cell gives one piece with
    fraction 1. Each (segment, cell) pair appears at most once.

    Layout: piece i (i < len(lon0)) is segment i in its start cell (the cell
    of (lon0[i], lat0[i])) with the segment's share of that cell, which is 0
    only in the degenerate case of a segment starting exactly on an edge and
    leaving at once; then come the pieces in the segments' other cells,
    grouped but not sorted by segment. Other zero-length pieces (a walk
    exactly through a vertex) are dropped.
    """
    lon0 = np.ascontiguousarray(lon0, dtype=np.float64).ravel()
    lat0 = np.ascontiguousarray(lat0, dtype=np.float64).ravel()
    lon1 = np.ascontiguousarray(lon1, dtype=np.float64).ravel()
    lat1 = np.ascontiguousarray(lat1, dtype=np.float64).ravel()
    n = lon0.size
    if not (lat0.size == lon1.size == lat1.size == n):
        raise ValueError("lon0, lat0, lon1, lat1 must have the same length")
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.uint64), np.zeros(0, np.float64)
    c0 = cells_of(lon0, lat0, res)
    c1 = h3ref.end_cells(lon0, lat0, lon1, lat1, c0, lambda lon, lat: cells_of(lon, lat, res))
    cross = np.flatnonzero(c0 != c1)
    if cross.size == 0:
        return np.arange(n, dtype=np.int64), c0, np.ones(n)
    s, c, f = _split_crossing(lon0[cross], lat0[cross], lon1[cross], lat1[cross], c0[cross], c1[cross], res)
    seg = cross[s]
    first = c == c0[seg]  # at most one such piece per segment: pieces are merged per (segment, cell)
    more = np.flatnonzero(~first)
    total = n + more.size
    seg_out = np.arange(total, dtype=np.int64)
    seg_out[n:] = seg[more]
    cell_out = np.empty(total, dtype=np.uint64)
    cell_out[:n] = c0
    cell_out[n:] = c[more]
    frac_out = np.empty(total)
    frac_out[:n] = 1.0
    frac_out[cross] = 0.0
    frac_out[seg[first]] = f[first]
    frac_out[n:] = f[more]
    return seg_out, cell_out, frac_out


def _split_crossing(lon0, lat0, lon1, lat1, c0, c1, res):
    """Split segments whose end cells differ; returns (row into the inputs, cell, fraction)."""
    d = _driver(res)
    with np.errstate(invalid="ignore"):
        tx0 = np.floor(lon0 * d.inv_lon)
        ty0 = np.floor(lat0 * d.inv_lat)
        tx1 = np.floor(lon1 * d.inv_lon)
        ty1 = np.floor(lat1 * d.inv_lat)
    walkable = (tx0 == tx1) & (ty0 == ty1)  # False for NaN
    out_s, out_c, out_f = [], [], []
    fallback = [np.flatnonzero(~walkable)]
    rows = np.flatnonzero(walkable)
    if rows.size:
        kx = tx0[rows]
        ky = ty0[rows]
        kx0, ky0 = kx.min(), ky.min()
        nyt = ky.max() - ky0 + 1
        key = (kx - kx0) * nyt + (ky - ky0)
        if key.min() == key.max():
            groups = [np.arange(rows.size)]
        else:
            order = np.argsort(key, kind="stable")
            cuts = np.flatnonzero(np.diff(key[order])) + 1
            groups = np.split(order, cuts)
        for grp in groups:
            g = rows[grp]
            tx, ty = int(kx[grp[0]]), int(ky[grp[0]])
            tile: _H3Tile | None = d.tile_for(tx, ty, g.size * WALK_WEIGHT)
            if tile is None:
                fallback.append(g)
                continue
            if not tile.exact_only:
                lo = np.concatenate([lon0[g], lon1[g]])
                la = np.concatenate([lat0[g], lat1[g]])
                tile.ensure(float(lo.min()), float(lo.max()), float(la.min()), float(la.max()))
            if tile.exact_only:
                fallback.append(g)
                continue
            s, c, f, failed = _walk(tile, lon0[g], lat0[g], lon1[g], lat1[g], c0[g], c1[g])
            out_s.append(g[s])
            out_c.append(c)
            out_f.append(f)
            fallback.append(g[failed])
    fb = np.concatenate(fallback)
    if fb.size:
        s, c, f = h3ref.split_by_bisection(lon0[fb], lat0[fb], lon1[fb], lat1[fb], c0[fb], c1[fb],
                                           lambda lon, lat: cells_of(lon, lat, res), steps=BISECTION_STEPS)
        out_s.append(fb[s])
        out_c.append(c)
        out_f.append(f)
    if not out_s:
        return np.zeros(0, np.int64), np.zeros(0, np.uint64), np.zeros(0)
    return np.concatenate(out_s), np.concatenate(out_c), np.concatenate(out_f)


def _lattice_point(f1: np.ndarray, f2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest lattice point (as f1, f2 of the point) by the small-triangle formula."""
    F1 = np.floor(f1)
    F2 = np.floor(f2)
    F3 = np.floor(f2 - f1)
    q = np.floor((F1 + F2 + 2.5) * (1.0 / 3.0))
    r = np.floor((F3 - F1 + 1.5) * (1.0 / 3.0))
    return q - r, 2.0 * q + r


def _approx_length_m(lon0, lat0, lon1, lat1) -> np.ndarray:
    kx = _M_PER_DEG_LAT * np.cos(np.radians(0.5 * (lat0 + lat1)))
    dx, dy = (lon1 - lon0) * kx, (lat1 - lat0) * _M_PER_DEG_LAT
    return np.sqrt(dx * dx + dy * dy)


# Steps of the lattice point (in f1, f2) when leaving through bisector k towards +.
_STEP_G1 = np.array([2.0, 1.0, -1.0])
_STEP_G2 = np.array([1.0, 2.0, 1.0])

WALK_POLY_BUDGET = 1e-12
"""Truncation budget (f units) when lowering the degree of the tile polynomial for a walk."""

NEWTON_STEPS = 1
"""Newton steps refining each crossing on the tile polynomial (the chord's image is not quite straight).

The chord's slope serves as derivative; it differs from the true one by
~1e-7 relative, so one step reduces the chord error (≤ ~1e-6 of the chord
for grazing crossings) to ~1e-13.
"""


class _Eval2:
    """(f1, f2) of the tile polynomial, lowered to the degree a box of points needs."""

    def __init__(self, tile: _H3Tile, lo_min: float, lo_max: float, la_min: float, la_max: float):
        self.lon1, self.lat1, self.deg, (self.c1, self.c2), _ = tile.local.pick(
            lo_min, lo_max, la_min, la_max, WALK_POLY_BUDGET
        )

    def __call__(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = lon - self.lon1
        y = lat - self.lat1
        f1 = np.empty_like(x)
        f2 = np.empty_like(x)
        tmp = np.empty_like(x)
        horner_into(self.c1, self.deg, x, y, f1, tmp)
        horner_into(self.c2, self.deg, x, y, f2, tmp)
        return f1, f2


def _walk(tile: _H3Tile, lon0, lat0, lon1, lat1, c0, c1):
    """Walk segments (all inside ``tile``) through the lattice; see the module docstring.

    Returns (segment row, cell, fraction, failed segment rows).
    """
    m = lon0.size
    ev = _Eval2(
        tile,
        float(min(lon0.min(), lon1.min())),
        float(max(lon0.max(), lon1.max())),
        float(min(lat0.min(), lat1.min())),
        float(max(lat0.max(), lat1.max())),
    )
    nsub = np.maximum(1, np.ceil(_approx_length_m(lon0, lat0, lon1, lat1) / MAX_CHORD_M)).astype(np.int64)
    if nsub.max() == 1:
        # every segment is one chord (the usual case for 1 Hz tracks)
        seg = np.arange(m)
        kk = np.zeros(m)
        ns = np.ones(m)
        c_lon, c_lat = lon0, lat0
        c_dlon, c_dlat = lon1 - lon0, lat1 - lat0
        f1, f2 = ev(np.concatenate([lon0, lon1]), np.concatenate([lat0, lat1]))
        A1, A2, B1, B2 = f1[:m], f2[:m], f1[m:], f2[m:]
    else:
        # break points k = 0..nsub of every segment; chord k runs from break point k to k + 1
        npts = nsub + 1
        seg_bp = np.repeat(np.arange(m), npts)
        first_bp = np.cumsum(npts) - npts
        k = np.arange(seg_bp.size) - first_bp[seg_bp]
        tb = k / nsub[seg_bp]
        blon = lon0[seg_bp] + tb * (lon1 - lon0)[seg_bp]
        blat = lat0[seg_bp] + tb * (lat1 - lat0)[seg_bp]
        last = k == nsub[seg_bp]
        blon[last] = lon1[seg_bp[last]]
        blat[last] = lat1[seg_bp[last]]
        bf1, bf2 = ev(blon, blat)
        a_idx = np.flatnonzero(~last)
        seg = seg_bp[a_idx]
        kk = k[a_idx].astype(np.float64)
        ns = nsub[seg].astype(np.float64)
        c_lon, c_lat = blon[a_idx], blat[a_idx]
        c_dlon, c_dlat = blon[a_idx + 1] - c_lon, blat[a_idx + 1] - c_lat
        A1, A2, B1, B2 = bf1[a_idx], bf2[a_idx], bf1[a_idx + 1], bf2[a_idx + 1]
    nc = seg.size
    # per chord and bisector family k: direction sign, 1/slope, and +inf where the chord is parallel
    D = np.stack([B1 - A1, B2 - A2, (B2 - B1) - (A2 - A1)])
    sig = np.sign(D)
    with np.errstate(divide="ignore"):
        inv = np.where(D != 0.0, 1.0 / D, 0.0)
    big = np.where(D != 0.0, 0.0, np.inf)
    g1, g2 = _lattice_point(A1, A2)

    failed = np.zeros(m, dtype=bool)
    first_chord = kk == 0
    start_cells = tile.lookup(g1[first_chord], g2[first_chord])
    failed[seg[first_chord][start_cells != c0[seg[first_chord]]]] = True

    rows = np.arange(nc)
    t = np.zeros(nc)
    p_row, p_g1, p_g2, p_t0, p_t1 = [], [], [], [], []
    end_g1 = np.empty(nc)
    end_g2 = np.empty(nc)
    for step in range(MAX_WALK_STEPS):
        if rows.size == 0:
            break
        if step == 0:
            a1, a2, sg, iv, bg, tr = A1 - g1, A2 - g2, sig, inv, big, t
        else:
            a1, a2 = A1[rows] - g1[rows], A2[rows] - g2[rows]
            sg, iv, bg, tr = sig[:, rows], inv[:, rows], big[:, rows], t[rows]
        te = np.empty((3, rows.size))
        np.multiply(sg[0] - a1, iv[0], out=te[0])
        np.multiply(sg[1] - a2, iv[1], out=te[1])
        np.multiply(sg[2] - (a2 - a1), iv[2], out=te[2])
        te += bg
        b1 = te[1] < te[0]
        t_exit = np.minimum(te[0], te[1])
        b2 = te[2] < t_exit
        np.minimum(t_exit, te[2], out=t_exit)
        axis = np.where(b2, 2, b1.view(np.int8)).astype(np.intp)
        np.maximum(t_exit, tr, out=t_exit)
        done = t_exit >= 1.0
        go = np.flatnonzero(~done)
        r_go = rows[go]
        ax = axis[go]
        sgn = sg[ax, go]
        g1_go = g1[r_go]
        g2_go = g2[r_go]
        if r_go.size:
            t_exit[go] = _refine_crossing(
                ev, c_lon[r_go], c_lat[r_go], c_dlon[r_go], c_dlat[r_go], ax, sgn,
                g1_go, g2_go, D[ax, r_go], t_exit[go], tr[go],
            )
        p_row.append(rows)
        p_g1.append(g1[rows])
        p_g2.append(g2[rows])
        p_t0.append(tr.copy() if step == 0 else tr)
        p_t1.append(np.minimum(t_exit, 1.0))
        fin = rows[done]
        end_g1[fin] = g1[fin]
        end_g2[fin] = g2[fin]
        g1[r_go] = g1_go + sgn * _STEP_G1[ax]
        g2[r_go] = g2_go + sgn * _STEP_G2[ax]
        t[r_go] = t_exit[go]
        rows = r_go
    if rows.size:
        failed[seg[rows]] = True
    last_chord = kk == ns - 1
    end_cells = tile.lookup(end_g1[last_chord], end_g2[last_chord])
    failed[seg[last_chord][end_cells != c1[seg[last_chord]]]] = True

    pr = np.concatenate(p_row)
    pt0 = np.concatenate(p_t0)
    pt1 = np.concatenate(p_t1)
    cells = tile.lookup(np.concatenate(p_g1), np.concatenate(p_g2))
    ps = seg[pr]
    failed[ps[cells == 0]] = True
    frac = (pt1 - pt0) / ns[pr]
    keep = (frac > 0.0) & ~failed[ps]
    ps, cells, frac = ps[keep], cells[keep], frac[keep]
    # merge pieces of one segment in one cell (segments walked as several chords)
    multi = nsub[ps] > 1
    if multi.any():
        ms, mc, mf = h3ref.merge_pieces(ps[multi], cells[multi], frac[multi])
        ps = np.concatenate([ps[~multi], ms])
        cells = np.concatenate([cells[~multi], mc])
        frac = np.concatenate([frac[~multi], mf])
    return ps, cells, frac, np.flatnonzero(failed)


def _refine_crossing(ev: _Eval2, lon, lat, dlon, dlat, axis, sgn, g1, g2, slope, t, t_min):
    """Crossing parameter t of f_axis(chord(t)) - f_axis(H) = sgn on the tile polynomial.

    Newton from the straight-chord estimate with the chord's slope as
    derivative; clamped to [t_min, 1].
    """
    target = np.where(axis == 0, g1, np.where(axis == 1, g2, g2 - g1)) + sgn
    for _ in range(NEWTON_STEPS):
        f1, f2 = ev(lon + t * dlon, lat + t * dlat)
        f = np.where(axis == 0, f1, np.where(axis == 1, f2, f2 - f1))
        t = t - (f - target) / slope
    return np.clip(t, t_min, 1.0)
