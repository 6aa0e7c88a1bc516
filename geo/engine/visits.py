"""Visits and dose bands (PRODUCT.md, Visit).

A visit is a maximal stretch of one patrol's presence inside one area (or
cell), where breaks shorter than 2 minutes are bridged. A visit starts at the
start of its first segment with presence in the area and ends at the end of
its last one; its duration is that elapsed time (bridged breaks included).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BRIDGE_S = 120.0
"""Breaks shorter than this (seconds) do not end a visit."""

DOSE_BANDS = ("passing", "short", "long")
"""Dose band names: under 2 min (passing through), 2–10 min, 10 min or more."""

DOSE_EDGES_S = (120.0, 600.0)
"""Lower edges (seconds) of the 2–10 min and 10+ min dose bands."""


def find_visits(key: np.ndarray, t0: np.ndarray, t1: np.ndarray, *, bridge_s: float = BRIDGE_S) -> pd.DataFrame:
    """Group presence pieces into visits.

    Parameters
    ----------
    key
        int64 group of each piece (e.g. patrol × area); pieces of different
        keys never join.
    t0, t1
        Start and end of each piece with positive presence, epoch seconds.
    bridge_s
        Breaks strictly shorter than this join two stretches, seconds.

    Returns
    -------
    DataFrame with columns ``key``, ``start``, ``end`` (epoch seconds), one
    row per visit, sorted by key and start.
    """
    if len(key) == 0:
        return pd.DataFrame({"key": np.zeros(0, np.int64), "start": np.zeros(0), "end": np.zeros(0)})
    order = np.lexsort((t0, key))
    k, a, b = key[order], t0[order], t1[order]
    running_end = _running_max_by_group(k, b)
    new = np.ones(len(k), dtype=bool)
    new[1:] = (k[1:] != k[:-1]) | (a[1:] - running_end[:-1] >= bridge_s)
    starts = np.flatnonzero(new)
    return pd.DataFrame(
        {"key": k[starts], "start": a[starts], "end": np.maximum.reduceat(b, starts)}
    )


def dose_band(duration_s: np.ndarray) -> np.ndarray:
    """Dose band name of each visit duration (seconds)."""
    return np.asarray(DOSE_BANDS, dtype=object)[np.searchsorted(DOSE_EDGES_S, duration_s, side="right")]


def _running_max_by_group(key: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Cumulative max of ``values`` restarting at every change of ``key``."""
    return pd.Series(values).groupby(key, sort=False).cummax().to_numpy()
