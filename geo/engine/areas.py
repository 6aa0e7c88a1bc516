"""Exact share of each segment's length inside each field-area version.

PRODUCT.md, Presence: a segment's duration and length are shared among areas
in proportion to the part of its length that lies inside each. This module
computes those shares exactly, in EPSG:25832 metres, for all area versions at
once.

How (an :class:`AreaIndex` is built once per set of area versions):

1. One lookup grid of square cells (``GRID_CELL_M``) covers each cluster of
   nearby versions; a coarse grid says which cluster a segment is near.
   Per cell and version the cell *grown by* ``margin`` on every side is
   classified as interior (inside the polygon), exterior (disjoint) or mixed.
2. A segment no longer than ``margin`` lies wholly inside the grown cell of its
   start point, so where that cell is interior its share is 1, where exterior
   0 (one gather per segment, no geometry at all).
3. For mixed cells the polygon edges that touch the grown cell are listed.
   The share follows from where the segment crosses those edges (vectorised
   line–line intersection over all (segment, edge) pairs) and from whether
   its start lies inside, found by crossing parity from the cell centre,
   whose status is precomputed.
4. Degenerate cases (a crossing at an end point or vertex, a segment along an
   edge, several crossings) and segments longer than ``margin`` are
   intersected with the polygon by shapely.

Every path is exact; the grid only decides which exact computation is needed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

GRID_CELL_M = 5.0
"""Side of a lookup-grid cell, metres."""

GRID_MARGIN_M = 25.0
"""Segments up to this long (metres) are decided from their start cell."""

CLUSTER_GAP_M = 500.0
"""Versions whose bounding boxes are farther apart than this get separate grids, metres."""

FINE_CELL_M = 2.0
"""Side of a fine-grid cell, metres (for short segments)."""

FINE_MARGIN_M = 4.0
"""Segments up to this long (metres) use the fine grid: a narrow boundary band."""

MAX_GRID_CELLS = 40_000_000
"""Upper bound on grid cells; the cell size grows to stay below it."""

LOOKUP_CELL_M = 100.0
"""Side of a cell of the coarse grid that finds the clusters near a segment, metres."""

MAX_LOOKUP_CELLS = 4_000_000
"""Upper bound on coarse lookup cells; the cell size grows to stay below it."""

MAX_AREA_VERTICES = 20_000
"""Most vertices one field-area version may have. Real field areas have hundreds (Oslo's
largest district border has 7,451); the lookup grids of a polygon cost memory and time in
proportion to its vertices (about 0.4 GB and 4 s for 20,000 vertices on a 400 m circle),
so an upload cannot exhaust the server. The importer refuses a bigger polygon
(``geo.io.areas``), with a hint to simplify it."""

BUILD_CHUNK_CELLS = 4_096
"""Grid cells whose candidate edges are searched together while the grids are built."""

PAIR_CHUNK_ROWS = 1_000_000
"""Most (segment, edge) rows tested at once (about 15 float64 arrays of this length)."""

_EPS = 1e-9
_EXTERIOR, _INTERIOR, _MIXED = 0, 1, 2
_LEVELS = (64, 16, 4, 1)
"""Block sides (in cells) of the successive classification levels."""


@dataclass(frozen=True, slots=True)
class AreaShares:
    """Sparse shares: ``segment`` i has ``share`` (0..1] of its length in ``version`` v."""

    segment: np.ndarray  # int64 index into the segments
    version: np.ndarray  # int64 index into the versions of the AreaIndex
    share: np.ndarray  # float64


_PREPARED_GEOMETRY_LOCK = threading.Lock()
"""GEOS prepared geometries are not thread-safe (libgeos/geos#825); the engine
runs chunks in threads (``geo.engine.threads``), so the rare exact shapely
path that queries the prepared polygons runs one thread at a time."""


class AreaIndex:
    """All field-area versions (EPSG:25832 polygons) with their lookup grids.

    Two grids serve segments of different lengths: a fine one (``FINE_CELL_M``
    cells, ``FINE_MARGIN_M`` margin) for the short segments of 1 Hz walking,
    whose boundary band is narrow, and a coarse one (``GRID_CELL_M``,
    ``GRID_MARGIN_M``) for segments up to 25 m. Longer segments go to shapely.

    Parameters
    ----------
    polygons
        One polygon/multipolygon per version, EPSG:25832.
    valid_from, valid_to
        Validity of each version (from inclusive, to exclusive), in the unit
        of ``when`` in :meth:`shares`: the engine passes UTC epoch seconds of
        the local midnights that start and end each version.
    """

    def __init__(
        self,
        polygons: list[BaseGeometry],
        valid_from: np.ndarray,
        valid_to: np.ndarray,
        *,
        tiers: tuple[tuple[float, float], ...] = ((FINE_CELL_M, FINE_MARGIN_M), (GRID_CELL_M, GRID_MARGIN_M)),
    ) -> None:
        if any(p.is_empty for p in polygons):
            raise ValueError("a field-area version has an empty polygon; every version needs a non-empty polygon")
        vertices = shapely.get_num_coordinates(np.asarray(polygons, dtype=object)) if polygons else np.zeros(0)
        if (vertices > MAX_AREA_VERTICES).any():
            raise ValueError(f"a field-area version has {int(vertices.max()):,} vertices; at most "
                             f"{MAX_AREA_VERTICES:,} are allowed: simplify it")
        self.polygons = list(polygons)
        for p in self.polygons:
            shapely.prepare(p)
        self.valid_from = np.asarray(valid_from, dtype=np.float64)
        self.valid_to = np.asarray(valid_to, dtype=np.float64)
        self.bounds = np.array([p.bounds for p in self.polygons]).reshape(-1, 4)
        self.tiers = sorted(tiers, key=lambda t: t[1])
        # One set of grids per spatial cluster of versions, so that areas far
        # apart (the centre and a district) do not make one huge grid.
        self.clusters = [
            (members, [_Grid([self.polygons[i] for i in members], self.bounds[members], cell=c, margin=m)
                       for c, m in self.tiers])
            for members in _clusters(self.bounds, gap=CLUSTER_GAP_M)
        ]
        self.margin = self.tiers[-1][1]
        self.cluster_lookup = _ClusterLookup([_extent(grids) for _, grids in self.clusters])

    def __setstate__(self, state: dict) -> None:
        """Unpickling (``geo.engine.area_cache``): shapely's prepared state is not pickled, so prepare again."""
        self.__dict__.update(state)
        for p in self.polygons:
            shapely.prepare(p)

    def __len__(self) -> int:
        return len(self.polygons)

    def shares(
        self,
        x0: np.ndarray,
        y0: np.ndarray,
        x1: np.ndarray,
        y1: np.ndarray,
        length: np.ndarray,
        when: np.ndarray,
    ) -> AreaShares:
        """Shares of every segment in every version valid at its start ``when``.

        Coordinates are EPSG:25832 metres; ``when`` is in the unit of the
        validity given to the constructor (the engine: UTC epoch seconds of
        each segment's start). A zero-length segment (the patrol stood
        still) has share 1 where its point is in or on a polygon.
        """
        if len(self) == 0 or len(x0) == 0:
            return AreaShares(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
        parts_seg, parts_ver, parts_share = [], [], []
        exact_seg, exact_ver = [], []
        for cluster, near in self.cluster_lookup.near(x0, y0):
            members, grids = self.clusters[cluster]
            near_length = length[near]
            shorter = -np.inf
            for grid, (_, margin) in zip(grids, self.tiers):
                in_tier = near[(near_length > shorter) & (near_length <= margin)]
                shorter = margin
                cell = grid.cell_of(x0[in_tier], y0[in_tier])
                on_grid = cell >= 0  # off the grid: no version of this cluster within reach
                idx, cell = in_tier[on_grid], cell[on_grid]
                code = grid.code[cell]
                seg_i, ver_i = _explode(idx, code, grid.combos_interior)
                pos_m, ver_m = _explode(np.arange(idx.size), code, grid.combos_mixed)
                ver_i = members[ver_i]
                ok_i = self._valid(ver_i, when[seg_i])
                ok_m = self._valid(members[ver_m], when[idx[pos_m]])
                pos_m, ver_m = pos_m[ok_m], ver_m[ok_m]
                seg_m = idx[pos_m]
                share_m, needs_exact = grid.pairs.shares(seg_m, ver_m, cell[pos_m], x0, y0, x1, y1, length)
                ver_m = members[ver_m]
                parts_seg += [seg_i[ok_i], seg_m[~needs_exact]]
                parts_ver += [ver_i[ok_i], ver_m[~needs_exact]]
                parts_share += [np.ones(int(ok_i.sum())), share_m[~needs_exact]]
                exact_seg.append(seg_m[needs_exact])
                exact_ver.append(ver_m[needs_exact])
        seg_l, ver_l = self._long_candidates(np.flatnonzero(length > self.margin), x0, y0, x1, y1)
        ok_l = self._valid(ver_l, when[seg_l])
        seg_x = np.concatenate([*exact_seg, seg_l[ok_l]])
        ver_x = np.concatenate([*exact_ver, ver_l[ok_l]])
        parts_seg.append(seg_x)
        parts_ver.append(ver_x)
        parts_share.append(self._exact(seg_x, ver_x, x0, y0, x1, y1, length))
        segment, version, share = (np.concatenate(p) for p in (parts_seg, parts_ver, parts_share))
        hit = share > 0
        return AreaShares(segment[hit], version[hit], share[hit])

    def _valid(self, version: np.ndarray, when: np.ndarray) -> np.ndarray:
        return (when >= self.valid_from[version]) & (when < self.valid_to[version])

    def _long_candidates(self, idx, x0, y0, x1, y1) -> tuple[np.ndarray, np.ndarray]:
        """(segment, version) pairs for long segments whose bbox meets a version's bbox."""
        if idx.size == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        sx0, sx1 = np.minimum(x0[idx], x1[idx]), np.maximum(x0[idx], x1[idx])
        sy0, sy1 = np.minimum(y0[idx], y1[idx]), np.maximum(y0[idx], y1[idx])
        b = self.bounds
        hit = (
            (sx1[:, None] >= b[None, :, 0]) & (sx0[:, None] <= b[None, :, 2])
            & (sy1[:, None] >= b[None, :, 1]) & (sy0[:, None] <= b[None, :, 3])
        )
        s, v = np.nonzero(hit)
        return idx[s], v.astype(np.int64)

    def _exact(self, seg, ver, x0, y0, x1, y1, length) -> np.ndarray:
        """Shapely intersection for the (segment, version) pairs given."""
        out = np.zeros(seg.size)
        with _PREPARED_GEOMETRY_LOCK:
            for v in np.unique(ver):  # one vectorised call per version
                rows = np.flatnonzero(ver == v)
                s = seg[rows]
                out[rows] = exact_inside_fraction(self.polygons[v], x0[s], y0[s], x1[s], y1[s], length[s])
        return out


def exact_inside_fraction(
    polygon: BaseGeometry,
    x0: np.ndarray,
    y0: np.ndarray,
    x1: np.ndarray,
    y1: np.ndarray,
    length: np.ndarray,
) -> np.ndarray:
    """Share of each segment inside ``polygon`` by shapely intersection (EPSG:25832).

    Zero-length segments get 1 when their point is in or on the polygon, else 0.
    This is also the slow reference the fast paths are tested against.
    """
    if len(x0) == 0:
        return np.zeros(0)
    coords = np.stack([np.stack([x0, y0], axis=1), np.stack([x1, y1], axis=1)], axis=1)
    inside = shapely.length(shapely.intersection(shapely.linestrings(coords), polygon))
    point_inside = shapely.intersects_xy(polygon, x0, y0).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(length > 0, np.clip(inside / length, 0.0, 1.0), point_inside)


class _Grid:
    """One lookup grid over all versions: per cell, which versions are interior or mixed."""

    def __init__(self, polygons: list[BaseGeometry], bounds: np.ndarray, *, cell: float, margin: float) -> None:
        self.polygons = polygons
        self.bounds = bounds
        self.margin = float(margin)
        self._build_grid(cell)

    # --- building -----------------------------------------------------------------
    def _build_grid(self, cell: float) -> None:
        n = len(self.polygons)
        if n == 0:
            self.cell, self.x_min, self.y_min, self.nx, self.ny = cell, 0.0, 0.0, 0, 0
            self.code = np.zeros(0, np.int32)
            self.combos_interior = [np.zeros(0, np.int64)]
            self.combos_mixed = [np.zeros(0, np.int64)]
            self.pairs = _MixedPairs.empty()
            return
        pad = self.margin + cell
        x0, y0 = self.bounds[:, 0].min() - pad, self.bounds[:, 1].min() - pad
        x1, y1 = self.bounds[:, 2].max() + pad, self.bounds[:, 3].max() + pad
        while (x1 - x0) * (y1 - y0) / cell**2 > MAX_GRID_CELLS:
            cell *= 2
        self.cell, self.x_min, self.y_min = cell, x0, y0
        self.nx = int(np.ceil((x1 - x0) / cell))
        self.ny = int(np.ceil((y1 - y0) / cell))
        words = (n + 63) // 64
        n_cells = self.nx * self.ny
        masks = np.zeros((2 * words, n_cells), dtype=np.uint64)  # interior words, then mixed words
        mixed_cells_per_version = []
        for v, polygon in enumerate(self.polygons):
            cells, interior, mixed = self._classify(polygon, self.bounds[v])
            word, bit = divmod(v, 64)
            masks[word, cells[interior]] |= np.uint64(1) << np.uint64(bit)
            masks[words + word, cells[mixed]] |= np.uint64(1) << np.uint64(bit)
            mixed_cells_per_version.append(cells[mixed])
        touched = np.flatnonzero(masks.any(axis=0))
        combo_of_touched, first_of_combo = _factorize_rows(masks[:, touched])
        combos = masks[:, touched[first_of_combo]].T
        self.code = np.zeros(n_cells, dtype=np.int32)
        # combo 0 is "nothing here"; shift real combos by one
        self.code[touched] = combo_of_touched.astype(np.int32) + 1
        self.combos_interior = [np.zeros(0, np.int64)] + [_bits_to_versions(c[:words]) for c in combos]
        self.combos_mixed = [np.zeros(0, np.int64)] + [_bits_to_versions(c[words:]) for c in combos]
        self.pairs = _MixedPairs.build(self, mixed_cells_per_version)

    def _classify(self, polygon: BaseGeometry, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Grid cells near ``polygon`` and which of them are interior / mixed.

        Square blocks of cells are classified first and only blocks that
        straddle the boundary are split, level by level (``_LEVELS`` cells
        per block side), so the cost follows the polygon's perimeter, not its
        area.
        """
        pad = self.margin + self.cell
        ix0 = max(int(np.floor((bounds[0] - pad - self.x_min) / self.cell)), 0)
        iy0 = max(int(np.floor((bounds[1] - pad - self.y_min) / self.cell)), 0)
        ix1 = min(int(np.ceil((bounds[2] + pad - self.x_min) / self.cell)), self.nx)
        iy1 = min(int(np.ceil((bounds[3] + pad - self.y_min) / self.cell)), self.ny)
        size = _LEVELS[0]
        bx, by = np.meshgrid(np.arange(ix0, ix1, size), np.arange(iy0, iy1, size))
        bx, by = bx.ravel(), by.ravel()
        ids, classes = [], []
        for level, size in enumerate(_LEVELS):
            block_class = self._box_classes(polygon, bx, by, np.minimum(bx + size, ix1), np.minimum(by + size, iy1))
            for wanted in (_INTERIOR,) if size > 1 else (_INTERIOR, _MIXED):
                cx, cy = _cells_of_blocks(bx[block_class == wanted], by[block_class == wanted], size, ix1, iy1)
                ids.append(cy * self.nx + cx)
                classes.append(np.full(cx.size, wanted, dtype=np.int8))
            if size == 1:
                break
            step = _LEVELS[level + 1]
            bx, by = _cells_of_blocks(bx[block_class == _MIXED], by[block_class == _MIXED], size, ix1, iy1, step=step)
        ids_arr = np.concatenate(ids).astype(np.int64)
        classes_arr = np.concatenate(classes)
        return ids_arr, classes_arr == _INTERIOR, classes_arr == _MIXED

    def _box_classes(self, polygon, ix0, iy0, ix1, iy1) -> np.ndarray:
        """Interior/exterior/mixed class of grid boxes [ix0, ix1) × [iy0, iy1) grown by the margin."""
        m = self.margin
        grown = shapely.box(self.x_min + ix0 * self.cell - m, self.y_min + iy0 * self.cell - m,
                            self.x_min + ix1 * self.cell + m, self.y_min + iy1 * self.cell + m)
        out = np.full(len(grown), _MIXED, dtype=np.int8)
        out[shapely.contains_properly(polygon, grown)] = _INTERIOR
        out[~shapely.intersects(polygon, grown)] = _EXTERIOR
        return out

    def cell_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Grid cell id of each EPSG:25832 point; -1 off the grid."""
        # In float64 until the end (exact: ids < 2**53); a point on a cell edge may
        # land in either cell, which is safe because every cell is classified
        # with its margin.
        inverse = 1.0 / self.cell
        fx = np.floor((x - self.x_min) * inverse)
        fy = np.floor((y - self.y_min) * inverse)
        off = (fx < 0) | (fx >= self.nx) | (fy < 0) | (fy >= self.ny)
        fy *= self.nx
        fy += fx
        fy[off] = -1
        return fy.astype(np.int64)

    # --- querying -----------------------------------------------------------------

def _extent(grids: list[_Grid]) -> tuple[float, float, float, float]:
    """(x_min, y_min, x_max, y_max) covered by any of ``grids``, EPSG:25832 metres."""
    return (
        min(g.x_min for g in grids),
        min(g.y_min for g in grids),
        max(g.x_min + g.nx * g.cell for g in grids),
        max(g.y_min + g.ny * g.cell for g in grids),
    )


class _ClusterLookup:
    """Which clusters' grids a point may lie on, from one coarse grid.

    Each coarse cell (``LOOKUP_CELL_M``) holds the cluster whose grid extent
    it touches, :data:`_NONE` where none does, and :data:`_SEVERAL` where
    several do (their extents may overlap; every one of them is asked).
    So a segment costs one coarse lookup instead of one fine lookup per
    cluster and tier, and each cluster only sees the segments near it.
    """

    _NONE = 0
    _SEVERAL = 1

    def __init__(self, extents: list[tuple[float, float, float, float]]) -> None:
        self.n_clusters = len(extents)
        if self.n_clusters <= 1:
            return
        box = np.array(extents, dtype=np.float64)
        pad = 1.0  # metres: a point on an extent's edge is never rounded into a cell outside it
        cell = LOOKUP_CELL_M
        x0, y0 = box[:, 0].min() - pad, box[:, 1].min() - pad
        x1, y1 = box[:, 2].max() + pad, box[:, 3].max() + pad
        while (x1 - x0) * (y1 - y0) / cell**2 > MAX_LOOKUP_CELLS:
            cell *= 2
        self.cell, self.x_min, self.y_min = cell, x0, y0
        self.nx, self.ny = int(np.ceil((x1 - x0) / cell)), int(np.ceil((y1 - y0) / cell))
        touching = np.zeros((self.ny, self.nx), dtype=np.int64)
        owner = np.full((self.ny, self.nx), self._NONE, dtype=np.int32)
        for k, (ex0, ey0, ex1, ey1) in enumerate(box):  # one slice per cluster, not per cell
            ix0, iy0 = int((ex0 - pad - x0) // cell), int((ey0 - pad - y0) // cell)
            ix1, iy1 = int((ex1 + pad - x0) // cell) + 1, int((ey1 + pad - y0) // cell) + 1
            touching[iy0:iy1, ix0:ix1] += 1
            owner[iy0:iy1, ix0:ix1] = k + 2
        owner[touching > 1] = self._SEVERAL
        self.code = owner.ravel()

    def near(self, x: np.ndarray, y: np.ndarray):
        """(cluster, positions of the points near it) for every cluster with points near it.

        ``x``, ``y`` are EPSG:25832 metres. Positions come in ascending order.
        """
        if self.n_clusters == 0:
            return
        if self.n_clusters == 1:
            yield 0, np.arange(len(x))
            return
        fx = np.floor((x - self.x_min) * (1.0 / self.cell))
        fy = np.floor((y - self.y_min) * (1.0 / self.cell))
        off = (fx < 0) | (fx >= self.nx) | (fy < 0) | (fy >= self.ny)
        fy *= self.nx
        fy += fx
        fy[off] = 0
        code = self.code[fy.astype(np.int64)]
        code[off] = self._NONE
        counts = np.bincount(code, minlength=self.n_clusters + 2)
        several = np.flatnonzero(code == self._SEVERAL) if counts[self._SEVERAL] else None
        for k in range(self.n_clusters):
            own = np.flatnonzero(code == k + 2) if counts[k + 2] else None
            if several is None and own is None:
                continue
            if several is None or own is None:
                yield k, own if several is None else several
            else:
                yield k, np.union1d(own, several)


class _MixedPairs:
    """Per (mixed grid cell, version): centre status and candidate polygon edges.

    Memory follows the number of (cell, edge) pairs, about 180 per polygon vertex at
    most (each short edge lies in the grown boxes of at most 12 × 12 coarse and 6 × 6
    fine cells): 4 bytes each, built :data:`BUILD_CHUNK_CELLS` cells at a time so the
    temporaries of the edge search stay bounded too. :data:`MAX_AREA_VERTICES` bounds
    the vertices of one version.
    """

    def __init__(self, keys, centre_inside, edge_start, edge_count, edge_idx, edges, n_versions,
                 grid=(0.0, 0.0, 1.0, 1)):
        self.grid = grid  # x_min, y_min, cell, nx of the AreaIndex grid
        self.keys = keys  # sorted int64: cell * n_versions + version
        self.centre_inside = centre_inside  # bool per key
        self.edge_start = edge_start  # int64 per key: first of its rows in edge_idx
        self.edge_count = edge_count  # int64 per key: how many rows
        self.edge_idx = edge_idx  # int32 rows of ``edges``
        self.edges = edges  # float64 (n_edges, 4): ax, ay, bx, by
        self.n_versions = n_versions

    @classmethod
    def empty(cls) -> _MixedPairs:
        return cls(np.zeros(0, np.int64), np.zeros(0, bool), np.zeros(0, np.int64), np.zeros(0, np.int64),
                   np.zeros(0, np.int32), np.zeros((0, 4)), 1)

    @classmethod
    def build(cls, index: _Grid, mixed_cells_per_version: list[np.ndarray]) -> _MixedPairs:
        n_versions = len(index.polygons)
        keys, centre, counts, edge_rows, all_edges = [], [], [], [], []
        edge_offset = 0
        for v, cells in enumerate(mixed_cells_per_version):
            if cells.size == 0:
                continue
            polygon = index.polygons[v]
            edges = _polygon_edges(polygon)
            tree = shapely.STRtree(shapely.linestrings(edges.reshape(-1, 2, 2)))
            ix, iy = cells % index.nx, cells // index.nx
            gx, gy = index.x_min + ix * index.cell, index.y_min + iy * index.cell
            m = index.margin
            for first in range(0, cells.size, BUILD_CHUNK_CELLS):  # bounded temporaries
                part = slice(first, first + BUILD_CHUNK_CELLS)
                grown = shapely.box(gx[part] - m, gy[part] - m, gx[part] + index.cell + m, gy[part] + index.cell + m)
                cell_pos, edge_pos = tree.query(grown, predicate="intersects")
                order = np.lexsort((edge_pos, cell_pos))  # rows by cell, in this chunk's cell order
                counts.append(np.bincount(cell_pos, minlength=len(grown)))
                edge_rows.append((edge_pos[order] + edge_offset).astype(np.int32))
            keys.append(cells * n_versions + v)
            centre.append(shapely.intersects_xy(polygon, gx + index.cell / 2, gy + index.cell / 2))
            all_edges.append(edges)
            edge_offset += len(edges)
        if not keys:
            return cls.empty()
        if edge_offset >= np.iinfo(np.int32).max:
            raise ValueError(f"field areas: {edge_offset:,} polygon edges in one grid is more than the engine can index")
        keys_arr = np.concatenate(keys)
        count = np.concatenate(counts)
        start = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
        order = np.argsort(keys_arr, kind="stable")  # per key, not per pair: the rows stay where they are
        return cls(
            keys_arr[order],
            np.concatenate(centre)[order],
            start[order],
            count[order].astype(np.int64),
            np.concatenate(edge_rows),
            np.concatenate(all_edges),
            n_versions,
            (index.x_min, index.y_min, index.cell, index.nx),
        )

    def shares(self, seg, ver, cell, x0, y0, x1, y1, length) -> tuple[np.ndarray, np.ndarray]:
        """Share for each mixed (segment, version) pair, and which need shapely.

        Every pair is tested against each candidate edge of its cell; the pairs go
        through in chunks of at most :data:`PAIR_CHUNK_ROWS` (pair, edge) rows, so
        memory stays bounded however many edges a cell holds.
        """
        n = seg.size
        share, needs_exact = np.zeros(n), np.zeros(n, bool)
        if n == 0:
            return share, needs_exact
        pos = np.searchsorted(self.keys, cell * self.n_versions + ver)
        rows = np.cumsum(self.edge_count[pos])
        first = 0
        while first < n:
            # the last pair whose rows still fit (a single pair with more rows goes alone)
            limit = (rows[first - 1] if first else 0) + PAIR_CHUNK_ROWS
            last = max(int(np.searchsorted(rows, limit, side="right")), first + 1)
            part = slice(first, last)
            share[part], needs_exact[part] = self._shares(seg[part], pos[part], cell[part], x0, y0, x1, y1, length)
            first = last
        return share, needs_exact

    def _shares(self, seg, pos, cell, x0, y0, x1, y1, length) -> tuple[np.ndarray, np.ndarray]:
        n = seg.size
        counts = self.edge_count[pos]
        pair = np.repeat(np.arange(n), counts)
        offset = np.arange(pair.size) - np.repeat(np.cumsum(counts) - counts, counts)
        edge = self.edges[self.edge_idx[self.edge_start[pos][pair] + offset]]
        ax, ay, bx, by = edge[:, 0], edge[:, 1], edge[:, 2], edge[:, 3]
        px, py = x0[seg][pair], y0[seg][pair]
        qx, qy = x1[seg][pair], y1[seg][pair]
        # crossings of the segment p→q with each edge
        t_seg, ok_seg, bad_seg = _crossings(px, py, qx, qy, ax, ay, bx, by)
        # crossings of the ray centre→p, to find whether p is inside
        cx, cy = self._centres(cell)
        _, ok_ray, bad_ray = _crossings(cx[pair], cy[pair], px, py, ax, ay, bx, by)
        n_cross = np.bincount(pair, weights=ok_seg, minlength=n)
        n_ray = np.bincount(pair, weights=ok_ray, minlength=n)
        degenerate = np.bincount(pair, weights=bad_seg | bad_ray, minlength=n) > 0
        start_inside = self.centre_inside[pos] ^ (n_ray.astype(np.int64) % 2 == 1)
        # Only pairs with exactly one crossing are decided here, so the sum of
        # crossing parameters per pair is that crossing's t.
        t_first = np.bincount(pair, weights=t_seg, minlength=n)
        share = np.where(
            n_cross == 0,
            start_inside.astype(np.float64),
            np.where(start_inside, t_first, 1.0 - t_first),
        )
        zero = length[seg] <= 0
        needs_exact = degenerate | (n_cross > 1) | zero
        return share, needs_exact

    def _centres(self, cell: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """EPSG:25832 centre of each grid cell id."""
        x_min, y_min, size, nx = self.grid
        return x_min + (cell % nx + 0.5) * size, y_min + (cell // nx + 0.5) * size


def _crossings(px, py, qx, qy, ax, ay, bx, by):
    """Parameter t on p→q where it properly crosses edge a→b.

    Returns (t, proper, degenerate): ``proper`` where the crossing is strictly
    inside both (t, u in (eps, 1-eps)) and not parallel; ``degenerate`` where
    the two touch at an end point, at a vertex, or overlap collinearly.
    """
    rx, ry = qx - px, qy - py
    sx, sy = bx - ax, by - ay
    denom = rx * sy - ry * sx
    wx, wy = ax - px, ay - py
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (wx * sy - wy * sx) / denom
        u = (wx * ry - wy * rx) / denom
    r2 = rx * rx + ry * ry
    scale = np.sqrt(r2 * (sx * sx + sy * sy))  # |r|·|s| (np.hypot is several times slower)
    parallel = np.abs(denom) <= _EPS * np.maximum(scale, _EPS)
    inside_t = (t > _EPS) & (t < 1 - _EPS)
    inside_u = (u > _EPS) & (u < 1 - _EPS)
    touch_t = (t >= -_EPS) & (t <= 1 + _EPS)
    touch_u = (u >= -_EPS) & (u <= 1 + _EPS)
    proper = ~parallel & inside_t & inside_u
    # touching at an end point / vertex, or collinear overlap
    collinear = parallel & (np.abs(wx * ry - wy * rx) <= _EPS * np.maximum(np.sqrt(r2 * (wx * wx + wy * wy)), _EPS))
    degenerate = (~parallel & touch_t & touch_u & ~proper) | collinear
    return np.where(proper, t, 0.0), proper, degenerate


def _polygon_edges(polygon: BaseGeometry) -> np.ndarray:
    """Every ring edge of a (multi)polygon as rows (ax, ay, bx, by)."""
    rings = shapely.get_rings(shapely.get_parts(polygon))
    out = []
    for ring in rings:  # per ring, not per point
        c = shapely.get_coordinates(ring)
        out.append(np.hstack([c[:-1], c[1:]]))
    return np.concatenate(out) if out else np.zeros((0, 4))


def _clusters(bounds: np.ndarray, *, gap: float) -> list[np.ndarray]:
    """Groups of versions whose bounding boxes lie within ``gap`` metres of each other."""
    n = len(bounds)
    group = np.arange(n)
    grown = bounds + np.array([-gap, -gap, gap, gap])
    near = (
        (grown[:, None, 0] <= bounds[None, :, 2]) & (grown[:, None, 2] >= bounds[None, :, 0])
        & (grown[:, None, 1] <= bounds[None, :, 3]) & (grown[:, None, 3] >= bounds[None, :, 1])
    )
    changed = True
    while changed:  # label propagation over a handful of versions
        new = np.array([group[near[i]].min() for i in range(n)]) if n else group
        changed = bool((new != group).any())
        group = new
    return [np.flatnonzero(group == g) for g in np.unique(group)]


def _cells_of_blocks(
    bx: np.ndarray, by: np.ndarray, size: int, ix_end: int, iy_end: int, *, step: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Origins (ix, iy) of the sub-blocks of side ``step`` in blocks of side ``size``.

    With ``step=1`` these are the single cells. Clipped to [.., ix_end) × [.., iy_end).
    """
    offsets = np.arange(0, size, step)
    x = np.broadcast_to(bx[:, None, None] + offsets[None, None, :], (bx.size, offsets.size, offsets.size))
    y = np.broadcast_to(by[:, None, None] + offsets[None, :, None], (by.size, offsets.size, offsets.size))
    x, y = x.ravel(), y.ravel()
    inside = (x < ix_end) & (y < iy_end)
    return x[inside], y[inside]


def _factorize_rows(columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Code of each column's distinct combination of rows (hash-based), and one column per code."""
    codes = np.zeros(columns.shape[1], dtype=np.int64)
    for row in columns:
        row_codes, row_uniques = pd.factorize(row)
        codes, _ = pd.factorize(codes * max(len(row_uniques), 1) + row_codes)
    first = np.full(codes.max() + 1 if codes.size else 0, -1, dtype=np.int64)
    first[codes[::-1]] = np.arange(codes.size)[::-1]
    return codes, first


def _bits_to_versions(words: np.ndarray) -> np.ndarray:
    out = []
    for w, word in enumerate(words):
        word = int(word)
        while word:
            low = word & -word
            out.append(w * 64 + low.bit_length() - 1)
            word ^= low
    return np.asarray(out, dtype=np.int64)


def _explode(segments: np.ndarray, codes: np.ndarray, combos: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """For each segment, one row per version listed for its combo code."""
    sizes = np.array([len(c) for c in combos], dtype=np.int64)
    flat = np.concatenate(combos) if sizes.sum() else np.zeros(0, np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    counts = sizes[codes]
    rep = np.repeat(np.arange(codes.size), counts)
    within = np.arange(rep.size) - np.repeat(np.cumsum(counts) - counts, counts)
    return segments[rep], flat[starts[codes[rep]] + within]
