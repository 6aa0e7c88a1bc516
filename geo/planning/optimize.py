"""The plan as a small integer programme (``scipy.optimize.milp``, HiGHS).

Decision: integer **visits** ``x`` per area × weekday × shift (a visit is a
stay of the configured length: the middle of ``visits.minutes`` for street
areas, ``garages.visit_minutes`` for garages).

Objective: the expected (weighted) encounters the plan reaches, with
**diminishing returns** per area and shift. Visits to one area in one slot
come in *rounds* of one visit per patrol; round ``r`` (0, 1, …) is worth
``decay**r`` of the first (a concave, piecewise-linear function of ``x``), so
an area's need is served across areas and shifts before any one place is
saturated, and short, spread-out stays beat long ones (Koper 1995; Telep et
al. 2014). A visit's first-round worth is the area-slot's estimated need
(``value_per_visit`` from :mod:`geo.planning.need`).

Rules (each a group that :func:`solve_plan` can name when they conflict):

- ``capacity``: per slot, the patrols' stay minutes (patrols × hours × ``stay_share`` × 60)
  counted in *visit slots* of one street visit's length: a street visit takes
  one, a garage visit ⌈garage minutes / street minutes⌉ (the rest of the slot
  is the walk there). Counting whole slots keeps every coefficient an integer;
  with visits of mixed length the knapsack made HiGHS take minutes to prove
  an optimum it had found in a fraction of a second;
- ``revisit``: per area and slot at most ``patrols × rounds`` visits, a round per
  ``visits.revisit_hours`` of the shift;
- ``min_presence``: each fixed field area (and each area with its own minimum)
  gets at least its minimum planned minutes a week: never dropped;
- ``max_share``: no street area gets more than ``areas.max_share`` of the
  week's planned street minutes;
- ``garage_rounds``: each garage gets exactly ``garages.rounds_per_week`` visits,
  only in ``garages.shifts``.

When the rules cannot all be met, each group is dropped in turn (then pairs)
and the error names the group(s) whose removal makes a plan possible, with the
key to change. HiGHS is deterministic: the same inputs give the same plan.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from geo.planning.columns import (
    AREA_ID,
    BOUND_BY,
    EXPECTED_ENCOUNTERS,
    GARAGE,
    KIND_OF_AREA,
    PATROLS,
    PLANNED_MINUTES,
    SHIFT,
    STREET,
    VALUE_PER_VISIT,
    VISITS_PLANNED,
    WEEKDAY,
)
from geo.planning.config import PlanningConfig
from geo.planning.errors import InfeasiblePlanError, PlanningError
from geo.planning.slots import WEEKDAY_NAMES

def effective_max_share(max_share: float, street_areas: int) -> float:
    """The largest share of the street minutes one area may get: ``areas.max_share``, but never
    below 1 / the number of street areas (a team with two areas cannot hold each under a third)."""
    return max(max_share, 1.0 / street_areas) if street_areas else 1.0


RULES = ("capacity", "revisit", "min_presence", "max_share", "garage_rounds")
"""Rule groups, in the order they are tried when diagnosing an infeasible plan."""

REASONS = ("garage_rounds", "revisit", "max_share", "min_presence", "capacity", "need")
"""Values of ``bound_by``: the rule that decided a line (in this order of precedence); ``need``
when none did and the line is where diminishing returns balanced it against the other lines."""

VISIT_MINUTES = "visit_minutes"
CAPACITY_MINUTES = "capacity_minutes"
CAPACITY_SLOTS = "capacity_slots"  # visit slots of one street visit's length
USED_SLOTS = "used_slots"
MAX_VISITS = "max_visits"

SOLVER_OPTIONS = {"disp": False, "presolve": True, "mip_rel_gap": 1e-7, "time_limit": 60.0}
"""HiGHS options: a tight gap so the plan is the optimum, not one near it."""

_EPS = 1e-6


@dataclass(frozen=True)
class PlanSolution:
    """The optimum of one week's integer programme.

    Attributes
    ----------
    candidates
        One row per area × weekday × shift the plan may use (the slot has
        patrols; garages only in their shifts): the need columns passed in plus
        ``patrols``, ``visit_minutes``, ``max_visits`` (revisit rule),
        ``visits`` (planned, integer), ``planned_minutes``,
        ``expected_encounters`` (the concave worth of those visits) and
        ``bound_by`` (see :data:`REASONS`).
    slots
        One row per weekday × shift with patrols: ``patrols``,
        ``capacity_minutes``, ``capacity_slots`` (visit slots of one street visit's
        length), ``planned_minutes`` and ``used_slots``.
    expected_encounters
        The objective: sum of ``expected_encounters``.
    seconds
        Wall time of the solve (all HiGHS calls), seconds.
    """

    candidates: pd.DataFrame
    slots: pd.DataFrame
    expected_encounters: float
    seconds: float

    @property
    def lines(self) -> pd.DataFrame:
        """The planned lines (visits > 0)."""
        return self.candidates[self.candidates[VISITS_PLANNED] > 0].reset_index(drop=True)


def dose_value(visits: np.ndarray, value_per_visit: np.ndarray, patrols: np.ndarray, decay: float) -> np.ndarray:
    """Concave worth of ``visits`` (may be fractional) to area-slots: rounds of ``patrols`` visits,
    round ``r`` worth ``decay**r`` per visit (the objective of the plan; also used to value an actual
    allocation, where presence minutes / visit minutes give the visits)."""
    visits = np.asarray(visits, dtype=np.float64)
    size = np.maximum(np.asarray(patrols, dtype=np.float64), 1.0)
    rounds = int(np.ceil((visits / size).max())) if visits.size else 0
    total = np.zeros_like(visits)
    for r in range(rounds):  # a handful of rounds, each vectorised over every line
        total += decay**r * np.clip(visits - r * size, 0.0, size)
    return total * np.asarray(value_per_visit, dtype=np.float64)


def solve_plan(need: pd.DataFrame, config: PlanningConfig, *, week: str = "") -> PlanSolution:
    """The optimal integer plan for the need table (one row per area × weekday × shift, with
    ``area_id``, ``area_kind``, ``weekday``, ``shift``, ``value_per_visit``).

    Raises InfeasiblePlanError naming the rule(s) to relax when the rules conflict.
    """
    began = time.perf_counter()
    model = _Model(_candidates(need, config), config)
    result = model.solve(frozenset())
    if result is None:
        raise _diagnose(model, config, week)
    candidates, slots = model.finish(result)
    return PlanSolution(candidates=candidates, slots=slots,
                        expected_encounters=float(candidates[EXPECTED_ENCOUNTERS].sum()),
                        seconds=time.perf_counter() - began)


# --- the model ---------------------------------------------------------------------------------------
def _candidates(need: pd.DataFrame, config: PlanningConfig) -> pd.DataFrame:
    missing = {AREA_ID, KIND_OF_AREA, WEEKDAY, SHIFT, VALUE_PER_VISIT} - set(need.columns)
    if missing:
        raise ValueError(f"need table lacks columns {sorted(missing)}")
    table = need.copy()
    table[PATROLS] = [config.patrols.get((int(d), s), 0) for d, s in zip(table[WEEKDAY], table[SHIFT])]
    garage = table[KIND_OF_AREA] == GARAGE
    usable = (table[PATROLS] > 0) & (~garage | (table[SHIFT].isin(config.garage_shifts)
                                                & (config.garage_rounds_per_week > 0)))
    table = table[usable].copy()
    table[VISIT_MINUTES] = np.where(table[KIND_OF_AREA] == GARAGE, config.garage_visit_minutes,
                                    config.planned_visit_minutes)
    table["_rounds"] = [config.rounds(s) for s in table[SHIFT]]
    table[MAX_VISITS] = table[PATROLS] * table["_rounds"]
    table[VALUE_PER_VISIT] = table[VALUE_PER_VISIT].fillna(0.0).clip(lower=0.0)
    if table.empty:
        raise PlanningError("no slot has patrols: set patrols per weekday and shift ([patrols] in planning.toml)")
    return table.reset_index(drop=True)


class _Model:
    """Variables ``x`` (visits per candidate, integer) then ``y`` (visits per candidate and round)."""

    def __init__(self, candidates: pd.DataFrame, config: PlanningConfig) -> None:
        self.c = candidates
        self.config = config
        n = len(candidates)
        rounds = candidates["_rounds"].to_numpy(np.int64)
        self.n = n
        self.y_owner = np.repeat(np.arange(n), rounds)
        self.y_round = np.concatenate([np.arange(r) for r in rounds]) if n else np.zeros(0, np.int64)
        self.n_vars = n + len(self.y_owner)
        self.minutes = candidates[VISIT_MINUTES].to_numpy(np.float64)
        self.street = (candidates[KIND_OF_AREA] == STREET).to_numpy()
        unit = config.planned_visit_minutes
        self.cost = np.where(self.street, 1.0, np.ceil(self.minutes / unit - 1e-9))
        """Visit slots (of one street visit's length) each visit takes."""
        slot_key = candidates[WEEKDAY].astype(str) + "|" + candidates[SHIFT]
        self.slot_codes, self.slot_names = pd.factorize(slot_key, sort=True)
        self.area_codes, self.area_names = pd.factorize(candidates[AREA_ID], sort=True)
        self.capacity = np.array([config.stay_minutes(int(k.split("|")[0]), k.split("|")[1])
                                  for k in self.slot_names])
        self.capacity_slots = np.floor(self.capacity / unit + 1e-9)

    # rows: (matrix, lower, upper) per rule group
    def _rows(self, relax: frozenset[str]) -> list[tuple[sparse.csr_matrix, np.ndarray, np.ndarray]]:
        n, c, config = self.n, self.c, self.config
        x = np.arange(n)
        rows = []
        link = sparse.csr_matrix(
            (np.concatenate([np.ones(n), -np.ones(len(self.y_owner))]),
             (np.concatenate([x, self.y_owner]), np.concatenate([x, n + np.arange(len(self.y_owner))]))),
            shape=(n, self.n_vars))
        rows.append((link, np.zeros(n), np.zeros(n)))
        if "capacity" not in relax:
            rows.append((self._sum_rows(self.slot_codes, len(self.slot_names), self.cost),
                         np.full(len(self.slot_names), -np.inf), self.capacity_slots))
        area_kind = c.groupby(AREA_ID)[KIND_OF_AREA].first().reindex(self.area_names)
        if "min_presence" not in relax:
            minimum = np.array([config.min_minutes_of(a) if k == STREET else 0.0
                                for a, k in zip(self.area_names, area_kind)])
            keep = minimum > 0
            if keep.any():  # in street visits (all of one length): at least the minimum minutes
                matrix = self._sum_rows(self.area_codes, len(self.area_names), np.ones(n))[keep]
                visits = np.ceil(minimum[keep] / config.planned_visit_minutes - 1e-9)
                rows.append((matrix, visits, np.full(keep.sum(), np.inf)))
        streets = np.flatnonzero((area_kind == STREET).to_numpy())
        share = effective_max_share(config.max_share, len(streets))
        if "max_share" not in relax and share < 1:
            if len(streets):
                own = self._sum_rows(self.area_codes, len(self.area_names), np.ones(n))[streets]
                everyone = sparse.csr_matrix((self.street.astype(np.float64), (np.zeros(n), x)),
                                             shape=(1, self.n_vars))
                matrix = own - share * sparse.vstack([everyone] * len(streets))
                rows.append((sparse.csr_matrix(matrix), np.full(len(streets), -np.inf), np.zeros(len(streets))))
        if "garage_rounds" not in relax:
            garages = np.flatnonzero((area_kind == GARAGE).to_numpy())
            if len(garages):
                matrix = self._sum_rows(self.area_codes, len(self.area_names), np.ones(n))[garages]
                target = np.full(len(garages), float(config.garage_rounds_per_week))
                rows.append((matrix, target, target))
        return rows

    def _sum_rows(self, codes: np.ndarray, n_rows: int, weights: np.ndarray) -> sparse.csr_matrix:
        """One row per code: Σ weights × x over the candidates with that code."""
        return sparse.csr_matrix((weights, (codes, np.arange(self.n))), shape=(n_rows, self.n_vars))

    def solve(self, relax: frozenset[str]):
        """The HiGHS result, or None when infeasible."""
        c, config = self.c, self.config
        value = c[VALUE_PER_VISIT].to_numpy(np.float64)
        objective = np.concatenate([np.zeros(self.n), -value[self.y_owner] * config.decay ** self.y_round])
        patrols = c[PATROLS].to_numpy(np.float64)
        x_high = c[MAX_VISITS].to_numpy(np.float64)
        y_high = patrols[self.y_owner].copy()
        if "revisit" in relax:
            x_high = np.full(self.n, np.inf)
            last = np.r_[self.y_owner[1:] != self.y_owner[:-1], True]
            y_high[last] = np.inf
        bounds = Bounds(np.zeros(self.n_vars), np.concatenate([x_high, y_high]))
        integrality = np.concatenate([np.ones(self.n), np.zeros(len(self.y_owner))])
        constraints = [LinearConstraint(m, lo, hi) for m, lo, hi in self._rows(relax)]
        result = milp(objective, integrality=integrality, bounds=bounds, constraints=constraints,
                      options=SOLVER_OPTIONS)
        if result.status == 2:
            return None
        if result.status != 0 or result.x is None:
            raise PlanningError(f"the solver stopped without a plan: {result.message}")
        return result

    def finish(self, result) -> tuple[pd.DataFrame, pd.DataFrame]:
        c = self.c.copy()
        x = np.rint(result.x[:self.n]).astype(np.int64)
        y = result.x[self.n:]
        value = c[VALUE_PER_VISIT].to_numpy(np.float64)
        worth = np.bincount(self.y_owner, weights=y * value[self.y_owner] * self.config.decay ** self.y_round,
                            minlength=self.n)
        c[VISITS_PLANNED] = x
        c[PLANNED_MINUTES] = x * self.minutes
        c[EXPECTED_ENCOUNTERS] = worth
        slots = pd.DataFrame({
            WEEKDAY: [int(k.split("|")[0]) for k in self.slot_names],
            SHIFT: [k.split("|")[1] for k in self.slot_names],
            PATROLS: [self.config.patrols[(int(k.split("|")[0]), k.split("|")[1])] for k in self.slot_names],
            CAPACITY_MINUTES: self.capacity,
            CAPACITY_SLOTS: self.capacity_slots,
            PLANNED_MINUTES: np.bincount(self.slot_codes, weights=x * self.minutes, minlength=len(self.slot_names)),
            USED_SLOTS: np.bincount(self.slot_codes, weights=x * self.cost, minlength=len(self.slot_names)),
        })
        c[BOUND_BY] = self._reasons(c, slots)
        return c.drop(columns="_rounds"), slots

    def _reasons(self, c: pd.DataFrame, slots: pd.DataFrame) -> np.ndarray:
        """The rule that decided each line (see :data:`REASONS`)."""
        config = self.config
        minutes = c[PLANNED_MINUTES].to_numpy(np.float64)
        area_minutes = np.bincount(self.area_codes, weights=minutes)[self.area_codes]
        street_total = minutes[self.street].sum()
        share = effective_max_share(config.max_share, len(np.unique(self.area_codes[self.street])))
        at_share = self.street & (area_minutes > share * street_total - self.minutes + _EPS) & (share < 1)
        minimum = np.array([config.min_minutes_of(a) for a in c[AREA_ID]]) * self.street
        at_minimum = (minimum > 0) & (area_minutes < minimum + self.minutes - _EPS)
        full = (slots[CAPACITY_SLOTS] - slots[USED_SLOTS]).to_numpy()[self.slot_codes] < 1 - _EPS
        at_revisit = c[VISITS_PLANNED].to_numpy() >= c[MAX_VISITS].to_numpy()
        conditions = [~self.street, at_revisit, at_share, at_minimum, full]
        return np.select(conditions, list(REASONS[:-1]), default=REASONS[-1])


# --- when the rules conflict ---------------------------------------------------------------------------
def _diagnose(model: _Model, config: PlanningConfig, week: str) -> InfeasiblePlanError:
    """Drop rule groups one at a time (then two) and say which to relax."""
    for size in (1, 2):
        fixes = [group for group in combinations(RULES, size) if model.solve(frozenset(group)) is not None]
        if fixes:
            advice = " or ".join(" and ".join(_advice(rule, model, config) for rule in group) for group in fixes)
            names = tuple(dict.fromkeys(rule for group in fixes for rule in group))
            which = "this rule" if size == 1 and len(fixes) == 1 else ("one of these" if size == 1 else "these")
            return InfeasiblePlanError(
                f"the rules cannot all be met{' for week ' + week if week else ''}; relax {which}: {advice}", names)
    return InfeasiblePlanError(
        f"the rules cannot all be met{' for week ' + week if week else ''}, even with any two rule groups dropped; "
        f"raise the capacity ([patrols], patrol.hours, patrol.stay_share) first", ())


def _advice(rule: str, model: _Model, config: PlanningConfig) -> str:
    capacity = float(model.capacity_slots.sum() * config.planned_visit_minutes)
    c = model.c
    if rule == "capacity":
        return (f"capacity ({capacity:.0f} stay minutes in the week from {config.patrols_per_week()} patrols; "
                "raise [patrols], patrol.hours or patrol.stay_share)")
    if rule == "min_presence":
        areas = sorted(set(c[AREA_ID][c[KIND_OF_AREA] == STREET]))
        need = sum(config.min_minutes_of(a) for a in areas)
        return (f"areas.min_minutes_per_week / areas.min_minutes (the minima add up to {need:.0f} planned minutes "
                f"a week, the week has {capacity:.0f})")
    if rule == "max_share":
        streets = c.loc[c[KIND_OF_AREA] == STREET, AREA_ID].nunique()
        return (f"areas.max_share = {config.max_share:g} (with {streets} street areas it must be at least "
                f"{1 / max(streets, 1):.2f}, more where an area's minimum is large)")
    if rule == "garage_rounds":
        garages = c.loc[c[KIND_OF_AREA] == GARAGE, AREA_ID].nunique()
        return (f"garages.rounds_per_week = {config.garage_rounds_per_week} ({garages} garages; garages.shifts "
                f"{', '.join(config.garage_shifts)} and their patrols must have room for every round)")
    slots = ", ".join(f"{WEEKDAY_NAMES[int(k.split('|')[0])]}.{k.split('|')[1]}" for k in model.slot_names[:3])
    return (f"visits.revisit_hours = {config.revisit_hours:g} (one patrol visits an area at most once per "
            f"{config.revisit_hours:g} h of its shift, e.g. in {slots}…)")
