"""Copy one store into another through the :class:`~geo.store.base.Store` interface
(e.g. a GeoPackage into PostGIS when a service moves to a shared deployment)."""

from __future__ import annotations

import pandas as pd

from geo.schema import AREA_ID, AREA_VERSION, DERIVED_TABLES, PATROL_ID, T_ENCOUNTER_AREAS
from geo.store.base import Store

COPY_BATCH_PATROLS = 500
"""Patrols whose track points travel together (bounds memory, like the engine's chunks)."""


def copy_store(source: Store, target: Store, *, changed_by: str | None = "copy") -> dict[str, int]:
    """Copy field-area versions, patrols, track points, encounters and every derived
    table from ``source`` into ``target`` in one transaction; returns ``target.counts()``.

    Area versions are added in version order, so their version numbers and validity
    match the source; the target's ``area_changes`` log records the copy
    (``changed_by``). Rows already in ``target`` are kept (the adds are idempotent);
    derived tables are replaced by the source's.

    Frozen area aggregates (:mod:`geo.retention`) stay frozen. Not copied: the source's
    logs (``imports``, ``area_changes``, ``export_log``, ``audit_log``,
    ``raw_points_removed``) and its area drafts, whose times the store interface cannot
    write back. Keep the source file as the record of them. (A patrol whose raw points
    retention deleted arrives with its aggregates and without raw points; a later area
    change treats it as frozen, see :func:`geo.engine.refresh.frozen_by_change`.)
    """
    areas = source.areas()
    areas = areas.sort_values([AREA_ID, AREA_VERSION], kind="stable")  # order of addition per area
    patrols = source.patrols()
    encounters = source.encounters()
    with target.transaction():
        if len(areas):
            target.add_area_versions(areas, changed_by=changed_by)
        target.add_patrols(patrols)
        for points in source.iter_track_points(batch_patrols=COPY_BATCH_PATROLS):
            target.add_track_points(points)
        target.add_encounters(encounters)
        for table in DERIVED_TABLES:
            frame = source.derived(table)
            if table == T_ENCOUNTER_AREAS:
                target.replace_derived(table, frame)
            else:
                target.replace_derived(table, frame, patrol_ids=sorted(pd.unique(patrols[PATROL_ID])))
        target.freeze_area_aggregates(source.frozen_area_aggregates()[[PATROL_ID, AREA_ID]])
    return target.counts()
