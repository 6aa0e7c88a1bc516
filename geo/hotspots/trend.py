"""Mann–Kendall trend test of each cell's series (Gi* z-scores or counts), by pymannkendall.

The original (Mann 1945, Kendall 1975) test: S = Σ_{i<j} sign(x_j − x_i),
normal approximation with the tie-corrected variance and a continuity
correction; z > 0 is an increasing trend, p is two-sided. pymannkendall's
``original_test`` is the reference implementation, called once per cell (a
few hundred cells, each a short series), never per encounter.
"""

from __future__ import annotations

import numpy as np
import pymannkendall

from geo.hotspots.gistar import ALPHA

MIN_PERIODS = 3
"""Shortest series tested; with fewer periods the trend is NaN (no trend can be significant)."""


def mann_kendall(series: np.ndarray, *, alpha: float = ALPHA) -> tuple[np.ndarray, np.ndarray]:
    """Mann–Kendall z-score and two-sided p-value of each row of ``series`` (n_cells, n_periods).

    A constant series has z 0 and p 1; fewer than :data:`MIN_PERIODS` periods gives NaN.
    """
    series = np.asarray(series, dtype=np.float64)
    n_cells, n_periods = series.shape
    z = np.full(n_cells, np.nan)
    p = np.full(n_cells, np.nan)
    if n_periods < MIN_PERIODS:
        return z, p
    for i, row in enumerate(series):  # one test per cell
        result = pymannkendall.original_test(row, alpha=alpha)
        z[i], p[i] = result.z, result.p
    return z, p
