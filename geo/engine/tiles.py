"""Per-tile polynomials of lon/lat, evaluated in cache-sized chunks: the machinery of :mod:`geo.engine.h3grid`.

A smooth map of EPSG:4326 lon/lat (for H3: the gnomonic lattice coordinates
of one icosahedron face) is replaced, per lon/lat tile, by a bivariate
polynomial fitted by least squares (:class:`Poly2`). Evaluating a degree-5
polynomial costs 30 numpy operations per output, so :class:`TiledDriver`
hands a kernel the points in chunks of :data:`CHUNK` (cache-resident scratch
arrays, :class:`Scratch`), grouped by tile, and :class:`LocalPolys`
re-expands the tile's polynomial (exactly, binomial shift) around a snapped
point near each chunk's centre and truncates it to the lowest degree whose
dropped terms are provably below the caller's budget over the chunk's
bounding box (|c_ij|·|dx|^i·|dy|^j summed over the dropped terms). Points the
kernel cannot settle come back as "slow" for the caller to compute exactly:
non-finite input, tiles not yet asked for often enough to be built, and
points scattered so thinly that a chunk holds fewer than :data:`MIN_GROUP`
of one tile.

This module used to project to EPSG:25832 as well (``fastproj``); measured in
whole user commands that saved under 10 % of every one of them
(``bench/kernels.py``), so the engine projects with pyproj
(:mod:`geo.engine.projection`) and only the H3 kernel uses the machinery.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

import numpy as np

CHUNK = 32768
"""Points per chunk: keeps ~12 float64 scratch arrays inside L2."""

MIN_GROUP = 256
"""Fewest points of one tile within a multi-tile chunk that are given to the tile's kernel."""

SNAP = 32
"""Chunk re-expansion centres are snapped to 1/SNAP of a tile (so they can be cached)."""


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
# Tiled, chunked driver
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
