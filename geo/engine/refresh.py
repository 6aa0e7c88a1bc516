"""Keep the derived tables in step with the raw data (pre-aggregation at import).

- New track points (:func:`add_track_points`) → presence, visits and cell
  tables for the patrols that gained points, computed from the points as read
  (file → engine → store; the points just written are never read back).
- Changed field areas → area presence and visits for those areas only
  (cells do not depend on areas), plus encounters-in-areas. When a changed
  area has an indoor version (now or before), every patrol's tables are
  recomputed: indoor stays reach cells and totals (``geo.engine.indoor``).
- New encounters or areas → encounters-in-areas recomputed (cheap: an STRtree
  query over all encounters).

Callers run these inside the same store transaction as the raw write, so the
aggregates are never stale.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import numpy as np
import pandas as pd
import shapely

from geo.engine.area_cache import prepare_areas_cached
from geo.engine.cells import RESOLUTIONS
from geo.engine.presence import (
    PreparedAreas,
    PresenceTables,
    area_presence,
    compute_presence,
    encounter_areas,
    indoor_flags,
    segments_and_stays,
    with_encounter_cells,
)
from geo.engine.threads import map_ordered
from geo.progress import ENCOUNTERS, PRESENCE, REFRESH, Progress, Tracker, no_progress
from geo.schema import (
    AREA_ID,
    AREA_VERSION,
    END_UTC,
    ENCOUNTER_ID,
    HOUR_UTC,
    LAT,
    LOCAL_DATE,
    LON,
    PATROL_FID,
    PATROL_ID,
    SERVICE_DAY,
    TIME_UTC,
    T_ENCOUNTER_AREAS,
    T_ENCOUNTERS,
    T_PATROLS,
    T_PRESENCE_AREA,
    T_PRESENCE_CELL,
    T_PRESENCE_TOTAL,
    T_VISITS_AREA,
    T_VISITS_CELL,
    VALID_FROM,
    VALID_TO,
)
from geo.store.base import Store
from geo.store.rows import in_pair_order
from geo.timeutil import local_date, local_midnights_utc

BATCH_PATROLS = 400
"""Patrols processed together; bounds memory (~0.5 GB at 1 Hz)."""

_IDS_PER_QUERY = 500
"""Ids per ``IN (…)`` lookup (SQLite allows at least 999 parameters)."""


def add_track_points(store: Store, points: pd.DataFrame, *, resolutions: tuple[int, ...] = RESOLUTIONS,
                     progress: Progress = no_progress) -> int:
    """Store the points of ``points`` not stored yet, and the presence of every patrol that gained some.

    The presence of a patrol is computed over *all* its points: those in
    ``points`` plus, for a patrol that already had points (an earlier file of
    the same patrol), the points stored before; a point already stored for the
    same patrol and millisecond is kept and the new one skipped, as the store
    skips it. Only the stored points of patrols in ``points`` are read, and
    none of the points this call writes. Patrols that gain no point keep their
    presence untouched. Call inside the import's transaction; the patrols must
    be stored first. Returns the number of points added. ``progress`` gets one
    step, ``presence``, once the new points are stored and before their presence
    is computed (task ``refresh``, one unit; :mod:`geo.progress`).
    """
    if points.empty:
        return 0
    points = _at_store_precision(points)
    patrol_ids = pd.unique(points[PATROL_ID]).tolist()  # hashed in C, one Python str per patrol
    earlier = _concat(list(store.iter_track_points(patrol_ids=patrol_ids, batch_patrols=BATCH_PATROLS)))
    is_new = _not_stored(earlier, points)
    new = points[is_new]
    added = store.add_track_points(new)
    if added == 0:
        return 0
    Tracker(progress, REFRESH, 1).stage(PRESENCE)
    gained = pd.unique(new[PATROL_ID])
    union = new if earlier.empty else pd.concat(
        [earlier[earlier[PATROL_ID].isin(list(gained))][_POINT_COLUMNS], new[_POINT_COLUMNS]], ignore_index=True)
    tables = compute_presence_batched(union, prepare_areas_cached(store.areas()), resolutions=resolutions)
    store_presence(store, tables, list(gained))
    return added


_POINT_COLUMNS = [PATROL_ID, TIME_UTC, LON, LAT]


def _at_store_precision(points: pd.DataFrame) -> pd.DataFrame:
    """``points`` with times cut to whole milliseconds (UTC), as both stores keep them."""
    times = pd.DatetimeIndex(points[TIME_UTC]).tz_convert("UTC")
    cut = times.as_unit("ms").as_unit(times.unit)
    if (cut == times).all():
        return points
    return points.assign(**{TIME_UTC: cut})


def _not_stored(earlier: pd.DataFrame, points: pd.DataFrame) -> np.ndarray:
    """True for each row of ``points`` whose (patrol, millisecond) is neither in ``earlier``
    nor in an earlier row of ``points``."""
    both = points if earlier.empty else pd.concat([earlier[[PATROL_ID, TIME_UTC]], points[[PATROL_ID, TIME_UTC]]],
                                                   ignore_index=True)
    codes, _ = pd.factorize(both[PATROL_ID])
    ms = pd.DatetimeIndex(both[TIME_UTC]).as_unit("ms").asi8
    if earlier.empty and in_pair_order(codes, ms):  # the readers' order: grouped by patrol, in time order
        repeat = np.r_[False, (codes[1:] == codes[:-1]) & (ms[1:] == ms[:-1])]
        return ~repeat
    order = np.lexsort((np.arange(len(codes)), ms, codes))  # stored rows first, then file order
    repeat = np.zeros(len(codes), dtype=bool)
    repeat[order[1:]] = (codes[order][1:] == codes[order][:-1]) & (ms[order][1:] == ms[order][:-1])
    return ~repeat[len(earlier):]


def refresh_patrols(store: Store, patrol_ids: list[str] | None = None, *, resolutions: tuple[int, ...] = RESOLUTIONS) -> None:
    """Recompute every presence table for ``patrol_ids`` (all patrols when None) from their stored points.

    The reference that :func:`add_track_points` must agree with (tests), and a
    way to rebuild the aggregates of a store; the import does not use it."""
    areas = prepare_areas_cached(store.areas())
    for points in store.iter_track_points(patrol_ids=patrol_ids, batch_patrols=BATCH_PATROLS):
        write_presence(store, points, areas, resolutions=resolutions)


def write_presence(store: Store, points: pd.DataFrame, areas: PreparedAreas, *, resolutions: tuple[int, ...] = RESOLUTIONS) -> None:
    """Compute and store all presence tables for the whole patrols in ``points``."""
    store_presence(store, compute_presence(points, areas, resolutions=resolutions), pd.unique(points[PATROL_ID]).tolist())


def store_presence(store: Store, tables: PresenceTables, patrol_ids: list[str]) -> None:
    """Replace the presence tables of ``patrol_ids`` with ``tables``."""
    store.replace_derived(T_PRESENCE_TOTAL, tables.presence_total, patrol_ids=patrol_ids)
    store.replace_derived(T_PRESENCE_AREA, tables.presence_area, patrol_ids=patrol_ids)
    store.replace_derived(T_VISITS_AREA, tables.visits_area, patrol_ids=patrol_ids)
    store.replace_derived(T_PRESENCE_CELL, tables.presence_cell, patrol_ids=patrol_ids)
    store.replace_derived(T_VISITS_CELL, tables.visits_cell, patrol_ids=patrol_ids)


def compute_presence_batched(points: pd.DataFrame, areas: PreparedAreas, *, resolutions: tuple[int, ...] = RESOLUTIONS) -> PresenceTables:
    """:func:`~geo.engine.presence.compute_presence` in batches of whole patrols (bounded memory).

    Batches run in threads (``geo.engine.threads``); results are concatenated in batch order.
    """
    codes, uniques = pd.factorize(points[PATROL_ID])
    parts = map_ordered(
        lambda first: compute_presence(points[(codes >= first) & (codes < first + BATCH_PATROLS)], areas,
                                       resolutions=resolutions),
        range(0, len(uniques), BATCH_PATROLS),
    )
    return PresenceTables(**{
        name: _concat([getattr(p, name) for p in parts]) for name in PresenceTables.__dataclass_fields__
    })


def refresh_areas(store: Store, area_ids: list[str], *, since: date | None = None,
                  progress: Progress = no_progress) -> None:
    """Recompute area presence and visits for ``area_ids`` over the patrols whose raw track points are kept.

    ``since``: the first local date whose presence the change can move (a new
    version valid from D, and the version it closes on D, change nothing
    before D). Then only patrols with presence on or after that date are
    recomputed (found in ``presence_total`` by the UTC hour of Oslo's midnight
    starting ``since``; a segment belongs to the local date of its start); the
    others keep their rows, which the change does not touch. None: every patrol.
    For each patrol recomputed, all of its rows for these areas are replaced.
    Points are read batch by batch while the previous batch is computed. When a
    changed area has an indoor version, every patrol's tables are recomputed
    (indoor stays reach cells and totals and depend on the other indoor areas);
    a changed street area that overlaps an indoor area is recomputed with the
    stays there, so it keeps its share of them (as at import).

    Patrols whose raw points retention deleted (:mod:`geo.retention`) keep their area
    aggregates untouched: they cannot be recomputed. Where the change concerns such a
    patrol's days (a version of one of ``area_ids`` added, or closed, on or before one of
    its local dates, logged after its points were deleted), the pair (patrol, area) is
    recorded as frozen (:meth:`Store.freeze_area_aggregates`): its figures are the ones
    computed with the area version of that time, not with the version now valid on its
    day, and :func:`geo.retention.aggregate_status` says so. With ``since``, a patrol
    without presence from that day on is never frozen by this change: its figures are
    the same under the old and the new versions.

    ``progress`` gets the two stages, ``presence`` (area presence, visits and
    frozen pairs) and ``encounters`` (encounters-in-areas), then ``done``
    (task ``refresh``; :mod:`geo.progress`).
    """
    tracker = Tracker(progress, REFRESH, 2)
    if not area_ids:
        tracker.finish()
        return
    tracker.stage(PRESENCE)
    all_areas = store.areas()
    changed = all_areas[all_areas[AREA_ID].isin(area_ids)]
    areas = prepare_areas_cached(changed)
    concerned = None if since is None else _patrols_with_presence_since(store, since)
    if len(areas.indoor):  # indoor stays reach the cells and totals too, and depend on the other indoor areas
        refresh_patrols(store)  # every patrol whose raw points are kept; the others keep their aggregates
        with_raw = store.patrols_with_raw_points()
    elif concerned is not None and not concerned:
        with_raw = []
    else:
        with_raw = _recompute_area_tables(store, _with_overlapping_indoor(changed, all_areas), area_ids, concerned)
    store.freeze_area_aggregates(frozen_by_change(store, area_ids, all_areas, with_raw=with_raw,
                                                  concerned=None if len(areas.indoor) else concerned))
    tracker.advance()
    tracker.stage(ENCOUNTERS)
    _refresh_encounter_areas_of(store, all_areas, area_ids, since)
    tracker.finish()


def _with_overlapping_indoor(changed: pd.DataFrame, all_areas: pd.DataFrame) -> PreparedAreas:
    """The versions of the changed (street) areas, plus every indoor version when one of them
    overlaps a changed version: an overlapping street area gets its share of the stays there
    (``geo.engine.indoor.area_pieces``), which are found with all indoor versions, as at import."""
    indoor = all_areas[indoor_flags(all_areas)]
    if len(indoor) and len(changed) and shapely.intersects(
            changed.geometry.to_numpy()[:, None], indoor.geometry.to_numpy()[None, :]).any():
        return prepare_areas_cached(pd.concat([changed, indoor]))
    return prepare_areas_cached(changed)


def _recompute_area_tables(store: Store, areas: PreparedAreas, area_ids: list[str],
                           patrol_ids: list[str] | None) -> list[str]:
    """Replace the area presence and visits of ``area_ids`` for ``patrol_ids`` (None: every patrol)
    that have raw points, computed from those points (with the indoor stays of ``areas``' indoor
    versions, if it has any); returns the patrols recomputed. Only rows of ``area_ids`` are written."""
    wanted = list(area_ids)

    def compute(points: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
        seg, stays = segments_and_stays(points, areas)
        presence, visits = area_presence(seg, areas, hour=seg.hour_utc, stays=stays)
        if len(areas.indoor):  # the indoor versions were only there for their stays
            presence, visits = presence[presence[AREA_ID].isin(wanted)], visits[visits[AREA_ID].isin(wanted)]
        return presence, visits, pd.unique(points[PATROL_ID]).tolist()

    parts = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="feltkart-areas") as pool:
        for points in store.iter_track_points(patrol_ids=patrol_ids, batch_patrols=BATCH_PATROLS):
            parts.append(pool.submit(compute, points))  # reading the next batch overlaps this one
        done = [part.result() for part in parts]
    with_raw = [patrol for _, _, ids in done for patrol in ids]
    store.replace_derived(T_PRESENCE_AREA, _concat([p for p, _, _ in done]), area_ids=area_ids, patrol_ids=with_raw)
    store.replace_derived(T_VISITS_AREA, _concat([v for _, v, _ in done]), area_ids=area_ids, patrol_ids=with_raw)
    return with_raw


def _refresh_encounter_areas_of(store: Store, all_areas, area_ids: list[str], since: date | None) -> None:
    """Which versions of ``area_ids`` each encounter lies in, for the encounters inside the
    bounding box of every version of those areas (and on or after ``since``): an encounter
    outside it can lie in none of them, and the other areas' rows do not change."""
    changed = all_areas[all_areas[AREA_ID].isin(area_ids)]
    x0, y0, x1, y1 = changed.total_bounds
    conditions, params = [f"{LON} >= ? AND {LON} <= ? AND {LAT} >= ? AND {LAT} <= ?"], [x0, x1, y0, y1]
    if since is not None:
        conditions.append(f"{LOCAL_DATE} >= ?")
        params.append(since.isoformat())
    near = store.query(f"SELECT {ENCOUNTER_ID}, {TIME_UTC}, {LON}, {LAT} FROM {T_ENCOUNTERS} "
                       f"WHERE {' AND '.join(conditions)}", tuple(params))
    near[TIME_UTC] = pd.to_datetime(near[TIME_UTC], utc=True, format="ISO8601")
    near[ENCOUNTER_ID] = near[ENCOUNTER_ID].astype(str)
    store.replace_derived(T_ENCOUNTER_AREAS, encounter_areas(near, changed), area_ids=area_ids,
                          encounter_ids=near[ENCOUNTER_ID].tolist())


def _patrols_with_presence_since(store: Store, since: date) -> list[str]:
    """Patrols with presence in a UTC hour at or after Oslo's midnight starting ``since``."""
    midnight = int(local_midnights_utc(np.array([(since - date(1970, 1, 1)).days]))[0])
    frame = store.query(
        f"SELECT DISTINCT p.{PATROL_ID} AS {PATROL_ID} FROM {T_PATROLS} p CROSS JOIN {T_PRESENCE_TOTAL} d "
        f"WHERE d.{PATROL_FID} = p.fid AND d.{HOUR_UTC} >= ?", (midnight,))
    return frame[PATROL_ID].astype(str).tolist()


def add_encounters(store: Store, encounters: pd.DataFrame) -> int:
    """Store the encounters not stored yet (by id), with their H3 cells, and the area versions
    the new ones lie in (``encounter_areas``), computed from the rows as read; returns rows added.

    Only the ids of the file are looked up in the store: the rest of the encounters keep their
    area rows (the field areas did not change), so the cost follows the file, not the history.
    An encounter already stored keeps its stored row and its area rows.
    """
    if encounters.empty:
        return 0
    encounters = with_encounter_cells(encounters)
    ids = encounters[ENCOUNTER_ID].astype(str)
    stored = _stored_encounter_ids(store, pd.unique(ids.to_numpy()).tolist())
    new = encounters[~ids.isin(stored).to_numpy() & ~ids.duplicated().to_numpy()]
    added = store.add_encounters(encounters)
    if len(new):
        store.replace_derived(T_ENCOUNTER_AREAS, encounter_areas(new, store.areas()),
                              encounter_ids=new[ENCOUNTER_ID].astype(str).tolist())
    return added


def _stored_encounter_ids(store: Store, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), _IDS_PER_QUERY):
        part = ids[start: start + _IDS_PER_QUERY]
        frame = store.query(f"SELECT {ENCOUNTER_ID} AS i FROM {T_ENCOUNTERS} WHERE {ENCOUNTER_ID} IN "
                            f"({', '.join('?' * len(part))})", tuple(part))
        found.update(frame["i"].astype(str))
    return found


def frozen_by_change(store: Store, area_ids: list[str], all_areas: pd.DataFrame, *,
                     with_raw: list[str], concerned: list[str] | None = None) -> pd.DataFrame:
    """(``patrol_id``, ``area_id``) pairs whose area aggregates a change of ``area_ids`` leaves frozen.

    A patrol without raw points (not in ``with_raw``) whose points were deleted at
    ``removed_utc`` is concerned by every entry of the area change log of one of
    ``area_ids`` logged at or after that time whose days meet the patrol's local days
    (its service day to the local date of its end): an added version concerns the days
    it is valid, a closed version every day from its new ``valid_to`` on. A patrol with
    aggregates but neither raw points nor a removal record (a store copied from one after
    retention) counts as removed before every change. ``concerned``: the only patrols the
    change can reach (those with presence from its first day, a subset of the patrols with
    aggregates); None: every patrol. Dates are Europe/Oslo local dates; times UTC.
    """
    removed = store.removed_raw_patrols()[[PATROL_ID, "removed_utc"]]
    with_aggregates = patrols_with_aggregates(store) if concerned is None else set(concerned)
    unrecorded = sorted(with_aggregates - set(with_raw) - set(removed[PATROL_ID]))
    removed = pd.concat([removed, pd.DataFrame({PATROL_ID: unrecorded, "removed_utc": pd.Timestamp.min.tz_localize("UTC")})],
                        ignore_index=True)
    removed = removed[~removed[PATROL_ID].isin(with_raw)]
    if concerned is not None:
        removed = removed[removed[PATROL_ID].isin(concerned)]
    changes = store.area_changes()
    changes = changes[changes[AREA_ID].isin(area_ids)]
    if removed.empty or changes.empty:
        return pd.DataFrame({PATROL_ID: pd.Series(dtype=object), AREA_ID: pd.Series(dtype=object)})
    first, last = _changed_days(changes, all_areas)
    patrols = store.patrols().set_index(PATROL_ID).reindex(removed[PATROL_ID])
    days_from = _ordinals(patrols[SERVICE_DAY])
    days_to = _ordinals(local_date(patrols[END_UTC]))
    after = changes["time_utc"].to_numpy()[None, :] >= removed["removed_utc"].to_numpy()[:, None]
    meets = (first[None, :] <= days_to[:, None]) & (last[None, :] >= days_from[:, None])
    patrol, change = np.nonzero(after & meets)
    pairs = pd.DataFrame({PATROL_ID: removed[PATROL_ID].to_numpy()[patrol],
                          AREA_ID: changes[AREA_ID].to_numpy()[change]})
    return pairs.drop_duplicates().reset_index(drop=True)


def patrols_with_aggregates(store: Store) -> set[str]:
    """Ids of the patrols with presence aggregates (rows in ``presence_total``)."""
    frame = store.query(f"SELECT DISTINCT p.{PATROL_ID} AS {PATROL_ID} FROM {T_PRESENCE_TOTAL} d "
                        f"JOIN {T_PATROLS} p ON p.fid = d.{PATROL_FID}")
    return set(frame[PATROL_ID]) if len(frame) else set()


def _changed_days(changes: pd.DataFrame, all_areas: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """First and last local day (ordinals, ±inf for open ends) each change log entry concerns."""
    versions = all_areas.set_index([AREA_ID, AREA_VERSION])
    keys = pd.MultiIndex.from_arrays([changes[AREA_ID], changes[AREA_VERSION]])
    valid_from = _ordinals(versions[VALID_FROM].reindex(keys), missing=-np.inf)  # a version gone: every day
    valid_to = _ordinals(versions[VALID_TO].reindex(keys), missing=np.inf)  # None: still valid
    added = (changes["change"] == "added").to_numpy()
    first = np.where(added, valid_from, valid_to)  # a closed version: from its new valid_to on
    last = np.where(added, valid_to - 1, np.inf)  # valid_to is exclusive
    return first, last


def _ordinals(days: pd.Series, *, missing: float = np.inf) -> np.ndarray:
    """Local dates (``datetime.date``) as day numbers since 1970-01-01 (float); None/NaN → ``missing``."""
    stamps = pd.to_datetime(pd.Series(days, dtype=object), errors="coerce")
    out = stamps.to_numpy(dtype="datetime64[D]").astype(np.int64).astype(np.float64)
    out[stamps.isna().to_numpy()] = missing
    return out


def refresh_encounter_areas(store: Store) -> None:
    """Recompute which area versions every encounter lies in."""
    store.replace_derived(T_ENCOUNTER_AREAS, encounter_areas(store.encounters(), store.areas()))


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
