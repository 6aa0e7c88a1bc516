"""The Situasjonsbilde page under AppTest: runs in both languages and previews exactly the geo report."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

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


def test_the_page_offers_only_whole_ended_weeks_and_opens_on_the_nearest(store_path, monkeypatch):
    at = _page(store_path, monkeypatch, "nb")  # the sidebar's default: the last 4 weeks, 23.09–20.10.2024
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    assert at.selectbox(key="report_period").options == ["2024-W42 (14.10.2024–20.10.2024)",
                                                          "2024-W41 (07.10.2024–13.10.2024)",
                                                          "2024-W40 (30.09.2024–06.10.2024)",
                                                          "2024-W39 (23.09.2024–29.09.2024)"]
    assert at.selectbox(key="report_period").value == "2024-W39"  # the whole week nearest the sidebar's range


def test_preview_equals_the_geo_report(store_path, monkeypatch):
    at = _page(store_path, monkeypatch, "nb")
    at.selectbox(key="report_period").set_value("2024-W41").run()
    at.selectbox(key="report_preset").set_value("sentrum").run()
    at.slider(key="report_k").set_value(6).run()
    assert not at.exception, at.exception
    book = load_presets()
    expected = build_report(open_store(store_path, create=False), book.get("sentrum"), first_day=date(2024, 10, 7),
                            last_day=date(2024, 10, 13), compare_first=date(2024, 9, 30),
                            compare_last=date(2024, 10, 6), k=6, book=book)
    order = ("areas", "hotspots", "categories", "trend", "time_of_week")  # as drawn on the page
    for table, shown in zip(order, at.dataframe):
        assert shown.value.astype(str).values.tolist() == expected.tables[table].astype(str).values.tolist(), table
    metrics = {m.label: m.value for m in at.metric}
    for figure in expected.key_figures:
        assert metrics[figure.label] == figure.current
    assert any("Sentrumssamarbeidet" in md.value for md in at.markdown)


def test_the_managers_paragraph_is_previewed_as_text(store_path, monkeypatch):
    at = _page(store_path, monkeypatch, "nb")
    at.text_area(key="report_note").input("Mer uro ved   Trikkestallen i høst.").run()
    assert not at.exception, at.exception
    assert "Fra tjenesten" in [h.value for h in at.subheader]
    assert [x.value for x in at.text] == ["Mer uro ved Trikkestallen i høst."]
