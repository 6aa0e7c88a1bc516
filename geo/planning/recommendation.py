"""A recommended week for a store: history → need → integer plan → why, and its expected effect.

:func:`recommend` is what the CLI and the page call; :func:`save` writes the
result as the next version of the week's plan in the store.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.planning.columns import (
    AREA_ID,
    AREA_NAME,
    CSV_COLUMNS,
    EXPECTED_ENCOUNTERS,
    GARAGE,
    KIND_OF_AREA,
    NEED_WEEKS,
    PERSON_MINUTES,
    PLANNED_MINUTES,
    RECENT_MINUTES,
    RECENT_VISITS,
    SHIFT,
    STREET,
    VALUE_PER_VISIT,
    VISITS_PLANNED,
    WEEKDAY,
)
from geo.planning.config import PlanningConfig, load_config
from geo.planning.errors import PlanningConfigError, PlanningError
from geo.planning.history import History, read_history
from geo.planning.need import ACTUAL_WEEKS, WEEKS_PER_YEAR, NeedEstimate, estimate_need
from geo.planning.optimize import PlanSolution, dose_value, solve_plan
from geo.planning.slots import parse_week, shift_order, week_days, week_label
from geo.queries.filters import Filters
from geo.queries.places import area_geometries
from geo.queries.columns import TEAM_COLUMN
from geo.schema import PLAN_LINE_COLUMNS
from geo.store.base import Store

EFFECT_PLAN = "plan"
EFFECT_ACTUAL = "actual"
"""Rows of :attr:`Recommendation.effect`: the plan, and the mean week of the latest history weeks."""


@dataclass(frozen=True)
class Recommendation:
    """One week's recommended plan and everything needed to explain it.

    Attributes
    ----------
    week, first_day, last_day
        The ISO week planned and its Monday and Sunday.
    config
        The settings it was made with.
    areas
        The areas planned: ``area_id``, ``area_name``, ``area_kind`` (street/garage).
    need
        The need estimate (:class:`~geo.planning.need.NeedEstimate`).
    solution
        The integer programme's optimum (:class:`~geo.planning.optimize.PlanSolution`).
    lines
        The plan, one row per area × weekday × shift with visits, in the columns
        :data:`geo.planning.columns.CSV_COLUMNS`.
    effect
        Two rows, ``plan`` and ``actual`` (the mean week of the latest
        :data:`~geo.planning.need.ACTUAL_WEEKS` history weeks): planned or actual
        street minutes, garage visits, and the expected (weighted) encounters of
        each, valued alike (same need, same diminishing returns; the actual
        street minutes count as minutes / planned visit length visits, in rounds
        of the configured patrols of the slot, at least one).
    notes
        What the estimate could and could not use (:class:`Note`).
    """

    week: str
    first_day: dt.date
    last_day: dt.date
    config: PlanningConfig
    areas: pd.DataFrame
    need: NeedEstimate
    solution: PlanSolution
    lines: pd.DataFrame
    effect: pd.DataFrame
    notes: tuple[Note, ...]

    def settings_json(self) -> str:
        """What the plan was made with, saved beside it (settings, history weeks, seasonal factors)."""
        return json.dumps({
            **self.config.as_dict(),
            "history": [d.isoformat() for d in self.need.history_weeks],
            "seasonal_factor": {k: s.factor for k, s in self.need.seasonal.items()},
        }, ensure_ascii=False, sort_keys=True)


def recommend(store: Store, week: str, *, config: PlanningConfig | None = None,
              history_weeks: int | None = None) -> Recommendation:
    """The recommended plan for ISO week ``week`` (``2024-W07``) from the store's history before it.

    ``config`` defaults to ``config/planning.toml``; ``history_weeks`` overrides its ``history.weeks``.
    """
    config = config if config is not None else load_config()
    if history_weeks is not None:
        config = config.with_changes(history_weeks=history_weeks)
    try:
        monday = parse_week(week)
    except ValueError as exc:
        raise PlanningError(str(exc)) from None
    first_day, last_day = week_days(monday)
    areas = planned_areas(store, config, first_day=first_day, last_day=last_day)
    history = read_history(store, first_day=monday - dt.timedelta(weeks=WEEKS_PER_YEAR + config.history_weeks + 2),
                           last_day=monday - dt.timedelta(days=1), team=config.team)
    return plan_from_history(history, monday=monday, areas=areas, config=config)


def plan_from_history(history: History, *, monday: dt.date, areas: pd.DataFrame,
                      config: PlanningConfig) -> Recommendation:
    """The recommended plan for the week starting ``monday`` from ``history`` (which must end before it)."""
    week = week_label(monday)
    need = estimate_need(history, target=monday, areas=areas, config=config)
    solution = solve_plan(need.table, config, week=week)
    lines = solution.lines
    if lines.empty:
        streets = int((areas[KIND_OF_AREA] == STREET).sum())
        raise PlanningError(f"the plan for {week} has no visits: with {streets} street area(s), areas.max_share = "
                            f"{config.max_share:g} allows none unless an area has a minimum; raise areas.max_share "
                            f"to at least {1 / max(streets, 1):.2f} or set a minimum (areas.fixed, areas.min_minutes)")
    names = areas.set_index(AREA_ID)[AREA_NAME]
    lines[AREA_NAME] = lines[AREA_ID].map(names)
    lines[PERSON_MINUTES] = lines[PLANNED_MINUTES] * config.staff
    lines = lines.sort_values([AREA_ID, WEEKDAY, SHIFT], key=lambda s: shift_order(s) if s.name == SHIFT else s)
    lines = lines.reset_index(drop=True)[list(CSV_COLUMNS)]
    return Recommendation(week=week, first_day=monday, last_day=monday + dt.timedelta(days=6), config=config,
                          areas=areas, need=need, solution=solution, lines=lines,
                          effect=_effect(need.table, solution, config), notes=_notes(need, areas, config))


def planned_areas(store: Store, config: PlanningConfig, *, first_day: dt.date, last_day: dt.date) -> pd.DataFrame:
    """The team's field areas valid in [first_day, last_day]: ``area_id``, ``area_name``, ``area_kind``.

    Raises PlanningConfigError when ``areas.fixed`` or ``garages.areas`` names an area the store
    has never had (a typo), and PlanningError when the team has no area that week.
    """
    known = set(store.areas()[AREA_ID])
    for key, ids in (("areas.fixed", config.fixed_areas), ("garages.areas", config.garages),
                     ("areas.min_minutes", tuple(config.min_minutes))):
        unknown = [a for a in ids if a not in known]
        if unknown:
            raise PlanningConfigError(f"{config.source}: {key}: {unknown[0]!r} is not a field area in the store; "
                                      f"known areas: {', '.join(sorted(known))}")
    valid = area_geometries(store, Filters(first_day=first_day, last_day=last_day))
    if config.team:
        valid = valid[valid[TEAM_COLUMN] == config.team]
    if valid.empty:
        raise PlanningError(f"team {config.team!r} has no field area valid in {first_day}–{last_day}; "
                            "check `team` in planning.toml")
    out = pd.DataFrame({AREA_ID: valid[AREA_ID].to_numpy(dtype=object),
                        AREA_NAME: valid[AREA_NAME].to_numpy(dtype=object)})
    out[KIND_OF_AREA] = np.where(out[AREA_ID].isin(config.garages), GARAGE, STREET)
    return out.sort_values(AREA_ID).reset_index(drop=True)


def save(store: Store, recommendation: Recommendation, *, saved_by: str | None = None) -> int:
    """Save the plan as the next version of its week in the store; returns the version."""
    if recommendation.lines.empty:
        raise PlanningError(f"the plan for {recommendation.week} has no visits; nothing to save")
    return store.save_plan(recommendation.week, recommendation.lines[list(PLAN_LINE_COLUMNS)],
                           settings=recommendation.settings_json(), saved_by=saved_by)


# --- explanation -------------------------------------------------------------------------------------------
def _effect(need: pd.DataFrame, solution: PlanSolution, config: PlanningConfig) -> pd.DataFrame:
    """The plan against the mean actual week, valued with the same need and diminishing returns."""
    table = need.copy()
    table["_patrols"] = [config.patrols.get((int(d), s), 0) for d, s in zip(table[WEEKDAY], table[SHIFT])]
    street = (table[KIND_OF_AREA] == STREET).to_numpy()
    actual_visits = np.where(street, table[RECENT_MINUTES] / config.planned_visit_minutes, table[RECENT_VISITS])
    actual_worth = dose_value(actual_visits, table[VALUE_PER_VISIT].fillna(0.0), table["_patrols"], config.decay)
    lines = solution.candidates
    plan_street = lines[KIND_OF_AREA] == STREET
    return pd.DataFrame({
        "allocation": [EFFECT_PLAN, EFFECT_ACTUAL],
        "street_minutes": [lines.loc[plan_street, PLANNED_MINUTES].sum(), table.loc[street, RECENT_MINUTES].sum()],
        "garage_visits": [lines.loc[~plan_street, VISITS_PLANNED].sum(), table.loc[~street, RECENT_VISITS].sum()],
        EXPECTED_ENCOUNTERS: [lines[EXPECTED_ENCOUNTERS].sum(), actual_worth.sum()],
        "street_expected_encounters": [lines.loc[plan_street, EXPECTED_ENCOUNTERS].sum(), actual_worth[street].sum()],
    })


NOTES_EN = {
    "history": "history: {weeks} weeks with patrols, {first}–{last}; actual = the mean of the latest {actual}",
    "seasonal_applied": "seasonal factor ({kind} areas): {factor:.2f} applied (last year {raw:.2f}, shrunk)",
    "seasonal_within_noise": "seasonal factor ({kind} areas): not used (last year {raw:.2f} is within its noise)",
    "seasonal_short_history": "seasonal factor ({kind} areas): not used (less than a year of history)",
    "seasonal_no_data": "seasonal factor ({kind} areas): not used (no data last year)",
    "seasonal_switched_off": "seasonal factor ({kind} areas): switched off (history.seasonal = false)",
    "fixed_not_valid": "fixed areas not valid this week, left out: {areas}",
    "no_presence": "no presence in the history (need is the service's rate, with wide uncertainty): {areas}",
}
"""English text of each :class:`Note` (the CLI's); the page and the briefing sheet have their own."""


@dataclass(frozen=True)
class Note:
    """A plain fact about what the estimate could and could not use: ``code`` (a key of
    :data:`NOTES_EN`) and the ``values`` its text needs."""

    code: str
    values: dict

    def english(self) -> str:
        return NOTES_EN[self.code].format(**self.values)


def _notes(need: NeedEstimate, areas: pd.DataFrame, config: PlanningConfig) -> tuple[Note, ...]:
    weeks = need.history_weeks
    notes = [Note("history", {"weeks": len(weeks), "first": f"{weeks[0]:%d.%m.%Y}",
                              "last": f"{weeks[-1] + dt.timedelta(days=6):%d.%m.%Y}",
                              "actual": min(ACTUAL_WEEKS, len(weeks))})]
    for kind, seasonal in need.seasonal.items():
        notes.append(Note(f"seasonal_{seasonal.reason}", {"kind": kind, "factor": seasonal.factor,
                                                          "raw": seasonal.raw}))
    missing = [a for a in config.fixed_areas if a not in set(areas[AREA_ID])]
    if missing:
        notes.append(Note("fixed_not_valid", {"areas": ", ".join(missing)}))
    weeks_seen = need.table.groupby(AREA_ID)[NEED_WEEKS].sum()
    unseen = sorted(weeks_seen.index[weeks_seen == 0])
    if unseen:
        notes.append(Note("no_presence", {"areas": ", ".join(unseen)}))
    return tuple(notes)
