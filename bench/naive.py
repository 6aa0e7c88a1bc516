"""The presence pipeline a GIS analyst would write with geopandas, h3-py and pandas.

Same rules as the engine (PRODUCT.md, Presence: max_gap 5 min, max_speed
20 km/h, lengths in EPSG:25832, the field-area version valid on the local date
of the segment's start), but each segment is given *wholly* to the area(s)
and H3 cell of the point it starts at, instead of being split exactly where it
crosses a boundary. So per-area and per-cell totals differ from the engine's
by a little at every boundary crossing; the grand total of presence is the
same.

Steps (all standard library calls, one Python call per point only for h3):

1. sort by patrol and time; ``gpd.points_from_xy``; ``to_crs("EPSG:25832")``
2. per point, the segment starting at it: ``groupby(patrol).shift(-1)`` of
   time and x/y → duration and length; drop gaps > max_gap and speeds >
   max_speed
3. ``gpd.sjoin(points, areas, predicate="within")`` with the areas in
   EPSG:4326; keep the version valid on the point's Europe/Oslo date;
   ``groupby([area_id, version]).sum()``
4. ``[h3.latlng_to_cell(lat, lon, res) for ...]`` (h3-py 4);
   ``groupby(cell).sum()``
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

from geo.schema import (
    AREA_ID,
    AREA_VERSION,
    CELL,
    LAT,
    LOCAL_TZ,
    LON,
    MEASURE_CRS,
    METRES,
    PATROL_ID,
    SECONDS,
    STORE_CRS,
    TIME_UTC,
    VALID_FROM,
    VALID_TO,
)

MAX_GAP_S = 300.0
MAX_SPEED_KMH = 20.0


@dataclass(slots=True)
class NaiveTotals:
    """Same shape as ``geo.engine.presence.PresenceTotals`` plus stage timings.

    ``points`` (per point: the h3 cell and the presence seconds of the segment
    starting there) and ``membership`` (point position, area row) are kept
    only so that :func:`crossing_bounds` can run after the timed part.
    """

    per_area: pd.DataFrame  # area_id, version, seconds, metres
    per_cell: pd.DataFrame  # cell (int64), seconds, metres
    total_seconds: float  # all presence, anywhere
    stages: dict[str, float] = field(default_factory=dict)  # seconds per step
    points: pd.DataFrame | None = None
    membership: tuple[np.ndarray, np.ndarray] | None = None


def naive_presence_totals(
    track_points: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    *,
    res: int = 10,
    max_gap_s: float = MAX_GAP_S,
    max_speed_kmh: float = MAX_SPEED_KMH,
) -> NaiveTotals:
    """Presence per area version and per H3 cell, the geopandas way (see module docstring)."""
    stages: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stages[name] = now - clock
        clock = now

    # 1. points, projected
    df = track_points[[PATROL_ID, TIME_UTC, LON, LAT]].sort_values([PATROL_ID, TIME_UTC], ignore_index=True)
    points = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df[LON], df[LAT]), crs=STORE_CRS)
    lap("points_from_xy")
    projected = points.geometry.to_crs(MEASURE_CRS)
    points["x"] = projected.x
    points["y"] = projected.y
    del projected
    lap("to_crs")

    # 2. the segment starting at each point
    nxt = points.groupby(PATROL_ID, sort=False)[[TIME_UTC, "x", "y"]].shift(-1)
    duration = (nxt[TIME_UTC] - points[TIME_UTC]).dt.total_seconds()
    length = np.hypot(nxt["x"] - points["x"], nxt["y"] - points["y"])
    ok = (duration > 0) & (duration <= max_gap_s) & (length <= max_speed_kmh / 3.6 * duration)
    points[SECONDS] = duration.where(ok, 0.0)
    points[METRES] = length.where(ok, 0.0)
    del nxt, duration, length
    lap("segments")

    # 3. areas: spatial join, version valid on the local date, sum
    joined = gpd.sjoin(
        points[[TIME_UTC, SECONDS, METRES, "geometry"]],
        areas[[AREA_ID, AREA_VERSION, VALID_FROM, VALID_TO, "geometry"]].to_crs(STORE_CRS),
        predicate="within",
    )
    lap("sjoin")
    local_day = joined[TIME_UTC].dt.tz_convert(LOCAL_TZ).dt.tz_localize(None).dt.normalize()
    valid_from = pd.to_datetime(joined[VALID_FROM])
    valid_to = pd.to_datetime(joined[VALID_TO])
    valid = (local_day >= valid_from) & (valid_to.isna() | (local_day < valid_to))
    joined = joined[valid]
    per_area = joined.groupby([AREA_ID, AREA_VERSION], as_index=False)[[SECONDS, METRES]].sum()
    per_area = (
        areas[[AREA_ID, AREA_VERSION]]
        .merge(per_area, on=[AREA_ID, AREA_VERSION], how="left")
        .fillna({SECONDS: 0.0, METRES: 0.0})
    )
    membership = (joined.index.to_numpy(), areas.index.get_indexer(joined["index_right"]))
    del joined
    lap("area_groupby")

    # 4. H3 cells, one h3-py call per point
    points["h3"] = [h3.latlng_to_cell(lat, lon, res) for lat, lon in zip(points[LAT], points[LON])]
    lap("h3_cells")
    counted = points[points[SECONDS] > 0]
    per_cell = counted.groupby("h3", as_index=False)[[SECONDS, METRES]].sum()
    per_cell.insert(0, CELL, [h3.str_to_int(c) for c in per_cell.pop("h3")])  # one call per cell
    per_cell[CELL] = per_cell[CELL].astype(np.int64)
    total = float(points[SECONDS].sum())
    lap("cell_groupby")
    return NaiveTotals(
        per_area=per_area,
        per_cell=per_cell,
        total_seconds=total,
        stages=stages,
        points=points[[SECONDS, "h3"]],
        membership=membership,
    )


def crossing_bounds(result: NaiveTotals, areas: gpd.GeoDataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Presence seconds of segments whose two ends are in different areas / cells.

    The naive pipeline and the exact engine can only disagree about those
    segments: for an area or cell, ``|naive - engine|`` is at most the summed
    duration of the counted segments that start or end in it and whose other
    end is elsewhere (plus segments merely passing through, which are rare for
    1–3 m segments). Returns (per area row: area_id, version, bound_s) and
    (per cell: cell, bound_s). Not part of the timed pipeline.
    """
    points = result.points
    seconds = points[SECONDS].to_numpy()
    counted = np.flatnonzero(seconds > 0)  # segment i runs from point i to point i + 1

    # cells
    h3_str = points["h3"].to_numpy()
    cross = counted[h3_str[counted] != h3_str[counted + 1]]
    bound_cell = (
        pd.concat(
            [
                pd.DataFrame({"h3": h3_str[cross], "bound_s": seconds[cross]}),
                pd.DataFrame({"h3": h3_str[cross + 1], "bound_s": seconds[cross]}),
            ]
        )
        .groupby("h3", as_index=False)["bound_s"]
        .sum()
    )
    bound_cell.insert(0, CELL, np.asarray([h3.str_to_int(c) for c in bound_cell.pop("h3")], dtype=np.int64))

    # areas: membership keys point * n_areas + area row
    point_pos, area_row = result.membership
    n_areas = max(len(areas), 1)
    keys = np.sort(point_pos.astype(np.int64) * n_areas + area_row)
    start_in = keys[seconds[keys // n_areas] > 0] if keys.size else keys  # start of a counted segment in area
    start_out = ~np.isin(start_in + n_areas, keys)  # ... whose end is not in it
    prev = keys // n_areas - 1
    has_prev = prev >= 0
    end_in = keys[has_prev][seconds[prev[has_prev]] > 0]  # end of a counted segment in area
    end_out = ~np.isin(end_in - n_areas, keys)  # ... whose start is not in it
    bound = np.zeros(n_areas)
    np.add.at(bound, start_in[start_out] % n_areas, seconds[start_in[start_out] // n_areas])
    np.add.at(bound, end_in[end_out] % n_areas, seconds[end_in[end_out] // n_areas - 1])
    bound_area = areas[[AREA_ID, AREA_VERSION]].reset_index(drop=True).assign(bound_s=bound[: len(areas)])
    return bound_area, bound_cell
