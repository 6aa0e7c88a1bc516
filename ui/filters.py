"""Page-level filter widgets shared by several pages (weekday, hour, shift, kind, resolution).

Each starts on the value a shared link names (:func:`ui.sidebar.link_filter`, on the session's
first run) and writes its value back into the URL (:func:`ui.sidebar.keep_filter`), so a copied
link reopens the page with the same filters (issue 15, item 5)."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from geo.engine.cells import DEFAULT_RESOLUTION, RESOLUTIONS
from geo.queries import Filters, patrol_kinds
from geo.schema import AgeGroup, Category, Shift
from ui.i18n import labels, t
from ui.sidebar import keep_filter, link_filter
from ui.state import get_store

WEEKDAYS = tuple(range(7))
SHIFTS = [s.value for s in Shift]
CATEGORIES = [c.value for c in Category]
AGES = [a.value for a in AgeGroup]


def time_filters(filters: Filters, *, key: str, path: str) -> Filters:
    """Weekday, hour range, shift and patrol kind; returns ``filters`` narrowed to them."""
    c1, c2, c3, c4 = st.columns(4)
    kind_options = patrol_kinds(get_store(path))
    for name, options in (("weekdays", WEEKDAYS), ("hours", None), ("shifts", SHIFTS), ("kinds", kind_options)):
        link_filter(f"{key}_{name}", name, options)
    weekdays = c1.multiselect(t("filter.weekdays"), WEEKDAYS, key=f"{key}_weekdays",
                              format_func=labels("weekday"), placeholder=t("filter.all"))
    hours = c2.slider(t("filter.hours"), 0, 24, (0, 24), key=f"{key}_hours")
    if hours[0] == hours[1]:  # an empty range: widen to the one hour starting there
        hours = (hours[0], hours[0] + 1) if hours[0] < 24 else (23, 24)
    shifts = c3.multiselect(t("filter.shifts"), SHIFTS, key=f"{key}_shifts",
                            format_func=labels("shift"), placeholder=t("filter.all"))
    kinds = c4.multiselect(t("filter.kinds"), kind_options, key=f"{key}_kinds",
                           format_func=labels("kind"), placeholder=t("filter.all"))
    for name, value in (("weekdays", weekdays), ("hours", hours), ("shifts", shifts), ("kinds", kinds)):
        keep_filter(name, value)
    return replace(
        filters,
        weekdays=tuple(weekdays) or None,
        hour_from=hours[0],
        hour_to=hours[1],
        shifts=tuple(shifts) or None,
        kinds=tuple(kinds) or None,
    )


def encounter_filters(filters: Filters, *, key: str) -> Filters:
    """Category, age group and new-contact filters for encounters."""
    c1, c2, c3 = st.columns(3)
    for name, options in (("categories", CATEGORIES), ("ages", AGES), ("new", None)):
        link_filter(f"{key}_{name}", name, options)
    categories = c1.multiselect(t("filter.categories"), CATEGORIES, key=f"{key}_categories",
                                format_func=labels("category"), placeholder=t("filter.all"))
    ages = c2.multiselect(t("filter.age_groups"), AGES, key=f"{key}_ages",
                          format_func=labels("age"), placeholder=t("filter.all"))
    new = c3.selectbox(t("filter.new_contact"), ["all", "yes", "no"], key=f"{key}_new", placeholder=t("widget.choose"),
                       format_func=labels("filter.new_contact"))
    for name, value in (("categories", categories), ("ages", ages), ("new", new)):
        keep_filter(name, value)
    return replace(
        filters,
        categories=tuple(categories) or None,
        age_groups=tuple(ages) or None,
        new_contact=None if new == "all" else new == "yes",
    )


def resolution_picker(*, key: str) -> int:
    """H3 resolution (9 coarse … 11 fine)."""
    link_filter(f"{key}_res", "res")
    res = st.select_slider(t("filter.resolution"), RESOLUTIONS, value=DEFAULT_RESOLUTION, key=f"{key}_res",
                           format_func=labels("res"))
    keep_filter("res", None if res == DEFAULT_RESOLUTION else res)
    return res
