"""Partial periods: how much of a chosen period the data cover, what to compare it with,
and which calendar periods of a trend are whole.

Issue 14, item 4: "Denne uka" with two days of data compared with a full week
turns every figure red. So:

- :func:`cover_period` says which part of a chosen period has data (the
  store's first to last service day) and whether the period ends past the
  data or inside an ISO week or a month;
- :func:`comparison_for` gives a comparison period of the **same covered
  length at the same place**: the covered days moved back by the whole
  period's length (previous period) or by one year (same period last year),
  so two days of this week are compared with the same two weekdays of last
  week;
- :func:`trend_period_for` chooses a trend's granularity from the period's
  length, and :func:`partial_periods` marks its first/last calendar periods
  that are not whole (as the hot-spot page leaves them out,
  ``geo.timeutil.complete_range``).

Dates are Europe/Oslo local dates, both ends inclusive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from geo.timeutil import FIRST_DAY, LAST_DAY, complete_range, periods_between

PREVIOUS = "previous"
LAST_YEAR = "last_year"
COMPARISON_MODES = (PREVIOUS, LAST_YEAR)

TREND_STEPS = ((56, "week"), (731, "month"), (1827, "quarter"))
"""Trend granularity by period length: weeks up to 8 weeks (56 days), months up to two
years, quarters up to five years, years beyond (the situation picture's rule)."""


@dataclass(frozen=True, slots=True)
class PeriodCoverage:
    """A chosen period and the part of it the data cover.

    ``first``/``last`` are the chosen dates; ``covered`` the days with data
    (None when none); ``ends_past_data``/``starts_before_data`` whether the
    period reaches beyond the data; ``ends_inside_week``/``ends_inside_month``
    whether the covered part stops before its ISO week / month ends (so the
    last week or month of a trend is partial).
    """

    first: dt.date
    last: dt.date
    covered: tuple[dt.date, dt.date] | None
    data_last: dt.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def covered_days(self) -> int:
        return 0 if self.covered is None else (self.covered[1] - self.covered[0]).days + 1

    @property
    def ends_past_data(self) -> bool:
        return self.last > self.data_last

    @property
    def starts_before_data(self) -> bool:
        return self.covered is not None and self.first < self.covered[0]

    @property
    def ends_inside_week(self) -> bool:
        return self.covered is not None and self.covered[1].weekday() != 6

    @property
    def ends_inside_month(self) -> bool:
        return self.covered is not None and (self.covered[1] + dt.timedelta(days=1)).day != 1

    @property
    def is_partial(self) -> bool:
        """Whether the figures describe less than the chosen period."""
        return self.covered_days < self.days


def cover_period(first: dt.date, last: dt.date, data_first: dt.date, data_last: dt.date) -> PeriodCoverage:
    """Which part of [``first``, ``last``] lies within the data's [``data_first``, ``data_last``]."""
    if first > last:
        raise ValueError(f"first {first} is after last {last}; swap them")
    lo, hi = max(first, data_first), min(last, data_last)
    return PeriodCoverage(first=first, last=last, covered=(lo, hi) if lo <= hi else None, data_last=data_last)


def comparison_for(coverage: PeriodCoverage, mode: str) -> tuple[dt.date, dt.date] | None:
    """The comparison period for ``coverage``'s covered days (None without any).

    ``previous``: the covered days moved back by the chosen period's length
    (the whole period just before, as far as this one has data);
    ``last_year``: the covered days one year earlier (29 February → 28th).
    Both have exactly as many days as are covered.
    """
    if mode not in COMPARISON_MODES:
        raise ValueError(f"mode must be one of {', '.join(COMPARISON_MODES)}; got {mode!r}")
    if coverage.covered is None:
        return None
    lo, hi = coverage.covered
    if mode == PREVIOUS:
        shift = dt.timedelta(days=coverage.days)
        return lo - shift, hi - shift
    start = _year_before(lo)
    return start, start + (hi - lo)


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def trend_period_for(first: dt.date, last: dt.date) -> str:
    """Granularity of a trend over [first, last] (:data:`TREND_STEPS`)."""
    days = (last - first).days + 1
    for limit, kind in TREND_STEPS:
        if days <= limit:
            return kind
    return "year"


def partial_periods(first: dt.date, last: dt.date, kind: str) -> pd.DataFrame:
    """The calendar periods of ``kind`` touching [first, last], with ``partial``: not wholly inside.

    Columns ``period`` (label), ``first_day``, ``last_day`` (the whole period's
    days, clipped to the range) and ``partial`` (bool): the first period when
    the range starts after its first day, the last when the range ends before
    its last day.
    """
    table = periods_between(first, last, kind)
    whole = complete_range(first, last, kind)
    if whole is None:
        return table.assign(partial=True)
    return table.assign(partial=(table[FIRST_DAY] < whole[0]) | (table[LAST_DAY] > whole[1]))
