"""The three aggregate reads every query is built from: presence, visits, encounters.

Each pushes the date and patrol filters into SQL and groups by the caller's
keys in SQL, so only one row per key comes back. Patrols are written first as
``patrols p CROSS JOIN <derived> d WHERE d.patrol_fid = p.fid``: standard SQL
for an inner join, which SQLite reads as "loop over the (few) selected
patrols, look their rows up by the ``patrol_fid`` index" instead of scanning
the derived table when no date range narrows the patrols.

Weekday/hour filters (local clock time):

- presence and visits: in SQL (:func:`clock_conditions`): the UTC hour plus
  Oslo's offset (a CASE over the offset intervals of the tz database, whole
  hours) gives the local hour and weekday by integer arithmetic;
- encounters: grouped by UTC hour in SQL, then filtered in pandas
  (:meth:`Filters.clock_mask`); they are few, and their time is text.

SQL is kept to what SQLite and PostgreSQL share, with ``?`` placeholders (each
store translates them in its ``query``); the dialect-dependent expressions
are the named constants below, chosen by ``store.dialect`` (:func:`dialect_sql`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.engine.visits import DOSE_EDGES_S
from geo.queries.filters import Filters
from geo.schema import (
    AGE_GROUP,
    CATEGORY,
    ENCOUNTER_ID,
    ENCOUNTERS,
    END_UTC,
    HOUR_UTC,
    KIND,
    LOCAL_DATE,
    LOCAL_TZ,
    METRES,
    NEW_CONTACT,
    PATROL_FID,
    PATROL_ID,
    PEOPLE,
    SECONDS,
    SERVICE_DAY,
    SHIFT,
    STAFF,
    START_UTC,
    T_ENCOUNTER_AREAS,
    T_ENCOUNTERS,
    T_PATROLS,
    TEAM,
    TIME_UTC,
    VISIT_END,
    VISIT_START,
    VISITS,
)
from geo.store.base import POSTGRESQL, SQLITE, Store

LONG_VISIT_S = DOSE_EDGES_S[1]
"""A visit of at least this many seconds (10 min) is in the long dose band."""

PATROL_KEY = "fid"
"""Integer key of ``patrols`` that derived tables reference as ``patrol_fid``."""

HOUR_OF_VISIT_SQL = {
    SQLITE: "CAST(v.{col} / 3600 AS INTEGER)",
    POSTGRESQL: "CAST(FLOOR(v.{col} / 3600) AS BIGINT)",
}
"""UTC hour number of a visit's start (epoch seconds > 0), per store dialect.
SQLite truncates on CAST; PostgreSQL rounds, hence ``FLOOR``."""

HOUR_OF_TIME_SQL = {
    SQLITE: "substr(e.{col}, 1, 13)",
    POSTGRESQL: "to_char(e.{col} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24')",
}
"""A UTC time cut to the hour as ISO text (``2024-06-07T20``), per store dialect:
SQLite stores ISO text, PostgreSQL ``timestamptz``."""

MONTH_OF_DAY_SQL = {
    SQLITE: "substr({col}, 1, 7) || '-01'",
    POSTGRESQL: "to_char({col}, 'YYYY-MM') || '-01'",
}
"""First day of a local date's month as ISO text (``2024-06-01``), per store dialect:
SQLite stores dates as ISO text, PostgreSQL as ``date``."""


def dialect_sql(store: Store, expressions: dict[str, str], **names: str) -> str:
    """The expression for ``store.dialect`` from ``expressions`` (e.g. :data:`HOUR_OF_TIME_SQL`),
    with ``{col}`` and other names filled in."""
    try:
        template = expressions[store.dialect]
    except KeyError:
        raise ValueError(f"store dialect must be one of {', '.join(expressions)}; got {store.dialect!r}") from None
    return template.format(**names)

PERSON_SECONDS = "person_seconds"
LONG_VISITS = "long_visits"
LAST_SERVICE_DAY = "last_service_day"
NEW_CONTACTS = "new_contacts"

PRESENCE_MEASURES = (SECONDS, PERSON_SECONDS, METRES)
VISIT_MEASURES = (VISITS, LONG_VISITS)
ENCOUNTER_MEASURES = (ENCOUNTERS, PEOPLE, NEW_CONTACTS)

Keys = dict[str, str]
"""Grouping keys: output column name → SQL expression."""


# --- WHERE builders -----------------------------------------------------------------
def _in(expr: str, values: Sequence) -> tuple[str, list]:
    if not values:
        return "1 = 0", []
    return f"{expr} IN ({', '.join('?' * len(values))})", list(values)


def patrol_conditions(filters: Filters, *, days: bool = True) -> tuple[list[str], list]:
    """WHERE conditions on ``patrols p``: service-day range (if ``days``), team, kind, shift."""
    conditions: list[str] = []
    params: list = []
    if days and filters.first_day is not None:
        conditions.append(f"p.{SERVICE_DAY} >= ?")
        params.append(filters.first_day.isoformat())
    if days and filters.last_day is not None:
        conditions.append(f"p.{SERVICE_DAY} <= ?")
        params.append(filters.last_day.isoformat())
    for column, values in ((TEAM, filters.teams), (KIND, filters.kinds), (SHIFT, filters.shifts)):
        if values is not None:
            sql, more = _in(f"p.{column}", values)
            conditions.append(sql)
            params += more
    return conditions, params


def encounter_conditions(filters: Filters) -> tuple[list[str], list]:
    """WHERE conditions on ``encounters e`` (and ``patrols p`` when patrol filters are set)."""
    conditions: list[str] = []
    params: list = []
    if filters.first_day is not None:
        conditions.append(f"e.{LOCAL_DATE} >= ?")
        params.append(filters.first_day.isoformat())
    if filters.last_day is not None:
        conditions.append(f"e.{LOCAL_DATE} <= ?")
        params.append(filters.last_day.isoformat())
    for column, values in ((CATEGORY, filters.categories), (AGE_GROUP, filters.age_groups)):
        if values is not None:
            sql, more = _in(f"e.{column}", values)
            conditions.append(sql)
            params += more
    if filters.new_contact is not None:
        conditions.append(f"e.{NEW_CONTACT} = ?")
        params.append(bool(filters.new_contact))
    more_conditions, more = patrol_conditions(filters, days=False)
    return conditions + more_conditions, params + more


def _where(conditions: Sequence[str]) -> str:
    return f"WHERE {' AND '.join(conditions)}" if conditions else ""


def _select(keys: Keys) -> str:
    return "".join(f"{sql} AS {name}, " for name, sql in keys.items())


def _group(keys: Keys) -> str:
    return f"GROUP BY {', '.join(keys.values())}" if keys else ""


def _finish(frame: pd.DataFrame, filters: Filters, keys: Keys, measures: Sequence[str], *,
            hourly: bool, by_hour: bool) -> pd.DataFrame:
    """Apply the clock filter to an hourly result and re-aggregate over hours if asked."""
    for m in measures:
        frame[m] = pd.to_numeric(frame[m]).astype(np.float64).fillna(0.0)
    if hourly:
        frame[HOUR_UTC] = frame[HOUR_UTC].astype(np.int64)
        frame = frame[filters.clock_mask(frame[HOUR_UTC].to_numpy())]
    if hourly and not by_hour:
        if keys:
            frame = frame.groupby(list(keys), as_index=False, sort=False)[list(measures)].sum()
        else:
            frame = frame[list(measures)].sum().to_frame().T.astype(np.float64)
    return frame.reset_index(drop=True)


# --- weekday/hour filters in SQL --------------------------------------------------------------
EPOCH_WEEKDAY = 3
"""Weekday of 1970-01-01 (Thursday; 0 = Monday)."""

_FAR_FUTURE_S = 2**40


def clock_conditions(store: Store, filters: Filters, utc_hour_expr: str) -> list[str]:
    """SQL conditions keeping rows whose UTC hour start (``utc_hour_expr``, integer
    epoch seconds) falls in the selected local weekdays and clock hours.

    Local time is UTC plus Oslo's offset, written as a CASE over the offset
    intervals (from the tz database) spanning the selected patrols' service
    days; the local weekday and hour then follow by integer arithmetic, so
    the filter runs inside the database and only the grouped rows come back.
    """
    if not filters.has_clock_filter:
        return []
    span = _patrol_span_s(store, filters)
    if span is None:
        return []
    local = f"({utc_hour_expr} + {_offset_sql(utc_hour_expr, *span)})"
    conditions = []
    hours = np.flatnonzero(filters.hours())
    if len(hours) < len(filters.hours()):
        conditions.append(_in_literal(f"(({local} / 3600) % 24)", hours))
    if filters.weekdays is not None:
        conditions.append(_in_literal(f"(({local} / 86400 + {EPOCH_WEEKDAY}) % 7)", sorted(filters.weekdays)))
    return conditions


def offset_intervals(first_s: int, last_s: int) -> list[tuple[int, int, int]]:
    """Europe/Oslo UTC offsets as ``(start_s, end_s, offset_s)`` intervals covering
    [first_s, last_s]; the first and last intervals are open-ended."""
    hours = np.arange(first_s // 3600, last_s // 3600 + 2, dtype=np.int64) * 3600
    utc = pd.DatetimeIndex(pd.to_datetime(hours, unit="s", utc=True))
    offset = np.asarray((utc.tz_convert(LOCAL_TZ).tz_localize(None) - utc.tz_localize(None)).total_seconds(),
                        dtype=np.int64)
    if np.any(offset % 3600):
        raise ValueError(f"{LOCAL_TZ} has an offset that is not a whole hour in this range")
    change = np.flatnonzero(np.diff(offset)) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(hours)]])
    out = [(int(hours[a]), int(hours[b]) if b < len(hours) else _FAR_FUTURE_S, int(offset[a]))
           for a, b in zip(starts, ends)]
    out[0] = (0, *out[0][1:])
    return out


def _offset_sql(expr: str, first_s: int, last_s: int) -> str:
    intervals = offset_intervals(first_s, last_s)
    offsets = [o for _, _, o in intervals]
    base = max(set(offsets), key=offsets.count)
    cases = " ".join(f"WHEN {expr} >= {a} AND {expr} < {b} THEN {o}" for a, b, o in intervals if o != base)
    return f"CASE {cases} ELSE {base} END" if cases else str(base)


def _in_literal(expr: str, values: Sequence[int]) -> str:
    if len(values) == 0:
        return "1 = 0"
    return f"{expr} IN ({', '.join(str(int(v)) for v in values)})"


def _patrol_span_s(store: Store, filters: Filters) -> tuple[int, int] | None:
    """Epoch seconds from a day before the first to three days after the last
    selected service day (wide enough for night patrols and any offset)."""
    first, last = filters.first_day, filters.last_day
    if first is None or last is None:
        row = store.query(f"SELECT MIN({SERVICE_DAY}) AS lo, MAX({SERVICE_DAY}) AS hi FROM {T_PATROLS}").iloc[0]
        if not isinstance(row["lo"], str):
            return None
        first = first or dt.date.fromisoformat(row["lo"])
        last = last or dt.date.fromisoformat(row["hi"])
    first, last = min(first, last), max(first, last)  # an empty range still needs a valid span
    day = 86400
    return (int(pd.Timestamp(first).timestamp()) - day, int(pd.Timestamp(last).timestamp()) + 3 * day)


# --- reads --------------------------------------------------------------------------------------
def presence(store: Store, filters: Filters, *, table: str, keys: Keys, where: Sequence[str] = (),
             params: Sequence = (), by_hour: bool = False) -> pd.DataFrame:
    """Presence of the selected patrols in ``table`` (alias ``d``) summed per ``keys``.

    Returns the key columns, ``hour_utc`` (epoch s, only if ``by_hour``),
    ``seconds`` (patrol-seconds), ``person_seconds`` (× staff) and ``metres``
    (EPSG:25832). Weekday/hour filters apply to the local clock hour of each
    UTC hour bucket: in SQL (:func:`clock_conditions`), or on the hourly rows
    when ``by_hour``.
    """
    group = {**keys, HOUR_UTC: f"d.{HOUR_UTC}"} if by_hour else dict(keys)
    conditions, patrol_params = patrol_conditions(filters)
    if not by_hour:
        conditions += clock_conditions(store, filters, f"d.{HOUR_UTC}")
    sql = (
        f"SELECT {_select(group)}SUM(d.{SECONDS}) AS {SECONDS}, "
        f"SUM(d.{SECONDS} * p.{STAFF}) AS {PERSON_SECONDS}, SUM(d.{METRES}) AS {METRES} "
        f"FROM {T_PATROLS} p CROSS JOIN {table} d "
        f"{_where([f'd.{PATROL_FID} = p.{PATROL_KEY}', *where, *conditions])} {_group(group)}"
    )
    frame = store.query(sql, (*params, *patrol_params))
    return _finish(frame, filters, keys, PRESENCE_MEASURES, hourly=by_hour, by_hour=by_hour)


def visits(store: Store, filters: Filters, *, table: str, keys: Keys, where: Sequence[str] = (),
           params: Sequence = ()) -> pd.DataFrame:
    """Visits of the selected patrols in ``table`` (alias ``v``) counted per ``keys``.

    Returns the key columns, ``visits``, ``long_visits`` (lasting at least
    :data:`LONG_VISIT_S`) and ``last_service_day`` (ISO text of the latest
    service day with a visit). Weekday/hour filters apply, in SQL, to the
    local time of each visit's start.
    """
    conditions, patrol_params = patrol_conditions(filters)
    conditions += clock_conditions(store, filters, f"({dialect_sql(store, HOUR_OF_VISIT_SQL, col=VISIT_START)} * 3600)")
    sql = (
        f"SELECT {_select(keys)}COUNT(*) AS {VISITS}, "
        f"SUM(CASE WHEN v.{VISIT_END} - v.{VISIT_START} >= {LONG_VISIT_S:.1f} THEN 1 ELSE 0 END) AS {LONG_VISITS}, "
        f"MAX(p.{SERVICE_DAY}) AS {LAST_SERVICE_DAY} "
        f"FROM {T_PATROLS} p CROSS JOIN {table} v "
        f"{_where([f'v.{PATROL_FID} = p.{PATROL_KEY}', *where, *conditions])} {_group(keys)}"
    )
    frame = store.query(sql, (*params, *patrol_params))
    return _finish(frame, filters, keys, VISIT_MEASURES, hourly=False, by_hour=False)


def encounters(store: Store, filters: Filters, *, keys: Keys, in_areas: bool = False,
               by_hour: bool = False) -> pd.DataFrame:
    """Selected encounters (alias ``e``) counted per ``keys``.

    With ``in_areas`` the encounter-area pairs are joined as ``ea`` (left
    join: ``ea.area_id`` is NULL outside every area). Returns the key
    columns, ``hour_utc`` (only if ``by_hour``), ``encounters`` (distinct
    encounters), ``people`` (people met) and ``new_contacts``. Weekday/hour
    filters apply to each encounter's local time.
    """
    hourly = by_hour or filters.has_clock_filter
    group = {**keys, "_hour": dialect_sql(store, HOUR_OF_TIME_SQL, col=TIME_UTC)} if hourly else dict(keys)
    conditions, params = encounter_conditions(filters)
    joins = ""
    if filters.has_patrol_filter:
        joins += f" JOIN {T_PATROLS} p ON p.{PATROL_ID} = e.{PATROL_ID}"
    count = "COUNT(*)"  # encounter_id is unique in encounters
    if in_areas:
        joins += f" LEFT JOIN {T_ENCOUNTER_AREAS} ea ON ea.{ENCOUNTER_ID} = e.{ENCOUNTER_ID}"
        count = f"COUNT(DISTINCT e.{ENCOUNTER_ID})"  # in case a pair were stored twice
    sql = (
        f"SELECT {_select(group)}{count} AS {ENCOUNTERS}, "
        f"SUM(e.{PEOPLE}) AS {PEOPLE}, SUM(CASE WHEN e.{NEW_CONTACT} THEN 1 ELSE 0 END) AS {NEW_CONTACTS} "
        f"FROM {T_ENCOUNTERS} e{joins} {_where(conditions)} {_group(group)}"
    )
    frame = store.query(sql, tuple(params))
    if hourly:
        text = frame.pop("_hour")
        frame[HOUR_UTC] = epoch_s(text).astype(np.int64)
    return _finish(frame, filters, keys, ENCOUNTER_MEASURES, hourly=hourly, by_hour=by_hour)


def patrols_per_day(store: Store, filters: Filters) -> pd.DataFrame:
    """Selected patrols counted per service day: ``day`` (ISO text) and ``patrols``.

    Weekday/hour filters do not apply (a patrol is counted on its service day)."""
    conditions, params = patrol_conditions(filters)
    frame = store.query(
        f"SELECT p.{SERVICE_DAY} AS day, COUNT(*) AS patrols FROM {T_PATROLS} p {_where(conditions)} "
        f"GROUP BY p.{SERVICE_DAY}",
        tuple(params),
    )
    frame["patrols"] = frame["patrols"].astype(np.int64)
    return frame


def patrol_times(store: Store, filters: Filters) -> pd.DataFrame:
    """Start and end (epoch seconds, UTC) of each selected patrol."""
    conditions, params = patrol_conditions(filters)
    frame = store.query(
        f"SELECT p.{PATROL_ID} AS {PATROL_ID}, p.{START_UTC} AS {START_UTC}, p.{END_UTC} AS {END_UTC} "
        f"FROM {T_PATROLS} p {_where(conditions)}",
        tuple(params),
    )
    for col in (START_UTC, END_UTC):
        frame[col] = epoch_s(frame[col])
    return frame


def epoch_s(text: pd.Series) -> np.ndarray:
    """ISO 8601 UTC text (``2024-06-07T20:15:00.000Z``, or cut to the hour) → epoch seconds (float)."""
    if len(text) == 0:
        return np.zeros(0, dtype=np.float64)
    index = pd.DatetimeIndex(pd.to_datetime(text, format="ISO8601", utc=True)).as_unit("ms")
    return index.asi8 / 1000.0
