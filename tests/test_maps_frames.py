"""Map frames hold every layer drawn (the effective-areas map showed the official areas only)."""

from __future__ import annotations

import folium
import geopandas as gpd

from geo.maps import all_shapes, fit_to, view_of
from tests.builders import BASE, area, area_versions, square

X, Y = BASE


def test_the_frame_holds_the_hot_areas_beyond_the_official_ones():
    official = area_versions([area("a", square(X, Y, 100))])
    hot = gpd.GeoDataFrame(geometry=[square(X + 600, Y, 100)], crs="EPSG:25832").to_crs("EPSG:4326")
    empty = gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
    shapes = all_shapes(official, hot, empty)
    assert len(shapes) == 2
    fmap = fit_to(folium.Map(tiles=None), shapes)
    x0, y0, x1, y1 = shapes.total_bounds
    (lat, lon), _ = view_of((x0, y0, x1, y1))
    assert fmap.location == [lat, lon]  # opened on both, not on the official area alone
    assert lon > official.total_bounds[2] - (official.total_bounds[2] - official.total_bounds[0]) / 2


def test_no_frames_is_an_empty_frame():
    assert all_shapes().empty
