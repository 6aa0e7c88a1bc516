"""Demo field areas: versions built from real OSM streets and places.

Every area is a buffer or union of real geometry (OSM ways and points in
``data/``), built in EPSG:25832 (metres) and returned in EPSG:4326, in the
form the field-area importer produces (one row per area version, no version
column: the store numbers versions).

The field areas follow Uteseksjonen's own description (PRODUCT.md, the 2018
seed text): in 2018 Brugata/Storgata, Vaterland/Grønland and Oslo S with
surroundings; from 2023 also the lower Akerselva and Urtegata; parking garages
are visited too. Brugata/Storgata gets a second version (extended up Storgata
to Nybrua) from 2021-03-01, so area versions change mid-period. Vestre Aker's
district team works at Hovseter, whose area is the real sub-district polygon.
Areas overlap where real field areas do (Oslo S and Vaterland/Grønland share the
bus terminal; garages lie inside Oslo S og omegn). The parking garages are
``indoor`` areas (PRODUCT.md, Indoor stay): phones get no fix inside, and the
gap counts as presence in the garage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops

from geo.demo import datafiles
from geo.schema import (
    AREA_ID,
    AREA_NAME,
    AREA_TEAM,
    GEOMETRY,
    INDOOR,
    MEASURE_CRS,
    SOURCE_FILE,
    SOURCE_LINE,
    STORE_CRS,
    VALID_FROM,
    VALID_TO,
)

DEMO_SOURCE_FILE = "demo"
"""``source_file`` of every demo row."""

TEAM_CENTRE = "uteseksjonen"
"""Uteseksjonen, the city-wide outreach service working the centre."""

TEAM_DISTRICT = "vestre-aker"
"""Bydel Vestre Aker's outreach team (Hovseter)."""

FIRST_SET_FROM = date(2018, 1, 1)
"""Valid-from of the 2018 field areas, the garages and Hovseter."""

SECOND_SET_FROM = date(2023, 1, 1)
"""Valid-from of the 2023 field areas (lower Akerselva, Urtegata)."""

STORGATA_EXTENDED_FROM = date(2021, 3, 1)
"""Brugata/Storgata is extended up Storgata to Nybrua from this date."""

STREET_BUFFER_M = 35.0
"""Half-width of a street corridor, metres."""

PLACE_BUFFER_M = 40.0
"""Radius around a named point (stop, subway entrance), metres."""

GARAGE_BUFFER_M = 25.0
"""Radius of a parking-garage area around its OSM point, metres."""

LILLETORGET_RADIUS_M = 150.0
"""The first Brugata/Storgata version covers Storgata this far from Lilletorget, metres."""

GRONLANDSLEIRET_MAX_LON = 10.765
"""Vaterland/Grønland covers the Grønlandsleiret ways west of this longitude (Tøyenbekken), degrees."""

BUFFER_QUAD_SEGS = 4
"""Segments per quarter circle in buffers (fewer vertices, same shape at this scale)."""

BRUGATA = "Brugata"
STORGATA = "Storgata"
GRONLAND = "Grønland"
GRONLANDSLEIRET = "Grønlandsleiret"
URTEGATA = "Urtegata"
JERNBANETORGET = "Jernbanetorget"
ELVEBAKKE_STREETS = ("Østre Elvebakke", "Vestre Elvebakke")

OSLO_BUSSTERMINAL = "Oslo bussterminal"
BUSSTERMINALEN_GRONLAND = "Bussterminalen Grønland"
GRONLAND_SUBWAY = "Grønland"

AKERSELVA_BRIDGES: tuple[int, ...] = (
    4826553,  # footbridge between Østre and Vestre Elvebakke
    4844705,  # Torggata bridge
    4826650,  # Storgata, Nybrua
    108165755,  # Hausmanns gate, Hausmanns bru
    4348102,  # Brugata, Vaterlands bru
)
"""OSM ways crossing the lower Akerselva, upstream to downstream.

The river itself is not in the street extract; its corridor is the line through
the centres of the bridges that cross it.
"""


@dataclass(frozen=True, slots=True)
class Garage:
    """A parking garage visited by patrols: area slug, area name, OSM place name."""

    area_id: str
    name: str
    osm_name: str


GARAGES: tuple[Garage, ...] = (
    Garage("p-hus-oslo-s", "Oslo S p-hus", "Oslo S p-hus"),
    Garage("p-hus-byporten", "Byporten p-hus", "Byporten p-hus"),
    Garage("p-hus-gronlands-torg", "Grønlands torg p-hus", "Grønlands torg p-hus"),
    Garage("p-hus-munchs-gate", "Sentrum p-hus Munchs gate", "Sentrum p-hus Munchs gate"),
    Garage("p-hus-saga", "Saga p-hus", "Saga p-hus"),
)

PLACE_NAMES: tuple[str, ...] = (
    JERNBANETORGET,
    OSLO_BUSSTERMINAL,
    BUSSTERMINALEN_GRONLAND,
    GRONLAND_SUBWAY,
    *(g.osm_name for g in GARAGES),
)
"""Every named OSM point the demo uses (copied to ``data/`` by derive_data)."""

BRUGATA_STORGATA = "brugata-storgata"
VATERLAND_GRONLAND = "vaterland-gronland"
OSLO_S = "oslo-s"
AKERSELVA_NEDRE = "akerselva-nedre"
URTEGATA_ID = "urtegata"
HOVSETER = "hovseter"

CENTRE_FIELD_AREAS: tuple[str, ...] = (
    BRUGATA_STORGATA, VATERLAND_GRONLAND, OSLO_S, AKERSELVA_NEDRE, URTEGATA_ID,
)
"""The street field areas of the centre (not garages, not district areas)."""


@dataclass(frozen=True, slots=True)
class AreaVersion:
    """One version of one field area; geometry in EPSG:25832 (metres)."""

    area_id: str
    name: str
    team: str
    valid_from: date
    valid_to: date | None
    geometry: shapely.Polygon | shapely.MultiPolygon
    indoor: bool = False


def demo_areas() -> gpd.GeoDataFrame:
    """Field-area versions of the demo, as the field-area importer returns them.

    Returns
    -------
    GeoDataFrame in EPSG:4326, one row per area version, columns ``area_id``
    (slug), ``name``, ``team``, ``valid_from`` (``datetime.date``, inclusive),
    ``valid_to`` (``datetime.date``, exclusive, or ``None`` = still valid),
    ``indoor`` (True for the parking garages), ``source_file`` (``"demo"``), ``source_line`` (1..n) and a MultiPolygon
    ``geometry``.
    """
    return _demo_areas().copy()


def area_versions_measured() -> tuple[AreaVersion, ...]:
    """The same versions with geometry in EPSG:25832 (for the generator)."""
    return _versions()


@cache
def _demo_areas() -> gpd.GeoDataFrame:
    versions = _versions()
    measured = gpd.GeoSeries([_as_multi(v.geometry) for v in versions], crs=MEASURE_CRS)
    stored = measured.to_crs(STORE_CRS)
    geometry = [_as_multi(shapely.make_valid(g)) for g in stored]
    frame = pd.DataFrame(
        {
            AREA_ID: [v.area_id for v in versions],
            AREA_NAME: [v.name for v in versions],
            AREA_TEAM: [v.team for v in versions],
            VALID_FROM: [v.valid_from for v in versions],
            VALID_TO: pd.Series([v.valid_to for v in versions], dtype=object),
            INDOOR: np.array([v.indoor for v in versions], dtype=bool),
            SOURCE_FILE: DEMO_SOURCE_FILE,
            SOURCE_LINE: np.arange(1, len(versions) + 1, dtype=np.int64),
        }
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=STORE_CRS, name=GEOMETRY), crs=STORE_CRS)


@cache
def _versions() -> tuple[AreaVersion, ...]:
    streets = datafiles.read_streets().to_crs(MEASURE_CRS)
    places = datafiles.read_places().to_crs(MEASURE_CRS)
    hovseter = gpd.GeoSeries([datafiles.read_hovseter()], crs=STORE_CRS).to_crs(MEASURE_CRS).iloc[0]

    brugata = _lines(streets, BRUGATA)
    lilletorget = _west_end(brugata)
    storgata = _storgata_axis(streets, lilletorget)
    near_lilletorget = storgata.intersection(lilletorget.buffer(LILLETORGET_RADIUS_M))
    up_to_nybrua = _north_east_of(storgata, lilletorget)
    brugata_storgata_2018 = _corridor(shapely.union(brugata, near_lilletorget))
    brugata_storgata_2021 = _corridor(shapely.union_all([brugata, near_lilletorget, up_to_nybrua]))

    leiret = streets[(streets[datafiles.NAME] == GRONLANDSLEIRET)]
    leiret = leiret[leiret.to_crs(STORE_CRS).geometry.bounds["maxx"] <= GRONLANDSLEIRET_MAX_LON]
    vaterland = shapely.union_all(
        [
            _corridor(_lines(streets, GRONLAND)),
            _corridor(shapely.union_all(leiret.geometry.values)),
            _corridor(_bridge_line(streets, AKERSELVA_BRIDGES[-1])),
            _points(places, GRONLAND_SUBWAY).buffer(PLACE_BUFFER_M, quad_segs=BUFFER_QUAD_SEGS),
            _points(places, BUSSTERMINALEN_GRONLAND).buffer(PLACE_BUFFER_M, quad_segs=BUFFER_QUAD_SEGS),
        ]
    ).convex_hull

    oslo_s = shapely.union_all(
        [
            _corridor(_lines(streets, JERNBANETORGET)),
            _points(places, OSLO_BUSSTERMINAL).buffer(PLACE_BUFFER_M, quad_segs=BUFFER_QUAD_SEGS),
            _points(places, JERNBANETORGET).buffer(PLACE_BUFFER_M, quad_segs=BUFFER_QUAD_SEGS),
            _points(places, GARAGES[0].osm_name).buffer(PLACE_BUFFER_M, quad_segs=BUFFER_QUAD_SEGS),
        ]
    ).convex_hull

    river = _river_line(streets)
    akerselva = shapely.union_all(
        [_corridor(shapely.union_all([_lines(streets, n) for n in ELVEBAKKE_STREETS])), _corridor(river)]
    )
    urtegata = _corridor(_lines(streets, URTEGATA))

    versions = [
        AreaVersion(BRUGATA_STORGATA, "Brugata/Storgata", TEAM_CENTRE, FIRST_SET_FROM, STORGATA_EXTENDED_FROM,
                    brugata_storgata_2018),
        AreaVersion(BRUGATA_STORGATA, "Brugata/Storgata", TEAM_CENTRE, STORGATA_EXTENDED_FROM, None,
                    brugata_storgata_2021),
        AreaVersion(VATERLAND_GRONLAND, "Vaterland/Grønland", TEAM_CENTRE, FIRST_SET_FROM, None, vaterland),
        AreaVersion(OSLO_S, "Oslo S og omegn", TEAM_CENTRE, FIRST_SET_FROM, None, oslo_s),
        AreaVersion(AKERSELVA_NEDRE, "Nedre Akerselva", TEAM_CENTRE, SECOND_SET_FROM, None, akerselva),
        AreaVersion(URTEGATA_ID, "Urtegata", TEAM_CENTRE, SECOND_SET_FROM, None, urtegata),
    ]
    for garage in GARAGES:
        point = _points(places, garage.osm_name)
        versions.append(
            AreaVersion(garage.area_id, garage.name, TEAM_CENTRE, FIRST_SET_FROM, None,
                        point.buffer(GARAGE_BUFFER_M, quad_segs=BUFFER_QUAD_SEGS), indoor=True)
        )
    versions.append(AreaVersion(HOVSETER, "Hovseter", TEAM_DISTRICT, FIRST_SET_FROM, None, hovseter))
    return tuple(versions)


def _lines(streets: gpd.GeoDataFrame, name: str) -> shapely.Geometry:
    """Union of the OSM ways called ``name``; raises if there are none."""
    found = streets[streets[datafiles.NAME] == name]
    if found.empty:
        raise ValueError(f"street {name!r} not found in {datafiles.STREETS_FILE.name}; re-run derive_data")
    return shapely.line_merge(shapely.union_all(found.geometry.values))


def _points(places: gpd.GeoDataFrame, name: str) -> shapely.Geometry:
    """Union of the named OSM points called ``name``; raises if there are none."""
    found = places[places[datafiles.NAME] == name]
    if found.empty:
        raise ValueError(f"place {name!r} not found in {datafiles.PLACES_FILE.name}; re-run derive_data")
    return shapely.union_all(found.geometry.values)


def _bridge_line(streets: gpd.GeoDataFrame, osm_id: int) -> shapely.Geometry:
    found = streets[streets[datafiles.OSM_ID].astype(str) == str(osm_id)]
    if found.empty:
        raise ValueError(f"OSM way {osm_id} not found in {datafiles.STREETS_FILE.name}; re-run derive_data")
    return found.geometry.iloc[0]


def _corridor(lines: shapely.Geometry) -> shapely.Geometry:
    return shapely.buffer(lines, STREET_BUFFER_M, quad_segs=BUFFER_QUAD_SEGS)


def _west_end(lines: shapely.Geometry) -> shapely.Point:
    """The westernmost vertex (Brugata's end at Lilletorget, where it meets Storgata)."""
    xy = shapely.get_coordinates(lines)
    return shapely.Point(xy[np.argmin(xy[:, 0])])


def _storgata_axis(streets: gpd.GeoDataFrame, lilletorget: shapely.Point) -> shapely.LineString:
    """Storgata as one line from Kirkeristen through Lilletorget to Nybrua.

    The walkable extract lacks Storgata's tram section, so the named pieces are
    joined in order along the street's south-west to north-east direction.
    """
    xy = shapely.get_coordinates(_lines(streets, STORGATA))
    xy = np.vstack([xy, [[lilletorget.x, lilletorget.y]]])
    direction = xy[np.argmax(xy.sum(axis=1))] - xy[np.argmin(xy.sum(axis=1))]
    order = np.argsort(xy @ direction, kind="stable")
    _, first = np.unique(xy[order], axis=0, return_index=True)
    return shapely.LineString(xy[order][np.sort(first)])


def _north_east_of(line: shapely.LineString, point: shapely.Point) -> shapely.Geometry:
    """The part of ``line`` beyond ``point`` (towards its end)."""
    return shapely.ops.substring(line, line.project(point), line.length)


def _river_line(streets: gpd.GeoDataFrame) -> shapely.LineString:
    centres = [_bridge_line(streets, osm_id).centroid for osm_id in AKERSELVA_BRIDGES]
    return shapely.LineString(centres)


def _as_multi(geometry: shapely.Geometry) -> shapely.MultiPolygon:
    if isinstance(geometry, shapely.MultiPolygon):
        return geometry
    if isinstance(geometry, shapely.Polygon):
        return shapely.MultiPolygon([geometry])
    polygons = [g for g in getattr(geometry, "geoms", []) if isinstance(g, shapely.Polygon | shapely.MultiPolygon)]
    parts: list[shapely.Polygon] = []
    for g in polygons:
        parts.extend(g.geoms if isinstance(g, shapely.MultiPolygon) else [g])
    if not parts:
        raise ValueError(f"area geometry must be polygonal; got {geometry.geom_type}")
    return shapely.MultiPolygon(parts)
