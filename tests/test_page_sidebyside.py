"""Dekning and Møter: two periods side by side or as a difference map (issue 15, deliver 6), under
AppTest with the real router, in both languages.

The demo store covers 23.09–20.10.2024; the sidebar's "this week" is 14.10–20.10 and its
previous period 07.10–13.10 (both whole weeks with data: totals compared as they are).
"""

from __future__ import annotations

import json
import os
from datetime import date

import pytest

from geo import formatting
from geo.queries import Filters
from geo.queries.difference import compare_cells
from geo.store import open_store
from tests.test_pages import demo_store, goto, start_app  # noqa: F401  (demo_store is a fixture)
from ui import sidebyside
from ui.i18n import STRINGS

B = Filters(first_day=date(2024, 10, 14), last_day=date(2024, 10, 20))
A = Filters(first_day=date(2024, 10, 7), last_day=date(2024, 10, 13))
PAGES = {"pages/dekning.py": ("coverage_view", "presence"), "pages/moter.py": ("encounters_view", "encounters")}


@pytest.fixture
def drawn(monkeypatch):
    """The folium maps the comparison views draw (AppTest runs the script in this process)."""
    maps = []
    monkeypatch.setattr(sidebyside, "show_map", lambda fmap, *, key: maps.append((key, fmap)))
    return maps


def this_week(demo_store, monkeypatch, page: str, language: str = "nb"):
    at = start_app(demo_store, monkeypatch, language=language)
    at.selectbox(key="period_preset").set_value("this_week").run()
    return goto(at, page)


def legend_boxes(fmap) -> list[str]:
    return [json.loads(child.box_json) for child in fmap._children.values() if type(child).__name__ == "_Legend"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("language", ["nb", "en"])
def test_side_by_side_draws_both_periods_with_one_legend_and_one_frame(demo_store, monkeypatch, drawn, page,
                                                                        language):
    key, _ = PAGES[page]
    at = this_week(demo_store, monkeypatch, page, language)
    at.radio(key=key).set_value("side_by_side").run()
    assert not at.exception, at.exception
    headers = [m.value for m in at.markdown]
    a_name, b_name = STRINGS["sidebyside.a"][language], STRINGS["sidebyside.b"][language]
    assert f"**{a_name}: 07.10.2024–13.10.2024**" in headers and f"**{b_name}: 14.10.2024–20.10.2024**" in headers
    (_, left), (_, right) = drawn[-2:]
    assert legend_boxes(left) == legend_boxes(right) and len(legend_boxes(left)) == 1
    assert (left.location, left.options["zoom"]) == (right.location, right.options["zoom"])


@pytest.mark.parametrize("page", PAGES)
def test_the_difference_map_counts_the_cells_the_query_compares(demo_store, monkeypatch, drawn, page):
    key, measure = PAGES[page]
    at = this_week(demo_store, monkeypatch, page)
    at.radio(key=key).set_value("difference").run()
    assert not at.exception, at.exception
    cells = compare_cells(open_store(os.environ["FELTKART_STORE"], create=False), B, A, measure=measure,
                          res=10).cells
    assert len(cells) > 10
    change = cells["change"]
    expected = STRINGS["sidebyside.summary"]["nb"].format(
        more=formatting.integer((change > 0).sum(), "nb"), less=formatting.integer((change < 0).sum(), "nb"),
        same=formatting.integer((change == 0).sum(), "nb"))
    assert expected in [c.value for c in at.caption]
    (_, fmap), = [d for d in drawn if d[0].endswith("_difference")]
    box = legend_boxes(fmap)[0]
    assert "14.10.2024–20.10.2024 mot 07.10.2024–13.10.2024" in box and "B − A" in box


def test_without_a_comparison_period_the_page_says_so_and_draws_its_one_map(demo_store, monkeypatch, drawn):
    at = this_week(demo_store, monkeypatch, "pages/dekning.py")
    at.selectbox(key="compare_mode").set_value("none").run()
    at.radio(key="coverage_view").set_value("difference").run()
    assert not at.exception, at.exception
    assert STRINGS["sidebyside.no_comparison"]["nb"] in [i.value for i in at.info]
    assert drawn == []  # the page's own single map (ui.components.show_map), not a comparison


def test_a_comparison_reaching_before_the_data_is_compared_per_day(demo_store, monkeypatch, drawn):
    # "last 4 weeks" is 23.09–20.10; its previous period 26.08–22.09 has no data at all
    at = start_app(demo_store, monkeypatch, page="pages/dekning.py")
    at.radio(key="coverage_view").set_value("side_by_side").run()
    assert not at.exception, at.exception
    assert STRINGS["sidebyside.no_data_a"]["nb"] in [i.value for i in at.info]
    assert STRINGS["sidebyside.per_day"]["nb"].format(a=0, b=28) in [c.value for c in at.caption]
