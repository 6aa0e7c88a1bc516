"""Deterministic benchmark data: field areas and synthetic 1 Hz patrol tracks.

- :func:`bench_areas`: the demo field-area versions (``geo.demo.demo_areas``,
  EPSG:4326) with a ``version`` column; if the demo package cannot be
  imported, a handful of shapely boxes around Oslo sentrum instead.
- :func:`generate_track_points`: N track points (columns ``patrol_id``,
  ``time_utc``, ``lon``, ``lat``; geo.schema names) from a seeded generator,
  built with whole-array numpy operations (no Python loop per point).

How the tracks are made
-----------------------
Patrols last 2–6 hours at ~1 Hz (mostly 1 s between fixes, 5 % 2 s, rare
drop-outs of 10 s–20 min as in parking garages). Each patrol is a correlated
random walk: heading noise of 0.06 rad per fix, occasional ±90° turns (street
corners), ~1.3 m/s walking speed alternating with stops (talking to people).
The walk is folded (mirrored, which keeps step lengths) into a box: for 80 %
of the patrols the bounding box of one demo field area in the centre grown by
150 m, for the rest the whole sentrum box (lon 10.72–10.79, lat 59.90–59.93).
Fixes get 0.7 m GPS noise, and 1 in 5,000 fixes jumps 40–300 m (a segment the
speed rule must drop). Times are in 2024, UTC, starting in the morning,
afternoon or evening.
"""

from __future__ import annotations

import warnings
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from geo.schema import (
    AREA_ID,
    AREA_NAME,
    AREA_TEAM,
    AREA_VERSION,
    LAT,
    LON,
    PATROL_ID,
    STORE_CRS,
    TIME_UTC,
    VALID_FROM,
    VALID_TO,
)

DEFAULT_SEED = 20240101
"""Seed of the benchmark data (the same N and seed give the same points)."""

SENTRUM_BBOX = (10.72, 59.90, 10.79, 59.93)
"""lon_min, lat_min, lon_max, lat_max of the area the patrols walk in (EPSG:4326)."""

YEAR = 2024

PATROL_POINTS = (7_200, 21_600)
"""Fixes per patrol (inclusive range): 2–6 hours at 1 Hz."""

WALK_SPEED_MS = 1.3
HEADING_NOISE_RAD = 0.06
TURN_PROBABILITY = 0.002
STOP_MEAN_FIXES = 180
MOVE_MEAN_FIXES = 900
GPS_NOISE_M = 0.7
JUMP_PROBABILITY = 2e-4
TWO_SECOND_PROBABILITY = 0.05
DROPOUT_PROBABILITY = 5e-5
HOME_AREA_SHARE = 0.8
HOME_MARGIN_M = 150.0

_M_PER_DEG_LAT = 111_320.0
_REF_LON, _REF_LAT = 10.755, 59.915
_M_PER_DEG_LON = _M_PER_DEG_LAT * np.cos(np.radians(_REF_LAT))


# --- field areas -------------------------------------------------------------------------------


def bench_areas() -> gpd.GeoDataFrame:
    """Field-area versions for the benchmark (EPSG:4326), with ``version``.

    The demo areas (:func:`geo.demo.demo_areas`) when importable, else
    :func:`fallback_areas`.
    """
    try:
        from geo.demo import demo_areas

        areas = demo_areas()
    except Exception as exc:  # noqa: BLE001 - any failure of the optional demo package means: use the boxes
        warnings.warn(f"geo.demo.demo_areas() unavailable ({exc!r}); using box areas", stacklevel=2)
        return fallback_areas()
    return with_versions(areas)


def with_versions(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add ``version`` (1, 2, … per area_id in order of valid_from) if it is missing.

    ``geo.engine.presence.prepare_areas`` needs it; ``demo_areas()`` returns
    versions without it (the store numbers them on insert).
    """
    areas = areas.copy()
    if AREA_VERSION not in areas.columns:
        order = areas.sort_values([AREA_ID, VALID_FROM], kind="stable")
        areas[AREA_VERSION] = (order.groupby(AREA_ID).cumcount() + 1).reindex(areas.index).astype(np.int64)
    return areas


def fallback_areas() -> gpd.GeoDataFrame:
    """Box-shaped field areas around Oslo sentrum (EPSG:4326), all valid from 2018."""
    boxes = {
        "brugata-storgata": (10.7503, 59.9131, 10.7599, 59.9182),
        "vaterland-gronland": (10.7573, 59.9107, 10.7643, 59.9139),
        "oslo-s": (10.7469, 59.9089, 10.7610, 59.9125),
        "akerselva-nedre": (10.7518, 59.9131, 10.7605, 59.9197),
        "urtegata": (10.7619, 59.9129, 10.7673, 59.9162),
        "p-hus-oslo-s": (10.7536, 59.9091, 10.7545, 59.9096),
    }
    return gpd.GeoDataFrame(
        {
            AREA_ID: list(boxes),
            AREA_VERSION: np.ones(len(boxes), np.int64),
            AREA_NAME: list(boxes),
            AREA_TEAM: "uteseksjonen",
            VALID_FROM: [date(2018, 1, 1)] * len(boxes),
            VALID_TO: [None] * len(boxes),
        },
        geometry=[shapely.box(*b) for b in boxes.values()],
        crs=STORE_CRS,
    )


def home_boxes(areas: gpd.GeoDataFrame) -> np.ndarray:
    """(k, 4) boxes, lon/lat, around the areas valid in YEAR that lie in the sentrum box."""
    start, end = date(YEAR, 1, 1), date(YEAR + 1, 1, 1)
    valid = [
        (vf <= start) and (vt is None or (isinstance(vt, float) and np.isnan(vt)) or vt >= end)
        for vf, vt in zip(areas[VALID_FROM], areas[VALID_TO], strict=True)
    ]
    b = areas.geometry.bounds.to_numpy()[np.asarray(valid, bool)]
    x0, y0, x1, y1 = SENTRUM_BBOX
    inside = (b[:, 0] >= x0) & (b[:, 2] <= x1) & (b[:, 1] >= y0) & (b[:, 3] <= y1)
    b = b[inside]
    grow = np.array([-HOME_MARGIN_M / _M_PER_DEG_LON, -HOME_MARGIN_M / _M_PER_DEG_LAT,
                     HOME_MARGIN_M / _M_PER_DEG_LON, HOME_MARGIN_M / _M_PER_DEG_LAT])
    b = b + grow
    b[:, 0], b[:, 1] = np.maximum(b[:, 0], x0), np.maximum(b[:, 1], y0)
    b[:, 2], b[:, 3] = np.minimum(b[:, 2], x1), np.minimum(b[:, 3], y1)
    return b


# --- track points ------------------------------------------------------------------------------


def generate_track_points(
    n: int,
    *,
    seed: int = DEFAULT_SEED,
    areas: gpd.GeoDataFrame | None = None,
    patrol_points: tuple[int, int] = PATROL_POINTS,
) -> pd.DataFrame:
    """``n`` synthetic track points, sorted by patrol and time (see the module docstring)."""
    if n < 2:
        raise ValueError(f"need at least 2 track points; got {n}")
    rng = np.random.default_rng(seed)
    lengths = _patrol_lengths(rng, n, patrol_points)
    n_patrols = lengths.size
    first = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    patrol_of = np.repeat(np.arange(n_patrols, dtype=np.int32), lengths)

    # -- times: start of each patrol + cumulative gaps -----------------------
    dt = np.ones(n, np.int64)
    dt[rng.random(n) < TWO_SECOND_PROBABILITY] = 2
    drop = rng.random(n) < DROPOUT_PROBABILITY
    dt[drop] = rng.integers(10, 1_200, size=int(drop.sum()))
    dt[first] = 0
    elapsed = np.cumsum(dt)
    elapsed -= np.repeat(elapsed[first], lengths)
    del dt, drop
    days = rng.integers(0, 365, size=n_patrols)  # 2024-01-01 .. 2024-12-30: every patrol ends in 2024
    start_hour = rng.choice(np.array([8, 15, 19]), size=n_patrols)  # UTC
    start_s = (
        np.datetime64(f"{YEAR}-01-01", "s").astype(np.int64)
        + days * 86_400 + start_hour * 3_600 + rng.integers(0, 7_200, size=n_patrols)
    )
    seconds = np.repeat(start_s, lengths) + elapsed
    del elapsed

    # -- walk: heading, speed, steps in local metres --------------------------
    turn = (rng.random(n) < TURN_PROBABILITY) * rng.choice(np.array([-np.pi / 2, np.pi / 2]), size=n)
    heading = np.cumsum(rng.normal(0.0, HEADING_NOISE_RAD, n) + turn)
    del turn
    speed = np.where(
        _moving(rng, n),
        WALK_SPEED_MS * np.exp(rng.normal(0.0, 0.15, n)),
        np.abs(rng.normal(0.0, 0.05, n)),
    )
    speed[first] = 0.0
    boxes = _patrol_boxes(rng, n_patrols, areas)  # metres, (n_patrols, 4)
    x = _walk(speed * np.cos(heading), first, lengths, boxes[:, 0], boxes[:, 2], rng)
    y = _walk(speed * np.sin(heading), first, lengths, boxes[:, 1], boxes[:, 3], rng)
    del heading, speed

    # -- GPS noise and jumps --------------------------------------------------
    x += rng.normal(0.0, GPS_NOISE_M, n)
    y += rng.normal(0.0, GPS_NOISE_M, n)
    jump = np.flatnonzero(rng.random(n) < JUMP_PROBABILITY)
    angle = rng.uniform(0, 2 * np.pi, jump.size)
    dist = rng.uniform(40.0, 300.0, jump.size)
    x[jump] += dist * np.cos(angle)
    y[jump] += dist * np.sin(angle)

    ids = pa.array([f"bench-{i:06d}" for i in range(n_patrols)])  # one string per patrol, not per point
    patrol_id = pa.DictionaryArray.from_arrays(pa.array(patrol_of), ids).dictionary_decode().to_pandas()
    del patrol_of
    return pd.DataFrame(
        {
            PATROL_ID: patrol_id,
            TIME_UTC: pd.to_datetime(seconds * 1_000_000, unit="us", utc=True),
            LON: _REF_LON + x / _M_PER_DEG_LON,
            LAT: _REF_LAT + y / _M_PER_DEG_LAT,
        }
    )


def _patrol_lengths(rng: np.random.Generator, n: int, bounds: tuple[int, int]) -> np.ndarray:
    lo, hi = bounds
    lengths = rng.integers(lo, hi + 1, size=n // lo + 1)
    cum = np.cumsum(lengths)
    k = int(np.searchsorted(cum, n)) + 1
    lengths = lengths[:k].copy()
    lengths[-1] -= int(cum[k - 1] - n)
    return lengths


def _moving(rng: np.random.Generator, n: int) -> np.ndarray:
    """Alternating runs of walking and standing still (True = walking)."""
    runs = []
    total = 0
    while total < n:
        k = max(16, 2 * (n - total) // (MOVE_MEAN_FIXES + STOP_MEAN_FIXES) + 16)
        move = rng.geometric(1 / MOVE_MEAN_FIXES, size=k)
        stop = rng.geometric(1 / STOP_MEAN_FIXES, size=k)
        pair = np.column_stack([move, stop]).ravel()
        runs.append(pair)
        total += int(pair.sum())
    runs = np.concatenate(runs)
    state = np.tile(np.array([True, False]), runs.size // 2)
    return np.repeat(state, runs)[:n]


def _patrol_boxes(rng: np.random.Generator, n_patrols: int, areas: gpd.GeoDataFrame | None) -> np.ndarray:
    """Box (x0, y0, x1, y1) in local metres each patrol's walk is folded into."""
    sentrum = np.asarray(SENTRUM_BBOX, dtype=np.float64)
    homes = home_boxes(areas if areas is not None else bench_areas())
    if homes.size == 0:
        homes = sentrum[None, :]
    lonlat = np.repeat(sentrum[None, :], n_patrols, axis=0)
    at_home = rng.random(n_patrols) < HOME_AREA_SHARE
    lonlat[at_home] = homes[rng.integers(0, len(homes), size=int(at_home.sum()))]
    x0 = (lonlat[:, 0] - _REF_LON) * _M_PER_DEG_LON
    x1 = (lonlat[:, 2] - _REF_LON) * _M_PER_DEG_LON
    y0 = (lonlat[:, 1] - _REF_LAT) * _M_PER_DEG_LAT
    y1 = (lonlat[:, 3] - _REF_LAT) * _M_PER_DEG_LAT
    return np.column_stack([x0, y0, x1, y1])


def _walk(step, first, lengths, lo, hi, rng) -> np.ndarray:
    """Cumulative walk per patrol from a random start, folded into [lo, hi] (mirror)."""
    pos = np.cumsum(step)
    pos -= np.repeat(pos[first], lengths)
    pos += np.repeat(rng.uniform(lo, hi), lengths)
    lo_p, width = np.repeat(lo, lengths), np.repeat(hi - lo, lengths)
    r = np.mod(pos - lo_p, 2 * width)
    return lo_p + np.where(r > width, 2 * width - r, r)


# --- on disk -----------------------------------------------------------------------------------


def write_points(points: pd.DataFrame, path) -> None:
    """Track points as Parquet (read back with :func:`read_points`)."""
    points.to_parquet(path, index=False)


def read_points(path) -> pd.DataFrame:
    return pd.read_parquet(path)


def write_areas(areas: gpd.GeoDataFrame, path) -> None:
    """Field areas as GeoParquet; dates as ISO text so they read back exactly."""
    out = areas.copy()
    for col in (VALID_FROM, VALID_TO):
        out[col] = [None if v is None or (isinstance(v, float) and np.isnan(v)) else v.isoformat() for v in out[col]]
    out.to_parquet(path, index=False)


def read_areas(path) -> gpd.GeoDataFrame:
    areas = gpd.read_parquet(path)
    areas[VALID_FROM] = [date.fromisoformat(v) for v in areas[VALID_FROM]]
    areas[VALID_TO] = [date.fromisoformat(v) if isinstance(v, str) and v else None for v in areas[VALID_TO]]
    return areas
