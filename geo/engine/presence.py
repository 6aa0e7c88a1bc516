"""Presence per area version and per H3 cell, visits, and encounters in areas.

The one place where PRODUCT.md's Presence, Visit, Coverage cell and Encounter
in area definitions are computed. Input is raw track points and field-area
versions; output is the pre-aggregated tables (``geo.schema.T_PRESENCE_*``,
``T_VISITS_*``, ``T_ENCOUNTER_AREAS``) from which every page and the CLI
answer.

Rules made explicit here:

- A segment belongs to the UTC hour, and the local date, of its start. The
  field-area version that applies is the one valid on that local date.
- Oslo's UTC offsets are whole hours, so UTC hour buckets are local hour
  buckets; local weekday/hour are derived when querying.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.engine.areas import AreaIndex
from geo.engine.cells import RESOLUTIONS, cells_of, split_by_cells, sum_by_cell
from geo.engine.segments import (
    MAX_GAP_S,
    MAX_SPEED_KMH,
    Segments,
    SortedPoints,
    build_segments,
)
from geo.engine.threads import map_ordered
from geo.engine.visits import BRIDGE_S, find_visits
from geo.schema import (
    AREA_ID,
    AREA_VERSION,
    CELL,
    ENCOUNTER_CELL_COLUMNS,
    ENCOUNTER_ID,
    HOUR_UTC,
    LAT,
    LON,
    MEASURE_CRS,
    METRES,
    PATROL_ID,
    RES,
    SECONDS,
    TIME_UTC,
    VALID_FROM,
    VALID_TO,
    VISIT_END,
    VISIT_START,
)
from geo.timeutil import local_days, local_midnights_utc

_NO_END_DAY = np.iinfo(np.int64).max


@dataclass(frozen=True, slots=True)
class PreparedAreas:
    """Field-area versions ready for apportioning: ids plus the lookup index."""

    area_ids: np.ndarray  # object, one per version
    versions: np.ndarray  # int64, one per version
    index: AreaIndex  # polygons in EPSG:25832

    def __len__(self) -> int:
        return len(self.area_ids)


def prepare_areas(areas: gpd.GeoDataFrame) -> PreparedAreas:
    """Field-area versions (EPSG:4326 GeoDataFrame from the store) → PreparedAreas."""
    projected = areas.to_crs(MEASURE_CRS) if len(areas) else areas
    index = AreaIndex(  # validity in UTC seconds, compared with each segment's start
        list(projected.geometry) if len(areas) else [],
        local_midnights_utc(np.asarray([_day_number(d) for d in areas[VALID_FROM]], dtype=np.int64)),
        local_midnights_utc(np.asarray([_day_number(d, missing=_NO_END_DAY) for d in areas[VALID_TO]], dtype=np.int64)),
    )
    return PreparedAreas(
        area_ids=np.asarray(areas[AREA_ID], dtype=object) if len(areas) else np.zeros(0, object),
        versions=np.asarray(areas[AREA_VERSION], dtype=np.int64) if len(areas) else np.zeros(0, np.int64),
        index=index,
    )


def _day_number(value: date | None, *, missing: int | None = None) -> int:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        if missing is None:
            raise ValueError("valid_from is required for every field-area version")
        return missing
    return int(np.datetime64(pd.Timestamp(value).date(), "D").astype(np.int64))


@dataclass(slots=True)
class PresenceTables:
    """Pre-aggregated presence for a batch of patrols (DataFrames keyed as in geo.schema)."""

    presence_area: pd.DataFrame  # patrol_id, area_id, version, hour_utc, seconds, metres
    visits_area: pd.DataFrame  # patrol_id, area_id, start_s, end_s
    presence_cell: pd.DataFrame  # patrol_id, res, cell, hour_utc, seconds, metres
    visits_cell: pd.DataFrame  # patrol_id, res, cell, start_s, end_s
    presence_total: pd.DataFrame  # patrol_id, hour_utc, seconds, metres


def compute_presence(
    track_points: pd.DataFrame,
    areas: PreparedAreas,
    *,
    resolutions: tuple[int, ...] = RESOLUTIONS,
    max_gap_s: float = MAX_GAP_S,
    max_speed_kmh: float = MAX_SPEED_KMH,
    bridge_s: float = BRIDGE_S,
) -> PresenceTables:
    """All presence aggregates for the patrols in ``track_points``.

    Every patrol's points must all be in ``track_points`` (visits and segments
    never span batches).
    """
    seg = build_segments(track_points, max_gap_s=max_gap_s, max_speed_kmh=max_speed_kmh)
    hour = seg.hour_utc
    total = _sum_by(
        {PATROL_ID: seg.patrol, HOUR_UTC: hour}, seg.duration_s, seg.length_m, seg.patrol_ids
    )
    presence_area, visits_area = area_presence(seg, areas, hour=hour, bridge_s=bridge_s)
    cell_tables = [cell_presence(seg, res, hour=hour, bridge_s=bridge_s) for res in resolutions]
    return PresenceTables(
        presence_area=presence_area,
        visits_area=visits_area,
        presence_cell=pd.concat([c[0] for c in cell_tables], ignore_index=True),
        visits_cell=pd.concat([c[1] for c in cell_tables], ignore_index=True),
        presence_total=total,
    )


def area_shares(seg: Segments, areas: PreparedAreas) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sparse (segment index, area-version index, share of length) with share > 0.

    Only the version valid on the segment's local date is considered.
    """
    if len(areas) == 0 or len(seg) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    shares = areas.index.shares(seg.x0, seg.y0, seg.x1, seg.y1, seg.length_m, seg.t0)
    return shares.segment, shares.version, shares.share


def area_presence(
    seg: Segments, areas: PreparedAreas, *, hour: np.ndarray, bridge_s: float = BRIDGE_S
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Presence per patrol × area version × hour, and visits per patrol × area.

    Visits are per area, not per version: a visit that runs past midnight into
    a new version of the same area stays one visit.
    """
    s, v, share = area_shares(seg, areas)
    area_ids, versions = areas.area_ids, areas.versions
    frame = pd.DataFrame(
        {
            "_p": seg.patrol[s],
            "_v": v,
            HOUR_UTC: hour[s],
            SECONDS: seg.duration_s[s] * share,
            METRES: seg.length_m[s] * share,
        }
    )
    presence = frame.groupby(["_p", "_v", HOUR_UTC], sort=True, as_index=False)[[SECONDS, METRES]].sum()
    v_rows = presence.pop("_v").to_numpy()
    presence.insert(0, PATROL_ID, seg.patrol_ids[presence.pop("_p").to_numpy()])
    presence.insert(1, AREA_ID, area_ids[v_rows])
    presence.insert(2, AREA_VERSION, versions[v_rows])

    area_codes, area_names = pd.factorize(area_ids)
    n_codes = max(len(area_names), 1)
    key = seg.patrol[s] * n_codes + area_codes[v] if len(v) else np.zeros(0, np.int64)
    visits = find_visits(key.astype(np.int64), seg.t0[s], seg.t1[s], bridge_s=bridge_s)
    key = visits["key"].to_numpy()
    visits_area = pd.DataFrame(
        {
            PATROL_ID: seg.patrol_ids[key // n_codes],
            AREA_ID: np.asarray(area_names, dtype=object)[key % n_codes],
            VISIT_START: visits["start"].to_numpy(),
            VISIT_END: visits["end"].to_numpy(),
        }
    )
    return presence, visits_area


def cell_presence(
    seg: Segments, res: int, *, hour: np.ndarray, bridge_s: float = BRIDGE_S
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Presence per patrol × H3 cell × hour at ``res``, and visits per patrol × cell."""
    pieces = split_by_cells(seg, res)
    s = pieces.segment
    cell_code, cells = pd.factorize(pieces.cell)
    pair = seg.patrol[s] * max(len(cells), 1) + cell_code  # one int64 per (patrol, cell)
    presence = _group_sum(
        pair, hour[s], seg.duration_s[s] * pieces.fraction, seg.length_m[s] * pieces.fraction
    )
    pair_out = presence.pop("_pair").to_numpy()
    presence.insert(0, PATROL_ID, seg.patrol_ids[pair_out // max(len(cells), 1)])
    presence.insert(1, RES, res)
    presence.insert(2, CELL, np.asarray(cells, dtype=np.uint64)[pair_out % max(len(cells), 1)].astype(np.int64))
    visits = find_visits(pair, seg.t0[s], seg.t1[s], bridge_s=bridge_s)
    key = visits["key"].to_numpy()
    visits_cell = pd.DataFrame(
        {
            PATROL_ID: seg.patrol_ids[key // max(len(cells), 1)],
            RES: res,
            CELL: np.asarray(cells, dtype=np.uint64)[key % max(len(cells), 1)].astype(np.int64),
            VISIT_START: visits["start"].to_numpy(),
            VISIT_END: visits["end"].to_numpy(),
        }
    )
    return presence, visits_cell


def _group_sum(pair: np.ndarray, hour: np.ndarray, seconds: np.ndarray, metres: np.ndarray) -> pd.DataFrame:
    """Sum seconds and metres per (pair, hour); pair and hour are int64 arrays.

    Packs both into one int64 key (hours relative to the earliest) and sums with
    bincount: far faster than a multi-key pandas groupby.
    """
    if len(pair) == 0:
        return pd.DataFrame({"_pair": np.zeros(0, np.int64), HOUR_UTC: np.zeros(0, np.int64),
                             SECONDS: np.zeros(0), METRES: np.zeros(0)})
    h0 = int(hour.min())
    hour_idx = (hour - h0) // 3600
    n_hours = int(hour_idx.max()) + 1
    key = pair * n_hours + hour_idx
    code, uniques = pd.factorize(key, sort=True)
    return pd.DataFrame(
        {
            "_pair": uniques // n_hours,
            HOUR_UTC: (uniques % n_hours) * 3600 + h0,
            SECONDS: np.bincount(code, weights=seconds),
            METRES: np.bincount(code, weights=metres),
        }
    )


def _sum_by(keys: dict[str, np.ndarray], seconds: np.ndarray, metres: np.ndarray, patrol_ids: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame({**keys, SECONDS: seconds, METRES: metres})
    out = frame.groupby(list(keys), sort=True, as_index=False)[[SECONDS, METRES]].sum()
    out[PATROL_ID] = patrol_ids[out[PATROL_ID].to_numpy()] if len(out) else out[PATROL_ID].astype(object)
    return out


def encounter_areas(encounters: pd.DataFrame, areas: gpd.GeoDataFrame) -> pd.DataFrame:
    """Which area versions each encounter lies in (or on the edge of).

    Only versions valid on the encounter's local date count. Overlapping areas
    each get the encounter. Returns columns ``encounter_id``, ``area_id``,
    ``version``; encounters outside every area have no row.
    """
    empty = pd.DataFrame({ENCOUNTER_ID: [], AREA_ID: [], AREA_VERSION: []})
    if encounters.empty or areas.empty:
        return empty
    points = shapely.points(encounters[LON].to_numpy(), encounters[LAT].to_numpy())
    tree = shapely.STRtree(areas.geometry.to_numpy())
    enc_idx, area_idx = tree.query(points, predicate="intersects")
    enc_day = local_days(pd.DatetimeIndex(encounters[TIME_UTC]).as_unit("s").asi8)
    valid_from = np.asarray([_day_number(d) for d in areas[VALID_FROM]])
    valid_to = np.asarray([_day_number(d, missing=_NO_END_DAY) for d in areas[VALID_TO]])
    d = enc_day[enc_idx]
    ok = (d >= valid_from[area_idx]) & (d < valid_to[area_idx])
    return pd.DataFrame(
        {
            ENCOUNTER_ID: encounters[ENCOUNTER_ID].to_numpy()[enc_idx[ok]],
            AREA_ID: areas[AREA_ID].to_numpy()[area_idx[ok]],
            AREA_VERSION: areas[AREA_VERSION].to_numpy()[area_idx[ok]].astype(np.int64),
        }
    )


def encounter_cells(encounters: pd.DataFrame, *, resolutions: tuple[int, ...] = RESOLUTIONS) -> dict[int, np.ndarray]:
    """H3 cell (int64) of each encounter at each resolution."""
    lon = encounters[LON].to_numpy(dtype=np.float64)
    lat = encounters[LAT].to_numpy(dtype=np.float64)
    return {res: cells_of(lon, lat, res).astype(np.int64) for res in resolutions}


def with_encounter_cells(encounters: pd.DataFrame) -> pd.DataFrame:
    """``encounters`` with their H3 cells (int64) in ``cell_9``, ``cell_10``, ``cell_11``
    (``geo.schema.ENCOUNTER_CELL_COLUMNS``), as the stores require."""
    cells = encounter_cells(encounters, resolutions=tuple(ENCOUNTER_CELL_COLUMNS))
    return encounters.assign(**{ENCOUNTER_CELL_COLUMNS[res]: values for res, values in cells.items()})


@dataclass(slots=True)
class PresenceTotals:
    """Presence summed over all patrols: per area version and per H3 cell.

    ``per_area``: area_id, version, seconds, metres. ``per_cell``: cell
    (int64 H3 index), seconds, metres. Seconds are patrol-seconds; metres are
    EPSG:25832 metres.
    """

    per_area: pd.DataFrame
    per_cell: pd.DataFrame


def presence_totals(
    track_points: pd.DataFrame,
    areas: PreparedAreas,
    *,
    res: int = 10,
    max_gap_s: float = MAX_GAP_S,
    max_speed_kmh: float = MAX_SPEED_KMH,
) -> PresenceTotals:
    """Total presence per area version and per H3 cell at ``res`` (no hour/visit detail).

    The same apportioning as :func:`compute_presence`, summed over everything;
    used by the benchmark and for whole-period totals.
    """
    n_versions = len(areas)
    points = SortedPoints.of(track_points)

    def chunk_totals(chunk: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        seg = points.segments(chunk, max_gap_s=max_gap_s, max_speed_kmh=max_speed_kmh)
        duration = seg.duration_s
        s, v, share = area_shares(seg, areas)
        pieces = split_by_cells(seg, res)
        cells, (cell_seconds, cell_metres) = sum_by_cell(
            pieces.cell, duration[pieces.segment] * pieces.fraction, seg.length_m[pieces.segment] * pieces.fraction
        )
        return (
            np.bincount(v, weights=duration[s] * share, minlength=n_versions),
            np.bincount(v, weights=seg.length_m[s] * share, minlength=n_versions),
            cells,
            cell_seconds,
            cell_metres,
        )

    parts = map_ordered(chunk_totals, range(len(points.chunks)))
    area_seconds = np.sum([p[0] for p in parts], axis=0) if parts else np.zeros(n_versions)
    area_metres = np.sum([p[1] for p in parts], axis=0) if parts else np.zeros(n_versions)
    cell_parts = [p[2:] for p in parts]
    per_area = pd.DataFrame(
        {AREA_ID: areas.area_ids, AREA_VERSION: areas.versions, SECONDS: area_seconds, METRES: area_metres}
    )
    cells = np.concatenate([c for c, _, _ in cell_parts]) if cell_parts else np.zeros(0, np.uint64)
    code, unique_cells = pd.factorize(cells)
    per_cell = pd.DataFrame(
        {
            CELL: np.asarray(unique_cells, dtype=np.uint64).astype(np.int64),
            SECONDS: np.bincount(code, weights=np.concatenate([p[1] for p in cell_parts])) if cell_parts else [],
            METRES: np.bincount(code, weights=np.concatenate([p[2] for p in cell_parts])) if cell_parts else [],
        }
    )
    return PresenceTotals(per_area=per_area, per_cell=per_cell)
