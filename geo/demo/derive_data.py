"""Derive the committed demo geodata in ``data/`` from ``../shared/data``.

Run once (the outputs are committed; each is well under 3 MB)::

    .venv/bin/python -m geo.demo.derive_data

Reads the real, openly licensed Oslo data beside the project (see
``../shared/data/MANIFEST.md``) and writes only what the demo needs, all in
EPSG:4326:

- ``oslo_sentrum_walkable.gpkg`` (layer ``streets``): the walkable OSM ways of
  central Oslo (no trunk roads, no road tunnels, no ways closed to walkers),
  columns ``osm_id``, ``name``, ``highway``;
- ``oslo_sentrum_places.geojson``: the named OSM points the demo uses
  (parking garages, Jernbanetorget, the bus terminals, Grønland T), columns
  ``osm_id``, ``name``, ``kind``;
- ``hovseter.geojson``: the Hovseter sub-district polygon (delbydel 0703),
  with the constant third coordinate dropped.

Nothing is edited: rows are selected and columns dropped.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.demo import datafiles
from geo.demo.areas import PLACE_NAMES
from geo.schema import STORE_CRS

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
"""Real Oslo geodata beside the project (``<repo>/../shared/data``)."""

SOURCE_STREETS = "oslo_sentrum_streets.gpkg"
SOURCE_STREETS_LAYER = "streets"
SOURCE_PLACES = "oslo_sentrum_places.geojson"
SOURCE_SUBDISTRICTS = "oslo_delbydeler_2013.geojson"

NOT_WALKABLE_HIGHWAYS = frozenset({"trunk", "trunk_link", "motorway", "motorway_link"})
"""Road classes without walking in central Oslo (their sidewalks are own ways)."""

NOT_WALKABLE_TAGS: tuple[str, ...] = (
    '"tunnel"=>"yes"',
    '"foot"=>"no"',
    '"access"=>"no"',
    '"access"=>"private"',
)
"""OSM tags (in ``other_tags``) that make a way unusable for a patrol on foot."""

HOVSETER_NAME = "Hovseter"
SUBDISTRICT_NAME = "DELBYDELSN"
SUBDISTRICT_CODE = "DELBYDEL"

PLACE_KIND_COLUMNS: tuple[str, ...] = ("amenity", "railway", "public_transport")
"""Columns whose first non-empty value becomes a place's ``kind``."""


def derive_streets(source: Path) -> gpd.GeoDataFrame:
    """Walkable ways from the street extract, reduced to osm_id, name, highway."""
    streets = gpd.read_file(source, layer=SOURCE_STREETS_LAYER)
    tags = streets["other_tags"].fillna("")
    blocked = streets["highway"].isin(NOT_WALKABLE_HIGHWAYS)
    for tag in NOT_WALKABLE_TAGS:
        blocked |= tags.str.contains(tag, regex=False)
    kept = streets.loc[~blocked, ["osm_id", "name", "highway", "geometry"]]
    return kept.rename(columns={"osm_id": datafiles.OSM_ID, "name": datafiles.NAME, "highway": datafiles.HIGHWAY})


def derive_places(source: Path) -> gpd.GeoDataFrame:
    """The named OSM points listed in :data:`geo.demo.areas.PLACE_NAMES`."""
    places = gpd.read_file(source)
    missing = sorted(set(PLACE_NAMES) - set(places["name"].dropna()))
    if missing:
        raise ValueError(f"{source.name}: places {missing} not found; update geo.demo.areas.PLACE_NAMES")
    used = places[places["name"].isin(PLACE_NAMES)]
    kind = pd.Series(pd.NA, index=used.index, dtype=object)
    for column in PLACE_KIND_COLUMNS:
        kind = kind.fillna(used[column])
    out = gpd.GeoDataFrame(
        {datafiles.OSM_ID: used["osm_id"].astype(str), datafiles.NAME: used["name"], datafiles.PLACE_KIND: kind},
        geometry=used.geometry,
        crs=places.crs,
    )
    return out.sort_values([datafiles.NAME, datafiles.OSM_ID]).reset_index(drop=True)


def derive_hovseter(source: Path) -> gpd.GeoDataFrame:
    """The Hovseter sub-district, 2-D (the source's third coordinate is always 0)."""
    districts = gpd.read_file(source)
    found = districts[districts[SUBDISTRICT_NAME] == HOVSETER_NAME]
    if len(found) != 1:
        raise ValueError(f"{source.name}: expected one {SUBDISTRICT_NAME} == {HOVSETER_NAME!r}; got {len(found)}")
    flat = shapely.force_2d(found.geometry.values)
    return gpd.GeoDataFrame(
        {SUBDISTRICT_CODE: found[SUBDISTRICT_CODE].values, SUBDISTRICT_NAME: found[SUBDISTRICT_NAME].values},
        geometry=flat,
        crs=districts.crs,
    )


def derive_all(*, source_dir: Path = SHARED_DATA, target_dir: Path = datafiles.DATA_DIR) -> list[Path]:
    """Write every derived file into ``target_dir``; return their paths."""
    if not source_dir.is_dir():
        raise FileNotFoundError(f"source_dir {source_dir} not found; expected the shared data beside the project")
    target_dir.mkdir(parents=True, exist_ok=True)
    streets = derive_streets(source_dir / SOURCE_STREETS).to_crs(STORE_CRS)
    places = derive_places(source_dir / SOURCE_PLACES).to_crs(STORE_CRS)
    hovseter = derive_hovseter(source_dir / SOURCE_SUBDISTRICTS).to_crs(STORE_CRS)

    streets_path = target_dir / datafiles.STREETS_FILE.name
    places_path = target_dir / datafiles.PLACES_FILE.name
    hovseter_path = target_dir / datafiles.HOVSETER_FILE.name
    for path in (streets_path, places_path, hovseter_path):
        path.unlink(missing_ok=True)
    streets.to_file(streets_path, layer=datafiles.STREETS_LAYER, driver="GPKG")
    places.to_file(places_path, driver="GeoJSON")
    hovseter.to_file(hovseter_path, driver="GeoJSON")
    return [streets_path, places_path, hovseter_path]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-dir", type=Path, default=SHARED_DATA)
    parser.add_argument("--target-dir", type=Path, default=datafiles.DATA_DIR)
    args = parser.parse_args()
    for path in derive_all(source_dir=args.source_dir, target_dir=args.target_dir):
        print(f"{path}  {path.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
