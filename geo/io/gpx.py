"""Read patrols and track points from GPX track logs; write track points as GPX.

Reading (:func:`read_gpx`)
--------------------------
- GPX 1.0 and 1.1 (with or without a namespace, with or without a UTF-8
  byte-order mark). The file is parsed by GDAL's GPX driver through pyogrio,
  in C, with no Python code per point: about 1 million points in 2–4 s.
- **One patrol per** ``<trk>``; all its ``<trkseg>`` segments belong to that
  patrol. Waypoints (``<wpt>``) and routes (``<rte>``) are ignored.
- **Times**: ``<time>`` is ISO 8601. ``Z`` and offsets such as ``+01:00`` are
  converted to the exact UTC instant; a time without an offset is UTC, as the
  GPX schema defines. GDAL keeps **millisecond** precision (finer fractions are
  truncated) and reads an unparseable ``<time>`` as no time.
- Track points **without a time** are skipped and counted in one warning;
  points that repeat an earlier time of the same track keep the first one (in
  file order) and are counted in another warning. Points are sorted by time.
- A track whose **device clock is broken** (a time before 2000-01-01 or more
  than a day in the future, e.g. the 1901-12-13 of a reset clock) is rejected
  as a whole with one :class:`~geo.io.errors.RowError` on column ``time``
  whose line is the track number; if only some of a track's points have such
  times, those points are rejected one by one and the track is kept.
- **Patrol id**: ``"gpx-"`` plus the first 16 hex digits of the SHA-1 of the
  track's UTC times (int64 microseconds), then longitudes, then latitudes
  (float64), all little-endian, over the points kept for the patrol (with a
  time and a working clock, no repeated time) sorted by time. Segments,
  names, elevations and the file name do not count. Re-importing the same file, even renamed, gives the
  same ids; two identical tracks give the same id and the second is rejected
  by validation as a duplicate.
- **Patrol start/end** are the first and last time of the track. Patrols and
  track points are then validated separately with
  :func:`geo.io.validation.validate`: a rejected patrol takes its track points
  with it; a patrol whose points were all rejected (e.g. outside Norway) is
  kept, with a warning, since its times are still valid effort.
- **Line numbers**: a patrol's ``source_line`` (and the line of a RowError about
  a whole track) is the 1-based number of its ``<trk>`` in the file, counting
  every ``<trk>``. A track point's ``source_line`` is the 1-based number of its
  ``<trkpt>`` in the file, in document order, counting every ``<trkpt>`` of
  every track, with or without a time.
- Coordinates are lon/lat degrees, EPSG:4326 (GPX is always WGS84).
  ``accuracy_m`` is always NaN: GPX has no element for horizontal accuracy in
  metres (``<hdop>`` is a unitless dilution of precision).

A file that is not GPX, is malformed XML, or has no track point with a time
raises :class:`~geo.io.errors.InputFileError` with a reason in plain words.

Writing (:func:`write_gpx`)
---------------------------
One ``<trk>`` (named by its patrol id) with one ``<trkseg>`` per patrol, in
order of first appearance, points sorted by time, times in UTC with ``Z``,
coordinates as the shortest decimal that reads back to the same float64.
String building is vectorised with pyarrow: about 1 million points per second.
"""

from __future__ import annotations

import hashlib
import re
import warnings
import xml.parsers.expat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
import pyogrio.errors
import shapely
from pyogrio.raw import read as _pyogrio_read

from geo.io.errors import InputFileError, ReadResult, RowError
from geo.schema import (
    ACCURACY_M,
    DEFAULT_STAFF,
    END_UTC,
    KIND,
    LAT,
    LON,
    PATROL_ID,
    SOURCE_FILE,
    SOURCE_LINE,
    STAFF,
    START_UTC,
    T_PATROLS,
    T_TRACK_POINTS,
    TEAM,
    TIME_UTC,
    PatrolKind,
)
from geo.io.validation import EARLIEST_TIME, validate

PATROL_ID_PREFIX = "gpx-"
"""Prefix of every patrol id made from a GPX track."""

PATROL_ID_HEX_DIGITS = 16
"""Number of hex digits of the SHA-1 kept in a patrol id (64 bits)."""

CLOCK_MAX_AHEAD = pd.Timedelta(days=1)
"""Times further than this after the moment of import come from a broken clock."""

GPX_TIME = "time"
"""Name of the GPX element (and RowError column) of a track point's time."""

GPX_TRKPT = "trkpt"
"""Name of the GPX element (and RowError column) of a track point."""

GPX_NAMESPACE = "http://www.topografix.com/GPX/1/1"
"""Namespace of the GPX 1.1 files that :func:`write_gpx` writes."""

NO_TRACK_POINTS = "no track points with a time: expected <trk>/<trkseg>/<trkpt> elements with <time>"

PATROL_COLUMNS = [PATROL_ID, TEAM, START_UTC, END_UTC, STAFF, KIND, SOURCE_FILE, SOURCE_LINE]
TRACK_POINT_COLUMNS = [PATROL_ID, TIME_UTC, LON, LAT, ACCURACY_M, SOURCE_LINE]

_TRACK = "gpx_track"  # internal column: 1-based <trk> number
_SNIFF_BYTES = 64 * 1024
_TAIL_BYTES = 4 * 1024
_SCAN_CHUNK = 16 * 1024 * 1024
_LISTED_TRACKS = 10  # track numbers named in one warning at most
_PYOGRIO_ERRORS = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,  # includes FeatureError
    pyogrio.errors.FieldError,
    pyogrio.errors.GeometryError,
    pyogrio.errors.CRSError,
)


def read_gpx(
    path: str | Path,
    *,
    team: str = "unknown",
    kind: str = PatrolKind.REGULAR,
    staff: int = DEFAULT_STAFF,
) -> ReadResult:
    """Read the patrols and track points of one GPX file.

    Parameters
    ----------
    path
        A GPX 1.0 or 1.1 file.
    team
        Team of every patrol in the file (non-empty text).
    kind
        Kind of every patrol: a :class:`~geo.schema.PatrolKind` value.
    staff
        Number of staff on every patrol (people, 1..50).

    Returns
    -------
    ReadResult
        ``frames[T_PATROLS]``: one row per usable ``<trk>`` with
        :data:`PATROL_COLUMNS`; ``source_line`` is the track number.
        ``frames[T_TRACK_POINTS]``: :data:`TRACK_POINT_COLUMNS`, times
        ``datetime64[us, UTC]``, lon/lat degrees in EPSG:4326, ``accuracy_m``
        NaN; ``source_line`` is the 1-based ``<trkpt>`` number in the file.
        Sorted by patrol (file order) then time. ``errors`` holds every
        rejected track or point, ``warnings`` what was skipped and why.

    Raises
    ------
    ValueError
        If ``team`` is empty or ``kind`` is not a PatrolKind value.
    TypeError
        If ``staff`` is not a whole number (its range 1..50 is checked by
        validation, per patrol).
    InputFileError
        If the file cannot be read, is not GPX, is malformed XML or has no
        track point with a time.
    """
    path = Path(path)
    _check_options(team=team, kind=kind, staff=staff)
    _check_is_gpx(path)
    result = ReadResult(path=str(path))
    raw = _read_track_points(path, result)
    points = _timed_points(raw, path, result)
    points = _reject_broken_clocks(points, path.name, result)
    points = _drop_repeated_times(points, result)
    points = _reject_single_points(points, path.name, result)
    patrols, points = _patrols_from_points(points, team=team, kind=str(kind), staff=staff, file=path.name)
    _validate_into(result, patrols, points, file=path.name)
    return result


def write_gpx(track_points: pd.DataFrame, path: str | Path) -> None:
    """Write track points as a GPX 1.1 file with one ``<trk>`` per patrol.

    Parameters
    ----------
    track_points
        Columns ``patrol_id``, ``time_utc`` (timezone-aware) and ``lon``/``lat``
        (degrees, EPSG:4326); other columns are ignored (GPX has no element
        for ``accuracy_m``).
    path
        File to write (UTF-8, overwritten).

    Times are written in UTC with ``Z``, in whole seconds, milliseconds or
    microseconds, whichever is needed for the values given (note that
    :func:`read_gpx` keeps milliseconds only).

    Raises
    ------
    ValueError
        If a column is missing, or a patrol id, time or coordinate is missing.
    TypeError
        If ``time_utc`` is not timezone-aware.
    """
    patrol_ids, micros, lon, lat = _writable_columns(track_points)
    order, patrol_codes, patrol_names = _write_order(patrol_ids, micros)
    body = _trkpt_elements(lon[order], lat[order], micros[order])
    _write_document(Path(path), body, patrol_codes[order], patrol_names)


# --- reading: checks -----------------------------------------------------------


def _check_options(*, team: str, kind: str, staff: int) -> None:
    if not isinstance(team, str) or not team.strip():
        raise ValueError(f"team must be a non-empty text; got {team!r}")
    allowed = [k.value for k in PatrolKind]
    if kind not in allowed:
        raise ValueError(f"kind must be one of {', '.join(allowed)}; got {kind!r}")
    if isinstance(staff, bool) or not isinstance(staff, (int, np.integer)):
        raise TypeError(f"staff must be a whole number of people like {DEFAULT_STAFF}; got {staff!r}")


def _check_is_gpx(path: Path) -> None:
    """Raise InputFileError unless ``path`` starts like a GPX document."""
    try:
        with path.open("rb") as f:
            head = f.read(_SNIFF_BYTES)
    except FileNotFoundError:
        raise InputFileError(path, "file not found") from None
    except OSError as exc:
        raise InputFileError(path, f"cannot be read: {exc.strerror or exc}") from None
    if not head.strip():
        raise InputFileError(path, "the file is empty: expected a GPX document (<gpx> … </gpx>)")
    text = _decode_head(head)
    root = _root_element(text)
    if root is None:
        raise InputFileError(
            path, "not a GPX file: no XML element found; expected an XML document with a <gpx> root element"
        )
    if root.rpartition(":")[2] != "gpx":
        raise InputFileError(
            path, f"not a GPX file: the root element is <{root}>; expected <gpx> (GPX 1.0 or 1.1)"
        )


def _decode_head(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8-sig", errors="replace")


def _root_element(text: str) -> str | None:
    text = re.sub(r"<!--.*?(-->|$)", "", text, flags=re.DOTALL)
    text = re.sub(r"<!DOCTYPE[^>]*>", "", text)
    text = re.sub(r"<\?.*?\?>", "", text, flags=re.DOTALL)
    match = re.search(r"<([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)", text)
    return match.group(1) if match else None


# --- reading: GDAL ---------------------------------------------------------------


@dataclass(slots=True)
class _RawPoints:
    """Every <trkpt> GDAL read, in document order."""

    point_no: np.ndarray  # int64, 1-based <trkpt> number
    track_no: np.ndarray  # int64, 1-based <trk> number
    time_text: np.ndarray  # object, ISO 8601 text or None
    lon: np.ndarray  # float64 degrees
    lat: np.ndarray  # float64 degrees


def _read_track_points(path: Path, result: ReadResult) -> _RawPoints:
    """Read layer ``track_points`` with GDAL.

    The fast path streams Arrow batches, but GDAL's Arrow stream does not
    report an XML error met half-way (it just stops). So the fast result is
    only trusted when it has exactly as many points as the file has
    ``<trkpt`` tags and the file ends with ``</gpx>``; otherwise the file is
    read again feature by feature, which raises GDAL's XML error.
    """
    n_tags, ends_well = _scan_file(path)
    if n_tags > 0 and ends_well:
        meta, table = _gdal(pyogrio.read_arrow, path)
        if table.num_rows == n_tags:
            return _raw_from_arrow(meta, table)
    meta, fids, geometry, fields = _gdal(_pyogrio_read, path)
    columns = dict(zip(meta["fields"], fields))
    raw = _raw_points(fids, columns["track_fid"], columns["time"], shapely.from_wkb(geometry))
    if len(raw.point_no) < n_tags:
        n_tags = _count_trkpt_outside_comments(path)
    if len(raw.point_no) < n_tags:
        result.warnings.append(
            f"{n_tags - len(raw.point_no)} of {n_tags} <trkpt> elements could not be read "
            "(missing lat/lon?) and were skipped; later point numbers may be off by as many"
        )
    return raw


def _gdal(reader: Callable[..., Any], path: Path) -> Any:
    """Call a pyogrio reader on layer ``track_points``; GDAL errors become InputFileError."""
    try:
        with warnings.catch_warnings():
            # e.g. "GPX schema version is unknown": GDAL then reads it as GPX 1.1.
            warnings.simplefilter("ignore", RuntimeWarning)
            return reader(
                str(path),
                layer="track_points",
                columns=["track_fid", "time"],
                datetime_as_string=True,
                return_fids=True,
            )
    except _PYOGRIO_ERRORS as exc:
        raise InputFileError(path, _gdal_reason(str(exc), path)) from None


def _gdal_reason(message: str, path: Path) -> str:
    """Reason for a file GDAL could not read: the XML error if there is one."""
    problem = _xml_problem(path)
    if problem:
        return (
            f"malformed XML: {problem}; expected a well-formed GPX document "
            "(was the file cut off while copying?)"
        )
    message = message.replace(str(path), path.name)
    if "track_points" in message:
        return "not a GPX file: GDAL found no GPX track layer; expected a <gpx> document with <trk> elements"
    return f"cannot be read as GPX: {message}"


def _xml_problem(path: Path) -> str | None:
    """Expat's message for the first XML error in ``path``, or None if well-formed.

    GDAL's GPX driver reports an XML error early in the file as "not
    recognized as being in a supported file format"; expat (the parser GDAL
    uses too) names it. No handlers are set, so this runs at C speed.
    """
    parser = xml.parsers.expat.ParserCreate()
    try:
        with path.open("rb") as f:
            parser.ParseFile(f)
    except xml.parsers.expat.ExpatError as exc:
        return str(exc)
    return None


def _scan_file(path: Path) -> tuple[int, bool]:
    """Count ``<trkpt`` tags and tell whether the file ends with ``</gpx>``."""
    token = b"<trkpt"
    count, tail = 0, b""
    with path.open("rb") as f:
        while chunk := f.read(_SCAN_CHUNK):
            buf = tail + chunk
            count += buf.count(token)
            tail = buf[-(len(token) - 1):]
        f.seek(0, 2)
        f.seek(max(0, f.tell() - _TAIL_BYTES))
        last = f.read()
    ends_well = re.search(rb"</([\w.\-]+:)?gpx>\s*(<!--.*?-->\s*)*$", last, flags=re.DOTALL) is not None
    return count, ends_well


def _count_trkpt_outside_comments(path: Path) -> int:
    """Exact ``<trkpt`` count ignoring comments and CDATA (slow path only)."""
    data = re.sub(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>", b"", path.read_bytes(), flags=re.DOTALL)
    return data.count(b"<trkpt")


def _raw_from_arrow(meta: dict, table: pa.Table) -> _RawPoints:
    wkb = table.column(meta["geometry_name"] or "wkb_geometry").combine_chunks()
    lon, lat = _xy_from_wkb_points(wkb)
    return _RawPoints(
        point_no=table.column(meta["fid_column"]).to_numpy().astype(np.int64) + 1,
        track_no=table.column("track_fid").to_numpy().astype(np.int64) + 1,
        time_text=table.column("time").to_numpy(zero_copy_only=False),
        lon=lon,
        lat=lat,
    )


def _raw_points(fids, track_fids, times, points: np.ndarray) -> _RawPoints:
    return _RawPoints(
        point_no=np.asarray(fids, dtype=np.int64) + 1,
        track_no=np.asarray(track_fids, dtype=np.int64) + 1,
        time_text=np.asarray(times, dtype=object),
        lon=shapely.get_x(points).astype(np.float64),  # NaN for an empty point
        lat=shapely.get_y(points).astype(np.float64),
    )


def _xy_from_wkb_points(wkb: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat of an Arrow array of WKB points, decoded as one numpy view.

    GDAL writes every 2D point as the same 21 bytes (byte order, type 1, x, y);
    anything else is decoded by shapely instead.
    """
    n = len(wkb)
    offsets = np.frombuffer(wkb.buffers()[1], dtype=np.int32)[wkb.offset: wkb.offset + n + 1]
    if n and wkb.null_count == 0 and (np.diff(offsets) == 21).all():
        start = int(offsets[0])
        records = np.frombuffer(wkb.buffers()[2], dtype=np.uint8)[start: start + 21 * n].reshape(n, 21)
        if (records[:, 0] == 1).all() and (records[:, 1:5].view("<u4")[:, 0] == 1).all():
            xy = np.ascontiguousarray(records[:, 5:]).view("<f8")
            return xy[:, 0].astype(np.float64), xy[:, 1].astype(np.float64)
    points = shapely.from_wkb(wkb.to_numpy(zero_copy_only=False))
    return shapely.get_x(points).astype(np.float64), shapely.get_y(points).astype(np.float64)


# --- reading: points -----------------------------------------------------------


def _timed_points(raw: _RawPoints, path: Path, result: ReadResult) -> pd.DataFrame:
    """Points with a time, as UTC, sorted by track then time (file order on ties)."""
    times = pd.to_datetime(
        pd.Series(raw.time_text, dtype=object), utc=True, format="ISO8601", errors="coerce"
    ).astype("datetime64[us, UTC]")
    has_time = times.notna().to_numpy()
    n_all, n_timed = len(has_time), int(has_time.sum())
    if n_timed == 0:
        if n_all == 0:
            raise InputFileError(path, NO_TRACK_POINTS)
        raise InputFileError(path, f"{NO_TRACK_POINTS}; none of its {n_all} track points has a <time>")
    if n_timed < n_all:
        result.warnings.append(f"{n_all - n_timed} of {n_all} track points have no time and were skipped")
    _warn_tracks_without_times(raw.track_no, raw.track_no[has_time], result)
    points = pd.DataFrame(
        {
            _TRACK: raw.track_no[has_time],
            TIME_UTC: times.array[has_time],
            LON: raw.lon[has_time],
            LAT: raw.lat[has_time],
            SOURCE_LINE: raw.point_no[has_time],
        }
    )
    return points.sort_values([_TRACK, TIME_UTC], kind="stable", ignore_index=True)


def _warn_tracks_without_times(all_tracks: np.ndarray, timed_tracks: np.ndarray, result: ReadResult) -> None:
    # Tracks seen by GDAL plus the empty <trk> between them (GDAL numbers every <trk>).
    known = np.arange(1, int(all_tracks.max(initial=0)) + 1)
    skipped = np.setdiff1d(known, np.unique(timed_tracks))
    if len(skipped) == 0:
        return
    listed = ", ".join(str(t) for t in skipped[:_LISTED_TRACKS])
    more = f" and {len(skipped) - _LISTED_TRACKS} more" if len(skipped) > _LISTED_TRACKS else ""
    noun = "track" if len(skipped) == 1 else "tracks"
    result.warnings.append(f"{noun} {listed}{more} of the file had no track point with a time: no patrol made")


def _reject_broken_clocks(points: pd.DataFrame, file: str, result: ReadResult) -> pd.DataFrame:
    """Reject tracks (or single points) whose times a working clock cannot give."""
    latest = pd.Timestamp.now(tz="UTC") + CLOCK_MAX_AHEAD
    time = points[TIME_UTC]
    broken = ((time < EARLIEST_TIME) | (time > latest)).to_numpy()
    if not broken.any():
        return points
    track = points[_TRACK].to_numpy()
    all_broken = pd.Series(broken).groupby(track).transform("all").to_numpy()
    for track_no, group in points[all_broken].groupby(_TRACK, sort=True):
        first, last = group[TIME_UTC].min(), group[TIME_UTC].max()
        result.errors.append(
            RowError(
                file=file,
                line=int(track_no),
                column=GPX_TIME,
                reason=(
                    f"track {track_no}: the device clock looks broken: all {len(group)} times lie "
                    f"{_span(first, last)}; expected times after {EARLIEST_TIME:%Y-%m-%d} and not in the "
                    "future. Check the phone's date setting; the track was rejected"
                ),
            )
        )
    some_broken = broken & ~all_broken
    for row in points[some_broken].itertuples(index=False):
        result.errors.append(
            RowError(
                file=file,
                line=int(getattr(row, SOURCE_LINE)),
                column=GPX_TIME,
                reason=(
                    f"the device clock looks broken: time {getattr(row, TIME_UTC):%Y-%m-%dT%H:%M:%SZ}; "
                    f"expected a time after {EARLIEST_TIME:%Y-%m-%d} and not in the future "
                    f"(track {getattr(row, _TRACK)})"
                ),
            )
        )
    return points[~broken].reset_index(drop=True)


def _span(first: pd.Timestamp, last: pd.Timestamp) -> str:
    if first == last:
        return f"at {first:%Y-%m-%dT%H:%M:%SZ}"
    return f"between {first:%Y-%m-%dT%H:%M:%SZ} and {last:%Y-%m-%dT%H:%M:%SZ}"


def _drop_repeated_times(points: pd.DataFrame, result: ReadResult) -> pd.DataFrame:
    repeated = points.duplicated([_TRACK, TIME_UTC], keep="first").to_numpy()
    n = int(repeated.sum())
    if n:
        result.warnings.append(
            f"{n} of {len(points)} timed track points repeat an earlier time of the same track "
            "and were skipped (the first point with that time is kept)"
        )
        points = points[~repeated].reset_index(drop=True)
    return points


def _reject_single_points(points: pd.DataFrame, file: str, result: ReadResult) -> pd.DataFrame:
    """A patrol needs two timed points to have a duration; reject lone points."""
    sizes = points.groupby(_TRACK)[_TRACK].transform("size").to_numpy()
    lone = sizes == 1
    for row in points[lone].itertuples(index=False):
        result.errors.append(
            RowError(
                file=file,
                line=int(getattr(row, _TRACK)),
                column=GPX_TRKPT,
                reason=(
                    f"track {getattr(row, _TRACK)} has only one track point with a time "
                    f"(point {getattr(row, SOURCE_LINE)}); a patrol needs at least two to have a "
                    "start and an end; the track was rejected"
                ),
            )
        )
    return points[~lone].reset_index(drop=True)


# --- reading: patrols and validation ---------------------------------------------


def _patrols_from_points(
    points: pd.DataFrame, *, team: str, kind: str, staff: int, file: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One patrol per track (index = track number), and the points with their patrol id."""
    track = points[_TRACK].to_numpy()
    starts, ends = _runs(track)
    micros = _micros(points[TIME_UTC]).astype("<i8")
    lon = points[LON].to_numpy().astype("<f8")
    lat = points[LAT].to_numpy().astype("<f8")
    ids = [_patrol_id(micros[a:b], lon[a:b], lat[a:b]) for a, b in zip(starts, ends)]
    points = points.assign(**{PATROL_ID: pd.array(np.repeat(np.array(ids, dtype=object), ends - starts), dtype="str")})
    time = points[TIME_UTC]
    patrols = pd.DataFrame(
        {
            PATROL_ID: pd.Series(ids, dtype="str"),
            TEAM: team,
            START_UTC: time.iloc[starts].array,
            END_UTC: time.iloc[ends - 1].array,
            STAFF: np.int64(staff),
            KIND: kind,
            SOURCE_FILE: file,
            SOURCE_LINE: track[starts],
        }
    )
    patrols.index = track[starts]
    return patrols, points


def _patrol_id(micros: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> str:
    digest = hashlib.sha1(micros.tobytes() + lon.tobytes() + lat.tobytes()).hexdigest()
    return PATROL_ID_PREFIX + digest[:PATROL_ID_HEX_DIGITS]


def _validate_into(result: ReadResult, patrols: pd.DataFrame, points: pd.DataFrame, *, file: str) -> None:
    """Validate patrols, then the points of the patrols kept; fill ``result``."""
    good_patrols, patrol_errors = validate(patrols, T_PATROLS, file=file)
    points = points[points[_TRACK].isin(good_patrols.index)]
    track_points = pd.DataFrame(
        {
            PATROL_ID: points[PATROL_ID],
            TIME_UTC: points[TIME_UTC],
            LON: points[LON],
            LAT: points[LAT],
            ACCURACY_M: np.nan,  # GPX has no horizontal accuracy in metres
            SOURCE_LINE: points[SOURCE_LINE],
        }
    )
    good_points, point_errors = validate(track_points, T_TRACK_POINTS, file=file)
    _warn_patrols_without_points(good_patrols, points, good_points, result)
    result.errors.extend(patrol_errors)
    result.errors.extend(point_errors)
    result.frames[T_PATROLS] = good_patrols[PATROL_COLUMNS].reset_index(drop=True)
    result.frames[T_TRACK_POINTS] = good_points[TRACK_POINT_COLUMNS].reset_index(drop=True)


def _warn_patrols_without_points(
    patrols: pd.DataFrame, points: pd.DataFrame, good_points: pd.DataFrame, result: ReadResult
) -> None:
    empty = patrols[~patrols[PATROL_ID].isin(good_points[PATROL_ID].unique())]
    for patrol in empty.itertuples(index=False):
        n = int((points[PATROL_ID] == getattr(patrol, PATROL_ID)).sum())
        result.warnings.append(
            f"patrol {getattr(patrol, PATROL_ID)} (track {getattr(patrol, SOURCE_LINE)}) has no usable "
            f"track points: all its {n} points were rejected (see the errors)"
        )


# --- writing ---------------------------------------------------------------------


def _writable_columns(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Patrol ids (object), UTC times (int64 microseconds), lon and lat (float64 degrees)."""
    missing = [c for c in (PATROL_ID, TIME_UTC, LON, LAT) if c not in frame.columns]
    if missing:
        raise ValueError(
            f"track_points: missing column(s) {', '.join(missing)}; "
            f"expected {PATROL_ID}, {TIME_UTC}, {LON}, {LAT}"
        )
    time = frame[TIME_UTC]
    if not isinstance(time.dtype, pd.DatetimeTZDtype):
        raise TypeError(
            f"track_points: column {TIME_UTC} must hold timezone-aware times (UTC); got dtype {time.dtype}"
        )
    for column, values in ((PATROL_ID, frame[PATROL_ID]), (TIME_UTC, time), (LON, frame[LON]), (LAT, frame[LAT])):
        n = int(values.isna().sum())
        if n:
            raise ValueError(f"track_points: {n} row(s) have no {column}; every point needs one")
    lon = frame[LON].to_numpy(dtype=np.float64)
    lat = frame[LAT].to_numpy(dtype=np.float64)
    return frame[PATROL_ID].astype(str).to_numpy(dtype=object), _micros(time), lon, lat


def _write_order(patrol_ids: np.ndarray, micros: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row order (patrol by first appearance, then time) and patrol codes/names."""
    codes, names = pd.factorize(patrol_ids, sort=False)
    order = np.lexsort((micros, codes))
    return order, codes, np.asarray(names, dtype=object)


def _trkpt_elements(lon: np.ndarray, lat: np.ndarray, micros: np.ndarray) -> pa.LargeStringArray:
    """One ``<trkpt …><time>…</time></trkpt>`` line per point, as one Arrow array."""
    unit = "s" if not (micros % 1_000_000).any() else "ms" if not (micros % 1_000).any() else "us"
    naive = micros.view("datetime64[us]").astype(f"datetime64[{unit}]")
    time_text = pc.replace_substring(pa.array(naive).cast(pa.large_string()), " ", "T", max_replacements=1)
    return pc.binary_join_element_wise(
        _text('<trkpt lat="'), _decimal_text(lat), _text('" lon="'), _decimal_text(lon),
        _text('"><time>'), time_text, _text("Z</time></trkpt>\n"), _text(""),
    )


def _text(value: str) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


def _decimal_text(values: np.ndarray) -> pa.LargeStringArray:
    """Shortest round-trip decimals, without exponent (xsd:decimal has none)."""
    text = pa.array(values).cast(pa.large_string())
    exponent = pc.match_substring(text, "e").to_numpy(zero_copy_only=False)
    if exponent.any():
        fixed = text.to_numpy(zero_copy_only=False).astype(object)
        fixed[exponent] = [np.format_float_positional(v, unique=True, trim="-") for v in values[exponent]]
        text = pa.array(fixed, type=pa.large_string())
    return text


def _write_document(path: Path, body: pa.Array, codes: np.ndarray, names: np.ndarray) -> None:
    """Write header, one <trk> per run of equal ``codes`` and the footer (UTF-8)."""
    starts, ends = _runs(codes)
    if len(body):
        offsets = np.frombuffer(body.buffers()[1], dtype=np.int64)[body.offset: body.offset + len(body) + 1]
        data = memoryview(body.buffers()[2])
    with path.open("wb") as f:
        f.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<gpx version="1.1" creator="Feltkart" xmlns="{GPX_NAMESPACE}">\n'.encode()
        )
        for a, b in zip(starts, ends):
            f.write(f"<trk><name>{_xml_text(str(names[codes[a]]))}</name><trkseg>\n".encode())
            f.write(data[offsets[a]: offsets[b]])
            f.write(b"</trkseg></trk>\n")
        f.write(b"</gpx>\n")


def _runs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) positions of the runs of equal values in ``keys``."""
    if len(keys) == 0:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return starts, np.r_[starts[1:], len(keys)]


def _micros(times: pd.Series) -> np.ndarray:
    """UTC instants as int64 microseconds since 1970-01-01 (numpy, no objects)."""
    naive = times.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")
    return naive.to_numpy().view(np.int64)


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
