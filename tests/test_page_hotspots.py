"""The Hotspots page under Streamlit's AppTest on the 2022–2024 demo store.

Checks: the page runs in both languages with its map, counts and
explanations; its cells per category equal ``python -m geo hotspots --counts``
for the same parameters; changing the period kind reruns the analysis.
"""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.cli import main as cli_main
from geo.hotspots import CATEGORIES
from tests.conftest import REPO
from tests.test_pages import start_app
from ui.i18n import STRINGS

PAGE = "pages/hotspots.py"
TIMEOUT_S = 180


@pytest.fixture(scope="module")
def store(demo_store_years) -> str:
    return str(demo_store_years)


def _start(store: str, monkeypatch, *, language: str = "nb") -> AppTest:
    return start_app(store, monkeypatch, language=language, page=PAGE, timeout_s=TIMEOUT_S)


def _cli_counts(store: str, *args: str) -> dict[str, int]:
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli_main(["hotspots", "--store", store, "--counts", *args]) == 0
    table = pd.read_csv(io.StringIO(out.getvalue()))
    return dict(zip(table["category"], table["cells"]))


def _shown_counts(app: AppTest, language: str) -> dict[str, int]:
    frame = app.dataframe[0].value
    to_code = {STRINGS[f"hotspots.cat.{c}"][language]: c for c in CATEGORIES}
    return {to_code[name]: int(n) for name, n in zip(frame.iloc[:, 0], frame.iloc[:, 1])}


@pytest.mark.parametrize(("language", "title"), [("nb", "Hotspots"), ("en", "Hot spots")])
def test_page_runs_in_both_languages(store, monkeypatch, language, title):
    app = _start(store, monkeypatch, language=language)
    assert app.title[0].value == title
    assert app.expander, "no explanation of the categories"
    explanations = " ".join(m.value for m in app.markdown)
    assert STRINGS["hotspots.explain.new_hot"][language] in explanations
    assert STRINGS["hotspots.explain.no_pattern"][language] in explanations


def test_category_counts_equal_the_cli(store, monkeypatch):
    app = _start(store, monkeypatch)
    shown = _shown_counts(app, "nb")
    cli = _cli_counts(store, "--period", "quarter")
    assert shown == {c: n for c, n in cli.items() if n > 0}
    assert any(c.endswith("_hot") for c in shown), "the demo's planted scenes show no hot spot"


def test_changing_period_and_neighbourhood_matches_the_cli(store, monkeypatch):
    app = _start(store, monkeypatch, language="en")
    app.radio(key="hotspots_period").set_value("tertial").run()
    app.number_input(key="hotspots_lag").set_value(0).run()
    assert not app.exception, app.exception
    assert _shown_counts(app, "en") == {c: n for c, n in _cli_counts(
        store, "--period", "tertial", "--time-lag", "0").items() if n > 0}


def test_dates_cutting_through_a_quarter_leave_it_out_and_say_so(store, monkeypatch):
    from datetime import date

    app = _start(store, monkeypatch)
    app.toggle(key="hotspots_limit").set_value(True).run()
    app.date_input(key="hotspots_dates").set_value((date(2022, 2, 10), date(2024, 12, 31))).run()
    assert not app.exception, app.exception
    assert any("2022-Q1" in c.value and "Utelatt" in c.value for c in app.caption), [c.value for c in app.caption]
    assert _shown_counts(app, "nb") == {c: n for c, n in _cli_counts(
        store, "--period", "quarter", "--from", "2022-02-10", "--to", "2024-12-31").items() if n > 0}


def test_page_has_no_bare_strings_that_streamlit_magic_would_render():
    import ast

    tree = ast.parse((REPO / PAGE).read_text(encoding="utf-8"))
    bare = [node.lineno for node in tree.body[1:]
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)]
    assert bare == []


def test_every_category_and_column_has_ui_strings():
    from geo.hotspots import CELLS, COLUMNS

    keys = [f"hotspots.{kind}.{c}" for c in CATEGORIES for kind in ("cat", "explain")]
    keys += [f"hotspots.col.{c}" for c in (*COLUMNS, CELLS)]
    assert [k for k in keys if k not in STRINGS] == []
