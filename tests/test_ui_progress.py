"""ui.progress: the Data page's import shows a status box with a progress bar that ends complete, in
the UI language; every stage geo reports has a label in both languages."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from geo.io.gpx import write_gpx
from geo.progress import STAGES, Step
from tests.builders import BASE, oslo, straight_walk
from tests.conftest import shared_demo_store
from tests.test_pages import goto, start_app
from ui.i18n import STRINGS

X, Y = BASE


@pytest.fixture
def writable_demo(tmp_path_factory, tmp_path) -> str:
    """A copy of the four-week demo store the page tests share: the import writes into it."""
    copy = tmp_path / "demo.gpkg"
    shutil.copy(shared_demo_store(tmp_path_factory, date(2024, 9, 23), date(2024, 10, 20)), copy)
    return str(copy)


def test_every_stage_and_the_step_line_have_both_languages():
    assert [s for s in STAGES if f"progress.stage.{s}" not in STRINGS] == []
    assert STRINGS["progress.step"] == {"nb": "{number} av {total}: {what}", "en": "{number} of {total}: {what}"}


@pytest.mark.parametrize("language, title, first_step", [
    ("nb", "Importerer filene: ferdig", "1 av 2: walk.gpx – leser og kontrollerer"),
    ("en", "Importing the files: done", "1 of 2: walk.gpx – reading and checking"),
])
def test_the_data_page_import_shows_a_status_that_ends_complete(writable_demo, monkeypatch, tmp_path, language,
                                                                title, first_step):
    from ui import progress as ui_progress

    texts: list[str] = []
    real = ui_progress.step_text
    monkeypatch.setattr(ui_progress, "step_text", lambda step: texts.append(real(step)) or texts[-1])
    points = straight_walk("p", oslo("2024-10-16 10:00"), frm=(X, Y), to=(X + 200, Y), step_m=10, interval_s=10)
    write_gpx(points, tmp_path / "walk.gpx")
    at = start_app(writable_demo, monkeypatch, language=language, page="pages/data.py")
    at.file_uploader(key="data_uploads").set_value([
        ("walk.gpx", (tmp_path / "walk.gpx").read_bytes(), "application/gpx+xml"),
        ("notes.csv", b"a;b\n1;2\n", "text/csv")])
    at.run()
    at.button(key="data_run").click().run()
    assert not at.exception, at.exception
    (status,) = at.status
    assert (status.label, status.state) == (title, "complete")
    (bar,) = status.get("progress")
    assert bar.value == 100  # per cent, as the element keeps it
    assert texts[0] == first_step
    assert texts[-1].startswith("2 av 2: " if language == "nb" else "2 of 2: ")  # the refused CSV, then the end
    assert any(e.value.startswith("notes.csv: cannot tell from the header") for e in at.error)
    assert any(s.value.startswith("walk.gpx: ") for s in at.success)


def test_a_step_line_counts_units_from_one_and_ends_at_the_total(monkeypatch):
    from ui import progress as ui_progress

    monkeypatch.setattr(ui_progress, "t", lambda key, **values: STRINGS[key]["en"].format(**values))
    assert ui_progress.step_text(Step("import", "presence", 1, 10, "p3.gpx")) == "2 of 10: p3.gpx – computing presence"
    assert ui_progress.step_text(Step("report", "maps", 1, 3)) == "2 of 3: drawing maps"
    assert ui_progress.step_text(Step("import", "done", 10, 10)) == "10 of 10: done"


def test_the_report_preview_reports_its_stages_once_and_leaves_no_box(tmp_path_factory, monkeypatch):
    from ui import progress as ui_progress
    from ui.state import clear_caches

    store = str(shared_demo_store(tmp_path_factory, date(2024, 9, 23), date(2024, 10, 20)))
    texts: list[str] = []
    real = ui_progress.step_text
    monkeypatch.setattr(ui_progress, "step_text", lambda step: texts.append(real(step)) or texts[-1])
    # AppTest has no runtime, so st.cache_data records no element for replay; a server does. Record
    # as a server would: an update of the bar recorded inside the cached preview fails on a cache hit.
    from types import SimpleNamespace

    from streamlit.runtime.caching import cached_message_replay

    monkeypatch.setattr(cached_message_replay, "runtime", SimpleNamespace(exists=lambda: True))
    clear_caches()  # the preview is drawn, not answered from an earlier test's cache
    at = start_app(store, monkeypatch, page="pages/situasjonsbilde.py", timeout_s=180)
    assert texts == ["1 av 3: salto – henter tall og tabeller", "2 av 3: tegner kart", "3 av 3: tegner diagrammer",
                     "3 av 3: ferdig"]
    assert list(at.status) == [] and at.image  # the box is gone, the preview's pictures are there
    texts.clear()
    at.run()  # the same preview again: from the cache, no progress and no replay error
    assert not at.exception and texts == []
