"""Track segments: consecutive fixes of one patrol that count as presence.

PRODUCT.md, Presence: for consecutive points of one patrol at most ``max_gap``
apart and with implied speed at most ``max_speed``, the segment counts as
presence; longer gaps and faster segments count as nothing. Lengths are
measured in EPSG:25832 (metres), never in degrees.

Everything here works on whole numpy arrays; there is no Python loop per point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.engine.fastproj import to_measure_crs
from geo.schema import LAT, LON, PATROL_ID, TIME_UTC

MAX_GAP_S = 300.0
"""Default ``max_gap``: 5 minutes, in seconds."""

MAX_SPEED_KMH = 20.0
"""Default ``max_speed``: 20 km/h."""


@dataclass(frozen=True, slots=True)
class Segments:
    """Presence segments as parallel arrays (one entry per segment).

    Attributes
    ----------
    patrol : int64 codes into ``patrol_ids``
    patrol_ids : the patrol id of each code
    t0, t1 : segment start and end, seconds since the Unix epoch (UTC, float64)
    x0, y0, x1, y1 : end points in EPSG:25832, metres
    lon0, lat0, lon1, lat1 : end points in EPSG:4326, degrees
    length_m : segment length in EPSG:25832, metres
    """

    patrol: np.ndarray
    patrol_ids: np.ndarray
    t0: np.ndarray
    t1: np.ndarray
    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    lon0: np.ndarray
    lat0: np.ndarray
    lon1: np.ndarray
    lat1: np.ndarray
    length_m: np.ndarray

    def __len__(self) -> int:
        return len(self.t0)

    @property
    def duration_s(self) -> np.ndarray:
        """Elapsed time of each segment, seconds."""
        return self.t1 - self.t0

    def take(self, index: np.ndarray) -> Segments:
        """The segments at ``index`` (boolean mask or integer positions)."""
        return Segments(
            patrol=self.patrol[index],
            patrol_ids=self.patrol_ids,
            **{name: getattr(self, name)[index] for name in _COORD_FIELDS},
        )


_COORD_FIELDS = ("t0", "t1", "x0", "y0", "x1", "y1", "lon0", "lat0", "lon1", "lat1", "length_m")


def build_segments(
    track_points: pd.DataFrame,
    *,
    max_gap_s: float = MAX_GAP_S,
    max_speed_kmh: float = MAX_SPEED_KMH,
) -> Segments:
    """Presence segments from track points.

    Parameters
    ----------
    track_points
        Columns ``patrol_id``, ``time_utc`` (datetime64 UTC), ``lon``, ``lat``
        (EPSG:4326). Any order; sorted here by patrol and time.
    max_gap_s
        Longest time between consecutive fixes that still counts, seconds.
    max_speed_kmh
        Highest implied speed that still counts, km/h.

    Returns
    -------
    Segments
        Only segments that count as presence (gap and speed within limits and
        positive duration).
    """
    if max_gap_s <= 0:
        raise ValueError(f"max_gap_s must be > 0 seconds; got {max_gap_s}")
    if max_speed_kmh <= 0:
        raise ValueError(f"max_speed_kmh must be > 0 km/h; got {max_speed_kmh}")
    codes, patrol_ids = pd.factorize(track_points[PATROL_ID], sort=True)
    t = _epoch_seconds(track_points[TIME_UTC])
    order = np.lexsort((t, codes))
    codes = codes[order]
    t = t[order]
    lon = track_points[LON].to_numpy(dtype=np.float64)[order]
    lat = track_points[LAT].to_numpy(dtype=np.float64)[order]
    x, y = to_measure_crs(lon, lat)
    return _segments_from_sorted(
        codes, np.asarray(patrol_ids), t, lon, lat, x, y, max_gap_s=max_gap_s, max_speed_kmh=max_speed_kmh
    )


def _epoch_seconds(times: pd.Series) -> np.ndarray:
    """UTC datetimes as float seconds since the epoch, whatever the unit."""
    values = pd.DatetimeIndex(times).tz_convert("UTC").as_unit("us").asi8
    return values.astype(np.float64) / 1e6


def _segments_from_sorted(
    codes: np.ndarray,
    patrol_ids: np.ndarray,
    t: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    *,
    max_gap_s: float,
    max_speed_kmh: float,
) -> Segments:
    same_patrol = codes[1:] == codes[:-1]
    dt = t[1:] - t[:-1]
    dx = x[1:] - x[:-1]
    dy = y[1:] - y[:-1]
    length = np.hypot(dx, dy)
    max_speed_ms = max_speed_kmh / 3.6
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = same_patrol & (dt > 0) & (dt <= max_gap_s) & (length <= max_speed_ms * dt)
    i = np.flatnonzero(keep)
    return Segments(
        patrol=codes[i].astype(np.int64),
        patrol_ids=patrol_ids,
        t0=t[i],
        t1=t[i + 1],
        x0=x[i],
        y0=y[i],
        x1=x[i + 1],
        y1=y[i + 1],
        lon0=lon[i],
        lat0=lat[i],
        lon1=lon[i + 1],
        lat1=lat[i + 1],
        length_m=length[i],
    )
