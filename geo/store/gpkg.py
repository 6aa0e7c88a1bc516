"""The embedded store: one GeoPackage file (opens in QGIS).

Layers: ``field_areas`` (MultiPolygon) and ``encounters`` (Point) are spatial
layers; ``patrols``, ``imports`` and ``area_changes`` are attribute tables.
``track_points`` is a compact clustered table keyed by (patrol, time) so that
re-imported points are ignored, and the derived tables hold the aggregates
computed at import (``geo.engine.presence``).

Times: ``patrols``/``encounters`` as GeoPackage DATETIME text in UTC;
``track_points.time_ms`` as epoch milliseconds (UTC). Dates are ISO text.
All writes happen through :meth:`GpkgStore.transaction`.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.schema import (  # store columns and tables shared by both backends
    DERIVED_TABLES,
    PATROL_KEYED_TABLES,
    ACCURACY_M,
    AGE_GROUP,
    AREA_ID,
    AREA_NAME,
    AREA_TEAM,
    INDOOR,
    AREA_VERSION,
    CATEGORY,
    CELL,
    DRAFT_COLUMNS,
    DRAFT_ID,
    ENCOUNTER_ID,
    END_UTC,
    EXPORT_LOG_COLUMNS,
    PLAN_COLUMNS,
    PLAN_LINE_COLUMNS,
    PLAN_VERSION,
    PLAN_WEEK,
    FROM_OUTSIDE_OSLO,
    HOUR_UTC,
    KIND,
    LAT,
    LOCAL_DATE,
    LON,
    METRES,
    NEW_CONTACT,
    PATROL_FID,
    PATROL_ID,
    PEOPLE,
    RES,
    SECONDS,
    SERVICE_DAY,
    SHIFT,
    SOURCE_FILE,
    STAFF,
    START_UTC,
    STORE_CRS,
    T_AREA_CHANGES,
    T_AREA_DRAFTS,
    T_AREAS,
    T_ENCOUNTER_AREAS,
    T_ENCOUNTERS,
    T_EXPORT_LOG,
    T_PLANS,
    T_FACTS,
    T_IMPORTS,
    T_PATROLS,
    T_PRESENCE_AREA,
    T_PRESENCE_CELL,
    T_PRESENCE_TOTAL,
    T_TRACK_POINTS,
    T_VISITS_AREA,
    T_VISITS_CELL,
    TEAM,
    TIME_UTC,
    VALID_FROM,
    VALID_TO,
    VISIT_END,
    VISIT_START,
)
from geo.store import gpkg_format, rollups
from geo.store.rows import encounter_cells, fid_column, in_pair_order, keyed_by_fid
from geo.store.area_versions import (
    draft_multipolygons,
    plan_area_version,
)
from geo.store.audit import current_actor
from geo.store.base import GENERATION, SQLITE, NotAFeltkartStore, Store, StoreBusyError, StoreError
from geo.store.gpkg_records import GpkgRecords
from geo.timeutil import local_date, service_day, shift_of

_DRAFTS_SQL = f"""
CREATE TABLE IF NOT EXISTS {T_AREA_DRAFTS} (
  fid INTEGER PRIMARY KEY AUTOINCREMENT, geom MULTIPOLYGON NOT NULL, {DRAFT_ID} TEXT NOT NULL,
  {AREA_ID} TEXT NOT NULL, {AREA_NAME} TEXT NOT NULL, {AREA_TEAM} TEXT, {VALID_FROM} DATE NOT NULL,
  created_utc DATETIME NOT NULL, created_by TEXT, source TEXT NOT NULL,
  UNIQUE ({DRAFT_ID}, {AREA_ID}));
"""


_EXPORT_LOG_SQL = f"""
CREATE TABLE IF NOT EXISTS {T_EXPORT_LOG} (
  fid INTEGER PRIMARY KEY AUTOINCREMENT, time_utc DATETIME NOT NULL, preset TEXT NOT NULL,
  first_day DATE NOT NULL, last_day DATE NOT NULL, compare_first DATE, compare_last DATE,
  k INTEGER NOT NULL, format TEXT NOT NULL, file TEXT NOT NULL, sha256 TEXT NOT NULL, actor TEXT);
"""

_PLAN_TYPES = ("TEXT NOT NULL", "INTEGER NOT NULL", "DATETIME NOT NULL", "TEXT", "TEXT NOT NULL", "TEXT NOT NULL",
               "INTEGER NOT NULL", "TEXT NOT NULL", "INTEGER NOT NULL", "REAL NOT NULL", "REAL NOT NULL")
"""SQLite types of :data:`geo.schema.PLAN_COLUMNS`, in order."""
_PLANS_SQL = (f"CREATE TABLE IF NOT EXISTS {T_PLANS} (fid INTEGER PRIMARY KEY AUTOINCREMENT, "
              + ", ".join(f"{c} {t}" for c, t in zip(PLAN_COLUMNS, _PLAN_TYPES, strict=True))
              + f", UNIQUE ({PLAN_WEEK}, {PLAN_VERSION}, {', '.join(PLAN_LINE_COLUMNS[:3])}))")

_SCHEMA_SQL = f"""
CREATE TABLE IF NOT EXISTS {T_AREAS} (
  fid INTEGER PRIMARY KEY AUTOINCREMENT, geom MULTIPOLYGON NOT NULL,
  {AREA_ID} TEXT NOT NULL, {AREA_VERSION} INTEGER NOT NULL, {AREA_NAME} TEXT NOT NULL,
  {AREA_TEAM} TEXT, {VALID_FROM} DATE NOT NULL, {VALID_TO} DATE, {SOURCE_FILE} TEXT,
  {INDOOR} BOOLEAN NOT NULL DEFAULT 0, UNIQUE ({AREA_ID}, {AREA_VERSION}));
CREATE TABLE IF NOT EXISTS {T_AREA_CHANGES} (
  fid INTEGER PRIMARY KEY AUTOINCREMENT, time_utc DATETIME NOT NULL, {AREA_ID} TEXT NOT NULL,
  {AREA_VERSION} INTEGER NOT NULL, change TEXT NOT NULL, detail TEXT, changed_by TEXT);
CREATE TABLE IF NOT EXISTS {T_PATROLS} (
  fid INTEGER PRIMARY KEY AUTOINCREMENT, {PATROL_ID} TEXT NOT NULL UNIQUE, {TEAM} TEXT NOT NULL,
  {START_UTC} DATETIME NOT NULL, {END_UTC} DATETIME NOT NULL, {STAFF} INTEGER NOT NULL,
  {KIND} TEXT NOT NULL, {SERVICE_DAY} DATE NOT NULL, {SHIFT} TEXT NOT NULL, {SOURCE_FILE} TEXT);
CREATE INDEX IF NOT EXISTS patrols_service_day ON {T_PATROLS} ({SERVICE_DAY});
CREATE TABLE IF NOT EXISTS {T_TRACK_POINTS} (
  {PATROL_FID} INTEGER NOT NULL, time_ms INTEGER NOT NULL, {LON} REAL NOT NULL, {LAT} REAL NOT NULL,
  {ACCURACY_M} REAL, PRIMARY KEY ({PATROL_FID}, time_ms)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS {T_ENCOUNTERS} (
  fid INTEGER PRIMARY KEY AUTOINCREMENT, geom POINT NOT NULL, {ENCOUNTER_ID} TEXT NOT NULL UNIQUE,
  {TIME_UTC} DATETIME NOT NULL, {LOCAL_DATE} DATE NOT NULL, {LON} REAL NOT NULL, {LAT} REAL NOT NULL,
  {PATROL_ID} TEXT, {CATEGORY} TEXT NOT NULL, {AGE_GROUP} TEXT NOT NULL, {NEW_CONTACT} BOOLEAN NOT NULL,
  {FROM_OUTSIDE_OSLO} TEXT NOT NULL, {PEOPLE} INTEGER NOT NULL,
  cell_9 INTEGER, cell_10 INTEGER, cell_11 INTEGER, {SOURCE_FILE} TEXT);
CREATE INDEX IF NOT EXISTS encounters_local_date ON {T_ENCOUNTERS} ({LOCAL_DATE});
CREATE TABLE IF NOT EXISTS {T_IMPORTS} (
  fid INTEGER PRIMARY KEY AUTOINCREMENT, time_utc DATETIME NOT NULL, file TEXT NOT NULL,
  sha256 TEXT NOT NULL, kind TEXT NOT NULL, added INTEGER NOT NULL, rejected INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS {T_FACTS} (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS {T_PRESENCE_AREA} (
  {PATROL_FID} INTEGER NOT NULL, {AREA_ID} TEXT NOT NULL, {AREA_VERSION} INTEGER NOT NULL,
  {HOUR_UTC} INTEGER NOT NULL, {SECONDS} REAL NOT NULL, {METRES} REAL NOT NULL);
CREATE INDEX IF NOT EXISTS presence_area_patrol ON {T_PRESENCE_AREA} ({PATROL_FID});
CREATE TABLE IF NOT EXISTS {T_PRESENCE_CELL} (
  {PATROL_FID} INTEGER NOT NULL, {RES} INTEGER NOT NULL, {CELL} INTEGER NOT NULL,
  {HOUR_UTC} INTEGER NOT NULL, {SECONDS} REAL NOT NULL, {METRES} REAL NOT NULL);
CREATE INDEX IF NOT EXISTS presence_cell_patrol ON {T_PRESENCE_CELL} ({PATROL_FID}, {RES});
CREATE TABLE IF NOT EXISTS {T_PRESENCE_TOTAL} (
  {PATROL_FID} INTEGER NOT NULL, {HOUR_UTC} INTEGER NOT NULL, {SECONDS} REAL NOT NULL, {METRES} REAL NOT NULL);
CREATE INDEX IF NOT EXISTS presence_total_patrol ON {T_PRESENCE_TOTAL} ({PATROL_FID});
CREATE TABLE IF NOT EXISTS {T_VISITS_AREA} (
  {PATROL_FID} INTEGER NOT NULL, {AREA_ID} TEXT NOT NULL, {VISIT_START} REAL NOT NULL, {VISIT_END} REAL NOT NULL);
CREATE INDEX IF NOT EXISTS visits_area_patrol ON {T_VISITS_AREA} ({PATROL_FID});
CREATE TABLE IF NOT EXISTS {T_VISITS_CELL} (
  {PATROL_FID} INTEGER NOT NULL, {RES} INTEGER NOT NULL, {CELL} INTEGER NOT NULL,
  {VISIT_START} REAL NOT NULL, {VISIT_END} REAL NOT NULL);
CREATE INDEX IF NOT EXISTS visits_cell_patrol ON {T_VISITS_CELL} ({PATROL_FID}, {RES});
CREATE TABLE IF NOT EXISTS {T_ENCOUNTER_AREAS} (
  {ENCOUNTER_ID} TEXT NOT NULL, {AREA_ID} TEXT NOT NULL, {AREA_VERSION} INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS encounter_areas_encounter ON {T_ENCOUNTER_AREAS} ({ENCOUNTER_ID});
CREATE INDEX IF NOT EXISTS encounter_areas_area ON {T_ENCOUNTER_AREAS} ({AREA_ID});
"""

_LAYERS = {
    T_AREAS: ("MULTIPOLYGON", "Field areas (feltområder), one row per version"),
    T_ENCOUNTERS: ("POINT", "Encounters (kontakter): no personal identifiers"),
    T_PATROLS: (None, "Patrols"),
    T_IMPORTS: (None, "Import log"),
    T_AREA_CHANGES: (None, "Every change to a field area"),
}

FELTKART_TABLES = (T_AREAS, T_PATROLS, T_TRACK_POINTS, T_ENCOUNTERS, T_IMPORTS, T_FACTS)
"""Tables every Feltkart store has from its creation: a file without them is not one."""

_CREATED_TABLES = (*FELTKART_TABLES, T_AREA_CHANGES, *DERIVED_TABLES)
"""Tables the schema creates (the logs and drafts are created on their first write)."""

BUSY_TIMEOUT_S = 30.0
"""How long a write waits for another connection's write (an import) to finish, seconds.
Reads never wait: the store runs in SQLite's WAL mode once it has been written to."""

_BUSY_MESSAGES = ("database is locked", "database is busy", "database table is locked")


class GpkgStore(GpkgRecords, Store):
    """Feltkart store in one GeoPackage file (SQL dialect ``sqlite``).

    Parameters
    ----------
    path
        The ``.gpkg`` file. Created (with every layer) when missing, unless
        ``create=False``.
    create
        Create the file or its missing tables. With ``create=False`` opening
        never writes: a missing file is refused, and so is a file that is not a
        Feltkart store.
    busy_timeout_s
        How long a write waits for another writer (default :data:`BUSY_TIMEOUT_S`);
        then :class:`~geo.store.base.StoreBusyError`.

    An existing file that is not a Feltkart store (another SQLite database or
    GeoPackage, an empty file when ``create=False``) is refused with
    :class:`~geo.store.base.NotAFeltkartStore` before anything is written to it;
    it is looked at through a read-only connection. The first write switches
    the file to SQLite's write-ahead log (WAL), so that readers (the dashboard,
    ``summary``) keep reading while an import writes.
    """

    dialect = SQLITE

    def __init__(self, path: str | Path, *, create: bool = True, bulk_load: bool = False,
                 busy_timeout_s: float | None = None) -> None:
        """``bulk_load=True`` turns off journaling and fsync: only for building a
        fresh file that is renamed into place when complete (the demo build)."""
        busy_timeout_s = BUSY_TIMEOUT_S if busy_timeout_s is None else busy_timeout_s
        self.path = Path(path)
        self._bulk_load = bulk_load
        self._wal = False
        self._in_transaction = False
        self._changes_answers = False
        exists = self.path.exists()
        if not exists and not create:
            raise StoreError(f"store {self.path} does not exist; import data or run `python -m geo demo` first")
        complete = _inspect(self.path, create=create, busy_timeout_s=busy_timeout_s) if exists else False
        if not exists:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                         timeout=busy_timeout_s)
            self._conn.execute("PRAGMA foreign_keys = OFF")
            if bulk_load:
                self._conn.execute("PRAGMA journal_mode = OFF")
                self._conn.execute("PRAGMA synchronous = OFF")
                self._conn.execute("PRAGMA cache_size = -262144")  # 256 MiB
            else:
                self._conn.execute("PRAGMA synchronous = NORMAL")
            if create and not complete:
                self._use_wal()
                self._ensure_schema()
        except sqlite3.OperationalError as exc:
            raise _busy_or(exc, self.path) from exc
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a GeoPackage/SQLite file Feltkart can use: {exc}") from exc

    def close(self) -> None:
        self._conn.close()

    def _ensure_schema(self) -> None:
        """Create every table that is missing (idempotent)."""
        conn = self._conn
        gpkg_format.init_metadata(conn)
        conn.executescript(_SCHEMA_SQL)
        for table, (geometry_type, description) in _LAYERS.items():
            gpkg_format.register_layer(conn, table, geometry_type=geometry_type, description=description)
        for statement in rollups.schema_sql(SQLITE):
            conn.execute(statement)
        if not self.rollups_complete() and self._empty(T_PRESENCE_CELL) and self._empty(T_VISITS_CELL):
            conn.execute(rollups.complete_sql()[1])  # nothing to roll up yet: complete as they are

    def _use_wal(self) -> None:
        """Switch the file to the write-ahead log (persistent; readers then never wait for a writer)."""
        if self._bulk_load or self._wal:
            return
        try:
            self._wal = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
        except sqlite3.OperationalError:  # a reader of the rollback journal holds the file: next write tries again
            self._wal = False

    # --- transactions ---------------------------------------------------------
    @contextmanager
    def transaction(self, *, changes_answers: bool = True) -> Iterator[GpkgStore]:
        """All writes inside commit together or not at all (nested blocks join the outer one).

        The outermost block also raises the change token (:meth:`change_token`),
        unless every block inside said ``changes_answers=False`` (the export and audit logs).
        A write that waits longer than the busy timeout for another writer raises
        :class:`~geo.store.base.StoreBusyError`.
        """
        if self._in_transaction:
            self._changes_answers |= changes_answers
            yield self
            return
        self._use_wal()
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _busy_or(exc, self.path) from exc
        self._in_transaction = True
        self._changes_answers = changes_answers
        try:
            yield self
            if self._changes_answers:
                self._conn.execute(f"INSERT INTO {T_FACTS} (name, value) VALUES (?, 1) "
                                   "ON CONFLICT(name) DO UPDATE SET value = value + 1", (GENERATION,))
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        else:
            self._conn.execute("COMMIT")
        finally:
            self._in_transaction = False

    def change_token(self) -> str:
        """Number of committed write transactions (any process) that answers depend on: changes after
        every import, area change and draft, not after an export or an audit entry is logged."""
        row = self._conn.execute(f"SELECT value FROM {T_FACTS} WHERE name = ?", (GENERATION,)).fetchone()
        return str(int(row[0]) if row else 0)

    # --- reading ------------------------------------------------------------------
    def query(self, sql: str, params: tuple | dict = ()) -> pd.DataFrame:
        try:
            return pd.read_sql_query(sql, self._conn, params=params)
        except (sqlite3.OperationalError, pd.errors.DatabaseError) as exc:
            error = _busy_or(sqlite3.OperationalError(str(exc)), self.path)
            if isinstance(error, StoreBusyError):  # a reader of a file not yet in WAL mode, during an import
                raise error from exc
            raise

    def areas(self) -> gpd.GeoDataFrame:
        indoor = INDOOR if self._has_indoor_column() else "0"  # a store made before the column: none indoor
        rows = self._conn.execute(
            f"SELECT {AREA_ID}, {AREA_VERSION}, {AREA_NAME}, {AREA_TEAM}, {VALID_FROM}, {VALID_TO}, {indoor}, geom "
            f"FROM {T_AREAS} ORDER BY {AREA_ID}, {AREA_VERSION}"
        ).fetchall()
        cols = [AREA_ID, AREA_VERSION, AREA_NAME, AREA_TEAM, VALID_FROM, VALID_TO, INDOOR]
        frame = pd.DataFrame([r[:-1] for r in rows], columns=cols)
        frame[INDOOR] = frame[INDOOR].astype(bool)
        frame[VALID_FROM] = [date.fromisoformat(d) for d in frame[VALID_FROM]]
        frame[VALID_TO] = [date.fromisoformat(d) if isinstance(d, str) and d else None for d in frame[VALID_TO]]
        frame[AREA_VERSION] = frame[AREA_VERSION].astype(np.int64)
        geometry = gpkg_format.from_blobs([r[-1] for r in rows])
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=STORE_CRS), crs=STORE_CRS)

    def patrols(self, *, first_day: date | None = None, last_day: date | None = None) -> pd.DataFrame:
        where, params = _day_range(SERVICE_DAY, first_day, last_day)
        frame = self.query(
            f"SELECT {PATROL_ID}, {TEAM}, {START_UTC}, {END_UTC}, {STAFF}, {KIND}, {SERVICE_DAY}, {SHIFT} "
            f"FROM {T_PATROLS} {where} ORDER BY {START_UTC}",
            params,
        )
        for col in (START_UTC, END_UTC):
            frame[col] = pd.to_datetime(frame[col], utc=True, format="ISO8601")
        frame[SERVICE_DAY] = pd.to_datetime(frame[SERVICE_DAY]).dt.date
        return frame

    def encounters(self, *, first_day: date | None = None, last_day: date | None = None) -> pd.DataFrame:
        where, params = _day_range(LOCAL_DATE, first_day, last_day)
        frame = self.query(
            f"SELECT {ENCOUNTER_ID}, {TIME_UTC}, {LOCAL_DATE}, {LON}, {LAT}, {PATROL_ID}, {CATEGORY}, "
            f"{AGE_GROUP}, {NEW_CONTACT}, {FROM_OUTSIDE_OSLO}, {PEOPLE}, cell_9, cell_10, cell_11 "
            f"FROM {T_ENCOUNTERS} {where} ORDER BY {TIME_UTC}",
            params,
        )
        frame[TIME_UTC] = pd.to_datetime(frame[TIME_UTC], utc=True, format="ISO8601")
        frame[LOCAL_DATE] = pd.to_datetime(frame[LOCAL_DATE]).dt.date
        frame[NEW_CONTACT] = frame[NEW_CONTACT].astype(bool)
        return frame

    def iter_track_points(
        self, *, patrol_ids: list[str] | None = None, batch_patrols: int = 500
    ) -> Iterator[pd.DataFrame]:
        """Track points of whole patrols, ``batch_patrols`` patrols at a time, by fid and time.

        All patrols are read in fid ranges; given patrols by an index lookup per
        patrol (``… IN (SELECT fid FROM temp._fids)``), so that a few patrols
        cost a few index seeks however large the store is.
        """
        if patrol_ids is None:
            fids = self._patrol_fids(None)
        else:
            lookup = self._fid_lookup(patrol_ids)
            fids = pd.Series(lookup.index.to_numpy(dtype=object), index=lookup.to_numpy()).sort_index()
        columns = f"{PATROL_FID}, time_ms, {LON}, {LAT}, COALESCE({ACCURACY_M}, -9e999)"  # NULL → -inf
        for start in range(0, len(fids), batch_patrols):
            batch = fids.iloc[start : start + batch_patrols]
            lo, hi = int(batch.index.min()), int(batch.index.max())
            if patrol_ids is None or hi - lo + 1 == len(batch):
                where, params = f"{PATROL_FID} BETWEEN ? AND ?", (lo, hi)
            else:
                self._fill_temp_fids(batch.index.to_numpy())
                where, params = f"{PATROL_FID} IN (SELECT fid FROM temp._fids)", ()
            rows = np.fromiter(  # straight from the cursor into one record array: no list of rows
                self._conn.execute(f"SELECT {columns} FROM {T_TRACK_POINTS} WHERE {where} "
                                   f"ORDER BY {PATROL_FID}, time_ms", params), dtype=_POINT_RECORD)
            rows = rows[np.isin(rows["fid"], batch.index.to_numpy())]
            if not len(rows):
                continue
            yield pd.DataFrame(
                {
                    PATROL_ID: _repeat_text(batch.reindex(np.unique(rows["fid"])).to_numpy(), rows["fid"]),
                    TIME_UTC: pd.to_datetime(rows["ms"], unit="ms", utc=True),
                    LON: rows["lon"],
                    LAT: rows["lat"],
                    ACCURACY_M: np.where(np.isneginf(rows["accuracy"]), np.nan, rows["accuracy"]),
                }
            )

    def derived(self, table: str, *, patrol_ids: list[str] | None = None) -> pd.DataFrame:
        if table not in DERIVED_TABLES:
            raise ValueError(f"table must be one of {', '.join(DERIVED_TABLES)}; got {table!r}")
        if table == T_ENCOUNTER_AREAS:
            return self.query(f"SELECT * FROM {table}")
        frame = self.query(
            f"SELECT p.{PATROL_ID} AS {PATROL_ID}, d.* FROM {table} d JOIN {T_PATROLS} p ON p.fid = d.{PATROL_FID}"
        )
        frame = frame.drop(columns=[PATROL_FID])
        if patrol_ids is not None:
            frame = frame[frame[PATROL_ID].isin(patrol_ids)]
        return frame

    def area_drafts(self) -> gpd.GeoDataFrame:
        if not self._has_table(T_AREA_DRAFTS):
            return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in DRAFT_COLUMNS},
                                    geometry=gpd.GeoSeries([], crs=STORE_CRS), crs=STORE_CRS)
        rows = self._conn.execute(f"SELECT {', '.join(DRAFT_COLUMNS)}, geom FROM {T_AREA_DRAFTS} ORDER BY fid").fetchall()
        frame = pd.DataFrame([r[:-1] for r in rows], columns=list(DRAFT_COLUMNS))
        frame[VALID_FROM] = [date.fromisoformat(d) for d in frame[VALID_FROM]]
        frame["created_utc"] = pd.to_datetime(frame["created_utc"], utc=True, format="ISO8601")
        geometry = gpkg_format.from_blobs([r[-1] for r in rows])
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=STORE_CRS), crs=STORE_CRS)

    def imports(self) -> pd.DataFrame:
        return self.query(f"SELECT time_utc, file, sha256, kind, added, rejected FROM {T_IMPORTS} ORDER BY fid")

    def counts(self) -> dict[str, int]:
        tables = (T_AREAS, T_PATROLS, T_TRACK_POINTS, T_ENCOUNTERS, T_IMPORTS, *DERIVED_TABLES)
        counts = {t: self._count(t) for t in tables if t != T_TRACK_POINTS}
        kept = self._conn.execute(f"SELECT value FROM {T_FACTS} WHERE name = ?", (T_TRACK_POINTS,)).fetchone()
        counts[T_TRACK_POINTS] = int(kept[0]) if kept else self._count(T_TRACK_POINTS)
        return {t: counts[t] for t in tables}

    def is_imported(self, sha256: str) -> bool:
        return self._conn.execute(f"SELECT 1 FROM {T_IMPORTS} WHERE sha256 = ?", (sha256,)).fetchone() is not None

    # --- writing ----------------------------------------------------------------
    def add_patrols(self, patrols: pd.DataFrame) -> int:
        if patrols.empty:
            return 0
        frame = pd.DataFrame(
            {
                PATROL_ID: patrols[PATROL_ID].astype(str),
                TEAM: patrols[TEAM].astype(str),
                START_UTC: _iso_utc(patrols[START_UTC]),
                END_UTC: _iso_utc(patrols[END_UTC]),
                STAFF: patrols[STAFF].astype(np.int64),
                KIND: patrols[KIND].astype(str),
                SERVICE_DAY: pd.Series(service_day(patrols[START_UTC])).astype(str),
                SHIFT: shift_of(patrols[START_UTC], patrols[END_UTC]).to_numpy(),
                SOURCE_FILE: patrols.get(SOURCE_FILE, pd.Series("", index=patrols.index)).astype(str),
            }
        )
        before = self._count(T_PATROLS)
        cols = list(frame.columns)
        updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c != PATROL_ID)
        with self.transaction():
            stored = rollups.rollup_keys(self, frame[PATROL_ID])
            self._executemany(
                f"INSERT INTO {T_PATROLS} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
                f"ON CONFLICT({PATROL_ID}) DO UPDATE SET {updates}",
                frame,
            )
            if len(stored):  # a stored patrol's day, team, kind, shift or staff may have changed
                rollups.keep(self, rollups.changed_days(stored, rollups.rollup_keys(self, stored[PATROL_ID])))
        return self._count(T_PATROLS) - before

    def add_track_points(self, points: pd.DataFrame) -> int:
        """Insert track points (times to the millisecond); points already stored for the
        same (patrol, time) are ignored, and so are repeats within ``points`` (the first
        is kept). Returns rows added."""
        if points.empty:
            return 0
        patrol_fid = fid_column(points[PATROL_ID], self._fid_lookup, what="track points")
        time_ms = pd.DatetimeIndex(points[TIME_UTC]).as_unit("ms").asi8
        order = None if in_pair_order(patrol_fid, time_ms) else np.lexsort((time_ms, patrol_fid))  # stable
        frame = pd.DataFrame(
            {
                PATROL_FID: patrol_fid,
                "time_ms": time_ms,
                LON: points[LON].to_numpy(np.float64),
                LAT: points[LAT].to_numpy(np.float64),
                ACCURACY_M: points[ACCURACY_M].to_numpy(np.float64) if ACCURACY_M in points else np.nan,
            }
        )
        if order is not None:
            frame = frame.take(order)
        with self.transaction():
            before = self._conn.total_changes
            self._executemany(f"INSERT OR IGNORE INTO {T_TRACK_POINTS} VALUES (?, ?, ?, ?, ?)", frame)
            added = self._conn.total_changes - before
            self._conn.execute(
                f"INSERT INTO {T_FACTS} (name, value) VALUES (?, ?) "
                f"ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
                (T_TRACK_POINTS, added),
            )
        return added

    def add_encounters(self, encounters: pd.DataFrame) -> int:
        if encounters.empty:
            return 0
        cells = encounter_cells(encounters)  # from the engine, at import (geo.engine.presence.with_encounter_cells)
        geom = gpkg_format.to_blobs(shapely.points(encounters[LON].to_numpy(), encounters[LAT].to_numpy()))
        frame = pd.DataFrame(
            {
                "geom": geom,
                ENCOUNTER_ID: encounters[ENCOUNTER_ID].astype(str).to_numpy(),
                TIME_UTC: _iso_utc(encounters[TIME_UTC]).to_numpy(),
                LOCAL_DATE: pd.Series(local_date(encounters[TIME_UTC])).astype(str).to_numpy(),
                LON: encounters[LON].to_numpy(np.float64),
                LAT: encounters[LAT].to_numpy(np.float64),
                PATROL_ID: encounters[PATROL_ID].astype(object).where(encounters[PATROL_ID].notna(), None).to_numpy(),
                CATEGORY: encounters[CATEGORY].astype(str).to_numpy(),
                AGE_GROUP: encounters[AGE_GROUP].astype(str).to_numpy(),
                NEW_CONTACT: encounters[NEW_CONTACT].astype(bool).astype(int).to_numpy(),
                FROM_OUTSIDE_OSLO: encounters[FROM_OUTSIDE_OSLO].astype(str).to_numpy(),
                PEOPLE: encounters[PEOPLE].astype(np.int64).to_numpy(),
                "cell_9": cells[9],
                "cell_10": cells[10],
                "cell_11": cells[11],
                SOURCE_FILE: encounters.get(SOURCE_FILE, pd.Series("", index=encounters.index)).astype(str).to_numpy(),
            }
        )
        cols = list(frame.columns)
        with self.transaction():  # counted inside: the commit also raises the change token
            before = self._conn.total_changes
            self._executemany(
                f"INSERT OR IGNORE INTO {T_ENCOUNTERS} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                frame,
            )
            return self._conn.total_changes - before

    def add_area_versions(self, versions: gpd.GeoDataFrame, *, changed_by: str | None = None) -> list[tuple[str, int]]:
        """Add area versions, all or none; an identical version already stored is skipped.

        Versions are numbered 1, 2, ... per area in order of addition. A new
        version whose ``valid_from`` falls inside an earlier version's validity
        closes that version on its ``valid_from`` (the old geometry is never
        overwritten). A new version that would overlap a version starting on or
        after its ``valid_from`` is refused (:class:`AreaVersionConflict`).
        Every change is logged in ``area_changes``.
        """
        changed: list[tuple[str, int]] = []
        blobs = gpkg_format.to_blobs(versions.geometry.to_numpy())
        with self.transaction():
            for row, blob in zip(versions.itertuples(index=False), blobs):  # one per area version
                changed += self._add_area_version(row, blob, changed_by)
        return changed

    def _has_indoor_column(self) -> bool:
        return any(r[1] == INDOOR for r in self._conn.execute(f"PRAGMA table_info({T_AREAS})"))

    def _add_area_version(self, row, blob: bytes, changed_by: str | None) -> list[tuple[str, int]]:
        plan = plan_area_version(self.areas(), row)
        if plan is None:
            return []
        if not self._has_indoor_column():  # a store made before the column gets it with its first new version
            self._conn.execute(f"ALTER TABLE {T_AREAS} ADD COLUMN {INDOOR} BOOLEAN NOT NULL DEFAULT 0")
        for number in plan.close:
            self._conn.execute(
                f"UPDATE {T_AREAS} SET {VALID_TO} = ? WHERE {AREA_ID} = ? AND {AREA_VERSION} = ?",
                (plan.valid_from.isoformat(), plan.area_id, number),
            )
            self._log_area_change(plan.area_id, number, "closed", plan.closed_detail, changed_by)
        self._conn.execute(
            f"INSERT INTO {T_AREAS} (geom, {AREA_ID}, {AREA_VERSION}, {AREA_NAME}, {AREA_TEAM}, "
            f"{VALID_FROM}, {VALID_TO}, {SOURCE_FILE}, {INDOOR}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (blob, plan.area_id, plan.version, getattr(row, AREA_NAME), getattr(row, AREA_TEAM, None),
             plan.valid_from.isoformat(), plan.valid_to.isoformat() if plan.valid_to else None,
             getattr(row, SOURCE_FILE, None), int(plan.indoor)),
        )
        self._log_area_change(plan.area_id, plan.version, "added", plan.added_detail, changed_by)
        return [(plan.area_id, n) for n in plan.close] + [(plan.area_id, plan.version)]

    def add_area_draft(self, areas: gpd.GeoDataFrame, *, source: str, created_by: str | None = None) -> str:
        """Save ``areas`` (EPSG:4326 polygons with ``area_id``, ``name``, ``valid_from``,
        optional ``team``) as one new draft in ``area_drafts``; returns its id (``draft-<n>``).

        The field areas, their change log and every derived table are untouched.
        """
        multi = draft_multipolygons(areas)
        created_by = current_actor(created_by)
        with self.transaction():
            self._conn.execute(_DRAFTS_SQL)  # one statement: executescript would commit the transaction
            gpkg_format.register_layer(self._conn, T_AREA_DRAFTS, geometry_type="MULTIPOLYGON",
                                       description="Suggested field areas (drafts): never used for presence")
            number = self._conn.execute(f"SELECT COUNT(DISTINCT {DRAFT_ID}) FROM {T_AREA_DRAFTS}").fetchone()[0] + 1
            draft_id = f"draft-{number}"
            team = areas[AREA_TEAM] if AREA_TEAM in areas else pd.Series(None, index=areas.index, dtype=object)
            frame = pd.DataFrame({
                "geom": gpkg_format.to_blobs(multi),
                DRAFT_ID: draft_id,
                AREA_ID: areas[AREA_ID].astype(str).to_numpy(),
                AREA_NAME: areas[AREA_NAME].astype(str).to_numpy(),
                AREA_TEAM: team.to_numpy(),
                VALID_FROM: [d.isoformat() for d in areas[VALID_FROM]],
                "created_utc": _now_iso(),
                "created_by": created_by,
                "source": source,
            })
            cols = list(frame.columns)
            self._executemany(f"INSERT INTO {T_AREA_DRAFTS} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                              frame)
            self.log_audit("draft", {"draft_id": draft_id, "areas": len(frame), "source": source}, actor=created_by)
        return draft_id

    def replace_derived(
        self,
        table: str,
        frame: pd.DataFrame,
        *,
        patrol_ids: list[str] | None = None,
        area_ids: list[str] | None = None,
        encounter_ids: list[str] | None = None,
    ) -> None:
        if table not in DERIVED_TABLES:
            raise ValueError(f"table must be one of {', '.join(DERIVED_TABLES)}; got {table!r}")
        if patrol_ids is not None and table == T_ENCOUNTER_AREAS:
            raise ValueError("encounter_areas is replaced by encounter or area, not by patrol")
        keyed = table in PATROL_KEYED_TABLES
        conditions, params = [], []
        if area_ids is not None:
            conditions.append(f"{AREA_ID} IN ({', '.join('?' * len(area_ids))})")
            params += list(area_ids)
        fids = np.zeros(0, np.int64)
        with self.transaction():
            if encounter_ids is not None:
                _check_encounter_keyed(table)
                self._conn.execute("CREATE TEMP TABLE IF NOT EXISTS _ids (id TEXT PRIMARY KEY)")
                self._conn.execute("DELETE FROM temp._ids")
                self._conn.executemany("INSERT OR IGNORE INTO temp._ids VALUES (?)",
                                       [(str(i),) for i in pd.unique(pd.Series(encounter_ids, dtype=object))])
                conditions.append(f"{ENCOUNTER_ID} IN (SELECT id FROM temp._ids)")
            if patrol_ids is not None and keyed:
                fids = self._fid_lookup(patrol_ids).to_numpy()
                self._fill_temp_fids(fids)
                conditions.append(f"{PATROL_FID} IN (SELECT fid FROM temp._fids)")
            where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
            removed = self._conn.execute(f"DELETE FROM {table} {where}", params).rowcount
            if not frame.empty:
                if keyed:
                    frame = keyed_by_fid(frame, self._fid_lookup, what=table)
                    fids = np.union1d(fids, frame[PATROL_FID].to_numpy())
                cols = list(frame.columns)
                self._executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                                  frame)
            rollups.after_replace(self, self._conn.execute, table, patrol_ids, fids, removed=removed)

    # --- rollups (geo.store.rollups) ------------------------------------------------------------
    def rollups_complete(self) -> bool:
        """Whether the cell rollups hold every patrol's rows (readers fall back to the detail if not)."""
        return rollups.is_complete(self._conn.execute(rollups.complete_sql()[0]).fetchone())

    def rebuild_rollups(self, days: list[str] | None = None, *, kinds: tuple[str, ...] = rollups.KINDS) -> None:
        """Rebuild the cell rollups of service ``days`` (ISO dates) from the detail; all when None."""
        rollups.rebuild(self, self._conn.execute, SQLITE, days, kinds)

    def _empty(self, table: str) -> bool:
        return self._conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is None

    def log_import(self, *, file: str, sha256: str, kind: str, added: int, rejected: int) -> None:
        with self.transaction():
            self._conn.execute(
                f"INSERT INTO {T_IMPORTS} (time_utc, file, sha256, kind, added, rejected) VALUES (?, ?, ?, ?, ?, ?)",
                (_now_iso(), file, sha256, kind, int(added), int(rejected)),
            )
            self.log_audit("import", {"file": file, "sha256": sha256, "kind": kind, "added": int(added),
                                      "rejected": int(rejected)})

    def log_export(self, *, preset: str, first_day: date, last_day: date, compare_first: date | None,
                   compare_last: date | None, k: int, format: str, file: str, sha256: str,
                   actor: str | None = None) -> None:
        """Record one export in ``export_log`` and the audit log; ``actor`` defaults to the
        thread's :func:`geo.store.audit.acting_as` actor. Changes no answer."""
        actor = current_actor(actor)
        with self.transaction(changes_answers=False):  # the audit log changes no answer: caches stay valid
            self._conn.execute(_EXPORT_LOG_SQL)  # one statement: executescript would commit the transaction
            gpkg_format.register_layer(self._conn, T_EXPORT_LOG, geometry_type=None,
                                       description="Audit log of situation-picture exports")
            if "actor" not in self._columns(T_EXPORT_LOG):  # a log written before exports named the user
                self._conn.execute(f"ALTER TABLE {T_EXPORT_LOG} ADD COLUMN actor TEXT")
            values = (_now_iso(), preset, first_day.isoformat(), last_day.isoformat(),
                      compare_first.isoformat() if compare_first else None,
                      compare_last.isoformat() if compare_last else None, int(k), format, file, sha256, actor)
            self._conn.execute(
                f"INSERT INTO {T_EXPORT_LOG} ({', '.join(EXPORT_LOG_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(EXPORT_LOG_COLUMNS))})", values)
            self.log_audit("export", dict(zip(EXPORT_LOG_COLUMNS[1:-1], values[1:-1])), actor=actor)

    def exports(self) -> pd.DataFrame:
        if not self._has_table(T_EXPORT_LOG):
            return pd.DataFrame({c: pd.Series(dtype=object) for c in EXPORT_LOG_COLUMNS})
        present = self._columns(T_EXPORT_LOG)
        shown = ", ".join(c if c in present else f"NULL AS {c}" for c in EXPORT_LOG_COLUMNS)
        return self.query(f"SELECT {shown} FROM {T_EXPORT_LOG} ORDER BY fid")

    def save_plan(self, week: str, lines: pd.DataFrame, *, settings: str, saved_by: str | None = None) -> int:
        if lines.empty:
            raise ValueError("a plan needs at least one line to be saved")
        with self.transaction():
            self._conn.execute(_PLANS_SQL)  # one statement: executescript would commit the transaction
            gpkg_format.register_layer(self._conn, T_PLANS, geometry_type=None,
                                       description="Saved patrol plans: one row per line, versioned per ISO week")
            latest = self._conn.execute(f"SELECT MAX({PLAN_VERSION}) FROM {T_PLANS} WHERE {PLAN_WEEK} = ?",
                                        (week,)).fetchone()[0]
            version = int(latest or 0) + 1
            frame = lines[list(PLAN_LINE_COLUMNS)].copy()
            for column, value in reversed(list(zip(PLAN_COLUMNS[:5], (week, version, _now_iso(), saved_by, settings)))):
                frame.insert(0, column, value)
            self._executemany(f"INSERT INTO {T_PLANS} ({', '.join(PLAN_COLUMNS)}) "
                              f"VALUES ({', '.join('?' * len(PLAN_COLUMNS))})", frame)
        return version

    def plans(self, *, week: str | None = None) -> pd.DataFrame:
        if not self._has_table(T_PLANS):
            return pd.DataFrame({c: pd.Series(dtype=object) for c in PLAN_COLUMNS})
        where, params = (f"WHERE {PLAN_WEEK} = ?", (week,)) if week is not None else ("", ())
        return self.query(f"SELECT {', '.join(PLAN_COLUMNS)} FROM {T_PLANS} {where} ORDER BY {PLAN_WEEK}, "
                          f"{PLAN_VERSION}, fid", params)

    # --- helpers --------------------------------------------------------------
    def _log_area_change(self, area_id: str, version: int, change: str, detail: str, changed_by: str | None) -> None:
        changed_by = current_actor(changed_by)
        self._conn.execute(
            f"INSERT INTO {T_AREA_CHANGES} (time_utc, {AREA_ID}, {AREA_VERSION}, change, detail, changed_by) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (_now_iso(), area_id, version, change, detail, changed_by),
        )
        self.log_audit("area_change", {"area_id": area_id, "version": int(version), "change": change,
                                       "detail": detail}, actor=changed_by)

    def _fid_lookup(self, patrol_ids) -> pd.Series:
        """fid (values, int64) of the stored patrols among ``patrol_ids`` (index, text); one
        query per 500 distinct ids, never a read of the whole patrols table."""
        ids = pd.unique(pd.Series(patrol_ids, dtype=object).astype(str).to_numpy()).tolist()
        rows: list[tuple[str, int]] = []
        for start in range(0, len(ids), _IDS_PER_QUERY):
            part = ids[start: start + _IDS_PER_QUERY]
            rows += self._conn.execute(
                f"SELECT {PATROL_ID}, fid FROM {T_PATROLS} WHERE {PATROL_ID} IN ({', '.join('?' * len(part))})", part
            ).fetchall()
        return pd.Series([f for _, f in rows], index=[p for p, _ in rows], dtype=np.int64)

    def _fill_temp_fids(self, fids: np.ndarray) -> None:
        """``temp._fids`` holds exactly ``fids`` (for ``… IN (SELECT fid FROM temp._fids)``)."""
        self._conn.execute("CREATE TEMP TABLE IF NOT EXISTS _fids (fid INTEGER PRIMARY KEY)")
        self._conn.execute("DELETE FROM temp._fids")
        self._conn.executemany("INSERT OR IGNORE INTO temp._fids VALUES (?)", [(int(f),) for f in fids])  # per patrol

    def _patrol_fids(self, patrol_ids: list[str] | None) -> pd.Series:
        """patrol_id by fid (index), all or the given patrols, ordered by fid."""
        frame = self.query(f"SELECT fid, {PATROL_ID} FROM {T_PATROLS} ORDER BY fid")
        series = pd.Series(frame[PATROL_ID].to_numpy(), index=frame["fid"].to_numpy())
        if patrol_ids is not None:
            series = series[series.isin(list(patrol_ids))]
        return series

    def _has_table(self, table: str) -> bool:
        return self._conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                  (table,)).fetchone() is not None

    def _columns(self, table: str) -> set[str]:
        return {row[1] for row in self._conn.execute(f"PRAGMA table_info({table})")}

    def _count(self, table: str) -> int:
        return int(self._conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    def _executemany(self, sql: str, frame: pd.DataFrame) -> None:
        """Run ``sql`` (an INSERT with one ``VALUES (?, …)`` row) for every row of ``frame``.

        Rows go in many per statement (``VALUES (…), (…), …``): SQLite then runs
        one statement per :data:`ROWS_PER_STATEMENT` rows instead of one per row,
        which halves the time of a bulk insert (500,000 track points: 0.45 s
        instead of 1.0 s; the C-only floor, ``INSERT … SELECT`` from another
        table, is 0.35 s). The parameters are built by numpy from whole columns.
        """
        columns = [_plain(frame[c]) for c in frame.columns]
        head, row, tail = _split_values(sql)
        with self.transaction():
            if row is None or not columns or len(frame) < 2:
                self._conn.executemany(sql, zip(*(c.tolist() for c in columns)))
                return
            width = len(columns)
            per = max(1, min(ROWS_PER_STATEMENT, self._conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width))
            table = np.empty((len(frame), width), dtype=object)
            for j, values in enumerate(columns):
                table[:, j] = values
            whole = len(frame) // per * per
            if whole:
                self._conn.executemany(head + ", ".join([row] * per) + tail, table[:whole].reshape(-1, per * width).tolist())
            if whole < len(frame):
                self._conn.execute(head + ", ".join([row] * (len(frame) - whole)) + tail, table[whole:].ravel().tolist())


_POINT_RECORD = np.dtype([("fid", "<i8"), ("ms", "<i8"), ("lon", "<f8"), ("lat", "<f8"), ("accuracy", "<f8")])
"""One track point as read back (accuracy -inf = NULL)."""

_IDS_PER_QUERY = 500
"""Patrol ids per ``IN (…)`` lookup (SQLite allows at least 999 parameters)."""

ROWS_PER_STATEMENT = 100
"""Rows per INSERT statement in bulk writes (fewer if SQLite's parameter limit requires)."""

_VALUES_ROW = re.compile(r"VALUES\s*(\(\s*\?(?:\s*,\s*\?)*\s*\))")


def _split_values(sql: str) -> tuple[str, str | None, str]:
    """``INSERT … VALUES (?, ?) ON CONFLICT …`` → (``INSERT … VALUES ``, ``(?, ?)``, `` ON CONFLICT …``)."""
    match = _VALUES_ROW.search(sql)
    if match is None:
        return sql, None, ""
    return sql[: match.start(1)], match.group(1), sql[match.end(1):]


def _inspect(path: Path, *, create: bool, busy_timeout_s: float) -> bool:
    """Whether the existing file at ``path`` is a Feltkart store with every table the schema creates.

    Looks through a read-only connection, so nothing is ever written to a file
    that is refused: a database that is not a Feltkart store (no GeoPackage
    ``application_id`` or no Feltkart tables), or an empty file when ``create``
    is False (with ``create`` an empty file, holding nothing, becomes a store).
    """
    if not path.is_file():
        raise StoreError(f"{path} is not a file: a store is one .gpkg file")
    if path.stat().st_size == 0:
        if create:
            return False
        raise NotAFeltkartStore(f"{path} is an empty file, not a Feltkart store; import data into it "
                                "(python -m geo import --store ...) to make it one")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=busy_timeout_s)
        try:
            application_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:
        raise _busy_or(exc, path) from exc
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a GeoPackage/SQLite file Feltkart can use: {exc}") from exc
    missing = [t for t in FELTKART_TABLES if t not in tables]
    if application_id != gpkg_format.APPLICATION_ID or missing:
        what = "a GeoPackage" if application_id == gpkg_format.APPLICATION_ID else "an SQLite database"
        raise NotAFeltkartStore(
            f"{path} is {what} but not a Feltkart store (it has no {', '.join(missing or FELTKART_TABLES)} "
            "table); it was left untouched. Open a Feltkart store, or give a new file name to create one")
    return all(t in tables for t in _CREATED_TABLES)


def _busy_or(exc: sqlite3.OperationalError, path: Path) -> StoreError:
    """The StoreError for an SQLite OperationalError: busy (another writer) or cannot be opened."""
    text = str(exc)
    if any(message in text for message in _BUSY_MESSAGES):
        return StoreBusyError(f"the store {path.name} is busy with an import (another process is writing to it); "
                              "try again when the import has finished")
    return StoreError(f"cannot open the store {path}: {text}")


def _plain(column: pd.Series) -> np.ndarray:
    """Column values as an array whose items sqlite3 accepts: numbers as numbers, NaN/NA as None.

    Numeric columns stay numeric arrays (numpy makes the Python numbers in C
    when they are put in the parameter table); only columns with missing
    values become object arrays.
    """
    values = column.to_numpy()
    if values.dtype.kind in "iub":
        return values
    missing = pd.isna(values)
    if not missing.any():
        return values
    values = values.astype(object)
    values[missing] = None
    return values


def _check_encounter_keyed(table: str) -> None:
    if table != T_ENCOUNTER_AREAS:
        raise ValueError(f"only {T_ENCOUNTER_AREAS} is replaced by encounter; got {table!r}")


def _repeat_text(ids: np.ndarray, key: np.ndarray) -> pd.Series:
    """``ids[i]`` for every run of equal ``key`` (sorted), as Arrow-backed text built per run, not per row."""
    import pyarrow as pa

    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    runs = np.diff(np.r_[starts, len(key)])
    codes = np.repeat(np.arange(len(starts), dtype=np.int32), runs)
    text = pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(list(ids), type=pa.string())).cast(pa.string())
    return pd.Series(text, dtype=pd.StringDtype("pyarrow", na_value=np.nan))


def _iso_utc(times: pd.Series) -> pd.Series:
    """UTC datetimes as GeoPackage DATETIME text (millisecond precision, 'Z')."""
    utc = pd.to_datetime(times, utc=True)
    return utc.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str.slice(0, 23) + "Z"


def _now_iso() -> str:
    return gpkg_format.datetime_text()


def _day_range(column: str, first_day: date | None, last_day: date | None) -> tuple[str, tuple]:
    conditions, params = [], []
    if first_day is not None:
        conditions.append(f"{column} >= ?")
        params.append(first_day.isoformat())
    if last_day is not None:
        conditions.append(f"{column} <= ?")
        params.append(last_day.isoformat())
    return (f"WHERE {' AND '.join(conditions)}" if conditions else "", tuple(params))
