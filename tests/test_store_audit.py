"""The audit log (geo.store.audit) on both backends: who did what when, written where the write
happens; opening a store never creates it; an actor set on one thread never leaks to another."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading

import pandas as pd
import pytest

from geo.io.importer import import_file
from geo.store import open_store
from geo.store.audit import ACTIONS, LOCAL_ADMIN, acting_as, current_actor
from tests.builders import area, area_versions, square
from tests.test_store_gpkg import two_patrols
from tests.test_store_postgis import cluster, pg_url  # noqa: F401  (fixtures: a fresh PostGIS database)

D = dt.date


@pytest.fixture(params=["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)])
def store(request, tmp_path):
    opened = open_store(tmp_path / "s.gpkg" if request.param == "gpkg" else request.getfixturevalue("pg_url"))
    yield opened
    opened.close()


def export(store, **kwargs) -> None:
    store.log_export(preset="salto", first_day=D(2024, 1, 1), last_day=D(2024, 4, 30), compare_first=None,
                     compare_last=None, k=5, format="pdf", file="sb.pdf", sha256="f00", **kwargs)


def actors(frame: pd.DataFrame) -> list:
    return [None if pd.isna(a) else a for a in frame["actor"]]


def test_an_entry_reads_back_with_time_actor_action_and_detail(store):
    before = pd.Timestamp.now(tz="UTC").floor("s")
    store.log_audit("sign_in", {"role": "manager", "teams": ["sentrum"]}, actor="sub-7")
    (entry,) = store.audit_log().to_dict("records")
    assert entry["actor"] == "sub-7" and entry["action"] == "sign_in"
    assert entry["detail"] == {"role": "manager", "teams": ["sentrum"]}
    assert before <= entry["time_utc"] <= pd.Timestamp.now(tz="UTC")


def test_an_unknown_action_is_refused(store):
    with pytest.raises(ValueError, match=rf"audit action must be one of {', '.join(ACTIONS)}; got 'login'"):
        store.log_audit("login", {})
    assert store.audit_log().empty


def test_exports_name_the_user_in_both_logs_and_keep_the_change_token(store):
    token = store.change_token()
    export(store, actor="sub-1")
    with acting_as("sub-2"):
        export(store)
    export(store)
    assert actors(store.exports()) == ["sub-1", "sub-2", None]
    log = store.audit_log()
    assert log["action"].tolist() == ["export"] * 3 and log["actor"].tolist() == ["sub-1", "sub-2", None]
    assert log["detail"].iloc[0] == {"preset": "salto", "first_day": "2024-01-01", "last_day": "2024-04-30",
                                     "compare_first": None, "compare_last": None, "k": 5, "format": "pdf",
                                     "file": "sb.pdf", "sha256": "f00"}
    assert store.change_token() == token


def test_imports_and_area_changes_are_attributed_to_the_acting_user(store, tmp_path):
    path = tmp_path / "omrader.geojson"
    versions = area_versions([area("oslo-s", square(), valid_from=D(2024, 1, 1))])
    versions[["area_id", "name", "valid_from", "geometry"]].assign(valid_from="2024-01-01").to_file(path, driver="GeoJSON")
    with acting_as("sub-9"):
        import_file(store, path)
    log = store.audit_log()
    assert log["action"].tolist() == ["area_change", "import"]
    assert set(log["actor"]) == {"sub-9"}
    assert log["detail"].iloc[0] == {"area_id": "oslo-s", "version": 1, "change": "added",
                                     "detail": "valid 2024-01-01 to open"}
    assert log["detail"].iloc[1]["file"] == "omrader.geojson" and log["detail"].iloc[1]["kind"] == "areas"
    assert store.area_changes()["changed_by"].tolist() == ["sub-9"]


def test_drafts_are_audited(store):
    draft = area_versions([area("ny", square(), valid_from=D(2024, 1, 1))])
    draft_id = store.add_area_draft(draft, source="effective", created_by="sub-3")
    (entry,) = store.audit_log().to_dict("records")
    assert (entry["action"], entry["actor"], entry["detail"]) == ("draft", "sub-3", {"draft_id": draft_id, "areas": 1,
                                                                                      "source": "effective"})


def test_an_actor_set_on_one_thread_never_reaches_another(store):
    barrier = threading.Barrier(2)

    def work(actor: str) -> None:
        with acting_as(actor):
            barrier.wait()
            for _ in range(5):
                store.log_audit("sign_in", {"me": actor})

    threads = [threading.Thread(target=work, args=(a,)) for a in ("sub-a", "sub-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log = store.audit_log()
    assert len(log) == 10
    assert all(row.actor == row.detail["me"] for row in log.itertuples())
    assert current_actor() is None and current_actor(LOCAL_ADMIN) == LOCAL_ADMIN


def test_opening_a_store_creates_no_log_table(store):
    store.add_patrols(two_patrols())
    assert store.audit_log().empty
    if store.dialect == "sqlite":
        tables = {r[0] for r in sqlite3.connect(store.path).execute("SELECT name FROM sqlite_master")}
    else:
        tables = set(store.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")["tablename"])
    assert "audit_log" not in tables


def test_an_export_log_from_before_the_actor_column_gains_it(tmp_path):
    path = tmp_path / "s.gpkg"
    open_store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("""CREATE TABLE export_log (fid INTEGER PRIMARY KEY AUTOINCREMENT, time_utc DATETIME NOT NULL,
      preset TEXT NOT NULL, first_day DATE NOT NULL, last_day DATE NOT NULL, compare_first DATE, compare_last DATE,
      k INTEGER NOT NULL, format TEXT NOT NULL, file TEXT NOT NULL, sha256 TEXT NOT NULL)""")
    conn.execute("INSERT INTO export_log VALUES (1, '2024-05-01T10:00:00.000Z', 'salto', '2024-01-01', '2024-04-30', "
                 "NULL, NULL, 5, 'pdf', 'old.pdf', 'abc')")
    conn.commit()
    conn.close()
    store = open_store(path, create=False)
    assert actors(store.exports()) == [None]  # read without writing
    export(store, actor="sub-1")
    assert store.exports()["file"].tolist() == ["old.pdf", "sb.pdf"]
    assert actors(store.exports()) == [None, "sub-1"]


def test_the_dashboard_logs_through_its_own_connection_to_a_configured_store(tmp_path, monkeypatch):
    from geo.store import StoreError
    from ui.audit import audit_table, log_event

    path = tmp_path / "s.gpkg"
    open_store(path).close()
    monkeypatch.setenv("FELTKART_STORE", str(path))
    log_event(str(path), "sign_in", {"role": "admin"})
    log_event(str(path), "sign_out", actor="sub-5")
    table = audit_table(str(path))
    assert table["action"].tolist() == ["sign_out", "sign_in"]  # newest first
    assert table["actor"].tolist() == ["sub-5", LOCAL_ADMIN]
    with pytest.raises(StoreError, match="is not configured"):
        log_event(str(tmp_path / "other.gpkg"), "sign_in")
