"""Exact share of each segment's length inside a polygon, accelerated by a lookup grid.

PRODUCT.md, Presence: a segment's duration and length are shared among areas
in proportion to the part of its length that lies inside each. This module
computes that inside length exactly, in EPSG:25832 metres.

Most segments are a few metres long and lie far from any boundary, so a
:class:`PolygonGrid` classifies square grid cells once per polygon:

- *interior*: the cell grown by ``margin`` on every side lies inside the polygon;
- *exterior*: the grown cell does not touch the polygon;
- *mixed*: anything else.

A segment no longer than ``margin`` whose start lies in an interior cell is
wholly inside; in an exterior cell, wholly outside (every point of it is
within ``margin`` of its start, hence inside the grown cell). Only the rest —
segments starting in mixed cells, or longer than ``margin`` — are intersected
with the polygon by shapely. The result is exact, not an approximation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

GRID_CELL_M = 10.0
"""Side of a lookup-grid cell, metres."""

GRID_MARGIN_M = 30.0
"""Segments up to this long are classified by the grid alone, metres."""

_EXTERIOR, _INTERIOR, _MIXED = 0, 1, 2


@dataclass(frozen=True, slots=True)
class PolygonGrid:
    """A polygon in EPSG:25832 with its interior/exterior/mixed lookup grid."""

    polygon: BaseGeometry
    x_min: float
    y_min: float
    cell: float
    margin: float
    classes: np.ndarray  # uint8, shape (ny, nx)

    @classmethod
    def build(cls, polygon: BaseGeometry, *, cell: float = GRID_CELL_M, margin: float = GRID_MARGIN_M) -> PolygonGrid:
        """Classify the grid over the polygon's bounds (grown by ``margin``)."""
        if polygon.is_empty:
            raise ValueError("polygon is empty: a field area needs a non-empty polygon")
        shapely.prepare(polygon)
        x0, y0, x1, y1 = polygon.bounds
        x_min, y_min = x0 - margin - cell, y0 - margin - cell
        nx = int(np.ceil((x1 + margin + cell - x_min) / cell))
        ny = int(np.ceil((y1 + margin + cell - y_min) / cell))
        gx, gy = np.meshgrid(x_min + np.arange(nx) * cell, y_min + np.arange(ny) * cell)
        grown = shapely.box(gx - margin, gy - margin, gx + cell + margin, gy + cell + margin)
        classes = np.full(grown.shape, _MIXED, dtype=np.uint8)
        classes[shapely.contains(polygon, grown)] = _INTERIOR
        classes[~shapely.intersects(polygon, grown)] = _EXTERIOR
        return cls(polygon, x_min, y_min, cell, margin, classes)

    def inside_fraction(
        self, x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray, length: np.ndarray
    ) -> np.ndarray:
        """Share (0..1) of each segment's length that lies inside the polygon.

        Coordinates are EPSG:25832 metres. A zero-length segment (the patrol
        stood still) has share 1 when its point lies in or on the polygon.
        """
        ny, nx = self.classes.shape
        ix = np.floor((x0 - self.x_min) / self.cell).astype(np.int64)
        iy = np.floor((y0 - self.y_min) / self.cell).astype(np.int64)
        on_grid = (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
        cls = np.full(len(x0), _EXTERIOR, dtype=np.uint8)
        cls[on_grid] = self.classes[iy[on_grid], ix[on_grid]]
        short = length <= self.margin
        out = np.where(short & (cls == _INTERIOR), 1.0, 0.0)
        bx0, by0, bx1, by1 = self.polygon.bounds
        near = (
            (np.maximum(x0, x1) >= bx0) & (np.minimum(x0, x1) <= bx1)
            & (np.maximum(y0, y1) >= by0) & (np.minimum(y0, y1) <= by1)
        )
        exact = np.flatnonzero((~short | (cls == _MIXED)) & near)
        if exact.size:
            out[exact] = exact_inside_fraction(
                self.polygon, x0[exact], y0[exact], x1[exact], y1[exact], length[exact]
            )
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
    """
    coords = np.stack([np.stack([x0, y0], axis=1), np.stack([x1, y1], axis=1)], axis=1)
    inside = shapely.length(shapely.intersection(shapely.linestrings(coords), polygon))
    point_inside = shapely.intersects_xy(polygon, x0, y0).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(length > 0, np.clip(inside / length, 0.0, 1.0), point_inside)
    return share
