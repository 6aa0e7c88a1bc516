"""Exact share of each segment's length in each H3 cell.

PRODUCT.md, Coverage cell: an H3 cell, resolution 10 by default (9–11
selectable). A segment whose two ends lie in the same cell lies wholly in it;
a segment whose ends lie in different cells is cut where H3's own point
assignment changes, so its length (EPSG:25832 metres, the segment's measured
length times each fraction) and duration are shared exactly.

The work is done by :mod:`geo.engine.h3grid`, which reproduces H3's cell
assignment exactly with vectorised lattice arithmetic (h3ronpy only near cell
edges); this module is the engine-facing interface.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geo.engine import h3grid
from geo.engine.segments import Segments

RESOLUTIONS = (9, 10, 11)
"""H3 resolutions Feltkart offers."""

DEFAULT_RESOLUTION = 10


def check_resolution(res: int) -> int:
    """Return ``res`` if Feltkart supports it, else raise a clear error."""
    if res not in RESOLUTIONS:
        raise ValueError(f"H3 resolution must be one of {RESOLUTIONS}; got {res}")
    return res


def cells_of(lon: np.ndarray, lat: np.ndarray, res: int) -> np.ndarray:
    """H3 cell (uint64) of each EPSG:4326 lon/lat point at resolution ``res`` (exactly as H3)."""
    return h3grid.cells_of(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64), res)


@dataclass(frozen=True, slots=True)
class CellPieces:
    """Pieces of segments, each lying in one cell.

    ``segment`` indexes into the Segments the pieces came from; ``fraction``
    is the share of that segment's length (and duration) in ``cell``; the
    fractions of one segment sum to 1.
    """

    segment: np.ndarray  # int64
    cell: np.ndarray  # uint64
    fraction: np.ndarray  # float64, 0..1


def split_by_cells(segments: Segments, res: int) -> CellPieces:
    """Cut every segment at H3 cell boundaries of resolution ``res``."""
    check_resolution(res)
    return CellPieces(*h3grid.split_segments(segments.lon0, segments.lat0, segments.lon1, segments.lat1, res))
