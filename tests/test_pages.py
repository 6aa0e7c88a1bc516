"""Every dashboard page runs under Streamlit's AppTest on a small demo store.

Checks: no exception on any page in either language; the tables show exactly
what the query layer answers for the sidebar's selection; the language switch
changes the UI text.
"""

from __future__ import annotations

import io
import os
from contextlib import redirect_stdout
from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import formatting
from geo.cli import main as cli_main
from geo.demo.store import build_demo_store
from geo.queries import Filters, period_presets, presence_by_area, presence_by_cell
from geo.schema import AREA_ID, CELL, ENCOUNTERS, PRESENCE_MINUTES
from geo.store import open_store
from tests.conftest import REPO
from ui.i18n import STRINGS

PAGES = [
    "pages/oversikt.py",
    "pages/dekning.py",
    "pages/moter.py",
    "pages/tid_pa_uka.py",
    "pages/innsats_og_behov.py",
    "pages/planlegging.py",
    "pages/data.py",
]
FIRST, LAST = date(2024, 9, 23), date(2024, 10, 20)
TIMEOUT_S = 120


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("pages") / "demo.gpkg"
    build_demo_store(path, start=FIRST, end=LAST)
    return str(path)


def start_app(demo_store: str, monkeypatch, *, language: str = "nb", page: str | None = None,
              timeout_s: float = TIMEOUT_S) -> AppTest:
    """The dashboard under AppTest on ``demo_store`` in ``language``, optionally switched to ``page``.

    AppTest runs a copy of ``dashboard.py`` from a temporary folder, where no
    ``pages/`` folder sits beside it: Streamlit then runs the real
    ``st.navigation`` router on every run, as ``python -m ui.serve`` does.
    """
    monkeypatch.setenv("FELTKART_STORE", demo_store)
    monkeypatch.chdir(REPO)
    at = AppTest.from_string((REPO / "dashboard.py").read_text(encoding="utf-8"), default_timeout=timeout_s)
    at.session_state["language"] = language  # AppTest keeps option labels; set the language up front
    at.run()
    assert not at.exception, at.exception
    if page is not None:
        goto(at, page)
    return at


def goto(at: AppTest, page: str) -> AppTest:
    """Open ``page`` (``pages/<file>.py``) through the router and run it; fails on an exception."""
    at.switch_page(str(REPO / page)).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def app(demo_store, monkeypatch) -> AppTest:
    return start_app(demo_store, monkeypatch)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("language", ["nb", "en"])
def test_page_runs_without_exception(demo_store, monkeypatch, page, language):
    app = start_app(demo_store, monkeypatch, language=language)
    goto(app, page)
    assert not app.exception, app.exception
    assert app.title, f"{page} shows no title"


def test_language_switch_changes_the_page_title(app):
    assert app.title[0].value == "Oversikt"
    app.selectbox(key="language").set_value("en").run()
    assert app.title[0].value == "Overview"


def label(key: str, language: str = "nb") -> str:
    """The column header the pages show for result column ``key`` (``col.<key>``)."""
    return STRINGS[f"col.{key}"][language]


def _sidebar_filters() -> Filters:
    first, last = period_presets(LAST)["last_4_weeks"]
    return Filters(first_day=first, last_day=last)


def test_overview_area_table_shows_presence_by_area(app):
    shown = app.dataframe[0].value
    expected = presence_by_area(open_store(os.environ["FELTKART_STORE"], create=False), _sidebar_filters())
    shown = shown.set_index(AREA_ID)  # the data keeps its column names; the headers are labels
    expected = expected.set_index(AREA_ID).loc[shown.index]
    assert len(shown) >= 5
    pd.testing.assert_series_equal(shown[PRESENCE_MINUTES].astype(float), expected[PRESENCE_MINUTES],
                                   check_names=False)
    pd.testing.assert_series_equal(shown[ENCOUNTERS].astype(int), expected[ENCOUNTERS].astype(int),
                                   check_names=False)


def test_coverage_cell_table_shows_presence_by_cell(app):
    goto(app, "pages/dekning.py")
    shown = app.dataframe[0].value.set_index(CELL)[PRESENCE_MINUTES].astype(float)
    expected = presence_by_cell(open_store(os.environ["FELTKART_STORE"], create=False), _sidebar_filters())
    expected = expected[expected[PRESENCE_MINUTES] > 0].set_index(CELL)[PRESENCE_MINUTES]
    assert len(shown) == len(expected) > 50
    pd.testing.assert_series_equal(shown.sort_index(), expected.sort_index(), check_names=False, check_index_type=False)


def test_encounter_count_on_the_encounters_page_is_the_cli_weekly_total(app):
    first, last = period_presets(LAST)["last_4_weeks"]
    goto(app, "pages/moter.py")
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli_main(["summary", "--store", os.environ["FELTKART_STORE"], "--from", first.isoformat(),
                         "--to", last.isoformat(), "--by", "week"]) == 0
    expected = int(pd.read_csv(io.StringIO(out.getvalue()))[ENCOUNTERS].sum())
    shown = f"{formatting.integer(expected, 'nb')} møter"  # 1 412 møter (narrow-space thousands)
    assert any(caption.value.startswith(shown) for caption in app.caption), [c.value for c in app.caption]


@pytest.mark.parametrize("script", [*PAGES, "dashboard.py"])
def test_scripts_have_no_bare_strings_that_streamlit_magic_would_render(script):
    import ast

    tree = ast.parse((REPO / script).read_text(encoding="utf-8"))
    bare = [
        node.lineno
        for node in tree.body[1:]  # the module docstring is not rendered
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    ]
    assert bare == [], f"{script}: bare string on line(s) {bare} would appear on the page; use a comment"
