"""Keep the derived tables in step with the raw data (pre-aggregation at import).

- New track points → presence, visits and cell tables for those patrols.
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

import numpy as np
import pandas as pd

from geo.engine.area_cache import prepare_areas_cached
from geo.engine.cells import RESOLUTIONS
from geo.engine.presence import (
    PreparedAreas,
    PresenceTables,
    area_presence,
    compute_presence,
    encounter_areas,
)
from geo.engine.segments import build_segments
from geo.engine.threads import map_ordered
from geo.schema import (
    AREA_ID,
    AREA_VERSION,
    END_UTC,
    PATROL_FID,
    PATROL_ID,
    SERVICE_DAY,
    T_ENCOUNTER_AREAS,
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
from geo.timeutil import local_date

BATCH_PATROLS = 400
"""Patrols processed together; bounds memory (~0.5 GB at 1 Hz)."""


def refresh_patrols(store: Store, patrol_ids: list[str] | None = None, *, resolutions: tuple[int, ...] = RESOLUTIONS) -> None:
    """Recompute every presence table for ``patrol_ids`` (all patrols when None)."""
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


def refresh_areas(store: Store, area_ids: list[str]) -> None:
    """Recompute area presence and visits for ``area_ids`` over every patrol whose raw track points are kept.

    Patrols whose raw points retention deleted (:mod:`geo.retention`) keep their area
    aggregates untouched: they cannot be recomputed. Where the change concerns such a
    patrol's days (a version of one of ``area_ids`` added, or closed, on or before one of
    its local dates, logged after its points were deleted), the pair (patrol, area) is
    recorded as frozen (:meth:`Store.freeze_area_aggregates`): its figures are the ones
    computed with the area version of that time, not with the version now valid on its
    day, and :func:`geo.retention.aggregate_status` says so.
    """
    if not area_ids:
        return
    all_areas = store.areas()
    areas = prepare_areas_cached(all_areas[all_areas[AREA_ID].isin(area_ids)])
    if len(areas.indoor):  # indoor stays reach the cells and totals too, and depend on the other indoor areas
        refresh_patrols(store)  # every patrol whose raw points are kept; the others keep their aggregates
        with_raw = store.patrols_with_raw_points()
    else:
        presence_parts, visit_parts, with_raw = [], [], []
        for points in store.iter_track_points(batch_patrols=BATCH_PATROLS):
            seg = build_segments(points)
            presence, visits = area_presence(seg, areas, hour=seg.hour_utc)
            presence_parts.append(presence)
            visit_parts.append(visits)
            with_raw += pd.unique(points[PATROL_ID]).tolist()
        store.replace_derived(T_PRESENCE_AREA, _concat(presence_parts), area_ids=area_ids, patrol_ids=with_raw)
        store.replace_derived(T_VISITS_AREA, _concat(visit_parts), area_ids=area_ids, patrol_ids=with_raw)
    store.freeze_area_aggregates(frozen_by_change(store, area_ids, all_areas, with_raw=with_raw))
    refresh_encounter_areas(store)


def frozen_by_change(store: Store, area_ids: list[str], all_areas: pd.DataFrame, *,
                     with_raw: list[str]) -> pd.DataFrame:
    """(``patrol_id``, ``area_id``) pairs whose area aggregates a change of ``area_ids`` leaves frozen.

    A patrol without raw points (not in ``with_raw``) whose points were deleted at
    ``removed_utc`` is concerned by every entry of the area change log of one of
    ``area_ids`` logged at or after that time whose days meet the patrol's local days
    (its service day to the local date of its end): an added version concerns the days
    it is valid, a closed version every day from its new ``valid_to`` on. A patrol with
    aggregates but neither raw points nor a removal record (a store copied from one after
    retention) counts as removed before every change. Dates are Europe/Oslo local dates;
    times UTC.
    """
    removed = store.removed_raw_patrols()[[PATROL_ID, "removed_utc"]]
    unrecorded = sorted(patrols_with_aggregates(store) - set(with_raw) - set(removed[PATROL_ID]))
    removed = pd.concat([removed, pd.DataFrame({PATROL_ID: unrecorded, "removed_utc": pd.Timestamp.min.tz_localize("UTC")})],
                        ignore_index=True)
    removed = removed[~removed[PATROL_ID].isin(with_raw)]
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
