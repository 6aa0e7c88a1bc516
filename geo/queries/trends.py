"""When and how much: encounter trends, the time-of-week profile, need vs effort."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from geo.engine.cells import DEFAULT_RESOLUTION, check_resolution
from geo.queries import aggregate_reads
from geo.queries.columns import (
    DIFFERENCE,
    ENCOUNTER_SHARE,
    ENCOUNTERS,
    ENCOUNTERS_PER_PRESENCE_HOUR,
    HOUR,
    KEY,
    MINUTES_PER_ENCOUNTER,
    PARTIAL,
    PERIOD,
    PRESENCE_HOURS,
    PRESENCE_MINUTES,
    PRESENCE_SHARE,
    RATE_HIGH,
    RATE_LOW,
    STATUS,
    UNDER_COVERED,
    WEEKDAY,
)
from geo.queries.filters import HOURS_PER_DAY, Filters, local_clock
from geo.queries.places import area_versions, hex_cells, latest_valid_between, of_teams
from geo.queries.periods import partial_periods
from geo.queries.rates import MIN_PRESENCE_HOURS, RateStatus, check_min_presence, encounter_rates
from geo.schema import (
    AREA_ID,
    CATEGORY,
    CELL,
    HOUR_UTC,
    LOCAL_DATE,
    RES,
    T_PRESENCE_AREA,
    T_PRESENCE_CELL,
    T_PRESENCE_TOTAL,
    Category,
)
from geo.store.base import Store
from geo.timeutil import PERIOD_KINDS, period_label

EFFORT_BY = ("area", "cell")

DEFAULT_MIN_ENCOUNTERS = 5
"""Fewest (weighted) encounters for a place to be judged under-covered at all."""

UNDER_COVERED_QUANTILE = 0.25
"""Without an explicit ``max_minutes_per_encounter``, the threshold is this
quantile of minutes of presence per encounter among the places with enough
encounters and enough presence: the quarter with the least presence per
encounter (equivalently the top quarter of encounters per presence hour) is
flagged."""

DEFAULT_CATEGORY_WEIGHT = 1.0
"""Weight of a category missing from ``weights``."""


def encounter_trend(store: Store, filters: Filters, *, period: str = "month") -> pd.DataFrame:
    """Selected encounters per period and category (long format).

    ``period`` is one of ``week``, ``month``, ``tertial``, ``quarter``,
    ``year``; periods by the encounter's local date. Every period touching
    the date range (from the first to the last encounter when the range is
    open) × every category (those in ``filters.categories``, else all) is a
    row, zeros included. Columns: ``period``, ``category``, ``encounters``,
    ``partial`` (the period is only partly inside the range: its count is not
    comparable with whole periods'); sorted by period, then category in
    :class:`~geo.schema.Category` order.
    """
    if period not in PERIOD_KINDS:
        raise ValueError(f"period must be one of {', '.join(PERIOD_KINDS)}; got {period!r}")
    frame = aggregate_reads.encounters(store, filters, keys={LOCAL_DATE: f"e.{LOCAL_DATE}", CATEGORY: f"e.{CATEGORY}"})
    days = pd.to_datetime(frame[LOCAL_DATE])
    first = pd.Timestamp(filters.first_day) if filters.first_day else days.min()
    last = pd.Timestamp(filters.last_day) if filters.last_day else days.max()
    categories = list(filters.categories) if filters.categories is not None else [c.value for c in Category]
    if pd.isna(first) or pd.isna(last) or first > last:
        return pd.DataFrame({PERIOD: pd.Series([], dtype=object), CATEGORY: pd.Series([], dtype=object),
                             ENCOUNTERS: pd.Series([], dtype=np.int64), PARTIAL: pd.Series([], dtype=bool)})
    periods = partial_periods(first.date(), last.date(), period)
    labels = periods[PERIOD].to_numpy()
    frame[PERIOD] = period_label(days, period).to_numpy() if len(frame) else []
    counts = frame.groupby([PERIOD, CATEGORY])[ENCOUNTERS].sum()
    grid = pd.MultiIndex.from_product([labels, categories], names=[PERIOD, CATEGORY])
    out = counts.reindex(grid, fill_value=0.0).astype(np.int64).rename(ENCOUNTERS).reset_index()
    out[PARTIAL] = out[PERIOD].map(dict(zip(periods[PERIOD], periods[PARTIAL]))).astype(bool)
    return out


def time_of_week(store: Store, filters: Filters) -> pd.DataFrame:
    """Presence and encounters by local weekday and clock hour (168 rows).

    Presence (anywhere, patrol-minutes) is placed by the local clock hour its
    UTC hour bucket falls in; encounters by their local time. A Friday-night
    patrol's 02:00 presence is Saturday (weekday 5) hour 2, though its service
    day is Friday. In October the repeated 02:00 hour adds both UTC hours to
    hour 2; in March hour 2 does not exist on that Sunday.

    Columns: ``weekday`` (0 = Monday), ``hour`` (0–23), ``presence_minutes``,
    ``encounters``, ``presence_share`` and ``encounter_share`` (of the totals
    over all 168 slots; NaN when the total is 0) and ``difference``
    (encounter_share − presence_share: positive where people are met more
    often than patrols are present).
    """
    presence = aggregate_reads.presence(store, filters, table=T_PRESENCE_TOTAL, keys={}, by_hour=True)
    encounters = aggregate_reads.encounters(store, filters, keys={}, by_hour=True)
    grid = pd.MultiIndex.from_product([range(7), range(HOURS_PER_DAY)], names=[WEEKDAY, HOUR])
    minutes = _by_slot(presence[HOUR_UTC], presence[aggregate_reads.SECONDS] / 60.0, grid)
    counts = _by_slot(encounters[HOUR_UTC], encounters[ENCOUNTERS], grid)
    out = pd.DataFrame({PRESENCE_MINUTES: minutes, ENCOUNTERS: counts.astype(np.int64)}, index=grid).reset_index()
    out[PRESENCE_SHARE] = _shares(out[PRESENCE_MINUTES])
    out[ENCOUNTER_SHARE] = _shares(out[ENCOUNTERS])
    out[DIFFERENCE] = out[ENCOUNTER_SHARE] - out[PRESENCE_SHARE]
    return out


def effort_vs_need(
    store: Store,
    filters: Filters,
    *,
    by: str = "area",
    res: int = DEFAULT_RESOLUTION,
    weights: Mapping[str, float] | None = None,
    min_encounters: float = DEFAULT_MIN_ENCOUNTERS,
    min_presence_hours: float = MIN_PRESENCE_HOURS,
    max_minutes_per_encounter: float | None = None,
) -> pd.DataFrame:
    """Need (encounters) against effort (presence) per field area or H3 cell.

    Parameters
    ----------
    by
        ``"area"`` (every area valid in the date range, and any other with
        presence or encounters; encounters outside every area are left out)
        or ``"cell"`` (H3 cells at ``res`` with presence or encounters).
    weights
        Optional weight per category (e.g. ``{"acute_help": 3}``); categories
        not listed weigh :data:`DEFAULT_CATEGORY_WEIGHT`.
    min_encounters
        A place needs at least this many (weighted) encounters to be flagged.
    min_presence_hours
        A place needs at least this much presence (patrol-hours) for its rate
        to be shown and for it to be flagged (:data:`~geo.queries.rates.MIN_PRESENCE_HOURS`).
    max_minutes_per_encounter
        A place with enough encounters and presence is *under-covered* when
        its presence per (weighted) encounter is at most this many
        patrol-minutes, i.e. its rate is at least ``60 / max_minutes_per_encounter``
        encounters per presence hour. None (default): the
        :data:`UNDER_COVERED_QUANTILE` quantile of that figure over those
        places (a relative rule that works alike for areas and cells).

    Returns
    -------
    DataFrame with ``key`` (area_id or hex cell), ``encounters`` (weighted),
    ``presence_hours`` (presence in the place, patrol-hours; not shift length),
    ``encounters_per_presence_hour`` with its Poisson 90 % interval
    ``rate_low``–``rate_high`` (all NaN below ``min_presence_hours``),
    ``minutes_per_encounter`` (presence minutes per weighted encounter; inf
    without encounters), ``status`` (a :class:`~geo.queries.rates.RateStatus`
    value) and ``under_covered`` (bool); sorted by the rate, highest first,
    places without a rate last. ``result.attrs`` holds the rule:
    ``min_encounters``, ``min_presence_hours``, ``max_minutes_per_encounter``
    and ``min_rate`` (its rate form; NaN when no place qualifies).
    """
    weight_of = _check_effort_args(by, weights, min_encounters, max_minutes_per_encounter)
    min_presence_hours = check_min_presence(min_presence_hours)
    if by == "area":
        presence = aggregate_reads.presence(store, filters, table=T_PRESENCE_AREA, keys={KEY: f"d.{AREA_ID}"})
        need = aggregate_reads.encounters(store, filters, keys={KEY: f"ea.{AREA_ID}", CATEGORY: f"e.{CATEGORY}"},
                                 in_areas=True)
        listed = of_teams(latest_valid_between(area_versions(store), filters.first_day, filters.last_day),
                          filters.teams)[AREA_ID].tolist()
    else:
        check_resolution(res)
        presence = aggregate_reads.presence(store, filters, table=T_PRESENCE_CELL, keys={KEY: f"d.{CELL}"},
                                   where=[f"d.{RES} = ?"], params=[res])
        need = aggregate_reads.encounters(store, filters, keys={KEY: f"e.cell_{res}", CATEGORY: f"e.{CATEGORY}"})
        listed = []
    need = need[need[KEY].notna()]
    if by == "cell":
        need = need.astype({KEY: np.int64})
    weighted = (need[ENCOUNTERS] * need[CATEGORY].map(weight_of).fillna(DEFAULT_CATEGORY_WEIGHT)).groupby(need[KEY]).sum()
    hours = presence.set_index(KEY)[aggregate_reads.SECONDS] / 3600.0
    table = pd.concat([weighted.rename(ENCOUNTERS), hours.rename(PRESENCE_HOURS)], axis=1, join="outer")
    if listed:
        table = table.reindex(table.index.union(pd.Index(listed, dtype=object)))
    table = table.astype(np.float64).fillna(0.0)
    table.index.name = KEY
    table = table.reset_index()
    enc, hrs = table[ENCOUNTERS].to_numpy(), table[PRESENCE_HOURS].to_numpy()
    table[ENCOUNTERS_PER_PRESENCE_HOUR], table[RATE_LOW], table[RATE_HIGH] = encounter_rates(
        enc, hrs, min_presence_hours=min_presence_hours)
    with np.errstate(divide="ignore", invalid="ignore"):
        table[MINUTES_PER_ENCOUNTER] = np.where(enc > 0, hrs * 60.0 / enc, np.inf)
    enough_presence = hrs >= min_presence_hours
    eligible = enough_presence & (enc >= min_encounters)
    threshold = _threshold(table.loc[eligible, MINUTES_PER_ENCOUNTER], max_minutes_per_encounter)
    table[UNDER_COVERED] = eligible & (table[MINUTES_PER_ENCOUNTER] <= threshold).to_numpy()
    table[STATUS] = np.select(
        [~enough_presence, enc < min_encounters, table[UNDER_COVERED].to_numpy()],
        [RateStatus.TOO_LITTLE_PRESENCE.value, RateStatus.FEW_ENCOUNTERS.value, RateStatus.UNDER_COVERED.value],
        RateStatus.NOT_FLAGGED.value,
    )
    if by == "cell":
        table[KEY] = hex_cells(table[KEY])
    table = table.sort_values([ENCOUNTERS_PER_PRESENCE_HOUR, KEY], ascending=[False, True], na_position="last")
    table = table.reset_index(drop=True)[[KEY, ENCOUNTERS, PRESENCE_HOURS, ENCOUNTERS_PER_PRESENCE_HOUR, RATE_LOW,
                                          RATE_HIGH, MINUTES_PER_ENCOUNTER, STATUS, UNDER_COVERED]]
    table.attrs["max_minutes_per_encounter"] = threshold
    table.attrs["min_rate"] = 60.0 / threshold if threshold and math.isfinite(threshold) else math.nan
    table.attrs["min_encounters"] = float(min_encounters)
    table.attrs["min_presence_hours"] = min_presence_hours
    return table


# --- helpers ------------------------------------------------------------------------------------------
def _by_slot(hour_utc: pd.Series, values: pd.Series, grid: pd.MultiIndex) -> np.ndarray:
    weekday, hour = local_clock(hour_utc.to_numpy(np.int64))
    slot = weekday * HOURS_PER_DAY + hour
    return np.bincount(slot, weights=values.to_numpy(np.float64), minlength=len(grid))


def _shares(values: pd.Series) -> pd.Series:
    total = values.sum()
    return values / total if total > 0 else pd.Series(np.nan, index=values.index)


def _threshold(minutes_per_encounter: pd.Series, explicit: float | None) -> float:
    if explicit is not None:
        return float(explicit)
    if minutes_per_encounter.empty:
        return math.nan
    return float(np.quantile(minutes_per_encounter.to_numpy(np.float64), UNDER_COVERED_QUANTILE))


def _check_effort_args(by: str, weights: Mapping[str, float] | None, min_encounters: float,
                       max_minutes_per_encounter: float | None) -> dict[str, float]:
    if by not in EFFORT_BY:
        raise ValueError(f"by must be one of {', '.join(EFFORT_BY)}; got {by!r}")
    if not (isinstance(min_encounters, (int, float)) and min_encounters >= 1):
        raise ValueError(f"min_encounters must be a number of at least 1; got {min_encounters!r}")
    if max_minutes_per_encounter is not None and not (
        isinstance(max_minutes_per_encounter, (int, float)) and max_minutes_per_encounter > 0
    ):
        raise ValueError(f"max_minutes_per_encounter must be a positive number of minutes or None; "
                         f"got {max_minutes_per_encounter!r}")
    weights = dict(weights or {})
    allowed = {c.value for c in Category}
    unknown = sorted(set(weights) - allowed)
    if unknown:
        raise ValueError(f"weights: unknown categories {unknown}; use {sorted(allowed)}")
    bad = {k: v for k, v in weights.items() if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0)}
    if bad:
        raise ValueError(f"weights must be finite numbers ≥ 0; got {bad}")
    return {k: float(v) for k, v in weights.items()}
