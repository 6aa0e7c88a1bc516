"""Every UI string, in Norwegian bokmål (default) and English.

Pages never hard-code text: they call :func:`t` with a key. A test checks that
every key has both languages and that every key used in the code exists.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from ui.strings import attention, auth, changes, core, figures, hotspots, merge_string_tables, planning, report, tables
from ui.strings import shareable, sidebyside

LANGUAGES = {"nb": "Norsk (bokmål)", "en": "English"}
DEFAULT_LANGUAGE = "nb"
LANGUAGE_KEY = "language"

STRINGS: dict[str, dict[str, str]] = merge_string_tables(
    core.STRINGS, changes.STRINGS, hotspots.STRINGS, report.STRINGS, auth.STRINGS, planning.STRINGS, figures.STRINGS,
    tables.STRINGS, attention.STRINGS, sidebyside.STRINGS, shareable.STRINGS)


def keep_selections() -> None:
    """Keep every widget's selection across a language switch (the language widget's ``on_change``).

    Streamlit keeps a radio's, selectbox's or multiselect's value in the browser
    as its *label* (the ``format_func`` text). After a switch the labels are in
    the other language, so the browser's old label matches no option: radios
    showed nothing selected and selectboxes kept the old text until another
    page was opened, and the next click reset them. Writing each value back
    through the session state makes Streamlit send the value again, under its
    label in the new language.
    """
    for key in list(st.session_state.keys()):
        if not isinstance(key, str) or key.startswith("_") or key == LANGUAGE_KEY:
            continue
        value = st.session_state[key]
        if _may_be_a_label(value):
            st.session_state[key] = value


def _may_be_a_label(value: object) -> bool:
    """Whether ``value`` can be a selection the browser shows by its label (a radio's, selectbox's,
    multiselect's or slider's value), so writing it back is needed and allowed.

    Not booleans (buttons, download buttons, checkboxes: no label, and Streamlit refuses
    a value set for a button on the next run), None or empty lists (nothing chosen, or
    an empty uploader), uploads or a data editor's edits (read-only widgets).
    """
    if isinstance(value, (list, tuple)):
        return bool(value) and all(_may_be_a_label(item) for item in value)
    return not isinstance(value, bool) and isinstance(value, (str, int, float, dt.date, dt.time))


def language() -> str:
    """The language chosen in the sidebar (``nb`` or ``en``)."""
    lang = st.session_state.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **values: object) -> str:
    """The UI string ``key`` in the current language, formatted with ``values``.

    An unknown key raises ``KeyError`` (caught by the i18n test, never shown).
    """
    text = STRINGS[key][language()]
    return text.format(**values) if values else text


def translate_columns(frame):
    """``frame`` with every column that has a ``col.<name>`` string renamed to it."""
    return frame.rename(columns=lambda c: t(f"col.{c}") if f"col.{c}" in STRINGS else c)


def labels(prefix: str):
    """A ``format_func`` for widgets: value ``v`` → the string ``<prefix>.<v>``.

    The language is bound when the widget is created, so the labels stay
    consistent even if the function is called outside the script run.
    """
    lang = language()
    return lambda value: STRINGS[f"{prefix}.{value}"][lang]
