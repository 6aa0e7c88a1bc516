"""The store interface: everything analysis and pages need from storage.

Analysis (``geo.engine``, ``geo.queries.summary``) and pages talk only to this
interface, so a PostGIS backend can be added beside the GeoPackage one
without touching them. All frames use the column names in ``geo.schema``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import FeltkartError
from geo.schema import AREA_ID, AREA_VERSION, T_AREA_CHANGES

GENERATION = "generation"
"""``store_facts`` row counting committed write transactions that answers depend on (the change token)."""

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
DIALECTS = (SQLITE, POSTGRESQL)


class StoreError(FeltkartError):
    """The store cannot be used (not a GeoPackage, not a Feltkart store, locked, server unreachable)."""


class StoreBusyError(StoreError):
    """Another connection kept the store's write lock longer than the busy timeout (a long import)."""


class NotAFeltkartStore(StoreError):
    """The file is a database, but not a Feltkart store: it is refused and left untouched."""


class Store(ABC):
    """Feltkart's persistent data: raw rows, imports log and derived aggregates."""

    dialect: ClassVar[str] = SQLITE
    """SQL dialect of :meth:`query` (one of :data:`DIALECTS`). Queries use ``?``
    placeholders in every dialect; a backend translates them itself."""

    def change_token(self) -> str | None:
        """A cheap value that changes whenever a write that answers depend on
        commits (not the export or audit logs), for caches; None when the backend
        has none."""
        return None

    # --- reading -------------------------------------------------------------
    @abstractmethod
    def areas(self) -> gpd.GeoDataFrame:
        """Every field-area version (EPSG:4326) with ``area_id``, ``version``,
        ``name``, ``team``, ``valid_from``, ``valid_to`` (``datetime.date``/None)
        and ``indoor`` (bool; False in a store made before the column existed)."""

    @abstractmethod
    def patrols(self, *, first_day: date | None = None, last_day: date | None = None) -> pd.DataFrame:
        """Patrols whose service day lies in [first_day, last_day] (inclusive).

        Columns: the patrol schema plus ``service_day`` (date) and ``shift``.
        """

    @abstractmethod
    def encounters(self, *, first_day: date | None = None, last_day: date | None = None) -> pd.DataFrame:
        """Encounters whose local date lies in [first_day, last_day], with
        ``local_date`` and H3 cells ``cell_9``, ``cell_10``, ``cell_11``."""

    @abstractmethod
    def iter_track_points(self, *, patrol_ids: list[str] | None = None, batch_patrols: int = 500) -> Iterator[pd.DataFrame]:
        """Track points in batches of whole patrols (never split across batches)."""

    @abstractmethod
    def derived(self, table: str, *, patrol_ids: list[str] | None = None) -> pd.DataFrame:
        """A derived table (``geo.schema.T_PRESENCE_*``, ``T_VISITS_*``,
        ``T_ENCOUNTER_AREAS``), optionally only for some patrols."""

    @abstractmethod
    def query(self, sql: str, params: tuple | dict = ()) -> pd.DataFrame:
        """Run a read-only aggregate query in the backend's SQL dialect (:attr:`dialect`),
        with ``?`` placeholders (or ``:name`` with a dict). Dates come back as ISO text
        (``2024-06-07``) and times as ISO UTC text (``2024-06-07T20:15:00.000Z``) in
        every backend."""

    def area_changes(self) -> pd.DataFrame:
        """The area change log, oldest first: ``time_utc`` (UTC, tz-aware), ``area_id``,
        ``version``, ``change`` (added/closed), ``detail``, ``changed_by`` (None if unknown).

        The same SQL on both backends (times come back as ISO text from :meth:`query`)."""
        frame = self.query(
            f"SELECT time_utc, {AREA_ID}, {AREA_VERSION}, change, detail, changed_by FROM {T_AREA_CHANGES} ORDER BY fid"
        )
        frame["time_utc"] = pd.to_datetime(frame["time_utc"], utc=True, format="ISO8601")
        frame[AREA_VERSION] = frame[AREA_VERSION].astype(np.int64)
        return frame

    @abstractmethod
    def area_drafts(self) -> gpd.GeoDataFrame:
        """Suggested area sets saved as drafts (EPSG:4326): ``draft_id``, ``area_id``, ``name``,
        ``team``, ``valid_from``, ``created_utc``, ``created_by``, ``source``. Drafts are never
        field areas: :meth:`areas` and every presence number ignore them."""

    @abstractmethod
    def imports(self) -> pd.DataFrame:
        """The import log: one row per imported file."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """Row count of every table, for the store-facts view."""

    # --- writing -------------------------------------------------------------
    @abstractmethod
    def transaction(self) -> AbstractContextManager[Store]:
        """All writes inside happen together or not at all."""

    @abstractmethod
    def add_patrols(self, patrols: pd.DataFrame) -> int:
        """Insert patrols not yet stored; update metadata of stored ones. Returns rows added."""

    @abstractmethod
    def add_track_points(self, points: pd.DataFrame) -> int:
        """Insert track points; points already stored are ignored. Returns rows added."""

    @abstractmethod
    def rollups_complete(self) -> bool:
        """Whether the cell rollups (``geo.store.rollups``) hold every patrol's rows; readers use
        them only then. The stores keep them in step with every write to the cell tables."""

    @abstractmethod
    def rebuild_rollups(self, days: list[str] | None = None, *, kinds: tuple[str, ...] = ("presence", "visits")) -> None:
        """Rebuild the cell rollups of service ``days`` (ISO dates) from the detail; all when None
        (which also marks them complete)."""

    @abstractmethod
    def add_encounters(self, encounters: pd.DataFrame) -> int:
        """Insert encounters not yet stored (by ``encounter_id``). Returns rows added."""

    @abstractmethod
    def add_area_versions(self, versions: gpd.GeoDataFrame) -> list[tuple[str, int]]:
        """Store new area versions; returns (area_id, version) of those added or changed."""

    @abstractmethod
    def add_area_draft(self, areas: gpd.GeoDataFrame, *, source: str, created_by: str | None = None) -> str:
        """Save a suggested area set as one draft (never a field area); returns its ``draft_id``."""

    @abstractmethod
    def replace_derived(self, table: str, frame: pd.DataFrame, *, patrol_ids: list[str] | None = None,
                        area_ids: list[str] | None = None, encounter_ids: list[str] | None = None) -> None:
        """Replace the rows of a derived table for the given patrols/areas/encounters (all when None;
        ``encounter_ids`` only for ``encounter_areas``)."""

    @abstractmethod
    def log_import(self, *, file: str, sha256: str, kind: str, added: int, rejected: int) -> None:
        """Record one imported file."""

    @abstractmethod
    def is_imported(self, sha256: str) -> bool:
        """Whether a file with this content hash was imported before."""

    @abstractmethod
    def log_export(self, *, preset: str, first_day: date, last_day: date, compare_first: date | None,
                   compare_last: date | None, k: int, format: str, file: str, sha256: str) -> None:
        """Record one situation-picture export (audit log): preset, period, comparison period,
        k, format, file name and the SHA-256 of the exported bytes; the time is now (UTC)."""

    @abstractmethod
    def exports(self) -> pd.DataFrame:
        """The export audit log, oldest first: ``time_utc``, ``preset``, ``first_day``, ``last_day``,
        ``compare_first``, ``compare_last``, ``k``, ``format``, ``file``, ``sha256``, ``actor``."""

    # --- saved patrol plans (geo.planning) ---------------------------------------------------
    @abstractmethod
    def save_plan(self, week: str, lines: pd.DataFrame, *, settings: str, saved_by: str | None = None) -> int:
        """Save ``lines`` (columns :data:`geo.schema.PLAN_LINE_COLUMNS`, at least one row) as the next
        version of the plan for ISO week ``week`` in ``plans``, with ``settings`` (JSON text) and
        ``saved_by`` (a user id; None until users exist); the time is now (UTC). Returns the version
        (1 for a week's first plan). Earlier versions are kept."""

    @abstractmethod
    def plans(self, *, week: str | None = None) -> pd.DataFrame:
        """Saved plan lines (all weeks, or one), ordered by week, version and line: columns
        :data:`geo.schema.PLAN_COLUMNS`; ``saved_utc`` as ISO UTC text. Empty (with those columns)
        when no plan was ever saved."""

    # --- audit log (geo.store.audit) -------------------------------------------------
    @abstractmethod
    def log_audit(self, action: str, detail: dict | None = None, *, actor: str | None = None) -> None:
        """Append one entry to the audit log: now (UTC), ``actor`` (default: the thread's
        :func:`geo.store.audit.acting_as` actor), ``action`` (one of
        :data:`geo.store.audit.ACTIONS`) and ``detail`` (a small JSON object, no personal data).
        Creates the ``audit_log`` table on the first entry. Changes no answer (no change token bump)."""

    @abstractmethod
    def audit_log(self) -> pd.DataFrame:
        """The audit log, oldest first: ``time_utc`` (tz-aware UTC), ``actor`` (None when unknown),
        ``action``, ``detail`` (a dict). Empty when nothing was logged yet."""

    # --- retention of raw track points (geo.retention) --------------------------------------
    @abstractmethod
    def track_points_before(self, cutoff_utc: datetime) -> pd.DataFrame:
        """What :meth:`delete_track_points_before` would delete, without deleting: one row per
        patrol with a track point before ``cutoff_utc`` (tz-aware): ``patrol_id``, ``points``,
        ``first_utc``, ``last_utc`` (its first and last point, tz-aware UTC)."""

    @abstractmethod
    def delete_track_points_before(self, cutoff_utc: datetime) -> int:
        """Delete the raw track points of every patrol with a point before ``cutoff_utc`` (tz-aware);
        returns the number of points deleted.

        Whole patrols go, also their points after the cutoff (a patrol running at the cutoff is at
        most a night long), so that no patrol is ever left with part of its track and its
        aggregates are never recomputed from a part. The derived tables are not touched: every
        figure stays as it was. Each patrol is recorded in ``raw_points_removed`` (time, points,
        first and last point time), and frozen marks of those patrols (left from points
        re-imported since) are dropped, since their aggregates were recomputed from raw points.
        The PostGIS store drops whole monthly partitions before the cutoff instead of deleting their rows."""

    @abstractmethod
    def removed_raw_patrols(self) -> pd.DataFrame:
        """Patrols whose raw points retention deleted: ``patrol_id``, ``removed_utc`` (latest removal,
        tz-aware UTC), ``points``, ``first_utc``, ``last_utc``. Empty when retention never ran."""

    @abstractmethod
    def patrols_with_raw_points(self) -> list[str]:
        """Ids of the patrols that have raw track points stored."""

    def raw_points_bytes(self) -> int | None:
        """Bytes the raw track points take in the store (their pages or relation); None when unknown."""
        return None

    @abstractmethod
    def freeze_area_aggregates(self, frozen: pd.DataFrame) -> int:
        """Mark the area aggregates of (``patrol_id``, ``area_id``) rows as frozen (kept as computed
        with the area versions of that time, since the raw points to recompute them are gone);
        a pair already marked keeps its first time. Returns the pairs newly marked."""

    @abstractmethod
    def frozen_area_aggregates(self) -> pd.DataFrame:
        """Every frozen (patrol, area): ``patrol_id``, ``area_id``, ``frozen_utc`` (tz-aware UTC)."""
