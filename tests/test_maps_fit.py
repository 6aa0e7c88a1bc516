"""Maps open on the main cluster of field areas, not on all of them."""

from __future__ import annotations

import folium

from geo.maps import FIT_GAP_M, fit_to, main_cluster
from tests.builders import BASE, area, area_versions, square

X, Y = BASE


def _bounds(fmap: folium.Map) -> list:
    """The bounds of the map's (one) fit_bounds call: [[south, west], [north, east]]."""
    (fit,) = [child for child in fmap._children.values() if isinstance(child, folium.map.FitBounds)]
    return fit.bounds


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
    (south, west), (north, east) = _bounds(fmap)
    x0, y0, x1, y1 = kept.total_bounds
    assert (west, south, east, north) == (x0, y0, x1, y1)


def test_areas_within_the_gap_stay_one_cluster():
    areas = area_versions([area("a", square(X, Y, 100)), area("b", square(X + 100 + FIT_GAP_M * 0.9, Y, 100))])
    assert len(main_cluster(areas)) == 2


def test_one_or_no_area():
    one = area_versions([area("a", square(X, Y, 100))])
    assert len(main_cluster(one)) == 1
    assert len(main_cluster(one.iloc[:0])) == 0
    assert fit_to(folium.Map(tiles=None), one.iloc[:0]) is not None
