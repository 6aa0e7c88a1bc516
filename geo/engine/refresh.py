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
    PATROL_ID,
    T_ENCOUNTER_AREAS,
    T_PRESENCE_AREA,
    T_PRESENCE_CELL,
    T_PRESENCE_TOTAL,
    T_VISITS_AREA,
    T_VISITS_CELL,
)
from geo.store.base import Store

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
    """Recompute area presence and visits for ``area_ids`` over all patrols."""
    if not area_ids:
        return
    all_areas = store.areas()
    areas = prepare_areas_cached(all_areas[all_areas[AREA_ID].isin(area_ids)])
    if len(areas.indoor):  # indoor stays reach the cells and totals too, and depend on the other indoor areas
        refresh_patrols(store)
        refresh_encounter_areas(store)
        return
    presence_parts, visit_parts = [], []
    for points in store.iter_track_points(batch_patrols=BATCH_PATROLS):
        seg = build_segments(points)
        hour = seg.hour_utc
        presence, visits = area_presence(seg, areas, hour=hour)
        presence_parts.append(presence)
        visit_parts.append(visits)
    store.replace_derived(T_PRESENCE_AREA, _concat(presence_parts), area_ids=area_ids)
    store.replace_derived(T_VISITS_AREA, _concat(visit_parts), area_ids=area_ids)
    refresh_encounter_areas(store)


def refresh_encounter_areas(store: Store) -> None:
    """Recompute which area versions every encounter lies in."""
    store.replace_derived(T_ENCOUNTER_AREAS, encounter_areas(store.encounters(), store.areas()))


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
