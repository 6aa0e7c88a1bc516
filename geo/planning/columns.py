"""Column names of planning tables (one name for one thing, STYLE.md).

Units: ``presence_hours`` are patrol-hours of presence in an area (GPS,
PRODUCT.md *Presence*); ``*_minutes`` are patrol-minutes; ``person_minutes``
are patrol-minutes × staff; rates are (weighted) encounters per presence-hour
for street areas and per visit for parking garages (see ``need_unit``).
"""

from __future__ import annotations

from geo.queries.columns import AREA_NAME, ENCOUNTERS, PERSON_MINUTES, VISITS, WEEKDAY
from geo.schema import AREA_ID, CATEGORY, SHIFT

WEEK = "week"  # ISO week label, 2024-W07
WEEK_START = "week_start"  # Monday of the ISO week (datetime.date)
PRESENCE_HOURS = "presence_hours"
PATROLS = "patrols"
KIND_OF_AREA = "area_kind"  # "street" or "garage"
STREET, GARAGE = "street", "garage"

# need estimates
NEED_RATE = "need_rate"  # posterior mean rate
NEED_SD = "need_sd"  # posterior standard deviation
NEED_LOW = "need_low"  # 5 % quantile of the posterior
NEED_HIGH = "need_high"  # 95 % quantile
NEED_UNIT = "need_unit"  # "hour" (per presence-hour) or "visit" (per visit)
NEED_WEEKS = "need_weeks"  # history weeks with presence in this area × weekday × shift
AREA_RATE = "area_rate"  # the area's own (shrunk) rate, the target of the slot's shrinkage
SHRINKAGE = "shrinkage"  # weight of the area rate in the slot estimate, 0–1
EXPOSURE = "exposure"  # recency-weighted presence hours (street) or visits (garage)
WEIGHTED_ENCOUNTERS = "weighted_encounters"  # recency- and category-weighted encounters
SEASONAL_FACTOR = "seasonal_factor"
VALUE_PER_VISIT = "value_per_visit"  # expected (weighted) encounters of one planned visit, first round

# plan lines
VISITS_PLANNED = "visits"
PLANNED_MINUTES = "planned_minutes"
EXPECTED_ENCOUNTERS = "expected_encounters"
RECENT_MINUTES = "recent_minutes"  # mean presence minutes a week over the latest history weeks (the why)
RECENT_VISITS = "recent_visits"  # mean recorded visits a week over the latest history weeks
ACTUAL_MINUTES = "actual_minutes"  # presence minutes in the week itself (plan against actual)
ACTUAL_VISITS = "actual_visits"  # recorded visits (PRODUCT.md, Visit)
BOUND_BY = "bound_by"  # the rule that decided the line (see geo.planning.optimize.REASONS)

# plan against actual
PLANNED_VISITS = "planned_visits"
DIFFERENCE_MINUTES = "difference_minutes"
ACHIEVED_SHARE = "achieved_share"
GAP = "gap"

LINE_KEYS = (AREA_ID, WEEKDAY, SHIFT)
"""One plan line per area × weekday (of the service day) × shift."""

CSV_COLUMNS = (AREA_ID, AREA_NAME, WEEKDAY, SHIFT, VISITS_PLANNED, PLANNED_MINUTES, PERSON_MINUTES,
               EXPECTED_ENCOUNTERS, NEED_RATE, NEED_LOW, NEED_HIGH, NEED_UNIT, NEED_WEEKS, RECENT_MINUTES,
               RECENT_VISITS, BOUND_BY)
"""Columns of the plan as CSV/JSON (``python -m geo plan``)."""

__all__ = [
    "ACHIEVED_SHARE", "ACTUAL_MINUTES", "ACTUAL_VISITS", "AREA_ID", "AREA_NAME", "AREA_RATE", "BOUND_BY",
    "CATEGORY", "CSV_COLUMNS", "DIFFERENCE_MINUTES", "ENCOUNTERS", "EXPECTED_ENCOUNTERS", "EXPOSURE", "GAP",
    "GARAGE", "KIND_OF_AREA", "LINE_KEYS", "NEED_HIGH", "NEED_LOW", "NEED_RATE", "NEED_SD", "NEED_UNIT",
    "NEED_WEEKS", "PATROLS", "PERSON_MINUTES", "PLANNED_MINUTES", "PLANNED_VISITS", "PRESENCE_HOURS",
    "RECENT_MINUTES", "RECENT_VISITS", "SEASONAL_FACTOR", "SHIFT", "SHRINKAGE", "STREET", "VALUE_PER_VISIT", "VISITS", "VISITS_PLANNED", "WEEK",
    "WEEKDAY", "WEEK_START", "WEIGHTED_ENCOUNTERS",
]
