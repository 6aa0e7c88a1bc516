"""The deterministic demo generator: patrols, track points and encounters.

:func:`generate_activity` yields one :class:`DemoActivity` per calendar year
of the requested range, so memory stays bounded (a default year is about 3
million track points). Everything is derived from ``seed`` and the date:

- each service day is planned from its own random stream (seed, date), see
  :func:`geo.demo.schedule.plan_day`;
- each patrol is simulated from its own stream (seed, date, number in day).

So the same seed gives identical frames, and a sub-range gives the same
patrols, points and encounters as the full range for the days they share
(only ``source_line``, numbered per chunk, differs).

All patrols, tracks and encounters are synthetic; only the geography is real
(see ``data/README.md``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa

from geo.demo.areas import DEMO_SOURCE_FILE
from geo.demo.encounters import EncounterSample, draw_encounters
from geo.demo.route import RouteChoice, plan_itinerary, route_choice
from geo.demo.schedule import PlannedPatrol, plan_day
from geo.demo.tracks import TrackSample, draw_device, sample_track
from geo.demo.world import World, load_world
from geo.schema import (
    ACCURACY_M,
    AGE_GROUP,
    CATEGORY,
    ENCOUNTER_ID,
    END_UTC,
    FROM_OUTSIDE_OSLO,
    KIND,
    LAT,
    LON,
    NEW_CONTACT,
    PATROL_ID,
    PEOPLE,
    SOURCE_FILE,
    SOURCE_LINE,
    STAFF,
    START_UTC,
    TEAM,
    TIME_UTC,
)
from geo.timeutil import localize_naive

DEFAULT_SEED = 42
DEFAULT_START = date(2018, 1, 1)
DEFAULT_END = date(2024, 12, 31)

STREAM_PATROL = 2
"""Random stream id of a patrol's simulation: (seed, STREAM_PATROL, date, number)."""

PATROL_COLUMNS = (PATROL_ID, TEAM, START_UTC, END_UTC, STAFF, KIND, SOURCE_FILE, SOURCE_LINE)
TRACK_POINT_COLUMNS = (PATROL_ID, TIME_UTC, LON, LAT, ACCURACY_M, SOURCE_FILE, SOURCE_LINE)
ENCOUNTER_COLUMNS = (
    ENCOUNTER_ID, TIME_UTC, LON, LAT, PATROL_ID, CATEGORY, AGE_GROUP, NEW_CONTACT, FROM_OUTSIDE_OSLO, PEOPLE,
    SOURCE_FILE, SOURCE_LINE,
)

_STR = pd.StringDtype("pyarrow", na_value=np.nan)
"""pandas' default string dtype (``str``), built directly from Arrow arrays."""


@dataclass(frozen=True, slots=True)
class DemoActivity:
    """One chunk of demo activity (normalised frames, as the importers return them).

    Attributes
    ----------
    patrols
        One row per patrol: the columns of the ``patrols`` schema plus
        ``source_file`` and ``source_line``; times ``datetime64[us, UTC]``.
    track_points
        One row per GPS fix, ordered by patrol and time; lon/lat degrees
        (EPSG:4326), ``accuracy_m`` metres or NaN.
    encounters
        One row per encounter, ordered by time; ``patrol_id`` NaN for the few
        registered without their patrol.
    """

    patrols: pd.DataFrame
    track_points: pd.DataFrame
    encounters: pd.DataFrame


def generate_activity(
    *, seed: int = DEFAULT_SEED, start: date = DEFAULT_START, end: date = DEFAULT_END
) -> Iterator[DemoActivity]:
    """Yield the demo's patrols, track points and encounters, one chunk per calendar year.

    Parameters
    ----------
    seed
        Non-negative integer; the same seed gives identical frames.
    start, end
        First and last service day (Europe/Oslo local dates, both inclusive).
        A night patrol of ``end`` runs into the next day.

    Raises
    ------
    ValueError, TypeError
        At the call (not at the first chunk) for a bad seed or date range.
    """
    _check_arguments(seed=seed, start=start, end=end)
    return _chunks(seed=int(seed), start=start, end=end)


def _chunks(*, seed: int, start: date, end: date) -> Iterator[DemoActivity]:
    world = load_world()
    for first, last in _year_chunks(start, end):
        yield _chunk(world, seed=seed, first=first, last=last)


def _check_arguments(*, seed: int, start: date, end: date) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}")
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, date) or isinstance(value, datetime):
            raise TypeError(f"{name} must be a datetime.date; got {type(value).__name__} {value!r}")
    if end < start:
        raise ValueError(f"end must not be before start; got start={start}, end={end}")


def _year_chunks(start: date, end: date) -> Iterator[tuple[date, date]]:
    first = start
    while first <= end:
        last = min(end, date(first.year, 12, 31))
        yield first, last
        first = last + timedelta(days=1)


def _chunk(world: World, *, seed: int, first: date, last: date) -> DemoActivity:
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    plans = [p for day in days for p in plan_day(day, seed=seed)]
    start_us, end_us = _utc_bounds(plans)

    choices: dict[tuple[str, date], RouteChoice] = {}
    tracks: list[TrackSample] = []
    track_start_us = np.empty(len(plans), dtype=np.int64)
    encounters: list[EncounterSample] = []
    for i, plan in enumerate(plans):
        beat = world.beats[plan.team]
        key = (plan.team, plan.service_day)
        choice = choices.get(key)
        if choice is None:
            choice = choices[key] = route_choice(beat, plan.service_day)
        number = int(plan.patrol_id.rsplit("-", 1)[1])
        rng = np.random.default_rng([seed, STREAM_PATROL, plan.service_day.toordinal(), number])
        itinerary = plan_itinerary(rng, beat, choice, shift_s=(end_us[i] - start_us[i]) / 1e6)
        tracks.append(sample_track(rng, itinerary, draw_device(rng)))
        encounters.append(draw_encounters(rng, itinerary, beat, choice.need))
        track_start_us[i] = start_us[i] + round(itinerary.lead_s) * 1_000_000

    return DemoActivity(
        patrols=_patrol_frame(plans, start_us, end_us),
        track_points=_track_frame(plans, tracks, track_start_us),
        encounters=_encounter_frame(plans, encounters, track_start_us),
    )


def _utc_bounds(plans: list[PlannedPatrol]) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of each patrol as UTC epoch microseconds (Europe/Oslo wall clock in)."""
    if not plans:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    start = localize_naive(pd.Series([p.start_local for p in plans], dtype="datetime64[us]"))
    end = localize_naive(pd.Series([p.end_local for p in plans], dtype="datetime64[us]"))
    return _epoch_us(start), _epoch_us(end)


def _epoch_us(utc: pd.Series) -> np.ndarray:
    return utc.dt.tz_convert(None).astype("datetime64[us]").to_numpy().view(np.int64)


def _utc(us: np.ndarray) -> pd.Series:
    return pd.Series(np.asarray(us, dtype=np.int64).astype("datetime64[us]")).dt.tz_localize("UTC")


def _repeat_str(values: list[str], counts: np.ndarray) -> pd.Series:
    """``values[i]`` repeated ``counts[i]`` times, as a ``str`` Series (fast, via Arrow)."""
    codes = np.repeat(np.arange(len(values), dtype=np.int32), counts)
    array = pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(values, type=pa.string()))
    return pd.Series(array.cast(pa.string()), dtype=_STR)


def _provenance(frame: pd.DataFrame) -> pd.DataFrame:
    frame[SOURCE_FILE] = pd.Series(DEMO_SOURCE_FILE, index=frame.index, dtype=_STR)
    frame[SOURCE_LINE] = np.arange(1, len(frame) + 1, dtype=np.int64)
    return frame


def _patrol_frame(plans: list[PlannedPatrol], start_us: np.ndarray, end_us: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            PATROL_ID: pd.Series([p.patrol_id for p in plans], dtype=_STR),
            TEAM: pd.Series([p.team for p in plans], dtype=_STR),
            START_UTC: _utc(start_us),
            END_UTC: _utc(end_us),
            STAFF: np.array([p.staff for p in plans], dtype=np.int64),
            KIND: pd.Series([p.kind.value for p in plans], dtype=_STR),
        }
    )
    return _provenance(frame)[list(PATROL_COLUMNS)]


def _track_frame(plans: list[PlannedPatrol], tracks: list[TrackSample], track_start_us: np.ndarray) -> pd.DataFrame:
    counts = np.array([len(t.t_ms) for t in tracks], dtype=np.int64)
    if len(tracks):
        t_us = np.concatenate([t.t_ms for t in tracks]) * 1000 + np.repeat(track_start_us, counts)
        lon = np.concatenate([t.lon for t in tracks])
        lat = np.concatenate([t.lat for t in tracks])
        accuracy = np.concatenate([t.accuracy_m for t in tracks])
    else:
        t_us, lon, lat, accuracy = (np.empty(0, dtype=np.int64), np.empty(0), np.empty(0), np.empty(0))
    frame = pd.DataFrame(
        {
            PATROL_ID: _repeat_str([p.patrol_id for p in plans], counts),
            TIME_UTC: _utc(t_us),
            LON: lon,
            LAT: lat,
            ACCURACY_M: accuracy,
        }
    )
    return _provenance(frame)[list(TRACK_POINT_COLUMNS)]


def _encounter_frame(
    plans: list[PlannedPatrol], encounters: list[EncounterSample], track_start_us: np.ndarray
) -> pd.DataFrame:
    counts = np.array([len(e) for e in encounters], dtype=np.int64)
    n = int(counts.sum())
    owner = np.repeat(np.arange(len(plans)), counts)
    seq = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts) + 1

    def cat(name: str, dtype: object) -> np.ndarray:
        parts = [getattr(e, name) for e in encounters]
        return np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype=dtype)

    t_us = track_start_us[owner] + np.rint(cat("t_s", float)).astype(np.int64) * 1_000_000
    patrol_ids = np.array([p.patrol_id for p in plans], dtype=object)[owner]
    ids = [f"E{pid[1:]}-{k:03d}" for pid, k in zip(patrol_ids, seq, strict=True)]
    has_patrol = cat("has_patrol", bool)
    frame = pd.DataFrame(
        {
            ENCOUNTER_ID: pd.Series(ids, dtype=_STR),
            TIME_UTC: _utc(t_us),
            LON: cat("lon", float),
            LAT: cat("lat", float),
            PATROL_ID: pd.Series(np.where(has_patrol, patrol_ids, None), dtype=_STR),
            CATEGORY: pd.Series(cat("category", object), dtype=_STR),
            AGE_GROUP: pd.Series(cat("age_group", object), dtype=_STR),
            NEW_CONTACT: cat("new_contact", bool),
            FROM_OUTSIDE_OSLO: pd.Series(cat("from_outside_oslo", object), dtype=_STR),
            PEOPLE: cat("people", np.int64),
        }
    )
    frame = frame.sort_values([TIME_UTC, ENCOUNTER_ID], kind="stable").reset_index(drop=True)
    return _provenance(frame)[list(ENCOUNTER_COLUMNS)]
