"""The one shared sidebar: language, who is signed in, store, period (+ comparison) and team.

``dashboard.py`` draws it on every run, before the router runs the page;
pages never draw their own copy: they read this run's choices through
:func:`sidebar_choices` (kept in the session state). What it offers depends
on the user: only admins choose the store (the free-text path included);
managers pick among their own teams; partners get neither (their situation
picture covers the service as a whole).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import streamlit as st

from geo.access import Capability, Role, User, visible_teams
from geo.queries import Filters, period_presets, teams
from geo.queries.periods import PeriodCoverage, comparison_for, cover_period
from ui.auth import account_block
from ui.format import literal
from ui.i18n import LANGUAGE_KEY, LANGUAGES, keep_selections, labels, t
from ui.state import configured_stores, default_store, query, store_available, store_date_range
from ui.view_url import COMPARE_MODES, PRESETS, SIDEBAR_NAMES, View, filter_param, parse_view, to_params

STORE_MODE_KEY = "store_mode"
STORE_PATH_KEY = "store_path"
STORE_NAME_KEY = "store_name"
PRESET_KEY = "period_preset"
CUSTOM_KEY = "period_custom"
COMPARE_KEY = "compare_mode"
TEAM_KEY = "team"
LINK_KEY = "_link_view"
"""Session-state slot holding the view the session's link named (:mod:`ui.view_url`), for its first run only."""
LINK_READ_KEY = "_link_read"
CHOICES_KEY = "_sidebar_choices"
"""Session-state slot holding this run's :class:`SidebarChoices` (set by :func:`render_sidebar`)."""


@dataclass(frozen=True, slots=True)
class SidebarChoices:
    """What the sidebar selected: the store, the filters and the comparison filters.

    ``filters`` cover the days of the chosen period that have data
    (``coverage.covered``); ``coverage`` keeps the chosen period, so pages can
    say when it is partial (``ui.captions``).
    """

    store_path: str
    filters: Filters
    compare: Filters | None
    coverage: PeriodCoverage | None = None


def render_sidebar(user: User) -> SidebarChoices:
    """Draw the sidebar for ``user``; stop the page with a clear message when there is no data."""
    with st.sidebar:
        _read_link()
        st.selectbox(t("sidebar.language"), list(LANGUAGES), format_func=LANGUAGES.get, key=LANGUAGE_KEY,
                     on_change=keep_selections, placeholder=t("widget.choose"))
        account_block(user)
        path = _store_picker() if user.may(Capability.STORE_CHOICE) else _configured_store()
        span = store_date_range(path)
        if span is None:
            st.warning(t("sidebar.store.empty"))
            st.stop()
        first, last = _period_picker(*span)
        coverage = cover_period(first, last, *span)
        _partial_flag(coverage, span)
        compare = _comparison(coverage)
        team_choice = None if user.role is Role.PARTNER else _team_picker(path, user)
        st.caption(t("sidebar.attribution"))
    _write_link(View(preset=st.session_state[PRESET_KEY],
                     custom=(first, last) if st.session_state[PRESET_KEY] == "custom" else None,
                     compare=st.session_state[COMPARE_KEY], team=team_choice[0] if team_choice else None))
    first, last = coverage.covered or (first, last)
    filters = Filters(first_day=first, last_day=last, teams=team_choice)
    compare_filters = replace(filters, first_day=compare[0], last_day=compare[1]) if compare else None
    choices = SidebarChoices(store_path=path, filters=filters, compare=compare_filters, coverage=coverage)
    st.session_state[CHOICES_KEY] = choices
    return choices


def sidebar_choices() -> SidebarChoices:
    """The choices the sidebar made on this run, for the page the router runs.

    ``dashboard.py`` always draws the sidebar before running a page, so the
    choices are this run's. A page run without the router (Streamlit's legacy
    ``pages/``-folder mode, which ``python -m ui.serve`` switches off) stops
    with a message instead of drawing a second sidebar.
    """
    choices = st.session_state.get(CHOICES_KEY)
    if choices is None:
        st.error(t("sidebar.no_router"))
        st.stop()
    return choices


def _store_picker() -> str:
    """The admin's choice: the configured store(s) or a path typed in."""
    stores = configured_stores()
    mode = st.radio(t("sidebar.store"), ("demo", "own"), key=STORE_MODE_KEY, horizontal=True,
                    format_func=labels("sidebar.store") if set(stores) == {"default"} else
                    {"demo": t("auth.store.configured"), "own": t("sidebar.store.own")}.get)
    if mode == "demo":
        names = list(stores)
        name = names[0] if len(names) == 1 else st.selectbox(t("sidebar.store"), names, key=STORE_NAME_KEY,
                                                              label_visibility="collapsed")
        path = stores[name]
    else:
        path = st.text_input(t("sidebar.store.path"), value=str(default_store()), key=STORE_PATH_KEY)
    if not store_available(path):
        st.error(t("sidebar.store.missing", path=literal(path)))
        st.stop()
    return path


def _configured_store() -> str:
    """Everyone but admins works on the first configured store, named, never its path."""
    name, path = next(iter(configured_stores().items()))
    if len(configured_stores()) > 1:
        st.caption(t("auth.store", name=literal(name)))
    if not store_available(path):
        st.error(t("sidebar.store.missing", path=literal(name)))
        st.stop()
    return path


def _period_picker(first_day: date, last_day: date) -> tuple[date, date]:
    """Preset or custom period; presets are anchored at the store's last day."""
    preset = st.selectbox(t("sidebar.period"), PRESETS, key=PRESET_KEY, format_func=labels("preset"),
                          placeholder=t("widget.choose"))
    if preset == "custom":
        default = (max(first_day, last_day - timedelta(days=27)), last_day)
        _seed_custom(first_day, last_day)
        value = st.date_input(t("sidebar.period.custom_range"), value=default, min_value=first_day,
                              max_value=last_day, key=CUSTOM_KEY, format="DD.MM.YYYY")
        if isinstance(value, (tuple, list)) and len(value) == 2:
            return value[0], value[1]
        single = value[0] if isinstance(value, (tuple, list)) and value else last_day
        return single, single
    lo, hi = period_presets(last_day)[preset]
    st.caption(t("period.caption", first=lo, last=hi))
    return lo, hi


def _partial_flag(coverage: PeriodCoverage, span: tuple[date, date]) -> None:
    """Say so when the chosen period reaches beyond the data (issue 14: partial periods)."""
    if coverage.covered is None:
        st.warning(t("sidebar.no_data", first=span[0], last=span[1]))
    elif coverage.is_partial:
        st.warning(t("sidebar.partial", days=coverage.covered_days, of=coverage.days, first=coverage.covered[0],
                     last=coverage.covered[1]))


def _comparison(coverage: PeriodCoverage) -> tuple[date, date] | None:
    """Comparison period of the same covered length (``geo.queries.periods.comparison_for``)."""
    mode = st.selectbox(t("sidebar.compare"), COMPARE_MODES, key=COMPARE_KEY, placeholder=t("widget.choose"),
                        format_func=labels("sidebar.compare"))
    return None if mode == "none" else comparison_for(coverage, mode)


def _team_picker(path: str, user: User) -> tuple[str, ...] | None:
    """One of the user's teams, or all of them (None; the access check narrows it to theirs)."""
    mine = visible_teams(user, query(path, teams))
    options = ["__all__", *mine] if len(mine) != 1 or user.teams is None else mine
    _seed_team(user, options)
    everyone = t("sidebar.team.all") if user.teams is None else t("auth.team.all_mine")
    chosen = st.selectbox(t("sidebar.team"), options, key=TEAM_KEY, placeholder=t("widget.choose"),
                          format_func=lambda v, all_teams=everyone: all_teams if v == "__all__" else v)
    return None if chosen == "__all__" else (chosen,)


# --- the link (issue 15, item 5) ------------------------------------------------------------------
def _read_link() -> None:
    """On the session's first run, start the sidebar on the view the URL names (:func:`ui.view_url.parse_view`),
    saying what of it could not be used; later runs forget the link (the widgets hold the view)."""
    state = st.session_state
    if state.get(LINK_READ_KEY):
        state.pop(LINK_KEY, None)
        return
    state[LINK_READ_KEY] = True
    view, problems = parse_view(st.query_params.to_dict())
    for problem in problems:
        st.warning(t(f"link.{problem.reason}", name=literal(problem.name), value=literal(problem.value)))
    state[LINK_KEY] = view
    state.setdefault(PRESET_KEY, view.preset)
    state.setdefault(COMPARE_KEY, view.compare)


def _seed_custom(first_day: date, last_day: date) -> None:
    """The link's custom dates, moved into the store's data range (with a warning when they had to be)."""
    view: View | None = st.session_state.get(LINK_KEY)
    if view is None or view.custom is None or CUSTOM_KEY in st.session_state:
        return
    lo, hi = (min(max(day, first_day), last_day) for day in view.custom)
    if (lo, hi) != view.custom:
        st.warning(t("link.clamped", first=lo, last=hi))
    st.session_state[CUSTOM_KEY] = (lo, hi)


def _seed_team(user: User, options: list[str]) -> None:
    """The link's team, when the access seam lets this user see it (``visible_teams``); refused otherwise."""
    view: View | None = st.session_state.get(LINK_KEY)
    if view is None or view.team is None or TEAM_KEY in st.session_state:
        return
    if visible_teams(user, [view.team]) and view.team in options:
        st.session_state[TEAM_KEY] = view.team
    else:
        st.warning(t("link.team", value=literal(view.team)))


def link_filter(widget_key: str, name: str, options: list | tuple | None = None) -> None:
    """Before a page filter widget keyed ``widget_key``: on the session's first run, start it on the
    link's value of ``name`` (a :mod:`ui.view_url` page-filter name), kept to ``options`` when given."""
    view: View | None = st.session_state.get(LINK_KEY)
    if view is None or name not in view.filters or widget_key in st.session_state:
        return
    value = view.filters[name]
    if options is not None and isinstance(value, list):
        kept = [v for v in value if v in options]
        if len(kept) < len(value):
            st.warning(t("link.unknown", name=literal(name), value=literal(",".join(str(v) for v in value if v not in options))))
        value = kept
    st.session_state[widget_key] = value


def keep_filter(name: str, value: object) -> None:
    """Write page filter ``name``'s current ``value`` into the URL (removed when it is the default)."""
    _set_param(name, filter_param(name, value))


def _write_link(view: View) -> None:
    """The sidebar's part of the view into the URL, so that a copied link reopens it."""
    params = to_params(view)
    for name in SIDEBAR_NAMES:
        _set_param(name, params.get(name))


def _set_param(name: str, text: str | None) -> None:
    if text is None:
        if name in st.query_params:
            del st.query_params[name]
    elif st.query_params.get(name) != text:
        st.query_params[name] = text
