"""Two periods per H3 cell: side by side and as a difference (issue 15, deliver 6).

A manager compares the chosen period (**B**) with its comparison period (**A**,
the sidebar's, :func:`geo.queries.periods.comparison_for`) cell by cell:
presence minutes (coverage) or encounters. :func:`cell_difference` joins the
two per-cell tables (a cell in only one period counts 0 in the other) and
gives the change ``B − A``.

Periods of different covered length are compared **per covered day**, by the
rule of :mod:`geo.queries.periods`: what counts is the days of each period
that have data (:func:`~geo.queries.periods.cover_period` on the store's first
to last service day). When both periods cover as many days (the sidebar's
comparisons do, unless the comparison reaches before the data), the totals
are compared as they are; otherwise each period's values are divided by its
covered days, so two covered days are not compared with seven.

Cells are H3 indexes (hex strings) at the chosen resolution; presence is
patrol-minutes (:func:`~geo.queries.places.presence_by_cell`), encounters
distinct encounters (:func:`~geo.queries.places.encounters_by_cell`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.engine.cells import DEFAULT_RESOLUTION
from geo.queries.columns import CELL, ENCOUNTERS, PRESENCE_MINUTES
from geo.queries.filters import Filters
from geo.queries.periods import cover_period
from geo.queries.places import encounters_by_cell, presence_by_cell
from geo.queries.summary import patrol_day_span
from geo.store.base import Store

PRESENCE = "presence"
ENCOUNTER = "encounters"
MEASURES = {PRESENCE: (presence_by_cell, PRESENCE_MINUTES), ENCOUNTER: (encounters_by_cell, ENCOUNTERS)}
"""What can be compared: the per-cell query and the column it compares."""

VALUE_A, VALUE_B, CHANGE = "value_a", "value_b", "change"
"""Columns of :attr:`CellComparison.cells`: period A's value, period B's value, B − A."""


@dataclass(frozen=True, slots=True)
class CellComparison:
    """Periods A (comparison) and B (chosen) per H3 cell.

    ``cells`` has columns ``cell`` (hex), ``value_a``, ``value_b`` and
    ``change`` (``value_b − value_a``), one row per cell with a non-zero value
    in either period, sorted by cell. The values are totals of the measure
    (presence minutes or encounters) or, when ``per_day``, totals divided by
    the period's covered days (``days_a``, ``days_b``; 0 when the period has no
    data at all, its values then 0).
    """

    cells: pd.DataFrame
    measure: str
    days_a: int
    days_b: int

    @property
    def per_day(self) -> bool:
        """Whether the values are per covered day (the periods cover different numbers of days)."""
        return self.days_a != self.days_b


def cell_difference(a: pd.DataFrame, b: pd.DataFrame, *, value: str, days_a: int, days_b: int,
                    measure: str = "") -> CellComparison:
    """Join per-cell tables ``a`` and ``b`` (columns ``cell`` and ``value``) into a :class:`CellComparison`.

    A cell missing from one table is 0 there; cells that are 0 in both are left
    out. With ``days_a != days_b`` both values are divided by their own covered
    days (a period with 0 days contributes 0).
    """
    for name, frame in (("a", a), ("b", b)):
        missing = {CELL, value} - set(frame.columns)
        if missing:
            raise ValueError(f"table {name} lacks column(s) {', '.join(sorted(missing))}; "
                             f"it needs {CELL!r} and {value!r}")
    if days_a < 0 or days_b < 0:
        raise ValueError(f"covered days must be 0 or more; got days_a={days_a}, days_b={days_b}")
    joined = pd.concat([a.set_index(CELL)[value].rename(VALUE_A), b.set_index(CELL)[value].rename(VALUE_B)],
                       axis=1).fillna(0.0).astype(np.float64)
    if days_a != days_b:
        joined[VALUE_A] = joined[VALUE_A] / days_a if days_a else 0.0
        joined[VALUE_B] = joined[VALUE_B] / days_b if days_b else 0.0
    joined = joined[(joined[VALUE_A] != 0) | (joined[VALUE_B] != 0)]
    joined[CHANGE] = joined[VALUE_B] - joined[VALUE_A]
    joined.index.name = CELL
    cells = joined.sort_index().reset_index()[[CELL, VALUE_A, VALUE_B, CHANGE]]
    return CellComparison(cells=cells, measure=measure, days_a=days_a, days_b=days_b)


def compare_cells(store: Store, filters: Filters, comparison: Filters, *, measure: str,
                  res: int = DEFAULT_RESOLUTION) -> CellComparison:
    """``measure`` (:data:`MEASURES`) per H3 cell at ``res`` for ``comparison`` (A) and ``filters`` (B,
    the chosen period).

    Both filters need both dates; their other filters apply as given (a page
    passes the same filters with the comparison's dates). Covered days are
    counted on the store's first to last service day.
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}; got {measure!r}")
    for name, given in (("current", filters), ("comparison", comparison)):
        if given.first_day is None or given.last_day is None:
            raise ValueError(f"the {name} filters need a first_day and a last_day to compare periods")
    query, value = MEASURES[measure]
    span = patrol_day_span(store)
    days_b, days_a = (_covered_days(f, span) for f in (filters, comparison))
    return cell_difference(query(store, comparison, res=res), query(store, filters, res=res), value=value,
                           days_a=days_a, days_b=days_b, measure=measure)


def _covered_days(filters: Filters, span) -> int:
    """Days of the filters' period that have data (0 without any data)."""
    if span is None:
        return 0
    return cover_period(filters.first_day, filters.last_day, *span).covered_days
