"""Where: presence, visits and encounters per H3 cell and per field area.

Presence, visits and their dose come from the pre-aggregated tables for the
selected patrols (service day, team, kind, shift); encounters are selected by
their own local date and attributes. Weekday/hour filters use the local clock
time of each presence hour, visit start or encounter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.engine.cells import DEFAULT_RESOLUTION, cells_to_hex, check_resolution
from geo.queries import aggregate_reads, rollups
from geo.queries.columns import (
    AREA_NAME,
    DAYS_SINCE_VISIT,
    ENCOUNTERS,
    ENCOUNTERS_PER_PRESENCE_HOUR,
    PRESENCE_KM,
    LAST_VISIT_DAY,
    LONG_VISIT_SHARE,
    PRESENCE_MINUTES,
    PERSON_MINUTES,
    TEAM_COLUMN,
    TIME_LOCAL,
    VISITS,
)
from geo.queries.filters import Filters
from geo.queries.rates import MIN_PRESENCE_HOURS, check_min_presence, encounter_rates
from geo.schema import (
    AGE_GROUP,
    AREA_ID,
    AREA_TEAM,
    AREA_VERSION,
    CATEGORY,
    CELL,
    ENCOUNTER_ID,
    LAT,
    LOCAL_TZ,
    LON,
    NEW_CONTACT,
    OUTSIDE_AREA_ID,
    PATROL_ID,
    PEOPLE,
    RES,
    SERVICE_DAY,
    T_AREAS,
    T_ENCOUNTERS,
    T_PATROLS,
    T_PRESENCE_AREA,
    T_PRESENCE_CELL,
    T_VISITS_AREA,
    T_VISITS_CELL,
    TIME_UTC,
    VALID_FROM,
    VALID_TO,
)
from geo.schema import AREA_NAME as AREA_NAME_FIELD
from geo.store.area_versions import valid_between
from geo.store.base import Store

OUTSIDE_AREA_NAME = "Utenfor alle feltområder"
"""Name of the ``__outside__`` row (as in :mod:`geo.queries.summary`)."""

LOOKBACK_DAYS = 366
"""areas_not_visited first looks this many days back for each area's last visit."""

PRESENCE_COLUMNS = (PRESENCE_MINUTES, PERSON_MINUTES, PRESENCE_KM, VISITS, LONG_VISIT_SHARE, ENCOUNTERS)


def presence_by_cell(store: Store, filters: Filters, *, res: int = DEFAULT_RESOLUTION) -> pd.DataFrame:
    """Coverage per H3 cell at resolution ``res`` (9–11).

    One row per cell with presence, a visit or an encounter, sorted by cell.
    Columns: ``cell`` (H3 index, hex string), ``minutes`` (presence,
    patrol-minutes), ``person_minutes`` (× staff), ``km`` (presence length,
    EPSG:25832 km), ``visits``, ``long_visit_share`` (share of visits lasting
    10 min or more; NaN without visits), ``encounters``.
    """
    check_resolution(res)
    if rollups.usable(store, filters):  # day and month sums instead of every patrol × cell × hour
        presence, visits = rollups.cell_presence_and_visits(store, filters, res=res)
    else:
        cell_keys = {CELL: f"d.{CELL}"}
        presence = aggregate_reads.presence(store, filters, table=T_PRESENCE_CELL, keys=cell_keys,
                                   where=[f"d.{RES} = ?"], params=[res])
        visits = aggregate_reads.visits(store, filters, table=T_VISITS_CELL, keys={CELL: f"v.{CELL}"},
                               where=[f"v.{RES} = ?"], params=[res])
    encounters = _encounters_by_cell(store, filters, res)
    table = _combine(CELL, presence, visits, encounters)
    table[CELL] = hex_cells(table[CELL])
    return table.sort_values(CELL).reset_index(drop=True)[[CELL, *PRESENCE_COLUMNS]]


def presence_by_area(store: Store, filters: Filters, *, min_presence_hours: float = MIN_PRESENCE_HOURS) -> pd.DataFrame:
    """Coverage, dose and encounters per field area, plus the ``__outside__`` row.

    Rows: every area with a version valid on some day of the date range (with
    a team filter: owned by those teams), any other area with selected
    presence or encounters, and ``__outside__`` (encounters in
    no area; its presence and visit columns are 0), sorted by ``area_id`` with
    ``__outside__`` last. Columns: ``area_id``, ``area_name`` (of the latest version),
    ``minutes``, ``person_minutes``, ``km``, ``visits``, ``long_visit_share``,
    ``encounters`` (distinct encounters in the area), ``encounters_per_presence_hour``
    (encounters per hour of presence in the area; NaN below ``min_presence_hours``,
    default :data:`~geo.queries.rates.MIN_PRESENCE_HOURS`),
    ``last_visit_day`` (service day of the latest selected visit, a
    ``datetime.date`` or None) and ``days_since_visit`` (days from it to
    ``filters.last_day``, or to the latest service day in the store when
    ``last_day`` is None; nullable integer).
    """
    presence = aggregate_reads.presence(store, filters, table=T_PRESENCE_AREA, keys={AREA_ID: f"d.{AREA_ID}"})
    visits = aggregate_reads.visits(store, filters, table=T_VISITS_AREA, keys={AREA_ID: f"v.{AREA_ID}"})
    encounters = aggregate_reads.encounters(
        store, filters, keys={AREA_ID: f"COALESCE(ea.{AREA_ID}, '{OUTSIDE_AREA_ID}')"}, in_areas=True
    )
    areas = area_versions(store)
    listed = of_teams(latest_valid_between(areas, filters.first_day, filters.last_day), filters.teams)[AREA_ID].tolist()
    table = _combine(AREA_ID, presence, visits, encounters, listed=[*listed, OUTSIDE_AREA_ID])
    table.insert(1, AREA_NAME, table[AREA_ID].map(_latest_names(areas)).astype(object).fillna(""))
    table.loc[table[AREA_ID] == OUTSIDE_AREA_ID, AREA_NAME] = OUTSIDE_AREA_NAME
    table[ENCOUNTERS_PER_PRESENCE_HOUR] = encounter_rates(table[ENCOUNTERS], table[PRESENCE_MINUTES] / 60.0,
                                                          min_presence_hours=check_min_presence(min_presence_hours))[0]
    table[LAST_VISIT_DAY] = _dates(table[aggregate_reads.LAST_SERVICE_DAY])
    table[DAYS_SINCE_VISIT] = _days_since(table[LAST_VISIT_DAY], _reference_day(store, filters))
    table = _outside_last(table)
    return table[[AREA_ID, AREA_NAME, *PRESENCE_COLUMNS, ENCOUNTERS_PER_PRESENCE_HOUR, LAST_VISIT_DAY,
                  DAYS_SINCE_VISIT]]


def encounters_by_cell(store: Store, filters: Filters, *, res: int = DEFAULT_RESOLUTION) -> pd.DataFrame:
    """Selected encounters per H3 cell at ``res``: ``cell`` (hex), ``encounters``, ``people``.

    Only cells with at least one encounter; sorted by cell.
    """
    check_resolution(res)
    table = _encounters_by_cell(store, filters, res)
    table = table[table[ENCOUNTERS] > 0].copy()
    table[CELL] = hex_cells(table[CELL])
    table[ENCOUNTERS] = table[ENCOUNTERS].astype(np.int64)
    table[PEOPLE] = table[PEOPLE].astype(np.int64)
    return table.sort_values(CELL).reset_index(drop=True)[[CELL, ENCOUNTERS, PEOPLE]]


def encounter_points(store: Store, filters: Filters) -> pd.DataFrame:
    """Single encounters as points: **manager view only**, never for partners.

    Columns: ``encounter_id``, ``lon``, ``lat`` (EPSG:4326 degrees),
    ``time_local`` (Europe/Oslo, tz-aware), ``category``, ``age_group``,
    ``new_contact`` (bool); sorted by time.
    """
    conditions, params = aggregate_reads.encounter_conditions(filters)
    join = (f" JOIN {T_PATROLS} p ON p.{PATROL_ID} = e.{PATROL_ID}" if filters.has_patrol_filter else "")
    frame = store.query(
        f"SELECT e.{ENCOUNTER_ID} AS {ENCOUNTER_ID}, e.{LON} AS {LON}, e.{LAT} AS {LAT}, "
        f"e.{TIME_UTC} AS {TIME_UTC}, e.{CATEGORY} AS {CATEGORY}, e.{AGE_GROUP} AS {AGE_GROUP}, "
        f"e.{NEW_CONTACT} AS {NEW_CONTACT} FROM {T_ENCOUNTERS} e{join} "
        f"{'WHERE ' + ' AND '.join(conditions) if conditions else ''}",
        tuple(params),
    )
    seconds = aggregate_reads.epoch_s(frame[TIME_UTC])
    frame = frame[filters.clock_mask(np.floor(seconds / 3600.0).astype(np.int64) * 3600)].copy()
    times = pd.to_datetime(frame.pop(TIME_UTC), format="ISO8601", utc=True)
    frame.insert(3, TIME_LOCAL, times.dt.tz_convert(LOCAL_TZ))
    frame[NEW_CONTACT] = frame[NEW_CONTACT].astype(bool)
    frame[LON] = frame[LON].astype(np.float64)
    frame[LAT] = frame[LAT].astype(np.float64)
    return frame.sort_values([TIME_LOCAL, ENCOUNTER_ID]).reset_index(drop=True)


def areas_not_visited(store: Store, filters: Filters, *, days: int) -> pd.DataFrame:
    """Areas valid on the reference day with no selected visit in the ``days`` days up to it.

    The reference day is ``filters.last_day`` (or the latest service day in
    the store when None); the window is the ``days`` service days ending on
    it, inclusive (``days=7`` on a Sunday: Monday–Sunday). ``first_day`` is
    not used; team, kind, shift and weekday/hour filters are. With a team
    filter only areas owned by those teams are listed. Any visit counts,
    even passing through.

    Columns: ``area_id``, ``area_name``, ``team`` (owning team),
    ``last_visit_day`` (service day of the latest selected visit on or before
    the reference day, any time back; None if never) and ``days_since_visit``
    (nullable integer); never-visited areas first, then longest unvisited.
    """
    if isinstance(days, bool) or not isinstance(days, (int, np.integer)) or days < 1:
        raise ValueError(f"days must be a whole number of days, at least 1; got {days!r}")
    reference = _reference_day(store, filters)
    if reference is None:
        return pd.DataFrame({c: [] for c in (AREA_ID, AREA_NAME, TEAM_COLUMN, LAST_VISIT_DAY, DAYS_SINCE_VISIT)})
    window_start = reference - dt.timedelta(days=int(days) - 1)
    areas = of_teams(latest_valid_between(area_versions(store), reference, reference), filters.teams)
    last = _last_visit_days(store, filters, reference, areas[AREA_ID].tolist(), days=int(days))
    table = pd.DataFrame({
        AREA_ID: areas[AREA_ID].to_numpy(),
        AREA_NAME: areas[AREA_NAME_FIELD].to_numpy(),
        TEAM_COLUMN: areas[AREA_TEAM].to_numpy(),
    })
    table[LAST_VISIT_DAY] = table[AREA_ID].map(last).astype(object)
    table[LAST_VISIT_DAY] = table[LAST_VISIT_DAY].where(table[LAST_VISIT_DAY].notna(), None)
    visited = table[LAST_VISIT_DAY].map(lambda d: d is not None and d >= window_start).astype(bool)
    table = table[~visited].copy()
    table[DAYS_SINCE_VISIT] = _days_since(table[LAST_VISIT_DAY], reference)
    table["_never"] = table[LAST_VISIT_DAY].isna()
    table = table.sort_values(["_never", DAYS_SINCE_VISIT, AREA_ID], ascending=[False, False, True])
    return table.drop(columns="_never").reset_index(drop=True)


def area_geometries(store: Store, filters: Filters) -> gpd.GeoDataFrame:
    """Outlines to draw: per area valid on some day of the date range, its latest such version.

    GeoDataFrame in EPSG:4326 with ``area_id``, ``area_name``, ``team``
    (owning team), ``version`` and ``geometry``; sorted by ``area_id``. Only
    the date range and the teams of ``filters`` are used (with a team filter,
    only areas those teams own).
    """
    areas = store.areas()
    keep = of_teams(latest_valid_between(areas.drop(columns="geometry"), filters.first_day, filters.last_day),
                    filters.teams).index
    out = areas.loc[keep, [AREA_ID, AREA_NAME_FIELD, AREA_TEAM, AREA_VERSION, "geometry"]]
    out = out.rename(columns={AREA_NAME_FIELD: AREA_NAME, AREA_TEAM: TEAM_COLUMN})
    return out.sort_values(AREA_ID).reset_index(drop=True)


# --- helpers ---------------------------------------------------------------------------------
def _last_visit_days(store: Store, filters: Filters, reference: dt.date, area_ids: list[str], *,
                     days: int) -> pd.Series:
    """Service day (date) of the latest selected visit per area on or before ``reference``.

    Looks back :data:`LOOKBACK_DAYS` (at least ``days``) first, and over the
    whole history only for areas not visited in that time, so the usual
    answer scans one year of visits rather than all of them.
    """
    recent = max(days, LOOKBACK_DAYS)
    first = reference - dt.timedelta(days=recent - 1)
    found = aggregate_reads.visits(store, replace(filters, first_day=first, last_day=reference),
                          table=T_VISITS_AREA, keys={AREA_ID: f"v.{AREA_ID}"})
    missing = sorted(set(area_ids) - set(found[AREA_ID]))
    if missing:
        older = aggregate_reads.visits(store, replace(filters, first_day=None, last_day=first - dt.timedelta(days=1)),
                              table=T_VISITS_AREA, keys={AREA_ID: f"v.{AREA_ID}"},
                              where=[f"v.{AREA_ID} IN ({', '.join('?' * len(missing))})"], params=missing)
        found = pd.concat([found, older], ignore_index=True)
    return pd.Series(_dates(found[aggregate_reads.LAST_SERVICE_DAY]).to_numpy(), index=found[AREA_ID].to_numpy())


def _encounters_by_cell(store: Store, filters: Filters, res: int) -> pd.DataFrame:
    column = f"cell_{check_resolution(res)}"
    frame = aggregate_reads.encounters(store, filters, keys={CELL: f"e.{column}"})
    return frame[frame[CELL].notna()].astype({CELL: np.int64})


def _combine(key: str, presence: pd.DataFrame, visits: pd.DataFrame, encounters: pd.DataFrame,
             *, listed: list | None = None) -> pd.DataFrame:
    """Outer-join the three reads on ``key``; presence in minutes and km, zeros where missing."""
    parts = [
        presence.set_index(key)[list(aggregate_reads.PRESENCE_MEASURES)],
        visits.set_index(key)[[*aggregate_reads.VISIT_MEASURES, aggregate_reads.LAST_SERVICE_DAY]],
        encounters.set_index(key)[[ENCOUNTERS]],
    ]
    table = pd.concat(parts, axis=1, join="outer")
    if listed is not None:
        table = table.reindex(table.index.union(pd.Index(listed, dtype=object)))
    table.index.name = key
    table = table.reset_index()
    numeric = [*aggregate_reads.PRESENCE_MEASURES, *aggregate_reads.VISIT_MEASURES, ENCOUNTERS]
    table[numeric] = table[numeric].astype(np.float64).fillna(0.0)
    table[PRESENCE_MINUTES] = table[aggregate_reads.SECONDS] / 60.0
    table[PERSON_MINUTES] = table[aggregate_reads.PERSON_SECONDS] / 60.0
    table[PRESENCE_KM] = table[aggregate_reads.METRES] / 1000.0
    table[VISITS] = table[VISITS].astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        table[LONG_VISIT_SHARE] = np.where(table[VISITS] > 0, table[aggregate_reads.LONG_VISITS] / table[VISITS], np.nan)
    table[ENCOUNTERS] = table[ENCOUNTERS].astype(np.int64)
    return table


def hex_cells(cells: pd.Series) -> pd.Series:
    return pd.Series(cells_to_hex(cells), index=cells.index, dtype=object)


def area_versions(store: Store) -> pd.DataFrame:
    """Every field-area version without geometry: dates as ``datetime.date`` (valid_to None = open)."""
    frame = store.query(
        f"SELECT {AREA_ID}, {AREA_VERSION}, {AREA_NAME_FIELD}, {AREA_TEAM}, {VALID_FROM}, {VALID_TO} FROM {T_AREAS} "
        f"ORDER BY {AREA_ID}, {AREA_VERSION}"
    )
    frame[VALID_FROM] = [dt.date.fromisoformat(d) for d in frame[VALID_FROM]]
    frame[VALID_TO] = [dt.date.fromisoformat(d) if isinstance(d, str) and d else None for d in frame[VALID_TO]]
    return frame


def latest_valid_between(areas: pd.DataFrame, first: dt.date | None, last: dt.date | None) -> pd.DataFrame:
    """One row per area (its latest version) with a version valid on some day in [first, last]
    (:func:`geo.store.area_versions.valid_between`)."""
    return areas[valid_between(areas, first, last)].groupby(AREA_ID, as_index=False).tail(1)


def of_teams(areas: pd.DataFrame, teams: tuple[str, ...] | None) -> pd.DataFrame:
    """The rows of ``areas`` owned by one of ``teams`` (all rows when None; an area without a team is no team's)."""
    return areas if teams is None else areas[areas[AREA_TEAM].isin(teams)]


def _latest_names(areas: pd.DataFrame) -> pd.Series:
    latest = areas.groupby(AREA_ID).tail(1)
    return pd.Series(latest[AREA_NAME_FIELD].to_numpy(), index=latest[AREA_ID].to_numpy(), dtype=object)


def _reference_day(store: Store, filters: Filters) -> dt.date | None:
    """``filters.last_day``, or the latest service day in the store (None when empty)."""
    if filters.last_day is not None:
        return filters.last_day
    latest = store.query(f"SELECT MAX({SERVICE_DAY}) AS d FROM {T_PATROLS}")["d"].iloc[0]
    return dt.date.fromisoformat(latest) if isinstance(latest, str) else None


def _dates(text: pd.Series) -> pd.Series:
    return pd.Series([dt.date.fromisoformat(d) if isinstance(d, str) else None for d in text],
                     index=text.index, dtype=object)


def _days_since(days: pd.Series, reference: dt.date | None) -> pd.Series:
    values = [(reference - d).days if d is not None and reference is not None else None for d in days]
    return pd.Series(values, index=days.index, dtype="Int64")


def _outside_last(table: pd.DataFrame) -> pd.DataFrame:
    outside = table[AREA_ID] == OUTSIDE_AREA_ID
    order = np.lexsort((table[AREA_ID].to_numpy(dtype=str), outside.to_numpy()))
    return table.iloc[order].reset_index(drop=True)


__all__ = [
    "OUTSIDE_AREA_NAME", "area_geometries", "area_versions", "areas_not_visited", "encounter_points",
    "encounters_by_cell", "hex_cells", "latest_valid_between", "presence_by_area", "presence_by_cell",
]
