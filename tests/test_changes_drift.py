"""Drift: weighted centre and standard deviational ellipse checked against hand computations;
presence weights from the cell table; ring shares around the areas valid on each date;
and the drift the demo generator planted."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from pyproj import Transformer
from shapely.geometry import box

from geo.changes.drift import (
    BANDS,
    BEARING_DEG,
    CENTRE_LAT,
    CENTRE_LON,
    CENTRE_X,
    CENTRE_Y,
    PERIOD,
    SIGMA_MAJOR_M,
    SIGMA_MINOR_M,
    WEIGHT,
    N,
    directional_distribution,
    drift_table,
    encounter_drift,
    presence_drift,
    ring_shares,
)
from geo.demo.hotspots import HOTSPOTS
from geo.queries import Filters
from geo.schema import MEASURE_CRS, STORE_CRS
from geo.store import open_store
from tests.builders import (
    BASE,
    area,
    area_versions,
    encounters,
    make_store,
    oslo,
    patrols,
    standing,
)

X, Y = BASE
TO_UTM = Transformer.from_crs(STORE_CRS, MEASURE_CRS, always_xy=True)


def _one(x, y, w=None, *, sqrt2=True) -> pd.Series:
    w = np.ones(len(x)) if w is None else np.asarray(w, float)
    table = directional_distribution(np.asarray(x, float) + X, np.asarray(y, float) + Y, w, ["p"] * len(x),
                                     sqrt2=sqrt2)
    assert len(table) == 1
    return table.iloc[0]


def test_cross_of_four_points_by_hand():
    # deviations: x̃ = ±1 (twice 0), ỹ = ±2; sxx = 2/4, syy = 8/4, sxy = 0
    row = _one([-1, 1, 0, 0], [0, 0, -2, 2])
    assert_allclose([row[CENTRE_X] - X, row[CENTRE_Y] - Y], [0, 0], atol=1e-9)
    assert_allclose(row[SIGMA_MAJOR_M], np.sqrt(2) * np.sqrt(2.0))  # along north
    assert_allclose(row[SIGMA_MINOR_M], np.sqrt(2) * np.sqrt(0.5))
    assert_allclose(row[BEARING_DEG], 0.0, atol=1e-9)


def test_weights_move_the_centre_and_scale_the_spread_by_hand():
    # (0,0) weight 3, (4,0) weight 1: x̄ = 4/4 = 1; sxx = (3·1² + 1·3²)/4 = 3
    row = _one([0, 4], [0, 0], [3, 1])
    assert_allclose(row[CENTRE_X] - X, 1.0)
    assert_allclose(row[WEIGHT], 4.0)
    assert_allclose(row[SIGMA_MAJOR_M], np.sqrt(2) * np.sqrt(3.0))
    assert_allclose(row[SIGMA_MINOR_M], 0.0, atol=1e-9)
    assert_allclose(row[BEARING_DEG], 90.0)  # east


def test_rotated_ellipse_by_hand_and_without_the_sqrt2_correction():
    # sxx = syy = (4+4+1+1)/4 = 2.5, sxy = (4+4-1-1)/4 = 1.5 → λ = 2.5 ± 1.5 = 4, 1; major axis NE
    x, y = [-2, 2, -1, 1], [-2, 2, 1, -1]
    row = _one(x, y)
    assert_allclose([row[SIGMA_MAJOR_M], row[SIGMA_MINOR_M], row[BEARING_DEG]], [np.sqrt(2) * 2, np.sqrt(2), 45.0])
    plain = _one(x, y, sqrt2=False)
    assert_allclose([plain[SIGMA_MAJOR_M], plain[SIGMA_MINOR_M]], [2.0, 1.0])
    mirrored = _one(x, [-v for v in y])
    assert_allclose(mirrored[BEARING_DEG], 135.0)  # NW–SE axis


def test_groups_are_computed_separately():
    table = directional_distribution(np.array([0.0, 2.0, 10.0, 30.0]) + X, np.full(4, Y), np.ones(4),
                                     np.array(["2024", "2024", "2023", "2023"]))
    assert table[PERIOD].tolist() == ["2023", "2024"]
    assert_allclose(table[CENTRE_X] - X, [20.0, 1.0])
    assert table[N].tolist() == [2, 2]


def test_drawn_ellipse_has_the_area_pi_a_b_and_lonlat_centre():
    rng = np.random.default_rng(1)
    x, y = rng.normal(0, 30, 200), rng.normal(0, 10, 200)
    table = drift_table(x + X, y + Y, np.ones(200), np.array(["p"] * 200))
    row = table.iloc[0]
    ellipse = gpd.GeoSeries([row.geometry], crs=STORE_CRS).to_crs(MEASURE_CRS).iloc[0]
    assert_allclose(ellipse.area, np.pi * row[SIGMA_MAJOR_M] * row[SIGMA_MINOR_M], rtol=2e-3)
    cx, cy = TO_UTM.transform(row[CENTRE_LON], row[CENTRE_LAT])
    assert_allclose([cx, cy], [row[CENTRE_X], row[CENTRE_Y]], atol=1e-6)


def test_a_period_with_too_few_points_gets_a_centre_but_no_ellipse():
    table = drift_table(np.array([X, X + 10]), np.array([Y, Y]), np.ones(2), np.array(["p", "p"]))
    assert table.geometry.iloc[0] is None
    assert np.isfinite(table[CENTRE_LON].iloc[0])


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"weight": np.array([1.0, -1.0])}, "weight must be finite and non-negative"),
    ({"groups": np.array(["a"])}, "must have the same length; got 2, 2, 2, 1"),
])
def test_bad_input_is_refused(kwargs, message):
    args = {"x": np.zeros(2), "y": np.zeros(2), "weight": np.ones(2), "groups": np.array(["a", "a"]), **kwargs}
    with pytest.raises(ValueError, match=message):
        directional_distribution(**args)


def test_presence_drift_weighs_cell_centres_by_patrol_minutes(tmp_path):
    p, q = (X + 20, Y + 20), (X + 1020, Y + 20)
    points = pd.concat([
        standing("p23", oslo("2023-05-02 12:00"), p, n=11, interval_s=60),  # 10 min at p in 2023
        standing("p24", oslo("2024-05-02 12:00"), p, n=11, interval_s=60),  # 10 min at p in 2024
        standing("q24", oslo("2024-05-03 12:00"), q, n=31, interval_s=60),  # 30 min at q in 2024
    ])
    rows = patrols(("p23", oslo("2023-05-02 12:00"), oslo("2023-05-02 12:10")),
                   ("p24", oslo("2024-05-02 12:00"), oslo("2024-05-02 12:10")),
                   ("q24", oslo("2024-05-03 12:00"), oslo("2024-05-03 12:30")))
    store = make_store(tmp_path, patrol_rows=rows, points=points)
    got = presence_drift(store, Filters(), period="year", res=10).set_index(PERIOD)

    def centre(xy):  # the H3 cell's centre, by the h3 library itself
        lon, lat = Transformer.from_crs(MEASURE_CRS, STORE_CRS, always_xy=True).transform(*xy)
        return np.array(TO_UTM.transform(*h3.cell_to_latlng(h3.latlng_to_cell(lat, lon, 10))[::-1]))

    expected_2024 = (10 * centre(p) + 30 * centre(q)) / 40
    assert_allclose(got.loc["2024", [CENTRE_X, CENTRE_Y]].to_numpy(float), expected_2024, atol=0.01)
    assert_allclose(got.loc["2023", [CENTRE_X, CENTRE_Y]].to_numpy(float), centre(p), atol=0.01)
    assert_allclose(got[WEIGHT].to_numpy(float), [10.0, 40.0], atol=1e-6)


def test_ring_shares_use_the_area_valid_on_each_encounter_date(tmp_path):
    areas = area_versions([area("a", box(X, Y, X + 100, Y + 100), valid_from=dt.date(2024, 1, 1))])
    t24, t23 = oslo("2024-06-01 12:00"), oslo("2023-06-01 12:00")
    rows = encounters(
        ("in", t24, X + 50, Y + 50),
        ("near", t24, X + 150, Y + 50),  # 50 m east of the area
        ("near2", t24, X + 299.5, Y + 50),  # 199.5 m
        ("far", t24, X + 400, Y + 50),  # 300 m
        ("beyond", t24, X + 50, Y + 700),  # 600 m
        ("before", t23, X + 50, Y + 50),  # inside the square, but it was no field area in 2023
    )
    store = make_store(tmp_path, areas=areas, encounter_rows=rows)
    got = ring_shares(store, Filters(), period="year").set_index(PERIOD)
    assert got.loc["2024", ["encounters", *BANDS]].tolist() == [5, 1, 2, 1, 1]
    assert got.loc["2023", ["encounters", *BANDS]].tolist() == [1, 0, 0, 0, 1]
    assert_allclose(got.loc["2024", [f"{b}_share" for b in BANDS]].to_numpy(float), [0.2, 0.4, 0.2, 0.2])


def test_unknown_period_is_refused(tmp_path):
    store = make_store(tmp_path)
    with pytest.raises(ValueError, match="period must be one of week, month, tertial, quarter, year; got 'decade'"):
        encounter_drift(store, Filters(), period="decade")


# --- the drift the demo generator planted -------------------------------------------------------
def test_demo_encounter_centre_moves_toward_the_growing_hotspots(demo_store_years):
    store = open_store(demo_store_years, create=False)
    centre_team = Filters(teams=("uteseksjonen",))  # the centre's scenes (Hovseter is a district far west)
    drift = encounter_drift(store, centre_team, period="year").set_index(PERIOD)
    start = drift.loc["2022", [CENTRE_X, CENTRE_Y]].to_numpy(float)
    end = drift.loc["2024", [CENTRE_X, CENTRE_Y]].to_numpy(float)
    # hotspots whose intensity grows from 2022 to 2024 (Nedre Akerselva, Urtegata) vs those that fade
    growing = np.array([TO_UTM.transform(h.lon, h.lat) for h in HOTSPOTS if h.intensity[2024] > h.intensity[2022]])
    fading = np.array([TO_UTM.transform(h.lon, h.lat) for h in HOTSPOTS if h.intensity[2024] < h.intensity[2022]])
    assert len(growing) == 2 and len(fading) == 3
    towards = growing.mean(axis=0) - start
    moved = end - start
    assert np.linalg.norm(moved) > 50  # metres: a real shift, not noise
    assert np.dot(moved, towards) / (np.linalg.norm(moved) * np.linalg.norm(towards)) > 0.7  # within ~45°
    assert np.linalg.norm(end - growing.mean(axis=0)) < np.linalg.norm(start - growing.mean(axis=0))
    assert np.linalg.norm(end - fading.mean(axis=0)) > np.linalg.norm(start - fading.mean(axis=0))
