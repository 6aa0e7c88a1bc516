"""Column names of the query results (one name for one thing, STYLE.md).

The measures every coverage table shares (``presence_minutes``,
``person_minutes``, ``presence_km``, ``visits``, ``long_visit_share``,
``encounters``, ``patrols``, ``period``) are defined in :mod:`geo.schema`, with
their units, and used by the CLI, the pages and the reports alike; the names
here belong to particular views. One word, one number: *patrol hours*
(``patrol_hours``, key figures) are always patrol start to end (shift
length); *presence hours* (``presence_hours``) are always time inside GPS
segments and indoor stays (PRODUCT.md, Presence).
"""

from __future__ import annotations

from geo.schema import (
    AREA_ID,
    CATEGORY,
    CELL,
    ENCOUNTERS,
    LONG_VISIT_SHARE,
    PATROLS,
    PEOPLE,
    PERIOD,
    PERSON_MINUTES,
    PRESENCE_KM,
    PRESENCE_MINUTES,
    VISITS,
)

AREA_NAME = "area_name"
ENCOUNTERS_PER_PRESENCE_HOUR = "encounters_per_presence_hour"
"""Encounters per hour of presence in the place; NaN below the minimum presence
(``geo.queries.trends.MIN_PRESENCE_HOURS``)."""
LAST_VISIT_DAY = "last_visit_day"  # service day of the latest visit (datetime.date)
DAYS_SINCE_VISIT = "days_since_visit"  # whole days from LAST_VISIT_DAY to the reference day
TEAM_COLUMN = "team"

# encounter points (manager view)
TIME_LOCAL = "time_local"  # Europe/Oslo, tz-aware

# time of week
WEEKDAY = "weekday"  # 0 = Monday, local
HOUR = "hour"  # 0–23, local clock hour
PRESENCE_SHARE = "presence_share"
ENCOUNTER_SHARE = "encounter_share"
DIFFERENCE = "difference"

# effort vs need
KEY = "key"  # area_id or hex H3 cell
PRESENCE_HOURS = "presence_hours"  # presence in the place, patrol-hours (not shift length)
RATE_LOW = "rate_low"  # lower end of the Poisson 90 % interval of encounters per presence hour
RATE_HIGH = "rate_high"  # upper end of that interval
MINUTES_PER_ENCOUNTER = "minutes_per_encounter"
STATUS = "status"  # RateStatus value: why a place is or is not flagged
UNDER_COVERED = "under_covered"

# trends
PARTIAL = "partial"  # bool: the period lies only partly inside the date range

# compare
FIGURE = "figure"
CURRENT = "current"
PREVIOUS = "previous"
CHANGE = "change"
CHANGE_PCT = "change_pct"

__all__ = [
    "AREA_ID", "AREA_NAME", "CATEGORY", "CELL", "CHANGE", "CHANGE_PCT", "CURRENT", "DAYS_SINCE_VISIT",
    "DIFFERENCE", "ENCOUNTERS", "ENCOUNTERS_PER_PRESENCE_HOUR", "ENCOUNTER_SHARE", "FIGURE", "HOUR", "KEY",
    "PRESENCE_KM", "LAST_VISIT_DAY", "LONG_VISIT_SHARE", "PATROLS", "MINUTES_PER_ENCOUNTER", "PARTIAL", "PRESENCE_HOURS",
    "PEOPLE", "PERIOD", "PERSON_MINUTES", "PRESENCE_MINUTES", "PRESENCE_SHARE", "PREVIOUS", "RATE_HIGH",
    "RATE_LOW", "STATUS", "TEAM_COLUMN", "TIME_LOCAL", "UNDER_COVERED", "VISITS", "WEEKDAY",
]
