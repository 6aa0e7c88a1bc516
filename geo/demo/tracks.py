"""GPS points of one patrol, as a phone would record its itinerary.

Vectorised over the patrol's points (no Python loop per point): sample times
are a cumulative sum of per-fix intervals (1–10 s, the phone's base interval
with jitter); positions come from ``np.interp`` of time → distance along the
path → lon/lat. Then the phone's imperfections: no fix indoors (parking
garages, breaks), short signal gaps and the odd long one, correlated noise of a
few metres, single-point jumps 100–500 m off, and an accuracy column on the
devices that report one.

Times are integer milliseconds since the patrol's first field point; lon/lat
in degrees (EPSG:4326); distances and noise in metres.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import lfilter

from geo.demo.route import Itinerary


@dataclass(frozen=True, slots=True)
class DeviceProfile:
    """A kind of phone: base fix interval (s), noise (m), whether it reports accuracy."""

    weight: float
    interval_s: float
    noise_m: float
    reports_accuracy: bool


DEVICE_PROFILES: tuple[DeviceProfile, ...] = (
    DeviceProfile(weight=0.02, interval_s=1.0, noise_m=3.0, reports_accuracy=True),
    DeviceProfile(weight=0.08, interval_s=3.0, noise_m=3.5, reports_accuracy=True),
    DeviceProfile(weight=0.30, interval_s=5.0, noise_m=4.0, reports_accuracy=True),
    DeviceProfile(weight=0.35, interval_s=8.0, noise_m=5.0, reports_accuracy=False),
    DeviceProfile(weight=0.25, interval_s=10.0, noise_m=6.0, reports_accuracy=False),
)
"""Phones in use; one is drawn per patrol (mean interval over all points ≈ 6 s)."""

INTERVAL_LOG_SD = 0.08
"""Jitter of the interval between fixes (log-normal around the base)."""

INTERVAL_RANGE_MS = (1_000, 10_000)
"""Every interval between consecutive fixes (without a gap) lies in this range, ms."""

GPS_GAPS_PER_HOUR = 1.5
"""Short signal losses (urban canyons, underpasses) per hour of field time."""

GPS_GAP_S = (15.0, 90.0)
"""Length of a short signal loss (log-uniform), seconds."""

LONG_GAP_PROBABILITY = 0.04
"""Share of patrols where the phone stops recording for a while (app killed)."""

LONG_GAP_MIN = (6.0, 20.0)
"""Length of such a long gap (uniform), minutes."""

NOISE_CORRELATION_S = 20.0
"""Time constant of the (AR(1)) position noise, seconds."""

JUMPS_PER_HOUR = 0.4
"""Single-point jumps (multipath, cell fallback) per hour of field time."""

JUMP_DISTANCE_M = (100.0, 500.0)
"""How far a jump lands from the true position (uniform), metres."""

ACCURACY_FACTOR = (1.2, 2.5)
"""Reported accuracy = noise level times a factor in this range (uniform)."""

JUMP_ACCURACY_M = (15.0, 120.0)
"""Accuracy reported at a jump, when it is not a normal-looking value, metres."""

HONEST_JUMP_SHARE = 0.5
"""Share of jumps where the phone reports a large accuracy (the rest look normal)."""

METRES_PER_DEGREE_LAT = 111_320.0
"""Length of one degree of latitude, metres (for converting noise to degrees)."""

COORDINATE_DECIMALS = 6
"""Decimals of lon/lat kept (about 0.1 m), as phone exports write them."""


@dataclass(frozen=True, eq=False)
class TrackSample:
    """Recorded fixes of one patrol.

    ``t_ms`` are milliseconds since the patrol's first field point (increasing),
    ``lon``/``lat`` degrees (EPSG:4326), ``accuracy_m`` metres or NaN.
    """

    t_ms: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    accuracy_m: np.ndarray


def draw_device(rng: np.random.Generator) -> DeviceProfile:
    """Pick the phone of one patrol."""
    weights = np.array([d.weight for d in DEVICE_PROFILES])
    return DEVICE_PROFILES[int(rng.choice(len(DEVICE_PROFILES), p=weights / weights.sum()))]


def sample_track(rng: np.random.Generator, itinerary: Itinerary, device: DeviceProfile) -> TrackSample:
    """Record ``itinerary`` with ``device``."""
    t_ms = _fix_times(rng, itinerary.duration_s, device.interval_s)
    hours = itinerary.duration_s / 3600.0
    hidden = np.vstack([itinerary.hidden_intervals(), _signal_gaps(rng, itinerary.duration_s, hours)])
    t_ms = t_ms[~_inside_any(t_ms / 1000.0, hidden)]

    knot_t, knot_s = itinerary.knots()
    s = np.interp(t_ms / 1000.0, knot_t, knot_s)
    lon = np.interp(s, itinerary.path_distance, itinerary.path_lon)
    lat = np.interp(s, itinerary.path_distance, itinerary.path_lat)

    east, north = _noise(rng, len(t_ms), device)
    accuracy = np.full(len(t_ms), np.nan)
    if device.reports_accuracy:
        accuracy = np.round(device.noise_m * rng.uniform(*ACCURACY_FACTOR, size=len(t_ms)), 1)
    n_jumps = min(int(rng.poisson(JUMPS_PER_HOUR * hours)), len(t_ms))
    if n_jumps:
        at = rng.choice(len(t_ms), size=n_jumps, replace=False)
        reach = rng.uniform(*JUMP_DISTANCE_M, size=n_jumps)
        angle = rng.uniform(0.0, 2 * np.pi, size=n_jumps)
        east[at] += reach * np.cos(angle)
        north[at] += reach * np.sin(angle)
        honest = rng.random(n_jumps) < HONEST_JUMP_SHARE
        if device.reports_accuracy:
            accuracy[at[honest]] = np.round(rng.uniform(*JUMP_ACCURACY_M, size=int(honest.sum())), 1)

    lat_out = lat + north / METRES_PER_DEGREE_LAT
    lon_out = lon + east / (METRES_PER_DEGREE_LAT * np.cos(np.radians(lat)))
    return TrackSample(
        t_ms=t_ms,
        lon=np.round(lon_out, COORDINATE_DECIMALS),
        lat=np.round(lat_out, COORDINATE_DECIMALS),
        accuracy_m=accuracy,
    )


def _fix_times(rng: np.random.Generator, duration_s: float, interval_s: float) -> np.ndarray:
    """Fix times in ms since the first field point, all before ``duration_s``."""
    duration_ms = int(duration_s * 1000)
    n = int(duration_ms / (interval_s * 1000) * 1.2) + 16
    lo, hi = INTERVAL_RANGE_MS
    step = np.clip(np.rint(interval_s * 1000 * np.exp(rng.normal(0.0, INTERVAL_LOG_SD, size=n))), lo, hi)
    t = np.cumsum(step.astype(np.int64)) - int(step[0])
    while t[-1] < duration_ms - hi:  # rare: jitter made the draw too short
        more = np.clip(np.rint(interval_s * 1000 * np.exp(rng.normal(0.0, INTERVAL_LOG_SD, size=n))), lo, hi)
        t = np.concatenate([t, t[-1] + np.cumsum(more.astype(np.int64))])
    return t[t < duration_ms]


def _signal_gaps(rng: np.random.Generator, duration_s: float, hours: float) -> np.ndarray:
    """(n, 2) start/end seconds of signal losses."""
    n = int(rng.poisson(GPS_GAPS_PER_HOUR * hours))
    start = rng.uniform(0.0, duration_s, size=n)
    length = np.exp(rng.uniform(np.log(GPS_GAP_S[0]), np.log(GPS_GAP_S[1]), size=n))
    gaps = np.column_stack([start, start + length])
    if rng.random() < LONG_GAP_PROBABILITY:
        begin = rng.uniform(0.0, duration_s)
        gaps = np.vstack([gaps, [[begin, begin + rng.uniform(*LONG_GAP_MIN) * 60.0]]])
    return gaps


def _inside_any(t_s: np.ndarray, intervals: np.ndarray) -> np.ndarray:
    """True where ``t_s`` lies in any [start, end) interval (a handful per patrol)."""
    hidden = np.zeros(len(t_s), dtype=bool)
    for start, end in intervals:
        hidden |= (t_s >= start) & (t_s < end)
    return hidden


def _noise(rng: np.random.Generator, n: int, device: DeviceProfile) -> tuple[np.ndarray, np.ndarray]:
    """Correlated (AR(1)) east/north position noise, metres, stationary from the first fix."""
    if n == 0:
        return np.zeros(0), np.zeros(0)
    rho = np.exp(-device.interval_s / NOISE_CORRELATION_S)
    white = rng.standard_normal((2, n))
    initial = rho * device.noise_m * rng.standard_normal((2, 1))
    noise, _ = lfilter([np.sqrt(1.0 - rho**2) * device.noise_m], [1.0, -rho], white, axis=1, zi=initial)
    return noise[0], noise[1]
