"""The caption every page carries: its period, comparison, team and filters, so that a
screenshot passed around keeps its date (issue 14, item 6). One helper for every page."""

from __future__ import annotations

import streamlit as st

from geo.queries import Filters
from geo.queries.filters import HOURS_PER_DAY
from ui.format import literal
from ui.i18n import STRINGS, language, t
from ui.sidebar import SidebarChoices


def page_caption(choices: SidebarChoices, filters: Filters | None = None, *, note: str | None = None) -> None:
    """``st.caption`` with :func:`selection_text` (of the page's own ``filters`` when it narrows
    the sidebar's), followed by the page's ``note``."""
    text = literal(selection_text(choices, filters or choices.filters))  # team names come from the store
    st.caption(f"{text}. {note}" if note else f"{text}.")


def selection_text(choices: SidebarChoices, filters: Filters) -> str:
    """Period (and how much of it has data), comparison, team and every page filter, in one line."""
    parts = [t("caption.period", first=filters.first_day, last=filters.last_day)]
    coverage = choices.coverage
    if coverage is not None and coverage.covered is None:
        parts = [t("caption.no_data", first=coverage.first, last=coverage.last)]
    elif coverage is not None and coverage.is_partial:
        parts.append(t("caption.partial", first=coverage.first, last=coverage.last, days=coverage.covered_days,
                       of=coverage.days))
    if choices.compare is not None:
        parts.append(t("caption.compare", first=choices.compare.first_day, last=choices.compare.last_day))
    parts.append(t("caption.team", team=", ".join(filters.teams) if filters.teams else t("sidebar.team.all")))
    parts += _filter_parts(filters)
    return " · ".join(parts)


def _filter_parts(filters: Filters) -> list[str]:
    lang = language()
    named = [("weekdays", "weekday"), ("shifts", "shift"), ("kinds", "kind"), ("categories", "category"),
             ("age_groups", "age")]
    parts = []
    for field, prefix in named:
        values = getattr(filters, field)
        if values is not None:
            shown = ", ".join(STRINGS.get(f"{prefix}.{v}", {}).get(lang, str(v)) for v in values)
            parts.append(t(f"caption.{field}", values=shown))
    if (filters.hour_from, filters.hour_to) != (0, HOURS_PER_DAY):
        parts.append(t("caption.hours", first=filters.hour_from, last=filters.hour_to))
    if filters.new_contact is not None:
        parts.append(t(f"caption.new_contact.{'yes' if filters.new_contact else 'no'}"))
    return parts
