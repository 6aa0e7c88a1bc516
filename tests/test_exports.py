"""Exports from every page (issue 15, item 7): ui.exports and geo.report.map_png.

Each page offers its tables as CSV and its charts and maps as PNG; a CSV opens in a
spreadsheet with its stamp (title, selection, Oslo-time generation) above the table;
every download is audit-logged when it is made; a partner gets none of these buttons.
The deferred download callables are captured where Streamlit registers them
(``MediaFileManager.add_deferred``) and called as a click would call them.
"""

from __future__ import annotations

import io
import shutil
from datetime import datetime, timezone

import altair as alt
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from geo.store import open_store
from tests.conftest import REPO
from tests.test_auth import MANAGER_VA, PARTNER, SECRETS, TIMEOUT_S
from tests.test_auth import store as store  # noqa: F401 (module fixture)
from ui.i18n import STRINGS
from ui.exports import PNG_SIGNATURE, STAMP_ROWS, chart_png, generated_text, stamped_csv

PAGE_EXPORTS = {  # page -> download buttons it shows with the default widgets (keys without "export_")
    "oversikt.py": {"oversikt_omrader_csv", "oversikt_kart_png"},
    "dekning.py": {"dekning_kart_png", "dekning_celler_csv"},
    "moter.py": {"moter_kart_png", "moter_celler_csv", "moter_utvikling_png", "moter_utvikling_csv"},
    "tid_pa_uka.py": {"tid_pa_uka_tilstede_png", "tid_pa_uka_moter_png", "tid_pa_uka_forskjell_png",
                      "tid_pa_uka_csv"},
    "innsats_og_behov.py": {"innsats_omrader_csv", "innsats_kart_png", "innsats_underdekket_csv"},
    "endringer.py": {"endringer_tidslinje_png", "endringer_versjoner_csv", "map_a_png", "map_b_png",
                     "endringer_sammenligning_csv"},
    "hotspots.py": {"hotspots_kart_png", "hotspots_antall_csv", "hotspots_celler_csv"},
    "planlegging.py": {"plan_kart_png", "plan_hvorfor_csv"},
    "data.py": {"importer_csv"},
    "audit.py": {"revisjonslogg_csv"},
}


@pytest.fixture
def deferred(monkeypatch) -> dict[str, object]:
    """Every deferred download callable registered during the test, by its element's key."""
    captured: dict[str, object] = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, *, element_id=""):
        captured[element_id.rpartition("-")[2]] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, element_id=element_id)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return captured


def start(path: str, monkeypatch, *, page: str | None = None, user: dict | None = None,
          language: str = "nb") -> AppTest:
    monkeypatch.setenv("FELTKART_STORE", path)
    monkeypatch.chdir(REPO)
    at = AppTest.from_string((REPO / "dashboard.py").read_text(encoding="utf-8"), default_timeout=TIMEOUT_S)
    at.session_state["language"] = language
    if user is not None:
        at.user, at.secrets = user, SECRETS
    at.run()
    if page is not None:
        at.switch_page(str(REPO / "pages" / page)).run()
    assert not at.exception, at.exception
    return at


def export_keys(at: AppTest) -> set[str]:
    ids = [button.proto.id.rpartition("-")[2] for button in at.get("download_button")]
    return {i.removeprefix("export_") for i in ids if i.startswith("export_")}


@pytest.fixture(scope="module")
def writable(store, tmp_path_factory) -> str:  # noqa: F811
    """A copy of the module's demo store that downloads may log to."""
    path = tmp_path_factory.mktemp("exports") / "demo.gpkg"
    shutil.copy(store, path)
    return str(path)


# --- every page has its buttons -----------------------------------------------------------------
@pytest.mark.parametrize("page", list(PAGE_EXPORTS))
def test_every_page_offers_its_tables_charts_and_maps(writable, monkeypatch, page):
    at = start(writable, monkeypatch, page=page)
    assert export_keys(at) == PAGE_EXPORTS[page]
    labels = {b.proto.label for b in at.get("download_button") if "export_" in b.proto.id}
    assert labels <= {"Tabell (CSV)", "Bilde (PNG)"}


def test_a_partner_gets_none_of_the_managers_exports(writable, monkeypatch):
    at = start(writable, monkeypatch, user=PARTNER)
    assert at.title[0].value == "Situasjonsbilde"
    assert not export_keys(at)
    assert {b.proto.id.rpartition("-")[2] for b in at.get("download_button")} == {
        "report_download_pdf", "report_download_html", "report_download_csv"}  # disclosure-controlled only


def test_a_manager_gets_the_exports_of_their_pages(writable, monkeypatch):
    at = start(writable, monkeypatch, page="dekning.py", user=MANAGER_VA)
    assert export_keys(at) == PAGE_EXPORTS["dekning.py"]


# --- what a click makes --------------------------------------------------------------------------
def test_the_csv_of_a_page_table_is_the_table_stamped_and_logged(writable, monkeypatch, deferred):
    at = start(writable, monkeypatch, page="dekning.py")
    shown = at.dataframe[0].value  # the cell table, as the page shows it
    data = deferred["export_dekning_celler_csv"]()
    assert data.startswith("\ufeff".encode("utf-8"))
    text = data.decode("utf-8-sig")
    stamp = text.splitlines()[:STAMP_ROWS]
    assert stamp[0] == f"Feltkart;{STRINGS['coverage.table']['nb']}"
    assert stamp[1].startswith("Utvalg;Tjenestedager 23.09.2024–20.10.2024") and "team: Alle team" in stamp[1]
    assert stamp[2].startswith("Laget;") and stamp[2].endswith("(norsk tid)") and stamp[3] == ""
    table = pd.read_csv(io.StringIO(text), sep=";", decimal=",", skiprows=STAMP_ROWS)
    assert list(table.columns) == [STRINGS[f"col.{c}"]["nb"] for c in shown.columns if f"col.{c}" in STRINGS]
    assert len(table) == len(shown)
    assert table["Tilstedeminutter"].sum() == pytest.approx(shown["presence_minutes"].sum())
    entry = open_store(writable, create=False).audit_log().iloc[-1]
    assert entry["action"] == "export" and entry["actor"] == "local-admin"
    assert entry["detail"]["file"] == "feltkart_dekning_celler_20240923-20241020.csv"
    assert entry["detail"]["format"] == "csv" and len(entry["detail"]["sha256"]) == 64


def test_the_map_and_chart_of_a_page_are_png_images(writable, monkeypatch, deferred):
    at = start(writable, monkeypatch, page="moter.py")
    at.toggle(key="encounters_points").set_value(True).run()  # points on screen: never in the image
    assert deferred["export_moter_kart_png"]().startswith(PNG_SIGNATURE)
    assert deferred["export_moter_utvikling_png"]().startswith(PNG_SIGNATURE)
    logged = open_store(writable, create=False).audit_log()
    assert {"moter_kart", "moter_utvikling"} <= {d.get("what") for d in logged["detail"] if isinstance(d, dict)}


def test_an_english_csv_is_comma_separated_with_a_decimal_point(writable, monkeypatch, deferred):
    start(writable, monkeypatch, language="en")
    text = deferred["export_oversikt_omrader_csv"]().decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[1].startswith("Selection,") and lines[2].startswith("Generated,") and "(Oslo time)" in lines[2]
    table = pd.read_csv(io.StringIO(text), skiprows=STAMP_ROWS)
    assert table.iloc[-1, 0] == STRINGS["area.outside"]["en"]  # the internal id in words
    assert table[STRINGS["col.presence_minutes"]["en"]].dtype == float  # numbers stay numbers


# --- the bytes on their own ------------------------------------------------------------------------
def test_stamped_csv_neutralises_formulas_and_keeps_numbers():
    table = pd.DataFrame({"Navn": ["=HYPERLINK(\"x\")", "Oslo S"], "Minutter": [1234.5, -3.25]})
    text = stamped_csv(table, ("Tabell", "team: @evil", "04.12.2026 kl. 07:31 (norsk tid)"), "nb").decode("utf-8-sig")
    assert text.splitlines() == [
        "Feltkart;Tabell", "Utvalg;team: @evil", "Laget;04.12.2026 kl. 07:31 (norsk tid)",  # @ inside: no formula
        "", "Navn;Minutter", '"\'=HYPERLINK(""x"")";1234,5', "Oslo S;-3,25"]


def test_a_formula_in_the_stamp_is_neutralised():
    text = stamped_csv(pd.DataFrame({"a": [1]}), ("=cmd", "+x", "y"), "en").decode("utf-8-sig")
    assert text.splitlines()[:3] == ["Feltkart,'=cmd", "Selection,'+x", "Generated,y"]


def test_the_generation_time_is_oslo_local_time():
    winter = datetime(2026, 12, 4, 6, 31, tzinfo=timezone.utc)
    summer = datetime(2026, 7, 4, 6, 31, tzinfo=timezone.utc)
    assert generated_text(winter) == "04.12.2026 kl. 07:31 (norsk tid)"
    assert generated_text(summer) == "04.07.2026 kl. 08:31 (norsk tid)"


def test_a_chart_png_is_rendered_offline_with_its_stamp():
    chart = alt.Chart(pd.DataFrame({"x": [1, 2], "y": [3, 4]})).mark_bar().encode(x="x:O", y="y:Q")
    data = chart_png(chart, ("Tittel", "Tjenestedager 01.01.2024–31.01.2024", "04.12.2026 kl. 07:31"))
    assert data.startswith(PNG_SIGNATURE) and len(data) > 2000


def test_a_map_png_draws_cells_areas_and_extra_shapes():
    from geo.report.map_png import map_png

    areas = gpd.GeoDataFrame({"area_id": ["a"], "n": [3]}, geometry=[box(10.74, 59.90, 10.76, 59.92)], crs="EPSG:4326")
    cells = pd.DataFrame({"cell": ["8a09968f0007fff", "8a09968f000ffff"], "v": [1.0, 10.0]})
    gained = gpd.GeoDataFrame(geometry=[box(10.75, 59.91, 10.755, 59.915)], crs="EPSG:4326")
    for kwargs in ({"cells": cells, "value_column": "v"}, {"value_column": "n"},
                   {"cells": cells, "fills": ["#ff0000", "#0000ff"], "swatches": [("#ff0000", "varm")]},
                   {"shapes": [(gained, "#00aa00", 0.5)], "outlined": ["8a09968f0007fff"]}):
        data = map_png(areas, title="Kart", stamp="Periode", lang="nb", legend_title="Verdi", **kwargs)
        assert data.startswith(PNG_SIGNATURE)


def test_the_requirements_pin_the_chart_renderer():
    assert "vl-convert-python==" in (REPO / "requirements.txt").read_text(encoding="utf-8")

