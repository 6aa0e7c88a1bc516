"""Emerging hot and cold spots of encounters: where, and how they change over time.

Pipeline (each step its own module):

1. :mod:`~geo.hotspots.cube` — encounter counts per H3 cell × period (local
   dates, Europe/Oslo), zero-padded with the k-ring around every cell with data;
2. :mod:`~geo.hotspots.gistar` — space-time Getis–Ord Gi* z-score of every
   cell-period (esda), significance by Benjamini–Hochberg FDR over all of them;
3. :mod:`~geo.hotspots.trend` — Mann–Kendall trend (pymannkendall) of each
   cell's Gi* z-score series (the category rules) and of its counts (shown);
4. :mod:`~geo.hotspots.classify` — ESRI's 8 hot + 8 cold categories + no pattern.

:func:`emerging_hotspots` runs it for a store; the result lists the cells with
at least one selected encounter (the padding cells only take part as zeros).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from geo.engine.cells import cell_centres_lonlat, cells_to_hex, ring_pairs
from geo.hotspots.classify import CATEGORIES, COLD_CATEGORIES, HOT_CATEGORIES, Category, classify
from geo.hotspots.cube import CUBE_PERIOD_KINDS, CountCube, count_cube
from geo.hotspots.gistar import (
    ALPHA,
    PERMUTATIONS,
    SEED,
    GiStar,
    gi_star,
    space_time_weights,
)
from geo.hotspots.trend import mann_kendall
from geo.queries.filters import Filters
from geo.store.base import Store

DEFAULT_RESOLUTION = 9
"""Default H3 resolution (cells about 0.1 km², ~175 m edge): at resolution 10 a
scene spreads over several small cells and single periods get noisy."""

K_RING = 1
"""Default spatial neighbourhood: the cell and the 6 cells around it."""

TIME_LAG = 1
"""Default temporal neighbourhood: the period itself and the one before."""

DEFAULT_PERIOD = "quarter"
"""Default period kind."""

CELL = "cell"
LAT = "lat"
LON = "lon"
CATEGORY = "category"
TREND_Z = "trend_z"
TREND_P = "trend_p"
COUNT_TREND_Z = "count_trend_z"
COUNT_TREND_P = "count_trend_p"
N_PERIODS = "n_periods"
N_PERIODS_HOT = "n_periods_hot"
N_PERIODS_COLD = "n_periods_cold"
LAST_Z = "last_z"
TOTAL_ENCOUNTERS = "total_encounters"
LAST_ENCOUNTERS = "last_encounters"
CELLS = "cells"

COLUMNS = (CELL, CATEGORY, TREND_Z, TREND_P, COUNT_TREND_Z, COUNT_TREND_P, N_PERIODS, N_PERIODS_HOT,
           N_PERIODS_COLD, LAST_Z, TOTAL_ENCOUNTERS, LAST_ENCOUNTERS, LAT, LON)
"""Columns of :func:`emerging_hotspots`, in order."""

__all__ = [
    "ALPHA",
    "CATEGORIES",
    "COLUMNS",
    "CUBE_PERIOD_KINDS",
    "DEFAULT_PERIOD",
    "DEFAULT_RESOLUTION",
    "K_RING",
    "MAX_K_RING",
    "MAX_TIME_LAG",
    "PERMUTATIONS",
    "SEED",
    "TIME_LAG",
    "Category",
    "CountCube",
    "GiStar",
    "analyse_cube",
    "category_counts",
    "emerging_hotspots",
]


def emerging_hotspots(
    store: Store,
    *,
    period: str = DEFAULT_PERIOD,
    first_day: dt.date | None = None,
    last_day: dt.date | None = None,
    teams: tuple[str, ...] | None = None,
    categories: tuple[str, ...] | None = None,
    age_groups: tuple[str, ...] | None = None,
    res: int = DEFAULT_RESOLUTION,
    k: int = K_RING,
    time_lag: int = TIME_LAG,
    alpha: float = ALPHA,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
) -> pd.DataFrame:
    """Emerging hot/cold spot category of every H3 cell with a selected encounter.

    Encounters from ``first_day`` to ``last_day`` (local dates, inclusive;
    None = the first/last selected encounter), of ``teams`` (through their
    patrol; None = all, including encounters without a patrol) and of the
    encounter ``categories`` and ``age_groups`` (None = all), counted per
    ``period`` (month, tertial, quarter, year) at H3 resolution ``res``. The
    Gi* neighbourhood is ``k`` rings of cells over the period and the
    ``time_lag`` periods before it; hot/cold spots are significant at false
    discovery rate ``alpha``, trends at level ``alpha``.

    Returns one row per cell, ordered by :data:`CATEGORIES` then by total
    encounters (descending): ``cell`` (H3 hex), ``category`` (code),
    ``trend_z``/``trend_p`` (Mann–Kendall of the Gi* z-scores: the trend the
    category uses), ``count_trend_z``/``count_trend_p`` (Mann–Kendall of the
    counts), ``n_periods``, ``n_periods_hot``, ``n_periods_cold``, ``last_z``
    (Gi* z of the final period), ``total_encounters``, ``last_encounters`` (in
    the final period), ``lat``/``lon`` (cell centre, EPSG:4326 degrees). The
    frame's ``attrs["periods"]`` lists the period labels analysed, and
    ``attrs["left_out"]`` the partly covered periods at the ends of the given
    dates that were left out (see :mod:`geo.hotspots.cube`).
    """
    _check_parameters(k=k, time_lag=time_lag)
    filters = Filters(first_day=first_day, last_day=last_day, teams=teams, categories=categories,
                      age_groups=age_groups)
    cube = count_cube(store, filters, period=period, res=res, k=k)
    return analyse_cube(cube, k=k, time_lag=time_lag, alpha=alpha, permutations=permutations, seed=seed)


def analyse_cube(cube: CountCube, *, k: int = K_RING, time_lag: int = TIME_LAG, alpha: float = ALPHA,
                 permutations: int = PERMUTATIONS, seed: int = SEED) -> pd.DataFrame:
    """Gi*, trends and categories of a :class:`CountCube` (see :func:`emerging_hotspots` for the result)."""
    _check_parameters(k=k, time_lag=time_lag)
    if not cube.observed.any():
        frame = pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in COLUMNS})
        frame.attrs["periods"] = list(cube.periods)
        frame.attrs["left_out"] = list(cube.left_out)
        return frame
    n_cells, n_periods = cube.counts.shape
    weights = space_time_weights(ring_pairs(cube.cells, k), n_cells=n_cells, n_periods=n_periods,
                                 time_lag=time_lag)
    gi = gi_star(cube.counts, weights, alpha=alpha, permutations=permutations, seed=seed)
    keep = cube.observed
    hot, cold, z, counts = gi.hot[keep], gi.cold[keep], gi.z[keep], cube.counts[keep]
    trend_z, trend_p = mann_kendall(np.nan_to_num(z, nan=0.0), alpha=alpha)
    count_z, count_p = mann_kendall(counts, alpha=alpha)
    lon, lat = cell_centres_lonlat(cube.cells[keep])
    frame = pd.DataFrame({
        CELL: cells_to_hex(cube.cells[keep]),
        CATEGORY: classify(hot, cold, trend_z, trend_p, alpha=alpha),
        TREND_Z: trend_z,
        TREND_P: trend_p,
        COUNT_TREND_Z: count_z,
        COUNT_TREND_P: count_p,
        N_PERIODS: np.full(len(counts), n_periods, dtype=np.int64),
        N_PERIODS_HOT: hot.sum(axis=1).astype(np.int64),
        N_PERIODS_COLD: cold.sum(axis=1).astype(np.int64),
        LAST_Z: z[:, -1],
        TOTAL_ENCOUNTERS: counts.sum(axis=1).astype(np.int64),
        LAST_ENCOUNTERS: counts[:, -1].astype(np.int64),
        LAT: lat,
        LON: lon,
    })
    order = pd.Categorical(frame[CATEGORY], categories=CATEGORIES, ordered=True)
    frame = (frame.assign(_order=order).sort_values(["_order", TOTAL_ENCOUNTERS, CELL], ascending=[True, False, True])
             .drop(columns="_order").reset_index(drop=True))
    frame.attrs["periods"] = list(cube.periods)
    frame.attrs["left_out"] = list(cube.left_out)
    return frame


def category_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells per category (all :data:`CATEGORIES`, zeros included): columns ``category``, ``cells``."""
    counts = frame[CATEGORY].value_counts().reindex(list(CATEGORIES), fill_value=0)
    return pd.DataFrame({CATEGORY: list(CATEGORIES), CELLS: counts.to_numpy().astype(np.int64)})


def hot_and_cold_cells(frame: pd.DataFrame) -> tuple[int, int]:
    """How many cells of :func:`emerging_hotspots` fall in a hot and in a cold category."""
    counts = frame[CATEGORY].value_counts()
    return (int(counts.reindex(list(HOT_CATEGORIES), fill_value=0).sum()),
            int(counts.reindex(list(COLD_CATEGORIES), fill_value=0).sum()))


MAX_K_RING = 3
"""Widest spatial neighbourhood offered (3 rings: 37 cells)."""

MAX_TIME_LAG = 4
"""Most earlier periods in the neighbourhood."""


def _check_parameters(*, k: int, time_lag: int) -> None:
    if not 1 <= k <= MAX_K_RING:
        raise ValueError(f"k-ring must be between 1 and {MAX_K_RING} rings of cells; got {k}")
    if not 0 <= time_lag <= MAX_TIME_LAG:
        raise ValueError(f"time lag must be between 0 and {MAX_TIME_LAG} periods; got {time_lag}")


def _dtype(column: str) -> str:
    if column in (CELL, CATEGORY):
        return "object"
    if column in (N_PERIODS, N_PERIODS_HOT, N_PERIODS_COLD, TOTAL_ENCOUNTERS, LAST_ENCOUNTERS):
        return "int64"
    return "float64"
