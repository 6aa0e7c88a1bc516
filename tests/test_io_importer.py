"""The import path (geo.io.importer + geo.engine.refresh.add_track_points): file → engine → store.

Every derived table the import writes must equal what the reference path
(:func:`recomputed`: presence recomputed from *all* points the store holds)
gives: the same rows, and the same numbers to rounding (:data:`RTOL`);
re-imports add nothing; a patrol whose points arrive in two parts gets the
presence of all its points; each file is one transaction.

Why "to rounding" and not bit for bit: ``geo.engine.fastproj`` evaluates its
per-tile polynomials per chunk of points (re-expanded around the chunk's
centre), so a point's EPSG:25832 coordinates depend, by nanometres, on which
other points share its chunk. The import computes a file's patrols together;
the reference computes every stored patrol together. The old import (read
back 400 patrols, then compute) had the same property.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.engine import refresh
from geo.engine.presence import compute_presence, prepare_areas
from geo.io.errors import ReadResult
from geo.io.gpx import write_gpx
from geo.io.importer import _is_in, import_file
from geo.schema import (
    AREA_ID,
    LAT,
    LON,
    PATROL_ID,
    PATROL_KEYED_TABLES,
    SECONDS,
    T_PATROLS,
    T_PRESENCE_AREA,
    T_PRESENCE_TOTAL,
    T_TRACK_POINTS,
    TIME_UTC,
)
from geo.store import open_store
from tests.test_store_postgis import cluster, pg_url  # noqa: F401 - fixtures of the postgis runs
from tests.builders import BASE, area, area_versions, lonlat, oslo, patrols, square, straight_walk

X, Y = BASE
RTOL = 1e-9
"""Relative tolerance of seconds and metres against the reference (nanometres in a projection)."""
ATOL = 1e-6
"""Absolute tolerance, seconds or metres (a microsecond or micrometre)."""
RESOLUTIONS = (9, 10, 11)
AREAS = area_versions([
    area("sq", square(X, Y, 100)),
    area("wide", square(X - 100, Y - 100, 400), version=1, valid_to=dt.date(2024, 6, 8)),
    area("wide", square(X - 100, Y - 100, 300), version=2, valid_from=dt.date(2024, 6, 8)),
])
START = oslo("2024-06-07 20:00")  # Friday evening; the second version of "wide" starts on Saturday


# --- the reference ------------------------------------------------------------------------------


def recomputed(store) -> dict[str, pd.DataFrame]:
    """Every patrol-keyed derived table recomputed from all the points the store holds."""
    parts = list(store.iter_track_points())
    points = pd.concat(parts, ignore_index=True) if parts else None
    tables = compute_presence(points, prepare_areas(store.areas()), resolutions=RESOLUTIONS) if parts else None
    return {t: getattr(tables, t) if tables else pd.DataFrame() for t in PATROL_KEYED_TABLES}


def assert_same_as_reference(store) -> None:
    expected = recomputed(store)
    for table in PATROL_KEYED_TABLES:
        got, want = _sorted(store.derived(table)), _sorted(expected[table])
        assert len(got) == len(want), table
        if len(want):
            pd.testing.assert_frame_equal(got[want.columns], want, check_exact=False, rtol=RTOL, atol=ATOL,
                                          check_dtype=False, obj=table)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame
    frame = frame.assign(**{PATROL_ID: frame[PATROL_ID].astype(str)})
    keys = [c for c in frame.columns if c not in (SECONDS, "metres")]
    return frame.sort_values(keys, ignore_index=True)


# --- stores -------------------------------------------------------------------------------------


@pytest.fixture(params=["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)])
def new_store(request, tmp_path):
    """An empty store holding AREAS, on each backend."""
    store = open_store(tmp_path / "s.gpkg" if request.param == "gpkg" else request.getfixturevalue("pg_url"))
    with store.transaction():
        store.add_area_versions(AREAS)
    yield store
    if hasattr(store, "close"):
        store.close()


@pytest.fixture
def gpkg(tmp_path):
    store = open_store(tmp_path / "one.gpkg")
    with store.transaction():
        store.add_area_versions(AREAS)
    return store


# --- GPX files ----------------------------------------------------------------------------------


def walk(name: str, start: pd.Timestamp, frm, to, *, step_m: float = 2.0, interval_s: float = 2.0) -> pd.DataFrame:
    return straight_walk(name, start, frm=frm, to=to, step_m=step_m, interval_s=interval_s)


def gpx_file(tmp_path, name: str, *tracks: pd.DataFrame):
    path = tmp_path / name
    write_gpx(pd.concat(tracks, ignore_index=True), path)
    return path


# --- hand-computed imports ---------------------------------------------------------------------


def test_a_gpx_import_stores_points_and_the_presence_of_the_reference_path(new_store, tmp_path):
    store = new_store
    # 300 m east at 1 m/s through "sq" (100 m inside it), 2 s between fixes, no fix on an edge;
    # then 60 m north inside "sq" in 200 s
    path = gpx_file(tmp_path, "week.gpx",
                    walk("a", START, (X - 99, Y + 50), (X + 201, Y + 50)),
                    walk("b", START + pd.Timedelta(hours=1), (X + 50, Y + 20), (X + 50, Y + 80), step_m=0.6))
    outcome = import_file(store, path)
    assert outcome.added == {T_PATROLS: 2, T_TRACK_POINTS: 151 + 101}
    assert_same_as_reference(store)
    area_seconds = store.derived(T_PRESENCE_AREA).groupby(AREA_ID)[SECONDS].sum()
    assert area_seconds["sq"] == pytest.approx(100.0 + 200.0)
    assert store.derived(T_PRESENCE_TOTAL)[SECONDS].sum() == pytest.approx(300.0 + 200.0)


def test_the_same_file_twice_adds_nothing_and_a_file_repeating_a_track_adds_only_the_new_one(new_store, tmp_path):
    store = new_store
    a = walk("a", START, (X - 99, Y + 50), (X + 201, Y + 50))
    b = walk("b", START + pd.Timedelta(hours=2), (X + 1, Y + 10), (X + 81, Y + 10))
    first = gpx_file(tmp_path, "one.gpx", a)
    import_file(store, first)
    before = {t: _sorted(store.derived(t)) for t in PATROL_KEYED_TABLES}
    again = import_file(store, first)
    assert again.already_imported and again.n_added == 0
    both = import_file(store, gpx_file(tmp_path, "two.gpx", a, b))  # another file: patrol a again, and b
    assert both.added[T_TRACK_POINTS] == len(b)
    assert both.added[T_PATROLS] == 1
    assert store.counts()[T_TRACK_POINTS] == len(a) + len(b)
    assert_same_as_reference(store)
    a_id = store.patrols()[PATROL_ID].iloc[0]
    for table in PATROL_KEYED_TABLES:  # patrol a's rows are the same as after the first import
        after = _sorted(store.derived(table))
        pd.testing.assert_frame_equal(after[after[PATROL_ID] == a_id].reset_index(drop=True),
                                      before[table][before[table][PATROL_ID] == a_id].reset_index(drop=True),
                                      check_exact=True, check_dtype=False)


def test_a_patrol_in_two_parts_gets_the_presence_of_all_its_points(new_store):
    """The second part must be computed together with the points stored from the first.

    300 m east at 1 m/s from x = -99 m, a fix every 2 s, through "sq" (x 0–100 m).
    Part one covers 0–120 s, part two 110–300 s (six points in both): on its own
    the second part would give 190 s; with the stored part the patrol has 300 s,
    100 s of them in "sq" (t 99–199 s: 21 s from part one's points, the rest
    from part two's).
    """
    store = new_store
    whole = walk("split", START, (X - 99, Y + 50), (X + 201, Y + 50))
    with store.transaction():
        store.add_patrols(patrols(("split", START, START + pd.Timedelta(minutes=10))))
    seconds = (whole[TIME_UTC] - START).dt.total_seconds()
    with store.transaction():
        assert refresh.add_track_points(store, whole[seconds <= 120]) == 61
    assert store.derived(T_PRESENCE_TOTAL)[SECONDS].sum() == pytest.approx(120.0)
    with store.transaction():
        assert refresh.add_track_points(store, whole[seconds >= 110]) == 90  # 96 given, 6 stored already
    assert store.derived(T_PRESENCE_TOTAL)[SECONDS].sum() == pytest.approx(300.0)
    area_seconds = store.derived(T_PRESENCE_AREA).groupby(AREA_ID)[SECONDS].sum()
    assert area_seconds["sq"] == pytest.approx(100.0)
    assert store.counts()[T_TRACK_POINTS] == len(whole)
    assert_same_as_reference(store)
    with store.transaction():  # every point stored already: nothing added, presence untouched
        assert refresh.add_track_points(store, whole.iloc[::7]) == 0
    assert store.derived(T_PRESENCE_TOTAL)[SECONDS].sum() == pytest.approx(300.0)


def test_a_point_already_stored_keeps_its_position_and_the_new_one_is_skipped(gpkg):
    with gpkg.transaction():
        gpkg.add_patrols(patrols(("p", START, START + pd.Timedelta(minutes=10))))
    first = walk("p", START, (X + 1, Y + 50), (X + 41, Y + 50))  # 20 steps of 2 m, 2 s apart
    moved = first.assign(**{LON: first[LON] + 1e-4})  # same times, 5.6 m further east
    with gpkg.transaction():
        refresh.add_track_points(gpkg, first.iloc[:11])
        assert refresh.add_track_points(gpkg, moved) == 10
    stored = pd.concat(list(gpkg.iter_track_points()), ignore_index=True)
    np.testing.assert_array_equal(stored[LON].to_numpy(), np.r_[first[LON].to_numpy()[:11], moved[LON].to_numpy()[11:]])
    assert_same_as_reference(gpkg)


def test_times_are_kept_to_the_millisecond_as_stored(gpkg):
    with gpkg.transaction():
        gpkg.add_patrols(patrols(("p", START, START + pd.Timedelta(minutes=10))))
    points = walk("p", START, (X + 1, Y + 50), (X + 41, Y + 50))
    points[TIME_UTC] = points[TIME_UTC] + pd.to_timedelta(np.arange(len(points)) * 123.456, unit="us")
    with gpkg.transaction():
        refresh.add_track_points(gpkg, points)
    assert_same_as_reference(gpkg)  # the reference reads the stored (millisecond) times


def test_each_file_is_one_transaction(gpkg, tmp_path, monkeypatch):
    path = gpx_file(tmp_path, "fails.gpx", walk("a", START, (X - 99, Y + 50), (X + 201, Y + 50)))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(refresh, "store_presence", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        import_file(gpkg, path)
    counts = gpkg.counts()
    assert counts[T_PATROLS] == counts[T_TRACK_POINTS] == 0 and gpkg.imports().empty
    monkeypatch.undo()
    assert import_file(gpkg, path).added[T_TRACK_POINTS] == 151  # nothing was left half-written
    assert_same_as_reference(gpkg)


def test_a_track_whose_every_point_is_rejected_leaves_no_patrol(gpkg, tmp_path):
    good = walk("a", START, (X + 1, Y + 50), (X + 41, Y + 50))
    far = good.assign(**{"patrol_id": "far", LON: good[LON] - 40.0, TIME_UTC: good[TIME_UTC] + pd.Timedelta(hours=1)})
    outcome = import_file(gpkg, gpx_file(tmp_path, "mixed.gpx", good, far))
    assert outcome.added == {T_PATROLS: 1, T_TRACK_POINTS: len(good)}
    assert "1 patrol(s) without usable track points were not imported" in outcome.warnings
    assert outcome.errors and all(e.line > len(good) for e in outcome.errors)  # the far track's points
    assert gpkg.counts()[T_PATROLS] == 1


def test_a_new_area_version_reassigns_imported_presence_by_local_date(gpkg, tmp_path):
    # 300 m east at 1 m/s from x = -99 m at 23:58:20, 25 m north of the south edges: x = 0 is
    # passed at 23:59:59, in the segment 23:59:58–00:00:00 (x -1..1), which starts on Friday
    night = walk("n", oslo("2024-06-07 23:58:20"), (X - 99, Y + 25), (X + 201, Y + 25))
    import_file(gpkg, gpx_file(tmp_path, "night.gpx", night))
    assert gpkg.derived(T_PRESENCE_AREA).query("area_id == 'sq'")[SECONDS].sum() == pytest.approx(100.0)
    changed = area_versions([area("sq", square(X, Y, 50), valid_from=dt.date(2024, 6, 8))])
    changed.drop(columns=["version"]).to_file(tmp_path / "sq.geojson", driver="GeoJSON")
    outcome = import_file(gpkg, tmp_path / "sq.geojson", kind="areas")
    assert outcome.added["field_areas"] == 1  # version 2 added (version 1 closed, not counted as added)
    assert_same_as_reference(gpkg)
    per_version = gpkg.derived(T_PRESENCE_AREA).query("area_id == 'sq'").groupby("version")[SECONDS].sum()
    # version 1 (x 0–100 m, until Friday) keeps half of the Friday segment; version 2 (x 0–50 m,
    # from Saturday) gets x 1–50
    assert per_version.to_dict() == pytest.approx({1: 1.0, 2: 49.0})


def test_is_in_tests_text_membership_without_pandas_isin():
    values = pd.Series(["a", "b", None, "c"], dtype="str")
    candidates = pd.Series(["c", "a", "a"], dtype="str")
    assert _is_in(values, candidates).tolist() == [True, False, False, True]


# --- generated tracks ---------------------------------------------------------------------------


@st.composite
def generated_tracks(draw) -> pd.DataFrame:
    """1–4 patrols of 2–60 fixes near the areas: steps of 0–30 m, gaps of 0.2 s to 10 min, times
    with milliseconds, on the evening before and the day the second version of "wide" starts."""
    frames = []
    for number in range(draw(st.integers(1, 4))):
        n = draw(st.integers(2, 60))
        gaps_ms = draw(st.lists(st.sampled_from([200, 1_000, 1_001, 2_000, 5_500, 30_000, 290_000, 600_000]),
                                min_size=n - 1, max_size=n - 1))
        steps = draw(st.lists(st.tuples(st.floats(-30, 30), st.floats(-30, 30)), min_size=n - 1, max_size=n - 1))
        start = START + pd.Timedelta(hours=draw(st.integers(0, 6)), milliseconds=draw(st.integers(0, 999)))
        xy = np.cumsum(np.r_[[[X + draw(st.floats(-150, 250)), Y + draw(st.floats(-150, 250))]], steps], axis=0)
        lon, lat = lonlat(xy[:, 0], xy[:, 1])
        frames.append(pd.DataFrame({
            PATROL_ID: f"g{number}",
            TIME_UTC: start + pd.to_timedelta(np.r_[0, np.cumsum(gaps_ms)], unit="ms"),
            LON: lon,
            LAT: lat,
        }))
    return pd.concat(frames, ignore_index=True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tracks=generated_tracks(), data=st.data())
def test_generated_tracks_in_any_parts_give_the_reference_presence(gpkg, tracks, data):
    """Points of each patrol arrive in 1–3 overlapping parts, each part one transaction."""
    with gpkg.transaction():
        for table in PATROL_KEYED_TABLES:
            gpkg.replace_derived(table, pd.DataFrame())
        gpkg._conn.execute(f"DELETE FROM {T_TRACK_POINTS}")
        ids = tracks[PATROL_ID].unique()
        gpkg.add_patrols(patrols(*[(p, START, START + pd.Timedelta(hours=8)) for p in ids]))
    parts = data.draw(st.integers(1, 3))
    cuts = [data.draw(st.lists(st.integers(0, len(tracks)), min_size=2, max_size=2)) for _ in range(parts)]
    for lo, hi in cuts:
        with gpkg.transaction():
            refresh.add_track_points(gpkg, tracks.iloc[min(lo, hi): max(lo, hi) + 1])
        assert_same_as_reference(gpkg)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tracks=generated_tracks())
def test_generated_tracks_through_gpx_files_give_the_reference_presence(tmp_path_factory, tracks):
    folder = tmp_path_factory.mktemp("gpx")
    store = open_store(folder / "s.gpkg")
    with store.transaction():
        store.add_area_versions(AREAS)
    for number, (_, one) in enumerate(tracks.groupby(PATROL_ID)):
        if len(one) >= 2:
            import_file(store, gpx_file(folder, f"p{number}.gpx", one))
    assert_same_as_reference(store)


def test_a_new_area_version_recomputes_only_patrols_with_presence_from_its_first_day(gpkg, tmp_path, monkeypatch):
    early = walk("early", oslo("2024-05-31 20:00"), (X - 99, Y + 25), (X + 201, Y + 25))
    late = walk("late", oslo("2024-06-10 20:00"), (X - 99, Y + 25), (X + 201, Y + 25))
    import_file(gpkg, gpx_file(tmp_path, "two.gpx", early, late))
    before = _sorted(gpkg.derived(T_PRESENCE_AREA))
    read = []
    original = type(gpkg).iter_track_points

    def spy(self, *, patrol_ids=None, batch_patrols=500):
        read.append(patrol_ids)
        return original(self, patrol_ids=patrol_ids, batch_patrols=batch_patrols)

    monkeypatch.setattr(type(gpkg), "iter_track_points", spy)
    changed = area_versions([area("sq", square(X, Y, 50), valid_from=dt.date(2024, 6, 8))])
    changed.drop(columns=["version"]).to_file(tmp_path / "sq.geojson", driver="GeoJSON")
    import_file(gpkg, tmp_path / "sq.geojson", kind="areas")
    split = pd.Timestamp("2024-06-05", tz="UTC")
    stored = gpkg.patrols()
    late_id = stored[stored["start_utc"] > split][PATROL_ID].tolist()
    assert read == [late_id]  # only the patrol after 8 June was read again
    monkeypatch.undo()
    assert_same_as_reference(gpkg)
    after = _sorted(gpkg.derived(T_PRESENCE_AREA))
    early_id = stored[stored["start_utc"] < split][PATROL_ID].iloc[0]
    pd.testing.assert_frame_equal(after[after[PATROL_ID] == early_id].reset_index(drop=True),
                                  before[before[PATROL_ID] == early_id].reset_index(drop=True))
    late_sq = after[(after[PATROL_ID] == late_id[0]) & (after[AREA_ID] == "sq")]
    assert late_sq.set_index("version")[SECONDS].to_dict() == pytest.approx({2: 50.0})  # x 0–50 m of the new version


def test_import_files_reads_ahead_and_keeps_file_order_errors_and_repeats(gpkg, tmp_path):
    from geo.io.errors import InputFileError
    from geo.io.importer import import_files

    one = gpx_file(tmp_path, "one.gpx", walk("a", START, (X + 1, Y + 50), (X + 41, Y + 50)))
    broken = tmp_path / "broken.gpx"
    broken.write_text('<?xml version="1.0"?><gpx version="1.1"><trk><trkseg><trkpt lat="59.9" lon="10.7">')
    copy = tmp_path / "copy.gpx"
    copy.write_bytes(one.read_bytes())
    two = gpx_file(tmp_path, "two.gpx", walk("b", START + pd.Timedelta(hours=1), (X + 1, Y + 10), (X + 81, Y + 10)))
    outcomes = list(import_files(gpkg, [one, broken, copy, two]))
    assert [path.name for path, _ in outcomes] == ["one.gpx", "broken.gpx", "copy.gpx", "two.gpx"]
    assert outcomes[0][1].added == {T_PATROLS: 1, T_TRACK_POINTS: 21}
    assert isinstance(outcomes[1][1], InputFileError) and "broken.gpx" in str(outcomes[1][1])
    assert outcomes[2][1].already_imported  # the same bytes under another name, checked in file order
    assert outcomes[3][1].added == {T_PATROLS: 1, T_TRACK_POINTS: 41}
    assert len(gpkg.imports()) == 2
    assert_same_as_reference(gpkg)


def test_encounters_get_their_areas_without_recomputing_the_stored_ones(gpkg, monkeypatch):
    from tests.builders import encounters as encounter_rows
    from geo.schema import ENCOUNTER_ID, T_ENCOUNTER_AREAS

    first = encounter_rows(("e1", oslo("2024-06-07 21:00"), X + 50, Y + 50), ("e2", oslo("2024-06-07 21:05"), X + 350, Y))
    with gpkg.transaction():
        assert refresh.add_encounters(gpkg, first) == 2
    monkeypatch.setattr(refresh, "refresh_encounter_areas", lambda store: pytest.fail("all encounters recomputed"))
    # e1 again but moved outside every area (the stored e1 stays), and a new e3 inside "sq" and "wide"
    second = encounter_rows(("e1", oslo("2024-06-07 21:00"), X + 2000, Y), ("e3", oslo("2024-06-09 12:00"), X + 10, Y + 10))
    with gpkg.transaction():
        assert refresh.add_encounters(gpkg, second) == 1
    rows = gpkg.derived(T_ENCOUNTER_AREAS).sort_values([ENCOUNTER_ID, "area_id"])
    assert [tuple(r) for r in rows[[ENCOUNTER_ID, "area_id", "version"]].itertuples(index=False)] == [
        ("e1", "sq", 1), ("e1", "wide", 1), ("e3", "sq", 1), ("e3", "wide", 2)]  # e2 lies in no area
    monkeypatch.undo()
    with gpkg.transaction():
        refresh.refresh_encounter_areas(gpkg)  # the reference: every encounter from scratch
    again = gpkg.derived(T_ENCOUNTER_AREAS).sort_values([ENCOUNTER_ID, "area_id"])
    pd.testing.assert_frame_equal(again.reset_index(drop=True), rows.reset_index(drop=True), check_dtype=False)


def test_a_new_area_version_recomputes_the_encounter_areas_it_can_change(gpkg, tmp_path):
    from tests.builders import encounters as encounter_rows
    from geo.schema import ENCOUNTER_ID, T_ENCOUNTER_AREAS

    with gpkg.transaction():  # "sq" x 0–100 m; the new version (from 8 June) x 0–50 m
        refresh.add_encounters(gpkg, encounter_rows(
            ("before", oslo("2024-06-01 12:00"), X + 80, Y + 20),  # in sq v1, before the change: stays
            ("cut", oslo("2024-06-09 12:00"), X + 80, Y + 20),  # in sq v1 only: out of sq from 8 June
            ("kept", oslo("2024-06-09 12:00"), X + 20, Y + 20),  # in both shapes: sq version 2
            ("far", oslo("2024-06-09 12:00"), X + 2000, Y)))
    changed = area_versions([area("sq", square(X, Y, 50), valid_from=dt.date(2024, 6, 8))])
    changed.drop(columns=["version"]).to_file(tmp_path / "sq.geojson", driver="GeoJSON")
    import_file(gpkg, tmp_path / "sq.geojson", kind="areas")
    rows = gpkg.derived(T_ENCOUNTER_AREAS).query("area_id == 'sq'").sort_values(ENCOUNTER_ID)
    assert [tuple(r) for r in rows[[ENCOUNTER_ID, "version"]].itertuples(index=False)] == [("before", 1), ("kept", 2)]
    got = gpkg.derived(T_ENCOUNTER_AREAS).sort_values([ENCOUNTER_ID, "area_id"]).reset_index(drop=True)
    with gpkg.transaction():
        refresh.refresh_encounter_areas(gpkg)
    want = gpkg.derived(T_ENCOUNTER_AREAS).sort_values([ENCOUNTER_ID, "area_id"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
