"""Exact share of each segment's length in each H3 cell.

PRODUCT.md, Coverage cell: an H3 cell, resolution 10 by default (9–11
selectable). A segment whose two ends lie in the same cell lies wholly in it
(H3 cells are convex at these scales). A segment whose ends lie in different
cells is cut where it leaves each cell: the crossing is found by bisection on
the fraction along the segment, vectorised over all crossing segments at once,
until every piece starts and ends in one cell. Lengths are EPSG:25832 metres
(the segment's measured length times the fraction in each cell).

H3 lookups go through h3ronpy (vectorised, Rust) rather than a Python call per
point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from h3ronpy import vector as h3v

from geo.engine.segments import Segments

RESOLUTIONS = (9, 10, 11)
"""H3 resolutions Feltkart offers."""

DEFAULT_RESOLUTION = 10

BISECTION_STEPS = 24
"""Bisection steps per crossing: locates it to 2**-24 of the segment length."""

MEAN_EDGE_M = {9: 174.4, 10: 65.9, 11: 24.9}
"""Average H3 hexagon edge length per resolution, metres (H3 documentation)."""


def check_resolution(res: int) -> int:
    """Return ``res`` if Feltkart supports it, else raise a clear error."""
    if res not in RESOLUTIONS:
        raise ValueError(f"H3 resolution must be one of {RESOLUTIONS}; got {res}")
    return res


def cells_of(lon: np.ndarray, lat: np.ndarray, res: int) -> np.ndarray:
    """H3 cell (uint64) of each EPSG:4326 lon/lat point at resolution ``res``."""
    if len(lon) == 0:
        return np.zeros(0, dtype=np.uint64)
    out = h3v.coordinates_to_cells(
        np.ascontiguousarray(lat, dtype=np.float64), np.ascontiguousarray(lon, dtype=np.float64), res
    )
    return np.asarray(out, dtype=np.uint64)


@dataclass(frozen=True, slots=True)
class CellPieces:
    """Pieces of segments, each lying in one cell.

    ``segment`` indexes into the Segments the pieces came from; ``fraction``
    is the share of that segment's length (and duration) in ``cell``.
    """

    segment: np.ndarray  # int64
    cell: np.ndarray  # uint64
    fraction: np.ndarray  # float64, 0..1


def split_by_cells(segments: Segments, res: int) -> CellPieces:
    """Cut every segment at H3 cell boundaries of resolution ``res``."""
    check_resolution(res)
    c0 = cells_of(segments.lon0, segments.lat0, res)
    c1 = cells_of(segments.lon1, segments.lat1, res)
    same = c0 == c1
    seg_parts = [np.flatnonzero(same)]
    cell_parts = [c0[same]]
    frac_parts = [np.ones(int(same.sum()))]
    crossing = np.flatnonzero(~same)
    if crossing.size:
        s, c, f = _split_crossing(segments, crossing, c0[crossing], c1[crossing], res)
        seg_parts.append(s)
        cell_parts.append(c)
        frac_parts.append(f)
    return CellPieces(
        segment=np.concatenate(seg_parts).astype(np.int64),
        cell=np.concatenate(cell_parts).astype(np.uint64),
        fraction=np.concatenate(frac_parts),
    )


def _split_crossing(
    segments: Segments, idx: np.ndarray, c_start: np.ndarray, c_end: np.ndarray, res: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lon0, lat0 = segments.lon0[idx], segments.lat0[idx]
    dlon, dlat = segments.lon1[idx] - lon0, segments.lat1[idx] - lat0

    def cell_at(rows: np.ndarray, f: np.ndarray) -> np.ndarray:
        return cells_of(lon0[rows] + f * dlon[rows], lat0[rows] + f * dlat[rows], res)

    out_seg, out_cell, out_frac = [], [], []
    rows = np.arange(idx.size)
    f_from = np.zeros(idx.size)
    c_from = c_start
    # A straight line enters a new cell at most every ~0.75 edge lengths (along a
    # zig-zag row boundary); half an edge is a safe bound on the crossings needed.
    max_crossings = int(np.ceil(segments.length_m[idx].max() / (0.5 * MEAN_EDGE_M[res]))) + 16
    for _ in range(max_crossings):
        if rows.size == 0:
            break
        lo, hi = f_from.copy(), np.ones(rows.size)
        for _ in range(BISECTION_STEPS):
            mid = 0.5 * (lo + hi)
            inside = cell_at(rows, mid) == c_from
            lo = np.where(inside, mid, lo)
            hi = np.where(inside, hi, mid)
        out_seg.append(idx[rows])
        out_cell.append(c_from)
        out_frac.append(hi - f_from)
        c_next = cell_at(rows, hi)
        done = c_next == c_end[rows]
        out_seg.append(idx[rows[done]])
        out_cell.append(c_end[rows[done]])
        out_frac.append(1.0 - hi[done])
        keep = ~done
        rows, f_from, c_from = rows[keep], hi[keep], c_next[keep]
    else:
        if rows.size:
            raise RuntimeError(f"{rows.size} segments cross more than {max_crossings} H3 cells")
    return np.concatenate(out_seg), np.concatenate(out_cell), np.concatenate(out_frac)
