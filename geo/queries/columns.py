"""Column names of the query results (one name for one thing, STYLE.md).

Units: ``minutes`` and ``person_minutes`` are presence in patrol-minutes and
patrol-minutes × staff; ``km`` is presence length in EPSG:25832 kilometres;
``patrol_hours`` in :func:`~geo.queries.effort_vs_need` is presence in
patrol-hours. Names shared with :mod:`geo.queries.summary` are imported from there.
"""

from __future__ import annotations

from geo.schema import AREA_ID, CATEGORY, CELL, PEOPLE
from geo.queries.summary import ENCOUNTERS, PERIOD, PERSON_MINUTES, VISITS

AREA_NAME = "area_name"
MINUTES = "minutes"  # presence, patrol-minutes
KM = "km"  # presence length, EPSG:25832 km
LONG_VISIT_SHARE = "long_visit_share"  # share of visits lasting 10 min or more
ENCOUNTERS_PER_PATROL_HOUR = "encounters_per_patrol_hour"
LAST_VISIT_DAY = "last_visit_day"  # service day of the latest visit (datetime.date)
DAYS_SINCE_VISIT = "days_since_visit"  # whole days from LAST_VISIT_DAY to the reference day
TEAM_COLUMN = "team"

# encounter points (manager view)
TIME_LOCAL = "time_local"  # Europe/Oslo, tz-aware

# time of week
WEEKDAY = "weekday"  # 0 = Monday, local
HOUR = "hour"  # 0–23, local clock hour
PRESENCE_MINUTES = "presence_minutes"
PRESENCE_SHARE = "presence_share"
ENCOUNTER_SHARE = "encounter_share"
DIFFERENCE = "difference"

# effort vs need
KEY = "key"  # area_id or hex H3 cell
PATROL_HOURS = "patrol_hours"  # presence, patrol-hours
MINUTES_PER_ENCOUNTER = "minutes_per_encounter"
UNDER_COVERED = "under_covered"

# compare
FIGURE = "figure"
CURRENT = "current"
PREVIOUS = "previous"
CHANGE = "change"
CHANGE_PCT = "change_pct"

__all__ = [
    "AREA_ID", "AREA_NAME", "CATEGORY", "CELL", "CHANGE", "CHANGE_PCT", "CURRENT", "DAYS_SINCE_VISIT",
    "DIFFERENCE", "ENCOUNTERS", "ENCOUNTERS_PER_PATROL_HOUR", "ENCOUNTER_SHARE", "FIGURE", "HOUR", "KEY",
    "KM", "LAST_VISIT_DAY", "LONG_VISIT_SHARE", "MINUTES", "MINUTES_PER_ENCOUNTER", "PATROL_HOURS",
    "PEOPLE", "PERIOD", "PERSON_MINUTES", "PRESENCE_MINUTES", "PRESENCE_SHARE", "PREVIOUS", "TEAM_COLUMN",
    "TIME_LOCAL", "UNDER_COVERED", "VISITS", "WEEKDAY",
]
