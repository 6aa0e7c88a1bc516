"""The Planlegging page under AppTest on a small demo store, in nb and en.

The plan shown is the one ``python -m geo plan`` prints for the same week; saving it adds a
version to the store (a copy: the shared demo store is read-only) and the plan-against-actual
section then lists it.
"""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr, redirect_stdout

import pandas as pd
import pytest

from geo.cli import main as cli_main
from tests.conftest import shared_demo_store
from tests.test_pages import FIRST, LAST, start_app

PAGE = "pages/planlegging.py"
NEXT_WEEK = "2024-W43"  # the week after the store's last day (Sunday 20 October 2024)


def frame(app, column: str) -> pd.DataFrame:
    """The first table on the page with ``column`` (AppTest does not expose st.dataframe keys)."""
    for table in app.dataframe:
        if column in table.value.columns:
            return table.value
    raise AssertionError(f"no table with a column {column!r}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return shared_demo_store(tmp_path_factory, FIRST, LAST)


@pytest.fixture
def own_copy(demo, tmp_path) -> str:
    return str(shutil.copy(demo, tmp_path / "demo.gpkg"))


@pytest.mark.parametrize("language, title, figure", [("nb", "Planlegging", "Planlagte besøk"),
                                                     ("en", "Planning", "Planned visits")])
def test_the_page_shows_a_plan_in_both_languages(demo, monkeypatch, language, title, figure):
    app = start_app(str(demo), monkeypatch, language=language, page=PAGE)
    assert app.title[0].value == title
    assert not app.error, [e.value for e in app.error]
    metrics = {m.label: m.value for m in app.metric}
    assert int(metrics[figure]) > 0
    grid = frame(app, "Man dag (3)" if language == "nb" else "Mon day (3)")
    assert len(grid) == 10 and (grid.sum(axis=1) > 0).all()  # every street area and garage of the centre
    why = frame(app, "Behov" if language == "nb" else "Need")
    assert len(why) == int(grid.to_numpy().astype(bool).sum())
    assert app.selectbox(key="planning_week").value.isoformat() == "2024-10-21"


def test_the_page_plan_is_the_cli_plan(demo, monkeypatch):
    app = start_app(str(demo), monkeypatch, page=PAGE)
    grid = frame(app, "Man dag (3)")
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        assert cli_main(["plan", "--store", str(demo), "--week", NEXT_WEEK]) == 0
    cli = pd.read_csv(io.StringIO(out.getvalue()))
    assert grid.sum(axis=1).sort_index().to_dict() == cli.groupby("area_name")["visits"].sum().sort_index().to_dict()


def test_saving_a_plan_lists_it_for_plan_against_actual(own_copy, monkeypatch):
    app = start_app(own_copy, monkeypatch, language="en", page=PAGE)
    assert any("No plans saved yet" in i.value for i in app.info)
    app.button(key="planning_save").click().run()
    assert not app.exception, app.exception
    assert [s.value for s in app.success] == [f"Saved as version 1 of {NEXT_WEEK}."]
    against = frame(app, "Gap")
    assert len(against) > 0 and set(against["Gap"]) == {"missed"}  # the week has not happened in the store
    assert any("not over in the store" in w.value for w in app.warning)


def test_fewer_history_weeks_and_a_smaller_stay_share_change_the_plan(demo, monkeypatch):
    app = start_app(str(demo), monkeypatch, language="en", page=PAGE)
    before = int(app.metric[0].value)
    app.slider(key="planning_stay").set_value(0.2).run()
    app.slider(key="planning_history").set_value(2).run()
    assert not app.exception and not app.error
    assert int(app.metric[0].value) < before
