"""Derive the offline basemap ``data/oslo_basemap.geojson`` from the shared OSM extract.

Run once (the output is committed, about 0.5 MB)::

    .venv/bin/python -m geo.demo.derive_basemap

Reads ``../shared/data/oslo-east-filtered.osm.pbf`` (OSM, ODbL, edits up to
2019-10-07) and writes one GeoJSON FeatureCollection in EPSG:4326 with one
feature per map class (:data:`geo.basemap.CLASSES`), the property ``k``
naming the class:

- ``major``, ``street``, ``service``, ``path``: the highway network by class
  (road tunnels and building passages left out: they are under ground or
  roof; ways under construction or only proposed left out);
- ``square``: pedestrian squares and plazas (highway=pedestrian areas,
  place=square);
- ``platform``: railway and bus platforms above ground (they show where the
  tracks run at Oslo S);
- ``river``: the lower Akerselva as a schematic line through the centres of
  the bridges that cross it (the same line the demo's Akerselva area is built
  on, :data:`geo.demo.areas.AKERSELVA_BRIDGES`). The extract holds only the
  highway network: the river's own course, the fjord, parks and rail lines
  are not in it, so they are not drawn.

Lines of a class are merged where they meet end to end, simplified to
:data:`SIMPLIFY_M` in EPSG:25832 and rounded to :data:`PRECISION_DEG`; all of
it is clipped to the demo extent (:func:`clip_region`). The output is the
same byte for byte on every run.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geo.basemap import BASEMAP_FILE, CLASS_KEY, CLASSES
from geo.demo.areas import AKERSELVA_BRIDGES, demo_areas
from geo.demo.derive_data import SHARED_DATA
from geo.schema import MEASURE_CRS, STORE_CRS

SOURCE_PBF = "oslo-east-filtered.osm.pbf"

MARGIN_M = 1_200.0
"""The basemap reaches this far beyond the demo areas' bounding boxes (metres, EPSG:25832)."""

SIMPLIFY_M = 1.0
"""Douglas–Peucker tolerance (metres, EPSG:25832): invisible at street zoom, a third fewer vertices."""

PRECISION_DEG = 1e-5
"""Coordinates are rounded to this (about 1.1 m north–south, 0.6 m east–west at 60° N)."""

HIGHWAY_CLASSES: dict[str, tuple[str, ...]] = {
    "major": ("motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary",
              "secondary_link"),
    "street": ("tertiary", "tertiary_link", "unclassified", "residential", "living_street", "road"),
    "service": ("service",),
    "path": ("footway", "path", "pedestrian", "steps", "cycleway", "track", "bridleway", "corridor", "trail"),
}
"""OSM ``highway`` values drawn, by map class; others (construction, proposed, ...) are left out."""

HIDDEN_TAGS: tuple[str, ...] = ('"tunnel"=>"yes"', '"tunnel"=>"building_passage"')
"""Ways under ground or under a roof: not drawn (``tunnel=culvert`` is a road over a culvert and stays)."""

UNDERGROUND_LAYER = '"layer"=>"-'
"""A negative OSM ``layer``: platforms under ground (the subway) are not drawn."""


def clip_region(areas: gpd.GeoDataFrame, *, margin_m: float = MARGIN_M) -> shapely.Geometry:
    """The demo extent (EPSG:25832): each group of overlapping grown area bounding boxes,
    as one rectangle (the centre, and Hovseter 5 km west, stay two rectangles)."""
    grown = shapely.buffer(areas.to_crs(MEASURE_CRS).geometry.envelope.to_numpy(), margin_m, join_style="mitre")
    parts = shapely.get_parts(shapely.union_all(grown))
    return shapely.union_all(shapely.envelope(parts))


def highway_lines(lines: gpd.GeoDataFrame) -> dict[str, shapely.Geometry]:
    """Highway ways of the PBF ``lines`` layer (EPSG:25832) merged into one geometry per class."""
    tags = lines["other_tags"].fillna("")
    hidden = np.zeros(len(lines), dtype=bool)
    for tag in HIDDEN_TAGS:
        hidden |= tags.str.contains(tag, regex=False).to_numpy()
    out = {}
    for key, highways in HIGHWAY_CLASSES.items():
        chosen = lines.geometry[lines["highway"].isin(highways).to_numpy() & ~hidden].to_numpy()
        out[key] = shapely.line_merge(shapely.union_all(chosen))
    return out


def area_features(polygons: gpd.GeoDataFrame) -> dict[str, shapely.Geometry]:
    """Squares and above-ground platforms of the PBF ``multipolygons`` layer (EPSG:25832)."""
    tags = polygons["other_tags"].fillna("")
    above = ~tags.str.contains(UNDERGROUND_LAYER, regex=False) & ~tags.str.contains('"tunnel"=>"yes"', regex=False)
    square = tags.str.contains('"highway"=>"pedestrian"', regex=False) | (polygons["place"] == "square")
    platform = tags.str.contains('"railway"=>"platform"', regex=False) | \
        tags.str.contains('"public_transport"=>"platform"', regex=False)
    return {
        "square": shapely.union_all(polygons.geometry[(square & above & ~platform).to_numpy()].to_numpy()),
        "platform": shapely.union_all(polygons.geometry[(platform & above).to_numpy()].to_numpy()),
    }


def river_line(lines: gpd.GeoDataFrame) -> shapely.LineString:
    """The lower Akerselva (EPSG:25832): the line through the centres of its bridges, upstream first."""
    ids = lines["osm_id"].astype("int64")
    centres = []
    for osm_id in AKERSELVA_BRIDGES:
        found = lines.geometry[(ids == osm_id).to_numpy()]
        if len(found) != 1:
            raise ValueError(f"{SOURCE_PBF}: Akerselva bridge way {osm_id} not found exactly once (got {len(found)})")
        centres.append(found.iloc[0].centroid)
    return shapely.LineString(centres)


def derive_basemap(source: Path) -> dict:
    """The basemap as a GeoJSON FeatureCollection (dict), one feature per class, EPSG:4326."""
    lines = gpd.read_file(source, layer="lines").to_crs(MEASURE_CRS)
    polygons = gpd.read_file(source, layer="multipolygons").to_crs(MEASURE_CRS)
    region = clip_region(demo_areas())
    layers = {**area_features(polygons), **highway_lines(lines), "river": river_line(lines)}
    if layers.keys() != CLASSES.keys():
        raise ValueError(f"derived classes {sorted(layers)} differ from geo.basemap.CLASSES {sorted(CLASSES)}")
    features = []
    for key in CLASSES:  # drawing order: the first class at the bottom
        geometry = layers[key]
        clipped = shapely.simplify(shapely.intersection(geometry, region), SIMPLIFY_M)
        drawn = gpd.GeoSeries([clipped], crs=MEASURE_CRS).to_crs(STORE_CRS).iloc[0]
        drawn = shapely.set_precision(drawn, PRECISION_DEG)
        if drawn.is_empty:
            continue
        features.append({"type": "Feature", "properties": {CLASS_KEY: key},
                         "geometry": _rounded(shapely.geometry.mapping(drawn))})
    return {"type": "FeatureCollection", "features": features}


def _rounded(value):
    """GeoJSON coordinates rounded to :data:`PRECISION_DEG` (shortest decimal text)."""
    if isinstance(value, float):
        return round(value, 5)
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def write_basemap(*, source_dir: Path = SHARED_DATA, target: Path = BASEMAP_FILE) -> Path:
    """Derive the basemap and write it to ``target`` (compact JSON); returns ``target``."""
    source = source_dir / SOURCE_PBF
    if not source.is_file():
        raise FileNotFoundError(f"{source} not found; expected the shared data beside the project")
    collection = derive_basemap(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(collection, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-dir", type=Path, default=SHARED_DATA)
    parser.add_argument("--target", type=Path, default=BASEMAP_FILE)
    args = parser.parse_args()
    path = write_basemap(source_dir=args.source_dir, target=args.target)
    collection = json.loads(path.read_text(encoding="utf-8"))
    vertices = {f["properties"][CLASS_KEY]: int(shapely.get_num_coordinates(shapely.geometry.shape(f["geometry"])))
                for f in collection["features"]}
    print(f"{path}  {path.stat().st_size / 1e6:.3f} MB  vertices per class: {vertices}")


if __name__ == "__main__":
    main()
