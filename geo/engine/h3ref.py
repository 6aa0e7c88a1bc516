"""H3 from the library alone: h3ronpy's point → cell lookup, and segments split at cell edges by bisection.

The reference mode (``$FELTKART_KERNELS=reference``, :mod:`geo.engine.kernels`)
computes every cell with :func:`cells_of` and every split with
:func:`split_segments`; the hand-written kernel :mod:`geo.engine.h3grid` uses
the same functions for the points and segments its lattice arithmetic does
not settle. Everything is vectorised over all points or segments at once: one
h3ronpy call per halving, not one per segment.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from h3ronpy import vector as h3v

BISECTION_STEPS = 24
"""Halvings per crossing in :func:`split_segments`: 2**-24 (6e-8) of the segment, under 0.1 mm
for the longest segment that counts (5 min at 20 km/h, 1,667 m)."""

MAX_CROSSINGS = 100_000
"""More cells than this on one segment is an error (a segment that counts crosses at most a few dozen)."""

Lookup = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""lookup(lon, lat) → H3 cell (uint64) of each EPSG:4326 point, at the resolution in question."""


def cells_of(lon: np.ndarray, lat: np.ndarray, res: int) -> np.ndarray:
    """H3 cell (uint64) of each EPSG:4326 lon/lat point at resolution ``res``, from h3ronpy (one call)."""
    lon = np.ascontiguousarray(lon, dtype=np.float64).ravel()
    lat = np.ascontiguousarray(lat, dtype=np.float64).ravel()
    if lon.size == 0:
        return np.zeros(0, dtype=np.uint64)
    return np.asarray(h3v.coordinates_to_cells(lat, lon, res), dtype=np.uint64)


def split_segments(
    lon0: np.ndarray, lat0: np.ndarray, lon1: np.ndarray, lat1: np.ndarray, res: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pieces of each lon/lat segment per H3 cell, found with h3ronpy lookups only.

    Returns (segment index int64, cell uint64, fraction float64), as
    :func:`geo.engine.h3grid.split_segments`: fractions are shares of the
    segment in its lon/lat-linear parametrisation, sum to 1 per segment, and
    each (segment, cell) pair appears once. A segment whose ends lie in one
    cell lies wholly in it; the others are cut by :func:`split_by_bisection`
    with :data:`BISECTION_STEPS` halvings per crossing.
    """
    lon0, lat0, lon1, lat1 = (np.ascontiguousarray(a, dtype=np.float64).ravel() for a in (lon0, lat0, lon1, lat1))
    if not (lat0.size == lon1.size == lat1.size == lon0.size):
        raise ValueError("lon0, lat0, lon1, lat1 must have the same length")

    def lookup(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        return cells_of(lon, lat, res)

    c0 = lookup(lon0, lat0)
    c1 = end_cells(lon0, lat0, lon1, lat1, c0, lookup)
    inside = np.flatnonzero(c0 == c1)
    cross = np.flatnonzero(c0 != c1)
    s, c, f = split_by_bisection(lon0[cross], lat0[cross], lon1[cross], lat1[cross], c0[cross], c1[cross], lookup,
                                 steps=BISECTION_STEPS)
    return (np.concatenate([inside, cross[s]]).astype(np.int64), np.concatenate([c0[inside], c]),
            np.concatenate([np.ones(inside.size), f]))


def end_cells(lon0, lat0, lon1, lat1, c0: np.ndarray, lookup: Lookup) -> np.ndarray:
    """Cells of the end points, reusing the start cell of the next segment where it is the same point."""
    n = lon0.size
    c1 = np.empty(n, dtype=np.uint64)
    if n > 1:
        shared = (lon1[:-1] == lon0[1:]) & (lat1[:-1] == lat0[1:])
        c1[:-1] = c0[1:]
        todo = np.r_[np.flatnonzero(~shared), n - 1]
    else:
        todo = np.arange(n)
    if todo.size:
        c1[todo] = lookup(lon1[todo], lat1[todo])
    return c1


def split_by_bisection(
    lon0: np.ndarray, lat0: np.ndarray, lon1: np.ndarray, lat1: np.ndarray, c_start: np.ndarray, c_end: np.ndarray,
    lookup: Lookup, *, steps: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row int64, cell uint64, fraction float64) of segments whose end cells ``c_start``, ``c_end`` differ.

    Walks each segment from its start cell: the point where it leaves the
    current cell is located by ``steps`` halvings of the fraction (to
    2**-steps of the segment), the next cell is looked up just past it, and
    so on until the end cell. Fractions are shares of the segment in its
    lon/lat-linear parametrisation and sum to 1 per segment; pieces of one
    (row, cell) are merged (a segment may leave a cell and come back), and
    pieces of zero length dropped.
    """
    dlon, dlat = lon1 - lon0, lat1 - lat0

    def cell_at(rows: np.ndarray, f: np.ndarray) -> np.ndarray:
        return lookup(lon0[rows] + f * dlon[rows], lat0[rows] + f * dlat[rows])

    out_seg, out_cell, out_frac = [], [], []
    rows = np.arange(lon0.size)
    f_from = np.zeros(lon0.size)
    c_from = np.asarray(c_start, dtype=np.uint64)
    for _ in range(MAX_CROSSINGS):
        if rows.size == 0:
            break
        lo, hi = f_from.copy(), np.ones(rows.size)
        for _ in range(steps):
            mid = 0.5 * (lo + hi)
            inside = cell_at(rows, mid) == c_from
            lo = np.where(inside, mid, lo)
            hi = np.where(inside, hi, mid)
        out_seg.append(rows)
        out_cell.append(c_from)
        out_frac.append(hi - f_from)
        c_next = cell_at(rows, hi)
        done = c_next == c_end[rows]
        out_seg.append(rows[done])
        out_cell.append(c_end[rows[done]])
        out_frac.append(1.0 - hi[done])
        rows, f_from, c_from = rows[~done], hi[~done], c_next[~done]
    else:
        if rows.size:
            raise RuntimeError(f"{rows.size} segments cross more than {MAX_CROSSINGS} H3 cells")
    if not out_seg:
        return np.zeros(0, np.int64), np.zeros(0, np.uint64), np.zeros(0)
    s = np.concatenate(out_seg).astype(np.int64)
    c = np.concatenate(out_cell).astype(np.uint64)
    f = np.concatenate(out_frac)
    keep = f > 0.0
    return merge_pieces(s[keep], c[keep], f[keep])


def merge_pieces(s: np.ndarray, c: np.ndarray, f: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sum the fractions ``f`` of pieces with equal (segment ``s``, cell ``c``); sorted by segment, then cell."""
    if s.size < 2:
        return s, c, f
    order = np.lexsort((c, s))
    s, c, f = s[order], c[order], f[order]
    new = np.r_[True, (s[1:] != s[:-1]) | (c[1:] != c[:-1])]
    if new.all():
        return s, c, f
    starts = np.flatnonzero(new)
    return s[starts], c[starts], np.add.reduceat(f, starts)
