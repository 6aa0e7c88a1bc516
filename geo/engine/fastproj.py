"""Fast EPSG:4326 → EPSG:25832 projection by per-tile polynomials, within 1 mm of pyproj.

Also home of the small tiling machinery shared with :mod:`geo.engine.h3grid`
(a smooth map of lon/lat replaced, per lon/lat tile, by a fitted polynomial
evaluated in cache-sized chunks with numpy).

How it works
------------
The globe is cut into lon/lat tiles of ``TILE_DLON`` × ``TILE_DLAT`` degrees.
Once ``PROJ_BUILD_MIN`` points have asked for a tile, pyproj projects a
14 × 14 Chebyshev grid over the tile (plus a 1 % margin) and a bivariate
degree-5 polynomial in the lon/lat offsets from the tile centre is fitted by
least squares to easting and northing (~2 ms). pyproj is then compared with
the polynomial on an independent 41 × 41 check grid; if the worst difference
exceeds ``MAX_FIT_ERROR_M`` (1 µm) the tile is *exact only* and its points go
through pyproj, as do tiles outside ±84° latitude, non-finite input and
points scattered so thinly that a chunk holds fewer than ``MIN_GROUP`` of one
tile.

Evaluating a degree-5 polynomial costs 30 numpy operations per output. So the
points are processed in chunks of ``CHUNK`` (cache-resident scratch arrays):
for each chunk the tile polynomial is re-expanded (exactly, binomial shift)
around a snapped point near the chunk's centre and truncated to the lowest
degree whose dropped terms are provably below ``TRUNCATION_BUDGET_M`` over the
chunk's bounding box (|c_ij|·|dx|^i·|dy|^j summed over the dropped terms).
Random points over Oslo sentrum use degree 3 (bound 1 µm); a chunk of
consecutive GPS fixes degree 2 (bound ≤ 0.1 mm).

Error budget per point: fit error (check grid, measured below) + truncation
(≤ 0.1 mm, rigorous) + float rounding (< 1 nm): within 0.1 mm of pyproj,
against the promised 1 mm. Measured fit errors (degree 5, check grid):
Oslo 8.8e-5 mm, Bergen 5.8e-5 mm, Lindesnes 6.0e-5 mm, Tromsø 9.1e-5 mm,
Kirkenes (30° E, far outside UTM zone 32) 9.3e-5 mm, Svalbard 1.1e-4 mm.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from functools import cache

import numpy as np
from pyproj import Transformer

from geo.engine import kernels
from geo.schema import MEASURE_CRS, STORE_CRS

TILE_DLON = 0.4
"""Tile width in degrees of longitude."""

TILE_DLAT = 0.2
"""Tile height in degrees of latitude."""

POLY_DEGREE = 5
"""Degree of the per-tile polynomial."""

FIT_NODES = 14
"""Chebyshev nodes per axis for the projection fit."""

CHECK_NODES = 41
"""Uniform check points per axis for the projection fit."""

MAX_FIT_ERROR_M = 1e-6
"""Largest accepted fit error (metres) on the check grid; above → pyproj for the tile."""

TRUNCATION_BUDGET_M = 1e-4
"""Largest error (metres) accepted from truncating the re-expanded polynomial per chunk."""

CHUNK = 32768
"""Points per chunk: keeps ~12 float64 scratch arrays inside L2."""

MIN_GROUP = 256
"""Fewest points of one tile within a multi-tile chunk that are given to the tile's kernel."""

SNAP = 32
"""Chunk re-expansion centres are snapped to 1/SNAP of a tile (so they can be cached)."""

PROJ_BUILD_MIN = 1000
"""Points a projection tile must be asked for before it is fitted (a fit costs ~2 ms)."""

_LAT_LIMIT = 84.0
"""Tiles must lie within ±_LAT_LIMIT latitude to get a polynomial."""


# ---------------------------------------------------------------------------
# Bivariate polynomials in lon/lat offsets
# ---------------------------------------------------------------------------


def _exponents(deg: int) -> list[tuple[int, int]]:
    return [(i, j) for i in range(deg + 1) for j in range(deg + 1 - i)]


def _shift_matrix(a: float, deg: int) -> np.ndarray:
    """T[i, k] = C(i, k) a^(i-k): (a + x)^i = sum_k T[i, k] x^k."""
    t = np.zeros((deg + 1, deg + 1))
    for i in range(deg + 1):
        for k in range(i + 1):
            t[i, k] = math.comb(i, k) * a ** (i - k)
    return t


class Poly2:
    """P(lon, lat) = sum c[i, j] (lon - lon0)^i (lat - lat0)^j, i + j <= deg."""

    __slots__ = ("c", "deg", "lat0", "lon0")

    def __init__(self, lon0: float, lat0: float, c: np.ndarray):
        self.lon0 = float(lon0)
        self.lat0 = float(lat0)
        self.c = np.asarray(c, dtype=np.float64)
        self.deg = self.c.shape[0] - 1

    @classmethod
    def fit(
        cls, lon: np.ndarray, lat: np.ndarray, z: np.ndarray, deg: int, lon0: float, lat0: float, hw: float, hh: float
    ) -> Poly2:
        """Least-squares fit, conditioned on offsets scaled by the half sizes ``hw``, ``hh``."""
        u = (np.asarray(lon) - lon0) / hw
        v = (np.asarray(lat) - lat0) / hh
        ex = _exponents(deg)
        m = np.stack([u**i * v**j for i, j in ex], axis=1)
        z = np.asarray(z, dtype=np.float64)
        # Normal equations (einsum: no multi-threaded BLAS, which stalls badly on a busy
        # machine) with iterative refinement, which restores full least-squares accuracy
        # (cond(G) ~ 1e5 for degree 5 on [-1, 1]^2).
        g = np.einsum("ni,nj->ij", m, m)
        sol = np.linalg.solve(g, np.einsum("ni,n->i", m, z))
        for _ in range(3):
            resid = z - np.einsum("ni,i->n", m, sol)
            sol = sol + np.linalg.solve(g, np.einsum("ni,n->i", m, resid))
        c = np.zeros((deg + 1, deg + 1))
        for (i, j), s in zip(ex, sol):
            c[i, j] = s / hw**i / hh**j
        return cls(lon0, lat0, c)

    def __call__(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        x = np.asarray(lon, dtype=np.float64) - self.lon0
        y = np.asarray(lat, dtype=np.float64) - self.lat0
        out = np.empty_like(x)
        horner_into(self.coef_lists(), self.deg, x, y, out, np.empty_like(x))
        return out

    def reexpand(self, lon1: float, lat1: float) -> Poly2:
        """The same polynomial written in offsets from (lon1, lat1) (exact up to rounding)."""
        ta = _shift_matrix(lon1 - self.lon0, self.deg)
        tb = _shift_matrix(lat1 - self.lat0, self.deg)
        return Poly2(lon1, lat1, ta.T @ self.c @ tb)

    def tail_bounds(self, ex: float, ey: float) -> np.ndarray:
        """b[d] = max |error| over |x| <= ex, |y| <= ey of dropping all terms of degree > d."""
        b = np.zeros(self.deg + 1)
        for i in range(self.deg + 1):
            for j in range(self.deg + 1 - i):
                term = abs(self.c[i, j]) * ex**i * ey**j
                b[: i + j] += term
        return b

    def coef_lists(self, deg: int | None = None) -> list[list[float]]:
        d = self.deg if deg is None else deg
        return [[float(self.c[i, j]) for j in range(d + 1 - i)] for i in range(d + 1)]


def horner_into(c: list[list[float]], deg: int, x: np.ndarray, y: np.ndarray, out: np.ndarray, tmp: np.ndarray) -> None:
    """out = sum c[i][j] x^i y^j (i + j <= deg), in place, deg*(deg+3) numpy operations."""
    if deg == 0:
        out.fill(c[0][0])
        return
    np.multiply(x, c[deg][0], out=out)
    for i in range(deg - 1, -1, -1):
        row = c[i]
        m = deg - i
        np.multiply(y, row[m], out=tmp)
        tmp += row[m - 1]
        for j in range(m - 2, -1, -1):
            tmp *= y
            tmp += row[j]
        out += tmp
        if i:
            out *= x


class LocalPolys:
    """Polynomials (one per output) of a tile, re-expanded around chunk centres.

    ``pick`` returns, for a chunk's bounding box, the re-expansion centre, the
    lowest degree whose truncation error is within ``budget`` for every
    output, the coefficient lists at that degree, and the rigorous truncation
    bound per output.
    """

    def __init__(self, polys: list[Poly2], tile_lon: float, tile_lat: float, dlon: float, dlat: float):
        self.polys = polys
        self.tile_lon = tile_lon  # south-west corner
        self.tile_lat = tile_lat
        self.step_lon = dlon / SNAP
        self.step_lat = dlat / SNAP
        self._cache: dict[tuple, tuple] = {}
        self._lock = threading.Lock()

    def pick(
        self, lo_min: float, lo_max: float, la_min: float, la_max: float, budget: float
    ) -> tuple[float, float, int, list[list[list[float]]], list[float]]:
        """(lon1, lat1, degree, coefficient lists per output, truncation bound per output) for a box.

        The half extents of the box around the snapped centre are rounded up
        to whole snap steps, which keeps the bounds rigorous and lets the
        result be cached.
        """
        ix = round(((lo_min + lo_max) * 0.5 - self.tile_lon) / self.step_lon)
        iy = round(((la_min + la_max) * 0.5 - self.tile_lat) / self.step_lat)
        lon1 = self.tile_lon + ix * self.step_lon
        lat1 = self.tile_lat + iy * self.step_lat
        jx = math.ceil(max(lo_max - lon1, lon1 - lo_min, 0.0) / self.step_lon)
        jy = math.ceil(max(la_max - lat1, lat1 - la_min, 0.0) / self.step_lat)
        key = (ix, iy, jx, jy, budget)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        local = [p.reexpand(lon1, lat1) for p in self.polys]
        ex, ey = jx * self.step_lon, jy * self.step_lat
        bounds = [p.tail_bounds(ex, ey) for p in local]
        deg = local[0].deg
        for d in range(1, deg + 1):
            if all(b[d] <= budget for b in bounds):
                deg = d
                break
        hit = (local[0].lon0, local[0].lat0, deg, [p.coef_lists(deg) for p in local], [float(b[deg]) for b in bounds])
        with self._lock:
            if len(self._cache) > 4096:
                self._cache.clear()
            self._cache[key] = hit
        return hit


# ---------------------------------------------------------------------------
# Tiled, chunked, threaded driver
# ---------------------------------------------------------------------------

Kernel = Callable[..., "np.ndarray | bool | None"]
"""kernel(tile, lo, la, bbox, start, stop, scratch) → None (all done), True (all slow) or bool mask (True = slow)."""


class TiledDriver:
    """Runs a per-tile kernel over lon/lat arrays in cache-sized chunks.

    ``make_tile(tx, ty)`` builds the (cached) tile of integer tile index
    (tx, ty) = floor(lon / dlon), floor(lat / dlat). A tile is only built once
    at least ``build_min`` points have asked for it (cumulated over calls);
    until then its points are "slow". ``run`` calls
    ``kernel(tile, lo, la, bbox, sel, scratch)`` for the points of each chunk
    that fall in one tile (``sel`` is a slice or an index array into the
    input) and returns the indices of the points that the kernel declined or
    that could not be given to a kernel ("slow" points), which the caller then
    computes exactly. At most ``max_tiles`` tiles are cached (then the cache
    starts afresh). Non-finite coordinates are always slow. Chunks spanning
    several tiles are grouped by tile; groups smaller than ``MIN_GROUP``
    (scattered points) are slow.
    """

    def __init__(
        self,
        dlon: float,
        dlat: float,
        make_tile: Callable[[int, int], object],
        n_scratch: int,
        build_min: int,
        max_tiles: int = 64,
    ):
        self.dlon = dlon
        self.dlat = dlat
        self.inv_lon = 1.0 / dlon
        self.inv_lat = 1.0 / dlat
        self._make_tile = make_tile
        self._tiles: dict[tuple[int, int], object] = {}
        self._demand: dict[tuple[int, int], int] = {}
        self._lock = threading.RLock()
        self.n_scratch = n_scratch
        self.build_min = build_min
        self.max_tiles = max_tiles

    def tile(self, tx: int, ty: int):
        """The tile (tx, ty), built now if needed."""
        return self.tile_for(tx, ty, self.build_min)

    def tile_for(self, tx: int, ty: int, count: int):
        """The tile (tx, ty) if built or if demand (``count`` more points) now justifies it, else None."""
        key = (tx, ty)
        t = self._tiles.get(key)
        if t is not None:
            return t
        with self._lock:
            t = self._tiles.get(key)
            if t is not None:
                return t
            d = self._demand.get(key, 0) + count
            if d < self.build_min:
                if len(self._demand) > 100_000:
                    self._demand.clear()
                self._demand[key] = d
                return None
            t = self._make_tile(tx, ty)
            if len(self._tiles) >= self.max_tiles:
                self._tiles.clear()  # bound memory; tiles in use stay alive where referenced
            self._tiles[key] = t
            self._demand.pop(key, None)
            return t

    def tile_index(self, lon: float, lat: float) -> tuple[int, int]:
        return math.floor(lon * self.inv_lon), math.floor(lat * self.inv_lat)

    def run(self, lon: np.ndarray, lat: np.ndarray, kernel: Kernel) -> np.ndarray:
        """Indices (int64) of the "slow" points, after ``kernel`` has done the others (see the class docstring).

        One thread: the engine runs its patrol chunks in threads itself (``geo.engine.threads``).
        """
        slow = self._run_range(lon, lat, kernel, 0, len(lon))
        if not slow:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate(slow).astype(np.int64, copy=False)

    def _run_range(self, lon: np.ndarray, lat: np.ndarray, kernel: Kernel, start: int, stop: int) -> list[np.ndarray]:
        scratch = Scratch(min(CHUNK, max(stop - start, 1)), self.n_scratch)
        slow: list[np.ndarray] = []
        for s in range(start, stop, CHUNK):
            e = min(s + CHUNK, stop)
            lo = lon[s:e]
            la = lat[s:e]
            lo_min, lo_max = float(lo.min()), float(lo.max())
            la_min, la_max = float(la.min()), float(la.max())
            if not (math.isfinite(lo_min + lo_max + la_min + la_max)):
                self._run_mixed(lon, lat, kernel, s, e, scratch, slow)
                continue
            tx0, ty0 = self.tile_index(lo_min, la_min)
            tx1, ty1 = self.tile_index(lo_max, la_max)
            if tx0 == tx1 and ty0 == ty1:
                tile = self.tile_for(tx0, ty0, e - s)
                res = True if tile is None else kernel(tile, lo, la, (lo_min, lo_max, la_min, la_max), slice(s, e), scratch)
                _collect(res, s, e, None, slow)
            else:
                self._run_mixed(lon, lat, kernel, s, e, scratch, slow)
        return slow

    def _run_mixed(self, lon, lat, kernel, s, e, scratch, slow) -> None:
        """A chunk spanning several tiles (or holding non-finite values)."""
        lo = lon[s:e]
        la = lat[s:e]
        with np.errstate(invalid="ignore"):
            ok = np.isfinite(lo) & np.isfinite(la)
            tx = np.floor(lo * self.inv_lon)
            ty = np.floor(la * self.inv_lat)
        good = np.flatnonzero(ok)
        if good.size < ok.size:
            slow.append(np.flatnonzero(~ok) + s)
        if good.size == 0:
            return
        txg = tx[good]
        tyg = ty[good]
        tx_min = txg.min()
        ty_min = tyg.min()
        nyt = tyg.max() - ty_min + 1
        key = ((txg - tx_min) * nyt + (tyg - ty_min)).astype(np.int64)
        nkeys = int(key.max()) + 1
        if nkeys <= 64:
            # few tiles (the usual case): one mask per tile, no sort
            counts = np.bincount(key, minlength=nkeys)
            groups = []
            small = []
            for k in np.flatnonzero(counts):
                if counts[k] >= MIN_GROUP:
                    groups.append((int(k), None))
                else:
                    small.append(k)
            if small:
                slow.append(good[np.isin(key, small)] + s)
        else:
            order = np.argsort(key, kind="stable")
            key_sorted = key[order]
            cuts = np.flatnonzero(np.diff(key_sorted)) + 1
            starts = np.r_[0, cuts]
            stops = np.r_[cuts, key_sorted.size]
            big = (stops - starts) >= MIN_GROUP
            if not big.all():
                slow.append(good[order[np.repeat(~big, stops - starts)]] + s)
            groups = [(int(key_sorted[a]), order[a:b]) for a, b in zip(starts[big], stops[big])]
        for k, members in groups:
            idx = good[np.flatnonzero(key == k) if members is None else members]
            tile = self.tile_for(int(k // nyt + tx_min), int(k % nyt + ty_min), idx.size)
            if tile is None:
                _collect(True, s, e, idx, slow)
                continue
            lo_i = lo[idx]
            la_i = la[idx]
            bbox = (float(lo_i.min()), float(lo_i.max()), float(la_i.min()), float(la_i.max()))
            res = kernel(tile, lo_i, la_i, bbox, idx + s, scratch)
            _collect(res, s, e, idx, slow)


def _collect(res, s: int, e: int, idx: np.ndarray | None, slow: list[np.ndarray]) -> None:
    if res is None or res is False:
        return
    if res is True:
        slow.append(np.arange(s, e, dtype=np.int64) if idx is None else idx + s)
        return
    if res.any():
        hit = np.flatnonzero(res)
        slow.append(hit + s if idx is None else idx[hit] + s)


class Scratch:
    """Reusable float64 work arrays of one chunk, plus a bool and an int64 array."""

    def __init__(self, size: int, n: int):
        self.size = size
        self.f = [np.empty(size) for _ in range(n)]
        self.b = np.empty(size, dtype=bool)
        self.i = np.empty(size, dtype=np.int64)

    def views(self, m: int) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
        if m == self.size:
            return self.f, self.b, self.i
        return [a[:m] for a in self.f], self.b[:m], self.i[:m]


# ---------------------------------------------------------------------------
# EPSG:4326 → EPSG:25832
# ---------------------------------------------------------------------------


@cache
def _transformer() -> Transformer:
    return Transformer.from_crs(STORE_CRS, MEASURE_CRS, always_xy=True)


def _pyproj(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = _transformer().transform(lon, lat)
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


class _ProjTile:
    __slots__ = ("exact_only", "fit_error_m", "local")

    def __init__(self, tx: int, ty: int):
        self.exact_only = True
        self.local: LocalPolys | None = None
        self.fit_error_m = math.inf
        lon_a, lat_a = tx * TILE_DLON, ty * TILE_DLAT
        if not (-180.0 <= lon_a and lon_a + TILE_DLON <= 180.0 and -_LAT_LIMIT <= lat_a and lat_a + TILE_DLAT <= _LAT_LIMIT):
            return
        hw = TILE_DLON * 0.505
        hh = TILE_DLAT * 0.505
        lon_c = lon_a + TILE_DLON / 2
        lat_c = lat_a + TILE_DLAT / 2
        k = np.arange(FIT_NODES)
        g = np.cos(np.pi * (k + 0.5) / FIT_NODES)
        u, v = np.meshgrid(g, g)
        lon_f = lon_c + hw * u.ravel()
        lat_f = lat_c + hh * v.ravel()
        x_f, y_f = _pyproj(lon_f, lat_f)
        if not (np.all(np.isfinite(x_f)) and np.all(np.isfinite(y_f))):
            return
        px = Poly2.fit(lon_f, lat_f, x_f, POLY_DEGREE, lon_c, lat_c, hw, hh)
        py = Poly2.fit(lon_f, lat_f, y_f, POLY_DEGREE, lon_c, lat_c, hw, hh)
        g = np.linspace(-1.0, 1.0, CHECK_NODES)
        u, v = np.meshgrid(g, g)
        lon_k = lon_c + hw * u.ravel()
        lat_k = lat_c + hh * v.ravel()
        x_k, y_k = _pyproj(lon_k, lat_k)
        err = max(float(np.max(np.abs(px(lon_k, lat_k) - x_k))), float(np.max(np.abs(py(lon_k, lat_k) - y_k))))
        self.fit_error_m = err
        if not err <= MAX_FIT_ERROR_M:
            return
        self.local = LocalPolys([px, py], lon_a, lat_a, TILE_DLON, TILE_DLAT)
        self.exact_only = False


_PROJ_DRIVER = TiledDriver(TILE_DLON, TILE_DLAT, _ProjTile, n_scratch=4, build_min=PROJ_BUILD_MIN, max_tiles=1024)


def _proj_kernel(x_out: np.ndarray, y_out: np.ndarray):
    def kernel(tile: _ProjTile, lo, la, bbox, sel, scratch: Scratch):
        if tile.exact_only:
            return True
        lon1, lat1, deg, (cx, cy), _ = tile.local.pick(*bbox, TRUNCATION_BUDGET_M)
        m = len(lo)
        (xo, yo, tmp, t2), _, _ = scratch.views(m)
        np.subtract(lo, lon1, out=xo)
        np.subtract(la, lat1, out=yo)
        if isinstance(sel, slice):
            horner_into(cx, deg, xo, yo, x_out[sel], tmp)
            horner_into(cy, deg, xo, yo, y_out[sel], tmp)
        else:
            horner_into(cx, deg, xo, yo, t2, tmp)
            x_out[sel] = t2
            horner_into(cy, deg, xo, yo, t2, tmp)
            y_out[sel] = t2
        return None

    return kernel


def to_measure_crs(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """EPSG:4326 lon/lat degrees → EPSG:25832 easting/northing metres (within 0.1 mm of pyproj).

    Drop-in for pyproj's EPSG:4326 → EPSG:25832 transform (same shapes out as
    in). Points in tiles without an accurate polynomial (outside ±84°
    latitude, failed fit), thinly scattered points and non-finite inputs go
    through pyproj itself. With ``$FELTKART_KERNELS=pyproj`` or ``reference``
    (:mod:`geo.engine.kernels`) every point goes through pyproj.
    """
    if kernels.LIBRARY_PROJECTION:
        x, y = _pyproj(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
        return x, y
    shape = np.shape(lon)
    lon = np.ascontiguousarray(lon, dtype=np.float64).ravel()
    lat = np.ascontiguousarray(lat, dtype=np.float64).ravel()
    if lon.shape != lat.shape:
        raise ValueError(f"lon and lat differ in length: {lon.shape} vs {lat.shape}")
    n = lon.size
    if n < 64:
        x, y = _pyproj(lon, lat)
        return x.reshape(shape), y.reshape(shape)
    x = np.empty(n)
    y = np.empty(n)
    slow = _PROJ_DRIVER.run(lon, lat, _proj_kernel(x, y))
    if slow.size:
        xs, ys = _pyproj(lon[slow], lat[slow])
        x[slow] = xs
        y[slow] = ys
    return x.reshape(shape), y.reshape(shape)
