"""Who may read what: roles, team scope and partner presets, decided in one place.

PRODUCT.md, "Who sees what". Three roles:

- **admin**: everything (imports, the area editor and drafts adoption, store
  choice, retention, the audit log) and every analysis;
- **manager**: every analysis page, including single encounter points, for the
  teams their sign-in names (or all teams);
- **partner**: only the situation picture of the presets they are entitled
  to, disclosure-controlled as the exports are.

The dashboard builds a :class:`User` from the sign-in (``ui/auth.py``: the
ID-token claim named in :class:`AccessConfig`, or the local admin without
sign-in) and calls :func:`check` before every cached query and every export
(``ui/state.py``), so a refused question is never answered, not even from the
cache. :func:`check` decides from :data:`POLICY`, a table of the ``geo``
functions each role may call and how their team scope applies:

- ``TEAM_ARGS``: the answer covers only the teams in the function's
  :class:`~geo.queries.Filters` (any positional or keyword argument) or its
  ``teams=`` keyword; a scoped user's teams are forced within their scope
  (None becomes their teams; a team outside it is refused): narrowed, never widened;
- ``STORE_WIDE``: the answer is about the store, not about any team's
  patrols or encounters (the store's date span, the list of teams);
- ``REPORT``: an export of a situation picture already built: its teams,
  preset and k are checked as they were for its preview;
- ``area_rows`` / ``area_ids``: the answer is a frame of field areas whose
  ``team`` column names the owning team, or a frame with a row per area id;
  :func:`visible_rows` drops the rows of other teams' areas (rows that are no
  area, such as ``__outside__`` or an H3 cell, stay).

Admins may call any function of ``geo``. Managers and partners may call only
what the table names (deny by default): a new query needs an entry here.
Nothing here imports Streamlit; the table names functions by their qualified
name so that this module need not import the analyses it guards.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pandas as pd

from geo.errors import FeltkartError
from geo.queries.filters import Filters


class Role(StrEnum):
    """What a signed-in user may do (PRODUCT.md, "Who sees what")."""

    ADMIN = "admin"
    MANAGER = "manager"
    PARTNER = "partner"


class Capability(StrEnum):
    """A part of the dashboard a page or tool needs, besides the queries it runs."""

    ANALYSIS = "analysis"
    """The analysis pages (Oversikt, Dekning, Møter, …)."""
    SITUATION_PICTURE = "situation_picture"
    """The Situasjonsbilde page: preview and downloads of the user's presets."""
    EXPORT_LOG = "export_log"
    """The export log under the situation picture (every forum's downloads)."""
    DATA = "data"
    """The Data page: imports, past imports, store facts."""
    AREA_EDITOR = "area_editor"
    """The field-area editor and the adoption of saved drafts."""
    STORE_CHOICE = "store_choice"
    """Choosing the store in the sidebar, including a free-text path."""
    AUDIT_LOG = "audit_log"
    """Reading the audit log (sign-ins, imports, area changes, exports, retention)."""


ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.ADMIN: frozenset(Capability),
    Role.MANAGER: frozenset({Capability.ANALYSIS, Capability.SITUATION_PICTURE, Capability.EXPORT_LOG}),
    Role.PARTNER: frozenset({Capability.SITUATION_PICTURE}),
}

CLAIM_KEYS = ("claim", "admin", "manager", "partner", "partner_min_k")
"""The keys of the role mapping (``[feltkart.roles]`` in secrets.toml)."""
ALL = "*"
"""A manager claim value mapped to ``"*"`` sees every team."""


class AccessDenied(FeltkartError):
    """The signed-in user may not see what was asked for (said to them, never a traceback)."""


class AccessConfigError(FeltkartError):
    """The role mapping is missing or wrong; the message names the key and what is allowed."""


@dataclass(frozen=True, slots=True)
class User:
    """Who is asking.

    Attributes
    ----------
    subject
        The identity provider's subject id (``sub`` claim); what the audit log records.
    role
        :class:`Role`.
    teams
        The teams whose patrols, encounters and field areas the user sees; None = all teams.
    presets
        The situation-picture presets (keys of ``config/presets.toml``) the user may open;
        None = every preset.
    name
        A display name for the sidebar (never logged); None when the token has none.
    min_k
        The smallest k the user may ask of a situation picture (partners: the
        configured floor; staff: None, the exports' own minimum applies).
    """

    subject: str
    role: Role
    teams: frozenset[str] | None = None
    presets: frozenset[str] | None = None
    name: str | None = None
    min_k: int | None = None

    def may(self, capability: Capability) -> bool:
        """Whether the user's role includes ``capability``."""
        return capability in ROLE_CAPABILITIES[self.role]

    def require(self, capability: Capability) -> None:
        """Raise :class:`AccessDenied` unless the user's role includes ``capability``."""
        if not self.may(capability):
            raise AccessDenied(f"{self.role.value} may not open {capability.value.replace('_', ' ')}; "
                               f"ask an administrator if you need it")

    def may_open_preset(self, preset: str) -> bool:
        """Whether the user may see the situation picture of ``preset``."""
        return self.presets is None or preset in self.presets


# --- the policy table ---------------------------------------------------------------------------------
TEAM_ARGS = "team_args"
STORE_WIDE = "store_wide"
REPORT = "report"
PLAN = "plan"


@dataclass(frozen=True, slots=True)
class Rule:
    """Who may call one ``geo`` function and how the team scope applies to it.

    ``scope`` is :data:`TEAM_ARGS`, :data:`STORE_WIDE`, :data:`REPORT` or :data:`PLAN` (the
    team a patrol plan is made for, in ``config.team`` or ``team=``, must be the user's); ``area_rows`` names
    the owning-team column of an answer listing field areas, ``area_ids`` the
    area-id column of an answer with a row per area (None: not one);
    ``preset`` says the first argument after the store is a preset key.
    """

    roles: frozenset[Role]
    scope: str = TEAM_ARGS
    area_rows: str | None = None
    area_ids: str | None = None
    preset: bool = False


STAFF = frozenset({Role.ADMIN, Role.MANAGER})
EVERYONE = frozenset(Role)

POLICY: dict[str, Rule] = {
    # metadata the sidebar needs: the store's date span, teams and patrol kinds
    "geo.queries.summary.patrol_day_span": Rule(EVERYONE, STORE_WIDE),
    "geo.queries.figures.teams": Rule(STAFF, STORE_WIDE),
    "geo.queries.figures.patrol_kinds": Rule(STAFF, STORE_WIDE),
    # analysis pages
    "geo.queries.figures.key_figures": Rule(STAFF),
    "geo.queries.places.presence_by_area": Rule(STAFF, area_ids="area_id"),
    "geo.queries.places.presence_by_cell": Rule(STAFF),
    "geo.queries.places.encounters_by_cell": Rule(STAFF),
    "geo.queries.places.encounter_points": Rule(STAFF),
    "geo.queries.places.areas_not_visited": Rule(STAFF),
    # two periods side by side / as a difference: presence or encounters per cell (never for partners)
    "geo.queries.difference.compare_cells": Rule(STAFF),
    "geo.queries.places.area_geometries": Rule(STAFF, area_rows="team"),
    "geo.queries.trends.effort_vs_need": Rule(STAFF, area_ids="key"),
    "geo.queries.trends.encounter_trend": Rule(STAFF),
    "geo.queries.trends.time_of_week": Rule(STAFF),
    "geo.hotspots.emerging_hotspots": Rule(STAFF),
    # the first screen's attention block and an area's profile (rows per area id: other teams' areas dropped)
    "geo.queries.attention.largest_changes": Rule(STAFF, area_ids="area_id"),
    "geo.queries.attention.mismatched_hours": Rule(STAFF),
    "geo.queries.area_profile.area_periods": Rule(STAFF, area_ids="area_id"),
    "geo.queries.area_profile.area_time_of_week": Rule(STAFF, area_ids="area_id"),
    "geo.queries.area_profile.area_categories": Rule(STAFF, area_ids="area_id"),
    "geo.queries.area_profile.area_last_visit": Rule(STAFF, area_ids="area_id"),
    "geo.queries.area_profile.area_cells": Rule(STAFF, area_ids="area_id"),
    "geo.changes.history.area_timeline": Rule(STAFF, STORE_WIDE, area_rows="team"),
    "geo.changes.history.compare_areas": Rule(STAFF, STORE_WIDE, area_ids="area_id"),
    "geo.changes.drift.encounter_drift": Rule(STAFF),
    "geo.changes.drift.presence_drift": Rule(STAFF),
    "geo.changes.drift.ring_shares": Rule(STAFF),
    "geo.changes.effective.effective_areas": Rule(STAFF),
    "geo.changes.effective.area_drafts": Rule(STAFF),
    "geo.changes.history.area_change_log": Rule(STAFF),
    # patrol planning: a plan is made for one team (config.team), which must be the user's
    "geo.planning.recommendation.recommend": Rule(STAFF, PLAN),
    "geo.planning.actual.saved_weeks": Rule(STAFF, PLAN),
    "geo.planning.actual.plan_vs_actual": Rule(STAFF, PLAN),
    # the situation picture: preview and the audit-logged export
    "geo.report.export.preview_report": Rule(EVERYONE, preset=True),
    "geo.report.export.render_and_log": Rule(EVERYONE, REPORT),
}
"""What managers and partners may call (admins may call any function of ``geo``)."""

PARTNER_KEYWORDS = frozenset({"first_day", "last_day", "k", "compare_first", "compare_last", "teams"})
"""The only options a partner's situation picture may set (not ``presets_file``, for one)."""


def check(user: User, function: str, args: tuple = (), kwargs: Mapping[str, Any] | None = None
          ) -> tuple[tuple, dict[str, Any]]:
    """The arguments ``user`` may call ``function`` (``module.name`` of a ``geo`` function) with.

    ``args`` and ``kwargs`` are the arguments after the store. Returns them
    with every team scope narrowed to the user's teams; raises
    :class:`AccessDenied` when the user may not call the function at all,
    names a team outside their scope, or (partners) asks for a preset they are
    not entitled to, a team breakdown, or a k below their floor.
    """
    kwargs = dict(kwargs or {})
    if user.role is Role.ADMIN:
        return tuple(args), kwargs
    rule = POLICY.get(function)
    if rule is None or user.role not in rule.roles:
        raise AccessDenied(f"{user.role.value} may not see {function.rpartition('.')[2]}; "
                           f"this part of Feltkart is not open to your role")
    if rule.scope == REPORT:
        _check_report(user, args[1] if len(args) > 1 else kwargs.get("report"))
        return tuple(args), kwargs
    if rule.scope == PLAN:
        _check_plan_team(user, kwargs)
        return tuple(args), kwargs
    if rule.preset:
        _check_preset(user, args[0] if args else kwargs.get("preset"))
        if user.role is Role.PARTNER:
            unknown = sorted(set(kwargs) - PARTNER_KEYWORDS)
            if unknown:
                raise AccessDenied(f"a partner's situation picture takes no {', '.join(unknown)}")
            _check_report_options(user, k=kwargs.get("k"), teams=kwargs.get("teams"))
    if rule.scope == TEAM_ARGS:
        args = tuple(_narrow(user, a) if isinstance(a, Filters) else a for a in args)
        kwargs = {k: _narrow(user, v) if isinstance(v, Filters) else v for k, v in kwargs.items()}
        if "teams" in kwargs or not any(isinstance(a, Filters) for a in (*args, *kwargs.values())):
            kwargs["teams"] = _narrow_teams(user, kwargs.get("teams"))
    return args, kwargs


def _check_plan_team(user: User, kwargs: Mapping[str, Any]) -> None:
    """A scoped manager plans, and follows up, only their own team's patrols."""
    if user.teams is None:
        return
    if "config" in kwargs:
        team = getattr(kwargs["config"], "team", None)
    elif "team" in kwargs:
        team = kwargs["team"]
    else:
        raise AccessDenied("a plan for a team-scoped manager must name its team")
    if team not in user.teams:
        raise AccessDenied(f"plans for {team or 'every team'} are outside your teams ({', '.join(sorted(user.teams))})")


def visible_rows(user: User, function: str, answer: object,
                 owners: Callable[[], Mapping[str, str]] | None = None) -> object:
    """``answer`` of ``function`` as ``user`` may see it: field areas of other teams left out.

    Applied to every answer, cached or not; answers that list no field areas
    are returned as they are. ``owners`` gives each area id's owning team
    (asked only for an answer with a row per area id).
    """
    rule = POLICY.get(function)
    if user.teams is None or rule is None or not isinstance(answer, pd.DataFrame):
        return answer
    mine = sorted(user.teams)
    if rule.area_rows is not None:
        return answer[answer[rule.area_rows].isin(mine)].reset_index(drop=True)
    if rule.area_ids is not None and owners is not None:
        owner = answer[rule.area_ids].map(owners())
        return answer[owner.isna() | owner.isin(mine)].reset_index(drop=True)
    return answer


def visible_teams(user: User, teams: Iterable[str]) -> list[str]:
    """The teams of ``teams`` that ``user`` sees, in order."""
    return [team for team in teams if user.teams is None or team in user.teams]


def _narrow(user: User, filters: Filters) -> Filters:
    return dataclasses.replace(filters, teams=_narrow_teams(user, filters.teams))


def _narrow_teams(user: User, teams: tuple[str, ...] | None) -> tuple[str, ...] | None:
    if user.role is Role.PARTNER:
        return None  # a partner sees the forum's whole picture (a team part is refused in check)
    if user.teams is None:
        return teams
    if teams is None:
        return tuple(sorted(user.teams))
    outside = sorted(set(teams) - user.teams)
    if outside:
        raise AccessDenied(f"team {', '.join(outside)} is outside your scope; you see {', '.join(sorted(user.teams))}")
    return tuple(teams)


def _check_report(user: User, report: object) -> None:
    """A built situation picture (``geo.report.model.Report``: ``preset.key``, ``k``, ``teams``)."""
    teams = getattr(report, "teams", None)
    _check_preset(user, getattr(getattr(report, "preset", None), "key", None))
    if user.role is Role.PARTNER:
        _check_report_options(user, k=getattr(report, "k", None), teams=teams)
        if getattr(report, "note", ""):
            raise AccessDenied("only the service's managers write their own paragraph into a situation picture")
    elif _narrow_teams(user, teams) != teams:
        raise AccessDenied(f"this situation picture covers more teams than yours ({', '.join(sorted(user.teams or ()))})")


def _check_report_options(user: User, *, k: object, teams: object) -> None:
    if teams is not None:
        raise AccessDenied("a partner sees the situation picture of all teams together, not one team's part")
    if user.min_k is not None and (not isinstance(k, int) or k < user.min_k):
        raise AccessDenied(f"partners see the situation picture with k of at least {user.min_k}; got k = {k}")


def _check_preset(user: User, preset: object) -> None:
    if not isinstance(preset, str) or not user.may_open_preset(preset):
        allowed = ", ".join(sorted(user.presets or ())) or "none"
        raise AccessDenied(f"situation picture {preset!r} is not one of yours ({allowed})")


# --- the role mapping -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AccessConfig:
    """How ID-token claims map to roles (``[feltkart.roles]`` in ``.streamlit/secrets.toml``).

    ``claim`` names the claim holding the user's groups or roles (a dotted
    name reaches into a nested claim: ``realm_access.roles``); ``admin`` lists
    the claim values that make an admin; ``manager`` maps a claim value to the
    teams it sees (None = all); ``partner`` maps a claim value to the presets
    it may open; ``partner_min_k`` is the smallest k a partner may ask for.
    """

    claim: str
    admin: frozenset[str]
    manager: Mapping[str, frozenset[str] | None]
    partner: Mapping[str, frozenset[str]]
    partner_min_k: int


def load_access_config(table: Mapping[str, Any] | None, *, presets: Iterable[str], min_k: int, default_k: int,
                       where: str = "[feltkart.roles]") -> AccessConfig:
    """Read the role mapping ``table`` (as parsed from TOML); every mistake names its key.

    ``presets`` are the preset keys that exist (a partner entitlement must
    name one); ``min_k`` is the exports' smallest k and ``default_k`` their
    default, the partners' floor unless ``partner_min_k`` raises it.
    """
    if not table:
        raise AccessConfigError(f"sign-in is configured but {where} is missing: add it with claim = \"groups\" "
                                f"(or \"roles\") and the claim values of admin, manager and partner")
    unknown = sorted(set(table) - set(CLAIM_KEYS))
    if unknown:
        raise AccessConfigError(f"{where}: unknown key {', '.join(unknown)}; allowed keys: {', '.join(CLAIM_KEYS)}")
    claim = table.get("claim")
    if not isinstance(claim, str) or not claim.strip():
        raise AccessConfigError(f"{where} claim must name the ID-token claim with the user's groups or roles, "
                                f"e.g. claim = \"groups\"; got {claim!r}")
    known = sorted(presets)
    manager = _mapping(table.get("manager", {}), f"{where} manager", allow_all=True)
    partner = _mapping(table.get("partner", {}), f"{where} partner", allow_all=False)
    for value, entitled in partner.items():
        bad = sorted(set(entitled or ()) - set(known))
        if bad:
            raise AccessConfigError(f"{where} partner.{value}: unknown preset {', '.join(bad)}; "
                                    f"allowed presets: {', '.join(known)}")
    floor = table.get("partner_min_k", default_k)
    if isinstance(floor, bool) or not isinstance(floor, int) or floor < min_k:
        raise AccessConfigError(f"{where} partner_min_k must be a whole number of at least {min_k}; got {floor!r}")
    return AccessConfig(claim=claim.strip(), admin=frozenset(_values(table.get("admin", []), f"{where} admin")),
                        manager=manager, partner=partner, partner_min_k=floor)  # type: ignore[arg-type]


def user_from_claims(claims: Mapping[str, Any], config: AccessConfig) -> User | None:
    """The :class:`User` an ID token's ``claims`` describe; None when no claim value has a role.

    The highest role wins (admin, then manager, then partner); a manager's
    teams and a partner's presets are the union over their claim values.
    """
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise AccessDenied("the identity provider sent no subject id (sub claim); sign in again")
    values = set(_claim_values(claims, config.claim))
    name = next((str(claims[k]) for k in ("name", "preferred_username", "email") if claims.get(k)), None)
    if values & config.admin:
        return User(subject, Role.ADMIN, name=name)
    managed = [config.manager[v] for v in sorted(values & set(config.manager))]
    if managed:
        teams = None if any(t is None for t in managed) else frozenset().union(*managed)
        return User(subject, Role.MANAGER, teams=teams, name=name)
    entitled = [config.partner[v] for v in sorted(values & set(config.partner))]
    if entitled:
        return User(subject, Role.PARTNER, teams=frozenset(), presets=frozenset().union(*entitled), name=name,
                    min_k=config.partner_min_k)
    return None


def _claim_values(claims: Mapping[str, Any], claim: str) -> list[str]:
    value: Any = claims.get(claim)
    if value is None and "." in claim:  # a nested claim such as Keycloak's realm_access.roles
        value = claims
        for part in claim.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return []


def _mapping(table: object, where: str, *, allow_all: bool) -> dict[str, frozenset[str] | None]:
    if not isinstance(table, Mapping):
        raise AccessConfigError(f"{where} must be a table of claim value = list; got {table!r}")
    out: dict[str, frozenset[str] | None] = {}
    for value, entry in table.items():
        if allow_all and entry == ALL:
            out[str(value)] = None
        else:
            out[str(value)] = frozenset(_values(entry, f"{where}.{value}", hint=' or "*" for all teams'
                                                if allow_all else ""))
    return out


def _values(entry: object, where: str, *, hint: str = "") -> list[str]:
    if isinstance(entry, str):
        entry = [entry]
    if not isinstance(entry, (list, tuple)) or not all(isinstance(v, str) and v for v in entry):
        raise AccessConfigError(f"{where} must be a list of names{hint}; got {entry!r}")
    return list(entry)
