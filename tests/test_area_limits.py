"""Field-area uploads that used to take the server down or end in a traceback: one dense polygon
(memory), NaN and infinite vertices, coordinates that cannot be reprojected. Each is now a
bounded computation or a row error with file, feature, column and reason."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose
from shapely.geometry import Polygon

import geo.engine.areas as engine_areas
from geo.engine.areas import MAX_AREA_VERTICES, AreaIndex
from geo.io.areas import read_areas
from geo.io.errors import InputFileError
from geo.io.importer import import_file
from geo.store import open_store
from tests.builders import BASE, lonlat

X, Y = BASE
REPO = Path(__file__).resolve().parents[1]
FROM = dt.date(2024, 1, 1)
MEMORY_BOUND_MB = 1_000
"""Peak resident memory an area import may reach (Python with the geo stack is about 250 MB)."""


def wiggly_circle(n: int, *, radius: float = 400.0) -> Polygon:
    """A polygon of ``n`` vertices on a 400 m circle with a small wave, EPSG:25832: dense like a
    traced coastline, so every lookup-grid cell on its boundary holds many edges."""
    angle = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = radius * (1 + 0.02 * np.sin(angle * n / 7))
    return Polygon(np.column_stack([X + r * np.cos(angle), Y + r * np.sin(angle)]))


def geojson(path: Path, features: list[tuple[str, list]]) -> Path:
    """A FeatureCollection of polygons (``name``, ring as [x, y] pairs) in EPSG:4326; NaN/inf written as such."""
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"navn": name, "gyldig_fra": FROM.isoformat()},
         "geometry": {"type": "Polygon", "coordinates": [ring]}} for name, ring in features]}), encoding="utf-8")
    return path


def lonlat_ring(polygon: Polygon) -> list:
    x, y = np.asarray(polygon.exterior.coords).T
    lon, lat = lonlat(x, y)
    return np.column_stack([lon, lat]).tolist()


GOOD = [[10.75, 59.91], [10.76, 59.91], [10.76, 59.92], [10.75, 59.92], [10.75, 59.91]]


# --- NaN, infinity, unprojectable -------------------------------------------------------------------


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_a_vertex_that_is_not_a_number_is_a_row_error(tmp_path, bad):
    ring = [[10.75, 59.91], [10.76, 59.91], [10.76, bad], [10.75, 59.92], [10.75, 59.91]]
    result = read_areas(geojson(tmp_path / "a.geojson", [("Bad", ring), ("Good", GOOD)]))
    (error,) = result.errors
    assert (error.file, error.line, error.column) == ("a.geojson", 1, "geometry")
    assert error.reason.startswith("a vertex has a coordinate that is not a number (NaN or infinity)")
    assert result.frames["field_areas"]["name"].tolist() == ["Good"]


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_a_bad_vertex_in_utm_with_crs_is_a_row_error_not_a_traceback(tmp_path, bad):
    ring = [[597000, 6643000], [597100, 6643000], [597100, bad], [597000, 6643100], [597000, 6643000]]
    good = [[597000, 6643000], [597100, 6643000], [597100, 6643100], [597000, 6643100], [597000, 6643000]]
    result = read_areas(geojson(tmp_path / "a.geojson", [("Bad", ring), ("Good", good)]), crs="EPSG:25832")
    assert [(e.line, e.column) for e in result.errors] == [(1, "geometry")]
    assert "not a number" in result.errors[0].reason
    assert len(result.frames["field_areas"]) == 1


def test_coordinates_outside_the_crs_are_a_row_error(tmp_path):
    # PROJ gives infinity for UTM 32N (EPSG:32632) coordinates 40,000 km out
    ring = [[597000, 6643000], [597100, 6643000], [4e7, 4e7], [597000, 6643100], [597000, 6643000]]
    good = [[597000, 6643000], [597100, 6643000], [597100, 6643100], [597000, 6643100], [597000, 6643000]]
    result = read_areas(geojson(tmp_path / "a.geojson", [("Far", ring), ("Good", good)]), crs="EPSG:32632")
    assert [(e.line, e.column) for e in result.errors] == [(1, "geometry")]
    assert result.errors[0].reason.startswith("the geometry cannot be reprojected from EPSG:32632 to EPSG:4326")


def test_the_cli_reports_a_nan_vertex_as_a_rejected_row(tmp_path, capsys):
    from geo.cli import main

    ring = [[10.75, 59.91], [10.76, 59.91], [10.76, float("nan")], [10.75, 59.92], [10.75, 59.91]]
    path = geojson(tmp_path / "a.geojson", [("Bad", ring), ("Good", GOOD)])
    assert main(["import", "--store", str(tmp_path / "s.gpkg"), str(path)]) == 1  # some rows rejected
    err = capsys.readouterr().err
    assert "rejected: a.geojson" in err and "not a number" in err and "Traceback" not in err


# --- one dense polygon ----------------------------------------------------------------------------------


def test_a_polygon_over_the_vertex_limit_is_refused_with_a_hint(tmp_path):
    big = lonlat_ring(wiggly_circle(MAX_AREA_VERTICES + 1000))
    result = read_areas(geojson(tmp_path / "a.geojson", [("Big", big), ("Good", GOOD)]))
    (error,) = result.errors
    assert (error.line, error.column) == (1, "geometry")
    assert error.reason == (f"polygon has {MAX_AREA_VERTICES + 1001:,} vertices; at most {MAX_AREA_VERTICES:,} are "
                            "accepted (a field area needs far fewer): simplify it, e.g. in QGIS with Vector > "
                            "Geometry Tools > Simplify and a tolerance of 0.5 m, and import again")


def test_the_engine_refuses_a_polygon_over_the_limit_too():
    with pytest.raises(ValueError, match=rf"has {MAX_AREA_VERTICES + 1:,} vertices; at most {MAX_AREA_VERTICES:,}"):
        AreaIndex([wiggly_circle(MAX_AREA_VERTICES)], np.array([0]), np.array([1]))  # closed ring: n + 1 coordinates


IMPORT_AND_MEASURE = textwrap.dedent("""
    import json, re, sys
    from geo.io.importer import import_file
    from geo.store import open_store
    store = open_store(sys.argv[1])
    outcome = import_file(store, sys.argv[2])
    # VmHWM: this program's peak resident memory (ru_maxrss would include the parent's at fork)
    peak_kb = int(re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1))
    print(json.dumps({"rss_mb": peak_kb / 1024, "added": outcome.added, "errors": [e.reason for e in outcome.errors]}))
""")


def import_in_a_subprocess(store: Path, file: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", IMPORT_AND_MEASURE, str(store), str(file)], cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_geojson_too_large_to_parse_safely_is_refused_before_it_is_read(tmp_path):
    path = geojson(tmp_path / "dense.geojson", [("Dense", lonlat_ring(wiggly_circle(1_000_000)))])
    assert path.stat().st_size > 20e6  # the 25 MB upload that drove an import to 23.7 GB
    with pytest.raises(InputFileError, match=r"dense\.geojson: is 41 MB; a field-area GeoJSON may be at most 20 MB "
                                             r"\(field areas take a few hundred kB"):
        import_file(open_store(tmp_path / "s.gpkg"), path, kind="areas")


@pytest.mark.slow
def test_a_million_vertex_polygon_is_refused_within_bounded_memory(tmp_path):
    import geopandas as gpd

    path = tmp_path / "dense.gpkg"  # a GeoPackage is read feature by feature: the vertex limit has to stop it
    gpd.GeoDataFrame({"navn": ["Dense"], "gyldig_fra": [FROM.isoformat()]}, geometry=[wiggly_circle(1_000_000)],
                     crs="EPSG:25832").to_file(path, driver="GPKG")
    got = import_in_a_subprocess(tmp_path / "s.gpkg", path)
    assert got["added"] == {} and len(got["errors"]) == 1
    assert got["errors"][0].startswith("polygon has 1,000,001 vertices; at most 20,000 are accepted")
    assert got["rss_mb"] < MEMORY_BOUND_MB


@pytest.mark.slow
def test_a_polygon_at_the_limit_imports_over_stored_tracks_within_bounded_memory(tmp_path):
    from tests.builders import make_store, oslo, patrols, track

    circle = wiggly_circle(MAX_AREA_VERTICES - 1)
    # a patrol at 1 Hz, 1.2 m a step, zigzagging across the dense boundary for an hour
    t = np.arange(3600)
    radius = 400 + 12 * np.sin(t / 40)
    angle = t / 400
    walk = track("p", oslo("2024-06-10 18:00"), list(zip(X + radius * np.cos(angle), Y + radius * np.sin(angle))),
                 interval_s=1.0)
    make_store(tmp_path, name="s.gpkg", patrol_rows=patrols(("p", oslo("2024-06-10 18:00"), oslo("2024-06-10 19:00"))),
               points=walk).close()
    path = geojson(tmp_path / "dense.geojson", [("Dense", lonlat_ring(circle))])
    got = import_in_a_subprocess(tmp_path / "s.gpkg", path)
    assert got["errors"] == [] and got["added"] == {"field_areas": 1}
    assert got["rss_mb"] < MEMORY_BOUND_MB
    seconds = open_store(tmp_path / "s.gpkg", create=False).derived("presence_area")["seconds"].sum()
    assert 1000 < seconds < 3599  # the zigzag is partly inside


def test_chunked_edge_search_and_shares_give_the_same_shares(monkeypatch):
    rng = np.random.default_rng(7)
    polygon = wiggly_circle(3000, radius=60)
    n = 4000
    x0, y0 = X + rng.uniform(-70, 70, n), Y + rng.uniform(-70, 70, n)
    step = rng.uniform(0, 20, n)
    heading = rng.uniform(0, 2 * np.pi, n)
    x1, y1 = x0 + step * np.cos(heading), y0 + step * np.sin(heading)
    length = np.hypot(x1 - x0, y1 - y0)
    when = np.zeros(n)

    def shares():
        got = AreaIndex([polygon], np.array([-1.0]), np.array([1.0])).shares(x0, y0, x1, y1, length, when)
        out = np.zeros(n)
        out[got.segment] = got.share
        return out

    whole = shares()
    monkeypatch.setattr(engine_areas, "BUILD_CHUNK_CELLS", 7)
    monkeypatch.setattr(engine_areas, "PAIR_CHUNK_ROWS", 50)
    assert_allclose(shares(), whole, rtol=0, atol=1e-12)
    assert whole.max() > 0.99 and (whole == 0).sum() > 100  # segments inside, outside and across
