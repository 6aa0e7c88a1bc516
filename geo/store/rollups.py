"""Rollups of the cell tables by day and by month, kept by the stores in step with the detail.

A year of coverage cells at city scale reads about a million ``presence_cell``
rows (one per patrol × cell × UTC hour) and as many visits. Without weekday or
hour filters the dashboard needs only sums per cell for the selected patrols
(service day, team, kind, shift), so the stores keep those sums:

- ``presence_cell_day``: res, service_day, team, kind, shift, cell → seconds,
  person_seconds (seconds × staff), metres;
- ``visits_cell_day``: the same keys → visits, long_visits (lasting at least
  :data:`geo.schema.LONG_VISIT_S`);
- ``presence_cell_month`` and ``visits_cell_month``: the same by the month of
  the service day (``month`` = its first day), visits with
  ``last_service_day``.

A period reads whole months from the month tables and its partial months from
the day tables (``geo.queries.rollups``); a year at city scale is then about
80,000 rows instead of two million. The sums are the detail's sums grouped
differently, so they agree with the detail to floating-point rounding, and the
visit counts exactly (``tests/test_queries_rollups.py``).

Kept in step by the stores themselves, inside the transaction of the write:
whenever ``presence_cell`` or ``visits_cell`` rows of patrols are replaced, and
whenever a stored patrol's service day, team, kind, shift or staff changes, the
days of those patrols (before and after) are rebuilt from the detail and their
months from the days. A store written before the rollups existed has them
empty: ``store_facts`` holds ``rollups`` = :data:`ROLLUP_VERSION` only once they
are complete (:meth:`~geo.store.base.Store.rebuild_rollups`, which every write
transaction of such a store runs first), and readers use them only then.

SQL here is shared by both backends; dates are ISO text in SQLite and ``date``
in PostgreSQL, which only the month expression has to know.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from geo.schema import (
    CELL,
    H3_RESOLUTIONS,
    KIND,
    LONG_VISIT_S,
    METRES,
    PATROL_FID,
    PATROL_ID,
    RES,
    SECONDS,
    SERVICE_DAY,
    SHIFT,
    STAFF,
    T_FACTS,
    T_PATROLS,
    T_PRESENCE_CELL,
    T_PRESENCE_CELL_DAY,
    T_PRESENCE_CELL_MONTH,
    T_VISITS_CELL,
    T_VISITS_CELL_DAY,
    T_VISITS_CELL_MONTH,
    TEAM,
    VISIT_END,
    VISIT_START,
)

ROLLUP_VERSION = 1
"""Value of the ``rollups`` fact when the rollups are complete; raise it when their layout changes."""

FACT = "rollups"
MONTH = "month"
PERSON_SECONDS = "person_seconds"
VISITS = "visits"
LONG_VISITS = "long_visits"
LAST_SERVICE_DAY = "last_service_day"
ROLLUP_TABLES = (T_PRESENCE_CELL_DAY, T_VISITS_CELL_DAY, T_PRESENCE_CELL_MONTH, T_VISITS_CELL_MONTH)

_MONTH_OF = {"sqlite": "substr({col}, 1, 7) || '-01'", "postgresql": "CAST(date_trunc('month', {col}) AS date)"}
"""First day of the month of a date column, per dialect (SQLite keeps dates as ISO text)."""
_PARAM_DATE = {"sqlite": "?", "postgresql": "CAST(? AS date)"}
"""A date parameter (ISO text) in a SELECT list, per dialect."""
_GREATEST = {"sqlite": "max", "postgresql": "GREATEST"}
"""The larger of two values, per dialect."""
_TYPES = {
    "sqlite": {"int": "INTEGER", "real": "REAL", "text": "TEXT", "date": "DATE"},
    "postgresql": {"int": "bigint", "real": "double precision", "text": "text", "date": "date"},
}


def schema_sql(dialect: str) -> list[str]:
    """CREATE TABLE statements of the four rollups (idempotent)."""
    t = _TYPES[dialect]
    keys = f"{RES} {t['int']} NOT NULL, {{when}} {t['date']} NOT NULL, {TEAM} {t['text']} NOT NULL, " \
           f"{KIND} {t['text']} NOT NULL, {SHIFT} {t['text']} NOT NULL, {CELL} {t['int']} NOT NULL"
    pk = f"PRIMARY KEY ({RES}, {{when}}, {TEAM}, {KIND}, {SHIFT}, {CELL})"
    suffix = " WITHOUT ROWID" if dialect == "sqlite" else ""
    presence = f"{SECONDS} {t['real']} NOT NULL, {PERSON_SECONDS} {t['real']} NOT NULL, {METRES} {t['real']} NOT NULL"
    visits = f"{VISITS} {t['int']} NOT NULL, {LONG_VISITS} {t['int']} NOT NULL"
    return [
        f"CREATE TABLE IF NOT EXISTS {T_PRESENCE_CELL_DAY} ({keys.format(when=SERVICE_DAY)}, {presence}, "
        f"{pk.format(when=SERVICE_DAY)}){suffix}",
        f"CREATE TABLE IF NOT EXISTS {T_VISITS_CELL_DAY} ({keys.format(when=SERVICE_DAY)}, {visits}, "
        f"{pk.format(when=SERVICE_DAY)}){suffix}",
        f"CREATE TABLE IF NOT EXISTS {T_PRESENCE_CELL_MONTH} ({keys.format(when=MONTH)}, {presence}, "
        f"{pk.format(when=MONTH)}){suffix}",
        f"CREATE TABLE IF NOT EXISTS {T_VISITS_CELL_MONTH} ({keys.format(when=MONTH)}, {visits}, "
        f"{LAST_SERVICE_DAY} {t['date']} NOT NULL, {pk.format(when=MONTH)}){suffix}",
    ]


PRESENCE = "presence"
VISIT = "visits"
KINDS = (PRESENCE, VISIT)
"""Which rollups to rebuild: of ``presence_cell``, of ``visits_cell``, or both."""
DETAIL = {T_PRESENCE_CELL: PRESENCE, T_VISITS_CELL: VISIT}
"""The detail table each kind of rollup is grouped from."""

PATROL_KEYS = (PATROL_ID, SERVICE_DAY, TEAM, KIND, SHIFT, STAFF)
"""Patrol columns a rollup row depends on (grouped by, or weighting person-seconds)."""


def keep(store, days: list[str] | None, *, kinds: tuple[str, ...] = KINDS) -> None:
    """After a write to the detail: rebuild the rollups of ``days`` (all when None), or build
    them all once if ``store`` was written before it had rollups."""
    if not store.rollups_complete():
        store.rebuild_rollups()
    elif days is None or len(days):
        store.rebuild_rollups(days, kinds=kinds)


def after_replace(store, execute: Callable[[str, list], object], table: str, patrol_ids: list[str] | None,
                  fids, *, removed: int) -> None:
    """After ``store.replace_derived(table, …, patrol_ids=…)`` wrote the rows of patrols ``fids``
    (having deleted ``removed`` rows first): keep the rollups of a cell table in step.

    Patrols that had no rows before (a new import) are *added* to the rollups: their rows,
    grouped, are summed into the day and month rows (``INSERT … ON CONFLICT DO UPDATE``), which
    costs in proportion to their own rows. Patrols whose rows were replaced have their days
    (and months) regrouped from the detail, since subtracting old sums would not be exact. A
    whole-table replace regroups everything. ``execute(sql, params)`` runs ``?``-style SQL.
    """
    if table not in DETAIL:
        return
    kind = DETAIL[table]
    if not store.rollups_complete():
        store.rebuild_rollups()
    elif patrol_ids is None:
        store.rebuild_rollups(None, kinds=(kind,))
    elif removed:
        keep(store, service_days(store, fids), kinds=(kind,))
    else:
        fids = [int(f) for f in fids]
        for start in range(0, len(fids), _IDS_PER_QUERY):
            part = fids[start: start + _IDS_PER_QUERY]
            for sql in add_statements(store.dialect, kind, len(part)):
                execute(sql, part)


def add_statements(dialect: str, kind: str, n_fids: int) -> list[str]:
    """INSERT … ON CONFLICT DO UPDATE statements adding the ``kind`` rows of ``n_fids`` patrols
    (``p.fid IN (?, …)``) to the day and month rollups."""
    month = _MONTH_OF[dialect].format(col=f"p.{SERVICE_DAY}")
    where = f"p.fid IN ({', '.join('?' * n_fids)})"
    out = []
    for table, when, when_sql in ((T_PRESENCE_CELL_DAY if kind == PRESENCE else T_VISITS_CELL_DAY, SERVICE_DAY,
                                   f"p.{SERVICE_DAY}"),
                                  (T_PRESENCE_CELL_MONTH if kind == PRESENCE else T_VISITS_CELL_MONTH, MONTH, month)):
        group = f"d.{RES}, {when_sql}, p.{TEAM}, p.{KIND}, p.{SHIFT}, d.{CELL}"
        conflict = f"ON CONFLICT ({RES}, {when}, {TEAM}, {KIND}, {SHIFT}, {CELL}) DO UPDATE SET "
        if kind == PRESENCE:
            measures = (SECONDS, PERSON_SECONDS, METRES)
            select = f"SUM(d.{SECONDS}), SUM(d.{SECONDS} * p.{STAFF}), SUM(d.{METRES})"
            detail = T_PRESENCE_CELL
        else:
            measures = (VISITS, LONG_VISITS)
            select = f"COUNT(*), SUM(CASE WHEN d.{VISIT_END} - d.{VISIT_START} >= {LONG_VISIT_S:.1f} THEN 1 ELSE 0 END)"
            detail = T_VISITS_CELL
        columns = [RES, when, TEAM, KIND, SHIFT, CELL, *measures]
        updates = [f"{m} = {table}.{m} + excluded.{m}" for m in measures]
        if kind == VISIT and when == MONTH:
            columns.append(LAST_SERVICE_DAY)
            select += f", MAX(p.{SERVICE_DAY})"
            updates.append(f"{LAST_SERVICE_DAY} = {_GREATEST[dialect]}({table}.{LAST_SERVICE_DAY}, "
                           f"excluded.{LAST_SERVICE_DAY})")
        out.append(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {group}, {select} FROM {T_PATROLS} p "
                   f"JOIN {detail} d ON d.{PATROL_FID} = p.fid WHERE {where} GROUP BY {group} "
                   f"{conflict}{', '.join(updates)}")
    return out


_IDS_PER_QUERY = 500


def service_days(store, fids) -> list[str]:
    """The distinct service days (ISO text) of the patrols with these fids."""
    fids = [int(f) for f in fids]
    days: set[str] = set()
    for start in range(0, len(fids), _IDS_PER_QUERY):
        part = fids[start: start + _IDS_PER_QUERY]
        frame = store.query(f"SELECT DISTINCT {SERVICE_DAY} AS day FROM {T_PATROLS} "
                            f"WHERE fid IN ({', '.join('?' * len(part))})", tuple(part))
        days.update(frame["day"].astype(str))  # one per day
    return sorted(days)


def rollup_keys(store, patrol_ids) -> pd.DataFrame:
    """The :data:`PATROL_KEYS` columns of the stored patrols among ``patrol_ids`` (text)."""
    ids = pd.unique(pd.Series(patrol_ids, dtype=object).astype(str).to_numpy()).tolist()
    frames = [store.query(f"SELECT {', '.join(PATROL_KEYS)} FROM {T_PATROLS} WHERE {PATROL_ID} IN "
                          f"({', '.join('?' * len(ids[a: a + _IDS_PER_QUERY]))})", tuple(ids[a: a + _IDS_PER_QUERY]))
              for a in range(0, len(ids), _IDS_PER_QUERY)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(PATROL_KEYS))


def changed_days(before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
    """Service days (old and new) of the patrols whose :data:`PATROL_KEYS` differ between two
    readings (frames with those columns; a patrol missing from ``after`` counts as changed)."""
    merged = before.merge(after, on=PATROL_ID, how="left", suffixes=("", "_after"))
    changed = np.zeros(len(merged), dtype=bool)
    for column in PATROL_KEYS[1:]:
        changed |= (merged[column].astype(str) != merged[f"{column}_after"].astype(str)).to_numpy()
    days = pd.concat([merged.loc[changed, SERVICE_DAY], merged.loc[changed, f"{SERVICE_DAY}_after"]]).dropna()
    return sorted(set(days.astype(str)))

FULL_REBUILD_DAYS = 400
"""More days than this are rebuilt as a whole (one pass over the detail) rather than day by day."""


def rebuild_statements(dialect: str, days: list[str] | None, kinds: tuple[str, ...] = KINDS) -> list[tuple[str, list]]:
    """(SQL with ``?`` placeholders, parameters) that rebuild the ``kinds`` rollups of service
    ``days`` (ISO dates) and of their months, from the detail; every day and month when None.

    Day rows are deleted and regrouped from ``patrols`` × detail for those days (the
    ``patrols_service_day`` index finds their patrols); each month is regrouped from its
    day rows (a primary-key range per resolution).
    """
    res_in = f"{RES} IN ({', '.join(str(r) for r in H3_RESOLUTIONS)})"
    if days is None:
        day_where, day_params, delete_days = "1 = 1", [], [(f"DELETE FROM {T_PRESENCE_CELL_DAY}", []),
                                                          (f"DELETE FROM {T_VISITS_CELL_DAY}", [])]
    else:
        days = sorted(set(days))
        marks = ", ".join("?" * len(days))
        day_where, day_params = f"p.{SERVICE_DAY} IN ({marks})", days
        delete_days = [(f"DELETE FROM {t} WHERE {res_in} AND {SERVICE_DAY} IN ({marks})", days)
                       for t in (T_PRESENCE_CELL_DAY, T_VISITS_CELL_DAY)]
    dkeys = f"d.{RES}, p.{SERVICE_DAY}, p.{TEAM}, p.{KIND}, p.{SHIFT}, d.{CELL}"
    statements = [
        *delete_days,
        (f"INSERT INTO {T_PRESENCE_CELL_DAY} ({RES}, {SERVICE_DAY}, {TEAM}, {KIND}, {SHIFT}, {CELL}, {SECONDS}, "
         f"{PERSON_SECONDS}, {METRES}) SELECT {dkeys}, SUM(d.{SECONDS}), SUM(d.{SECONDS} * p.{STAFF}), "
         f"SUM(d.{METRES}) FROM {T_PATROLS} p JOIN {T_PRESENCE_CELL} d ON d.{PATROL_FID} = p.fid "
         f"WHERE {day_where} GROUP BY {dkeys}", day_params),
        (f"INSERT INTO {T_VISITS_CELL_DAY} ({RES}, {SERVICE_DAY}, {TEAM}, {KIND}, {SHIFT}, {CELL}, {VISITS}, "
         f"{LONG_VISITS}) SELECT {dkeys}, COUNT(*), "
         f"SUM(CASE WHEN d.{VISIT_END} - d.{VISIT_START} >= {LONG_VISIT_S:.1f} THEN 1 ELSE 0 END) "
         f"FROM {T_PATROLS} p JOIN {T_VISITS_CELL} d ON d.{PATROL_FID} = p.fid WHERE {day_where} GROUP BY {dkeys}",
         day_params),
    ]
    if days is None:
        month = _MONTH_OF[dialect].format(col=SERVICE_DAY)
        spans = [(None, f"{month}", "1 = 1", [])]
        statements += [(f"DELETE FROM {T_PRESENCE_CELL_MONTH}", []), (f"DELETE FROM {T_VISITS_CELL_MONTH}", [])]
    else:
        spans = []
        for first in sorted({d[:7] + "-01" for d in days}):
            year, number = int(first[:4]), int(first[5:7])
            after = f"{year + number // 12:04d}-{number % 12 + 1:02d}-01"
            spans.append((first, _PARAM_DATE[dialect], f"{res_in} AND {SERVICE_DAY} >= ? AND {SERVICE_DAY} < ?",
                          [first, after]))
            statements += [(f"DELETE FROM {t} WHERE {res_in} AND {MONTH} = ?", [first])
                           for t in (T_PRESENCE_CELL_MONTH, T_VISITS_CELL_MONTH)]
    keys = f"{RES}, {TEAM}, {KIND}, {SHIFT}, {CELL}"
    for first, month, where, params in spans:
        head = [first] if first else []
        group = keys if first else f"{keys}, {month}"
        statements += [
            (f"INSERT INTO {T_PRESENCE_CELL_MONTH} ({RES}, {MONTH}, {TEAM}, {KIND}, {SHIFT}, {CELL}, {SECONDS}, "
             f"{PERSON_SECONDS}, {METRES}) SELECT {RES}, {month}, {TEAM}, {KIND}, {SHIFT}, {CELL}, SUM({SECONDS}), "
             f"SUM({PERSON_SECONDS}), SUM({METRES}) FROM {T_PRESENCE_CELL_DAY} WHERE {where} GROUP BY {group}",
             head + params),
            (f"INSERT INTO {T_VISITS_CELL_MONTH} ({RES}, {MONTH}, {TEAM}, {KIND}, {SHIFT}, {CELL}, {VISITS}, "
             f"{LONG_VISITS}, {LAST_SERVICE_DAY}) SELECT {RES}, {month}, {TEAM}, {KIND}, {SHIFT}, {CELL}, "
             f"SUM({VISITS}), SUM({LONG_VISITS}), MAX({SERVICE_DAY}) FROM {T_VISITS_CELL_DAY} WHERE {where} "
             f"GROUP BY {group}", head + params),
        ]
    wanted = {T_PRESENCE_CELL_DAY, T_PRESENCE_CELL_MONTH} if PRESENCE in kinds else set()
    wanted |= {T_VISITS_CELL_DAY, T_VISITS_CELL_MONTH} if VISIT in kinds else set()
    return [(sql, params) for sql, params in statements if _target(sql) in wanted]


def _target(sql: str) -> str:
    """The table a DELETE FROM or INSERT INTO statement writes."""
    return sql.split()[2]


def is_complete(row: tuple | None) -> bool:
    """Whether a row read with ``complete_sql()[0]`` says the rollups are complete."""
    return row is not None and int(row[0]) == ROLLUP_VERSION


def rebuild(store, execute: Callable[[str, list], object], dialect: str, days: list[str] | None,
            kinds: tuple[str, ...]) -> None:
    """Run :func:`rebuild_statements` with ``execute(sql, params)`` in one transaction of ``store``;
    a full rebuild of both kinds marks the rollups complete. A full rebuild first creates the
    rollup tables if they are missing (a store made before them, opened without ``create``)."""
    full = days is None or len(set(days)) > FULL_REBUILD_DAYS
    with store.transaction():
        if full:
            for statement in schema_sql(dialect):
                execute(statement, [])
        for sql, params in rebuild_statements(dialect, None if full else list(days), kinds):
            execute(sql, params)
        if full and set(kinds) == set(KINDS):
            execute(complete_sql()[1], [])


def complete_sql() -> tuple[str, str]:
    """(read, mark) statements of the completeness fact; ``mark`` takes no parameters."""
    return (f"SELECT value FROM {T_FACTS} WHERE name = '{FACT}'",
            f"INSERT INTO {T_FACTS} (name, value) VALUES ('{FACT}', {ROLLUP_VERSION}) "
            f"ON CONFLICT (name) DO UPDATE SET value = excluded.value")
