"""ui.view_url: a dashboard view as URL query parameters and back (issue 15, item 5)."""

from __future__ import annotations

from datetime import date

import pytest

from ui.view_url import COMPARE_MODES, PRESETS, Problem, View, filter_param, parse_view, to_params


def test_the_default_view_is_a_bare_url():
    assert to_params(View()) == {}
    assert parse_view({}) == (View(), [])


@pytest.mark.parametrize("view", [
    View(preset="this_tertial", compare="last_year", team="Uteseksjonen"),
    View(preset="custom", custom=(date(2024, 9, 2), date(2024, 9, 29)), compare="none"),
    View(filters={"weekdays": [4, 5], "hours": (18, 24), "shifts": ["night"], "kinds": ["regular", "joint"]}),
    View(filters={"categories": ["acute_help", "welfare_check"], "ages": ["under_18"], "new": "yes", "res": 9}),
])
def test_round_trip(view):
    params = to_params(view)
    assert all(isinstance(v, str) for v in params.values())
    assert parse_view(params) == (view, [])


def test_parameters_as_a_person_reads_them():
    view = View(preset="custom", custom=(date(2024, 9, 2), date(2024, 9, 29)), team="Bydel Grünerløkka",
                filters={"weekdays": [4, 5], "hours": (18, 24), "res": 11})
    assert to_params(view) == {"from": "2024-09-02", "to": "2024-09-29", "team": "Bydel Grünerløkka",
                               "weekdays": "4,5", "hours": "18-24", "res": "11"}


def test_default_filter_values_are_left_out():
    assert filter_param("weekdays", []) is None
    assert filter_param("hours", (0, 24)) is None
    assert filter_param("new", "all") is None
    assert parse_view({"hours": "0-24", "new": "all"}) == (View(), [])


@pytest.mark.parametrize(("params", "problem"), [
    ({"period": "next_decade"}, Problem("period", "next_decade", "unknown")),
    ({"period": "custom"}, Problem("period", "custom", "incomplete")),
    ({"compare": "tomorrow"}, Problem("compare", "tomorrow", "unknown")),
    ({"from": "2024-13-01", "to": "2024-12-31"}, Problem("from", "2024-13-01", "malformed")),
    ({"from": "2024-09-02"}, Problem("to", "", "incomplete")),
    ({"from": "2024-09-29", "to": "2024-09-02"}, Problem("from", "2024-09-29..2024-09-02", "order")),
    ({"weekdays": "1,7"}, Problem("weekdays", "1,7", "unknown")),
    ({"weekdays": ","}, Problem("weekdays", ",", "unknown")),
    ({"shifts": "afternoon"}, Problem("shifts", "afternoon", "unknown")),
    ({"categories": "acute_help,<script>"}, Problem("categories", "acute_help,<script>", "unknown")),
    ({"hours": "18-"}, Problem("hours", "18-", "malformed")),
    ({"hours": "20-18"}, Problem("hours", "20-18", "malformed")),
    ({"hours": "0-25"}, Problem("hours", "0-25", "malformed")),
    ({"new": "maybe"}, Problem("new", "maybe", "unknown")),
    ({"res": "15"}, Problem("res", "15", "unknown")),
])
def test_a_bad_value_falls_back_to_the_default_and_is_reported(params, problem):
    view, problems = parse_view(params)
    assert problems == [problem]
    assert view == View()


def test_bad_values_leave_the_good_ones_in_place():
    view, problems = parse_view({"period": "this_week", "compare": "x", "weekdays": "0", "res": "abc",
                                 "utm_source": "mail"})
    assert view == View(preset="this_week", filters={"weekdays": [0]})
    assert [p.name for p in problems] == ["compare", "res"]


def test_custom_dates_win_over_a_preset():
    view, problems = parse_view({"period": "last_year", "from": "2024-01-01", "to": "2024-01-31"})
    assert (view.preset, view.custom, problems) == ("custom", (date(2024, 1, 1), date(2024, 1, 31)), [])


def test_a_view_with_dates_must_be_custom():
    with pytest.raises(ValueError, match="a custom period needs its dates"):
        View(preset="this_week", custom=(date(2024, 1, 1), date(2024, 1, 2)))
    with pytest.raises(ValueError, match="a custom period needs its dates"):
        View(preset="custom")


def test_an_unknown_filter_name_is_refused_when_writing():
    with pytest.raises(KeyError, match="not a page filter: colour"):
        filter_param("colour", "red")


def test_the_sidebar_offers_exactly_the_modes_the_link_accepts():
    from ui import sidebar

    assert sidebar.PRESETS is PRESETS and sidebar.COMPARE_MODES is COMPARE_MODES
