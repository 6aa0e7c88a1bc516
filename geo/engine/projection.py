"""Projection between the storage CRS (EPSG:4326) and the measuring CRS (EPSG:25832).

Vectorised through pyproj; transformers are built once and reused.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from pyproj import Transformer

from geo.schema import MEASURE_CRS, STORE_CRS


@lru_cache(maxsize=None)
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def to_measure_crs(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """EPSG:4326 lon/lat degrees → EPSG:25832 easting/northing metres."""
    x, y = _transformer(STORE_CRS, MEASURE_CRS).transform(
        np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    )
    return np.asarray(x), np.asarray(y)


def to_store_crs(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """EPSG:25832 easting/northing metres → EPSG:4326 lon/lat degrees."""
    lon, lat = _transformer(MEASURE_CRS, STORE_CRS).transform(
        np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    )
    return np.asarray(lon), np.asarray(lat)
