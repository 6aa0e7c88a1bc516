"""A drawn area version goes through the importer: it closes the old version, is logged and re-aggregated."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import box, mapping

from geo.changes.editor import draft_polygons, drawing_to_polygons, import_drawn_version
from geo.changes.effective import save_draft
from geo.changes.history import compare_areas
from geo.schema import AREA_ID, AREA_VERSION, STORE_CRS, T_PRESENCE_AREA, VALID_TO
from tests.builders import (
    BASE,
    area,
    area_versions,
    make_store,
    oslo,
    patrols,
    straight_walk,
    to_lonlat_geometry,
)

X, Y = BASE


def _feature(geom) -> dict:
    return {"type": "Feature", "properties": {}, "geometry": mapping(geom)}


def test_drawn_polygons_become_one_multipolygon_and_other_shapes_are_refused():
    a, b = to_lonlat_geometry(box(X, Y, X + 100, Y + 100)), to_lonlat_geometry(box(X + 500, Y, X + 600, Y + 100))
    got = drawing_to_polygons([_feature(a.geoms[0]), _feature(b.geoms[0])])
    assert got.geom_type == "MultiPolygon" and len(got.geoms) == 2
    with pytest.raises(ValueError, match="only polygons and rectangles make a field area; got LineString, Point"):
        drawing_to_polygons([_feature(shapely.Point(10.75, 59.91)), _feature(shapely.LineString([(10.7, 59.9), (10.8, 59.9)]))])
    with pytest.raises(ValueError, match="nothing drawn"):
        drawing_to_polygons([])


def test_drawn_version_is_imported_closes_the_old_one_and_recomputes_presence(tmp_path):
    areas = area_versions([area("a", box(X, Y, X + 100, Y + 100), valid_from=dt.date(2024, 1, 1))])
    walk = straight_walk("p1", oslo("2024-06-01 12:00"), frm=(X + 10, Y + 50), to=(X + 410, Y + 50),
                         step_m=10, interval_s=10)
    store = make_store(tmp_path, areas=areas, points=walk,
                       patrol_rows=patrols(("p1", oslo("2024-06-01 12:00"), oslo("2024-06-01 12:10"))))
    seconds_before = store.derived(T_PRESENCE_AREA)["seconds"].sum()  # 90 m of the walk inside
    wider = to_lonlat_geometry(box(X, Y, X + 300, Y + 100))
    outcome = import_drawn_version(store, wider, area_id="a", name="A", valid_from=dt.date(2024, 5, 1))
    assert outcome.n_added >= 1
    got = store.areas()
    assert got[AREA_VERSION].tolist() == [1, 2]
    assert got[VALID_TO].tolist() == [dt.date(2024, 5, 1), None]
    assert store.area_changes()["change"].tolist()[-2:] == ["closed", "added"]
    presence = store.derived(T_PRESENCE_AREA)
    assert set(presence[AREA_VERSION]) == {2}  # the June walk now falls in version 2
    np.testing.assert_allclose(presence["seconds"].sum(), seconds_before * 290 / 90, rtol=1e-6)
    gained = compare_areas(store, dt.date(2024, 4, 30), dt.date(2024, 5, 1)).set_index(AREA_ID)
    np.testing.assert_allclose(gained.loc["a", "gained_m2"], 20_000.0, rtol=1e-5)


def test_area_id_must_be_a_slug(tmp_path):
    with pytest.raises(ValueError, match="area_id: expected a slug like 'nye-omrade'; got 'Nye område'"):
        import_drawn_version(make_store(tmp_path), to_lonlat_geometry(box(X, Y, X + 100, Y + 100)),
                             area_id="Nye område", name="Nye område", valid_from=dt.date(2024, 1, 1))


def test_a_draft_area_is_found_by_draft_and_area_id(tmp_path):
    store = make_store(tmp_path)
    first, second = box(10.74, 59.91, 10.745, 59.915), box(10.75, 59.91, 10.76, 59.92)
    drafts = gpd.GeoDataFrame(geometry=[first, second], crs=STORE_CRS)
    draft_id = save_draft(store, drafts, dt.date(2024, 1, 1), source="test")
    got = draft_polygons(store.area_drafts(), draft_id, "forslag-2")
    assert got.geom_type == "MultiPolygon" and got.symmetric_difference(second).area < 1e-12
    with pytest.raises(ValueError, match="draft 'draft-1' has no area 'forslag-3'"):
        draft_polygons(store.area_drafts(), draft_id, "forslag-3")
