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
- Indoor stays (PRODUCT.md, Indoor stay; :mod:`geo.engine.indoor`) are added
  to every table: area presence and visits of the indoor area, the cells it
  covers, and the total. They need the gaps between fixes, so
  :func:`compute_presence` finds them from the track points and the prepared
  areas, which know which versions are indoor.
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
from geo.engine.indoor import (
    MAX_INDOOR_GAP_S,
    IndoorAreas,
    IndoorStays,
    area_pieces,
    cell_pieces,
    find_stays,
    prepare_indoor,
    split_by_hour,
)
from geo.engine.segments import (
    MAX_GAP_S,
    MAX_SPEED_KMH,
    Segments,
    SortedPoints,
    build_segments,
    build_segments_and_gaps,
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
    INDOOR,
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
    """Field-area versions ready for apportioning: ids, the lookup index and the indoor versions."""

    area_ids: np.ndarray  # object, one per version
    versions: np.ndarray  # int64, one per version
    index: AreaIndex  # polygons in EPSG:25832
    indoor: IndoorAreas  # the versions marked indoor, with the H3 cells they cover

    def __len__(self) -> int:
        return len(self.area_ids)


def prepare_areas(areas: gpd.GeoDataFrame) -> PreparedAreas:
    """Field-area versions (EPSG:4326 GeoDataFrame from the store) → PreparedAreas.

    A missing ``indoor`` column means no version is indoor.
    """
    projected = areas.to_crs(MEASURE_CRS) if len(areas) else areas
    polygons = list(projected.geometry) if len(areas) else []
    valid_from = local_midnights_utc(np.asarray([_day_number(d) for d in areas[VALID_FROM]], dtype=np.int64))
    valid_to = local_midnights_utc(
        np.asarray([_day_number(d, missing=_NO_END_DAY) for d in areas[VALID_TO]], dtype=np.int64))
    index = AreaIndex(polygons, valid_from, valid_to)  # validity in UTC seconds, compared with each segment's start
    indoor = indoor_flags(areas)
    return PreparedAreas(
        area_ids=np.asarray(areas[AREA_ID], dtype=object) if len(areas) else np.zeros(0, object),
        versions=np.asarray(areas[AREA_VERSION], dtype=np.int64) if len(areas) else np.zeros(0, np.int64),
        index=index,
        indoor=prepare_indoor(indoor, polygons, areas.geometry.to_numpy() if len(areas) else np.zeros(0, object),
                              index.valid_from, index.valid_to),
    )


def indoor_flags(areas: pd.DataFrame) -> np.ndarray:
    """``indoor`` of each area version as bools (False where the column is missing or empty)."""
    if INDOOR not in areas.columns:
        return np.zeros(len(areas), dtype=bool)
    return areas[INDOOR].fillna(False).astype(bool).to_numpy()


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
    max_indoor_gap_s: float = MAX_INDOOR_GAP_S,
    bridge_s: float = BRIDGE_S,
) -> PresenceTables:
    """All presence aggregates for the patrols in ``track_points``, indoor stays included.

    Every patrol's points must all be in ``track_points`` (visits, segments
    and gaps never span batches). ``max_indoor_gap_s`` is the longest gap at
    an indoor area that counts as a stay (``geo.engine.indoor``), seconds.
    """
    seg, stays = segments_and_stays(track_points, areas, max_gap_s=max_gap_s, max_speed_kmh=max_speed_kmh,
                                    max_indoor_gap_s=max_indoor_gap_s)
    hour = seg.hour_utc
    stay_hours = split_by_hour(stays.t0, stays.t1)
    total = _sum_by(
        {PATROL_ID: np.concatenate([seg.patrol, stays.patrol[stay_hours.stay]]),
         HOUR_UTC: np.concatenate([hour, stay_hours.hour_utc])},
        np.concatenate([seg.duration_s, stay_hours.seconds * stays.weight[stay_hours.stay]]),
        np.concatenate([seg.length_m, np.zeros(len(stay_hours.stay))]),
        seg.patrol_ids,
    )
    presence_area, visits_area = area_presence(seg, areas, hour=hour, bridge_s=bridge_s, stays=stays)
    cell_tables = [cell_presence(seg, res, hour=hour, bridge_s=bridge_s, stays=stays, indoor=areas.indoor)
                   for res in resolutions]
    return PresenceTables(
        presence_area=presence_area,
        visits_area=visits_area,
        presence_cell=pd.concat([c[0] for c in cell_tables], ignore_index=True),
        visits_cell=pd.concat([c[1] for c in cell_tables], ignore_index=True),
        presence_total=total,
    )


def segments_and_stays(
    track_points: pd.DataFrame,
    areas: PreparedAreas,
    *,
    max_gap_s: float = MAX_GAP_S,
    max_speed_kmh: float = MAX_SPEED_KMH,
    max_indoor_gap_s: float = MAX_INDOOR_GAP_S,
) -> tuple[Segments, IndoorStays]:
    """The presence segments of ``track_points`` and their indoor stays in ``areas``.

    Without indoor versions the gaps are not even looked for (no extra cost).
    """
    if len(areas.indoor) == 0:
        seg = build_segments(track_points, max_gap_s=max_gap_s, max_speed_kmh=max_speed_kmh)
        return seg, IndoorStays.none()
    seg, gaps = build_segments_and_gaps(track_points, max_gap_s=max_gap_s, max_speed_kmh=max_speed_kmh,
                                        longest_gap_s=max_indoor_gap_s)
    return seg, find_stays(gaps, areas.indoor, max_indoor_gap_s=max_indoor_gap_s)


def area_shares(seg: Segments, areas: PreparedAreas) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sparse (segment index, area-version index, share of length) with share > 0.

    Only the version valid on the segment's local date is considered.
    """
    if len(areas) == 0 or len(seg) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    shares = areas.index.shares(seg.x0, seg.y0, seg.x1, seg.y1, seg.length_m, seg.t0)
    return shares.segment, shares.version, shares.share


def area_presence(
    seg: Segments, areas: PreparedAreas, *, hour: np.ndarray, bridge_s: float = BRIDGE_S,
    stays: IndoorStays | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Presence per patrol × area version × hour, and visits per patrol × area.

    Visits are per area, not per version: a visit that runs past midnight into
    a new version of the same area stays one visit. ``stays`` (indoor stays in
    ``areas``' indoor versions) add their duration, no length, split by UTC
    hour, and join the area's visits as one piece each; areas overlapping
    the indoor area get their share (``geo.engine.indoor.area_pieces``).
    """
    s, v, share = area_shares(seg, areas)
    patrol, version, hours = seg.patrol[s], v, hour[s]
    seconds, metres = seg.duration_s[s] * share, seg.length_m[s] * share
    t0, t1 = seg.t0[s], seg.t1[s]
    if stays is not None and len(stays):
        extra = area_pieces(stays, areas.indoor, areas.index.valid_from, areas.index.valid_to)
        patrol, version = np.concatenate([patrol, extra.patrol]), np.concatenate([version, extra.version])
        hours, seconds = np.concatenate([hours, extra.hour_utc]), np.concatenate([seconds, extra.seconds])
        metres = np.concatenate([metres, np.zeros(len(extra.version))])
        t0, t1 = np.concatenate([t0, extra.t0]), np.concatenate([t1, extra.t1])
    area_ids, versions = areas.area_ids, areas.versions
    frame = pd.DataFrame({"_p": patrol, "_v": version, HOUR_UTC: hours, SECONDS: seconds, METRES: metres})
    presence = frame.groupby(["_p", "_v", HOUR_UTC], sort=True, as_index=False)[[SECONDS, METRES]].sum()
    v_rows = presence.pop("_v").to_numpy()
    presence.insert(0, PATROL_ID, seg.patrol_ids[presence.pop("_p").to_numpy()])
    presence.insert(1, AREA_ID, area_ids[v_rows])
    presence.insert(2, AREA_VERSION, versions[v_rows])

    area_codes, area_names = pd.factorize(area_ids)
    n_codes = max(len(area_names), 1)
    key = patrol * n_codes + area_codes[version] if len(version) else np.zeros(0, np.int64)
    visits = find_visits(key.astype(np.int64), t0, t1, bridge_s=bridge_s)
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
    seg: Segments, res: int, *, hour: np.ndarray, bridge_s: float = BRIDGE_S,
    stays: IndoorStays | None = None, indoor: IndoorAreas | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Presence per patrol × H3 cell × hour at ``res``, and visits per patrol × cell.

    ``stays`` in the versions of ``indoor`` add their duration (no length) to
    the cells their area covers, shared by surface.
    """
    pieces = split_by_cells(seg, res)
    s = pieces.segment
    patrol, cell, hours = seg.patrol[s], pieces.cell, hour[s]
    seconds, metres = seg.duration_s[s] * pieces.fraction, seg.length_m[s] * pieces.fraction
    t0, t1 = seg.t0[s], seg.t1[s]
    if stays is not None and len(stays):
        extra = cell_pieces(stays, indoor, res)
        patrol, cell = np.concatenate([patrol, extra.patrol]), np.concatenate([cell, extra.cell])
        hours, seconds = np.concatenate([hours, extra.hour_utc]), np.concatenate([seconds, extra.seconds])
        metres = np.concatenate([metres, np.zeros(len(extra.cell))])
        t0, t1 = np.concatenate([t0, extra.t0]), np.concatenate([t1, extra.t1])
    cell_code, cells = pd.factorize(cell)
    n_cells = max(len(cells), 1)
    pair = patrol * n_cells + cell_code  # one int64 per (patrol, cell)
    presence = _group_sum(pair, hours, seconds, metres)
    pair_out = presence.pop("_pair").to_numpy()
    cell_ids = np.asarray(cells, dtype=np.uint64)
    presence.insert(0, PATROL_ID, seg.patrol_ids[pair_out // n_cells])
    presence.insert(1, RES, res)
    presence.insert(2, CELL, cell_ids[pair_out % n_cells].astype(np.int64))
    visits = find_visits(pair, t0, t1, bridge_s=bridge_s)
    key = visits["key"].to_numpy()
    visits_cell = pd.DataFrame(
        {
            PATROL_ID: seg.patrol_ids[key // n_cells],
            RES: res,
            CELL: cell_ids[key % n_cells].astype(np.int64),
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
    max_indoor_gap_s: float = MAX_INDOOR_GAP_S,
) -> PresenceTotals:
    """Total presence per area version and per H3 cell at ``res`` (no hour/visit detail).

    The same apportioning as :func:`compute_presence`, indoor stays included,
    summed over everything; used by the benchmark and for whole-period totals.
    """
    n_versions = len(areas)
    points = SortedPoints.of(track_points)

    def chunk_totals(chunk: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if len(areas.indoor):
            seg, gaps = points.segments_and_gaps(chunk, max_gap_s=max_gap_s, max_speed_kmh=max_speed_kmh,
                                                 longest_gap_s=max_indoor_gap_s)
            stays = find_stays(gaps, areas.indoor, max_indoor_gap_s=max_indoor_gap_s)
        else:
            seg, stays = points.segments(chunk, max_gap_s=max_gap_s, max_speed_kmh=max_speed_kmh), IndoorStays.none()
        duration = seg.duration_s
        s, v, share = area_shares(seg, areas)
        pieces = split_by_cells(seg, res)
        cell, cell_seconds = pieces.cell, duration[pieces.segment] * pieces.fraction
        cell_metres = seg.length_m[pieces.segment] * pieces.fraction
        stay_areas = area_pieces(stays, areas.indoor, areas.index.valid_from, areas.index.valid_to)
        if len(stays):
            extra = cell_pieces(stays, areas.indoor, res)
            cell, cell_seconds = np.concatenate([cell, extra.cell]), np.concatenate([cell_seconds, extra.seconds])
            cell_metres = np.concatenate([cell_metres, np.zeros(len(extra.cell))])
        cells, (cell_seconds, cell_metres) = sum_by_cell(cell, cell_seconds, cell_metres)
        return (
            np.bincount(v, weights=duration[s] * share, minlength=n_versions)
            + np.bincount(stay_areas.version, weights=stay_areas.seconds, minlength=n_versions),
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
