"""The raw material of a situation picture: the preset's encounters, one row each.

Encounters are selected exactly as every dashboard query selects them
(:func:`geo.queries.aggregate_reads.encounters`: local date, categories, age groups,
team through the patrol); this module only adds the preset's field-area
restriction. These rows never leave the process: every number exported is
built from them and then passed through :mod:`geo.report.disclosure`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from geo.queries import aggregate_reads
from geo.queries.filters import Filters, local_clock
from geo.report.presets import Preset
from geo.schema import (
    AGE_GROUP,
    AREA_ID,
    CATEGORY,
    CELL,
    ENCOUNTER_ID,
    HOUR_UTC,
    LOCAL_DATE,
    OUTSIDE_AREA_ID,
    PATROL_ID,
    PEOPLE,
    T_PRESENCE_AREA,
    T_PRESENCE_TOTAL,
)
from geo.store.base import Store

NEW_CONTACTS = aggregate_reads.NEW_CONTACTS
HOURS = "hours"
PATROLS = "patrols"
WEEKDAY = "weekday"  # 0 = Monday, Europe/Oslo
HOUR = "hour"  # local clock hour 0–23


def preset_filters(preset: Preset, base: Filters) -> Filters:
    """``base`` (dates, team) narrowed to the preset's categories and age groups."""
    return replace(base, categories=preset.categories, age_groups=preset.age_groups)


def encounter_rows(store: Store, filters: Filters, preset: Preset, *, res: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The preset's encounters: ``(distinct, by_area)``.

    ``distinct`` has one row per encounter: ``encounter_id``, ``local_date``
    (ISO text), ``category``, ``age_group``, ``cell`` (H3 int at ``res``, or
    -1 when missing), ``people``, ``new_contacts`` (0/1), ``weekday`` and
    ``hour`` (local clock). ``by_area`` has one row per encounter and field
    area it lies in (``area_id``; ``__outside__`` for none), so overlapping
    areas each count it. With ``preset.areas`` only encounters in one of
    those areas are kept, and ``by_area`` only has those areas.
    """
    keys = {
        ENCOUNTER_ID: f"e.{ENCOUNTER_ID}",
        AREA_ID: f"COALESCE(ea.{AREA_ID}, '{OUTSIDE_AREA_ID}')",
        LOCAL_DATE: f"e.{LOCAL_DATE}",
        CATEGORY: f"e.{CATEGORY}",
        AGE_GROUP: f"e.{AGE_GROUP}",
        CELL: f"e.cell_{int(res)}",
    }
    rows = aggregate_reads.encounters(store, preset_filters(preset, filters), keys=keys, in_areas=True, by_hour=True)
    if preset.areas is not None:
        inside = rows[AREA_ID].isin(preset.areas)
        rows = rows[rows[ENCOUNTER_ID].isin(rows.loc[inside, ENCOUNTER_ID].unique())]
        by_area = rows[rows[AREA_ID].isin(preset.areas)]
    else:
        by_area = rows
    distinct = rows.drop_duplicates(ENCOUNTER_ID).copy()
    distinct[CELL] = pd.to_numeric(distinct[CELL], errors="coerce").fillna(-1).astype(np.int64)
    distinct[PEOPLE] = distinct[PEOPLE].astype(np.int64)
    distinct[NEW_CONTACTS] = distinct[NEW_CONTACTS].astype(np.int64)
    weekday, hour = local_clock(distinct[HOUR_UTC].to_numpy(np.int64))
    distinct[WEEKDAY] = weekday
    distinct[HOUR] = hour
    columns = [ENCOUNTER_ID, LOCAL_DATE, CATEGORY, AGE_GROUP, CELL, PEOPLE, NEW_CONTACTS, WEEKDAY, HOUR]
    return distinct[columns].reset_index(drop=True), by_area[[ENCOUNTER_ID, AREA_ID]].reset_index(drop=True)


def presence_with_patrols(store: Store, filters: Filters, *, by_area: bool) -> pd.DataFrame:
    """Presence hours and how many patrols they come from.

    ``by_area``: one row per field area with presence (``area_id``, ``hours``,
    ``patrols``); otherwise one row for presence anywhere (``hours``,
    ``patrols``). Hours are patrol-hours (PRODUCT.md, Presence); a patrol
    counts when it has any presence there in the period.
    """
    keys = {PATROL_ID: f"p.{PATROL_ID}"}
    if by_area:
        keys = {AREA_ID: f"d.{AREA_ID}", **keys}
    table = aggregate_reads.presence(store, filters, table=T_PRESENCE_AREA if by_area else T_PRESENCE_TOTAL, keys=keys)
    table = table[table[aggregate_reads.SECONDS] > 0]
    group = [AREA_ID] if by_area else []
    if not group:
        return pd.DataFrame({HOURS: [float(table[aggregate_reads.SECONDS].sum()) / 3600.0],
                             PATROLS: [int(table[PATROL_ID].nunique())]})
    out = table.groupby(group).agg(seconds=(aggregate_reads.SECONDS, "sum"), patrols=(PATROL_ID, "nunique"))
    return pd.DataFrame({AREA_ID: out.index, HOURS: out["seconds"].to_numpy() / 3600.0,
                         PATROLS: out["patrols"].to_numpy(np.int64)})
