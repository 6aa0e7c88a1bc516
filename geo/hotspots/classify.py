"""The emerging hot and cold spot categories, as pure functions on arrays.

Definitions follow ESRI's *Emerging Hot Spot Analysis* ("How Emerging Hot Spot
Analysis works", ArcGIS Pro), which also R's ``sfdep`` and ``xarray-spatial``
implement. Every cell has a series of periods; in each it is a significant
**hot** spot (Gi* z > 0 and significant after FDR correction), a significant
**cold** spot (z < 0, significant) or neither. With *final* the last period
and *share hot* the share of all periods that are hot:

==============  =============================================================
new             hot in the final period, never hot before
consecutive     one uninterrupted run of at least two hot periods ending in
                the final one, never hot before the run, share hot < 90 %
intensifying    share hot ≥ 90 % incl. the final period, and the Gi* z-score
                has a significant increasing Mann–Kendall trend
persistent      share hot ≥ 90 % incl. the final period, no significant trend
diminishing     share hot ≥ 90 % incl. the final period, significant decrease
sporadic        hot in the final period, on and off before (share hot < 90 %),
                never a cold spot
oscillating     hot in the final period, share hot < 90 %, a cold spot in
                some earlier period
historical      not hot in the final period, but share hot ≥ 90 %
==============  =============================================================

Cold spots mirror these with "hot" and "cold" swapped; for cold spots a
*decreasing* z-score (ever colder) is intensifying and an increasing one
diminishing. A cell matching no rule has **no pattern**. Where ESRI's texts
overlap, the first rule in the table wins (a cell once cold and hot only in the
final period is *new*, not *oscillating*), and a pattern about the final
period wins over the other kind's *historical* (hot in ≥ 90 % of periods but
cold in the final one is a *new cold* spot).
"""

from __future__ import annotations

from enum import Enum

import numpy as np

SHARE_THRESHOLD = 0.9
"""Share of periods (ESRI: 90 %) that makes a hot spot intensifying/persistent/diminishing/historical."""


class Category(str, Enum):
    """Emerging hot/cold spot category of a cell (value = stable code used in outputs)."""

    NEW_HOT = "new_hot"
    CONSECUTIVE_HOT = "consecutive_hot"
    INTENSIFYING_HOT = "intensifying_hot"
    PERSISTENT_HOT = "persistent_hot"
    DIMINISHING_HOT = "diminishing_hot"
    SPORADIC_HOT = "sporadic_hot"
    OSCILLATING_HOT = "oscillating_hot"
    HISTORICAL_HOT = "historical_hot"
    NEW_COLD = "new_cold"
    CONSECUTIVE_COLD = "consecutive_cold"
    INTENSIFYING_COLD = "intensifying_cold"
    PERSISTENT_COLD = "persistent_cold"
    DIMINISHING_COLD = "diminishing_cold"
    SPORADIC_COLD = "sporadic_cold"
    OSCILLATING_COLD = "oscillating_cold"
    HISTORICAL_COLD = "historical_cold"
    NO_PATTERN = "no_pattern"


CATEGORIES: tuple[str, ...] = tuple(c.value for c in Category)
"""Every category code in display order: the 8 hot, the 8 cold, then no pattern."""
HOT_CATEGORIES: tuple[str, ...] = CATEGORIES[:8]
COLD_CATEGORIES: tuple[str, ...] = CATEGORIES[8:16]

PATTERNS = ("new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic", "oscillating",
            "historical")
"""The eight patterns, in the order their rules are tried."""


def classify(hot: np.ndarray, cold: np.ndarray, trend_z: np.ndarray, trend_p: np.ndarray, *,
             alpha: float) -> np.ndarray:
    """Category code of each cell.

    Parameters
    ----------
    hot, cold
        Boolean (n_cells, n_periods): significant hot / cold spot per period,
        periods in chronological order (the last column is the final period).
    trend_z, trend_p
        Mann–Kendall z-score and two-sided p-value of each cell's Gi* z-score
        series (n_cells,); NaN p counts as no significant trend.
    alpha
        Significance level of the trend.

    Returns
    -------
    Object array (n_cells,) of :data:`CATEGORIES` codes.
    """
    hot = np.asarray(hot, dtype=bool)
    cold = np.asarray(cold, dtype=bool)
    if hot.shape != cold.shape or hot.ndim != 2:
        raise ValueError(f"hot and cold must be 2-D arrays of the same shape; got {hot.shape} and {cold.shape}")
    if np.any(hot & cold):
        raise ValueError("a cell cannot be a hot and a cold spot in the same period")
    significant = np.nan_to_num(np.asarray(trend_p, dtype=np.float64), nan=1.0) < alpha
    z = np.nan_to_num(np.asarray(trend_z, dtype=np.float64), nan=0.0)
    rising, falling = significant & (z > 0), significant & (z < 0)
    names = {kind: np.asarray([f"{p}_{kind}" for p in PATTERNS], dtype=object) for kind in ("hot", "cold")}
    codes = {"hot": _patterns(hot, cold, rising, falling), "cold": _patterns(cold, hot, falling, rising)}
    out = np.full(hot.shape[0], Category.NO_PATTERN.value, dtype=object)
    # Historical first, then the final-period patterns over it: a cell hot in
    # ≥ 90 % of periods but cold in the final one is a new cold spot, not a
    # historical hot spot (what happens now is the more useful statement).
    # Hot and cold final-period patterns exclude each other (the final period
    # is one or the other), and so do the two historical ones (≥ 90 % each).
    historical = len(PATTERNS) - 1
    for final_patterns in (False, True):
        for kind, code in codes.items():
            chosen = (code >= 0) & ((code < historical) if final_patterns else (code == historical))
            out[chosen] = names[kind][code[chosen]]
    return out


def _patterns(spot: np.ndarray, opposite: np.ndarray, intensifying: np.ndarray,
              diminishing: np.ndarray) -> np.ndarray:
    """Index into :data:`PATTERNS` of each cell's pattern for one kind of spot, -1 for none."""
    n_periods = spot.shape[1]
    final = spot[:, -1]
    n_spot = spot.sum(axis=1)
    share = n_spot / n_periods
    mostly = share >= SHARE_THRESHOLD
    run = final_run_length(spot)
    never_before_run = n_spot == run  # every spot period lies in the final run
    ever_opposite = opposite.any(axis=1)
    rules = [
        final & (n_spot == 1),  # new
        final & (run >= 2) & never_before_run & ~mostly,  # consecutive
        final & mostly & intensifying,  # intensifying
        final & mostly & ~intensifying & ~diminishing,  # persistent
        final & mostly & diminishing,  # diminishing
        final & ~mostly & ~ever_opposite,  # sporadic
        final & ~mostly & ever_opposite,  # oscillating
        ~final & mostly,  # historical
    ]
    return np.select(rules, list(range(len(PATTERNS))), default=-1)


def final_run_length(flags: np.ndarray) -> np.ndarray:
    """Length of the run of True at the end of each row of a boolean (n, T) array."""
    flags = np.asarray(flags, dtype=bool)
    n_periods = flags.shape[1]
    last_false = np.where(~flags, np.arange(n_periods), -1).max(axis=1)
    return n_periods - 1 - last_false
