"""Staff-track retention (geo.retention) on both backends: raw points older than the cutoff go,
whole patrols at a time; every figure stays; a field-area change afterwards keeps the old
patrols' aggregates as they were and says so (frozen).

The store holds field area ``a`` (100 m × 100 m at BASE, EPSG:25832) and three patrols that each
walk 200 m straight through it, west to east along y = Y + 50, 10 m every 10 s (21 fixes,
20 segments of 10 m and 10 s), so each has 100 s and 100 m inside ``a`` and 200 s in all:

- ``old``: Tuesday 2024-03-05 10:00 local;
- ``straddle``: Sunday 2024-04-21 11:59 local (09:59 UTC), running at the cutoff;
- ``new``: Monday 2024-06-10 10:00 local.

"Now" is 2024-06-20 12:00 local (10:00 UTC); 60 days → cutoff 2024-04-21 10:00 UTC.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from geo.engine import refresh
from geo.retention import (
    COMPUTED,
    FROZEN,
    MIXED,
    RetentionConfig,
    RetentionConfigError,
    aggregate_status,
    apply_after_import,
    apply_retention,
    cutoff_for,
    load_config,
    period_status,
)
from geo.queries import Filters
from geo.queries.summary import summarize
from geo.schema import (
    AREA_ID,
    AREA_VERSION,
    DERIVED_TABLES,
    PATROL_KEYED_TABLES,
    PATROL_ID,
    SECONDS,
    T_PRESENCE_AREA,
    T_PRESENCE_CELL,
    T_TRACK_POINTS,
    TIME_UTC,
)
from geo.store import open_store
from tests.builders import BASE, area, area_versions, oslo, patrols, square, straight_walk
from tests.test_queries_rollups import assert_same as assert_rollups_exact
from tests.test_store_postgis import cluster, pg_url  # noqa: F401  (fixtures: a fresh PostGIS database)

X, Y = BASE
D = dt.date
NOW = oslo("2024-06-20 12:00")
CUTOFF = pd.Timestamp("2024-04-21 10:00", tz="UTC")
STARTS = {"old": oslo("2024-03-05 10:00"), "straddle": oslo("2024-04-21 11:59"), "new": oslo("2024-06-10 10:00")}
PERIOD = Filters(first_day=D(2024, 3, 1), last_day=D(2024, 6, 30))


def walk(patrol_id: str):
    return straight_walk(patrol_id, STARTS[patrol_id], frm=(X - 50, Y + 50), to=(X + 150, Y + 50), step_m=10,
                         interval_s=10)


def filled(opened):
    """``opened`` with area ``a`` and the three patrols, aggregated as the importer does."""
    rows = patrols(*[(pid, start, start + pd.Timedelta(minutes=10)) for pid, start in STARTS.items()])
    with opened.transaction():
        opened.add_area_versions(area_versions([area("a", square())]))
        opened.add_patrols(rows)
        opened.add_track_points(pd.concat([walk(pid) for pid in STARTS], ignore_index=True))
        refresh.refresh_patrols(opened, resolutions=(10,))
        refresh.refresh_encounter_areas(opened)
    return opened


@pytest.fixture(params=["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)])
def store(request, tmp_path):
    opened = filled(open_store(tmp_path / "s.gpkg" if request.param == "gpkg" else request.getfixturevalue("pg_url")))
    yield opened
    opened.close()


def figures(store) -> dict[str, pd.DataFrame]:
    """Every summary the CLI prints, plus every derived table: what must not change."""
    shown = {by: summarize(store, by, PERIOD) for by in ("area", "area,week", "cell", "week")}
    derived = {table: store.derived(table).sort_values(list(store.derived(table).columns)).reset_index(drop=True)
               for table in DERIVED_TABLES}
    return {**shown, **derived}


def assert_same(before: dict, after: dict) -> None:
    assert before.keys() == after.keys()
    for key in before:
        pd.testing.assert_frame_equal(before[key], after[key], obj=key)


def raw_times(store) -> pd.Series:
    batches = list(store.iter_track_points())
    return pd.concat(batches)[TIME_UTC] if batches else pd.Series([], dtype="datetime64[ns, UTC]")


# --- the run ------------------------------------------------------------------------------------------


def test_cutoff_is_now_minus_the_days_in_utc():
    assert cutoff_for(60, now=NOW) == CUTOFF
    with pytest.raises(ValueError, match=r"days must be a whole number of days, at least 1; got 0"):
        cutoff_for(0, now=NOW)
    with pytest.raises(ValueError, match=r"now must be time zone-aware"):
        cutoff_for(60, now=dt.datetime(2024, 6, 20))


def test_hand_computed_figures_of_the_store(store):
    by_area = summarize(store, "area", PERIOD).set_index("area_id")
    assert by_area.loc["a", "presence_minutes"] == pytest.approx(3 * 100 / 60)
    assert by_area.loc["a", "presence_km"] == pytest.approx(0.3)
    assert by_area.loc["a", "visits"] == 3


def test_retention_deletes_whole_patrols_before_the_cutoff_and_keeps_every_figure(store):
    before = figures(store)
    run = apply_retention(store, days=60, now=NOW, actor="sub-admin")
    assert (run.points, run.patrols) == (42, 2)  # old and straddle, 21 fixes each
    assert run.cutoff_utc == CUTOFF
    assert run.first_utc == pd.Timestamp("2024-03-05 09:00", tz="UTC")
    assert run.last_utc == pd.Timestamp("2024-04-21 10:02:20", tz="UTC")  # straddle's last fix, after the cutoff
    assert not run.dry_run
    assert_same(before, figures(store))
    times = raw_times(store)
    assert len(times) == 21 and times.min() >= CUTOFF  # no raw point older than the cutoff is left
    assert store.counts()[T_TRACK_POINTS] == 21
    assert store.patrols_with_raw_points() == ["new"]
    removed = store.removed_raw_patrols().set_index(PATROL_ID)
    assert removed["points"].to_dict() == {"old": 21, "straddle": 21}
    assert removed.loc["straddle", "last_utc"] == pd.Timestamp("2024-04-21 10:02:20", tz="UTC")
    log = store.audit_log()
    entry = log[log["action"] == "retention"].iloc[-1]
    assert entry["actor"] == "sub-admin"
    assert (entry["detail"]["points"], entry["detail"]["patrols"], entry["detail"]["days"]) == (42, 2, 60)


def test_retention_is_idempotent(store):
    apply_retention(store, days=60, now=NOW)
    after_first = figures(store)
    removed = store.removed_raw_patrols()
    again = apply_retention(store, days=60, now=NOW)
    assert (again.points, again.patrols) == (0, 0)
    assert_same(after_first, figures(store))
    pd.testing.assert_frame_equal(store.removed_raw_patrols(), removed)
    assert (store.audit_log()["action"] == "retention").sum() == 1  # a run that deletes nothing logs nothing


def test_dry_run_says_what_would_go_and_changes_nothing(store):
    before = figures(store)
    token, audit = store.change_token(), len(store.audit_log())
    files = sorted(Path(store.path.parent).glob("s.gpkg*")) if hasattr(store, "path") else []
    raw = {f: f.read_bytes() for f in files}
    run = apply_retention(store, days=60, now=NOW, dry_run=True)
    assert (run.points, run.patrols, run.dry_run) == (42, 2, True)
    assert "would delete 42 raw track points of 2 patrols" in run.lines()[1]
    assert_same(before, figures(store))
    assert len(raw_times(store)) == 63
    assert (store.change_token(), len(store.audit_log())) == (token, audit)
    assert {f: f.read_bytes() for f in files} == raw
    assert store.removed_raw_patrols().empty


def test_more_days_keep_more(store):
    run = apply_retention(store, days=120, now=NOW)  # cutoff 2024-02-21: nothing older
    assert (run.points, run.patrols) == (0, 0)
    run = apply_retention(store, days=100, now=NOW)  # cutoff 2024-03-12 10:00 UTC: only old
    assert (run.points, run.patrols) == (21, 1)


def test_patrol_without_aggregates_is_aggregated_before_its_points_go(store):
    with store.transaction():
        for table in PATROL_KEYED_TABLES:  # as if the points had been written without the importer
            store.replace_derived(table, pd.DataFrame(), patrol_ids=["old"])
    apply_retention(store, days=60, now=NOW)
    presence = store.derived(T_PRESENCE_AREA, patrol_ids=["old"])
    assert presence[SECONDS].sum() == pytest.approx(100.0)


# --- an area change after retention ----------------------------------------------------------------------


def change_area(store, geometry, valid_from: dt.date, area_id: str = "a") -> None:
    with store.transaction():
        changed = store.add_area_versions(area_versions([area(area_id, geometry, valid_from=valid_from)]))
        refresh.refresh_areas(store, sorted({a for a, _ in changed}))


SMALLER = square(X, Y + 20, side=50)
"""The new shape of ``a``: the walk (y = Y + 50) is inside it for x in [X, X + 50]: 5 segments, 50 s."""


def area_seconds(store) -> pd.Series:
    presence = store.derived(T_PRESENCE_AREA)
    return presence.groupby([PATROL_ID, AREA_ID, AREA_VERSION])[SECONDS].sum()


def test_a_change_back_dated_before_retention_freezes_the_old_patrols(store):
    apply_retention(store, days=60, now=NOW)
    before = area_seconds(store)
    change_area(store, SMALLER, D(2024, 1, 1))
    after = area_seconds(store)
    # raw points gone: kept as computed with version 1
    assert after[("old", "a", 1)] == before[("old", "a", 1)] == pytest.approx(100.0)
    assert after[("straddle", "a", 1)] == pytest.approx(100.0)
    # raw points kept: recomputed with version 2
    assert ("new", "a", 1) not in after and after[("new", "a", 2)] == pytest.approx(50.0)
    frozen = store.frozen_area_aggregates()
    assert sorted(zip(frozen[PATROL_ID], frozen[AREA_ID])) == [("old", "a"), ("straddle", "a")]
    status = aggregate_status(store).set_index("service_day")
    assert status["status"].to_dict() == {D(2024, 3, 5): FROZEN, D(2024, 4, 21): FROZEN, D(2024, 6, 10): COMPUTED}
    assert status.loc[D(2024, 3, 5), "frozen_areas"] == ("a",)
    assert status["raw_patrols"].to_dict() == {D(2024, 3, 5): 0, D(2024, 4, 21): 0, D(2024, 6, 10): 1}
    months = period_status(store, "month", D(2024, 3, 1), D(2024, 6, 30)).set_index("period")
    assert months["status"].to_dict() == {"2024-03": FROZEN, "2024-04": FROZEN, "2024-05": COMPUTED,
                                          "2024-06": COMPUTED}
    quarter = period_status(store, "quarter", D(2024, 4, 1), D(2024, 6, 30)).set_index("period")
    assert quarter.loc["2024-Q2", ["status", "days", "frozen_days"]].tolist() == [MIXED, 2, 1]
    # the figure for March stays what it was
    march = summarize(store, "area", Filters(first_day=D(2024, 3, 1), last_day=D(2024, 3, 31))).set_index("area_id")
    assert march.loc["a", "presence_minutes"] == pytest.approx(100 / 60, abs=1e-3)  # summaries round to 3 decimals


def test_a_change_from_a_later_day_leaves_old_patrols_computed(store):
    apply_retention(store, days=60, now=NOW)
    change_area(store, SMALLER, D(2024, 6, 1))
    after = area_seconds(store)
    assert after[("old", "a", 1)] == pytest.approx(100.0)
    assert after[("new", "a", 2)] == pytest.approx(50.0)
    assert store.frozen_area_aggregates().empty
    assert set(aggregate_status(store)["status"]) == {COMPUTED}


def test_a_new_area_back_dated_before_retention_freezes_the_old_patrols_for_it(store):
    apply_retention(store, days=60, now=NOW)
    change_area(store, SMALLER, D(2024, 1, 1), area_id="b")
    after = area_seconds(store)
    assert ("old", "b", 1) not in after  # cannot be computed without raw points
    assert after[("new", "b", 1)] == pytest.approx(50.0)
    frozen = store.frozen_area_aggregates()
    assert sorted(zip(frozen[PATROL_ID], frozen[AREA_ID])) == [("old", "b"), ("straddle", "b")]


def test_an_area_change_before_retention_freezes_nothing(store):
    change_area(store, SMALLER, D(2024, 1, 1))
    apply_retention(store, days=60, now=NOW)
    assert store.frozen_area_aggregates().empty
    assert area_seconds(store)[("old", "a", 2)] == pytest.approx(50.0)  # recomputed while the points were there


@pytest.mark.parametrize("since", [False, True], ids=["all-patrols", "since"])
@pytest.mark.parametrize("valid_from, frozen", [
    (D(2024, 1, 1), [("old", "a"), ("straddle", "a")]),
    (D(2024, 4, 1), [("straddle", "a")]),  # old (5 March) has no presence from 1 April: not concerned
    (D(2024, 6, 1), []),
])
def test_an_import_recomputing_only_from_the_first_day_freezes_what_a_full_recompute_freezes(
        store, since, valid_from, frozen):
    apply_retention(store, days=60, now=NOW)
    with store.transaction():
        changed = store.add_area_versions(area_versions([area("a", SMALLER, valid_from=valid_from)]))
        refresh.refresh_areas(store, sorted({a for a, _ in changed}), since=valid_from if since else None)
    marks = store.frozen_area_aggregates()
    assert sorted(zip(marks[PATROL_ID], marks[AREA_ID])) == frozen
    after = area_seconds(store)
    assert after[("old", "a", 1)] == pytest.approx(100.0)  # no raw points: kept as computed
    assert ("new", "a", 1) not in after and after[("new", "a", 2)] == pytest.approx(50.0)
    assert_rollups_exact(store, PERIOD)


def test_rollups_stay_exact_after_retention_and_an_indoor_recompute(store):
    cells_before = store.derived(T_PRESENCE_CELL)
    apply_retention(store, days=60, now=NOW)
    assert_rollups_exact(store, PERIOD)
    garage = area_versions([area("g", square(X + 60, Y + 30, 40), valid_from=D(2024, 1, 1))]).assign(indoor=True)
    with store.transaction():
        changed = store.add_area_versions(garage)
        refresh.refresh_areas(store, sorted({a for a, _ in changed}), since=D(2024, 1, 1))  # indoor: every patrol
    assert_rollups_exact(store, PERIOD)
    cells = store.derived(T_PRESENCE_CELL)
    kept = ["old", "straddle"]  # no raw points: their cell rows stay as they were
    pd.testing.assert_frame_equal(
        cells[cells[PATROL_ID].isin(kept)].sort_values(list(cells.columns), ignore_index=True),
        cells_before[cells_before[PATROL_ID].isin(kept)].sort_values(list(cells.columns), ignore_index=True))
    assert area_seconds(store)[("new", "g", 1)] > 0


@pytest.mark.postgis
def test_a_store_copied_after_retention_keeps_its_frozen_marks_and_freezes_on_a_later_change(tmp_path, pg_url):
    from geo.store.transfer import copy_store

    source = filled(open_store(tmp_path / "s.gpkg"))
    apply_retention(source, days=60, now=NOW)
    change_area(source, SMALLER, D(2024, 1, 1))  # freezes old and straddle for a
    target = open_store(pg_url)
    copy_store(source, target)
    frozen = target.frozen_area_aggregates()
    assert sorted(zip(frozen[PATROL_ID], frozen[AREA_ID])) == [("old", "a"), ("straddle", "a")]
    assert target.removed_raw_patrols().empty  # the log stays with the source file
    change_area(target, square(X, Y, 60), D(2024, 1, 1), area_id="b")  # a new area, back-dated
    frozen = target.frozen_area_aggregates()
    assert sorted(zip(frozen[PATROL_ID], frozen[AREA_ID])) == [("old", "a"), ("old", "b"), ("straddle", "a"),
                                                               ("straddle", "b")]
    assert aggregate_status(target).set_index("service_day")["status"].to_dict() == {
        D(2024, 3, 5): FROZEN, D(2024, 4, 21): FROZEN, D(2024, 6, 10): COMPUTED}


# --- the policy ----------------------------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "retention.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_config_defaults_and_the_shipped_file(tmp_path):
    assert load_config(tmp_path / "missing.toml") == RetentionConfig(days=60, after_import=True)
    assert load_config() == RetentionConfig(days=60, after_import=True)  # config/retention.toml
    assert load_config(write(tmp_path, "[retention]\ndays = 30\nafter_import = false\n")) == RetentionConfig(30, False)


@pytest.mark.parametrize(("text", "message"), [
    ("[retention]\ndays = 'sixty'\n", r"retention\.days must be a whole number of days, at least 1; got 'sixty'"),
    ("[retention]\ndays = 0\n", r"retention\.days must be a whole number of days, at least 1; got 0"),
    ("[retention]\ndays = 1.5\n", r"retention\.days must be a whole number of days, at least 1; got 1\.5"),
    ("[retention]\ndayz = 30\n", r"unknown key retention\.dayz; the keys are retention\.days and retention\.after_import"),
    ("[retention]\nafter_import = 'yes'\n", r"retention\.after_import must be true or false; got 'yes'"),
    ("retention = 60\n", r"retention must be a table \(\[retention\]\); got int"),
    ("[retension]\ndays = 30\n", r"unknown table or key retension; only \[retention\] is read"),
    ("[retention\n", r"not valid TOML"),
])
def test_config_mistakes_name_the_key(tmp_path, text, message):
    with pytest.raises(RetentionConfigError, match=message):
        load_config(write(tmp_path, text))


def test_after_import_follows_the_policy(store):
    assert apply_after_import(store, config=RetentionConfig(days=60, after_import=False)) is None
    assert len(raw_times(store)) == 63
    run = apply_after_import(store, config=RetentionConfig(days=365 * 100))
    assert run.points == 0  # 100 years: nothing is that old


def test_cli_retention_dry_run_then_run_on_a_geopackage(tmp_path, capsys):
    from geo.cli import main

    path = tmp_path / "s.gpkg"
    store = open_store(path)
    with store.transaction():
        store.add_area_versions(area_versions([area("a", square())]))
        store.add_patrols(patrols(("old", STARTS["old"], STARTS["old"] + pd.Timedelta(minutes=10))))
        store.add_track_points(walk("old"))
        refresh.refresh_patrols(store, resolutions=(10,))
    store.close()
    assert main(["retention", "--store", str(path), "--days", "60", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would delete 21 raw track points of 1 patrols (oldest 2024-03-05 09:00 UTC, newest 2024-03-05 09:03 UTC)" in out
    assert "bytes freed: about" in out
    assert main(["retention", "--store", str(path), "--days", "60"]) == 0
    out = capsys.readouterr().out
    assert "deleted 21 raw track points of 1 patrols" in out and "(measured after VACUUM)" in out
    reopened = open_store(path, create=False)
    assert reopened.counts()[T_TRACK_POINTS] == 0
    assert reopened.audit_log()["actor"].iloc[-1].startswith("cli")
    assert main(["retention", "--store", str(path), "--days", "0"]) == 2
    assert "days must be a whole number of days, at least 1; got 0" in capsys.readouterr().err
