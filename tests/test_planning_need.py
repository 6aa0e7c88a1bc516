"""Tests of geo.planning.need: effort-corrected, shrunk need with hand-computed posteriors.

Histories are built directly (no store) as week × area × weekday × shift rows.
With one history week the recency weight is exactly 1, so the Gamma–Poisson
posteriors can be written out by hand (see each test).
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from geo.planning.columns import (
    ACTUAL_VISITS,
    AREA_ID,
    AREA_RATE,
    CATEGORY,
    ENCOUNTERS,
    GARAGE,
    KIND_OF_AREA,
    NEED_HIGH,
    NEED_LOW,
    NEED_RATE,
    NEED_SD,
    NEED_UNIT,
    NEED_WEEKS,
    PATROLS,
    PRESENCE_HOURS,
    RECENT_MINUTES,
    SHIFT,
    SHRINKAGE,
    STREET,
    VALUE_PER_VISIT,
    WEEK_START,
    WEEKDAY,
)
from geo.planning.config import PlanningConfig
from geo.planning.errors import PlanningError
from geo.planning.history import History
from geo.planning.need import estimate_need

TARGET = dt.date(2024, 3, 4)  # Monday of 2024-W10
WEEK = dt.timedelta(weeks=1)
ONE_WEEK = PlanningConfig(team=None, history_weeks=1)


def history(rows: list[tuple], *, extra_patrol_weeks: tuple[dt.date, ...] = ()) -> History:
    """From ``(week_start, area, weekday, shift, hours, visits, {category: n})`` rows."""
    cells = pd.DataFrame([{WEEK_START: w, AREA_ID: a, WEEKDAY: d, SHIFT: s, PRESENCE_HOURS: float(h),
                           ACTUAL_VISITS: float(v)} for w, a, d, s, h, v, _ in rows])
    enc = pd.DataFrame([{WEEK_START: w, AREA_ID: a, WEEKDAY: d, SHIFT: s, CATEGORY: c, ENCOUNTERS: float(n)}
                        for w, a, d, s, _, _, counts in rows for c, n in counts.items()],
                       columns=[WEEK_START, AREA_ID, WEEKDAY, SHIFT, CATEGORY, ENCOUNTERS])
    weeks = sorted({r[0] for r in rows} | set(extra_patrol_weeks))
    patrols = pd.DataFrame({WEEK_START: weeks, WEEKDAY: 0, SHIFT: "day", PATROLS: 1})
    return History(first_day=weeks[0], last_day=TARGET - dt.timedelta(days=1), team=None, cells=cells,
                   encounters=enc, patrols=patrols)


def areas(*ids: str, garages: tuple[str, ...] = ()) -> pd.DataFrame:
    return pd.DataFrame({AREA_ID: [*ids, *garages], KIND_OF_AREA: [STREET] * len(ids) + [GARAGE] * len(garages)})


def slot(table: pd.DataFrame, area: str, weekday: int = 0, shift: str = "day") -> pd.Series:
    return table[(table[AREA_ID] == area) & (table[WEEKDAY] == weekday) & (table[SHIFT] == shift)].iloc[0]


def test_an_area_nobody_visited_has_the_services_rate_and_wide_uncertainty_not_zero():
    # A: 50 encounters in 10 h, B: 10 in 10 h, C: never visited.
    # Service rate m = 60/20 = 3; s² = (10·2² + 10·2²)/20 = 4; between-area variance A = 4 − 3/10 = 3.7;
    # prior Gamma(α = 9/3.7, β = 3/3.7). A: (α + 50)/(β + 10); C: α/β = 3 with variance α/β² = 3.7.
    last = TARGET - WEEK
    need = estimate_need(history([(last, "A", 0, "day", 10, 20, {"conversation": 50}),
                                  (last, "B", 0, "day", 10, 20, {"conversation": 10})]),
                         target=TARGET, areas=areas("A", "B", "C"), config=ONE_WEEK).table
    alpha, beta = 9 / 3.7, 3 / 3.7
    assert slot(need, "C")[NEED_RATE] == pytest.approx(3.0)
    assert slot(need, "C")[NEED_SD] == pytest.approx(math.sqrt(3.7))
    assert slot(need, "C")[NEED_LOW] > 0 and slot(need, "C")[NEED_HIGH] > 6
    assert slot(need, "C")[NEED_WEEKS] == 0
    assert slot(need, "A")[NEED_RATE] == pytest.approx((alpha + 50) / (beta + 10))
    assert slot(need, "A")[NEED_SD] == pytest.approx(math.sqrt(alpha + 50) / (beta + 10))
    assert slot(need, "B")[NEED_RATE] == pytest.approx((alpha + 10) / (beta + 10))
    # one slot per area: no variation between slots can be seen, so every slot of A has A's rate
    assert slot(need, "A", 3, "night")[NEED_RATE] == pytest.approx(slot(need, "A")[NEED_RATE])
    assert slot(need, "A")[NEED_WEEKS] == 1 and slot(need, "A", 3, "night")[NEED_WEEKS] == 0
    assert (need[SHRINKAGE] == 1.0).all()
    assert len(need) == 3 * 7 * 3  # every area × weekday × shift


def test_a_slot_with_much_presence_keeps_its_rate_and_an_unvisited_slot_gets_the_areas():
    # One area, day 100 encounters in 10 h, evening 10 in 10 h. Area rate m = 110/20 = 5.5.
    # μ = 55 in both; 1/κ = ((45² − 100) + (45² − 10)) / (2 · 55²) = 3940/6050.
    # Day: (κ + 100)/(κ/m + 10); evening: (κ + 10)/(κ/m + 10); any other slot: m.
    last = TARGET - WEEK
    need = estimate_need(history([(last, "A", 0, "day", 10, 30, {"conversation": 100}),
                                  (last, "A", 0, "evening", 10, 30, {"conversation": 10})]),
                         target=TARGET, areas=areas("A"), config=ONE_WEEK).table
    kappa = 6050 / 3940
    assert slot(need, "A", 0, "day")[NEED_RATE] == pytest.approx((kappa + 100) / (kappa / 5.5 + 10))
    assert slot(need, "A", 0, "evening")[NEED_RATE] == pytest.approx((kappa + 10) / (kappa / 5.5 + 10))
    assert slot(need, "A", 2, "night")[NEED_RATE] == pytest.approx(5.5)
    assert slot(need, "A", 0, "day")[SHRINKAGE] == pytest.approx((kappa / 5.5) / (kappa / 5.5 + 10))
    assert slot(need, "A", 2, "night")[SHRINKAGE] == pytest.approx(1.0)
    assert need[AREA_RATE].tolist() == pytest.approx([5.5] * len(need))


def test_recent_weeks_count_more_and_the_uncertainty_follows_the_weights():
    # Half-life 1 week: the latest week weighs 1, the one before 0.5.
    # Y = 10 + 0.5·30 = 25 in E = 10 + 0.5·10 = 15 h: 5/3 an hour; Poisson variance of Y: 10 + 0.25·30 = 17.5,
    # so the pooled rate's variance is m · (17.5/25) / 15.
    rows = [(TARGET - WEEK, "A", 0, "day", 10, 5, {"conversation": 10}),
            (TARGET - 2 * WEEK, "A", 0, "day", 10, 5, {"conversation": 30})]
    need = estimate_need(history(rows), target=TARGET, areas=areas("A"),
                         config=PlanningConfig(team=None, history_weeks=2, half_life_weeks=1.0)).table
    assert slot(need, "A")[NEED_RATE] == pytest.approx(5 / 3)
    assert slot(need, "A")[NEED_SD] == pytest.approx(math.sqrt(5 / 3 * 0.7 / 15))
    assert slot(need, "A")[NEED_WEEKS] == 2


def test_category_weights_and_the_value_of_one_planned_visit():
    # 2 conversations and 1 acute help weighing 3 → 5 weighted encounters in 2 h: 2.5 an hour;
    # one planned visit of 12.5 min is worth 2.5 · 12.5/60.
    rows = [(TARGET - WEEK, "A", 0, "day", 2, 3, {"conversation": 2, "acute_help": 1})]
    config = PlanningConfig(team=None, history_weeks=1, weights={"acute_help": 3.0})
    need = estimate_need(history(rows), target=TARGET, areas=areas("A"), config=config).table
    assert slot(need, "A")[NEED_RATE] == pytest.approx(2.5)
    assert slot(need, "A")[VALUE_PER_VISIT] == pytest.approx(2.5 * 12.5 / 60)
    assert slot(need, "A")[NEED_UNIT] == "hour"
    assert slot(need, "A")[RECENT_MINUTES] == pytest.approx(120.0)


def test_garages_are_estimated_per_visit_apart_from_the_streets():
    # No GPS indoors: 6 encounters in 12 recorded visits (0.05 h of presence) is 0.5 per visit, not 120 an hour
    rows = [(TARGET - WEEK, "A", 0, "day", 10, 20, {"conversation": 30}),
            (TARGET - WEEK, "G", 0, "evening", 0.05, 12, {"conversation": 6})]
    need = estimate_need(history(rows), target=TARGET, areas=areas("A", garages=("G",)), config=ONE_WEEK).table
    garage = slot(need, "G", 0, "evening")
    assert garage[NEED_UNIT] == "visit" and garage[NEED_RATE] == pytest.approx(0.5)
    assert garage[VALUE_PER_VISIT] == pytest.approx(0.5)
    assert slot(need, "A")[NEED_RATE] == pytest.approx(3.0)  # the garage does not pull the streets' rate


def test_the_seasonal_factor_needs_a_year_of_history_and_is_shrunk():
    # Last year the rate doubled from the history window (T−53: 100 in 100 h) to the planned week ± 1
    # (T−53..T−51: 600 in 300 h): raw factor 2, log variance 1/600 + 1/100, James–Stein weight 1 − v/ln²2.
    year = dt.timedelta(weeks=52)
    rows = [(TARGET - WEEK, "A", 0, "day", 10, 20, {"conversation": 10}),
            (TARGET - year - WEEK, "A", 0, "day", 100, 20, {"conversation": 100}),
            (TARGET - year, "A", 0, "day", 100, 20, {"conversation": 250}),
            (TARGET - year + WEEK, "A", 0, "day", 100, 20, {"conversation": 250})]
    estimate = estimate_need(history(rows), target=TARGET, areas=areas("A"), config=ONE_WEEK)
    seasonal = estimate.seasonal[STREET]
    keep = 1 - (1 / 600 + 1 / 100) / math.log(2) ** 2
    assert seasonal.reason == "applied" and seasonal.raw == pytest.approx(2.0)
    assert seasonal.factor == pytest.approx(math.exp(keep * math.log(2)))
    assert slot(estimate.table, "A")[NEED_RATE] == pytest.approx(1.0 * seasonal.factor)

    short = estimate_need(history(rows[:1]), target=TARGET, areas=areas("A"), config=ONE_WEEK).seasonal[STREET]
    assert short.reason == "short_history" and short.factor == 1.0
    off = estimate_need(history(rows), target=TARGET, areas=areas("A"),
                        config=ONE_WEEK.with_changes(seasonal=False)).seasonal[STREET]
    assert off.reason == "switched_off" and off.factor == 1.0


def test_a_seasonal_change_within_its_noise_is_not_applied():
    year = dt.timedelta(weeks=52)
    rows = [(TARGET - WEEK, "A", 0, "day", 10, 20, {"conversation": 10}),
            (TARGET - year - WEEK, "A", 0, "day", 4, 2, {"conversation": 4}),
            (TARGET - year, "A", 0, "day", 4, 2, {"conversation": 5})]
    seasonal = estimate_need(history(rows), target=TARGET, areas=areas("A"), config=ONE_WEEK).seasonal[STREET]
    assert seasonal.reason == "within_noise" and seasonal.factor == 1.0 and seasonal.raw > 1


def test_weeks_without_patrols_are_skipped_not_counted_as_zero():
    # history.weeks = 1 picks the latest week *with patrols* (three weeks back), not the empty one before TARGET
    rows = [(TARGET - 3 * WEEK, "A", 0, "day", 10, 20, {"conversation": 40})]
    estimate = estimate_need(history(rows), target=TARGET, areas=areas("A"), config=ONE_WEEK)
    assert estimate.history_weeks == (TARGET - 3 * WEEK,)
    assert slot(estimate.table, "A")[NEED_RATE] == pytest.approx(4.0)


def test_no_patrols_before_the_week_is_a_clear_error():
    rows = [(TARGET, "A", 0, "day", 10, 20, {"conversation": 40})]
    with pytest.raises(PlanningError, match=r"no patrols of any team before week 2024-W10 in the store: nothing to "
                                            r"estimate need from"):
        estimate_need(history(rows), target=TARGET, areas=areas("A"), config=ONE_WEEK)
