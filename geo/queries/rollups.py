"""Presence and visits per H3 cell from the stores' day and month rollups (``geo.store.rollups``).

Used by :func:`geo.queries.places.presence_by_cell` when no weekday or hour
filter is set (the rollups have no hours) and the store's rollups are
complete; otherwise the caller reads the detail tables. A period is split into
the whole months it covers (month rollups) and the days before and after them
(day rollups); team, kind and shift filter the rollup rows directly. The
result has the columns of :func:`geo.queries.aggregate_reads.presence` and
``visits`` and the same numbers, summed in another order (so equal to
floating-point rounding; visit counts exactly).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from geo.queries import aggregate_reads
from geo.queries.filters import Filters
from geo.schema import (
    CELL,
    METRES,
    RES,
    SECONDS,
    SERVICE_DAY,
    T_PRESENCE_CELL_DAY,
    T_PRESENCE_CELL_MONTH,
    T_VISITS_CELL_DAY,
    T_VISITS_CELL_MONTH,
)
from geo.store.base import Store

MONTH = "month"  # column of the month rollups: first day of the month (geo.store.rollups.MONTH)
PERSON_SECONDS = aggregate_reads.PERSON_SECONDS
VISITS = "visits"
LONG_VISITS = aggregate_reads.LONG_VISITS
LAST_SERVICE_DAY = aggregate_reads.LAST_SERVICE_DAY


def usable(store: Store, filters: Filters) -> bool:
    """Whether the rollups can answer ``filters`` on ``store``."""
    return not filters.has_clock_filter and store.rollups_complete()


def cell_presence_and_visits(store: Store, filters: Filters, *, res: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(presence per cell: cell, seconds, person_seconds, metres; visits per cell: cell, visits,
    long_visits, last_service_day) of the selected patrols, from the rollups."""
    months, days = split_period(filters.first_day, filters.last_day)
    patrol_sql, patrol_params = aggregate_reads.patrol_conditions(filters, days=False)  # on alias p
    parts_sql, parts_params = [], []

    def part(table: str, columns: str, when: str, ranges: list[tuple[dt.date | None, dt.date | None]]) -> None:
        for first, last in ranges:
            conditions, params = [f"p.{RES} = ?"], [res]
            if first is not None:
                conditions.append(f"p.{when} >= ?")
                params.append(first.isoformat())
            if last is not None:
                conditions.append(f"p.{when} <= ?")
                params.append(last.isoformat())
            parts_sql.append(f"SELECT {columns} FROM {table} p WHERE {' AND '.join(conditions + patrol_sql)}")
            parts_params.extend(params + patrol_params)

    measures = f"p.{CELL} AS {CELL}, p.{SECONDS} AS {SECONDS}, p.{PERSON_SECONDS} AS {PERSON_SECONDS}, " \
               f"p.{METRES} AS {METRES}"
    part(T_PRESENCE_CELL_MONTH, measures, MONTH, months)
    part(T_PRESENCE_CELL_DAY, measures, SERVICE_DAY, days)
    presence = _grouped(store, parts_sql, parts_params,
                        f"SUM({SECONDS}) AS {SECONDS}, SUM({PERSON_SECONDS}) AS {PERSON_SECONDS}, "
                        f"SUM({METRES}) AS {METRES}")
    parts_sql, parts_params = [], []
    part(T_VISITS_CELL_MONTH, f"p.{CELL} AS {CELL}, p.{VISITS} AS {VISITS}, p.{LONG_VISITS} AS {LONG_VISITS}, "
         f"p.{LAST_SERVICE_DAY} AS {LAST_SERVICE_DAY}", MONTH, months)
    part(T_VISITS_CELL_DAY, f"p.{CELL} AS {CELL}, p.{VISITS} AS {VISITS}, p.{LONG_VISITS} AS {LONG_VISITS}, "
         f"p.{SERVICE_DAY} AS {LAST_SERVICE_DAY}", SERVICE_DAY, days)
    visits = _grouped(store, parts_sql, parts_params,
                      f"SUM({VISITS}) AS {VISITS}, SUM({LONG_VISITS}) AS {LONG_VISITS}, "
                      f"MAX({LAST_SERVICE_DAY}) AS {LAST_SERVICE_DAY}")
    keys = {CELL: CELL}
    return (aggregate_reads._finish(presence, filters, keys, aggregate_reads.PRESENCE_MEASURES, hourly=False,
                                    by_hour=False),
            aggregate_reads._finish(visits, filters, keys, aggregate_reads.VISIT_MEASURES, hourly=False,
                                    by_hour=False))


def split_period(first: dt.date | None, last: dt.date | None) -> tuple[list[tuple], list[tuple]]:
    """([(first month, last month)] of the whole months in [first, last] (month = its first day),
    [(first day, last day), …] of the days outside them); None = open end."""
    month_from = None if first is None else (first if first.day == 1 else _next_month(first))
    month_to = None if last is None else (_month_of(last) if _next_month(last) - dt.timedelta(days=1) == last
                                          else _previous_month(_month_of(last)))
    if month_from is not None and month_to is not None and month_from > month_to:  # no whole month inside
        return [], [(first, last)]
    days = []
    if first is not None and month_from is not None and first < month_from:
        days.append((first, month_from - dt.timedelta(days=1)))
    if last is not None and month_to is not None and _next_month(month_to) <= last:
        days.append((_next_month(month_to), last))
    return [(month_from, month_to)], days


def _month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _previous_month(month: dt.date) -> dt.date:
    return dt.date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def _grouped(store: Store, parts: list[str], params: list, measures: str) -> pd.DataFrame:
    sql = f"SELECT {CELL}, {measures} FROM ({' UNION ALL '.join(parts)}) r GROUP BY {CELL}"
    return store.query(sql, tuple(params))
