"""Where one patrol walks and stops: its itinerary through the beat's waypoints.

A patrol starts at a waypoint and keeps walking to the next one until its
field time is used up. The next waypoint is drawn from a day-specific Markov
chain: attraction (field areas valid that day, weighted by where the hotspots
were :data:`~geo.demo.hotspots.EFFORT_LAG_DAYS` ago) times a preference for
nearby waypoints. At most waypoints the patrol stops for a few minutes; about
half the patrols go into a parking garage (no GPS inside) and some take a
break indoors (no GPS either).

Times are seconds since the patrol's first field point; distances are metres
along the walked path (EPSG:25832).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum
from itertools import pairwise

import numpy as np

from geo.demo import hotspots
from geo.demo.world import Beat

EFFORT_BASE = 0.3
"""Attraction of a waypoint with no hotspot (relative to hotspot intensities)."""

OUTSIDE_AREA_FACTOR = 0.25
"""Attraction factor of a waypoint outside every field area valid that day."""

NEARBY_SCALE_M = 450.0
"""Patrols prefer near waypoints: weight exp(-distance / this), metres."""

MAX_LEGS = 80
"""Upper bound on legs per patrol (a safety net; field time ends a patrol first)."""

STOP_PROBABILITY = 0.8
"""Share of waypoints where the patrol stops (else it walks on)."""

DWELL_MEDIAN_MIN = 6.0
"""Median length of a stop, minutes (log-normal)."""

DWELL_LOG_SD = 0.6
"""Log-standard deviation of stop lengths."""

DWELL_RANGE_MIN = (1.0, 25.0)
"""Stops are clipped to this range, minutes."""

GARAGE_VISIT_PROBABILITY = 0.5
"""Share of centre patrols that go into a parking garage."""

SECOND_GARAGE_PROBABILITY = 0.15
"""Share of centre patrols that go into a second garage."""

GARAGE_STAY_MIN = (4.0, 12.0)
"""Time inside a garage (uniform), minutes. No GPS fix indoors."""

GARAGE_LEG_RANGE = (1, 7)
"""A garage visit replaces the n-th leg, n uniform in this half-open range."""

BREAK_PROBABILITY = 0.35
"""Share of patrols with an indoor break (café, office) without GPS."""

BREAK_MIN = (15.0, 35.0)
"""Length of the break (uniform), minutes."""

BREAK_LEG_RANGE = (2, 8)
"""The break is taken at the n-th waypoint, n uniform in this half-open range."""

WALK_SPEED_M_S = (1.0, 1.4)
"""Walking speed of a patrol (uniform per patrol), metres per second."""

LEG_SPEED_FACTOR = (0.9, 1.1)
"""Per-leg variation of the walking speed (uniform factor)."""

LEAD_MIN = (10.0, 35.0)
"""Time from the patrol's start until its first field point (uniform), minutes."""

FIELD_SHARE = (0.42, 0.58)
"""Share of the shift spent in the field with GPS running (uniform)."""

FIELD_RANGE_MIN = (75.0, 200.0)
"""Field time is clipped to this range, minutes."""

TAIL_MIN = 10.0
"""At least this much of the shift remains after the last field point, minutes."""


class Stay(IntEnum):
    """What a patrol does at a waypoint."""

    PASS = 0  # walks on
    STOP = 1  # stands and talks (GPS running)
    GARAGE = 2  # inside a parking garage (no GPS)
    BREAK = 3  # indoor break (no GPS)


@dataclass(frozen=True, eq=False)
class RouteChoice:
    """Day-specific route choice of one beat.

    Attributes
    ----------
    start_cumulative
        (k,) cumulative probabilities of the first waypoint.
    next_cumulative
        (k, k) cumulative transition probabilities between street waypoints.
    garage_cumulative
        (k, g) cumulative probabilities of which garage to visit next, or None.
    need
        (k,) encounter intensity at each waypoint on the day.
    """

    start_cumulative: np.ndarray
    next_cumulative: np.ndarray
    garage_cumulative: np.ndarray | None
    need: np.ndarray


@dataclass(frozen=True, eq=False)
class Itinerary:
    """One patrol's walk.

    Attributes
    ----------
    lead_s
        Seconds from the patrol's start to its first field point.
    duration_s
        Field time, seconds (GPS may be off in parts of it).
    waypoints
        (m,) waypoints visited, in order.
    arrive_s, depart_s
        (m,) arrival and departure at each waypoint, seconds since the first
        field point (departure of the last may exceed ``duration_s``).
    stay
        (m,) :class:`Stay` at each waypoint.
    at_distance
        (m,) distance along the path at each waypoint, metres.
    path_lon, path_lat, path_distance
        Vertices of the walked path (degrees) and their distance along it (metres).
    """

    lead_s: float
    duration_s: float
    waypoints: np.ndarray
    arrive_s: np.ndarray
    depart_s: np.ndarray
    stay: np.ndarray
    at_distance: np.ndarray
    path_lon: np.ndarray
    path_lat: np.ndarray
    path_distance: np.ndarray

    def knots(self) -> tuple[np.ndarray, np.ndarray]:
        """(time s, distance m) breakpoints of the walk, for ``np.interp``."""
        t = np.column_stack([self.arrive_s, self.depart_s]).ravel()
        s = np.repeat(self.at_distance, 2)
        return t, s

    def hidden_intervals(self) -> np.ndarray:
        """(n, 2) start/end seconds while the patrol is indoors (no GPS)."""
        indoors = (self.stay == Stay.GARAGE) | (self.stay == Stay.BREAK)
        return np.column_stack([self.arrive_s[indoors], self.depart_s[indoors]])


def route_choice(beat: Beat, day: date) -> RouteChoice:
    """Route-choice probabilities of ``beat`` on ``day``."""
    lagged = beat.need(day - timedelta(days=hotspots.EFFORT_LAG_DAYS))
    attraction = (EFFORT_BASE + lagged) * np.where(beat.in_field_area(day), 1.0, OUTSIDE_AREA_FACTOR)
    attraction = np.where(beat.is_garage, 0.0, attraction)
    nearness = np.exp(-beat.routes.distance / NEARBY_SCALE_M)
    weights = attraction[None, :] * nearness
    np.fill_diagonal(weights, 0.0)
    garages = beat.garage_waypoints
    garage_cumulative = None
    if len(garages):
        garage_cumulative = _cumulative(nearness[:, garages])
    return RouteChoice(
        start_cumulative=_cumulative(attraction[None, :])[0],
        next_cumulative=_cumulative(weights),
        garage_cumulative=garage_cumulative,
        need=beat.need(day),
    )


def plan_itinerary(rng: np.random.Generator, beat: Beat, choice: RouteChoice, *, shift_s: float) -> Itinerary:
    """Draw one patrol's itinerary for a shift of ``shift_s`` seconds (real elapsed time)."""
    lead_s = rng.uniform(*LEAD_MIN) * 60.0
    field_s = np.clip(shift_s * rng.uniform(*FIELD_SHARE), FIELD_RANGE_MIN[0] * 60.0, FIELD_RANGE_MIN[1] * 60.0)
    field_s = float(min(field_s, shift_s - lead_s - TAIL_MIN * 60.0))
    speed = rng.uniform(*WALK_SPEED_M_S)

    steps = rng.random(MAX_LEGS)
    leg_speed = speed * rng.uniform(*LEG_SPEED_FACTOR, size=MAX_LEGS)
    stops = rng.random(MAX_LEGS) < STOP_PROBABILITY
    dwell = np.clip(
        DWELL_MEDIAN_MIN * np.exp(rng.normal(0.0, DWELL_LOG_SD, size=MAX_LEGS)), *DWELL_RANGE_MIN
    ) * 60.0 * stops
    garage_legs: set[int] = set()
    if choice.garage_cumulative is not None:
        visits = int(rng.random() < GARAGE_VISIT_PROBABILITY) + int(rng.random() < SECOND_GARAGE_PROBABILITY)
        garage_legs = {int(n) for n in rng.integers(*GARAGE_LEG_RANGE, size=visits)}
    garage_stay = rng.uniform(*GARAGE_STAY_MIN, size=MAX_LEGS) * 60.0
    break_at = int(rng.integers(*BREAK_LEG_RANGE)) if rng.random() < BREAK_PROBABILITY else -1
    break_s = rng.uniform(*BREAK_MIN) * 60.0
    start = int(np.searchsorted(choice.start_cumulative, rng.random(), side="right"))

    distance = beat.routes.distance
    waypoints = [start]
    stay = [Stay.STOP if stops[0] else Stay.PASS]
    arrive = [0.0]
    depart = [float(dwell[0])]
    for leg in range(1, MAX_LEGS):
        if depart[-1] >= field_s:
            break
        here = waypoints[-1]
        if leg in garage_legs:
            g = int(np.searchsorted(choice.garage_cumulative[here], steps[leg], side="right"))
            nxt = int(beat.garage_waypoints[g])
            kind, linger = Stay.GARAGE, float(garage_stay[leg])
        else:
            nxt = int(np.searchsorted(choice.next_cumulative[here], steps[leg], side="right"))
            if leg == break_at:
                kind, linger = Stay.BREAK, break_s
            else:
                kind, linger = (Stay.STOP if stops[leg] else Stay.PASS), float(dwell[leg])
        if nxt == here:
            continue
        length = float(distance[here, nxt])
        waypoints.append(nxt)
        stay.append(kind)
        arrive.append(depart[-1] + length / leg_speed[leg])
        depart.append(arrive[-1] + linger)

    lon, lat, dist, at = _path(beat, waypoints)
    return Itinerary(
        lead_s=lead_s,
        duration_s=field_s,
        waypoints=np.array(waypoints, dtype=np.int64),
        arrive_s=np.array(arrive),
        depart_s=np.array(depart),
        stay=np.array(stay, dtype=np.int8),
        at_distance=at,
        path_lon=lon,
        path_lat=lat,
        path_distance=dist,
    )


def _path(beat: Beat, waypoints: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Concatenated cached path geometry through ``waypoints``.

    Returns vertex lon, lat (degrees), vertex distance along the path and the
    distance at each waypoint (metres).
    """
    if len(waypoints) == 1:
        lonlat = beat.routes.lonlat[waypoints[0]]
        return np.array([lonlat[0]]), np.array([lonlat[1]]), np.zeros(1), np.zeros(1)
    legs = [beat.routes.path(a, b) for a, b in pairwise(waypoints)]
    offsets = np.concatenate([[0.0], np.cumsum([leg.length for leg in legs])])
    lon = np.concatenate([legs[0].lon[:1]] + [leg.lon[1:] for leg in legs])
    lat = np.concatenate([legs[0].lat[:1]] + [leg.lat[1:] for leg in legs])
    dist = np.concatenate([[0.0]] + [leg.distance[1:] + off for leg, off in zip(legs, offsets[:-1], strict=True)])
    return lon, lat, dist, offsets


def _cumulative(weights: np.ndarray) -> np.ndarray:
    """Row-wise cumulative probabilities; the last entry of each row is exactly 1."""
    total = weights.sum(axis=1, keepdims=True)
    cumulative = np.cumsum(weights, axis=1) / np.where(total > 0, total, 1.0)
    cumulative[:, -1] = 1.0
    return cumulative
