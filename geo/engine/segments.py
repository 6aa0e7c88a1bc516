"""Track segments: consecutive fixes of one patrol that count as presence.

PRODUCT.md, Presence: for consecutive points of one patrol at most ``max_gap``
apart and with implied speed at most ``max_speed``, the segment counts as
presence; longer gaps and faster segments count as nothing. Lengths are
measured in EPSG:25832 (metres), never in degrees.

Everything here works on whole numpy arrays; there is no Python loop per point.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.engine.allocator import keep_freed_memory
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
    def hour_utc(self) -> np.ndarray:
        """Start of the UTC hour each segment starts in, epoch seconds (int64)."""
        return (np.floor(self.t0 / 3600.0) * 3600).astype(np.int64)

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
    chunks = list(iter_segment_chunks(track_points, max_gap_s=max_gap_s, max_speed_kmh=max_speed_kmh))
    if len(chunks) == 1:
        return chunks[0]
    return Segments(
        patrol=np.concatenate([c.patrol for c in chunks]),
        patrol_ids=chunks[0].patrol_ids,
        **{name: np.concatenate([getattr(c, name) for c in chunks]) for name in _COORD_FIELDS},
    )


CHUNK_POINTS = 1 << 20
"""Points per chunk (whole patrols): arrays of this size reuse freed memory
instead of paying for fresh pages, which makes whole-array steps several
times faster than on one huge array."""


def iter_segment_chunks(
    track_points: pd.DataFrame,
    *,
    max_gap_s: float = MAX_GAP_S,
    max_speed_kmh: float = MAX_SPEED_KMH,
    chunk_points: int = CHUNK_POINTS,
) -> Iterator[Segments]:
    """:func:`build_segments` in chunks of about ``chunk_points`` points of whole patrols.

    Every chunk shares ``patrol_ids``; a patrol's segments are never split
    across chunks. Same parameters and units as :func:`build_segments`.
    """
    points = SortedPoints.of(track_points, chunk_points=chunk_points)
    for chunk in range(len(points.chunks)):
        yield points.segments(chunk, max_gap_s=max_gap_s, max_speed_kmh=max_speed_kmh)


@dataclass(frozen=True, slots=True)
class SortedPoints:
    """Track points ordered by patrol and time, cut into chunks of whole patrols.

    The serial part of segment building; :meth:`segments` of different chunks
    can run in parallel threads (``geo.engine.threads``).
    """

    codes: np.ndarray  # patrol code per point (into patrol_ids)
    patrol_ids: np.ndarray
    t: np.ndarray  # epoch seconds, UTC
    lon: np.ndarray  # EPSG:4326 degrees
    lat: np.ndarray
    chunks: list[tuple[int, int]]  # [first, last) point ranges

    @classmethod
    def of(cls, track_points: pd.DataFrame, *, chunk_points: int = CHUNK_POINTS) -> SortedPoints:
        keep_freed_memory()
        codes, patrol_ids = pd.factorize(track_points[PATROL_ID], sort=True)
        t = _epoch_seconds(track_points[TIME_UTC])
        lon = track_points[LON].to_numpy(dtype=np.float64)
        lat = track_points[LAT].to_numpy(dtype=np.float64)
        if not _is_sorted(codes, t):
            order = np.lexsort((t, codes))
            codes, t, lon, lat = codes[order], t[order], lon[order], lat[order]
        return cls(codes, np.asarray(patrol_ids), t, lon, lat, _chunk_bounds(codes, chunk_points))

    def segments(self, chunk: int, *, max_gap_s: float = MAX_GAP_S, max_speed_kmh: float = MAX_SPEED_KMH) -> Segments:
        """The presence segments of chunk number ``chunk`` (see :func:`build_segments`)."""
        if max_gap_s <= 0:
            raise ValueError(f"max_gap_s must be > 0 seconds; got {max_gap_s}")
        if max_speed_kmh <= 0:
            raise ValueError(f"max_speed_kmh must be > 0 km/h; got {max_speed_kmh}")
        first, last = self.chunks[chunk]
        lon, lat = self.lon[first:last], self.lat[first:last]
        x, y = to_measure_crs(lon, lat)
        return _segments_from_sorted(
            self.codes[first:last], self.patrol_ids, self.t[first:last], lon, lat, x, y,
            max_gap_s=max_gap_s, max_speed_kmh=max_speed_kmh,
        )


def _is_sorted(codes: np.ndarray, t: np.ndarray) -> bool:
    """Whether points are already ordered by patrol, then time."""
    if len(codes) < 2:
        return True
    step = codes[1:] - codes[:-1]
    return bool((step >= 0).all() and ((step > 0) | (t[1:] >= t[:-1])).all())


def _chunk_bounds(codes: np.ndarray, chunk_points: int) -> list[tuple[int, int]]:
    """[first, last) index ranges of about ``chunk_points`` points, cut only between patrols."""
    n = len(codes)
    if n <= chunk_points:
        return [(0, n)]
    patrol_starts = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    targets = np.arange(chunk_points, n, chunk_points)
    cuts = np.unique(patrol_starts[np.minimum(np.searchsorted(patrol_starts, targets), len(patrol_starts) - 1)])
    edges = [0, *[int(c) for c in cuts if 0 < c < n], n]
    return [(a, b) for a, b in zip(edges[:-1], edges[1:]) if b > a]


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
    length = np.sqrt(dx * dx + dy * dy)  # np.hypot is ~5x slower; no overflow risk at city scale
    max_speed_ms = max_speed_kmh / 3.6
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = same_patrol & (dt > 0) & (dt <= max_gap_s) & (length <= max_speed_ms * dt)
    if keep.all():  # the usual case within a chunk of whole patrols: views, no copies
        first, second = slice(None, -1), slice(1, None)
    else:  # boolean masks compact faster than integer gathers
        first, second = np.append(keep, False), np.insert(keep, 0, False)
    return Segments(
        patrol=codes[first].astype(np.int64),
        patrol_ids=patrol_ids,
        t0=t[first],
        t1=t[second],
        x0=x[first],
        y0=y[first],
        x1=x[second],
        y1=y[second],
        lon0=lon[first],
        lat0=lat[first],
        lon1=lon[second],
        lat1=lat[second],
        length_m=length if keep.all() else length[keep],
    )
