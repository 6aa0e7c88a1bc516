"""Exact share of each segment's length in each H3 cell.

PRODUCT.md, Coverage cell: an H3 cell, resolution 10 by default (9–11
selectable). A segment whose two ends lie in the same cell lies wholly in it;
a segment whose ends lie in different cells is cut where H3's own point
assignment changes, so its length (EPSG:25832 metres, the segment's measured
length times each fraction) and duration are shared exactly.

The work is done by :mod:`geo.engine.h3grid`, which reproduces H3's cell
assignment exactly with vectorised lattice arithmetic (h3ronpy only near cell
edges); this module is the engine-facing interface. With
``$FELTKART_KERNELS=reference`` (:mod:`geo.engine.kernels`) the library does
it all instead (:mod:`geo.engine.h3ref`: h3ronpy lookups, split by bisection).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from geo.engine import h3grid, h3ref, kernels
from geo.engine.segments import Segments
from geo.schema import H3_RESOLUTIONS

RESOLUTIONS = H3_RESOLUTIONS
"""H3 resolutions Feltkart offers (``geo.schema.H3_RESOLUTIONS``)."""

DEFAULT_RESOLUTION = 10


def check_resolution(res: int) -> int:
    """Return ``res`` if Feltkart supports it, else raise a clear error."""
    if res not in RESOLUTIONS:
        raise ValueError(f"H3 resolution must be one of {RESOLUTIONS}; got {res}")
    return res


def cells_of(lon: np.ndarray, lat: np.ndarray, res: int) -> np.ndarray:
    """H3 cell (uint64) of each EPSG:4326 lon/lat point at resolution ``res`` (exactly as H3)."""
    if kernels.REFERENCE:
        return h3ref.cells_of(lon, lat, res)
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
    split = h3ref.split_segments if kernels.REFERENCE else h3grid.split_segments
    return CellPieces(*split(segments.lon0, segments.lat0, segments.lon1, segments.lat1, res))


def sum_by_cell(cell: np.ndarray, *weights: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Distinct cells (uint64) and the sum of each of ``weights`` per cell.

    Pieces of a track come in track order, so a cell usually repeats for tens
    of pieces in a row: runs are summed first (``np.add.reduceat``) and only
    one entry per run is hashed. Cells come in order of first appearance.
    """
    cell = np.asarray(cell, dtype=np.uint64)
    if cell.size == 0:
        return cell, [np.zeros(0) for _ in weights]
    run_head = np.empty(cell.size, dtype=bool)
    run_head[0] = True
    np.not_equal(cell[1:], cell[:-1], out=run_head[1:])
    starts = np.flatnonzero(run_head)
    code, cells = pd.factorize(cell[starts])
    sums = [np.bincount(code, weights=np.add.reduceat(np.asarray(w, dtype=np.float64), starts), minlength=len(cells))
            for w in weights]
    return np.asarray(cells, dtype=np.uint64), sums


def cells_to_hex(cells) -> list[str]:
    """H3 cells (integers of any width) as their usual lower-case hex strings."""
    return [format(int(c), "x") for c in cells]


def cells_from_hex(cells) -> np.ndarray:
    """H3 cells given as hex strings or integers, as uint64 (one conversion per cell, not per point)."""
    cells = pd.Series(cells)
    if cells.dtype == object or pd.api.types.is_string_dtype(cells):
        return np.asarray([int(c, 16) for c in cells], dtype=np.uint64)
    return cells.to_numpy().astype(np.uint64)


def cell_polygons(cells) -> np.ndarray:
    """Boundary of each H3 cell (integers) as shapely Polygons, EPSG:4326 (one h3ronpy call)."""
    from h3ronpy import vector as h3v

    cells = np.asarray(cells).astype(np.uint64)
    if len(cells) == 0:
        return np.zeros(0, dtype=object)
    return shapely.from_wkb(np.asarray(h3v.cells_to_wkb_polygons(cells), dtype=object))


def cell_centres_lonlat(cells) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude (EPSG:4326 degrees) of the centre of each H3 cell (integers)."""
    from h3ronpy import vector as h3v

    cells = np.asarray(cells).astype(np.uint64)
    if len(cells) == 0:
        return np.zeros(0), np.zeros(0)
    coords = h3v.cells_to_coordinates(cells)
    return np.asarray(coords.column("lng")), np.asarray(coords.column("lat"))


def k_ring_cells(cells: np.ndarray, k: int) -> np.ndarray:
    """Sorted unique H3 cells (uint64) within ``k`` rings of any of ``cells`` (themselves included)."""
    cells = np.asarray(cells, dtype=np.uint64)
    if len(cells) == 0:
        return cells
    return np.unique(_disks(cells, k).values.to_numpy())


def ring_pairs(cells: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs ``(i, j)`` of ``cells`` (uint64, any order) within ``k`` rings of each other.

    Every cell is paired with itself; neighbours that are not in ``cells`` are
    left out. Pairs come grouped by ``i``. Vectorised: one h3ronpy call for all cells.
    """
    cells = np.asarray(cells, dtype=np.uint64)
    if len(cells) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = np.argsort(cells, kind="stable")
    sorted_cells = cells[order]
    disks = _disks(cells, k)
    owners = np.repeat(np.arange(len(cells)), np.diff(disks.offsets.to_numpy()))
    neighbours = disks.values.to_numpy()
    pos = np.clip(np.searchsorted(sorted_cells, neighbours), 0, len(cells) - 1)
    inside = sorted_cells[pos] == neighbours
    return owners[inside].astype(np.int64), order[pos[inside]].astype(np.int64)


def _disks(cells: np.ndarray, k: int):
    """The k-ring of every cell as a pyarrow ListArray of uint64 cells (h3ronpy)."""
    if k < 0:
        raise ValueError(f"k must be 0 or more rings; got {k}")
    import pyarrow as pa
    from h3ronpy import grid_disk

    return pa.array(grid_disk(cells, k, flatten=False))
