"""Oversikt's attention block and the area profile page under AppTest, through the real router.

The four-week demo store of tests/test_auth.py (23.09–20.10.2024), signed in as its users: the
local admin (no sign-in), a district manager of vestre-aker (whose one area is Hovseter) and a
SaLTo partner. Every list and table is compared with the query it shows, asked directly.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo.queries import Filters, areas_not_visited
from geo.queries.area_profile import area_categories, area_periods
from geo.queries.attention import largest_changes, mismatched_hours
from geo.store import open_store
from tests.test_auth import MANAGER_VA, PARTNER, SECRETS, errors, start
from tests.test_auth import store as store  # noqa: F401 (module fixture)
from tests.test_page_format import page_problems
from tests.test_pages import goto
from ui.i18n import STRINGS
from ui.links import clicked_area, selected_area

THIS_WEEK = Filters(first_day=dt.date(2024, 10, 14), last_day=dt.date(2024, 10, 20))
LAST_WEEK = Filters(first_day=dt.date(2024, 10, 7), last_day=dt.date(2024, 10, 13))
FOUR_WEEKS = Filters(first_day=dt.date(2024, 9, 23), last_day=dt.date(2024, 10, 20))
"""The sidebar's "Denne uka" and its comparison, and its default "Siste 4 uker", on this store."""


def links(at, page: str) -> list[tuple[str, str]]:
    """(label, area id or "") of the page links to ``page`` (its URL path, e.g. ``omrade``)."""
    out = []
    for link in at.get("page_link"):
        if link.proto.page == page:
            query = dict(part.split("=", 1) for part in link.proto.query_string.split("&") if part)
            out.append((link.proto.label, query.get("area", "")))
    return out


def this_week(at):
    at.selectbox(key="period_preset").set_value("this_week").run()
    assert not at.exception, at.exception
    return at


def open_profile(store_path: str, monkeypatch, area: str, **kwargs):  # noqa: F811
    at = start(store_path, monkeypatch, **kwargs)
    at.query_params["area"] = area
    return goto(at, "pages/omrade.py")


# --- Oversikt: what needs attention -----------------------------------------------------------------------
def test_the_overview_leads_with_the_attention_block(store, monkeypatch):  # noqa: F811
    at = start(store, monkeypatch)
    assert at.subheader[0].value == STRINGS["attention.title"]["nb"]
    assert [m.value for m in at.markdown[:3]] == ["**Ikke besøkt på 14 dager**", "**Største endringer**",
                                                  "**Timer der tilstedeværelse og møter spriker**"]


def test_the_largest_changes_link_each_area_to_its_profile(store, monkeypatch):  # noqa: F811
    at = this_week(start(store, monkeypatch))
    expected = largest_changes(open_store(store, create=False), THIS_WEEK, LAST_WEEK)
    shown = links(at, "omrade")
    assert len(expected) == 5
    assert shown == list(zip(expected["area_name"], expected["area_id"]))
    described = [c.value for c in at.caption if " mot " in c.value and c.value.endswith("07.10–13.10.2024")]
    assert len(described) == 5 and described[0].startswith(STRINGS[f"col.{expected['measure'][0]}"]["nb"] + " ")


def test_unvisited_areas_follow_the_number_of_days_and_link_to_their_profiles(store, monkeypatch):  # noqa: F811
    at = this_week(start(store, monkeypatch))
    at.number_input(key="attention_days").set_value(2).run()
    expected = areas_not_visited(open_store(store, create=False), THIS_WEEK, days=2)
    assert len(expected) >= 1
    assert at.markdown[0].value == "**Ikke besøkt på 2 dager**"
    assert links(at, "omrade")[:len(expected.head(5))] == list(zip(expected["area_name"], expected["area_id"]))[:5]
    assert any(c.value.startswith("sist besøkt ") for c in at.caption)


def test_the_most_mismatched_hours_link_to_time_of_week(store, monkeypatch):  # noqa: F811
    at = start(store, monkeypatch)
    expected = mismatched_hours(open_store(store, create=False), FOUR_WEEKS)
    shown = [label for label, _ in links(at, "tid_pa_uka")]
    assert len(shown) == 3
    days = [STRINGS[f"weekday.{d}"]["nb"] for d in expected["weekday"]]
    assert shown == [f"{d} kl. {h:02d}–{h + 1:02d}" for d, h in zip(days, expected["hour"])]


def test_a_row_selected_in_the_area_table_opens_its_profile(store, monkeypatch):  # noqa: F811
    at = start(store, monkeypatch)
    areas = at.dataframe[0].value
    row = areas["area_id"].tolist().index("vaterland-gronland")
    at.session_state["overview_areas"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Områdeprofil" and at.header[0].value == "Vaterland/Grønland"
    assert at.query_params["area"] == "vaterland-gronland"


# --- the profile page ---------------------------------------------------------------------------------------
def test_the_profile_shows_the_linked_areas_periods_and_categories(store, monkeypatch):  # noqa: F811
    at = open_profile(store, monkeypatch, "vaterland-gronland")
    assert at.header[0].value == "Vaterland/Grønland" and not at.warning
    s = open_store(store, create=False)
    periods = area_periods(s, FOUR_WEEKS, "vaterland-gronland", period="week")
    shown = at.dataframe[1].value
    assert shown["period"].tolist() == periods["period"].tolist()
    pd.testing.assert_series_equal(shown["encounters"].astype(int), periods["encounters"].astype(int),
                                   check_names=False)
    categories = area_categories(s, FOUR_WEEKS, "vaterland-gronland")
    assert at.dataframe[2].value["encounters"].sum() == categories["encounters"].sum() > 0
    assert [m.label for m in at.metric] == ["Sist besøkt", "Dager siden besøk"]


def test_choosing_another_area_puts_it_in_the_link(store, monkeypatch):  # noqa: F811
    at = open_profile(store, monkeypatch, "vaterland-gronland")
    at.selectbox(key="profile_area").set_value("hovseter").run()
    assert at.header[0].value == "Hovseter" and at.query_params["area"] == "hovseter"


def test_an_unknown_area_in_the_link_gets_a_message_and_no_data(store, monkeypatch):  # noqa: F811
    at = open_profile(store, monkeypatch, "finnes-ikke")
    assert [w.value for w in at.warning] == [STRINGS["profile.unknown"]["nb"]]
    assert "finnes-ikke" not in " ".join(w.value for w in at.warning)
    assert not at.dataframe and not at.metric and not at.header
    assert at.selectbox(key="profile_area").value is None


def test_a_district_manager_does_not_see_another_teams_area(store, monkeypatch):  # noqa: F811
    at = open_profile(store, monkeypatch, "vaterland-gronland", user=MANAGER_VA, secrets=SECRETS)
    assert [w.value for w in at.warning] == [STRINGS["profile.unknown"]["nb"]] and not errors(at)
    assert not at.dataframe and not at.metric and not at.header
    assert at.selectbox(key="profile_area").options == ["Hovseter"]
    own = open_profile(store, monkeypatch, "hovseter", user=MANAGER_VA, secrets=SECRETS)
    assert own.header[0].value == "Hovseter" and not own.warning and own.dataframe


def test_a_district_managers_attention_block_lists_only_their_areas(store, monkeypatch):  # noqa: F811
    at = this_week(start(store, monkeypatch, user=MANAGER_VA, secrets=SECRETS))
    at.number_input(key="attention_days").set_value(2).run()  # Hovseter: last visited 17.10, three days before
    assert {area for _, area in links(at, "omrade")} == {"hovseter"}
    admin = this_week(start(store, monkeypatch))
    assert len({area for _, area in links(admin, "omrade")}) > 1


def test_a_partner_is_refused_the_profile_even_with_a_link(store, monkeypatch):  # noqa: F811
    at = open_profile(store, monkeypatch, "hovseter", user=PARTNER, secrets=SECRETS)
    assert len(errors(at)) == 1 and "ikke åpen for rollen samarbeidspartner" in errors(at)[0]
    assert not at.dataframe and not at.metric and not at.header and not at.get("page_link")


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_profile_reads_as_a_finished_product(store, monkeypatch, lang):  # noqa: F811
    at = start(store, monkeypatch)
    at.session_state["language"] = lang
    at.query_params["area"] = "oslo-s"
    goto(at, "pages/omrade.py")
    assert at.header and len(at.dataframe) == 4
    problems = page_problems(at, lang, "pages/omrade.py")
    assert not problems, "\n".join(problems)


# --- the ways in, without a browser -------------------------------------------------------------------------
def test_a_map_click_names_the_area_it_hit():
    state = {"last_active_drawing": {"type": "Feature", "properties": {"_key": "oslo-s", "area_name": "Oslo S"}}}
    assert clicked_area(state) == "oslo-s"
    assert clicked_area({"last_active_drawing": {"type": "Feature", "properties": {"name": "Storgata"}}}) is None
    assert clicked_area({"last_active_drawing": None}) is None and clicked_area(None) is None


def test_a_selected_row_names_its_area_but_not_the_outside_row():
    frame = pd.DataFrame({"area_id": ["oslo-s", "__outside__"], "area_name": ["Oslo S", "Utenfor"]})

    def event(rows):
        return type("Event", (), {"selection": type("Selection", (), {"rows": rows})()})()

    assert selected_area(event([0]), frame) == "oslo-s"
    assert selected_area(event([1]), frame) is None
    assert selected_area(event([]), frame) is None and selected_area(event([5]), frame) is None
