"""Every dashboard page runs under Streamlit's AppTest on a small demo store.

Checks: no exception on any page in either language; the Oversikt per-area
numbers equal ``python -m geo summary`` for the same period; the language
switch changes the UI text.
"""

from __future__ import annotations

import io
import os
from contextlib import redirect_stdout
from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.cli import main as cli_main
from geo.demo.store import build_demo_store
from geo.queries import period_presets
from tests.conftest import REPO

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
    """The dashboard under AppTest on ``demo_store`` in ``language``, settled, optionally switched to ``page``."""
    monkeypatch.setenv("FELTKART_STORE", demo_store)
    monkeypatch.chdir(REPO)
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=timeout_s)
    at.session_state["language"] = language  # AppTest keeps option labels; set the language up front
    at.run()
    # AppTest resets Streamlit's "pages/ folder" flag before every run, so from the
    # second run on it runs the page file directly (legacy multipage mode), where
    # the page draws the shared sidebar itself; widget identities settle after it.
    # The real server path (dashboard.py on every run) is covered by test_browser.py.
    at.run()
    assert not at.exception, at.exception
    if page is not None:
        at.switch_page(page).run()
        assert not at.exception, at.exception
    return at


@pytest.fixture
def app(demo_store, monkeypatch) -> AppTest:
    return start_app(demo_store, monkeypatch)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("language", ["nb", "en"])
def test_page_runs_without_exception(demo_store, monkeypatch, page, language):
    app = start_app(demo_store, monkeypatch, language=language)
    app.switch_page(page).run()
    assert not app.exception, app.exception
    assert app.title, f"{page} shows no title"


def test_language_switch_changes_the_page_title(app):
    assert app.title[0].value == "Oversikt"
    app.selectbox(key="language").set_value("en").run()
    assert app.title[0].value == "Overview"


def test_overview_area_table_equals_cli_summary(app):
    first, last = period_presets(LAST)["last_4_weeks"]
    shown = app.dataframe[0].value
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli_main(["summary", "--store", os.environ["FELTKART_STORE"],
                         "--from", first.isoformat(), "--to", last.isoformat(), "--by", "area"]) == 0
    cli = pd.read_csv(io.StringIO(out.getvalue()))
    cli = cli[cli["area_id"] != "__outside__"].set_index("area_id")
    shown = shown.set_index(shown.columns[0])
    common = cli.index.intersection(shown.index)
    assert len(common) >= 5
    minutes_col = [c for c in shown.columns if "minutter" in c.lower() and "person" not in c.lower()][0]
    encounters_col = [c for c in shown.columns if c.lower() in ("møter", "encounters")][0]
    pd.testing.assert_series_equal(
        shown.loc[common, minutes_col].astype(float).round(1), cli.loc[common, "patrol_minutes"].round(1),
        check_names=False,
    )
    pd.testing.assert_series_equal(
        shown.loc[common, encounters_col].astype(int), cli.loc[common, "encounters"].astype(int), check_names=False
    )


def _cli_summary(store: str, first: date, last: date, by: str) -> pd.DataFrame:
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli_main(["summary", "--store", store, "--from", first.isoformat(), "--to", last.isoformat(),
                         "--by", by]) == 0
    return pd.read_csv(io.StringIO(out.getvalue()))


def test_coverage_cell_table_equals_cli_summary_by_cell(app):
    first, last = period_presets(LAST)["last_4_weeks"]
    app.switch_page("pages/dekning.py").run()
    assert not app.exception, app.exception
    shown = app.dataframe[0].value
    cell_col, minutes_col = shown.columns[0], [c for c in shown.columns if "minutter" in c.lower()][0]
    shown = shown.set_index(cell_col)[minutes_col].astype(float)
    cli = _cli_summary(os.environ["FELTKART_STORE"], first, last, "cell")
    cli = cli[cli["patrol_minutes"] > 0].set_index("cell")["patrol_minutes"]
    assert len(shown) == len(cli) > 50
    assert sorted(shown.index) == sorted(cli.index)
    # the CLI prints minutes with 3 decimals
    assert (shown.sort_index() - cli.sort_index()).abs().max() < 0.002


def test_encounter_count_on_the_encounters_page_equals_cli_summary(app):
    first, last = period_presets(LAST)["last_4_weeks"]
    app.switch_page("pages/moter.py").run()
    assert not app.exception, app.exception
    weekly = _cli_summary(os.environ["FELTKART_STORE"], first, last, "week")
    expected = int(weekly["encounters"].sum())
    assert any(caption.value.startswith(f"{expected} møter") for caption in app.caption), [c.value for c in app.caption]


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
