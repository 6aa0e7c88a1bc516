"""The demo generator's own need field: expected encounters per hour of stay, per area and day.

The generator draws each stop's encounters as Poisson with mean
``ENCOUNTERS_PER_NEED_MINUTE × need × minutes`` (:mod:`geo.demo.encounters`),
where ``need`` is the day's intensity at the stop's waypoint
(:meth:`geo.demo.world.Beat.need`: hotspots interpolated between mid-year
anchors, plus background; garages their own constant). This module exposes
that intensity per field area, for benchmarks that score a plan against the
truth the planner never sees (``bench/planning.py``). It only reads the
world; no generated number changes.

Per area and day the intensity is the mean over the waypoints inside a
version of the area valid that day (a stay at a random waypoint of the area),
× ``ENCOUNTERS_PER_NEED_MINUTE`` × 60: **expected encounters per hour of
standing** in the area. Parking garages: their one waypoint (people inside
the garage). The demo's need has no weekday or time-of-day pattern, so the
value is the same for every shift of a service day; the rows say so by
repeating it.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from geo.demo.areas import CENTRE_FIELD_AREAS, GARAGES, HOVSETER, TEAM_CENTRE, TEAM_DISTRICT, area_versions_measured
from geo.demo.encounters import ENCOUNTERS_PER_NEED_MINUTE
from geo.demo.world import Beat, load_world
from geo.schema import AREA_ID, SERVICE_DAY, SHIFT, Shift

INTENSITY = "encounters_per_stay_hour"
"""Column: expected encounters per hour of standing in the area."""


def need_field(first_day: date, last_day: date) -> pd.DataFrame:
    """The true intensity per area × service day × shift for [first_day, last_day] (local dates).

    Columns ``area_id``, ``service_day`` (date), ``shift`` and
    ``encounters_per_stay_hour``; only areas with a version valid on the day.
    """
    if first_day > last_day:
        raise ValueError(f"first_day {first_day} is after last_day {last_day}; swap them")
    world = load_world()
    centre, district = world.beats[TEAM_CENTRE], world.beats[TEAM_DISTRICT]
    versions = area_versions_measured()
    street_rows = [v.area_id for v in versions if v.area_id in CENTRE_FIELD_AREAS]  # rows of centre.area_membership
    district_rows = [v.area_id for v in versions if v.team == TEAM_DISTRICT]
    garage_waypoints = dict(zip((g.area_id for g in GARAGES), centre.garage_waypoints, strict=True))
    per_minute = ENCOUNTERS_PER_NEED_MINUTE * 60.0
    rows: list[tuple[str, date, float]] = []
    for offset in range((last_day - first_day).days + 1):  # one small vector per day, not per point
        day = first_day + timedelta(days=offset)
        need = centre.need(day)
        rows += [(a, day, per_minute * v) for a, v in _area_means(centre, street_rows, need, day).items()]
        rows += [(g, day, per_minute * float(need[w])) for g, w in garage_waypoints.items()]
        district_need = district.need(day)
        rows += [(a, day, per_minute * v) for a, v in _area_means(district, district_rows, district_need, day).items()
                 if a == HOVSETER]
    days = pd.DataFrame(rows, columns=[AREA_ID, SERVICE_DAY, INTENSITY])
    shifts = pd.DataFrame({SHIFT: [s.value for s in Shift]})
    out = days.merge(shifts, how="cross")[[AREA_ID, SERVICE_DAY, SHIFT, INTENSITY]]
    return out.sort_values([AREA_ID, SERVICE_DAY], kind="stable").reset_index(drop=True)


def _area_means(beat: Beat, row_areas: list[str], need: np.ndarray, day: date) -> dict[str, float]:
    """Mean need over the street waypoints inside each area's versions valid on ``day``."""
    valid = (beat.version_from <= day.toordinal()) & (day.toordinal() < beat.version_to)
    out = {}
    for area_id in dict.fromkeys(row_areas):
        rows = valid & (np.array(row_areas) == area_id)
        inside = beat.area_membership[rows].any(axis=0) & ~beat.is_garage
        if inside.any():
            out[area_id] = float(need[inside].mean())
    return out
