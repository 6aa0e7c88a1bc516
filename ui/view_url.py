"""A dashboard view as URL query parameters, and back (issue 15, item 5: shareable views).

Pure: no Streamlit here. :mod:`ui.sidebar` reads the link once at session start
through :func:`parse_view` and writes the current view back with :func:`to_params`;
the page's filter widgets (:mod:`ui.filters`) take their start values from the
parsed view. The page itself is the URL path (``/dekning``), which Streamlit's
router already keeps.

The parameters (every one optional; a missing one means the default):

===============  ==============================================  ====================
name             value                                           example
===============  ==============================================  ====================
``period``       a sidebar preset (:data:`PRESETS`)              ``this_tertial``
``from``/``to``  a custom period, ISO dates (both, from <= to)   ``2024-09-02``
``compare``      :data:`COMPARE_MODES`                           ``last_year``
``team``         one team (checked against the user's scope)     ``Uteseksjonen``
``weekdays``     local weekdays, 0 = Monday, comma-separated     ``4,5``
``hours``        local hour range ``a-b``, 0 <= a < b <= 24      ``18-24``
``shifts``       :class:`geo.schema.Shift` values                ``night``
``kinds``        :class:`geo.schema.PatrolKind` values           ``regular,joint``
``categories``   :class:`geo.schema.Category` values             ``acute_help``
``ages``         :class:`geo.schema.AgeGroup` values             ``under_18``
``new``          new contacts only: ``yes`` or ``no``            ``yes``
``res``          H3 resolution (:data:`geo.engine.cells.RESOLUTIONS`)  ``9``
===============  ==============================================  ====================

A value that does not parse is left out of the view and reported as a
:class:`Problem` (the sidebar shows each as a warning), never raised: a link
typed by hand or cut short still opens the dashboard, on the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from geo.engine.cells import RESOLUTIONS
from geo.schema import AgeGroup, Category, PatrolKind, Shift

PRESETS = ("last_4_weeks", "this_week", "this_tertial", "last_year", "custom")
"""The sidebar's period presets; the first is the default."""
COMPARE_MODES = ("previous", "last_year", "none")
"""The sidebar's comparison modes; the first is the default."""
HOURS_PER_DAY = 24

MULTI_FILTERS: dict[str, tuple[str, ...]] = {
    "weekdays": tuple(str(d) for d in range(7)),
    "shifts": tuple(s.value for s in Shift),
    "kinds": tuple(k.value for k in PatrolKind),
    "categories": tuple(c.value for c in Category),
    "ages": tuple(a.value for a in AgeGroup),
}
"""Page filters holding several values, with the values each accepts (as text)."""
NEW_CONTACT = ("all", "yes", "no")
FILTER_NAMES = (*MULTI_FILTERS, "hours", "new", "res")
"""Every page-filter parameter, in the order they are written."""
SIDEBAR_NAMES = ("period", "from", "to", "compare", "team")
"""The parameters the sidebar writes (the pages write :data:`FILTER_NAMES`)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """A parameter of the link that was not used: its name, its value as given and why
    (``unknown`` value, ``malformed``, ``order``: from after to, ``incomplete``: from without to)."""

    name: str
    value: str
    reason: str


@dataclass(frozen=True, slots=True)
class View:
    """What a link names: the sidebar's period (preset, or custom dates), comparison and team,
    and page filters by parameter name (weekdays as ints, hours as an ``(a, b)`` pair, res as
    an int, the rest as text values; an absent name is the widget's default)."""

    preset: str = PRESETS[0]
    custom: tuple[date, date] | None = None
    compare: str = COMPARE_MODES[0]
    team: str | None = None
    filters: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.preset == "custom") != (self.custom is not None):
            raise ValueError("a custom period needs its dates, and dates need the custom preset")


def parse_view(params: Mapping[str, str]) -> tuple[View, list[Problem]]:
    """The view a link's query parameters name, and every parameter it could not use.

    ``params`` maps a name to its (last) value, as ``st.query_params.to_dict()`` gives it;
    names this module does not know are ignored (they belong to someone else).
    """
    problems: list[Problem] = []
    preset, custom = _period(params, problems)
    compare = _choice(params, "compare", COMPARE_MODES, problems) or COMPARE_MODES[0]
    team = params.get("team", "").strip() or None
    filters: dict[str, object] = {}
    for name, allowed in MULTI_FILTERS.items():
        if name in params:
            values = _values(params[name])
            if values and all(v in allowed for v in values):
                filters[name] = [int(v) for v in values] if name == "weekdays" else values
            else:
                problems.append(Problem(name, params[name], "unknown"))
    if "hours" in params:
        hours = _hours(params["hours"])
        if hours is None:
            problems.append(Problem("hours", params["hours"], "malformed"))
        elif hours != (0, HOURS_PER_DAY):
            filters["hours"] = hours
    new = _choice(params, "new", NEW_CONTACT, problems)
    if new and new != "all":
        filters["new"] = new
    res = _choice(params, "res", tuple(str(r) for r in RESOLUTIONS), problems)
    if res:
        filters["res"] = int(res)
    return View(preset=preset, custom=custom, compare=compare, team=team, filters=filters), problems


def to_params(view: View) -> dict[str, str]:
    """``view`` as query parameters, defaults left out (so the default view is a bare URL)."""
    params: dict[str, str] = {}
    if view.custom is not None:
        params["from"], params["to"] = view.custom[0].isoformat(), view.custom[1].isoformat()
    elif view.preset != PRESETS[0]:
        params["period"] = view.preset
    if view.compare != COMPARE_MODES[0]:
        params["compare"] = view.compare
    if view.team:
        params["team"] = view.team
    for name in FILTER_NAMES:
        text = filter_param(name, view.filters.get(name))
        if text is not None:
            params[name] = text
    return params


def filter_param(name: str, value: object) -> str | None:
    """Page filter ``name``'s widget value as a parameter, None when it is the default
    (nothing chosen, all hours, every new-contact state)."""
    if value is None:
        return None
    if name in MULTI_FILTERS:
        return ",".join(str(v) for v in value) or None  # type: ignore[union-attr]
    if name == "hours":
        lo, hi = value  # type: ignore[misc]
        return None if (lo, hi) == (0, HOURS_PER_DAY) else f"{lo}-{hi}"
    if name == "new":
        return None if value == "all" else str(value)
    if name == "res":
        return str(value)
    raise KeyError(f"not a page filter: {name}")


def _period(params: Mapping[str, str], problems: list[Problem]) -> tuple[str, tuple[date, date] | None]:
    if "from" in params or "to" in params:
        first, last = _date(params, "from", problems), _date(params, "to", problems)
        if first is not None and last is not None:
            if first <= last:
                return "custom", (first, last)
            problems.append(Problem("from", f"{params['from']}..{params['to']}", "order"))
        else:
            for name in ("from", "to"):
                if name not in params:
                    problems.append(Problem(name, "", "incomplete"))
        return PRESETS[0], None
    preset = _choice(params, "period", PRESETS, problems)
    if preset == "custom":  # a custom period needs its dates
        problems.append(Problem("period", preset, "incomplete"))
        preset = None
    return preset or PRESETS[0], None


def _date(params: Mapping[str, str], name: str, problems: list[Problem]) -> date | None:
    if name not in params:
        return None
    try:
        return date.fromisoformat(params[name].strip())
    except ValueError:
        problems.append(Problem(name, params[name], "malformed"))
        return None


def _choice(params: Mapping[str, str], name: str, allowed: tuple[str, ...], problems: list[Problem]) -> str | None:
    if name not in params:
        return None
    value = params[name].strip()
    if value in allowed:
        return value
    problems.append(Problem(name, params[name], "unknown"))
    return None


def _values(text: str) -> list[str]:
    return [v.strip() for v in text.split(",") if v.strip()]


def _hours(text: str) -> tuple[int, int] | None:
    lo, sep, hi = text.strip().partition("-")
    if not sep or not lo.isdigit() or not hi.isdigit():
        return None
    a, b = int(lo), int(hi)
    return (a, b) if 0 <= a < b <= HOURS_PER_DAY else None
