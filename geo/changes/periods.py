"""Calendar periods as (label, first day, last day), for stepping through time.

Labels are exactly those of :func:`geo.timeutil.period_label` (``2024-W05``,
``2024-06``, ``2024-T2``, ``2024-Q3``, ``2024``); days are Europe/Oslo local
dates, both inclusive.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from geo.timeutil import PERIOD_KINDS, period_label

LABEL = "period"
FIRST_DAY = "first_day"
LAST_DAY = "last_day"


def periods_between(first_day: dt.date, last_day: dt.date, kind: str) -> pd.DataFrame:
    """Every period of ``kind`` that overlaps [first_day, last_day], in order.

    Columns ``period`` (label), ``first_day`` and ``last_day``: the period's
    own first and last day, clipped to the range (so a partial first or last
    period covers only days inside it).
    """
    if kind not in PERIOD_KINDS:
        raise ValueError(f"period kind must be one of {', '.join(PERIOD_KINDS)}; got {kind!r}")
    if first_day > last_day:
        raise ValueError(f"first_day {first_day} is after last_day {last_day}; swap them")
    days = pd.Series(pd.date_range(first_day, last_day, freq="D").date)
    labels = period_label(days, kind)
    grouped = pd.DataFrame({LABEL: labels, "day": days}).groupby(LABEL, sort=False)["day"]
    table = pd.DataFrame({FIRST_DAY: grouped.min(), LAST_DAY: grouped.max()}).reset_index()
    return table.sort_values(FIRST_DAY).reset_index(drop=True)


def complete_range(first_day: dt.date, last_day: dt.date, kind: str) -> tuple[dt.date, dt.date] | None:
    """[first_day, last_day] shrunk to whole periods of ``kind``; None when no whole period fits.

    ``first_day`` moves forward to the start of the next period unless a
    period starts on it; ``last_day`` moves back to the end of the previous
    period unless a period ends on it.
    """
    one = dt.timedelta(days=1)
    (first_label, before_first, last_label, after_last) = period_label(
        pd.Series([first_day, first_day - one, last_day, last_day + one]), kind).tolist()
    table = periods_between(first_day, last_day, kind)
    if first_label == before_first:  # first_day is inside its period: start with the next one
        table = table.iloc[1:]
    if last_label == after_last:  # last_day is inside its period: end with the one before
        table = table.iloc[:-1]
    if table.empty:
        return None
    return table[FIRST_DAY].iloc[0], table[LAST_DAY].iloc[-1]


def period_bounds(label: str, kind: str, *, within: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date]:
    """First and last day of the period ``label`` of ``kind``, clipped to ``within``."""
    table = periods_between(*within, kind).set_index(LABEL)
    if label not in table.index:
        raise ValueError(f"period {label!r} ({kind}) is not inside {within[0]}–{within[1]}; "
                         f"choose one of {', '.join(table.index[:6])}{'…' if len(table) > 6 else ''}")
    return table.at[label, FIRST_DAY], table.at[label, LAST_DAY]
