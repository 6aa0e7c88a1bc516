"""Tests of geo.io.areas: reading field areas from GeoJSON, GeoPackage and zipped Shapefiles.

Inputs are built in ``tmp_path`` with geopandas; the one real polygon comes from
``../shared/data/oslo_delbydeler_2013.geojson`` (Oslo kommune, PBE; see its
MANIFEST.md). Reprojected coordinates are checked against pyproj directly and
against values known without computation (the central meridian of a UTM zone).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from numpy.testing import assert_allclose
from pyproj import Transformer
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

from geo.io.areas import AREA_COLUMNS, MIN_AREA_M2, read_areas, slugify
from geo.io.errors import InputFileError, RowError
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
    T_AREAS,
    VALID_FROM,
    VALID_TO,
)

# Oslo S / Jernbanetorget, lon/lat degrees.
OSLO_S = (10.7522, 59.9111)
D = dt.date


# --- builders ------------------------------------------------------------------


def square(lon: float = OSLO_S[0], lat: float = OSLO_S[1], size: float = 0.002) -> Polygon:
    """A small square in lon/lat degrees (0.002° ≈ 110 m north-south)."""
    return box(lon, lat, lon + size, lat + size)


def write(
    tmp_path: Path,
    rows: list[dict],
    geoms: list,
    *,
    name: str = "areas.geojson",
    crs: str | None = STORE_CRS,
    layer: str | None = None,
) -> Path:
    """Write rows + geometries (given in ``crs``) to a GeoJSON or GeoPackage."""
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=crs)
    path = tmp_path / name
    frame.to_file(path, layer=layer) if layer else frame.to_file(path)
    return path


def write_zipped_shapefile(
    tmp_path: Path, layers: dict[str, gpd.GeoDataFrame], *, name: str = "areas.zip", skip: tuple[str, ...] = ()
) -> Path:
    """Write each frame as ``<stem>.shp`` and zip all parts (except extensions in ``skip``)."""
    folder = tmp_path / "shp"
    folder.mkdir(exist_ok=True)
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        for stem, frame in layers.items():
            frame.to_file(folder / f"{stem}.shp")
            for part in sorted(folder.glob(f"{stem}.*")):
                if part.suffix not in skip:
                    archive.write(part, part.name)
    return path


def areas_of(result) -> gpd.GeoDataFrame:
    return result.frames[T_AREAS]


def only_error(result) -> RowError:
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


# --- slugify -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Vaterland/Grønland", "vaterland-gronland"),
        ("Brugata/Storgata", "brugata-storgata"),
        ("Oslo S med omegn", "oslo-s-med-omegn"),
        ("Nedre Akerselva", "nedre-akerselva"),
        ("Ærfuglveien – Åsen", "aerfuglveien-asen"),
        ("Grünerløkka vest", "grunerlokka-vest"),
        ("  P-hus (Oslo S)  ", "p-hus-oslo-s"),
        ("!!!", ""),
    ],
)
def test_slugify_folds_norwegian_letters_and_punctuation(name: str, slug: str) -> None:
    assert slugify(name) == slug


# --- formats and CRS -----------------------------------------------------------


def test_geojson_in_wgs84_gives_multipolygons_dates_and_provenance(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            {"område_id": "oslo-s", "navn": "Oslo S med omegn", "lag": "Sentrum", "gyldig_fra": "2018-01-01",
             "gyldig_til": "2023-01-01"},
            {"område_id": "urtegata", "navn": "Urtegata", "lag": "Sentrum", "gyldig_fra": "01.01.2023",
             "gyldig_til": None},
        ],
        [square(), MultiPolygon([square(10.77, 59.915), square(10.78, 59.915)])],
    )
    result = read_areas(path)

    assert result.errors == [] and result.warnings == []
    areas = areas_of(result)
    assert isinstance(areas, gpd.GeoDataFrame)
    assert list(areas.columns) == list(AREA_COLUMNS)
    assert areas.crs == STORE_CRS
    assert list(areas[AREA_ID]) == ["oslo-s", "urtegata"]
    assert list(areas[AREA_NAME]) == ["Oslo S med omegn", "Urtegata"]
    assert list(areas[AREA_TEAM]) == ["Sentrum", "Sentrum"]
    assert list(areas[VALID_FROM]) == [D(2018, 1, 1), D(2023, 1, 1)]
    assert list(areas[VALID_TO]) == [D(2023, 1, 1), None]
    assert all(type(d) is dt.date for d in areas[VALID_FROM])
    assert list(areas[SOURCE_FILE]) == ["areas.geojson"] * 2
    assert list(areas[SOURCE_LINE]) == [1, 2]
    assert list(areas.geom_type) == ["MultiPolygon", "MultiPolygon"]
    assert areas.geometry.iloc[0].equals(MultiPolygon([square()]))
    assert len(areas.geometry.iloc[1].geoms) == 2


def test_gpkg_in_utm32_is_reprojected_to_wgs84(tmp_path: Path) -> None:
    # x = 500 000 m is the central meridian of UTM zone 32: exactly 9° E.
    ring = [(500_000, 6_650_000), (500_100, 6_650_000), (500_100, 6_650_100), (500_000, 6_650_100)]
    oslo = box(597_000, 6_643_000, 597_200, 6_643_200)
    path = write(
        tmp_path,
        [{"navn": "Sentralmeridian", "gyldig_fra": "2024-01-01"}, {"navn": "Oslo", "gyldig_fra": "2024-01-01"}],
        [Polygon(ring), oslo],
        name="areas.gpkg",
        crs="EPSG:25832",
        layer="feltomrader",
    )
    areas = areas_of(read_areas(path))

    assert areas.crs == STORE_CRS
    lon, lat = shapely.get_coordinates(areas.geometry.iloc[0]).T
    assert_allclose(lon[[0, 3]], 9.0, atol=1e-9)
    expected_lon, expected_lat = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True).transform(
        [x for x, _ in ring], [y for _, y in ring]
    )
    assert_allclose(lon[:4], expected_lon, atol=1e-9)
    assert_allclose(lat[:4], expected_lat, atol=1e-9)
    # The Oslo square lands in central Oslo and keeps its 200 m x 200 m area.
    centre = areas.geometry.iloc[1].centroid
    assert 10.70 < centre.x < 10.80 and 59.89 < centre.y < 59.94
    assert_allclose(areas.to_crs(MEASURE_CRS).area.iloc[1], 40_000, rtol=1e-6)


def test_zipped_shapefile_in_utm33_with_norwegian_columns(tmp_path: Path) -> None:
    # Column names fit the Shapefile limit of 10 characters ("gyldig_fra" is exactly 10).
    rows = pd.DataFrame(
        {
            "omradeid": ["vaterland-gronland", "sentralmeridian"],
            "navn": ["Vaterland/Grønland", "Sentralmeridian 33"],
            "lag": ["Uteseksjonen", "Uteseksjonen"],
            "gyldig_fra": ["12.06.2018", "12.06.2018"],
            "gyldig_til": ["01.01.2024", None],
        }
    )
    # x = 500 000 m is the central meridian of UTM zone 33: exactly 15° E.
    frame = gpd.GeoDataFrame(
        rows,
        geometry=[box(263_000, 6_650_000, 263_300, 6_650_200), box(500_000, 6_650_000, 500_100, 6_650_100)],
        crs="EPSG:25833",
    )
    path = write_zipped_shapefile(tmp_path, {"feltomrader": frame})
    result = read_areas(path)

    assert result.errors == []
    areas = areas_of(result)
    assert list(areas[AREA_ID]) == ["vaterland-gronland", "sentralmeridian"]
    assert areas[AREA_NAME].iloc[0] == "Vaterland/Grønland"
    assert list(areas[VALID_FROM]) == [D(2018, 6, 12)] * 2
    assert list(areas[VALID_TO]) == [D(2024, 1, 1), None]
    assert list(areas[SOURCE_FILE]) == ["areas.zip"] * 2
    to_wgs84 = Transformer.from_crs("EPSG:25833", "EPSG:4326", always_xy=True)
    expected = shapely.transform(frame.geometry.iloc[0], lambda xy: _stack(to_wgs84, xy))
    # A Shapefile stores rings clockwise: compare in normal form.
    assert_allclose(
        shapely.get_coordinates(shapely.normalize(areas.geometry.iloc[0])),
        shapely.get_coordinates(shapely.normalize(MultiPolygon([expected]))),
        atol=1e-9,
    )
    min_lon = areas.geometry.iloc[1].bounds[0]
    assert_allclose(min_lon, 15.0, atol=1e-9)


def _stack(transformer: Transformer, xy: np.ndarray) -> np.ndarray:
    return np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))


def test_zip_with_several_shapefiles_needs_layer(tmp_path: Path) -> None:
    one = gpd.GeoDataFrame({"navn": ["A"], "gyldig_fra": ["2024-01-01"]}, geometry=[square()], crs=STORE_CRS)
    two = gpd.GeoDataFrame({"navn": ["B"], "gyldig_fra": ["2024-01-01"]}, geometry=[square(10.77)], crs=STORE_CRS)
    path = write_zipped_shapefile(tmp_path, {"sentrum": one, "grunerlokka": two})

    with pytest.raises(InputFileError, match=r"holds 2 Shapefiles \('grunerlokka', 'sentrum'\); choose one with --layer"):
        read_areas(path)
    assert list(areas_of(read_areas(path, layer="grunerlokka"))[AREA_NAME]) == ["B"]
    with pytest.raises(InputFileError, match=r"has no Shapefile 'marka'; available: 'grunerlokka', 'sentrum'"):
        read_areas(path, layer="marka")


def test_zip_without_dbf_is_refused(tmp_path: Path) -> None:
    one = gpd.GeoDataFrame({"navn": ["A"]}, geometry=[square()], crs=STORE_CRS)
    path = write_zipped_shapefile(tmp_path, {"sentrum": one}, skip=(".dbf",))
    with pytest.raises(InputFileError, match=r"sentrum.shp has no .dbf beside it in the zip: zip all files"):
        read_areas(path)


def test_zip_without_shapefile_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "areas.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "no shapes here")
    with pytest.raises(InputFileError, match=r"contains no .shp file \(found: readme.txt\)"):
        read_areas(path)


def test_gpkg_with_several_layers_needs_layer_and_ignores_tables(tmp_path: Path) -> None:
    path = write(tmp_path, [{"navn": "A", "gyldig_fra": "2024-01-01"}], [square()], name="a.gpkg", layer="sentrum")
    write(tmp_path, [{"navn": "B", "gyldig_fra": "2024-01-01"}], [square(10.77)], name="a.gpkg", layer="bydel")
    # An attribute-only table, like the layer_styles table QGIS adds, is not a layer to choose from.
    pyogrio.write_dataframe(pd.DataFrame({"style": ["x"]}), path, layer="layer_styles")

    with pytest.raises(InputFileError, match=r"a.gpkg: holds 2 layers \('sentrum', 'bydel'\); choose one with --layer"):
        read_areas(path)
    assert list(areas_of(read_areas(path, layer="bydel"))[AREA_NAME]) == ["B"]
    assert list(areas_of(read_areas(path, layer="SENTRUM"))[AREA_NAME]) == ["A"]
    with pytest.raises(InputFileError, match=r"has no layer 'marka'; available: 'sentrum', 'bydel'"):
        read_areas(path, layer="marka")


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_no_crs_and_projected_coordinates_asks_for_crs(tmp_path: Path) -> None:
    path = write(
        tmp_path, [{"navn": "Oslo", "gyldig_fra": "2024-01-01"}], [box(597_000, 6_643_000, 597_200, 6_643_200)],
        name="nocrs.gpkg", crs=None,
    )
    with pytest.raises(InputFileError, match=r"nocrs.gpkg: has no CRS .* are not lon/lat degrees: pass --crs"):
        read_areas(path)

    result = read_areas(path, crs="EPSG:25832")
    assert result.warnings == []
    assert_allclose(areas_of(result).to_crs(MEASURE_CRS).area, [40_000], rtol=1e-6)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_no_crs_and_degree_coordinates_assumes_wgs84_with_warning(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"navn": ["A"], "gyldig_fra": ["2024-01-01"]}, geometry=[square()])
    path = write_zipped_shapefile(tmp_path, {"sentrum": frame})  # no .prj is written without a CRS
    result = read_areas(path)
    assert len(result.warnings) == 1
    assert "no CRS in the file" in result.warnings[0] and "EPSG:4326 is assumed" in result.warnings[0]
    assert areas_of(result).geometry.iloc[0].equals(MultiPolygon([square()]))


def test_geographic_crs_with_metre_coordinates_is_refused(tmp_path: Path) -> None:
    # A GeoJSON without a "crs" member is WGS84 by definition, whatever its numbers say.
    path = tmp_path / "utm.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", '
        '"properties": {"navn": "Oslo", "gyldig_fra": "2024-01-01"}, "geometry": {"type": "Polygon", '
        '"coordinates": [[[597000, 6643000], [597200, 6643000], [597200, 6643200], [597000, 6643000]]]}}]}'
    )
    with pytest.raises(InputFileError, match=r"declares the geographic CRS EPSG:4326 but its coordinates .* pass the real CRS with --crs"):
        read_areas(path)

    result = read_areas(path, crs="EPSG:25832")
    assert any("--crs EPSG:25832 overrides the CRS declared in the file (EPSG:4326)" in w for w in result.warnings)
    centre = areas_of(result).geometry.iloc[0].centroid
    assert 10.70 < centre.x < 10.80 and 59.89 < centre.y < 59.94


def test_area_far_from_norway_is_reported_as_wrong_crs(tmp_path: Path) -> None:
    path = write(tmp_path, [{"navn": "Null Island", "gyldig_fra": "2024-01-01"}], [square(0.0, 0.0)])
    result = read_areas(path)
    assert len(areas_of(result)) == 1
    assert any("feature(s) 1 lie outside Norway" in w and "wrong CRS?" in w for w in result.warnings)


# --- the real sub-district file -------------------------------------------------


def test_real_subdistrict_with_z_becomes_2d_multipolygon(shared_data: Path, tmp_path: Path) -> None:
    source = gpd.read_file(shared_data / "oslo_delbydeler_2013.geojson")
    hovseter = source[source["DELBYDELSN"] == "Hovseter"].rename(columns={"DELBYDELSN": "name"})
    assert hovseter.geometry.iloc[0].has_z  # the file's third coordinate, always 0
    path = tmp_path / "hovseter.geojson"
    hovseter.to_file(path)

    result = read_areas(path, valid_from=D(2013, 1, 1), team="Vestre Aker")

    assert result.errors == [] and result.warnings == []
    area = areas_of(result).iloc[0]
    assert (area[AREA_ID], area[AREA_NAME], area[AREA_TEAM]) == ("hovseter", "Hovseter", "Vestre Aker")
    assert (area[VALID_FROM], area[VALID_TO]) == (D(2013, 1, 1), None)
    assert area[GEOMETRY].geom_type == "MultiPolygon"
    assert not area[GEOMETRY].has_z
    # Shape_Area is the source's own area in square metres (UTM 32N): an independent check.
    measured = gpd.GeoSeries([area[GEOMETRY]], crs=STORE_CRS).to_crs(MEASURE_CRS).area.iloc[0]
    assert_allclose(measured, hovseter["Shape_Area"].iloc[0], rtol=1e-3)


# --- geometry ------------------------------------------------------------------


def test_bowtie_is_repaired_with_warning(tmp_path: Path) -> None:
    lon, lat = OSLO_S
    bowtie = Polygon([(lon, lat), (lon + 0.002, lat + 0.002), (lon + 0.002, lat), (lon, lat + 0.002), (lon, lat)])
    assert not bowtie.is_valid
    path = write(tmp_path, [{"navn": "Sløyfe", "gyldig_fra": "2024-01-01"}], [bowtie])
    result = read_areas(path)

    assert result.errors == []
    assert len(result.warnings) == 1
    assert "feature 1: invalid polygon (Self-intersection" in result.warnings[0]
    assert "repaired with make_valid" in result.warnings[0]
    geometry = areas_of(result).geometry.iloc[0]
    assert geometry.is_valid and geometry.geom_type == "MultiPolygon" and len(geometry.geoms) == 2
    assert_allclose(geometry.area, 0.002 * 0.002 / 2, rtol=1e-9)


def test_polygon_with_dangling_line_keeps_only_polygonal_part(tmp_path: Path) -> None:
    lon, lat = OSLO_S
    spiked = Polygon(
        [(lon, lat), (lon + 0.002, lat), (lon + 0.002, lat + 0.002), (lon, lat + 0.002), (lon, lat),
         (lon - 0.001, lat - 0.001), (lon, lat)]
    )
    result = read_areas(write(tmp_path, [{"navn": "Pigg", "gyldig_fra": "2024-01-01"}], [spiked]))
    assert "repaired with make_valid, keeping only its polygonal part" in result.warnings[0]
    assert areas_of(result).geometry.iloc[0].equals(MultiPolygon([square()]))


@pytest.mark.parametrize(
    ("geometry", "kind"),
    [(LineString([OSLO_S, (10.76, 59.92)]), "LineString"), (Point(OSLO_S), "Point")],
)
def test_points_and_lines_are_rejected(tmp_path: Path, geometry, kind: str) -> None:
    path = write(
        tmp_path,
        [{"navn": "God", "gyldig_fra": "2024-01-01"}, {"navn": "Strek", "gyldig_fra": "2024-01-01"}],
        [square(), geometry],
    )
    result = read_areas(path)
    error = only_error(result)
    assert (error.line, error.column) == (2, GEOMETRY)
    assert error.reason.startswith(f"expected a polygon or multipolygon; got {kind}")
    assert list(areas_of(result)[AREA_NAME]) == ["God"]


def test_missing_and_empty_geometries_are_rejected(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [{"navn": "Tom", "gyldig_fra": "2024-01-01"}, {"navn": "Ingen", "gyldig_fra": "2024-01-01"}],
        [Polygon(), None],
    )
    result = read_areas(path)
    assert [(e.line, e.column) for e in result.errors] == [(1, GEOMETRY), (2, GEOMETRY)]
    assert all("geometry is missing or empty: draw the area as a polygon" in e.reason for e in result.errors)
    assert areas_of(result).empty and list(areas_of(result).columns) == list(AREA_COLUMNS)


def test_collapsed_polygon_is_rejected(tmp_path: Path) -> None:
    lon, lat = OSLO_S
    flat = Polygon([(lon, lat), (lon + 0.001, lat), (lon + 0.002, lat), (lon, lat)])
    result = read_areas(write(tmp_path, [{"navn": "Flat", "gyldig_fra": "2024-01-01"}], [flat]))
    error = only_error(result)
    assert error.column == GEOMETRY
    assert "invalid polygon (" in error.reason and "nothing polygonal is left after repair" in error.reason


def test_tiny_polygon_is_rejected(tmp_path: Path) -> None:
    sliver = square(size=1e-6)  # about 0.06 m x 0.11 m
    result = read_areas(write(tmp_path, [{"navn": "Flis", "gyldig_fra": "2024-01-01"}], [sliver]))
    error = only_error(result)
    assert error.column == GEOMETRY
    assert f"below {MIN_AREA_M2:g} m²: the ring is collapsed or degenerate" in error.reason


# --- attributes and aliases ----------------------------------------------------


@pytest.mark.parametrize(
    "names",
    [
        {"id": "Område_ID", "name": "Områdenavn", "team": "Eier", "from": "Fra_Dato", "to": "Til_Dato"},
        {"id": "omrade_id", "name": "NAVN", "team": "owner", "from": "FRA", "to": "TIL"},
        {"id": "slug", "name": "feltområde", "team": "lag", "from": "valid_from", "to": "valid_to"},
        {"id": "feltområde_id", "name": "name", "team": "team", "from": "Gyldig_Fra", "to": "Gyldig_Til"},
        {"id": "OmradeID", "name": "navn", "team": "TEAM", "from": "gyldig_fra", "to": "gyldig_til"},
    ],
)
def test_column_aliases_are_matched_case_insensitively(tmp_path: Path, names: dict[str, str]) -> None:
    row = {names["id"]: "brugata-storgata", names["name"]: "Brugata/Storgata", names["team"]: "Sentrum",
           names["from"]: "2018-01-01", names["to"]: "2023-01-01"}
    result = read_areas(write(tmp_path, [row], [square()]))
    assert result.errors == [] and result.warnings == []
    area = areas_of(result).iloc[0]
    assert (area[AREA_ID], area[AREA_NAME], area[AREA_TEAM]) == ("brugata-storgata", "Brugata/Storgata", "Sentrum")
    assert (area[VALID_FROM], area[VALID_TO]) == (D(2018, 1, 1), D(2023, 1, 1))


def test_two_columns_for_one_field_use_the_preferred_with_warning(tmp_path: Path) -> None:
    path = write(tmp_path, [{"id": 7, "omrade_id": "urtegata", "navn": "Urtegata", "fra": "2023-01-01"}], [square()])
    result = read_areas(path)
    assert list(areas_of(result)[AREA_ID]) == ["urtegata"]
    assert result.warnings == ["areas.geojson: several columns can hold area_id; using 'omrade_id' and ignoring 'id'"]


def test_area_id_comes_from_name_and_name_from_area_id(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            {"omrade_id": None, "navn": "Vaterland/Grønland", "gyldig_fra": "2018-01-01"},
            {"omrade_id": "nedre-akerselva", "navn": None, "gyldig_fra": "2023-01-01"},
            {"omrade_id": 12, "navn": "Tolv", "gyldig_fra": "2023-01-01"},
        ],
        [square(), square(10.76), square(10.77)],
    )
    areas = areas_of(read_areas(path))
    assert list(areas[AREA_ID]) == ["vaterland-gronland", "nedre-akerselva", "12"]
    assert list(areas[AREA_NAME]) == ["Vaterland/Grønland", "nedre-akerselva", "Tolv"]
    assert list(areas[AREA_TEAM]) == [None, None, None]


def test_feature_without_area_id_or_name_is_rejected(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [{"omrade_id": "a", "navn": "A", "gyldig_fra": "2024-01-01"}, {"omrade_id": None, "navn": " ", "gyldig_fra": "2024-01-01"}],
        [square(), square(10.77)],
    )
    error = only_error(read_areas(path))
    assert (error.line, error.column) == (2, "omrade_id")
    assert error.reason.startswith("feature has neither an area id nor a name: fill in omrade_id")


def test_file_without_id_or_name_columns_lists_its_columns(tmp_path: Path) -> None:
    path = write(tmp_path, [{"DELBYDELSN": "Hovseter", "gyldig_fra": "2024-01-01"}], [square()])
    error = only_error(read_areas(path))
    assert (error.column, error.line) == (AREA_ID, 1)
    assert "the file has no such column (columns: 'DELBYDELSN', 'gyldig_fra'): rename one" in error.reason


def test_name_without_letters_cannot_give_an_area_id(tmp_path: Path) -> None:
    error = only_error(read_areas(write(tmp_path, [{"navn": "???", "fra": "2024-01-01"}], [square()])))
    assert error.column == AREA_ID
    assert error.reason.startswith("cannot derive an area id from the name '???' (no letters or digits)")


def test_area_id_that_is_not_a_slug_is_rejected_by_validation(tmp_path: Path) -> None:
    path = write(tmp_path, [{"område_id": "Oslo S", "navn": "Oslo S", "gyldig_fra": "2024-01-01"}], [square()])
    error = only_error(read_areas(path))
    assert (error.line, error.column) == (1, "område_id")
    assert "expected a slug of lower-case letters, digits, '-' or '_'" in error.reason
    assert "use e.g. 'oslo-s', or leave it empty to derive it from the name" in error.reason


# --- dates and options ---------------------------------------------------------


def test_dates_from_date_and_datetime_fields(tmp_path: Path) -> None:
    # GeoJSON: GDAL types an all-ISO column as Date; GeoPackage: a tz-aware DateTime.
    geojson = write(tmp_path, [{"navn": "A", "gyldig_fra": "2024-06-12", "gyldig_til": "2025-01-01"}], [square()])
    assert areas_of(read_areas(geojson))[VALID_FROM].iloc[0] == D(2024, 6, 12)

    late_evening_utc = pd.Timestamp("2024-05-31T22:30", tz="UTC")  # 00:30 on 1 June in Oslo
    gpkg = write(
        tmp_path,
        [{"navn": "A", "gyldig_fra": late_evening_utc, "gyldig_til": pd.Timestamp("2025-01-01T00:00", tz="Europe/Oslo")}],
        [square()],
        name="a.gpkg",
    )
    area = areas_of(read_areas(gpkg)).iloc[0]
    assert (area[VALID_FROM], area[VALID_TO]) == (D(2024, 6, 1), D(2025, 1, 1))


def test_missing_valid_from_is_rejected(tmp_path: Path) -> None:
    result = read_areas(write(tmp_path, [{"navn": "A"}, {"navn": "B"}], [square(), square(10.77)]))
    assert [(e.line, e.column) for e in result.errors] == [(1, VALID_FROM), (2, VALID_FROM)]
    assert {e.reason for e in result.errors} == {"valid_from is required: add a gyldig_fra column or pass --valid-from"}
    assert areas_of(result).empty


def test_missing_valid_from_on_one_feature_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, [{"navn": "A", "gyldig_fra": "2024-01-01"}, {"navn": "B", "gyldig_fra": None}],
                 [square(), square(10.77)])
    error = only_error(read_areas(path))
    assert (error.line, error.column, error.reason) == (
        2, "gyldig_fra", "valid_from is required: add a gyldig_fra column or pass --valid-from")


def test_unreadable_date_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, [{"navn": "A", "gyldig_fra": "2024-01-01"}, {"navn": "B", "gyldig_fra": "juni 2024"}],
                 [square(), square(10.77)])
    error = only_error(read_areas(path))
    assert (error.line, error.column) == (2, "gyldig_fra")
    assert error.reason == "expected a date like 2024-06-12 or 12.06.2024; got 'juni 2024'"


@pytest.mark.parametrize("valid_to", ["2024-01-01", "2023-06-30"])
def test_valid_to_not_after_valid_from_is_rejected(tmp_path: Path, valid_to: str) -> None:
    path = write(tmp_path, [{"navn": "A", "gyldig_fra": "2024-01-01", "gyldig_til": valid_to}], [square()])
    error = only_error(read_areas(path))
    assert error.column == "gyldig_til"
    assert error.reason.startswith(f"valid_to {valid_to} is not after valid_from 2024-01-01: valid_to is the first day")


def test_options_fill_in_missing_values(tmp_path: Path) -> None:
    path = write(tmp_path, [{"navn": "A"}], [square()])
    result = read_areas(path, valid_from=D(2023, 1, 1), valid_to=D(2024, 1, 1), team="Sentrum")
    assert result.errors == [] and result.warnings == []
    area = areas_of(result).iloc[0]
    assert (area[AREA_TEAM], area[VALID_FROM], area[VALID_TO]) == ("Sentrum", D(2023, 1, 1), D(2024, 1, 1))


def test_options_override_file_values_with_warning(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [{"navn": "A", "lag": "Sentrum", "gyldig_fra": "2020-01-01"},
         {"navn": "B", "lag": "Gamle Oslo", "gyldig_fra": "2023-01-01"},
         {"navn": "C", "lag": None, "gyldig_fra": None}],
        [square(), square(10.76), square(10.77)],
    )
    result = read_areas(path, valid_from=D(2023, 1, 1), team="Gamle Oslo")
    assert result.errors == []
    areas = areas_of(result)
    assert list(areas[AREA_TEAM]) == ["Gamle Oslo"] * 3
    assert list(areas[VALID_FROM]) == [D(2023, 1, 1)] * 3
    assert result.warnings == [
        "areas.geojson: --team Gamle Oslo overrides the file's 'lag' on 1 feature(s) (1)",
        "areas.geojson: --valid-from 2023-01-01 overrides the file's 'gyldig_fra' on 1 feature(s) (1)",
    ]


def test_overlapping_versions_in_one_file_reject_the_later(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            {"omrade_id": "oslo-s", "navn": "Oslo S", "gyldig_fra": "2018-01-01", "gyldig_til": "2023-01-01"},
            {"omrade_id": "urtegata", "navn": "Urtegata", "gyldig_fra": "2023-01-01"},
            # Starts on the day the first version ends: no overlap (valid_to is exclusive).
            {"omrade_id": "oslo-s", "navn": "Oslo S", "gyldig_fra": "2023-01-01", "gyldig_til": "2024-01-01"},
            # Overlaps line 3 from its first day.
            {"omrade_id": "oslo-s", "navn": "Oslo S", "gyldig_fra": "2022-06-01"},
        ],
        [square(), square(10.77), square(size=0.003), square(size=0.004)],
    )
    result = read_areas(path)
    error = only_error(result)
    assert (error.line, error.column) == (4, "gyldig_fra")
    assert error.reason.startswith("area 'oslo-s' already has a version valid on 2022-06-01 (line 1)")
    assert list(areas_of(result)[SOURCE_LINE]) == [1, 2, 3]


def test_empty_layer_gives_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, [], [], name="empty.gpkg")
    result = read_areas(path)
    assert result.warnings == ["empty.gpkg: the layer has no features; no field areas read"]
    assert areas_of(result).empty


# --- unusable files and options -------------------------------------------------


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"nowhere.gpkg: file not found at"):
        read_areas(tmp_path / "nowhere.gpkg")


def test_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"expected a GeoJSON, GeoPackage or zipped Shapefile file, not a folder"):
        read_areas(tmp_path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.gpkg", "not a geopackage", r"broken.gpkg: cannot be read as GIS data \("),
        ("broken.geojson", '{"type": "Featu', r"broken.geojson: cannot be read as GIS data \("),
        ("broken.zip", "not a zip", r"broken.zip: is not a valid zip file: expected a zipped Shapefile"),
        ("table.csv", "navn,fra\nA,2024-01-01\n", r"table.csv: has no layer with geometry: expected field-area polygons"),
    ],
)
def test_unreadable_file_is_refused_without_a_gdal_traceback(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InputFileError, match=message):
        read_areas(path)


def test_bad_options_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, [{"navn": "A"}], [square()])
    with pytest.raises(ValueError, match=r"crs: expected a CRS such as 'EPSG:25832'.*got 'UTM32'"):
        read_areas(path, crs="UTM32")
    with pytest.raises(TypeError, match=r"valid_from: expected a datetime.date .*got datetime.datetime"):
        read_areas(path, valid_from=dt.datetime(2024, 1, 1))
    with pytest.raises(TypeError, match=r"valid_to: expected a datetime.date .*got '2024-01-01'"):
        read_areas(path, valid_to="2024-01-01")
    with pytest.raises(ValueError, match=r"valid_to: must be after valid_from \(2024-01-01\).*got 2023-01-01"):
        read_areas(path, valid_from=D(2024, 1, 1), valid_to=D(2023, 1, 1))
    with pytest.raises(ValueError, match=r"team: expected a non-empty team name; got ' '"):
        read_areas(path, team=" ")
    with pytest.raises(ValueError, match=r"layer: expected a layer name; got ''"):
        read_areas(path, layer="")


# --- indoor (PRODUCT.md, Indoor stay) ------------------------------------------------------------


@pytest.mark.parametrize("column", ["indoor", "Innendørs", "innendors", "inne"])
def test_indoor_column_under_any_alias_reads_yes_and_no(tmp_path: Path, column: str) -> None:
    values = ["ja", "nei", "true", "0", None]
    rows = [{"navn": f"P{i}", "gyldig_fra": "2024-01-01", column: v} for i, v in enumerate(values)]
    result = read_areas(write(tmp_path, rows, [square(10.75 + i * 0.01) for i in range(len(values))]))
    assert result.errors == []
    assert areas_of(result)[INDOOR].tolist() == [True, False, True, False, None]


def test_a_type_column_naming_a_garage_makes_an_area_indoor(tmp_path: Path) -> None:
    rows = [{"navn": "Saga p-hus", "gyldig_fra": "2024-01-01", "type": "P-hus"},
            {"navn": "Vippetangen", "gyldig_fra": "2024-01-01", "type": "gate"},
            {"navn": "Oslo S", "gyldig_fra": "2024-01-01", "type": None}]
    result = read_areas(write(tmp_path, rows, [square(10.75), square(10.76), square(10.77)]))
    assert areas_of(result)[INDOOR].tolist() == [True, False, None]


def test_without_an_indoor_or_type_column_indoor_is_left_to_the_store(tmp_path: Path) -> None:
    result = read_areas(write(tmp_path, [{"navn": "Urtegata", "gyldig_fra": "2024-01-01"}], [square()]))
    assert areas_of(result)[INDOOR].tolist() == [None]


def test_an_unreadable_indoor_value_rejects_the_feature(tmp_path: Path) -> None:
    rows = [{"navn": "P1", "gyldig_fra": "2024-01-01", "innendørs": "kanskje"},
            {"navn": "P2", "gyldig_fra": "2024-01-01", "innendørs": "ja"}]
    result = read_areas(write(tmp_path, rows, [square(10.75), square(10.76)]))
    error = only_error(result)
    assert (error.line, error.column) == (1, "innendørs")
    assert error.reason == "expected yes or no (ja/nei, true/false, 1/0) for indoor; got 'kanskje'"
    assert areas_of(result)[AREA_NAME].tolist() == ["P2"]
