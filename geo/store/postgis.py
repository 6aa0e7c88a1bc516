"""The shared store: PostgreSQL with PostGIS, through psycopg 3.

Same tables and semantics as the GeoPackage store (``geo/store/gpkg.py``):
``field_areas`` (``geometry(MultiPolygon,4326)``), ``encounters``
(``geometry(Point,4326)``) and ``area_drafts`` open in QGIS as PostGIS layers;
``patrols``, ``imports``, ``area_changes``, ``export_log`` and ``store_facts``
are plain tables; ``track_points`` is keyed by (patrol, time) so re-imported
points are ignored; the derived tables hold the aggregates computed at import.

Types: times are ``timestamptz`` (UTC; the session time zone is UTC),
``service_day``/``local_date``/``valid_from``/``valid_to`` are ``date``
(Europe/Oslo local dates), lon/lat are EPSG:4326 degrees, lengths EPSG:25832
metres. :meth:`PostgisStore.query` returns dates and times as the same ISO
text the GeoPackage store stores, so every query in ``geo`` reads both alike.

Track points are partitioned by UTC month (``track_points_YYYYMM``, created
when the first point of a month arrives): every partition's primary key
(patrol, time) serves the per-patrol reads, and retention
(:meth:`PostgisStore.delete_track_points_before`) drops whole months instead
of deleting rows. A store created before partitioning keeps its plain table
and gets a plain ``DELETE``.

Bulk rows go in with binary ``COPY`` encoded by numpy (``geo/store/pg_copy.py``):
straight into the table when nothing can conflict, else through a temporary
staging table and ``INSERT ... ON CONFLICT``. Track points are read back
with binary ``COPY ... TO STDOUT``. The schema is created on first open
(idempotent, under an advisory lock so two first opens do not race).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from urllib.parse import urlsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.schema import (
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
    PLAN_SAVED_BY,
    PLAN_SAVED_UTC,
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
from geo.store import pg_copy, rollups
from geo.store.rows import encounter_cells, fid_column, keyed_by_fid
from geo.store.area_versions import draft_multipolygons, plan_area_version
from geo.store.audit import current_actor
from geo.store.base import GENERATION, POSTGRESQL, Store, StoreError
from geo.store.postgis_records import PostgisRecords
from geo.timeutil import local_date, service_day, shift_of

URL_SCHEMES = ("postgresql://", "postgres://")
SRID = 4326
CONNECT_TIMEOUT_S = 10
_SCHEMA_LOCK = 0x46656C74  # "Felt": advisory lock key serialising schema creation

Columns = tuple[tuple[str, str], ...]
"""(column, PostgreSQL type) pairs; types as in :data:`geo.store.pg_copy.TYPES`."""

_TRACK_COLUMNS: Columns = ((PATROL_FID, "int8"), (TIME_UTC, "timestamptz"), (LON, "float8"), (LAT, "float8"),
                           (ACCURACY_M, "float8"))
_PATROL_COLUMNS: Columns = ((PATROL_ID, "text"), (TEAM, "text"), (START_UTC, "timestamptz"), (END_UTC, "timestamptz"),
                            (STAFF, "int4"), (KIND, "text"), (SERVICE_DAY, "date"), (SHIFT, "text"),
                            (SOURCE_FILE, "text"))
_ENCOUNTER_COLUMNS: Columns = ((ENCOUNTER_ID, "text"), (TIME_UTC, "timestamptz"), (LOCAL_DATE, "date"),
                               (LON, "float8"), (LAT, "float8"), (PATROL_ID, "text"), (CATEGORY, "text"),
                               (AGE_GROUP, "text"), (NEW_CONTACT, "bool"), (FROM_OUTSIDE_OSLO, "text"),
                               (PEOPLE, "int4"), ("cell_9", "int8"), ("cell_10", "int8"), ("cell_11", "int8"),
                               (SOURCE_FILE, "text"))
DERIVED_COLUMNS: dict[str, Columns] = {
    T_PRESENCE_AREA: ((PATROL_FID, "int8"), (AREA_ID, "text"), (AREA_VERSION, "int4"), (HOUR_UTC, "int8"),
                      (SECONDS, "float8"), (METRES, "float8")),
    T_PRESENCE_CELL: ((PATROL_FID, "int8"), (RES, "int4"), (CELL, "int8"), (HOUR_UTC, "int8"),
                      (SECONDS, "float8"), (METRES, "float8")),
    T_PRESENCE_TOTAL: ((PATROL_FID, "int8"), (HOUR_UTC, "int8"), (SECONDS, "float8"), (METRES, "float8")),
    T_VISITS_AREA: ((PATROL_FID, "int8"), (AREA_ID, "text"), (VISIT_START, "float8"), (VISIT_END, "float8")),
    T_VISITS_CELL: ((PATROL_FID, "int8"), (RES, "int4"), (CELL, "int8"), (VISIT_START, "float8"),
                    (VISIT_END, "float8")),
    T_ENCOUNTER_AREAS: ((ENCOUNTER_ID, "text"), (AREA_ID, "text"), (AREA_VERSION, "int4")),
}
_SQL_TYPES = {"int8": "bigint", "int4": "integer", "float8": "double precision", "bool": "boolean",
              "date": "date", "timestamptz": "timestamptz", "text": "text"}


def _columns_sql(columns: Columns, not_null: Sequence[str] = ()) -> str:
    return ", ".join(f"{c} {_SQL_TYPES[t]}{' NOT NULL' if c in not_null else ''}" for c, t in columns)


_IDENTITY = "fid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
_SCHEMA_SQL = [
    f"""CREATE TABLE IF NOT EXISTS {T_AREAS} ({_IDENTITY}, geom geometry(MultiPolygon,{SRID}) NOT NULL,
      {AREA_ID} text NOT NULL, {AREA_VERSION} integer NOT NULL, {AREA_NAME} text NOT NULL, {AREA_TEAM} text,
      {VALID_FROM} date NOT NULL, {VALID_TO} date, {SOURCE_FILE} text, {INDOOR} boolean NOT NULL DEFAULT false,
      UNIQUE ({AREA_ID}, {AREA_VERSION}))""",
    f"CREATE INDEX IF NOT EXISTS {T_AREAS}_geom ON {T_AREAS} USING gist (geom)",
    f"""CREATE TABLE IF NOT EXISTS {T_AREA_CHANGES} ({_IDENTITY}, time_utc timestamptz NOT NULL DEFAULT now(),
      {AREA_ID} text NOT NULL, {AREA_VERSION} integer NOT NULL, change text NOT NULL, detail text, changed_by text)""",
    f"""CREATE TABLE IF NOT EXISTS {T_PATROLS} ({_IDENTITY}, {_columns_sql(_PATROL_COLUMNS, [
        c for c, _ in _PATROL_COLUMNS if c != SOURCE_FILE])}, UNIQUE ({PATROL_ID}))""",
    f"CREATE INDEX IF NOT EXISTS patrols_service_day ON {T_PATROLS} ({SERVICE_DAY})",
    f"""CREATE TABLE IF NOT EXISTS {T_TRACK_POINTS} ({_columns_sql(_TRACK_COLUMNS, [PATROL_FID, TIME_UTC, LON, LAT])},
      PRIMARY KEY ({PATROL_FID}, {TIME_UTC})) PARTITION BY RANGE ({TIME_UTC})""",
    f"""CREATE TABLE IF NOT EXISTS {T_ENCOUNTERS} ({_IDENTITY}, geom geometry(Point,{SRID}) NOT NULL,
      {_columns_sql(_ENCOUNTER_COLUMNS, [c for c, _ in _ENCOUNTER_COLUMNS
                                          if c not in (PATROL_ID, SOURCE_FILE, 'cell_9', 'cell_10', 'cell_11')])},
      UNIQUE ({ENCOUNTER_ID}))""",
    f"CREATE INDEX IF NOT EXISTS encounters_local_date ON {T_ENCOUNTERS} ({LOCAL_DATE})",
    f"CREATE INDEX IF NOT EXISTS encounters_geom ON {T_ENCOUNTERS} USING gist (geom)",
    f"""CREATE TABLE IF NOT EXISTS {T_IMPORTS} ({_IDENTITY}, time_utc timestamptz NOT NULL DEFAULT now(),
      file text NOT NULL, sha256 text NOT NULL, kind text NOT NULL, added integer NOT NULL, rejected integer NOT NULL)""",
    f"CREATE INDEX IF NOT EXISTS imports_sha256 ON {T_IMPORTS} (sha256)",
    f"CREATE TABLE IF NOT EXISTS {T_FACTS} (name text PRIMARY KEY, value bigint NOT NULL)",
    *[f"CREATE TABLE IF NOT EXISTS {t} ({_columns_sql(c, [n for n, _ in c])})" for t, c in DERIVED_COLUMNS.items()],
    *[f"CREATE INDEX IF NOT EXISTS {t}_patrol ON {t} ({PATROL_FID})" for t in PATROL_KEYED_TABLES],
    f"CREATE INDEX IF NOT EXISTS encounter_areas_encounter ON {T_ENCOUNTER_AREAS} ({ENCOUNTER_ID})",
    f"CREATE INDEX IF NOT EXISTS encounter_areas_area ON {T_ENCOUNTER_AREAS} ({AREA_ID})",
    f"""CREATE TABLE IF NOT EXISTS {T_AREA_DRAFTS} ({_IDENTITY}, geom geometry(MultiPolygon,{SRID}) NOT NULL,
      {DRAFT_ID} text NOT NULL, {AREA_ID} text NOT NULL, {AREA_NAME} text NOT NULL, {AREA_TEAM} text,
      {VALID_FROM} date NOT NULL, created_utc timestamptz NOT NULL DEFAULT now(), created_by text, source text NOT NULL,
      UNIQUE ({DRAFT_ID}, {AREA_ID}))""",
    f"""CREATE TABLE IF NOT EXISTS {T_EXPORT_LOG} ({_IDENTITY}, time_utc timestamptz NOT NULL DEFAULT now(),
      preset text NOT NULL, first_day date NOT NULL, last_day date NOT NULL, compare_first date, compare_last date,
      k integer NOT NULL, format text NOT NULL, file text NOT NULL, sha256 text NOT NULL, actor text)""",
    f"INSERT INTO {T_FACTS} (name, value) VALUES ('{T_TRACK_POINTS}', 0), ('{GENERATION}', 0) ON CONFLICT DO NOTHING",
    *rollups.schema_sql(POSTGRESQL),
]
_PLAN_COLUMNS: Columns = tuple(zip(PLAN_COLUMNS, ("text", "int4", "timestamptz", "text", "text", "text", "int4",
                                                "text", "int4", "float8", "float8"), strict=True))
_PLANS_SQL = (f"CREATE TABLE IF NOT EXISTS {T_PLANS} ({_IDENTITY}, "
              f"{_columns_sql(_PLAN_COLUMNS, [c for c in PLAN_COLUMNS if c != PLAN_SAVED_BY])}, "
              f"UNIQUE ({PLAN_WEEK}, {PLAN_VERSION}, {', '.join(PLAN_LINE_COLUMNS[:3])}))")
"""Saved plans: created on the first save (not in :data:`_ALL_TABLES`, so stores made before plans existed
still open with ``create=False``)."""
_PLANS_LOCK = 0x506C616E  # "Plan": advisory lock serialising the creation of ``plans`` and its version numbers
_ALL_TABLES = (T_AREAS, T_AREA_CHANGES, T_PATROLS, T_TRACK_POINTS, T_ENCOUNTERS, T_IMPORTS, T_FACTS, *DERIVED_TABLES,
               T_AREA_DRAFTS, T_EXPORT_LOG, *rollups.ROLLUP_TABLES)


def is_postgis_url(location: object) -> bool:
    """Whether ``location`` is a PostgreSQL connection URL (``postgresql://user@host:port/db``)."""
    return str(location).startswith(URL_SCHEMES)


def describe_url(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{user}{host}{port}{parts.path}"


class PostgisStore(PostgisRecords, Store):
    """Feltkart store in a PostgreSQL database with PostGIS (SQL dialect ``postgresql``).

    Parameters
    ----------
    url
        ``postgresql://user[:password]@host[:port]/database`` (libpq URL; a
        password can also come from ``~/.pgpass`` or ``PGPASSWORD``).
    create
        Create the PostGIS extension (if allowed) and the tables when missing;
        with ``create=False`` a database without Feltkart tables is refused.
    """

    dialect = POSTGRESQL

    def __init__(self, url: str, *, create: bool = True) -> None:
        import psycopg  # imported here: a GeoPackage-only install never needs it

        self.url = url
        self._psycopg = psycopg
        try:
            self._conn = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
        except psycopg.OperationalError as exc:
            raise StoreError(
                f"cannot connect to the PostGIS store {describe_url(url)}: {_one_line(exc)}; check that the "
                "server runs and the URL (postgresql://user@host:port/database) and password are right"
            ) from exc
        self._conn.execute("SET TIME ZONE 'UTC'")
        _register_loaders(self._conn)
        self._lock = threading.RLock()
        self._depth = 0
        self._changes_answers = False
        self._ensure_schema(create)

    def close(self) -> None:
        self._conn.close()

    def _has_indoor_column(self) -> bool:
        """Whether ``field_areas`` has ``indoor`` (stores made before it lack it until their next area version)."""
        with self._lock:
            return self._conn.execute(
                "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = %s AND column_name = %s", (T_AREAS, INDOOR)).fetchone() is not None

    def _ensure_schema(self, create: bool) -> None:
        """Check PostGIS and create every missing table (idempotent)."""
        errors = self._psycopg.errors
        has_postgis = self._conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone()
        missing = [t for t in _ALL_TABLES if self._conn.execute("SELECT to_regclass(%s)", (t,)).fetchone()[0] is None]
        if has_postgis and not missing:
            return
        if not create:
            raise StoreError(f"PostGIS store {describe_url(self.url)} has no Feltkart tables "
                             f"(missing {', '.join(missing)}); import data into it first "
                             f"(python -m geo import --store URL FILE...)")
        if not has_postgis:
            try:
                self._conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            except (errors.FeatureNotSupported, errors.UndefinedFile, errors.InsufficientPrivilege,
                    errors.UndefinedObject) as exc:
                raise StoreError(
                    f"the PostGIS extension is not available in {describe_url(self.url)}: {_one_line(exc)}; "
                    "install PostGIS on the server (Debian: apt-get install postgresql-15-postgis-3) and run "
                    "CREATE EXTENSION postgis; in the database as a superuser"
                ) from exc
        with self._conn.transaction():
            self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            for statement in _SCHEMA_SQL:
                self._conn.execute(statement)
            if not self.rollups_complete() and not any(
                    self._conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() for t in rollups.DETAIL):
                self._conn.execute(rollups.complete_sql()[1])  # nothing to roll up yet: complete as they are

    # --- transactions ---------------------------------------------------------------------
    @contextmanager
    def transaction(self, *, changes_answers: bool = True) -> Iterator[PostgisStore]:
        """All writes inside commit together or not at all. Nested blocks are
        savepoints; the outermost one also bumps the change token, unless every
        block inside said ``changes_answers=False`` (the export audit log)."""
        with self._lock, self._conn.transaction():
            self._depth += 1
            if self._depth == 1:
                self._changes_answers = False
            self._changes_answers |= changes_answers
            try:
                yield self
                if self._depth == 1 and self._changes_answers:
                    self._conn.execute(f"UPDATE {T_FACTS} SET value = value + 1 WHERE name = %s", (GENERATION,))
            finally:
                self._depth -= 1

    def change_token(self) -> str:
        """Number of committed write transactions (any client) that answers depend on: changes
        after every import, area change and draft, not after an export is logged."""
        return str(self._scalar(f"SELECT value FROM {T_FACTS} WHERE name = %s", (GENERATION,)))

    # --- reading ----------------------------------------------------------------------------
    def query(self, sql: str, params: tuple | dict = ()) -> pd.DataFrame:
        """Run ``sql`` (``?`` or ``:name`` placeholders, translated here) and return the rows.

        Dates come back as ISO text, ``timestamptz`` as ISO UTC text with
        milliseconds (``2024-06-07T20:15:00.000Z``) and ``numeric`` as float:
        the values the GeoPackage store returns.
        """
        with self._lock, self._conn.cursor() as cur:
            cur.execute(to_psycopg(sql, params), params if isinstance(params, dict) else tuple(params))
            names = [c.name for c in cur.description] if cur.description else []
            rows = cur.fetchall() if cur.description else []
        return pd.DataFrame(rows, columns=names) if rows else pd.DataFrame({n: [] for n in names}, dtype=object)

    def areas(self) -> gpd.GeoDataFrame:
        indoor = INDOOR if self._has_indoor_column() else "false"  # a store made before the column: none indoor
        frame = self.query(
            f"SELECT {AREA_ID}, {AREA_VERSION}, {AREA_NAME}, {AREA_TEAM}, {VALID_FROM}, {VALID_TO}, "
            f"{indoor} AS {INDOOR}, ST_AsBinary(geom) AS wkb FROM {T_AREAS} ORDER BY {AREA_ID}, {AREA_VERSION}"
        )
        frame[INDOOR] = frame[INDOOR].astype(bool)
        wkb = frame.pop("wkb").to_numpy()
        frame[VALID_FROM] = [date.fromisoformat(d) for d in frame[VALID_FROM]]
        frame[VALID_TO] = [date.fromisoformat(d) if isinstance(d, str) else None for d in frame[VALID_TO]]
        frame[AREA_VERSION] = frame[AREA_VERSION].astype(np.int64)
        geometry = shapely.from_wkb([bytes(b) for b in wkb]) if len(wkb) else []
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=STORE_CRS), crs=STORE_CRS)

    def patrols(self, *, first_day: date | None = None, last_day: date | None = None) -> pd.DataFrame:
        where, params = _day_range(SERVICE_DAY, first_day, last_day)
        frame = self.query(
            f"SELECT {PATROL_ID}, {TEAM}, {START_UTC}, {END_UTC}, {STAFF}, {KIND}, {SERVICE_DAY}, {SHIFT} "
            f"FROM {T_PATROLS} {where} ORDER BY {START_UTC}, fid",
            params,
        )
        for col in (START_UTC, END_UTC):
            frame[col] = pd.to_datetime(frame[col], utc=True, format="ISO8601")
        frame[SERVICE_DAY] = pd.to_datetime(frame[SERVICE_DAY]).dt.date
        frame[STAFF] = frame[STAFF].astype(np.int64)
        return frame

    def encounters(self, *, first_day: date | None = None, last_day: date | None = None) -> pd.DataFrame:
        where, params = _day_range(LOCAL_DATE, first_day, last_day)
        frame = self.query(
            f"SELECT {ENCOUNTER_ID}, {TIME_UTC}, {LOCAL_DATE}, {LON}, {LAT}, {PATROL_ID}, {CATEGORY}, "
            f"{AGE_GROUP}, {NEW_CONTACT}, {FROM_OUTSIDE_OSLO}, {PEOPLE}, cell_9, cell_10, cell_11 "
            f"FROM {T_ENCOUNTERS} {where} ORDER BY {TIME_UTC}, fid",
            params,
        )
        frame[TIME_UTC] = pd.to_datetime(frame[TIME_UTC], utc=True, format="ISO8601")
        frame[LOCAL_DATE] = pd.to_datetime(frame[LOCAL_DATE]).dt.date
        frame[NEW_CONTACT] = frame[NEW_CONTACT].astype(bool)
        for col in (LON, LAT):
            frame[col] = frame[col].astype(np.float64)
        for col in (PEOPLE, "cell_9", "cell_10", "cell_11"):
            frame[col] = frame[col].astype(np.int64)
        return frame

    def iter_track_points(
        self, *, patrol_ids: list[str] | None = None, batch_patrols: int = 500
    ) -> Iterator[pd.DataFrame]:
        """Track points of whole patrols, ``batch_patrols`` patrols at a time, ordered by
        patrol and time; read with binary COPY (times in UTC, millisecond precision)."""
        if patrol_ids is None:
            fids = self._patrol_fids(None)
        else:  # an index lookup per given patrol, not a read of the whole patrols table
            lookup = self._fid_lookup(patrol_ids)
            fids = pd.Series(lookup.index.to_numpy(dtype=object), index=lookup.to_numpy()).sort_index()
        for start in range(0, len(fids), batch_patrols):
            batch = fids.iloc[start : start + batch_patrols]
            lo, hi = int(batch.index.min()), int(batch.index.max())
            if patrol_ids is None or hi - lo + 1 == len(batch):
                where = f"{PATROL_FID} BETWEEN {lo} AND {hi}"
            else:
                where = f"{PATROL_FID} IN ({', '.join(str(int(f)) for f in batch.index)})"  # integers only
            sql = (f"COPY (SELECT {PATROL_FID}, {TIME_UTC}, {LON}, {LAT}, COALESCE({ACCURACY_M}, 'NaN') "
                   f"FROM {T_TRACK_POINTS} WHERE {where} "
                   f"ORDER BY {PATROL_FID}, {TIME_UTC}) TO STDOUT (FORMAT BINARY)")
            payload = bytearray()
            with self._lock, self._conn.cursor() as cur, cur.copy(sql) as copy:
                for piece in copy:
                    payload += piece
            rows = pg_copy.decode_fixed(bytes(payload), _TRACK_COLUMNS)
            keep = np.isin(rows[PATROL_FID], batch.index.to_numpy())
            if not keep.any():
                continue
            micros = rows[TIME_UTC][keep] + pg_copy.PG_EPOCH_US
            yield pd.DataFrame(
                {
                    PATROL_ID: batch.reindex(rows[PATROL_FID][keep]).to_numpy(),
                    TIME_UTC: pd.to_datetime(micros, unit="us", utc=True),
                    LON: rows[LON][keep],
                    LAT: rows[LAT][keep],
                    ACCURACY_M: rows[ACCURACY_M][keep],
                }
            )

    def derived(self, table: str, *, patrol_ids: list[str] | None = None) -> pd.DataFrame:
        _check_derived(table)
        if table == T_ENCOUNTER_AREAS:
            return self.query(f"SELECT * FROM {table}")
        where, params = ("", ())
        if patrol_ids is not None:
            where, params = f"WHERE p.{PATROL_ID} = ANY(?)", (list(patrol_ids),)
        frame = self.query(
            f"SELECT p.{PATROL_ID} AS {PATROL_ID}, d.* FROM {table} d JOIN {T_PATROLS} p ON p.fid = d.{PATROL_FID} "
            f"{where}",
            params,
        )
        return frame.drop(columns=[PATROL_FID])

    def area_drafts(self) -> gpd.GeoDataFrame:
        frame = self.query(f"SELECT {', '.join(DRAFT_COLUMNS)}, ST_AsBinary(geom) AS wkb FROM {T_AREA_DRAFTS} "
                           "ORDER BY fid")
        wkb = frame.pop("wkb").to_numpy()
        frame[VALID_FROM] = [date.fromisoformat(d) for d in frame[VALID_FROM]]
        frame["created_utc"] = pd.to_datetime(frame["created_utc"], utc=True, format="ISO8601")
        geometry = shapely.from_wkb([bytes(b) for b in wkb]) if len(wkb) else []
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=STORE_CRS), crs=STORE_CRS)

    def imports(self) -> pd.DataFrame:
        return self.query(f"SELECT time_utc, file, sha256, kind, added, rejected FROM {T_IMPORTS} ORDER BY fid")

    def counts(self) -> dict[str, int]:
        """Rows per table; ``track_points`` from the running count kept at write time."""
        tables = (T_AREAS, T_PATROLS, T_TRACK_POINTS, T_ENCOUNTERS, T_IMPORTS, *DERIVED_TABLES)
        counts = {t: self._scalar(f"SELECT COUNT(*) FROM {t}") for t in tables if t != T_TRACK_POINTS}
        counts[T_TRACK_POINTS] = self._scalar(f"SELECT value FROM {T_FACTS} WHERE name = %s", (T_TRACK_POINTS,))
        return {t: counts[t] for t in tables}

    def is_imported(self, sha256: str) -> bool:
        return self._scalar(f"SELECT COUNT(*) FROM (SELECT 1 FROM {T_IMPORTS} WHERE sha256 = %s LIMIT 1) x",
                            (sha256,)) > 0

    def exports(self) -> pd.DataFrame:
        present = self._columns(T_EXPORT_LOG)
        shown = ", ".join(c if c in present else f"NULL AS {c}" for c in EXPORT_LOG_COLUMNS)
        return self.query(f"SELECT {shown} FROM {T_EXPORT_LOG} ORDER BY fid")

    # --- writing ----------------------------------------------------------------------------
    def add_patrols(self, patrols: pd.DataFrame) -> int:
        """Insert new patrols, update team/times/staff/kind of stored ones; returns rows added."""
        if patrols.empty:
            return 0
        patrols = patrols.drop_duplicates(PATROL_ID, keep="last")
        values = [
            patrols[PATROL_ID].astype(str), patrols[TEAM].astype(str), patrols[START_UTC], patrols[END_UTC],
            patrols[STAFF].astype(np.int64), patrols[KIND].astype(str), pd.Series(service_day(patrols[START_UTC])),
            shift_of(patrols[START_UTC], patrols[END_UTC]),
            patrols.get(SOURCE_FILE, pd.Series("", index=patrols.index)).astype(str),
        ]
        names = [c for c, _ in _PATROL_COLUMNS]
        updates = ", ".join(f"{c} = excluded.{c}" for c in names if c != PATROL_ID)
        with self.transaction():
            before = self._scalar(f"SELECT COUNT(*) FROM {T_PATROLS}")
            stored = rollups.rollup_keys(self, patrols[PATROL_ID])
            # _row keeps the input order: new patrols get their fid in that order, as in the GeoPackage
            self._stage("_stage_patrols", (*_PATROL_COLUMNS, ("_row", "int8")), [*values, np.arange(len(patrols))])
            self._conn.execute(f"INSERT INTO {T_PATROLS} ({', '.join(names)}) SELECT {', '.join(names)} "
                               f"FROM _stage_patrols ORDER BY _row ON CONFLICT ({PATROL_ID}) DO UPDATE SET {updates}")
            if len(stored):  # a stored patrol's day, team, kind, shift or staff may have changed
                rollups.keep(self, rollups.changed_days(stored, rollups.rollup_keys(self, stored[PATROL_ID])))
            return self._scalar(f"SELECT COUNT(*) FROM {T_PATROLS}") - before

    def add_track_points(self, points: pd.DataFrame) -> int:
        """Insert track points (times to the millisecond, like the GeoPackage store); points
        already stored for the same (patrol, time) are ignored. Returns rows added."""
        if points.empty:
            return 0
        patrol_fid = fid_column(points[PATROL_ID], self._fid_lookup, what="track points")
        frame = pd.DataFrame({
            PATROL_FID: patrol_fid,
            TIME_UTC: pd.DatetimeIndex(pd.to_datetime(points[TIME_UTC], utc=True)).as_unit("ms"),
            LON: points[LON].to_numpy(np.float64),
            LAT: points[LAT].to_numpy(np.float64),
            ACCURACY_M: points[ACCURACY_M].to_numpy(np.float64) if ACCURACY_M in points else np.nan,
        }).drop_duplicates([PATROL_FID, TIME_UTC], keep="first")
        values = [frame[c] for c, _ in _TRACK_COLUMNS]
        names = ", ".join(c for c, _ in _TRACK_COLUMNS)
        with self.transaction():
            self._ensure_month_partitions(frame[TIME_UTC])
            touched = np.unique(frame[PATROL_FID].to_numpy()).tolist()
            stored = self._conn.execute(f"SELECT 1 FROM {T_TRACK_POINTS} WHERE {PATROL_FID} = ANY(%s) LIMIT 1",
                                        (touched,)).fetchone()
            if stored is None:  # nothing can conflict: straight into the table
                self._copy(T_TRACK_POINTS, _TRACK_COLUMNS, values)
                added = len(frame)
            else:
                self._stage("_stage_points", _TRACK_COLUMNS, values)
                added = self._conn.execute(f"INSERT INTO {T_TRACK_POINTS} ({names}) SELECT {names} FROM _stage_points "
                                           "ON CONFLICT DO NOTHING").rowcount
            self._conn.execute(f"UPDATE {T_FACTS} SET value = value + %s WHERE name = %s", (added, T_TRACK_POINTS))
        return added

    def _drop_months_before(self, cutoff: pd.Timestamp) -> int:
        """Drop every monthly partition wholly before ``cutoff`` (UTC); returns the points they held.

        Called by :meth:`~geo.store.postgis_records.PostgisRecords.delete_track_points_before`
        inside its transaction, after the expired patrols were recorded: every point of such a
        month is before the cutoff, so its patrol is expired and loses all its points anyway;
        the months are dropped instead of deleted row by row (nothing read or logged per row).
        """
        dropped = 0
        for name, _, upper in self._month_partitions():
            if upper <= cutoff:
                dropped += self._scalar(f"SELECT COUNT(*) FROM {name}")
                self._conn.execute(f"DROP TABLE {name}")
        return dropped

    def _partitioned(self) -> bool:
        return self._scalar("SELECT COUNT(*) FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)",
                            (T_TRACK_POINTS,)) > 0

    def _month_partitions(self) -> list[tuple[str, pd.Timestamp, pd.Timestamp]]:
        """(name, lower, upper) of every monthly partition of track_points, oldest first."""
        rows = self.query(
            "SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(?) ORDER BY c.relname",
            (T_TRACK_POINTS,))
        out = []
        for name, bound in zip(rows["name"], rows["bound"]):
            lower, upper = _PARTITION_BOUND.match(bound).groups()
            out.append((name, pd.Timestamp(lower).tz_convert("UTC"), pd.Timestamp(upper).tz_convert("UTC")))
        return out

    def _ensure_month_partitions(self, times: pd.Series) -> None:
        """Create the monthly partitions (UTC) that ``times`` fall in and that do not exist yet."""
        if not self._partitioned() or times.empty:
            return
        utc = pd.DatetimeIndex(times).tz_convert("UTC").tz_localize(None)
        months = pd.PeriodIndex(pd.unique(utc.to_period("M"))).sort_values()  # hashed in C; a few per import
        existing = {name for name, _, _ in self._month_partitions()}
        wanted = [m for m in months if _partition_name(m) not in existing]
        if not wanted:
            return
        self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))  # two imports may race
        for month in wanted:
            lower, upper = month.start_time.strftime("%Y-%m-%d"), (month + 1).start_time.strftime("%Y-%m-%d")
            self._conn.execute(f"CREATE TABLE IF NOT EXISTS {_partition_name(month)} PARTITION OF {T_TRACK_POINTS} "
                               f"FOR VALUES FROM ('{lower} 00:00:00+00') TO ('{upper} 00:00:00+00')")

    def add_encounters(self, encounters: pd.DataFrame) -> int:
        """Insert encounters not yet stored (by ``encounter_id``), with their point geometry
        (EPSG:4326) and H3 cells; returns rows added."""
        if encounters.empty:
            return 0
        cells = encounter_cells(encounters)
        values = [
            encounters[ENCOUNTER_ID].astype(str), encounters[TIME_UTC], pd.Series(local_date(encounters[TIME_UTC])),
            encounters[LON].to_numpy(np.float64), encounters[LAT].to_numpy(np.float64),
            encounters[PATROL_ID].astype(object).where(encounters[PATROL_ID].notna(), None),
            encounters[CATEGORY].astype(str), encounters[AGE_GROUP].astype(str),
            encounters[NEW_CONTACT].astype(bool).to_numpy(), encounters[FROM_OUTSIDE_OSLO].astype(str),
            encounters[PEOPLE].astype(np.int64).to_numpy(), cells[9], cells[10], cells[11],
            encounters.get(SOURCE_FILE, pd.Series("", index=encounters.index)).astype(str),
        ]
        names = ", ".join(c for c, _ in _ENCOUNTER_COLUMNS)
        with self.transaction():
            self._stage("_stage_encounters", (*_ENCOUNTER_COLUMNS, ("_row", "int8")),
                        [*values, np.arange(len(encounters))])
            return self._conn.execute(
                f"INSERT INTO {T_ENCOUNTERS} (geom, {names}) SELECT ST_SetSRID(ST_MakePoint({LON}, {LAT}), {SRID}), "
                f"{names} FROM _stage_encounters ORDER BY _row ON CONFLICT ({ENCOUNTER_ID}) DO NOTHING"
            ).rowcount

    def add_area_versions(self, versions: gpd.GeoDataFrame, *, changed_by: str | None = None) -> list[tuple[str, int]]:
        """Add area versions (EPSG:4326), all or none; the rules are those of
        :func:`geo.store.area_versions.plan_area_version` (never overwrite, close the
        previous version, refuse overlaps), every change logged in ``area_changes``."""
        changed: list[tuple[str, int]] = []
        wkb = shapely.to_wkb(versions.geometry.to_numpy())
        with self.transaction():
            for row, blob in zip(versions.itertuples(index=False), wkb):  # one per area version
                plan = plan_area_version(self.areas(), row)
                if plan is None:
                    continue
                if not self._has_indoor_column():  # a store made before the column gets it now
                    self._conn.execute(f"ALTER TABLE {T_AREAS} ADD COLUMN IF NOT EXISTS {INDOOR} boolean "
                                       "NOT NULL DEFAULT false")
                for number in plan.close:
                    self._conn.execute(
                        f"UPDATE {T_AREAS} SET {VALID_TO} = %s WHERE {AREA_ID} = %s AND {AREA_VERSION} = %s",
                        (plan.valid_from, plan.area_id, number),
                    )
                    self._log_area_change(plan.area_id, number, "closed", plan.closed_detail, changed_by)
                self._conn.execute(
                    f"INSERT INTO {T_AREAS} (geom, {AREA_ID}, {AREA_VERSION}, {AREA_NAME}, {AREA_TEAM}, {VALID_FROM}, "
                    f"{VALID_TO}, {SOURCE_FILE}, {INDOOR}) "
                    f"VALUES (ST_Multi(ST_GeomFromWKB(%s, {SRID})), %s, %s, %s, %s, %s, %s, %s, %s)",
                    (blob, plan.area_id, plan.version, getattr(row, AREA_NAME), getattr(row, AREA_TEAM, None),
                     plan.valid_from, plan.valid_to, getattr(row, SOURCE_FILE, None), plan.indoor),
                )
                self._log_area_change(plan.area_id, plan.version, "added", plan.added_detail, changed_by)
                changed += [(plan.area_id, n) for n in plan.close] + [(plan.area_id, plan.version)]
        return changed

    def add_area_draft(self, areas: gpd.GeoDataFrame, *, source: str, created_by: str | None = None) -> str:
        """Save ``areas`` as one new draft (``draft-<n>``) in ``area_drafts``; field areas untouched."""
        multi = draft_multipolygons(areas)
        created_by = current_actor(created_by)
        team = areas[AREA_TEAM] if AREA_TEAM in areas else pd.Series(None, index=areas.index, dtype=object)
        with self.transaction():
            number = self._scalar(f"SELECT COUNT(DISTINCT {DRAFT_ID}) FROM {T_AREA_DRAFTS}") + 1
            draft_id = f"draft-{number}"
            rows = zip(shapely.to_wkb(multi), areas[AREA_ID].astype(str), areas[AREA_NAME].astype(str),
                       team.where(team.notna(), None), areas[VALID_FROM])
            with self._conn.cursor() as cur:
                cur.executemany(  # a handful of polygons per draft
                    f"INSERT INTO {T_AREA_DRAFTS} (geom, {DRAFT_ID}, {AREA_ID}, {AREA_NAME}, {AREA_TEAM}, {VALID_FROM}, "
                    f"created_by, source) VALUES (ST_GeomFromWKB(%s, {SRID}), %s, %s, %s, %s, %s, %s, %s)",
                    [(w, draft_id, a, n, t, v, created_by, source) for w, a, n, t, v in rows],
                )
            self.log_audit("draft", {"draft_id": draft_id, "areas": len(areas), "source": source}, actor=created_by)
        return draft_id

    def replace_derived(self, table: str, frame: pd.DataFrame, *, patrol_ids: list[str] | None = None,
                        area_ids: list[str] | None = None, encounter_ids: list[str] | None = None) -> None:
        _check_derived(table)
        if patrol_ids is not None and table == T_ENCOUNTER_AREAS:
            raise ValueError("encounter_areas is replaced by encounter or area, not by patrol")
        keyed = table in PATROL_KEYED_TABLES
        conditions, params = [], []
        if area_ids is not None:
            conditions.append(f"{AREA_ID} = ANY(%s)")
            params.append(list(area_ids))
        if encounter_ids is not None:
            if table != T_ENCOUNTER_AREAS:
                raise ValueError(f"only {T_ENCOUNTER_AREAS} is replaced by encounter; got {table!r}")
            conditions.append(f"{ENCOUNTER_ID} = ANY(%s)")
            params.append([str(i) for i in pd.unique(pd.Series(encounter_ids, dtype=object))])
        fids = np.zeros(0, np.int64)
        if patrol_ids is not None and keyed:
            fids = self._fid_lookup(patrol_ids).to_numpy()
            conditions.append(f"{PATROL_FID} = ANY(%s)")
            params.append([int(f) for f in fids])
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        with self.transaction():
            removed = self._conn.execute(f"DELETE FROM {table} {where}", params).rowcount
            if not frame.empty:
                if keyed:
                    frame = keyed_by_fid(frame, self._fid_lookup, what=table)
                    fids = np.union1d(fids, frame[PATROL_FID].to_numpy())
                columns = DERIVED_COLUMNS[table]
                self._copy(table, columns, [frame[c] for c, _ in columns])
            rollups.after_replace(self, self._rollup_sql, table, patrol_ids, fids, removed=removed)

    # --- rollups (geo.store.rollups) ------------------------------------------------------------
    def rollups_complete(self) -> bool:
        """Whether the cell rollups hold every patrol's rows (readers fall back to the detail if not)."""
        with self._lock:
            return rollups.is_complete(self._conn.execute(rollups.complete_sql()[0]).fetchone())

    def rebuild_rollups(self, days: list[str] | None = None, *, kinds: tuple[str, ...] = rollups.KINDS) -> None:
        """Rebuild the cell rollups of service ``days`` (ISO dates) from the detail; all when None."""
        rollups.rebuild(self, self._rollup_sql, POSTGRESQL, days, kinds)

    def _rollup_sql(self, sql: str, params: list) -> None:
        self._conn.execute(to_psycopg(sql, params), params)

    def log_import(self, *, file: str, sha256: str, kind: str, added: int, rejected: int) -> None:
        with self.transaction():
            self._conn.execute(
                f"INSERT INTO {T_IMPORTS} (file, sha256, kind, added, rejected) VALUES (%s, %s, %s, %s, %s)",
                (file, sha256, kind, int(added), int(rejected)),
            )
            self.log_audit("import", {"file": file, "sha256": sha256, "kind": kind, "added": int(added),
                                      "rejected": int(rejected)})

    def log_export(self, *, preset: str, first_day: date, last_day: date, compare_first: date | None,
                   compare_last: date | None, k: int, format: str, file: str, sha256: str,
                   actor: str | None = None) -> None:
        """Record one export in ``export_log`` and the audit log; ``actor`` defaults to the
        thread's :func:`geo.store.audit.acting_as` actor. Changes no answer."""
        actor = current_actor(actor)
        columns = EXPORT_LOG_COLUMNS[1:]  # time_utc defaults to now()
        values = (preset, first_day, last_day, compare_first, compare_last, int(k), format, file, sha256, actor)
        with self.transaction(changes_answers=False):  # cached answers stay valid
            if "actor" not in self._columns(T_EXPORT_LOG):  # a log written before exports named the user
                self._conn.execute(f"ALTER TABLE {T_EXPORT_LOG} ADD COLUMN IF NOT EXISTS actor text")
            self._conn.execute(
                f"INSERT INTO {T_EXPORT_LOG} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
                values,
            )
            self.log_audit("export", dict(zip(columns[:-1], values[:-1])), actor=actor)

    def save_plan(self, week: str, lines: pd.DataFrame, *, settings: str, saved_by: str | None = None) -> int:
        if lines.empty:
            raise ValueError("a plan needs at least one line to be saved")
        slots = ", ".join("now()" if c == PLAN_SAVED_UTC else "%s" for c in PLAN_COLUMNS)  # saved now, UTC
        values = [lines[c].tolist() for c in PLAN_LINE_COLUMNS]
        with self.transaction():
            self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_PLANS_LOCK,))
            self._conn.execute(_PLANS_SQL)
            version = self._scalar(f"SELECT COALESCE(MAX({PLAN_VERSION}), 0) FROM {T_PLANS} WHERE {PLAN_WEEK} = %s",
                                   (week,)) + 1
            with self._conn.cursor() as cur:  # a few dozen lines per plan
                cur.executemany(
                    f"INSERT INTO {T_PLANS} ({', '.join(PLAN_COLUMNS)}) VALUES ({slots})",
                    [(week, version, saved_by, settings, *line) for line in zip(*values)],
                )
        return version

    def plans(self, *, week: str | None = None) -> pd.DataFrame:
        with self._lock:
            exists = self._conn.execute("SELECT to_regclass(%s)", (T_PLANS,)).fetchone()[0] is not None
        if not exists:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in PLAN_COLUMNS})
        where, params = (f"WHERE {PLAN_WEEK} = ?", (week,)) if week is not None else ("", ())
        return self.query(f"SELECT {', '.join(PLAN_COLUMNS)} FROM {T_PLANS} {where} ORDER BY {PLAN_WEEK}, "
                          f"{PLAN_VERSION}, fid", params)

    # --- helpers ------------------------------------------------------------------------------
    def _copy(self, table: str, columns: Columns, values: Sequence) -> None:
        """Binary COPY of ``values`` (one per column) into ``table``."""
        with self._conn.cursor() as cur, cur.copy(pg_copy.copy_sql(table, [c for c, _ in columns])) as copy:
            for piece in pg_copy.encode([t for _, t in columns], values):
                copy.write(piece)

    def _stage(self, name: str, columns: Columns, values: Sequence) -> None:
        """A fresh temporary table ``name`` (dropped at commit) holding ``values``."""
        self._conn.execute(f"DROP TABLE IF EXISTS {name}")
        self._conn.execute(f"CREATE TEMP TABLE {name} ({_columns_sql(columns)}) ON COMMIT DROP")
        self._copy(name, columns, values)

    def _log_area_change(self, area_id: str, version: int, change: str, detail: str, changed_by: str | None) -> None:
        changed_by = current_actor(changed_by)
        self._conn.execute(
            f"INSERT INTO {T_AREA_CHANGES} ({AREA_ID}, {AREA_VERSION}, change, detail, changed_by) "
            "VALUES (%s, %s, %s, %s, %s)",
            (area_id, version, change, detail, changed_by),
        )
        self.log_audit("area_change", {"area_id": area_id, "version": int(version), "change": change,
                                       "detail": detail}, actor=changed_by)

    def _columns(self, table: str) -> set[str]:
        with self._lock:
            rows = self._conn.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                                      "AND table_schema = ANY(current_schemas(false))", (table,)).fetchall()
        return {row[0] for row in rows}

    def _fid_lookup(self, patrol_ids) -> pd.Series:
        """fid (values, int64) of the stored patrols among ``patrol_ids`` (index, text): one
        indexed query, never a read of the whole patrols table."""
        ids = pd.unique(pd.Series(patrol_ids, dtype=object).astype(str).to_numpy()).tolist()
        if not ids:
            return pd.Series([], dtype=np.int64)
        with self._lock:
            rows = self._conn.execute(f"SELECT {PATROL_ID}, fid FROM {T_PATROLS} WHERE {PATROL_ID} = ANY(%s)",
                                      (ids,)).fetchall()
        return pd.Series([f for _, f in rows], index=[p for p, _ in rows], dtype=np.int64)

    def _patrol_fids(self, patrol_ids: list[str] | None) -> pd.Series:
        """patrol_id by fid (index), all or the given patrols, ordered by fid."""
        frame = self.query(f"SELECT fid, {PATROL_ID} FROM {T_PATROLS} ORDER BY fid")
        series = pd.Series(frame[PATROL_ID].to_numpy(dtype=object), index=frame["fid"].to_numpy(dtype=np.int64))
        if patrol_ids is not None:
            series = series[series.isin(list(patrol_ids))]
        return series

    def _scalar(self, sql: str, params: tuple = ()) -> int:
        with self._lock:
            row = self._conn.execute(sql, params).fetchone()
        return int(row[0]) if row and row[0] is not None else 0


# --- SQL text and value adaptation --------------------------------------------------------------
_STRING_LITERAL = re.compile(r"('(?:[^']|'')*')")
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


_PARTITION_BOUND = re.compile(r"FOR VALUES FROM \('([^']+)'\) TO \('([^']+)'\)")


def _partition_name(month: pd.Period) -> str:
    """``track_points_202406`` for June 2024 (UTC)."""
    return f"{T_TRACK_POINTS}_{month.year:04d}{month.month:02d}"


def to_psycopg(sql: str, params: tuple | dict = ()) -> str:
    """Translate portable SQL with ``?`` (or ``:name`` with a dict) placeholders to
    psycopg's ``%s`` (``%(name)s``); literal ``%`` (the modulo operator) becomes ``%%``.
    Placeholders inside string literals are left alone."""
    parts = _STRING_LITERAL.split(sql.replace("%", "%%"))
    for i in range(0, len(parts), 2):  # even parts are outside string literals
        parts[i] = _NAMED.sub(r"%(\1)s", parts[i]) if isinstance(params, dict) else parts[i].replace("?", "%s")
    return "".join(parts)


def _register_loaders(conn) -> None:
    """Read dates as ISO text, timestamptz as ISO UTC text with milliseconds and
    numeric as float: what the GeoPackage store returns."""
    from psycopg.adapt import Loader
    from psycopg.types.numeric import FloatLoader

    class DateText(Loader):
        def load(self, data) -> str:
            return bytes(data).decode()

    class UtcText(Loader):
        def load(self, data) -> str:  # "2024-06-07 20:15:00.25+00" (session time zone UTC)
            text = bytes(data).decode()
            whole, _, rest = text[:-3].partition(".")
            return f"{whole[:10]}T{whole[11:19]}.{(rest + '000')[:3]}Z"

    conn.adapters.register_loader("date", DateText)
    conn.adapters.register_loader("timestamptz", UtcText)
    conn.adapters.register_loader("numeric", FloatLoader)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _check_derived(table: str) -> None:
    if table not in DERIVED_TABLES:
        raise ValueError(f"table must be one of {', '.join(DERIVED_TABLES)}; got {table!r}")


def _day_range(column: str, first_day: date | None, last_day: date | None) -> tuple[str, tuple]:
    conditions, params = [], []
    if first_day is not None:
        conditions.append(f"{column} >= ?")
        params.append(first_day)
    if last_day is not None:
        conditions.append(f"{column} <= ?")
        params.append(last_day)
    return (f"WHERE {' AND '.join(conditions)}" if conditions else "", tuple(params))
