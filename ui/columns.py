"""Tables as a person reads them: every header translated, names before ids, ids hidden, every
value printed in the UI language by :mod:`geo.formatting`.

:func:`show_table` is the one way pages put a table on screen. The numbers stay
numbers underneath (sorting a column sorts by value); what is shown is a pandas
Styler's text, because Streamlit's own number formats follow the browser's
locale, not the language chosen in the sidebar. :func:`table_config` builds the
``st.column_config`` (labels, hidden ids) on its own, for ``st.data_editor``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
import streamlit as st

from geo import formatting
from geo.schema import OUTSIDE_AREA_ID
from ui.i18n import STRINGS, language, t

INTERNAL_VALUES: dict[str, str] = {OUTSIDE_AREA_ID: "area.outside", "__all__": "sidebar.team.all"}
"""Internal codes that may appear as values, and the string shown instead."""

NAME_COLUMNS = ("area_name", "name", "label", "period", "category")
"""Columns that name a row: shown first."""

ID_COLUMNS = ("area_id", "draft_id", "hot_id", "patrol_id", "key")
"""Internal identifiers: hidden when the table has a name column (kept in the data)."""

ALWAYS_HIDDEN = ("geometry", "centre_x", "centre_y", "x", "y", "easting", "northing", "centre_lon", "centre_lat",
                 "lon", "lat")
"""Never shown as columns: geometry and coordinates (the map shows where things are)."""


def header(column: str, prefixes: Iterable[str] = ()) -> str:
    """The translated header of ``column``: the first of ``<prefix>.<column>`` and ``col.<column>``
    with a string; the column name itself when none has (the page test then fails)."""
    for prefix in (*prefixes, "col"):
        key = f"{prefix}.{column}"
        if key in STRINGS:
            return t(key)
    return str(column)


def visible_columns(frame: pd.DataFrame, *, hide: Iterable[str] = ()) -> list[str]:
    """The columns of ``frame`` to show, names first: geometry, coordinates, ``hide`` and (when
    a name column is present) internal ids left out."""
    has_name = any(c in frame.columns for c in NAME_COLUMNS)
    hidden = set(ALWAYS_HIDDEN) | set(hide) | (set(ID_COLUMNS) if has_name else set())
    shown = [c for c in frame.columns if c not in hidden]
    return [c for c in shown if c in NAME_COLUMNS] + [c for c in shown if c not in NAME_COLUMNS]


def table_config(frame: pd.DataFrame, *, prefixes: Iterable[str] = (), hide: Iterable[str] = ()) -> dict:
    """``st.column_config`` for ``frame``: a translated label per shown column, None (hidden) for the rest."""
    shown = visible_columns(frame, hide=hide)
    config: dict = {c: None for c in frame.columns if c not in shown}
    for column in shown:
        config[column] = st.column_config.Column(header(column, prefixes))
    return config


def styled(frame: pd.DataFrame, *, values: Mapping[str, Mapping] | None = None, kinds: Mapping[str, str] | None = None):
    """``frame`` (reset index, columns in :func:`visible_columns` order first) as a Styler whose
    text is every cell printed by :func:`geo.formatting.cell` in the UI language; ``values`` maps
    a column's codes to display text; ``kinds`` overrides :func:`geo.formatting.column_kind`."""
    lang = language()
    data = frame.reset_index(drop=True)
    values = dict(values or {})
    kinds = dict(kinds or {})
    formatters = {}
    for column in data.columns:
        kind = kinds.get(column, formatting.column_kind(str(column)))
        codes = values.get(column, {})

        def show(value, kind=kind, codes=codes):
            if isinstance(value, str):
                if value in codes:
                    return codes[value]
                if value in INTERNAL_VALUES:
                    return t(INTERNAL_VALUES[value])
            elif codes and not formatting.is_missing(value) and value in codes:
                return codes[value]
            return formatting.cell(value, kind, lang)

        formatters[column] = show
    return data.style.format(formatters)


def show_table(frame: pd.DataFrame, *, prefixes: Iterable[str] = (), hide: Iterable[str] = (),
               values: Mapping[str, Mapping] | None = None, kinds: Mapping[str, str] | None = None,
               key: str | None = None, height: int | str = "auto") -> None:
    """Show ``frame`` as a table: headers translated (``<prefix>.<column>`` then ``col.<column>``),
    names first, ids and coordinates hidden, values formatted in the UI language."""
    prefixes = tuple(prefixes)
    order = visible_columns(frame, hide=hide)
    data = frame[[*order, *[c for c in frame.columns if c not in order]]]
    st.dataframe(styled(data, values=values, kinds=kinds), hide_index=True, width="stretch", key=key,
                 height=height, column_config=table_config(data, prefixes=prefixes, hide=hide), column_order=order)
