"""The GeoPackage store's records: the audit log, retention of raw track points and frozen marks.

A mixin of :class:`geo.store.gpkg.GpkgStore` (kept apart from the bulk writes there).
Its three tables are created on their first write, so opening a store never writes:

- ``audit_log`` (``fid``, ``time_utc``, ``actor``, ``action``, ``detail`` JSON text),
  registered in ``gpkg_contents`` as an attribute table, so it opens in QGIS;
- ``raw_points_removed``: one row per patrol whose raw points retention deleted
  (``removed_utc`` of the latest removal, ``points``, first and last point time);
- ``frozen_area_aggregates``: (patrol, area) pairs whose area aggregates are kept as
  they were computed, since the raw points to recompute them after an area change are gone.

Times are GeoPackage DATETIME text in UTC; track point times are epoch milliseconds.
"""

from __future__ import annotations

import os
from datetime import datetime

import pandas as pd

from geo.schema import (
    AREA_ID,
    AUDIT_COLUMNS,
    PATROL_FID,
    PATROL_ID,
    T_AUDIT_LOG,
    T_FACTS,
    T_FROZEN,
    T_PATROLS,
    T_RAW_REMOVED,
    T_TRACK_POINTS,
)
from geo.store import gpkg_format
from geo.store.audit import check_action, current_actor, detail_json
from geo.store.records import EXPIRED_COLUMNS, RecordReads, cutoff_stamp, with_times

_AUDIT_SQL = f"""CREATE TABLE IF NOT EXISTS {T_AUDIT_LOG} (
  fid INTEGER PRIMARY KEY AUTOINCREMENT, time_utc DATETIME NOT NULL, actor TEXT, action TEXT NOT NULL,
  detail TEXT NOT NULL)"""
_REMOVED_SQL = f"""CREATE TABLE IF NOT EXISTS {T_RAW_REMOVED} (
  {PATROL_FID} INTEGER PRIMARY KEY, removed_utc DATETIME NOT NULL, points INTEGER NOT NULL,
  first_utc DATETIME NOT NULL, last_utc DATETIME NOT NULL)"""
_FROZEN_SQL = f"""CREATE TABLE IF NOT EXISTS {T_FROZEN} (
  {PATROL_FID} INTEGER NOT NULL, {AREA_ID} TEXT NOT NULL, frozen_utc DATETIME NOT NULL,
  PRIMARY KEY ({PATROL_FID}, {AREA_ID})) WITHOUT ROWID"""

_MS_TEXT = "strftime('%Y-%m-%dT%H:%M:%fZ', {} / 1000.0, 'unixepoch')"
"""SQL turning epoch milliseconds into the store's DATETIME text."""

_EXPIRED = f"""SELECT {PATROL_FID}, COUNT(*) AS points, MIN(time_ms) AS first_ms, MAX(time_ms) AS last_ms
  FROM {T_TRACK_POINTS} WHERE {PATROL_FID} IN (
    SELECT p.fid FROM {T_PATROLS} p
    WHERE (SELECT MIN(t.time_ms) FROM {T_TRACK_POINTS} t WHERE t.{PATROL_FID} = p.fid) < ?)
  GROUP BY {PATROL_FID}"""
"""Patrols with a point before the cutoff (epoch ms): one index seek per patrol, then their points."""


class GpkgRecords(RecordReads):
    """Audit log, retention and frozen marks of a :class:`~geo.store.gpkg.GpkgStore`."""

    def _has_record_table(self, table: str) -> bool:
        return self._has_table(table)

    # --- audit log -------------------------------------------------------------------------
    def log_audit(self, action: str, detail: dict | None = None, *, actor: str | None = None) -> None:
        check_action(action)
        with self.transaction(changes_answers=False):
            self._conn.execute(_AUDIT_SQL)
            gpkg_format.register_layer(self._conn, T_AUDIT_LOG, geometry_type=None,
                                       description="Audit log: who signed in, imported, changed areas, exported")
            self._conn.execute(f"INSERT INTO {T_AUDIT_LOG} ({', '.join(AUDIT_COLUMNS)}) VALUES (?, ?, ?, ?)",
                               (gpkg_format.datetime_text(), current_actor(actor), action, detail_json(detail)))

    # --- retention ---------------------------------------------------------------------------
    def track_points_before(self, cutoff_utc: datetime) -> pd.DataFrame:
        frame = self.query(
            f"SELECT p.{PATROL_ID} AS {PATROL_ID}, e.points AS points, {_MS_TEXT.format('e.first_ms')} AS first_utc, "
            f"{_MS_TEXT.format('e.last_ms')} AS last_utc FROM ({_EXPIRED}) e JOIN {T_PATROLS} p "
            f"ON p.fid = e.{PATROL_FID} ORDER BY e.{PATROL_FID}",
            (_epoch_ms(cutoff_utc),),
        )
        return with_times(frame[[PATROL_ID, *EXPIRED_COLUMNS]].copy(), EXPIRED_COLUMNS[1:])

    def delete_track_points_before(self, cutoff_utc: datetime) -> int:
        with self.transaction():
            for sql in (_REMOVED_SQL, _FROZEN_SQL, "DROP TABLE IF EXISTS temp._expired"):
                self._conn.execute(sql)
            self._conn.execute(f"CREATE TEMP TABLE _expired AS {_EXPIRED}", (_epoch_ms(cutoff_utc),))
            self._conn.execute(
                f"INSERT INTO {T_RAW_REMOVED} ({PATROL_FID}, removed_utc, points, first_utc, last_utc) "
                f"SELECT {PATROL_FID}, ?, points, {_MS_TEXT.format('first_ms')}, {_MS_TEXT.format('last_ms')} "
                f"FROM _expired WHERE true ON CONFLICT ({PATROL_FID}) DO UPDATE SET removed_utc = excluded.removed_utc, "
                "points = points + excluded.points, first_utc = min(first_utc, excluded.first_utc), "
                "last_utc = max(last_utc, excluded.last_utc)",
                (gpkg_format.datetime_text(),),
            )
            self._conn.execute(f"DELETE FROM {T_FROZEN} WHERE {PATROL_FID} IN (SELECT {PATROL_FID} FROM _expired)")
            before = self._conn.total_changes
            self._conn.execute(f"DELETE FROM {T_TRACK_POINTS} WHERE {PATROL_FID} IN (SELECT {PATROL_FID} FROM _expired)")
            deleted = self._conn.total_changes - before
            self._conn.execute(f"UPDATE {T_FACTS} SET value = max(value - ?, 0) WHERE name = ?",
                               (deleted, T_TRACK_POINTS))
            self._conn.execute("DROP TABLE temp._expired")
        return deleted

    def freeze_area_aggregates(self, frozen: pd.DataFrame) -> int:
        if frozen.empty:
            return 0
        fids = self._patrol_fids(None)
        fid_of = pd.Series(fids.index.to_numpy(), index=fids.to_numpy())
        rows = pd.DataFrame({PATROL_FID: fid_of.reindex(frozen[PATROL_ID].to_numpy()).to_numpy(),
                             AREA_ID: frozen[AREA_ID].astype(str).to_numpy()}).dropna()
        with self.transaction():
            self._conn.execute(_FROZEN_SQL)
            before = self._conn.total_changes
            now = gpkg_format.datetime_text()
            self._conn.executemany(
                f"INSERT OR IGNORE INTO {T_FROZEN} ({PATROL_FID}, {AREA_ID}, frozen_utc) VALUES (?, ?, ?)",
                [(int(f), a, now) for f, a in zip(rows[PATROL_FID], rows[AREA_ID])],  # one per frozen pair
            )
            return self._conn.total_changes - before

    # --- file size ---------------------------------------------------------------------------
    def raw_points_bytes(self) -> int | None:
        """Bytes of the file's pages holding raw track points (SQLite's ``dbstat``); None without it."""
        try:
            row = self._conn.execute("SELECT SUM(pgsize) FROM dbstat WHERE name = ?", (T_TRACK_POINTS,)).fetchone()
        except Exception:  # noqa: BLE001 - an SQLite built without dbstat: no estimate
            return None
        return int(row[0] or 0)

    def vacuum(self) -> int:
        """Rebuild the file without its free pages (SQLite ``VACUUM``); returns the bytes freed.

        Rewrites the whole file (takes about as long as copying it, and as much free disk
        space); readers keep reading meanwhile.
        """
        if self._in_transaction:
            raise RuntimeError("vacuum cannot run inside a transaction")
        before = os.path.getsize(self.path)
        self._conn.execute("VACUUM")
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return before - os.path.getsize(self.path)


def _epoch_ms(moment: datetime) -> int:
    return int(cutoff_stamp(moment).value // 1_000_000)
