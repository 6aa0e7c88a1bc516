"""Tiny builders for engine, store and summary tests.

Geometry is designed in EPSG:25832 metres around a base point near Oslo S
(:data:`BASE`) and converted to EPSG:4326 with pyproj directly (not through
``geo.engine.projection``), so expectations can be written in whole metres and
seconds. Local times are written as Europe/Oslo wall-clock text and converted
with pandas' own tz database (not through ``geo.timeutil``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon, box

from geo.engine.presence import with_encounter_cells
from geo.schema import (
    AGE_GROUP,
    AREA_ID,
    AREA_NAME,
    AREA_TEAM,
    AREA_VERSION,
    CATEGORY,
    DEFAULT_STAFF,
    ENCOUNTER_ID,
    END_UTC,
    FROM_OUTSIDE_OSLO,
    KIND,
    LAT,
    LOCAL_TZ,
    LON,
    MEASURE_CRS,
    NEW_CONTACT,
    PATROL_ID,
    PEOPLE,
    STAFF,
    START_UTC,
    STORE_CRS,
    TEAM,
    TIME_UTC,
    VALID_FROM,
    VALID_TO,
    AgeGroup,
    Category,
    PatrolKind,
    YesNoUnknown,
)

if TYPE_CHECKING:
    from geo.store.gpkg import GpkgStore

BASE = (597_000.0, 6_643_000.0)
"""Base point near Oslo S, EPSG:25832 easting/northing metres."""

TEAM_CENTRE = "uteseksjonen"

_TO_LONLAT = Transformer.from_crs(MEASURE_CRS, STORE_CRS, always_xy=True)
_TO_UTM = Transformer.from_crs(STORE_CRS, MEASURE_CRS, always_xy=True)


# --- coordinates and time -------------------------------------------------------


def lonlat(x, y) -> tuple[np.ndarray, np.ndarray]:
    """EPSG:25832 metres → EPSG:4326 lon/lat degrees (arrays)."""
    lon, lat = _TO_LONLAT.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def utm(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """EPSG:4326 lon/lat degrees → EPSG:25832 metres (arrays)."""
    x, y = _TO_UTM.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def oslo(text: str) -> pd.Timestamp:
    """Unambiguous Europe/Oslo wall-clock text → UTC instant."""
    return pd.Timestamp(text).tz_localize(LOCAL_TZ).tz_convert("UTC")


def epoch(ts: pd.Timestamp) -> float:
    """UTC instant → float seconds since the Unix epoch."""
    return pd.Timestamp(ts).timestamp()


# --- track points -----------------------------------------------------------------


def track(
    patrol_id: str,
    start: pd.Timestamp,
    xy: Sequence[tuple[float, float]],
    *,
    interval_s: float | Sequence[float] = 10.0,
) -> pd.DataFrame:
    """Track points at the EPSG:25832 positions ``xy``.

    Times are ``start`` plus ``interval_s`` per step (a number, or one gap per
    step: ``len(xy) - 1`` values).
    """
    n = len(xy)
    gaps = np.full(n - 1, float(interval_s)) if np.isscalar(interval_s) else np.asarray(interval_s, float)
    if len(gaps) != n - 1:
        raise ValueError(f"interval_s needs {n - 1} gaps for {n} points; got {len(gaps)}")
    offsets = np.concatenate([[0.0], np.cumsum(gaps)])
    x, y = zip(*xy)
    lon, lat = lonlat(x, y)
    return pd.DataFrame(
        {
            PATROL_ID: patrol_id,
            TIME_UTC: start + pd.to_timedelta(offsets, unit="s"),
            LON: lon,
            LAT: lat,
        }
    )


def straight_walk(
    patrol_id: str,
    start: pd.Timestamp,
    *,
    frm: tuple[float, float],
    to: tuple[float, float],
    step_m: float,
    interval_s: float,
) -> pd.DataFrame:
    """A straight walk in EPSG:25832 from ``frm`` to ``to``, one fix every ``step_m`` metres.

    Speed is ``step_m / interval_s`` m/s; ``to`` must be a whole number of steps away.
    """
    length = float(np.hypot(to[0] - frm[0], to[1] - frm[1]))
    n = round(length / step_m)
    if not np.isclose(n * step_m, length):
        raise ValueError(f"{length} m is not a whole number of {step_m} m steps")
    f = np.linspace(0.0, 1.0, n + 1)
    xy = list(zip(frm[0] + f * (to[0] - frm[0]), frm[1] + f * (to[1] - frm[1])))
    return track(patrol_id, start, xy, interval_s=interval_s)


def standing(patrol_id: str, start: pd.Timestamp, at: tuple[float, float], *, n: int, interval_s: float) -> pd.DataFrame:
    """``n`` fixes at one EPSG:25832 point, ``interval_s`` apart (the patrol stood still)."""
    return track(patrol_id, start, [at] * n, interval_s=interval_s)


# --- field areas -------------------------------------------------------------------


def square(cx: float = BASE[0], cy: float = BASE[1], side: float = 100.0) -> Polygon:
    """Axis-aligned square in EPSG:25832 with lower-left corner (cx, cy)."""
    return box(cx, cy, cx + side, cy + side)


def to_lonlat_geometry(geom_25832) -> MultiPolygon:
    """EPSG:25832 polygon(s) → EPSG:4326 MultiPolygon (vertices projected)."""
    projected = shapely.transform(geom_25832, lambda c: np.column_stack(lonlat(c[:, 0], c[:, 1])))
    if isinstance(projected, Polygon):
        projected = MultiPolygon([projected])
    return projected


def area_versions(rows: Iterable[dict], *, crs_of_rows: str = MEASURE_CRS) -> gpd.GeoDataFrame:
    """Area versions as the store holds them (EPSG:4326 GeoDataFrame).

    Each row: ``area_id``, ``geometry`` (EPSG:25832 unless ``crs_of_rows`` is
    EPSG:4326), optional ``version`` (1), ``valid_from`` (2020-01-01),
    ``valid_to`` (None), ``name`` (the id), ``team``.
    """
    rows = list(rows)
    geoms = [
        to_lonlat_geometry(r["geometry"]) if crs_of_rows == MEASURE_CRS else _multi(r["geometry"])
        for r in rows
    ]
    frame = pd.DataFrame(
        {
            AREA_ID: [r["area_id"] for r in rows],
            AREA_VERSION: [int(r.get("version", 1)) for r in rows],
            AREA_NAME: [r.get("name", r["area_id"]) for r in rows],
            AREA_TEAM: [r.get("team", TEAM_CENTRE) for r in rows],
            VALID_FROM: [r.get("valid_from", dt.date(2020, 1, 1)) for r in rows],
            VALID_TO: pd.Series([r.get("valid_to") for r in rows], dtype=object),
        }
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=STORE_CRS), crs=STORE_CRS)


def area(area_id: str, geometry, **fields) -> dict:
    """One row for :func:`area_versions`."""
    return {"area_id": area_id, "geometry": geometry, **fields}


def _multi(geom) -> MultiPolygon:
    return MultiPolygon([geom]) if isinstance(geom, Polygon) else geom


# --- patrols and encounters ------------------------------------------------------


def patrols(*rows: tuple) -> pd.DataFrame:
    """Patrols from ``(patrol_id, start_utc, end_utc[, staff[, team]])`` tuples."""
    out = []
    for row in rows:
        pid, start, end, *rest = row
        staff = rest[0] if len(rest) > 0 else DEFAULT_STAFF
        team = rest[1] if len(rest) > 1 else TEAM_CENTRE
        out.append({PATROL_ID: pid, TEAM: team, START_UTC: start, END_UTC: end, STAFF: staff,
                    KIND: PatrolKind.REGULAR.value})
    frame = pd.DataFrame(out)
    for col in (START_UTC, END_UTC):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    return frame


def encounters(*rows: tuple) -> pd.DataFrame:
    """Encounters from ``(encounter_id, time_utc, x, y[, patrol_id])`` tuples (x, y in EPSG:25832)."""
    ids, times, xs, ys, pids = [], [], [], [], []
    for row in rows:
        eid, time, x, y, *rest = row
        ids.append(eid)
        times.append(time)
        xs.append(x)
        ys.append(y)
        pids.append(rest[0] if rest else None)
    lon, lat = lonlat(xs, ys)
    return encounters_lonlat(ids, times, lon, lat, pids)


def encounters_lonlat(ids, times, lon, lat, patrol_ids=None) -> pd.DataFrame:
    """Encounters at EPSG:4326 positions (for points exactly on lon/lat edges), with their
    H3 cells as the importer adds them before a store writes them."""
    n = len(ids)
    frame = pd.DataFrame(
        {
            ENCOUNTER_ID: list(ids),
            TIME_UTC: pd.to_datetime(list(times), utc=True),
            LON: np.asarray(lon, dtype=float),
            LAT: np.asarray(lat, dtype=float),
            PATROL_ID: pd.Series(list(patrol_ids) if patrol_ids is not None else [None] * n, dtype=object),
            CATEGORY: Category.CONVERSATION.value,
            AGE_GROUP: AgeGroup.AGE_26_PLUS.value,
            NEW_CONTACT: False,
            FROM_OUTSIDE_OSLO: YesNoUnknown.NO.value,
            PEOPLE: 1,
        }
    )
    return with_encounter_cells(frame)


# --- a whole store -------------------------------------------------------------------


def make_store(
    tmp_path: Path,
    *,
    areas: gpd.GeoDataFrame | None = None,
    patrol_rows: pd.DataFrame | None = None,
    points: pd.DataFrame | None = None,
    encounter_rows: pd.DataFrame | None = None,
    resolutions: tuple[int, ...] = (10,),
    name: str = "store.gpkg",
) -> GpkgStore:
    """A GeoPackage store in ``tmp_path`` filled through the store methods, with
    every derived table computed by :mod:`geo.engine.refresh` (as the importer does)."""
    # imported here so engine-only tests do not depend on the store stack
    from geo.engine import refresh
    from geo.store import open_store

    store = open_store(tmp_path / name)
    with store.transaction():
        if areas is not None and len(areas):
            store.add_area_versions(areas)
        if patrol_rows is not None and len(patrol_rows):
            store.add_patrols(patrol_rows)
        if points is not None and len(points):
            store.add_track_points(points)
            refresh.refresh_patrols(store, resolutions=resolutions)
        if encounter_rows is not None and len(encounter_rows):
            store.add_encounters(encounter_rows)
        refresh.refresh_encounter_areas(store)
    return store
