"""What a dashboard query covers (:class:`Filters`) and the period picker's presets.

PRODUCT.md, "Which date counts": the date range selects patrols by **service
day** and encounters by their own **local date**; weekday and hour filters
use the actual Europe/Oslo clock time of each presence hour, visit start or
encounter (a Friday-night patrol's 02:00 presence is Saturday 02:00).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.schema import LOCAL_TZ, AgeGroup, Category, PatrolKind, Shift

# --- period presets ------------------------------------------------------------
THIS_WEEK = "this_week"
LAST_4_WEEKS = "last_4_weeks"
THIS_TERTIAL = "this_tertial"
LAST_YEAR = "last_year"
PRESETS = (THIS_WEEK, LAST_4_WEEKS, THIS_TERTIAL, LAST_YEAR)

TERTIAL_MONTHS = 4
"""Months per tertial (Jan–Apr, May–Aug, Sep–Dec, as Oslo kommune reports)."""

HOURS_PER_DAY = 24
_SEQUENCE_FIELDS = ("teams", "kinds", "shifts", "weekdays", "categories", "age_groups")
_ALLOWED = {
    "kinds": tuple(k.value for k in PatrolKind),
    "shifts": tuple(s.value for s in Shift),
    "categories": tuple(c.value for c in Category),
    "age_groups": tuple(a.value for a in AgeGroup),
    "weekdays": tuple(range(7)),
}


@dataclass(frozen=True, slots=True)
class Filters:
    """Which patrols, presence, visits and encounters a query covers.

    Attributes
    ----------
    first_day, last_day
        Europe/Oslo local dates, both inclusive; None = open end. Patrols (and
        with them their presence and visits) by service day, encounters by
        their local date.
    teams, kinds, shifts
        Patrol filters (None = all). Encounters follow them through their
        patrol; encounters without a patrol are then left out.
    weekdays
        Local weekdays, 0 = Monday, of each presence hour, visit start or
        encounter itself (None = all).
    hour_from, hour_to
        Local clock hours ``[hour_from, hour_to)``, 0–24. ``hour_from >
        hour_to`` wraps past midnight: ``22, 4`` selects 22:00–03:59.
    categories, age_groups, new_contact
        Encounter filters (None = all); they do not limit presence.

    Sequences may be given as lists; they are stored as tuples. An empty
    tuple selects nothing.
    """

    first_day: dt.date | None = None
    last_day: dt.date | None = None
    teams: tuple[str, ...] | None = None
    kinds: tuple[str, ...] | None = None
    shifts: tuple[str, ...] | None = None
    weekdays: tuple[int, ...] | None = None
    hour_from: int = 0
    hour_to: int = HOURS_PER_DAY
    categories: tuple[str, ...] | None = None
    age_groups: tuple[str, ...] | None = None
    new_contact: bool | None = None

    def __post_init__(self) -> None:
        if self.first_day and self.last_day and self.first_day > self.last_day:
            raise ValueError(f"first_day {self.first_day} is after last_day {self.last_day}; swap them")
        for name in _SEQUENCE_FIELDS:
            object.__setattr__(self, name, _as_tuple(name, getattr(self, name)))
        _check_hours(self.hour_from, self.hour_to)
        if self.new_contact is not None and not isinstance(self.new_contact, (bool, np.bool_)):
            raise TypeError(f"new_contact must be True, False or None; got {self.new_contact!r}")

    @property
    def has_clock_filter(self) -> bool:
        """Whether weekday or hour filters limit anything."""
        return self.weekdays is not None or (self.hour_from, self.hour_to) != (0, HOURS_PER_DAY)

    @property
    def has_patrol_filter(self) -> bool:
        """Whether team, kind or shift filters are set (encounters then need a patrol)."""
        return self.teams is not None or self.kinds is not None or self.shifts is not None

    def hours(self) -> np.ndarray:
        """Selected local clock hours (0–23) as a boolean mask of length 24."""
        h = np.arange(HOURS_PER_DAY)
        if self.hour_from < self.hour_to:
            return (h >= self.hour_from) & (h < self.hour_to)
        return (h >= self.hour_from) | (h < self.hour_to)

    def clock_mask(self, hour_utc: np.ndarray | pd.Series) -> np.ndarray:
        """Which UTC hours (epoch seconds of the hour start) pass the weekday/hour filters."""
        hour_utc = np.asarray(hour_utc, dtype=np.int64)
        if not self.has_clock_filter:
            return np.ones(len(hour_utc), dtype=bool)
        weekday, hour = local_clock(hour_utc)
        days = np.zeros(7, dtype=bool)
        days[list(self.weekdays) if self.weekdays is not None else slice(None)] = True
        return days[weekday] & self.hours()[hour]


def local_clock(hour_utc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Europe/Oslo weekday (0 = Monday) and clock hour of each UTC hour.

    ``hour_utc`` is epoch seconds of UTC hour starts. Oslo's offsets are whole
    hours, so each UTC hour is exactly one local clock hour. Converted once
    per distinct hour.
    """
    hour_utc = np.asarray(hour_utc, dtype=np.int64)
    if hour_utc.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    unique, inverse = np.unique(hour_utc, return_inverse=True)
    local = pd.DatetimeIndex(pd.to_datetime(unique, unit="s", utc=True)).tz_convert(LOCAL_TZ)
    return (np.asarray(local.day_of_week, dtype=np.int64)[inverse],
            np.asarray(local.hour, dtype=np.int64)[inverse])


def period_presets(today: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """Date ranges (first, last; inclusive local dates) offered by the period picker.

    - ``this_week``: the ISO week (Monday–Sunday) containing ``today``;
    - ``last_4_weeks``: the 28 days ending with ``today``;
    - ``this_tertial``: from the first day of the tertial containing
      ``today`` (Jan–Apr, May–Aug, Sep–Dec) up to ``today``;
    - ``last_year``: the previous calendar year.
    """
    monday = today - dt.timedelta(days=today.weekday())
    tertial_month = (today.month - 1) // TERTIAL_MONTHS * TERTIAL_MONTHS + 1
    return {
        THIS_WEEK: (monday, monday + dt.timedelta(days=6)),
        LAST_4_WEEKS: (today - dt.timedelta(days=27), today),
        THIS_TERTIAL: (dt.date(today.year, tertial_month, 1), today),
        LAST_YEAR: (dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)),
    }


def comparison_period(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same number of days ending the day before ``first``."""
    if first > last:
        raise ValueError(f"first {first} is after last {last}; swap them")
    length = (last - first).days + 1
    return first - dt.timedelta(days=length), first - dt.timedelta(days=1)


# --- validation helpers ------------------------------------------------------------
def _as_tuple(name: str, value: Iterable | None) -> tuple | None:
    if value is None:
        return None
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a tuple of values, not the single string {value!r}; "
                         f"write ({value!r},)")
    values = tuple(value)
    allowed = _ALLOWED.get(name)
    if allowed is not None:
        bad = [v for v in values if v not in allowed]
        if bad:
            raise ValueError(f"{name}: {bad!r} not allowed; use values from {allowed}")
    return values


def _check_hours(hour_from: int, hour_to: int) -> None:
    if not (isinstance(hour_from, (int, np.integer)) and 0 <= hour_from <= HOURS_PER_DAY - 1):
        raise ValueError(f"hour_from must be a whole hour 0–23; got {hour_from!r}")
    if not (isinstance(hour_to, (int, np.integer)) and 1 <= hour_to <= HOURS_PER_DAY):
        raise ValueError(f"hour_to must be a whole hour 1–24; got {hour_to!r}")
    if hour_from == hour_to:
        raise ValueError(f"hour_from and hour_to are both {hour_from}; use 0 and 24 for the whole day")
