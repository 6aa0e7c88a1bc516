"""Which patrols go out on a day: the weekly schedule in Europe/Oslo local time.

Follows Uteseksjonen's own description (PRODUCT.md, seed text): on weekdays
as a rule 3 day patrols and 4–5 evening patrols until midnight; at weekends
fewer, but night patrols until 04:00 on Friday and Saturday nights; extra
effort in reinforced periods (a few summer weeks, December) and project work;
now and then joint patrols with a district team. Each slot goes out with a
probability, tuned so that the year totals match the published key figures
(2022: 1,835 patrols, about 35 a week; 2023: 1,951, 37.4 a week).
Vestre Aker's district team goes out about twice a week at Hovseter.

Each day is planned from its own random stream (seed, date), so any date range
gives the same patrols for the days it shares with another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np

from geo.demo.areas import TEAM_CENTRE, TEAM_DISTRICT
from geo.schema import DEFAULT_STAFF, PatrolKind

STREAM_SCHEDULE = 1
"""Random stream id of the daily schedule (see :func:`plan_day`)."""


@dataclass(frozen=True, slots=True)
class Slot:
    """A patrol that goes out with ``probability`` on a given weekday.

    ``start`` and ``end`` are local wall-clock times (Europe/Oslo); an end at
    or before the start is on the next day. With ``jitter`` the start moves by
    one of :data:`START_JITTER_MINUTES`; the end never moves.
    """

    start: time
    end: time
    probability: float
    kind: PatrolKind = PatrolKind.REGULAR
    team: str = TEAM_CENTRE
    jitter: bool = True


def _slot(start: str, end: str, probability: float, kind: PatrolKind = PatrolKind.REGULAR,
          team: str = TEAM_CENTRE, *, jitter: bool = True) -> Slot:
    return Slot(time.fromisoformat(start), time.fromisoformat(end), probability, kind, team, jitter)


MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

_WEEKDAY_DAY = (_slot("10:00", "15:00", 0.75), _slot("11:00", "16:00", 0.75), _slot("12:00", "16:30", 0.60))
_WEEKDAY_EVENING = (
    _slot("17:00", "23:00", 0.95), _slot("18:00", "00:00", 0.95), _slot("18:00", "00:00", 0.90),
    _slot("19:00", "00:00", 0.80), _slot("19:00", "00:00", 0.30),
)
_NIGHT = (_slot("22:00", "04:00", 1.00, jitter=False), _slot("21:00", "04:00", 0.85, jitter=False))

WEEKLY_SLOTS: dict[int, tuple[Slot, ...]] = {
    MON: _WEEKDAY_DAY + _WEEKDAY_EVENING,
    TUE: _WEEKDAY_DAY + _WEEKDAY_EVENING,
    WED: _WEEKDAY_DAY + _WEEKDAY_EVENING + (_slot("13:00", "17:00", 0.40, PatrolKind.PROJECT),),
    THU: _WEEKDAY_DAY + _WEEKDAY_EVENING,
    FRI: (
        _slot("10:00", "15:00", 0.80), _slot("11:00", "16:00", 0.80),
        _slot("18:00", "00:00", 0.90), _slot("18:00", "00:00", 0.50),
        _slot("18:00", "00:00", 0.20, PatrolKind.JOINT),
        *_NIGHT,
    ),
    SAT: (_slot("12:00", "17:00", 0.50), _slot("18:00", "00:00", 0.80), *_NIGHT),
    SUN: (_slot("12:00", "17:00", 0.70), _slot("17:00", "23:00", 0.80), _slot("18:00", "00:00", 0.40)),
}
"""Uteseksjonen's weekly schedule, 2018 onwards (about 35 patrols a week with extras)."""

EXTRA_FROM = date(2023, 1, 1)
"""From this date the service has more patrols (37.4 a week in 2023)."""

EXTRA_SLOTS: dict[int, tuple[Slot, ...]] = {
    MON: (_slot("19:00", "00:00", 0.35),),
    TUE: (_slot("19:00", "00:00", 0.35),),
    WED: (_slot("19:00", "00:00", 0.35),),
    THU: (_slot("19:00", "00:00", 0.35),),
    SAT: (_slot("11:00", "16:00", 0.35),),
    SUN: (_slot("11:00", "16:00", 0.35),),
}
"""Slots added from :data:`EXTRA_FROM` (about +2 patrols a week)."""

REINFORCED_PERIODS: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = (
    ((6, 24), (7, 15)),
    ((12, 1), (12, 21)),
)
"""Reinforced periods each year, ((month, day) first, (month, day) exclusive end)."""

REINFORCED_SLOTS: tuple[Slot, ...] = (_slot("18:00", "00:00", 0.95, PatrolKind.REINFORCED),)
"""Extra patrols on every day of a reinforced period."""

DISTRICT_SLOTS: dict[int, tuple[Slot, ...]] = {
    TUE: (_slot("18:00", "22:00", 0.90, team=TEAM_DISTRICT),),
    WED: (_slot("18:00", "22:00", 0.12, PatrolKind.JOINT, TEAM_DISTRICT),),
    THU: (_slot("18:00", "22:00", 0.90, team=TEAM_DISTRICT),),
}
"""Vestre Aker's district team at Hovseter (about 2 evening patrols a week)."""

START_JITTER_MINUTES = (-15, 0, 0, 0, 15, 30)
"""A day or evening patrol starts this many minutes off its slot's start (equally likely)."""

THIRD_STAFF_PROBABILITY = 0.08
"""Share of regular, reinforced and project patrols with 3 staff instead of 2."""

JOINT_STAFF = (3, 4)
"""Staff of a joint patrol (equally likely)."""


@dataclass(frozen=True, slots=True)
class PlannedPatrol:
    """One patrol of a service day; times are naive Europe/Oslo wall-clock times."""

    patrol_id: str
    service_day: date
    team: str
    kind: PatrolKind
    staff: int
    start_local: datetime
    end_local: datetime


def slots_on(day: date) -> tuple[Slot, ...]:
    """Every slot that may go out on ``day`` (before the coin is tossed)."""
    weekday = day.weekday()
    slots = WEEKLY_SLOTS[weekday]
    if day >= EXTRA_FROM:
        slots = slots + EXTRA_SLOTS.get(weekday, ())
    if in_reinforced_period(day):
        slots = slots + REINFORCED_SLOTS
    return slots + DISTRICT_SLOTS.get(weekday, ())


def in_reinforced_period(day: date) -> bool:
    """True if ``day`` lies in one of :data:`REINFORCED_PERIODS`."""
    md = (day.month, day.day)
    return any(first <= md < end for first, end in REINFORCED_PERIODS)


def expected_per_week(year: int, *, team: str = TEAM_CENTRE) -> float:
    """Expected number of patrols a week of ``team`` over ``year`` (for tuning and tests)."""
    days = [date(year, 1, 1) + timedelta(days=i) for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)]
    total = sum(s.probability for d in days for s in slots_on(d) if s.team == team)
    return total * 7 / len(days)


def plan_day(day: date, *, seed: int) -> list[PlannedPatrol]:
    """The patrols of service day ``day``, ordered by start; ids ``D<yyyymmdd>-<nn>``."""
    rng = np.random.default_rng([seed, STREAM_SCHEDULE, day.toordinal()])
    slots = slots_on(day)
    goes = rng.random(len(slots)) < np.array([s.probability for s in slots])
    jitter = rng.choice(START_JITTER_MINUTES, size=len(slots))
    third = rng.random(len(slots)) < THIRD_STAFF_PROBABILITY
    joint_staff = rng.choice(JOINT_STAFF, size=len(slots))
    planned = []
    for i in np.flatnonzero(goes):
        slot = slots[i]
        start = datetime.combine(day, slot.start) + timedelta(minutes=int(jitter[i]) if slot.jitter else 0)
        end = datetime.combine(day, slot.end)
        if slot.end <= slot.start:
            end += timedelta(days=1)
        if slot.kind == PatrolKind.JOINT:
            staff = int(joint_staff[i])
        else:
            staff = DEFAULT_STAFF + int(third[i])
        planned.append((start, i, slot, staff, end))
    planned.sort(key=lambda p: (p[0], p[1]))
    return [
        PlannedPatrol(
            patrol_id=f"D{day:%Y%m%d}-{n:02d}",
            service_day=day,
            team=slot.team,
            kind=slot.kind,
            staff=staff,
            start_local=start,
            end_local=end,
        )
        for n, (start, _, slot, staff, end) in enumerate(planned, start=1)
    ]
