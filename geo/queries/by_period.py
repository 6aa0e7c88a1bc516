"""When: coverage per calendar period, overall and per field area.

Presence and visits belong to the period of their patrol's **service day**,
encounters to the period of their own **local date** (PRODUCT.md, "Which date
counts"). Days are grouped in SQL and mapped to period labels here (one row
per day or per area and day comes back, never one per segment).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from geo.queries import aggregate_reads
from geo.queries.filters import Filters
from geo.queries.places import OUTSIDE_AREA_NAME, area_versions, latest_valid_between
from geo.schema import (
    AREA_ID,
    ENCOUNTERS,
    LOCAL_DATE,
    OUTSIDE_AREA_ID,
    PATROLS,
    PERIOD,
    PERSON_MINUTES,
    PRESENCE_KM,
    PRESENCE_MINUTES,
    SERVICE_DAY,
    T_PRESENCE_AREA,
    T_PRESENCE_TOTAL,
    T_VISITS_AREA,
    VISITS,
)
from geo.schema import AREA_NAME as AREA_NAME_FIELD
from geo.store.base import Store
from geo.timeutil import PERIOD_KINDS, period_label

AREA_NAME = "area_name"
DAY = "day"
MEASURES = (PRESENCE_MINUTES, PERSON_MINUTES, PRESENCE_KM, VISITS, ENCOUNTERS)


def presence_by_period(store: Store, filters: Filters, *, period: str) -> pd.DataFrame:
    """One row per ``period`` (``week``, ``month``, ``tertial``, ``quarter``, ``year``) with data.

    Columns: ``period``, ``patrols`` (patrols whose service day lies in it),
    ``presence_minutes`` (presence anywhere, patrol-minutes), ``person_minutes``,
    ``presence_km`` (EPSG:25832 km), ``visits`` (field-area visits) and
    ``encounters``; sorted by period.
    """
    _check_period(period)
    day = {DAY: f"p.{SERVICE_DAY}"}
    presence = aggregate_reads.presence(store, filters, table=T_PRESENCE_TOTAL, keys=day)
    visits = aggregate_reads.visits(store, filters, table=T_VISITS_AREA, keys=day)
    patrols = aggregate_reads.patrols_per_day(store, filters)
    encounters = aggregate_reads.encounters(store, filters, keys={DAY: f"e.{LOCAL_DATE}"})
    parts = [_by_period(frame, [], columns, period) for frame, columns in (
        (patrols, [PATROLS]), (presence, list(aggregate_reads.PRESENCE_MEASURES)), (visits, [VISITS]),
        (encounters, [ENCOUNTERS]))]
    table = _measures(pd.concat(parts, axis=1).reset_index())
    table[PATROLS] = table[PATROLS].fillna(0).astype(np.int64)
    return table.sort_values(PERIOD).reset_index(drop=True)[[PERIOD, PATROLS, *MEASURES]]


def presence_by_area_period(store: Store, filters: Filters, *, period: str) -> pd.DataFrame:
    """One row per field area and ``period`` with presence, a visit or an encounter, plus the
    ``__outside__`` rows (encounters in no area).

    Columns: ``area_id``, ``area_name`` (latest version), ``period``,
    ``presence_minutes``, ``person_minutes``, ``presence_km``, ``visits``,
    ``encounters`` (distinct encounters in the area); sorted by period then
    area, the outside rows last.
    """
    _check_period(period)
    keys = {AREA_ID: f"d.{AREA_ID}", DAY: f"p.{SERVICE_DAY}"}
    presence = aggregate_reads.presence(store, filters, table=T_PRESENCE_AREA, keys=keys)
    visits = aggregate_reads.visits(store, filters, table=T_VISITS_AREA,
                                    keys={AREA_ID: f"v.{AREA_ID}", DAY: f"p.{SERVICE_DAY}"})
    encounters = aggregate_reads.encounters(
        store, filters, keys={AREA_ID: f"COALESCE(ea.{AREA_ID}, '{OUTSIDE_AREA_ID}')", DAY: f"e.{LOCAL_DATE}"},
        in_areas=True)
    parts = [_by_period(frame, [AREA_ID], columns, period) for frame, columns in (
        (presence, list(aggregate_reads.PRESENCE_MEASURES)), (visits, [VISITS]), (encounters, [ENCOUNTERS]))]
    table = _measures(pd.concat(parts, axis=1).reset_index())
    versions = area_versions(store)
    names = latest_valid_between(versions, None, None).set_index(AREA_ID)[AREA_NAME_FIELD]
    table.insert(1, AREA_NAME, table[AREA_ID].map(names).astype(object).fillna(""))
    outside = table[AREA_ID] == OUTSIDE_AREA_ID
    table.loc[outside, AREA_NAME] = OUTSIDE_AREA_NAME
    table = table.assign(_outside=outside).sort_values(["_outside", PERIOD, AREA_ID]).drop(columns="_outside")
    return table.reset_index(drop=True)[[AREA_ID, AREA_NAME, PERIOD, *MEASURES]]


def _check_period(period: str) -> None:
    if period not in PERIOD_KINDS:
        raise ValueError(f"period must be one of {', '.join(PERIOD_KINDS)}; got {period!r}")


def _by_period(frame: pd.DataFrame, keys: list[str], columns: list[str], period: str) -> pd.DataFrame:
    """``columns`` of a per-day read summed per (``keys``, period of the day)."""
    if frame.empty:
        index = pd.MultiIndex.from_arrays([[]] * (len(keys) + 1), names=[*keys, PERIOD])
        return pd.DataFrame(columns=columns, index=index if keys else pd.Index([], name=PERIOD))
    days = pd.Series([dt.date.fromisoformat(str(d)[:10]) for d in frame[DAY].unique()])
    labels = dict(zip(frame[DAY].unique(), period_label(days, period)))
    return frame.assign(**{PERIOD: frame[DAY].map(labels)}).groupby([*keys, PERIOD])[columns].sum()


def _measures(table: pd.DataFrame) -> pd.DataFrame:
    """Presence in minutes and km from seconds and metres; zeros where a part had no row."""
    for column in (*aggregate_reads.PRESENCE_MEASURES, VISITS, ENCOUNTERS):
        if column not in table:
            table[column] = 0.0
        table[column] = pd.to_numeric(table[column]).astype(np.float64).fillna(0.0)
    table[PRESENCE_MINUTES] = table[aggregate_reads.SECONDS] / 60.0
    table[PERSON_MINUTES] = table[aggregate_reads.PERSON_SECONDS] / 60.0
    table[PRESENCE_KM] = table[aggregate_reads.METRES] / 1000.0
    table[VISITS] = table[VISITS].astype(np.int64)
    table[ENCOUNTERS] = table[ENCOUNTERS].astype(np.int64)
    return table
