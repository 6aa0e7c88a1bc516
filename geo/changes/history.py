"""Field-area history: the version timeline per area and the area gained and lost between two dates.

Versions come from :meth:`Store.areas` (old versions are never overwritten)
and the change log from :meth:`Store.area_changes` (when, what, by whom).
Areas are measured in EPSG:25832 (square metres); geometries are returned in
EPSG:4326 for drawing.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.schema import (
    AREA_ID,
    AREA_NAME,
    AREA_TEAM,
    AREA_VERSION,
    MEASURE_CRS,
    STORE_CRS,
    VALID_FROM,
    VALID_TO,
)
from geo.store.area_versions import valid_between
from geo.store.base import Store

AREA_M2 = "area_m2"
ADDED_UTC = "added_utc"
CHANGED_BY = "changed_by"
VERSION_A = "version_a"
VERSION_B = "version_b"
AREA_A_M2 = "area_a_m2"
AREA_B_M2 = "area_b_m2"
GAINED_M2 = "gained_m2"
LOST_M2 = "lost_m2"
GAINED_PCT = "gained_pct"
LOST_PCT = "lost_pct"
GEOMETRY_A = "geometry_a"
GEOMETRY_B = "geometry_b"
GAINED = "gained"
LOST = "lost"
COMPARISON_COLUMNS = (AREA_ID, AREA_NAME, VERSION_A, VERSION_B, AREA_A_M2, AREA_B_M2, GAINED_M2, LOST_M2,
                      GAINED_PCT, LOST_PCT)
"""The figure columns of :func:`compare_areas` (the four geometry columns follow them)."""

GRID_M = 0.01
"""Gained and lost parts are computed on a 1 cm grid (EPSG:25832), so a redrawn
edge that moved by less than that leaves no sliver of reprojection noise."""


def areas_valid_on(areas: gpd.GeoDataFrame, day: dt.date) -> gpd.GeoDataFrame:
    """The area versions valid on local date ``day``: ``valid_from <= day < valid_to`` (open end = still valid)."""
    _check_date("day", day)
    return areas[valid_between(areas, day, day)]


def area_timeline(store: Store) -> pd.DataFrame:
    """One row per area version, ordered by area and version.

    Columns: ``area_id``, ``version``, ``name``, ``team``, ``valid_from``,
    ``valid_to`` (``datetime.date``; None = still valid), ``area_m2``
    (EPSG:25832 square metres), ``added_utc`` (when the version was stored,
    UTC; NaT if the log has no entry) and ``changed_by`` (None if unknown).
    """
    areas = store.areas()
    log = store.area_changes()
    added = log[log["change"] == "added"].drop_duplicates([AREA_ID, AREA_VERSION], keep="last")
    added = added.rename(columns={"time_utc": ADDED_UTC})[[AREA_ID, AREA_VERSION, ADDED_UTC, CHANGED_BY]]
    table = pd.DataFrame(areas.drop(columns=areas.geometry.name))
    table[AREA_M2] = shapely.area(areas.to_crs(MEASURE_CRS).geometry.to_numpy())
    table = table.merge(added, on=[AREA_ID, AREA_VERSION], how="left")
    return table[[AREA_ID, AREA_VERSION, AREA_NAME, AREA_TEAM, VALID_FROM, VALID_TO, AREA_M2, ADDED_UTC,
                  CHANGED_BY]].sort_values([AREA_ID, AREA_VERSION]).reset_index(drop=True)


def compare_areas(source: Store | gpd.GeoDataFrame, date_a: dt.date, date_b: dt.date) -> gpd.GeoDataFrame:
    """Per field area, its extent on ``date_a`` against ``date_b``: the area gained and lost.

    ``source`` is a store or a frame of area versions as :meth:`Store.areas`
    returns them. Every area valid on either date has one row:

    - ``version_a``, ``version_b``: the version valid on each date (<NA> if none);
    - ``area_a_m2``, ``area_b_m2``: its area on each date (0 if none), m² in EPSG:25832;
    - ``gained_m2``: area inside the ``date_b`` version but not the ``date_a`` one;
      ``lost_m2``: the reverse;
    - ``gained_pct``, ``lost_pct``: those as a percentage of ``area_a_m2``
      (NaN for an area that did not exist on ``date_a``);
    - ``geometry_a``, ``geometry_b``, ``gained``, ``lost``: the shapes (EPSG:4326;
      empty where there is none). The active geometry is ``geometry_b``.

    Sorted by ``area_id``. ``date_b`` may be before ``date_a``; the figures
    then read "from a to b" all the same.
    """
    _check_date("date_a", date_a)
    _check_date("date_b", date_b)
    areas = source.areas() if isinstance(source, Store) else source
    on_a = areas_valid_on(areas, date_a).set_index(AREA_ID)
    on_b = areas_valid_on(areas, date_b).set_index(AREA_ID)
    ids = sorted(set(on_a.index) | set(on_b.index))
    geom_a, geom_b = _measured(on_a, ids), _measured(on_b, ids)
    gained = shapely.difference(geom_b, geom_a, grid_size=GRID_M)
    lost = shapely.difference(geom_a, geom_b, grid_size=GRID_M)
    area_a, area_b = shapely.area(geom_a), shapely.area(geom_b)
    gained_m2, lost_m2 = shapely.area(gained), shapely.area(lost)
    with np.errstate(divide="ignore", invalid="ignore"):
        gained_pct = np.where(area_a > 0, 100.0 * gained_m2 / area_a, np.nan)
        lost_pct = np.where(area_a > 0, 100.0 * lost_m2 / area_a, np.nan)
    names = on_b[AREA_NAME].reindex(ids).fillna(on_a[AREA_NAME].reindex(ids))
    table = pd.DataFrame({
        AREA_ID: ids,
        AREA_NAME: names.to_numpy(),
        VERSION_A: on_a[AREA_VERSION].reindex(ids).astype("Int64").to_numpy(),
        VERSION_B: on_b[AREA_VERSION].reindex(ids).astype("Int64").to_numpy(),
        AREA_A_M2: area_a, AREA_B_M2: area_b, GAINED_M2: gained_m2, LOST_M2: lost_m2,
        GAINED_PCT: gained_pct, LOST_PCT: lost_pct,
    })
    shapes = {GEOMETRY_A: geom_a, GEOMETRY_B: geom_b, GAINED: gained, LOST: lost}
    for column, values in shapes.items():
        table[column] = gpd.GeoSeries(values, crs=MEASURE_CRS).to_crs(STORE_CRS).to_numpy()
    out = gpd.GeoDataFrame(table, geometry=GEOMETRY_B, crs=STORE_CRS)
    for column in (GEOMETRY_A, GAINED, LOST):
        out[column] = gpd.GeoSeries(out[column].to_numpy(), crs=STORE_CRS, index=out.index)
    return out


def _measured(versions: gpd.GeoDataFrame, ids: list[str]) -> np.ndarray:
    """Geometry per id in EPSG:25832, an empty polygon where ``versions`` has none."""
    geometry = versions.geometry.to_crs(MEASURE_CRS).reindex(ids)
    values = geometry.to_numpy()
    values[pd.isna(values)] = shapely.Polygon()
    return values


def _check_date(name: str, value: object) -> None:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a datetime.date (a local date); got {value!r}")


def area_change_log(store: Store, *, teams: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The area change log (:meth:`Store.area_changes`), oldest first; with ``teams``, only the
    changes of areas whose latest version those teams own."""
    log = store.area_changes()
    if teams is None:
        return log
    areas = store.areas()
    owners = areas.sort_values(AREA_VERSION).groupby(AREA_ID)[AREA_TEAM].last()
    return log[log[AREA_ID].map(owners).isin(teams).to_numpy()].reset_index(drop=True)

