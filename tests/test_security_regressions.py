"""The things that held when Feltkart was tried as an attacker would, kept tested: XML entities in
GPX never reach the store, zip members with ../ are never extracted, SQL-ish names are stored as
data, kill -9 in the middle of an import loses nothing and a re-import adds once; and a GPX
file's personal fields (<name>, <author>, <desc>, <email>) are never stored."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo.io.errors import InputFileError
from geo.io.gpx import write_gpx
from geo.io.importer import ImportOptions, import_file
from geo.store import open_store
from tests.builders import BASE, oslo, straight_walk

X, Y = BASE
REPO = Path(__file__).resolve().parents[1]
SECRET = "TOPSECRET-7f3a"
POINTS = "".join(f'<trkpt lat="59.91{i:02d}" lon="10.75{i:02d}"><time>2024-06-10T10:{i:02d}:00Z</time></trkpt>'
                 for i in range(10))
GPX_HEAD = '<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1">'


def stored_bytes(path: Path) -> bytes:
    """Everything the store holds on disk (the file and any write-ahead log)."""
    return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))


# --- XML entities in GPX ------------------------------------------------------------------------------


def test_an_external_entity_in_a_gpx_is_never_resolved_into_the_store(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    gpx = tmp_path / "xxe.gpx"
    gpx.write_text(f'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>{GPX_HEAD}'
                   f"<trk><name>&xxe;</name><desc>&xxe;</desc><trkseg>{POINTS}</trkseg></trk></gpx>",
                   encoding="utf-8")
    store = open_store(tmp_path / "s.gpkg")
    try:
        import_file(store, gpx)
    except InputFileError:
        pass  # refusing the file is as good
    store.close()
    assert SECRET.encode() not in stored_bytes(tmp_path / "s.gpkg")


def test_entity_expansion_in_a_gpx_is_refused(tmp_path):
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {n} "{("&" + p + ";") * 10}">' for p, n in zip("abcdefg", "bcdefgh"))
    gpx = tmp_path / "laughs.gpx"
    gpx.write_text(f'<?xml version="1.0"?><!DOCTYPE gpx [{entities}]>{GPX_HEAD}<trk><name>&h;</name>'
                   f"<trkseg>{POINTS}</trkseg></trk></gpx>", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"laughs\.gpx: malformed XML: limit on input amplification factor"):
        import_file(open_store(tmp_path / "s.gpkg"), gpx)


# --- zip members with ../ -------------------------------------------------------------------------------


def test_zip_members_with_dot_dot_are_never_extracted(tmp_path):
    shapefile = tmp_path / "shp"
    shapefile.mkdir()
    gpd.GeoDataFrame({"navn": ["Oslo S"], "gyldig_fra": ["2024-01-01"]}, geometry=[box(10.75, 59.91, 10.76, 59.92)],
                     crs="EPSG:4326").to_file(shapefile / "omrader.shp")
    archive = tmp_path / "upload" / "omrader.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as zf:
        for part in sorted(shapefile.iterdir()):
            zf.write(part, f"../../{part.name}")  # would land in tmp_path's parent if extracted
        zf.writestr("../../evil.txt", "planted")
    before = set(tmp_path.parent.iterdir())
    store = open_store(tmp_path / "s.gpkg")
    try:
        outcome = import_file(store, archive, kind="areas")
    except InputFileError:
        outcome = None
    assert set(tmp_path.parent.iterdir()) == before  # nothing written next to the test folder
    assert not (tmp_path.parent / "evil.txt").exists()
    if outcome is not None:  # read in place through /vsizip/, not extracted
        assert store.areas()["name"].tolist() == ["Oslo S"]


# --- SQL-ish text is data -------------------------------------------------------------------------------------


def test_sql_in_names_and_ids_is_stored_as_data(tmp_path):
    store = open_store(tmp_path / "s.gpkg")
    hostile = "x'); DROP TABLE patrols; --"
    areas = tmp_path / "omrader.geojson"
    gpd.GeoDataFrame({"omrade_id": ["oslo-s"], "navn": [hostile], "lag": ["'; DELETE FROM field_areas; --"],
                      "gyldig_fra": ["2024-01-01"]}, geometry=[box(10.75, 59.91, 10.76, 59.92)],
                     crs="EPSG:4326").to_file(areas, driver="GeoJSON")
    patrols = tmp_path / "patrols.csv"
    patrols.write_text("id;team;start;slutt\n\"P1'; DROP TABLE track_points; --\";\"sentrum\"\" OR 1=1\";"
                       "12.06.2024 18:00;12.06.2024 23:00\n", encoding="utf-8")
    import_file(store, areas)
    import_file(store, patrols)
    assert store.areas()[["name", "team"]].values.tolist() == [[hostile, "'; DELETE FROM field_areas; --"]]
    got = store.patrols()
    assert got[["patrol_id", "team"]].values.tolist() == [["P1'; DROP TABLE track_points; --", 'sentrum" OR 1=1']]
    assert {"patrols", "track_points", "field_areas"} <= set(store.counts())
    assert store.counts()["track_points"] == 0


# --- kill -9 in the middle of an import -----------------------------------------------------------------------------


IMPORT = textwrap.dedent("""
    import sys
    from geo.io.importer import ImportOptions, import_file
    from geo.store import open_store
    import_file(open_store(sys.argv[1]), sys.argv[2])
""")


@pytest.mark.slow
def test_kill_9_in_the_middle_of_an_import_loses_nothing_and_a_re_import_adds_once(tmp_path):
    path = tmp_path / "s.gpkg"
    first = tmp_path / "first.gpx"
    write_gpx(straight_walk("a", oslo("2024-06-10 10:00"), frm=(X, Y), to=(X + 500, Y), step_m=5, interval_s=5), first)
    store = open_store(path)
    import_file(store, first)
    before = store.counts()
    store.close()
    big = tmp_path / "big.gpx"
    walks = [straight_walk(f"p{i}", oslo("2024-06-11 10:00") + pd.Timedelta(hours=i), frm=(X, Y + i),
                           to=(X + 2000, Y + i), step_m=1, interval_s=1) for i in range(150)]
    write_gpx(pd.concat(walks, ignore_index=True), big)  # 300,000 points: a few seconds of writing
    process = subprocess.Popen([sys.executable, "-c", IMPORT, str(path), str(big)], cwd=REPO)
    wal = path.with_name(path.name + "-wal")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (wal.exists() and wal.stat().st_size > 1_000_000):
        time.sleep(0.05)  # until the import is writing its transaction
    assert process.poll() is None, "the import finished before it could be killed: make the file bigger"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = open_store(path, create=False)
    assert store.counts() == before  # nothing of the killed import, nothing of before lost
    assert store.imports()["file"].tolist() == ["first.gpx"]
    outcome = import_file(store, big)
    assert outcome.added["track_points"] == 150 * 2001
    again = import_file(store, big)
    assert again.already_imported and again.n_added == 0
    assert store.counts()["track_points"] == before["track_points"] + 150 * 2001


# --- GPX personal fields ---------------------------------------------------------------------------------------------


def test_a_gpx_files_personal_fields_are_never_stored(tmp_path):
    person = "Kari Nordmann"
    gpx = tmp_path / "tur.gpx"
    gpx.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>{GPX_HEAD}<metadata><name>{person}s tur</name>'
        f"<desc>Gått av {person}, tlf 98765432</desc><author><name>{person}</name>"
        f'<email id="kari.nordmann" domain="example.no"/></author></metadata>'
        f"<trk><name>{person}</name><cmt>{person}</cmt><desc>{person}</desc><src>{person}s telefon</src>"
        f"<trkseg>{POINTS}</trkseg></trk></gpx>", encoding="utf-8")
    store = open_store(tmp_path / "s.gpkg")
    outcome = import_file(store, gpx, options=ImportOptions(team="sentrum"))
    assert outcome.added["track_points"] == 10
    assert store.patrols()["patrol_id"].iloc[0].startswith("gpx-")  # a hash of the points, not the track's name
    store.close()
    on_disk = stored_bytes(tmp_path / "s.gpkg")
    for text in ("Kari", "Nordmann", "98765432", "kari.nordmann", "example.no"):
        assert text.encode() not in on_disk
