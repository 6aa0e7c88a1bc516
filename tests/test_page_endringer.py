"""The Endringer over tid page under AppTest: both languages, and numbers equal to geo.changes."""

from __future__ import annotations

import shutil
from datetime import date

import geopandas as gpd
import pytest
from shapely.geometry import box
from streamlit.testing.v1 import AppTest

from geo import formatting
from geo.changes.drift import encounter_drift
from geo.changes.effective import effective_areas, save_draft
from geo.changes.history import compare_areas
from geo.queries import Filters
from geo.schema import AREA_ID, DRAFT_ID, STORE_CRS, VALID_FROM, VALID_TO
from geo.store import open_store
from tests.conftest import shared_demo_store
from tests.test_pages import goto, start_app

FIRST, LAST = date(2023, 12, 1), date(2024, 1, 31)
TIMEOUT_S = 180
PAGE = "pages/endringer.py"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> str:
    return str(shared_demo_store(tmp_path_factory, FIRST, LAST))


def _start(store: str, monkeypatch, *, language: str = "nb", section: str = "history") -> AppTest:
    """The page settled as in tests/test_pages.py, then switched to ``section``."""
    at = start_app(store, monkeypatch, language=language, page=PAGE, timeout_s=TIMEOUT_S)
    if section != "history":
        at.segmented_control(key="changes_section").set_value(section).run()
        assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(("language", "title", "tab"), [("nb", "Endringer over tid", "Forflytning"),
                                                         ("en", "Change over time", "Drift")])
def test_page_runs_in_both_languages(demo_store, monkeypatch, language, title, tab):
    at = _start(demo_store, monkeypatch, language=language)
    assert at.title[0].value == title
    assert tab in at.segmented_control(key="changes_section").options


def test_effective_area_figure_equals_geo(demo_store, monkeypatch):
    at = _start(demo_store, monkeypatch, section="effective")
    expected = effective_areas(open_store(demo_store, create=False),
                               Filters(first_day=date(2024, 1, 1), last_day=LAST)).figures["hot_inside_pct"]
    shown = {m.label: m.value for m in at.metric}
    assert shown["Varmt areal inne i feltområder"] == formatting.percent(expected / 100, "nb", decimals=1)


def test_area_comparison_caption_equals_compare_areas(demo_store, monkeypatch):
    at = _start(demo_store, monkeypatch)
    at.date_input(key="changes_date_a").set_value(date(2020, 6, 1)).run()
    assert not at.exception, at.exception
    got = compare_areas(open_store(demo_store, create=False), date(2020, 6, 1), LAST)
    assert got["gained_m2"].sum() > 1000  # Brugata/Storgata grew in 2021, two areas were added in 2023
    expected = f"Fra A til B: {formatting.area_m2(got['gained_m2'].sum(), 'nb')} lagt til"
    assert any(c.value.startswith(expected) for c in at.caption), [c.value for c in at.caption]


def test_drift_table_has_one_row_per_year_with_encounters(demo_store, monkeypatch):
    at = _start(demo_store, monkeypatch, section="drift")
    drift = encounter_drift(open_store(demo_store, create=False), Filters(first_day=FIRST, last_day=LAST), period="year")
    # the data keeps its column names (the headers are translated labels, see ui/columns.py)
    table = next(d.value for d in at.dataframe if "period" in d.value.columns and "sigma_major_m" in d.value.columns)
    assert table["period"].tolist() == drift["period"].tolist() == ["2023", "2024"]
    assert table["n"].tolist() == drift["n"].tolist()


def test_saving_a_draft_keeps_the_field_areas(demo_store, monkeypatch, tmp_path):
    copy = tmp_path / "copy.gpkg"
    shutil.copy(demo_store, copy)
    before = open_store(copy, create=False).areas().drop(columns="geometry")
    at = _start(str(copy), monkeypatch, section="effective")
    at.button(key="changes_draft_save").click().run()
    assert not at.exception, at.exception
    assert any("draft-1" in s.value for s in at.success), [s.value for s in at.success]
    store = open_store(copy, create=False)
    assert store.area_drafts()["draft_id"].unique().tolist() == ["draft-1"]
    assert store.areas().drop(columns="geometry").equals(before)


def test_play_steps_the_drift_map_to_the_next_period(demo_store, monkeypatch):
    at = _start(demo_store, monkeypatch, section="drift")
    assert at.select_slider(key="changes_drift_period").value == "2024"
    at.toggle(key="changes_drift_play").set_value(True).run()
    assert not at.exception, at.exception
    assert at.select_slider(key="changes_drift_period").value == "2023"  # wrapped round to the first year
    at.run()
    assert at.select_slider(key="changes_drift_period").value == "2024"


@pytest.mark.parametrize(("page", "key"), [("pages/dekning.py", "coverage_anim"), ("pages/moter.py", "encounters_anim")])
def test_coverage_and_encounter_maps_step_through_the_weeks_of_the_period(demo_store, monkeypatch, page, key):
    at = _start(demo_store, monkeypatch)
    goto(at, page)
    assert not at.exception, at.exception
    assert f"{key}_play" not in [toggle.key for toggle in at.toggle]  # closed: the player does not run
    at.session_state[f"{key}_open"] = True  # the user opens the player's expander
    at.run()
    slider = at.select_slider(key=f"{key}_period")
    assert slider.options[0].startswith("2024-W") and len(slider.options) in (4, 5)  # the sidebar's last 4 weeks
    first_week = slider.options[0]
    slider.set_value(first_week).run()
    assert not at.exception, at.exception
    assert any(c.value.startswith(f"{first_week} (") for c in at.caption), [c.value for c in at.caption]


def test_a_draft_area_is_saved_as_a_new_field_area_through_the_importer(demo_store, monkeypatch, tmp_path):
    copy = tmp_path / "copy.gpkg"
    shutil.copy(demo_store, copy)
    store = open_store(copy, create=False)
    suggestion = gpd.GeoDataFrame(geometry=[box(10.750, 59.912, 10.752, 59.913)], crs=STORE_CRS)
    draft_id = save_draft(store, suggestion, date(2024, 1, 1), source="test")
    store.close()
    at = _start(str(copy), monkeypatch)
    at.session_state["changes_editor_open"] = True  # the user opens the editor's expander
    at.run()
    at.text_input(key="changes_editor_name___new__").set_value("Nytt område").run()
    at.date_input(key="changes_editor_valid_from").set_value(date(2024, 1, 10)).run()
    assert at.selectbox(key="changes_editor_draft").value == 0  # the only draft area: forslag-1
    at.button(key="changes_editor_adopt").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Lagret: 1 endring(er) i feltområdene."]
    store = open_store(copy, create=False)
    new = store.areas().set_index(AREA_ID).loc["nytt-omrade"]
    assert new[VALID_FROM] == date(2024, 1, 10) and new[VALID_TO] is None
    assert new.geometry.symmetric_difference(suggestion.geometry.iloc[0]).area < 1e-12
    assert store.area_drafts()[DRAFT_ID].tolist() == [draft_id]  # the draft is kept
    changes = store.area_changes()
    assert changes[AREA_ID].tolist()[-1] == "nytt-omrade"
