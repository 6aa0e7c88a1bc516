"""What happened, per ISO week × area × weekday × shift: presence, visits, encounters, patrols.

Read from the pre-aggregated tables through :mod:`geo.queries.aggregate_reads`
(never raw track points), grouped in SQL by area, **service day** and
**shift of the patrol** (see :mod:`geo.planning.slots` for why a night
patrol's 02:00 presence counts under the day it started). Encounters count
where they are credited to a patrol: an encounter registered with its patrol
counts in that patrol's service day and shift, in every field area it lies in
(areas may overlap); encounters registered without a patrol cannot be
credited to a shift and are left out of planning (3 % in the demo).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from collections.abc import Mapping

import numpy as np
import pandas as pd

from geo.planning.columns import (
    ACTUAL_VISITS,
    AREA_ID,
    CATEGORY,
    ENCOUNTERS,
    PATROLS,
    PRESENCE_HOURS,
    SHIFT,
    WEEK_START,
    WEEKDAY,
)
from geo.planning.slots import SHIFTS
from geo.queries import aggregate_reads
from geo.queries.filters import Filters
from geo.schema import SERVICE_DAY, T_PATROLS, T_PRESENCE_AREA, T_VISITS_AREA
from geo.store.base import Store

CELL_KEYS = [WEEK_START, AREA_ID, WEEKDAY, SHIFT]
ENCOUNTERS_SQ = "encounters_sq"
"""Category-weighted encounters with squared weights (the Poisson variance of the weighted count)."""
SLOT_KEYS = [WEEK_START, WEEKDAY, SHIFT]


@dataclass(frozen=True)
class History:
    """Activity of one team (or all) over a range of service days.

    Attributes
    ----------
    first_day, last_day
        Service days covered (inclusive, Europe/Oslo local dates).
    team
        Team whose patrols are counted; None = all.
    cells
        One row per week × area × weekday × shift with presence or visits:
        ``week_start`` (Monday, date), ``area_id``, ``weekday`` (0 = Monday, of
        the service day), ``shift``, ``presence_hours`` (patrol-hours in the
        area) and ``actual_visits`` (recorded visits, PRODUCT.md *Visit*).
    encounters
        One row per week × area × weekday × shift × category with encounters:
        the same keys, ``category`` and ``encounters`` (distinct encounters).
    patrols
        One row per week × weekday × shift with patrols: ``patrols`` (count).
    """

    first_day: dt.date
    last_day: dt.date
    team: str | None
    cells: pd.DataFrame
    encounters: pd.DataFrame
    patrols: pd.DataFrame

    def weeks_with_patrols(self) -> list[dt.date]:
        """Mondays of the weeks with at least one patrol, oldest first."""
        return sorted(set(self.patrols[WEEK_START]))

    def between(self, first_week: dt.date, last_week: dt.date) -> History:
        """The weeks whose Monday lies in [first_week, last_week]."""
        def cut(frame: pd.DataFrame) -> pd.DataFrame:
            keep = (frame[WEEK_START] >= first_week) & (frame[WEEK_START] <= last_week)
            return frame[keep].reset_index(drop=True)

        return History(max(self.first_day, first_week), min(self.last_day, last_week + dt.timedelta(days=6)),
                       self.team, cut(self.cells), cut(self.encounters), cut(self.patrols))

    def weighted_cells(self, weights: Mapping[str, float]) -> pd.DataFrame:
        """:attr:`cells` plus ``encounters`` (category-weighted, weight 1 when not listed) and
        ``encounters_sq`` (the same with squared weights: the Poisson variance of the weighted
        count), with a row for every key that has encounters but no presence (exposure 0)."""
        enc = self.encounters
        weight = enc[CATEGORY].map(dict(weights)).fillna(1.0).to_numpy(np.float64)
        groups = [enc[k] for k in CELL_KEYS]
        weighted = pd.DataFrame({ENCOUNTERS: enc[ENCOUNTERS].to_numpy() * weight,
                                 ENCOUNTERS_SQ: enc[ENCOUNTERS].to_numpy() * weight**2}, index=enc.index)
        weighted = weighted.groupby(groups).sum()
        table = self.cells.set_index(CELL_KEYS).join(weighted, how="outer")
        measures = [PRESENCE_HOURS, ACTUAL_VISITS, ENCOUNTERS, ENCOUNTERS_SQ]
        table[measures] = table[measures].astype(np.float64).fillna(0.0)
        return table.reset_index()


def read_history(store: Store, *, first_day: dt.date, last_day: dt.date, team: str | None) -> History:
    """Presence, visits, encounters and patrols of ``team`` for service days in [first_day, last_day]."""
    if first_day > last_day:
        raise ValueError(f"first_day {first_day} is after last_day {last_day}; swap them")
    teams = (team,) if team else None
    filters = Filters(first_day=first_day, last_day=last_day, teams=teams)
    slot = {SERVICE_DAY: f"p.{SERVICE_DAY}", SHIFT: f"p.{SHIFT}"}
    presence = aggregate_reads.presence(store, filters, table=T_PRESENCE_AREA, keys={AREA_ID: f"d.{AREA_ID}", **slot})
    visits = aggregate_reads.visits(store, filters, table=T_VISITS_AREA, keys={AREA_ID: f"v.{AREA_ID}", **slot})
    # Encounters by their own local date may fall on the day after their patrol's service day
    # (a night patrol's 02:00): read one day more and keep those whose patrol's service day is inside.
    # Setting every shift makes the read join each encounter's patrol (and drop those without one).
    credited = Filters(first_day=first_day, last_day=last_day + dt.timedelta(days=1), teams=teams, shifts=SHIFTS)
    encounters = aggregate_reads.encounters(store, credited, in_areas=True,
                                            keys={AREA_ID: f"ea.{AREA_ID}", **slot, CATEGORY: f"e.{CATEGORY}"})
    encounters = encounters[encounters[AREA_ID].notna()]
    patrols = _patrols(store, filters)

    cells = pd.concat([
        _keyed(presence).assign(**{PRESENCE_HOURS: presence[aggregate_reads.SECONDS].to_numpy() / 3600.0}),
        _keyed(visits).assign(**{ACTUAL_VISITS: visits[aggregate_reads.VISITS].to_numpy()}),
    ], ignore_index=True)
    cells = (cells.groupby(CELL_KEYS, as_index=False)[[PRESENCE_HOURS, ACTUAL_VISITS]].sum(min_count=1)
             .fillna({PRESENCE_HOURS: 0.0, ACTUAL_VISITS: 0.0}))
    enc = _keyed(encounters)
    enc[CATEGORY] = encounters[CATEGORY].to_numpy()
    enc[ENCOUNTERS] = encounters[aggregate_reads.ENCOUNTERS].to_numpy(np.float64)
    enc = enc[(enc["_day"] >= first_day) & (enc["_day"] <= last_day)]
    enc = enc.groupby([*CELL_KEYS, CATEGORY], as_index=False)[ENCOUNTERS].sum()
    return History(first_day=first_day, last_day=last_day, team=team,
                   cells=_tidy(cells), encounters=_tidy(enc), patrols=patrols)


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    """``week_start``, ``area_id``, ``weekday``, ``shift`` (and the service day as ``_day``) of each row."""
    days = pd.to_datetime(pd.Series(frame[SERVICE_DAY].to_numpy(dtype=object)), format="%Y-%m-%d")
    weekday = days.dt.day_of_week.to_numpy(np.int64)
    out = pd.DataFrame({
        WEEK_START: (days - pd.to_timedelta(weekday, unit="D")).dt.date.to_numpy(),
        AREA_ID: frame[AREA_ID].to_numpy(dtype=object) if AREA_ID in frame else None,
        WEEKDAY: weekday,
        SHIFT: frame[SHIFT].to_numpy(dtype=object),
    })
    out["_day"] = days.dt.date.to_numpy()
    return out


def _patrols(store: Store, filters: Filters) -> pd.DataFrame:
    conditions, params = aggregate_reads.patrol_conditions(filters)
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    frame = store.query(
        f"SELECT p.{SERVICE_DAY} AS {SERVICE_DAY}, p.{SHIFT} AS {SHIFT}, COUNT(*) AS {PATROLS} "
        f"FROM {T_PATROLS} p {where} GROUP BY p.{SERVICE_DAY}, p.{SHIFT}", tuple(params))
    keyed = _keyed(frame).drop(columns=[AREA_ID, "_day"])
    keyed[PATROLS] = frame[PATROLS].to_numpy(np.int64)
    return _tidy(keyed.groupby(SLOT_KEYS, as_index=False)[PATROLS].sum())


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [k for k in (WEEK_START, AREA_ID, WEEKDAY, SHIFT, CATEGORY) if k in frame]
    frame = frame.drop(columns=[c for c in ("_day",) if c in frame])
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)
