"""Rules every store backend applies to field-area versions and drafts.

Area versions are never overwritten. Adding a version either

- is skipped (the same area already has a version with the same ``valid_from``
  and the same geometry),
- is refused (:class:`AreaVersionConflict`) when it would overlap a version of
  the same area that starts on or after its ``valid_from``, or
- closes every earlier version still valid on its ``valid_from`` (their
  ``valid_to`` becomes the new ``valid_from``) and is stored as version
  ``max + 1``.

:func:`plan_area_version` decides which; the backend (``gpkg.py``,
``postgis.py``) only carries the plan out and logs it in ``area_changes``.
Dates are ``datetime.date`` (``valid_from`` inclusive, ``valid_to`` exclusive,
None = open); geometries are in EPSG:4326.

``indoor`` (PRODUCT.md, Indoor stay): a new version without a value (None,
or no such column) keeps the flag of the area's latest earlier version, else
False. A version identical in geometry and ``valid_from`` to a stored one but
with a different explicit flag is refused: the flag changes figures, so it
changes with a new version (a later ``valid_from``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import FeltkartError
from geo.schema import AREA_ID, AREA_NAME, AREA_VERSION, INDOOR, STORE_CRS, VALID_FROM, VALID_TO

SAME_GEOMETRY_TOLERANCE = 1e-9
"""Coordinates (degrees, EPSG:4326) closer than this count as the same geometry."""


def valid_between(versions: pd.DataFrame, first: date | None, last: date | None) -> np.ndarray:
    """Which area versions are valid on some local date of [first, last] (both inclusive; None
    = open end): ``valid_from <= last`` and (``valid_to`` open or ``valid_to > first``).

    ``versions`` has ``valid_from`` and ``valid_to`` as ``datetime.date`` (``valid_to`` None
    when still valid). Returns a boolean mask. ``valid_between(v, day, day)`` is "valid on day".
    """
    first = first or date.min
    last = last or date.max
    starts = pd.Series(versions[VALID_FROM], dtype=object)
    ends = pd.Series(versions[VALID_TO], dtype=object)
    open_end = ends.isna().to_numpy()
    ends = ends.where(~open_end, date.max)
    return (starts <= last).to_numpy(dtype=bool) & (open_end | (ends > first).to_numpy(dtype=bool))


class AreaVersionConflict(FeltkartError):
    """A new area version would overlap a later stored version."""


@dataclass(frozen=True, slots=True)
class AreaVersionPlan:
    """What adding one area version does: close ``close`` (version numbers) at
    ``valid_from``, then store ``version`` valid [``valid_from``, ``valid_to``)."""

    area_id: str
    version: int
    valid_from: date
    valid_to: date | None
    close: tuple[int, ...]
    indoor: bool = False

    @property
    def added_detail(self) -> str:
        """The ``area_changes.detail`` text of the new version."""
        return f"valid {self.valid_from} to {self.valid_to or 'open'}"

    @property
    def closed_detail(self) -> str:
        """The ``area_changes.detail`` text of each closed version."""
        return f"valid_to set to {self.valid_from}"


def plan_area_version(stored: gpd.GeoDataFrame, row) -> AreaVersionPlan | None:
    """Plan adding ``row`` (a namedtuple from ``itertuples`` with ``area_id``,
    ``valid_from``, ``valid_to``, ``geometry``) given every stored version
    (``Store.areas()``). Returns None when an identical version is stored;
    raises :class:`AreaVersionConflict` when it would overlap a later one."""
    area_id, vf = getattr(row, AREA_ID), getattr(row, VALID_FROM)
    vt = getattr(row, VALID_TO)
    vt = None if vt is None or pd.isna(vt) else vt
    mine = stored[stored[AREA_ID] == area_id]
    indoor = _explicit_indoor(row)
    same = mine[(mine[VALID_FROM] == vf)
                & mine.geometry.geom_equals_exact(row.geometry, tolerance=SAME_GEOMETRY_TOLERANCE)]
    if not same.empty:
        stored_indoor = bool(same[INDOOR].iloc[0]) if INDOOR in same else False
        if indoor is not None and indoor != stored_indoor:
            raise AreaVersionConflict(
                f"area '{area_id}': the version valid from {vf} is already stored with indoor={stored_indoor}; "
                f"to mark it indoor={indoor}, add a new version with a later valid_from"
            )
        return None
    later = mine[mine[VALID_FROM] >= vf]
    if not later.empty and (vt is None or vt > later[VALID_FROM].min()):
        raise AreaVersionConflict(
            f"area '{area_id}': a version valid from {later[VALID_FROM].min()} is already stored, and the new "
            f"version ({vf} to {vt or 'open'}) would overlap it; give the new version a valid_to on or "
            f"before {later[VALID_FROM].min()}"
        )
    earlier = mine[mine[VALID_FROM] < vf]
    still_open = earlier[np.array([d is None or d > vf for d in earlier[VALID_TO]], dtype=bool)]
    number = int(mine[AREA_VERSION].max()) + 1 if not mine.empty else 1
    if indoor is None:  # keep the flag of the latest earlier version
        indoor = bool(earlier.sort_values(VALID_FROM)[INDOOR].iloc[-1]) if len(earlier) and INDOOR in earlier else False
    return AreaVersionPlan(area_id=area_id, version=number, valid_from=vf, valid_to=vt,
                           close=tuple(int(v) for v in still_open[AREA_VERSION]), indoor=indoor)


def _explicit_indoor(row) -> bool | None:
    """The row's ``indoor`` flag, or None when it gives none."""
    value = getattr(row, INDOOR, None)
    if value is None or (not isinstance(value, bool | np.bool_) and pd.isna(value)):
        return None
    return bool(value)


def draft_multipolygons(areas: gpd.GeoDataFrame) -> np.ndarray:
    """Check a suggested area set and return one MultiPolygon per row (EPSG:4326).

    ``areas`` needs ``area_id``, ``name`` and ``valid_from`` columns, at least
    one row and the store CRS; errors say which.
    """
    missing = [c for c in (AREA_ID, AREA_NAME, VALID_FROM) if c not in areas.columns]
    if missing:
        raise ValueError(f"areas: a draft needs the columns {AREA_ID}, {AREA_NAME}, {VALID_FROM}; missing {missing}")
    if areas.empty:
        raise ValueError("areas: a draft needs at least one polygon; got none")
    if areas.crs is None or not areas.crs.equals(STORE_CRS):
        raise ValueError(f"areas: a draft must be in {STORE_CRS}; got {areas.crs}. Use to_crs('{STORE_CRS}') first")
    geometry = areas.geometry.to_numpy()
    owner = np.repeat(np.arange(len(areas)), shapely.get_num_geometries(geometry))
    return shapely.multipolygons(shapely.get_parts(geometry), indices=owner)
