"""Tests of geo.planning.optimize: hand-computed optima, every rule on random inputs, conflicting rules.

The small case (two areas A and B, Monday day and evening, one patrol each):
a visit is 12.5 min; each slot has 2.5 h × 60 × 0.25 = 37.5 stay minutes =
3 visit slots; revisits every 0.8 h give 3 rounds; each round is worth half the
one before. First-round worth of a visit:

    |         | day | evening |
    | A       | 4   | 1.2     |
    | B       | 3   | 2       |

Day: the three best marginal visits are A 4, B 3, A 2 → A 2, B 1 (9).
Evening: B 2, A 1.2, B 1 → A 1, B 2 (4.2). Optimum 13.2.
"""

from __future__ import annotations

import itertools

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from geo.planning.columns import (
    AREA_ID,
    BOUND_BY,
    EXPECTED_ENCOUNTERS,
    GARAGE,
    KIND_OF_AREA,
    PLANNED_MINUTES,
    SHIFT,
    STREET,
    VALUE_PER_VISIT,
    VISITS_PLANNED,
    WEEKDAY,
)
from geo.planning.config import PlanningConfig
from geo.planning.errors import InfeasiblePlanError
from geo.planning.optimize import MAX_VISITS, dose_value, effective_max_share, solve_plan
from geo.planning.slots import SHIFTS

SMALL = PlanningConfig(
    team=None, patrols={(0, "day"): 1, (0, "evening"): 1}, hours={"day": 2.5, "evening": 2.5, "night": 6.0},
    stay_share=0.25, visit_minutes=(10.0, 15.0), revisit_hours=0.8, decay=0.5, fixed_areas=(),
    min_minutes_per_week=0.0, max_share=1.0, garages=(), garage_rounds_per_week=0,
)
VALUES = {("A", "day"): 4.0, ("A", "evening"): 1.2, ("B", "day"): 3.0, ("B", "evening"): 2.0}


def need(values: dict[tuple[str, str], float], *, garages: dict[tuple[str, str], float] | None = None,
         weekday: int = 0) -> pd.DataFrame:
    rows = [{AREA_ID: a, KIND_OF_AREA: STREET, WEEKDAY: weekday, SHIFT: s, VALUE_PER_VISIT: v}
            for (a, s), v in values.items()]
    rows += [{AREA_ID: a, KIND_OF_AREA: GARAGE, WEEKDAY: weekday, SHIFT: s, VALUE_PER_VISIT: v}
             for (a, s), v in (garages or {}).items()]
    return pd.DataFrame(rows)


def visits(solution) -> dict[tuple[str, str], int]:
    c = solution.candidates
    return {(a, s): int(x) for a, s, x in zip(c[AREA_ID], c[SHIFT], c[VISITS_PLANNED])}


def test_two_areas_two_shifts_hand_computed_optimum():
    solution = solve_plan(need(VALUES), SMALL)
    assert visits(solution) == {("A", "day"): 2, ("A", "evening"): 1, ("B", "day"): 1, ("B", "evening"): 2}
    assert solution.expected_encounters == pytest.approx(13.2)
    lines = solution.candidates.set_index([AREA_ID, SHIFT])
    assert lines.loc[("A", "day"), EXPECTED_ENCOUNTERS] == pytest.approx(4 + 2)
    assert lines.loc[("B", "evening"), EXPECTED_ENCOUNTERS] == pytest.approx(2 + 1)
    assert lines.loc[("A", "day"), PLANNED_MINUTES] == 25.0
    assert set(lines[BOUND_BY]) == {"capacity"}  # every slot is full; no other rule binds
    assert solution.slots["capacity_slots"].tolist() == [3.0, 3.0]


def test_a_minimum_for_b_moves_a_day_visit_from_a_to_b():
    # B needs 4 visits (50 min): cheapest is B's second day visit (1.5) instead of A's second (2): 12.7
    config = SMALL.with_changes(min_minutes={"B": 50.0})
    solution = solve_plan(need(VALUES), config)
    assert visits(solution) == {("A", "day"): 1, ("A", "evening"): 1, ("B", "day"): 2, ("B", "evening"): 2}
    assert solution.expected_encounters == pytest.approx(12.7)
    reasons = solution.candidates.set_index([AREA_ID, SHIFT])[BOUND_BY]
    assert reasons[("B", "day")] == reasons[("B", "evening")] == "min_presence"


def test_a_maximum_share_caps_the_strongest_area():
    # A is worth far more (day 4, evening 3; B 0.9 and 0.5): alone it would take all six visits. With at most
    # 60 % of the visits, A keeps its three best (day 4 + 2, evening 3) and B fills the rest (0.9; 0.5 + 0.25)
    values = {("A", "day"): 4.0, ("A", "evening"): 3.0, ("B", "day"): 0.9, ("B", "evening"): 0.5}
    unlimited = solve_plan(need(values), SMALL)
    assert visits(unlimited) == {("A", "day"): 3, ("A", "evening"): 3, ("B", "day"): 0, ("B", "evening"): 0}
    solution = solve_plan(need(values), SMALL.with_changes(max_share=0.6))
    assert visits(solution) == {("A", "day"): 2, ("A", "evening"): 1, ("B", "day"): 1, ("B", "evening"): 2}
    assert solution.expected_encounters == pytest.approx(4 + 2 + 3 + 0.9 + 0.5 + 0.25)
    reasons = solution.candidates.set_index([AREA_ID, SHIFT])[BOUND_BY]
    assert reasons[("A", "day")] == reasons[("A", "evening")] == "max_share"


def test_revisit_rule_caps_visits_per_area_and_shift():
    # one round only (revisit every 2.5 h): A and B once each per slot, a third visit is not allowed
    solution = solve_plan(need(VALUES), SMALL.with_changes(revisit_hours=2.5))
    assert visits(solution) == {k: 1 for k in VALUES}
    assert set(solution.candidates[BOUND_BY]) == {"revisit"}
    assert solution.expected_encounters == pytest.approx(4 + 1.2 + 3 + 2)


def test_garages_get_exactly_their_rounds_in_their_shifts_and_take_visit_slots():
    config = SMALL.with_changes(garages=("G",), garage_rounds_per_week=1, garage_shifts=("evening",),
                                garage_visit_minutes=10.0)
    garages = {("G", "day"): 9.0, ("G", "evening"): 0.1}
    solution = solve_plan(need(VALUES, garages=garages), config)
    plan = visits(solution)
    assert plan[("G", "evening")] == 1 and ("G", "day") not in plan  # never in the day, though worth more there
    # the garage visit takes one of the evening's three slots; the two left go to B (2) and A (1.2), not B's
    # second round (1)
    assert plan[("A", "evening")] == 1 and plan[("B", "evening")] == 1
    assert solution.expected_encounters == pytest.approx(9 + 2 + 1.2 + 0.1)
    assert solution.candidates.set_index([AREA_ID, SHIFT]).loc[("G", "evening"), BOUND_BY] == "garage_rounds"
    assert solution.candidates.set_index([AREA_ID, SHIFT]).loc[("G", "evening"), PLANNED_MINUTES] == 10.0


def test_conflicting_minimum_names_the_rule_to_relax():
    # B needs 7 visits, but two slots of three visits (and 3 rounds each) hold 6 at most
    config = SMALL.with_changes(min_minutes={"B": 87.5})
    with pytest.raises(InfeasiblePlanError, match=r"relax this rule: areas\.min_minutes_per_week / "
                                                  r"areas\.min_minutes \(the minima add up to 88 planned minutes a "
                                                  r"week, the week has 75\)") as caught:
        solve_plan(need(VALUES), config, week="2024-W10")
    assert caught.value.rules == ("min_presence",)
    assert "for week 2024-W10" in str(caught.value)


def test_a_share_below_one_over_the_number_of_areas_is_raised_to_it():
    """With two street areas no area can be held under half the minutes: max_share 0.3 acts as 0.5,
    so the plan exists and splits the street minutes evenly (a district team with one or two areas
    can always be planned)."""
    assert effective_max_share(0.3, 2) == 0.5 and effective_max_share(0.3, 5) == 0.3
    assert effective_max_share(0.35, 1) == 1.0 and effective_max_share(0.35, 0) == 1.0
    lines = solve_plan(need(VALUES), SMALL.with_changes(max_share=0.3, min_minutes={"A": 12.5, "B": 12.5})).lines
    minutes = lines.groupby("area_id")["planned_minutes"].sum()
    assert minutes["A"] == minutes["B"] > 0


def test_too_many_garage_rounds_names_the_garage_rule():
    config = SMALL.with_changes(garages=("G",), garage_rounds_per_week=4, garage_shifts=("evening",))
    with pytest.raises(InfeasiblePlanError, match=r"relax this rule: garages\.rounds_per_week = 4") as caught:
        solve_plan(need(VALUES, garages={("G", "evening"): 1.0}), config)
    assert caught.value.rules == ("garage_rounds",)


def test_the_same_inputs_give_the_same_plan():
    rng = np.random.default_rng(5)
    table = pd.DataFrame([{AREA_ID: a, KIND_OF_AREA: STREET, WEEKDAY: d, SHIFT: s,
                           VALUE_PER_VISIT: float(rng.choice([0.5, 1.0, 1.0, 2.0]))}
                          for a in "ABCDE" for d in range(7) for s in SHIFTS])
    config = PlanningConfig(team=None, fixed_areas=("A", "B"), max_share=0.3)
    first, second = solve_plan(table, config), solve_plan(table.copy(), config)
    pd.testing.assert_frame_equal(first.candidates, second.candidates)


def test_dose_value_is_rounds_of_patrols_each_worth_decay_times_the_last():
    # 5 visits with 2 patrols: 2 × 1 + 2 × 0.5 + 1 × 0.25
    assert dose_value(np.array([5.0, 0.0, 1.5]), np.array([1.0, 3.0, 2.0]), np.array([2, 1, 0]), 0.5).tolist() == \
        pytest.approx([3.25, 0.0, 1.0 * 2 + 0.5 * 0.5 * 2])


# --- every rule respected on random inputs -------------------------------------------------------
AREAS = ("A", "B", "C")
SLOTS = [(d, s) for d in (0, 4) for s in SHIFTS]


@st.composite
def instances(draw):
    patrols = {slot: draw(st.integers(0, 3)) for slot in SLOTS}
    if not any(patrols.values()):
        patrols[SLOTS[0]] = 1
    garages = draw(st.sampled_from([(), ("G",)]))
    config = PlanningConfig(
        team=None, patrols={k: v for k, v in patrols.items() if v},
        hours={"day": draw(st.sampled_from([2.0, 5.0])), "evening": 6.0, "night": draw(st.sampled_from([4.0, 6.0]))},
        stay_share=draw(st.sampled_from([0.1, 0.25, 0.4])), visit_minutes=(10.0, 15.0),
        revisit_hours=draw(st.sampled_from([1.0, 2.0, 3.0])), decay=draw(st.sampled_from([0.3, 0.6, 1.0])),
        fixed_areas=tuple(draw(st.sets(st.sampled_from(AREAS)))), min_minutes_per_week=draw(st.sampled_from([0, 25, 60])),
        max_share=draw(st.sampled_from([0.34, 0.5, 0.8, 1.0])), garages=garages,
        garage_rounds_per_week=draw(st.integers(0, 3)) if garages else 0,
        garage_shifts=tuple(draw(st.lists(st.sampled_from(SHIFTS), min_size=1, unique=True))),
        garage_visit_minutes=draw(st.sampled_from([5.0, 10.0, 20.0])),
    )
    values = draw(st.lists(st.floats(0.0, 5.0, allow_nan=False), min_size=len(SLOTS) * 4, max_size=len(SLOTS) * 4))
    rows = [{AREA_ID: a, KIND_OF_AREA: GARAGE if a == "G" else STREET, WEEKDAY: d, SHIFT: s, VALUE_PER_VISIT: v}
            for (a, (d, s)), v in zip(itertools.product((*AREAS, "G"), SLOTS), values) if a != "G" or garages]
    return pd.DataFrame(rows), config


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_every_rule_is_respected_on_random_inputs(instance):
    table, config = instance
    try:
        solution = solve_plan(table, config)
    except InfeasiblePlanError as exc:
        assert exc.rules or "even with any two rule groups dropped" in str(exc)
        return
    c = solution.candidates
    x = c[VISITS_PLANNED].to_numpy()
    assert (x >= 0).all() and np.issubdtype(x.dtype, np.integer)
    unit = config.planned_visit_minutes
    cost = np.where(c[KIND_OF_AREA] == STREET, 1.0, np.ceil(c["visit_minutes"] / unit - 1e-9))
    for (d, s), part in c.assign(_cost=cost * x).groupby([WEEKDAY, SHIFT]):
        assert part["_cost"].sum() <= np.floor(config.stay_minutes(d, s) / unit + 1e-9)  # capacity
        assert part[PLANNED_MINUTES].sum() <= config.stay_minutes(d, s) + 1e-9
        assert config.patrols.get((d, s), 0) > 0  # only slots with patrols
    assert (x <= c[MAX_VISITS].to_numpy()).all()  # revisit
    streets = c[c[KIND_OF_AREA] == STREET]
    per_area = streets.groupby(AREA_ID)[PLANNED_MINUTES].sum()
    for area, minutes in per_area.items():
        assert minutes >= config.min_minutes_of(area) - 1e-9  # minimum presence (fixed areas never dropped)
        assert minutes <= config.max_share * per_area.sum() + 1e-9  # largest share
    garage = c[c[KIND_OF_AREA] == GARAGE]
    if len(garage):
        assert garage[VISITS_PLANNED].sum() == config.garage_rounds_per_week
        assert set(garage.loc[garage[VISITS_PLANNED] > 0, SHIFT]) <= set(config.garage_shifts)
    worth = dose_value(x, c[VALUE_PER_VISIT], c["patrols"], config.decay)
    assert solution.expected_encounters == pytest.approx(worth.sum(), abs=1e-6)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0.0, 4.0, allow_nan=False), min_size=4, max_size=4),
       st.sampled_from([0.4, 0.6, 1.0]), st.sampled_from([0.0, 25.0]))
def test_the_plan_is_the_optimum_of_an_exhaustive_search(values, share, minimum):
    table = need(dict(zip(VALUES, values)))
    config = SMALL.with_changes(max_share=share, min_minutes={"B": minimum})
    try:
        solution = solve_plan(table, config)
    except InfeasiblePlanError:
        solution = None
    best = None
    patrols = np.ones(4)
    share = max(share, 0.5)  # two street areas: no area can be held under half (effective_max_share)
    for x in itertools.product(range(4), repeat=4):  # (A day, A evening, B day, B evening)
        x = np.array(x)
        if x[0] + x[2] > 3 or x[1] + x[3] > 3:
            continue
        a, b = x[0] + x[1], x[2] + x[3]
        if b * 12.5 < minimum or a > share * (a + b) + 1e-9 or b > share * (a + b) + 1e-9:
            continue
        worth = dose_value(x.astype(float), np.array(values), patrols, 0.5).sum()
        best = worth if best is None else max(best, worth)
    if best is None:
        assert solution is None
    else:
        assert solution is not None and solution.expected_encounters == pytest.approx(best, abs=1e-6)
