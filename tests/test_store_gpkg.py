"""Tests of geo.store.gpkg: the GeoPackage store (idempotent adds, transactions,
area versioning, and a file GDAL/QGIS can read).

Every store is a fresh file in ``tmp_path``, filled through the store methods
(tests/builders.py).
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from numpy.testing import assert_allclose

from geo.engine import refresh
from geo.schema import (
    AREA_ID,
    AREA_NAME,
    AREA_VERSION,
    ENCOUNTER_ID,
    INDOOR,
    LAT,
    LOCAL_DATE,
    LON,
    PATROL_ID,
    SECONDS,
    SERVICE_DAY,
    SHIFT,
    STAFF,
    START_UTC,
    STORE_CRS,
    T_AREA_CHANGES,
    T_AREAS,
    T_ENCOUNTER_AREAS,
    T_ENCOUNTERS,
    T_IMPORTS,
    T_PATROLS,
    T_PRESENCE_AREA,
    T_PRESENCE_CELL,
    T_PRESENCE_TOTAL,
    T_TRACK_POINTS,
    T_VISITS_AREA,
    T_VISITS_CELL,
    TIME_UTC,
    VALID_FROM,
    VALID_TO,
    Shift,
)
from geo.store import StoreError, open_store
from geo.store.area_versions import AreaVersionConflict
from geo.store.gpkg_version import file_version
from tests.builders import (
    BASE,
    area,
    area_versions,
    encounters,
    make_store,
    oslo,
    patrols,
    square,
    standing,
    straight_walk,
)

X, Y = BASE
D = dt.date
FRI_START, FRI_END = oslo("2024-06-07 22:00"), oslo("2024-06-08 04:00")  # Friday night patrol
SAT_START, SAT_END = oslo("2024-06-08 10:00"), oslo("2024-06-08 16:00")  # Saturday day patrol


def two_patrols() -> pd.DataFrame:
    return patrols(("fri", FRI_START, FRI_END), ("sat", SAT_START, SAT_END, 3))


def points() -> pd.DataFrame:
    return pd.concat(
        [
            standing("fri", FRI_START, (X + 50, Y + 50), n=5, interval_s=60),
            straight_walk("sat", SAT_START, frm=(X - 50, Y + 50), to=(X + 150, Y + 50), step_m=10, interval_s=10),
        ],
        ignore_index=True,
    )


def two_encounters() -> pd.DataFrame:
    return encounters(
        ("e1", oslo("2024-06-07 23:00"), X + 50, Y + 50, "fri"),
        ("e2", oslo("2024-06-08 00:30"), X + 500, Y + 500, "fri"),
    )


# --- opening ------------------------------------------------------------------------------------


def test_open_store_creates_a_geopackage_with_every_table(tmp_path):
    store = open_store(tmp_path / "new.gpkg")
    assert (tmp_path / "new.gpkg").is_file()
    counts = store.counts()
    assert set(counts) == {T_AREAS, T_PATROLS, T_TRACK_POINTS, T_ENCOUNTERS, T_IMPORTS, T_PRESENCE_AREA,
                           T_PRESENCE_CELL, T_PRESENCE_TOTAL, T_VISITS_AREA, T_VISITS_CELL, T_ENCOUNTER_AREAS}
    assert set(counts.values()) == {0}
    conn = sqlite3.connect(tmp_path / "new.gpkg")
    assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # "GPKG"


def test_open_store_refuses_other_locations():
    # PostGIS URLs are opened by PostgisStore (tests/test_store_postgis.py)
    with pytest.raises(StoreError, match=r"store must be a GeoPackage file ending in \.gpkg or a PostGIS URL "
                                         r"\(postgresql://user@host:port/database\); got 'data/store\.sqlite'"):
        open_store("data/store.sqlite")


def test_open_missing_store_without_create_is_refused(tmp_path):
    with pytest.raises(StoreError, match=r"does not exist; import data or run `python -m geo demo` first"):
        open_store(tmp_path / "missing.gpkg", create=False)
    assert not (tmp_path / "missing.gpkg").exists()


def test_file_that_is_not_sqlite_is_refused(tmp_path):
    path = tmp_path / "fake.gpkg"
    path.write_bytes(b"this is not a database, just text" * 100)
    with pytest.raises(StoreError, match=r"is not a GeoPackage/SQLite file Feltkart can use"):
        open_store(path)


# --- adding rows ----------------------------------------------------------------------------------


def test_re_adding_the_same_patrols_points_and_encounters_adds_nothing(tmp_path):
    store = open_store(tmp_path / "s.gpkg")
    assert store.add_patrols(two_patrols()) == 2
    assert store.add_track_points(points()) == 5 + 21
    assert store.add_encounters(two_encounters()) == 2
    before = store.counts()
    assert store.add_patrols(two_patrols()) == 0
    assert store.add_track_points(points()) == 0
    assert store.add_encounters(two_encounters()) == 0
    assert store.counts() == before


def test_re_adding_a_patrol_updates_its_metadata(tmp_path):
    store = open_store(tmp_path / "s.gpkg")
    store.add_patrols(two_patrols())
    assert store.add_patrols(patrols(("sat", SAT_START, SAT_END, 4))) == 0
    got = store.patrols().set_index(PATROL_ID)
    assert got.loc["sat", STAFF] == 4
    assert len(got) == 2


def test_partly_new_points_add_only_the_new_ones(tmp_path):
    store = open_store(tmp_path / "s.gpkg")
    store.add_patrols(two_patrols())
    pts = points()
    assert store.add_track_points(pts.iloc[:10]) == 10
    assert store.add_track_points(pts) == len(pts) - 10


def test_track_points_for_unknown_patrols_are_refused(tmp_path):
    store = open_store(tmp_path / "s.gpkg")
    store.add_patrols(two_patrols())
    pts = standing("ghost", FRI_START, (X, Y), n=2, interval_s=10)
    with pytest.raises(ValueError, match=r"track points refer to patrols not in the store: \['ghost'\]; add the patrols first"):
        store.add_track_points(pts)
    assert store.counts()[T_TRACK_POINTS] == 0


def test_patrols_are_selected_by_service_day_with_shift(tmp_path):
    store = open_store(tmp_path / "s.gpkg")
    store.add_patrols(two_patrols())
    fri = store.patrols(first_day=D(2024, 6, 7), last_day=D(2024, 6, 7))
    # the Friday-night patrol ends on Saturday but is Friday's
    assert fri[PATROL_ID].tolist() == ["fri"]
    assert fri[SERVICE_DAY].tolist() == [D(2024, 6, 7)]
    assert fri[SHIFT].tolist() == [Shift.NIGHT]
    sat = store.patrols(first_day=D(2024, 6, 8))
    assert sat[PATROL_ID].tolist() == ["sat"]
    assert sat[SHIFT].tolist() == [Shift.DAY]
    assert sat[START_UTC].tolist() == [SAT_START]


def test_encounters_are_selected_by_local_date(tmp_path):
    store = open_store(tmp_path / "s.gpkg")
    store.add_encounters(two_encounters())
    # e2 is 00:30 local Saturday = 22:30 UTC Friday: Saturday's
    assert store.encounters(last_day=D(2024, 6, 7))[ENCOUNTER_ID].tolist() == ["e1"]
    sat = store.encounters(first_day=D(2024, 6, 8))
    assert sat[ENCOUNTER_ID].tolist() == ["e2"]
    assert sat[LOCAL_DATE].tolist() == [D(2024, 6, 8)]
    assert sat[TIME_UTC].tolist() == [pd.Timestamp("2024-06-07 22:30", tz="UTC")]


def test_track_points_read_back_in_whole_patrols_with_millisecond_times(tmp_path):
    store = open_store(tmp_path / "s.gpkg")
    store.add_patrols(two_patrols())
    pts = points()
    pts.loc[0, TIME_UTC] = pts.loc[0, TIME_UTC] + pd.Timedelta(milliseconds=250)
    store.add_track_points(pts)
    batches = list(store.iter_track_points(batch_patrols=1))
    assert [sorted(set(b[PATROL_ID])) for b in batches] == [["fri"], ["sat"]]
    back = pd.concat(batches, ignore_index=True).sort_values([PATROL_ID, TIME_UTC]).reset_index(drop=True)
    want = pts.sort_values([PATROL_ID, TIME_UTC]).reset_index(drop=True)
    assert back[TIME_UTC].tolist() == want[TIME_UTC].tolist()
    assert_allclose(back[[LON, LAT]].to_numpy(), want[[LON, LAT]].to_numpy(), rtol=0, atol=0)


# --- transactions -----------------------------------------------------------------------------------


def test_transaction_that_raises_leaves_the_store_untouched(tmp_path):
    store = open_store(tmp_path / "s.gpkg")
    store.add_area_versions(area_versions([area("a", square(), valid_from=D(2024, 1, 1))]))
    before = store.counts()
    with pytest.raises(RuntimeError, match="boom"), store.transaction():
        store.add_area_versions(area_versions([area("a", square(X + 5), valid_from=D(2024, 6, 1))]))
        store.add_patrols(two_patrols())
        store.add_track_points(points())
        store.add_encounters(two_encounters())
        raise RuntimeError("boom")
    assert store.counts() == before
    assert store.areas()[VALID_TO].tolist() == [None]  # the closing of v1 was rolled back too
    assert len(store.query(f"SELECT * FROM {T_AREA_CHANGES}")) == 1
    # and on disk
    store.close()
    assert open_store(tmp_path / "s.gpkg").counts() == before


def test_transaction_commits_everything_when_it_succeeds(tmp_path):
    store = open_store(tmp_path / "s.gpkg")
    with store.transaction():
        store.add_patrols(two_patrols())
        store.add_track_points(points())
    store.close()
    counts = open_store(tmp_path / "s.gpkg").counts()
    assert (counts[T_PATROLS], counts[T_TRACK_POINTS]) == (2, 26)


# --- change token (what cached answers are keyed by) ------------------------------------------------


def log_an_export(store) -> None:
    store.log_export(preset="salto", first_day=D(2024, 1, 1), last_day=D(2024, 4, 30), compare_first=None,
                     compare_last=None, k=5, format="pdf", file="sb.pdf", sha256="f00")


def test_logging_an_export_keeps_the_change_token_and_a_data_write_changes_it(tmp_path):
    path = tmp_path / "s.gpkg"
    store = open_store(path)
    store.add_patrols(two_patrols())
    token = store.change_token()
    log_an_export(store)
    store.log_audit("sign_in", {"role": "admin"}, actor="sub-1")
    assert store.change_token() == token  # no answer depends on the logs
    store.add_encounters(two_encounters())
    assert store.change_token() != token
    after_data = store.change_token()
    log_an_export(store)
    assert store.change_token() == after_data


def test_another_connection_sees_the_change_token_move(tmp_path):
    path = tmp_path / "s.gpkg"
    writer, reader = open_store(path), open_store(path, create=False)
    token = reader.change_token()
    writer.add_patrols(two_patrols())
    assert reader.change_token() == str(int(token) + 1)  # one committed write transaction


def test_reopening_a_store_changes_neither_the_file_nor_the_token(tmp_path):
    path = tmp_path / "s.gpkg"
    store = open_store(path)
    store.add_patrols(two_patrols())
    token = store.change_token()
    store.close()
    raw = path.read_bytes()
    open_store(path, create=False).close()
    open_store(path).close()  # create=True on a complete store writes nothing either
    assert path.read_bytes() == raw
    assert open_store(path, create=False).change_token() == token


def test_an_export_logged_inside_a_data_transaction_counts_as_a_change(tmp_path):
    path = tmp_path / "s.gpkg"
    store = open_store(path)
    token = store.change_token()
    with store.transaction():
        store.add_patrols(two_patrols())
        log_an_export(store)
    assert store.change_token() != token


def test_a_store_replaced_by_another_file_is_a_new_file_identity(tmp_path):
    path, other = tmp_path / "s.gpkg", tmp_path / "t.gpkg"
    open_store(path).close()
    open_store(other).close()
    identity = file_version(path)[:2]
    other.replace(path)
    assert file_version(path)[:2] != identity
    assert file_version(tmp_path / "missing.gpkg") is None


# --- area versions --------------------------------------------------------------------------------------


def test_new_area_version_closes_the_open_one_at_its_valid_from_and_logs_it(tmp_path):
    store = open_store(tmp_path / "s.gpkg")
    assert store.add_area_versions(area_versions([area("a", square(), valid_from=D(2023, 1, 1))])) == [("a", 1)]
    changed = store.add_area_versions(area_versions([area("a", square(X + 10), valid_from=D(2024, 3, 1))]))
    assert changed == [("a", 1), ("a", 2)]
    got = store.areas()
    assert got[[AREA_ID, AREA_VERSION, VALID_FROM, VALID_TO]].values.tolist() == [
        ["a", 1, D(2023, 1, 1), D(2024, 3, 1)],
        ["a", 2, D(2024, 3, 1), None],
    ]
    # the old geometry is kept
    assert got.geometry.iloc[0].equals_exact(area_versions([area("a", square())]).geometry.iloc[0], 1e-12)
    log = store.query(f"SELECT {AREA_ID}, {AREA_VERSION}, change, detail FROM {T_AREA_CHANGES} ORDER BY fid")
    assert log.values.tolist() == [
        ["a", 1, "added", "valid 2023-01-01 to open"],
        ["a", 1, "closed", "valid_to set to 2024-03-01"],
        ["a", 2, "added", "valid 2024-03-01 to open"],
    ]


def test_new_version_inside_a_closed_later_ending_version_shortens_it(tmp_path):
    # v1 valid 2023-01-01 … 2024-12-31 (exclusive); v2 from 2024-06-01 → v1 ends 2024-06-01
    store = open_store(tmp_path / "s.gpkg")
    store.add_area_versions(area_versions([area("a", square(), valid_from=D(2023, 1, 1), valid_to=D(2024, 12, 31))]))
    store.add_area_versions(area_versions([area("a", square(X + 10), valid_from=D(2024, 6, 1))]))
    assert store.areas()[VALID_TO].tolist() == [D(2024, 6, 1), None]


def test_identical_version_is_skipped(tmp_path):
    store = open_store(tmp_path / "s.gpkg")
    versions = area_versions([area("a", square(), valid_from=D(2023, 1, 1))])
    store.add_area_versions(versions)
    assert store.add_area_versions(versions) == []
    assert store.counts()[T_AREAS] == 1


@pytest.mark.parametrize("valid_from", [D(2024, 1, 1), D(2023, 6, 1)])
def test_version_overlapping_a_later_stored_version_is_refused(tmp_path, valid_from):
    # stored v1 from 2024-01-01 (open); a different geometry from the same day or
    # from an earlier day (its open end would overlap v1) is refused; nothing changes
    store = open_store(tmp_path / "s.gpkg")
    store.add_area_versions(area_versions([area("a", square(), valid_from=D(2024, 1, 1))]))
    with pytest.raises(
        AreaVersionConflict,
        match=rf"area 'a': a version valid from 2024-01-01 is already stored, and the new version "
              rf"\({valid_from} to open\) would overlap it; give the new version a valid_to on or before 2024-01-01",
    ):
        store.add_area_versions(area_versions([area("a", square(X + 10), valid_from=valid_from)]))
    assert store.counts()[T_AREAS] == 1
    assert store.areas()[VALID_TO].tolist() == [None]


def test_refused_batch_of_area_versions_writes_none_of_them(tmp_path):
    store = open_store(tmp_path / "s.gpkg")
    store.add_area_versions(area_versions([area("a", square(), valid_from=D(2024, 1, 1))]))
    batch = area_versions([
        area("b", square(X + 500), valid_from=D(2024, 1, 1)),
        area("a", square(X + 10), valid_from=D(2023, 1, 1)),  # conflicts with a v1
    ])
    with pytest.raises(AreaVersionConflict):
        store.add_area_versions(batch)
    assert store.areas()[AREA_ID].tolist() == ["a"]


def test_earlier_version_that_ends_before_the_stored_one_is_accepted(tmp_path):
    # stored v1 from 2024-01-01; adding a historical version 2022-01-01 … 2023-01-01 does not overlap it
    store = open_store(tmp_path / "s.gpkg")
    store.add_area_versions(area_versions([area("a", square(), valid_from=D(2024, 1, 1))]))
    store.add_area_versions(area_versions([area("a", square(X + 10), valid_from=D(2022, 1, 1), valid_to=D(2023, 1, 1))]))
    got = store.areas().sort_values(VALID_FROM)
    assert got[[VALID_FROM, VALID_TO]].values.tolist() == [[D(2022, 1, 1), D(2023, 1, 1)], [D(2024, 1, 1), None]]


# --- derived tables -----------------------------------------------------------------------------------


def test_make_store_fills_every_derived_table(tmp_path):
    store = make_store(tmp_path, areas=area_versions([area("sq", square())]), patrol_rows=two_patrols(),
                       points=points(), encounter_rows=two_encounters())
    # fri: 4 × 60 s standing inside; sat: 100 s of its 200 s walk inside
    pa = store.derived(T_PRESENCE_AREA).groupby(PATROL_ID)[SECONDS].sum()
    assert_allclose(pa.loc[["fri", "sat"]].to_numpy(), [240.0, 100.0], atol=1e-6)
    pt = store.derived(T_PRESENCE_TOTAL).groupby(PATROL_ID)[SECONDS].sum()
    assert_allclose(pt.loc[["fri", "sat"]].to_numpy(), [240.0, 200.0], atol=1e-6)
    assert len(store.derived(T_VISITS_AREA)) == 2
    assert store.derived(T_PRESENCE_CELL, patrol_ids=["fri"])[SECONDS].sum() == pytest.approx(240.0)
    assert len(store.derived(T_VISITS_CELL)) >= 2
    assert store.derived(T_ENCOUNTER_AREAS)[[ENCOUNTER_ID, AREA_ID]].values.tolist() == [["e1", "sq"]]


def test_replace_derived_for_some_patrols_keeps_the_others(tmp_path):
    store = make_store(tmp_path, areas=area_versions([area("sq", square())]), patrol_rows=two_patrols(), points=points())
    store.replace_derived(T_PRESENCE_TOTAL, store.derived(T_PRESENCE_TOTAL).iloc[:0], patrol_ids=["fri"])
    assert set(store.derived(T_PRESENCE_TOTAL)[PATROL_ID]) == {"sat"}


@pytest.mark.parametrize("method", ["derived", "replace_derived"])
def test_unknown_derived_table_is_refused(tmp_path, method):
    store = open_store(tmp_path / "s.gpkg")
    args = ("patrols",) if method == "derived" else ("patrols", pd.DataFrame())
    with pytest.raises(ValueError, match=r"table must be one of presence_area, .*; got 'patrols'"):
        getattr(store, method)(*args)


def test_encounter_areas_cannot_be_replaced_by_patrol(tmp_path):
    store = open_store(tmp_path / "s.gpkg")
    with pytest.raises(ValueError, match="encounter_areas is replaced by encounter or area, not by patrol"):
        store.replace_derived(T_ENCOUNTER_AREAS, pd.DataFrame(), patrol_ids=["fri"])


def test_refresh_areas_after_a_new_version_reassigns_presence_by_local_date(tmp_path):
    # sq v1 from 2024-01-01; patrol "fri" stands at the centre of sq from Fri 23:50:30 to
    # Sat 00:10:30 local (20 segments of 60 s: 10 start on Friday, 10 on Saturday);
    # patrol "b" stands in area "other" 1 km east on Friday (2 segments, 120 s).
    # Then sq v2 from Sat 8 Jun moves 1 km east: fri's Saturday segments are outside v2,
    # b's Friday presence stays in "other" only (v2 is not valid on Friday).
    rows = patrols(("fri", oslo("2024-06-07 23:50:30"), oslo("2024-06-08 00:10:30")),
                   ("b", oslo("2024-06-07 12:00"), oslo("2024-06-07 13:00")))
    pts = pd.concat([standing("fri", oslo("2024-06-07 23:50:30"), (X + 50, Y + 50), n=21, interval_s=60),
                     standing("b", oslo("2024-06-07 12:00"), (X + 1050, Y + 50), n=3, interval_s=60)])
    store = make_store(tmp_path, areas=area_versions([area("sq", square(), valid_from=D(2024, 1, 1)),
                                                      area("other", square(X + 1000))]),
                       patrol_rows=rows, points=pts)

    def totals():
        g = store.derived(T_PRESENCE_AREA).groupby([PATROL_ID, AREA_ID, AREA_VERSION])[SECONDS].sum()
        return {k: round(v, 6) for k, v in g.items()}

    assert totals() == {("b", "other", 1): 120.0, ("fri", "sq", 1): 1200.0}
    with store.transaction():
        changed = store.add_area_versions(area_versions([area("sq", square(X + 1000), valid_from=D(2024, 6, 8))]))
        refresh.refresh_areas(store, sorted({a for a, _ in changed}))
    assert totals() == {("b", "other", 1): 120.0, ("fri", "sq", 1): 600.0}
    visits = store.derived(T_VISITS_AREA)
    assert sorted(visits[AREA_ID]) == ["other", "sq"]


def test_refresh_patrols_twice_gives_the_same_derived_tables(tmp_path):
    store = make_store(tmp_path, areas=area_versions([area("sq", square())]), patrol_rows=two_patrols(), points=points())
    before = {t: store.derived(t).sort_values(list(store.derived(t).columns)).reset_index(drop=True)
              for t in (T_PRESENCE_AREA, T_PRESENCE_TOTAL, T_VISITS_AREA, T_PRESENCE_CELL, T_VISITS_CELL)}
    assert store.add_track_points(points()) == 0
    with store.transaction():
        refresh.refresh_patrols(store, ["fri", "sat"], resolutions=(10,))
    for table, frame in before.items():
        after = store.derived(table).sort_values(list(frame.columns)).reset_index(drop=True)
        pd.testing.assert_frame_equal(after, frame, check_dtype=False, obj=table)


def test_refresh_encounter_areas_follows_new_area_versions(tmp_path):
    # e at Sat 00:30 local at the centre of sq v1; v2 from Sat 8 Jun moved 1 km east
    enc = encounters(("e", oslo("2024-06-08 00:30"), X + 50, Y + 50))
    store = make_store(tmp_path, areas=area_versions([area("sq", square(), valid_from=D(2024, 1, 1))]), encounter_rows=enc)
    assert store.derived(T_ENCOUNTER_AREAS).values.tolist() == [["e", "sq", 1]]
    with store.transaction():
        store.add_area_versions(area_versions([area("sq", square(X + 1000), valid_from=D(2024, 6, 8))]))
        refresh.refresh_encounter_areas(store)
    assert len(store.derived(T_ENCOUNTER_AREAS)) == 0


# --- the file as GIS software sees it ----------------------------------------------------------------------


def test_file_opens_with_pyogrio_and_geopandas_with_correct_geometries(tmp_path):
    versions = area_versions([area("a", square(), valid_from=D(2023, 1, 1)), area("b", square(X + 300), name="B")])
    enc = two_encounters()
    store = make_store(tmp_path, areas=versions, encounter_rows=enc)
    store.close()
    path = tmp_path / "store.gpkg"
    layers = dict(pyogrio.list_layers(path).tolist())
    assert layers[T_AREAS] == "MultiPolygon"
    assert layers[T_ENCOUNTERS] == "Point"

    got = gpd.read_file(path, layer=T_AREAS).sort_values(AREA_ID).reset_index(drop=True)
    assert got.crs.to_epsg() == 4326
    assert got[AREA_ID].tolist() == ["a", "b"]
    assert got[AREA_NAME].tolist() == ["a", "B"]
    assert shapely.equals_exact(got.geometry.to_numpy(), versions.geometry.to_numpy(), tolerance=1e-12).all()

    points_back = gpd.read_file(path, layer=T_ENCOUNTERS).sort_values(ENCOUNTER_ID).reset_index(drop=True)
    assert points_back.crs.to_epsg() == 4326
    assert points_back[ENCOUNTER_ID].tolist() == ["e1", "e2"]
    assert_allclose(np.column_stack([points_back.geometry.x, points_back.geometry.y]), enc[[LON, LAT]].to_numpy(), rtol=0, atol=0)


def test_areas_read_back_as_dates_and_multipolygons_in_store_crs(tmp_path):
    store = make_store(tmp_path, areas=area_versions([area("a", square(), valid_from=D(2023, 1, 1), valid_to=D(2024, 1, 1))]))
    got = store.areas()
    assert str(got.crs) == STORE_CRS
    assert got.geometry.iloc[0].geom_type == "MultiPolygon"
    assert got[[VALID_FROM, VALID_TO]].values.tolist() == [[D(2023, 1, 1), D(2024, 1, 1)]]


# --- retention: deleting raw points before a time ----------------------------------------------

RETENTION_PATROLS = (("may", "2024-05-31 22:30", "2024-06-01 01:30"), ("jun", "2024-06-20 10:00", "2024-06-20 12:00"),
                     ("jul", "2024-07-03 10:00", "2024-07-03 12:00"))
"""Three patrols (UTC): one across the May/June boundary, one in June, one in July."""


def retention_points() -> pd.DataFrame:
    """One fix every 10 minutes of each patrol: 19, 13 and 13 points."""
    frames = []
    for pid, start, end in RETENTION_PATROLS:
        times = pd.date_range(start, end, freq="10min", tz="UTC")
        frames.append(standing(pid, times[0], (X + 50, Y + 50), n=len(times), interval_s=600))
    return pd.concat(frames, ignore_index=True)


def fill_for_retention(store) -> None:
    rows = [(pid, pd.Timestamp(a, tz="UTC"), pd.Timestamp(b, tz="UTC")) for pid, a, b in RETENTION_PATROLS]
    with store.transaction():
        store.add_patrols(patrols(*rows))
        store.add_track_points(retention_points())
        refresh.refresh_patrols(store, resolutions=(10,))


def assert_retention(store) -> None:
    """Cut 2024-06-20 11:00 UTC: "may" (19 points) and "jun" (13, a first point at 10:00) have a
    point before it and go whole (also jun's points after the cut and may's in June); "jul" stays."""
    before = store.derived(T_PRESENCE_TOTAL)
    cutoff = pd.Timestamp("2024-06-20 11:00", tz="UTC")
    assert store.delete_track_points_before(cutoff) == 19 + 13
    kept = pd.concat(list(store.iter_track_points()), ignore_index=True)
    assert kept.groupby(PATROL_ID).size().to_dict() == {"jul": 13}
    assert store.counts()[T_TRACK_POINTS] == 13
    removed = store.removed_raw_patrols()
    assert dict(zip(removed[PATROL_ID], removed["points"])) == {"may": 19, "jun": 13}
    pd.testing.assert_frame_equal(store.derived(T_PRESENCE_TOTAL), before)  # aggregates outlive the points
    assert store.delete_track_points_before(cutoff) == 0  # nothing left before the cut


def test_delete_track_points_before_a_time_takes_whole_patrols_and_keeps_the_aggregates(tmp_path):
    store = open_store(tmp_path / "retention.gpkg")
    fill_for_retention(store)
    assert_retention(store)


# --- indoor areas (PRODUCT.md, Indoor stay); the same checks run on PostGIS -----------------------


def garage_rows(**fields) -> gpd.GeoDataFrame:
    """A 40 m garage at the base point, with ``fields`` (e.g. ``indoor=True``) on every row."""
    frame = area_versions([area("garage", square(X, Y, 40), valid_from=D(2024, 1, 1))])
    for name, value in fields.items():
        frame[name] = value
    return frame


def check_indoor_round_trip_and_inheritance(store) -> None:
    """indoor is stored; a new version without a value keeps the previous one's; False overrides."""
    store.add_area_versions(garage_rows(indoor=True))
    street = area_versions([area("street", square(X + 500), valid_from=D(2024, 1, 1))])  # no indoor column
    store.add_area_versions(street)
    moved = area_versions([area("garage", square(X + 10, Y, 40), valid_from=D(2024, 6, 1))])
    store.add_area_versions(moved)  # no indoor column: keeps True
    store.add_area_versions(garage_rows(indoor=False).assign(valid_from=D(2024, 9, 1)))
    got = store.areas()
    assert list(zip(got[AREA_ID], got[AREA_VERSION], got[INDOOR])) == [
        ("garage", 1, True), ("garage", 2, True), ("garage", 3, False), ("street", 1, False)]


def check_indoor_flag_of_a_stored_version_is_not_changed_silently(store) -> None:
    store.add_area_versions(garage_rows(indoor=False))
    assert store.add_area_versions(garage_rows()) == []  # no value: the same version, skipped
    with pytest.raises(AreaVersionConflict, match=r"area 'garage': the version valid from 2024-01-01 is already "
                                                  r"stored with indoor=False; to mark it indoor=True, add a new "
                                                  r"version with a later valid_from"):
        store.add_area_versions(garage_rows(indoor=True))


def check_store_without_indoor_column(store, drop_column, reopen) -> None:
    """A store made before the column reads as not indoor and gets the column with its next version."""
    store.add_area_versions(garage_rows())
    drop_column(store)
    store = reopen(store)
    assert store.areas()[INDOOR].tolist() == [False]
    store.add_area_versions(area_versions([area("hall", square(X + 500), valid_from=D(2024, 1, 1))]).assign(indoor=True))
    assert store.areas()[INDOOR].tolist() == [False, True]


def check_refresh_areas_adds_the_stays_of_a_new_indoor_area(store, fill) -> None:
    """Patrols first, then a garage marked indoor: its 20-min gap becomes presence everywhere."""
    start = oslo("2024-06-07 20:10")
    gap = pd.concat([standing("g", start, (X + 20, Y + 20), n=2, interval_s=60),
                     standing("g", start + pd.Timedelta(seconds=1260), (X + 20, Y + 20), n=2, interval_s=60)])
    fill(store, patrol_rows=patrols(("g", start, start + pd.Timedelta(hours=1))), pts=gap)
    assert store.derived(T_PRESENCE_TOTAL)[SECONDS].sum() == pytest.approx(120.0)
    with store.transaction():
        changed = store.add_area_versions(garage_rows(indoor=True))
        refresh.refresh_areas(store, sorted({a for a, _ in changed}))
    assert store.derived(T_PRESENCE_TOTAL)[SECONDS].sum() == pytest.approx(1320.0)
    assert store.derived(T_PRESENCE_AREA)[SECONDS].sum() == pytest.approx(1320.0)
    by_res = store.derived(T_PRESENCE_CELL).groupby("res")[SECONDS].sum()
    assert (by_res.to_numpy() == pytest.approx(1320.0)) and len(by_res)
    assert len(store.derived(T_VISITS_AREA)) == 1


def check_a_changed_street_area_keeps_its_share_of_indoor_stays(store, fill) -> None:
    """A street area around the garage holds the 20-min stay (1,200 s) besides the 120 s walked;
    a new version of the street area, recomputed from its first day, keeps both."""
    street = area_versions([area("street", square(X - 100, Y - 100, 300), valid_from=D(2024, 1, 1))])
    with store.transaction():
        store.add_area_versions(garage_rows(indoor=True))
        store.add_area_versions(street)
    start = oslo("2024-06-07 20:10")
    gap = pd.concat([standing("g", start, (X + 20, Y + 20), n=2, interval_s=60),
                     standing("g", start + pd.Timedelta(seconds=1260), (X + 20, Y + 20), n=2, interval_s=60)])
    fill(store, patrol_rows=patrols(("g", start, start + pd.Timedelta(hours=1))), pts=gap)
    by_area = store.derived(T_PRESENCE_AREA).groupby(AREA_ID)[SECONDS].sum()
    assert by_area.to_dict() == pytest.approx({"garage": 1320.0, "street": 1320.0})
    with store.transaction():
        changed = store.add_area_versions(street.assign(valid_from=D(2024, 6, 1)))
        refresh.refresh_areas(store, sorted({a for a, _ in changed}), since=D(2024, 6, 1))
    presence = store.derived(T_PRESENCE_AREA)
    assert presence.groupby([AREA_ID, AREA_VERSION])[SECONDS].sum().to_dict() == pytest.approx(
        {("garage", 1): 1320.0, ("street", 2): 1320.0})
    assert sorted(store.derived(T_VISITS_AREA)[AREA_ID]) == ["garage", "street"]


def _gpkg_fill(store, *, patrol_rows, pts):
    with store.transaction():
        store.add_patrols(patrol_rows)
        store.add_track_points(pts)
        refresh.refresh_patrols(store, resolutions=(10,))


def test_indoor_is_stored_and_inherited_by_new_versions(tmp_path):
    check_indoor_round_trip_and_inheritance(open_store(tmp_path / "s.gpkg"))


def test_indoor_flag_of_a_stored_version_is_not_changed_silently(tmp_path):
    check_indoor_flag_of_a_stored_version_is_not_changed_silently(open_store(tmp_path / "s.gpkg"))


def test_a_store_made_before_the_indoor_column_reads_as_not_indoor(tmp_path):
    def drop(store):
        store._conn.execute(f"ALTER TABLE {T_AREAS} DROP COLUMN {INDOOR}")

    def reopen(store):
        store.close()
        return open_store(tmp_path / "s.gpkg")

    check_store_without_indoor_column(open_store(tmp_path / "s.gpkg"), drop, reopen)


def test_refresh_areas_adds_the_stays_of_a_new_indoor_area(tmp_path):
    check_refresh_areas_adds_the_stays_of_a_new_indoor_area(open_store(tmp_path / "s.gpkg"), _gpkg_fill)


def test_a_changed_street_area_keeps_its_share_of_indoor_stays(tmp_path):
    check_a_changed_street_area_keeps_its_share_of_indoor_stays(open_store(tmp_path / "s.gpkg"), _gpkg_fill)
