"""Backtest of patrol planning on the demo store, scored against the generator's own need field.

Usage::

    .venv/bin/python -m bench.planning --store /tmp/planning-demo.gpkg [--first 2023-W01] [--last 2024-W52]
                                       [--config FILE] [--csv FILE]

For every ISO week of the range the planner (``geo.planning``) plans from the
weeks **before** it only. Four allocations of the week's street presence
minutes (field areas × weekday × shift; parking garages are left out of the
score, see below) are then scored against the demo generator's expected
encounters per hour of stay in each area that week
(:func:`geo.demo.need_field.need_field`), which the planner never sees:

- **plan**: the recommended plan's planned minutes;
- **historical**: the presence the demo's patrols really had that week (GPS);
- **uniform**: the same minutes spread evenly over the street areas, and over
  the slots in proportion to their capacity;
- **oracle**: the same integer programme (same rules, same diminishing
  returns) given the true need instead of the estimate: the best a plan under
  these rules could do with perfect knowledge.

Every allocation is scaled to the plan's total street minutes, so a score
compares *where and when* the minutes go, not how many there are: score =
Σ minutes × true encounters per stay-hour / 60. The truth has no diminishing
returns (the generator's encounters are linear in time standing), while the
plan optimises with them and under the rules (minimum per fixed area, maximum
share), so the oracle, not 1.0, is the ceiling of plan/historical.

Garages: their presence is not measured (no GPS fix indoors), so the historical
allocation has next to no garage minutes; they are planned by rounds (a rule,
not a need decision) and left out of every score.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from geo.demo.need_field import INTENSITY, need_field
from geo.planning import load_config
from geo.planning.columns import AREA_ID, KIND_OF_AREA, PLANNED_MINUTES, PRESENCE_HOURS, SHIFT, STREET, WEEK_START, \
    WEEKDAY, VALUE_PER_VISIT
from geo.planning.config import PlanningConfig
from geo.planning.errors import PlanningError
from geo.planning.history import read_history
from geo.planning.need import WEEKS_PER_YEAR
from geo.planning.optimize import solve_plan
from geo.planning.recommendation import plan_from_history, planned_areas
from geo.planning.slots import parse_week, week_label
from geo.schema import SERVICE_DAY
from geo.store import open_store

ALLOCATIONS = ("plan", "historical", "uniform", "oracle")
RATIOS = (("plan", "historical"), ("plan", "uniform"), ("historical", "uniform"), ("plan", "oracle"),
          ("oracle", "historical"))
KEYS = [AREA_ID, WEEKDAY, SHIFT]


def backtest(store_path: str, *, first: str, last: str, config: PlanningConfig) -> pd.DataFrame:
    """One row per week: the four scores (expected encounters at the plan's street minutes), the plan's
    street minutes and solve time. Weeks the planner cannot plan (no history yet) are left out."""
    store = open_store(store_path, create=False)
    first_monday, last_monday = parse_week(first), parse_week(last)
    history = read_history(store, first_day=first_monday - dt.timedelta(weeks=WEEKS_PER_YEAR + config.history_weeks + 2),
                           last_day=last_monday + dt.timedelta(days=6), team=config.team)
    truth = _weekly_truth(first_monday, last_monday)
    rows = []
    monday = first_monday
    while monday <= last_monday:
        sunday = monday + dt.timedelta(days=6)
        areas = planned_areas(store, config, first_day=monday, last_day=sunday)
        before = history.between(history.first_day, monday - dt.timedelta(days=1))
        try:
            plan = plan_from_history(before, monday=monday, areas=areas, config=config)
        except PlanningError as exc:
            print(f"{week_label(monday)}: skipped ({exc})", file=sys.stderr)
            monday += dt.timedelta(weeks=1)
            continue
        rows.append(_score_week(plan, history, truth[truth[WEEK_START] == monday], config))
        monday += dt.timedelta(weeks=1)
    return pd.DataFrame(rows)


def _score_week(plan, history, truth: pd.DataFrame, config: PlanningConfig) -> dict:
    monday = plan.first_day
    candidates = plan.solution.candidates
    streets = candidates[candidates[KIND_OF_AREA] == STREET]
    rate = truth.set_index(KEYS)[INTENSITY]
    plan_minutes = streets.set_index(KEYS)[PLANNED_MINUTES]
    total = float(plan_minutes.sum())

    cells = history.cells[(history.cells[WEEK_START] == monday)
                          & history.cells[AREA_ID].isin(streets[AREA_ID].unique())]
    historical = cells.groupby(KEYS)[PRESENCE_HOURS].sum() * 60.0

    capacity = streets.drop_duplicates([WEEKDAY, SHIFT]).set_index([WEEKDAY, SHIFT])
    slot_minutes = pd.Series([config.stay_minutes(d, s) for d, s in capacity.index], index=capacity.index)
    area_ids = sorted(streets[AREA_ID].unique())
    uniform = pd.Series({(a, d, s): m / len(area_ids) for a in area_ids for (d, s), m in slot_minutes.items()})
    uniform.index.names = KEYS

    oracle_need = plan.need.table.copy()
    true_rate = rate.reindex(pd.MultiIndex.from_frame(oracle_need[KEYS])).to_numpy()
    street = (oracle_need[KIND_OF_AREA] == STREET).to_numpy()
    oracle_need[VALUE_PER_VISIT] = np.where(street, np.nan_to_num(true_rate) * config.planned_visit_minutes / 60.0,
                                            oracle_need[VALUE_PER_VISIT])
    oracle = solve_plan(oracle_need, config).candidates
    oracle = oracle[oracle[KIND_OF_AREA] == STREET].set_index(KEYS)[PLANNED_MINUTES]

    scores = {name: _score(minutes, rate, total) for name, minutes in
              (("plan", plan_minutes), ("historical", historical), ("uniform", uniform), ("oracle", oracle))}
    return {"week": plan.week, "street_minutes": total, "historical_minutes": float(historical.sum()),
            "solve_s": plan.solution.seconds, **scores,
            "seasonal_factor": plan.need.seasonal.get(STREET).factor if STREET in plan.need.seasonal else 1.0}


def _score(minutes: pd.Series, rate: pd.Series, total: float) -> float:
    """Expected encounters of ``minutes`` (scaled to ``total``) at the true rate per stay-hour."""
    minutes = minutes[minutes > 0]
    if minutes.sum() <= 0:
        return float("nan")
    true = rate.reindex(minutes.index).fillna(0.0).to_numpy()
    return float((minutes.to_numpy() * total / minutes.sum() * true).sum() / 60.0)


def _weekly_truth(first_monday: dt.date, last_monday: dt.date) -> pd.DataFrame:
    field = need_field(first_monday, last_monday + dt.timedelta(days=6))
    days = pd.to_datetime(pd.Series(field[SERVICE_DAY]))
    field[WEEKDAY] = days.dt.day_of_week.to_numpy()
    field[WEEK_START] = (days - pd.to_timedelta(field[WEEKDAY], unit="D")).dt.date.to_numpy()
    return field[[WEEK_START, AREA_ID, WEEKDAY, SHIFT, INTENSITY]]


def summary(results: pd.DataFrame) -> pd.DataFrame:
    """Per ratio: median, quartiles, min, max and the share of weeks above 1, over all weeks and per year."""
    rows = []
    years = sorted({w[:4] for w in results["week"]})
    for scope in ["all", *years]:
        part = results if scope == "all" else results[results["week"].str.startswith(scope)]
        for top, bottom in RATIOS:
            ratio = part[top] / part[bottom]
            rows.append({"weeks": scope, "ratio": f"{top} / {bottom}", "n": len(ratio), "median": ratio.median(),
                         "p25": ratio.quantile(0.25), "p75": ratio.quantile(0.75), "min": ratio.min(),
                         "max": ratio.max(), "share_above_1": float((ratio > 1).mean())})
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame) -> str:
    head = "| weeks | ratio | n | median | p25–p75 | min–max | weeks > 1 |"
    lines = [head, "|---|---|---|---|---|---|---|"]
    for r in table.itertuples(index=False):
        lines.append(f"| {r.weeks} | {r.ratio} | {r.n} | {r.median:.3f} | {r.p25:.3f}–{r.p75:.3f} | "
                     f"{r.min:.3f}–{r.max:.3f} | {r.share_above_1:.0%} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.planning", description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True, help="demo store (python -m geo demo), at least 2022–2024")
    parser.add_argument("--first", default="2023-W01", help="first ISO week planned (default 2023-W01)")
    parser.add_argument("--last", default="2024-W52", help="last ISO week planned (default 2024-W52)")
    parser.add_argument("--config", help="planning file (default config/planning.toml)")
    parser.add_argument("--no-seasonal", action="store_true", help="plan without the seasonal factor")
    parser.add_argument("--csv", help="write one row per week to this file")
    args = parser.parse_args(argv)
    config = load_config(args.config) if args.config else load_config()
    if args.no_seasonal:
        config = config.with_changes(seasonal=False)
    began = time.perf_counter()
    results = backtest(args.store, first=args.first, last=args.last, config=config)
    if args.csv:
        Path(args.csv).write_text(results.to_csv(index=False), encoding="utf-8")
    print(markdown(summary(results)))
    solve = results["solve_s"]
    print(f"\n{len(results)} weeks in {time.perf_counter() - began:.0f} s; solve time per plan median "
          f"{solve.median() * 1000:.0f} ms, max {solve.max() * 1000:.0f} ms; plan street minutes per week "
          f"{results['street_minutes'].median():.0f} (historical presence {results['historical_minutes'].median():.0f}); "
          f"seasonal factor applied in {(results['seasonal_factor'] != 1).mean():.0%} of weeks")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
