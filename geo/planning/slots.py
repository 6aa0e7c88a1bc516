"""The planning grid: ISO weeks and weekday × shift slots.

Planning is per patrol shift, so a slot is keyed by the **service day's**
weekday (PRODUCT.md, *Service day*: the local date the patrol started) and the
patrol's shift: all of a Friday 22:00–04:00 night patrol, including its 02:00
presence on Saturday's clock, is planned and counted as *Friday, night*. This
differs on purpose from the hour × weekday views (*Tid på uka*), which place
presence by the local clock of each hour: a plan is a list of patrols to send
out, and a patrol belongs to the day it starts.

Weekdays are 0 = Monday … 6 = Sunday; shifts are :class:`geo.schema.Shift`
values. Weeks are ISO 8601 weeks (Monday–Sunday, Europe/Oslo local dates),
labelled ``2024-W07`` as :func:`geo.timeutil.period_label` writes them.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from geo.schema import Shift
from geo.timeutil import period_label

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""Weekday keys of ``config/planning.toml``, index = weekday number (0 = Monday)."""

SHIFTS = tuple(s.value for s in Shift)
"""Shifts in planning order (day, evening, night)."""

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(text: str) -> dt.date:
    """The Monday of ISO week ``text`` (``2024-W07``); ValueError naming the format otherwise."""
    match = _WEEK.match(str(text).strip())
    if match is None:
        raise ValueError(f"week must be an ISO week like 2024-W07; got {text!r}")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        return dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        last = dt.date(year, 12, 28).isocalendar().week
        raise ValueError(f"week {text!r} does not exist: {year} has ISO weeks 1–{last}") from None


def week_label(day: dt.date) -> str:
    """ISO week label (``2024-W07``) of the week containing ``day``."""
    return str(period_label(pd.Series([day]), "week").iloc[0])


def week_days(monday: dt.date) -> tuple[dt.date, dt.date]:
    """First (Monday) and last (Sunday) local date of the week starting on ``monday``."""
    if monday.weekday() != 0:
        raise ValueError(f"a planning week starts on a Monday; got {monday} ({WEEKDAY_NAMES[monday.weekday()]})")
    return monday, monday + dt.timedelta(days=6)


def week_monday(day: dt.date) -> dt.date:
    """Monday of the ISO week containing ``day``."""
    return day - dt.timedelta(days=day.weekday())


def shift_order(shifts: pd.Series) -> pd.Series:
    """Position of each shift in :data:`SHIFTS` (for sorting day → evening → night)."""
    return shifts.map({s: i for i, s in enumerate(SHIFTS)})
