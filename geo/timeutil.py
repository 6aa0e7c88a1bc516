"""Calendar rules: UTC storage, Europe/Oslo calendar, service day, shift, periods.

Every function is vectorised over pandas Series. Inputs and outputs that are
instants are ``datetime64[ns, UTC]``; local calendar values are derived here
and nowhere else (PRODUCT.md, Definitions: Time, Service day, Shift, Periods).

Local times without an offset (as Norwegian Excel writes them) are read as
Europe/Oslo wall-clock time with two documented, deterministic rules:

- *ambiguous* times (the repeated hour 02:00–02:59 on the last Sunday of
  October) are the **first** occurrence, i.e. still summer time (+02:00);
- *non-existent* times (02:00–02:59 on the last Sunday of March, skipped by the
  clocks) are read as winter time (+01:00), i.e. the instant one hour later on
  the new clock (02:30 → 03:30 +02:00), as a clock not yet moved forward means.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from geo.schema import LOCAL_TZ, Shift

NIGHT_END_HOUR = 1
"""A patrol is a *night* patrol if it ends after 01:00 local on the next day."""

EVENING_START_HOUR = 15
"""Otherwise *evening* if it starts at or after 15:00 local, else *day*."""

PERIOD_KINDS = ("week", "month", "tertial", "quarter", "year")


def localize_naive(naive: pd.Series) -> pd.Series:
    """Read naive local wall-clock datetimes as Europe/Oslo; return UTC instants.

    See the module docstring for the DST rules (ambiguous → summer time,
    non-existent → winter time).
    """
    naive = pd.to_datetime(naive)
    local = naive.dt.tz_localize(
        LOCAL_TZ, ambiguous=np.ones(len(naive), dtype=bool), nonexistent=pd.Timedelta(hours=1)
    )
    return local.dt.tz_convert("UTC")


def to_local(utc: pd.Series) -> pd.Series:
    """UTC instants as Europe/Oslo local times (tz-aware)."""
    return utc.dt.tz_convert(LOCAL_TZ)


def local_date(utc: pd.Series) -> pd.Series:
    """Europe/Oslo calendar date of each instant, as ``datetime.date`` objects."""
    return to_local(utc).dt.date


def service_day(start_utc: pd.Series) -> pd.Series:
    """Service day of patrols: the local date each patrol started."""
    return local_date(start_utc)


def shift_of(start_utc: pd.Series, end_utc: pd.Series) -> pd.Series:
    """Shift of each patrol (PRODUCT.md): night, evening or day.

    *night* if the patrol ends after 01:00 local time on the day after its
    service day; otherwise *evening* if it starts at or after 15:00 local;
    otherwise *day*.
    """
    start_local = to_local(start_utc)
    end_local = to_local(end_utc)
    next_day_1am = start_local.dt.normalize().dt.tz_localize(None) + pd.Timedelta(
        days=1, hours=NIGHT_END_HOUR
    )
    is_night = end_local.dt.tz_localize(None) > next_day_1am
    is_evening = start_local.dt.hour >= EVENING_START_HOUR
    out = np.where(is_night, Shift.NIGHT.value, np.where(is_evening, Shift.EVENING.value, Shift.DAY.value))
    return pd.Series(out, index=start_utc.index, name="shift")


def period_label(dates: pd.Series, kind: str) -> pd.Series:
    """Label of the period each local date falls in.

    ``kind`` is one of :data:`PERIOD_KINDS`. Labels sort chronologically:
    ISO week ``2024-W05``, month ``2024-06``, tertial ``2024-T2`` (Jan–Apr,
    May–Aug, Sep–Dec, as Oslo kommune reports), quarter ``2024-Q3``, year
    ``2024``.
    """
    d = pd.to_datetime(pd.Series(dates, copy=False))
    if kind == "week":
        iso = d.dt.isocalendar()
        return iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)
    if kind == "month":
        return d.dt.strftime("%Y-%m")
    if kind == "tertial":
        return d.dt.year.astype(str) + "-T" + ((d.dt.month - 1) // 4 + 1).astype(str)
    if kind == "quarter":
        return d.dt.year.astype(str) + "-Q" + d.dt.quarter.astype(str)
    if kind == "year":
        return d.dt.year.astype(str)
    raise ValueError(f"period kind must be one of {', '.join(PERIOD_KINDS)}; got {kind!r}")


def parse_date(text: str, *, argument: str = "date") -> dt.date:
    """Parse an ISO date (``2024-06-12``) or a Norwegian one (``12.06.2024``)."""
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{argument}: expected a date like 2024-06-12 or 12.06.2024; got {text!r}")


def local_midnights_utc(days: np.ndarray) -> np.ndarray:
    """UTC epoch seconds (float64) at which each Europe/Oslo local day starts.

    ``days`` counts days since 1970-01-01. An instant ``t`` falls on local day
    ``d`` or later exactly when ``t >= local_midnights_utc(d)``, so validity by
    local date can be checked on UTC seconds without converting every instant.
    Days beyond pandas' range (year 2262) map to ``+inf``, days before it to ``-inf``.
    """
    days = np.asarray(days, dtype=np.int64)
    out = np.empty(days.shape, dtype=np.float64)
    low, high = -106_000, 106_000  # about 1680 and 2260: inside pandas' nanosecond range
    inside = (days > low) & (days < high)
    out[days <= low] = -np.inf
    out[days >= high] = np.inf
    naive = pd.to_datetime(days[inside], unit="D")
    # local midnight always exists and is unambiguous in Oslo: clocks change at 02:00/03:00
    out[inside] = pd.DatetimeIndex(naive).tz_localize(LOCAL_TZ).as_unit("s").asi8.astype(np.float64)
    return out


def local_days(epoch_s: np.ndarray) -> np.ndarray:
    """Europe/Oslo local date of each instant, as days since 1970-01-01.

    ``epoch_s`` is UTC seconds since the epoch (float or int). Vectorised via
    a table of UTC offsets per UTC hour over the span of the input (Oslo's
    offsets change only on whole UTC hours), so the cost is one gather.
    """
    epoch_s = np.asarray(epoch_s, dtype=np.float64)
    if epoch_s.size == 0:
        return np.zeros(0, dtype=np.int64)
    hours = np.floor(epoch_s / 3600.0).astype(np.int64)
    first, last = int(hours.min()), int(hours.max())
    table_utc = pd.DatetimeIndex(pd.to_datetime(np.arange(first, last + 1) * 3600, unit="s", utc=True))
    offset_s = (table_utc.tz_convert(LOCAL_TZ).tz_localize(None) - table_utc.tz_localize(None)).total_seconds()
    local_s = epoch_s + np.asarray(offset_s)[hours - first]
    return np.floor(local_s / 86400.0).astype(np.int64)


# --- calendar periods as (label, first day, last day), for stepping through time ---------------
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
