"""ui.uploads: an upload's file name is never a path on the server (the upload path traversal that
overwrote a store with a 418-byte GPX), refused names are logged, imports are audited and
followed by the retention policy."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from geo.io.gpx import write_gpx
from geo.io.importer import ImportOptions
from geo.store import open_store
from geo.store.audit import LOCAL_ADMIN
from tests.builders import BASE, oslo, straight_walk
from ui.uploads import MAX_NAME_CHARS, import_uploads, safe_name

X, Y = BASE
REPO = Path(__file__).resolve().parents[1]


@dataclass
class FakeUpload:
    """Streamlit's UploadedFile as far as the importer uses it: a client-chosen name and the bytes."""

    name: str
    data: bytes

    def getvalue(self) -> bytes:
        return self.data


@pytest.fixture
def gpx_bytes(tmp_path) -> bytes:
    points = straight_walk("p", oslo("2024-06-10 10:00"), frm=(X, Y), to=(X + 200, Y), step_m=10, interval_s=10)
    path = tmp_path / "walk.gpx"
    write_gpx(points, path)
    return path.read_bytes()


@pytest.fixture
def store(tmp_path):
    return open_store(tmp_path / "store.gpkg")


@pytest.fixture
def made_dirs(monkeypatch) -> list[Path]:
    """Every private directory import_uploads makes (to check it is gone afterwards)."""
    made: list[Path] = []
    real = tempfile.mkdtemp

    def spy(*args, **kwargs):
        made.append(Path(real(*args, **kwargs)))
        return str(made[-1])

    monkeypatch.setattr(tempfile, "mkdtemp", spy)
    return made


@pytest.mark.parametrize("crafted", ["{victim}", "../../victim.gpkg", "..\\..\\victim.gpkg", "./victim.gpkg"])
def test_a_crafted_upload_name_never_touches_a_file_on_the_server(tmp_path, store, gpx_bytes, made_dirs, monkeypatch,
                                                                  crafted):
    server = tmp_path / "server"
    (server / "a" / "b").mkdir(parents=True)
    monkeypatch.chdir(server / "a" / "b")  # where ../../victim.gpkg would lead
    victim = server / "victim.gpkg"
    victim.write_bytes(b"the store that must survive" * 10)
    original = victim.read_bytes()
    (result,) = import_uploads(store, [FakeUpload(crafted.format(victim=victim), gpx_bytes)], None, ImportOptions())
    assert victim.read_bytes() == original
    assert sorted(p.relative_to(server).as_posix() for p in server.rglob("*")) == ["a", "a/b", "victim.gpkg"]
    assert result.name == "victim.gpkg"
    assert result.outcome is None  # GPX bytes under a .gpkg name: refused, no harm done
    assert made_dirs and not any(d.exists() for d in made_dirs)  # the private directory is removed


def test_the_private_directory_is_private_and_removed(store, gpx_bytes, made_dirs, monkeypatch):
    modes = []
    import ui.uploads as uploads

    real_import = uploads.import_file

    def spy(store, file, **kwargs):
        modes.append(Path(file).parent.stat().st_mode & 0o777)
        return real_import(store, file, **kwargs)

    monkeypatch.setattr(uploads, "import_file", spy)
    (result,) = import_uploads(store, [FakeUpload("/etc/walk.gpx", gpx_bytes)], None, ImportOptions(team="sentrum"))
    assert modes == [0o700]
    assert result.error is None and result.outcome.n_added > 0
    assert not any(d.exists() for d in made_dirs)


def test_a_windows_path_imports_under_its_base_name(store, gpx_bytes):
    (result,) = import_uploads(store, [FakeUpload("C:\\Users\\x\\Desktop\\walk.gpx", gpx_bytes)], None,
                               ImportOptions(team="sentrum"))
    assert result.name == "walk.gpx"
    assert result.outcome.added["track_points"] == 21
    assert store.imports()["file"].tolist() == ["walk.gpx"]


@pytest.mark.parametrize(("name", "message"), [
    ("", r"has no usable base name"),
    (".", r"has no usable base name"),
    ("..", r"has no usable base name"),
    ("uploads/", r"has no usable base name"),
    (".bashrc", r"has no usable base name"),
    ("walk\x00.gpx", r"holds control characters"),
    ("walk\n.gpx", r"holds control characters"),
    ("a" * (MAX_NAME_CHARS + 1) + ".gpx", rf"longer than {MAX_NAME_CHARS} characters"),
    ("tur_01019012345.gpx", r"the file name holds a national identity number; rename the file"),
    ("kari.nordmann@example.no.gpx", r"the file name holds an e-mail address"),
    ("ring 98765432.gpx", r"the file name holds a phone number"),
])
def test_odd_names_are_refused_and_logged(store, gpx_bytes, name, message):
    with pytest.raises(ValueError, match=message):
        safe_name(name)
    (result,) = import_uploads(store, [FakeUpload(name, gpx_bytes)], None, ImportOptions())
    assert result.outcome is None and re.search(message, result.error)
    log = store.audit_log()
    assert log["action"].tolist() == ["import_refused"]
    assert log["actor"].tolist() == [LOCAL_ADMIN]
    assert store.counts()["track_points"] == 0


def test_imports_are_audited_with_the_user_and_followed_by_retention(store, gpx_bytes):
    results = import_uploads(store, [FakeUpload("walk.gpx", gpx_bytes)], None, ImportOptions(team="sentrum"),
                             actor="sub-42")
    log = store.audit_log()
    assert log["action"].tolist() == ["import", "retention"]  # a 2024 walk is past the 60 days by now
    assert set(log["actor"]) == {"sub-42"}
    assert log["detail"].iloc[0]["file"] == "walk.gpx" and log["detail"].iloc[0]["added"] == 22  # patrol + 21 fixes
    assert any("retention: 21 raw track points of 1 patrols older than 60 days" in w for w in results[0].warnings)
    assert store.counts()["track_points"] == 0 and store.counts()["presence_total"] > 0


def test_a_refused_file_says_why(store):
    (result,) = import_uploads(store, [FakeUpload("k.csv", "Navn;lon;lat\nOla;10,75;59,91\n".encode())], None,
                               ImportOptions())
    assert result.error.startswith("column 'Navn' looks like personal data")
    assert store.audit_log()["detail"].iloc[0] == {"file": "k.csv", "reason": result.error}


def test_no_page_writes_an_upload_itself():
    """pages/data.py and the area editor go through ui.uploads; nothing else reads upload bytes."""
    readers = [p.relative_to(REPO).as_posix() for p in [*REPO.glob("pages/*.py"), *REPO.glob("ui/*.py"), REPO / "dashboard.py"]
               if re.search(r"upload\w*\.(getvalue\(\)|name\b)", p.read_text(encoding="utf-8"))]
    assert readers == ["ui/uploads.py"]
    for page in ("pages/data.py", "ui/area_editor.py"):
        assert "import_uploads(" in (REPO / page).read_text(encoding="utf-8")


def test_a_huge_geojson_upload_is_refused_before_anything_parses_it(store, monkeypatch):
    import ui.uploads as uploads

    monkeypatch.setattr(uploads, "import_file", lambda *a, **k: pytest.fail("the file must not be read"))
    data = b'{"type": "FeatureCollection", "features": []}' + b" " * 20_000_001
    (result,) = import_uploads(store, [FakeUpload("omrader.geojson", data)], None, ImportOptions())
    assert result.error.startswith("is 20 MB; a GeoJSON upload may be at most 20 MB")
