"""The bits of the OGC GeoPackage 1.4 format Feltkart writes itself.

Writing through sqlite3 directly (rather than through GDAL) lets a whole
import run in one SQLite transaction. This module holds the required metadata
tables and the GeoPackage geometry blob encoding (header + WKB).
"""

from __future__ import annotations

import sqlite3
import struct
from datetime import datetime, timezone

import numpy as np
import shapely
from pyproj import CRS

APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10400  # GeoPackage 1.4.0
SRS_ID = 4326

_HEADER = b"GP" + bytes([0, 0b0000_0001]) + struct.pack("<i", SRS_ID)
"""Blob header: magic, version 0, flags (little-endian, no envelope), srs_id."""

_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}

METADATA_SQL = """
CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE IF NOT EXISTS gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
"""


def init_metadata(conn: sqlite3.Connection) -> None:
    """Create the GeoPackage metadata tables and the required SRS rows.

    Writes nothing when they are already there, so opening an existing store
    leaves its file (and SQLite's change counter) as it was.
    """
    for pragma, value in (("application_id", APPLICATION_ID), ("user_version", USER_VERSION)):
        if conn.execute(f"PRAGMA {pragma}").fetchone()[0] != value:  # setting it always rewrites the header
            conn.execute(f"PRAGMA {pragma} = {value}")
    conn.executescript(METADATA_SQL)
    conn.executemany(
        "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
        [
            ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate reference system"),
            ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system"),
            ("WGS 84 geodetic", SRS_ID, "EPSG", SRS_ID, CRS.from_epsg(SRS_ID).to_wkt("WKT1_GDAL"), "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"),
        ],
    )


def datetime_text(moment: datetime | None = None) -> str:
    """A UTC instant (default: now) as GeoPackage DATETIME text, to the millisecond: ``2024-06-07T20:15:00.000Z``."""
    moment = datetime.now(timezone.utc) if moment is None else moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:23] + "Z"


def register_layer(conn: sqlite3.Connection, table: str, *, geometry_type: str | None, description: str) -> None:
    """Register a table in gpkg_contents (as features when it has a geometry column)."""
    data_type = "features" if geometry_type else "attributes"
    conn.execute(
        "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) "
        "VALUES (?, ?, ?, ?, ?)",
        (table, data_type, table, description, SRS_ID if geometry_type else None),
    )
    if geometry_type:
        conn.execute(
            "INSERT OR IGNORE INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)",
            (table, geometry_type, SRS_ID),
        )


def to_blobs(geometries: np.ndarray) -> list[bytes]:
    """Shapely geometries (EPSG:4326) → GeoPackage geometry blobs."""
    return [_HEADER + wkb for wkb in shapely.to_wkb(geometries, output_dimension=2, byte_order=1)]


def from_blobs(blobs: list[bytes | None]) -> np.ndarray:
    """GeoPackage geometry blobs (any envelope, as QGIS or GDAL write them) → shapely geometries."""
    wkbs = []
    for blob in blobs:
        if blob is None:
            wkbs.append(None)
            continue
        flags = blob[3]
        envelope = _ENVELOPE_BYTES.get((flags >> 1) & 0b111)
        if blob[:2] != b"GP" or envelope is None:
            raise ValueError("not a GeoPackage geometry blob")
        wkbs.append(blob[8 + envelope :])
    return shapely.from_wkb(wkbs)
