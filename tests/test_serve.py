"""The launcher's one workaround (``ui/serve.py``): Streamlit's legacy ``pages/``-folder mode is
switched off before the first script run. These tests fail when Streamlit's behaviour changes,
so the workaround is removed (or updated) as soon as it is no longer needed."""

from __future__ import annotations

import subprocess
import sys

from streamlit.runtime.pages_manager import PagesManager

from tests.conftest import REPO
from ui import serve


def test_streamlit_still_starts_in_legacy_mode_when_a_pages_folder_sits_beside_the_entry_point(monkeypatch):
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)
    PagesManager(str(REPO / "dashboard.py"), setup_watcher=False)
    assert PagesManager.uses_pages_directory is True, (
        "Streamlit no longer switches to legacy multipage mode for a pages/ folder: "
        "drop the workaround in ui/serve.py and this test")


def test_launcher_switches_legacy_mode_off_before_streamlit_starts(monkeypatch):
    seen: dict[str, object] = {}
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)

    def fake_streamlit_main() -> int:
        seen["flag"] = PagesManager.uses_pages_directory
        seen["argv"] = list(serve.sys.argv)
        return 0

    monkeypatch.setattr(serve.cli, "main", fake_streamlit_main)
    try:
        serve.main(["--server.headless", "true"])
    except SystemExit as exc:
        assert exc.code == 0
    assert seen["flag"] is False
    assert seen["argv"][:3] == ["streamlit", "run", str(REPO / "dashboard.py")]
    PagesManager(str(REPO / "dashboard.py"), setup_watcher=False)
    assert PagesManager.uses_pages_directory is False  # a new server's PagesManager keeps it off


def test_preload_loads_the_libraries_but_leaves_views_and_map_component_to_the_first_run():
    """A component declared before the server runs is never registered, so its frame stays empty
    (every map in the browser was blank when the launcher preloaded streamlit-folium)."""
    probe = ("import sys; from ui import serve; failed = serve.preload(); "
             "print(failed, sorted(m for m in sys.modules if m.split('.')[0] in "
             "('ui', 'pages', 'streamlit_folium', 'geopandas', 'folium', 'geo') and m.count('.') < 2))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True,
                         timeout=300).stdout
    failed, loaded = out.strip().split(" ", 1)
    assert failed == "[]"
    assert "'geopandas'" in loaded and "'folium'" in loaded and "'geo.queries'" in loaded
    assert "streamlit_folium" not in loaded
    assert "'ui.components'" not in loaded and "pages" not in loaded

