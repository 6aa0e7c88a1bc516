"""Effective areas: Gi* on H3 cells (by hand, with the false discovery rate), hot cells merged into polygons,
the comparison with the official areas, and drafts that never touch the field areas."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely
from numpy.testing import assert_allclose
from scipy.stats import norm
from shapely.geometry import MultiPolygon, box

from geo.changes.effective import (
    AREA_M2,
    ENCOUNTERS,
    HOT,
    NO_ACTIVITY,
    OVERLAP_M2,
    area_drafts,
    compare_with_official,
    effective_areas,
    gi_star_of_cells,
    hot_areas,
    save_draft,
)
from geo.timeutil import complete_range, period_bounds, periods_between
from geo.queries import Filters
from geo.schema import AREA_ID, AREA_NAME, MEASURE_CRS, STORE_CRS, T_PRESENCE_AREA
from tests.builders import (
    BASE,
    area,
    area_versions,
    encounters,
    lonlat,
    make_store,
    oslo,
    patrols,
    straight_walk,
)

X, Y = BASE
LON, LAT = (float(v[0]) for v in lonlat([X + 50], [Y + 50]))
CENTRE = h3.latlng_to_cell(LAT, LON, 10)


def _u64(cells) -> np.ndarray:
    return np.array([int(c, 16) for c in cells], dtype=np.uint64)


def _cell_polygon(cell: str):
    return shapely.Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(cell)])


def _m2(geom) -> float:
    return float(gpd.GeoSeries([geom], crs=STORE_CRS).to_crs(MEASURE_CRS).area.iloc[0])


# --- Gi* -------------------------------------------------------------------------------------------
def test_gi_star_by_hand_on_a_two_ring_disk():
    # 19 cells (the centre, 6 neighbours, 12 in ring 2); 19 encounters in the centre, none elsewhere.
    # x̄ = 1, S = √(19²/19 − 1²) = √18. Centre and ring-1 cells have all 7 of their k=1 cells in the region:
    # Gi* = (19 − 1·7) / (√18 · √((19·7 − 7²)/18)) = 12 / √84 = 1.309, two-sided p = 0.19: not hot.
    region = sorted(h3.grid_disk(CENTRE, 2))
    counts = np.array([19.0 if c == CENTRE else 0.0 for c in region])
    z, p, hot = gi_star_of_cells(_u64(region), counts)
    z, p = pd.Series(z, index=region), pd.Series(p, index=region)
    assert_allclose(z[CENTRE], 12 / np.sqrt(84))
    assert_allclose(z[list(h3.grid_ring(CENTRE, 1))], 12 / np.sqrt(84))
    assert_allclose(p[CENTRE], 2 * norm.sf(12 / np.sqrt(84)))
    assert not hot.any()


def test_a_cell_is_hot_only_when_it_passes_the_false_discovery_rate():
    # Two rings of 0 around a centre of 100 in a region of 61 cells (k = 4 disk): the centre's
    # seven-cell neighbourhood is far above the mean; cells two rings out hold no count in theirs.
    region = sorted(h3.grid_disk(CENTRE, 4))
    counts = np.array([100.0 if c == CENTRE else 0.0 for c in region])
    z, p, hot = gi_star_of_cells(_u64(region), counts)
    hot_cells = {c for c, h in zip(region, hot) if h}
    assert hot_cells == set(h3.grid_disk(CENTRE, 1))
    # Benjamini–Hochberg at 5 % over 61 tests: the 7th smallest p must be at most 7/61 · 0.05
    assert sorted(p)[6] <= 7 / 61 * 0.05
    assert all(zi > 0 for zi, h in zip(z, hot) if h)


def test_hot_cells_use_the_hotspots_pages_false_discovery_rate():
    from geo.changes import effective
    from geo.hotspots import gistar

    assert effective.ALPHA == gistar.ALPHA


def test_gi_star_without_variation_tests_nothing_and_lengths_must_match():
    z, p, hot = gi_star_of_cells(_u64(sorted(h3.grid_disk(CENTRE, 1))), np.ones(7))
    assert np.isnan(z).all() and np.isnan(p).all() and not hot.any()
    with pytest.raises(ValueError, match="cells and counts must have the same length; got 7 and 2"):
        gi_star_of_cells(_u64(sorted(h3.grid_disk(CENTRE, 1))), np.ones(2))


# --- hot areas and the comparison -------------------------------------------------------------------
def test_touching_hot_cells_merge_into_one_area():
    neighbour = min(h3.grid_ring(CENTRE, 1))
    far = min(h3.grid_ring(CENTRE, 5))
    got = hot_areas(_u64([CENTRE, neighbour, far]), np.array([5, 3, 9]))
    assert got["cells"].tolist() == [2, 1]
    assert got[ENCOUNTERS].tolist() == [8, 9]
    expected = [_m2(_cell_polygon(CENTRE)) + _m2(_cell_polygon(neighbour)), _m2(_cell_polygon(far))]
    assert_allclose(got[AREA_M2], expected, rtol=1e-6)


def test_comparison_with_official_areas_by_hand():
    inside_cell, outside_cell = CENTRE, min(h3.grid_ring(CENTRE, 4))
    official = gpd.GeoDataFrame(
        {AREA_ID: ["a", "idle"], AREA_NAME: ["A", "Idle"]},
        geometry=[MultiPolygon([_cell_polygon(inside_cell)]),
                  MultiPolygon([shapely.affinity.translate(_cell_polygon(inside_cell), 0.05, 0.0)])],  # ~2.8 km east
        crs=STORE_CRS,
    )
    got = compare_with_official(_u64([inside_cell, outside_cell]), np.array([10, 4]), official)
    a_m2, out_m2 = _m2(_cell_polygon(inside_cell)), _m2(_cell_polygon(outside_cell))
    f = got.figures
    assert_allclose([f["hot_area_m2"], f["overlap_m2"], f["outside_m2"]], [a_m2 + out_m2, a_m2, out_m2], rtol=1e-6)
    assert_allclose(f["hot_inside_pct"], 100 * a_m2 / (a_m2 + out_m2), rtol=1e-6)
    assert_allclose(f["outside_pct"], 100 * out_m2 / (a_m2 + out_m2), rtol=1e-6)
    official_m2 = a_m2 + _m2(official.geometry.iloc[1])
    assert_allclose(f["official_covered_pct"], 100 * a_m2 / official_m2, rtol=1e-6)
    assert f["official_without_activity"] == 1
    assert got.official.set_index(AREA_ID)[NO_ACTIVITY].to_dict() == {"a": False, "idle": True}
    assert_allclose(got.official.set_index(AREA_ID).loc["a", OVERLAP_M2], a_m2, rtol=1e-6)


def test_no_hot_cells_gives_zero_areas_and_nan_shares():
    official = area_versions([area("a", box(X, Y, X + 100, Y + 100))])
    got = compare_with_official(np.zeros(0, dtype=np.uint64), np.zeros(0), official)
    assert got.hot.empty and got.outside.empty
    assert got.figures["hot_area_m2"] == 0.0 and np.isnan(got.figures["hot_inside_pct"])
    assert got.figures["official_without_activity"] == 1


def _cluster_store(tmp_path):
    """30 encounters in one spot of area 'a' in 2024, 12 single ones scattered 300–1400 m away."""
    t = oslo("2024-06-01 12:00")
    cluster = [(f"c{i}", t, X + 50 + i % 5, Y + 50 + i // 5) for i in range(30)]
    scattered = [(f"s{i}", t, X + 300 + 100 * i, Y - 400) for i in range(12)]
    areas = area_versions([area("a", box(X, Y, X + 100, Y + 100), valid_from=dt.date(2024, 1, 1)),
                           area("b", box(X + 3000, Y, X + 3100, Y + 100), valid_from=dt.date(2024, 1, 1))])
    return make_store(tmp_path, areas=areas, encounter_rows=encounters(*cluster, *scattered))


def test_effective_areas_find_the_cluster_inside_the_official_area(tmp_path):
    store = _cluster_store(tmp_path)
    got = effective_areas(store, Filters(first_day=dt.date(2024, 1, 1), last_day=dt.date(2024, 12, 31)))
    hot_cells = got.cells[got.cells[HOT]]
    # Gi* is a neighbourhood statistic: the cluster's cell and its six neighbours (whose k-rings hold it) are hot
    assert set(hot_cells["cell"]) == set(h3.grid_disk(CENTRE, 1))
    assert len(got.hot) == 1 and got.hot["cells"].tolist() == [7]
    assert got.hot[ENCOUNTERS].tolist() == [30]
    assert got.cells[ENCOUNTERS].sum() == 42
    assert got.official.set_index(AREA_ID)[NO_ACTIVITY].to_dict() == {"a": False, "b": True}


def test_effective_areas_need_a_last_day(tmp_path):
    with pytest.raises(ValueError, match="filters.last_day must be set"):
        effective_areas(make_store(tmp_path), Filters())


# --- drafts -------------------------------------------------------------------------------------------
def test_saved_draft_leaves_field_areas_log_and_presence_untouched(tmp_path):
    areas = area_versions([area("a", box(X, Y, X + 100, Y + 100), valid_from=dt.date(2024, 1, 1))])
    walk = straight_walk("p1", oslo("2024-06-01 12:00"), frm=(X + 10, Y + 50), to=(X + 410, Y + 50),
                         step_m=10, interval_s=10)
    store = make_store(tmp_path, areas=areas, points=walk,
                       patrol_rows=patrols(("p1", oslo("2024-06-01 12:00"), oslo("2024-06-01 12:10"))))
    before = (store.areas().drop(columns="geometry"), store.area_changes(), store.derived(T_PRESENCE_AREA))
    suggestion = gpd.GeoDataFrame(geometry=[_cell_polygon(CENTRE), box(10.70, 59.90, 10.71, 59.91)], crs=STORE_CRS)
    first = save_draft(store, suggestion, dt.date(2025, 1, 1), source="effective:2024", created_by="kari")
    second = save_draft(store, suggestion.iloc[:1], dt.date(2025, 6, 1), source="effective:2025")
    assert (first, second) == ("draft-1", "draft-2")
    pd.testing.assert_frame_equal(store.areas().drop(columns="geometry"), before[0])
    pd.testing.assert_frame_equal(store.area_changes(), before[1])
    pd.testing.assert_frame_equal(store.derived(T_PRESENCE_AREA), before[2])
    drafts = store.area_drafts()
    assert drafts["draft_id"].tolist() == ["draft-1", "draft-1", "draft-2"]
    assert drafts[AREA_ID].tolist() == ["forslag-1", "forslag-2", "forslag-1"]
    assert drafts["valid_from"].tolist()[0] == dt.date(2025, 1, 1)
    assert drafts["created_by"].tolist()[:2] == ["kari", "kari"]
    assert drafts.geometry.iloc[0].geom_type == "MultiPolygon"
    assert drafts.geometry.iloc[0].equals_exact(MultiPolygon([_cell_polygon(CENTRE)]), 1e-12)


def test_a_store_without_drafts_lists_none(tmp_path):
    drafts = make_store(tmp_path).area_drafts()
    assert drafts.empty and "draft_id" in drafts.columns


def test_save_draft_refuses_bad_input(tmp_path):
    store = make_store(tmp_path)
    polygons = gpd.GeoDataFrame(geometry=[_cell_polygon(CENTRE)], crs=STORE_CRS)
    with pytest.raises(TypeError, match="valid_from must be a datetime.date; got '2025-01-01'"):
        save_draft(store, polygons, "2025-01-01", source="x")
    with pytest.raises(ValueError, match="polygons: nothing to save"):
        save_draft(store, polygons.iloc[:0], dt.date(2025, 1, 1), source="x")
    with pytest.raises(ValueError, match=r"a draft must be in EPSG:4326; got EPSG:25832. Use to_crs"):
        store.add_area_draft(gpd.GeoDataFrame({AREA_ID: ["x"], AREA_NAME: ["x"], "valid_from": [dt.date(2025, 1, 1)]},
                                              geometry=[box(X, Y, X + 1, Y + 1)], crs=MEASURE_CRS), source="x")
    with pytest.raises(ValueError, match=r"missing \['name', 'valid_from'\]"):
        store.add_area_draft(gpd.GeoDataFrame({AREA_ID: ["x"]}, geometry=[box(0, 0, 1, 1)], crs=STORE_CRS), source="x")


# --- periods -------------------------------------------------------------------------------------------
def test_periods_between_clips_the_first_and_last_period():
    got = periods_between(dt.date(2024, 3, 15), dt.date(2024, 9, 2), "tertial")
    assert got.values.tolist() == [["2024-T1", dt.date(2024, 3, 15), dt.date(2024, 4, 30)],
                                   ["2024-T2", dt.date(2024, 5, 1), dt.date(2024, 8, 31)],
                                   ["2024-T3", dt.date(2024, 9, 1), dt.date(2024, 9, 2)]]
    assert period_bounds("2024-02", "month", within=(dt.date(2024, 1, 1), dt.date(2024, 12, 31))) == (
        dt.date(2024, 2, 1), dt.date(2024, 2, 29))


def test_complete_range_shrinks_to_whole_periods():
    assert complete_range(dt.date(2024, 3, 15), dt.date(2024, 9, 2), "tertial") == (dt.date(2024, 5, 1),
                                                                                   dt.date(2024, 8, 31))
    assert complete_range(dt.date(2024, 1, 1), dt.date(2024, 12, 31), "quarter") == (dt.date(2024, 1, 1),
                                                                                    dt.date(2024, 12, 31))
    assert complete_range(dt.date(2024, 2, 1), dt.date(2024, 2, 29), "month") == (dt.date(2024, 2, 1),
                                                                                 dt.date(2024, 2, 29))  # leap day
    assert complete_range(dt.date(2024, 2, 2), dt.date(2024, 3, 30), "month") is None
    assert complete_range(dt.date(2023, 12, 31), dt.date(2025, 1, 1), "year") == (dt.date(2024, 1, 1),
                                                                                  dt.date(2024, 12, 31))


def test_period_outside_the_range_is_refused():
    with pytest.raises(ValueError, match=r"period '2030' \(year\) is not inside 2024-01-01–2024-12-31; choose one of 2024"):
        period_bounds("2030", "year", within=(dt.date(2024, 1, 1), dt.date(2024, 12, 31)))
    with pytest.raises(ValueError, match="period kind must be one of"):
        periods_between(dt.date(2024, 1, 1), dt.date(2024, 2, 1), "fortnight")


def test_a_teams_drafts_are_only_its_own(tmp_path):
    """Endringer's drafts list goes through the access seam with the manager's teams."""
    store = make_store(tmp_path)
    lon, lat = lonlat([X, X + 50], [Y, Y + 50])
    square = box(lon[0], lat[0], lon[1], lat[1])
    for team in ("sentrum", "vestre-aker"):
        store.add_area_draft(gpd.GeoDataFrame({AREA_ID: [f"d-{team}"], AREA_NAME: ["d"], "team": [team],
                                               "valid_from": [dt.date(2025, 1, 1)]}, geometry=[square], crs=STORE_CRS),
                             source="test")
    assert sorted(area_drafts(store)[AREA_ID]) == ["d-sentrum", "d-vestre-aker"]
    assert area_drafts(store, teams=("vestre-aker",))[AREA_ID].tolist() == ["d-vestre-aker"]


def test_a_teams_effective_areas_are_compared_with_its_own_field_areas(tmp_path):
    store = make_store(tmp_path, areas=area_versions([
        area("a", box(X, Y, X + 100, Y + 100), team="sentrum", valid_from=dt.date(2024, 1, 1)),
        area("h", box(X + 500, Y, X + 600, Y + 100), team="vestre-aker", valid_from=dt.date(2024, 1, 1)),
    ]))
    period = {"first_day": dt.date(2024, 3, 1), "last_day": dt.date(2024, 3, 31)}
    assert sorted(effective_areas(store, Filters(**period)).official[AREA_ID]) == ["a", "h"]
    assert effective_areas(store, Filters(**period, teams=("vestre-aker",))).official[AREA_ID].tolist() == ["h"]
