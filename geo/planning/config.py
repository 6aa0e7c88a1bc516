"""Capacity, rules and weights of patrol planning, read from ``config/planning.toml``.

The file is meant to be edited by a manager. Every mistake gives a
:class:`~geo.planning.errors.PlanningConfigError` naming the file, the key
(``patrols.friday.night``), the value found and the values allowed. Keys left
out take the defaults below, which follow PRODUCT.md (*Who uses it*): on
weekdays about 3 day and 4 evening patrols until midnight; at weekends fewer,
with night patrols until 04:00 on Friday and Saturday nights (39 a week);
two staff per patrol; the fixed field areas are never dropped; parking
garages get rounds; a visit (stay) lasts 10–15 minutes.

Units: hours per patrol are elapsed hours from start to end; minutes are
presence minutes of one patrol (patrol-minutes; × staff for person-minutes).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from geo.planning.errors import PlanningConfigError
from geo.planning.slots import SHIFTS, WEEKDAY_NAMES
from geo.schema import Category

CONFIG_FILE = Path(__file__).resolve().parents[2] / "config" / "planning.toml"
"""The planning settings shipped with Feltkart (``config/planning.toml``)."""

DEFAULT_PATROLS: dict[tuple[int, str], int] = {
    **{(d, "day"): 3 for d in range(4)}, **{(d, "evening"): 4 for d in range(4)},
    (4, "day"): 2, (4, "evening"): 1, (4, "night"): 2,
    (5, "evening"): 1, (5, "night"): 2,
    (6, "day"): 1, (6, "evening"): 2,
}
"""Patrols per (service-day weekday, shift): 39 a week."""

DEFAULT_HOURS = {"day": 5.0, "evening": 6.0, "night": 6.0}
"""Hours per patrol, start to end (night: 22:00–04:00)."""

DEFAULT_STAY_SHARE = 0.4
"""Share of a patrol's hours spent in planned stays in field areas (the rest: walking between
areas, breaks, follow-up work)."""

DEFAULT_VISIT_MINUTES = (10.0, 15.0)
"""Target stay per visit, minutes (Koper 1995; Telep et al. 2014: 12–16 min)."""

DEFAULT_REVISIT_HOURS = 2.0
"""A patrol comes back to the same area at most once in this many hours (short, spread-out stays)."""

DEFAULT_DECAY = 0.6
"""Each further round of visits to one area in one shift is worth this share of the round before."""

DEFAULT_MAX_SHARE = 0.35
DEFAULT_MIN_MINUTES = 120.0
DEFAULT_GARAGE_ROUNDS = 3
DEFAULT_GARAGE_MINUTES = 10.0
DEFAULT_GARAGE_SHIFTS = ("evening", "night")
DEFAULT_HISTORY_WEEKS = 8
DEFAULT_HALF_LIFE_WEEKS = 4.0
DEFAULT_GAP_SHARE = 0.5
"""Plan against actual: a line with less actual presence than this share of the planned minutes is a gap."""

MAX_HISTORY_WEEKS = 104
MAX_PATROLS_PER_SLOT = 50
MAX_HOURS = 16.0

_TOP_KEYS = {"team", "history", "patrols", "patrol", "visits", "areas", "garages", "weights", "follow_up"}
_SECTION_KEYS = {
    "history": {"weeks", "half_life_weeks", "seasonal"},
    "patrol": {"hours", "staff", "stay_share"},
    "visits": {"minutes", "revisit_hours", "decay"},
    "areas": {"fixed", "min_minutes_per_week", "min_minutes", "max_share"},
    "garages": {"areas", "rounds_per_week", "shifts", "visit_minutes"},
    "follow_up": {"gap_share"},
}


@dataclass(frozen=True)
class PlanningConfig:
    """Everything a plan depends on besides the store.

    Attributes
    ----------
    team
        Team whose patrols and field areas are planned; None = every team.
    history_weeks, half_life_weeks
        Weeks of history behind each need estimate (the most recent weeks with
        patrols before the planned week) and the half-life of their recency
        weights, weeks.
    seasonal
        Use a seasonal factor where a year of history supports it (see :mod:`geo.planning.need`).
    patrols
        Patrols per (weekday, shift); a missing slot has none.
    hours
        Hours per patrol, by shift.
    staff
        Staff per patrol (person-minutes = patrol-minutes × staff).
    stay_share
        Share of each patrol's hours spent in planned stays.
    visit_minutes
        (min, max) target stay per visit, minutes; visits are planned at the midpoint.
    revisit_hours
        Fewest hours between two visits of one patrol to one area.
    decay
        Worth of each further round of visits to an area in a shift, relative to the round before (0–1].
    fixed_areas, min_minutes_per_week, min_minutes
        Fixed field areas (never dropped: each gets at least ``min_minutes_per_week``
        planned minutes a week); ``min_minutes`` overrides the minimum per area (also
        for areas that are not fixed).
    max_share
        Largest share of the week's planned street minutes one area may get.
    garages, garage_rounds_per_week, garage_shifts, garage_visit_minutes
        Parking garages planned by rounds: each gets exactly ``garage_rounds_per_week``
        visits a week, in ``garage_shifts``, of ``garage_visit_minutes`` each.
    weights
        Weight per encounter category (1 when not listed).
    gap_share
        Plan against actual: less actual presence than this share of the plan is a gap.
    source
        File the settings were read from (for messages), or ``"defaults"``.
    """

    team: str | None = "uteseksjonen"
    history_weeks: int = DEFAULT_HISTORY_WEEKS
    half_life_weeks: float = DEFAULT_HALF_LIFE_WEEKS
    seasonal: bool = True
    patrols: dict[tuple[int, str], int] = field(default_factory=lambda: dict(DEFAULT_PATROLS))
    hours: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_HOURS))
    staff: int = 2
    stay_share: float = DEFAULT_STAY_SHARE
    visit_minutes: tuple[float, float] = DEFAULT_VISIT_MINUTES
    revisit_hours: float = DEFAULT_REVISIT_HOURS
    decay: float = DEFAULT_DECAY
    fixed_areas: tuple[str, ...] = ()
    min_minutes_per_week: float = DEFAULT_MIN_MINUTES
    min_minutes: dict[str, float] = field(default_factory=dict)
    max_share: float = DEFAULT_MAX_SHARE
    garages: tuple[str, ...] = ()
    garage_rounds_per_week: int = DEFAULT_GARAGE_ROUNDS
    garage_shifts: tuple[str, ...] = DEFAULT_GARAGE_SHIFTS
    garage_visit_minutes: float = DEFAULT_GARAGE_MINUTES
    weights: dict[str, float] = field(default_factory=dict)
    gap_share: float = DEFAULT_GAP_SHARE
    source: str = "defaults"

    @property
    def planned_visit_minutes(self) -> float:
        """Minutes planned per street visit: the middle of :attr:`visit_minutes`."""
        return (self.visit_minutes[0] + self.visit_minutes[1]) / 2.0

    def rounds(self, shift: str) -> int:
        """Visits one patrol can pay one area in a shift: one per :attr:`revisit_hours`, at least one."""
        return max(1, int(math.floor(self.hours[shift] / self.revisit_hours + 1e-9)))

    def stay_minutes(self, weekday: int, shift: str) -> float:
        """Minutes of planned stays the patrols of one slot have in total."""
        return self.patrols.get((weekday, shift), 0) * self.hours[shift] * 60.0 * self.stay_share

    def min_minutes_of(self, area_id: str) -> float:
        """Weekly minimum planned minutes of ``area_id`` (0 for areas neither fixed nor listed)."""
        if area_id in self.min_minutes:
            return self.min_minutes[area_id]
        return self.min_minutes_per_week if area_id in self.fixed_areas else 0.0

    def patrols_per_week(self) -> int:
        return int(sum(self.patrols.values()))

    def with_changes(self, **changes: Any) -> PlanningConfig:
        """A copy with ``changes`` (e.g. patrols or weights picked on the page), checked like the file."""
        changed = replace(self, **changes)
        _check(changed, changed.source)
        return changed

    def as_dict(self) -> dict[str, Any]:
        """The settings as plain JSON-ready values (saved with every plan)."""
        return {
            "team": self.team, "history_weeks": self.history_weeks, "half_life_weeks": self.half_life_weeks,
            "seasonal": self.seasonal,
            "patrols": {f"{WEEKDAY_NAMES[d]}.{s}": n for (d, s), n in sorted(self.patrols.items())},
            "hours": dict(self.hours), "staff": self.staff, "stay_share": self.stay_share,
            "visit_minutes": list(self.visit_minutes), "revisit_hours": self.revisit_hours, "decay": self.decay,
            "fixed_areas": list(self.fixed_areas), "min_minutes_per_week": self.min_minutes_per_week,
            "min_minutes": dict(self.min_minutes), "max_share": self.max_share, "garages": list(self.garages),
            "garage_rounds_per_week": self.garage_rounds_per_week, "garage_shifts": list(self.garage_shifts),
            "garage_visit_minutes": self.garage_visit_minutes, "weights": dict(self.weights),
            "gap_share": self.gap_share,
        }


def load_config(path: str | Path = CONFIG_FILE) -> PlanningConfig:
    """Read and check a planning file (TOML, see ``config/planning.toml``)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PlanningConfigError(f"planning file {path} not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PlanningConfigError(f"planning file {path} is not valid TOML: {exc}") from exc
    return parse_config(data, source=path.name)


def parse_config(data: dict[str, Any], *, source: str = "planning.toml") -> PlanningConfig:
    """A :class:`PlanningConfig` from the parsed TOML ``data`` (keys left out keep their defaults)."""
    where = _Where(source)
    where.keys("", data, _TOP_KEYS)
    for section, allowed in _SECTION_KEYS.items():
        where.keys(section, where.table(section, data.get(section, {})), allowed)
    history = data.get("history", {})
    patrol = data.get("patrol", {})
    visits = data.get("visits", {})
    areas = data.get("areas", {})
    garages = data.get("garages", {})
    team = data.get("team", PlanningConfig.team)
    if not isinstance(team, str):
        raise PlanningConfigError(f"{source}: team must be a team name in quotes, or \"\" for every team; got {team!r}")
    config = PlanningConfig(
        team=team.strip() or None,
        history_weeks=where.integer("history.weeks", history.get("weeks", DEFAULT_HISTORY_WEEKS), 1,
                                    MAX_HISTORY_WEEKS),
        half_life_weeks=where.number("history.half_life_weeks", history.get("half_life_weeks",
                                                                           DEFAULT_HALF_LIFE_WEEKS), 0.0, 520.0),
        seasonal=where.boolean("history.seasonal", history.get("seasonal", True)),
        patrols=_patrols(where, data.get("patrols")),
        hours=_hours(where, patrol.get("hours", DEFAULT_HOURS)),
        staff=where.integer("patrol.staff", patrol.get("staff", 2), 1, 20),
        stay_share=where.number("patrol.stay_share", patrol.get("stay_share", DEFAULT_STAY_SHARE), 0.0, 1.0),
        visit_minutes=_minutes_range(where, visits.get("minutes", list(DEFAULT_VISIT_MINUTES))),
        revisit_hours=where.number("visits.revisit_hours", visits.get("revisit_hours", DEFAULT_REVISIT_HOURS),
                                   0.0, MAX_HOURS),
        decay=where.number("visits.decay", visits.get("decay", DEFAULT_DECAY), 0.0, 1.0),
        fixed_areas=where.names("areas.fixed", areas.get("fixed", [])),
        min_minutes_per_week=where.number("areas.min_minutes_per_week",
                                          areas.get("min_minutes_per_week", DEFAULT_MIN_MINUTES), 0.0, 10_000.0,
                                          open_low=False),
        min_minutes=_min_minutes(where, areas.get("min_minutes", {})),
        max_share=where.number("areas.max_share", areas.get("max_share", DEFAULT_MAX_SHARE), 0.0, 1.0),
        garages=where.names("garages.areas", garages.get("areas", [])),
        garage_rounds_per_week=where.integer("garages.rounds_per_week",
                                             garages.get("rounds_per_week", DEFAULT_GARAGE_ROUNDS), 0, 100),
        garage_shifts=_shifts(where, garages.get("shifts", list(DEFAULT_GARAGE_SHIFTS))),
        garage_visit_minutes=where.number("garages.visit_minutes",
                                          garages.get("visit_minutes", DEFAULT_GARAGE_MINUTES), 0.0, 120.0),
        weights=_weights(where, data.get("weights", {})),
        gap_share=where.number("follow_up.gap_share", data.get("follow_up", {}).get("gap_share", DEFAULT_GAP_SHARE),
                               0.0, 1.0),
        source=source,
    )
    _check(config, source)
    return config


# --- checks ----------------------------------------------------------------------------------------
class _Where:
    """Checks that name the file and the key in every message."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, problem: str) -> PlanningConfigError:
        return PlanningConfigError(f"{self.source}: {key}: {problem}")

    def table(self, key: str, value: Any) -> dict:
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table ([{key}]); got {value!r}")
        return value

    def keys(self, section: str, table: dict, allowed: set[str]) -> None:
        unknown = sorted(set(table) - allowed)
        if unknown:
            name = f"{section}.{unknown[0]}" if section else unknown[0]
            raise self.fail(name, f"unknown key; allowed{' in [' + section + ']' if section else ''}: "
                                  f"{', '.join(sorted(allowed))}")

    def number(self, key: str, value: Any, low: float, high: float, *, open_low: bool = True) -> float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        ok = ok and (value > low if open_low else value >= low) and value <= high
        if not ok:
            bracket = "(" if open_low else "["
            raise self.fail(key, f"must be a number in {bracket}{low:g}, {high:g}]; got {value!r}")
        return float(value)

    def integer(self, key: str, value: Any, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(key, f"must be a whole number from {low} to {high}; got {value!r}")
        return int(value)

    def boolean(self, key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false; got {value!r}")
        return value

    def names(self, key: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(key, f"must be a list of area ids in quotes, e.g. [\"oslo-s\"]; got {value!r}")
        return tuple(v.strip() for v in value)


def _patrols(where: _Where, table: Any) -> dict[tuple[int, str], int]:
    if table is None:
        return dict(DEFAULT_PATROLS)
    table = where.table("patrols", table)
    out: dict[tuple[int, str], int] = {}
    for day, shifts in table.items():
        if day not in WEEKDAY_NAMES:
            raise where.fail(f"patrols.{day}", f"unknown weekday; allowed: {', '.join(WEEKDAY_NAMES)}")
        shifts = where.table(f"patrols.{day}", shifts)
        for shift, n in shifts.items():
            if shift not in SHIFTS:
                raise where.fail(f"patrols.{day}.{shift}", f"unknown shift; allowed: {', '.join(SHIFTS)}")
            count = where.integer(f"patrols.{day}.{shift}", n, 0, MAX_PATROLS_PER_SLOT)
            if count:
                out[(WEEKDAY_NAMES.index(day), shift)] = count
    return out


def _hours(where: _Where, table: Any) -> dict[str, float]:
    table = where.table("patrol.hours", table)
    unknown = sorted(set(table) - set(SHIFTS))
    if unknown:
        raise where.fail(f"patrol.hours.{unknown[0]}", f"unknown shift; allowed: {', '.join(SHIFTS)}")
    return {s: where.number(f"patrol.hours.{s}", table.get(s, DEFAULT_HOURS[s]), 0.0, MAX_HOURS) for s in SHIFTS}


def _minutes_range(where: _Where, value: Any) -> tuple[float, float]:
    ok = (isinstance(value, list) and len(value) == 2
          and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value))
    if not ok or not 1 <= value[0] <= value[1] <= 120:
        raise where.fail("visits.minutes", f"must be two numbers [min, max] with 1 ≤ min ≤ max ≤ 120, "
                                           f"e.g. [10, 15]; got {value!r}")
    return float(value[0]), float(value[1])


def _min_minutes(where: _Where, table: Any) -> dict[str, float]:
    table = where.table("areas.min_minutes", table)
    return {str(area): where.number(f"areas.min_minutes.{area}", v, 0.0, 10_000.0, open_low=False)
            for area, v in table.items()}


def _shifts(where: _Where, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or any(v not in SHIFTS for v in value):
        raise where.fail("garages.shifts", f"must be a non-empty list of shifts from {', '.join(SHIFTS)}; "
                                           f"got {value!r}")
    return tuple(s for s in SHIFTS if s in value)


def _weights(where: _Where, table: Any) -> dict[str, float]:
    table = where.table("weights", table)
    allowed = [c.value for c in Category]
    out = {}
    for category, weight in table.items():
        if category not in allowed:
            raise where.fail(f"weights.{category}", f"unknown category; allowed: {', '.join(allowed)}")
        out[category] = where.number(f"weights.{category}", weight, 0.0, 100.0, open_low=False)
    return out


def _check(config: PlanningConfig, source: str) -> None:
    """Rules that involve more than one key (also run on settings changed on the page)."""
    where = _Where(source)
    both = sorted(set(config.fixed_areas) & set(config.garages))
    if both:
        raise where.fail("garages.areas", f"{both[0]!r} is also in areas.fixed; a garage is planned by rounds, "
                                          "so list it in one of the two only")
    for (day, shift), n in config.patrols.items():
        if not (0 <= day < 7 and shift in SHIFTS) or isinstance(n, bool) or not isinstance(n, int) \
                or not 0 <= n <= MAX_PATROLS_PER_SLOT:
            name = f"patrols.{WEEKDAY_NAMES[day] if 0 <= day < 7 else day}.{shift}"
            raise where.fail(name, f"must be a whole number from 0 to {MAX_PATROLS_PER_SLOT} for a weekday "
                                   f"({', '.join(WEEKDAY_NAMES)}) and shift ({', '.join(SHIFTS)}); got {n!r}")
    allowed = [c.value for c in Category]
    for category, weight in config.weights.items():
        if category not in allowed:
            raise where.fail(f"weights.{category}", f"unknown category; allowed: {', '.join(allowed)}")
        where.number(f"weights.{category}", weight, 0.0, 100.0, open_low=False)
    if config.history_weeks < 1 or config.history_weeks > MAX_HISTORY_WEEKS:
        raise where.fail("history.weeks", f"must be a whole number from 1 to {MAX_HISTORY_WEEKS}; "
                                          f"got {config.history_weeks!r}")
