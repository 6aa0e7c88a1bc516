"""Where the committed demo geodata lives in ``data/`` and how it is read.

The files are derived once from the real, openly licensed Oslo data in
``../shared/data`` by :mod:`geo.demo.derive_data` (see ``data/README.md`` for
sources and attribution). At run time the demo reads only these files.

Every reader returns a fresh copy in EPSG:4326 (lon/lat degrees); the parsed
files are cached per process.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import geopandas as gpd
import shapely

from geo.schema import STORE_CRS

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
"""The project's ``data/`` directory."""

STREETS_FILE = DATA_DIR / "oslo_sentrum_walkable.gpkg"
"""Walkable OSM ways of central Oslo: columns ``osm_id``, ``name``, ``highway``."""

STREETS_LAYER = "streets"

PLACES_FILE = DATA_DIR / "oslo_sentrum_places.geojson"
"""Named OSM points the demo uses: columns ``osm_id``, ``name``, ``kind``."""

HOVSETER_FILE = DATA_DIR / "hovseter.geojson"
"""The Hovseter sub-district (delbydel 0703) polygon, 2-D."""

OSM_ID = "osm_id"
NAME = "name"
HIGHWAY = "highway"
PLACE_KIND = "kind"


def read_streets() -> gpd.GeoDataFrame:
    """Walkable street lines (LineString, EPSG:4326)."""
    return _streets().copy()


def read_places() -> gpd.GeoDataFrame:
    """Named places used by the demo (Point, EPSG:4326)."""
    return _places().copy()


def read_hovseter() -> shapely.Polygon | shapely.MultiPolygon:
    """The Hovseter sub-district outline (EPSG:4326)."""
    return _hovseter()


@cache
def _streets() -> gpd.GeoDataFrame:
    return _read(STREETS_FILE, layer=STREETS_LAYER)


@cache
def _places() -> gpd.GeoDataFrame:
    return _read(PLACES_FILE)


@cache
def _hovseter() -> shapely.Polygon | shapely.MultiPolygon:
    return _read(HOVSETER_FILE).geometry.iloc[0]


def _read(path: Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    if not path.is_file():
        raise FileNotFoundError(
            f"demo data file {path} is missing; it is committed with the project "
            f"(re-create it with `python -m geo.demo.derive_data`)"
        )
    frame = gpd.read_file(path, layer=layer)
    if frame.crs is None or frame.crs.to_string() != STORE_CRS:
        frame = frame.set_crs(STORE_CRS, allow_override=True) if frame.crs is None else frame.to_crs(STORE_CRS)
    return frame
