"""The CLI's ``summary`` command: tables of the query layer, as a terminal or a pipe wants them.

Every number comes from the same functions the dashboard and the reports use
(:func:`~geo.queries.places.presence_by_area`, :func:`~geo.queries.places.presence_by_cell`,
:func:`~geo.queries.by_period.presence_by_period`,
:func:`~geo.queries.by_period.presence_by_area_period`), with the measure names
of :mod:`geo.schema`; this module only chooses the columns and rounds
presence to 3 decimals for printing. PRODUCT.md's rules apply unchanged:
patrols by **service day**, encounters by their **local date**, both ends
inclusive; an encounter in two overlapping areas counts in both rows, and
``__outside__`` holds those in no area.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from geo.engine.cells import DEFAULT_RESOLUTION
from geo.queries.by_period import presence_by_area_period, presence_by_period
from geo.queries.filters import Filters
from geo.queries.places import presence_by_area, presence_by_cell
from geo.schema import (
    AREA_ID,
    CELL,
    PATROLS,
    PERIOD,
    PERSON_MINUTES,
    PRESENCE_KM,
    PRESENCE_MEASURES,
    PRESENCE_MINUTES,
    T_PATROLS,
)
from geo.store.base import Store

AREA_NAME = "area_name"
BY_CHOICES = ("area", "cell", "week", "area,week")
DECIMALS = 3
"""Presence minutes and km are printed with this many decimals."""


def summarize(store: Store, by: str, filters: Filters = Filters(), *, res: int = DEFAULT_RESOLUTION) -> pd.DataFrame:
    """The ``summary --by`` table for ``by`` in :data:`BY_CHOICES`.

    - ``area``: area_id, area_name, presence_minutes, person_minutes, presence_km,
      visits, encounters; every area valid in the range, then ``__outside__``;
    - ``cell``: cell (H3 hex at ``res``), the same measures, cells with data;
    - ``week``: period (ISO week), patrols, the measures;
    - ``area,week``: area_id, area_name, period, the measures.
    """
    if by == "area":
        table = presence_by_area(store, filters)[[AREA_ID, AREA_NAME, *PRESENCE_MEASURES]]
    elif by == "cell":
        table = presence_by_cell(store, filters, res=res)[[CELL, *PRESENCE_MEASURES]]
    elif by == "week":
        table = presence_by_period(store, filters, period="week")[[PERIOD, PATROLS, *PRESENCE_MEASURES]]
    elif by == "area,week":
        table = presence_by_area_period(store, filters, period="week")
    else:
        raise ValueError(f"--by must be one of {', '.join(BY_CHOICES)}; got {by!r}")
    return table.round({PRESENCE_MINUTES: DECIMALS, PERSON_MINUTES: DECIMALS, PRESENCE_KM: DECIMALS})


def patrol_day_span(store: Store) -> tuple[date, date] | None:
    """First and last service day with a patrol in the store; None when empty."""
    frame = store.query(f"SELECT MIN(service_day) AS lo, MAX(service_day) AS hi FROM {T_PATROLS}")
    lo, hi = frame.iloc[0]["lo"], frame.iloc[0]["hi"]
    if not isinstance(lo, str):
        return None
    return date.fromisoformat(lo), date.fromisoformat(hi)
