"""Plan against actual: a saved week's plan beside the presence the GPS tracks then show.

Actual presence is read like the history (:mod:`geo.planning.history`): per
area, weekday of the **service day** and **shift of the patrol**, from the
pre-aggregated presence and visits of the team the plan was made for. Street
areas are compared by minutes (planned patrol-minutes against presence
patrol-minutes); parking garages by visits (phones get no fix indoors, so
their presence minutes are not measured).

Gaps (``gap``):

- ``missed``: planned, but no presence at all;
- ``short``: less than ``follow_up.gap_share`` (default half) of the plan;
- ``unplanned``: presence of at least one planned visit's length where nothing was planned;
- empty: as planned (or more).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from geo.planning.columns import (
    ACHIEVED_SHARE,
    ACTUAL_MINUTES,
    ACTUAL_VISITS,
    AREA_ID,
    DIFFERENCE_MINUTES,
    GAP,
    KIND_OF_AREA,
    PLANNED_MINUTES,
    PLANNED_VISITS,
    PRESENCE_HOURS,
    SHIFT,
    STREET,
    GARAGE,
    VISITS_PLANNED,
    WEEKDAY,
)
from geo.planning.config import DEFAULT_GAP_SHARE
from geo.planning.errors import PlanningError
from geo.planning.history import read_history
from geo.planning.slots import parse_week, shift_order, week_days
from geo.queries.summary import patrol_day_span
from geo.schema import PLAN_SAVED_BY, PLAN_SAVED_UTC, PLAN_SETTINGS, PLAN_VERSION, PLAN_WEEK
from geo.store.base import Store

GAPS = ("missed", "short", "unplanned")

KEYS = [AREA_ID, WEEKDAY, SHIFT]


EVERY_TEAM = "*"
"""``team`` value of :func:`saved_weeks` and :func:`plan_vs_actual` meaning: plans of any team."""


def saved_weeks(store: Store, *, team: str | None = EVERY_TEAM) -> pd.DataFrame:
    """One row per saved plan version: ``week``, ``version``, ``saved_utc``, ``saved_by``, ``visits``
    (planned in total); newest week first. ``team`` keeps only the plans made for that team
    (None: plans for every team together); the default lists all."""
    plans = store.plans()
    if team != EVERY_TEAM and not plans.empty:
        teams = plans[PLAN_SETTINGS].map(lambda text: json.loads(text).get("team"))
        plans = plans[(teams == team) if team is not None else teams.isna()]
    if plans.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in (PLAN_WEEK, PLAN_VERSION, PLAN_SAVED_UTC,
                                                                  PLAN_SAVED_BY, VISITS_PLANNED)})
    grouped = plans.groupby([PLAN_WEEK, PLAN_VERSION], as_index=False).agg(
        **{PLAN_SAVED_UTC: (PLAN_SAVED_UTC, "first"), PLAN_SAVED_BY: (PLAN_SAVED_BY, "first"),
           VISITS_PLANNED: (VISITS_PLANNED, "sum")})
    return grouped.sort_values([PLAN_WEEK, PLAN_VERSION], ascending=[False, False]).reset_index(drop=True)


def plan_vs_actual(store: Store, week: str, *, version: int | None = None, team: str | None = EVERY_TEAM) -> pd.DataFrame:
    """The saved plan of ``week`` (its latest version, or ``version``) against the actual presence.

    One row per area × weekday × shift that was planned or had presence in one of the
    plan's areas: ``area_id``, ``area_kind``, ``weekday`` (0 = Monday, of the service day),
    ``shift``, ``planned_visits``, ``planned_minutes``, ``actual_visits`` (recorded
    visits), ``actual_minutes`` (presence patrol-minutes), ``difference_minutes`` (actual −
    planned), ``achieved_share`` (actual / planned: minutes for streets, visits for
    garages; NaN where nothing was planned) and ``gap`` (see the module docstring).
    ``attrs``: ``week``, ``version``, ``team``, ``complete`` (the store has patrols on
    or after the week's Sunday, so the week is over).

    Raises PlanningError when no plan was saved for the week (or not that version), or
    when ``team`` is given and the plan was made for another team.
    """
    try:
        first_day, last_day = week_days(parse_week(week))
    except ValueError as exc:
        raise PlanningError(str(exc)) from None
    plan, settings, version = _saved(store, week, version)
    if team != EVERY_TEAM and settings.get("team") != team:
        raise PlanningError(f"the plan of {week} (version {version}) is for {settings.get('team') or 'every team'}, "
                            f"not {team or 'every team'}")
    team = settings.get("team")
    garages = set(settings.get("garages", []))
    gap_share = float(settings.get("gap_share", DEFAULT_GAP_SHARE))
    visit_minutes = float(np.mean(settings.get("visit_minutes", [10, 15])))
    actual = read_history(store, first_day=first_day, last_day=last_day, team=team).cells
    actual = actual[actual[AREA_ID].isin(set(plan[AREA_ID]))]
    actual = actual.assign(**{ACTUAL_MINUTES: actual[PRESENCE_HOURS] * 60.0}).drop(columns=[PRESENCE_HOURS])
    table = plan.rename(columns={VISITS_PLANNED: PLANNED_VISITS})[[*KEYS, PLANNED_VISITS, PLANNED_MINUTES]]
    table = table.merge(actual[[*KEYS, ACTUAL_VISITS, ACTUAL_MINUTES]], on=KEYS, how="outer")
    numbers = [PLANNED_VISITS, PLANNED_MINUTES, ACTUAL_VISITS, ACTUAL_MINUTES]
    table[numbers] = table[numbers].astype(np.float64).fillna(0.0)
    table[PLANNED_VISITS] = table[PLANNED_VISITS].astype(np.int64)
    table[ACTUAL_VISITS] = table[ACTUAL_VISITS].astype(np.int64)
    table.insert(1, KIND_OF_AREA, np.where(table[AREA_ID].isin(garages), GARAGE, STREET))
    table[DIFFERENCE_MINUTES] = table[ACTUAL_MINUTES] - table[PLANNED_MINUTES]
    garage = (table[KIND_OF_AREA] == GARAGE).to_numpy()
    planned = np.where(garage, table[PLANNED_VISITS], table[PLANNED_MINUTES])
    done = np.where(garage, table[ACTUAL_VISITS], table[ACTUAL_MINUTES])
    with np.errstate(divide="ignore", invalid="ignore"):
        table[ACHIEVED_SHARE] = np.where(planned > 0, done / planned, np.nan)
    unplanned_floor = np.where(garage, 1.0, visit_minutes)
    table[GAP] = np.select(
        [(planned > 0) & (done <= 0), (planned > 0) & (done < gap_share * planned),
         (planned <= 0) & (done >= unplanned_floor)],
        list(GAPS), default="")
    table = table.sort_values([AREA_ID, WEEKDAY, SHIFT], key=lambda s: shift_order(s) if s.name == SHIFT else s)
    table = table.reset_index(drop=True)
    span = patrol_day_span(store)
    table.attrs.update(week=week, version=version, team=team, complete=span is not None and span[1] >= last_day)
    return table


def _saved(store: Store, week: str, version: int | None) -> tuple[pd.DataFrame, dict, int]:
    plans = store.plans(week=week)
    if plans.empty:
        raise PlanningError(f"no plan saved for week {week}; make and save one on the Planlegging page or with "
                            f"`python -m geo plan --week {week} --save`")
    versions = sorted(set(plans[PLAN_VERSION].astype(int)))
    chosen = versions[-1] if version is None else int(version)
    if chosen not in versions:
        raise PlanningError(f"week {week} has no plan version {version}; saved versions: "
                            f"{', '.join(map(str, versions))}")
    lines = plans[plans[PLAN_VERSION].astype(int) == chosen].copy()
    lines[WEEKDAY] = lines[WEEKDAY].astype(np.int64)
    return lines, json.loads(lines[PLAN_SETTINGS].iloc[0]), chosen
