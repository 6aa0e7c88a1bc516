"""Maps open on the main cluster of field areas, not on all of them, and on the selection:
a district team's maps open on its own area (issue 14, item 5)."""

from __future__ import annotations

import math
from datetime import date

import folium
import pytest

from geo.maps import FIT_GAP_M, VIEW_PX, fit_to, main_cluster, selection_shapes, view_of
from geo.queries import Filters, area_geometries, presence_by_cell
from geo.store import open_store
from tests.builders import BASE, area, area_versions, square
from tests.conftest import shared_demo_store

X, Y = BASE


def _visible(fmap: folium.Map) -> tuple[float, float, float, float]:
    """(west, south, east, north) a map of VIEW_PX pixels shows at its centre and zoom (Web Mercator)."""
    (lat, lon), zoom = fmap.location, fmap.options["zoom"]
    assert not [c for c in fmap._children.values() if isinstance(c, folium.map.FitBounds)]  # no fitBounds
    degrees_per_px = 360.0 / (256 * 2 ** zoom)
    half_w, half_h = VIEW_PX[0] / 2 * degrees_per_px, VIEW_PX[1] / 2 * degrees_per_px
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    south = math.degrees(2 * math.atan(math.exp(y - math.radians(half_h))) - math.pi / 2)
    north = math.degrees(2 * math.atan(math.exp(y + math.radians(half_h))) - math.pi / 2)
    return lon - half_w, south, lon + half_w, north


def _inside(inner, outer) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def test_a_far_away_area_does_not_widen_the_map():
    areas = area_versions([
        area("a", square(X, Y, 100)),
        area("b", square(X + 300, Y, 100)),
        area("c", square(X + 600, Y + 600, 100)),
        area("far", square(X - 5_000, Y, 100)),
    ])
    kept = main_cluster(areas)
    assert sorted(kept["area_id"]) == ["a", "b", "c"]
    fmap = fit_to(folium.Map(tiles=None), areas)
    visible = _visible(fmap)
    assert _inside(kept.total_bounds, visible)
    assert not _inside(areas.total_bounds, visible)  # "far" stays one zoom-out away
    one_closer = folium.Map(tiles=None, location=fmap.location, zoom_start=fmap.options["zoom"] + 1)
    assert not _inside(kept.total_bounds, _visible(one_closer))  # the closest zoom that shows them all


def test_areas_within_the_gap_stay_one_cluster():
    areas = area_versions([area("a", square(X, Y, 100)), area("b", square(X + 100 + FIT_GAP_M * 0.9, Y, 100))])
    assert len(main_cluster(areas)) == 2


def test_one_or_no_area():
    one = area_versions([area("a", square(X, Y, 100))])
    assert len(main_cluster(one)) == 1
    assert len(main_cluster(one.iloc[:0])) == 0
    assert fit_to(folium.Map(tiles=None), one.iloc[:0]) is not None


def test_view_of_a_point_is_capped_and_of_a_country_is_far_out():
    (lat, lon), zoom = view_of((10.75, 59.91, 10.75, 59.91))
    assert (lat, lon) == pytest.approx((59.91, 10.75)) and zoom == 17
    assert view_of((4.0, 57.5, 31.5, 71.5))[1] <= 5


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    return open_store(shared_demo_store(tmp_path_factory, date(2024, 9, 23), date(2024, 10, 20)), create=False)


def test_a_district_teams_map_opens_on_its_own_area(demo_store):
    district = Filters(first_day=date(2024, 9, 23), last_day=date(2024, 10, 20), teams=("vestre-aker",))
    areas = area_geometries(demo_store, district)
    cells = presence_by_cell(demo_store, district)
    assert areas["area_id"].tolist() == ["hovseter"]  # the team's own area only
    shapes = selection_shapes(areas, cells["cell"])
    visible = _visible(fit_to(folium.Map(tiles=None), shapes))
    hovseter = areas.total_bounds
    assert _inside(hovseter, visible)
    assert not (visible[0] <= 10.7522 <= visible[2] and visible[1] <= 59.9111 <= visible[3])  # not the centre


def test_an_empty_selection_has_nothing_to_fit(demo_store):
    nobody = Filters(first_day=date(2024, 9, 23), last_day=date(2024, 10, 20), teams=("nobody",))
    assert selection_shapes(area_geometries(demo_store, nobody), presence_by_cell(demo_store, nobody)["cell"]).empty
