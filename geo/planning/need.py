"""Need per area × weekday × shift: effort-corrected, shrunk, and with its uncertainty.

The need of an area in a slot (weekday of the service day × shift) is the
rate at which the patrols meet people there: (category-weighted) encounters
per **presence-hour** in the area, from the GPS presence of the recent weeks
(PRODUCT.md, *Need vs effort*). Parking garages are the exception: phones get
no fix indoors, so presence inside a garage is not measured and their rate is
encounters per **recorded visit** (a visit is counted from the fixes at the
entrance); garages are planned by rounds (visits), so that is also the unit
their plan needs.

Effort correction and shrinkage (empirical Bayes, Gamma–Poisson)
-------------------------------------------------------------------
A slot nobody visited has **unknown** need, not zero; a slot visited for ten
minutes with one encounter does not have a need of six an hour. Both follow
from one model, fitted separately for street areas and garages:

1. **Areas towards the service.** Each area's weighted encounters ``Y_a`` in
   exposure ``E_a`` (presence-hours, or visits) are Poisson with rate
   ``λ_a``, and the ``λ_a`` are Gamma distributed around the service's
   rate ``m = ΣY/ΣE`` with the between-area variance ``A`` estimated by the
   method of moments (Marshall 1991: ``A = s² − m·s̄/ē``, floored at 0). Each
   area's rate is its Gamma posterior mean ``(α + Y_a)/(β + E_a)`` with
   ``α = m²/A``, ``β = m/A``: close to its own rate where it has much
   presence, close to the service's where it has little. An area without
   any presence gets the service's rate and the between-area spread as its
   uncertainty.
2. **Slots towards their area.** Within an area, slot rates are
   ``λ_a · θ``, ``θ ~ Gamma(κ, κ)``; the extra-Poisson variation ``1/κ`` is
   estimated by moments over all slots (``Σ[(Y − μ)² − V] / Σμ²`` with
   ``μ = λ_a·E`` and ``V`` the Poisson variance). The slot's rate is the
   posterior mean ``(κ + Y)/(κ/λ_a + E)``; ``shrinkage`` is the weight this
   gives the area's rate. When the data show no variation between slots
   beyond chance (``1/κ = 0``), every slot of an area gets the area's rate.

The uncertainty (``need_sd``, 90 % interval ``need_low``–``need_high`` from a
Gamma with that mean and variance) adds the slot's posterior variance and,
by the delta method, the uncertainty of the area rate it is shrunk to. The
estimate plugs the fitted priors in (empirical Bayes), so it is a little too
sure when there are very few areas.

Recent weeks, trend and season
------------------------------
The history is the ``history_weeks`` most recent ISO weeks **with patrols**
of the team before the planned week (weeks without patrols, such as a
holiday closure, are skipped, not counted as zero). Each week is weighted
``0.5 ** (age / half_life_weeks)`` (age 0 = the latest): a level that
follows recent change without trusting one week. Weighted counts are not
Poisson counts; they are handled as quasi-Poisson (the variance of a
weighted count is its squared-weight sum), so weighting widens the
uncertainty instead of hiding it. No linear trend is extrapolated: a few
weeks of counts cannot tell a trend from noise.

A **seasonal factor** is used only when the store reaches back at least a year
(52 weeks) before the history window: last year's rate in the planned week
(± 1 week) over last year's rate in the same history window, weighted alike.
Its logarithm is shrunk towards 0 by positive-part James–Stein
(``1 − v/log²f``, with ``v`` its Poisson variance), so a factor that is
within its own noise of 1 is not applied; the factor applied is reported.

``need_weeks`` is the number of history weeks with presence in the slot.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from geo.planning.columns import (
    ACTUAL_VISITS,
    AREA_ID,
    AREA_RATE,
    ENCOUNTERS,
    EXPOSURE,
    GARAGE,
    KIND_OF_AREA,
    NEED_HIGH,
    NEED_LOW,
    NEED_RATE,
    NEED_SD,
    NEED_UNIT,
    NEED_WEEKS,
    PRESENCE_HOURS,
    RECENT_MINUTES,
    RECENT_VISITS,
    SEASONAL_FACTOR,
    SHIFT,
    SHRINKAGE,
    STREET,
    VALUE_PER_VISIT,
    WEEK_START,
    WEEKDAY,
    WEIGHTED_ENCOUNTERS,
)
from geo.planning.config import PlanningConfig
from geo.planning.errors import PlanningError
from geo.planning.history import ENCOUNTERS_SQ, History
from geo.planning.slots import SHIFTS, week_label

ACTUAL_WEEKS = 4
"""The actual allocation a plan is compared with: the mean week of the latest this many history weeks."""

WEEKS_PER_YEAR = 52
SEASON_HALF_WINDOW_WEEKS = 1
"""Last year's planned week ± this many weeks make the numerator of the seasonal factor."""

CREDIBLE_INTERVAL = (0.05, 0.95)
UNIT_BY_KIND = {STREET: "hour", GARAGE: "visit"}
"""Exposure of each kind of area: presence-hours for streets, recorded visits for garages."""


@dataclass(frozen=True, slots=True)
class Seasonal:
    """The seasonal factor of one kind of area.

    ``factor`` is what was applied (1.0 when not used), ``raw`` the ratio before
    shrinkage (NaN when not computed), ``log_se`` the standard error of its
    logarithm, ``reason`` one of ``applied``, ``within_noise``,
    ``short_history`` (less than a year before the history window) or ``no_data``.
    """

    factor: float
    raw: float
    log_se: float
    reason: str


@dataclass(frozen=True)
class NeedEstimate:
    """Need per area × weekday × shift for one planned week.

    Attributes
    ----------
    table
        One row per area × weekday (0 = Monday, of the service day) × shift:
        ``area_id``, ``area_kind`` (street/garage), ``weekday``, ``shift``,
        ``need_rate`` (posterior mean: weighted encounters per presence-hour, or per
        visit for garages; ``need_unit`` says which), ``need_sd``, ``need_low`` and
        ``need_high`` (90 % interval), ``need_weeks``, ``area_rate`` (the area's
        own shrunk rate), ``shrinkage`` (weight of the area rate, 0–1),
        ``exposure`` and ``weighted_encounters`` (recency-weighted sums),
        ``presence_hours`` (unweighted, all history weeks), ``recent_minutes`` and
        ``recent_visits`` (mean week of the latest :data:`ACTUAL_WEEKS` history weeks),
        ``seasonal_factor`` and ``value_per_visit`` (expected weighted
        encounters of one planned visit: the rate × the planned stay for streets,
        the rate for garages).
    week
        The planned ISO week (label).
    history_weeks
        Mondays of the history weeks used, oldest first.
    seasonal
        :class:`Seasonal` per kind of area.
    slot_variation
        The estimated ``1/κ`` per kind of area (0 = no variation between slots beyond chance).
    """

    table: pd.DataFrame
    week: str
    history_weeks: tuple[dt.date, ...]
    seasonal: dict[str, Seasonal]
    slot_variation: dict[str, float]


def estimate_need(history: History, *, target: dt.date, areas: pd.DataFrame, config: PlanningConfig) -> NeedEstimate:
    """Need of every area in ``areas`` for the week starting ``target`` (a Monday).

    ``areas`` has ``area_id`` and ``area_kind`` (``street``/``garage``);
    ``history`` must cover the weeks before ``target`` (and, for a seasonal
    factor, a year and the history window more). Raises PlanningError when the
    team has no patrols in any week before ``target``.
    """
    weeks = [w for w in history.weeks_with_patrols() if w < target][-config.history_weeks:]
    if not weeks:
        who = f"team {history.team!r}" if history.team else "any team"
        raise PlanningError(f"no patrols of {who} before week {week_label(target)} in the store: "
                            "nothing to estimate need from; import tracks or plan a later week")
    age = {w: len(weeks) - 1 - i for i, w in enumerate(weeks)}
    weighted = history.weighted_cells(config.weights)
    cells = weighted[weighted[WEEK_START].isin(age) & weighted[AREA_ID].isin(areas[AREA_ID])].copy()
    cells["_omega"] = 0.5 ** (cells[WEEK_START].map(age).to_numpy(np.float64) / config.half_life_weeks)
    latest = set(weeks[-ACTUAL_WEEKS:])
    cells["_latest"] = cells[WEEK_START].isin(latest)
    grid = _grid(areas)
    kind_of = areas.set_index(AREA_ID)[KIND_OF_AREA]
    parts, seasonal, variation = [], {}, {}
    for kind in (STREET, GARAGE):
        ids = kind_of.index[kind_of == kind]
        if len(ids) == 0:
            continue
        part = grid[grid[AREA_ID].isin(ids)].copy()
        mine = cells[cells[AREA_ID].isin(ids)]
        exposure = PRESENCE_HOURS if kind == STREET else ACTUAL_VISITS
        part, variation[kind] = _shrunk(part, mine, exposure)
        seasonal[kind] = _seasonal(history, weighted, config, target=target, ids=ids, exposure=exposure)
        part = _with_actual(part, mine, n_weeks=len(latest))
        part[SEASONAL_FACTOR] = seasonal[kind].factor
        for column in (NEED_RATE, NEED_SD, NEED_LOW, NEED_HIGH):
            part[column] *= seasonal[kind].factor
        part[NEED_UNIT] = UNIT_BY_KIND[kind]
        minutes = config.planned_visit_minutes if kind == STREET else None
        part[VALUE_PER_VISIT] = part[NEED_RATE] * (minutes / 60.0 if minutes else 1.0)
        parts.append(part)
    if not parts:
        raise ValueError("areas is empty: there is nothing to estimate need for")
    table = pd.concat(parts, ignore_index=True)
    table = table.sort_values([AREA_ID, WEEKDAY, "_shift"]).drop(columns="_shift").reset_index(drop=True)
    return NeedEstimate(table=table, week=week_label(target), history_weeks=tuple(weeks), seasonal=seasonal,
                        slot_variation=variation)


# --- the two levels of shrinkage -----------------------------------------------------------------
def _shrunk(grid: pd.DataFrame, cells: pd.DataFrame, exposure: str) -> tuple[pd.DataFrame, float]:
    """``grid`` (area × weekday × shift) with the posterior need of each slot; and ``1/κ``."""
    omega = cells["_omega"].to_numpy()
    sums = pd.DataFrame({
        "Y": cells[ENCOUNTERS].to_numpy() * omega,
        "Q": cells[ENCOUNTERS_SQ].to_numpy() * omega**2,
        "E": cells[exposure].to_numpy() * omega,
        "seen": (cells[exposure].to_numpy() > 0).astype(np.int64),
        "hours": cells[PRESENCE_HOURS].to_numpy(),
    }, index=pd.MultiIndex.from_frame(cells[[AREA_ID, WEEKDAY, SHIFT]]))
    slot = sums.groupby(level=[0, 1, 2]).sum()
    table = grid.join(slot, on=[AREA_ID, WEEKDAY, SHIFT]).fillna({"Y": 0.0, "Q": 0.0, "E": 0.0, "seen": 0,
                                                                 "hours": 0.0})
    y, q, e = (table[c].to_numpy(np.float64) for c in ("Y", "Q", "E"))
    scale_all = q.sum() / y.sum() if y.sum() > 0 else 1.0

    by_area = table.groupby(AREA_ID, sort=False)[["Y", "Q", "E"]].sum()
    area_mean, area_var = _areas_towards_service(*(by_area[c].to_numpy() for c in ("Y", "Q", "E")), scale_all)
    m = pd.Series(area_mean, index=by_area.index).reindex(table[AREA_ID]).to_numpy()
    m_var = pd.Series(area_var, index=by_area.index).reindex(table[AREA_ID]).to_numpy()

    scale = _scale(y, q, scale_all)
    mu = m * e
    seen = e > 0
    phi = 0.0
    if (mu[seen] ** 2).sum() > 0:
        phi = max(0.0, float((((y - mu) ** 2 - q)[seen]).sum() / (mu[seen] ** 2).sum()))
    mean, var, weight = _slots_towards_area(y, e, scale, m, m_var, phi)
    table[NEED_RATE], table[NEED_SD] = mean, np.sqrt(var)
    table[NEED_LOW], table[NEED_HIGH] = _interval(mean, var)
    table[AREA_RATE], table[SHRINKAGE] = m, weight
    table[EXPOSURE], table[WEIGHTED_ENCOUNTERS] = e, y
    table[NEED_WEEKS] = table["seen"].astype(np.int64)
    table[PRESENCE_HOURS] = table["hours"]
    return table.drop(columns=["Y", "Q", "E", "seen", "hours"]), phi


def _areas_towards_service(y: np.ndarray, q: np.ndarray, e: np.ndarray,
                           scale_all: float) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean and variance of each area's rate (level 1, Marshall's moment estimator)."""
    seen = e > 0
    if not seen.any() or e[seen].sum() == 0:
        return np.full(len(y), np.nan), np.full(len(y), np.nan)
    scale = _scale(y, q, scale_all)
    m0 = y[seen].sum() / e[seen].sum()
    rates = y[seen] / e[seen]
    spread = float((e[seen] * (rates - m0) ** 2).sum() / e[seen].sum())
    between = max(0.0, spread - m0 * scale[seen].mean() / e[seen].mean())
    pooled_var = m0 * scale_all / e[seen].sum()
    if between <= 0 or m0 <= 0:
        return np.full(len(y), m0), np.full(len(y), pooled_var)
    alpha, beta = m0**2 / between, m0 / between
    shape, rate = alpha + y / scale, beta + e / scale
    return shape / rate, shape / rate**2


def _slots_towards_area(y: np.ndarray, e: np.ndarray, scale: np.ndarray, m: np.ndarray, m_var: np.ndarray,
                        phi: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Posterior mean, variance and shrinkage weight of each slot's rate (level 2)."""
    m = np.nan_to_num(m, nan=0.0)
    m_var = np.nan_to_num(m_var, nan=0.0)
    if phi <= 0:
        return m.copy(), m_var.copy(), np.ones(len(m))
    kappa = 1.0 / phi
    with np.errstate(divide="ignore", invalid="ignore"):
        prior_rate = np.where(m > 0, kappa / m, np.inf)
        shape, rate = kappa + y / scale, prior_rate + e / scale
        mean = np.where(m > 0, shape / rate, 0.0)
        weight = np.where(m > 0, prior_rate / rate, 1.0)
        slope = np.where(m > 0, mean * weight / m, 0.0)  # d mean / d m (delta method)
        var = np.where(m > 0, shape / rate**2, 0.0) + slope**2 * m_var
    return mean, var, weight


def _scale(y: np.ndarray, q: np.ndarray, fallback: float) -> np.ndarray:
    """Quasi-Poisson scale of each weighted count (variance / mean); ``fallback`` where there are none."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y > 0, q / np.where(y > 0, y, 1.0), fallback)


def _interval(mean: np.ndarray, var: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """90 % interval of a Gamma with this mean and variance (the mean itself where the variance is 0)."""
    low, high = mean.copy(), mean.copy()
    ok = (var > 0) & (mean > 0)
    shape = mean[ok] ** 2 / var[ok]
    scale = var[ok] / mean[ok]
    low[ok] = stats.gamma.ppf(CREDIBLE_INTERVAL[0], shape, scale=scale)
    high[ok] = stats.gamma.ppf(CREDIBLE_INTERVAL[1], shape, scale=scale)
    return low, high


# --- season and the actual allocation ------------------------------------------------------------
def _seasonal(history: History, weighted: pd.DataFrame, config: PlanningConfig, *, target: dt.date,
              ids: pd.Index, exposure: str) -> Seasonal:
    """Last year's change from the history window to the planned week, shrunk (see module docstring)."""
    year = dt.timedelta(weeks=WEEKS_PER_YEAR)
    base = {target - year - dt.timedelta(weeks=j): 0.5 ** ((j - 1) / config.half_life_weeks)
            for j in range(1, config.history_weeks + 1)}
    window = {target - year + dt.timedelta(weeks=d): 1.0
              for d in range(-SEASON_HALF_WINDOW_WEEKS, SEASON_HALF_WINDOW_WEEKS + 1)}
    known = history.weeks_with_patrols()
    if not config.seasonal:
        return Seasonal(1.0, math.nan, math.nan, "switched_off")
    if not known or known[0] > min(base):
        return Seasonal(1.0, math.nan, math.nan, "short_history")
    cells = weighted[weighted[AREA_ID].isin(ids)]

    def rate(weeks: dict[dt.date, float]) -> tuple[float, float, float]:
        part = cells[cells[WEEK_START].isin(weeks)]
        w = part[WEEK_START].map(weeks).to_numpy(np.float64)
        return ((part[ENCOUNTERS].to_numpy() * w).sum(), (part[ENCOUNTERS_SQ].to_numpy() * w**2).sum(),
                (part[exposure].to_numpy() * w).sum())

    (yb, qb, eb), (yw, qw, ew) = rate(base), rate(window)
    if min(yb, eb, yw, ew) <= 0:
        return Seasonal(1.0, math.nan, math.nan, "no_data")
    raw = (yw / ew) / (yb / eb)
    variance = qw / yw**2 + qb / yb**2
    log_f = math.log(raw)
    keep = max(0.0, 1.0 - variance / log_f**2) if log_f != 0 else 0.0
    return Seasonal(math.exp(keep * log_f), raw, math.sqrt(variance), "applied" if keep > 0 else "within_noise")


def _with_actual(table: pd.DataFrame, cells: pd.DataFrame, *, n_weeks: int) -> pd.DataFrame:
    """Mean presence minutes and recorded visits a week, per slot, over the latest history weeks."""
    latest = cells[cells["_latest"]]
    sums = latest.groupby([AREA_ID, WEEKDAY, SHIFT])[[PRESENCE_HOURS, ACTUAL_VISITS]].sum()
    sums = sums.reindex(pd.MultiIndex.from_frame(table[[AREA_ID, WEEKDAY, SHIFT]])).fillna(0.0)
    table[RECENT_MINUTES] = sums[PRESENCE_HOURS].to_numpy() * 60.0 / max(n_weeks, 1)
    table[RECENT_VISITS] = sums[ACTUAL_VISITS].to_numpy() / max(n_weeks, 1)
    return table


def _grid(areas: pd.DataFrame) -> pd.DataFrame:
    """Every area × weekday × shift (``_shift`` is the shift's order, for sorting)."""
    n = len(areas)
    per_area = 7 * len(SHIFTS)
    return pd.DataFrame({
        AREA_ID: np.repeat(areas[AREA_ID].to_numpy(dtype=object), per_area),
        KIND_OF_AREA: np.repeat(areas[KIND_OF_AREA].to_numpy(dtype=object), per_area),
        WEEKDAY: np.tile(np.repeat(np.arange(7), len(SHIFTS)), n),
        SHIFT: np.tile(np.array(SHIFTS, dtype=object), 7 * n),
        "_shift": np.tile(np.arange(len(SHIFTS)), 7 * n),
    })
