"""EPSG:4326 lon/lat → EPSG:25832 metres, the engine's measuring CRS, by pyproj.

One ``Transformer`` (``always_xy``) is built once and shared; pyproj gives
each thread its own PROJ context (thread-safe since pyproj 3.1), so the
engine's chunk threads (``geo.engine.threads``) may call it at the same time.
A hand-written per-tile polynomial kernel once replaced this; it saved under
10 % of every user command it was measured in (``bench/kernels.py``,
``bench/README.md``) and was removed.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from pyproj import Transformer

from geo.schema import MEASURE_CRS, STORE_CRS


@cache
def _transformer() -> Transformer:
    return Transformer.from_crs(STORE_CRS, MEASURE_CRS, always_xy=True)


def to_measure_crs(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """EPSG:4326 lon/lat degrees → EPSG:25832 easting/northing metres (float64, the shape of ``lon``)."""
    x, y = _transformer().transform(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
