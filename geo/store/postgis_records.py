"""The PostGIS store's records: the audit log, retention of raw track points and frozen marks.

A mixin of :class:`geo.store.postgis.PostgisStore`, with the same tables and meaning as the
GeoPackage's (:mod:`geo.store.gpkg_records`), created on their first write (under the
schema advisory lock, so two first writers do not race): ``audit_log`` (``detail`` is JSON
text, read back identically on both backends), ``raw_points_removed`` and
``frozen_area_aggregates``. Times are ``timestamptz`` taken with ``clock_timestamp()``
(the time of the statement, not of the transaction start), so a retention run and a later
area change are ordered as they happened.

:meth:`PostgisRecords.delete_track_points_before` drops the monthly partitions of
``track_points`` wholly before the cutoff and deletes the expired patrols' other points
(those in later months) row by row; a store without partitions deletes rows only.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from geo.schema import (
    AREA_ID,
    PATROL_FID,
    PATROL_ID,
    T_AUDIT_LOG,
    T_FACTS,
    T_FROZEN,
    T_PATROLS,
    T_RAW_REMOVED,
    T_TRACK_POINTS,
    TIME_UTC,
)
from geo.store.audit import check_action, current_actor, detail_json
from geo.store.records import EXPIRED_COLUMNS, REMOVED_COLUMNS, RecordReads, cutoff_stamp, empty, with_times

_RECORD_LOCK = 0x46656C75  # advisory lock key serialising the creation of these tables

_TABLES_SQL = {
    T_AUDIT_LOG: f"""CREATE TABLE IF NOT EXISTS {T_AUDIT_LOG} (
      fid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, time_utc timestamptz NOT NULL DEFAULT clock_timestamp(),
      actor text, action text NOT NULL, detail text NOT NULL)""",
    T_RAW_REMOVED: f"""CREATE TABLE IF NOT EXISTS {T_RAW_REMOVED} (
      {PATROL_FID} bigint PRIMARY KEY, removed_utc timestamptz NOT NULL, points bigint NOT NULL,
      first_utc timestamptz NOT NULL, last_utc timestamptz NOT NULL)""",
    T_FROZEN: f"""CREATE TABLE IF NOT EXISTS {T_FROZEN} (
      {PATROL_FID} bigint NOT NULL, {AREA_ID} text NOT NULL, frozen_utc timestamptz NOT NULL,
      PRIMARY KEY ({PATROL_FID}, {AREA_ID}))""",
}

_EXPIRED = f"""SELECT {PATROL_FID}, COUNT(*) AS points, MIN({TIME_UTC}) AS first_utc, MAX({TIME_UTC}) AS last_utc
  FROM {T_TRACK_POINTS} WHERE {PATROL_FID} IN (
    SELECT p.fid FROM {T_PATROLS} p
    WHERE (SELECT MIN(t.{TIME_UTC}) FROM {T_TRACK_POINTS} t WHERE t.{PATROL_FID} = p.fid) < %s)
  GROUP BY {PATROL_FID}"""
"""Patrols with a point before the cutoff: one primary-key seek per patrol, then their points."""


class PostgisRecords(RecordReads):
    """Audit log, retention and frozen marks of a :class:`~geo.store.postgis.PostgisStore`."""

    # --- audit log -------------------------------------------------------------------------
    def log_audit(self, action: str, detail: dict | None = None, *, actor: str | None = None) -> None:
        check_action(action)
        with self.transaction(changes_answers=False):
            self._ensure_record_table(T_AUDIT_LOG)
            self._conn.execute(f"INSERT INTO {T_AUDIT_LOG} (actor, action, detail) VALUES (%s, %s, %s)",
                               (current_actor(actor), action, detail_json(detail)))

    # --- retention ---------------------------------------------------------------------------
    def track_points_before(self, cutoff_utc: datetime) -> pd.DataFrame:
        sql = (f"SELECT p.{PATROL_ID} AS {PATROL_ID}, e.points, e.first_utc, e.last_utc FROM ({_EXPIRED}) e "
               f"JOIN {T_PATROLS} p ON p.fid = e.{PATROL_FID} ORDER BY e.{PATROL_FID}")
        with self._lock, self._conn.cursor() as cur:
            cur.execute(sql, (cutoff_stamp(cutoff_utc).to_pydatetime(),))
            rows = cur.fetchall()
        frame = pd.DataFrame(rows, columns=[PATROL_ID, *EXPIRED_COLUMNS]) if rows else empty(
            (PATROL_ID, *EXPIRED_COLUMNS), ())
        return with_times(frame, EXPIRED_COLUMNS[1:])

    def delete_track_points_before(self, cutoff_utc: datetime) -> int:
        cutoff = cutoff_stamp(cutoff_utc).to_pydatetime()
        with self.transaction():
            self._ensure_record_table(T_RAW_REMOVED)
            self._ensure_record_table(T_FROZEN)
            self._conn.execute("DROP TABLE IF EXISTS _expired")
            self._conn.execute(f"CREATE TEMP TABLE _expired ON COMMIT DROP AS {_EXPIRED}", (cutoff,))
            self._conn.execute(
                f"INSERT INTO {T_RAW_REMOVED} ({PATROL_FID}, {', '.join(REMOVED_COLUMNS)}) "
                f"SELECT {PATROL_FID}, clock_timestamp(), points, first_utc, last_utc FROM _expired "
                f"ON CONFLICT ({PATROL_FID}) DO UPDATE SET removed_utc = excluded.removed_utc, "
                f"points = {T_RAW_REMOVED}.points + excluded.points, "
                f"first_utc = LEAST({T_RAW_REMOVED}.first_utc, excluded.first_utc), "
                f"last_utc = GREATEST({T_RAW_REMOVED}.last_utc, excluded.last_utc)")
            self._conn.execute(f"DELETE FROM {T_FROZEN} WHERE {PATROL_FID} IN (SELECT {PATROL_FID} FROM _expired)")
            deleted = self._drop_months_before(cutoff_stamp(cutoff_utc))  # whole months: no row deleted one by one
            deleted += self._conn.execute(
                f"DELETE FROM {T_TRACK_POINTS} WHERE {PATROL_FID} IN (SELECT {PATROL_FID} FROM _expired)").rowcount
            self._conn.execute(f"UPDATE {T_FACTS} SET value = GREATEST(value - %s, 0) WHERE name = %s",
                               (deleted, T_TRACK_POINTS))
        return int(deleted)

    def freeze_area_aggregates(self, frozen: pd.DataFrame) -> int:
        if frozen.empty:
            return 0
        with self.transaction():
            self._ensure_record_table(T_FROZEN)
            return self._conn.execute(
                f"INSERT INTO {T_FROZEN} ({PATROL_FID}, {AREA_ID}, frozen_utc) "
                f"SELECT p.fid, x.area_id, clock_timestamp() FROM unnest(%s::text[], %s::text[]) AS x(patrol_id, area_id) "
                f"JOIN {T_PATROLS} p ON p.{PATROL_ID} = x.patrol_id ON CONFLICT DO NOTHING",
                (frozen[PATROL_ID].astype(str).tolist(), frozen[AREA_ID].astype(str).tolist()),
            ).rowcount

    def raw_points_bytes(self) -> int | None:
        """Bytes the ``track_points`` table and its indexes take on the server."""
        return self._scalar(f"SELECT pg_total_relation_size('{T_TRACK_POINTS}')")

    # --- helpers ---------------------------------------------------------------------------------
    def _has_record_table(self, table: str) -> bool:
        with self._lock:
            return self._conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is not None

    def _ensure_record_table(self, table: str) -> None:
        """Create ``table`` if missing; call inside a transaction (the advisory lock ends with it)."""
        if not self._has_record_table(table):
            self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_RECORD_LOCK,))
            self._conn.execute(_TABLES_SQL[table])
