"""Tests of geo.io.gpx: reading patrols and track points from GPX, writing GPX.

Real files come from ``../shared/data/gpx`` (fixture ``gpx_dir``; provenance and
licences in ``../shared/data/MANIFEST.md``). None of them lies in Norway, so
their track points are rejected by validation (``lat``/``lon`` outside
``NORWAY_BBOX``) while their patrols (times only) are kept: the tests use the
patrols and the per-point errors to check what was parsed. Crafted files are
built as strings in ``tmp_path`` with the tiny builders below, in Oslo.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import gpxpy
import numpy as np
import pandas as pd
import pytest
from lxml import etree

from geo.io.gpx import (
    GPX_NAMESPACE,
    PATROL_COLUMNS,
    TRACK_POINT_COLUMNS,
    read_gpx,
    write_gpx,
)
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
from geo.io.validation import validate

# Jernbanetorget by Oslo S, lon/lat degrees (EPSG:4326).
OSLO_S = (10.7522, 59.9111)
GPX_10 = "http://www.topografix.com/GPX/1/0"
T = pd.Timestamp


# --- builders ------------------------------------------------------------------


def pt(time: str | None = None, *, lon: float = OSLO_S[0], lat: float = OSLO_S[1]) -> str:
    """One <trkpt>; no <time> element when ``time`` is None."""
    inner = f"<ele>12.5</ele><time>{time}</time>" if time is not None else "<ele>12.5</ele>"
    return f'<trkpt lat="{lat}" lon="{lon}">{inner}</trkpt>'


def seg(*points: str) -> str:
    return "<trkseg>" + "".join(points) + "</trkseg>"


def trk(*segments: str, name: str = "patrulje") -> str:
    return f"<trk><name>{name}</name>" + "".join(segments) + "</trk>"


def walk(n: int, *, start: str = "2024-06-07T20:00:00Z", step_s: int = 5, dlon: float = 0.0001) -> list[str]:
    """``n`` timed points walking east from Oslo S, ``step_s`` seconds apart."""
    t0 = T(start)
    return [
        pt(f"{t0 + pd.Timedelta(seconds=i * step_s):%Y-%m-%dT%H:%M:%SZ}", lon=OSLO_S[0] + i * dlon)
        for i in range(n)
    ]


def gpx(*tracks: str, version: str = "1.1", namespace: str | None = GPX_NAMESPACE, extra: str = "") -> str:
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<gpx version="{version}" creator="test"{xmlns}>\n{extra}' + "\n".join(tracks) + "\n</gpx>\n"
    )


def write(tmp_path: Path, text: str, name: str = "patrol.gpx", *, bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def points_frame(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    """Track points (patrol id, ISO time, lon, lat) as write_gpx takes them."""
    frame = pd.DataFrame(rows, columns=[PATROL_ID, TIME_UTC, LON, LAT])
    frame[TIME_UTC] = pd.to_datetime(frame[TIME_UTC], utc=True, format="ISO8601")
    return frame


def columns_of(errors: list[RowError]) -> dict[str, int]:
    return pd.Series([e.column for e in errors], dtype=object).value_counts().to_dict()


# --- real files ------------------------------------------------------------------

# file -> (patrol track numbers, rejected track points, warnings that must appear)
REAL_FILES = {
    "movingpandas_304_to_UL_2019-02-18_0745.gpx": ([1], 2144, []),
    "gpxpy_cerknicko-jezero.gpx": ([2, 3, 4, 5, 6, 7, 8], 296, ["track 1 of the file had no track point"]),
    "gpxpy_korita-zbevnica.gpx": ([3, 4], 513, ["358 of 871 track points have no time and were skipped"]),
    "gpxpy_cerknicko-without-times.gpx": ([8], 5, ["291 of 296 track points have no time and were skipped"]),
    "gpxpy_around-visnjan-with-car.gpx": ([1], 104, []),
    "gpxpy_track-with-empty-segment.gpx": ([1], 9, []),
    "gpxpy_track-with-less-sec-time.gpx": ([1], 2, []),
}


@pytest.mark.parametrize("name", sorted(REAL_FILES))
def test_real_files_make_one_patrol_per_timed_track_and_reject_points_outside_norway(gpx_dir, name):
    tracks, n_points, warnings = REAL_FILES[name]
    result = read_gpx(gpx_dir / name)
    patrols = result.frames[T_PATROLS]
    assert patrols[SOURCE_LINE].tolist() == tracks
    assert (patrols[SOURCE_FILE] == name).all()
    assert patrols[PATROL_ID].is_unique
    # Every timed point was parsed and then rejected once for lying outside Norway.
    assert len({e.line for e in result.errors}) == n_points
    assert set(columns_of(result.errors)) <= {LAT, LON}
    assert all(e.file == name and "must lie in Norway" in e.reason for e in result.errors)
    assert result.frames[T_TRACK_POINTS].empty
    for expected in warnings:
        assert any(expected in w for w in result.warnings), result.warnings
    assert sum("has no usable track points" in w for w in result.warnings) == len(tracks)


def test_phone_track_patrol_runs_from_first_to_last_timed_point(gpx_dir):
    result = read_gpx(gpx_dir / "movingpandas_304_to_UL_2019-02-18_0745.gpx")
    patrol = result.frames[T_PATROLS].iloc[0]
    assert patrol[START_UTC] == T("2019-02-18T07:45:50Z")
    assert patrol[END_UTC] == T("2019-02-18T09:00:26Z")
    # lat 52.6, lon -8.7 (Limerick): both coordinates are outside Norway on every point.
    assert columns_of(result.errors) == {LAT: 2144, LON: 2144}


def test_cerknicko_keeps_the_times_of_each_of_its_eight_tracks(gpx_dir):
    patrols = read_gpx(gpx_dir / "gpxpy_cerknicko-jezero.gpx").frames[T_PATROLS]
    assert len(patrols) == 7  # the first of the 8 <trk> has an empty segment only
    first = patrols.iloc[0]
    assert (first[START_UTC], first[END_UTC]) == (T("2010-08-05T14:23:59Z"), T("2010-08-05T15:05:08Z"))
    last = patrols.iloc[-1]
    assert (last[START_UTC], last[END_UTC]) == (T("2010-08-05T16:05:37Z"), T("2010-08-05T16:23:49Z"))


def test_korita_rejected_points_are_numbered_by_trkpt_in_the_file(gpx_dir):
    result = read_gpx(gpx_dir / "gpxpy_korita-zbevnica.gpx")
    lines = sorted(e.line for e in result.errors)
    # The first 358 <trkpt> (track 2) have no time; points 359..871 are timed.
    assert lines == list(range(359, 872))


def test_offset_and_milliseconds_are_converted_to_exact_utc(gpx_dir):
    # <time>2015-12-11T15:43:13.000+01:00</time> and 15:43:13.994+01:00
    patrol = read_gpx(gpx_dir / "gpxpy_track-with-less-sec-time.gpx").frames[T_PATROLS].iloc[0]
    assert patrol[START_UTC] == T("2015-12-11T14:43:13Z")
    assert patrol[END_UTC] == T("2015-12-11T14:43:13.994Z")
    assert patrol[END_UTC] - patrol[START_UTC] == pd.Timedelta(milliseconds=994)


def test_empty_trkseg_is_ignored(gpx_dir):
    result = read_gpx(gpx_dir / "gpxpy_track-with-empty-segment.gpx")
    patrol = result.frames[T_PATROLS].iloc[0]
    assert (patrol[START_UTC], patrol[END_UTC]) == (T("2013-07-06T17:26:26Z"), T("2013-07-06T17:27:42Z"))
    assert sorted(e.line for e in result.errors) == list(range(1, 10))


def test_broken_device_clock_rejects_the_track_with_one_time_error(gpx_dir):
    result = read_gpx(gpx_dir / "gpxpy_Mojstrovka.gpx")
    assert result.frames[T_PATROLS].empty and result.frames[T_TRACK_POINTS].empty
    [error] = result.errors
    assert (error.file, error.line, error.column) == ("gpxpy_Mojstrovka.gpx", 1, "time")
    assert "track 1: the device clock looks broken" in error.reason
    assert "1901-12-13" in error.reason and "184 times" in error.reason
    # A broken clock is not reported as 183 repeated times.
    assert not any("repeat" in w for w in result.warnings)


@pytest.mark.parametrize("name", ["gpxpy_gpx1.0_with_all_fields.gpx", "gpxpy_gpx1.1_with_all_fields.gpx"])
def test_all_fields_files_single_point_track_is_rejected_as_too_short(gpx_dir, name):
    result = read_gpx(gpx_dir / name)
    assert result.frames[T_PATROLS].empty
    [error] = result.errors
    assert (error.file, error.line, error.column) == (name, 1, "trkpt")
    assert "track 1 has only one track point with a time (point 1)" in error.reason


def test_waypoint_only_file_with_byte_order_mark_has_no_track_points(gpx_dir):
    with pytest.raises(
        InputFileError,
        match=r"^gpxpy_unicode_with_bom\.gpx: no track points with a time: "
        r"expected <trk>/<trkseg>/<trkpt> elements with <time>$",
    ):
        read_gpx(gpx_dir / "gpxpy_unicode_with_bom.gpx")


# --- crafted files: structure ------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "namespace"), [("1.1", GPX_NAMESPACE), ("1.0", GPX_10), ("1.1", None)], ids=["1.1", "1.0", "no-ns"]
)
def test_gpx_10_and_11_are_read_the_same(tmp_path, version, namespace):
    path = write(tmp_path, gpx(trk(seg(*walk(4))), version=version, namespace=namespace))
    result = read_gpx(path)
    assert result.errors == [] and result.warnings == []
    points = result.frames[T_TRACK_POINTS]
    assert points[TIME_UTC].tolist() == [T("2024-06-07T20:00:00Z") + pd.Timedelta(seconds=5 * i) for i in range(4)]
    np.testing.assert_allclose(points[LON], OSLO_S[0] + 0.0001 * np.arange(4))
    np.testing.assert_allclose(points[LAT], OSLO_S[1])


def test_frames_have_the_schema_columns_and_types_and_pass_validation(tmp_path):
    result = read_gpx(write(tmp_path, gpx(trk(seg(*walk(3))))))
    patrols, points = result.frames[T_PATROLS], result.frames[T_TRACK_POINTS]
    assert list(patrols.columns) == PATROL_COLUMNS
    assert list(points.columns) == TRACK_POINT_COLUMNS
    assert str(points[TIME_UTC].dtype) == "datetime64[us, UTC]"
    assert str(patrols[START_UTC].dtype) == str(patrols[END_UTC].dtype) == "datetime64[us, UTC]"
    assert points[LON].dtype == points[LAT].dtype == points[ACCURACY_M].dtype == np.float64
    assert points[ACCURACY_M].isna().all()
    assert points[SOURCE_LINE].tolist() == [1, 2, 3]
    assert validate(patrols, T_PATROLS, file="x")[1] == []
    assert validate(points, T_TRACK_POINTS, file="x")[1] == []


def test_all_segments_of_a_track_belong_to_one_patrol(tmp_path):
    points = walk(6)
    path = write(tmp_path, gpx(trk(seg(*points[:2]), seg(), seg(*points[2:]))))
    result = read_gpx(path)
    assert len(result.frames[T_PATROLS]) == 1
    assert result.frames[T_TRACK_POINTS][SOURCE_LINE].tolist() == [1, 2, 3, 4, 5, 6]


def test_each_trk_is_its_own_patrol_numbered_by_its_place_in_the_file(tmp_path):
    path = write(
        tmp_path,
        gpx(
            trk(seg(*walk(3, start="2024-06-07T20:00:00Z"))),
            trk(seg()),
            trk(seg(*walk(2, start="2024-06-07T22:00:00Z"))),
        ),
    )
    result = read_gpx(path)
    patrols, points = result.frames[T_PATROLS], result.frames[T_TRACK_POINTS]
    assert patrols[SOURCE_LINE].tolist() == [1, 3]
    assert patrols[START_UTC].tolist() == [T("2024-06-07T20:00:00Z"), T("2024-06-07T22:00:00Z")]
    assert patrols[END_UTC].tolist() == [T("2024-06-07T20:00:10Z"), T("2024-06-07T22:00:05Z")]
    assert points[PATROL_ID].tolist() == [patrols[PATROL_ID][0]] * 3 + [patrols[PATROL_ID][1]] * 2
    assert result.warnings == ["track 2 of the file had no track point with a time: no patrol made"]


def test_team_kind_and_staff_apply_to_every_patrol(tmp_path):
    path = write(tmp_path, gpx(trk(seg(*walk(2))), trk(seg(*walk(2, start="2024-06-08T01:00:00Z")))))
    patrols = read_gpx(path, team="Uteseksjonen", kind=PatrolKind.JOINT, staff=3).frames[T_PATROLS]
    assert patrols[TEAM].tolist() == ["Uteseksjonen"] * 2
    assert patrols[KIND].tolist() == ["joint"] * 2
    assert patrols[STAFF].tolist() == [3, 3]


def test_defaults_are_unknown_team_regular_kind_and_two_staff(tmp_path):
    patrol = read_gpx(write(tmp_path, gpx(trk(seg(*walk(2)))))).frames[T_PATROLS].iloc[0]
    assert (patrol[TEAM], patrol[KIND], patrol[STAFF]) == ("unknown", "regular", DEFAULT_STAFF)


def test_byte_order_mark_is_accepted(tmp_path):
    result = read_gpx(write(tmp_path, gpx(trk(seg(*walk(3)))), bom=True))
    assert len(result.frames[T_TRACK_POINTS]) == 3


# --- crafted files: times --------------------------------------------------------------


def test_offsets_z_naive_and_fractions_become_exact_utc_instants(tmp_path):
    path = write(
        tmp_path,
        gpx(
            trk(
                seg(
                    pt("2024-10-27T02:30:00.250+02:00"),  # the night clocks go back, summer time
                    pt("2024-10-27T02:30:00.5+01:00"),  # the same wall time, winter time
                    pt("2024-10-27T01:45:00Z"),
                    pt("2024-10-27T02:00:00"),  # no offset: UTC, as the GPX schema says
                    pt("2024-10-26T21:30:00-05:30"),
                )
            )
        ),
    )
    points = read_gpx(path).frames[T_TRACK_POINTS]
    assert points[TIME_UTC].tolist() == [
        T("2024-10-27T00:30:00.250Z"),
        T("2024-10-27T01:30:00.500Z"),
        T("2024-10-27T01:45:00Z"),
        T("2024-10-27T02:00:00Z"),
        T("2024-10-27T03:00:00Z"),
    ]
    assert points[SOURCE_LINE].tolist() == [1, 2, 3, 4, 5]


def test_fractions_finer_than_a_millisecond_are_truncated(tmp_path):
    # A documented limit of GDAL's GPX driver.
    path = write(tmp_path, gpx(trk(seg(pt("2024-06-07T20:00:00.123456Z"), pt("2024-06-07T20:00:01Z")))))
    assert read_gpx(path).frames[T_TRACK_POINTS][TIME_UTC][0] == T("2024-06-07T20:00:00.123Z")


def test_points_are_sorted_by_time_and_keep_their_trkpt_number(tmp_path):
    path = write(
        tmp_path,
        gpx(trk(seg(pt("2024-06-07T20:00:10Z"), pt("2024-06-07T20:00:00Z"), pt("2024-06-07T20:00:05Z")))),
    )
    points = read_gpx(path).frames[T_TRACK_POINTS]
    assert points[SOURCE_LINE].tolist() == [2, 3, 1]
    assert points[TIME_UTC].is_monotonic_increasing


def test_points_without_time_are_skipped_and_counted_in_one_warning(tmp_path):
    path = write(tmp_path, gpx(trk(seg(pt(), *walk(3), pt(), pt("not a time")))))
    result = read_gpx(path)
    assert result.frames[T_TRACK_POINTS][SOURCE_LINE].tolist() == [2, 3, 4]
    assert result.warnings == ["3 of 6 track points have no time and were skipped"]
    assert result.errors == []


def test_repeated_time_keeps_the_first_point_in_the_file_and_warns(tmp_path):
    path = write(
        tmp_path,
        gpx(
            trk(
                seg(
                    pt("2024-06-07T20:00:00Z", lon=10.75),
                    pt("2024-06-07T20:00:05Z", lon=10.76),
                    pt("2024-06-07T20:00:05Z", lon=10.77),
                    pt("2024-06-07T20:00:05+00:00", lon=10.78),
                )
            )
        ),
    )
    result = read_gpx(path)
    points = result.frames[T_TRACK_POINTS]
    assert points[LON].tolist() == [10.75, 10.76]
    assert points[SOURCE_LINE].tolist() == [1, 2]
    assert result.warnings == [
        (
            "2 of 4 timed track points repeat an earlier time of the same track and were skipped "
            "(the first point with that time is kept)"
        )
    ]


def test_same_time_in_two_tracks_is_not_a_repeat(tmp_path):
    path = write(tmp_path, gpx(trk(seg(*walk(2))), trk(seg(*walk(2, dlon=0.0002)))))
    result = read_gpx(path)
    assert len(result.frames[T_TRACK_POINTS]) == 4 and result.warnings == []


def test_file_whose_track_points_all_lack_a_time_says_how_many_there_are(tmp_path):
    path = write(tmp_path, gpx(trk(seg(pt(), pt(), pt()))))
    with pytest.raises(
        InputFileError, match=r"no track points with a time: .*; none of its 3 track points has a <time>"
    ):
        read_gpx(path)


def test_file_with_waypoints_only_has_no_track_points(tmp_path):
    path = write(tmp_path, gpx(extra='<wpt lat="59.91" lon="10.75"><time>2024-06-07T20:00:00Z</time></wpt>\n'))
    with pytest.raises(InputFileError, match=r"^patrol\.gpx: no track points with a time: expected <trk>"):
        read_gpx(path)


# --- crafted files: broken clocks, rejected rows --------------------------------------


def test_broken_clock_track_is_rejected_and_the_other_tracks_are_kept(tmp_path):
    broken = [pt("1901-12-13T20:45:52Z"), pt("1901-12-13T20:45:52Z"), pt("1901-12-13T20:45:53Z")]
    path = write(tmp_path, gpx(trk(seg(*walk(3))), trk(seg(*broken)), trk(seg(*walk(2, start="2024-06-08T01:00:00Z")))))
    result = read_gpx(path)
    assert result.frames[T_PATROLS][SOURCE_LINE].tolist() == [1, 3]
    assert len(result.frames[T_TRACK_POINTS]) == 5
    [error] = result.errors
    assert (error.file, error.line, error.column) == ("patrol.gpx", 2, "time")
    assert error.reason.startswith(
        "track 2: the device clock looks broken: all 3 times lie between 1901-12-13T20:45:52Z and "
        "1901-12-13T20:45:53Z; expected times after 2000-01-01 and not in the future"
    )


def test_times_in_the_future_also_count_as_a_broken_clock(tmp_path):
    path = write(tmp_path, gpx(trk(seg(pt("2099-01-01T00:00:00Z"), pt("2099-01-01T00:00:05Z")))))
    result = read_gpx(path)
    [error] = result.errors
    assert (error.line, error.column) == (1, "time")
    assert "clock looks broken" in error.reason and "2099-01-01" in error.reason


def test_a_few_points_with_a_broken_clock_are_rejected_one_by_one(tmp_path):
    path = write(tmp_path, gpx(trk(seg(pt("1970-01-01T00:00:00Z"), *walk(3)))))
    result = read_gpx(path)
    assert result.frames[T_TRACK_POINTS][SOURCE_LINE].tolist() == [2, 3, 4]
    assert result.frames[T_PATROLS][START_UTC].tolist() == [T("2024-06-07T20:00:00Z")]
    assert result.errors == [
        RowError(
            "patrol.gpx",
            1,
            "time",
            "the device clock looks broken: time 1970-01-01T00:00:00Z; expected a time after 2000-01-01 "
            "and not in the future (track 1)",
        )
    ]


def test_points_outside_norway_are_rejected_and_their_patrol_kept_with_a_warning(tmp_path):
    path = write(tmp_path, gpx(trk(seg(*walk(2), pt("2024-06-07T20:00:20Z", lon=59.91, lat=10.75)))))
    result = read_gpx(path)
    assert result.frames[T_TRACK_POINTS][SOURCE_LINE].tolist() == [1, 2]
    assert {(e.line, e.column) for e in result.errors} == {(3, LON), (3, LAT)}
    assert any("lat/lon swapped?" in e.reason for e in result.errors)
    # The patrol still ends at the last recorded time.
    assert result.frames[T_PATROLS][END_UTC].tolist() == [T("2024-06-07T20:00:20Z")]


def test_patrol_whose_points_are_all_rejected_is_reported_with_a_warning(tmp_path):
    far = [pt("2024-06-07T20:00:00Z", lat=45.0), pt("2024-06-07T20:00:05Z", lat=45.0)]
    result = read_gpx(write(tmp_path, gpx(trk(seg(*far)))))
    patrol_id = result.frames[T_PATROLS][PATROL_ID][0]
    assert result.frames[T_TRACK_POINTS].empty
    assert result.warnings == [
        f"patrol {patrol_id} (track 1) has no usable track points: all its 2 points were rejected (see the errors)"
    ]


def test_staff_out_of_range_rejects_every_patrol_by_validation(tmp_path):
    result = read_gpx(write(tmp_path, gpx(trk(seg(*walk(2))))), staff=0)
    assert result.frames[T_PATROLS].empty and result.frames[T_TRACK_POINTS].empty
    [error] = result.errors
    assert (error.line, error.column) == (1, STAFF)
    assert "staff must be 1..50 people" in error.reason


def test_trkpt_without_lat_is_skipped_with_a_warning(tmp_path):
    text = gpx(trk(seg(*walk(2), '<trkpt lon="10.75"><time>2024-06-07T20:00:20Z</time></trkpt>')))
    result = read_gpx(write(tmp_path, text))
    assert len(result.frames[T_TRACK_POINTS]) == 2
    assert any(w.startswith("1 of 3 <trkpt> elements could not be read") for w in result.warnings)


# --- patrol ids -------------------------------------------------------------------------


def test_patrol_id_is_sha1_of_utc_times_and_coordinates(tmp_path):
    points = [pt("2024-06-07T22:00:01+02:00", lon=10.75, lat=59.91), pt("2024-06-07T20:00:00Z", lon=10.76, lat=59.92)]
    result = read_gpx(write(tmp_path, gpx(trk(seg(*points)))))
    micros = np.array([T("2024-06-07T20:00:00Z").value // 1000, T("2024-06-07T20:00:01Z").value // 1000], "<i8")
    lon, lat = np.array([10.76, 10.75], "<f8"), np.array([59.92, 59.91], "<f8")
    expected = "gpx-" + hashlib.sha1(micros.tobytes() + lon.tobytes() + lat.tobytes()).hexdigest()[:16]
    assert result.frames[T_PATROLS][PATROL_ID].tolist() == [expected]


def test_same_file_renamed_gives_the_same_patrol_ids(tmp_path):
    text = gpx(trk(seg(*walk(3))), trk(seg(*walk(3, start="2024-06-08T01:00:00Z"))))
    first = read_gpx(write(tmp_path, text, "monday.gpx"), team="a")
    again = read_gpx(write(tmp_path, text, "copy of monday.gpx"), team="b", kind="project")
    assert first.frames[T_PATROLS][PATROL_ID].tolist() == again.frames[T_PATROLS][PATROL_ID].tolist()
    assert first.frames[T_PATROLS][PATROL_ID].str.fullmatch(r"gpx-[0-9a-f]{16}").all()
    assert again.frames[T_PATROLS][SOURCE_FILE].tolist() == ["copy of monday.gpx"] * 2


def test_patrol_ids_ignore_segments_names_and_elevation_but_not_positions(tmp_path):
    base = read_gpx(write(tmp_path, gpx(trk(seg(*walk(4)), name="a")), "a.gpx"))
    split = read_gpx(write(tmp_path, gpx(trk(seg(*walk(4)[:2]), seg(*walk(4)[2:]), name="b")), "b.gpx"))
    moved = read_gpx(write(tmp_path, gpx(trk(seg(*walk(4, dlon=0.0002)))), "c.gpx"))
    ids = [r.frames[T_PATROLS][PATROL_ID][0] for r in (base, split, moved)]
    assert ids[0] == ids[1] != ids[2]


def test_identical_tracks_in_one_file_reject_the_second_as_a_duplicate(tmp_path):
    result = read_gpx(write(tmp_path, gpx(trk(seg(*walk(3))), trk(seg(*walk(3))))))
    assert result.frames[T_PATROLS][SOURCE_LINE].tolist() == [1]
    assert result.frames[T_TRACK_POINTS][SOURCE_LINE].tolist() == [1, 2, 3]
    [error] = result.errors
    assert (error.line, error.column) == (2, PATROL_ID)
    assert "duplicate value" in error.reason


# --- errors about the whole file or the arguments ----------------------------------------


def test_malformed_xml_names_the_xml_error_and_its_line(tmp_path):
    text = gpx(trk(seg(*walk(2)))).replace("</trkseg>", "</trksg>")
    with pytest.raises(
        InputFileError, match=r"^patrol\.gpx: malformed XML: mismatched tag: line \d+, column \d+; expected a well-formed GPX"
    ):
        read_gpx(write(tmp_path, text))


def _big_file(tmp_path: Path, n: int = 40_000) -> str:
    frame = points_frame([("p", "2024-06-07T20:00:00Z", OSLO_S[0], OSLO_S[1])] * n)
    frame[TIME_UTC] = frame[TIME_UTC] + pd.to_timedelta(np.arange(n), unit="s")
    write_gpx(frame, tmp_path / "big.gpx")
    return (tmp_path / "big.gpx").read_text()


def test_xml_error_half_way_through_a_large_file_is_not_silently_cut(tmp_path):
    # On files of a few MB, GDAL's Arrow stream stops at a late XML error
    # without reporting it; read_gpx must notice and raise.
    text = _big_file(tmp_path)
    middle = text.index("</trkpt>", len(text) // 2)
    path = write(tmp_path, text[:middle] + "</trkpx>" + text[middle + len("</trkpt>"):])
    with pytest.raises(InputFileError, match=r"malformed XML: mismatched tag: line 2000\d, column"):
        read_gpx(path)


def test_large_file_cut_off_after_a_complete_point_is_not_silently_short(tmp_path):
    text = _big_file(tmp_path)
    cut = text.index("</trkpt>\n", len(text) // 2) + len("</trkpt>\n")
    with pytest.raises(InputFileError, match=r"malformed XML: no element found: .*was the file cut off"):
        read_gpx(write(tmp_path, text[:cut]))


def test_comment_mentioning_trkpt_reads_the_same_as_without(tmp_path):
    # The tag count differs from GDAL's point count, so the careful reader is used.
    plain = read_gpx(write(tmp_path, gpx(trk(seg(*walk(3)))), "a.gpx"))
    commented = read_gpx(write(tmp_path, gpx(trk(seg(*walk(3))), extra="<!-- <trkpt> -->\n"), "b.gpx"))
    pd.testing.assert_frame_equal(plain.frames[T_TRACK_POINTS], commented.frames[T_TRACK_POINTS])
    assert commented.warnings == []


def test_other_xml_is_not_gpx(tmp_path):
    kml = '<?xml version="1.0"?>\n<!-- <gpx> -->\n<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark/></kml>'
    with pytest.raises(InputFileError, match=r"^patrol\.gpx: not a GPX file: the root element is <kml>; expected <gpx>"):
        read_gpx(write(tmp_path, kml))


def test_text_that_is_not_xml_is_not_gpx(tmp_path):
    with pytest.raises(InputFileError, match=r"not a GPX file: no XML element found; expected an XML document"):
        read_gpx(write(tmp_path, "tid;lat;lon\n07.06.2024 20:00;59,91;10,75\n", "export.gpx"))


def test_empty_file_says_it_is_empty(tmp_path):
    with pytest.raises(InputFileError, match=r"^empty\.gpx: the file is empty: expected a GPX document"):
        read_gpx(write(tmp_path, "  \n", "empty.gpx"))


def test_missing_file_says_not_found(tmp_path):
    with pytest.raises(InputFileError, match=r"^nowhere\.gpx: file not found$"):
        read_gpx(tmp_path / "nowhere.gpx")


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"kind": "styrket"}, ValueError, r"kind must be one of regular, reinforced, project, joint; got 'styrket'"),
        ({"team": " "}, ValueError, r"team must be a non-empty text; got ' '"),
        ({"staff": 2.5}, TypeError, r"staff must be a whole number of people like 2; got 2.5"),
    ],
)
def test_bad_options_raise_naming_the_argument(tmp_path, options, error, message):
    with pytest.raises(error, match=message):
        read_gpx(write(tmp_path, gpx(trk(seg(*walk(2))))), **options)


# --- write_gpx ------------------------------------------------------------------------------


def test_write_then_read_round_trips_times_and_coordinates_exactly(tmp_path):
    frame = points_frame(
        [
            ("B", "2024-06-08T01:00:05.125Z", 10.760123456789012, 59.92000000000001),
            ("A", "2024-06-07T20:00:05Z", 10.7522, 59.9111),
            ("B", "2024-06-08T01:00:00Z", 10.76, 59.92),
            ("A", "2024-06-07T22:00:00+02:00", 10.75, 59.91),
        ]
    )
    write_gpx(frame, tmp_path / "out.gpx")
    result = read_gpx(tmp_path / "out.gpx")
    assert result.errors == [] and result.warnings == []
    points = result.frames[T_TRACK_POINTS]
    expected = frame.iloc[[2, 0, 3, 1]].reset_index(drop=True)  # by first appearance, then time
    pd.testing.assert_series_equal(points[TIME_UTC], expected[TIME_UTC])
    assert points[LON].tolist() == expected[LON].tolist()  # exact, not approximately
    assert points[LAT].tolist() == expected[LAT].tolist()
    assert result.frames[T_PATROLS][SOURCE_LINE].tolist() == [1, 2]


def test_written_file_is_gpx_11_with_one_trk_per_patrol(tmp_path):
    frame = points_frame(
        [("p&1<x>", "2024-06-07T20:00:00Z", 10.75, 59.91), ("q", "2024-06-07T20:00:00Z", 10.75, 59.91),
         ("p&1<x>", "2024-06-07T20:00:01Z", 10.75, 59.91)]
    )
    write_gpx(frame, tmp_path / "out.gpx")
    root = etree.parse(str(tmp_path / "out.gpx")).getroot()
    ns = {"g": GPX_NAMESPACE}
    assert root.tag == f"{{{GPX_NAMESPACE}}}gpx" and root.get("version") == "1.1"
    assert root.xpath("g:trk/g:name/text()", namespaces=ns) == ["p&1<x>", "q"]
    assert [len(t.xpath("g:trkseg", namespaces=ns)) for t in root.xpath("g:trk", namespaces=ns)] == [1, 1]
    assert root.xpath("g:trk[1]//g:time/text()", namespaces=ns) == ["2024-06-07T20:00:00Z", "2024-06-07T20:00:01Z"]


def test_written_file_reads_the_same_with_gpxpy(tmp_path):
    frame = points_frame([("a", "2024-06-07T20:00:00.5Z", 10.7522, 59.9111), ("a", "2024-06-07T20:00:01Z", 10.75, 59.9)])
    write_gpx(frame, tmp_path / "out.gpx")
    parsed = gpxpy.parse((tmp_path / "out.gpx").read_text(encoding="utf-8"))
    [track] = parsed.tracks
    points = track.segments[0].points
    assert [(p.longitude, p.latitude) for p in points] == [(10.7522, 59.9111), (10.75, 59.9)]
    assert [pd.Timestamp(p.time) for p in points] == frame[TIME_UTC].tolist()


@pytest.mark.parametrize(
    ("times", "written"),
    [
        (["2024-06-07T20:00:00Z", "2024-06-07T20:00:01Z"], "2024-06-07T20:00:01Z"),
        (["2024-06-07T20:00:00Z", "2024-06-07T20:00:01.5Z"], "2024-06-07T20:00:01.500Z"),
        (["2024-06-07T20:00:00Z", "2024-06-07T20:00:01.000001Z"], "2024-06-07T20:00:01.000001Z"),
    ],
)
def test_write_uses_seconds_milliseconds_or_microseconds_as_needed(tmp_path, times, written):
    write_gpx(points_frame([("a", t, 10.75, 59.91) for t in times]), tmp_path / "out.gpx")
    assert f"<time>{written}</time>" in (tmp_path / "out.gpx").read_text()


def test_write_never_uses_exponents_in_coordinates(tmp_path):
    write_gpx(points_frame([("a", "2024-06-07T20:00:00Z", 1e-7, -2.5e-9)]), tmp_path / "out.gpx")
    text = (tmp_path / "out.gpx").read_text()
    assert 'lat="-0.0000000025" lon="0.0000001"' in text


def test_write_empty_frame_gives_a_gpx_without_tracks(tmp_path):
    write_gpx(points_frame([]), tmp_path / "out.gpx")
    root = etree.parse(str(tmp_path / "out.gpx")).getroot()
    assert root.tag == f"{{{GPX_NAMESPACE}}}gpx" and len(root) == 0


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda f: f.drop(columns=[LAT]), ValueError,
         r"track_points: missing column\(s\) lat; expected patrol_id, time_utc, lon, lat"),
        (lambda f: f.assign(**{TIME_UTC: f[TIME_UTC].dt.tz_localize(None)}), TypeError,
         r"column time_utc must hold timezone-aware times \(UTC\); got dtype datetime64"),
        (lambda f: f.assign(**{LON: np.nan}), ValueError,
         r"track_points: 1 row\(s\) have no lon; every point needs one"),
        (lambda f: f.assign(**{TIME_UTC: pd.Series([pd.NaT], dtype="datetime64[us, UTC]")}), ValueError,
         r"track_points: 1 row\(s\) have no time_utc"),
    ],
    ids=["missing-column", "naive-time", "no-lon", "no-time"],
)
def test_write_rejects_unusable_frames_naming_the_column(tmp_path, change, error, message):
    frame = change(points_frame([("a", "2024-06-07T20:00:00Z", 10.75, 59.91)]))
    with pytest.raises(error, match=message):
        write_gpx(frame, tmp_path / "out.gpx")


@pytest.mark.slow
def test_two_hundred_thousand_points_are_written_and_read_in_seconds(tmp_path):
    n = 200_000
    frame = pd.DataFrame(
        {
            PATROL_ID: np.repeat([f"p{i}" for i in range(40)], n // 40),
            TIME_UTC: T("2024-06-07T18:00:00Z") + pd.to_timedelta(np.tile(np.arange(n // 40), 40), unit="s"),
            LON: OSLO_S[0] + np.linspace(0, 0.01, n),
            LAT: OSLO_S[1] + np.linspace(0, 0.01, n),
        }
    )
    start = time.perf_counter()
    write_gpx(frame, tmp_path / "big.gpx")
    result: ReadResult = read_gpx(tmp_path / "big.gpx")
    elapsed = time.perf_counter() - start
    assert len(result.frames[T_TRACK_POINTS]) == n and len(result.frames[T_PATROLS]) == 40
    # Per-point Python (gpxpy) takes ~10 s for this; the vectorised path well under 2 s.
    assert elapsed < 8, f"{n} points took {elapsed:.1f} s to write and read"
