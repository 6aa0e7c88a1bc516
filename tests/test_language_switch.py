"""Switching the language keeps every selection (issue 15, deliver 2).

Streamlit keeps a radio's or selectbox's value in the browser as its label, so
after a switch the browser's old label matched no option (radios showed nothing
selected, selectboxes the old text). The language widget now writes every value
back, and Streamlit sends each again under its label in the new language: that
is what the browser needs (``set_value`` with the new ``raw_value``), checked
here; ``tests/test_browser.py`` checks what the browser then shows.
"""

from __future__ import annotations

import pytest

from tests.conftest import REPO
from tests.test_pages import start_app
from tests.test_pages import demo_store as demo_store  # noqa: F401 (module fixture)


def _sent(widget) -> str | None:
    """The value Streamlit tells the browser to show, or None when it leaves the browser's own."""
    return widget.proto.raw_value if widget.proto.set_value else None


def test_a_switch_sends_every_selection_again_in_the_new_language(demo_store, monkeypatch):  # noqa: F811
    at = start_app(demo_store, monkeypatch, language="nb")
    at.radio(key="overview_shade").set_value("encounters").run()
    at.selectbox(key="period_preset").set_value("this_week").run()
    at.radio(key="overview_basemap").set_value("none").run()
    at.selectbox(key="language").set_value("en").run()
    assert not at.exception
    assert at.radio(key="overview_shade").value == "encounters"
    assert _sent(at.radio(key="overview_shade")) == "Encounters"
    assert _sent(at.selectbox(key="period_preset")) == "This week"
    assert _sent(at.radio(key="overview_basemap")) == "None"
    at.selectbox(key="language").set_value("nb").run()
    assert _sent(at.radio(key="overview_shade")) == "Møter"
    assert _sent(at.selectbox(key="period_preset")) == "Denne uka"


def test_without_a_switch_nothing_is_resent(demo_store, monkeypatch):  # noqa: F811
    """The check above is not vacuous: an ordinary rerun leaves the browser's value alone."""
    at = start_app(demo_store, monkeypatch, language="nb")
    at.radio(key="overview_shade").set_value("encounters").run()
    at.run()
    assert _sent(at.radio(key="overview_shade")) is None


ALL_PAGES = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "pages").glob("*.py"))


@pytest.mark.parametrize("page", ALL_PAGES)
def test_every_page_survives_a_switch_with_its_buttons_and_downloads(demo_store, monkeypatch, page):  # noqa: F811
    """Buttons and download buttons hold no label and Streamlit refuses a value written for them:
    writing every key back made Oversikt (its CSV downloads), Situasjonsbilde and Data fail after a switch."""
    at = start_app(demo_store, monkeypatch, language="nb", page=page)
    at.selectbox(key="language").set_value("en").run()  # the run that draws the buttons again
    assert not at.exception, at.exception
    assert at.selectbox(key="language").value == "en"
