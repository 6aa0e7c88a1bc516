"""The store interface: everything analysis and pages need from storage.

Analysis (``geo.engine``, ``geo.summary``) and pages talk only to this
interface, so a PostGIS backend can be added beside the GeoPackage one
without touching them. All frames use the column names in ``geo.schema``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import date

import geopandas as gpd
import pandas as pd


class Store(ABC):
    """Feltkart's persistent data: raw rows, imports log and derived aggregates."""

    # --- reading -------------------------------------------------------------
    @abstractmethod
    def areas(self) -> gpd.GeoDataFrame:
        """Every field-area version (EPSG:4326) with ``area_id``, ``version``,
        ``name``, ``team``, ``valid_from``, ``valid_to`` (``datetime.date``/None)."""

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
        """Run a read-only aggregate query in the backend's SQL dialect."""

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
    def add_encounters(self, encounters: pd.DataFrame) -> int:
        """Insert encounters not yet stored (by ``encounter_id``). Returns rows added."""

    @abstractmethod
    def add_area_versions(self, versions: gpd.GeoDataFrame) -> list[tuple[str, int]]:
        """Store new area versions; returns (area_id, version) of those added or changed."""

    @abstractmethod
    def replace_derived(self, table: str, frame: pd.DataFrame, *, patrol_ids: list[str] | None = None,
                        area_ids: list[str] | None = None) -> None:
        """Replace the rows of a derived table for the given patrols/areas (all when None)."""

    @abstractmethod
    def log_import(self, *, file: str, sha256: str, kind: str, added: int, rejected: int) -> None:
        """Record one imported file."""

    @abstractmethod
    def is_imported(self, sha256: str) -> bool:
        """Whether a file with this content hash was imported before."""
