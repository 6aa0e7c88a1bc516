"""The offline basemap: its derivation from the shared OSM extract, the committed file, and how
maps and report charts draw and credit it."""

from __future__ import annotations

import json

import geopandas as gpd
import matplotlib.pyplot as plt
import pytest
import shapely

from geo.basemap import ATTRIBUTION, BASEMAP_FILE, CLASS_KEY, CLASSES, basemap_frame
from geo.demo import derive_basemap as derive
from geo.demo.areas import demo_areas
from geo.demo.derive_data import SHARED_DATA
from geo.maps import BASEMAPS, DEFAULT_BASEMAP, base_map
from geo.report.charts import draw_basemap
from geo.schema import MEASURE_CRS
from tests.conftest import REPO

SHARED = SHARED_DATA if SHARED_DATA.is_dir() else REPO.parent.parent / "shared" / "data"
MAX_BYTES = 1_000_000


def _lines(rows: list[tuple[int, str, str | None, shapely.LineString]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"osm_id": [r[0] for r in rows], "highway": [r[1] for r in rows],
                             "other_tags": [r[2] for r in rows]}, geometry=[r[3] for r in rows], crs=MEASURE_CRS)


def test_highways_are_grouped_by_class_and_tunnels_left_out():
    lines = _lines([
        (1, "primary", None, shapely.LineString([(0, 0), (10, 0)])),
        (2, "primary", '"tunnel"=>"yes","layer"=>"-1"', shapely.LineString([(10, 0), (20, 0)])),
        (3, "footway", '"bridge"=>"yes"', shapely.LineString([(0, 5), (4, 5)])),
        (4, "footway", None, shapely.LineString([(4, 5), (8, 5)])),  # joins way 3 end to end
        (5, "construction", None, shapely.LineString([(0, 9), (9, 9)])),
        (6, "service", '"tunnel"=>"building_passage"', shapely.LineString([(0, 7), (3, 7)])),
        (7, "residential", '"tunnel"=>"culvert"', shapely.LineString([(0, 8), (3, 8)])),
    ])
    out = derive.highway_lines(lines)
    assert out["major"].length == pytest.approx(10.0)  # the tunnel is not drawn
    assert shapely.get_num_geometries(out["path"]) == 1 and out["path"].length == pytest.approx(8.0)  # merged
    assert out["service"].is_empty  # a building passage
    assert out["street"].length == pytest.approx(3.0)  # a road over a culvert stays


def test_only_squares_and_platforms_above_ground_are_kept():
    box = shapely.box(0, 0, 10, 10)
    polygons = gpd.GeoDataFrame({
        "place": [None, "square", None, None],
        "other_tags": ['"highway"=>"pedestrian"', None, '"railway"=>"platform"',
                       '"railway"=>"platform","layer"=>"-2","tunnel"=>"yes"'],
    }, geometry=[box, shapely.box(20, 0, 30, 10), shapely.box(40, 0, 45, 10), shapely.box(60, 0, 70, 10)],
        crs=MEASURE_CRS)
    out = derive.area_features(polygons)
    assert out["square"].area == pytest.approx(200.0)
    assert out["platform"].area == pytest.approx(50.0)  # the subway platform under ground is left out


def test_clip_region_is_one_rectangle_per_cluster_of_areas():
    areas = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 100, 100), shapely.box(150, 0, 200, 50),
                                       shapely.box(10_000, 0, 10_010, 10)], crs=MEASURE_CRS).to_crs("EPSG:4326")
    region = derive.clip_region(areas, margin_m=100.0)
    parts = sorted(shapely.get_parts(region), key=lambda p: p.bounds[0])
    assert len(parts) == 2
    assert parts[0].bounds == pytest.approx((-100, -100, 300, 200), abs=0.01)
    assert parts[1].bounds == pytest.approx((9_900, -100, 10_110, 110), abs=0.01)


def test_a_missing_bridge_is_reported():
    lines = _lines([(1, "footway", None, shapely.LineString([(0, 0), (1, 1)]))])
    with pytest.raises(ValueError, match="Akerselva bridge way .* not found exactly once"):
        derive.river_line(lines)


def test_missing_source_is_explained(tmp_path):
    with pytest.raises(FileNotFoundError, match="oslo-east-filtered.osm.pbf not found"):
        derive.write_basemap(source_dir=tmp_path, target=tmp_path / "out.geojson")


@pytest.mark.skipif(not (SHARED / derive.SOURCE_PBF).is_file(), reason="shared data not beside the project")
def test_committed_basemap_is_what_the_script_derives(tmp_path):
    out = derive.write_basemap(source_dir=SHARED, target=tmp_path / "basemap.geojson")
    assert out.read_bytes() == BASEMAP_FILE.read_bytes()


def test_committed_basemap_is_small_complete_and_inside_the_demo_extent():
    assert BASEMAP_FILE.stat().st_size < MAX_BYTES
    frame = basemap_frame()
    assert list(frame[CLASS_KEY]) == list(CLASSES)  # one feature per class, in drawing order
    region = derive.clip_region(demo_areas()).buffer(1.0)
    assert shapely.contains(region, frame.to_crs(MEASURE_CRS).geometry.to_numpy()).all()
    text = BASEMAP_FILE.read_text(encoding="utf-8")
    coordinates = json.loads(text)["features"][0]["geometry"]["coordinates"]
    first = coordinates[0][0][0]
    assert all(len(repr(v).split(".")[1]) <= 5 for v in first)  # rounded to 1e-5 degrees


def test_the_street_map_is_the_default_and_loads_from_the_server():
    assert DEFAULT_BASEMAP == "offline" and list(BASEMAPS)[0] == "offline"
    page = base_map(basemap_url="/app/static/basemap/oslo_basemap.geojson").get_root().render()
    assert 'fetch("/app/static/basemap/oslo_basemap.geojson")' in page
    assert len(page) < 20_000  # the street map is not in the page itself
    assert ATTRIBUTION["nb"] in page and "L.canvas" in page


def test_without_a_server_the_street_map_is_embedded_and_credited_in_english():
    page = base_map(language="en").get_root().render()
    assert BASEMAP_FILE.read_text(encoding="utf-8")[:200] in page
    assert ATTRIBUTION["en"] in page and ATTRIBUTION["nb"] not in page


def test_no_street_map_and_no_credit_without_it():
    page = base_map(basemap="none").get_root().render()
    assert "feltkartBasemap" not in page and "OpenStreetMap" not in page


def test_unknown_basemap_or_language_is_refused():
    with pytest.raises(ValueError, match="basemap must be one of offline, none"):
        base_map(basemap="satellite")
    with pytest.raises(ValueError, match="language must be one of nb, en"):
        base_map(language="de")


def test_report_maps_draw_the_street_map_only_where_it_reaches():
    fig, ax = plt.subplots()
    x0, y0, x1, y1 = basemap_frame().to_crs(MEASURE_CRS).total_bounds
    centre = ((x0 + x1) / 2 - 500, (y0 + y1) / 2 - 500, (x0 + x1) / 2 + 500, (y0 + y1) / 2 + 500)
    assert draw_basemap(ax, centre)
    assert len(ax.collections) == len(CLASSES)
    far = (x1 + 10_000, y1 + 10_000, x1 + 11_000, y1 + 11_000)
    fig2, ax2 = plt.subplots()
    assert not draw_basemap(ax2, far)
    assert len(ax2.collections) == 0
    plt.close(fig)
    plt.close(fig2)
