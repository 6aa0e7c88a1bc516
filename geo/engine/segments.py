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

from geo.engine.projection import to_measure_crs
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


@dataclass(frozen=True, slots=True)
class Gaps:
    """Gaps between consecutive fixes of one patrol that are not segments (too long).

    Attributes
    ----------
    patrol : int64 codes into the ``patrol_ids`` of the Segments built with them
    t0, t1 : the last fix before and the first fix after the gap, epoch seconds (UTC)
    x0, y0, x1, y1 : those two fixes in EPSG:25832, metres
    """

    patrol: np.ndarray
    t0: np.ndarray
    t1: np.ndarray
    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray

    def __len__(self) -> int:
        return len(self.t0)

    @classmethod
    def concat(cls, parts: list[Gaps]) -> Gaps:
        """The gaps of several chunks (codes share one ``patrol_ids``), in order."""
        return cls(**{name: np.concatenate([getattr(p, name) for p in parts]) for name in _GAP_FIELDS})


_GAP_FIELDS = ("patrol", "t0", "t1", "x0", "y0", "x1", "y1")


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
    return _concat_segments(chunks)


def build_segments_and_gaps(
    track_points: pd.DataFrame,
    *,
    max_gap_s: float = MAX_GAP_S,
    max_speed_kmh: float = MAX_SPEED_KMH,
    longest_gap_s: float,
) -> tuple[Segments, Gaps]:
    """:func:`build_segments` plus the patrols' gaps longer than ``max_gap_s`` and at most
    ``longest_gap_s`` seconds (:meth:`SortedPoints.segments_and_gaps`), in one pass."""
    points = SortedPoints.of(track_points)
    parts = [points.segments_and_gaps(c, max_gap_s=max_gap_s, max_speed_kmh=max_speed_kmh,
                                      longest_gap_s=longest_gap_s) for c in range(len(points.chunks))]
    return _concat_segments([p[0] for p in parts]), Gaps.concat([p[1] for p in parts])


def _concat_segments(chunks: list[Segments]) -> Segments:
    if len(chunks) == 1:
        return chunks[0]
    return Segments(
        patrol=np.concatenate([c.patrol for c in chunks]),
        patrol_ids=chunks[0].patrol_ids,
        **{name: np.concatenate([getattr(c, name) for c in chunks]) for name in _COORD_FIELDS},
    )


CHUNK_POINTS = 1 << 18
"""Points per chunk (whole patrols), about 260,000. A chunk's working arrays
(about 100 MB) are reused from freed memory instead of fresh pages, and two
threads' chunks stay small enough that a first call faults in far fewer
pages: on 10M points with two threads, 1M-point chunks spent 0.3–0.8 s of
CPU in the kernel and 256K-point chunks 0.12–0.2 s (``bench/``)."""


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
    """Track points grouped by patrol, cut into chunks of whole patrols.

    The serial part of segment building is only grouping the points by
    patrol; :meth:`segments` of different chunks (ordering by time within
    each patrol, projecting, building segments) can run in parallel threads
    (``geo.engine.threads``).
    """

    patrol_ids: np.ndarray  # sorted distinct patrol ids
    patrol_starts: np.ndarray  # int64, one more than patrols: patrol p's points are [starts[p], starts[p + 1])
    epoch_us: np.ndarray  # int64 UTC microseconds since the epoch, in patrol order, any time order within one
    lon: np.ndarray  # EPSG:4326 degrees
    lat: np.ndarray
    chunks: list[tuple[int, int]]  # [first, last) patrol ranges

    @classmethod
    def of(cls, track_points: pd.DataFrame, *, chunk_points: int = CHUNK_POINTS) -> SortedPoints:
        patrol_ids, patrol_starts, order = _group_by_patrol(track_points[PATROL_ID])
        epoch_us = _epoch_microseconds(track_points[TIME_UTC])
        lon = track_points[LON].to_numpy(dtype=np.float64)
        lat = track_points[LAT].to_numpy(dtype=np.float64)
        if order is not None:
            epoch_us, lon, lat = epoch_us[order], lon[order], lat[order]
        return cls(patrol_ids, patrol_starts, epoch_us, lon, lat, _chunk_bounds(patrol_starts, chunk_points))

    def segments(self, chunk: int, *, max_gap_s: float = MAX_GAP_S, max_speed_kmh: float = MAX_SPEED_KMH) -> Segments:
        """The presence segments of chunk number ``chunk`` (see :func:`build_segments`)."""
        _check_limits(max_gap_s, max_speed_kmh)
        codes, t, lon, lat, x, y = self._sorted_chunk(chunk)
        return _segments_from_sorted(
            codes, self.patrol_ids, t, lon, lat, x, y, max_gap_s=max_gap_s, max_speed_kmh=max_speed_kmh
        )

    def segments_and_gaps(
        self, chunk: int, *, max_gap_s: float = MAX_GAP_S, max_speed_kmh: float = MAX_SPEED_KMH,
        longest_gap_s: float,
    ) -> tuple[Segments, Gaps]:
        """:meth:`segments` plus the gaps of the chunk longer than ``max_gap_s`` and at most
        ``longest_gap_s`` seconds (the candidates for indoor stays, ``geo.engine.indoor``)."""
        _check_limits(max_gap_s, max_speed_kmh)
        if longest_gap_s <= 0:
            raise ValueError(f"longest_gap_s must be > 0 seconds; got {longest_gap_s}")
        codes, t, lon, lat, x, y = self._sorted_chunk(chunk)
        segments = _segments_from_sorted(
            codes, self.patrol_ids, t, lon, lat, x, y, max_gap_s=max_gap_s, max_speed_kmh=max_speed_kmh
        )
        dt = t[1:] - t[:-1]
        gap = np.flatnonzero((codes[1:] == codes[:-1]) & (dt > max_gap_s) & (dt <= longest_gap_s))
        gaps = Gaps(patrol=codes[gap].astype(np.int64), t0=t[gap], t1=t[gap + 1],
                    x0=x[gap], y0=y[gap], x1=x[gap + 1], y1=y[gap + 1])
        return segments, gaps

    def _sorted_chunk(self, chunk: int) -> tuple[np.ndarray, ...]:
        """Patrol codes, times (epoch s), lon/lat and EPSG:25832 x/y of one chunk, in patrol and time order."""
        first_patrol, last_patrol = self.chunks[chunk]
        starts = self.patrol_starts[first_patrol:last_patrol + 1]
        first, last = int(starts[0]), int(starts[-1])
        codes = np.repeat(np.arange(first_patrol, last_patrol, dtype=np.int64), np.diff(starts))
        t = self.epoch_us[first:last] / 1e6
        lon, lat = self.lon[first:last], self.lat[first:last]
        if np.any((t[1:] < t[:-1]) & (codes[1:] == codes[:-1])):  # not in time order within a patrol
            order = np.lexsort((t, codes))  # stable: equal times keep their input order
            t, lon, lat = t[order], lon[order], lat[order]
        x, y = to_measure_crs(lon, lat)
        return codes, t, lon, lat, x, y


def _check_limits(max_gap_s: float, max_speed_kmh: float) -> None:
    if max_gap_s <= 0:
        raise ValueError(f"max_gap_s must be > 0 seconds; got {max_gap_s}")
    if max_speed_kmh <= 0:
        raise ValueError(f"max_speed_kmh must be > 0 km/h; got {max_speed_kmh}")


def _group_by_patrol(patrol_id: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Sorted distinct patrol ids, where each one's points start, and the order that groups them.

    The order is None when the points already come grouped by patrol in id
    order, as they do from the stores and importers. For text ids held by
    Arrow (pandas' default string type) that case is found by comparing
    neighbours, which is several times cheaper than hashing every id;
    anything else is factorised. The order is stable: points of one patrol
    keep their input order.
    """
    n = len(patrol_id)
    grouped = _grouped_arrow_text(patrol_id)
    if grouped is not None:
        return grouped[0], grouped[1], None
    codes, ids = pd.factorize(patrol_id, sort=True)
    if n and codes.min() < 0:
        raise ValueError(f"patrol_id is missing in {int((codes < 0).sum())} of {n} track points; every point needs one")
    patrol_starts = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum(np.bincount(codes, minlength=len(ids)), out=patrol_starts[1:])
    in_order = n < 2 or bool(np.all(codes[1:] >= codes[:-1]))
    return np.asarray(ids), patrol_starts, None if in_order else np.argsort(codes, kind="stable")


def _grouped_arrow_text(patrol_id: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """(ids, starts) when Arrow-held text ids come grouped and in id order; else None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(patrol_id) < 2 or not hasattr(patrol_id.array, "__arrow_array__"):
        return None
    text = pa.chunked_array(patrol_id.array.__arrow_array__())
    if not (pa.types.is_string(text.type) or pa.types.is_large_string(text.type)) or text.null_count:
        return None
    differs = pc.not_equal(text[1:], text[:-1]).to_numpy(zero_copy_only=False)
    patrol_starts = np.concatenate([[0], np.flatnonzero(differs) + 1, [len(text)]]).astype(np.int64)
    ids = text.take(patrol_starts[:-1]).to_numpy(zero_copy_only=False).astype(object)
    if len(ids) > 1 and not bool(np.all(ids[1:] > ids[:-1])):  # a patrol comes back later, or ids out of order
        return None
    return ids, patrol_starts


def _chunk_bounds(patrol_starts: np.ndarray, chunk_points: int) -> list[tuple[int, int]]:
    """[first, last) patrol ranges of about ``chunk_points`` points each."""
    n_patrols, n = len(patrol_starts) - 1, int(patrol_starts[-1])
    if n <= chunk_points:
        return [(0, n_patrols)]
    targets = np.arange(chunk_points, n, chunk_points)
    cuts = np.unique(np.searchsorted(patrol_starts, targets))  # the first patrol starting at or after each target
    edges = [0, *[int(c) for c in cuts if 0 < c < n_patrols], n_patrols]
    return [(a, b) for a, b in zip(edges[:-1], edges[1:]) if b > a]


def _epoch_microseconds(times: pd.Series) -> np.ndarray:
    """UTC datetimes as int64 microseconds since the epoch, whatever the unit (no copy when already µs)."""
    return pd.DatetimeIndex(times).tz_convert("UTC").as_unit("us").asi8


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
