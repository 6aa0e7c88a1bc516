"""The Situasjonsbilde page under AppTest: runs in both languages and previews exactly the geo report."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from geo.queries import comparison_period, period_presets
from geo.report.content import build_report
from geo.report.presets import load_presets
from geo.store import open_store
from tests.conftest import shared_demo_store
from tests.test_pages import start_app

PAGE = "pages/situasjonsbilde.py"
FIRST, LAST = date(2024, 9, 23), date(2024, 10, 20)
TIMEOUT_S = 180


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    return str(shared_demo_store(tmp_path_factory, FIRST, LAST))


def _page(store_path: str, monkeypatch, language: str) -> AppTest:
    return start_app(store_path, monkeypatch, language=language, page=PAGE, timeout_s=TIMEOUT_S)


@pytest.mark.parametrize(("language", "title", "preset_label"),
                         [("nb", "Situasjonsbilde", "Samarbeidspartner"), ("en", "Situation picture", "Partner forum")])
def test_page_runs_in_both_languages(store_path, monkeypatch, language, title, preset_label):
    at = _page(store_path, monkeypatch, language)
    assert at.title[0].value == title
    assert at.selectbox(key="report_preset").label == preset_label
    assert at.slider(key="report_k").min == 3


def test_a_period_partners_cannot_get_is_refused_with_the_reason(store_path, monkeypatch):
    at = _page(store_path, monkeypatch, "nb")  # the sidebar's default: the last 4 weeks
    assert not at.exception, at.exception
    assert any("must be one whole ISO week" in e.value and "Nearest whole ISO week" in e.value for e in at.error)
    assert not at.dataframe


def test_preview_equals_the_geo_report(store_path, monkeypatch):
    at = _page(store_path, monkeypatch, "nb")
    at.selectbox(key="period_preset").set_value("this_week").run()  # partners get whole ISO weeks
    at.selectbox(key="report_preset").set_value("sentrum").run()
    at.slider(key="report_k").set_value(6).run()
    assert not at.exception, at.exception
    first, last = period_presets(LAST)["this_week"]
    book = load_presets()
    expected = build_report(open_store(store_path, create=False), book.get("sentrum"), first_day=first, last_day=last,
                            compare_first=comparison_period(first, last)[0],
                            compare_last=comparison_period(first, last)[1], k=6, book=book)
    order = ("areas", "hotspots", "categories", "trend", "time_of_week")  # as drawn on the page
    for table, shown in zip(order, at.dataframe):
        assert shown.value.astype(str).values.tolist() == expected.tables[table].astype(str).values.tolist(), table
    metrics = {m.label: m.value for m in at.metric}
    for figure in expected.key_figures:
        assert metrics[figure.label] == figure.current
    assert any("Sentrumssamarbeidet" in md.value for md in at.markdown)
