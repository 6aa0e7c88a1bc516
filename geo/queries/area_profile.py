"""One field area's profile (issue 15, item 4): what the other pages show, for one area.

Every function takes the store, the selection's :class:`Filters` and an
``area_id`` and answers from the same reads as the pages they mirror, cut to
the area, so a figure here is the figure there:

- :func:`area_periods`: presence, visits and encounters per calendar period
  (:func:`geo.queries.by_period.presence_by_area_period`) with the rate where
  presence is enough (:mod:`geo.queries.rates`);
- :func:`area_time_of_week`: presence *in the area* and encounters *in the
  area* by local weekday × hour (:func:`geo.queries.trends.week_matrix`, the
  matrix of Tid på uka);
- :func:`area_categories`: the area's encounters per category;
- :func:`area_last_visit`: the latest visit, any time back
  (as :func:`geo.queries.places.areas_not_visited` finds it);
- :func:`area_cells`: the H3 cells the area covers with need against effort
  (:func:`geo.queries.trends.effort_vs_need` by cell; the rule is over all
  cells of the selection, so a cell flagged here is flagged on Innsats og behov).

Versions over time are :func:`geo.changes.history.area_timeline`'s rows. Every
answer has an ``area_id`` column, so the access check drops it for an area of
another team (``geo.access``: ``area_ids``). An id that is no stored area is
refused with :class:`ValueError`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import shapely

from geo.engine.cells import DEFAULT_RESOLUTION, cell_polygons, cells_from_hex
from geo.queries import aggregate_reads
from geo.queries.by_period import presence_by_area_period
from geo.queries.columns import (
    AREA_ID,
    AREA_NAME,
    CATEGORY,
    DAYS_SINCE_VISIT,
    ENCOUNTERS,
    ENCOUNTERS_PER_PRESENCE_HOUR,
    KEY,
    LAST_VISIT_DAY,
    PARTIAL,
    PERIOD,
    PRESENCE_MINUTES,
)
from geo.queries.filters import Filters
from geo.queries.periods import partial_periods
from geo.queries.places import _last_visit_days, _reference_day, area_versions
from geo.queries.rates import MIN_PRESENCE_HOURS, check_min_presence, encounter_rates
from geo.queries.trends import effort_vs_need, week_matrix
from geo.schema import AREA_NAME as AREA_NAME_FIELD
from geo.schema import AREA_VERSION, T_PRESENCE_AREA, Category
from geo.store.area_versions import valid_between
from geo.store.base import Store
from geo.timeutil import PERIOD_KINDS

SHARE = "share"
"""Share (0–1) of the area's encounters in a category."""


def area_periods(store: Store, filters: Filters, area_id: str, *, period: str,
                 min_presence_hours: float = MIN_PRESENCE_HOURS) -> pd.DataFrame:
    """The area's rows of :func:`~geo.queries.by_period.presence_by_area_period`, one per ``period``.

    Every calendar period touching the date range is a row (zeros where the
    area had nothing). Columns: ``area_id``, ``area_name``, ``period``,
    ``presence_minutes``, ``person_minutes``, ``presence_km``, ``visits``,
    ``encounters``, ``encounters_per_presence_hour`` (NaN below
    ``min_presence_hours``) and ``partial`` (the period is only partly in the
    range: not comparable with whole ones). Presence by service day,
    encounters by their local date.
    """
    name = _check_area(store, area_id)
    if period not in PERIOD_KINDS:
        raise ValueError(f"period must be one of {', '.join(PERIOD_KINDS)}; got {period!r}")
    rows = presence_by_area_period(store, filters, period=period)
    rows = rows[rows[AREA_ID] == area_id].set_index(PERIOD)
    if filters.first_day is not None and filters.last_day is not None:
        periods = partial_periods(filters.first_day, filters.last_day, period).set_index(PERIOD)
    else:
        periods = pd.DataFrame({PARTIAL: False}, index=rows.index)
    measures = [c for c in rows.columns if c not in (AREA_ID, AREA_NAME)]
    table = rows[measures].reindex(periods.index.union(rows.index)).fillna(0.0)
    for column in ("visits", ENCOUNTERS):
        table[column] = table[column].astype(np.int64)
    table[ENCOUNTERS_PER_PRESENCE_HOUR] = encounter_rates(
        table[ENCOUNTERS], table[PRESENCE_MINUTES] / 60.0, min_presence_hours=check_min_presence(min_presence_hours))[0]
    table[PARTIAL] = periods[PARTIAL].reindex(table.index).fillna(False).astype(bool)
    table.index.name = PERIOD
    table = table.reset_index()
    table.insert(0, AREA_NAME, name)
    table.insert(0, AREA_ID, area_id)
    return table.sort_values(PERIOD).reset_index(drop=True)


def area_time_of_week(store: Store, filters: Filters, area_id: str) -> pd.DataFrame:
    """Presence in the area and encounters in the area by local weekday × clock hour (168 rows).

    The columns of :func:`~geo.queries.trends.time_of_week` (shares of the
    area's own totals) plus ``area_id``. Presence is placed by the local clock
    hour of its UTC hour bucket, encounters by their local time.
    """
    _check_area(store, area_id)
    presence = aggregate_reads.presence(store, filters, table=T_PRESENCE_AREA, keys={},
                                        where=[f"d.{AREA_ID} = ?"], params=[area_id], by_hour=True)
    encounters = aggregate_reads.encounters(store, filters, keys={AREA_ID: f"ea.{AREA_ID}"}, in_areas=True,
                                            by_hour=True)
    table = week_matrix(presence, encounters[encounters[AREA_ID] == area_id])
    table.insert(0, AREA_ID, area_id)
    return table


def area_categories(store: Store, filters: Filters, area_id: str) -> pd.DataFrame:
    """The area's selected encounters per category, in :class:`~geo.schema.Category` order.

    Columns: ``area_id``, ``category``, ``encounters``, ``people`` and
    ``share`` (of the area's encounters; NaN when it has none). Every
    category is a row, zeros included.
    """
    _check_area(store, area_id)
    frame = aggregate_reads.encounters(store, filters, keys={AREA_ID: f"ea.{AREA_ID}", CATEGORY: f"e.{CATEGORY}"},
                                       in_areas=True)
    counts = frame[frame[AREA_ID] == area_id].set_index(CATEGORY)[[ENCOUNTERS, aggregate_reads.PEOPLE]]
    categories = [c.value for c in Category]
    table = counts.reindex(categories).fillna(0.0).astype(np.int64)
    total = table[ENCOUNTERS].sum()
    table[SHARE] = table[ENCOUNTERS] / total if total else np.nan
    table.index.name = CATEGORY
    table = table.reset_index()
    table.insert(0, AREA_ID, area_id)
    return table


def area_last_visit(store: Store, filters: Filters, area_id: str) -> pd.DataFrame:
    """The area's latest visit by the selected patrols on or before the reference day, any time back.

    One row: ``area_id``, ``last_visit_day`` (service day, ``datetime.date``;
    None when never visited) and ``days_since_visit`` (to ``filters.last_day``,
    or to the store's latest service day; nullable integer). ``first_day`` is
    not used; team, kind, shift and weekday/hour filters are.
    """
    _check_area(store, area_id)
    reference = _reference_day(store, filters)
    last = None
    if reference is not None:
        found = _last_visit_days(store, filters, reference, [area_id], days=1)
        last = found.get(area_id)
    since = (reference - last).days if isinstance(last, dt.date) and reference is not None else None
    return pd.DataFrame({AREA_ID: [area_id], LAST_VISIT_DAY: pd.Series([last], dtype=object),
                         DAYS_SINCE_VISIT: pd.Series([since], dtype="Int64")})


def area_cells(store: Store, filters: Filters, area_id: str, *, res: int = DEFAULT_RESOLUTION) -> pd.DataFrame:
    """The H3 cells at ``res`` that overlap the area, with need against effort; under-covered first.

    The rows of :func:`~geo.queries.trends.effort_vs_need` ``by="cell"``
    (``key`` = hex cell, ``encounters``, ``presence_hours``, the rate and its
    interval, ``minutes_per_encounter``, ``status``, ``under_covered``) whose
    hexagon intersects a version of the area valid on some day of the date
    range, plus ``area_id``. The flag rule is that of the whole selection, so
    a cell is flagged here exactly when it is on Innsats og behov. Sorted
    under-covered first, then by rate (highest first).
    """
    _check_area(store, area_id)
    cells = effort_vs_need(store, filters, by="cell", res=res)
    outline = _outline(store, area_id, filters.first_day, filters.last_day)
    if outline is None or cells.empty:
        inside = np.zeros(len(cells), dtype=bool)
    else:
        inside = shapely.intersects(cell_polygons(cells_from_hex(cells[KEY])), outline)
    table = cells[inside].copy()
    table.insert(0, AREA_ID, area_id)
    table = table.sort_values(["under_covered", ENCOUNTERS_PER_PRESENCE_HOUR, KEY], ascending=[False, False, True],
                              na_position="last", kind="stable")
    return table.reset_index(drop=True)


def _outline(store: Store, area_id: str, first: dt.date | None, last: dt.date | None):
    """The union (EPSG:4326) of the area's versions valid on some day of [first, last]; None without one."""
    versions = area_versions(store)
    mine = versions[versions[AREA_ID] == area_id]
    valid = set(mine.loc[valid_between(mine, first, last), AREA_VERSION])
    if not valid:
        return None
    areas = store.areas()
    shapes = areas[(areas[AREA_ID] == area_id) & areas[AREA_VERSION].isin(valid)].geometry.to_numpy()
    return shapely.union_all(shapes)


def _check_area(store: Store, area_id: object) -> str:
    """The latest name of the stored area ``area_id``; a clear error for anything else."""
    if not isinstance(area_id, str) or not area_id:
        raise ValueError(f"area_id must be the id of a stored field area (text); got {area_id!r}")
    versions = area_versions(store)
    names = versions.loc[versions[AREA_ID] == area_id, AREA_NAME_FIELD]
    if names.empty:
        raise ValueError(f"area_id {area_id!r} is not a stored field area; use an id from the area list")
    return str(names.iloc[-1])
