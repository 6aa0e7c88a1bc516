"""A new field-area version from shapes drawn on a map, stored through the ordinary importer.

The drawing (GeoJSON features in EPSG:4326, as Leaflet.draw returns them, or
an area of a saved draft) is
written to a GeoJSON file and imported with :func:`geo.io.importer.import_file`,
so the new version is validated, closes the previous one, is logged in the
change log and has its aggregates recomputed exactly as a file import.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import MultiPolygon, shape

from geo.io.importer import ImportOptions, ImportOutcome, import_file
from geo.io.areas import slugify
from geo.progress import Progress, no_progress
from geo.schema import AREA_ID, DRAFT_ID
from geo.store.base import Store


def drawing_to_polygons(features: list[dict]) -> MultiPolygon:
    """The polygons among drawn GeoJSON ``features`` (EPSG:4326) as one MultiPolygon.

    Rectangles and polygons are kept; points, lines and circles (a Leaflet
    circle is a point with a radius) are refused with a clear message.
    """
    if not features:
        raise ValueError("drawing: nothing drawn; draw at least one polygon or rectangle")
    geometries = [shape(f.get("geometry") or {}) if f.get("geometry") else None for f in features]
    bad = sorted({g.geom_type if g is not None else "empty" for g in geometries
                  if g is None or g.geom_type not in ("Polygon", "MultiPolygon")})
    if bad:
        raise ValueError(f"drawing: only polygons and rectangles make a field area; got {', '.join(bad)}")
    parts = shapely.get_parts(shapely.make_valid(shapely.union_all(geometries)))
    parts = parts[shapely.get_type_id(parts) == 3]  # polygons only
    return MultiPolygon(list(parts))


def draft_polygons(drafts: gpd.GeoDataFrame, draft_id: str, area_id: str) -> MultiPolygon:
    """The shape of area ``area_id`` in draft ``draft_id`` (from ``Store.area_drafts``), EPSG:4326.

    Raises a clear error when the draft has no such area.
    """
    row = drafts[(drafts[DRAFT_ID] == draft_id) & (drafts[AREA_ID] == area_id)]
    if row.empty:
        raise ValueError(f"draft {draft_id!r} has no area {area_id!r}")
    parts = shapely.get_parts(row.geometry.iloc[0])
    return MultiPolygon(list(parts[shapely.get_type_id(parts) == 3]))


def import_drawn_version(store: Store, polygons: MultiPolygon, *, area_id: str, name: str, valid_from: dt.date,
                         team: str | None = None, progress: Progress = no_progress) -> ImportOutcome:
    """Store ``polygons`` (EPSG:4326) as a new version of ``area_id`` valid from ``valid_from``.

    Goes through :func:`geo.io.importer.import_file` (a GeoJSON written to a
    temporary folder), so the version is validated, the open version is
    closed on ``valid_from``, the change is logged and presence per area is
    recomputed. ``area_id`` must already be a slug (``slugify(name)`` for a
    new area). ``progress`` gets the import's stages (:func:`import_file`).
    """
    if not area_id or slugify(area_id) != area_id:
        raise ValueError(f"area_id: expected a slug like {slugify(name) or 'nytt-omrade'!r}; got {area_id!r}")
    if not isinstance(valid_from, dt.date) or isinstance(valid_from, dt.datetime):
        raise TypeError(f"valid_from must be a datetime.date; got {valid_from!r}")
    feature = {"type": "Feature", "geometry": shapely.geometry.mapping(polygons),
               "properties": {"area_id": area_id, "name": name}}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{area_id}_{valid_from.isoformat()}.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
        return import_file(store, path, kind="areas", options=ImportOptions(valid_from=valid_from, team=team),
                           progress=progress)
