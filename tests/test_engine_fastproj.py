"""geo.engine.fastproj.to_measure_crs agrees with pyproj (EPSG:4326 → EPSG:25832) within 1 mm."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from pyproj import Transformer

from geo.engine import fastproj
from geo.schema import MEASURE_CRS, STORE_CRS

TOLERANCE_M = 1e-3

BOXES = {
    "oslo_sentrum": (10.70, 10.80, 59.89, 59.94),
    "oslo_kommune": (10.48, 10.95, 59.80, 60.14),
    "bergen": (5.20, 5.45, 60.30, 60.45),
    "tromso": (18.80, 19.10, 69.60, 69.72),
    "kirkenes": (29.90, 30.15, 69.68, 69.76),
}


def _pyproj(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = Transformer.from_crs(STORE_CRS, MEASURE_CRS, always_xy=True).transform(lon, lat)
    return np.asarray(x), np.asarray(y)


def _assert_close(lon: np.ndarray, lat: np.ndarray) -> None:
    x, y = fastproj.to_measure_crs(lon, lat)
    rx, ry = _pyproj(lon, lat)
    dx = np.abs(x - rx)
    dy = np.abs(y - ry)
    assert np.all(np.isfinite(x)) and np.all(np.isfinite(y))
    assert dx.max() < TOLERANCE_M, f"easting off by {dx.max() * 1e3:.4f} mm"
    assert dy.max() < TOLERANCE_M, f"northing off by {dy.max() * 1e3:.4f} mm"


@pytest.mark.parametrize("name", sorted(BOXES))
def test_random_points_match_pyproj(name: str) -> None:
    lon_lo, lon_hi, lat_lo, lat_hi = BOXES[name]
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    n = 300_000
    _assert_close(rng.uniform(lon_lo, lon_hi, n), rng.uniform(lat_lo, lat_hi, n))


def test_points_all_over_norway_match_pyproj() -> None:
    # scattered: most chunks span many tiles (grouped per tile, small groups via pyproj)
    rng = np.random.default_rng(11)
    n = 300_000
    _assert_close(rng.uniform(4.5, 31.2, n), rng.uniform(57.9, 71.2, n))


def test_dense_points_in_many_tiles_match_pyproj() -> None:
    # 20 areas of 15k points each, shuffled: multi-tile chunks with big groups
    rng = np.random.default_rng(12)
    centres_lon = rng.uniform(5.0, 30.0, 20)
    centres_lat = rng.uniform(58.5, 70.5, 20)
    lon = np.repeat(centres_lon, 15_000) + rng.uniform(-0.3, 0.3, 300_000)
    lat = np.repeat(centres_lat, 15_000) + rng.uniform(-0.15, 0.15, 300_000)
    order = rng.permutation(lon.size)
    _assert_close(lon[order], lat[order])


def test_track_like_points_match_pyproj() -> None:
    # consecutive fixes of a walk: small chunk boxes, lowest polynomial degrees
    rng = np.random.default_rng(13)
    n = 400_000
    heading = np.cumsum(rng.normal(0.0, 0.3, n))
    lon = 10.75 + np.cumsum(1.3 * np.cos(heading) / 55_800.0)
    lat = 59.91 + np.cumsum(1.3 * np.sin(heading) / 111_320.0)
    _assert_close(lon, lat)


def test_points_on_tile_edges_match_pyproj() -> None:
    rng = np.random.default_rng(14)
    k = 20_000
    edges_lon = np.round(rng.uniform(10.0, 11.6, k) / fastproj.TILE_DLON) * fastproj.TILE_DLON
    edges_lat = np.round(rng.uniform(59.6, 60.4, k) / fastproj.TILE_DLAT) * fastproj.TILE_DLAT
    eps = rng.choice([-1e-12, 0.0, 1e-12, -1e-6, 1e-6], k)
    lon = np.concatenate([edges_lon + eps, rng.uniform(10.0, 11.6, k)])
    lat = np.concatenate([rng.uniform(59.6, 60.4, k), edges_lat + eps])
    _assert_close(lon, lat)


def test_non_finite_and_unsupported_points_behave_like_pyproj() -> None:
    rng = np.random.default_rng(15)
    lon = rng.uniform(10.7, 10.8, 5000)
    lat = rng.uniform(59.89, 59.94, 5000)
    lon[[3, 70, 4000]] = [np.nan, np.inf, 10.75]
    lat[[3, 70, 4000]] = [59.9, 59.9, np.nan]
    lat[100:200] = 88.0  # outside the polynomial tiles (±84°): pyproj itself
    x, y = fastproj.to_measure_crs(lon, lat)
    rx, ry = _pyproj(lon, lat)
    bad = ~np.isfinite(rx)
    np.testing.assert_array_equal(np.isfinite(x), ~bad)
    np.testing.assert_array_equal(x[bad], rx[bad])
    assert np.abs(x[~bad] - rx[~bad]).max() < TOLERANCE_M
    assert np.abs(y[~bad] - ry[~bad]).max() < TOLERANCE_M


@pytest.mark.parametrize("n", [0, 1, 63, 64, 5000])
def test_small_inputs(n: int) -> None:
    rng = np.random.default_rng(n)
    lon = rng.uniform(10.7, 10.8, n)
    lat = rng.uniform(59.89, 59.94, n)
    x, y = fastproj.to_measure_crs(lon, lat)
    rx, ry = _pyproj(lon, lat)
    assert x.shape == (n,) and y.shape == (n,)
    if n:
        assert np.abs(x - rx).max() < TOLERANCE_M and np.abs(y - ry).max() < TOLERANCE_M


def test_shapes_like_pyproj() -> None:
    x, y = fastproj.to_measure_crs(10.75, 59.91)
    rx, ry = _pyproj(10.75, 59.91)
    assert np.shape(x) == np.shape(rx) == () and abs(x - rx) < TOLERANCE_M and abs(y - ry) < TOLERANCE_M
    lon, lat = np.meshgrid(np.linspace(10.7, 10.8, 300), np.linspace(59.89, 59.94, 200))
    x, y = fastproj.to_measure_crs(lon, lat)
    rx, ry = _pyproj(lon, lat)
    assert x.shape == rx.shape == (200, 300)
    assert np.abs(x - rx).max() < TOLERANCE_M and np.abs(y - ry).max() < TOLERANCE_M


def test_tile_fit_error_is_tiny() -> None:
    for lon, lat in [(10.75, 59.91), (5.3, 60.4), (18.95, 69.65), (30.0, 69.7)]:
        tile = fastproj._PROJ_DRIVER.tile(*fastproj._PROJ_DRIVER.tile_index(lon, lat))
        assert not tile.exact_only
        assert tile.fit_error_m < 1e-6
