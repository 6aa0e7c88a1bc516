"""Tests of geo.store.postgis: the PostGIS store behaves like the GeoPackage store
(idempotent adds, transactions, area versioning, derived tables) and every summary,
key figure and hot-spot number is the same on both backends.

A throwaway PostgreSQL 15 cluster with PostGIS runs for the session
(tests/postgis_cluster.py); every test gets a fresh database cloned from a
template with PostGIS enabled. Skipped locally without PostgreSQL/PostGIS,
failed under CI.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from geo.engine import refresh
from geo.schema import (
    AREA_ID,
    AREA_VERSION,
    ENCOUNTER_ID,
    LAT,
    LOCAL_DATE,
    LON,
    PATROL_ID,
    SECONDS,
    SERVICE_DAY,
    SHIFT,
    STAFF,
    START_UTC,
    T_AREA_CHANGES,
    T_AREAS,
    T_ENCOUNTER_AREAS,
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
from tests.builders import (
    area,
    area_versions,
    patrols,
    square,
    standing,
)
from tests.postgis_cluster import Cluster, postgis_or_fail, start_cluster
from tests.test_store_gpkg import (
    FRI_END,
    check_a_changed_street_area_keeps_its_share_of_indoor_stays,
    check_indoor_flag_of_a_stored_version_is_not_changed_silently,
    check_indoor_round_trip_and_inheritance,
    check_refresh_areas_adds_the_stays_of_a_new_indoor_area,
    check_store_without_indoor_column,
    FRI_START,
    SAT_END,
    SAT_START,
    X,
    Y,
    points,
    two_encounters,
    two_patrols,
)

pytestmark = pytest.mark.postgis

D = dt.date
TEMPLATE = "feltkart_template"
_numbers = itertools.count()


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    postgis_or_fail()
    running = start_cluster()
    try:
        running.create_database(TEMPLATE)
        yield running
    finally:
        running.stop()


@pytest.fixture
def pg_url(cluster: Cluster) -> str:
    """URL of a fresh, empty database with PostGIS (no Feltkart tables yet)."""
    import psycopg

    name = f"t{next(_numbers)}"
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE {TEMPLATE}')
    return cluster.url(name)


@pytest.fixture
def store(pg_url: str):
    opened = open_store(pg_url)
    yield opened
    opened.close()


def fill(store, *, areas=None, patrol_rows=None, pts=None, encounter_rows=None, resolutions=(10,)):
    """Fill ``store`` through its methods and compute every derived table (as tests/builders.make_store)."""
    with store.transaction():
        if areas is not None:
            store.add_area_versions(areas)
        if patrol_rows is not None:
            store.add_patrols(patrol_rows)
        if pts is not None:
            store.add_track_points(pts)
            refresh.refresh_patrols(store, resolutions=resolutions)
        if encounter_rows is not None:
            store.add_encounters(encounter_rows)
        refresh.refresh_encounter_areas(store)
    return store


# --- opening ------------------------------------------------------------------------------------


def test_open_store_creates_every_table_with_postgis_geometry_columns(store, pg_url):
    from geo.store.postgis import PostgisStore

    assert isinstance(store, PostgisStore)
    assert store.dialect == "postgresql"
    assert set(store.counts().values()) == {0}
    columns = store.query(
        "SELECT f_table_name AS t, type, srid FROM geometry_columns ORDER BY f_table_name"
    ).values.tolist()
    assert columns == [["area_drafts", "MULTIPOLYGON", 4326], ["encounters", "POINT", 4326],
                       [T_AREAS, "MULTIPOLYGON", 4326]]
    open_store(pg_url).close()  # a second open finds the schema and changes nothing
    assert set(open_store(pg_url, create=False).counts().values()) == {0}


def test_unreachable_server_is_a_store_error_that_says_what_to_check(cluster):
    port = cluster.port + 1 if cluster.port < 65535 else cluster.port - 1
    with pytest.raises(StoreError, match=rf"cannot connect to the PostGIS store postgresql://nobody@127\.0\.0\.1:{port}"
                                         r"/db: .*; check that the server runs and the URL"):
        open_store(f"postgresql://nobody:secret@127.0.0.1:{port}/db")


def test_password_is_not_shown_in_errors(cluster):
    with pytest.raises(StoreError) as caught:
        open_store(f"postgresql://postgres:hunter2@127.0.0.1:{cluster.port}/no_such_database")
    assert "hunter2" not in str(caught.value)


def test_database_without_postgis_is_refused_with_how_to_fix(cluster, monkeypatch):
    import psycopg

    name = f"t{next(_numbers)}"
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # no PostGIS
        conn.execute(f"CREATE ROLE plain_{name} LOGIN")
        conn.execute(f'ALTER DATABASE "{name}" OWNER TO plain_{name}')
    url = f"postgresql://plain_{name}@127.0.0.1:{cluster.port}/{name}"
    with pytest.raises(StoreError, match=r"the PostGIS extension is not available in postgresql://plain_t\d+@127\.0\.0\.1"
                                         r":\d+/t\d+: .*install PostGIS on the server .* and run CREATE EXTENSION "
                                         r"postgis; in the database as a superuser"):
        open_store(url)


def test_database_without_feltkart_tables_is_refused_without_create(pg_url):
    with pytest.raises(StoreError, match=r"has no Feltkart tables \(missing field_areas, .*\); import data into it first"):
        open_store(pg_url, create=False)


# --- adding rows ----------------------------------------------------------------------------------


def test_re_adding_the_same_patrols_points_and_encounters_adds_nothing(store):
    assert store.add_patrols(two_patrols()) == 2
    assert store.add_track_points(points()) == 5 + 21
    assert store.add_encounters(two_encounters()) == 2
    before = store.counts()
    assert store.add_patrols(two_patrols()) == 0
    assert store.add_track_points(points()) == 0
    assert store.add_encounters(two_encounters()) == 0
    assert store.counts() == before
    assert store.query(f"SELECT COUNT(*) AS n FROM {T_TRACK_POINTS}")["n"].iloc[0] == 26


def test_re_adding_a_patrol_updates_its_metadata(store):
    store.add_patrols(two_patrols())
    assert store.add_patrols(patrols(("sat", SAT_START, SAT_END, 4))) == 0
    got = store.patrols().set_index(PATROL_ID)
    assert got.loc["sat", STAFF] == 4
    assert len(got) == 2


def test_partly_new_points_add_only_the_new_ones(store):
    store.add_patrols(two_patrols())
    pts = points()
    assert store.add_track_points(pts.iloc[:10]) == 10
    assert store.add_track_points(pts) == len(pts) - 10
    assert store.counts()[T_TRACK_POINTS] == len(pts)


def test_track_points_for_unknown_patrols_are_refused(store):
    store.add_patrols(two_patrols())
    pts = standing("ghost", FRI_START, (X, Y), n=2, interval_s=10)
    with pytest.raises(ValueError, match=r"track points refer to patrols not in the store: \['ghost'\]; add the patrols first"):
        store.add_track_points(pts)
    assert store.counts()[T_TRACK_POINTS] == 0


def test_patrols_are_selected_by_service_day_with_shift(store):
    store.add_patrols(two_patrols())
    fri = store.patrols(first_day=D(2024, 6, 7), last_day=D(2024, 6, 7))
    assert fri[PATROL_ID].tolist() == ["fri"]
    assert fri[SERVICE_DAY].tolist() == [D(2024, 6, 7)]
    assert fri[SHIFT].tolist() == [Shift.NIGHT]
    sat = store.patrols(first_day=D(2024, 6, 8))
    assert sat[SHIFT].tolist() == [Shift.DAY]
    assert sat[START_UTC].tolist() == [SAT_START]
    assert store.patrols()[START_UTC].tolist() == [FRI_START, SAT_START]
    assert store.patrols()["end_utc"].tolist() == [FRI_END, SAT_END]


def test_encounters_are_selected_by_local_date_with_points_in_postgis(store):
    store.add_encounters(two_encounters())
    assert store.encounters(last_day=D(2024, 6, 7))[ENCOUNTER_ID].tolist() == ["e1"]
    sat = store.encounters(first_day=D(2024, 6, 8))
    assert sat[LOCAL_DATE].tolist() == [D(2024, 6, 8)]
    assert sat[TIME_UTC].tolist() == [pd.Timestamp("2024-06-07 22:30", tz="UTC")]
    xy = store.query("SELECT ST_X(geom) AS x, ST_Y(geom) AS y, ST_SRID(geom) AS srid FROM encounters ORDER BY fid")
    assert_allclose(xy[["x", "y"]].to_numpy(), two_encounters()[[LON, LAT]].to_numpy(), rtol=0, atol=0)
    assert set(xy["srid"]) == {4326}


def test_track_points_read_back_in_whole_patrols_with_millisecond_times(store):
    store.add_patrols(two_patrols())
    pts = points()
    pts.loc[0, TIME_UTC] = pts.loc[0, TIME_UTC] + pd.Timedelta(milliseconds=250)
    pts["accuracy_m"] = np.where(np.arange(len(pts)) % 3 == 0, np.nan, 4.5)
    store.add_track_points(pts)
    batches = list(store.iter_track_points(batch_patrols=1))
    assert [sorted(set(b[PATROL_ID])) for b in batches] == [["fri"], ["sat"]]
    back = pd.concat(batches, ignore_index=True).sort_values([PATROL_ID, TIME_UTC]).reset_index(drop=True)
    want = pts.sort_values([PATROL_ID, TIME_UTC]).reset_index(drop=True)
    assert back[TIME_UTC].tolist() == want[TIME_UTC].tolist()
    assert_allclose(back[[LON, LAT, "accuracy_m"]].to_numpy(), want[[LON, LAT, "accuracy_m"]].to_numpy(), rtol=0, atol=0)
    assert store.query("SELECT COUNT(*) AS n FROM track_points WHERE accuracy_m IS NULL")["n"].iloc[0] == 9


def test_imports_are_logged_and_found_by_sha256(store):
    assert not store.is_imported("abc")
    store.log_import(file="a.gpx", sha256="abc", kind="tracks", added=3, rejected=1)
    assert store.is_imported("abc")
    log = store.imports()
    assert log[["file", "sha256", "kind", "added", "rejected"]].values.tolist() == [["a.gpx", "abc", "tracks", 3, 1]]
    assert log["time_utc"].iloc[0].endswith("Z")


def test_export_log_and_drafts_round_trip(store):
    store.log_export(preset="salto", first_day=D(2024, 1, 1), last_day=D(2024, 4, 30), compare_first=None,
                     compare_last=None, k=5, format="pdf", file="sb.pdf", sha256="f00")
    got = store.exports()
    assert got.drop(columns="time_utc").values.tolist() == [
        ["salto", "2024-01-01", "2024-04-30", None, None, 5, "pdf", "sb.pdf", "f00", None]]
    draft = area_versions([area("x", square(), valid_from=D(2024, 1, 1))])
    assert store.add_area_draft(draft, source="effective:month") == "draft-1"
    assert store.add_area_draft(draft, source="effective:month") == "draft-2"
    drafts = store.area_drafts()
    assert drafts["draft_id"].tolist() == ["draft-1", "draft-2"]
    assert drafts.geometry.iloc[0].geom_type == "MultiPolygon"
    assert drafts[VALID_FROM].tolist() == [D(2024, 1, 1)] * 2
    assert store.counts()[T_AREAS] == 0  # drafts are never field areas


def test_logging_an_export_keeps_the_change_token(store):
    token = store.change_token()
    store.log_export(preset="trio", first_day=D(2024, 1, 1), last_day=D(2024, 1, 31), compare_first=None,
                     compare_last=None, k=5, format="csv", file="sb.csv", sha256="0ff")
    assert store.change_token() == token
    with store.transaction():  # an export inside a data transaction: the data write still counts
        store.add_patrols(two_patrols())
        store.log_export(preset="trio", first_day=D(2024, 1, 1), last_day=D(2024, 1, 31), compare_first=None,
                         compare_last=None, k=5, format="csv", file="sb.csv", sha256="0ff")
    assert store.change_token() != token


def test_a_draft_needs_its_columns(store):
    with pytest.raises(ValueError, match=r"areas: a draft needs the columns area_id, name, valid_from; missing \['name'\]"):
        store.add_area_draft(area_versions([area("x", square())]).drop(columns="name"), source="test")


# --- transactions -----------------------------------------------------------------------------------


def test_transaction_that_raises_leaves_the_store_untouched(store, pg_url):
    store.add_area_versions(area_versions([area("a", square(), valid_from=D(2024, 1, 1))]))
    before = store.counts()
    token = store.change_token()
    with pytest.raises(RuntimeError, match="boom"), store.transaction():
        store.add_area_versions(area_versions([area("a", square(X + 5), valid_from=D(2024, 6, 1))]))
        store.add_patrols(two_patrols())
        store.add_track_points(points())
        store.add_encounters(two_encounters())
        raise RuntimeError("boom")
    assert store.counts() == before
    assert store.areas()[VALID_TO].tolist() == [None]
    assert len(store.query(f"SELECT * FROM {T_AREA_CHANGES}")) == 1
    assert store.change_token() == token
    store.close()
    assert open_store(pg_url).counts() == before  # seen from a new connection too


def test_transaction_commits_everything_and_changes_the_token(store, pg_url):
    token = store.change_token()
    with store.transaction():
        store.add_patrols(two_patrols())
        store.add_track_points(points())
    assert store.change_token() != token
    counts = open_store(pg_url).counts()
    assert (counts[T_PATROLS], counts[T_TRACK_POINTS]) == (2, 26)


# --- area versions --------------------------------------------------------------------------------------


def test_new_area_version_closes_the_open_one_at_its_valid_from_and_logs_it(store):
    assert store.add_area_versions(area_versions([area("a", square(), valid_from=D(2023, 1, 1))])) == [("a", 1)]
    changed = store.add_area_versions(area_versions([area("a", square(X + 10), valid_from=D(2024, 3, 1))]))
    assert changed == [("a", 1), ("a", 2)]
    got = store.areas()
    assert got[[AREA_ID, AREA_VERSION, VALID_FROM, VALID_TO]].values.tolist() == [
        ["a", 1, D(2023, 1, 1), D(2024, 3, 1)],
        ["a", 2, D(2024, 3, 1), None],
    ]
    assert got.geometry.iloc[0].equals_exact(area_versions([area("a", square())]).geometry.iloc[0], 1e-12)
    log = store.area_changes()
    assert log[[AREA_ID, AREA_VERSION, "change", "detail"]].values.tolist() == [
        ["a", 1, "added", "valid 2023-01-01 to open"],
        ["a", 1, "closed", "valid_to set to 2024-03-01"],
        ["a", 2, "added", "valid 2024-03-01 to open"],
    ]
    assert str(log["time_utc"].dt.tz) == "UTC"


def test_identical_version_is_skipped(store):
    versions = area_versions([area("a", square(), valid_from=D(2023, 1, 1))])
    store.add_area_versions(versions)
    assert store.add_area_versions(versions) == []
    assert store.counts()[T_AREAS] == 1


@pytest.mark.parametrize("valid_from", [D(2024, 1, 1), D(2023, 6, 1)])
def test_version_overlapping_a_later_stored_version_is_refused(store, valid_from):
    store.add_area_versions(area_versions([area("a", square(), valid_from=D(2024, 1, 1))]))
    with pytest.raises(
        AreaVersionConflict,
        match=rf"area 'a': a version valid from 2024-01-01 is already stored, and the new version "
              rf"\({valid_from} to open\) would overlap it; give the new version a valid_to on or before 2024-01-01",
    ):
        store.add_area_versions(area_versions([area("a", square(X + 10), valid_from=valid_from)]))
    assert store.counts()[T_AREAS] == 1
    assert store.areas()[VALID_TO].tolist() == [None]


def test_refused_batch_of_area_versions_writes_none_of_them(store):
    store.add_area_versions(area_versions([area("a", square(), valid_from=D(2024, 1, 1))]))
    batch = area_versions([area("b", square(X + 500), valid_from=D(2024, 1, 1)),
                           area("a", square(X + 10), valid_from=D(2023, 1, 1))])
    with pytest.raises(AreaVersionConflict):
        store.add_area_versions(batch)
    assert store.areas()[AREA_ID].tolist() == ["a"]


def test_earlier_version_that_ends_before_the_stored_one_is_accepted(store):
    store.add_area_versions(area_versions([area("a", square(), valid_from=D(2024, 1, 1))]))
    store.add_area_versions(area_versions([area("a", square(X + 10), valid_from=D(2022, 1, 1), valid_to=D(2023, 1, 1))]))
    got = store.areas().sort_values(VALID_FROM)
    assert got[[VALID_FROM, VALID_TO]].values.tolist() == [[D(2022, 1, 1), D(2023, 1, 1)], [D(2024, 1, 1), None]]


# --- derived tables -----------------------------------------------------------------------------------


def test_derived_tables_are_filled_and_replaced_per_patrol(store):
    fill(store, areas=area_versions([area("sq", square())]), patrol_rows=two_patrols(), pts=points(),
         encounter_rows=two_encounters())
    pa = store.derived(T_PRESENCE_AREA).groupby(PATROL_ID)[SECONDS].sum()
    assert_allclose(pa.loc[["fri", "sat"]].to_numpy(), [240.0, 100.0], atol=1e-6)
    pt = store.derived(T_PRESENCE_TOTAL).groupby(PATROL_ID)[SECONDS].sum()
    assert_allclose(pt.loc[["fri", "sat"]].to_numpy(), [240.0, 200.0], atol=1e-6)
    assert len(store.derived(T_VISITS_AREA)) == 2
    assert store.derived(T_PRESENCE_CELL, patrol_ids=["fri"])[SECONDS].sum() == pytest.approx(240.0)
    assert len(store.derived(T_VISITS_CELL)) >= 2
    assert store.derived(T_ENCOUNTER_AREAS)[[ENCOUNTER_ID, AREA_ID]].values.tolist() == [["e1", "sq"]]
    store.replace_derived(T_PRESENCE_TOTAL, store.derived(T_PRESENCE_TOTAL).iloc[:0], patrol_ids=["fri"])
    assert set(store.derived(T_PRESENCE_TOTAL)[PATROL_ID]) == {"sat"}


@pytest.mark.parametrize("method", ["derived", "replace_derived"])
def test_unknown_derived_table_is_refused(store, method):
    args = ("patrols",) if method == "derived" else ("patrols", pd.DataFrame())
    with pytest.raises(ValueError, match=r"table must be one of presence_area, .*; got 'patrols'"):
        getattr(store, method)(*args)


def test_refresh_areas_after_a_new_version_reassigns_presence_by_local_date(store):
    rows = patrols(("fri", pd.Timestamp("2024-06-07 21:50:30", tz="UTC"), pd.Timestamp("2024-06-07 22:10:30", tz="UTC")))
    pts = standing("fri", pd.Timestamp("2024-06-07 21:50:30", tz="UTC"), (X + 50, Y + 50), n=21, interval_s=60)
    fill(store, areas=area_versions([area("sq", square(), valid_from=D(2024, 1, 1))]), patrol_rows=rows, pts=pts)
    assert store.derived(T_PRESENCE_AREA)[SECONDS].sum() == pytest.approx(1200.0)
    with store.transaction():
        changed = store.add_area_versions(area_versions([area("sq", square(X + 1000), valid_from=D(2024, 6, 8))]))
        refresh.refresh_areas(store, sorted({a for a, _ in changed}))
    assert store.derived(T_PRESENCE_AREA)[SECONDS].sum() == pytest.approx(600.0)  # Oslo Saturday is outside v2


# --- SQL dialect ----------------------------------------------------------------------------------------


def test_query_translates_placeholders_and_keeps_literals_and_modulo(store):
    store.add_patrols(two_patrols())
    got = store.query("SELECT patrol_id, staff % 2 AS odd, '?' AS q FROM patrols WHERE service_day >= ? "
                      "AND team = ? ORDER BY patrol_id", ("2024-06-07", two_patrols()["team"].iloc[0]))
    assert got.values.tolist() == [["fri", 0, "?"], ["sat", 1, "?"]]
    named = store.query("SELECT COUNT(*) AS n FROM patrols WHERE patrol_id = :pid", {"pid": "sat"})
    assert named["n"].iloc[0] == 1


def test_query_returns_dates_and_times_as_the_geopackage_store_does(store, tmp_path):
    gpkg = open_store(tmp_path / "s.gpkg")
    for s in (store, gpkg):
        s.add_patrols(two_patrols())
    sql = "SELECT MIN(service_day) AS lo, MAX(start_utc) AS t, SUM(staff) AS staff FROM patrols"
    assert store.query(sql).values.tolist() == gpkg.query(sql).values.tolist()


# --- the same numbers on both backends ------------------------------------------------------------------


@pytest.fixture(scope="module")
def both_backends(tmp_path_factory, cluster):
    """The same two-week demo in a GeoPackage and in PostGIS (copied through the Store interface)."""
    from geo.demo.store import build_demo_store
    from geo.store.transfer import copy_store

    path = tmp_path_factory.mktemp("equiv") / "demo.gpkg"
    build_demo_store(path, start=D(2024, 10, 7), end=D(2024, 10, 20))
    gpkg = open_store(path, create=False)
    pg = open_store(cluster.create_database("equivalence"))
    copy_store(gpkg, pg)
    return gpkg, pg


def _same_frames(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for col in a.columns:
        if pd.api.types.is_float_dtype(a[col]) or pd.api.types.is_float_dtype(b[col]):
            assert_allclose(a[col].to_numpy(np.float64), b[col].to_numpy(np.float64), rtol=1e-9, atol=1e-9,
                            err_msg=col)
        else:
            assert a[col].astype(str).tolist() == b[col].astype(str).tolist(), col


def test_copied_store_has_the_same_rows(both_backends):
    gpkg, pg = both_backends
    assert gpkg.counts() == pg.counts()
    assert gpkg.counts()[T_TRACK_POINTS] > 10_000


@pytest.mark.parametrize("by", ["area", "cell", "week", "area,week"])
def test_summaries_are_identical_on_both_backends(both_backends, by):
    from geo.queries import Filters
    from geo.queries.summary import summarize

    gpkg, pg = both_backends
    for filters in (Filters(), Filters(first_day=D(2024, 10, 9), last_day=D(2024, 10, 15))):
        _same_frames(summarize(gpkg, by, filters), summarize(pg, by, filters))


def test_key_figures_are_identical_on_both_backends(both_backends):
    from geo.queries import Filters, key_figures

    gpkg, pg = both_backends
    for filters in (Filters(first_day=D(2024, 10, 7), last_day=D(2024, 10, 20)),
                    Filters(first_day=D(2024, 10, 7), last_day=D(2024, 10, 13), weekdays=(4, 5),
                            hour_from=20, hour_to=4)):
        a, b = key_figures(gpkg, filters), key_figures(pg, filters)
        assert a.keys() == b.keys()
        assert_allclose([a[k] for k in a], [b[k] for k in a], rtol=1e-9, atol=1e-9)


def test_emerging_hotspots_are_identical_on_both_backends(both_backends):
    from geo.hotspots import emerging_hotspots

    gpkg, pg = both_backends
    a = emerging_hotspots(gpkg, period="month")
    b = emerging_hotspots(pg, period="month")
    _same_frames(a.reset_index(drop=True), b.reset_index(drop=True))


def _same(a, b) -> None:
    """Equal results of any query: frames, dicts of numbers, or tuples of those."""
    if isinstance(a, pd.DataFrame):
        a, b = a.reset_index(drop=True), b.reset_index(drop=True)
        if "geometry" in a.columns:
            assert a.geometry.geom_equals_exact(b.geometry, tolerance=1e-12).all()
            a, b = pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry"))
        _same_frames(a, b)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            _same(a[key], b[key])
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, (float, np.floating)):
        assert_allclose(a, b, rtol=1e-9, atol=1e-9)
    else:
        assert a == b


DASHBOARD_QUERIES = [
    ("presence_by_area", {}), ("presence_by_cell", {"res": 10}), ("encounters_by_cell", {"res": 9}),
    ("encounter_points", {}), ("areas_not_visited", {"days": 3}), ("area_geometries", {}),
    ("encounter_trend", {"period": "week"}), ("time_of_week", {}), ("effort_vs_need", {"by": "area"}),
    ("effort_vs_need", {"by": "cell", "res": 10}), ("teams", None), ("patrol_kinds", None),
]


@pytest.mark.parametrize(("name", "kwargs"), DASHBOARD_QUERIES, ids=[f"{n}{sorted((k or {}).items())}"
                                                                     for n, k in DASHBOARD_QUERIES])
def test_dashboard_queries_are_identical_on_both_backends(both_backends, name, kwargs):
    from geo import queries
    from geo.queries import Filters

    gpkg, pg = both_backends
    function = getattr(queries, name)
    if kwargs is None:
        _same(function(gpkg), function(pg))
        return
    for filters in (Filters(first_day=D(2024, 10, 7), last_day=D(2024, 10, 20)),
                    Filters(first_day=D(2024, 10, 9), last_day=D(2024, 10, 20), weekdays=(4, 5), hour_from=22,
                            hour_to=3, shifts=("night", "evening"))):
        _same(function(gpkg, filters, **kwargs), function(pg, filters, **kwargs))


def test_area_history_drift_and_report_are_identical_on_both_backends(both_backends):
    from geo.changes import drift, history
    from geo.queries import Filters
    from geo.report.content import build_report
    from geo.report.presets import load_presets

    gpkg, pg = both_backends
    _same(history.area_timeline(gpkg).drop(columns=["added_utc", "changed_by"]),
          history.area_timeline(pg).drop(columns=["added_utc", "changed_by"]))
    everything = Filters()
    _same(drift.ring_shares(gpkg, everything, period="month"), drift.ring_shares(pg, everything, period="month"))
    _same(drift.encounter_drift(gpkg, everything, period="month"), drift.encounter_drift(pg, everything, period="month"))
    for period in ("week", "month", "year"):
        _same(drift.presence_drift(gpkg, everything, period=period), drift.presence_drift(pg, everything, period=period))
    book = load_presets()
    for key in book.presets:
        a = build_report(gpkg, book.get(key), first_day=D(2024, 10, 14), last_day=D(2024, 10, 20),
                         compare_first=D(2024, 10, 7), compare_last=D(2024, 10, 13), book=book)
        b = build_report(pg, book.get(key), first_day=D(2024, 10, 14), last_day=D(2024, 10, 20),
                         compare_first=D(2024, 10, 7), compare_last=D(2024, 10, 13), book=book)
        assert a.tables.keys() == b.tables.keys()
        for table in a.tables:
            pd.testing.assert_frame_equal(a.tables[table], b.tables[table], obj=f"{key}: {table}")


def test_replacing_derived_rows_of_no_areas_or_patrols_deletes_nothing(store):
    fill(store, areas=area_versions([area("sq", square())]), patrol_rows=two_patrols(), pts=points(),
         encounter_rows=two_encounters())
    before = store.counts()
    store.replace_derived(T_PRESENCE_AREA, store.derived(T_PRESENCE_AREA).iloc[:0], area_ids=[])
    store.replace_derived(T_VISITS_CELL, store.derived(T_VISITS_CELL).iloc[:0], patrol_ids=[])
    assert store.counts() == before


def test_dashboard_keeps_a_postgis_url_as_text_and_accepts_it(monkeypatch):
    from ui.state import default_store, store_available

    url = "postgresql://feltkart@db.example:5432/feltkart"
    monkeypatch.setenv("FELTKART_STORE", url)
    assert default_store() == url  # a Path would fold "//" into "/"
    assert store_available(url)
    assert not store_available("/no/such/store.gpkg")


def test_cli_demo_into_a_postgis_url_equals_the_geopackage_demo(pg_url, tmp_path, capsys):
    from geo.cli import main as cli_main

    first, last = "2024-10-14", "2024-10-20"
    assert cli_main(["demo", "--store", pg_url, "--start", first, "--end", last]) == 0
    assert "demo store postgresql://" in capsys.readouterr().out
    local = tmp_path / "demo.gpkg"
    assert cli_main(["demo", "--store", str(local), "--start", first, "--end", last]) == 0
    pg, gpkg = open_store(pg_url, create=False), open_store(local, create=False)
    for key in ("field_areas", "patrols", "track_points", "encounters"):
        assert pg.counts()[key] == gpkg.counts()[key] > 0, key
    capsys.readouterr()
    outputs = []
    for location in (pg_url, str(local)):
        assert cli_main(["summary", "--store", location, "--from", first, "--to", last, "--by", "area"]) == 0
        outputs.append(pd.read_csv(io.StringIO(capsys.readouterr().out)))
    pd.testing.assert_frame_equal(outputs[0], outputs[1], check_exact=False, rtol=1e-9)


# --- partitions and retention ------------------------------------------------------------------


def test_track_points_go_into_monthly_partitions_and_retention_drops_whole_months(store):
    from tests.test_store_gpkg import assert_retention, fill_for_retention

    fill_for_retention(store)
    names = [name for name, _, _ in store._month_partitions()]
    assert names == ["track_points_202405", "track_points_202406", "track_points_202407"]
    in_may = store.query("SELECT COUNT(*) AS n FROM track_points_202405")["n"].iloc[0]
    assert in_may == 9  # 22:30..23:50 UTC on 31 May
    assert_retention(store)  # cut 2024-06-20 11:00 UTC: May dropped whole, the expired patrols' June rows deleted
    assert [name for name, _, _ in store._month_partitions()] == ["track_points_202406", "track_points_202407"]
    assert store.query("SELECT COUNT(*) AS n FROM track_points_202406")["n"].iloc[0] == 0


def test_partitions_are_created_only_for_months_with_points(store):
    with store.transaction():
        store.add_patrols(patrols(("a", pd.Timestamp("2024-01-31 23:00", tz="UTC"),
                                   pd.Timestamp("2024-03-01 01:00", tz="UTC"))))
        store.add_track_points(pd.DataFrame({
            PATROL_ID: "a", TIME_UTC: pd.to_datetime(["2024-01-31 23:59:59.999", "2024-03-01 00:00:00.000"], utc=True),
            LON: 10.75, LAT: 59.91}))
    assert [name for name, _, _ in store._month_partitions()] == ["track_points_202401", "track_points_202403"]
    with store.transaction():  # the same points again: nothing added, no new partition
        assert store.add_track_points(pd.DataFrame({
            PATROL_ID: "a", TIME_UTC: pd.to_datetime(["2024-01-31 23:59:59.999"], utc=True),
            LON: 10.75, LAT: 59.91})) == 0
    assert store.counts()[T_TRACK_POINTS] == 2


# --- indoor areas: the checks of tests/test_store_gpkg.py ------------------------------------------


def test_indoor_is_stored_and_inherited_by_new_versions(store):
    check_indoor_round_trip_and_inheritance(store)


def test_indoor_flag_of_a_stored_version_is_not_changed_silently(store):
    check_indoor_flag_of_a_stored_version_is_not_changed_silently(store)


def test_a_store_made_before_the_indoor_column_reads_as_not_indoor(store, pg_url):
    def drop(opened):
        opened._conn.execute(f"ALTER TABLE {T_AREAS} DROP COLUMN indoor")

    def reopen(opened):
        return open_store(pg_url)

    check_store_without_indoor_column(store, drop, reopen)


def test_refresh_areas_adds_the_stays_of_a_new_indoor_area(store):
    check_refresh_areas_adds_the_stays_of_a_new_indoor_area(
        store, lambda s, patrol_rows, pts: fill(s, patrol_rows=patrol_rows, pts=pts))


def test_a_changed_street_area_keeps_its_share_of_indoor_stays(store):
    check_a_changed_street_area_keeps_its_share_of_indoor_stays(
        store, lambda s, patrol_rows, pts: fill(s, patrol_rows=patrol_rows, pts=pts))
