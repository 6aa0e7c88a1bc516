"""What may be exported for a partner forum, so that no two exports can be subtracted.

Suppression protects the numbers of one export. Two exports whose encounters
overlap without being equal could be subtracted: a week and the same week plus
one day give that day; all teams minus one team gives the others. So a partner
situation picture

- covers exactly **one whole calendar period** of the kind the presets file
  names (``settings.partner_period``: ISO week, month, tertial, quarter or
  year; one kind for all presets, since a week can straddle two months and a
  month lies inside a tertial), and that period **has ended** (an export
  during the period and one after it would differ by the days between);
- compares with **another whole period of the same kind** (or none), shown
  exactly as that period's own export shows it;
- covers **all teams** (a team's picture minus the whole is the other teams);
- uses **one k per period**: the export log decides (the same period with
  k = 5 and k = 6 gives two suppression patterns that can be combined).

Any two allowed exports of a preset are then of the same period and k (the
same numbers, as long as the data have not changed) or of periods with no
day in common, whose encounters are disjoint and cannot be subtracted.
:func:`check_request` raises :class:`PartnerRequestError` naming what is
allowed and the nearest whole period.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd

from geo.errors import FeltkartError
from geo.report.presets import PARTNER_PERIOD_KINDS, Preset
from geo.schema import LOCAL_TZ
from geo.store.base import Store
from geo.timeutil import FIRST_DAY, LABEL, LAST_DAY, period_label, periods_between

KIND_EN = {"week": "ISO week", "month": "month", "tertial": "tertial", "quarter": "quarter", "year": "year"}


class PartnerRequestError(FeltkartError):
    """A partner export that could be combined with another one: the wrong period, a team slice, another k."""


def today_local() -> dt.date:
    """Today's date in Europe/Oslo."""
    return dt.datetime.now(ZoneInfo(LOCAL_TZ)).date()


def whole_period(first_day: dt.date, last_day: dt.date, kind: str) -> str | None:
    """The label of the period of ``kind`` that is exactly [first_day, last_day], or None."""
    table = _periods(first_day, last_day, kind)
    if len(table) != 1:
        return None
    label = table[LABEL].iloc[0]
    full_first, full_last = period_range(label, kind)
    return label if (full_first, full_last) == (first_day, last_day) else None


def period_range(label: str, kind: str) -> tuple[dt.date, dt.date]:
    """First and last day of the whole period ``label`` of ``kind``."""
    return _full_bounds(label, kind)


def nearest_period(first_day: dt.date, last_day: dt.date, kind: str, *, today: dt.date) -> tuple[str, dt.date, dt.date]:
    """The ended whole period of ``kind`` sharing most days with [first_day, last_day]
    (the earlier one on a tie; the last ended one when none overlaps)."""
    table = _periods(first_day, last_day, kind)
    best = None
    for label, lo, hi in zip(table[LABEL], table[FIRST_DAY], table[LAST_DAY]):
        full = _full_bounds(label, kind)
        if full[1] >= today:
            continue
        overlap = (hi - lo).days + 1
        if best is None or overlap > best[0]:
            best = (overlap, label, *full)
    if best is not None:
        return best[1], best[2], best[3]
    return last_ended(kind, today=min(today, last_day + dt.timedelta(days=1)))


def last_ended(kind: str, *, today: dt.date) -> tuple[str, dt.date, dt.date]:
    """The last whole period of ``kind`` that ended before ``today``."""
    yesterday = today - dt.timedelta(days=1)
    label = period_label(pd.Series([yesterday]), kind).iloc[0]
    first, last = _full_bounds(label, kind)
    if last > yesterday:  # yesterday's period is still running: take the one before
        label = period_label(pd.Series([first - dt.timedelta(days=1)]), kind).iloc[0]
        first, last = _full_bounds(label, kind)
    return label, first, last


COMPARISONS = ("previous", "last_year", "none")
"""How a partner picture's comparison period is chosen: the period before, the same period a year
earlier (a whole period of the same kind), or none."""


def ended_periods(first_day: dt.date, last_day: dt.date, kind: str, *, today: dt.date) -> pd.DataFrame:
    """Every whole period of ``kind`` inside [first_day, last_day] that ended before ``today``, newest
    first: columns ``period`` (label), ``first_day``, ``last_day``. What a partner may be shown."""
    table = _periods(first_day, last_day, kind)
    bounds = [_full_bounds(label, kind) for label in table[LABEL]]
    whole = [(lo, hi) == (a, b) and hi < today for (lo, hi), a, b in zip(bounds, table[FIRST_DAY], table[LAST_DAY])]
    return table[whole].iloc[::-1].reset_index(drop=True)


def comparison_of(label: str, kind: str, mode: str) -> tuple[dt.date, dt.date] | None:
    """The comparison period of the whole period ``label`` (:data:`COMPARISONS`): itself a whole period of
    ``kind``, so a partner's comparison can always be exported too."""
    if mode not in COMPARISONS:
        raise ValueError(f"comparison must be one of {', '.join(COMPARISONS)}; got {mode!r}")
    if mode == "none":
        return None
    first, _ = _full_bounds(label, kind)
    if mode == "previous":
        day = first - dt.timedelta(days=1)
    elif kind == "week":  # the ISO week with the same number a year earlier (or the year's last one)
        year, week = (int(v) for v in label.split("-W"))
        weeks = dt.date(year - 1, 12, 28).isocalendar().week
        day = dt.date.fromisocalendar(year - 1, min(week, weeks), 1)
    else:
        day = first.replace(year=first.year - 1)
    return _full_bounds(period_label(pd.Series([day]), kind).iloc[0], kind)


def check_request(store: Store, preset: Preset, *, first_day: dt.date, last_day: dt.date,
                  compare_first: dt.date | None, compare_last: dt.date | None, k: int,
                  teams: tuple[str, ...] | None, kind: str, today: dt.date | None = None) -> None:
    """Refuse (:class:`PartnerRequestError`) a partner export that another export could be subtracted from."""
    if kind not in PARTNER_PERIOD_KINDS:
        raise ValueError(f"partner period kind must be one of {', '.join(PARTNER_PERIOD_KINDS)}; got {kind!r}")
    today = today or today_local()
    if teams is not None:
        raise PartnerRequestError(
            f"a partner situation picture covers all teams; got team {', '.join(teams)}. A one-team picture "
            "could be subtracted from the all-teams one (the difference is the other teams). Choose all teams, "
            "or give that team's forum a preset of its field areas in config/presets.toml.")
    _check_period("the period", first_day, last_day, kind, today)
    if compare_first is not None:
        _check_period("the comparison period", compare_first, compare_last, kind, today)
        if (compare_first, compare_last) == (first_day, last_day):
            raise PartnerRequestError("the comparison period is the period itself; choose an earlier one")
    _check_k_as_before(store, preset, [(first_day, last_day), (compare_first, compare_last)], k)


def _check_period(what: str, first: dt.date, last: dt.date, kind: str, today: dt.date) -> None:
    name = KIND_EN[kind]
    label = whole_period(first, last, kind)
    if label is None:
        near, lo, hi = nearest_period(first, last, kind, today=today)
        raise PartnerRequestError(
            f"{what} of a partner situation picture must be one whole {name} (settings.partner_period in "
            f"config/presets.toml: week, month, tertial, quarter or year), so that two exports never overlap "
            f"in part; {first}–{last} is not. Nearest whole {name}: {near} ({lo}–{hi}).")
    if last >= today:
        near, lo, hi = last_ended(kind, today=today)
        raise PartnerRequestError(
            f"{what}, {name} {label} ({first}–{last}), has not ended (today is {today}); an export now and one "
            f"after it ends could be subtracted into the days between. Last whole {name}: {near} ({lo}–{hi}).")


def _check_k_as_before(store: Store, preset: Preset, periods: list[tuple[dt.date | None, dt.date | None]],
                       k: int) -> None:
    log = store.exports()
    if log.empty:
        return
    log = log[log["preset"] == preset.key]
    for first, last in periods:
        if first is None:
            continue
        span = (first.isoformat(), last.isoformat())
        for _, row in log.iterrows():
            earlier = {(row["first_day"], row["last_day"]), (row["compare_first"], row["compare_last"])}
            if span in earlier and int(row["k"]) != int(k):
                raise PartnerRequestError(
                    f"{preset.name} for {first}–{last} was exported with k = {int(row['k'])} "
                    f"({row['time_utc']}); two exports of one period with different k hide different cells and "
                    f"can be combined. Use k = {int(row['k'])}.")


def _periods(first: dt.date, last: dt.date, kind: str) -> pd.DataFrame:
    if first > last:
        raise ValueError(f"the period starts {first} after it ends {last}; swap them")
    return periods_between(first, last, kind)


def _full_bounds(label: str, kind: str) -> tuple[dt.date, dt.date]:
    """First and last day of period ``label`` (unclipped)."""
    if kind == "week":
        year, week = label.split("-W")
        first = dt.date.fromisocalendar(int(year), int(week), 1)
        return first, first + dt.timedelta(days=6)
    if kind == "year":
        return dt.date(int(label), 1, 1), dt.date(int(label), 12, 31)
    if kind == "month":
        year, month = (int(v) for v in label.split("-"))
        first_month, months = month, 1
    elif kind == "tertial":
        year, t = label.split("-T")
        year, first_month, months = int(year), (int(t) - 1) * 4 + 1, 4
    else:  # quarter
        year, q = label.split("-Q")
        year, first_month, months = int(year), (int(q) - 1) * 3 + 1, 3
    first = dt.date(year, first_month, 1)
    after = first_month + months
    end = dt.date(year + (after - 1) // 12, (after - 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return first, end
