"""One release: every count a situation picture prints for one preset and period, protected together.

The tables of a report are not independent: the category totals of the
category × age table are the row totals of the trend table, the grand total
is the key figure "registrerte møter", the total of the field-area table, the
total of the time-of-week table and of the new contacts beside it. So all of
them go into one :class:`~geo.report.audit.System` with every equation a
reader can write down:

- category × age: cells, category totals, age totals, grand total;
- trend (category × period): cells with the same category totals; each
  period's column sum (not printed) is the encounters of its days, and the
  weekday totals of the time-of-week table are the same encounters by
  weekday, so the two tables are joined through the encounters per
  (period, weekday), one per calendar day in the range (a partial first or
  last week has only some weekdays);
- time of week (weekday × 4-hour block): cells, weekday totals, grand total;
- field areas: each area's count is the sum of the encounters lying in exactly
  one combination of areas (the overlaps; only combinations that occur, which
  is more than a reader could know, so the audit errs on the safe side), and
  those combinations add up to the distinct total;
- new contacts beside the total (the rest are not new), people met (at least
  one per encounter);
- the places with most encounters (H3 cells): their counts plus the
  encounters elsewhere make the total, and the other cells drawn on the map
  (in classes) hold at least the lower edge of their class each.

:func:`protect_release` then suppresses, audits and re-suppresses
(:func:`~geo.report.audit.secure`) until every hidden count is protected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.report.audit import HIDDEN, LATENT, SHOWN, SMALL, WITHHELD, Auditor, Protection, System, secure
from geo.report.disclosure import (
    Count,
    ProtectedTable,
    Status,
    TableLayout,
    add_table,
    check_k,
)
from geo.queries.periods import trend_period_for
from geo.schema import AGE_GROUP, AREA_ID, CATEGORY, CELL, ENCOUNTER_ID, LOCAL_DATE, PEOPLE
from geo.timeutil import period_label

BLOCK_HOURS = 4
"""Width of the time-of-week blocks, hours (00–04, 04–08, … 20–24)."""

BLOCKS = tuple(f"{h:02d}–{h + BLOCK_HOURS:02d}" for h in range(0, 24, BLOCK_HOURS))

TOTAL = "total"
"""Key of the distinct total of encounters, shared by every table of a release."""


@dataclass(frozen=True)
class Counts:
    """The true counts of one release. Never leaves the process; :func:`protect_release` makes it printable.

    ``trend`` is category × period label; ``trend_weekdays`` maps each label to
    the local weekdays (0 = Monday) it has days on inside the range, and
    ``by_day`` counts the encounters per (label, weekday).
    ``areas`` is indexed by area id (``__outside__`` included when listed) and
    ``combinations`` counts the encounters by the exact set of listed areas
    they lie in. ``cells`` are the H3 cells drawn on the map (each with at least
    k encounters), largest first; the first ``top`` are printed with their count.
    """

    first_day: dt.date
    last_day: dt.date
    cat_age: pd.DataFrame
    trend: pd.DataFrame
    trend_period: str
    trend_weekdays: dict[str, tuple[int, ...]]
    by_day: dict[tuple[str, int], int]
    week: pd.DataFrame
    areas: pd.Series
    combinations: dict[frozenset, int]
    total: int
    new_contacts: int
    people: int
    cells: pd.Series
    top: int


@dataclass(frozen=True)
class ProtectedRelease:
    """A release after disclosure control: tables and counts as :class:`Count` objects.

    ``system`` and ``status`` are kept for the audit report (:meth:`intervals`).
    """

    counts: Counts
    k: int
    cat_age: ProtectedTable
    trend: ProtectedTable
    week: ProtectedTable
    areas: ProtectedTable
    total: Count
    new_contacts: Count
    people: Count
    cells: pd.Series
    system: System
    status: np.ndarray
    protection: Protection

    def intervals(self) -> pd.DataFrame:
        """Feasible interval of every suppressed count and small hidden quantity, as the audit sees them.

        Columns ``key``, ``status`` (``small``, ``hidden``, ``withheld``, ``latent``),
        ``lower``, ``upper`` (inf when open above), ``protected`` (bool).
        """
        auditor = Auditor(self.system, self.protection)
        rows = []
        for i in auditor.targets(self.status):
            lo, hi = auditor.interval(int(i), self.status)
            rows.append({"key": self.system.keys[i], "status": _STATUS_NAME[int(self.status[i])], "lower": lo,
                         "upper": hi, "protected": auditor.check(int(i), self.status) is None})
        return pd.DataFrame(rows, columns=["key", "status", "lower", "upper", "protected"])

    @property
    def hidden(self) -> int:
        """Printed counts that are suppressed (``<k``, ``x`` or ``:``)."""
        return int(np.count_nonzero(np.isin(self.status, (SMALL, HIDDEN, WITHHELD))))


_STATUS_NAME = {SMALL: "small", HIDDEN: "hidden", LATENT: "latent", WITHHELD: "withheld"}


# --- counting ------------------------------------------------------------------------------------------------
def trend_period(first: dt.date, last: dt.date) -> str:
    """The trend's granularity: the dashboard's rule (:func:`geo.queries.periods.trend_period_for`)."""
    return trend_period_for(first, last)


def count_release(rows: pd.DataFrame, by_area: pd.DataFrame, area_ids: list[str], *, first_day: dt.date,
                  last_day: dt.date, categories: list[str], ages: list[str], weekday: str, hour: str,
                  new_contacts: str, k: int, top: int) -> Counts:
    """Every count of a release from the preset's encounter rows (see :func:`geo.report.data.encounter_rows`).

    ``area_ids`` are the rows of the field-area table in print order;
    ``weekday`` and ``hour`` name the local clock columns, ``new_contacts`` the
    0/1 column. Cells with at least k encounters are drawn, except that when
    the encounters outside the drawn cells would be 1..k−1, the smallest drawn
    cells are left out until they are not (a map must not say "3 encounters
    elsewhere").
    """
    k = check_k(k)
    period = trend_period(first_day, last_day)
    days = pd.Series(pd.date_range(first_day, last_day, freq="D"))
    labels = period_label(days, period)
    trend_weekdays = {label: tuple(sorted(set(days[labels == label].dt.day_of_week))) for label in pd.unique(labels)}
    row_periods = (period_label(pd.to_datetime(rows[LOCAL_DATE]), period).to_numpy() if len(rows)
                   else np.zeros(0, dtype=object))
    block = (rows[hour] // BLOCK_HOURS).map(dict(enumerate(BLOCKS)))
    areas = by_area[AREA_ID].value_counts().reindex(area_ids, fill_value=0).astype(np.int64)
    combos = by_area.groupby(ENCOUNTER_ID)[AREA_ID].agg(frozenset).value_counts()
    return Counts(
        first_day=first_day,
        last_day=last_day,
        cat_age=crosstab(rows, CATEGORY, categories, AGE_GROUP, ages),
        trend=crosstab(rows.assign(_period=row_periods), CATEGORY, categories, "_period", list(trend_weekdays)),
        trend_period=period,
        trend_weekdays=trend_weekdays,
        by_day={(str(p), int(d)): int(n) for (p, d), n in
                pd.Series(1, index=pd.MultiIndex.from_arrays([row_periods, rows[weekday].to_numpy()])).groupby(
                    level=[0, 1]).sum().items()} if len(rows) else {},
        week=crosstab(rows.assign(_block=block.to_numpy()), weekday, list(range(7)), "_block", list(BLOCKS)),
        areas=areas,
        combinations={combo: int(n) for combo, n in combos.items()},
        total=len(rows),
        new_contacts=int(rows[new_contacts].sum()),
        people=int(rows[PEOPLE].sum()),
        cells=_drawn_cells(rows, k),
        top=top,
    )


def crosstab(rows: pd.DataFrame, row_key: str, row_values: list, col_key: str, col_values: list) -> pd.DataFrame:
    """Counts of ``rows`` by two keys, on exactly the given rows and columns (zeros where none)."""
    table = pd.crosstab(rows[row_key], rows[col_key]) if len(rows) else pd.DataFrame()
    return table.reindex(index=row_values, columns=col_values, fill_value=0).fillna(0).astype(np.int64)


def _drawn_cells(rows: pd.DataFrame, k: int) -> pd.Series:
    counts = rows.loc[rows[CELL] >= 0, CELL].value_counts()
    drawn = counts[counts >= k]
    drawn = drawn.iloc[np.lexsort((drawn.index.to_numpy(), -drawn.to_numpy()))]  # largest first, then by cell
    elsewhere = len(rows) - int(drawn.sum())
    while len(drawn) and 0 < elsewhere < k:
        elsewhere += int(drawn.iloc[-1])
        drawn = drawn.iloc[:-1]
    return drawn.astype(np.int64)


# --- protecting -------------------------------------------------------------------------------------------------
def protect_release(counts: Counts, protection: Protection) -> ProtectedRelease:
    """Suppress and audit every count of ``counts`` together (see the module docstring)."""
    k = check_k(protection.k)
    system = System()
    categories = list(counts.cat_age.index)
    cat_age = add_table(system, "categories", counts.cat_age, row_totals=[("category", c) for c in categories],
                        column_totals=True, grand_total=TOTAL)
    trend = add_table(system, "trend", counts.trend, row_totals=[("category", c) for c in categories],
                      grand_total=TOTAL)
    week = add_table(system, "week", counts.week, row_totals=[("weekday", d) for d in counts.week.index],
                     grand_total=TOTAL)
    _join_trend_and_week(system, counts)
    areas = _add_areas(system, counts)
    system.add("new_contacts", counts.new_contacts)
    system.add("not_new", counts.total - counts.new_contacts, latent=True)
    system.sum_of(["new_contacts", "not_new"], TOTAL)
    system.add("people", counts.people)
    system.add("people_beyond_one", counts.people - counts.total, latent=True, sensitive=False)
    system.sum_of([TOTAL, "people_beyond_one"], "people")
    cell_keys = _add_cells(system, counts, k)
    # the map draws every listed cell in its class, so a listed cell's count is never suppressed
    status = secure(system, protection, fixed=[system.index(key) for key in cell_keys])

    def count(key) -> Count:
        i = system.index(key)
        return Count(system.values[i] if status[i] == SHOWN else None, _STATUSES[int(status[i])], k)

    return ProtectedRelease(
        counts=counts, k=k, cat_age=cat_age.protected(system, status, k=k), trend=trend.protected(system, status, k=k),
        week=week.protected(system, status, k=k), areas=areas.protected(system, status, k=k), total=count(TOTAL),
        new_contacts=count("new_contacts"), people=count("people"),
        cells=pd.Series([count(key) for key in cell_keys], index=counts.cells.index[:len(cell_keys)], dtype=object),
        system=system, status=status, protection=protection,
    )


_STATUSES = {SHOWN: Status.SHOWN, SMALL: Status.SMALL, HIDDEN: Status.HIDDEN, WITHHELD: Status.WITHHELD}


def _join_trend_and_week(system: System, counts: Counts) -> None:
    """Encounters per (trend period, weekday): column sums of the trend, row sums of the week table."""
    if len(counts.trend_weekdays) < 2:
        return  # one period: its column is the grand total, already an equation
    per_period = counts.trend.sum(axis=0)
    for label in counts.trend_weekdays:
        system.add(("period", label), int(per_period[label]), latent=True)
        system.sum_of([("trend", c, label) for c in counts.trend.index], ("period", label))
    for label, weekdays in counts.trend_weekdays.items():
        keys = []
        for d in weekdays:
            keys.append(("day", label, d))
            system.add(keys[-1], counts.by_day.get((label, d), 0), latent=True)
        system.sum_of(keys, ("period", label))
    for d in range(7):
        keys = [("day", label, d) for label, weekdays in counts.trend_weekdays.items() if d in weekdays]
        system.sum_of(keys, ("weekday", d))


def _add_areas(system: System, counts: Counts) -> TableLayout:
    """The field-area table: one column of area counts whose grand total is the distinct total,
    joined through the combinations of areas the encounters lie in."""
    frame = counts.areas.to_frame("n")
    index = np.empty((len(frame), 1), dtype=np.int64)
    for r, area in enumerate(frame.index):
        index[r, 0] = system.add(("area", area), int(frame.iloc[r, 0]))
    combos = sorted(counts.combinations.items(), key=lambda item: sorted(item[0]))
    for combo, n in combos:
        system.add(("areas", tuple(sorted(combo))), n, latent=True)
    for area in frame.index:
        system.sum_of([("areas", tuple(sorted(c))) for c, _ in combos if area in c], ("area", area))
    grand = system.add(TOTAL, counts.total)
    system.sum_of([("areas", tuple(sorted(c))) for c, _ in combos], TOTAL)
    return TableLayout(frame.index, frame.columns, index, None, None, grand)


def _add_cells(system: System, counts: Counts, k: int) -> list:
    """The printed top cells and what the map's classes say about the other drawn cells."""
    from geo.report.charts import class_edges  # the map's classes; charts draws them

    drawn = counts.cells
    keys = [("cell", int(c)) for c in drawn.index[:counts.top]]
    for key, n in zip(keys, drawn.to_numpy()[:counts.top]):
        system.add(key, int(n))
    rest_lower = 0
    if len(drawn) > counts.top:
        edges = np.asarray(class_edges(drawn.to_numpy(), k))
        others = drawn.to_numpy()[counts.top:]
        rest_lower = int(edges[np.searchsorted(edges, others, side="right") - 1].sum())
    elsewhere = counts.total - int(drawn.to_numpy()[:counts.top].sum())
    system.add("cells_elsewhere", elsewhere, latent=True, sensitive=False, lower=rest_lower)
    system.sum_of([*keys, "cells_elsewhere"], TOTAL)
    return keys
