"""The access policy (``geo/access.py``): who may call which query, team scope narrowed never
widened, partners only their presets' situation picture, and the role mapping's error messages."""

from __future__ import annotations

import importlib
import inspect
from datetime import date
from types import SimpleNamespace

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.access import (
    POLICY,
    AccessConfigError,
    AccessDenied,
    Capability,
    Role,
    User,
    check,
    load_access_config,
    user_from_claims,
    visible_rows,
    visible_teams,
)
from geo.queries import Filters

ADMIN = User("a1", Role.ADMIN)
MANAGER_ALL = User("m0", Role.MANAGER)
MANAGER_VA = User("m1", Role.MANAGER, teams=frozenset({"vestre-aker"}))
MANAGER_TWO = User("m2", Role.MANAGER, teams=frozenset({"vestre-aker", "grorud"}))
PARTNER = User("p1", Role.PARTNER, teams=frozenset(), presets=frozenset({"salto"}), min_k=5)
PERIOD = Filters(first_day=date(2024, 10, 1), last_day=date(2024, 10, 31))
PRESETS = ("salto", "sentrum", "trio")
ROLES = {"claim": "groups", "admin": ["fk-admin"], "manager": {"fk-ledere": "*", "fk-va": ["vestre-aker"],
                                                               "fk-grorud": ["grorud"]},
         "partner": {"forum-salto": ["salto"], "forum-trio": ["trio"]}}


def load(table, **kw):
    return load_access_config(table, presets=PRESETS, min_k=3, default_k=5, **kw)


# --- the policy table ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(POLICY))
def test_every_policy_entry_names_a_real_geo_function_taking_the_store_first(name):
    module, _, attr = name.rpartition(".")
    function = getattr(importlib.import_module(module), attr)
    assert f"{function.__module__}.{function.__qualname__}" == name
    first = next(iter(inspect.signature(function).parameters))
    assert first in ("store", "source", "location")


def test_every_team_scoped_query_takes_filters_or_teams():
    """A team-scoped entry must have somewhere to put the scope, or the narrowing would be lost."""
    for name, rule in POLICY.items():
        if rule.scope != "team_args":
            continue
        module, _, attr = name.rpartition(".")
        parameters = inspect.signature(getattr(importlib.import_module(module), attr)).parameters
        assert "teams" in parameters or "filters" in parameters, name


def test_admin_may_call_anything_unchanged():
    assert check(ADMIN, "geo.io.importer.import_file", ("x",), {"kind": "areas"}) == (("x",), {"kind": "areas"})


def test_an_unlisted_function_is_refused_for_managers_and_partners():
    with pytest.raises(AccessDenied, match="manager may not see import_file"):
        check(MANAGER_ALL, "geo.io.importer.import_file", ())
    with pytest.raises(AccessDenied, match="partner may not see import_file"):
        check(PARTNER, "geo.io.importer.import_file", ())


# --- team scope -----------------------------------------------------------------------------------------
def test_a_scoped_managers_all_teams_becomes_their_teams():
    (filters,), _ = check(MANAGER_TWO, "geo.queries.figures.key_figures", (PERIOD,))
    assert filters.teams == ("grorud", "vestre-aker")
    assert filters.first_day == PERIOD.first_day


def test_a_scoped_manager_may_narrow_to_one_of_their_teams():
    (filters,), _ = check(MANAGER_TWO, "geo.queries.places.presence_by_cell", (Filters(teams=("grorud",)),), {"res": 9})
    assert filters.teams == ("grorud",)


def test_a_team_outside_the_scope_is_refused_not_widened():
    with pytest.raises(AccessDenied, match="team uteseksjonen is outside your scope; you see vestre-aker"):
        check(MANAGER_VA, "geo.queries.places.encounter_points", (Filters(teams=("uteseksjonen", "vestre-aker")),))


def test_both_periods_of_a_comparison_are_narrowed_and_partners_never_see_it():
    earlier = Filters(first_day=date(2024, 1, 1), last_day=date(2024, 1, 7))
    (now, before), kwargs = check(MANAGER_VA, "geo.queries.difference.compare_cells", (PERIOD, earlier),
                                  {"measure": "encounters", "res": 10})
    assert now.teams == before.teams == ("vestre-aker",)
    assert kwargs == {"measure": "encounters", "res": 10}
    with pytest.raises(AccessDenied, match="partner may not see compare_cells"):
        check(PARTNER, "geo.queries.difference.compare_cells", (PERIOD, earlier), {"measure": "encounters"})


def test_filters_given_by_keyword_are_narrowed_too():
    _, kwargs = check(MANAGER_VA, "geo.changes.drift.encounter_drift", (), {"filters": PERIOD, "period": "year"})
    assert kwargs == {"filters": Filters(first_day=PERIOD.first_day, last_day=PERIOD.last_day,
                                         teams=("vestre-aker",)), "period": "year"}


def test_a_teams_keyword_is_narrowed_and_added_when_missing():
    _, kwargs = check(MANAGER_VA, "geo.hotspots.emerging_hotspots", (), {"period": "month", "teams": None})
    assert kwargs["teams"] == ("vestre-aker",)
    _, kwargs = check(MANAGER_VA, "geo.hotspots.emerging_hotspots", (), {"period": "month"})
    assert kwargs["teams"] == ("vestre-aker",)


def test_a_manager_of_all_teams_keeps_what_they_asked_for():
    (filters,), _ = check(MANAGER_ALL, "geo.queries.figures.key_figures", (PERIOD,))
    assert filters == PERIOD


def test_an_empty_team_choice_selects_nothing_and_is_allowed():
    (filters,), _ = check(MANAGER_VA, "geo.queries.figures.key_figures", (Filters(teams=()),))
    assert filters.teams == ()


def test_store_wide_questions_are_not_rewritten():
    assert check(MANAGER_VA, "geo.queries.summary.patrol_day_span", ()) == ((), {})
    assert check(PARTNER, "geo.queries.summary.patrol_day_span", ()) == ((), {})


def test_field_areas_of_other_teams_are_dropped_from_area_answers():
    areas = gpd.GeoDataFrame({"area_id": ["hovseter", "oslo-s"], "team": ["vestre-aker", "uteseksjonen"]},
                             geometry=[Point(10.65, 59.95), Point(10.75, 59.91)], crs=4326)
    shown = visible_rows(MANAGER_VA, "geo.queries.places.area_geometries", areas)
    assert list(shown["area_id"]) == ["hovseter"]
    assert visible_rows(MANAGER_ALL, "geo.queries.places.area_geometries", areas) is areas
    figures = pd.DataFrame({"area_id": ["hovseter", "oslo-s", "__outside__"], "minutes": [3.0, 0.0, 0.0]})
    owners = {"hovseter": "vestre-aker", "oslo-s": "uteseksjonen"}
    shown = visible_rows(MANAGER_VA, "geo.queries.places.presence_by_area", figures, owners=lambda: owners)
    assert list(shown["area_id"]) == ["hovseter", "__outside__"]  # rows that are no area stay
    cells = pd.DataFrame({"key": ["8a0899", "oslo-s"], "encounters": [2, 1]})
    shown = visible_rows(MANAGER_VA, "geo.queries.trends.effort_vs_need", cells, owners=lambda: owners)
    assert list(shown["key"]) == ["8a0899"]
    minutes = pd.DataFrame({"minutes": [1.0]})  # not a listing of areas: unchanged
    assert visible_rows(MANAGER_VA, "geo.queries.figures.key_figures", minutes) is minutes


def test_visible_teams_keeps_order_and_scope():
    assert visible_teams(MANAGER_TWO, ["grorud", "uteseksjonen", "vestre-aker"]) == ["grorud", "vestre-aker"]
    assert visible_teams(MANAGER_ALL, ["b", "a"]) == ["b", "a"]
    assert visible_teams(PARTNER, ["a"]) == []


# --- partners -------------------------------------------------------------------------------------------
def test_a_partner_may_preview_their_preset_for_all_teams():
    args, kwargs = check(PARTNER, "geo.report.export.preview_report", ("salto",),
                         {"first_day": PERIOD.first_day, "last_day": PERIOD.last_day, "k": 5, "teams": None})
    assert args == ("salto",) and kwargs["teams"] is None and kwargs["k"] == 5


def test_a_partner_is_refused_another_forums_preset():
    with pytest.raises(AccessDenied, match=r"situation picture 'sentrum' is not one of yours \(salto\)"):
        check(PARTNER, "geo.report.export.preview_report", ("sentrum",), {"k": 5})


def test_a_partner_is_refused_a_team_part_of_the_picture():
    """One team's picture next to the whole would let a partner subtract suppressed counts."""
    with pytest.raises(AccessDenied, match="all teams together, not one team's part"):
        check(PARTNER, "geo.report.export.preview_report", ("salto",), {"k": 5, "teams": ("vestre-aker",)})


def test_a_partner_is_refused_k_below_their_floor():
    with pytest.raises(AccessDenied, match="k of at least 5; got k = 3"):
        check(PARTNER, "geo.report.export.preview_report", ("salto",), {"k": 3})


def test_a_partner_is_refused_other_options():
    with pytest.raises(AccessDenied, match="takes no presets_file"):
        check(PARTNER, "geo.report.export.preview_report", ("salto",), {"k": 5, "presets_file": "/etc/x.toml"})


@pytest.mark.parametrize("name", ["geo.queries.places.encounter_points", "geo.queries.places.presence_by_cell",
                                  "geo.queries.figures.key_figures", "geo.queries.figures.teams",
                                  "geo.changes.history.area_timeline"])
def test_a_partner_may_ask_no_manager_query(name):
    with pytest.raises(AccessDenied, match="partner may not see"):
        check(PARTNER, name, (PERIOD,))


def _report(preset: str, *, k: int = 5, teams=None):
    return SimpleNamespace(preset=SimpleNamespace(key=preset), k=k, teams=teams)


def test_an_export_is_checked_like_its_preview():
    check(PARTNER, "geo.report.export.render_and_log", ("store.gpkg", _report("salto"), "pdf", "sb.pdf"))
    with pytest.raises(AccessDenied, match="'trio' is not one of yours"):
        check(PARTNER, "geo.report.export.render_and_log", ("store.gpkg", _report("trio"), "pdf", "sb.pdf"))
    with pytest.raises(AccessDenied, match="k of at least 5; got k = 4"):
        check(PARTNER, "geo.report.export.render_and_log", ("store.gpkg", _report("salto", k=4), "csv", "sb.csv"))
    check(MANAGER_VA, "geo.report.export.render_and_log", ("s", _report("trio", teams=("vestre-aker",)), "pdf", "x"))
    with pytest.raises(AccessDenied, match="covers more teams than yours"):
        check(MANAGER_VA, "geo.report.export.render_and_log", ("s", _report("trio"), "pdf", "x"))


# --- capabilities ---------------------------------------------------------------------------------------
def test_capabilities_per_role():
    assert all(ADMIN.may(c) for c in Capability)
    assert {c for c in Capability if MANAGER_VA.may(c)} == {
        Capability.ANALYSIS, Capability.SITUATION_PICTURE, Capability.EXPORT_LOG}
    assert {c for c in Capability if PARTNER.may(c)} == {Capability.SITUATION_PICTURE}
    with pytest.raises(AccessDenied, match="partner may not open area editor"):
        PARTNER.require(Capability.AREA_EDITOR)


# --- the role mapping ------------------------------------------------------------------------------------
def test_claims_map_to_the_highest_role():
    config = load(ROLES)
    assert user_from_claims({"sub": "u", "groups": ["forum-salto", "fk-admin"]}, config).role is Role.ADMIN
    manager = user_from_claims({"sub": "u", "groups": ["forum-salto", "fk-va", "fk-grorud"], "name": "Mona"}, config)
    assert (manager.role, manager.teams, manager.name) == (Role.MANAGER, frozenset({"vestre-aker", "grorud"}), "Mona")
    assert user_from_claims({"sub": "u", "groups": ["fk-va", "fk-ledere"]}, config).teams is None
    partner = user_from_claims({"sub": "u", "groups": ["forum-salto", "forum-trio"]}, config)
    assert (partner.role, partner.presets, partner.min_k) == (Role.PARTNER, frozenset({"salto", "trio"}), 5)
    assert user_from_claims({"sub": "u", "groups": ["someone-else"]}, config) is None
    assert user_from_claims({"sub": "u"}, config) is None


def test_a_single_string_claim_and_a_nested_claim_are_read():
    assert user_from_claims({"sub": "u", "role": "fk-admin"}, load({**ROLES, "claim": "role"})).role is Role.ADMIN
    nested = load({**ROLES, "claim": "realm_access.roles"})
    assert user_from_claims({"sub": "u", "realm_access": {"roles": ["fk-va"]}}, nested).role is Role.MANAGER


def test_a_token_without_subject_is_refused():
    with pytest.raises(AccessDenied, match="no subject id"):
        user_from_claims({"groups": ["fk-admin"]}, load(ROLES))


def test_partner_floor_can_be_raised_not_lowered_below_the_exports_minimum():
    assert load({**ROLES, "partner_min_k": 8}).partner_min_k == 8
    with pytest.raises(AccessConfigError, match=r"partner_min_k must be a whole number of at least 3; got 2"):
        load({**ROLES, "partner_min_k": 2})


@pytest.mark.parametrize(("table", "message"), [
    (None, r"sign-in is configured but \[feltkart.roles\] is missing"),
    ({**ROLES, "admins": ["x"]}, r"unknown key admins; allowed keys: claim, admin, manager, partner, partner_min_k"),
    ({**ROLES, "claim": ""}, r"claim must name the ID-token claim .* got ''"),
    ({k: v for k, v in ROLES.items() if k != "claim"}, r"claim must name the ID-token claim .* got None"),
    ({**ROLES, "manager": {"fk-va": "vestre-aker,grorud", "x": 3}}, r"manager.x must be a list of names or \"\*\""),
    ({**ROLES, "manager": ["fk-va"]}, r"manager must be a table of claim value = list"),
    ({**ROLES, "partner": {"forum": "*"}}, r"unknown preset \*; allowed presets: salto, sentrum, trio"),
    ({**ROLES, "partner": {"forum": ["salto", "kripos"]}}, r"partner.forum: unknown preset kripos"),
    ({**ROLES, "admin": [1]}, r"admin must be a list of names; got \[1\]"),
])
def test_every_mistake_in_the_role_mapping_names_its_key(table, message):
    with pytest.raises(AccessConfigError, match=message):
        load(table)


# --- the first screen's attention block and an area's profile (issue 15, items 8 and 4) ---------------------
ATTENTION_AND_PROFILE = sorted(name for name in POLICY if name.startswith(("geo.queries.attention.",
                                                                           "geo.queries.area_profile.")))


def test_the_attention_block_and_the_area_profile_are_in_the_policy():
    assert len(ATTENTION_AND_PROFILE) == 7


@pytest.mark.parametrize("name", ATTENTION_AND_PROFILE)
def test_a_partner_never_reaches_the_attention_block_or_an_area_profile(name):
    with pytest.raises(AccessDenied, match="partner may not see"):
        check(PARTNER, name, (PERIOD, "hovseter"))


def test_both_periods_of_the_largest_changes_are_narrowed_to_the_managers_teams():
    before = Filters(first_day=PERIOD.first_day, last_day=PERIOD.last_day)
    args, _ = check(MANAGER_VA, "geo.queries.attention.largest_changes", (PERIOD, before))
    assert [a.teams for a in args] == [("vestre-aker",), ("vestre-aker",)]


@pytest.mark.parametrize("name", [n for n in ATTENTION_AND_PROFILE if not n.endswith("mismatched_hours")])
def test_another_teams_area_is_dropped_from_profile_and_change_answers(name):
    answer = pd.DataFrame({"area_id": ["oslo-s", "oslo-s"], "encounters": [4, 1]})
    owners = {"hovseter": "vestre-aker", "oslo-s": "uteseksjonen"}
    assert visible_rows(MANAGER_VA, name, answer, owners=lambda: owners).empty
    assert len(visible_rows(MANAGER_ALL, name, answer, owners=lambda: owners)) == 2
