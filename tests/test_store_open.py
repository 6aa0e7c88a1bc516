"""Opening a store is safe: read-only opens never write, files that are not Feltkart stores are
refused untouched, a store busy with an import says so (never "not a GeoPackage"), and the
dashboard opens only configured stores."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
import tomllib
from pathlib import Path

import pytest

from geo.cli import main as cli_main
from geo.schema import T_PATROLS
from geo.store import StoreError, open_store
from geo.store.base import NotAFeltkartStore, StoreBusyError
from geo.store.config import configured_stores, default_location, same_location
from geo.store.gpkg import GpkgStore
from tests.builders import area, area_versions, make_store, square
from tests.test_store_gpkg import points, two_patrols

REPO = Path(__file__).resolve().parents[1]


def snapshot(path: Path) -> dict[str, bytes]:
    """The bytes of the file and of any SQLite side file (-wal, -shm, -journal) beside it."""
    return {p.name: p.read_bytes() for p in sorted(path.parent.glob(path.name + "*"))}


def foreign_sqlite(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE victims (name TEXT)")
    conn.execute("INSERT INTO victims VALUES ('keep me')")
    conn.commit()
    conn.close()
    return path


def foreign_geopackage(path: Path) -> Path:
    import geopandas as gpd
    from shapely.geometry import Point

    gpd.GeoDataFrame({"name": ["x"]}, geometry=[Point(10.75, 59.91)], crs="EPSG:4326").to_file(path, driver="GPKG")
    return path


# --- files that are not Feltkart stores ----------------------------------------------------------------


@pytest.mark.parametrize("create", [False, True])
def test_an_unknown_sqlite_file_is_refused_untouched(tmp_path, create):
    path = foreign_sqlite(tmp_path / "other.gpkg")
    before = snapshot(path)
    with pytest.raises(NotAFeltkartStore, match=r"other\.gpkg is an SQLite database but not a Feltkart store \(it has no "
                                                 r"field_areas, patrols, .* table\); it was left untouched"):
        open_store(path, create=create)
    assert snapshot(path) == before


def test_a_foreign_geopackage_is_refused_untouched(tmp_path):
    path = foreign_geopackage(tmp_path / "qgis.gpkg")
    before = snapshot(path)
    with pytest.raises(NotAFeltkartStore, match=r"qgis\.gpkg is a GeoPackage but not a Feltkart store"):
        open_store(path)
    assert snapshot(path) == before


def test_a_read_only_summary_on_an_unknown_file_changes_nothing(tmp_path, capsys):
    path = foreign_sqlite(tmp_path / "other.gpkg")
    before = snapshot(path)
    assert cli_main(["summary", "--store", str(path)]) == 2
    assert "is an SQLite database but not a Feltkart store" in capsys.readouterr().err
    assert snapshot(path) == before


def test_an_empty_file_is_refused_without_create_and_becomes_a_store_with_it(tmp_path):
    path = tmp_path / "empty.gpkg"
    path.touch()
    with pytest.raises(NotAFeltkartStore, match=r"empty\.gpkg is an empty file, not a Feltkart store"):
        open_store(path, create=False)
    assert path.stat().st_size == 0
    assert open_store(path).counts()[T_PATROLS] == 0


def test_a_folder_named_like_a_store_is_refused(tmp_path):
    (tmp_path / "dir.gpkg").mkdir()
    with pytest.raises(StoreError, match=r"dir\.gpkg is not a file: a store is one \.gpkg file"):
        open_store(tmp_path / "dir.gpkg")


# --- read-only opens never write -----------------------------------------------------------------------


def test_a_read_only_summary_leaves_a_store_byte_identical(tmp_path, capsys):
    store = make_store(tmp_path, areas=area_versions([area("a", square())]), patrol_rows=two_patrols(),
                       points=points())
    store.close()
    path = tmp_path / "store.gpkg"
    before = snapshot(path)
    assert cli_main(["summary", "--store", str(path), "--by", "area"]) == 0
    assert "a,a," in capsys.readouterr().out
    reader = open_store(path, create=False)
    reader.counts(), reader.areas(), reader.audit_log(), reader.exports(), reader.frozen_area_aggregates()
    reader.close()
    after = snapshot(path)
    assert after[path.name] == before[path.name]
    # readers of a store in WAL mode share its -shm index while open; they never add to the log
    assert after.get(path.name + "-wal", b"") == b""


def test_open_without_create_never_creates_tables(tmp_path):
    path = tmp_path / "s.gpkg"
    open_store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE presence_cell")  # an older store missing a derived table
    conn.commit()
    conn.close()
    before = snapshot(path)
    open_store(path, create=False).close()
    assert snapshot(path) == before
    tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "presence_cell" not in tables
    open_store(path).close()  # with create, the missing table is added
    tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "presence_cell" in tables


def test_the_first_write_switches_to_wal(tmp_path):
    path = tmp_path / "s.gpkg"
    GpkgStore(path, bulk_load=True).close()  # as the demo build leaves it: a rollback journal
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    reader = open_store(path, create=False)
    reader.counts()
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # reading wrote nothing
    reader.add_patrols(two_patrols())
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# --- busy with an import ------------------------------------------------------------------------------------


HOLD_THE_WRITE_LOCK = textwrap.dedent("""
    import sys, time
    from geo.store import open_store
    from tests.test_store_gpkg import two_patrols
    store = open_store(sys.argv[1])
    with store.transaction():
        store.add_patrols(two_patrols())
        print("writing", flush=True)
        time.sleep(60)
""")


@pytest.fixture
def busy_store(tmp_path):
    """A store another process is writing to (holding SQLite's write lock) until the test ends."""
    path = tmp_path / "s.gpkg"
    make_store(tmp_path, name="s.gpkg", areas=area_versions([area("a", square())])).close()
    writer = subprocess.Popen([sys.executable, "-c", HOLD_THE_WRITE_LOCK, str(path)], cwd=REPO,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "writing"
        yield path
    finally:
        writer.kill()
        writer.wait()


def test_a_second_writer_gets_busy_with_an_import_not_not_a_geopackage(busy_store):
    store = GpkgStore(busy_store, create=False, busy_timeout_s=0.3)
    began = time.perf_counter()
    with pytest.raises(StoreBusyError, match=r"the store s\.gpkg is busy with an import \(another process is writing "
                                             r"to it\); try again when the import has finished"):
        store.add_patrols(two_patrols())
    assert 0.25 < time.perf_counter() - began < 10


def test_readers_keep_reading_while_another_process_writes(busy_store):
    reader = subprocess.run([sys.executable, "-m", "geo", "summary", "--store", str(busy_store), "--by", "area"],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert reader.returncode == 0, reader.stderr
    assert reader.stdout.startswith("area_id,area_name,presence_minutes")
    assert open_store(busy_store, create=False).counts()[T_PATROLS] == 0  # the uncommitted write is not seen


def test_the_cli_import_reports_the_busy_store(busy_store, tmp_path, monkeypatch, capsys):
    import geo.store.gpkg as gpkg

    monkeypatch.setattr(gpkg, "BUSY_TIMEOUT_S", 0.3)
    csv = tmp_path / "patrols.csv"
    csv.write_text("id;team;start;slutt\nP1;sentrum;12.06.2024 18:00;12.06.2024 23:00\n", encoding="utf-8")
    assert cli_main(["import", "--store", str(busy_store), str(csv)]) == 2
    err = capsys.readouterr().err
    assert "is busy with an import" in err and "is not a GeoPackage" not in err


# --- configured stores ----------------------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config" / "stores.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_configured_stores_come_from_the_environment_and_the_file(tmp_path):
    file = write(tmp_path, '[stores]\nsentrum = "data/sentrum.gpkg"\nfelles = "postgresql://f@db:5432/f"\n')
    stores = configured_stores(file=file, environ={"FELTKART_STORE": "/srv/x.gpkg"})
    assert stores == {"default": "/srv/x.gpkg", "sentrum": str(tmp_path / "data" / "sentrum.gpkg"),
                      "felles": "postgresql://f@db:5432/f"}
    assert default_location(stores) == "/srv/x.gpkg"
    assert configured_stores(file=tmp_path / "none.toml", environ={}) == {"demo": "data/demo.gpkg"}


@pytest.mark.parametrize(("text", "message"), [
    ('[stores]\nx = 5\n', r"stores\.x must be a \.gpkg path or a postgresql:// URL; got 5"),
    ('[stores]\nx = "/etc/passwd"\n', r"stores\.x must be a \.gpkg path or a postgresql:// URL; got '/etc/passwd'"),
    ('stores = "a.gpkg"\n', r"'stores' must be a table"),
    ('[store]\nx = "a.gpkg"\n', r"unknown key\(s\) store; only a \[stores\] table is read"),
    ('[stores\n', r"not valid TOML"),
])
def test_configuration_mistakes_name_the_key(tmp_path, text, message):
    with pytest.raises(StoreError, match=message):
        configured_stores(file=write(tmp_path, text), environ={})


def test_same_location_compares_files_not_spellings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert same_location("data/demo.gpkg", tmp_path / "data" / "demo.gpkg")
    assert same_location("./data/../data/demo.gpkg", "data/demo.gpkg")
    assert not same_location("../../data/demo.gpkg", "data/demo.gpkg")
    assert not same_location("postgresql://a@evil:5432/x", "postgresql://a@db:5432/x")


def test_the_dashboard_opens_only_configured_stores(tmp_path, monkeypatch):
    from ui import state
    from ui.stores import check_configured, is_configured

    path = tmp_path / "s.gpkg"
    open_store(path).close()
    other = foreign_sqlite(tmp_path / "victim.gpkg")
    before = snapshot(other)
    monkeypatch.setenv("FELTKART_STORE", str(path))
    monkeypatch.chdir(tmp_path)
    assert is_configured(str(path)) and is_configured("s.gpkg")
    assert state.get_store(str(path)).counts()[T_PATROLS] == 0
    for location in (str(other), "../" + tmp_path.name + "/victim.gpkg", "postgresql://me@attacker.example:5432/x"):
        assert not is_configured(location)
        assert not state.store_available(location)
        with pytest.raises(StoreError, match=r"is not configured; an administrator adds it to config/stores\.toml"):
            state.get_store(location)
    with pytest.raises(StoreError) as info:
        check_configured("postgresql://me:secret@attacker.example:5432/x")
    assert ":secret@" not in str(info.value) and "attacker" not in str(info.value)
    assert snapshot(other) == before


def test_tracebacks_never_reach_the_page():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] in ("type", "none")  # messages and tracebacks stay in the server log
