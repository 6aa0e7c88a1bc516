"""A link reopens its view (issue 15, item 5): the sidebar reads the URL's query parameters once at
session start (ui.sidebar, ui.view_url) and writes the view back; AppTest on a small demo store."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO
from tests.test_auth import MANAGER_VA, SECRETS, TIMEOUT_S
from tests.test_auth import store as store  # noqa: F401 (module fixture)


def open_link(store: str, monkeypatch, params: dict[str, str], *, page: str | None = None,  # noqa: F811
              user: dict | None = None) -> AppTest:
    """The dashboard opened on a URL with ``params`` (and the path of ``page``), as ``user``."""
    monkeypatch.setenv("FELTKART_STORE", store)
    monkeypatch.chdir(REPO)
    at = AppTest.from_string((REPO / "dashboard.py").read_text(encoding="utf-8"), default_timeout=TIMEOUT_S)
    at.session_state["language"] = "nb"
    if user is not None:
        at.user, at.secrets = user, SECRETS
    for name, value in params.items():
        at.query_params[name] = value
    if page is not None:
        at.switch_page(str(REPO / "pages" / page))
    at.run()
    assert not at.exception, at.exception
    return at


def warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.sidebar.warning]


def test_a_link_opens_the_sidebar_on_its_period_comparison_and_team(store, monkeypatch):  # noqa: F811
    at = open_link(store, monkeypatch, {"from": "2024-10-07", "to": "2024-10-13", "compare": "none",
                                        "team": "vestre-aker"})
    assert at.sidebar.selectbox(key="period_preset").value == "custom"
    assert at.sidebar.date_input(key="period_custom").value == (date(2024, 10, 7), date(2024, 10, 13))
    assert at.sidebar.selectbox(key="compare_mode").value == "none"
    assert at.sidebar.selectbox(key="team").value == "vestre-aker"
    assert not warnings(at)
    assert any("07.10.2024–13.10.2024" in c.value and "team: vestre-aker" in c.value for c in at.caption)
    assert {k: at.query_params[k] for k in ("from", "to", "compare", "team")} == {
        "from": "2024-10-07", "to": "2024-10-13", "compare": "none", "team": "vestre-aker"}


def test_a_link_opens_a_page_on_its_filters(store, monkeypatch):  # noqa: F811
    at = open_link(store, monkeypatch, {"period": "this_week", "weekdays": "4,5", "hours": "18-24",
                                        "shifts": "night", "res": "9"}, page="dekning.py")
    assert at.title[0].value == "Dekning"
    assert at.sidebar.selectbox(key="period_preset").value == "this_week"
    assert at.multiselect(key="coverage_weekdays").value == [4, 5]
    assert at.slider(key="coverage_hours").value == (18, 24)
    assert at.multiselect(key="coverage_shifts").value == ["night"]
    assert at.select_slider(key="coverage_res").value == 9
    assert any("ukedager: Fredag, Lørdag · vakt: Natt · kl. 18–24" in c.value for c in at.caption), [c.value for c in at.caption]


def test_a_widget_change_is_written_back_into_the_url(store, monkeypatch):  # noqa: F811
    at = open_link(store, monkeypatch, {}, page="moter.py")
    assert "period" not in at.query_params and "categories" not in at.query_params  # defaults: a bare URL
    at.sidebar.selectbox(key="period_preset").set_value("this_tertial").run()
    at.multiselect(key="encounters_categories").set_value(["acute_help"]).run()
    assert at.query_params["period"] == "this_tertial" and at.query_params["categories"] == "acute_help"
    at.sidebar.selectbox(key="period_preset").set_value("last_4_weeks").run()
    assert "period" not in at.query_params


def test_the_link_is_read_once_so_it_does_not_undo_the_users_changes(store, monkeypatch):  # noqa: F811
    at = open_link(store, monkeypatch, {"compare": "last_year"})
    at.sidebar.selectbox(key="compare_mode").set_value("previous").run()
    at.run()
    assert at.sidebar.selectbox(key="compare_mode").value == "previous"


@pytest.mark.parametrize(("params", "warning"), [
    ({"period": "next_decade"}, "ukjent verdi for «period» (next_decade)"),
    ({"from": "2024-02-30", "to": "2024-10-13"}, "ugyldig verdi for «from» (2024-02-30)"),
    ({"from": "2024-10-13", "to": "2024-10-07"}, "slutter før den begynner"),
    ({"team": "no-such-team"}, "teamet «no-such-team», som du ikke har tilgang til"),
])
def test_a_bad_link_opens_the_defaults_with_a_warning(store, monkeypatch, params, warning):  # noqa: F811
    at = open_link(store, monkeypatch, params)
    assert any(warning in w for w in warnings(at)), warnings(at)
    assert at.sidebar.selectbox(key="period_preset").value == "last_4_weeks"
    assert at.sidebar.selectbox(key="team").value == "__all__"


def test_a_link_beyond_the_data_is_moved_into_it(store, monkeypatch):  # noqa: F811
    at = open_link(store, monkeypatch, {"from": "2024-10-14", "to": "2025-01-31"})
    assert at.sidebar.date_input(key="period_custom").value == (date(2024, 10, 14), date(2024, 10, 20))
    assert any("flyttet til 14.10.2024–20.10.2024" in w for w in warnings(at)), warnings(at)


def test_a_link_with_a_team_outside_the_managers_scope_is_refused(store, monkeypatch):  # noqa: F811
    at = open_link(store, monkeypatch, {"team": "uteseksjonen"}, user=MANAGER_VA)
    assert any("teamet «uteseksjonen», som du ikke har tilgang til" in w for w in warnings(at)), warnings(at)
    assert at.sidebar.selectbox(key="team").options == ["vestre-aker"]
    assert "team: vestre-aker" in " ".join(c.value for c in at.caption)


def test_an_unknown_page_filter_value_is_dropped_with_a_warning(store, monkeypatch):  # noqa: F811
    at = open_link(store, monkeypatch, {"categories": "acute_help,shopping"}, page="moter.py")
    assert at.multiselect(key="encounters_categories").value == []
    assert any("«categories» (acute_help,shopping)" in w for w in warnings(at)), warnings(at)
