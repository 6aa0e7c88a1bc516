"""Tests of geo.planning.config: defaults from PRODUCT.md and an error naming the key for every mistake."""

from __future__ import annotations

import pytest

from geo.planning.config import CONFIG_FILE, PlanningConfig, load_config, parse_config
from geo.planning.errors import PlanningConfigError
from geo.planning.slots import parse_week, week_days, week_label


def test_the_shipped_file_follows_product_md():
    config = load_config(CONFIG_FILE)
    assert config.source == "planning.toml"
    assert config.team == "uteseksjonen"
    assert 35 <= config.patrols_per_week() <= 40
    for weekday in range(4):  # Monday–Thursday: 3 day and 4 evening patrols until midnight
        assert config.patrols[(weekday, "day")] == 3 and config.patrols[(weekday, "evening")] == 4
    nights = sorted(d for (d, s) in config.patrols if s == "night")
    assert nights == [4, 5]  # night patrols only on Friday and Saturday nights
    assert config.staff == 2
    assert config.visit_minutes == (10.0, 15.0) and config.planned_visit_minutes == 12.5
    assert set(config.fixed_areas) == {"brugata-storgata", "vaterland-gronland", "oslo-s", "akerselva-nedre",
                                       "urtegata"}
    assert len(config.garages) == 5 and config.garage_rounds_per_week >= 1
    assert 0 < config.max_share < 1 and config.min_minutes_per_week > 0


def test_an_empty_file_gives_the_defaults():
    config = parse_config({})
    assert config == PlanningConfig(source="planning.toml")
    assert config.patrols_per_week() == 39


def test_rounds_and_stay_minutes_are_hand_computed():
    config = parse_config({"patrol": {"hours": {"day": 5, "evening": 6, "night": 7}, "stay_share": 0.5},
                           "visits": {"revisit_hours": 2}})
    assert (config.rounds("day"), config.rounds("evening"), config.rounds("night")) == (2, 3, 3)
    assert config.stay_minutes(0, "evening") == 4 * 6 * 60 * 0.5  # four evening patrols on Mondays
    assert config.stay_minutes(0, "night") == 0.0


def test_area_minimum_is_the_fixed_one_unless_overridden():
    config = parse_config({"areas": {"fixed": ["a", "b"], "min_minutes_per_week": 60, "min_minutes": {"b": 30, "c": 15}}})
    assert [config.min_minutes_of(a) for a in ("a", "b", "c", "d")] == [60.0, 30.0, 15.0, 0.0]


@pytest.mark.parametrize("data, message", [
    ({"capcity": 1}, r"capcity: unknown key; allowed: areas, follow_up, garages, history, patrol, patrols, team"),
    ({"visits": {"revisiting": 1}}, r"visits\.revisiting: unknown key; allowed in \[visits\]: decay, minutes, "
                                    r"revisit_hours"),
    ({"patrols": {"fredag": {"day": 1}}}, r"patrols\.fredag: unknown weekday; allowed: monday, tuesday, wednesday"),
    ({"patrols": {"friday": {"nite": 1}}}, r"patrols\.friday\.nite: unknown shift; allowed: day, evening, night"),
    ({"patrols": {"friday": {"night": -1}}}, r"patrols\.friday\.night: must be a whole number from 0 to 50; got -1"),
    ({"patrols": {"friday": {"night": 1.5}}}, r"patrols\.friday\.night: must be a whole number from 0 to 50; got 1.5"),
    ({"patrols": {"friday": 2}}, r"patrols\.friday: must be a table"),
    ({"patrol": {"hours": {"late": 3}}}, r"patrol\.hours\.late: unknown shift; allowed: day, evening, night"),
    ({"patrol": {"hours": {"day": 0}}}, r"patrol\.hours\.day: must be a number in \(0, 16\]; got 0"),
    ({"patrol": {"staff": 0}}, r"patrol\.staff: must be a whole number from 1 to 20; got 0"),
    ({"patrol": {"stay_share": 1.2}}, r"patrol\.stay_share: must be a number in \(0, 1\]; got 1.2"),
    ({"visits": {"minutes": [15, 10]}}, r"visits\.minutes: must be two numbers \[min, max\] with 1 ≤ min ≤ max"),
    ({"visits": {"minutes": 12}}, r"visits\.minutes: must be two numbers"),
    ({"visits": {"decay": 0}}, r"visits\.decay: must be a number in \(0, 1\]; got 0"),
    ({"areas": {"max_share": 1.5}}, r"areas\.max_share: must be a number in \(0, 1\]; got 1.5"),
    ({"areas": {"min_minutes_per_week": -5}}, r"areas\.min_minutes_per_week: must be a number in \[0, 10000\]"),
    ({"areas": {"fixed": "oslo-s"}}, r"areas\.fixed: must be a list of area ids in quotes"),
    ({"areas": {"min_minutes": {"oslo-s": "lots"}}}, r"areas\.min_minutes\.oslo-s: must be a number"),
    ({"garages": {"shifts": ["dawn"]}}, r"garages\.shifts: must be a non-empty list of shifts from day, evening, "
                                        r"night; got \['dawn'\]"),
    ({"garages": {"rounds_per_week": -1}}, r"garages\.rounds_per_week: must be a whole number from 0 to 100"),
    ({"weights": {"overdose": 2}}, r"weights\.overdose: unknown category; allowed: conversation, welfare_check"),
    ({"weights": {"acute_help": -1}}, r"weights\.acute_help: must be a number in \[0, 100\]; got -1"),
    ({"history": {"weeks": 0}}, r"history\.weeks: must be a whole number from 1 to 104; got 0"),
    ({"history": {"seasonal": "yes"}}, r"history\.seasonal: must be true or false; got 'yes'"),
    ({"follow_up": {"gap_share": 2}}, r"follow_up\.gap_share: must be a number in \(0, 1\]; got 2"),
    ({"team": 3}, r"team must be a team name in quotes"),
    ({"areas": {"fixed": ["x"]}, "garages": {"areas": ["x"]}}, r"garages\.areas: 'x' is also in areas\.fixed"),
])
def test_every_mistake_names_the_key_and_the_values_allowed(data, message):
    with pytest.raises(PlanningConfigError, match=message):
        parse_config(data)


def test_a_missing_or_broken_file_is_named(tmp_path):
    with pytest.raises(PlanningConfigError, match=r"planning file .*nope\.toml not found"):
        load_config(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[patrols\nmonday = 1", encoding="utf-8")
    with pytest.raises(PlanningConfigError, match=r"broken\.toml is not valid TOML"):
        load_config(broken)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text("[areas]\nmax_share = 2\n", encoding="utf-8")
    with pytest.raises(PlanningConfigError, match=r"^wrong\.toml: areas\.max_share"):
        load_config(wrong)


@pytest.mark.parametrize("changes, message", [
    ({"patrols": {(7, "day"): 1}}, r"patrols\.7\.day: must be a whole number from 0 to 50 for a weekday"),
    ({"patrols": {(0, "dawn"): 1}}, r"patrols\.monday\.dawn"),
    ({"patrols": {(0, "day"): -2}}, r"patrols\.monday\.day: .*got -2"),
    ({"weights": {"hugs": 1.0}}, r"weights\.hugs: unknown category"),
    ({"weights": {"other": -1.0}}, r"weights\.other: must be a number in \[0, 100\]"),
    ({"history_weeks": 0}, r"history\.weeks: must be a whole number from 1 to 104; got 0"),
])
def test_changes_made_on_the_page_are_checked_like_the_file(changes, message):
    with pytest.raises(PlanningConfigError, match=message):
        load_config().with_changes(**changes)


def test_iso_weeks():
    assert parse_week("2024-W10").isoformat() == "2024-03-04"
    assert parse_week("2020-W53").isoformat() == "2020-12-28"
    assert week_label(parse_week("2025-W01")) == "2025-W01"
    assert week_days(parse_week("2024-W10"))[1].isoformat() == "2024-03-10"
    with pytest.raises(ValueError, match=r"week must be an ISO week like 2024-W07; got '2024-10'"):
        parse_week("2024-10")
    with pytest.raises(ValueError, match=r"week '2024-W53' does not exist: 2024 has ISO weeks 1–52"):
        parse_week("2024-W53")
